/* Outbound sync (issue 16, items 2 and 3): a sale at the counter reaches
 * every mapped channel once through serve's outbox worker; a channel that
 * fails catches up with the newest count, in order; dead letters after the
 * retry limit, sent again by `channel retry`; a stalled channel never
 * delays another; a burst of sales while a channel is down costs a bounded
 * number of requests; two serves send each change once; the sale path does
 * not wait for a frozen worker. The platforms are tests/fake_platform.py on
 * loopback; serve and every sale are the real binary. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake.h"
#include "helpers.h"
#include "http.h"
#include "proxy.h"
#include "tmux.h"

static PGconn *conn; /* the owner's: platform_map rows, the clock */

static int setup(void **state)
{
	(void)state;
	conn = test_migrate_connect();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* A channel name unique in this run ([a-z][a-z0-9_]*, so it can name its
 * own platform_map rows). */
static const char *chan_name(const char *prefix)
{
	static char buf[8][48];
	static int k;
	char *b = buf[k++ % 8];
	snprintf(b, 48, "%s_%ld_%d", prefix, (long)getpid() % 100000, k);
	return b;
}

static void map(const char *platform, const char *sku, long long ev, long long ty, const char *remote)
{
	char e[24], t[24];
	const char *p[5] = { platform, sku, e, t, remote };
	snprintf(e, sizeof e, "%lld", ev);
	snprintf(t, sizeof t, "%lld", ty);
	PQclear(test_query(conn, "INSERT INTO platform_map (platform, sku, event_id, type_id, remote) "
				 "VALUES ($1, $2, $3::bigint, $4::bigint, $5)", 5, p));
}

/* The channel's row of `channel status --json` (caller frees). */
static json_t *status_of(const char *name)
{
	json_t *all = cli_json("$BOXOFFICE channel status --json"), *c, *found = NULL;
	size_t i;
	json_array_foreach(all, i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
			found = json_incref(c);
	json_decref(all);
	assert_non_null(found);
	return found;
}

static long long status_int(const char *name, const char *key)
{
	json_t *s = status_of(name);
	long long v = json_integer_value(json_object_get(s, key));
	json_decref(s);
	return v;
}

/* Waits (deadline ms) until the channel's status field key is >= want. */
static bool wait_status(const char *name, const char *key, long long want, int deadline)
{
	long long until = now_ms() + deadline;
	do {
		if (status_int(name, key) >= want)
			return true;
		usleep(50 * 1000);
	} while (now_ms() < until);
	return false;
}

/* Waits until the channel has nothing pending and sent at least one row. */
static bool wait_drained(const char *name, int deadline)
{
	long long until = now_ms() + deadline;
	do {
		json_t *s = status_of(name);
		bool done = json_integer_value(json_object_get(s, "pending")) == 0 &&
			    json_integer_value(json_object_get(s, "sent")) > 0;
		json_decref(s);
		if (done)
			return true;
		usleep(50 * 1000);
	} while (now_ms() < until);
	return false;
}

/* A number from a recorded request's JSON body (searched at any depth). */
static bool find_number(json_t *j, const char *key, long long *out)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		v = json_object_get(j, key);
		if (json_is_integer(v)) {
			*out = json_integer_value(v);
			return true;
		}
		json_object_foreach(j, k, v)
			if (find_number(v, key, out))
				return true;
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (find_number(v, key, out))
				return true;
	}
	return false;
}

static long long req_number(json_t *req, const char *key)
{
	long long v = -1;
	json_t *body = json_object_get(req, "json");
	if (!find_number(body, key, &v)) {
		/* Square and friends send numbers as strings: "quantity":"49" */
		const char *text = json_string_value(json_object_get(req, "body"));
		char pat[40];
		const char *at;
		snprintf(pat, sizeof pat, "\"%s\":", key);
		if (text && (at = strstr(text, pat))) {
			at += strlen(pat);
			while (*at == '"' || *at == ' ')
				at++;
			v = atoll(at);
		}
	}
	return v;
}

static int sells(long long ev, long long ty, int n)
{
	struct run_result r = run_cmd("for i in $(seq %d); do \"$BOXOFFICE\" sell --event %lld --type %lld --qty 1 "
				      "--payment card >/dev/null || exit 1; done",
				      n, ev, ty);
	int st = r.status;
	if (st)
		print_message("sell: %s\n", r.err);
	run_free(&r);
	return st;
}

static void add_webhook(const char *name, const struct fake *f, const char *extra)
{
	struct run_result r = run_cmd("\"$BOXOFFICE\" channel add %s --platform webhook --url %s/hook "
				      "--credentials whsec_test_0123456789 %s --json",
				      name, fake_url(f), extra ? extra : "");
	if (r.status)
		print_message("channel add: %s\n", r.err);
	assert_int_equal(r.status, 0);
	run_free(&r);
}

static void disable(const char *name)
{
	struct run_result r = run_cmd("\"$BOXOFFICE\" channel disable %s", name);
	assert_int_equal(r.status, 0);
	run_free(&r);
}

/* A pushed channel of PLATFORM on its own fake, mapped by channel name. */
static const char *add_pushed(const char *platform, const struct fake *f, const char *url_tail, const char *extra,
			      long long ev, long long ty, const char *remote)
{
	const char *name = chan_name(platform);
	char sku[64];
	struct run_result r = run_cmd("\"$BOXOFFICE\" channel add %s --platform %s --url %s%s %s --json", name, platform,
				      fake_url(f), url_tail, extra);
	if (r.status)
		print_message("channel add %s: %s\n", platform, r.err);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(sku, sizeof sku, "%.2s-%lld", platform, ty);
	map(name, sku, ev, ty, remote);
	return name;
}

/* The one request FAKE received: its method, path and the number under KEY. */
static void assert_one_request(const struct fake *f, const char *method, const char *path, const char *key,
			       long long want)
{
	json_t *reqs = fake_requests(f), *q;
	if (json_array_size(reqs) != 1) {
		char *d = json_dumps(reqs, 0);
		print_message("%s wanted once, got: %s\n", path, d);
		free(d);
	}
	assert_int_equal(json_array_size(reqs), 1);
	q = json_array_get(reqs, 0);
	assert_string_equal(json_string_value(json_object_get(q, "method")), method);
	if (!strstr(json_string_value(json_object_get(q, "path")), path))
		print_message("path %s, wanted %s\n", json_string_value(json_object_get(q, "path")), path);
	assert_non_null(strstr(json_string_value(json_object_get(q, "path")), path));
	assert_int_equal(req_number(q, key), want);
	json_decref(reqs);
}

/* A sale at the counter reaches a Shopify store, a WooCommerce shop, a
 * Square location, an Eventbrite ticket class and a portal's webhook, each
 * exactly once, with what that channel may still sell. */
static void test_sale_reaches_every_channel_once(void **state)
{
	struct fake shop, portal, woo, square, brite;
	struct served s;
	long long ev = make_event(unique_name("Outbox once"), "2027-06-01", 0);
	long long ty = make_type(ev, "Adult", 50, 1000, 1);
	const char *sname = chan_name("shop"), *wname = chan_name("portal"), *woo_name, *square_name, *brite_name;
	char sku[64];
	json_t *reqs;
	struct run_result r;

	(void)state;
	fake_start(&shop);
	fake_start(&portal);
	fake_start(&woo);
	fake_start(&square);
	fake_start(&brite);
	woo_name = add_pushed("woocommerce", &woo, "/wp-json/wc/v3", "--credentials ck_test:cs_test", ev, ty, "4711");
	square_name = add_pushed("square", &square, "", "--credentials sq_test --setting location_id=L88", ev, ty,
				 "CATOBJ7");
	brite_name = add_pushed("eventbrite", &brite, "/v3", "--credentials ebtoken", ev, ty, "5551/9991");
	r = run_cmd("\"$BOXOFFICE\" channel add %s --platform shopify --url %s/admin/api/2024-01 "
		    "--credentials shpat_test --setting location_id=655441491 --json",
		    sname, fake_url(&shop));
	assert_int_equal(r.status, 0);
	run_free(&r);
	add_webhook(wname, &portal, NULL);
	snprintf(sku, sizeof sku, "SH-%lld", ty);
	map("shopify", sku, ev, ty, "808950810");
	snprintf(sku, sizeof sku, "WH-%lld", ty);
	map(wname, sku, ev, ty, NULL);
	serve_start(&s, NULL);

	assert_int_equal(sells(ev, ty, 1), 0);
	assert_true(wait_drained(sname, 10000));
	assert_true(wait_drained(wname, 10000));
	assert_true(wait_drained(woo_name, 10000));
	assert_true(wait_drained(square_name, 10000));
	assert_true(wait_drained(brite_name, 10000));

	assert_one_request(&woo, "PUT", "/products/4711", "stock_quantity", 49);
	assert_one_request(&square, "POST", "/inventory/changes/batch-create", "quantity", 49);
	assert_one_request(&brite, "POST", "/events/5551/ticket_classes/9991", "capacity", 49);
	reqs = fake_requests(&shop);
	assert_int_equal(json_array_size(reqs), 1);
	assert_int_equal(req_number(json_array_get(reqs, 0), "available"), 49);
	json_decref(reqs);
	reqs = fake_requests(&portal);
	assert_int_equal(json_array_size(reqs), 1);
	assert_int_equal(req_number(json_array_get(reqs, 0), "available"), 49);
	json_decref(reqs);
	assert_int_equal(status_int(sname, "sent"), 1);
	assert_int_equal(status_int(wname, "failures"), 0);

	assert_int_equal(serve_stop(&s), 0);
	disable(sname);
	disable(wname);
	disable(woo_name);
	disable(square_name);
	disable(brite_name);
	/* every Shopify channel of later tests would push this type too */
	PQclear(test_query(conn, "DELETE FROM platform_map WHERE platform = 'shopify'", 0, NULL));
	fake_stop(&shop);
	fake_stop(&portal);
	fake_stop(&woo);
	fake_stop(&square);
	fake_stop(&brite);
}

/* Down (500) for a while, then back: the channel catches up with the
 * newest count, and what it received never goes back in sequence. */
static void test_failing_channel_catches_up_in_order(void **state)
{
	struct fake f;
	struct served s;
	long long ev = make_event(unique_name("Outbox down"), "2027-06-02", 0);
	long long ty = make_type(ev, "Adult", 50, 1000, 1);
	const char *name = chan_name("down");
	char sku[64];
	json_t *reqs, *q, *st;
	long long last_seq = -1, last_avail = -1;
	size_t i;

	(void)state;
	fake_start(&f);
	add_webhook(name, &f, "--backoff-ms 100 --retry-limit 50");
	snprintf(sku, sizeof sku, "WH-%lld", ty);
	map(name, sku, ev, ty, NULL);
	serve_start(&s, NULL);
	fake_mode(&f, "fail", 500, 0);

	assert_int_equal(sells(ev, ty, 3), 0);
	assert_true(wait_status(name, "failures", 2, 10000));
	st = status_of(name);
	assert_true(json_integer_value(json_object_get(st, "pending")) >= 1);
	assert_non_null(strstr(json_string_value(json_object_get(st, "last_error")), "500"));
	assert_true(json_real_value(json_object_get(st, "lag_seconds")) > 0 ||
		    json_integer_value(json_object_get(st, "lag_seconds")) >= 0);
	json_decref(st);
	assert_int_equal(sells(ev, ty, 2), 0);

	fake_mode(&f, "ok", 0, 0);
	assert_true(wait_drained(name, 15000));
	reqs = fake_requests(&f);
	assert_true(json_array_size(reqs) >= 2);
	json_array_foreach(reqs, i, q)
	{
		long long seq = req_number(q, "seq");
		assert_true(seq >= last_seq);
		last_seq = seq;
		last_avail = req_number(q, "available");
	}
	assert_int_equal(last_avail, 45); /* the newest count, last */
	st = status_of(name);
	assert_int_equal(json_integer_value(json_object_get(st, "failures")), 0);
	assert_false(json_is_null(json_object_get(st, "last_success")));
	assert_int_equal(json_integer_value(json_object_get(st, "dead")), 0);
	json_decref(st);
	json_decref(reqs);

	assert_int_equal(serve_stop(&s), 0);
	disable(name);
	fake_stop(&f);
}

/* Past the retry limit a row is a dead letter: `channel dead` lists it,
 * `channel status` counts it, `channel retry` sends it (today's count). */
static void test_dead_letter_and_retry(void **state)
{
	struct fake f;
	struct served s;
	long long ev = make_event(unique_name("Outbox dead"), "2027-06-03", 0);
	long long ty = make_type(ev, "Adult", 20, 1000, 1);
	const char *name = chan_name("dead");
	char sku[64];
	json_t *dead, *reqs, *r;
	long long id;
	struct run_result rr;

	(void)state;
	fake_start(&f);
	add_webhook(name, &f, "--backoff-ms 10 --retry-limit 2");
	snprintf(sku, sizeof sku, "WH-%lld", ty);
	map(name, sku, ev, ty, NULL);
	serve_start(&s, NULL);
	fake_mode(&f, "fail", 503, 0);

	assert_int_equal(sells(ev, ty, 1), 0);
	assert_true(wait_status(name, "dead", 1, 10000));
	dead = cli_json("$BOXOFFICE channel dead %s --json", name);
	assert_int_equal(json_array_size(dead), 1);
	r = json_array_get(dead, 0);
	assert_int_equal(json_integer_value(json_object_get(r, "attempts")), 2);
	assert_string_equal(json_string_value(json_object_get(r, "sku")), sku);
	assert_non_null(strstr(json_string_value(json_object_get(r, "last_error")), "503"));
	id = json_integer_value(json_object_get(r, "id"));
	json_decref(dead);
	reqs = fake_requests(&f);
	assert_int_equal(json_array_size(reqs), 2); /* no more after it died */
	json_decref(reqs);
	assert_int_equal(status_int(name, "pending"), 0);

	/* no such dead letter: exit 1 */
	rr = run_cmd("\"$BOXOFFICE\" channel retry 999999999");
	assert_int_equal(rr.status, 1);
	run_free(&rr);
	rr = run_cmd("\"$BOXOFFICE\" channel dead no_such_channel_x");
	assert_int_equal(rr.status, 1);
	run_free(&rr);

	assert_int_equal(sells(ev, ty, 1), 0); /* the count moves on meanwhile */
	assert_true(wait_status(name, "dead", 2, 10000));
	fake_mode(&f, "ok", 0, 0);
	fake_clear(&f);
	rr = run_cmd("\"$BOXOFFICE\" channel retry %lld", id);
	assert_int_equal(rr.status, 0);
	run_free(&rr);
	assert_true(wait_drained(name, 10000));
	reqs = fake_requests(&f);
	assert_int_equal(json_array_size(reqs), 1);
	assert_int_equal(req_number(json_array_get(reqs, 0), "available"), 18); /* today's, not the dead row's 19 */
	json_decref(reqs);
	assert_int_equal(status_int(name, "dead"), 1);
	rr = run_cmd("\"$BOXOFFICE\" channel retry --channel %s", name);
	assert_int_equal(rr.status, 0);
	run_free(&rr);
	assert_int_equal(status_int(name, "dead"), 0);

	assert_int_equal(serve_stop(&s), 0);
	disable(name);
	fake_stop(&f);
}

/* A platform that hangs holds only its own request: the other channel's
 * push arrives at once. */
static void test_stalled_channel_delays_no_other(void **state)
{
	struct fake slow, quick;
	struct served s;
	long long ev = make_event(unique_name("Outbox stall"), "2027-06-04", 0);
	long long ty = make_type(ev, "Adult", 30, 1000, 1);
	const char *sname = chan_name("slow"), *qname = chan_name("quick");
	char sku[64];
	json_t *reqs;
	long long t0, until;

	(void)state;
	fake_start(&slow);
	fake_start(&quick);
	add_webhook(sname, &slow, "--setting timeout_ms=30000");
	add_webhook(qname, &quick, NULL);
	snprintf(sku, sizeof sku, "S-%lld", ty);
	map(sname, sku, ev, ty, NULL);
	snprintf(sku, sizeof sku, "Q-%lld", ty);
	map(qname, sku, ev, ty, NULL);
	serve_start(&s, NULL);
	fake_mode(&slow, "stall", 0, 0);

	assert_int_equal(sells(ev, ty, 1), 0);
	/* the slow one has its request (and holds it) */
	until = now_ms() + 10000;
	do {
		reqs = fake_requests(&slow);
		if (json_array_size(reqs) >= 1)
			break;
		json_decref(reqs);
		reqs = NULL;
		usleep(50 * 1000);
	} while (now_ms() < until);
	assert_non_null(reqs);
	json_decref(reqs);
	assert_true(wait_drained(qname, 5000));

	/* and while it still hangs, the next sale reaches the quick one too */
	t0 = now_ms();
	assert_int_equal(sells(ev, ty, 1), 0);
	until = now_ms() + 5000;
	for (;;) {
		reqs = fake_requests(&quick);
		if (json_array_size(reqs) >= 2 || now_ms() > until)
			break;
		json_decref(reqs);
		usleep(20 * 1000);
	}
	assert_int_equal(json_array_size(reqs), 2);
	assert_int_equal(req_number(json_array_get(reqs, 1), "available"), 28);
	json_decref(reqs);
	assert_true(now_ms() - t0 < 5000);
	assert_int_equal(status_int(sname, "sent"), 0);

	fake_mode(&slow, "ok", 0, 0); /* the hung request answers; the newest follows */
	until = now_ms() + 10000;
	for (;;) {
		long long last;
		reqs = fake_requests(&slow);
		last = json_array_size(reqs) ? req_number(json_array_get(reqs, json_array_size(reqs) - 1), "available")
					     : -1;
		json_decref(reqs);
		if (last == 28 && status_int(sname, "pending") == 0)
			break;
		assert_true(now_ms() < until);
		usleep(50 * 1000);
	}
	assert_int_equal(serve_stop(&s), 0);
	disable(sname);
	disable(qname);
	fake_stop(&slow);
	fake_stop(&quick);
}

/* 100 sales while the channel is down: when it returns it gets the newest
 * count in a bounded number of requests, not 100. */
static void test_burst_while_down_is_coalesced(void **state)
{
	struct fake f;
	struct served s;
	long long ev = make_event(unique_name("Outbox burst"), "2027-06-05", 0);
	long long ty = make_type(ev, "Adult", 300, 1000, 1);
	const char *name = chan_name("burst");
	char sku[64];
	json_t *reqs;
	size_t during;

	(void)state;
	fake_start(&f);
	add_webhook(name, &f, "--backoff-ms 500 --retry-limit 100");
	snprintf(sku, sizeof sku, "B-%lld", ty);
	map(name, sku, ev, ty, NULL);
	serve_start(&s, NULL);
	fake_mode(&f, "fail", 500, 0);

	assert_int_equal(sells(ev, ty, 100), 0);
	reqs = fake_requests(&f);
	during = json_array_size(reqs);
	json_decref(reqs);
	print_message("requests while down, during 100 sales: %zu\n", during);
	assert_true(during <= 15); /* back-off, not one per sale */

	fake_clear(&f);
	fake_mode(&f, "ok", 0, 0);
	/* no waiting out the back-off: the row falls due now */
	PQclear(test_query(conn, "UPDATE channel_outbox SET next_at = now() WHERE state = 'pending'", 0, NULL));
	assert_true(wait_drained(name, 15000));
	reqs = fake_requests(&f);
	print_message("requests after it came back: %zu\n", json_array_size(reqs));
	assert_int_equal(json_array_size(reqs), 1);
	assert_int_equal(req_number(json_array_get(reqs, 0), "available"), 200);
	json_decref(reqs);
	assert_true(test_scalar(conn, "SELECT count(*) FROM channel_outbox o JOIN platform_channel c ON c.id = o.channel_id "
				      "WHERE c.name = $1 AND o.state = 'superseded'",
				1, (const char *[]){ name }) >= 90);

	assert_int_equal(serve_stop(&s), 0);
	disable(name);
	fake_stop(&f);
}

/* Two serves on one database: every change is sent once. */
static void test_two_serves_send_once(void **state)
{
	struct fake f;
	struct served a, b;
	long long ev = make_event(unique_name("Outbox two"), "2027-06-06", 0);
	long long ty = make_type(ev, "Adult", 100, 1000, 1);
	const char *name = chan_name("two");
	char sku[64];
	json_t *reqs, *q;
	size_t i, j;
	long long sent;

	(void)state;
	fake_start(&f);
	add_webhook(name, &f, NULL);
	snprintf(sku, sizeof sku, "T-%lld", ty);
	map(name, sku, ev, ty, NULL);
	serve_start(&a, NULL);
	serve_start(&b, NULL);

	assert_int_equal(sells(ev, ty, 20), 0);
	assert_true(wait_drained(name, 15000));
	/* both claim on their timers too: give them a round */
	usleep(1500 * 1000);
	reqs = fake_requests(&f);
	sent = status_int(name, "sent");
	assert_int_equal((long long)json_array_size(reqs), sent);
	json_array_foreach(reqs, i, q)
		for (j = i + 1; j < json_array_size(reqs); j++)
			assert_true(req_number(q, "seq") != req_number(json_array_get(reqs, j), "seq"));
	assert_int_equal(req_number(json_array_get(reqs, json_array_size(reqs) - 1), "available"), 80);
	json_decref(reqs);

	assert_int_equal(serve_stop(&a), 0);
	assert_int_equal(serve_stop(&b), 0);
	disable(name);
	fake_stop(&f);
}

/* serve's database link frozen: a sale at the counter does not wait for
 * the worker, serve stays up, and once the link thaws the worker
 * reconnects and pushes the newest count. */
static void test_frozen_worker_never_blocks_sales(void **state)
{
	struct proxy *p = proxy_start(NULL);
	struct fake f;
	struct served s;
	long long ev = make_event(unique_name("Outbox frozen"), "2027-06-07", 0);
	long long ty = make_type(ev, "Adult", 40, 1000, 1);
	const char *name = chan_name("frozen");
	char sku[64];
	json_t *reqs;
	long long t0, until;

	(void)state;
	fake_start(&f);
	add_webhook(name, &f, NULL);
	snprintf(sku, sizeof sku, "F-%lld", ty);
	map(name, sku, ev, ty, NULL);
	serve_start_as(&s, "BOXOFFICE_DEADLINE_MS=2000", (const char *[]){ "-d", proxy_conninfo(p), NULL }, NULL);
	assert_int_equal(sells(ev, ty, 1), 0);
	assert_true(wait_drained(name, 10000));

	proxy_freeze(p);
	t0 = now_ms();
	assert_int_equal(sells(ev, ty, 3), 0);
	assert_true(now_ms() - t0 < 3000);
	usleep(500 * 1000);
	assert_int_equal(kill(s.pid, 0), 0); /* still running */
	proxy_thaw(p);

	until = now_ms() + 20000;
	for (;;) {
		long long last;
		reqs = fake_requests(&f);
		last = json_array_size(reqs) ? req_number(json_array_get(reqs, json_array_size(reqs) - 1), "available")
					     : -1;
		json_decref(reqs);
		if (last == 36)
			break;
		assert_true(now_ms() < until);
		usleep(100 * 1000);
	}
	assert_int_equal(serve_stop(&s), 0);
	proxy_stop(p);
	disable(name);
	fake_stop(&f);
}

/* A resync (on demand, and on the channel's schedule) reads what the
 * platform believes, records the drift and pushes ours; Eventbrite is told
 * its own sold count plus what we have left. */
static void test_resync_records_drift(void **state)
{
	struct fake f;
	struct served s;
	long long ev = make_event(unique_name("Outbox resync"), "2027-06-09", 0);
	long long ty = make_type(ev, "Adult", 50, 1000, 1);
	const char *sname = chan_name("rshop"), *ename = chan_name("rbrite");
	char sku[64], esku[64], remote[64];
	json_t *st, *d, *reqs, *q;
	struct run_result r;
	size_t i;
	long long capacity = -1;

	(void)state;
	fake_start(&f);
	r = run_cmd("\"$BOXOFFICE\" channel add %s --platform shopify --url %s/admin/api/2024-01 "
		    "--credentials shpat_test --setting location_id=655441491 --resync-seconds 3600",
		    sname, fake_url(&f));
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_cmd("\"$BOXOFFICE\" channel add %s --platform eventbrite --sells ota --url %s/v3 "
		    "--credentials ebtoken --resync-seconds 3600",
		    ename, fake_url(&f));
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(sku, sizeof sku, "RS-%lld", ty);
	snprintf(remote, sizeof remote, "77%lld", ty);
	map(sname, sku, ev, ty, remote);
	snprintf(esku, sizeof esku, "RE-%lld", ty);
	map(ename, esku, ev, ty, "5551/9991");
	{
		char js[200];
		snprintf(js, sizeof js, "{\"available\":{\"%s\":60},\"sold\":{\"5551/9991\":7}}", remote);
		fake_state(&f, js);
	}
	assert_int_equal(sells(ev, ty, 1), 0); /* before serve: queued */
	serve_start(&s, NULL);
	assert_true(wait_drained(sname, 10000));
	assert_true(wait_drained(ename, 10000));
	fake_clear(&f);

	/* the platform believes 60 are left; we have 49 */
	fake_state(&f, "{\"available\":{}}");
	{
		char js[200];
		snprintf(js, sizeof js, "{\"available\":{\"%s\":60}}", remote);
		fake_state(&f, js);
	}
	r = run_cmd("\"$BOXOFFICE\" channel resync %s --json", sname);
	assert_int_equal(r.status, 0);
	if (!strstr(r.out, "\"queued\":1"))
		print_message("resync: %s %s\n", r.out, r.err);
	assert_non_null(strstr(r.out, "\"queued\":1"));
	run_free(&r);
	assert_true(wait_status(sname, "sent", 2, 10000));
	assert_true(wait_drained(sname, 10000));
	st = status_of(sname);
	d = json_object_get(json_object_get(st, "drift"), sku);
	assert_non_null(d);
	assert_int_equal(json_integer_value(json_object_get(d, "theirs_available")), 60);
	assert_int_equal(json_integer_value(json_object_get(d, "ours_available")), 49);
	assert_int_equal(json_integer_value(json_object_get(d, "drift")), 11);
	assert_false(json_is_null(json_object_get(st, "last_resync")));
	json_decref(st);
	reqs = fake_requests(&f);
	assert_int_equal(json_array_size(reqs), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(reqs, 0), "method")), "GET");
	assert_int_equal(req_number(json_array_get(reqs, 1), "available"), 49);
	json_decref(reqs);

	/* Eventbrite's schedule falls due: its capacity = its 7 sold + our 49 */
	fake_clear(&f);
	PQclear(test_query(conn, "UPDATE platform_channel SET last_resync = now() - interval '2 hours' WHERE name = $1",
			   1, (const char *[]){ ename }));
	assert_true(wait_status(ename, "sent", 2, 15000));
	assert_true(wait_drained(ename, 10000));
	reqs = fake_requests(&f);
	json_array_foreach(reqs, i, q)
		if (strcmp(json_string_value(json_object_get(q, "method")), "POST") == 0)
			capacity = req_number(q, "capacity");
	json_decref(reqs);
	assert_int_equal(capacity, 56);
	st = status_of(ename);
	d = json_object_get(json_object_get(st, "drift"), esku);
	assert_non_null(d);
	assert_int_equal(json_integer_value(json_object_get(d, "theirs_sold")), 7);
	json_decref(st);

	assert_int_equal(serve_stop(&s), 0);
	disable(sname);
	disable(ename);
	fake_stop(&f);
}

/* Staff hear of what needs them: a mapped type sold out, an inbound
 * delivery refused, a change given up (dead) — on Slack. */
static void test_alerts_reach_slack(void **state)
{
	struct fake f, hook;
	struct served s;
	long long ev = make_event(unique_name("Outbox alert"), "2027-06-10", 0);
	long long ty = make_type(ev, "Adult", 2, 1000, 1);
	const char *slack = chan_name("staff"), *wname = chan_name("gone");
	char sku[64], did[64];
	json_t *reqs, *q;
	struct run_result r;
	size_t i;
	bool sold_out = false, refused = false, dead = false;
	long long until;

	(void)state;
	fake_start(&f);
	fake_start(&hook);
	r = run_cmd("\"$BOXOFFICE\" channel add %s --platform slack --url %s/slack/T000/B000/XXX", slack, fake_url(&f));
	assert_int_equal(r.status, 0);
	run_free(&r);
	add_webhook(wname, &hook, "--retry-limit 1");
	snprintf(sku, sizeof sku, "AL-%lld", ty);
	map(wname, sku, ev, ty, NULL);
	fake_mode(&hook, "fail", 500, 0);
	serve_start(&s, NULL);
	assert_int_equal(sells(ev, ty, 2), 0);
	snprintf(did, sizeof did, "alert-%lld", ty);
	PQclear(test_query(conn, "INSERT INTO webhook_delivery (platform, delivery_id, topic, outcome, detail) "
				 "VALUES ('shopify', $1, 'orders/create', 'refused', '{\"reason\":\"sold out\"}')",
			   1, (const char *[]){ did }));
	until = now_ms() + 15000;
	while (!(sold_out && refused && dead) && now_ms() < until) {
		usleep(100 * 1000);
		reqs = fake_requests(&f);
		json_array_foreach(reqs, i, q)
		{
			const char *body = json_string_value(json_object_get(q, "body"));
			sold_out |= body && strstr(body, "Sold out") != NULL;
			refused |= body && strstr(body, did) && strstr(body, "refused");
			dead |= body && strstr(body, wname) && strstr(body, "dead letter");
		}
		json_decref(reqs);
	}
	assert_true(sold_out);
	assert_true(refused);
	assert_true(dead);
	assert_int_equal(serve_stop(&s), 0);
	disable(slack);
	disable(wname);
	fake_stop(&f);
	fake_stop(&hook);
}

/* The supervisor's dashboard shows the channels' health at 80x24, live:
 * a failing channel (named, with its error) turns back to ok. */
static void test_dashboard_channel_health(void **state)
{
	struct fake f;
	struct served s;
	struct tmux t;
	long long ev = make_event(unique_name("Outbox dash"), "2027-06-08", 0);
	long long ty = make_type(ev, "Adult", 10, 1000, 1);
	const char *name = chan_name("dash");
	char sku[64], cmd[300], *screen;

	(void)state;
	fake_start(&f);
	add_webhook(name, &f, "--backoff-ms 200 --retry-limit 100");
	snprintf(sku, sizeof sku, "D-%lld", ty);
	map(name, sku, ev, ty, NULL);
	serve_start(&s, NULL);
	fake_mode(&f, "fail", 500, 0);
	assert_int_equal(sells(ev, ty, 1), 0);
	assert_true(wait_status(name, "failures", 1, 10000));

	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen dashboard --event %lld; sleep 30", ev);
	tmux_start(&t, "outbox80", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "1 failing", 10000));
	assert_true(tmux_wait_for(&t, name, 3000));
	screen = tmux_capture(&t);
	if (!strstr(screen, "HTTP 500"))
		print_message("%s\n", screen);
	assert_non_null(strstr(screen, "HTTP 500"));
	assert_true(screen_row_of(screen, "Channels") < screen_row_of(screen, name));
	free(screen);

	fake_mode(&f, "ok", 0, 0);
	assert_true(tmux_wait_for(&t, "0 failing", 15000));
	tmux_stop(&t);
	assert_int_equal(serve_stop(&s), 0);
	disable(name);
	fake_stop(&f);
}

/* A Slack incoming-webhook URL is the secret itself: a clerk (change_log,
 * the dashboard's channel_health) and serve's log see the channel and its
 * host, never the URL's path. */
static void test_clerk_never_reads_a_channel_url(void **state)
{
	struct fake f;
	struct served s;
	const char *slack = chan_name("secret");
	char clerk[48], secret[48], did[64], conninfo[128], *log;
	struct run_result r;
	PGconn *c;
	PGresult *res;

	(void)state;
	snprintf(clerk, sizeof clerk, "clerk_out_%d", (int)getpid());
	snprintf(secret, sizeof secret, "SLACKHOOKSECRET%d", (int)getpid());
	r = run_cmd("$BOXOFFICE user add %s --role clerk", clerk);
	assert_int_equal(r.status, 0);
	run_free(&r);
	fake_start(&f);
	r = run_cmd("\"$BOXOFFICE\" channel add %s --platform slack --url '%s/slack/T000/B000/%s?x=%s' --retry-limit 1",
		    slack, fake_url(&f), secret, secret);
	assert_int_equal(r.status, 0);
	run_free(&r);
	fake_mode(&f, "fail", 500, 0);
	serve_start(&s, NULL);
	snprintf(did, sizeof did, "secret-%d", (int)getpid());
	PQclear(test_query(conn, "INSERT INTO webhook_delivery (platform, delivery_id, topic, outcome, detail) "
				 "VALUES ('shopify', $1, 'orders/create', 'unmapped', '{}')",
			   1, (const char *[]){ did }));
	assert_true(wait_status(slack, "failures", 1, 10000));
	assert_int_equal(serve_stop(&s), 0);

	snprintf(conninfo, sizeof conninfo, "user=%s", clerk);
	c = PQconnectdb(conninfo);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	res = PQexec(c, "SELECT coalesce(string_agg(detail::text, ' '), '') FROM change_log WHERE entity = 'channel'");
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	assert_null(strstr(PQgetvalue(res, 0, 0), secret));
	assert_non_null(strstr(PQgetvalue(res, 0, 0), "127.0.0.1")); /* the host stays */
	PQclear(res);
	res = PQexec(c, "SELECT channel_health()::text");
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	if (strstr(PQgetvalue(res, 0, 0), secret))
		print_message("%s\n", PQgetvalue(res, 0, 0));
	assert_null(strstr(PQgetvalue(res, 0, 0), secret));
	assert_non_null(strstr(PQgetvalue(res, 0, 0), "500"));
	PQclear(res);
	PQfinish(c);
	log = serve_log(&s);
	assert_null(strstr(log, secret));
	assert_non_null(strstr(log, slack)); /* the failure names the channel */
	free(log);
	/* the supervisor's own listing still has it (to check what was typed) */
	r = run_cmd("\"$BOXOFFICE\" channel list --json");
	assert_non_null(strstr(r.out, secret));
	run_free(&r);
	disable(slack);
	fake_stop(&f);
}

/* SIGTERM while a push hangs: the row goes back to pending, so a new serve
 * sends at once instead of waiting out the lease (2 x 30 s + 30 s here). */
static void test_stop_releases_leases(void **state)
{
	struct fake f;
	struct served s;
	long long ev = make_event(unique_name("Outbox release"), "2027-06-11", 0);
	long long ty = make_type(ev, "Adult", 30, 1000, 1);
	const char *name = chan_name("release");
	char sku[64];
	json_t *reqs;
	long long until, last = -1;

	(void)state;
	fake_start(&f);
	add_webhook(name, &f, "--setting timeout_ms=30000");
	snprintf(sku, sizeof sku, "R-%lld", ty);
	map(name, sku, ev, ty, NULL);
	serve_start(&s, NULL);
	fake_mode(&f, "stall", 0, 0);
	assert_int_equal(sells(ev, ty, 1), 0);
	until = now_ms() + 10000;
	do {
		reqs = fake_requests(&f);
		last = (long long)json_array_size(reqs);
		json_decref(reqs);
		if (last >= 1)
			break;
		usleep(50 * 1000);
	} while (now_ms() < until);
	assert_true(last >= 1); /* in flight */
	assert_int_equal(serve_stop(&s), 0);
	{
		char idt[24];
		const char *p[1] = { name };
		PGresult *res = test_query(conn, "SELECT count(*) FROM channel_outbox o JOIN platform_channel c "
						 "ON c.id = o.channel_id WHERE c.name = $1 AND o.state = 'pending' "
						 "AND o.lease_owner IS NULL AND o.attempts = 0", 1, p);
		snprintf(idt, sizeof idt, "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		assert_string_equal(idt, "1"); /* released, attempts unchanged */
	}

	fake_mode(&f, "ok", 0, 0);
	fake_clear(&f);
	serve_start(&s, NULL);
	assert_int_equal(sells(ev, ty, 1), 0);
	until = now_ms() + 5000;
	for (;;) {
		reqs = fake_requests(&f);
		last = json_array_size(reqs) ? req_number(json_array_get(reqs, json_array_size(reqs) - 1), "available")
					     : -1;
		json_decref(reqs);
		if (last == 28 || now_ms() > until)
			break;
		usleep(50 * 1000);
	}
	assert_int_equal(last, 28);
	assert_int_equal(serve_stop(&s), 0);
	disable(name);
	fake_stop(&f);
}

/* channel add refuses control characters in credentials and settings and
 * a URL with an empty port: exit 2, one line. */
static void test_channel_add_refuses_bad_input(void **state)
{
	static const char *const bad[] = {
		"--platform webhook --url http://127.0.0.1:9/x --credentials \"$(printf 'tok\\r\\nX-Evil: 1')\"",
		"--platform webhook --url http://127.0.0.1:9/x --credentials \"$(printf 'tok\\001')\"",
		"--platform shopify --url http://127.0.0.1:9/x --credentials t --setting \"location_id=$(printf '1\\r\\n2')\"",
		"--platform webhook --url http://127.0.0.1:/x",
		"--platform webhook --url http://127.0.0.1:0/x",
		"--platform webhook --url http://127.0.0.1:99999/x",
		"--platform webhook --url 'http://127.0.0.1:9/x\ty'",
	};
	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *name = chan_name("bad");
		struct run_result r = run_cmd("\"$BOXOFFICE\" channel add %s %s", name, bad[i]);
		if (r.status != 2)
			print_message("case %zu: exit %d: %s\n", i, r.status, r.err);
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, "boxoffice: "));
		assert_true(strchr(r.err, '\n') == NULL || strchr(r.err, '\n')[1] == '\0');
		run_free(&r);
	}
	{
		const char *name = chan_name("good");
		struct run_result r = run_cmd("\"$BOXOFFICE\" channel add %s --platform webhook "
					      "--url http://user@127.0.0.1:8080/x?y=1", name);
		assert_int_equal(r.status, 0);
		run_free(&r);
		disable(name);
	}
}

/* A request that cannot be built (Shopify without location_id) is dead at
 * once, its error says why; the dead letters of a burst make one alert. */
static void test_unbuildable_is_dead_at_once_and_alerts_coalesce(void **state)
{
	struct fake f, shop;
	struct served s;
	long long ev = make_event(unique_name("Outbox unbuildable"), "2027-06-12", 0);
	long long ty = make_type(ev, "Adult", 30, 1000, 1);
	const char *slack = chan_name("alerts"), *sname = chan_name("noloc");
	char sku[64];
	json_t *dead, *d, *reqs, *q;
	struct run_result r;
	size_t i;
	int alerts = 0;

	(void)state;
	fake_start(&f);
	fake_start(&shop);
	r = run_cmd("\"$BOXOFFICE\" channel add %s --platform slack --url %s/slack/T0/B0/X", slack, fake_url(&f));
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_cmd("\"$BOXOFFICE\" channel add %s --platform shopify --url %s/admin/api/2024-01 "
		    "--credentials shpat_test --retry-limit 10 --backoff-ms 100",
		    sname, fake_url(&shop));
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(sku, sizeof sku, "NL-%lld", ty);
	map(sname, sku, ev, ty, "808950810");
	serve_start(&s, NULL);
	for (int k = 0; k < 4; k++) {
		long long until = now_ms() + 5000;
		assert_int_equal(sells(ev, ty, 1), 0);
		while (status_int(sname, "dead") < k + 1 && now_ms() < until)
			usleep(50 * 1000);
		assert_int_equal(status_int(sname, "dead"), k + 1);
	}
	dead = cli_json("$BOXOFFICE channel dead %s --json", sname);
	assert_int_equal(json_array_size(dead), 4);
	json_array_foreach(dead, i, d)
	{
		assert_int_equal(json_integer_value(json_object_get(d, "attempts")), 1);
		assert_non_null(strstr(json_string_value(json_object_get(d, "last_error")), "location_id"));
	}
	json_decref(dead);
	assert_true(wait_drained(slack, 10000));
	usleep(500 * 1000); /* a second alert, were there one, would be queued by now */
	assert_true(wait_drained(slack, 10000));
	reqs = fake_requests(&f);
	json_array_foreach(reqs, i, q)
	{
		const char *body = json_string_value(json_object_get(q, "body"));
		alerts += body && strstr(body, sname) && strstr(body, "dead letter");
	}
	json_decref(reqs);
	assert_int_equal(alerts, 1);
	reqs = fake_requests(&shop);
	assert_int_equal(json_array_size(reqs), 0);
	json_decref(reqs);
	assert_int_equal(serve_stop(&s), 0);
	disable(slack);
	disable(sname);
	fake_stop(&f);
	fake_stop(&shop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sale_reaches_every_channel_once),
		cmocka_unit_test(test_failing_channel_catches_up_in_order),
		cmocka_unit_test(test_dead_letter_and_retry),
		cmocka_unit_test(test_stalled_channel_delays_no_other),
		cmocka_unit_test(test_burst_while_down_is_coalesced),
		cmocka_unit_test(test_two_serves_send_once),
		cmocka_unit_test(test_frozen_worker_never_blocks_sales),
		cmocka_unit_test(test_resync_records_drift),
		cmocka_unit_test(test_alerts_reach_slack),
		cmocka_unit_test(test_dashboard_channel_health),
		cmocka_unit_test(test_clerk_never_reads_a_channel_url),
		cmocka_unit_test(test_stop_releases_leases),
		cmocka_unit_test(test_channel_add_refuses_bad_input),
		cmocka_unit_test(test_unbuildable_is_dead_at_once_and_alerts_coalesce),
	};
	return cmocka_run_group_tests_name("outbox", tests, setup, teardown);
}

/* Live inventory against the real database: no oversell under 32
 * concurrent sellers and holders, holds that stop counting on their own,
 * seats given back, refusals that change nothing, NOTIFY after commit. */
#include <jansson.h>
#include <poll.h>
#include <pthread.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

static PGconn *conn;

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

static json_t *run_json(int expect_status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static json_t *run_json(int expect_status, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	struct run_result r;
	json_t *doc;
	json_error_t jerr;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	r = run_cmd("%s", cmd);
	if (r.status != expect_status)
		fail_msg("'%s' exited %d, expected %d: %s", cmd, r.status, expect_status, r.err);
	doc = expect_status == 0 ? json_loads(r.out, 0, &jerr) : NULL;
	if (expect_status == 0 && !doc)
		fail_msg("'%s' printed no JSON: %s", cmd, r.out);
	run_free(&r);
	return doc;
}

/* Expects a refusal and returns its stderr (caller frees). */
static char *refused(int status, const char *cmd)
{
	struct run_result r = run_cmd("%s", cmd);
	if (r.status != status)
		fail_msg("'%s' exited %d, expected %d: %s%s", cmd, r.status, status, r.out, r.err);
	free(r.out);
	return r.err;
}

/* The whole-type row of inventory --json for one type. */
static long long inv(long long type_id, const char *channel, const char *field)
{
	json_t *rows = run_json(0, "$BOXOFFICE inventory --json");
	json_t *row;
	size_t i;
	long long v = -1;
	json_array_foreach(rows, i, row) {
		json_t *ch = json_object_get(row, "channel");
		if (json_integer_value(json_object_get(row, "type")) != type_id)
			continue;
		if (channel ? (json_is_string(ch) && strcmp(json_string_value(ch), channel) == 0)
			    : json_is_null(ch))
			v = json_integer_value(json_object_get(row, field));
	}
	json_decref(rows);
	if (v < 0)
		fail_msg("no inventory row for type %lld channel %s", type_id, channel ? channel : "null");
	return v;
}

struct seller {
	int index;
	long long event_id, type_id;
	const char *channel;
	pthread_barrier_t *start;
	long long seats_taken;
	int sales, holds, sold_out, only_left, other_errors;
	char last_error[256];
};

static void *seller_run(void *arg)
{
	struct seller *s = arg;
	char app[64], ev[24], ty[24], qty[16];
	const char *keys[] = { "application_name", NULL };
	const char *vals[] = { app, NULL };
	PGconn *c;
	regex_t only_left;
	unsigned seed = (unsigned)s->index * 7919u + 1;
	int want = 0;

	snprintf(app, sizeof app, "seller-%d", s->index);
	c = PQconnectdbParams(keys, vals, 1);
	regcomp(&only_left, "^only [0-9]+ left \\([^)]+\\)$", REG_EXTENDED | REG_NOSUB);
	snprintf(ev, sizeof ev, "%lld", s->event_id);
	snprintf(ty, sizeof ty, "%lld", s->type_id);
	pthread_barrier_wait(s->start);
	for (int round = 0; round < 1000 && PQstatus(c) == CONNECTION_OK; round++) {
		bool hold = rand_r(&seed) % 3 == 0;
		int q = want > 0 ? want : 1 + (int)(rand_r(&seed) % 3);
		const char *params[4] = { ev, ty, qty, s->channel };
		PGresult *res;

		snprintf(qty, sizeof qty, "%d", q);
		res = hold ? PQexecParams(c, "SELECT inventory_hold($1, $2, $3, 600, $4::sales_channel, NULL, 'test')",
					  4, NULL, params, NULL, NULL, 0)
			   : PQexecParams(c, "SELECT inventory_sell($1, $2, $3, $4::sales_channel, 'card', "
					     "'Race AB', NULL, NULL, NULL, NULL, 'test')", 4, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) == PGRES_TUPLES_OK) {
			s->seats_taken += q;
			if (hold)
				s->holds++;
			else
				s->sales++;
			want = 0;
		} else {
			const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
			const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
			if (state && strcmp(state, "BX020") == 0 && strncmp(msg, "sold out (", 10) == 0) {
				s->sold_out++;
				PQclear(res);
				break;
			} else if (state && strcmp(state, "BX020") == 0 && regexec(&only_left, msg, 0, NULL, 0) == 0) {
				s->only_left++;
				want = atoi(msg + 5);
			} else {
				/* anything else is a failure: stop at once */
				s->other_errors++;
				round = 1000;
				snprintf(s->last_error, sizeof s->last_error, "%s %s", state ? state : "?",
					 msg ? msg : PQerrorMessage(c));
			}
		}
		PQclear(res);
	}
	regfree(&only_left);
	PQfinish(c);
	return NULL;
}

static void race(long long event_id, long long type_id, int n, const char *const *channels,
		 struct seller *sellers)
{
	pthread_t threads[64];
	pthread_barrier_t start;

	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		sellers[i] = (struct seller){ .index = i, .event_id = event_id, .type_id = type_id,
					      .channel = channels[i % 2], .start = &start };
		pthread_create(&threads[i], NULL, seller_run, &sellers[i]);
	}
	for (int i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	pthread_barrier_destroy(&start);
}

static void test_32_clients_never_oversell(void **state)
{
	const int capacity = 97, clients = 32;
	long long event_id = make_event(unique_name("Race"), "2027-04-01", 0);
	long long type_id = make_type(event_id, "Adult", capacity, 2500, 1);
	const char *const channels[] = { "pos", "web" };
	struct seller sellers[32];
	long long taken = 0;
	int sales = 0, holds = 0, sold_out = 0;
	char ty[24];
	const char *p[1] = { ty };
	(void)state;

	race(event_id, type_id, clients, channels, sellers);
	for (int i = 0; i < clients; i++) {
		if (sellers[i].other_errors)
			fail_msg("seller %d: unexpected error: %s", i, sellers[i].last_error);
		taken += sellers[i].seats_taken;
		sales += sellers[i].sales;
		holds += sellers[i].holds;
		sold_out += sellers[i].sold_out;
	}
	/* Every seat taken exactly once, every loser told "sold out". */
	assert_int_equal(taken, capacity);
	assert_int_equal(sold_out, clients);
	assert_int_equal(inv(type_id, NULL, "sold") + inv(type_id, NULL, "held"), capacity);
	assert_int_equal(inv(type_id, NULL, "available"), 0);
	snprintf(ty, sizeof ty, "%lld", type_id);
	/* The orders and holds in the database are the ones the sellers saw. */
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM order_line WHERE type_id = $1", 1, p), sales);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM hold WHERE type_id = $1 AND status = 'active'", 1, p), holds);
	assert_int_equal(test_scalar(conn, "SELECT coalesce(sum(qty), 0) FROM order_line WHERE type_id = $1", 1, p) +
			 test_scalar(conn, "SELECT coalesce(sum(seats), 0) FROM hold WHERE type_id = $1", 1, p), capacity);
	/* The change log adds up to the inventory row. */
	assert_int_equal(test_scalar(conn, "SELECT sum(sold_delta) FROM change_log WHERE type_id = $1", 1, p),
			 test_scalar(conn, "SELECT sold FROM ticket_type WHERE id = $1", 1, p));
	assert_int_equal(test_scalar(conn, "SELECT sum(held_delta) FROM change_log WHERE type_id = $1", 1, p),
			 test_scalar(conn, "SELECT held FROM ticket_type WHERE id = $1", 1, p));
	assert_int_equal(test_scalar(conn, "SELECT count(DISTINCT station) FROM change_log WHERE type_id = $1 "
					   "AND station LIKE 'seller-%'", 1, p) > 1, 1);
	/* Each settled sale made exactly its tickets. */
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket WHERE type_id = $1", 1, p),
			 test_scalar(conn, "SELECT coalesce(sum(qty), 0) FROM order_line WHERE type_id = $1", 1, p));
}

static void test_quota_is_carved_out(void **state)
{
	long long event_id = make_event(unique_name("Quota"), "2027-04-02", 0);
	long long type_id = make_type(event_id, "Adult", 60, 1000, 1);
	const char *const channels[] = { "reseller", "pos" };
	struct seller sellers[16];
	long long reseller = 0, pos = 0;
	char *err;
	json_t *doc;
	(void)state;

	doc = run_json(0, "$BOXOFFICE quota --event %lld --type %lld --channel reseller --quota 20", event_id, type_id);
	json_decref(doc);
	race(event_id, type_id, 16, channels, sellers);
	for (int i = 0; i < 16; i++) {
		if (sellers[i].other_errors)
			fail_msg("seller %d: %s", i, sellers[i].last_error);
		if (i % 2 == 0)
			reseller += sellers[i].seats_taken;
		else
			pos += sellers[i].seats_taken;
	}
	assert_int_equal(reseller, 20);
	assert_int_equal(pos, 40);
	assert_int_equal(inv(type_id, "reseller", "capacity"), 20);
	assert_int_equal(inv(type_id, "reseller", "available"), 0);
	assert_int_equal(inv(type_id, NULL, "available"), 0);
	/* A quota cannot shrink below what its channel took, nor exceed the capacity. */
	{
		char cmd[256];
		snprintf(cmd, sizeof cmd, "$BOXOFFICE quota --event %lld --type %lld --channel reseller --quota 10",
			 event_id, type_id);
		err = refused(1, cmd);
		assert_non_null(strstr(err, "cannot be lower"));
		free(err);
		snprintf(cmd, sizeof cmd, "$BOXOFFICE quota --event %lld --type %lld --channel web --quota 70",
			 event_id, type_id);
		free(refused(1, cmd));
	}
	assert_int_equal(inv(type_id, "reseller", "capacity"), 20);
}

static void test_hold_expires_without_reaper(void **state)
{
	long long event_id = make_event(unique_name("Holds"), "2027-04-03", 0);
	long long type_id = make_type(event_id, "Adult", 10, 1000, 1);
	json_t *doc;
	long long hold_id;
	char cmd[256], *err, hs[24];
	const char *p[1] = { hs };
	(void)state;

	doc = run_json(0, "$BOXOFFICE hold --event %lld --type %lld --qty 4 --ttl 60", event_id, type_id);
	hold_id = json_integer_value(json_object_get(doc, "id"));
	assert_non_null(json_object_get(doc, "expires_at"));
	json_decref(doc);
	assert_int_equal(inv(type_id, NULL, "held"), 4);
	assert_int_equal(inv(type_id, NULL, "available"), 6);
	/* its time runs out (moved in SQL, not waited for) */
	snprintf(hs, sizeof hs, "%lld", hold_id);
	assert_int_equal(test_scalar(conn, "WITH u AS (UPDATE hold SET expires_at = now() - interval '1 second' "
					   "WHERE id = $1 RETURNING 1) SELECT count(*) FROM u", 1, p), 1);
	/* Nobody reaped it, yet it no longer counts. */
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM hold WHERE id = $1 AND status = 'active'", 1, p), 1);
	assert_int_equal(inv(type_id, NULL, "held"), 0);
	assert_int_equal(inv(type_id, NULL, "available"), 10);
	/* Its seats can be sold at once: the sale expires stale holds itself. */
	doc = run_json(0, "$BOXOFFICE sell --event %lld --type %lld --qty 10", event_id, type_id);
	json_decref(doc);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM hold WHERE id = $1 AND status = 'expired'", 1, p), 1);
	/* Confirming an expired hold is refused. */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE hold confirm %lld --payment card", hold_id);
	err = refused(1, cmd);
	assert_non_null(strstr(err, "boxoffice: hold confirm: hold"));
	assert_non_null(strstr(err, "expired"));
	free(err);
	assert_int_equal(inv(type_id, NULL, "sold"), 10);
	assert_int_equal(inv(type_id, NULL, "held"), 0);
}

/* Starts `boxoffice --station STATION sell --event E --type T --qty 1` as
 * its own process, stdout and stderr into files named after the station. */
static pid_t spawn_sell(const char *station, long long event_id, long long type_id)
{
	char ev[24], ty[24], out[1024], err[1024];
	const char *tmp = getenv("BOXOFFICE_TEST_TMP");
	pid_t pid;

	snprintf(ev, sizeof ev, "%lld", event_id);
	snprintf(ty, sizeof ty, "%lld", type_id);
	snprintf(out, sizeof out, "%s/%s.out", tmp && *tmp ? tmp : "/tmp", station);
	snprintf(err, sizeof err, "%s/%s.err", tmp && *tmp ? tmp : "/tmp", station);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(99);
		execl(boxoffice_bin(), "boxoffice", "--station", station, "sell", "--event", ev,
		      "--type", ty, "--qty", "1", (char *)NULL);
		_exit(98);
	}
	return pid;
}

static char *station_file(const char *station, const char *ext)
{
	char path[1024];
	const char *tmp = getenv("BOXOFFICE_TEST_TMP");
	FILE *f;
	char *buf = calloc(1, 1024);

	snprintf(path, sizeof path, "%s/%s.%s", tmp && *tmp ? tmp : "/tmp", station, ext);
	if ((f = fopen(path, "r"))) {
		if (fread(buf, 1, 1023, f) == 0)
			buf[0] = '\0';
		fclose(f);
	}
	unlink(path);
	return buf;
}

/* Issue 3: a hold on every seat has just gone stale and ten sellers start
 * at once. Each finds no seat, and all of them try to expire the stale
 * hold; the one that does frees the seats, and every other seller must
 * then see them (not give up with "only 9 left"). In the gated rounds a
 * test transaction keeps the hold row locked until all ten sellers are
 * waiting for it, which makes the collision certain; the other rounds
 * just start ten processes together. The hold goes stale by moving its
 * expiry into the past, no TTL is slept out. */
static void test_sales_after_stale_hold_all_succeed(void **state)
{
	enum { SELLERS = 10, ROUNDS = 5, GATED = 3 };
	PGconn *gate = test_connect();
	long long event_id = make_event(unique_name("Stale"), "2027-04-08", 0);
	(void)state;

	for (int round = 0; round < ROUNDS; round++) {
		char tname[32];
		long long type_id;
		char hs[24], ty[24], prefix[64], like[72], station[SELLERS][80];
		const char *hp[1] = { hs }, *tp[1] = { ty }, *lp[1] = { like };
		pid_t pids[SELLERS];
		int failed = 0;
		json_t *doc;

		snprintf(tname, sizeof tname, "Round %d", round);
		type_id = make_type(event_id, tname, SELLERS, 1000, 1);
		doc = run_json(0, "$BOXOFFICE hold --event %lld --type %lld --qty %d --ttl 600", event_id,
			       type_id, SELLERS);
		snprintf(hs, sizeof hs, "%lld", (long long)json_integer_value(json_object_get(doc, "id")));
		json_decref(doc);
		snprintf(ty, sizeof ty, "%lld", type_id);
		PQclear(test_query(conn, "UPDATE hold SET expires_at = now() - interval '1 second' "
					 "WHERE id = $1", 1, hp));
		assert_int_equal(inv(type_id, NULL, "available"), SELLERS);
		if (round < GATED) {
			PQclear(test_query(gate, "BEGIN", 0, NULL));
			PQclear(test_query(gate, "SELECT 1 FROM hold WHERE id = $1 FOR UPDATE", 1, hp));
		}
		snprintf(prefix, sizeof prefix, "stale-%d-%d", (int)getpid(), round);
		snprintf(like, sizeof like, "%s-%%", prefix);
		for (int i = 0; i < SELLERS; i++) {
			snprintf(station[i], sizeof station[i], "%s-%d", prefix, i);
			pids[i] = spawn_sell(station[i], event_id, type_id);
		}
		if (round < GATED) {
			long long waiting = 0;
			for (int waited = 0; waited < 30000 && waiting < SELLERS; waited += 10) {
				usleep(10 * 1000);
				/* not on gate: a transaction sees one snapshot of pg_stat_activity */
				waiting = test_scalar(conn, "SELECT count(*) FROM pg_stat_activity WHERE "
							    "application_name LIKE $1 AND wait_event_type = 'Lock'",
						      1, lp);
			}
			PQclear(test_query(gate, "COMMIT", 0, NULL));
			if (waiting != SELLERS)
				for (int i = 0; i < SELLERS; i++) {
					char *err = station_file(station[i], "err");
					fprintf(stderr, "seller %d: %s", i, err);
					free(err);
				}
			assert_int_equal(waiting, SELLERS);
		}
		for (int i = 0; i < SELLERS; i++) {
			int st;
			char *err;
			assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
			err = station_file(station[i], "err");
			free(station_file(station[i], "out"));
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
				fprintf(stderr, "round %d seller %d: status %d: %s", round, i, st, err);
				failed++;
			}
			free(err);
		}
		assert_int_equal(failed, 0);
		assert_int_equal(test_scalar(conn, "SELECT sold FROM ticket_type WHERE id = $1", 1, tp), SELLERS);
		assert_int_equal(test_scalar(conn, "SELECT held FROM ticket_type WHERE id = $1", 1, tp), 0);
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket WHERE type_id = $1", 1, tp), SELLERS);
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM hold WHERE id = $1 AND status = 'expired'",
					     1, hp), 1);
		assert_int_equal(test_scalar(conn, "SELECT sum(held_delta) FROM change_log WHERE type_id = $1", 1, tp), 0);
		assert_int_equal(test_scalar(conn, "SELECT sum(sold_delta) FROM change_log WHERE type_id = $1", 1, tp),
				 SELLERS);
	}
	PQfinish(gate);
}

static void test_hold_confirm_release_and_reaper(void **state)
{
	long long event_id = make_event(unique_name("Confirm"), "2027-04-04", 0);
	long long type_id = make_type(event_id, "Group", 100, 50000, 10);
	json_t *doc;
	long long h1, h2, h3;
	char ty[24];
	const char *p[1] = { ty };
	(void)state;

	snprintf(ty, sizeof ty, "%lld", type_id);
	doc = run_json(0, "$BOXOFFICE hold --event %lld --type Group --qty 2 --ttl 60", event_id);
	h1 = json_integer_value(json_object_get(doc, "id"));
	assert_int_equal(json_integer_value(json_object_get(doc, "seats")), 20);
	json_decref(doc);
	doc = run_json(0, "$BOXOFFICE hold --event %lld --type Group --qty 3 --ttl 60", event_id);
	h2 = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	doc = run_json(0, "$BOXOFFICE hold --event %lld --type Group --qty 1 --ttl 60", event_id);
	h3 = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	assert_int_equal(inv(type_id, NULL, "held"), 60);

	doc = run_json(0, "$BOXOFFICE hold confirm %lld --payment invoice --company 'Fjord AB'", h1);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "requested");
	assert_int_equal(json_array_size(json_object_get(doc, "tickets")), 0);
	json_decref(doc);
	doc = run_json(0, "$BOXOFFICE hold release %lld", h2);
	json_decref(doc);
	free(refused(1, "$BOXOFFICE hold release 999999999"));
	{
		char cmd[128];
		snprintf(cmd, sizeof cmd, "$BOXOFFICE hold release %lld", h2);
		free(refused(1, cmd));
	}
	{
		/* h3's time runs out (moved in SQL, not waited for) */
		char hs[24];
		const char *hp[1] = { hs };
		snprintf(hs, sizeof hs, "%lld", h3);
		assert_int_equal(test_scalar(conn, "WITH u AS (UPDATE hold SET expires_at = now() - interval '1 second' "
						   "WHERE id = $1 RETURNING 1) SELECT count(*) FROM u", 1, hp), 1);
	}
	assert_int_equal(test_scalar(conn, "SELECT inventory_reap()", 0, NULL) >= 1, 1);
	(void)h3;
	assert_int_equal(inv(type_id, NULL, "sold"), 20);
	assert_int_equal(inv(type_id, NULL, "held"), 0);
	assert_int_equal(test_scalar(conn, "SELECT held FROM ticket_type WHERE id = $1", 1, p), 0);
	assert_int_equal(test_scalar(conn, "SELECT sum(sold_delta) FROM change_log WHERE type_id = $1", 1, p), 20);
	assert_int_equal(test_scalar(conn, "SELECT sum(held_delta) FROM change_log WHERE type_id = $1", 1, p), 0);
}

static void test_orders_give_seats_back(void **state)
{
	long long event_id = make_event(unique_name("Refunds"), "2027-04-05", 0);
	long long type_id = make_type(event_id, "Adult", 50, 39900, 1);
	json_t *doc;
	long long card_order, inv_order, version;
	char *err, cmd[256];
	(void)state;

	doc = run_json(0, "$BOXOFFICE sell --event %lld --type %lld --qty 3 --payment card", event_id, type_id);
	card_order = json_integer_value(json_object_get(doc, "id"));
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "settled");
	assert_int_equal(json_array_size(json_object_get(doc, "tickets")), 3);
	/* 3 × 399.00 net, VAT 25 % = 299.25, gross 1496.25 */
	assert_int_equal(json_integer_value(json_object_get(doc, "vat")), 29925);
	assert_int_equal(json_integer_value(json_object_get(doc, "amount")), 149625);
	json_decref(doc);
	assert_int_equal(inv(type_id, NULL, "sold"), 3);
	doc = run_json(0, "$BOXOFFICE order refund %lld", card_order);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "refunded");
	assert_int_equal(json_array_size(json_object_get(doc, "tickets")), 0);
	json_decref(doc);
	assert_int_equal(inv(type_id, NULL, "sold"), 0);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE order refund %lld", card_order);
	err = refused(1, cmd);
	assert_non_null(strstr(err, "refunded already"));
	free(err);

	doc = run_json(0, "$BOXOFFICE sell --event %lld --type %lld --qty 2 --payment invoice --company Acme",
		       event_id, type_id);
	inv_order = json_integer_value(json_object_get(doc, "id"));
	version = json_integer_value(json_object_get(doc, "version"));
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "requested");
	assert_int_equal(json_array_size(json_object_get(doc, "tickets")), 0);
	json_decref(doc);
	/* an invoice order cannot be settled before its invoice is sent */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE order settle %lld", inv_order);
	free(refused(1, cmd));
	doc = run_json(0, "$BOXOFFICE order invoice %lld --version %lld", inv_order, version);
	assert_int_equal(json_integer_value(json_object_get(doc, "invoice_no")), 1);
	json_decref(doc);
	/* the version the clerk saw is stale now */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE order settle %lld --version %lld", inv_order, version);
	err = refused(1, cmd);
	assert_non_null(strstr(err, "changed since you opened it"));
	free(err);
	doc = run_json(0, "$BOXOFFICE order settle %lld --ref BANK-1", inv_order);
	assert_int_equal(json_array_size(json_object_get(doc, "tickets")), 2);
	json_decref(doc);
	assert_int_equal(inv(type_id, NULL, "sold"), 2);
	/* a settled invoice order is refunded, not cancelled */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE order cancel %lld", inv_order);
	err = refused(1, cmd);
	assert_non_null(strstr(err, "cannot become cancelled"));
	free(err);
	doc = run_json(0, "$BOXOFFICE order refund %lld", inv_order);
	json_decref(doc);
	assert_int_equal(inv(type_id, NULL, "sold"), 0);
	/* the next invoice of this event gets the next number: no gaps */
	doc = run_json(0, "$BOXOFFICE sell --event %lld --type %lld --qty 1 --payment invoice", event_id, type_id);
	inv_order = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	doc = run_json(0, "$BOXOFFICE order invoice %lld", inv_order);
	assert_int_equal(json_integer_value(json_object_get(doc, "invoice_no")), 2);
	json_decref(doc);
}

static void test_bad_input_changes_nothing(void **state)
{
	long long event_id = make_event(unique_name("Bad"), "2027-04-06", 0);
	long long type_id = make_type(event_id, "Adult", 20, 1000, 1);
	long long orders_before;
	json_t *doc, *again;
	char cmd[512], *err;
	static const struct {
		int status;
		const char *args;
	} cases[] = {
		{ 2, "sell --event E --type T --qty 0" },
		{ 2, "sell --event E --type T --qty -2" },
		{ 2, "sell --event E --type T --qty many" },
		{ 2, "sell --event E --type T" },
		{ 2, "sell --event E --type T --qty 1 --channel fax" },
		{ 2, "sell --event E --type T --qty 1 --payment cash" },
		{ 2, "sell --event E --type T --qty 1 --email not-an-address" },
		{ 1, "sell --event 'No such event' --type T --qty 1" },
		{ 1, "sell --event E --type 'No such type' --qty 1" },
		{ 2, "hold --event E --type T --qty 1 --ttl 0" },
		{ 2, "hold --event E --type T --qty 1 --ttl 999999999" },
		{ 2, "hold --event E --type T --qty 1" },
		{ 1, "sell --event E --type T --qty 21" },
		{ 1, "quota --event E --type T --channel web --quota 21" },
		{ 1, "adjust --event E --type T --delta 5 --reason 'nothing reserved'" },
		{ 1, "adjust --event E --type T --delta -21 --reason 'too many'" },
		{ 2, "adjust --event E --type T --delta 0 --reason x" },
		{ 2, "adjust --event E --type T --delta -1" },
	};
	char ev[24], ty[24], ev_sql[24];
	const char *p[1] = { ev_sql };
	(void)state;

	snprintf(ev, sizeof ev, "%lld", event_id);
	snprintf(ty, sizeof ty, "%lld", type_id);
	snprintf(ev_sql, sizeof ev_sql, "%lld", event_id);
	orders_before = test_scalar(conn, "SELECT count(*) FROM ticket_order WHERE event_id = $1", 1, p);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		/* E and T stand for the event and type IDs. */
		char args[256], *o = args;
		for (const char *a = cases[i].args; *a && o < args + sizeof args - 24; a++) {
			if (a[0] == ' ' && a[1] == 'E' && a[2] == ' ')
				o += sprintf(o, " %s", ev), a += 1;
			else if (a[0] == ' ' && a[1] == 'T' && (a[2] == ' ' || a[2] == '\0'))
				o += sprintf(o, " %s", ty), a += 1;
			else
				*o++ = *a;
		}
		*o = '\0';
		snprintf(cmd, sizeof cmd, "$BOXOFFICE %s", args);
		err = refused(cases[i].status, cmd);
		if (strncmp(err, "boxoffice: ", 11) != 0 || strchr(err, '\n') != err + strlen(err) - 1)
			fail_msg("'%s': not one error line: %s", args, err);
		free(err);
	}
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket_order WHERE event_id = $1", 1, p), orders_before);
	assert_int_equal(inv(type_id, NULL, "available"), 20);
	/* "only K left" tells how many */
	doc = run_json(0, "$BOXOFFICE sell --event %lld --type %lld --qty 18", event_id, type_id);
	json_decref(doc);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE sell --event %lld --type %lld --qty 5", event_id, type_id);
	err = refused(1, cmd);
	assert_string_equal(err, "boxoffice: sell: only 2 left (Adult)\n"); /* the type named */
	free(err);
	/* a type of several seats a ticket counts tickets and says the seats,
	 * which is what `inventory` shows */
	{
		long long group = make_type(event_id, "Group of ten", 45, 10000, 10);
		snprintf(cmd, sizeof cmd, "$BOXOFFICE sell --event %lld --type %lld --qty 5", event_id, group);
		err = refused(1, cmd);
		assert_string_equal(err, "boxoffice: sell: only 4 left (Group of ten: 10 seats a ticket, 45 seats)\n");
		free(err);
		/* reserving by hand counts seats, and says so */
		snprintf(cmd, sizeof cmd, "$BOXOFFICE adjust --event %lld --type %lld --delta -50 --reason test", event_id,
			 group);
		err = refused(1, cmd);
		assert_string_equal(err, "boxoffice: adjust: only 45 seats left (Group of ten)\n");
		free(err);
		/* an order of several lines says which one is short */
		snprintf(cmd, sizeof cmd, "$BOXOFFICE order add --event %lld --lines 'Adult:1,Group of ten:5'", event_id);
		err = refused(1, cmd);
		assert_string_equal(err, "boxoffice: order add: only 4 left (Group of ten: 10 seats a ticket, 45 seats)\n");
		free(err);
	}
	/* the capacity cannot go below what is taken */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE capacity --event %lld --type %lld --capacity 10 --reason smaller", event_id, type_id);
	free(refused(1, cmd));
	/* an idempotency key: the same call again returns the first result ... */
	doc = run_json(0, "$BOXOFFICE sell --event %lld --type %lld --qty 1 --key k-%lld", event_id, type_id, event_id);
	again = run_json(0, "$BOXOFFICE sell --event %lld --type %lld --qty 1 --key k-%lld", event_id, type_id, event_id);
	assert_true(json_equal(doc, again));
	json_decref(doc);
	json_decref(again);
	assert_int_equal(inv(type_id, NULL, "available"), 1);
	/* ... and the same key with other arguments is refused */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE sell --event %lld --type %lld --qty 2 --key k-%lld", event_id, type_id, event_id);
	err = refused(1, cmd);
	assert_non_null(strstr(err, "different request"));
	free(err);
	/* reservations by hand, with a reason, logged */
	doc = run_json(0, "$BOXOFFICE adjust --event %lld --type %lld --delta -1 --reason 'press seats'", event_id, type_id);
	json_decref(doc);
	assert_int_equal(inv(type_id, NULL, "reserved"), 1);
	assert_int_equal(inv(type_id, NULL, "available"), 0);
	doc = run_json(0, "$BOXOFFICE adjust --event %lld --type %lld --delta 1 --reason 'press did not come'", event_id, type_id);
	json_decref(doc);
	assert_int_equal(inv(type_id, NULL, "reserved"), 0);
	snprintf(ev_sql, sizeof ev_sql, "%lld", type_id);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM change_log WHERE type_id = $1 AND action = 'adjust' "
					   "AND reason IN ('press seats', 'press did not come')", 1, p), 2);
}

static void test_notify_after_commit(void **state)
{
	long long event_id = make_event(unique_name("Notify"), "2027-04-07", 0);
	long long type_id = make_type(event_id, "Adult", 20, 1000, 1);
	PGconn *listener = test_connect();
	PGnotify *n = NULL;
	json_t *doc, *payload = NULL;
	json_error_t jerr;
	(void)state;

	PQclear(test_query(listener, "LISTEN boxoffice_inventory", 0, NULL));
	doc = run_json(0, "$BOXOFFICE sell --event %lld --type %lld --qty 2", event_id, type_id);
	json_decref(doc);
	for (int waited = 0; waited < 5000 && !payload; waited += 10) {
		struct pollfd pfd = { .fd = PQsocket(listener), .events = POLLIN };
		poll(&pfd, 1, 10);
		PQconsumeInput(listener);
		while ((n = PQnotifies(listener))) {
			json_t *j = json_loads(n->extra, 0, &jerr);
			if (j && json_integer_value(json_object_get(j, "type")) == type_id)
				payload = j;
			else
				json_decref(j);
			PQfreemem(n);
		}
	}
	assert_non_null(payload);
	assert_int_equal(json_integer_value(json_object_get(payload, "sold")), 2);
	assert_int_equal(json_integer_value(json_object_get(payload, "available")), 18);
	assert_int_equal(json_integer_value(json_object_get(payload, "event")), event_id);
	assert_true(json_integer_value(json_object_get(payload, "version")) >= 1);
	json_decref(payload);
	PQfinish(listener);
}

static int backends_waiting_on_lanes(long long type_id)
{
	char ty[24];
	const char *p[1] = { ty };
	PGresult *r;
	int n;
	snprintf(ty, sizeof ty, "%lld", type_id);
	r = test_query(conn, "SELECT count(DISTINCT l.pid) FROM pg_locks l WHERE l.locktype = 'advisory' "
			     "AND NOT l.granted AND l.objid = $1::bigint AND l.classid IN (61, 62)", 1, p);
	n = atoi(PQgetvalue(r, 0, 0));
	PQclear(r);
	return n;
}

/* Issue 19's sale path (db/061). Sellers of a type are admitted two at a
 * time: with both lanes taken, two sales from other processes wait (asleep,
 * having done nothing) and complete when the lanes free; with
 * boxoffice.sale_lanes = 0 a sale does not wait for them. The order line's
 * type is checked without the foreign key: a type that was ordered cannot
 * be deleted, a line cannot name another event's type. The triggers' pre-
 * filters follow what they depend on: channel_mapped the platform
 * mappings, alert_watch the event's and the type's alert settings. */
static void test_sale_path_admission_and_guards(void **state)
{
	long long ev = make_event(unique_name("Lanes"), "2041-05-01", 0);
	long long other = make_event(unique_name("LanesOther"), "2041-05-02", 0);
	long long ty = make_type(ev, "Lane", 100, 1000, 1);
	long long ty_other = make_type(other, "Elsewhere", 100, 1000, 1);
	char ev_s[24], ty_s[24], other_s[24], ty_other_s[24], sql[512];
	const char *p[2] = { ev_s, ty_s };
	PGconn *lanes = test_connect(), *unadmitted = test_connect();
	PGresult *r;
	pid_t a, b;
	int status, waited = 0;
	(void)state;

	snprintf(ev_s, sizeof ev_s, "%lld", ev);
	snprintf(ty_s, sizeof ty_s, "%lld", ty);
	snprintf(other_s, sizeof other_s, "%lld", other);
	snprintf(ty_other_s, sizeof ty_other_s, "%lld", ty_other);

	/* both lanes of the type taken by a transaction left open */
	PQclear(test_query(lanes, "BEGIN", 0, NULL));
	PQclear(test_query(lanes, "SELECT pg_advisory_xact_lock(61, $1::integer), pg_advisory_xact_lock(62, $1::integer)",
			   1, (const char *const[]){ ty_s }));
	a = spawn_sell("lane-a", ev, ty);
	b = spawn_sell("lane-b", ev, ty);
	while (backends_waiting_on_lanes(ty) < 2 && waited++ < 100)
		usleep(100 * 1000);
	assert_int_equal(backends_waiting_on_lanes(ty), 2);
	assert_int_equal(test_scalar_id(conn, "SELECT sold FROM ticket_type WHERE id = $1", ty), 0);
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM order_line WHERE type_id = $1", ty), 0);
	/* no admission: past the lanes at once */
	PQclear(test_query(unadmitted, "SET statement_timeout = '10s'", 0, NULL));
	PQclear(test_query(unadmitted, "SET boxoffice.sale_lanes = '0'", 0, NULL));
	r = test_query(unadmitted, "SELECT inventory_sell($1, $2, 1, 'pos', 'card', NULL, NULL, NULL, NULL, NULL, 'lanes off')",
		       2, p);
	assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
	PQclear(r);
	assert_int_equal(test_scalar_id(conn, "SELECT sold FROM ticket_type WHERE id = $1", ty), 1);
	assert_int_equal(backends_waiting_on_lanes(ty), 2);
	PQclear(test_query(lanes, "COMMIT", 0, NULL));
	assert_int_equal(waitpid(a, &status, 0), a);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(waitpid(b, &status, 0), b);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(test_scalar_id(conn, "SELECT sold FROM ticket_type WHERE id = $1", ty), 3);
	PQfinish(lanes);
	PQfinish(unadmitted);

	/* what the foreign key refused, refused still */
	assert_string_equal(test_fails(conn, "DELETE FROM ticket_type WHERE id = $1", 1, (const char *const[]){ ty_s }),
			    "23503");
	snprintf(sql, sizeof sql, "UPDATE order_line SET type_id = $1 WHERE type_id = %lld", ty);
	assert_string_equal(test_fails(conn, sql, 1, (const char *const[]){ ty_other_s }), "23503");
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM order_line WHERE type_id = $1", ty), 3);
	snprintf(sql, sizeof sql, "INSERT INTO order_line (order_id, event_id, type_id, qty, unit_cents, vat_bp, "
				  "net_cents, vat_cents) SELECT order_id, event_id, $1, 1, 0, 0, 0, 0 FROM order_line "
				  "WHERE type_id = %lld LIMIT 1", ty);
	assert_string_equal(test_fails(conn, sql, 1, (const char *const[]){ ty_other_s }), "23503");
	assert_string_equal(test_fails(conn, "INSERT INTO hold (event_id, type_id, channel, qty, seats, from_quota, "
					     "expires_at, station) VALUES ($1, $2, 'pos', 1, 1, false, "
					     "now() + interval '1 minute', 'lanes')",
				       2, (const char *const[]){ other_s, ty_s }),
			    "23503");
	/* a type never ordered can still go */
	PQclear(test_query(conn, "DELETE FROM ticket_type WHERE id = $1", 1, (const char *const[]){ ty_other_s }));
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM ticket_type WHERE id = $1", ty_other), 0);

	/* outbox_on_type only for types a platform sells */
	assert_int_equal(test_scalar_id(conn, "SELECT channel_mapped::integer FROM ticket_type WHERE id = $1", ty), 0);
	PQclear(test_query(conn, "INSERT INTO platform_map (platform, sku, event_id, type_id) VALUES ('shopify', 'LANE-' || $2::text, $1::bigint, $2::bigint)",
			   2, p));
	assert_int_equal(test_scalar_id(conn, "SELECT channel_mapped::integer FROM ticket_type WHERE id = $1", ty), 1);
	PQclear(test_query(conn, "DELETE FROM platform_map WHERE type_id = $1::bigint", 1, (const char *const[]){ ty_s }));
	assert_int_equal(test_scalar_id(conn, "SELECT channel_mapped::integer FROM ticket_type WHERE id = $1", ty), 0);

	/* alert_on_type's threshold: the default, the event's, the type's, off */
	assert_int_equal(test_scalar_id(conn, "SELECT coalesce(alert_watch, -2) FROM ticket_type WHERE id = $1", ty), -2);
	PQclear(test_query(conn, "INSERT INTO alert_setting (event_id, low_stock) VALUES ($1, 7)", 1, p));
	assert_int_equal(test_scalar_id(conn, "SELECT alert_watch FROM ticket_type WHERE id = $1", ty), 7);
	PQclear(test_query(conn, "INSERT INTO alert_setting (event_id, type_id, low_stock) VALUES ($1, $2, 3)", 2, p));
	assert_int_equal(test_scalar_id(conn, "SELECT alert_watch FROM ticket_type WHERE id = $1", ty), 3);
	PQclear(test_query(conn, "UPDATE alert_setting SET enabled = false WHERE event_id = $1 AND type_id IS NULL", 1, p));
	assert_int_equal(test_scalar_id(conn, "SELECT alert_watch FROM ticket_type WHERE id = $1", ty), 3);
	PQclear(test_query(conn, "DELETE FROM alert_setting WHERE type_id = $1::bigint", 1, (const char *const[]){ ty_s }));
	assert_int_equal(test_scalar_id(conn, "SELECT alert_watch FROM ticket_type WHERE id = $1", ty), -1);
	/* alerts off: sold out without an alert */
	PQclear(test_query(conn, "SELECT inventory_sell($1, $2, 97, 'pos', 'card', NULL, NULL, NULL, NULL, NULL, 'out')", 2, p));
	assert_int_equal(test_scalar_id(conn, "SELECT sold FROM ticket_type WHERE id = $1", ty), 100);
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM alert WHERE type_id = $1", ty), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_32_clients_never_oversell),
		cmocka_unit_test(test_quota_is_carved_out),
		cmocka_unit_test(test_hold_expires_without_reaper),
		cmocka_unit_test(test_sales_after_stale_hold_all_succeed),
		cmocka_unit_test(test_hold_confirm_release_and_reaper),
		cmocka_unit_test(test_orders_give_seats_back),
		cmocka_unit_test(test_bad_input_changes_nothing),
		cmocka_unit_test(test_notify_after_commit),
		cmocka_unit_test(test_sale_path_admission_and_guards),
	};
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests_name("inventory", tests, setup, teardown);
}

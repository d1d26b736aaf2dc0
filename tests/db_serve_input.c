/* `boxoffice serve` under bad input: malformed JSON, wrong JSON types,
 * unknown events and types, the wrong content type, 10 MB bodies (with
 * Content-Length and chunked), 10,000 headers, a client trickling one byte
 * a second, one leaving mid-request, one promising more body than it sends
 * and then silent. Each is answered with a clear 4xx or closed by the
 * server, while another client buys and reads availability at the same
 * time without one failure; the server's memory stays bounded and nothing
 * of the bad requests reaches the database. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "http.h"

/* serve --client-timeout: a request must arrive whole within this. */
#define CLIENT_TIMEOUT 3

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

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long count_of(const char *sql, long long id)
{
	char idt[24];
	const char *p[1] = { idt };
	snprintf(idt, sizeof idt, "%lld", id);
	return test_scalar(conn, sql, 1, p);
}

static long vm_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = atol(line + 6);
	fclose(f);
	return kb;
}

/* ---- raw sockets ---- */

static int raw_connect(int port)
{
	struct sockaddr_in a;
	struct timeval tv = { 10, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
		fail_msg("connect: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	return fd;
}

/* Sends what it can; false once the server no longer takes it. */
static bool raw_send(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* The status of the server's answer, 0 when it closed without one, -1
 * when it neither answered nor closed within wait_ms. */
static int raw_answer(int fd, int wait_ms)
{
	char buf[4096];
	size_t n = 0;
	long long until = now_ms() + wait_ms;

	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		long long left = until - now_ms();
		ssize_t got;
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return -1;
		got = recv(fd, buf + n, sizeof buf - 1 - n, 0);
		if (got < 0 && errno == ECONNRESET)
			return 0;
		if (got <= 0)
			break;
		n += (size_t)got;
		buf[n] = '\0';
		if (strstr(buf, "\r\n") || n == sizeof buf - 1)
			break;
	}
	if (n == 0)
		return 0;
	buf[n] = '\0';
	if (strncmp(buf, "HTTP/1.", 7) != 0)
		fail_msg("not an HTTP answer: %.100s", buf);
	return atoi(buf + 9);
}

/* ---- the client that must not notice ---- */

struct good {
	const struct served *s;
	const char *key;
	long long ev, ty;
	volatile int stop;
	int sales, reads;
	char failure[600];
};

static void *good_client(void *arg)
{
	struct good *g = arg;
	char path[100], body[200];

	snprintf(path, sizeof path, "/availability?event=%lld", g->ev);
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1}", g->ev, g->ty);
	while (!g->stop && !g->failure[0]) {
		struct http_answer a = http_do(g->s, "GET", path, NULL, NULL, NULL);
		if (a.status != 200 || a.body[0] != '[')
			snprintf(g->failure, sizeof g->failure, "GET %s: %ld %s", path, a.status, a.body);
		else
			g->reads++;
		http_answer_free(&a);
		a = http_do(g->s, "POST", "/tickets/adjust", g->key, body, NULL);
		if (a.status != 200)
			snprintf(g->failure, sizeof g->failure, "sale: %ld %s", a.status, a.body);
		else
			g->sales++;
		http_answer_free(&a);
		usleep(20 * 1000);
	}
	return NULL;
}

/* ---- the slow ones, each in its own thread ---- */

struct slow {
	int port;
	int mode; /* 0: one byte a second; 1: promises more body, then silence */
	long long closed_after_ms; /* -1: still open when we gave up */
	int status;
};

static void *slow_client(void *arg)
{
	struct slow *sl = arg;
	int fd = raw_connect(sl->port);
	long long t0 = now_ms();

	sl->closed_after_ms = -1;
	if (sl->mode == 0) {
		/* a request that never ends, one byte a second, for 20 s at most */
		const char *req = "GET /availability?event=1 HTTP/1.1\r\nHost: x\r\nX-Slow: "
				  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
		for (size_t i = 0; req[i] && now_ms() - t0 < 20000; i++) {
			int st;
			if (!raw_send(fd, req + i, 1)) {
				sl->status = 0;
				sl->closed_after_ms = now_ms() - t0;
				break;
			}
			st = raw_answer(fd, 1000);
			if (st >= 0) {
				sl->status = st;
				sl->closed_after_ms = now_ms() - t0;
				break;
			}
		}
	} else {
		const char *req = "POST /tickets/adjust HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
				  "Content-Length: 200\r\n\r\n{\"event\":1,\"type\":1,";
		raw_send(fd, req, strlen(req));
		sl->status = raw_answer(fd, 20000);
		if (sl->status >= 0)
			sl->closed_after_ms = now_ms() - t0;
	}
	close(fd);
	return NULL;
}

/* ---- big bodies and headers ---- */

#define TEN_MB (10 * 1024 * 1024)

/* 10 MB to /tickets/adjust, with Content-Length or chunked: the server
 * answers 413 or closes, and never reads it all into memory. */
static int big_body(int port, bool chunked, char *pad)
{
	int fd = raw_connect(port), st;
	char head[300];

	snprintf(head, sizeof head,
		 "POST /tickets/adjust HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n%s\r\n",
		 chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: 10485760\r\n");
	raw_send(fd, head, strlen(head));
	for (size_t off = 0; off < TEN_MB; off += 64 * 1024) {
		char size[32];
		bool ok = true;
		if (chunked) {
			snprintf(size, sizeof size, "%x\r\n", 64 * 1024);
			ok = raw_send(fd, size, strlen(size));
		}
		if (!ok || !raw_send(fd, pad, 64 * 1024) || (chunked && !raw_send(fd, "\r\n", 2)))
			break;
	}
	if (chunked)
		raw_send(fd, "0\r\n\r\n", 5);
	st = raw_answer(fd, 10000);
	close(fd);
	return st;
}

static int many_headers(int port)
{
	size_t cap = 10000 * 32 + 200, n = 0;
	char *req = malloc(cap);
	int fd = raw_connect(port), st;

	assert_non_null(req);
	n += (size_t)snprintf(req + n, cap - n, "GET /health HTTP/1.1\r\nHost: x\r\n");
	for (int i = 0; i < 10000; i++)
		n += (size_t)snprintf(req + n, cap - n, "X-Header-%d: %d\r\n", i, i);
	n += (size_t)snprintf(req + n, cap - n, "\r\n");
	raw_send(fd, req, n);
	st = raw_answer(fd, 10000);
	close(fd);
	free(req);
	return st;
}

static void half_body_then_close(int port)
{
	int fd = raw_connect(port);
	const char *req = "POST /tickets/adjust HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
			  "Content-Length: 100\r\n\r\n{\"event\":1,\"ty";
	raw_send(fd, req, strlen(req));
	close(fd);
}

static void expect(const struct served *s, const char *method, const char *path, const char *key, const char *body,
		   const char *header, long status, const char *says)
{
	const char *hdrs[] = { header, NULL };
	struct http_answer a = http_do(s, method, path, key, body, hdrs);
	json_t *doc = json_loads(a.body, 0, NULL);

	if (a.status != status)
		fail_msg("%s %s %s: %ld, not %ld: %s", method, path, body ? body : "", a.status, status, a.body);
	if (!json_is_string(json_object_get(doc, "error")) ||
	    (says && !strstr(json_string_value(json_object_get(doc, "error")), says)))
		fail_msg("%s %s %s: the answer does not say \"%s\": %s", method, path, body ? body : "", says ? says : "",
			 a.body);
	json_decref(doc);
	http_answer_free(&a);
}

static void test_bad_input_is_refused_while_another_client_is_served(void **state)
{
	struct served s;
	const char *const args[] = { "--client-timeout", "3", NULL };
	long long ev = make_event(unique_name("Input"), "2027-07-01", 0);
	long long ty = make_type(ev, "Good", 100000, 1000, 1);
	long long bad = make_type(ev, "Bad", 100, 1000, 1);
	char *key = apikey_new(NULL, "--name '%s' --channel web --rate 0", unique_name("input"));
	char body[300], path[100], *pad = malloc(64 * 1024);
	struct good g;
	struct slow trickle = { 0, 0, -1, 0 }, silent = { 0, 1, -1, 0 };
	pthread_t good_th, trickle_th, silent_th;
	long rss0, rss1;
	int st;

	(void)state;
	assert_non_null(pad);
	memset(pad, ' ', 64 * 1024);
	serve_start(&s, args);
	memset(&g, 0, sizeof g);
	g.s = &s;
	g.key = key;
	g.ev = ev;
	g.ty = ty;
	/* warm up: the key is cached, the event's availability is loaded */
	expect(&s, "GET", "/availability?event=999999999", NULL, NULL, NULL, 404, "no event");
	rss0 = vm_rss_kb(s.pid);
	assert_int_equal(pthread_create(&good_th, NULL, good_client, &g), 0);
	trickle.port = silent.port = s.port;
	assert_int_equal(pthread_create(&trickle_th, NULL, slow_client, &trickle), 0);
	assert_int_equal(pthread_create(&silent_th, NULL, slow_client, &silent), 0);

	/* malformed JSON, wrong types */
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":", ev, bad);
	expect(&s, "POST", "/tickets/adjust", key, body, NULL, 400, "malformed JSON");
	expect(&s, "POST", "/tickets/adjust", key, "[1,2]", NULL, 400, "JSON object");
	expect(&s, "POST", "/tickets/adjust", key, "{\"a\":1,\"a\":2}", NULL, 400, "malformed");
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":\"two\"}", ev, bad);
	expect(&s, "POST", "/tickets/adjust", key, body, NULL, 400, "qty");
	snprintf(body, sizeof body, "{\"event\":[],\"type\":%lld,\"op\":\"sell\",\"qty\":1}", bad);
	expect(&s, "POST", "/tickets/adjust", key, body, NULL, 400, "event");
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":7,\"qty\":1}", ev, bad);
	expect(&s, "POST", "/tickets/adjust", key, body, NULL, 400, "op");
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1.5}", ev, bad);
	expect(&s, "POST", "/tickets/adjust", key, body, NULL, 400, "qty");
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":99999999999999999999}", ev, bad);
	expect(&s, "POST", "/tickets/adjust", key, body, NULL, 400, NULL);
	snprintf(body, sizeof body, "{\"event\":%lld,\"lines\":\"x\"}", ev);
	expect(&s, "POST", "/orders", key, body, NULL, 400, "lines");
	snprintf(body, sizeof body, "{\"event\":%lld,\"lines\":[{\"type\":%lld,\"qty\":\"two\"}]}", ev, bad);
	expect(&s, "POST", "/orders", key, body, NULL, 400, "qty");
	expect(&s, "GET", "/availability?event=1e3", NULL, NULL, NULL, 400, "event");
	expect(&s, "GET", "/availability?event=-1", NULL, NULL, NULL, 400, "event");

	/* unknown event or type */
	snprintf(body, sizeof body, "{\"event\":999999999,\"type\":%lld,\"op\":\"sell\",\"qty\":1}", bad);
	expect(&s, "POST", "/tickets/adjust", key, body, NULL, 404, "no event");
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":999999999,\"op\":\"sell\",\"qty\":1}", ev);
	expect(&s, "POST", "/tickets/adjust", key, body, NULL, 404, "no ticket type");
	snprintf(path, sizeof path, "/availability?event=%lld&type=999999999", ev);
	expect(&s, "GET", path, NULL, NULL, NULL, 404, "no ticket type");

	/* the wrong content type */
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1}", ev, bad);
	expect(&s, "POST", "/tickets/adjust", key, body, "Content-Type: text/plain", 415, "application/json");
	expect(&s, "POST", "/orders", key, body, "Content-Type: application/x-www-form-urlencoded", 415, "application/json");
	/* a longer type that starts the same is another type; parameters and
	 * case are fine (the qty is what is refused then) */
	expect(&s, "POST", "/tickets/adjust", key, body, "Content-Type: application/jsonx", 415, "application/json");
	expect(&s, "POST", "/orders", key, body, "Content-Type: application/json-patch+json", 415, "application/json");
	expect(&s, "POST", "/tickets/adjust", key, body, "Content-Type: application/json,text/plain", 415,
	       "application/json");
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":\"two\"}", ev, bad);
	expect(&s, "POST", "/tickets/adjust", key, body, "Content-Type: Application/JSON; charset=utf-8", 400, "qty");
	expect(&s, "POST", "/tickets/adjust", key, body, "Content-Type: application/json ;charset=UTF-8", 400, "qty");

	/* 10 MB, with Content-Length and chunked; 10,000 headers */
	st = big_body(s.port, false, pad);
	if (st != 413 && st != 0)
		fail_msg("10 MB with Content-Length: %d, not 413 or closed", st);
	st = big_body(s.port, true, pad);
	if (st != 413 && st != 0)
		fail_msg("10 MB chunked: %d, not 413 or closed", st);
	st = many_headers(s.port);
	if (st != 0 && (st < 400 || st > 499))
		fail_msg("10,000 headers: %d, not a 4xx or closed", st);

	/* a client that leaves mid-request, ten times */
	for (int i = 0; i < 10; i++)
		half_body_then_close(s.port);

	pthread_join(trickle_th, NULL);
	pthread_join(silent_th, NULL);
	g.stop = 1;
	pthread_join(good_th, NULL);
	rss1 = vm_rss_kb(s.pid);

	if (g.failure[0])
		fail_msg("the good client failed after %d sales and %d reads: %s", g.sales, g.reads, g.failure);
	assert_true(g.sales > 0 && g.reads > 0);
	/* the slow ones were ended by the server, about when --client-timeout says */
	if (trickle.closed_after_ms < 0 || trickle.closed_after_ms > (CLIENT_TIMEOUT + 3) * 1000)
		fail_msg("a client sending one byte a second was not ended within %d s (%lld ms)", CLIENT_TIMEOUT + 3,
			 trickle.closed_after_ms);
	if (silent.closed_after_ms < 0 || silent.closed_after_ms > (CLIENT_TIMEOUT + 3) * 1000)
		fail_msg("a client that promised more body and went silent was not ended within %d s (%lld ms)",
			 CLIENT_TIMEOUT + 3, silent.closed_after_ms);
	/* bounded memory */
	if (rss1 - rss0 > 50 * 1024)
		fail_msg("serve grew from %ld kB to %ld kB", rss0, rss1);
	/* nothing of the bad requests reached the database; the good ones did */
	assert_int_equal(count_of("SELECT sold FROM ticket_type WHERE id = $1::bigint", bad), 0);
	assert_int_equal(count_of("SELECT count(*) FROM hold WHERE type_id = $1::bigint", bad), 0);
	assert_int_equal(count_of("SELECT count(*) FROM order_line WHERE type_id = $1::bigint", bad), 0);
	assert_int_equal(count_of("SELECT sold FROM ticket_type WHERE id = $1::bigint", ty), g.sales);
	assert_int_equal(count_of("SELECT count(*) FROM ticket_order WHERE event_id = $1::bigint", ev), g.sales);
	/* the server is still well */
	expect(&s, "GET", "/availability?event=999999999", NULL, NULL, NULL, 404, "no event");
	assert_int_equal(serve_stop(&s), 0);
	free(pad);
	free(key);
}

/* A sale's reference names one order per channel: the same reference under
 * another idempotency key is refused in words, not with the database's
 * constraint message. */
static void test_reused_reference_refused_in_words(void **state)
{
	struct served s;
	long long ev = make_event(unique_name("Ref"), "2027-07-01", 0);
	long long ty = make_type(ev, "Adult", 100, 1000, 1);
	char *key = apikey_new(NULL, "--name '%s' --channel web --rate 0", unique_name("ref"));
	char body[300];
	const char *first[] = { "Idempotency-Key: ref-1", NULL };
	struct http_answer a;

	(void)state;
	serve_start(&s, NULL);
	snprintf(body, sizeof body,
		 "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1,\"reference\":\"PO-7\"}", ev, ty);
	a = http_do(&s, "POST", "/tickets/adjust", key, body, first);
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	expect(&s, "POST", "/tickets/adjust", key, body, "Idempotency-Key: ref-2", 409, "reference was used already");
	assert_int_equal(count_of("SELECT sold FROM ticket_type WHERE id = $1::bigint", ty), 1);
	assert_int_equal(serve_stop(&s), 0);
	free(key);
}

/* The texts an order or a sale stores are held to the CLI's rules: no
 * control character (C0, DEL, C1), an e-mail that looks like one; the
 * database refuses what serve would let through (controls and bidi
 * overrides), for a client that calls it without serve. */
static void test_texts_held_to_the_cli_rules(void **state)
{
	struct served s;
	long long key_id = 0;
	long long ev = make_event(unique_name("Texts"), "2027-07-01", 0);
	long long ty = make_type(ev, "Adult", 100, 1000, 1);
	char *key = apikey_new(&key_id, "--name '%s' --channel web --rate 0", unique_name("texts"));
	char body[400], kid[24];
	static const struct {
		const char *fields; /* JSON members */
		const char *says;
	} bad[] = {
		{ "\"company\":\"a\\u001b[31mb\"", "company contains control characters" },
		{ "\"contact\":\"c\\u0085d\"", "contact contains control characters" },
		{ "\"contact\":\"c\\nd\"", "contact contains control characters" },
		{ "\"company\":\"c\\rd\"", "company contains control characters" },
		{ "\"company\":\"c\\td\"", "company contains control characters" },
		{ "\"reference\":\"r\\u007f\"", "reference contains control characters" },
		{ "\"email\":\"nope\"", "email is not an e-mail address" },
		{ "\"idempotency_key\":\"k\\u0007\"", "idempotency key contains control characters" },
		{ "\"contact\":\"c\\u202ed\"", "contact contains characters that reorder text" },
	};

	(void)state;
	serve_start(&s, NULL);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(body, sizeof body, "{\"event\":%lld,\"lines\":[{\"type\":%lld,\"qty\":1}],%s}", ev, ty,
			 bad[i].fields);
		expect(&s, "POST", "/orders", key, body, NULL, 400, bad[i].says);
		snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1,%s}", ev, ty,
			 bad[i].fields);
		expect(&s, "POST", "/tickets/adjust", key, body, NULL, 400, bad[i].says);
		snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"hold\",\"qty\":1,%s}", ev, ty,
			 bad[i].fields);
		expect(&s, "POST", "/tickets/adjust", key, body, NULL, 400, bad[i].says);
	}
	/* what is fine still is */
	snprintf(body, sizeof body,
		 "{\"event\":%lld,\"lines\":[{\"type\":%lld,\"qty\":1}],\"company\":\"Zo\u00eb & Co\","
		 "\"contact\":\"J\u00fcrgen\",\"email\":\"j@example.com\"}",
		 ev, ty);
	{
		struct http_answer a = http_do(&s, "POST", "/orders", key, body, NULL);
		if (a.status != 201)
			fail_msg("a good order: %ld %s", a.status, a.body);
		http_answer_free(&a);
	}
	assert_int_equal(serve_stop(&s), 0);

	/* the database itself refuses them, whoever calls */
	snprintf(kid, sizeof kid, "%lld", key_id);
	{
		static const char *const fields[] = { "{\"company\":\"a\\u001b[31mb\"}", "{\"contact\":\"c\\u202ed\"}",
						      "{\"contact\":\"c\\u0085d\"}", "{\"reference\":\"x\\ny\"}" };
		for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
			char evs[24], tys[24];
			const char *p[4] = { kid, evs, tys, fields[i] };
			snprintf(evs, sizeof evs, "%lld", ev);
			snprintf(tys, sizeof tys, "%lld", ty);
			assert_string_equal(test_fails(conn,
						       "SELECT api_order($1::bigint, jsonb_build_object('event', $2::bigint, "
						       "'lines', jsonb_build_array(jsonb_build_object('type', $3::bigint, 'qty', 1))) "
						       "|| $4::jsonb, NULL, 900)",
						       4, p),
					    "22023");
			assert_string_equal(test_fails(conn,
						       "SELECT api_adjust($1::bigint, jsonb_build_object('event', $2::bigint, "
						       "'type', $3::bigint, 'op', 'sell', 'qty', 1) || $4::jsonb, NULL)",
						       4, p),
					    "22023");
		}
	}
	/* one good order; nothing of the bad ones */
	assert_int_equal(count_of("SELECT count(*) FROM ticket_order WHERE event_id = $1::bigint", ev), 1);
	assert_int_equal(count_of("SELECT count(*) FROM hold WHERE event_id = $1::bigint", ev), 0);
	free(key);
}

/* A chunked body past the cap, of size bytes in 16 KiB chunks: the
 * server's answer and how long after the last chunk it came. */
static int chunked_over_cap(int port, const char *path, size_t size, long long *after_ms)
{
	int fd = raw_connect(port), st;
	char head[300], *pad = malloc(16 * 1024);
	long long t0;

	assert_non_null(pad);
	memset(pad, ' ', 16 * 1024);
	snprintf(head, sizeof head,
		 "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
		 "Transfer-Encoding: chunked\r\n\r\n",
		 path);
	raw_send(fd, head, strlen(head));
	for (size_t off = 0; off < size; off += 16 * 1024)
		if (!raw_send(fd, "4000\r\n", 6) || !raw_send(fd, pad, 16 * 1024) || !raw_send(fd, "\r\n", 2))
			break;
	raw_send(fd, "0\r\n\r\n", 5);
	t0 = now_ms();
	st = raw_answer(fd, 8000);
	*after_ms = now_ms() - t0;
	close(fd);
	free(pad);
	return st;
}

/* A chunked body over the cap is answered 413 at its end, at once: it was
 * not answered at all and held the connection until --client-timeout. */
static void test_chunked_body_over_the_cap_answered_413_at_once(void **state)
{
	struct served s;
	const char *const args[] = { "--client-timeout", "10", NULL };
	long long ms;
	int st;

	(void)state;
	serve_start(&s, args);
	st = chunked_over_cap(s.port, "/tickets/adjust", 100 * 1024, &ms);
	if (st != 413 || ms > 3000)
		fail_msg("100 KiB chunked to /tickets/adjust: %d after %lld ms, not 413 at once", st, ms);
	st = chunked_over_cap(s.port, "/webhooks/shopify", 3 * 1024 * 1024, &ms);
	if (st != 413 || ms > 3000)
		fail_msg("3 MB chunked to /webhooks/shopify: %d after %lld ms, not 413 at once", st, ms);
	/* under the cap, chunked, it is read as ever (a JSON error, not 413) */
	st = chunked_over_cap(s.port, "/tickets/adjust", 32 * 1024, &ms);
	if (st == 413 || st <= 0 || ms > 3000)
		fail_msg("32 KiB chunked: %d after %lld ms", st, ms);
	assert_int_equal(serve_stop(&s), 0);
}

/* An idempotency key has 1 to 150 characters, counted as characters (as
 * api_adjust counts them), whether header or field. */
static void test_idempotency_key_length(void **state)
{
	struct served s;
	long long ev = make_event(unique_name("IdemLen"), "2027-07-01", 0);
	long long ty = make_type(ev, "Adult", 100, 1000, 1);
	char *key = apikey_new(NULL, "--name '%s' --channel web --rate 0", unique_name("idemlen"));
	char body[1200], hdr[1000], k[800];
	struct http_answer a;

	(void)state;
	serve_start(&s, NULL);
	/* 151 characters: refused, the header as the field */
	memset(k, 'k', 151);
	k[151] = '\0';
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1}", ev, ty);
	snprintf(hdr, sizeof hdr, "Idempotency-Key: %s", k);
	expect(&s, "POST", "/tickets/adjust", key, body, hdr, 400, "idempotency key is too long (at most 150 characters)");
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1,\"idempotency_key\":\"%s\"}",
		 ev, ty, k);
	expect(&s, "POST", "/tickets/adjust", key, body, NULL, 400, "idempotency key is too long (at most 150 characters)");
	/* none at all */
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1,\"idempotency_key\":\"\"}",
		 ev, ty);
	expect(&s, "POST", "/tickets/adjust", key, body, NULL, 400, "idempotency key is required");
	assert_int_equal(count_of("SELECT sold FROM ticket_type WHERE id = $1::bigint", ty), 0);
	/* 150 characters: taken, ASCII or two bytes each */
	k[150] = '\0';
	snprintf(hdr, sizeof hdr, "Idempotency-Key: %s", k);
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1}", ev, ty);
	a = http_do(&s, "POST", "/tickets/adjust", key, body, (const char *[]){ hdr, NULL });
	if (a.status != 200)
		fail_msg("a 150-character key: %ld %s", a.status, a.body);
	http_answer_free(&a);
	k[0] = '\0';
	for (int i = 0; i < 150; i++)
		strcat(k, "\xc3\xa9"); /* é: 300 bytes */
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1,\"idempotency_key\":\"%s\"}",
		 ev, ty, k);
	a = http_do(&s, "POST", "/tickets/adjust", key, body, NULL);
	if (a.status != 200)
		fail_msg("150 characters of two bytes: %ld %s", a.status, a.body);
	http_answer_free(&a);
	assert_int_equal(count_of("SELECT sold FROM ticket_type WHERE id = $1::bigint", ty), 2);
	assert_int_equal(serve_stop(&s), 0);
	free(key);
}

/* An Idempotency-Key is one request per API key, whichever endpoint: the
 * same key on /orders and then on /tickets/adjust (and the other way) is
 * refused (409) and makes no second order; a replay on its own endpoint is
 * answered as before, also for a pair stored before the rule. */
static void test_idempotency_key_across_endpoints(void **state)
{
	struct served s;
	long long key_id = 0;
	long long ev = make_event(unique_name("Idem"), "2027-07-01", 0);
	long long ty = make_type(ev, "Adult", 100, 1000, 1);
	char *key = apikey_new(&key_id, "--name '%s' --channel web --rate 0", unique_name("idem"));
	char order[300], sell[300], first_body[4096], sql_key[80];
	const char *o1[] = { "Idempotency-Key: rv-o1", NULL }, *a1[] = { "Idempotency-Key: rv-a1", NULL };
	const char *legacy[] = { "Idempotency-Key: rv-legacy", NULL };
	struct http_answer a;

	(void)state;
	serve_start(&s, NULL);
	snprintf(order, sizeof order, "{\"event\":%lld,\"lines\":[{\"type\":%lld,\"qty\":1}]}", ev, ty);
	snprintf(sell, sizeof sell, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1}", ev, ty);
	a = http_do(&s, "POST", "/orders", key, order, o1);
	assert_int_equal(a.status, 201);
	snprintf(first_body, sizeof first_body, "%s", a.body);
	http_answer_free(&a);
	expect(&s, "POST", "/tickets/adjust", key, sell, "Idempotency-Key: rv-o1", 409, "different request");
	a = http_do(&s, "POST", "/orders", key, order, o1); /* its replay */
	assert_int_equal(a.status, 201);
	assert_string_equal(a.body, first_body);
	http_answer_free(&a);
	/* the other way */
	a = http_do(&s, "POST", "/tickets/adjust", key, sell, a1);
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	expect(&s, "POST", "/orders", key, order, "Idempotency-Key: rv-a1", 409, "different request");
	a = http_do(&s, "POST", "/tickets/adjust", key, sell, a1);
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	assert_int_equal(count_of("SELECT count(*) FROM ticket_order WHERE event_id = $1::bigint", ev), 2);

	/* a pair stored before: each endpoint replays its own */
	a = http_do(&s, "POST", "/orders", key, order, legacy);
	assert_int_equal(a.status, 201);
	http_answer_free(&a);
	snprintf(sql_key, sizeof sql_key, "api:%lld:rv-legacy", key_id);
	{
		const char *p[2] = { sql_key, sell };
		test_scalar(conn,
			    "INSERT INTO idempotency (key, op, args, result) VALUES ($1, 'api_adjust', $2::jsonb, "
			    "'{\"op\":\"sell\"}') RETURNING 1",
			    2, p);
	}
	a = http_do(&s, "POST", "/orders", key, order, legacy);
	assert_int_equal(a.status, 201);
	http_answer_free(&a);
	a = http_do(&s, "POST", "/tickets/adjust", key, sell, legacy);
	if (a.status != 200)
		fail_msg("a stored pair's replay: %ld %s", a.status, a.body);
	http_answer_free(&a);
	assert_int_equal(count_of("SELECT count(*) FROM ticket_order WHERE event_id = $1::bigint", ev), 3);
	assert_int_equal(serve_stop(&s), 0);
	free(key);
}

/* An id in a path or a query is digits and nothing else: a percent-encoded
 * NUL (or other junk) after it is not the event (404 for a path, 400 for
 * a query), where /events/1%00 was event 1's page. An id up to the last
 * bigint is an id that may not exist (404, not 400); past it, it is no id
 * (no overflow). */
static void test_ids_in_paths_and_queries(void **state)
{
	struct served s;
	long long ev = make_event(unique_name("Ids"), "2027-07-01", 0);
	long long ty = make_type(ev, "Adult", 100, 1000, 1);
	char *key = apikey_new(NULL, "--name '%s' --channel web --rate 0", unique_name("ids"));
	char path[200], body[300];
	static const char *const junk[] = { "%00", "%00x", "%001", "x", "%20", "/", "%2F" };
	static const char *const big[] = { "9223372036854775807", "9223372036854775808", "99999999999999999999" };
	struct http_answer a;

	(void)state;
	serve_start(&s, NULL);
	snprintf(path, sizeof path, "/events/%lld", ev);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
		snprintf(path, sizeof path, "/events/%lld%s", ev, junk[i]);
		a = http_do(&s, "GET", path, NULL, NULL, NULL);
		if (a.status != 404)
			fail_msg("GET %s: %ld, not 404", path, a.status);
		http_answer_free(&a);
		snprintf(path, sizeof path, "/availability?event=%lld%s", ev, junk[i]);
		expect(&s, "GET", path, NULL, NULL, NULL, 400, "event must be an event's ID");
		snprintf(path, sizeof path, "/availability?event=%lld&type=%lld%s", ev, ty, junk[i]);
		expect(&s, "GET", path, NULL, NULL, NULL, 400, "type must be a ticket type's ID");
	}
	/* the last bigint is an id no event has; past it, no id at all */
	snprintf(path, sizeof path, "/events/%s", big[0]);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 404);
	http_answer_free(&a);
	expect(&s, "GET", "/availability?event=9223372036854775807", NULL, NULL, NULL, 404, "no event 9223372036854775807");
	snprintf(path, sizeof path, "/availability?event=%lld&type=9223372036854775807", ev);
	expect(&s, "GET", path, NULL, NULL, NULL, 404, "no ticket type");
	snprintf(body, sizeof body, "{\"event\":9223372036854775807,\"type\":%lld,\"op\":\"sell\",\"qty\":1}", ty);
	expect(&s, "POST", "/tickets/adjust", key, body, NULL, 404, "no event 9223372036854775807");
	snprintf(body, sizeof body, "{\"event\":9223372036854775807,\"lines\":[{\"type\":%lld,\"qty\":1}]}", ty);
	expect(&s, "POST", "/orders", key, body, NULL, 404, "no event 9223372036854775807");
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":9223372036854775807,\"op\":\"sell\",\"qty\":1}", ev);
	expect(&s, "POST", "/tickets/adjust", key, body, NULL, 404, "no ticket type 9223372036854775807");
	for (size_t i = 1; i < sizeof big / sizeof big[0]; i++) {
		snprintf(path, sizeof path, "/events/%s", big[i]);
		a = http_do(&s, "GET", path, NULL, NULL, NULL);
		if (a.status != 404)
			fail_msg("GET %s: %ld, not 404", path, a.status);
		http_answer_free(&a);
		snprintf(path, sizeof path, "/availability?event=%s", big[i]);
		expect(&s, "GET", path, NULL, NULL, NULL, 400, "event must be an event's ID");
		snprintf(body, sizeof body, "{\"event\":\"%s\",\"type\":%lld,\"op\":\"sell\",\"qty\":1}", big[i], ty);
		expect(&s, "POST", "/tickets/adjust", key, body, NULL, 404, "no event");
	}
	assert_int_equal(count_of("SELECT sold FROM ticket_type WHERE id = $1::bigint", ty), 0);
	assert_int_equal(serve_stop(&s), 0);
	free(key);
}

/* serve under a login that may not do serve's work (a clerk's) refuses to
 * start (exit 4, in words), instead of reporting healthy and answering
 * every key 403 with an internal function's name. */
static void test_serve_refuses_a_login_without_the_api_role(void **state)
{
	char login[48];
	struct run_result r;

	(void)state;
	snprintf(login, sizeof login, "clerk_%d", (int)getpid());
	r = run_cmd("$BOXOFFICE user add %s --role clerk", login);
	if (r.status != 0)
		fail_msg("user add: %d %s", r.status, r.err);
	run_free(&r);
	r = run_cmd("PGUSER=%s timeout 20 $BOXOFFICE serve --listen 127.0.0.1:0", login);
	if (r.status != 4 || !strstr(r.err, "may not run serve") || strstr(r.err, "api_key_get"))
		fail_msg("serve as a clerk: exit %d: %s", r.status, r.err);
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_input_is_refused_while_another_client_is_served),
		cmocka_unit_test(test_reused_reference_refused_in_words),
		cmocka_unit_test(test_texts_held_to_the_cli_rules),
		cmocka_unit_test(test_chunked_body_over_the_cap_answered_413_at_once),
		cmocka_unit_test(test_idempotency_key_across_endpoints),
		cmocka_unit_test(test_idempotency_key_length),
		cmocka_unit_test(test_ids_in_paths_and_queries),
		cmocka_unit_test(test_serve_refuses_a_login_without_the_api_role),
	};
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests_name("serve_input", tests, setup, teardown);
}

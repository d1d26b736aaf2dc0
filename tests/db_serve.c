/* `boxoffice serve` as the sales channels meet it: 64 clients racing for
 * the last 30 seats through /tickets/adjust, one idempotency key sent ten
 * times at once, SIGTERM under load, keys revoked and rate-limited, the
 * serve login's narrow role, and the change log naming the key. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "http.h"

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

static long long count_of(const char *sql, long long id)
{
	char idt[24];
	const char *p[1] = { idt };
	snprintf(idt, sizeof idt, "%lld", id);
	return test_scalar(conn, sql, 1, p);
}

struct racer {
	const struct served *s;
	const char *key;
	char body[512];
	const char *idem;
	long status;
	char *answer;
	pthread_barrier_t *go;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	const char *hdrs[2] = { NULL, NULL };
	char idem[200];
	struct http_answer a;

	if (r->idem) {
		snprintf(idem, sizeof idem, "Idempotency-Key: %s", r->idem);
		hdrs[0] = idem;
	}
	pthread_barrier_wait(r->go);
	a = http_do(r->s, "POST", "/tickets/adjust", r->key, r->body, hdrs);
	r->status = a.status;
	r->answer = a.body;
	a.body = NULL;
	http_answer_free(&a);
	return NULL;
}

static void run_racers(struct racer *rs, int n)
{
	pthread_t th[128];
	pthread_barrier_t go;

	pthread_barrier_init(&go, NULL, (unsigned)n);
	for (int i = 0; i < n; i++) {
		rs[i].go = &go;
		assert_int_equal(pthread_create(&th[i], NULL, race, &rs[i]), 0);
	}
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
}

/* 64 clients, 30 seats left: exactly 30 sales and 34 refusals that say
 * why, and the database agrees. */
static void test_64_clients_race_for_the_last_30_seats(void **state)
{
	struct served s;
	struct racer rs[64];
	long long ev = make_event(unique_name("Race"), "2027-05-01", 0);
	long long ty = make_type(ev, "Adult", 100, 4000, 1);
	char *key = apikey_new(NULL, "--name '%s' --channel web --rate 0", unique_name("race"));
	int ok = 0, refused = 0;

	(void)state;
	json_decref(cli_json("$BOXOFFICE sell --event %lld --type %lld --qty 70 --payment card", ev, ty));
	serve_start(&s, NULL);
	for (int i = 0; i < 64; i++) {
		memset(&rs[i], 0, sizeof rs[i]);
		rs[i].s = &s;
		rs[i].key = key;
		snprintf(rs[i].body, sizeof rs[i].body,
			 "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1,\"reference\":\"race-%d\"}", ev, ty, i);
	}
	run_racers(rs, 64);
	for (int i = 0; i < 64; i++) {
		if (rs[i].status == 200)
			ok++;
		else if (rs[i].status == 409 && (strstr(rs[i].answer, "sold out") || strstr(rs[i].answer, "left")))
			refused++;
		else
			fail_msg("client %d: %ld %s", i, rs[i].status, rs[i].answer);
		free(rs[i].answer);
	}
	assert_int_equal(ok, 30);
	assert_int_equal(refused, 34);
	assert_int_equal(count_of("SELECT sold FROM ticket_type WHERE id = $1::bigint", ty), 100);
	assert_int_equal(count_of("SELECT count(*) FROM ticket_order o JOIN order_line l ON l.order_id = o.id "
				  "WHERE l.type_id = $1::bigint AND o.channel = 'web'", ty),
			 30);
	assert_int_equal(serve_stop(&s), 0);
	free(key);
}

/* The same key ten times at once: one sale, ten identical answers. */
static void test_one_idempotency_key_ten_times_sells_once(void **state)
{
	struct served s;
	struct racer rs[10];
	long long ev = make_event(unique_name("Idem"), "2027-05-02", 0);
	long long ty = make_type(ev, "Adult", 50, 4000, 1);
	char *key = apikey_new(NULL, "--name '%s' --channel pos --rate 0", unique_name("idem"));
	char idem[64];

	(void)state;
	snprintf(idem, sizeof idem, "%s", unique_name("k"));
	for (char *c = idem; *c; c++)
		if (*c == ' ')
			*c = '-';
	serve_start(&s, NULL);
	for (int i = 0; i < 10; i++) {
		memset(&rs[i], 0, sizeof rs[i]);
		rs[i].s = &s;
		rs[i].key = key;
		rs[i].idem = idem;
		snprintf(rs[i].body, sizeof rs[i].body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":2}", ev, ty);
	}
	run_racers(rs, 10);
	for (int i = 0; i < 10; i++) {
		json_t *a = json_loads(rs[i].answer, 0, NULL), *b = json_loads(rs[0].answer, 0, NULL);
		if (rs[i].status != 200)
			fail_msg("client %d: %ld %s", i, rs[i].status, rs[i].answer);
		if (!json_equal(a, b))
			fail_msg("answers differ:\n%s\n%s", rs[i].answer, rs[0].answer);
		json_decref(a);
		json_decref(b);
	}
	for (int i = 0; i < 10; i++)
		free(rs[i].answer);
	assert_int_equal(count_of("SELECT sold FROM ticket_type WHERE id = $1::bigint", ty), 2);
	assert_int_equal(count_of("SELECT count(*) FROM order_line WHERE type_id = $1::bigint", ty), 1);
	{ /* the same key with other content is refused, and nothing changes */
		char body[200], hdr[200];
		const char *hdrs[] = { hdr, NULL };
		struct http_answer a;
		snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":3}", ev, ty);
		snprintf(hdr, sizeof hdr, "Idempotency-Key: %s", idem);
		a = http_do(&s, "POST", "/tickets/adjust", key, body, hdrs);
		assert_int_equal(a.status, 409);
		assert_non_null(strstr(a.body, "different request"));
		http_answer_free(&a);
	}
	assert_int_equal(count_of("SELECT sold FROM ticket_type WHERE id = $1::bigint", ty), 2);
	assert_int_equal(serve_stop(&s), 0);
	free(key);
}


struct loader {
	const struct served *s;
	const char *key;
	long long ev, a, b;
	int made;
	volatile int *stop;
};

static void *load_orders(void *arg)
{
	struct loader *l = arg;
	char body[300];

	while (!*l->stop) {
		struct http_answer a;
		snprintf(body, sizeof body,
			 "{\"event\":%lld,\"lines\":[{\"type\":%lld,\"qty\":2},{\"type\":%lld,\"qty\":3}],"
			 "\"payment\":\"invoice\",\"company\":\"Load\",\"contact\":\"L\",\"email\":\"l@example.com\"}",
			 l->ev, l->a, l->b);
		a = http_do(l->s, "POST", "/orders", l->key, body, NULL);
		if (a.status == 201)
			l->made++;
		http_answer_free(&a);
		if (a.status != 201 && a.status != 0 && a.status != 503)
			break;
	}
	return NULL;
}

/* SIGTERM while 16 clients order: serve exits 0, every order that exists
 * is whole (both lines, its seats taken), every 201 is in the database. */
static void test_sigterm_under_load_leaves_no_partial_order(void **state)
{
	struct served s;
	struct loader ls[16];
	pthread_t th[16];
	volatile int stop = 0;
	long long ev = make_event(unique_name("Term"), "2027-05-03", 0);
	long long a = make_type(ev, "A", 100000, 1000, 1), b = make_type(ev, "B", 100000, 2000, 1);
	char *key = apikey_new(NULL, "--name '%s' --channel reseller --rate 0", unique_name("term"));
	int answered = 0;
	long long orders;

	(void)state;
	serve_start(&s, NULL);
	for (int i = 0; i < 16; i++) {
		ls[i] = (struct loader){ &s, key, ev, a, b, 0, &stop };
		assert_int_equal(pthread_create(&th[i], NULL, load_orders, &ls[i]), 0);
	}
	usleep(800 * 1000);
	assert_int_equal(serve_stop(&s), 0);
	stop = 1;
	for (int i = 0; i < 16; i++) {
		pthread_join(th[i], NULL);
		answered += ls[i].made;
	}
	orders = count_of("SELECT count(*) FROM ticket_order WHERE event_id = $1::bigint", ev);
	assert_true(answered > 0);
	assert_true(orders >= answered); /* an order may be made as its client is cut off, never lost */
	assert_int_equal(count_of("SELECT count(*) FROM ticket_order o WHERE o.event_id = $1::bigint AND "
				  "(quantity <> 5 OR (SELECT count(*) FROM order_line l WHERE l.order_id = o.id) <> 2)",
				  ev),
			 0);
	assert_int_equal(count_of("SELECT sold FROM ticket_type WHERE id = $1::bigint", a), 2 * orders);
	assert_int_equal(count_of("SELECT sold FROM ticket_type WHERE id = $1::bigint", b), 3 * orders);
	free(key);
}

static long long adjust_status(const struct served *s, const char *key, const char *body, char **answer)
{
	struct http_answer a = http_do(s, "POST", "/tickets/adjust", key, body, NULL);
	long long st = a.status;
	if (answer)
		*answer = a.body, a.body = NULL;
	http_answer_free(&a);
	return st;
}

/* A revoked key stops at once; a rate-limited key gets 429 with
 * Retry-After; a key cannot sell for another channel or give tickets away;
 * an expired hold is refused with why; the change log names the key. */
static void test_keys_revoke_rate_and_scope(void **state)
{
	struct served s;
	long long ev = make_event(unique_name("Keys"), "2027-05-04", 0);
	long long ty = make_type(ev, "Adult", 100, 1000, 1);
	char name[64], body[300], *answer, *key, *slow;
	long long key_id;
	struct http_answer a;

	(void)state;
	snprintf(name, sizeof name, "%s", unique_name("keys"));
	key = apikey_new(&key_id, "--name '%s' --channel ota --rate 0", name);
	slow = apikey_new(NULL, "--name '%s' --channel ota --rate 3", unique_name("slow"));
	serve_start(&s, NULL);
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":\"adult\",\"op\":\"sell\",\"qty\":1}", ev);
	assert_int_equal(adjust_status(&s, key, body, NULL), 200);
	/* the change log names the key and its channel: the order's
	 * "requested" row (db/073) and the sale's */
	{
		char want[100];
		const char *p[2] = { want, NULL };
		snprintf(want, sizeof want, "ota:%s", name);
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM change_log WHERE api_key = $1", 1, p), 2);
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM change_log WHERE api_key = $1 "
					     "AND action IN ('requested', 'sell')", 1, p), 2);
	}
	/* another channel, free tickets, no key, a malformed key */
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1,\"channel\":\"web\"}", ev, ty);
	assert_int_equal(adjust_status(&s, key, body, NULL), 403);
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1,\"payment\":\"free\"}", ev, ty);
	assert_int_equal(adjust_status(&s, key, body, NULL), 403);
	assert_int_equal(adjust_status(&s, NULL, body, NULL), 401);
	assert_int_equal(adjust_status(&s, "bx1_short", body, NULL), 401);
	/* a hold past its expiry cannot be confirmed */
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"hold\",\"qty\":2,\"ttl\":600,\"reference\":\"cart-x\"}",
		 ev, ty);
	assert_int_equal(adjust_status(&s, key, body, NULL), 200);
	PQclear(test_query(conn, "UPDATE hold SET expires_at = now() - interval '1 second' WHERE reference = 'cart-x'", 0, NULL));
	assert_int_equal(adjust_status(&s, key, "{\"op\":\"confirm\",\"reference\":\"cart-x\"}", &answer), 409);
	assert_non_null(strstr(answer, "expired"));
	free(answer);
	/* rate: three a minute, then 429 with Retry-After */
	for (int i = 0; i < 3; i++)
		assert_int_equal(adjust_status(&s, slow, "{\"op\":\"nothing\"}", NULL), 400);
	a = http_do(&s, "POST", "/tickets/adjust", slow, "{\"op\":\"nothing\"}", NULL);
	assert_int_equal(a.status, 429);
	assert_non_null(http_answer_header(&a, "Retry-After"));
	assert_true(atoi(http_answer_header(&a, "Retry-After")) >= 1);
	http_answer_free(&a);
	/* revoked: refused on the very next call */
	json_decref(cli_json("$BOXOFFICE apikey revoke %lld --json", key_id));
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1}", ev, ty);
	assert_int_equal(adjust_status(&s, key, body, NULL), 401);
	assert_int_equal(count_of("SELECT sold FROM ticket_type WHERE id = $1::bigint", ty), 1);
	assert_int_equal(serve_stop(&s), 0);
	free(key);
	free(slow);
}

/* serve's own login (the api role) reaches the inventory only through the
 * api_* functions: it cannot sell directly, and serve works with it. */
static void test_api_login_is_narrow(void **state)
{
	struct served s;
	char login[64], env[100], conninfo[120], body[200];
	long long ev = make_event(unique_name("Narrow"), "2027-05-05", 0);
	long long ty = make_type(ev, "Adult", 10, 1000, 1);
	char *key = apikey_new(NULL, "--name '%s' --channel web --rate 0", unique_name("narrow"));
	struct run_result r;
	PGconn *c;
	PGresult *res;

	(void)state;
	snprintf(login, sizeof login, "api_%d", (int)getpid());
	r = run_cmd("$BOXOFFICE user add %s --role api", login);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(conninfo, sizeof conninfo, "user=%s", login);
	c = PQconnectdb(conninfo);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	snprintf(body, sizeof body, "SELECT inventory_sell(%lld, %lld, 1, 'web', 'card', '', '', '', NULL, NULL, NULL)", ev, ty);
	res = PQexec(c, body);
	assert_string_equal(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42501");
	PQclear(res);
	res = PQexec(c, "SELECT order_add(1, '[]', 'card', '', '', '', NULL, 'web', NULL)");
	assert_string_equal(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42501");
	PQclear(res);
	PQfinish(c);
	snprintf(env, sizeof env, "PGUSER=%s", login);
	serve_start_as(&s, env, NULL, NULL);
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1}", ev, ty);
	assert_int_equal(adjust_status(&s, key, body, NULL), 200);
	assert_int_equal(serve_stop(&s), 0);
	assert_int_equal(count_of("SELECT sold FROM ticket_type WHERE id = $1::bigint", ty), 1);
	free(key);
}


/* Reads from fd until text appears after offset *seen (5 s at most). */
static bool read_until(int fd, char *buf, size_t size, size_t *len, const char *text, size_t from)
{
	long long until = 0;
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	until = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 + 5000;
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		long long now;
		buf[*len] = '\0';
		if (strstr(buf + from, text))
			return true;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
		if (now >= until || *len + 1 >= size)
			return false;
		if (poll(&p, 1, (int)(until - now)) > 0) {
			ssize_t n = read(fd, buf + *len, size - *len - 1);
			if (n <= 0)
				return strstr(buf + from, text) != NULL;
			*len += (size_t)n;
		}
	}
}

/* GET /availability as a live stream: the state now, then a new event
 * after a sale made by another process; SIGTERM ends the stream and serve
 * exits 0 at once. */
static void test_availability_stream_is_live(void **state)
{
	struct served s;
	long long ev = make_event(unique_name("Stream"), "2027-05-06", 0);
	long long ty = make_type(ev, "Adult", 40, 1000, 1);
	struct sockaddr_in a;
	char req[300], buf[16384], want[64];
	size_t len = 0, mark;
	int fd;

	(void)state;
	serve_start(&s, NULL);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)s.port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	snprintf(req, sizeof req,
		 "GET /availability?event=%lld&type=%lld HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n", ev, ty);
	assert_true(write(fd, req, strlen(req)) == (ssize_t)strlen(req));
	assert_true(read_until(fd, buf, sizeof buf, &len, "\"available\":40", 0));
	assert_non_null(strstr(buf, "text/event-stream"));
	mark = len;
	json_decref(cli_json("$BOXOFFICE sell --event %lld --type %lld --qty 3 --payment card", ev, ty));
	snprintf(want, sizeof want, "\"available\":%d", 37);
	assert_true(read_until(fd, buf, sizeof buf, &len, want, mark));
	assert_non_null(strstr(buf + mark, "event: availability"));
	/* a plain GET agrees */
	{
		char path[100];
		struct http_answer g;
		snprintf(path, sizeof path, "/availability?event=%lld&type=%lld", ev, ty);
		g = http_do(&s, "GET", path, NULL, NULL, NULL);
		assert_int_equal(g.status, 200);
		assert_non_null(strstr(g.body, want));
		http_answer_free(&g);
	}
	assert_int_equal(serve_stop(&s), 0);
	close(fd);
}

/* Each row of GET /availability says its type's seats a ticket, as
 * `inventory --json` does: its counts are seats, and a shop selling a
 * Group of 10 turns "available":45 into 4 tickets with it. */
static void test_availability_says_seats_per_ticket(void **state)
{
	struct served s;
	long long ev = make_event(unique_name("Seats"), "2027-05-07", 0);
	long long adult = make_type(ev, "Adult", 40, 1000, 1), group = make_type(ev, "Group", 45, 9000, 10);
	char path[100];
	struct http_answer g;
	json_t *rows, *row;
	size_t i;
	int seen = 0;

	(void)state;
	serve_start(&s, NULL);
	snprintf(path, sizeof path, "/availability?event=%lld", ev);
	g = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(g.status, 200);
	rows = json_loads(g.body, 0, NULL);
	assert_non_null(rows);
	json_array_foreach (rows, i, row) {
		long long type = json_integer_value(json_object_get(row, "type"));
		json_t *spt = json_object_get(row, "seats_per_ticket");
		if (!json_is_integer(spt))
			fail_msg("row without seats_per_ticket: %s", g.body);
		if (type == adult) {
			assert_int_equal(json_integer_value(spt), 1);
			seen |= 1;
		} else if (type == group) {
			assert_int_equal(json_integer_value(spt), 10);
			assert_int_equal(json_integer_value(json_object_get(row, "available")) / json_integer_value(spt), 4);
			seen |= 2;
		}
	}
	assert_int_equal(seen, 3);
	json_decref(rows);
	http_answer_free(&g);
	assert_int_equal(serve_stop(&s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_64_clients_race_for_the_last_30_seats),
		cmocka_unit_test(test_one_idempotency_key_ten_times_sells_once),
		cmocka_unit_test(test_sigterm_under_load_leaves_no_partial_order),
		cmocka_unit_test(test_keys_revoke_rate_and_scope),
		cmocka_unit_test(test_api_login_is_narrow),
		cmocka_unit_test(test_availability_stream_is_live),
		cmocka_unit_test(test_availability_says_seats_per_ticket),
	};
	return cmocka_run_group_tests_name("serve", tests, setup, teardown);
}

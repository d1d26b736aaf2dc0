/* `boxoffice serve` as the sales channels meet it: 64 clients racing for
 * the last 30 seats through /tickets/adjust, one idempotency key sent ten
 * times at once, SIGTERM under load, keys revoked and rate-limited, the
 * serve login's narrow role, and the change log naming the key. */
#include <pthread.h>
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
		assert_true(json_equal(a, b));
		json_decref(a);
		json_decref(b);
		free(rs[i].answer);
	}
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_64_clients_race_for_the_last_30_seats),
		cmocka_unit_test(test_one_idempotency_key_ten_times_sells_once),
	};
	return cmocka_run_group_tests_name("serve", tests, setup, teardown);
}

/* A hostile user against `boxoffice serve`: what an attacker could do
 * without a key or with the wrong one, each a defect found and fixed. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- GET /availability needs no key: unknown event IDs must not fill
 * serve's table of live events and deny the real ones ---- */

#define PROBES 10000
#define PROBERS 16

struct prober {
	const struct served *s;
	long long first;
	int n, not_found;
};

static void *probe(void *arg)
{
	struct prober *p = arg;
	char path[64];

	for (int i = 0; i < p->n; i++) {
		struct http_answer a;
		snprintf(path, sizeof path, "/availability?event=%lld", p->first + i);
		a = http_do(p->s, "GET", path, NULL, NULL, NULL);
		if (a.status == 404)
			p->not_found++;
		http_answer_free(&a);
	}
	return NULL;
}

static void test_unknown_events_do_not_crowd_out_real_ones(void **state)
{
	struct prober ps[PROBERS];
	pthread_t th[PROBERS];
	struct served s;
	struct http_answer a;
	char path[64];
	long long ev, base = 900000000000LL, not_found = 0;

	(void)state;
	serve_start(&s, NULL);
	/* nobody asked for this event before the flood */
	ev = make_event(unique_name("Crowded"), "2027-03-01", 0);
	make_type(ev, "Seat", 10, 1000, 1);
	for (int i = 0; i < PROBERS; i++) {
		ps[i] = (struct prober){ &s, base + (long long)i * (PROBES / PROBERS), PROBES / PROBERS, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, probe, &ps[i]), 0);
	}
	for (int i = 0; i < PROBERS; i++) {
		pthread_join(th[i], NULL);
		not_found += ps[i].not_found;
	}
	assert_true(not_found > PROBES / 2);
	snprintf(path, sizeof path, "/availability?event=%lld", ev);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "\"capacity\":10"));
	http_answer_free(&a);
	assert_int_equal(serve_stop(&s), 0);
}

static long long count_of_max_order(long long ev)
{
	char idt[24];
	const char *p[1] = { idt };
	snprintf(idt, sizeof idt, "%lld", ev);
	return test_scalar(conn, "SELECT max(id) FROM ticket_order WHERE event_id = $1::bigint", 1, p);
}

/* ---- a channel key changes only what it made: not the public page's
 * orders, nor another key's of the same channel ---- */

static void test_a_key_cancels_only_its_own_orders(void **state)
{
	struct served s;
	struct http_answer a;
	char body[300], form[300], path[64];
	const char *hdrs[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
	char *mine = apikey_new(NULL, "--name '%s' --channel web --rate 0", unique_name("partner a"));
	char *theirs = apikey_new(NULL, "--name '%s' --channel web --rate 0", unique_name("partner b"));
	long long ev, ty, public_order, their_order;

	(void)state;
	ev = make_event(unique_name("Owned"), "2027-03-02", 0);
	ty = make_type(ev, "Seat", 10, 1000, 1);
	serve_start(&s, NULL);
	snprintf(path, sizeof path, "/events/%lld/order", ev);
	snprintf(form, sizeof form, "payment=invoice&email=victim%%40example.org&company=V&qty_%lld=2&idem=own1", ty);
	a = http_do(&s, "POST", path, NULL, form, hdrs);
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	public_order = count_of_max_order(ev);
	snprintf(body, sizeof body, "{\"op\":\"sell\",\"event\":%lld,\"type\":%lld,\"qty\":1,\"reference\":\"B-1\"}", ev, ty);
	a = http_do(&s, "POST", "/tickets/adjust", theirs, body, NULL);
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	their_order = count_of_max_order(ev);
	assert_true(their_order > public_order);
	for (int i = 0; i < 2; i++) {
		const char *op = i ? "refund" : "cancel";
		snprintf(body, sizeof body, "{\"op\":\"%s\",\"order\":%lld}", op, public_order);
		a = http_do(&s, "POST", "/tickets/adjust", mine, body, NULL);
		assert_int_equal(a.status, 404);
		http_answer_free(&a);
		snprintf(body, sizeof body, "{\"op\":\"%s\",\"order\":%lld}", op, their_order);
		a = http_do(&s, "POST", "/tickets/adjust", mine, body, NULL);
		assert_int_equal(a.status, 404);
		http_answer_free(&a);
	}
	a = http_do(&s, "POST", "/tickets/adjust", mine, "{\"op\":\"cancel\",\"reference\":\"B-1\"}", NULL);
	assert_int_equal(a.status, 404);
	http_answer_free(&a);
	/* the owner still can */
	snprintf(body, sizeof body, "{\"op\":\"refund\",\"order\":%lld}", their_order);
	a = http_do(&s, "POST", "/tickets/adjust", theirs, body, NULL);
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	{
		char idt[24];
		const char *p[1] = { idt };
		snprintf(idt, sizeof idt, "%lld", public_order);
		assert_int_equal(test_scalar(conn, "SELECT (status = 'requested')::int FROM ticket_order WHERE id = $1::bigint", 1, p), 1);
	}
	assert_int_equal(serve_stop(&s), 0);
	free(mine);
	free(theirs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unknown_events_do_not_crowd_out_real_ones),
		cmocka_unit_test(test_a_key_cancels_only_its_own_orders),
	};
	return cmocka_run_group_tests_name("serve attack", tests, setup, teardown);
}

/* serve when the database goes quiet or away: behind a loopback proxy that
 * can freeze (a dropped link: no reset, no answer) or cut (every
 * connection closed). Requests that need the database answer 503 with
 * Retry-After within their deadline; what needs none (health, the live
 * availability state) answers at once; when the link comes back, so does
 * serve, and no notification is lost. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "http.h"
#include "proxy.h"

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
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* GET path until its body contains want (deadline ms); true when it did. */
static bool eventually(const struct served *s, const char *path, const char *want, int deadline)
{
	long long until = now_ms() + deadline;
	do {
		struct http_answer a = http_do(s, "GET", path, NULL, NULL, NULL);
		bool ok = a.status == 200 && strstr(a.body, want);
		if (ok) {
			http_answer_free(&a);
			return true;
		}
		if (now_ms() + 100 >= until)
			print_message("last answer to %s: %ld %s\n", path, a.status, a.body ? a.body : "");
		http_answer_free(&a);
		usleep(100 * 1000);
	} while (now_ms() < until);
	return false;
}

static void test_frozen_and_cut_database(void **state)
{
	struct proxy *p = proxy_start(NULL);
	struct served s;
	long long ev = make_event(unique_name("Faults"), "2027-05-07", 0);
	long long ty = make_type(ev, "Adult", 50, 1000, 1);
	char *key = apikey_new(NULL, "--name '%s' --channel web --rate 0", unique_name("faults"));
	long long ty2 = make_type(ev, "Child", 50, 500, 1);
	char body[200], path[100], other[200], page[64];
	struct http_answer a;
	long long t0, took;

	(void)state;
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1}", ev, ty);
	snprintf(other, sizeof other, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1}", ev, ty2);
	snprintf(path, sizeof path, "/availability?event=%lld&type=%lld", ev, ty);
	serve_start_as(&s, "BOXOFFICE_DEADLINE_MS=2000", (const char *[]){ "-d", proxy_conninfo(p), NULL },
		       (const char *[]){ "--threads", "4", NULL });
	a = http_do(&s, "POST", "/tickets/adjust", key, body, NULL);
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	assert_true(eventually(&s, path, "\"available\":49", 3000));

	/* Frozen, a sale without an idempotency key: 503, and the answer names
	 * no key the client could repeat (on another type: if it lands at the
	 * thaw, the counts below hold). Then serve is back. */
	proxy_freeze(p);
	a = http_do(&s, "POST", "/tickets/adjust", key, other, NULL);
	assert_int_equal(a.status, 503);
	if (!strstr(a.body, "may or may not have been made") || strstr(a.body, "dempotency"))
		fail_msg("a keyless sale while frozen: %s", a.body);
	http_answer_free(&a);
	proxy_thaw(p);
	snprintf(page, sizeof page, "/events/%lld", ev);
	assert_true(eventually(&s, page, "<html", 10000));

	/* Frozen: a sale answers 503 + Retry-After within its deadline, saying
	 * it may have been made; health and availability answer at once. */
	proxy_freeze(p);
	t0 = now_ms();
	a = http_do(&s, "POST", "/tickets/adjust", key, body, (const char *[]){ "Idempotency-Key: frozen-1", NULL });
	took = now_ms() - t0;
	assert_int_equal(a.status, 503);
	assert_non_null(http_answer_header(&a, "Retry-After"));
	assert_non_null(strstr(a.body, "may or may not have been made"));
	assert_non_null(strstr(a.body, "same Idempotency-Key"));
	assert_true(took < 8000);
	http_answer_free(&a);
	t0 = now_ms();
	a = http_do(&s, "GET", "/health", NULL, NULL, NULL);
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "\"available\":49"));
	http_answer_free(&a);
	assert_true(now_ms() - t0 < 1500);
	/* a sale at the counter while serve cannot hear */
	json_decref(cli_json("$BOXOFFICE sell --event %lld --type %lld --qty 2 --payment card", ev, ty));
	/* longer than the listener's silence check: it gives up on the link */
	sleep(7);
	proxy_thaw(p);
	/* The frozen sale's bytes may reach the server at the thaw: repeating
	 * it with its key sells once either way. */
	t0 = now_ms();
	for (;;) {
		a = http_do(&s, "POST", "/tickets/adjust", key, body, (const char *[]){ "Idempotency-Key: frozen-1", NULL });
		if (a.status == 200 || now_ms() - t0 > 10000)
			break;
		http_answer_free(&a);
		usleep(200 * 1000);
	}
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	/* back: the counter's sale shows */
	assert_true(eventually(&s, path, "\"available\":46", 15000));
	a = http_do(&s, "POST", "/tickets/adjust", key, body, NULL);
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	assert_true(eventually(&s, path, "\"available\":45", 5000));

	/* Cut: every connection closed at once; serve reconnects. */
	proxy_cut(p);
	json_decref(cli_json("$BOXOFFICE sell --event %lld --type %lld --qty 1 --payment card", ev, ty));
	assert_true(eventually(&s, path, "\"available\":44", 10000));
	t0 = now_ms();
	for (;;) {
		a = http_do(&s, "POST", "/tickets/adjust", key, body, NULL);
		if (a.status == 200 || now_ms() - t0 > 10000)
			break;
		http_answer_free(&a);
		usleep(200 * 1000);
	}
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	assert_int_equal(serve_stop(&s), 0);
	{
		char idt[24];
		const char *pp[1] = { idt };
		snprintf(idt, sizeof idt, "%lld", ty);
		assert_int_equal(test_scalar(conn, "SELECT sold FROM ticket_type WHERE id = $1::bigint", 1, pp), 7);
	}
	proxy_stop(p);
	free(key);
}

/* SIGTERM with the database silent: serve is gone within 15 s (README),
 * however its threads were waiting (17.1 s were measured). */
static void test_stop_with_a_silent_database_within_15_s(void **state)
{
	struct served s;
	struct proxy *p = proxy_start(NULL);
	long long t0;
	int st;

	(void)state;
	assert_non_null(p);
	serve_start_as(&s, NULL, (const char *[]){ "-d", proxy_conninfo(p), NULL }, NULL);
	proxy_freeze(p);
	sleep(3); /* housekeeping's next call and the outbox wait on it */
	t0 = now_ms();
	st = serve_stop(&s);
	if (now_ms() - t0 > 15000)
		fail_msg("serve took %lld ms to stop (exit %d)", now_ms() - t0, st);
	assert_int_equal(st, 0);
	proxy_thaw(p);
	proxy_stop(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frozen_and_cut_database),
		cmocka_unit_test(test_stop_with_a_silent_database_within_15_s),
	};
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests_name("serve_faults", tests, setup, teardown);
}

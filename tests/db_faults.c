/* Fault tests: a loopback proxy between a client and PostgreSQL that the
 * test freezes (a silent link: nothing forwarded, nothing closed), thaws
 * and cuts. These first tests prove the proxy itself behaves like the
 * faults it stands for, so the station tests built on it mean something. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "helpers.h"
#include "proxy.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Waits up to ms for the query's answer; true when it came. */
static bool answer_within(PGconn *c, int ms)
{
	double end = now_ms() + ms;
	while (PQisBusy(c)) {
		struct pollfd pfd = { .fd = PQsocket(c), .events = POLLIN };
		int left = (int)(end - now_ms());
		if (left <= 0)
			return false;
		if (poll(&pfd, 1, left) > 0 && !PQconsumeInput(c))
			return true; /* an error is an answer too */
	}
	return true;
}

static void test_proxy_freeze_is_silent_thaw_resumes(void **state)
{
	struct proxy *p = proxy_start(NULL);
	PGconn *c;
	PGresult *res;
	(void)state;

	assert_non_null(p);
	c = PQconnectdb(proxy_conninfo(p));
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	res = PQexec(c, "SELECT 41 + 1");
	assert_string_equal(PQgetvalue(res, 0, 0), "42");
	PQclear(res);

	proxy_freeze(p);
	assert_int_equal(PQsendQuery(c, "SELECT 'after the thaw'"), 1);
	/* Silent: no answer and no error while frozen. */
	assert_false(answer_within(c, 700));
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	proxy_thaw(p);
	assert_true(answer_within(c, 5000));
	res = PQgetResult(c);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	assert_string_equal(PQgetvalue(res, 0, 0), "after the thaw");
	PQclear(res);
	while ((res = PQgetResult(c)))
		PQclear(res);

	/* Cut: loud, the client learns at once. */
	proxy_cut(p);
	res = PQexec(c, "SELECT 1");
	assert_int_not_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
	assert_int_equal(PQstatus(c), CONNECTION_BAD);
	PQfinish(c);
	proxy_stop(p);
}

static void test_held_answers_arrive_after_the_work_is_done(void **state)
{
	struct proxy *p = proxy_start(NULL);
	PGconn *c = PQconnectdb(proxy_conninfo(p)), *direct = test_connect();
	PGresult *res;
	(void)state;

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PQclear(PQexec(direct, "CREATE TABLE IF NOT EXISTS proxy_probe (n int)"));
	PQclear(PQexec(direct, "TRUNCATE proxy_probe"));
	proxy_hold_answers(p);
	assert_int_equal(PQsendQuery(c, "INSERT INTO proxy_probe VALUES (7)"), 1);
	assert_false(answer_within(c, 700));
	/* The server committed although the client heard nothing. */
	assert_int_equal(test_scalar(direct, "SELECT count(*) FROM proxy_probe", 0, NULL), 1);
	proxy_thaw(p);
	assert_true(answer_within(c, 5000));
	res = PQgetResult(c);
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	while ((res = PQgetResult(c)))
		PQclear(res);
	PQclear(PQexec(direct, "DROP TABLE proxy_probe"));
	PQfinish(c);
	PQfinish(direct);
	proxy_stop(p);
}

static void test_frozen_proxy_accepts_and_never_answers(void **state)
{
	struct proxy *p = proxy_start(NULL);
	char conninfo[320];
	double t0;
	PGconn *c;
	(void)state;

	proxy_freeze(p);
	/* libpq's own connect_timeout is the only thing that ends this wait. */
	snprintf(conninfo, sizeof conninfo, "%s connect_timeout=2", proxy_conninfo(p));
	t0 = now_ms();
	c = PQconnectdb(conninfo);
	assert_int_equal(PQstatus(c), CONNECTION_BAD);
	assert_true(now_ms() - t0 >= 1500);
	PQfinish(c);
	proxy_thaw(p);
	c = PQconnectdb(proxy_conninfo(p));
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PQfinish(c);
	proxy_stop(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proxy_freeze_is_silent_thaw_resumes),
		cmocka_unit_test(test_held_answers_arrive_after_the_work_is_done),
		cmocka_unit_test(test_frozen_proxy_accepts_and_never_answers),
	};
	PQfinish(test_migrate_connect());
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tickets reach people, against the real database: tickets come from
 * settled orders exactly once, tokens verify and resist tampering,
 * reissue invalidates old tokens, zbarimg reads badges, assignments are
 * all or nothing. */
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static PGconn *conn;
static long long event_id;


static int expect_status(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int expect_status(int status, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	struct run_result r;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	r = run_cmd("%s", cmd);
	if (r.status != status)
		fail_msg("'%.200s' exited %d, expected %d: %s", cmd, r.status, status, r.err);
	run_free(&r);
	return r.status;
}

static int setup(void **state)
{
	(void)state;
	conn = test_migrate_connect();
	event_id = make_event(unique_name("Tickets"), "2027-10-01", 0);
	make_type(event_id, "Adult", 1000, 20000, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

static long long new_order(const char *payment, int qty)
{
	json_t *doc = cli_json("$BOXOFFICE order add --event %lld --lines Adult:%d --payment %s --company Acme",
			       event_id, qty, payment);
	long long id = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	return id;
}

static long long count_tickets(long long order)
{
	char o[24];
	const char *p[1] = { o };
	snprintf(o, sizeof o, "%lld", order);
	return test_scalar(conn, "SELECT count(*) FROM ticket WHERE order_id = $1 AND status = 'valid'", 1, p);
}

struct settler {
	long long order;
	const char *sql;
	pthread_barrier_t *start;
	bool ok;
};

static void *settle_run(void *arg)
{
	struct settler *s = arg;
	PGconn *c = PQconnectdb("application_name=settler");
	char o[24];
	const char *p[1] = { o };
	PGresult *r;
	snprintf(o, sizeof o, "%lld", s->order);
	pthread_barrier_wait(s->start);
	r = PQexecParams(c, s->sql, 1, NULL, p, NULL, NULL, 0);
	s->ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	PQclear(r);
	PQfinish(c);
	return NULL;
}

static int race(long long order, const char *sql)
{
	pthread_t t[8];
	struct settler s[8];
	pthread_barrier_t start;
	int ok = 0;
	pthread_barrier_init(&start, NULL, 8);
	for (int i = 0; i < 8; i++) {
		s[i] = (struct settler){ order, sql, &start, false };
		pthread_create(&t[i], NULL, settle_run, &s[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		ok += s[i].ok;
	}
	pthread_barrier_destroy(&start);
	return ok;
}

static void test_settle_makes_tickets_once(void **state)
{
	long long order = new_order("invoice", 5);
	(void)state;
	assert_int_equal(count_tickets(order), 0);
	json_decref(cli_json("$BOXOFFICE order invoice %lld", order));
	/* Eight stations settle at the same instant: one wins. */
	assert_int_equal(race(order, "SELECT order_set_status($1, 'settled', NULL, 'RACE', 'race')"), 1);
	assert_int_equal(count_tickets(order), 5);
	/* Settling again is refused; generating again makes nothing new. */
	expect_status(1, "$BOXOFFICE order settle %lld", order);
	json_decref(cli_json("$BOXOFFICE order tickets %lld", order));
	assert_int_equal(race(order, "SELECT order_generate_tickets($1)"), 8);
	assert_int_equal(count_tickets(order), 5);
	/* A refund voids them all. */
	json_decref(cli_json("$BOXOFFICE order refund %lld", order));
	assert_int_equal(count_tickets(order), 0);
}

static char *first_token(long long order, long long *ticket)
{
	static char token[256];
	json_t *list = cli_json("$BOXOFFICE ticket list --order %lld --json", order);
	json_t *t = json_array_get(list, 0);
	snprintf(token, sizeof token, "%s", json_string_value(json_object_get(t, "token")));
	if (ticket)
		*ticket = json_integer_value(json_object_get(t, "id"));
	json_decref(list);
	return token;
}

/* Shell-quotes a token (base45 has spaces and $). */
static const char *q(const char *s)
{
	static char buf[2][600];
	static int slot;
	char *b = buf[slot++ % 2];
	snprintf(b, sizeof buf[0], "'%s'", s);
	return b;
}

static void test_tokens_verify_and_resist_tampering(void **state)
{
	long long order = new_order("card", 2), ticket;
	char token[256], bad[256];
	(void)state;
	json_decref(cli_json("$BOXOFFICE order settle %lld", order));
	snprintf(token, sizeof token, "%s", first_token(order, &ticket));
	json_decref(cli_json("$BOXOFFICE ticket verify %s", q(token)));
	/* one character changed */
	snprintf(bad, sizeof bad, "%s", token);
	bad[20] = bad[20] == 'A' ? 'B' : 'A';
	expect_status(1, "$BOXOFFICE ticket verify %s", q(bad));
	/* truncated, and not ours */
	snprintf(bad, sizeof bad, "%.60s", token);
	expect_status(1, "$BOXOFFICE ticket verify %s", q(bad));
	expect_status(1, "$BOXOFFICE ticket verify https://example.com");
	/* a token for a voided ticket */
	json_decref(cli_json("$BOXOFFICE order refund %lld", order));
	expect_status(1, "$BOXOFFICE ticket verify %s", q(token));
	/* the public key is exportable, and is the one tokens verify with */
	{
		json_t *k = cli_json("$BOXOFFICE event key --event %lld --json", event_id);
		assert_int_equal(strlen(json_string_value(json_object_get(k, "public_key"))), 64);
		json_decref(k);
	}
}

static void test_reissue_invalidates_old_token(void **state)
{
	long long order = new_order("free", 1), ticket;
	char t1[256], t2[256], t3[256];
	(void)state;
	json_decref(cli_json("$BOXOFFICE order settle %lld", order));
	snprintf(t1, sizeof t1, "%s", first_token(order, &ticket));
	json_decref(cli_json("$BOXOFFICE ticket assign %lld --name 'Anna A' --email anna@example.com", ticket));
	/* a first assignment keeps the token (nobody else held it) */
	assert_string_equal(first_token(order, NULL), t1);
	json_decref(cli_json("$BOXOFFICE ticket assign %lld --name 'Bo B' --email bo@example.com --company 'Fjord AB'", ticket));
	snprintf(t2, sizeof t2, "%s", first_token(order, NULL));
	assert_string_not_equal(t1, t2);
	expect_status(1, "$BOXOFFICE ticket verify %s", q(t1));
	json_decref(cli_json("$BOXOFFICE ticket verify %s", q(t2)));
	json_decref(cli_json("$BOXOFFICE ticket reissue %lld --reason lost", ticket));
	snprintf(t3, sizeof t3, "%s", first_token(order, NULL));
	expect_status(1, "$BOXOFFICE ticket verify %s", q(t2));
	json_decref(cli_json("$BOXOFFICE ticket verify %s", q(t3)));
	/* the holder is someone other than the buyer */
	{
		json_t *list = cli_json("$BOXOFFICE ticket list --order %lld --json", order);
		assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "person")), "Bo B");
		json_decref(list);
	}
}

static void test_badge_reads_back_with_zbarimg(void **state)
{
	long long order = new_order("card", 1), ticket;
	char token[256], png[256];
	struct run_result r;
	(void)state;
	json_decref(cli_json("$BOXOFFICE order settle %lld", order));
	snprintf(token, sizeof token, "%s", first_token(order, &ticket));
	json_decref(cli_json("$BOXOFFICE ticket assign %lld --name 'Åsa Öberg-Lindqvist' --email asa.o@example.com "
			     "--company 'Nordlys Energi AB'", ticket));
	snprintf(png, sizeof png, "%s/badge-%lld.png", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp",
		 ticket);
	json_decref(cli_json("$BOXOFFICE ticket badge %lld --png %s", ticket, png));
	r = run_cmd("zbarimg --quiet --raw %s 2>/dev/null", png);
	assert_int_equal(r.status, 0);
	r.out[strcspn(r.out, "\n")] = '\0';
	assert_string_equal(r.out, token);
	run_free(&r);
	/* unwritable path: one line, exit 3 */
	expect_status(3, "$BOXOFFICE ticket badge %lld --png /nonexistent/dir/b.png", ticket);
}

static void test_assignment_bad_input(void **state)
{
	long long order = new_order("card", 2), ticket;
	char *big = malloc(10001);
	char o[24];
	const char *p[1] = { o };
	(void)state;
	json_decref(cli_json("$BOXOFFICE order settle %lld", order));
	first_token(order, &ticket);
	memset(big, 'x', 10000);
	big[10000] = '\0';
	expect_status(2, "$BOXOFFICE ticket assign %lld --name 'A' --email not-an-address", ticket);
	expect_status(2, "$BOXOFFICE ticket assign %lld --name %s --email a@example.com", ticket, big);
	expect_status(2, "$BOXOFFICE ticket assign %lld --name '' --email a@example.com", ticket);
	expect_status(2, "$BOXOFFICE ticket assign %lld --email a@example.com", ticket);
	snprintf(o, sizeof o, "%lld", order);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket WHERE order_id = $1 AND person_id IS NOT NULL", 1, p), 0);
	/* a void ticket cannot be assigned */
	json_decref(cli_json("$BOXOFFICE order refund %lld", order));
	expect_status(1, "$BOXOFFICE ticket assign %lld --name A --email a@example.com", ticket);
	free(big);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_bulk_csv_all_or_nothing(void **state)
{
	long long order = new_order("sponsored", 3);
	char path[256], o[24];
	const char *p[1] = { o };
	struct run_result r;
	(void)state;
	json_decref(cli_json("$BOXOFFICE order settle %lld", order));
	snprintf(o, sizeof o, "%lld", order);
	snprintf(path, sizeof path, "%s/people.csv", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp");
	/* One bad row: nothing is assigned, every row is reported. */
	write_file(path, "\xEF\xBB\xBFname,email\r\n\"Lund, Karl\",karl@example.com\r\nNo Mail,nomail\r\nEva,eva@example.com\r\n");
	r = run_cmd("$BOXOFFICE ticket assign-csv --order %lld --file %s", order, path);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "\"errors\":1"));
	assert_non_null(strstr(r.out, "not an address"));
	assert_non_null(strstr(r.err, "nothing was assigned"));
	run_free(&r);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket WHERE order_id = $1 AND person_id IS NOT NULL", 1, p), 0);
	/* BOM, CRLF, quoted commas: all three assigned; a dry run first changes nothing. */
	write_file(path, "\xEF\xBB\xBFname,email,company\r\n\"Lund, Karl\",karl@example.com,\"Fjord, North\"\r\n"
			 "Eva,eva@example.com,\r\nÅke,ake@example.com,Birch\r\n");
	json_decref(cli_json("$BOXOFFICE ticket assign-csv --order %lld --file %s --dry-run", order, path));
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket WHERE order_id = $1 AND person_id IS NOT NULL", 1, p), 0);
	json_decref(cli_json("$BOXOFFICE ticket assign-csv --order %lld --file %s", order, path));
	assert_int_equal(test_scalar(conn, "SELECT count(DISTINCT person_id) FROM ticket WHERE order_id = $1", 1, p), 3);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket k JOIN person pe ON pe.id = k.person_id "
					   "WHERE k.order_id = $1 AND pe.name = 'Lund, Karl' AND pe.company = 'Fjord, North'", 1, p), 1);
	/* no free ticket left for a fourth person */
	write_file(path, "Late,late@example.com\n");
	expect_status(1, "$BOXOFFICE ticket assign-csv --order %lld --file %s", order, path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settle_makes_tickets_once),
		cmocka_unit_test(test_tokens_verify_and_resist_tampering),
		cmocka_unit_test(test_reissue_invalidates_old_token),
		cmocka_unit_test(test_badge_reads_back_with_zbarimg),
		cmocka_unit_test(test_assignment_bad_input),
		cmocka_unit_test(test_bulk_csv_all_or_nothing),
	};
	return cmocka_run_group_tests_name("tickets", tests, setup, teardown);
}

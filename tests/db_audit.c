/* The Audit log (db/027 change_log_page, `boxoffice audit`, the screen):
 * each filter answers exactly the rows about its order, ticket, person,
 * station or user, a page at a time by keyset with no gap and no row
 * twice while other processes log between pages; bad input is exit 2, an
 * unknown ID exit 1; the screen at 80×24 filters, pages, shows a change
 * in full and takes new changes live. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "tmux.h"

static PGconn *conn;
static long long event_id, order_id, other_order, tickets[3], person_a, person_b;
static char station[64];

/* A unique station name without spaces (one shell word, one filter word). */
static const char *station_name(const char *prefix)
{
	static char buf[4][96];
	static int slot;
	char *b = buf[slot++ % 4];
	snprintf(b, sizeof buf[0], "%s", unique_name(prefix));
	for (char *c = b; *c; c++)
		if (*c == ' ')
			*c = '-';
	return b;
}

static int setup(void **state)
{
	json_t *doc, *list;
	(void)state;
	conn = test_migrate_connect();
	snprintf(station, sizeof station, "%s", station_name("audit-st"));
	event_id = make_event(unique_name("Audit"), "2027-10-01", 0);
	make_type(event_id, "Adult", 100, 10000, 1);
	/* an order made at our station, settled, its tickets assigned and
	 * one reassigned, one checked in and the check-in undone */
	doc = cli_json("$BOXOFFICE --station %s order add --event %lld --lines Adult:3 --payment invoice "
		       "--company Audit --contact Ann --email ann@example.com",
		       station, event_id);
	order_id = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	json_decref(cli_json("$BOXOFFICE --station %s order invoice %lld", station, order_id));
	json_decref(cli_json("$BOXOFFICE --station %s order settle %lld --ref R1", station, order_id));
	list = cli_json("$BOXOFFICE ticket list --order %lld --json", order_id);
	assert_int_equal(json_array_size(list), 3);
	for (int i = 0; i < 3; i++)
		tickets[i] = json_integer_value(json_object_get(json_array_get(list, (size_t)i), "id"));
	doc = cli_json("$BOXOFFICE --station %s ticket assign %lld --name 'Ada A' --email ada.audit@example.com", station,
		       tickets[0]);
	person_a = json_integer_value(json_object_get(doc, "person"));
	json_decref(doc);
	doc = cli_json("$BOXOFFICE --station %s ticket assign %lld --name 'Bo B' --email bo.audit@example.com", station,
		       tickets[1]);
	person_b = json_integer_value(json_object_get(doc, "person"));
	json_decref(doc);
	/* ticket 0 moves from Ada to Bo: it is about both of them */
	json_decref(cli_json("$BOXOFFICE --station %s ticket assign %lld --name 'Bo B' --email bo.audit@example.com "
			     "--reassign",
			     station, tickets[0]));
	json_decref(list);
	list = cli_json("$BOXOFFICE ticket list --order %lld --json", order_id);
	{
		struct run_result r = run_cmd("$BOXOFFICE --station %s checkin --gate g1 --event %lld --token '%s'", station,
					      event_id,
					      json_string_value(json_object_get(json_array_get(list, 1), "token")));
		assert_int_equal(r.status, 0);
		run_free(&r);
		r = run_cmd("$BOXOFFICE --station %s checkin undo %lld --reason 'wrong person' --gate g1", station, tickets[1]);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	json_decref(list);
	/* another order of the same event: never in the first one's rows */
	doc = cli_json("$BOXOFFICE --station %s sell --event %lld --type Adult --qty 2 --payment card", station, event_id);
	other_order = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

/* Every row of `boxoffice audit FLAGS`, paged with --limit 2 and
 * --before: their ids, newest first, into ids (at most max). */
static int page_all(const char *flags, long long *ids, int max)
{
	long long before = 0;
	int n = 0, pages = 0;

	for (;;) {
		char extra[64] = "";
		json_t *doc, *rows, *row, *next;
		size_t i;
		if (before)
			snprintf(extra, sizeof extra, " --before %lld", before);
		doc = cli_json("$BOXOFFICE audit %s --limit 2 --json%s", flags, extra);
		rows = json_object_get(doc, "rows");
		next = json_object_get(doc, "next_before");
		assert_true(json_is_array(rows));
		assert_true(json_array_size(rows) <= 2);
		json_array_foreach (rows, i, row) {
			assert_true(n < max);
			ids[n++] = json_integer_value(json_object_get(row, "id"));
			/* the contract's keys */
			assert_non_null(json_object_get(row, "at"));
			assert_non_null(json_object_get(row, "summary"));
			assert_non_null(json_object_get(row, "detail"));
		}
		pages++;
		if (json_is_null(next)) {
			json_decref(doc);
			break;
		}
		assert_true(json_is_integer(next));
		assert_int_equal(json_integer_value(next), ids[n - 1]);
		before = json_integer_value(next);
		json_decref(doc);
		assert_true(pages < 200);
	}
	return n;
}

/* The ids a direct SQL gives, newest first, must be what paging gave. */
static void same_as_sql(const long long *ids, int n, const char *sql, const char *param)
{
	const char *p[2] = { param, station };
	PGresult *res = test_query(conn, sql, param ? 2 : 1, param ? p : p + 1);
	if (PQntuples(res) != n)
		fail_msg("paging gave %d rows, SQL %d (%s)", n, PQntuples(res), sql);
	for (int i = 0; i < n; i++)
		assert_int_equal(atoll(PQgetvalue(res, i, 0)), ids[i]);
	PQclear(res);
}

static void test_filters_exact(void **state)
{
	long long ids[400];
	char flags[256], param[24];
	int n;
	(void)state;

	/* the order: its status changes, its seats, its tickets' rows */
	snprintf(flags, sizeof flags, "--order %lld", order_id);
	snprintf(param, sizeof param, "%lld", order_id);
	n = page_all(flags, ids, 400);
	same_as_sql(ids, n,
		    "SELECT id FROM change_log c WHERE $2::text IS NOT NULL AND ("
		    "(entity = 'order' AND entity_id = $1::bigint) "
		    "OR (entity = 'inventory' AND entity_id = $1::bigint AND action IN ('order', 'sell', 'cancelled', 'refunded')) "
		    "OR (entity = 'ticket' AND entity_id IN (SELECT id FROM ticket WHERE order_id = $1::bigint))) "
		    "ORDER BY id DESC",
		    param);
	/* by hand: requested (db/073), 1 order line, invoice_sent, settled,
	 * tickets_generated, 2 assigned, 1 reassigned, 1 checkin_undo */
	assert_int_equal(n, 9);

	/* a ticket: its assignments and the undone check-in */
	snprintf(flags, sizeof flags, "--ticket %lld", tickets[1]);
	snprintf(param, sizeof param, "%lld", tickets[1]);
	n = page_all(flags, ids, 400);
	assert_int_equal(n, 2); /* assigned, checkin_undo */
	same_as_sql(ids, n,
		    "SELECT id FROM change_log WHERE $2::text IS NOT NULL AND entity = 'ticket' AND entity_id = $1::bigint "
		    "ORDER BY id DESC",
		    param);

	/* a person: every row of a ticket they hold or held */
	snprintf(flags, sizeof flags, "--person %lld", person_a);
	n = page_all(flags, ids, 400);
	assert_int_equal(n, 2); /* ticket 0 assigned to Ada, then moved to Bo */
	snprintf(flags, sizeof flags, "--person %lld", person_b);
	n = page_all(flags, ids, 400);
	assert_int_equal(n, 4); /* ticket 0 (2 rows), ticket 1 (2 rows) */
	snprintf(param, sizeof param, "%lld", person_b);
	same_as_sql(ids, n,
		    "SELECT id FROM change_log WHERE $2::text IS NOT NULL AND entity = 'ticket' AND entity_id IN "
		    "(SELECT id FROM ticket WHERE person_id = $1::bigint) ORDER BY id DESC",
		    param);

	/* the station (and the user with it): exactly what it logged */
	snprintf(flags, sizeof flags, "--station %s", station);
	n = page_all(flags, ids, 400);
	same_as_sql(ids, n, "SELECT id FROM change_log WHERE station = $1 ORDER BY id DESC", NULL);
	assert_int_equal(n, 11); /* the order's 9 and the other sale's requested and sell */
	snprintf(flags, sizeof flags, "--station %s --user boxoffice", station);
	n = page_all(flags, ids, 400);
	same_as_sql(ids, n, "SELECT id FROM change_log WHERE station = $1 AND actor = 'boxoffice' ORDER BY id DESC",
		    NULL);
	snprintf(flags, sizeof flags, "--station %s --user nobody-%s", station, station);
	assert_int_equal(page_all(flags, ids, 400), 0);
	/* the event: the other order's sale is in it */
	snprintf(flags, sizeof flags, "--event %lld --station %s", event_id, station);
	n = page_all(flags, ids, 400);
	same_as_sql(ids, n, "SELECT id FROM change_log WHERE station = $1 AND event_id IS NOT NULL ORDER BY id DESC",
		    NULL);
}

/* Pages by keyset while another process logs between them: every row
 * that was there once, none twice, none skipped; the new ones come on
 * the next first page. */
static void test_keyset_while_rows_arrive(void **state)
{
	const char *st = station_name("audit-keyset");
	long long seen[64], before = 0, first_new;
	int n = 0;
	(void)state;

	for (int i = 0; i < 7; i++)
		json_decref(cli_json("$BOXOFFICE --station %s adjust --event %lld --type Adult --delta -1 --reason 'before %d'",
				     st, event_id, i));
	for (int page = 0; page < 10; page++) {
		char extra[64] = "";
		json_t *doc, *rows, *row;
		size_t i;
		if (before)
			snprintf(extra, sizeof extra, " --before %lld", before);
		doc = cli_json("$BOXOFFICE audit --station %s --limit 2 --json%s", st, extra);
		rows = json_object_get(doc, "rows");
		json_array_foreach (rows, i, row)
			seen[n++] = json_integer_value(json_object_get(row, "id"));
		before = json_is_integer(json_object_get(doc, "next_before"))
				 ? json_integer_value(json_object_get(doc, "next_before"))
				 : 0;
		json_decref(doc);
		if (!before)
			break;
		/* another process logs at the same station meanwhile */
		json_decref(cli_json("$BOXOFFICE --station %s adjust --event %lld --type Adult --delta 1 --reason 'between %d'",
				     st, event_id, page));
	}
	assert_int_equal(n, 7);
	for (int i = 1; i < n; i++)
		assert_true(seen[i] < seen[i - 1]);
	{
		const char *p[1] = { st };
		PGresult *res = test_query(conn,
					   "SELECT id FROM change_log WHERE station = $1 AND reason LIKE 'before %' ORDER BY id DESC",
					   1, p);
		assert_int_equal(PQntuples(res), 7);
		for (int i = 0; i < 7; i++)
			assert_int_equal(atoll(PQgetvalue(res, i, 0)), seen[i]);
		PQclear(res);
		first_new = test_scalar(conn, "SELECT max(id) FROM change_log WHERE station = $1", 1, p);
	}
	{
		json_t *doc = cli_json("$BOXOFFICE audit --station %s --limit 1 --json", st);
		json_t *row = json_array_get(json_object_get(doc, "rows"), 0);
		assert_int_equal(json_integer_value(json_object_get(row, "id")), first_new);
		assert_string_equal(json_string_value(json_object_get(row, "reason")), "between 2"); /* after pages 1, 2 and 3 of 4 */
		json_decref(doc);
	}
}

static void expect_exit(int code, const char *needle, const char *args)
{
	struct run_result r = run_cmd("$BOXOFFICE audit %s", args);
	if (r.status != code)
		fail_msg("audit %s: exit %d, wanted %d (%s)", args, r.status, code, r.err);
	if (needle)
		assert_non_null(strstr(r.err, needle));
	assert_string_equal(r.out, "");
	run_free(&r);
}

static void test_bad_input(void **state)
{
	(void)state;
	expect_exit(2, "--limit", "--limit 0");
	expect_exit(2, "--limit", "--limit 501");
	expect_exit(2, "--order", "--order abc");
	expect_exit(2, "--before", "--before -3");
	expect_exit(2, "--station is empty", "--station ''");
	expect_exit(2, "--user is empty", "--user ''");
	expect_exit(2, NULL, "--frobnicate 1");
	expect_exit(1, "order 999999999: no such order", "--order 999999999");
	expect_exit(1, "ticket 999999999: no such ticket", "--ticket 999999999");
	expect_exit(1, "person 999999999: no such person", "--person 999999999");
	expect_exit(1, "no such event", "--event 'No Such Audit Event'");
}

/* Without --json: a table, newest first, and the way to the next page. */
static void test_human_table(void **state)
{
	struct run_result r = run_cmd("$BOXOFFICE audit --order %lld --limit 3", order_id);
	char want[160], *line;
	(void)state;

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "WHEN"));
	assert_non_null(strstr(r.out, "STATION"));
	assert_non_null(strstr(r.out, "ticket #"));
	/* the last line: the same command from the last row shown */
	line = strstr(r.out, "next page: boxoffice audit --order");
	assert_non_null(line);
	{
		long long last = 0;
		char *row = r.out, *nl;
		while ((nl = strchr(row, '\n')) && nl + 1 < line)
			row = nl + 1;
		last = atoll(row);
		assert_true(last > 0);
		snprintf(want, sizeof want, "--limit 3 --before %lld\n", last);
		assert_non_null(strstr(line, want));
	}
	run_free(&r);
	r = run_cmd("$BOXOFFICE audit --ticket %lld", tickets[1]);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "checkin_undo"));
	assert_non_null(strstr(r.out, "wrong person"));
	assert_non_null(strstr(r.out, "(end of the log)"));
	run_free(&r);
}

/* At 80×24: the newest change on top; a filter by order; paging down
 * past the first page reads the next; Enter shows a change in full; a
 * change another process makes appears live, the cursor kept. */
static void test_screen_80x24(void **state)
{
	const char *st = station_name("audit-screen");
	const char *p[1] = { st };
	char cmd[256], keys[64], *screen;
	struct tmux t;
	(void)state;

	/* 150 rows at a station of its own: more than one page (100). The
	 * log takes the station from the connection (db/026), so the test's
	 * connection names itself that station for the insert. */
	PQclear(test_query(conn, "SELECT set_config('application_name', $1, false)", 1, p));
	PQclear(test_query(conn,
			   "INSERT INTO change_log (entity, entity_id, action, reason) "
			   "SELECT 'test', g, 'bulk', 'bulk row ' || g FROM generate_series(1, 150) g",
			   0, NULL));
	PQclear(test_query(conn, "SELECT set_config('application_name', 'tests', false)", 0, NULL));
	json_decref(cli_json("$BOXOFFICE --station %s adjust --event %lld --type Adult --delta -1 --reason 'newest-%s'", st,
			     event_id, st + strlen(st) - 4));
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station %s --screen audit; sleep 30", st);
	tmux_start(&t, "audit80", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Every change", 10000));
	{
		char newest[64];
		snprintf(newest, sizeof newest, "newest-%s", st + strlen(st) - 4);
		assert_true(tmux_wait_for(&t, newest, 5000));
		screen = tmux_capture(&t);
		/* the newest change is the first row */
		assert_int_equal(screen_row_of(screen, newest), screen_row_of(screen, "WHEN") + 1);
		free(screen);
	}

	/* filter by order */
	tmux_keys(&t, "/");
	assert_true(tmux_wait_for(&t, "Enter applies", 5000));
	snprintf(keys, sizeof keys, "order:%lld", order_id);
	tmux_type(&t, keys);
	tmux_keys(&t, "Enter");
	snprintf(cmd, sizeof cmd, "Changes about order:%lld", order_id);
	assert_true(tmux_wait_for(&t, cmd, 5000));
	assert_true(tmux_wait_for(&t, "9 changes shown, the log's start", 5000));
	assert_true(tmux_wait_for(&t, "reassigned", 5000));

	/* our station's rows: past the first page, the next is read */
	tmux_keys(&t, "f");
	assert_true(tmux_wait_for(&t, "Enter applies", 5000));
	for (int i = 0; i < 40; i++)
		tmux_keys(&t, "BSpace");
	snprintf(keys, sizeof keys, "station:%s", st);
	tmux_type(&t, keys);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "100 changes shown, more below", 5000));
	for (int i = 0; i < 6; i++)
		tmux_keys(&t, "PageDown");
	assert_true(tmux_wait_for(&t, "151 changes shown, the log's start", 5000));
	assert_true(tmux_wait_for(&t, "bulk row", 5000));

	/* Enter: the change in full */
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Change #", 5000));
	assert_true(tmux_wait_for(&t, "Reason:   bulk row", 5000));
	assert_true(tmux_wait_for(&t, "Detail:", 5000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "WHEN", 5000));
	assert_true(tmux_wait_gone(&t, "Change #", 5000));

	/* live: another process logs at this station */
	tmux_keys(&t, "Home");
	json_decref(cli_json("$BOXOFFICE --station %s adjust --event %lld --type Adult --delta 1 --reason live-%s", st,
			     event_id, st + strlen(st) - 4));
	snprintf(cmd, sizeof cmd, "live-%s", st + strlen(st) - 4);
	assert_true(tmux_wait_for(&t, cmd, 5000));
	assert_true(tmux_wait_for(&t, "152 changes shown", 5000));
	screen = tmux_capture(&t);
	assert_int_equal(screen_row_of(screen, cmd), screen_row_of(screen, "WHEN") + 1);
	free(screen);
	tmux_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filters_exact),
		cmocka_unit_test(test_keyset_while_rows_arrive),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_human_table),
		cmocka_unit_test(test_screen_80x24),
	};
	return cmocka_run_group_tests_name("audit", tests, setup, teardown);
}

/* The dashboard's figures against the real database: its order and money
 * figures are the Ticket Orders grid's (one definition, db_order_summary),
 * and both equal SQL over the orders themselves — before and after the
 * statistics are compacted. */
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/core/order.h"
#include "../src/db/dashboard.h"
#include "../src/db/orders.h"
#include "helpers.h"
#include "tmux.h"

static PGconn *conn;
static struct db *db;
static long long event_id;
static char event_s[24];

static long long add_order(const char *payment, int qty)
{
	json_t *doc = cli_json("$BOXOFFICE order add --event %lld --lines Adult:%d --payment %s --company Dash "
			       "--contact Dee --email dee@example.com",
			       event_id, qty, payment);
	long long id = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	return id;
}

static int setup(void **state)
{
	(void)state;
	conn = test_migrate_connect();
	db = db_new(NULL, "dashboard-test");
	if (!db_connect(db))
		return -1;
	event_id = make_event(unique_name("Dashboard"), "2027-09-01", 0);
	snprintf(event_s, sizeof event_s, "%lld", event_id);
	make_type(event_id, "Adult", 1000, 12500, 1);
	/* every status, several payments */
	add_order("invoice", 1);                                                  /* requested */
	json_decref(cli_json("$BOXOFFICE order invoice %lld", add_order("invoice", 2))); /* invoice_sent */
	{
		long long id = add_order("invoice", 3);
		json_decref(cli_json("$BOXOFFICE order invoice %lld", id));
		json_decref(cli_json("$BOXOFFICE order settle %lld", id));
	}
	json_decref(cli_json("$BOXOFFICE order settle %lld", add_order("card", 4)));  /* settled */
	json_decref(cli_json("$BOXOFFICE order cancel %lld", add_order("card", 5)));  /* cancelled */
	{
		long long id = add_order("card", 6);
		json_decref(cli_json("$BOXOFFICE order settle %lld", id));
		json_decref(cli_json("$BOXOFFICE order refund %lld", id));       /* refunded */
	}
	json_decref(cli_json("$BOXOFFICE order settle %lld", add_order("free", 7)));
	add_order("sponsored", 8);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	db_free(db);
	PQfinish(conn);
	return 0;
}

static long long sql_orders(const char *what, const char *where)
{
	char sql[512];
	const char *p[1] = { event_s };
	snprintf(sql, sizeof sql, "SELECT coalesce(%s, 0) FROM ticket_order o WHERE o.event_id = $1 AND %s", what,
		 where);
	return test_scalar(conn, sql, 1, p);
}

static void check_figures(void)
{
	struct dashboard_figures d;
	struct order_summary s;
	struct order_filter f;

	f.event_id = event_id;
	order_filter_reset(&f);
	assert_true(db_dashboard_read(db, event_id, &d));
	assert_true(db_order_summary(db, &f, &s));

	/* the dashboard's money is the grid's */
	assert_int_equal(d.paid, s.cell[ORDER_SETTLED][SUMMARY_COLS - 1].amount);
	assert_int_equal(d.outstanding, s.cell[ORDER_REQUESTED][SUMMARY_COLS - 1].amount +
						s.cell[ORDER_INVOICE_SENT][SUMMARY_COLS - 1].amount);
	/* its rows by status are the grid's rows */
	for (int st = ORDER_REQUESTED; st <= ORDER_SETTLED; st++) {
		assert_int_equal(d.orders.by_status[st].orders, s.cell[st][SUMMARY_COLS - 1].orders);
		assert_int_equal(d.orders.by_status[st].tickets, s.cell[st][SUMMARY_COLS - 1].tickets);
		assert_int_equal(d.orders.by_status[st].amount, s.cell[st][SUMMARY_COLS - 1].amount);
	}
	/* and all of it is what the orders say */
	assert_int_equal(d.paid, sql_orders("sum(gross_cents)", "status = 'settled'"));
	assert_int_equal(d.outstanding, sql_orders("sum(gross_cents)", "status IN ('requested', 'invoice_sent')"));
	assert_true(d.paid > 0 && d.outstanding > 0);
	for (int st = 0; st < ORDER_STATUS_COUNT; st++) {
		char where[128];
		snprintf(where, sizeof where, "status = '%s'", order_status_name((enum order_status)st));
		assert_true(d.orders.by_status[st].orders > 0);
		assert_int_equal(d.orders.by_status[st].orders, sql_orders("count(*)", where));
		assert_int_equal(d.orders.by_status[st].tickets, sql_orders("sum(quantity)", where));
		assert_int_equal(d.orders.by_status[st].amount, sql_orders("sum(gross_cents)", where));
		strcat(where, " AND order_date = event_day(event_id, now())");
		assert_int_equal(d.orders.today[st], sql_orders("count(*)", where));
	}
	{
		const char *p[1] = { event_s };
		assert_int_equal(d.tickets, test_scalar(conn, "SELECT count(*) FROM ticket WHERE event_id = $1 "
							      "AND status = 'valid'", 1, p));
	}
	assert_int_equal(d.ntypes, 1);
	assert_string_equal(d.types[0].name, "Adult");
}

static void test_dashboard_equals_orders_summary(void **state)
{
	const char *p[1] = { event_s };
	(void)state;
	check_figures();
	/* some orders dated earlier: "today" follows the order date */
	PQclear(test_query(conn, "SELECT set_config('boxoffice.reason', 'test dates', false)", 0, NULL));
	PQclear(test_query(conn, "UPDATE ticket_order SET order_date = current_date - 3 WHERE event_id = $1 "
				 "AND quantity % 2 = 0", 1, p));
	check_figures();
	PQclear(test_query(conn, "SELECT order_stats_compact()", 0, NULL));
	check_figures();
}

/* An order made at `at` (SQL timestamptz), dated as the database dates it. */
static void order_at(long long event, const char *at)
{
	char ev[24];
	const char *p[2] = { ev, at };
	snprintf(ev, sizeof ev, "%lld", event);
	PQclear(test_query(conn, "SELECT set_config('boxoffice.reason', 'test order', false)", 0, NULL));
	PQclear(test_query(conn, "INSERT INTO ticket_order (event_id, company, payment, quantity, net_cents, "
				 "vat_cents, created_at) VALUES ($1, 'Midnight AB', 'free', 1, 0, 0, $2::timestamptz)",
			   2, p));
}

/* How many orders `order list --event E --from D --to D --json` lists. */
static long long listed_on(long long event, const char *day)
{
	json_t *list = cli_json("$BOXOFFICE order list --event %lld --from %s --to %s --json", event, day, day);
	long long n = (long long)json_array_size(list);
	json_decref(list);
	return n;
}

/* Orders made around midnight UTC are dated by the event's time zone
 * (Oslo is UTC+1 in January), and `order list --from/--to` finds them on
 * that day. */
static void test_order_date_is_the_events_day(void **state)
{
	long long ev = make_event(unique_name("Oslo Night"), "2041-02-01", 0);
	json_t *events;
	(void)state;

	order_at(ev, "2027-01-15 22:30:00+00"); /* 23:30 in Oslo: the 15th */
	order_at(ev, "2027-01-15 23:30:00+00"); /* 00:30 in Oslo: the 16th */
	order_at(ev, "2027-01-16 00:10:00+00"); /* 01:10 in Oslo: the 16th */
	assert_int_equal(listed_on(ev, "2027-01-15"), 1);
	assert_int_equal(listed_on(ev, "2027-01-16"), 2);
	/* the event says which zone its days are in; an unknown zone is a usage error */
	events = cli_json("$BOXOFFICE event list --json");
	{
		char *text = json_dumps(events, 0);
		assert_non_null(strstr(text, "\"time_zone\": \"Europe/Oslo\""));
		free(text);
	}
	json_decref(events);
	{
		struct run_result r = run_cmd("$BOXOFFICE event add --name '%s' --date 2027-01-01 --tz Mars/Olympus",
					      unique_name("Mars"));
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, "not a known zone name"));
		run_free(&r);
	}
	/* names the server knows that are not a place: localtime follows
	 * the server's own setting */
	for (int i = 0; i < 3; i++) {
		static const char *const not_places[] = { "localtime", "posixrules", "Factory" };
		struct run_result r = run_cmd("$BOXOFFICE event add --name '%s' --date 2027-01-01 --tz %s",
					      unique_name("Nowhere"), not_places[i]);
		assert_int_equal(r.status, 2);
		run_free(&r);
	}
}

/* The dashboard's TODAY is the event's today (here a zone 14 hours ahead
 * of UTC, where the server's current_date is often another day) and
 * equals the count of `order list --from today --to today`. */
static void test_dashboard_today_is_order_list_today(void **state)
{
	json_t *doc = cli_json("$BOXOFFICE event add --name '%s' --date 2041-03-01 --tz Pacific/Kiritimati",
			       unique_name("Line Islands"));
	long long ev = json_integer_value(json_object_get(doc, "id")), today = 0;
	char ev_s[24], day[16];
	const char *p[1] = { ev_s };
	struct dashboard_figures d;
	PGresult *res;
	(void)state;

	json_decref(doc);
	snprintf(ev_s, sizeof ev_s, "%lld", ev);
	res = test_query(conn, "SELECT (now() AT TIME ZONE 'Pacific/Kiritimati')::date::text", 0, NULL);
	snprintf(day, sizeof day, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	/* the event's midnight, a minute either side, and now */
	res = test_query(conn, "SELECT ((($1::date)::timestamp AT TIME ZONE 'Pacific/Kiritimati') - interval '1 minute')::text, "
			       "((($1::date)::timestamp AT TIME ZONE 'Pacific/Kiritimati') + interval '1 minute')::text",
			 1, (const char *const[]){ day });
	order_at(ev, PQgetvalue(res, 0, 0)); /* yesterday at the event */
	order_at(ev, PQgetvalue(res, 0, 1)); /* today */
	PQclear(res);
	order_at(ev, "now");
	assert_true(db_dashboard_read(db, ev, &d));
	for (int st = 0; st < ORDER_STATUS_COUNT; st++)
		today += d.orders.today[st];
	assert_int_equal(today, 2);
	assert_int_equal(listed_on(ev, day), today);
	PQclear(test_query(conn, "SELECT order_stats_compact()", 0, NULL));
	assert_true(db_dashboard_read(db, ev, &d));
	today = 0;
	for (int st = 0; st < ORDER_STATUS_COUNT; st++)
		today += d.orders.today[st];
	assert_int_equal(today, 2);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket_order WHERE event_id = $1", 1, p), 3);
}

/* At 80×24: statuses as words, TODAY says what it counts, and a large
 * amount is abbreviated to its column, never cut. */
static void test_dashboard_at_80x24(void **state)
{
	long long ev = make_event(unique_name("Big Money"), "2041-10-01", 0);
	struct tmux t;
	char cmd[256], *screen;
	(void)state;

	make_type(ev, "Patron", 1000, 1000000000LL, 1); /* 10,000,000.00 a ticket */
	json_decref(cli_json("$BOXOFFICE sell --event %lld --type Patron --qty 80 --payment card", ev));
	{
		json_t *doc = cli_json("$BOXOFFICE order add --event %lld --lines Patron:1 --payment invoice", ev);
		json_decref(cli_json("$BOXOFFICE order invoice %lld", (long long)json_integer_value(json_object_get(doc, "id"))));
		json_decref(doc);
	}
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen dashboard --event %lld; sleep 30", ev);
	tmux_start(&t, "dash80", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Live", 10000));
	screen = tmux_capture(&t);
	tmux_stop(&t);
	assert_non_null(strstr(screen, "Invoice sent"));
	assert_null(strstr(screen, "invoice_sent"));
	assert_non_null(strstr(screen, "ORDERS TODAY"));
	/* 80 tickets at 12,500,000.00 incl. VAT: 1,000,000,000.00 (16) in a
	 * 15-column AMOUNT: abbreviated whole, not cut */
	{
		char *row = strstr(screen, "Settled"), *end;
		assert_non_null(row);
		end = strchr(row, '\n');
		*end = '\0';
		assert_non_null(strstr(row, "  1,000,000,000 "));
		assert_null(strstr(row, "1,000,000,000.0"));
		*end = '\n';
	}
	/* per method: too wide exact, so every figure rounded and said so
	 * (on two lines: the By method line and its continuation) */
	{
		char *row = strstr(screen, "By method, paid/outstanding"), *end;
		assert_non_null(row);
		end = strchr(row, '\n');
		if (end && strncmp(end + 1, "   ", 3) == 0 && strchr(end + 1, '\n'))
			end = strchr(end + 1, '\n');
		*end = '\0';
		assert_non_null(strstr(row, "(rounded)"));
		assert_non_null(strstr(row, "Invoice "));
		assert_non_null(strstr(row, "Card "));
		assert_null(strstr(row, ".00"));
	}
	free(screen);
}

/* Organizations: an organization's orders are those placed on its behalf
 * and those naming it as company (any case) — cancelled ones aside; the
 * screen at 80×24 shows the name whole and the amount in currency units. */
static void test_organizations_orders_and_80x24(void **state)
{
	long long ev = make_event(unique_name("Orgs"), "2041-12-01", 0), eo;
	char ev_s[24], name[120], cmd[256], *screen;
	const char *p[2] = { ev_s, name };
	json_t *list, *row = NULL;
	struct tmux t;
	size_t i;
	(void)state;

	snprintf(ev_s, sizeof ev_s, "%lld", ev);
	snprintf(name, sizeof name, "Fjord Maritime Consulting %s", unique_name("AS") + 3);
	make_type(ev, "Adult", 100, 39900, 1); /* 498.75 incl. VAT */
	PQclear(test_query(conn, "INSERT INTO organization (name) VALUES ($1)", 1, p + 1));
	eo = test_scalar(conn, "INSERT INTO event_organization (event_id, organization_id, relationship, visibility) "
			       "SELECT $1, id, 'sponsor', 'public' FROM organization WHERE name = $2 RETURNING id", 2, p);
	/* a counter sale naming it in other case, an order on its behalf, a cancelled one */
	{
		char lower[120];
		for (i = 0; i <= strlen(name); i++)
			lower[i] = (char)tolower((unsigned char)name[i]);
		json_decref(cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 2 --payment card --company \"%s\"",
				     ev, lower));
	}
	{
		json_t *doc = cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 2 --payment card --company \"%s\"",
				       ev, name);
		json_decref(cli_json("$BOXOFFICE order refund %lld", (long long)json_integer_value(json_object_get(doc, "id"))));
		json_decref(doc);
		doc = cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 2 --payment card --company \"%s\"", ev, name);
		json_decref(doc);
	}
	json_decref(cli_json("$BOXOFFICE order add --event %lld --lines Adult:1 --org %lld", ev, eo));
	list = cli_json("$BOXOFFICE org list --event %lld --json", ev);
	json_array_foreach(list, i, row)
		if (json_integer_value(json_object_get(row, "id")) == eo)
			break;
	assert_non_null(row);
	assert_string_equal(json_string_value(json_object_get(row, "organization")), name);
	assert_int_equal(json_integer_value(json_object_get(row, "orders")), 3); /* by name in any case, and --org */
	assert_int_equal(json_integer_value(json_object_get(row, "amount")), 5 * 49875);
	json_decref(list);

	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen organizations --event %lld; sleep 30", ev);
	tmux_start(&t, "orgs80", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "ORGANIZATION", 10000));
	assert_true(tmux_wait_for(&t, "2,493.75", 5000));
	screen = tmux_capture(&t);
	/* Enter (as o): its orders, in Ticket Orders filtered to it */
	tmux_keys(&t, "Home Enter");
	assert_true(tmux_wait_for(&t, "the orders of Fjord Maritime", 5000));
	assert_true(tmux_wait_for(&t, "Refunded", 5000));
	{
		char *orders = tmux_capture(&t);
		int rows = 0;
		for (char *q = orders; (q = strstr(q, "Fjord Maritime")) != NULL; q++)
			rows++;
		free(orders);
		assert_true(rows >= 4); /* the Org: filter, the status line and its orders */
	}
	/* Esc back: a new sale naming it moves its counts, live */
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "2,493.75", 5000));
	json_decref(cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment card --company \"%s\"", ev, name));
	assert_true(tmux_wait_for(&t, "4 ·  2,992.50", 5000));
	tmux_stop(&t);
	assert_non_null(strstr(screen, "Fjord Maritime Consulting")); /* 25 characters, not 8 */
	assert_non_null(strstr(screen, "3 ·  2,493.75"));
	assert_null(strstr(screen, "249375"));
	free(screen);
}

/* An undone check-in no longer counts as checked in (the undo is a
 * check-out with a reason; the dashboard counted any scan). */
static void test_undone_checkin_leaves_the_count(void **state)
{
	long long ev = make_event(unique_name("Undo Dash"), "2027-10-01", 0), order;
	struct dashboard_figures d;
	json_t *doc;
	char token[256];
	(void)state;

	make_type(ev, "Adult", 10, 1000, 1);
	doc = cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment card", ev);
	order = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	long long ticket = order_ticket(order, 0, token, sizeof token);
	{
		struct run_result r = run_cmd("$BOXOFFICE checkin --gate dash --event %lld --token '%s'", ev, token);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	assert_true(db_dashboard_read(db, ev, &d));
	assert_int_equal(d.checked_in, 1);
	{
		struct run_result r = run_cmd("$BOXOFFICE checkin undo %lld --reason 'wrong person'", ticket);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	assert_true(db_dashboard_read(db, ev, &d));
	assert_int_equal(d.checked_in, 0);
	assert_int_equal(d.inside, 0);
}

/* Paid/outstanding by method at 80 columns: grouped whole units
 * ("44,490"), every method shown — on a second line when one is too
 * short — never "44490" nor "+1 more". */
static void test_methods_grouped_and_all_shown_at_80(void **state)
{
	long long ev = make_event(unique_name("Methods"), "2041-11-01", 0);
	struct tmux t;
	char cmd[256], *screen, *row, *end;
	(void)state;

	/* 10 × 4,449.00 and 10 × 4,666.50 incl. VAT; one card ticket of 1,234,567.89 */
	make_type(ev, "Seat", 1000, 355920, 1);
	make_type(ev, "Box", 1000, 373320, 1);
	make_type(ev, "Patron", 10, 98765431LL, 1);
	{
		json_t *doc = cli_json("$BOXOFFICE order add --event %lld --lines Seat:10 --payment invoice", ev);
		long long id = (long long)json_integer_value(json_object_get(doc, "id"));
		json_decref(cli_json("$BOXOFFICE order invoice %lld", id));
		json_decref(cli_json("$BOXOFFICE order settle %lld", id));
		json_decref(doc);
	}
	json_decref(cli_json("$BOXOFFICE order add --event %lld --lines Box:10 --payment invoice", ev));
	json_decref(cli_json("$BOXOFFICE sell --event %lld --type Patron --qty 1 --payment card", ev));
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen dashboard --event %lld; sleep 30", ev);
	tmux_start(&t, "dashmeth", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Live", 10000));
	assert_true(tmux_wait_for(&t, "By method", 5000));
	screen = tmux_capture(&t);
	tmux_stop(&t);
	row = strstr(screen, "By method, paid/outstanding");
	assert_non_null(row);
	end = strchr(row, '\n');
	if (end && strncmp(end + 1, "   ", 3) == 0 && strchr(end + 1, '\n'))
		end = strchr(end + 1, '\n'); /* its second line */
	*end = '\0';
	if (!strstr(row, "Invoice 44,490/46,665") || !strstr(row, "Card 1,234,568/0") || strstr(row, "more"))
		fail_msg("methods not grouped and whole:\n%s", row);
	free(screen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dashboard_equals_orders_summary),
		cmocka_unit_test(test_order_date_is_the_events_day),
		cmocka_unit_test(test_dashboard_today_is_order_list_today),
		cmocka_unit_test(test_dashboard_at_80x24),
		cmocka_unit_test(test_methods_grouped_and_all_shown_at_80),
		cmocka_unit_test(test_organizations_orders_and_80x24),
		cmocka_unit_test(test_undone_checkin_leaves_the_count),
	};
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests_name("dashboard", tests, setup, teardown);
}

/* The dashboard's figures against the real database: its order and money
 * figures are the Ticket Orders grid's (one definition, db_order_summary),
 * and both equal SQL over the orders themselves — before and after the
 * statistics are compacted. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/core/order.h"
#include "../src/db/dashboard.h"
#include "../src/db/orders.h"
#include "helpers.h"

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
		strcat(where, " AND order_date = current_date");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dashboard_equals_orders_summary),
	};
	return cmocka_run_group_tests_name("dashboard", tests, setup, teardown);
}

/* The order list, summary and export against the real database: every
 * filter narrows to what SQL says, every page in every sort (whichever plan
 * reads it) is SQL's, the summary equals a SQL count of the same filter,
 * the CSV equals the JSON list, bad input is refused. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../src/core/order_filter.h"
#include "../src/db/orders.h"
#include "helpers.h"

static PGconn *conn;
static long long event_id;
static char event_s[24];

static const char *const companies[] = {
	"O'Brien & Co", "100% Fun AB", "Back\\slash Ltd", "Emoji 🎟 AB", "=HYPERLINK(\"x\")",
	"Quote \"Q\" Inc", "Plain Oy", "Comma, Partners", "+Plus", "-Minus", "@At",
};


/* Shell single-quoting for our own test strings. */
static const char *sq(const char *s)
{
	static char buf[4][512];
	static int slot;
	char *b = buf[slot++ % 4], *o = b;
	*o++ = '\'';
	for (; *s && o < b + sizeof buf[0] - 6; s++) {
		if (*s == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *s;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return b;
}

static int setup(void **state)
{
	static const char *const payments[] = { "invoice", "card", "sponsored", "free" };
	(void)state;
	conn = test_migrate_connect();
	event_id = make_event(unique_name("Orders"), "2027-08-01", 0);
	snprintf(event_s, sizeof event_s, "%lld", event_id);
	make_type(event_id, "Adult", 1000, 39900, 1);
	make_type(event_id, "Child", 1000, 14900, 1);
	/* A spread of companies, payments and statuses. */
	for (int i = 0; i < 44; i++) {
		const char *company = companies[i % 11];
		const char *payment = payments[i % 4];
		json_t *doc = cli_json("$BOXOFFICE order add --event %lld --lines Adult:%d%s --payment %s "
				       "--company %s --contact 'Contact %d' --email c%d@example.com",
				       event_id, 1 + i % 3, i % 2 ? ",Child:1" : "", payment, sq(company), i, i);
		long long id = json_integer_value(json_object_get(doc, "id"));
		json_decref(doc);
		if (i % 5 == 1) {
			if (strcmp(payment, "invoice") == 0)
				json_decref(cli_json("$BOXOFFICE order invoice %lld", id));
			else
				json_decref(cli_json("$BOXOFFICE order settle %lld", id));
		} else if (i % 5 == 2) {
			json_decref(cli_json("$BOXOFFICE order cancel %lld", id));
		} else if (i % 5 == 3 && strcmp(payment, "invoice") == 0) {
			json_decref(cli_json("$BOXOFFICE order invoice %lld", id));
			json_decref(cli_json("$BOXOFFICE order settle %lld --ref BANK-%d", id, i));
		}
	}
	/* Spread the order dates so date filters have something to cut. */
	{
		const char *p[1] = { event_s };
		PQclear(test_query(conn, "SELECT set_config('boxoffice.reason', 'test dates', false)", 0, NULL));
		PQclear(test_query(conn, "UPDATE ticket_order SET order_date = DATE '2027-01-01' + (id % 60)::integer "
					 "WHERE event_id = $1", 1, p));
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

static long long sql_count(const char *where)
{
	char sql[1024];
	const char *p[1] = { event_s };
	snprintf(sql, sizeof sql, "SELECT count(*) FROM ticket_order o WHERE o.event_id = $1 AND %s", where);
	return test_scalar(conn, sql, 1, p);
}

static void test_each_filter_narrows(void **state)
{
	static const struct {
		const char *flags;
		const char *where;
	} cases[] = {
		{ "", "true" },
		{ "--status settled", "o.status = 'settled'" },
		{ "--status requested", "o.status = 'requested'" },
		{ "--payment invoice", "o.payment = 'invoice'" },
		{ "--payment free --status cancelled", "o.payment = 'free' AND o.status = 'cancelled'" },
		{ "--from 2027-01-20", "o.order_date >= '2027-01-20'" },
		{ "--to 2027-01-20", "o.order_date <= '2027-01-20'" },
		{ "--from 2027-01-10 --to 2027-02-10", "o.order_date BETWEEN '2027-01-10' AND '2027-02-10'" },
		{ "--ticket-count missing", "o.tickets_issued < o.quantity" },
		{ "--ticket-count complete", "o.tickets_issued >= o.quantity" },
		{ "--search brien", "o.company ILIKE '%brien%'" },
		{ "--search \"o'brien\"", "o.company = 'O''Brien & Co'" },
		{ "--search '100%'", "o.company = '100% Fun AB'" },
		{ "--search 'k\\sl'", "o.company = 'Back\\slash Ltd'" },
		{ "--search '🎟'", "o.company = 'Emoji 🎟 AB'" },
		{ "--search '_'", "false" },
		{ "--search 'bank-'", "o.payment_ref LIKE 'BANK-%'" },
		{ "--search C7@EXAMPLE", "o.email = 'c7@example.com'" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		json_t *list = cli_json("$BOXOFFICE order list --event %lld %s --json", event_id, cases[i].flags);
		long long want = sql_count(cases[i].where);
		if ((long long)json_array_size(list) != want)
			fail_msg("order list %s: %zu orders, SQL says %lld", cases[i].flags, json_array_size(list), want);
		json_decref(list);
	}
	/* every filter but the first narrows below the whole */
	assert_true(sql_count("o.status = 'settled'") < sql_count("true"));
	assert_true(sql_count("o.tickets_issued < o.quantity") > 0);
}

static const char *const sort_col[SORT_COUNT] = {
	[SORT_COMPANY] = "company", [SORT_CONTACT] = "contact", [SORT_DATE] = "order_date",
	[SORT_ORDERED] = "quantity", [SORT_TICKETS] = "tickets_issued", [SORT_AMOUNT] = "gross_cents",
	[SORT_VAT] = "vat_cents", [SORT_PAYMENT] = "payment", [SORT_STATUS] = "status",
};

/* Pages of 4 forward to the end, and one back: the same orders in the same
 * order as SQL's ORDER BY of the filter (where, on event $1). */
static void check_pages(struct db *db, const struct order_filter *f, enum order_sort sort, bool desc,
			const char *where)
{
	struct order_page_request req = { .filter = f, .sort = sort, .descending = desc, .limit = 4 };
	char sql[1024], key[256] = "", ev[24], keys[64][256];
	long long got[64], key_ids[64];
	int n = 0;
	const char *p[1] = { ev };
	PGresult *want;

	snprintf(ev, sizeof ev, "%lld", f->event_id);
	for (;;) {
		PGresult *page = db_order_page(db, &req);
		int rows;
		if (!page)
			fail_msg("page: %s", db->err);
		rows = PQntuples(page);
		for (int i = 0; i < rows && n < 64; i++, n++) {
			got[n] = strtoll(PQgetvalue(page, i, OL_ID), NULL, 10);
			key_ids[n] = got[n];
			snprintf(keys[n], sizeof keys[n], "%s", PQgetvalue(page, i, OL_SORTKEY));
		}
		PQclear(page);
		if (rows < req.limit || n >= 64)
			break;
		snprintf(key, sizeof key, "%s", keys[n - 1]);
		req.key = key;
		req.key_id = key_ids[n - 1];
	}
	snprintf(sql, sizeof sql, "SELECT id FROM ticket_order o WHERE o.event_id = $1 AND %s ORDER BY o.%s %s, o.id %s "
		 "LIMIT 64", where, sort_col[sort], desc ? "DESC" : "ASC", desc ? "DESC" : "ASC");
	want = test_query(conn, sql, 1, p);
	if (PQntuples(want) != n)
		fail_msg("%s, sort %s %s: %d orders, SQL %d", where, sort_col[sort], desc ? "desc" : "asc", n,
			 PQntuples(want));
	for (int i = 0; i < n; i++)
		if (got[i] != strtoll(PQgetvalue(want, i, 0), NULL, 10))
			fail_msg("%s, sort %s %s: row %d is order %lld, SQL %s", where, sort_col[sort],
				 desc ? "desc" : "asc", i, got[i], PQgetvalue(want, i, 0));
	PQclear(want);
	/* and back: the 4 before the 5th from the end */
	if (n >= 10) {
		int k = n - 5;
		PGresult *page;
		req.key = keys[k];
		req.key_id = key_ids[k];
		req.before = true;
		page = db_order_page(db, &req);
		assert_non_null(page);
		assert_int_equal(PQntuples(page), 4);
		for (int i = 0; i < 4; i++)
			assert_int_equal(strtoll(PQgetvalue(page, i, OL_ID), NULL, 10), got[k - 4 + i]);
		PQclear(page);
	}
}

/* Every sort both ways, under filters that leave many, few or no matches. */
static void test_pages_equal_sql(void **state)
{
	static const struct {
		int status, payment;
		const char *from, *to, *search;
		enum ticket_count_filter tickets;
		const char *where;
	} cases[] = {
		{ -1, -1, "", "", "", TICKETS_ANY, "true" },
		{ ORDER_SETTLED, -1, "", "", "", TICKETS_ANY, "o.status = 'settled'" },
		{ -1, PAY_FREE, "", "", "", TICKETS_ANY, "o.payment = 'free'" },
		{ ORDER_CANCELLED, PAY_FREE, "", "", "", TICKETS_ANY, "o.status = 'cancelled' AND o.payment = 'free'" },
		{ -1, -1, "2027-01-10", "2027-02-10", "", TICKETS_ANY, "o.order_date BETWEEN '2027-01-10' AND '2027-02-10'" },
		{ -1, PAY_INVOICE, "2027-01-20", "", "", TICKETS_MISSING,
		  "o.payment = 'invoice' AND o.order_date >= '2027-01-20' AND o.tickets_issued < o.quantity" },
		{ ORDER_REFUNDED, -1, "", "", "", TICKETS_ANY, "false" },
		{ -1, -1, "", "", "brien", TICKETS_ANY, "o.company ILIKE '%brien%'" },
	};
	struct db *db = db_new(NULL, "orders-pages-test");
	(void)state;
	assert_true(db_connect(db));
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
		for (int s = 0; s < SORT_COUNT; s++)
			for (int desc = 0; desc < 2; desc++) {
				struct order_filter f;
				order_filter_reset(&f);
				f.event_id = event_id;
				f.status = cases[c].status;
				f.payment = cases[c].payment;
				f.tickets = cases[c].tickets;
				snprintf(f.from, sizeof f.from, "%s", cases[c].from);
				snprintf(f.to, sizeof f.to, "%s", cases[c].to);
				snprintf(f.search, sizeof f.search, "%s", cases[c].search);
				check_pages(db, &f, (enum order_sort)s, desc, cases[c].where);
			}
	db_free(db);
}

/* Matches beyond the bounded walk (3,000 rows of the sort index): 3,500
 * settled orders ahead of 40 requested ones in the tickets order, 70 free
 * ones at the bottom of the amounts. The first page of those is read from
 * the list index (db/062), past the walk; it must still be SQL's. */
static void test_pages_past_the_walk(void **state)
{
	long long ev = make_event(unique_name("Bulk"), "2027-09-01", 0);
	char ev_s[24];
	const char *p[1] = { ev_s };
	struct db *db = db_new(NULL, "orders-bulk-test");
	struct order_filter f;
	(void)state;

	snprintf(ev_s, sizeof ev_s, "%lld", ev);
	PQclear(test_query(conn, "SELECT set_config('boxoffice.reason', 'test bulk', false)", 0, NULL));
	PQclear(test_query(conn,
			   "INSERT INTO ticket_order (event_id, company, contact, email, order_date, payment, status, "
			   "quantity, tickets_issued, net_cents, vat_cents) "
			   "SELECT $1, 'Bulk ' || g, 'C ' || g % 7, 'b@example.com', DATE '2027-01-01' + g % 90, "
			   "(CASE WHEN g % 50 = 0 THEN 'free' ELSE 'card' END)::payment_method, "
			   "(CASE WHEN g <= 3500 THEN 'settled' ELSE 'requested' END)::order_status, 1 + g % 3, "
			   "CASE WHEN g <= 3500 THEN 1 + g % 3 ELSE 0 END, "
			   "CASE WHEN g % 50 = 0 THEN 0 ELSE 1000 + g % 977 END, CASE WHEN g % 50 = 0 THEN 0 ELSE 100 END "
			   "FROM generate_series(1, 3540) g", 1, p));
	PQclear(test_query(conn, "ANALYZE ticket_order", 0, NULL));
	assert_true(db_connect(db));

	order_filter_reset(&f);
	f.event_id = ev;
	f.status = ORDER_REQUESTED;
	check_pages(db, &f, SORT_TICKETS, true, "o.status = 'requested'");
	check_pages(db, &f, SORT_STATUS, false, "o.status = 'requested'");
	order_filter_reset(&f);
	f.event_id = ev;
	f.payment = PAY_FREE;
	check_pages(db, &f, SORT_AMOUNT, true, "o.payment = 'free'");
	check_pages(db, &f, SORT_VAT, false, "o.payment = 'free'");
	check_pages(db, &f, SORT_PAYMENT, true, "o.payment = 'free'");
	order_filter_reset(&f);
	f.event_id = ev;
	snprintf(f.from, sizeof f.from, "2027-02-01");
	snprintf(f.to, sizeof f.to, "2027-02-03");
	check_pages(db, &f, SORT_DATE, true, "o.order_date BETWEEN '2027-02-01' AND '2027-02-03'");
	f.tickets = TICKETS_MISSING;
	check_pages(db, &f, SORT_ORDERED, true,
		    "o.order_date BETWEEN '2027-02-01' AND '2027-02-03' AND o.tickets_issued < o.quantity");
	db_free(db);
}

static void compare_summary(const char *flags, const char *where)
{
	static const char *const rows[] = { "requested", "invoice_sent", "settled" };
	static const char *const cols[] = { "invoice", "card", "sponsored", "free" };
	json_t *doc = cli_json("$BOXOFFICE order summary --event %lld %s --json", event_id, flags);
	char sql[1024];
	const char *p[3] = { event_s };

	snprintf(sql, sizeof sql,
		 "SELECT count(*), coalesce(sum(quantity), 0), coalesce(sum(gross_cents), 0) "
		 "FROM ticket_order o WHERE o.event_id = $1 AND o.status = $2::order_status "
		 "AND o.payment = $3::payment_method AND %s", where);
	for (int r = 0; r < 3; r++)
		for (int c = 0; c < 4; c++) {
			json_t *cell = json_object_get(json_object_get(doc, rows[r]), cols[c]);
			long long got[3] = { json_integer_value(json_object_get(cell, "orders")),
					     json_integer_value(json_object_get(cell, "tickets")),
					     json_integer_value(json_object_get(cell, "amount")) };
			PGresult *res;
			p[1] = rows[r];
			p[2] = cols[c];
			res = test_query(conn, sql, 3, p);
			for (int k = 0; k < 3; k++)
				if (got[k] != strtoll(PQgetvalue(res, 0, k), NULL, 10))
					fail_msg("summary %s [%s][%s] field %d: %lld, SQL %s", flags, rows[r],
						 cols[c], k, got[k], PQgetvalue(res, 0, k));
			PQclear(res);
		}
	/* the total row and column add up */
	{
		json_t *total = json_object_get(json_object_get(doc, "total"), "total");
		snprintf(sql, sizeof sql, "SELECT count(*) FROM ticket_order o WHERE o.event_id = $1 "
			 "AND o.status IN ('requested', 'invoice_sent', 'settled') AND %s", where);
		assert_int_equal(json_integer_value(json_object_get(total, "orders")), test_scalar(conn, sql, 1, p));
	}
	json_decref(doc);
}

static void test_summary_equals_sql(void **state)
{
	(void)state;
	compare_summary("", "true");
	compare_summary("--payment card", "o.payment = 'card'");
	compare_summary("--from 2027-01-15 --to 2027-02-15", "o.order_date BETWEEN '2027-01-15' AND '2027-02-15'");
	compare_summary("--ticket-count missing", "o.tickets_issued < o.quantity");
	/* with a search the grid is counted from the orders themselves */
	compare_summary("--search ab", "o.search_text LIKE '%ab%'");
	/* after a change, before and after the statistics are compacted */
	{
		json_t *doc = cli_json("$BOXOFFICE order add --event %lld --lines Adult:2 --payment card --company Late", event_id);
		json_decref(cli_json("$BOXOFFICE order settle %lld", (long long)json_integer_value(json_object_get(doc, "id"))));
		json_decref(doc);
		compare_summary("", "true");
		PQclear(test_query(conn, "SELECT order_stats_compact()", 0, NULL));
		compare_summary("", "true");
		compare_summary("--status settled", "o.status = 'settled'");
	}
}

/* A small RFC 4180 reader: fields of one record; returns the number. */
static int csv_record(const char **p, char fields[][256], int max)
{
	int n = 0;
	const char *s = *p;
	if (!*s)
		return 0;
	for (;;) {
		size_t o = 0;
		if (*s == '"') {
			s++;
			for (; *s; s++) {
				if (*s == '"' && s[1] == '"') {
					fields[n][o++] = '"';
					s++;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					fields[n][o++] = *s;
				}
			}
		} else {
			while (*s && *s != ',' && *s != '\r')
				fields[n][o++] = *s++;
		}
		fields[n++][o] = '\0';
		if (*s == ',') {
			s++;
			if (n == max)
				return -1;
			continue;
		}
		if (s[0] == '\r' && s[1] == '\n')
			s += 2;
		*p = s;
		return n;
	}
}

static void test_csv_equals_list(void **state)
{
	struct run_result r;
	json_t *list, *row;
	const char *p;
	char f[10][256];
	size_t i = 0;
	bool formula_seen = false;
	(void)state;

	list = cli_json("$BOXOFFICE order list --event %lld --sort company --json", event_id);
	r = run_cmd("$BOXOFFICE order export --event %lld --sort company --csv -", event_id);
	assert_int_equal(r.status, 0);
	p = r.out;
	assert_int_equal(csv_record(&p, f, 10), 10);
	assert_string_equal(f[0], "id");
	assert_string_equal(f[9], "status");
	while (csv_record(&p, f, 10) == 10) {
		char num[32];
		long long cents;
		const char *company;
		row = json_array_get(list, i++);
		assert_non_null(row);
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(row, "id")));
		assert_string_equal(f[0], num);
		company = json_string_value(json_object_get(row, "company"));
		/* formulas come out defused with a leading apostrophe */
		if (strchr("=+-@", company[0])) {
			assert_int_equal(f[1][0], '\'');
			assert_string_equal(f[1] + 1, company);
			formula_seen = true;
		} else {
			assert_string_equal(f[1], company);
		}
		assert_string_equal(f[2], json_string_value(json_object_get(row, "contact")));
		assert_string_equal(f[3], json_string_value(json_object_get(row, "date")));
		/* amounts in currency units with a decimal point, no grouping */
		cents = json_integer_value(json_object_get(row, "amount"));
		snprintf(num, sizeof num, "%lld.%02lld", cents / 100, cents % 100);
		assert_string_equal(f[6], num);
		cents = json_integer_value(json_object_get(row, "vat"));
		snprintf(num, sizeof num, "%lld.%02lld", cents / 100, cents % 100);
		assert_string_equal(f[7], num);
		assert_string_equal(f[8], json_string_value(json_object_get(row, "payment")));
		assert_string_equal(f[9], json_string_value(json_object_get(row, "status")));
	}
	assert_int_equal(i, json_array_size(list));
	assert_true(formula_seen);
	assert_int_equal(*p, '\0');
	run_free(&r);
	json_decref(list);

	/* to a file: written whole, and the same bytes as to stdout */
	{
		char path[256];
		snprintf(path, sizeof path, "%s/orders.csv", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp");
		r = run_cmd("$BOXOFFICE order export --event %lld --status settled --csv %s && "
			    "$BOXOFFICE order export --event %lld --status settled --csv - | cmp - %s",
			    event_id, path, event_id, path);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
}

static void test_bad_input(void **state)
{
	static const struct {
		int status;
		const char *args;
	} cases[] = {
		{ 2, "order list --from 2026-02-30" },
		{ 2, "order list --to 2026-13-01" },
		{ 2, "order list --from 2027-02-01 --to 2027-01-01" },
		{ 2, "order list --status paid" },
		{ 2, "order list --payment cash" },
		{ 2, "order list --ticket-count some" },
		{ 2, "order list --sort colour" },
		{ 2, "order list --limit 0" },
		{ 2, "order summary --from yesterday" },
		{ 2, "order export" },
		{ 3, "order export --csv /nonexistent/dir/orders.csv" },
		{ 2, "order add --event 1" },
		{ 2, "order add --event 1 --lines Adult" },
		{ 2, "order add --event 1 --lines Adult:0" },
		{ 2, "order show" },
	};
	struct stat st;
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct run_result r = run_cmd("$BOXOFFICE %s", cases[i].args);
		if (r.status != cases[i].status)
			fail_msg("'%s' exited %d, expected %d: %s", cases[i].args, r.status, cases[i].status, r.err);
		if (strncmp(r.err, "boxoffice: ", 11) != 0 || strchr(r.err, '\n') != r.err + strlen(r.err) - 1)
			fail_msg("'%s': not one error line: %s", cases[i].args, r.err);
		run_free(&r);
	}
	assert_int_not_equal(stat("/nonexistent/dir/orders.csv", &st), 0);
	/* quotes, percent signs, backslashes and emoji are searched literally */
	{
		json_t *list = cli_json("$BOXOFFICE order list --event %lld --search %s --json", event_id, sq("'\"%\\🎟"));
		assert_int_equal(json_array_size(list), 0);
		json_decref(list);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_filter_narrows),
		cmocka_unit_test(test_pages_equal_sql),
		cmocka_unit_test(test_pages_past_the_walk),
		cmocka_unit_test(test_summary_equals_sql),
		cmocka_unit_test(test_csv_equals_list),
		cmocka_unit_test(test_bad_input),
	};
	return cmocka_run_group_tests_name("orders", tests, setup, teardown);
}

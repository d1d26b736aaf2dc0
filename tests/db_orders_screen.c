/* The Ticket Orders screen and the order detail at 80×24, the floor a clerk
 * may have: tmux runs the real binary against the test database, keys go
 * in, the screen is read back. Each test is one thing the issue (#11)
 * found tripping people: cut numbers, orders that cannot be told apart,
 * navigation that does not match its help, prompts that do not name the
 * order, exports that fail without a reason, filters lost on the way. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../screens/orders.h"
#include "../src/core/money.h"
#include "helpers.h"
#include "proxy.h"
#include "tmux.h"

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

/* Waits until the rows show a, b, c in that order, top to bottom (a
 * sort's mark is drawn before its rows arrive). */
static bool rows_in_order(struct tmux *t, const char *a, const char *b, const char *c, int ms)
{
	for (int waited = 0; waited <= ms; waited += 100) {
		char *screen = tmux_capture(t);
		const char *pa = strstr(screen, a), *pb = pa ? strstr(pa, b) : NULL, *pc = pb ? strstr(pb, c) : NULL;
		free(screen);
		if (pc)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

static bool screen_has(struct tmux *t, const char *text)
{
	char *screen = tmux_capture(t);
	bool has = strstr(screen, text) != NULL;
	free(screen);
	return has;
}

static void start_orders(struct tmux *t, const char *session, long long event_id, const char *env)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "%s $BOXOFFICE --station desk-7 --screen orders --event %lld; sleep 60",
		 env ? env : "", event_id);
	tmux_start(t, session, 80, 24, cmd);
}

static long long order_add(long long event_id, const char *lines, const char *payment, const char *company)
{
	struct run_result r = run_cmd("$BOXOFFICE order add --event %lld --lines %s --payment %s --company '%s'",
				      event_id, lines, payment, company);
	long long id;
	if (r.status != 0)
		fail_msg("order add failed (%d): %s", r.status, r.err);
	id = out_id(r.out);
	run_free(&r);
	return id;
}

static char *order_field(long long id, const char *column)
{
	static char buf[4][256];
	static int slot;
	char ids[24], sql[256];
	const char *p[1] = { ids };
	char *b = buf[slot++ % 4];
	PGresult *res;

	snprintf(ids, sizeof ids, "%lld", id);
	snprintf(sql, sizeof sql, "SELECT coalesce(%s::text, '') FROM ticket_order WHERE id = $1", column);
	res = test_query(conn, sql, 1, p);
	snprintf(b, sizeof buf[0], "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return b;
}

/* The line of the screen that starts (after blanks) with label. */
static bool screen_line(const char *screen, const char *label, char *out, size_t size)
{
	for (const char *line = screen; line && *line;) {
		const char *end = strchr(line, '\n'), *p = line;
		size_t len = end ? (size_t)(end - line) : strlen(line);
		while (*p == ' ')
			p++;
		if (strncmp(p, label, strlen(label)) == 0 && p[strlen(label)] == ' ') {
			snprintf(out, size, "%.*s", (int)len, line);
			return true;
		}
		line = end ? end + 1 : NULL;
	}
	return false;
}

/* A token is an amount shown whole or abbreviated, never cut: what
 * money_format_fit writes for cents at some width. */
static bool money_shown(const char *token, long long cents)
{
	char buf[64];
	for (int w = 1; w <= 16; w++) {
		money_format_fit(buf, sizeof buf, cents, w);
		if (buf[0] != '#' && strcmp(buf, token) == 0)
			return true;
	}
	return false;
}

static bool line_has_money(const char *line, long long cents)
{
	char copy[512], *tok, *save = NULL;
	snprintf(copy, sizeof copy, "%s", line);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (money_shown(tok, cents))
			return true;
	return false;
}

static long long summary_amount(long long event_id, const char *row, const char *col)
{
	json_t *doc = cli_json("$BOXOFFICE order summary --event %lld --json", event_id);
	long long v = json_integer_value(json_object_get(json_object_get(json_object_get(doc, row), col), "amount"));
	json_decref(doc);
	return v;
}

/* 1. At 80 columns the summary grid shows every amount whole or
 * abbreviated (34k, 1.2M), never cut to its first characters. */
static void test_grid_numbers_never_cut_at_80(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Grid Gala"), "2040-01-01", 0);
	long long req_invoice, total;
	char *screen, line[512];
	struct run_result r;
	(void)state;

	/* 13,657.00 net a ticket: two tickets are 34,142.50 gross */
	make_type(event_id, "Adult", 500, 1365700, 1);
	order_add(event_id, "Adult:2", "invoice", "Grid One AB");
	order_add(event_id, "Adult:20", "invoice", "Grid Two AB");
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 30 --company 'Grid Card AB'", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	req_invoice = summary_amount(event_id, "requested", "invoice");
	total = summary_amount(event_id, "total", "total");
	assert_int_equal(req_invoice, 37556750);
	start_orders(&t, "grid", event_id, NULL);
	assert_true(tmux_wait_for(&t, "Grid One AB", 10000));
	assert_true(tmux_wait_gone(&t, "loading", 3000));
	screen = tmux_capture(&t);
	assert_true(screen_line(screen, "Requested", line, sizeof line));
	if (!line_has_money(line, req_invoice))
		fail_msg("requested invoice amount %lld cut: %s\n%s", req_invoice, line, screen);
	assert_true(screen_line(screen, "Total", line, sizeof line));
	if (!line_has_money(line, total))
		fail_msg("total amount %lld cut: %s\n%s", total, line, screen);
	/* one unit for the grid: rounded amounts are said so, and no cell
	 * keeps its cents beside them (0.00 beside 19,931) */
	assert_non_null(strstr(screen, "≈ rounded"));
	assert_true(screen_line(screen, "Invoice sent", line, sizeof line));
	assert_null(strstr(line, ".00"));
	free(screen);
	tmux_stop(&t);
}

/* 2. The list tells orders apart: an ID column, "walk-in · station" for a
 * counter sale without a company, statuses spelled as in the grid. */
static void test_list_ids_walkins_and_statuses(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("List Gala"), "2040-02-01", 0);
	long long walkin, fjord;
	char want[64], *screen;
	struct run_result r;
	(void)state;

	make_type(event_id, "Adult", 500, 10000, 1);
	fjord = order_add(event_id, "Adult:4", "invoice", "Fjord AB");
	r = run_cmd("$BOXOFFICE order invoice %lld", fjord);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_cmd("$BOXOFFICE --station desk-9 sell --event %lld --type Adult --qty 1 --payment card", event_id);
	assert_int_equal(r.status, 0);
	walkin = out_id(r.out);
	run_free(&r);
	start_orders(&t, "list", event_id, NULL);
	snprintf(want, sizeof want, "#%lld", walkin);
	assert_true(tmux_wait_for(&t, "Fjord AB", 10000));
	assert_true(tmux_wait_for(&t, want, 3000));
	snprintf(want, sizeof want, "#%lld", fjord);
	assert_true(screen_has(&t, want));
	assert_true(screen_has(&t, "walk-in · desk-9"));
	screen = tmux_capture(&t);
	/* the list row, the grid row: the same words */
	assert_non_null(strstr(strstr(screen, "Fjord AB"), "Invoice sent"));
	assert_null(strstr(screen, "invoice_sen"));
	free(screen);
	/* the status filter shows the choice whole */
	tmux_keys(&t, "Tab Tab i");
	assert_true(tmux_wait_for(&t, "Status Invoice sent", 3000));
	assert_true(tmux_wait_gone(&t, "walk-in", 3000));
	assert_false(screen_has(&t, "invoice_sen"));
	tmux_stop(&t);
}

/* 3. Navigation as the help says: Tab moves from the last filter back to
 * the list; / jumps into Search from anywhere; the sort column is marked. */
static void test_tab_slash_and_sort_mark(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Nav Gala"), "2040-03-01", 0);
	long long beta;
	struct run_result r;
	(void)state;

	make_type(event_id, "Adult", 500, 10000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 2 --company 'Alpha AB'", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	make_type(event_id, "Stand", 5, 99999900, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Stand --qty 1 --company 'Gamma AB'", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	beta = order_add(event_id, "Adult:1", "invoice", "Beta AB"); /* newest: on top */
	start_orders(&t, "nav", event_id, NULL);
	assert_true(tmux_wait_for(&t, "Alpha AB", 10000));
	/* an amount wider than the column keeps its cents (the column widens) */
	assert_true(tmux_wait_for(&t, "1,249,998.75", 3000));
	assert_true(tmux_wait_for(&t, "DATE▼", 3000));
	tmux_keys(&t, "F7");
	assert_true(tmux_wait_for(&t, "DATE▲", 3000));
	tmux_keys(&t, "F7");
	assert_true(tmux_wait_for(&t, "DATE▼", 3000));
	/* the mark is drawn at once, the rows when the re-read answers: wait
	 * for Beta (newest) back on top, the row i acts on */
	for (int waited = 0;; waited += 100) {
		char *screen = tmux_capture(&t);
		const char *b = strstr(screen, "Beta AB"), *a = strstr(screen, "Alpha AB");
		bool on_top = a && b && b < a;
		free(screen);
		if (on_top)
			break;
		assert_true(waited < 5000);
		usleep(100000);
	}
	/* list → Search → … → Tickets → list: the list's keys work again */
	tmux_keys(&t, "Tab Tab Tab Tab Tab Tab Tab i");
	assert_true(tmux_wait_for(&t, "Send the invoice for order #", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "invoice #", 3000));
	assert_string_equal(order_field(beta, "status"), "invoice_sent");
	/* from the Status field, / goes to Search */
	tmux_keys(&t, "Tab Tab /");
	tmux_type(&t, "alpha");
	assert_true(tmux_wait_gone(&t, "Beta AB", 3000));
	assert_true(screen_has(&t, "Search alpha"));
	/* the bar says what Enter does in the pane: back to the list */
	assert_true(tmux_wait_for(&t, "EnterList", 1000));
	/* Enter leaves the filters; / from the list goes to Search again */
	tmux_keys(&t, "Enter / C-u");
	tmux_type(&t, "beta");
	assert_true(tmux_wait_gone(&t, "Alpha AB", 3000));
	assert_true(tmux_wait_for(&t, "Beta AB", 3000));
	tmux_stop(&t);
}

/* 4. Confirmations name the order and take y/n without Enter (Esc: no);
 * the detail takes the same actions; an invoice shows its number. */
static void test_confirmations_and_detail_actions(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Act Gala"), "2040-04-01", 0);
	long long fjord, gamma;
	char want[160];
	(void)state;

	/* 336.50 net a ticket, 4 tickets: 1,346.00 + 336.50 VAT = 1,682.50 */
	make_type(event_id, "Adult", 500, 33650, 1);
	gamma = order_add(event_id, "Adult:1", "card", "Gamma AB");
	fjord = order_add(event_id, "Adult:4", "invoice", "Fjord AB"); /* newest: on top */
	start_orders(&t, "act", event_id, NULL);
	assert_true(tmux_wait_for(&t, "Fjord AB", 10000));
	snprintf(want, sizeof want, "Cancel order #%lld Fjord AB, 4 ordered, 1,682.50? y/n", fjord);
	tmux_keys(&t, "c");
	assert_true(tmux_wait_for(&t, want, 3000));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_for(&t, "nothing changed", 3000));
	assert_false(screen_has(&t, want));
	tmux_keys(&t, "c");
	assert_true(tmux_wait_for(&t, want, 3000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_gone(&t, want, 3000));
	assert_string_equal(order_field(fjord, "status"), "requested");
	/* y alone cancels (Gamma, the second row) */
	tmux_keys(&t, "Down c");
	snprintf(want, sizeof want, "Cancel order #%lld Gamma AB, 1 ordered, 420.63? y/n", gamma);
	assert_true(tmux_wait_for(&t, want, 3000));
	tmux_keys(&t, "y");
	snprintf(want, sizeof want, "order #%lld cancelled", gamma);
	assert_true(tmux_wait_for(&t, want, 3000));
	assert_string_equal(order_field(gamma, "status"), "cancelled");

	/* the detail: invoice, settle with a reference, refund */
	tmux_keys(&t, "Up Enter");
	snprintf(want, sizeof want, "Order #%lld", fjord);
	assert_true(tmux_wait_for(&t, want, 3000));
	assert_true(tmux_wait_for(&t, "TICKET", 3000));
	tmux_keys(&t, "i");
	snprintf(want, sizeof want, "Send the invoice for order #%lld Fjord AB, 4 ordered, 1,682.50? y/n", fjord);
	assert_true(tmux_wait_for(&t, want, 3000));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_for(&t, "nothing changed", 3000));
	assert_string_equal(order_field(fjord, "status"), "requested");
	tmux_keys(&t, "i");
	assert_true(tmux_wait_for(&t, want, 3000));
	tmux_keys(&t, "y");
	snprintf(want, sizeof want, "invoice #%s", "1");
	assert_true(tmux_wait_for(&t, want, 3000));
	assert_string_equal(order_field(fjord, "status"), "invoice_sent");
	assert_string_equal(order_field(fjord, "invoice_no"), "1");
	assert_true(tmux_wait_for(&t, "Invoice sent", 3000));
	/* the invoice PDF is made by a child while the screen goes on; at 80
	 * columns with no seller set the status says it in its short words
	 * ("INV-E-1 saved · SELLER NOT SET: …") */
	snprintf(want, sizeof want, "INV-%lld-1 saved", event_id);
	assert_true(tmux_wait_for(&t, want, 15000));
	/* i again on a sent invoice: the same document again, never a new number */
	tmux_keys(&t, "i");
	assert_true(tmux_wait_for(&t, "again (same number)? y/n", 3000)); /* whole at 80 columns */
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "making its invoice again", 3000));
	assert_true(tmux_wait_for(&t, want, 15000));
	assert_string_equal(order_field(fjord, "invoice_no"), "1");
	{
		struct run_result r = run_cmd("find \"${BOXOFFICE_STATE:-$HOME/.local/state/boxoffice}\" "
					      "-name 'INV-%lld-1.pdf' -size +1k", event_id);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, ".pdf"));
		run_free(&r);
	}
	tmux_keys(&t, "s");
	snprintf(want, sizeof want, "Settle order #%lld Fjord AB, 4 ordered, 1,682.50", fjord);
	assert_true(tmux_wait_for(&t, want, 3000));
	tmux_type(&t, "BANK-9");
	/* F2 would drop the typed reference: refused, the prompt stays */
	tmux_keys(&t, "F2");
	assert_true(tmux_wait_for(&t, "a payment reference is typed: Enter settles, Esc drops it", 3000));
	assert_true(tmux_wait_for(&t, "BANK-9", 1000));
	tmux_keys(&t, "Enter");
	/* the answer's own line: "settled" alone is on the screen before it
	 * (the prompt, other rows) */
	snprintf(want, sizeof want, "order #%lld settled", fjord);
	assert_true(tmux_wait_for(&t, want, 3000));
	assert_string_equal(order_field(fjord, "status"), "settled");
	assert_string_equal(order_field(fjord, "payment_ref"), "BANK-9");
	tmux_keys(&t, "r");
	snprintf(want, sizeof want, "Refund order #%lld Fjord AB, 4 ordered, 1,682.50? y/n", fjord);
	assert_true(tmux_wait_for(&t, want, 3000));
	tmux_keys(&t, "y");
	snprintf(want, sizeof want, "order #%lld refunded", fjord);
	assert_true(tmux_wait_for(&t, want, 3000));
	assert_string_equal(order_field(fjord, "status"), "refunded");
	/* what the order does not allow is refused with the reason, there too */
	tmux_keys(&t, "c");
	assert_true(tmux_wait_for(&t, "is Refunded: cancelling needs Requested or Invoice sent", 3000));
	tmux_stop(&t);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	static char buf[8192];
	size_t n;
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* 5. Export: ~ expanded, a reason when the file cannot be written, a
 * question before an existing file is replaced, amounts in units. */
static void test_export_home_overwrite_and_reasons(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Export Gala"), "2040-05-01", 0);
	char home[512], path[600], env[600];
	const char *csv;
	FILE *f;
	(void)state;

	make_type(event_id, "Adult", 500, 33650, 1);
	order_add(event_id, "Adult:4", "invoice", "Fjord AB");
	snprintf(home, sizeof home, "%s/home-%d", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp",
		 (int)getpid());
	mkdir(home, 0755);
	snprintf(path, sizeof path, "%s/out.csv", home);
	remove(path);
	snprintf(env, sizeof env, "HOME='%s'", home);
	start_orders(&t, "export", event_id, env);
	assert_true(tmux_wait_for(&t, "Fjord AB", 10000));
	tmux_keys(&t, "e C-u");
	tmux_type(&t, "~/out.csv");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "exported 1 orders", 3000));
	csv = slurp(path);
	assert_non_null(csv);
	assert_non_null(strstr(csv, ",1682.50,336.50,"));
	/* an existing file: asked first; n keeps it */
	f = fopen(path, "w");
	fputs("old\n", f);
	fclose(f);
	/* the prompt says where a bare name goes; typing replaces the suggestion */
	tmux_keys(&t, "e");
	assert_true(tmux_wait_for(&t, "Export what the filters show as CSV, in ", 3000));
	tmux_type(&t, "~/out.csv");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "exists: overwrite? y/n", 3000));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_for(&t, "not exported", 3000));
	assert_string_equal(slurp(path), "old\n");
	tmux_keys(&t, "e C-u");
	tmux_type(&t, "~/out.csv");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "exists: overwrite? y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "exported 1 orders", 3000));
	assert_non_null(strstr(slurp(path), "Fjord AB"));
	/* why a file cannot be written */
	tmux_keys(&t, "e C-u");
	tmux_type(&t, "~/no/such/dir.csv");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "no such file or directory", 3000));
	tmux_keys(&t, "e C-u");
	tmux_type(&t, "~/");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "is a directory", 3000));
	/* a long path: the question keeps its end, cut between characters
	 * (54 bytes typed: the 45 kept would start inside an Ø) */
	snprintf(path, sizeof path, "%s/ØØØØØØØØØØØØØØØØØØØØØØ", home);
	mkdir(path, 0755);
	strcat(path, "/out.csv");
	f = fopen(path, "w");
	fputs("old\n", f);
	fclose(f);
	tmux_keys(&t, "e C-u");
	tmux_type(&t, "~/ØØØØØØØØØØØØØØØØØØØØØØ/out.csv");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "…ØØØØØØØØØØØØØØØØØØ/out.csv exists: overwrite? y/n", 3000));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_for(&t, "not exported", 3000));
	assert_string_equal(slurp(path), "old\n");
	remove(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
	snprintf(path, sizeof path, "%s/out.csv", home);
	tmux_stop(&t);
	remove(path);
}

/* 5. Filters, sort and the selected order stay while the station runs. */
static void test_filters_kept_while_station_runs(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Kept Gala"), "2040-06-01", 0);
	long long ids[3];
	char want[160];
	(void)state;

	make_type(event_id, "Adult", 500, 10000, 1);
	ids[0] = order_add(event_id, "Adult:1", "invoice", "Kept One");
	ids[1] = order_add(event_id, "Adult:2", "invoice", "Kept Two");
	ids[2] = order_add(event_id, "Adult:3", "invoice", "Kept Three");
	order_add(event_id, "Adult:3", "invoice", "Other AB");
	start_orders(&t, "kept", event_id, NULL);
	assert_true(tmux_wait_for(&t, "Other AB", 10000));
	tmux_keys(&t, "/");
	tmux_type(&t, "kept");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_gone(&t, "Other AB", 3000));
	/* sort by company, ascending: One, Three, Two; select Three */
	/* F6 goes through the columns shown: DATE, TICKETS, AMOUNT,
	 * PAYMENT, STATUS, COMPANY */
	tmux_keys(&t, "F6 F6 F6 F6 F6");
	assert_true(tmux_wait_for(&t, "COMPANY▼", 3000));
	tmux_keys(&t, "F7");
	assert_true(tmux_wait_for(&t, "COMPANY▲", 3000));
	assert_true(rows_in_order(&t, "Kept One", "Kept Three", "Kept Two", 5000));
	tmux_keys(&t, "Down");
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_gone(&t, "Kept One", 3000));
	tmux_keys(&t, "3");
	assert_true(tmux_wait_for(&t, "Kept Two", 3000));
	assert_true(screen_has(&t, "Search kept"));
	assert_true(screen_has(&t, "COMPANY▲"));
	assert_false(screen_has(&t, "Other AB"));
	tmux_keys(&t, "c");
	snprintf(want, sizeof want, "Cancel order #%lld Kept Three", ids[2]);
	assert_true(tmux_wait_for(&t, want, 3000));
	tmux_keys(&t, "n");
	tmux_stop(&t);
}

/* 6. Mouse, through the screen's own hook (the framework routes the
 * terminal's events to it): a click selects a row or focuses a filter,
 * the wheel scrolls. */
static void test_orders_mouse(void **state)
{
	struct orders_state *s = calloc(1, sizeof *s);
	struct rect area = { 1, 0, 22, 80 };
	int top, r;
	(void)state;

	orders_screen.init(NULL, s, NULL);
	orders_screen.layout(NULL, s, area);
	s->count = 5;
	for (int i = 0; i < 5; i++)
		s->rows[i].id = 100 + i;
	top = orders_list_top(s, area);
	/* the header is top, the first row top + 1 */
	r = orders_screen.on_mouse(NULL, s, MOUSE_CLICK, top + 3, 20);
	assert_true(r & SCR_HANDLED);
	assert_int_equal(s->selected, 2);
	assert_false(s->filter_focus);
	r = orders_screen.on_mouse(NULL, s, MOUSE_WHEEL_DOWN, top + 3, 20);
	assert_true(r & SCR_HANDLED);
	assert_int_equal(s->selected, 3);
	orders_screen.on_mouse(NULL, s, MOUSE_WHEEL_UP, top + 3, 20);
	orders_screen.on_mouse(NULL, s, MOUSE_WHEEL_UP, top + 3, 20);
	assert_int_equal(s->selected, 1);
	/* below the last row: nothing changes */
	orders_screen.on_mouse(NULL, s, MOUSE_CLICK, top + 10, 20);
	assert_int_equal(s->selected, 1);
	/* the Status filter (first line, after Search) */
	for (int x = 0; x < 80; x++) {
		struct rect f = orders_filter_rect(s, area, FF_STATUS);
		if (x < f.x || x >= f.x + f.w)
			continue;
		orders_screen.on_mouse(NULL, s, MOUSE_CLICK, f.y, x);
		assert_true(s->filter_focus);
		assert_int_equal(s->filters.focus, FF_STATUS);
		/* a click on a row leaves the filters for the list */
		orders_screen.on_mouse(NULL, s, MOUSE_CLICK, top + 1, 5);
		assert_false(s->filter_focus);
		assert_int_equal(s->selected, 0);
		break;
	}
	{
		struct rect f = orders_filter_rect(s, area, FF_TICKETS);
		orders_screen.on_mouse(NULL, s, MOUSE_CLICK, f.y, f.x + f.w - 1);
		assert_true(s->filter_focus);
		assert_int_equal(s->filters.focus, FF_TICKETS);
	}
	free(s);
}

/* The mouse as a terminal sends it: a click selects the order under it,
 * a double click opens it, a click on a filter field focuses it. */
static void test_orders_mouse_in_tmux(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Mouse Gala"), "2040-05-01", 0);
	long long older, newer;
	char want[64];
	int y;
	(void)state;

	make_type(event_id, "Adult", 100, 10000, 1);
	older = order_add(event_id, "Adult:1", "invoice", "Older Mouse AB");
	newer = order_add(event_id, "Adult:2", "invoice", "Newer Mouse AB");
	(void)newer;
	start_orders(&t, "mouse", event_id, NULL);
	assert_true(tmux_wait_for(&t, "Older Mouse AB", 10000));
	y = tmux_row_of(&t, "Older Mouse AB");
	assert_true(y > 0);
	tmux_double_click(&t, 20, y);
	snprintf(want, sizeof want, "Order #%lld", older);
	assert_true(tmux_wait_for(&t, want, 3000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Newer Mouse AB", 3000));
	/* a single click selects: Enter then opens that one */
	y = tmux_row_of(&t, "Older Mouse AB");
	tmux_click(&t, 20, y);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, want, 3000));
	tmux_stop(&t);
}

/* The line of the screen that holds text (whole), or "" */
static void line_with(const char *screen, const char *text, char *out, size_t size)
{
	const char *at = strstr(screen, text), *start, *end;
	out[0] = '\0';
	if (!at)
		return;
	for (start = at; start > screen && start[-1] != '\n'; start--)
		;
	end = strchr(at, '\n');
	snprintf(out, size, "%.*s", (int)(end ? end - start : (long)strlen(start)), start);
}

/* With the Status filter on Cancelled the grid counts the cancelled orders
 * the list shows (it had no such row: zeros under 4 cancelled orders); on
 * All it says which orders it leaves out. */
static void test_grid_counts_cancelled_when_filtered(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Void Gala"), "2040-07-01", 0);
	long long cancelled = 0;
	char *screen, line[512], want[128], amount[32];
	struct run_result r;
	(void)state;

	make_type(event_id, "Adult", 500, 112125, 1);
	for (int i = 0; i < 4; i++) {
		char company[32];
		long long id;
		snprintf(company, sizeof company, "Void Co %d", i + 1);
		id = order_add(event_id, i == 0 ? "Adult:3" : i == 1 ? "Adult:4" : i == 2 ? "Adult:5" : "Adult:6",
			       "invoice", company);
		r = run_cmd("$BOXOFFICE order cancel %lld", id);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	order_add(event_id, "Adult:1", "invoice", "Live Co");
	cancelled = summary_amount(event_id, "cancelled", "total");
	{ /* the CLI's summary has the cancelled orders too: what they are */
		char ev[24];
		const char *p[1] = { ev };
		snprintf(ev, sizeof ev, "%lld", event_id);
		assert_true(cancelled > 0);
		assert_int_equal(cancelled, test_scalar(conn, "SELECT sum(gross_cents) FROM ticket_order WHERE "
							     "event_id = $1 AND status = 'cancelled'", 1, p));
	}
	start_orders(&t, "void", event_id, NULL);
	assert_true(tmux_wait_for(&t, "Live Co", 10000));
	assert_true(tmux_wait_gone(&t, "loading", 3000));
	money_format(amount, sizeof amount, cancelled);
	snprintf(want, sizeof want, "Not in the grid: 4 cancelled (%s)", amount);
	assert_true(tmux_wait_for(&t, want, 3000));
	tmux_keys(&t, "Tab Tab c");
	assert_true(tmux_wait_for(&t, "Status Cancelled", 3000));
	assert_true(tmux_wait_gone(&t, "Live Co", 3000));
	assert_true(tmux_wait_gone(&t, "loading", 3000));
	screen = tmux_capture(&t);
	assert_true(screen_line(screen, "Cancelled", line, sizeof line));
	if (!line_has_money(line, cancelled) || !strstr(line, " 4 "))
		fail_msg("no cancelled row with 4 orders, %lld: %s\n%s", cancelled, line, screen);
	assert_true(screen_line(screen, "Total", line, sizeof line));
	if (!line_has_money(line, cancelled))
		fail_msg("the total is not the cancelled orders' %lld: %s\n%s", cancelled, line, screen);
	assert_non_null(strstr(screen, "The grid: cancelled and refunded orders"));
	free(screen);
	tmux_stop(&t);
}

/* Every y/n question keeps its y/n at 80 columns: the buyer's name gives
 * way, cut with "…", never the amount or the answer. */
static void test_prompts_keep_yes_no_at_80(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Prompt Gala"), "2040-08-01", 0);
	long long id;
	char *screen, line[512], want[64];
	struct run_result r;
	(void)state;

	/* 6 × 747.50 + 25% VAT = 5,606.25 */
	make_type(event_id, "Adult", 500, 74750, 1);
	id = order_add(event_id, "Adult:6", "invoice", "Nordlys Energi Aktieselskap AB");
	r = run_cmd("$BOXOFFICE order invoice %lld", id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	start_orders(&t, "prompt", event_id, NULL);
	assert_true(tmux_wait_for(&t, "Nordlys", 10000));
	snprintf(want, sizeof want, "#%lld Nordlys", id);
	for (int k = 0; k < 2; k++) {
		tmux_keys(&t, k == 0 ? "i" : "c");
		assert_true(tmux_wait_for(&t, k == 0 ? "again (same number)? y/n" : "5,606.25? y/n", 3000));
		screen = tmux_capture(&t);
		line_with(screen, "? y/n", line, sizeof line);
		/* cut only when it must: the cancel question has room for it */
		if (!strstr(line, want) || !strstr(line, ", 6 ordered, 5,606.25") ||
		    !strstr(line, k == 0 ? "…" : "Nordlys Energi Aktieselskap AB,"))
			fail_msg("prompt not fitted: %s\n%s", line, screen);
		free(screen);
		tmux_keys(&t, "n");
		assert_true(tmux_wait_for(&t, "nothing changed", 3000));
	}
	assert_string_equal(order_field(id, "status"), "invoice_sent");
	tmux_stop(&t);
}

/* "filters reset" says what F4 did, then goes with the next key. */
static void test_filters_reset_goes_with_next_key(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Reset Gala"), "2040-09-01", 0);
	(void)state;

	make_type(event_id, "Adult", 500, 10000, 1);
	order_add(event_id, "Adult:1", "invoice", "Reset One");
	order_add(event_id, "Adult:2", "invoice", "Reset Two");
	start_orders(&t, "reset", event_id, NULL);
	assert_true(tmux_wait_for(&t, "Reset One", 10000));
	tmux_keys(&t, "F4");
	assert_true(tmux_wait_for(&t, "filters reset", 3000));
	tmux_keys(&t, "Down");
	/* well before the status line's own 8 s */
	assert_true(tmux_wait_gone(&t, "filters reset", 1500));
	tmux_stop(&t);
}

/* A wrong date in the filter pane is said whole at 80 columns. */
static void test_date_error_whole_at_80(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Date Gala"), "2040-10-01", 0);
	char *screen, line[512];
	(void)state;

	make_type(event_id, "Adult", 500, 10000, 1);
	order_add(event_id, "Adult:1", "invoice", "Date One");
	start_orders(&t, "date", event_id, NULL);
	assert_true(tmux_wait_for(&t, "Date One", 10000));
	tmux_keys(&t, "Tab Tab Tab Tab");
	tmux_type(&t, "2040-13-01");
	assert_true(tmux_wait_for(&t, "From: no such date", 3000));
	tmux_keys(&t, "C-u");
	tmux_type(&t, "2040-1");
	assert_true(tmux_wait_for(&t, "From: date as YYYY-MM-DD", 3000));
	screen = tmux_capture(&t);
	line_with(screen, "From: date", line, sizeof line);
	assert_non_null(strstr(line, "Tickets All"));
	free(screen);
	tmux_stop(&t);
}

/* From after To is said, and not half applied (To dropped, From kept):
 * list and grid keep showing the last good filter, and say so. */
static void test_from_after_to_keeps_the_last_good_filter(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Range Gala"), "2040-10-02", 0), total;
	char *screen, line[512];
	(void)state;

	make_type(event_id, "Adult", 500, 10000, 1);
	order_add(event_id, "Adult:1", "invoice", "Range One");
	order_add(event_id, "Adult:2", "invoice", "Range Two");
	total = summary_amount(event_id, "total", "total");
	start_orders(&t, "range", event_id, NULL);
	assert_true(tmux_wait_for(&t, "Range One", 10000));
	/* To: far ahead, every order */
	tmux_keys(&t, "Tab Tab Tab Tab Tab");
	tmux_type(&t, "2099-12-31");
	assert_true(tmux_wait_gone(&t, "loading", 3000));
	assert_true(screen_has(&t, "Range One") && screen_has(&t, "Range Two"));
	/* From: after To. Before, this read "From 2100-01-01" alone: nothing */
	tmux_keys(&t, "BTab");
	tmux_type(&t, "2100-01-01");
	assert_true(tmux_wait_for(&t, "Not applied: From is after To — list and grid as before", 3000));
	assert_true(screen_has(&t, "From is after To"));
	usleep(1500 * 1000); /* a re-read, had one been made, is back by now */
	screen = tmux_capture(&t);
	if (!strstr(screen, "Range One") || !strstr(screen, "Range Two") || strstr(screen, "No orders match"))
		fail_msg("the list no longer shows the last good filter:\n%s", screen);
	assert_true(screen_line(screen, "Total", line, sizeof line));
	if (!line_has_money(line, total))
		fail_msg("the grid's total %lld is not the list's:\n%s", total, screen);
	free(screen);
	/* fixed (From before To): applied, and the note goes */
	tmux_keys(&t, "C-u");
	tmux_type(&t, "2099-12-30");
	assert_true(tmux_wait_gone(&t, "Not applied", 3000));
	assert_true(tmux_wait_gone(&t, "Range One", 3000));
	assert_true(tmux_wait_for(&t, "No orders match", 3000));
	tmux_stop(&t);
}

/* The order's history tells its lines apart ("Order 2 × Adult", not three
 * identical "Order" rows) and, when it does not fit, says there is more
 * below and scrolls to it: "Invoice sent" after i is reachable. */
static void test_order_history_lines_and_more_below(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("History Gala"), "2040-11-01", 0);
	long long id;
	char want[64], *screen, line[512];
	(void)state;

	make_type(event_id, "Adult", 500, 10000, 1);
	make_type(event_id, "Child", 500, 5000, 1);
	make_type(event_id, "VIP", 500, 30000, 1);
	id = order_add(event_id, "Adult:2,Child:1,VIP:3", "invoice", "History AB");
	start_orders(&t, "history", event_id, NULL);
	assert_true(tmux_wait_for(&t, "History AB", 10000));
	tmux_keys(&t, "Enter");
	snprintf(want, sizeof want, "Order #%lld", id);
	assert_true(tmux_wait_for(&t, want, 3000));
	assert_true(tmux_wait_for(&t, "WHEN", 3000));
	tmux_keys(&t, "i");
	assert_true(tmux_wait_for(&t, "Send the invoice for order", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "invoice #", 3000));
	assert_string_equal(order_field(id, "status"), "invoice_sent");
	/* the history does not fit 24 lines: the last row says so */
	assert_true(tmux_wait_for(&t, "more below ↓", 3000));
	tmux_keys(&t, "PgDn");
	assert_true(tmux_wait_gone(&t, "more below ↓", 3000));
	screen = tmux_capture(&t);
	line_with(screen, "invoice sent", line, sizeof line); /* the reason: the history row */
	if (!strstr(line, "Invoice sent") || !strstr(line, "desk-7"))
		fail_msg("no Invoice sent row after PgDn: %s\n%s", line, screen);
	assert_non_null(strstr(screen, "Order 2 × Adult"));
	assert_non_null(strstr(screen, "Order 1 × Child"));
	assert_non_null(strstr(screen, "Order 3 × VIP"));
	free(screen);
	/* Up goes back, Down again to the end, never past it */
	tmux_keys(&t, "Up");
	assert_true(tmux_wait_for(&t, "more below ↓", 3000));
	tmux_keys(&t, "Down Down Down");
	assert_true(tmux_wait_gone(&t, "more below ↓", 3000));
	assert_true(screen_has(&t, "Invoice sent       invoice sent"));
	tmux_stop(&t);
}

/* No seller set while a test runs: the all-events seller (another
 * test's) taken away, as the owner, and put back after it, failed or not. */
static PGconn *seller_admin;

static int take_the_seller_away(void **state)
{
	(void)state;
	seller_admin = PQconnectdb(admin_conninfo(getenv("PGDATABASE")));
	assert_int_equal(PQstatus(seller_admin), CONNECTION_OK);
	PQclear(test_query(seller_admin, "CREATE TEMP TABLE kept AS SELECT * FROM seller WHERE event_id IS NULL", 0,
			   NULL));
	PQclear(test_query(seller_admin, "DELETE FROM seller WHERE event_id IS NULL", 0, NULL));
	return 0;
}

static int give_the_seller_back(void **state)
{
	(void)state;
	PQclear(test_query(seller_admin, "INSERT INTO seller SELECT * FROM kept", 0, NULL));
	PQfinish(seller_admin);
	return 0;
}

/* The invoice's status line on the order detail at 80 columns, with no
 * seller set and no SMTP: the number, the seller to set (how) and that
 * it was not mailed (why), in shorter words, its end not cut. */
static void test_invoice_status_whole_at_80(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Seller Gala"), "2040-04-02", 0), id;
	char want[160], row[400], *screen;
	const char *line, *tail;
	(void)state;

	make_type(event_id, "Adult", 500, 10000, 1);
	id = order_add(event_id, "Adult:2", "invoice", "Noseller AB");
	start_orders(&t, "sellerline", event_id, "BOXOFFICE_SMTP_URL=");
	assert_true(tmux_wait_for(&t, "Noseller AB", 10000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "TICKET", 3000));
	tmux_keys(&t, "i");
	snprintf(want, sizeof want, "Send the invoice for order #%lld", id);
	assert_true(tmux_wait_for(&t, want, 3000));
	tmux_keys(&t, "y");
	if (!tmux_wait_for(&t, "boxoffice seller set", 15000)) {
		screen = tmux_capture(&t);
		fail_msg("no seller line:\n%s", screen);
	}
	screen = tmux_capture(&t);
	for (line = strstr(screen, "boxoffice seller set"); line > screen && line[-1] != '\n'; line--)
		;
	snprintf(row, sizeof row, "%.*s", (int)strcspn(line, "\n"), line);
	snprintf(want, sizeof want, "INV-%lld-1 saved", event_id);
	tail = "· not mailed: no SMTP set";
	if (!strstr(row, want) || !strstr(row, "SELLER") || strlen(row) < strlen(tail) ||
	    strcmp(row + strlen(row) - strlen(tail), tail) != 0)
		fail_msg("the invoice line is cut or lost its words: '%s'\n%s", row, screen);
	free(screen);
	tmux_stop(&t);
}

/* A search of 200 characters (the field's limit) with å ä ö in it is cut
 * to the filter's 200 bytes between characters: a cut inside an "ä" sent
 * text that is not UTF-8, and the database refused the search. */
static void test_long_search_cut_between_characters(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Long Search Gala"), "2040-07-01", 0);
	char company[420] = "a";
	(void)state;

	for (int i = 0; i < 199; i++)
		strcat(company, "\u00e4");
	make_type(event_id, "Adult", 500, 10000, 1);
	order_add(event_id, "Adult:1", "invoice", company);
	order_add(event_id, "Adult:1", "invoice", "Other AB");
	start_orders(&t, "longsearch", event_id, NULL);
	assert_true(tmux_wait_for(&t, "Other AB", 10000));
	tmux_keys(&t, "/");
	tmux_type(&t, company);
	if (!tmux_wait_gone(&t, "Other AB", 5000) || !tmux_wait_for(&t, "a\u00e4\u00e4\u00e4\u00e4\u00e4", 3000)) {
		char *screen = tmux_capture(&t);
		fail_msg("the long search did not find its order:\n%s", screen);
	}
	/* every key applies the search: from the 101st character on the
	 * byte cut split an "ä" and the filter was refused ("Not applied:
	 * Search is not valid UTF-8"), the list left at the 100th */
	assert_false(tmux_wait_for(&t, "UTF-8", 1500));
	tmux_stop(&t);
}

/* Keys pressed while the page is read ("Down End Up i", "/1 Enter End
 * i") are done in the order pressed: an arrow pressed while End is read
 * is done on End's page, not undone by it, and a key on the selected
 * order pressed while a move waits for a re-read is for the order the
 * move selects; a move pressed after that key ("End i Up") is not
 * kept. Before, "Down End Up i" asked to invoice the last order (Up
 * moved on the page End replaced), "/1 Enter End i" the order selected
 * before the search (End waited for the search's list; i did not), and
 * "End i Up" the order above the last (Up was done before i). */
static void test_keys_typed_ahead_of_a_page(void **state)
{
	struct proxy *p = proxy_start(NULL);
	long long event_id = make_event(unique_name("Typed Ahead Gala"), "2040-08-01", 0), page[31];
	char cmd[600], want[160], name[16];
	struct tmux t;
	(void)state;

	make_type(event_id, "Adult", 500, 10000, 1);
	for (int i = 1; i <= 30; i++) { /* newest first: Page 30 on top */
		snprintf(name, sizeof name, "Page %02d", i);
		page[i] = order_add(event_id, "Adult:1", "invoice", name);
	}
	snprintf(cmd, sizeof cmd,
		 "$BOXOFFICE -d postgresql://%s@127.0.0.1:%d/%s --station desk-7 --screen orders --event %lld; sleep 60",
		 getenv("PGUSER"), proxy_port(p), getenv("PGDATABASE"), event_id);
	tmux_start(&t, "typedahead", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Page 30", 10000));
	assert_false(screen_has(&t, "Page 02"));

	/* End's page held back while Up and i are pressed */
	tmux_keys(&t, "Down");
	proxy_hold_answers(p);
	tmux_keys(&t, "End Up i");
	usleep(300 * 1000);
	proxy_thaw(p);
	snprintf(want, sizeof want, "Send the invoice for order #%lld Page 02", page[2]);
	if (!tmux_wait_for(&t, want, 5000)) {
		char *screen = tmux_capture(&t);
		fail_msg("End Up i did not ask about Page 02:\n%s", screen);
	}
	tmux_keys(&t, "n");
	assert_true(tmux_wait_for(&t, "nothing changed", 3000));

	/* a search, then End and i before its list came: the last order
	 * the search finds (Page 01), not the one selected before it */
	tmux_keys(&t, "Home");
	assert_true(tmux_wait_for(&t, "Page 30", 5000));
	tmux_keys(&t, "/ 1 Enter End i");
	snprintf(want, sizeof want, "Send the invoice for order #%lld Page 01", page[1]);
	if (!tmux_wait_for(&t, want, 5000)) {
		char *screen = tmux_capture(&t);
		fail_msg("/1 Enter End i did not ask about Page 01:\n%s", screen);
	}
	tmux_keys(&t, "n");
	assert_true(tmux_wait_for(&t, "nothing changed", 3000));

	/* a move pressed after the key that waits is not kept: i is for
	 * the order End selects, not the one above it */
	tmux_keys(&t, "F4");
	assert_true(tmux_wait_for(&t, "Page 30", 5000));
	proxy_hold_answers(p);
	tmux_keys(&t, "End i Up");
	usleep(300 * 1000);
	proxy_thaw(p);
	snprintf(want, sizeof want, "Send the invoice for order #%lld Page 01", page[1]);
	if (!tmux_wait_for(&t, want, 5000)) {
		char *screen = tmux_capture(&t);
		fail_msg("End i Up did not ask about Page 01:\n%s", screen);
	}
	assert_true(tmux_wait_for(&t, "this one was not kept", 1000));
	tmux_keys(&t, "n");
	tmux_stop(&t);
	proxy_stop(p);
}

/* The list's first row shown (its company), or "". */
static const char *top_row(struct tmux *t)
{
	static char company[32];
	char *screen = tmux_capture(t), *header = strstr(screen, "ID COMPANY"), *line;

	company[0] = '\0';
	if (header && (line = strchr(header, '\n')) && (line = strstr(line, "Page ")))
		snprintf(company, sizeof company, "%.7s", line);
	free(screen);
	return company;
}

/* Up at the top of the second page while another station sells: the
 * sale's notice comes between Up's two reads (the row before, then the
 * page from it), and the list is one row up, not two. Before, the first
 * read's one row was taken for the page, and the re-read the notice
 * asked for started there, then did Up again. */
static void test_up_while_another_station_sells(void **state)
{
	struct proxy *p = proxy_start(NULL);
	long long event_id = make_event(unique_name("Up Sale Gala"), "2040-08-02", 0);
	char cmd[600], top[32], want[32];
	struct run_result r;
	struct tmux t;
	int n;
	(void)state;

	make_type(event_id, "Adult", 500, 10000, 1);
	r = run_cmd("for i in $(seq -w 1 30); do $BOXOFFICE order add --event %lld --lines Adult:1 --payment invoice "
		    "--company \"Page $i\" >/dev/null || exit 1; done", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(cmd, sizeof cmd,
		 "BOXOFFICE_DEADLINE_MS=15000 $BOXOFFICE -d postgresql://%s@127.0.0.1:%d/%s --station desk-7 "
		 "--screen orders --event %lld; sleep 60",
		 getenv("PGUSER"), proxy_port(p), getenv("PGDATABASE"), event_id);
	tmux_start(&t, "upsale", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Page 30", 10000));
	tmux_keys(&t, "NPage");
	assert_true(tmux_wait_gone(&t, "Page 30", 5000));
	usleep(300 * 1000);
	snprintf(top, sizeof top, "%s", top_row(&t));
	assert_int_equal(sscanf(top, "Page %d", &n), 1);
	snprintf(want, sizeof want, "Page %02d", n + 1);

	proxy_delay_answers(p, 1500);
	tmux_keys(&t, "Up");
	r = run_cmd("$BOXOFFICE order add --event %lld --lines Adult:1 --payment invoice --company 'Other Desk'",
		    event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	sleep(8);
	proxy_delay_answers(p, 0);
	assert_true(tmux_wait_gone(&t, "loading", 10000));
	snprintf(top, sizeof top, "%s", top_row(&t));
	if (strcmp(top, want) != 0) {
		char *screen = tmux_capture(&t);
		fail_msg("Up from %02d: the list starts at '%s', not %s:\n%s", n, top, want, screen);
	}
	tmux_stop(&t);
	proxy_stop(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grid_numbers_never_cut_at_80),
		cmocka_unit_test(test_list_ids_walkins_and_statuses),
		cmocka_unit_test(test_tab_slash_and_sort_mark),
		cmocka_unit_test(test_confirmations_and_detail_actions),
		cmocka_unit_test(test_export_home_overwrite_and_reasons),
		cmocka_unit_test(test_filters_kept_while_station_runs),
		cmocka_unit_test(test_orders_mouse),
		cmocka_unit_test(test_orders_mouse_in_tmux),
		cmocka_unit_test(test_grid_counts_cancelled_when_filtered),
		cmocka_unit_test(test_prompts_keep_yes_no_at_80),
		cmocka_unit_test(test_filters_reset_goes_with_next_key),
		cmocka_unit_test(test_date_error_whole_at_80),
		cmocka_unit_test(test_from_after_to_keeps_the_last_good_filter),
		cmocka_unit_test(test_order_history_lines_and_more_below),
		cmocka_unit_test(test_long_search_cut_between_characters),
		cmocka_unit_test(test_keys_typed_ahead_of_a_page),
		cmocka_unit_test(test_up_while_another_station_sells),
		cmocka_unit_test_setup_teardown(test_invoice_status_whole_at_80, take_the_seller_away,
						give_the_seller_back),
	};
	if (getenv("ORDERS_TEST") && *getenv("ORDERS_TEST"))
		cmocka_set_test_filter(getenv("ORDERS_TEST"));
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests_name("orders_screen", tests, setup, teardown);
}

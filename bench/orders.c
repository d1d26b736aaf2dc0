/* bench/orders: the Ticket Orders screen on 1,000,000 orders (or
 * $BENCH_ORDERS) from `boxoffice demo`: first page, filter change (list +
 * summary), page move and summary grid, p50 and p99; CSV export rows per
 * second beside psql's \copy of the same query; peak memory of the TUI
 * process; the database's size; the contended sales of bench/inventory
 * with these orders present. Figures at 1M keep their plain names
 * (orders.filter_change_p99); other sizes carry it (orders.5M.filter_change_p99),
 * so the runs make a scale curve. */
#include <libpq-fe.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "sales.h"
#include "src/core/order_filter.h"
#include "src/db/orders.h"

#define DEFAULT_ORDERS 1000000
#define ROUNDS 200
#define PAGE 30

static long orders_n = DEFAULT_ORDERS;
static char size_tag[24]; /* "" at 1M, else "5M.", "250k." or "12345." */

static void orders_from_env(void)
{
	const char *e = getenv("BENCH_ORDERS");
	char *end;
	if (e && *e) {
		orders_n = strtol(e, &end, 10);
		if (*end || orders_n < 1000 || orders_n > 100000000) {
			fprintf(stderr, "bench: BENCH_ORDERS must be 1000 to 100000000\n");
			exit(2);
		}
	}
	if (orders_n == DEFAULT_ORDERS)
		size_tag[0] = '\0';
	else if (orders_n % 1000000 == 0)
		snprintf(size_tag, sizeof size_tag, "%ldM.", orders_n / 1000000);
	else if (orders_n % 1000 == 0)
		snprintf(size_tag, sizeof size_tag, "%ldk.", orders_n / 1000);
	else
		snprintf(size_tag, sizeof size_tag, "%ld.", orders_n);
}

/* orders.NAME at 1M, orders.SIZE.NAME otherwise. */
static void figure(const char *name, double value, const char *unit)
{
	char full[128];
	snprintf(full, sizeof full, "orders.%s%s", size_tag, name);
	bench_figure(full, value, unit);
}

static struct db *bench_db(const char *dbname)
{
	char conninfo[256];
	struct db *db;
	snprintf(conninfo, sizeof conninfo, "dbname=%s", dbname);
	db = db_new(conninfo, "bench-orders");
	if (!db_connect(db)) {
		fprintf(stderr, "bench: %s\n", db->err);
		exit(3);
	}
	db_set_deadline(db, 0); /* VACUUM ANALYZE of a million orders */
	return db;
}

/* Filters a user might click through. */
static void filter_n(struct order_filter *f, int i, long long event)
{
	static const char *const searches[] = { "", "fjord", "anna", "bank", "", "", "o'brien", "" };
	memset(f, 0, sizeof *f);
	order_filter_reset(f);
	f->event_id = event; /* the screen always works on one event */
	snprintf(f->search, sizeof f->search, "%s", searches[i % 8]);
	f->status = i % 5 == 1 ? ORDER_SETTLED : i % 5 == 2 ? ORDER_REQUESTED : -1;
	f->payment = i % 4 == 1 ? PAY_INVOICE : i % 4 == 3 ? PAY_FREE : -1;
	if (i % 6 == 2) {
		snprintf(f->from, sizeof f->from, "2026-09-01");
		snprintf(f->to, sizeof f->to, "2026-12-31");
	}
	if (i % 7 == 3)
		f->tickets = TICKETS_MISSING;
}

static double time_page(struct db *db, struct order_page_request *req, PGresult **out)
{
	double t0 = now_ms();
	PGresult *res = db_order_page(db, req);
	double t = now_ms() - t0;
	if (!res) {
		fprintf(stderr, "bench: page: %s\n", db->err);
		exit(3);
	}
	if (out)
		*out = res;
	else
		PQclear(res);
	return t;
}

static void report(const char *name, double *v, int n)
{
	char full[128];
	double p50 = percentile(v, n, 50), p99 = percentile(v, n, 99);
	printf("%-28s p50 %7.2f ms   p99 %7.2f ms   (n=%d)\n", name, p50, p99, n);
	snprintf(full, sizeof full, "%s_p50", name);
	figure(full, p50, "ms");
	snprintf(full, sizeof full, "%s_p99", name);
	figure(full, p99, "ms");
}

/* Peak resident memory of the TUI on the orders screen, paging around. */
static long tui_peak_rss_kb(const char *dbname)
{
	char cmd[512], line[256];
	FILE *p;
	long pid = 0, kb = -1;

	/* exec: the pane's process is the TUI itself */
	bench_run("tmux -L bo-bench -f /dev/null new-session -d -s rss -x 120 -y 40 "
	          "\"exec env PGDATABASE=%s %s --screen orders\"", dbname, bench_bin());
	sleep(3);
	for (int i = 0; i < 30; i++)
		bench_run("tmux -L bo-bench send-keys -t rss PageDown");
	bench_run("tmux -L bo-bench send-keys -t rss End F6 PageUp PageUp Home / f j o r d");
	sleep(2);
	snprintf(cmd, sizeof cmd, "tmux -L bo-bench display -p -t rss '#{pane_pid}'");
	if ((p = popen(cmd, "r"))) {
		if (fgets(line, sizeof line, p))
			pid = atol(line);
		pclose(p);
	}
	snprintf(cmd, sizeof cmd, "/proc/%ld/status", pid);
	if (pid > 0 && (p = fopen(cmd, "r"))) {
		while (fgets(line, sizeof line, p))
			if (strncmp(line, "VmHWM:", 6) == 0)
				kb = atol(line + 6);
		fclose(p);
	}
	bench_run("tmux -L bo-bench kill-server");
	return kb;
}

/* Contended sales with the orders present: bench/inventory sells on an
 * almost empty database; here the same 16 sellers sell beside the loaded
 * orders (every sale adds to the same tables and indexes), with the hot
 * row measured on the same database. */
static void contended_with_orders(const char *dbname)
{
	PGconn *c;
	long long oversell;
	long errors;
	double sales, hot;

	setenv("PGDATABASE", dbname, 1);
	c = connect_as("bench");
	sales = contended_sales(c, CLIENTS, "Bench contended sales", &oversell, &errors);
	hot = pgbench_hot_row(c);
	printf("contended sales with %ld orders present: %.0f sales/s, hot row %.0f tps\n", orders_n, sales, hot);
	figure("contended_sales", sales, "sales/s");
	figure("contended_oversell", (double)oversell, "seats");
	figure("contended_unexpected_errors", (double)errors, "count");
	figure("sell_vs_hot_row", hot > 0 ? sales / hot : 0, "ratio");
	PQfinish(c);
}

int main(void)
{
	struct db *admin = bench_db(getenv("PGDATABASE") ? getenv("PGDATABASE") : "postgres");
	struct db *db;
	double first[ROUNDS], filter[ROUNDS], move[ROUNDS], summary[ROUNDS], search_summary[ROUNDS];
	int nsearch = 0;
	long long event = 1, rows;
	struct order_filter f;
	struct order_page_request req = { .filter = &f, .sort = SORT_DATE, .descending = true, .limit = PAGE };
	struct order_summary sum;
	double t0, ours, theirs;
	FILE *devnull;
	long rss;
	PGresult *res;
	const char *reuse = getenv("BENCH_DB");
	char dbname[128];

	orders_from_env();
	/* BENCH_DB: time an existing demo database again (loaded once, e.g.
	 * to compare plans before and after a change); it is kept. */
	if (reuse && *reuse) {
		snprintf(dbname, sizeof dbname, "%s", reuse);
	} else {
		snprintf(dbname, sizeof dbname, "bench_orders");
		db_run(admin, "DROP DATABASE IF EXISTS bench_orders", 0, NULL);
		if (!db_run(admin, "CREATE DATABASE bench_orders", 0, NULL)) {
			fprintf(stderr, "bench: %s\n", admin->err);
			return 3;
		}
		t0 = now_ms();
		bench_run("%s -d dbname=bench_orders migrate >/dev/null && %s -d dbname=bench_orders demo --orders %ld >/dev/null",
		          bench_bin(), bench_bin(), orders_n);
		printf("demo: %ld orders loaded in %.1f s\n", orders_n, (now_ms() - t0) / 1000);
		if (orders_n == DEFAULT_ORDERS)
			bench_figure("orders.demo_load_1M", (now_ms() - t0) / 1000, "s");
		else
			figure("demo_load", (now_ms() - t0) / 1000, "s");
	}
	db = bench_db(dbname);
	db_run(db, "VACUUM ANALYZE", 0, NULL);

	/* The database on disk, and its orders' share (table, TOAST, indexes). */
	res = db_exec(db, "SELECT pg_database_size(current_database()), pg_total_relation_size('ticket_order'), "
			  "pg_indexes_size('ticket_order')", 0, NULL);
	if (!res) {
		fprintf(stderr, "bench: size: %s\n", db->err);
		return 3;
	}
	printf("database: %.1f MB (ticket_order %.1f MB, of which indexes %.1f MB)\n",
	       db_int(res, 0, 0) / 1048576.0, db_int(res, 0, 1) / 1048576.0, db_int(res, 0, 2) / 1048576.0);
	figure("db_size", db_int(res, 0, 0) / 1048576.0, "MB");
	figure("ticket_order_size", db_int(res, 0, 1) / 1048576.0, "MB");
	figure("ticket_order_index_size", db_int(res, 0, 2) / 1048576.0, "MB");
	PQclear(res);

	/* First page of the default view. */
	for (int i = 0; i < ROUNDS; i++) {
		filter_n(&f, 0, event);
		f.event_id = i % 2 ? event : 0;
		req.key = NULL;
		first[i] = time_page(db, &req, NULL);
	}
	report("first_page", first, ROUNDS);

	/* A filter change: the list's first page and the summary grid. */
	for (int i = 0; i < ROUNDS; i++) {
		double t;
		filter_n(&f, i, event);
		req.sort = (enum order_sort)(i % SORT_COUNT);
		req.key = NULL;
		t = time_page(db, &req, NULL);
		t0 = now_ms();
		if (!db_order_summary(db, &f, &sum)) {
			fprintf(stderr, "bench: summary: %s\n", db->err);
			return 3;
		}
		summary[i] = now_ms() - t0;
		if (f.search[0])
			search_summary[nsearch++] = summary[i];
		filter[i] = t + summary[i];
		if (filter[i] > 50)
			printf("slow: %.1f ms (page %.1f, summary %.1f): sort %s, search '%s', status %d, payment %d, "
			       "from '%s', tickets %d\n", filter[i], t, summary[i], order_sort_name(req.sort),
			       f.search, f.status, f.payment, f.from, (int)f.tickets);
	}
	report("filter_change", filter, ROUNDS);
	report("summary", summary, ROUNDS);
	report("summary_with_search", search_summary, nsearch);

	/* Page moves: PgDn from wherever the last page ended. */
	filter_n(&f, 0, event);
	req.sort = SORT_DATE;
	req.key = NULL;
	{
		PGresult *page = NULL;
		char key[220];
		for (int i = 0; i < ROUNDS; i++) {
			int n;
			move[i] = time_page(db, &req, &page);
			n = PQntuples(page);
			if (n == 0) { /* the end: start over */
				req.key = NULL;
				PQclear(page);
				continue;
			}
			snprintf(key, sizeof key, "%s", PQgetvalue(page, n - 1, OL_SORTKEY));
			req.key = key;
			req.key_id = strtoll(PQgetvalue(page, n - 1, OL_ID), NULL, 10);
			PQclear(page);
		}
	}
	report("page_move", move, ROUNDS);

	/* CSV export of everything, ours and psql's \copy of the same query. */
	filter_n(&f, 0, event);
	f.event_id = 0;
	devnull = fopen("/dev/null", "w");
	t0 = now_ms();
	rows = db_order_export(db, &f, SORT_DATE, false, devnull, NULL, NULL);
	ours = rows / ((now_ms() - t0) / 1000);
	fclose(devnull);
	t0 = now_ms();
	bench_run("psql -X -q -d %s -c \"\\copy (SELECT o.id, o.company, o.contact, o.order_date, "
	          "o.quantity, o.tickets_issued, o.gross_cents, o.vat_cents, o.payment, o.status FROM ticket_order o "
	          "ORDER BY o.order_date, o.id) TO '/dev/null' WITH (FORMAT csv, HEADER)\"", dbname);
	theirs = rows / ((now_ms() - t0) / 1000);
	printf("export: %lld rows; ours %.0f rows/s, psql \\copy %.0f rows/s\n", rows, ours, theirs);
	figure("export", ours, "rows/s");
	figure("psql_copy", theirs, "rows/s");
	figure("export_vs_copy", ours / theirs, "ratio");

	rss = tui_peak_rss_kb(dbname);
	printf("TUI peak RSS on the orders screen: %ld kB\n", rss);
	figure("tui_peak_rss", rss / 1024.0, "MB");

	contended_with_orders(dbname);

	db_free(db);
	if (!(reuse && *reuse))
		db_run(admin, "DROP DATABASE IF EXISTS bench_orders", 0, NULL);
	db_free(admin);
	return 0;
}

/* Reading orders: order list, order summary, order export, order show. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/money.h"
#include "../core/order.h"
#include "../core/validate.h"
#include "../db/catalog.h"
#include "../db/orders.h"
#include "cli.h"
#include "commands.h"

/* The filter flags every order listing shares. */
struct filter_flags {
	const char *event, *status, *payment, *from, *to, *search, *tickets, *sort, *org;
	bool desc;
};

#define FILTER_FLAG_OPTS(f)                                                         \
	{ "event", &(f).event, NULL }, { "status", &(f).status, NULL },               \
	{ "payment", &(f).payment, NULL }, { "from", &(f).from, NULL },               \
	{ "to", &(f).to, NULL }, { "search", &(f).search, NULL },                     \
	{ "ticket-count", &(f).tickets, NULL }, { "sort", &(f).sort, NULL },          \
	{ "desc", NULL, &(f).desc }, { "org", &(f).org, NULL }

static int build_filter(struct cli *cli, const char *what, const struct filter_flags *ff,
			struct order_filter *f, enum order_sort *sort)
{
	enum order_status st;
	enum payment_method pay;
	const char *why;
	int rc = EXIT_DONE;

	memset(f, 0, sizeof *f);
	order_filter_reset(f);
	*sort = SORT_DATE;
	if (ff->status) {
		if (!order_status_parse(ff->status, &st))
			return cli_fail(EXIT_USAGE, what, "--status must be requested, invoice_sent, settled, cancelled or refunded");
		f->status = (int)st;
	}
	if (ff->payment) {
		if (!payment_parse(ff->payment, &pay))
			return cli_fail(EXIT_USAGE, what, "--payment must be invoice, card, sponsored or free");
		f->payment = (int)pay;
	}
	if (ff->tickets && !ticket_count_parse(ff->tickets, &f->tickets))
		return cli_fail(EXIT_USAGE, what, "--ticket-count must be missing or complete");
	if (ff->sort && !order_sort_parse(ff->sort, sort))
		return cli_fail(EXIT_USAGE, what, "--sort must be company, contact, date, ordered, tickets, amount, vat, payment or status");
	if (ff->search) {
		if (!cli_text(what, "search", ff->search, SEARCH_MAX_BYTES, &rc))
			return rc;
		if (strlen(ff->search) > SEARCH_MAX_BYTES)
			return cli_fail(EXIT_USAGE, what, "--search is too long");
		snprintf(f->search, sizeof f->search, "%s", ff->search);
	}
	if (ff->from) {
		if ((why = validate_date(ff->from)))
			return cli_fail(EXIT_USAGE, what, "--from %s", why);
		snprintf(f->from, sizeof f->from, "%s", ff->from);
	}
	if (ff->to) {
		if ((why = validate_date(ff->to)))
			return cli_fail(EXIT_USAGE, what, "--to %s", why);
		snprintf(f->to, sizeof f->to, "%s", ff->to);
	}
	if (ff->org) {
		/* an event organization's orders, as its screen's `o` shows them */
		long long org;
		if (!cli_int(what, "org", ff->org, 1, 9000000000000000000LL, &org, &rc))
			return rc;
		f->event_org_id = org;
	}
	if ((why = order_filter_check(f)))
		return cli_fail(EXIT_USAGE, what, "%s", why);
	if (ff->event && (rc = cli_event_type(cli, what, ff->event, NULL, &f->event_id, NULL)))
		return rc;
	return EXIT_DONE;
}

static json_t *order_row_json(const PGresult *res, int i)
{
	return json_pack("{sI ss ss ss sI sI sI sI ss ss}",
			 "id", (json_int_t)db_int(res, i, OL_ID),
			 "company", db_text(res, i, OL_COMPANY),
			 "contact", db_text(res, i, OL_CONTACT),
			 "date", db_text(res, i, OL_DATE),
			 "ordered", (json_int_t)db_int(res, i, OL_ORDERED),
			 "tickets", (json_int_t)db_int(res, i, OL_TICKETS),
			 "amount", (json_int_t)db_int(res, i, OL_AMOUNT),
			 "vat", (json_int_t)db_int(res, i, OL_VAT),
			 "payment", db_text(res, i, OL_PAYMENT),
			 "status", db_text(res, i, OL_STATUS));
}

int cmd_order_list(struct cli *cli, int argc, char **argv)
{
	const char *what = "order list", *limit_s = NULL;
	struct filter_flags ff = { 0 };
	bool json = false;
	const struct cli_opt opts[] = {
		FILTER_FLAG_OPTS(ff), { "limit", &limit_s, NULL }, { "json", NULL, &json },
		{ NULL, NULL, NULL },
	};
	struct order_filter f;
	struct order_page_request req = { 0 };
	long long limit = 0;
	PGresult *res;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (limit_s && !cli_int(what, "limit", limit_s, 1, 100000000, &limit, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if ((rc = build_filter(cli, what, &ff, &f, &req.sort)))
		return rc;
	req.filter = &f;
	req.descending = ff.desc;
	req.limit = (int)limit;
	/* Every matching order may be a million: no deadline (like export). */
	if (!limit)
		db_set_deadline(cli->db, 0);
	if (!(res = db_order_page(cli->db, &req)))
		return cli_db_fail(cli, what);
	if (json) {
		/* One row at a time: a million orders must not need a million-row tree. */
		fputc('[', stdout);
		for (int i = 0; i < PQntuples(res); i++) {
			json_t *row = order_row_json(res, i);
			char *text = json_dumps(row, JSON_COMPACT | JSON_ENSURE_ASCII);
			fputs(i ? "," : "", stdout);
			fputs(text, stdout);
			free(text);
			json_decref(row);
		}
		fputs("]\n", stdout);
	} else {
		printf("%8s  %-24s %-20s %-10s %5s %5s %14s %12s %-9s %s\n", "ID", "COMPANY", "CONTACT",
		       "DATE", "ORD", "TIX", "AMOUNT", "VAT", "PAYMENT", "STATUS");
		for (int i = 0; i < PQntuples(res); i++) {
			char amount[32], vat[32];
			enum order_status st;
			enum payment_method pay;
			const char *status = db_text(res, i, OL_STATUS), *payment = db_text(res, i, OL_PAYMENT);
			money_format(amount, sizeof amount, db_int(res, i, OL_AMOUNT));
			money_format(vat, sizeof vat, db_int(res, i, OL_VAT));
			/* statuses and payments as words, as the screens spell them */
			printf("%8s  ", db_text(res, i, OL_ID));
			cli_cell(db_text(res, i, OL_COMPANY), 24);
			putchar(' ');
			cli_cell(db_text(res, i, OL_CONTACT), 20);
			printf(" %-10s %5s %5s %14s %12s %-9s %s\n",
			       db_text(res, i, OL_DATE), db_text(res, i, OL_ORDERED), db_text(res, i, OL_TICKETS),
			       amount, vat, payment_parse(payment, &pay) ? payment_label(pay) : payment,
			       order_status_parse(status, &st) ? order_status_label(st) : status);
		}
	}
	PQclear(res);
	return EXIT_DONE;
}

int cmd_order_summary(struct cli *cli, int argc, char **argv)
{
	const char *what = "order summary";
	struct filter_flags ff = { 0 };
	bool json = false;
	const struct cli_opt opts[] = { FILTER_FLAG_OPTS(ff), { "json", NULL, &json }, { NULL, NULL, NULL } };
	struct order_filter f;
	struct order_summary s;
	enum order_sort sort;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if ((rc = build_filter(cli, what, &ff, &f, &sort)))
		return rc;
	if (!db_order_summary(cli->db, &f, &s))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(order_summary_json(&s));
		return EXIT_DONE;
	}
	{
		/* the rows are enum order_status's, the columns enum payment_method's, then the totals */
		printf("%-13s", "");
		for (int c = 0; c < SUMMARY_COLS; c++)
			printf(" %-27s", c < PAY_COUNT ? payment_label((enum payment_method)c) : "Total");
		printf("\n%-13s", "");
		for (int c = 0; c < SUMMARY_COLS; c++)
			printf(" %7s %6s %12s", "ORD", "TIX", "AMOUNT");
		putchar('\n');
		for (int r = 0; r < SUMMARY_ROWS; r++) {
			printf("%-13s", r < SUMMARY_ROWS - 1 ? order_status_label((enum order_status)r) : "Total");
			for (int c = 0; c < SUMMARY_COLS; c++) {
				char amount[32];
				money_format(amount, sizeof amount, s.cell[r][c].amount);
				printf(" %7lld %6lld %12s", s.cell[r][c].orders, s.cell[r][c].tickets, amount);
			}
			putchar('\n');
		}
	}
	return EXIT_DONE;
}

static volatile sig_atomic_t export_interrupted;

static void on_export_signal(int sig)
{
	(void)sig;
	export_interrupted = 1;
}

static bool export_progress(long long rows, void *ctx)
{
	(void)ctx;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\rexport: %lld rows", rows);
	return !export_interrupted;
}

int cmd_order_export(struct cli *cli, int argc, char **argv)
{
	const char *what = "order export", *path = NULL;
	struct filter_flags ff = { 0 };
	const struct cli_opt opts[] = { FILTER_FLAG_OPTS(ff), { "csv", &path, NULL }, { NULL, NULL, NULL } };
	struct order_filter f;
	enum order_sort sort;
	char tmp[4096];
	FILE *out;
	long long rows;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (!path)
		return cli_missing(what, "csv");
	if (!cli_db(cli))
		return EXIT_FAILED;
	if ((rc = build_filter(cli, what, &ff, &f, &sort)))
		return rc;
	/* Written beside the target and renamed at the end: a failed or
	 * interrupted export never leaves half a file under the real name. */
	if (strcmp(path, "-") == 0) {
		out = stdout;
	} else {
		snprintf(tmp, sizeof tmp, "%s.part", path);
		if (!(out = fopen(tmp, "w")))
			return cli_fail(EXIT_FAILED, what, "cannot write %s: %s", path, strerror(errno));
	}
	signal(SIGINT, on_export_signal);
	signal(SIGTERM, on_export_signal);
	rows = db_order_export(cli->db, &f, sort, ff.desc, out, export_progress, NULL);
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
	if (out == stdout) {
		if (fflush(stdout) != 0 && rows >= 0)
			return cli_fail(EXIT_FAILED, what, "write failed: %s", strerror(errno));
		return rows < 0 ? cli_db_fail(cli, what) : EXIT_DONE;
	}
	if (fclose(out) != 0 && rows >= 0) {
		unlink(tmp);
		return cli_fail(EXIT_FAILED, what, "cannot write %s: %s", path, strerror(errno));
	}
	if (rows < 0) {
		unlink(tmp);
		return cli_db_fail(cli, what);
	}
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		return cli_fail(EXIT_FAILED, what, "cannot write %s: %s", path, strerror(errno));
	}
	cli_print_json(json_pack("{ss sI}", "file", path, "rows", (json_int_t)rows));
	return EXIT_DONE;
}

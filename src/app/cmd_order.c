/* Order status changes: order settle|cancel|refund ID (invoice: cmd_invoice.c). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../core/util.h"
#include "../core/money.h"
#include "../core/order.h"
#include "../core/validate.h"
#include "../db/catalog.h"
#include "../db/inventory.h"
#include "../db/orders.h"
#include "cli.h"
#include "commands.h"

static int order_transition(struct cli *cli, int argc, char **argv, const char *what,
			    const char *status, bool takes_ref)
{
	const char *pos[1], *ref = NULL, *version = NULL, *reason = NULL;
	const struct cli_opt with_ref[] = {
		{ "ref", &ref, NULL }, { "version", &version, NULL }, { "reason", &reason, NULL },
		{ NULL, NULL, NULL },
	};
	const struct cli_opt *opts = takes_ref ? with_ref : with_ref + 1;
	long long id, v = -1;
	json_t *doc;
	int npos, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);

	if (rc)
		return rc;
	if (!cli_id(what, npos, pos, "order", &id, &rc) ||
	    (version && !cli_int(what, "version", version, 1, INT32_MAX, &v, &rc)) ||
	    !cli_value(what, "ref", ref, 200, &rc) || !cli_value(what, "reason", reason, 500, &rc))
		return rc;
	if ((rc = cli_require(cli, what, "order", id)))
		return rc;
	if (!(doc = db_order_set_status(cli->db, id, status, v, ref, reason)))
		return cli_db_fail(cli, what);
	cli_print_json(doc);
	return EXIT_DONE;
}

int cmd_order_settle(struct cli *cli, int argc, char **argv)
{
	return order_transition(cli, argc, argv, "order settle", order_status_name(ORDER_SETTLED), true);
}

int cmd_order_cancel(struct cli *cli, int argc, char **argv)
{
	return order_transition(cli, argc, argv, "order cancel", order_status_name(ORDER_CANCELLED), false);
}

int cmd_order_refund(struct cli *cli, int argc, char **argv)
{
	return order_transition(cli, argc, argv, "order refund", order_status_name(ORDER_REFUNDED), false);
}

/* order add --event E --lines "Adult:2,Child:1" --payment P [...] */
int cmd_order_add(struct cli *cli, int argc, char **argv)
{
	const char *what = "order add", *event = NULL, *lines_s = NULL, *payment = NULL;
	const char *company = NULL, *contact = NULL, *email = NULL, *org = NULL, *key = NULL;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL }, { "lines", &lines_s, NULL }, { "payment", &payment, NULL },
		{ "company", &company, NULL }, { "contact", &contact, NULL }, { "email", &email, NULL },
		{ "org", &org, NULL }, { "key", &key, NULL }, { NULL, NULL, NULL },
	};
	long long event_id, org_id = 0;
	char buf[1024], *save = NULL;
	json_t *lines, *doc;
	const char *why;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (!payment)
		payment = payment_name(PAY_INVOICE);
	if (!lines_s)
		return cli_missing(what, "lines");
	if (!cli_value(what, "lines", lines_s, 1000, &rc) || !cli_payment(what, payment, &rc) ||
	    !cli_value(what, "company", company, NAME_MAX_CHARS, &rc) ||
	    !cli_value(what, "contact", contact, NAME_MAX_CHARS, &rc) || !cli_value(what, "key", key, 200, &rc) ||
	    (org && !cli_int(what, "org", org, 1, INT64_MAX, &org_id, &rc)))
		return rc;
	if (email && !*email)
		return cli_fail(EXIT_USAGE, what, "--email is empty");
	if ((why = validate_email(email, false)))
		return cli_fail(EXIT_USAGE, what, "--email %s", why);
	if (strlen(lines_s) >= sizeof buf)
		return cli_fail(EXIT_USAGE, what, "--lines is too long");
	if ((rc = cli_event_type(cli, what, event, NULL, &event_id, NULL)))
		return rc;
	snprintf(buf, sizeof buf, "%s", lines_s);
	lines = json_array();
	for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *colon = strrchr(item, ':');
		long long type_id, qty;
		if (!colon) {
			json_decref(lines);
			return cli_fail(EXIT_USAGE, what, "--lines wants TYPE:QTY[,TYPE:QTY...]");
		}
		*colon = '\0';
		if (!cli_int(what, "lines", colon + 1, 1, 10000, &qty, &rc)) {
			json_decref(lines);
			return rc;
		}
		if (!db_type_resolve(cli->db, event_id, item, &type_id)) {
			json_decref(lines);
			return cli_resolve_fail(cli, what, "ticket type", item);
		}
		json_array_append_new(lines, json_pack("{sI sI}", "type", (json_int_t)type_id, "qty", (json_int_t)qty));
	}
	doc = db_order_add(cli->db, event_id, lines, payment, company, contact, email, org_id, key);
	json_decref(lines);
	if (!doc)
		return cli_db_fail(cli, what);
	cli_print_json(doc);
	return EXIT_DONE;
}

int cmd_order_tickets(struct cli *cli, int argc, char **argv)
{
	const char *what = "order tickets", *pos[1], *version = NULL;
	const struct cli_opt opts[] = { { "version", &version, NULL }, { NULL, NULL, NULL } };
	long long id, v = -1;
	json_t *doc;
	int npos, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);

	if (rc)
		return rc;
	if (!cli_id(what, npos, pos, "order", &id, &rc) ||
	    (version && !cli_int(what, "version", version, 1, INT32_MAX, &v, &rc)))
		return rc;
	if ((rc = cli_require(cli, what, "order", id)))
		return rc;
	if (!(doc = db_order_generate_tickets(cli->db, id, v)))
		return cli_db_fail(cli, what);
	cli_print_json(doc);
	return EXIT_DONE;
}

static const char *status_word(const char *name)
{
	enum order_status st;
	return order_status_parse(name, &st) ? order_status_label(st) : name;
}

static const char *payment_word(const char *name)
{
	enum payment_method p;
	return payment_parse(name, &p) ? payment_label(p) : name;
}

/* A cell as text; NULL (no invoice number, no reference) as "". */
/* A value for a person to read: never a control character (a name with
 * ESC written by SQL cleared the terminal). Eight at a time, as printf
 * takes several in one call. */
static const char *val(const PGresult *res, int row, int col)
{
	static char ring[8][600];
	static int next;
	const char *v = db_text(res, row, col);
	char *out = ring[next++ % 8];
	snprintf(out, sizeof ring[0], "%s", v ? v : "");
	return text_defang(out, false);
}

/* order show without --json: the order as a person reads it. */
static void print_order(const PGresult *o, const PGresult *lines, const PGresult *tickets, const PGresult *history)
{
	char gross[32], vat[32], net[32], unit[32];
	const char *company = val(o, 0, OL_COMPANY), *org = val(o, 0, OD_ORG_NAME);

	money_format(gross, sizeof gross, db_int(o, 0, OL_AMOUNT));
	money_format(vat, sizeof vat, db_int(o, 0, OL_VAT));
	money_format(net, sizeof net, db_int(o, 0, OD_NET));
	printf("Order #%s  %s\n", val(o, 0, OL_ID), val(o, 0, OD_EVENT_NAME));
	printf("  %-12s %s\n", "Company", *company ? company : "(walk-in)");
	if (*org && strcmp(org, company) != 0)
		printf("  %-12s %s\n", "On behalf of", org);
	printf("  %-12s %s%s%s%s\n", "Contact", val(o, 0, OL_CONTACT), *val(o, 0, OL_EMAIL) ? " <" : "",
	       val(o, 0, OL_EMAIL), *val(o, 0, OL_EMAIL) ? ">" : "");
	printf("  %-12s %s\n", "Date", val(o, 0, OL_DATE));
	printf("  %-12s %s\n", "Status", status_word(val(o, 0, OL_STATUS)));
	printf("  %-12s %s\n", "Payment", payment_word(val(o, 0, OL_PAYMENT)));
	if (*val(o, 0, OL_INVOICE))
		printf("  %-12s %s\n", "Invoice no.", val(o, 0, OL_INVOICE));
	if (*val(o, 0, OD_PAYMENT_REF))
		printf("  %-12s %s\n", "Payment ref", val(o, 0, OD_PAYMENT_REF));
	printf("  %-12s %s ordered, %s issued\n", "Tickets", val(o, 0, OL_ORDERED), val(o, 0, OL_TICKETS));
	printf("  %-12s %s (net %s + VAT %s)\n", "Amount", gross, net, vat);
	printf("  %-12s %s, station %s, version %s\n", "Channel", val(o, 0, OD_CHANNEL),
	       *val(o, 0, OD_STATION) ? val(o, 0, OD_STATION) : "-", val(o, 0, OL_VERSION));
	printf("\n%-24s %6s %14s %14s %12s  %s\n", "LINES", "QTY", "UNIT", "NET", "VAT", "CHANNEL");
	for (int i = 0; i < PQntuples(lines); i++) {
		money_format(unit, sizeof unit, db_int(lines, i, 2));
		money_format(net, sizeof net, db_int(lines, i, 3));
		money_format(vat, sizeof vat, db_int(lines, i, 4));
		cli_cell(val(lines, i, 0), 24);
		printf(" %6s %14s %14s %12s  %s\n", val(lines, i, 1), unit, net, vat, val(lines, i, 5));
	}
	printf("\n%-10s %-24s %6s %-7s %s\n", "TICKET", "TYPE", "SERIAL", "STATUS", "HOLDER");
	for (int i = 0; i < PQntuples(tickets); i++)
	{
		printf("%-10s ", val(tickets, i, 0));
		cli_cell(val(tickets, i, 1), 24);
		printf(" %6s %-7s %s\n", val(tickets, i, 2), val(tickets, i, 3),
		       *val(tickets, i, 4) ? val(tickets, i, 4) : "-");
	}
	if (PQntuples(tickets) == 0)
		printf("(none)\n");
	printf("\n%-19s  %-16s %-18s %s\n", "HISTORY", "STATION", "ACTION", "REASON");
	for (int i = 0; i < PQntuples(history); i++)
	{
		printf("%-19s  ", val(history, i, 0));
		cli_cell(val(history, i, 1), 16);
		putchar(' ');
		{
			char what[64];
			cli_cell(order_action_label(val(history, i, 2), what, sizeof what), 18);
		}
		printf(" %s\n", val(history, i, 3));
	}
}

int cmd_order_show(struct cli *cli, int argc, char **argv)
{
	const char *what = "order show", *pos[1];
	bool json = false;
	const struct cli_opt opts[] = { { "json", NULL, &json }, { NULL, NULL, NULL } };
	long long id;
	PGresult *o, *lines = NULL, *tickets = NULL, *history = NULL;
	json_t *doc, *arr;
	int npos, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);

	if (rc)
		return rc;
	if (!cli_id(what, npos, pos, "order", &id, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(o = db_order_get(cli->db, id)))
		return cli_db_fail(cli, what);
	if (PQntuples(o) == 0) {
		PQclear(o);
		return cli_not_found("order", pos[0]);
	}
	if (!(lines = db_order_lines(cli->db, id)) || !(tickets = db_order_tickets(cli->db, id)) ||
	    !(history = db_order_history(cli->db, id))) {
		PQclear(o);
		PQclear(lines);
		PQclear(tickets);
		return cli_db_fail(cli, what);
	}
	doc = json_pack("{sI ss ss ss sI sI sI sI ss ss sI ss}",
			"id", (json_int_t)db_int(o, 0, OL_ID), "company", db_text(o, 0, OL_COMPANY),
			"contact", db_text(o, 0, OL_CONTACT), "date", db_text(o, 0, OL_DATE),
			"ordered", (json_int_t)db_int(o, 0, OL_ORDERED),
			"tickets", (json_int_t)db_int(o, 0, OL_TICKETS),
			"amount", (json_int_t)db_int(o, 0, OL_AMOUNT), "vat", (json_int_t)db_int(o, 0, OL_VAT),
			"payment", db_text(o, 0, OL_PAYMENT), "status", db_text(o, 0, OL_STATUS),
			"version", (json_int_t)db_int(o, 0, OL_VERSION), "email", db_text(o, 0, OL_EMAIL));
	arr = json_array();
	for (int i = 0; i < PQntuples(lines); i++)
		json_array_append_new(arr, json_pack("{ss sI sI sI sI ss}", "type", db_text(lines, i, 0),
			"qty", (json_int_t)db_int(lines, i, 1), "unit", (json_int_t)db_int(lines, i, 2),
			"net", (json_int_t)db_int(lines, i, 3), "vat", (json_int_t)db_int(lines, i, 4),
			"channel", db_text(lines, i, 5)));
	json_object_set_new(doc, "lines", arr);
	arr = json_array();
	for (int i = 0; i < PQntuples(tickets); i++)
		json_array_append_new(arr, json_pack("{sI ss sI ss ss}", "id", (json_int_t)db_int(tickets, i, 0),
			"type", db_text(tickets, i, 1), "serial", (json_int_t)db_int(tickets, i, 2),
			"status", db_text(tickets, i, 3), "person", db_text(tickets, i, 4)));
	json_object_set_new(doc, "ticket_list", arr);
	arr = json_array();
	for (int i = 0; i < PQntuples(history); i++)
		json_array_append_new(arr, json_pack("{ss ss ss ss}", "at", db_text(history, i, 0),
			"station", db_text(history, i, 1), "action", db_text(history, i, 2),
			"reason", db_text(history, i, 3)));
	json_object_set_new(doc, "history", arr);
	if (!json)
		print_order(o, lines, tickets, history);
	PQclear(o);
	PQclear(lines);
	PQclear(tickets);
	PQclear(history);
	if (json)
		cli_print_json(doc);
	else
		json_decref(doc);
	return EXIT_DONE;
}

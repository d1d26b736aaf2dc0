/* Documents people hand over: order invoice (numbers the invoice, draws
 * its PDF, mails it), order receipt (PDF, text, lp), seller set|show. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/document.h"
#include "../core/money.h"
#include "../core/order.h"
#include "../core/util.h"
#include "../core/validate.h"
#include "../db/documents.h"
#include "../db/identity.h"
#include "../db/inventory.h"
#include "cli.h"
#include "commands.h"
#include "deliver.h"
#include "mail.h"
#include "paths.h"
#include "pdf_invoice.h"

/* STATE/<database identity>/<folder>/<name>, its folder made. */
static bool state_path(struct cli *cli, const char *what, const char *folder, const char *name, char *out,
		       size_t size, int *rc)
{
	char id[DB_IDENTITY_LEN + 1], dir[PATH_MAX];

	if (!db_identity(cli->db, id)) {
		*rc = cli_db_fail(cli, what);
		return false;
	}
	snprintf(dir, sizeof dir, "%s/%s/%s", paths_state_dir(), id, folder);
	if (paths_mkdirs(dir) < 0) {
		*rc = cli_fail(EXIT_FAILED, what, "%s: %s", dir, strerror(errno));
		return false;
	}
	snprintf(out, size, "%s/%s", dir, name);
	return true;
}

static char *invoice_mail_body(const struct document *d)
{
	char total[40];
	money_format(total, sizeof total, d->gross_cents);
	return xasprintf("Hello%s%s,\n\n"
			 "please find attached invoice %s for order #%lld (%s, %s).\n\n"
			 "Total due: %s%s%s by %s\n"
			 "Payment reference: %s\n%s%s%s\n"
			 "Kind regards,\n%s\n",
			 d->buyer.contact[0] ? " " : "", d->buyer.contact, d->invoice_code, d->order_id,
			 d->event_name, d->event_date, total, d->currency[0] ? " " : "", d->currency, d->due_on,
			 d->payment_ref, d->seller.bank[0] ? "Pay to: " : "", d->seller.bank,
			 d->seller.bank[0] ? "\n" : "", d->has_seller ? d->seller.name : "");
}

bool invoice_mail(const struct document *d, const char *pdf, char *why, size_t size)
{
	struct mail_config mc;
	struct mail_message m = { 0 };
	char subject[1024], name[80];
	char *body;
	bool ok;

	if (!mail_config_env(&mc, why, size))
		return false;
	snprintf(subject, sizeof subject, "Invoice %s%s%s", d->invoice_code, d->has_seller ? " from " : "",
		 d->has_seller ? d->seller.name : "");
	snprintf(name, sizeof name, "%s.pdf", d->invoice_code);
	body = invoice_mail_body(d);
	m.to = d->buyer.email;
	m.subject = subject;
	m.body = body;
	m.attach_path = pdf;
	m.attach_name = name;
	m.attach_type = "application/pdf";
	ok = mail_send(&mc, &m, why, size);
	free(body);
	return ok;
}

/* order invoice ID [--version V] [--pdf FILE] [--again] [--mail | --no-mail]
 *
 * An order without a number gets the next one (requested → invoice_sent),
 * its PDF is saved under the state folder (and to --pdf FILE) and, when
 * SMTP is configured, mailed to the order's contact. An order that has
 * its number already is produced again, the same document, with --pdf
 * FILE (printed there), --mail (mailed again) or --again (saved, and mailed
 * when SMTP is configured); without these it is refused as before. */
int cmd_order_invoice(struct cli *cli, int argc, char **argv)
{
	const char *what = "order invoice", *pos[1], *version = NULL, *pdf = NULL;
	bool mail = false, no_mail = false, again = false;
	const struct cli_opt opts[] = {
		{ "version", &version, NULL }, { "pdf", &pdf, NULL }, { "mail", NULL, &mail },
		{ "no-mail", NULL, &no_mail }, { "again", NULL, &again }, { NULL, NULL, NULL },
	};
	const char *smtp = getenv("BOXOFFICE_SMTP_URL");
	bool configured = smtp && *smtp;
	char saved[PATH_MAX + 64], name[80], why[600] = "";
	struct document d;
	json_t *doc = NULL;
	long long id, v = -1;
	int npos, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);

	if (rc)
		return rc;
	if (!cli_id(what, npos, pos, "order", &id, &rc) ||
	    (version && !cli_int(what, "version", version, 1, INT32_MAX, &v, &rc)) ||
	    !cli_value(what, "pdf", pdf, 4000, &rc))
		return rc;
	if (mail && no_mail)
		return cli_fail(EXIT_USAGE, what, "--mail and --no-mail contradict each other");
	if ((rc = cli_require(cli, what, "order", id)))
		return rc;
	if (!db_document_read(cli->db, id, &d))
		return cli_db_fail(cli, what);
	if (d.invoice_no == 0 || (!pdf && !mail && !again)) {
		/* the transition: the database refuses a second number */
		doc_free(&d);
		if (!(doc = db_order_set_status(cli->db, id, order_status_name(ORDER_INVOICE_SENT), v, NULL, NULL)))
			return cli_db_fail(cli, what);
		if (!db_document_read(cli->db, id, &d)) {
			cli_print_json(doc); /* the number is given: say which */
			return cli_db_fail(cli, what);
		}
		mail = !no_mail && (mail || configured);
	} else {
		mail = mail || (again && configured && !no_mail);
		doc = json_pack("{sI ss sI sI sI}", "id", (json_int_t)d.order_id, "status", d.status,
				"invoice_no", (json_int_t)d.invoice_no, "amount", (json_int_t)d.gross_cents,
				"vat", (json_int_t)d.vat_cents);
	}
	json_object_set_new(doc, "invoice", json_string(d.invoice_code));
	json_object_set_new(doc, "due", json_string(d.due_on));
	json_object_set_new(doc, "payment_ref", json_string(d.payment_ref));
	snprintf(name, sizeof name, "%s.pdf", d.invoice_code);
	if (!state_path(cli, what, "invoices", name, saved, sizeof saved, &rc) ||
	    !pdf_invoice_write(&d, saved, why, sizeof why) || (pdf && !pdf_invoice_write(&d, pdf, why, sizeof why))) {
		json_object_set_new(doc, "pdf", json_null());
		json_object_set_new(doc, "mailed", json_false());
		cli_print_json(doc);
		doc_free(&d);
		return why[0] ? cli_fail(EXIT_FAILED, what, "invoice %s is numbered, but its PDF: %s", d.invoice_code, why)
			      : rc;
	}
	json_object_set_new(doc, "pdf", json_string(pdf ? pdf : saved));
	json_object_set_new(doc, "seller_set", json_boolean(d.has_seller));
	if (mail) {
		bool sent = invoice_mail(&d, saved, why, sizeof why);
		json_object_set_new(doc, "mailed", json_boolean(sent));
		if (sent)
			json_object_set_new(doc, "mailed_to", json_string(d.buyer.email));
		else
			json_object_set_new(doc, "mail_error", json_string(why));
		cli_print_json(doc);
		doc_free(&d);
		if (!sent)
			return cli_fail(EXIT_FAILED, what, "invoice %s is sent and saved, but not mailed: %s",
					d.invoice_code, why);
		return EXIT_DONE;
	}
	json_object_set_new(doc, "mailed", json_false());
	/* why not: a station shows it, so nobody waits for a mail never sent */
	json_object_set_new(doc, "mail_skipped", json_string(no_mail ? "--no-mail"
								   : !configured ? "no SMTP server set (BOXOFFICE_SMTP_URL)"
										 : "not asked"));
	cli_print_json(doc);
	doc_free(&d);
	return EXIT_DONE;
}

/* order receipt ID [--pdf FILE] [--text] [--width N] [--print] */
int cmd_order_receipt(struct cli *cli, int argc, char **argv)
{
	const char *what = "order receipt", *pos[1], *pdf = NULL, *width_s = NULL;
	bool text = false, print = false;
	const struct cli_opt opts[] = {
		{ "pdf", &pdf, NULL }, { "text", NULL, &text }, { "width", &width_s, NULL },
		{ "print", NULL, &print }, { NULL, NULL, NULL },
	};
	char saved[PATH_MAX + 64], name[64], why[600] = "";
	struct document d;
	long long id, width = 42;
	char *receipt;
	json_t *doc;
	int npos, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);

	if (rc)
		return rc;
	if (!cli_id(what, npos, pos, "order", &id, &rc) || !cli_value(what, "pdf", pdf, 4000, &rc) ||
	    (width_s && !cli_int(what, "width", width_s, 32, 80, &width, &rc)))
		return rc;
	if ((rc = cli_require(cli, what, "order", id)))
		return rc;
	if (!db_document_read(cli->db, id, &d))
		return cli_db_fail(cli, what);
	if (strcmp(d.status, order_status_name(ORDER_SETTLED)) != 0) {
		rc = cli_fail(EXIT_REFUSED, what, "order %lld is %s: a receipt is for a paid (settled) order", id,
			      d.status);
		doc_free(&d);
		return rc;
	}
	receipt = doc_receipt_text(&d, (int)width);
	if (print && !receipt_print(receipt, why, sizeof why)) {
		rc = cli_fail(strstr(why, "not found") ? EXIT_REFUSED : EXIT_FAILED, what, "%s", why);
		goto out;
	}
	if (text) {
		fputs(receipt, stdout);
		if (pdf && !pdf_receipt_write(&d, pdf, why, sizeof why))
			rc = cli_fail(EXIT_FAILED, what, "%s", why);
		goto out;
	}
	snprintf(name, sizeof name, "R-%lld.pdf", id);
	if (!pdf && !state_path(cli, what, "receipts", name, saved, sizeof saved, &rc))
		goto out;
	if (!pdf_receipt_write(&d, pdf ? pdf : saved, why, sizeof why)) {
		rc = cli_fail(EXIT_FAILED, what, "%s", why);
		goto out;
	}
	doc = json_pack("{sI ss sb sI sI}", "id", (json_int_t)id, "pdf", pdf ? pdf : saved, "printed", print,
			"amount", (json_int_t)d.gross_cents, "vat", (json_int_t)d.vat_cents);
	cli_print_json(doc);
out:
	free(receipt);
	doc_free(&d);
	return rc;
}

/* seller set [--event E] [--name N] [--address A] [--vat-number V]
 * [--bank B] [--email E] [--currency C] [--due-days N] */
int cmd_seller_set(struct cli *cli, int argc, char **argv)
{
	const char *what = "seller set", *event = NULL, *due = NULL;
	struct seller_spec sp = { .due_days = -1 };
	const struct cli_opt opts[] = {
		{ "event", &event, NULL }, { "name", &sp.name, NULL }, { "address", &sp.address, NULL },
		{ "vat-number", &sp.vat_number, NULL }, { "bank", &sp.bank, NULL }, { "email", &sp.email, NULL },
		{ "currency", &sp.currency, NULL }, { "due-days", &due, NULL }, { NULL, NULL, NULL },
	};
	char address[501];
	long long days;
	const char *bad;
	json_t *doc;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (!cli_value(what, "name", sp.name, 200, &rc) || !cli_text(what, "address", sp.address, 500, &rc) ||
	    !cli_text(what, "vat-number", sp.vat_number, 50, &rc) || !cli_text(what, "bank", sp.bank, 200, &rc) ||
	    !cli_text(what, "currency", sp.currency, 3, &rc) ||
	    (due && !cli_int(what, "due-days", due, 0, 365, &days, &rc)))
		return rc;
	if (sp.email && *sp.email && (bad = validate_email(sp.email, false)))
		return cli_fail(EXIT_USAGE, what, "--email %s", bad);
	if (due)
		sp.due_days = (int)days;
	if (sp.address) {
		/* lines separated by ";" on the command line */
		size_t o = 0;
		for (const char *p = sp.address; *p && o + 1 < sizeof address; p++) {
			if (*p == ';') {
				address[o++] = '\n';
				while (p[1] == ' ')
					p++;
			} else {
				address[o++] = *p;
			}
		}
		address[o] = '\0';
		sp.address = address;
	}
	if (event && (rc = cli_event_type(cli, what, event, NULL, &sp.event_id, NULL)))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_seller_set(cli->db, &sp)))
		return cli_db_fail(cli, what);
	cli_print_json(doc);
	return EXIT_DONE;
}

int cmd_seller_show(struct cli *cli, int argc, char **argv)
{
	const char *what = "seller show", *event = NULL;
	bool json = false;
	const struct cli_opt opts[] = { { "event", &event, NULL }, { "json", NULL, &json }, { NULL, NULL, NULL } };
	static const char *const keys[] = { "name", "address", "vat_number", "bank", "email", "currency" };
	long long event_id = 0;
	json_t *doc;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (event && (rc = cli_event_type(cli, what, event, NULL, &event_id, NULL)))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_seller_get(cli->db, event_id)))
		return cli_db_fail(cli, what);
	if (json) {
		if (json_is_null(doc)) {
			json_decref(doc);
			puts("null");
			return EXIT_DONE;
		}
		cli_print_json(doc);
		return EXIT_DONE;
	}
	if (json_is_null(doc)) {
		puts("No seller set: boxoffice seller set --name NAME --address \"STREET; CITY\" --vat-number V --bank B");
	} else {
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
			const char *s = json_string_value(json_object_get(doc, keys[i]));
			printf("%-11s %s\n", keys[i], s ? s : "");
		}
		printf("%-11s %lld\n", "due_days", (long long)json_integer_value(json_object_get(doc, "due_days")));
		printf("%-11s %s\n", "for", json_is_null(json_object_get(doc, "event")) ? "every event" : "this event");
	}
	json_decref(doc);
	return EXIT_DONE;
}

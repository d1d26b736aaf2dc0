#include "documents.h"

#include <stdio.h>
#include <string.h>

#include "../core/json_text.h"
#include "../core/util.h"

enum { H_ID, H_EVENT, H_EVENT_NAME, H_EVENT_DATE, H_STATUS, H_PAYMENT, H_STATION, H_CREATED,
       H_COMPANY, H_CONTACT, H_EMAIL, H_NET, H_VAT, H_INVOICE, H_SELLER, H_BUYER_VAT };

static const char SQL_HEADER[] =
	"SELECT o.id, o.event_id, e.name, e.date::text, o.status, o.payment, o.station, "
	"to_char(o.created_at, 'YYYY-MM-DD HH24:MI'), o.company, o.contact, o.email, "
	"o.net_cents, o.vat_cents, invoice_of(o.id)::text, seller_of(o.event_id)::text, "
	"invoice_buyer(o)->>'vat_number' "
	"FROM ticket_order o JOIN event e ON e.id = o.event_id WHERE o.id = $1";

static const char SQL_LINES[] =
	"SELECT t.name, l.qty, l.unit_cents, l.net_cents, l.vat_bp, l.vat_cents "
	"FROM order_line l JOIN ticket_type t ON t.id = l.type_id WHERE l.order_id = $1 ORDER BY l.id";

static void copy(char *dst, size_t size, const char *src)
{
	utf8_copy(dst, size, src ? src : "");
}

static void party_from(struct doc_party *p, json_t *o)
{
	copy(p->name, sizeof p->name, json_text(o, "name"));
	copy(p->address, sizeof p->address, json_text(o, "address"));
	copy(p->vat_number, sizeof p->vat_number, json_text(o, "vat_number"));
	copy(p->bank, sizeof p->bank, json_text(o, "bank"));
	copy(p->email, sizeof p->email, json_text(o, "email"));
}

static bool parse_json_cell(struct db *db, const PGresult *res, int col, json_t **out)
{
	json_error_t jerr;
	*out = NULL;
	if (PQgetisnull(res, 0, col))
		return true;
	if (!(*out = json_loads(PQgetvalue(res, 0, col), 0, &jerr))) {
		db_set_error(db, DB_FAILED, "bad JSON from the database: %s", jerr.text);
		return false;
	}
	return true;
}

bool db_document_read(struct db *db, long long order_id, struct document *d)
{
	PGresult *h, *l;
	json_t *inv = NULL, *seller = NULL, *s;
	char why[300];
	bool ok = false;

	memset(d, 0, sizeof *d);
	if (!(h = db_exec_id(db, SQL_HEADER, order_id)))
		return false;
	if (PQntuples(h) == 0) {
		PQclear(h);
		db_set_error(db, DB_REFUSED, "order %lld: no such order", order_id);
		return false;
	}
	if (!(l = db_exec_id(db, SQL_LINES, order_id))) {
		PQclear(h);
		return false;
	}
	if (!parse_json_cell(db, h, H_INVOICE, &inv) || !parse_json_cell(db, h, H_SELLER, &seller))
		goto out;
	d->order_id = db_int(h, 0, H_ID);
	d->event_id = db_int(h, 0, H_EVENT);
	copy(d->event_name, sizeof d->event_name, db_text(h, 0, H_EVENT_NAME));
	copy(d->event_date, sizeof d->event_date, db_text(h, 0, H_EVENT_DATE));
	copy(d->status, sizeof d->status, db_text(h, 0, H_STATUS));
	copy(d->payment, sizeof d->payment, db_text(h, 0, H_PAYMENT));
	copy(d->station, sizeof d->station, db_text(h, 0, H_STATION));
	copy(d->created, sizeof d->created, db_text(h, 0, H_CREATED));
	d->order_net_cents = db_int(h, 0, H_NET);
	d->order_vat_cents = db_int(h, 0, H_VAT);
	/* The buyer as the order says now; an invoice prints its own copy. */
	copy(d->buyer.name, sizeof d->buyer.name, db_text(h, 0, H_COMPANY));
	copy(d->buyer.contact, sizeof d->buyer.contact, db_text(h, 0, H_CONTACT));
	copy(d->buyer.email, sizeof d->buyer.email, db_text(h, 0, H_EMAIL));
	copy(d->buyer.vat_number, sizeof d->buyer.vat_number, db_text(h, 0, H_BUYER_VAT));
	s = seller;
	if (inv) {
		json_t *buyer = json_object_get(inv, "buyer");
		d->invoice_no = (int)json_integer_value(json_object_get(inv, "invoice_no"));
		copy(d->issued_on, sizeof d->issued_on, json_text(inv, "issued_on"));
		copy(d->due_on, sizeof d->due_on, json_text(inv, "due_on"));
		if (json_is_object(json_object_get(inv, "seller")))
			s = json_object_get(inv, "seller");
		if (json_is_object(buyer)) {
			copy(d->buyer.name, sizeof d->buyer.name, json_text(buyer, "company"));
			copy(d->buyer.contact, sizeof d->buyer.contact, json_text(buyer, "contact"));
			copy(d->buyer.email, sizeof d->buyer.email, json_text(buyer, "email"));
			copy(d->buyer.vat_number, sizeof d->buyer.vat_number, json_text(buyer, "vat_number"));
		}
	}
	if (json_is_object(s)) {
		d->has_seller = true;
		party_from(&d->seller, s);
		copy(d->currency, sizeof d->currency, json_text(s, "currency"));
	}
	d->nlines = (size_t)PQntuples(l);
	d->lines = xcalloc(d->nlines ? d->nlines : 1, sizeof *d->lines);
	for (size_t i = 0; i < d->nlines; i++) {
		struct doc_line *dl = &d->lines[i];
		copy(dl->type, sizeof dl->type, db_text(l, (int)i, 0));
		dl->qty = (int)db_int(l, (int)i, 1);
		dl->unit_cents = db_int(l, (int)i, 2);
		dl->net_cents = db_int(l, (int)i, 3);
		dl->vat_bp = (int)db_int(l, (int)i, 4);
		dl->vat_cents = db_int(l, (int)i, 5);
	}
	if (!doc_finish(d, why, sizeof why)) {
		db_set_error(db, DB_FAILED, "%s", why);
		goto out;
	}
	ok = true;
out:
	if (!ok)
		doc_free(d);
	json_decref(inv);
	json_decref(seller);
	PQclear(h);
	PQclear(l);
	return ok;
}

json_t *db_seller_set(struct db *db, const struct seller_spec *sp)
{
	char event[24], due[16];
	const char *p[8] = { NULL, sp->name, sp->address, sp->vat_number, sp->bank, sp->email, sp->currency, NULL };

	if (sp->event_id > 0) {
		snprintf(event, sizeof event, "%lld", sp->event_id);
		p[0] = event;
	}
	if (sp->due_days >= 0) {
		snprintf(due, sizeof due, "%d", sp->due_days);
		p[7] = due;
	}
	return db_json(db, "SELECT seller_set($1, $2, $3, $4, $5, $6, $7, $8)", 8, p);
}

json_t *db_seller_get(struct db *db, long long event_id)
{
	char event[24];
	const char *p[1] = { event };
	PGresult *res;
	json_t *doc = NULL;

	snprintf(event, sizeof event, "%lld", event_id);
	if (!(res = db_exec(db, "SELECT seller_of($1)::text", 1, p)))
		return NULL;
	if (parse_json_cell(db, res, 0, &doc) && !doc)
		doc = json_null();
	PQclear(res);
	return doc;
}

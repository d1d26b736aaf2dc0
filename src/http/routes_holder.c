/* The ticket holder's endpoints: GET /persons/{id}/tickets (JSON) and
 * GET /tickets/{id}/qr.png|qr.svg with a holder key, and the QR image both
 * they and My Tickets (pages.c) serve: the ticket's signed token, minted
 * as a badge's is (db_claim_token: the event's key, made on first use). */
#include <gd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/qr.h"
#include "../core/token.h"
#include "../db/api.h"
#include "../db/db.h"
#include "../db/tickets.h"
#include "http.h"

/* Pixels per module of the PNG; the quiet zone is four modules. */
#define QR_PNG_MODULE 8
#define QR_QUIET 4

static bool send_png(struct request *r, const struct qr *q)
{
	int side = (q->width + 2 * QR_QUIET) * QR_PNG_MODULE, size = 0, white, black;
	gdImagePtr im = gdImageCreate(side, side);
	void *png;
	bool ok;

	if (!im)
		return http_error(r, 500, "out of memory");
	white = gdImageColorAllocate(im, 255, 255, 255);
	black = gdImageColorAllocate(im, 0, 0, 0);
	gdImageFilledRectangle(im, 0, 0, side - 1, side - 1, white);
	for (int y = 0; y < q->width; y++)
		for (int x = 0; x < q->width; x++)
			if (qr_dark(q, x, y))
				gdImageFilledRectangle(im, (x + QR_QUIET) * QR_PNG_MODULE, (y + QR_QUIET) * QR_PNG_MODULE,
						       (x + QR_QUIET + 1) * QR_PNG_MODULE - 1,
						       (y + QR_QUIET + 1) * QR_PNG_MODULE - 1, black);
	png = gdImagePngPtr(im, &size);
	gdImageDestroy(im);
	if (!png || size <= 0)
		return http_error(r, 500, "cannot make the PNG");
	ok = http_bytes(r, 200, "image/png", png, (size_t)size);
	gdFree(png);
	return ok;
}

/* One rect per horizontal run of dark modules, in module units. */
static bool send_svg(struct request *r, const struct qr *q)
{
	int side = q->width + 2 * QR_QUIET;
	size_t cap = 512 + (size_t)q->width * (size_t)q->width * 48, n = 0;
	char *svg = malloc(cap);
	bool ok;

	if (!svg)
		return http_error(r, 500, "out of memory");
	n += (size_t)snprintf(svg + n, cap - n,
			      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
			      "shape-rendering=\"crispEdges\">\n<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n",
			      side, side, side * QR_PNG_MODULE, side * QR_PNG_MODULE, side, side);
	for (int y = 0; y < q->width; y++)
		for (int x = 0; x < q->width;) {
			int run = 0;
			while (x + run < q->width && qr_dark(q, x + run, y))
				run++;
			if (!run) {
				x++;
				continue;
			}
			n += (size_t)snprintf(svg + n, cap - n, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"1\"/>\n",
					      x + QR_QUIET, y + QR_QUIET, run);
			x += run;
		}
	n += (size_t)snprintf(svg + n, cap - n, "</svg>\n");
	ok = n < cap ? http_bytes(r, 200, "image/svg+xml", svg, n) : http_error(r, 500, "the SVG did not fit");
	free(svg);
	return ok;
}

bool http_ticket_qr(struct request *r, struct db *db, json_t *doc, long long ticket_id, bool svg)
{
	json_t *tickets = json_object_get(doc, "tickets"), *t, *found = NULL;
	char token[TOKEN_MAX + 8];
	struct ticket_claim c;
	const char *status;
	struct qr q;
	size_t i;
	bool ok;

	json_array_foreach(tickets, i, t)
		if (json_integer_value(json_object_get(t, "id")) == ticket_id)
			found = t;
	if (!found)
		return http_error(r, 404, "no ticket %lld here", ticket_id);
	status = json_string_value(json_object_get(found, "status"));
	if (!status || strcmp(status, "valid") != 0)
		return http_error(r, 410, "ticket %lld is %s: it has no QR code", ticket_id, status ? status : "not valid");
	memset(&c, 0, sizeof c);
	c.event_id = (uint64_t)json_integer_value(json_object_get(found, "event"));
	c.ticket_id = (uint64_t)ticket_id;
	c.type_id = (uint64_t)json_integer_value(json_object_get(found, "type_id"));
	c.issue = (uint32_t)json_integer_value(json_object_get(found, "issue"));
	if (!c.event_id || !c.type_id)
		return http_error(r, 500, "the database did not say the ticket's event and type (run boxoffice migrate)");
	if (!db_claim_token(db, &c, token, sizeof token))
		return http_db_error(r, db);
	if (!qr_make(token, &q)) {
		memset(token, 0, sizeof token);
		return http_error(r, 500, "cannot make a QR code of the token");
	}
	memset(token, 0, sizeof token);
	ok = svg ? send_svg(r, &q) : send_png(r, &q);
	qr_free(&q);
	return ok;
}

/* "{id}{suffix}" → id, or 0. */
static long long id_before(const char *text, const char *suffix)
{
	size_t n = strlen(text), m = strlen(suffix);
	char idt[24];

	if (n <= m || n - m >= sizeof idt || strcmp(text + n - m, suffix) != 0)
		return 0;
	memcpy(idt, text, n - m);
	idt[n - m] = '\0';
	return http_id(idt);
}

/* GET /tickets/{id}/qr.png|qr.svg with the holder's key: only the key's
 * person's own tickets. */
bool route_ticket_qr(struct request *r, const char *tail)
{
	long long png_id = id_before(tail, "/qr.png"), svg_id = id_before(tail, "/qr.svg");
	long long id = png_id ? png_id : svg_id;
	struct db *db;
	json_t *doc;

	if (!id)
		return http_error(r, 404, "no such endpoint; a ticket's QR is /tickets/ID/qr.png or /tickets/ID/qr.svg");
	if (!http_auth(r, "holder"))
		return true;
	if (r->key.person_id <= 0)
		return http_error(r, 403, "key %s names no person", r->key.name);
	if (!(db = http_db(r)))
		return true;
	doc = db_api_person_tickets(db, r->key.id, r->key.person_id);
	if (!doc) {
		http_db_error(r, db);
	} else {
		json_t *t;
		size_t i;
		bool mine = false;
		json_array_foreach(json_object_get(doc, "tickets"), i, t)
			if (json_integer_value(json_object_get(t, "id")) == id)
				mine = true;
		if (!mine)
			http_error(r, 403, "ticket %lld is not one of person %lld's tickets", id, r->key.person_id);
		else
			http_ticket_qr(r, db, doc, id, svg_id != 0);
	}
	json_decref(doc);
	http_db_done(r, db);
	return true;
}

/* GET /persons/{id}/tickets with the holder's key (its own person only). */
bool route_person_tickets(struct request *r, const char *tail)
{
	long long id = id_before(tail, "/tickets");
	struct db *db;
	json_t *doc;

	if (!id)
		return http_error(r, 404, "no such endpoint; a person's tickets are /persons/ID/tickets");
	if (!http_auth(r, "holder"))
		return true;
	if (id != r->key.person_id)
		return http_error(r, 403, "key %s does not read person %lld's tickets", r->key.name, id);
	if (!(db = http_db(r)))
		return true;
	doc = db_api_person_tickets(db, r->key.id, id);
	if (doc)
		http_json(r, 200, doc);
	else
		http_db_error(r, db);
	http_db_done(r, db);
	return true;
}

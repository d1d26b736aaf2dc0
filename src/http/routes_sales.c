/* The sales channels' endpoints: /tickets/adjust, /orders, /availability. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/validate.h"
#include "../db/api.h"
#include "../db/db.h"
#include "http.h"

/* The texts a sale or an order stores, held to the rules of every other
 * path (src/core/validate.c, as the CLI): no control character, the
 * limits, an e-mail that looks like one; nor a bidi override (db/072). false after answering 400; a
 * field of the wrong JSON type is left to the database to name. */
static bool texts_ok(struct request *r, json_t *body)
{
	static const struct {
		const char *field;
		int max_chars;
	} texts[] = { { "company", COMPANY_MAX_CHARS }, { "contact", CONTACT_MAX_CHARS }, { "reference", 200 } };
	json_t *v;
	const char *why;

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		v = json_object_get(body, texts[i].field);
		if (json_is_string(v) &&
		    (why = validate_text_n(json_string_value(v), json_string_length(v), texts[i].max_chars, false)))
			return http_error(r, 400, "%s %s", texts[i].field, why), false;
	}
	v = json_object_get(body, "email");
	if (json_is_string(v) && (why = validate_email_n(json_string_value(v), json_string_length(v), false)))
		return http_error(r, 400, "email %s", why), false;
	return true;
}

/* Runs one api_* call with the request's body; answers with its document. */
static bool call_with_body(struct request *r, unsigned ok_status,
			   json_t *(*call)(struct request *r, struct db *db, const char *body, const char *idem))
{
	json_t *body = http_body_json(r), *doc;
	const char *idem;
	char *text;
	struct db *db;

	if (!body)
		return true;
	if (!http_idempotency_key(r, body, &idem) || !texts_ok(r, body)) {
		json_decref(body);
		return true;
	}
	text = json_dumps(body, JSON_COMPACT);
	if (!text || !(db = http_db(r))) {
		free(text);
		json_decref(body);
		return text ? true : http_error(r, 500, "out of memory");
	}
	doc = call(r, db, text, idem);
	if (doc)
		http_json(r, ok_status, doc);
	else
		http_db_error(r, db);
	http_db_done(r, db);
	free(text);
	json_decref(body);
	return true;
}

static json_t *adjust_call(struct request *r, struct db *db, const char *body, const char *idem)
{
	json_t *doc = db_api_adjust(db, r->key.id, body, idem), *avail;
	long long ev, ty;

	if (!doc)
		return NULL;
	/* the new availability, read after COMMIT (db/034): null when the
	 * database cannot say now (the change itself is made) */
	ev = json_integer_value(json_object_get(doc, "event"));
	ty = json_integer_value(json_object_get(doc, "type"));
	avail = ev ? db_api_availability(db, ev, ty) : NULL;
	json_object_set_new(doc, "availability", avail ? avail : json_null());
	return doc;
}

bool route_adjust(struct request *r, const char *tail)
{
	(void)tail;
	if (!http_auth(r, "channel"))
		return true;
	return call_with_body(r, 200, adjust_call);
}

static json_t *order_call(struct request *r, struct db *db, const char *body, const char *idem)
{
	return db_api_order(db, r->key.id, body, idem, r->srv->cfg.pay_within);
}

bool route_orders(struct request *r, const char *tail)
{
	(void)tail;
	if (!http_auth(r, "channel"))
		return true;
	return call_with_body(r, 201, order_call);
}

bool route_availability(struct request *r, const char *tail)
{
	const char *ev = http_arg(r, "event"), *ty = http_arg(r, "type"), *accept = http_header(r, "Accept");
	long long event_id = http_id(ev), type_id = 0;
	unsigned status = 0;
	char *rows;

	(void)tail;
	if (!ev)
		return http_error(r, 400, "which event? /availability?event=ID[&type=ID]");
	if (!event_id)
		return http_error(r, 400, "event must be an event's ID");
	if (ty && !(type_id = http_id(ty)))
		return http_error(r, 400, "type must be a ticket type's ID");
	if (accept && strstr(accept, "text/event-stream"))
		return live_stream(r, event_id, type_id);
	rows = live_availability(r->srv->live, event_id, type_id, &status);
	if (!rows) {
		if (status == 404)
			return http_error(r, 404, "no event %lld", event_id);
		return http_error(r, 503, "availability is not known yet; try again");
	}
	if (type_id && strcmp(rows, "[]") == 0) {
		free(rows);
		return http_error(r, 404, "event %lld has no ticket type %lld", event_id, type_id);
	}
	http_send(r, 200, "application/json", rows, strlen(rows), NULL);
	free(rows);
	return true;
}

bool route_health(struct request *r, const char *tail)
{
	(void)tail;
	return http_bytes(r, 200, "application/json", "{\"ok\":true}", 11);
}

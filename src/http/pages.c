/* The participant's pages, plain server-rendered HTML for a phone:
 *   GET  /events/{id}        the public ticket page (types, prices incl.
 *                            VAT, what is left for the web channel, a form)
 *   POST /events/{id}/order  the form's target (web channel, per-IP rate)
 *   GET  /my/{link}          My Tickets (a signed link, src/core/apikey.h)
 *   GET  /my/{link}/tickets/{id}.png|.svg  a ticket's QR
 * Every value written into the HTML goes through html_escape().
 *
 * Element ids and field names (the browser tests rely on them): form
 * #order-form with inputs qty_<TYPEID> (also the id), select payment,
 * inputs company, contact, email, hidden idem, button #buy; #error holds a
 * refusal; the confirmation shows #order-number, #order-amount,
 * #order-status and for card #pay-by. */
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/json_text.h"
#include "../core/money.h"
#include "../core/validate.h"
#include "../db/api.h"
#include "../db/db.h"
#include "http.h"

/* Orders a client address may send through the page each minute. */
#define ORDERS_PER_IP_MINUTE 30

/* ---- HTML text ---- */

struct html {
	char *p;
	size_t n, cap;
	bool oom;
};

static void put(struct html *h, const char *s, size_t n)
{
	if (h->oom)
		return;
	if (h->n + n + 1 > h->cap) {
		size_t cap = h->cap ? h->cap : 4096;
		char *p;
		while (cap < h->n + n + 1)
			cap *= 2;
		if (!(p = realloc(h->p, cap))) {
			h->oom = true;
			return;
		}
		h->p = p;
		h->cap = cap;
	}
	memcpy(h->p + h->n, s, n);
	h->n += n;
	h->p[h->n] = '\0';
}

/* Markup (our own text, never a value). */
static void add(struct html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct html *h, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof buf) {
		put(h, buf, (size_t)n);
		return;
	}
	{
		char *big = malloc((size_t)n + 1);
		if (!big) {
			h->oom = true;
			return;
		}
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		put(h, big, (size_t)n);
		free(big);
	}
}

/* A value, escaped for element text and quoted attributes alike. */
static void html_escape(struct html *h, const char *s)
{
	const char *run = s;

	for (; s && *s; s++) {
		const char *e = NULL;
		switch (*s) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		default: continue;
		}
		put(h, run, (size_t)(s - run));
		put(h, e, strlen(e));
		run = s + 1;
	}
	if (run)
		put(h, run, strlen(run));
}

static void head(struct html *h, const char *title)
{
	add(h, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	html_escape(h, title);
	add(h, "</title>\n<style>\n"
	       "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;font-size:17px;line-height:1.45;"
	       "margin:0 auto;max-width:40rem;padding:1rem;color:#1a1a1a;background:#fafafa}\n"
	       "h1{font-size:1.5rem;margin:.2rem 0}\n.muted{color:#555}\n"
	       "fieldset{border:1px solid #ccc;border-radius:8px;margin:1rem 0;padding:.6rem 1rem;background:#fff}\n"
	       "div.type{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem;"
	       "padding:.6rem 0;border-bottom:1px solid #eee}\ndiv.type:last-child{border-bottom:0}\n"
	       "div.type .name{font-weight:600}\n.price{white-space:nowrap}\n"
	       "label{display:block;margin:.5rem 0 .2rem}\n"
	       "input,select,button{font-size:1rem;padding:.5rem;border:1px solid #aaa;border-radius:6px;"
	       "box-sizing:border-box}\n"
	       "input[type=text],input[type=email],select{width:100%%}\ninput[type=number]{width:5.5rem}\n"
	       "button{background:#0b57d0;color:#fff;border:0;padding:.8rem 1.4rem;margin-top:1rem;width:100%%}\n"
	       ".error{background:#fde8e8;border:1px solid #d93025;border-radius:8px;padding:.6rem 1rem}\n"
	       ".ok{background:#e6f4ea;border:1px solid #188038;border-radius:8px;padding:.6rem 1rem}\n"
	       ".ticket{background:#fff;border:1px solid #ccc;border-radius:8px;padding:.8rem 1rem;margin:1rem 0}\n"
	       ".ticket img{display:block;width:100%%;max-width:18rem;height:auto;margin:.5rem auto;"
	       "image-rendering:pixelated}\n"
	       "</style>\n</head>\n<body>\n");
}

static bool send_page(struct request *r, unsigned status, struct html *h, const char *const *headers)
{
	bool ok;

	add(h, "</body>\n</html>\n");
	if (h->oom) {
		free(h->p);
		return http_error(r, 500, "out of memory");
	}
	ok = http_send(r, status, "text/html; charset=utf-8", h->p, h->n, headers);
	free(h->p);
	return ok;
}

/* A page with a heading and one message. */
static bool message_page(struct request *r, unsigned status, const char *title, const char *text,
			 const char *const *headers)
{
	struct html h = { 0 };

	head(&h, title);
	add(&h, "<h1>");
	html_escape(&h, title);
	add(&h, "</h1>\n<p id=\"message\">");
	html_escape(&h, text);
	add(&h, "</p>\n");
	return send_page(r, status, &h, headers);
}

static void money(struct html *h, long long cents)
{
	char buf[40];

	money_format(buf, sizeof buf, cents);
	html_escape(h, buf);
}

/* "2026-05-01T12:34:56.789+00:00" → "2026-05-01 12:34 +00:00". */
static void timestamp(struct html *h, const char *ts)
{
	char buf[64];
	const char *zone;

	if (!ts || strlen(ts) < 16) {
		html_escape(h, ts ? ts : "");
		return;
	}
	zone = strpbrk(ts + 19, "+-Z");
	snprintf(buf, sizeof buf, "%.10s %.5s%s%s", ts, ts + 11, zone ? " " : "", zone ? zone : "");
	html_escape(h, buf);
}

/* ---- the form's fields (application/x-www-form-urlencoded) ---- */

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes in place ('+' is a space, %XX a byte); false on a bad escape. */
static bool form_decode(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (*s == '+') {
			*o++ = ' ';
		} else if (*s == '%') {
			int a = hexval(s[1]), b = a < 0 ? -1 : hexval(s[2]);
			if (a < 0 || b < 0)
				return false;
			*o++ = (char)(a * 16 + b);
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
	return true;
}

/* The body's fields as a JSON object of strings (the last of a repeated
 * name wins); NULL when it is not a form. */
static json_t *form_parse(const char *body, size_t len)
{
	json_t *f = json_object();
	char *copy = malloc(len + 1), *save = NULL;

	if (!f || !copy) {
		json_decref(f);
		free(copy);
		return NULL;
	}
	memcpy(copy, body ? body : "", len);
	copy[len] = '\0';
	for (char *pair = strtok_r(copy, "&", &save); pair; pair = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(pair, '=');
		const char *value = "";
		if (eq) {
			*eq = '\0';
			value = eq + 1;
		}
		if (!form_decode(pair) || !form_decode((char *)value) ||
		    json_object_set_new(f, pair, json_string(value)) != 0) {
			json_decref(f);
			free(copy);
			return NULL;
		}
	}
	free(copy);
	return f;
}

/* ---- the ticket page ---- */

static void new_token(char out[44])
{
	unsigned char raw[24];

	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(out, 44, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

static bool all_free(json_t *ev)
{
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(ev, "types"), i, t)
		if (json_integer_value(json_object_get(t, "price")) > 0)
			return false;
	return true;
}

/* The page of event ev; form: what the user sent (kept), or NULL; error:
 * why the order was refused, or NULL. */
static bool event_page(struct request *r, unsigned status, json_t *ev, json_t *form, const char *error)
{
	struct html h = { 0 };
	long long id = json_integer_value(json_object_get(ev, "id"));
	const char *payment = form ? json_text(form, "payment") : "";
	bool free_only = all_free(ev);
	char idem[44];
	json_t *t;
	size_t i;

	new_token(idem);
	head(&h, json_text(ev, "name"));
	add(&h, "<h1 id=\"event-name\">");
	html_escape(&h, json_text(ev, "name"));
	add(&h, "</h1>\n<p class=\"muted\" id=\"event-date\">");
	html_escape(&h, json_text(ev, "date"));
	add(&h, "</p>\n");
	if (error) {
		add(&h, "<p class=\"error\" id=\"error\" role=\"alert\">");
		html_escape(&h, error);
		add(&h, "</p>\n");
	}
	add(&h, "<form id=\"order-form\" method=\"post\" action=\"/events/%lld/order\">\n", id);
	add(&h, "<input type=\"hidden\" name=\"idem\" value=\"%s\">\n", idem);
	add(&h, "<fieldset id=\"types\"><legend>Tickets</legend>\n");
	json_array_foreach(json_object_get(ev, "types"), i, t) {
		long long tid = json_integer_value(json_object_get(t, "id"));
		long long price = json_integer_value(json_object_get(t, "price"));
		long long bp = json_integer_value(json_object_get(t, "vat_bp"));
		long long avail = json_integer_value(json_object_get(t, "available"));
		int64_t vat = vat_of_net(price, (int)bp);
		char field[40];
		const char *kept;

		snprintf(field, sizeof field, "qty_%lld", tid);
		kept = form ? json_text(form, field) : "";
		if (avail < 0)
			avail = 0;
		add(&h, "<div class=\"type\" id=\"type-%lld\">\n<div><label class=\"name\" for=\"%s\">", tid, field);
		html_escape(&h, json_text(t, "name"));
		add(&h, "</label>\n<span class=\"price\" id=\"price-%lld\">", tid);
		money(&h, price + (vat > 0 ? vat : 0));
		if (bp % 100)
			add(&h, " incl. %lld.%02lld%% VAT</span>\n", bp / 100, bp % 100);
		else
			add(&h, " incl. %lld%% VAT</span>\n", bp / 100);
		if (avail > 0)
			add(&h, "<span class=\"muted\" id=\"available-%lld\">%lld left</span></div>\n", tid, avail);
		else
			add(&h, "<span class=\"muted\" id=\"available-%lld\">sold out</span></div>\n", tid);
		add(&h, "<input type=\"number\" inputmode=\"numeric\" id=\"%s\" name=\"%s\" min=\"0\" max=\"%lld\" value=\"",
		    field, field, avail);
		html_escape(&h, kept[0] ? kept : "0");
		add(&h, "\">\n</div>\n");
	}
	add(&h, "</fieldset>\n<fieldset><legend>Buyer</legend>\n");
	add(&h, "<label for=\"payment\">Payment</label>\n<select id=\"payment\" name=\"payment\">\n");
	if (free_only)
		add(&h, "<option value=\"free\"%s>Free</option>\n", strcmp(payment, "free") == 0 || !payment[0] ? " selected" : "");
	add(&h, "<option value=\"invoice\"%s>Invoice</option>\n", strcmp(payment, "invoice") == 0 ? " selected" : "");
	add(&h, "<option value=\"card\"%s>Card</option>\n</select>\n", strcmp(payment, "card") == 0 ? " selected" : "");
	add(&h, "<label for=\"company\">Company</label>\n<input type=\"text\" id=\"company\" name=\"company\" "
		"maxlength=\"200\" autocomplete=\"organization\" value=\"");
	html_escape(&h, form ? json_text(form, "company") : "");
	add(&h, "\">\n<label for=\"contact\">Contact</label>\n<input type=\"text\" id=\"contact\" name=\"contact\" "
		"maxlength=\"200\" autocomplete=\"name\" value=\"");
	html_escape(&h, form ? json_text(form, "contact") : "");
	add(&h, "\">\n<label for=\"email\">E-mail</label>\n<input type=\"email\" id=\"email\" name=\"email\" "
		"maxlength=\"254\" autocomplete=\"email\" required value=\"");
	html_escape(&h, form ? json_text(form, "email") : "");
	add(&h, "\">\n</fieldset>\n<button type=\"submit\" id=\"buy\">Buy</button>\n</form>\n");
	return send_page(r, status, &h, NULL);
}

/* "{id}" or "{id}{suffix}" → the event id, or 0. */
static long long event_of(const char *tail, const char *suffix)
{
	size_t n = strlen(tail), m = strlen(suffix);
	char idt[24];

	if (n <= m || n - m >= sizeof idt || strcmp(tail + n - m, suffix) != 0)
		return 0;
	memcpy(idt, tail, n - m);
	idt[n - m] = '\0';
	return http_id(idt);
}

/* The event's page document; NULL after answering (404 or the failure). */
static json_t *load_event(struct request *r, struct db *db, long long id)
{
	json_t *ev = db_api_public_event(db, id);

	if (!ev) {
		unsigned st = http_db_status(db);
		message_page(r, st, st == 503 ? "Try again" : "Something went wrong",
			     st == 503 ? "The box office is busy; please try again in a moment." : db->err, NULL);
		return NULL;
	}
	if (!json_is_object(ev)) {
		json_decref(ev);
		message_page(r, 404, "No such event", "There is no event here; check the address.", NULL);
		return NULL;
	}
	return ev;
}

bool route_event_page(struct request *r, const char *tail)
{
	long long id = event_of(tail, "");
	struct db *db;
	json_t *ev;

	if (!id && event_of(tail, "/order")) {
		/* a reload of the order's answer: back to the page */
		char loc[64];
		const char *hdrs[] = { "Location", loc, NULL };
		snprintf(loc, sizeof loc, "/events/%lld", event_of(tail, "/order"));
		return http_send(r, 303, "text/plain", "", 0, hdrs);
	}
	if (!id)
		return message_page(r, 404, "No such page", "There is no page here; check the address.", NULL);
	if (!(db = http_db(r)))
		return true;
	if ((ev = load_event(r, db, id))) {
		event_page(r, 200, ev, NULL, NULL);
		json_decref(ev);
	}
	http_db_done(r, db);
	return true;
}

/* ---- orders through the page: a rate per client address ---- */

#define IP_SLOTS 1024
#define IP_PROBES 8
static struct ip_slot {
	char ip[64];
	struct rate_bucket bucket;
	long long used_ms;
} ip_slots[IP_SLOTS];
static pthread_mutex_t ip_lock = PTHREAD_MUTEX_INITIALIZER;

/* True when this address may order now; else *retry_s says when. The
 * table is small: an address not seen for a while gives its slot up (the
 * least recently used of its probes). */
static bool ip_rate_take(const char *ip, int *retry_s)
{
	unsigned long hash = 5381;
	struct ip_slot *slot = NULL, *oldest = NULL;
	long long now = db_now_ms();
	bool ok;

	for (const char *c = ip; *c; c++)
		hash = hash * 33 + (unsigned char)*c;
	pthread_mutex_lock(&ip_lock);
	for (int i = 0; i < IP_PROBES && !slot; i++) {
		struct ip_slot *s = &ip_slots[(hash + (unsigned long)i) % IP_SLOTS];
		if (strcmp(s->ip, ip) == 0 && s->used_ms)
			slot = s;
		else if (!oldest || s->used_ms < oldest->used_ms)
			oldest = s;
	}
	if (!slot) {
		slot = oldest;
		memset(slot, 0, sizeof *slot);
		snprintf(slot->ip, sizeof slot->ip, "%s", ip);
	}
	slot->used_ms = now;
	ok = rate_take(&slot->bucket, ORDERS_PER_IP_MINUTE, now, retry_s);
	pthread_mutex_unlock(&ip_lock);
	return ok;
}

/* The order's JSON from the form; NULL with *why (a user's mistake). */
static char *order_body(long long event_id, json_t *ev, json_t *form, const char **why, char *msg, size_t size)
{
	json_t *body = json_pack("{s:I,s:[],s:s,s:s,s:s,s:s}", "event", (json_int_t)event_id, "lines", "payment",
				 json_text(form, "payment")[0] ? json_text(form, "payment") : "invoice", "company",
				 json_text(form, "company"), "contact", json_text(form, "contact"), "email",
				 json_text(form, "email"));
	json_t *lines = json_object_get(body, "lines"), *t;
	size_t i;
	char *text;

	*why = NULL;
	if (!body)
		return NULL;
	json_array_foreach(json_object_get(ev, "types"), i, t) {
		long long tid = json_integer_value(json_object_get(t, "id"));
		char field[40];
		const char *q;
		long long qty;
		snprintf(field, sizeof field, "qty_%lld", tid);
		q = json_text(form, field);
		qty = 0;
		if (*q && parse_int_range(q, 0, 10000, &qty)) {
			snprintf(msg, size, "The number of %s tickets must be a whole number from 0 to 10000.",
				 json_text(t, "name"));
			*why = msg;
			json_decref(body);
			return NULL;
		}
		if (qty)
			json_array_append_new(lines, json_pack("{s:I,s:I}", "type", (json_int_t)tid, "qty", (json_int_t)qty));
	}
	if (!json_array_size(lines)) {
		snprintf(msg, size, "Choose at least one ticket.");
		*why = msg;
		json_decref(body);
		return NULL;
	}
	{ /* the database's own check (one @, no spaces), said the page's way */
		const char *e = json_text(form, "email"), *at = strchr(e, '@');
		if (!*e || !at || at == e || !at[1] || strchr(at + 1, '@') || strpbrk(e, " \t\r\n")) {
			snprintf(msg, size, *e ? "That e-mail address looks wrong: check it (like name@example.com)."
					       : "Enter your e-mail address: the confirmation goes there.");
			*why = msg;
			json_decref(body);
			return NULL;
		}
	}
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	return text;
}

/* "only 3 left" names no type: the types the buyer asked more of than is
 * left now, each with what is left ("Adult: only 3 left"). */
static void name_the_short_types(json_t *ev, json_t *form, char *reason, size_t size)
{
	char text[600] = "";
	size_t n = 0;
	json_t *t;
	size_t i;

	json_array_foreach(json_object_get(ev, "types"), i, t) {
		long long tid = json_integer_value(json_object_get(t, "id"));
		long long avail = json_integer_value(json_object_get(t, "available")), qty = 0;
		char field[40];
		snprintf(field, sizeof field, "qty_%lld", tid);
		if (parse_int_range(json_text(form, field), 1, 10000, &qty) || qty <= avail || n >= sizeof text)
			continue;
		if (avail > 0)
			n += (size_t)snprintf(text + n, sizeof text - n, "%s%s: only %lld left", n ? "; " : "",
					      json_text(t, "name"), avail);
		else
			n += (size_t)snprintf(text + n, sizeof text - n, "%s%s: sold out", n ? "; " : "",
					      json_text(t, "name"));
	}
	if (text[0] && n < sizeof text)
		snprintf(reason, size, "%s", text);
}

static bool confirmation_page(struct request *r, json_t *ev, json_t *order, json_t *form)
{
	struct html h = { 0 };
	const char *status = json_text(order, "status"), *payment = json_text(order, "payment");
	char title[64];

	snprintf(title, sizeof title, "Order %lld", (long long)json_integer_value(json_object_get(order, "id")));
	head(&h, title);
	add(&h, "<h1>Thank you</h1>\n<p class=\"muted\">");
	html_escape(&h, json_text(ev, "name"));
	add(&h, " · ");
	html_escape(&h, json_text(ev, "date"));
	add(&h, "</p>\n<div class=\"ok\" id=\"confirmation\">\n<p>Order <strong id=\"order-number\">%lld</strong></p>\n",
	    (long long)json_integer_value(json_object_get(order, "id")));
	add(&h, "<p>Amount: <strong id=\"order-amount\">");
	money(&h, json_integer_value(json_object_get(order, "amount")));
	add(&h, "</strong> incl. VAT ");
	money(&h, json_integer_value(json_object_get(order, "vat")));
	add(&h, "</p>\n<p>Status: <strong id=\"order-status\">");
	html_escape(&h, status);
	add(&h, "</strong> (");
	html_escape(&h, payment);
	add(&h, ")</p>\n");
	if (strcmp(payment, "card") == 0 && strcmp(status, "requested") == 0) {
		add(&h, "<p id=\"awaiting-payment\">Awaiting payment: please pay by <strong><time id=\"pay-by\" datetime=\"");
		html_escape(&h, json_text(order, "pay_by"));
		add(&h, "\">");
		timestamp(&h, json_text(order, "pay_by"));
		add(&h, "</time></strong>, or the order is cancelled and the tickets go back on sale.</p>\n");
	} else if (strcmp(payment, "invoice") == 0) {
		add(&h, "<p>We will send the invoice to ");
		html_escape(&h, json_text(form, "email"));
		add(&h, ".</p>\n");
	} else if (strcmp(status, "settled") == 0) {
		add(&h, "<p>Your tickets are booked; we will send them to ");
		html_escape(&h, json_text(form, "email"));
		add(&h, ".</p>\n");
	}
	add(&h, "</div>\n<p><a href=\"/events/%lld\">Back to the event</a></p>\n",
	    (long long)json_integer_value(json_object_get(ev, "id")));
	return send_page(r, 200, &h, NULL);
}

bool route_event_order(struct request *r, const char *tail)
{
	long long id = event_of(tail, "/order");
	const char *type = http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE), *why, *idem;
	char retry[16], msg[300], *body;
	int wait_s = 0;
	struct db *db;
	json_t *form, *ev, *order;

	if (!id)
		return message_page(r, 404, "No such page", "There is no page here; check the address.", NULL);
	if (!ip_rate_take(r->client, &wait_s)) {
		const char *hdrs[] = { "Retry-After", retry, NULL };
		snprintf(retry, sizeof retry, "%d", wait_s);
		snprintf(msg, sizeof msg, "Too many orders from your address; please try again in %d seconds.", wait_s);
		return message_page(r, 429, "Please wait", msg, hdrs);
	}
	if (!http_type_is(type, "application/x-www-form-urlencoded"))
		return message_page(r, 415, "Not a form", "Send the order with the form on the event's page.", NULL);
	if (!(form = form_parse(r->body, r->len)))
		return message_page(r, 400, "Not a form", "The form's data could not be read.", NULL);
	if (!(db = http_db(r))) {
		json_decref(form);
		return true;
	}
	if (!(ev = load_event(r, db, id))) {
		http_db_done(r, db);
		json_decref(form);
		return true;
	}
	idem = json_text(form, "idem");
	if (!idem[0] || strlen(idem) > 150)
		idem = NULL;
	if (!(body = order_body(id, ev, form, &why, msg, sizeof msg))) {
		event_page(r, why ? 400 : 500, ev, form, why ? why : "out of memory");
	} else if ((order = db_api_order(db, 0, body, idem, r->srv->cfg.pay_within))) {
		confirmation_page(r, ev, order, form);
		json_decref(order);
	} else {
		unsigned st = http_db_status(db);
		char reason[sizeof db->err];
		memcpy(reason, db->err, sizeof reason);
		if (st == 503 || st >= 500) {
			message_page(r, st, "Try again", "The box office is busy; please try again in a moment.", NULL);
		} else {
			/* what is left now, then the form again with the reason */
			json_t *now = db_api_public_event(db, id);
			if (st == 409 && json_is_object(now))
				name_the_short_types(now, form, reason, sizeof reason);
			event_page(r, st, json_is_object(now) ? now : ev, form, reason);
			json_decref(now);
		}
	}
	free(body);
	json_decref(ev);
	json_decref(form);
	http_db_done(r, db);
	return true;
}

/* ---- My Tickets ---- */

static void ticket_card(struct html *h, const char *link, json_t *t)
{
	long long id = json_integer_value(json_object_get(t, "id"));
	const char *status = json_text(t, "status");
	json_t *last = json_object_get(t, "last_checkin");
	bool inside = json_is_true(json_object_get(t, "inside"));

	add(h, "<div class=\"ticket\" id=\"ticket-%lld\">\n<p><strong class=\"type\">", id);
	html_escape(h, json_text(t, "type"));
	add(h, "</strong> · ticket %lld · <span class=\"status\">", id);
	html_escape(h, status);
	add(h, "</span></p>\n");
	if (strcmp(status, "valid") == 0) {
		add(h, "<p class=\"presence\">%s</p>\n", inside ? "Inside" : "Outside");
		if (json_is_object(last)) {
			add(h, "<p class=\"muted last-checkin\">Last scan: ");
			html_escape(h, strcmp(json_text(last, "direction"), "out") == 0 ? "out" : "in");
			add(h, " at ");
			timestamp(h, json_text(last, "at"));
			add(h, ", gate ");
			html_escape(h, json_text(last, "gate"));
			add(h, "</p>\n");
		}
		add(h, "<img alt=\"QR code of ticket %lld\" src=\"/my/", id);
		html_escape(h, link);
		add(h, "/tickets/%lld.png\" width=\"288\" height=\"288\">\n<p><a class=\"svg\" href=\"/my/", id);
		html_escape(h, link);
		add(h, "/tickets/%lld.svg\">QR code as SVG</a></p>\n", id);
	} else {
		add(h, "<p class=\"muted\">This ticket is no longer valid and has no QR code.</p>\n");
	}
	add(h, "</div>\n");
}

bool route_my_tickets(struct request *r, const char *tail)
{
	char link[LINK_TEXT_MAX + 1];
	const char *slash = strchr(tail, '/'), *rest = slash ? slash : "";
	size_t n = slash ? (size_t)(slash - tail) : strlen(tail);
	long long person, ticket = 0;
	bool svg = false;
	struct db *db;
	json_t *doc;

	if (n == 0 || n >= sizeof link)
		return message_page(r, 404, "No such link", "This link is not one of ours; ask the box office for a new one.",
				    NULL);
	memcpy(link, tail, n);
	link[n] = '\0';
	if (!(person = link_verify(link, r->srv->link_secret)))
		return message_page(r, 404, "No such link", "This link is not one of ours; ask the box office for a new one.",
				    NULL);
	if (*rest) {
		if (strncmp(rest, "/tickets/", 9) == 0) {
			ticket = event_of(rest + 9, ".png");
			if (!ticket && (ticket = event_of(rest + 9, ".svg")))
				svg = true;
		}
		if (!ticket)
			return message_page(r, 404, "No such page", "There is no page here; check the address.", NULL);
	}
	if (!(db = http_db(r)))
		return true;
	doc = db_api_person_tickets(db, 0, person);
	if (!doc) {
		unsigned st = http_db_status(db);
		message_page(r, st, st == 404 ? "No such link" : "Try again",
			     st == 404 ? "The person of this link is no longer here." : "Please try again in a moment.", NULL);
	} else if (ticket) {
		http_ticket_qr(r, db, doc, ticket, svg);
	} else {
		struct html h = { 0 };
		json_t *t;
		size_t i;
		head(&h, "My tickets");
		add(&h, "<h1 id=\"person-name\">");
		html_escape(&h, json_text(doc, "name"));
		add(&h, "</h1>\n<p class=\"muted\"><span id=\"event-name\">");
		html_escape(&h, json_text(doc, "event_name"));
		add(&h, "</span> · <span id=\"event-date\">");
		html_escape(&h, json_text(doc, "date"));
		add(&h, "</span></p>\n");
		if (!json_array_size(json_object_get(doc, "tickets")))
			add(&h, "<p id=\"no-tickets\">No tickets yet.</p>\n");
		json_array_foreach(json_object_get(doc, "tickets"), i, t)
			ticket_card(&h, link, t);
		send_page(r, 200, &h, NULL);
	}
	json_decref(doc);
	http_db_done(r, db);
	return true;
}

/* The outbound requests, per platform (see push_format.h and the facts with
 * their sources in tests/platforms/). Every value that reaches a URL is
 * percent-escaped, every header value is refused when it holds a control
 * character, every JSON body is built by jansson. */
#include "core/push_format.h"

#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/platform_sig.h"
#include "core/util.h"

#define TWILIO_BODY_MAX 1600	       /* Twilio's limit on a message body, in characters */
#define SQUARE_VERSION "2024-01-18"    /* any current version date; settings.square_version overrides */

enum platform { P_NONE, P_SHOPIFY, P_WOO, P_SQUARE, P_EVENTBRITE, P_WEBHOOK, P_SLACK, P_TWILIO };

static enum platform platform_of(const char *p)
{
	static const struct {
		const char *name;
		enum platform p;
	} t[] = { { "shopify", P_SHOPIFY }, { "woocommerce", P_WOO },   { "square", P_SQUARE }, { "eventbrite", P_EVENTBRITE },
		  { "webhook", P_WEBHOOK }, { "slack", P_SLACK }, { "twilio", P_TWILIO } };
	for (size_t i = 0; p && i < ARRAY_SIZE(t); i++)
		if (strcmp(p, t[i].name) == 0)
			return t[i].p;
	return P_NONE;
}

/* "channel NAME (platform): why" into err; always false. */
static bool refuse(const struct push_channel *c, char *err, size_t errsize, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static bool refuse(const struct push_channel *c, char *err, size_t errsize, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (err && errsize)
		snprintf(err, errsize, "channel %s (%s): %s", c->name ? c->name : "?", c->platform ? c->platform : "?",
			 why);
	return false;
}

static bool has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

/* ---- escaping ---- */

static bool unreserved(unsigned char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
	       ch == '.' || ch == '_' || ch == '~';
}

/* RFC 3986 percent-escaping; form: application/x-www-form-urlencoded
 * (space as '+'). */
static char *escape(const char *s, bool form)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = xmalloc(3 * n + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (unreserved(*p)) {
			*o++ = (char)*p;
		} else if (form && *p == ' ') {
			*o++ = '+';
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

/* ---- request building ---- */

static void add_header(struct push_request *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_header(struct push_request *r, const char *fmt, ...)
{
	va_list ap;
	char *h;
	int n;

	if (r->n_headers >= PUSH_HEADERS_MAX)
		abort(); /* a programming error: no platform needs more */
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	h = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(h, (size_t)n + 1, fmt, ap);
	va_end(ap);
	r->headers[r->n_headers++] = h;
}

static void set_json_body(struct push_request *r, json_t *body)
{
	r->body = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!r->body)
		abort();
	r->body_len = strlen(r->body);
	json_decref(body);
	add_header(r, "Content-Type: application/json");
}

static void start(struct push_request *r, const char *method)
{
	memset(r, 0, sizeof *r);
	snprintf(r->method, sizeof r->method, "%s", method);
}

void push_request_free(struct push_request *r)
{
	if (!r)
		return;
	free(r->url);
	for (int i = 0; i < r->n_headers; i++)
		free(r->headers[i]);
	free(r->body);
	memset(r, 0, sizeof *r);
}

/* base_url without its trailing slashes (malloc'd), or NULL when unset. */
static char *base_of(const struct push_channel *c)
{
	size_t n;
	char *b;

	if (!c->base_url || !*c->base_url)
		return NULL;
	b = xstrdup(c->base_url);
	n = strlen(b);
	while (n > 0 && b[n - 1] == '/')
		b[--n] = '\0';
	return b;
}

/* ---- settings ---- */

struct ctx {
	const struct push_channel *c;
	enum platform p;
	json_t *settings;
	char *base;
	char *err;
	size_t errsize;
};

static void ctx_free(struct ctx *x)
{
	json_decref(x->settings);
	free(x->base);
}

/* Checks what every platform needs: a known platform, a base URL and
 * settings that are a JSON object. */
static bool ctx_open(struct ctx *x, const struct push_channel *c, char *err, size_t errsize)
{
	json_error_t je;

	memset(x, 0, sizeof *x);
	x->c = c;
	x->err = err;
	x->errsize = errsize;
	if (err && errsize)
		err[0] = '\0';
	x->p = platform_of(c->platform);
	if (x->p == P_NONE)
		return refuse(c, err, errsize, "unknown platform");
	if (c->settings && *c->settings) {
		x->settings = json_loads(c->settings, JSON_REJECT_DUPLICATES, &je);
		if (!json_is_object(x->settings)) {
			json_decref(x->settings);
			x->settings = NULL;
			return refuse(c, err, errsize, "settings are not a JSON object");
		}
	} else {
		x->settings = json_object();
	}
	x->base = base_of(c);
	if (!x->base) {
		ctx_free(x);
		return refuse(c, err, errsize, "base_url is not set");
	}
	if (has_control(x->base) || strchr(x->base, ' ')) {
		ctx_free(x);
		return refuse(c, err, errsize, "base_url holds a space or a control character");
	}
	return true;
}

/* A setting as text (a JSON string, or an integer written out); NULL when
 * absent or empty. buf holds the integer's text. */
static const char *setting(struct ctx *x, const char *key, char *buf, size_t size)
{
	json_t *v = json_object_get(x->settings, key);

	if (json_is_string(v) && *json_string_value(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return buf;
	}
	return NULL;
}

static bool need_setting(struct ctx *x, const char *key, const char **out, char *buf, size_t size)
{
	*out = setting(x, key, buf, size);
	if (!*out)
		return refuse(x->c, x->err, x->errsize, "settings.%s is not set", key);
	return true;
}

static bool need_credentials(struct ctx *x, const char *what)
{
	if (!x->c->credentials || !*x->c->credentials)
		return refuse(x->c, x->err, x->errsize, "credentials (%s) are not set", what);
	if (has_control(x->c->credentials))
		return refuse(x->c, x->err, x->errsize, "credentials hold a control character");
	return true;
}

/* The ID on the platform: the map's remote, else (when sku_ok) the SKU. */
static bool need_remote(struct ctx *x, const struct push_item *it, bool sku_ok, const char *what, const char **out)
{
	*out = it->remote && *it->remote ? it->remote : sku_ok && it->sku && *it->sku ? it->sku : NULL;
	if (!*out)
		return refuse(x->c, x->err, x->errsize, "no remote ID (%s) mapped for SKU %s", what,
			      it->sku ? it->sku : "?");
	return true;
}

/* A JSON integer when the text is all digits (Shopify's numeric IDs), else
 * the text. */
static json_t *id_value(const char *s)
{
	size_t n = strlen(s);
	if (n > 0 && n <= 18 && strspn(s, "0123456789") == n)
		return json_integer(strtoll(s, NULL, 10));
	return json_string(s);
}

static void basic_auth(struct push_request *r, const char *user_colon_pass)
{
	size_t n = strlen(user_colon_pass);
	size_t size = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
	char *b64 = xmalloc(size);

	sodium_bin2base64(b64, size, (const unsigned char *)user_colon_pass, n, sodium_base64_VARIANT_ORIGINAL);
	add_header(r, "Authorization: Basic %s", b64);
	free(b64);
}

static void rfc3339(long long ts, char *out, size_t size)
{
	time_t t = (time_t)ts;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A fresh random UUID (version 4), for Square's idempotency_key. */
static void uuid4(char out[37])
{
	unsigned char b[16];

	if (sodium_init() < 0)
		abort();
	randombytes_buf(b, sizeof b);
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
		 b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
}

/* One path segment of a remote ID, percent-escaped; NULL (refused) when
 * empty, "." or "..", which a client would fold into the path. */
static char *segment(struct ctx *x, const char *s, size_t n)
{
	char *raw = xmalloc(n + 1), *out;

	memcpy(raw, s, n);
	raw[n] = '\0';
	if (n == 0 || strcmp(raw, ".") == 0 || strcmp(raw, "..") == 0) {
		refuse(x->c, x->err, x->errsize, "remote ID '%s' has an empty, '.' or '..' part", s);
		free(raw);
		return NULL;
	}
	out = escape(raw, false);
	free(raw);
	return out;
}

/* "A" or "A/B" (two at most) → "PRE/A" or "PRE/A/MID/B" + tail; NULL when
 * refused (two parts required when need_two). */
static char *remote_path(struct ctx *x, const char *remote, const char *pre, const char *mid, const char *tail,
			 bool need_two)
{
	const char *slash = strchr(remote, '/');
	char *a, *b = NULL, *out;

	if ((need_two && !slash) || (slash && strchr(slash + 1, '/'))) {
		refuse(x->c, x->err, x->errsize, "remote ID '%s' is not %s", remote,
		       need_two ? "EVENT/TICKETCLASS" : "PRODUCT or PRODUCT/VARIATION");
		return NULL;
	}
	if (!(a = segment(x, remote, slash ? (size_t)(slash - remote) : strlen(remote))))
		return NULL;
	if (slash && !(b = segment(x, slash + 1, strlen(slash + 1)))) {
		free(a);
		return NULL;
	}
	out = b ? xasprintf("%s/%s/%s/%s%s", x->base, pre, a, mid, b) : xasprintf("%s/%s/%s", x->base, pre, a);
	if (b && tail) {
		char *t = xasprintf("%s%s", out, tail);
		free(out);
		out = t;
	}
	free(a);
	free(b);
	return out;
}

/* WooCommerce's "P" or "P/V" → products/P or products/P/variations/V. */
static char *woo_url(struct ctx *x, const char *remote)
{
	return remote_path(x, remote, "products", "variations/", NULL, false);
}

/* Eventbrite's "EVENT/TICKETCLASS" → events/E/ticket_classes/C/. */
static char *eventbrite_url(struct ctx *x, const char *remote)
{
	return remote_path(x, remote, "events", "ticket_classes/", "/", true);
}

static long long nonneg(long long n)
{
	return n < 0 ? 0 : n;
}

/* ---- messages (Slack, Twilio, webhook alerts) ---- */

/* Slack's mrkdwn: &, < and > escaped so a name never becomes a mention or a
 * link (<!channel>). */
static char *slack_escape(const char *s)
{
	size_t n = 0;
	char *out, *o;

	for (const char *p = s; *p; p++)
		n += *p == '&' ? 5 : (*p == '<' || *p == '>') ? 4 : 1;
	out = o = xmalloc(n + 1);
	for (const char *p = s; *p; p++) {
		const char *rep = *p == '&' ? "&amp;" : *p == '<' ? "&lt;" : *p == '>' ? "&gt;" : NULL;
		if (rep)
			o += strlen(strcpy(o, rep));
		else
			*o++ = *p;
	}
	*o = '\0';
	return out;
}

static bool message(struct ctx *x, const char *text, long long ts, struct push_request *out)
{
	const char *sid, *to, *from;
	char b1[32], b2[32], b3[32], when[32];

	switch (x->p) {
	case P_SLACK: {
		char *t = slack_escape(text);
		start(out, "POST");
		out->url = xstrdup(x->base);
		set_json_body(out, json_pack("{s:s}", "text", t));
		free(t);
		return true;
	}
	case P_TWILIO: {
		char *user, *e_to, *e_from, *e_body, *e_sid, cut[TWILIO_BODY_MAX * 4 + 1];
		if (!need_setting(x, "account_sid", &sid, b1, sizeof b1) || !need_setting(x, "to", &to, b2, sizeof b2) ||
		    !need_setting(x, "from", &from, b3, sizeof b3) || !need_credentials(x, "auth token, or SID:token"))
			return false;
		/* at most 1600 characters, never a UTF-8 character split */
		utf8_copy(cut, sizeof cut, text);
		{
			size_t chars = 0;
			char *p = cut;
			for (; *p; p++)
				if (((unsigned char)*p & 0xc0) != 0x80 && ++chars > TWILIO_BODY_MAX)
					break;
			*p = '\0';
		}
		start(out, "POST");
		e_sid = escape(sid, false);
		out->url = xasprintf("%s/2010-04-01/Accounts/%s/Messages.json", x->base, e_sid);
		e_to = escape(to, true);
		e_from = escape(from, true);
		e_body = escape(cut, true);
		out->body = xasprintf("To=%s&From=%s&Body=%s", e_to, e_from, e_body);
		out->body_len = strlen(out->body);
		add_header(out, "Content-Type: application/x-www-form-urlencoded");
		user = strchr(x->c->credentials, ':') ? xstrdup(x->c->credentials)
						      : xasprintf("%s:%s", sid, x->c->credentials);
		basic_auth(out, user);
		free(user);
		free(e_sid);
		free(e_to);
		free(e_from);
		free(e_body);
		return true;
	}
	case P_WEBHOOK: {
		char sig[128];
		if (!need_credentials(x, "signing secret"))
			return false;
		rfc3339(ts, when, sizeof when);
		start(out, "POST");
		out->url = xstrdup(x->base);
		set_json_body(out, json_pack("{s:s,s:s,s:s}", "event", "alert", "text", text, "sent_at", when));
		sig_boxoffice_make(x->c->credentials, ts, out->body, out->body_len, sig, sizeof sig);
		add_header(out, "X-Boxoffice-Signature: %s", sig);
		return true;
	}
	default:
		return refuse(x->c, x->err, x->errsize, "takes no messages");
	}
}

bool push_message(const struct push_channel *c, const char *text, long long ts, struct push_request *out, char *err,
		  size_t errsize)
{
	struct ctx x;
	bool ok;

	memset(out, 0, sizeof *out);
	if (!ctx_open(&x, c, err, errsize))
		return false;
	ok = message(&x, text ? text : "", ts > 0 ? ts : (long long)time(NULL), out);
	if (!ok)
		push_request_free(out);
	ctx_free(&x);
	return ok;
}

/* ---- availability ---- */

static bool availability(struct ctx *x, const struct push_item *it, long long ts, struct push_request *out)
{
	const char *remote, *loc;
	char b1[32], when[32];
	long long avail = nonneg(it->available);

	switch (x->p) {
	case P_SHOPIFY:
		if (!need_credentials(x, "Admin API access token") || !need_setting(x, "location_id", &loc, b1, sizeof b1) ||
		    !need_remote(x, it, false, "inventory_item_id", &remote))
			return false;
		start(out, "POST");
		out->url = xasprintf("%s/inventory_levels/set.json", x->base);
		add_header(out, "X-Shopify-Access-Token: %s", x->c->credentials);
		set_json_body(out, json_pack("{s:o,s:o,s:I}", "location_id", id_value(loc), "inventory_item_id",
					     id_value(remote), "available", (json_int_t)avail));
		return true;
	case P_WOO: {
		char *path;
		if (!need_credentials(x, "consumer_key:consumer_secret") || !need_remote(x, it, false, "product ID", &remote))
			return false;
		if (!strchr(x->c->credentials, ':'))
			return refuse(x->c, x->err, x->errsize, "credentials are not consumer_key:consumer_secret");
		if (!(path = woo_url(x, remote)))
			return false;
		start(out, "PUT");
		out->url = path;
		basic_auth(out, x->c->credentials);
		set_json_body(out, json_pack("{s:b,s:I}", "manage_stock", 1, "stock_quantity", (json_int_t)avail));
		return true;
	}
	case P_SQUARE: {
		char key[37], qty[32], ref[48], ver[32];
		const char *version = setting(x, "square_version", ver, sizeof ver);
		if (!need_credentials(x, "access token") || !need_setting(x, "location_id", &loc, b1, sizeof b1) ||
		    !need_remote(x, it, true, "catalog_object_id", &remote))
			return false;
		if (version && has_control(version))
			return refuse(x->c, x->err, x->errsize, "settings.square_version holds a control character");
		uuid4(key);
		rfc3339(ts, when, sizeof when);
		snprintf(qty, sizeof qty, "%lld", avail);
		snprintf(ref, sizeof ref, "boxoffice-%lld", it->seq);
		start(out, "POST");
		out->url = xasprintf("%s/v2/inventory/changes/batch-create", x->base);
		add_header(out, "Authorization: Bearer %s", x->c->credentials);
		add_header(out, "Square-Version: %s", version ? version : SQUARE_VERSION);
		set_json_body(out, json_pack("{s:s,s:[{s:s,s:{s:s,s:s,s:s,s:s,s:s,s:s}}],s:b}", "idempotency_key", key,
					     "changes", "type", "PHYSICAL_COUNT", "physical_count", "reference_id", ref,
					     "catalog_object_id", remote, "state", "IN_STOCK", "location_id", loc,
					     "quantity", qty, "occurred_at", when, "ignore_unchanged_counts", 1));
		return true;
	}
	case P_EVENTBRITE: {
		char *path;
		if (!need_credentials(x, "private token") || !need_remote(x, it, false, "EVENT/TICKETCLASS", &remote))
			return false;
		if (!(path = eventbrite_url(x, remote)))
			return false;
		start(out, "POST");
		out->url = path;
		add_header(out, "Authorization: Bearer %s", x->c->credentials);
		set_json_body(out, json_pack("{s:{s:I}}", "ticket_class", "capacity",
					     (json_int_t)(nonneg(it->sold) + avail)));
		return true;
	}
	case P_WEBHOOK: {
		char sig[128];
		if (!need_credentials(x, "signing secret"))
			return false;
		rfc3339(ts, when, sizeof when);
		start(out, "POST");
		out->url = xstrdup(x->base);
		set_json_body(out, json_pack("{s:I,s:I,s:s?,s:s?,s:s?,s:I,s:I,s:s}", "event", (json_int_t)it->event_id,
					     "type", (json_int_t)it->type_id, "event_name", it->event_name, "type_name",
					     it->type_name, "sku", it->sku, "available", (json_int_t)avail, "seq",
					     (json_int_t)it->seq, "sent_at", when));
		sig_boxoffice_make(x->c->credentials, ts, out->body, out->body_len, sig, sizeof sig);
		add_header(out, "X-Boxoffice-Signature: %s", sig);
		return true;
	}
	case P_SLACK:
	case P_TWILIO: {
		char *text = xasprintf("%s / %s (%s): %lld left", it->event_name ? it->event_name : "?",
				       it->type_name ? it->type_name : "?", it->sku ? it->sku : "?", avail);
		bool ok = message(x, text, ts, out);
		free(text);
		return ok;
	}
	default:
		return refuse(x->c, x->err, x->errsize, "unknown platform");
	}
}

bool push_availability(const struct push_channel *c, const struct push_item *it, long long ts,
		       struct push_request *out, char *err, size_t errsize)
{
	struct ctx x;
	bool ok;

	memset(out, 0, sizeof *out);
	if (!ctx_open(&x, c, err, errsize))
		return false;
	ok = availability(&x, it, ts > 0 ? ts : (long long)time(NULL), out);
	if (!ok)
		push_request_free(out);
	ctx_free(&x);
	return ok;
}

/* ---- resync ---- */

bool pull_request(const struct push_channel *c, const struct push_item *it, struct push_request *out, char *err,
		  size_t errsize)
{
	struct ctx x;
	const char *remote, *loc;
	char b1[32];
	bool ok = false;

	memset(out, 0, sizeof *out);
	if (!ctx_open(&x, c, err, errsize))
		return false;
	switch (x.p) {
	case P_SHOPIFY:
		if (need_credentials(&x, "Admin API access token") && need_setting(&x, "location_id", &loc, b1, sizeof b1) &&
		    need_remote(&x, it, false, "inventory_item_id", &remote)) {
			char *r = escape(remote, true), *l = escape(loc, true);
			start(out, "GET");
			out->url = xasprintf("%s/inventory_levels.json?inventory_item_ids=%s&location_ids=%s", x.base, r, l);
			add_header(out, "X-Shopify-Access-Token: %s", c->credentials);
			free(r);
			free(l);
			ok = true;
		}
		break;
	case P_WOO:
		if (need_credentials(&x, "consumer_key:consumer_secret") &&
		    need_remote(&x, it, false, "product ID", &remote)) {
			char *path = woo_url(&x, remote);
			if (path) {
				start(out, "GET");
				out->url = path;
				basic_auth(out, c->credentials);
				ok = true;
			}
		}
		break;
	case P_SQUARE: {
		char ver[32];
		const char *version = setting(&x, "square_version", ver, sizeof ver);
		if (need_credentials(&x, "access token") && need_setting(&x, "location_id", &loc, b1, sizeof b1) &&
		    need_remote(&x, it, true, "catalog_object_id", &remote)) {
			if (version && has_control(version)) {
				refuse(c, err, errsize, "settings.square_version holds a control character");
				break;
			}
			start(out, "POST");
			out->url = xasprintf("%s/v2/inventory/counts/batch-retrieve", x.base);
			add_header(out, "Authorization: Bearer %s", c->credentials);
			add_header(out, "Square-Version: %s", version ? version : SQUARE_VERSION);
			set_json_body(out, json_pack("{s:[s],s:[s],s:[s]}", "catalog_object_ids", remote, "location_ids",
						     loc, "states", "IN_STOCK"));
			ok = true;
		}
		break;
	}
	case P_EVENTBRITE:
		if (need_credentials(&x, "private token") && need_remote(&x, it, false, "EVENT/TICKETCLASS", &remote)) {
			char *path = eventbrite_url(&x, remote);
			if (path) {
				start(out, "GET");
				out->url = path;
				add_header(out, "Authorization: Bearer %s", c->credentials);
				ok = true;
			}
		}
		break;
	default:
		refuse(c, err, errsize, "cannot be read back (no resync)");
		break;
	}
	if (!ok)
		push_request_free(out);
	ctx_free(&x);
	return ok;
}

/* An integer from a JSON number or a decimal string ("53", "53.00000"). */
static bool count_of(json_t *v, long long *out)
{
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (json_is_real(v)) {
		*out = (long long)json_real_value(v);
		return true;
	}
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		long long n = strtoll(s, &end, 10);
		if (end == s)
			return false;
		if (*end == '.' && strspn(end + 1, "0123456789") == strlen(end + 1))
			end += strlen(end);
		if (*end)
			return false;
		*out = n;
		return true;
	}
	return false;
}

static bool same_id(json_t *v, const char *id)
{
	char buf[32];
	if (json_is_string(v))
		return strcmp(json_string_value(v), id) == 0;
	if (json_is_integer(v)) {
		snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return strcmp(buf, id) == 0;
	}
	return false;
}

bool pull_parse(const struct push_channel *c, const struct push_item *it, const char *body, size_t len,
		long long *available, long long *sold, char *err, size_t errsize)
{
	json_error_t je;
	json_t *j, *v;
	const char *remote = it->remote && *it->remote ? it->remote : it->sku ? it->sku : "";
	bool ok = false;

	*available = 0;
	*sold = -1; /* the platform does not say */
	if (err && errsize)
		err[0] = '\0';
	j = json_loadb(body ? body : "", body ? len : 0, 0, &je);
	if (!json_is_object(j)) {
		json_decref(j);
		return refuse(c, err, errsize, "the answer is not a JSON object (%s)", j ? "another JSON value" : je.text);
	}
	switch (platform_of(c->platform)) {
	case P_SHOPIFY: {
		json_t *levels = json_object_get(j, "inventory_levels"), *l;
		size_t i;
		if (!json_is_array(levels)) {
			refuse(c, err, errsize, "the answer has no inventory_levels");
			break;
		}
		json_array_foreach(levels, i, l) {
			if (it->remote && !same_id(json_object_get(l, "inventory_item_id"), it->remote))
				continue;
			if (count_of(json_object_get(l, "available"), available)) {
				ok = true;
				break;
			}
		}
		if (!ok)
			refuse(c, err, errsize, "the answer has no inventory level for %s", remote);
		break;
	}
	case P_WOO:
		v = json_object_get(j, "stock_quantity");
		if (!count_of(v, available)) {
			refuse(c, err, errsize, "the answer has no stock_quantity (is manage_stock off?)");
			break;
		}
		if (!count_of(json_object_get(j, "total_sales"), sold))
			*sold = -1;
		ok = true;
		break;
	case P_SQUARE: {
		json_t *counts = json_object_get(j, "counts"), *n;
		size_t i;
		if (json_is_array(json_object_get(j, "errors")) && json_array_size(json_object_get(j, "errors")) > 0) {
			refuse(c, err, errsize, "the answer carries errors");
			break;
		}
		ok = true; /* no count at all: Square holds none, i.e. 0 */
		json_array_foreach(counts, i, n) {
			const char *st = json_string_value(json_object_get(n, "state"));
			if (!same_id(json_object_get(n, "catalog_object_id"), remote) || (st && strcmp(st, "IN_STOCK")))
				continue;
			if (!count_of(json_object_get(n, "quantity"), available)) {
				ok = false;
				refuse(c, err, errsize, "a count's quantity is not a number");
			}
			break;
		}
		if (counts && !json_is_array(counts)) {
			ok = false;
			refuse(c, err, errsize, "counts is not a list");
		}
		break;
	}
	case P_EVENTBRITE: {
		long long cap, qs;
		if (!count_of(json_object_get(j, "capacity"), &cap) || !count_of(json_object_get(j, "quantity_sold"), &qs)) {
			refuse(c, err, errsize, "the answer has no capacity or quantity_sold");
			break;
		}
		*sold = qs;
		*available = cap - qs < 0 ? 0 : cap - qs;
		ok = true;
		break;
	}
	default:
		refuse(c, err, errsize, "cannot be read back (no resync)");
		break;
	}
	json_decref(j);
	if (!ok) {
		*available = 0;
		*sold = -1;
	}
	return ok;
}

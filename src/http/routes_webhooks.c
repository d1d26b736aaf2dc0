/* POST /webhooks/shopify|woocommerce|square|eventbrite: a platform's word
 * that it sold, cancelled, refunded or counted seats of ours.
 *
 * Like /webhooks/stripe (routes_payment.c): the signature is checked over
 * the raw body FIRST (401 and nothing changes: bad, missing, or no secret
 * set), then the body is turned into a normalised document
 * (src/core/platform_parse.c) and ONE call of webhook_apply() records the
 * delivery under the platform's delivery ID and does the inventory work in
 * the same transaction (db/037_webhooks_in.sql). A duplicate answers the
 * first delivery's outcome and changes nothing; an unknown SKU ('unmapped')
 * and a sale we can no longer cover ('refused') are answered 200 too, so
 * the platform stops retrying; a supervisor sees them with `boxoffice
 * platform deliveries --attention`.
 *
 * Secrets: `boxoffice platform secret --platform P --secret S` (Square also
 * --url: the notification URL exactly as registered at Square, which it
 * signs; never rebuilt from Host, which a proxy changes). They are kept
 * 30 s, and read again at once when a signature does not match a secret
 * older than 1 s (a rotated secret works at once): a read per request
 * would give anybody who can reach the port a database round trip per
 * unsigned request.
 *
 * Eventbrite does not sign. Its thin ping names api_url; it is recorded
 * 'pending' (only an order under the eventbrite channel's base_url: nothing
 * else is ever fetched) and answered 200 at once. The fetch thread here
 * GETs it with the channel's token (credentials), a connect and a total
 * deadline (settings.fetch_timeout_ms, default 10 s), and applies the
 * fetched order with webhook_fetched() in the transaction that marks the
 * delivery done; a failed fetch is tried again (backoff_ms · 2^n) and a
 * pending delivery left by a crash is found again by the next scan. */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/platform_parse.h"
#include "../core/platform_sig.h"
#include "../db/db.h"
#include "../db/webhooks.h"
#include "http.h"

#define SECRET_KEEP_MS 30000
#define SECRET_REREAD_MS 1000
#define FETCH_BODY_MAX (1024 * 1024)
#define FETCH_SCAN_MS 1000

/* Eventbrite signs nothing: its secret is a query parameter of the URL
 * given to Eventbrite (/webhooks/eventbrite?secret=S), as its documentation
 * advises a private URL, so a stranger's pings cost us no fetch. */
enum { SHOPIFY, WOOCOMMERCE, SQUARE, EVENTBRITE, NSIGNED };
static const char *const signed_names[NSIGNED] = { "shopify", "woocommerce", "square", "eventbrite" };

struct kept_secret {
	char secret[512];
	char url[600];
	bool have;
	long long read_ms;
};

struct webhooks {
	struct server *srv;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool woken;
	struct kept_secret kept[NSIGNED];
	pthread_t fetcher;
	bool fetcher_started;
};

/* ---- secrets ---- */

/* The platform's secret (and URL) into out; false after answering (401 none
 * set, 503 database). */
static bool secret_get(struct request *r, int which, bool fresh, struct kept_secret *out, long long *age_ms)
{
	struct webhooks *w = r->srv->webhooks;
	struct kept_secret *k = &w->kept[which];
	long long now = db_now_ms();
	struct db *db;
	json_t *doc;

	pthread_mutex_lock(&w->lock);
	if (!fresh && k->read_ms && now - k->read_ms < SECRET_KEEP_MS) {
		*out = *k;
		*age_ms = now - k->read_ms;
		pthread_mutex_unlock(&w->lock);
		goto have;
	}
	pthread_mutex_unlock(&w->lock);
	if (!(db = http_db(r)))
		return false;
	doc = db_webhook_secret(db, signed_names[which]);
	if (!doc) {
		http_db_error(r, db);
		http_db_done(r, db);
		return false;
	}
	http_db_done(r, db);
	memset(out, 0, sizeof *out);
	if (json_is_object(doc)) {
		const char *s = json_string_value(json_object_get(doc, "secret"));
		const char *u = json_string_value(json_object_get(doc, "url"));
		out->have = s != NULL;
		snprintf(out->secret, sizeof out->secret, "%s", s ? s : "");
		snprintf(out->url, sizeof out->url, "%s", u ? u : "");
	}
	json_decref(doc);
	out->read_ms = db_now_ms();
	*age_ms = 0;
	pthread_mutex_lock(&w->lock);
	*k = *out;
	pthread_mutex_unlock(&w->lock);
have:
	if (!out->have) {
		http_error(r, 401, "no webhook secret is set (boxoffice platform secret --platform %s)",
			   signed_names[which]);
		return false;
	}
	if (which == SQUARE && !out->url[0]) {
		http_error(r, 401, "no notification URL is set (boxoffice platform secret --platform square --url URL)");
		return false;
	}
	return true;
}

/* Equal without telling how much matched: both sides hashed first. */
static bool secret_equals(const char *given, const char *secret)
{
	unsigned char a[crypto_generichash_BYTES], b[crypto_generichash_BYTES];
	crypto_generichash(a, sizeof a, (const unsigned char *)given, strlen(given), NULL, 0);
	crypto_generichash(b, sizeof b, (const unsigned char *)secret, strlen(secret), NULL, 0);
	return sodium_memcmp(a, b, sizeof a) == 0;
}

static bool sig_matches(int which, const char *header, const struct kept_secret *k, const char *body, size_t len)
{
	if (which == EVENTBRITE)
		return secret_equals(header, k->secret);
	if (which == SQUARE)
		return sig_square_ok(header, k->secret, k->url, body, len);
	return sig_hmac256_base64_ok(header, k->secret, body, len);
}

/* The signature over the raw body; false after answering 401/503. */
static bool signature_ok(struct request *r, int which, const char *header_name)
{
	const char *header = http_header(r, header_name);
	const char *body = r->body ? r->body : "";
	struct kept_secret k;
	long long age;
	bool ok;

	if (!header || !*header) {
		http_error(r, 401, "%s: missing", header_name);
		return false;
	}
	if (!secret_get(r, which, false, &k, &age))
		return false;
	ok = sig_matches(which, header, &k, body, r->len);
	if (!ok && age > SECRET_REREAD_MS) {
		memset(&k, 0, sizeof k);
		if (!secret_get(r, which, true, &k, &age))
			return false;
		ok = sig_matches(which, header, &k, body, r->len);
	}
	memset(&k, 0, sizeof k);
	if (!ok)
		http_error(r, 401, "%s: does not match", header_name);
	return ok;
}

/* ---- the one call ---- */

static bool apply(struct request *r, const char *platform, struct platform_delivery *d)
{
	char *text = json_dumps(d->doc, JSON_COMPACT);
	struct db *db;
	json_t *res, *answer;

	json_decref(d->doc);
	d->doc = NULL;
	if (!text)
		return http_error(r, 500, "out of memory");
	if (!(db = http_db(r))) {
		free(text);
		return true;
	}
	res = db_webhook_apply(db, platform, d->id, d->topic, text);
	free(text);
	if (!res) {
		http_db_error(r, db);
		http_db_done(r, db);
		return true;
	}
	http_db_done(r, db);
	answer = json_pack("{s:s, s:s, s:O, s:O}", "delivery", d->id, "topic", d->topic, "outcome",
			   json_object_get(res, "outcome"), "duplicate", json_object_get(res, "duplicate"));
	json_decref(res);
	if (strcmp(platform, "eventbrite") == 0) {
		struct webhooks *w = r->srv->webhooks;
		pthread_mutex_lock(&w->lock);
		w->woken = true;
		pthread_cond_signal(&w->wake);
		pthread_mutex_unlock(&w->lock);
	}
	return http_json(r, 200, answer);
}

static bool bad(struct request *r, const char *err)
{
	return http_error(r, 400, "%s", err);
}

bool route_shopify_webhook(struct request *r, const char *tail)
{
	struct platform_delivery d;
	char err[200];

	(void)tail;
	if (!signature_ok(r, SHOPIFY, "X-Shopify-Hmac-Sha256"))
		return true;
	if (!parse_shopify(http_header(r, "X-Shopify-Topic"), http_header(r, "X-Shopify-Event-Id"),
			   http_header(r, "X-Shopify-Webhook-Id"), r->body, r->len, &d, err, sizeof err))
		return bad(r, err);
	return apply(r, "shopify", &d);
}

bool route_woocommerce_webhook(struct request *r, const char *tail)
{
	struct platform_delivery d;
	char err[200];

	(void)tail;
	/* the unsigned ping when a webhook is saved: answered, nothing else */
	if (woocommerce_is_ping(r->body, r->len))
		return http_json(r, 200, json_pack("{s:s, s:s, s:b, s:b}", "delivery", "ping", "outcome", "ignored",
						   "duplicate", 0, "ping", 1));
	if (!signature_ok(r, WOOCOMMERCE, "X-WC-Webhook-Signature"))
		return true;
	if (!parse_woocommerce(http_header(r, "X-WC-Webhook-Topic"), http_header(r, "X-WC-Webhook-Delivery-ID"),
			       r->body, r->len, &d, err, sizeof err))
		return bad(r, err);
	return apply(r, "woocommerce", &d);
}

bool route_square_webhook(struct request *r, const char *tail)
{
	struct platform_delivery d;
	char err[200];

	(void)tail;
	if (!signature_ok(r, SQUARE, "x-square-hmacsha256-signature"))
		return true;
	if (!parse_square(r->body, r->len, &d, err, sizeof err))
		return bad(r, err);
	return apply(r, "square", &d);
}

/* ?secret=S against platform secret 'eventbrite'; false after answering. */
static bool url_secret_ok(struct request *r)
{
	const char *given = http_arg(r, "secret");
	struct kept_secret k;
	long long age;
	bool ok;

	if (!given || !*given) {
		http_error(r, 401, "secret: missing (give Eventbrite the URL /webhooks/eventbrite?secret=S)");
		return false;
	}
	if (!secret_get(r, EVENTBRITE, false, &k, &age))
		return false;
	ok = secret_equals(given, k.secret);
	if (!ok && age > SECRET_REREAD_MS) {
		if (!secret_get(r, EVENTBRITE, true, &k, &age))
			return false;
		ok = secret_equals(given, k.secret);
	}
	memset(&k, 0, sizeof k);
	if (!ok)
		http_error(r, 401, "secret: does not match");
	return ok;
}

bool route_eventbrite_webhook(struct request *r, const char *tail)
{
	struct platform_delivery d;
	char err[200];

	(void)tail;
	if (!url_secret_ok(r))
		return true;
	if (!parse_eventbrite(r->body, r->len, &d, err, sizeof err))
		return bad(r, err);
	return apply(r, "eventbrite", &d);
}

/* ---- Eventbrite's fetch thread ---- */

struct fetched {
	char *data;
	size_t len;
	bool too_big;
};

static size_t on_data(char *ptr, size_t size, size_t n, void *arg)
{
	struct fetched *f = arg;
	size_t add = size * n;
	char *p;
	if (f->len + add > FETCH_BODY_MAX) {
		f->too_big = true;
		return 0;
	}
	if (!(p = realloc(f->data, f->len + add + 1)))
		return 0;
	f->data = p;
	memcpy(f->data + f->len, ptr, add);
	f->len += add;
	f->data[f->len] = '\0';
	return add;
}

static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct webhooks *w = arg;
	(void)a, (void)b, (void)c, (void)d;
	return w->srv->stopping ? 1 : 0;
}

/* GET api_url?expand=attendees; the body (malloc'd) or NULL with err. */
static char *fetch(struct webhooks *w, const char *url, const char *token, long timeout_ms, char *err, size_t errsz)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct fetched f = { 0 };
	char full[700], auth[2100];
	long status = 0;
	CURLcode rc;

	if (!c) {
		snprintf(err, errsz, "curl_easy_init failed");
		return NULL;
	}
	snprintf(full, sizeof full, "%s%sexpand=attendees", url, strchr(url, '?') ? "&" : "?");
	if (token && *token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
		h = curl_slist_append(h, auth);
	}
	h = curl_slist_append(h, "Accept: application/json");
	curl_easy_setopt(c, CURLOPT_URL, full);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &f);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, w);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	memset(auth, 0, sizeof auth);
	if (rc != CURLE_OK || status != 200) {
		if (rc != CURLE_OK)
			snprintf(err, errsz, "%s", f.too_big ? "the answer is too large" : curl_easy_strerror(rc));
		else
			snprintf(err, errsz, "the API answered %ld", status);
		free(f.data);
		return NULL;
	}
	return f.data ? f.data : strdup("");
}

/* One scan: every due pending delivery fetched and settled. The database
 * connection is held only for the SQL calls, never during a fetch. */
static void fetch_due(struct webhooks *w)
{
	struct server *srv = w->srv;
	struct db *db = pool_take(srv->pool, 1000);
	json_t *due, *item;
	char base[600], token[2001];
	long timeout;
	size_t i;

	if (!db)
		return;
	due = db_webhook_due(db, "eventbrite");
	pool_give(srv->pool, db);
	if (!json_is_object(due)) {
		json_decref(due);
		return;
	}
	{
		const char *b = json_string_value(json_object_get(due, "base_url"));
		const char *t = json_string_value(json_object_get(due, "token"));
		snprintf(base, sizeof base, "%s", b ? b : "");
		snprintf(token, sizeof token, "%s", t ? t : "");
	}
	timeout = (long)json_integer_value(json_object_get(due, "timeout_ms"));
	if (timeout < 100 || timeout > 120000)
		timeout = 10000;
	json_array_foreach(json_object_get(due, "due"), i, item) {
		const char *id = json_string_value(json_object_get(item, "delivery"));
		const char *url = json_string_value(json_object_get(item, "api_url"));
		bool up = json_is_true(json_object_get(item, "up"));
		char err[300] = "", *body = NULL, *doc_text = NULL;
		json_t *doc = NULL, *res;

		if (srv->stopping)
			break;
		if (!id)
			continue;
		if (!url || !eventbrite_url_ok(url, base))
			snprintf(err, sizeof err, "api_url is not an order under the channel's API base");
		else if ((body = fetch(w, url, token, timeout, err, sizeof err)))
			doc = parse_eventbrite_order(body, strlen(body), up, err, sizeof err); /* NULL: err says why */
		if (doc)
			doc_text = json_dumps(doc, JSON_COMPACT);
		json_decref(doc);
		free(body);
		if (srv->stopping && !doc_text) {
			free(doc_text);
			break; /* cut short by the stop: not the platform's failure */
		}
		if (!(db = pool_take(srv->pool, 5000))) {
			free(doc_text);
			break;
		}
		res = db_webhook_fetched(db, "eventbrite", id, doc_text, doc_text ? NULL : err);
		if (!res && !srv->cfg.quiet)
			fprintf(stderr, "{\"server\":\"eventbrite delivery not settled: %s\"}\n", db->err);
		pool_give(srv->pool, db);
		json_decref(res);
		free(doc_text);
	}
	memset(token, 0, sizeof token);
	json_decref(due);
}

static void *fetcher(void *arg)
{
	struct webhooks *w = arg;

	while (!w->srv->stopping) {
		struct timespec ts;
		fetch_due(w);
		pthread_mutex_lock(&w->lock);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (FETCH_SCAN_MS % 1000) * 1000000L;
		ts.tv_sec += FETCH_SCAN_MS / 1000 + ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		while (!w->woken && !w->srv->stopping)
			if (pthread_cond_timedwait(&w->wake, &w->lock, &ts) != 0)
				break;
		w->woken = false;
		pthread_mutex_unlock(&w->lock);
	}
	return NULL;
}

struct webhooks *webhooks_new(struct server *srv)
{
	struct webhooks *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->srv = srv;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	return w;
}

bool webhooks_start(struct webhooks *w)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	w->fetcher_started = pthread_create(&w->fetcher, NULL, fetcher, w) == 0;
	return w->fetcher_started;
}

void webhooks_free(struct webhooks *w)
{
	if (!w)
		return;
	if (w->fetcher_started) {
		pthread_mutex_lock(&w->lock);
		w->woken = true;
		pthread_cond_signal(&w->wake);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->fetcher, NULL);
	}
	memset(w->kept, 0, sizeof w->kept);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* POST /webhooks/hubspot and POST /webhooks/zendesk: recipe platforms that
 * sign their calls are verified with their own signature instead of a bare
 * API key (assets/recipes/hubspot.md, zendesk-sell.md).
 *
 *  - The signature is checked over the raw body FIRST, against the secret
 *    set with `boxoffice platform secret --platform hubspot|zendesk
 *    --secret S`; missing, wrong, stale (HubSpot v3: 5 minutes) or no
 *    secret set: 401, nothing is read, nothing changes.
 *  - HubSpot: X-HubSpot-Signature-v3 + X-HubSpot-Request-Timestamp when
 *    sent, else X-HubSpot-Signature with X-HubSpot-Signature-Version v1
 *    (the default) or v2. v2 and v3 sign the URL HubSpot called: serve's
 *    --public-url (without its trailing '/') + the path, else http(s)://
 *    + the Host header + the path; give the webhook URL without a query.
 *  - Zendesk: X-Zendesk-Webhook-Signature over
 *    X-Zendesk-Webhook-Signature-Timestamp ‖ body; the timestamp (ISO 8601
 *    UTC) must be within 5 minutes of now (401).
 *  - A replay of the same signed request (same signature) is answered with
 *    the first answer and changes nothing (webhook_delivery, in the
 *    adjust's transaction; db/042): distinct sales need distinct bodies
 *    (a reference or idempotency_key).
 *  - The body is POST /tickets/adjust's (event, type, op, qty, reference,
 *    …); it runs as the live channel API key named after the platform
 *    (`boxoffice apikey add hubspot --channel web`; db/040): its channel,
 *    its change-log name, its idempotency keys (Idempotency-Key header or
 *    idempotency_key field: a replay is answered with the first result). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/platform_sig.h"
#include "../core/platform_sig_extra.h"
#include "../db/api.h"
#include "../db/db.h"
#include "../db/signed.h"
#include "http.h"

/* The platform's secret from the database (false after answering: 401
 * none set, 503 database). */
static bool secret_of(struct request *r, const char *platform, char *out, size_t size)
{
	struct db *db = http_db(r);
	bool have;

	if (!db)
		return false;
	have = db_platform_secret_get(db, platform, out, size);
	if (!have && db->status != DB_OK) {
		http_db_error(r, db);
		http_db_done(r, db);
		return false;
	}
	http_db_done(r, db);
	if (!have)
		http_error(r, 401, "no webhook secret is set (boxoffice platform secret --platform %s)", platform);
	return have;
}

/* The URL the platform called, as it signs it. */
static void called_url(struct request *r, char *out, size_t size)
{
	const char *pub = r->srv->cfg.public_url, *host = http_header(r, "Host");

	if (pub && *pub) {
		size_t n = strlen(pub);
		while (n && pub[n - 1] == '/')
			n--;
		snprintf(out, size, "%.*s%s", (int)n, pub, r->url);
	} else {
		snprintf(out, size, "%s://%s%s", r->srv->cfg.tls_cert ? "https" : "http", host ? host : "", r->url);
	}
}

/* The verified call: /tickets/adjust as the platform's key. */
static bool signed_adjust(struct request *r, const char *platform, const char *signature)
{
	json_t *body = http_body_json(r), *doc, *avail;
	const char *idem;
	char *text;
	struct db *db;
	long long ev, ty;

	if (!body)
		return true;
	if (!http_idempotency_key(r, body, &idem)) {
		json_decref(body);
		return true;
	}
	text = json_dumps(body, JSON_COMPACT);
	if (!text || !(db = http_db(r))) {
		free(text);
		json_decref(body);
		return text ? true : http_error(r, 500, "out of memory");
	}
	doc = db_api_signed_adjust_once(db, platform, text, idem, signature);
	if (doc) {
		ev = json_integer_value(json_object_get(doc, "event"));
		ty = json_integer_value(json_object_get(doc, "type"));
		avail = ev ? db_api_availability(db, ev, ty) : NULL;
		json_object_set_new(doc, "availability", avail ? avail : json_null());
		http_json(r, 200, doc);
	} else {
		http_db_error(r, db);
	}
	http_db_done(r, db);
	free(text);
	json_decref(body);
	return true;
}

#define HUBSPOT_STALE_S 300

bool route_hubspot_webhook(struct request *r, const char *tail)
{
	const char *v3 = http_header(r, "X-HubSpot-Signature-v3"), *ts = http_header(r, "X-HubSpot-Request-Timestamp");
	const char *v12 = http_header(r, "X-HubSpot-Signature"), *ver = http_header(r, "X-HubSpot-Signature-Version");
	const char *body = r->body ? r->body : "";
	char secret[512], url[2048];
	bool ok;

	(void)tail;
	if (!(v3 && *v3) && !(v12 && *v12))
		return http_error(r, 401, "X-HubSpot-Signature: missing");
	if (!(v3 && *v3) && ver && strcmp(ver, "v1") != 0 && strcmp(ver, "v2") != 0)
		return http_error(r, 401, "X-HubSpot-Signature-Version: only v1, v2 (and v3's own header) are known");
	if (!secret_of(r, "hubspot", secret, sizeof secret))
		return true;
	called_url(r, url, sizeof url);
	if (v3 && *v3) {
		long long now = (long long)time(NULL);
		ok = ts && sig_hubspot_v3_ok(v3, ts, secret, r->method, url, body, r->len, now);
	} else {
		ok = sig_hubspot_ok(v12, ver ? ver : "v1", secret, r->method, url, body, r->len);
	}
	memset(secret, 0, sizeof secret);
	if (!ok)
		return http_error(r, 401, "X-HubSpot-Signature%s: does not match, or too old", v3 && *v3 ? "-v3" : "");
	return signed_adjust(r, "hubspot", v3 && *v3 ? v3 : v12);
}

#define ZENDESK_STALE_S 300

/* Whether ts is "YYYY-MM-DDTHH:MM:SSZ" (fraction allowed) within 5 minutes
 * of now. */
static bool zendesk_fresh(const char *ts, long long now)
{
	int y, mo, d, h, mi, s, n = 0;
	struct tm tm = { 0 };
	const char *p;
	long long t;

	if (sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &n) != 6 || n != 19)
		return false;
	p = ts + n;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (strcmp(p, "Z") != 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
		return false;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	t = (long long)timegm(&tm);
	return t >= now - ZENDESK_STALE_S && t <= now + ZENDESK_STALE_S;
}

bool route_zendesk_webhook(struct request *r, const char *tail)
{
	const char *sig = http_header(r, "X-Zendesk-Webhook-Signature");
	const char *ts = http_header(r, "X-Zendesk-Webhook-Signature-Timestamp");
	char secret[512];
	bool ok;

	(void)tail;
	if (!sig || !*sig || !ts || !*ts)
		return http_error(r, 401, "X-Zendesk-Webhook-Signature: missing");
	if (!zendesk_fresh(ts, (long long)time(NULL)))
		return http_error(r, 401, "X-Zendesk-Webhook-Signature-Timestamp: not ISO 8601 UTC within 5 minutes of now");
	if (!secret_of(r, "zendesk", secret, sizeof secret))
		return true;
	ok = sig_zendesk_ok(sig, ts, secret, r->body ? r->body : "", r->len);
	memset(secret, 0, sizeof secret);
	if (!ok)
		return http_error(r, 401, "X-Zendesk-Webhook-Signature: does not match");
	return signed_adjust(r, "zendesk", sig);
}

/* POST /webhooks/stripe: the payment provider's word on a card order made
 * by POST /orders (payment "card") or the public page.
 *
 * How a real Stripe checkout is set up for this:
 *  1. The shop (or the public page's front end) makes the order first:
 *     POST /orders {"payment": "card", ...} answers its id and pay_by (the
 *     seats are taken until then; `serve --pay-within S`, default 900 s).
 *  2. It creates a Checkout Session with client_reference_id = that order
 *     id (as text; metadata.order_id = the same is read too), the amount
 *     the order's total, and expires_at no later than pay_by, then sends
 *     the buyer to the session's URL.
 *  3. In the Stripe dashboard (Developers → Webhooks) an endpoint
 *     https://<public url>/webhooks/stripe listens to
 *     checkout.session.completed, checkout.session.async_payment_succeeded,
 *     checkout.session.async_payment_failed and checkout.session.expired;
 *     its signing secret (whsec_…) goes into the database with
 *     `boxoffice platform secret --platform stripe --secret whsec_…`.
 *  4. Stripe signs every delivery (Stripe-Signature: t=TS,v1=HMAC-SHA256 of
 *     "TS.BODY"); serve checks it over the raw body, within 300 s of now,
 *     before reading anything, and answers 401 to anything else (nothing
 *     changes). Stripe retries a delivery that did not get a 2xx, and may
 *     deliver one event more than once or several at once: the event's id
 *     makes each apply once (api_payment_confirmed / api_payment_expired).
 *  5. completed (payment_status "paid") settles the order and its tickets
 *     are made, payment_ref = the payment intent; expired or a failed
 *     asynchronous payment cancels it at once and the seats are back on
 *     sale. A payment confirmed for an order already given up (its pay_by
 *     passed) answers 200 with "late": true and is in the change log
 *     (payment_late) — the money must be refunded in Stripe.
 * Other event types are answered 200 and ignored, so Stripe stops sending
 * them again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../db/api.h"
#include "../db/db.h"
#include "http.h"

/* Stripe's default tolerance for a signature's timestamp. */
#define STRIPE_TOLERANCE_S 300
/* How long the webhook secret is kept before it is read again. */
#define SECRET_KEEP_MS 30000
/* A signature that does not match a secret older than this reads the
 * secret again at once (it was just changed). */
#define SECRET_REREAD_MS 1000

struct provider_secret {
	pthread_mutex_t lock;
	char platform[32];
	char secret[512];
	bool have;
	long long read_ms; /* 0: never read */
};

struct provider_secret *provider_secret_new(const char *platform)
{
	struct provider_secret *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	snprintf(s->platform, sizeof s->platform, "%s", platform);
	return s;
}

void provider_secret_free(struct provider_secret *s)
{
	if (!s)
		return;
	memset(s->secret, 0, sizeof s->secret);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* The secret into out (false: none is set, *age_ms < 0, or the database
 * failed: answered 503). fresh: read it from the database whatever is
 * kept. */
static bool secret_get(struct request *r, struct provider_secret *s, bool fresh, char *out, size_t size,
		       long long *age_ms)
{
	long long now = db_now_ms();
	struct db *db;
	bool have;

	pthread_mutex_lock(&s->lock);
	if (!fresh && s->read_ms && now - s->read_ms < SECRET_KEEP_MS) {
		have = s->have;
		snprintf(out, size, "%s", s->secret);
		*age_ms = now - s->read_ms;
		pthread_mutex_unlock(&s->lock);
		return have;
	}
	pthread_mutex_unlock(&s->lock);
	if (!(db = http_db(r))) {
		*age_ms = -1;
		return false;
	}
	have = db_platform_secret_get(db, s->platform, out, size);
	if (!have && db->status != DB_OK) {
		http_db_error(r, db);
		http_db_done(r, db);
		*age_ms = -1;
		return false;
	}
	http_db_done(r, db);
	if (!have)
		out[0] = '\0';
	pthread_mutex_lock(&s->lock);
	s->have = have;
	snprintf(s->secret, sizeof s->secret, "%s", out);
	s->read_ms = db_now_ms();
	pthread_mutex_unlock(&s->lock);
	*age_ms = 0;
	return have;
}

/* The signature over the raw body, before anything of it is read. False
 * after answering (401, or 503 when the secret could not be read). */
static bool signature_ok(struct request *r)
{
	const char *header = http_header(r, "Stripe-Signature");
	char secret[512];
	long long age;
	enum sig_check c;
	const char *body = r->body ? r->body : "";

	if (!header || !*header) {
		http_error(r, 401, "Stripe-Signature: %s", sig_check_text(SIG_MISSING));
		return false;
	}
	if (!secret_get(r, r->srv->stripe, false, secret, sizeof secret, &age)) {
		if (age >= 0)
			http_error(r, 401, "no webhook secret is set (boxoffice platform secret --platform stripe)");
		return false;
	}
	c = stripe_signature_check(header, body, r->len, secret, (long long)time(NULL), STRIPE_TOLERANCE_S);
	if (c == SIG_MISMATCH && age > SECRET_REREAD_MS) {
		if (!secret_get(r, r->srv->stripe, true, secret, sizeof secret, &age)) {
			memset(secret, 0, sizeof secret);
			if (age >= 0)
				http_error(r, 401, "no webhook secret is set (boxoffice platform secret --platform stripe)");
			return false;
		}
		c = stripe_signature_check(header, body, r->len, secret, (long long)time(NULL), STRIPE_TOLERANCE_S);
	}
	memset(secret, 0, sizeof secret);
	if (c != SIG_OK) {
		http_error(r, 401, "Stripe-Signature: %s", sig_check_text(c));
		return false;
	}
	return true;
}

/* Our order's id: client_reference_id, else metadata.order_id (text or a
 * number); 0 when neither is one. */
static long long order_of(json_t *obj)
{
	json_t *ids[2] = { json_object_get(obj, "client_reference_id"),
			   json_object_get(json_object_get(obj, "metadata"), "order_id") };

	for (int i = 0; i < 2; i++) {
		if (json_is_string(ids[i]) && http_id(json_string_value(ids[i])))
			return http_id(json_string_value(ids[i]));
		if (json_is_integer(ids[i]) && json_integer_value(ids[i]) > 0)
			return (long long)json_integer_value(ids[i]);
	}
	return 0;
}

static bool ignored(struct request *r, const char *type, const char *why)
{
	return http_json(r, 200, json_pack("{sb ss ss}", "received", 1, "ignored", why, "type", type));
}

bool route_stripe_webhook(struct request *r, const char *tail)
{
	json_t *ev, *obj, *answer;
	json_error_t err;
	const char *type, *event_id, *ref, *status;
	long long order;
	bool paid, gone;
	struct db *db;

	(void)tail;
	if (!signature_ok(r))
		return true;
	ev = json_loadb(r->body ? r->body : "", r->len, 0, &err);
	if (!json_is_object(ev)) {
		json_decref(ev);
		return http_error(r, 400, "the event is not a JSON object");
	}
	type = json_string_value(json_object_get(ev, "type"));
	event_id = json_string_value(json_object_get(ev, "id"));
	obj = json_object_get(json_object_get(ev, "data"), "object");
	if (!type || !event_id || !*event_id || strlen(event_id) > 255 || !json_is_object(obj)) {
		json_decref(ev);
		return http_error(r, 400, "an event has an id, a type and data.object");
	}
	/* completed with a payment still on its way (a bank transfer, SEPA
	 * debit): async_payment_succeeded or _failed follows */
	status = json_string_value(json_object_get(obj, "payment_status"));
	paid = (strcmp(type, "checkout.session.completed") == 0 &&
		(!status || strcmp(status, "paid") == 0 || strcmp(status, "no_payment_required") == 0)) ||
	       strcmp(type, "checkout.session.async_payment_succeeded") == 0;
	gone = strcmp(type, "checkout.session.expired") == 0 ||
	       strcmp(type, "checkout.session.async_payment_failed") == 0;
	if (!paid && !gone) {
		bool waiting = strcmp(type, "checkout.session.completed") == 0;
		ignored(r, type, waiting ? "the payment is still on its way" : "not an event this server acts on");
		json_decref(ev);
		return true;
	}
	if (!(order = order_of(obj))) {
		ignored(r, type, "no order of ours (client_reference_id)");
		json_decref(ev);
		return true;
	}
	ref = json_string_value(json_object_get(obj, "payment_intent"));
	if (!ref)
		ref = json_string_value(json_object_get(obj, "id"));
	if (!(db = http_db(r))) {
		json_decref(ev);
		return true;
	}
	answer = paid ? db_api_payment_confirmed(db, "stripe", event_id, order, ref)
		      : db_api_payment_expired(db, "stripe", event_id, order);
	json_decref(ev);
	if (!answer) {
		http_db_error(r, db);
		http_db_done(r, db);
		return true;
	}
	http_db_done(r, db);
	{
		json_t *doc = json_pack("{sb}", "received", 1);
		json_object_update(doc, answer);
		json_decref(answer);
		return http_json(r, 200, doc);
	}
}

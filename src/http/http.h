/* `boxoffice serve`: the HTTP side of the box office (libmicrohttpd,
 * jansson). One thread per connection (so a slow client or a live stream
 * ties up only its own thread), a bounded pool of database connections
 * (every wait for one has a deadline), one listening connection that keeps
 * availability live for every reader, and a route table (routes.c) whose
 * handlers each make one call of the SQL functions in db/030_serve.sql.
 *
 * This header is shared by the route files; serve.h is the outside view. */
#ifndef BOXOFFICE_HTTP_HTTP_H
#define BOXOFFICE_HTTP_HTTP_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "../core/apikey.h"
#include "serve.h"

struct db;
struct server;

/* Largest request body any endpoint takes (a purchase, a scan, a webhook). */
#define HTTP_BODY_MAX (64 * 1024)
/* the platforms' webhooks (/webhooks/...): a real order can be larger */
#define HTTP_WEBHOOK_BODY_MAX (1024 * 1024)

/* ---- database connections (pool.c) ---- */
struct pool;
struct pool *pool_new(const char *conninfo, const char *station, int size);
void pool_free(struct pool *p);
/* A connected database, or NULL when none frees up (or none connects)
 * within wait_ms: the caller answers 503. */
struct db *pool_take(struct pool *p, int wait_ms);
void pool_give(struct pool *p, struct db *db);

/* ---- API keys (keys.c) ---- */
struct api_key_info {
	long long id;
	char name[104];
	char channel[16]; /* "" for app keys */
	char app[16];     /* "gate", "holder", or "" */
	char gate[104];
	long long person_id;
	int rate_per_minute;
};
struct key_cache;
struct key_cache *key_cache_new(void);
void key_cache_free(struct key_cache *c);
/* Drops what is known of a key (revoked, or all when id is 0). */
void key_cache_forget(struct key_cache *c, long long id);

/* ---- the door's public keys (routes_gate.c) ---- */
/* Events' public keys as serve has read them (they never change within a
 * database; an event not known yet is read again each time). */
struct door_keys;
struct door_keys *door_keys_new(void);
void door_keys_free(struct door_keys *k);

/* ---- the payment provider's secret (routes_payment.c) ---- */
/* The webhook secret (platform_secret 'stripe'), kept briefly. */
struct provider_secret;
struct provider_secret *provider_secret_new(const char *platform);
void provider_secret_free(struct provider_secret *s);

/* ---- platform webhooks in (routes_webhooks.c) ---- */
/* Their secrets, kept briefly, and Eventbrite's fetch thread. */
struct webhooks;
struct webhooks *webhooks_new(struct server *srv);
bool webhooks_start(struct webhooks *w);
/* Stops the fetch thread (srv->stopping set first) and frees. */
void webhooks_free(struct webhooks *w);

/* ---- live availability (live.c) ---- */
struct live;
struct live *live_start(struct server *srv);
void live_stop(struct live *l);

/* ---- the outbox worker (outbox.c): pushes availability to platforms ---- */
struct outbox;
struct outbox *outbox_start(struct server *srv);
/* Stops the worker: transfers in flight are cut (their rows are sent
 * again once their lease runs out). */
void outbox_stop(struct outbox *o);

/* ---- the server ---- */
/* A connection whose request is still arriving (server.c): since_ms when
 * its clock started (0: a request is being answered). */
struct conn_watch {
	struct conn_watch *next, *prev;
	int fd;
	long long since_ms;
	bool cut;
};

struct server {
	struct serve_config cfg;
	struct MHD_Daemon *daemon;
	struct pool *pool;
	struct key_cache *keys;
	struct live *live;
	struct door_keys *door_keys;
	struct provider_secret *stripe;
	struct webhooks *webhooks;
	struct outbox *outbox;
	char link_secret[512]; /* signs participants' links (platform_secret 'link') */
	pthread_mutex_t lock;  /* guards inflight and the rate buckets */
	pthread_cond_t idle;
	int inflight;
	struct conn_watch *watches; /* guarded by lock */
	volatile int stopping;
};

/* One request: its connection, body, who called, what was answered. */
struct request {
	struct server *srv;
	struct MHD_Connection *conn;
	const char *method, *url;
	char *body;
	size_t len;
	bool too_big;
	size_t body_max; /* HTTP_BODY_MAX, or HTTP_WEBHOOK_BODY_MAX under /webhooks/ */
	bool answered;
	long long started_ms;
	struct api_key_info key; /* key.id 0: no key */
	int status;
	size_t bytes;
	char client[64];
	const char *idem_from; /* where the client sent an idempotency key, or NULL */
};

/* Answers (each queues the response; true on success). Bodies are copied. */
bool http_json(struct request *r, unsigned status, json_t *doc); /* steals doc */
/* {"error": message} with the status; extra headers none. */
bool http_error(struct request *r, unsigned status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
bool http_bytes(struct request *r, unsigned status, const char *content_type, const void *data, size_t len);
bool http_html(struct request *r, unsigned status, const char *html);
/* A database failure (db->sqlstate, db->err) as the matching status:
 * 409 refused by a business rule, 400 bad input, 404 not found, 403 the
 * key may not, 401 a revoked key, 503 the database did not answer. */
bool http_db_error(struct request *r, struct db *db);
/* The status http_db_error answers for this failure (for pages that answer
 * in HTML). */
unsigned http_db_status(const struct db *db);
/* Sends a response with extra headers given as name/value pairs, NULL-ended. */
bool http_send(struct request *r, unsigned status, const char *content_type, const void *data, size_t len,
	       const char *const *headers);

/* The request's Bearer key, checked (hash, revocation, rate). On failure
 * the answer (401, 403, 429) is sent and false returned. need: "channel",
 * "gate", "holder", or NULL for any key. */
bool http_auth(struct request *r, const char *need);

/* Whether a Content-Type value is type (case-insensitive), alone or with
 * parameters ("application/json; charset=utf-8"); a longer name that
 * starts the same ("application/jsonx") is another type. */
bool http_type_is(const char *header, const char *type);

/* A database connection for this request, or NULL after answering 503. */
struct db *http_db(struct request *r);
void http_db_done(struct request *r, struct db *db);

/* Query-string value, or NULL. */
const char *http_arg(struct request *r, const char *name);
/* A request header, or NULL. */
const char *http_header(struct request *r, const char *name);
/* Parses the body as a JSON object; on failure answers 400 and NULL. */
json_t *http_body_json(struct request *r);
/* The idempotency key: the Idempotency-Key header or the body's
 * idempotency_key field (the same when both are given, 1 to 150
 * characters); false after answering 400. */
bool http_idempotency_key(struct request *r, json_t *body, const char **key);
/* A positive ID from text (the whole of it), or 0. */
long long http_id(const char *text);

/* ---- routes ---- */
typedef bool (*route_fn)(struct request *r, const char *tail);
struct route {
	const char *method;
	const char *path; /* exact, or a prefix when it ends in '/' */
	route_fn fn;
};
extern const struct route routes[];

/* route handlers (one file per family) */
bool route_adjust(struct request *r, const char *tail);
bool route_orders(struct request *r, const char *tail);
bool route_availability(struct request *r, const char *tail);
bool route_health(struct request *r, const char *tail);
bool route_checkin(struct request *r, const char *tail);
bool route_stripe_webhook(struct request *r, const char *tail);
/* platform webhooks in (routes_webhooks.c) */
bool route_shopify_webhook(struct request *r, const char *tail);
bool route_woocommerce_webhook(struct request *r, const char *tail);
bool route_square_webhook(struct request *r, const char *tail);
bool route_eventbrite_webhook(struct request *r, const char *tail);
/* staff commands from Slack and SMS (routes_staff.c) */
bool route_slack_webhook(struct request *r, const char *tail);
bool route_twilio_webhook(struct request *r, const char *tail);
/* the public ticket page and My Tickets (pages.c) */
bool route_event_page(struct request *r, const char *tail);
bool route_event_order(struct request *r, const char *tail);
bool route_my_tickets(struct request *r, const char *tail);
/* the holder app (routes_holder.c) */
bool route_ticket_qr(struct request *r, const char *tail);
bool route_person_tickets(struct request *r, const char *tail);
/* A ticket's QR of its signed token as PNG or SVG (routes_holder.c):
 * tickets is api_person_tickets' document; answers 404 when the ticket is
 * not among them, 410 when it is no longer valid. */
bool http_ticket_qr(struct request *r, struct db *db, json_t *tickets, long long ticket_id, bool svg);
bool route_openapi(struct request *r, const char *tail);
/* recipe platforms that sign their calls (routes_signed.c) */
bool route_hubspot_webhook(struct request *r, const char *tail);
bool route_zendesk_webhook(struct request *r, const char *tail);

/* For live.c's readers: the availability document of an event, kept live
 * by LISTEN/NOTIFY; NULL when it could not be loaded (*status says why:
 * 404 no such event, 503 database). The caller frees the copy. */
char *live_availability(struct live *l, long long event_id, long long type_id, unsigned *status);
/* Answers with a text/event-stream of the event's availability: the rows
 * now, then again after every change; ends when the server stops. */
bool live_stream(struct request *r, long long event_id, long long type_id);

#endif

/* What serve's outbound worker sends to each platform, and how it reads a
 * platform's answer to a resync: pure functions (jansson, no I/O), one per
 * platform, so that the worker (src/http/outbox.c) only moves bytes.
 *
 *   shopify     POST {base}/inventory_levels/set.json  {"location_id","inventory_item_id","available"}
 *               X-Shopify-Access-Token
 *   woocommerce PUT  {base}/products/{remote}          {"manage_stock":true,"stock_quantity":N}  Basic auth
 *   square      POST {base}/v2/inventory/changes/batch-create  PHYSICAL_COUNT, Bearer
 *   eventbrite  POST {base}/events/{E}/ticket_classes/{C}/      {"ticket_class":{"capacity":N}}  Bearer
 *               (capacity = what Eventbrite has sold + what we have left)
 *   webhook     POST {base}  our JSON, X-Boxoffice-Signature (src/core/platform_sig.h)
 *   slack       POST {base}  {"text":…} (incoming webhook URL)
 *   twilio      POST {base}/2010-04-01/Accounts/{sid}/Messages.json  To=&From=&Body=  Basic auth */
#ifndef BOXOFFICE_CORE_PUSH_FORMAT_H
#define BOXOFFICE_CORE_PUSH_FORMAT_H

#include <stdbool.h>
#include <stddef.h>

/* One channel (a platform_channel row) and, for availability, one mapped
 * type (a platform_map row). Strings may be NULL where the row has none. */
struct push_channel {
	const char *name;
	const char *platform;	 /* shopify woocommerce square eventbrite webhook slack twilio */
	const char *base_url;	 /* no trailing slash needed */
	const char *credentials; /* token, "key:secret", or signing secret */
	const char *settings;	 /* JSON object text: location_id, account_sid, from, to… */
};
struct push_item {
	const char *sku;
	const char *remote; /* the platform's ID to push to when not the SKU */
	long long event_id, type_id;
	const char *event_name, *type_name;
	long long available; /* what this channel may still sell */
	long long sold;	     /* what this channel sold, for capacity-style platforms */
	long long seq;	     /* outbox sequence: a receiver keeps the highest */
};

#define PUSH_HEADERS_MAX 8
struct push_request {
	char method[8];
	char *url;
	char *headers[PUSH_HEADERS_MAX]; /* "Name: value" */
	int n_headers;
	char *body;
	size_t body_len;
};

/* The request that tells the platform a type's new availability; false
 * with a reason in err when the channel's settings lack something. ts is
 * the signing time for the generic webhook. */
bool push_availability(const struct push_channel *c, const struct push_item *it, long long ts,
		       struct push_request *out, char *err, size_t errsize);
/* A text message to staff (Slack, Twilio), or a JSON alert (webhook). */
bool push_message(const struct push_channel *c, const char *text, long long ts, struct push_request *out, char *err,
		  size_t errsize);
/* Resync: the request that reads what the platform believes, and the
 * reading of its answer (what it has left and, where it says, sold). */
bool pull_request(const struct push_channel *c, const struct push_item *it, struct push_request *out, char *err,
		  size_t errsize);
bool pull_parse(const struct push_channel *c, const struct push_item *it, const char *body, size_t len,
		long long *available, long long *sold, char *err, size_t errsize);
void push_request_free(struct push_request *r);

#endif

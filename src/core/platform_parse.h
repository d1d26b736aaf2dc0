/* Platform webhooks → the normalised document webhook_apply() takes
 * (db/037_webhooks_in.sql says what each action does). Pure: jansson only,
 * no database, no network. Called after the signature was checked over the
 * raw body.
 *
 *   Shopify      orders/create → sell (lines by sku, then variant_id);
 *                orders/cancelled → cancel; refunds/create → return the
 *                restocked refund_line_items; other topics → ignore.
 *   WooCommerce  order.created / order.updated → reconcile by status:
 *                processing, completed, on-hold → the lines are sold;
 *                cancelled, refunded, failed → nothing is (all returned);
 *                pending and the rest → ignore. version = date_modified_gmt.
 *   Square       inventory.count.updated → count (IN_STOCK counts of
 *                catalog_object_id); order.* → ignore (Square's own
 *                inventory tracking turns a completed order into a count
 *                update, which is what we act on: acting on both would
 *                sell twice); others → ignore.
 *   Eventbrite   order.placed / order.refunded / order.updated → fetch
 *                api_url (thin ping, unsigned); the fetched order →
 *                reconcile of its live attendees per ticket_class_id. */
#ifndef BOXOFFICE_CORE_PLATFORM_PARSE_H
#define BOXOFFICE_CORE_PLATFORM_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct platform_delivery {
	char id[301];    /* the platform's delivery ID (dedupe key) */
	char topic[101];
	json_t *doc;     /* the normalised document; the caller frees */
};

/* Each returns true with *out filled, or false with why in err (bad input:
 * HTTP 400). Header values may be NULL when absent. */
bool parse_shopify(const char *topic, const char *event_id, const char *webhook_id, const char *body,
		   size_t len, struct platform_delivery *out, char *err, size_t errsz);
bool parse_woocommerce(const char *topic, const char *delivery_id, const char *body, size_t len,
		       struct platform_delivery *out, char *err, size_t errsz);
bool parse_square(const char *body, size_t len, struct platform_delivery *out, char *err, size_t errsz);
bool parse_eventbrite(const char *body, size_t len, struct platform_delivery *out, char *err, size_t errsz);
/* The order fetched from api_url → reconcile document (up: may sell, as
 * for order.placed); NULL with err when it is no order. */
json_t *parse_eventbrite_order(const char *body, size_t len, bool up, char *err, size_t errsz);

/* WooCommerce's unsigned ping when a webhook is saved: "webhook_id=N". */
bool woocommerce_is_ping(const char *body, size_t len);
/* api_url is an order of the API under base ("…/orders/DIGITS/"). */
bool eventbrite_url_ok(const char *api_url, const char *base);

#endif

#include "platform_parse.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool fail(char *err, size_t errsz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
	return false;
}

/* A JSON id (integer or string) as text; false when absent or unusable. */
static bool id_text(json_t *v, char *out, size_t size)
{
	if (json_is_integer(v) && json_integer_value(v) > 0)
		snprintf(out, size, "%lld", (long long)json_integer_value(v));
	else if (json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) < size)
		snprintf(out, size, "%s", json_string_value(v));
	else
		return false;
	return true;
}

static json_t *load(const char *body, size_t len, char *err, size_t errsz)
{
	json_error_t je;
	json_t *root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		fail(err, errsz, "the body is not JSON: %s", je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		fail(err, errsz, "the body is not a JSON object");
		return NULL;
	}
	return root;
}

static json_t *doc_new(const char *action)
{
	return json_pack("{s:s}", "action", action);
}

static json_t *ignore(const char *note)
{
	return json_pack("{s:s, s:s}", "action", "ignore", "note", note);
}

/* A line {"keys": [...], "qty": N}; keys taken (may be empty: skipped). */
static void line_add(json_t *lines, json_t *keys, long long qty)
{
	if (json_array_size(keys) == 0 || qty < 0) {
		json_decref(keys);
		return;
	}
	json_array_append_new(lines, json_pack("{s:o, s:I}", "keys", keys, "qty", (json_int_t)qty));
}

static void key_add(json_t *keys, json_t *v)
{
	char t[201];
	if (id_text(v, t, sizeof t))
		json_array_append_new(keys, json_string(t));
}

static bool finish(struct platform_delivery *out, const char *id, const char *topic, json_t *doc, char *err,
		   size_t errsz)
{
	if (!id || !*id || strlen(id) >= sizeof out->id) {
		json_decref(doc);
		return fail(err, errsz, "the delivery has no usable ID");
	}
	snprintf(out->id, sizeof out->id, "%s", id);
	snprintf(out->topic, sizeof out->topic, "%s", topic ? topic : "");
	out->doc = doc;
	return true;
}

/* ---- Shopify ---- */

bool parse_shopify(const char *topic, const char *event_id, const char *webhook_id, const char *body,
		   size_t len, struct platform_delivery *out, char *err, size_t errsz)
{
	const char *id = event_id && *event_id ? event_id : webhook_id;
	json_t *root, *doc, *lines, *v;
	char order[121];
	size_t i;

	memset(out, 0, sizeof *out);
	if (!id || !*id)
		return fail(err, errsz, "no X-Shopify-Event-Id or X-Shopify-Webhook-Id");
	if (!topic || !*topic)
		return fail(err, errsz, "no X-Shopify-Topic");
	if (!(root = load(body, len, err, errsz)))
		return false;
	if (strcmp(topic, "orders/create") == 0 || strcmp(topic, "orders/cancelled") == 0) {
		if (!id_text(json_object_get(root, "id"), order, sizeof order)) {
			json_decref(root);
			return fail(err, errsz, "the order has no id");
		}
		if (strcmp(topic, "orders/cancelled") == 0) {
			doc = doc_new("cancel");
		} else {
			doc = doc_new("sell");
			lines = json_array();
			json_array_foreach(json_object_get(root, "line_items"), i, v) {
				json_t *keys = json_array();
				json_t *q = json_object_get(v, "quantity");
				key_add(keys, json_object_get(v, "sku"));
				key_add(keys, json_object_get(v, "variant_id"));
				if (!json_is_integer(q)) {
					json_decref(keys);
					continue;
				}
				line_add(lines, keys, json_integer_value(q));
			}
			json_object_set_new(doc, "lines", lines);
		}
		json_object_set_new(doc, "order", json_string(order));
	} else if (strcmp(topic, "refunds/create") == 0) {
		bool restock_all = json_is_true(json_object_get(root, "restock"));
		if (!id_text(json_object_get(root, "order_id"), order, sizeof order)) {
			json_decref(root);
			return fail(err, errsz, "the refund has no order_id");
		}
		doc = doc_new("return");
		lines = json_array();
		json_array_foreach(json_object_get(root, "refund_line_items"), i, v) {
			const char *rt = json_string_value(json_object_get(v, "restock_type"));
			json_t *li = json_object_get(v, "line_item"), *q = json_object_get(v, "quantity"), *keys;
			/* a refund without restock leaves the seat taken (money back only) */
			if (rt ? strcmp(rt, "no_restock") == 0 : !restock_all)
				continue;
			if (!json_is_integer(q))
				continue;
			keys = json_array();
			key_add(keys, json_object_get(li, "sku"));
			key_add(keys, json_object_get(li, "variant_id"));
			line_add(lines, keys, json_integer_value(q));
		}
		json_object_set_new(doc, "lines", lines);
		json_object_set_new(doc, "order", json_string(order));
	} else {
		doc = ignore("a topic that does not change inventory");
	}
	json_decref(root);
	return finish(out, id, topic, doc, err, errsz);
}

/* ---- WooCommerce ---- */

bool woocommerce_is_ping(const char *body, size_t len)
{
	static const char prefix[] = "webhook_id=";
	size_t n = sizeof prefix - 1;
	if (!body || len <= n || len > n + 20 || memcmp(body, prefix, n) != 0)
		return false;
	for (size_t i = n; i < len; i++)
		if (!isdigit((unsigned char)body[i]))
			return false;
	return true;
}

bool parse_woocommerce(const char *topic, const char *delivery_id, const char *body, size_t len,
		       struct platform_delivery *out, char *err, size_t errsz)
{
	json_t *root, *doc, *lines, *v;
	const char *status, *ver;
	char order[121];
	size_t i;

	memset(out, 0, sizeof *out);
	if (!delivery_id || !*delivery_id)
		return fail(err, errsz, "no X-WC-Webhook-Delivery-ID");
	if (!topic || !*topic)
		return fail(err, errsz, "no X-WC-Webhook-Topic");
	if (!(root = load(body, len, err, errsz)))
		return false;
	if (strcmp(topic, "order.created") != 0 && strcmp(topic, "order.updated") != 0) {
		json_decref(root);
		return finish(out, delivery_id, topic, ignore("a topic that does not change inventory"), err, errsz);
	}
	if (!id_text(json_object_get(root, "id"), order, sizeof order)) {
		json_decref(root);
		return fail(err, errsz, "the order has no id");
	}
	status = json_string_value(json_object_get(root, "status"));
	if (!status)
		status = "";
	if (strcmp(status, "processing") == 0 || strcmp(status, "completed") == 0 || strcmp(status, "on-hold") == 0) {
		doc = doc_new("reconcile");
		json_object_set_new(doc, "up", json_true());
		lines = json_array();
		json_array_foreach(json_object_get(root, "line_items"), i, v) {
			json_t *keys = json_array(), *q = json_object_get(v, "quantity");
			const char *sku = json_string_value(json_object_get(v, "sku"));
			if (sku && *sku)
				json_array_append_new(keys, json_string(sku));
			key_add(keys, json_object_get(v, "variation_id")); /* 0: none, skipped */
			key_add(keys, json_object_get(v, "product_id"));
			if (!json_is_integer(q)) {
				json_decref(keys);
				continue;
			}
			line_add(lines, keys, json_integer_value(q));
		}
		json_object_set_new(doc, "lines", lines);
	} else if (strcmp(status, "cancelled") == 0 || strcmp(status, "refunded") == 0 || strcmp(status, "failed") == 0) {
		doc = doc_new("reconcile");
		json_object_set_new(doc, "up", json_false());
		json_object_set_new(doc, "lines", json_array());
	} else {
		json_decref(root);
		return finish(out, delivery_id, topic, ignore("an order status that neither sells nor returns"), err,
			      errsz);
	}
	json_object_set_new(doc, "order", json_string(order));
	ver = json_string_value(json_object_get(root, "date_modified_gmt"));
	if (ver && *ver)
		json_object_set_new(doc, "version", json_string(ver));
	json_decref(root);
	return finish(out, delivery_id, topic, doc, err, errsz);
}

/* ---- Square ---- */

/* "10", "10.00000" → 10; "2.5" or junk → false. Negative counts (oversold
 * at Square) are 0. */
static bool square_qty(const char *s, long long *out)
{
	char *end;
	long long v;
	if (!s || !*s)
		return false;
	v = strtoll(s, &end, 10);
	if (end == s)
		return false;
	if (*end == '.') {
		for (end++; *end == '0'; end++)
			;
	}
	if (*end)
		return false;
	*out = v < 0 ? 0 : v > 10000 ? 10000 : v;
	return true;
}

bool parse_square(const char *body, size_t len, struct platform_delivery *out, char *err, size_t errsz)
{
	json_t *root, *doc, *counts, *lines, *v, *data;
	const char *type, *event_id;
	size_t i;
	bool ok;

	memset(out, 0, sizeof *out);
	if (!(root = load(body, len, err, errsz)))
		return false;
	type = json_string_value(json_object_get(root, "type"));
	event_id = json_string_value(json_object_get(root, "event_id"));
	if (!type || !event_id || !*event_id) {
		json_decref(root);
		return fail(err, errsz, "no type or event_id");
	}
	if (strcmp(type, "inventory.count.updated") == 0) {
		data = json_object_get(root, "data");
		counts = json_object_get(json_object_get(data, "object"), "inventory_counts");
		if (!counts)
			counts = json_object_get(data, "inventory_counts"); /* the older shape */
		doc = doc_new("count");
		lines = json_array();
		json_array_foreach(counts, i, v) {
			const char *state = json_string_value(json_object_get(v, "state"));
			long long q;
			json_t *keys;
			if (!state || strcmp(state, "IN_STOCK") != 0)
				continue;
			if (!square_qty(json_string_value(json_object_get(v, "quantity")), &q))
				continue;
			keys = json_array();
			key_add(keys, json_object_get(v, "catalog_object_id"));
			line_add(lines, keys, q);
		}
		json_object_set_new(doc, "lines", lines);
		json_object_set_new(doc, "event_id", json_string(event_id));
	} else if (strncmp(type, "order.", 6) == 0) {
		doc = ignore("orders are counted through inventory.count.updated");
	} else {
		doc = ignore("a type that does not change inventory");
	}
	ok = finish(out, event_id, type, doc, err, errsz); /* copies: both point into root */
	json_decref(root);
	return ok;
}

/* ---- Eventbrite ---- */

bool eventbrite_url_ok(const char *api_url, const char *base)
{
	size_t n, bl;
	const char *p;
	if (!api_url || !base || !*base)
		return false;
	bl = strlen(base);
	while (bl > 0 && base[bl - 1] == '/')
		bl--;
	if (bl == 0 || strncmp(api_url, base, bl) != 0 || api_url[bl] != '/')
		return false;
	p = api_url + bl + 1;
	if (strncmp(p, "orders/", 7) != 0)
		return false;
	p += 7;
	n = strspn(p, "0123456789");
	if (n == 0 || n > 30)
		return false;
	p += n;
	return strcmp(p, "/") == 0 || *p == '\0';
}

bool parse_eventbrite(const char *body, size_t len, struct platform_delivery *out, char *err, size_t errsz)
{
	json_t *root, *doc;
	const char *action, *url;
	char id[301];
	bool ok;

	memset(out, 0, sizeof *out);
	if (!(root = load(body, len, err, errsz)))
		return false;
	action = json_string_value(json_object_get(json_object_get(root, "config"), "action"));
	url = json_string_value(json_object_get(root, "api_url"));
	if (!action || !*action) {
		json_decref(root);
		return fail(err, errsz, "no config.action");
	}
	if (!url || !*url || strlen(url) > 250) {
		json_decref(root);
		return fail(err, errsz, "no usable api_url");
	}
	/* one delivery per order ("order N", no leading zeros), not per string
	 * the sender chose: a new ping fetches the order again (the database
	 * makes the same ID and checks the URL) */
	{
		const char *o = strstr(url, "/orders/"), *e;
		if (o) {
			o += 8;
			while (*o == '0' && o[1] >= '0' && o[1] <= '9')
				o++;
			e = o + strspn(o, "0123456789");
		}
		if (o && e > o && (*e == '\0' || strcmp(e, "/") == 0))
			snprintf(id, sizeof id, "order %.*s", (int)(e - o), o);
		else
			snprintf(id, sizeof id, "%s %s", url, action);
	}
	if (strcmp(action, "order.placed") == 0 || strcmp(action, "order.refunded") == 0 ||
	    strcmp(action, "order.updated") == 0) {
		doc = json_pack("{s:s, s:s, s:s, s:b}", "action", "fetch", "api_url", url, "topic", action, "up",
				strcmp(action, "order.placed") == 0);
	} else {
		doc = ignore("an action that does not change inventory");
	}
	ok = finish(out, id, action, doc, err, errsz); /* copies action, which points into root */
	json_decref(root);
	return ok;
}

json_t *parse_eventbrite_order(const char *body, size_t len, bool up, char *err, size_t errsz)
{
	json_t *root, *doc, *lines, *counts, *v, *attendees;
	const char *status, *changed, *cls;
	char order[121];
	size_t i;
	bool gone;

	if (!(root = load(body, len, err, errsz)))
		return NULL;
	if (!id_text(json_object_get(root, "id"), order, sizeof order)) {
		json_decref(root);
		fail(err, errsz, "the order has no id");
		return NULL;
	}
	attendees = json_object_get(root, "attendees");
	if (!json_is_array(attendees)) {
		json_decref(root);
		fail(err, errsz, "the order has no attendees (fetch it with expand=attendees)");
		return NULL;
	}
	status = json_string_value(json_object_get(root, "status"));
	gone = status && (strcmp(status, "refunded") == 0 || strcmp(status, "cancelled") == 0 ||
			  strcmp(status, "deleted") == 0);
	counts = json_object();
	json_array_foreach(attendees, i, v) {
		json_t *q = json_object_get(v, "quantity");
		long long n = json_is_integer(q) ? json_integer_value(q) : 1;
		char key[201];
		if (!id_text(json_object_get(v, "ticket_class_id"), key, sizeof key))
			continue;
		cls = key;
		if (gone || json_is_true(json_object_get(v, "cancelled")) || json_is_true(json_object_get(v, "refunded")))
			n = 0;
		json_object_set_new(counts, cls,
				    json_integer(json_integer_value(json_object_get(counts, cls)) + (n > 0 ? n : 0)));
	}
	lines = json_array();
	{
		const char *k;
		json_object_foreach(counts, k, v) {
			line_add(lines, json_pack("[s]", k), json_integer_value(v));
		}
	}
	json_decref(counts);
	doc = json_pack("{s:s, s:s, s:o, s:b}", "action", "reconcile", "order", order, "lines", lines, "up", up);
	changed = json_string_value(json_object_get(root, "changed"));
	if (changed && *changed)
		json_object_set_new(doc, "version", json_string(changed));
	json_decref(root);
	return doc;
}

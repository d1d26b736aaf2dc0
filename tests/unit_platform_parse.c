/* src/core/platform_parse.c: each platform's JSON (the samples in
 * tests/platforms/) turned into the document webhook_apply() acts on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "src/core/platform_parse.h"

static char *slurp(const char *name, size_t *len)
{
	char path[300];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, "tests/platforms/%s", name);
	assert_non_null(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static const char *action(const struct platform_delivery *d)
{
	return json_string_value(json_object_get(d->doc, "action"));
}

static json_t *line(const struct platform_delivery *d, size_t i)
{
	return json_array_get(json_object_get(d->doc, "lines"), i);
}

static void test_shopify(void **state)
{
	struct platform_delivery d;
	char err[200], *body;
	size_t len;
	(void)state;

	body = slurp("shopify-orders-create.json", &len);
	assert_true(parse_shopify("orders/create", "ev-1", "wh-1", body, len, &d, err, sizeof err));
	assert_string_equal(d.id, "ev-1");
	assert_string_equal(action(&d), "sell");
	assert_string_equal(json_string_value(json_object_get(d.doc, "order")), "450789469");
	assert_string_equal(json_string_value(json_array_get(json_object_get(line(&d, 0), "keys"), 0)), "IPOD2008GREEN");
	assert_string_equal(json_string_value(json_array_get(json_object_get(line(&d, 0), "keys"), 1)), "39072856");
	assert_int_equal(json_integer_value(json_object_get(line(&d, 1), "qty")), 2);
	json_decref(d.doc);
	/* no event id: the webhook id */
	assert_true(parse_shopify("orders/cancelled", NULL, "wh-2", body, len, &d, err, sizeof err));
	assert_string_equal(d.id, "wh-2");
	assert_string_equal(action(&d), "cancel");
	json_decref(d.doc);
	assert_false(parse_shopify("orders/create", NULL, NULL, body, len, &d, err, sizeof err));
	assert_false(parse_shopify("orders/create", "e", NULL, "[1]", 3, &d, err, sizeof err));
	assert_true(parse_shopify("products/update", "e", NULL, "{}", 2, &d, err, sizeof err));
	assert_string_equal(action(&d), "ignore");
	json_decref(d.doc);
	free(body);

	body = slurp("shopify-refunds-create.json", &len);
	assert_true(parse_shopify("refunds/create", "ev-3", NULL, body, len, &d, err, sizeof err));
	assert_string_equal(action(&d), "return");
	assert_string_equal(json_string_value(json_object_get(d.doc, "order")), "450789469");
	assert_int_equal(json_integer_value(json_object_get(line(&d, 0), "qty")), 1);
	json_decref(d.doc);
	free(body);
	/* no restock: no line */
	body = strdup("{\"order_id\":5,\"restock\":false,\"refund_line_items\":[{\"quantity\":1,\"restock_type\":"
		      "\"no_restock\",\"line_item\":{\"sku\":\"A\"}},{\"quantity\":2,\"line_item\":{\"sku\":\"B\"}}]}");
	assert_true(parse_shopify("refunds/create", "ev-4", NULL, body, strlen(body), &d, err, sizeof err));
	assert_int_equal(json_array_size(json_object_get(d.doc, "lines")), 0);
	json_decref(d.doc);
	free(body);
}

static void test_woocommerce(void **state)
{
	struct platform_delivery d;
	char err[200], *body;
	size_t len;
	(void)state;

	body = slurp("woocommerce-order-created.json", &len);
	assert_true(parse_woocommerce("order.created", "dlv-1", body, len, &d, err, sizeof err));
	assert_string_equal(action(&d), "reconcile");
	assert_true(json_is_true(json_object_get(d.doc, "up")));
	assert_string_equal(json_string_value(json_object_get(d.doc, "order")), "727");
	assert_string_equal(json_string_value(json_object_get(d.doc, "version")), "2017-03-22T19:28:08");
	/* empty SKU, no variation: the product ID */
	assert_string_equal(json_string_value(json_array_get(json_object_get(line(&d, 0), "keys"), 0)), "93");
	assert_string_equal(json_string_value(json_array_get(json_object_get(line(&d, 1), "keys"), 0)), "Bar3");
	assert_string_equal(json_string_value(json_array_get(json_object_get(line(&d, 1), "keys"), 1)), "23");
	json_decref(d.doc);
	free(body);
	body = strdup("{\"id\":9,\"status\":\"cancelled\",\"line_items\":[{\"sku\":\"A\",\"quantity\":1}]}");
	assert_true(parse_woocommerce("order.updated", "dlv-2", body, strlen(body), &d, err, sizeof err));
	assert_string_equal(action(&d), "reconcile");
	assert_false(json_is_true(json_object_get(d.doc, "up")));
	assert_int_equal(json_array_size(json_object_get(d.doc, "lines")), 0);
	json_decref(d.doc);
	free(body);
	body = strdup("{\"id\":9,\"status\":\"pending\"}");
	assert_true(parse_woocommerce("order.updated", "dlv-3", body, strlen(body), &d, err, sizeof err));
	assert_string_equal(action(&d), "ignore");
	json_decref(d.doc);
	assert_false(parse_woocommerce("order.updated", NULL, body, strlen(body), &d, err, sizeof err));
	free(body);

	assert_true(woocommerce_is_ping("webhook_id=42", 13));
	assert_false(woocommerce_is_ping("webhook_id=", 11));
	assert_false(woocommerce_is_ping("webhook_id=4&x=1", 16));
	assert_false(woocommerce_is_ping("{\"webhook_id\":4}", 16));
}

static void test_square(void **state)
{
	struct platform_delivery d;
	char err[200], *body;
	size_t len;
	(void)state;

	body = slurp("square-inventory-count-updated.json", &len);
	assert_true(parse_square(body, len, &d, err, sizeof err));
	assert_string_equal(d.id, "df5f3813-a913-45a1-94e9-fdc3f7d5e3b6");
	assert_string_equal(action(&d), "count");
	assert_string_equal(json_string_value(json_array_get(json_object_get(line(&d, 0), "keys"), 0)),
			    "FGQ5JJWT2PYTHF35CKZ2DSKP");
	assert_int_equal(json_integer_value(json_object_get(line(&d, 0), "qty")), 10);
	json_decref(d.doc);
	free(body);
	/* the older shape, a SOLD count skipped, decimals, a negative count is 0, a fraction skipped */
	body = strdup("{\"type\":\"inventory.count.updated\",\"event_id\":\"e2\",\"data\":{\"inventory_counts\":["
		      "{\"catalog_object_id\":\"A\",\"state\":\"SOLD\",\"quantity\":\"3\"},"
		      "{\"catalog_object_id\":\"B\",\"state\":\"IN_STOCK\",\"quantity\":\"4.00000\"},"
		      "{\"catalog_object_id\":\"C\",\"state\":\"IN_STOCK\",\"quantity\":\"-2\"},"
		      "{\"catalog_object_id\":\"D\",\"state\":\"IN_STOCK\",\"quantity\":\"2.5\"}]}}");
	assert_true(parse_square(body, strlen(body), &d, err, sizeof err));
	assert_int_equal(json_array_size(json_object_get(d.doc, "lines")), 2);
	assert_int_equal(json_integer_value(json_object_get(line(&d, 0), "qty")), 4);
	assert_int_equal(json_integer_value(json_object_get(line(&d, 1), "qty")), 0);
	json_decref(d.doc);
	free(body);
	body = strdup("{\"type\":\"order.updated\",\"event_id\":\"e3\",\"data\":{}}");
	assert_true(parse_square(body, strlen(body), &d, err, sizeof err));
	assert_string_equal(action(&d), "ignore");
	json_decref(d.doc);
	free(body);
	assert_false(parse_square("{\"type\":\"x\"}", 12, &d, err, sizeof err));
}

static void test_eventbrite(void **state)
{
	struct platform_delivery d;
	char err[200], *body;
	size_t len;
	json_t *doc;
	(void)state;

	body = slurp("eventbrite-order-placed.json", &len);
	assert_true(parse_eventbrite(body, len, &d, err, sizeof err));
	assert_string_equal(d.id, "order 752327237");
	assert_string_equal(action(&d), "fetch");
	assert_true(json_is_true(json_object_get(d.doc, "up")));
	json_decref(d.doc);
	free(body);
	/* one delivery per order however the URL writes it */
	{
		const char *urls[] = { "https://x/v3/orders/0004/", "https://x/v3/orders/4", "https://x/v3/orders/4/" };
		for (size_t i = 0; i < 3; i++) {
			char b[300];
			snprintf(b, sizeof b, "{\"config\":{\"action\":\"order.updated\"},\"api_url\":\"%s\"}", urls[i]);
			assert_true(parse_eventbrite(b, strlen(b), &d, err, sizeof err));
			assert_string_equal(d.id, "order 4");
			json_decref(d.doc);
		}
	}
	body = slurp("eventbrite-order-refunded.json", &len);
	assert_true(parse_eventbrite(body, len, &d, err, sizeof err));
	assert_false(json_is_true(json_object_get(d.doc, "up")));
	json_decref(d.doc);
	free(body);
	body = slurp("eventbrite-attendee-updated.json", &len);
	assert_true(parse_eventbrite(body, len, &d, err, sizeof err));
	assert_string_equal(action(&d), "ignore");
	json_decref(d.doc);
	free(body);

	body = slurp("eventbrite-order-expanded-response.json", &len);
	assert_non_null(doc = parse_eventbrite_order(body, len, true, err, sizeof err));
	assert_string_equal(json_string_value(json_object_get(doc, "action")), "reconcile");
	assert_string_equal(json_string_value(json_object_get(doc, "order")), "752327237");
	assert_int_equal(json_array_size(json_object_get(doc, "lines")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(doc, "lines"), 0), "qty")), 2);
	json_decref(doc);
	free(body);
	assert_null(parse_eventbrite_order("{\"id\":\"1\"}", 10, true, err, sizeof err));

	/* only an order under the API base: nothing else is fetched */
	assert_true(eventbrite_url_ok("https://www.eventbriteapi.com/v3/orders/752327237/", "https://www.eventbriteapi.com/v3/"));
	assert_true(eventbrite_url_ok("https://www.eventbriteapi.com/v3/orders/1", "https://www.eventbriteapi.com/v3"));
	assert_false(eventbrite_url_ok("https://www.eventbriteapi.com.evil.example/v3/orders/1/", "https://www.eventbriteapi.com"));
	assert_false(eventbrite_url_ok("http://169.254.169.254/v3/orders/1/", "https://www.eventbriteapi.com/v3/"));
	assert_false(eventbrite_url_ok("https://www.eventbriteapi.com/v3/orders/1/../../x", "https://www.eventbriteapi.com/v3/"));
	assert_false(eventbrite_url_ok("https://www.eventbriteapi.com/v3/users/me/", "https://www.eventbriteapi.com/v3/"));
	assert_false(eventbrite_url_ok("https://www.eventbriteapi.com/v3/orders/1/?x=y", "https://www.eventbriteapi.com/v3/"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shopify),
		cmocka_unit_test(test_woocommerce),
		cmocka_unit_test(test_square),
		cmocka_unit_test(test_eventbrite),
	};
	return cmocka_run_group_tests_name("platform_parse", tests, NULL, NULL);
}

/* The outbound request builders (src/core/push_format.c): each platform's
 * request against the documented example in tests/platforms/, hostile
 * names, missing settings, the reading of each platform's answer; and a
 * round trip of every builder through the fake platform. No database. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fake.h"
#include "helpers.h"
#include "http.h"
#include "src/core/platform_sig.h"
#include "src/core/push_format.h"

#define PLATFORMS BOXOFFICE_ASSETS "/../tests/platforms/"
#define TS 1764331200LL /* 2025-11-28T12:00:00Z */

static json_t *example(const char *file)
{
	json_error_t e;
	json_t *j = json_load_file(file, 0, &e);
	if (!j)
		fail_msg("%s: %s", file, e.text);
	return j;
}

static char *slurp(const char *file)
{
	FILE *f = fopen(file, "rb");
	char *buf = calloc(1, 1 << 20);
	assert_non_null(f);
	assert_true(fread(buf, 1, (1 << 20) - 1, f) > 0);
	fclose(f);
	return buf;
}

static json_t *body_json(const struct push_request *r)
{
	json_error_t e;
	json_t *j = json_loadb(r->body, r->body_len, 0, &e);
	if (!j)
		fail_msg("body is not JSON (%s): %s", e.text, r->body);
	assert_int_equal(r->body_len, strlen(r->body));
	return j;
}

static const char *header(const struct push_request *r, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < r->n_headers; i++)
		if (strncasecmp(r->headers[i], name, n) == 0 && r->headers[i][n] == ':')
			return r->headers[i] + n + 2;
	return NULL;
}

/* Every key of the example is in the request with the same JSON type
 * (except those in skip, a space-separated list), recursively in objects
 * and the first element of arrays. */
static void same_shape(json_t *ex, json_t *got, const char *skip, const char *where)
{
	const char *k;
	json_t *v;
	char key[64];

	if (json_typeof(ex) != json_typeof(got) && !(json_is_boolean(ex) && json_is_boolean(got)))
		fail_msg("%s: type %d, expected %d", where, got ? (int)json_typeof(got) : -1, (int)json_typeof(ex));
	if (json_is_array(ex)) {
		assert_int_equal(json_array_size(got), json_array_size(ex));
		same_shape(json_array_get(ex, 0), json_array_get(got, 0), skip, where);
		return;
	}
	json_object_foreach(ex, k, v) {
		snprintf(key, sizeof key, " %s ", k);
		char list[256];
		snprintf(list, sizeof list, " %s ", skip);
		if (strstr(list, key))
			continue;
		if (!json_object_get(got, k))
			fail_msg("%s: key %s missing", where, k);
		same_shape(v, json_object_get(got, k), skip, k);
	}
}

static const struct push_item item = {
	.sku = "ADULT-1", .remote = "808950810", .event_id = 7, .type_id = 21, .event_name = "Gala",
	.type_name = "Adult", .available = 42, .sold = 100, .seq = 9,
};

/* ---- each platform's request ---- */

static void test_shopify(void **state)
{
	struct push_channel c = { "shop", "shopify", "https://x.myshopify.com/admin/api/2024-01/", "shpat_abc",
				  "{\"location_id\":655441491}" };
	struct push_request r;
	char err[256];
	json_t *ex = example(PLATFORMS "shopify-inventory-adjust-request.json"), *got, *want;
	(void)state;

	assert_true(push_availability(&c, &item, TS, &r, err, sizeof err));
	assert_string_equal(r.method, "POST");
	assert_string_equal(r.url, "https://x.myshopify.com/admin/api/2024-01/inventory_levels/set.json");
	assert_string_equal(header(&r, "X-Shopify-Access-Token"), "shpat_abc");
	assert_string_equal(header(&r, "Content-Type"), "application/json");
	got = body_json(&r);
	same_shape(ex, got, "available_adjustment", "shopify");
	/* set.json takes "available" where adjust.json takes the delta */
	want = json_pack("{s:I,s:I,s:I}", "location_id", (json_int_t)655441491, "inventory_item_id",
			 (json_int_t)808950810, "available", (json_int_t)42);
	assert_true(json_equal(got, want));
	json_decref(want);
	json_decref(got);
	json_decref(ex);
	push_request_free(&r);
}

static void test_woocommerce(void **state)
{
	struct push_channel c = { "woo", "woocommerce", "https://shop.example.com/wp-json/wc/v3", "ck_1:cs_2", NULL };
	struct push_item it = item;
	struct push_request r;
	char err[256];
	json_t *ex = example(PLATFORMS "woocommerce-stock-update-request.json"), *got;
	(void)state;

	it.remote = "727";
	it.available = 17;
	assert_true(push_availability(&c, &it, TS, &r, err, sizeof err));
	assert_string_equal(r.method, "PUT");
	assert_string_equal(r.url, "https://shop.example.com/wp-json/wc/v3/products/727");
	assert_string_equal(header(&r, "Authorization"), "Basic Y2tfMTpjc18y");
	got = body_json(&r);
	assert_true(json_equal(got, ex)); /* exactly the documented body */
	json_decref(got);
	push_request_free(&r);

	it.remote = "727/733"; /* a variation */
	assert_true(push_availability(&c, &it, TS, &r, err, sizeof err));
	assert_string_equal(r.url, "https://shop.example.com/wp-json/wc/v3/products/727/variations/733");
	push_request_free(&r);
	json_decref(ex);
}

static void test_square(void **state)
{
	struct push_channel c = { "sq", "square", "https://connect.squareup.com", "EAAAtoken",
				  "{\"location_id\":\"C6W5YS5QM06F5\"}" };
	struct push_item it = item;
	struct push_request r, r2;
	char err[256];
	json_t *ex = example(PLATFORMS "square-batch-create-physical-count-request.json"), *got, *got2, *pc;
	const char *key;
	(void)state;

	it.remote = "W62UWFY35CWMYGVWK6TWJDNI";
	it.available = 53;
	assert_true(push_availability(&c, &it, TS, &r, err, sizeof err));
	assert_string_equal(r.method, "POST");
	assert_string_equal(r.url, "https://connect.squareup.com/v2/inventory/changes/batch-create");
	assert_string_equal(header(&r, "Authorization"), "Bearer EAAAtoken");
	assert_non_null(header(&r, "Square-Version"));
	got = body_json(&r);
	same_shape(ex, got, "team_member_id", "square");
	pc = json_object_get(json_array_get(json_object_get(got, "changes"), 0), "physical_count");
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(got, "changes"), 0), "type")),
			    "PHYSICAL_COUNT");
	assert_string_equal(json_string_value(json_object_get(pc, "quantity")), "53"); /* a decimal string */
	assert_string_equal(json_string_value(json_object_get(pc, "catalog_object_id")), "W62UWFY35CWMYGVWK6TWJDNI");
	assert_string_equal(json_string_value(json_object_get(pc, "location_id")), "C6W5YS5QM06F5");
	assert_string_equal(json_string_value(json_object_get(pc, "state")), "IN_STOCK");
	assert_string_equal(json_string_value(json_object_get(pc, "occurred_at")), "2025-11-28T12:00:00Z");
	key = json_string_value(json_object_get(got, "idempotency_key"));
	assert_int_equal(strlen(key), 36);
	assert_int_equal(key[14], '4');

	/* a fresh key each time; without a remote the SKU is the catalog object */
	it.remote = NULL;
	assert_true(push_availability(&c, &it, TS, &r2, err, sizeof err));
	got2 = body_json(&r2);
	assert_string_not_equal(json_string_value(json_object_get(got2, "idempotency_key")), key);
	pc = json_object_get(json_array_get(json_object_get(got2, "changes"), 0), "physical_count");
	assert_string_equal(json_string_value(json_object_get(pc, "catalog_object_id")), "ADULT-1");
	json_decref(got);
	json_decref(got2);
	json_decref(ex);
	push_request_free(&r);
	push_request_free(&r2);
}

static void test_eventbrite(void **state)
{
	struct push_channel c = { "eb", "eventbrite", "https://www.eventbriteapi.com/v3/", "PRIVTOKEN", "{}" };
	struct push_item it = item;
	struct push_request r;
	char err[256];
	json_t *ex = example(PLATFORMS "eventbrite-ticket-class-update-request.json"), *got;
	(void)state;

	it.remote = "12345678901/98765432";
	it.sold = 100; /* sold on Eventbrite */
	it.available = 20;
	assert_true(push_availability(&c, &it, TS, &r, err, sizeof err));
	assert_string_equal(r.method, "POST");
	assert_string_equal(r.url, "https://www.eventbriteapi.com/v3/events/12345678901/ticket_classes/98765432/");
	assert_string_equal(header(&r, "Authorization"), "Bearer PRIVTOKEN");
	got = body_json(&r);
	assert_true(json_equal(got, ex)); /* {"ticket_class":{"capacity":120}} */
	json_decref(got);
	json_decref(ex);
	push_request_free(&r);

	it.remote = "98765432"; /* not EVENT/TICKETCLASS */
	assert_false(push_availability(&c, &it, TS, &r, err, sizeof err));
	assert_non_null(strstr(err, "EVENT/TICKETCLASS"));
	assert_null(r.url);
}

static void test_webhook_signed(void **state)
{
	struct push_channel c = { "portal", "webhook", "https://portal.example.com/hooks/boxoffice", "whsec_1", NULL };
	struct push_request r;
	char err[256];
	json_t *got;
	const char *sig;
	static const char *const keys[] = { "event", "type", "event_name", "type_name", "sku", "available", "seq", "sent_at" };
	(void)state;

	assert_true(push_availability(&c, &item, TS, &r, err, sizeof err));
	assert_string_equal(r.method, "POST");
	assert_string_equal(r.url, "https://portal.example.com/hooks/boxoffice");
	sig = header(&r, "X-Boxoffice-Signature");
	assert_non_null(sig);
	assert_true(strncmp(sig, "t=1764331200,v1=", 16) == 0);
	assert_true(sig_boxoffice_ok(sig, "whsec_1", r.body, r.body_len, TS, 300));
	assert_false(sig_boxoffice_ok(sig, "whsec_2", r.body, r.body_len, TS, 300));
	got = body_json(&r);
	assert_int_equal(json_object_size(got), 8);
	for (size_t i = 0; i < 8; i++)
		assert_non_null(json_object_get(got, keys[i]));
	assert_int_equal(json_integer_value(json_object_get(got, "event")), 7);
	assert_int_equal(json_integer_value(json_object_get(got, "type")), 21);
	assert_int_equal(json_integer_value(json_object_get(got, "available")), 42);
	assert_int_equal(json_integer_value(json_object_get(got, "seq")), 9);
	assert_string_equal(json_string_value(json_object_get(got, "sent_at")), "2025-11-28T12:00:00Z");
	json_decref(got);
	push_request_free(&r);
}

/* The README's worked example of the generic webhook is what we send. */
static void test_readme_worked_example(void **state)
{
	struct push_channel c = { "portal", "webhook", "https://portal.example.com/in", "portal secret", NULL };
	struct push_item it = { .sku = "GALA-ADULT", .event_id = 7, .type_id = 21, .event_name = "Gala",
				.type_name = "Adult", .available = 42, .seq = 1001 };
	struct push_request r;
	char err[256], *readme = slurp(BOXOFFICE_ASSETS "/../README.md"), *b, *e, want[512];
	(void)state;

	assert_true(push_availability(&c, &it, 1700000000, &r, err, sizeof err));
	/* the example in "What each platform receives" (other sections have
	 * bodies of their own) */
	b = strstr(readme, "\n### What each platform receives");
	assert_non_null(b);
	b = strstr(b, "\nbody='");
	assert_non_null(b);
	b += 7;
	e = strchr(b, '\'');
	assert_non_null(e);
	snprintf(want, sizeof want, "%.*s", (int)(e - b), b);
	assert_string_equal(r.body, want);
	snprintf(want, sizeof want, "X-Boxoffice-Signature: %s", header(&r, "X-Boxoffice-Signature"));
	assert_string_equal(want, "X-Boxoffice-Signature: t=1700000000,v1="
				  "2d55373dc32f3cac4864539d7f6cc2c569fb073e5a2ae18181e6852bf82665b7");
	assert_non_null(strstr(readme, want));
	push_request_free(&r);
	free(readme);
}

static void test_slack_and_twilio_messages(void **state)
{
	struct push_channel slack = { "ops", "slack", "https://hooks.slack.com/services/T0/B0/XX", NULL, NULL };
	struct push_channel tw = { "sms", "twilio", "https://api.twilio.com", "tok",
				   "{\"account_sid\":\"AC123\",\"to\":\"+14158675309\",\"from\":\"+15005550006\"}" };
	struct push_request r;
	char err[256], *want;
	json_t *got;
	(void)state;

	assert_true(push_message(&slack, "Stock for SKU-123 is now 4", TS, &r, err, sizeof err));
	assert_string_equal(r.method, "POST");
	assert_string_equal(r.url, "https://hooks.slack.com/services/T0/B0/XX");
	got = body_json(&r);
	assert_int_equal(json_object_size(got), 1);
	assert_string_equal(json_string_value(json_object_get(got, "text")), "Stock for SKU-123 is now 4");
	json_decref(got);
	push_request_free(&r);

	assert_true(push_message(&tw, "Stock for SKU-123 is now 4", TS, &r, err, sizeof err));
	assert_string_equal(r.url, "https://api.twilio.com/2010-04-01/Accounts/AC123/Messages.json");
	assert_string_equal(header(&r, "Content-Type"), "application/x-www-form-urlencoded");
	assert_string_equal(header(&r, "Authorization"), "Basic QUMxMjM6dG9r"); /* AC123:tok */
	want = slurp(PLATFORMS "twilio-send-sms-request-body.txt");
	want[strcspn(want, "\n")] = '\0';
	assert_string_equal(r.body, want); /* byte for byte the documented body */
	free(want);
	push_request_free(&r);

	/* availability to a message platform: a line of text */
	assert_true(push_availability(&slack, &item, TS, &r, err, sizeof err));
	assert_non_null(strstr(r.body, "42 left"));
	push_request_free(&r);
	/* the webhook: a signed alert */
	{
		struct push_channel hook = { "portal", "webhook", "https://p.example.com/in", "sec", NULL };
		assert_true(push_message(&hook, "channel shop failing", TS, &r, err, sizeof err));
		got = body_json(&r);
		assert_string_equal(json_string_value(json_object_get(got, "kind")), "alert");
		assert_string_equal(json_string_value(json_object_get(got, "text")), "channel shop failing");
		assert_true(sig_boxoffice_ok(header(&r, "X-Boxoffice-Signature"), "sec", r.body, r.body_len, TS, 300));
		json_decref(got);
		push_request_free(&r);
	}
	/* Shopify takes no messages */
	slack.platform = "shopify";
	assert_false(push_message(&slack, "x", TS, &r, err, sizeof err));
	assert_non_null(strstr(err, "no messages"));
}

/* ---- hostile input ---- */

static void test_hostile_names(void **state)
{
	static const char evil[] = "Gala \"VIP\"},\"available\":999,\"x\":{\"\n\r\t\\ <!channel> & <@U1> caf\xc3\xa9";
	struct push_channel hook = { "portal", "webhook", "https://p.example.com/h", "s", NULL };
	struct push_channel slack = { "ops", "slack", "https://hooks.slack.com/services/T0/B0/XX", NULL, NULL };
	struct push_channel tw = { "sms", "twilio", "https://api.twilio.com", "AC1:tok",
				   "{\"account_sid\":\"AC1/../x\",\"to\":\"+1 415&Body=x\",\"from\":\"+1500\"}" };
	struct push_channel woo = { "woo", "woocommerce", "https://s.example.com/wp-json/wc/v3", "ck:cs", NULL };
	struct push_item it = item;
	struct push_request r;
	char err[256], big[5000];
	json_t *got;
	(void)state;

	it.event_name = evil;
	it.type_name = evil;
	it.sku = evil;
	assert_true(push_availability(&hook, &it, TS, &r, err, sizeof err));
	got = body_json(&r);
	assert_string_equal(json_string_value(json_object_get(got, "event_name")), evil);
	assert_string_equal(json_string_value(json_object_get(got, "sku")), evil);
	assert_int_equal(json_integer_value(json_object_get(got, "available")), 42);
	assert_null(json_object_get(got, "x"));
	assert_null(memchr(r.body, '\n', r.body_len)); /* one line of JSON */
	json_decref(got);
	push_request_free(&r);

	/* Slack: no mention or link from a name */
	assert_true(push_message(&slack, evil, TS, &r, err, sizeof err));
	got = body_json(&r);
	assert_null(strstr(json_string_value(json_object_get(got, "text")), "<!channel>"));
	assert_non_null(strstr(json_string_value(json_object_get(got, "text")), "&lt;!channel&gt; &amp; &lt;@U1&gt;"));
	json_decref(got);
	push_request_free(&r);

	/* Twilio: every value form-escaped, the SID path-escaped */
	assert_true(push_message(&tw, "a&To=+999\nb=c caf\xc3\xa9", TS, &r, err, sizeof err));
	assert_string_equal(r.url, "https://api.twilio.com/2010-04-01/Accounts/AC1%2F..%2Fx/Messages.json");
	assert_string_equal(r.body, "To=%2B1+415%26Body%3Dx&From=%2B1500&Body=a%26To%3D%2B999%0Ab%3Dc+caf%C3%A9");
	push_request_free(&r);
	/* at most 1600 characters, never half a UTF-8 character */
	for (size_t i = 0; i + 2 < sizeof big; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[sizeof big - 1] = '\0';
	big[sizeof big - 2] = 'x';
	assert_true(push_message(&tw, big, TS, &r, err, sizeof err));
	assert_int_equal(strlen(strstr(r.body, "&Body=") + 6), 1600 * 6);
	push_request_free(&r);

	/* a remote ID never walks the URL's path */
	it.sku = "S";
	it.remote = "1/..";
	assert_false(push_availability(&woo, &it, TS, &r, err, sizeof err));
	assert_non_null(strstr(err, "'..'"));
	it.remote = "1/2/3";
	assert_false(push_availability(&woo, &it, TS, &r, err, sizeof err));
	it.remote = "1?x=y#";
	assert_true(push_availability(&woo, &it, TS, &r, err, sizeof err));
	assert_string_equal(r.url, "https://s.example.com/wp-json/wc/v3/products/1%3Fx%3Dy%23");
	push_request_free(&r);

	/* a header never gets a second line */
	woo.credentials = "ck:cs\r\nX-Evil: 1";
	it.remote = "1";
	assert_false(push_availability(&woo, &it, TS, &r, err, sizeof err));
	assert_non_null(strstr(err, "control character"));
	hook.base_url = "https://p.example.com/h\r\nHost: evil";
	assert_false(push_availability(&hook, &it, TS, &r, err, sizeof err));
}

static void test_missing_settings_refused(void **state)
{
	static const struct {
		struct push_channel c;
		const char *remote;
		const char *why;
	} t[] = {
		{ { "a", "shopify", "https://x/admin/api/2024-01", "tok", "{}" }, "1", "settings.location_id is not set" },
		{ { "a", "shopify", "https://x/admin/api/2024-01", NULL, "{\"location_id\":1}" }, "1", "credentials" },
		{ { "a", "shopify", "https://x/admin/api/2024-01", "tok", "{\"location_id\":1}" }, NULL, "inventory_item_id" },
		{ { "a", "shopify", NULL, "tok", "{\"location_id\":1}" }, "1", "base_url is not set" },
		{ { "a", "shopify", "https://x", "tok", "{\"location_id\":" }, "1", "settings are not a JSON object" },
		{ { "a", "shopify", "https://x", "tok", "[1]" }, "1", "settings are not a JSON object" },
		{ { "a", "woocommerce", "https://x", "ck_only", NULL }, "1", "consumer_key:consumer_secret" },
		{ { "a", "woocommerce", "https://x", "ck:cs", NULL }, NULL, "product ID" },
		{ { "a", "square", "https://x", "tok", "{\"location_id\":\"\"}" }, "W", "settings.location_id is not set" },
		{ { "a", "square", "https://x", "", "{\"location_id\":\"L\"}" }, "W", "credentials (access token)" },
		{ { "a", "eventbrite", "https://x", "tok", NULL }, NULL, "EVENT/TICKETCLASS" },
		{ { "a", "webhook", "https://x", NULL, NULL }, NULL, "signing secret" },
		{ { "a", "slack", "", NULL, NULL }, NULL, "base_url is not set" },
		{ { "a", "twilio", "https://x", "tok", "{\"to\":\"+1\",\"from\":\"+2\"}" }, NULL, "settings.account_sid" },
		{ { "a", "twilio", "https://x", "tok", "{\"account_sid\":\"AC\",\"from\":\"+2\"}" }, NULL, "settings.to" },
		{ { "a", "twilio", "https://x", "tok", "{\"account_sid\":\"AC\",\"to\":\"+1\"}" }, NULL, "settings.from" },
		{ { "a", "twilio", "https://x", NULL, "{\"account_sid\":\"AC\",\"to\":\"+1\",\"from\":\"+2\"}" }, NULL,
		  "credentials" },
		{ { "a", "myspace", "https://x", "t", NULL }, NULL, "unknown platform" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct push_item it = item;
		struct push_request r;
		char err[256] = "";
		it.remote = t[i].remote;
		if (strcmp(t[i].c.platform, "square") != 0)
			it.sku = t[i].remote ? it.sku : NULL;
		assert_false(push_availability(&t[i].c, &it, TS, &r, err, sizeof err));
		if (!strstr(err, t[i].why))
			fail_msg("case %zu: '%s' does not say '%s'", i, err, t[i].why);
		assert_true(strncmp(err, "channel a (", 11) == 0);
		assert_null(r.url);
		assert_null(r.body);
		assert_int_equal(r.n_headers, 0);
	}
}

/* ---- resync ---- */

static void test_pull_requests(void **state)
{
	struct push_channel shop = { "s", "shopify", "https://x/admin/api/2024-01", "tok", "{\"location_id\":655441491}" };
	struct push_channel sq = { "q", "square", "https://connect.squareup.com", "tok", "{\"location_id\":\"L1\"}" };
	struct push_channel eb = { "e", "eventbrite", "https://www.eventbriteapi.com/v3", "tok", NULL };
	struct push_channel woo = { "w", "woocommerce", "https://s/wp-json/wc/v3", "ck:cs", NULL };
	struct push_channel hook = { "h", "webhook", "https://h", "s", NULL };
	struct push_item it = item;
	struct push_request r;
	char err[256];
	json_t *got;
	(void)state;

	assert_true(pull_request(&shop, &it, &r, err, sizeof err));
	assert_string_equal(r.method, "GET");
	assert_string_equal(r.url,
			    "https://x/admin/api/2024-01/inventory_levels.json?inventory_item_ids=808950810&location_ids=655441491");
	assert_null(r.body);
	push_request_free(&r);

	it.remote = "W6";
	assert_true(pull_request(&sq, &it, &r, err, sizeof err));
	assert_string_equal(r.method, "POST");
	assert_string_equal(r.url, "https://connect.squareup.com/v2/inventory/counts/batch-retrieve");
	got = body_json(&r);
	assert_string_equal(json_string_value(json_array_get(json_object_get(got, "catalog_object_ids"), 0)), "W6");
	assert_string_equal(json_string_value(json_array_get(json_object_get(got, "location_ids"), 0)), "L1");
	json_decref(got);
	push_request_free(&r);

	it.remote = "E1/C1";
	assert_true(pull_request(&eb, &it, &r, err, sizeof err));
	assert_string_equal(r.method, "GET");
	assert_string_equal(r.url, "https://www.eventbriteapi.com/v3/events/E1/ticket_classes/C1/");
	push_request_free(&r);

	it.remote = "5/6";
	assert_true(pull_request(&woo, &it, &r, err, sizeof err));
	assert_string_equal(r.url, "https://s/wp-json/wc/v3/products/5/variations/6");
	assert_string_equal(header(&r, "Authorization"), "Basic Y2s6Y3M=");
	push_request_free(&r);

	assert_false(pull_request(&hook, &it, &r, err, sizeof err));
	assert_non_null(strstr(err, "no resync"));
}

static void test_pull_parse(void **state)
{
	static const struct {
		const char *platform, *remote, *body;
		bool ok;
		long long available, sold;
	} t[] = {
		{ "shopify", "808950810",
		  "{\"inventory_levels\":[{\"inventory_item_id\":1,\"available\":3},"
		  "{\"inventory_item_id\":808950810,\"location_id\":655441491,\"available\":6}]}",
		  true, 6, -1 },
		{ "shopify", "808950810", "{\"inventory_levels\":[]}", false, 0, -1 },
		{ "shopify", "808950810", "{\"errors\":\"Not Found\"}", false, 0, -1 },
		{ "woocommerce", "5", "{\"id\":5,\"manage_stock\":true,\"stock_quantity\":17,\"total_sales\":4}", true, 17, 4 },
		{ "woocommerce", "5", "{\"id\":5,\"manage_stock\":false,\"stock_quantity\":null}", false, 0, -1 },
		{ "square", "W6",
		  "{\"counts\":[{\"catalog_object_id\":\"X\",\"state\":\"IN_STOCK\",\"quantity\":\"1\"},"
		  "{\"catalog_object_id\":\"W6\",\"state\":\"IN_STOCK\",\"location_id\":\"L1\",\"quantity\":\"53.00000\"}]}",
		  true, 53, -1 },
		{ "square", "W6", "{}", true, 0, -1 }, /* Square omits empty lists: it holds none */
		{ "square", "W6", "{\"counts\":[{\"catalog_object_id\":\"W6\",\"state\":\"IN_STOCK\",\"quantity\":\"lots\"}]}",
		  false, 0, -1 },
		{ "square", "W6", "{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}", false, 0, -1 },
		{ "eventbrite", "E/C", "{\"id\":\"C\",\"capacity\":120,\"quantity_sold\":100}", true, 20, 100 },
		{ "eventbrite", "E/C", "{\"id\":\"C\",\"capacity\":120}", false, 0, -1 },
		{ "eventbrite", "E/C", "{\"capacity\":120,\"quantity_sold\":", false, 0, -1 },
		{ "shopify", "1", "", false, 0, -1 },
		{ "woocommerce", "1", "[17]", false, 0, -1 },
		{ "woocommerce", "1", "<html>502 Bad Gateway</html>", false, 0, -1 },
		{ "webhook", "1", "{}", false, 0, -1 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct push_channel c = { "c", t[i].platform, "https://x", "t", NULL };
		struct push_item it = item;
		long long avail = -7, sold = -7;
		char err[256] = "";
		bool ok;
		it.remote = t[i].remote;
		ok = pull_parse(&c, &it, t[i].body, strlen(t[i].body), &avail, &sold, err, sizeof err);
		if (ok != t[i].ok)
			fail_msg("case %zu (%s): %s, err '%s'", i, t[i].body, ok ? "accepted" : "refused", err);
		if (ok) {
			assert_int_equal(avail, t[i].available);
			assert_int_equal(sold, t[i].sold);
		} else {
			assert_true(err[0] != '\0');
		}
	}
}

/* ---- round trip through the fake: what we build, the platform takes ---- */

static struct http_answer send_req(const struct push_request *r)
{
	const char *hdrs[PUSH_HEADERS_MAX + 1];
	for (int i = 0; i < r->n_headers; i++)
		hdrs[i] = r->headers[i];
	hdrs[r->n_headers] = NULL;
	return http_do(NULL, r->method, r->url, NULL, r->body, hdrs);
}

static void test_round_trip_through_fake(void **state)
{
	struct fake f;
	char base[160], err[256];
	static const struct {
		const char *platform, *path, *credentials, *settings, *remote;
	} t[] = {
		{ "shopify", "/admin/api/2024-01", "tok", "{\"location_id\":655441491}", "808950810" },
		{ "woocommerce", "/wp-json/wc/v3", "ck:cs", NULL, "727/733" },
		{ "square", "", "tok", "{\"location_id\":\"L1\"}", "W62UWFY35CWMYGVWK6TWJDNI" },
		{ "eventbrite", "/v3", "tok", NULL, "12345678901/98765432" },
	};
	(void)state;

	fake_start(&f);
	fake_state(&f, "{\"sold\":{\"12345678901/98765432\":100}}");
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct push_channel c = { "c", t[i].platform, base, t[i].credentials, t[i].settings };
		struct push_item it = item;
		struct push_request r;
		struct http_answer a;
		long long avail, sold;

		snprintf(base, sizeof base, "%s%s", fake_url(&f), t[i].path);
		it.remote = t[i].remote;
		it.available = 30 + (long long)i;
		assert_true(push_availability(&c, &it, 0, &r, err, sizeof err));
		a = send_req(&r);
		if (a.status != 200)
			fail_msg("%s push: %ld %s", t[i].platform, a.status, a.body ? a.body : "");
		http_answer_free(&a);
		push_request_free(&r);
		assert_true(pull_request(&c, &it, &r, err, sizeof err));
		a = send_req(&r);
		assert_int_equal(a.status, 200);
		if (!pull_parse(&c, &it, a.body, a.len, &avail, &sold, err, sizeof err))
			fail_msg("%s pull: %s (%s)", t[i].platform, err, a.body);
		assert_int_equal(avail, 30 + (long long)i);
		if (strcmp(t[i].platform, "eventbrite") == 0)
			assert_int_equal(sold, 100);
		http_answer_free(&a);
		push_request_free(&r);
	}
	{ /* the messages and the signed webhook */
		struct push_channel tw = { "t", "twilio", fake_url(&f), "tok",
					   "{\"account_sid\":\"AC1\",\"to\":\"+1\",\"from\":\"+2\"}" };
		struct push_channel sl = { "s", "slack", base, NULL, NULL };
		struct push_channel wh = { "w", "webhook", base, "sec", NULL };
		struct push_request r;
		struct http_answer a;
		json_t *reqs;
		snprintf(base, sizeof base, "%s/services/slack/T0", fake_url(&f));
		assert_true(push_message(&tw, "caf\xc3\xa9 & co", 0, &r, err, sizeof err));
		a = send_req(&r);
		assert_int_equal(a.status, 201);
		http_answer_free(&a);
		push_request_free(&r);
		assert_true(push_message(&sl, "hello", 0, &r, err, sizeof err));
		a = send_req(&r);
		assert_int_equal(a.status, 200);
		assert_string_equal(a.body, "ok");
		http_answer_free(&a);
		push_request_free(&r);
		snprintf(base, sizeof base, "%s/hooks/in", fake_url(&f));
		assert_true(push_availability(&wh, &item, 0, &r, err, sizeof err));
		a = send_req(&r);
		assert_int_equal(a.status, 200);
		http_answer_free(&a);
		push_request_free(&r);
		reqs = fake_requests_to(&f, "/Messages.json");
		assert_string_equal(json_string_value(json_object_get(
					    json_object_get(json_array_get(reqs, 0), "form"), "Body")),
				    "caf\xc3\xa9 & co");
		json_decref(reqs);
		reqs = fake_requests_to(&f, "/hooks/in");
		{
			json_t *h = json_object_get(json_array_get(reqs, 0), "headers");
			const char *body = json_string_value(json_object_get(json_array_get(reqs, 0), "body"));
			const char *sig = json_string_value(json_object_get(h, "x-boxoffice-signature"));
			assert_non_null(sig);
			assert_true(sig_boxoffice_ok(sig, "sec", body, strlen(body), (long long)time(NULL), 300));
		}
		json_decref(reqs);
	}
	fake_stop(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shopify),
		cmocka_unit_test(test_woocommerce),
		cmocka_unit_test(test_square),
		cmocka_unit_test(test_eventbrite),
		cmocka_unit_test(test_webhook_signed),
		cmocka_unit_test(test_readme_worked_example),
		cmocka_unit_test(test_slack_and_twilio_messages),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_missing_settings_refused),
		cmocka_unit_test(test_pull_requests),
		cmocka_unit_test(test_pull_parse),
		cmocka_unit_test(test_round_trip_through_fake),
	};
	return cmocka_run_group_tests_name("unit_push_format", tests, NULL, NULL);
}

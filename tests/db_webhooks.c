/* POST /webhooks/shopify|woocommerce|square|eventbrite against the real
 * serve and database, the test playing each platform: it signs with the
 * secret it set (`boxoffice platform secret`), maps SKUs with `boxoffice
 * platform map`, and reads the outcome back (`platform deliveries`).
 * Eventbrite's orders are fetched from the fake platform
 * (tests/fake_platform.py). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake.h"
#include "helpers.h"
#include "http.h"
#include "src/core/platform_sig.h"

static PGconn *conn;
static struct served srv;
static int serial;

/* the secrets: Shopify's and Square's published vectors' keys, so those
 * vectors go through the endpoint as they are */
#define SHOPIFY_SECRET "test_secret_key"
#define WOO_SECRET "wc_webhook_secret_123"
#define SQUARE_KEY "Ibxx_5AKakO-3qeNVR61Dw"
#define EVENTBRITE_SECRET "eb-url-secret-4f9a"
#define SQUARE_URL "https://webhook.site/679a4f3a-dcfa-49ee-bac5-9d0edad886b9"

static void sql(const char *q, int n, const char *const *p)
{
	PQclear(test_query(conn, q, n, p));
}

static long long scalar(const char *q, long long id)
{
	char idt[24];
	const char *p[1] = { idt };
	snprintf(idt, sizeof idt, "%lld", id);
	return test_scalar(conn, q, 1, p);
}

static char *text1(const char *q, const char *arg)
{
	const char *p[1] = { arg };
	PGresult *res = test_query(conn, q, 1, p);
	char *v = strdup(PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) ? PQgetvalue(res, 0, 0) : "(none)");
	PQclear(res);
	return v;
}

#define AVAILABLE(type) scalar("SELECT available FROM inventory_view WHERE type_id = $1::bigint AND channel IS NULL", type)

/* The platform's channel, selling our web seats. */
static void channel(const char *platform, const char *base_url, const char *settings)
{
	const char *p[3] = { platform, base_url, settings ? settings : "{}" };
	sql("INSERT INTO platform_channel (name, platform, sales_channel, base_url, credentials, settings, backoff_ms) "
	    "VALUES ($1, $1, 'web', $2, 'tok_test', $3::jsonb, 10) "
	    "ON CONFLICT (name) DO UPDATE SET platform = EXCLUDED.platform, sales_channel = 'web', enabled = true, "
	    "base_url = EXCLUDED.base_url, credentials = EXCLUDED.credentials, settings = EXCLUDED.settings, "
	    "backoff_ms = 10",
	    3, p);
}

static int setup(void **state)
{
	(void)state;
	conn = test_migrate_connect();
	json_decref(cli_json("$BOXOFFICE platform secret --platform shopify --secret %s", SHOPIFY_SECRET));
	json_decref(cli_json("$BOXOFFICE platform secret --platform woocommerce --secret %s", WOO_SECRET));
	json_decref(cli_json("$BOXOFFICE platform secret --platform square --secret %s --url %s", SQUARE_KEY, SQUARE_URL));
	json_decref(cli_json("$BOXOFFICE platform secret --platform eventbrite --secret %s", EVENTBRITE_SECRET));
	channel("shopify", NULL, NULL);
	channel("woocommerce", NULL, NULL);
	channel("square", NULL, NULL);
	serve_start(&srv, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(serve_stop(&srv), 0);
	PQfinish(conn);
	return 0;
}

/* An event with a type of cap seats mapped from platform SKU sku. */
static long long mapped_type(const char *platform, const char *sku, int cap)
{
	long long ev = make_event(unique_name("Hook"), "2028-05-01", 0);
	long long ty = make_type(ev, "Adult", cap, 2000, 1);
	json_t *doc = cli_json("$BOXOFFICE platform map --platform %s --sku '%s' --event %lld --type %lld --json",
			       platform, sku, ev, ty);
	assert_int_equal(json_integer_value(json_object_get(doc, "type")), ty);
	json_decref(doc);
	return ty;
}

static const char *uniq(const char *prefix)
{
	static char buf[8][80];
	char *b = buf[serial % 8];
	snprintf(b, sizeof buf[0], "%s-%d-%d-%ld", prefix, (int)getpid(), ++serial, (long)time(NULL));
	return b;
}

static char *slurp(const char *name, size_t *len)
{
	char path[300];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, "tests/platforms/%s", name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot read %s", path);
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

/* A value of a vector file's block (name=…): static buffer. */
static const char *vector(const char *file, const char *block, const char *key)
{
	static char out[600];
	size_t len;
	char *text = slurp(file, &len), *line, *save = NULL;
	bool in = false;

	out[0] = '\0';
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "name=", 5) == 0)
			in = strcmp(line + 5, block) == 0;
		else if (in && strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == '=')
			snprintf(out, sizeof out, "%s", line + strlen(key) + 1);
	}
	free(text);
	if (!out[0])
		fail_msg("%s: no %s in block %s", file, key, block);
	return out;
}

static struct http_answer post(const char *path, const char *body, const char *const *headers)
{
	return http_do(&srv, "POST", path, NULL, body, headers);
}

static struct http_answer shopify(const char *topic, const char *event_id, const char *body, const char *secret)
{
	char sig[100], h_sig[140], h_topic[100], h_ev[200];
	const char *hdrs[5] = { h_topic, h_ev, "X-Shopify-Webhook-Id: w1", NULL, NULL };

	snprintf(h_topic, sizeof h_topic, "X-Shopify-Topic: %s", topic);
	snprintf(h_ev, sizeof h_ev, "X-Shopify-Event-Id: %s", event_id);
	if (secret) {
		sig_hmac256_base64(secret, body, strlen(body), sig, sizeof sig);
		snprintf(h_sig, sizeof h_sig, "X-Shopify-Hmac-Sha256: %s", sig);
		hdrs[3] = h_sig;
	}
	return post("/webhooks/shopify", body, hdrs);
}

static const char *outcome_of(const struct http_answer *a)
{
	static char out[40];
	json_t *doc = json_loads(a->body ? a->body : "", 0, NULL);
	const char *o = json_string_value(json_object_get(doc, "outcome"));
	snprintf(out, sizeof out, "%s", o ? o : "(none)");
	json_decref(doc);
	return out;
}

static void expect(const struct http_answer *a, long status, const char *outcome)
{
	if (a->status != status || (outcome && strcmp(outcome_of(a), outcome) != 0))
		fail_msg("expected %ld %s, got %ld %s", status, outcome ? outcome : "", a->status, a->body);
}

static void shopify_ok(const char *topic, const char *event_id, const char *body, const char *outcome)
{
	struct http_answer a = shopify(topic, event_id, body, SHOPIFY_SECRET);
	expect(&a, 200, outcome);
	http_answer_free(&a);
}

static char *order_body(const char *order, const char *sku, int qty)
{
	char *b = malloc(600);
	snprintf(b, 600,
		 "{\"id\":%s,\"name\":\"#%s\",\"cancelled_at\":null,\"line_items\":[{\"id\":1,\"variant_id\":77,"
		 "\"sku\":\"%s\",\"quantity\":%d}]}",
		 order, order, sku, qty);
	return b;
}

/* ---- published vectors through the real endpoint ---- */

static void test_vectors(void **state)
{
	size_t len;
	char *body, hdr[200], *v;
	struct http_answer a;
	(void)state;

	/* Shopify's published vector (shopify-api-js): signature accepted, a topic we ignore */
	body = slurp(vector("shopify-vector.txt", "published_shopify_api_js", "body_file"), &len);
	snprintf(hdr, sizeof hdr, "X-Shopify-Hmac-Sha256: %s",
		 vector("shopify-vector.txt", "published_shopify_api_js", "signature"));
	{
		const char *h[] = { hdr, "X-Shopify-Topic: app/uninstalled", "X-Shopify-Event-Id: vec-shopify-1", NULL };
		a = post("/webhooks/shopify", body, h);
		expect(&a, 200, "ignored");
		http_answer_free(&a);
	}
	free(body);

	/* Square's published vector (square SDKs): key and URL as registered */
	body = slurp(vector("square-vector.txt", "published_square_sdk", "body_file"), &len);
	snprintf(hdr, sizeof hdr, "x-square-hmacsha256-signature: %s",
		 vector("square-vector.txt", "published_square_sdk", "signature"));
	{
		const char *h[] = { hdr, NULL };
		a = post("/webhooks/square", body, h);
		expect(&a, 200, "ignored");
		http_answer_free(&a);
	}
	free(body);

	/* WooCommerce's published vector has an empty key, which no stored
	 * secret can be (8+ characters): its self-generated order vector goes
	 * through instead; SKU Bar3 / product 93 are mapped nowhere */
	body = slurp(vector("woocommerce-vector.txt", "self_generated_order_created", "body_file"), &len);
	snprintf(hdr, sizeof hdr, "X-WC-Webhook-Signature: %s",
		 vector("woocommerce-vector.txt", "self_generated_order_created", "signature"));
	{
		char hid[120];
		const char *h[] = { hdr, "X-WC-Webhook-Topic: order.created", hid, NULL };
		snprintf(hid, sizeof hid, "X-WC-Webhook-Delivery-ID: %s", uniq("vec-woo"));
		a = post("/webhooks/woocommerce", body, h);
		expect(&a, 200, "unmapped");
		http_answer_free(&a);
		v = text1("SELECT detail ->> 'unmapped' FROM webhook_delivery WHERE platform = 'woocommerce' "
			  "AND delivery_id = $1", hid + strlen("X-WC-Webhook-Delivery-ID: "));
		assert_non_null(strstr(v, "Bar3"));
		free(v);
	}
	free(body);
}

/* ---- signatures ---- */

static void test_bad_signature_changes_nothing(void **state)
{
	const char *sku = uniq("SKU-BAD");
	long long ty = mapped_type("shopify", sku, 10);
	const char *ev = uniq("evt-bad");
	char *body = order_body("900001", sku, 2);
	struct http_answer a;
	char altered[700];
	(void)state;

	a = shopify("orders/create", ev, body, "not_the_secret");
	expect(&a, 401, NULL);
	http_answer_free(&a);
	a = shopify("orders/create", ev, body, NULL); /* no signature */
	expect(&a, 401, NULL);
	http_answer_free(&a);
	{ /* signed, then changed */
		char sig[100], hs[140], ht[80], he[120];
		const char *h[] = { hs, ht, he, NULL };
		sig_hmac256_base64(SHOPIFY_SECRET, body, strlen(body), sig, sizeof sig);
		snprintf(hs, sizeof hs, "X-Shopify-Hmac-Sha256: %s", sig);
		snprintf(ht, sizeof ht, "X-Shopify-Topic: orders/create");
		snprintf(he, sizeof he, "X-Shopify-Event-Id: %s", ev);
		snprintf(altered, sizeof altered, "%s", body);
		*strstr(altered, "\"quantity\":2") = ' ';
		a = post("/webhooks/shopify", altered, h);
		expect(&a, 401, NULL);
		http_answer_free(&a);
	}
	{ /* Square signed over another URL (rebuilt from Host) */
		char sig[100], hs[140], b[300];
		const char *h[] = { hs, NULL };
		char msg[600];
		snprintf(b, sizeof b, "{\"type\":\"inventory.count.updated\",\"event_id\":\"%s\",\"data\":{}}", ev);
		snprintf(msg, sizeof msg, "%s/webhooks/square%s", srv.url, b);
		sig_hmac256_base64(SQUARE_KEY, msg, strlen(msg), sig, sizeof sig);
		snprintf(hs, sizeof hs, "x-square-hmacsha256-signature: %s", sig);
		a = post("/webhooks/square", b, h);
		expect(&a, 401, NULL);
		http_answer_free(&a);
	}
	assert_int_equal(AVAILABLE(ty), 10);
	{
		const char *p[1] = { ev };
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM webhook_delivery WHERE delivery_id = $1", 1, p), 0);
	}
	free(body);
}

/* ---- the same delivery ten times at once, and later ---- */

struct twin {
	const char *body, *ev;
	pthread_barrier_t *go;
	long status;
	char *answer;
};

static void *deliver_twin(void *arg)
{
	struct twin *t = arg;
	struct http_answer a;
	pthread_barrier_wait(t->go);
	a = shopify("orders/create", t->ev, t->body, SHOPIFY_SECRET);
	t->status = a.status;
	t->answer = a.body;
	a.body = NULL;
	http_answer_free(&a);
	return NULL;
}

static void test_ten_at_once_change_once(void **state)
{
	const char *sku = uniq("SKU-TEN");
	long long ty = mapped_type("shopify", sku, 20);
	char ev[80], order[40];
	char *body;
	struct twin t[10];
	pthread_t th[10];
	pthread_barrier_t go;
	int first = 0;
	(void)state;

	snprintf(ev, sizeof ev, "%s", uniq("evt-ten"));
	snprintf(order, sizeof order, "%d%d", (int)getpid(), ++serial);
	body = order_body(order, sku, 3);
	pthread_barrier_init(&go, NULL, 10);
	for (int i = 0; i < 10; i++) {
		t[i] = (struct twin){ .body = body, .ev = ev, .go = &go };
		assert_int_equal(pthread_create(&th[i], NULL, deliver_twin, &t[i]), 0);
	}
	for (int i = 0; i < 10; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < 10; i++) {
		if (t[i].status != 200 || !strstr(t[i].answer, "\"outcome\":\"applied\""))
			fail_msg("delivery %d: %ld %s", i, t[i].status, t[i].answer);
		first += strstr(t[i].answer, "\"duplicate\":false") != NULL;
		free(t[i].answer);
	}
	assert_int_equal(first, 1);
	assert_int_equal(AVAILABLE(ty), 17);
	/* a replay later: the first outcome, nothing changes */
	{
		struct http_answer a = shopify("orders/create", ev, body, SHOPIFY_SECRET);
		expect(&a, 200, "applied");
		assert_non_null(strstr(a.body, "\"duplicate\":true"));
		http_answer_free(&a);
	}
	/* the same order under another event ID (a second subscription): sold once */
	shopify_ok("orders/create", uniq("evt-ten-b"), body, "ignored");
	assert_int_equal(AVAILABLE(ty), 17);
	assert_int_equal(scalar("SELECT count(*) FROM change_log WHERE type_id = $1::bigint AND action = 'sell' "
				"AND api_key = 'webhook:shopify'", ty), 1);
	free(body);
}

/* ---- unmapped, refused ---- */

static void test_unknown_sku_unmapped_for_supervisor(void **state)
{
	const char *sku = uniq("SKU-NOWHERE");
	char *body = order_body("900002", sku, 1), *out;
	struct run_result r;
	(void)state;

	shopify_ok("orders/create", uniq("evt-unk"), body, "unmapped");
	r = run_cmd("$BOXOFFICE platform deliveries --platform shopify --attention --json");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, sku));
	assert_non_null(strstr(r.out, "\"unmapped\""));
	assert_null(strstr(r.out, "\"applied\""));
	run_free(&r);
	r = run_cmd("$BOXOFFICE platform deliveries --attention");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "unmapped"));
	run_free(&r);
	/* mapped afterwards: listed by platform maps */
	mapped_type("shopify", sku, 5);
	r = run_cmd("$BOXOFFICE platform maps --platform shopify --json");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, sku));
	run_free(&r);
	r = run_cmd("$BOXOFFICE platform unmap --platform shopify --sku '%s'", sku);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_cmd("$BOXOFFICE platform unmap --platform shopify --sku '%s'", sku);
	assert_int_equal(r.status, 1); /* no such mapping */
	run_free(&r);
	out = text1("SELECT count(*)::text FROM platform_map WHERE sku = $1", sku);
	assert_string_equal(out, "0");
	free(out);
	free(body);
}

static void test_sold_out_refused(void **state)
{
	const char *sku = uniq("SKU-FULL");
	long long ty = mapped_type("shopify", sku, 2);
	char order[40], *body;
	struct run_result r;
	(void)state;

	snprintf(order, sizeof order, "%d%d", (int)getpid(), ++serial);
	body = order_body(order, sku, 3);
	shopify_ok("orders/create", uniq("evt-full"), body, "refused");
	assert_int_equal(AVAILABLE(ty), 2);
	r = run_cmd("$BOXOFFICE platform deliveries --attention --json");
	assert_non_null(strstr(r.out, "\"refused\""));
	run_free(&r);
	free(body);
}

/* ---- Shopify: create, refund, cancel ---- */

static void test_shopify_create_refund_cancel(void **state)
{
	const char *sku = uniq("SKU-CRC");
	long long ty = mapped_type("shopify", sku, 10);
	char order[40], refund[600], *body;
	(void)state;

	snprintf(order, sizeof order, "%d%d", (int)getpid(), ++serial);
	body = order_body(order, sku, 3);
	shopify_ok("orders/create", uniq("evt-c"), body, "applied");
	assert_int_equal(AVAILABLE(ty), 7);
	/* a refund without restock: money only */
	snprintf(refund, sizeof refund,
		 "{\"id\":1,\"order_id\":%s,\"restock\":false,\"refund_line_items\":[{\"quantity\":1,"
		 "\"restock_type\":\"no_restock\",\"line_item\":{\"variant_id\":77,\"sku\":\"%s\"}}]}",
		 order, sku);
	shopify_ok("refunds/create", uniq("evt-r0"), refund, "ignored");
	assert_int_equal(AVAILABLE(ty), 7);
	/* one seat restocked */
	snprintf(refund, sizeof refund,
		 "{\"id\":2,\"order_id\":%s,\"restock\":true,\"refund_line_items\":[{\"quantity\":1,"
		 "\"restock_type\":\"return\",\"line_item\":{\"variant_id\":77,\"sku\":\"%s\"}}]}",
		 order, sku);
	shopify_ok("refunds/create", uniq("evt-r1"), refund, "applied");
	assert_int_equal(AVAILABLE(ty), 8);
	/* cancelled: only the two not yet returned */
	shopify_ok("orders/cancelled", uniq("evt-x"), body, "applied");
	assert_int_equal(AVAILABLE(ty), 10);
	/* again (another event ID), a late refund: nothing more */
	shopify_ok("orders/cancelled", uniq("evt-x2"), body, "ignored");
	shopify_ok("refunds/create", uniq("evt-r2"), refund, "ignored");
	assert_int_equal(AVAILABLE(ty), 10);
	/* and the create again after the cancel sells nothing */
	shopify_ok("orders/create", uniq("evt-c2"), body, "ignored");
	assert_int_equal(AVAILABLE(ty), 10);
	assert_int_equal(scalar("SELECT coalesce(sum(sold), 0) FROM ticket_type WHERE id = $1::bigint", ty), 0);
	free(body);
}

/* ---- WooCommerce ---- */

static struct http_answer woo(const char *topic, const char *body)
{
	char sig[100], hs[140], ht[80], hd[120];
	const char *h[] = { hs, ht, hd, NULL };
	sig_hmac256_base64(WOO_SECRET, body, strlen(body), sig, sizeof sig);
	snprintf(hs, sizeof hs, "X-WC-Webhook-Signature: %s", sig);
	snprintf(ht, sizeof ht, "X-WC-Webhook-Topic: %s", topic);
	snprintf(hd, sizeof hd, "X-WC-Webhook-Delivery-ID: %s", uniq("wcd"));
	return post("/webhooks/woocommerce", body, h);
}

static void woo_ok(const char *topic, const char *order, const char *status, const char *modified, const char *sku,
		   int qty, const char *outcome)
{
	char body[600];
	struct http_answer a;
	snprintf(body, sizeof body,
		 "{\"id\":%s,\"status\":\"%s\",\"date_modified_gmt\":\"%s\",\"line_items\":[{\"id\":5,"
		 "\"product_id\":93,\"variation_id\":0,\"quantity\":%d,\"sku\":\"%s\"}]}",
		 order, status, modified, qty, sku);
	a = woo(topic, body);
	expect(&a, 200, outcome);
	http_answer_free(&a);
}

static void test_woocommerce_status_transitions(void **state)
{
	const char *sku = uniq("WC-SKU");
	long long ty = mapped_type("woocommerce", sku, 10);
	char order[40];
	struct http_answer a;
	(void)state;

	snprintf(order, sizeof order, "%d%d", (int)getpid(), ++serial);
	woo_ok("order.created", order, "pending", "2026-01-01T10:00:00", sku, 2, "ignored");
	assert_int_equal(AVAILABLE(ty), 10);
	woo_ok("order.updated", order, "processing", "2026-01-01T10:01:00", sku, 2, "applied");
	assert_int_equal(AVAILABLE(ty), 8);
	woo_ok("order.updated", order, "processing", "2026-01-01T10:01:00", sku, 2, "ignored");
	woo_ok("order.updated", order, "completed", "2026-01-01T10:02:00", sku, 2, "ignored");
	assert_int_equal(AVAILABLE(ty), 8);
	/* an older delivery arriving late changes nothing */
	woo_ok("order.updated", order, "cancelled", "2026-01-01T09:00:00", sku, 2, "ignored");
	assert_int_equal(AVAILABLE(ty), 8);
	/* edited to 3 */
	woo_ok("order.updated", order, "on-hold", "2026-01-01T10:03:00", sku, 3, "applied");
	assert_int_equal(AVAILABLE(ty), 7);
	woo_ok("order.updated", order, "refunded", "2026-01-01T10:04:00", sku, 3, "applied");
	assert_int_equal(AVAILABLE(ty), 10);
	woo_ok("order.updated", order, "failed", "2026-01-01T10:05:00", sku, 3, "ignored");
	assert_int_equal(AVAILABLE(ty), 10);
	/* the unsigned ping: 200, nothing recorded */
	{
		const char *h[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
		long long before = test_scalar(conn, "SELECT count(*) FROM webhook_delivery", 0, NULL);
		a = post("/webhooks/woocommerce", "webhook_id=42", h);
		assert_int_equal(a.status, 200);
		http_answer_free(&a);
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM webhook_delivery", 0, NULL), before);
	}
	/* anything else unsigned: 401 */
	{
		const char *h[] = { "X-WC-Webhook-Topic: order.created", "X-WC-Webhook-Delivery-ID: x1", NULL };
		a = post("/webhooks/woocommerce", "{\"id\":1,\"status\":\"processing\"}", h);
		assert_int_equal(a.status, 401);
		http_answer_free(&a);
	}
}

/* ---- Square counts ---- */

static void square_count(const char *event_id, const char *item, const char *qty, const char *outcome)
{
	char body[800], msg[1000], sig[100], hs[140];
	const char *h[] = { hs, NULL };
	struct http_answer a;
	snprintf(body, sizeof body,
		 "{\"merchant_id\":\"M1\",\"type\":\"inventory.count.updated\",\"event_id\":\"%s\","
		 "\"created_at\":\"2026-01-01T00:00:00Z\",\"data\":{\"type\":\"inventory\",\"id\":\"x\",\"object\":"
		 "{\"inventory_counts\":[{\"catalog_object_id\":\"%s\",\"catalog_object_type\":\"ITEM_VARIATION\","
		 "\"location_id\":\"L1\",\"quantity\":\"%s\",\"state\":\"IN_STOCK\"}]}}}",
		 event_id, item, qty);
	snprintf(msg, sizeof msg, "%s%s", SQUARE_URL, body);
	sig_hmac256_base64(SQUARE_KEY, msg, strlen(msg), sig, sizeof sig);
	snprintf(hs, sizeof hs, "x-square-hmacsha256-signature: %s", sig);
	a = post("/webhooks/square", body, h);
	expect(&a, 200, outcome);
	http_answer_free(&a);
}

static void test_square_counts(void **state)
{
	const char *item = uniq("SQITEM");
	long long ty = mapped_type("square", item, 10);
	const char *ev;
	char *v;
	(void)state;

	square_count(uniq("sq-eq"), item, "10", "ignored"); /* our own push echoed back */
	assert_int_equal(AVAILABLE(ty), 10);
	square_count(uniq("sq-below"), item, "7.00000", "applied"); /* the POS sold 3 */
	assert_int_equal(AVAILABLE(ty), 7);
	ev = uniq("sq-above");
	square_count(ev, item, "9", "applied"); /* drift: nothing sold, nothing returned */
	assert_int_equal(AVAILABLE(ty), 7);
	v = text1("SELECT detail -> 'drift' -> 0 ->> 'theirs' FROM webhook_delivery WHERE delivery_id = $1", ev);
	assert_string_equal(v, "9");
	free(v);
	/* an order event: counted through the count update, never twice */
	{
		char body[300], msg[600], sig[100], hs[140];
		const char *h[] = { hs, NULL };
		struct http_answer a;
		snprintf(body, sizeof body, "{\"type\":\"order.updated\",\"event_id\":\"%s\",\"data\":{}}", uniq("sq-o"));
		snprintf(msg, sizeof msg, "%s%s", SQUARE_URL, body);
		sig_hmac256_base64(SQUARE_KEY, msg, strlen(msg), sig, sizeof sig);
		snprintf(hs, sizeof hs, "x-square-hmacsha256-signature: %s", sig);
		a = post("/webhooks/square", body, h);
		expect(&a, 200, "ignored");
		http_answer_free(&a);
	}
	assert_int_equal(AVAILABLE(ty), 7);
}

/* ---- Eventbrite ---- */

static char *wait_outcome(const char *delivery, const char *want, int ms)
{
	char *v = NULL;
	for (int waited = 0; waited <= ms; waited += 100) {
		free(v);
		v = text1("SELECT outcome FROM webhook_delivery WHERE platform = 'eventbrite' AND delivery_id = $1",
			  delivery);
		if (strcmp(v, want) == 0)
			break;
		usleep(100 * 1000);
	}
	return v;
}

static void eventbrite_order(const struct fake *f, const char *id, const char *cls, int n, bool refunded)
{
	char state[2000], att[1500] = "";
	size_t used = 0;
	for (int i = 0; i < n; i++)
		used += (size_t)snprintf(att + used, sizeof att - used,
					 "%s{\"id\":\"a%d\",\"ticket_class_id\":\"%s\",\"quantity\":1,\"cancelled\":false,"
					 "\"refunded\":%s,\"status\":\"Attending\"}",
					 i ? "," : "", i, cls, refunded && i == 0 ? "true" : "false");
	snprintf(state, sizeof state,
		 "{\"eventbrite_orders\":{\"%s\":{\"id\":\"%s\",\"status\":\"placed\",\"changed\":\"2026-01-01T00:00:0%dZ\","
		 "\"attendees\":[%s]}}}",
		 id, id, refunded ? 5 : 1, att);
	fake_state(f, state);
}

static struct http_answer eventbrite_ping(const char *action, const char *api_url)
{
	char body[600];
	snprintf(body, sizeof body,
		 "{\"config\":{\"action\":\"%s\",\"endpoint_url\":\"x\",\"user_id\":\"1\",\"webhook_id\":\"2\"},"
		 "\"api_url\":\"%s\"}",
		 action, api_url);
	return post("/webhooks/eventbrite?secret=" EVENTBRITE_SECRET, body, NULL);
}

static long long ms_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void test_eventbrite_fetches_the_order(void **state)
{
	struct fake f;
	char base[120], url[200], id[40], delivery[300];
	const char *cls = uniq("TC");
	long long ty = mapped_type("eventbrite", cls, 10), t0;
	struct http_answer a;
	json_t *reqs;
	char *v;
	(void)state;

	fake_start(&f);
	snprintf(base, sizeof base, "%s/v3/", fake_url(&f));
	channel("eventbrite", base, "{\"fetch_timeout_ms\": 400}");
	snprintf(id, sizeof id, "%d%d", (int)getpid(), ++serial);
	eventbrite_order(&f, id, cls, 2, false);
	snprintf(url, sizeof url, "%sorders/%s/", base, id);
	snprintf(delivery, sizeof delivery, "order %s", id);

	/* Eventbrite signs nothing: without the URL's secret, or with another,
	 * nothing is recorded and nothing fetched */
	{
		char body[600];
		snprintf(body, sizeof body, "{\"config\":{\"action\":\"order.placed\"},\"api_url\":\"%s\"}", url);
		a = post("/webhooks/eventbrite", body, NULL);
		assert_int_equal(a.status, 401);
		assert_non_null(strstr(a.body, "secret: missing"));
		http_answer_free(&a);
		a = post("/webhooks/eventbrite?secret=guess", body, NULL);
		assert_int_equal(a.status, 401);
		assert_non_null(strstr(a.body, "does not match"));
		http_answer_free(&a);
		v = text1("SELECT count(*) FROM webhook_delivery WHERE platform = 'eventbrite' AND delivery_id = $1",
			  delivery);
		assert_string_equal(v, "0");
		free(v);
	}
	t0 = ms_now();
	a = eventbrite_ping("order.placed", url);
	expect(&a, 200, "pending");
	http_answer_free(&a);
	assert_true(ms_now() - t0 < 1000);
	v = wait_outcome(delivery, "applied", 10000);
	assert_string_equal(v, "applied");
	free(v);
	assert_int_equal(AVAILABLE(ty), 8);
	reqs = fake_requests(&f);
	assert_true(json_array_size(reqs) >= 1);
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(reqs, 0), "path")), id));
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(reqs, 0), "headers"),
							      "authorization")), "Bearer tok_test");
	json_decref(reqs);
	/* the same ping again: fetched again, a reconcile, nothing changes */
	a = eventbrite_ping("order.placed", url);
	expect(&a, 200, "pending");
	http_answer_free(&a);
	v = wait_outcome(delivery, "ignored", 10000);
	assert_string_equal(v, "ignored");
	free(v);
	assert_int_equal(AVAILABLE(ty), 8);

	/* refunded: one attendee refunded → one seat back */
	eventbrite_order(&f, id, cls, 2, true);
	a = eventbrite_ping("order.refunded", url);
	expect(&a, 200, "pending");
	http_answer_free(&a);
	v = wait_outcome(delivery, "applied", 10000);
	assert_string_equal(v, "applied");
	free(v);
	assert_int_equal(AVAILABLE(ty), 9);

	/* api_url anywhere else: refused, nothing recorded, nothing fetched */
	fake_clear(&f);
	a = eventbrite_ping("order.placed", "http://169.254.169.254/v3/orders/1/");
	assert_int_equal(a.status, 400);
	http_answer_free(&a);
	snprintf(url, sizeof url, "%sevents/1/", base);
	a = eventbrite_ping("order.placed", url);
	assert_int_equal(a.status, 400);
	http_answer_free(&a);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM webhook_delivery WHERE delivery_id LIKE '%169.254%' "
				     "OR delivery_id LIKE '%/events/1/%'", 0, NULL), 0);
	usleep(300 * 1000);
	reqs = fake_requests(&f);
	assert_int_equal(json_array_size(reqs), 0);
	json_decref(reqs);

	/* the platform stalls: the webhook is still answered at once, the
	 * delivery waits pending and is fetched again once it answers */
	snprintf(id, sizeof id, "%d%d", (int)getpid(), ++serial);
	eventbrite_order(&f, id, cls, 3, false);
	snprintf(url, sizeof url, "%sorders/%s/", base, id);
	snprintf(delivery, sizeof delivery, "order %s", id);
	fake_mode(&f, "stall", 0, 5000);
	/* Eventbrite signs nothing: without the URL's secret, or with another,
	 * nothing is recorded and nothing fetched */
	{
		char body[600];
		snprintf(body, sizeof body, "{\"config\":{\"action\":\"order.placed\"},\"api_url\":\"%s\"}", url);
		a = post("/webhooks/eventbrite", body, NULL);
		assert_int_equal(a.status, 401);
		assert_non_null(strstr(a.body, "secret: missing"));
		http_answer_free(&a);
		a = post("/webhooks/eventbrite?secret=guess", body, NULL);
		assert_int_equal(a.status, 401);
		assert_non_null(strstr(a.body, "does not match"));
		http_answer_free(&a);
		v = text1("SELECT count(*) FROM webhook_delivery WHERE platform = 'eventbrite' AND delivery_id = $1",
			  delivery);
		assert_string_equal(v, "0");
		free(v);
	}
	t0 = ms_now();
	a = eventbrite_ping("order.placed", url);
	expect(&a, 200, "pending");
	http_answer_free(&a);
	assert_true(ms_now() - t0 < 1000);
	{ /* at least one attempt timed out */
		long long attempts = 0;
		const char *p[1] = { delivery };
		for (int i = 0; i < 50 && attempts < 1; i++) {
			usleep(100 * 1000);
			attempts = test_scalar(conn, "SELECT coalesce((detail ->> 'attempts')::int, 0) FROM webhook_delivery "
					       "WHERE platform = 'eventbrite' AND delivery_id = $1", 1, p);
		}
		assert_true(attempts >= 1);
		v = text1("SELECT outcome FROM webhook_delivery WHERE delivery_id = $1", delivery);
		assert_string_equal(v, "pending");
		free(v);
	}
	assert_int_equal(AVAILABLE(ty), 9);
	fake_mode(&f, "ok", 0, 0);
	v = wait_outcome(delivery, "applied", 15000);
	assert_string_equal(v, "applied");
	free(v);
	assert_int_equal(AVAILABLE(ty), 6);

	/* a delivery left pending by a serve that died before fetching it:
	 * the next scan fetches and applies it */
	snprintf(id, sizeof id, "%d%d", (int)getpid(), ++serial);
	eventbrite_order(&f, id, cls, 1, false);
	snprintf(url, sizeof url, "%sorders/%s/", base, id);
	snprintf(delivery, sizeof delivery, "order %s", id);
	{
		const char *p[2] = { delivery, url };
		sql("INSERT INTO webhook_delivery (platform, delivery_id, topic, outcome, detail) VALUES ('eventbrite', $1, "
		    "'order.placed', 'pending', jsonb_build_object('api_url', $2::text, 'action', 'order.placed', 'up', true, "
		    "'attempts', 0))",
		    2, p);
	}
	v = wait_outcome(delivery, "applied", 10000);
	assert_string_equal(v, "applied");
	free(v);
	assert_int_equal(AVAILABLE(ty), 5);
	fake_stop(&f);
}

/* An Eventbrite order of n attendees, the first `cancelled` of them
 * cancelled, modified at second `changed`. */
static void eventbrite_order_at(const struct fake *f, const char *id, const char *cls, int n, int cancelled,
				int changed)
{
	char state[2000], att[1500] = "";
	size_t used = 0;
	for (int i = 0; i < n; i++)
		used += (size_t)snprintf(att + used, sizeof att - used,
					 "%s{\"id\":\"a%d\",\"ticket_class_id\":\"%s\",\"quantity\":1,\"cancelled\":%s,"
					 "\"refunded\":false,\"status\":\"Attending\"}",
					 i ? "," : "", i, cls, i < cancelled ? "true" : "false");
	snprintf(state, sizeof state,
		 "{\"eventbrite_orders\":{\"%s\":{\"id\":\"%s\",\"status\":\"placed\",\"changed\":\"2026-02-01T00:00:%02dZ\","
		 "\"attendees\":[%s]}}}",
		 id, id, changed, att);
	fake_state(f, state);
}

static void eventbrite_wait_applied(const char *delivery)
{
	char *v = wait_outcome(delivery, "applied", 10000);
	assert_string_equal(v, "applied");
	free(v);
}

/* Reviewer: order.updated worked once per order (delivery "<api_url>
 * <action>" was a duplicate the second time). */
static void test_eventbrite_updated_every_time(void **state)
{
	struct fake f;
	char base[120], url[200], id[40], delivery[80];
	const char *cls = uniq("TCU");
	long long ty = mapped_type("eventbrite", cls, 46);
	struct http_answer a;
	(void)state;

	fake_start(&f);
	snprintf(base, sizeof base, "%s/v3/", fake_url(&f));
	channel("eventbrite", base, "{\"fetch_timeout_ms\": 400}");
	snprintf(id, sizeof id, "%d%d", (int)getpid(), ++serial);
	snprintf(url, sizeof url, "%sorders/%s/", base, id);
	snprintf(delivery, sizeof delivery, "order %s", id);

	eventbrite_order_at(&f, id, cls, 2, 0, 1);
	a = eventbrite_ping("order.placed", url);
	expect(&a, 200, "pending");
	http_answer_free(&a);
	eventbrite_wait_applied(delivery);
	assert_int_equal(AVAILABLE(ty), 44);

	eventbrite_order_at(&f, id, cls, 2, 1, 2);
	a = eventbrite_ping("order.updated", url);
	expect(&a, 200, "pending");
	assert_null(strstr(a.body, "\"duplicate\":true"));
	http_answer_free(&a);
	eventbrite_wait_applied(delivery);
	assert_int_equal(AVAILABLE(ty), 45);

	eventbrite_order_at(&f, id, cls, 2, 2, 3);
	a = eventbrite_ping("order.updated", url);
	expect(&a, 200, "pending");
	assert_null(strstr(a.body, "\"duplicate\":true"));
	http_answer_free(&a);
	eventbrite_wait_applied(delivery);
	assert_int_equal(AVAILABLE(ty), 46);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM webhook_delivery WHERE platform = 'eventbrite' "
				     "AND delivery_id LIKE '%orders/%'", 0, NULL), 0);
	fake_stop(&f);
}

/* Reviewer: a ping for an order Eventbrite does not have yet (404) became
 * 'failed' and the real ping later was its duplicate: the sale was lost.
 * And orders/0004/ and orders/4/ were two deliveries. */
static void test_eventbrite_ping_before_the_order(void **state)
{
	struct fake f;
	char base[120], url[200], url0[200], id[40], delivery[80];
	const char *cls = uniq("TCE");
	long long ty = mapped_type("eventbrite", cls, 10);
	struct http_answer a;
	char *v;
	(void)state;

	fake_start(&f);
	snprintf(base, sizeof base, "%s/v3/", fake_url(&f));
	channel("eventbrite", base, "{\"fetch_timeout_ms\": 400}");
	sql("UPDATE platform_channel SET retry_limit = 2 WHERE name = 'eventbrite'", 0, NULL);
	snprintf(id, sizeof id, "%d%d", (int)getpid(), ++serial);
	snprintf(url, sizeof url, "%sorders/%s/", base, id);
	snprintf(url0, sizeof url0, "%sorders/000%s", base, id);
	snprintf(delivery, sizeof delivery, "order %s", id);

	a = eventbrite_ping("order.placed", url); /* the fake has no such order: 404 */
	expect(&a, 200, "pending");
	http_answer_free(&a);
	v = wait_outcome(delivery, "failed", 10000);
	assert_string_equal(v, "failed");
	free(v);
	assert_int_equal(AVAILABLE(ty), 10);

	eventbrite_order_at(&f, id, cls, 3, 0, 1);
	a = eventbrite_ping("order.placed", url0); /* the same order, written otherwise */
	expect(&a, 200, "pending");
	assert_null(strstr(a.body, "\"duplicate\":true"));
	http_answer_free(&a);
	eventbrite_wait_applied(delivery);
	assert_int_equal(AVAILABLE(ty), 7);
	{
		const char *p[1] = { id };
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM webhook_delivery WHERE platform = 'eventbrite' "
					     "AND position($1 IN delivery_id) > 0", 1, p), 1);
		assert_int_equal(test_scalar(conn, "SELECT (detail ->> 'attempts')::int FROM webhook_delivery "
					     "WHERE platform = 'eventbrite' AND delivery_id = 'order ' || $1", 1, p), 1);
	}
	sql("UPDATE platform_channel SET retry_limit = 10 WHERE name = 'eventbrite'", 0, NULL);
	fake_stop(&f);
}

/* Reviewer: a quantity of 99999999999 or 4294967297 answered 400 "integer
 * out of range" with nothing recorded: the platform retries for ever. */
static void test_poison_quantity_refused(void **state)
{
	const char *sku = uniq("SKU-POISON");
	long long ty = mapped_type("shopify", sku, 5);
	const char *qty[] = { "99999999999", "4294967297", "10001" };
	struct run_result r;
	(void)state;

	for (size_t i = 0; i < sizeof qty / sizeof qty[0]; i++) {
		char body[600], order[40], *ev = strdup(uniq("evt-poison"));
		const char *p[1] = { ev };
		char *v;
		snprintf(order, sizeof order, "%d%d", (int)getpid(), ++serial);
		snprintf(body, sizeof body,
			 "{\"id\":%s,\"name\":\"#%s\",\"cancelled_at\":null,\"line_items\":[{\"id\":1,\"variant_id\":77,"
			 "\"sku\":\"%s\",\"quantity\":%s}]}",
			 order, order, sku, qty[i]);
		shopify_ok("orders/create", ev, body, "refused");
		v = text1("SELECT detail ->> 'error' FROM webhook_delivery WHERE platform = 'shopify' AND delivery_id = $1",
			  ev);
		assert_non_null(strstr(v, "quantity"));
		assert_non_null(strstr(v, qty[i]));
		free(v);
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM webhook_delivery WHERE platform = 'shopify' "
					     "AND delivery_id = $1 AND outcome = 'refused'", 1, p), 1);
		free(ev);
	}
	assert_int_equal(AVAILABLE(ty), 5);
	r = run_cmd("$BOXOFFICE platform deliveries --platform shopify --attention --json");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "4294967297"));
	run_free(&r);
}

/* Reviewer: a real order over 64 KiB answered 413. Webhooks take 1 MiB;
 * everything else keeps 64 KiB. */
static void test_large_order_body(void **state)
{
	const char *sku = uniq("SKU-BIG");
	long long ty = mapped_type("shopify", sku, 5);
	size_t pad = 200 * 1024, n;
	char *body = malloc(pad + 1000), order[40];
	struct http_answer a;
	(void)state;

	snprintf(order, sizeof order, "%d%d", (int)getpid(), ++serial);
	n = (size_t)snprintf(body, 1000,
			     "{\"id\":%s,\"name\":\"#%s\",\"cancelled_at\":null,\"line_items\":[{\"id\":1,\"variant_id\":77,"
			     "\"sku\":\"%s\",\"quantity\":2}],\"note\":\"",
			     order, order, sku);
	memset(body + n, 'x', pad);
	strcpy(body + n + pad, "\"}");
	shopify_ok("orders/create", uniq("evt-big"), body, "applied");
	assert_int_equal(AVAILABLE(ty), 3);
	a = http_do(&srv, "POST", "/orders", NULL, body, NULL);
	assert_int_equal(a.status, 413);
	http_answer_free(&a);
	free(body);
}

/* Reviewer: an order with a mapped and an unmapped line says only
 * 'unmapped': the supervisor is told which lines were not applied. */
static void test_unmapped_line_named(void **state)
{
	const char *sku = uniq("SKU-MAPPED");
	char *unknown = strdup(uniq("SKU-UNKNOWN"));
	long long ty = mapped_type("shopify", sku, 5);
	char body[800], order[40];
	struct run_result r;
	(void)state;

	snprintf(order, sizeof order, "%d%d", (int)getpid(), ++serial);
	snprintf(body, sizeof body,
		 "{\"id\":%s,\"name\":\"#%s\",\"cancelled_at\":null,\"line_items\":[{\"id\":1,\"variant_id\":77,"
		 "\"sku\":\"%s\",\"quantity\":2},{\"id\":2,\"variant_id\":78,\"sku\":\"%s\",\"quantity\":3}]}",
		 order, order, sku, unknown);
	shopify_ok("orders/create", uniq("evt-half"), body, "unmapped");
	assert_int_equal(AVAILABLE(ty), 3);
	r = run_cmd("$BOXOFFICE platform deliveries --platform shopify --attention --json");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "not_applied"));
	assert_non_null(strstr(r.out, "map their SKU"));
	run_free(&r);
	free(unknown);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_bad_signature_changes_nothing),
		cmocka_unit_test(test_ten_at_once_change_once),
		cmocka_unit_test(test_unknown_sku_unmapped_for_supervisor),
		cmocka_unit_test(test_sold_out_refused),
		cmocka_unit_test(test_shopify_create_refund_cancel),
		cmocka_unit_test(test_woocommerce_status_transitions),
		cmocka_unit_test(test_square_counts),
		cmocka_unit_test(test_eventbrite_fetches_the_order),
		cmocka_unit_test(test_eventbrite_updated_every_time),
		cmocka_unit_test(test_eventbrite_ping_before_the_order),
		cmocka_unit_test(test_poison_quantity_refused),
		cmocka_unit_test(test_large_order_body),
		cmocka_unit_test(test_unmapped_line_named),
	};
	return cmocka_run_group_tests_name("webhooks", tests, setup, teardown);
}

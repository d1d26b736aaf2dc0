/* The fake platform itself (tests/fake_platform.py via tests/fake.h):
 * it records what it receives, keeps what was pushed for reads, and fails,
 * stalls or drops connections on demand. Needs python3, no database. */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fake.h"
#include "helpers.h"
#include "http.h"

static struct fake F;
static const char *const bearer[] = { "Authorization: Bearer tok", NULL };
static const char *const basic[] = { "Authorization: Basic Y2s6Y3M=", NULL };

static int setup(void **state)
{
	(void)state;
	fake_start(&F);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_stop(&F);
	return 0;
}

static int reset(void **state)
{
	(void)state;
	fake_mode(&F, "ok", 0, 0);
	fake_clear(&F);
	return 0;
}

static struct http_answer req(const char *method, const char *path, const char *body, const char *const *headers)
{
	char url[256];
	snprintf(url, sizeof url, "%s%s", fake_url(&F), path);
	return http_do(NULL, method, url, NULL, body, headers);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void test_records_and_reads_back(void **state)
{
	static const char *const hdr[] = { "X-Shopify-Access-Token: shpat_1", NULL };
	struct http_answer a;
	json_t *r, *one;
	(void)state;

	a = req("POST", "/admin/api/2024-01/inventory_levels/set.json",
		"{\"location_id\":655441491,\"inventory_item_id\":808950810,\"available\":42}", hdr);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "\"available\": 42"));
	http_answer_free(&a);
	a = req("GET", "/admin/api/2024-01/inventory_levels.json?inventory_item_ids=808950810&location_ids=655441491",
		NULL, hdr);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "\"available\": 42"));
	http_answer_free(&a);

	r = fake_requests(&F);
	assert_int_equal(json_array_size(r), 2);
	one = json_array_get(r, 0);
	assert_string_equal(json_string_value(json_object_get(one, "method")), "POST");
	assert_string_equal(json_string_value(json_object_get(one, "path")),
			    "/admin/api/2024-01/inventory_levels/set.json");
	assert_string_equal(json_string_value(json_object_get(json_object_get(one, "headers"), "x-shopify-access-token")),
			    "shpat_1");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(one, "json"), "available")), 42);
	assert_int_equal(json_integer_value(json_object_get(one, "answered")), 200);
	assert_string_equal(json_string_value(json_object_get(json_array_get(r, 1), "query")),
			    "inventory_item_ids=808950810&location_ids=655441491");
	json_decref(r);

	r = fake_requests_to(&F, "/set.json");
	assert_int_equal(json_array_size(r), 1);
	json_decref(r);
	fake_clear(&F);
	r = fake_requests(&F);
	assert_int_equal(json_array_size(r), 0);
	json_decref(r);
}

static void test_state_sets_reads(void **state)
{
	struct http_answer a;
	(void)state;

	a = req("GET", "/v3/orders/752327237/?expand=attendees", NULL, bearer);
	assert_int_equal(a.status, 404);
	http_answer_free(&a);
	fake_state(&F, "{\"eventbrite_orders\":{\"752327237\":{\"id\":\"752327237\",\"status\":\"placed\","
		       "\"attendees\":[{\"ticket_class_id\":\"98765432\",\"quantity\":1}]}},"
		       "\"sold\":{\"E1/C1\":7}}");
	a = req("GET", "/v3/orders/752327237/?expand=attendees", NULL, bearer);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "98765432"));
	http_answer_free(&a);
	a = req("GET", "/v3/orders/752327237/", NULL, bearer); /* without expand: no attendees */
	assert_int_equal(a.status, 200);
	assert_null(strstr(a.body, "attendees"));
	http_answer_free(&a);
	a = req("POST", "/v3/events/E1/ticket_classes/C1/", "{\"ticket_class\":{\"capacity\":20}}", bearer);
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	a = req("GET", "/v3/events/E1/ticket_classes/C1/", NULL, bearer);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "\"capacity\": 20"));
	assert_non_null(strstr(a.body, "\"quantity_sold\": 7"));
	http_answer_free(&a);
}

static void test_credentials_required(void **state)
{
	static const struct {
		const char *method, *path, *body;
	} t[] = {
		{ "POST", "/admin/api/2024-01/inventory_levels/set.json",
		  "{\"location_id\":1,\"inventory_item_id\":2,\"available\":3}" },
		{ "PUT", "/wp-json/wc/v3/products/12", "{\"stock_quantity\":5}" },
		{ "POST", "/v2/inventory/changes/batch-create", "{\"idempotency_key\":\"k\",\"changes\":[]}" },
		{ "POST", "/v3/events/E/ticket_classes/C/", "{\"ticket_class\":{\"capacity\":1}}" },
		{ "GET", "/v3/orders/1/", NULL },
		{ "POST", "/2010-04-01/Accounts/AC1/Messages.json", "To=%2B1&From=%2B2&Body=x" },
	};
	(void)state;
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
		struct http_answer a = req(t[i].method, t[i].path, t[i].body, NULL);
		if (a.status != 401)
			fail_msg("%s %s without credentials: %ld", t[i].method, t[i].path, a.status);
		http_answer_free(&a);
	}
}

static void test_fails_on_demand(void **state)
{
	struct http_answer a;
	json_t *r;
	(void)state;

	fake_mode(&F, "fail", 503, 0);
	a = req("PUT", "/wp-json/wc/v3/products/12", "{\"manage_stock\":true,\"stock_quantity\":5}", basic);
	assert_int_equal(a.status, 503);
	http_answer_free(&a);
	a = req("GET", "/wp-json/wc/v3/products/12", NULL, basic);
	assert_int_equal(a.status, 503);
	http_answer_free(&a);
	fake_mode(&F, "ok", 0, 0);
	a = req("GET", "/wp-json/wc/v3/products/12", NULL, basic);
	assert_int_equal(a.status, 200);
	assert_null(strstr(a.body, "\"stock_quantity\": 5")); /* the failed push was not applied */
	http_answer_free(&a);
	r = fake_requests(&F);
	assert_int_equal(json_array_size(r), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(r, 0), "answered")), 503);
	json_decref(r);

	fake_mode(&F, "close", 0, 0);
	a = req("POST", "/hook", "{}", NULL);
	assert_int_equal(a.status, 0); /* no answer at all */
	http_answer_free(&a);
}

struct bg {
	pthread_t t;
	long status;
};

static void *bg_post(void *arg)
{
	struct bg *b = arg;
	struct http_answer a = req("POST", "/hook", "{\"seq\":1}", NULL);
	b->status = a.status;
	http_answer_free(&a);
	return NULL;
}

static void test_stalls_on_demand(void **state)
{
	struct timespec t0;
	struct http_answer a;
	struct bg b = { .status = -1 };
	json_t *r;
	(void)state;

	fake_mode(&F, "stall", 0, 600);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	a = req("POST", "/hook", "{}", NULL);
	assert_int_equal(a.status, 200);
	assert_true(ms_since(&t0) >= 550);
	http_answer_free(&a);

	/* stall_ms 0: until the mode changes; the request is recorded at once */
	fake_mode(&F, "stall", 0, 0);
	fake_clear(&F);
	assert_int_equal(pthread_create(&b.t, NULL, bg_post, &b), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		r = fake_requests(&F);
		size_t n = json_array_size(r);
		if (n == 1)
			assert_true(json_is_null(json_object_get(json_array_get(r, 0), "answered")));
		json_decref(r);
		if (n == 1)
			break;
		assert_true(ms_since(&t0) < 10000);
		usleep(20 * 1000);
	}
	/* a control request is never stalled, and the stalled one is still waiting */
	a = req("GET", "/_state", NULL, NULL);
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	assert_int_equal(b.status, -1);
	fake_mode(&F, "ok", 0, 0);
	pthread_join(b.t, NULL);
	assert_int_equal(b.status, 200);
}

static void test_stop_kills(void **state)
{
	struct fake g;
	pid_t pid;
	(void)state;

	fake_start(&g);
	pid = g.pid;
	assert_true(strncmp(fake_url(&g), "http://127.0.0.1:", 17) == 0);
	fake_stop(&g);
	assert_int_equal(g.pid, 0);
	assert_int_equal(kill(pid, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_records_and_reads_back, reset),
		cmocka_unit_test_setup(test_state_sets_reads, reset),
		cmocka_unit_test_setup(test_credentials_required, reset),
		cmocka_unit_test_setup(test_fails_on_demand, reset),
		cmocka_unit_test_setup(test_stalls_on_demand, reset),
		cmocka_unit_test(test_stop_kills),
	};
	return cmocka_run_group_tests_name("unit_fake", tests, setup, teardown);
}

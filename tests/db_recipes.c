/* Item 4 of issue 16: the recipes of platforms that call out through their
 * own automation (assets/recipes/NAME.md) and the two that sign their calls,
 * verified natively (POST /webhooks/hubspot, /webhooks/zendesk).
 *
 *  - Every recipe file has at least one worked request: a line
 *    `<!-- recipe-request available=-N [signed=PLATFORM] -->` before a
 *    ```sh fence. Each is run with sh against a real serve, its
 *    placeholders $BOXOFFICE_URL, $KEY, $EVENT, $TYPE (and $SECRET for a
 *    signed one) in the environment: every curl in it must get 200, and
 *    the type's availability must move by N, as the recipe says.
 *  - HubSpot's published v1/v2 examples (tests/platforms/others.md) at unit
 *    level; through the endpoint with fresh signatures: good → applied,
 *    bad or missing → 401 and nothing changes, v3 too old → 401, a replay
 *    with the same Idempotency-Key sells once, no key named after the
 *    platform → 401. Zendesk's signature the same way. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "http.h"
#include "src/core/platform_sig.h"
#include "src/core/platform_sig_extra.h"

#ifndef BOXOFFICE_ASSETS
#define BOXOFFICE_ASSETS "assets"
#endif

static PGconn *conn;

static int setup(void **state)
{
	(void)state;
	conn = test_migrate_connect();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

static long long available(long long type)
{
	char t[24];
	const char *p[1] = { t };
	snprintf(t, sizeof t, "%lld", type);
	return test_scalar(conn, "SELECT available FROM inventory_view WHERE type_id = $1::bigint AND channel IS NULL",
			   1, p);
}

/* ---- unit level: the published examples ---- */

/* HubSpot's docs, "v1 request validation": client secret and body → hash. */
#define HS_SECRET "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy"
#define HS_V1_BODY                                                                                                     \
	"[{\"eventId\":1,\"subscriptionId\":12345,\"portalId\":62515,\"occurredAt\":1564113600000,\"subscriptionType\":"   \
	"\"contact.creation\",\"attemptNumber\":0,\"objectId\":123,\"changeSource\":\"CRM\",\"changeFlag\":\"NEW\","       \
	"\"appId\":54321}]"
#define HS_V1_SIG "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"
/* "v2 request validation": GET https://www.example.com/webhook_uri, no body. */
#define HS_V2_URI "https://www.example.com/webhook_uri"
#define HS_V2_SIG "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"

static void hubspot_published_examples(void **state)
{
	char out[80];
	(void)state;
	assert_true(sig_hubspot_ok(HS_V1_SIG, "v1", HS_SECRET, "POST", "x", HS_V1_BODY, strlen(HS_V1_BODY)));
	assert_true(sig_hubspot_ok(HS_V2_SIG, "v2", HS_SECRET, "GET", HS_V2_URI, "", 0));
	sig_hubspot_make("v1", HS_SECRET, "POST", "x", HS_V1_BODY, strlen(HS_V1_BODY), out, sizeof out);
	assert_string_equal(out, HS_V1_SIG);
	sig_hubspot_make("v2", HS_SECRET, "GET", HS_V2_URI, "", 0, out, sizeof out);
	assert_string_equal(out, HS_V2_SIG);
	/* one changed byte, the other version, another secret: refused */
	assert_false(sig_hubspot_ok(HS_V1_SIG, "v1", HS_SECRET, "POST", "x", HS_V1_BODY, strlen(HS_V1_BODY) - 1));
	assert_false(sig_hubspot_ok(HS_V1_SIG, "v2", HS_SECRET, "POST", "x", HS_V1_BODY, strlen(HS_V1_BODY)));
	assert_false(sig_hubspot_ok(HS_V2_SIG, "v2", HS_SECRET "z", "GET", HS_V2_URI, "", 0));
	assert_false(sig_hubspot_ok(HS_V2_SIG, "v2", HS_SECRET, "POST", HS_V2_URI, "", 0));
}

static void zendesk_signature(void **state)
{
	const char *body = "{\"op\":\"sell\",\"qty\":1}", *ts = "2026-11-28T12:00:00Z";
	char sig[80];
	(void)state;
	sig_zendesk_make("zd-secret-1", ts, body, strlen(body), sig, sizeof sig);
	/* base64 of HMAC-SHA256(secret, ts ‖ body), as openssl computes it */
	struct run_result r = run_cmd("printf '%%s' '%s%s' | openssl dgst -sha256 -hmac zd-secret-1 -binary | base64",
				      ts, body);
	assert_int_equal(r.status, 0);
	r.out[strcspn(r.out, "\n")] = '\0';
	assert_string_equal(sig, r.out);
	run_free(&r);
	assert_true(sig_zendesk_ok(sig, ts, "zd-secret-1", body, strlen(body)));
	assert_false(sig_zendesk_ok(sig, "2026-11-28T12:00:01Z", "zd-secret-1", body, strlen(body)));
	assert_false(sig_zendesk_ok(sig, ts, "zd-secret-2", body, strlen(body)));
	assert_false(sig_zendesk_ok(sig, ts, "zd-secret-1", body, strlen(body) - 1));
	assert_false(sig_zendesk_ok("", ts, "zd-secret-1", body, strlen(body)));
}

/* ---- the recipes' worked requests ---- */

static const char *const platforms[] = {
	"salesforce", "zoho-creator", "dynamics-365", "google-sheets", "airtable", "quickbooks-commerce",
	"zendesk-sell", "hubspot", "sap-business-one", "netsuite", "freshdesk", "google-calendar", "amadeus",
	"ticketmaster", NULL,
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	if (text && fread(text, 1, (size_t)n, f) != (size_t)n) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

/* A key the platform acts as: named after it when it signs its calls. */
static char *platform_key(const char *signed_by, const char *secret)
{
	if (!*signed_by)
		return apikey_new(NULL, "--name '%s' --channel web --rate 0", unique_name("recipe"));
	struct run_result r = run_cmd("$BOXOFFICE apikey revoke %s", signed_by); /* an earlier run's */
	run_free(&r);
	json_decref(cli_json("$BOXOFFICE platform secret --platform %s --secret %s", signed_by, secret));
	return apikey_new(NULL, "%s --channel web --rate 0", signed_by);
}

/* Runs one worked request (script) with sh; asserts its curls all got 200
 * and the availability moved by delta. */
static void run_worked(const struct served *s, const char *file, int nth, const char *script, long long delta,
		       const char *signed_by)
{
	char secret[64], dir[] = "/tmp/recipeXXXXXX", path[300], ev[24], ty[24];
	long long event, type, before, after;
	struct run_result r;
	char *key, *statuses;
	FILE *f;
	int n200 = 0, nother = 0;

	event = make_event(unique_name(file), "2028-06-01", 0);
	type = make_type(event, "Adult", 20, 3000, 1);
	snprintf(secret, sizeof secret, "recipe-secret-%d-%ld", (int)getpid(), (long)time(NULL));
	key = platform_key(signed_by, secret);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/request.sh", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	/* every curl's status into a file; its answer to stderr for the log */
	fprintf(f, "curl() { command curl -o \"$RECIPE_DIR/answer\" -w '%%{http_code}\\n' \"$@\" >>\"$RECIPE_DIR/status\";"
		   " cat \"$RECIPE_DIR/answer\" >&2; echo >&2; }\n%s",
		script);
	fclose(f);
	snprintf(ev, sizeof ev, "%lld", event);
	snprintf(ty, sizeof ty, "%lld", type);
	setenv("BOXOFFICE_URL", s->url, 1);
	setenv("KEY", key, 1);
	setenv("EVENT", ev, 1);
	setenv("TYPE", ty, 1);
	setenv("SECRET", secret, 1);
	setenv("RECIPE_DIR", dir, 1);
	before = available(type);
	r = run_cmd("sh -e '%s'", path);
	snprintf(path, sizeof path, "%s/status", dir);
	statuses = slurp(path);
	for (char *line = statuses ? strtok(statuses, "\n") : NULL; line; line = strtok(NULL, "\n"))
		strcmp(line, "200") == 0 ? n200++ : nother++;
	if (r.status != 0 || n200 == 0 || nother)
		fail_msg("%s, worked request %d: sh exit %d, %d answered 200, %d otherwise (%s)\n%s", file, nth, r.status,
			 n200, nother, statuses ? statuses : "no curl ran", r.err);
	after = available(type);
	if (after - before != delta)
		fail_msg("%s, worked request %d: availability moved by %lld, the recipe says %lld\n%s", file, nth,
			 after - before, delta, r.err);
	run_free(&r);
	free(statuses);
	free(key);
	{
		struct run_result c = run_cmd("rm -rf '%s'", dir);
		run_free(&c);
	}
}

static void recipes_worked_requests(void **state)
{
	struct served s;
	DIR *d;
	struct dirent *e;
	int files = 0;
	(void)state;

	for (int i = 0; platforms[i]; i++) {
		char path[300];
		snprintf(path, sizeof path, BOXOFFICE_ASSETS "/recipes/%s.md", platforms[i]);
		if (access(path, R_OK) != 0)
			fail_msg("no recipe for %s (%s)", platforms[i], path);
	}
	serve_start(&s, NULL);
	d = opendir(BOXOFFICE_ASSETS "/recipes");
	assert_non_null(d);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		char path[600], *text, *at;
		int worked = 0;

		if (n < 4 || strcmp(e->d_name + n - 3, ".md") != 0 || strcmp(e->d_name, "README.md") == 0)
			continue;
		snprintf(path, sizeof path, BOXOFFICE_ASSETS "/recipes/%s", e->d_name);
		text = slurp(path);
		assert_non_null(text);
		files++;
		for (at = strstr(text, "<!-- recipe-request"); at; at = strstr(at + 1, "<!-- recipe-request")) {
			long long delta = 0;
			char signed_by[32] = "", *end = strstr(at, "-->"), *fence, *body, *close, *p;

			assert_non_null(end);
			p = strstr(at, "available=");
			if (!p || p > end || sscanf(p, "available=%lld", &delta) != 1)
				fail_msg("%s: a recipe-request marker without available=N", e->d_name);
			p = strstr(at, "signed=");
			if (p && p < end)
				sscanf(p, "signed=%31[a-z]", signed_by);
			fence = strstr(end, "```sh\n");
			if (!fence || (strstr(end, "<!--") && strstr(end, "<!--") < fence))
				fail_msg("%s: a recipe-request marker not followed by a ```sh block", e->d_name);
			body = fence + 6;
			close = strstr(body, "\n```");
			assert_non_null(close);
			char *script = strndup(body, (size_t)(close - body) + 1);
			run_worked(&s, e->d_name, ++worked, script, delta, signed_by);
			free(script);
		}
		if (!worked)
			fail_msg("%s has no worked request (<!-- recipe-request available=N --> before a ```sh block)",
				 e->d_name);
		free(text);
	}
	closedir(d);
	assert_int_equal(serve_stop(&s), 0);
	assert_true(files >= 14);
}

/* ---- the signed endpoints ---- */

struct signed_site {
	struct served s;
	long long event, type;
	char secret[64], url[128];
	char *key;
};

static void site_open(struct signed_site *t, const char *platform)
{
	struct run_result r = run_cmd("$BOXOFFICE apikey revoke %s", platform);
	run_free(&r);
	t->event = make_event(unique_name(platform), "2028-07-01", 0);
	t->type = make_type(t->event, "Adult", 10, 2500, 1);
	snprintf(t->secret, sizeof t->secret, "%s-secret-%d-%ld", platform, (int)getpid(), (long)time(NULL));
	json_decref(cli_json("$BOXOFFICE platform secret --platform %s --secret %s", platform, t->secret));
	t->key = apikey_new(NULL, "%s --channel web --rate 0", platform);
	serve_start(&t->s, NULL);
	snprintf(t->url, sizeof t->url, "%s/webhooks/%s", t->s.url, platform);
}

static void site_close(struct signed_site *t)
{
	assert_int_equal(serve_stop(&t->s), 0);
	free(t->key);
}

/* A sale of qty under a new reference (an order's reference is unique per channel). */
static void sell_body(const struct signed_site *t, int qty, char *out, size_t size)
{
	static int deal;
	snprintf(out, size, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":%d,\"reference\":\"deal-%lld-%d\"}",
		 t->event, t->type, qty, t->event, ++deal);
}

/* POST with a HubSpot signature: version "v1"/"v2" (sig NULL: made with
 * secret), "v3" with ts_ms, "" no signature at all. */
static long hubspot_post(const struct signed_site *t, const char *version, const char *secret, const char *body,
			 long long ts_ms, const char *idem)
{
	char sig[100], h1[160], h2[80], h3[200];
	const char *hdrs[4] = { NULL, NULL, NULL, NULL };
	struct http_answer a;
	long status;

	if (strcmp(version, "v3") == 0) {
		char ts[24];
		snprintf(ts, sizeof ts, "%lld", ts_ms);
		sig_hubspot_v3_make(secret, "POST", t->url, body, strlen(body), ts, sig, sizeof sig);
		snprintf(h1, sizeof h1, "X-HubSpot-Signature-v3: %s", sig);
		snprintf(h2, sizeof h2, "X-HubSpot-Request-Timestamp: %s", ts);
		hdrs[0] = h1;
		hdrs[1] = h2;
	} else if (*version) {
		sig_hubspot_make(version, secret, "POST", t->url, body, strlen(body), sig, sizeof sig);
		snprintf(h1, sizeof h1, "X-HubSpot-Signature: %s", sig);
		snprintf(h2, sizeof h2, "X-HubSpot-Signature-Version: %s", version);
		hdrs[0] = h1;
		hdrs[1] = h2;
	}
	if (idem) {
		snprintf(h3, sizeof h3, "Idempotency-Key: %s", idem);
		hdrs[hdrs[0] ? 2 : 0] = h3;
	}
	a = http_do(&t->s, "POST", "/webhooks/hubspot", NULL, body, hdrs);
	status = a.status;
	if (status != 200 && status != 401)
		fprintf(stderr, "hubspot: %ld %s\n", status, a.body);
	http_answer_free(&a);
	return status;
}

static void hubspot_endpoint(void **state)
{
	struct signed_site t;
	char body[300];
	long long now_ms = (long long)time(NULL) * 1000, left;
	(void)state;

	site_open(&t, "hubspot");
	left = available(t.type);
	assert_int_equal(left, 10);
	sell_body(&t, 2, body, sizeof body);
	/* missing, bad (another secret), v3 stale or bad: 401, nothing changes */
	assert_int_equal(hubspot_post(&t, "", t.secret, body, 0, NULL), 401);
	assert_int_equal(hubspot_post(&t, "v1", "not-the-secret", body, 0, NULL), 401);
	assert_int_equal(hubspot_post(&t, "v2", "not-the-secret", body, 0, NULL), 401);
	assert_int_equal(hubspot_post(&t, "v3", t.secret, body, now_ms - 6 * 60 * 1000, NULL), 401);
	assert_int_equal(hubspot_post(&t, "v3", "not-the-secret", body, now_ms, NULL), 401);
	assert_int_equal(available(t.type), 10);
	/* good v1, v2, v3: each applied */
	assert_int_equal(hubspot_post(&t, "v1", t.secret, body, 0, NULL), 200);
	assert_int_equal(available(t.type), 8);
	sell_body(&t, 1, body, sizeof body);
	assert_int_equal(hubspot_post(&t, "v2", t.secret, body, 0, NULL), 200);
	assert_int_equal(available(t.type), 7);
	sell_body(&t, 1, body, sizeof body);
	assert_int_equal(hubspot_post(&t, "v3", t.secret, body, now_ms, NULL), 200);
	assert_int_equal(available(t.type), 6);
	sell_body(&t, 1, body, sizeof body);
	/* a replay with the same Idempotency-Key sells once */
	assert_int_equal(hubspot_post(&t, "v2", t.secret, body, 0, "deal-77-won"), 200);
	assert_int_equal(hubspot_post(&t, "v2", t.secret, body, 0, "deal-77-won"), 200);
	assert_int_equal(hubspot_post(&t, "v3", t.secret, body, now_ms, "deal-77-won"), 200);
	assert_int_equal(available(t.type), 5);
	/* the key HubSpot acts as revoked: refused, nothing changes */
	{
		struct run_result r = run_cmd("$BOXOFFICE apikey revoke hubspot");
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	assert_int_equal(hubspot_post(&t, "v2", t.secret, body, 0, NULL), 401);
	assert_int_equal(available(t.type), 5);
	site_close(&t);
}

/* Zendesk's timestamp of now + offset seconds (ISO 8601 UTC). */
static const char *zendesk_ts(long offset)
{
	static char ts[32];
	time_t t = time(NULL) + offset;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return ts;
}

static long zendesk_post_at(const struct signed_site *t, const char *secret, const char *sign_body, const char *body,
			    const char *ts)
{
	char sig[100], h1[160], h2[120];
	const char *hdrs[3] = { h1, h2, NULL };
	struct http_answer a;
	long status;

	sig_zendesk_make(secret, ts, sign_body, strlen(sign_body), sig, sizeof sig);
	snprintf(h1, sizeof h1, "X-Zendesk-Webhook-Signature: %s", sig);
	snprintf(h2, sizeof h2, "X-Zendesk-Webhook-Signature-Timestamp: %s", ts);
	if (!secret[0])
		hdrs[0] = NULL;
	a = http_do(&t->s, "POST", "/webhooks/zendesk", NULL, body, hdrs);
	status = a.status;
	http_answer_free(&a);
	return status;
}

static long zendesk_post(const struct signed_site *t, const char *secret, const char *sign_body, const char *body)
{
	return zendesk_post_at(t, secret, sign_body, body, zendesk_ts(0));
}

static void zendesk_endpoint(void **state)
{
	struct signed_site t;
	char body[300];
	(void)state;

	site_open(&t, "zendesk");
	sell_body(&t, 3, body, sizeof body);
	assert_int_equal(zendesk_post(&t, "", body, body), 401);
	assert_int_equal(zendesk_post(&t, "not-the-secret", body, body), 401);
	assert_int_equal(zendesk_post(&t, t.secret, "{}", body), 401);
	assert_int_equal(available(t.type), 10);
	assert_int_equal(zendesk_post(&t, t.secret, body, body), 200);
	assert_int_equal(available(t.type), 7);
	site_close(&t);
}

/* A captured signed call replayed: HubSpot v1/v2 carry no timestamp, and a
 * body may have neither reference nor idempotency_key; the same signed
 * request sells once and every copy gets the first answer. */
static void hubspot_replay_sells_once(void **state)
{
	struct signed_site t;
	char body[300];
	long long now_ms = (long long)time(NULL) * 1000;
	(void)state;

	site_open(&t, "hubspot");
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1}", t.event, t.type);
	for (int i = 0; i < 3; i++)
		assert_int_equal(hubspot_post(&t, "v1", t.secret, body, 0, NULL), 200);
	assert_int_equal(available(t.type), 9);
	for (int i = 0; i < 3; i++)
		assert_int_equal(hubspot_post(&t, "v2", t.secret, body, 0, NULL), 200);
	assert_int_equal(available(t.type), 8);
	for (int i = 0; i < 3; i++)
		assert_int_equal(hubspot_post(&t, "v3", t.secret, body, now_ms, NULL), 200);
	assert_int_equal(available(t.type), 7);
	site_close(&t);
}

/* Zendesk's timestamp is checked (5 minutes), and a replay within them
 * sells once. */
static void zendesk_stale_and_replay(void **state)
{
	struct signed_site t;
	char body[300];
	(void)state;

	site_open(&t, "zendesk");
	snprintf(body, sizeof body, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1}", t.event, t.type);
	assert_int_equal(zendesk_post_at(&t, t.secret, body, body, "2019-01-01T00:00:00Z"), 401);
	assert_int_equal(zendesk_post_at(&t, t.secret, body, body, zendesk_ts(-301)), 401);
	assert_int_equal(zendesk_post_at(&t, t.secret, body, body, zendesk_ts(301)), 401);
	assert_int_equal(zendesk_post_at(&t, t.secret, body, body, "yesterday"), 401);
	assert_int_equal(available(t.type), 10);
	{
		char ts[32];
		snprintf(ts, sizeof ts, "%s", zendesk_ts(-60));
		for (int i = 0; i < 3; i++)
			assert_int_equal(zendesk_post_at(&t, t.secret, body, body, ts), 200);
	}
	assert_int_equal(available(t.type), 9);
	site_close(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hubspot_published_examples),
		cmocka_unit_test(zendesk_signature),
		cmocka_unit_test(hubspot_endpoint),
		cmocka_unit_test(zendesk_endpoint),
		cmocka_unit_test(hubspot_replay_sells_once),
		cmocka_unit_test(zendesk_stale_and_replay),
		cmocka_unit_test(recipes_worked_requests),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

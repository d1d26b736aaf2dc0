/* Platform webhook signatures against each platform's published vectors
 * (tests/platforms/NAME-vector.txt, copied with their sources), read from the
 * files as they are, plus the ways a forged or stale request must fail. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/platform_sig.h"
#include "helpers.h"

static char dir[1024];

static char *slurp(const char *name, size_t *len)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* One block of a vector file: key=value lines after "name=NAME". The value
 * is returned malloc'd, or NULL when the block lacks the key. */
static char *vec(const char *file, const char *name, const char *key)
{
	char *text = slurp(file, NULL), *out = NULL;
	char start[200];
	snprintf(start, sizeof start, "\nname=%s\n", name);
	char *b = strstr(text, start);
	assert_non_null(b);
	b += strlen(start);
	char *end = strstr(b, "\n\n");
	size_t klen = strlen(key);
	for (char *line = b; line && (!end || line < end);) {
		char *nl = strchr(line, '\n');
		if (strncmp(line, key, klen) == 0 && line[klen] == '=') {
			size_t n = nl ? (size_t)(nl - line) - klen - 1 : strlen(line + klen + 1);
			out = strndup(line + klen + 1, n);
			break;
		}
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	return out;
}

/* The signed bytes: body_file when given, else body_literal. */
static char *vec_body(const char *file, const char *name, size_t *len)
{
	char *bf = vec(file, name, "body_file");
	if (bf) {
		char *body = slurp(bf, len);
		free(bf);
		return body;
	}
	char *lit = vec(file, name, "body_literal");
	assert_non_null(lit);
	*len = strlen(lit);
	return lit;
}

static void check_hmac_body(const char *file, const char *name)
{
	size_t len;
	char *secret = vec(file, name, "secret"), *sig = vec(file, name, "signature");
	char *body = vec_body(file, name, &len);
	assert_true(sig_hmac256_base64_ok(sig, secret, body, len));
	char made[100];
	sig_hmac256_base64(secret, body, len, made, sizeof made);
	assert_string_equal(made, sig);
	/* one byte more, or another secret, fails */
	assert_false(sig_hmac256_base64_ok(sig, secret, body, len ? len - 1 : 1));
	assert_false(sig_hmac256_base64_ok(sig, "another secret", body, len));
	free(secret);
	free(sig);
	free(body);
}

static void test_shopify_and_woocommerce_vectors(void **state)
{
	(void)state;
	check_hmac_body("shopify-vector.txt", "published_shopify_api_js");
	check_hmac_body("shopify-vector.txt", "self_generated_orders_create");
	/* WooCommerce's own test signs with an empty key */
	check_hmac_body("woocommerce-vector.txt", "published_woocommerce_core_test");
	check_hmac_body("woocommerce-vector.txt", "self_generated_order_created");
	/* garbage, empty, NULL headers never pass */
	assert_false(sig_hmac256_base64_ok(NULL, "s", "x", 1));
	assert_false(sig_hmac256_base64_ok("", "s", "x", 1));
	assert_false(sig_hmac256_base64_ok("!!!not base64!!!", "s", "x", 1));
	assert_false(sig_hmac256_base64_ok("B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g", "test_secret_key",
					   "{\"foo\": \"bar\"}", 14)); /* unpadded: not what Shopify sends */
}

static void test_square_vectors(void **state)
{
	(void)state;
	const char *names[] = {"published_square_sdk", "published_square_sdk_escaped_chars",
			       "published_square_sdk_plain", "self_generated_inventory_count_updated"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		size_t len;
		char *key = vec("square-vector.txt", names[i], "secret");
		char *url = vec("square-vector.txt", names[i], "url");
		char *sig = vec("square-vector.txt", names[i], "signature");
		char *body = vec_body("square-vector.txt", names[i], &len);
		assert_true(sig_square_ok(sig, key, url, body, len));
		/* a URL one character off fails, as Square's SDK tests show */
		url[strlen(url) - 1] ^= 1;
		assert_false(sig_square_ok(sig, key, url, body, len));
		assert_false(sig_square_ok(sig, "", "", body, len));
		free(key);
		free(url);
		free(sig);
		free(body);
	}
}

static void test_slack_vectors_and_stale_timestamps(void **state)
{
	(void)state;
	size_t len;
	char *secret = vec("slack-vector.txt", "published_slack_docs", "secret");
	char *ts = vec("slack-vector.txt", "published_slack_docs", "timestamp");
	char *sig = vec("slack-vector.txt", "published_slack_docs", "signature");
	char *body = vec_body("slack-vector.txt", "published_slack_docs", &len);
	long long t = atoll(ts);
	bool stale = true;
	assert_true(sig_slack_ok(sig, ts, secret, body, len, t, &stale));
	assert_false(stale);
	assert_true(sig_slack_ok(sig, ts, secret, body, len, t + 300, &stale));
	/* the published request is years old: refused by age with a real clock */
	assert_false(sig_slack_ok(sig, ts, secret, body, len, t + 301, &stale));
	assert_true(stale);
	assert_false(sig_slack_ok(sig, ts, secret, body, len, t - 301, &stale));
	assert_true(stale);
	/* a forged body is a mismatch, not staleness */
	assert_false(sig_slack_ok(sig, ts, secret, body, len - 1, t, &stale));
	assert_false(stale);
	assert_false(sig_slack_ok(sig + 3, ts, secret, body, len, t, NULL)); /* no "v0=" */
	assert_false(sig_slack_ok(sig, "1531420618x", secret, body, len, t, NULL));
	assert_false(sig_slack_ok(sig, "", secret, body, len, t, NULL));
	char made[100];
	sig_slack_make(secret, ts, body, len, made, sizeof made);
	assert_string_equal(made, sig);
	free(secret);
	free(ts);
	free(sig);
	free(body);

	/* the self-generated Events API vector */
	secret = vec("slack-vector.txt", "self_generated_events_json", "secret");
	ts = vec("slack-vector.txt", "self_generated_events_json", "timestamp");
	sig = vec("slack-vector.txt", "self_generated_events_json", "signature");
	body = vec_body("slack-vector.txt", "self_generated_events_json", &len);
	assert_true(sig_slack_ok(sig, ts, secret, body, len, atoll(ts), NULL));
	free(secret);
	free(ts);
	free(sig);
	free(body);
}

/* Twilio's params file: one name=value per line, values as sent. */
static char *params_as_form(const char *file)
{
	char *text = slurp(file, NULL), *out = calloc(1, strlen(text) * 3 + 1);
	assert_non_null(out);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (*out)
			strcat(out, "&");
		for (char *p = line; *p; p++) { /* form-encode '+' so it survives decoding */
			if (*p == '+')
				strcat(out, "%2B");
			else
				strncat(out, p, 1);
		}
	}
	free(text);
	return out;
}

static void test_twilio_vectors(void **state)
{
	(void)state;
	const char *url = "https://mycompany.com/myapp.php?foo=1&bar=2";
	char *pfile = vec("twilio-vector.txt", "published_twilio_python", "params_file");
	char *form = params_as_form(pfile);
	free(pfile);
	assert_true(sig_twilio_ok("RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12345", url, form));
	/* the same signature when Twilio called with the default port */
	assert_true(sig_twilio_ok("RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12345",
				  "https://mycompany.com:443/myapp.php?foo=1&bar=2", form));
	/* and the one computed over the URL with :443 against the URL without */
	assert_true(sig_twilio_ok("kvajT1Ptam85bY51eRf/AJRuM3w=", "12345", url, form));
	assert_false(sig_twilio_ok("RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12346", url, form));
	assert_false(sig_twilio_ok("RSOYDt4T1cUTdK1PDd93/VVr8B8=", "12345",
				   "https://mycompany.com:8443/myapp.php?foo=1&bar=2", form));
	char made[64];
	sig_twilio_make("12345", url, form, made, sizeof made);
	assert_string_equal(made, "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
	free(form);

	/* repeated names sort by value */
	assert_true(sig_twilio_ok("IK+Dwps556ElfBT0I3Rgjkr1wJU=", "12345", url,
				  "Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234"));
	/* a JSON body: the URL carries its SHA-256 and only the URL is signed */
	char *json = slurp("twilio-vector-json-body.txt", NULL);
	const char *jurl = "https://mycompany.com/myapp.php?foo=1&bar=2&bodySHA256="
			   "0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620";
	assert_true(sig_twilio_ok("a9nBmqA0ju/hNViExpshrM61xv4=", "12345", jurl, json));
	assert_false(sig_twilio_ok("a9nBmqA0ju/hNViExpshrM61xv4=", "12345", jurl, "{\"property\": \"other\"}"));
	free(json);

	/* the self-generated inbound SMS */
	char *token = vec("twilio-vector.txt", "self_generated_inbound_sms", "secret");
	char *surl = vec("twilio-vector.txt", "self_generated_inbound_sms", "url");
	char *sig = vec("twilio-vector.txt", "self_generated_inbound_sms", "signature");
	char *body = slurp("twilio-inbound-sms-body.txt", NULL);
	body[strcspn(body, "\n")] = '\0';
	assert_true(sig_twilio_ok(sig, token, surl, body));
	free(token);
	free(surl);
	free(sig);
	free(body);
}

static void test_hubspot_vectors(void **state)
{
	(void)state;
	char *secret = vec("hubspot-vector.txt", "published_hubspot_v1", "secret");
	char *body = vec("hubspot-vector.txt", "published_hubspot_v1", "body_literal");
	char *sig = vec("hubspot-vector.txt", "published_hubspot_v1", "signature");
	assert_true(sig_hubspot_ok(sig, "v1", secret, "POST", "https://x/y", body, strlen(body)));
	assert_false(sig_hubspot_ok(sig, "v2", secret, "POST", "https://x/y", body, strlen(body)));
	assert_false(sig_hubspot_ok(sig, "v1", secret, NULL, NULL, body, strlen(body) - 1));
	assert_false(sig_hubspot_ok(sig, "v3", secret, NULL, NULL, body, strlen(body)));
	free(body);
	free(sig);
	sig = vec("hubspot-vector.txt", "published_hubspot_v2_get", "signature");
	assert_true(sig_hubspot_ok(sig, "v2", secret, "GET", "https://www.example.com/webhook_uri", "", 0));
	assert_false(sig_hubspot_ok(sig, "v2", secret, "POST", "https://www.example.com/webhook_uri", "", 0));
	free(sig);

	/* v3: base64 HMAC-SHA256 over method, URI, body, timestamp (ms) */
	const char *b = "[{\"objectId\":1}]", *uri = "https://h.example/webhooks/hubspot";
	char msg[200], made[100];
	snprintf(msg, sizeof msg, "POST%s%s%s", uri, b, "1700000000000");
	sig_hmac256_base64(secret, msg, strlen(msg), made, sizeof made);
	assert_true(sig_hubspot_v3_ok(made, "1700000000000", secret, "POST", uri, b, strlen(b), 1700000000));
	assert_true(sig_hubspot_v3_ok(made, "1700000000000", secret, "POST", uri, b, strlen(b), 1700000300));
	assert_false(sig_hubspot_v3_ok(made, "1700000000000", secret, "POST", uri, b, strlen(b), 1700000301));
	assert_false(sig_hubspot_v3_ok(made, "1700000000001", secret, "POST", uri, b, strlen(b), 1700000000));
	free(secret);
}

static void test_our_own_webhook_signature(void **state)
{
	(void)state;
	const char *body = "{\"type\":1,\"available\":5}";
	char h[200];
	sig_boxoffice_make("portal secret", 1700000000, body, strlen(body), h, sizeof h);
	assert_int_equal(strncmp(h, "t=1700000000,v1=", 16), 0);
	assert_int_equal(strlen(h), 16 + 64);
	assert_true(sig_boxoffice_ok(h, "portal secret", body, strlen(body), 1700000100, 300));
	assert_false(sig_boxoffice_ok(h, "portal secret", body, strlen(body), 1700000301, 300));
	assert_false(sig_boxoffice_ok(h, "another", body, strlen(body), 1700000000, 300));
	assert_false(sig_boxoffice_ok(h, "portal secret", body, strlen(body) - 1, 1700000000, 300));
	/* a second v1 (a rotation) is accepted when one matches */
	char two[300];
	snprintf(two, sizeof two, "t=1700000000,v1=%064d,%s", 0, h + 13);
	assert_true(sig_boxoffice_ok(two, "portal secret", body, strlen(body), 1700000000, 300));
	assert_false(sig_boxoffice_ok("t=,v1=00", "portal secret", body, strlen(body), 1700000000, 300));
	assert_false(sig_boxoffice_ok("v1=00,t=1", "portal secret", body, strlen(body), 1, 300));
	/* the README's worked example: printf '%s' "1700000000.$body" | openssl dgst -sha256 -hmac ... */
}

int main(void)
{
	snprintf(dir, sizeof dir, "%s/../tests/platforms", BOXOFFICE_ASSETS);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shopify_and_woocommerce_vectors),
		cmocka_unit_test(test_square_vectors),
		cmocka_unit_test(test_slack_vectors_and_stale_timestamps),
		cmocka_unit_test(test_twilio_vectors),
		cmocka_unit_test(test_hubspot_vectors),
		cmocka_unit_test(test_our_own_webhook_signature),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

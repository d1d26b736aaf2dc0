#include "apikey.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"

bool apikey_secret_new(char secret[APIKEY_SECRET_CHARS + 1], unsigned char hash[APIKEY_HASH_BYTES])
{
	unsigned char raw[32];

	if (sodium_init() < 0)
		return false;
	randombytes_buf(raw, sizeof raw);
	sodium_bin2base64(secret, APIKEY_SECRET_CHARS + 1, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof raw);
	apikey_hash(secret, hash);
	return true;
}

void apikey_format(long long id, const char *secret, char *out, size_t size)
{
	snprintf(out, size, "bx%lld_%s", id, secret);
}

bool apikey_parse(const char *text, long long *id, char secret[APIKEY_SECRET_CHARS + 1])
{
	const char *p = text;
	long long v = 0;
	int digits = 0;

	if (!text || strncmp(p, "bx", 2) != 0)
		return false;
	for (p += 2; *p >= '0' && *p <= '9'; p++) {
		if (++digits > 18)
			return false;
		v = v * 10 + (*p - '0');
	}
	if (!digits || v <= 0 || *p != '_' || strlen(p + 1) != APIKEY_SECRET_CHARS)
		return false;
	for (const char *s = p + 1; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      *s == '_'))
			return false;
	*id = v;
	memcpy(secret, p + 1, APIKEY_SECRET_CHARS + 1);
	return true;
}

void apikey_hash(const char *secret, unsigned char hash[APIKEY_HASH_BYTES])
{
	crypto_generichash(hash, APIKEY_HASH_BYTES, (const unsigned char *)secret, strlen(secret), NULL, 0);
}

bool apikey_matches(const char *secret, const char *stored_hash_hex)
{
	unsigned char want[APIKEY_HASH_BYTES], got[APIKEY_HASH_BYTES];

	if (!stored_hash_hex || strlen(stored_hash_hex) != 2 * APIKEY_HASH_BYTES ||
	    !hex_decode(stored_hash_hex, want, sizeof want))
		return false;
	apikey_hash(secret, got);
	return sodium_memcmp(want, got, sizeof got) == 0;
}

bool rate_take(struct rate_bucket *b, int rate_per_minute, long long now_ms, int *retry_after_s)
{
	double per_ms;

	if (rate_per_minute <= 0)
		return true;
	if (b->rate != rate_per_minute || b->last_ms == 0) {
		b->rate = rate_per_minute;
		b->tokens = rate_per_minute;
		b->last_ms = now_ms;
	}
	per_ms = rate_per_minute / 60000.0;
	if (now_ms > b->last_ms) {
		b->tokens += (double)(now_ms - b->last_ms) * per_ms;
		if (b->tokens > rate_per_minute)
			b->tokens = rate_per_minute;
		b->last_ms = now_ms;
	}
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		return true;
	}
	if (retry_after_s) {
		double wait_ms = (1.0 - b->tokens) / per_ms;
		*retry_after_s = (int)(wait_ms / 1000.0) + 1;
	}
	return false;
}

static void hmac_sha256(const char *key, const unsigned char *msg1, size_t n1, const unsigned char *msg2, size_t n2,
			unsigned char out[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state st;

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)key, strlen(key));
	crypto_auth_hmacsha256_update(&st, msg1, n1);
	if (n2)
		crypto_auth_hmacsha256_update(&st, msg2, n2);
	crypto_auth_hmacsha256_final(&st, out);
}

static void stripe_mac(const char *ts, size_t ts_len, const char *body, size_t body_len, const char *secret,
		       unsigned char out[crypto_auth_hmacsha256_BYTES])
{
	char prefix[40];

	snprintf(prefix, sizeof prefix, "%.*s.", (int)ts_len, ts);
	hmac_sha256(secret, (const unsigned char *)prefix, strlen(prefix), (const unsigned char *)body, body_len, out);
}

enum sig_check stripe_signature_check(const char *header, const char *body, size_t body_len, const char *secret,
				      long long now_s, long long tolerance_s)
{
	const char *p, *ts = NULL;
	size_t ts_len = 0;
	unsigned char want[crypto_auth_hmacsha256_BYTES], got[crypto_auth_hmacsha256_BYTES];
	bool any_v1 = false, match = false;
	long long t = 0;

	if (!header || !*header)
		return SIG_MISSING;
	if (sodium_init() < 0)
		return SIG_MALFORMED;
	for (p = header; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > 2 && strncmp(p, "t=", 2) == 0 && !ts) {
			ts = p + 2;
			ts_len = len - 2;
		}
		p += len + (end ? 1 : 0);
	}
	if (!ts || ts_len == 0 || ts_len > 18)
		return SIG_MALFORMED;
	for (size_t i = 0; i < ts_len; i++) {
		if (ts[i] < '0' || ts[i] > '9')
			return SIG_MALFORMED;
		t = t * 10 + (ts[i] - '0');
	}
	stripe_mac(ts, ts_len, body, body_len, secret, want);
	for (p = header; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == 3 + 2 * sizeof got && strncmp(p, "v1=", 3) == 0) {
			char hex[2 * sizeof got + 1];
			any_v1 = true;
			memcpy(hex, p + 3, 2 * sizeof got);
			hex[2 * sizeof got] = '\0';
			if (hex_decode(hex, got, sizeof got) && sodium_memcmp(got, want, sizeof got) == 0)
				match = true;
		}
		p += len + (end ? 1 : 0);
	}
	if (!any_v1)
		return SIG_MALFORMED;
	if (!match)
		return SIG_MISMATCH;
	if (llabs(now_s - t) > tolerance_s)
		return SIG_STALE;
	return SIG_OK;
}

void stripe_signature_make(const char *body, size_t body_len, const char *secret, long long ts, char *out, size_t size)
{
	char tstext[24], hex[2 * crypto_auth_hmacsha256_BYTES + 1];
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	if (sodium_init() < 0) {
		snprintf(out, size, "t=0");
		return;
	}
	snprintf(tstext, sizeof tstext, "%lld", ts);
	stripe_mac(tstext, strlen(tstext), body, body_len, secret, mac);
	hex_encode(mac, sizeof mac, hex);
	snprintf(out, size, "t=%s,v1=%s", tstext, hex);
}

const char *sig_check_text(enum sig_check c)
{
	switch (c) {
	case SIG_OK:
		return "signature good";
	case SIG_MISSING:
		return "no signature";
	case SIG_MALFORMED:
		return "malformed signature header";
	case SIG_MISMATCH:
		return "signature does not match";
	case SIG_STALE:
		return "signature timestamp too old or in the future";
	}
	return "bad signature";
}

static void link_mac(long long person_id, const char *secret, char *out, size_t size)
{
	char msg[40];
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	snprintf(msg, sizeof msg, "my:%lld", person_id);
	hmac_sha256(secret, (const unsigned char *)msg, strlen(msg), NULL, 0, mac);
	sodium_bin2base64(out, size, mac, 16, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void link_sign(long long person_id, const char *secret, char *out, size_t size)
{
	char mac[32];

	if (sodium_init() < 0) {
		snprintf(out, size, "0");
		return;
	}
	link_mac(person_id, secret, mac, sizeof mac);
	snprintf(out, size, "%lld.%s", person_id, mac);
}

long long link_verify(const char *link, const char *secret)
{
	char want[32];
	const char *dot;
	long long id = 0;

	if (!link || sodium_init() < 0 || !(dot = strchr(link, '.')) || dot == link || dot - link > 18)
		return 0;
	for (const char *p = link; p < dot; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		id = id * 10 + (*p - '0');
	}
	if (id <= 0)
		return 0;
	link_mac(id, secret, want, sizeof want);
	if (strlen(dot + 1) != strlen(want) || sodium_memcmp(dot + 1, want, strlen(want)) != 0)
		return 0;
	return id;
}

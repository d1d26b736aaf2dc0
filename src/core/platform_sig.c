#include "core/platform_sig.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An incremental HMAC (OpenSSL 3's EVP_MAC; HMAC_CTX is deprecated). */
struct mac {
	EVP_MAC *mac;
	EVP_MAC_CTX *ctx;
	bool ok;
};

static void mac_begin(struct mac *m, const char *digest, const char *key)
{
	static const unsigned char empty[1];
	OSSL_PARAM params[2];
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	m->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	m->ctx = m->mac ? EVP_MAC_CTX_new(m->mac) : NULL;
	m->ok = m->ctx && EVP_MAC_init(m->ctx, key && *key ? (const unsigned char *)key : empty,
				       key ? strlen(key) : 0, params);
}

static void mac_update(struct mac *m, const void *data, size_t len)
{
	if (m->ok && len)
		m->ok = EVP_MAC_update(m->ctx, data, len);
}

static unsigned mac_end(struct mac *m, unsigned char *out)
{
	size_t len = 0;
	if (!m->ok || !EVP_MAC_final(m->ctx, out, &len, EVP_MAX_MD_SIZE))
		len = 0;
	EVP_MAC_CTX_free(m->ctx);
	EVP_MAC_free(m->mac);
	return (unsigned)len;
}

/* HMAC over several pieces, as if concatenated, without copying the body. */
static unsigned hmac_parts(const char *digest, const char *key, const void *const *parts, const size_t *lens,
			   int n, unsigned char *out)
{
	struct mac m;
	mac_begin(&m, digest, key);
	for (int i = 0; i < n; i++)
		mac_update(&m, parts[i], lens[i]);
	return mac_end(&m, out);
}

/* The header's base64 decodes to exactly the expected MAC. */
static bool base64_equals(const char *header, const unsigned char *mac, unsigned mac_len)
{
	unsigned char got[EVP_MAX_MD_SIZE];
	size_t got_len = 0;
	if (!header || mac_len == 0)
		return false;
	if (sodium_base642bin(got, sizeof got, header, strlen(header), " \t", &got_len, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0)
		return false;
	return got_len == mac_len && CRYPTO_memcmp(got, mac, mac_len) == 0;
}

static bool hex_equals(const char *hex, const unsigned char *mac, unsigned mac_len)
{
	unsigned char got[EVP_MAX_MD_SIZE];
	size_t got_len = 0;
	const char *end = NULL;
	if (!hex || mac_len == 0)
		return false;
	if (sodium_hex2bin(got, sizeof got, hex, strlen(hex), NULL, &got_len, &end) != 0 || *end != '\0')
		return false;
	return got_len == mac_len && CRYPTO_memcmp(got, mac, mac_len) == 0;
}

static void to_base64(const unsigned char *mac, unsigned len, char *out, size_t size)
{
	if (size < sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL)) {
		if (size)
			out[0] = '\0';
		return;
	}
	sodium_bin2base64(out, size, mac, len, sodium_base64_VARIANT_ORIGINAL);
}

static void to_hex(const unsigned char *mac, unsigned len, char *out, size_t size)
{
	if (size < (size_t)len * 2 + 1) {
		if (size)
			out[0] = '\0';
		return;
	}
	sodium_bin2hex(out, size, mac, len);
}

bool sig_hmac256_base64_ok(const char *header, const char *secret, const char *body, size_t body_len)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	if (!secret)
		return false;
	const void *parts[] = {body};
	size_t lens[] = {body_len};
	len = hmac_parts("SHA256", secret, parts, lens, 1, mac);
	return base64_equals(header, mac, len);
}

void sig_hmac256_base64(const char *secret, const void *msg, size_t len, char *out, size_t size)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	const void *parts[] = {msg};
	size_t lens[] = {len};
	unsigned mac_len = hmac_parts("SHA256", secret, parts, lens, 1, mac);
	to_base64(mac, mac_len, out, size);
}

bool sig_square_ok(const char *header, const char *key, const char *url, const char *body, size_t body_len)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	/* Square's SDKs refuse an empty key or URL: nothing can match then */
	if (!key || !*key || !url || !*url)
		return false;
	const void *parts[] = {url, body};
	size_t lens[] = {strlen(url), body_len};
	unsigned len = hmac_parts("SHA256", key, parts, lens, 2, mac);
	return base64_equals(header, mac, len);
}

static unsigned slack_mac(const char *secret, const char *timestamp, const char *body, size_t body_len,
			  unsigned char *mac)
{
	const void *parts[] = {"v0:", timestamp, ":", body};
	size_t lens[] = {3, strlen(timestamp), 1, body_len};
	return hmac_parts("SHA256", secret, parts, lens, 4, mac);
}

/* A whole number of seconds (or ms), nothing else. */
static bool parse_ll(const char *s, long long *out)
{
	if (!s || !*s)
		return false;
	long long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9' || v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (*p - '0');
	}
	*out = v;
	return true;
}

bool sig_slack_ok(const char *header, const char *timestamp, const char *secret, const char *body,
		  size_t body_len, long long now_s, bool *stale)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	long long ts;
	if (stale)
		*stale = false;
	if (!header || !secret || strncmp(header, "v0=", 3) != 0 || !parse_ll(timestamp, &ts))
		return false;
	unsigned len = slack_mac(secret, timestamp, body, body_len, mac);
	if (!hex_equals(header + 3, mac, len))
		return false;
	if (ts < now_s - 300 || ts > now_s + 300) {
		if (stale)
			*stale = true;
		return false;
	}
	return true;
}

void sig_slack_make(const char *secret, const char *timestamp, const char *body, size_t body_len, char *out,
		    size_t size)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned len = slack_mac(secret, timestamp, body, body_len, mac);
	if (size < 4) {
		if (size)
			out[0] = '\0';
		return;
	}
	memcpy(out, "v0=", 3);
	to_hex(mac, len, out + 3, size - 3);
}

/* ---- Twilio ---- */

struct form_pair {
	char *name, *value;
};

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* application/x-www-form-urlencoded: '+' is a space, %XX a byte. */
static char *form_decode(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+')
			*o++ = ' ';
		else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			*o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

static int pair_cmp(const void *a, const void *b)
{
	const struct form_pair *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

/* The parameters, decoded and sorted by name then value (repeated names
 * sort by value, as Twilio's validators do). */
static struct form_pair *form_sorted(const char *body, size_t *count)
{
	size_t cap = 0, n = 0;
	struct form_pair *pairs = NULL;
	*count = 0;
	if (!body)
		return NULL;
	for (const char *p = body; *p;) {
		const char *amp = strchr(p, '&');
		size_t len = amp ? (size_t)(amp - p) : strlen(p);
		if (len) {
			const char *eq = memchr(p, '=', len);
			size_t nlen = eq ? (size_t)(eq - p) : len;
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				struct form_pair *grown = realloc(pairs, cap * sizeof *pairs);
				if (!grown)
					break;
				pairs = grown;
			}
			pairs[n].name = form_decode(p, nlen);
			pairs[n].value = eq ? form_decode(eq + 1, len - nlen - 1) : form_decode("", 0);
			if (!pairs[n].name || !pairs[n].value) {
				free(pairs[n].name);
				free(pairs[n].value);
				break;
			}
			n++;
		}
		p += len + (amp ? 1 : 0);
	}
	if (n)
		qsort(pairs, n, sizeof *pairs, pair_cmp);
	*count = n;
	return pairs;
}

static void form_free(struct form_pair *pairs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(pairs[i].name);
		free(pairs[i].value);
	}
	free(pairs);
}

static unsigned twilio_mac(const char *token, const char *url, const struct form_pair *pairs, size_t n,
			   unsigned char *mac)
{
	struct mac m;
	mac_begin(&m, "SHA1", token);
	mac_update(&m, url, strlen(url));
	for (size_t i = 0; i < n; i++) {
		mac_update(&m, pairs[i].name, strlen(pairs[i].name));
		mac_update(&m, pairs[i].value, strlen(pairs[i].value));
	}
	return mac_end(&m, mac);
}

/* The same URL with the scheme's default port added when absent, or
 * removed when present; NULL when neither applies. */
static char *url_other_port(const char *url)
{
	const char *port = NULL;
	size_t skip = 0;
	if (strncmp(url, "https://", 8) == 0)
		port = ":443", skip = 8;
	else if (strncmp(url, "http://", 7) == 0)
		port = ":80", skip = 7;
	else
		return NULL;
	const char *host = url + skip;
	size_t host_len = strcspn(host, "/?#");
	const char *colon = memchr(host, ':', host_len);
	size_t plen = strlen(port);
	char *out = malloc(strlen(url) + plen + 1);
	if (!out)
		return NULL;
	if (colon) {
		if ((size_t)(host + host_len - colon) != plen || strncmp(colon, port, plen) != 0) {
			free(out);
			return NULL; /* another port: Twilio called exactly that */
		}
		size_t before = (size_t)(colon - url);
		memcpy(out, url, before);
		strcpy(out + before, colon + plen);
	} else {
		size_t before = (size_t)(host + host_len - url);
		memcpy(out, url, before);
		memcpy(out + before, port, plen);
		strcpy(out + before + plen, host + host_len);
	}
	return out;
}

/* Twilio's JSON-bodied requests: the URL carries bodySHA256 of the body,
 * and only the URL is signed. */
static const char *query_param(const char *url, const char *name, size_t *len)
{
	const char *q = strchr(url, '?');
	size_t nlen = strlen(name);
	for (const char *p = q; p && *p;) {
		p++;
		if (strncmp(p, name, nlen) == 0 && p[nlen] == '=') {
			*len = strcspn(p + nlen + 1, "&#");
			return p + nlen + 1;
		}
		p = strchr(p, '&');
	}
	return NULL;
}

static bool twilio_check(const char *header, const char *token, const char *url, const struct form_pair *pairs,
			 size_t n)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned len = twilio_mac(token, url, pairs, n, mac);
	if (base64_equals(header, mac, len))
		return true;
	char *other = url_other_port(url);
	bool ok = false;
	if (other) {
		len = twilio_mac(token, other, pairs, n, mac);
		ok = base64_equals(header, mac, len);
		free(other);
	}
	return ok;
}

bool sig_twilio_ok(const char *header, const char *token, const char *url, const char *form_body)
{
	if (!header || !token || !*token || !url)
		return false;
	size_t hash_len = 0;
	const char *hash = query_param(url, "bodySHA256", &hash_len);
	if (hash) {
		unsigned char digest[crypto_hash_sha256_BYTES];
		char hex[2 * crypto_hash_sha256_BYTES + 1];
		const char *b = form_body ? form_body : "";
		crypto_hash_sha256(digest, (const unsigned char *)b, strlen(b));
		sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
		if (hash_len != strlen(hex) || sodium_memcmp(hex, hash, hash_len) != 0)
			return false;
		return twilio_check(header, token, url, NULL, 0);
	}
	size_t n = 0;
	struct form_pair *pairs = form_sorted(form_body, &n);
	bool ok = twilio_check(header, token, url, pairs, n);
	form_free(pairs, n);
	return ok;
}

void sig_twilio_make(const char *token, const char *url, const char *form_body, char *out, size_t size)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t n = 0;
	struct form_pair *pairs = form_sorted(form_body, &n);
	unsigned len = twilio_mac(token, url, pairs, n, mac);
	form_free(pairs, n);
	to_base64(mac, len, out, size);
}

/* ---- HubSpot ---- */

bool sig_hubspot_ok(const char *header, const char *version, const char *secret, const char *method,
		    const char *uri, const char *body, size_t body_len)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	bool v2;
	if (!header || !secret || !*secret || !version)
		return false;
	if (strcmp(version, "v1") == 0)
		v2 = false;
	else if (strcmp(version, "v2") == 0)
		v2 = true;
	else
		return false;
	if (v2 && (!method || !uri))
		return false;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx)
		return false;
	bool ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) && EVP_DigestUpdate(ctx, secret, strlen(secret)) &&
		  (!v2 || (EVP_DigestUpdate(ctx, method, strlen(method)) && EVP_DigestUpdate(ctx, uri, strlen(uri)))) &&
		  (body_len == 0 || EVP_DigestUpdate(ctx, body, body_len)) && EVP_DigestFinal_ex(ctx, digest, &len);
	EVP_MD_CTX_free(ctx);
	return ok && hex_equals(header, digest, len);
}

bool sig_hubspot_v3_ok(const char *header, const char *timestamp_ms, const char *secret, const char *method,
		       const char *uri, const char *body, size_t body_len, long long now_s)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	long long ts;
	if (!header || !secret || !*secret || !method || !uri || !parse_ll(timestamp_ms, &ts))
		return false;
	const void *parts[] = {method, uri, body, timestamp_ms};
	size_t lens[] = {strlen(method), strlen(uri), body_len, strlen(timestamp_ms)};
	unsigned len = hmac_parts("SHA256", secret, parts, lens, 4, mac);
	if (!base64_equals(header, mac, len))
		return false;
	/* HubSpot: refuse a request whose timestamp is more than 5 minutes old */
	return ts / 1000 >= now_s - 300 && ts / 1000 <= now_s + 300;
}

/* ---- our own outbound webhook ---- */

static unsigned boxoffice_mac(const char *secret, const char *ts, const char *body, size_t body_len,
			      unsigned char *mac)
{
	const void *parts[] = {ts, ".", body};
	size_t lens[] = {strlen(ts), 1, body_len};
	return hmac_parts("SHA256", secret, parts, lens, 3, mac);
}

void sig_boxoffice_make(const char *secret, long long ts, const char *body, size_t body_len, char *out,
			size_t size)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	char tstext[24], hex[2 * EVP_MAX_MD_SIZE + 1];
	snprintf(tstext, sizeof tstext, "%lld", ts);
	unsigned len = boxoffice_mac(secret, tstext, body, body_len, mac);
	to_hex(mac, len, hex, sizeof hex);
	snprintf(out, size, "t=%s,v1=%s", tstext, hex);
}

bool sig_boxoffice_ok(const char *header, const char *secret, const char *body, size_t body_len, long long now_s,
		      long long tolerance_s)
{
	char ts[24];
	long long t;
	bool matched = false;
	if (!header || !secret || strncmp(header, "t=", 2) != 0)
		return false;
	size_t tlen = strcspn(header + 2, ",");
	if (tlen == 0 || tlen >= sizeof ts)
		return false;
	memcpy(ts, header + 2, tlen);
	ts[tlen] = '\0';
	if (!parse_ll(ts, &t))
		return false;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned len = boxoffice_mac(secret, ts, body, body_len, mac);
	/* every v1= (a receiver may see two during a secret's rotation) */
	for (const char *p = header + 2 + tlen; *p == ',';) {
		p++;
		size_t n = strcspn(p, ",");
		if (n > 3 && strncmp(p, "v1=", 3) == 0 && n - 3 < 2 * EVP_MAX_MD_SIZE + 1) {
			char hex[2 * EVP_MAX_MD_SIZE + 1];
			memcpy(hex, p + 3, n - 3);
			hex[n - 3] = '\0';
			matched |= hex_equals(hex, mac, len);
		}
		p += n;
	}
	return matched && t >= now_s - tolerance_s && t <= now_s + tolerance_s;
}

/* Zendesk's webhook signature and the makers of HubSpot's (see the header). */
#include "platform_sig_extra.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* HMAC-SHA256(secret, a ‖ b) as base64 into out ("" when it cannot). */
static void hmac_b64(const char *secret, const char *a, size_t alen, const char *b, size_t blen, char *out,
		     size_t size)
{
	unsigned char mac[EVP_MAX_MD_SIZE], b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
	unsigned int maclen = 0;
	char *msg = malloc(alen + blen + 1);

	if (size)
		out[0] = '\0';
	if (!msg)
		return;
	memcpy(msg, a, alen);
	if (blen)
		memcpy(msg + alen, b, blen);
	if (HMAC(EVP_sha256(), secret, (int)strlen(secret), (const unsigned char *)msg, alen + blen, mac, &maclen)) {
		EVP_EncodeBlock(b64, mac, (int)maclen);
		snprintf(out, size, "%s", (const char *)b64);
	}
	free(msg);
	OPENSSL_cleanse(mac, sizeof mac);
}

void sig_zendesk_make(const char *secret, const char *timestamp, const char *body, size_t body_len, char *out,
		      size_t size)
{
	hmac_b64(secret, timestamp, strlen(timestamp), body ? body : "", body ? body_len : 0, out, size);
}

bool sig_zendesk_ok(const char *header, const char *timestamp, const char *secret, const char *body,
		    size_t body_len)
{
	char want[128];
	size_t n;
	bool ok;

	if (!header || !timestamp || !secret || !*secret || !*timestamp)
		return false;
	sig_zendesk_make(secret, timestamp, body, body_len, want, sizeof want);
	n = strlen(want);
	ok = n > 0 && strlen(header) == n && CRYPTO_memcmp(header, want, n) == 0;
	OPENSSL_cleanse(want, sizeof want);
	return ok;
}

void sig_hubspot_make(const char *version, const char *secret, const char *method, const char *uri,
		      const char *body, size_t body_len, char *out, size_t size)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	bool v2 = version && strcmp(version, "v2") == 0;

	if (size)
		out[0] = '\0';
	if (!c)
		return;
	if (EVP_DigestInit_ex(c, EVP_sha256(), NULL) && EVP_DigestUpdate(c, secret, strlen(secret)) &&
	    (!v2 || (EVP_DigestUpdate(c, method, strlen(method)) && EVP_DigestUpdate(c, uri, strlen(uri)))) &&
	    (!body_len || EVP_DigestUpdate(c, body, body_len)) && EVP_DigestFinal_ex(c, md, NULL) &&
	    size >= 2 * SHA256_DIGEST_LENGTH + 1) {
		for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
			snprintf(out + 2 * i, 3, "%02x", md[i]);
	}
	EVP_MD_CTX_free(c);
}

void sig_hubspot_v3_make(const char *secret, const char *method, const char *uri, const char *body,
			 size_t body_len, const char *timestamp_ms, char *out, size_t size)
{
	size_t ml = strlen(method), ul = strlen(uri), tl = strlen(timestamp_ms);
	char *msg = malloc(ml + ul + body_len + tl + 1);

	if (size)
		out[0] = '\0';
	if (!msg)
		return;
	memcpy(msg, method, ml);
	memcpy(msg + ml, uri, ul);
	if (body_len)
		memcpy(msg + ml + ul, body, body_len);
	memcpy(msg + ml + ul + body_len, timestamp_ms, tl);
	hmac_b64(secret, msg, ml + ul + body_len + tl, "", 0, out, size);
	free(msg);
}

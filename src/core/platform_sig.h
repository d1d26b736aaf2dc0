/* Webhook signatures of the platforms we connect to, each exactly as the
 * platform computes it (sources and published vectors in
 * tests/platforms/). Pure functions over libcrypto's HMAC; every compare is
 * constant-time on the decoded bytes. Verify over the raw body, before any
 * parsing.
 *
 *   Shopify      X-Shopify-Hmac-Sha256     base64 HMAC-SHA256(secret, body)
 *   WooCommerce  X-WC-Webhook-Signature    base64 HMAC-SHA256(secret, body)
 *   Square       x-square-hmacsha256-signature
 *                                          base64 HMAC-SHA256(key, url ‖ body)
 *   Slack        X-Slack-Signature         "v0=" hex HMAC-SHA256(secret, "v0:" ts ":" body)
 *   Twilio       X-Twilio-Signature        base64 HMAC-SHA1(token, url ‖ sorted name‖value…)
 *   HubSpot      X-HubSpot-Signature       v1: hex SHA-256(secret ‖ body)
 *                                          v2: hex SHA-256(secret ‖ method ‖ uri ‖ body)
 *                X-HubSpot-Signature-v3    base64 HMAC-SHA256(secret, method ‖ uri ‖ body ‖ ts)
 *   generic      X-Boxoffice-Signature     "t=TS,v1=" hex HMAC-SHA256(secret, TS "." body)
 *                                          (what our outbound webhook sends; documented in README) */
#ifndef BOXOFFICE_CORE_PLATFORM_SIG_H
#define BOXOFFICE_CORE_PLATFORM_SIG_H

#include <stdbool.h>
#include <stddef.h>

/* base64 HMAC-SHA256(secret, body) — Shopify and WooCommerce. */
bool sig_hmac256_base64_ok(const char *header, const char *secret, const char *body, size_t body_len);
/* Square: the URL as registered with Square, then the body. */
bool sig_square_ok(const char *header, const char *key, const char *url, const char *body, size_t body_len);
/* Slack v0; false when |now - ts| > 300 s as well (*stale tells which). */
bool sig_slack_ok(const char *header, const char *timestamp, const char *secret, const char *body,
		  size_t body_len, long long now_s, bool *stale);
/* Twilio: url exactly as Twilio called it (with its query); the form body
 * application/x-www-form-urlencoded (NULL or "" for none). Tries the URL
 * with and without the scheme's default port, as Twilio's SDKs do. */
bool sig_twilio_ok(const char *header, const char *token, const char *url, const char *form_body);
/* HubSpot v1/v2 (version "v1" or "v2") and v3 (timestamp in ms, refused
 * when older than 5 minutes). */
bool sig_hubspot_ok(const char *header, const char *version, const char *secret, const char *method,
		    const char *uri, const char *body, size_t body_len);
bool sig_hubspot_v3_ok(const char *header, const char *timestamp_ms, const char *secret, const char *method,
		       const char *uri, const char *body, size_t body_len, long long now_s);

/* Making signatures: tests, the fake platforms, our own outbound webhook. */
void sig_hmac256_base64(const char *secret, const void *msg, size_t len, char *out, size_t size);
void sig_slack_make(const char *secret, const char *timestamp, const char *body, size_t body_len, char *out,
		    size_t size);
void sig_twilio_make(const char *token, const char *url, const char *form_body, char *out, size_t size);
/* Our generic webhook: "t=TS,v1=HEX". */
void sig_boxoffice_make(const char *secret, long long ts, const char *body, size_t body_len, char *out,
			size_t size);
bool sig_boxoffice_ok(const char *header, const char *secret, const char *body, size_t body_len, long long now_s,
		      long long tolerance_s);

#endif

/* Signatures of the recipe platforms that sign their calls, beside
 * platform_sig.h (sources in tests/platforms/others.md):
 *
 *   Zendesk   X-Zendesk-Webhook-Signature  base64 HMAC-SHA256(secret, ts ‖ body),
 *             ts = X-Zendesk-Webhook-Signature-Timestamp as sent
 *   HubSpot   the makers of what platform_sig.h checks (tests, examples)
 *
 * Pure functions over libcrypto; compares are constant-time. */
#ifndef BOXOFFICE_CORE_PLATFORM_SIG_EXTRA_H
#define BOXOFFICE_CORE_PLATFORM_SIG_EXTRA_H

#include <stdbool.h>
#include <stddef.h>

bool sig_zendesk_ok(const char *header, const char *timestamp, const char *secret, const char *body,
		    size_t body_len);
void sig_zendesk_make(const char *secret, const char *timestamp, const char *body, size_t body_len, char *out,
		      size_t size);
/* HubSpot v1 ("v1": hex SHA-256(secret ‖ body)) or v2 ("v2": hex
 * SHA-256(secret ‖ method ‖ uri ‖ body)); out needs 65 bytes. */
void sig_hubspot_make(const char *version, const char *secret, const char *method, const char *uri,
		      const char *body, size_t body_len, char *out, size_t size);
/* HubSpot v3: base64 HMAC-SHA256(secret, method ‖ uri ‖ body ‖ timestamp_ms). */
void sig_hubspot_v3_make(const char *secret, const char *method, const char *uri, const char *body,
			 size_t body_len, const char *timestamp_ms, char *out, size_t size);

#endif

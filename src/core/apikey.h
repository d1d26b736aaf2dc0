/* API keys and the other secrets `boxoffice serve` checks: pure functions
 * over libsodium, no I/O.
 *
 * A key reads "bx<ID>_<SECRET>": the ID finds the row, the secret (32
 * random bytes, base64url) is stored only as its BLAKE2b-256 hash and
 * compared in constant time. */
#ifndef BOXOFFICE_CORE_APIKEY_H
#define BOXOFFICE_CORE_APIKEY_H

#include <stdbool.h>
#include <stddef.h>

#define APIKEY_SECRET_CHARS 43 /* 32 bytes in unpadded base64url */
#define APIKEY_TEXT_MAX 80
#define APIKEY_HASH_BYTES 32

/* A fresh secret (NUL-terminated, APIKEY_SECRET_CHARS) and its hash. */
bool apikey_secret_new(char secret[APIKEY_SECRET_CHARS + 1], unsigned char hash[APIKEY_HASH_BYTES]);
/* The key text the user is shown once. */
void apikey_format(long long id, const char *secret, char *out, size_t size);
/* Splits "bx<ID>_<SECRET>"; false when it is not one. */
bool apikey_parse(const char *text, long long *id, char secret[APIKEY_SECRET_CHARS + 1]);
void apikey_hash(const char *secret, unsigned char hash[APIKEY_HASH_BYTES]);
/* The secret's hash equals the stored one (hex), in constant time. */
bool apikey_matches(const char *secret, const char *stored_hash_hex);

/* A per-key token bucket: `rate` requests a minute, up to a minute's worth
 * at once. rate 0: no limit. */
struct rate_bucket {
	double tokens;
	long long last_ms;
	int rate; /* per minute */
};
/* True when a request may go now; otherwise *retry_after_s says when. */
bool rate_take(struct rate_bucket *b, int rate_per_minute, long long now_ms, int *retry_after_s);

/* Stripe's webhook signature: header "t=TS,v1=HEX[,v1=HEX…]" over
 * "TS.BODY" with HMAC-SHA256 under the endpoint secret; refused when no v1
 * matches or TS is more than tolerance_s away from now_s. */
enum sig_check { SIG_OK, SIG_MISSING, SIG_MALFORMED, SIG_MISMATCH, SIG_STALE };
enum sig_check stripe_signature_check(const char *header, const char *body, size_t body_len, const char *secret,
				      long long now_s, long long tolerance_s);
/* The header a provider would send (tests, the fake provider). */
void stripe_signature_make(const char *body, size_t body_len, const char *secret, long long ts, char *out,
			   size_t size);
const char *sig_check_text(enum sig_check c);

/* A participant's My Tickets link: "<PERSON>.<MAC>", MAC the first 16
 * bytes of HMAC-SHA256(secret, "my:<PERSON>") in base64url. */
#define LINK_TEXT_MAX 64
void link_sign(long long person_id, const char *secret, char *out, size_t size);
/* The person a link names, or 0 when it is not a link this secret made. */
long long link_verify(const char *link, const char *secret);

#endif

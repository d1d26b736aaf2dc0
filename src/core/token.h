/* Signed ticket tokens, verifiable by any entrance station without the
 * database.
 *
 * Format: "BX1:" followed by base45 (RFC 9285, QR alphanumeric alphabet)
 * of payload ‖ signature, where payload = LEB128 varints of event id,
 * ticket id, ticket type id and issue number, and signature = Ed25519
 * (libsodium, detached) by the event's key over "BX1" ‖ payload. A
 * reissued ticket gets the next issue number, so its old token no longer
 * matches. The event id is readable before verification, so a station can
 * pick the event's public key. */
#ifndef BOXOFFICE_CORE_TOKEN_H
#define BOXOFFICE_CORE_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOKEN_PREFIX "BX1:"
#define TOKEN_MAX 200
#define TOKEN_PUBLIC_KEY_BYTES 32
#define TOKEN_SECRET_KEY_BYTES 64

struct ticket_claim {
	uint64_t event_id;
	uint64_t ticket_id;
	uint64_t type_id;
	uint32_t issue;
};

enum token_status {
	TOKEN_VALID,
	TOKEN_MALFORMED,     /* not one of ours, truncated or garbled */
	TOKEN_BAD_SIGNATURE, /* forged or altered */
};

/* Creates an event key pair; false if libsodium cannot start. */
bool token_keypair(unsigned char pk[TOKEN_PUBLIC_KEY_BYTES], unsigned char sk[TOKEN_SECRET_KEY_BYTES]);
/* Writes the token (NUL-terminated) into out; false if it does not fit. */
bool token_mint(const struct ticket_claim *claim, const unsigned char sk[TOKEN_SECRET_KEY_BYTES],
		char *out, size_t size);
/* Reads the claim without checking the signature (to choose the key). */
enum token_status token_peek(const char *token, struct ticket_claim *claim);
/* Reads and verifies; the claim is filled only when valid. */
enum token_status token_verify(const char *token, const unsigned char pk[TOKEN_PUBLIC_KEY_BYTES],
			       struct ticket_claim *claim);
/* The reason a door gives for what does not verify (shown and printed
 * as is by every door: the gate, the check-in screen, POST /checkin). */
const char *token_status_text(enum token_status status);
/* The reason every door gives, online, for a code whose event has no key
 * (no token was ever made for it). */
#define TOKEN_REASON_NO_KEY "unknown code (no key for its event)"

/* RFC 9285 base45; return the length written, or (size_t)-1. */
size_t base45_encode(const unsigned char *in, size_t n, char *out, size_t cap);
size_t base45_decode(const char *in, size_t n, unsigned char *out, size_t cap);

/* Hex for keys: 2*n chars + NUL into out; decode returns false on junk. */
void hex_encode(const unsigned char *in, size_t n, char *out);
bool hex_decode(const char *in, unsigned char *out, size_t n);

#endif

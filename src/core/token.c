#include "token.h"

#include <sodium.h>
#include <string.h>

static const char b45[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

size_t base45_encode(const unsigned char *in, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	if (cap == 0)
		return (size_t)-1; /* no room even for the NUL (found by fuzzing) */
	for (size_t i = 0; i < n; i += 2) {
		unsigned v = i + 1 < n ? (unsigned)in[i] * 256 + in[i + 1] : in[i];
		int chars = i + 1 < n ? 3 : 2;
		if (o + (size_t)chars >= cap)
			return (size_t)-1;
		for (int k = 0; k < chars; k++) {
			out[o++] = b45[v % 45];
			v /= 45;
		}
	}
	out[o] = '\0';
	return o;
}

static int b45_value(char c)
{
	const char *p = c ? strchr(b45, c) : NULL;
	return p ? (int)(p - b45) : -1;
}

size_t base45_decode(const char *in, size_t n, unsigned char *out, size_t cap)
{
	size_t o = 0;
	if (n % 3 == 1)
		return (size_t)-1;
	for (size_t i = 0; i < n; i += 3) {
		int chars = i + 2 < n ? 3 : 2;
		unsigned v = 0, mul = 1;
		for (int k = 0; k < chars; k++) {
			int d = b45_value(in[i + (size_t)k]);
			if (d < 0)
				return (size_t)-1;
			v += (unsigned)d * mul;
			mul *= 45;
		}
		if (chars == 3) {
			if (v > 0xFFFF || o + 2 > cap)
				return (size_t)-1;
			out[o++] = (unsigned char)(v >> 8);
			out[o++] = (unsigned char)(v & 0xFF);
		} else {
			if (v > 0xFF || o + 1 > cap)
				return (size_t)-1;
			out[o++] = (unsigned char)v;
		}
	}
	return o;
}

static size_t varint_put(unsigned char *out, uint64_t v)
{
	size_t n = 0;
	do {
		unsigned char b = v & 0x7F;
		v >>= 7;
		out[n++] = (unsigned char)(b | (v ? 0x80 : 0));
	} while (v);
	return n;
}

static bool varint_get(const unsigned char *in, size_t len, size_t *pos, uint64_t *v)
{
	uint64_t r = 0;
	for (int shift = 0; shift < 64 && *pos < len; shift += 7) {
		unsigned char b = in[(*pos)++];
		r |= (uint64_t)(b & 0x7F) << shift;
		if (!(b & 0x80)) {
			/* reject non-minimal encodings: one token per claim */
			if (b == 0 && shift > 0)
				return false;
			*v = r;
			return true;
		}
	}
	return false;
}

bool token_keypair(unsigned char pk[TOKEN_PUBLIC_KEY_BYTES], unsigned char sk[TOKEN_SECRET_KEY_BYTES])
{
	if (sodium_init() < 0)
		return false;
	return crypto_sign_keypair(pk, sk) == 0;
}

static size_t payload_of(const struct ticket_claim *c, unsigned char *out)
{
	size_t n = 0;
	n += varint_put(out + n, c->event_id);
	n += varint_put(out + n, c->ticket_id);
	n += varint_put(out + n, c->type_id);
	n += varint_put(out + n, c->issue);
	return n;
}

/* What is signed: a domain tag, then the payload. */
static size_t signed_message(const unsigned char *payload, size_t n, unsigned char *msg)
{
	memcpy(msg, "BX1", 3);
	memcpy(msg + 3, payload, n);
	return n + 3;
}

bool token_mint(const struct ticket_claim *claim, const unsigned char sk[TOKEN_SECRET_KEY_BYTES],
		char *out, size_t size)
{
	unsigned char buf[64 + crypto_sign_BYTES], msg[3 + 64];
	size_t n, m, prefix = strlen(TOKEN_PREFIX);

	if (sodium_init() < 0 || size <= prefix)
		return false;
	n = payload_of(claim, buf);
	m = signed_message(buf, n, msg);
	crypto_sign_detached(buf + n, NULL, msg, m, sk);
	memcpy(out, TOKEN_PREFIX, prefix);
	return base45_encode(buf, n + crypto_sign_BYTES, out + prefix, size - prefix) != (size_t)-1;
}

/* Splits a token into claim, payload and signature. */
static enum token_status parse(const char *token, struct ticket_claim *claim, unsigned char *payload,
			       size_t *plen, unsigned char sig[crypto_sign_BYTES])
{
	unsigned char buf[TOKEN_MAX];
	size_t prefix = strlen(TOKEN_PREFIX), len, n, pos = 0;
	uint64_t issue;

	if (!token || strncmp(token, TOKEN_PREFIX, prefix) != 0)
		return TOKEN_MALFORMED;
	len = strlen(token + prefix);
	if (len > TOKEN_MAX)
		return TOKEN_MALFORMED;
	n = base45_decode(token + prefix, len, buf, sizeof buf);
	if (n == (size_t)-1 || n <= crypto_sign_BYTES)
		return TOKEN_MALFORMED;
	n -= crypto_sign_BYTES;
	if (!varint_get(buf, n, &pos, &claim->event_id) || !varint_get(buf, n, &pos, &claim->ticket_id) ||
	    !varint_get(buf, n, &pos, &claim->type_id) || !varint_get(buf, n, &pos, &issue) || pos != n ||
	    issue > UINT32_MAX || issue == 0)
		return TOKEN_MALFORMED;
	claim->issue = (uint32_t)issue;
	memcpy(payload, buf, n);
	*plen = n;
	memcpy(sig, buf + n, crypto_sign_BYTES);
	return TOKEN_VALID;
}

enum token_status token_peek(const char *token, struct ticket_claim *claim)
{
	unsigned char payload[TOKEN_MAX], sig[crypto_sign_BYTES];
	size_t n;
	return parse(token, claim, payload, &n, sig);
}

enum token_status token_verify(const char *token, const unsigned char pk[TOKEN_PUBLIC_KEY_BYTES],
			       struct ticket_claim *claim)
{
	unsigned char payload[TOKEN_MAX], sig[crypto_sign_BYTES], msg[3 + TOKEN_MAX];
	struct ticket_claim c;
	size_t n, m;
	enum token_status st = parse(token, &c, payload, &n, sig);

	if (st != TOKEN_VALID)
		return st;
	if (sodium_init() < 0)
		return TOKEN_BAD_SIGNATURE;
	m = signed_message(payload, n, msg);
	if (crypto_sign_verify_detached(sig, msg, m, pk) != 0)
		return TOKEN_BAD_SIGNATURE;
	*claim = c;
	return TOKEN_VALID;
}

const char *token_status_text(enum token_status status)
{
	switch (status) {
	case TOKEN_VALID: return "valid";
	case TOKEN_MALFORMED: return "unknown code";
	case TOKEN_BAD_SIGNATURE: return "forged signature";
	}
	return "?";
}

void hex_encode(const unsigned char *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * n] = '\0';
}

bool hex_decode(const char *in, unsigned char *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int v = 0;
		for (int k = 0; k < 2; k++) {
			char c = in[2 * i + (size_t)k];
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
				: c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
			if (d < 0)
				return false;
			v = v * 16 + d;
		}
		out[i] = (unsigned char)v;
	}
	return in[2 * n] == '\0';
}

/* Tokens, base45 and the CSV reader: pure functions, table-driven. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "src/core/csv.h"
#include "src/core/token.h"

static unsigned char pk[TOKEN_PUBLIC_KEY_BYTES], sk[TOKEN_SECRET_KEY_BYTES];
static unsigned char pk2[TOKEN_PUBLIC_KEY_BYTES], sk2[TOKEN_SECRET_KEY_BYTES];

static int setup(void **state)
{
	(void)state;
	return token_keypair(pk, sk) && token_keypair(pk2, sk2) ? 0 : -1;
}

static void test_base45_rfc_vectors(void **state)
{
	/* RFC 9285, section 4.3 */
	static const struct {
		const char *plain, *encoded;
	} v[] = { { "AB", "BB8" }, { "Hello!!", "%69 VD92EX0" }, { "base-45", "UJCLQE7W581" }, { "ietf!", "QED8WEX0" } };
	char out[64];
	unsigned char back[64];
	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		size_t n = base45_encode((const unsigned char *)v[i].plain, strlen(v[i].plain), out, sizeof out);
		assert_int_equal(n, strlen(v[i].encoded));
		assert_string_equal(out, v[i].encoded);
		n = base45_decode(out, strlen(out), back, sizeof back);
		assert_int_equal(n, strlen(v[i].plain));
		assert_memory_equal(back, v[i].plain, n);
	}
	assert_int_equal(base45_decode("GGW", 3, back, sizeof back), (size_t)-1); /* > 65535 */
	assert_int_equal(base45_decode("A", 1, back, sizeof back), (size_t)-1);
	assert_int_equal(base45_decode("ab", 2, back, sizeof back), (size_t)-1);
}

static void test_token_round_trip(void **state)
{
	static const struct ticket_claim claims[] = {
		{ 1, 1, 1, 1 }, { 3, 5162, 17, 2 }, { 999999, 4000000000ULL, 123456, 4000000000U },
	};
	(void)state;
	for (size_t i = 0; i < sizeof claims / sizeof claims[0]; i++) {
		char token[TOKEN_MAX + 8];
		struct ticket_claim c;
		assert_true(token_mint(&claims[i], sk, token, sizeof token));
		assert_memory_equal(token, TOKEN_PREFIX, 4);
		/* every character is in the QR alphanumeric set */
		for (const char *p = token; *p; p++)
			assert_non_null(strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", *p));
		/* 4 + base45 of (varints + 64-byte signature): about 105 for real ids */
		assert_true(strlen(token) <= (i < 2 ? 110u : 130u));
		assert_int_equal(token_verify(token, pk, &c), TOKEN_VALID);
		assert_true(c.event_id == claims[i].event_id && c.ticket_id == claims[i].ticket_id &&
			    c.type_id == claims[i].type_id && c.issue == claims[i].issue);
	}
}

static void test_token_tampering(void **state)
{
	struct ticket_claim claim = { 7, 4242, 3, 1 }, c;
	char token[TOKEN_MAX + 8], bad[TOKEN_MAX + 8];
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
	(void)state;

	assert_true(token_mint(&claim, sk, token, sizeof token));
	/* Every single-character change is caught. */
	for (size_t i = 4; i < strlen(token); i++) {
		strcpy(bad, token);
		bad[i] = alphabet[(strchr(alphabet, token[i]) - alphabet + 1) % 45];
		assert_int_not_equal(token_verify(bad, pk, &c), TOKEN_VALID);
	}
	/* Truncated, extended, other prefixes, junk. */
	for (size_t n = 0; n < strlen(token); n += 7) {
		snprintf(bad, sizeof bad, "%.*s", (int)n, token);
		assert_int_not_equal(token_verify(bad, pk, &c), TOKEN_VALID);
	}
	snprintf(bad, sizeof bad, "%s0", token);
	assert_int_not_equal(token_verify(bad, pk, &c), TOKEN_VALID);
	assert_int_equal(token_verify("https://example.com/", pk, &c), TOKEN_MALFORMED);
	assert_int_equal(token_verify("WIFI:S:net;T:WPA;P:pw;;", pk, &c), TOKEN_MALFORMED);
	assert_int_equal(token_verify("", pk, &c), TOKEN_MALFORMED);
	assert_int_equal(token_verify(NULL, pk, &c), TOKEN_MALFORMED);
	/* Another event's key does not verify it: signature check fails. */
	assert_int_equal(token_verify(token, pk2, &c), TOKEN_BAD_SIGNATURE);
	/* A token minted by another event's key claiming this event: forged. */
	assert_true(token_mint(&claim, sk2, bad, sizeof bad));
	assert_int_equal(token_peek(bad, &c), TOKEN_VALID);
	assert_int_equal(token_verify(bad, pk, &c), TOKEN_BAD_SIGNATURE);
}

static void test_reissue_changes_token(void **state)
{
	struct ticket_claim a = { 7, 4242, 3, 1 }, b = a, c;
	char ta[TOKEN_MAX + 8], tb[TOKEN_MAX + 8];
	(void)state;
	b.issue = 2;
	assert_true(token_mint(&a, sk, ta, sizeof ta));
	assert_true(token_mint(&b, sk, tb, sizeof tb));
	assert_string_not_equal(ta, tb);
	assert_int_equal(token_verify(ta, pk, &c), TOKEN_VALID);
	assert_int_equal(c.issue, 1); /* still genuine: the database says it is stale */
}

static void test_csv_reader(void **state)
{
	const char *data = "\xEF\xBB\xBFname,email\r\n"
			   "\"Öberg, Åsa\",asa@example.com,\"Fjord \"\"North\"\" AB\"\r\n"
			   "Erik,erik@example.com\n"
			   "\"multi\nline\",x@example.com\r\n"
			   "last,l@example.com";
	const char *p = data, *end = data + strlen(data);
	char f[4][256];
	(void)state;
	assert_int_equal(csv_read_record(&p, end, f, 4), 2);
	assert_string_equal(f[0], "name");
	assert_int_equal(csv_read_record(&p, end, f, 4), 3);
	assert_string_equal(f[0], "Öberg, Åsa");
	assert_string_equal(f[2], "Fjord \"North\" AB");
	assert_int_equal(csv_read_record(&p, end, f, 4), 2);
	assert_string_equal(f[1], "erik@example.com");
	assert_int_equal(csv_read_record(&p, end, f, 4), 2);
	assert_string_equal(f[0], "multi\nline");
	assert_int_equal(csv_read_record(&p, end, f, 4), 2);
	assert_string_equal(f[0], "last");
	assert_int_equal(csv_read_record(&p, end, f, 4), 0);
	p = "\"unclosed,x";
	assert_int_equal(csv_read_record(&p, p + strlen(p), f, 4), -1);
}

static void test_csv_writer_formula_safe(void **state)
{
	struct strbuf b = { 0 };
	(void)state;
	csv_field(&b, "=SUM(A1)", 8, true);
	csv_field(&b, "a,b", 3, false);
	csv_field(&b, "say \"hi\"", 8, false);
	csv_field(&b, "-5", 2, false);
	csv_field(&b, "plain", 5, false);
	csv_field(&b, NULL, 0, false);
	csv_end_row(&b);
	assert_string_equal(b.data, "\"'=SUM(A1)\",\"a,b\",\"say \"\"hi\"\"\",\"'-5\",plain,\r\n");
	strbuf_free(&b);
}

static void test_copy_text_split(void **state)
{
	char line[] = "12\tO\\\\Brien\\tTab\t\\N\tx";
	char *f[8];
	size_t l[8];
	(void)state;
	assert_int_equal(copy_text_split(line, strlen(line), f, l, 8), 4);
	assert_int_equal(l[0], 2);
	assert_memory_equal(f[0], "12", 2);
	assert_int_equal(l[1], 11);
	assert_memory_equal(f[1], "O\\Brien\tTab", l[1]);
	assert_null(f[2]);
	assert_memory_equal(f[3], "x", 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base45_rfc_vectors),
		cmocka_unit_test(test_token_round_trip),
		cmocka_unit_test(test_token_tampering),
		cmocka_unit_test(test_reissue_changes_token),
		cmocka_unit_test(test_csv_reader),
		cmocka_unit_test(test_csv_writer_formula_safe),
		cmocka_unit_test(test_copy_text_split),
	};
	return cmocka_run_group_tests_name("token_csv", tests, setup, NULL);
}

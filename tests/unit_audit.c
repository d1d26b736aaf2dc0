/* The Audit log's filter words (the screen's prompt): parsed, refused
 * with a reason, printed back the same. */
#include <string.h>

#include "../src/core/audit.h"
#include "helpers.h"

static void test_parse_and_format(void **state)
{
	struct audit_filter f;
	char why[200], out[400];
	(void)state;

	assert_true(audit_filter_parse("", &f, why, sizeof why));
	assert_false(audit_filter_any(&f));
	assert_true(audit_filter_parse("  order:12 user:anna station:\"front desk\" ", &f, why, sizeof why));
	assert_int_equal(f.order, 12);
	assert_string_equal(f.actor, "anna");
	assert_string_equal(f.station, "front desk");
	audit_filter_format(&f, out, sizeof out);
	assert_string_equal(out, "order:12 station:\"front desk\" user:anna");
	assert_true(audit_filter_parse(out, &f, why, sizeof why));
	assert_int_equal(f.order, 12);
	assert_true(audit_filter_parse("ticket:5 person:6 event:7", &f, why, sizeof why));
	assert_int_equal(f.ticket, 5);
	assert_int_equal(f.person, 6);
	assert_int_equal(f.event, 7);
}

static void test_refused(void **state)
{
	struct audit_filter f;
	char why[200];
	(void)state;
	assert_false(audit_filter_parse("order:abc", &f, why, sizeof why));
	assert_non_null(strstr(why, "positive whole number"));
	assert_false(audit_filter_parse("order:0", &f, why, sizeof why));
	assert_false(audit_filter_parse("order:1 order:2", &f, why, sizeof why));
	assert_non_null(strstr(why, "twice"));
	assert_false(audit_filter_parse("colour:red", &f, why, sizeof why));
	assert_non_null(strstr(why, "not a filter"));
	assert_false(audit_filter_parse("12", &f, why, sizeof why));
	assert_false(audit_filter_parse("user:", &f, why, sizeof why));
	assert_false(audit_filter_parse("station:\"open", &f, why, sizeof why));
}

/* Every character whole: a lead byte followed by its continuation bytes. */
static bool utf8_whole(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int more = *p < 0x80 ? 0 : (*p & 0xE0) == 0xC0 ? 1 : (*p & 0xF0) == 0xE0 ? 2 : (*p & 0xF8) == 0xF0 ? 3 : -1;
		if (more < 0)
			return false;
		p++;
		for (; more > 0; more--, p++)
			if ((*p & 0xC0) != 0x80)
				return false;
	}
	return true;
}

/* A long word said back in a refusal is cut between characters, with
 * "…": its first 40 bytes split the 20th "ö" of "aööö…". */
static void test_refusal_cuts_word_between_characters(void **state)
{
	struct audit_filter f;
	char why[200], word[300] = "a", want[200] = "\"a";
	(void)state;

	for (int i = 0; i < 100; i++)
		strcat(word, "\u00f6");
	for (int i = 0; i < 19; i++)
		strcat(want, "\u00f6");
	strcat(want, "\u2026\": give key:value");
	assert_false(audit_filter_parse(word, &f, why, sizeof why));
	assert_true(utf8_whole(why));
	assert_memory_equal(why, want, strlen(want));
	strcat(word, ":\"open");
	assert_false(audit_filter_parse(word + 1, &f, why, sizeof why)); /* 200 bytes of "ö" */
	assert_true(utf8_whole(why));
	assert_non_null(strstr(why, "\u2026: the closing \" is missing"));
	word[strlen(word) - strlen("\"open")] = '\0';
	assert_false(audit_filter_parse(word, &f, why, sizeof why));
	assert_true(utf8_whole(why));
	assert_non_null(strstr(why, "\u00f6\u2026: the value is missing"));
	strcat(word, "x");
	assert_false(audit_filter_parse(word, &f, why, sizeof why));
	assert_true(utf8_whole(why));
	assert_non_null(strstr(why, "\u00f6\u2026\": not a filter"));
}

static void test_row_words(void **state)
{
	char out[200];
	(void)state;
	audit_when("2026-11-28T05:18:04.122174+00:00", false, out, sizeof out);
	assert_string_equal(out, "2026-11-28 05:18:04");
	audit_when("2026-11-28T05:18:04+00:00", true, out, sizeof out);
	assert_string_equal(out, "11-28 05:18:04");
	audit_what("ticket", 540, "reassigned", out, sizeof out);
	assert_string_equal(out, "ticket #540 reassigned");
	/* the screen's words: the table's short name, no underscores */
	audit_what_said("event_organization", 51, "archive", out, sizeof out);
	assert_string_equal(out, "organization #51 archive");
	audit_what_said("ticket", 540, "checkin_undo", out, sizeof out);
	assert_string_equal(out, "ticket #540 checkin undo");
	audit_why("refunded", "refunded", "sold -3", out, sizeof out);
	assert_string_equal(out, "sold -3");
	audit_why("wrong door", "checkin_undo", "gate g1", out, sizeof out);
	assert_string_equal(out, "wrong door · gate g1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_format),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_refusal_cuts_word_between_characters),
		cmocka_unit_test(test_row_words),
	};
	return cmocka_run_group_tests_name("audit filter", tests, NULL, NULL);
}

/* utf8_copy, utf8_prefix, utf8_prefix_chars, utf8_suffix and the texts built with them:
 * a cut never splits a character. */
#include <string.h>

#include "helpers.h"
#include "src/core/util.h"
#include "src/core/validate.h"
#include "src/core/verdict.h"

static void test_fits_whole(void **state)
{
	char buf[16];
	(void)state;
	assert_int_equal(utf8_copy(buf, sizeof buf, "h\xc3\xa9llo"), 6);
	assert_string_equal(buf, "h\xc3\xa9llo");
	assert_int_equal(utf8_copy(buf, sizeof buf, NULL), 0);
	assert_string_equal(buf, "");
}

static void test_cuts_between_characters(void **state)
{
	char buf[5];
	(void)state;
	/* "a" + é (2 bytes) + € (3 bytes): 4 bytes of room hold "aé" only */
	assert_int_equal(utf8_copy(buf, sizeof buf, "a\xc3\xa9\xe2\x82\xac"), 3);
	assert_string_equal(buf, "a\xc3\xa9");
	/* a cut that falls exactly after a character keeps it */
	assert_int_equal(utf8_copy(buf, sizeof buf, "ab\xc3\xa9x"), 4);
	assert_string_equal(buf, "ab\xc3\xa9");
	/* cut inside a 4-byte character */
	assert_int_equal(utf8_copy(buf, 4, "a\xf0\x9f\x8e\xab"), 1);
	assert_string_equal(buf, "a");
	/* plain ASCII is cut anywhere */
	assert_int_equal(utf8_copy(buf, sizeof buf, "abcdefgh"), 4);
	assert_string_equal(buf, "abcd");
}

static void test_prefix_ends_between_characters(void **state)
{
	(void)state;
	/* "a" + é (2 bytes) + € (3 bytes) */
	assert_int_equal(utf8_prefix("a\xc3\xa9\xe2\x82\xac", 2), 1);
	assert_int_equal(utf8_prefix("a\xc3\xa9\xe2\x82\xac", 3), 3);
	assert_int_equal(utf8_prefix("a\xc3\xa9\xe2\x82\xac", 5), 3);
	assert_int_equal(utf8_prefix("a\xc3\xa9\xe2\x82\xac", 6), 6);
	/* a text shorter than n is whole */
	assert_int_equal(utf8_prefix("a\xc3\xa9", 40), 3);
	assert_int_equal(utf8_prefix("", 4), 0);
	assert_int_equal(utf8_prefix("abc", 0), 0);
}

static void test_prefix_chars_counts_characters(void **state)
{
	(void)state;
	assert_int_equal(utf8_prefix_chars("h\xc3\xa9llo", 2), 3);
	assert_int_equal(utf8_prefix_chars("h\xc3\xa9llo", 99), 6);
	assert_int_equal(utf8_prefix_chars("\xe2\x82\xac\xf0\x9f\x8e\xab!", 2), 7);
	assert_int_equal(utf8_prefix_chars("", 3), 0);
	assert_int_equal(utf8_prefix_chars(NULL, 3), 0);
	assert_int_equal(utf8_prefix_chars("abc", 0), 0);
}

static void test_suffix_starts_between_characters(void **state)
{
	const char *t = "a\xc3\xa9\xe2\x82\xac"; /* "a" + é (2 bytes) + € (3 bytes) */
	(void)state;
	assert_int_equal(utf8_suffix(t, 6), 0); /* all of it fits */
	assert_int_equal(utf8_suffix(t, 40), 0);
	assert_int_equal(utf8_suffix(t, 5), 1); /* "é€" exactly */
	assert_int_equal(utf8_suffix(t, 4), 3); /* a cut inside é: "€" */
	assert_int_equal(utf8_suffix(t, 3), 3);
	assert_int_equal(utf8_suffix(t, 2), 6); /* a cut inside €: nothing */
	assert_int_equal(utf8_suffix(t, 0), 6);
	assert_int_equal(utf8_suffix("abcdef", 2), 4); /* ASCII is cut anywhere */
	assert_int_equal(utf8_suffix("", 3), 0);
	/* cut inside a 4-byte character, at each of its continuation bytes */
	assert_int_equal(utf8_suffix("x\xf0\x9f\x8e\xaby", 4), 5);
	assert_int_equal(utf8_suffix("x\xf0\x9f\x8e\xaby", 3), 5);
	assert_int_equal(utf8_suffix("x\xf0\x9f\x8e\xaby", 2), 5);
	assert_int_equal(utf8_suffix("x\xf0\x9f\x8e\xaby", 5), 1);
	/* stray continuation bytes (not UTF-8) are passed over, never split from */
	assert_int_equal(utf8_suffix("\x80\x80\x80z", 2), 3);
}

static void repeat(char *dst, size_t size, const char *ch, int times)
{
	dst[0] = '\0';
	for (int i = 0; i < times && strlen(dst) + strlen(ch) < size; i++)
		strcat(dst, ch);
}

/* F7 on the check-in screen names who it would admit: a name, type and
 * area of multi-byte characters longer than their limits are cut between
 * characters (start_override cut them at 100, 60 and 100 bytes: inside
 * a "€", the stored text was not UTF-8). */
static void test_override_who_cuts_between_characters(void **state)
{
	struct verdict v;
	char who[VERDICT_WHO_SIZE], want[VERDICT_WHO_SIZE], person[400], type[200], area[404];
	(void)state;

	memset(&v, 0, sizeof v);
	v.ticket = 4711;
	repeat(v.person, sizeof v.person, "\xe2\x82\xac", 200);  /* € × 200: 600 bytes */
	repeat(v.type, sizeof v.type, "\xe6\x9d\xb1", 100);      /* 東 × 100 */
	repeat(v.area, sizeof v.area, "\xf0\x9f\x8e\xab", 100); /* 🎫 × 100: at the limit */
	verdict_override_who(&v, who, sizeof who);
	assert_int_not_equal(utf8_length(who), -1);
	repeat(person, sizeof person, "\xe2\x82\xac", 100);
	repeat(type, sizeof type, "\xe6\x9d\xb1", 60);
	repeat(area, sizeof area, "\xf0\x9f\x8e\xab", 100);
	snprintf(want, sizeof want, "#4711, %s (%s) into %s", person, type, area);
	assert_string_equal(who, want);
	/* one character fewer than the limit is not cut; none are added */
	repeat(v.person, sizeof v.person, "\xc3\x85", 99);
	v.type[0] = '\0';
	snprintf(v.area, sizeof v.area, "Hall A");
	repeat(person, sizeof person, "\xc3\x85", 99);
	snprintf(want, sizeof want, "#4711, %s into Hall A", person);
	assert_string_equal(verdict_override_who(&v, who, sizeof who), want);
	/* a small buffer: still cut between characters */
	repeat(v.person, sizeof v.person, "\xe2\x82\xac", 200);
	verdict_override_who(&v, who, 12);
	assert_string_equal(who, "#4711, \xe2\x82\xac");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits_whole),
		cmocka_unit_test(test_cuts_between_characters),
		cmocka_unit_test(test_prefix_ends_between_characters),
		cmocka_unit_test(test_prefix_chars_counts_characters),
		cmocka_unit_test(test_suffix_starts_between_characters),
		cmocka_unit_test(test_override_who_cuts_between_characters),
	};
	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}

/* utf8_copy and utf8_prefix: a cut never splits a character. */
#include <string.h>

#include "helpers.h"
#include "src/core/util.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits_whole),
		cmocka_unit_test(test_cuts_between_characters),
		cmocka_unit_test(test_prefix_ends_between_characters),
	};
	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}

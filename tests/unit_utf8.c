/* utf8_copy: a cut never splits a character. */
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits_whole),
		cmocka_unit_test(test_cuts_between_characters),
	};
	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}

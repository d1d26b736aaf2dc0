/* A terminal whose locale is not UTF-8 gets ASCII: the screens' glyphs as
 * look-alikes, Latin letters without accents, one '?' per other character. */
#include <string.h>

#include "helpers.h"
#include "src/core/ascii.h"

static void test_glyphs(void **state)
{
	char buf[128];
	(void)state;
	ascii_translit(buf, sizeof buf, " boxoffice \xe2\x94\x82 Events \xe2\x94\x82 Station: gate");
	assert_string_equal(buf, " boxoffice | Events | Station: gate");
	ascii_translit(buf, sizeof buf, "STATUS\xe2\x96\xb2 DATE\xe2\x96\xbc Code \xe2\x96\xb8 loading\xe2\x80\xa6");
	assert_string_equal(buf, "STATUS^ DATEv Code > loading...");
	ascii_translit(buf, sizeof buf, "a \xc2\xb7 b \xe2\x80\x94 c \xe2\x80\x93 d 5\xc3\x97 \xe2\x96\x88\xe2\x96\x91\xe2\x96\x8f\xe2\x9c\x93\xe2\x9c\x97");
	assert_string_equal(buf, "a - b - c - d 5x #.|+x");
	ascii_translit(buf, sizeof buf, "more below \xe2\x86\x93, \xe2\x86\x91 above");
	assert_string_equal(buf, "more below v, ^ above");
}

static void test_letters_and_others(void **state)
{
	char buf[128];
	(void)state;
	ascii_translit(buf, sizeof buf, "\xc3\x85sa \xc3\x96" "berg, \xc3\x98ystein, Stra\xc3\x9f" "e, \xc5\x81\xc3\xb3" "d\xc5\xba, Ren\xc3\xa9");
	assert_string_equal(buf, "Asa Oberg, Oystein, Strasse, Lodz, Rene");
	/* no look-alike: one '?' per character, not per byte */
	ascii_translit(buf, sizeof buf, "x\xf0\x9f\x8e\xaby\xe6\x97\xa5z");
	assert_string_equal(buf, "x?y?z");
	/* invalid bytes: one '?' each */
	ascii_translit(buf, sizeof buf, "a\xff\xc3" "b");
	assert_string_equal(buf, "a??b");
	/* cut between characters */
	assert_int_equal(ascii_translit(buf, 5, "ab\xe2\x80\xa6"), 2);
	assert_string_equal(buf, "ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_glyphs),
		cmocka_unit_test(test_letters_and_others),
	};
	return cmocka_run_group_tests_name("ascii", tests, NULL, NULL);
}

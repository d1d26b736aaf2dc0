/* text_ellipsis and text_tail cut to their buffer between characters,
 * never inside one, and text_ellipsis says so with "…". */
#include <locale.h>
#include <string.h>

#include "helpers.h"
#include "screens/screen.h"

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

/* A buffer smaller than the text: the text fits the width but not the
 * bytes, or neither; the cut is between characters and "…" says it. */
static void test_ellipsis_cuts_between_characters(void **state)
{
	char buf[8], big[64];
	(void)state;
	if (!setlocale(LC_ALL, "C.UTF-8"))
		skip();
	draw_init();
	/* ten å: 10 columns, 20 bytes; 8 bytes hold "åå" and "…" */
	text_ellipsis(buf, sizeof buf, "\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5", 20);
	assert_true(utf8_whole(buf));
	assert_string_equal(buf, "\u00e5\u00e5\u2026");
	/* narrower than the text too: the tighter of the two cuts */
	text_ellipsis(buf, sizeof buf, "\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5", 2);
	assert_string_equal(buf, "\u00e5\u2026");
	for (size_t size = 1; size < sizeof big; size++) {
		text_ellipsis(big, size, "a\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac", 40);
		assert_true(strlen(big) < size);
		assert_true(utf8_whole(big));
		text_tail(big, size, "a\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac\u20ac", 40);
		assert_true(strlen(big) < size);
		assert_true(utf8_whole(big));
	}
	/* what fits both stays as it is */
	text_ellipsis(big, sizeof big, "\u00e5sa", 3);
	assert_string_equal(big, "\u00e5sa");
	setlocale(LC_ALL, "C");
	draw_init();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ellipsis_cuts_between_characters),
	};
	return cmocka_run_group_tests_name("ellipsis", tests, NULL, NULL);
}

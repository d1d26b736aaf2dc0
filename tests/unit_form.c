/* Form input arrives a byte at a time: a field takes a UTF-8 character
 * whole or not at all, its limit counts characters, and a character that
 * does not fit leaves no stray bytes behind. */
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "src/app/form.h"
#include "src/core/validate.h"

static void type_bytes(struct form *f, const char *text)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		form_key(f, ACT_NONE, *p);
}

static void test_limit_counts_characters_and_never_cuts_one(void **state)
{
	struct form_field field = { .label = "Name", .kind = FIELD_TEXT, .max_chars = 3 };
	struct form f = { &field, 1, 0 };
	(void)state;

	type_bytes(&f, "Åsa");
	assert_string_equal(field.text, "Åsa");
	/* full: the next character is refused whole, continuation and all */
	type_bytes(&f, "Ö");
	assert_string_equal(field.text, "Åsa");
	assert_int_equal(utf8_length(field.text), 3);
	form_key(&f, ACT_NONE, 127); /* Backspace takes the whole last character */
	type_bytes(&f, "€");
	assert_string_equal(field.text, "Ås€");
	type_bytes(&f, "😀x");
	assert_string_equal(field.text, "Ås€");
}

static void test_two_hundred_wide_characters_fit(void **state)
{
	struct form_field field = { .label = "Company", .kind = FIELD_TEXT, .max_chars = 200 };
	struct form f = { &field, 1, 0 };
	(void)state;

	for (int i = 0; i < 210; i++)
		type_bytes(&f, "😀");
	assert_int_equal(utf8_length(field.text), 200);
	assert_int_equal(strlen(field.text), 800);
}

static void test_digits_field_drops_a_multibyte_character(void **state)
{
	struct form_field field = { .label = "Qty", .kind = FIELD_DIGITS, .max_chars = 4 };
	struct form f = { &field, 1, 0 };
	(void)state;

	type_bytes(&f, "1é2");
	assert_string_equal(field.text, "12");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit_counts_characters_and_never_cuts_one),
		cmocka_unit_test(test_two_hundred_wide_characters_fit),
		cmocka_unit_test(test_digits_field_drops_a_multibyte_character),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#include <locale.h>
/* Form input arrives a byte at a time: a field takes a UTF-8 character
 * whole or not at all, its limit counts characters, and a character that
 * does not fit leaves no stray bytes behind. */
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "screens/screen.h"
#include "src/app/form.h"
#include "src/core/charge.h"
#include "src/core/validate.h"
#include <curses.h>

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

/* Backspace takes the last character whole, however many bytes it has. */
static void test_backspace_takes_a_whole_character(void **state)
{
	struct form_field field = { .label = "Name", .kind = FIELD_TEXT, .max_chars = 10 };
	struct form f = { &field, 1, 0 };
	(void)state;

	type_bytes(&f, "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"); /* a é € 😀 */
	form_key(&f, ACT_NONE, 127);
	assert_string_equal(field.text, "a\xc3\xa9\xe2\x82\xac");
	form_key(&f, ACT_NONE, 127);
	assert_string_equal(field.text, "a\xc3\xa9");
	form_key(&f, ACT_NONE, 127);
	assert_string_equal(field.text, "a");
	form_key(&f, ACT_NONE, 127);
	assert_string_equal(field.text, "");
	form_key(&f, ACT_NONE, 127); /* nothing left: nothing happens */
	assert_string_equal(field.text, "");
}

/* A key refused because the field is full is told once, in the field's
 * own words; a key refused for another reason is not told. */
static void test_full_field_refusal_told_once(void **state)
{
	struct form_field field = { .label = "Qty", .kind = FIELD_DIGITS, .max_chars = 2 };
	struct form f = { &field, 1, 0 };
	(void)state;

	(void)form_take_refusal(); /* what an earlier test left untold */
	assert_string_equal(form_take_refusal(), "");
	type_bytes(&f, "12");
	assert_string_equal(form_take_refusal(), "");
	type_bytes(&f, "3");
	assert_string_equal(field.text, "12");
	assert_string_equal(form_take_refusal(), "Qty: at most 2 digits");
	assert_string_equal(form_take_refusal(), "");
	type_bytes(&f, "x"); /* not a digit: refused for what it is, once */
	assert_string_equal(form_take_refusal(), "Qty takes digits only");
	assert_string_equal(form_take_refusal(), "");
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

/* Issue 11: a prefilled number is replaced by the first digit typed, also
 * after keys that edit nothing (an arrow, Home, a letter, Space): "1",
 * Right, "2" is 2, not 12. Backspace edits: it clears the default. */
static void test_prefilled_number_is_replaced_after_keys_that_edit_nothing(void **state)
{
	static const int idle[] = { KEY_RIGHT, KEY_LEFT, KEY_HOME, KEY_END, ' ', 'x', 0xC3 };
	(void)state;

	for (size_t i = 0; i < sizeof idle / sizeof idle[0]; i++) {
		struct form_field field = { .label = "Qty", .kind = FIELD_DIGITS, .max_chars = 5, .text = "1",
					    .replace_on_type = true };
		struct form f = { &field, 1, 0 };
		form_key(&f, ACT_NONE, idle[i]);
		assert_string_equal(field.text, "1");
		type_bytes(&f, "2");
		assert_string_equal(field.text, "2");
		type_bytes(&f, "5");
		assert_string_equal(field.text, "25"); /* then digits add up */
	}
	{
		struct form_field field = { .label = "Qty", .kind = FIELD_DIGITS, .max_chars = 5, .text = "0",
					    .replace_on_type = true };
		struct form f = { &field, 2, 0 };
		struct form_field two[2] = { field, field };
		f.fields = two;
		form_key(&f, ACT_NONE, '\t'); /* leaving and coming back keeps the default */
		form_key(&f, ACT_NONE, KEY_BTAB);
		form_key(&f, ACT_NONE, '3');
		assert_string_equal(two[0].text, "3");
		form_key(&f, ACT_NONE, 127);
		assert_string_equal(two[1].text, "0");
		form_key(&f, ACT_NONE, '\t');
		form_key(&f, ACT_NONE, 127); /* Backspace takes the default away */
		assert_string_equal(two[1].text, "");
	}
}

/* The charge line of the forms: the one VAT rule, numbers never cut. */
static void test_charge_line_shows_unit_net_vat_gross(void **state)
{
	struct charge c, total = { .unit_cents = -1 };
	char buf[200];
	(void)state;

	assert_true(charge_line(&c, 2, 39900, 2500, PAY_CARD));
	charge_format(buf, sizeof buf, "2 × Adult", &c, "card", 76);
	assert_string_equal(buf, "2 × Adult 399.00 = 798.00 + VAT 199.50 = 997.50");
	charge_add(&total, &c);
	assert_true(charge_line(&c, 1, 19900, 2500, PAY_CARD));
	charge_add(&total, &c);
	charge_format(buf, sizeof buf, "Total, 3 tickets:", &total, "card", 76);
	assert_string_equal(buf, "Total, 3 tickets: 997.00 + VAT 249.25 = 1,246.25");
	/* a quantity of 0 shows the unit price only */
	assert_true(charge_line(&c, 0, 39900, 2500, PAY_INVOICE));
	charge_format(buf, sizeof buf, "×", &c, "invoice", 40);
	assert_string_equal(buf, "× 399.00");
	/* free and sponsored carry no amount */
	assert_true(charge_line(&c, 2, 39900, 2500, PAY_SPONSORED));
	assert_int_equal(c.gross_cents, 0);
	charge_format(buf, sizeof buf, "2 × Adult", &c, "sponsored", 76);
	assert_string_equal(buf, "2 × Adult 399.00 — sponsored: no charge");
	/* narrow: the name gives way first, then the line says its gross
	 * alone, exact, and only then are the numbers abbreviated */
	assert_true(charge_line(&c, 10000, 999900, 2500, PAY_CARD));
	charge_format(buf, sizeof buf, "10000 × Grandstand Premium Lounge", &c, "card", 76);
	assert_string_equal(buf, "10000 × Grand… 9,999.00 = 99,990,000.00 + VAT 24,997,500.00 = 124,987,500.00");
	charge_format(buf, sizeof buf, "10000 × Grandstand Premium Lounge", &c, "card", 60);
	assert_true(utf8_length(buf) <= 60);
	assert_string_equal(buf, "10000 × Grandstand Prem… 9,999.00 = 124,987,500.00 incl. VAT");
	charge_format(buf, sizeof buf, "10000 × Grandstand Premium Lounge", &c, "card", 40);
	assert_true(utf8_length(buf) <= 40);
	assert_non_null(strstr(buf, "10000 "));
	assert_non_null(strstr(buf, "= 124987500 incl. VAT")); /* without its separators */
	charge_format(buf, sizeof buf, "10000 × Grandstand Premium Lounge", &c, "card", 28);
	assert_true(utf8_length(buf) <= 28);
	assert_non_null(strstr(buf, "= 125M incl. VAT"));
	/* the new order's line at 80 columns (51 after the quantity): 100
	 * at 1,250.00 keeps its cents */
	assert_true(charge_line(&c, 100, 125000, 2500, PAY_CARD));
	charge_format(buf, sizeof buf, "×", &c, "card", 51);
	assert_string_equal(buf, "× 1,250.00 = 156,250.00 incl. VAT");
	charge_format(buf, sizeof buf, "×", &c, "card", 52);
	assert_string_equal(buf, "× 1,250.00 = 125,000.00 + VAT 31,250.00 = 156,250.00");
	/* a total has no shorter form: its numbers are abbreviated */
	charge_add(&total, &c);
	charge_format(buf, sizeof buf, "Total, 103 tickets:", &total, "card", 40);
	assert_true(utf8_length(buf) <= 40);
	assert_non_null(strstr(buf, "+ VAT "));
}

/* A field typed past its width shows its end after "…", in columns (wide
 * characters count two), never starting with a combining mark that
 * belonged to a character cut off. */
static void test_text_tail_shows_the_end(void **state)
{
	char buf[64];
	(void)state;
	if (!setlocale(LC_ALL, "C.UTF-8"))
		skip();
	draw_init();
	text_tail(buf, sizeof buf, "abcdef", 6);
	assert_string_equal(buf, "abcdef");
	text_tail(buf, sizeof buf, "abcdef", 4);
	assert_string_equal(buf, "\u2026def");
	/* 一二三四: 8 columns; in 5, "…" and the last two */
	text_tail(buf, sizeof buf, "\u4e00\u4e8c\u4e09\u56db", 5);
	assert_string_equal(buf, "\u2026\u4e09\u56db");
	/* e + U+0301 four times: 4 columns; in 3, "…" and the last two
	 * whole, not the second one's accent alone on the "…" */
	text_tail(buf, sizeof buf, "e\u0301e\u0301e\u0301e\u0301", 3);
	assert_string_equal(buf, "\u2026e\u0301e\u0301");
	setlocale(LC_ALL, "C");
	draw_init();
}

/* A choice among many (an event's organizations): letters typed in a
 * quick run find the choice starting with all of them; the same letter
 * again steps through those starting with it; after a pause a letter
 * starts afresh. */
static void test_choice_found_by_letters_typed_together(void **state)
{
	static const char *const orgs[] = { "(none)", "Nordic Bank", "Nova Media", "Northwind", "acme", "Öberg AB",
					     "Östra Hamn" };
	struct form_field field = { .label = "Organization", .kind = FIELD_CHOICE, .choices = orgs, .nchoices = 7 };
	struct form f = { &field, 1, 0 };
	(void)state;

	type_bytes(&f, "n");
	assert_string_equal(form_value(&field), "Nordic Bank");
	type_bytes(&f, "ov");
	assert_string_equal(form_value(&field), "Nova Media");
	field.typed_ms -= 2000; /* a pause */
	type_bytes(&f, "N");
	assert_string_equal(form_value(&field), "Northwind");
	type_bytes(&f, "N"); /* the same letter again: the next one */
	assert_string_equal(form_value(&field), "Nordic Bank");
	type_bytes(&f, "X"); /* nothing starts "NNX": a new run from X, which matches nothing */
	assert_string_equal(form_value(&field), "Nordic Bank");
	field.typed_ms -= 2000;
	type_bytes(&f, "AC"); /* any case */
	assert_string_equal(form_value(&field), "acme");
	field.typed_ms -= 2000;
	type_bytes(&f, "Ös");
	assert_string_equal(form_value(&field), "Östra Hamn");
	field.typed_ms -= 2000;
	type_bytes(&f, "Öb");
	assert_string_equal(form_value(&field), "Öberg AB");
	/* Space and the arrows still step */
	form_key(&f, ACT_NONE, ' ');
	assert_string_equal(form_value(&field), "Östra Hamn");
	form_key(&f, ACT_NONE, KEY_LEFT);
	assert_string_equal(form_value(&field), "Öberg AB");
}

/* A character a field never takes is said, once, through the refusal
 * the framework puts on the status line: a number's letter (also on a
 * default that stays), a date's letter, a letter no choice starts with;
 * keys that only move or edit say nothing. */
static void test_a_character_never_taken_is_said(void **state)
{
	static const char *const pay[] = { "card", "invoice" };
	struct form_field qty = { .label = "Quantity", .kind = FIELD_DIGITS, .max_chars = 5, .text = "1",
				  .replace_on_type = true };
	struct form_field from = { .label = "From ", .kind = FIELD_DATE, .max_chars = 10 };
	struct form_field choice = { .label = "Payment", .kind = FIELD_CHOICE, .choices = pay, .nchoices = 2 };
	struct form_field text = { .label = "Name", .kind = FIELD_TEXT, .max_chars = 10 };
	struct form f = { &qty, 1, 0 };
	(void)state;

	form_take_refusal(); /* what another test left */
	form_key(&f, ACT_NONE, 'x');
	assert_string_equal(qty.text, "1");
	assert_string_equal(form_take_refusal(), "Quantity takes digits only");
	assert_string_equal(form_take_refusal(), ""); /* told once */
	type_bytes(&f, "2é");
	assert_string_equal(qty.text, "2");
	assert_string_equal(form_take_refusal(), "Quantity takes digits only");
	form_key(&f, ACT_NONE, KEY_LEFT);
	form_key(&f, ACT_NONE, 127);
	form_key(&f, ACT_NONE, 21);
	assert_string_equal(form_take_refusal(), "");

	f.fields = &from;
	type_bytes(&f, "2027-1x");
	assert_string_equal(from.text, "2027-1");
	assert_string_equal(form_take_refusal(), "From takes a date: digits and - only (YYYY-MM-DD)");

	f.fields = &choice;
	form_key(&f, ACT_NONE, 'z');
	assert_string_equal(form_value(&choice), "card");
	assert_string_equal(form_take_refusal(), "Payment: no choice starts with \"z\" (Space goes through them)");
	form_key(&f, ACT_NONE, 'i');
	assert_string_equal(form_value(&choice), "invoice");
	assert_string_equal(form_take_refusal(), "");

	f.fields = &text;
	type_bytes(&f, "Åsa 1-x");
	assert_string_equal(form_take_refusal(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit_counts_characters_and_never_cuts_one),
		cmocka_unit_test(test_backspace_takes_a_whole_character),
		cmocka_unit_test(test_full_field_refusal_told_once),
		cmocka_unit_test(test_two_hundred_wide_characters_fit),
		cmocka_unit_test(test_digits_field_drops_a_multibyte_character),
		cmocka_unit_test(test_prefilled_number_is_replaced_after_keys_that_edit_nothing),
		cmocka_unit_test(test_charge_line_shows_unit_net_vat_gross),
		cmocka_unit_test(test_text_tail_shows_the_end),
		cmocka_unit_test(test_choice_found_by_letters_typed_together),
		cmocka_unit_test(test_a_character_never_taken_is_said),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

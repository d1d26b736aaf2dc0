/* A badge's name broken into lines that fit (src/core/fit_lines.c), with
 * a measure of its own: every character half the size wide, a CJK one
 * the whole size (as a proportional font sets them, roughly). */
#include <string.h>

#include "helpers.h"
#include "src/core/ascii.h"
#include "src/core/fit_lines.h"

#define LONG_NAME "Bartholomew Ødegård-Lindqvist von Hohenzollern-Sigmaringen 山田太郎 Jr."

static int half_size(void *ctx, const char *text, double size)
{
	double w = 0;
	(void)ctx;
	while (*text) {
		uint32_t cp;
		text += utf8_decode(text, &cp);
		w += cp >= 0x3000 ? size : size / 2;
	}
	return (int)(w + 0.5);
}

/* half_size, but a byte that starts no whole character takes no room (a
 * font that draws nothing for it): a cut inside a character would fit. */
static int lenient_size(void *ctx, const char *text, double size)
{
	double w = 0;
	(void)ctx;
	while (*text) {
		uint32_t cp;
		int n = utf8_decode(text, &cp);
		if (n > 1 || (unsigned char)*text < 0x80)
			w += cp >= 0x3000 ? size : size / 2;
		text += n;
	}
	return (int)(w + 0.5);
}

/* The lines put back together: a space between two, none after a hyphen. */
static void joined(const struct fit_lines *f, char *buf, size_t size)
{
	buf[0] = '\0';
	for (int i = 0; i < f->n; i++) {
		size_t len = strlen(buf);
		snprintf(buf + len, size - len, "%s%s", i && buf[len - 1] != '-' ? " " : "", f->line[i]);
	}
}

static void assert_lines_fit(const struct fit_lines *f, int width)
{
	for (int i = 0; i < f->n; i++) {
		if (half_size(NULL, f->line[i], f->size) > width)
			fail_msg("line %d \"%s\" is %d wide at %.0f, more than %d", i, f->line[i],
				 half_size(NULL, f->line[i], f->size), f->size, width);
		assert_true(f->line[i][0] != '\0');
	}
}

static void test_a_short_name_stays_one_line_at_full_size(void **state)
{
	struct fit_lines f;
	(void)state;
	fit_lines("Åsa Öberg-Lindqvist", 930, 64, 32, 3, "…", half_size, NULL, &f);
	assert_int_equal(f.n, 1);
	assert_true(f.size == 64);
	assert_false(f.cut);
	assert_string_equal(f.line[0], "Åsa Öberg-Lindqvist");
}

/* The review's name: whole, in at most three lines, each within the width
 * (it was centred on one line and cut on both sides). */
static void test_a_long_name_is_whole_on_lines_that_fit(void **state)
{
	struct fit_lines f;
	char back[600];
	(void)state;
	fit_lines(LONG_NAME, 930, 80, 32, 3, "…", half_size, NULL, &f);
	assert_false(f.cut);
	assert_true(f.size < 80); /* at 80 it takes four lines */
	assert_true(f.n >= 2 && f.n <= 3);
	assert_lines_fit(&f, 930);
	joined(&f, back, sizeof back);
	assert_string_equal(back, LONG_NAME);
	/* as large as it fits: 2 larger would not */
	{
		struct fit_lines bigger;
		fit_lines(LONG_NAME, 930, f.size + 2, f.size + 2, 3, "…", half_size, NULL, &bigger);
		assert_true(bigger.cut);
	}
	/* two lines only: smaller, still whole */
	fit_lines(LONG_NAME, 930, 64, 20, 2, "…", half_size, NULL, &f);
	assert_false(f.cut);
	assert_int_equal(f.n, 2);
	assert_lines_fit(&f, 930);
	joined(&f, back, sizeof back);
	assert_string_equal(back, LONG_NAME);
}

/* A hyphenated name breaks after its hyphen when the whole word is too wide. */
static void test_a_line_may_end_after_a_hyphen(void **state)
{
	struct fit_lines f;
	char back[200];
	(void)state;
	fit_lines("Ødegård-Lindqvist", 300, 40, 40, 2, "…", half_size, NULL, &f);
	assert_false(f.cut);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.line[0], "Ødegård-");
	assert_string_equal(f.line[1], "Lindqvist");
	joined(&f, back, sizeof back);
	assert_string_equal(back, "Ødegård-Lindqvist");
}

/* What cannot fit even at the least size is cut at its end with "…",
 * never anywhere else; a word wider than the line is broken. */
static void test_what_never_fits_ends_in_an_ellipsis(void **state)
{
	struct fit_lines f;
	(void)state;
	fit_lines(LONG_NAME, 400, 64, 40, 2, "…", half_size, NULL, &f);
	assert_true(f.cut);
	assert_int_equal(f.n, 2);
	assert_true(f.size == 40);
	assert_lines_fit(&f, 400);
	assert_non_null(strstr(f.line[1], "…"));
	assert_string_equal(f.line[1] + strlen(f.line[1]) - strlen("…"), "…");
	assert_int_equal(strncmp(f.line[0], "Bartholomew", 11), 0); /* the start is there */
	/* one word, much wider than the line */
	fit_lines("Hohenzollern-Sigmaringen", 100, 20, 20, 1, "…", half_size, NULL, &f);
	assert_true(f.cut);
	assert_int_equal(f.n, 1);
	assert_lines_fit(&f, 100);
	assert_int_equal(strncmp(f.line[0], "Hohenzol", 8), 0);
	/* cut back a character at a time, never inside one: 2, 3 and 4 bytes */
	fit_lines("ØØØØØØØØØØØØØØ", 100, 20, 20, 1, "…", lenient_size, NULL, &f);
	assert_true(f.cut);
	assert_string_equal(f.line[0], "ØØØØØØØØØ…");
	fit_lines("山田太郎山田太郎 Jr.", 100, 20, 20, 1, "…", lenient_size, NULL, &f);
	assert_true(f.cut);
	assert_string_equal(f.line[0], "山田太郎…");
	fit_lines("🎫🎫🎫🎫🎫🎫🎫🎫🎫🎫🎫🎫", 100, 20, 20, 1, "…", lenient_size, NULL, &f);
	assert_true(f.cut);
	assert_string_equal(f.line[0], "🎫🎫🎫🎫…"); /* wide: as a CJK one */
	/* nothing: no lines */
	fit_lines("", 100, 20, 10, 3, "…", half_size, NULL, &f);
	assert_int_equal(f.n, 0);
	assert_false(f.cut);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_short_name_stays_one_line_at_full_size),
		cmocka_unit_test(test_a_long_name_is_whole_on_lines_that_fit),
		cmocka_unit_test(test_a_line_may_end_after_a_hyphen),
		cmocka_unit_test(test_what_never_fits_ends_in_an_ellipsis),
	};
	return cmocka_run_group_tests_name("fit_lines", tests, NULL, NULL);
}

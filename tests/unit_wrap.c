/* draw_wrapped breaks a text into rows by columns and whole characters:
 * a cut by bytes split "ä" in two (a '?' at a row's end and the next
 * row's start) and ended rows with å ä ö in them short. Drawn on a curses
 * screen that writes to /dev/null and read back from it. */
#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "helpers.h"
#include "screens/screen.h"

static SCREEN *screen;
static FILE *out, *in;

static int open_screen(void **state)
{
	(void)state;
	if (!setlocale(LC_ALL, "C.UTF-8"))
		return -1;
	draw_init();
	setenv("TERM", "xterm", 1);
	setenv("COLUMNS", "40", 1);
	setenv("LINES", "10", 1);
	out = fopen("/dev/null", "w");
	in = fopen("/dev/null", "r");
	if (!out || !in || !(screen = newterm(NULL, out, in)))
		return -1;
	return 0;
}

static int close_screen(void **state)
{
	(void)state;
	endwin();
	delscreen(screen);
	fclose(out);
	fclose(in);
	return 0;
}

/* Row y from column x, width columns, as UTF-8, trailing blanks dropped. */
static const char *row_text(int y, int x, int width)
{
	static char text[256];
	wchar_t wide[128];
	size_t len;

	memset(wide, 0, sizeof wide);
	mvinnwstr(y, x, wide, width);
	len = wcstombs(text, wide, sizeof text - 1);
	if (len == (size_t)-1)
		return "(not text)";
	text[len] = '\0';
	while (len > 0 && text[len - 1] == ' ')
		text[--len] = '\0';
	return text;
}

/* "Åsa Öberg" is 9 columns and 11 bytes: it fits a 9-column row whole
 * (by bytes the row broke after "Åsa"). */
static void test_rows_by_columns(void **state)
{
	(void)state;
	erase();
	assert_int_equal(draw_wrapped(0, 0, 9, 3, "\u00c5sa \u00d6berg \u00c4nglund", A_NORMAL), 2);
	assert_string_equal(row_text(0, 0, 20), "\u00c5sa \u00d6berg");
	assert_string_equal(row_text(1, 0, 20), "\u00c4nglund");
}

/* A word longer than the row: broken between characters, never inside
 * one ("a" then å: byte 10 falls inside the fifth å). */
static void test_long_word_broken_between_characters(void **state)
{
	(void)state;
	erase();
	assert_int_equal(draw_wrapped(0, 0, 10, 3,
				      "a\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5", A_NORMAL),
			 2);
	assert_string_equal(row_text(0, 0, 20), "a\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5\u00e5");
	assert_string_equal(row_text(1, 0, 20), "\u00e5\u00e5\u00e5");
}

/* The last row takes the rest and says it was cut with "…"; a newline
 * starts a row. */
static void test_last_row_cut_and_newlines(void **state)
{
	(void)state;
	erase();
	assert_int_equal(draw_wrapped(0, 0, 10, 2, "B\u00e4st f\u00f6re\nS\u00e4ljs av \u00c5sa \u00d6berg i dag", A_NORMAL),
			 2);
	assert_string_equal(row_text(0, 0, 20), "B\u00e4st f\u00f6re");
	assert_string_equal(row_text(1, 0, 20), "S\u00e4ljs av \u2026");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_by_columns),
		cmocka_unit_test(test_long_word_broken_between_characters),
		cmocka_unit_test(test_last_row_cut_and_newlines),
	};
	return cmocka_run_group_tests_name("wrap", tests, open_screen, close_screen);
}

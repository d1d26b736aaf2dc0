/* The status line's text: a message longer than its buffer is cut between
 * characters and says so with "…" (src/core/status_log.c), the last few
 * are kept for the help, which folds them by columns (text_line). */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "screens/screen.h"
#include "src/core/status_log.h"

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

static bool ends_with(const char *s, const char *end)
{
	size_t n = strlen(s), m = strlen(end);
	return n >= m && strcmp(s + n - m, end) == 0;
}

/* "a" then € (3 bytes) until well past the buffer: the cut of 1024 bytes
 * falls inside a €; the message keeps whole ones and ends with "…". */
static void test_long_message_cut_between_characters(void **state)
{
	struct status_log *log = calloc(1, sizeof *log);
	char text[3 * STATUS_LOG_BYTES], cut[STATUS_LOG_BYTES];
	const char *kept;
	size_t n = 1;
	(void)state;

	text[0] = 'a';
	while (n + 3 < sizeof text) {
		memcpy(text + n, "\u20ac", 3);
		n += 3;
	}
	text[n] = '\0';
	kept = status_log_add(log, true, text);
	assert_true(strlen(kept) < STATUS_LOG_BYTES);
	assert_true(strlen(kept) > STATUS_LOG_BYTES - 8); /* the room is used */
	assert_true(utf8_whole(kept));
	assert_true(ends_with(kept, "\u2026"));
	assert_int_equal(strncmp(kept, text, strlen(kept) - 3), 0);
	/* the status line's own copy of it, cut again, stays whole */
	status_text_cut(cut, sizeof cut, kept);
	assert_string_equal(cut, kept);
	/* a smaller buffer: whole characters and the mark */
	for (size_t size = 1; size < 40; size++) {
		char small[40];
		status_text_cut(small, size, text);
		assert_true(strlen(small) < size);
		assert_true(utf8_whole(small));
		if (size > 4)
			assert_true(ends_with(small, "\u2026"));
	}
	free(log);
}

/* One that fits (1023 bytes) is kept as it is, with no mark. */
static void test_message_that_fits_is_whole(void **state)
{
	struct status_log *log = calloc(1, sizeof *log);
	char text[STATUS_LOG_BYTES];
	(void)state;

	memset(text, 'x', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	assert_string_equal(status_log_add(log, false, text), text);
	free(log);
}

/* The last five, newest first; one said again is one entry; an empty one
 * (a screen clearing the line) is none. */
static void test_last_few_newest_first(void **state)
{
	struct status_log *log = calloc(1, sizeof *log);
	char text[32];
	bool error;
	(void)state;

	assert_null(status_log_get(log, 0));
	for (int i = 1; i <= 7; i++) {
		snprintf(text, sizeof text, "message %d", i);
		status_log_add(log, i % 2, text);
		status_log_add(log, i % 2, text);
		status_log_add(log, false, "");
	}
	for (int i = 0; i < STATUS_LOG_KEPT; i++) {
		snprintf(text, sizeof text, "message %d", 7 - i);
		assert_string_equal(status_log_get(log, i)->text, text);
		error = status_log_get(log, i)->error;
		assert_int_equal(error, (7 - i) % 2);
	}
	assert_null(status_log_get(log, STATUS_LOG_KEPT));
	free(log);
}

/* text_line folds by columns: "Åsa Öberg" is 9 columns (11 bytes). */
static void test_line_folds_by_columns(void **state)
{
	const char *text = "\u00c5sa \u00d6berg went home";
	(void)state;
	if (!setlocale(LC_ALL, "C.UTF-8"))
		skip();
	draw_init();
	assert_int_equal(text_line(text, 9), strlen("\u00c5sa \u00d6berg"));
	assert_int_equal(text_line(text, 10), strlen("\u00c5sa \u00d6berg"));
	assert_int_equal(text_line(text, 100), strlen(text));
	/* a word wider than the line: as many whole characters as fit */
	assert_int_equal(text_line("\u00e5\u00e5\u00e5\u00e5", 3), 6);
	assert_int_equal(text_line("\u4e00\u4e8c", 1), 3);
	assert_int_equal(text_line("ab\ncd", 10), 2);
	setlocale(LC_ALL, "C");
	draw_init();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_message_cut_between_characters),
		cmocka_unit_test(test_message_that_fits_is_whole),
		cmocka_unit_test(test_last_few_newest_first),
		cmocka_unit_test(test_line_folds_by_columns),
	};
	return cmocka_run_group_tests_name("status_line", tests, NULL, NULL);
}

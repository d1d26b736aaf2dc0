#include "form.h"

#include <ctype.h>
#include <curses.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../screens/screen.h"
#include "../core/util.h"
#include "../core/validate.h"
#include "theme.h"

const char *form_value(const struct form_field *field)
{
	if (field->kind == FIELD_CHOICE)
		return field->nchoices > 0 ? field->choices[field->choice] : "";
	return field->text;
}

static void delete_last_char(char *text)
{
	size_t n = strlen(text);
	if (n > 0)
		text[utf8_prefix(text, n - 1)] = '\0';
}

/* The last refusal (a full field, a character the field never takes, a
 * letter no choice starts with), until form_take_refusal (one loop, one
 * key at a time: never two forms at once); refused: not taken yet. */
static char refusal[160];
static bool refused;

static void refuse(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void refuse(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(refusal, sizeof refusal, fmt, ap);
	va_end(ap);
	refused = true;
}

/* The label's length without the spaces that pad it to its column
 * ("From "), for the refusals that name the field. */
static int label_len(const struct form_field *field)
{
	int n = field->label ? (int)strlen(field->label) : 0;
	while (n > 0 && field->label[n - 1] == ' ')
		n--;
	return n;
}

static bool accepts(const struct form_field *field, int key)
{
	switch (field->kind) {
	case FIELD_DIGITS: return key >= '0' && key <= '9';
	case FIELD_DATE: return (key >= '0' && key <= '9') || key == '-';
	case FIELD_TEXT: return key >= ' ' && key < 256 && key != 127;
	default: return false;
	}
}

static long long monotonic_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Whether choice starts with the typed bytes, ASCII letters in any case
 * (a UTF-8 character is typed a byte at a time and matched as bytes). */
static bool starts_with_typed(const char *choice, const char *typed)
{
	for (; *typed; typed++, choice++) {
		unsigned char a = (unsigned char)*choice, b = (unsigned char)*typed;
		if (a < 128 && b < 128 ? tolower(a) != tolower(b) : a != b)
			return false;
	}
	return true;
}

/* Letters typed in a quick run (under a second apart) look for the
 * choice starting with all of them, so "Nor" finds "Nordic Bank" among
 * many N's; the same letter again steps to the next choice starting with
 * it, as one letter always did. */
static int choose_typed(struct form_field *field, int key)
{
	int n = field->nchoices;
	long long now = monotonic_ms();
	size_t len = strlen(field->typed);
	bool repeat;

	if (key <= ' ' || key > 255 || key == 127)
		return FORM_IGNORED;
	if (now - field->typed_ms > 1000 || len + 1 >= sizeof field->typed)
		len = 0;
	field->typed_ms = now;
	field->typed[len] = (char)key;
	field->typed[len + 1] = '\0';
	repeat = len > 0;
	for (size_t i = 0; i < len && repeat; i++)
		repeat = field->typed[i] == (char)key;
	if (len > 0 && !repeat) {
		/* the run goes on: the current choice stays if it still fits */
		for (int step = 0; step < n; step++) {
			int c = (field->choice + step) % n;
			if (starts_with_typed(field->choices[c], field->typed)) {
				field->choice = c;
				return FORM_CHANGED;
			}
		}
		if (key >= 0x80 && key < 0xC0)
			return FORM_IGNORED; /* the rest of a character that matched nothing */
		/* nothing starts so: a new run from this key */
		field->typed[0] = (char)key;
		field->typed[1] = '\0';
	} else if (repeat)
		field->typed[1] = '\0';
	if (key >= 0x80 && key < 0xC0)
		return FORM_IGNORED;
	/* a letter (or a character's first byte): the next choice starting with it */
	for (int step = 1; step <= n; step++) {
		int c = (field->choice + step) % n;
		if (starts_with_typed(field->choices[c], field->typed)) {
			field->choice = c;
			return FORM_CHANGED;
		}
	}
	if (key < 0x80) /* said, not dropped in silence */
		refuse("%.*s%sno choice starts with \"%c\" (Space goes through them)",
			 label_len(field), field->label ? field->label : "", label_len(field) ? ": " : "", key);
	return FORM_IGNORED;
}

static int choose(struct form_field *field, int key)
{
	int n = field->nchoices;
	if (n == 0)
		return FORM_IGNORED;
	if (key == ' ' || key == KEY_RIGHT) {
		field->choice = (field->choice + 1) % n;
		return FORM_CHANGED;
	}
	if (key == KEY_LEFT) {
		field->choice = (field->choice + n - 1) % n;
		return FORM_CHANGED;
	}
	return choose_typed(field, key);
}

/* A character a number or a date never takes is said, not dropped in
 * silence: "Quantity takes digits only". */
static void refuse_kind(const struct form_field *field, int key)
{
	const char *label = field->label ? field->label : "";
	int n = label_len(field);

	if ((field->kind != FIELD_DIGITS && field->kind != FIELD_DATE) || accepts(field, key))
		return;
	if (!((key >= ' ' && key < 127) || (key >= 0xC0 && key < 0x100)))
		return; /* arrows, F-keys, control keys and a character's later bytes */
	refuse("%.*s%s%s", n, label, n ? " takes " : "Takes ",
	       field->kind == FIELD_DIGITS ? "digits only" : "a date: digits and - only (YYYY-MM-DD)");
}

int form_key(struct form *f, enum action action, int key)
{
	struct form_field *field = &f->fields[f->focus];
	size_t n;

	if (f->count > 1 && (action == ACT_NEXT_FIELD || key == '\t' || key == KEY_DOWN)) {
		f->focus = (f->focus + 1) % f->count;
		return FORM_MOVED;
	}
	if (f->count > 1 && (key == KEY_BTAB || key == KEY_UP)) {
		f->focus = (f->focus + f->count - 1) % f->count;
		return FORM_MOVED;
	}
	if (field->kind == FIELD_CHOICE)
		return choose(field, key);
	refuse_kind(field, key);
	if (field->replace_on_type) {
		/* A shown default ("1") is replaced, not extended to "12", by
		 * the first key that edits the field; a key that edits nothing
		 * (an arrow, Home, a letter in a number) leaves it a default. */
		bool edits = accepts(field, key) || key == KEY_BACKSPACE || key == 127 || key == 8 || key == 21;
		if (!edits)
			return FORM_IGNORED;
		if (accepts(field, key))
			field->text[0] = '\0';
		field->replace_on_type = false;
	}
	if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		if (!field->text[0])
			return FORM_IGNORED;
		delete_last_char(field->text);
		return FORM_CHANGED;
	}
	if (key == 21) { /* Ctrl-U clears the field */
		field->text[0] = '\0';
		return FORM_CHANGED;
	}
	n = strlen(field->text);
	/* Keys come a byte at a time; a UTF-8 character is taken whole or not
	 * at all, so a field never ends in half a character. */
	if (key >= 0x80 && key < 0xC0) {
		if (field->skip_continuation > 0) {
			field->skip_continuation--;
			return FORM_IGNORED;
		}
		if (field->kind != FIELD_TEXT || n == 0 || n + 1 >= sizeof field->text)
			return FORM_IGNORED;
		field->text[n] = (char)key;
		field->text[n + 1] = '\0';
		return FORM_CHANGED;
	}
	{
		int len = key < 0x80 ? 1 : key >= 0xF0 ? 4 : key >= 0xE0 ? 3 : 2;
		bool lead = key >= 0xC0 && key < 0x100;
		field->skip_continuation = 0;
		if (!accepts(field, key) || utf8_length(field->text) >= field->max_chars ||
		    n + (size_t)len >= sizeof field->text) {
			field->skip_continuation = lead ? len - 1 : 0;
			if (accepts(field, key)) /* full: said (and the bell rung) by the framework */
				refuse("%.*s%sat most %d %s", label_len(field), field->label ? field->label : "",
				       label_len(field) ? ": " : "", field->max_chars,
				       field->kind == FIELD_DIGITS ? "digits" : "characters");
			return FORM_IGNORED;
		}
		field->text[n] = (char)key;
		field->text[n + 1] = '\0';
		return FORM_CHANGED;
	}
	return FORM_IGNORED;
}

const char *form_take_refusal(void)
{
	if (!refused)
		return "";
	refused = false;
	return refusal; /* good until the next key: the caller says it at once */
}

bool form_tabs_out(const struct form *f, int key)
{
	return (key == '\t' && f->focus == f->count - 1) || (key == KEY_BTAB && f->focus == 0);
}

void form_draw_field(const struct form *f, int i, int y, int x, int label_w, int w, bool active)
{
	const struct form_field *field = &f->fields[i];
	bool focused = active && f->focus == i;
	unsigned attr = focused ? theme_attr(C_SELECTED) : A_UNDERLINE;
	char value[FIELD_TEXT_MAX + 8];

	if (label_w > 0)
		draw_text(y, x, label_w, field->label, A_BOLD);
	if (field->kind == FIELD_CHOICE) {
		/* a long name is cut with "…", the arrows kept */
		text_ellipsis(value, sizeof value - 8, form_value(field), w - label_w - (focused ? 3 : 0));
		if (focused)
			strcat(value, " ◂▸");
	}
	else if (focused) {
		/* typing goes on at the end: show the end, never type blind */
		size_t n;
		text_tail(value, sizeof value - 1, field->text, w - label_w - 1);
		n = strlen(value);
		value[n] = '_';
		value[n + 1] = '\0';
	} else
		text_ellipsis(value, sizeof value, field->text, w - label_w);
	draw_fill(y, x + label_w, w - label_w, attr);
	draw_text(y, x + label_w, w - label_w, value, attr);
}

void form_new_key(char key[FORM_KEY_MAX], const char *what)
{
	static unsigned counter;
	unsigned char raw[16];
	char hex[sizeof raw * 2 + 1];

	if (sodium_init() < 0) /* no random source: time, process and a counter */
		snprintf(hex, sizeof hex, "%lx-%x-%x", (unsigned long)time(NULL), (unsigned)getpid(), ++counter);
	else {
		randombytes_buf(raw, sizeof raw);
		sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
	}
	snprintf(key, FORM_KEY_MAX, "tui-%.16s-%s", what, hex);
}

/* A small form: labelled fields of digits, free text, dates or a choice
 * among names. Shared by the sale, the new order, the filter pane and the
 * one-line prompts, so every form edits the same way: type, Backspace,
 * Tab/Up/Down to move, Space/Left/Right or a first letter to choose. */
#ifndef BOXOFFICE_APP_FORM_H
#define BOXOFFICE_APP_FORM_H

#include <stdbool.h>

#include "keymap.h"

enum field_kind { FIELD_DIGITS, FIELD_TEXT, FIELD_DATE, FIELD_CHOICE };

/* Room for the longest text a field takes: 200 characters of up to 4
 * bytes each, the database's limit for names and companies. */
#define FIELD_TEXT_MAX 808

struct form_field {
	const char *label;
	enum field_kind kind;
	int max_chars;               /* text, digits, date: characters, never cut inside one */
	const char *const *choices;  /* choice */
	int nchoices;
	char text[FIELD_TEXT_MAX];
	int choice;
	int skip_continuation;       /* bytes left of a character refused whole */
	bool replace_on_type;        /* a default: the first character typed replaces it */
	char typed[24];              /* choice: letters typed in a quick run, the start looked for */
	long long typed_ms;          /* when the last of them came (monotonic) */
};

struct form {
	struct form_field *fields;
	int count;
	int focus;
};

enum form_result {
	FORM_IGNORED = 0,
	FORM_MOVED = 1,   /* focus changed */
	FORM_CHANGED = 2, /* a value changed */
};

/* Handles one key for the focused field; Up/Down/Tab move unless
 * moves_focus is false (a one-field prompt). */
int form_key(struct form *f, enum action action, int key);
/* Why form_key last refused a key: its field was full ("Name: at most
 * 80 characters", the field's own limit) or never takes that character
 * ("Quantity takes digits only"); told once: "" when no key was refused
 * so since the last call. The framework says it on the status line after
 * each key, so no screen has to. */
const char *form_take_refusal(void);
/* Tab on the last field or Shift-Tab on the first: where a filter pane
 * hands the focus back to its list (Ticket Orders, Organizations). */
bool form_tabs_out(const struct form *f, int key);
/* Draws field i: label in label_w columns, value in the rest of w. */
void form_draw_field(const struct form *f, int i, int y, int x, int label_w, int w, bool active);
/* The value as shown (choice name, or the text). */
const char *form_value(const struct form_field *field);

/* A fresh idempotency key for one form instance ("tui-<what>-<32 hex>"):
 * a form sends it with what it creates, so pressing Enter again, or
 * retrying after a lost answer, can never create the thing twice. A form
 * takes a new key only after it has created something and moved on. */
#define FORM_KEY_MAX 64
void form_new_key(char key[FORM_KEY_MAX], const char *what);

#endif

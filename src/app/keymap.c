#include "keymap.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#define KEY_ESC 27
#define KEY_CTRL_L 12
#define KEY_DEL 127
#define KEY_CTRL_H 8

const struct binding bindings[] = {
	{ NULL, KEY_F(1), ACT_HELP, true },
	{ NULL, '?', ACT_HELP, false },
	{ NULL, KEY_F(2), ACT_MENU, true },
	{ NULL, KEY_F(5), ACT_REFRESH, true },
	{ NULL, KEY_ESC, ACT_BACK, true },
	{ NULL, KEY_F(10), ACT_QUIT, true },
	{ NULL, KEY_CTRL_L, ACT_REPAINT, false },
	{ NULL, KEY_UP, ACT_UP, false },
	{ NULL, KEY_DOWN, ACT_DOWN, false },
	{ NULL, KEY_PPAGE, ACT_PAGE_UP, false },
	{ NULL, KEY_NPAGE, ACT_PAGE_DOWN, false },
	{ NULL, KEY_HOME, ACT_HOME, false },
	{ NULL, KEY_END, ACT_END, false },
	{ "menu", '\r', ACT_OPEN, true },
	{ "menu", '\n', ACT_OPEN, false },
	{ "menu", KEY_ENTER, ACT_OPEN, false },
	{ "menu", 'q', ACT_QUIT, false },
	{ "menu", 'k', ACT_UP, false },
	{ "menu", 'j', ACT_DOWN, false },
	{ "events", '\r', ACT_OPEN, true },
	{ "events", '\n', ACT_OPEN, false },
	{ "events", KEY_ENTER, ACT_OPEN, false },
	{ "events", 'k', ACT_UP, false },
	{ "events", 'j', ACT_DOWN, false },
	{ "events", 'q', ACT_BACK, false },
	{ "help", 'q', ACT_BACK, false },
	{ "inventory", '\r', ACT_SELL, true },
	{ "inventory", '\n', ACT_SELL, false },
	{ "inventory", KEY_ENTER, ACT_SELL, false },
	{ "inventory", 's', ACT_SELL, false },
	{ "inventory", KEY_F(4), ACT_SELL, false },
	{ "inventory", 'k', ACT_UP, false },
	{ "inventory", 'j', ACT_DOWN, false },
	{ "inventory", 'q', ACT_BACK, false },
	{ "orders", '\r', ACT_OPEN, true },
	{ "orders", '\n', ACT_OPEN, false },
	{ "orders", KEY_ENTER, ACT_OPEN, false },
	{ "orders", 'n', ACT_NEW, true },
	{ "orders", 'i', ACT_INVOICE, true },
	{ "orders", 's', ACT_SETTLE, true },
	{ "orders", 'g', ACT_GENERATE, true },
	{ "orders", 'c', ACT_CANCEL, true },
	{ "orders", 'r', ACT_REFUND, true },
	{ "orders", 'e', ACT_EXPORT, true },
	{ "orders", '/', ACT_SEARCH, true },
	{ "orders", '\t', ACT_FILTERS, false },
	{ "orders", KEY_F(4), ACT_RESET, true },
	{ "orders", KEY_F(6), ACT_SORT, true },
	{ "orders", KEY_F(7), ACT_REVERSE, false },
	{ "orders", KEY_F(8), ACT_SUMMARY, false },
	{ "orders", 'a', ACT_ASSIGN, true },
	{ "orders", 'q', ACT_BACK, false },
	{ "order", 'a', ACT_ASSIGN, true },
	{ "assign", '\r', ACT_SUBMIT, true },
	{ "assign", '\n', ACT_SUBMIT, false },
	{ "assign", KEY_ENTER, ACT_SUBMIT, false },
	{ "assign", '\t', ACT_NEXT_FIELD, true },
	{ "assign", KEY_F(3), ACT_PICK, true },
	{ "assign", KEY_F(8), ACT_UNASSIGN, true },
	{ "assign", KEY_F(9), ACT_BADGE, true },
	{ "assign", KEY_F(6), ACT_BULK, true },
	{ "checkin", '\r', ACT_SUBMIT, false },
	{ "checkin", '\n', ACT_SUBMIT, false },
	{ "checkin", KEY_ENTER, ACT_SUBMIT, false },
	{ "checkin", KEY_F(3), ACT_FIND, true },
	{ "checkin", KEY_ESC, ACT_CLEAR, true },
	{ "checkin", KEY_BACKSPACE, ACT_ERASE, false },
	{ "checkin", KEY_DEL, ACT_ERASE, false },
	{ "checkin", KEY_CTRL_H, ACT_ERASE, false },
	{ "mytickets", '\r', ACT_OPEN, true },
	{ "mytickets", '\n', ACT_OPEN, false },
	{ "mytickets", KEY_ENTER, ACT_OPEN, false },
	{ "order", 'q', ACT_BACK, false },
	{ "neworder", '\r', ACT_SUBMIT, true },
	{ "neworder", '\n', ACT_SUBMIT, false },
	{ "neworder", KEY_ENTER, ACT_SUBMIT, false },
	{ "neworder", '\t', ACT_NEXT_FIELD, true },
	{ "sale", '\r', ACT_SUBMIT, true },
	{ "sale", '\n', ACT_SUBMIT, false },
	{ "sale", KEY_ENTER, ACT_SUBMIT, false },
	{ "sale", '\t', ACT_NEXT_FIELD, true },
	{ NULL, 0, ACT_NONE, false },
};

static const char *const labels[ACT_COUNT] = {
#define X(name, label, help) label,
	ACTIONS(X)
#undef X
};

static const char *const helps[ACT_COUNT] = {
#define X(name, label, help) help,
	ACTIONS(X)
#undef X
};

const char *action_label(enum action a)
{
	return (unsigned)a < ACT_COUNT ? labels[a] : "";
}

const char *action_help(enum action a)
{
	return (unsigned)a < ACT_COUNT ? helps[a] : "";
}

enum action keymap_lookup(const char *screen, int key)
{
	enum action global = ACT_NONE;

	for (const struct binding *b = bindings; b->action != ACT_NONE; b++) {
		if (b->key != key)
			continue;
		if (b->screen && screen && strcmp(b->screen, screen) == 0)
			return b->action;
		if (!b->screen && global == ACT_NONE)
			global = b->action;
	}
	return global;
}

const char *key_label(int key, char *buf, int size)
{
	static const struct {
		int key;
		const char *label;
	} names[] = {
		{ '\r', "Enter" }, { '\n', "Enter" }, { KEY_ENTER, "Enter" }, { KEY_ESC, "Esc" },
		{ KEY_UP, "Up" }, { KEY_DOWN, "Down" }, { KEY_PPAGE, "PgUp" },
		{ KEY_NPAGE, "PgDn" }, { KEY_HOME, "Home" }, { KEY_END, "End" },
		{ '\t', "Tab" }, { ' ', "Space" }, { KEY_DC, "Del" }, { KEY_IC, "Ins" },
		{ KEY_BACKSPACE, "BkSp" }, { KEY_DEL, "BkSp" }, { KEY_CTRL_H, "BkSp" }, { KEY_CTRL_L, "Ctrl-L" },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].key == key) {
			snprintf(buf, (size_t)size, "%s", names[i].label);
			return buf;
		}
	if (key >= KEY_F(1) && key <= KEY_F(12))
		snprintf(buf, (size_t)size, "F%d", key - KEY_F(0));
	else if (key >= 32 && key < 127)
		snprintf(buf, (size_t)size, "%c", key);
	else
		snprintf(buf, (size_t)size, "#%d", key);
	return buf;
}

#include "keymap.h"

#include "../core/role.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#define KEY_ESC 27
#define KEY_CTRL_L 12
#define KEY_DEL 127
#define KEY_CTRL_H 8

const struct binding bindings[] = {
	{ NULL, KEY_F(1), ACT_HELP, true, true },
	{ NULL, '?', ACT_HELP, false, false },
	{ NULL, KEY_F(2), ACT_MENU, true, true },
	{ NULL, KEY_F(5), ACT_REFRESH, true, false },
	{ NULL, KEY_ESC, ACT_BACK, true, false },
	{ NULL, KEY_F(10), ACT_QUIT, true, true },
	{ NULL, KEY_F(9), ACT_ALERTS, false, false },
	{ "dashboard", 'a', ACT_ALERTS, true, false },
	{ "dashboard", 't', ACT_SETTINGS, true, false },
	{ "alerts", 'a', ACT_ACK, true, false },
	{ "alerts", 't', ACT_SETTINGS, true, false },
	{ "alerts", 'k', ACT_UP, false, false },
	{ "alerts", 'j', ACT_DOWN, false, false },
	{ "alerts", 'q', ACT_BACK, false, false },
	{ "thresholds", '\r', ACT_SUBMIT, true, false },
	{ "thresholds", '\n', ACT_SUBMIT, false, false },
	{ "thresholds", KEY_ENTER, ACT_SUBMIT, false, false },
	{ "thresholds", '\t', ACT_NEXT_FIELD, true, false },
	{ "orgform", '\r', ACT_SUBMIT, true, false },
	{ "orgform", '\n', ACT_SUBMIT, false, false },
	{ "orgform", KEY_ENTER, ACT_SUBMIT, false, false },
	{ "orgform", '\t', ACT_NEXT_FIELD, true, false },
	{ NULL, KEY_CTRL_L, ACT_REPAINT, false, false },
	{ NULL, KEY_UP, ACT_UP, false, false },
	{ NULL, KEY_DOWN, ACT_DOWN, false, false },
	{ NULL, KEY_PPAGE, ACT_PAGE_UP, false, false },
	{ NULL, KEY_NPAGE, ACT_PAGE_DOWN, false, false },
	{ NULL, KEY_HOME, ACT_HOME, false, false },
	{ NULL, KEY_END, ACT_END, false, false },
	{ "menu", '\r', ACT_OPEN, true, false },
	{ "menu", '\n', ACT_OPEN, false, false },
	{ "menu", KEY_ENTER, ACT_OPEN, false, false },
	{ "menu", 'q', ACT_QUIT, false, false },
	{ "menu", 'k', ACT_UP, false, false },
	{ "menu", 'j', ACT_DOWN, false, false },
	{ "organizations", '+', ACT_ADD, true, false },
	{ "organizations", 'e', ACT_EDIT, true, false },
	{ "organizations", 'x', ACT_ARCHIVE, true, false },
	{ "organizations", 'o', ACT_ORDERS, true, false },
	{ "organizations", 'p', ACT_PERSONS, true, false },
	{ "organizations", 'v', ACT_ARCHIVED, true, false },
	{ "org_archived", 'u', ACT_RESTORE, true, false },
	{ "org_archived", KEY_F(5), ACT_REFRESH, false, false },
	{ "organizations", '\r', ACT_OPEN, false, false },
	{ "organizations", '\n', ACT_OPEN, false, false },
	{ "organizations", KEY_ENTER, ACT_OPEN, false, false },
	{ "organizations", '\t', ACT_FILTERS, true, false },
	{ "organizations", '/', ACT_SEARCH, false, false },
	{ "organizations", KEY_F(4), ACT_RESET, true, false },
	{ "events", '\r', ACT_OPEN, true, false },
	{ "events", '\n', ACT_OPEN, false, false },
	{ "events", KEY_ENTER, ACT_OPEN, false, false },
	{ "events", 'k', ACT_UP, false, false },
	{ "events", 'j', ACT_DOWN, false, false },
	{ "events", 'q', ACT_BACK, false, false },
	{ "help", 'q', ACT_BACK, false, false },
	{ "inventory", '\r', ACT_SELL, true, false },
	{ "inventory", '\n', ACT_SELL, false, false },
	{ "inventory", KEY_ENTER, ACT_SELL, false, false },
	{ "inventory", 's', ACT_SELL, false, false },
	{ "inventory", KEY_F(4), ACT_SELL, false, false },
	{ "inventory", 'k', ACT_UP, false, false },
	{ "inventory", 'j', ACT_DOWN, false, false },
	{ "inventory", 'q', ACT_BACK, false, false },
	{ "orders", '\r', ACT_OPEN, true, false },
	{ "orders", '\n', ACT_OPEN, false, false },
	{ "orders", KEY_ENTER, ACT_OPEN, false, false },
	{ "orders", 'n', ACT_NEW, true, false },
	{ "orders", 'i', ACT_INVOICE, true, false },
	{ "orders", 's', ACT_SETTLE, true, false },
	{ "orders", 'g', ACT_GENERATE, true, false },
	{ "orders", 'c', ACT_CANCEL, true, false },
	{ "orders", 'r', ACT_REFUND, true, false },
	{ "orders", 'e', ACT_EXPORT, true, false },
	{ "orders", '/', ACT_SEARCH, true, false },
	{ "orders", '\t', ACT_FILTERS, false, false },
	{ "orders", KEY_F(4), ACT_RESET, true, false },
	{ "orders", KEY_F(6), ACT_SORT, true, false },
	{ "orders", KEY_F(7), ACT_REVERSE, false, false },
	{ "orders", KEY_F(8), ACT_SUMMARY, false, false },
	{ "orders", 'a', ACT_ASSIGN, true, false },
	{ "orders", 'q', ACT_BACK, false, false },
	{ "order", 'a', ACT_ASSIGN, true, false },
	/* the order detail acts on its order as the list does */
	{ "order", 'i', ACT_INVOICE, true, false },
	{ "order", 's', ACT_SETTLE, true, false },
	{ "order", 'g', ACT_GENERATE, true, false },
	{ "order", 'c', ACT_CANCEL, true, false },
	{ "order", 'r', ACT_REFUND, true, false },
	{ "order", 'p', ACT_RECEIPT, false, false },
	{ "assign", '\r', ACT_SUBMIT, true, false },
	{ "assign", '\n', ACT_SUBMIT, false, false },
	{ "assign", KEY_ENTER, ACT_SUBMIT, false, false },
	{ "assign", '\t', ACT_NEXT_FIELD, true, false },
	{ "assign", KEY_F(3), ACT_PICK, true, false },
	{ "assign", KEY_F(8), ACT_UNASSIGN, true, false },
	{ "assign", KEY_F(9), ACT_BADGE, true, false },
	{ "assign", KEY_F(6), ACT_BULK, true, false },
	{ "checkin", '\r', ACT_SUBMIT, false, false },
	{ "checkin", '\n', ACT_SUBMIT, false, false },
	{ "checkin", KEY_ENTER, ACT_SUBMIT, false, false },
	{ "checkin", KEY_F(3), ACT_FIND, true, false },
	{ "checkin", KEY_F(4), ACT_CAMERA, true, false },
	{ "checkin", KEY_ESC, ACT_CLEAR, true, false },
	{ "checkin", KEY_F(6), ACT_LISTS, true, false },
	{ "checkin", KEY_F(7), ACT_OVERRIDE, true, false },
	{ "checkin", KEY_BACKSPACE, ACT_ERASE, false, false },
	{ "checkin", KEY_DEL, ACT_ERASE, false, false },
	{ "checkin", KEY_CTRL_H, ACT_ERASE, false, false },
	/* u undoes only with no code typed and a row of Last scans chosen
	 * (Up/Down); else it is a character of the code */
	{ "checkin", 'u', ACT_UNDO, false, false },
	{ "mytickets", '\r', ACT_OPEN, true, false },
	{ "mytickets", '\n', ACT_OPEN, false, false },
	{ "mytickets", KEY_ENTER, ACT_OPEN, false, false },
	{ "order", 'q', ACT_BACK, false, false },
	{ "mytickets", KEY_LEFT, ACT_PREV, false, false },
	{ "mytickets", KEY_RIGHT, ACT_NEXT, false, false },
	{ "mytickets", KEY_F(8), ACT_REISSUE, true, false },
	{ "mytickets", KEY_F(9), ACT_BADGE, true, false },
	{ "neworder", '\r', ACT_SUBMIT, true, false },
	{ "neworder", '\n', ACT_SUBMIT, false, false },
	{ "neworder", KEY_ENTER, ACT_SUBMIT, false, false },
	{ "neworder", '\t', ACT_NEXT_FIELD, true, false },
	{ "sale", '\r', ACT_SUBMIT, true, false },
	{ "sale", '\n', ACT_SUBMIT, false, false },
	{ "sale", KEY_ENTER, ACT_SUBMIT, false, false },
	{ "sale", '\t', ACT_NEXT_FIELD, true, false },
	{ "audit", '\r', ACT_OPEN, true, false },
	{ "audit", '\n', ACT_OPEN, false, false },
	{ "audit", KEY_ENTER, ACT_OPEN, false, false },
	{ "audit", '/', ACT_FILTER, true, false },
	{ "audit", 'f', ACT_FILTER, false, false },
	{ "audit", 'k', ACT_UP, false, false },
	{ "audit", 'j', ACT_DOWN, false, false },
	{ "audit", 'q', ACT_BACK, false, false },
	{ "dashboard", 'c', ACT_CONFLICTS, true, false },
	{ "conflicts", 'r', ACT_REVIEW, true, false },
	{ "conflicts", 'v', ACT_VOID, true, false },
	{ "conflicts", 'k', ACT_UP, false, false },
	{ "conflicts", 'j', ACT_DOWN, false, false },
	{ "conflicts", 'q', ACT_BACK, false, false },
	/* a y/n question (KEYS_ASK): y does it, n or Esc leaves it */
	{ KEYS_ASK, 'y', ACT_YES, true, false },
	{ KEYS_ASK, 'Y', ACT_YES, false, false },
	{ KEYS_ASK, 'n', ACT_NO, true, false },
	{ KEYS_ASK, 'N', ACT_NO, false, false },
	{ KEYS_ASK, KEY_ESC, ACT_NO, true, false },
	/* modal states: a prompt or a typed field (keymap_modal) */
	{ "modal", '\r', ACT_SUBMIT, false, false },
	{ "modal", '\n', ACT_SUBMIT, false, false },
	{ "modal", KEY_ENTER, ACT_SUBMIT, false, false },
	{ "modal", KEY_ESC, ACT_BACK, false, false },
	{ NULL, 0, ACT_NONE, false, false },
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

/* Where an action means something more exact on one screen, the help
 * says that there (Enter at a gate scans; it confirms no form). */
static const struct {
	const char *screen;
	enum action action;
	const char *help;
} screen_helps[] = {
	{ "checkin", ACT_SUBMIT, "scan the code typed (scanners end with Enter)" },
	{ "checkin", ACT_CLEAR, "clear the code being typed, or close a prompt" },
	{ "checkin", ACT_UP, "choose a row of Last scans (newest first)" },
	{ "checkin", ACT_DOWN, "choose a row of Last scans (newest first)" },
	{ "sale", ACT_SUBMIT, "show the charge; y (or Enter again) sells" },
	/* F9 is Alerts on every other screen: say it is not here */
	{ "assign", ACT_BADGE, "print the selected badge (F9 is Alerts elsewhere)" },
	{ "mytickets", ACT_BADGE, "print this ticket's badge (F9 is Alerts elsewhere)" },
	{ "sale", ACT_NEXT_FIELD, "next field; on Payment: Space or c/i/s/f" },
	{ "thresholds", ACT_SUBMIT, "save the thresholds of the chosen type or the event" },
	{ "orgform", ACT_SUBMIT, "save it; if changed elsewhere, shows what changed" },
	{ "orgform", ACT_BACK, "back to the list (asks first if you typed changes)" },
	{ "orgform", ACT_REFRESH, "read it again from the database (asks if typed)" },
	{ "organizations", ACT_OPEN, "its orders (as o); in the filters: back to the list" },
	{ "organizations", ACT_FILTERS, "filters: Tab/Up/Down a field, Space a choice" },
	{ "organizations", ACT_SEARCH, "search a part of the name, booth or category" },
	{ "neworder", ACT_SUBMIT, "create the order (lines and total shown as you type)" },
	{ "audit", ACT_OPEN, "show the chosen change in full (Esc: back)" },
	{ "audit", ACT_PAGE_DOWN, "page down; older changes are read as you go" },
	{ "audit", ACT_REFRESH, "read again from the newest change" },
};

const char *action_help_on(const char *screen, enum action a)
{
	for (size_t i = 0; screen && i < sizeof screen_helps / sizeof screen_helps[0]; i++)
		if (screen_helps[i].action == a && strcmp(screen_helps[i].screen, screen) == 0)
			return screen_helps[i].help;
	return action_help(a);
}

enum action keymap_lookup(const char *screen, int key)
{
	enum action global = ACT_NONE;

	for (const struct binding *b = bindings; b->action != ACT_NONE; b++) {
		if (b->key != key)
			continue;
		if (b->screen && screen && strcmp(b->screen, screen) == 0)
			return b->action;
		if (!b->screen && global == ACT_NONE && (b->always || b->action == ACT_REPAINT || !screen || strcmp(screen, KEYS_ASK) != 0))
			global = b->action;
	}
	return global;
}

enum action keymap_modal(int key)
{
	for (const struct binding *b = bindings; b->action != ACT_NONE; b++)
		if (b->key == key && (b->always || (b->screen && strcmp(b->screen, "modal") == 0)))
			return b->action;
	return ACT_NONE;
}

bool keymap_is_command_key(int key)
{
	return key >= KEY_F(1) && key <= KEY_F(12);
}

const char *key_hint(const char *screen, enum action action, char *buf, int size)
{
	const struct binding *global = NULL;
	for (const struct binding *b = bindings; b->action != ACT_NONE; b++) {
		if (b->action != action)
			continue;
		if (b->screen && screen && strcmp(b->screen, screen) == 0)
			return key_label(b->key, buf, size);
		if (!b->screen && !global && keymap_lookup(screen, b->key) == action)
			global = b;
	}
	if (global)
		return key_label(global->key, buf, size);
	snprintf(buf, (size_t)size, "?");
	return buf;
}

const char *action_role(enum action action)
{
	static const struct {
		enum action action;
		const char *role;
	} needs[] = {
		{ ACT_SELL, "clerk" },	   { ACT_NEW, "clerk" },      { ACT_INVOICE, "clerk" },
		{ ACT_SETTLE, "clerk" },   { ACT_GENERATE, "clerk" }, { ACT_CANCEL, "clerk" },
		{ ACT_ASSIGN, "clerk" },   { ACT_UNASSIGN, "clerk" }, { ACT_BADGE, "clerk" },
		{ ACT_BULK, "clerk" },	   { ACT_EXPORT, "clerk" },   { ACT_PICK, "clerk" },
		{ ACT_REFUND, "supervisor" }, { ACT_OVERRIDE, "supervisor" }, { ACT_UNDO, "gate" },
		{ ACT_ALERTS, "supervisor" }, { ACT_ACK, "supervisor" }, { ACT_SETTINGS, "supervisor" },
		{ ACT_REVIEW, "supervisor" }, { ACT_VOID, "supervisor" },
		{ ACT_ADD, "clerk" }, { ACT_EDIT, "clerk" }, { ACT_ARCHIVE, "clerk" }, { ACT_RESTORE, "clerk" },
		{ ACT_RECEIPT, "clerk" }, { ACT_REISSUE, "clerk" },
	};
	for (size_t i = 0; i < sizeof needs / sizeof needs[0]; i++)
		if (needs[i].action == action)
			return needs[i].role;
	return NULL;
}

/* In a filter pane (the only screens that type while a list is shown)
 * Tab moves to the next field and Enter goes back to the list. */
static const char *typing_label(enum action action)
{
	return action == ACT_FILTERS ? "Next" : action == ACT_OPEN ? "List" : action_label(action);
}

int keymap_bar(const char *screen, bool back, bool typing, const char *role, int width, struct bar_item *items,
	       int max, bool (*acts)(void *state, enum action action), void *state)
{
	int n = 0, x = 0;

	/* pass 0: F1 Help; 1: the screen's own keys; 2: the global ones */
	for (int pass = 0; pass < 3; pass++)
		for (const struct binding *b = bindings; b->action != ACT_NONE && n < max; b++) {
			char key[16];
			const char *label;
			int w;
			if (!b->in_bar || (pass == 0) != (b->action == ACT_HELP))
				continue;
			if (b->screen && (!screen || strcmp(b->screen, screen) != 0))
				continue; /* another screen's */
			if ((pass == 1 && !b->screen) || (pass == 2 && b->screen))
				continue;
			if (!b->screen && keymap_lookup(screen, b->key) != b->action)
				continue; /* rebound by the screen */
			if (pass == 0 && n > 0)
				continue; /* one F1 */
			if (b->action == ACT_BACK && !back)
				continue;
			if (typing && b->key >= ' ' && b->key < 127)
				continue; /* it types into the field */
			if (!role_allows(role, action_role(b->action)))
				continue;
			if (b->screen && acts && !acts(state, b->action))
				continue; /* does nothing in the screen's state now */
			label = typing ? typing_label(b->action) : action_label(b->action);
			w = (int)strlen(key_label(b->key, key, sizeof key)) + (int)strlen(label);
			if (x + w > width && !(pass == 0 && n == 0))
				continue;
			items[n++] = (struct bar_item){ b->key, b->action, x, w, label };
			x += w + 1;
		}
	return n;
}

const char *key_label(int key, char *buf, int size)
{
	static const struct {
		int key;
		const char *label;
	} names[] = {
		{ '\r', "Enter" }, { '\n', "Enter" }, { KEY_ENTER, "Enter" }, { KEY_ESC, "Esc" },
		{ KEY_UP, "Up" }, { KEY_DOWN, "Down" }, { KEY_LEFT, "Left" }, { KEY_RIGHT, "Right" }, { KEY_PPAGE, "PgUp" },
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

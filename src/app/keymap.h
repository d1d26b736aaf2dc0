/* One list of key bindings drives dispatch, the function-key bar and the F1
 * help screen, so the three can never disagree (tig's REQ_INFO idea). */
#ifndef BOXOFFICE_APP_KEYMAP_H
#define BOXOFFICE_APP_KEYMAP_H

#include <stdbool.h>

#define ACTIONS(X)                                                        \
	X(NONE, "", "")                                                   \
	X(HELP, "Help", "show the keys of this screen")                   \
	X(QUIT, "Quit", "leave boxoffice")                                \
	X(BACK, "Back", "close this screen")                              \
	X(MENU, "Menu", "go to the main menu")                            \
	X(UP, "Up", "move up")                                            \
	X(DOWN, "Down", "move down")                                      \
	X(PAGE_UP, "PgUp", "page up")                                     \
	X(PAGE_DOWN, "PgDn", "page down")                                 \
	X(HOME, "Home", "first row")                                      \
	X(END, "End", "last row")                                         \
	X(OPEN, "Open", "open or choose the selected row")                \
	X(REFRESH, "Refresh", "read everything again from the database")      \
	X(SELL, "Sell", "sell tickets of the selected type at the counter") \
	X(NEXT_FIELD, "Next", "next field")                               \
	X(SUBMIT, "Done", "confirm the form")                             \
	X(NEW, "New", "new ticket order")                                  \
	X(INVOICE, "Invoice", "send the invoice (gapless number), or again")          \
	X(SETTLE, "Settle", "mark paid, with a payment reference")          \
	X(GENERATE, "Tickets", "generate the tickets an order is missing")  \
	X(CANCEL, "Cancel", "cancel the order (seats go back)")             \
	X(REFUND, "Refund", "refund the order (seats go back)")             \
	X(EXPORT, "Export", "export what the filters show as CSV")          \
	X(SEARCH, "Search", "type a search (company, contact, e-mail, ref)") \
	X(FILTERS, "Filters", "move between the list and the filters")      \
	X(RESET, "Reset", "reset every filter")                             \
	X(SORT, "Sort", "sort by the next column")                          \
	X(REVERSE, "Reverse", "reverse the sort order")                     \
	X(SUMMARY, "Summary", "show or hide the summary grid")              \
	X(ASSIGN, "Assign", "assign the order's tickets to people")         \
	X(PICK, "Pick", "fill the form with the next matching person")      \
	X(UNASSIGN, "Unassign", "take the selected ticket back (new QR)")  \
	X(BADGE, "Badge", "print the selected ticket's badge (or save it)") \
	X(FIND, "Find", "find a person without their code (manual admit)") \
	X(BULK, "Bulk", "assign from a name,e-mail CSV file (preview first)") \
	X(REPAINT, "Repaint", "paint the whole terminal again") \
	X(ERASE, "Erase", "delete the last character of the code being typed") \
	X(CLEAR, "Clear", "clear the code being typed (else: close this screen)") \
	X(PREV, "Prev", "the previous ticket")                              \
	X(NEXT, "Next", "the next ticket")                                  \
	X(UNDO, "Undo", "undo the check-in chosen in Last scans (reason, y)") \
	X(CAMERA, "Camera", "show or hide the camera's picture (to aim a badge)") \
	X(LISTS, "Lists", "open this gate on check-in lists (a picker)")    \
	X(OVERRIDE, "Override", "admit the one refused for a full area (reason)") \
	X(FILTER, "Filter", "filter: order:N ticket:N person:N station:S user:U") \
	X(ALERTS, "Alerts", "the alert log: what fired, who acknowledged it") \
	X(ACK, "Ack", "acknowledge the chosen alert (on every station)") \
	X(SETTINGS, "Thresholds", "alert thresholds of the event or a type") \
	X(CONFLICTS, "Conflicts", "offline check-in conflicts to settle")       \
	X(REVIEW, "Reviewed", "mark the chosen conflict reviewed (change log)") \
	X(VOID, "Void", "void the chosen conflict's ticket, with a reason") \
	X(ADD, "Add", "+ Add Event Organization (a form)")                  \
	X(EDIT, "Edit", "edit the chosen organization (a form)")            \
	X(ARCHIVE, "Archive", "archive the chosen organization (y/n)")      \
	X(ORDERS, "Orders", "the chosen organization's ticket orders")      \
	X(PERSONS, "Persons", "the chosen organization's persons (My Tickets)") \
	X(ARCHIVED, "Archived", "archived organizations (u brings one back)") \
	X(RESTORE, "Restore", "bring the chosen archived organization back (y/n)") \
	X(RECEIPT, "Receipt", "print the receipt of a settled order again (or PDF)") \
	X(REISSUE, "Reissue", "new QR for a lost ticket; the old QR stops working") \
	X(YES, "Yes", "answer the question: do it")                         \
	X(NO, "No", "answer the question: leave it as it is")

enum action {
#define X(name, label, help) ACT_##name,
	ACTIONS(X)
#undef X
	ACT_COUNT
};

struct binding {
	const char *screen; /* NULL: every screen */
	int key;
	enum action action;
	bool in_bar; /* shown in the function-key bar */
	bool always; /* works in modal states too (prompts, typed fields) */
};

extern const struct binding bindings[];

const char *action_label(enum action action);
const char *action_help(enum action action);
/* The help of action on screen: the screen's own words where it has them. */
const char *action_help_on(const char *screen, enum action action);
/* The screen's own binding wins over a global one. In the key set of a
 * question (KEYS_ASK: y, n, Esc) only the global keys that always work
 * (F1, F2, F10) are bound, so dispatch, bar and help agree. */
enum action keymap_lookup(const char *screen, int key);
/* The key set a screen answers to while it asks a y/n question
 * (screen_ops.keys). */
#define KEYS_ASK "ask"
/* For a modal state (a prompt, a typed field) that takes every other key
 * as text: the keys that always work (F1 help, F2 menu, F10 quit: the
 * caller passes them through by returning SCR_IGNORED), the modal keys
 * (Enter: ACT_SUBMIT, Esc: ACT_BACK) — both from bindings[] — else
 * ACT_NONE, a key for the field. */
enum action keymap_modal(int key);
/* A key that never types text (F1…F12): in a typed field it is still a
 * command. */
bool keymap_is_command_key(int key);
/* The label of the first key bound to action on this screen (its own
 * binding first, then a global one; "modal" for modal states), for hints
 * built from the table: "Esc", "F3". "?" when none. */
const char *key_hint(const char *screen, enum action action, char *buf, int size);
/* One key of the function-key bar: drawn as its key label then label
 * ("F1Help") from column x, w columns wide. */
struct bar_item {
	int key;
	enum action action;
	int x, w;
	const char *label; /* the action's, or what the key does while typing */
};
/* Lays out the bar of a screen in width columns: F1 Help first, always
 * (whatever the width: the help lists everything else), then the
 * screen's own in_bar keys in table order, then the global ones it keeps
 * (Esc Back only when back is true: there is a screen to go back to),
 * one space apart; a key that does not fit is left out, and so is one
 * whose action the login's role may not do (role_allows). While the
 * screen is typing (a text field has the focus) its printable keys type
 * text, so they are left out too, and the filter pane's keys say what
 * they do there: Tab "Next" (field), Enter "List". A screen's own key
 * whose action does nothing in the state it is in (acts(state, action)
 * false; acts NULL: every key acts) is left out as well. Returns how many
 * items it wrote (at most max). */
int keymap_bar(const char *screen, bool back, bool typing, const char *role, int width, struct bar_item *items,
	       int max, bool (*acts)(void *state, enum action action), void *state);
/* The role an action needs (db/026: what the database would refuse to
 * others), NULL for anyone. */
const char *action_role(enum action action);

/* "F1", "Enter", "Esc", "PgDn", "q"... */
const char *key_label(int key, char *buf, int size);

#endif

/* The key table decides modal states and hints: the keys that work in a
 * prompt or a typed field, and the labels the screens' hints are built
 * from. */
#include <curses.h>
#include <string.h>

#include "../src/app/keymap.h"
#include "helpers.h"

static void test_modal_keys(void **state)
{
	(void)state;
	/* F1, F2, F10 pass through every modal state */
	assert_int_equal(keymap_modal(KEY_F(1)), ACT_HELP);
	assert_int_equal(keymap_modal(KEY_F(2)), ACT_MENU);
	assert_int_equal(keymap_modal(KEY_F(10)), ACT_QUIT);
	/* Enter confirms, Esc leaves */
	assert_int_equal(keymap_modal('\r'), ACT_SUBMIT);
	assert_int_equal(keymap_modal(KEY_ENTER), ACT_SUBMIT);
	assert_int_equal(keymap_modal(27), ACT_BACK);
	/* everything else is text for the field, '?' and 'q' too */
	assert_int_equal(keymap_modal('?'), ACT_NONE);
	assert_int_equal(keymap_modal('q'), ACT_NONE);
	assert_int_equal(keymap_modal('a'), ACT_NONE);
	assert_true(keymap_is_command_key(KEY_F(4)));
	assert_false(keymap_is_command_key('4'));
}

static void test_hints_from_the_table(void **state)
{
	char buf[16];
	(void)state;
	assert_string_equal(key_hint("orders", ACT_SEARCH, buf, sizeof buf), "/");
	assert_string_equal(key_hint("orders", ACT_FILTERS, buf, sizeof buf), "Tab");
	assert_string_equal(key_hint("orders", ACT_RESET, buf, sizeof buf), "F4");
	assert_string_equal(key_hint("assign", ACT_SUBMIT, buf, sizeof buf), "Enter");
	assert_string_equal(key_hint("modal", ACT_BACK, buf, sizeof buf), "Esc");
	/* a global key the screen rebinds is not its hint */
	assert_string_equal(key_hint("checkin", ACT_BACK, buf, sizeof buf), "?");
	assert_string_equal(key_hint("mytickets", ACT_NEXT, buf, sizeof buf), "Right");
}

/* The bar keeps F1 Help first at any width; the screen's own keys come
 * before the global ones; nothing runs past the width. */
static bool bar_shows(const struct bar_item *items, int n, enum action action)
{
	for (int i = 0; i < n; i++)
		if (items[i].action == action)
			return true;
	return false;
}

static void test_bar_keeps_help_first(void **state)
{
	struct bar_item items[32];
	int n;
	(void)state;

	n = keymap_bar("orders", true, false, NULL, 80, items, 32, NULL, NULL);
	assert_true(n >= 2);
	assert_int_equal(items[0].action, ACT_HELP);
	assert_int_equal(items[0].key, KEY_F(1));
	assert_int_equal(items[0].x, 0);
	assert_int_equal(items[1].action, ACT_OPEN); /* the screen's first own key */
	for (int i = 0; i < n; i++) {
		assert_true(items[i].x + items[i].w <= 80);
		if (i > 0)
			assert_true(items[i].x > items[i - 1].x + items[i - 1].w);
	}
	/* so narrow that only F1 fits */
	n = keymap_bar("orders", true, false, NULL, 8, items, 32, NULL, NULL);
	assert_int_equal(n, 1);
	assert_int_equal(items[0].action, ACT_HELP);
	/* the menu has room for all: F1, Enter, then the global keys, F10 last;
	 * no Esc Back where there is nothing to go back to */
	n = keymap_bar("menu", false, false, NULL, 80, items, 32, NULL, NULL);
	assert_int_equal(items[0].action, ACT_HELP);
	assert_int_equal(items[1].action, ACT_OPEN);
	assert_int_equal(items[n - 1].action, ACT_QUIT);
	for (int i = 0; i < n; i++)
		assert_int_not_equal(items[i].action, ACT_BACK);
	/* typing in the filter pane: the letters type, so the bar leaves out
	 * n New, / Search and the like, and keeps F1, F4 Reset, F6 Sort */
	n = keymap_bar("orders", true, true, NULL, 200, items, 32, NULL, NULL);
	assert_int_equal(items[0].action, ACT_HELP);
	for (int i = 0; i < n; i++) {
		assert_true(items[i].key < ' ' || items[i].key >= 127);
		assert_int_not_equal(items[i].action, ACT_NEW);
	}
	assert_true(n >= 3);
	/* ... and says what Enter and Tab do there: Enter goes to the list,
	 * Tab to the next field (not "Open", not "Filters") */
	for (int i = 0; i < n; i++) {
		if (items[i].action == ACT_OPEN)
			assert_string_equal(items[i].label, "List");
		if (items[i].action == ACT_FILTERS)
			assert_string_equal(items[i].label, "Next");
	}
	assert_true(bar_shows(items, n, ACT_OPEN));
	n = keymap_bar("organizations", true, true, NULL, 200, items, 32, NULL, NULL);
	assert_true(bar_shows(items, n, ACT_FILTERS));
	for (int i = 0; i < n; i++)
		if (items[i].action == ACT_FILTERS)
			assert_string_equal(items[i].label, "Next");
	/* off the pane the same keys keep their names */
	n = keymap_bar("organizations", true, false, NULL, 200, items, 32, NULL, NULL);
	for (int i = 0; i < n; i++)
		if (items[i].action == ACT_FILTERS)
			assert_string_equal(items[i].label, "Filters");
	/* a global key the screen rebinds (check-in's Esc) is not shown as Back */
	n = keymap_bar("checkin", true, false, NULL, 200, items, 32, NULL, NULL);
	for (int i = 0; i < n; i++)
		assert_int_not_equal(items[i].action, ACT_BACK);
}

/* The bar offers only what the login's role may do (db/026): a gate's
 * orders screen has no Refund or New, a clerk's no Refund, a
 * supervisor's everything; before the role is known nothing is hidden. */
static bool bar_has(const char *screen, const char *role, enum action action)
{
	struct bar_item items[32];
	int n = keymap_bar(screen, true, false, role, 400, items, 32, NULL, NULL);
	for (int i = 0; i < n; i++)
		if (items[i].action == action)
			return true;
	return false;
}

/* A screen's own keys whose action does nothing in its state are left
 * out of the bar; the global ones stay. */
static bool no_next_field(void *state, enum action action)
{
	(void)state;
	return action != ACT_NEXT_FIELD;
}

static void test_bar_leaves_out_what_does_not_act(void **state)
{
	struct bar_item items[32];
	int n;
	(void)state;

	n = keymap_bar("sale", true, false, NULL, 200, items, 32, NULL, NULL);
	assert_true(bar_shows(items, n, ACT_NEXT_FIELD));
	n = keymap_bar("sale", true, false, NULL, 200, items, 32, no_next_field, NULL);
	assert_false(bar_shows(items, n, ACT_NEXT_FIELD));
	assert_true(bar_shows(items, n, ACT_SUBMIT));
	assert_true(bar_shows(items, n, ACT_HELP));
	assert_true(bar_shows(items, n, ACT_QUIT));
}

static void test_bar_follows_the_role(void **state)
{
	(void)state;
	assert_true(bar_has("orders", NULL, ACT_REFUND));
	assert_true(bar_has("orders", "supervisor", ACT_REFUND));
	assert_true(bar_has("orders", "owner", ACT_REFUND));
	assert_false(bar_has("orders", "clerk", ACT_REFUND));
	assert_true(bar_has("orders", "clerk", ACT_NEW));
	assert_false(bar_has("orders", "gate", ACT_NEW));
	assert_false(bar_has("orders", "gate", ACT_SETTLE));
	assert_true(bar_has("orders", "gate", ACT_HELP));
	assert_false(bar_has("checkin", "gate", ACT_OVERRIDE) && !bar_has("checkin", "supervisor", ACT_OVERRIDE));
	assert_false(bar_has("checkin", "clerk", ACT_UNDO));
	assert_false(bar_has("inventory", "api", ACT_SELL));
	assert_string_equal(action_role(ACT_REFUND), "supervisor");
	assert_null(action_role(ACT_HELP));
}

/* The help screen gives a key's words 52 columns at 80×24: every
 * action's help, and every screen's own words, fit whole (they were cut
 * mid-sentence: "(preview"), those a screen has for a global key (Esc,
 * F5) too. */
static void test_help_texts_fit_80_columns(void **state)
{
	(void)state;
	for (int a = 1; a < ACT_COUNT; a++) {
		assert_true(strlen(action_help((enum action)a)) <= 52);
		for (const struct binding *b = bindings; b->action != ACT_NONE; b++)
			if (b->screen && strlen(action_help_on(b->screen, (enum action)a)) > 52)
				fail_msg("help of %s on %s is %zu long: %s", action_label((enum action)a), b->screen,
					 strlen(action_help_on(b->screen, (enum action)a)),
					 action_help_on(b->screen, (enum action)a));
	}
	/* the organization form's F5 reads the form again, asking first */
	assert_non_null(strstr(action_help_on("orgform", ACT_REFRESH), "asks"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modal_keys),
		cmocka_unit_test(test_bar_follows_the_role),
		cmocka_unit_test(test_help_texts_fit_80_columns),
		cmocka_unit_test(test_hints_from_the_table),
		cmocka_unit_test(test_bar_keeps_help_first),
		cmocka_unit_test(test_bar_leaves_out_what_does_not_act),
	};
	return cmocka_run_group_tests_name("keymap", tests, NULL, NULL);
}

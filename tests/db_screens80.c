/* Every screen at the floor, 80×24, as clerks and door staff see it: F1 on
 * every key bar, the station's name whole in the header, numbers whole;
 * below the floor only "Terminal too small"; in a locale that is not UTF-8
 * (LANG=C over SSH) no '?' for a glyph; the mouse where terminals send it;
 * messages that belong to their screen; F10 that asks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "tmux.h"

#define STATION "Zebra-Station-7"

struct tour {
	long long event, event2, order;
	char name[128], name2[128];
	char date[24], date2[24];
};

/* Made once for every test here: an event dated after every other test's
 * (the Events screen scrolls to the current event; other tests' lists are
 * left alone), a second one the day before it (the row just above), two
 * types, one settled order. */
static void tour_data(struct tour *d)
{
	static struct tour made;
	struct run_result r;

	if (made.event) {
		*d = made;
		return;
	}
	snprintf(made.name, sizeof made.name, "%s", unique_name("Long Named Festival Of The Floor"));
	snprintf(made.name2, sizeof made.name2, "%s", unique_name("Second Fest"));
	snprintf(made.date, sizeof made.date, "2099-12-31");
	snprintf(made.date2, sizeof made.date2, "2099-12-30");
	made.event = make_event(made.name, made.date, 0);
	made.event2 = make_event(made.name2, made.date2, 0);
	make_type(made.event, "Adult", 5000, 10000, 1);
	make_type(made.event, "Child", 300, 5000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 2 --payment card --company 'Tour AB'", made.event);
	assert_int_equal(r.status, 0);
	made.order = out_id(r.out);
	run_free(&r);
	*d = made;
}

/* Line n (0-based) of a capture, in buf. */
static const char *line_of(const char *screen, int n, char *buf, size_t size)
{
	const char *l = screen;
	for (int i = 0; i < n && l; i++)
		if ((l = strchr(l, '\n')))
			l++;
	if (!l)
		l = "";
	snprintf(buf, size, "%.*s", (int)(strchr(l, '\n') ? (size_t)(strchr(l, '\n') - l) : strlen(l)), l);
	return buf;
}

/* Waits until line n holds text; fails with the screen otherwise. */
static bool wait_line(struct tmux *t, int n, const char *text, int timeout_ms)
{
	char line[1024];
	char *screen = NULL;
	for (int waited = 0; waited <= timeout_ms; waited += 50) {
		free(screen);
		screen = tmux_capture(t);
		if (strstr(line_of(screen, n, line, sizeof line), text)) {
			free(screen);
			return true;
		}
		usleep(50 * 1000);
	}
	fprintf(stderr, "--- line %d never held '%s':\n%s---\n", n, text, screen);
	free(screen);
	return false;
}

static void resize(struct tmux *t, int w, int h)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "tmux -L %s resize-window -t %s -x %d -y %d", t->socket, t->session, w, h);
	assert_int_equal(system(cmd), 0);
}

/* A row of the help screen: key, then the action's label. */
static const char *help_row(const char *key, const char *label)
{
	static char row[64];
	snprintf(row, sizeof row, "  %-8s %s", key, label);
	return row;
}

/* In ASCII, only the help screen's row for the '?' key may hold a '?'. */
static void assert_no_question_marks(const char *screen)
{
	char line[1024];
	for (int i = 0; i < 24; i++) {
		line_of(screen, i, line, sizeof line);
		if (strncmp(line, help_row("?", "Help"), strlen(help_row("?", "Help"))) == 0)
			continue;
		if (strchr(line, '?'))
			fail_msg("a '?' on line %d in ASCII:\n%s", i, screen);
	}
}

/* The screen titled title is on top: its header names it and the station
 * whole, its key bar starts with F1; under LANG=C nothing shows as '?';
 * at 60×15 it is replaced by "Terminal too small", and back at 80×24 it
 * is drawn again. */
static void check_screen(struct tmux *t, const char *title, bool ascii)
{
	const char *bar = ascii ? "|" : "\u2502";
	char needle[128], line[1024], *screen;

	snprintf(needle, sizeof needle, " %s %s", title, bar); /* " boxoffice │ " may give way */
	assert_true(wait_line(t, 0, needle, 5000));
	assert_true(wait_line(t, 23, "F1Help", 3000));
	screen = tmux_capture(t);
	line_of(screen, 0, line, sizeof line);
	if (!strstr(line, "Station: " STATION " "))
		fail_msg("%s: the station's name is not whole in the header: '%s'", title, line);
	if (strncmp(line_of(screen, 23, line, sizeof line), "F1Help", 6) != 0)
		fail_msg("%s: the key bar does not start with F1Help: '%s'", title, line);
	if (ascii)
		assert_no_question_marks(screen);
	free(screen);

	/* check-in and the menu that leads to it declare a smaller floor
	 * (60×15): test below it */
	{
		bool checkin = strcmp(title, "Check-in") == 0 || strcmp(title, "Main menu") == 0;
		char want[96];
		resize(t, checkin ? 50 : 60, checkin ? 12 : 15);
		snprintf(want, sizeof want, ascii ? "Terminal too small: %s, need %s" : "Terminal too small: %s, need %s",
			 checkin ? (ascii ? "50x12" : "50×12") : (ascii ? "60x15" : "60×15"),
			 checkin ? (ascii ? "60x15" : "60×15") : (ascii ? "80x24" : "80×24"));
		assert_true(tmux_wait_for(t, want, 3000));
	}
	screen = tmux_capture(t);
	if (strstr(screen, title) || strstr(screen, "F1Help"))
		fail_msg("%s: drawn below the floor:\n%s", title, screen);
	free(screen);
	resize(t, 80, 24);
	assert_true(wait_line(t, 0, needle, 3000));
	assert_true(wait_line(t, 23, "F1Help", 3000));
}

/* The row of the Events or Inventory screen that starts with start holds
 * the figure whole. */
static void assert_row_has(struct tmux *t, const char *start, const char *figure)
{
	char *screen = NULL;
	for (int waited = 0; waited <= 5000; waited += 50) {
		const char *row;
		free(screen);
		screen = tmux_capture(t);
		if ((row = strstr(screen, start))) {
			const char *end = strchr(row, '\n');
			char copy[256];
			snprintf(copy, sizeof copy, "%.*s", end ? (int)(end - row) : (int)strlen(row), row);
			if (strstr(copy, figure)) {
				free(screen);
				return;
			}
		}
		usleep(50 * 1000);
	}
	fail_msg("no row '%s' with '%s':\n%s", start, figure, screen);
}

/* Every screen of the program, opened as a person opens them. */
static void tour(struct tmux *t, const struct tour *d, bool ascii)
{
	char id[32];

	check_screen(t, "Main menu", ascii);
	tmux_keys(t, "1");
	check_screen(t, "Events", ascii);
	snprintf(id, sizeof id, "%lld %s", d->event, d->date);
	assert_row_has(t, id, "5,300"); /* the event's capacity, whole */
	tmux_keys(t, "F2 2");
	check_screen(t, "Inventory", ascii);
	assert_row_has(t, "Adult", "5,000");
	assert_row_has(t, "Adult", "4,998");
	tmux_keys(t, "Enter");
	check_screen(t, "Counter sale", ascii);
	tmux_keys(t, "F2 3");
	check_screen(t, "Ticket Orders", ascii);
	assert_true(tmux_wait_for(t, "Tour AB", 5000));
	tmux_keys(t, "Enter");
	check_screen(t, "Order", ascii);
	tmux_keys(t, "a");
	check_screen(t, "Assign tickets", ascii);
	tmux_keys(t, "F2 3");
	check_screen(t, "Ticket Orders", ascii);
	tmux_keys(t, "n");
	check_screen(t, "New ticket order", ascii);
	tmux_keys(t, "F2 4");
	check_screen(t, "My Tickets", ascii);
	tmux_keys(t, "F2 5");
	check_screen(t, "Check-in", ascii);
	tmux_keys(t, "F2 6");
	check_screen(t, "Dashboard", ascii);
	tmux_keys(t, "F2 7");
	check_screen(t, "Organizations", ascii);
	tmux_keys(t, "F2 F1");
	check_screen(t, "Help", ascii);
	tmux_keys(t, "Escape");
	check_screen(t, "Main menu", ascii);
}

static void start(struct tmux *t, const char *session, const struct tour *d, bool ascii)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "%s$BOXOFFICE --station " STATION " --event %lld; echo EXITED rc=$?; sleep 30",
		 ascii ? "LANG=C LC_ALL=C " : "", d->event);
	tmux_start(t, session, 80, 24, cmd);
	assert_true(tmux_wait_for(t, "ONLINE", 10000));
}

static void test_every_screen_at_80x24(void **state)
{
	struct tour d;
	struct tmux t;
	(void)state;

	tour_data(&d);
	start(&t, "tour", &d, false);
	tour(&t, &d, false);
	tmux_stop(&t);
}

static void test_every_screen_in_ascii(void **state)
{
	struct tour d;
	struct tmux t;
	(void)state;

	tour_data(&d);
	start(&t, "ascii", &d, true);
	tour(&t, &d, true);
	tmux_stop(&t);
}

/* Below the floor F2 and F10 still work, and F10 asks there too. */
static void test_keys_below_the_floor(void **state)
{
	struct tour d;
	struct tmux t;
	(void)state;

	tour_data(&d);
	start(&t, "floor", &d, false);
	tmux_keys(&t, "1");
	assert_true(wait_line(&t, 0, "\u2502 Events \u2502", 5000));
	resize(&t, 60, 15);
	assert_true(tmux_wait_for(&t, "Terminal too small: 60×15, need 80×24", 3000));
	/* F2: the menu, which a door's small terminal still shows, and from it
	 * the check-in screen (it was out of reach at 60×15) */
	tmux_keys(&t, "F2");
	assert_true(wait_line(&t, 0, " Main menu \u2502", 3000));
	tmux_keys(&t, "5");
	assert_true(wait_line(&t, 0, " Check-in \u2502", 3000));
	resize(&t, 50, 12);
	assert_true(tmux_wait_for(&t, "Terminal too small", 3000));
	tmux_keys(&t, "F10");
	assert_true(tmux_wait_for(&t, "Quit boxoffice? y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "EXITED rc=0", 5000));
	tmux_stop(&t);
}

/* Below the floor a form cannot ask "Discard this sale?": F2 keeps it and
 * says so, and at 80×24 again it is there as typed and asks as usual. */
static void test_f2_below_the_floor_keeps_a_typed_sale(void **state)
{
	struct tour d;
	struct tmux t;
	(void)state;

	tour_data(&d);
	start(&t, "floorsale", &d, false);
	tmux_keys(&t, "2");
	assert_true(wait_line(&t, 0, " Inventory \u2502", 5000));
	assert_row_has(&t, "Adult", "5,000"); /* the rows are read: Enter sells the chosen one */
	tmux_keys(&t, "Enter");
	assert_true(wait_line(&t, 0, " Counter sale \u2502", 3000));
	tmux_keys(&t, "7");
	assert_true(tmux_wait_for(&t, "7 × ", 3000));
	resize(&t, 60, 15);
	assert_true(tmux_wait_for(&t, "Terminal too small: 60×15, need 80×24", 3000));
	tmux_keys(&t, "F2");
	assert_true(tmux_wait_for(&t, "F2 kept the sale being typed", 3000));
	resize(&t, 80, 24);
	assert_true(tmux_wait_for(&t, "7 × ", 3000));
	tmux_keys(&t, "F2");
	assert_true(tmux_wait_for(&t, "Discard this sale? y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(wait_line(&t, 0, " Main menu \u2502", 3000));
	tmux_stop(&t);
}

/* The header at 80 columns: the event's long name gives way ("…"), the
 * station's name stays whole, on the widest title (Ticket Orders). */
static void test_header_keeps_the_station(void **state)
{
	struct tour d;
	struct tmux t;
	char line[1024], *screen;
	(void)state;

	tour_data(&d);
	start(&t, "header", &d, false);
	tmux_keys(&t, "3");
	assert_true(wait_line(&t, 0, "Ticket Orders", 5000));
	screen = tmux_capture(&t);
	line_of(screen, 0, line, sizeof line);
	assert_non_null(strstr(line, "Station: " STATION " "));
	assert_non_null(strstr(line, "Event: Long"));
	assert_non_null(strstr(line, "\u2026 \u2502 Station"));
	assert_non_null(strstr(line, "ONLINE"));
	free(screen);
	tmux_stop(&t);
}

/* The login's role is in the header at 80 columns on the long titles too
 * (New ticket order, Alert thresholds, Offline conflicts), as on the
 * others: the event's "Event: " label gives way before it does. A short
 * station's name, as a till has ("till-A"). */
static void test_header_says_the_role_on_long_titles(void **state)
{
	static const char *const screens[][2] = {
		{ "neworder", "New ticket order" },
		{ "thresholds", "Alert thresholds" },
		{ "conflicts", "Offline conflicts" },
	};
	struct tour d;
	struct tmux t;
	char role[64] = "", want[160], line[1024], cmd[512], *screen;
	const char *at;
	(void)state;

	tour_data(&d);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station till-A --event %lld; sleep 30", d.event);
	tmux_start(&t, "role", 80, 24, cmd);
	assert_true(wait_line(&t, 0, "Station: till-A \u00b7 ", 10000)); /* the menu says it */
	screen = tmux_capture(&t);
	line_of(screen, 0, line, sizeof line);
	at = strstr(line, "Station: till-A \u00b7 ") + strlen("Station: till-A \u00b7 ");
	snprintf(role, sizeof role, "%.*s", (int)strcspn(at, " "), at);
	free(screen);
	tmux_stop(&t);
	assert_true(role[0]);
	snprintf(want, sizeof want, "Station: till-A \u00b7 %s ", role);
	for (size_t i = 0; i < sizeof screens / sizeof screens[0]; i++) {
		snprintf(cmd, sizeof cmd, "$BOXOFFICE --station till-A --event %lld --screen %s; sleep 30", d.event,
			 screens[i][0]);
		tmux_start(&t, "role", 80, 24, cmd);
		assert_true(wait_line(&t, 0, screens[i][1], 10000));
		if (!wait_line(&t, 0, want, 5000))
			fail_msg("%s: no role in the header", screens[i][1]);
		screen = tmux_capture(&t);
		line_of(screen, 0, line, sizeof line);
		assert_non_null(strstr(line, "ONLINE"));
		free(screen);
		tmux_stop(&t);
	}
}

/* F10 asks; n (or any other key) stays; F10 twice, or y, quits. */
static void test_quit_asks(void **state)
{
	struct tour d;
	struct tmux t;
	(void)state;

	tour_data(&d);
	start(&t, "quit", &d, false);
	tmux_keys(&t, "5");
	assert_true(wait_line(&t, 0, "\u2502 Check-in \u2502", 5000));
	tmux_keys(&t, "F10");
	assert_true(tmux_wait_for(&t, "Quit boxoffice? y/n", 3000));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_gone(&t, "Quit boxoffice?", 3000));
	assert_true(wait_line(&t, 0, "\u2502 Check-in \u2502", 1000));
	tmux_keys(&t, "F10");
	assert_true(tmux_wait_for(&t, "Quit boxoffice? y/n", 3000));
	tmux_keys(&t, "F10");
	assert_true(tmux_wait_for(&t, "EXITED rc=0", 5000));
	tmux_stop(&t);
}

/* A refusal on one screen is gone on the next one; a note goes by itself
 * after a while. */
static void test_messages_belong_to_their_screen(void **state)
{
	struct tour d;
	struct tmux t;
	char refusal[64];
	(void)state;

	tour_data(&d);
	start(&t, "messages", &d, false);
	tmux_keys(&t, "3");
	assert_true(tmux_wait_for(&t, "Tour AB", 5000));
	tmux_keys(&t, "Home i"); /* a settled card order cannot be invoiced */
	snprintf(refusal, sizeof refusal, "order #%lld: Card orders", d.order);
	assert_true(tmux_wait_for(&t, refusal, 3000));
	tmux_keys(&t, "F2");
	assert_true(wait_line(&t, 0, "\u2502 Main menu \u2502", 3000));
	assert_true(tmux_wait_gone(&t, refusal, 1000));
	/* a note set on a screen stays on it for a while, then goes */
	tmux_keys(&t, "1");
	assert_true(wait_line(&t, 0, "\u2502 Events \u2502", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "working on", 3000));
	assert_true(tmux_wait_gone(&t, "working on", 11000));
	tmux_stop(&t);
}

static void test_mouse(void **state)
{
	struct tour d;
	struct tmux t;
	char working[160], id[64];
	(void)state;

	tour_data(&d);
	start(&t, "mouse", &d, false);
	/* menu: entries from row 4; a double click on "3" opens Ticket Orders */
	tmux_double_click(&t, 10, 6);
	assert_true(wait_line(&t, 0, "\u2502 Ticket Orders \u2502", 3000));
	tmux_keys(&t, "F2");
	assert_true(wait_line(&t, 0, "\u2502 Main menu \u2502", 3000));
	/* a click selects (Events, row 4) and opens nothing; a click on the
	 * selected entry opens it */
	tmux_click(&t, 10, 4);
	usleep(500 * 1000);
	assert_true(wait_line(&t, 0, "\u2502 Main menu \u2502", 100));
	tmux_click(&t, 10, 4);
	assert_true(wait_line(&t, 0, "\u2502 Events \u2502", 3000));
	/* Events: a click on the second event's row, then Enter */
	snprintf(id, sizeof id, "%lld %s", d.event2, d.date2);
	assert_row_has(&t, id, "Second");
	tmux_click(&t, 30, tmux_row_of(&t, id));
	tmux_keys(&t, "Enter");
	snprintf(working, sizeof working, "working on %s", d.name2);
	assert_true(tmux_wait_for(&t, working, 3000));
	/* a double click on the first one's row works on it */
	snprintf(id, sizeof id, "%lld %s", d.event, d.date);
	tmux_double_click(&t, 30, tmux_row_of(&t, id));
	snprintf(working, sizeof working, "working on %s", d.name);
	assert_true(tmux_wait_for(&t, working, 3000));
	/* Inventory: a double click on Child sells Child */
	tmux_keys(&t, "F2 2");
	assert_row_has(&t, "Child", "300");
	tmux_double_click(&t, 5, 3);
	assert_true(tmux_wait_for(&t, "Sell Child", 3000));
	/* a click on the key bar runs its key: F1Help at column 0 */
	tmux_keys(&t, "F2");
	assert_true(wait_line(&t, 0, "\u2502 Main menu \u2502", 3000));
	tmux_click(&t, 2, 23);
	assert_true(wait_line(&t, 0, "\u2502 Help \u2502", 3000));
	/* the wheel scrolls where the screen has no mouse of its own (help) */
	assert_true(tmux_wait_for(&t, "keys 1\u201318 of", 3000));
	tmux_mouse(&t, 65, 10, 10); /* wheel down */
	assert_true(tmux_wait_for(&t, "keys 4\u201321 of", 3000));
	assert_true(tmux_wait_for(&t, "more above", 1000));
	tmux_stop(&t);
}

/* Help: the screen's own keys first, the menu's numbers on the menu, and
 * when it does not fit it scrolls and says so. */
static void test_help_lists_own_keys_first_and_scrolls(void **state)
{
	struct tour d;
	struct tmux t;
	char line[1024], *screen;
	(void)state;

	tour_data(&d);
	start(&t, "help", &d, false);
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of Main menu", 3000));
	screen = tmux_capture(&t);
	assert_non_null(strstr(line_of(screen, 3, line, sizeof line), "Enter"));  /* the menu's own first */
	assert_non_null(strstr(screen, "open Ticket Orders"));                   /* its numbers */
	assert_non_null(strstr(screen, "more below \u2193"));
	assert_null(strstr(screen, help_row("PgDn", "PgDn"))); /* the generic keys further down */
	free(screen);
	tmux_keys(&t, "NPage");
	assert_true(tmux_wait_for(&t, help_row("PgDn", "PgDn"), 3000));
	assert_true(tmux_wait_for(&t, "more above", 3000));
	tmux_keys(&t, "Escape 3");
	assert_true(tmux_wait_for(&t, "Tour AB", 5000));
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of Ticket Orders", 3000));
	screen = tmux_capture(&t);
	assert_non_null(strstr(line_of(screen, 3, line, sizeof line), "Enter")); /* Open, its own */
	assert_null(strstr(screen, help_row("F10", "Quit"))); /* the generic ones below */
	free(screen);
	tmux_keys(&t, "End");
	assert_true(tmux_wait_for(&t, help_row("F10", "Quit"), 3000));
	tmux_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_screen_at_80x24),
		cmocka_unit_test(test_every_screen_in_ascii),
		cmocka_unit_test(test_keys_below_the_floor),
		cmocka_unit_test(test_f2_below_the_floor_keeps_a_typed_sale),
		cmocka_unit_test(test_header_keeps_the_station),
		cmocka_unit_test(test_header_says_the_role_on_long_titles),
		cmocka_unit_test(test_quit_asks),
		cmocka_unit_test(test_messages_belong_to_their_screen),
		cmocka_unit_test(test_mouse),
		cmocka_unit_test(test_help_lists_own_keys_first_and_scrolls),
	};
	struct run_result r = run_cmd("$BOXOFFICE migrate");
	run_free(&r);
	/* SCREENS_TEST=test_mouse runs only the matching tests. */
	if (getenv("SCREENS_TEST") && *getenv("SCREENS_TEST"))
		cmocka_set_test_filter(getenv("SCREENS_TEST"));
	return cmocka_run_group_tests_name("screens80", tests, NULL, NULL);
}

/* Messages wider than the status line at 80x24, as a clerk meets them:
 * the line ends with "…" and the key that shows them whole, and F1's help
 * shows them in full, folded to its width, newest first (multi-byte ones
 * longer than the old 256-byte line too). */
#include "helpers.h"
#include "tmux.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HEADING "Messages too long for the status line, newest first:"

static PGconn *conn;
static long long event_id;

static int setup(void **state)
{
	(void)state;
	conn = test_migrate_connect();
	event_id = make_event(unique_name("Status Line"), "2041-02-01", 0);
	make_type(event_id, "Adult", 100, 10000, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

static const char *tmp_dir(void)
{
	return getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp";
}

/* Row 22 of the screen: the status line at 80x24, trailing blanks gone. */
static char *status_row(struct tmux *t)
{
	char *screen = tmux_capture(t), *line = screen, *end;
	for (int i = 0; i < 22 && line; i++) {
		line = strchr(line, '\n');
		line = line ? line + 1 : NULL;
	}
	line = strdup(line ? line : "");
	free(screen);
	if ((end = strchr(line, '\n')))
		*end = '\0';
	for (end = line + strlen(line); end > line && end[-1] == ' ';)
		*--end = '\0';
	return line;
}

/* A message of the help's (from the line that starts with first, up to a
 * blank line) joined, with every space dropped: the lines are folded at
 * spaces or, in a word wider than the line, between characters. Each
 * line must fit 76 columns. */
static char *help_message(struct tmux *t, const char *first)
{
	char *screen = tmux_capture(t), *at = strstr(screen, first), *out = calloc(1, strlen(screen) + 1);
	size_t o = 0;

	assert_non_null(at);
	while (at > screen && at[-1] != '\n')
		at--;
	while (at && *at && *at != '\n') {
		char *end = strchr(at, '\n');
		size_t len = end ? (size_t)(end - at) : strlen(at);
		int cols = 0;
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)at[i];
			if ((c & 0xC0) != 0x80)
				cols++;
			if (c != ' ')
				out[o++] = (char)c;
		}
		while (len > 0 && at[len - 1] == ' ')
			len--, cols--;
		if (cols > 78) /* two columns of margin: 76 of text */
			fail_msg("a help line is wider than the screen: %.*s", (int)len, at);
		at = end ? end + 1 : NULL;
	}
	free(screen);
	return out;
}

/* The newest message the help shows in full: the lines below HEADING. */
static char *help_messages(struct tmux *t)
{
	char *screen = tmux_capture(t), *at = strstr(screen, HEADING), *next, *said;
	char first[24];

	assert_non_null(at);
	next = strchr(at, '\n');
	assert_non_null(next);
	next++;
	while (*next == ' ')
		next++;
	snprintf(first, sizeof first, "%.*s", (int)strcspn(next, "\n"), next);
	free(screen);
	said = help_message(t, first);
	return said;
}

static char *no_spaces(const char *s)
{
	char *out = calloc(1, strlen(s) + 1), *o = out;
	for (; *s; s++)
		if (*s != ' ')
			*o++ = *s;
	return out;
}

/* A clerk with a long login presses r (Refund, a supervisor's) on the
 * order list: "Refund needs the supervisor role (login … has the clerk
 * role)" is 110 columns. The line says where to read it; F1 shows it. */
static void test_long_refusal_is_read_in_full_on_f1(void **state)
{
	struct tmux t;
	char login[64], cmd[512], expect[300], alerts[300], *row, *said, *want;
	struct run_result r;
	(void)state;

	snprintf(login, sizeof login, "clerk_of_the_north_entrance_box_office_%d", (int)getpid());
	r = run_cmd("$BOXOFFICE user add %s --role clerk", login);
	if (r.status != 0)
		fail_msg("user add %s: %d %s", login, r.status, r.err);
	run_free(&r);
	json_decref(cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment card --company Acme",
			     event_id));
	snprintf(cmd, sizeof cmd, "PGUSER=%s $BOXOFFICE --station till-s --screen orders --event %lld; sleep 30",
		 login, event_id);
	tmux_start(&t, "statusrole", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Acme", 10000));
	tmux_keys(&t, "r");
	assert_true(tmux_wait_for(&t, "Refund needs the supervisor role", 3000));
	snprintf(expect, sizeof expect, "Refund needs the supervisor role (login %s has the clerk role)", login);
	row = status_row(&t);
	/* cut, and says so and where to read it */
	if (strlen(row) < 10 || !strstr(row, "\u2026 (F1: all)") || strstr(row, "has the clerk role)"))
		fail_msg("status line: \"%s\"", row);
	free(row);
	/* a second one (F9 Alerts, a supervisor's too): the newest comes first */
	tmux_keys(&t, "F9");
	assert_true(tmux_wait_for(&t, "Alerts needs the supervisor role", 3000));
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of Ticket Orders", 3000));
	assert_true(tmux_wait_for(&t, HEADING, 1000));
	said = help_messages(&t);
	snprintf(alerts, sizeof alerts, "Alerts needs the supervisor role (login %s has the clerk role)", login);
	want = no_spaces(alerts);
	assert_string_equal(said, want);
	free(said);
	free(want);
	assert_true(tmux_row_of(&t, "Refund needs the supervisor role") > tmux_row_of(&t, "Alerts needs the"));
	said = help_message(&t, "Refund needs the supervisor role");
	want = no_spaces(expect);
	assert_string_equal(said, want);
	free(said);
	free(want);
	/* the keys follow, and the list still scrolls to the last of them */
	tmux_keys(&t, "End");
	assert_true(tmux_wait_for(&t, "F10", 3000));
	assert_true(tmux_wait_for(&t, "more above", 3000));
	tmux_keys(&t, "Home");
	assert_true(tmux_wait_for(&t, HEADING, 3000));
	tmux_stop(&t);
}

/* F9 on the assign screen with the printer unknown: "printer … refused
 * the badge; saved as PATH" where PATH is a folder of å, ä, ö — some 380
 * bytes, past the old 256-byte status buffer, and the path is what the
 * clerk needs. The help shows all of it, newest first. */
static void test_multibyte_refusal_past_256_bytes_is_whole(void **state)
{
	struct tmux t;
	char dir[600], cmd[1400], expect[1200], *said, *want;
	long long order, ticket;
	struct run_result r;
	int n;
	(void)state;

	n = snprintf(dir, sizeof dir, "%s/m\u00e4rkta-brickor-", tmp_dir());
	for (int i = 0; i < 110; i++)
		n += snprintf(dir + n, sizeof dir - (size_t)n, "%s", i % 3 == 0 ? "\u00e5" : i % 3 == 1 ? "\u00e4" : "\u00f6");
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 1 --company 'Badge Buyer'", event_id);
	assert_int_equal(r.status, 0);
	order = out_id(r.out);
	run_free(&r);
	ticket = first_ticket(order);
	snprintf(cmd, sizeof cmd,
		 "BOXOFFICE_PRINTER=Kontorsskrivaren BOXOFFICE_BADGES='%s' $BOXOFFICE --screen orders --event %lld; sleep 30",
		 dir, event_id);
	tmux_start(&t, "statusbadge", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Badge Buyer", 10000));
	/* the list's newest order first: Home a opens the assign screen on it */
	tmux_keys(&t, "Home a");
	assert_true(tmux_wait_for(&t, "Assign the selected ticket to:", 5000));
	/* F9 on the ticket listed (before the list is read it says so) */
	assert_true(tmux_wait_for(&t, "(not assigned)", 5000));
	tmux_keys(&t, "F9");
	assert_true(tmux_wait_for(&t, "refused the badge", 20000)); /* a PNG is drawn first, by a child */
	/* lp's own words (no such printer, no CUPS here, or no lp) between */
	snprintf(expect, sizeof expect, "saved as %s/badge-%lld.png", dir, ticket);
	assert_true(strlen(expect) > 256);
	assert_true(tmux_wait_for(&t, "(F1: all)", 1000));
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, HEADING, 3000));
	said = help_messages(&t);
	want = no_spaces(expect);
	if (strncmp(said, "printerKontorsskrivarenrefusedthebadge:", 39) != 0 || strlen(said) < strlen(want) ||
	    strcmp(said + strlen(said) - strlen(want), want) != 0)
		fail_msg("F1 shows \"%s\", not the refusal ending \"%s\"", said, want);
	free(said);
	free(want);
	tmux_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_refusal_is_read_in_full_on_f1),
		cmocka_unit_test(test_multibyte_refusal_past_256_bytes_is_whole),
	};
	return cmocka_run_group_tests_name("status_line", tests, setup, teardown);
}

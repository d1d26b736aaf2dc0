/* Tickets reach people, against the real database: tickets come from
 * settled orders exactly once, tokens verify and resist tampering,
 * reissue invalidates old tokens, zbarimg reads badges, assignments are
 * all or nothing. */
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "tmux.h"
#include "src/app/badge.h"
#include "src/core/fit_lines.h"

#include <gd.h>

static const char *tmp_dir(void)
{
	return getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp";
}

static PGconn *conn;
static long long event_id;


static int expect_status(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int expect_status(int status, const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	struct run_result r;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	r = run_cmd("%s", cmd);
	if (r.status != status)
		fail_msg("'%.200s' exited %d, expected %d: %s", cmd, r.status, status, r.err);
	run_free(&r);
	return r.status;
}

static int setup(void **state)
{
	(void)state;
	conn = test_migrate_connect();
	event_id = make_event(unique_name("Tickets"), "2027-10-01", 0);
	make_type(event_id, "Adult", 1000, 20000, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

static long long new_order(const char *payment, int qty)
{
	json_t *doc = cli_json("$BOXOFFICE order add --event %lld --lines Adult:%d --payment %s --company Acme",
			       event_id, qty, payment);
	long long id = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	return id;
}

static long long count_tickets(long long order)
{
	char o[24];
	const char *p[1] = { o };
	snprintf(o, sizeof o, "%lld", order);
	return test_scalar(conn, "SELECT count(*) FROM ticket WHERE order_id = $1 AND status = 'valid'", 1, p);
}

struct settler {
	long long order;
	const char *sql;
	pthread_barrier_t *start;
	bool ok;
};

static void *settle_run(void *arg)
{
	struct settler *s = arg;
	PGconn *c = PQconnectdb("application_name=settler");
	char o[24];
	const char *p[1] = { o };
	PGresult *r;
	snprintf(o, sizeof o, "%lld", s->order);
	pthread_barrier_wait(s->start);
	r = PQexecParams(c, s->sql, 1, NULL, p, NULL, NULL, 0);
	s->ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	PQclear(r);
	PQfinish(c);
	return NULL;
}

static int race(long long order, const char *sql)
{
	pthread_t t[8];
	struct settler s[8];
	pthread_barrier_t start;
	int ok = 0;
	pthread_barrier_init(&start, NULL, 8);
	for (int i = 0; i < 8; i++) {
		s[i] = (struct settler){ order, sql, &start, false };
		pthread_create(&t[i], NULL, settle_run, &s[i]);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		ok += s[i].ok;
	}
	pthread_barrier_destroy(&start);
	return ok;
}

static void test_settle_makes_tickets_once(void **state)
{
	long long order = new_order("invoice", 5);
	(void)state;
	assert_int_equal(count_tickets(order), 0);
	json_decref(cli_json("$BOXOFFICE order invoice %lld", order));
	/* Eight stations settle at the same instant: one wins. */
	assert_int_equal(race(order, "SELECT order_set_status($1, 'settled', NULL, 'RACE', 'race')"), 1);
	assert_int_equal(count_tickets(order), 5);
	/* Settling again is refused; generating again makes nothing new. */
	expect_status(1, "$BOXOFFICE order settle %lld", order);
	json_decref(cli_json("$BOXOFFICE order tickets %lld", order));
	assert_int_equal(race(order, "SELECT order_generate_tickets($1)"), 8);
	assert_int_equal(count_tickets(order), 5);
	/* A refund voids them all. */
	json_decref(cli_json("$BOXOFFICE order refund %lld", order));
	assert_int_equal(count_tickets(order), 0);
}

static char *first_token(long long order, long long *ticket)
{
	static char token[256];
	long long id = order_ticket(order, 0, token, sizeof token);
	if (ticket)
		*ticket = id;
	return token;
}

/* Shell-quotes a token (base45 has spaces and $). */
static const char *q(const char *s)
{
	static char buf[2][600];
	static int slot;
	char *b = buf[slot++ % 2];
	snprintf(b, sizeof buf[0], "'%s'", s);
	return b;
}

static void test_tokens_verify_and_resist_tampering(void **state)
{
	long long order = new_order("card", 2), ticket;
	char token[256], bad[256];
	(void)state;
	json_decref(cli_json("$BOXOFFICE order settle %lld", order));
	snprintf(token, sizeof token, "%s", first_token(order, &ticket));
	json_decref(cli_json("$BOXOFFICE ticket verify %s", q(token)));
	/* one character changed */
	snprintf(bad, sizeof bad, "%s", token);
	bad[20] = bad[20] == 'A' ? 'B' : 'A';
	expect_status(1, "$BOXOFFICE ticket verify %s", q(bad));
	/* truncated, and not ours */
	snprintf(bad, sizeof bad, "%.60s", token);
	expect_status(1, "$BOXOFFICE ticket verify %s", q(bad));
	expect_status(1, "$BOXOFFICE ticket verify https://example.com");
	/* a token for a voided ticket */
	json_decref(cli_json("$BOXOFFICE order refund %lld", order));
	expect_status(1, "$BOXOFFICE ticket verify %s", q(token));
	/* the public key is exportable, and is the one tokens verify with */
	{
		json_t *k = cli_json("$BOXOFFICE event key --event %lld --json", event_id);
		assert_int_equal(strlen(json_string_value(json_object_get(k, "public_key"))), 64);
		json_decref(k);
	}
}

static void test_reissue_invalidates_old_token(void **state)
{
	long long order = new_order("free", 1), ticket;
	char t1[256], t2[256], t3[256];
	(void)state;
	json_decref(cli_json("$BOXOFFICE order settle %lld", order));
	snprintf(t1, sizeof t1, "%s", first_token(order, &ticket));
	json_decref(cli_json("$BOXOFFICE ticket assign %lld --name 'Anna A' --email anna@example.com", ticket));
	/* a first assignment keeps the token (nobody else held it) */
	assert_string_equal(first_token(order, NULL), t1);
	/* moving a held ticket must be asked for; unasked, nothing changes */
	expect_status(1, "$BOXOFFICE ticket assign %lld --name 'Bo B' --email bo@example.com --company 'Fjord AB'", ticket);
	assert_string_equal(first_token(order, NULL), t1);
	json_decref(cli_json("$BOXOFFICE ticket assign %lld --name 'Bo B' --email bo@example.com --company 'Fjord AB' "
			     "--reassign", ticket));
	snprintf(t2, sizeof t2, "%s", first_token(order, NULL));
	assert_string_not_equal(t1, t2);
	expect_status(1, "$BOXOFFICE ticket verify %s", q(t1));
	json_decref(cli_json("$BOXOFFICE ticket verify %s", q(t2)));
	json_decref(cli_json("$BOXOFFICE ticket reissue %lld --reason lost", ticket));
	snprintf(t3, sizeof t3, "%s", first_token(order, NULL));
	expect_status(1, "$BOXOFFICE ticket verify %s", q(t2));
	json_decref(cli_json("$BOXOFFICE ticket verify %s", q(t3)));
	/* the holder is someone other than the buyer */
	{
		json_t *list = cli_json("$BOXOFFICE ticket list --order %lld --json", order);
		assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "person")), "Bo B");
		json_decref(list);
	}
}

static void test_badge_reads_back_with_zbarimg(void **state)
{
	long long order = new_order("card", 1), ticket;
	char token[256], png[256];
	struct run_result r;
	(void)state;
	json_decref(cli_json("$BOXOFFICE order settle %lld", order));
	snprintf(token, sizeof token, "%s", first_token(order, &ticket));
	json_decref(cli_json("$BOXOFFICE ticket assign %lld --name 'Åsa Öberg-Lindqvist' --email asa.o@example.com "
			     "--company 'Nordlys Energi AB'", ticket));
	snprintf(png, sizeof png, "%s/badge-%lld.png", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp",
		 ticket);
	json_decref(cli_json("$BOXOFFICE ticket badge %lld --png %s", ticket, png));
	r = run_cmd("zbarimg --quiet --raw %s 2>/dev/null", png);
	assert_int_equal(r.status, 0);
	r.out[strcspn(r.out, "\n")] = '\0';
	assert_string_equal(r.out, token);
	run_free(&r);
	/* unwritable path: one line, exit 3 */
	expect_status(3, "$BOXOFFICE ticket badge %lld --png /nonexistent/dir/b.png", ticket);
}

/* The assign screen at 80x24, as a clerk reaches it: an order of its own
 * event (sold at the counter: settled, tickets made), Home a on the list. */
static long long screen_order(struct tmux *t, const char *gala, int qty, long long *first_ticket)
{
	long long ev = make_event(unique_name(gala), "2041-01-01", 0), order;
	char cmd[512];
	struct run_result r;

	make_type(ev, "Adult", qty > 100 ? 2 * qty : 100, 10000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty %d --company 'Buyer Corp'", ev, qty);
	assert_int_equal(r.status, 0);
	order = out_id(r.out);
	run_free(&r);
	if (first_ticket)
		first_token(order, first_ticket);
	snprintf(cmd, sizeof cmd, "BOXOFFICE_BADGES=%s/badges $BOXOFFICE --screen orders --event %lld; echo EXITED; sleep 60",
		 getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp", ev);
	tmux_start(t, "assign", 80, 24, cmd);
	assert_true(tmux_wait_for(t, "Buyer Corp", 10000));
	return order;
}

static void open_assign(struct tmux *t)
{
	tmux_keys(t, "Home a");
	assert_true(tmux_wait_for(t, "Assign the selected ticket to:", 3000));
	assert_true(tmux_wait_for(t, "Adult", 3000));
}

static bool screen_has(struct tmux *t, const char *text)
{
	char *screen = tmux_capture(t);
	bool has = strstr(screen, text) != NULL;
	free(screen);
	return has;
}

/* The screen line (from 0) that holds text, as a copy (the caller frees). */
static char *line_with(struct tmux *t, const char *text)
{
	char *screen = tmux_capture(t), *at = strstr(screen, text), *start, *end, *line;
	if (!at) {
		free(screen);
		return NULL;
	}
	for (start = at; start > screen && start[-1] != '\n'; start--)
		;
	end = strchr(at, '\n');
	line = strndup(start, end ? (size_t)(end - start) : strlen(start));
	free(screen);
	return line;
}

/* Esc (and F2) with a person typed asks "Discard this assignment? y/n":
 * y alone discards, anything else keeps what was typed; an untouched form
 * closes at once. Nothing is assigned either way. */
static void test_assign_screen_asks_before_discarding(void **state)
{
	struct tmux t;
	char title[64];
	long long order = screen_order(&t, "Esc Gala", 2, NULL);
	int row;
	(void)state;

	snprintf(title, sizeof title, "Tickets of order #%lld", order);
	open_assign(&t);
	tmux_keys(&t, "Escape"); /* untouched: closes at once */
	assert_true(tmux_wait_gone(&t, title, 3000));
	assert_false(screen_has(&t, "Discard"));
	open_assign(&t);
	tmux_type(&t, "Kari");
	assert_true(tmux_wait_for(&t, "Kari", 3000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Discard this assignment? y/n", 3000));
	/* the question and what y and n do, above the key bar at 80x24 */
	row = tmux_row_of(&t, "Discard this assignment? y/n");
	assert_true(row > 0 && row < 23);
	assert_true(screen_has(&t, "y: discard and close   n or Esc: keep it"));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_gone(&t, "Discard this assignment?", 3000));
	assert_true(screen_has(&t, title));
	assert_true(screen_has(&t, "Name      Kari"));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Discard this assignment? y/n", 3000));
	tmux_keys(&t, "Escape"); /* Esc again keeps it */
	assert_true(tmux_wait_gone(&t, "Discard this assignment?", 3000));
	assert_true(screen_has(&t, "Name      Kari"));
	/* F2 asks too; y goes on to the menu */
	tmux_keys(&t, "F2");
	assert_true(tmux_wait_for(&t, "Discard this assignment? y/n", 3000));
	assert_true(screen_has(&t, "y: discard, open the menu   n or Esc: keep it"));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_gone(&t, "Discard this assignment?", 3000));
	assert_true(screen_has(&t, "Name      Kari"));
	tmux_keys(&t, "F2");
	assert_true(tmux_wait_for(&t, "Discard this assignment? y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "Main menu", 3000));
	assert_false(screen_has(&t, "EXITED"));
	tmux_stop(&t);
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM ticket WHERE order_id = $1 AND person_id IS NOT NULL",
					order), 0);

	/* Esc, y: back to the orders, the typing gone */
	order = screen_order(&t, "Esc Gala", 1, NULL);
	snprintf(title, sizeof title, "Tickets of order #%lld", order);
	open_assign(&t);
	tmux_type(&t, "Kari");
	tmux_keys(&t, "Tab");
	tmux_type(&t, "kari@example.com");
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Discard this assignment? y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_gone(&t, title, 3000));
	assert_true(screen_has(&t, "Buyer Corp"));
	open_assign(&t);
	assert_false(screen_has(&t, "Name      Kari"));
	tmux_stop(&t);
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM ticket WHERE order_id = $1 AND person_id IS NOT NULL",
					order), 0);
}

/* F8 voids the badge of an assigned ticket (its old QR stops working), so
 * it asks first, naming the ticket and its holder, and the key bar shows
 * the question's keys; n or Esc keeps it assigned, y unassigns it. */
static void test_assign_screen_asks_before_unassigning(void **state)
{
	struct tmux t;
	long long first;
	char question[128], kept[64];
	int row;
	(void)state;

	screen_order(&t, "Unassign Gala", 1, &first);
	json_decref(cli_json("$BOXOFFICE ticket assign %lld --name 'Kari Nordmann' --email kari.n@example.com", first));
	open_assign(&t);
	assert_true(tmux_wait_for(&t, "Kari Nordmann", 3000));
	snprintf(question, sizeof question, "Unassign #%lld (Kari Nordmann)? Its QR stops working. y/n", first);
	snprintf(kept, sizeof kept, "ticket #%lld kept", first);
	tmux_keys(&t, "F8");
	assert_true(tmux_wait_for(&t, question, 3000));
	row = tmux_row_of(&t, question);
	assert_true(row > 0 && row < 23); /* above the status line and the key bar */
	assert_true(screen_has(&t, "y: unassign (the badge stops working)   n or Esc: keep it"));
	{
		char *bar = line_with(&t, "F1Help");
		assert_non_null(bar);
		assert_non_null(strstr(bar, "yYes"));
		assert_non_null(strstr(bar, "nNo"));
		assert_null(strstr(bar, "F8Unassign"));
		free(bar);
	}
	tmux_keys(&t, "n");
	assert_true(tmux_wait_for(&t, kept, 3000));
	assert_false(screen_has(&t, "Unassign #"));
	assert_true(screen_has(&t, "F8Unassign"));
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM ticket WHERE id = $1 AND person_id IS NOT NULL",
					first), 1);
	/* Esc keeps it too (the screen stays open) */
	tmux_keys(&t, "F8");
	assert_true(tmux_wait_for(&t, question, 3000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_gone(&t, "Unassign #", 3000));
	assert_true(screen_has(&t, "Assign the selected ticket to:"));
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM ticket WHERE id = $1 AND person_id IS NOT NULL",
					first), 1);
	/* F1 while asking lists the question's keys */
	tmux_keys(&t, "F8");
	assert_true(tmux_wait_for(&t, question, 3000));
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of Assign tickets", 3000));
	assert_true(screen_has(&t, "answer the question: do it"));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, question, 3000));
	/* y unassigns */
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "(not assigned)", 5000));
	assert_true(tmux_wait_for(&t, "unassigned; its old QR no longer works", 3000));
	assert_false(screen_has(&t, "Unassign #"));
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM ticket WHERE id = $1 AND person_id IS NOT NULL",
					first), 0);
	tmux_stop(&t);
}

#define LONG_NAME "Bartholomew Ødegård-Lindqvist von Hohenzollern-Sigmaringen 山田太郎 Jr."
#define LONG_MAIL "bart.hohenzollern@example.com"

/* A holder too long for the screen is cut with "…" at its end: in the
 * HOLDER column, among the known people (the e-mail still shown) and in
 * "Ticket #N → …" (the number and the arrow kept). */
static void test_assign_screen_cuts_long_names_with_an_ellipsis(void **state)
{
	struct tmux t;
	long long first, second;
	char *line, done[64];
	json_t *list;
	(void)state;

	list = cli_json("$BOXOFFICE ticket list --order %lld --json", screen_order(&t, "Long Gala", 2, &first));
	second = json_integer_value(json_object_get(json_array_get(list, 1), "id"));
	json_decref(list);
	json_decref(cli_json("$BOXOFFICE ticket assign %lld --name '" LONG_NAME "' --email " LONG_MAIL, first));
	open_assign(&t);
	assert_true(tmux_wait_for(&t, "Bartholomew", 3000));
	line = line_with(&t, "Bartholomew");
	assert_non_null(line);
	/* the row ends in "…" where the column ends */
	assert_non_null(strstr(line, "Bartholomew Ødegård"));
	{
		const char *cut = strstr(line, "…");
		assert_non_null(cut);
		cut += strlen("…");
		assert_int_equal(strspn(cut, " "), strlen(cut)); /* the end of the row */
	}
	free(line);
	/* the known people: the name cut, the e-mail and the count whole */
	tmux_type(&t, "Bart");
	assert_true(tmux_wait_for(&t, "Known people (F3", 3000));
	assert_true(tmux_wait_for(&t, "<" LONG_MAIL ">", 3000));
	line = line_with(&t, "<" LONG_MAIL ">");
	assert_non_null(line);
	assert_non_null(strstr(line, "Bartholomew"));
	assert_non_null(strstr(line, "… <" LONG_MAIL ">"));
	assert_non_null(strstr(line, "1 ticket(s)"));
	free(line);
	/* picked, and given to the second ticket */
	tmux_keys(&t, "F3 Down Enter");
	snprintf(done, sizeof done, "Ticket #%lld → Bartholomew", second);
	assert_true(tmux_wait_for(&t, done, 3000));
	line = line_with(&t, done);
	assert_non_null(line);
	assert_non_null(strstr(line, "…"));
	free(line);
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM ticket WHERE id = $1 AND person_id IS NOT NULL",
					second), 1);
	tmux_stop(&t);
}

/* ticket badge --print hands the PNG to lp with the station's printer and
 * says so; when lp fails the PNG is still there and the error names it. */
static void test_badge_print_from_the_cli(void **state)
{
	long long ev = make_event(unique_name("Print Gala"), "2041-01-04", 0), order, ticket;
	char bin[600], lp[700], png[700], args[800], line[1000] = "";
	struct run_result r;
	json_t *tickets, *out;
	FILE *f;
	(void)state;

	snprintf(bin, sizeof bin, "%s/lp-records-%d", tmp_dir(), (int)getpid());
	mkdir(bin, 0755);
	snprintf(lp, sizeof lp, "%s/lp", bin);
	snprintf(args, sizeof args, "%s/args", bin);
	assert_non_null(f = fopen(lp, "w"));
	fprintf(f, "#!/bin/sh\n[ \"$LP_FAILS\" ] && { echo 'lp: Error - The printer or class does not exist.' >&2; exit 1; }\n"
		   "echo \"$@\" > '%s'\n", args);
	fclose(f);
	chmod(lp, 0755);
	make_type(ev, "Adult", 100, 10000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 1 --company 'Print Corp'", ev);
	assert_int_equal(r.status, 0);
	order = out_id(r.out);
	run_free(&r);
	tickets = cli_json("$BOXOFFICE ticket list --order %lld --json", order);
	ticket = json_integer_value(json_object_get(json_array_get(tickets, 0), "id"));
	json_decref(tickets);
	snprintf(png, sizeof png, "%s/printed-%lld.png", bin, ticket);
	out = cli_json("PATH='%s':$PATH BOXOFFICE_PRINTER=Disken $BOXOFFICE ticket badge %lld --png '%s' --print",
		       bin, ticket, png);
	assert_string_equal(json_string_value(json_object_get(out, "printed_to")), "Disken");
	json_decref(out);
	assert_non_null(f = fopen(args, "r"));
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	{
		char want[900];
		snprintf(want, sizeof want, "-s -d Disken %s\n", png);
		assert_string_equal(line, want);
	}
	unlink(png);
	r = run_cmd("LP_FAILS=1 PATH='%s':$PATH BOXOFFICE_PRINTER=Disken $BOXOFFICE ticket badge %lld --png '%s' --print",
		    bin, ticket, png);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "printer Disken refused the badge: lp failed (exit 1): lp: Error - The printer"));
	assert_non_null(strstr(r.err, png));
	assert_int_equal(access(png, R_OK), 0);
	run_free(&r);
	unlink(png);
	unlink(args);
	unlink(lp);
	rmdir(bin);
}

/* F9 with a printer that takes the job and never answers (an lp that
 * hangs): the station answers the next keys at once, says the badge is
 * being made, refuses a second F9 meanwhile, and past the lp deadline
 * says the printer did not finish and where the PNG is. Before, F9 drew
 * and printed on the loop, and a hung lp froze the station. */
static void test_badge_printer_that_never_answers_holds_up_nothing(void **state)
{
	struct tmux t;
	long long ev = make_event(unique_name("Hung Printer Gala"), "2041-01-03", 0), order, ticket;
	char bin[600], lp[700], cmd[1600], png[700], want[200];
	struct run_result r;
	json_t *tickets;
	FILE *f;
	(void)state;

	snprintf(bin, sizeof bin, "%s/lp-hangs-%d", tmp_dir(), (int)getpid());
	mkdir(bin, 0755);
	snprintf(lp, sizeof lp, "%s/lp", bin);
	assert_non_null(f = fopen(lp, "w"));
	fputs("#!/bin/sh\nexec sleep 60\n", f);
	fclose(f);
	chmod(lp, 0755);
	make_type(ev, "Adult", 100, 10000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 2 --company 'Hung Corp'", ev);
	assert_int_equal(r.status, 0);
	order = out_id(r.out);
	run_free(&r);
	tickets = cli_json("$BOXOFFICE ticket list --order %lld --json", order);
	ticket = json_integer_value(json_object_get(json_array_get(tickets, 0), "id"));
	json_decref(tickets);
	snprintf(cmd, sizeof cmd,
		 "PATH='%s':$PATH BOXOFFICE_PRINTER=Hangs BOXOFFICE_LP_TIMEOUT_MS=2500 BOXOFFICE_BADGES='%s/badges' "
		 "$BOXOFFICE --screen orders --event %lld; sleep 60",
		 bin, tmp_dir(), ev);
	tmux_start(&t, "hungprinter", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Hung Corp", 10000));
	open_assign(&t);
	assert_true(tmux_wait_for(&t, "(not assigned)", 5000));
	tmux_keys(&t, "F9");
	snprintf(want, sizeof want, "making the badge of ticket #%lld", ticket);
	assert_true(tmux_wait_for(&t, want, 5000));
	/* the loop is free: a second F9 is refused, typing shows at once */
	tmux_keys(&t, "F9");
	assert_true(tmux_wait_for(&t, "still making the badge", 1500));
	tmux_type(&t, "Hanna");
	assert_true(tmux_wait_for(&t, "Hanna", 1500));
	assert_true(tmux_wait_for(&t, "refused the badge: lp did not finish", 20000));
	snprintf(png, sizeof png, "%s/badges/badge-%lld.png", tmp_dir(), ticket);
	assert_int_equal(access(png, R_OK), 0);
	unlink(png); /* the folder is shared: db_tui counts the badges in it */
	tmux_stop(&t);
	unlink(lp);
	rmdir(bin);
}

/* A company order of 500 tickets (the screen held the first 200, with no
 * way to the rest): End selects the last, which Enter then assigns; Home
 * goes back to the first. */
static void test_assign_screen_reaches_every_ticket(void **state)
{
	struct tmux t;
	long long order = screen_order(&t, "Big Gala", 500, NULL), first, last;
	char first_id[24], last_id[24], done[64];
	json_t *list;
	(void)state;

	list = cli_json("$BOXOFFICE ticket list --order %lld --json", order);
	assert_int_equal(json_array_size(list), 500);
	first = json_integer_value(json_object_get(json_array_get(list, 0), "id"));
	last = json_integer_value(json_object_get(json_array_get(list, 499), "id"));
	json_decref(list);
	snprintf(first_id, sizeof first_id, " %lld ", first);
	snprintf(last_id, sizeof last_id, " %lld ", last);
	open_assign(&t);
	assert_true(tmux_wait_for(&t, first_id, 3000));
	assert_int_equal(tmux_row_of(&t, last_id), -1);
	tmux_keys(&t, "End");
	assert_true(tmux_wait_for(&t, last_id, 3000));
	assert_false(screen_has(&t, "showing the first")); /* nothing left out */
	tmux_type(&t, "Zeta Last");
	tmux_keys(&t, "Tab");
	tmux_type(&t, "zeta.last@example.com");
	tmux_keys(&t, "Enter");
	snprintf(done, sizeof done, "Ticket #%lld → Zeta Last", last);
	assert_true(tmux_wait_for(&t, done, 5000));
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM ticket WHERE id = $1 AND person_id IS NOT NULL",
					last), 1);
	tmux_keys(&t, "Home");
	assert_true(tmux_wait_for(&t, first_id, 3000));
	tmux_stop(&t);
}

/* An order of more tickets than the screen lists (10,000): the title
 * says it shows only the first, and of how many. */
static void test_assign_screen_says_it_stops_short(void **state)
{
	long long ev = make_event(unique_name("Huge Gala"), "2041-02-01", 0), order;
	struct tmux t;
	struct run_result r;
	char cmd[512], title[128];
	(void)state;

	make_type(ev, "Adult", 20000, 100, 1);
	make_type(ev, "Child", 100, 100, 1);
	order = cli_json_id("$BOXOFFICE order add --event %lld --lines Adult:10000,Child:1 --payment card "
			    "--company 'Huge Corp'", ev);
	r = run_cmd("$BOXOFFICE order settle %lld", order);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen orders --event %lld; echo EXITED; sleep 60", ev);
	tmux_start(&t, "assignhuge", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Huge Corp", 10000));
	open_assign(&t);
	snprintf(title, sizeof title, "Tickets of order #%lld — showing the first 10,000 of 10,001", order);
	assert_true(tmux_wait_for(&t, title, 5000));
	tmux_stop(&t);
}

/* F9 is Alerts on every other screen; here it is Badge, and the key bar
 * and the help say so (the help names Alerts' way from here). */
static void test_assign_screen_f9_says_badge(void **state)
{
	struct tmux t;
	long long first;
	char png[512];
	(void)state;

	screen_order(&t, "Badge Gala", 1, &first);
	open_assign(&t);
	assert_true(screen_has(&t, "F9Badge"));
	assert_false(screen_has(&t, "F9Alerts"));
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of Assign tickets", 3000));
	{
		char *line = line_with(&t, "F9 ");
		assert_non_null(line);
		assert_non_null(strstr(line, "Badge"));
		assert_non_null(strstr(line, "F9 is Alerts elsewhere"));
		free(line);
	}
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Assign the selected ticket to:", 3000));
	tmux_keys(&t, "F9");
	assert_true(tmux_wait_for(&t, "badge saved as", 15000)); /* by a child process */
	assert_false(screen_has(&t, "│ Alerts │"));
	snprintf(png, sizeof png, "%s/badges/badge-%lld.png",
		 getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp", first);
	assert_int_equal(access(png, R_OK), 0);
	unlink(png); /* the folder is shared: db_tui counts the badges in it */
	tmux_stop(&t);
}

/* F9 with BOXOFFICE_BADGES naming a file, not a folder: the status line
 * says the badge was not made, then why. Before it said only "cannot
 * write …/badge-N.png: Not a directory" (and, with the database not
 * answering the badge's child, "database unreachable: …" under ONLINE),
 * naming nothing that failed. */
static void test_badge_not_made_says_so(void **state)
{
	long long ev = make_event(unique_name("Badge File Gala"), "2041-01-05", 0), order, ticket;
	char file[600], cmd[1200], want[800];
	struct run_result r;
	struct tmux t;
	FILE *f;
	(void)state;

	snprintf(file, sizeof file, "%s/badges-a-file-%d", tmp_dir(), (int)getpid());
	assert_non_null(f = fopen(file, "w"));
	fclose(f);
	make_type(ev, "Adult", 100, 10000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 1 --company 'File Corp'", ev);
	assert_int_equal(r.status, 0);
	order = out_id(r.out);
	run_free(&r);
	first_token(order, &ticket);
	snprintf(cmd, sizeof cmd, "BOXOFFICE_BADGES='%s' $BOXOFFICE --screen orders --event %lld; sleep 60", file, ev);
	tmux_start(&t, "badgefile", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "File Corp", 10000));
	open_assign(&t);
	tmux_keys(&t, "F9");
	snprintf(want, sizeof want, "Badge not made: cannot write %s/badge-%lld.png", file, ticket);
	if (!tmux_wait_for(&t, "Badge not made: cannot write", 15000)) {
		char *screen = tmux_capture(&t);
		fail_msg("no '%s':\n%s", want, screen);
	}
	tmux_keys(&t, "F1"); /* the whole message, with its reason (wrapped anywhere) */
	assert_true(tmux_wait_for(&t, "Messages too long", 3000));
	{
		char *screen = tmux_capture(&t), *o = screen;
		for (const char *c = screen; *c; c++)
			if (*c != ' ' && *c != '\n')
				*o++ = *c;
		*o = '\0';
		if (!strstr(screen, "Notadirectory"))
			fail_msg("the help does not say why: %s", screen);
		free(screen);
	}
	tmux_stop(&t);
	unlink(file);
}

/* A name too long for one line (F9 on the assign screen and ticket badge
 * set it centred on one line, cut on both sides: "indqvist von Hohenzol"):
 * whole, on lines that each fit the badge, the company too; nothing
 * drawn into the side margins, and the QR still reads. */
static void test_badge_sets_a_long_name_whole(void **state)
{
	const char *font = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";
	long long order = new_order("card", 1), ticket;
	char token[256], png[256], back[800] = "";
	struct fit_lines f;
	struct run_result r;
	gdImagePtr im;
	FILE *in;
	int room;
	(void)state;

	json_decref(cli_json("$BOXOFFICE order settle %lld", order));
	snprintf(token, sizeof token, "%s", first_token(order, &ticket));
	json_decref(cli_json("$BOXOFFICE ticket assign %lld --name '" LONG_NAME "' --email " LONG_MAIL
			     " --company 'Hohenzollern-Sigmaringen Fürstliche Verwaltung GmbH & Co. KG'", ticket));
	snprintf(png, sizeof png, "%s/long-%lld.png", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp",
		 ticket);
	json_decref(cli_json("$BOXOFFICE ticket badge %lld --png %s", ticket, png));
	r = run_cmd("zbarimg --quiet --raw %s 2>/dev/null", png);
	assert_int_equal(r.status, 0);
	r.out[strcspn(r.out, "\n")] = '\0';
	assert_string_equal(r.out, token);
	run_free(&r);
	/* below the band, the margins each side stay white: no line ran over */
	in = fopen(png, "rb");
	assert_non_null(in);
	im = gdImageCreateFromPng(in);
	fclose(in);
	assert_non_null(im);
	for (int y = 220; y < gdImageSY(im); y++)
		for (int x = 0; x < gdImageSX(im) / 20; x++) {
			int left = gdImageGetTrueColorPixel(im, x, y), right = gdImageGetTrueColorPixel(im, gdImageSX(im) - 1 - x, y);
			if (left != 0xffffff || right != 0xffffff)
				fail_msg("ink at the side of the badge, row %d (%06x %06x)", y, left, right);
		}
	gdImageDestroy(im);
	/* the lines as set: each fits, together they are the name */
	badge_name_lines(LONG_NAME, &f, &room);
	assert_false(f.cut);
	assert_true(f.n >= 2 && f.n <= 3);
	for (int i = 0; i < f.n; i++) {
		int brect[8];
		size_t len = strlen(back);
		assert_null(gdImageStringFT(NULL, brect, 0, (char *)font, f.size, 0, 0, 0, f.line[i]));
		if (brect[2] - brect[0] > room)
			fail_msg("\"%s\" is %d wide, the badge has %d", f.line[i], brect[2] - brect[0], room);
		snprintf(back + len, sizeof back - len, "%s%s", i && back[len - 1] != '-' ? " " : "", f.line[i]);
	}
	assert_string_equal(back, LONG_NAME);
}

static void test_assignment_bad_input(void **state)
{
	long long order = new_order("card", 2), ticket;
	char *big = malloc(10001);
	char o[24];
	const char *p[1] = { o };
	(void)state;
	json_decref(cli_json("$BOXOFFICE order settle %lld", order));
	first_token(order, &ticket);
	memset(big, 'x', 10000);
	big[10000] = '\0';
	expect_status(2, "$BOXOFFICE ticket assign %lld --name 'A' --email not-an-address", ticket);
	expect_status(2, "$BOXOFFICE ticket assign %lld --name %s --email a@example.com", ticket, big);
	expect_status(2, "$BOXOFFICE ticket assign %lld --name '' --email a@example.com", ticket);
	expect_status(2, "$BOXOFFICE ticket assign %lld --email a@example.com", ticket);
	snprintf(o, sizeof o, "%lld", order);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket WHERE order_id = $1 AND person_id IS NOT NULL", 1, p), 0);
	/* a void ticket cannot be assigned */
	json_decref(cli_json("$BOXOFFICE order refund %lld", order));
	expect_status(1, "$BOXOFFICE ticket assign %lld --name A --email a@example.com", ticket);
	free(big);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_bulk_csv_all_or_nothing(void **state)
{
	long long order = new_order("sponsored", 3);
	char path[256], o[24];
	const char *p[1] = { o };
	struct run_result r;
	(void)state;
	json_decref(cli_json("$BOXOFFICE order settle %lld", order));
	snprintf(o, sizeof o, "%lld", order);
	snprintf(path, sizeof path, "%s/people.csv", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp");
	/* One bad row: nothing is assigned, every row is reported. */
	write_file(path, "\xEF\xBB\xBFname,email\r\n\"Lund, Karl\",karl@example.com\r\nNo Mail,nomail\r\nEva,eva@example.com\r\n");
	r = run_cmd("$BOXOFFICE ticket assign-csv --order %lld --file %s", order, path);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "\"errors\":1"));
	assert_non_null(strstr(r.out, "not an address"));
	assert_non_null(strstr(r.err, "nothing was assigned"));
	run_free(&r);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket WHERE order_id = $1 AND person_id IS NOT NULL", 1, p), 0);
	/* BOM, CRLF, quoted commas: all three assigned; a dry run first changes nothing. */
	write_file(path, "\xEF\xBB\xBFname,email,company\r\n\"Lund, Karl\",karl@example.com,\"Fjord, North\"\r\n"
			 "Eva,eva@example.com,\r\nÅke,ake@example.com,Birch\r\n");
	json_decref(cli_json("$BOXOFFICE ticket assign-csv --order %lld --file %s --dry-run", order, path));
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket WHERE order_id = $1 AND person_id IS NOT NULL", 1, p), 0);
	json_decref(cli_json("$BOXOFFICE ticket assign-csv --order %lld --file %s", order, path));
	assert_int_equal(test_scalar(conn, "SELECT count(DISTINCT person_id) FROM ticket WHERE order_id = $1", 1, p), 3);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket k JOIN person pe ON pe.id = k.person_id "
					   "WHERE k.order_id = $1 AND pe.name = 'Lund, Karl' AND pe.company = 'Fjord, North'", 1, p), 1);
	/* no free ticket left for a fourth person */
	write_file(path, "Late,late@example.com\n");
	expect_status(1, "$BOXOFFICE ticket assign-csv --order %lld --file %s", order, path);
}

static long long settled_order(int qty)
{
	long long order = new_order("sponsored", qty);
	json_decref(cli_json("$BOXOFFICE order settle %lld", order));
	return order;
}

static long long assigned_count(long long order)
{
	char o[24];
	const char *p[1] = { o };
	snprintf(o, sizeof o, "%lld", order);
	return test_scalar(conn, "SELECT count(*) FROM ticket WHERE order_id = $1 AND person_id IS NOT NULL", 1, p);
}

/* How many of the people whose e-mail starts with prefix hold a ticket of
 * the order (each of them should hold exactly one). */
static long long holders_like(long long order, const char *prefix)
{
	char o[24], like[64];
	const char *p[2] = { o, like };
	snprintf(o, sizeof o, "%lld", order);
	snprintf(like, sizeof like, "%s%%", prefix);
	return test_scalar(conn, "SELECT count(DISTINCT pe.id) FROM ticket k JOIN person pe ON pe.id = k.person_id "
				 "WHERE k.order_id = $1 AND pe.email LIKE $2", 2, p);
}

static void write_people(const char *path, const char *prefix, int n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs("name,email\n", f);
	for (int i = 0; i < n; i++)
		fprintf(f, "Person %s %d,%s%d@example.com\n", prefix, i, prefix, i);
	fclose(f);
}

/* Runs two assign-csv at the same instant (real processes); their exit
 * codes. */
static void race_two(long long order, const char *a, const char *b, int *ra, int *rb)
{
	struct run_result r = run_cmd("( $BOXOFFICE ticket assign-csv --order %lld --file %s >/dev/null 2>&1; echo A=$? ) & "
				      "( $BOXOFFICE ticket assign-csv --order %lld --file %s >/dev/null 2>&1; echo B=$? ) & wait",
				      order, a, order, b);
	const char *pa = strstr(r.out, "A="), *pb = strstr(r.out, "B=");
	assert_non_null(pa);
	assert_non_null(pb);
	*ra = atoi(pa + 2);
	*rb = atoi(pb + 2);
	run_free(&r);
}

static void test_bulk_runs_at_once_never_take_each_others_tickets(void **state)
{
	char a[256], b[256], pa[32], pb[32];
	int ra, rb;
	(void)state;
	for (int round = 0; round < 3; round++) {
		long long order = settled_order(20);
		snprintf(pa, sizeof pa, "ra%d-%lld-", round, order);
		snprintf(pb, sizeof pb, "rb%d-%lld-", round, order);
		snprintf(a, sizeof a, "%s/race-a.csv", tmp_dir());
		snprintf(b, sizeof b, "%s/race-b.csv", tmp_dir());
		write_people(a, pa, 10);
		write_people(b, pb, 10);
		race_two(order, a, b, &ra, &rb);
		/* 10 + 10 on 20 free tickets: both succeed, on different tickets */
		assert_int_equal(ra, 0);
		assert_int_equal(rb, 0);
		assert_int_equal(assigned_count(order), 20);
		assert_int_equal(holders_like(order, pa), 10);
		assert_int_equal(holders_like(order, pb), 10);
	}
	/* 15 + 15 on 20: one succeeds whole, the other is refused whole */
	{
		long long order = settled_order(20);
		snprintf(pa, sizeof pa, "sa-%lld-", order);
		snprintf(pb, sizeof pb, "sb-%lld-", order);
		write_people(a, pa, 15);
		write_people(b, pb, 15);
		race_two(order, a, b, &ra, &rb);
		assert_int_equal(ra + rb, 1);
		assert_int_equal(assigned_count(order), 15);
		assert_int_equal(holders_like(order, ra == 0 ? pa : pb), 15);
		assert_int_equal(holders_like(order, ra == 0 ? pb : pa), 0);
	}
}

/* A single assignment racing a bulk run onto the same free ticket: one of
 * them wins; the loser changes nothing, so nobody is left with a dead QR. */
static void test_single_assign_racing_bulk_never_steals(void **state)
{
	char a[256], pa[32];
	(void)state;
	snprintf(a, sizeof a, "%s/race-single.csv", tmp_dir());
	for (int round = 0; round < 3; round++) {
		long long order = settled_order(5), ticket;
		struct run_result r;
		int rbulk, rone;
		first_token(order, &ticket);
		snprintf(pa, sizeof pa, "rs%d-%lld-", round, order);
		write_people(a, pa, 5);
		r = run_cmd("( $BOXOFFICE ticket assign-csv --order %lld --file %s >/dev/null 2>&1; echo A=$? ) & "
			    "( $BOXOFFICE ticket assign %lld --name Solo --email solo%lld@example.com >/dev/null 2>&1; echo B=$? ) & wait",
			    order, a, ticket, order);
		if (!r.out || !strstr(r.out, "A=") || !strstr(r.out, "B=") ||
		    sscanf(strstr(r.out, "A="), "A=%d", &rbulk) != 1 || sscanf(strstr(r.out, "B="), "B=%d", &rone) != 1)
			fail_msg("no exit codes in the output: %.300s", r.out ? r.out : "(none)");
		run_free(&r);
		assert_int_equal(rbulk + rone, 1);
		if (rbulk == 0) {
			assert_int_equal(holders_like(order, pa), 5);
			assert_int_equal(holders_like(order, "solo"), 0);
		} else {
			assert_int_equal(holders_like(order, pa), 0);
			assert_int_equal(holders_like(order, "solo"), 1);
		}
	}
}

static void test_bulk_file_over_the_limit_is_refused_whole(void **state)
{
	long long order = settled_order(2);
	char path[256];
	FILE *f;
	struct run_result r;
	(void)state;
	snprintf(path, sizeof path, "%s/huge.csv", tmp_dir());
	f = fopen(path, "wb");
	assert_non_null(f);
	/* 17 MiB of well-formed rows */
	for (long n = 0; n < 17L << 20;)
		n += fprintf(f, "Somebody With A Long Name %ld,somebody.with.a.long.address.%ld@example.com\n", n, n);
	fclose(f);
	r = run_cmd("$BOXOFFICE ticket assign-csv --order %lld --file %s", order, path);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "16 MiB"));
	assert_non_null(strstr(r.err, "nothing was assigned"));
	assert_string_equal(r.out, "");
	run_free(&r);
	/* the same through stdin */
	r = run_cmd("$BOXOFFICE ticket assign-csv --order %lld --file - < %s", order, path);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "16 MiB"));
	run_free(&r);
	assert_int_equal(assigned_count(order), 0);
	/* small rows, many of them: under 16 MiB, over the row limit */
	f = fopen(path, "wb");
	assert_non_null(f);
	for (int n = 0; n <= 20000; n++)
		fprintf(f, "P%d,p%d@example.com\n", n, n);
	fclose(f);
	r = run_cmd("$BOXOFFICE ticket assign-csv --order %lld --file %s", order, path);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "more than 20000 rows"));
	run_free(&r);
	assert_int_equal(assigned_count(order), 0);
	remove(path);
}

static long long person_named(const char *email, char *name, size_t size)
{
	char ev[24];
	const char *p[2] = { ev, email };
	PGresult *res;
	long long id;
	snprintf(ev, sizeof ev, "%lld", event_id);
	res = test_query(conn, "SELECT id, name FROM person WHERE event_id = $1 AND lower(email) = lower($2)", 2, p);
	assert_int_equal(PQntuples(res), 1);
	id = atoll(PQgetvalue(res, 0, 0));
	snprintf(name, size, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	return id;
}

static void test_existing_email_never_renames_silently(void **state)
{
	long long o1 = settled_order(1), o2 = settled_order(2), t1, t2;
	char path[256], name[256];
	struct run_result r;
	(void)state;
	first_token(o1, &t1);
	first_token(o2, &t2);
	json_decref(cli_json("$BOXOFFICE ticket assign %lld --name 'Alice Berg' --email alice.b@example.com", t1));
	/* single: another name for her e-mail is refused with the reason */
	r = run_cmd("$BOXOFFICE ticket assign %lld --name Al2 --email ALICE.B@example.com", t2);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "Alice Berg"));
	run_free(&r);
	person_named("alice.b@example.com", name, sizeof name);
	assert_string_equal(name, "Alice Berg");
	assert_int_equal(assigned_count(o2), 0);
	/* bulk: the row shows the conflict and nothing is assigned */
	snprintf(path, sizeof path, "%s/rename.csv", tmp_dir());
	write_file(path, "Eve,eve.r@example.com\nAl2,ALICE.B@example.com\n");
	r = run_cmd("$BOXOFFICE ticket assign-csv --order %lld --file %s", o2, path);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "renaming must be confirmed"));
	run_free(&r);
	person_named("alice.b@example.com", name, sizeof name);
	assert_string_equal(name, "Alice Berg");
	assert_int_equal(assigned_count(o2), 0);
	/* the same name (any case of e-mail) finds her without a question */
	json_decref(cli_json("$BOXOFFICE ticket assign-csv --order %lld --file %s --dry-run",
			     o2, (write_file(path, "Alice Berg,ALICE.B@example.com\n"), path)));
	/* asked for: renamed, and the change is logged */
	json_decref(cli_json("$BOXOFFICE ticket assign %lld --name 'Alice Lund' --email alice.b@example.com --rename", t2));
	{
		char id[24];
		const char *p[1] = { id };
		snprintf(id, sizeof id, "%lld", person_named("alice.b@example.com", name, sizeof name));
		assert_string_equal(name, "Alice Lund");
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM change_log WHERE entity = 'person' "
						   "AND entity_id = $1 AND action = 'renamed'", 1, p), 1);
	}
}

/* Each CSV row as preview JSON: its "error", or NULL when fine. */
static const char *row_error(json_t *doc, int i)
{
	return json_string_value(json_object_get(json_array_get(json_object_get(doc, "preview"), (size_t)i), "error"));
}

static void test_csv_input_validated_like_the_cli(void **state)
{
	long long order = settled_order(3), ticket;
	char path[256], long_company[260];
	struct run_result r;
	json_t *doc;
	FILE *f;
	(void)state;
	first_token(order, &ticket);
	snprintf(path, sizeof path, "%s/bad.csv", tmp_dir());
	memset(long_company, 'c', 230);
	long_company[230] = '\0';
	f = fopen(path, "wb");
	fputs("name,email,company\n", f);
	fputs("Esc Ape,esc@example.com,\x1b[31mEvil\x1b[0m\n", f);   /* terminal escape */
	fwrite("Bob\0by,bob.n@example.com,\n", 1, 26, f);            /* a NUL */
	fprintf(f, "Long Co,long@example.com,%s\n", long_company);     /* over-long company */
	fputs("C1 Ctl,c1@example.com,A\xc2\x9b" "B\n", f);            /* a C1 control (CSI) */
	fputs("Bad \xff\xfe UTF,utf@example.com,\n", f);              /* invalid UTF-8 */
	fputs("Bare CR,cr@example.com,Fjord\rAB\n", f);                /* a CR that ends no line */
	fputs("Bidi,bidi@example.com,Eve\xe2\x80\xae" "Corp\n", f);    /* U+202E */
	fputs("Fine,fine@example.com,\n\n\n", f);                     /* trailing blank lines */
	fclose(f);
	r = run_cmd("$BOXOFFICE ticket assign-csv --order %lld --file %s", order, path);
	assert_int_equal(r.status, 1);
	doc = json_loads(r.out, 0, NULL);
	assert_non_null(doc);
	/* every row is in the preview, bad ones with their reason */
	assert_int_equal(json_integer_value(json_object_get(doc, "rows")), 8);
	assert_int_equal(json_integer_value(json_object_get(doc, "errors")), 7);
	assert_int_equal(json_array_size(json_object_get(doc, "preview")), 8);
	assert_non_null(strstr(row_error(doc, 0), "company contains control characters"));
	assert_non_null(strstr(row_error(doc, 1), "NUL"));
	assert_non_null(strstr(row_error(doc, 2), "company is too long (at most 200 characters)"));
	assert_non_null(strstr(row_error(doc, 3), "control characters"));
	assert_non_null(strstr(row_error(doc, 4), "not valid UTF-8"));
	assert_non_null(strstr(row_error(doc, 5), "company contains control characters"));
	assert_non_null(strstr(row_error(doc, 6), "company contains characters that reorder text"));
	assert_null(row_error(doc, 7));
	assert_non_null(strstr(json_string_value(json_object_get(json_array_get(json_object_get(doc, "preview"), 4), "name")),
			       "Bad "));
	json_decref(doc);
	run_free(&r);
	assert_int_equal(assigned_count(order), 0);
	/* a good file with a trailing blank line is fine */
	write_file(path, "Fine,fine@example.com\r\n\r\n");
	json_decref(cli_json("$BOXOFFICE ticket assign-csv --order %lld --file %s", order, path));
	assert_int_equal(assigned_count(order), 1);
	/* a folder is not a file; an empty file assigns nothing and says so */
	expect_status(2, "$BOXOFFICE ticket assign-csv --order %lld --file %s", order, tmp_dir());
	write_file(path, "\n");
	expect_status(1, "$BOXOFFICE ticket assign-csv --order %lld --file %s", order, path);
	/* the command line refuses the same C1 control */
	expect_status(2, "$BOXOFFICE ticket assign %lld --name X --email x1@example.com --company \"$(printf 'A\\302\\233B')\"", ticket);
	/* and the same bidi override, in a name or a company */
	expect_status(2, "$BOXOFFICE ticket assign %lld --name X --email x1@example.com --company \"$(printf 'A\\342\\200\\256B')\"", ticket);
	expect_status(2, "$BOXOFFICE ticket assign %lld --name \"$(printf 'X\\342\\201\\246Y')\" --email x1@example.com", ticket);
}

/* Over-long text is refused before the database, with its limit, on
 * every path. */
static void test_overlong_text_says_its_limit(void **state)
{
	char big[300];
	long long ticket, order = settled_order(1);
	struct run_result r;
	const char *cmds[] = {
		"sell --type Adult --qty 1 --company",
		"sell --type Adult --qty 1 --contact",
		"order add --lines Adult:1 --company",
		"event add --date 2030-01-01 --name",
	};
	(void)state;
	first_token(order, &ticket);
	memset(big, 'x', 201);
	big[201] = '\0';
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (strncmp(cmds[i], "event", 5) == 0)
			r = run_cmd("$BOXOFFICE %s %s", cmds[i], big);
		else
			r = run_cmd("$BOXOFFICE %s %s --event %lld", cmds[i], big, event_id);
		assert_int_equal(r.status, 2);
		if (!strstr(r.err, "at most 200 characters"))
			fail_msg("%s: %s", cmds[i], r.err);
		run_free(&r);
	}
	r = run_cmd("$BOXOFFICE ticket assign %lld --name %s --email x@example.com", ticket, big);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "--name is too long (at most 200 characters)"));
	run_free(&r);
}

/* A refusal is about what the form held: after a name conflict ("Enter
 * again RENAMES …"), an e-mail changed to one that is no address shows
 * that refusal alone, not the old conflict above it. */
static void test_assign_conflict_goes_when_the_form_changes(void **state)
{
	struct tmux t;
	char email[96], keys[400] = "";
	long long order = screen_order(&t, "Conflict Gala", 2, NULL);
	char *screen;
	(void)state;

	snprintf(email, sizeof email, "conf-%lld@example.com", order);
	open_assign(&t);
	tmux_type(&t, "Carla Conflict");
	tmux_keys(&t, "Tab");
	tmux_type(&t, email);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "→ Carla Conflict", 5000));
	/* the next ticket, the same e-mail under another name */
	tmux_type(&t, "Other Name");
	tmux_keys(&t, "Tab");
	tmux_type(&t, email);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "RENAMES", 5000));
	for (size_t i = 0; i < strlen(email); i++)
		strcat(keys, "BSpace ");
	tmux_keys(&t, keys);
	tmux_type(&t, "not an email");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "E-mail is not an e-mail", 3000));
	screen = tmux_capture(&t);
	if (strstr(screen, "RENAMES") || strstr(screen, "belongs to Carla Conflict"))
		fail_msg("the conflict about the form before stays:\n%s", screen);
	free(screen);
	tmux_stop(&t);
}

/* F6 with a good file ("Assigned 2 tickets from …"), then F6 with a file
 * whose preview has errors, closed with Esc: the earlier success is not
 * shown again as if it were this file's. */
static void test_bulk_closed_preview_shows_no_old_success(void **state)
{
	struct tmux t;
	char good[256], bad[256], said[400];
	char *screen;
	(void)state;

	screen_order(&t, "Bulk Gala", 2, NULL);
	snprintf(good, sizeof good, "%s/good-%d.csv", tmp_dir(), (int)getpid());
	snprintf(bad, sizeof bad, "%s/bad-%d.csv", tmp_dir(), (int)getpid());
	write_file(good, "Gus Good,gus.good@example.com\nGina Good,gina.good@example.com\n");
	write_file(bad, "Bo Bad,not an email\n");
	open_assign(&t);
	tmux_keys(&t, "F6");
	assert_true(tmux_wait_for(&t, "Bulk: a CSV file", 3000));
	tmux_type(&t, good);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Preview: 2 rows, 0 with errors", 5000));
	tmux_keys(&t, "Enter");
	snprintf(said, sizeof said, "Assigned 2 tickets from");
	assert_true(tmux_wait_for(&t, said, 5000));
	tmux_keys(&t, "F6");
	assert_true(tmux_wait_for(&t, "Bulk: a CSV file", 3000));
	tmux_type(&t, bad);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "1 with errors", 5000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Assign the selected ticket to:", 3000));
	screen = tmux_capture(&t);
	if (strstr(screen, said))
		fail_msg("an earlier file's success shown again:\n%s", screen);
	free(screen);
	tmux_stop(&t);
}

/* F6 with a path typed wrong (a file that does not exist): the prompt
 * stays with the path as typed and says why under it, so one letter more
 * corrects it (the path was cleared and the prompt closed); Esc and F6
 * again still hold it; "-" and a FIFO are refused, not read (the
 * station hung on them). The key bar on the prompt offers only what acts
 * there (F3, F8, F9, F6 did nothing). */
static void test_bulk_wrong_path_stays_to_be_corrected(void **state)
{
	struct tmux t;
	char path[256], typed[256], fifo[256];
	long long order = screen_order(&t, "Path Gala", 2, NULL);
	char *bar;
	(void)state;

	snprintf(path, sizeof path, "%s/path-%d.csv", tmp_dir(), (int)getpid());
	write_file(path, "Pia Path,pia.path@example.com\nPer Path,per.path@example.com\n");
	snprintf(typed, sizeof typed, "%.*s", (int)strlen(path) - 1, path); /* the last letter missing */
	snprintf(fifo, sizeof fifo, "%s/f-%d", tmp_dir(), (int)getpid());
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	open_assign(&t);
	tmux_keys(&t, "F6");
	assert_true(tmux_wait_for(&t, "Bulk: a CSV file", 3000));
	/* "-" (the CLI's stdin: here the terminal) and a FIFO (open waits
	 * for a writer) would hang the station: both said, the prompt kept */
	tmux_keys(&t, "- Enter");
	assert_true(tmux_wait_for(&t, "Type the CSV file's path", 3000));
	tmux_keys(&t, "C-u");
	tmux_type(&t, fifo);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "is not a file", 3000));
	tmux_keys(&t, "C-u");
	tmux_type(&t, typed);
	tmux_keys(&t, "Enter");
	if (!tmux_wait_for(&t, "Nothing assigned: cannot read", 3000)) {
		char *screen = tmux_capture(&t);
		fail_msg("no reason for the wrong path:\n%s", screen);
	}
	if (!screen_has(&t, "Bulk: a CSV file") || !screen_has(&t, typed)) {
		char *screen = tmux_capture(&t);
		fail_msg("the path typed is gone:\n%s", screen);
	}
	bar = line_with(&t, "F1Help");
	if (!bar || strstr(bar, "F3") || strstr(bar, "F8") || strstr(bar, "F9") || !strstr(bar, "Esc"))
		fail_msg("the bulk prompt's key bar offers keys that do nothing there: '%s'", bar ? bar : "");
	free(bar);
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Assign the selected ticket to:", 3000));
	assert_false(screen_has(&t, "cannot read"));
	tmux_keys(&t, "F6");
	assert_true(tmux_wait_for(&t, "Bulk: a CSV file", 3000));
	assert_true(screen_has(&t, typed));
	tmux_keys(&t, "v");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Preview: 2 rows, 0 with errors", 5000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Assigned 2 tickets from", 5000));
	assert_int_equal(assigned_count(order), 2);
	tmux_stop(&t);
	unlink(fifo);
}

/* Enter on an order without tickets (not settled yet) says why nothing
 * happens: it did nothing, unsaid. */
static void test_assign_without_tickets_says_why(void **state)
{
	struct tmux t;
	long long ev = make_event(unique_name("Unsettled Gala"), "2041-01-02", 0);
	char cmd[512];
	struct run_result r;
	(void)state;

	make_type(ev, "Adult", 100, 10000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 2 --payment invoice --company 'Buyer Corp'", ev);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen orders --event %lld; echo EXITED; sleep 60", ev);
	tmux_start(&t, "assign", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Buyer Corp", 10000));
	tmux_keys(&t, "Home a");
	assert_true(tmux_wait_for(&t, "No tickets: they come when the order is settled.", 3000));
	tmux_type(&t, "Nils None");
	tmux_keys(&t, "Enter");
	if (!tmux_wait_for(&t, "No ticket to assign", 3000)) {
		char *screen = tmux_capture(&t);
		fail_msg("Enter without tickets did nothing, unsaid:\n%s", screen);
	}
	/* F9 and F8 too: no badge and nothing to unassign, said */
	tmux_keys(&t, "F9");
	assert_true(tmux_wait_for(&t, "No ticket for a badge", 3000));
	tmux_keys(&t, "F8");
	assert_true(tmux_wait_for(&t, "No ticket to unassign", 3000));
	tmux_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_settle_makes_tickets_once),
		cmocka_unit_test(test_tokens_verify_and_resist_tampering),
		cmocka_unit_test(test_reissue_invalidates_old_token),
		cmocka_unit_test(test_badge_reads_back_with_zbarimg),
		cmocka_unit_test(test_assignment_bad_input),
		cmocka_unit_test(test_bulk_csv_all_or_nothing),
		cmocka_unit_test(test_bulk_runs_at_once_never_take_each_others_tickets),
		cmocka_unit_test(test_single_assign_racing_bulk_never_steals),
		cmocka_unit_test(test_bulk_file_over_the_limit_is_refused_whole),
		cmocka_unit_test(test_existing_email_never_renames_silently),
		cmocka_unit_test(test_csv_input_validated_like_the_cli),
		cmocka_unit_test(test_assign_conflict_goes_when_the_form_changes),
		cmocka_unit_test(test_bulk_closed_preview_shows_no_old_success),
		cmocka_unit_test(test_bulk_wrong_path_stays_to_be_corrected),
		cmocka_unit_test(test_assign_without_tickets_says_why),
		cmocka_unit_test(test_overlong_text_says_its_limit),
		cmocka_unit_test(test_assign_screen_asks_before_discarding),
		cmocka_unit_test(test_assign_screen_asks_before_unassigning),
		cmocka_unit_test(test_assign_screen_cuts_long_names_with_an_ellipsis),
		cmocka_unit_test(test_assign_screen_f9_says_badge),
		cmocka_unit_test(test_badge_not_made_says_so),
		cmocka_unit_test(test_badge_printer_that_never_answers_holds_up_nothing),
		cmocka_unit_test(test_badge_print_from_the_cli),
		cmocka_unit_test(test_assign_screen_reaches_every_ticket),
		cmocka_unit_test(test_assign_screen_says_it_stops_short),
		cmocka_unit_test(test_badge_sets_a_long_name_whole),
	};
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests_name("tickets", tests, setup, teardown);
}

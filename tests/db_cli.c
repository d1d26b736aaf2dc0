/* The command line as scripts see it: exit codes, the one-line error
 * format, JSON output, refusals that change nothing. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static PGconn *conn;

static int setup(void **state)
{
	(void)state;
	conn = test_migrate_connect();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

/* One line on stderr, "boxoffice: <what>: <why>". */
static void assert_error_line(const char *err, const char *what)
{
	char prefix[128];
	size_t len = strlen(err);
	snprintf(prefix, sizeof prefix, "boxoffice: %s: ", what);
	if (strncmp(err, prefix, strlen(prefix)) != 0)
		fail_msg("stderr '%s' does not start with '%s'", err, prefix);
	assert_true(len > strlen(prefix) + 1);
	assert_int_equal(err[len - 1], '\n');
	assert_null(memchr(err, '\n', len - 1));
}

static void expect(const char *cmd, int status, const char *what)
{
	struct run_result r = run_cmd("%s", cmd);
	if (r.status != status)
		fail_msg("'%s' exited %d, expected %d; stderr: %s", cmd, r.status, status, r.err);
	if (what)
		assert_error_line(r.err, what);
	run_free(&r);
}

static void test_help_and_version(void **state)
{
	struct run_result r = run_cmd("$BOXOFFICE --help");
	(void)state;
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "migrate"));
	assert_non_null(strstr(r.out, "event add"));
	assert_non_null(strstr(r.out, "Exit codes"));
	run_free(&r);
	r = run_cmd("$BOXOFFICE --version");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "boxoffice "));
	run_free(&r);
	r = run_cmd("$BOXOFFICE event add --help");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "--date"));
	run_free(&r);
	/* a family's --help lists every usage of it, not an error */
	r = run_cmd("$BOXOFFICE channel --help");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "boxoffice channel add"));
	assert_non_null(strstr(r.out, "boxoffice channel status"));
	run_free(&r);
	/* a command with a plain form and subcommands shows both */
	r = run_cmd("$BOXOFFICE checkin --help");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "usage: boxoffice checkin [--gate NAME]"));
	assert_non_null(strstr(r.out, "boxoffice checkin undo TICKET"));
	run_free(&r);
	/* a name longer than the column gets its own line: never run into its text */
	r = run_cmd("$BOXOFFICE --help | grep -A1 'platform deliveries'");
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, "deliverieswebhook"));
	assert_non_null(strstr(r.out, "platform deliveries\n"));
	run_free(&r);
}

static void test_usage_errors(void **state)
{
	(void)state;
	expect("$BOXOFFICE frobnicate", 2, "frobnicate");
	expect("$BOXOFFICE --frob", 2, "--frob");
	expect("$BOXOFFICE event add --name X", 2, "event add");
	expect("$BOXOFFICE event add --date 2027-01-01", 2, "event add");
	expect("$BOXOFFICE event add --name X --date 2026-02-30", 2, "event add");
	expect("$BOXOFFICE event add --name X --date tomorrow", 2, "event add");
	expect("$BOXOFFICE event add --name '' --date 2027-01-01", 2, "event add");
	expect("$BOXOFFICE event add --name X --date 2027-01-01 --colour red", 2, "event add");
	expect("$BOXOFFICE event add --name", 2, "event add");
	expect("$BOXOFFICE event list stray", 2, "event list");
	expect("$BOXOFFICE type add --event 1 --name A --capacity -5 --price 100", 2, "type add");
	expect("$BOXOFFICE type add --event 1 --name A --capacity 5 --price 1.50", 2, "type add");
	expect("$BOXOFFICE type add --event 1 --name A --capacity 5 --price 100 --tier vip", 2, "type add");
	expect("$BOXOFFICE demo --orders many", 2, "demo");
	expect("$BOXOFFICE --station", 2, "--station");
	{
		struct run_result r = run_cmd("$BOXOFFICE event");
		assert_int_equal(r.status, 2);
		assert_non_null(strstr(r.err, "boxoffice: event: "));
		run_free(&r);
	}
}

static void test_unreachable_database(void **state)
{
	(void)state;
	expect("$BOXOFFICE -d 'host=/nonexistent/socket/dir dbname=x' event list", 3, "database unreachable");
	expect("$BOXOFFICE -d 'postgresql://nobody@127.0.0.1:1/x?connect_timeout=2' migrate", 3, "database unreachable");
	expect("$BOXOFFICE -d 'this is = not a conninfo' event list", 3, "database unreachable");
}

static void test_event_add_and_list_json(void **state)
{
	const char *name = unique_name("Gala «Åsa» 'quoted'");
	struct run_result r;
	json_t *doc, *item;
	json_error_t jerr;
	size_t i;
	long long id;
	bool found = false;
	char escaped[256];
	(void)state;

	/* Single quotes go through the shell as '\'' */
	{
		size_t o = 0;
		for (const char *p = name; *p && o < sizeof escaped - 5; p++) {
			if (*p == '\'') {
				memcpy(escaped + o, "'\\''", 4);
				o += 4;
			} else {
				escaped[o++] = *p;
			}
		}
		escaped[o] = '\0';
	}
	r = run_cmd("$BOXOFFICE --station till-7 event add --name '%s' --date 2027-05-01 --reentry", escaped);
	assert_int_equal(r.status, 0);
	doc = json_loads(r.out, 0, &jerr);
	assert_non_null(doc);
	id = json_integer_value(json_object_get(doc, "id"));
	assert_true(id > 0);
	json_decref(doc);
	run_free(&r);

	r = run_cmd("$BOXOFFICE event list --json");
	assert_int_equal(r.status, 0);
	doc = json_loads(r.out, 0, &jerr);
	assert_true(json_is_array(doc));
	json_array_foreach(doc, i, item) {
		if (json_integer_value(json_object_get(item, "id")) != id)
			continue;
		found = true;
		assert_string_equal(json_string_value(json_object_get(item, "name")), name);
		assert_string_equal(json_string_value(json_object_get(item, "date")), "2027-05-01");
		assert_true(json_is_true(json_object_get(item, "reentry")));
	}
	assert_true(found);
	json_decref(doc);
	run_free(&r);

	/* the change is logged with the station that made it */
	{
		char ids[24];
		const char *p[1] = { ids };
		snprintf(ids, sizeof ids, "%lld", id);
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM change_log WHERE entity = 'event' "
						   "AND entity_id = $1 AND station = 'till-7'", 1, p), 1);
	}

	/* the same name again is refused by the database, nothing added */
	{
		long long before = test_scalar(conn, "SELECT count(*) FROM event", 0, NULL);
		r = run_cmd("$BOXOFFICE event add --name '%s' --date 2027-05-02", escaped);
		assert_int_equal(r.status, 1);
		assert_error_line(r.err, "event add");
		assert_non_null(strstr(r.err, "exists already"));
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM event", 0, NULL), before);
		run_free(&r);
	}
}

/* The station is --station's name, the one main() checked, even when -d
 * carries an application_name of its own: "kassa-Ö" from there was logged
 * as "kassa-??" on every change, and was not the name the screens show. */
static void test_station_wins_over_the_conninfo(void **state)
{
	char ids[24];
	const char *p[1] = { ids };
	long long id;
	(void)state;

	id = cli_json_id("$BOXOFFICE -d 'application_name=kassa-Ö' --station till-8 event add --name '%s' "
			 "--date 2027-05-03", unique_name("Station Gala"));
	snprintf(ids, sizeof ids, "%lld", id);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM change_log WHERE entity = 'event' "
					   "AND entity_id = $1 AND station = 'till-8'", 1, p), 1);
}

static void test_type_add_by_name(void **state)
{
	const char *ev = unique_name("Types");
	long long event_id = make_event(ev, "2027-07-07", 0);
	struct run_result r;
	char ids[24];
	const char *p[1] = { ids };
	(void)state;

	r = run_cmd("$BOXOFFICE type add --event '%s' --name Group --capacity 200 --price 150000 "
		    "--seats-per-ticket 10", ev);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\"id\":"));
	run_free(&r);
	snprintf(ids, sizeof ids, "%lld", event_id);
	assert_int_equal(test_scalar(conn, "SELECT seats_per_ticket FROM ticket_type WHERE event_id = $1 "
					   "AND name = 'Group' AND tier = 'group' AND vat_bp = 2500", 1, p), 10);
	/* the same type name twice in one event is refused */
	r = run_cmd("$BOXOFFICE type add --event %lld --name Group --capacity 5 --price 1", event_id);
	assert_int_equal(r.status, 1);
	assert_error_line(r.err, "type add");
	run_free(&r);
}

/* One event for the tests below (every event shows on the TUI tests'
 * events screen, which has only so many rows). */
static char case_event_name[96];
static long long case_event(void)
{
	static long long id;
	if (!id) {
		snprintf(case_event_name, sizeof case_event_name, "%s", unique_name("Case Gala"));
		id = make_event(case_event_name, "2027-08-08", 0);
	}
	return id;
}

/* Issue 4: names are unique ignoring case, and looked up the same way. */
static void test_names_unique_ignoring_case(void **state)
{
	const char *ev;
	char upper[128], ids[24];
	const char *p[1] = { ids };
	long long event_id, order_id;
	struct run_result r;
	json_t *doc;
	(void)state;

	event_id = case_event();
	ev = case_event_name;
	snprintf(upper, sizeof upper, "%s", ev);
	for (char *c = upper; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	/* the same name in other case: refused, saying which one exists */
	r = run_cmd("$BOXOFFICE event add --name '%s' --date 2027-08-09", upper);
	assert_int_equal(r.status, 1);
	assert_error_line(r.err, "event add");
	assert_non_null(strstr(r.err, ev));
	run_free(&r);
	make_type(event_id, "VIP", 10, 90000, 1);
	r = run_cmd("$BOXOFFICE type add --event %lld --name vip --capacity 10 --price 100", event_id);
	assert_int_equal(r.status, 1);
	assert_error_line(r.err, "type add");
	assert_non_null(strstr(r.err, "'VIP' exists already"));
	run_free(&r);
	snprintf(ids, sizeof ids, "%lld", event_id);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket_type WHERE event_id = $1", 1, p), 1);
	/* the database refuses it too, whoever inserts */
	assert_string_equal(test_fails(conn, "INSERT INTO ticket_type (event_id, name, capacity, price_cents) "
					     "VALUES ($1, 'Vip', 1, 1)", 1, p), "23505");
	/* lookups ignore case: event and type found, VIP's price charged */
	doc = cli_json("$BOXOFFICE sell --event '%s' --type vip --qty 1 --payment card", upper);
	order_id = json_integer_value(json_object_get(doc, "id"));
	assert_int_equal(json_integer_value(json_object_get(doc, "amount")), 112500);
	json_decref(doc);
	snprintf(ids, sizeof ids, "%lld", order_id);
	assert_int_equal(test_scalar(conn, "SELECT unit_cents FROM order_line WHERE order_id = $1", 1, p), 90000);
}

/* Issue 13b: a well-formed request for an ID or name that does not exist
 * is exit 1 for every command, "boxoffice: order 999999999: no such order". */
static void test_no_such_id_or_name_is_exit_1(void **state)
{
	long long event_id = case_event();
	char cmd[512];
	static const struct {
		const char *args, *what;
	} cases[] = {
		{ "order show 999999999", "order 999999999" },
		{ "order show 999999999 --json", "order 999999999" },
		{ "order settle 999999999", "order 999999999" },
		{ "order settle 999999999 --ref BANK-1", "order 999999999" },
		{ "order invoice 999999999", "order 999999999" },
		{ "order cancel 999999999", "order 999999999" },
		{ "order refund 999999999", "order 999999999" },
		{ "order tickets 999999999", "order 999999999" },
		{ "hold confirm 999999999 --payment card", "hold 999999999" },
		{ "hold release 999999999", "hold 999999999" },
		{ "sell --event 'No such event' --type A --qty 1", "event 'No such event'" },
		{ "sell --event 999999999 --type A --qty 1", "event 999999999" },
		{ "sell --event E --type 'No such type' --qty 1", "ticket type 'No such type'" },
		{ "sell --event E --type 999999999 --qty 1", "ticket type 999999999" },
		{ "hold --event E --type nope --qty 1 --ttl 60", "ticket type 'nope'" },
		{ "adjust --event nope --type A --delta -1 --reason x", "event 'nope'" },
		{ "quota --event E --type nope --channel web --quota 1", "ticket type 'nope'" },
		{ "capacity --event E --type nope --capacity 1 --reason x", "ticket type 'nope'" },
		{ "inventory --event nope --json", "event 'nope'" },
		{ "type add --event nope --name A --capacity 5 --price 100", "event 'nope'" },
		{ "order add --event nope --lines A:1", "event 'nope'" },
		{ "order add --event E --lines nope:1", "ticket type 'nope'" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *e = strstr(cases[i].args, " E ");
		if (e)
			snprintf(cmd, sizeof cmd, "$BOXOFFICE %.*s %lld%s", (int)(e - cases[i].args),
				 cases[i].args, event_id, e + 2);
		else
			snprintf(cmd, sizeof cmd, "$BOXOFFICE %s", cases[i].args);
		{
			struct run_result r = run_cmd("%s", cmd);
			char line[256];
			snprintf(line, sizeof line, "boxoffice: %s: no such ", cases[i].what);
			if (r.status != 1 || strncmp(r.err, line, strlen(line)) != 0)
				fail_msg("'%s' exited %d (expected 1 and '%s...'): %s", cmd, r.status, line, r.err);
			assert_error_line(r.err, cases[i].what);
			run_free(&r);
		}
	}
}

/* Issue 13b: a flag given an empty value is a usage error, before it can
 * reach a constraint. */
static void test_empty_values_are_usage_errors(void **state)
{
	long long event_id = case_event();
	long long type_id = make_type(event_id, "Adult", 10, 100, 1);
	char cmd[512];
	static const char *const cases[] = {
		"sell --event E --type T --qty 1 --key ''",
		"sell --event E --type T --qty 1 --ref ''",
		"sell --event E --type T --qty 1 --reason ''",
		"sell --event E --type T --qty 1 --company ''",
		"sell --event E --type T --qty 1 --contact ''",
		"sell --event E --type T --qty 1 --email ''",
		"sell --event '' --type T --qty 1",
		"sell --event E --type '' --qty 1",
		"hold --event E --type T --qty 1 --ttl 60 --key ''",
		"hold confirm 1 --payment card --key ''",
		"hold release 1 --reason ''",
		"adjust --event E --type T --delta -1 --reason ''",
		"adjust --event E --type T --delta -1 --reason x --key ''",
		"capacity --event E --type T --capacity 5 --reason ''",
		"order settle 1 --ref ''",
		"order cancel 1 --reason ''",
		"order add --event E --lines ''",
		"order add --event E --lines Adult:1 --key ''",
		"order add --event E --lines Adult:1 --email ''",
	};
	char ids[24];
	const char *p[1] = { ids };
	long long before;
	(void)state;

	snprintf(ids, sizeof ids, "%lld", event_id);
	before = test_scalar(conn, "SELECT count(*) FROM ticket_order WHERE event_id = $1", 1, p);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *o = cmd + snprintf(cmd, sizeof cmd, "$BOXOFFICE ");
		for (const char *a = cases[i]; *a; a++) {
			if (a[0] == ' ' && (a[1] == 'E' || a[1] == 'T') && a[2] == ' ') {
				o += sprintf(o, " %lld", a[1] == 'E' ? event_id : type_id);
				a++;
			} else {
				*o++ = *a;
			}
		}
		*o = '\0';
		{
			struct run_result r = run_cmd("%s", cmd);
			if (r.status != 2 || !strstr(r.err, "is empty"))
				fail_msg("'%s' exited %d, expected 2 and 'is empty': %s", cmd, r.status, r.err);
			run_free(&r);
		}
	}
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket_order WHERE event_id = $1", 1, p), before);
}

/* A refused status change names the payment with its article: "an
 * invoice order" (it said "a invoice order"), "a card order". */
static void test_refused_transition_in_good_english(void **state)
{
	long long ev = make_event(unique_name("Words"), "2027-09-09", 0);
	long long inv, card;
	struct run_result r;
	(void)state;
	make_type(ev, "Adult", 10, 100, 1);
	inv = cli_json_id("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment invoice", ev);
	card = cli_json_id("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment card", ev);
	r = run_cmd("$BOXOFFICE order refund %lld", inv);
	if (r.status != 1 || !strstr(r.err, "is requested: an invoice order cannot become refunded") ||
	    strstr(r.err, "a invoice"))
		fail_msg("order refund of a requested invoice order: exit %d: %s", r.status, r.err);
	run_free(&r);
	r = run_cmd("$BOXOFFICE order invoice %lld", card);
	if (r.status != 1 || !strstr(r.err, "is settled: a card order cannot become invoice_sent"))
		fail_msg("order invoice of a settled card order: exit %d: %s", r.status, r.err);
	run_free(&r);
}

/* apikey revoke: a key revoked already says so whether named by its ID or
 * its name (exit 1, a refusal); an empty ID or name is a usage error
 * (exit 2), not a look-up of "". */
static void test_apikey_revoke_twice_and_empty(void **state)
{
	char name[64], cmd[160];
	long long id;
	struct run_result r;
	(void)state;
	snprintf(name, sizeof name, "%s", unique_name("revoke"));
	id = cli_json_id("$BOXOFFICE apikey add --name '%s' --channel web --json", name);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE apikey revoke %lld", id);
	expect(cmd, 0, NULL);
	for (int by_name = 0; by_name < 2; by_name++) {
		if (by_name)
			r = run_cmd("$BOXOFFICE apikey revoke '%s'", name);
		else
			r = run_cmd("$BOXOFFICE apikey revoke %lld", id);
		if (r.status != 1 || !strstr(r.err, "was revoked already"))
			fail_msg("revoking key %s again: exit %d: %s", by_name ? name : "by ID", r.status, r.err);
		assert_error_line(r.err, "apikey revoke");
		run_free(&r);
	}
	expect("$BOXOFFICE apikey revoke ''", 2, "apikey revoke");
	expect("$BOXOFFICE apikey revoke '  '", 2, "apikey revoke");
	expect("$BOXOFFICE apikey revoke 'no such key name'", 1, "apikey revoke");
	{
		/* the database says the same to a caller without the CLI */
		const char *p[1] = { "" };
		assert_string_equal(test_fails(conn, "SELECT apikey_revoke($1)", 1, p), "22023");
	}
}

/* A company or contact (or any name) with a character that reorders text
 * is refused as serve refuses it, in the same words, before the database
 * (exit 2): an RLO could show "Eve\u202eproC" as another company. */
static void test_bidi_refused_in_names(void **state)
{
	long long ev = make_event(unique_name("Bidi"), "2027-10-10", 0);
	char ids[24];
	const char *p[1] = { ids };
	static const char *const cases[] = {
		"sell --event E --type Adult --qty 1 --payment card --company \"$(printf 'Eve\\342\\200\\256Corp')\"",
		"sell --event E --type Adult --qty 1 --payment card --contact \"$(printf 'Eve\\342\\201\\247Ann')\"",
		"sell --event E --type Adult --qty 1 --payment card --contact \"$(printf 'Eve\\342\\200\\217Ann')\"",
		"order add --event E --lines Adult:1 --company \"$(printf 'A\\342\\200\\252B')\"",
		"type add --event E --name \"$(printf 'Kid\\342\\200\\216s')\" --capacity 5 --price 100",
	};
	(void)state;
	make_type(ev, "Adult", 10, 100, 1);
	snprintf(ids, sizeof ids, "%lld", ev);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char cmd[512], *o = cmd + snprintf(cmd, sizeof cmd, "$BOXOFFICE ");
		for (const char *a = cases[i]; *a; a++) {
			if (a[0] == ' ' && a[1] == 'E' && a[2] == ' ') {
				o += sprintf(o, " %lld", ev);
				a++;
			} else {
				*o++ = *a;
			}
		}
		*o = '\0';
		{
			struct run_result r = run_cmd("%s", cmd);
			if (r.status != 2 || !strstr(r.err, "contains characters that reorder text"))
				fail_msg("'%s' exited %d, expected 2 and the reason: %s", cmd, r.status, r.err);
			run_free(&r);
		}
	}
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket_order WHERE event_id = $1", 1, p), 0);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket_type WHERE event_id = $1", 1, p), 1);
}

/* The column (in characters, not bytes) where needle starts in line. */
static int char_column(const char *line, const char *needle)
{
	const char *at = strstr(line, needle);
	int col = 0;
	if (!at)
		return -1;
	for (const char *p = line; p < at; p++)
		col += (*p & 0xC0) != 0x80;
	return col;
}

/* Listing and inspection commands print a table for people and exactly
 * one JSON document with --json; the table spells statuses as words,
 * money as 1,234.50, and keeps its columns aligned with non-ASCII names. */
static void test_listings_table_and_json(void **state)
{
	long long ev = make_event(unique_name("Tables"), "2041-11-01", 0), order;
	char cmds[7][160], *line;
	json_t *doc;
	(void)state;

	make_type(ev, "Adult", 100, 98760, 1); /* 987.60 + VAT = 1,234.50 */
	doc = cli_json("$BOXOFFICE order add --event %lld --lines Adult:1 --payment invoice --company 'Ørsted Ålesund AS'", ev);
	order = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	json_decref(cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment card --company 'Plain AB'", ev));
	PQclear(test_query(conn, "INSERT INTO organization (name) VALUES ('Tables Org ' || clock_timestamp()::text)", 0, NULL));
	{
		char ev_s[24];
		const char *p[1] = { ev_s };
		snprintf(ev_s, sizeof ev_s, "%lld", ev);
		PQclear(test_query(conn, "INSERT INTO event_organization (event_id, organization_id, relationship) "
					 "SELECT $1, max(id), 'sponsor' FROM organization", 1, p));
	}
	snprintf(cmds[0], sizeof cmds[0], "event list");
	snprintf(cmds[1], sizeof cmds[1], "inventory --event %lld", ev);
	snprintf(cmds[2], sizeof cmds[2], "ticket list --order %lld", order);
	snprintf(cmds[3], sizeof cmds[3], "order list --event %lld", ev);
	snprintf(cmds[4], sizeof cmds[4], "order summary --event %lld", ev);
	snprintf(cmds[5], sizeof cmds[5], "order show %lld", order);
	snprintf(cmds[6], sizeof cmds[6], "org list --event %lld", ev);
	for (int i = 0; i < 7; i++) {
		struct run_result r = run_cmd("$BOXOFFICE %s --json", cmds[i]);
		json_error_t err;
		if (r.status != 0 || !(doc = json_loads(r.out, 0, &err)))
			fail_msg("'%s --json' exited %d, not one JSON document: %s%s", cmds[i], r.status, r.out, r.err);
		json_decref(doc);
		run_free(&r);
		r = run_cmd("$BOXOFFICE %s", cmds[i]);
		if (r.status != 0 || r.out[0] == '[' || r.out[0] == '{' || (doc = json_loads(r.out, 0, &err)))
			fail_msg("'%s' exited %d or printed JSON instead of a table: %s", cmds[i], r.status, r.out);
		run_free(&r);
	}
	/* order show: the order as words */
	{
		struct run_result r = run_cmd("$BOXOFFICE order show %lld", order);
		assert_non_null(strstr(r.out, "Ørsted Ålesund AS"));
		assert_non_null(strstr(r.out, "Requested"));
		assert_non_null(strstr(r.out, "1,234.50"));
		run_free(&r);
	}
	/* order list: words, money in units, columns aligned under their titles */
	{
		struct run_result r = run_cmd("$BOXOFFICE order list --event %lld", ev);
		int status_col, amount_end;
		line = strtok(r.out, "\n");
		status_col = char_column(line, "STATUS");
		amount_end = char_column(line, "AMOUNT") + 6;
		for (int rows = 0; (line = strtok(NULL, "\n")); rows++) {
			const char *word = strstr(line, "Requested") ? "Requested" : "Settled";
			assert_non_null(strstr(line, "1,234.50"));
			assert_int_equal(char_column(line, word), status_col);
			assert_int_equal(char_column(line, "1,234.50") + 8, amount_end);
			assert_null(strstr(line, "requested"));
		}
		run_free(&r);
	}
}

/* Names written by SQL or another channel may hold ESC and other control
 * characters: the tables, order show and the text receipt print them as
 * '?', never raw to a terminal or a receipt printer. */
static void test_text_output_never_prints_control_characters(void **state)
{
	long long ev = make_event(unique_name("Esc Night"), "2031-02-02", 0), order;
	char id[24];
	const char *p[1] = { id };
	struct run_result r;
	json_t *doc;
	(void)state;

	make_type(ev, "Adult", 10, 1000, 1);
	doc = cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment card --company 'Plain AB'", ev);
	order = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	snprintf(id, sizeof id, "%lld", order);
	PQclear(test_query(conn, "UPDATE ticket_order SET company = E'X\\u001b[2JEsc AB\\u009b', "
				 "contact = E'\\u202eEve\\u0007' WHERE id = $1", 1, p));
	r = run_cmd("$BOXOFFICE order show %lld", order);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Esc AB"));
	assert_null(strchr(r.out, '\x1b'));
	assert_null(strchr(r.out, '\x07'));
	assert_null(strstr(r.out, "\xe2\x80\xae"));
	run_free(&r);
	r = run_cmd("$BOXOFFICE order list --event %lld", ev);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Esc AB"));
	assert_null(strchr(r.out, '\x1b'));
	assert_null(strstr(r.out, "\xc2\x9b"));
	run_free(&r);
	r = run_cmd("$BOXOFFICE order receipt %lld --text", order);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "Esc AB"));
	assert_null(strchr(r.out, '\x1b'));
	run_free(&r);
	/* JSON keeps the stored text, escaped */
	doc = cli_json("$BOXOFFICE order show %lld --json", order);
	{
		char *text = json_dumps(doc, 0);
		assert_true(strstr(text, "\\u001b") || strstr(text, "\\u001B"));
		free(text);
	}
	json_decref(doc);
}

/* The actions of an order's history (`order show --json`), one string:
 * "requested,settled,sell". */
static void history_actions(long long order, char *out, size_t size)
{
	json_t *doc = cli_json("$BOXOFFICE --station desk-9 order show %lld --json", order), *row;
	size_t i, used = 0;

	out[0] = '\0';
	json_array_foreach(json_object_get(doc, "history"), i, row) {
		used += (size_t)snprintf(out + used, size - used, "%s%s", i ? "," : "",
					 json_string_value(json_object_get(row, "action")));
		if (used >= size)
			fail_msg("history of order %lld too long", order);
	}
	json_decref(doc);
}

/* Every new order's history starts with "requested" (who, which
 * station, when): an invoice order's began at "Invoice sent", a sale's at
 * its inventory row. The same from every function that makes an order:
 * order add, sell, hold confirm. */
static void test_new_order_history_starts_requested(void **state)
{
	long long ev = make_event(unique_name("History"), "2041-12-01", 0), ids[4], hold;
	const char *want[4] = { "requested,order", "requested,sell", "requested,sell", "requested" };
	char actions[200], id_s[24];
	const char *p[2] = { id_s, getenv("PGUSER") };
	struct run_result r;
	(void)state;

	make_type(ev, "Adult", 100, 10000, 1);
	ids[0] = cli_json_id("$BOXOFFICE --station desk-9 order add --event %lld --lines Adult:2 --payment card "
			     "--company 'Hist AB'", ev);
	ids[1] = cli_json_id("$BOXOFFICE --station desk-9 sell --event %lld --type Adult --qty 1 --payment card", ev);
	ids[2] = cli_json_id("$BOXOFFICE --station desk-9 sell --event %lld --type Adult --qty 1 --payment invoice", ev);
	hold = cli_json_id("$BOXOFFICE --station desk-9 hold --event %lld --type Adult --qty 1 --ttl 600", ev);
	ids[3] = cli_json_id("$BOXOFFICE --station desk-9 hold confirm %lld --payment free", hold);
	for (int i = 0; i < 4; i++) {
		history_actions(ids[i], actions, sizeof actions);
		if (strncmp(actions, want[i], strlen(want[i])) != 0)
			fail_msg("order %lld (%d): history %s, expected it to start %s", ids[i], i, actions, want[i]);
		/* who and where: the login and the station that made it */
		snprintf(id_s, sizeof id_s, "%lld", ids[i]);
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM change_log WHERE entity = 'order' "
					     "AND entity_id = $1::bigint AND action = 'requested' AND station = 'desk-9' "
					     "AND actor = $2 AND at > now() - interval '1 minute'", 2, p), 1);
	}
	/* the next change follows it */
	r = run_cmd("$BOXOFFICE order invoice %lld", ids[2]);
	assert_int_equal(r.status, 0);
	run_free(&r);
	history_actions(ids[2], actions, sizeof actions);
	assert_string_equal(actions, "requested,sell,invoice_sent");
	/* and the words: "Requested" in order show's history */
	r = run_cmd("$BOXOFFICE order show %lld", ids[0]);
	{
		const char *history = strstr(r.out, "HISTORY"), *row = history ? strstr(history, "desk-9") : NULL;
		if (!row || strncmp(row + strlen("desk-9"), "           Requested", 20) != 0)
			fail_msg("no Requested history row:\n%s", r.out);
	}
	run_free(&r);
}

/* The column after a wide name starts where every other row's does: a
 * table pads by terminal columns (a CJK character takes two), and a name
 * too long for its column ends in "…" within it. */
static int display_column_of(const char *line, const char *needle)
{
	const char *at = strstr(line, needle);
	int cols = 0;
	if (!at)
		return -1;
	for (const unsigned char *p = (const unsigned char *)line; p < (const unsigned char *)at; p++) {
		if ((*p & 0xC0) == 0x80)
			continue;
		cols += *p >= 0xE3 && *p <= 0xE9 ? 2 : 1; /* CJK ideographs and kana: three bytes, two columns */
	}
	return cols;
}

static void test_tables_pad_by_terminal_columns(void **state)
{
	long long ev = make_event(unique_name("Wide Names"), "2031-05-05", 0);
	struct run_result r;
	char *wide, *narrow, *longer;
	(void)state;

	make_type(ev, "\u6f14\u5531\u4f1a\u95e8\u7968", 10, 1000, 1);       /* 演唱会门票: 10 columns */
	make_type(ev, "Adult", 11, 1000, 1);
	make_type(ev, "\u6f14\u5531\u4f1a\u95e8\u7968\u5f53\u65e5\u5238", 12, 1000, 1); /* 16 columns: longer than 12 */
	r = run_cmd("$BOXOFFICE inventory --event %lld", ev);
	assert_int_equal(r.status, 0);
	wide = strstr(r.out, "\u6f14\u5531\u4f1a\u95e8\u7968 ");
	narrow = strstr(r.out, "Adult ");
	longer = strstr(r.out, "\u2026");
	assert_non_null(wide);
	assert_non_null(narrow);
	assert_non_null(longer);
	while (wide > r.out && wide[-1] != '\n')
		wide--;
	while (narrow > r.out && narrow[-1] != '\n')
		narrow--;
	while (longer > r.out && longer[-1] != '\n')
		longer--;
	/* each row's capacity, in the same column */
	assert_int_equal(display_column_of(wide, " 10 "), display_column_of(narrow, " 11 "));
	assert_int_equal(display_column_of(longer, " 12 "), display_column_of(narrow, " 11 "));
	run_free(&r);
}

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

/* n times "ä" (two bytes, one column) after prefix, into buf. */
static const char *with_aa(char *buf, size_t size, const char *prefix, int n)
{
	size_t len = (size_t)snprintf(buf, size, "%s", prefix);
	for (int i = 0; i < n && len + 2 < size; i++, len += 2)
		memcpy(buf + len, "\u00e4", 3);
	return buf;
}

/* The line of out that starts with start (a row's ID), copied into buf. */
static const char *row_starting(const char *out, const char *start, char *buf, size_t size)
{
	for (const char *line = out; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		size_t len = strcspn(line, "\n");
		if (strncmp(line, start, strlen(start)) == 0 && len < size) {
			memcpy(buf, line, len);
			buf[len] = '\0';
			return buf;
		}
	}
	fail_msg("no line starting '%s' in:\n%s", start, out);
	return NULL;
}

/* A table cell too long for its column is cut between characters, with
 * "…", and the columns after it start where the titles say: printf's
 * "%-24.24s" cut a name of ä's inside a character (bytes that are no
 * text) and padded by bytes, so a row with ä in it ran short. apikey
 * list, conflict list, channel status, channel dead, org booths. */
static void test_tables_cut_names_between_characters(void **state)
{
	long long ev = make_event(unique_name("Cut Names"), "2031-06-06", 0), id, ticket, channel;
	char name[200], want[400], row[1000], start[32], header[400], ev_s[24], sku[200], chan[48];
	struct run_result r;
	(void)state;

	/* apikey list: NAME is 24 columns; 30 ä are 60 bytes */
	with_aa(name, sizeof name, "", 30);
	snprintf(name + strlen(name), sizeof name - strlen(name), " %d", (int)getpid());
	id = cli_json_id("$BOXOFFICE apikey add --name '%s' --channel web --json", name);
	r = run_cmd("$BOXOFFICE apikey list");
	assert_int_equal(r.status, 0);
	assert_true(utf8_whole(r.out));
	snprintf(start, sizeof start, "%-6lld ", id);
	row_starting(r.out, start, row, sizeof row);
	with_aa(want, sizeof want, start, 23);
	strcat(want, "\u2026 web ");
	if (strncmp(row, want, strlen(want)) != 0)
		fail_msg("apikey row '%s', expected it to start '%s'", row, want);
	snprintf(header, sizeof header, "%.*s", (int)strcspn(r.out, "\n"), r.out);
	assert_int_equal(char_column(row, "web"), char_column(header, "FOR"));
	assert_int_equal(char_column(row, "active"), char_column(header, "STATUS"));
	run_free(&r);

	/* conflict list: PERSON 20 columns, gates 12 */
	make_type(ev, "Adult", 10, 1000, 1);
	json_decref(cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment card", ev));
	snprintf(ev_s, sizeof ev_s, "%lld", ev);
	{
		const char *p[2] = { ev_s, with_aa(name, sizeof name, "\u00c5", 40) };
		ticket = test_scalar(conn, "SELECT id FROM ticket WHERE event_id = $1::bigint", 1, p);
		PQclear(test_query(conn, "WITH p AS (INSERT INTO person (event_id, name, email) "
					 "VALUES ($1::bigint, $2, 'cut@example.org') RETURNING id) "
					 "UPDATE ticket SET person_id = (SELECT id FROM p) WHERE event_id = $1::bigint",
				   2, p));
	}
	{
		char t[24];
		const char *p[2] = { t, "S\u00f6dra ing\u00e5ngen" };
		snprintf(t, sizeof t, "%lld", ticket);
		PQclear(test_query(conn, "INSERT INTO checkin_conflict (ticket_id, token, gate, scanned_at, "
					 "offline_verdict, reason) VALUES ($1::bigint, 'x', $2, now(), 'admit', 'used')",
				   2, p));
	}
	r = run_cmd("$BOXOFFICE conflict list --event %lld", ev);
	assert_int_equal(r.status, 0);
	assert_true(utf8_whole(r.out));
	snprintf(header, sizeof header, "%.*s", (int)strcspn(r.out, "\n"), r.out);
	row_starting(r.out + strlen(header) + 1, "", row, sizeof row);
	snprintf(start, sizeof start, "%lld ", ticket);
	with_aa(want, sizeof want, "\u00c5", 18);
	strcat(want, "\u2026 S\u00f6dra ing\u00e5n\u2026 ");
	if (!strstr(row, want))
		fail_msg("conflict row '%s' has no '%s'", row, want);
	assert_int_equal(char_column(row, "S\u00f6dra"), char_column(header, "OFFLINE AT"));
	assert_int_equal(char_column(row, "open"), char_column(header, "STATE"));
	run_free(&r);

	/* channel status: NAME 16 columns (a name is up to 40); channel
	 * dead: SKU 16 columns, a SKU is any text */
	snprintf(chan, sizeof chan, "cut-names-%d-abcdefghijklmnop", (int)getpid());
	r = run_cmd("$BOXOFFICE channel add %s --platform webhook --url http://127.0.0.1:9/hook "
		    "--credentials whsec_test_0123456789 --json",
		    chan);
	assert_int_equal(r.status, 0);
	run_free(&r);
	{
		const char *p[2] = { chan, with_aa(sku, sizeof sku, "\u00c5rskort-", 20) };
		channel = test_scalar(conn, "SELECT id FROM platform_channel WHERE name = $1", 1, p);
		PQclear(test_query(conn, "INSERT INTO channel_outbox (channel_id, kind, sku, payload, state, attempts, "
					 "last_error) SELECT id, 'message', $2, '{}', 'dead', 9, 'gave up' "
					 "FROM platform_channel WHERE name = $1",
				   2, p));
	}
	r = run_cmd("$BOXOFFICE channel status");
	assert_int_equal(r.status, 0);
	assert_true(utf8_whole(r.out));
	snprintf(header, sizeof header, "%.*s", (int)strcspn(r.out, "\n"), r.out);
	snprintf(want, sizeof want, "%.15s\u2026 webhook ", chan);
	row_starting(r.out, want, row, sizeof row);
	assert_int_equal(char_column(row, "webhook"), char_column(header, "PLATFORM"));
	run_free(&r);
	r = run_cmd("$BOXOFFICE channel dead %s", chan);
	assert_int_equal(r.status, 0);
	assert_true(utf8_whole(r.out));
	snprintf(header, sizeof header, "%.*s", (int)strcspn(r.out, "\n"), r.out);
	row_starting(r.out + strlen(header) + 1, "", row, sizeof row);
	with_aa(want, sizeof want, "\u00c5rskort-", 7);
	strcat(want, "\u2026        9 gave up");
	if (!strstr(row, want))
		fail_msg("channel dead row '%s' has no '%s' (channel %lld)", row, want, channel);
	assert_int_equal(char_column(row, "\u00c5rskort"), char_column(header, "SKU"));
	assert_int_equal(char_column(row, "gave up"), char_column(header, "LAST ERROR"));
	run_free(&r);
	{
		/* gone again: the tests share one database, and a failing
		 * channel left behind shows on every later dashboard */
		char chan_id[24];
		const char *p[1] = { chan_id };
		snprintf(chan_id, sizeof chan_id, "%lld", channel);
		PQclear(test_query(conn, "DELETE FROM channel_outbox WHERE channel_id = $1", 1, p));
		PQclear(test_query(conn, "DELETE FROM platform_channel WHERE id = $1", 1, p));
	}

	/* the last column and a name said back in an error: cut between
	 * characters too (at 200 and 300 bytes) */
	{
		char detail[600], delivery[64];
		const char *p[2] = { delivery, detail };
		snprintf(delivery, sizeof delivery, "cut-%d", (int)getpid());
		snprintf(detail, sizeof detail, "{\"sku\": \"%s\"}", with_aa(sku, sizeof sku, "a", 99));
		PQclear(test_query(conn, "INSERT INTO webhook_delivery (platform, delivery_id, outcome, detail) "
					 "VALUES ('cutplat', $1, 'unmapped', $2::jsonb)", 2, p));
	}
	r = run_cmd("$BOXOFFICE platform deliveries --platform cutplat");
	assert_int_equal(r.status, 0);
	assert_true(utf8_whole(r.out));
	assert_non_null(strstr(r.out, "{\"sku\":\"a\u00e4\u00e4"));
	run_free(&r);
	r = run_cmd("$BOXOFFICE inventory --event '%s'", with_aa(want, sizeof want, "a", 160));
	assert_int_equal(r.status, 1);
	assert_true(utf8_whole(r.err));
	assert_non_null(strstr(r.err, "\u00e4\u2026': no such event"));
	run_free(&r);

	/* org booths: a booth and its size are said whole, padded by columns */
	r = run_cmd("$BOXOFFICE org booths --event %lld --add 'Hall \u00c4-12' --size '3\u00d73 m'", ev);
	assert_int_equal(r.status, 0);
	assert_true(utf8_whole(r.out));
	snprintf(header, sizeof header, "%.*s", (int)strcspn(r.out, "\n"), r.out);
	row_starting(r.out, "Hall \u00c4-12 ", row, sizeof row);
	assert_int_equal(char_column(row, "3\u00d73 m"), char_column(header, "SIZE"));
	assert_int_equal(char_column(row, "(free)"), char_column(header, "ORGANIZATION"));
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_text_output_never_prints_control_characters),
		cmocka_unit_test(test_usage_errors),
		cmocka_unit_test(test_unreachable_database),
		cmocka_unit_test(test_event_add_and_list_json),
		cmocka_unit_test(test_station_wins_over_the_conninfo),
		cmocka_unit_test(test_type_add_by_name),
		cmocka_unit_test(test_names_unique_ignoring_case),
		cmocka_unit_test(test_no_such_id_or_name_is_exit_1),
		cmocka_unit_test(test_empty_values_are_usage_errors),
		cmocka_unit_test(test_listings_table_and_json),
		cmocka_unit_test(test_new_order_history_starts_requested),
		cmocka_unit_test(test_tables_pad_by_terminal_columns),
		cmocka_unit_test(test_tables_cut_names_between_characters),
		cmocka_unit_test(test_refused_transition_in_good_english),
		cmocka_unit_test(test_apikey_revoke_twice_and_empty),
		cmocka_unit_test(test_bidi_refused_in_names),
	};
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests_name("cli", tests, setup, teardown);
}

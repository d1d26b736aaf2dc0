/* Issue 17, items 4 and 5: the supervisor's dashboard at 80×24 equals the
 * database while other processes sell and check in at two gates, and
 * offline conflicts made through the real upload path are settled on the
 * Conflicts screen (reviewed: a change_log row; voided: the ticket void,
 * the reason logged), a clerk refused by the database. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "proxy.h"
#include "tmux.h"

static PGconn *conn;

static int setup(void **state)
{
	char dir[300];
	const char *tmp = getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp";
	(void)state;
	conn = test_migrate_connect();
	snprintf(dir, sizeof dir, "%s/state-door-%d", tmp, (int)getpid());
	setenv("BOXOFFICE_STATE", dir, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

static long long sql1(const char *sql, long long id)
{
	char a[24];
	const char *p[1] = { a };
	snprintf(a, sizeof a, "%lld", id);
	return test_scalar(conn, sql, 1, p);
}

/* Every token of the event's card orders, in order id order. */
static int card_tokens(long long event, char tokens[][512], int max)
{
	json_t *orders = cli_json("$BOXOFFICE order list --event %lld --payment card --json", event), *o;
	size_t i;
	int n = 0;
	assert_non_null(orders);
	json_array_foreach(orders, i, o) {
		long long id = (long long)json_integer_value(json_object_get(o, "id"));
		json_t *tk = cli_json("$BOXOFFICE ticket list --order %lld --json", id), *t;
		size_t k;
		assert_non_null(tk);
		json_array_foreach(tk, k, t) {
			if (n < max)
				snprintf(tokens[n++], 512, "%s", json_string_value(json_object_get(t, "token")));
		}
		json_decref(tk);
	}
	json_decref(orders);
	return n;
}

/* The number after label on the screen ("Tickets issued 50 ·"), or -1. */
static long long after(const char *screen, const char *label)
{
	const char *p = strstr(screen, label);
	long long v;
	return p && sscanf(p + strlen(label), " %lld", &v) == 1 ? v : -1;
}

/* A gate's row: "north   12   0   0 ..." → admitted and refused. */
static bool gate_row(const char *screen, const char *gate, long long *in, long long *refused)
{
	for (const char *line = screen; line && *line;) {
		const char *end = strchr(line, '\n'), *p = line;
		while (*p == ' ')
			p++;
		if (strncmp(p, gate, strlen(gate)) == 0 && p[strlen(gate)] == ' ' &&
		    sscanf(p + strlen(gate), " %lld %lld", in, refused) == 2)
			return true;
		line = end ? end + 1 : NULL;
	}
	return false;
}

static void money(char *out, size_t size, long long cents)
{
	snprintf(out, size, "Paid %lld.%02lld · outstanding", cents / 100, cents % 100);
}

/* The screen's totals and per-gate rows equal the database's. */
static bool screen_matches_db(struct tmux *t, long long event, int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited += 200) {
		char *screen = tmux_capture(t), paid[96];
		long long tickets = sql1("SELECT count(*) FROM ticket WHERE event_id = $1 AND status = 'valid'", event);
		long long checked = sql1("SELECT count(*) FROM ticket WHERE event_id = $1 AND status = 'valid' AND scans > 0",
					 event);
		long long cents = sql1("SELECT coalesce(sum(gross_cents), 0) FROM ticket_order WHERE event_id = $1 "
				       "AND status = 'settled'", event);
		bool ok = after(screen, "Tickets issued") == tickets && after(screen, "checked in") == checked;
		money(paid, sizeof paid, cents);
		ok = ok && strstr(screen, paid) != NULL;
		for (int g = 0; g < 2 && ok; g++) {
			const char *gate = g ? "south" : "north";
			char ev[24];
			const char *p[2] = { ev, gate };
			long long in = -1, refused = -1;
			snprintf(ev, sizeof ev, "%lld", event);
			ok = gate_row(screen, gate, &in, &refused) &&
			     in == test_scalar(conn, "SELECT count(*) FROM checkin c JOIN ticket k ON k.id = c.ticket_id "
						     "WHERE k.event_id = $1 AND c.gate = $2 AND c.direction = 'in'", 2, p) &&
			     refused == test_scalar(conn, "SELECT count(*) FROM checkin_reject WHERE event_id = $1 "
							  "AND gate = $2", 2, p);
		}
		if (ok) {
			free(screen);
			return true;
		}
		if (waited + 200 > timeout_ms)
			fprintf(stderr, "--- screen differs from the database (tickets %lld, in %lld, %s):\n%s---\n",
				sql1("SELECT count(*) FROM ticket WHERE event_id = $1 AND status = 'valid'", event),
				sql1("SELECT count(*) FROM ticket WHERE event_id = $1 AND scans > 0", event), paid, screen);
		free(screen);
		usleep(200 * 1000);
	}
	return false;
}

static void test_dashboard_equals_database_at_80x24(void **state)
{
	static char tokens[64][512];
	long long event = make_event(unique_name("Door"), "2035-03-01", 0);
	struct tmux t, desk;
	char cmd[4096];
	struct run_result r;
	int n;
	(void)state;

	make_type(event, "Hall", 500, 1000, 1);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station boss --screen dashboard --event %lld; sleep 60", event);
	tmux_start(&t, "door", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "SEATS", 10000));
	/* another station, elsewhere: seen with its role and screen */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station desk2 --screen inventory --event %lld; sleep 60", event);
	tmux_start(&desk, "desk2", 80, 24, cmd);
	assert_true(tmux_wait_for(&desk, "Hall", 10000));
	/* 50 sales from five processes at once: 30 paid by card, 20 invoiced */
	r = run_cmd("for p in card card card invoice invoice; do "
		    "(for i in 1 2 3 4 5 6 7 8 9 10; do $BOXOFFICE sell --event %lld --type Hall --qty 1 --payment $p "
		    ">/dev/null || exit 1; done) & done; wait",
		    event);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_int_equal(sql1("SELECT count(*) FROM ticket_order WHERE event_id = $1", event), 50);
	n = card_tokens(event, tokens, 64);
	assert_int_equal(n, 30);
	/* 20 check-ins at two gates at once (12 north, 8 south), then south
	 * refuses two of north's (already in) */
	{
		size_t len = (size_t)snprintf(cmd, sizeof cmd, "(printf '%%s\\n'");
		for (int i = 0; i < 12; i++)
			len += (size_t)snprintf(cmd + len, sizeof cmd - len, " '%s'", tokens[i]);
		len += (size_t)snprintf(cmd + len, sizeof cmd - len,
					" | $BOXOFFICE checkin --gate north --event %lld >/dev/null) & (printf '%%s\\n'", event);
		for (int i = 12; i < 20; i++)
			len += (size_t)snprintf(cmd + len, sizeof cmd - len, " '%s'", tokens[i]);
		snprintf(cmd + len, sizeof cmd - len, " | $BOXOFFICE checkin --gate south --event %lld >/dev/null) & wait",
			 event);
	}
	r = run_cmd("%s", cmd);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_cmd("printf '%%s\\n' '%s' '%s' | $BOXOFFICE checkin --gate south --event %lld", tokens[0], tokens[1], event);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "\"reject\""));
	run_free(&r);
	assert_int_equal(sql1("SELECT count(*) FROM checkin c JOIN ticket k ON k.id = c.ticket_id WHERE k.event_id = $1",
			      event),
			 20);
	assert_true(screen_matches_db(&t, event, 8000));
	{
		char *screen = tmux_capture(&t);
		if (getenv("DOOR_SHOW"))
			fprintf(stderr, "%s", screen);
		/* both gates' rows, with their refusals (south 2), and the stations */
		long long in = 0, refused = 0;
		assert_true(gate_row(screen, "south", &in, &refused));
		assert_int_equal(in, 8);
		assert_int_equal(refused, 2);
		assert_true(gate_row(screen, "north", &in, &refused));
		assert_int_equal(in, 12);
		assert_int_equal(refused, 0);
		if (!strstr(screen, "desk2 supervisor inventory") || !strstr(screen, "boss supervisor dashboard"))
			fail_msg("stations not shown:\n%s", screen);
		/* money by payment method: invoices outstanding */
		if (!strstr(screen, "Invoice 0.00/250.00") || !strstr(screen, "Card 375.00/0.00"))
			fail_msg("payment methods not shown:\n%s", screen);
		free(screen);
	}
	tmux_stop(&desk);
	tmux_stop(&t);
}

/* A gate run through the proxy: tokens (NULL-ended) scanned, or none. */
static struct run_result gate(const char *ci, const char *name, long long event, const char *t1, const char *t2)
{
	if (!t1)
		return run_cmd("$BOXOFFICE -d '%s' checkin --gate %s --event %lld </dev/null", ci, name, event);
	return run_cmd("printf '%%s\\n' '%s' '%s' | $BOXOFFICE -d '%s' checkin --gate %s --event %lld", t1, t2, ci, name,
		       event);
}

/* At 80×24 the Conflicts list's header says STATE whole and a settled
 * row says its state whole (a line printed at 80 cut them to "STA…" and
 * "rev…"): waits for a row ending in word. */
static void assert_state_column_whole(struct tmux *t, const char *word)
{
	char *screen = NULL;
	for (int waited = 0; waited <= 5000; waited += 100) {
		const char *header;
		free(screen);
		screen = tmux_capture(t);
		header = strstr(screen, "ID     TICKET");
		if (header && strstr(header, "STATE") && strstr(header, "STATE") < strchr(header, '\n')) {
			for (const char *l = header; (l = strchr(l, '\n')); ) {
				const char *end = strchr(++l, '\n') ? strchr(l, '\n') : l + strlen(l);
				while (end > l && end[-1] == ' ')
					end--;
				if ((size_t)(end - l) > strlen(word) + 1 && end[-(int)strlen(word) - 1] == ' ' &&
				    strncmp(end - strlen(word), word, strlen(word)) == 0 && strchr("0123456789", l[2])) {
					free(screen);
					return;
				}
			}
		}
		usleep(100 * 1000);
	}
	fail_msg("no whole STATE header and row ending '%s':\n%s", word, screen);
}

static void test_conflicts_screen_review_void_and_clerk(void **state)
{
	static char tokens[8][512];
	long long event = make_event(unique_name("Apart"), "2035-03-02", 0), conflict[2];
	struct proxy *px = proxy_start(NULL);
	struct run_result r;
	struct tmux t;
	char ci[256], cmd[512], clerk[64];
	(void)state;

	make_type(event, "Hall", 50, 1000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Hall --qty 3 --payment card", event);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_int_equal(card_tokens(event, tokens, 8), 3);
	/* both gates fill their caches online, then lose the database */
	snprintf(ci, sizeof ci, "%s", proxy_conninfo(px));
	r = gate(ci, "east", event, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = gate(ci, "west", event, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	proxy_stop(px);
	/* apart, each admits the same two tickets */
	r = gate(ci, "east", event, tokens[0], tokens[1]);
	if (!strstr(r.out, "offline"))
		fail_msg("east not offline: %s %s", r.out, r.err);
	run_free(&r);
	r = gate(ci, "west", event, tokens[0], tokens[1]);
	run_free(&r);
	/* together again: east uploads first, west's two are conflicts */
	px = proxy_start(NULL);
	snprintf(ci, sizeof ci, "%s", proxy_conninfo(px));
	r = gate(ci, "east", event, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = gate(ci, "west", event, NULL, NULL);
	assert_int_equal(r.status, 0);
	if (!strstr(r.err, "(2 conflicts)"))
		fail_msg("west's upload: %s", r.err);
	run_free(&r);
	proxy_stop(px);
	assert_int_equal(sql1("SELECT count(*) FROM checkin_conflict c JOIN ticket k ON k.id = c.ticket_id "
			      "WHERE k.event_id = $1 AND c.gate = 'west'", event),
			 2);

	/* the dashboard says so; c opens the conflicts, both scans on a row */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen dashboard --event %lld; sleep 60", event);
	tmux_start(&t, "apart", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "2 offline check-in conflict(s)", 10000));
	tmux_keys(&t, "c");
	assert_true(tmux_wait_for(&t, "2 conflict(s)", 5000));
	{
		char *screen = tmux_capture(&t);
		int rows = 0;
		for (const char *p = screen; (p = strstr(p, " west ")); p++)
			rows += strstr(p, " east ") != NULL && strstr(p, " east ") < strchr(p, '\n');
		if (rows != 2)
			fail_msg("rows with both gates: %d\n%s", rows, screen);
		free(screen);
	}
	/* r, y: the selected (first) one reviewed */
	tmux_keys(&t, "r");
	assert_true(tmux_wait_for(&t, "reviewed? y: yes", 3000));
	{
		/* Esc while the settle waits on another session's lock does not
		 * cancel it: the screen says so and stays until the answer */
		PGconn *holder = test_connect();
		char sql[200];
		snprintf(sql, sizeof sql, "SELECT 1 FROM checkin_conflict c JOIN ticket k ON k.id = c.ticket_id "
					  "WHERE k.event_id = %lld FOR UPDATE OF c", event);
		PQclear(PQexec(holder, "BEGIN"));
		PQclear(PQexec(holder, sql));
		tmux_keys(&t, "y");
		usleep(200000);
		tmux_keys(&t, "Escape");
		assert_true(tmux_wait_for(&t, "still settling the conflict — wait for the answer", 2000));
		PQclear(PQexec(holder, "COMMIT"));
		PQfinish(holder);
	}
	assert_true(tmux_wait_for(&t, "reviewed (ticket", 5000));
	assert_state_column_whole(&t, "reviewed");
	conflict[0] = sql1("SELECT c.id FROM checkin_conflict c JOIN ticket k ON k.id = c.ticket_id "
			   "WHERE k.event_id = $1 AND c.resolution = 'reviewed'", event);
	assert_int_equal(sql1("SELECT count(*) FROM change_log WHERE entity = 'checkin_conflict' AND entity_id = $1 "
			      "AND action = 'reviewed'", conflict[0]),
			 1);
	assert_int_equal(sql1("SELECT count(*) FROM ticket k JOIN checkin_conflict c ON c.ticket_id = k.id "
			      "WHERE c.id = $1 AND k.status = 'valid'", conflict[0]),
			 1);
	/* Down, v, a reason, Enter: the other one's ticket voided */
	tmux_keys(&t, "Down v");
	assert_true(tmux_wait_for(&t, "Reason", 3000));
	tmux_type(&t, "copied badge");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "voided (ticket", 5000));
	conflict[1] = sql1("SELECT c.id FROM checkin_conflict c JOIN ticket k ON k.id = c.ticket_id "
			   "WHERE k.event_id = $1 AND c.resolution = 'voided'", event);
	assert_true(conflict[1] != conflict[0]);
	assert_int_equal(sql1("SELECT count(*) FROM ticket k JOIN checkin_conflict c ON c.ticket_id = k.id "
			      "WHERE c.id = $1 AND k.status = 'void'", conflict[1]),
			 1);
	assert_int_equal(sql1("SELECT count(*) FROM change_log l JOIN checkin_conflict c ON c.ticket_id = l.entity_id "
			      "WHERE c.id = $1 AND l.entity = 'ticket' AND l.action = 'void' AND l.reason = 'copied badge'",
			      conflict[1]),
			 1);
	tmux_stop(&t);
	/* the voided ticket is refused at an online gate (the other one, let
	 * in once already, too: not re-entry) */
	{
		long long voided = sql1("SELECT ticket_id FROM checkin_conflict WHERE id = $1", conflict[1]);
		char want[64];
		int seen = 0;
		snprintf(want, sizeof want, "\"ticket\":%lld,", voided);
		for (int i = 0; i < 2; i++) {
			r = run_cmd("$BOXOFFICE checkin --gate north --event %lld --token '%s'", event, tokens[i]);
			if (strstr(r.out, want)) {
				seen++;
				if (!strstr(r.out, "\"verdict\":\"reject\"") || !strstr(r.out, "cancelled"))
					fail_msg("voided ticket not refused as void: %s", r.out);
			}
			run_free(&r);
		}
		assert_int_equal(seen, 1);
	}
	/* a reason is one line of at most 500 characters, in the database */
	{
		char sql[900];
		snprintf(sql, sizeof sql, "SELECT conflict_settle(%lld, false, repeat('x', 501))", conflict[0]);
		assert_string_equal(test_fails(conn, sql, 0, NULL), "22023");
		snprintf(sql, sizeof sql, "SELECT conflict_settle(%lld, false, E'fine\\nforged line')", conflict[0]);
		assert_string_equal(test_fails(conn, sql, 0, NULL), "22023");
	}

	/* the CLI tells the same; a clerk may neither review nor void */
	{
		json_t *list = cli_json("$BOXOFFICE conflict list --event %lld --json", event);
		assert_int_equal(json_array_size(list), 2);
		json_decref(list);
	}
	snprintf(clerk, sizeof clerk, "door_clerk_%d", (int)getpid());
	r = run_cmd("$BOXOFFICE user add %s --role clerk", clerk);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_cmd("$BOXOFFICE -d 'user=%s' conflict void %lld --reason mine", clerk, conflict[0]);
	assert_int_equal(r.status, 4);
	assert_non_null(strstr(r.err, "supervisor"));
	run_free(&r);
	r = run_cmd("$BOXOFFICE -d 'user=%s' conflict review %lld", clerk, conflict[1]);
	assert_int_equal(r.status, 4);
	run_free(&r);
	assert_int_equal(sql1("SELECT count(*) FROM ticket k JOIN checkin_conflict c ON c.ticket_id = k.id "
			      "WHERE c.id = $1 AND k.status = 'valid'", conflict[0]),
			 1);
	/* settled once; no such conflict is exit 1; void needs a reason */
	r = run_cmd("$BOXOFFICE conflict review %lld", conflict[0]);
	assert_int_equal(r.status, 1);
	run_free(&r);
	r = run_cmd("$BOXOFFICE conflict review 999999999");
	assert_int_equal(r.status, 1);
	run_free(&r);
	r = run_cmd("$BOXOFFICE conflict void %lld", conflict[0]);
	assert_int_equal(r.status, 2);
	run_free(&r);
}

static bool link_is(long long event, const char *gate, const char *online, long long queued, int timeout_ms)
{
	char ev[24];
	const char *p[2] = { ev, gate };
	snprintf(ev, sizeof ev, "%lld", event);
	for (int waited = 0; waited <= timeout_ms; waited += 200) {
		PGresult *res = test_query(conn, "SELECT online, queued FROM gate_links($1) WHERE gate = $2", 2, p);
		bool ok = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), online) == 0 &&
			  atoll(PQgetvalue(res, 0, 1)) == queued;
		PQclear(res);
		if (ok)
			return true;
		usleep(200000);
	}
	return false;
}

/* The dashboard's LINK column (db/054): a check-in station says which gate
 * it is and what its journal holds; silent (its link frozen) and not
 * heard from for 90 s it shows "off" with the scan it queued meanwhile
 * arriving on upload; back online it says "on" again. */
static void test_gate_link_on_dashboard(void **state)
{
	static char tokens[4][512];
	long long event = make_event(unique_name("Link"), "2035-03-03", 0);
	struct proxy *px = proxy_start(NULL);
	struct run_result r;
	struct tmux gate_t, dash;
	char cmd[1200], *screen;
	(void)state;

	make_type(event, "Hall", 50, 1000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Hall --qty 2 --payment card", event);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_int_equal(card_tokens(event, tokens, 4), 2);
	snprintf(cmd, sizeof cmd,
		 "$BOXOFFICE -d postgresql://%s@127.0.0.1:%d/%s --station door-link --screen checkin --event %lld; "
		 "sleep 60",
		 getenv("PGUSER"), proxy_port(px), getenv("PGDATABASE"), event);
	tmux_start(&gate_t, "door-link", 80, 24, cmd);
	assert_true(tmux_wait_for(&gate_t, "ONLINE", 10000));
	assert_true(link_is(event, "door-link", "t", 0, 10000));
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station boss --screen dashboard --event %lld; sleep 60", event);
	tmux_start(&dash, "link-dash", 80, 24, cmd);
	assert_true(tmux_wait_for(&dash, "LINK", 10000));
	for (int waited = 0;; waited += 200) {
		/* the gate's row (the Stations line names it too) */
		const char *row;
		screen = tmux_capture(&dash);
		row = strstr(screen, "\n  door-link ");
		if (row) {
			const char *on = strstr(row, " on"), *end = strchr(row + 1, '\n');
			if (on && end && on < end && (on[3] == ' ' || on[3] == '\n'))
				break;
		}
		if (waited > 5000)
			fail_msg("no gate row \"door-link ... on\":\n%s", screen);
		free(screen);
		usleep(200000);
	}
	free(screen);

	/* silent: the link frozen, a scan decided and queued at the gate */
	proxy_freeze(px);
	tmux_type(&gate_t, tokens[0]);
	tmux_keys(&gate_t, "Enter");
	assert_true(tmux_wait_for(&gate_t, "1 offline s", 15000));
	/* 90 s without a word: the station's row is made that old */
	PQclear(test_query(conn, "UPDATE station_presence SET seen_at = now() - interval '2 minutes' "
				 "WHERE gate = 'door-link'", 0, NULL));
	assert_true(link_is(event, "door-link", "f", 0, 2000));
	assert_true(tmux_wait_for(&dash, "off 2m", 10000));

	/* back: the queued scan uploaded, the gate on again with nothing queued */
	proxy_thaw(px);
	assert_true(link_is(event, "door-link", "t", 0, 20000));
	assert_int_equal(sql1("SELECT count(*) FROM checkin c JOIN ticket k ON k.id = c.ticket_id "
			      "WHERE k.event_id = $1 AND c.offline AND c.gate = 'door-link'", event),
			 1);
	/* nonsense from a station is refused */
	assert_string_equal(test_fails(conn, "SELECT station_gate_seen(1, 'x', -1)", 0, NULL), "22023");
	tmux_stop(&dash);
	tmux_stop(&gate_t);
	proxy_stop(px);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dashboard_equals_database_at_80x24),
		cmocka_unit_test(test_conflicts_screen_review_void_and_clerk),
		cmocka_unit_test(test_gate_link_on_dashboard),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

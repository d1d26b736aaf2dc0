/* Alert rules without a test of their own until the issue 17 review: a
 * gate gone silent (db/046, made cheap in 057) raises one alert however
 * often supervisors' stations check, none after it is acknowledged and
 * none while the gate scans; a channel's change turning into a dead
 * letter raises "channel failing" once per channel; hold/reject counters
 * whose minute is long over are purged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "tmux.h"

static PGconn *admin;

static int setup(void **state)
{
	(void)state;
	PQfinish(test_migrate_connect());
	admin = PQconnectdb(admin_conninfo(getenv("PGDATABASE")));
	if (PQstatus(admin) != CONNECTION_OK)
		fail_msg("admin connect: %s", PQerrorMessage(admin));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(admin);
	return 0;
}

static long long scalar(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long scalar(const char *fmt, ...)
{
	char sql[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	return test_scalar(admin, sql, 0, NULL);
}

static void exec(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void exec(const char *fmt, ...)
{
	char sql[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	PQclear(test_query(admin, sql, 0, NULL));
}

static void ok(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ok(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	struct run_result r;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	r = run_cmd("%s", cmd);
	if (r.status != 0)
		fail_msg("'%s': exit %d: %s", cmd, r.status, r.err);
	run_free(&r);
}

/* A gate that admitted 20 minutes ago and then nothing, silent after 10:
 * one open alert however many stations check; acknowledged, it stays
 * quiet until the gate scans and falls silent again; a gate scanning
 * now is never silent. */
static void test_gate_silent_once(void **state)
{
	long long ev = make_event(unique_name("Quiet"), "2027-06-01", 0);
	char gate[64], busy[64];
	json_t *tickets;
	(void)state;

	snprintf(gate, sizeof gate, "quiet-%d", (int)getpid());
	snprintf(busy, sizeof busy, "busy-%d", (int)getpid());
	make_type(ev, "Hall", 10, 1000, 1);
	{
		json_t *sale = cli_json("$BOXOFFICE sell --event %lld --type Hall --qty 3 --payment card", ev);
		tickets = cli_json("$BOXOFFICE ticket list --order %lld --json",
				   (long long)json_integer_value(json_object_get(sale, "id")));
		json_decref(sale);
	}
	ok("$BOXOFFICE alert set --event %lld --silent-minutes 10", ev);
	assert_int_equal(json_array_size(tickets), 3);
	ok("$BOXOFFICE checkin --gate %s --event %lld --token '%s'", gate, ev,
	   json_string_value(json_object_get(json_array_get(tickets, 0), "token")));
	ok("$BOXOFFICE checkin --gate %s --event %lld --token '%s'", busy, ev,
	   json_string_value(json_object_get(json_array_get(tickets, 1), "token")));
	exec("UPDATE checkin SET at = now() - interval '20 minutes' WHERE gate = '%s'", gate);

	for (int i = 0; i < 3; i++) /* three supervisor stations' minutes */
		PQclear(test_query(admin, "SELECT alert_check_silent()", 0, NULL));
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE kind = 'gate_silent' AND gate = '%s'", gate), 1);
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE kind = 'gate_silent' AND gate = '%s'", busy), 0);
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE kind = 'gate_silent' AND gate = '%s' "
				"AND event_id = %lld AND acknowledged_at IS NULL",
				gate, ev),
			 1);
	/* acknowledged: no new alert while nothing changed */
	ok("$BOXOFFICE alert ack %lld", scalar("SELECT id FROM alert WHERE kind = 'gate_silent' AND gate = '%s'", gate));
	PQclear(test_query(admin, "SELECT alert_check_silent()", 0, NULL));
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE kind = 'gate_silent' AND gate = '%s'", gate), 1);
	/* half an hour later it scans again, then goes quiet again: a new
	 * alert (the clock moved by moving what was written back) */
	exec("UPDATE alert SET last_at = last_at - interval '30 minutes', first_at = first_at - interval '30 minutes', "
	     "acknowledged_at = acknowledged_at - interval '30 minutes' WHERE kind = 'gate_silent' AND gate = '%s'",
	     gate);
	ok("$BOXOFFICE checkin --gate %s --event %lld --token '%s'", gate, ev,
	   json_string_value(json_object_get(json_array_get(tickets, 2), "token")));
	PQclear(test_query(admin, "SELECT alert_check_silent()", 0, NULL));
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE kind = 'gate_silent' AND gate = '%s'", gate), 1);
	exec("UPDATE checkin SET at = at - interval '15 minutes' WHERE gate = '%s'", gate);
	PQclear(test_query(admin, "SELECT alert_check_silent()", 0, NULL));
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE kind = 'gate_silent' AND gate = '%s' "
				"AND acknowledged_at IS NULL",
				gate),
			 1);
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE kind = 'gate_silent' AND gate = '%s'", gate), 2);
	/* make test shares one database: these gates must not go silent on
	 * other programs' supervisor stations */
	ok("$BOXOFFICE alert set --event %lld --disable", ev);
	exec("UPDATE alert SET acknowledged_at = now(), acknowledged_by = 'test' WHERE kind = 'gate_silent' "
	     "AND gate = '%s'",
	     gate);
	json_decref(tickets);
}

/* A change that becomes a dead letter raises "channel failing" for its
 * channel; a second dead letter counts on the same open alert. */
static void test_channel_failing(void **state)
{
	char name[64];
	long long ch;
	(void)state;

	snprintf(name, sizeof name, "shop-%d", (int)getpid());
	ok("$BOXOFFICE channel add %s --platform webhook --url http://127.0.0.1:9/hook "
	   "--credentials whsec_test_0123456789 --json >/dev/null",
	   name);
	ch = scalar("SELECT id FROM platform_channel WHERE name = '%s'", name);
	exec("INSERT INTO channel_outbox (channel_id, kind, payload) VALUES (%lld, 'message', '{}'), "
	     "(%lld, 'message', '{}')",
	     ch, ch);
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE kind = 'channel_failing' AND gate = '%s'", name), 0);
	exec("UPDATE channel_outbox SET state = 'dead', last_error = 'HTTP 500' WHERE id = "
	     "(SELECT min(id) FROM channel_outbox WHERE channel_id = %lld)",
	     ch);
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE kind = 'channel_failing' AND gate = '%s' "
				"AND severity = 'critical' AND acknowledged_at IS NULL",
				name),
			 1);
	exec("UPDATE channel_outbox SET state = 'dead', last_error = 'timeout' WHERE channel_id = %lld "
	     "AND state <> 'dead'",
	     ch);
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE kind = 'channel_failing' AND gate = '%s'", name), 1);
	assert_int_equal(scalar("SELECT count FROM alert WHERE kind = 'channel_failing' AND gate = '%s'", name), 2);
	/* make test shares one database: other programs count channels and
	 * open alerts, so this one leaves neither behind */
	exec("DELETE FROM platform_channel WHERE id = %lld", ch);
	exec("UPDATE alert SET acknowledged_at = now(), acknowledged_by = 'test' WHERE kind = 'channel_failing' "
	     "AND gate = '%s'",
	     name);
}

/* Counters of bursts whose minute is over an hour past are deleted by the
 * periodic check; fresh ones stay. */
static void test_counters_purged(void **state)
{
	char old[64], fresh[64];
	(void)state;

	snprintf(old, sizeof old, "old-%d", (int)getpid());
	snprintf(fresh, sizeof fresh, "fresh-%d", (int)getpid());
	exec("INSERT INTO alert_counter (kind, scope, window_start, n) VALUES "
	     "('gate_rejects', '%s', now() - interval '2 hours', 3), ('gate_rejects', '%s', now(), 1)",
	     old, fresh);
	PQclear(test_query(admin, "SELECT alert_check_silent()", 0, NULL));
	assert_int_equal(scalar("SELECT count(*) FROM alert_counter WHERE scope = '%s'", old), 0);
	assert_int_equal(scalar("SELECT count(*) FROM alert_counter WHERE scope = '%s'", fresh), 1);
}

/* Codes the door refuses itself (forged, misprinted) count as refusals:
 * the CLI gate and the check-in screen record them (db/059), and a burst
 * raises the gate-rejects alert. */
static void test_forged_codes_are_refusals(void **state)
{
	long long ev = make_event(unique_name("Forged"), "2027-06-02", 0);
	char gate[64], screen_gate[64], cmd[600];
	struct tmux t;
	(void)state;

	snprintf(gate, sizeof gate, "forge-%d", (int)getpid());
	snprintf(screen_gate, sizeof screen_gate, "forgescr-%d", (int)getpid());
	make_type(ev, "Hall", 10, 1000, 1);
	ok("$BOXOFFICE alert set --event %lld --reject-burst 3", ev);
	ok("printf 'BX1:GARBAGE%%s\\n' 1 2 3 4 | $BOXOFFICE checkin --gate %s --event %lld >/dev/null; true", gate, ev);
	assert_int_equal(scalar("SELECT count(*) FROM checkin_reject WHERE gate = '%s' AND event_id = %lld", gate, ev), 4);
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE kind = 'gate_rejects' AND gate = '%s' "
				"AND acknowledged_at IS NULL",
				gate),
			 1);
	/* the screen tells the database without waiting for it */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station %s --screen checkin --event %lld; sleep 30", screen_gate, ev);
	tmux_start(&t, screen_gate, 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "ONLINE", 10000));
	tmux_type(&t, "BX1:NOTATICKET");
	tmux_keys(&t, "Enter");
	for (int i = 0; i < 50 && scalar("SELECT count(*) FROM checkin_reject WHERE gate = '%s'", screen_gate) < 1; i++)
		usleep(100000);
	assert_int_equal(scalar("SELECT count(*) FROM checkin_reject WHERE gate = '%s' AND event_id = %lld", screen_gate,
				ev),
			 1);
	tmux_stop(&t);
	/* and it exists: no refusals of events that do not */
	assert_string_equal(test_fails(admin, "SELECT checkin_refused(987654321, 'x', 'y')", 0, NULL), "BX001");
	ok("$BOXOFFICE alert set --event %lld --disable", ev);
	exec("UPDATE alert SET acknowledged_at = now(), acknowledged_by = 'test' WHERE event_id = %lld", ev);
}

/* What a gate login may write about the door is bounded (060): refusals
 * per minute and invented gates per hour, names cleaned of control and
 * bidi characters, station_gate_seen for gates only and existing events. */
static void test_door_input_is_bounded(void **state)
{
	long long ev = make_event(unique_name("Bounded"), "2027-06-03", 0);
	char login[64], sql[600];
	PGconn *g;
	(void)state;

	snprintf(login, sizeof login, "gateflood_%d", (int)getpid());
	ok("$BOXOFFICE user add %s --role gate >/dev/null", login);
	snprintf(sql, sizeof sql, "user=%s", login);
	g = PQconnectdb(sql);
	assert_int_equal(PQstatus(g), CONNECTION_OK);
	/* 100 refusals at one gate in a burst: 60 kept */
	snprintf(sql, sizeof sql, "SELECT count(checkin_refused(%lld, 'flood', 'x')) FROM generate_series(1, 100)", ev);
	PQclear(test_query(g, sql, 0, NULL));
	assert_int_equal(scalar("SELECT count(*) FROM checkin_reject WHERE recorded_by = '%s'", login), 60);
	exec("UPDATE checkin_reject SET at = at - interval '2 minutes' WHERE recorded_by = '%s'", login);
	/* 20 invented gates: 8 named an hour (flood is one of them) */
	snprintf(sql, sizeof sql,
		 "SELECT count(checkin_refused(%lld, 'gate ' || i, 'x')) FROM generate_series(1, 20) i", ev);
	PQclear(test_query(g, sql, 0, NULL));
	assert_int_equal(scalar("SELECT count(DISTINCT gate) FROM checkin_reject WHERE recorded_by = '%s'", login), 8);
	/* control and bidi characters never reach a gate name */
	snprintf(sql, sizeof sql,
		 "SELECT checkin_scan(999999999, %lld, 1, E'\\x1b[2JBack\\u202Edoor\\x07', NULL, false, "
		 "gen_random_uuid(), NULL, NULL)",
		 ev);
	PQclear(test_query(g, sql, 0, NULL));
	assert_int_equal(scalar("SELECT count(*) FROM checkin_reject WHERE event_id = %lld AND gate = '[2JBackdoor'",
				ev),
			 1);
	/* gate links: an existing event, a sane queue */
	assert_string_equal(test_fails(g, "SELECT station_gate_seen(987654321, 'x', 0)", 0, NULL), "BX001");
	snprintf(sql, sizeof sql, "SELECT station_gate_seen(%lld, 'x', 2000000000)", ev);
	assert_string_equal(test_fails(g, sql, 0, NULL), "22023");
	PQfinish(g);
	ok("$BOXOFFICE alert set --event %lld --disable", ev);
	exec("UPDATE alert SET acknowledged_at = now(), acknowledged_by = 'test' WHERE event_id = %lld", ev);
}

/* Voiding a conflicted ticket: the reason is checked and trimmed in the
 * database (056), and the void bumps the ticket's rev (013) so the next
 * cache refresh of every offline gate learns of it. */
static void test_void_reason_and_rev(void **state)
{
	long long ev = make_event(unique_name("Voids"), "2027-06-02", 0);
	long long tk, c1, rev0;
	char sql[256];
	json_t *tickets;
	(void)state;

	make_type(ev, "Stall", 10, 1000, 1);
	{
		json_t *sale = cli_json("$BOXOFFICE sell --event %lld --type Stall --qty 1 --payment card", ev);
		tickets = cli_json("$BOXOFFICE ticket list --order %lld --json",
				   (long long)json_integer_value(json_object_get(sale, "id")));
		json_decref(sale);
	}
	assert_int_equal(json_array_size(tickets), 1);
	tk = json_integer_value(json_object_get(json_array_get(tickets, 0), "id"));
	json_decref(tickets);
	c1 = scalar("INSERT INTO checkin_conflict (ticket_id, token, gate, scanned_at, offline_verdict, reason) "
		    "VALUES (%lld, 'x', 'south', now(), 'admit', 'twice') RETURNING id", tk);
	rev0 = scalar("SELECT rev FROM ticket WHERE id = %lld", tk);
	snprintf(sql, sizeof sql, "SELECT conflict_settle(%lld, true, '   ')", c1);
	assert_string_equal(test_fails(admin, sql, 0, NULL), "22023");
	snprintf(sql, sizeof sql, "SELECT conflict_settle(%lld, true, E'dup\\x01')", c1);
	assert_string_equal(test_fails(admin, sql, 0, NULL), "22023");
	assert_int_equal(scalar("SELECT count(*) FROM ticket WHERE id = %lld AND status = 'valid'", tk), 1);
	exec("SELECT conflict_settle(%lld, true, '  shown twice at south  ')", c1);
	assert_int_equal(scalar("SELECT count(*) FROM ticket WHERE id = %lld AND status = 'void' AND rev > %lld", tk, rev0), 1);
	assert_int_equal(scalar("SELECT count(*) FROM change_log WHERE entity = 'ticket' AND entity_id = %lld "
				"AND action = 'void' AND reason = 'shown twice at south'", tk), 1);
	exec("UPDATE alert SET acknowledged_at = now(), acknowledged_by = 'test' WHERE event_id = %lld", ev);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gate_silent_once),
		cmocka_unit_test(test_channel_failing),
		cmocka_unit_test(test_counters_purged),
		cmocka_unit_test(test_forged_codes_are_refusals),
		cmocka_unit_test(test_door_input_is_bounded),
		cmocka_unit_test(test_void_reason_and_rev),
	};
	return cmocka_run_group_tests_name("alert rules", tests, setup, teardown);
}

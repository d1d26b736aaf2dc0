/* Alerts the database raises (db/046, issue 17): one open alert per kind
 * and scope however many processes cross at once, announced at most once
 * a minute, acknowledged by supervisors only, thresholds refusing bad
 * input; and at the station: the banner, desktop notifications through a
 * mock notification daemon on a private session bus, a hung daemon that
 * must not freeze the station, and an acknowledgement on one station that
 * clears the banner of another. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "tmux.h"

static PGconn *conn, *admin;

static PGconn *admin_connect(void)
{
	PGconn *c = PQconnectdb(admin_conninfo(getenv("PGDATABASE")));
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("admin connect: %s", PQerrorMessage(c));
	return c;
}

static int setup(void **state)
{
	(void)state;
	conn = test_migrate_connect();
	admin = admin_connect();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
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

static int run_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run_status(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	struct run_result r;
	int st;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	r = run_cmd("%s", cmd);
	st = r.status;
	if (st == 2 || st == 4)
		assert_non_null(strstr(r.err, "boxoffice: "));
	run_free(&r);
	return st;
}

/* Selling one at a time through a threshold of 3 and out: one low-stock
 * and one sold-out alert, each fired once. */
static void test_low_stock_and_sold_out(void **state)
{
	long long ev = make_event(unique_name("Alerts"), "2027-05-01", 0), ty = make_type(ev, "Std", 6, 1000, 1);
	json_t *doc;
	(void)state;

	assert_int_equal(run_status("$BOXOFFICE alert set --event %lld --type %lld --low-stock 3", ev, ty), 0);
	for (int i = 0; i < 6; i++)
		assert_int_equal(run_status("$BOXOFFICE sell --event %lld --type %lld --qty 1", ev, ty), 0);
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE type_id = %lld AND kind = 'low_stock'", ty), 1);
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE type_id = %lld AND kind = 'sold_out'", ty), 1);
	assert_int_equal(scalar("SELECT sum(count) FROM alert WHERE type_id = %lld", ty), 2);
	/* the message says how many are left when it crossed */
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE type_id = %lld AND message LIKE '%%3 left'", ty), 1);
	doc = cli_json("$BOXOFFICE alert list --open --json");
	assert_true(json_array_size(doc) >= 2);
	json_decref(doc);
	doc = cli_json("$BOXOFFICE alert settings --event %lld --json", ev);
	assert_int_equal(json_array_size(doc), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(doc, 0), "low_stock")), 3);
	json_decref(doc);
}

/* Ten processes crossing the same rule at once: one alert, count ten. */
static void test_ten_concurrent_crossings_one_alert(void **state)
{
	long long ev = make_event(unique_name("Burst"), "2027-05-02", 0);
	struct run_result r;
	(void)state;

	assert_int_equal(run_status("$BOXOFFICE alert set --event %lld --reject-burst 1", ev), 0);
	/* ten refusals at once, as the checkin_reject trigger makes them (the
	 * rule itself is the owner's since 051) */
	r = run_cmd("for i in 1 2 3 4 5 6 7 8 9 10; do "
		    "psql -d '%s' -qAt -c \"SELECT alert_gate_reject(%lld, 'north')\" >/dev/null & done; wait",
		    admin_conninfo(getenv("PGDATABASE")), ev);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE event_id = %lld AND kind = 'gate_rejects'", ev), 1);
	assert_int_equal(scalar("SELECT count FROM alert WHERE event_id = %lld AND kind = 'gate_rejects'", ev), 10);

	/* holds: a burst over the setting raises one alert for the type */
	{
		long long ty = make_type(ev, "Hot", 100, 1000, 1);
		assert_int_equal(run_status("$BOXOFFICE alert set --event %lld --hold-burst 3", ev), 0);
		r = run_cmd("for i in 1 2 3 4 5 6 7 8 9 10; do "
			    "$BOXOFFICE hold --event %lld --type %lld --qty 1 --ttl 60 >/dev/null & done; wait", ev, ty);
		run_free(&r);
		assert_int_equal(scalar("SELECT count(*) FROM hold WHERE type_id = %lld", ty), 10);
		assert_int_equal(scalar("SELECT count(*) FROM alert WHERE type_id = %lld AND kind = 'hold_burst'", ty), 1);
		assert_int_equal(scalar("SELECT count FROM alert WHERE type_id = %lld AND kind = 'hold_burst'", ty), 7);
	}
}

static int notifications(PGconn *c)
{
	PGnotify *n;
	int count = 0;
	PQconsumeInput(c);
	while ((n = PQnotifies(c))) {
		if (strcmp(n->relname, "boxoffice_alert") == 0)
			count++;
		PQfreemem(n);
	}
	return count;
}

/* Repeats bump the count but are announced once a minute. */
static void test_rate_limit(void **state)
{
	long long ev = make_event(unique_name("Rate"), "2027-05-03", 0);
	PGconn *listener = test_connect();
	char sql[200];
	(void)state;

	PQclear(test_query(listener, "LISTEN boxoffice_alert", 0, NULL));
	assert_int_equal(run_status("$BOXOFFICE alert set --event %lld --reject-burst 1", ev), 0);
	snprintf(sql, sizeof sql, "SELECT alert_gate_reject(%lld, 'south')", ev);
	for (int i = 0; i < 5; i++)
		PQclear(test_query(admin, sql, 0, NULL));
	assert_int_equal(scalar("SELECT count FROM alert WHERE event_id = %lld", ev), 5);
	assert_int_equal(scalar("SELECT notices FROM alert WHERE event_id = %lld", ev), 1);
	usleep(200000);
	assert_int_equal(notifications(listener), 1);
	/* a minute later (the clock moved by SQL, not by sleeping) */
	PQclear(test_query(admin, "UPDATE alert SET noticed_at = noticed_at - interval '61 seconds' "
				  "WHERE kind = 'gate_rejects' AND gate = 'south'", 0, NULL));
	PQclear(test_query(admin, sql, 0, NULL));
	PQclear(test_query(admin, sql, 0, NULL));
	assert_int_equal(scalar("SELECT notices FROM alert WHERE event_id = %lld", ev), 2);
	usleep(200000);
	assert_int_equal(notifications(listener), 1);
	PQfinish(listener);
}

/* Real refusals at a gate (a ticket scanned again after it is in) raise
 * the gate_rejects alert once the burst is reached, once (db/049). */
static void test_gate_rejects_from_real_scans(void **state)
{
	long long ev = make_event(unique_name("Rejects"), "2027-05-04", 0);
	json_t *orders;
	char token[512];
	struct run_result r;
	long long order;
	(void)state;

	make_type(ev, "Std", 10, 1000, 1);
	assert_int_equal(run_status("$BOXOFFICE alert set --event %lld --reject-burst 3", ev), 0);
	assert_int_equal(run_status("$BOXOFFICE sell --event %lld --type Std --qty 1 --payment card", ev), 0);
	orders = cli_json("$BOXOFFICE order list --event %lld --json", ev);
	order = (long long)json_integer_value(json_object_get(json_array_get(orders, 0), "id"));
	order_ticket(order, 0, token, sizeof token);
	/* in once, then refused twice: below the burst, no alert */
	r = run_cmd("printf '%%s\\n' '%s' '%s' '%s' | $BOXOFFICE checkin --gate west --event %lld", token, token, token, ev);
	run_free(&r);
	assert_int_equal(scalar("SELECT count(*) FROM checkin_reject WHERE event_id = %lld AND gate = 'west'", ev), 2);
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE event_id = %lld AND kind = 'gate_rejects'", ev), 0);
	/* the third refusal in the minute raises it, the fourth bumps it */
	r = run_cmd("printf '%%s\\n' '%s' '%s' | $BOXOFFICE checkin --gate west --event %lld", token, token, ev);
	run_free(&r);
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE event_id = %lld AND kind = 'gate_rejects' "
				"AND gate = 'west' AND acknowledged_at IS NULL", ev), 1);
	assert_int_equal(scalar("SELECT count FROM alert WHERE event_id = %lld AND kind = 'gate_rejects'", ev), 2);
	json_decref(orders);
}

/* Alerts are best-effort (db/051): an error on the alert side leaves the
 * sale that crossed the rule done; and a gate login can no longer raise
 * gate alerts by calling the rule itself. */
static void test_alert_errors_never_abort_a_sale(void **state)
{
	long long ev = make_event(unique_name("Boom"), "2027-05-05", 0), ty = make_type(ev, "Std", 4, 1000, 1);
	char sql[200];
	(void)state;

	PQclear(test_query(admin, "CREATE OR REPLACE FUNCTION test_alert_boom() RETURNS trigger LANGUAGE plpgsql AS "
				  "$$ BEGIN RAISE EXCEPTION 'alert side broken'; END $$",
			   0, NULL));
	PQclear(test_query(admin, "CREATE TRIGGER test_alert_boom BEFORE INSERT ON alert "
				  "FOR EACH ROW EXECUTE FUNCTION test_alert_boom()",
			   0, NULL));
	assert_int_equal(run_status("$BOXOFFICE alert set --event %lld --type %lld --low-stock 2", ev, ty), 0);
	/* 4 → 2 crosses low stock, 2 → 0 sells out: both raise, both fail */
	assert_int_equal(run_status("$BOXOFFICE sell --event %lld --type %lld --qty 2", ev, ty), 0);
	assert_int_equal(run_status("$BOXOFFICE sell --event %lld --type %lld --qty 2", ev, ty), 0);
	PQclear(test_query(admin, "DROP TRIGGER test_alert_boom ON alert", 0, NULL));
	assert_int_equal(scalar("SELECT sold FROM ticket_type WHERE id = %lld", ty), 4);
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE type_id = %lld", ty), 0);
	/* the station's own login (a gate may scan) cannot call the rule */
	snprintf(sql, sizeof sql, "SELECT alert_gate_reject(%lld, 'forged')", ev);
	{
		char login[40], ci[80];
		PGconn *gate;
		snprintf(login, sizeof login, "alertgate_%d", (int)getpid());
		assert_int_equal(run_status("$BOXOFFICE user add %s --role gate", login), 0);
		snprintf(ci, sizeof ci, "user=%s", login);
		gate = PQconnectdb(ci);
		assert_int_equal(PQstatus(gate), CONNECTION_OK);
		assert_string_equal(test_fails(gate, sql, 0, NULL), "42501");
		PQfinish(gate);
	}
}

/* Acknowledged: gone from the open list, recorded who and where; a repeat
 * opens a new alert; acknowledging twice or a missing one is refused. */
static void test_ack_silences(void **state)
{
	long long ev = make_event(unique_name("Ack"), "2027-05-04", 0), id, id2;
	char sql[200];
	json_t *doc;
	(void)state;

	assert_int_equal(run_status("$BOXOFFICE alert set --event %lld --reject-burst 1", ev), 0);
	snprintf(sql, sizeof sql, "SELECT alert_gate_reject(%lld, 'west')", ev);
	PQclear(test_query(admin, sql, 0, NULL));
	id = scalar("SELECT id FROM alert WHERE event_id = %lld", ev);
	doc = cli_json("$BOXOFFICE --station desk-7 alert ack %lld --json", id);
	assert_string_equal(json_string_value(json_object_get(doc, "acknowledged_station")), "desk-7");
	assert_string_equal(json_string_value(json_object_get(doc, "acknowledged_by")), getenv("PGUSER"));
	json_decref(doc);
	doc = cli_json("$BOXOFFICE alert list --open --json");
	for (size_t i = 0; i < json_array_size(doc); i++)
		assert_true(json_integer_value(json_object_get(json_array_get(doc, i), "id")) != id);
	json_decref(doc);
	assert_int_equal(run_status("$BOXOFFICE alert ack %lld", id), 1);
	assert_int_equal(run_status("$BOXOFFICE alert ack 987654321"), 1);
	assert_int_equal(run_status("$BOXOFFICE alert ack nope"), 2);
	PQclear(test_query(admin, sql, 0, NULL));
	id2 = scalar("SELECT id FROM alert WHERE event_id = %lld AND acknowledged_at IS NULL", ev);
	assert_true(id2 != id);
	assert_int_equal(scalar("SELECT count FROM alert WHERE id = %lld", id2), 1);
}

/* Thresholds refuse what makes no sense, at the CLI and in the database. */
static void test_settings_refuse_bad_input(void **state)
{
	long long ev = make_event(unique_name("Bad"), "2027-05-05", 0);
	(void)state;

	assert_int_equal(run_status("$BOXOFFICE alert set --event %lld --low-stock -1", ev), 2);
	assert_int_equal(run_status("$BOXOFFICE alert set --event %lld --hold-burst 0", ev), 2);
	assert_int_equal(run_status("$BOXOFFICE alert set --event %lld --silent-minutes -5", ev), 2);
	assert_int_equal(run_status("$BOXOFFICE alert set --low-stock 5"), 2);
	assert_int_equal(run_status("$BOXOFFICE alert set --event 'No such event here' --low-stock 5"), 1);
	assert_string_equal(test_fails(conn, "SELECT alert_setting_set((SELECT max(id) FROM event), NULL, -7, NULL, "
					     "NULL, NULL, NULL)", 0, NULL), "22023");
	assert_int_equal(scalar("SELECT count(*) FROM alert_setting WHERE event_id = %lld", ev), 0);
}

/* A clerk may neither acknowledge nor change thresholds (exit 4). */
static void test_clerk_may_not_ack_or_set(void **state)
{
	char login[40];
	long long ev = make_event(unique_name("Clerk"), "2027-05-06", 0), id;
	char sql[200];
	(void)state;

	snprintf(login, sizeof login, "alertclerk_%d", (int)getpid());
	assert_int_equal(run_status("$BOXOFFICE user add %s --role clerk", login), 0);
	assert_int_equal(run_status("$BOXOFFICE alert set --event %lld --reject-burst 1", ev), 0);
	snprintf(sql, sizeof sql, "SELECT alert_gate_reject(%lld, 'east')", ev);
	PQclear(test_query(admin, sql, 0, NULL));
	id = scalar("SELECT id FROM alert WHERE event_id = %lld", ev);
	assert_int_equal(run_status("$BOXOFFICE -d 'user=%s' alert ack %lld", login, id), 4);
	assert_int_equal(run_status("$BOXOFFICE -d 'user=%s' alert set --event %lld --low-stock 4", login, ev), 4);
	assert_int_equal(run_status("$BOXOFFICE -d 'user=%s' alert list", login), 4);
	assert_int_equal(scalar("SELECT count(*) FROM alert WHERE id = %lld AND acknowledged_at IS NULL", id), 1);
}

/* Offline conflicts and a channel's dead letter raise alerts too. */
static void test_conflicts_and_dead_letters(void **state)
{
	(void)state;
	PQclear(test_query(admin, "INSERT INTO checkin_conflict (token, gate, scanned_at, offline_verdict, reason) "
				  "VALUES ('t', 'gate-x', now(), 'admit', 'admitted at two gates'), "
				  "('u', 'gate-x', now(), 'admit', 'admitted at two gates')", 0, NULL));
	assert_int_equal(scalar("SELECT count FROM alert WHERE kind = 'offline_conflicts' AND gate = 'gate-x' "
				"AND acknowledged_at IS NULL"), 2);
}

/* ---- the station ---- */

struct bus {
	char address[512];
	pid_t daemon, mock;
	char log[256];
};

static void bus_start(struct bus *b, bool with_mock)
{
	struct run_result r;
	char dir[200];
	memset(b, 0, sizeof *b);
	snprintf(dir, sizeof dir, "%s", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp");
	r = run_cmd("dbus-daemon --session --fork --print-address=1 --print-pid=1");
	assert_int_equal(r.status, 0);
	if (sscanf(r.out, "%511s %d", b->address, &b->daemon) != 2)
		fail_msg("dbus-daemon said: %s", r.out);
	run_free(&r);
	if (!with_mock)
		return;
	snprintf(b->log, sizeof b->log, "%s/dbusmock-%d-%d.log", dir, (int)getpid(), rand());
	b->mock = fork();
	assert_true(b->mock >= 0);
	if (b->mock == 0) {
		setenv("DBUS_SESSION_BUS_ADDRESS", b->address, 1);
		execlp("/usr/bin/python3", "python3", "-m", "dbusmock", "--template", "notification_daemon", "--logfile",
		       b->log, (char *)NULL);
		_exit(127);
	}
	r = run_cmd("for i in $(seq 100); do DBUS_SESSION_BUS_ADDRESS='%s' gdbus call --session "
		    "--dest org.freedesktop.DBus --object-path /org/freedesktop/DBus "
		    "--method org.freedesktop.DBus.NameHasOwner org.freedesktop.Notifications 2>/dev/null "
		    "| grep -q true && exit 0; sleep 0.1; done; exit 1",
		    b->address);
	assert_int_equal(r.status, 0);
	run_free(&r);
}

static void bus_stop(struct bus *b)
{
	if (b->mock > 0) {
		kill(b->mock, SIGCONT);
		kill(b->mock, SIGTERM);
		waitpid(b->mock, NULL, 0);
	}
	if (b->daemon > 0)
		kill(b->daemon, SIGTERM);
}

/* Notify calls in the mock's log that opened a notification (replaces_id
 * 0) with summary in them. dbusmock logs: TIME Notify "app" 0 "" "summary" … */
static int new_notifications(const char *log, const char *summary)
{
	struct run_result r = run_cmd("grep -c 'Notify \"[^\"]*\" 0 \"[^\"]*\" \"%s\"' '%s'", summary, log);
	int n = atoi(r.out);
	run_free(&r);
	return n;
}

static int all_notify_calls(const char *log)
{
	struct run_result r = run_cmd("grep -c ' Notify ' '%s'", log);
	int n = atoi(r.out);
	run_free(&r);
	return n;
}

static void station(struct tmux *t, const char *session, const char *bus, const char *args)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "DBUS_SESSION_BUS_ADDRESS='%s' $BOXOFFICE --station %s %s; echo EXITED rc=$?; sleep 30",
		 bus, session, args);
	memset(t, 0, sizeof *t);
	tmux_start(t, session, 100, 24, cmd);
}

static void start_second(struct tmux *a, struct tmux *b, const char *session, const char *bus, const char *args)
{
	char line[1600];
	*b = *a;
	snprintf(b->session, sizeof b->session, "%s", session);
	snprintf(line, sizeof line,
		 "tmux -L %s new-session -d -s %s -x 100 -y 24 \"env LANG=C.UTF-8 LSAN_OPTIONS=detect_leaks=0 "
		 "DBUS_SESSION_BUS_ADDRESS='%s' sh -c '$BOXOFFICE --station %s %s; sleep 30'\"",
		 a->socket, session, bus, session, args);
	assert_int_equal(system(line), 0);
}

/* Sold down through the threshold and out by other processes: one
 * low-stock and one sold-out notification on the desktop, no more. */
static void test_desktop_notifications(void **state)
{
	long long ev = make_event(unique_name("Desk"), "2027-05-07", 0), ty = make_type(ev, "Floor", 5, 1000, 1);
	struct bus b;
	struct tmux t;
	char args[200], title[200];
	bool low = false, out = false;
	(void)state;

	/* other tests' open alerts would be notified too: close them */
	PQclear(test_query(admin, "UPDATE alert SET acknowledged_at = now(), acknowledged_by = 'test' "
				  "WHERE acknowledged_at IS NULL", 0, NULL));
	bus_start(&b, true);
	assert_int_equal(run_status("$BOXOFFICE alert set --event %lld --type %lld --low-stock 2", ev, ty), 0);
	snprintf(args, sizeof args, "--screen alerts --event %lld", ev);
	station(&t, "desk", b.address, args);
	assert_true(tmux_wait_for(&t, "ONLINE", 10000));
	assert_true(tmux_wait_for(&t, "LAST", 5000));
	for (int i = 0; i < 5; i++)
		assert_int_equal(run_status("$BOXOFFICE sell --event %lld --type %lld --qty 1", ev, ty), 0);
	for (int i = 0; i < 100 && !(low && out); i++) {
		low = new_notifications(b.log, "Low stock") >= 1;
		out = new_notifications(b.log, "Sold out") >= 1;
		usleep(100000);
	}
	assert_true(low);
	assert_true(out);
	/* the count grows: the same notification is replaced, not another */
	assert_true(tmux_wait_for(&t, "Sold out", 5000));
	usleep(1500000);
	assert_int_equal(new_notifications(b.log, "Low stock"), 1);
	assert_int_equal(new_notifications(b.log, "Sold out"), 1);
	assert_int_equal(all_notify_calls(b.log), 2);
	snprintf(title, sizeof title, "Sold out");
	(void)title;
	tmux_stop(&t);
	bus_stop(&b);
	unlink(b.log);
}

/* Notify calls that replaced an earlier notification (replaces_id not 0)
 * with summary in them. */
static int replaced_notifications(const char *log, const char *summary)
{
	struct run_result r = run_cmd("grep -c 'Notify \"[^\"]*\" [1-9][0-9]* \"[^\"]*\" \"%s\"' '%s'", summary, log);
	int n = atoi(r.out);
	run_free(&r);
	return n;
}

/* An alert that fires again after its minute of quiet: the desktop's
 * notification is replaced with the new count, never a second one. */
static void test_notification_replaced_as_count_grows(void **state)
{
	long long ev = make_event(unique_name("Grow"), "2027-05-10", 0), id;
	struct bus b;
	struct tmux t;
	char args[200], sql[200];
	struct run_result r;
	(void)state;

	PQclear(test_query(admin, "UPDATE alert SET acknowledged_at = now(), acknowledged_by = 'test' "
				  "WHERE acknowledged_at IS NULL", 0, NULL));
	bus_start(&b, true);
	assert_int_equal(run_status("$BOXOFFICE alert set --event %lld --reject-burst 1", ev), 0);
	snprintf(args, sizeof args, "--screen alerts --event %lld", ev);
	station(&t, "grow", b.address, args);
	assert_true(tmux_wait_for(&t, "ONLINE", 10000));
	assert_true(tmux_wait_for(&t, "LAST", 5000));
	snprintf(sql, sizeof sql, "SELECT alert_gate_reject(%lld, 'north')", ev);
	PQclear(test_query(admin, sql, 0, NULL));
	for (int i = 0; i < 100 && new_notifications(b.log, "Gate rejects") < 1; i++)
		usleep(100000);
	assert_int_equal(new_notifications(b.log, "Gate rejects"), 1);
	id = scalar("SELECT id FROM alert WHERE event_id = %lld AND acknowledged_at IS NULL", ev);
	/* a minute has passed since it was announced: the next reject announces
	 * the alert again, with its count */
	PQclear(test_query(admin, "UPDATE alert SET noticed_at = now() - interval '2 minutes' "
				  "WHERE acknowledged_at IS NULL AND kind = 'gate_rejects'", 0, NULL));
	PQclear(test_query(admin, sql, 0, NULL));
	assert_int_equal(scalar("SELECT count FROM alert WHERE id = %lld", id), 2);
	for (int i = 0; i < 100 && replaced_notifications(b.log, "Gate rejects") < 1; i++)
		usleep(100000);
	assert_int_equal(replaced_notifications(b.log, "Gate rejects"), 1);
	assert_int_equal(new_notifications(b.log, "Gate rejects"), 1);
	r = run_cmd("grep 'Notify .*Gate rejects' '%s' | tail -1", b.log);
	assert_non_null(strstr(r.out, "(×2)"));
	run_free(&r);
	assert_true(tmux_wait_for(&t, "Gate rejects", 3000));
	tmux_stop(&t);
	bus_stop(&b);
	unlink(b.log);
}

/* The thresholds screen at 80x24, opened from the dashboard: the type is
 * chosen by name, the key bar says what Enter does, a bad value is refused
 * in words and the form keeps it, a good one reaches the database. */
static void test_thresholds_screen_at_80x24(void **state)
{
	long long ev = make_event(unique_name("Form"), "2027-05-11", 0), balcony, floor_type;
	struct tmux t;
	char cmd[400], *screen;
	(void)state;

	floor_type = make_type(ev, "Floor", 50, 1000, 1);
	balcony = make_type(ev, "Balcony", 30, 1000, 1);
	assert_int_equal(run_status("$BOXOFFICE alert set --event %lld --type %lld --hold-burst 9", ev, floor_type), 0);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station form --screen dashboard --event %lld; echo EXITED rc=$?; sleep 30",
		 ev);
	memset(&t, 0, sizeof t);
	tmux_start(&t, "thresholds", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "ONLINE", 10000));
	tmux_type(&t, "t");
	assert_true(tmux_wait_for(&t, "Whole event (its default)", 5000));
	screen = tmux_capture(&t);
	assert_non_null(strstr(screen, "Alert thresholds of"));
	assert_non_null(strstr(screen, "Enter"));
	assert_null(strstr(screen, "Type ID"));
	assert_null(strstr(screen, "Ack")); /* the log's keys are not this screen's */
	free(screen);
	/* types by name: Balcony first, then Floor with its own hold burst */
	tmux_keys(&t, "Right");
	assert_true(tmux_wait_for(&t, "Balcony", 2000));
	tmux_keys(&t, "Right");
	assert_true(tmux_wait_for(&t, "Floor", 2000));
	screen = tmux_capture(&t);
	assert_non_null(strstr(screen, "Holds a minute"));
	assert_int_equal(strtol(strstr(screen, "Holds a minute") + strlen("Holds a minute"), NULL, 10), 9);
	free(screen);
	tmux_keys(&t, "Left");
	assert_true(tmux_wait_for(&t, "Balcony", 2000));
	/* holds a minute 0: refused, nothing stored */
	tmux_keys(&t, "Tab");
	tmux_keys(&t, "Tab");
	for (int i = 0; i < 6; i++)
		tmux_keys(&t, "BSpace");
	tmux_type(&t, "0");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Not saved", 5000));
	assert_int_equal(scalar("SELECT count(*) FROM alert_setting WHERE type_id = %lld", balcony), 0);
	/* low stock 7 and holds 12 for Balcony */
	tmux_keys(&t, "BSpace");
	tmux_type(&t, "12");
	tmux_keys(&t, "Up");
	for (int i = 0; i < 6; i++)
		tmux_keys(&t, "BSpace");
	tmux_type(&t, "7");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Saved: Balcony", 5000));
	assert_int_equal(scalar("SELECT low_stock FROM alert_setting WHERE type_id = %lld", balcony), 7);
	assert_int_equal(scalar("SELECT hold_burst FROM alert_setting WHERE type_id = %lld", balcony), 12);
	assert_int_equal(scalar("SELECT hold_burst FROM alert_setting WHERE type_id = %lld", floor_type), 9);
	/* Esc while a save waits on another session's lock does not cancel
	 * it: the screen says so and stays until the answer */
	{
		PGconn *holder = test_connect();
		char sql[160];
		snprintf(sql, sizeof sql, "SELECT 1 FROM alert_setting WHERE type_id = %lld FOR UPDATE", balcony);
		PQclear(PQexec(holder, "BEGIN"));
		PQclear(PQexec(holder, sql));
		tmux_keys(&t, "BSpace");
		tmux_type(&t, "8");
		tmux_keys(&t, "Enter");
		assert_true(tmux_wait_for(&t, "saving…", 2000));
		tmux_keys(&t, "Escape");
		assert_true(tmux_wait_for(&t, "still saving — wait for the answer", 2000));
		PQclear(PQexec(holder, "COMMIT"));
		PQfinish(holder);
		assert_true(tmux_wait_for(&t, "Saved: Balcony", 5000));
		assert_int_equal(scalar("SELECT low_stock FROM alert_setting WHERE type_id = %lld", balcony), 8);
	}
	/* a change not saved is asked about before Esc loses it */
	tmux_keys(&t, "BSpace");
	tmux_type(&t, "9");
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Discard the changes? y/n", 3000));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_gone(&t, "Discard the changes?", 3000));
	assert_true(tmux_wait_for(&t, "Alert thresholds of", 1000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Discard the changes? y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_gone(&t, "Alert thresholds of", 3000));
	assert_int_equal(scalar("SELECT low_stock FROM alert_setting WHERE type_id = %lld", balcony), 8);
	tmux_stop(&t);
}

/* A notification service that takes the call and never answers (its
 * process stopped): the station still answers keys at once. */
static void test_hung_daemon_leaves_station_answering(void **state)
{
	long long ev = make_event(unique_name("Hung"), "2027-05-08", 0), ty = make_type(ev, "Box", 2, 1000, 1);
	struct bus b;
	struct tmux t;
	char args[200];
	(void)state;

	bus_start(&b, true);
	assert_int_equal(kill(b.mock, SIGSTOP), 0);
	snprintf(args, sizeof args, "--screen alerts --event %lld", ev);
	station(&t, "hung", b.address, args);
	assert_true(tmux_wait_for(&t, "ONLINE", 10000));
	assert_true(tmux_wait_for(&t, "LAST", 5000));
	assert_int_equal(run_status("$BOXOFFICE sell --event %lld --type %lld --qty 2", ev, ty), 0);
	/* the alert reaches the screen (the notifier is now stuck on the bus) */
	assert_true(tmux_wait_for(&t, "Sold out", 5000));
	usleep(500000);
	assert_int_equal(run_status("$BOXOFFICE sell --event %lld --type %lld --qty 1 2>/dev/null", ev, ty), 1);
	for (int i = 0; i < 3; i++) {
		tmux_type(&t, "t");
		assert_true(tmux_wait_for(&t, "Alert thresholds of", 2000));
		tmux_keys(&t, "Escape");
		assert_true(tmux_wait_gone(&t, "Alert thresholds of", 2000));
	}
	assert_int_equal(all_notify_calls(b.log), 0);
	tmux_keys(&t, "F10");
	tmux_type(&t, "y");
	assert_true(tmux_wait_for(&t, "EXITED rc=0", 3000));
	tmux_stop(&t);
	bus_stop(&b);
	unlink(b.log);
}

/* Two supervisor stations show the alert in their banner; acknowledged on
 * one, it leaves the other's. */
static void test_ack_clears_other_station_banner(void **state)
{
	long long ev = make_event(unique_name("Banner"), "2027-05-09", 0), ty = make_type(ev, "Pit", 1, 1000, 1);
	struct tmux a, b;
	char args[200], want[200], *screen;
	(void)state;

	/* other tests' alerts stay out of the way */
	PQclear(test_query(admin, "UPDATE alert SET acknowledged_at = now(), acknowledged_by = 'test' "
				  "WHERE acknowledged_at IS NULL", 0, NULL));
	snprintf(args, sizeof args, "--screen alerts --event %lld", ev);
	station(&a, "sup-a", "", args);
	start_second(&a, &b, "sup-b", "", "");
	assert_true(tmux_wait_for(&a, "ONLINE", 10000));
	assert_true(tmux_wait_for(&b, "ONLINE", 10000));
	assert_int_equal(run_status("$BOXOFFICE sell --event %lld --type %lld --qty 1", ev, ty), 0);
	snprintf(want, sizeof want, "ALERT: Sold out");
	/* the banner comes once the status line's "connected" note is gone */
	assert_true(tmux_wait_for(&b, want, 15000));
	assert_true(tmux_wait_for(&a, "Pit · ", 5000)); /* the type first in WHAT */
	/* asked first: any key but y leaves it open everywhere */
	tmux_type(&a, "a");
	assert_true(tmux_wait_for(&a, "on every station? y", 3000));
	tmux_type(&a, "n");
	assert_true(tmux_wait_for(&a, "not acknowledged", 3000));
	assert_true(tmux_wait_for(&b, want, 1000));
	tmux_type(&a, "a");
	assert_true(tmux_wait_for(&a, "on every station? y", 3000));
	tmux_type(&a, "y");
	assert_true(tmux_wait_for(&a, "acknowledged", 3000));
	assert_true(tmux_wait_gone(&b, want, 3000));
	screen = tmux_capture(&a);
	assert_non_null(strstr(screen, "@sup-a"));
	free(screen);
	tmux_stop(&a);
	tmux_stop(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_low_stock_and_sold_out),
		cmocka_unit_test(test_ten_concurrent_crossings_one_alert),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_gate_rejects_from_real_scans),
		cmocka_unit_test(test_alert_errors_never_abort_a_sale),
		cmocka_unit_test(test_ack_silences),
		cmocka_unit_test(test_settings_refuse_bad_input),
		cmocka_unit_test(test_clerk_may_not_ack_or_set),
		cmocka_unit_test(test_conflicts_and_dead_letters),
		cmocka_unit_test(test_desktop_notifications),
		cmocka_unit_test(test_hung_daemon_leaves_station_answering),
		cmocka_unit_test(test_ack_clears_other_station_banner),
		cmocka_unit_test(test_notification_replaced_as_count_grows),
		cmocka_unit_test(test_thresholds_screen_at_80x24),
	};
	if (getenv("ALERT_TEST") && *getenv("ALERT_TEST"))
		cmocka_set_test_filter(getenv("ALERT_TEST"));
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests_name("alerts", tests, setup, teardown);
}

/* A hostile gate login (issue 14): what the functions granted to gates let
 * it do when it calls them through libpq with arguments no door sends.
 * An online scan is decided at the server's time and never claims to be
 * offline; every overload of checkin_upload holds an upload to 025's rules
 * (a scan is never later than its upload; a gate whose clock runs ahead is
 * a conflict for supervisors). */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static PGconn *conn;  /* the supervisor login of make test, for set-up via the CLI */
static PGconn *admin; /* the superuser, for checks */
static PGconn *gate;  /* the attacker */
static long long event_id, list_later, list_booth;
static char gate_login[40];

static PGconn *login(const char *name)
{
	char conninfo[128];
	PGconn *c;

	snprintf(conninfo, sizeof conninfo, "user=%s application_name=attacker", name);
	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("cannot log in as %s: %s", name, PQerrorMessage(c));
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	return c;
}

/* A settled order of one ticket: the ticket. */
static long long sell_ticket(void)
{
	json_t *doc = cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment card", event_id);
	long long order = json_integer_value(json_object_get(doc, "id"));
	char o[24];
	const char *p[1] = { o };

	json_decref(doc);
	json_decref(cli_json("$BOXOFFICE ticket list --order %lld --json", order));
	snprintf(o, sizeof o, "%lld", order);
	return test_scalar(admin, "SELECT min(id) FROM ticket WHERE order_id = $1", 1, p);
}

static long long scalar(const char *fmt, long long a)
{
	char sql[512];
	snprintf(sql, sizeof sql, fmt, a);
	return test_scalar(admin, sql, 0, NULL);
}

/* Runs SQL as the gate; returns the JSON text of the first cell, or "ERROR
 * <state>". */
static char *as_gate(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *as_gate(const char *fmt, ...)
{
	static char out[1024];
	char sql[1024];
	va_list ap;
	PGresult *res;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof sql, fmt, ap);
	va_end(ap);
	res = PQexec(gate, sql);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		snprintf(out, sizeof out, "%s", PQgetvalue(res, 0, 0));
	else
		snprintf(out, sizeof out, "ERROR %s", PQresultErrorField(res, PG_DIAG_SQLSTATE));
	PQclear(res);
	return out;
}

static int setup(void **state)
{
	struct run_result r;
	json_t *doc;
	(void)state;

	conn = test_migrate_connect();
	admin = PQconnectdb(admin_conninfo(PQdb(conn)));
	assert_int_equal(PQstatus(admin), CONNECTION_OK);
	event_id = make_event(unique_name("Attack"), "2027-04-01", 0);
	make_type(event_id, "Adult", 100, 1000, 1);
	/* a list whose only window opens tomorrow, and one into a full booth */
	doc = cli_json("$BOXOFFICE list add --event %lld --name later --json "
		       "--from \"$(date -u -d '+1 day' '+%%Y-%%m-%%d %%H:%%M')\" "
		       "--to \"$(date -u -d '+4 days' '+%%Y-%%m-%%d %%H:%%M')\"",
		       event_id);
	list_later = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	json_decref(cli_json("$BOXOFFICE area add --event %lld --name Booth --capacity 1", event_id));
	doc = cli_json("$BOXOFFICE list add --event %lld --name booth --area Booth --json", event_id);
	list_booth = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	assert_true(list_later > 0 && list_booth > 0);
	snprintf(gate_login, sizeof gate_login, "gate_attack_%d", (int)getpid());
	r = run_cmd("$BOXOFFICE user add %s --role gate", gate_login);
	if (r.status != 0)
		fail_msg("user add: %d %s", r.status, r.err);
	run_free(&r);
	gate = login(gate_login);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(gate);
	PQfinish(admin);
	PQfinish(conn);
	return 0;
}

/* The door sends NULL for the time: an online scan is now. A gate that
 * sends tomorrow gets through a list that opens tomorrow, recorded online
 * at tomorrow's time, with nothing for a supervisor to see. */
static void test_online_scan_is_decided_at_the_servers_time(void **state)
{
	long long t1 = sell_ticket(), t2 = sell_ticket();
	char *r;
	(void)state;

	r = as_gate("SELECT checkin_scan(%lld, %lld, 1, 'door', NULL, false, gen_random_uuid(), "
		    "ARRAY[%lld]::bigint[], NULL, 0)", t1, event_id, list_later);
	assert_non_null(strstr(r, "\"reject\""));
	assert_non_null(strstr(r, "valid from"));
	/* the wide overload, and the oldest one (no lists: the whole event, a day ahead) */
	r = as_gate("SELECT checkin_scan(%lld, %lld, 1, 'door', now() + interval '50 hours', false, "
		    "gen_random_uuid(), ARRAY[%lld]::bigint[], NULL)", t1, event_id, list_later);
	assert_null(strstr(r, "\"admit\""));
	r = as_gate("SELECT checkin_scan(%lld, %lld, 1, 'door', now() + interval '25 hours', false)", t2, event_id);
	assert_null(strstr(r, "\"admit\""));
	r = as_gate("SELECT checkin_scan(%lld, %lld, 1, 'door', now() - interval '3 days', false)", t2, event_id);
	assert_null(strstr(r, "\"admit\""));
	assert_int_equal(scalar("SELECT count(*) FROM checkin WHERE ticket_id = %lld", t1), 0);
	assert_int_equal(scalar("SELECT count(*) FROM checkin WHERE ticket_id = %lld", t2), 0);
	/* now() is now: what the benchmarks and older tests send */
	r = as_gate("SELECT checkin_scan(%lld, %lld, 1, 'door', now(), false)", t2, event_id);
	assert_non_null(strstr(r, "\"admit\""));
}

/* Offline, a door admits into a full area (the person is in already);
 * online only a supervisor's override does. An online call that says it
 * is offline must not be a gate's way past a full area. */
static void test_online_scan_cannot_claim_to_be_offline(void **state)
{
	long long t1 = sell_ticket(), t2 = sell_ticket();
	char *r;
	(void)state;

	r = as_gate("SELECT checkin_scan(%lld, %lld, 1, 'door', NULL, false, gen_random_uuid(), "
		    "ARRAY[%lld]::bigint[], NULL, 0)", t1, event_id, list_booth);
	assert_non_null(strstr(r, "\"admit\""));
	r = as_gate("SELECT checkin_scan(%lld, %lld, 1, 'door', NULL, false, gen_random_uuid(), "
		    "ARRAY[%lld]::bigint[], NULL, 0)", t2, event_id, list_booth);
	assert_non_null(strstr(r, "is full (1/1)"));
	r = as_gate("SELECT checkin_scan(%lld, %lld, 1, 'door', NULL, true, gen_random_uuid(), "
		    "ARRAY[%lld]::bigint[], NULL, 0)", t2, event_id, list_booth);
	assert_null(strstr(r, "\"admit\""));
	r = as_gate("SELECT checkin_scan(%lld, %lld, 1, 'door', NULL, true, gen_random_uuid(), "
		    "ARRAY[%lld]::bigint[], 'VIP')", t2, event_id, list_booth);
	assert_null(strstr(r, "\"admit\""));
	assert_int_equal(scalar("SELECT inside FROM area WHERE id = (SELECT area_id FROM checkin_list WHERE id = %lld)",
				list_booth), 1);
	assert_int_equal(scalar("SELECT count(*) FROM checkin WHERE ticket_id = %lld", t2), 0);
}

/* 025 holds an upload to the door's clock; the overloads from before it
 * (still granted to gates, and the ones older stations call) must too. */
static void test_every_upload_overload_keeps_the_clock_rules(void **state)
{
	long long t1 = sell_ticket(), t2 = sell_ticket(), t3 = sell_ticket();
	char *r;
	(void)state;

	/* 020's: tomorrow's time on tomorrow's list */
	r = as_gate("SELECT checkin_upload(%lld, %lld, 1, 'door', now() + interval '50 hours', 'tok', 'admit', "
		    "gen_random_uuid(), ARRAY[%lld]::bigint[])", t1, event_id, list_later);
	assert_null(strstr(r, "\"admit\""));
	assert_int_equal(scalar("SELECT count(*) FROM checkin WHERE ticket_id = %lld", t1), 0);
	assert_int_equal(scalar("SELECT count(*) FROM checkin_conflict WHERE ticket_id = %lld", t1), 1);
	/* 006's and 014's, event-wide, an hour ahead: stored at the server's
	 * time, and the clock is a conflict */
	r = as_gate("SELECT checkin_upload(%lld, %lld, 1, 'door', now() + interval '1 hour', 'tok', 'admit')", t2,
		    event_id);
	assert_non_null(strstr(r, "\"admit\""));
	r = as_gate("SELECT checkin_upload(%lld, %lld, 1, 'door', now() + interval '1 hour', 'tok', 'admit', "
		    "gen_random_uuid())", t3, event_id);
	assert_non_null(strstr(r, "\"admit\""));
	assert_int_equal(scalar("SELECT count(*) FROM checkin WHERE ticket_id = %lld AND at > now()", t2),
			 0);
	assert_int_equal(scalar("SELECT count(*) FROM checkin WHERE ticket_id = %lld AND at > now()", t3), 0);
	assert_int_equal(scalar("SELECT count(*) FROM checkin_conflict WHERE ticket_id = %lld AND reason LIKE '%%ahead%%'",
				t2),
			 1);
	assert_int_equal(scalar("SELECT count(*) FROM checkin_conflict WHERE ticket_id = %lld AND reason LIKE '%%ahead%%'",
				t3),
			 1);
}

/* A login a supervisor revoked keeps its name in station_login; a DBA may
 * drop the role and make another of that name for something else. user
 * add and user revoke must not take that role over (set its password,
 * grant it a boxoffice role, end its sessions). */
static void test_user_add_does_not_take_over_a_role_made_again(void **state)
{
	char name[48], other[48], sql[256];
	struct run_result r;
	const char *p[1] = { name };
	(void)state;

	snprintf(name, sizeof name, "reborn_%d", (int)getpid());
	snprintf(other, sizeof other, "reborn2_%d", (int)getpid());
	json_decref(cli_json("$BOXOFFICE user add %s --role gate", name));
	json_decref(cli_json("$BOXOFFICE user revoke %s", name));
	json_decref(cli_json("$BOXOFFICE user add %s --role gate", other));
	/* the DBA's new roles: another application's, with its own password */
	for (int i = 0; i < 2; i++) {
		const char *n = i ? other : name;
		snprintf(sql, sizeof sql, "DROP ROLE \"%s\"", n);
		PQclear(test_query(admin, sql, 0, NULL));
		snprintf(sql, sizeof sql, "CREATE ROLE \"%s\" LOGIN PASSWORD 'other-app'", n);
		PQclear(test_query(admin, sql, 0, NULL));
	}

	r = run_cmd("$BOXOFFICE user add %s --role supervisor", name);
	if (r.status != 1 || !strstr(r.err, "is not a boxoffice login"))
		fail_msg("user add over a role made again: exit %d, %s", r.status, r.err);
	run_free(&r);
	r = run_cmd("$BOXOFFICE user revoke %s", other);
	run_free(&r);
	p[0] = name;
	assert_int_equal(test_scalar(admin, "SELECT count(*) FROM pg_authid WHERE rolname = $1 AND rolcanlogin "
					    "AND rolpassword IS NOT NULL", 1, p), 1);
	assert_int_equal(test_scalar(admin, "SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member "
					    "WHERE r.rolname = $1", 1, p), 0);
	p[0] = other;
	assert_int_equal(test_scalar(admin, "SELECT count(*) FROM pg_authid WHERE rolname = $1 AND rolcanlogin "
					    "AND rolpassword IS NOT NULL", 1, p), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_online_scan_is_decided_at_the_servers_time),
		cmocka_unit_test(test_online_scan_cannot_claim_to_be_offline),
		cmocka_unit_test(test_every_upload_overload_keeps_the_clock_rules),
		cmocka_unit_test(test_user_add_does_not_take_over_a_role_made_again),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

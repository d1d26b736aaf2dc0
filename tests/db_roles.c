/* Roles in the database (db/026): a gate login, a clerk login and a
 * supervisor login, as a stolen laptop would use them — through the CLI and
 * through libpq directly (what psql does). What a role may not do fails
 * with a permission error and changes and reveals nothing; the change log
 * records the login whatever the client sends, and no station role can
 * change a row of it by any means. */
#include "helpers.h"
#include "tmux.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static PGconn *conn; /* the owner's, for set-up and checks */
static long long event_id, type_id, order_id;
static char event_name[64];

/* Station logins of this run (the test cluster trusts local sockets, so
 * a name is all a connection needs; what a login may do is the point). */
static char gate_login[40], clerk_login[40], api_login[40];

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

/* The SQLSTATE of a statement that must fail ("" if it did not). */
static const char *attempt(PGconn *c, const char *sql)
{
	static char state[6];
	PGresult *res = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(res);
	const char *s = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	state[0] = '\0';
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		snprintf(state, sizeof state, "%s", s ? s : "?????");
	PQclear(res);
	return state;
}

/* A login name unique in this run (unique_name's have spaces). */
static void login_name(char *out, size_t size, const char *prefix)
{
	static int counter;
	snprintf(out, size, "%s_%d_%d", prefix, (int)getpid(), ++counter);
}

static void add_login(char *out, size_t size, const char *prefix, const char *role)
{
	struct run_result r;

	login_name(out, size, prefix);
	r = run_cmd("$BOXOFFICE user add %s --role %s", out, role);
	if (r.status != 0)
		fail_msg("user add %s: %d %s", out, r.status, r.err);
	run_free(&r);
}

static int setup(void **state)
{
	json_t *doc;

	(void)state;
	conn = test_migrate_connect();
	snprintf(event_name, sizeof event_name, "%s", unique_name("Roles"));
	event_id = make_event(event_name, "2027-03-01", 0);
	type_id = make_type(event_id, "Adult", 100, 10000, 1);
	doc = cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 2 --payment card --company Acme", event_id);
	order_id = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	assert_true(order_id > 0);
	add_login(gate_login, sizeof gate_login, "gate", "gate");
	add_login(clerk_login, sizeof clerk_login, "clerk", "clerk");
	add_login(api_login, sizeof api_login, "api", "api");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

/* Every table's rows, hashed: "changes nothing" is this, equal before
 * and after. */
static char *database_fingerprint(void)
{
	PGresult *tables = test_query(conn,
				      "SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace "
				      "AND c.relkind = 'r' ORDER BY 1",
				      0, NULL);
	size_t size = 64 * (size_t)PQntuples(tables) + 1, used = 0;
	char *out = calloc(1, size);

	for (int i = 0; i < PQntuples(tables); i++) {
		char sql[256];
		PGresult *res;
		snprintf(sql, sizeof sql, "SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM %s t",
			 PQgetvalue(tables, i, 0));
		res = test_query(conn, sql, 0, NULL);
		used += (size_t)snprintf(out + used, size - used, "%.32s", PQgetvalue(res, 0, 0));
		PQclear(res);
	}
	PQclear(tables);
	return out;
}

static void expect_forbidden(const char *cmd, const char *needs)
{
	struct run_result r = run_cmd("%s", cmd);
	if (r.status != 4 || !strstr(r.err, needs) || r.out[0])
		fail_msg("'%s': exit %d (want 4), stderr '%s' (want '%s'), stdout '%s'", cmd, r.status, r.err, needs,
			 r.out);
	run_free(&r);
}

static void test_gate_cli_refused_and_nothing_changes(void **state)
{
	char *before, *after, cmd[512];
	(void)state;

	before = database_fingerprint();
	snprintf(cmd, sizeof cmd, "$BOXOFFICE -d 'user=%s' sell --event %lld --type Adult --qty 1", gate_login,
		 event_id);
	expect_forbidden(cmd, "needs the clerk role");
	snprintf(cmd, sizeof cmd, "$BOXOFFICE -d 'user=%s' order refund %lld", gate_login, order_id);
	expect_forbidden(cmd, "role");
	snprintf(cmd, sizeof cmd, "$BOXOFFICE -d 'user=%s' capacity --event %lld --type Adult --capacity 5 --reason x",
		 gate_login, event_id);
	expect_forbidden(cmd, "needs the supervisor role");
	snprintf(cmd, sizeof cmd, "$BOXOFFICE -d 'user=%s' adjust --event %lld --type Adult --delta 3 --reason x",
		 gate_login, event_id);
	expect_forbidden(cmd, "needs the supervisor role");
	snprintf(cmd, sizeof cmd, "$BOXOFFICE -d 'user=%s' ticket list --order %lld", gate_login, order_id);
	expect_forbidden(cmd, "needs the clerk role");
	snprintf(cmd, sizeof cmd, "$BOXOFFICE -d 'user=%s' ticket badge 1 --out /dev/null", gate_login);
	{
		struct run_result r = run_cmd("%s", cmd);
		assert_int_not_equal(r.status, 0);
		run_free(&r);
	}
	snprintf(cmd, sizeof cmd, "$BOXOFFICE -d 'user=%s' user add intruder --role supervisor", gate_login);
	expect_forbidden(cmd, "needs the supervisor role");
	/* a write to a table it may read names the owner, not a lesser role */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE -d 'user=%s' demo", clerk_login);
	expect_forbidden(cmd, "needs the owner role (login ");
	/* and psql itself, as someone at the laptop would */
	{
		struct run_result r = run_cmd("psql -X -q -v ON_ERROR_STOP=1 -U %s -c 'UPDATE ticket_type SET capacity = 0' "
					      "-c 'SELECT secret_key FROM event_key' 2>&1", gate_login);
		assert_int_not_equal(r.status, 0);
		assert_non_null(strstr(r.out, "permission denied for table ticket_type"));
		run_free(&r);
		r = run_cmd("psql -X -q -U %s -tAc 'SELECT encode(secret_key, $$hex$$) FROM event_key' 2>&1", gate_login);
		assert_non_null(strstr(r.out, "permission denied for table event_key"));
		run_free(&r);
	}
	after = database_fingerprint();
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* A gate may read public keys and names; never a secret key, an e-mail
 * or an order's money. */
static void test_gate_reads_only_what_a_door_needs(void **state)
{
	PGconn *g = login(gate_login);
	PGresult *res;
	char sql[256];
	(void)state;

	/* the event has a signing key once a clerk made a token */
	json_decref(cli_json("$BOXOFFICE ticket list --order %lld --json", order_id));
	assert_string_equal(attempt(g, "SELECT secret_key FROM event_key"), "42501");
	assert_string_equal(attempt(g, "SELECT * FROM event_key"), "42501");
	snprintf(sql, sizeof sql, "SELECT * FROM event_signing_key(%lld, NULL, NULL)", event_id);
	assert_string_equal(attempt(g, sql), "42501");
	assert_string_equal(attempt(g, "SELECT email FROM person"), "42501");
	assert_string_equal(attempt(g, "SELECT net_cents FROM ticket_order"), "42501");
	assert_string_equal(attempt(g, "SELECT * FROM change_log"), "42501");
	assert_string_equal(attempt(g, "SELECT * FROM station_login"), "42501");
	/* what it needs */
	snprintf(sql, sizeof sql, "SELECT encode(public_key, 'hex') FROM event_key WHERE event_id = %lld", event_id);
	res = PQexec(g, sql);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	assert_int_equal(PQntuples(res), 1);
	assert_int_equal(strlen(PQgetvalue(res, 0, 0)), 64);
	PQclear(res);
	assert_string_equal(attempt(g, "SELECT id, name, company FROM person LIMIT 1"), "");
	assert_string_equal(attempt(g, "SELECT id, issue, status FROM ticket LIMIT 1"), "");
	PQfinish(g);
}

/* Through libpq as psql would: every write and every ALTER on every
 * table, and every function not granted to the gate. */
static void test_gate_psql_every_table_and_function(void **state)
{
	PGconn *g = login(gate_login);
	PGresult *tables, *fns;
	char *before, *after;
	int refused = 0;
	(void)state;

	before = database_fingerprint();
	tables = test_query(conn,
			    "SELECT c.relname, (SELECT quote_ident(a.attname) FROM pg_attribute a WHERE a.attrelid = c.oid "
			    "AND a.attnum > 0 AND NOT a.attisdropped AND a.attidentity = '' AND a.attgenerated = '' "
			    "ORDER BY a.attnum LIMIT 1) "
			    "FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' ORDER BY 1",
			    0, NULL);
	assert_true(PQntuples(tables) > 20);
	for (int i = 0; i < PQntuples(tables); i++) {
		const char *t = PQgetvalue(tables, i, 0), *col = PQgetvalue(tables, i, 1);
		char sql[4][512];
		snprintf(sql[0], sizeof sql[0], "UPDATE %s SET %s = %s", t, col, col);
		snprintf(sql[1], sizeof sql[1], "DELETE FROM %s", t);
		snprintf(sql[2], sizeof sql[2], "TRUNCATE %s CASCADE", t);
		snprintf(sql[3], sizeof sql[3], "INSERT INTO %s DEFAULT VALUES", t);
		for (int k = 0; k < 4; k++) {
			const char *st = attempt(g, sql[k]);
			if (strcmp(st, "42501") != 0)
				fail_msg("gate: '%s' gave '%s', not a permission error", sql[k], st);
			refused++;
		}
		/* ALTER needs the owner: "must be owner of table" is 42501 too */
		snprintf(sql[0], sizeof sql[0], "ALTER TABLE %s DISABLE TRIGGER ALL", t);
		snprintf(sql[1], sizeof sql[1], "ALTER TABLE %s OWNER TO CURRENT_USER", t);
		snprintf(sql[2], sizeof sql[2], "DROP TABLE %s CASCADE", t);
		snprintf(sql[3], sizeof sql[3], "ALTER TABLE %s ADD COLUMN x int", t);
		for (int k = 0; k < 4; k++) {
			const char *st = attempt(g, sql[k]);
			if (strcmp(st, "42501") != 0)
				fail_msg("gate: '%s' gave '%s', not a permission error", sql[k], st);
			refused++;
		}
	}
	PQclear(tables);

	/* every function of ours the gate may not call, called with NULLs of
	 * its argument types: the permission check comes before the body */
	fns = test_query(conn,
			 "SELECT format('SELECT %I(%s)', p.proname, "
			 "  (SELECT string_agg('NULL::' || format_type(t, NULL), ', ' ORDER BY n) "
			 "   FROM unnest(p.proargtypes) WITH ORDINALITY u(t, n))) "
			 "FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace "
			 "AND p.proowner = 'boxoffice_owner'::regrole AND p.prorettype <> 'trigger'::regtype "
			 "AND NOT has_function_privilege('boxoffice_gate', p.oid, 'EXECUTE') ORDER BY 1",
			 0, NULL);
	assert_true(PQntuples(fns) > 30);
	for (int i = 0; i < PQntuples(fns); i++) {
		const char *sql = PQgetvalue(fns, i, 0), *st = attempt(g, sql);
		if (strcmp(st, "42501") != 0)
			fail_msg("gate: '%s' gave '%s', not a permission error", sql, st);
		refused++;
	}
	PQclear(fns);
	/* no way around: another role, another identity, our own function */
	assert_string_equal(attempt(g, "SET ROLE boxoffice_clerk"), "42501");
	assert_string_equal(attempt(g, "SET ROLE boxoffice_owner"), "42501");
	assert_string_equal(attempt(g, "SET SESSION AUTHORIZATION boxoffice"), "42501");
	assert_string_equal(attempt(g, "CREATE FUNCTION public.x() RETURNS int LANGUAGE sql AS 'SELECT 1'"), "42501");
	after = database_fingerprint();
	assert_string_equal(before, after);
	fprintf(stderr, "gate: %d writes, ALTERs and calls refused, nothing changed\n", refused);
	free(before);
	free(after);
	PQfinish(g);
}

static long long last_change_id(void)
{
	return test_scalar(conn, "SELECT coalesce(max(id), 0) FROM change_log", 0, NULL);
}

/* The client may name itself anything (application_name is the station,
 * from the connection) and write any actor it likes: the log records the
 * login that made the change. */
static void test_clerk_actor_cannot_be_forged(void **state)
{
	PGconn *k = login(clerk_login);
	PGresult *res;
	char sql[512], since[24];
	const char *p[1] = { since };
	long long before = last_change_id();
	(void)state;

	snprintf(since, sizeof since, "%lld", before);
	/* a change through the CLI */
	{
		char cmd[256];
		struct run_result r;
		snprintf(cmd, sizeof cmd, "$BOXOFFICE -d 'user=%s' --station front-desk sell --event %lld --type Adult "
			 "--qty 1 --payment card --company Acme", clerk_login, event_id);
		r = run_cmd("%s", cmd);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	/* and one over libpq, pretending: a role of its own, a forged actor */
	assert_string_equal(attempt(k, "SET ROLE boxoffice_clerk"), "");
	snprintf(sql, sizeof sql,
		 "INSERT INTO change_log (entity, action, actor, station, at) VALUES ('x', 'forged', 'boss', 's', "
		 "'2001-01-01')");
	assert_string_equal(attempt(k, sql), "42501");
	snprintf(sql, sizeof sql, "SELECT inventory_sell(%lld, %lld, 1, 'pos', 'card', 'Acme', '', '', NULL, NULL, '')",
		 event_id, type_id);
	{
		PGresult *r2 = PQexec(k, sql);
		if (PQresultStatus(r2) != PGRES_TUPLES_OK)
			fail_msg("clerk sell over libpq: %s", PQresultErrorMessage(r2));
		PQclear(r2);
	}
	res = test_query(conn, "SELECT DISTINCT actor FROM change_log WHERE id > $1", 1, p);
	assert_int_equal(PQntuples(res), 1);
	assert_string_equal(PQgetvalue(res, 0, 0), clerk_login);
	PQclear(res);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM change_log WHERE id > $1 AND station = 'front-desk'",
				     1, p) > 0,
			 1);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM change_log WHERE action = 'forged'", 0, NULL), 0);
	PQfinish(k);
}

/* Even a supervisor — the most any station has — cannot change, remove
 * or switch off the history; nor can any other station role. */
static void test_no_station_role_changes_the_change_log(void **state)
{
	const char *logins[] = { gate_login, clerk_login, api_login, getenv("PGUSER") };
	const char *sqls[] = {
		"UPDATE change_log SET reason = 'rewritten'",
		"DELETE FROM change_log",
		"TRUNCATE change_log",
		"ALTER TABLE change_log DISABLE TRIGGER change_log_no_update",
		"ALTER TABLE change_log DISABLE TRIGGER ALL",
		"DROP TRIGGER change_log_no_update ON change_log",
		"DROP TRIGGER change_log_stamp ON change_log",
		"ALTER TABLE change_log OWNER TO CURRENT_USER",
		"CREATE RULE nolog AS ON INSERT TO change_log DO INSTEAD NOTHING",
		"ALTER FUNCTION change_log_stamp() OWNER TO CURRENT_USER",
		"CREATE OR REPLACE FUNCTION change_log_stamp() RETURNS trigger LANGUAGE plpgsql AS "
		"'BEGIN RETURN NEW; END'",
	};
	char *before = database_fingerprint(), *after;
	(void)state;

	assert_non_null(logins[3]);
	for (size_t i = 0; i < sizeof logins / sizeof logins[0]; i++) {
		PGconn *c = login(logins[i]);
		for (size_t k = 0; k < sizeof sqls / sizeof sqls[0]; k++) {
			const char *st = attempt(c, sqls[k]);
			if (strcmp(st, "42501") != 0)
				fail_msg("%s: '%s' gave '%s', not a permission error", logins[i], sqls[k], st);
		}
		PQfinish(c);
	}
	after = database_fingerprint();
	assert_string_equal(before, after);
	free(before);
	free(after);
}

/* Refunds, capacity and adjustments are a supervisor's; the clerk is told
 * which role it takes, the supervisor does it. */
static void test_clerk_sells_supervisor_refunds(void **state)
{
	char cmd[512];
	json_t *doc;
	(void)state;

	snprintf(cmd, sizeof cmd, "$BOXOFFICE -d 'user=%s' order refund %lld", clerk_login, order_id);
	expect_forbidden(cmd, "refunding an order needs the supervisor role");
	snprintf(cmd, sizeof cmd, "$BOXOFFICE -d 'user=%s' capacity --event %lld --type Adult --capacity 90 --reason x",
		 clerk_login, event_id);
	expect_forbidden(cmd, "needs the supervisor role");
	{
		char o[24];
		const char *p[1] = { o };
		snprintf(o, sizeof o, "%lld", order_id);
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket_order WHERE id = $1 AND status = 'settled'",
					     1, p),
				 1);
	}
	doc = cli_json("$BOXOFFICE order refund %lld", order_id); /* the supervisor */
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "refunded");
	json_decref(doc);
}

/* user add / list / revoke: names checked, a role that exists outside
 * boxoffice never touched, a revoked login's sessions end and it cannot
 * come back. */
static void test_user_add_list_revoke(void **state)
{
	char name[40], cmd[256];
	struct run_result r;
	json_t *rows, *row;
	size_t i;
	int seen = 0;
	PGconn *open_session;
	PGresult *res;
	(void)state;

	login_name(name, sizeof name, "door");
	r = run_cmd("printf 'correct horse battery\\n' | $BOXOFFICE user add %s --role gate --password", name);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\"role\":\"gate\""));
	assert_non_null(strstr(r.out, "\"auth\":\"password\""));
	run_free(&r);
	{
		char n[40];
		const char *p[1] = { n };
		snprintf(n, sizeof n, "%s", name);
		/* stored SCRAM-encrypted: the clear text never went over the wire */
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM pg_authid WHERE rolname = $1 "
					     "AND rolpassword LIKE 'SCRAM-SHA-256$%'", 1, p),
				 1);
	}
	/* twice: refused, exit 1 */
	r = run_cmd("$BOXOFFICE user add %s --role clerk", name);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "exists already"));
	run_free(&r);
	/* bad input: exit 2 */
	r = run_cmd("$BOXOFFICE user add 'bad name' --role gate");
	assert_int_equal(r.status, 2);
	run_free(&r);
	r = run_cmd("$BOXOFFICE user add pg_evil --role gate");
	assert_int_equal(r.status, 2);
	run_free(&r);
	r = run_cmd("$BOXOFFICE user add someone --role owner");
	assert_int_equal(r.status, 2);
	run_free(&r);
	r = run_cmd("printf 'short\\n' | $BOXOFFICE user add someone --role gate --password");
	assert_int_equal(r.status, 2);
	run_free(&r);
	/* the cluster's superuser is nobody's to take over */
	r = run_cmd("$BOXOFFICE user add boxoffice --role gate");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "not a boxoffice login"));
	run_free(&r);

	rows = cli_json("$BOXOFFICE user list --json");
	json_array_foreach(rows, i, row) {
		if (strcmp(json_string_value(json_object_get(row, "name")), name) == 0) {
			assert_string_equal(json_string_value(json_object_get(row, "role")), "gate");
			assert_true(json_is_true(json_object_get(row, "active")));
			seen++;
		}
	}
	json_decref(rows);
	assert_int_equal(seen, 1);

	/* a clerk may not revoke; the supervisor may, and the open session ends */
	open_session = login(name);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE -d 'user=%s' user revoke %s", clerk_login, name);
	expect_forbidden(cmd, "needs the supervisor role");
	r = run_cmd("$BOXOFFICE user revoke %s", name);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\"sessions_ended\":1"));
	run_free(&r);
	res = PQexec(open_session, "SELECT 1");
	assert_int_not_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
	PQfinish(open_session);
	{
		char conninfo[128];
		PGconn *again;
		snprintf(conninfo, sizeof conninfo, "user=%s", name);
		again = PQconnectdb(conninfo);
		assert_int_equal(PQstatus(again), CONNECTION_BAD);
		assert_non_null(strstr(PQerrorMessage(again), "not permitted to log in"));
		PQfinish(again);
	}
	r = run_cmd("$BOXOFFICE user revoke %s", name);
	assert_int_equal(r.status, 1);
	run_free(&r);
	/* a supervisor cannot revoke itself (and lock everyone out) */
	r = run_cmd("$BOXOFFICE user revoke %s", getenv("PGUSER"));
	assert_int_equal(r.status, 1);
	run_free(&r);
}

/* What a door does, a gate login can: refresh its cache, admit, refuse
 * the second entry, undo, work on a list into an area; an override past a
 * full area is a supervisor's. */
static void test_gate_checks_in(void **state)
{
	json_t *list, *v;
	char tokens[2][512], cmd[2048];
	struct run_result r;
	(void)state;

	/* an order of its own (the set-up's was refunded by an earlier test) */
	list = cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 2 --payment card --company Door", event_id);
	{
		long long o = json_integer_value(json_object_get(list, "id"));
		json_decref(list);
		list = cli_json("$BOXOFFICE ticket list --order %lld --json", o);
	}
	for (int i = 0; i < 2; i++)
		snprintf(tokens[i], sizeof tokens[i], "%s",
			 json_string_value(json_object_get(json_array_get(list, (size_t)i), "token")));
	json_decref(list);
	json_decref(cli_json("$BOXOFFICE area add --event %lld --name Booth --capacity 1", event_id));
	json_decref(cli_json("$BOXOFFICE list add --event %lld --name booth --area Booth", event_id));

	snprintf(cmd, sizeof cmd, "$BOXOFFICE -d 'user=%s' --station door-1 checkin --gate door-1 --event %lld "
		 "--refresh-cache", gate_login, event_id);
	r = run_cmd("%s", cmd);
	if (r.status != 0)
		fail_msg("gate cache refresh: %d %s", r.status, r.err);
	run_free(&r);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE -d 'user=%s' --station door-1 checkin --gate door-1 --event %lld --list booth "
		 "--token '%s' --token '%s'", gate_login, event_id, tokens[0], tokens[1]);
	r = run_cmd("%s", cmd);
	assert_int_equal(r.status, 1); /* the second is refused: the booth is full */
	v = json_loads(r.out, JSON_DISABLE_EOF_CHECK, NULL);
	assert_non_null(v);
	assert_string_equal(json_string_value(json_object_get(v, "verdict")), "admit");
	json_decref(v);
	assert_non_null(strstr(r.out, "is full (1/1)"));
	run_free(&r);
	/* the gate may not override; nothing more gets in */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE -d 'user=%s' --station door-1 checkin --gate door-1 --event %lld --list booth "
		 "--token '%s' --override 'VIP guest'", gate_login, event_id, tokens[1]);
	r = run_cmd("%s", cmd);
	/* a refusal the database gave, online: not a reason to go offline */
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "admitting past a full area needs the supervisor role"));
	assert_non_null(strstr(r.out, "\"offline\":false"));
	run_free(&r);
	{
		char e[24];
		const char *p[1] = { e };
		snprintf(e, sizeof e, "%lld", event_id);
		assert_int_equal(test_scalar(conn, "SELECT inside FROM area WHERE event_id = $1 AND name = 'Booth'", 1, p),
				 1);
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM checkin c JOIN ticket k ON k.id = c.ticket_id "
					     "WHERE k.event_id = $1 AND c.override_reason IS NOT NULL", 1, p),
				 0);
	}
	/* the supervisor may */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station door-1 checkin --gate door-1 --event %lld --list booth "
		 "--token '%s' --override 'VIP guest'", event_id, tokens[1]);
	r = run_cmd("%s", cmd);
	assert_int_equal(r.status, 0);
	run_free(&r);
}

/* The station shows its role and offers only what it may do: a gate's
 * menu dims the counter's screens and says which role they take; a
 * clerk's orders screen has no Refund, and the key says why. */
static void test_tui_offers_only_what_the_role_may(void **state)
{
	struct tmux t;
	char cmd[256], want[128];
	(void)state;

	snprintf(cmd, sizeof cmd, "PGUSER=%s $BOXOFFICE --station door-9; sleep 30", gate_login);
	tmux_start(&t, "rolegate", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Station: door-9 · gate", 10000));
	snprintf(want, sizeof want, "signed in as %s · gate", gate_login);
	assert_true(tmux_wait_for(&t, want, 5000));
	assert_true(tmux_wait_for(&t, "Ticket Orders (clerk)", 5000));
	assert_true(tmux_wait_for(&t, "Audit log (supervisor)", 5000));
	assert_true(tmux_row_of(&t, "Check-in (") < 0); /* a gate's own screen */
	tmux_keys(&t, "3");
	snprintf(want, sizeof want, "Ticket Orders needs the clerk role (login %s has the gate role)", gate_login);
	assert_true(tmux_wait_for(&t, want, 5000));
	assert_true(tmux_row_of(&t, "Main menu") >= 0); /* still there */
	tmux_stop(&t);

	snprintf(cmd, sizeof cmd, "PGUSER=%s $BOXOFFICE --station till-2 --screen orders --event %lld; sleep 30",
		 clerk_login, event_id);
	tmux_start(&t, "roleclerk", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Station: till-2 · clerk", 10000));
	assert_true(tmux_wait_for(&t, "Acme", 10000));
	{
		/* the key bar (the last line) offers no Refund */
		char *screen = tmux_capture(&t), *bar = strrchr(screen, '\n');
		while (bar && bar > screen && bar[1] == '\0') {
			*bar = '\0';
			bar = strrchr(screen, '\n');
		}
		assert_non_null(bar);
		assert_non_null(strstr(bar, "F1Help"));
		assert_null(strstr(bar, "Refund"));
		free(screen);
	}
	tmux_keys(&t, "r");
	snprintf(want, sizeof want, "Refund needs the supervisor role (login %s has the clerk role)", clerk_login);
	assert_true(tmux_wait_for(&t, want, 5000));
	tmux_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gate_cli_refused_and_nothing_changes),
		cmocka_unit_test(test_gate_reads_only_what_a_door_needs),
		cmocka_unit_test(test_gate_psql_every_table_and_function),
		cmocka_unit_test(test_clerk_actor_cannot_be_forged),
		cmocka_unit_test(test_no_station_role_changes_the_change_log),
		cmocka_unit_test(test_clerk_sells_supervisor_refunds),
		cmocka_unit_test(test_user_add_list_revoke),
		cmocka_unit_test(test_gate_checks_in),
		cmocka_unit_test(test_tui_offers_only_what_the_role_may),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* Integration tests of the schema against the real throwaway PostgreSQL:
 * migrations apply once, constraints make illegal states unrepresentable,
 * the database's transition table equals the core's, demo data is
 * deterministic. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "tmux.h"
#include "src/core/order.h"
#include "src/db/migrate.h"

static PGconn *conn;

static int setup(void **state)
{
	struct run_result r = run_cmd("$BOXOFFICE migrate");
	(void)state;
	if (r.status != 0) {
		fprintf(stderr, "migrate failed: %s\n", r.err);
		run_free(&r);
		return -1;
	}
	run_free(&r);
	conn = test_connect();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

static long long catalog_fingerprint(void)
{
	return test_scalar(conn,
			   "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
			   "        WHERE n.nspname = 'public') * 100000 + "
			   "(SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
			   "        WHERE n.nspname = 'public') * 100 + "
			   "(SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal)", 0, NULL);
}

static void test_migrate_twice_changes_nothing(void **state)
{
	long long before_fp = catalog_fingerprint();
	long long versions = test_scalar(conn, "SELECT count(*) FROM schema_version", 0, NULL);
	long long max_v = test_scalar(conn, "SELECT max(version) FROM schema_version", 0, NULL);
	struct run_result r = run_cmd("$BOXOFFICE migrate");
	(void)state;

	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "nothing to do"));
	assert_null(strstr(r.out, "applied"));
	assert_int_equal(versions, (long long)migrations_count);
	assert_int_equal(max_v, migrations[migrations_count - 1].version);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM schema_version", 0, NULL), versions);
	assert_int_equal(catalog_fingerprint(), before_fp);
	run_free(&r);
}

static void test_transition_tables_agree(void **state)
{
	PGresult *res = test_query(conn, "SELECT payment, from_status, to_status FROM order_transition", 0, NULL);
	(void)state;
	assert_int_equal(PQntuples(res), (int)order_transitions_count);
	for (int i = 0; i < PQntuples(res); i++) {
		enum payment_method p;
		enum order_status f, t;
		assert_true(payment_parse(PQgetvalue(res, i, 0), &p));
		assert_true(order_status_parse(PQgetvalue(res, i, 1), &f));
		assert_true(order_status_parse(PQgetvalue(res, i, 2), &t));
		assert_true(order_can_transition(p, f, t));
	}
	PQclear(res);
}

/* A small event with one type and one order of 3 tickets, for the
 * constraint tests. Returns the order id; fills type and line ids. */
static long long make_order(const char *payment, long long *type_id,
			    long long *line_id, long long *event_id)
{
	char ev[24], ty[24], ord[24];
	const char *p[3];
	long long e = make_event(unique_name("Schema"), "2027-01-10", 0);
	long long t = make_type(e, "Adult", 100, 1000, 1);
	long long o, l;

	snprintf(ev, sizeof ev, "%lld", e);
	snprintf(ty, sizeof ty, "%lld", t);
	p[0] = ev;
	p[1] = payment;
	o = test_scalar(conn,
			"INSERT INTO ticket_order (event_id, company, payment, status, quantity, net_cents, "
			"vat_cents) VALUES ($1, 'Acme', $2::payment_method, 'requested', 3, "
			"CASE WHEN $2 IN ('invoice', 'card') THEN 3000 ELSE 0 END, "
			"CASE WHEN $2 IN ('invoice', 'card') THEN 750 ELSE 0 END) RETURNING id",
			2, p);
	snprintf(ord, sizeof ord, "%lld", o);
	p[0] = ord;
	p[1] = ev;
	p[2] = ty;
	l = test_scalar(conn,
			"INSERT INTO order_line (order_id, event_id, type_id, qty, unit_cents, vat_bp, "
			"net_cents, vat_cents) SELECT $1, $2, $3, 3, unit, 2500, unit * 3, (unit * 3 * 2500 + 5000) / 10000 "
			"FROM (SELECT net_cents / 3 AS unit FROM ticket_order WHERE id = $1) u RETURNING id",
			3, p);
	*type_id = t;
	*line_id = l;
	*event_id = e;
	return o;
}

static void test_constraints_reject_bad_rows(void **state)
{
	long long type_id, line_id, event_id, order_id;
	char ty[24], ln[24], ord[24], ev[24];
	const char *p[4];
	(void)state;

	order_id = make_order("card", &type_id, &line_id, &event_id);
	snprintf(ty, sizeof ty, "%lld", type_id);
	snprintf(ln, sizeof ln, "%lld", line_id);
	snprintf(ord, sizeof ord, "%lld", order_id);
	snprintf(ev, sizeof ev, "%lld", event_id);

	/* more seats taken than there are */
	p[0] = ty;
	assert_string_equal(test_fails(conn, "UPDATE ticket_type SET sold = capacity + 1 WHERE id = $1", 1, p), "23514");
	assert_string_equal(test_fails(conn, "UPDATE ticket_type SET capacity = -1 WHERE id = $1", 1, p), "23514");
	/* VAT not by the rounding rule */
	p[0] = ln;
	assert_string_equal(test_fails(conn, "UPDATE order_line SET vat_cents = vat_cents + 1 WHERE id = $1", 1, p), "23514");
	/* a line whose type belongs to another event */
	{
		long long other_event = make_event(unique_name("Other"), "2027-02-01", 0);
		long long other_type = make_type(other_event, "Adult", 10, 100, 1);
		char ot[24];
		snprintf(ot, sizeof ot, "%lld", other_type);
		p[0] = ord;
		p[1] = ev;
		p[2] = ot;
		assert_string_equal(test_fails(conn,
			"INSERT INTO order_line (order_id, event_id, type_id, qty, unit_cents, vat_bp, net_cents, vat_cents) "
			"VALUES ($1, $2, $3, 1, 0, 2500, 0, 0)", 3, p), "23503");
	}
	/* tickets for an order that is not settled */
	p[0] = ord;
	assert_string_equal(test_fails(conn, "SELECT order_generate_tickets($1)", 1, p), "BX003");
	p[0] = ord;
	p[1] = ln;
	p[2] = ev;
	p[3] = ty;
	assert_string_equal(test_fails(conn,
		"INSERT INTO ticket (order_id, line_id, line_qty, serial, event_id, type_id) "
		"VALUES ($1, $2, 3, 1, $3, $4)", 4, p), "BX003");
	/* invalid transition: a card order never sees an invoice */
	p[0] = ord;
	assert_string_equal(test_fails(conn, "UPDATE ticket_order SET status = 'invoice_sent' WHERE id = $1", 1, p), "BX002");
	/* amounts are fixed once ordered */
	assert_string_equal(test_fails(conn, "UPDATE ticket_order SET net_cents = 1 WHERE id = $1", 1, p), "BX002");
	/* settle, then: ticket serials beyond the line's quantity are refused */
	PQclear(test_query(conn, "UPDATE ticket_order SET status = 'settled' WHERE id = $1", 1, p));
	assert_int_equal(test_scalar(conn, "SELECT order_generate_tickets($1)", 1, p), 3);
	p[0] = ord;
	p[1] = ln;
	p[2] = ev;
	p[3] = ty;
	assert_string_equal(test_fails(conn,
		"INSERT INTO ticket (order_id, line_id, line_qty, serial, event_id, type_id) "
		"VALUES ($1, $2, 3, 4, $3, $4)", 4, p), "23514");
	/* a ticket claiming a different quantity than its line */
	assert_string_equal(test_fails(conn,
		"INSERT INTO ticket (order_id, line_id, line_qty, serial, event_id, type_id) "
		"VALUES ($1, $2, 4, 4, $3, $4)", 4, p), "23503");
	/* a duplicate serial */
	assert_string_equal(test_fails(conn,
		"INSERT INTO ticket (order_id, line_id, line_qty, serial, event_id, type_id) "
		"VALUES ($1, $2, 3, 2, $3, $4)", 4, p), "23505");
	/* two check-ins cannot both be the first scan; scans alternate in/out */
	p[0] = ord;
	{
		long long tk = test_scalar(conn, "SELECT min(id) FROM ticket WHERE order_id = $1", 1, p);
		char tks[24];
		snprintf(tks, sizeof tks, "%lld", tk);
		p[0] = tks;
		PQclear(test_query(conn, "INSERT INTO checkin (ticket_id, seq, direction) VALUES ($1, 1, 'in')", 1, p));
		assert_string_equal(test_fails(conn, "INSERT INTO checkin (ticket_id, seq, direction) VALUES ($1, 1, 'in')", 1, p), "23505");
		assert_string_equal(test_fails(conn, "INSERT INTO checkin (ticket_id, seq, direction) VALUES ($1, 2, 'in')", 1, p), "23514");
	}
	/* the change log is append-only */
	assert_string_equal(test_fails(conn, "UPDATE change_log SET reason = 'x'", 0, NULL), "BX010");
	assert_string_equal(test_fails(conn, "DELETE FROM change_log", 0, NULL), "BX010");
	assert_string_equal(test_fails(conn, "TRUNCATE change_log", 0, NULL), "BX010");
	/* persons need an e-mail address */
	p[0] = ev;
	assert_string_equal(test_fails(conn, "INSERT INTO person (event_id, name, email) VALUES ($1, 'X', 'nope')", 1, p), "23514");
	/* free orders carry no amount */
	assert_string_equal(test_fails(conn,
		"INSERT INTO ticket_order (event_id, payment, quantity, net_cents, vat_cents) "
		"VALUES ($1, 'free', 1, 100, 25)", 1, p), "23514");
}

static void test_ticket_generation_once_and_void_on_cancel(void **state)
{
	long long type_id, line_id, event_id, order_id;
	char ord[24];
	const char *p[1] = { ord };
	(void)state;

	order_id = make_order("free", &type_id, &line_id, &event_id);
	snprintf(ord, sizeof ord, "%lld", order_id);
	PQclear(test_query(conn, "UPDATE ticket_order SET status = 'settled' WHERE id = $1", 1, p));
	assert_int_equal(test_scalar(conn, "SELECT order_generate_tickets($1)", 1, p), 3);
	assert_int_equal(test_scalar(conn, "SELECT order_generate_tickets($1)", 1, p), 0);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket WHERE order_id = $1", 1, p), 3);
	assert_int_equal(test_scalar(conn, "SELECT tickets_issued FROM ticket_order WHERE id = $1", 1, p), 3);
	/* leaving settled voids every ticket and logs the change */
	PQclear(test_query(conn, "UPDATE ticket_order SET status = 'cancelled' WHERE id = $1", 1, p));
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket WHERE order_id = $1 AND status = 'valid'", 1, p), 0);
	assert_int_equal(test_scalar(conn, "SELECT tickets_issued FROM ticket_order WHERE id = $1", 1, p), 0);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM change_log WHERE entity = 'order' "
					   "AND entity_id = $1 AND action IN ('settled', 'cancelled', 'tickets_generated')", 1, p), 3);
	/* and a cancelled order cannot come back */
	assert_string_equal(test_fails(conn, "UPDATE ticket_order SET status = 'settled' WHERE id = $1", 1, p), "BX002");
}

static char *demo_digest(const char *db, const char *seed)
{
	static char digest[2][40];
	static int slot;
	char *d = digest[slot++ % 2];
	struct run_result r;
	char conninfo[256];
	PGconn *c;
	PGresult *res;

	snprintf(conninfo, sizeof conninfo, "%s", admin_conninfo(db));
	r = run_cmd("$BOXOFFICE -d '%s' migrate >/dev/null && $BOXOFFICE -d '%s' demo --orders 300 --seed %s",
		    conninfo, conninfo, seed);
	if (r.status != 0)
		fail_msg("demo failed: %s", r.err);
	run_free(&r);
	c = PQconnectdb(conninfo);
	res = PQexec(c, "SELECT md5(string_agg(concat_ws('|', o.company, o.contact, o.email, o.order_date, "
			"o.payment, o.status, o.channel, o.invoice_no, o.quantity, o.tickets_issued, o.net_cents, "
			"o.vat_cents, (SELECT string_agg(l.qty || ':' || l.unit_cents, ',' ORDER BY l.id) "
			"FROM order_line l WHERE l.order_id = o.id)), ';' ORDER BY o.id)) FROM ticket_order o");
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	snprintf(d, 40, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(c);
	return d;
}

static void test_demo_is_deterministic(void **state)
{
	char a[40], b[40], c[40];
	(void)state;
	PQclear(test_query(conn, "DROP DATABASE IF EXISTS demo_a", 0, NULL));
	PQclear(test_query(conn, "DROP DATABASE IF EXISTS demo_b", 0, NULL));
	PQclear(test_query(conn, "DROP DATABASE IF EXISTS demo_c", 0, NULL));
	PQclear(test_query(conn, "CREATE DATABASE demo_a", 0, NULL));
	PQclear(test_query(conn, "CREATE DATABASE demo_b", 0, NULL));
	PQclear(test_query(conn, "CREATE DATABASE demo_c", 0, NULL));
	snprintf(a, sizeof a, "%s", demo_digest("demo_a", "42"));
	snprintf(b, sizeof b, "%s", demo_digest("demo_b", "42"));
	snprintf(c, sizeof c, "%s", demo_digest("demo_c", "43"));
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);

	/* Every status and payment method is there, and the counters add up. */
	{
		PGconn *d = PQconnectdb(admin_conninfo("demo_a"));
		PGresult *res = PQexec(d, "SELECT count(DISTINCT status), count(DISTINCT payment), "
				       "(SELECT count(*) FROM ticket_type t WHERE t.sold <> coalesce((SELECT sum(l.qty * t.seats_per_ticket) "
				       " FROM order_line l JOIN ticket_order o ON o.id = l.order_id "
				       " WHERE l.type_id = t.id AND o.status IN ('requested', 'invoice_sent', 'settled')), 0)), "
				       "(SELECT count(*) FROM ticket_order o WHERE o.tickets_issued <> "
				       " (SELECT count(*) FROM ticket k WHERE k.order_id = o.id AND k.status = 'valid')) "
				       "FROM ticket_order");
		assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
		assert_string_equal(PQgetvalue(res, 0, 0), "5");
		assert_string_equal(PQgetvalue(res, 0, 1), "4");
		assert_string_equal(PQgetvalue(res, 0, 2), "0");
		assert_string_equal(PQgetvalue(res, 0, 3), "0");
		PQclear(res);
		PQfinish(d);
	}
	/* A second demo into the same database is refused, changing nothing. */
	{
		struct run_result r = run_cmd("$BOXOFFICE -d '%s' demo --orders 10", admin_conninfo("demo_a"));
		assert_int_equal(r.status, 1);
		assert_non_null(strstr(r.err, "boxoffice: demo: "));
		run_free(&r);
	}
	PQclear(test_query(conn, "DROP DATABASE demo_a", 0, NULL));
	PQclear(test_query(conn, "DROP DATABASE demo_b", 0, NULL));
	PQclear(test_query(conn, "DROP DATABASE demo_c", 0, NULL));
}

/* Migrates a fresh database the way `boxoffice migrate` does, up to (not
 * including) version below: a live database of an older release. */
static void migrate_below(PGconn *c, int below)
{
	PQclear(test_query(c, "CREATE TABLE schema_version (version integer PRIMARY KEY, name text NOT NULL, "
			      "applied_at timestamptz NOT NULL DEFAULT now())", 0, NULL));
	for (size_t i = 0; i < migrations_count && migrations[i].version < below; i++) {
		char v[16];
		const char *p[2] = { v, migrations[i].name };
		/* as apply_one() does: from db/026 on, what a migration makes
		 * belongs to boxoffice_owner (a later migration may replace it) */
		bool as_owner = migrations[i].version > MIGRATE_ROLES_VERSION;
		PGresult *res;
		if (as_owner)
{
			PQclear(test_query(c, "BEGIN", 0, NULL));
			PQclear(test_query(c, "SET LOCAL ROLE boxoffice_owner", 0, NULL));
		}
		res = PQexec(c, migrations[i].sql);
		if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
			fail_msg("%s: %s", migrations[i].name, PQresultErrorMessage(res));
		PQclear(res);
		if (as_owner)
			PQclear(test_query(c, "COMMIT", 0, NULL));
		snprintf(v, sizeof v, "%d", migrations[i].version);
		PQclear(test_query(c, "INSERT INTO schema_version (version, name) VALUES ($1, $2)", 2, p));
	}
}

/* Issue 4: migration 008 makes names unique ignoring case. On a live
 * database that already holds names differing only in case it must still
 * apply: the oldest row keeps its name, later ones are renamed and the
 * rename logged. Built here in a fresh database migrated up to 007. */
static void test_case_duplicates_renamed_by_migration(void **state)
{
	char dbname[64], conninfo[128];
	PGconn *c;
	PGresult *res;
	struct run_result r;
	(void)state;

	snprintf(dbname, sizeof dbname, "dup_names_%d", (int)getpid());
	PQclear(test_query(conn, "SELECT 1", 0, NULL));
	{
		char sql[128];
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", dbname);
		PQclear(test_query(conn, sql, 0, NULL));
		snprintf(sql, sizeof sql, "CREATE DATABASE %s", dbname);
		PQclear(test_query(conn, sql, 0, NULL));
	}
	snprintf(conninfo, sizeof conninfo, "%s application_name=tests", admin_conninfo(dbname));
	c = PQconnectdb(conninfo);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PQclear(PQexec(c, "SET client_min_messages = error"));
	migrate_below(c, 8);
	PQclear(test_query(c,
		"WITH e AS (INSERT INTO event (id, name, date) VALUES (1, 'Gala', '2027-01-01'), "
		"  (2, 'GALA', '2027-01-02'), (3, 'gala', '2027-01-03') RETURNING id) "
		"INSERT INTO ticket_type (id, event_id, name, capacity, price_cents) VALUES "
		"  (1, 1, 'VIP', 10, 90000), (2, 1, 'vip', 10, 100), (3, 2, 'vip', 10, 100), "
		"  (4, 1, repeat('x', 100), 1, 1), (5, 1, repeat('X', 100), 1, 1)", 0, NULL));
	PQclear(test_query(c, "INSERT INTO organization (id, name) VALUES (1, 'Acme AB'), (2, 'ACME AB')", 0, NULL));

	r = run_cmd("$BOXOFFICE -d '%s' migrate", conninfo);
	if (r.status != 0)
		fail_msg("migrate over duplicates exited %d: %s", r.status, r.err);
	assert_non_null(strstr(r.out, "applied 008_names_and_holds.sql"));
	run_free(&r);

	/* the oldest keeps its name, the others are renamed and logged */
	res = test_query(c, "SELECT string_agg(name, '|' ORDER BY id) FROM event", 0, NULL);
	assert_string_equal(PQgetvalue(res, 0, 0), "Gala|GALA (duplicate #2)|gala (duplicate #3)");
	PQclear(res);
	res = test_query(c, "SELECT string_agg(name, '|' ORDER BY id) FROM ticket_type WHERE id <= 3", 0, NULL);
	assert_string_equal(PQgetvalue(res, 0, 0), "VIP|vip (duplicate #2)|vip");
	PQclear(res);
	assert_int_equal(test_scalar(c, "SELECT length(name) FROM ticket_type WHERE id = 5", 0, NULL), 100);
	assert_int_equal(test_scalar(c, "SELECT count(*) FROM ticket_type WHERE id = 5 "
					"AND name LIKE '% (duplicate #5)'", 0, NULL), 1);
	res = test_query(c, "SELECT string_agg(name, '|' ORDER BY id) FROM organization", 0, NULL);
	assert_string_equal(PQgetvalue(res, 0, 0), "Acme AB|ACME AB (duplicate #2)");
	PQclear(res);
	assert_int_equal(test_scalar(c, "SELECT count(*) FROM change_log WHERE action = 'renamed' "
					"AND detail ? 'from' AND reason LIKE 'migration 008%'", 0, NULL), 5);
	/* and from now on the database itself refuses such twins */
	assert_string_equal(test_fails(c, "INSERT INTO event (name, date) VALUES ('gALa', '2027-02-02')", 0, NULL),
			    "23505");
	assert_string_equal(test_fails(c, "INSERT INTO organization (name) VALUES ('acme ab')", 0, NULL), "23505");
	PQfinish(c);
	{
		char sql[128];
		snprintf(sql, sizeof sql, "DROP DATABASE %s", dbname);
		PQclear(test_query(conn, sql, 0, NULL));
	}
}

/* A station on a database its migrations have not reached (a new binary,
 * nobody ran migrate) said nothing and failed in odd places (a sale with
 * no receipt): every command and the screens say what to run. */
static void test_database_behind_the_program_says_so(void **state)
{
	char dbname[64], conninfo[128], cmd[300];
	struct run_result r;
	struct tmux t;
	PGconn *c;
	(void)state;

	snprintf(dbname, sizeof dbname, "behind_%d", (int)getpid());
	{
		char sql[128];
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", dbname);
		PQclear(test_query(conn, sql, 0, NULL));
		snprintf(sql, sizeof sql, "CREATE DATABASE %s", dbname);
		PQclear(test_query(conn, sql, 0, NULL));
	}
	snprintf(conninfo, sizeof conninfo, "%s application_name=tests", admin_conninfo(dbname));
	c = PQconnectdb(conninfo);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PQclear(PQexec(c, "SET client_min_messages = error"));
	migrate_below(c, migrate_latest_version()); /* all but the last */
	r = run_cmd("$BOXOFFICE -d '%s' event list --json", conninfo);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "needs"));
	assert_non_null(strstr(r.err, "run `boxoffice migrate`"));
	run_free(&r);
	/* the screens say it too, and go on */
	/* tmux runs this inside sh -c '...': no quotes (or spaces) of its own */
	snprintf(cmd, sizeof cmd, "PGUSER=%s $BOXOFFICE -d dbname=%s --station behind; sleep 30",
		 getenv("BOXOFFICE_TEST_ADMIN") ? getenv("BOXOFFICE_TEST_ADMIN") : "boxoffice", dbname);
	tmux_start(&t, "behind", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "run `boxoffice migrate`", 10000));
	tmux_stop(&t);
	r = run_cmd("$BOXOFFICE -d '%s' migrate", conninfo);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_cmd("$BOXOFFICE -d '%s' event list --json", conninfo);
	assert_int_equal(r.status, 0);
	run_free(&r);
	PQfinish(c);
	{
		char sql[128];
		snprintf(sql, sizeof sql, "DROP DATABASE %s", dbname);
		PQclear(test_query(conn, sql, 0, NULL));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_twice_changes_nothing),
		cmocka_unit_test(test_database_behind_the_program_says_so),
		cmocka_unit_test(test_case_duplicates_renamed_by_migration),
		cmocka_unit_test(test_transition_tables_agree),
		cmocka_unit_test(test_constraints_reject_bad_rows),
		cmocka_unit_test(test_ticket_generation_once_and_void_on_cancel),
		cmocka_unit_test(test_demo_is_deterministic),
	};
	return cmocka_run_group_tests_name("schema", tests, setup, teardown);
}

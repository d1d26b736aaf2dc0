/* Fault tests: a loopback proxy between a client and PostgreSQL that the
 * test freezes (a silent link: nothing forwarded, nothing closed), thaws
 * and cuts. These first tests prove the proxy itself behaves like the
 * faults it stands for, so the station tests built on it mean something. */
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../src/db/db.h"
#include "helpers.h"
#include "proxy.h"
#include "tmux.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Waits up to ms for the query's answer; true when it came. */
static bool answer_within(PGconn *c, int ms)
{
	double end = now_ms() + ms;
	while (PQisBusy(c)) {
		struct pollfd pfd = { .fd = PQsocket(c), .events = POLLIN };
		int left = (int)(end - now_ms());
		if (left <= 0)
			return false;
		if (poll(&pfd, 1, left) > 0 && !PQconsumeInput(c))
			return true; /* an error is an answer too */
	}
	return true;
}

static void test_proxy_freeze_is_silent_thaw_resumes(void **state)
{
	struct proxy *p = proxy_start(NULL);
	PGconn *c;
	PGresult *res;
	(void)state;

	assert_non_null(p);
	c = PQconnectdb(proxy_conninfo(p));
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	res = PQexec(c, "SELECT 41 + 1");
	assert_string_equal(PQgetvalue(res, 0, 0), "42");
	PQclear(res);

	proxy_freeze(p);
	assert_int_equal(PQsendQuery(c, "SELECT 'after the thaw'"), 1);
	/* Silent: no answer and no error while frozen. */
	assert_false(answer_within(c, 700));
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	proxy_thaw(p);
	assert_true(answer_within(c, 5000));
	res = PQgetResult(c);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	assert_string_equal(PQgetvalue(res, 0, 0), "after the thaw");
	PQclear(res);
	while ((res = PQgetResult(c)))
		PQclear(res);

	/* Cut: loud, the client learns at once. */
	proxy_cut(p);
	res = PQexec(c, "SELECT 1");
	assert_int_not_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
	assert_int_equal(PQstatus(c), CONNECTION_BAD);
	PQfinish(c);
	proxy_stop(p);
}

static void test_held_answers_arrive_after_the_work_is_done(void **state)
{
	struct proxy *p = proxy_start(NULL);
	PGconn *c = PQconnectdb(proxy_conninfo(p)), *direct = test_connect();
	PGresult *res;
	(void)state;

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PQclear(PQexec(direct, "CREATE TABLE IF NOT EXISTS proxy_probe (n int)"));
	/* the proxied login is a station's (db/026): this probe is a test's own */
	PQclear(PQexec(direct, "GRANT INSERT ON proxy_probe TO PUBLIC"));
	PQclear(PQexec(direct, "TRUNCATE proxy_probe"));
	proxy_hold_answers(p);
	assert_int_equal(PQsendQuery(c, "INSERT INTO proxy_probe VALUES (7)"), 1);
	assert_false(answer_within(c, 700));
	/* The server committed although the client heard nothing. */
	assert_int_equal(test_scalar(direct, "SELECT count(*) FROM proxy_probe", 0, NULL), 1);
	proxy_thaw(p);
	assert_true(answer_within(c, 5000));
	res = PQgetResult(c);
	assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
	PQclear(res);
	while ((res = PQgetResult(c)))
		PQclear(res);
	PQclear(PQexec(direct, "DROP TABLE proxy_probe"));
	PQfinish(c);
	PQfinish(direct);
	proxy_stop(p);
}

static void test_frozen_proxy_accepts_and_never_answers(void **state)
{
	struct proxy *p = proxy_start(NULL);
	char conninfo[320];
	double t0;
	PGconn *c;
	(void)state;

	proxy_freeze(p);
	/* libpq's own connect_timeout is the only thing that ends this wait. */
	snprintf(conninfo, sizeof conninfo, "%s connect_timeout=2", proxy_conninfo(p));
	t0 = now_ms();
	c = PQconnectdb(conninfo);
	assert_int_equal(PQstatus(c), CONNECTION_BAD);
	assert_true(now_ms() - t0 >= 1500);
	PQfinish(c);
	proxy_thaw(p);
	c = PQconnectdb(proxy_conninfo(p));
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PQfinish(c);
	proxy_stop(p);
}

/* A command against a silent link ends within its deadline, exit 3, with
 * a message that says what happened. */
static void test_cli_frozen_link_ends_within_deadline(void **state)
{
	struct proxy *p = proxy_start(NULL);
	struct run_result r;
	double t0;
	(void)state;

	proxy_freeze(p);
	t0 = now_ms();
	r = run_cmd("BOXOFFICE_DEADLINE_MS=1500 $BOXOFFICE -d '%s' inventory --json", proxy_conninfo(p));
	assert_true(now_ms() - t0 < 3500);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "boxoffice: database unreachable: no answer from the database within 1500 ms"));
	run_free(&r);
	proxy_thaw(p);
	proxy_stop(p);
}

/* A command's deadline is for the whole command, not for each of its
 * calls (found by a hostile review: BOXOFFICE_DEADLINE_MS=3000 and a
 * silent link, `capacity` took 6 s): on a link slow enough that each
 * answer comes within a call's deadline but not all of them within the
 * command's, and on one frozen after each answer in turn (the n-th
 * ReadyForQuery), the command ends by its deadline, exit 3. */
static void test_cli_deadline_is_for_the_whole_command(void **state)
{
	struct proxy *p = proxy_start(NULL);
	char event[80];
	json_t *doc;
	long long ev;
	int failed = 0;
	(void)state;

	snprintf(event, sizeof event, "%s", unique_name("Budget"));
	doc = cli_json("$BOXOFFICE event add --name '%s' --date 2099-06-01", event);
	ev = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	json_decref(cli_json("$BOXOFFICE type add --event %lld --name Adult --capacity 100 --price 1000", ev));
	{
		struct run_result r;
		double t0 = now_ms(), took;
		proxy_delay_answers(p, 700);
		r = run_cmd("BOXOFFICE_DEADLINE_MS=2000 $BOXOFFICE -d '%s' capacity --event %lld --type Adult "
			    "--capacity 100 --reason budget",
			    proxy_conninfo_plain(p), ev);
		took = now_ms() - t0;
		if (took >= 3000 || r.status != 3)
			fail_msg("on a slow link capacity ended after %.0f ms, exit %d (deadline 2000 ms): %s", took,
				 r.status, r.err);
		if (!strstr(r.err, "no answer from the database within 2000 ms"))
			fail_msg("on a slow link: %s", r.err);
		run_free(&r);
		proxy_delay_answers(p, 0);
	}
	for (int n = 1; n <= 8; n++) {
		struct run_result r;
		double t0 = now_ms(), took;
		proxy_freeze_after_ready(p, n);
		r = run_cmd("BOXOFFICE_DEADLINE_MS=2000 $BOXOFFICE -d '%s' capacity --event %lld --type Adult "
			    "--capacity 100 --reason budget",
			    proxy_conninfo_plain(p), ev);
		took = now_ms() - t0;
		if (took >= 3000)
			fail_msg("frozen after answer %d: capacity ended after %.0f ms (deadline 2000 ms): %s", n, took,
				 r.err);
		if (r.status == 3) {
			failed++;
			if (!strstr(r.err, "no answer from the database within 2000 ms"))
				fail_msg("frozen after answer %d: %s", n, r.err);
		} else {
			assert_int_equal(r.status, 0); /* done before the freeze */
		}
		run_free(&r);
		proxy_thaw(p);
	}
	assert_true(failed >= 3);
	proxy_stop(p);
}

/* A statement whose answer never comes: the call returns at the deadline,
 * the connection is dropped, the error says so. */
static void test_statement_deadline_drops_the_link(void **state)
{
	struct proxy *p = proxy_start(NULL);
	struct db *db = db_new(proxy_conninfo(p), "deadline-test");
	PGresult *res;
	double t0, took;
	(void)state;

	db_set_deadline(db, 800);
	assert_true(db_connect(db));
	res = db_exec(db, "SELECT 1", 0, NULL);
	assert_non_null(res);
	PQclear(res);
	proxy_freeze(p);
	t0 = now_ms();
	res = db_exec(db, "SELECT 2", 0, NULL);
	took = now_ms() - t0;
	assert_null(res);
	assert_true(took >= 700 && took < 2000);
	assert_int_equal(db->status, DB_FAILED);
	assert_int_equal(db->state, DB_DISCONNECTED);
	assert_string_equal(db->err, "no answer from the database within 800 ms");
	proxy_thaw(p);
	/* and it comes back */
	assert_true(db_connect(db));
	res = db_exec(db, "SELECT 3", 0, NULL);
	assert_non_null(res);
	PQclear(res);
	db_free(db);
	proxy_stop(p);
}

static const char *conn_option(PGconn *c, const char *name, char *buf, size_t size)
{
	PQconninfoOption *opts = PQconninfo(c);
	buf[0] = '\0';
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, name) == 0 && o->val)
			snprintf(buf, size, "%s", o->val);
	PQconninfoFree(opts);
	return buf;
}

/* Keepalive and timeout defaults are there, and the user's conninfo wins. */
static void test_conninfo_overrides_connection_defaults(void **state)
{
	char conninfo[400], v[64];
	struct db *db;
	PGresult *res;
	(void)state;

	db = db_new(getenv("PGDATABASE"), "defaults-test");
	assert_true(db_connect(db));
	assert_string_equal(conn_option(db->conn, "keepalives", v, sizeof v), "1");
	assert_string_equal(conn_option(db->conn, "keepalives_idle", v, sizeof v), "5");
	assert_string_equal(conn_option(db->conn, "keepalives_interval", v, sizeof v), "2");
	assert_string_equal(conn_option(db->conn, "keepalives_count", v, sizeof v), "3");
	assert_string_equal(conn_option(db->conn, "tcp_user_timeout", v, sizeof v), "5000");
	/* the server sees the session's statement_timeout follow the deadline */
	res = db_exec(db, "SHOW statement_timeout", 0, NULL);
	assert_string_equal(PQgetvalue(res, 0, 0), "8s");
	PQclear(res);
	db_free(db);

	snprintf(conninfo, sizeof conninfo, "dbname=%s keepalives_idle=7 tcp_user_timeout=1234",
		 getenv("PGDATABASE"));
	db = db_new(conninfo, "defaults-test");
	assert_true(db_connect(db));
	assert_string_equal(conn_option(db->conn, "keepalives_idle", v, sizeof v), "7");
	assert_string_equal(conn_option(db->conn, "tcp_user_timeout", v, sizeof v), "1234");
	assert_string_equal(conn_option(db->conn, "keepalives_count", v, sizeof v), "3");
	db_free(db);
	/* a URI too */
	snprintf(conninfo, sizeof conninfo, "postgresql:///%s?keepalives_idle=9", getenv("PGDATABASE"));
	db = db_new(conninfo, "defaults-test");
	assert_true(db_connect(db));
	assert_string_equal(conn_option(db->conn, "keepalives_idle", v, sizeof v), "9");
	db_free(db);
}

static int count_lines_with(const char *screen, const char *text)
{
	int n = 0;
	for (const char *p = screen; (p = strstr(p, text)); p += strlen(text))
		n++;
	return n;
}

/* The orders screen on a link that goes silent: typing echoes at once, F1
 * answers, the header says OFFLINE after the deadline; when the link comes
 * back the list is read again and shows what the database has. */
static void test_orders_screen_on_a_frozen_link(void **state)
{
	struct proxy *p = proxy_start(NULL);
	long long event_id = make_event(unique_name("Frozen Link"), "2036-01-01", 0);
	char cmd[600], ids[24], *screen;
	const char *params[1] = { ids };
	PGconn *c = test_connect();
	struct tmux t;
	struct run_result r;
	double t0;
	(void)state;

	make_type(event_id, "Adult", 100, 1000, 1);
	r = run_cmd("for n in 1 2 3; do $BOXOFFICE sell --event %lld --type Adult --qty 1 --company \"Frost $n AB\" "
		    "|| exit 1; done; $BOXOFFICE sell --event %lld --type Adult --qty 1 --company 'Alpine AB'",
		    event_id, event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(ids, sizeof ids, "%lld", event_id);
	/* a URI: no spaces to quote through tmux and sh */
	snprintf(cmd, sizeof cmd,
		 "BOXOFFICE_DEADLINE_MS=2000 $BOXOFFICE -d postgresql://%s@127.0.0.1:%d/%s --station frozen "
		 "--screen orders --event %lld; sleep 30",
		 getenv("PGUSER"), proxy_port(p), getenv("PGDATABASE"), event_id);
	tmux_start(&t, "frozen", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Alpine AB", 10000));
	assert_true(tmux_wait_for(&t, "ONLINE", 1000));

	proxy_freeze(p);
	tmux_keys(&t, "/");
	t0 = now_ms();
	tmux_type(&t, "fro");
	/* echoed at once, while the read it starts gets no answer */
	assert_true(tmux_wait_for(&t, "Search fro", 300));
	assert_true(now_ms() - t0 < 300);
	assert_true(tmux_wait_for(&t, "loading", 500));
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of Ticket Orders", 500));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Search fro", 500));
	/* the deadline declares the link dead */
	assert_true(tmux_wait_for(&t, "OFFLINE", 4000));
	assert_true(tmux_wait_for(&t, "no answer from the database within 2000 ms", 1000));
	/* keys still answer */
	tmux_type(&t, "s");
	assert_true(tmux_wait_for(&t, "Search fros", 300));

	proxy_thaw(p);
	assert_true(tmux_wait_for(&t, "ONLINE", 15000));
	assert_true(tmux_wait_gone(&t, "Alpine AB", 5000));
	assert_true(tmux_wait_gone(&t, "loading", 5000));
	screen = tmux_capture(&t);
	assert_int_equal(count_lines_with(screen, "Frost "),
			 test_scalar(c, "SELECT count(*) FROM ticket_order WHERE event_id = $1 "
					"AND company ILIKE '%fros%'", 1, params));
	free(screen);
	tmux_stop(&t);
	proxy_stop(p);
	PQfinish(c);
}

/* Paging the orders list on a link gone silent: PgDn is a read queued on
 * the loop, so the list says "loading", F1 answers at once and the
 * deadline declares the link dead; back online, PgDn pages. Before, PgDn
 * read on the loop and the screen froze until the deadline. */
static void test_orders_paging_on_a_frozen_link(void **state)
{
	struct proxy *p = proxy_start(NULL);
	long long event_id = make_event(unique_name("Frozen Paging"), "2036-01-02", 0);
	char cmd[600];
	struct tmux t;
	struct run_result r;
	(void)state;

	make_type(event_id, "Adult", 100, 1000, 1);
	r = run_cmd("for n in $(seq 10 49); do $BOXOFFICE sell --event %lld --type Adult --qty 1 --company \"Page $n AB\" "
		    ">/dev/null || exit 1; done", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(cmd, sizeof cmd,
		 "BOXOFFICE_DEADLINE_MS=2000 $BOXOFFICE -d postgresql://%s@127.0.0.1:%d/%s --station frozen-pages "
		 "--screen orders --event %lld; sleep 30",
		 getenv("PGUSER"), proxy_port(p), getenv("PGDATABASE"), event_id);
	tmux_start(&t, "frozenpages", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Page 49 AB", 10000)); /* the newest first */
	assert_true(tmux_wait_for(&t, "ONLINE", 1000));
	{
		char *screen = tmux_capture(&t);
		assert_null(strstr(screen, "Page 10 AB"));
		free(screen);
	}

	proxy_freeze(p);
	tmux_keys(&t, "End");
	assert_true(tmux_wait_for(&t, "loading", 500));
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of Ticket Orders", 500));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "OFFLINE", 4000));
	assert_true(tmux_wait_for(&t, "Page 49 AB", 1000)); /* the page shown stays */

	proxy_thaw(p);
	assert_true(tmux_wait_for(&t, "ONLINE", 15000));
	assert_true(tmux_wait_gone(&t, "loading", 5000));
	tmux_keys(&t, "End");
	assert_true(tmux_wait_for(&t, "Page 10 AB", 5000));
	tmux_keys(&t, "Home");
	assert_true(tmux_wait_for(&t, "Page 49 AB", 5000));
	tmux_stop(&t);
	proxy_stop(p);
}

/* Typing past a read the server is still working on cancels it there: the
 * station's statement in pg_stat_activity is a new one at once (the old
 * one would wait for its lock), and what shows in the end matches the last
 * filter only. */
static void test_superseded_read_is_cancelled_on_the_server(void **state)
{
	long long event_id = make_event(unique_name("Supersede"), "2036-02-01", 0);
	char cmd[400], first[64] = "", now_start[64] = "";
	PGconn *c = test_connect(), *locker = test_connect();
	const char *station[1] = { "supersede-st" };
	struct tmux t;
	struct run_result r;
	PGresult *res;
	bool moved = false;
	(void)state;

	make_type(event_id, "Adult", 100, 1000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 1 --company 'Xylo AB' && "
		    "$BOXOFFICE sell --event %lld --type Adult --qty 1 --company 'Xeno AB'", event_id, event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station supersede-st --screen orders --event %lld; sleep 30", event_id);
	tmux_start(&t, "supersede", 100, 30, cmd);
	assert_true(tmux_wait_for(&t, "Xeno AB", 10000));

	/* Reads of the orders now wait on a lock. */
	PQclear(test_query(locker, "BEGIN", 0, NULL));
	PQclear(test_query(locker, "LOCK TABLE ticket_order IN ACCESS EXCLUSIVE MODE", 0, NULL));
	tmux_keys(&t, "/");
	tmux_type(&t, "x");
	for (int i = 0; i < 100 && !first[0]; i++) {
		res = test_query(c, "SELECT query_start::text, query FROM pg_stat_activity WHERE application_name = $1 "
				    "AND state = 'active' AND wait_event_type = 'Lock'", 1, station);
		if (PQntuples(res) == 1)
			snprintf(first, sizeof first, "%s", PQgetvalue(res, 0, 0));
		PQclear(res);
		if (!first[0])
			usleep(20 * 1000);
	}
	assert_true(first[0]);
	tmux_type(&t, "y");
	/* well within the station's lock_timeout (3 s) */
	for (int i = 0; i < 75 && !moved; i++) {
		const char *q[2] = { station[0], first };
		res = test_query(c, "SELECT query_start::text FROM pg_stat_activity WHERE application_name = $1 "
				    "AND state = 'active' AND query_start > $2::timestamptz", 2, q);
		if (PQntuples(res) == 1) {
			moved = true;
			snprintf(now_start, sizeof now_start, "%s", PQgetvalue(res, 0, 0));
		}
		PQclear(res);
		if (!moved)
			usleep(20 * 1000);
	}
	assert_true(moved);
	PQclear(test_query(locker, "ROLLBACK", 0, NULL));
	assert_true(tmux_wait_gone(&t, "Xeno AB", 3000));
	assert_true(tmux_wait_for(&t, "Xylo AB", 3000));
	assert_true(tmux_wait_gone(&t, "loading", 3000));
	{
		char *screen = tmux_capture(&t);
		assert_null(strstr(screen, "canceling statement"));
		assert_null(strstr(screen, "Xeno AB"));
		free(screen);
	}
	tmux_stop(&t);
	PQfinish(locker);
	PQfinish(c);
}

/* One read screen on a frozen link: opened (or re-read) while the link is
 * silent, it marks its figures loading, F1 help still opens at once, and
 * past the deadline it says it is offline rather than show old or empty
 * results as current. Then the link comes back. */
struct frozen_screen {
	const char *keys;    /* from anywhere: the menu, then the screen */
	const char *title;   /* its help's heading */
	const char *loading; /* its mark while the read is out */
	const char *offline; /* what it says past the deadline */
	const char *never;   /* what it must not say then */
	const char *typed;   /* typed after opening (a search), or NULL */
};

static void frozen_screen_check(struct tmux *t, struct proxy *p, const struct frozen_screen *fs, bool open_first)
{
	char help[80];
	double t0;

	if (open_first) { /* opened online; its timer's re-read goes out frozen */
		tmux_keys(t, fs->keys);
		assert_true(tmux_wait_gone(t, fs->loading, 5000));
		/* the gate's own offline cache is read at once, synchronously (not a figure) */
		assert_true(tmux_wait_gone(t, "no offline cache", 5000));
		proxy_freeze(p);
		assert_true(tmux_wait_for(t, fs->loading, 3000));
	} else {
		proxy_freeze(p);
		tmux_keys(t, fs->keys);
		if (fs->typed)
			tmux_type(t, fs->typed);
		assert_true(tmux_wait_for(t, fs->loading, 500));
	}
	t0 = now_ms();
	tmux_keys(t, "F1");
	snprintf(help, sizeof help, "Help: keys of %s", fs->title);
	assert_true(tmux_wait_for(t, help, 500));
	assert_true(now_ms() - t0 < 500);
	tmux_keys(t, "Escape");
	assert_true(tmux_wait_gone(t, help, 500));
	/* the deadline (2 s) declares the link dead; the screen says so */
	assert_true(tmux_wait_for(t, "OFFLINE", 4000));
	assert_true(tmux_wait_for(t, fs->offline, 1000));
	if (fs->never) {
		char *screen = tmux_capture(t);
		assert_null(strstr(screen, fs->never));
		free(screen);
	}
	proxy_thaw(p);
	assert_true(tmux_wait_for(t, "ONLINE", 15000));
	assert_true(tmux_wait_gone(t, fs->offline, 5000));
}

static void test_read_screens_on_a_frozen_link(void **state)
{
	struct proxy *p = proxy_start(NULL);
	long long event_id = make_event(unique_name("Frozen Reads"), "2036-03-01", 0);
	char cmd[600], ids[24], *screen, want[64];
	const char *params[1] = { ids };
	PGconn *c = test_connect();
	struct tmux t;
	struct run_result r;
	const struct frozen_screen screens[] = {
		{ "F2 1", "Events", "loading", "unavailable — offline", "No events yet", NULL },
		{ "F2 2", "Inventory", "loading", "unavailable — offline", NULL, NULL },
		{ "F2 4", "My Tickets", "loading", "unavailable — offline", "Nobody found", "zq" },
		{ "F2 7", "Organizations", "loading", "unavailable — offline", "No organizations", NULL },
		{ "F2 6", "Dashboard", "loading", "unavailable — offline", NULL, NULL },
	};
	const struct frozen_screen checkin = { "F2 5", "Check-in", "loading", "Counts unavailable (offline)", NULL, NULL };
	(void)state;

	make_type(event_id, "Adult", 100, 1000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 3 --payment card", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(ids, sizeof ids, "%lld", event_id);
	snprintf(cmd, sizeof cmd,
		 "BOXOFFICE_DEADLINE_MS=2000 $BOXOFFICE -d postgresql://%s@127.0.0.1:%d/%s --station frozen-reads "
		 "--event %lld; sleep 30",
		 getenv("PGUSER"), proxy_port(p), getenv("PGDATABASE"), event_id);
	tmux_start(&t, "frozenreads", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "ONLINE", 10000));

	for (size_t i = 0; i < sizeof screens / sizeof screens[0]; i++)
		frozen_screen_check(&t, p, &screens[i], false);

	/* Back on the dashboard: the figures are the database's. */
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 2 --payment card", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(want, sizeof want, "Tickets issued %lld ",
		 test_scalar(c, "SELECT count(*) FROM ticket WHERE event_id = $1 AND status = 'valid'", 1, params));
	assert_true(tmux_wait_for(&t, want, 5000));
	assert_true(tmux_wait_for(&t, "Live · updated", 3000));
	screen = tmux_capture(&t);
	assert_non_null(strstr(screen, "Tickets issued 5 "));
	free(screen);

	frozen_screen_check(&t, p, &checkin, true);
	tmux_stop(&t);
	proxy_stop(p);
	PQfinish(c);
}

/* The order detail and the assignment screen read without waiting too:
 * opened on a frozen link they answer F1 at once and say unavailable
 * after the deadline, never "not found" or "no tickets". */
static void test_order_screens_on_a_frozen_link(void **state)
{
	struct proxy *p = proxy_start(NULL);
	long long event_id = make_event(unique_name("Frozen Order"), "2036-03-02", 0);
	char cmd[600];
	struct tmux t;
	struct run_result r;
	const struct frozen_screen order = { "Enter", "Order", "loading", "unavailable — offline", "not found", NULL };
	const struct frozen_screen assign = { "a", "Assign tickets", "loading", "unavailable — offline", "No tickets",
					      NULL };
	(void)state;

	make_type(event_id, "Adult", 100, 1000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 2 --payment card --company 'Glacier AB'", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(cmd, sizeof cmd,
		 "BOXOFFICE_DEADLINE_MS=2000 $BOXOFFICE -d postgresql://%s@127.0.0.1:%d/%s --station frozen-order "
		 "--screen orders --event %lld; sleep 30",
		 getenv("PGUSER"), proxy_port(p), getenv("PGDATABASE"), event_id);
	tmux_start(&t, "frozenorder", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Glacier AB", 10000));
	assert_true(tmux_wait_for(&t, "ONLINE", 2000));

	frozen_screen_check(&t, p, &order, false);
	/* read again once online: the order itself */
	assert_true(tmux_wait_for(&t, "Glacier AB", 5000));
	assert_true(tmux_wait_gone(&t, "loading", 3000));
	frozen_screen_check(&t, p, &assign, false);
	assert_true(tmux_wait_for(&t, "Adult", 5000));
	tmux_stop(&t);
	proxy_stop(p);
}

static void test_sale_on_a_frozen_link_is_confirmed_once(void **state)
{
	struct proxy *p = proxy_start(NULL);
	long long event_id = make_event(unique_name("Frozen Sale"), "2036-02-01", 0);
	char cmd[600], ids[24];
	const char *params[1] = { ids };
	PGconn *c = test_connect();
	struct tmux t;
	double t0;
	(void)state;

	make_type(event_id, "Adult", 100, 1000, 1);
	snprintf(ids, sizeof ids, "%lld", event_id);
	snprintf(cmd, sizeof cmd,
		 "BOXOFFICE_DEADLINE_MS=2000 $BOXOFFICE -d postgresql://%s@127.0.0.1:%d/%s --station frozen-sale "
		 "--screen inventory --event %lld; sleep 60",
		 getenv("PGUSER"), proxy_port(p), getenv("PGDATABASE"), event_id);
	tmux_start(&t, "frozensale", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Adult", 10000));
	assert_true(tmux_wait_for(&t, "ONLINE", 2000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Sell Adult", 3000));
	tmux_keys(&t, "Tab Tab");
	tmux_type(&t, "Frozen Once");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "incl. VAT?", 3000));

	proxy_hold_answers(p);
	t0 = now_ms();
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "selling", 500));
	assert_true(now_ms() - t0 < 500);
	/* a second Enter is refused, not a second sale */
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "still selling", 500));
	t0 = now_ms();
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of Counter sale", 500));
	assert_true(now_ms() - t0 < 500);
	tmux_keys(&t, "Escape");
	/* the why first, then what to do */
	assert_true(tmux_wait_for(&t, "Not confirmed: no answer from the database within 2000 ms; check the", 5000));
	if (!tmux_wait_for(&t, "(Enter again once online is safe)", 1000)) {
		char *screen = tmux_capture(&t);
		fail_msg("no advice after the why:\n%s", screen);
	}
	assert_true(tmux_wait_for(&t, "OFFLINE", 2000));

	proxy_thaw(p);
	assert_true(tmux_wait_gone(&t, "OFFLINE", 15000));
	assert_true(tmux_wait_for(&t, "ONLINE", 1000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "incl. VAT?", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Order #", 5000));
	assert_int_equal(test_scalar(c, "SELECT count(*) FROM ticket_order WHERE event_id = $1 AND company = 'Frozen Once'",
				     1, params),
			 1);
	tmux_stop(&t);
	proxy_stop(p);
	PQfinish(c);
}

/* An order action whose answer the link loses says the why first, then
 * what to do: "order #N: not confirmed: <why>; check the order list" (it
 * said the advice first and the why in brackets after it). */
static void test_order_action_on_a_lost_answer_says_why_first(void **state)
{
	struct proxy *p = proxy_start(NULL);
	long long event_id = make_event(unique_name("Frozen Invoice"), "2036-02-03", 0), order_id;
	char cmd[600], ids[24], want[160];
	const char *params[1] = { ids };
	PGconn *c = test_connect();
	struct tmux t;
	struct run_result r;
	(void)state;

	make_type(event_id, "Adult", 100, 1000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment invoice --company 'Glacier AB'",
		    event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(ids, sizeof ids, "%lld", event_id);
	order_id = test_scalar(c, "SELECT max(id) FROM ticket_order WHERE event_id = $1", 1, params);
	snprintf(cmd, sizeof cmd,
		 "BOXOFFICE_DEADLINE_MS=2000 $BOXOFFICE -d postgresql://%s@127.0.0.1:%d/%s --station frozen-invoice "
		 "--screen orders --event %lld; sleep 60",
		 getenv("PGUSER"), proxy_port(p), getenv("PGDATABASE"), event_id);
	tmux_start(&t, "frozeninvoice", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Glacier AB", 10000));
	assert_true(tmux_wait_for(&t, "ONLINE", 2000));
	tmux_keys(&t, "i");
	assert_true(tmux_wait_for(&t, "Send the invoice", 5000));
	proxy_hold_answers(p); /* the server does the work; the answer never comes */
	tmux_keys(&t, "y");
	/* the status line says "database unreachable" next: F1 keeps the
	 * message, folded at 76 columns */
	assert_true(tmux_wait_for(&t, "database unreachable", 6000));
	tmux_keys(&t, "F1");
	snprintf(want, sizeof want, "order #%lld: not confirmed: no answer from the database within 2000 ms;", order_id);
	if (!tmux_wait_for(&t, want, 3000)) {
		char *screen = tmux_capture(&t);
		fail_msg("no '%s':\n%s", want, screen);
	}
	proxy_thaw(p);
	tmux_stop(&t);
	proxy_stop(p);
	PQfinish(c);
}

/* The new order's form on a lost answer: the why first, then what to do
 * ("Not confirmed — check the order list (…: why)" put it last). */
static void test_new_order_on_a_lost_answer_says_why_first(void **state)
{
	struct proxy *p = proxy_start(NULL);
	long long event_id = make_event(unique_name("Frozen New Order"), "2036-02-04", 0);
	char cmd[600];
	struct tmux t;
	(void)state;

	make_type(event_id, "Adult", 100, 1000, 1);
	snprintf(cmd, sizeof cmd,
		 "BOXOFFICE_DEADLINE_MS=2000 $BOXOFFICE -d postgresql://%s@127.0.0.1:%d/%s --station frozen-new "
		 "--screen orders --event %lld; sleep 60",
		 getenv("PGUSER"), proxy_port(p), getenv("PGDATABASE"), event_id);
	tmux_start(&t, "frozennew", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "ONLINE", 10000));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_for(&t, "New ticket order", 3000));
	assert_true(tmux_wait_for(&t, " × ", 5000)); /* the types are read */
	tmux_type(&t, "Frozen New AB");
	tmux_keys(&t, "Tab Tab Tab Tab");
	tmux_keys(&t, "2");
	assert_true(tmux_wait_for(&t, "Total, 2 tickets:", 3000));
	proxy_hold_answers(p); /* the server does the work; the answer never comes */
	tmux_keys(&t, "Enter");
	if (!tmux_wait_for(&t, "Not confirmed: no answer from the database within 2000 ms; check the", 6000) ||
	    !tmux_wait_for(&t, "(Enter again once online is safe)", 1000)) {
		char *screen = tmux_capture(&t);
		fail_msg("not the why first:\n%s", screen);
	}
	proxy_thaw(p);
	tmux_stop(&t);
	proxy_stop(p);
}

/* My Tickets' reissue on a link that goes silent: the station answers keys
 * at once while the write is out, says "not confirmed"-like words when the
 * deadline passes, and the screen works again once the link is back. */
static void test_reissue_on_a_frozen_link_keeps_the_station_live(void **state)
{
	struct proxy *p = proxy_start(NULL);
	long long event_id = make_event(unique_name("Frozen Lost"), "2036-03-05", 0);
	char cmd[600];
	PGconn *c = test_connect();
	struct tmux t;
	struct run_result r;
	long long order;
	double t0;
	(void)state;

	make_type(event_id, "Adult", 100, 1000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment free", event_id);
	assert_int_equal(r.status, 0);
	order = out_id(r.out);
	run_free(&r);
	r = run_cmd("$BOXOFFICE ticket assign %lld --name 'Frida Frozen' --email frida@example.com",
		    first_ticket(order));
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(cmd, sizeof cmd,
		 "BOXOFFICE_DEADLINE_MS=2000 $BOXOFFICE -d postgresql://%s@127.0.0.1:%d/%s --station frozen-lost "
		 "--screen mytickets --event %lld; sleep 60",
		 getenv("PGUSER"), proxy_port(p), getenv("PGDATABASE"), event_id);
	tmux_start(&t, "frozenlost", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Find", 10000));
	tmux_type(&t, "frida");
	assert_true(tmux_wait_for(&t, "not checked in", 5000));
	tmux_keys(&t, "F8");
	assert_true(tmux_wait_for(&t, "the old one stops working", 3000));

	proxy_hold_answers(p);
	t0 = now_ms();
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "reissuing ticket", 500));
	assert_true(now_ms() - t0 < 500);
	/* a second F8 waits for the first, not a second write */
	tmux_keys(&t, "F8");
	assert_true(tmux_wait_for(&t, "is being reissued", 500));
	t0 = now_ms();
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of My Tickets", 500));
	assert_true(now_ms() - t0 < 500);
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Reissue not confirmed", 5000));
	assert_true(tmux_wait_for(&t, "OFFLINE", 2000));

	proxy_thaw(p);
	assert_true(tmux_wait_gone(&t, "OFFLINE", 15000));
	/* the write either happened or not: never twice */
	{
		char ids[24];
		const char *params[1] = { ids };
		snprintf(ids, sizeof ids, "%lld", order);
		assert_true(test_scalar(c, "SELECT max(issue) FROM ticket WHERE order_id = $1", 1, params) <= 2);
	}
	tmux_stop(&t);
	proxy_stop(p);
	PQfinish(c);
}

/* An organization's edit and archive whose answers the link loses: the
 * write was made, so the station never says "Not saved" or nothing; it
 * says "not confirmed", and Enter once online finds its own save stored
 * and says Saved (not "changed at another station"). */
static void test_org_writes_on_a_lost_answer_are_not_confirmed(void **state)
{
	struct proxy *p = proxy_start(NULL);
	long long event_id = make_event(unique_name("Frozen Org"), "2036-02-02", 0), eo;
	char cmd[600], ids[24];
	const char *params[1] = { ids };
	PGconn *c = test_connect();
	struct tmux t;
	json_t *doc;
	(void)state;

	doc = cli_json("$BOXOFFICE org add --event %lld --name 'Glacier Partner' --relationship partner --json", event_id);
	eo = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	snprintf(ids, sizeof ids, "%lld", eo);
	snprintf(cmd, sizeof cmd,
		 "BOXOFFICE_DEADLINE_MS=2000 $BOXOFFICE -d postgresql://%s@127.0.0.1:%d/%s --station frozen-org "
		 "--screen organizations --event %lld; sleep 60",
		 getenv("PGUSER"), proxy_port(p), getenv("PGDATABASE"), event_id);
	tmux_start(&t, "frozenorg", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Glacier Partner", 10000));
	assert_true(tmux_wait_for(&t, "ONLINE", 2000));
	tmux_keys(&t, "e");
	assert_true(tmux_wait_for(&t, "Edit event organization", 5000));
	assert_true(tmux_wait_gone(&t, "reading it", 5000));
	tmux_keys(&t, "Down Down Down Down Down Down Down C-u");
	tmux_type(&t, "G1");
	proxy_hold_answers(p); /* the server does the work; the answer never comes */
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Not confirmed: the link dropped before the answer, so it may be saved", 6000));
	assert_int_equal(tmux_row_of(&t, "Not saved"), -1);
	proxy_thaw(p);
	assert_true(tmux_wait_gone(&t, "OFFLINE", 15000));
	assert_true(tmux_wait_for(&t, "ONLINE", 1000));
	tmux_keys(&t, "Enter");
	/* closed as saved, once (a conflict would keep the form open and say
	 * so). The save was made before the link dropped (version 2 already)
	 * unless a read of the screen's was out first with its answer held:
	 * then the save was never sent and this Enter made it. Either way,
	 * one save. */
	assert_true(tmux_wait_gone(&t, "Edit event organization", 5000));
	assert_int_equal(test_scalar(c, "SELECT count(*) FROM event_organization WHERE id = $1 AND booth = 'G1' "
					"AND version = 2", 1, params),
			 1);
	/* the archive, its answer lost: once the list's reads are answered */
	assert_true(tmux_wait_for(&t, " G1 ", 5000));
	usleep(700 * 1000);
	tmux_keys(&t, "x");
	assert_true(tmux_wait_for(&t, "Archive Glacier Partner? y/n", 3000));
	proxy_hold_answers(p);
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "Glacier Partner: archive not confirmed — see the list once online", 6000));
	proxy_thaw(p);
	assert_true(tmux_wait_gone(&t, "OFFLINE", 15000));
	/* once online the list says what happened, whichever it was */
	assert_true(tmux_wait_gone(&t, "archive not confirmed", 5000));
	if (test_scalar(c, "SELECT count(*) FROM event_organization WHERE id = $1 AND archived_at IS NOT NULL", 1,
			params))
		assert_true(tmux_wait_for(&t, "The 1 organization of this event is archived", 5000));
	else
		assert_true(tmux_wait_for(&t, "Glacier Partner", 5000));
	tmux_stop(&t);
	proxy_stop(p);
	PQfinish(c);
}

/* Settling an order whose row another session holds: the screen says
 * "settling…" and keeps answering keys; the lock timeout's refusal shows
 * when it comes, and once the lock goes the settle goes through. */
static void test_settle_behind_a_row_lock_keeps_the_screen_live(void **state)
{
	long long event_id = make_event(unique_name("Locked Settle"), "2036-03-01", 0);
	char cmd[600], ids[24], oid[24], want[80];
	const char *params[1] = { ids }, *oparams[1] = { oid };
	PGconn *c = test_connect(), *locker = test_connect();
	struct tmux t;
	struct run_result r;
	long long order_id;
	double t0;
	(void)state;

	make_type(event_id, "Adult", 100, 1000, 1);
	snprintf(ids, sizeof ids, "%lld", event_id);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment invoice --company 'Locked AB'", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	order_id = test_scalar(c, "SELECT max(id) FROM ticket_order WHERE event_id = $1", 1, params);
	assert_true(order_id > 0);
	snprintf(oid, sizeof oid, "%lld", order_id);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen orders --event %lld; sleep 60", event_id);
	tmux_start(&t, "lockedsettle", 100, 30, cmd);
	assert_true(tmux_wait_for(&t, "Locked AB", 10000));
	/* invoiced first (a write too): an invoice order settles from there */
	tmux_keys(&t, "i");
	assert_true(tmux_wait_for(&t, "Send the invoice", 5000));
	tmux_keys(&t, "y");
	snprintf(want, sizeof want, "order #%lld invoiced", order_id);
	assert_true(tmux_wait_for(&t, want, 5000));
	assert_true(tmux_wait_for(&t, "Invoice sent", 5000));

	PQclear(PQexec(locker, "BEGIN"));
	{
		PGresult *res = PQexecParams(locker, "SELECT id FROM ticket_order WHERE id = $1 FOR UPDATE", 1, NULL,
					     oparams, NULL, NULL, 0);
		assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
		PQclear(res);
	}
	tmux_keys(&t, "s");
	assert_true(tmux_wait_for(&t, "Payment reference", 3000));
	t0 = now_ms();
	tmux_keys(&t, "Enter");
	snprintf(want, sizeof want, "settling order #%lld", order_id);
	assert_true(tmux_wait_for(&t, want, 500));
	/* keys answer while the row is locked; a second write is refused */
	tmux_keys(&t, "s");
	assert_true(tmux_wait_for(&t, "still settling", 500));
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of Ticket Orders", 500));
	assert_true(now_ms() - t0 < 1500);
	tmux_keys(&t, "Escape");
	/* the lock timeout refuses it: shown, nothing settled */
	snprintf(want, sizeof want, "order #%lld: held by another station (waited 3 s): nothing done, try again",
		 order_id);
	assert_true(tmux_wait_for(&t, want, 6000));
	assert_true(tmux_wait_gone(&t, "settling order", 1000));
	assert_int_equal(tmux_row_of(&t, "lock timeout"), -1); /* said in words */
	assert_int_equal(test_scalar(c, "SELECT count(*) FROM ticket_order WHERE id = $1 AND status = 'settled'", 1,
				     oparams),
			 0);
	/* the lock goes: the same settle goes through */
	PQclear(PQexec(locker, "COMMIT"));
	tmux_keys(&t, "s");
	assert_true(tmux_wait_for(&t, "Payment reference", 3000));
	tmux_keys(&t, "Enter");
	snprintf(want, sizeof want, "order #%lld settled", order_id);
	assert_true(tmux_wait_for(&t, want, 5000));
	assert_true(tmux_wait_for(&t, " ONLINE", 2000));
	assert_int_equal(test_scalar(c, "SELECT count(*) FROM ticket_order WHERE id = $1 AND status = 'settled'", 1,
				     oparams),
			 1);
	tmux_stop(&t);
	PQfinish(locker);
	PQfinish(c);
}

/* A table another session has locked whole (a long ALTER, a LOCK TABLE):
 * reads wait too. The station keeps answering keys, says in words what
 * happened, and its header says BUSY (the link lives, the database is
 * jammed) until a request goes through again. */
static void test_locked_table_says_busy_in_words(void **state)
{
	long long event_id = make_event(unique_name("Locked Table"), "2036-03-03", 0);
	char cmd[600];
	PGconn *locker = test_connect();
	struct tmux t;
	struct run_result r;
	double t0;
	(void)state;

	make_type(event_id, "Adult", 100, 1000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment card --company 'Jammed AB'", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen orders --event %lld; sleep 60", event_id);
	tmux_start(&t, "lockedtable", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Jammed AB", 10000));
	assert_true(tmux_wait_for(&t, " ONLINE", 2000));

	PQclear(PQexec(locker, "BEGIN"));
	{
		PGresult *res = PQexec(locker, "LOCK TABLE ticket_order IN ACCESS EXCLUSIVE MODE");
		assert_int_equal(PQresultStatus(res), PGRES_COMMAND_OK);
		PQclear(res);
	}
	t0 = now_ms();
	tmux_keys(&t, "F5");
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of Ticket Orders", 1000));
	assert_true(now_ms() - t0 < 1500);
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, " BUSY", 8000));
	assert_true(tmux_wait_for(&t, "held by another station (waited 3 s)", 2000));
	assert_int_equal(tmux_row_of(&t, "lock timeout"), -1);
	assert_int_equal(tmux_row_of(&t, "OFFLINE"), -1);

	/* a command meets the same jam: its statement timeout, in words */
	r = run_cmd("BOXOFFICE_DEADLINE_MS=2000 $BOXOFFICE order list --event %lld --limit 2", event_id);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "database busy: no answer within 1.6 s, nothing done; try again"));
	run_free(&r);
	/* the lock goes: the station reads again by itself while BUSY, and
	 * the header says ONLINE without a key pressed */
	PQclear(PQexec(locker, "COMMIT"));
	assert_true(tmux_wait_for(&t, " ONLINE", 8000));
	assert_true(tmux_wait_for(&t, "Jammed AB", 3000));
	tmux_stop(&t);
	PQfinish(locker);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_proxy_freeze_is_silent_thaw_resumes),
		cmocka_unit_test(test_held_answers_arrive_after_the_work_is_done),
		cmocka_unit_test(test_frozen_proxy_accepts_and_never_answers),
		cmocka_unit_test(test_cli_frozen_link_ends_within_deadline),
		cmocka_unit_test(test_statement_deadline_drops_the_link),
		cmocka_unit_test(test_cli_deadline_is_for_the_whole_command),
		cmocka_unit_test(test_conninfo_overrides_connection_defaults),
		cmocka_unit_test(test_orders_screen_on_a_frozen_link),
		cmocka_unit_test(test_orders_paging_on_a_frozen_link),
		cmocka_unit_test(test_superseded_read_is_cancelled_on_the_server),
		cmocka_unit_test(test_read_screens_on_a_frozen_link),
		cmocka_unit_test(test_order_screens_on_a_frozen_link),
		cmocka_unit_test(test_sale_on_a_frozen_link_is_confirmed_once),
		cmocka_unit_test(test_order_action_on_a_lost_answer_says_why_first),
		cmocka_unit_test(test_new_order_on_a_lost_answer_says_why_first),
		cmocka_unit_test(test_reissue_on_a_frozen_link_keeps_the_station_live),
		cmocka_unit_test(test_org_writes_on_a_lost_answer_are_not_confirmed),
		cmocka_unit_test(test_settle_behind_a_row_lock_keeps_the_screen_live),
		cmocka_unit_test(test_locked_table_says_busy_in_words),
	};
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	PQfinish(test_migrate_connect());
	return cmocka_run_group_tests(tests, NULL, NULL);
}

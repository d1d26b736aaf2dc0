/* Issue 13, item 3: an offline gate decides by its check-in lists' rules.
 * Real `boxoffice checkin` processes reach the database through a loopback
 * proxy (tests/proxy.c); once each gate has refreshed its cache online the
 * proxy is stopped (connections refused: the database is away) and the
 * gates decide from their caches: a VIP-only list refuses a general
 * ticket in the database's words, a list whose window opens tomorrow says
 * "valid from …", an area is full by the gate's own count (marked
 * approximate), a re-entry list lets people out. Back online the journals
 * upload and the database's counts equal what its rows say. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "proxy.h"

static PGconn *conn;
static struct proxy *px;
static char ci[256]; /* the proxy's conninfo: the gates' link to the database */

static int setup(void **state)
{
	char dir[300];
	const char *tmp = getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp";
	(void)state;
	conn = test_migrate_connect();
	snprintf(dir, sizeof dir, "%s/state-entrances-offline-%d", tmp, (int)getpid());
	setenv("BOXOFFICE_STATE", dir, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	proxy_stop(px);
	PQfinish(conn);
	return 0;
}

/* The database reachable through the proxy again (a fresh one: new port). */
static void link_up(void)
{
	proxy_stop(px);
	px = proxy_start(NULL);
	snprintf(ci, sizeof ci, "%s", proxy_conninfo(px));
}

/* The database away for the gates: their link refuses connections. */
static void link_down(void)
{
	proxy_stop(px);
	px = NULL;
}

static void run_ok(const char *cmd)
{
	struct run_result r = run_cmd("%s", cmd);
	if (r.status != 0)
		fail_msg("%s: exit %d: %s %s", cmd, r.status, r.out, r.err);
	run_free(&r);
}

/* Sells qty tickets of a type; their tokens into tokens[0..qty). */
static void sell(long long event, const char *type, int qty, char tokens[][512])
{
	struct run_result r = run_cmd("$BOXOFFICE sell --event %lld --type %s --qty %d --payment free", event, type, qty);
	long long order;
	json_t *list, *t;
	size_t i;

	assert_int_equal(r.status, 0);
	order = out_id(r.out);
	run_free(&r);
	list = cli_json("$BOXOFFICE ticket list --order %lld --json", order);
	assert_int_equal((int)json_array_size(list), qty);
	json_array_foreach (list, i, t)
		snprintf(tokens[i], 512, "%s", json_string_value(json_object_get(t, "token")));
	json_decref(list);
}

/* The event the current test's gates are on (list names repeat across
 * the test database's events). */
static long long gate_event;

/* Runs a gate (via the proxy's conninfo) on the tokens; its verdict lines. */
static struct run_result gate(const char *name, const char *lists, const char *t1, const char *t2, const char *t3)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd, "printf '%%s\\n' %s%s%s%s%s%s%s%s%s | $BOXOFFICE -d '%s' checkin --gate %s --event %lld --list %s",
		 t1 ? "'" : "", t1 ? t1 : "", t1 ? "' " : "", t2 ? "'" : "", t2 ? t2 : "", t2 ? "' " : "",
		 t3 ? "'" : "", t3 ? t3 : "", t3 ? "'" : "", ci, name, gate_event, lists);
	if (!t1)
		snprintf(cmd, sizeof cmd, "$BOXOFFICE -d '%s' checkin --gate %s --event %lld --list %s </dev/null", ci, name,
			 gate_event, lists);
	return run_cmd("%s", cmd);
}

/* A gate run with nothing to scan (its journal uploads, its cache
 * refreshes), which must succeed. */
static void gate_ok(const char *name, const char *lists)
{
	struct run_result r = gate(name, lists, NULL, NULL, NULL);
	if (r.status != 0)
		fail_msg("gate %s: exit %d: %s %s", name, r.status, r.out, r.err);
	run_free(&r);
}

/* Line n (0-based) of the output as JSON. */
static json_t *line_json(const char *out, int n)
{
	const char *p = out;
	char buf[8192];
	size_t len;
	json_t *j;
	while (n-- > 0) {
		p = strchr(p, '\n');
		assert_non_null(p);
		p++;
	}
	len = strcspn(p, "\n");
	assert_true(len < sizeof buf);
	memcpy(buf, p, len);
	buf[len] = '\0';
	j = json_loads(buf, 0, NULL);
	if (!j)
		fail_msg("not a verdict line: %s", buf);
	return j;
}

static const char *str(json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));
	return s ? s : "";
}

/* Asserts line n's verdict, reason (a part of it) and offline flag. */
static json_t *expect(const char *out, int n, const char *verdict, const char *reason)
{
	json_t *j = line_json(out, n);
	if (strcmp(str(j, "verdict"), verdict) != 0 || !strstr(str(j, "reason"), reason) ||
	    !json_is_true(json_object_get(j, "offline")))
		fail_msg("line %d: wanted an offline %s \"%s\": %s", n, verdict, reason, out);
	return j;
}

static long long scalar1(const char *sql, long long arg)
{
	char a[24];
	const char *p[1] = { a };
	snprintf(a, sizeof a, "%lld", arg);
	return test_scalar(conn, sql, 1, p);
}

static long long list_id(long long event, const char *name)
{
	char e[24];
	const char *p[2] = { e, name };
	snprintf(e, sizeof e, "%lld", event);
	return test_scalar(conn, "SELECT id FROM checkin_list WHERE event_id = $1 AND name = $2", 2, p);
}

/* area show --json's inside, and the same from the scan rows. */
static void area_counts(long long event, const char *area, long long *shown, long long *rows)
{
	json_t *a = cli_json("$BOXOFFICE area show --event %lld --name '%s' --json", event, area);
	char e[24];
	const char *p[2] = { e, area };
	if (!json_is_integer(json_object_get(a, "inside")))
		fail_msg("area show --json has no inside");
	*shown = (long long)json_integer_value(json_object_get(a, "inside"));
	json_decref(a);
	snprintf(e, sizeof e, "%lld", event);
	*rows = test_scalar(conn,
			    "SELECT count(*) FILTER (WHERE c.direction = 'in') - count(*) FILTER (WHERE c.direction = 'out') "
			    "FROM checkin c JOIN area a ON a.id = c.area_id WHERE a.event_id = $1 AND a.name = $2",
			    2, p);
}

static void test_offline_list_type_and_window(void **state)
{
	static char gen[1][512], vip[2][512];
	char cmd[1024], day[32], from_text[64], evs[24];
	const char *p[2] = { evs, day };
	long long event = make_event(unique_name("Entrances Offline"), "2099-06-01", 0), vip_list;
	struct run_result r;
	PGresult *res;
	json_t *j;
	(void)state;
	gate_event = event;

	make_type(event, "General", 10, 1000, 1);
	make_type(event, "VIP", 10, 5000, 1);
	sell(event, "General", 1, gen);
	sell(event, "VIP", 2, vip);
	snprintf(evs, sizeof evs, "%lld", event);
	/* tomorrow by the event's clock, and how the database says 09:00 then */
	res = test_query(conn, "SELECT to_char((now() AT TIME ZONE e.time_zone)::date + 1, 'YYYY-MM-DD') FROM event e "
			       "WHERE e.id = $1", 1, p);
	snprintf(day, sizeof day, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	res = test_query(conn, "SELECT event_local_text($1, event_time($1, $2 || ' 09:00'))", 2, p);
	snprintf(from_text, sizeof from_text, "valid from %s", PQgetvalue(res, 0, 0));
	PQclear(res);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE list add --event %lld --name vip --types VIP", event);
	run_ok(cmd);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE list add --event %lld --name day2 --from '%s 09:00' --to '%s 18:00'",
		 event, day, day);
	run_ok(cmd);
	vip_list = list_id(event, "vip");

	/* online once: each gate's cache learns its list */
	link_up();
	r = gate("vipdoor", "vip", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = gate("daydoor", "day2", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	/* another gate admits VIP 1 on the list; vipdoor's next (incremental)
	 * refresh brings the ticket's pass */
	r = run_cmd("$BOXOFFICE checkin --gate other --event %lld --list vip --token '%s'", event, vip[1]);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = gate("vipdoor", "vip", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);

	link_down();
	r = gate("vipdoor", "vip", gen[0], vip[0], vip[0]);
	assert_int_equal(r.status, 1);
	if (!strstr(r.err, "working offline"))
		fail_msg("not offline: %s", r.err);
	json_decref(expect(r.out, 0, "reject", "VIP entrance only"));
	j = expect(r.out, 1, "admit", "offline");
	assert_string_equal(str(j, "list"), "vip");
	json_decref(j);
	json_decref(expect(r.out, 2, "reject", "already checked in"));
	run_free(&r);
	r = gate("vipdoor", "vip", vip[1], NULL, NULL);
	assert_int_equal(r.status, 1);
	json_decref(expect(r.out, 0, "reject", "already checked in (seen by this gate's cache)"));
	run_free(&r);
	/* a list is valid once on each: day2 would take VIP 1, but not today */
	r = gate("daydoor", "day2", vip[1], NULL, NULL);
	assert_int_equal(r.status, 1);
	json_decref(expect(r.out, 0, "reject", from_text));
	run_free(&r);

	/* back: the journal uploads and the database re-decides on the list */
	link_up();
	r = gate("vipdoor", "vip", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	if (!strstr(r.err, "uploaded 1 offline scans (0 conflicts)"))
		fail_msg("upload: %s", r.err);
	run_free(&r);
	assert_int_equal(scalar1("SELECT count(*) FROM checkin WHERE list_id = $1 AND offline AND direction = 'in'",
				 vip_list), 1);
	/* VIP 0 in offline, VIP 1 online at the other gate: one pass each */
	assert_int_equal(scalar1("SELECT count(*) FROM checkin_pass WHERE list_id = $1 AND scans = 1", vip_list), 2);
}

static void test_offline_area_counted_by_the_gate(void **state)
{
	static char t[8][512];
	char cmd[1024];
	long long event = make_event(unique_name("Entrances Area Offline"), "2099-06-02", 0), shown, rows;
	struct run_result r;
	json_t *j;
	(void)state;
	gate_event = event;

	make_type(event, "Adult", 20, 1000, 1);
	sell(event, "Adult", 8, t);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE area add --event %lld --name Hall --capacity 2", event);
	run_ok(cmd);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE area add --event %lld --name Lounge --capacity 1", event);
	run_ok(cmd);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE list add --event %lld --name main --area Hall", event);
	run_ok(cmd);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE list add --event %lld --name lounge --area Lounge", event);
	run_ok(cmd);

	link_up();
	r = gate("hall", "main", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = gate("lounge-a", "lounge", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = gate("lounge-b", "lounge", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);

	link_down();
	/* capacity 2, three entries at one gate: the third is refused */
	r = gate("hall", "main", t[0], t[1], t[2]);
	assert_int_equal(r.status, 1);
	j = expect(r.out, 0, "admit", "offline");
	assert_int_equal(json_integer_value(json_object_get(j, "inside")), 1);
	json_decref(j);
	j = expect(r.out, 1, "admit", "offline");
	assert_int_equal(json_integer_value(json_object_get(j, "inside")), 2);
	assert_true(json_is_true(json_object_get(j, "approximate")));
	json_decref(j);
	j = expect(r.out, 2, "reject", "Hall is full (2/2)");
	assert_true(json_is_true(json_object_get(j, "approximate")));
	assert_string_equal(str(j, "area"), "Hall");
	assert_int_equal(json_integer_value(json_object_get(j, "capacity")), 2);
	json_decref(j);
	if (!strstr(r.out, "\"full\":true"))
		fail_msg("no full flag: %s", r.out);
	run_free(&r);
	/* one place left in the lounge: two gates, each counting itself, admit */
	r = gate("lounge-a", "lounge", t[3], NULL, NULL);
	assert_int_equal(r.status, 0);
	json_decref(expect(r.out, 0, "admit", "offline"));
	run_free(&r);
	r = gate("lounge-b", "lounge", t[4], NULL, NULL);
	assert_int_equal(r.status, 0);
	json_decref(expect(r.out, 0, "admit", "offline"));
	run_free(&r);

	link_up();
	r = gate("hall", "main", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	if (!strstr(r.err, "uploaded 2 offline scans (0 conflicts)"))
		fail_msg("hall upload: %s", r.err);
	run_free(&r);
	area_counts(event, "Hall", &shown, &rows);
	assert_int_equal(shown, 2);
	assert_int_equal(rows, 2);
	r = gate("lounge-a", "lounge", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = gate("lounge-b", "lounge", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	/* offline admits are inside: the count passes the capacity and says so */
	area_counts(event, "Lounge", &shown, &rows);
	assert_int_equal(shown, 2);
	assert_int_equal(rows, 2);
}

static void test_offline_exit_on_a_reentry_list(void **state)
{
	static char t[1][512];
	char cmd[1024];
	long long event = make_event(unique_name("Entrances Reentry Offline"), "2099-06-03", 0), shown, rows, list;
	struct run_result r;
	json_t *j;
	(void)state;
	gate_event = event;

	make_type(event, "Adult", 5, 1000, 1);
	sell(event, "Adult", 1, t);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE area add --event %lld --name Tent --capacity 10", event);
	run_ok(cmd);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE list add --event %lld --name tent --reentry --area Tent", event);
	run_ok(cmd);
	list = list_id(event, "tent");

	link_up();
	r = gate("tent", "tent", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	run_free(&r);
	link_down();
	r = gate("tent", "tent", t[0], t[0], NULL);
	assert_int_equal(r.status, 0);
	j = expect(r.out, 0, "admit", "offline");
	assert_int_equal(json_integer_value(json_object_get(j, "inside")), 1);
	json_decref(j);
	j = expect(r.out, 1, "admit", "checked out");
	assert_int_equal(json_integer_value(json_object_get(j, "inside")), 0);
	json_decref(j);
	if (!strstr(r.out, "\"direction\":\"out\"") && !strstr(r.out, "checked out"))
		fail_msg("no exit: %s", r.out);
	run_free(&r);

	link_up();
	r = gate("tent", "tent", NULL, NULL, NULL);
	assert_int_equal(r.status, 0);
	if (!strstr(r.err, "uploaded 2 offline scans (0 conflicts)"))
		fail_msg("upload: %s", r.err);
	run_free(&r);
	assert_int_equal(scalar1("SELECT sum(scans) FROM checkin_pass WHERE list_id = $1", list), 2);
	assert_int_equal(scalar1("SELECT count(*) FROM checkin WHERE list_id = $1 AND direction = 'out' AND offline",
				 list), 1);
	area_counts(event, "Tent", &shown, &rows);
	assert_int_equal(shown, 0);
	assert_int_equal(rows, 0);
}

/* Found by the second hostile review. A gate process keeps its online
 * scans in its cache (the same gate offline later knows who it let in);
 * a gate whose cache did not know a ticket was inside lets it in again
 * offline, and the upload records a conflict, not an exit (db/025). */
static void test_online_scans_kept_and_upload_direction_held(void **state)
{
	char t[2][512], ev[24];
	const char *p[1] = { ev };
	long long event = make_event(unique_name("Direction"), "2029-05-02", 0), area, list;
	struct run_result r;
	json_t *j;
	(void)state;
	gate_event = event;

	make_type(event, "General", 20, 1000, 1);
	sell(event, "General", 2, t);
	area = cli_json_id("$BOXOFFICE area add --event %lld --name Hall --capacity 10", event);
	list = cli_json_id("$BOXOFFICE list add --event %lld --name dir-main --area Hall --reentry", event);
	link_up();
	r = gate("dir-b", "dir-main", NULL, NULL, NULL); /* B's cache: nobody inside */
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = gate("dir-a", "dir-main", t[0], t[1], NULL); /* A lets both in, online */
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\"offline\":false"));
	run_free(&r);
	link_down();
	/* A knows t1 is inside: its second scan is the way out */
	r = gate("dir-a", "dir-main", t[1], NULL, NULL);
	json_decref(expect(r.out, 0, "admit", "checked out"));
	run_free(&r);
	/* B does not know t0 is inside: in again, offline */
	r = gate("dir-b", "dir-main", t[0], NULL, NULL);
	j = expect(r.out, 0, "admit", "offline");
	assert_string_equal(str(j, "direction"), "in");
	json_decref(j);
	run_free(&r);
	link_up();
	gate_ok("dir-a", "dir-main");
	gate_ok("dir-b", "dir-main");
	snprintf(ev, sizeof ev, "%lld", list);
	/* t0: in once (A), B's entry a conflict, no exit recorded */
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM checkin WHERE list_id = $1 AND direction = 'out'", 1, p),
			 1);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM checkin_conflict c JOIN ticket k ON k.id = c.ticket_id "
					   "JOIN checkin_pass cp ON cp.ticket_id = k.id AND cp.list_id = $1 "
					   "WHERE c.reason LIKE 'entered while already inside%'",
				     1, p),
			 1);
	assert_int_equal(scalar1("SELECT inside FROM area WHERE id = $1", area), 1);
	assert_int_equal(scalar1("SELECT count(*) FILTER (WHERE direction = 'in') - count(*) FILTER (WHERE direction = 'out') "
				 "FROM checkin WHERE area_id = $1",
				 area),
			 1);
}

/* A gate whose clock ran ahead: its scan is stored at the server's time,
 * decided by the window as it is then, and a conflict says by how much. */
static void test_gate_clock_ahead(void **state)
{
	char t[1][512], path[600], line[2048], id[24];
	const char *p[1] = { id };
	long long event = make_event(unique_name("Fast clock"), "2029-05-03", 0), list, ticket;
	PGresult *res;
	FILE *f;
	struct run_result r;
	(void)state;
	gate_event = event;

	make_type(event, "General", 20, 1000, 1);
	sell(event, "General", 1, t);
	list = cli_json_id("$BOXOFFICE list add --event %lld --name fast", event);
	snprintf(id, sizeof id, "%lld", event);
	ticket = test_scalar(conn, "SELECT min(id) FROM ticket WHERE event_id = $1", 1, p);
	link_up();
	r = gate("fast", "fast", NULL, NULL, NULL); /* the gate's state folder */
	run_free(&r);
	res = test_query(conn, "SELECT id FROM database_identity", 0, NULL);
	snprintf(path, sizeof path, "%s/%s/gate-fast.journal", getenv("BOXOFFICE_STATE"), PQgetvalue(res, 0, 0));
	PQclear(res);
	/* what the gate journaled offline with its clock 3 hours ahead */
	{
		time_t ahead = time(NULL) + 3 * 3600;
		struct tm tm;
		char at[40];
		json_t *l;
		char *text;
		gmtime_r(&ahead, &tm);
		strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
		l = json_pack("{ss sI sI si ss ss ss s[I] sI ss}", "token", t[0], "ticket", (json_int_t)ticket, "event",
			      (json_int_t)event, "issue", 1, "gate", "fast", "at", at, "scan",
			      "6f1c7e4e-8d8e-4a57-9b7a-0c2f3f6a9b11", "lists", (json_int_t)list, "on", (json_int_t)list,
			      "direction", "in");
		text = json_dumps(l, JSON_COMPACT);
		snprintf(line, sizeof line, "%s\n", text);
		free(text);
		json_decref(l);
	}
	assert_non_null(f = fopen(path, "a"));
	fputs(line, f);
	fclose(f);
	gate_ok("fast", "fast");
	snprintf(id, sizeof id, "%lld", ticket);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM checkin WHERE ticket_id = $1 AND at <= now()", 1, p), 1);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM checkin_conflict WHERE ticket_id = $1 "
					   "AND reason LIKE 'the gate''s clock was % min ahead%'",
				     1, p),
			 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offline_list_type_and_window),
		cmocka_unit_test(test_offline_area_counted_by_the_gate),
		cmocka_unit_test(test_offline_exit_on_a_reentry_list),
		cmocka_unit_test(test_online_scans_kept_and_upload_direction_held),
		cmocka_unit_test(test_gate_clock_ahead),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

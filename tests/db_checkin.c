/* The entrance against the real database: QR images made by qrencode (an
 * independent encoder) and mangled by ImageMagick are admitted once and
 * rejected the second time with gate and time; 8 gate processes scanning
 * the same 100 tickets admit exactly 100; a gate keeps working with the
 * database stopped and uploads its journal when it is back. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "tmux.h"
#include "src/core/token.h"

static PGconn *conn;
static char tmp[200];
/* Gate state: <tmp>/state/<database identity>/gate-NAME.* */
static char gate_dir[400];

static int setup(void **state)
{
	char dir[300];
	PGresult *res;
	(void)state;
	conn = test_migrate_connect();
	snprintf(tmp, sizeof tmp, "%s", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp");
	snprintf(dir, sizeof dir, "%s/state", tmp);
	setenv("BOXOFFICE_STATE", dir, 1); /* gate caches and journals go to the test folder */
	res = test_query(conn, "SELECT id FROM database_identity", 0, NULL);
	snprintf(gate_dir, sizeof gate_dir, "%s/%s", dir, PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

/* An event with one settled order of n tickets; their tokens into a file. */
static char last_event_name[200];
/* Events of the later tests sort after everything the TUI tests look for
 * on their events screen (listed by date). */
static const char *event_date = "2028-01-01";

static long long event_with_tickets(const char *name, int n, bool reentry, char *tokens_path, size_t size)
{
	long long event;
	snprintf(last_event_name, sizeof last_event_name, "%s", unique_name(name));
	event = make_event(last_event_name, event_date, reentry);
	struct run_result r;
	long long order;

	make_type(event, "Adult", n + 10, 1000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty %d --payment free", event, n);
	assert_int_equal(r.status, 0);
	order = out_id(r.out);
	run_free(&r);
	snprintf(tokens_path, size, "%s/tokens-%lld.txt", tmp, event);
	r = run_cmd("$BOXOFFICE ticket list --order %lld --json | python3 -c "
		    "'import json,sys; [print(t[\"token\"]) for t in json.load(sys.stdin)]' > %s", order, tokens_path);
	assert_int_equal(r.status, 0);
	run_free(&r);
	return event;
}

static char *nth_token(const char *path, int n)
{
	static char line[512];
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	for (int i = 0; i <= n; i++)
		assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static int count_lines(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static void test_qrencode_images_admitted_once(void **state)
{
	static const char *const mangle[] = {
		"",                                       /* as made */
		"-rotate 90",                             /* badge held sideways */
		"-background white -rotate 23",           /* at an angle */
		"-resize 50%",                            /* far away */
		"-attenuate 0.4 +noise Gaussian",         /* noisy sensor */
		"-resize 70% -background white -gravity center -extent 640x480", /* in a camera frame */
	};
	char tokens[512];
	(void)state;
	event_with_tickets("Images", 6, false, tokens, sizeof tokens);
	for (int i = 0; i < 6; i++) {
		char png[300], cmd[4096];
		struct run_result r;
		snprintf(png, sizeof png, "%s/qr-%d.png", tmp, i);
		snprintf(cmd, sizeof cmd, "qrencode -l M -s 6 -o %s.raw.png '%s' && convert %s.raw.png %s %s",
			 png, nth_token(tokens, i), png, mangle[i], png);
		assert_int_equal(system(cmd), 0);
		r = run_cmd("$BOXOFFICE checkin --gate east-%d --image %s", i, png);
		if (r.status != 0)
			fail_msg("image %d (%s): %s %s", i, mangle[i], r.out, r.err);
		assert_non_null(strstr(r.out, "\"verdict\":\"admit\""));
		run_free(&r);
		r = run_cmd("$BOXOFFICE checkin --gate west --image %s", png);
		assert_int_equal(r.status, 1);
		assert_non_null(strstr(r.out, "already checked in at "));
		{
			char gate[32];
			snprintf(gate, sizeof gate, "at gate east-%d", i);
			assert_non_null(strstr(r.out, gate));
		}
		run_free(&r);
	}
}

static void test_codes_that_are_not_ours(void **state)
{
	char path[300], cmd[8192], tokens[512];
	struct run_result r;
	(void)state;
	event_with_tickets("Strangers", 2, false, tokens, sizeof tokens);
	snprintf(path, sizeof path, "%s/url.png", tmp);
	snprintf(cmd, sizeof cmd, "qrencode -o %s 'https://example.com/' && qrencode -o %s/wifi.png 'WIFI:S:net;T:WPA;P:x;;' "
		 "&& qrencode -s 6 -o %s/a.png '%s' && qrencode -s 6 -o %s/b.png '%s' "
		 "&& convert %s/a.png %s/b.png +append %s/two.png && convert %s/a.png -blur 0x12 %s/blur.png",
		 path, tmp, tmp, nth_token(tokens, 0), tmp, nth_token(tokens, 1), tmp, tmp, tmp, tmp, tmp);
	assert_int_equal(system(cmd), 0);
	r = run_cmd("$BOXOFFICE checkin --image %s --image %s/wifi.png --image %s/two.png --image %s/blur.png", path, tmp, tmp, tmp);
	assert_int_equal(r.status, 1);
	assert_int_equal(count_lines(r.out, "\"reject\""), 4);
	assert_int_equal(count_lines(r.out, "unknown code"), 2);
	assert_non_null(strstr(r.out, "two codes"));
	assert_non_null(strstr(r.out, "no QR code found"));
	run_free(&r);
	/* A one-character change: forged. A 1 MB line of garbage: rejected, the gate goes on. */
	{
		char bad[512];
		snprintf(bad, sizeof bad, "%s", nth_token(tokens, 0));
		bad[30] = bad[30] == 'Q' ? 'R' : 'Q';
		r = run_cmd("(head -c 1000000 /dev/urandom | tr -d '\\n'; echo; echo '%s'; echo '%s') | $BOXOFFICE checkin",
			    bad, nth_token(tokens, 0));
		assert_int_equal(r.status, 1);
		assert_int_equal(count_lines(r.out, "\n"), 3);
		assert_non_null(strstr(r.out, "garbage"));
		assert_true(strstr(r.out, "forged signature") || strstr(r.out, "unknown code"));
		assert_non_null(strstr(r.out, "\"admit\""));
		run_free(&r);
	}
}

static void test_eight_gates_one_admit_each(void **state)
{
	char tokens[512], ev[24];
	const char *p[1] = { ev };
	long long event = event_with_tickets("Rush", 100, false, tokens, sizeof tokens);
	struct run_result r;
	(void)state;
	/* 8 processes, each scanning all 100 tickets, all at once. */
	r = run_cmd("for g in 1 2 3 4 5 6 7 8; do $BOXOFFICE checkin --gate g$g < %s > %s/gate-$g.out & done; wait; "
		    "cat %s/gate-*.out | grep -c '\"verdict\":\"admit\"'", tokens, tmp, tmp);
	assert_int_equal(atoi(r.out), 100);
	run_free(&r);
	r = run_cmd("cat %s/gate-*.out | grep -c 'already checked in'", tmp);
	assert_int_equal(atoi(r.out), 700);
	run_free(&r);
	snprintf(ev, sizeof ev, "%lld", event);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM checkin c JOIN ticket k ON k.id = c.ticket_id "
					   "WHERE k.event_id = $1", 1, p), 100);
	assert_int_equal(test_scalar(conn, "SELECT count(DISTINCT ticket_id) FROM checkin c JOIN ticket k ON k.id = c.ticket_id "
					   "WHERE k.event_id = $1", 1, p), 100);
}

static void test_reentry_alternates(void **state)
{
	char tokens[512];
	struct run_result r;
	(void)state;
	event_with_tickets("Festival", 1, true, tokens, sizeof tokens);
	r = run_cmd("for i in 1 2 3; do echo '%s'; done | $BOXOFFICE checkin --gate main", nth_token(tokens, 0));
	assert_int_equal(r.status, 0);
	assert_int_equal(count_lines(r.out, "\"admit\""), 3);
	assert_int_equal(count_lines(r.out, "checked out"), 1);
	run_free(&r);
}

static void test_offline_gate_uploads_its_journal(void **state)
{
	char tokens[512], ev[24], journal[700];
	const char *p[1] = { ev };
	long long event = event_with_tickets("Offline", 4, false, tokens, sizeof tokens);
	struct run_result r;
	FILE *f;
	(void)state;

	snprintf(ev, sizeof ev, "%lld", event);
	/* While online the gate caches keys and ticket states. */
	r = run_cmd("$BOXOFFICE checkin --gate door --refresh-cache --token '%s'", nth_token(tokens, 0));
	assert_int_equal(r.status, 0);
	run_free(&r);
	/* Another gate admits ticket 3 online: door does not know yet. */
	r = run_cmd("$BOXOFFICE checkin --gate side --token '%s'", nth_token(tokens, 3));
	assert_int_equal(r.status, 0);
	run_free(&r);

	/* The database goes away. */
	assert_int_equal(system("sh src/sh/pg.sh stop \"$PGHOST\" >/dev/null 2>&1"), 0);
	{
		char t1[512], t2[512], t3[512];
		snprintf(t1, sizeof t1, "%s", nth_token(tokens, 1));
		snprintf(t2, sizeof t2, "%s", nth_token(tokens, 2));
		snprintf(t3, sizeof t3, "%s", nth_token(tokens, 3));
		r = run_cmd("printf '%%s\\n%%s\\n%%s\\n%%s\\n' '%s' '%s' '%s' '%s' | $BOXOFFICE checkin --gate door",
			    t1, t2, t1, t3);
	}
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "working offline"));
	assert_int_equal(count_lines(r.out, "\"offline\":true"), 4);
	if (count_lines(r.out, "\"admit\"") != 3)
		fail_msg("offline scans: %s", r.out);
	assert_int_equal(count_lines(r.out, "already checked in"), 1); /* 1 again */
	run_free(&r);
	snprintf(journal, sizeof journal, "%s/gate-door.journal", gate_dir);
	assert_non_null(f = fopen(journal, "r"));
	fclose(f);

	/* Back: the next run uploads the journal first. */
	assert_int_equal(system("PG_THROWAWAY=1 sh src/sh/pg.sh start \"$PGHOST\" boxoffice_test >/dev/null 2>&1"), 0);
	PQfinish(conn);
	conn = test_connect();
	r = run_cmd("$BOXOFFICE checkin --gate door --token '%s'", nth_token(tokens, 2));
	assert_int_equal(r.status, 1); /* 2 was admitted offline: now it is in */
	assert_non_null(strstr(r.err, "uploaded 3 offline scans (1 conflicts)"));
	assert_non_null(strstr(r.out, "at gate door"));
	run_free(&r);
	assert_null(fopen(journal, "r"));
	/* Counts match: 0, 1, 2, 3 in; one offline conflict recorded for 3. */
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM checkin c JOIN ticket k ON k.id = c.ticket_id "
					   "WHERE k.event_id = $1", 1, p), 4);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM checkin c JOIN ticket k ON k.id = c.ticket_id "
					   "WHERE k.event_id = $1 AND c.offline", 1, p), 2);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM checkin_conflict c JOIN ticket k ON k.id = c.ticket_id "
					   "WHERE k.event_id = $1 AND c.gate = 'door'", 1, p), 1);
}


static void db_stop(void)
{
	PQfinish(conn);
	conn = NULL;
	assert_int_equal(system("sh src/sh/pg.sh stop \"$PGHOST\" >/dev/null 2>&1"), 0);
}

static void db_start(void)
{
	assert_int_equal(system("PG_THROWAWAY=1 sh src/sh/pg.sh start \"$PGHOST\" boxoffice_test >/dev/null 2>&1"), 0);
	conn = test_connect();
}

/* The ticket id inside a token (checked against the database). */
static long long token_ticket(const char *token)
{
	struct ticket_claim c;
	assert_int_equal(token_peek(token, &c), TOKEN_VALID);
	return (long long)c.ticket_id;
}

static long long checkins_of(long long ticket, const char *gate)
{
	char t[24];
	const char *p[2] = { t, gate };
	snprintf(t, sizeof t, "%lld", ticket);
	return test_scalar(conn, "SELECT count(*) FROM checkin WHERE ticket_id = $1 AND gate = $2", 2, p);
}

/* Item 10: looking a key up never creates one; only minting does. */
static void test_verify_never_mints_keys(void **state)
{
	long long event = make_event(unique_name("Keyless"), "2099-02-01", 0);
	struct ticket_claim c = { .event_id = (uint64_t)event, .ticket_id = 1, .type_id = 1, .issue = 1 };
	unsigned char pk[TOKEN_PUBLIC_KEY_BYTES], sk[TOKEN_SECRET_KEY_BYTES];
	char token[TOKEN_MAX + 8], ev[24];
	const char *p[1] = { ev };
	struct run_result r;
	(void)state;

	snprintf(ev, sizeof ev, "%lld", event);
	assert_true(token_keypair(pk, sk));
	assert_true(token_mint(&c, sk, token, sizeof token));
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM event_key WHERE event_id = $1", 1, p), 0);
	r = run_cmd("$BOXOFFICE ticket verify '%s'", token);
	assert_int_equal(r.status, 1);
	run_free(&r);
	r = run_cmd("$BOXOFFICE checkin --gate keyless --token '%s'", token);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "\"reject\""));
	run_free(&r);
	r = run_cmd("$BOXOFFICE checkin --gate keyless --refresh-cache </dev/null");
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM event_key WHERE event_id = $1", 1, p), 0);
}

/* Item 12: a long UTF-8 name is shown whole (no cut mid-character). */
static void test_long_utf8_names_in_verdict(void **state)
{
	char tokens[512], name[1024], type[512], ev[24];
	long long event = event_with_tickets("Utf8", 1, false, tokens, sizeof tokens);
	long long ticket = token_ticket(nth_token(tokens, 0));
	struct run_result r;
	json_t *j;
	size_t o = 0;
	(void)state;
	event_date = "2099-01-01";

	snprintf(ev, sizeof ev, "%lld", event);
	name[o++] = 'a';
	for (int i = 0; i < 199; i++)
		o += (size_t)snprintf(name + o, sizeof name - o, "\xc3\xa9"); /* é */
	o = 0;
	type[o++] = 'x';
	for (int i = 0; i < 99; i++)
		o += (size_t)snprintf(type + o, sizeof type - o, "\xc3\xb8"); /* ø */
	r = run_cmd("$BOXOFFICE type add --event %lld --name '%s' --capacity 5 --price 100 && "
		    "$BOXOFFICE sell --event %lld --type '%s' --qty 1 --payment free", event, type, event, type);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_cmd("$BOXOFFICE ticket assign %lld --name '%s' --email long@example.com", ticket, name);
	assert_int_equal(r.status, 0);
	run_free(&r);
	{
		char t[24];
		const char *p[2] = { t, type };
		PGresult *res;
		snprintf(t, sizeof t, "%lld", ticket);
		res = test_query(conn, "SELECT order_id FROM ticket WHERE id = $1", 1, p);
		r = run_cmd("$BOXOFFICE ticket list --order %s --json | python3 -c "
			    "'import json,sys; print([t[\"token\"] for t in json.load(sys.stdin) if t[\"id\"] == %lld][0])' "
			    "> %s/utf8-token.txt", PQgetvalue(res, 0, 0), ticket, tmp);
		PQclear(res);
		assert_int_equal(r.status, 0);
		run_free(&r);
		/* and the ticket of the long-named type */
		res = test_query(conn, "SELECT k.order_id FROM ticket k JOIN ticket_type t ON t.id = k.type_id "
				       "WHERE t.name = $2 AND t.event_id = $1::bigint", 2, (const char *const[]){ ev, type });
		r = run_cmd("$BOXOFFICE ticket list --order %s --json | python3 -c "
			    "'import json,sys; print(json.load(sys.stdin)[0][\"token\"])' >> %s/utf8-token.txt",
			    PQgetvalue(res, 0, 0), tmp);
		PQclear(res);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	r = run_cmd("$BOXOFFICE checkin --gate utf8 < %s/utf8-token.txt", tmp);
	if (r.status != 0)
		fail_msg("%s %s", r.out, r.err);
	{
		char *second = strchr(r.out, '\n');
		assert_non_null(second);
		*second++ = '\0';
		assert_non_null(j = json_loads(r.out, 0, NULL));
		assert_non_null(json_string_value(json_object_get(j, "person")));
		assert_string_equal(json_string_value(json_object_get(j, "person")), name);
		json_decref(j);
		assert_non_null(j = json_loads(second, 0, NULL));
		assert_non_null(json_string_value(json_object_get(j, "type")));
		assert_string_equal(json_string_value(json_object_get(j, "type")), type);
		json_decref(j);
	}
	run_free(&r);
}

/* Items 8 and 9, and two processes of one station: what an offline gate
 * decides from its cache, and what it uploads. */
static void test_offline_cache_rules(void **state)
{
	char ta[512], tb[512], tz[512], a[3][512], b0[512], b1[512], z0[512], evname[200], journal[700], rejected[800];
	struct run_result r;
	const char *gate = "back\\slash";
	(void)state;
	event_date = "2099-01-01";

	event_with_tickets("Offline A", 3, false, ta, sizeof ta);
	snprintf(evname, sizeof evname, "%s", last_event_name);
	for (int i = 0; i < 3; i++)
		snprintf(a[i], sizeof a[i], "%s", nth_token(ta, i));
	event_with_tickets("Offline B", 2, false, tb, sizeof tb);
	snprintf(b0, sizeof b0, "%s", nth_token(tb, 0));
	snprintf(b1, sizeof b1, "%s", nth_token(tb, 1));
	/* 65 more events with keys, then the one whose ticket we scan */
	PQclear(test_query(conn, "WITH e AS (INSERT INTO event (name, date) SELECT 'Keyed ' || g || ' ' || clock_timestamp(), "
			 "'2099-04-01' FROM generate_series(1, 65) g RETURNING id) "
			 "INSERT INTO event_key (event_id, public_key, secret_key) "
			 "SELECT id, decode(repeat('ab', 32), 'hex'), decode(repeat('cd', 64), 'hex') FROM e", 0, NULL));
	event_with_tickets("Offline Z", 1, false, tz, sizeof tz);
	snprintf(z0, sizeof z0, "%s", nth_token(tz, 0));

	/* Online: the gate caches; then a1 is reissued; then the gate runs
	 * online again (and must refresh what it caches). */
	r = run_cmd("$BOXOFFICE checkin --gate '%s' --token '%s'", gate, a[0]);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_cmd("$BOXOFFICE ticket reissue %lld --reason lost", token_ticket(a[1]));
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_cmd("$BOXOFFICE checkin --gate '%s' </dev/null && $BOXOFFICE checkin --gate twin </dev/null", gate);
	assert_int_equal(r.status, 0);
	run_free(&r);

	db_stop();
	/* --event holds offline; the old QR of a reissued ticket is refused. */
	r = run_cmd("printf '%%s\\n%%s\\n%%s\\n' '%s' '%s' '%s' | $BOXOFFICE checkin --gate '%s' --event '%s'",
		    b0, a[1], a[2], gate, evname);
	if (count_lines(r.out, "\"admit\"") != 1 || !strstr(r.out, "other event") || !strstr(r.out, "reissued"))
		fail_msg("offline with --event: %s %s", r.out, r.err);
	assert_int_equal(count_lines(r.out, "\"offline\":true"), 3);
	run_free(&r);
	/* The 66th keyed event's ticket is known offline. */
	r = run_cmd("$BOXOFFICE checkin --gate '%s' --token '%s'", gate, z0);
	if (r.status != 0)
		fail_msg("66th event offline: %s %s", r.out, r.err);
	run_free(&r);
	/* Two processes of one station offline, the same ticket: one admit. */
	r = run_cmd("for i in 1 2 3 4; do $BOXOFFICE checkin --gate twin --token '%s' > %s/twin-$i.out & done; wait; "
		    "cat %s/twin-*.out | grep -c '\"verdict\":\"admit\"'", b1, tmp, tmp);
	assert_int_equal(atoi(r.out), 1);
	run_free(&r);
	/* A damaged line in the journal must not vanish. */
	snprintf(journal, sizeof journal, "%s/gate-%s.journal", gate_dir, "back%5Cslash");
	{
		FILE *f = fopen(journal, "a");
		assert_non_null(f);
		fputs("{\"token\":\"BX1:torn\", \"ticket\":\n", f);
		fclose(f);
	}
	db_start();

	r = run_cmd("$BOXOFFICE checkin --gate '%s' </dev/null", gate);
	assert_int_equal(r.status, 0);
	if (!strstr(r.err, "uploaded 2 offline scans"))
		fail_msg("upload: %s", r.err);
	assert_non_null(strstr(r.err, ".rejected"));
	run_free(&r);
	assert_int_equal(checkins_of(token_ticket(a[2]), gate), 1);
	assert_int_equal(checkins_of(token_ticket(z0), gate), 1);
	assert_int_equal(access(journal, F_OK), -1);
	snprintf(rejected, sizeof rejected, "%s.rejected", journal);
	{
		FILE *f = fopen(rejected, "r");
		char line[512];
		assert_non_null(f);
		assert_non_null(fgets(line, sizeof line, f));
		assert_non_null(strstr(line, "BX1:torn"));
		fclose(f);
	}
	r = run_cmd("$BOXOFFICE checkin --gate twin </dev/null");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "uploaded 1 offline scans (0 conflicts)"));
	run_free(&r);
	/* the 65 keyed events would crowd other tests' screens */
	PQclear(test_query(conn, "WITH k AS (DELETE FROM event_key WHERE event_id IN "
				 "(SELECT id FROM event WHERE name LIKE 'Keyed %') RETURNING event_id) "
				 "DELETE FROM event WHERE id IN (SELECT event_id FROM k)", 0, NULL));
}

/* Output lines so far of a background gate, waiting up to 30 s for n. */
static char *wait_lines(const char *path, int n)
{
	static char buf[65536];
	for (int i = 0; i < 600; i++) {
		FILE *f = fopen(path, "r");
		size_t len = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
		if (f)
			fclose(f);
		buf[len] = '\0';
		if (count_lines(buf, "\n") >= n)
			return buf;
		usleep(50000);
	}
	fail_msg("gate printed %d lines, waited for %d: %s", count_lines(buf, "\n"), n, buf);
	return NULL;
}

static const char *nth_line(const char *text, int n)
{
	static char line[4096];
	const char *p = text;
	for (int i = 0; i < n && p; i++)
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
	assert_non_null(p);
	snprintf(line, sizeof line, "%.*s", (int)strcspn(p, "\n"), p);
	return line;
}

/* Item 7: a running gate goes back online by itself. */
static void test_running_gate_reconnects(void **state)
{
	char tokens[512], fifo[300], out[300], err[300], cmd[1200], station[80], t[4][512];
	const char *p[1] = { station };
	struct run_result r;
	FILE *w;
	(void)state;
	event_date = "2099-01-01";

	if (!conn) /* an earlier test failed with the database stopped */
		db_start();
	event_with_tickets("Reconnect", 4, false, tokens, sizeof tokens);
	for (int i = 0; i < 4; i++)
		snprintf(t[i], sizeof t[i], "%s", nth_token(tokens, i));
	snprintf(station, sizeof station, "%s", unique_name("rc-station"));
	snprintf(fifo, sizeof fifo, "%s/rc.fifo", tmp);
	snprintf(out, sizeof out, "%s/rc.out", tmp);
	snprintf(err, sizeof err, "%s/rc.err", tmp);
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	snprintf(cmd, sizeof cmd, "%s --station '%s' checkin --gate rc < %s > %s 2> %s &", boxoffice_bin(), station,
		 fifo, out, err);
	assert_int_equal(system(cmd), 0);
	assert_non_null(w = fopen(fifo, "w"));
	setvbuf(w, NULL, _IOLBF, 0);

	fprintf(w, "%s\n", t[0]);
	assert_non_null(strstr(nth_line(wait_lines(out, 1), 0), "\"offline\":false"));
	/* Its backend is terminated: the next scan is decided online again. */
	assert_int_equal(test_scalar(conn, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
					   "WHERE application_name = $1", 1, p), 1);
	fprintf(w, "%s\n", t[1]);
	{
		const char *l = nth_line(wait_lines(out, 2), 1);
		if (!strstr(l, "\"admit\"") || !strstr(l, "\"offline\":false"))
			fail_msg("after pg_terminate_backend: %s", l);
	}
	/* The cluster restarts: offline meanwhile, then back by itself. */
	db_stop();
	fprintf(w, "%s\n", t[2]);
	{
		const char *l = nth_line(wait_lines(out, 3), 2);
		if (!strstr(l, "\"admit\"") || !strstr(l, "\"offline\":true"))
			fail_msg("database stopped: %s", l);
	}
	db_start();
	/* No input needed: the journal is uploaded in the background. */
	for (int i = 0; i < 600 && checkins_of(token_ticket(t[2]), "rc") == 0; i++)
		usleep(50000);
	assert_int_equal(checkins_of(token_ticket(t[2]), "rc"), 1);
	fprintf(w, "%s\n", t[3]);
	{
		const char *l = nth_line(wait_lines(out, 4), 3);
		if (!strstr(l, "\"admit\"") || !strstr(l, "\"offline\":false"))
			fail_msg("after restart: %s", l);
	}
	fclose(w);
	assert_int_equal(checkins_of(token_ticket(t[3]), "rc"), 1);
	r = run_cmd("for i in $(seq 100); do [ -s %s ] && grep -q 'uploaded 1 offline' %s && break; sleep 0.1; done; cat %s",
		    err, err, err);
	assert_non_null(strstr(r.out, "uploaded 1 offline scans"));
	run_free(&r);
	unlink(fifo);
}

/* Issue 11, item 4: a check-in undone by a supervisor is a check-out with
 * its reason (never a delete), logged with station and reason; the ticket
 * can then be admitted again, once. */
static void test_checkin_undo(void **state)
{
	char tokens[512], t0[512], t1[512], tk[24];
	const char *p[1] = { tk };
	struct run_result r;
	long long ticket;
	json_t *doc;
	(void)state;

	event_with_tickets("Undo", 2, false, tokens, sizeof tokens);
	snprintf(t0, sizeof t0, "%s", nth_token(tokens, 0));
	snprintf(t1, sizeof t1, "%s", nth_token(tokens, 1));
	ticket = token_ticket(t0);
	snprintf(tk, sizeof tk, "%lld", ticket);
	r = run_cmd("$BOXOFFICE checkin --gate north --token '%s'", t0);
	assert_int_equal(r.status, 0);
	run_free(&r);
	/* usage: no reason, an empty reason */
	r = run_cmd("$BOXOFFICE checkin undo %lld", ticket);
	assert_int_equal(r.status, 2);
	run_free(&r);
	r = run_cmd("$BOXOFFICE checkin undo %lld --reason ''", ticket);
	assert_int_equal(r.status, 2);
	run_free(&r);
	/* a ticket that is not checked in, one that does not exist */
	r = run_cmd("$BOXOFFICE checkin undo %lld --reason 'wrong person'", token_ticket(t1));
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "not checked in"));
	run_free(&r);
	r = run_cmd("$BOXOFFICE checkin undo 999999999 --reason 'wrong person'");
	assert_int_equal(r.status, 1);
	run_free(&r);
	/* the database away: refused clearly, nothing decided offline */
	r = run_cmd("$BOXOFFICE -d 'host=/nonexistent dbname=x connect_timeout=2' checkin undo %lld --reason x", ticket);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "checkin undo"));
	run_free(&r);

	r = run_cmd("$BOXOFFICE --station sup-1 checkin undo %lld --reason 'wrong person' --gate north", ticket);
	if (r.status != 0)
		fail_msg("undo: %s %s", r.out, r.err);
	doc = json_loads(r.out, 0, NULL);
	assert_non_null(doc);
	assert_true(json_is_true(json_object_get(doc, "undone")));
	assert_int_equal(json_integer_value(json_object_get(doc, "ticket")), ticket);
	json_decref(doc);
	run_free(&r);
	/* recorded as a check-out with its reason, the admit still there */
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM checkin WHERE ticket_id = $1", 1, p), 2);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM checkin WHERE ticket_id = $1 AND direction = 'out' "
					   "AND undo_reason = 'wrong person' AND gate = 'north' AND station = 'sup-1'", 1, p), 1);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM change_log WHERE entity = 'ticket' AND entity_id = $1 "
					   "AND action = 'checkin_undo' AND reason = 'wrong person' AND station = 'sup-1'", 1, p), 1);
	/* not checked in any more: a second undo is refused */
	r = run_cmd("$BOXOFFICE checkin undo %lld --reason again", ticket);
	assert_int_equal(r.status, 1);
	run_free(&r);
	/* admitted again, once: admits minus undos stays at most one */
	r = run_cmd("$BOXOFFICE checkin --gate north --token '%s' --token '%s'", t0, t0);
	assert_int_equal(r.status, 1);
	assert_int_equal(count_lines(r.out, "\"admit\""), 1);
	assert_int_equal(count_lines(r.out, "already checked in"), 1);
	run_free(&r);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FILTER (WHERE direction = 'in') - count(*) FILTER "
					   "(WHERE undo_reason IS NOT NULL) FROM checkin WHERE ticket_id = $1", 1, p), 1);
}

/* Issue 11, items 2 and 3: "other event" names the ticket's event, online
 * and offline; an offline verdict shows name and type from the cache; a
 * cache written before names were cached is loaded whole again. */
static void test_offline_verdicts_name_person_and_event(void **state)
{
	char ta[512], tb[512], a0[512], a1[512], b0[512], evname[200], bname[200], cache[700], other[300];
	struct run_result r;
	const char *gate = "names";
	(void)state;
	event_date = "2099-01-01";

	event_with_tickets("Names A", 2, false, ta, sizeof ta);
	snprintf(evname, sizeof evname, "%s", last_event_name);
	snprintf(a0, sizeof a0, "%s", nth_token(ta, 0));
	snprintf(a1, sizeof a1, "%s", nth_token(ta, 1));
	event_with_tickets("Harbour Jazz", 1, false, tb, sizeof tb);
	snprintf(bname, sizeof bname, "%s", last_event_name);
	snprintf(b0, sizeof b0, "%s", nth_token(tb, 0));
	snprintf(other, sizeof other, "ticket for %s", bname);
	r = run_cmd("$BOXOFFICE ticket assign %lld --name 'Åsa Öberg' --email asa@example.com --company 'Fjord AB'",
		    token_ticket(a0));
	assert_int_equal(r.status, 0);
	run_free(&r);

	/* online */
	r = run_cmd("$BOXOFFICE checkin --gate %s --event '%s' --token '%s'", gate, evname, b0);
	assert_int_equal(r.status, 1);
	if (!strstr(r.out, "other event") || !strstr(r.out, other))
		fail_msg("online other event: %s", r.out);
	run_free(&r);
	/* a cache as the gate wrote it before names were cached (no version
	 * line, five fields a ticket): the next online start loads it whole */
	snprintf(cache, sizeof cache, "%s/gate-%s.cache", gate_dir, gate);
	r = run_cmd("python3 -c \"import sys; p=sys.argv[1]; L=open(p).read().split(chr(10)); "
		    "L=[' '.join(l.split()[:6]) if l.startswith('T ') else l for l in L if not l[:2] in ('V ','Y ')]; "
		    "open(p,'w').write(chr(10).join(L))\" '%s' && $BOXOFFICE checkin --gate %s </dev/null", cache, gate);
	assert_int_equal(r.status, 0);
	run_free(&r);

	db_stop();
	r = run_cmd("printf '%%s\\n%%s\\n%%s\\n' '%s' '%s' '%s' | $BOXOFFICE checkin --gate %s --event '%s'", a0, a1, b0,
		    gate, evname);
	db_start();
	if (count_lines(r.out, "\"offline\":true") != 3 || count_lines(r.out, "\"admit\"") != 2)
		fail_msg("offline: %s %s", r.out, r.err);
	if (!strstr(r.out, "\"person\":\"\\u00C5sa \\u00D6berg\"") || !strstr(r.out, "\"company\":\"Fjord AB\"") ||
	    count_lines(r.out, "\"type\":\"Adult\"") != 2)
		fail_msg("offline verdicts without name or type: %s", r.out);
	if (!strstr(r.out, other))
		fail_msg("offline other event: %s", r.out);
	run_free(&r);
	r = run_cmd("$BOXOFFICE checkin --gate %s </dev/null", gate);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.err, "uploaded 2 offline scans"));
	run_free(&r);
}

/* The check-in screen's tests: one person with a long name and e-mail
 * holding an Adult (a) and a Child (b) ticket of a new event. */
struct door {
	long long event, a, b;
	char token_a[512], token_b[512], email[128];
};

static const char long_name[] = "山田太郎 Jr. Bartholomew Fitzgerald-Montgomery";

static void door_with_long_name(struct door *d)
{
	struct run_result r;
	long long order;

	d->event = make_event(unique_name("Door"), event_date, false);
	make_type(d->event, "Adult", 10, 1000, 1);
	make_type(d->event, "Child", 10, 500, 1);
	for (int i = 0; i < 2; i++) {
		r = run_cmd("$BOXOFFICE sell --event %lld --type %s --qty 1 --payment free", d->event, i ? "Child" : "Adult");
		assert_int_equal(r.status, 0);
		order = out_id(r.out);
		run_free(&r);
		if (i)
			d->b = order_ticket(order, 0, d->token_b, sizeof d->token_b);
		else
			d->a = order_ticket(order, 0, d->token_a, sizeof d->token_a);
	}
	snprintf(d->email, sizeof d->email, "yamada.bartholomew.%lld@example-company.example", d->a);
	r = run_cmd("$BOXOFFICE ticket assign %lld --name '%s' --email %s && $BOXOFFICE ticket assign %lld --name '%s' --email %s",
		    d->a, long_name, d->email, d->b, long_name, d->email);
	if (r.status != 0)
		fail_msg("assign: %s %s", r.out, r.err);
	run_free(&r);
}

static void door_start(struct tmux *t, const struct door *d, const char *session)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station door-%lld --screen checkin --event %lld; sleep 30", d->a, d->event);
	tmux_start(t, session, 80, 24, cmd);
	assert_true(tmux_wait_for(t, "checked in 0 / 2", 10000));
}

/* The screen line that holds text (a copy), or fails with the screen. */
static const char *line_with(const char *screen, const char *text)
{
	static char line[1024];
	const char *p = strstr(screen, text), *start;
	if (!p)
		fail_msg("'%s' not on the screen:\n%s", text, screen);
	for (start = p; start > screen && start[-1] != '\n'; start--)
		;
	snprintf(line, sizeof line, "%.*s", (int)strcspn(start, "\n"), start);
	return line;
}

/* F3 Find, one person with two tickets: each line starts with the
 * ticket's number and type, the name and e-mail cut with "…" at 80. */
static void test_find_lines_show_ticket_and_type(void **state)
{
	struct door d;
	struct tmux t;
	char what[2][64], *screen;
	(void)state;

	door_with_long_name(&d);
	door_start(&t, &d, "find");
	tmux_keys(&t, "F3");
	tmux_type(&t, "yamada.bartholomew");
	snprintf(what[0], sizeof what[0], "#%lld Adult  ", d.a);
	snprintf(what[1], sizeof what[1], "#%lld Child  ", d.b);
	assert_true(tmux_wait_for(&t, what[1], 3000));
	screen = tmux_capture(&t);
	for (int i = 0; i < 2; i++) {
		const char *l = line_with(screen, what[i]), *p = l + strspn(l, " ");
		if (strncmp(p, what[i], strlen(what[i])) != 0 || !strstr(l, "山田太郎 Jr.") || !strstr(l, "…"))
			fail_msg("not '%sName <e-mail…': '%s'\n%s", what[i], l, screen);
	}
	free(screen);
	tmux_stop(&t);
}

/* F3 finds a name of 150 characters of 3 bytes each typed whole (the
 * field takes 200): the search's pattern was cut at 420 bytes, inside a
 * character, and the database refused it ("Cannot search: invalid byte
 * sequence for encoding UTF8"). */
static void test_find_a_long_name_of_wide_characters(void **state)
{
	char name[150 * 3 + 1] = "", cmd[512], want[64];
	long long ev, order, ticket;
	struct run_result r;
	struct tmux t;
	(void)state;

	for (int i = 0; i < 150; i++)
		strcat(name, "\u5c71"); /* 山 */
	ev = make_event(unique_name("Wide Door"), event_date, false);
	make_type(ev, "Adult", 10, 1000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment free", ev);
	assert_int_equal(r.status, 0);
	order = out_id(r.out);
	run_free(&r);
	r = run_cmd("$BOXOFFICE ticket list --order %lld --json | python3 -c "
		    "'import json,sys; print(json.load(sys.stdin)[0][\"id\"])'", order);
	assert_int_equal(sscanf(r.out, "%lld", &ticket), 1);
	run_free(&r);
	r = run_cmd("$BOXOFFICE ticket assign %lld --name '%s' --email wide.%lld@example.com", ticket, name, ticket);
	if (r.status != 0)
		fail_msg("assign: %s %s", r.out, r.err);
	run_free(&r);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station door-w%lld --screen checkin --event %lld; sleep 30", ticket, ev);
	tmux_start(&t, "widefind", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "checked in 0 / 1", 10000));
	tmux_keys(&t, "F3");
	tmux_type(&t, name);
	snprintf(want, sizeof want, "#%lld Adult  \u5c71\u5c71", ticket);
	if (!tmux_wait_for(&t, want, 5000)) {
		char *screen = tmux_capture(&t);
		fail_msg("the whole name did not find its ticket:\n%s", screen);
	}
	assert_true(tmux_row_of(&t, "Cannot search") < 0);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "checked in 1 / 1", 5000));
	tmux_stop(&t);
}

/* Display column of text in a line whose characters before it are one
 * column each (times, marks, ASCII counts), or -1. */
static int column_of(const char *line, const char *text)
{
	const char *p = strstr(line, text);
	int col = 0;
	if (!p)
		return -1;
	for (const char *q = line; q < p; q++)
		col += ((unsigned char)*q & 0xC0) != 0x80;
	return col;
}

/* Last scans: an admit ("in"), a reject ("✗") and an exit ("out") of
 * one person: the name starts in the same column on every row. */
static void test_last_scans_names_line_up(void **state)
{
	struct door d;
	struct tmux t;
	char *screen, rows[3][1024];
	const char *marks[3] = { " in ", "✗ ", " out " };
	int col[3];
	(void)state;

	door_with_long_name(&d);
	door_start(&t, &d, "lineup");
	tmux_type(&t, d.token_a);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "checked in 1 / 2", 3000));
	tmux_type(&t, d.token_a);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "✗ 山田", 3000));
	tmux_keys(&t, "Down Down u");
	assert_true(tmux_wait_for(&t, "Reason: _", 3000));
	tmux_type(&t, "wrong person");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "checked in 0 / 2", 3000));
	screen = tmux_capture(&t);
	for (int i = 0; i < 3; i++) {
		const char *p = screen;
		rows[i][0] = '\0';
		/* the row of Last scans (right half) with this mark and the name */
		while ((p = strstr(p, "山田"))) {
			const char *start = p, *end = p + strcspn(p, "\n");
			while (start > screen && start[-1] != '\n')
				start--;
			snprintf(rows[i], sizeof rows[i], "%.*s", (int)(end - start), start);
			if (strstr(rows[i], marks[i]) && strstr(rows[i], ":"))
				break;
			rows[i][0] = '\0';
			p = end;
		}
		if (!rows[i][0])
			fail_msg("no Last scans row with '%s' and the name:\n%s", marks[i], screen);
		col[i] = column_of(rows[i], "山田");
	}
	if (col[0] != col[1] || col[0] != col[2])
		fail_msg("names start in columns %d (in), %d (✗), %d (out):\n%s\n%s\n%s", col[0], col[1], col[2], rows[0],
			 rows[1], rows[2]);
	free(screen);
	tmux_stop(&t);
}

/* An unknown code at the door says what to do next, in the verdict, whole
 * at 80 columns: find the person by name with F3. */
static void test_unknown_code_says_find_by_name(void **state)
{
	struct door d;
	struct tmux t;
	(void)state;

	door_with_long_name(&d);
	door_start(&t, &d, "unknown");
	tmux_type(&t, "garbage-not-a-token");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "unknown code", 3000));
	if (!tmux_wait_for(&t, "Ask their name, then F3 Find by name.", 1000)) {
		char *screen = tmux_capture(&t);
		fail_msg("no next step after an unknown code:\n%s", screen);
	}
	/* F3 then finds them */
	tmux_keys(&t, "F3");
	tmux_type(&t, "yamada.bartholomew");
	assert_true(tmux_wait_for(&t, "Adult  山田", 3000));
	tmux_stop(&t);
}

/* Undo of a long name at 80x24: the question's who, a long reason and the
 * status line "undone: …" are cut with "…", and what they ask or say
 * stays whole ("undo it? y/n", "may be admitted again"). */
static void test_undo_texts_cut_with_ellipsis(void **state)
{
	struct door d;
	struct tmux t;
	char *screen, row[1024], ticket[96];
	(void)state;

	door_with_long_name(&d);
	door_start(&t, &d, "undocut");
	tmux_type(&t, d.token_a);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "checked in 1 / 2", 3000));
	tmux_keys(&t, "Down u");
	snprintf(ticket, sizeof ticket, "Undo the check-in of #%lld, 山田", d.a);
	assert_true(tmux_wait_for(&t, ticket, 3000));
	screen = tmux_capture(&t);
	snprintf(row, sizeof row, "%s", line_with(screen, ticket));
	if (!strstr(row, "…"))
		fail_msg("undo question cut without '…': '%s'", row);
	free(screen);
	tmux_type(&t, "the wrong person was let in at the north door by a new clerk on the first evening shift");
	tmux_keys(&t, "Enter");
	if (!tmux_wait_for(&t, "— undo it? y/n", 3000)) {
		screen = tmux_capture(&t);
		fail_msg("the question is cut:\n%s", screen);
	}
	screen = tmux_capture(&t);
	snprintf(row, sizeof row, "%s", line_with(screen, "Reason: the wrong person"));
	if (!strstr(row, "… — undo it? y/n"))
		fail_msg("long reason not cut with '…' before the question: '%s'", row);
	free(screen);
	tmux_keys(&t, "y");
	if (!tmux_wait_for(&t, "may be admitted again", 3000)) {
		screen = tmux_capture(&t);
		fail_msg("the status line lost its end:\n%s", screen);
	}
	screen = tmux_capture(&t);
	snprintf(row, sizeof row, "%s", line_with(screen, "undone: #"));
	if (!strstr(row, "… may be admitted again"))
		fail_msg("status line not cut with '…': '%s'", row);
	free(screen);
	tmux_stop(&t);
}

/* An undo in Last scans at 80x24, a long name: "UNDO" and the start of
 * the reason stay in sight, the name and type cut with "…" before them,
 * the name in the column of the other rows. */
static void test_last_scans_undo_stays_in_sight(void **state)
{
	struct door d;
	struct tmux t;
	char *screen, row[1024], admit[1024];
	const char *undo, *name;
	(void)state;

	door_with_long_name(&d);
	door_start(&t, &d, "undosight");
	tmux_type(&t, d.token_a);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "checked in 1 / 2", 3000));
	tmux_keys(&t, "Down u");
	assert_true(tmux_wait_for(&t, "Reason: _", 3000));
	tmux_type(&t, "wrong person");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "checked in 0 / 2", 3000));
	/* the rows, not the status line's "undone: …" */
	if (!tmux_wait_for(&t, " out 山田", 3000)) {
		screen = tmux_capture(&t);
		fail_msg("no undo row in Last scans:\n%s", screen);
	}
	screen = tmux_capture(&t);
	snprintf(row, sizeof row, "%s", line_with(screen, " out 山田"));
	snprintf(admit, sizeof admit, "%s", line_with(screen, " in  山田"));
	undo = strstr(row, "· UNDO: wrong");
	name = strstr(row, "山田");
	if (!undo || !strstr(name, "…") || strstr(name, "…") > undo)
		fail_msg("undo row without '…' before '· UNDO: wrong': '%s'\n%s", row, screen);
	if (column_of(row, "山田") != column_of(admit, "山田"))
		fail_msg("names not in one column:\n%s\n%s", row, admit);
	free(screen);
	tmux_stop(&t);
}

/* Undone and admitted again within one minute: My Tickets says "in" (the
 * last scan by its time, not by its text, where "out" sorts after "in"). */
static void test_mytickets_last_scan_after_undo_same_minute(void **state)
{
	char tokens[512], t0[512], cmd[512], gate[64], said[96];
	struct run_result r;
	struct tmux t;
	long long event, ticket;
	char *screen;
	(void)state;

	event = event_with_tickets("Same Minute", 1, false, tokens, sizeof tokens);
	snprintf(t0, sizeof t0, "%s", nth_token(tokens, 0));
	ticket = token_ticket(t0);
	snprintf(gate, sizeof gate, "sm-%d", (int)getpid() % 100000); /* short: the line shows it whole */
	r = run_cmd("$BOXOFFICE ticket assign %lld --name 'Minnie Minute' --email minnie-%lld@example.com", ticket,
		    ticket);
	assert_int_equal(r.status, 0);
	run_free(&r);
	/* the three scans in one minute: start early in one */
	r = run_cmd("s=$(date +%%S); [ \"${s#0}\" -lt 45 ] || sleep $((61 - ${s#0})); "
		    "$BOXOFFICE checkin --gate '%s' --token '%s' && "
		    "$BOXOFFICE checkin undo %lld --reason 'wrong person' --gate '%s' && "
		    "$BOXOFFICE checkin --gate '%s' --token '%s'",
		    gate, t0, ticket, gate, gate, t0);
	if (r.status != 0)
		fail_msg("admit, undo, admit: %s %s", r.out, r.err);
	run_free(&r);

	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen mytickets --event %lld; sleep 30", event);
	tmux_start(&t, "minute", 140, 36, cmd); /* wide: the last scan's gate shows whole */
	assert_true(tmux_wait_for(&t, "Find", 10000));
	snprintf(said, sizeof said, "minnie-%lld@", ticket);
	tmux_type(&t, said);
	snprintf(said, sizeof said, " in at %s", gate);
	if (!tmux_wait_for(&t, said, 3000)) {
		screen = tmux_capture(&t);
		fail_msg("My Tickets does not say '%s':\n%s", said, screen);
	}
	screen = tmux_capture(&t);
	snprintf(said, sizeof said, " out at %s", gate);
	if (strstr(screen, said))
		fail_msg("My Tickets says '%s':\n%s", said, screen);
	free(screen);
	tmux_stop(&t);
}

/* A badge scanned while the undo's reason is being typed: the code is no
 * reason. The undo is left (nothing undone, the status line says so) and
 * the code is scanned as any other: the person at the gate is admitted. */
static void test_scan_during_undo_reason_is_a_scan(void **state)
{
	struct door d;
	struct tmux t;
	char *screen;
	(void)state;

	door_with_long_name(&d);
	door_start(&t, &d, "undoscan");
	tmux_type(&t, d.token_a);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "checked in 1 / 2", 3000));
	tmux_keys(&t, "Down u");
	assert_true(tmux_wait_for(&t, "Reason: _", 3000));
	tmux_type(&t, "lost badge");
	tmux_type(&t, d.token_b);
	tmux_keys(&t, "Enter");
	if (!tmux_wait_for(&t, "checked in 2 / 2", 3000)) {
		screen = tmux_capture(&t);
		fail_msg("the badge scanned into the reason was not admitted:\n%s", screen);
	}
	screen = tmux_capture(&t);
	if (!strstr(screen, "Undo left: a ticket was scanned") || strstr(screen, "y/n") ||
	    strstr(screen, "Reason:") || strstr(screen, "UNDO"))
		fail_msg("the undo not left with its reason, or something undone:\n%s", screen);
	free(screen);
	tmux_stop(&t);
}

/* u on a check-in after other scans: the undo prompt under no banner of
 * an earlier scan (here a reissued ticket's old QR refused). */
static void test_undo_prompt_without_stale_banner(void **state)
{
	struct door d;
	struct tmux t;
	struct run_result r;
	char *screen, ticket[96];
	(void)state;

	door_with_long_name(&d);
	r = run_cmd("$BOXOFFICE ticket reissue %lld --reason lost", d.b);
	assert_int_equal(r.status, 0);
	run_free(&r);
	door_start(&t, &d, "undobanner");
	tmux_type(&t, d.token_a);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "checked in 1 / 2", 3000));
	tmux_type(&t, d.token_b);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "reissued (old QR)", 3000));
	tmux_keys(&t, "Down Down u");
	snprintf(ticket, sizeof ticket, "Undo the check-in of #%lld", d.a);
	assert_true(tmux_wait_for(&t, ticket, 3000));
	screen = tmux_capture(&t);
	/* the banner's reason line (Last scans says "reissued (old QR)" too,
	 * after the name: the banner's line starts with it) */
	for (const char *p = screen; (p = strstr(p, "reissued (old QR)")); p++) {
		const char *start = p;
		while (start > screen && start[-1] != '\n')
			start--;
		while (start < p && *start == ' ')
			start++;
		if (start == p)
			fail_msg("the undo prompt under an earlier scan's banner:\n%s", screen);
	}
	if (strstr(screen, "█"))
		fail_msg("the undo prompt under an earlier scan's banner:\n%s", screen);
	free(screen);
	tmux_stop(&t);
}

/* "undone: … may be admitted again" goes once a later scan's verdict is
 * shown: it does not read as news after someone else is admitted. */
static void test_undone_note_goes_with_next_verdict(void **state)
{
	struct door d;
	struct tmux t;
	char *screen;
	(void)state;

	door_with_long_name(&d);
	door_start(&t, &d, "undonenote");
	tmux_type(&t, d.token_a);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "checked in 1 / 2", 3000));
	tmux_keys(&t, "Down u");
	assert_true(tmux_wait_for(&t, "Reason: _", 3000));
	tmux_type(&t, "wrong person");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "may be admitted again", 3000));
	assert_true(tmux_wait_for(&t, "checked in 0 / 2", 3000));
	tmux_type(&t, d.token_a);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "checked in 1 / 2", 3000));
	tmux_type(&t, d.token_b);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "checked in 2 / 2", 3000));
	screen = tmux_capture(&t);
	if (strstr(screen, "may be admitted again"))
		fail_msg("the undo's note outlived later verdicts:\n%s", screen);
	free(screen);
	tmux_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qrencode_images_admitted_once),
		cmocka_unit_test(test_codes_that_are_not_ours),
		cmocka_unit_test(test_eight_gates_one_admit_each),
		cmocka_unit_test(test_reentry_alternates),
		cmocka_unit_test(test_offline_gate_uploads_its_journal),
		cmocka_unit_test(test_verify_never_mints_keys),
		cmocka_unit_test(test_long_utf8_names_in_verdict),
		cmocka_unit_test(test_offline_cache_rules),
		cmocka_unit_test(test_running_gate_reconnects),
		cmocka_unit_test(test_checkin_undo),
		cmocka_unit_test(test_offline_verdicts_name_person_and_event),
		cmocka_unit_test(test_mytickets_last_scan_after_undo_same_minute),
		cmocka_unit_test(test_find_lines_show_ticket_and_type),
		cmocka_unit_test(test_find_a_long_name_of_wide_characters),
		cmocka_unit_test(test_last_scans_names_line_up),
		cmocka_unit_test(test_unknown_code_says_find_by_name),
		cmocka_unit_test(test_undo_texts_cut_with_ellipsis),
		cmocka_unit_test(test_last_scans_undo_stays_in_sight),
		cmocka_unit_test(test_scan_during_undo_reason_is_a_scan),
		cmocka_unit_test(test_undo_prompt_without_stale_banner),
		cmocka_unit_test(test_undone_note_goes_with_next_verdict),
	};
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests_name("checkin", tests, setup, teardown);
}

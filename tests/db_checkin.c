/* The entrance against the real database: QR images made by qrencode (an
 * independent encoder) and mangled by ImageMagick are admitted once and
 * rejected the second time with gate and time; 8 gate processes scanning
 * the same 100 tickets admit exactly 100; a gate keeps working with the
 * database stopped and uploads its journal when it is back. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static PGconn *conn;
static char tmp[200];

static int setup(void **state)
{
	(void)state;
	conn = test_migrate_connect();
	snprintf(tmp, sizeof tmp, "%s", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp");
	setenv("BOXOFFICE_VAR", tmp, 1); /* gate caches and journals go to the test folder */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

/* An event with one settled order of n tickets; their tokens into a file. */
static long long event_with_tickets(const char *name, int n, bool reentry, char *tokens_path, size_t size)
{
	long long event = make_event(unique_name(name), "2028-01-01", reentry);
	struct run_result r;
	long long order;

	make_type(event, "Adult", n + 10, 1000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty %d --payment free", event, n);
	assert_int_equal(r.status, 0);
	order = atoll(strstr(r.out, "\"id\":") + 5);
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
	snprintf(journal, sizeof journal, "%s/gate-door.journal", tmp);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qrencode_images_admitted_once),
		cmocka_unit_test(test_codes_that_are_not_ours),
		cmocka_unit_test(test_eight_gates_one_admit_each),
		cmocka_unit_test(test_reentry_alternates),
		cmocka_unit_test(test_offline_gate_uploads_its_journal),
	};
	return cmocka_run_group_tests_name("checkin", tests, setup, teardown);
}

/* A failing platform shows on the supervisor's dashboard at 80x24 even when
 * the event's totals fill the screen: the channels' summary takes the last
 * row rather than falling off the bottom (a new supervisor found no
 * Channels line at the station size while a channel was dead). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake.h"
#include "helpers.h"
#include "http.h"
#include "tmux.h"

static PGconn *conn;

static int setup(void **state)
{
	(void)state;
	conn = test_migrate_connect();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

static void test_failing_channel_shows_on_a_full_dashboard(void **state)
{
	struct fake f;
	struct served s;
	struct tmux t;
	struct run_result r;
	long long ev = make_event(unique_name("Full dash"), "2027-06-09", 0), ty = 0;
	char name[48], cmd[400], *screen;

	(void)state;
	/* more types than 24 rows can show with the orders and tickets */
	for (int i = 0; i < 18; i++) {
		char tn[32];
		snprintf(tn, sizeof tn, "Type %02d", i);
		ty = make_type(ev, tn, 100, 1000, 1);
	}
	snprintf(name, sizeof name, "fulldash_%ld", (long)getpid() % 100000);
	fake_start(&f);
	r = run_cmd("\"$BOXOFFICE\" channel add %s --platform webhook --url %s/hook --credentials whsec_test_0123456789 "
		    "--backoff-ms 200 --retry-limit 100 --json && \"$BOXOFFICE\" platform map --platform %s --sku FD-1 "
		    "--event %lld --type %lld --json",
		    name, fake_url(&f), name, ev, ty);
	if (r.status)
		print_message("%s\n", r.err);
	assert_int_equal(r.status, 0);
	run_free(&r);
	fake_mode(&f, "fail", 500, 0);
	serve_start(&s, NULL);
	r = run_cmd("\"$BOXOFFICE\" sell --event %lld --type %lld --qty 1 --payment card", ev, ty);
	assert_int_equal(r.status, 0);
	run_free(&r);

	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen dashboard --event %lld; sleep 30", ev);
	tmux_start(&t, "fulldash", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Type 05", 10000));
	if (!tmux_wait_for(&t, "1 failing", 15000)) {
		screen = tmux_capture(&t);
		print_message("%s\n", screen);
		free(screen);
		fail();
	}
	screen = tmux_capture(&t);
	assert_non_null(strstr(screen, "Channels 1"));
	/* and the totals above it still start at the top */
	assert_non_null(strstr(screen, "SEATS"));
	free(screen);
	fake_mode(&f, "ok", 0, 0);
	assert_true(tmux_wait_for(&t, "0 failing", 15000));
	tmux_stop(&t);
	r = run_cmd("\"$BOXOFFICE\" channel disable %s", name);
	run_free(&r);
	assert_int_equal(serve_stop(&s), 0);
	fake_stop(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failing_channel_shows_on_a_full_dashboard),
	};
	return cmocka_run_group_tests_name("dashboard_channels", tests, setup, teardown);
}

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
	/* what does not fit is said so and scrolled to: the orders at the
	 * end, the totals back at the top */
	assert_true(tmux_wait_for(&t, "more line(s) below", 2000));
	tmux_keys(&t, "End");
	assert_true(tmux_wait_for(&t, "more line(s) above", 3000));
	assert_true(tmux_wait_for(&t, "Settled", 3000));
	assert_true(tmux_wait_for(&t, "Type 17", 3000));
	tmux_keys(&t, "Home");
	assert_true(tmux_wait_for(&t, "Tickets issued", 3000));
	assert_true(tmux_wait_gone(&t, "more line(s) above", 3000));
	tmux_stop(&t);
	r = run_cmd("\"$BOXOFFICE\" channel disable %s", name);
	run_free(&r);
	assert_int_equal(serve_stop(&s), 0);
	fake_stop(&f);
}

/* The channel's row of `channel status --json` (caller frees). */
static json_t *status_of(const char *name)
{
	struct run_result r = run_cmd("\"$BOXOFFICE\" channel status --json");
	json_t *all = json_loads(r.out, 0, NULL), *c, *found = NULL;
	size_t i;
	run_free(&r);
	json_array_foreach(all, i, c)
		if (strcmp(json_string_value(json_object_get(c, "name")), name) == 0)
			found = json_incref(c);
	json_decref(all);
	assert_non_null(found);
	return found;
}

/* A dead letter keeps the channel's lag growing although nothing is
 * pending, and the last error stops being shown once a push succeeded. */
static void test_status_lag_counts_dead_letters_and_old_errors_go(void **state)
{
	struct fake f;
	struct served s;
	struct run_result r;
	long long ev = make_event(unique_name("Lag dead"), "2027-06-10", 0);
	long long ty = make_type(ev, "Adult", 100, 1000, 1);
	char name[48];
	json_t *c = NULL;

	(void)state;
	snprintf(name, sizeof name, "lagdead_%ld", (long)getpid() % 100000);
	fake_start(&f);
	r = run_cmd("\"$BOXOFFICE\" channel add %s --platform webhook --url %s/hook --credentials whsec_test_0123456789 "
		    "--backoff-ms 50 --retry-limit 1 --json && \"$BOXOFFICE\" platform map --platform %s --sku LD-1 "
		    "--event %lld --type %lld --json",
		    name, fake_url(&f), name, ev, ty);
	assert_int_equal(r.status, 0);
	run_free(&r);
	fake_mode(&f, "fail", 500, 0);
	serve_start(&s, NULL);
	r = run_cmd("\"$BOXOFFICE\" sell --event %lld --type %lld --qty 1 --payment card", ev, ty);
	assert_int_equal(r.status, 0);
	run_free(&r);
	for (int i = 0; i < 200; i++) {
		json_decref(c);
		c = status_of(name);
		if (json_integer_value(json_object_get(c, "dead")) == 1)
			break;
		usleep(50 * 1000);
	}
	assert_int_equal(json_integer_value(json_object_get(c, "dead")), 1);
	assert_int_equal(json_integer_value(json_object_get(c, "pending")), 0);
	usleep(1200 * 1000);
	json_decref(c);
	c = status_of(name);
	assert_true(json_number_value(json_object_get(c, "lag_seconds")) >= 1.0);
	assert_true(json_is_string(json_object_get(c, "last_error")));

	fake_mode(&f, "ok", 0, 0);
	r = run_cmd("\"$BOXOFFICE\" channel retry --channel %s --json", name);
	assert_int_equal(r.status, 0);
	run_free(&r);
	for (int i = 0; i < 200; i++) {
		json_decref(c);
		c = status_of(name);
		if (json_integer_value(json_object_get(c, "dead")) == 0 && json_integer_value(json_object_get(c, "pending")) == 0 &&
		    json_is_string(json_object_get(c, "last_success")))
			break;
		usleep(50 * 1000);
	}
	assert_true(json_is_string(json_object_get(c, "last_success")));
	assert_true(json_is_null(json_object_get(c, "last_error")));
	assert_true(json_number_value(json_object_get(c, "lag_seconds")) < 1.0);
	json_decref(c);
	r = run_cmd("\"$BOXOFFICE\" channel disable %s", name);
	run_free(&r);
	assert_int_equal(serve_stop(&s), 0);
	fake_stop(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_failing_channel_shows_on_a_full_dashboard),
		cmocka_unit_test(test_status_lag_counts_dead_letters_and_old_errors_go),
	};
	return cmocka_run_group_tests_name("dashboard_channels", tests, setup, teardown);
}

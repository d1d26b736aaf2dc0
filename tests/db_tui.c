/* The terminal screens, used the way a person uses them: tmux runs the real
 * binary against the test database; keys go in, the screen is read back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "tmux.h"

static void test_tui_opens_navigates_and_quits(void **state)
{
	struct tmux t;
	const char *ev = unique_name("Screen Gala");
	char *screen;
	(void)state;

	make_event(ev, "2030-01-01", 1);
	tmux_start(&t, "shell", 100, 30, "$BOXOFFICE --station gate-tui; echo EXITED rc=$?; sleep 30");
	assert_true(tmux_wait_for(&t, "ONLINE", 10000));
	screen = tmux_capture(&t);
	assert_non_null(strstr(screen, "boxoffice"));
	assert_non_null(strstr(screen, "Main menu"));
	assert_non_null(strstr(screen, "Station: gate-tui"));
	assert_non_null(strstr(screen, "F1Help"));
	assert_non_null(strstr(screen, "F10Quit"));
	free(screen);

	/* The events screen lists what the database has, live. */
	tmux_keys(&t, "1");
	assert_true(tmux_wait_for(&t, "RE-ENTRY", 3000));
	assert_true(tmux_wait_for(&t, ev, 3000));
	/* An event added by another process appears without a key press. */
	{
		const char *later = unique_name("Late Addition");
		make_event(later, "2030-02-01", 0);
		assert_true(tmux_wait_for(&t, later, 3000));
	}
	/* Choosing an event puts it in the header. */
	tmux_keys(&t, "End");
	tmux_keys(&t, "Up");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "working on", 3000));

	/* F1 shows this screen's keys; Esc goes back. */
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of Events", 3000));
	assert_true(tmux_wait_for(&t, "read everything again", 1000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "RE-ENTRY", 3000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Main menu", 3000));

	/* A resize redraws at the new size. */
	{
		char cmd[256];
		snprintf(cmd, sizeof cmd, "tmux -L %s resize-window -t shell -x 80 -y 24", t.socket);
		assert_int_equal(system(cmd), 0);
		assert_true(tmux_wait_for(&t, "F10Quit", 3000));
	}

	/* F10 quits and gives the terminal back. */
	tmux_keys(&t, "F10");
	assert_true(tmux_wait_for(&t, "EXITED rc=0", 5000));
	screen = tmux_capture(&t);
	assert_null(strstr(screen, "Main menu"));
	free(screen);
	tmux_stop(&t);
}

static void test_tui_offline_then_online(void **state)
{
	struct tmux t;
	(void)state;
	/* A server that is not there: the screen stays up and says so. */
	tmux_start(&t, "offline", 90, 24,
		   "$BOXOFFICE -d host=/nonexistent; echo EXITED rc=$?; sleep 30");
	assert_true(tmux_wait_for(&t, "OFFLINE", 5000));
	assert_true(tmux_wait_for(&t, "database unreachable", 5000));
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of Main menu", 3000));
	tmux_keys(&t, "F10");
	assert_true(tmux_wait_for(&t, "EXITED rc=0", 5000));
	tmux_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tui_opens_navigates_and_quits),
		cmocka_unit_test(test_tui_offline_then_online),
	};
	struct run_result r = run_cmd("$BOXOFFICE migrate");
	run_free(&r);
	return cmocka_run_group_tests_name("tui", tests, NULL, NULL);
}

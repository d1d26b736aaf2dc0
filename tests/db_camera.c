/* The camera path end to end (issue 12): a YUV4MPEG2 clip built from our
 * own badges (blank, badge A held for a second, blank, A again, B, A and B
 * together, a QR code that is not ours, noise) is fed to the headless gate
 * (`checkin --camera` from a file and from a FIFO) and to the check-in
 * screen in tmux: exactly A admit, A already checked in, B admit, two codes
 * refused, the foreign code refused, in that order, nothing more. Sources
 * that stall, end, send garbage or are missing leave the station on its
 * keyboard, say so, and are reopened. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clip.h"
#include "helpers.h"
#include "tmux.h"

#define FPS 10
static PGconn *conn;
static char tmp[200];

struct badges {
	long long event, a, b; /* ticket ids */
	char name[200];        /* the event's */
	char clip[300];
};

static int setup(void **state)
{
	char dir[300];
	(void)state;
	conn = test_migrate_connect();
	snprintf(tmp, sizeof tmp, "%s", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp");
	snprintf(dir, sizeof dir, "%s/camera-state", tmp);
	setenv("BOXOFFICE_STATE", dir, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

/* An event with two tickets held by Anna Lens (A) and Bo Frame (B), their
 * badges printed by the product, and the clip built from them. */
static void make_badges(struct badges *bg, const char *label)
{
	struct run_result r;
	long long order;
	json_t *list;
	char a_png[300], b_png[300], why[200];
	const struct clip_scene scenes[] = {
		{ "blank", 1.0, { NULL, NULL }, NULL, false },
		{ "A", 1.0, { a_png, NULL }, NULL, false },
		{ "blank", 1.0, { NULL, NULL }, NULL, false },
		{ "A again", 0.5, { a_png, NULL }, NULL, false },
		{ "blank", 1.0, { NULL, NULL }, NULL, false },
		{ "B", 0.5, { b_png, NULL }, NULL, false },
		{ "blank", 1.0, { NULL, NULL }, NULL, false },
		{ "A+B", 0.5, { a_png, b_png }, NULL, false },
		{ "blank", 1.0, { NULL, NULL }, NULL, false },
		{ "foreign", 0.5, { NULL, NULL }, "https://example.org/tickets/4711", false },
		{ "blank", 0.5, { NULL, NULL }, NULL, false },
		{ "noise", 0.5, { NULL, NULL }, NULL, true },
		{ "blank", 0.5, { NULL, NULL }, NULL, false },
	};

	snprintf(bg->name, sizeof bg->name, "%s", unique_name(label));
	bg->event = make_event(bg->name, "2028-03-01", 0);
	make_type(bg->event, "Adult", 10, 1000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 2 --payment free", bg->event);
	assert_int_equal(r.status, 0);
	order = out_id(r.out);
	run_free(&r);
	list = cli_json("$BOXOFFICE ticket list --order %lld --json", order);
	assert_int_equal(json_array_size(list), 2);
	bg->a = json_integer_value(json_object_get(json_array_get(list, 0), "id"));
	bg->b = json_integer_value(json_object_get(json_array_get(list, 1), "id"));
	json_decref(list);
	r = run_cmd("$BOXOFFICE ticket assign %lld --name 'Anna Lens' --email anna.lens@example.org", bg->a);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_cmd("$BOXOFFICE ticket assign %lld --name 'Bo Frame' --email bo.frame@example.org", bg->b);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(a_png, sizeof a_png, "%s/badge-%lld.png", tmp, bg->a);
	snprintf(b_png, sizeof b_png, "%s/badge-%lld.png", tmp, bg->b);
	r = run_cmd("$BOXOFFICE ticket badge %lld --png %s && $BOXOFFICE ticket badge %lld --png %s", bg->a, a_png,
		    bg->b, b_png);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(bg->clip, sizeof bg->clip, "%s/clip-%lld.y4m", tmp, bg->event);
	if (clip_write(bg->clip, 640, 480, FPS, CLIP_MONO, scenes, (int)(sizeof scenes / sizeof scenes[0]), why,
		       sizeof why) < 0)
		fail_msg("clip: %s", why);
}

/* The JSON lines of a headless run, checked against the expected five. */
static void expect_five_verdicts(const struct badges *bg, const char *out)
{
	const char *expect[][3] = {
		{ "admit", "", "A" },
		{ "reject", "already checked in", "A" },
		{ "admit", "", "B" },
		{ "reject", "two codes in view", NULL },
		{ "reject", "unknown code", NULL },
	};
	const char *line = out;
	int n = 0;

	while (*line) {
		const char *end = strchr(line, '\n');
		json_error_t err;
		json_t *v;
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char buf[4096];
		if (len == 0 || len >= sizeof buf) {
			line = end ? end + 1 : line + len;
			continue;
		}
		memcpy(buf, line, len);
		buf[len] = '\0';
		v = json_loads(buf, 0, &err);
		if (!v)
			fail_msg("not JSON: %s", buf);
		if (n >= 5)
			fail_msg("a verdict more than expected: %s", buf);
		assert_string_equal(json_string_value(json_object_get(v, "verdict")), expect[n][0]);
		if (expect[n][1][0] && !strstr(json_string_value(json_object_get(v, "reason")), expect[n][1]))
			fail_msg("verdict %d: expected \"%s\", got %s", n + 1, expect[n][1], buf);
		if (expect[n][2])
			assert_int_equal(json_integer_value(json_object_get(v, "ticket")),
					 expect[n][2][0] == 'A' ? bg->a : bg->b);
		json_decref(v);
		n++;
		line = end ? end + 1 : line + len;
	}
	if (n != 5)
		fail_msg("expected 5 verdicts, got %d:\n%s", n, out);
}

/* Each ticket went in exactly once, whatever the camera saw. */
static void expect_one_admit_each(const struct badges *bg)
{
	char a[32], b[32];
	const char *pa[1] = { a }, *pb[1] = { b };
	snprintf(a, sizeof a, "%lld", bg->a);
	snprintf(b, sizeof b, "%lld", bg->b);
	assert_int_equal(test_scalar(conn, "SELECT scans FROM ticket WHERE id = $1", 1, pa), 1);
	assert_int_equal(test_scalar(conn, "SELECT scans FROM ticket WHERE id = $1", 1, pb), 1);
}

static void test_headless_gate_watches_the_clip(void **state)
{
	struct badges bg;
	struct run_result r;
	(void)state;

	make_badges(&bg, "Camera CLI");
	r = run_cmd("$BOXOFFICE checkin --gate cam-cli --event %lld --camera %s", bg.event, bg.clip);
	assert_int_equal(r.status, 1); /* not every scan was an admit */
	expect_five_verdicts(&bg, r.out);
	assert_non_null(strstr(r.err, "ended after"));
	run_free(&r);
	expect_one_admit_each(&bg);
}

/* The README's worked command: ffmpeg turns a compressed stream (here
 * the clip as MJPEG, what a phone's webcam app sends) into YUV4MPEG2 at
 * its real rate (-re, as a live camera delivers it). */
static void test_ffmpeg_source_as_the_readme_says(void **state)
{
	struct badges bg;
	struct run_result r;
	char avi[320];
	(void)state;

	make_badges(&bg, "Camera ffmpeg");
	snprintf(avi, sizeof avi, "%s.avi", bg.clip);
	r = run_cmd("ffmpeg -loglevel error -y -i %s -c:v mjpeg -q:v 2 %s", bg.clip, avi);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_cmd("$BOXOFFICE checkin --gate cam-ffmpeg --event %lld --camera 'cmd:ffmpeg -loglevel error -re -i %s "
		    "-vf scale=640:-2 -f yuv4mpegpipe -pix_fmt gray -'",
		    bg.event, avi);
	expect_five_verdicts(&bg, r.out);
	assert_non_null(strstr(r.err, "camera ffmpeg: ended after"));
	run_free(&r);
	expect_one_admit_each(&bg);
}

/* A writer that plays the clip into a FIFO at its rate, like a camera
 * program would (ffmpeg -f yuv4mpegpipe into a named pipe). */
static pid_t play_into(const char *clip, const char *fifo)
{
	pid_t pid = fork();
	if (pid == 0) {
		FILE *in = fopen(clip, "rb");
		int out = open(fifo, O_WRONLY);
		char line[256];
		size_t frame = 640 * 480;
		char *buf = malloc(frame);
		if (!in || out < 0 || !buf || !fgets(line, sizeof line, in))
			_exit(2);
		if (write(out, line, strlen(line)) < 0)
			_exit(2);
		while (fgets(line, sizeof line, in) && fread(buf, 1, frame, in) == frame) {
			struct timespec ts = { 0, 1000000000L / FPS };
			if (write(out, line, strlen(line)) < 0 || write(out, buf, frame) != (ssize_t)frame)
				_exit(3);
			nanosleep(&ts, NULL);
		}
		_exit(0);
	}
	return pid;
}

static void test_headless_gate_reads_a_fifo(void **state)
{
	struct badges bg;
	struct run_result r;
	char fifo[300];
	pid_t writer;
	int status;
	(void)state;

	make_badges(&bg, "Camera FIFO");
	snprintf(fifo, sizeof fifo, "%s/camera-%lld.fifo", tmp, bg.event);
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* the gate starts first and waits for its writer, as at a door */
	writer = play_into(bg.clip, fifo);
	r = run_cmd("$BOXOFFICE checkin --gate cam-fifo --event %lld --camera %s", bg.event, fifo);
	assert_int_equal(waitpid(writer, &status, 0), writer);
	assert_int_equal(WEXITSTATUS(status), 0);
	expect_five_verdicts(&bg, r.out);
	run_free(&r);
	expect_one_admit_each(&bg);
	unlink(fifo);
}

static void test_checkin_screen_watches_the_clip(void **state)
{
	struct badges bg;
	struct tmux t;
	char cmd[1200], *screen;
	int unknown, two, b_in, again, a_in;
	(void)state;

	make_badges(&bg, "Camera TUI");
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station cam-tui --camera %s --screen checkin --event %lld; sleep 60",
		 bg.clip, bg.event);
	tmux_start(&t, "camera", 80, 24, cmd);
	/* the picture is drawn while the clip plays, and F4 hides and shows
	 * it: keys are answered while frames arrive */
	assert_true(tmux_wait_for(&t, "F4 hides the picture", 10000));
	assert_true(tmux_wait_for(&t, "▀", 3000));
	tmux_keys(&t, "F4");
	assert_true(tmux_wait_for(&t, "picture hidden (F4 shows it)", 2000));
	tmux_keys(&t, "F4");
	assert_true(tmux_wait_for(&t, "F4 hides the picture", 2000));
	/* the clip plays to its end (about 9 s) */
	assert_true(tmux_wait_for(&t, "ended after", 30000));
	assert_true(tmux_wait_for(&t, "unknown code", 5000));
	screen = tmux_capture(&t);
	unknown = screen_row_of(screen, "✗ unknown code");
	two = screen_row_of(screen, "✗ two codes in view");
	b_in = screen_row_of(screen, "in  Bo Frame");
	again = screen_row_of(screen, "✗ Anna Lens (Adult)"); /* its reason may give way to "…" */
	a_in = screen_row_of(screen, "in  Anna Lens");
	if (!(unknown > 0 && two == unknown + 1 && b_in == two + 1 && again == b_in + 1 && a_in == again + 1))
		fail_msg("Last scans not A in, A again, B in, two codes, unknown (rows %d %d %d %d %d):\n%s", a_in,
			 again, b_in, two, unknown, screen);
	/* nothing more: the list's title right above, nothing under A's admit */
	if (screen_row_of(screen, "Last scans") != unknown - 1 || screen_row_of(screen, "✗") < unknown)
		fail_msg("more scans than the clip's five:\n%s", screen);
	{
		int below = 0;
		for (const char *p = screen; (p = strstr(p, " in  ")); p++)
			below++;
		if (below != 2)
			fail_msg("expected two admits in Last scans:\n%s", screen);
	}
	free(screen);
	tmux_stop(&t);
	expect_one_admit_each(&bg);
}

static void write_script(const char *path, const char *body)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\n%s", body);
	fclose(f);
	assert_int_equal(chmod(path, 0755), 0);
}

/* A command that sends a header and one frame, then nothing: stalled. It
 * is closed and reopened with back-off, and the station takes keys. */
static void test_stalled_and_broken_sources_leave_the_keyboard(void **state)
{
	struct tmux t;
	char cmd[1200], script[300];
	struct run_result r;
	(void)state;

	snprintf(script, sizeof script, "%s/camera-stall.sh", tmp);
	write_script(script, "printf 'YUV4MPEG2 W16 H16 F10:1 Cmono\\n'; exec sleep 60\n");
	snprintf(cmd, sizeof cmd,
		 "BOXOFFICE_CAMERA_STALL_MS=600 $BOXOFFICE --station cam-stall --camera cmd:%s --screen checkin; sleep 60",
		 script);
	tmux_start(&t, "stall", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "camera camera-stall.sh: no picture for 0.", 10000));
	assert_true(tmux_wait_for(&t, "camera off: scan or type a code, Enter · F3 finds by name", 1000));
	/* back-off: each wait longer than the last (the line counts down) */
	assert_true(tmux_wait_for(&t, "no picture for 0.6 s · retry in 2 s", 6000));
	assert_true(tmux_wait_for(&t, "no picture for 0.6 s · retry in 4 s", 8000));
	/* the code line answers while the camera is down */
	tmux_type(&t, "BX1:typed");
	assert_true(tmux_wait_for(&t, "BX1:typed_", 2000));
	tmux_stop(&t);

	/* garbage: said plainly, and reopened (a camera program may recover) */
	snprintf(script, sizeof script, "%s/camera-junk.sh", tmp);
	write_script(script, "exec head -c 100000 /dev/urandom\n");
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station cam-junk --camera cmd:%s --screen checkin; sleep 60", script);
	tmux_start(&t, "junk", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "not a YUV4MPEG2 stream", 10000));
	assert_true(tmux_wait_for(&t, "retry in", 1000));
	tmux_stop(&t);

	/* no such device: the station opens on its keyboard */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station cam-none --camera /dev/video-none --screen checkin; sleep 60");
	tmux_start(&t, "none", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "camera /dev/video-none: not found · retry in", 10000));
	tmux_keys(&t, "F4");
	tmux_type(&t, "x");
	assert_true(tmux_wait_for(&t, "x_", 2000));
	tmux_stop(&t);

	/* headless: a source that is not a stream fails with a reason */
	r = run_cmd("$BOXOFFICE checkin --gate cam-bad --camera 'cmd:echo hello'");
	assert_int_equal(r.status, 1);
	assert_int_equal(r.out[0], '\0');
	assert_non_null(strstr(r.err, "not a YUV4MPEG2 stream"));
	run_free(&r);
	/* a stream cut off inside a frame is broken, not a clean end */
	snprintf(script, sizeof script, "%s/camera-cut.sh", tmp);
	write_script(script, "printf 'YUV4MPEG2 W16 H16 F10:1 Cmono\\nFRAME\\n'; head -c 100 /dev/zero\n");
	r = run_cmd("$BOXOFFICE checkin --gate cam-bad --camera cmd:%s", script);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "camera camera-cut.sh: the stream broke off in the middle of a frame"));
	run_free(&r);
	r = run_cmd("$BOXOFFICE checkin --gate cam-bad --camera /nonexistent/video");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "camera /nonexistent/video: not found"));
	run_free(&r);
	r = run_cmd("$BOXOFFICE checkin --gate cam-bad --camera %s/clip.y4m --token BX1:x", tmp);
	assert_int_equal(r.status, 2);
	run_free(&r);
}

static long long mono_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Hostile (issue 12): a headless gate whose source cannot be opened says
 * so and exits at once; it sat silent for about 60 s (the gate's own poll
 * timeout) before exiting 1: camera_gate polls before it looks whether
 * the camera is already finished. */
static void test_headless_gate_fails_at_once_on_a_missing_source(void **state)
{
	struct run_result r;
	long long t0;
	(void)state;

	t0 = mono_now_ms();
	r = run_cmd("timeout 20 $BOXOFFICE checkin --gate cam-gone --camera /nonexistent/video");
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "camera /nonexistent/video: not found"));
	run_free(&r);
	if (mono_now_ms() - t0 > 5000)
		fail_msg("checkin --camera /nonexistent/video took %lld ms to fail", mono_now_ms() - t0);
}

/* A headless gate on a silent source says so, and SIGTERM (or Ctrl-C,
 * SIGHUP) stops it with its camera's command: nothing is left running to
 * hold the camera. (A background job of a script ignores SIGINT.) */
static void test_headless_gate_interrupted_leaves_nothing_running(void **state)
{
	char script[300], err[300];
	struct run_result r;
	(void)state;

	snprintf(script, sizeof script, "%s/camera-silent.sh", tmp);
	snprintf(err, sizeof err, "%s/camera-silent.err", tmp);
	write_script(script, "printf 'YUV4MPEG2 W16 H16 F10:1 Cmono\\n'; exec sleep 987654\n");
	r = run_cmd("BOXOFFICE_CAMERA_STALL_MS=500 $BOXOFFICE checkin --gate cam-int --camera cmd:%s 2>%s & pid=$!; "
		    "for i in $(seq 100); do grep -q 'waiting for a picture' %s && break; sleep 0.1; done; "
		    "pgrep -f 'sleep [9]87654' >/dev/null && echo running; kill -TERM $pid; wait $pid; echo status=$?; "
		    "sleep 0.5; pgrep -f 'sleep [9]87654' >/dev/null && echo left-behind; cat %s",
		    script, err, err, err);
	assert_non_null(strstr(r.out, "running"));  /* the command was up */
	assert_non_null(strstr(r.out, "status=143")); /* died of the signal, after cleaning up */
	assert_null(strstr(r.out, "left-behind"));
	assert_non_null(strstr(r.out, "camera camera-silent.sh: waiting for a picture"));
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_headless_gate_watches_the_clip),
		cmocka_unit_test(test_headless_gate_reads_a_fifo),
		cmocka_unit_test(test_ffmpeg_source_as_the_readme_says),
		cmocka_unit_test(test_checkin_screen_watches_the_clip),
		cmocka_unit_test(test_stalled_and_broken_sources_leave_the_keyboard),
		cmocka_unit_test(test_headless_gate_fails_at_once_on_a_missing_source),
		cmocka_unit_test(test_headless_gate_interrupted_leaves_nothing_running),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

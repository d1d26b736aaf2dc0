/* bench/camera: the camera path with our own badges (issue 12). A player
 * process writes the test clip's scenes (blank, A held, A again, B, A and
 * B together, a foreign code, noise) for several pairs of badges into a
 * FIFO as a 30 fps camera would, 640×480 grey. Three runs:
 *   1. flat out (no pacing): frames per second zbar decodes, frames dropped;
 *   2. at 30 fps through the headless gate's path (camera + presence +
 *      gate_scan online): verdict latency from the frame's arrival, p50/p99;
 *   3. at 30 fps into the check-in screen in tmux at 80×24, its picture
 *      shown and then hidden: the loop's passes and its longest one
 *      (BOXOFFICE_LOOPLOG) — how long a key could wait while the camera
 *      runs, and what the picture costs. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "src/app/camera.h"
#include "src/app/gate.h"
#include "src/db/db.h"
#include "tests/clip.h"

#define PAIRS 5
#define FPS 30
#define W 640
#define H 480
#define SCENES_PER_PAIR 13

static char tmp[256];
static struct clip_scene scenes[PAIRS * SCENES_PER_PAIR];
static uint8_t *pictures[PAIRS * SCENES_PER_PAIR];
static int nscenes;
static long long event_id;

static long long first_id(const char *cmd)
{
	char out[512] = "";
	FILE *p = popen(cmd, "r");
	const char *at;
	if (!p || !fgets(out, sizeof out, p) || !(at = strstr(out, "\"id\":"))) {
		fprintf(stderr, "bench: failed: %s\n", cmd);
		exit(3);
	}
	pclose(p);
	return atoll(at + 5);
}

/* An event, 2 × PAIRS tickets, their badges, and every scene's picture. */
static void setup(void)
{
	static char pngs[2 * PAIRS][300];
	char cmd[1024], why[200];
	long long order;

	snprintf(tmp, sizeof tmp, "/tmp/bench-camera-%d", (int)getpid());
	mkdir(tmp, 0700);
	bench_run("%s migrate >/dev/null", bench_bin());
	snprintf(cmd, sizeof cmd, "%s event add --name 'Bench camera %d' --date 2030-07-01", bench_bin(), (int)getpid());
	event_id = first_id(cmd);
	bench_run("%s type add --event %lld --name Adult --capacity 100 --price 100 >/dev/null", bench_bin(), event_id);
	snprintf(cmd, sizeof cmd, "%s sell --event %lld --type Adult --qty %d --payment free", bench_bin(), event_id,
		 2 * PAIRS);
	order = first_id(cmd);
	snprintf(cmd, sizeof cmd, "%s ticket list --order %lld --json", bench_bin(), order);
	{
		FILE *p = popen(cmd, "r");
		static char list[1 << 16];
		size_t n = p ? fread(list, 1, sizeof list - 1, p) : 0;
		const char *at = list;
		list[n] = '\0';
		if (p)
			pclose(p);
		for (int i = 0; i < 2 * PAIRS; i++) {
			if (!(at = strstr(at, "\"id\":")))
				exit(3);
			snprintf(pngs[i], sizeof pngs[i], "%s/badge-%d.png", tmp, i);
			bench_run("%s ticket badge %lld --png %s >/dev/null", bench_bin(), atoll(at + 5), pngs[i]);
			at += 5;
		}
	}
	for (int k = 0; k < PAIRS; k++) {
		const char *a = pngs[2 * k], *b = pngs[2 * k + 1];
		const struct clip_scene pair[SCENES_PER_PAIR] = {
			{ "blank", 0.7, { NULL, NULL }, NULL, false }, { "A", 1.0, { a, NULL }, NULL, false },
			{ "blank", 0.7, { NULL, NULL }, NULL, false }, { "A again", 0.5, { a, NULL }, NULL, false },
			{ "blank", 0.7, { NULL, NULL }, NULL, false }, { "B", 0.5, { b, NULL }, NULL, false },
			{ "blank", 0.7, { NULL, NULL }, NULL, false }, { "A+B", 0.5, { a, b }, NULL, false },
			{ "blank", 0.7, { NULL, NULL }, NULL, false },
			{ "foreign", 0.5, { NULL, NULL }, "https://example.org/tickets/4711", false },
			{ "blank", 0.3, { NULL, NULL }, NULL, false }, { "noise", 0.3, { NULL, NULL }, NULL, true },
			{ "blank", 0.3, { NULL, NULL }, NULL, false },
		};
		for (int i = 0; i < SCENES_PER_PAIR; i++) {
			scenes[nscenes] = pair[i];
			pictures[nscenes] = malloc(W * H);
			if (!clip_picture(pictures[nscenes], W, H, &scenes[nscenes], why, sizeof why)) {
				fprintf(stderr, "bench: %s\n", why);
				exit(3);
			}
			nscenes++;
		}
	}
}

/* The player: every scene's frames into the FIFO, at FPS or flat out
 * (max_frames > 0: stop there). */
static pid_t play(const char *fifo, bool paced, int max_frames)
{
	pid_t pid = fork();
	if (pid == 0) {
		int out = open(fifo, O_WRONLY);
		char head[128];
		uint8_t *noise = malloc(W * H);
		struct timespec next;
		int frames = 0;
		if (out < 0 || !noise)
			_exit(2);
		snprintf(head, sizeof head, "YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 Cmono\n", W, H, FPS);
		if (write(out, head, strlen(head)) < 0)
			_exit(3);
		clock_gettime(CLOCK_MONOTONIC, &next);
		for (int s = 0; s < nscenes; s++) {
			int n = (int)(scenes[s].seconds * FPS + 0.5);
			for (int f = 0; f < n; f++) {
				const uint8_t *pic = pictures[s];
				if (scenes[s].noise) {
					for (int i = 0; i < W * H; i++)
						noise[i] = (uint8_t)rand();
					pic = noise;
				}
				if (write(out, "FRAME\n", 6) != 6)
					_exit(3);
				for (size_t done = 0; done < W * H;) {
					ssize_t w = write(out, pic + done, W * H - done);
					if (w <= 0)
						_exit(3);
					done += (size_t)w;
				}
				if (max_frames && ++frames >= max_frames)
					_exit(0);
				if (paced) {
					next.tv_nsec += 1000000000L / FPS;
					if (next.tv_nsec >= 1000000000L) {
						next.tv_sec++;
						next.tv_nsec -= 1000000000L;
					}
					clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
				}
			}
		}
		_exit(0);
	}
	return pid;
}

static void fifo_at(char *path, size_t size, const char *name)
{
	snprintf(path, size, "%s/%s.fifo", tmp, name);
	unlink(path);
	if (mkfifo(path, 0600) != 0)
		exit(3);
}

/* 1: zbar flat out; the newest frame wins, so some are dropped. */
static void flat_out(void)
{
	char fifo[300];
	struct camera *cam;
	struct camera_stats st;
	struct camera_event ev;
	double t0;
	pid_t player;

	fifo_at(fifo, sizeof fifo, "flat");
	player = play(fifo, false, 600);
	cam = camera_open(fifo, CAMERA_ONCE);
	t0 = now_ms();
	while (!camera_finished(cam)) {
		struct pollfd p[CAMERA_POLLFDS];
		int timeout = 1000, n = camera_pollfds(cam, p, &timeout);
		poll(p, (nfds_t)n, timeout);
		camera_work(cam, p, n);
		while (camera_next_event(cam, &ev))
			;
	}
	camera_stats_get(cam, &st);
	printf("flat out: %lu frames read, %lu decoded, %lu dropped in %.0f ms; %.1f ms a decode\n", st.frames_read,
	       st.frames_decoded, st.frames_dropped, now_ms() - t0,
	       st.frames_decoded ? (double)st.decode_ms_total / (double)st.frames_decoded : 0.0);
	bench_figure("camera_decode_fps_max", st.frames_decoded / ((now_ms() - t0) / 1000.0), "frames/s");
	bench_figure("camera_decode_ms", st.frames_decoded ? (double)st.decode_ms_total / (double)st.frames_decoded : 0,
		     "ms");
	camera_close(cam);
	{
		int status = 0;
		waitpid(player, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			printf("flat out: the player stopped early (status %d)\n", status);
	}
}

/* 2: at 30 fps, verdicts through the gate as `checkin --camera` gives them. */
static void verdicts(void)
{
	char fifo[300];
	struct db *db = db_new(NULL, "bench-camera");
	struct camera *cam;
	struct camera_stats st;
	struct gate g;
	double lat[PAIRS * 8];
	int nlat = 0, admits = 0;
	double t0;
	pid_t player;

	if (!db_connect(db)) {
		fprintf(stderr, "bench: %s\n", db->err);
		exit(3);
	}
	gate_open(&g, db, "bench-camera", event_id);
	gate_refresh_cache(&g);
	fifo_at(fifo, sizeof fifo, "paced");
	player = play(fifo, true, 0);
	cam = camera_open(fifo, CAMERA_ONCE);
	t0 = now_ms();
	while (!camera_finished(cam)) {
		struct pollfd p[CAMERA_POLLFDS];
		struct camera_event ev;
		int timeout = 1000, n = camera_pollfds(cam, p, &timeout);
		poll(p, (nfds_t)n, timeout);
		camera_work(cam, p, n);
		while (camera_next_event(cam, &ev)) {
			struct verdict v;
			if (ev.kind == CAMERA_CODE) {
				gate_scan(&g, ev.code, &v);
				admits += v.admit;
			}
			if (nlat < PAIRS * 8)
				lat[nlat++] = (double)(camera_now_ms() - ev.frame_ms);
		}
	}
	camera_stats_get(cam, &st);
	printf("30 fps: %d verdicts (%d admits; expected %d and %d), %lu frames read, %lu decoded, %lu dropped in "
	       "%.1f s\n",
	       nlat, admits, 5 * PAIRS, 2 * PAIRS, st.frames_read, st.frames_decoded, st.frames_dropped,
	       (now_ms() - t0) / 1000.0);
	bench_figure("camera_decode_fps_30", st.frames_decoded / ((now_ms() - t0) / 1000.0), "frames/s");
	bench_figure("camera_verdict_p50", percentile(lat, nlat, 50), "ms");
	bench_figure("camera_verdict_p99", percentile(lat, nlat, 99), "ms");
	bench_figure("camera_verdicts_right", nlat == 5 * PAIRS && admits == 2 * PAIRS, "(1 yes)");
	camera_close(cam);
	waitpid(player, NULL, 0);
	gate_close(&g);
	db_free(db);
}

/* 3: the check-in screen at 30 fps, its picture shown or hidden (F4). */
static void station_loop(bool hidden)
{
	char fifo[300], log[300], sock[64];
	double passes[200000];
	int n = 0;
	pid_t player;
	FILE *f;

	fifo_at(fifo, sizeof fifo, "station");
	snprintf(log, sizeof log, "%s/loop.log", tmp);
	snprintf(sock, sizeof sock, "bench-camera-%d-%d", (int)getpid(), hidden);
	unlink(log);
	bench_run("tmux -L %s -f /dev/null new-session -d -s bench -x 80 -y 24 "
	          "\"env LANG=C.UTF-8 BOXOFFICE_LOOPLOG=%s BOXOFFICE_STATE=%s %s --station bench-cam --camera %s "
	          "--screen checkin --event %lld\"",
	          sock, log, tmp, bench_bin(), fifo, event_id);
	sleep(2); /* the screen opens, the gate loads its cache */
	if (hidden)
		bench_run("tmux -L %s send-keys -t bench F4", sock);
	if (truncate(log, 0) != 0) /* start-up is not the camera's */
		exit(3);
	player = play(fifo, true, 0);
	waitpid(player, NULL, 0);
	sleep(1);
	bench_run("tmux -L %s kill-server", sock);
	if ((f = fopen(log, "r"))) {
		while (n < 200000 && fscanf(f, "%lf", &passes[n]) == 1)
			n++;
		fclose(f);
	}
	printf("station, picture %s: %d loop passes while the camera played\n", hidden ? "hidden" : "shown", n);
	bench_figure(hidden ? "camera_loop_pass_p99_hidden" : "camera_loop_pass_p99", percentile(passes, n, 99), "ms");
	bench_figure(hidden ? "camera_loop_pass_max_hidden" : "camera_loop_pass_max", n ? passes[n - 1] : 0, "ms");
	bench_figure(hidden ? "camera_loop_passes_hidden" : "camera_loop_passes", n, "passes");
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	setup();
	flat_out();
	verdicts();
	station_loop(false);
	station_loop(true);
	bench_run("rm -rf %s", tmp);
	return 0;
}

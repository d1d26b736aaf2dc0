/* boxoffice checkin: the headless gate. Tokens from --token, QR codes in
 * --image files, or one token a line on stdin (keyboard-wedge scanners);
 * one JSON line per scan; exit 0 only if every scan was admitted. Works
 * offline from the gate's cache and journal when the database is away.
 *
 * Cache policy: the cache is refreshed at start whenever the database is
 * reachable (within the verdict deadline, the whole start included, unless
 * --refresh-cache asks for it: then with GATE_REFRESH_MS), each time a running gate gets it back (after uploading the
 * journal), and every GATE_CACHE_MAX_AGE_S seconds while online; a running
 * gate reconnects by itself in the background (see gate_set_reconnect).
 *
 * Deadlines: an online verdict not back within --verdict-ms (default
 * GATE_VERDICT_MS) is decided offline from the signature and the cache and
 * journaled with its scan ID, so the database records it once whichever
 * way it arrives. State (cache, journal) lives per database under
 * --state-dir / BOXOFFICE_STATE / $XDG_STATE_HOME/boxoffice. */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../core/validate.h"
#include "../db/catalog.h"
#include "../db/db.h"
#include "../db/tickets.h"
#include "camera.h"
#include "cli.h"
#include "commands.h"
#include "gate.h"
#include "scan_image.h"

#define INPUTS_MAX 256
#define LINE_MAX_BYTES 4096

static bool emit(struct gate *g, const char *token, struct verdict *v)
{
	gate_scan(g, token, v);
	cli_print_json(verdict_json(v));
	fflush(stdout);
	return v->admit;
}

static bool emit_reject(const char *reason)
{
	struct verdict v = { 0 };
	snprintf(v.reason, sizeof v.reason, "%s", reason);
	cli_print_json(verdict_json(&v));
	fflush(stdout);
	return false;
}

/* Lines from stdin, read with read(2) so that waiting for the next one
 * can also move the gate's reconnect on (poll on both). */
struct line_reader {
	char buf[LINE_MAX_BYTES];
	size_t len;   /* bytes of the current line kept */
	bool garbage; /* the current line has control bytes or is too long */
	bool eof;
	char in[4096];
	size_t in_len, in_pos;
};

/* One line: Enter ends it; a line past LINE_MAX_BYTES is garbage (read to
 * its end and rejected), as are control bytes. -1 at the end; 0 when
 * nothing complete is there yet (call again after poll). */
static int next_line(struct line_reader *r, bool *garbage)
{
	for (;;) {
		while (r->in_pos < r->in_len) {
			unsigned char c = (unsigned char)r->in[r->in_pos++];
			if (c == '\n') {
				int n = (int)r->len;
				r->buf[r->len] = '\0';
				*garbage = r->garbage;
				r->len = 0;
				r->garbage = false;
				if (n > 0 || *garbage)
					return n + 1;
				continue; /* an empty line */
			}
			if (c == '\r')
				continue;
			if (c < 0x20 || c == 0x7F)
				r->garbage = true;
			if (r->len + 1 < sizeof r->buf)
				r->buf[r->len++] = (char)c;
			else
				r->garbage = true;
		}
		if (r->eof) {
			int n = (int)r->len;
			r->buf[r->len] = '\0';
			*garbage = r->garbage;
			r->len = 0;
			r->garbage = false;
			return n > 0 ? n + 1 : -1;
		}
		{
			ssize_t got = read(STDIN_FILENO, r->in, sizeof r->in);
			if (got < 0 && (errno == EAGAIN || errno == EINTR))
				return 0;
			if (got <= 0)
				r->eof = true;
			else {
				r->in_len = (size_t)got;
				r->in_pos = 0;
			}
		}
	}
}

/* Waits for stdin while the gate reconnects, uploads and refreshes. */
static void wait_input(struct gate *g, const struct line_reader *r)
{
	for (;;) {
		struct pollfd p[2] = { { .fd = STDIN_FILENO, .events = POLLIN }, { .fd = -1 } };
		int timeout, conflicts;
		if (r->in_pos < r->in_len || r->eof)
			return;
		p[1].fd = gate_poll(g, &p[1].events, &timeout);
		if (poll(p, 2, timeout) < 0 && errno != EINTR)
			return;
		gate_tick(g, &conflicts);
		if (p[0].revents)
			return;
	}
}

#define DECIDE_QUEUE 64

/* --camera: one verdict per presented code until the source ends.
 *
 * Two threads, so the camera is never kept waiting by the database: the
 * main one runs the camera's loop (read, hand frames to the decoder, take
 * presentations), a decider owns the gate and the database connection and
 * decides the presentations in order, printing each verdict (within the
 * verdict deadline, offline past it). A slow answer or a cache refresh
 * therefore never makes the camera miss a presentation. The camera runs
 * once: a source that ends is not reopened; one that cannot be read is an
 * error. Ctrl-C (SIGINT, SIGTERM, SIGHUP) stops the camera's command with
 * the gate, and then the process as the signal would. */
struct decider {
	pthread_t thread;
	pthread_mutex_t mu;
	int wake[2];
	struct camera_event queue[DECIDE_QUEUE];
	int head, count;
	bool done;  /* no more will come: decide what is queued, then stop */
	bool abort; /* a signal: stop now */
	bool all;   /* every verdict an admit */
	struct gate *g;
};

static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static void decider_wake(struct decider *d)
{
	if (write(d->wake[1], "w", 1) < 0) {
		/* full: a wake-up is pending already */
	}
}

static void *decide(void *arg)
{
	struct decider *d = arg;

	for (;;) {
		struct pollfd p[2] = { { .fd = d->wake[0], .events = POLLIN }, { .fd = -1 } };
		int timeout = -1, conflicts;
		char drain[64];
		struct camera_event ev;
		bool have = false, finished;

		pthread_mutex_lock(&d->mu);
		if (d->count && !d->abort) {
			ev = d->queue[d->head];
			d->head = (d->head + 1) % DECIDE_QUEUE;
			d->count--;
			have = true;
		}
		finished = d->abort || (d->done && !d->count && !have);
		pthread_mutex_unlock(&d->mu);
		if (finished)
			break;
		if (have) {
			struct verdict v;
			if (ev.kind == CAMERA_TWO_CODES)
				d->all &= emit_reject(CAMERA_TWO_CODES_REASON);
			else
				d->all &= emit(d->g, ev.code, &v);
			continue;
		}
		/* nothing to decide: reconnect, upload, refresh meanwhile */
		p[1].fd = gate_poll(d->g, &p[1].events, &timeout);
		if (poll(p, 2, timeout) < 0 && errno != EINTR)
			break;
		while (read(d->wake[0], drain, sizeof drain) > 0)
			;
		gate_tick(d->g, &conflicts);
	}
	return NULL;
}

static void decider_push(struct decider *d, const struct camera_event *ev)
{
	pthread_mutex_lock(&d->mu);
	if (d->count == DECIDE_QUEUE) { /* 64 presentations behind: the oldest goes */
		d->head = (d->head + 1) % DECIDE_QUEUE;
		d->count--;
	}
	d->queue[(d->head + d->count++) % DECIDE_QUEUE] = *ev;
	pthread_mutex_unlock(&d->mu);
	decider_wake(d);
}

static void decider_finish(struct decider *d, bool abort)
{
	pthread_mutex_lock(&d->mu);
	d->done = true;
	d->abort = abort;
	pthread_mutex_unlock(&d->mu);
	decider_wake(d);
	pthread_join(d->thread, NULL);
	close(d->wake[0]);
	close(d->wake[1]);
	pthread_mutex_destroy(&d->mu);
}

static bool decider_start(struct decider *d, struct gate *g)
{
	sigset_t stops, old;
	int rc;

	memset(d, 0, sizeof *d);
	d->g = g;
	d->all = true;
	if (pipe2(d->wake, O_NONBLOCK | O_CLOEXEC) < 0)
		return false;
	pthread_mutex_init(&d->mu, NULL);
	/* signals go to the camera's loop, which stops everything */
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stops, &old);
	rc = pthread_create(&d->thread, NULL, decide, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		close(d->wake[0]);
		close(d->wake[1]);
		pthread_mutex_destroy(&d->mu);
		return false;
	}
	return true;
}

static int camera_gate(struct gate *g, const char *spec, bool *all)
{
	struct camera *cam = camera_open(spec, CAMERA_ONCE);
	struct decider d;
	struct sigaction sa = { .sa_handler = on_stop_signal }, old[3];
	static const int stops[3] = { SIGINT, SIGTERM, SIGHUP };
	char said[700] = "";
	int rc;

	if (!cam)
		return cli_fail(EXIT_USAGE, "checkin", "--camera needs a source");
	if (!decider_start(&d, g)) {
		camera_close(cam);
		return cli_fail(EXIT_FAILED, "checkin", "cannot start the camera's verdicts: %s", strerror(errno));
	}
	sigemptyset(&sa.sa_mask); /* no SA_RESTART: poll returns at once */
	for (int i = 0; i < 3; i++) {
		sigaction(stops[i], NULL, &old[i]);
		/* a signal the starter chose to ignore (a background job's
		 * SIGINT) stays ignored */
		if (old[i].sa_handler != SIG_IGN)
			sigaction(stops[i], &sa, NULL);
	}
	/* until the source ended and its last frame was decoded */
	while (!camera_finished(cam) && !stop_signal) {
		struct pollfd p[CAMERA_POLLFDS];
		struct camera_event ev;
		int timeout = -1, n = camera_pollfds(cam, p, &timeout);
		bool trouble;
		const char *state;

		if (poll(p, (nfds_t)n, timeout) < 0 && errno != EINTR)
			break;
		camera_work(cam, p, n);
		while (camera_next_event(cam, &ev))
			decider_push(&d, &ev);
		/* a camera in trouble says so once per new trouble, on stderr */
		state = camera_state(cam, &trouble);
		if (trouble && strncmp(said, state, 60) != 0) {
			fprintf(stderr, "boxoffice: checkin: %s\n", state);
			snprintf(said, sizeof said, "%s", state);
		} else if (!trouble) {
			said[0] = '\0';
		}
	}
	decider_finish(&d, stop_signal != 0);
	*all &= d.all;
	{
		bool trouble, failed = camera_failed(cam);
		const char *state = camera_state(cam, &trouble);
		/* how it ended, unless that was just said */
		if (!stop_signal && strncmp(said, state, 60) != 0)
			fprintf(stderr, "boxoffice: checkin: %s\n", state);
		camera_close(cam); /* stops a command's process group */
		rc = failed ? EXIT_REFUSED : EXIT_DONE;
	}
	for (int i = 0; i < 3; i++)
		sigaction(stops[i], &old[i], NULL);
	return rc;
}

/* The gate starts offline: said on stderr. connected: the link was there
 * and went silent during the start; silent: the connect itself got no
 * answer in time. Either way the first scan does not wait on a reconnect
 * either. */
static void say_offline(struct gate *g, bool connected, bool silent)
{
	if (silent)
		g->link_silent = true;
	if (!connected) {
		fprintf(stderr, "boxoffice: checkin: database unreachable, working offline (%d scans queued)\n", g->pending);
		return;
	}
	g->link_silent = true;
	fprintf(stderr,
		"boxoffice: checkin: database unreachable at start (%s), working offline from the cache (%d scans "
		"queued)\n",
		g->db->err, g->pending);
}

int cmd_checkin(struct cli *cli, int argc, char **argv)
{
	const char *what = "checkin", *gate_name = NULL, *event = NULL, *verdict_ms = NULL, *camera = NULL, *lists = NULL,
		   *override = NULL;
	const char *tokens[INPUTS_MAX], *images[INPUTS_MAX];
	int ntokens = 0, nimages = 0, uploaded, conflicts = 0;
	bool all = true, refresh = false, connected, silent;
	struct db *db;
	struct gate g;
	long long event_id = 0;

	/* --token and --image repeat: collected here rather than by cli_parse. */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;
		if (strcmp(a, "--token") == 0 && ntokens < INPUTS_MAX)
			slot = &tokens[ntokens++];
		else if (strcmp(a, "--image") == 0 && nimages < INPUTS_MAX)
			slot = &images[nimages++];
		else if (strcmp(a, "--gate") == 0)
			slot = &gate_name;
		else if (strcmp(a, "--event") == 0)
			slot = &event;
		else if (strcmp(a, "--verdict-ms") == 0)
			slot = &verdict_ms;
		else if (strcmp(a, "--camera") == 0)
			slot = &camera;
		else if (strcmp(a, "--list") == 0)
			slot = &lists;
		else if (strcmp(a, "--override") == 0)
			slot = &override;
		else if (strcmp(a, "--refresh-cache") == 0) {
			refresh = true;
			continue;
		} else
			return cli_fail(EXIT_USAGE, what, "unknown argument %s", a);
		if (i + 1 >= argc)
			return cli_fail(EXIT_USAGE, what, "%s needs a value", a);
		*slot = argv[++i];
	}
	/* BOXOFFICE_CAMERA is --camera's environment form, for a gate not
	 * told where its codes come from */
	if (!camera && ntokens == 0 && nimages == 0 && getenv("BOXOFFICE_CAMERA") && *getenv("BOXOFFICE_CAMERA"))
		camera = getenv("BOXOFFICE_CAMERA");
	if (camera && (ntokens || nimages))
		return cli_fail(EXIT_USAGE, what, "--camera cannot be combined with --token or --image");
	if (camera && !*camera)
		return cli_fail(EXIT_USAGE, what, "--camera needs a source: a device, a .y4m file, a FIFO or cmd:COMMAND");
	if (camera && strlen(camera) >= CAMERA_SPEC_MAX)
		return cli_fail(EXIT_USAGE, what, "--camera is too long (at most %d characters)", CAMERA_SPEC_MAX - 1);
	if (override) {
		int rc;
		if (!cli_value(what, "override", override, 500, &rc))
			return rc;
		/* one person let into a full area, never a stream of them */
		if (ntokens != 1 || nimages || camera)
			return cli_fail(EXIT_USAGE, what, "--override admits one person: give exactly one --token");
		if (!lists)
			return cli_fail(EXIT_USAGE, what, "--override is for an area's capacity: give the --list");
	}
	if (lists) {
		char names[GATE_LISTS_MAX][GATE_LIST_NAME_MAX], err[200];
		if (gate_list_names(lists, names, GATE_LISTS_MAX, err, sizeof err) < 0)
			return cli_fail(EXIT_USAGE, what, "--list: %s", err);
	}
	if (!gate_name)
		gate_name = cli->station;
	if (!*gate_name)
		return cli_fail(EXIT_USAGE, what, "--gate needs a name");
	{
		const char *bad = validate_text(gate_name, 60, true);
		if (bad)
			return cli_fail(EXIT_USAGE, what, "--gate %s", bad);
		if (strchr(gate_name, '/') || strchr(gate_name, '"'))
			return cli_fail(EXIT_USAGE, what, "--gate must be 1 to 60 characters, without / or \"");
	}
	if (verdict_ms) {
		long long ms;
		int rc;
		if (!cli_int(what, "verdict-ms", verdict_ms, 100, 600000, &ms, &rc))
			return rc;
		setenv("BOXOFFICE_VERDICT_MS", verdict_ms, 1);
	}
	/* The database may be away: the gate works on from its cache. */
	cli->db = db = db_new(cli->conninfo, cli->station);
	{
		/* A door that starts on a silent link works offline by its
		 * verdict deadline, not the command's: connecting, resolving
		 * --event, the journal's upload, the cache's refresh and the
		 * lists at start share one verdict deadline (db_set_budget), so
		 * the first verdict comes in time whatever the link does. Past
		 * it the link is dropped and the gate starts offline on the
		 * cache it has, reconnecting in the background. Only a refresh
		 * asked for (--refresh-cache) may take the long deadline of a
		 * full load (GATE_REFRESH_MS). */
		const char *env = getenv("BOXOFFICE_VERDICT_MS");
		int start_ms = env && atoi(env) > 0 ? atoi(env) : GATE_VERDICT_MS;
		int before = db_swap_deadline(db, start_ms);
		if (!refresh)
			db_set_budget(db, start_ms);
		connected = db_connect(db);
		/* a connect that ran out of time: as silent as a link that
		 * goes quiet later */
		silent = !connected && strncmp(db->err, "no answer", 9) == 0;
		db_swap_deadline(db, before);
		/* an event that does not exist is refused; a link lost on the
		 * way finds it in the cache below */
		if (connected && event && !db_event_resolve(db, event, &event_id) && db->state == DB_READY)
			return cli_db_fail(cli, what);
	}
	gate_open(&g, db, gate_name, event_id);
	if (g.notice[0])
		fprintf(stderr, "boxoffice: checkin: %s\n", g.notice);
	if (db->state == DB_READY) {
		uploaded = gate_upload(&g, &conflicts);
		gate_report_upload(&g, uploaded, conflicts);
		/* refreshed at every start online: a cache is never older than
		 * the last time this gate saw the database */
		if (!gate_refresh_cache(&g) && refresh) {
			gate_close(&g);
			return cli_db_fail(cli, what);
		}
	}
	if (db->state != DB_READY) {
		if (event && !g.event_id && !gate_cached_event(&g, event, &g.event_id)) {
			gate_close(&g);
			return cli_fail(EXIT_FAILED, what, "database unreachable and event %s is not in the gate's cache",
					event);
		}
		say_offline(&g, connected, silent);
	}
	if (lists) {
		char err[600];
		/* online within what is left of the start, else the cache's */
		bool ok = gate_set_lists(&g, lists, err, sizeof err);
		if (!ok) {
			int rc = db->state == DB_READY && db->status != DB_FAILED ? EXIT_REFUSED : EXIT_FAILED;
			gate_close(&g);
			return cli_fail(rc, what, "--list: %s", err);
		}
		if (db->state != DB_READY && connected && !g.link_silent)
			say_offline(&g, connected, silent);
	}
	db_set_budget(db, 0); /* the start is over: each scan has its own verdict deadline */
	g.override = override;
	gate_set_reconnect(&g, true);
	for (int i = 0; i < ntokens; i++) {
		struct verdict v;
		all &= emit(&g, tokens[i], &v);
		if (override && v.admit && v.override_unused)
			fprintf(stderr, "boxoffice: checkin: --override not needed: %s (no override recorded)\n",
				v.area[0] ? "the area was not full" : "the list counts into no area");
	}
	for (int i = 0; i < nimages; i++) {
		char codes[4][SCAN_CODE_MAX];
		const char *why = NULL;
		int n = scan_image_file(images[i], codes, 4, &why);
		if (n < 0) {
			char reason[300];
			snprintf(reason, sizeof reason, "cannot read %s: %s", images[i], why);
			all &= emit_reject(reason);
		} else if (n == 0) {
			all &= emit_reject("no QR code found in the picture");
		} else if (n > 1) {
			all &= emit_reject("two codes in one picture: scan one at a time");
		} else {
			struct verdict v;
			all &= emit(&g, codes[0], &v);
		}
	}
	if (camera) {
		int rc = camera_gate(&g, camera, &all);
		gate_keep_online_scans(&g);
		gate_close(&g);
		if (stop_signal) { /* the camera's command and the journal are closed: now die of it */
			signal((int)stop_signal, SIG_DFL);
			raise((int)stop_signal);
		}
		return rc != EXIT_DONE ? rc : all ? EXIT_DONE : EXIT_REFUSED;
	}
	if (ntokens == 0 && nimages == 0) {
		static struct line_reader r;
		bool garbage;
		int n;
		memset(&r, 0, sizeof r);
		for (;;) {
			struct verdict v;
			wait_input(&g, &r);
			if ((n = next_line(&r, &garbage)) < 0)
				break;
			if (n == 0)
				continue;
			if (garbage)
				all &= emit_reject("garbage from the scanner");
			else
				all &= emit(&g, r.buf, &v);
		}
	}
	gate_keep_online_scans(&g);
	gate_close(&g);
	return all ? EXIT_DONE : EXIT_REFUSED;
}

/* boxoffice checkin undo TICKET --reason TEXT [--gate NAME] [--list L]: takes a
 * check-in back (db/016: a check-out with the reason, logged with station
 * and reason). Needs the database: a gate offline cannot undo. With
 * --gate, that gate's offline scans are uploaded first (an undo must see
 * the admit it takes back). */
int cmd_checkin_undo(struct cli *cli, int argc, char **argv)
{
	const char *what = "checkin undo", *pos[1], *reason = NULL, *gate_name = NULL, *lists = NULL;
	const struct cli_opt opts[] = { { "reason", &reason, NULL },
					{ "gate", &gate_name, NULL },
					{ "list", &lists, NULL },
					{ NULL, NULL, NULL } };
	long long id;
	int npos, code, conflicts, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);
	char err[700];
	struct gate g;
	json_t *doc;

	if (rc)
		return rc;
	if (!cli_id(what, npos, pos, "ticket", &id, &rc))
		return rc;
	if (!reason)
		return cli_missing(what, "reason");
	if (!cli_value(what, "reason", reason, 500, &rc) || (gate_name && !cli_value(what, "gate", gate_name, 60, &rc)))
		return rc;
	if (reason[strspn(reason, " \t")] == '\0')
		return cli_fail(EXIT_USAGE, what, "--reason must say why");
	if (!cli->db) {
		cli->db = db_new(cli->conninfo, cli->station);
		db_set_budget(cli->db, cli->db->deadline_ms); /* one-shot: the command's deadline in all */
	}
	if (!db_connect(cli->db))
		return cli_fail(EXIT_FAILED, what, "an undo needs the database, which is unreachable: %s", cli->db->err);
	gate_open(&g, cli->db, gate_name ? gate_name : cli->station, 0);
	if (gate_name) {
		int uploaded = gate_upload(&g, &conflicts);
		gate_report_upload(&g, uploaded, conflicts);
	}
	if (lists) {
		/* the ticket's own event's lists (names repeat across events) */
		PGresult *res = db_door_ticket_get(cli->db, id);
		if (!res) {
			gate_close(&g);
			return cli_db_fail(cli, what);
		}
		if (PQntuples(res) == 0) {
			PQclear(res);
			gate_close(&g);
			return cli_fail(EXIT_REFUSED, what, "ticket %lld does not exist", id);
		}
		g.event_id = db_int(res, 0, TK_EVENT);
		PQclear(res);
	}
	if (lists && !gate_set_lists(&g, lists, err, sizeof err)) {
		gate_close(&g);
		return cli_fail(cli->db->state == DB_READY ? EXIT_REFUSED : EXIT_FAILED, what, "--list: %s", err);
	}
	doc = gate_undo(&g, id, reason, err, sizeof err, &code);
	gate_close(&g);
	if (!doc)
		return cli_fail(code, what, "ticket %lld: %s", id, err);
	cli_print_json(doc);
	return EXIT_DONE;
}

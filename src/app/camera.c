/* A camera: one frame source, opened, watched and reopened; one decoder.
 * See camera.h for what each source does and how failures are handled. */
#include "camera.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "camera_decode.h"
#include "camera_source.h"

#define STALL_FIRST_MS 10000 /* the first picture (see stall_at) */
#define RUN_OK_MS 10000     /* delivering this long: the back-off starts over */
#define FINISH_POLL_MS 20    /* the source ended: how often to look whether decoding did */

enum phase {
	PHASE_WAITING, /* closed; opened again at reopen_at */
	PHASE_RUNNING,
	PHASE_DONE, /* not reopened: a clip that played, or CAMERA_ONCE */
};

struct camera {
	char spec[CAMERA_SPEC_MAX];
	unsigned flags;
	struct frame_source src;
	struct decoder *dec;
	enum phase phase;
	bool failed;
	long long reopen_at, backoff_ms, opened_ms, last_frame_ms;
	int stall_ms;
	bool stall_said; /* CAMERA_ONCE: the stall was reported (it is not closed) */
	char why[400];   /* the last failure */
	char state[600]; /* camera_state's line */
};

long long camera_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Closed: opened again after the back-off, which doubles up to its cap. */
static void schedule_reopen(struct camera *c, long long now)
{
	c->phase = PHASE_WAITING;
	c->reopen_at = now + c->backoff_ms;
	c->backoff_ms = c->backoff_ms * 2 > CAMERA_BACKOFF_MAX_MS ? CAMERA_BACKOFF_MAX_MS : c->backoff_ms * 2;
}

static void try_open(struct camera *c, long long now)
{
	char why[300] = "";
	struct stat st;

	source_init(&c->src, c->spec);
	if (c->src.ops->paced == false && strncmp(c->spec, "cmd:", 4) != 0 && stat(c->spec, &st) != 0) {
		/* no such device yet (unplugged): said plainly, not as zbar's guess */
		snprintf(why, sizeof why, "%s", strerror(errno));
	} else if (c->src.ops->open(&c->src, why, sizeof why)) {
		c->phase = PHASE_RUNNING;
		c->opened_ms = now;
		c->last_frame_ms = 0;
		c->why[0] = '\0';
		decoder_reset_presence(c->dec);
		return;
	}
	if (strcmp(why, strerror(ENOENT)) == 0)
		snprintf(c->why, sizeof c->why, "not found"); /* an unplugged camera, a mistyped path */
	else
		snprintf(c->why, sizeof c->why, "cannot open: %s", why);
	if (c->flags & CAMERA_ONCE) {
		c->phase = PHASE_DONE;
		c->failed = true;
		return;
	}
	schedule_reopen(c, now);
}

/* The source stopped (ended, broke, stalled): closed, and reopened after
 * the back-off unless it is a clip or the camera runs once. */
static void stopped(struct camera *c, long long now, bool broken, const char *why)
{
	snprintf(c->why, sizeof c->why, "%s", why);
	c->src.ops->close(&c->src);
	if ((c->flags & CAMERA_ONCE) || c->src.ops->paced) {
		c->phase = PHASE_DONE;
		c->failed = broken;
		return;
	}
	schedule_reopen(c, now);
}

struct camera *camera_open(const char *spec, unsigned flags)
{
	struct camera *c;

	if (!spec || !*spec || strlen(spec) >= sizeof c->spec)
		return NULL;
	c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->dec = decoder_start();
	if (!c->dec) {
		free(c);
		return NULL;
	}
	snprintf(c->spec, sizeof c->spec, "%s", spec);
	c->flags = flags;
	c->backoff_ms = CAMERA_BACKOFF_MIN_MS;
	c->stall_ms = CAMERA_STALL_MS;
	{
		const char *env = getenv("BOXOFFICE_CAMERA_STALL_MS");
		if (env && atoi(env) >= 100 && atoi(env) <= 600000)
			c->stall_ms = atoi(env);
	}
	c->src.fd = -1;
	try_open(c, camera_now_ms());
	return c;
}

void camera_close(struct camera *c)
{
	if (!c)
		return;
	if (c->phase == PHASE_RUNNING)
		c->src.ops->close(&c->src);
	decoder_stop(c->dec);
	free(c->src.own);
	source_reap_children();
	free(c);
}

static long long stall_at(const struct camera *c)
{
	/* the first picture of a network stream may take a while; a shorter
	 * limit (BOXOFFICE_CAMERA_STALL_MS) shortens that wait too */
	int first = c->stall_ms < CAMERA_STALL_MS ? c->stall_ms : STALL_FIRST_MS;
	return c->last_frame_ms ? c->last_frame_ms + c->stall_ms : c->opened_ms + first;
}

int camera_pollfds(struct camera *c, struct pollfd *fds, int *timeout_ms)
{
	long long now = camera_now_ms(), due = -1;
	int n = 0;

	fds[n++] = (struct pollfd){ .fd = decoder_fd(c->dec), .events = POLLIN };
	if (c->phase == PHASE_RUNNING) {
		int fd = c->src.ops->fd(&c->src), in = source_due_in(&c->src, now);
		if (fd >= 0)
			fds[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (in >= 0)
			due = now + in;
		else if (!(c->flags & CAMERA_ONCE) || !c->stall_said)
			due = stall_at(c); /* once: only to say so */
	} else if (c->phase == PHASE_WAITING) {
		due = c->reopen_at;
	} else if (!decoder_idle(c->dec)) {
		due = now + FINISH_POLL_MS;
	}
	if (due >= 0) {
		long long wait = due > now ? due - now : 0;
		if (*timeout_ms < 0 || wait < *timeout_ms)
			*timeout_ms = (int)wait;
	}
	return n;
}

bool camera_work(struct camera *c, const struct pollfd *fds, int nfds)
{
	long long now = camera_now_ms();
	bool changed = false, ready = false;
	enum phase before = c->phase;

	source_reap_children();
	for (int i = 0; i < nfds; i++) {
		if (!fds[i].revents)
			continue;
		if (fds[i].fd == decoder_fd(c->dec)) {
			decoder_clear_wake(c->dec);
			changed = true;
		}
		else if (c->phase == PHASE_RUNNING && fds[i].fd == c->src.ops->fd(&c->src))
			ready = true;
	}
	if (c->phase == PHASE_WAITING && now >= c->reopen_at)
		try_open(c, now);
	if (c->phase == PHASE_RUNNING && (ready || source_due_in(&c->src, now) == 0)) {
		char why[300] = "";
		enum source_read r = c->src.ops->read(&c->src, now, why, sizeof why);
		if (r == SOURCE_FRAME) {
			c->last_frame_ms = now;
			c->stall_said = false;
			/* it has worked a while: a later fault starts the back-off
			 * over (a source that dies after a few frames backs off) */
			if (now - c->opened_ms >= RUN_OK_MS)
				c->backoff_ms = CAMERA_BACKOFF_MIN_MS;
			decoder_submit(c->dec, c->src.grey, c->src.width, c->src.height, now,
				       c->src.completed ? c->src.completed - 1 : 0);
			c->src.completed = 0;
		} else if (r == SOURCE_END || r == SOURCE_BROKEN) {
			stopped(c, now, r == SOURCE_BROKEN, why);
		}
	}
	if (c->phase == PHASE_RUNNING && !c->src.ops->paced && (c->flags & CAMERA_ONCE) && !c->stall_said &&
	    now >= stall_at(c)) {
		/* a headless gate waits for its source as for its stdin, and says so */
		c->stall_said = true;
		changed = true;
	}
	if (c->phase == PHASE_RUNNING && !c->src.ops->paced && !(c->flags & CAMERA_ONCE) && now >= stall_at(c)) {
		char why[80];
		snprintf(why, sizeof why, "no picture for %.1f s",
			 (double)(now - (c->last_frame_ms ? c->last_frame_ms : c->opened_ms)) / 1000.0);
		stopped(c, now, true, why);
	}
	return changed || c->phase != before;
}

bool camera_next_event(struct camera *c, struct camera_event *ev)
{
	return decoder_next_event(c->dec, ev);
}

const char *camera_state(struct camera *c, bool *trouble)
{
	long long now = camera_now_ms();
	const char *kind = c->src.ops ? c->src.ops->kind : "camera";
	const char *name = c->spec, *slash = strrchr(c->spec, '/');

	char program[64];

	/* a long path by its file name (the folder rarely fits), a command
	 * by its program's */
	if (strncmp(c->spec, "cmd:", 4) == 0) {
		const char *word = c->spec + 4 + strspn(c->spec + 4, " ");
		size_t len = strcspn(word, " ");
		const char *base = word;
		for (const char *p = word; p < word + len; p++)
			if (*p == '/')
				base = p + 1;
		snprintf(program, sizeof program, "%.*s", (int)(word + len - base), base);
		name = program[0] ? program : "command";
	} else if (slash && slash[1] && strlen(c->spec) > 32) {
		name = slash + 1;
	}

	*trouble = true;
	switch (c->phase) {
	case PHASE_RUNNING:
		if (!c->src.ops->paced && now - (c->last_frame_ms ? c->last_frame_ms : c->opened_ms) > c->stall_ms / 2) {
			snprintf(c->state, sizeof c->state, "camera %.200s: waiting for a picture…", name);
			break;
		}
		*trouble = false;
		snprintf(c->state, sizeof c->state, "camera %.200s (%s)", name, kind);
		break;
	case PHASE_WAITING: {
		long long in = c->reopen_at > now ? (c->reopen_at - now + 999) / 1000 : 0;
		snprintf(c->state, sizeof c->state, "camera %.200s: %.300s · retry in %lld s",
			 name, c->why, in);
		break;
	}
	case PHASE_DONE:
		if (!c->failed && c->src.ops && c->src.ops->paced)
			*trouble = false;
		snprintf(c->state, sizeof c->state, "camera %.200s: %.300s", name, c->why);
		break;
	}
	return c->state;
}

bool camera_finished(struct camera *c)
{
	return c->phase == PHASE_DONE && decoder_idle(c->dec) && decoder_events_waiting(c->dec) == 0;
}

bool camera_running(const struct camera *c)
{
	return c->phase == PHASE_RUNNING;
}

bool camera_failed(const struct camera *c)
{
	return c->phase == PHASE_DONE && c->failed;
}

void camera_preview_enable(struct camera *c, bool on)
{
	decoder_preview_enable(c->dec, on);
}

bool camera_preview_get(struct camera *c, struct camera_preview *p)
{
	/* a picture from a source that stopped would mislead whoever aims */
	return c->phase == PHASE_RUNNING && decoder_preview_get(c->dec, p);
}

void camera_stats_get(struct camera *c, struct camera_stats *s)
{
	decoder_stats_get(c->dec, s);
}

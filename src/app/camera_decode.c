#define _GNU_SOURCE /* pipe2 */
/* zbar in a worker thread. One slot in, a small ring of events out:
 *   loop ──submit──▶ [next frame] ──worker: zbar, presence──▶ [events] ──pipe──▶ loop
 * A frame submitted while the slot is full replaces it (dropped, counted):
 * the worker always decodes the newest picture there is. */
#include "camera_decode.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zbar.h>

#include "../core/presence.h"

#define EVENTS_MAX 32
#define CODES_MAX 4

struct frame {
	uint8_t *grey;
	size_t cap;
	int width, height;
	long long ms;
};

struct decoder {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int wake[2];
	bool quit, busy, has_next, preview_on, reset;
	struct frame next, work;
	/* results, under mu */
	struct camera_event events[EVENTS_MAX];
	int ev_head, ev_count;
	struct camera_preview preview;
	bool has_preview;
	struct camera_stats stats;
	/* the worker's own */
	struct presence presence;
	zbar_image_scanner_t *scanner;
};

static bool frame_copy(struct frame *f, const uint8_t *grey, int width, int height, long long ms)
{
	size_t bytes = (size_t)width * (size_t)height;
	if (bytes > f->cap) {
		uint8_t *more = realloc(f->grey, bytes);
		if (!more)
			return false;
		f->grey = more;
		f->cap = bytes;
	}
	memcpy(f->grey, grey, bytes);
	f->width = width;
	f->height = height;
	f->ms = ms;
	return true;
}

/* The frame shrunk into the preview by area averaging, keeping its shape. */
static void shrink(const struct frame *f, struct camera_preview *p)
{
	int w = PREVIEW_MAX_W, h = (int)((long long)PREVIEW_MAX_W * f->height / f->width);
	if (h > PREVIEW_MAX_H) {
		h = PREVIEW_MAX_H;
		w = (int)((long long)PREVIEW_MAX_H * f->width / f->height);
	}
	if (w < 1)
		w = 1;
	if (h < 1)
		h = 1;
	p->w = w;
	p->h = h;
	for (int y = 0; y < h; y++) {
		int y0 = (int)((long long)y * f->height / h), y1 = (int)((long long)(y + 1) * f->height / h);
		for (int x = 0; x < w; x++) {
			int x0 = (int)((long long)x * f->width / w), x1 = (int)((long long)(x + 1) * f->width / w);
			unsigned long sum = 0, n = 0;
			/* every other pixel is plenty for a picture this small */
			for (int yy = y0; yy < y1; yy += 2)
				for (int xx = x0; xx < x1; xx += 2) {
					sum += f->grey[(size_t)yy * (size_t)f->width + (size_t)xx];
					n++;
				}
			p->grey[y * w + x] = (uint8_t)(n ? sum / n : 0);
		}
	}
}

static void push_event(struct decoder *d, enum camera_event_kind kind, const char *code, long long ms)
{
	struct camera_event *ev;
	if (d->ev_count == EVENTS_MAX) { /* nobody took them: the oldest goes */
		d->ev_head = (d->ev_head + 1) % EVENTS_MAX;
		d->ev_count--;
	}
	ev = &d->events[(d->ev_head + d->ev_count++) % EVENTS_MAX];
	ev->kind = kind;
	snprintf(ev->code, sizeof ev->code, "%s", code ? code : "");
	ev->frame_ms = ms;
}

/* True when the loop should wake: an event, or a new preview picture. */
static bool decode_one(struct decoder *d, bool preview_on)
{
	struct frame *f = &d->work;
	zbar_image_t *image = zbar_image_create();
	const char *codes[CODES_MAX];
	int ncodes = 0, which = 0, nboxes = 0;
	struct camera_preview *p = NULL;
	long long t0 = camera_now_ms();
	enum presence_step step;
	int box[2][4];
	bool wake = false;

	zbar_image_set_format(image, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(image, (unsigned)f->width, (unsigned)f->height);
	zbar_image_set_data(image, f->grey, (unsigned long)f->width * (unsigned long)f->height, NULL);
	/* the scanner keeps the last image's symbols for reuse: hand them back,
	 * or every frame with a code keeps a few hundred bytes for good */
	zbar_image_scanner_recycle_image(d->scanner, image);
	if (zbar_scan_image(d->scanner, image) > 0) {
		for (const zbar_symbol_t *s = zbar_image_first_symbol(image); s && ncodes < CODES_MAX; s = zbar_symbol_next(s)) {
			unsigned n = zbar_symbol_get_loc_size(s);
			codes[ncodes++] = zbar_symbol_get_data(s);
			if (nboxes < 2 && n > 0) {
				int *b = box[nboxes++];
				b[0] = b[2] = zbar_symbol_get_loc_x(s, 0);
				b[1] = b[3] = zbar_symbol_get_loc_y(s, 0);
				for (unsigned i = 1; i < n; i++) {
					int x = zbar_symbol_get_loc_x(s, i), y = zbar_symbol_get_loc_y(s, i);
					b[0] = x < b[0] ? x : b[0];
					b[1] = y < b[1] ? y : b[1];
					b[2] = x > b[2] ? x : b[2];
					b[3] = y > b[3] ? y : b[3];
				}
			}
		}
	}
	step = presence_frame(&d->presence, f->ms, codes, ncodes, &which);
	if (preview_on) {
		p = malloc(sizeof *p);
		if (p) {
			shrink(f, p);
			p->nboxes = nboxes;
			for (int i = 0; i < nboxes; i++) {
				p->boxes[i].x0 = (int)((long long)box[i][0] * p->w / f->width);
				p->boxes[i].y0 = (int)((long long)box[i][1] * p->h / f->height);
				p->boxes[i].x1 = (int)((long long)box[i][2] * p->w / f->width);
				p->boxes[i].y1 = (int)((long long)box[i][3] * p->h / f->height);
			}
		}
	}
	pthread_mutex_lock(&d->mu);
	if (step == PRESENCE_SCAN)
		push_event(d, CAMERA_CODE, codes[which], f->ms);
	else if (step == PRESENCE_TWO_CODES)
		push_event(d, CAMERA_TWO_CODES, NULL, f->ms);
	wake = step != PRESENCE_NOTHING;
	if (p && d->preview_on) {
		wake = true;
		unsigned long seq = d->preview.seq;
		memcpy(&d->preview, p, sizeof *p);
		d->preview.seq = seq + 1;
		d->has_preview = true;
	}
	d->stats.frames_decoded++;
	d->stats.decode_ms_total += camera_now_ms() - t0;
	pthread_mutex_unlock(&d->mu);
	free(p);
	zbar_image_destroy(image); /* the symbols' data lives until here */
	return wake;
}

static void *worker(void *arg)
{
	struct decoder *d = arg;

	pthread_mutex_lock(&d->mu);
	for (;;) {
		struct frame swap;
		bool preview_on, wake;
		while (!d->quit && !d->has_next)
			pthread_cond_wait(&d->cv, &d->mu);
		if (d->quit)
			break;
		/* take the slot by swapping buffers: no copy under the lock */
		swap = d->work;
		d->work = d->next;
		d->next = swap;
		d->has_next = false;
		d->busy = true;
		preview_on = d->preview_on;
		if (d->reset) {
			presence_init(&d->presence);
			d->reset = false;
		}
		pthread_mutex_unlock(&d->mu);
		wake = decode_one(d, preview_on);
		pthread_mutex_lock(&d->mu);
		d->busy = false;
		/* the loop sleeps through frames with nothing new to show; a
		 * full pipe already holds a wake-up */
		if (wake && write(d->wake[1], "r", 1) < 0 && errno != EAGAIN) {
		}
	}
	pthread_mutex_unlock(&d->mu);
	return NULL;
}

struct decoder *decoder_start(void)
{
	struct decoder *d = calloc(1, sizeof *d);
	sigset_t all, old;
	int rc;
	if (!d)
		return NULL;
	presence_init(&d->presence);
	d->scanner = zbar_image_scanner_create();
	/* QR codes only: no false reads of barcodes in the background */
	zbar_image_scanner_set_config(d->scanner, 0, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(d->scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	if (pipe2(d->wake, O_NONBLOCK | O_CLOEXEC) < 0) {
		zbar_image_scanner_destroy(d->scanner);
		free(d);
		return NULL;
	}
	pthread_mutex_init(&d->mu, NULL);
	pthread_cond_init(&d->cv, NULL);
	/* the worker takes no signals: they reach the loop that handles them */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&d->thread, NULL, worker, d);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		close(d->wake[0]);
		close(d->wake[1]);
		pthread_mutex_destroy(&d->mu);
		pthread_cond_destroy(&d->cv);
		zbar_image_scanner_destroy(d->scanner);
		free(d);
		return NULL;
	}
	return d;
}

void decoder_stop(struct decoder *d)
{
	if (!d)
		return;
	pthread_mutex_lock(&d->mu);
	d->quit = true;
	pthread_cond_signal(&d->cv);
	pthread_mutex_unlock(&d->mu);
	/* the worker finishes the frame in hand (a zbar scan: milliseconds) */
	pthread_join(d->thread, NULL);
	close(d->wake[0]);
	close(d->wake[1]);
	pthread_mutex_destroy(&d->mu);
	pthread_cond_destroy(&d->cv);
	zbar_image_scanner_destroy(d->scanner);
	free(d->next.grey);
	free(d->work.grey);
	free(d);
}

int decoder_fd(const struct decoder *d)
{
	return d->wake[0];
}

void decoder_submit(struct decoder *d, const uint8_t *grey, int width, int height, long long frame_ms,
		    unsigned long skipped)
{
	pthread_mutex_lock(&d->mu);
	d->stats.frames_read += 1 + skipped;
	d->stats.frames_dropped += skipped;
	if (!d->stats.first_frame_ms)
		d->stats.first_frame_ms = frame_ms;
	d->stats.last_frame_ms = frame_ms;
	if (d->has_next)
		d->stats.frames_dropped++;
	if (frame_copy(&d->next, grey, width, height, frame_ms)) {
		d->has_next = true;
		pthread_cond_signal(&d->cv);
	}
	pthread_mutex_unlock(&d->mu);
}

void decoder_clear_wake(struct decoder *d)
{
	char drain[64];
	while (read(d->wake[0], drain, sizeof drain) > 0)
		;
}

bool decoder_next_event(struct decoder *d, struct camera_event *ev)
{
	bool got = false;

	pthread_mutex_lock(&d->mu);
	if (d->ev_count) {
		*ev = d->events[d->ev_head];
		d->ev_head = (d->ev_head + 1) % EVENTS_MAX;
		d->ev_count--;
		got = true;
	}
	pthread_mutex_unlock(&d->mu);
	return got;
}

int decoder_events_waiting(struct decoder *d)
{
	int n;
	pthread_mutex_lock(&d->mu);
	n = d->ev_count;
	pthread_mutex_unlock(&d->mu);
	return n;
}

bool decoder_idle(struct decoder *d)
{
	bool idle;
	pthread_mutex_lock(&d->mu);
	idle = !d->has_next && !d->busy;
	pthread_mutex_unlock(&d->mu);
	return idle;
}

void decoder_preview_enable(struct decoder *d, bool on)
{
	pthread_mutex_lock(&d->mu);
	d->preview_on = on;
	if (!on)
		d->has_preview = false;
	pthread_mutex_unlock(&d->mu);
}

bool decoder_preview_get(struct decoder *d, struct camera_preview *p)
{
	bool got;
	pthread_mutex_lock(&d->mu);
	got = d->has_preview;
	if (got)
		*p = d->preview;
	pthread_mutex_unlock(&d->mu);
	return got;
}

void decoder_stats_get(struct decoder *d, struct camera_stats *s)
{
	pthread_mutex_lock(&d->mu);
	*s = d->stats;
	pthread_mutex_unlock(&d->mu);
}

void decoder_reset_presence(struct decoder *d)
{
	pthread_mutex_lock(&d->mu);
	d->reset = true;
	pthread_mutex_unlock(&d->mu);
}

/* Cameras for the check-in station and the headless gate (issue 12).
 *
 * A camera is a frame source and a decoder:
 * - sources (camera_source.c), each read without blocking in the caller's
 *   one poll() loop: a V4L2 device through zbar (/dev/video0), a YUV4MPEG2
 *   file (played at the rate in its header), a FIFO or a command's standard
 *   output ("cmd:ffmpeg … -f yuv4mpegpipe -"; as fast as frames come);
 * - the decoder (camera_decode.c): zbar in a worker thread. The newest
 *   frame wins: a frame that arrives while one is being decoded replaces
 *   the one waiting, frames are dropped, never queued, so a 30 fps camera
 *   never delays a key or a verdict. The worker also tells presentations
 *   apart (src/core/presence.h) and shrinks a frame for the preview when
 *   one is shown.
 *
 * A source that cannot be opened, stalls (no frame for CAMERA_STALL_MS),
 * ends or sends garbage is closed and, unless the camera was opened
 * CAMERA_ONCE, reopened after a back-off (1 s doubling to 30 s); the state
 * line says so meanwhile. A regular file is a clip: it plays once. */
#ifndef BOXOFFICE_APP_CAMERA_H
#define BOXOFFICE_APP_CAMERA_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#include "scan_image.h"

#define CAMERA_STALL_MS 3000
#define CAMERA_BACKOFF_MIN_MS 1000
#define CAMERA_BACKOFF_MAX_MS 30000
#define CAMERA_POLLFDS 2
#define CAMERA_SPEC_MAX 1024 /* a source's spec, "cmd:" and all, is shorter */ /* the source's descriptor and the decoder's wake-up */

/* The preview: the newest decoded frame shrunk to at most this (grey, one
 * byte a pixel), with the found codes' outlines in its coordinates. */
#define PREVIEW_MAX_W 96
#define PREVIEW_MAX_H 72

struct camera_preview {
	int w, h;
	uint8_t grey[PREVIEW_MAX_W * PREVIEW_MAX_H];
	int nboxes;
	struct {
		int x0, y0, x1, y1;
	} boxes[2];
	unsigned long seq; /* grows with every new picture */
};

enum camera_event_kind {
	CAMERA_CODE,      /* a code presented alone: scan it */
	CAMERA_TWO_CODES, /* several codes in one picture: refuse, saying this: */
};
#define CAMERA_TWO_CODES_REASON "two codes in view: show one badge at a time"

struct camera_event {
	enum camera_event_kind kind;
	char code[SCAN_CODE_MAX];
	long long frame_ms; /* monotonic ms when the frame that showed it arrived */
};

struct camera_stats {
	unsigned long frames_read;    /* whole frames from the source */
	unsigned long frames_decoded; /* scanned by zbar */
	unsigned long frames_dropped; /* replaced by a newer one before the worker took them */
	long long decode_ms_total;
	long long first_frame_ms, last_frame_ms;
};

enum camera_flags {
	CAMERA_ONCE = 1, /* headless: a source that ends or fails is not reopened */
};

struct camera;

/* Never fails for a well-formed spec: a source that cannot be opened yet
 * is retried (see above). NULL only for an empty spec or no memory. */
struct camera *camera_open(const char *spec, unsigned flags);
void camera_close(struct camera *c);

/* Fills up to CAMERA_POLLFDS descriptors to poll and lowers *timeout_ms
 * when the camera has work due sooner (a file's next frame, a reopen). */
int camera_pollfds(struct camera *c, struct pollfd *fds, int *timeout_ms);
/* After poll (fds as returned, revents set; any timeout): reads what is
 * ready, hands frames on, collects the decoder's results. True when
 * something a screen shows changed (an event, the state line, the preview). */
bool camera_work(struct camera *c, const struct pollfd *fds, int nfds);
/* The next presentation, oldest first; false when none is waiting. */
bool camera_next_event(struct camera *c, struct camera_event *ev);

/* A line for the screen: what the camera is doing or what is wrong with
 * it; *trouble when it is not delivering frames. */
const char *camera_state(struct camera *c, bool *trouble);
/* CAMERA_ONCE: the source ended (or failed) and every frame read is decoded
 * and its events taken: nothing more will come. */
bool camera_finished(struct camera *c);
/* True while a source is open (not waiting to reopen, not ended). */
bool camera_running(const struct camera *c);
/* True when the camera failed for good (CAMERA_ONCE) rather than ended. */
bool camera_failed(const struct camera *c);

/* The preview costs nothing while off: no frame is shrunk. */
void camera_preview_enable(struct camera *c, bool on);
/* Copies the newest preview; false when there is none yet. */
bool camera_preview_get(struct camera *c, struct camera_preview *p);
void camera_stats_get(struct camera *c, struct camera_stats *s);

/* Monotonic milliseconds (the clock frame times are in). */
long long camera_now_ms(void);

#endif

/* Frame sources behind one small interface (see camera.h): each opens
 * without blocking, names one descriptor to poll (or a time it is due) and
 * reads what is ready, leaving the newest whole frame as grey pixels. */
#ifndef BOXOFFICE_APP_CAMERA_SOURCE_H
#define BOXOFFICE_APP_CAMERA_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../core/y4m.h"

enum source_read {
	SOURCE_NOTHING, /* nothing whole yet */
	SOURCE_FRAME,   /* a new frame: grey, width, height */
	SOURCE_END,     /* the stream ended (why says how) */
	SOURCE_BROKEN,  /* garbage or a read error (why says what) */
};

struct frame_source;

struct frame_source_ops {
	const char *kind; /* "camera", "clip", "FIFO", "command" */
	bool paced;       /* plays at its header's rate (a file), never stalls */
	bool (*open)(struct frame_source *s, char *why, size_t whylen);
	/* descriptor to poll for POLLIN, or -1 */
	int (*fd)(const struct frame_source *s);
	enum source_read (*read)(struct frame_source *s, long long now_ms, char *why, size_t whylen);
	void (*close)(struct frame_source *s);
};

struct frame_source {
	const struct frame_source_ops *ops;
	char spec[1024]; /* a path, or the command after "cmd:" (CAMERA_SPEC_MAX) */
	int fd;
	pid_t pid;        /* a command's process (its own process group) */
	void *video;      /* zbar_video_t of a V4L2 device */
	struct y4m y4m;
	long long started_ms, next_due_ms; /* a paced file's clock */
	/* the newest whole frame */
	const uint8_t *grey;
	uint8_t *own; /* grey's storage when the source converts (V4L2) */
	size_t own_cap;
	int width, height;
	/* whole frames read since the last one handed on: all but the newest
	 * were dropped in the reader (a pipe read in one go holds several) */
	unsigned long completed;
};

/* Chooses the kind from the spec: "cmd:…", a character device, a FIFO, a
 * regular file (a clip), or — not there yet — a device that may appear. */
void source_init(struct frame_source *s, const char *spec);
/* ms until a paced source is due (0: now), or -1 when it waits on its fd. */
int source_due_in(const struct frame_source *s, long long now_ms);
/* Stops a command's process group; reaps what has exited, never waits. */
void source_reap_children(void);

#endif

/* The camera's decoder: zbar in a worker thread, newest frame wins (see
 * camera.h). The loop hands frames in without waiting (a copy under a
 * short lock) and polls a pipe that says results are ready. */
#ifndef BOXOFFICE_APP_CAMERA_DECODE_H
#define BOXOFFICE_APP_CAMERA_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "camera.h"

struct decoder;

struct decoder *decoder_start(void);
void decoder_stop(struct decoder *d);
/* The descriptor that turns readable when results are ready. */
int decoder_fd(const struct decoder *d);
/* Hands a frame in; one still waiting for the worker is dropped for it.
 * skipped: frames the source read and dropped before this one. */
void decoder_submit(struct decoder *d, const uint8_t *grey, int width, int height, long long frame_ms,
		    unsigned long skipped);
/* Empties the wake-up pipe (poll said it is readable): always, even when
 * the caller leaves events queued for later, or poll returns at once forever. */
void decoder_clear_wake(struct decoder *d);
/* Takes the next event (oldest first); false when none. */
bool decoder_next_event(struct decoder *d, struct camera_event *ev);
/* Events decoded and not taken yet. */
int decoder_events_waiting(struct decoder *d);
/* True when no frame waits and none is being decoded. */
bool decoder_idle(struct decoder *d);
void decoder_preview_enable(struct decoder *d, bool on);
bool decoder_preview_get(struct decoder *d, struct camera_preview *p);
void decoder_stats_get(struct decoder *d, struct camera_stats *s);
/* A new source: what was in view before is forgotten. */
void decoder_reset_presence(struct decoder *d);

#endif

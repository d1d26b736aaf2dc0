/* Scan once per presentation (issue 12). A badge held in front of a camera
 * is seen in many frames, and a decoder misses it now and then (blur, a
 * hand, glare): one presentation must give one scan. A code counts as in
 * view from the first decoded frame that shows it until it has been
 * missing for PRESENCE_LEAVE_MS and at least PRESENCE_LEAVE_FRAMES decoded
 * frames in a row; shown again after that, it is a new presentation.
 *
 * Several codes in one frame are refused once, and every one of them counts
 * as presented: taking one badge away does not admit the other, which must
 * leave the picture and come back alone (a door must never guess which
 * person is in front of it). A code that is not ours is one presentation
 * like any other, so it is refused once, not once a frame. Pure: the
 * caller gives each decoded frame's codes with the time the frame arrived. */
#ifndef BOXOFFICE_CORE_PRESENCE_H
#define BOXOFFICE_CORE_PRESENCE_H

#include <stddef.h>

#define PRESENCE_CODE_MAX 7200 /* any QR code whole (at most 7,089 characters) */
#define PRESENCE_MAX 8          /* codes tracked at once; the oldest goes first */
#define PRESENCE_LEAVE_MS 600
#define PRESENCE_LEAVE_FRAMES 2

enum presence_step {
	PRESENCE_NOTHING,   /* no code, or only codes already presented */
	PRESENCE_SCAN,      /* one code, newly presented: scan it */
	PRESENCE_TWO_CODES, /* several codes, at least one new: refuse once */
};

struct presence {
	struct {
		char code[PRESENCE_CODE_MAX];
		long long seen_ms; /* arrival of the last frame that showed it */
		int missed;        /* decoded frames in a row without it */
	} in_view[PRESENCE_MAX];
	int n;
};

void presence_init(struct presence *p);
/* One decoded frame that arrived at at_ms (monotonic) with its ncodes
 * codes (duplicates count once). PRESENCE_SCAN: the code is codes[*which]. */
enum presence_step presence_frame(struct presence *p, long long at_ms, const char *const codes[], int ncodes,
				  int *which);

#endif

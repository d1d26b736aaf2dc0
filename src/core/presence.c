#include "presence.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void presence_init(struct presence *p)
{
	memset(p, 0, sizeof *p);
}

static int find(const struct presence *p, const char *code)
{
	/* a code longer than the slot (none a QR holds) is kept and matched
	 * by its start, never re-presented every frame */
	for (int i = 0; i < p->n; i++)
		if (strncmp(p->in_view[i].code, code, PRESENCE_CODE_MAX - 1) == 0)
			return i;
	return -1;
}

static void forget(struct presence *p, int i)
{
	p->in_view[i] = p->in_view[--p->n];
}

enum presence_step presence_frame(struct presence *p, long long at_ms, const char *const codes[], int ncodes,
				  int *which)
{
	int distinct = 0, fresh = 0, first_fresh = -1;
	bool seen[PRESENCE_MAX] = { false };

	/* codes this frame shows: still in view, or new */
	for (int c = 0; c < ncodes; c++) {
		int i = find(p, codes[c]);
		bool repeat = false;
		for (int d = 0; d < c && !repeat; d++)
			repeat = strncmp(codes[d], codes[c], PRESENCE_CODE_MAX - 1) == 0;
		if (repeat)
			continue;
		distinct++;
		if (i < 0) {
			if (p->n == PRESENCE_MAX) {
				/* full: the code seen longest ago gives way */
				int oldest = 0;
				for (int k = 1; k < p->n; k++)
					if (!seen[k] && (seen[oldest] || p->in_view[k].seen_ms < p->in_view[oldest].seen_ms))
						oldest = k;
				forget(p, oldest);
				seen[oldest] = seen[p->n];
			}
			i = p->n++;
			snprintf(p->in_view[i].code, sizeof p->in_view[i].code, "%s", codes[c]);
			fresh++;
			if (first_fresh < 0)
				first_fresh = c;
		}
		p->in_view[i].seen_ms = at_ms;
		p->in_view[i].missed = 0;
		seen[i] = true;
	}
	/* codes this frame does not show: gone once missing long enough */
	for (int i = p->n - 1; i >= 0; i--) {
		if (seen[i])
			continue;
		p->in_view[i].missed++;
		if (p->in_view[i].missed >= PRESENCE_LEAVE_FRAMES && at_ms - p->in_view[i].seen_ms >= PRESENCE_LEAVE_MS) {
			forget(p, i);
			seen[i] = seen[p->n];
		}
	}
	if (!fresh)
		return PRESENCE_NOTHING;
	if (distinct > 1)
		return PRESENCE_TWO_CODES;
	if (which)
		*which = first_fresh;
	return PRESENCE_SCAN;
}

/* A name set on a badge: broken at spaces (or after a hyphen) into a few
 * lines that each fit a width, at the largest size from a start size down
 * to a least one at which the whole text fits. Pure: the caller measures
 * (a TrueType font's box, or a fixed-width font). */
#ifndef BOXOFFICE_CORE_FIT_LINES_H
#define BOXOFFICE_CORE_FIT_LINES_H

#include <stdbool.h>

#define FIT_LINES_MAX 4
#define FIT_LINE_BYTES 512

/* Width of text set at size, in the caller's units (pixels). */
typedef int (*fit_measure)(void *ctx, const char *text, double size);

struct fit_lines {
	double size; /* the size the lines are set at */
	int n;       /* lines used, at most max_lines */
	bool cut;    /* not whole even at the least size: the last line ends
		      * in the ellipsis */
	char line[FIT_LINES_MAX][FIT_LINE_BYTES];
};

/* Lays text out in at most max_lines (≤ FIT_LINES_MAX) lines no wider
 * than width. Tries size, then 2 smaller at a time down to min_size; at
 * min_size a word wider than the width is broken between characters, and
 * what still does not fit is cut at the end with ellipsis. The lines put
 * back together (a space between two, none after a hyphen that ended a
 * line) are text with its runs of spaces as one, when not cut. */
void fit_lines(const char *text, int width, double size, double min_size, int max_lines, const char *ellipsis,
	       fit_measure measure, void *ctx, struct fit_lines *out);

#endif

/* Breaking a badge's name into lines that fit (src/core/fit_lines.h). */
#include "fit_lines.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ascii.h"
#include "util.h"

static int measure_n(fit_measure measure, void *ctx, const char *text, size_t len, double size)
{
	char buf[FIT_LINE_BYTES];
	if (len >= sizeof buf)
		len = sizeof buf - 1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	return measure(ctx, buf, size);
}

/* Bytes of the longest line from p that fits: up to a space or after a
 * hyphen (else, when hard, up to a character); 0 when none does. */
static size_t line_end(const char *p, int width, double size, bool hard, fit_measure measure, void *ctx)
{
	size_t best = 0, len = strlen(p);

	for (size_t i = 1; i <= len; i++) {
		bool space_after = i == len || p[i] == ' ', hyphen = p[i - 1] == '-';
		if (p[i - 1] == ' ' || !(space_after || hyphen))
			continue;
		if (i >= FIT_LINE_BYTES || measure_n(measure, ctx, p, i, size) > width)
			break; /* wider from here on */
		best = i;
	}
	if (best || !hard)
		return best;
	/* a word wider than the line: as many characters as fit, at least one */
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t next = i + (size_t)utf8_decode(p + i, &cp);
		if (next >= FIT_LINE_BYTES || (best && measure_n(measure, ctx, p, next, size) > width))
			break;
		best = i = next;
	}
	return best;
}

static const char *skip_spaces(const char *p)
{
	while (*p == ' ')
		p++;
	return p;
}

/* Fills out at size; returns where the text not laid out starts ("" when
 * all of it was). */
static const char *wrap(const char *text, int width, double size, int max_lines, bool hard, fit_measure measure,
			void *ctx, struct fit_lines *out)
{
	const char *p = skip_spaces(text);

	out->n = 0;
	out->size = size;
	out->cut = false;
	while (*p && out->n < max_lines) {
		size_t end = line_end(p, width, size, hard, measure, ctx);
		if (end == 0)
			return p;
		snprintf(out->line[out->n++], FIT_LINE_BYTES, "%.*s", (int)end, p);
		p = skip_spaces(p + end);
	}
	return p;
}

void fit_lines(const char *text, int width, double size, double min_size, int max_lines, const char *ellipsis,
	       fit_measure measure, void *ctx, struct fit_lines *out)
{
	const char *rest;
	char *last;
	size_t keep;

	if (max_lines > FIT_LINES_MAX)
		max_lines = FIT_LINES_MAX;
	if (max_lines < 1)
		max_lines = 1;
	if (min_size > size)
		min_size = size;
	for (double sz = size;; sz = sz - 2 > min_size ? sz - 2 : min_size) {
		if (!*wrap(text ? text : "", width, sz, max_lines, false, measure, ctx, out))
			return;
		if (sz <= min_size)
			break;
	}
	rest = wrap(text, width, min_size, max_lines, true, measure, ctx, out);
	if (!*rest)
		return;
	/* the last line takes the rest, cut where it and the ellipsis fit */
	out->cut = true;
	if (out->n == 0)
		out->n = 1, out->line[0][0] = '\0';
	last = out->line[out->n - 1];
	snprintf(last + strlen(last), FIT_LINE_BYTES - strlen(last), " %s", rest);
	keep = strlen(last);
	/* snprintf may have cut a character short at the buffer's end */
	for (size_t j = keep; j > 0; j--) {
		unsigned char c = (unsigned char)last[j - 1];
		if ((c & 0xC0) == 0x80)
			continue;
		if (c >= 0xC0 && j - 1 + (c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2) > keep)
			keep = j - 1;
		break;
	}
	for (;;) {
		char with[FIT_LINE_BYTES + 8];
		while (keep > 0 && last[keep - 1] == ' ')
			keep--;
		snprintf(with, sizeof with, "%.*s%s", (int)keep, last, ellipsis);
		if (keep == 0 || measure(ctx, with, min_size) <= width)
			break;
		/* back one character (not into the middle of one) */
		keep = utf8_prefix(last, keep - 1);
	}
	snprintf(last + keep, FIT_LINE_BYTES - keep, "%s", ellipsis);
}

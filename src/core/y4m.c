#include "y4m.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void y4m_init(struct y4m *y)
{
	memset(y, 0, sizeof *y);
}

void y4m_free(struct y4m *y)
{
	free(y->grey);
	free(y->done);
	y4m_init(y);
}

size_t y4m_frame_bytes(const struct y4m *y)
{
	size_t luma = (size_t)y->width * (size_t)y->height;
	size_t chroma = (size_t)((y->width + 1) / 2) * (size_t)((y->height + 1) / 2);
	return y->colour == Y4M_MONO ? luma : luma + 2 * chroma;
}

int y4m_frame_ms(const struct y4m *y)
{
	long long ms;
	if (y->fps_num <= 0 || y->fps_den <= 0)
		return 0;
	ms = (1000LL * y->fps_den + y->fps_num / 2) / y->fps_num;
	/* past 1,000 fps: a frame a millisecond; slower than one in 10 s:
	 * one in 10 s (a clip is never silent for days) */
	return ms < 1 ? 1 : ms > Y4M_SLOWEST_MS ? Y4M_SLOWEST_MS : (int)ms;
}

static int broken(struct y4m *y, const char *why)
{
	snprintf(y->error, sizeof y->error, "%s", why);
	return -1;
}

/* A positive decimal that fits; false for anything else. */
static bool number(const char *s, size_t len, int max, int *out)
{
	long v = 0;

	if (len == 0 || len > 9)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	if (v <= 0 || v > max)
		return false;
	*out = (int)v;
	return true;
}

static int header(struct y4m *y)
{
	const char *p = y->line;
	bool w = false, h = false;

	if (strncmp(p, "YUV4MPEG2", 9) != 0 || (p[9] != ' ' && p[9] != '\0'))
		return broken(y, "not a YUV4MPEG2 stream");
	y->colour = Y4M_420; /* the format's default */
	p += 9;
	while (*p) {
		const char *tok;
		size_t len;
		while (*p == ' ')
			p++;
		tok = p;
		while (*p && *p != ' ')
			p++;
		len = (size_t)(p - tok);
		if (len == 0)
			break;
		switch (tok[0]) {
		case 'W':
			if (!(w = number(tok + 1, len - 1, Y4M_MAX_SIDE, &y->width)))
				return broken(y, "frame width missing or out of range");
			break;
		case 'H':
			if (!(h = number(tok + 1, len - 1, Y4M_MAX_SIDE, &y->height)))
				return broken(y, "frame height missing or out of range");
			break;
		case 'F': {
			const char *colon = memchr(tok, ':', len);
			if (!colon || !number(tok + 1, (size_t)(colon - tok - 1), 1000000, &y->fps_num) ||
			    !number(colon + 1, (size_t)(tok + len - colon - 1), 1000000, &y->fps_den))
				return broken(y, "frame rate is not N:D");
			break;
		}
		case 'C':
			if (len == 5 && strncmp(tok, "Cmono", 5) == 0)
				y->colour = Y4M_MONO;
			else if (len >= 4 && strncmp(tok, "C420", 4) == 0 &&
				 (len == 4 || (len == 8 && strncmp(tok, "C420jpeg", 8) == 0) ||
				  (len == 9 && strncmp(tok, "C420mpeg2", 9) == 0) ||
				  (len == 9 && strncmp(tok, "C420paldv", 9) == 0)))
				y->colour = Y4M_420;
			else
				return broken(y, "colour space not grey (Cmono) or 4:2:0 (use -pix_fmt gray)");
			break;
		default: /* I (interlacing), A (aspect), X (extensions): not needed */
			break;
		}
	}
	if (!w || !h)
		return broken(y, "the header gives no W and H");
	y->grey = xmalloc((size_t)y->width * (size_t)y->height);
	y->done = xmalloc((size_t)y->width * (size_t)y->height);
	y->have_header = true;
	return 0;
}

int y4m_feed(struct y4m *y, const void *data, size_t n)
{
	const uint8_t *p = data, *end = p + n;
	int completed = 0;

	if (y->error[0])
		return -1;
	while (p < end) {
		if (!y->have_header || !y->in_frame) {
			const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
			size_t take = nl ? (size_t)(nl - p) : (size_t)(end - p);
			if (y->line_len + take > Y4M_MAX_LINE)
				return broken(y, y->have_header ? "a frame line is too long: not a YUV4MPEG2 stream"
								: "the header line is too long: not a YUV4MPEG2 stream");
			memcpy(y->line + y->line_len, p, take);
			y->line_len += take;
			p += take;
			if (!nl)
				break; /* the rest of the line comes with the next bytes */
			p++;   /* the newline */
			y->line[y->line_len] = '\0';
			y->line_len = 0;
			if (!y->have_header) {
				if (header(y) < 0)
					return -1;
			} else if (strncmp(y->line, "FRAME", 5) == 0 && (y->line[5] == ' ' || y->line[5] == '\0')) {
				y->in_frame = true;
				y->frame_got = 0;
			} else {
				return broken(y, "expected FRAME: the stream lost its place");
			}
			continue;
		}
		{
			size_t need = y4m_frame_bytes(y) - y->frame_got, take = (size_t)(end - p) < need ? (size_t)(end - p) : need;
			size_t luma = (size_t)y->width * (size_t)y->height;
			if (y->frame_got < luma) {
				size_t l = luma - y->frame_got < take ? luma - y->frame_got : take;
				memcpy(y->grey + y->frame_got, p, l);
			}
			y->frame_got += take;
			p += take;
			if (y->frame_got == y4m_frame_bytes(y)) {
				uint8_t *t = y->done;
				y->done = y->grey;
				y->grey = t;
				y->in_frame = false;
				y->frames++;
				completed++;
			}
		}
	}
	return completed;
}

/* Drawing helpers for screens: text clipped by display width (names come
 * with å, ø, é and emoji), column headers from data tables, list cursors. */
#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../../screens/screen.h"
#include "../core/qr.h"
#include "theme.h"

/* Converts to wide characters and keeps as many as fit in width columns. */
static int fit_wide(const char *text, wchar_t *out, int cap, int width, int *used)
{
	mbstate_t st;
	const char *p = text;
	int n = 0, w = 0;

	memset(&st, 0, sizeof st);
	while (*p && n < cap - 1) {
		wchar_t wc;
		size_t len = mbrtowc(&wc, p, strlen(p), &st);
		int cw;
		if (len == (size_t)-1 || len == (size_t)-2) {
			wc = L'?';
			len = 1;
			memset(&st, 0, sizeof st);
		}
		if (len == 0)
			break;
		cw = wcwidth(wc);
		if (cw < 0) {
			wc = L'?';
			cw = 1;
		}
		if (w + cw > width)
			break;
		out[n++] = wc;
		w += cw;
		p += len;
	}
	out[n] = L'\0';
	*used = w;
	return n;
}

static void draw_aligned(int y, int x, int width, const char *text, unsigned attr, bool right)
{
	wchar_t buf[512];
	int used, n;

	if (width <= 0 || !text)
		return;
	n = fit_wide(text, buf, (int)(sizeof buf / sizeof buf[0]), width, &used);
	attron(attr);
	mvaddnwstr(y, right ? x + width - used : x, buf, n);
	attroff(attr);
}

void draw_text(int y, int x, int width, const char *text, unsigned attr)
{
	draw_aligned(y, x, width, text, attr, false);
}

void draw_text_right(int y, int x, int width, const char *text, unsigned attr)
{
	draw_aligned(y, x, width, text, attr, true);
}

void draw_fill(int y, int x, int width, unsigned attr)
{
	attron(attr);
	mvhline(y, x, ' ', width);
	attroff(attr);
}

int draw_columns(int y, int x, int w, const struct column *cols, int n, int *xs, int *ws, unsigned attr)
{
	bool dropped[64] = { false };
	int pos = x, need = 0, flex = -1;

	if (n > 64)
		n = 64;
	for (int i = 0; i < n; i++) {
		if (cols[i].width == 0 && flex < 0)
			flex = i;
		need += (cols[i].width ? cols[i].width : (cols[i].min ? cols[i].min : 12)) + 1;
	}
	/* Drop the least important columns until the rest fit. */
	while (need - 1 > w) {
		int worst = -1;
		for (int i = 0; i < n; i++)
			if (!dropped[i] && cols[i].drop > 0 && (worst < 0 || cols[i].drop > cols[worst].drop))
				worst = i;
		if (worst < 0)
			break;
		dropped[worst] = true;
		need -= (cols[worst].width ? cols[worst].width : (cols[worst].min ? cols[worst].min : 12)) + 1;
		if (worst == flex)
			flex = -1;
	}
	draw_fill(y, x, w, attr);
	for (int i = 0; i < n; i++) {
		int width = cols[i].width;
		xs[i] = x;
		ws[i] = 0;
		if (dropped[i])
			continue;
		if (width == 0) { /* the flexible column takes what is left */
			int least = cols[i].min ? cols[i].min : 12;
			width = least + (w - (need - 1) > 0 ? w - (need - 1) : 0);
		}
		if (pos + width > x + w)
			width = x + w - pos;
		if (width <= 0)
			continue;
		xs[i] = pos;
		ws[i] = width;
		if (cols[i].right)
			draw_text_right(y, pos, width, cols[i].title, attr);
		else
			draw_text(y, pos, width, cols[i].title, attr);
		pos += width + 1;
	}
	return n;
}

void list_cursor_fit(struct list_cursor *c, int visible)
{
	if (c->count <= 0) {
		c->selected = c->top = 0;
		return;
	}
	if (c->selected >= c->count)
		c->selected = c->count - 1;
	if (c->selected < 0)
		c->selected = 0;
	if (visible < 1)
		visible = 1;
	if (c->selected < c->top)
		c->top = c->selected;
	if (c->selected >= c->top + visible)
		c->top = c->selected - visible + 1;
	if (c->top < 0)
		c->top = 0;
}

int list_cursor_move(struct list_cursor *c, enum action action, int visible)
{
	int page = visible > 1 ? visible - 1 : 1;

	switch (action) {
	case ACT_UP: c->selected--; break;
	case ACT_DOWN: c->selected++; break;
	case ACT_PAGE_UP: c->selected -= page; break;
	case ACT_PAGE_DOWN: c->selected += page; break;
	case ACT_HOME: c->selected = 0; break;
	case ACT_END: c->selected = c->count - 1; break;
	default: return SCR_IGNORED;
	}
	list_cursor_fit(c, visible);
	return SCR_HANDLED | SCR_REDRAW;
}

int draw_qr(int y, int x, int h, int w, const char *text)
{
	static const wchar_t *const glyphs[4] = { L" ", L"\u2580", L"\u2584", L"\u2588" };
	const int quiet = 2;
	struct qr q;
	int side, rows;

	if (!qr_make_small(text, &q))
		return 0;
	side = q.width + 2 * quiet;
	rows = (side + 1) / 2;
	if (rows > h || side > w) {
		qr_free(&q);
		return 0;
	}
	attron(theme_attr(C_QR));
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < side; c++) {
			int top = qr_dark(&q, c - quiet, 2 * r - quiet);
			int bottom = qr_dark(&q, c - quiet, 2 * r + 1 - quiet);
			mvaddwstr(y + r, x + c, glyphs[top | bottom << 1]);
		}
	attroff(theme_attr(C_QR));
	qr_free(&q);
	return rows;
}

/* ---- where a screen's data stands ---- */

#include <stdio.h>

#include "../db/db.h"

void read_mark_sent(struct read_mark *m, struct app *app, bool queued)
{
	m->loading = queued;
	if (!queued)
		snprintf(m->error, sizeof m->error, "%s", app_db(app)->err[0] ? app_db(app)->err : "not connected");
}

void read_mark_answer(struct read_mark *m, struct db *db, bool answered)
{
	m->loading = false;
	if (answered)
		m->error[0] = '\0';
	else
		snprintf(m->error, sizeof m->error, "%s", db->err[0] ? db->err : "the database did not answer");
}

const char *read_mark_text(struct app *app, const struct read_mark *m, char *buf, size_t size)
{
	if (!app_online(app))
		return "unavailable — offline";
	if (m->error[0]) {
		snprintf(buf, size, "unavailable — %s", m->error);
		return buf;
	}
	return m->loading ? "loading…" : NULL;
}

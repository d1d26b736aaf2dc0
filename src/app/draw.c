/* Drawing helpers for screens: text clipped by display width (names come
 * with å, ø, é and emoji), column headers from data tables, list cursors. */
#include <curses.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "../../screens/screen.h"
#include "../core/ascii.h"
#include "../core/qr.h"
#include "../core/util.h"
#include "theme.h"

/* A terminal whose locale is not UTF-8 (LANG=C over SSH) gets ASCII: the
 * screens' glyphs as look-alikes, accents dropped (src/core/ascii.c). Set
 * once by draw_init after setlocale. */
static bool ascii_only;

void draw_init(void)
{
	const char *codeset = nl_langinfo(CODESET);
	ascii_only = !codeset || (strcasecmp(codeset, "UTF-8") != 0 && strcasecmp(codeset, "UTF8") != 0);
}

bool draw_ascii(void)
{
	return ascii_only;
}

/* The next character of *p as the wide characters drawn for it (one, or
 * several ASCII ones in ASCII mode) and their width; false at the end. */
static bool next_cell(const char **p, mbstate_t *st, wchar_t *out, int *n, int *cols)
{
	if (!**p)
		return false;
	if (ascii_only) {
		uint32_t cp;
		const char *a;
		*p += utf8_decode(*p, &cp);
		if (cp < 0x80) {
			out[0] = (wchar_t)(cp < 0x20 || cp == 0x7F ? '?' : cp);
			*n = *cols = 1;
			return true;
		}
		a = ascii_for(cp);
		for (*n = 0; a[*n] && *n < 4; (*n)++)
			out[*n] = (wchar_t)(unsigned char)a[*n];
		*cols = *n;
		return true;
	}
	{
		wchar_t wc;
		size_t len = mbrtowc(&wc, *p, strlen(*p), st);
		int cw;
		if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
			uint32_t cp;
			wc = L'?';
			len = (size_t)utf8_decode(*p, &cp); /* one '?' per character, not per byte */
			memset(st, 0, sizeof *st);
		}
		cw = wcwidth(wc);
		if (cw < 0) {
			wc = L'?';
			cw = 1;
		}
		*p += len;
		out[0] = wc;
		*n = 1;
		*cols = cw;
	}
	return true;
}

int draw_text_width(const char *text)
{
	mbstate_t st;
	wchar_t cell[4];
	int n, cols, w = 0;

	memset(&st, 0, sizeof st);
	while (text && next_cell(&text, &st, cell, &n, &cols))
		w += cols;
	return w;
}

/* Converts to wide characters and keeps as many as fit in width columns. */
static int fit_wide(const char *text, wchar_t *out, int cap, int width, int *used)
{
	mbstate_t st;
	const char *p = text;
	int n = 0, w = 0;

	memset(&st, 0, sizeof st);
	for (;;) {
		wchar_t cell[4];
		int cn, cols;
		if (!next_cell(&p, &st, cell, &cn, &cols) || n + cn > cap - 1 || w + cols > width)
			break;
		memcpy(out + n, cell, (size_t)cn * sizeof cell[0]);
		n += cn;
		w += cols;
	}
	out[n] = L'\0';
	*used = w;
	return n;
}

void text_ellipsis(char *buf, size_t size, const char *text, int width)
{
	mbstate_t st;
	const char *p = text ? text : "", *cut = p;
	wchar_t cell[4];
	int n, cols, w = 0, ell = ascii_only ? 3 : 1;
	size_t len;

	if (size == 0)
		return;
	if (draw_text_width(p) <= width && strlen(p) < size) {
		memcpy(buf, p, strlen(p) + 1);
		return;
	}
	if (width < ell || size <= sizeof "\u2026") {
		buf[0] = '\0';
		return;
	}
	memset(&st, 0, sizeof st);
	/* the characters that leave room for the ellipsis */
	for (const char *q = p; next_cell(&q, &st, cell, &n, &cols) && w + cols <= width - ell;) {
		w += cols;
		cut = q;
	}
	/* and that leave it room in buf: cut between characters, never in one */
	len = utf8_prefix(p, (size_t)(cut - p) < size - sizeof "\u2026" ? (size_t)(cut - p) : size - sizeof "\u2026");
	memcpy(buf, p, len);
	memcpy(buf + len, "\u2026", sizeof "\u2026");
}

void text_tail(char *buf, size_t size, const char *text, int width)
{
	mbstate_t st;
	const char *p = text ? text : "";
	wchar_t cell[4];
	int n, cols, total = draw_text_width(p), ell = ascii_only ? 3 : 1;

	if (size == 0)
		return;
	if (total <= width) {
		utf8_copy(buf, size, p);
		return;
	}
	if (width < ell || size <= sizeof "\u2026") {
		buf[0] = '\0';
		return;
	}
	/* drop characters from the front until the rest fits beside "…",
	 * and any combining mark left at the front (it belonged to a
	 * character dropped, and would sit on the "…") */
	memset(&st, 0, sizeof st);
	while (total > width - ell && next_cell(&p, &st, cell, &n, &cols))
		total -= cols;
	for (;;) {
		const char *q = p;
		mbstate_t peek = st;
		if (!next_cell(&q, &peek, cell, &n, &cols) || cols != 0)
			break;
		p = q;
		st = peek;
	}
	memcpy(buf, "\u2026", sizeof "\u2026");
	utf8_copy(buf + sizeof "\u2026" - 1, size - (sizeof "\u2026" - 1), p);
}

size_t text_line(const char *text, int width)
{
	mbstate_t st;
	const char *p = text ? text : "", *start = p, *space = NULL;
	int w = 0;

	memset(&st, 0, sizeof st);
	for (;;) {
		const char *q = p;
		wchar_t cell[4];
		int n, cols;
		if (*p == '\n' || !next_cell(&q, &st, cell, &n, &cols))
			return (size_t)(p - start); /* a line of its own, or the end */
		if (w + cols > width)
			break;
		if (*p == ' ')
			space = p;
		w += cols;
		p = q;
	}
	if (*p == ' ')
		return (size_t)(p - start);
	if (space && space > start)
		return (size_t)(space - start);
	if (p == start) { /* not even one character fits: it goes alone */
		uint32_t cp;
		return (size_t)utf8_decode(p, &cp);
	}
	return (size_t)(p - start);
}

static void draw_aligned(int y, int x, int width, const char *text, unsigned attr, bool right)
{
	wchar_t buf[512];
	int used, n;

	char cut[2048];

	if (width <= 0 || !text)
		return;
	/* a text that does not fit says so with "…" (trailing blanks that
	 * pad a row are not text) */
	if (draw_text_width(text) > width) {
		size_t len = strlen(text);
		while (len > 0 && text[len - 1] == ' ')
			len--;
		if (len < sizeof cut) {
			memcpy(cut, text, len);
			cut[len] = '\0';
			if (draw_text_width(cut) > width) {
				char shown[sizeof cut];
				text_ellipsis(shown, sizeof shown, cut, width);
				memcpy(cut, shown, sizeof shown);
			}
			text = cut;
		}
	}
	n = fit_wide(text, buf, (int)(sizeof buf / sizeof buf[0]), width, &used);
	attron(attr);
	mvaddnwstr(y, right ? x + width - used : x, buf, n);
	attroff(attr);
}

void draw_text(int y, int x, int width, const char *text, unsigned attr)
{
	draw_aligned(y, x, width, text, attr, false);
}

int draw_wrapped(int y, int x, int width, int max_lines, const char *text, unsigned attr)
{
	char line[1024];
	int n = 0;

	if (width <= 0 || !text)
		return 0;
	for (; n < max_lines && *text; n++) {
		/* by columns and whole characters (text_line): a cut by bytes
		 * split "ä" in two and ended a row with "Åsa Öberg" short */
		size_t len = n < max_lines - 1 ? text_line(text, width) : strlen(text);
		size_t keep = utf8_prefix(text, len < sizeof line - 1 ? len : sizeof line - 1);

		memcpy(line, text, keep);
		line[keep] = '\0';
		/* the last row takes the rest, cut with "…" by draw_text */
		for (char *nl = line; (nl = strchr(nl, '\n'));)
			*nl = ' ';
		draw_text(y + n, x, width, line, attr);
		text += len;
		if (*text == '\n')
			text++;
		else
			while (*text == ' ')
				text++;
	}
	return n;
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

/* ncurses' line-drawing characters: box lines in a UTF-8 terminal, the
 * terminal's own line set (or '-' and '|') in any other. */
void draw_hline(int y, int x, int width, unsigned attr)
{
	if (width <= 0)
		return;
	attron(attr);
	mvhline(y, x, ACS_HLINE, width);
	attroff(attr);
}

void draw_vline(int y, int x, int height, unsigned attr)
{
	if (height <= 0)
		return;
	attron(attr);
	mvvline(y, x, ACS_VLINE, height);
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
	c->visible = visible;
	if (c->selected < c->top)
		c->top = c->selected;
	if (c->selected >= c->top + visible)
		c->top = c->selected - visible + 1;
	if (c->top < 0)
		c->top = 0;
}

int list_cursor_click(struct list_cursor *c, int first_row_y, int y)
{
	int row = c->top + (y - first_row_y);

	if (y < first_row_y || row >= c->count || (c->visible > 0 && y - first_row_y >= c->visible))
		return -1;
	c->selected = row;
	return row;
}

bool list_cursor_mouse(struct list_cursor *c, int first_row_y, enum mouse_event event, int y, bool *open)
{
	*open = false;
	if (event != MOUSE_CLICK && event != MOUSE_DOUBLE_CLICK)
		return false;
	if (list_cursor_click(c, first_row_y, y) < 0)
		return false;
	*open = event == MOUSE_DOUBLE_CLICK;
	return true;
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
	/* Without UTF-8 there are no half blocks: a module is a cell pair,
	 * dark in reverse video, one module a row. */
	rows = ascii_only ? side : (side + 1) / 2;
	if (rows > h || (ascii_only ? 2 * side : side) > w) {
		qr_free(&q);
		return 0;
	}
	attron(theme_attr(C_QR));
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < side; c++) {
			if (ascii_only) {
				bool dark = qr_dark(&q, c - quiet, r - quiet);
				if (dark)
					attron(A_REVERSE);
				mvaddstr(y + r, x + 2 * c, "  ");
				if (dark)
					attroff(A_REVERSE);
				continue;
			}
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

const char *text_cell(char *buf, size_t size, const char *text, int width)
{
	size_t len;

	if (size == 0)
		return "";
	text_ellipsis(buf, size, text, width);
	len = strlen(buf);
	for (int pad = width - draw_text_width(buf); pad > 0 && len + 1 < size; pad--)
		buf[len++] = ' ';
	buf[len] = '\0';
	return buf;
}

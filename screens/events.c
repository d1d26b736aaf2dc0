/* Events and their ticket types; Enter makes the selected event the one
 * every other screen works on. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/app/theme.h"
#include "../src/core/money.h"
#include "../src/core/util.h"
#include "../src/db/async.h"
#include "../src/db/events_view.h"
#include "screen.h"

/* Every event, in date order: a deployment keeps years of past events
 * and the ones a clerk needs are the newest (a fixed 256 hid every
 * event after the 256th by date). Rows are allocated as read; past this
 * many the list says it shows only the first. */
#define EVENTS_MAX 10000

struct event_row {
	long long id;
	char date[11];
	char name[201];
	bool reentry;
	int types;
	long long capacity;
};

struct events_state {
	struct list_cursor cursor;
	struct event_row *rows; /* cursor.count of them, allocated for rows_cap */
	int rows_cap;
	bool more;              /* EVENTS_MAX read and there are more */
	struct read_mark mark;
	struct app *app;
	int first_row_y; /* where draw put the first row, for clicks */
};

enum { COL_ID, COL_DATE, COL_NAME, COL_REENTRY, COL_TYPES, COL_CAPACITY, COL_COUNT };
static const struct column columns[COL_COUNT] = {
	[COL_ID] = { "ID", 6, true, 0, 0 },
	[COL_DATE] = { "DATE", 10, false, 0, 0 },
	[COL_NAME] = { "NAME", 0, false, 0, 16 },
	[COL_REENTRY] = { "RE-ENTRY", 8, false, 1, 0 },
	[COL_TYPES] = { "TYPES", 5, true, 2, 0 },
	[COL_CAPACITY] = { "CAPACITY", 9, true, 0, 0 },
};

static void events_answer(struct db *db, const PGresult *res, void *ctx)
{
	struct events_state *s = ctx;
	struct app *app = s->app;

	int n;

	read_mark_answer(&s->mark, db, res != NULL);
	if (!res)
		return;
	n = PQntuples(res);
	s->more = n > EVENTS_MAX;
	if (n > EVENTS_MAX)
		n = EVENTS_MAX;
	if (n > s->rows_cap) {
		s->rows = xrealloc(s->rows, (size_t)n * sizeof s->rows[0]);
		s->rows_cap = n;
	}
	s->cursor.count = n;
	for (int i = 0; i < s->cursor.count; i++) {
		struct event_row *r = &s->rows[i];
		r->id = db_int(res, i, EO_ID);
		snprintf(r->date, sizeof r->date, "%s", db_text(res, i, EO_DATE));
		snprintf(r->name, sizeof r->name, "%s", db_text(res, i, EO_NAME));
		r->reentry = db_bool(res, i, EO_REENTRY);
		r->types = (int)db_int(res, i, EO_TYPES);
		r->capacity = db_int(res, i, EO_CAPACITY);
		if (r->id == app_event_id(app) && s->cursor.selected == 0)
			s->cursor.selected = i;
	}
}

/* The rows shown stay (marked) until the answer replaces them. */
static void events_query(struct app *app, void *state)
{
	struct events_state *s = state;

	s->app = app;
	db_cancel_owner(app_db(app), s); /* a newer read supersedes */
	read_mark_sent(&s->mark, app, db_event_overview_submit(app_db(app), s, EVENTS_MAX + 1, events_answer, s));
}

static void events_draw(struct app *app, void *state, struct rect a)
{
	struct events_state *s = state;
	int xs[COL_COUNT], ws[COL_COUNT], shown, visible;
	char buf[600];
	const char *mark = read_mark_text(app, &s->mark, buf, sizeof buf);
	bool stale = read_mark_stale(app, &s->mark);

	/* the last line marks rows that are not current, or says the list
	 * stops short */
	visible = a.h - (mark || s->more ? 2 : 1);

	shown = draw_columns(a.y, a.x + 1, a.w - 2, columns, COL_COUNT, xs, ws, theme_attr(C_TITLE) | A_UNDERLINE);
	list_cursor_fit(&s->cursor, visible);
	s->first_row_y = a.y + 1;
	if (mark) /* the last line says whether the rows are current */
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, mark, stale ? theme_attr(C_OFFLINE) : theme_attr(C_DIM));
	else if (s->more)
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, "The first 10,000 events by date are listed; later ones are not.",
			  theme_attr(C_DIM));
	if (s->cursor.count == 0 && !mark)
		draw_text(a.y + 2, a.x + 2, a.w - 4, "No events yet: boxoffice event add --name NAME --date YYYY-MM-DD",
			  theme_attr(C_DIM));
	for (int i = 0; i < visible && s->cursor.top + i < s->cursor.count; i++) {
		const struct event_row *r = &s->rows[s->cursor.top + i];
		int y = a.y + 1 + i;
		unsigned attr = s->cursor.top + i == s->cursor.selected ? theme_attr(C_SELECTED)
								       : stale ? theme_attr(C_DIM) : A_NORMAL;
		char cells[COL_COUNT][64];
		const char *text[COL_COUNT];

		snprintf(cells[COL_ID], sizeof cells[0], "%lld", r->id);
		/* numbers are abbreviated to their column, never cut */
		count_format_fit(cells[COL_TYPES], sizeof cells[0], r->types, ws[COL_TYPES]);
		count_format_fit(cells[COL_CAPACITY], sizeof cells[0], r->capacity, ws[COL_CAPACITY]);
		text[COL_ID] = cells[COL_ID];
		text[COL_DATE] = r->date;
		text[COL_NAME] = r->name;
		text[COL_REENTRY] = r->reentry ? "yes" : "no";
		text[COL_TYPES] = cells[COL_TYPES];
		text[COL_CAPACITY] = cells[COL_CAPACITY];
		if (r->id == app_event_id(app))
			attr |= A_BOLD;
		draw_fill(y, a.x, a.w, attr);
		for (int c = 0; c < shown; c++) {
			if (columns[c].right)
				draw_text_right(y, xs[c], ws[c], text[c], attr);
			else
				draw_text(y, xs[c], ws[c], text[c], attr);
		}
	}
}

static int events_key(struct app *app, void *state, enum action action, int key)
{
	struct events_state *s = state;
	(void)key;
	if (action == ACT_OPEN && s->cursor.count > 0) {
		const struct event_row *r = &s->rows[s->cursor.selected];
		app_set_event(app, r->id, r->name);
		app_status(app, false, "working on %s", r->name);
		return SCR_HANDLED | SCR_REDRAW;
	}
	return list_cursor_move(&s->cursor, action, LINES - 5);
}

/* A click selects an event; a double click works on it (as Enter). */
static int events_mouse(struct app *app, void *state, enum mouse_event event, int y, int x)
{
	struct events_state *s = state;
	bool open;
	(void)x;
	if (!list_cursor_mouse(&s->cursor, s->first_row_y, event, y, &open))
		return SCR_IGNORED;
	return open ? events_key(app, state, ACT_OPEN, 0) : SCR_HANDLED | SCR_REDRAW;
}

static int events_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	(void)app;
	(void)state;
	(void)payload;
	return strcmp(channel, "boxoffice_events") == 0 ? SCR_REQUERY : SCR_IGNORED;
}

static void events_done(struct app *app, void *state)
{
	struct events_state *s = state;
	(void)app;
	free(s->rows);
}

const struct screen_ops events_screen = {
	.name = "events",
	.title = "Events",
	.state_size = sizeof(struct events_state),
	.done = events_done,
	.query = events_query,
	.draw = events_draw,
	.on_key = events_key,
	.on_mouse = events_mouse,
	.on_notify = events_notify,
};

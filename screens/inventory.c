/* Live inventory of the current event: per type and per channel quota,
 * capacity, sold, held, reserved, available. Every change at any station
 * arrives as a NOTIFY and the panel re-reads at once; Enter sells. */
#include <curses.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "../src/app/theme.h"
#include "../src/core/money.h"
#include "../src/core/validate.h"
#include "../src/db/async.h"
#include "../src/db/inventory.h"
#include "screen.h"

#define INV_ROWS 128

struct inv_row {
	long long type_id;
	char type[UTF8_BUF(TYPE_NAME_MAX_CHARS)];
	char channel[12]; /* "" for the whole type */
	long long capacity, sold, held, reserved, available, spt, version;
};

struct inventory_state {
	struct list_cursor cursor;
	struct inv_row rows[INV_ROWS];
	long long event_id;
	char updated[16]; /* HH:MM:SS.mmm of the last read */
	unsigned reads;
	struct read_mark mark;
	bool again; /* a change came while a read was out: read once more */
	struct app *app;
	int first_row_y; /* where draw put the first row, for clicks */
};

enum { COL_TYPE, COL_CHANNEL, COL_CAPACITY, COL_SOLD, COL_HELD, COL_RESERVED, COL_AVAILABLE,
       COL_BAR, COL_COUNT };
static const struct column columns[COL_COUNT] = {
	[COL_TYPE] = { "TYPE", 14, false, 0, 0 },
	[COL_CHANNEL] = { "CHANNEL", 8, false, 0, 0 },
	[COL_CAPACITY] = { "CAPACITY", 9, true, 0, 0 },
	[COL_SOLD] = { "SOLD", 8, true, 0, 0 },
	[COL_HELD] = { "HELD", 7, true, 2, 0 },
	[COL_RESERVED] = { "RESERVED", 8, true, 3, 0 },
	[COL_AVAILABLE] = { "AVAILABLE", 9, true, 0, 0 },
	[COL_BAR] = { "TAKEN", 0, false, 1, 6 },
};

static long long get(const json_t *row, const char *key)
{
	return (long long)json_integer_value(json_object_get(row, key));
}

static void stamp(char *buf, size_t size)
{
	struct timeval tv;
	struct tm tm;
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	snprintf(buf, size, "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(tv.tv_usec / 1000));
}

static void inventory_query(struct app *app, void *state);

static void inventory_answer(struct db *db, const json_t *rows, void *ctx)
{
	struct inventory_state *s = ctx;
	const json_t *row;
	size_t i;
	long long keep_type = 0;
	char keep_channel[12] = "";

	read_mark_answer(&s->mark, db, rows != NULL);
	if (s->again) { /* what just came may already be old */
		s->again = false;
		inventory_query(s->app, s);
	}
	if (!rows)
		return;
	if (s->cursor.count > 0) { /* the selection survives a re-read */
		keep_type = s->rows[s->cursor.selected].type_id;
		snprintf(keep_channel, sizeof keep_channel, "%s", s->rows[s->cursor.selected].channel);
	}
	s->cursor.count = 0;
	json_array_foreach(rows, i, row) {
		struct inv_row *r;
		const char *channel = json_string_value(json_object_get(row, "channel"));
		if (s->cursor.count == INV_ROWS)
			break;
		r = &s->rows[s->cursor.count];
		r->type_id = get(row, "type");
		snprintf(r->type, sizeof r->type, "%s", json_string_value(json_object_get(row, "type_name")));
		snprintf(r->channel, sizeof r->channel, "%s", channel ? channel : "");
		r->capacity = get(row, "capacity");
		r->sold = get(row, "sold");
		r->held = get(row, "held");
		r->reserved = get(row, "reserved");
		r->available = get(row, "available");
		r->spt = get(row, "seats_per_ticket");
		r->version = get(row, "version");
		if (r->type_id == keep_type && strcmp(r->channel, keep_channel) == 0)
			s->cursor.selected = s->cursor.count;
		s->cursor.count++;
	}
	stamp(s->updated, sizeof s->updated);
	s->reads++;
}

/* One read out at a time; a change meanwhile asks for one more after it
 * (a burst of changes costs two reads, and the last one is never missed).
 * The rows shown stay, marked, until the answer replaces them. */
static void inventory_query(struct app *app, void *state)
{
	struct inventory_state *s = state;

	s->app = app;
	if (s->event_id != app_event_id(app)) { /* another event: its rows, not these */
		db_cancel_owner(app_db(app), s);
		s->mark.loading = s->again = false;
		s->cursor.count = 0;
		s->updated[0] = '\0';
	}
	s->event_id = app_event_id(app);
	if (!s->event_id)
		return;
	if (s->mark.loading) {
		s->again = true;
		return;
	}
	read_mark_sent(&s->mark, app, db_inventory_submit(app_db(app), s, s->event_id, inventory_answer, s));
}

static void draw_bar(int y, int x, int w, const struct inv_row *r)
{
	long long taken = r->capacity - r->available;
	int fill = r->capacity > 0 ? (int)(taken * w / r->capacity) : w;
	char pct[8];

	if (w < 6)
		return;
	draw_fill(y, x, fill, theme_attr(r->available == 0 ? C_REJECT : C_SELECTED));
	snprintf(pct, sizeof pct, "%3lld%%", r->capacity > 0 ? taken * 100 / r->capacity : 100);
	draw_text(y, x + w - 4, 4, pct, A_BOLD);
}

static void inventory_draw(struct app *app, void *state, struct rect a)
{
	struct inventory_state *s = state;
	int xs[COL_COUNT], ws[COL_COUNT], shown, visible = a.h - 3;
	char footer[700], buf[600];
	const char *mark = read_mark_text(app, &s->mark, buf, sizeof buf);
	bool stale = read_mark_stale(app, &s->mark);

	if (!app_event_id(app)) {
		draw_text(a.y + 1, a.x + 2, a.w - 4, "No event chosen: pick one on the Events screen.", theme_attr(C_DIM));
		return;
	}
	if (s->event_id != app_event_id(app))
		inventory_query(app, state);
	shown = draw_columns(a.y, a.x + 1, a.w - 2, columns, COL_COUNT, xs, ws, theme_attr(C_TITLE) | A_UNDERLINE);
	list_cursor_fit(&s->cursor, visible);
	s->first_row_y = a.y + 1;
	for (int i = 0; i < visible && s->cursor.top + i < s->cursor.count; i++) {
		const struct inv_row *r = &s->rows[s->cursor.top + i];
		bool whole = r->channel[0] == '\0';
		int y = a.y + 1 + i;
		unsigned attr = s->cursor.top + i == s->cursor.selected ? theme_attr(C_SELECTED)
								       : stale ? theme_attr(C_DIM) : A_NORMAL;
		char cells[COL_COUNT][48];
		const char *text[COL_COUNT];

		/* numbers are abbreviated to their column, never cut */
		count_format_fit(cells[COL_CAPACITY], sizeof cells[0], r->capacity, ws[COL_CAPACITY]);
		count_format_fit(cells[COL_SOLD], sizeof cells[0], r->sold, ws[COL_SOLD]);
		count_format_fit(cells[COL_HELD], sizeof cells[0], r->held, ws[COL_HELD]);
		count_format_fit(cells[COL_RESERVED], sizeof cells[0], r->reserved, ws[COL_RESERVED]);
		if (r->available == 0 && ws[COL_AVAILABLE] >= 8)
			snprintf(cells[COL_AVAILABLE], sizeof cells[0], "SOLD OUT");
		else
			count_format_fit(cells[COL_AVAILABLE], sizeof cells[0], r->available, ws[COL_AVAILABLE]);
		snprintf(cells[COL_TYPE], sizeof cells[0], "%s%s", whole ? "" : "  ", r->type);
		text[COL_TYPE] = cells[COL_TYPE];
		text[COL_CHANNEL] = whole ? "all" : r->channel;
		text[COL_CAPACITY] = cells[COL_CAPACITY];
		text[COL_SOLD] = cells[COL_SOLD];
		text[COL_HELD] = cells[COL_HELD];
		text[COL_RESERVED] = cells[COL_RESERVED];
		text[COL_AVAILABLE] = cells[COL_AVAILABLE];
		text[COL_BAR] = "";
		draw_fill(y, a.x, a.w, attr);
		for (int c = 0; c < shown; c++) {
			unsigned cell = attr;
			if (c == COL_BAR) {
				draw_bar(y, xs[c], ws[c], r);
				continue;
			}
			if (c == COL_AVAILABLE && attr == A_NORMAL)
				cell = theme_attr(r->available == 0 ? C_REJECT
						  : r->available * 10 < r->capacity ? C_WARN : C_SETTLED);
			if (columns[c].right)
				draw_text_right(y, xs[c], ws[c], text[c], cell);
			else
				draw_text(y, xs[c], ws[c], text[c], cell);
		}
	}
	if (mark && stale)
		snprintf(footer, sizeof footer, "Seats %s (last read %s): not current.", mark,
			 s->updated[0] ? s->updated : "--");
	else
		snprintf(footer, sizeof footer, "Seats. Live: last read %s (%u read%s)%s%s. Enter sells the selected type.",
			 s->updated[0] ? s->updated : "--", s->reads, s->reads == 1 ? "" : "s", mark ? " · " : "", mark ? mark : "");
	draw_text(a.y + a.h - 1, a.x + 1, a.w - 2, footer, stale ? theme_attr(C_OFFLINE) : theme_attr(C_DIM));
}

static int inventory_key(struct app *app, void *state, enum action action, int key)
{
	struct inventory_state *s = state;
	(void)key;
	if (action == ACT_SELL) {
		const struct inv_row *r;
		if (s->cursor.count == 0)
			return SCR_HANDLED;
		r = &s->rows[s->cursor.selected];
		app_push(app, &sale_screen, &(struct screen_arg){ r->type_id, r->type });
		return SCR_HANDLED;
	}
	return list_cursor_move(&s->cursor, action, LINES - 6);
}

/* A click selects a row; a double click sells from it (as Enter). */
static int inventory_mouse(struct app *app, void *state, enum mouse_event event, int y, int x)
{
	struct inventory_state *s = state;
	bool open;
	(void)x;
	if (!list_cursor_mouse(&s->cursor, s->first_row_y, event, y, &open))
		return SCR_IGNORED;
	return open ? inventory_key(app, state, ACT_SELL, 0) : SCR_HANDLED | SCR_REDRAW;
}

/* Payloads carry event and version; a change to another event is not ours.
 * Ours triggers one re-read (several notifications coalesce into one), so
 * a gap in versions can never leave a stale number on screen. A type added
 * or deleted says so on boxoffice_events instead (db/002's
 * ticket_type_notify: the table's name, no event), so any is read again. */
static int inventory_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	json_t *doc;
	json_error_t jerr;
	long long event;
	(void)state;

	if (strcmp(channel, "boxoffice_events") == 0)
		return strcmp(payload, "ticket_type") == 0 ? SCR_REQUERY : SCR_IGNORED;
	if (strcmp(channel, "boxoffice_inventory") != 0)
		return SCR_IGNORED;
	doc = json_loads(payload, 0, &jerr);
	event = doc ? (long long)json_integer_value(json_object_get(doc, "event")) : 0;
	json_decref(doc);
	return !doc || event == app_event_id(app) ? SCR_REQUERY : SCR_IGNORED;
}

const struct screen_ops inventory_screen = {
	.name = "inventory",
	.needs = "clerk",
	.title = "Inventory",
	.state_size = sizeof(struct inventory_state),
	.query = inventory_query,
	.draw = inventory_draw,
	.on_key = inventory_key,
	.on_mouse = inventory_mouse,
	.on_notify = inventory_notify,
};

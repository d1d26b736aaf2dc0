/* The Alert log (issue 17): every alert the database raised (db/046),
 * newest first — when it last fired, what, how often, and who
 * acknowledged it from which station. 'a' acknowledges the chosen one
 * after a y (every station's banner drops it: the database notifies
 * boxoffice_alert); 't' opens the thresholds screen (screens/thresholds.c)
 * on the chosen alert's type. Live: re-read on boxoffice_alert. Every
 * database call is queued on the loop. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/app/theme.h"
#include "../src/core/alert_notify.h"
#include "../src/core/json_text.h"
#include "../src/db/alerts.h"
#include "../src/db/async.h"
#include "../src/db/db.h"
#include "screen.h"

struct alerts_state {
	json_t *rows;
	struct list_cursor cursor;
	struct read_mark mark;
	bool reading, want;
	int first_row_y;
	long long confirm_ack; /* the alert 'a' asked about; y acknowledges it */
	bool acking;           /* an acknowledgement is out */
	struct app *app;
};

enum { COL_WHEN, COL_KIND, COL_COUNT, COL_WHAT, COL_ACK, COL_N };
static const struct column columns[COL_N] = {
	[COL_WHEN] = { "LAST", 14, false, 0, 0 },
	[COL_KIND] = { "KIND", 17, false, 2, 0 },
	[COL_COUNT] = { "COUNT", 6, true, 0, 0 },
	[COL_WHAT] = { "WHAT", 0, false, 0, 16 },
	[COL_ACK] = { "ACKNOWLEDGED", 20, false, 1, 0 },
};

static void rows_answer(struct db *db, json_t *doc, void *ctx)
{
	struct alerts_state *s = ctx;
	s->reading = false;
	read_mark_answer(&s->mark, db, doc && json_is_array(doc));
	if (!doc || !json_is_array(doc))
		return;
	json_decref(s->rows);
	s->rows = json_incref(doc);
	s->cursor.count = (int)json_array_size(doc);
	if (s->cursor.selected >= s->cursor.count)
		s->cursor.selected = s->cursor.count > 0 ? s->cursor.count - 1 : 0;
}

static void pump(struct app *app, struct alerts_state *s)
{
	if (!s->want || s->reading || !app_online(app))
		return;
	s->want = false;
	s->reading = db_json_submit(app_db(app), s, SQL_ALERT_ALL, 0, NULL, rows_answer, s);
	read_mark_sent(&s->mark, app, s->reading);
}

/* 't': the thresholds screen, on the chosen alert's type when it has one. */
static void open_thresholds(struct app *app, struct alerts_state *s)
{
	json_t *row = json_array_get(s->rows, (size_t)s->cursor.selected);
	long long event = row ? (long long)json_integer_value(json_object_get(row, "event")) : 0;
	struct screen_arg arg = { row ? (long long)json_integer_value(json_object_get(row, "type")) : 0, NULL };
	/* the log lists every event's alerts; thresholds are the chosen event's */
	if (event && event != app_event_id(app)) {
		app_status(app, true, "that alert is of another event: choose it on Events first (this one: %s)",
			   app_event_name(app)[0] ? app_event_name(app) : "none");
		return;
	}
	app_push(app, &thresholds_screen, &arg);
}

static void alerts_init(struct app *app, void *state, const struct screen_arg *arg)
{
	struct alerts_state *s = state;
	(void)arg;
	s->app = app;
	s->want = true;
}

static void alerts_done(struct app *app, void *state)
{
	struct alerts_state *s = state;
	db_cancel_owner(app_db(app), &s->acking);
	json_decref(s->rows);
}

static void alerts_query(struct app *app, void *state)
{
	struct alerts_state *s = state;
	s->want = true;
	s->reading = false;
	pump(app, s);
}

/* What an alert is about, the part that tells rows apart first: the
 * database writes "Sold out: Event / Type" (the KIND column already says
 * "Sold out"), so a narrow WHAT column shows "Type · Event". */
static void what_text(const char *message, char *out, size_t size)
{
	const char *colon = strstr(message, ": "), *slash;
	if (!colon) {
		snprintf(out, size, "%s", message);
		return;
	}
	colon += 2;
	slash = strstr(colon, " / ");
	if (slash)
		snprintf(out, size, "%s · %.*s", slash + 3, (int)(slash - colon), colon);
	else
		snprintf(out, size, "%s", colon);
}

static void alerts_draw(struct app *app, void *state, struct rect a)
{
	struct alerts_state *s = state;
	int xs[COL_N], ws[COL_N], rows, y;
	char buf[600], mark[600];
	const char *m;

	draw_columns(a.y, 0, a.w, columns, COL_N, xs, ws, A_BOLD | A_UNDERLINE);
	rows = a.h - 4; /* the chosen alert's whole text under the list */
	list_cursor_fit(&s->cursor, rows);
	s->first_row_y = a.y + 1;
	y = a.y + 1;
	for (int i = s->cursor.top; i < s->cursor.count && y < a.y + 1 + rows; i++, y++) {
		json_t *r = json_array_get(s->rows, (size_t)i);
		bool sel = i == s->cursor.selected, acked = json_is_string(json_object_get(r, "acknowledged_by"));
		unsigned attr = sel ? theme_attr(C_SELECTED) : acked ? theme_attr(C_DIM) : A_BOLD;
		const char *last = json_text(r, "last_at");
		if (sel)
			draw_fill(y, 0, a.w, attr);
		/* "2026-11-28T16:51:57…" → "11-28 16:51:57" */
		snprintf(buf, sizeof buf, "%.5s %.8s", strlen(last) >= 19 ? last + 5 : last,
			 strlen(last) >= 19 ? last + 11 : "");
		draw_text(y, xs[COL_WHEN], ws[COL_WHEN], buf, attr);
		draw_text(y, xs[COL_KIND], ws[COL_KIND], alert_kind_title(json_text(r, "kind")), attr);
		snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(json_object_get(r, "count")));
		draw_text_right(y, xs[COL_COUNT], ws[COL_COUNT] - 1, buf, attr);
		what_text(json_text(r, "message"), buf, sizeof buf);
		if (json_text(r, "gate")[0] && !strstr(buf, json_text(r, "gate"))) {
			/* "Gate north: 6 rejects…": the part before ": " was the
			 * gate; it tells gate alerts apart, so it comes first */
			snprintf(mark, sizeof mark, "%.100s · %.400s", json_text(r, "gate"), buf);
			snprintf(buf, sizeof buf, "%s", mark);
		}
		draw_text(y, xs[COL_WHAT], ws[COL_WHAT] - 1, buf, attr);
		if (acked)
			snprintf(buf, sizeof buf, "%s@%s", json_text(r, "acknowledged_by"),
				 json_text(r, "acknowledged_station"));
		else
			snprintf(buf, sizeof buf, "open");
		draw_text(y, xs[COL_ACK], ws[COL_ACK], buf, attr);
	}
	if (s->cursor.count > 0) {
		json_t *r = json_array_get(s->rows, (size_t)s->cursor.selected);
		snprintf(buf, sizeof buf, "#%lld %s", (long long)json_integer_value(json_object_get(r, "id")),
			 json_text(r, "message"));
		draw_wrapped(a.y + a.h - 3, 1, a.w - 2, 2, buf, A_NORMAL);
	}
	m = read_mark_text(app, &s->mark, mark, sizeof mark);
	if (s->confirm_ack) {
		snprintf(mark, sizeof mark, "Acknowledge alert %lld on every station? y: yes, any other key: no",
			 s->confirm_ack);
		draw_text(a.y + a.h - 1, 1, a.w - 2, mark, A_BOLD);
	} else if (m)
		draw_text(a.y + a.h - 1, 1, a.w - 2, m, theme_attr(C_DIM));
	else if (s->cursor.count == 0)
		draw_text(a.y + 2, 2, a.w - 4, "No alerts.", theme_attr(C_DIM));
}

static void acked(struct db *db, json_t *doc, void *ctx)
{
	struct alerts_state *s = ctx;
	s->acking = false;
	if (!doc) {
		app_status(s->app, true, "not acknowledged: %s", db->err);
		return;
	}
	app_status(s->app, false, "alert %lld acknowledged", (long long)json_integer_value(json_object_get(doc, "id")));
	s->want = true;
	pump(s->app, s);
}

static int alerts_key(struct app *app, void *state, enum action action, int key)
{
	struct alerts_state *s = state;
	json_t *row;

	if (s->confirm_ack) {
		char id[24];
		const char *params[1] = { id };
		snprintf(id, sizeof id, "%lld", s->confirm_ack);
		s->confirm_ack = 0;
		if (key != 'y' && key != 'Y') {
			app_status(app, false, "not acknowledged");
			return SCR_HANDLED | SCR_REDRAW;
		}
		/* the owner is &s->acking so a re-read of the list never drops it */
		s->acking = db_json_submit(app_db(app), &s->acking, SQL_ALERT_ACK, 1, params, acked, s);
		app_status(app, !s->acking, s->acking ? "acknowledging…" : "not acknowledged: %s", app_db(app)->err);
		return SCR_HANDLED | SCR_REDRAW;
	}
	switch (action) {
	case ACT_ACK:
		/* asked first: 'a' also opens this log from the dashboard, and an
		 * acknowledgement silences the alert on every station */
		row = json_array_get(s->rows, (size_t)s->cursor.selected);
		if (!row) {
			app_status(app, false, "no alert to acknowledge");
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (json_is_string(json_object_get(row, "acknowledged_by"))) {
			app_status(app, true, "alert %lld is acknowledged already",
				   (long long)json_integer_value(json_object_get(row, "id")));
			return SCR_HANDLED | SCR_REDRAW;
		}
		s->confirm_ack = (long long)json_integer_value(json_object_get(row, "id"));
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_SETTINGS:
		open_thresholds(app, s);
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_REFRESH:
		s->want = true;
		pump(app, s);
		return SCR_HANDLED | SCR_REDRAW;
	default: break;
	}
	return list_cursor_move(&s->cursor, action, s->cursor.visible > 0 ? s->cursor.visible : 1);
}

static int alerts_mouse(struct app *app, void *state, enum mouse_event event, int y, int x)
{
	struct alerts_state *s = state;
	bool open;
	(void)app;
	(void)x;
	if (!list_cursor_mouse(&s->cursor, s->first_row_y, event, y, &open))
		return SCR_IGNORED;
	return SCR_HANDLED | SCR_REDRAW;
}

static int alerts_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	struct alerts_state *s = state;
	(void)payload;
	if (strcmp(channel, ALERT_CHANNEL) != 0)
		return SCR_IGNORED;
	s->want = true;
	pump(app, s);
	return SCR_HANDLED | SCR_REDRAW;
}

static int alerts_tick(struct app *app, void *state)
{
	pump(app, state);
	return SCR_IGNORED;
}

const struct screen_ops alerts_screen = {
	.name = "alerts",
	.needs = "supervisor",
	.title = "Alerts",
	.state_size = sizeof(struct alerts_state),
	.init = alerts_init,
	.done = alerts_done,
	.query = alerts_query,
	.draw = alerts_draw,
	.on_key = alerts_key,
	.on_mouse = alerts_mouse,
	.on_notify = alerts_notify,
	.on_tick = alerts_tick,
};

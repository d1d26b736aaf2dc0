/* Offline conflicts: each ticket a gate admitted while apart from the
 * database when another gate had let it in already (checkin_conflict,
 * db/006, db/014), with both scans, the person and the times. A supervisor
 * marks one reviewed (r, then y; kept in the change log) or voids its
 * ticket with a reason (v). Reads and writes go through the loop
 * (src/db/conflicts.c, the functions `boxoffice conflict` calls); every
 * change re-reads, and a clerk's try is refused by the database. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../src/app/form.h"
#include "../src/app/theme.h"
#include "../src/core/audit.h"
#include "../src/core/json_text.h"
#include "../src/db/conflicts.h"
#include "screen.h"

enum conflict_prompt { PROMPT_NONE, PROMPT_REVIEW, PROMPT_VOID };

struct conflicts_state {
	json_t *rows;
	struct list_cursor cursor;
	struct read_mark mark;
	bool again;
	int visible, first_row_y;
	enum conflict_prompt prompt;
	long long prompt_id;
	struct form_field reason_field;
	struct form reason;
	bool writing;
	struct app *app; /* for the answers' status line */
	time_t next;     /* the next re-read: uploads are not announced */
};

static long long num(json_t *row, const char *key)
{
	return (long long)json_integer_value(json_object_get(row, key));
}

/* "2026-11-28T17:02:03.123+00:00" → "17:02:03" (the date when not today's
 * is in the detail line) */
static void hms(char *out, size_t size, const char *ts)
{
	snprintf(out, size, "%.8s", strlen(ts) >= 19 ? ts + 11 : ts[0] ? ts : "-");
}

static void list_answer(struct db *db, json_t *doc, void *ctx)
{
	struct conflicts_state *s = ctx;
	read_mark_answer(&s->mark, db, doc != NULL && json_is_array(doc));
	if (!doc || !json_is_array(doc))
		return;
	json_decref(s->rows);
	s->rows = json_incref(doc);
	s->cursor.count = (int)json_array_size(s->rows);
	if (s->cursor.selected >= s->cursor.count)
		s->cursor.selected = s->cursor.count > 0 ? s->cursor.count - 1 : 0;
}

static void conflicts_query(struct app *app, void *state)
{
	struct conflicts_state *s = state;
	if (!app_event_id(app))
		return;
	if (s->mark.loading) {
		s->again = true;
		return;
	}
	s->again = false;
	read_mark_sent(&s->mark, app, db_conflict_list_submit(app_db(app), s, app_event_id(app), list_answer, s));
}

static void conflicts_init(struct app *app, void *state, const struct screen_arg *arg)
{
	struct conflicts_state *s = state;
	(void)app;
	(void)arg;
	s->reason_field = (struct form_field){ .label = "Reason", .kind = FIELD_TEXT, .max_chars = 300 };
	s->reason = (struct form){ &s->reason_field, 1, 0 };
}

static void conflicts_done(struct app *app, void *state)
{
	struct conflicts_state *s = state;
	(void)app;
	json_decref(s->rows);
}

/* The list's columns at 80×24 leave PERSON 12 (a line printed whole ran
 * to 80 and cut the header's STATE and the word "reviewed"); a wider
 * terminal's columns go to the person and the two gates (lay_out). */
enum { COL_ID, COL_TICKET, COL_PERSON, COL_GATE, COL_TIME, COL_FIRST_GATE, COL_FIRST_TIME, COL_STATE, COL_COUNT };
static const struct column columns[COL_COUNT] = {
	[COL_ID] = { "ID", 6, false, 0, 0 },
	[COL_TICKET] = { "TICKET", 7, false, 0, 0 },
	[COL_PERSON] = { "PERSON", 0, false, 0, 12 },
	[COL_GATE] = { "OFFLINE AT", 10, false, 0, 0 },
	[COL_TIME] = { "TIME", 8, false, 0, 0 },
	[COL_FIRST_GATE] = { "FIRST IN", 10, false, 0, 0 },
	[COL_FIRST_TIME] = { "TIME", 8, false, 0, 0 },
	[COL_STATE] = { "STATE", 8, false, 0, 0 },
};

/* columns with what width has beyond the least: first the person up to
 * 24, then the gates up to 20 each, the rest to the person */
static void lay_out(struct column *cols, int width)
{
	int extra = width, more;

	memcpy(cols, columns, sizeof columns);
	for (int i = 0; i < COL_COUNT; i++)
		extra -= (cols[i].width ? cols[i].width : cols[i].min) + 1;
	extra++;
	if (extra <= 0)
		return;
	more = extra < 12 ? extra : 12;
	cols[COL_PERSON].min += more;
	extra -= more;
	more = extra / 2 < 10 ? extra / 2 : 10;
	cols[COL_GATE].width += more;
	cols[COL_FIRST_GATE].width += more;
	cols[COL_PERSON].min += extra - 2 * more;
}

static void conflicts_draw(struct app *app, void *state, struct rect a)
{
	struct conflicts_state *s = state;
	char line[600], buf[600], t1[16], t2[16], id[24], ticket[24], when[32], when2[32];
	const char *mark = read_mark_text(app, &s->mark, buf, sizeof buf);
	bool stale = read_mark_stale(app, &s->mark);
	int rows = a.h - 6; /* header, a blank, detail (3), footer */
	int xs[COL_COUNT], ws[COL_COUNT], shown;
	struct column cols[COL_COUNT];
	json_t *sel;

	if (!app_event_id(app)) {
		draw_text(a.y + 1, a.x + 2, a.w - 4, "No event chosen: pick one on the Events screen.", theme_attr(C_DIM));
		return;
	}
	lay_out(cols, a.w - 4);
	shown = draw_columns(a.y, a.x + 2, a.w - 4, cols, COL_COUNT, xs, ws, theme_attr(C_TITLE) | A_UNDERLINE);
	s->first_row_y = a.y + 1;
	s->visible = rows > 1 ? rows : 1;
	list_cursor_fit(&s->cursor, s->visible);
	if (s->cursor.count == 0)
		draw_text(a.y + 1, a.x + 2, a.w - 4, mark ? mark : "No offline conflicts for this event.",
			  theme_attr(C_DIM));
	for (int i = 0; i < s->visible && s->cursor.top + i < s->cursor.count; i++) {
		int k = s->cursor.top + i;
		json_t *row = json_array_get(s->rows, (size_t)k);
		const char *res = json_text(row, "resolution"), *text[COL_COUNT];
		unsigned attr = k == s->cursor.selected ? theme_attr(C_SELECTED) : res[0] ? theme_attr(C_DIM) : A_NORMAL;
		hms(t1, sizeof t1, json_text(row, "scanned_at"));
		hms(t2, sizeof t2, json_text(row, "first_at"));
		snprintf(id, sizeof id, "%lld", num(row, "id"));
		snprintf(ticket, sizeof ticket, "%lld", num(row, "ticket"));
		text[COL_ID] = id;
		text[COL_TICKET] = ticket;
		text[COL_PERSON] = json_text(row, "person")[0] ? json_text(row, "person") : "(no name)";
		text[COL_GATE] = json_text(row, "gate");
		text[COL_TIME] = t1;
		text[COL_FIRST_GATE] = json_text(row, "first_gate")[0] ? json_text(row, "first_gate") : "-";
		text[COL_FIRST_TIME] = t2;
		text[COL_STATE] = res[0] ? res : "open";
		draw_fill(a.y + 1 + i, a.x + 2, a.w - 4, attr);
		for (int c = 0; c < shown; c++)
			draw_text(a.y + 1 + i, xs[c], ws[c], text[c], stale ? theme_attr(C_DIM) : attr);
	}
	sel = s->cursor.count > 0 ? json_array_get(s->rows, (size_t)s->cursor.selected) : NULL;
	if (sel) {
		/* times to the second (the ISO text's microseconds and zone cut
		 * the reason off at 80 columns) */
		audit_when(json_text(sel, "scanned_at"), false, when, sizeof when);
		snprintf(line, sizeof line, "Ticket %lld (%s, %s) · offline at %s by %s: %s", num(sel, "ticket"),
			 json_text(sel, "type"), json_text(sel, "ticket_status"), when, json_text(sel, "station"),
			 json_text(sel, "reason"));
		draw_wrapped(a.y + a.h - 4, a.x + 2, a.w - 4, 2, line, A_NORMAL); /* the reason whole */
		if (json_text(sel, "reviewed_by")[0]) {
			audit_when(json_text(sel, "reviewed_at"), false, when2, sizeof when2);
			snprintf(line, sizeof line, "%s by %s at %s", json_text(sel, "resolution"),
				 json_text(sel, "reviewed_by"), when2);
		} else {
			audit_when(json_text(sel, "first_at"), false, when2, sizeof when2);
			snprintf(line, sizeof line, "First in at %s at %s%s", json_text(sel, "first_gate"), when2,
				 json_is_true(json_object_get(sel, "first_offline")) ? " (offline)" : "");
		}
		draw_text(a.y + a.h - 2, a.x + 2, a.w - 4, line, theme_attr(C_DIM));
	}
	if (s->prompt == PROMPT_VOID) {
		form_draw_field(&s->reason, 0, a.y + a.h - 1, a.x + 2, 7, a.w - 4, true);
		return;
	}
	if (s->prompt == PROMPT_REVIEW) {
		snprintf(line, sizeof line, "Mark conflict %lld reviewed? y: yes, any other key: no", s->prompt_id);
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, line, A_BOLD);
		return;
	}
	snprintf(line, sizeof line, "%d conflict(s)%s%s", s->cursor.count, mark ? " · " : "", mark ? mark : "");
	draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, line, stale ? theme_attr(C_OFFLINE) : theme_attr(C_DIM));
}

static void settle_answer(struct db *db, json_t *doc, void *ctx)
{
	struct conflicts_state *s = ctx;
	s->writing = false;
	if (!doc) {
		app_status(s->app, true, "conflict: %s", db->err);
		return;
	}
	app_status(s->app, false, "conflict %lld: %s (ticket %lld %s)", num(doc, "id"), json_text(doc, "resolution"),
		   num(doc, "ticket"), json_text(doc, "ticket_status"));
	conflicts_query(s->app, s);
}

static int settle(struct app *app, struct conflicts_state *s, bool void_ticket, const char *reason)
{
	s->app = app;
	if (s->writing) {
		app_status(app, true, "a change is on its way: wait for its answer");
		return SCR_HANDLED | SCR_REDRAW;
	}
	s->writing = db_conflict_settle_submit(app_db(app), s, s->prompt_id, void_ticket, reason, settle_answer, s);
	if (!s->writing)
		app_status(app, true, "conflict: %s", app_db(app)->err);
	return SCR_HANDLED | SCR_REDRAW;
}

static int conflicts_key(struct app *app, void *state, enum action action, int key)
{
	struct conflicts_state *s = state;
	json_t *sel = s->cursor.count > 0 ? json_array_get(s->rows, (size_t)s->cursor.selected) : NULL;

	if (s->prompt == PROMPT_REVIEW) {
		s->prompt = PROMPT_NONE;
		if (key == 'y' || key == 'Y')
			return settle(app, s, false, "");
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (s->prompt == PROMPT_VOID) {
		enum action m = keymap_modal(key);
		if (m == ACT_SUBMIT) {
			if (!s->reason_field.text[0]) {
				app_status(app, true, "voiding a ticket needs a reason");
				return SCR_HANDLED | SCR_REDRAW;
			}
			s->prompt = PROMPT_NONE;
			return settle(app, s, true, s->reason_field.text);
		}
		if (m == ACT_BACK) {
			s->prompt = PROMPT_NONE;
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (m != ACT_NONE || keymap_is_command_key(key))
			return SCR_IGNORED;
		form_key(&s->reason, ACT_NONE, key);
		return SCR_HANDLED | SCR_REDRAW;
	}
	switch (action) {
	case ACT_REVIEW:
	case ACT_VOID:
		if (!sel || json_text(sel, "resolution")[0]) {
			app_status(app, true, "%s", sel ? "this conflict is settled already" : "no conflict chosen");
			return SCR_HANDLED | SCR_REDRAW;
		}
		s->prompt_id = num(sel, "id");
		s->prompt = action == ACT_REVIEW ? PROMPT_REVIEW : PROMPT_VOID;
		s->reason_field.text[0] = '\0';
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_REFRESH: conflicts_query(app, s); return SCR_HANDLED | SCR_REDRAW;
	default: return list_cursor_move(&s->cursor, action, s->visible > 0 ? s->visible : 1);
	}
}

static int conflicts_mouse(struct app *app, void *state, enum mouse_event event, int y, int x)
{
	struct conflicts_state *s = state;
	bool open;
	(void)app;
	(void)x;
	if (s->prompt || !list_cursor_mouse(&s->cursor, s->first_row_y, event, y, &open))
		return SCR_IGNORED;
	return SCR_HANDLED | SCR_REDRAW;
}

static int conflicts_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	(void)app;
	(void)state;
	(void)payload;
	/* an upload, a void, a review: every one logs a change */
	return strcmp(channel, "boxoffice_changes") == 0 ? SCR_REQUERY : SCR_IGNORED;
}

static int conflicts_tick(struct app *app, void *state)
{
	struct conflicts_state *s = state;
	time_t now = time(NULL);
	if (!app_online(app))
		return SCR_REDRAW;
	if (now < s->next && !s->again)
		return SCR_IGNORED;
	s->next = now + 3;
	return SCR_REQUERY;
}

/* The settle asked for: closing would cancel it. */
static const char *conflicts_writing(void *state)
{
	return ((struct conflicts_state *)state)->writing ? "settling the conflict" : NULL;
}

const struct screen_ops conflicts_screen = {
	.name = "conflicts",
	.needs = "clerk",
	.title = "Offline conflicts",
	.state_size = sizeof(struct conflicts_state),
	.init = conflicts_init,
	.done = conflicts_done,
	.query = conflicts_query,
	.draw = conflicts_draw,
	.on_key = conflicts_key,
	.on_mouse = conflicts_mouse,
	.on_notify = conflicts_notify,
	.on_tick = conflicts_tick,
	.writing = conflicts_writing,
};

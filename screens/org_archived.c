/* Archived organizations of the event (v on Organizations): what archiving
 * took off the list, newest first; u brings the chosen one back (y/n), its
 * booth too unless another organization has it now. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/app/theme.h"
#include "../src/core/money.h"
#include "../src/core/util.h"
#include "../src/db/async.h"
#include "../src/db/organizations.h"
#include "screen.h"

/* Every archived organization, allocated as read (a fixed 500 hid the
 * older ones without a word); past this many the list says it shows
 * only the newest. */
#define ARCHIVED_MAX 10000

struct archived_row {
	long long id;
	int version;
	char name[201], relation[32], booth[101], when[20];
};

struct org_archived_state {
	struct archived_row *rows; /* cursor.count of them, allocated for rows_cap */
	int rows_cap;
	long long total; /* how many are archived: more than cursor.count when cut at ARCHIVED_MAX */
	struct list_cursor cursor;
	struct read_mark mark;
	int first_row_y;
	/* u asked "Restore NAME? y/n" about this one (id and version as listed) */
	bool confirming, restoring;
	long long restore_id;
	int restore_version;
	char restore_name[201];
	/* a write whose answer the link lost: said on the list's last line
	 * (the status line is the link's then) until the list is read again */
	char unconfirmed[300];
	char writing_what[220];
	struct app *app;
};

enum { A_NAME, A_REL, A_BOOTH, A_WHEN, A_COUNT };
static const struct column columns[A_COUNT] = {
	[A_NAME] = { "ORGANIZATION", 0, false, 0, 20 },
	[A_REL] = { "RELATIONSHIP", 12, false, 2, 0 },
	[A_BOOTH] = { "BOOTH", 8, false, 1, 0 },
	[A_WHEN] = { "ARCHIVED", 16, false, 0, 0 },
};

static void archived_answer(struct db *db, const PGresult *res, void *ctx)
{
	struct org_archived_state *s = ctx;

	read_mark_answer(&s->mark, db, res != NULL);
	if (!res)
		return;
	s->unconfirmed[0] = '\0'; /* the list now shows what happened */
	s->cursor.count = PQntuples(res) < ARCHIVED_MAX ? PQntuples(res) : ARCHIVED_MAX;
	s->total = s->cursor.count > 0 ? db_int(res, 0, EOA_TOTAL) : 0;
	if (s->cursor.count > s->rows_cap) {
		s->rows = xrealloc(s->rows, (size_t)s->cursor.count * sizeof s->rows[0]);
		s->rows_cap = s->cursor.count;
	}
	for (int i = 0; i < s->cursor.count; i++) {
		struct archived_row *r = &s->rows[i];
		r->id = db_int(res, i, EOA_ID);
		r->version = (int)db_int(res, i, EOA_VERSION);
		/* cut between characters, never inside one */
		utf8_copy(r->name, sizeof r->name, db_text(res, i, EOA_NAME));
		utf8_copy(r->relation, sizeof r->relation, db_text(res, i, EOA_RELATION));
		utf8_copy(r->booth, sizeof r->booth, db_text(res, i, EOA_BOOTH));
		utf8_copy(r->when, sizeof r->when, db_text(res, i, EOA_ARCHIVED_AT));
	}
	if (s->cursor.selected >= s->cursor.count)
		s->cursor.selected = s->cursor.count > 0 ? s->cursor.count - 1 : 0;
}

static void org_archived_query(struct app *app, void *state)
{
	struct org_archived_state *s = state;

	s->app = app;
	db_cancel_owner(app_db(app), s); /* a newer read supersedes */
	read_mark_sent(&s->mark, app,
		       db_event_org_archived_submit(app_db(app), s, app_event_id(app), ARCHIVED_MAX, archived_answer, s));
}

static void org_archived_draw(struct app *app, void *state, struct rect a)
{
	struct org_archived_state *s = state;
	int xs[A_COUNT], ws[A_COUNT], shown, visible;
	char buf[600];
	const char *mark = read_mark_text(app, &s->mark, buf, sizeof buf);
	bool stale = read_mark_stale(app, &s->mark);

	draw_text(a.y, a.x + 2, a.w - 4, "Organizations archived from this event: u brings one back",
		  theme_attr(C_DIM));
	a.y += 1;
	a.h -= 1;
	/* the last line: a question, a hint, or whether the rows are current;
	 * above it, when more are archived than are read, that the list
	 * stops short */
	visible = a.h - (s->total > s->cursor.count ? 3 : 2);
	s->first_row_y = a.y + 1;
	shown = draw_columns(a.y, a.x + 1, a.w - 2, columns, A_COUNT, xs, ws, theme_attr(C_TITLE) | A_UNDERLINE);
	list_cursor_fit(&s->cursor, visible);
	if (s->total > s->cursor.count) {
		char first[32], of[32], cut[200];
		count_format_fit(first, sizeof first, s->cursor.count, 20);
		count_format_fit(of, sizeof of, s->total, 20);
		snprintf(cut, sizeof cut, "Showing the newest %s of %s archived; older ones are not listed.", first, of);
		draw_text(a.y + a.h - 2, a.x + 2, a.w - 4, cut, theme_attr(C_WARN));
	}
	if (s->unconfirmed[0])
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, s->unconfirmed, theme_attr(C_WARN));
	else if (mark)
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, mark, stale ? theme_attr(C_OFFLINE) : theme_attr(C_DIM));
	else if (s->confirming || s->restoring) {
		char q[300];
		snprintf(q, sizeof q, s->restoring ? "restoring %s…" : "Restore %s? y/n (it goes back on the list)",
			 s->restore_name);
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, q, s->restoring ? theme_attr(C_DIM) : A_BOLD);
	} else
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, "u restore · Esc back to the organizations",
			  theme_attr(C_DIM));
	if (s->cursor.count == 0 && !mark)
		draw_text(a.y + 2, a.x + 2, a.w - 4, "No archived organizations in this event.", theme_attr(C_DIM));
	for (int i = 0; i < visible && s->cursor.top + i < s->cursor.count; i++) {
		const struct archived_row *r = &s->rows[s->cursor.top + i];
		const char *text[A_COUNT] = { r->name, r->relation, r->booth, r->when };
		unsigned attr = s->cursor.top + i == s->cursor.selected ? theme_attr(C_SELECTED)
								       : stale ? theme_attr(C_DIM) : A_NORMAL;
		draw_fill(a.y + 1 + i, a.x, a.w, attr);
		for (int c = 0; c < shown; c++) {
			char cell[256];
			if (ws[c] == 0)
				continue; /* given way on a narrow terminal */
			text_ellipsis(cell, sizeof cell, text[c], ws[c]);
			draw_text(a.y + 1 + i, xs[c], ws[c], cell, attr);
		}
	}
}

static void restored(struct db *db, json_t *doc, void *ctx)
{
	struct org_archived_state *s = ctx;
	const char *lost;

	s->restoring = false;
	if (!doc) {
		if (db_answer_lost(db)) { /* it may be restored: the list says, once online */
			snprintf(s->unconfirmed, sizeof s->unconfirmed,
				 "%s: restore not confirmed — see the list once online", s->restore_name);
			app_status(s->app, true, "%s", s->unconfirmed);
		} else /* the question named it: the why needs the line (at 80 columns) */
			app_status(s->app, true, "Not restored: %.*s", (int)utf8_prefix(db->err, 400), db->err);
		return;
	}
	lost = json_string_value(json_object_get(doc, "booth_lost"));
	if (lost)
		app_status(s->app, false, "%s restored, without booth %s: another organization has it now",
			   s->restore_name, lost);
	else
		app_status(s->app, false, "%s restored", s->restore_name);
	org_archived_query(s->app, s); /* it leaves this list */
}

/* y restores the one asked about (with the version listed); anything
 * else keeps it archived. */
static int restore_answer(struct app *app, struct org_archived_state *s, int key)
{
	char id[24], v[24];
	const char *params[2] = { id, v };

	s->confirming = false;
	if (key != 'y' && key != 'Y') {
		app_status(app, false, "%s stays archived", s->restore_name);
		return SCR_HANDLED | SCR_REDRAW;
	}
	snprintf(id, sizeof id, "%lld", s->restore_id);
	snprintf(v, sizeof v, "%d", s->restore_version);
	s->app = app;
	/* its own owner: a re-read of the list never cancels it */
	s->restoring = db_org_call_submit(app_db(app), &s->restore_id, ORG_RESTORE, params, restored, s);
	if (!s->restoring)
		app_status(app, true, "Not restored: %.*s", (int)utf8_prefix(app_db(app)->err, 400), app_db(app)->err);
	return SCR_HANDLED | SCR_REDRAW;
}

static int org_archived_key(struct app *app, void *state, enum action action, int key)
{
	struct org_archived_state *s = state;

	if (s->confirming)
		return restore_answer(app, s, key);
	if (action == ACT_RESTORE) {
		const struct archived_row *r;
		if (s->restoring)
			return SCR_HANDLED;
		if (s->cursor.count == 0) {
			app_status(app, true, "no archived organization chosen");
			return SCR_HANDLED | SCR_REDRAW;
		}
		r = &s->rows[s->cursor.selected];
		s->confirming = true;
		s->restore_id = r->id;
		s->restore_version = r->version;
		/* short enough that the question's y/n and the status lines fit */
		text_ellipsis(s->restore_name, sizeof s->restore_name, r->name, ORG_NAME_SAID);
		return SCR_HANDLED | SCR_REDRAW;
	}
	return list_cursor_move(&s->cursor, action, s->cursor.visible > 0 ? s->cursor.visible : LINES - 5);
}

static int org_archived_mouse(struct app *app, void *state, enum mouse_event event, int y, int x)
{
	struct org_archived_state *s = state;
	bool open;
	(void)app;
	(void)x;
	if (!list_cursor_mouse(&s->cursor, s->first_row_y, event, y, &open))
		return SCR_IGNORED;
	return SCR_HANDLED | SCR_REDRAW;
}

/* Archiving or restoring anywhere changes this list. */
static int org_archived_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	(void)app;
	(void)state;
	(void)payload;
	return strcmp(channel, "boxoffice_events") == 0 ? SCR_REQUERY : SCR_IGNORED;
}

static void org_archived_done(struct app *app, void *state)
{
	struct org_archived_state *s = state;
	db_cancel_owner(app_db(app), &s->restore_id);
	free(s->rows);
}

/* The restore the clerk said y to: closing would cancel it. */
static const char *org_archived_writing(void *state)
{
	struct org_archived_state *s = state;
	if (!s->restoring)
		return NULL;
	snprintf(s->writing_what, sizeof s->writing_what, "restoring %s", s->restore_name);
	return s->writing_what;
}

const struct screen_ops org_archived_screen = {
	.name = "org_archived",
	.needs = "clerk",
	.title = "Archived organizations",
	.state_size = sizeof(struct org_archived_state),
	.done = org_archived_done,
	.query = org_archived_query,
	.draw = org_archived_draw,
	.on_key = org_archived_key,
	.on_mouse = org_archived_mouse,
	.on_notify = org_archived_notify,
	.writing = org_archived_writing,
};

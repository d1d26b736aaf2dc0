/* The Audit log: the change log, newest first — when, at which station,
 * by which user, what (entity #id action) and why — filtered by order,
 * ticket, person, event, station or user (/ or f: "order:12 user:anna").
 * Pages come by keyset (the rows before the last one shown) as the
 * cursor nears the end; Enter shows a change in full. Live: every
 * statement that logs notifies boxoffice_changes (db/027), and the rows
 * newer than the newest shown are read and put on top, the cursor
 * staying on the row it was on. Reads go through the loop, one at a
 * time (src/db/audit.c, the same function `boxoffice audit` calls). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/app/form.h"
#include "../src/app/theme.h"
#include "../src/core/audit.h"
#include "../src/core/json_text.h"
#include "../src/core/util.h"
#include "../src/db/async.h"
#include "../src/db/audit.h"
#include "screen.h"

#define PAGE_ROWS 100
/* More new rows than this at once: read the first page again instead. */
#define NEW_ROWS_MAX AUDIT_PAGE_MAX
#define DETAIL_LINES 400

enum read_kind { READ_NONE, READ_FIRST, READ_MORE, READ_NEW };

struct audit_state {
	struct app *app;
	json_t *rows; /* newest first */
	struct list_cursor cursor;
	long long next_before; /* the page after the last row starts before this; 0: none */
	struct audit_filter filter;
	struct read_mark mark;
	enum read_kind reading;
	bool want_first, want_new, want_more;
	int visible;     /* rows the last draw showed */
	int first_row_y; /* where draw put the first row, for clicks */
	/* the filter prompt */
	bool prompting;
	struct form_field prompt_field;
	struct form prompt;
	/* a change in full */
	bool detail;
	int detail_top, detail_lines, detail_rows;
};

enum { COL_WHEN, COL_STATION, COL_USER, COL_WHAT, COL_WHY, COL_COUNT };
static const struct column columns[COL_COUNT] = {
	[COL_WHEN] = { "WHEN", 14, false, 0, 0 },
	[COL_STATION] = { "STATION", 9, false, 2, 0 },
	[COL_USER] = { "USER", 9, false, 1, 0 },
	[COL_WHAT] = { "WHAT", 22, false, 0, 0 },
	[COL_WHY] = { "WHY", 0, false, 0, 16 },
};

static long long row_id(json_t *row)
{
	return (long long)json_integer_value(json_object_get(row, "id"));
}

static void pump(struct app *app, struct audit_state *s);

static void page_answer(struct db *db, json_t *doc, void *ctx)
{
	struct audit_state *s = ctx;
	enum read_kind kind = s->reading;
	json_t *rows = doc ? json_object_get(doc, "rows") : NULL, *next = doc ? json_object_get(doc, "next_before") : NULL;
	size_t n = json_array_size(rows);

	s->reading = READ_NONE;
	read_mark_answer(&s->mark, db, doc != NULL && json_is_array(rows));
	if (!doc || !json_is_array(rows)) {
		if (db->status == DB_REFUSED)
			app_status(s->app, true, "%s", db->err);
		pump(s->app, s);
		return;
	}
	switch (kind) {
	case READ_FIRST:
		json_decref(s->rows);
		s->rows = json_incref(rows);
		s->next_before = json_is_integer(next) ? (long long)json_integer_value(next) : 0;
		s->cursor.selected = s->cursor.top = 0;
		break;
	case READ_MORE:
		json_array_extend(s->rows, rows);
		s->next_before = json_is_integer(next) ? (long long)json_integer_value(next) : 0;
		break;
	case READ_NEW:
		if (json_is_integer(next)) { /* more came than one read takes: start again */
			s->want_first = true;
			break;
		}
		if (n > 0) {
			/* on top, the cursor on the row it was on; the view
			 * stays put unless it showed the newest rows */
			json_t *all = json_copy(rows);
			json_array_extend(all, s->rows);
			json_decref(s->rows);
			s->rows = all;
			s->cursor.selected += (int)n;
			if (s->cursor.top > 0)
				s->cursor.top += (int)n;
		}
		break;
	case READ_NONE: break;
	}
	s->cursor.count = (int)json_array_size(s->rows);
	list_cursor_fit(&s->cursor, s->visible > 0 ? s->visible : 1);
	pump(s->app, s);
}

/* Sends the next read wanted, one at a time: the first page, the rows
 * newer than the newest shown, the page after the last. */
static void pump(struct app *app, struct audit_state *s)
{
	struct db *db = app_db(app);
	long long before = 0, after = 0;
	enum read_kind kind;
	int limit = PAGE_ROWS;

	if (s->reading != READ_NONE || !app_online(app))
		return;
	if (s->want_first || (s->want_new && json_array_size(s->rows) == 0)) {
		kind = READ_FIRST;
		s->want_new = false;
	} else if (s->want_new) {
		kind = READ_NEW;
		after = row_id(json_array_get(s->rows, 0));
		limit = NEW_ROWS_MAX;
	} else if (s->want_more && s->next_before) {
		kind = READ_MORE;
		before = s->next_before;
	} else {
		s->want_more = false;
		return;
	}
	if (kind == READ_FIRST)
		s->want_first = false;
	else if (kind == READ_NEW)
		s->want_new = false;
	else
		s->want_more = false;
	s->reading = kind;
	read_mark_sent(&s->mark, app, db_audit_page_submit(db, s, &s->filter, before, after, limit, page_answer, s));
	if (!s->mark.loading)
		s->reading = READ_NONE;
}

/* Reads from the newest row again (a new filter, F5). */
static void reload(struct app *app, struct audit_state *s)
{
	db_cancel_owner(app_db(app), s);
	s->reading = READ_NONE;
	s->want_new = s->want_more = false;
	s->want_first = true;
	pump(app, s);
}

static void audit_init(struct app *app, void *state, const struct screen_arg *arg)
{
	struct audit_state *s = state;
	(void)arg;
	s->app = app;
	s->rows = json_array();
	s->prompt_field = (struct form_field){ .label = "Filter", .kind = FIELD_TEXT, .max_chars = 300 };
	s->prompt = (struct form){ &s->prompt_field, 1, 0 };
}

static void audit_done(struct app *app, void *state)
{
	struct audit_state *s = state;
	(void)app;
	json_decref(s->rows);
	s->rows = NULL;
}

/* On open: the first page; again (a reconnect, a requery): the rows that
 * came meanwhile, keeping the place. */
static void audit_query(struct app *app, void *state)
{
	struct audit_state *s = state;
	s->app = app;
	db_cancel_owner(app_db(app), s);
	s->reading = READ_NONE;
	if (json_array_size(s->rows) == 0)
		s->want_first = true;
	else
		s->want_new = true;
	pump(app, s);
}

/* The selected change in full, as lines of at most width bytes. */
static int detail_text(struct audit_state *s, int width, char lines[][256], int max)
{
	json_t *row = json_array_get(s->rows, (size_t)s->cursor.selected);
	char buf[2048], when[32], what[256];
	char *pretty, *p;
	int n = 0;

	if (!row || width < 8)
		return 0;
	if (width > 255)
		width = 255;
#define LINE(...)                                                             \
	do {                                                                      \
		snprintf(buf, sizeof buf, __VA_ARGS__);                               \
		for (const char *q = buf; n < max;) {                                 \
			size_t len = strlen(q), take = utf8_prefix(q, (size_t)width);     \
			if (take < len) { /* at a space, not inside a word */             \
				size_t sp = take;                                         \
				while (sp > 0 && q[sp] != ' ')                            \
					sp--;                                             \
				if (sp > (size_t)width / 2)                               \
					take = sp + 1;                                    \
			}                                                                 \
			memcpy(lines[n], q, take);                                        \
			lines[n++][take] = '\0';                                          \
			q += take;                                                        \
			if (!*q)                                                          \
				break;                                                    \
		}                                                                     \
	} while (0)
	audit_when(json_text(row, "at"), false, when, sizeof when);
	audit_what_said(json_text(row, "entity"), (long long)json_integer_value(json_object_get(row, "entity_id")),
		   json_text(row, "action"), what, sizeof what);
	LINE("Change #%lld · %s", row_id(row), when);
	LINE("What:     %s", what);
	LINE("Station:  %s", json_text(row, "station"));
	LINE("User:     %s", json_text(row, "actor"));
	if (json_text(row, "api_key")[0])
		LINE("API key:  %s", json_text(row, "api_key"));
	if (json_is_integer(json_object_get(row, "event")))
		LINE("Event:    #%lld", (long long)json_integer_value(json_object_get(row, "event")));
	if (json_is_integer(json_object_get(row, "type")))
		LINE("Type:     #%lld", (long long)json_integer_value(json_object_get(row, "type")));
	if (json_is_string(json_object_get(row, "channel")))
		LINE("Channel:  %s", json_text(row, "channel"));
	LINE("Reason:   %s", json_text(row, "reason")[0] ? json_text(row, "reason") : "-");
	LINE("Summary:  %s", json_text(row, "summary")[0] ? json_text(row, "summary") : "-");
	LINE("%s", "");
	LINE("%s", "Detail:");
	pretty = json_dumps(json_object_get(row, "detail"), JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	for (p = pretty; p && *p && n < max;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		LINE("  %.2000s", p);
		p = nl ? nl + 1 : p + strlen(p);
	}
	if (!pretty)
		LINE("  %s", "null");
	free(pretty);
#undef LINE
	return n;
}

static void draw_detail(struct audit_state *s, struct rect a)
{
	static char lines[DETAIL_LINES][256];
	int n = detail_text(s, a.w - 4, lines, DETAIL_LINES), rows = a.h - 1;

	s->detail_lines = n;
	s->detail_rows = rows;
	if (s->detail_top > n - rows)
		s->detail_top = n - rows;
	if (s->detail_top < 0)
		s->detail_top = 0;
	for (int i = 0; i < rows && s->detail_top + i < n; i++)
		draw_text(a.y + i, a.x + 2, a.w - 4, lines[s->detail_top + i], i == 0 && s->detail_top == 0 ? A_BOLD : A_NORMAL);
	draw_text(a.y + a.h - 1, a.x + 2, a.w - 4,
		  n > rows ? "Up/Down, PgUp/PgDn scroll · Esc or Enter: back to the list" : "Esc or Enter: back to the list",
		  theme_attr(C_DIM));
}

static void audit_draw(struct app *app, void *state, struct rect a)
{
	struct audit_state *s = state;
	int xs[COL_COUNT], ws[COL_COUNT], shown;
	char buf[600], line[800], words[600];
	const char *mark = read_mark_text(app, &s->mark, buf, sizeof buf);
	bool stale = read_mark_stale(app, &s->mark);

	if (s->detail) {
		draw_detail(s, a);
		return;
	}
	audit_filter_format(&s->filter, words, sizeof words);
	if (s->prompting) {
		form_draw_field(&s->prompt, 0, a.y, a.x + 2, 7, a.w - 4, true);
	} else {
		snprintf(line, sizeof line, "%s%s", audit_filter_any(&s->filter) ? "Changes about " : "Every change",
			 audit_filter_any(&s->filter) ? words : " (/ filters: order, ticket, person, station, user)");
		draw_text(a.y, a.x + 2, a.w - 4, line, theme_attr(C_TITLE));
	}
	s->visible = a.h - 3;
	shown = draw_columns(a.y + 1, a.x + 1, a.w - 2, columns, COL_COUNT, xs, ws, theme_attr(C_TITLE) | A_UNDERLINE);
	list_cursor_fit(&s->cursor, s->visible);
	s->first_row_y = a.y + 2;
	for (int i = 0; i < s->visible && s->cursor.top + i < s->cursor.count; i++) {
		json_t *row = json_array_get(s->rows, (size_t)(s->cursor.top + i));
		int y = a.y + 2 + i;
		unsigned attr = s->cursor.top + i == s->cursor.selected ? theme_attr(C_SELECTED)
								       : stale ? theme_attr(C_DIM) : A_NORMAL;
		char when[32], what[256], why[2048];
		const char *text[COL_COUNT];

		audit_when(json_text(row, "at"), true, when, sizeof when);
		audit_what_said(json_text(row, "entity"), (long long)json_integer_value(json_object_get(row, "entity_id")),
			   json_text(row, "action"), what, sizeof what);
		audit_why(json_text(row, "reason"), json_text(row, "action"), json_text(row, "summary"), why,
			  sizeof why);
		text[COL_WHEN] = when;
		text[COL_STATION] = json_text(row, "station");
		text[COL_USER] = json_text(row, "api_key")[0] ? json_text(row, "api_key") : json_text(row, "actor");
		text[COL_WHAT] = what;
		text[COL_WHY] = why;
		draw_fill(y, a.x, a.w, attr);
		for (int c = 0; c < shown; c++) {
			char cut[2048];
			text_ellipsis(cut, sizeof cut, text[c], ws[c]);
			draw_text(y, xs[c], ws[c], cut, attr);
		}
	}
	if (s->cursor.count == 0 && !mark)
		draw_text(a.y + 3, a.x + 2, a.w - 4, "No changes match.", theme_attr(C_DIM));
	if (s->prompting)
		snprintf(line, sizeof line, "%s", "order:N ticket:N person:N event:N station:S user:U · Enter applies · Esc");
	else if (mark)
		snprintf(line, sizeof line, "%s", mark);
	else
		snprintf(line, sizeof line, "Live · %d change%s shown%s · Enter: in full", s->cursor.count,
			 s->cursor.count == 1 ? "" : "s", s->next_before ? ", more below" : ", the log's start");
	draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, line,
		  !s->prompting && stale ? theme_attr(C_OFFLINE) : theme_attr(C_DIM));
}

/* Near the end of what was read: the next page. */
static void more_if_near_end(struct app *app, struct audit_state *s)
{
	if (s->next_before && s->cursor.selected >= s->cursor.count - (s->visible > 0 ? s->visible : 1)) {
		s->want_more = true;
		pump(app, s);
	}
}

static int prompt_key(struct app *app, struct audit_state *s, int key)
{
	enum action m = keymap_modal(key);

	if (m == ACT_SUBMIT) {
		struct audit_filter f;
		char why[300];
		if (!audit_filter_parse(s->prompt_field.text, &f, why, sizeof why)) {
			app_status(app, true, "filter: %s", why);
			return SCR_HANDLED | SCR_REDRAW;
		}
		s->prompting = false;
		s->filter = f;
		json_array_clear(s->rows);
		s->cursor.count = s->cursor.selected = s->cursor.top = 0;
		s->next_before = 0;
		reload(app, s);
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (m == ACT_BACK) {
		s->prompting = false;
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (m != ACT_NONE || keymap_is_command_key(key))
		return SCR_IGNORED; /* F1, F2, F10… */
	form_key(&s->prompt, ACT_NONE, key);
	return SCR_HANDLED | SCR_REDRAW;
}

static int detail_key(struct audit_state *s, enum action action, int key)
{
	int page = s->detail_rows > 1 ? s->detail_rows - 1 : 1;
	(void)key;
	switch (action) {
	case ACT_BACK:
	case ACT_OPEN: s->detail = false; break;
	case ACT_UP: s->detail_top--; break;
	case ACT_DOWN: s->detail_top++; break;
	case ACT_PAGE_UP: s->detail_top -= page; break;
	case ACT_PAGE_DOWN: s->detail_top += page; break;
	case ACT_HOME: s->detail_top = 0; break;
	case ACT_END: s->detail_top = s->detail_lines; break;
	default: return SCR_IGNORED;
	}
	return SCR_HANDLED | SCR_REDRAW;
}

static int audit_key(struct app *app, void *state, enum action action, int key)
{
	struct audit_state *s = state;
	int r;

	if (s->prompting)
		return prompt_key(app, s, key);
	if (s->detail)
		return detail_key(s, action, key);
	switch (action) {
	case ACT_FILTER:
		audit_filter_format(&s->filter, s->prompt_field.text, sizeof s->prompt_field.text);
		s->prompt_field.replace_on_type = false;
		s->prompting = true;
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_OPEN:
		if (s->cursor.count > 0) {
			s->detail = true;
			s->detail_top = 0;
		}
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_REFRESH:
		reload(app, s);
		return SCR_HANDLED | SCR_REDRAW;
	default: break;
	}
	r = list_cursor_move(&s->cursor, action, s->visible > 0 ? s->visible : 1);
	if (r & SCR_HANDLED)
		more_if_near_end(app, s);
	return r;
}

/* A click selects a change; a double click shows it in full. */
static int audit_mouse(struct app *app, void *state, enum mouse_event event, int y, int x)
{
	struct audit_state *s = state;
	bool open;
	(void)x;
	if (s->prompting || s->detail)
		return SCR_IGNORED;
	if (!list_cursor_mouse(&s->cursor, s->first_row_y, event, y, &open))
		return SCR_IGNORED;
	more_if_near_end(app, s);
	return open ? audit_key(app, state, ACT_OPEN, 0) : SCR_HANDLED | SCR_REDRAW;
}

/* Something was logged: read what is newer than the newest row shown
 * (one read at a time, so a burst costs one or two). */
static int audit_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	struct audit_state *s = state;
	(void)payload;
	if (strcmp(channel, "boxoffice_changes") != 0)
		return SCR_IGNORED;
	s->want_new = true;
	pump(app, s);
	return SCR_HANDLED | SCR_REDRAW;
}

static int audit_tick(struct app *app, void *state)
{
	(void)state;
	return app_online(app) ? SCR_IGNORED : SCR_REDRAW;
}

const struct screen_ops audit_screen = {
	.name = "audit",
	.needs = "supervisor",
	.title = "Audit log",
	.state_size = sizeof(struct audit_state),
	.init = audit_init,
	.done = audit_done,
	.query = audit_query,
	.draw = audit_draw,
	.on_key = audit_key,
	.on_mouse = audit_mouse,
	.on_notify = audit_notify,
	.on_tick = audit_tick,
};

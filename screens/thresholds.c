/* Alert thresholds (issue 17): the event's settings and each type's own,
 * edited in a screen of its own so the key bar says what Enter and Tab do
 * here. Opened with 't' from the dashboard or the alert log (on the chosen
 * alert's type). The type is chosen by name; the fields show what is
 * stored for that scope (the event's values, then the defaults, for a
 * type that has none yet). Read and saved on the loop without waiting. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/app/form.h"
#include "../src/app/theme.h"
#include "../src/core/json_text.h"
#include "../src/db/alerts.h"
#include "../src/db/async.h"
#include "../src/db/db.h"
#include "screen.h"

enum { F_TYPE, F_LOW, F_HOLD, F_REJECT, F_SILENT, F_ENABLED, F_COUNT };

static const char *const on_off[] = { "on", "off" };

struct thresholds_state {
	struct app *app;
	long long event_id, want_type;
	json_t *doc;          /* {settings: [...], types: [{id, name}]} */
	const char **choices; /* "Whole event", then the types' names (in doc) */
	int nchoices;
	struct read_mark mark;
	bool saving;
	bool edited;     /* a number or the switch changed since read or saved */
	bool discarding; /* Esc or F2 asked "Discard the changes? y/n" */
	bool discard_to_menu;
	char message[600];
	bool message_error;
	struct form_field fields[F_COUNT];
	struct form form;
};

static long long type_of_choice(const struct thresholds_state *s, int choice)
{
	json_t *t = choice > 0 ? json_array_get(json_object_get(s->doc, "types"), (size_t)(choice - 1)) : NULL;
	return t ? (long long)json_integer_value(json_object_get(t, "id")) : 0;
}

/* The stored row of a scope (type 0: the event's), NULL when none. */
static json_t *setting_of(const struct thresholds_state *s, long long type_id)
{
	size_t i;
	json_t *row;
	json_array_foreach(json_object_get(s->doc, "settings"), i, row)
	{
		json_t *t = json_object_get(row, "type");
		if (type_id ? json_integer_value(t) == type_id : json_is_null(t))
			return row;
	}
	return NULL;
}

/* A stored value: the first digit typed replaces it rather than append
 * to it ("400" then "476" is 476, not 400476). */
static void put_number(struct form_field *f, json_t *v, long long fallback)
{
	f->replace_on_type = true;
	if (json_is_integer(v))
		snprintf(f->text, sizeof f->text, "%lld", (long long)json_integer_value(v));
	else if (fallback >= 0)
		snprintf(f->text, sizeof f->text, "%lld", fallback);
	else
		f->text[0] = '\0';
}

/* The fields of the chosen scope: its own row, else the event's, else the
 * table's defaults (db/046: 20 holds, 5 rejects, 10 minutes, on). */
static void fill_scope(struct thresholds_state *s)
{
	long long type_id = type_of_choice(s, s->fields[F_TYPE].choice);
	json_t *row = setting_of(s, type_id);
	if (!row)
		row = setting_of(s, 0);
	put_number(&s->fields[F_LOW], json_object_get(row, "low_stock"), -1);
	put_number(&s->fields[F_HOLD], json_object_get(row, "hold_burst"), 20);
	put_number(&s->fields[F_REJECT], json_object_get(row, "reject_burst"), 5);
	put_number(&s->fields[F_SILENT], json_object_get(row, "silent_minutes"), 10);
	s->fields[F_ENABLED].choice = json_is_false(json_object_get(row, "enabled")) ? 1 : 0;
	s->edited = false; /* what is shown is what is stored */
}

static void loaded(struct db *db, json_t *doc, void *ctx)
{
	struct thresholds_state *s = ctx;
	size_t i;
	json_t *t, *types;

	read_mark_answer(&s->mark, db, doc && json_is_object(doc));
	if (!doc || !json_is_object(doc))
		return;
	json_decref(s->doc);
	s->doc = json_incref(doc);
	types = json_object_get(doc, "types");
	free(s->choices);
	s->nchoices = 1 + (int)json_array_size(types);
	s->choices = calloc((size_t)s->nchoices, sizeof *s->choices);
	if (!s->choices) {
		s->nchoices = 0;
		return;
	}
	s->choices[0] = "Whole event (its default)";
	json_array_foreach(types, i, t)
	{
		s->choices[i + 1] = json_text(t, "name");
		if (json_integer_value(json_object_get(t, "id")) == s->want_type)
			s->fields[F_TYPE].choice = (int)i + 1;
	}
	s->fields[F_TYPE].choices = s->choices;
	s->fields[F_TYPE].nchoices = s->nchoices;
	if (s->fields[F_TYPE].choice >= s->nchoices)
		s->fields[F_TYPE].choice = 0;
	fill_scope(s);
}

static void load(struct app *app, struct thresholds_state *s)
{
	char ev[24];
	const char *params[1] = { ev };
	if (!s->event_id)
		return;
	snprintf(ev, sizeof ev, "%lld", s->event_id);
	db_cancel_owner(app_db(app), s);
	read_mark_sent(&s->mark, app, db_json_submit(app_db(app), s, SQL_ALERT_FORM, 1, params, loaded, s));
}

static void thresholds_init(struct app *app, void *state, const struct screen_arg *arg)
{
	static const char *const labels[F_COUNT] = { "Type",           "Low stock (tickets left)",
						     "Holds a minute", "Rejects a minute at a gate",
						     "Silent gate (minutes)", "Alerts" };
	struct thresholds_state *s = state;

	s->app = app;
	s->event_id = app_event_id(app);
	s->want_type = arg ? arg->id : 0;
	for (int i = 0; i < F_COUNT; i++) {
		s->fields[i].label = labels[i];
		s->fields[i].kind = FIELD_DIGITS;
		s->fields[i].max_chars = 6;
	}
	s->fields[F_TYPE].kind = FIELD_CHOICE;
	s->fields[F_ENABLED].kind = FIELD_CHOICE;
	s->fields[F_ENABLED].choices = on_off;
	s->fields[F_ENABLED].nchoices = 2;
	s->form = (struct form){ s->fields, F_COUNT, 0 };
	load(app, s);
}

static void thresholds_done(struct app *app, void *state)
{
	struct thresholds_state *s = state;
	db_cancel_owner(app_db(app), s);
	json_decref(s->doc);
	free(s->choices);
}

static void thresholds_draw(struct app *app, void *state, struct rect a)
{
	struct thresholds_state *s = state;
	char line[600], k[3][16];
	const char *m;
	int y = a.y + 1, label_w = a.w >= 60 ? 28 : 20;

	snprintf(line, sizeof line, "Alert thresholds of %s", app_event_name(app)[0] ? app_event_name(app) : "—");
	draw_text(y++, 2, a.w - 4, line, A_BOLD);
	if (!s->event_id) {
		draw_text(y + 1, 2, a.w - 4, "Choose an event first (menu: Events).", theme_attr(C_STATUS_ERR));
		return;
	}
	snprintf(line, sizeof line, "%s next field · Space or Left/Right chooses · %s saves · %s back",
		 key_hint("thresholds", ACT_NEXT_FIELD, k[0], 16), key_hint("thresholds", ACT_SUBMIT, k[1], 16),
		 key_hint("thresholds", ACT_BACK, k[2], 16));
	draw_text(y++, 2, a.w - 4, line, theme_attr(C_DIM));
	y++;
	m = read_mark_text(app, &s->mark, line, sizeof line);
	if (!s->doc) {
		draw_text(y, 2, a.w - 4, m ? m : "loading…", theme_attr(C_DIM));
		return;
	}
	for (int i = 0; i < F_COUNT; i++)
		form_draw_field(&s->form, i, y++, 2, label_w, a.w - 4 < label_w + 34 ? a.w - 4 : label_w + 34, true);
	y++;
	draw_text(y++, 2, a.w - 4, "Low stock blank: a tenth of the type's capacity.", theme_attr(C_DIM));
	draw_text(y++, 2, a.w - 4,
		  s->fields[F_TYPE].choice ? "These apply to this type only; the event's apply to the others."
					   : "These apply to every type without its own.",
		  theme_attr(C_DIM));
	if (m)
		draw_text(++y, 2, a.w - 4, m, theme_attr(C_DIM));
	else if (s->saving)
		draw_text(++y, 2, a.w - 4, "saving…", theme_attr(C_DIM));
	else if (s->message[0])
		draw_wrapped(++y, 2, a.w - 4, 3, s->message,
			     s->message_error ? theme_attr(C_STATUS_ERR) : theme_attr(C_STATUS_OK));
}

static void saved(struct db *db, json_t *doc, void *ctx)
{
	struct thresholds_state *s = ctx;
	const char *scope = s->choices && s->fields[F_TYPE].choice < s->nchoices ?
				    s->choices[s->fields[F_TYPE].choice] : "";

	s->saving = false;
	if (!doc) {
		s->message_error = true;
		snprintf(s->message, sizeof s->message, "Not saved: %.500s", db->err);
		app_status(s->app, true, "thresholds not saved");
		return;
	}
	s->message_error = false;
	s->edited = false;
	snprintf(s->message, sizeof s->message, "Saved: %.300s.", s->fields[F_TYPE].choice ? scope : "the event");
	s->want_type = type_of_choice(s, s->fields[F_TYPE].choice); /* the re-read stays on it */
	app_status(s->app, false, "alert thresholds saved");
	load(s->app, s); /* what is stored now */
}

static long long field_num(const struct form_field *f, long long blank)
{
	return f->text[0] ? atoll(f->text) : blank;
}

static int thresholds_submit(struct app *app, struct thresholds_state *s)
{
	struct alert_setting_in in;
	struct alert_setting_params p;

	if (!s->doc || s->saving)
		return SCR_HANDLED;
	in.event_id = s->event_id;
	in.type_id = type_of_choice(s, s->fields[F_TYPE].choice);
	in.low_stock = field_num(&s->fields[F_LOW], -1);
	in.hold_burst = field_num(&s->fields[F_HOLD], ALERT_KEEP);
	in.reject_burst = field_num(&s->fields[F_REJECT], ALERT_KEEP);
	in.silent_minutes = field_num(&s->fields[F_SILENT], ALERT_KEEP);
	in.enabled = s->fields[F_ENABLED].choice == 0;
	alert_setting_params(&in, &p);
	s->saving = db_json_submit(app_db(app), s, SQL_ALERT_SETTING_SET, ALERT_SETTING_NPARAMS, p.params, saved, s);
	if (!s->saving) {
		s->message_error = true;
		snprintf(s->message, sizeof s->message, "Not saved: %.500s", app_db(app)->err);
	}
	return SCR_HANDLED | SCR_REDRAW;
}

static int thresholds_key(struct app *app, void *state, enum action action, int key)
{
	struct thresholds_state *s = state;
	int r;

	if (s->saving && action == ACT_REFRESH) {
		/* reading again would cancel the save on its way */
		app_status(app, true, "still saving — wait for the answer");
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (s->discarding) {
		/* y alone discards; anything else keeps the changes */
		s->discarding = false;
		s->message[0] = '\0';
		if (key == 'y' || key == 'Y')
			return SCR_HANDLED | (s->discard_to_menu ? SCR_MENU : SCR_BACK);
		return SCR_HANDLED | SCR_REDRAW;
	}
	/* Esc or F2 with changes asks first: they were lost silently */
	if ((action == ACT_BACK || action == ACT_MENU) && s->edited && !s->saving) {
		s->discarding = true;
		s->discard_to_menu = action == ACT_MENU;
		s->message_error = true;
		snprintf(s->message, sizeof s->message, "Discard the changes? y/n  (y: discard and close · n or Esc: keep them)");
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_HELP || action == ACT_MENU || action == ACT_QUIT || action == ACT_BACK)
		return SCR_IGNORED;
	if (action == ACT_SUBMIT)
		return thresholds_submit(app, s);
	if (action == ACT_REFRESH) {
		load(app, s);
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (!s->doc)
		return SCR_HANDLED;
	r = form_key(&s->form, action, key);
	if ((r & FORM_CHANGED) && s->form.focus == F_TYPE)
		fill_scope(s);
	if (r & FORM_CHANGED)
		s->message[0] = '\0';
	if ((r & FORM_CHANGED) && s->form.focus != F_TYPE)
		s->edited = true;
	return SCR_HANDLED | SCR_REDRAW;
}

/* Connected again: read what is stored unless a form is being edited. */
static void thresholds_query(struct app *app, void *state)
{
	struct thresholds_state *s = state;
	if (!s->doc)
		load(app, s);
}

static const char *thresholds_unsaved(void *state)
{
	return ((struct thresholds_state *)state)->edited ? "the thresholds' changes" : NULL;
}

/* The save on its way: closing would cancel it. */
static const char *thresholds_writing(void *state)
{
	return ((struct thresholds_state *)state)->saving ? "saving" : NULL;
}

const struct screen_ops thresholds_screen = {
	.name = "thresholds",
	.needs = "supervisor",
	.title = "Alert thresholds",
	.state_size = sizeof(struct thresholds_state),
	.init = thresholds_init,
	.done = thresholds_done,
	.query = thresholds_query,
	.draw = thresholds_draw,
	.on_key = thresholds_key,
	.writing = thresholds_writing,
	.unsaved = thresholds_unsaved,
};

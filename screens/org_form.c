/* Add or edit an event organization (issue 18): a form screen of its own,
 * pushed from the organizations list with + (add) or e (edit, on the
 * chosen one), so the key bar says what Enter and Tab do here. Edit reads
 * the organization first and sends the version it read: when another
 * station changed it meanwhile the database refuses, and the form reads it
 * again without losing what was typed: a field only the other station
 * changed takes its value, one both changed keeps the clerk's and is named
 * with both values. The form is then at the new version, so Enter again
 * saves the clerk's values over theirs on purpose; F5 reads it again
 * (asking first when something was typed). A package is given in the same
 * statement as the other fields (ORG_ADD_PACKAGE, ORG_EDIT_PACKAGE): when
 * it is refused nothing is added or changed. All on the loop, through
 * src/db/organizations.h. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/app/form.h"
#include "../src/app/theme.h"
#include "../src/core/json_text.h"
#include "../src/db/organizations.h"
#include "screen.h"

enum { G_NAME, G_REL, G_LIFE, G_COMM, G_VIS, G_CAT, G_PKG, G_BOOTH, G_COUNT };

/* db/001's enums, in their order; the first is org_add's default where
 * it has one (other, prospect, none, internal are chosen at init). */
static const char *const rel_values[] = { "sponsor", "partner", "exhibitor", "supplier", "media", "organizer",
					  "other" };
static const char *const life_values[] = { "prospect", "contacted", "negotiating", "confirmed", "active",
					   "completed", "withdrawn" };
static const char *const comm_values[] = { "none", "quoted", "contracted", "invoiced", "paid" };
static const char *const vis_values[] = { "public", "internal", "hidden" };
static const char *const json_keys[G_COUNT] = { "name", "relationship", "lifecycle", "commercial",
						"visibility", "category", "package", "booth" };

struct org_form_state {
	struct app *app;
	long long event_id, eo;  /* eo 0: adding */
	int version;             /* what the form was opened with (edit) */
	bool loaded, saving, close;
	bool comparing; /* refused as stale: reading what the other station stored */
	bool reloading; /* F5: the read replaces what the form shows, and says so */
	bool checking;  /* an organization changed somewhere: is it this one? */
	bool changed_elsewhere; /* it is: said before Enter finds out */
	bool unconfirmed; /* a save whose answer the link lost: it may be stored */
	char opened[G_COUNT][FIELD_TEXT_MAX]; /* the values as read: edit sends what differs */
	char message[700];
	bool message_error;
	char advice[160]; /* under the message after a stale refusal: what Enter and F5 do now */
	struct read_mark mark;
	struct form_field fields[G_COUNT];
	struct form form;
	bool discarding; /* "Discard the changes? y/n" */
	enum { THEN_BACK, THEN_MENU, THEN_RELOAD } discard_then; /* what y goes on to */
};

static void set_field(struct form_field *f, const char *value)
{
	if (f->kind == FIELD_CHOICE) {
		for (int i = 0; i < f->nchoices; i++)
			if (strcmp(f->choices[i], value) == 0)
				f->choice = i;
	} else
		snprintf(f->text, sizeof f->text, "%s", value);
}

static void remember_opened(struct org_form_state *s)
{
	for (int i = 0; i < G_COUNT; i++)
		snprintf(s->opened[i], sizeof s->opened[i], "%s", form_value(&s->fields[i]));
}

/* Anything typed or chosen since the form was opened (or saved). */
static bool org_form_touched(struct org_form_state *s)
{
	for (int i = 0; i < G_COUNT; i++)
		if (strcmp(s->opened[i], form_value(&s->fields[i])) != 0)
			return true;
	return false;
}

/* A field's value in ORG_SHOW's document (the name is "organization" there). */
static const char *stored_value(const json_t *doc, int field)
{
	return json_text(doc, field == G_NAME ? "organization" : json_keys[field]);
}

static void shown(struct db *db, json_t *doc, void *ctx)
{
	struct org_form_state *s = ctx;

	read_mark_answer(&s->mark, db, doc != NULL);
	if (!doc || !json_is_object(doc)) {
		/* JSON null: no such organization (merged away meanwhile) */
		s->message_error = true;
		if (doc == NULL)
			snprintf(s->message, sizeof s->message, "Not read: %.600s", db->err);
		else
			snprintf(s->message, sizeof s->message, "Not read: event organization #%lld is not stored any more.",
				 s->eo);
		return;
	}
	for (int i = 0; i < G_COUNT; i++)
		set_field(&s->fields[i], stored_value(doc, i));
	s->version = (int)json_integer_value(json_object_get(doc, "version"));
	remember_opened(s);
	s->loaded = true;
	s->changed_elsewhere = false;
	if (s->reloading) {
		s->message_error = false;
		snprintf(s->message, sizeof s->message, "Read again: as stored now.");
		/* the status line's "Not saved…" is over too */
		app_status(s->app, false, "read again");
	}
}

/* Sends ORG_SHOW of the organization being edited; done gets it. */
static bool show_submit(struct app *app, struct org_form_state *s, const void *owner, db_json_fn done)
{
	char id[24];
	const char *params[1] = { id };
	snprintf(id, sizeof id, "%lld", s->eo);
	return db_org_call_submit(app_db(app), owner, ORG_SHOW, params, done, s);
}

/* Reads the organization into the form, replacing what it shows; the
 * form waits ("reading it…") until it is read. */
static void load(struct app *app, struct org_form_state *s, bool again)
{
	db_cancel_owner(app_db(app), s);
	s->loaded = false;
	s->comparing = false;
	s->reloading = again;
	s->message[0] = s->advice[0] = '\0';
	read_mark_sent(&s->mark, app, show_submit(app, s, s, shown));
}

static void org_form_init(struct app *app, void *state, const struct screen_arg *arg)
{
	static const struct form_field blank[G_COUNT] = {
		[G_NAME] = { .label = "Organization", .kind = FIELD_TEXT, .max_chars = 200 },
		[G_REL] = { .label = "Relationship", .kind = FIELD_CHOICE, .choices = rel_values, .nchoices = 7,
			    .choice = 6 },
		[G_LIFE] = { .label = "Lifecycle", .kind = FIELD_CHOICE, .choices = life_values, .nchoices = 7 },
		[G_COMM] = { .label = "Commercial status", .kind = FIELD_CHOICE, .choices = comm_values,
			     .nchoices = 5 },
		[G_VIS] = { .label = "Visibility", .kind = FIELD_CHOICE, .choices = vis_values, .nchoices = 3,
			    .choice = 1 },
		[G_CAT] = { .label = "Category", .kind = FIELD_TEXT, .max_chars = 100 },
		[G_PKG] = { .label = "Package", .kind = FIELD_TEXT, .max_chars = 100 },
		[G_BOOTH] = { .label = "Booth", .kind = FIELD_TEXT, .max_chars = 50 },
	};
	struct org_form_state *s = state;

	s->app = app;
	s->event_id = app_event_id(app);
	s->eo = arg ? arg->id : 0;
	memcpy(s->fields, blank, sizeof blank);
	s->form = (struct form){ s->fields, G_COUNT, 0 };
	if (s->eo)
		load(app, s, false);
	else {
		s->loaded = true;
		remember_opened(s);
	}
}

static void org_form_done(struct app *app, void *state)
{
	struct org_form_state *s = state;
	db_cancel_owner(app_db(app), &s->checking);
	db_cancel_owner(app_db(app), state);
}

static void org_form_draw(struct app *app, void *state, struct rect a)
{
	struct org_form_state *s = state;
	char line[700], k[3][16];
	const char *m;
	int y = a.y + 1, label_w = 19;

	if (s->eo && !s->loaded)
		snprintf(line, sizeof line, "Edit event organization #%lld (reading it…)", s->eo);
	else if (s->eo)
		/* the version it was read at stays the form's business (the
		 * "changed since you opened it" check), not a clerk's */
		snprintf(line, sizeof line, "Edit event organization #%lld", s->eo);
	else
		snprintf(line, sizeof line, "+ Add Event Organization to %s",
			 app_event_name(app)[0] ? app_event_name(app) : "—");
	draw_text(y++, 2, a.w - 4, line, A_BOLD);
	if (!s->event_id) {
		draw_text(y + 1, 2, a.w - 4, "Choose an event first (menu: Events).", theme_attr(C_STATUS_ERR));
		return;
	}
	/* what the keys do in the field that has the focus: a choice is
	 * chosen, a text is typed (Space there is a space) */
	snprintf(line, sizeof line, "%s next field · %s · %s saves · %s back",
		 key_hint("orgform", ACT_NEXT_FIELD, k[0], 16),
		 s->fields[s->form.focus].kind == FIELD_CHOICE ? "Space or Left/Right chooses" : "Ctrl-U clears",
		 key_hint("orgform", ACT_SUBMIT, k[1], 16), key_hint("orgform", ACT_BACK, k[2], 16));
	draw_text(y++, 2, a.w - 4, line, theme_attr(C_DIM));
	y++;
	m = read_mark_text(app, &s->mark, line, sizeof line);
	if (!s->loaded) {
		draw_text(y, 2, a.w - 4, m ? m : s->message[0] ? s->message : "loading…", theme_attr(C_DIM));
		return;
	}
	for (int i = 0; i < G_COUNT; i++)
		form_draw_field(&s->form, i, y++, 2, label_w, a.w - 4, true);
	y++;
	draw_text(y++, 2, a.w - 4, "Package: one of the event's packages by name (a wrong one lists them).",
		  theme_attr(C_DIM));
	if (s->discarding)
		draw_text(++y, 2, a.w - 4,
			  s->discard_then == THEN_RELOAD
				  ? "Discard your changes and read it again? y: discard   n or Esc: keep them"
				  : "Discard the changes? y: discard and close   n or Esc: keep them",
			  theme_attr(C_SELECTED) | A_BOLD);
	else if (s->saving)
		draw_text(++y, 2, a.w - 4, "saving…", theme_attr(C_DIM));
	else if (s->comparing)
		draw_text(++y, 2, a.w - 4, "Not saved: changed at another station. Reading what changed…",
			  theme_attr(C_STATUS_ERR));
	else if (s->changed_elsewhere && !s->message[0])
		draw_wrapped(y + 1, 2, a.w - 4, 2,
			     "Changed at another station since you opened it: F5 reads theirs, "
			     "Enter shows what changed (nothing is saved over it unseen).",
			     theme_attr(C_WARN));
	else if (s->message[0]) {
		/* at 80×24 the message has rows 16–19 and the advice row 20 */
		y += 1 + draw_wrapped(y + 1, 2, a.w - 4, 4, s->message,
				      s->message_error ? theme_attr(C_STATUS_ERR) : theme_attr(C_STATUS_OK));
		if (s->advice[0])
			draw_text(y, 2, a.w - 4, s->advice, A_BOLD);
	}
}

static void refused(struct org_form_state *s, const char *what, const char *why)
{
	s->saving = false;
	s->comparing = false;
	s->message_error = true;
	s->advice[0] = '\0';
	snprintf(s->message, sizeof s->message, "%s: %.600s", what, why);
	app_status(s->app, true, "%s", what);
}

/* value as the message quotes it: cut to fit, an empty one said so */
static void quote_value(char *buf, size_t size, const char *value)
{
	char cut[128];

	if (!value[0]) {
		snprintf(buf, size, "(empty)");
		return;
	}
	text_ellipsis(cut, sizeof cut, value, 20);
	snprintf(buf, size, "\"%s\"", cut);
}

/* Appends one "Label "was" → "now"" to list (a "; " between them). */
static void name_change(char *list, size_t size, const char *label, const char *was, const char *now,
			const char *yours)
{
	char a[160], b[160], c[160];
	size_t n = strlen(list);

	quote_value(a, sizeof a, was);
	quote_value(b, sizeof b, now);
	if (yours)
		quote_value(c, sizeof c, yours);
	snprintf(list + n, size - n, "%s%s %s → %s%s%s", n ? "; " : "", label, a, b, yours ? ", yours " : "",
		 yours ? c : "");
}

/* Of what the message's 4 rows of 76 hold, what the lists of fields may
 * take beside its fixed words. */
#define MESSAGE_FITS 220

static void add_label(char *list, size_t size, const char *label)
{
	size_t n = strlen(list);
	snprintf(list + n, size - n, "%s%s", n ? ", " : "", label);
}

/* The other station's values, read after the stale refusal, next to the
 * clerk's: a field only they changed takes their value (no conflict), one
 * both changed to different values keeps the clerk's and is named with
 * both. From here the form is at their version, so Enter saves the clerk's
 * values over theirs knowingly; F5 takes theirs (discarding, after y). */
static void finished(struct org_form_state *s, json_t *doc);

static void compared(struct db *db, json_t *doc, void *ctx)
{
	struct org_form_state *s = ctx;
	char both[600] = "", both_labels[200] = "", taken[600] = "", taken_labels[200] = "", enter[16], f5[16];

	s->comparing = false;
	s->changed_elsewhere = false;
	if (!doc) {
		/* still at the old version: Enter is refused again and reads again */
		char why[600];
		snprintf(why, sizeof why, "changed at another station, and reading it again failed: %.400s", db->err);
		refused(s, "Not saved", why);
		return;
	}
	if (!json_is_object(doc)) {
		refused(s, "Not saved", "it is not stored any more (merged at another station?)");
		return;
	}
	for (int i = 0; i < G_COUNT; i++) {
		const char *theirs = stored_value(doc, i), *yours = form_value(&s->fields[i]);
		if (strcmp(theirs, s->opened[i]) == 0)
			continue; /* the other station left it */
		if (strcmp(yours, s->opened[i]) == 0 || strcmp(yours, theirs) == 0) {
			name_change(taken, sizeof taken, s->fields[i].label, s->opened[i], theirs, NULL);
			add_label(taken_labels, sizeof taken_labels, s->fields[i].label);
			set_field(&s->fields[i], theirs);
		} else {
			name_change(both, sizeof both, s->fields[i].label, s->opened[i], theirs, yours);
			add_label(both_labels, sizeof both_labels, s->fields[i].label);
		}
	}
	/* the message has 4 rows: every conflict must be named in them, so
	 * with many, the fields are named without their values (on screen,
	 * the form shows yours; F5 shows theirs) */
	if (strlen(both) + strlen(taken) > MESSAGE_FITS) {
		snprintf(taken, sizeof taken, "%s", taken_labels);
		if (strlen(both) + strlen(taken) > MESSAGE_FITS)
			snprintf(both, sizeof both, "%s (theirs differ from yours)", both_labels);
	}
	for (int i = 0; i < G_COUNT; i++)
		snprintf(s->opened[i], sizeof s->opened[i], "%s", stored_value(doc, i));
	s->version = (int)json_integer_value(json_object_get(doc, "version"));
	if (s->unconfirmed && !both[0] && !json_is_true(json_object_get(doc, "archived"))) {
		/* the "other station" was this one: the save whose answer was
		 * lost is what is stored */
		bool same = true;
		for (int i = 0; i < G_COUNT && same; i++)
			same = strcmp(stored_value(doc, i), form_value(&s->fields[i])) == 0;
		if (same) {
			s->unconfirmed = false;
			finished(s, doc);
			return;
		}
	}
	s->message_error = true;
	key_hint("orgform", ACT_SUBMIT, enter, sizeof enter);
	key_hint("orgform", ACT_REFRESH, f5, sizeof f5);
	if (json_is_true(json_object_get(doc, "archived"))) {
		snprintf(s->message, sizeof s->message,
			 "Not saved: archived at another station. To change it, restore it first "
			 "(Organizations: v, then u).");
		s->advice[0] = '\0';
	} else if (both[0]) {
		snprintf(s->message, sizeof s->message, "Not saved. Changed at another station: %s%s%s.", both,
			 taken[0] ? "; also, now shown: " : "", taken);
		snprintf(s->advice, sizeof s->advice, "%s saves yours over theirs · %s takes theirs (drops yours)",
			 enter, f5);
	} else {
		snprintf(s->message, sizeof s->message, "Not saved. Changed at another station%s%s; yours kept.",
			 taken[0] ? ", now shown: " : ", not in what is shown here", taken);
		snprintf(s->advice, sizeof s->advice, "%s saves yours · %s reads it again", enter, f5);
	}
}

/* Refused as stale: read what the other station stored, keeping the form. */
static void read_theirs(struct org_form_state *s)
{
	s->saving = false;
	s->comparing = show_submit(s->app, s, s, compared);
	if (!s->comparing) {
		char why[600];
		snprintf(why, sizeof why, "changed at another station, and reading it again failed: %.400s",
			 app_db(s->app)->err);
		refused(s, "Not saved", why);
		return;
	}
	app_status(s->app, true, "Not saved: changed at another station");
}

static long long saved_id;

long long org_form_saved_id(void)
{
	long long id = saved_id;
	saved_id = 0;
	return id;
}

static void finished(struct org_form_state *s, json_t *doc)
{
	saved_id = s->eo;
	s->saving = false;
	s->message_error = false;
	snprintf(s->message, sizeof s->message, "Saved: %.300s.", json_text(doc, "organization"));
	app_status(s->app, false, "%s %.300s", s->eo ? "saved" : "added", json_text(doc, "organization"));
	s->close = true;
	app_wake_in(s->app, 0);
}

/* The write answered: the add or edit and its package, all or nothing. */
static void written(struct db *db, json_t *doc, void *ctx)
{
	struct org_form_state *s = ctx;
	if (!doc) {
		if (s->eo && db_error_is_stale(db))
			read_theirs(s);
		else if (db_answer_lost(db)) {
			/* the write may have been made: never "Not saved" */
			s->unconfirmed = true;
			refused(s, "Not confirmed",
				s->eo ? "the link dropped before the answer, so it may be saved. Once online, Enter "
					"checks and saves (F5 shows what is stored)"
				      : "the link dropped before the answer, so it may be added. Once online, look "
					"in Organizations (Esc) before adding it again");
		} else
			refused(s, s->eo ? "Not saved" : "Not added", db->err);
		return;
	}
	s->unconfirmed = false;
	if (!s->eo) /* added: from now on the form edits it (Enter again never adds twice) */
		s->eo = json_integer_value(json_object_get(doc, "id"));
	s->version = (int)json_integer_value(json_object_get(doc, "version"));
	remember_opened(s);
	finished(s, doc);
}

static int org_form_submit(struct app *app, struct org_form_state *s)
{
	json_t *fields = json_object();
	char id[24], v[24], *text = NULL;
	const char *package;
	bool queued, any = false;

	if (!s->loaded || s->saving || s->comparing || !s->event_id) {
		json_decref(fields);
		return SCR_HANDLED;
	}
	for (int i = G_REL; i < G_COUNT; i++) {
		const char *value = form_value(&s->fields[i]);
		if (i == G_PKG || (s->eo && strcmp(value, s->opened[i]) == 0))
			continue; /* unchanged: not sent, so "changed:" names only what was */
		json_object_set_new(fields, json_keys[i], json_string(value));
		any = true;
	}
	if (s->eo && strcmp(s->fields[G_NAME].text, s->opened[G_NAME]) != 0) {
		json_object_set_new(fields, "name", json_string(s->fields[G_NAME].text));
		any = true;
	}
	package = strcmp(s->fields[G_PKG].text, s->opened[G_PKG]) != 0 ? s->fields[G_PKG].text : "";
	if (s->eo && !any && !package[0]) {
		json_decref(fields);
		s->message_error = false;
		s->advice[0] = '\0';
		snprintf(s->message, sizeof s->message, "Nothing changed.");
		return SCR_HANDLED | SCR_REDRAW;
	}
	text = json_dumps(fields, JSON_COMPACT);
	json_decref(fields);
	if (!text)
		return SCR_HANDLED;
	snprintf(v, sizeof v, "%d", s->version);
	if (!s->eo) {
		const char *params[4] = { id, s->fields[G_NAME].text, text, package };
		snprintf(id, sizeof id, "%lld", s->event_id);
		queued = db_org_call_submit(app_db(app), s, package[0] ? ORG_ADD_PACKAGE : ORG_ADD, params, written, s);
	} else {
		const char *params[4] = { id, v, text, package };
		const char *give[3] = { id, package, v };
		snprintf(id, sizeof id, "%lld", s->eo);
		queued = !any ? db_org_call_submit(app_db(app), s, ORG_PACKAGE_GIVE, give, written, s)
		       : db_org_call_submit(app_db(app), s, package[0] ? ORG_EDIT_PACKAGE : ORG_EDIT, params, written, s);
	}
	free(text);
	s->saving = queued;
	s->message[0] = s->advice[0] = '\0';
	if (!queued)
		refused(s, "Not saved", app_db(app)->err);
	return SCR_HANDLED | SCR_REDRAW;
}

static int org_form_key(struct app *app, void *state, enum action action, int key)
{
	struct org_form_state *s = state;
	int r;

	if (s->discarding) {
		/* y alone (no Enter) discards; anything else keeps the form */
		s->discarding = false;
		if (key != 'y' && key != 'Y')
			return SCR_HANDLED | SCR_REDRAW;
		if (s->discard_then == THEN_RELOAD) {
			load(app, s, true);
			return SCR_HANDLED | SCR_REDRAW;
		}
		return SCR_HANDLED | (s->discard_then == THEN_MENU ? SCR_MENU : SCR_BACK);
	}
	if (action == ACT_SUBMIT)
		return org_form_submit(app, s);
	if (s->saving || s->comparing) {
		if (action == ACT_HELP || action == ACT_QUIT)
			return SCR_IGNORED;
		app_status(app, true, "still saving — wait for the answer");
		return SCR_HANDLED | SCR_REDRAW;
	}
	/* Esc or F2 with changes asks first: they were lost silently */
	if ((action == ACT_BACK || action == ACT_MENU) && s->loaded && org_form_touched(s)) {
		s->discarding = true;
		s->discard_then = action == ACT_MENU ? THEN_MENU : THEN_BACK;
		return SCR_HANDLED | SCR_REDRAW;
	}
	/* F5 reads it again from the database; typed changes are asked about
	 * first. Adding, there is nothing stored to read. */
	if (action == ACT_REFRESH && s->loaded) {
		if (!s->eo) {
			app_status(app, false, "nothing to read again: it is not added yet");
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (org_form_touched(s)) {
			s->discarding = true;
			s->discard_then = THEN_RELOAD;
		} else
			load(app, s, true);
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_MENU || action == ACT_QUIT || action == ACT_BACK)
		return SCR_IGNORED;
	if (!s->loaded)
		return action == ACT_REFRESH && s->eo ? (load(app, s, true), SCR_HANDLED | SCR_REDRAW) : SCR_IGNORED;
	r = form_key(&s->form, action, key);
	if ((r & FORM_CHANGED) && !s->advice[0]) /* what the other station changed stays in view */
		s->message[0] = '\0';
	if (r)
		return SCR_HANDLED | SCR_REDRAW;
	return SCR_IGNORED;
}

static void checked(struct db *db, json_t *doc, void *ctx)
{
	struct org_form_state *s = ctx;
	(void)db;
	s->checking = false;
	if (doc && json_is_object(doc) && s->loaded && !s->comparing &&
	    (int)json_integer_value(json_object_get(doc, "version")) != s->version)
		s->changed_elsewhere = true;
}

/* Organizations changed somewhere (boxoffice_events): if this one did,
 * the form says so while the clerk types, before Enter is refused. */
static int org_form_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	struct org_form_state *s = state;
	(void)payload;
	if (strcmp(channel, "boxoffice_events") != 0 || !s->eo || !s->loaded || s->saving || s->comparing ||
	    s->checking || s->changed_elsewhere)
		return SCR_IGNORED;
	s->checking = show_submit(app, s, &s->checking, checked);
	return SCR_IGNORED;
}

static int org_form_tick(struct app *app, void *state)
{
	struct org_form_state *s = state;
	(void)app;
	return s->close ? SCR_BACK : SCR_IGNORED;
}

/* The save on its way: closing would cancel it. */
static const char *org_form_writing(void *state)
{
	return ((struct org_form_state *)state)->saving ? "saving" : NULL;
}

static const char *org_form_unsaved(void *state)
{
	struct org_form_state *s = state;
	return s->loaded && org_form_touched(s) ? "the organization's changes" : NULL;
}

const struct screen_ops org_form_screen = {
	.name = "orgform",
	.needs = "clerk",
	.title = "Event organization",
	.state_size = sizeof(struct org_form_state),
	.init = org_form_init,
	.done = org_form_done,
	.draw = org_form_draw,
	.on_key = org_form_key,
	.on_tick = org_form_tick,
	.on_notify = org_form_notify,
	.writing = org_form_writing,
	.unsaved = org_form_unsaved,
};

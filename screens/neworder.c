/* + New Ticket Order, from the organizer side: company (or one of the
 * event's organizations), contact, e-mail, payment method and a quantity
 * per ticket type of the current event. The order starts as requested and
 * takes its seats at once.
 *
 * Each form instance carries an idempotency key (order_add's p_key): Enter
 * again, or a retry after an answer lost with the connection, returns the
 * order already made instead of a second one. After a success the form is
 * cleared for the next order and takes a new key. */
#include <curses.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "../src/app/form.h"
#include "../src/app/theme.h"
#include "../src/core/order.h"
#include "../src/core/validate.h"
#include "../src/db/async.h"
#include "../src/db/catalog.h"
#include "../src/db/orders.h"
#include "../src/db/organizations.h"
#include "screen.h"

#define TYPES_MAX 12
#define ORGS_MAX 64

enum { N_ORG, N_COMPANY, N_CONTACT, N_EMAIL, N_PAYMENT, N_FIXED };

struct neworder_state {
	struct form_field fields[N_FIXED + TYPES_MAX];
	struct form form;
	long long type_ids[TYPES_MAX];
	char type_names[TYPES_MAX][101];
	int ntypes;
	long long org_ids[ORGS_MAX + 1];
	char org_names[ORGS_MAX + 1][201];
	const char *org_choices[ORGS_MAX + 1];
	const char *payment_choices[PAY_COUNT + 1];
	char message[1100];
	bool error;
	char key[FORM_KEY_MAX]; /* this form instance's idempotency key */
	struct app *app;
	bool creating; /* the order is out, not answered yet */
	/* read once, without waiting: organizations under &org_ids, types
	 * under &type_ids (apart from the order's write, under the state) */
	bool orgs_read, types_read;
	struct read_mark orgs_mark, types_mark;
};

/* Empty fields for the next order; the payment choice sticks. */
static void neworder_clear(struct neworder_state *s)
{
	s->fields[N_ORG].choice = 0;
	s->fields[N_COMPANY].text[0] = '\0';
	s->fields[N_CONTACT].text[0] = '\0';
	s->fields[N_EMAIL].text[0] = '\0';
	for (int k = 0; k < s->ntypes; k++) {
		snprintf(s->fields[N_FIXED + k].text, sizeof s->fields[N_FIXED + k].text, "0");
		s->fields[N_FIXED + k].replace_on_type = true;
	}
	s->form.focus = N_COMPANY;
	form_new_key(s->key, "neworder");
}

static void orgs_answer(struct db *db, const PGresult *res, void *ctx)
{
	struct neworder_state *s = ctx;
	int n = 1;

	read_mark_answer(&s->orgs_mark, db, res != NULL);
	if (!res)
		return;
	for (int i = 0; i < PQntuples(res) && n <= ORGS_MAX; i++, n++) {
		s->org_ids[n] = db_int(res, i, EOC_ID);
		snprintf(s->org_names[n], sizeof s->org_names[n], "%s", db_text(res, i, EOC_NAME));
		s->org_choices[n] = s->org_names[n];
	}
	s->fields[N_ORG].nchoices = n;
	if (s->fields[N_ORG].choice >= n)
		s->fields[N_ORG].choice = 0;
	s->orgs_read = true;
}

static void types_answer(struct db *db, const PGresult *res, void *ctx)
{
	struct neworder_state *s = ctx;

	read_mark_answer(&s->types_mark, db, res != NULL);
	if (!res)
		return;
	s->ntypes = 0;
	for (int i = 0; i < PQntuples(res) && s->ntypes < TYPES_MAX; i++) {
		int k = s->ntypes++;
		s->type_ids[k] = db_int(res, i, TYPE_ID);
		snprintf(s->type_names[k], sizeof s->type_names[k], "%s", db_text(res, i, TYPE_NAME));
		s->fields[N_FIXED + k] = (struct form_field){ .label = s->type_names[k], .kind = FIELD_DIGITS,
							       .max_chars = 5, .text = "0",
							       .replace_on_type = true };
	}
	s->form.count = N_FIXED + s->ntypes;
	s->types_read = true;
}

static void neworder_query(struct app *app, void *state)
{
	struct neworder_state *s = state;
	struct db *db = app_db(app);

	s->app = app;
	if (s->form.count == 0) {
		/* the form at once; what the database gives comes into it */
		s->org_choices[0] = "(none)";
		s->org_ids[0] = 0;
		s->fields[N_ORG] = (struct form_field){ .label = "Organization", .kind = FIELD_CHOICE,
							.choices = s->org_choices, .nchoices = 1 };
		s->fields[N_COMPANY] = (struct form_field){ .label = "Company", .kind = FIELD_TEXT, .max_chars = 200 };
		s->fields[N_CONTACT] = (struct form_field){ .label = "Contact", .kind = FIELD_TEXT, .max_chars = 200 };
		s->fields[N_EMAIL] = (struct form_field){ .label = "E-mail", .kind = FIELD_TEXT, .max_chars = 254 };
		s->fields[N_PAYMENT] = (struct form_field){ .label = "Payment", .kind = FIELD_CHOICE,
							    .choices = s->payment_choices,
							    .nchoices = name_choices(s->payment_choices, NULL,
										     payment_names(), -1) };
		s->form = (struct form){ s->fields, N_FIXED, N_COMPANY };
		form_new_key(s->key, "neworder");
	}
	/* read once: a form being typed into must not reset */
	if (!s->orgs_read) {
		db_cancel_owner(db, s->org_ids);
		s->orgs_mark.loading = false;
		read_mark_sent(&s->orgs_mark, app,
			       db_event_org_choices_submit(db, s->org_ids, app_event_id(app), ORGS_MAX, orgs_answer, s));
	}
	if (!s->types_read) {
		db_cancel_owner(db, s->type_ids);
		s->types_mark.loading = false;
		read_mark_sent(&s->types_mark, app,
			       db_type_list_submit(db, s->type_ids, app_event_id(app), types_answer, s));
	}
}

static void neworder_done(struct app *app, void *state)
{
	struct neworder_state *s = state;
	db_cancel_owner(app_db(app), s->org_ids);
	db_cancel_owner(app_db(app), s->type_ids);
}

static void neworder_draw(struct app *app, void *state, struct rect a)
{
	struct neworder_state *s = state;
	int y = a.y + 1, x = a.x + 2, w = a.w - 4 < 72 ? a.w - 4 : 72;
	char title[300], buf[600], note[700];
	const char *mark;

	snprintf(title, sizeof title, "New ticket order — %s", app_event_name(app));
	draw_text(y, x, w, title, theme_attr(C_TITLE));
	y += 2;
	for (int i = 0; i < s->form.count && y < a.y + a.h - 3; i++, y++) {
		if (i == N_FIXED)
			draw_text(y++, x, w, "Quantity per ticket type:", A_BOLD);
		form_draw_field(&s->form, i, y, x, 16, w, true);
	}
	/* what the form still lacks from the database */
	if (!s->types_read && (mark = read_mark_text(app, &s->types_mark, buf, sizeof buf))) {
		snprintf(note, sizeof note, "Quantity per ticket type: %s", mark);
		draw_text(y++, x, w, note, theme_attr(read_mark_stale(app, &s->types_mark) ? C_OFFLINE : C_DIM));
	}
	if (!s->orgs_read && (mark = read_mark_text(app, &s->orgs_mark, buf, sizeof buf))) {
		snprintf(note, sizeof note, "Organizations: %s", mark);
		draw_text(y++, x, w, note, theme_attr(read_mark_stale(app, &s->orgs_mark) ? C_OFFLINE : C_DIM));
	}
	y++;
	if (s->creating)
		draw_text(y++, x, w, "creating the order… waiting for the database", theme_attr(C_SELECTED) | A_BOLD);
	else if (s->message[0])
		draw_text(y++, x, w, s->message, theme_attr(s->error ? C_STATUS_ERR : C_ADMIT));
	{
		char k[3][16], hint[160];
		snprintf(hint, sizeof hint, "%s/arrows move, Space picks, %s creates the order, %s leaves.",
			 key_hint("neworder", ACT_NEXT_FIELD, k[0], 16), key_hint("neworder", ACT_SUBMIT, k[1], 16),
			 key_hint("neworder", ACT_BACK, k[2], 16));
		draw_text(a.y + a.h - 1, x, w, hint, theme_attr(C_DIM));
	}
}

/* The answer: the order (the form clears for the next one), a refusal,
 * or a link that failed first (the order may exist: the form keeps its
 * key, so Enter again returns it rather than making a second). */
static void created(struct db *db, json_t *doc, void *ctx)
{
	struct neworder_state *s = ctx;
	long long id;

	s->creating = false;
	s->error = true;
	if (!doc) {
		if (db_answer_lost(db)) {
			snprintf(s->message, sizeof s->message,
				 "Not confirmed — check the order list (Enter again once online is safe: %.300s)", db->err);
			app_status(s->app, true, "order not confirmed — check the order list");
		} else {
			snprintf(s->message, sizeof s->message, "Not created: %s", db->err);
		}
		return;
	}
	id = (long long)json_integer_value(json_object_get(doc, "id"));
	s->error = false;
	snprintf(s->message, sizeof s->message, " Order #%lld created: %s — the form is clear for the next order ",
		 id, json_string_value(json_object_get(doc, "status")));
	app_status(s->app, false, "Order #%lld created", id);
	/* Done: the same fields must not make a second order. */
	neworder_clear(s);
}

static int neworder_submit(struct app *app, struct neworder_state *s)
{
	json_t *lines = json_array();
	const char *why;
	long long org = s->org_ids[s->fields[N_ORG].choice];

	s->error = true;
	if (!s->types_read) {
		snprintf(s->message, sizeof s->message, "The ticket types are not read yet: nothing to order.");
		goto out;
	}
	if ((why = validate_text(s->fields[N_COMPANY].text, NAME_MAX_CHARS, false)) ||
	    (!s->fields[N_COMPANY].text[0] && !org)) {
		snprintf(s->message, sizeof s->message, "Company %s (or choose an organization).", why ? why : "is required");
		s->form.focus = N_COMPANY;
		goto out;
	}
	if ((why = validate_text(s->fields[N_CONTACT].text, NAME_MAX_CHARS, false))) {
		snprintf(s->message, sizeof s->message, "Contact %s.", why);
		goto out;
	}
	if ((why = validate_email(s->fields[N_EMAIL].text, false))) {
		snprintf(s->message, sizeof s->message, "E-mail %s.", why);
		s->form.focus = N_EMAIL;
		goto out;
	}
	for (int k = 0; k < s->ntypes; k++) {
		long long qty;
		if (parse_int_range(s->fields[N_FIXED + k].text, 0, 10000, &qty)) {
			snprintf(s->message, sizeof s->message, "%s: a quantity from 0 to 10000.", s->type_names[k]);
			s->form.focus = N_FIXED + k;
			goto out;
		}
		if (qty > 0)
			json_array_append_new(lines, json_pack("{sI sI}", "type", (json_int_t)s->type_ids[k],
							       "qty", (json_int_t)qty));
	}
	if (json_array_size(lines) == 0) {
		snprintf(s->message, sizeof s->message, "Order at least one ticket.");
		s->form.focus = N_FIXED;
		goto out;
	}
	if (!db_order_add_submit(app_db(app), s, app_event_id(app), lines, form_value(&s->fields[N_PAYMENT]),
				 s->fields[N_COMPANY].text[0] ? s->fields[N_COMPANY].text : NULL,
				 s->fields[N_CONTACT].text, s->fields[N_EMAIL].text, org, s->key, created, s)) {
		snprintf(s->message, sizeof s->message, "Not created: %s", app_db(app)->err);
		goto out;
	}
	s->app = app;
	s->creating = true;
	s->error = false;
	s->message[0] = '\0';
	app_status(app, false, "creating the order…");
out:
	json_decref(lines);
	return SCR_HANDLED | SCR_REDRAW;
}

static int neworder_key(struct app *app, void *state, enum action action, int key)
{
	struct neworder_state *s = state;
	if (s->form.count == 0)
		return SCR_IGNORED;
	if (s->creating) {
		/* help and quit go on; the form waits for the answer */
		if (action == ACT_SUBMIT || action == ACT_BACK || action == ACT_MENU ||
		    (key < KEY_MIN && action != ACT_HELP)) {
			app_status(app, true, "still creating the order — wait for the answer");
			return SCR_HANDLED | SCR_REDRAW;
		}
		return SCR_IGNORED;
	}
	if (action == ACT_SUBMIT)
		return neworder_submit(app, s);
	if (form_key(&s->form, action, key)) {
		s->message[0] = '\0';
		return SCR_HANDLED | SCR_REDRAW;
	}
	return SCR_IGNORED;
}

const struct screen_ops neworder_screen = {
	.name = "neworder",
	.title = "New ticket order",
	.state_size = sizeof(struct neworder_state),
	.query = neworder_query,
	.done = neworder_done,
	.draw = neworder_draw,
	.on_key = neworder_key,
};

/* + New Ticket Order, from the organizer side: company (or one of the
 * event's organizations), contact, e-mail, payment method and a quantity
 * per ticket type of the current event. The order starts as requested and
 * takes its seats at once.
 *
 * Each form instance carries an idempotency key (order_add's p_key): Enter
 * again, or a retry after an answer lost with the connection, returns the
 * order already made instead of a second one. After a success the form is
 * cleared for the next order and takes a new key.
 *
 * The form helps: each type's row shows its unit price and what its
 * quantity costs (net + VAT = gross), with a total under them, live as
 * quantities change; the Company field searches the event's organizations
 * and earlier companies as it is typed (a read per pause in typing,
 * queued, never waited for), and choosing a match (arrows, then Enter or
 * Tab) fills in the company and, when an earlier order knows them, the
 * contact and e-mail; Esc on a half-filled form asks before throwing it
 * away. */
#include <curses.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/app/form.h"
#include "../src/app/theme.h"
#include "../src/core/charge.h"
#include "../src/core/money.h"
#include "../src/core/order.h"
#include "../src/core/util.h"
#include "../src/core/validate.h"
#include "../src/db/async.h"
#include "../src/db/catalog.h"
#include "../src/db/companies.h"
#include "../src/db/orders.h"
#include "../src/db/organizations.h"
#include "screen.h"

/* The event's ticket types and organizations, allocated as read (fixed
 * tables of 12 and 64 dropped the rest without a word: a 13th type could
 * not be ordered here); past these many the form says it offers only the
 * first. An organization past them is still found by the Company field. */
#define TYPES_MAX 1000
#define ORGS_MAX 10000
#define MATCHES_MAX 6
#define DEBOUNCE_MS 120
#define QTY_W 8 /* the quantity's columns; its charge follows */

/* A company or organization found as the Company field is typed. */
struct company_match {
	long long org; /* event_organization id, 0 for a company of earlier orders */
	char name[201 * 4];
	char contact[201 * 4];
	char email[255];
};

enum { N_ORG, N_COMPANY, N_CONTACT, N_EMAIL, N_PAYMENT, N_FIXED };

/* A ticket type the form takes a quantity of. */
struct type_row {
	long long id, price;
	int vat;
	char name[UTF8_BUF(TYPE_NAME_MAX_CHARS)];
};

struct neworder_state {
	struct form_field *fields; /* N_FIXED, then one per type: form.count of them */
	struct form form;
	struct type_row *types;    /* ntypes of them */
	int ntypes, types_total;   /* total: the event's, more than ntypes when cut at TYPES_MAX */
	/* the Organization choices: "(none)" first, then the event's by
	 * name (orgs_listed of them, of orgs_total), then any chosen
	 * beyond them; fields[N_ORG] counts them, orgs_cap allocated */
	long long *org_ids;
	char **org_names;
	int orgs_cap, orgs_listed;
	long long orgs_total;
	const char *payment_choices[PAY_COUNT + 1];
	char message[1100];
	bool error;
	char key[FORM_KEY_MAX]; /* this form instance's idempotency key */
	struct app *app;
	bool creating; /* the order is out, not answered yet */
	/* read once, without waiting: organizations under &orgs_mark, types
	 * under &types_mark (apart from the order's write, under the state) */
	bool orgs_read, types_read;
	struct read_mark orgs_mark, types_mark;
	/* the Company field's matches, read under &search_mark */
	struct read_mark search_mark;
	struct company_match matches[MATCHES_MAX];
	int nmatches;
	int match_sel;        /* -1: none chosen, the keys type */
	bool matches_shown;   /* Esc hides them until the next key typed */
	long long search_due; /* db_now_ms() when typing paused long enough */
	char searched[FIELD_TEXT_MAX];
	int payment_at_clear; /* Esc asks only when the form holds something */
	bool discarding;      /* "Discard this order? y/n" */
	bool discard_to_menu; /* asked by F2: y goes on to the menu */
	/* opened from an organization's orders: every order is for it */
	long long preset_org;
	char preset_name[808];
	/* the first quantity row shown: the rows scroll so that the focused
	 * one is always on screen (12 types do not fit at 80x24) */
	int type_top;
};

/* Room for n Organization choices; the field follows the names. */
static void orgs_reserve(struct neworder_state *s, int n)
{
	if (n <= s->orgs_cap)
		return;
	s->org_ids = xrealloc(s->org_ids, (size_t)n * sizeof s->org_ids[0]);
	s->org_names = xrealloc(s->org_names, (size_t)n * sizeof s->org_names[0]);
	s->orgs_cap = n;
	s->fields[N_ORG].choices = (const char *const *)s->org_names;
}

/* The Organization choice that is org (named name), added after the
 * choices read when it is not one of them; returns its index. */
static int choose_org(struct neworder_state *s, long long org, const char *name)
{
	int n = s->fields[N_ORG].nchoices, i;

	for (i = 1; i < n && s->org_ids[i] != org; i++)
		;
	if (i == n) { /* beyond the choices read: one more */
		orgs_reserve(s, n + 1);
		s->org_ids[n] = org;
		s->org_names[n] = xstrdup(name);
		s->fields[N_ORG].nchoices = n + 1;
	}
	s->fields[N_ORG].choice = i;
	return i;
}

/* The preset organization and its name as the company, the cursor on
 * the contact. */
static void apply_preset(struct neworder_state *s)
{
	if (!s->preset_org)
		return;
	choose_org(s, s->preset_org, s->preset_name);
	utf8_copy(s->fields[N_COMPANY].text, sizeof s->fields[N_COMPANY].text, s->preset_name);
	s->form.focus = N_CONTACT;
}

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
	s->type_top = 0;
	s->payment_at_clear = s->fields[N_PAYMENT].choice;
	s->nmatches = 0;
	s->matches_shown = false;
	s->searched[0] = '\0';
	s->discarding = false;
	form_new_key(s->key, "neworder");
	apply_preset(s);
}

/* The Organization choices after "(none)" freed. */
static void orgs_clear(struct neworder_state *s)
{
	for (int i = 1; i < s->fields[N_ORG].nchoices; i++)
		free(s->org_names[i]);
	s->fields[N_ORG].nchoices = 1;
}

static void orgs_answer(struct db *db, const PGresult *res, void *ctx)
{
	struct neworder_state *s = ctx;
	int n = 1, chosen = s->fields[N_ORG].choice;
	long long chosen_id = s->org_ids[chosen];
	char *chosen_name;

	read_mark_answer(&s->orgs_mark, db, res != NULL);
	if (!res)
		return;
	/* an organization chosen before the list came (preset, or picked
	 * from the Company search) stays chosen */
	chosen_name = xstrdup(chosen ? s->org_names[chosen] : "");
	orgs_clear(s);
	s->orgs_listed = PQntuples(res) < ORGS_MAX ? PQntuples(res) : ORGS_MAX;
	s->orgs_total = s->orgs_listed > 0 ? db_int(res, 0, EOC_TOTAL) : 0;
	orgs_reserve(s, 1 + s->orgs_listed);
	for (int i = 0; i < s->orgs_listed; i++, n++) {
		s->org_ids[n] = db_int(res, i, EOC_ID);
		s->org_names[n] = xstrdup(db_text(res, i, EOC_NAME));
	}
	s->fields[N_ORG].nchoices = n;
	s->fields[N_ORG].choice = 0;
	if (chosen_id)
		choose_org(s, chosen_id, chosen_name);
	free(chosen_name);
	s->orgs_read = true;
}

static void types_answer(struct db *db, const PGresult *res, void *ctx)
{
	struct neworder_state *s = ctx;

	read_mark_answer(&s->types_mark, db, res != NULL);
	if (!res)
		return;
	s->types_total = PQntuples(res);
	s->ntypes = s->types_total < TYPES_MAX ? s->types_total : TYPES_MAX;
	s->types = xrealloc(s->types, (size_t)(s->ntypes > 0 ? s->ntypes : 1) * sizeof s->types[0]);
	s->fields = xrealloc(s->fields, (size_t)(N_FIXED + s->ntypes) * sizeof s->fields[0]);
	s->form.fields = s->fields;
	for (int k = 0; k < s->ntypes; k++) {
		struct type_row *t = &s->types[k];
		t->id = db_int(res, k, TYPE_ID);
		t->price = db_int(res, k, TYPE_PRICE);
		t->vat = (int)db_int(res, k, TYPE_VAT);
		utf8_copy(t->name, sizeof t->name, db_text(res, k, TYPE_NAME));
		s->fields[N_FIXED + k] = (struct form_field){ .label = t->name, .kind = FIELD_DIGITS,
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
		s->fields = xcalloc(N_FIXED, sizeof s->fields[0]);
		s->fields[N_ORG] = (struct form_field){ .label = "Organization", .kind = FIELD_CHOICE, .nchoices = 1 };
		orgs_reserve(s, 1);
		s->org_ids[0] = 0;
		s->org_names[0] = xstrdup("(none)");
		s->fields[N_COMPANY] = (struct form_field){ .label = "Company", .kind = FIELD_TEXT, .max_chars = 200 };
		s->fields[N_CONTACT] = (struct form_field){ .label = "Contact", .kind = FIELD_TEXT, .max_chars = 200 };
		s->fields[N_EMAIL] = (struct form_field){ .label = "E-mail", .kind = FIELD_TEXT, .max_chars = 254 };
		s->fields[N_PAYMENT] = (struct form_field){ .label = "Payment", .kind = FIELD_CHOICE,
							    .choices = s->payment_choices,
							    .nchoices = name_choices(s->payment_choices, NULL,
										     payment_names(), -1) };
		s->form = (struct form){ s->fields, N_FIXED, N_COMPANY };
		form_new_key(s->key, "neworder");
		apply_preset(s);
	}
	/* read once: a form being typed into must not reset */
	if (!s->orgs_read) {
		db_cancel_owner(db, &s->orgs_mark);
		s->orgs_mark.loading = false;
		read_mark_sent(&s->orgs_mark, app,
			       db_event_org_choices_submit(db, &s->orgs_mark, app_event_id(app), ORGS_MAX, orgs_answer,
							   s));
	}
	if (!s->types_read) {
		db_cancel_owner(db, &s->types_mark);
		s->types_mark.loading = false;
		read_mark_sent(&s->types_mark, app,
			       db_type_list_submit(db, &s->types_mark, app_event_id(app), types_answer, s));
	}
}

static void neworder_done(struct app *app, void *state)
{
	struct neworder_state *s = state;
	db_cancel_owner(app_db(app), &s->orgs_mark);
	db_cancel_owner(app_db(app), &s->types_mark);
	db_cancel_owner(app_db(app), &s->search_mark);
	if (s->fields) {
		orgs_clear(s);
		free(s->org_names[0]);
	}
	free(s->org_ids);
	free(s->org_names);
	free(s->types);
	free(s->fields);
}

static void matches_answer(struct db *db, const PGresult *res, void *ctx)
{
	struct neworder_state *s = ctx;

	read_mark_answer(&s->search_mark, db, res != NULL);
	s->nmatches = 0;
	if (!res)
		return;
	for (int i = 0; i < PQntuples(res) && s->nmatches < MATCHES_MAX; i++) {
		struct company_match *m = &s->matches[s->nmatches++];
		m->org = PQgetisnull(res, i, CM_ORG) ? 0 : db_int(res, i, CM_ORG);
		snprintf(m->name, sizeof m->name, "%s", db_text(res, i, CM_NAME));
		snprintf(m->contact, sizeof m->contact, "%s", db_text(res, i, CM_CONTACT));
		snprintf(m->email, sizeof m->email, "%s", db_text(res, i, CM_EMAIL));
	}
	s->match_sel = -1;
}

/* The Company field changed: search once typing pauses; what is now
 * superseded is dropped at once. */
static void search_soon(struct app *app, struct neworder_state *s)
{
	db_cancel_owner(app_db(app), &s->search_mark);
	s->search_mark.loading = false;
	s->matches_shown = true;
	s->match_sel = -1;
	if (!s->fields[N_COMPANY].text[0]) {
		s->nmatches = 0;
		s->search_due = 0;
		s->searched[0] = '\0';
		return;
	}
	s->search_due = db_now_ms() + DEBOUNCE_MS;
	app_wake_in(app, DEBOUNCE_MS);
}

static int neworder_tick(struct app *app, void *state)
{
	struct neworder_state *s = state;

	if (!s->search_due)
		return SCR_IGNORED;
	if (db_now_ms() < s->search_due) {
		app_wake_in(app, (int)(s->search_due - db_now_ms()));
		return SCR_IGNORED;
	}
	s->search_due = 0;
	snprintf(s->searched, sizeof s->searched, "%s", s->fields[N_COMPANY].text);
	{
		bool queued = db_company_search_submit(app_db(app), &s->search_mark, app_event_id(app), s->searched,
						       MATCHES_MAX, matches_answer, s);
		read_mark_sent(&s->search_mark, app, queued);
		if (!queued)
			s->nmatches = 0; /* offline: no matches rather than stale ones */
	}
	return SCR_REDRAW;
}

/* The chosen match fills the company (and the organization when it is
 * one), and the contact and e-mail where the form has none yet. */
static void pick_match(struct neworder_state *s, const struct company_match *chosen)
{
	struct company_match copy = *chosen; /* the list is cleared below */
	const struct company_match *m = &copy;

	utf8_copy(s->fields[N_COMPANY].text, sizeof s->fields[N_COMPANY].text, m->name);
	if (m->org)
		choose_org(s, m->org, m->name);
	else
		s->fields[N_ORG].choice = 0;
	if (!s->fields[N_CONTACT].text[0])
		utf8_copy(s->fields[N_CONTACT].text, sizeof s->fields[N_CONTACT].text, m->contact);
	if (!s->fields[N_EMAIL].text[0])
		utf8_copy(s->fields[N_EMAIL].text, sizeof s->fields[N_EMAIL].text, m->email);
	s->matches_shown = false;
	s->nmatches = 0;
	s->form.focus = N_CONTACT;
}

static bool matches_open(const struct neworder_state *s)
{
	return s->form.focus == N_COMPANY && s->matches_shown && s->nmatches > 0;
}

/* Anything typed or chosen that a cleared form does not hold. */
static bool neworder_touched(const struct neworder_state *s)
{
	long long org = s->org_ids[s->fields[N_ORG].choice];
	/* the preset organization and its name are what a cleared form holds */
	bool preset = s->preset_org && org == s->preset_org &&
		      strcmp(s->fields[N_COMPANY].text, s->preset_name) == 0;

	if (!preset && (org || s->fields[N_COMPANY].text[0]))
		return true;
	if (s->fields[N_CONTACT].text[0] || s->fields[N_EMAIL].text[0] ||
	    s->fields[N_PAYMENT].choice != s->payment_at_clear)
		return true;
	for (int k = 0; k < s->ntypes; k++)
		if (strcmp(s->fields[N_FIXED + k].text, "0") != 0)
			return true;
	return false;
}

/* Type k's charge for its quantity now; false when the quantity is not a
 * number yet. */
static bool type_charge(const struct neworder_state *s, int k, struct charge *c)
{
	enum payment_method pm = PAY_INVOICE;
	long long qty;

	if (parse_int_range(s->fields[N_FIXED + k].text, 0, 10000, &qty))
		return false;
	payment_parse(form_value(&s->fields[N_PAYMENT]), &pm);
	return charge_line(c, (int)qty, s->types[k].price, s->types[k].vat, pm);
}

/* The matches under the Company field, over the rows below it. */
static void draw_matches(const struct neworder_state *s, int y, int x, int w)
{
	for (int i = 0; i < s->nmatches; i++) {
		const struct company_match *m = &s->matches[i];
		unsigned attr = i == s->match_sel ? theme_attr(C_SELECTED) : A_REVERSE;
		char line[1200];
		snprintf(line, sizeof line, " %s%s%s%s%s", m->name, m->org ? "  (organization)" : "",
			 m->contact[0] || m->email[0] ? "  · " : "", m->contact,
			 m->email[0] ? (m->contact[0] ? ", " : "") : "");
		if (m->email[0])
			snprintf(line + strlen(line), sizeof line - strlen(line), "%s", m->email);
		draw_fill(y + i, x, w, attr);
		draw_text(y + i, x, w, line, attr);
	}
	if (s->match_sel < 0)
		draw_text(y + s->nmatches, x, w, " ↓ choose a match, Enter or Tab takes it, Esc hides them",
			  theme_attr(C_DIM) | A_REVERSE);
}

static void neworder_draw(struct app *app, void *state, struct rect a)
{
	struct neworder_state *s = state;
	int y = a.y + 1, x = a.x + 2, w = a.w - 4 < 76 ? a.w - 4 : 76, company_y = 0;
	char title[300], buf[600], note[700];
	const char *mark;
	struct charge total = { .unit_cents = -1 };
	bool total_known = s->types_read;

	snprintf(title, sizeof title, "New ticket order — %s", app_event_name(app));
	draw_text(y, x, w, title, theme_attr(C_TITLE));
	y += 2;
	for (int i = 0; i < N_FIXED && i < s->form.count; i++, y++) {
		if (i == N_COMPANY)
			company_y = y;
		form_draw_field(&s->form, i, y, x, 16, w, true);
	}
	/* the total counts every type, shown or scrolled away */
	for (int k = 0; k < s->ntypes; k++) {
		struct charge c;
		if (!type_charge(s, k, &c)) {
			total_known = false;
			continue;
		}
		total.uncharged = c.uncharged;
		charge_add(&total, &c);
	}
	if (s->form.count > N_FIXED) {
		/* rows for the types: what is left above the total, the
		 * message and the hint; the focused one is always among them */
		int rows = a.y + a.h - 4 - (y + 1), focus = s->form.focus - N_FIXED;
		char head[80];
		if (rows < 1)
			rows = 1;
		if (s->type_top > s->ntypes - rows)
			s->type_top = s->ntypes - rows;
		if (focus >= 0 && focus < s->type_top)
			s->type_top = focus;
		if (focus >= 0 && focus >= s->type_top + rows)
			s->type_top = focus - rows + 1;
		if (s->type_top < 0)
			s->type_top = 0;
		if (s->ntypes > rows)
			snprintf(head, sizeof head, "Quantity per ticket type: %d–%d of %d",
				 s->type_top + 1, s->type_top + rows, s->ntypes);
		else
			snprintf(head, sizeof head, "Quantity per ticket type:");
		draw_text(y++, x, w, head, A_BOLD);
		for (int k = s->type_top; k < s->ntypes && k < s->type_top + rows; k++, y++) {
			struct charge c;
			/* the quantity, then its unit price and charge */
			form_draw_field(&s->form, N_FIXED + k, y, x, 16, 16 + QTY_W, !s->discarding);
			if (!type_charge(s, k, &c))
				continue;
			charge_format(buf, sizeof buf, "×", &c, form_value(&s->fields[N_PAYMENT]), w - 17 - QTY_W);
			draw_text(y, x + 17 + QTY_W, w - 17 - QTY_W, buf, c.qty ? A_BOLD : theme_attr(C_DIM));
		}
	}
	if (total_known && s->ntypes > 0) {
		char lead[64];
		snprintf(lead, sizeof lead, total.uncharged ? "Total, %d ticket%s" : "Total, %d ticket%s:", total.qty,
			 total.qty == 1 ? "" : "s");
		if (total.qty == 0)
			snprintf(buf, sizeof buf, "Total: no tickets yet");
		else
			charge_format(buf, sizeof buf, lead, &total, form_value(&s->fields[N_PAYMENT]), w);
		draw_text(y++, x, w, buf, A_BOLD);
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
	/* and what it offers short of the database */
	if (s->types_total > s->ntypes) {
		char first[32], of[32];
		count_format_fit(first, sizeof first, s->ntypes, 20);
		count_format_fit(of, sizeof of, s->types_total, 20);
		snprintf(note, sizeof note, "Only the first %s of %s ticket types are offered here.", first, of);
		draw_text(y++, x, w, note, theme_attr(C_WARN));
	}
	if (s->orgs_total > s->orgs_listed) {
		char first[32], of[32];
		count_format_fit(first, sizeof first, s->orgs_listed, 20);
		count_format_fit(of, sizeof of, s->orgs_total, 20);
		snprintf(note, sizeof note, "Organization lists the first %s of %s; Company finds the rest.", first, of);
		draw_text(y++, x, w, note, theme_attr(C_WARN));
	}
	y++;
	if (s->discarding)
		draw_text(y++, x, w, "Discard this order? y/n", theme_attr(C_SELECTED) | A_BOLD);
	else if (s->creating)
		draw_text(y++, x, w, "creating the order… waiting for the database", theme_attr(C_SELECTED) | A_BOLD);
	else if (s->message[0]) /* a refusal in full: wrapped above the hint line */
		y += draw_wrapped(y, x, w, a.y + a.h - 1 - y > 3 ? 3 : a.y + a.h - 1 - y, s->message,
				  theme_attr(s->error ? C_STATUS_ERR : C_ADMIT));
	{
		char k[3][16], hint[160];
		snprintf(hint, sizeof hint, "%s/arrows move, Space picks, %s creates the order, %s leaves.",
			 key_hint("neworder", ACT_NEXT_FIELD, k[0], 16), key_hint("neworder", ACT_SUBMIT, k[1], 16),
			 key_hint("neworder", ACT_BACK, k[2], 16));
		draw_text(a.y + a.h - 1, x, w, s->discarding ? "y: discard and close   n or Esc: keep it" : hint,
			  theme_attr(C_DIM));
	}
	if (company_y && matches_open(s) && !s->discarding)
		draw_matches(s, company_y + 1, x + 16, w - 16);
}

/* A refusal about one type's seats ("only 3 left (Adult)", "sold out
 * (Adult: …)") puts the cursor on that type's quantity, to be corrected. */
static void focus_refused_type(struct neworder_state *s, const char *err)
{
	for (int k = 0; k < s->ntypes; k++) {
		const char *at = err;
		size_t n = strlen(s->types[k].name);
		while ((at = strchr(at, '('))) {
			at++;
			if (strncmp(at, s->types[k].name, n) == 0 && (at[n] == ')' || at[n] == ':')) {
				s->form.focus = N_FIXED + k;
				return;
			}
		}
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
				 "Not confirmed: %.*s; check the order list (Enter again once online is safe)",
				 (int)utf8_prefix(db->err, 300), db->err);
			app_status(s->app, true, "order not confirmed — check the order list");
		} else {
			snprintf(s->message, sizeof s->message, "Not created: %s", db->err);
			app_status(s->app, true, "order not created");
			focus_refused_type(s, db->err);
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
		s->form.focus = N_CONTACT;
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
			snprintf(s->message, sizeof s->message, "%s: a quantity from 0 to 10000.", s->types[k].name);
			s->form.focus = N_FIXED + k;
			goto out;
		}
		if (qty > 0)
			json_array_append_new(lines, json_pack("{sI sI}", "type", (json_int_t)s->types[k].id,
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
	if (s->discarding) {
		/* y alone (no Enter) discards; anything else keeps the form */
		s->discarding = false;
		if (key == 'y' || key == 'Y')
			return SCR_HANDLED | (s->discard_to_menu ? SCR_MENU : SCR_BACK);
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (matches_open(s)) {
		if (key == KEY_DOWN) {
			if (s->match_sel < s->nmatches - 1)
				s->match_sel++;
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (key == KEY_UP && s->match_sel >= 0) {
			s->match_sel--;
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (s->match_sel >= 0 && (action == ACT_SUBMIT || action == ACT_NEXT_FIELD || key == '\t')) {
			pick_match(s, &s->matches[s->match_sel]);
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (action == ACT_BACK) {
			s->matches_shown = false;
			return SCR_HANDLED | SCR_REDRAW;
		}
	}
	if (action == ACT_SUBMIT)
		return neworder_submit(app, s);
	/* Esc or F2 on a half-filled form asks first (F2 lost it silently) */
	if ((action == ACT_BACK || action == ACT_MENU) && neworder_touched(s)) {
		s->discarding = true;
		s->discard_to_menu = action == ACT_MENU;
		return SCR_HANDLED | SCR_REDRAW;
	}
	{
		int focus = s->form.focus, r = form_key(&s->form, action, key);
		if (r) {
			/* a refusal stays while the cursor moves to what it is
			 * about; it goes once the form changes */
			if (r & FORM_CHANGED) {
				s->message[0] = '\0';
				app_status_clear(app);
			}
			if (focus == N_COMPANY && r == FORM_CHANGED)
				search_soon(app, s);
			return SCR_HANDLED | SCR_REDRAW;
		}
	}
	return SCR_IGNORED;
}

static void neworder_init(struct app *app, void *state, const struct screen_arg *arg)
{
	struct neworder_state *s = state;
	(void)app;
	if (arg && arg->id > 0 && arg->name) {
		s->preset_org = arg->id;
		utf8_copy(s->preset_name, sizeof s->preset_name, arg->name);
	}
}

/* The order on its way: closing would cancel it. */
static const char *neworder_writing(void *state)
{
	return ((struct neworder_state *)state)->creating ? "creating the order" : NULL;
}

static const char *neworder_unsaved(void *state)
{
	const struct neworder_state *s = state;
	return s->form.count > 0 && neworder_touched(s) ? "the order being typed" : NULL;
}

const struct screen_ops neworder_screen = {
	.name = "neworder",
	.needs = "clerk",
	.title = "New ticket order",
	.state_size = sizeof(struct neworder_state),
	.init = neworder_init,
	.query = neworder_query,
	.done = neworder_done,
	.draw = neworder_draw,
	.on_tick = neworder_tick,
	.on_key = neworder_key,
	.writing = neworder_writing,
	.unsaved = neworder_unsaved,
};

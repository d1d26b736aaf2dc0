/* My Tickets: find a person of the event by name or e-mail and see their
 * tickets, statuses and check-ins, with the selected ticket's QR drawn in
 * half blocks, big enough for a phone to scan from the screen. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "../src/app/form.h"
#include "../src/app/theme.h"
#include "../src/core/order.h"
#include "../src/core/qr.h"
#include "../src/core/token.h"
#include "../src/db/async.h"
#include "../src/db/tickets.h"
#include "screen.h"

#define PEOPLE_MAX 8
#define DEBOUNCE_MS 120

struct mytickets_state {
	struct app *app;
	struct form_field find;
	struct form form;
	struct {
		long long id;
		char name[201], email[255], company[201];
	} people[PEOPLE_MAX];
	struct list_cursor people_cursor;
	struct read_mark people_mark;
	struct person_tickets tickets;
	int ticket;
	long long shown_person; /* whose tickets[] are */
	struct read_mark tickets_mark;
	long long search_due;   /* monotonic ms: typing paused, search then */
	long long org_id;       /* opened on an organization (p): its persons only */
	char org_name[808];
	/* F8: "lost my ticket": asked (y/n), then written; its own owner,
	 * so a search starting meanwhile does not cancel the write */
	struct {
		long long ticket; /* asked about, 0: not asking */
		int seen_issue;   /* its issue as shown: another station's change is refused */
		long long sending; /* written, answer not yet here */
		/* its answer lost with the link: made or not, the QR shown
		 * may be dead, so none is shown until the tickets are read */
		long long unconfirmed;
		char about[400];
		/* how the last write went, drawn on the screen (the status line
		 * is the framework's when the link fails) until the next key */
		char said[400];
		bool said_error;
	} reissue;
	struct badge_job badge; /* F9's, made by a child */
};

static long long selected_person(const struct mytickets_state *s)
{
	return s->people_cursor.count ? s->people[s->people_cursor.selected].id : 0;
}

static void tickets_answer(struct db *db, const struct person_tickets *t, void *ctx)
{
	struct mytickets_state *s = ctx;

	read_mark_answer(&s->tickets_mark, db, t != NULL);
	if (!t)
		return;
	s->reissue.unconfirmed = 0; /* the QR shown is the database's again */
	s->tickets = *t;
	if (s->ticket >= s->tickets.count)
		s->ticket = 0;
}

/* The selected person's tickets; the ones shown stay (marked) until then,
 * unless they are someone else's. */
static void load_tickets(struct app *app, struct mytickets_state *s)
{
	long long person = selected_person(s);

	if (person != s->shown_person) {
		s->tickets.count = 0;
		s->ticket = 0;
	}
	s->shown_person = person;
	s->tickets_mark.loading = false;
	s->tickets_mark.error[0] = '\0';
	if (!person)
		return;
	read_mark_sent(&s->tickets_mark, app,
		       db_person_tickets_submit(app_db(app), s, person, tickets_answer, s));
}

static void people_answer(struct db *db, const PGresult *res, void *ctx)
{
	struct mytickets_state *s = ctx;

	read_mark_answer(&s->people_mark, db, res != NULL);
	if (!res)
		return;
	for (int i = 0; i < PQntuples(res) && i < PEOPLE_MAX; i++) {
		s->people[i].id = db_int(res, i, 0);
		snprintf(s->people[i].name, sizeof s->people[i].name, "%s", db_text(res, i, 1));
		snprintf(s->people[i].email, sizeof s->people[i].email, "%s", db_text(res, i, 2));
		snprintf(s->people[i].company, sizeof s->people[i].company, "%s", db_text(res, i, 3));
	}
	s->people_cursor.count = PQntuples(res) < PEOPLE_MAX ? PQntuples(res) : PEOPLE_MAX;
	list_cursor_fit(&s->people_cursor, PEOPLE_MAX);
	load_tickets(s->app, s);
}

/* Searches now: whatever was still being read is superseded. */
static void search_now(struct app *app, struct mytickets_state *s)
{
	db_cancel_owner(app_db(app), s);
	s->search_due = 0;
	s->people_mark.loading = s->tickets_mark.loading = false;
	if (s->org_id) {
		/* an organization's persons: all of them (the first few), or
		 * those matching what is typed */
		read_mark_sent(&s->people_mark, app,
			       db_org_person_search_submit(app_db(app), s, app_event_id(app), s->org_id, s->find.text,
							   PEOPLE_MAX, people_answer, s));
		return;
	}
	if (strlen(s->find.text) < 2) {
		s->people_cursor.count = 0;
		s->people_mark.error[0] = '\0';
		load_tickets(app, s);
		return;
	}
	read_mark_sent(&s->people_mark, app,
		       db_person_search_submit(app_db(app), s, app_event_id(app), s->find.text, PEOPLE_MAX,
					       people_answer, s));
}

static void mytickets_query(struct app *app, void *state)
{
	struct mytickets_state *s = state;
	s->app = app;
	search_now(app, s);
}

/* Typing: search once it pauses; cancel what is superseded at once. */
static void search_soon(struct app *app, struct mytickets_state *s)
{
	db_cancel_owner(app_db(app), s);
	s->people_mark.loading = true;
	s->tickets_mark.loading = false;
	s->search_due = db_now_ms() + DEBOUNCE_MS;
	app_wake_in(app, DEBOUNCE_MS);
}

static int mytickets_tick(struct app *app, void *state)
{
	struct mytickets_state *s = state;
	int badge = badge_job_tick(app, &s->badge);

	if (s->search_due && db_now_ms() >= s->search_due) {
		if (app_online(app))
			search_now(app, s);
		else
			s->search_due = 0, s->people_mark.loading = false;
		return badge | SCR_REDRAW;
	}
	if (s->search_due)
		app_wake_in(app, (int)(s->search_due - db_now_ms()));
	return badge | (app_online(app) ? SCR_IGNORED : SCR_REDRAW);
}

static void mytickets_init(struct app *app, void *state, const struct screen_arg *arg)
{
	struct mytickets_state *s = state;
	s->app = app;
	s->find = (struct form_field){ .label = "Find", .kind = FIELD_TEXT, .max_chars = 200 };
	s->form = (struct form){ &s->find, 1, 0 };
	if (arg && arg->id && arg->name) {
		s->org_id = arg->id;
		snprintf(s->org_name, sizeof s->org_name, "%s", arg->name);
	}
}

/* Columns and rows the chosen ticket's QR takes (draw_qr: half blocks,
 * two modules a row, a quiet zone of 2 modules), or 0 when there is none. */
static int qr_side(const struct person_tickets *tk, int ticket)
{
	struct qr q;
	int side;

	if (tk->count == 0 || strcmp(tk->tickets[ticket].status, "valid") != 0 || !tk->tickets[ticket].token[0])
		return 0;
	if (!qr_make_small(tk->tickets[ticket].token, &q))
		return 0;
	side = q.width + 4;
	qr_free(&q);
	return side;
}

static void mytickets_draw(struct app *app, void *state, struct rect a)
{
	struct mytickets_state *s = state;
	const struct person_tickets *tk = &s->tickets;
	/* The QR goes to the right of the details whenever the details keep
	 * 36 columns (at 80×24 a ticket's QR takes 37 to 41 columns and 19
	 * to 21 rows); else below them, when there is room. */
	bool doubt = tk->count > 0 && tk->tickets[s->ticket].id == s->reissue.unconfirmed;
	int side = doubt ? 0 : qr_side(tk, s->ticket), qr_rows = (side + 1) / 2;
	bool beside = side > 0 && a.w - side - 1 >= 36 && qr_rows <= a.h;
	int left_w = beside ? a.w - side - 1 : a.w, y = a.y;
	bool narrow = left_w < 64;
	char buf[600], note[700];
	const char *mark = read_mark_text(app, &s->people_mark, buf, sizeof buf);
	bool stale = read_mark_stale(app, &s->people_mark);

	form_draw_field(&s->form, 0, y, a.x + 2, 6, left_w - 4 < 50 ? left_w - 4 : 50, true);
	/* whether the list below answers what is typed */
	if ((strlen(s->find.text) >= 2 || s->org_id) && mark) {
		snprintf(note, sizeof note, "Search %s", mark);
		draw_text(y + 1, a.x + 2, left_w - 4, note, stale ? theme_attr(C_OFFLINE) : theme_attr(C_DIM));
	} else if (s->org_id) {
		if (s->people_cursor.count < PEOPLE_MAX) /* all of them */
			snprintf(note, sizeof note, "Persons of %.400s (%d)", s->org_name, s->people_cursor.count);
		else
			snprintf(note, sizeof note, "Persons of %.400s (the first %d; type to narrow)", s->org_name,
				 PEOPLE_MAX);
		draw_text(y + 1, a.x + 2, left_w - 4, note, A_BOLD);
	}
	y += 2;
	if (s->people_cursor.count == 0)
		draw_text(y, a.x + 2, left_w - 4,
			  strlen(s->find.text) < 2 && !s->org_id ? "Type a name or e-mail (2 letters or more)."
			  : mark ? (stale ? "Not searched: the database is unavailable." : "Searching…")
				 : "Nobody found.",
			  theme_attr(C_DIM));
	for (int i = 0; i < s->people_cursor.count; i++) {
		char line[700];
		unsigned attr = i == s->people_cursor.selected ? theme_attr(C_SELECTED)
							       : stale ? theme_attr(C_DIM) : A_NORMAL;
		if (narrow)
			snprintf(line, sizeof line, "%s <%s>", s->people[i].name, s->people[i].email);
		else
			snprintf(line, sizeof line, "%s <%s> %s", s->people[i].name, s->people[i].email,
				 s->people[i].company);
		draw_fill(y + i, a.x + 1, left_w - 2, attr);
		draw_text(y + i, a.x + 2, left_w - 4, line, attr);
	}
	y += (s->people_cursor.count > 0 ? s->people_cursor.count : 1) + 1;
	mark = read_mark_text(app, &s->tickets_mark, buf, sizeof buf);
	if (tk->count > 0 || (mark && selected_person(s))) {
		snprintf(note, sizeof note, "%s%s%s", narrow ? "Tickets (←/→ choose)" : "Tickets (←/→ choose the one to show)",
			 mark ? ": " : ":", mark ? mark : "");
		draw_text(y++, a.x + 2, left_w - 4, note, read_mark_stale(app, &s->tickets_mark) ? theme_attr(C_OFFLINE) : A_BOLD);
	}
	for (int i = 0; i < tk->count && y < a.y + a.h; i++) {
		const struct person_ticket *t = &tk->tickets[i];
		enum order_status st;
		const char *order = order_status_parse(t->order_status, &st) ? order_status_label(st) : t->order_status;
		const char *valid = strcmp(t->status, "valid") == 0 ? "valid" : "VOID";
		const char *scan = t->scans ? t->last_scan : "not checked in";
		char line[256];
		unsigned attr = i == s->ticket ? A_BOLD | A_REVERSE : A_NORMAL;
		/* narrow: the ticket on one line, the chosen one's order and
		 * check-in on the next */
		if (narrow)
			snprintf(line, sizeof line, "#%lld %s · %s", t->id, t->type, valid);
		else
			snprintf(line, sizeof line, "#%lld %s · %s · order %s · %s", t->id, t->type, valid, order, scan);
		draw_text(y++, a.x + 2, left_w - 4, line, attr);
		if (narrow && i == s->ticket && y < a.y + a.h) {
			snprintf(line, sizeof line, "  order %s · %s", order, scan);
			draw_text(y++, a.x + 2, left_w - 4, line, A_NORMAL);
		}
	}
	/* The QR of the chosen ticket: beside the details, else below them. */
	if (side > 0) {
		int qx = beside ? a.x + a.w - side : a.x + 2, qy = beside ? a.y : y + 1;
		if (!draw_qr(qy, qx, a.y + a.h - qy, a.w - (qx - a.x), tk->tickets[s->ticket].token))
			draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, "Enlarge the terminal to show the QR.", theme_attr(C_DIM));
	}
	if (doubt)
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4,
			  "Reissue not confirmed: no QR until the ticket is read again (F5).", theme_attr(C_OFFLINE));
	if (s->reissue.said[0] && !s->reissue.ticket) {
		draw_fill(a.y + a.h - 1, a.x, a.w, A_NORMAL);
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, s->reissue.said,
			  theme_attr(s->reissue.said_error ? C_STATUS_ERR : C_STATUS_OK));
	}
	if (s->reissue.ticket) {
		char ask[600];
		snprintf(ask, sizeof ask, "Reissue ticket #%lld (%s)?", s->reissue.ticket,
			 s->reissue.about);
		/* the whole width, over the QR's last rows: it is the one
		 * about to stop working */
		draw_fill(a.y + a.h - 2, a.x, a.w, A_NORMAL);
		draw_text(a.y + a.h - 2, a.x + 2, a.w - 4, ask, A_BOLD);
		draw_fill(a.y + a.h - 1, a.x, a.w, A_NORMAL);
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, "y: new QR, the old one stops working   n or Esc: keep it", A_BOLD);
	}
}

static void reissue_answer(struct db *db, json_t *doc, void *ctx)
{
	struct mytickets_state *s = ctx;
	long long ticket = s->reissue.sending;

	s->reissue.sending = 0;
	s->reissue.said_error = !doc;
	if (!doc && db_answer_lost(db)) {
		/* the link, not the database, failed: it may have been made;
		 * the screen says so where the QR was */
		s->reissue.unconfirmed = ticket;
		s->reissue.said[0] = '\0';
		app_status(s->app, true, "ticket #%lld: reissue not confirmed — check its QR once online", ticket);
		return;
	}
	if (!doc)
		snprintf(s->reissue.said, sizeof s->reissue.said, "Ticket #%lld not reissued: %.300s", ticket, db->err);
	else
		snprintf(s->reissue.said, sizeof s->reissue.said,
			 "Ticket #%lld reissued (issue %lld): the new QR is shown; the old one no longer works", ticket,
			 (long long)json_integer_value(json_object_get(doc, "issue")));
	app_status(s->app, !doc, "%s", s->reissue.said);
	if (doc || db_error_is_stale(db))
		load_tickets(s->app, s); /* the new QR, or the one another station made */
}

/* The question F8 asked: y reissues, n or Esc keeps the ticket; F1 and
 * F10 work as everywhere, any other key waits for y or n. */
static int reissue_key(struct app *app, struct mytickets_state *s, enum action action)
{
	long long ticket = s->reissue.ticket;

	if (action == ACT_HELP || action == ACT_QUIT || action == ACT_MENU)
		return SCR_IGNORED;
	if (action != ACT_YES && action != ACT_NO)
		return SCR_HANDLED;
	s->reissue.ticket = 0;
	if (action == ACT_NO) {
		app_status(app, false, "ticket #%lld kept: nothing changed", ticket);
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (!db_ticket_reissue_submit(app_db(app), &s->reissue, ticket, false, "reissued at the desk (lost)",
				      s->reissue.seen_issue,
				      reissue_answer, s)) {
		app_status(app, true, "ticket #%lld not reissued: %s", ticket, app_db(app)->err);
		return SCR_HANDLED | SCR_REDRAW;
	}
	s->reissue.sending = ticket;
	s->reissue.said_error = false;
	snprintf(s->reissue.said, sizeof s->reissue.said, "reissuing ticket #%lld…", ticket);
	return SCR_HANDLED | SCR_REDRAW;
}

/* F8 and F9 act on the ticket shown (←/→ choose it). */
static const struct person_ticket *shown_ticket(struct app *app, struct mytickets_state *s)
{
	if (s->tickets.count == 0 || s->shown_person != selected_person(s)) {
		app_status(app, true, "no ticket shown: find a person with a ticket first");
		return NULL;
	}
	return &s->tickets.tickets[s->ticket];
}

static int mytickets_key(struct app *app, void *state, enum action action, int key)
{
	struct mytickets_state *s = state;
	const struct person_ticket *t;
	int r;

	if (s->reissue.ticket)
		return reissue_key(app, s, action);
	s->reissue.said[0] = '\0';
	if (action == ACT_REISSUE) {
		if (s->reissue.sending) {
			app_status(app, true, "ticket #%lld is being reissued: wait for the answer", s->reissue.sending);
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (!(t = shown_ticket(app, s)))
			return SCR_HANDLED | SCR_REDRAW;
		if (strcmp(t->status, "valid") != 0) {
			app_status(app, true, "ticket #%lld is void: nothing to reissue", t->id);
			return SCR_HANDLED | SCR_REDRAW;
		}
		s->reissue.ticket = t->id;
		s->reissue.seen_issue = (int)t->issue;
		snprintf(s->reissue.about, sizeof s->reissue.about, "%.100s, %.200s", t->type,
			 s->people[s->people_cursor.selected].name);
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_BADGE) {
		if ((t = shown_ticket(app, s)))
			return badge_job_start(app, &s->badge, t->id);
		return SCR_HANDLED | SCR_REDRAW;
	}

	if (action == ACT_PREV || action == ACT_NEXT) {
		if (s->tickets.count > 0)
			s->ticket = (s->ticket + (action == ACT_NEXT ? 1 : s->tickets.count - 1)) % s->tickets.count;
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_UP || action == ACT_DOWN) {
		list_cursor_move(&s->people_cursor, action, PEOPLE_MAX);
		s->ticket = 0;
		if (selected_person(s) != s->shown_person && !s->search_due && !s->people_mark.loading) {
			db_cancel_owner(app_db(app), s); /* the tickets of whom was selected before */
			load_tickets(app, s);
		}
		return SCR_HANDLED | SCR_REDRAW;
	}
	r = form_key(&s->form, ACT_NONE, key);
	if (r & FORM_CHANGED) {
		s->people_cursor.selected = 0;
		s->ticket = 0;
		search_soon(app, s);
		return SCR_HANDLED | SCR_REDRAW;
	}
	return r ? SCR_HANDLED | SCR_REDRAW : SCR_IGNORED;
}

/* A change to tickets or orders: search again shortly (a burst of
 * changes costs one read). */
static int mytickets_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	struct mytickets_state *s = state;
	(void)payload;
	if (strcmp(channel, "boxoffice_tickets") != 0 && strcmp(channel, "boxoffice_orders") != 0)
		return SCR_IGNORED;
	if (!s->search_due) {
		s->search_due = db_now_ms() + DEBOUNCE_MS;
		app_wake_in(app, DEBOUNCE_MS);
	}
	return SCR_HANDLED;
}

/* The reissue is its own owner: the framework cancels only the state's. */
static void mytickets_done(struct app *app, void *state)
{
	db_cancel_owner(app_db(app), &((struct mytickets_state *)state)->reissue);
	badge_job_done(&((struct mytickets_state *)state)->badge);
}

/* While F8 asks, the key bar and the help show y, n and Esc. */
static const char *mytickets_keys(void *state)
{
	return ((struct mytickets_state *)state)->reissue.ticket ? KEYS_ASK : NULL;
}

/* F8 and F9 are in the key bar only while a ticket is shown. */
static bool mytickets_acts(void *state, enum action action)
{
	const struct mytickets_state *s = state;

	if (action == ACT_REISSUE || action == ACT_BADGE)
		return s->tickets.count > 0 && s->shown_person == selected_person(s);
	return true;
}

/* The reissue on its way: closing would cancel it. */
static const char *mytickets_writing(void *state)
{
	return ((struct mytickets_state *)state)->reissue.sending ? "reissuing a ticket" : NULL;
}

const struct screen_ops mytickets_screen = {
	.name = "mytickets",
	.needs = "clerk",
	.title = "My Tickets",
	.state_size = sizeof(struct mytickets_state),
	.init = mytickets_init,
	.query = mytickets_query,
	.draw = mytickets_draw,
	.on_key = mytickets_key,
	.on_notify = mytickets_notify,
	.on_tick = mytickets_tick,
	.done = mytickets_done,
	.keys = mytickets_keys,
	.acts = mytickets_acts,
	.writing = mytickets_writing,
};

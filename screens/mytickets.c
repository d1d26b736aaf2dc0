/* My Tickets: find a person of the event by name or e-mail and see their
 * tickets, statuses and check-ins, with the selected ticket's QR drawn in
 * half blocks, big enough for a phone to scan from the screen. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "../src/app/form.h"
#include "../src/app/theme.h"
#include "../src/core/token.h"
#include "../src/db/checkin.h"
#include "../src/db/tickets.h"
#include "screen.h"

#define PEOPLE_MAX 8
#define TICKETS_MAX 16

struct my_ticket {
	long long id;
	char type[101], status[8], order_status[16], token[TOKEN_MAX + 8];
	long long scans;
	char last_scan[64];
};

struct mytickets_state {
	struct form_field find;
	struct form form;
	struct {
		long long id;
		char name[201], email[255], company[201];
	} people[PEOPLE_MAX];
	struct list_cursor people_cursor;
	struct my_ticket tickets[TICKETS_MAX];
	int ntickets, ticket;
	long long shown_person;
};

static void load_tickets(struct app *app, struct mytickets_state *s)
{
	long long person = s->people_cursor.count ? s->people[s->people_cursor.selected].id : 0;
	PGresult *res;

	s->ntickets = 0;
	s->shown_person = person;
	if (!person)
		return;
	if (!(res = db_tickets_of_person(app_db(app), person)))
		return;
	for (int i = 0; i < PQntuples(res) && s->ntickets < TICKETS_MAX; i++) {
		struct my_ticket *t = &s->tickets[s->ntickets++];
		t->id = db_int(res, i, TK_ID);
		snprintf(t->type, sizeof t->type, "%s", db_text(res, i, TK_TYPE));
		snprintf(t->status, sizeof t->status, "%s", db_text(res, i, TK_STATUS));
		snprintf(t->order_status, sizeof t->order_status, "%s", db_text(res, i, TK_ORDER_STATUS));
		if (!db_ticket_token(app_db(app), res, i, t->token, sizeof t->token))
			t->token[0] = '\0';
		if (!db_ticket_scan_summary(app_db(app), t->id, &t->scans, t->last_scan, sizeof t->last_scan)) {
			t->scans = 0;
			t->last_scan[0] = '\0';
		}
	}
	PQclear(res);
	if (s->ticket >= s->ntickets)
		s->ticket = 0;
}

static void mytickets_query(struct app *app, void *state)
{
	struct mytickets_state *s = state;
	PGresult *res;

	s->people_cursor.count = 0;
	if (strlen(s->find.text) >= 2 && (res = db_person_search(app_db(app), app_event_id(app), s->find.text, PEOPLE_MAX))) {
		for (int i = 0; i < PQntuples(res); i++) {
			s->people[i].id = db_int(res, i, 0);
			snprintf(s->people[i].name, sizeof s->people[i].name, "%s", db_text(res, i, 1));
			snprintf(s->people[i].email, sizeof s->people[i].email, "%s", db_text(res, i, 2));
			snprintf(s->people[i].company, sizeof s->people[i].company, "%s", db_text(res, i, 3));
		}
		s->people_cursor.count = PQntuples(res);
		PQclear(res);
	}
	list_cursor_fit(&s->people_cursor, PEOPLE_MAX);
	load_tickets(app, s);
}

static void mytickets_init(struct app *app, void *state, const struct screen_arg *arg)
{
	struct mytickets_state *s = state;
	(void)app;
	s->find = (struct form_field){ .label = "Find", .kind = FIELD_TEXT, .max_chars = 200 };
	s->form = (struct form){ &s->find, 1, 0 };
}

static void mytickets_draw(struct app *app, void *state, struct rect a)
{
	struct mytickets_state *s = state;
	int left_w = a.w >= 84 ? a.w - 44 : a.w, y = a.y;
	(void)app;

	form_draw_field(&s->form, 0, y, a.x + 2, 6, left_w - 4 < 50 ? left_w - 4 : 50, true);
	y += 2;
	if (s->people_cursor.count == 0)
		draw_text(y, a.x + 2, left_w - 4,
			  strlen(s->find.text) < 2 ? "Type a name or e-mail (2 letters or more)." : "Nobody found.",
			  theme_attr(C_DIM));
	for (int i = 0; i < s->people_cursor.count; i++) {
		char line[700];
		unsigned attr = i == s->people_cursor.selected ? theme_attr(C_SELECTED) : A_NORMAL;
		snprintf(line, sizeof line, "%s <%s> %s", s->people[i].name, s->people[i].email, s->people[i].company);
		draw_fill(y + i, a.x + 1, left_w - 2, attr);
		draw_text(y + i, a.x + 2, left_w - 4, line, attr);
	}
	y += (s->people_cursor.count > 0 ? s->people_cursor.count : 1) + 1;
	if (s->ntickets > 0)
		draw_text(y++, a.x + 2, left_w - 4, "Tickets (←/→ choose the one to show):", A_BOLD);
	for (int i = 0; i < s->ntickets && y < a.y + a.h; i++) {
		const struct my_ticket *t = &s->tickets[i];
		char line[256];
		unsigned attr = i == s->ticket ? A_BOLD | A_REVERSE : A_NORMAL;
		snprintf(line, sizeof line, "#%lld %s · %s · order %s · %s", t->id, t->type,
			 strcmp(t->status, "valid") == 0 ? "valid" : "VOID", t->order_status,
			 t->scans ? t->last_scan : "not checked in");
		draw_text(y++, a.x + 2, left_w - 4, line, attr);
	}
	/* The QR of the chosen ticket, to the right (or below on narrow screens). */
	if (s->ntickets > 0 && strcmp(s->tickets[s->ticket].status, "valid") == 0 && s->tickets[s->ticket].token[0]) {
		int qx = left_w < a.w ? a.x + left_w : a.x + 2, qy = left_w < a.w ? a.y : y + 1;
		if (!draw_qr(qy, qx, a.y + a.h - qy, a.w - (qx - a.x), s->tickets[s->ticket].token))
			draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, "Enlarge the terminal to show the QR.", theme_attr(C_DIM));
	}
}

static int mytickets_key(struct app *app, void *state, enum action action, int key)
{
	struct mytickets_state *s = state;
	int r;

	if (action == ACT_PREV || action == ACT_NEXT) {
		if (s->ntickets > 0)
			s->ticket = (s->ticket + (action == ACT_NEXT ? 1 : s->ntickets - 1)) % s->ntickets;
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_UP || action == ACT_DOWN) {
		list_cursor_move(&s->people_cursor, action, PEOPLE_MAX);
		s->ticket = 0;
		load_tickets(app, s);
		return SCR_HANDLED | SCR_REDRAW;
	}
	r = form_key(&s->form, ACT_NONE, key);
	if (r & FORM_CHANGED) {
		s->people_cursor.selected = 0;
		s->ticket = 0;
		return SCR_HANDLED | SCR_REQUERY;
	}
	return r ? SCR_HANDLED | SCR_REDRAW : SCR_IGNORED;
}

static int mytickets_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	(void)app;
	(void)state;
	(void)payload;
	return strcmp(channel, "boxoffice_tickets") == 0 || strcmp(channel, "boxoffice_orders") == 0
		       ? SCR_REQUERY : SCR_IGNORED;
}

const struct screen_ops mytickets_screen = {
	.name = "mytickets",
	.title = "My Tickets",
	.state_size = sizeof(struct mytickets_state),
	.init = mytickets_init,
	.query = mytickets_query,
	.draw = mytickets_draw,
	.on_key = mytickets_key,
	.on_notify = mytickets_notify,
};

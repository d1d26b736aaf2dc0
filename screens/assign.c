/* Person assignment: the tickets of one order, and a form to give the
 * selected one to a person of the event: type a name or e-mail, F3 picks
 * from the people already known (search as you type), Enter assigns and
 * moves on to the next ticket. The holder need not be the buyer. */
#include <curses.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>
#include <sys/stat.h>

#include "../src/app/bulk.h"
#include "../src/app/form.h"
#include "../src/app/theme.h"
#include "../src/core/money.h"
#include "../src/core/util.h"
#include "../src/core/validate.h"
#include "../src/db/tickets.h"
#include "screen.h"

/* Every ticket of the order, allocated as read (a company order of 500
 * showed its first 200 and no way to the rest); an order line takes up
 * to 10,000, and past this many the title says only the first are listed. */
#define TICKETS_MAX 10000
#define MATCHES_MAX 6

enum { A_NAME, A_EMAIL, A_COMPANY, A_COUNT };

struct ticket_row {
	long long id;
	char type[UTF8_BUF(TYPE_NAME_MAX_CHARS)], status[8], holder[UTF8_BUF(NAME_MAX_CHARS)],
		email[UTF8_BUF(EMAIL_MAX_CHARS)];
	int issue;
};

struct assign_state {
	long long order_id; /* what the screen was opened on */
	struct ticket_row *tickets; /* cursor.count of them, allocated for tickets_cap */
	int tickets_cap, tickets_total; /* total: the order's, more than count when cut at TICKETS_MAX */
	struct list_cursor cursor;
	struct form_field fields[A_COUNT];
	struct form form;
	struct {
		char name[201], email[255], company[201];
		long long tickets;
	} matches[MATCHES_MAX];
	int nmatches, picked;
	/* the reads out: the list under &cursor, the search under &matches
	 * (owners apart from the assignment's, which is under the state) */
	struct read_mark list_mark, search_mark;
	/* a refused assignment that Enter again confirms (reassign, rename) */
	struct {
		long long ticket;
		unsigned flags;
		char what[3 * FIELD_TEXT_MAX];
	} confirm;
	char message[1100];
	/* the last assignment done, said "Ticket #N → NAME (tail)" at draw
	 * time: the name gives way to the width, not the number or the tail */
	struct {
		long long ticket;
		char name[FIELD_TEXT_MAX], tail[100];
	} done;
	char conflict[600]; /* what the confirm is about, on the line above it */
	bool error;
	bool discarding;      /* Esc or F2 with a person typed: "Discard this assignment? y/n" */
	bool discard_to_menu; /* asked by F2: y goes on to the menu */
	/* F8 asked "Unassign #N (Name)? …": about this ticket, as listed then */
	struct {
		long long ticket;
		int issue; /* as listed: another station's change since is refused */
		char holder[201];
	} unassign;
	/* bulk: a CSV file's rows, checked (dry run) before anything changes */
	enum { BULK_OFF, BULK_PATH, BULK_PREVIEW } bulk;
	struct form_field path;
	struct form path_form;
	char *bulk_data;
	size_t bulk_len;
	char preview[12][200];
	int npreview, bulk_rows, bulk_errors;
	/* the assignment out and not answered yet, one at a time */
	struct app *app;
	bool assigning;
	bool unassigning; /* the write out is F8's */
	struct {
		long long ticket;
		unsigned flags;
		char name[FIELD_TEXT_MAX], what[3 * FIELD_TEXT_MAX];
	} out;
	struct badge_job badge; /* F9's, made by a child */
};

static void matches_answer(struct db *db, const PGresult *res, void *ctx)
{
	struct assign_state *s = ctx;

	read_mark_answer(&s->search_mark, db, res != NULL);
	for (int i = 0; res && i < PQntuples(res) && i < MATCHES_MAX; i++) {
		snprintf(s->matches[i].name, sizeof s->matches[i].name, "%s", db_text(res, i, 1));
		snprintf(s->matches[i].email, sizeof s->matches[i].email, "%s", db_text(res, i, 2));
		snprintf(s->matches[i].company, sizeof s->matches[i].company, "%s", db_text(res, i, 3));
		s->matches[i].tickets = db_int(res, i, 4);
		s->nmatches++;
	}
}

/* Searches what is typed; a newer search supersedes the one out. */
static void find_matches(struct app *app, struct assign_state *s)
{
	const char *text = s->form.focus == A_EMAIL ? s->fields[A_EMAIL].text : s->fields[A_NAME].text;

	db_cancel_owner(app_db(app), &s->matches);
	s->nmatches = 0;
	s->picked = -1;
	s->search_mark.loading = false;
	s->search_mark.error[0] = '\0';
	if (strlen(text) < 2 || !app_online(app))
		return;
	read_mark_sent(&s->search_mark, app,
		       db_person_search_submit(app_db(app), &s->matches, app_event_id(app), text, MATCHES_MAX,
					       matches_answer, s));
}

static void assign_init(struct app *app, void *state, const struct screen_arg *arg)
{
	struct assign_state *s = state;
	(void)app;
	s->order_id = arg ? arg->id : 0;
	s->fields[A_NAME] = (struct form_field){ .label = "Name", .kind = FIELD_TEXT, .max_chars = 200 };
	s->fields[A_EMAIL] = (struct form_field){ .label = "E-mail", .kind = FIELD_TEXT, .max_chars = 254 };
	s->fields[A_COMPANY] = (struct form_field){ .label = "Company", .kind = FIELD_TEXT, .max_chars = 200 };
	s->form = (struct form){ s->fields, A_COUNT, A_NAME };
	s->picked = -1;
	s->path = (struct form_field){ .label = "File", .kind = FIELD_TEXT, .max_chars = 250 };
	s->path_form = (struct form){ &s->path, 1, 0 };
}

static void tickets_answer(struct db *db, const PGresult *res, void *ctx)
{
	struct assign_state *s = ctx;

	read_mark_answer(&s->list_mark, db, res != NULL);
	if (!res)
		return;
	s->tickets_total = PQntuples(res);
	s->cursor.count = s->tickets_total < TICKETS_MAX ? s->tickets_total : TICKETS_MAX;
	if (s->cursor.count > s->tickets_cap) {
		s->tickets = xrealloc(s->tickets, (size_t)s->cursor.count * sizeof s->tickets[0]);
		s->tickets_cap = s->cursor.count;
	}
	for (int i = 0; i < s->cursor.count; i++) {
		struct ticket_row *t = &s->tickets[i];
		t->id = db_int(res, i, TK_ID);
		t->issue = (int)db_int(res, i, TK_ISSUE);
		snprintf(t->type, sizeof t->type, "%s", db_text(res, i, TK_TYPE));
		snprintf(t->status, sizeof t->status, "%s", db_text(res, i, TK_STATUS));
		snprintf(t->holder, sizeof t->holder, "%s", db_text(res, i, TK_PERSON));
		snprintf(t->email, sizeof t->email, "%s", db_text(res, i, TK_EMAIL));
	}
	list_cursor_fit(&s->cursor, s->cursor.visible);
}

static void assign_query(struct app *app, void *state)
{
	struct assign_state *s = state;

	db_cancel_owner(app_db(app), &s->cursor); /* a newer read supersedes */
	s->list_mark.loading = false;
	read_mark_sent(&s->list_mark, app,
		       db_tickets_of_order_submit(app_db(app), &s->cursor, s->order_id, tickets_answer, s));
}

static void assign_draw(struct app *app, void *state, struct rect a)
{
	struct assign_state *s = state;
	static const struct column cols[] = { { "TICKET", 8, true, 0, 0 }, { "TYPE", 12, false, 0, 0 },
					      { "STATUS", 6, false, 2, 0 }, { "ISSUE", 5, true, 1, 0 },
					      { "HOLDER", 0, false, 0, 16 } };
	char title[800], enter[16], esc[16], buf[600], short_of[120] = "";
	const char *mark = read_mark_text(app, &s->list_mark, buf, sizeof buf);
	bool stale = read_mark_stale(app, &s->list_mark);
	const char *text = s->form.focus == A_EMAIL ? s->fields[A_EMAIL].text : s->fields[A_NAME].text;
	char sbuf[600];
	const char *smark = strlen(text) >= 2 ? read_mark_text(app, &s->search_mark, sbuf, sizeof sbuf) : NULL;
	int xs[5], ws[5], shown, list_h = a.h - 9 - (s->nmatches ? s->nmatches + 1 : smark ? 1 : 0), y;

	if (list_h < 3)
		list_h = 3;
	if (s->tickets_total > s->cursor.count) {
		char first[32], of[32];
		count_format_fit(first, sizeof first, s->cursor.count, 20);
		count_format_fit(of, sizeof of, s->tickets_total, 20);
		snprintf(short_of, sizeof short_of, " — showing the first %s of %s", first, of);
	}
	snprintf(title, sizeof title, "Tickets of order #%lld%s%s%s", s->order_id, short_of, mark ? " — " : "",
		 mark ? mark : "");
	draw_text(a.y, a.x + 2, a.w - 4, title, stale ? theme_attr(C_OFFLINE) : theme_attr(C_TITLE));
	shown = draw_columns(a.y + 1, a.x + 1, a.w - 2, cols, 5, xs, ws, theme_attr(C_TITLE) | A_UNDERLINE);
	list_cursor_fit(&s->cursor, list_h - 2);
	if (s->cursor.count == 0)
		draw_text(a.y + 2, a.x + 2, a.w - 4,
			  !mark ? "No tickets: they come when the order is settled."
			  : stale ? "Tickets not read: the database is unavailable." : "Reading the tickets…",
			  theme_attr(C_DIM));
	for (int i = 0; i < list_h - 2 && s->cursor.top + i < s->cursor.count; i++) {
		const struct ticket_row *t = &s->tickets[s->cursor.top + i];
		unsigned attr = s->cursor.top + i == s->cursor.selected ? theme_attr(C_SELECTED)
				: stale ? theme_attr(C_DIM) : A_NORMAL;
		char id[24], issue[12], holder[sizeof t->holder + sizeof t->email + 4], cut[480];
		const char *cells[5] = { id, t->type, t->status, issue, holder };
		snprintf(id, sizeof id, "%lld", t->id);
		snprintf(issue, sizeof issue, "%d", t->issue);
		snprintf(holder, sizeof holder, "%s%s%s%s", t->holder[0] ? t->holder : "(not assigned)",
			 t->email[0] ? " <" : "", t->email, t->email[0] ? ">" : "");
		draw_fill(a.y + 2 + i, a.x, a.w, attr);
		for (int c = 0; c < shown; c++) {
			/* a name or type cut shows it was cut */
			text_ellipsis(cut, sizeof cut, cells[c], ws[c]);
			if (cols[c].right)
				draw_text_right(a.y + 2 + i, xs[c], ws[c], cut, attr);
			else
				draw_text(a.y + 2 + i, xs[c], ws[c], cut, attr);
		}
	}
	y = a.y + list_h + 1;
	key_hint("assign", ACT_SUBMIT, enter, sizeof enter);
	key_hint("modal", ACT_BACK, esc, sizeof esc);
	if (s->bulk == BULK_PATH) {
		char line[200];
		snprintf(line, sizeof line, "Bulk: a CSV file of name,e-mail[,company] rows (%s reads it, %s cancels)", enter,
			 esc);
		draw_text(y++, a.x + 2, a.w - 4, line, A_BOLD);
		form_draw_field(&s->path_form, 0, y++, a.x + 2, 6, a.w - 4, true);
		/* why the path typed was not read, under it, to be corrected */
		if (s->message[0])
			draw_wrapped(y + 1, a.x + 2, a.w - 4, a.y + a.h - y - 1 < 3 ? a.y + a.h - y - 1 : 3, s->message,
				     theme_attr(s->error ? C_STATUS_ERR : C_STATUS_OK));
		return;
	}
	if (s->bulk == BULK_PREVIEW) {
		char line[200], what[80];
		if (s->bulk_errors)
			snprintf(what, sizeof what, "fix the file; %s closes", esc);
		else
			snprintf(what, sizeof what, "%s assigns them all, %s cancels", enter, esc);
		snprintf(line, sizeof line, "Preview: %d rows, %d with errors — %s", s->bulk_rows, s->bulk_errors, what);
		draw_text(y++, a.x + 2, a.w - 4, line, s->bulk_errors ? theme_attr(C_STATUS_ERR) : A_BOLD);
		for (int i = 0; i < s->npreview && y < a.y + a.h; i++)
			draw_text(y++, a.x + 2, a.w - 4, s->preview[i], A_NORMAL);
		return;
	}
	draw_text(y++, a.x + 2, a.w - 4, "Assign the selected ticket to:", A_BOLD);
	for (int i = 0; i < A_COUNT; i++)
		form_draw_field(&s->form, i, y++, a.x + 2, 10, a.w - 4 < 70 ? a.w - 4 : 70,
				!s->discarding && !s->unassign.ticket);
	if (!s->nmatches && smark) {
		char line[700];
		snprintf(line, sizeof line, "Known people: %s", smark);
		draw_text(y++, a.x + 2, a.w - 4, line, theme_attr(C_DIM));
	}
	if (s->nmatches) {
		draw_text(y++, a.x + 2, a.w - 4, "Known people (F3 picks the next):", theme_attr(C_DIM));
		for (int i = 0; i < s->nmatches; i++) {
			char line[1200], name[260], company[260], count[40], out[1200];
			int room, nw = draw_text_width(s->matches[i].name), cw = draw_text_width(s->matches[i].company);
			/* the e-mail tells two people apart and stays whole; the
			 * name and the company give way, the company first (to a
			 * third of the room) */
			snprintf(count, sizeof count, " · %lld ticket(s)", s->matches[i].tickets);
			room = a.w - 4 - 2 - (draw_text_width(s->matches[i].email) + 3) - draw_text_width(count);
			if (cw && nw + cw + 1 > room) {
				int keep = room - nw - 1 > room / 3 ? room - nw - 1 : room / 3;
				cw = keep < cw ? keep : cw;
			}
			nw = room - (cw ? cw + 1 : 0);
			text_ellipsis(name, sizeof name, s->matches[i].name, nw < 12 ? 12 : nw);
			text_ellipsis(company, sizeof company, s->matches[i].company, cw < 2 ? 0 : cw);
			snprintf(line, sizeof line, "%s %s <%s>%s%s%s", i == s->picked ? "▶" : " ", name, s->matches[i].email,
				 company[0] ? " " : "", company, count);
			text_ellipsis(out, sizeof out, line, a.w - 4);
			draw_text(y++, a.x + 2, a.w - 4, out, i == s->picked ? A_BOLD : A_NORMAL);
		}
	}
	if (s->discarding) {
		/* the last two lines: above the key bar, over any message */
		draw_text(a.y + a.h - 2, a.x + 2, a.w - 4, "Discard this assignment? y/n", theme_attr(C_SELECTED) | A_BOLD);
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4,
			  s->discard_to_menu ? "y: discard, open the menu   n or Esc: keep it"
					     : "y: discard and close   n or Esc: keep it",
			  theme_attr(C_DIM));
		return;
	}
	if (s->unassign.ticket) {
		/* as the discard: the question, then what y and n do; the name
		 * gives way, never the number or the y/n */
		char before[40], name[sizeof s->unassign.holder + 8], line[sizeof name + 120];
		const char *after = ")? Its QR stops working. y/n";
		int room;
		snprintf(before, sizeof before, "Unassign #%lld (", s->unassign.ticket);
		room = a.w - 4 - draw_text_width(before) - draw_text_width(after);
		text_ellipsis(name, sizeof name, s->unassign.holder, room < 4 ? 4 : room);
		snprintf(line, sizeof line, "%s%s%s", before, name, after);
		draw_fill(a.y + a.h - 2, a.x, a.w, A_NORMAL);
		draw_fill(a.y + a.h - 1, a.x, a.w, A_NORMAL);
		draw_text(a.y + a.h - 2, a.x + 2, a.w - 4, line, theme_attr(C_SELECTED) | A_BOLD);
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, "y: unassign (the badge stops working)   n or Esc: keep it",
			  theme_attr(C_DIM));
		return;
	}
	if (s->confirm.ticket && s->conflict[0]) {
		char conflict[sizeof s->conflict + 8];
		text_ellipsis(conflict, sizeof conflict, s->conflict, a.w - 4);
		draw_text(a.y + a.h - 2, a.x + 2, a.w - 4, conflict, theme_attr(C_STATUS_ERR));
	}
	if (s->message[0] || s->done.ticket) {
		char line[sizeof s->message], name[FIELD_TEXT_MAX + 8];
		if (s->message[0]) {
			text_ellipsis(line, sizeof line, s->message, a.w - 4);
		} else {
			int room;
			snprintf(line, sizeof line, "Ticket #%lld → ", s->done.ticket);
			room = a.w - 4 - draw_text_width(line) - draw_text_width(s->done.tail);
			text_ellipsis(name, sizeof name, s->done.name, room < 8 ? 8 : room);
			snprintf(line + strlen(line), sizeof line - strlen(line), "%s%s", name, s->done.tail);
		}
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, line, theme_attr(s->error ? C_STATUS_ERR : C_STATUS_OK));
	}
}

static void assign_query(struct app *app, void *state);

/* The answer: done (the form clears for the next ticket), a refusal that
 * Enter again may confirm, or a link that failed before the answer came. */
static void assigned(struct db *db, json_t *doc, void *ctx)
{
	struct assign_state *s = ctx;
	unsigned need, flags = s->out.flags;

	s->assigning = false;
	s->error = true;
	if (!doc) {
		need = db_ticket_assign_needs(db);
		if (need && !(flags & need)) {
			s->confirm.ticket = s->out.ticket;
			s->confirm.flags = flags | need;
			snprintf(s->confirm.what, sizeof s->confirm.what, "%s", s->out.what);
			/* who it is about on its own line, the choice under it:
			 * neither is cut at 80 columns */
			snprintf(s->conflict, sizeof s->conflict, "%s", db->err);
			snprintf(s->message, sizeof s->message, "%s — or change the form.",
				 need == ASSIGN_REASSIGN ? "Enter again MOVES the ticket to this person"
							 : "Enter again RENAMES that person everywhere");
		} else if (db_answer_lost(db)) {
			s->confirm.ticket = 0;
			snprintf(s->message, sizeof s->message,
				 "Ticket #%lld: not confirmed — check the ticket list (%s)", s->out.ticket, db->err);
		} else {
			s->confirm.ticket = 0;
			snprintf(s->message, sizeof s->message, "Not assigned: %s", db->err);
		}
		return;
	}
	s->confirm.ticket = 0;
	s->error = false;
	s->message[0] = '\0'; /* the draw says it, from s->done */
	s->done.ticket = s->out.ticket;
	snprintf(s->done.name, sizeof s->done.name, "%s", s->out.name);
	snprintf(s->done.tail, sizeof s->done.tail, "%s%s", flags & ASSIGN_RENAME ? " (person renamed)" : "",
		 json_is_true(json_object_get(doc, "reissued")) ? " (reissued: the old QR no longer works)" : "");
	/* Ready for the next ticket. */
	for (int i = 0; i < A_COUNT; i++)
		s->fields[i].text[0] = '\0';
	s->form.focus = A_NAME;
	s->nmatches = 0;
	if (s->cursor.count > 0 && s->tickets[s->cursor.selected].id == s->out.ticket &&
	    s->cursor.selected < s->cursor.count - 1)
		s->cursor.selected++;
	assign_query(s->app, s);
}

/* Why a ticket key finds no ticket: the list is still being read, could
 * not be read, or the order has none (not settled). */
static void no_ticket_why(struct app *app, const struct assign_state *s, const char *what, char *buf, size_t size)
{
	if (read_mark_stale(app, &s->list_mark))
		snprintf(buf, size, "No ticket %s: the tickets of order #%lld were not read (%s).", what, s->order_id,
			 app_online(app) ? s->list_mark.error : "offline");
	else if (s->list_mark.loading)
		snprintf(buf, size, "No ticket %s yet: the tickets of order #%lld are still being read.", what,
			 s->order_id);
	else
		snprintf(buf, size, "No ticket %s: order #%lld has none until it is settled.", what, s->order_id);
}

/* F8 or F9 before there is a ticket to act on: said, not silent. */
static int no_ticket_yet(struct app *app, const struct assign_state *s, const char *what)
{
	char why[700];

	no_ticket_why(app, s, what, why, sizeof why);
	app_status(app, true, "%s", why);
	return SCR_HANDLED | SCR_REDRAW;
}

static int assign_submit(struct app *app, struct assign_state *s)
{
	const struct ticket_row *t;
	const char *why, *field, *name = s->fields[A_NAME].text, *email = s->fields[A_EMAIL].text,
			       *company = s->fields[A_COMPANY].text;
	char what[sizeof s->confirm.what];
	unsigned flags = 0;

	if (s->assigning) {
		snprintf(s->message, sizeof s->message, "still assigning ticket #%lld — wait for the answer",
			 s->out.ticket);
		return SCR_HANDLED | SCR_REDRAW;
	}
	s->error = true;
	if (s->cursor.count == 0) {
		/* Enter did nothing, unsaid: the order has no tickets yet */
		no_ticket_why(app, s, "to assign", s->message, sizeof s->message);
		return SCR_HANDLED | SCR_REDRAW;
	}
	t = &s->tickets[s->cursor.selected];
	if ((why = validate_person(name, strlen(name), email, strlen(email), company, strlen(company), &field))) {
		snprintf(s->message, sizeof s->message, "%s %s.", field[0] == 'n' ? "Name" : field[0] == 'e' ? "E-mail" : "Company",
			 why);
		s->form.focus = field[0] == 'n' ? A_NAME : field[0] == 'e' ? A_EMAIL : A_COMPANY;
		return SCR_HANDLED | SCR_REDRAW;
	}
	/* Enter again on the same ticket with the same person confirms. */
	snprintf(what, sizeof what, "%s\x1f%s\x1f%s", name, email, company);
	if (s->confirm.ticket == t->id && strcmp(s->confirm.what, what) == 0)
		flags = s->confirm.flags;
	if (!db_ticket_assign_submit(app_db(app), s, t->id, name, email, company,
				     flags & ASSIGN_REASSIGN ? "reassigned at the desk" : "assigned at the desk", flags,
				     assigned, s)) {
		snprintf(s->message, sizeof s->message, "Not assigned: %s", app_db(app)->err);
		return SCR_HANDLED | SCR_REDRAW;
	}
	s->app = app;
	s->assigning = true;
	s->error = false;
	s->out.ticket = t->id;
	s->out.flags = flags;
	snprintf(s->out.name, sizeof s->out.name, "%s", name);
	snprintf(s->out.what, sizeof s->out.what, "%s", what);
	snprintf(s->message, sizeof s->message, "assigning ticket #%lld…", t->id);
	return SCR_HANDLED | SCR_REDRAW;
}

static void bulk_close(struct assign_state *s)
{
	free(s->bulk_data);
	s->bulk_data = NULL;
	s->bulk = BULK_OFF;
}

/* A file the prompt was not able to use: the prompt stays, with the path
 * as typed, to be corrected (it was cleared and closed). */
static void bulk_refuse(struct assign_state *s)
{
	free(s->bulk_data);
	s->bulk_data = NULL;
	s->error = true;
	s->bulk = BULK_PATH;
}

/* Reads the file and checks every row without changing anything. */
static void bulk_preview(struct app *app, struct assign_state *s)
{
	struct bulk_result res;
	char err[600], path[FIELD_TEXT_MAX + 512];
	const char *home = getenv("HOME");
	struct stat st;
	size_t i;
	json_t *row;

	s->npreview = 0;
	/* ~/ as a shell would; "-" is the CLI's stdin, here the terminal
	 * itself; a FIFO or device would block the station on open */
	if (strncmp(s->path.text, "~/", 2) == 0 && home && *home)
		snprintf(path, sizeof path, "%s%s", home, s->path.text + 1);
	else
		snprintf(path, sizeof path, "%s", s->path.text);
	if (!s->path.text[0] || strcmp(s->path.text, "-") == 0) {
		char esc[16];
		snprintf(s->message, sizeof s->message, "Type the CSV file's path (%s cancels).",
			 key_hint("modal", ACT_BACK, esc, sizeof esc));
		bulk_refuse(s);
		return;
	}
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		snprintf(s->message, sizeof s->message, "Nothing assigned: %.500s is not a file — correct the path.",
			 s->path.text);
		bulk_refuse(s);
		return;
	}
	if (bulk_read(path, &s->bulk_data, &s->bulk_len, err, sizeof err) != BULK_READ_OK) {
		snprintf(s->message, sizeof s->message, "Nothing assigned: %.500s — correct the path.", err);
		bulk_refuse(s);
		return;
	}
	if (bulk_assign(app_db(app), s->order_id, s->bulk_data ? s->bulk_data : "", s->bulk_len, BULK_DRY, &res) < 0) {
		snprintf(s->message, sizeof s->message, "Not checked: %s", app_db(app)->err);
		json_decref(res.preview);
		bulk_refuse(s);
		return;
	}
	if (res.refused) {
		snprintf(s->message, sizeof s->message, "Nothing assigned: %s.", res.refused);
		json_decref(res.preview);
		bulk_refuse(s);
		return;
	}
	s->message[0] = '\0';
	s->error = false;
	s->bulk_rows = res.rows;
	s->bulk_errors = res.errors;
	/* rows with errors first: they are what needs fixing */
	for (int pass = 0; pass < 2; pass++)
		json_array_foreach(res.preview, i, row) {
			const char *err_text = json_string_value(json_object_get(row, "error"));
			if (s->npreview == 12 || (pass == 0) != (err_text != NULL))
				continue;
			snprintf(s->preview[s->npreview++], sizeof s->preview[0], "%3lld  %-24.24s %-28.28s %s",
				 (long long)json_integer_value(json_object_get(row, "row")),
				 json_string_value(json_object_get(row, "name")),
				 json_string_value(json_object_get(row, "email")), err_text ? err_text : "ok");
		}
	json_decref(res.preview);
	s->bulk = BULK_PREVIEW;
}

/* The first row's reason, for the status line. */
static const char *bulk_first_error(const struct bulk_result *res)
{
	size_t i;
	json_t *row;
	json_array_foreach(res->preview, i, row)
		if (json_object_get(row, "error"))
			return json_string_value(json_object_get(row, "error"));
	return res->refused ? res->refused : "a row failed";
}

static int bulk_key(struct app *app, struct assign_state *s, enum action action, int key)
{
	enum action m = keymap_modal(key);
	if (m == ACT_BACK) {
		if (s->bulk == BULK_PATH)
			s->message[0] = '\0'; /* about a path given up */
		bulk_close(s);
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (m == ACT_HELP || m == ACT_MENU || m == ACT_QUIT || action == ACT_REFRESH)
		return SCR_IGNORED; /* the keys that work everywhere (F5 re-reads the list) */
	if (s->bulk == BULK_PATH) {
		if (action == ACT_SUBMIT)
			bulk_preview(app, s);
		else if (form_key(&s->path_form, ACT_NONE, key) & FORM_CHANGED)
			s->message[0] = '\0'; /* it was about the path before */
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_SUBMIT && !s->bulk_errors) {
		struct bulk_result res;
		int rc = bulk_assign(app_db(app), s->order_id, s->bulk_data, s->bulk_len, 0, &res);
		if (rc == 0 && res.assigned) {
			snprintf(s->message, sizeof s->message, "Assigned %d tickets from %s.", res.rows, s->path.text);
			s->error = false;
			s->path.text[0] = '\0'; /* done: the next file starts afresh */
		} else {
			/* something changed since the preview (another station) */
			snprintf(s->message, sizeof s->message, "Nothing assigned: %s",
				 rc < 0 ? app_db(app)->err : bulk_first_error(&res));
			s->error = true;
		}
		json_decref(res.preview);
		bulk_close(s);
		return SCR_HANDLED | SCR_REQUERY;
	}
	return SCR_HANDLED;
}

/* A person typed (or picked) and not assigned yet. */
static bool assign_touched(const struct assign_state *s)
{
	for (int i = 0; i < A_COUNT; i++)
		if (s->fields[i].text[0])
			return true;
	return false;
}

/* F8's answer: the list is read again either way (the ticket may have
 * changed elsewhere). */
static void unassigned(struct db *db, json_t *doc, void *ctx)
{
	struct assign_state *s = ctx;

	s->assigning = s->unassigning = false;
	s->error = !doc;
	if (!doc && db_answer_lost(db))
		snprintf(s->message, sizeof s->message,
			 "Ticket #%lld: unassign not confirmed — check the ticket list once online (%.300s)", s->out.ticket,
			 db->err);
	else if (!doc)
		snprintf(s->message, sizeof s->message, "Ticket #%lld not unassigned: %.400s", s->out.ticket, db->err);
	else
		snprintf(s->message, sizeof s->message, "Ticket #%lld unassigned; its old QR no longer works",
			 s->out.ticket);
	app_status(s->app, !doc, "%s", s->message);
	assign_query(s->app, s);
}

static int assign_key(struct app *app, void *state, enum action action, int key)
{
	struct assign_state *s = state;
	int r;

	if (s->unassign.ticket) {
		/* y unassigns the ticket asked about; n or Esc keeps it; F1, F2
		 * and F10 work as everywhere, any other key waits for y or n */
		long long ticket = s->unassign.ticket;
		if (action == ACT_HELP || action == ACT_QUIT)
			return SCR_IGNORED;
		if (action != ACT_YES && action != ACT_NO && action != ACT_MENU)
			return SCR_HANDLED;
		s->unassign.ticket = 0;
		if (action == ACT_MENU) /* as F2 does here, asking first if a person is typed */
			return assign_key(app, state, action, key);
		if (action == ACT_NO) {
			app_status(app, false, "ticket #%lld kept: nothing changed", ticket);
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (s->assigning) { /* one write at a time */
			app_status(app, true, "ticket #%lld not unassigned: ticket #%lld is still being written — "
				   "wait for its answer", ticket, s->out.ticket);
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (!db_ticket_reissue_submit(app_db(app), s, ticket, true, "unassigned at the desk", s->unassign.issue,
					      unassigned, s)) {
			app_status(app, true, "not unassigned: %s", app_db(app)->err);
			return SCR_HANDLED | SCR_REDRAW;
		}
		s->app = app;
		s->assigning = s->unassigning = true;
		s->out.ticket = ticket;
		s->error = false;
		snprintf(s->message, sizeof s->message, "unassigning ticket #%lld…", ticket);
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (s->discarding) {
		/* y alone (no Enter) discards; anything else keeps the form */
		s->discarding = false;
		if (key == 'y' || key == 'Y')
			return SCR_HANDLED | (s->discard_to_menu ? SCR_MENU : SCR_BACK);
		return SCR_HANDLED | SCR_REDRAW;
	}
	/* F2 from the bulk prompt would drop the person typed under it too */
	if (s->bulk != BULK_OFF && keymap_modal(key) == ACT_MENU && assign_touched(s)) {
		bulk_close(s);
		s->discarding = true;
		s->discard_to_menu = true;
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (s->bulk != BULK_OFF)
		return bulk_key(app, s, action, key);
	if (action == ACT_BULK) {
		/* what the last assignment or file said is not about the next file */
		s->message[0] = '\0';
		s->done.ticket = 0;
		s->error = false;
		/* the path stays from a file that failed, to be corrected */
		s->bulk = BULK_PATH;
		return SCR_HANDLED | SCR_REDRAW;
	}

	if ((action == ACT_BACK || action == ACT_MENU) && assign_touched(s)) {
		s->discarding = true;
		s->discard_to_menu = action == ACT_MENU;
		return SCR_HANDLED | SCR_REDRAW;
	}
	switch (action) {
	case ACT_SUBMIT:
		return assign_submit(app, s);
	case ACT_UP:
	case ACT_DOWN:
	case ACT_PAGE_UP:
	case ACT_PAGE_DOWN:
	case ACT_HOME:
	case ACT_END:
		return list_cursor_move(&s->cursor, action, s->cursor.visible > 0 ? s->cursor.visible : LINES - 14);
	case ACT_PICK:
		if (s->nmatches == 0)
			return SCR_HANDLED;
		s->picked = (s->picked + 1) % s->nmatches;
		snprintf(s->fields[A_NAME].text, FIELD_TEXT_MAX, "%s", s->matches[s->picked].name);
		snprintf(s->fields[A_EMAIL].text, FIELD_TEXT_MAX, "%s", s->matches[s->picked].email);
		snprintf(s->fields[A_COMPANY].text, FIELD_TEXT_MAX, "%s", s->matches[s->picked].company);
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_BADGE:
		if (s->cursor.count == 0)
			return no_ticket_yet(app, s, "for a badge");
		return badge_job_start(app, &s->badge, s->tickets[s->cursor.selected].id);
	case ACT_UNASSIGN:
		/* it voids a badge that may be printed: asked first (y/n) */
		if (s->cursor.count == 0)
			return no_ticket_yet(app, s, "to unassign");
		{
			const struct ticket_row *t = &s->tickets[s->cursor.selected];
			if (!t->holder[0]) {
				app_status(app, true, "ticket #%lld is not assigned: nothing to unassign", t->id);
				return SCR_HANDLED | SCR_REDRAW;
			}
			s->unassign.ticket = t->id;
			s->unassign.issue = t->issue;
			utf8_copy(s->unassign.holder, sizeof s->unassign.holder, t->holder); /* whole characters */
		}
		return SCR_HANDLED | SCR_REDRAW;
	default:
		break;
	}
	r = form_key(&s->form, action, key);
	if (r & FORM_CHANGED) { /* a refusal was about what the form held before */
		s->message[0] = '\0';
		s->conflict[0] = '\0'; /* and the conflict it asked about: */
		s->confirm.ticket = 0;  /* Enter asks again, never confirms unseen */
		s->done.ticket = 0;
		app_status_clear(app);
		find_matches(app, s);
	}
	return r ? SCR_HANDLED | SCR_REDRAW : SCR_IGNORED;
}

static int assign_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	(void)app;
	(void)state;
	(void)payload;
	return strcmp(channel, "boxoffice_tickets") == 0 || strcmp(channel, "boxoffice_orders") == 0
		       ? SCR_REQUERY : SCR_IGNORED;
}

static void assign_done(struct app *app, void *state)
{
	struct assign_state *s = state;
	/* the reads under their own owners must not answer into freed state */
	db_cancel_owner(app_db(app), &s->cursor);
	db_cancel_owner(app_db(app), &s->matches);
	bulk_close(state);
	badge_job_done(&s->badge);
	free(s->tickets);
}

static int assign_tick(struct app *app, void *state)
{
	return badge_job_tick(app, &((struct assign_state *)state)->badge);
}

/* The assignment on its way: closing would cancel it. */
static const char *assign_writing(void *state)
{
	const struct assign_state *s = state;
	return !s->assigning ? NULL : s->unassigning ? "unassigning a ticket" : "assigning a ticket";
}

/* While F8 asks, the key bar and the help show y, n and Esc. */
static const char *assign_keys(void *state)
{
	return ((struct assign_state *)state)->unassign.ticket ? KEYS_ASK : NULL;
}

/* On the bulk prompt and its preview the ticket keys (F3, F6, F8, F9,
 * Tab) do nothing: the key bar does not offer them there. */
static bool assign_acts(void *state, enum action action)
{
	const struct assign_state *s = state;

	if (s->bulk == BULK_OFF)
		return true;
	switch (action) {
	case ACT_PICK:
	case ACT_UNASSIGN:
	case ACT_BADGE:
	case ACT_BULK:
	case ACT_NEXT_FIELD:
		return false;
	case ACT_SUBMIT:
		return s->bulk == BULK_PATH || !s->bulk_errors;
	default:
		return true;
	}
}

static const char *assign_unsaved(void *state)
{
	return assign_touched(state) ? "the person being typed" : NULL;
}

const struct screen_ops assign_screen = {
	.name = "assign",
	.needs = "clerk",
	.title = "Assign tickets",
	.state_size = sizeof(struct assign_state),
	.init = assign_init,
	.done = assign_done,
	.query = assign_query,
	.draw = assign_draw,
	.on_key = assign_key,
	.keys = assign_keys,
	.acts = assign_acts,
	.writing = assign_writing,
	.unsaved = assign_unsaved,
	.on_notify = assign_notify,
	.on_tick = assign_tick,
};

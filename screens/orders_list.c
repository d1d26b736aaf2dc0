/* Ticket Orders: the order list — reading a page by keyset, re-reading
 * after a change (debounced, queued), paging, and drawing it. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "../src/app/theme.h"
#include "../src/core/money.h"
#include "../src/core/util.h"
#include "orders.h"

/* ---- columns ---- */

enum { C_ID, C_COMPANY, C_CONTACT, C_DATE, C_ORDERED, C_TICKETS, C_AMOUNT, C_VAT, C_PAYMENT, C_STATUS,
       C_ACTIONS, C_COUNT };
/* Columns as data: title, width (0 takes the rest), alignment, which give
 * way first on a narrow terminal (drop: highest first, 0 never), and the
 * sort each one stands for. What matters most to tell orders apart and
 * act on them stays: the ID, who it is for, the amount and the status;
 * then tickets still missing, the date and the payment. At 80 columns:
 * ID, COMPANY, DATE, TICKETS, AMOUNT, PAYMENT, STATUS. */
static const struct {
	struct column col;
	enum order_sort sort;
} columns[C_COUNT] = {
	[C_ID] = { { "ID", 3, true, 0, 0 }, SORT_COUNT }, /* as wide as the page's widest ID */
	[C_COMPANY] = { { "COMPANY", 0, false, 0, 14 }, SORT_COMPANY },
	[C_CONTACT] = { { "CONTACT", 18, false, 8, 0 }, SORT_CONTACT },
	[C_DATE] = { { "DATE", 10, false, 3, 0 }, SORT_DATE },
	[C_ORDERED] = { { "ORDERED", 8, true, 5, 0 }, SORT_ORDERED }, /* room for the sort mark */
	[C_TICKETS] = { { "TICKETS", 8, true, 2, 0 }, SORT_TICKETS },
	[C_AMOUNT] = { { "AMOUNT", 11, true, 0, 0 }, SORT_AMOUNT },
	[C_VAT] = { { "VAT (25%)", 10, true, 7, 0 }, SORT_VAT },
	[C_PAYMENT] = { { "PAYMENT", 9, false, 4, 0 }, SORT_PAYMENT },
	[C_STATUS] = { { "STATUS", 12, false, 0, 0 }, SORT_STATUS },
	[C_ACTIONS] = { { "ACTIONS", 22, false, 9, 0 }, SORT_COUNT },
};

/* ---- reading ---- */

static void copy_row(struct order_row *r, PGresult *res, int i)
{
	r->id = db_int(res, i, OL_ID);
	utf8_copy(r->company, sizeof r->company, db_text(res, i, OL_COMPANY));
	utf8_copy(r->contact, sizeof r->contact, db_text(res, i, OL_CONTACT));
	snprintf(r->date, sizeof r->date, "%s", db_text(res, i, OL_DATE));
	r->ordered = db_int(res, i, OL_ORDERED);
	r->tickets = db_int(res, i, OL_TICKETS);
	r->amount = db_int(res, i, OL_AMOUNT);
	r->vat = db_int(res, i, OL_VAT);
	r->version = db_int(res, i, OL_VERSION);
	payment_parse(db_text(res, i, OL_PAYMENT), &r->payment);
	order_status_parse(db_text(res, i, OL_STATUS), &r->status);
	utf8_copy(r->sort_key, sizeof r->sort_key, db_text(res, i, OL_SORTKEY));
	utf8_copy(r->station, sizeof r->station, db_text(res, i, OL_STATION));
}

static void copy_rows(struct orders_state *s, PGresult *res)
{
	s->count = PQntuples(res) < PAGE_MAX ? PQntuples(res) : PAGE_MAX;
	for (int i = 0; i < s->count; i++)
		copy_row(&s->rows[i], res, i);
}

enum page_from { FROM_FIRST, FROM_LAST, FROM_AFTER, FROM_BEFORE, FROM_AT };

static void queue_move(struct orders_state *s, enum action action, bool first);
static int do_move(struct app *app, struct orders_state *s, enum action action);

/* A move past the page shown is one or two reads queued on the loop,
 * the second chosen by the first's answer (move_answer); meanwhile the
 * list says "loading…" and further moves wait (queue_move). */
static void move_answer(struct db *db, PGresult *res, void *ctx);

/* Reads a page relative to a row (or an end) for the move under way. */
static bool submit_move(struct orders_state *s, enum page_from from, const struct order_row *at, int limit)
{
	struct order_page_request req = {
		.filter = &s->filter, .sort = s->sort, .descending = s->descending,
		.key = at && from != FROM_FIRST && from != FROM_LAST ? at->sort_key : NULL,
		.key_id = at ? at->id : 0,
		.before = from == FROM_BEFORE || from == FROM_LAST,
		.inclusive = from == FROM_AT,
		.limit = limit,
	};
	return db_order_page_submit(app_db(s->app), s, &req, move_answer, s);
}

static void move_done(struct orders_state *s)
{
	if (s->selected >= s->count)
		s->selected = s->count > 0 ? s->count - 1 : 0;
	s->move = ACT_NONE;
	s->loading = false;
	if (s->queued_n || s->held_action)
		app_wake_in(s->app, 0); /* orders_do_queued_move, from the tick */
}

static void move_answer(struct db *db, PGresult *res, void *ctx)
{
	struct orders_state *s = ctx;
	int page = s->page_rows, got = res ? PQntuples(res) : 0, reads = ++s->move_reads;
	struct order_row edge;

	if (!res) {
		app_status(s->app, true, "orders: %s", db->err);
		s->queued_n = 0; /* from a page that did not come */
		s->held_action = 0;
		move_done(s);
		return;
	}
	/* Down's first read only asks whether a row follows, Up's which row
	 * the page starts at: neither is the page to show (a re-read between
	 * the two reads took Up's one row for it, then did Up again) */
	if (got && !((s->move == ACT_DOWN || s->move == ACT_UP) && reads == 1))
		copy_rows(s, res);
	switch (s->move) {
	case ACT_UP: /* the row before, then the page from it */
		if (reads == 1 && got) {
			copy_row(&edge, res, 0);
			if (submit_move(s, FROM_AT, &edge, page))
				return;
		}
		break;
	case ACT_DOWN: /* a row after? then the page one row on */
		if (reads == 1 && got) {
			edge = s->rows[1 < s->count ? 1 : 0];
			if (submit_move(s, page == 1 ? FROM_AFTER : FROM_AT, &edge, page))
				return;
		}
		if (reads == 2)
			s->selected = s->count - 1;
		break;
	case ACT_PAGE_DOWN: /* the next page; a short one filled from the end */
		if (reads == 1 && got && s->count < page) {
			if (submit_move(s, FROM_LAST, NULL, page))
				return;
		} else if (reads == 1 && !got && s->selected < s->count - 1 && s->count < page)
			s->selected = s->count - 1;
		break;
	case ACT_PAGE_UP: /* the page before; a short one is the first */
		if (reads == 1 && !got)
			s->selected = 0;
		else if (reads == 1 && s->count < page) {
			if (submit_move(s, FROM_FIRST, NULL, page))
				return;
		}
		break;
	case ACT_HOME:
		s->selected = 0;
		break;
	case ACT_END:
		s->selected = s->count - 1;
		break;
	default:
		break;
	}
	move_done(s);
}

/* Re-reads the page from its first row, keeping the selected order: the
 * page at the first row shown (or the first page when that row is gone),
 * filled from the end when it comes back short; and the grid. Each step is
 * a queued read whose answer submits the next. */
static void page_answer(struct db *db, PGresult *res, void *ctx);

static bool submit_page(struct orders_state *s, enum refresh_step step)
{
	struct order_page_request req = {
		.filter = &s->filter, .sort = s->sort, .descending = s->descending,
		.key = step == STEP_AT ? s->first.sort_key : NULL,
		.key_id = step == STEP_AT ? s->first.id : 0,
		.before = step == STEP_LAST,
		.inclusive = step == STEP_AT,
		.limit = s->page_rows,
	};
	s->step = step;
	return db_order_page_submit(app_db(s->app), s, &req, page_answer, s);
}

static void refresh_done(struct orders_state *s)
{
	for (int i = 0; i < s->count; i++)
		if (s->rows[i].id == s->keep_id)
			s->selected = i;
	if (s->selected >= s->count)
		s->selected = s->count > 0 ? s->count - 1 : 0;
	s->loading = false;
	if (s->queued_n || s->held_action)
		app_wake_in(s->app, 0); /* orders_do_queued_move, from the tick */
}

static void page_answer(struct db *db, PGresult *res, void *ctx)
{
	struct orders_state *s = ctx;
	int got = res ? PQntuples(res) : 0;

	if (!res) {
		app_status(s->app, true, "orders: %s", db->err);
		s->said_reset = false;
		s->loading = false;
		s->queued_n = 0; /* from a page that did not come */
		s->held_action = 0;
		return;
	}
	if (got > 0)
		copy_rows(s, res);
	if (s->step == STEP_AT && got == 0) {
		if (!submit_page(s, STEP_FIRST))
			s->loading = false;
		return;
	}
	if (s->step == STEP_FIRST && got == 0)
		s->count = 0;
	/* A short page at the end: fill it from the end. */
	if (s->step != STEP_LAST && s->count > 0 && s->count < s->page_rows) {
		if (submit_page(s, STEP_LAST))
			return;
	}
	refresh_done(s);
}

/* Where the list starts in the area: under the filter pane (two lines)
 * and the grid (a blank line and six) when it shows. */
int orders_list_top(const struct orders_state *s, struct rect a)
{
	return a.y + 2 + (!s->hide_summary && a.h >= 18 ? 7 : 0);
}

/* The list's lines (its header, then a row a line), less the prompt or
 * write line at the bottom. */
int orders_list_height(const struct orders_state *s, struct rect a)
{
	return a.y + a.h - orders_list_top(s, a) - order_actions_lines(&s->act);
}

/* The page is as many rows as the list shows; true when that changed
 * (then what is shown must be read again). */
bool orders_fit(struct orders_state *s)
{
	int want = orders_list_height(s, s->area) - 1;

	if (want > PAGE_MAX)
		want = PAGE_MAX;
	if (want <= 0 || want == s->page_rows)
		return false;
	s->page_rows = want;
	return true;
}

void orders_start_refresh(struct app *app, struct orders_state *s)
{
	struct db *db = app_db(app);
	/* back on the screen: the page and the order of the last visit */
	bool restore = s->restored && s->count == 0 && !s->from_start;
	bool from_start = !restore && (s->from_start || s->count == 0);

	/* whatever was still being read is for a filter no longer shown; a
	 * move cut short is done again once the page is read */
	db_cancel_owner(db, s);
	if (s->move != ACT_NONE) {
		enum action cut = (enum action)s->move;
		s->move = ACT_NONE;
		queue_move(s, cut, true);
	}
	s->refresh_due = 0;
	s->loading = s->summary_loading = false;
	orders_filters_apply(s, app_event_id(app));
	if (!app_online(app))
		return;
	orders_fit(s);
	if (s->page_rows <= 0)
		s->page_rows = 10;
	/* the rows shown stay (marked loading) until the answer replaces them */
	s->from_start = false;
	s->restored = false;
	if (restore) {
		/* keep_id and first come from the last visit */
	} else {
		s->keep_id = from_start ? 0 : s->rows[s->selected].id;
		if (from_start)
			s->selected = 0;
		else
			s->first = s->rows[0];
	}
	/* the grid first: when the rows change, their totals are there */
	s->summary_loading = db_order_summary_submit(db, s, &s->filter, orders_summary_answer, s);
	s->loading = submit_page(s, from_start ? STEP_FIRST : STEP_AT);
	if (!s->loading)
		app_status(app, true, "orders: %s", db->err);
}

/* The filter changed: read again once typing pauses; cancel what is now
 * superseded at once, so the server stops working on it. */
void orders_refresh_soon(struct app *app, struct orders_state *s, bool from_start)
{
	db_cancel_owner(app_db(app), s);
	if (from_start) { /* another list: moves and keys pressed for this one go */
		s->queued_n = 0;
		s->move = s->held_action = 0;
	} else if (s->move != ACT_NONE) { /* cut short: done after the re-read */
		enum action cut = (enum action)s->move;
		s->move = ACT_NONE;
		queue_move(s, cut, true);
	}
	s->from_start |= from_start;
	s->loading = true;
	s->refresh_due = db_now_ms() + DEBOUNCE_MS;
	app_wake_in(app, DEBOUNCE_MS);
}

void orders_restart(struct app *app, struct orders_state *s)
{
	s->queued_n = 0; /* they were for the list before */
	s->move = s->held_action = 0;
	db_cancel_owner(app_db(app), s);
	s->from_start = true;
	orders_start_refresh(app, s);
}

/* ---- moving ---- */

/* The moves pressed while the page was read, now that it is here: in
 * the order pressed, each past the page waiting for the one before. */
int orders_do_queued_move(struct app *app, struct orders_state *s)
{
	if (!s->queued_n || s->loading || s->refresh_due)
		return SCR_IGNORED;
	while (s->queued_n && !s->loading && !s->refresh_due) {
		enum action next = (enum action)s->queued[0];
		memmove(s->queued, s->queued + 1, (size_t)--s->queued_n * sizeof s->queued[0]);
		do_move(app, s, next);
	}
	return SCR_REDRAW;
}

/* A key held longer than this is not done: the clerk has moved on. */
#define HELD_KEY_MS 2000

int orders_do_held_key(struct app *app, struct orders_state *s)
{
	enum action held = (enum action)s->held_action;

	if (!held || s->move != ACT_NONE || s->queued_n || s->refresh_due)
		return SCR_IGNORED;
	s->held_action = 0;
	if (db_now_ms() - s->held_at > HELD_KEY_MS) {
		app_status(app, true, "Key not done: the page came after %d s; press it again on the order meant",
			   HELD_KEY_MS / 1000);
		return SCR_REDRAW;
	}
	return orders_act(app, s, held) | SCR_REDRAW;
}

static enum action opposite(enum action a)
{
	return a == ACT_PAGE_DOWN ? ACT_PAGE_UP : a == ACT_PAGE_UP ? ACT_PAGE_DOWN
	     : a == ACT_DOWN ? ACT_UP : a == ACT_UP ? ACT_DOWN : ACT_NONE;
}

/* Queues a move in the order pressed (first: before those queued, a
 * move a re-read cut short). Home/End drop what was queued before them;
 * past the end they go to is nothing (End then PgDn is the last page,
 * not the second); a move and its opposite cancel (PgDn PgDn PgUp is
 * one page on); PgDn held down queues a few pages, not a runaway. */
static void queue_move(struct orders_state *s, enum action action, bool first)
{
	const int max = (int)(sizeof s->queued / sizeof s->queued[0]);
	enum action last = s->queued_n ? (enum action)s->queued[s->queued_n - 1] : ACT_NONE;

	if (first) {
		if (s->queued_n == max)
			s->queued_n--;
		memmove(s->queued + 1, s->queued, (size_t)s->queued_n * sizeof s->queued[0]);
		s->queued[0] = action;
		s->queued_n++;
		return;
	}
	if (action == ACT_HOME || action == ACT_END)
		s->queued_n = 0;
	else if (last != ACT_NONE && last == opposite(action)) {
		s->queued_n--;
		return;
	} else if ((last == ACT_END && (action == ACT_PAGE_DOWN || action == ACT_DOWN)) ||
		   (last == ACT_HOME && (action == ACT_PAGE_UP || action == ACT_UP)))
		return;
	if (s->queued_n < max)
		s->queued[s->queued_n++] = action;
}

static bool is_move(enum action a)
{
	return a == ACT_UP || a == ACT_DOWN || a == ACT_PAGE_UP || a == ACT_PAGE_DOWN || a == ACT_HOME || a == ACT_END;
}

/* A move the clerk pressed. After a key that waits for the page ("End i
 * Up") it is not kept: done first, it would move the key to another
 * order than the one selected when it was pressed. */
int orders_move(struct app *app, struct orders_state *s, enum action action)
{
	if (s->held_action && is_move(action)) {
		app_status(app, true, "The page is still being read: one key waits for it, this one was not kept");
		return SCR_HANDLED | SCR_REDRAW;
	}
	return do_move(app, s, action);
}

static int do_move(struct app *app, struct orders_state *s, enum action action)
{
	int page = s->page_rows, limit = page;
	struct order_row edge = { 0 };
	enum page_from from;
	bool sent;

	/* Not while the page is being replaced (or another move is read):
	 * it waits its turn. An arrow within the page too: the page coming
	 * (End's; a re-read's, which keeps the order selected before) would
	 * undo it, and "End Up i" is for the order above the last. */
	if ((s->loading || s->refresh_due) &&
	    (action == ACT_PAGE_DOWN || action == ACT_PAGE_UP || action == ACT_HOME || action == ACT_END ||
	     action == ACT_UP || action == ACT_DOWN)) {
		queue_move(s, action, false);
		return SCR_HANDLED;
	}
	if (s->count == 0)
		return SCR_IGNORED;
	switch (action) {
	case ACT_UP:
		if (s->selected > 0) {
			s->selected--;
			return SCR_HANDLED | SCR_REDRAW;
		}
		edge = s->rows[0]; /* one row back: the page that starts just before */
		from = FROM_BEFORE;
		limit = 1;
		break;
	case ACT_DOWN:
		if (s->selected < s->count - 1) {
			s->selected++;
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (s->count <= 1 && page != 1)
			return SCR_HANDLED | SCR_REDRAW;
		edge = s->rows[s->count - 1];
		from = FROM_AFTER;
		limit = 1;
		break;
	case ACT_PAGE_DOWN:
		edge = s->rows[s->count - 1];
		from = FROM_AFTER;
		break;
	case ACT_PAGE_UP:
		edge = s->rows[0];
		from = FROM_BEFORE;
		break;
	case ACT_HOME:
		from = FROM_FIRST;
		break;
	case ACT_END:
		from = FROM_LAST;
		break;
	default:
		return SCR_IGNORED;
	}
	s->move = action;
	s->move_reads = 0;
	sent = submit_move(s, from, from == FROM_FIRST || from == FROM_LAST ? NULL : &edge, limit);
	if (!sent) {
		app_status(app, true, "orders: %s", app_db(app)->err);
		s->move = ACT_NONE;
		s->queued_n = 0; /* each would say the same */
		s->held_action = 0;
		return SCR_HANDLED | SCR_REDRAW;
	}
	s->loading = true;
	return SCR_HANDLED | SCR_REDRAW;
}


/* The actions an order's status and payment allow, as a short list. */
static void actions_text(const struct order_row *r, char *buf, size_t size)
{
	static const struct {
		enum order_status to;
		const char *label;
	} moves[] = {
		{ ORDER_INVOICE_SENT, "Invoice" }, { ORDER_SETTLED, "Settle" },
		{ ORDER_CANCELLED, "Cancel" }, { ORDER_REFUNDED, "Refund" },
	};
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
		if (order_can_transition(r->payment, r->status, moves[i].to))
			snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", buf[0] ? " " : "", moves[i].label);
	if (r->status == ORDER_SETTLED && r->tickets < r->ordered)
		snprintf(buf + strlen(buf), size - strlen(buf), "%sTickets", buf[0] ? " " : "");
}

void orders_draw_list(struct orders_state *s, struct rect a, int y, int h)
{
	static char titles[C_COUNT][32];
	struct column cols[C_COUNT];
	int xs[C_COUNT], ws[C_COUNT], shown;

	for (int c = 0; c < C_COUNT; c++) {
		cols[c] = columns[c].col;
		if (columns[c].sort == s->sort) {
			snprintf(titles[c], sizeof titles[c], "%s%s", columns[c].col.title, s->descending ? "▼" : "▲");
			cols[c].title = titles[c];
		}
	}
	/* an ID is never cut nor abbreviated: "#1234567"; an amount keeps its
	 * cents (1,084,061.25, not a rounded 1,084,061 over the others' cents):
	 * the column widens, and less needed columns give way */
	for (int i = 0; i < s->count; i++) {
		char id[24], m[32];
		int n = snprintf(id, sizeof id, "#%lld", s->rows[i].id);
		if (n > cols[C_ID].width)
			cols[C_ID].width = n;
		n = money_format(m, sizeof m, s->rows[i].amount);
		if (n > cols[C_AMOUNT].width && n <= 16)
			cols[C_AMOUNT].width = n;
		n = money_format(m, sizeof m, s->rows[i].vat);
		if (n > cols[C_VAT].width && n <= 16)
			cols[C_VAT].width = n;
	}
	shown = draw_columns(y, a.x + 1, a.w - 2, cols, C_COUNT, xs, ws, theme_attr(C_TITLE) | A_UNDERLINE);
	/* F6 cycles through the sorts whose columns are on screen */
	memset(s->sort_shown, 0, sizeof s->sort_shown);
	for (int c = 0; c < C_COUNT; c++)
		if (ws[c] > 0 && columns[c].sort < SORT_COUNT)
			s->sort_shown[columns[c].sort] = true;
	for (int i = 0; i < s->count && i < h - 1; i++) {
		const struct order_row *r = &s->rows[i];
		unsigned attr = i == s->selected && !s->filter_focus ? theme_attr(C_SELECTED) : A_NORMAL;
		int row_y = y + 1 + i;
		draw_fill(row_y, a.x, a.w, attr);
		for (int k = 0; k < shown; k++) {
			char buf[256];
			const char *text = buf;
			unsigned cell = attr;
			if (ws[k] <= 0)
				continue;
			switch (k) {
			case C_ID: snprintf(buf, sizeof buf, "#%lld", r->id); break;
			case C_COMPANY:
				text = order_row_buyer(r, buf, sizeof buf);
				if (!r->company[0] && attr == A_NORMAL)
					cell = theme_attr(C_DIM);
				break;
			case C_CONTACT: text = r->contact; break;
			case C_DATE: text = r->date; break;
			case C_ORDERED: count_format_fit(buf, sizeof buf, r->ordered, ws[k]); break;
			case C_TICKETS:
				count_format_fit(buf, sizeof buf, r->tickets, ws[k]);
				if (r->status == ORDER_SETTLED && r->tickets < r->ordered && attr == A_NORMAL)
					cell = theme_attr(C_WARN);
				break;
			case C_AMOUNT: money_format_fit(buf, sizeof buf, r->amount, ws[k]); break;
			case C_VAT: money_format_fit(buf, sizeof buf, r->vat, ws[k]); break;
			case C_PAYMENT: text = payment_label(r->payment); break;
			case C_STATUS:
				text = order_status_label(r->status);
				if (attr == A_NORMAL)
					cell = theme_attr(r->status == ORDER_SETTLED ? C_SETTLED
							  : r->status >= ORDER_CANCELLED ? C_DIM : C_NORMAL);
				break;
			case C_ACTIONS: actions_text(r, buf, sizeof buf); break;
			}
			if (cols[k].right) {
				draw_text_right(row_y, xs[k], ws[k], text, cell);
			} else { /* a company cut says so: "Scandinavian Re…" */
				char cut[sizeof buf];
				text_ellipsis(cut, sizeof cut, text, ws[k]);
				draw_text(row_y, xs[k], ws[k], cut, cell);
			}
		}
	}
	if (s->count == 0 && !s->loading && !s->refresh_due)
		draw_text(y + 2, a.x + 2, a.w - 4, "No orders match the filters.", theme_attr(C_DIM));
}

/* Ticket Orders: the filter pane, the summary grid and the order list of
 * the current event, all live. The list pages by keyset (sort key, id), so
 * it never reads more than a screenful, whatever the number of orders.
 * Re-reading the list and the grid is queued (src/db/async.h): typing is
 * echoed at once, a burst of keys costs one read ~120 ms after the last
 * one, and a read still running when the filter changes is cancelled. */
#include <curses.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/app/form.h"
#include "../src/app/theme.h"
#include "../src/core/money.h"
#include "../src/core/order.h"
#include "../src/core/order_filter.h"
#include "../src/core/util.h"
#include "../src/core/validate.h"
#include "../src/db/inventory.h"
#include "../src/db/orders.h"
#include "screen.h"

#define PAGE_MAX 200
#define DEBOUNCE_MS 120

struct order_row {
	long long id, ordered, tickets, amount, vat, version;
	/* whole values (200 characters of up to 4 bytes): the sort key is
	 * the exact key the database pages by, never a cut copy */
	char company[808], contact[808], date[11], sort_key[1024];
	enum payment_method payment;
	enum order_status status;
};

enum { FF_SEARCH, FF_STATUS, FF_PAYMENT, FF_FROM, FF_TO, FF_TICKETS, FF_COUNT };
static const char *const ticket_choices[] = { "All", "missing", "complete" };

enum prompt_kind { PROMPT_NONE, PROMPT_SETTLE, PROMPT_CANCEL, PROMPT_REFUND, PROMPT_EXPORT };

struct orders_state {
	struct form_field ffields[FF_COUNT];
	/* "All", then the names of src/core/order.c */
	const char *status_choices[ORDER_STATUS_COUNT + 2], *payment_choices[PAY_COUNT + 2];
	struct form filters;
	bool filter_focus;
	char filter_error[120];
	struct order_filter filter;
	enum order_sort sort;
	bool descending, hide_summary;
	struct order_row rows[PAGE_MAX];
	int count, selected, page_rows;
	struct order_summary summary;
	bool summary_ok;
	enum prompt_kind prompt;
	struct form_field pfield;
	struct form pform;
	long long prompt_order, prompt_version;
	/* the re-read in flight */
	struct app *app;
	bool loading, summary_loading;
	long long refresh_due; /* monotonic ms of a debounced re-read, 0: none */
	int step;              /* enum refresh_step */
	long long keep_id;     /* the order to keep selected */
	bool from_start;       /* the due re-read starts at the first page */
	struct order_row first;
	/* The write out and not answered yet ("settling order #12…"), one at
	 * a time; its own owner, so a re-read never cancels it. */
	char writing[64];
	char write_done[24]; /* "settled" */
	long long write_order;
};

enum refresh_step { STEP_AT, STEP_FIRST, STEP_LAST };

/* ---- columns ---- */

enum { C_COMPANY, C_CONTACT, C_DATE, C_ORDERED, C_TICKETS, C_AMOUNT, C_VAT, C_PAYMENT, C_STATUS,
       C_ACTIONS, C_COUNT };
/* Columns as data: title, width (0 takes the rest), alignment, the sort
 * each one stands for, and the narrowest terminal that still shows it. */
static const struct {
	struct column col;
	enum order_sort sort;
	int min_width;
} columns[C_COUNT] = {
	[C_COMPANY] = { { "COMPANY", 0, false }, SORT_COMPANY, 0 },
	[C_CONTACT] = { { "CONTACT", 18, false }, SORT_CONTACT, 100 },
	[C_DATE] = { { "DATE", 10, false }, SORT_DATE, 0 },
	[C_ORDERED] = { { "ORDERED", 7, true }, SORT_ORDERED, 0 },
	[C_TICKETS] = { { "TICKETS", 7, true }, SORT_TICKETS, 0 },
	[C_AMOUNT] = { { "AMOUNT", 11, true }, SORT_AMOUNT, 0 },
	[C_VAT] = { { "VAT (25%)", 10, true }, SORT_VAT, 110 },
	[C_PAYMENT] = { { "PAYMENT", 9, false }, SORT_PAYMENT, 0 },
	[C_STATUS] = { { "STATUS", 12, false }, SORT_STATUS, 0 },
	[C_ACTIONS] = { { "ACTIONS", 22, false }, SORT_COUNT, 130 },
};

/* ---- filters ---- */

static void filters_init(struct orders_state *s)
{
	static const struct form_field blank[FF_COUNT] = {
		[FF_SEARCH] = { .label = "Search ", .kind = FIELD_TEXT, .max_chars = SEARCH_MAX_BYTES },
		[FF_STATUS] = { .label = "Status ", .kind = FIELD_CHOICE },
		[FF_PAYMENT] = { .label = "Payment ", .kind = FIELD_CHOICE },
		[FF_FROM] = { .label = "From ", .kind = FIELD_DATE, .max_chars = 10 },
		[FF_TO] = { .label = "To ", .kind = FIELD_DATE, .max_chars = 10 },
		[FF_TICKETS] = { .label = "Tickets ", .kind = FIELD_CHOICE, .choices = ticket_choices, .nchoices = 3 },
	};
	memcpy(s->ffields, blank, sizeof blank);
	s->ffields[FF_STATUS].choices = s->status_choices;
	s->ffields[FF_STATUS].nchoices = name_choices(s->status_choices, "All", order_status_names(), -1);
	s->ffields[FF_PAYMENT].choices = s->payment_choices;
	s->ffields[FF_PAYMENT].nchoices = name_choices(s->payment_choices, "All", payment_names(), -1);
	s->filters = (struct form){ s->ffields, FF_COUNT, s->filters.focus };
}

/* The pane's fields as a filter; dates count only once complete. */
static void filters_apply(struct orders_state *s, long long event_id)
{
	struct order_filter f;
	const char *why;

	memset(&f, 0, sizeof f);
	order_filter_reset(&f);
	f.event_id = event_id;
	/* the field holds at most SEARCH_MAX_BYTES; cut it explicitly anyway */
	snprintf(f.search, sizeof f.search, "%.*s", SEARCH_MAX_BYTES, s->ffields[FF_SEARCH].text);
	f.status = s->ffields[FF_STATUS].choice - 1;
	f.payment = s->ffields[FF_PAYMENT].choice - 1;
	f.tickets = (enum ticket_count_filter)s->ffields[FF_TICKETS].choice;
	s->filter_error[0] = '\0';
	for (int i = FF_FROM; i <= FF_TO; i++) {
		const char *text = s->ffields[i].text;
		char *target = i == FF_FROM ? f.from : f.to;
		if (strlen(text) == 10 && !validate_date(text))
			snprintf(target, 11, "%s", text);
		else if (text[0])
			snprintf(s->filter_error, sizeof s->filter_error, "%s: YYYY-MM-DD, a real date",
				 i == FF_FROM ? "From" : "To");
	}
	if ((why = order_filter_check(&f))) {
		snprintf(s->filter_error, sizeof s->filter_error, "%s", why);
		f.to[0] = '\0'; /* keep showing something sensible */
	}
	s->filter = f;
}

/* ---- reading ---- */

static void copy_rows(struct orders_state *s, PGresult *res)
{
	s->count = PQntuples(res) < PAGE_MAX ? PQntuples(res) : PAGE_MAX;
	for (int i = 0; i < s->count; i++) {
		struct order_row *r = &s->rows[i];
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
	}
}

enum page_from { FROM_FIRST, FROM_LAST, FROM_AFTER, FROM_BEFORE, FROM_AT };

/* Reads a page relative to a row (or an end); false when nothing came. */
static bool read_page(struct app *app, struct orders_state *s, enum page_from from,
		      const struct order_row *at, int limit, bool replace)
{
	struct order_page_request req = {
		.filter = &s->filter, .sort = s->sort, .descending = s->descending,
		.key = at && from != FROM_FIRST && from != FROM_LAST ? at->sort_key : NULL,
		.key_id = at ? at->id : 0,
		.before = from == FROM_BEFORE || from == FROM_LAST,
		.inclusive = from == FROM_AT,
		.limit = limit,
	};
	PGresult *res = db_order_page(app_db(app), &req);
	bool got;

	if (!res) {
		app_status(app, true, "orders: %s", app_db(app)->err);
		return false;
	}
	got = PQntuples(res) > 0;
	if (got && replace)
		copy_rows(s, res);
	PQclear(res);
	return got;
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
}

static void page_answer(struct db *db, PGresult *res, void *ctx)
{
	struct orders_state *s = ctx;
	int got = res ? PQntuples(res) : 0;

	if (!res) {
		app_status(s->app, true, "orders: %s", db->err);
		s->loading = false;
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

static void summary_answer(struct db *db, const struct order_summary *sum, void *ctx)
{
	struct orders_state *s = ctx;

	s->summary_loading = false;
	s->summary_ok = sum != NULL;
	if (sum)
		s->summary = *sum;
	else
		app_status(s->app, true, "summary: %s", db->err);
}

static void start_refresh(struct app *app, struct orders_state *s)
{
	struct db *db = app_db(app);
	bool from_start = s->from_start || s->count == 0;

	/* whatever was still being read is for a filter no longer shown */
	db_cancel_owner(db, s);
	s->refresh_due = 0;
	s->loading = s->summary_loading = false;
	filters_apply(s, app_event_id(app));
	if (!app_online(app))
		return;
	if (s->page_rows <= 0)
		s->page_rows = 10;
	/* the rows shown stay (marked loading) until the answer replaces them */
	s->from_start = false;
	s->keep_id = from_start ? 0 : s->rows[s->selected].id;
	if (from_start)
		s->selected = 0;
	else
		s->first = s->rows[0];
	/* the grid first: when the rows change, their totals are there */
	s->summary_loading = db_order_summary_submit(db, s, &s->filter, summary_answer, s);
	s->loading = submit_page(s, from_start ? STEP_FIRST : STEP_AT);
	if (!s->loading)
		app_status(app, true, "orders: %s", db->err);
}

static void orders_query(struct app *app, void *state)
{
	start_refresh(app, state);
}

/* The filter changed: read again once typing pauses; cancel what is now
 * superseded at once, so the server stops working on it. */
static void refresh_soon(struct app *app, struct orders_state *s, bool from_start)
{
	db_cancel_owner(app_db(app), s);
	s->from_start |= from_start;
	s->loading = true;
	s->refresh_due = db_now_ms() + DEBOUNCE_MS;
	app_wake_in(app, DEBOUNCE_MS);
}

static int orders_tick(struct app *app, void *state)
{
	struct orders_state *s = state;

	if (s->refresh_due && db_now_ms() >= s->refresh_due) {
		start_refresh(app, s);
		return SCR_REDRAW;
	}
	if (s->refresh_due)
		app_wake_in(app, (int)(s->refresh_due - db_now_ms()));
	return SCR_IGNORED;
}

static void restart(struct app *app, struct orders_state *s)
{
	s->from_start = true;
	start_refresh(app, s);
}

/* ---- moving ---- */

static int orders_move(struct app *app, struct orders_state *s, enum action action)
{
	int page = s->page_rows;
	struct order_row edge;

	if (s->count == 0)
		return SCR_IGNORED;
	/* Paging reads synchronously from the page shown: not while that
	 * page is being replaced. */
	if ((s->loading || s->refresh_due) &&
	    (action == ACT_PAGE_DOWN || action == ACT_PAGE_UP || action == ACT_HOME || action == ACT_END ||
	     (action == ACT_UP && s->selected == 0) || (action == ACT_DOWN && s->selected >= s->count - 1)))
		return SCR_HANDLED;
	switch (action) {
	case ACT_UP:
		if (s->selected > 0) {
			s->selected--;
		} else {
			edge = s->rows[0];
			/* one row back: read the page that starts just before */
			if (read_page(app, s, FROM_BEFORE, &edge, 1, true)) {
				edge = s->rows[0];
				read_page(app, s, FROM_AT, &edge, page, true);
			}
		}
		break;
	case ACT_DOWN:
		if (s->selected < s->count - 1) {
			s->selected++;
		} else if (s->count > 1 || page == 1) {
			edge = s->rows[s->count - 1];
			if (read_page(app, s, FROM_AFTER, &edge, 1, false)) {
				edge = s->rows[1 < s->count ? 1 : 0];
				read_page(app, s, page == 1 ? FROM_AFTER : FROM_AT, &edge, page, true);
				s->selected = s->count - 1;
			}
		}
		break;
	case ACT_PAGE_DOWN:
		edge = s->rows[s->count - 1];
		if (read_page(app, s, FROM_AFTER, &edge, page, true) && s->count < page)
			read_page(app, s, FROM_LAST, NULL, page, true);
		else if (s->selected < s->count - 1 && s->count < page)
			s->selected = s->count - 1;
		break;
	case ACT_PAGE_UP:
		edge = s->rows[0];
		if (!read_page(app, s, FROM_BEFORE, &edge, page, true))
			s->selected = 0;
		else if (s->count < page)
			read_page(app, s, FROM_FIRST, NULL, page, true);
		break;
	case ACT_HOME:
		read_page(app, s, FROM_FIRST, NULL, page, true);
		s->selected = 0;
		break;
	case ACT_END:
		read_page(app, s, FROM_LAST, NULL, page, true);
		s->selected = s->count - 1;
		break;
	default:
		return SCR_IGNORED;
	}
	if (s->selected >= s->count)
		s->selected = s->count - 1;
	return SCR_HANDLED | SCR_REDRAW;
}

/* ---- drawing ---- */

/* A number in at most width characters: 1234567 -> "1.2M" when needed. */
static void compact(char *buf, int size, long long v, int width, bool money)
{
	static const char *const units[] = { "", "k", "M", "G", "T" };
	double d = money ? v / 100.0 : (double)v;
	int u = 0;

	if (money)
		money_format(buf, (size_t)size, v);
	else
		snprintf(buf, (size_t)size, "%lld", v);
	if ((int)strlen(buf) <= width)
		return;
	while (d >= 1000 && u < 4) {
		d /= 1000;
		u++;
	}
	snprintf(buf, (size_t)size, d < 10 ? "%.1f%s" : "%.0f%s", d, units[u]);
}

static void draw_filters(struct orders_state *s, struct rect a, int y)
{
	int x = a.x + 1, w = a.w - 2;
	/* Two lines: search, status, payment / from, to, tickets. */
	int search_w = w / 2, choice_w = (w - search_w) / 2;
	form_draw_field(&s->filters, FF_SEARCH, y, x, 7, search_w - 1, s->filter_focus);
	form_draw_field(&s->filters, FF_STATUS, y, x + search_w, 7, choice_w - 1, s->filter_focus);
	form_draw_field(&s->filters, FF_PAYMENT, y, x + search_w + choice_w, 8, w - search_w - choice_w, s->filter_focus);
	form_draw_field(&s->filters, FF_FROM, y + 1, x, 5, 16, s->filter_focus);
	form_draw_field(&s->filters, FF_TO, y + 1, x + 17, 3, 14, s->filter_focus);
	form_draw_field(&s->filters, FF_TICKETS, y + 1, x + 32, 8, 20, s->filter_focus);
	if (s->filter_error[0])
		draw_text(y + 1, x + 54, w - 54, s->filter_error, theme_attr(C_STATUS_ERR));
	else if (s->loading || s->summary_loading || s->refresh_due)
		draw_text(y + 1, x + 54, w - 54, "loading…", theme_attr(C_DIM));
	else if (!s->filter_focus) {
		char k[3][16], hint[80];
		snprintf(hint, sizeof hint, "%s search  %s filters  %s reset", key_hint("orders", ACT_SEARCH, k[0], 16),
			 key_hint("orders", ACT_FILTERS, k[1], 16), key_hint("orders", ACT_RESET, k[2], 16));
		draw_text(y + 1, x + 54, w - 54, hint, theme_attr(C_DIM));
	}
}

static void draw_summary(struct orders_state *s, struct rect a, int y)
{
	int label_w = 13, gw = (a.w - 2 - label_w) / SUMMARY_COLS;
	int ow = gw >= 24 ? 6 : 4, tw = ow, aw = gw - ow - tw - 3;

	for (int g = 0; g < SUMMARY_COLS; g++) {
		int gx = a.x + 1 + label_w + g * gw;
		draw_text(y, gx, gw - 1, g < SUMMARY_COLS - 1 ? payment_label((enum payment_method)g) : "Total",
			  theme_attr(C_TITLE));
		draw_text_right(y + 1, gx, ow, "ORD", A_UNDERLINE);
		draw_text_right(y + 1, gx + ow + 1, tw, "TIX", A_UNDERLINE);
		draw_text_right(y + 1, gx + ow + tw + 2, aw, "AMOUNT", A_UNDERLINE);
	}
	for (int r = 0; r < SUMMARY_ROWS; r++) {
		unsigned attr = r == SUMMARY_ROWS - 1 ? A_BOLD : A_NORMAL;
		draw_text(y + 2 + r, a.x + 1, label_w - 1,
			  r < SUMMARY_ROWS - 1 ? order_status_label((enum order_status)r) : "Total", attr | A_BOLD);
		for (int g = 0; g < SUMMARY_COLS; g++) {
			const struct order_summary_cell *c = &s->summary.cell[r][g];
			int gx = a.x + 1 + label_w + g * gw;
			char buf[32];
			compact(buf, sizeof buf, c->orders, ow, false);
			draw_text_right(y + 2 + r, gx, ow, buf, attr);
			compact(buf, sizeof buf, c->tickets, tw, false);
			draw_text_right(y + 2 + r, gx + ow + 1, tw, buf, attr);
			compact(buf, sizeof buf, c->amount, aw, true);
			draw_text_right(y + 2 + r, gx + ow + tw + 2, aw, buf, attr);
		}
	}
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

static void draw_list(struct orders_state *s, struct rect a, int y, int h)
{
	struct column cols[C_COUNT];
	int map[C_COUNT], n = 0, xs[C_COUNT], ws[C_COUNT], shown;

	for (int c = 0; c < C_COUNT; c++) {
		if (a.w < columns[c].min_width)
			continue;
		cols[n] = columns[c].col;
		if (columns[c].sort == s->sort) {
			static char title[C_COUNT][32];
			snprintf(title[c], sizeof title[c], "%s%s", columns[c].col.title, s->descending ? "▼" : "▲");
			cols[n].title = title[c];
		}
		map[n++] = c;
	}
	shown = draw_columns(y, a.x + 1, a.w - 2, cols, n, xs, ws, theme_attr(C_TITLE) | A_UNDERLINE);
	for (int i = 0; i < s->count && i < h - 1; i++) {
		const struct order_row *r = &s->rows[i];
		unsigned attr = i == s->selected && !s->filter_focus ? theme_attr(C_SELECTED) : A_NORMAL;
		int row_y = y + 1 + i;
		draw_fill(row_y, a.x, a.w, attr);
		for (int k = 0; k < shown; k++) {
			char buf[256];
			const char *text = buf;
			unsigned cell = attr;
			switch (map[k]) {
			case C_COMPANY: text = r->company; break;
			case C_CONTACT: text = r->contact; break;
			case C_DATE: text = r->date; break;
			case C_ORDERED: snprintf(buf, sizeof buf, "%lld", r->ordered); break;
			case C_TICKETS:
				snprintf(buf, sizeof buf, "%lld", r->tickets);
				if (r->status == ORDER_SETTLED && r->tickets < r->ordered && attr == A_NORMAL)
					cell = theme_attr(C_WARN);
				break;
			case C_AMOUNT: money_format(buf, sizeof buf, r->amount); break;
			case C_VAT: money_format(buf, sizeof buf, r->vat); break;
			case C_PAYMENT: text = payment_name(r->payment); break;
			case C_STATUS:
				text = order_status_label(r->status);
				if (attr == A_NORMAL)
					cell = theme_attr(r->status == ORDER_SETTLED ? C_SETTLED
							  : r->status >= ORDER_CANCELLED ? C_DIM : C_NORMAL);
				break;
			case C_ACTIONS: actions_text(r, buf, sizeof buf); break;
			}
			if (cols[k].right)
				draw_text_right(row_y, xs[k], ws[k], text, cell);
			else
				draw_text(row_y, xs[k], ws[k], text, cell);
		}
	}
	if (s->count == 0 && !s->loading && !s->refresh_due)
		draw_text(y + 2, a.x + 2, a.w - 4, "No orders match the filters.", theme_attr(C_DIM));
}

static void draw_prompt(struct orders_state *s, struct rect a)
{
	int y = a.y + a.h - 1;
	draw_fill(y, a.x, a.w, A_REVERSE);
	form_draw_field(&s->pform, 0, y, a.x + 1, (int)strlen(s->pfield.label) + 1, a.w - 2, true);
}

static void orders_draw(struct app *app, void *state, struct rect a)
{
	struct orders_state *s = state;
	int y = a.y, list_h, want;

	if (!app_event_id(app)) {
		draw_text(a.y + 1, a.x + 2, a.w - 4, "No event chosen: pick one on the Events screen.", theme_attr(C_DIM));
		return;
	}
	draw_filters(s, a, y);
	y += 2;
	if (!s->hide_summary && a.h >= 18) {
		draw_summary(s, a, y + 1);
		y += 7;
	}
	list_h = a.y + a.h - y - (s->prompt || s->writing[0] ? 1 : 0);
	/* The page is as tall as the list area: re-read when that changes. */
	want = list_h - 1 > PAGE_MAX ? PAGE_MAX : list_h - 1;
	if (want > 0 && want != s->page_rows) {
		/* never read from here: ask the loop to, right after this frame */
		s->page_rows = want;
		s->refresh_due = db_now_ms();
		app_wake_in(app, 0);
	}
	draw_list(s, a, y, list_h);
	if (s->prompt) {
		draw_prompt(s, a);
	} else if (s->writing[0]) {
		draw_fill(a.y + a.h - 1, a.x, a.w, A_REVERSE);
		draw_text(a.y + a.h - 1, a.x + 1, a.w - 2, s->writing, A_REVERSE | A_BOLD);
	}
}

/* ---- actions ---- */

static const struct order_row *selected_row(struct orders_state *s)
{
	return s->count > 0 ? &s->rows[s->selected] : NULL;
}

static int refuse(struct app *app, const struct order_row *r, const char *what)
{
	app_status(app, true, "order #%lld is %s: a %s order cannot be %s", r->id,
		   order_status_label(r->status), payment_name(r->payment), what);
	return SCR_HANDLED | SCR_REDRAW;
}

/* The answer to the write: the status line says what became of it and
 * the list is read again. A link that failed first leaves it unknown. */
static void written(struct db *db, json_t *doc, void *ctx)
{
	struct orders_state *s = ctx;

	s->writing[0] = '\0';
	if (doc)
		app_status(s->app, false, "order #%lld %s", s->write_order, s->write_done);
	else if (db_answer_lost(db))
		app_status(s->app, true, "order #%lld: not confirmed — check the order list (%s)", s->write_order,
			   db->err);
	else
		app_status(s->app, true, "order #%lld: %s", s->write_order, db->err);
	s->refresh_due = db_now_ms();
	app_wake_in(s->app, 0);
}

static bool write_busy(struct app *app, struct orders_state *s)
{
	if (!s->writing[0])
		return false;
	app_status(app, true, "still %s — wait for the answer", s->writing);
	return true;
}

enum write_kind { W_INVOICE, W_SETTLE, W_CANCEL, W_REFUND, W_GENERATE };

static int write_order(struct app *app, struct orders_state *s, enum write_kind kind, long long id,
		       long long version, const char *ref)
{
	static const struct {
		const char *doing, *done, *reason;
		enum order_status to;
	} w[] = {
		[W_INVOICE] = { "invoicing", "invoiced", "invoice sent", ORDER_INVOICE_SENT },
		[W_SETTLE] = { "settling", "settled", "settled at the desk", ORDER_SETTLED },
		[W_CANCEL] = { "cancelling", "cancelled", NULL, ORDER_CANCELLED },
		[W_REFUND] = { "refunding", "refunded", NULL, ORDER_REFUNDED },
		[W_GENERATE] = { "generating tickets of", "has all its tickets", NULL, ORDER_SETTLED },
	};
	struct db *db = app_db(app);
	bool queued;

	if (write_busy(app, s))
		return SCR_HANDLED | SCR_REDRAW;
	if (kind == W_GENERATE)
		queued = db_order_generate_tickets_submit(db, s->writing, id, version, written, s);
	else
		queued = db_order_set_status_submit(db, s->writing, id, order_status_name(w[kind].to), version, ref,
						    w[kind].reason, written, s);
	if (!queued) {
		app_status(app, true, "order #%lld: %s", id, db->err);
		return SCR_HANDLED | SCR_REDRAW;
	}
	s->write_order = id;
	snprintf(s->write_done, sizeof s->write_done, "%s", w[kind].done);
	snprintf(s->writing, sizeof s->writing, "%s order #%lld…", w[kind].doing, id);
	app_status(app, false, "%s", s->writing);
	return SCR_HANDLED | SCR_REDRAW;
}

static void open_prompt(struct orders_state *s, enum prompt_kind kind, const char *label,
			const char *initial, enum field_kind field_kind, const struct order_row *r)
{
	s->prompt = kind;
	s->pfield = (struct form_field){ .label = label, .kind = field_kind, .max_chars = 200 };
	snprintf(s->pfield.text, sizeof s->pfield.text, "%s", initial);
	s->pform = (struct form){ &s->pfield, 1, 0 };
	s->prompt_order = r ? r->id : 0;
	s->prompt_version = r ? r->version : -1;
}

struct export_ctx {
	struct app *app;
	bool stopped;
};

static bool export_progress(long long rows, void *ctx)
{
	struct export_ctx *e = ctx;
	int ch;
	char stop[16];
	mvprintw(LINES - 2, 1, "Exporting… %lld rows (%s stops)   ", rows, key_hint("modal", ACT_BACK, stop, sizeof stop));
	refresh();
	while ((ch = getch()) != ERR)
		if (keymap_modal(ch) == ACT_BACK)
			e->stopped = true;
	return !e->stopped;
}

static int run_export(struct app *app, struct orders_state *s, const char *path)
{
	char tmp[4096];
	FILE *out;
	long long rows;
	struct export_ctx ctx = { app, false };

	snprintf(tmp, sizeof tmp, "%s.part", path);
	if (!(out = fopen(tmp, "w"))) {
		app_status(app, true, "export: cannot write %s: %m", path);
		return SCR_HANDLED | SCR_REDRAW;
	}
	rows = db_order_export(app_db(app), &s->filter, s->sort, s->descending, out, export_progress, &ctx);
	if (fclose(out) != 0 && rows >= 0)
		rows = -2;
	if (rows >= 0 && rename(tmp, path) == 0) {
		app_status(app, false, "exported %lld orders to %s", rows, path);
	} else {
		remove(tmp);
		app_status(app, true, "export to %s failed: %s", path,
			   rows == -2 ? "write error" : app_db(app)->err);
	}
	return SCR_HANDLED | SCR_REDRAW;
}

static int prompt_done(struct app *app, struct orders_state *s)
{
	enum prompt_kind kind = s->prompt;
	const char *text = s->pfield.text;
	long long id = s->prompt_order, v = s->prompt_version;

	s->prompt = PROMPT_NONE;
	switch (kind) {
	case PROMPT_SETTLE:
		return write_order(app, s, W_SETTLE, id, v, text[0] ? text : NULL);
	case PROMPT_CANCEL:
	case PROMPT_REFUND:
		if ((text[0] | 0x20) != 'y') {
			app_status(app, false, "nothing changed");
			return SCR_HANDLED | SCR_REDRAW;
		}
		return write_order(app, s, kind == PROMPT_CANCEL ? W_CANCEL : W_REFUND, id, v, NULL);
	case PROMPT_EXPORT:
		return run_export(app, s, text);
	default:
		return SCR_HANDLED | SCR_REDRAW;
	}
}

static int act(struct app *app, struct orders_state *s, enum action action)
{
	const struct order_row *r = selected_row(s);
	char initial[64];
	time_t now = time(NULL);
	struct tm tm;

	if (action == ACT_EXPORT) {
		localtime_r(&now, &tm);
		strftime(initial, sizeof initial, "orders-%Y-%m-%d.csv", &tm);
		open_prompt(s, PROMPT_EXPORT, "Export CSV to:", initial, FIELD_TEXT, NULL);
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_NEW) {
		app_push(app, &neworder_screen, NULL);
		return SCR_HANDLED;
	}
	if (!r)
		return SCR_HANDLED;
	switch (action) {
	case ACT_OPEN:
		app_push(app, &order_screen, &(struct screen_arg){ r->id, NULL });
		return SCR_HANDLED;
	case ACT_ASSIGN:
		app_push(app, &assign_screen, &(struct screen_arg){ r->id, NULL });
		return SCR_HANDLED;
	case ACT_INVOICE:
		if (!order_can_transition(r->payment, r->status, ORDER_INVOICE_SENT))
			return refuse(app, r, "invoiced");
		return write_order(app, s, W_INVOICE, r->id, r->version, NULL);
	case ACT_SETTLE:
		if (write_busy(app, s))
			return SCR_HANDLED | SCR_REDRAW;
		if (!order_can_transition(r->payment, r->status, ORDER_SETTLED))
			return refuse(app, r, "settled");
		open_prompt(s, PROMPT_SETTLE, "Payment reference (Enter to skip):", "", FIELD_TEXT, r);
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_CANCEL:
		if (write_busy(app, s))
			return SCR_HANDLED | SCR_REDRAW;
		if (!order_can_transition(r->payment, r->status, ORDER_CANCELLED))
			return refuse(app, r, "cancelled");
		open_prompt(s, PROMPT_CANCEL, "Cancel this order? (y/n)", "", FIELD_TEXT, r);
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_REFUND:
		if (write_busy(app, s))
			return SCR_HANDLED | SCR_REDRAW;
		if (!order_can_transition(r->payment, r->status, ORDER_REFUNDED))
			return refuse(app, r, "refunded");
		open_prompt(s, PROMPT_REFUND, "Refund this order? (y/n)", "", FIELD_TEXT, r);
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_GENERATE:
		if (r->status != ORDER_SETTLED) {
			app_status(app, true, "order #%lld is %s: tickets come from settled orders only",
				   r->id, order_status_label(r->status));
			return SCR_HANDLED | SCR_REDRAW;
		}
		return write_order(app, s, W_GENERATE, r->id, r->version, NULL);
	default:
		return SCR_IGNORED;
	}
}

static int orders_key(struct app *app, void *state, enum action action, int key)
{
	struct orders_state *s = state;

	if (s->prompt) {
		switch (keymap_modal(key)) {
		case ACT_BACK:
			s->prompt = PROMPT_NONE;
			app_status(app, false, "nothing changed");
			return SCR_HANDLED | SCR_REDRAW;
		case ACT_SUBMIT:
			return prompt_done(app, s);
		case ACT_NONE:
			form_key(&s->pform, ACT_NONE, key);
			return SCR_HANDLED | SCR_REDRAW;
		default:
			return SCR_IGNORED; /* help, menu, quit */
		}
	}
	if (s->filter_focus) {
		int r;
		enum action m = keymap_modal(key);
		if (m == ACT_BACK || m == ACT_SUBMIT) {
			s->filter_focus = false;
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (action == ACT_RESET || keymap_is_command_key(key))
			goto list_keys;
		r = form_key(&s->filters, action == ACT_FILTERS ? ACT_NEXT_FIELD : ACT_NONE, key);
		if (r & FORM_CHANGED) {
			/* the pane shows the new filter now (and says if it is
			 * wrong); list and summary follow when typing pauses */
			filters_apply(s, app_event_id(app));
			refresh_soon(app, s, true);
		}
		return SCR_HANDLED | SCR_REDRAW;
	}
list_keys:
	switch (action) {
	case ACT_SEARCH:
	case ACT_FILTERS:
		s->filter_focus = true;
		if (action == ACT_SEARCH)
			s->filters.focus = FF_SEARCH;
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_RESET:
		filters_init(s);
		s->filters.focus = FF_SEARCH;
		restart(app, s);
		app_status(app, false, "filters reset");
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_SORT:
		s->sort = (enum order_sort)((s->sort + 1) % SORT_COUNT);
		restart(app, s);
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_REVERSE:
		s->descending = !s->descending;
		restart(app, s);
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_SUMMARY:
		s->hide_summary = !s->hide_summary;
		return SCR_HANDLED | SCR_REDRAW;
	default:
		break;
	}
	if (orders_move(app, s, action) & SCR_HANDLED)
		return SCR_HANDLED | SCR_REDRAW;
	return act(app, s, action);
}

static int orders_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	(void)app;
	(void)state;
	(void)payload;
	return strcmp(channel, "boxoffice_orders") == 0 ? SCR_REQUERY : SCR_IGNORED;
}

static void orders_done(struct app *app, void *state)
{
	struct orders_state *s = state;
	db_cancel_owner(app_db(app), s->writing);
}

static void orders_init(struct app *app, void *state, const struct screen_arg *arg)
{
	struct orders_state *s = state;
	s->app = app;
	filters_init(s);
	s->sort = SORT_DATE;
	s->descending = true; /* newest first */
}

const struct screen_ops orders_screen = {
	.name = "orders",
	.title = "Ticket Orders",
	.state_size = sizeof(struct orders_state),
	.init = orders_init,
	.done = orders_done,
	.query = orders_query,
	.draw = orders_draw,
	.on_key = orders_key,
	.on_notify = orders_notify,
	.on_tick = orders_tick,
};

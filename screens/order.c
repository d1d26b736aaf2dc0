/* One order: its fields, lines, tickets with their holders, and the change
 * log. It takes the list's actions (invoice, settle, cancel, refund,
 * generate, assign) with the same prompts (screens/orders_actions.c).
 * Live like the list. */
#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../src/app/theme.h"
#include "../src/core/document.h"
#include "../src/core/money.h"
#include "../src/db/async.h"
#include "../src/core/util.h"
#include "../src/db/orders.h"
#include "orders.h"

#define DETAIL_LINES 400

struct order_view {
	long long order_id; /* what the screen was opened on */
	char lines[DETAIL_LINES][160];
	unsigned attrs[DETAIL_LINES];
	int count, top;
	int rows; /* the lines the last draw had room for (scrolling stops at the end) */
	struct read_mark mark;
	struct order_row row; /* the order as last read, for its actions */
	bool have_row;
	struct order_actions act;
};

static void add(struct order_view *v, unsigned attr, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(struct order_view *v, unsigned attr, const char *fmt, ...)
{
	va_list ap;
	if (v->count == DETAIL_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(v->lines[v->count], sizeof v->lines[0], fmt, ap);
	va_end(ap);
	v->attrs[v->count++] = attr;
}

/* The answer: the lines shown are rebuilt; a failed read keeps what was
 * shown (marked unavailable). */
/* The order row's column, "" for NULL (no e-mail, not invoiced). */
static const char *text_of(const PGresult *o, int col)
{
	const char *t = db_text(o, 0, col);
	return t ? t : "";
}

static void order_answer(struct db *db, const struct order_detail *d, void *ctx)
{
	char code[48];
	struct order_view *v = ctx;
	long long id = v->order_id;
	const PGresult *o, *l, *t, *h;
	char amount[32], vat[32], net[32], who[160];

	read_mark_answer(&v->mark, db, d != NULL);
	if (!d)
		return;
	v->count = 0;
	o = d->order, l = d->lines, t = d->tickets, h = d->history;
	v->have_row = false;
	if (PQntuples(o) == 0) {
		add(v, theme_attr(C_STATUS_ERR), "Order #%lld cannot be read: not found", id);
		return;
	}
	v->row = (struct order_row){ .id = db_int(o, 0, OL_ID), .ordered = db_int(o, 0, OL_ORDERED),
				     .tickets = db_int(o, 0, OL_TICKETS), .amount = db_int(o, 0, OL_AMOUNT),
				     .vat = db_int(o, 0, OL_VAT), .version = db_int(o, 0, OL_VERSION) };
	utf8_copy(v->row.company, sizeof v->row.company, db_text(o, 0, OL_COMPANY));
	utf8_copy(v->row.contact, sizeof v->row.contact, db_text(o, 0, OL_CONTACT));
	utf8_copy(v->row.station, sizeof v->row.station, db_text(o, 0, OD_STATION));
	payment_parse(db_text(o, 0, OL_PAYMENT), &v->row.payment);
	order_status_parse(db_text(o, 0, OL_STATUS), &v->row.status);
	v->have_row = true;
	money_format(amount, sizeof amount, db_int(o, 0, OL_AMOUNT));
	money_format(vat, sizeof vat, db_int(o, 0, OL_VAT));
	money_format(net, sizeof net, db_int(o, 0, OD_NET));
	add(v, theme_attr(C_TITLE), "Order #%lld — %s (%s)", id, order_status_label(v->row.status),
	    payment_label(v->row.payment));
	add(v, A_NORMAL, "Event      %s", db_text(o, 0, OD_EVENT_NAME));
	add(v, A_NORMAL, "Company    %s%s%s", order_row_buyer(&v->row, who, sizeof who),
	    *db_text(o, 0, OD_ORG_NAME) ? "  · organization: " : "", db_text(o, 0, OD_ORG_NAME));
	if (*text_of(o, OL_EMAIL))
		add(v, A_NORMAL, "Contact    %s <%s>", text_of(o, OL_CONTACT), text_of(o, OL_EMAIL));
	else
		add(v, A_NORMAL, "Contact    %s", *text_of(o, OL_CONTACT) ? text_of(o, OL_CONTACT) : "—");
	add(v, A_NORMAL, "Date       %s   channel %s   station %s", db_text(o, 0, OL_DATE), db_text(o, 0, OD_CHANNEL),
	    db_text(o, 0, OD_STATION));
	add(v, A_NORMAL, "Amount     %s net + %s VAT = %s", net, vat, amount);
	/* the invoice as its PDF and mail name it (INV-<event>-<no>) */
	if (*text_of(o, OL_INVOICE)) /* NULL: not invoiced */
		doc_invoice_code(code, sizeof code, db_int(o, 0, OL_EVENT), (int)db_int(o, 0, OL_INVOICE));
	else
		snprintf(code, sizeof code, "—");
	add(v, A_NORMAL, "Invoice    %s   payment ref %s   external ref %s", code,
	    db_text(o, 0, OD_PAYMENT_REF) ? db_text(o, 0, OD_PAYMENT_REF) : "—",
	    db_text(o, 0, OD_EXTERNAL_REF) ? db_text(o, 0, OD_EXTERNAL_REF) : "—");
	add(v, A_NORMAL, "Tickets    %s of %s ordered   (version %s)", db_text(o, 0, OL_TICKETS),
	    db_text(o, 0, OL_ORDERED), db_text(o, 0, OL_VERSION));
	add(v, A_NORMAL, "%s", "");
	add(v, theme_attr(C_TITLE) | A_UNDERLINE, "%-16s %5s %12s %12s %10s", "LINE", "QTY", "UNIT", "NET", "VAT");
	for (int i = 0; i < PQntuples(l); i++) {
		char unit[32], lnet[32], lvat[32];
		money_format(unit, sizeof unit, db_int(l, i, 2));
		money_format(lnet, sizeof lnet, db_int(l, i, 3));
		money_format(lvat, sizeof lvat, db_int(l, i, 4));
		char type[80];
		add(v, A_NORMAL, "%s %5s %12s %12s %10s", text_cell(type, sizeof type, db_text(l, i, 0), 16),
		    db_text(l, i, 1), unit, lnet, lvat);
	}
	add(v, A_NORMAL, "%s", "");
	add(v, theme_attr(C_TITLE) | A_UNDERLINE, "%-8s %-12s %-6s %-6s %s", "TICKET", "TYPE", "NO", "STATUS", "HOLDER");
	for (int i = 0; i < PQntuples(t); i++) {
		char type[64];
		add(v, A_NORMAL, "%-8s %s %-6s %-6s %s %s", db_text(t, i, 0), text_cell(type, sizeof type, db_text(t, i, 1), 12),
		    db_text(t, i, 2), db_text(t, i, 3), *db_text(t, i, 4) ? db_text(t, i, 4) : "(not assigned)",
		    db_text(t, i, 5));
	}
	if (PQntuples(t) == 0)
		add(v, theme_attr(C_DIM), "No tickets: they are generated when the order is settled.");
	add(v, A_NORMAL, "%s", "");
	add(v, theme_attr(C_TITLE) | A_UNDERLINE, "%-19s %-14s %-18s %s", "WHEN", "STATION", "WHAT", "WHY");
	for (int i = 0; i < PQntuples(h); i++) {
		char label[64], what[200], cut[200], station[64];
		/* a line's row says which line ("Order 2 × Adult"): an order of
		 * three lines was three identical "Order" rows */
		order_action_label(db_text(h, i, 2), label, sizeof label);
		snprintf(what, sizeof what, "%s%s%s", label, *db_text(h, i, 4) ? " " : "", db_text(h, i, 4));
		add(v, A_NORMAL, "%-19s %s %s %s", db_text(h, i, 0), text_cell(station, sizeof station, db_text(h, i, 1), 14),
		    text_cell(cut, sizeof cut, what, 18), db_text(h, i, 3));
	}
}

/* The first line that shows the end of the lines in rows lines. */
static int top_max(const struct order_view *v)
{
	int rows = v->rows > 0 ? v->rows : 1;
	return v->count > rows ? v->count - rows : 0;
}

static void order_query(struct app *app, void *state)
{
	struct order_view *v = state;
	struct db *db = app_db(app);

	db_cancel_owner(db, v); /* a newer read supersedes */
	v->mark.loading = false;
	read_mark_sent(&v->mark, app, db_order_detail_submit(db, v, v->order_id, order_answer, v));
}

static void order_draw(struct app *app, void *state, struct rect a)
{
	struct order_view *v = state;
	char buf[600], line[700];
	const char *mark = read_mark_text(app, &v->mark, buf, sizeof buf);
	bool stale = read_mark_stale(app, &v->mark);

	if (mark) {
		/* what is shown below is not current (or nothing was read yet) */
		if (v->count == 0)
			snprintf(line, sizeof line, "Order #%lld: %s", v->order_id,
				 mark);
		else
			snprintf(line, sizeof line, "Order #%lld — %s (shown as last read)", v->order_id, mark);
		draw_text(a.y, a.x + 2, a.w - 4, line, stale ? theme_attr(C_OFFLINE) : theme_attr(C_DIM));
		a.y++, a.h--;
	}
	if (order_actions_lines(&v->act)) {
		order_actions_draw(&v->act, a);
		a.h -= order_actions_lines(&v->act);
	}
	v->rows = a.h;
	if (v->top > top_max(v))
		v->top = top_max(v);
	for (int i = 0; i < a.h && v->top + i < v->count; i++) {
		/* lines below the last row: say so there (the history grows
		 * at the bottom: "Invoice sent" after i is down there) */
		if (i == a.h - 1 && v->top + i < v->count - 1) {
			char more[80];
			snprintf(more, sizeof more, "more below ↓ (%d lines: Down, PgDn)", v->count - v->top - i);
			draw_text(a.y + i, a.x + 2, a.w - 4, more, theme_attr(C_DIM) | A_BOLD);
			break;
		}
		draw_text(a.y + i, a.x + 2, a.w - 4, v->lines[v->top + i], stale ? theme_attr(C_DIM) : v->attrs[v->top + i]);
	}
}

static int order_key(struct app *app, void *state, enum action action, int key)
{
	struct order_view *v = state;
	int r;

	if (v->act.prompt)
		return order_actions_prompt_key(app, &v->act, key);
	switch (action) {
	/* a page is the rows shown less one (the line kept for context) */
	case ACT_UP: v->top = v->top > 0 ? v->top - 1 : 0; break;
	case ACT_DOWN: v->top = v->top < top_max(v) ? v->top + 1 : v->top; break;
	case ACT_PAGE_UP: v->top = v->top > v->rows - 1 ? v->top - (v->rows - 1) : 0; break;
	case ACT_PAGE_DOWN:
		v->top = v->top + (v->rows > 1 ? v->rows - 1 : 1);
		if (v->top > top_max(v))
			v->top = top_max(v);
		break;
	case ACT_HOME: v->top = 0; break;
	case ACT_END: v->top = top_max(v); break;
	case ACT_ASSIGN:
		app_push(app, &assign_screen, &(struct screen_arg){ v->order_id, NULL });
		return SCR_HANDLED;
	case ACT_RECEIPT:
		return order_actions_receipt(app, &v->act, v->have_row ? &v->row : NULL);
	default:
		/* the order as last read: a stale one is refused by the
		 * database ("changed since you opened it") */
		r = order_actions_key(app, &v->act, v->have_row ? &v->row : NULL, action);
		if (r == SCR_HANDLED && !v->have_row)
			app_status(app, true, "order #%lld: not read yet", v->order_id);
		return r ? r | SCR_REDRAW : SCR_IGNORED;
	}
	return SCR_HANDLED | SCR_REDRAW;
}

static int order_mouse(struct app *app, void *state, enum mouse_event event, int y, int x)
{
	struct order_view *v = state;
	(void)y, (void)x;
	if (event == MOUSE_WHEEL_UP || event == MOUSE_WHEEL_DOWN)
		return order_key(app, v, event == MOUSE_WHEEL_UP ? ACT_UP : ACT_DOWN, 0);
	return SCR_IGNORED;
}

static int order_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	(void)app;
	(void)state;
	(void)payload;
	return strcmp(channel, "boxoffice_orders") == 0 ? SCR_REQUERY : SCR_IGNORED;
}

static int order_tick(struct app *app, void *state)
{
	struct order_view *v = state;

	order_actions_tick(app, &v->act);
	return SCR_REDRAW;
}

static void order_after_write(struct app *app, void *ctx)
{
	order_query(app, ctx);
}

static void order_done(struct app *app, void *state)
{
	struct order_view *v = state;
	order_actions_done(app, &v->act);
}

static void order_init(struct app *app, void *state, const struct screen_arg *arg)
{
	struct order_view *v = state;
	v->order_id = arg ? arg->id : 0;
	v->act.app = app;
	v->act.after = order_after_write;
	v->act.after_ctx = v;
}

const struct screen_ops order_screen = {
	.on_tick = order_tick,
	.name = "order",
	.needs = "clerk",
	.title = "Order",
	.state_size = sizeof(struct order_view),
	.init = order_init,
	.done = order_done,
	.query = order_query,
	.draw = order_draw,
	.on_key = order_key,
	.on_notify = order_notify,
	.on_mouse = order_mouse,
};

/* Ticket Orders: the actions on the selected order, sent as queued writes,
 * and the one-line prompts that confirm them. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "../src/app/theme.h"
#include "../src/db/inventory.h"
#include "orders.h"

void orders_draw_prompt(struct orders_state *s, struct rect a)
{
	int y = a.y + a.h - 1;
	draw_fill(y, a.x, a.w, A_REVERSE);
	form_draw_field(&s->pform, 0, y, a.x + 1, (int)strlen(s->pfield.label) + 1, a.w - 2, true);
}

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

int orders_prompt_done(struct app *app, struct orders_state *s)
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
		return orders_run_export(app, s, text);
	default:
		return SCR_HANDLED | SCR_REDRAW;
	}
}

int orders_act(struct app *app, struct orders_state *s, enum action action)
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

/* The actions on an order, sent as queued writes, and the one-line prompts
 * that confirm them: the same for the Ticket Orders list and the order
 * detail (screens/order.c). A prompt names the order ("Cancel order #204
 * Fjord AB, 4 ordered, 1,682.50? y/n") and y or n answers it at once. */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <stdlib.h>
#include <unistd.h>

#include <jansson.h>

#include "../src/app/theme.h"
#include "../src/core/money.h"
#include "../src/core/util.h"
#include "../src/db/inventory.h"
#include "../src/app/deliver.h"
#include "orders.h"

const char *order_row_buyer(const struct order_row *r, char *buf, size_t size)
{
	if (r->company[0])
		return r->company;
	snprintf(buf, size, "walk-in%s%s", r->station[0] ? " · " : "", r->station);
	return buf;
}

int prompt_yes_no(int key)
{
	if (key == 'y' || key == 'Y')
		return 1;
	if (key == 'n' || key == 'N' || keymap_modal(key) == ACT_BACK)
		return 0;
	return -1;
}

int order_actions_lines(const struct order_actions *a)
{
	if (a->prompt)
		return a->pfield.label && a->question[0] ? 2 : 1;
	return a->writing[0] ? 1 : 0;
}

/* The question in w columns: when it is too long the buyer's name gives
 * way (cut with "…"), never the amounts or the y/n at its end. */
static void draw_question(const struct order_actions *a, int y, int x, int w)
{
	char before[sizeof a->question], name[sizeof a->question], cut[sizeof a->question], out[3 * sizeof a->question];
	const char *after;
	int room;

	if (!a->name_len || draw_text_width(a->question) <= w) {
		draw_text(y, x, w, a->question, A_REVERSE | A_BOLD);
		return;
	}
	snprintf(before, sizeof before, "%.*s", (int)a->name_at, a->question);
	snprintf(name, sizeof name, "%.*s", (int)a->name_len, a->question + a->name_at);
	after = a->question + a->name_at + a->name_len;
	room = w - draw_text_width(before) - draw_text_width(after);
	text_ellipsis(cut, sizeof cut, name, room > 1 ? room : 1);
	snprintf(out, sizeof out, "%s%s%s", before, cut, after);
	draw_text(y, x, w, out, A_REVERSE | A_BOLD);
}

/* The prompt (its question on its own line when a field follows it), or
 * the write waiting for its answer, at the bottom of the area. */
void order_actions_draw(const struct order_actions *a, struct rect area)
{
	int y = area.y + area.h - 1;

	draw_fill(y, area.x, area.w, A_REVERSE);
	if (!a->prompt) {
		if (a->writing[0])
			draw_text(y, area.x + 1, area.w - 2, a->writing, A_REVERSE | A_BOLD);
		return;
	}
	if (!a->pfield.label) { /* a question answered y/n */
		draw_question(a, y, area.x + 1, area.w - 2);
		return;
	}
	if (a->question[0]) {
		draw_fill(y - 1, area.x, area.w, A_REVERSE);
		draw_question(a, y - 1, area.x + 1, area.w - 2);
	}
	form_draw_field(&a->pform, 0, y, area.x + 1, (int)strlen(a->pfield.label) + 1, area.w - 2, true);
}

void order_actions_ask(struct order_actions *a, enum prompt_kind kind, const struct order_row *r,
		       const char *question, bool text, const char *initial)
{
	a->prompt = kind;
	snprintf(a->question, sizeof a->question, "%s", question ? question : "");
	memset(&a->pfield, 0, sizeof a->pfield);
	if (text) {
		a->pfield = (struct form_field){ .kind = FIELD_TEXT, .max_chars = 200 };
		snprintf(a->pfield.text, sizeof a->pfield.text, "%s", initial ? initial : "");
	}
	a->pform = (struct form){ &a->pfield, 1, 0 };
	a->name_at = a->name_len = 0;
	if (r) {
		/* the buyer follows "#ID " (order_named): that is what may be cut */
		char who[160], id[32];
		const char *buyer = order_row_buyer(r, who, sizeof who), *at;
		snprintf(id, sizeof id, "#%lld ", r->id);
		if ((at = strstr(a->question, id)) && strncmp(at + strlen(id), buyer, strlen(buyer)) == 0 && *buyer) {
			a->name_at = (size_t)(at + strlen(id) - a->question);
			a->name_len = strlen(buyer);
		}
		a->target = *r;
	} else
		memset(&a->target, 0, sizeof a->target);
}

/* "#204 Fjord AB, 4 ordered, 1,682.50" (tickets ordered, as the detail's
 * "0 of 4 ordered": the list's TICKETS are those issued). The name whole:
 * the prompt cuts it to the width it is drawn in (draw_question). */
static void order_named(const struct order_row *r, char *buf, size_t size)
{
	char who[160], amount[32];
	const char *name = order_row_buyer(r, who, sizeof who);

	money_format(amount, sizeof amount, r->amount);
	if (payment_is_charged(r->payment))
		snprintf(buf, size, "#%lld %s, %lld ordered, %s", r->id, name, r->ordered, amount);
	else
		snprintf(buf, size, "#%lld %s, %lld ordered (%s)", r->id, name, r->ordered, payment_name(r->payment));
}

/* Why not, from the one table of src/core/order.c: "order #657 is
 * Requested: settling needs Invoice sent" (for its payment), or "order
 * #12: Card orders cannot be invoiced". */
static int refuse(struct app *app, const struct order_row *r, enum order_status to, const char *what)
{
	const char *doing = to == ORDER_INVOICE_SENT ? "invoicing" : to == ORDER_SETTLED ? "settling"
			    : to == ORDER_CANCELLED ? "cancelling" : "refunding";
	char from[96] = "";

	for (int st = 0; st < ORDER_STATUS_COUNT; st++)
		if (order_can_transition(r->payment, (enum order_status)st, to))
			snprintf(from + strlen(from), sizeof from - strlen(from), "%s%s", from[0] ? " or " : "",
				 order_status_label((enum order_status)st));
	if (from[0])
		app_status(app, true, "order #%lld is %s: %s needs %s", r->id, order_status_label(r->status), doing, from);
	else
		app_status(app, true, "order #%lld: %s orders cannot be %s", r->id, payment_label(r->payment), what);
	return SCR_HANDLED | SCR_REDRAW;
}

/* The invoice's PDF (and its mail when SMTP is set) made by a child,
 * never in the loop; order_actions_tick reports how it ended. says: the
 * status line meanwhile. */
static void invoice_job_start(struct order_actions *a, struct db *db, long long order_id, const char *says)
{
	char why[300];

	doc_job_detach(a->job);
	a->receipt_printing = a->receipt_unprinted = false;
	a->job = invoice_deliver(db, order_id, why, sizeof why);
	if (!a->job) {
		app_status(a->app, true, "order #%lld: no invoice PDF: %s", order_id, why);
		return;
	}
	app_status(a->app, false, "%s", says);
	app_wake_in(a->app, 300);
}

/* p on the order detail: its receipt printed again by a child, the
 * sale's way (receipt_deliver with print; a settled order's: the command
 * says why another has none); order_actions_tick saves the PDF instead
 * when it could not be printed. */
int order_actions_receipt(struct app *app, struct order_actions *a, const struct order_row *r)
{
	char why[300];

	a->app = app;
	if (!r)
		return SCR_HANDLED;
	if (a->job) {
		app_status(app, true, "a document is being made — wait for it");
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (r->status != ORDER_SETTLED) {
		app_status(app, true, "order #%lld is %s: a receipt is for a settled order", r->id,
			   order_status_label(r->status));
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (!(a->job = receipt_deliver(app_db(app), r->id, true, why, sizeof why))) {
		app_status(app, true, "order #%lld: no receipt: %s", r->id, why);
		return SCR_HANDLED | SCR_REDRAW;
	}
	a->receipt_printing = true;
	a->receipt_unprinted = false;
	a->receipt_order = r->id;
	app_status(app, false, "order #%lld: printing its receipt…", r->id);
	app_wake_in(app, 300);
	return SCR_HANDLED | SCR_REDRAW;
}

/* The answer to the write: the status line says what became of it (with
 * the invoice number an invoice was given) and what is shown is read
 * again. A link that failed first leaves it unknown. */
static void written(struct db *db, json_t *doc, void *ctx)
{
	struct order_actions *a = ctx;
	json_t *inv = doc ? json_object_get(doc, "invoice_no") : NULL;

	a->writing[0] = '\0';
	if (doc) {
		a->wrote_order = a->write_order;
		a->wrote_version = a->write_version;
		a->wrote_status = a->write_to;
		/* the version the write left, for the next write's check */
		a->wrote_new_version = json_is_integer(json_object_get(doc, "version"))
					       ? (long long)json_integer_value(json_object_get(doc, "version"))
					       : 0;
	}
	if (doc && json_is_integer(inv) && strcmp(a->write_done, "invoiced") == 0) {
		char says[120];
		snprintf(says, sizeof says, "order #%lld invoiced: invoice #%lld — making the PDF…", a->write_order,
			 (long long)json_integer_value(inv));
		invoice_job_start(a, db, a->write_order, says);
	} else if (doc)
		app_status(a->app, false, "order #%lld %s", a->write_order, a->write_done);
	else if (db_answer_lost(db))
		app_status(a->app, true, "order #%lld: not confirmed: %s; check the order list", a->write_order,
			   db->err);
	else
		app_status(a->app, true, "order #%lld: %s", a->write_order, db->err);
	if (a->after)
		a->after(a->app, a->after_ctx);
}

static bool write_busy(struct app *app, struct order_actions *a)
{
	if (!a->writing[0])
		return false;
	app_status(app, true, "still %s — wait for the answer", a->writing);
	return true;
}

enum write_kind { W_INVOICE, W_SETTLE, W_CANCEL, W_REFUND, W_GENERATE };

static int write_order(struct app *app, struct order_actions *a, enum write_kind kind, long long id,
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

	a->app = app;
	if (write_busy(app, a))
		return SCR_HANDLED | SCR_REDRAW;
	if (kind == W_GENERATE)
		queued = db_order_generate_tickets_submit(db, a->writing, id, version, written, a);
	else
		queued = db_order_set_status_submit(db, a->writing, id, order_status_name(w[kind].to), version, ref,
						    w[kind].reason, written, a);
	if (!queued) {
		app_status(app, true, "order #%lld: %s", id, db->err);
		return SCR_HANDLED | SCR_REDRAW;
	}
	a->write_order = id;
	a->write_version = version;
	a->write_to = w[kind].to;
	snprintf(a->write_done, sizeof a->write_done, "%s", w[kind].done);
	snprintf(a->writing, sizeof a->writing, "%s order #%lld…", w[kind].doing, id);
	app_status(app, false, "%s", a->writing);
	return SCR_HANDLED | SCR_REDRAW;
}

int order_actions_prompt_key(struct app *app, struct order_actions *a, int key)
{
	enum prompt_kind kind = a->prompt;
	const struct order_row *r = &a->target;
	int yes;

	if (kind == PROMPT_INVOICE || kind == PROMPT_RESEND || kind == PROMPT_CANCEL || kind == PROMPT_REFUND) {
		if ((yes = prompt_yes_no(key)) < 0)
			return keymap_modal(key) == ACT_NONE ? SCR_HANDLED : SCR_IGNORED; /* F1, F2, F10 pass */
		a->prompt = PROMPT_NONE;
		if (!yes) {
			app_status(app, false, "nothing changed");
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (kind == PROMPT_RESEND) { /* the same document again, same number */
			char says[80];
			snprintf(says, sizeof says, "order #%lld: making its invoice again…", r->id);
			invoice_job_start(a, app_db(app), r->id, says);
			return SCR_HANDLED | SCR_REDRAW;
		}
		return write_order(app, a, kind == PROMPT_INVOICE ? W_INVOICE : kind == PROMPT_CANCEL ? W_CANCEL : W_REFUND,
				   r->id, r->version, NULL);
	}
	switch (keymap_modal(key)) {
	case ACT_BACK:
		a->prompt = PROMPT_NONE;
		app_status(app, false, "nothing changed");
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_SUBMIT:
		a->prompt = PROMPT_NONE;
		return write_order(app, a, W_SETTLE, r->id, r->version, a->pfield.text[0] ? a->pfield.text : NULL);
	case ACT_NONE:
		form_key(&a->pform, ACT_NONE, key);
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_MENU:
		/* the menu would drop a typed reference unsaid: settle or drop it first */
		if (a->pfield.text[0]) {
			app_status(app, true, "a payment reference is typed: Enter settles, Esc drops it");
			return SCR_HANDLED | SCR_REDRAW;
		}
		return SCR_IGNORED;
	default:
		return SCR_IGNORED; /* help, quit */
	}
}

int order_actions_key(struct app *app, struct order_actions *a, const struct order_row *shown, enum action action)
{
	char named[1000], question[sizeof a->question];
	struct order_row fresh;
	const struct order_row *r = shown;

	a->app = app;
	if (action != ACT_INVOICE && action != ACT_SETTLE && action != ACT_CANCEL && action != ACT_REFUND &&
	    action != ACT_GENERATE)
		return SCR_IGNORED;
	if (!r)
		return SCR_HANDLED;
	if (write_busy(app, a))
		return SCR_HANDLED | SCR_REDRAW;
	if (r->id == a->wrote_order && r->version == a->wrote_version) {
		/* written a moment ago, not read again yet: the screen still
		 * shows the status it had */
		fresh = *r;
		fresh.status = a->wrote_status;
		if (a->wrote_new_version > 0)
			fresh.version = a->wrote_new_version;
		r = &fresh;
	}
	order_named(r, named, sizeof named);
	switch (action) {
	case ACT_INVOICE:
		if (r->payment == PAY_INVOICE && (r->status == ORDER_INVOICE_SENT || r->status == ORDER_SETTLED)) {
			/* sent already: the same invoice again (not mailed the first
			 * time, lost, asked for again), never a new number */
			/* the name gives way at draw time, so "? y/n" stays */
			snprintf(question, sizeof question, "Invoice order %s again (same number)? y/n", named);
			order_actions_ask(a, PROMPT_RESEND, r, question, false, NULL);
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (!order_can_transition(r->payment, r->status, ORDER_INVOICE_SENT))
			return refuse(app, r, ORDER_INVOICE_SENT, "invoiced");
		/* an invoice takes the next gapless number: never by a stray key */
		snprintf(question, sizeof question, "Send the invoice for order %s? y/n", named);
		order_actions_ask(a, PROMPT_INVOICE, r, question, false, NULL);
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_SETTLE:
		if (!order_can_transition(r->payment, r->status, ORDER_SETTLED))
			return refuse(app, r, ORDER_SETTLED, "settled");
		snprintf(question, sizeof question, "Settle order %s", named);
		order_actions_ask(a, PROMPT_SETTLE, r, question, true, "");
		a->pfield.label = "Payment reference (Enter: none):";
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_CANCEL:
		if (!order_can_transition(r->payment, r->status, ORDER_CANCELLED))
			return refuse(app, r, ORDER_CANCELLED, "cancelled");
		snprintf(question, sizeof question, "Cancel order %s? y/n", named);
		order_actions_ask(a, PROMPT_CANCEL, r, question, false, NULL);
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_REFUND:
		if (!order_can_transition(r->payment, r->status, ORDER_REFUNDED))
			return refuse(app, r, ORDER_REFUNDED, "refunded");
		snprintf(question, sizeof question, "Refund order %s? y/n", named);
		order_actions_ask(a, PROMPT_REFUND, r, question, false, NULL);
		return SCR_HANDLED | SCR_REDRAW;
	default: /* ACT_GENERATE */
		if (r->status != ORDER_SETTLED) {
			app_status(app, true, "order #%lld is %s: tickets come from settled orders only", r->id,
				   order_status_label(r->status));
			return SCR_HANDLED | SCR_REDRAW;
		}
		return write_order(app, a, W_GENERATE, r->id, r->version, NULL);
	}
}

void order_actions_done(struct app *app, struct order_actions *a)
{
	db_cancel_owner(app_db(app), a->writing);
	doc_job_detach(a->job);
	a->job = NULL;
}

void order_actions_tick(struct app *app, struct order_actions *a)
{
	char msg[600];
	enum doc_job_state st;

	if (!a->job)
		return;
	st = doc_job_poll(a->job, msg, sizeof msg, app_status_width(app));
	if (st == DOC_JOB_RUNNING) {
		app_wake_in(app, 300);
		return;
	}
	doc_job_free(a->job);
	a->job = NULL;
	if (st == DOC_JOB_FAILED && a->receipt_printing) {
		/* no printer here: the PDF instead, so the receipt is not lost */
		char why[300];
		a->receipt_printing = false;
		if (!(a->job = receipt_deliver(app_db(app), a->receipt_order, false, why, sizeof why))) {
			app_status(app, true, "Receipt not printed: %s", msg);
			return;
		}
		a->receipt_unprinted = true;
		app_status(app, true, "Receipt not printed: %s; saving it as a PDF", msg); /* the why first */
		app_wake_in(app, 300);
		return;
	}
	if (a->receipt_unprinted && st == DOC_JOB_DONE)
		app_status(app, true, "Receipt not printed — %s", msg);
	else
		app_status(app, st == DOC_JOB_FAILED, "%s", msg);
	a->receipt_printing = a->receipt_unprinted = false;
}

/* ---- the list's actions ---- */

int orders_act(struct app *app, struct orders_state *s, enum action action)
{
	const struct order_row *r = s->count > 0 ? &s->rows[s->selected] : NULL;
	char initial[64];
	time_t now = time(NULL);
	struct tm tm;

	if (action == ACT_EXPORT) {
		localtime_r(&now, &tm);
		strftime(initial, sizeof initial, "orders-%Y-%m-%d.csv", &tm);
		{
			/* where a relative name lands, with ~ for home: the station
			 * may have been started anywhere */
			char cwd[512], question[320];
			const char *home = getenv("HOME");
			if (!getcwd(cwd, sizeof cwd))
				snprintf(cwd, sizeof cwd, "?");
			if (home && *home && strncmp(cwd, home, strlen(home)) == 0 &&
			    (cwd[strlen(home)] == '/' || cwd[strlen(home)] == '\0'))
				snprintf(question, sizeof question, "Export what the filters show as CSV, in ~%.200s (or a path: ~/…, /…)",
					 cwd + strlen(home));
			else
				snprintf(question, sizeof question, "Export what the filters show as CSV, in %.200s (or a path: ~/…, /…)",
					 cwd);
			order_actions_ask(&s->act, PROMPT_EXPORT, NULL, question, true, initial);
		}
		s->act.pfield.label = "File:";
		s->act.pfield.replace_on_type = true; /* typing a name replaces the suggestion */
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_NEW) {
		/* on an organization's orders, the new order is for it */
		if (s->org_id)
			app_push(app, &neworder_screen, &(struct screen_arg){ s->org_id, s->org_name });
		else
			app_push(app, &neworder_screen, NULL);
		return SCR_HANDLED;
	}
	if ((s->move != ACT_NONE || s->queued_n) &&
	    (action == ACT_OPEN || action == ACT_ASSIGN || action == ACT_INVOICE || action == ACT_SETTLE ||
	     action == ACT_CANCEL || action == ACT_REFUND || action == ACT_GENERATE)) {
		/* a move is being read, or waits for a re-read: the key is for
		 * the order it selects ("Home i"), not the one selected now */
		if (s->held_action) {
			app_status(app, true, "The page is still being read: one key waits for it, this one was not kept");
			return SCR_HANDLED | SCR_REDRAW;
		}
		s->held_action = action;
		s->held_at = db_now_ms();
		return SCR_HANDLED;
	}
	if (!r)
		return order_actions_key(app, &s->act, NULL, action) ? SCR_HANDLED : SCR_IGNORED;
	switch (action) {
	case ACT_OPEN:
		app_push(app, &order_screen, &(struct screen_arg){ r->id, NULL });
		return SCR_HANDLED;
	case ACT_ASSIGN:
		app_push(app, &assign_screen, &(struct screen_arg){ r->id, NULL });
		return SCR_HANDLED;
	default:
		return order_actions_key(app, &s->act, r, action);
	}
}

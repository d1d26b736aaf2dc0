/* The counter sale: quantity, payment, optional company and contact, Enter.
 * Opened from the inventory on the selected type of the current event; the
 * result (order, status, tickets, amount) stays on screen until the next
 * sale. Seats are checked by the database, not here. Each sale form carries
 * its own idempotency key (sell's --key): a retry after a lost answer, or
 * a key bounce, returns the sale already made; "another sale" takes a new
 * key. */
#include <curses.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "../src/app/deliver.h"
#include "../src/app/form.h"
#include "../src/app/theme.h"
#include "../src/core/charge.h"
#include "../src/core/money.h"
#include "../src/core/order.h"
#include "../src/core/util.h"
#include "../src/core/validate.h"
#include "../src/db/async.h"
#include "../src/db/catalog.h"
#include "../src/db/inventory.h"
#include "screen.h"

enum { F_QTY, F_PAYMENT, F_COMPANY, F_CONTACT, F_COUNT };


struct sale_state {
	struct app *app;
	long long type_id; /* what the form sells (app_push's arg) */
	char type_name[UTF8_BUF(TYPE_NAME_MAX_CHARS)];
	struct form_field fields[F_COUNT];
	struct form form;
	char error[600];
	char result[3][160]; /* what the last sale made */
	bool done;
	/* Enter shows what will be charged; Enter again sells. A clerk's
	 * habitual Enter never takes money on its own. */
	bool confirming;
	char confirm[300];
	char confirm_amount[40], confirm_mark[210]; /* its amount, or why there is none yet */
	/* the price for the confirm line, read when Enter asks (under
	 * &price_mark, apart from the sale's write under the state) */
	struct read_mark price_mark;
	long long confirm_qty;
	char key[FORM_KEY_MAX]; /* this sale's idempotency key */
	/* The sale is out and not answered yet: the loop goes on (help, other
	 * keys) and a second Enter is refused until the answer comes. */
	bool selling;
	/* In the order Space cycles them (card first, the counter's usual);
	 * a first letter picks one. */
	const char *payment_choices[PAY_COUNT + 1];
	/* After a paid sale: "Receipt: p print · s save PDF"; the receipt is
	 * made by a child process (src/app/deliver.h), never in the loop. */
	long long sold_id;
	bool receipt_offer;
	bool receipt_printing; /* the job prints (p), not only saves (s) */
	struct doc_job *receipt_job;
	/* The type's net price and VAT, for the charge shown live as the
	 * quantity changes (read on open under &price_mark, again on Enter). */
	bool price_known;
	long long seats_per_ticket; /* a group ticket's seats (1: a seat) */
	long long unit_cents;
	int vat_bp;
	int payment_at_reset; /* what a fresh form shows: Esc asks only when it changed */
	bool discarding;      /* Esc on a half-filled form: "Discard this sale? y/n" */
	bool discard_to_menu; /* asked by F2: y goes on to the menu */
};

static void confirm_prompt(struct sale_state *s, const char *name);

static void sale_reset(struct sale_state *s)
{
	static const struct form_field blank[F_COUNT] = {
		[F_QTY] = { .label = "Quantity", .kind = FIELD_DIGITS, .max_chars = 5, .text = "1",
			    .replace_on_type = true },
		[F_PAYMENT] = { .label = "Payment", .kind = FIELD_CHOICE },
		[F_COMPANY] = { .label = "Company", .kind = FIELD_TEXT, .max_chars = 200 },
		[F_CONTACT] = { .label = "Contact", .kind = FIELD_TEXT, .max_chars = 200 },
	};
	int payment = s->fields[F_PAYMENT].choice; /* the clerk's last choice sticks */
	memcpy(s->fields, blank, sizeof blank);
	s->fields[F_PAYMENT].choice = payment;
	s->fields[F_PAYMENT].choices = s->payment_choices;
	s->fields[F_PAYMENT].nchoices = name_choices(s->payment_choices, NULL, payment_names(), PAY_CARD);
	s->form = (struct form){ s->fields, F_COUNT, F_QTY };
	s->error[0] = '\0';
	s->done = false;
	s->receipt_offer = false;
	s->confirming = false;
	s->discarding = false;
	s->payment_at_reset = payment;
	form_new_key(s->key, "sale");
}

static void sale_init(struct app *app, void *state, const struct screen_arg *arg)
{
	struct sale_state *s = state;
	s->app = app;
	s->type_id = arg ? arg->id : 0;
	snprintf(s->type_name, sizeof s->type_name, "%s", arg && arg->name ? arg->name : "");
	sale_reset(s);
}

/* "2 × Adult 399.00 = 798.00 + VAT 199.50 = 997.50" for what the form
 * holds now, in width columns; false when there is nothing to show yet. */
static bool charge_text(struct app *app, const struct sale_state *s, char *buf, size_t size, int width)
{
	enum payment_method pm = PAY_CARD;
	const char *payment = form_value(&s->fields[F_PAYMENT]);
	struct charge c;
	char lead[sizeof ((struct sale_state *)0)->type_name + 32], mark_buf[600];
	const char *mark;
	long long qty;

	if (parse_int_range(s->fields[F_QTY].text, 1, 10000, &qty))
		return false;
	snprintf(lead, sizeof lead, "%lld × %s", qty, s->type_name);
	if (!s->price_known) {
		mark = read_mark_text(app, &s->price_mark, mark_buf, sizeof mark_buf);
		snprintf(buf, size, "%s: price %s", lead, mark ? mark : "loading…");
		return true;
	}
	payment_parse(payment, &pm);
	if (!charge_line(&c, (int)qty, s->unit_cents, s->vat_bp, pm))
		return false;
	charge_format(buf, size, lead, &c, payment, width);
	return true;
}

static void sale_draw(struct app *app, void *state, struct rect a)
{
	struct sale_state *s = state;
	char title[1280], hint[160], k[2][16], charge[1024];
	int y = a.y + 1, x = a.x + 2, w = a.w - 4 < 76 ? a.w - 4 : 76;

	snprintf(title, sizeof title, "Sell %s — %s", s->type_name, app_event_name(app));
	draw_text(y, x, w, title, theme_attr(C_TITLE));
	y += 2;
	for (int i = 0; i < F_COUNT; i++, y++)
		form_draw_field(&s->form, i, y, x, 13, w, !s->done);
	y++;
	if (s->error[0]) /* the why, then what to do: two rows when long */
		y += draw_wrapped(y, x, w, 2, s->error, theme_attr(C_STATUS_ERR));
	/* what will be charged, live as the quantity and payment change */
	if (!s->done && charge_text(app, s, charge, sizeof charge, w)) {
		long long qty;
		draw_text(y++, x, w, charge, A_BOLD);
		/* a ticket of several seats takes them all from the stock */
		if (s->price_known && s->seats_per_ticket > 1 && !parse_int_range(s->fields[F_QTY].text, 1, 10000, &qty)) {
			char per[24], n[24], seats[24]; /* "1,000" as the inventory writes counts */
			count_format_fit(per, sizeof per, s->seats_per_ticket, 20);
			count_format_fit(n, sizeof n, qty, 20);
			count_format_fit(seats, sizeof seats, qty * s->seats_per_ticket, 20);
			snprintf(charge, sizeof charge, "%s seats a ticket: %s ticket%s take%s %s seats", per, n,
				 qty == 1 ? "" : "s", qty == 1 ? "s" : "", seats);
			draw_text(y++, x, w, charge, theme_attr(C_DIM));
		}
	}
	if (s->discarding) {
		draw_text(y++, x, w, "Discard this sale? y/n", theme_attr(C_SELECTED) | A_BOLD);
		draw_text(y, x, w, "y: discard and close   n or Esc: keep it", theme_attr(C_DIM));
	} else if (s->selling) {
		draw_text(y++, x, w, "selling… waiting for the database", theme_attr(C_SELECTED) | A_BOLD);
	} else if (s->done) {
		for (int i = 0; i < 3; i++)
			draw_text(y++, x, w, s->result[i], i == 0 ? theme_attr(C_ADMIT) : A_BOLD);
		if (s->receipt_offer)
			draw_text(y++, x, w, "Receipt: p print · s save PDF · any other key skips",
				  theme_attr(C_SELECTED) | A_BOLD);
		else if (s->receipt_job)
			draw_text(y++, x, w, "Receipt: making it…", theme_attr(C_DIM));
		y++;
		snprintf(hint, sizeof hint, "%s: another sale of this type   %s: back to the inventory",
			 key_hint("sale", ACT_SUBMIT, k[0], 16), key_hint("sale", ACT_BACK, k[1], 16));
		draw_text(y, x, w, hint, theme_attr(C_DIM));
	} else if (s->confirming) {
		/* the whole question, the type's name giving way first */
		int over = utf8_length(s->confirm) - w;
		if (over > 0) {
			char name[sizeof s->type_name + 4];
			charge_cut_name(name, sizeof name, s->type_name, utf8_length(s->type_name) - over);
			confirm_prompt(s, name);
		}
		draw_text(y++, x, w, s->confirm, theme_attr(C_SELECTED) | A_BOLD);
		snprintf(hint, sizeof hint, "y or %s: sell   n, Esc or any other key: change the sale",
			 key_hint("sale", ACT_SUBMIT, k[0], 16));
		draw_text(y, x, w, hint, theme_attr(C_DIM));
	} else {
		snprintf(hint, sizeof hint, "%s/arrows move · Space or c/i/s/f: payment · %s: check and sell",
			 key_hint("sale", ACT_NEXT_FIELD, k[0], 16), key_hint("sale", ACT_SUBMIT, k[1], 16));
		draw_text(y, x, w, hint, theme_attr(C_DIM));
	}
}

static void describe_result(struct sale_state *s, json_t *doc)
{
	json_t *tickets = json_object_get(doc, "tickets");
	size_t nt = json_array_size(tickets);
	char amount[32];

	money_format(amount, sizeof amount, (int64_t)json_integer_value(json_object_get(doc, "amount")));
	snprintf(s->result[0], sizeof s->result[0], " Order #%lld %s ",
		 (long long)json_integer_value(json_object_get(doc, "id")),
		 json_string_value(json_object_get(doc, "status")));
	if (nt == 1)
		snprintf(s->result[1], sizeof s->result[1], "Ticket: #%lld",
			 (long long)json_integer_value(json_array_get(tickets, 0)));
	else if (nt > 0)
		snprintf(s->result[1], sizeof s->result[1], "Tickets: %zu (#%lld – #%lld)", nt,
			 (long long)json_integer_value(json_array_get(tickets, 0)),
			 (long long)json_integer_value(json_array_get(tickets, nt - 1)));
	else
		snprintf(s->result[1], sizeof s->result[1], "Tickets: none until the order is settled");
	snprintf(s->result[2], sizeof s->result[2], "Total %s incl. VAT", amount);
}

/* The question on the confirm step, naming the type as name. */
static void confirm_prompt(struct sale_state *s, const char *name)
{
	const char *payment = form_value(&s->fields[F_PAYMENT]);

	if (s->confirm_amount[0])
		snprintf(s->confirm, sizeof s->confirm, "Sell %lld × %s, %s: %s incl. VAT? y/n", s->confirm_qty, name,
			 payment, s->confirm_amount);
	else
		snprintf(s->confirm, sizeof s->confirm, "Sell %lld × %s, %s%s%s? y/n", s->confirm_qty, name, payment,
			 s->confirm_mark[0] ? " — price " : "", s->confirm_mark);
}

/* What Enter again will do, with the amount once the price is read:
 * "Sell 2 × Adult, card: 997.50 incl. VAT?" */
static void describe_charge(struct app *app, struct sale_state *s, const PGresult *types)
{
	const char *payment = form_value(&s->fields[F_PAYMENT]);
	char amount[40] = "", buf[600];
	const char *mark = read_mark_text(app, &s->price_mark, buf, sizeof buf);
	enum payment_method pm = PAY_CARD;

	payment_parse(payment, &pm);
	for (int i = 0; types && i < PQntuples(types); i++) {
		struct order_line_price line = { .qty = (int)s->confirm_qty };
		struct order_amounts total;
		if (db_int(types, i, TYPE_ID) != s->type_id)
			continue;
		line.unit_cents = db_int(types, i, TYPE_PRICE);
		line.vat_bp = (int)db_int(types, i, TYPE_VAT);
		s->unit_cents = line.unit_cents;
		s->vat_bp = line.vat_bp;
		s->price_known = true;
		if (order_compute_amounts(&line, 1, pm, &total))
			money_format(amount, sizeof amount, total.net_cents + total.vat_cents);
	}
	snprintf(s->confirm_amount, sizeof s->confirm_amount, "%s", amount);
	snprintf(s->confirm_mark, sizeof s->confirm_mark, "%.200s", mark ? mark : "");
	confirm_prompt(s, s->type_name);
}

static void price_answer(struct db *db, const PGresult *types, void *ctx)
{
	struct sale_state *s = ctx;
	read_mark_answer(&s->price_mark, db, types != NULL);
	if (s->confirming)
		describe_charge(s->app, s, types);
	else
		for (int i = 0; types && i < PQntuples(types); i++)
			if (db_int(types, i, TYPE_ID) == s->type_id) {
				s->unit_cents = db_int(types, i, TYPE_PRICE);
				s->vat_bp = (int)db_int(types, i, TYPE_VAT);
				s->seats_per_ticket = db_int(types, i, TYPE_SEATS);
				s->price_known = true;
			}
}

/* The price on open (and after a reconnect), for the live charge line;
 * not while Enter's own read is out. */
static void sale_query(struct app *app, void *state)
{
	struct sale_state *s = state;
	s->app = app;
	if (s->confirming || s->price_mark.loading)
		return;
	read_mark_sent(&s->price_mark, app,
		       db_type_list_submit(app_db(app), &s->price_mark, app_event_id(app), price_answer, s));
}

/* Anything typed or chosen that a fresh form does not show. */
static bool sale_touched(const struct sale_state *s)
{
	return strcmp(s->fields[F_QTY].text, "1") != 0 || s->fields[F_COMPANY].text[0] ||
	       s->fields[F_CONTACT].text[0] || s->fields[F_PAYMENT].choice != s->payment_at_reset;
}

/* Asks for the price; the confirm line says so until it comes. */
static void ask_charge(struct app *app, struct sale_state *s, long long qty)
{
	db_cancel_owner(app_db(app), &s->price_mark);
	s->price_mark.loading = false;
	s->confirm_qty = qty;
	read_mark_sent(&s->price_mark, app,
		       db_type_list_submit(app_db(app), &s->price_mark, app_event_id(app), price_answer, s));
	describe_charge(app, s, NULL);
}

static void sale_done(struct app *app, void *state)
{
	struct sale_state *s = state;
	db_cancel_owner(app_db(app), &s->price_mark);
	doc_job_free(s->receipt_job);
	s->receipt_job = NULL;
}

/* The answer to the sale: the order, a refusal, or a link that failed
 * before the answer came (the sale may have been made: the form keeps its
 * key, so Enter again returns that sale instead of making another). */
static void sold(struct db *db, json_t *doc, void *ctx)
{
	struct sale_state *s = ctx;

	s->selling = false;
	if (!doc) {
		if (db_answer_lost(db)) {
			snprintf(s->error, sizeof s->error,
				 "Not confirmed: %.*s; check the order list (Enter again once online is safe)",
				 (int)utf8_prefix(db->err, 300), db->err);
			app_status(s->app, true, "sale not confirmed — check the order list");
		} else {
			snprintf(s->error, sizeof s->error, "Not sold: %s", db->err);
			app_status(s->app, true, "not sold: %s", db->err);
		}
		return;
	}
	s->error[0] = '\0';
	describe_result(s, doc);
	app_status(s->app, false, "%s", s->result[0] + 1);
	s->done = true;
	s->sold_id = (long long)json_integer_value(json_object_get(doc, "id"));
	s->receipt_offer = strcmp(json_string_value(json_object_get(doc, "status")) ?
				  json_string_value(json_object_get(doc, "status")) : "",
				  order_status_name(ORDER_SETTLED)) == 0;
}

/* p or s right after the sale: the receipt, in a child of its own. */
static int receipt_key(struct app *app, struct sale_state *s, int key)
{
	char why[300];

	s->receipt_offer = false;
	if (key != 'p' && key != 's')
		return SCR_IGNORED;
	if (s->receipt_job) {
		app_status(app, true, "a receipt is being made — wait for it");
		return SCR_HANDLED | SCR_REDRAW;
	}
	s->receipt_printing = key == 'p';
	if (!(s->receipt_job = receipt_deliver(app_db(app), s->sold_id, key == 'p', why, sizeof why))) {
		app_status(app, true, "receipt: %s", why);
		return SCR_HANDLED | SCR_REDRAW;
	}
	app_status(app, false, key == 'p' ? "printing the receipt…" : "saving the receipt…");
	app_wake_in(app, 200);
	return SCR_HANDLED | SCR_REDRAW;
}

static int sale_tick(struct app *app, void *state)
{
	struct sale_state *s = state;
	char msg[600];
	enum doc_job_state st;

	if (!s->receipt_job)
		return SCR_IGNORED;
	if ((st = doc_job_poll(s->receipt_job, msg, sizeof msg, app_status_width(app))) == DOC_JOB_RUNNING) {
		app_wake_in(app, 200);
		return SCR_IGNORED;
	}
	if (st == DOC_JOB_FAILED && s->receipt_printing) {
		/* no printer here: the PDF is still one key away */
		s->receipt_offer = true;
		/* the why first: the offer above says s saves a PDF */
		app_status(app, true, "Receipt not printed: %s", msg);
	} else
		app_status(app, st == DOC_JOB_FAILED, "%s", msg);
	doc_job_free(s->receipt_job);
	s->receipt_job = NULL;
	return SCR_HANDLED | SCR_REDRAW;
}

static int sale_submit(struct app *app, struct sale_state *s)
{
	struct sale sale = { 0 };
	long long qty;
	const char *why;

	s->error[0] = '\0';
	if ((why = parse_int_range(s->fields[F_QTY].text, 1, 10000, &qty))) {
		snprintf(s->error, sizeof s->error, "Quantity %s (1 to 10000).", why);
		s->form.focus = F_QTY;
		return SCR_HANDLED | SCR_REDRAW;
	}
	for (int f = F_COMPANY; f <= F_CONTACT; f++)
		if ((why = validate_text(s->fields[f].text, NAME_MAX_CHARS, false))) {
			snprintf(s->error, sizeof s->error, "%s %s.", s->fields[f].label, why);
			s->form.focus = f;
			return SCR_HANDLED | SCR_REDRAW;
		}
	/* a sponsored order says who sponsors it */
	if (strcmp(form_value(&s->fields[F_PAYMENT]), "sponsored") == 0 && !s->fields[F_COMPANY].text[0]) {
		snprintf(s->error, sizeof s->error, "Company: a sponsored sale names its sponsor.");
		s->form.focus = F_COMPANY;
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (!app_online(app)) {
		snprintf(s->error, sizeof s->error, "Offline: nothing sold. Try again when ONLINE.");
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (!s->confirming) {
		ask_charge(app, s, qty);
		s->confirming = true;
		return SCR_HANDLED | SCR_REDRAW;
	}
	s->confirming = false;
	sale.event_id = app_event_id(app);
	sale.type_id = s->type_id;
	sale.qty = qty;
	sale.channel = "pos";
	sale.payment = form_value(&s->fields[F_PAYMENT]);
	sale.company = s->fields[F_COMPANY].text[0] ? s->fields[F_COMPANY].text : NULL;
	sale.contact = s->fields[F_CONTACT].text[0] ? s->fields[F_CONTACT].text : NULL;
	sale.reason = "counter sale";
	sale.key = s->key;
	if (!db_sell_submit(app_db(app), s, &sale, sold, s)) {
		snprintf(s->error, sizeof s->error, "Not sold: %s", app_db(app)->err);
		app_status(app, true, "not sold: %s", app_db(app)->err);
		return SCR_HANDLED | SCR_REDRAW;
	}
	s->selling = true;
	app_status(app, false, "selling…");
	return SCR_HANDLED | SCR_REDRAW;
}

static int sale_key(struct app *app, void *state, enum action action, int key)
{
	struct sale_state *s = state;
	int r;

	if (s->selling) {
		/* help, menu, quit go on; the form waits for the answer */
		if (action == ACT_SUBMIT || action == ACT_BACK || action == ACT_MENU || (key < KEY_MIN && action != ACT_HELP)) {
			app_status(app, true, "still selling — wait for the answer");
			return SCR_HANDLED | SCR_REDRAW;
		}
		return SCR_IGNORED;
	}
	if (s->done && s->receipt_offer) {
		int rc = receipt_key(app, s, key);
		if (rc != SCR_IGNORED)
			return rc;
	}
	if (s->done) {
		if (action != ACT_SUBMIT)
			return SCR_IGNORED;
		sale_reset(s);
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (s->discarding) {
		/* y alone (no Enter) discards; anything else keeps the form */
		s->discarding = false;
		if (key == 'y' || key == 'Y')
			return SCR_HANDLED | (s->discard_to_menu ? SCR_MENU : SCR_BACK);
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_SUBMIT || (s->confirming && (key == 'y' || key == 'Y')))
		return sale_submit(app, s);
	if (s->confirming) {
		/* any other key goes back to the form (n and Esc only cancel) */
		s->confirming = false;
		if (action == ACT_BACK || action == ACT_CLEAR || key == 'n' || key == 'N')
			return SCR_HANDLED | SCR_REDRAW;
	}
	if ((action == ACT_BACK || action == ACT_MENU) && sale_touched(s)) {
		s->discarding = true;
		s->discard_to_menu = action == ACT_MENU;
		return SCR_HANDLED | SCR_REDRAW;
	}
	/* Payment letters and Space work from the quantity field too, as the
	 * hint says: "2 i Enter". A letter no payment starts with is the
	 * quantity's, which says it takes digits only. */
	r = FORM_IGNORED;
	if (s->form.focus == F_QTY && (key == ' ' || (key < 128 && (key | 0x20) >= 'a' && (key | 0x20) <= 'z'))) {
		struct form one = { &s->fields[F_PAYMENT], 1, 0 };
		r = form_key(&one, ACT_NONE, key);
	}
	if (!r)
		r = form_key(&s->form, action, key);
	if (r & FORM_CHANGED) { /* a refusal was about what the form held before */
		s->error[0] = '\0';
		app_status_clear(app);
	}
	return r ? SCR_HANDLED | SCR_REDRAW : SCR_IGNORED;
}

/* The key bar's keys that act now: Tab moves between fields only while
 * the form is being filled (after a sale Enter starts the next one);
 * while the sale is out or the discard question is asked, neither. */
static bool sale_acts(void *state, enum action action)
{
	const struct sale_state *s = state;
	if (s->selling || s->discarding)
		return action != ACT_SUBMIT && action != ACT_NEXT_FIELD;
	if (action == ACT_NEXT_FIELD)
		return !s->done;
	return true;
}

/* The sale on its way: closing would cancel it. */
static const char *sale_writing(void *state)
{
	return ((struct sale_state *)state)->selling ? "selling" : NULL;
}

static const char *sale_unsaved(void *state)
{
	const struct sale_state *s = state;
	return !s->done && sale_touched(s) ? "the sale being typed" : NULL;
}

const struct screen_ops sale_screen = {
	.name = "sale",
	.needs = "clerk",
	.title = "Counter sale",
	.state_size = sizeof(struct sale_state),
	.init = sale_init,
	.query = sale_query,
	.done = sale_done,
	.draw = sale_draw,
	.on_key = sale_key,
	.on_tick = sale_tick,
	.acts = sale_acts,
	.writing = sale_writing,
	.unsaved = sale_unsaved,
};

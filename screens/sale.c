/* The counter sale: quantity, payment, optional company and contact, Enter.
 * Opened from the inventory on the selected type of the current event; the
 * result (order, status, tickets, amount) stays on screen until the next
 * sale. Seats are checked by the database, not here. */
#include <curses.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "../src/app/theme.h"
#include "../src/core/money.h"
#include "../src/core/order.h"
#include "../src/core/validate.h"
#include "../src/db/inventory.h"
#include "screen.h"

enum field_kind { FIELD_DIGITS, FIELD_TEXT, FIELD_CHOICE };

struct field_spec {
	const char *label;
	enum field_kind kind;
	int max_bytes;
};

enum { F_QTY, F_PAYMENT, F_COMPANY, F_CONTACT, F_COUNT };
static const struct field_spec fields[F_COUNT] = {
	[F_QTY] = { "Quantity", FIELD_DIGITS, 5 },
	[F_PAYMENT] = { "Payment", FIELD_CHOICE, 0 },
	[F_COMPANY] = { "Company", FIELD_TEXT, 200 },
	[F_CONTACT] = { "Contact", FIELD_TEXT, 200 },
};

/* Payment choices in the order Space cycles them; the first letter picks one. */
static const enum payment_method payments[] = { PAY_CARD, PAY_INVOICE, PAY_SPONSORED, PAY_FREE };

struct sale_state {
	int focus;
	char text[F_COUNT][256];
	int payment; /* index into payments */
	char error[600];
	char result[3][160]; /* what the last sale made */
	bool done;
};

static void sale_reset(struct sale_state *s)
{
	memset(s->text, 0, sizeof s->text);
	snprintf(s->text[F_QTY], sizeof s->text[F_QTY], "1");
	s->focus = F_QTY;
	s->error[0] = '\0';
	s->done = false;
}

static void sale_init(struct app *app, void *state)
{
	(void)app;
	sale_reset(state);
}

static void sale_draw(struct app *app, void *state, struct rect a)
{
	struct sale_state *s = state;
	char title[256];
	int y = a.y + 1, x = a.x + 2, w = a.w - 4 < 70 ? a.w - 4 : 70;

	snprintf(title, sizeof title, "Sell %s — %s", app_type_name(app), app_event_name(app));
	draw_text(y, x, w, title, theme_attr(C_TITLE));
	y += 2;
	for (int i = 0; i < F_COUNT; i++, y++) {
		unsigned attr = !s->done && s->focus == i ? theme_attr(C_SELECTED) : A_UNDERLINE;
		char value[300];
		if (fields[i].kind == FIELD_CHOICE) {
			value[0] = '\0';
			for (size_t p = 0; p < sizeof payments / sizeof payments[0]; p++)
				snprintf(value + strlen(value), sizeof value - strlen(value),
					 (int)p == s->payment ? "[%s] " : " %s  ", payment_name(payments[p]));
		} else {
			snprintf(value, sizeof value, "%s%s", s->text[i],
				 !s->done && s->focus == i ? "_" : "");
		}
		draw_text(y, x, 12, fields[i].label, A_BOLD);
		draw_fill(y, x + 13, w - 13, attr);
		draw_text(y, x + 13, w - 13, value, attr);
	}
	y++;
	if (s->error[0])
		draw_text(y++, x, w, s->error, theme_attr(C_STATUS_ERR));
	if (s->done) {
		for (int i = 0; i < 3; i++)
			draw_text(y++, x, w, s->result[i], i == 0 ? theme_attr(C_ADMIT) : A_BOLD);
		y++;
		draw_text(y, x, w, "Enter: another sale of this type   Esc: back to the inventory",
			  theme_attr(C_DIM));
	} else {
		draw_text(y, x, w, "Tab/arrows move, Space or c/i/s/f picks the payment, Enter sells.",
			  theme_attr(C_DIM));
	}
}

static void delete_last_char(char *text)
{
	size_t n = strlen(text);
	while (n > 0 && ((unsigned char)text[n - 1] & 0xC0) == 0x80)
		n--; /* UTF-8 continuation bytes */
	if (n > 0)
		n--;
	text[n] = '\0';
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
	if (nt > 0)
		snprintf(s->result[1], sizeof s->result[1], "Tickets: %zu (#%lld – #%lld)", nt,
			 (long long)json_integer_value(json_array_get(tickets, 0)),
			 (long long)json_integer_value(json_array_get(tickets, nt - 1)));
	else
		snprintf(s->result[1], sizeof s->result[1], "Tickets: none until the order is settled");
	snprintf(s->result[2], sizeof s->result[2], "Total %s incl. VAT", amount);
}

static int sale_submit(struct app *app, struct sale_state *s)
{
	struct sale sale = { 0 };
	long long qty;
	const char *why;
	json_t *doc;

	s->error[0] = '\0';
	if ((why = parse_int_range(s->text[F_QTY], 1, 10000, &qty))) {
		snprintf(s->error, sizeof s->error, "Quantity %s (1 to 10000).", why);
		s->focus = F_QTY;
		return SCR_HANDLED | SCR_REDRAW;
	}
	for (int f = F_COMPANY; f <= F_CONTACT; f++)
		if ((why = validate_text(s->text[f], NAME_MAX_CHARS, false))) {
			snprintf(s->error, sizeof s->error, "%s %s.", fields[f].label, why);
			s->focus = f;
			return SCR_HANDLED | SCR_REDRAW;
		}
	if (!app_online(app)) {
		snprintf(s->error, sizeof s->error, "Offline: nothing sold. Try again when ONLINE.");
		return SCR_HANDLED | SCR_REDRAW;
	}
	sale.event_id = app_event_id(app);
	sale.type_id = app_type_id(app);
	sale.qty = qty;
	sale.channel = "pos";
	sale.payment = payment_name(payments[s->payment]);
	sale.company = s->text[F_COMPANY][0] ? s->text[F_COMPANY] : NULL;
	sale.contact = s->text[F_CONTACT][0] ? s->text[F_CONTACT] : NULL;
	sale.reason = "counter sale";
	if (!(doc = db_sell(app_db(app), &sale))) {
		snprintf(s->error, sizeof s->error, "Not sold: %s", app_db(app)->err);
		app_status(app, true, "not sold: %s", app_db(app)->err);
		return SCR_HANDLED | SCR_REDRAW;
	}
	describe_result(s, doc);
	app_status(app, false, "%s", s->result[0] + 1);
	json_decref(doc);
	s->done = true;
	return SCR_HANDLED | SCR_REDRAW;
}

static int sale_key(struct app *app, void *state, enum action action, int key)
{
	struct sale_state *s = state;
	const struct field_spec *f = &fields[s->focus];
	char *text = s->text[s->focus];

	if (s->done) {
		if (action == ACT_SUBMIT) {
			sale_reset(s);
			return SCR_HANDLED | SCR_REDRAW;
		}
		return SCR_IGNORED;
	}
	if (action == ACT_SUBMIT)
		return sale_submit(app, s);
	if (action == ACT_NEXT_FIELD || action == ACT_DOWN) {
		s->focus = (s->focus + 1) % F_COUNT;
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_UP || key == KEY_BTAB) {
		s->focus = (s->focus + F_COUNT - 1) % F_COUNT;
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		delete_last_char(text);
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (f->kind == FIELD_CHOICE) {
		int n = (int)(sizeof payments / sizeof payments[0]);
		if (key == ' ' || key == KEY_RIGHT)
			s->payment = (s->payment + 1) % n;
		else if (key == KEY_LEFT)
			s->payment = (s->payment + n - 1) % n;
		for (int p = 0; p < n; p++)
			if (key == payment_name(payments[p])[0])
				s->payment = p;
		return SCR_HANDLED | SCR_REDRAW;
	}
	/* Payment letters work from the quantity field too: "2 i Enter". */
	if (f->kind == FIELD_DIGITS && key < 128 && key > ' ' && !(key >= '0' && key <= '9')) {
		for (size_t p = 0; p < sizeof payments / sizeof payments[0]; p++)
			if (key == payment_name(payments[p])[0]) {
				s->payment = (int)p;
				return SCR_HANDLED | SCR_REDRAW;
			}
		return SCR_HANDLED;
	}
	if (key >= ' ' && key < 256 && key != 127 && (int)strlen(text) < f->max_bytes) {
		size_t n = strlen(text);
		text[n] = (char)key;
		text[n + 1] = '\0';
		return SCR_HANDLED | SCR_REDRAW;
	}
	return SCR_IGNORED;
}

const struct screen_ops sale_screen = {
	.name = "sale",
	.title = "Counter sale",
	.state_size = sizeof(struct sale_state),
	.init = sale_init,
	.draw = sale_draw,
	.on_key = sale_key,
};

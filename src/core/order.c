#include "order.h"

#include <stdio.h>
#include <string.h>

#include "money.h"

const struct order_transition order_transitions[] = {
	{ PAY_INVOICE, ORDER_REQUESTED, ORDER_INVOICE_SENT },
	{ PAY_INVOICE, ORDER_REQUESTED, ORDER_CANCELLED },
	{ PAY_INVOICE, ORDER_INVOICE_SENT, ORDER_SETTLED },
	{ PAY_INVOICE, ORDER_INVOICE_SENT, ORDER_CANCELLED },
	{ PAY_INVOICE, ORDER_SETTLED, ORDER_REFUNDED },
	{ PAY_CARD, ORDER_REQUESTED, ORDER_SETTLED },
	{ PAY_CARD, ORDER_REQUESTED, ORDER_CANCELLED },
	{ PAY_CARD, ORDER_SETTLED, ORDER_REFUNDED },
	{ PAY_SPONSORED, ORDER_REQUESTED, ORDER_SETTLED },
	{ PAY_SPONSORED, ORDER_REQUESTED, ORDER_CANCELLED },
	{ PAY_SPONSORED, ORDER_SETTLED, ORDER_CANCELLED },
	{ PAY_FREE, ORDER_REQUESTED, ORDER_SETTLED },
	{ PAY_FREE, ORDER_REQUESTED, ORDER_CANCELLED },
	{ PAY_FREE, ORDER_SETTLED, ORDER_CANCELLED },
};
const size_t order_transitions_count = sizeof order_transitions / sizeof order_transitions[0];

/* NULL-terminated: the accessors below hand them out whole. */
static const char *const status_names[ORDER_STATUS_COUNT + 1] = {
	"requested", "invoice_sent", "settled", "cancelled", "refunded", NULL,
};
/* How people read them, on every screen and in the CLI's tables (the
 * names above are for JSON, CSV and the database). */
static const char *const status_labels[ORDER_STATUS_COUNT + 1] = {
	"Requested", "Invoice sent", "Settled", "Cancelled", "Refunded", NULL,
};
static const char *const payment_name_table[PAY_COUNT + 1] = {
	"invoice", "card", "sponsored", "free", NULL,
};
static const char *const payment_labels[PAY_COUNT + 1] = {
	"Invoice", "Card", "Sponsored", "Free", NULL,
};
static const char *const channel_names[CHANNEL_COUNT] = {
	"web", "pos", "ota", "reseller",
};

static int name_lookup(const char *const *names, int count, const char *text)
{
	if (!text)
		return -1;
	for (int i = 0; i < count; i++)
		if (strcmp(names[i], text) == 0)
			return i;
	return -1;
}

const char *order_status_name(enum order_status s)
{
	return (unsigned)s < ORDER_STATUS_COUNT ? status_names[s] : "?";
}

const char *order_status_label(enum order_status s)
{
	return (unsigned)s < ORDER_STATUS_COUNT ? status_labels[s] : "?";
}

bool order_status_parse(const char *text, enum order_status *s)
{
	int i = name_lookup(status_names, ORDER_STATUS_COUNT, text);
	if (i < 0)
		return false;
	*s = (enum order_status)i;
	return true;
}

const char *payment_name(enum payment_method p)
{
	return (unsigned)p < PAY_COUNT ? payment_name_table[p] : "?";
}

const char *payment_label(enum payment_method p)
{
	return (unsigned)p < PAY_COUNT ? payment_labels[p] : "?";
}

const char *const *order_status_names(void)
{
	return status_names;
}

const char *const *payment_names(void)
{
	return payment_name_table;
}

const char *const *order_status_labels(void)
{
	return status_labels;
}

const char *const *payment_labels_all(void)
{
	return payment_labels;
}

int name_choices(const char **out, const char *lead, const char *const *names, int first)
{
	int n = 0, count = 0;
	while (names[count])
		count++;
	if (lead)
		out[n++] = lead;
	if (first >= 0 && first < count)
		out[n++] = names[first];
	for (int i = 0; i < count; i++)
		if (i != first)
			out[n++] = names[i];
	out[n] = NULL;
	return n;
}

bool payment_parse(const char *text, enum payment_method *p)
{
	int i = name_lookup(payment_name_table, PAY_COUNT, text);
	if (i < 0)
		return false;
	*p = (enum payment_method)i;
	return true;
}

const char *channel_name(enum sales_channel c)
{
	return (unsigned)c < CHANNEL_COUNT ? channel_names[c] : "?";
}

bool channel_parse(const char *text, enum sales_channel *c)
{
	int i = name_lookup(channel_names, CHANNEL_COUNT, text);
	if (i < 0)
		return false;
	*c = (enum sales_channel)i;
	return true;
}

bool order_can_transition(enum payment_method payment, enum order_status from,
			  enum order_status to)
{
	for (size_t i = 0; i < order_transitions_count; i++) {
		const struct order_transition *t = &order_transitions[i];
		if (t->payment == payment && t->from == from && t->to == to)
			return true;
	}
	return false;
}

enum order_status order_initial_status(enum payment_method payment, bool at_counter)
{
	if (at_counter && payment != PAY_INVOICE)
		return ORDER_SETTLED;
	return ORDER_REQUESTED;
}

bool payment_is_charged(enum payment_method payment)
{
	return payment == PAY_INVOICE || payment == PAY_CARD;
}

bool order_status_has_tickets(enum order_status status)
{
	return status == ORDER_SETTLED;
}

bool order_compute_amounts(const struct order_line_price *lines, size_t n,
			   enum payment_method payment, struct order_amounts *out)
{
	struct order_amounts sum = { 0, 0, 0, 0 };
	bool charged = payment_is_charged(payment);

	for (size_t i = 0; i < n; i++) {
		int64_t net = 0, vat;
		if (lines[i].qty <= 0)
			return false;
		if (charged && !money_line_net(lines[i].unit_cents, lines[i].qty, &net))
			return false;
		vat = vat_of_net(net, lines[i].vat_bp);
		if (vat < 0 || sum.net_cents > MONEY_MAX_CENTS - net)
			return false;
		sum.net_cents += net;
		sum.vat_cents += vat;
		sum.quantity += lines[i].qty;
	}
	sum.gross_cents = sum.net_cents + sum.vat_cents;
	*out = sum;
	return true;
}

const char *order_action_label(const char *action, char *buf, size_t size)
{
	enum order_status st;

	if (!size)
		return buf;
	if (order_status_parse(action ? action : "", &st)) {
		snprintf(buf, size, "%s", order_status_label(st));
		return buf;
	}
	snprintf(buf, size, "%s", action ? action : "");
	for (char *p = buf; *p; p++)
		if (*p == '_')
			*p = ' ';
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
	return buf;
}

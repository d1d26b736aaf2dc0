#include "charge.h"

#include <stdio.h>
#include <string.h>

#include "money.h"
#include "util.h"
#include "validate.h"

bool charge_line(struct charge *c, int qty, int64_t unit_cents, int vat_bp, enum payment_method pm)
{
	struct order_line_price line = { .unit_cents = unit_cents, .qty = qty, .vat_bp = vat_bp };
	struct order_amounts a;

	memset(c, 0, sizeof *c);
	c->qty = qty;
	c->unit_cents = unit_cents;
	c->uncharged = pm == PAY_FREE || pm == PAY_SPONSORED;
	if (qty == 0)
		return unit_cents >= 0;
	if (!order_compute_amounts(&line, 1, pm, &a))
		return false;
	c->net_cents = a.net_cents;
	c->vat_cents = a.vat_cents;
	c->gross_cents = a.net_cents + a.vat_cents;
	return true;
}

void charge_add(struct charge *total, const struct charge *line)
{
	total->qty += line->qty;
	total->net_cents += line->net_cents;
	total->vat_cents += line->vat_cents;
	total->gross_cents += line->gross_cents;
}

void charge_cut_name(char *out, size_t size, const char *lead, int chars)
{
	if (utf8_length(lead) <= chars) {
		snprintf(out, size, "%s", lead);
		return;
	}
	snprintf(out, size, "%.*s…", utf8_prefix_chars(lead, chars - 1), lead);
}

/* The amounts in number width w: the whole form ("unit = net + VAT vat =
 * gross"), or with short set the line's gross alone ("unit = gross incl.
 * VAT"): exact numbers read better than abbreviated ones, and the total
 * under the lines still shows the VAT. */
static void charge_tail(char *tail, size_t size, const struct charge *c, const char *payment, int w, bool short_form)
{
	char unit[40] = "", net[40], vat[40], gross[40];

	if (c->unit_cents >= 0) {
		unit[0] = ' ';
		money_format_fit(unit + 1, sizeof unit - 1, c->unit_cents, w);
	}
	if (c->uncharged) {
		snprintf(tail, size, "%s — %s: no charge", unit, payment ? payment : "free");
		return;
	}
	if (c->unit_cents >= 0 && c->qty == 0) {
		snprintf(tail, size, "%s", unit);
		return;
	}
	money_format_fit(net, sizeof net, c->net_cents, w);
	money_format_fit(vat, sizeof vat, c->vat_cents, w);
	money_format_fit(gross, sizeof gross, c->gross_cents, w);
	if (c->unit_cents >= 0 && short_form)
		snprintf(tail, size, "%s = %s incl. VAT", unit, gross);
	else if (c->unit_cents >= 0)
		snprintf(tail, size, "%s = %s + VAT %s = %s", unit, net, vat, gross);
	else
		snprintf(tail, size, " %s + VAT %s = %s", net, vat, gross);
}

int charge_format(char *buf, size_t size, const char *lead, const struct charge *c, const char *payment,
		  int width)
{
	/* number widths to try: the full amount, then shorter forms; at each
	 * the whole line first, then (a line with a unit price) its gross */
	static const int widths[] = { 32, 9, 7, 5, 4 };
	const int tries = (int)(sizeof widths / sizeof widths[0]) * 2;
	char tail[200] = "", cut[300];
	int lead_chars = utf8_length(lead ? lead : ""), least = lead_chars < 6 ? lead_chars : 6;

	for (int i = 0; i < tries; i++) {
		int tail_chars, room;
		bool short_form = i % 2 == 1;
		if (short_form && (c->unit_cents < 0 || c->qty == 0 || c->uncharged) && i + 1 < tries)
			continue; /* nothing shorter to say at this width */
		charge_tail(tail, sizeof tail, c, payment, widths[i / 2], short_form);
		tail_chars = utf8_length(tail);
		room = width - tail_chars;
		if (room >= least || i + 1 == tries) {
			charge_cut_name(cut, sizeof cut, lead ? lead : "", room > least ? room : least);
			return snprintf(buf, size, "%s%s", cut, tail);
		}
	}
	return snprintf(buf, size, "%s", tail);
}

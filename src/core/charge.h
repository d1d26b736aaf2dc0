/* What a form will charge, shown before anything is confirmed: one line
 * per ticket type and a total, with the one VAT rule of money.h (net +
 * VAT per line = gross), e.g. "2 × Adult 399.00 = 798.00 + VAT 199.50 =
 * 997.50". Free and sponsored orders carry no amount. */
#ifndef BOXOFFICE_CORE_CHARGE_H
#define BOXOFFICE_CORE_CHARGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "order.h"

struct charge {
	int qty;
	int64_t unit_cents; /* net price of one ticket; -1 for a total */
	int64_t net_cents, vat_cents, gross_cents;
	bool uncharged; /* free or sponsored: no amount */
};

/* One line: qty × unit (net) at vat_bp; false when out of range. */
bool charge_line(struct charge *c, int qty, int64_t unit_cents, int vat_bp, enum payment_method pm);
/* Adds a line to a total (start from a zeroed struct with unit_cents -1
 * and uncharged set as the payment says). */
void charge_add(struct charge *total, const struct charge *line);

/* "LEAD UNIT = NET + VAT X = GROSS" (UNIT only for a line), or "LEAD UNIT
 * — free: no charge" when uncharged (payment names it), in at most width
 * display columns: the lead gives way first (cut at a character, with
 * "…", down to a few characters), then the numbers are abbreviated with
 * money_format_fit; a number is never cut. Returns the length. */
int charge_format(char *buf, size_t size, const char *lead, const struct charge *c, const char *payment,
		  int width);

/* name cut to at most chars characters (whole UTF-8 characters), ending
 * in "…" when cut. */
void charge_cut_name(char *out, size_t size, const char *name, int chars);

#endif

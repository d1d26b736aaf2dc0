/* Money in integer minor units (cents) and the one VAT rounding rule.
 *
 * Rule: prices are net (VAT excluded). VAT is computed per order line on the
 * line's net amount as net * rate / 10000 (rate in basis points, 2500 = 25%),
 * rounded half up to a whole cent; the order's VAT is the sum of its lines'.
 * The database enforces the same rule with a CHECK on order_line. */
#ifndef BOXOFFICE_CORE_MONEY_H
#define BOXOFFICE_CORE_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VAT_DEFAULT_BP 2500
#define MONEY_MAX_CENTS INT64_C(100000000000) /* one billion in major units */

/* VAT of a non-negative net amount; -1 when the inputs are out of range. */
int64_t vat_of_net(int64_t net_cents, int vat_bp);

/* unit * qty without overflow; false when out of range. */
bool money_line_net(int64_t unit_cents, int qty, int64_t *net_cents);

/* "1234.50" or "1234" or "1234.5" -> cents; rejects signs, junk, >2 decimals. */
bool money_parse(const char *text, int64_t *cents);

/* 123456 -> "1,234.56"; returns the length written (truncated to size). */
int money_format(char *buf, size_t size, int64_t cents);

/* Numbers in a column of fixed width are never cut: when the full form does
 * not fit, they are abbreviated, keeping the leading digits right.
 * count_format_fit: 1234 -> "1,234", else "1234", "1.2k", "12k", "1.2M",
 * "12M", "1.2G". money_format_fit: "1,234.56", else "1,235", "1235",
 * "1.2k", "12k", "1.2M" (rounded to nearest, half away from zero).
 * Both write at most width display columns (ASCII) and return the
 * length; when nothing fits (width < 1 or a huge value in a tiny column)
 * they write "#" repeated to width, like a spreadsheet, never a wrong
 * number. */
int count_format_fit(char *buf, size_t size, int64_t value, int width);
int money_format_fit(char *buf, size_t size, int64_t cents, int width);

#endif

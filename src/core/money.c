#include "money.h"

#include <ctype.h>
#include <stdio.h>

int64_t vat_of_net(int64_t net_cents, int vat_bp)
{
	if (net_cents < 0 || net_cents > MONEY_MAX_CENTS || vat_bp < 0 || vat_bp > 10000)
		return -1;
	/* Half up: +5000 before the truncating division by 10000. No overflow:
	 * 1e11 * 1e4 fits easily in int64. */
	return (net_cents * vat_bp + 5000) / 10000;
}

bool money_line_net(int64_t unit_cents, int qty, int64_t *net_cents)
{
	if (unit_cents < 0 || unit_cents > MONEY_MAX_CENTS || qty < 0)
		return false;
	if (qty > 0 && unit_cents > MONEY_MAX_CENTS / qty)
		return false;
	*net_cents = unit_cents * qty;
	return true;
}

bool money_parse(const char *text, int64_t *cents)
{
	int64_t whole = 0;
	int frac = 0, frac_digits = 0;
	const char *p = text;

	if (!p || !isdigit((unsigned char)*p))
		return false;
	for (; isdigit((unsigned char)*p); p++) {
		whole = whole * 10 + (*p - '0');
		if (whole > MONEY_MAX_CENTS / 100)
			return false;
	}
	if (*p == '.') {
		p++;
		for (; isdigit((unsigned char)*p); p++) {
			if (++frac_digits > 2)
				return false;
			frac = frac * 10 + (*p - '0');
		}
		if (frac_digits == 0)
			return false;
		if (frac_digits == 1)
			frac *= 10;
	}
	if (*p != '\0')
		return false;
	*cents = whole * 100 + frac;
	return true;
}

int money_format(char *buf, size_t size, int64_t cents)
{
	char digits[32];
	char out[48];
	int neg = cents < 0;
	uint64_t v = neg ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)(v / 100));
	int o = 0;

	if (neg)
		out[o++] = '-';
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	o += snprintf(out + o, sizeof out - (size_t)o, ".%02u", (unsigned)(v % 100));
	return snprintf(buf, size, "%s", out);
}

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

/* "1,234,567" from a whole number. */
static int group_thousands(char *buf, size_t size, uint64_t v, bool neg)
{
	char digits[32], out[48];
	int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)v), o = 0;

	if (neg)
		out[o++] = '-';
	for (int i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	return snprintf(buf, size, "%s", out);
}

/* Abbreviates v (in units of 1/scale) with k/M/G/T so it fits width:
 * one decimal when there is room ("1.2M"), else whole ("12M"). */
static int abbreviate(char *buf, size_t size, uint64_t v, uint64_t scale, bool neg, int width)
{
	static const char suffix[] = "kMGTP";
	char out[48];
	uint64_t unit = 1000;

	for (int i = 0; i < 5; i++, unit *= 1000) {
		/* tenths of the unit, rounded half up (no v * 10: no overflow) */
		uint64_t tenth = unit * scale / 10;
		uint64_t tenths = v / tenth + (v % tenth >= tenth - tenth / 2 ? 1 : 0);
		uint64_t whole = v / (unit * scale) + (v % (unit * scale) >= unit * scale / 2 ? 1 : 0);
		int len;
		if (tenths < 100) { /* below 10 units: "1.2k" */
			len = snprintf(out, sizeof out, "%s%llu.%llu%c", neg ? "-" : "",
				       (unsigned long long)(tenths / 10), (unsigned long long)(tenths % 10),
				       suffix[i]);
			if (len <= width)
				return snprintf(buf, size, "%s", out);
		}
		if (whole < 1000) {
			len = snprintf(out, sizeof out, "%s%llu%c", neg ? "-" : "", (unsigned long long)whole,
				       suffix[i]);
			if (len <= width)
				return snprintf(buf, size, "%s", out);
			/* a larger unit only makes it shorter when this one overflows */
		}
	}
	return -1;
}

static int hashes(char *buf, size_t size, int width)
{
	int n = 0;

	if (size == 0)
		return 0;
	while (n < width && (size_t)n + 1 < size)
		buf[n++] = '#';
	buf[n] = '\0';
	return n;
}

int count_format_fit(char *buf, size_t size, int64_t value, int width)
{
	bool neg = value < 0;
	uint64_t v = neg ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
	char out[48];
	int len;

	if (width < 1)
		return hashes(buf, size, 0);
	len = group_thousands(out, sizeof out, v, neg);
	if (len <= width)
		return snprintf(buf, size, "%s", out);
	len = snprintf(out, sizeof out, "%s%llu", neg ? "-" : "", (unsigned long long)v);
	if (len <= width)
		return snprintf(buf, size, "%s", out);
	len = abbreviate(buf, size, v, 1, neg, width);
	return len >= 0 ? len : hashes(buf, size, width);
}

int money_format_fit(char *buf, size_t size, int64_t cents, int width)
{
	bool neg = cents < 0;
	uint64_t v = neg ? (uint64_t)0 - (uint64_t)cents : (uint64_t)cents;
	uint64_t whole = (v + 50) / 100;
	char out[48];
	int len;

	if (width < 1)
		return hashes(buf, size, 0);
	len = money_format(out, sizeof out, cents);
	if (len <= width)
		return snprintf(buf, size, "%s", out);
	len = group_thousands(out, sizeof out, whole, neg);
	if (len <= width)
		return snprintf(buf, size, "%s", out);
	len = snprintf(out, sizeof out, "%s%llu", neg ? "-" : "", (unsigned long long)whole);
	if (len <= width)
		return snprintf(buf, size, "%s", out);
	len = abbreviate(buf, size, v, 100, neg, width);
	return len >= 0 ? len : hashes(buf, size, width);
}

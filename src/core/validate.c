#include "validate.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int utf8_length(const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	int n = 0;

	while (*p) {
		int extra;
		unsigned cp;
		if (*p < 0x80) {
			p++;
			n++;
			continue;
		} else if ((*p & 0xE0) == 0xC0) {
			extra = 1;
			cp = *p & 0x1F;
		} else if ((*p & 0xF0) == 0xE0) {
			extra = 2;
			cp = *p & 0x0F;
		} else if ((*p & 0xF8) == 0xF0) {
			extra = 3;
			cp = *p & 0x07;
		} else {
			return -1;
		}
		p++;
		for (int i = 0; i < extra; i++, p++) {
			if ((*p & 0xC0) != 0x80)
				return -1;
			cp = (cp << 6) | (*p & 0x3F);
		}
		/* Overlong forms, surrogates and values past U+10FFFF are invalid. */
		if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
		    (extra == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return -1;
		n++;
	}
	return n;
}

const char *validate_text(const char *text, int max_chars, bool required)
{
	int len;
	bool blank = true;

	if (!text || !*text)
		return required ? "is required" : NULL;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		if (*p < 0x20 || *p == 0x7F)
			return "contains control characters";
		if (*p != ' ')
			blank = false;
	}
	if (blank)
		return required ? "is required" : "is blank";
	len = utf8_length(text);
	if (len < 0)
		return "is not valid UTF-8";
	if (len > max_chars)
		return "is too long";
	return NULL;
}

const char *validate_email(const char *text, bool required)
{
	const char *why = validate_text(text, EMAIL_MAX_CHARS, required);
	const char *at, *dot;

	if (why || !text || !*text)
		return why;
	at = strchr(text, '@');
	if (!at || at == text || strchr(at + 1, '@'))
		return "is not an e-mail address";
	dot = strrchr(at + 1, '.');
	if (!dot || dot == at + 1 || dot[1] == '\0')
		return "is not an e-mail address";
	for (const char *p = text; *p; p++)
		if (*p == ' ')
			return "is not an e-mail address";
	return NULL;
}

bool date_is_valid(int year, int month, int day)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int max;

	if (year < 1900 || year > 9999 || month < 1 || month > 12 || day < 1)
		return false;
	max = days[month - 1];
	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		max = 29;
	return day <= max;
}

const char *validate_date(const char *text)
{
	int y, m, d;

	if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return "is not a date (YYYY-MM-DD)";
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)text[i]))
			return "is not a date (YYYY-MM-DD)";
	y = atoi(text);
	m = atoi(text + 5);
	d = atoi(text + 8);
	if (!date_is_valid(y, m, d))
		return "is not a calendar date";
	return NULL;
}

const char *parse_int_range(const char *text, long long min, long long max, long long *out)
{
	char *end;
	long long v;

	if (!text || !*text || isspace((unsigned char)*text))
		return "is not a whole number";
	errno = 0;
	v = strtoll(text, &end, 10);
	if (*end != '\0')
		return "is not a whole number";
	if (errno == ERANGE || v < min || v > max)
		return "is out of range";
	*out = v;
	return NULL;
}

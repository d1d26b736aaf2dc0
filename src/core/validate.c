#include "validate.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One UTF-8 sequence at p (before end): its length in bytes and code point,
 * or 0 when it is not valid UTF-8 (overlong, surrogate, past U+10FFFF). */
static size_t utf8_decode(const unsigned char *p, const unsigned char *end, unsigned *cp)
{
	size_t extra;
	unsigned c;

	if (*p < 0x80) {
		*cp = *p;
		return 1;
	} else if ((*p & 0xE0) == 0xC0) {
		extra = 1;
		c = *p & 0x1F;
	} else if ((*p & 0xF0) == 0xE0) {
		extra = 2;
		c = *p & 0x0F;
	} else if ((*p & 0xF8) == 0xF0) {
		extra = 3;
		c = *p & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < extra + 1)
		return 0;
	for (size_t i = 1; i <= extra; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if ((extra == 1 && c < 0x80) || (extra == 2 && c < 0x800) || (extra == 3 && c < 0x10000) ||
	    c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return extra + 1;
}

static bool is_control(unsigned cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
}

/* The characters that change the order text is shown in (a name could
 * show as another): embeddings, overrides, isolates and the marks (LRM,
 * RLM, and ALM, U+061C, the Arabic letter mark: the same kind of mark).
 * serve's database refuses the same but ALM (db/072, db/075 api_text). */
static bool is_bidi(unsigned cp)
{
	return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

int utf8_length(const char *text)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + strlen(text);
	int n = 0;

	while (p < end) {
		unsigned cp;
		size_t k = utf8_decode(p, end, &cp);
		if (!k)
			return -1;
		p += k;
		n++;
	}
	return n;
}

static _Thread_local char too_long[64];

const char *validate_text_n(const char *text, size_t len, int max_chars, bool required)
{
	const unsigned char *p = (const unsigned char *)text, *end;
	bool blank = true, invalid = false, control = false, bidi = false;
	int n = 0;

	if (!text || len == 0)
		return required ? "is required" : NULL;
	if (memchr(text, '\0', len))
		return "contains a NUL byte";
	for (end = p + len; p < end; n++) {
		unsigned cp;
		size_t k = utf8_decode(p, end, &cp);
		if (!k) {
			invalid = true;
			break;
		}
		control |= is_control(cp);
		bidi |= is_bidi(cp);
		blank &= cp == ' ';
		p += k;
	}
	if (control)
		return "contains control characters";
	if (invalid)
		return "is not valid UTF-8";
	if (bidi)
		return TEXT_BIDI_REFUSAL;
	if (blank)
		return required ? "is required" : "is blank";
	if (n > max_chars) {
		snprintf(too_long, sizeof too_long, "is too long (at most %d characters)", max_chars);
		return too_long;
	}
	return NULL;
}

bool text_has_bidi(const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;

	while (p < end) {
		unsigned cp;
		size_t k = utf8_decode(p, end, &cp);
		if (!k)
			return false;
		if (is_bidi(cp))
			return true;
		p += k;
	}
	return false;
}

const char *validate_text(const char *text, int max_chars, bool required)
{
	return validate_text_n(text, text ? strlen(text) : 0, max_chars, required);
}

const char *validate_email(const char *text, bool required)
{
	return validate_email_n(text, text ? strlen(text) : 0, required);
}

const char *validate_person(const char *name, size_t name_len, const char *email, size_t email_len,
			    const char *company, size_t company_len, const char **field)
{
	const char *why;

	*field = "name";
	if ((why = validate_text_n(name, name_len, NAME_MAX_CHARS, true)))
		return why;
	*field = "e-mail";
	if ((why = validate_email_n(email, email_len, true)))
		return why;
	*field = "company";
	return validate_text_n(company, company ? company_len : 0, COMPANY_MAX_CHARS, false);
}

#define STRINGIFY(x) #x
#define NUMBER_TEXT(x) STRINGIFY(x)

const char *validate_station(const char *text, size_t len)
{
	const char *why;

	if (!text || len == 0)
		return "is required (1 to " NUMBER_TEXT(STATION_MAX_CHARS) " characters of printable ASCII)";
	if ((why = validate_text_n(text, len, STATION_MAX_CHARS, false)))
		return why;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)text[i] < 0x20 || (unsigned char)text[i] > 0x7e)
			return "takes printable ASCII only: letters A-Z, digits, spaces, punctuation (it names "
			       "the station in every log)";
	return NULL;
}

void text_printable(char *out, size_t size, const char *text, size_t len)
{
	const unsigned char *p = (const unsigned char *)text, *end = p + len;
	size_t o = 0;

	while (p < end) {
		unsigned cp = 0;
		size_t k = utf8_decode(p, end, &cp);
		const char *put = (const char *)p;
		size_t n = k;
		if (!k || cp == 0 || is_control(cp)) {
			put = "\xEF\xBF\xBD"; /* U+FFFD */
			n = 3;
			k = k ? k : 1;
		}
		if (o + n + 1 > size)
			break;
		memcpy(out + o, put, n);
		o += n;
		p += k;
	}
	out[o] = '\0';
}

/* what an address looks like, said with the refusal */
#define EMAIL_REFUSAL "is not an e-mail address like name@example.com"

const char *validate_email_n(const char *text, size_t len, bool required)
{
	const char *why = validate_text_n(text, len, EMAIL_MAX_CHARS, required);
	const char *at, *dot;

	if (why || !text || !*text)
		return why;
	at = strchr(text, '@');
	if (!at || at == text || strchr(at + 1, '@'))
		return EMAIL_REFUSAL;
	dot = strrchr(at + 1, '.');
	if (!dot || dot == at + 1 || dot[1] == '\0')
		return EMAIL_REFUSAL;
	for (const char *p = text; *p; p++)
		if (*p == ' ')
			return EMAIL_REFUSAL;
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

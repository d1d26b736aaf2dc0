#include "order_filter.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

void order_filter_reset(struct order_filter *f)
{
	long long event = f->event_id;
	memset(f, 0, sizeof *f);
	f->event_id = event; /* the event is where we work, not a filter to reset */
	f->status = -1;
	f->payment = -1;
	f->tickets = TICKETS_ANY;
}

bool order_filter_is_empty(const struct order_filter *f)
{
	return !f->search[0] && f->status < 0 && f->payment < 0 && !f->from[0] && !f->to[0] &&
	       f->tickets == TICKETS_ANY && !f->event_org_id;
}

const char *order_filter_check(const struct order_filter *f)
{
	if (f->from[0] && validate_date(f->from))
		return "From is not a calendar date (YYYY-MM-DD)";
	if (f->to[0] && validate_date(f->to))
		return "To is not a calendar date (YYYY-MM-DD)";
	if (f->from[0] && f->to[0] && strcmp(f->from, f->to) > 0)
		return "From is after To";
	if (f->search[0] && utf8_length(f->search) < 0)
		return "Search is not valid UTF-8";
	if (f->status >= ORDER_STATUS_COUNT || f->payment >= PAY_COUNT)
		return "unknown status or payment";
	return NULL;
}

static const char *const ticket_names[TICKETS_FILTER_COUNT] = { "any", "missing", "complete" };
static const char *const sort_names[SORT_COUNT] = {
	"company", "contact", "date", "ordered", "tickets", "amount", "vat", "payment", "status",
};

const char *ticket_count_name(enum ticket_count_filter t)
{
	return (unsigned)t < TICKETS_FILTER_COUNT ? ticket_names[t] : "?";
}

bool ticket_count_parse(const char *text, enum ticket_count_filter *t)
{
	for (int i = 0; i < TICKETS_FILTER_COUNT; i++)
		if (text && strcmp(text, ticket_names[i]) == 0) {
			*t = (enum ticket_count_filter)i;
			return true;
		}
	return false;
}

const char *order_sort_name(enum order_sort s)
{
	return (unsigned)s < SORT_COUNT ? sort_names[s] : "?";
}

bool order_sort_parse(const char *text, enum order_sort *s)
{
	for (int i = 0; i < SORT_COUNT; i++)
		if (text && strcmp(text, sort_names[i]) == 0) {
			*s = (enum order_sort)i;
			return true;
		}
	return false;
}

void order_search_pattern(const char *search, char *out, size_t size)
{
	size_t o = 0;

	if (size < 3) {
		if (size)
			out[0] = '\0';
		return;
	}
	out[o++] = '%';
	for (const char *p = search; *p && o + 3 < size; p++) {
		char ch = *p;
		if (ch == '%' || ch == '_' || ch == '\\')
			out[o++] = '\\';
		/* ASCII lower-casing here; the database lowers the rest (lower()). */
		out[o++] = (char)((unsigned char)ch < 128 ? tolower((unsigned char)ch) : ch);
	}
	out[o++] = '%';
	out[o] = '\0';
}

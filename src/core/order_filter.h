/* The filters of the Ticket Orders list, shared by the screen, the CLI and
 * the data layer: validated here, turned into query parameters there. */
#ifndef BOXOFFICE_CORE_ORDER_FILTER_H
#define BOXOFFICE_CORE_ORDER_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "order.h"

enum ticket_count_filter {
	TICKETS_ANY,
	TICKETS_MISSING,  /* fewer tickets than ordered */
	TICKETS_COMPLETE, /* every ordered ticket exists */
	TICKETS_FILTER_COUNT
};

#define SEARCH_MAX_BYTES 200

struct order_filter {
	long long event_id; /* 0: every event */
	char search[SEARCH_MAX_BYTES + 1];
	int status;  /* enum order_status, or -1 for any */
	int payment; /* enum payment_method, or -1 for any */
	char from[11], to[11]; /* YYYY-MM-DD or "" */
	enum ticket_count_filter tickets;
	/* 0: any; else one event organization's orders, matched as the
	 * organizations list counts them (src/db/organizations.c): placed on
	 * its behalf, or naming it as company without being linked */
	long long event_org_id;
};

enum order_sort {
	SORT_COMPANY,
	SORT_CONTACT,
	SORT_DATE,
	SORT_ORDERED,
	SORT_TICKETS,
	SORT_AMOUNT,
	SORT_VAT,
	SORT_PAYMENT,
	SORT_STATUS,
	SORT_COUNT
};

void order_filter_reset(struct order_filter *f);
/* NULL when the filter can be used, else why not ("from is after to"). */
const char *order_filter_check(const struct order_filter *f);
bool order_filter_is_empty(const struct order_filter *f);

const char *ticket_count_name(enum ticket_count_filter t); /* any, missing, complete */
bool ticket_count_parse(const char *text, enum ticket_count_filter *t);
const char *order_sort_name(enum order_sort s); /* company, contact, date, ... */
bool order_sort_parse(const char *text, enum order_sort *s);

/* The search text as a LIKE pattern matching it anywhere, lower-cased,
 * with %, _ and \ escaped so they match themselves. */
void order_search_pattern(const char *search, char *out, size_t size);

#endif

/* The Ticket Orders list: filtered keyset pages, the summary grid, CSV
 * export streamed from COPY, order details, new orders. */
#ifndef BOXOFFICE_DB_ORDERS_H
#define BOXOFFICE_DB_ORDERS_H

#include <jansson.h>
#include <stdio.h>

#include "../core/order_filter.h"
#include "db.h"

enum order_list_col {
	OL_ID, OL_COMPANY, OL_CONTACT, OL_DATE, OL_ORDERED, OL_TICKETS, OL_AMOUNT, OL_VAT,
	OL_PAYMENT, OL_STATUS, OL_VERSION, OL_EVENT, OL_EMAIL, OL_INVOICE, OL_SORTKEY, OL_SORTVALUE,
	OL_STATION, /* the station that made the order (its application_name) */
	OL_COUNT
};

struct order_page_request {
	const struct order_filter *filter;
	enum order_sort sort;
	bool descending;
	/* Keyset: start after (or, with before, end before) this row's
	 * (sort key, id); NULL key for the first page from that end. */
	const char *key;
	long long key_id;
	bool before;    /* page backwards from the key */
	bool inclusive; /* include the key row itself (re-reading a page) */
	int limit;      /* 0: no limit */
};

/* Rows in display order, columns per enum order_list_col. */
PGresult *db_order_page(struct db *db, const struct order_page_request *req);

/* [status row][payment column]: rows requested, invoice_sent, settled,
 * total; columns invoice, card, sponsored, free, total: the first rows
 * are enum order_status's, the first columns enum payment_method's. */
enum { SUMMARY_ROWS = ORDER_SETTLED + 2, SUMMARY_COLS = PAY_COUNT + 1 };
struct order_summary_cell {
	long long orders, tickets, amount;
};
struct order_summary {
	struct order_summary_cell cell[SUMMARY_ROWS][SUMMARY_COLS];
	/* Every status, cancelled and refunded too (all payments), and how
	 * many of its orders are dated today. */
	struct order_summary_cell by_status[ORDER_STATUS_COUNT];
	long long today[ORDER_STATUS_COUNT];
	/* Every status by payment, its last column the status's total: the
	 * grid's rows when the list shows cancelled or refunded orders. */
	struct order_summary_cell status_pay[ORDER_STATUS_COUNT][SUMMARY_COLS];
};
bool db_order_summary(struct db *db, const struct order_filter *filter, struct order_summary *out);
json_t *order_summary_json(const struct order_summary *s);
/* The one definition of the money figures (gross, incl. VAT), for the grid
 * and the dashboard alike: paid is the settled orders' amount, outstanding
 * the requested and invoice-sent orders' amount. */
long long order_summary_paid(const struct order_summary *s);
long long order_summary_outstanding(const struct order_summary *s);

/* Streams the filtered orders as CSV (amount and vat in currency units
 * with a decimal point, 1682.50: a spreadsheet reads them as money, not
 * as cents); progress may stop it (returns -1 with "interrupted").
 * Returns rows written, or -1. */
typedef bool (*export_progress_fn)(long long rows, void *ctx);
long long db_order_export(struct db *db, const struct order_filter *filter, enum order_sort sort,
			  bool descending, FILE *out, export_progress_fn progress, void *ctx);

/* db_order_get's columns: the list's (up to OL_INVOICE), then these. */
enum order_detail_col {
	OD_CHANNEL = OL_INVOICE + 1, OD_STATION, OD_EXTERNAL_REF, OD_PAYMENT_REF, OD_NET,
	OD_EVENT_NAME, OD_ORG_NAME
};

/* Details of one order, each a separate result (caller clears). */
PGresult *db_order_get(struct db *db, long long id);
PGresult *db_order_lines(struct db *db, long long id);
PGresult *db_order_tickets(struct db *db, long long id);
PGresult *db_order_history(struct db *db, long long id);

/* lines: [{"type":id,"qty":n}, ...] */
json_t *db_order_add(struct db *db, long long event_id, json_t *lines, const char *payment,
		     const char *company, const char *contact, const char *email,
		     long long event_org_id, const char *key);
json_t *db_order_generate_tickets(struct db *db, long long id, long long version);
/* Compacts the summary statistics; any station may call it. */
bool db_order_stats_compact(struct db *db);

/* The same reads for the terminal loop, answered through async.c: the
 * request is copied; done gets the page (columns per enum order_list_col)
 * or NULL with db->err. A page may take two or three statements (the
 * adaptive plan of db_order_page), all under owner, so db_cancel_owner
 * stops the whole read. False (db->err) when it cannot be queued. */
#include "async.h"
bool db_order_page_submit(struct db *db, const void *owner, const struct order_page_request *req,
			  db_result_fn done, void *ctx);
typedef void (*order_summary_fn)(struct db *db, const struct order_summary *s, void *ctx);
bool db_order_summary_submit(struct db *db, const void *owner, const struct order_filter *f,
			     order_summary_fn done, void *ctx);
bool db_order_stats_compact_submit(struct db *db, const void *owner);
/* The summary as one statement of a larger read (src/db/read.h: the
 * dashboard's); false (DB_BADINPUT) when the filter is not well-formed. */
#include "read.h"
bool db_order_summary_add(struct db *db, struct db_read *r, const struct order_filter *f, struct order_summary *dst);
/* One order's details (db_order_get, _lines, _tickets, _history) in one
 * queued read; the results belong to the read (valid while done runs).
 * order has no row when the order does not exist. */
struct order_detail {
	PGresult *order, *lines, *tickets, *history;
};
typedef void (*order_detail_fn)(struct db *db, const struct order_detail *d, void *ctx);
bool db_order_detail_submit(struct db *db, const void *owner, long long id, order_detail_fn done, void *ctx);
/* The writes of the screens, queued the same way: done gets the SQL
 * function's document or NULL with db->err (db_answer_lost(): the link
 * failed, the write may or may not have been made; the key makes a retry
 * safe). */
bool db_order_add_submit(struct db *db, const void *owner, long long event_id, json_t *lines,
			 const char *payment, const char *company, const char *contact, const char *email,
			 long long event_org_id, const char *key, db_json_fn done, void *ctx);
bool db_order_generate_tickets_submit(struct db *db, const void *owner, long long id, long long version,
				      db_json_fn done, void *ctx);

#endif

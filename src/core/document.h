/* The documents people hand over: an invoice and a counter-sale receipt.
 * Pure: the data layer fills a struct document from the order as stored
 * (its lines' amounts, never recomputed), this module groups the VAT per
 * rate, checks the totals against the order's, makes the payment
 * reference and lays out the text receipt; src/app/pdf_invoice.c draws. */
#ifndef BOXOFFICE_CORE_DOCUMENT_H
#define BOXOFFICE_CORE_DOCUMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "validate.h"

struct doc_line {
	char type[UTF8_BUF(TYPE_NAME_MAX_CHARS)];
	int qty;
	int64_t unit_cents, net_cents, vat_cents;
	int vat_bp;
};

/* One VAT rate's share of the document. */
struct doc_rate {
	int vat_bp;
	int64_t net_cents, vat_cents;
};

struct doc_party {
	char name[UTF8_BUF(200)], address[UTF8_BUF(500)], vat_number[UTF8_BUF(50)], bank[UTF8_BUF(200)],
		email[UTF8_BUF(EMAIL_MAX_CHARS)], contact[UTF8_BUF(CONTACT_MAX_CHARS)];
};

#define DOC_MAX_RATES 16

struct document {
	long long order_id, event_id;
	char event_name[UTF8_BUF(NAME_MAX_CHARS)], event_date[11];
	char status[16], payment[16], station[UTF8_BUF(60)], created[17]; /* "YYYY-MM-DD HH:MM" */
	int invoice_no;               /* 0: no invoice number */
	char issued_on[11], due_on[11]; /* invoices only */
	char currency[4];
	bool has_seller;
	struct doc_party seller, buyer;
	struct doc_line *lines;
	size_t nlines;
	/* the order's stored amounts, which the lines must add up to */
	int64_t order_net_cents, order_vat_cents;
	/* filled by doc_finish */
	struct doc_rate rates[DOC_MAX_RATES];
	size_t nrates;
	int64_t net_cents, vat_cents, gross_cents;
	char invoice_code[48]; /* "INV-3-45" */
	char payment_ref[48];  /* "RF71 0000 3000 045", grouped by four */
};

void doc_free(struct document *d);

/* Groups the lines' VAT per rate (highest rate first), adds the totals and
 * makes the invoice code and payment reference. False, with why, when the
 * lines do not add up to the order's stored amounts or a rate table is
 * full: a document that disagrees with the database is never printed. */
bool doc_finish(struct document *d, char *why, size_t size);

/* "INV-<event>-<no>" */
void doc_invoice_code(char *out, size_t size, long long event_id, int invoice_no);

/* ISO 11649 creditor reference ("RF" + two check digits + reference) for
 * the event and invoice number: the reference is the event ID and the
 * invoice number, zero-padded to 6 digits. Written in groups of four
 * ("RF47 1000 0012"), as banks print it. False if it does not fit. */
bool doc_payment_ref(char *out, size_t size, long long event_id, int invoice_no);
/* Whether text (spaces ignored) is a valid ISO 11649 reference. */
bool doc_payment_ref_valid(const char *text);

/* "25%", "12.5%", "0%" */
void doc_rate_text(char *out, size_t size, int vat_bp);

/* The plain-text receipt for a printer of width columns (32 to 80; 42 and
 * 48 are the usual), lines ending in "\n", UTF-8, no line wider than width
 * characters. Returns a malloc'd string. */
char *doc_receipt_text(const struct document *d, int width);

/* The status line after an invoice's PDF was made, in at most width
 * columns: "invoice INV-7-12 saved as PDF · SELLER NOT SET (boxoffice
 * seller set) · not mailed: no SMTP set" where it fits, else in shorter
 * words ("INV-7-12 saved · NO SELLER: boxoffice seller set · …"), and at
 * last the address mailed to (mailed_to) or why not (not_mailed; both
 * NULL: nothing said of mail) cut with "…". Returns buf. */
char *doc_invoice_said(char *buf, size_t size, const char *code, bool seller_set, const char *mailed_to,
		       const char *not_mailed, int width);

/* Display columns of a UTF-8 string (one per character). */
size_t doc_text_columns(const char *s);

#endif

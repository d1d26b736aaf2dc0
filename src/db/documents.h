/* What invoices and receipts print, read from the order as stored
 * (migration 015 keeps the seller and the invoice's header). */
#ifndef BOXOFFICE_DB_DOCUMENTS_H
#define BOXOFFICE_DB_DOCUMENTS_H

#include <jansson.h>
#include <stdbool.h>

#include "../core/document.h"
#include "db.h"

/* Fills d (doc_free it after) from the order, its lines and, when it has
 * an invoice number, the invoice's header; runs doc_finish. False with
 * db->err: DB_REFUSED "no such order", DB_FAILED otherwise (also when the
 * lines disagree with the order's amounts). */
bool db_document_read(struct db *db, long long order_id, struct document *d);

/* The seller of an event (0: the one for every event); the fields left
 * NULL keep their value, due_days < 0 too. Returns the seller as JSON. */
struct seller_spec {
	long long event_id;
	const char *name, *address, *vat_number, *bank, *email, *currency;
	int due_days;
};
json_t *db_seller_set(struct db *db, const struct seller_spec *spec);
/* The seller that prints for the event (0: the global one); JSON null
 * when none is set. */
json_t *db_seller_get(struct db *db, long long event_id);

#endif

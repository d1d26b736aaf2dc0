/* Tickets and the people who hold them: listing, assigning, reissuing,
 * event signing keys and the tokens minted with them. */
#ifndef BOXOFFICE_DB_TICKETS_H
#define BOXOFFICE_DB_TICKETS_H

#include <jansson.h>

#include "../core/token.h"
#include "db.h"

/* The event's key pair, created on first use. */
bool db_event_keys(struct db *db, long long event_id, unsigned char pk[TOKEN_PUBLIC_KEY_BYTES],
		   unsigned char sk[TOKEN_SECRET_KEY_BYTES]);
/* Only the public key (what an entrance station needs). A lookup that
 * never creates: false with DB_REFUSED when the event has no key. */
bool db_event_public_key(struct db *db, long long event_id, unsigned char pk[TOKEN_PUBLIC_KEY_BYTES]);

enum ticket_col { TK_ID, TK_EVENT, TK_TYPE_ID, TK_TYPE, TK_ISSUE, TK_STATUS, TK_ORDER, TK_SERIAL,
		  TK_PERSON_ID, TK_PERSON, TK_EMAIL, TK_COMPANY, TK_EVENT_NAME, TK_ORDER_STATUS,
		  TK_SCANS };
/* Tickets of an order, or one ticket (order 0), or a person's (by id). */
PGresult *db_tickets_of_order(struct db *db, long long order_id);
PGresult *db_ticket_get(struct db *db, long long ticket_id);
PGresult *db_tickets_of_person(struct db *db, long long person_id);
/* Persons of an event whose name or e-mail contains text (as you type). */
PGresult *db_person_search(struct db *db, long long event_id, const char *text, int limit);

/* The token of a ticket row from one of the queries above. */
bool db_ticket_token(struct db *db, const PGresult *res, int row, char *out, size_t size);

json_t *db_ticket_assign(struct db *db, long long ticket_id, const char *name, const char *email,
			 const char *company, const char *reason);
json_t *db_ticket_reissue(struct db *db, long long ticket_id, bool unassign, const char *reason);

#endif

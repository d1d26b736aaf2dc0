/* Tickets and the people who hold them: listing, assigning, reissuing,
 * event signing keys and the tokens minted with them. */
#ifndef BOXOFFICE_DB_TICKETS_H
#define BOXOFFICE_DB_TICKETS_H

#include <jansson.h>

#include "../core/token.h"
#include "../core/validate.h"
#include "async.h"
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
/* Tickets of an order, or one ticket. */
PGresult *db_tickets_of_order(struct db *db, long long order_id);
PGresult *db_ticket_get(struct db *db, long long ticket_id);
/* One ticket as db_ticket_get, TK_EMAIL empty: what a door (a gate login)
 * may read, for a verify, an undo or a manual admit. */
PGresult *db_door_ticket_get(struct db *db, long long ticket_id);

/* Persons of an event whose name or e-mail contains text (as you type),
 * queued on the loop (src/db/read.h's shape): id, name, email, company,
 * valid tickets. */
#include "read.h"
bool db_person_search_submit(struct db *db, const void *owner, long long event_id, const char *text, int limit,
			     db_rows_fn done, void *ctx);
/* The door's find (F3 at check-in), one read: the first `people` persons
 * whose name, or e-mail (emails) or else company (what a gate login may
 * read, db/026), contains text, with their valid tickets, in DF_* columns:
 * one row per ticket, a person without one once with DF_TICKET NULL. */
enum door_find_col { DF_TICKET, DF_TYPE, DF_SCANS, DF_NAME, DF_ALSO, DF_PEOPLE };
bool db_door_find_submit(struct db *db, const void *owner, long long event_id, const char *text, bool emails,
			 int people, db_rows_fn done, void *ctx);
/* db_person_search_submit among one event organization's persons (those
 * holding a valid ticket of its live orders, or whose company it is);
 * text may be "". */
bool db_org_person_search_submit(struct db *db, const void *owner, long long event_id, long long event_org_id,
				 const char *text, int limit, db_rows_fn done, void *ctx);
bool db_tickets_of_order_submit(struct db *db, const void *owner, long long order_id, db_rows_fn done, void *ctx);

/* A person's tickets as My Tickets shows them, each with its token (the
 * event's key made on first use, as db_ticket_token does) and its scans:
 * how many and the last as "YYYY-MM-DD HH24:MI in at GATE". */
#define PERSON_TICKETS_MAX 16
struct person_ticket {
	long long id, event_id, type_id, issue, scans;
	char type[UTF8_BUF(TYPE_NAME_MAX_CHARS)], status[8], order_status[16], token[TOKEN_MAX + 8], last_scan[64];
};
struct person_tickets {
	struct person_ticket tickets[PERSON_TICKETS_MAX];
	int count;
	/* the event's secret key while the read runs; wiped before the answer */
	unsigned char sk[TOKEN_SECRET_KEY_BYTES];
	bool have_key;
};
bool db_person_tickets_read(struct db *db, long long person_id, struct person_tickets *out);
typedef void (*person_tickets_fn)(struct db *db, const struct person_tickets *t, void *ctx);
bool db_person_tickets_submit(struct db *db, const void *owner, long long person_id, person_tickets_fn done,
			      void *ctx);

/* The token of a ticket row from one of the queries above. */
bool db_ticket_token(struct db *db, const PGresult *res, int row, char *out, size_t size);
/* The token of a claim (event, ticket, type, issue) read elsewhere (serve's
 * api_person_tickets), signed with the event's key as db_ticket_token does. */
bool db_claim_token(struct db *db, const struct ticket_claim *c, char *out, size_t size);

/* Assigns one ticket to the event's person with this e-mail (made when
 * new). A ticket held by someone else moves only with ASSIGN_REASSIGN (and
 * its old QR stops working); an e-mail whose person has another name or
 * company is refused unless ASSIGN_RENAME. */
enum { ASSIGN_REASSIGN = 1, ASSIGN_RENAME = 2 };
json_t *db_ticket_assign(struct db *db, long long ticket_id, const char *name, const char *email,
			 const char *company, const char *reason, unsigned flags);
/* The same for the terminal loop (async.h): done gets the document or
 * NULL with db->err; db_ticket_assign_needs() works in done. */
bool db_ticket_assign_submit(struct db *db, const void *owner, long long ticket_id, const char *name,
			     const char *email, const char *company, const char *reason, unsigned flags,
			     db_json_fn done, void *ctx);
/* After db_ticket_assign() refused: the flag that would let it through
 * when the user confirms (the ticket is held by someone else, or the
 * e-mail's person has another name), else 0. */
unsigned db_ticket_assign_needs(const struct db *db);
/* Bulk: rows [[name, email, company], …] onto the order's free tickets,
 * chosen inside the caller's transaction (never a held ticket). One
 * result per row, in order: {"ticket",…} or {"error",…}; NULL with
 * db->err on a database failure. */
json_t *db_ticket_assign_rows(struct db *db, long long order_id, const json_t *rows, const char *reason,
			      bool rename);
json_t *db_ticket_reissue(struct db *db, long long ticket_id, bool unassign, const char *reason);
/* The same for the terminal loop (async.h): a new QR for the ticket, the
 * holder kept (or taken off: unassign); done gets {"ticket","issue"} or
 * NULL with db->err. seen_issue: the issue the screen showed, refused
 * (stale) when another station changed the ticket since; 0: unchecked. */
bool db_ticket_reissue_submit(struct db *db, const void *owner, long long ticket_id, bool unassign,
			      const char *reason, int seen_issue, db_json_fn done, void *ctx);

#endif

/* Offline check-in conflicts (db/048): each ticket a gate admitted offline
 * that the database had let in elsewhere, with both scans; a supervisor
 * marks one reviewed or voids its ticket with a reason. */
#ifndef BOXOFFICE_DB_CONFLICTS_H
#define BOXOFFICE_DB_CONFLICTS_H

#include <jansson.h>

#include "async.h"
#include "db.h"

#define SQL_CONFLICT_LIST "SELECT conflict_list($1::bigint)"
#define SQL_CONFLICT_SETTLE "SELECT conflict_settle($1::bigint, $2::boolean, $3)"

/* The event's conflicts, newest first: an array of objects (id, ticket,
 * serial, person, type, ticket_status, gate, station, scanned_at, reason,
 * first_gate, first_at, reviewed_at, reviewed_by, resolution). */
json_t *db_conflict_list(struct db *db, long long event_id);
/* Reviewed (void false) or the ticket voided with reason; the SQL
 * function's document, or NULL with db->err (42501 for a clerk, BX404 for
 * no such conflict). */
json_t *db_conflict_settle(struct db *db, long long id, bool void_ticket, const char *reason);
/* The same, queued on the loop. */
bool db_conflict_list_submit(struct db *db, const void *owner, long long event_id, db_json_fn done, void *ctx);
bool db_conflict_settle_submit(struct db *db, const void *owner, long long id, bool void_ticket, const char *reason,
			       db_json_fn done, void *ctx);

#endif

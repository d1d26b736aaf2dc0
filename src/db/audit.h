/* The change log, a page at a time (db/027 change_log_page): the rows
 * about an order, ticket, person, event, station or user, newest first,
 * by keyset. Both calls answer one document {"rows": [...],
 * "next_before": ID|null}; each row {id, at, station, actor, entity,
 * entity_id, action, reason, event, type, channel, deltas, summary,
 * detail}. */
#ifndef BOXOFFICE_DB_AUDIT_H
#define BOXOFFICE_DB_AUDIT_H

#include <jansson.h>

#include "../core/audit.h"
#include "async.h"
#include "db.h"

/* Rows older than before (0: from the newest), or only rows newer than
 * after (0: any), at most limit (1..AUDIT_PAGE_MAX). NULL with db->err:
 * an order, ticket or person that does not exist is DB_REFUSED. */
json_t *db_audit_page(struct db *db, const struct audit_filter *f, long long before, long long after, int limit);
/* The same, queued on the loop (src/db/async.h). */
bool db_audit_page_submit(struct db *db, const void *owner, const struct audit_filter *f, long long before,
			  long long after, int limit, db_json_fn done, void *ctx);

#endif

/* Events as the terminal shows them: the Events screen's overview and the
 * event a station starts on. (Creating and resolving events: catalog.h.) */
#ifndef BOXOFFICE_DB_EVENTS_VIEW_H
#define BOXOFFICE_DB_EVENTS_VIEW_H

#include "db.h"

enum event_overview_col { EO_ID, EO_DATE, EO_NAME, EO_REENTRY, EO_TYPES, EO_CAPACITY };
/* Every event (up to limit) by date, with its number of ticket types and
 * their total capacity. */
PGresult *db_event_overview(struct db *db, int limit);
/* The same queued on the loop (src/db/read.h's shape). */
#include "read.h"
bool db_event_overview_submit(struct db *db, const void *owner, int limit, db_rows_fn done, void *ctx);

/* The event to start on: the given one (id > 0), else the next upcoming,
 * else the latest past one. False with db->err on failure; true with
 * *id = 0 when there is none. */
bool db_event_pick(struct db *db, long long id, long long *out_id, char *name, size_t size);

#endif

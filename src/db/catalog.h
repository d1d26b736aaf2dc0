/* Events and ticket types: creating, listing, and resolving "ID or unique
 * name" arguments. */
#ifndef BOXOFFICE_DB_CATALOG_H
#define BOXOFFICE_DB_CATALOG_H

#include <stdbool.h>

#include "db.h"

/* Resolve an ID or a unique name (compared ignoring case); false with
 * DB_REFUSED and "no such ..." when unknown, DB_FAILED on other errors. */
bool db_event_resolve(struct db *db, const char *text, long long *id);
bool db_type_resolve(struct db *db, long long event_id, const char *text, long long *id);

bool db_event_add(struct db *db, const char *name, const char *date, bool reentry,
		  long long *id);
/* The same in a time zone (a zone name such as Europe/Oslo; NULL: the
 * default); an unknown zone is DB_BADINPUT. */
bool db_event_add_tz(struct db *db, const char *name, const char *date, bool reentry,
		     const char *time_zone, long long *id);
enum event_col { EVENT_ID, EVENT_NAME, EVENT_DATE, EVENT_REENTRY, EVENT_TIME_ZONE };
PGresult *db_event_list(struct db *db);

struct type_spec {
	long long event_id;
	const char *name;
	const char *tier; /* adult, child, group, other */
	long long capacity;
	long long price_cents;
	long long seats_per_ticket;
	long long vat_bp;
};
bool db_type_add(struct db *db, const struct type_spec *spec, long long *id);
enum type_col { TYPE_ID, TYPE_EVENT, TYPE_NAME, TYPE_TIER, TYPE_CAPACITY,
		TYPE_SEATS, TYPE_PRICE, TYPE_VAT };
PGresult *db_type_list(struct db *db, long long event_id);
/* The same list queued on the loop (src/db/read.h's shape). */
#include "read.h"
bool db_type_list_submit(struct db *db, const void *owner, long long event_id, db_rows_fn done, void *ctx);

/* Whether the order, hold, ticket or event with this ID exists: 1, 0, or
 * -1 with db->err set. */
int db_exists(struct db *db, const char *kind, long long id);

#endif

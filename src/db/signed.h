/* Signed calls of recipe platforms (db/040_signed_callers.sql). */
#ifndef BOXOFFICE_DB_SIGNED_H
#define BOXOFFICE_DB_SIGNED_H

#include <jansson.h>

#include "db.h"

/* POST /tickets/adjust's work for a platform whose signature serve has
 * checked, as the live channel key named after the platform (none: SQLSTATE
 * 28000). idem: NULL or the idempotency key. */
json_t *db_api_signed_adjust(struct db *db, const char *platform, const char *body_json, const char *idem);

/* The same, once per signed request (db/042): delivery is the request's
 * signature; a replay answers the first answer plus "replay": true. */
json_t *db_api_signed_adjust_once(struct db *db, const char *platform, const char *body_json, const char *idem,
				  const char *delivery);

#endif

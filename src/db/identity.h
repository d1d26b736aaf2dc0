/* The database's permanent identity (migration 012), which keys a
 * station's local state. */
#ifndef BOXOFFICE_DB_IDENTITY_H
#define BOXOFFICE_DB_IDENTITY_H

#include <stdbool.h>

#include "db.h"

#define DB_IDENTITY_LEN 36 /* a UUID in text form */

/* Reads it into out (37 bytes); false with db->err set. */
bool db_identity(struct db *db, char out[DB_IDENTITY_LEN + 1]);

/* A short stable name (32 hex digits) for where this connection points
 * (its conninfo, or the PG* environment, or the embedded cluster), to
 * remember the identity it reached last while it cannot be asked. */
void db_where_key(const struct db *db, char out[33]);

#endif

/* The gate's view of the database: what it needs to decide offline,
 * streamed (a full load of millions of tickets never sits in memory as
 * one result) and fetched incrementally by transaction horizon. */
#ifndef BOXOFFICE_DB_GATE_CACHE_H
#define BOXOFFICE_DB_GATE_CACHE_H

#include <stdbool.h>

#include "db.h"

struct cache_row {
	long long ticket, event;
	int issue, scans;
	bool valid; /* ticket valid and its order settled */
	long long type;
	const char *person, *company; /* "" when unassigned; valid during the call */
	const char *passes;           /* "list:scans,…" ("" none; db/020); valid during the call */
};

/* Called per row; return false to stop (the call then fails). */
typedef bool (*cache_row_fn)(void *ctx, const struct cache_row *row);

/* Where the next incremental refresh must start (see db/013). */
bool db_cache_horizon(struct db *db, long long *horizon);
/* Streams the tickets of event (0: every event) written by transactions
 * at or after since (0: all of them) in single-row mode. */
bool db_cache_stream(struct db *db, long long event, long long since, cache_row_fn fn, void *ctx);

#endif

#ifndef BOXOFFICE_DB_DEMO_H
#define BOXOFFICE_DB_DEMO_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"

struct demo_stats {
	long long events, types, organizations, persons, orders, lines, tickets;
};

/* Called now and then with orders written so far; return false to stop
 * (the whole load is then rolled back). */
typedef bool (*demo_progress_fn)(long long done, long long total, void *ctx);

/* Loads deterministic demo data into a database without events, in one
 * transaction, streaming orders, lines and tickets with COPY. */
bool db_demo_load(struct db *db, long long orders, uint64_t seed, struct demo_stats *stats,
		  demo_progress_fn progress, void *ctx);
/* True when the database has no events yet. */
bool db_is_empty(struct db *db, bool *empty);

#endif

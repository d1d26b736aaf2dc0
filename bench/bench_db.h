/* The station's own database layer (src/db/db.h) in a benchmark: a
 * connection without the station's statement deadline (benchmarks run
 * statements over millions of rows) and a one-number query; both exit 3
 * when the database fails, as every benchmark does. */
#ifndef BOXOFFICE_BENCH_DB_H
#define BOXOFFICE_BENCH_DB_H

#include <stdio.h>
#include <stdlib.h>

#include "src/db/db.h"

static inline struct db *bench_db_connect(const char *conninfo, const char *station)
{
	struct db *db = db_new(conninfo, station);
	if (!db_connect(db)) {
		fprintf(stderr, "bench: %s\n", db->err);
		exit(3);
	}
	db_set_deadline(db, 0);
	return db;
}

static inline struct db *bench_db_connect_to(const char *dbname, const char *station)
{
	char conninfo[256];
	snprintf(conninfo, sizeof conninfo, "dbname=%s", dbname);
	return bench_db_connect(conninfo, station);
}

/* The first column of the first row; -1 when there is no row. */
static inline long long bench_db_scalar(struct db *db, const char *sql)
{
	PGresult *res = db_exec(db, sql, 0, NULL);
	long long v;
	if (!res) {
		fprintf(stderr, "bench: %s: %s\n", sql, db->err);
		exit(3);
	}
	v = PQntuples(res) ? db_int(res, 0, 0) : -1;
	PQclear(res);
	return v;
}

#endif

#include "gate_cache.h"

#include "async.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char SQL_HORIZON[] = "SELECT checkin_cache_horizon()";

/* rev IS NULL rows predate migration 013 and belong to every full load. */
static const char SQL_STREAM[] =
	"SELECT k.id, k.event_id, k.issue, k.status = 'valid' AND o.status = 'settled', k.scans, k.type_id, "
	"coalesce(p.name, ''), coalesce(p.company, ''), "
	/* its passes per check-in list (db/020), "list:scans,…": a scan on a
	 * list bumps ticket.rev, so an incremental refresh brings them */
	"coalesce((SELECT string_agg(c.list_id || ':' || c.scans, ',' ORDER BY c.list_id) "
	"FROM checkin_pass c WHERE c.ticket_id = k.id), '') "
	"FROM ticket k JOIN ticket_order o ON o.id = k.order_id LEFT JOIN person p ON p.id = k.person_id "
	"WHERE ($1::bigint = 0 OR k.event_id = $1::bigint) "
	"AND ($2::bigint = 0 OR k.rev >= $2::bigint)";

bool db_cache_horizon(struct db *db, long long *horizon)
{
	PGresult *res = db_exec(db, SQL_HORIZON, 0, NULL);
	if (!res)
		return false;
	*horizon = db_int(res, 0, 0);
	PQclear(res);
	return true;
}

bool db_cache_stream(struct db *db, long long event, long long since, cache_row_fn fn, void *ctx)
{
	char e[24], s[24];
	const char *p[2] = { e, s };
	PGresult *res;
	long long deadline;
	ExecStatusType st;
	bool ok = true, stopped = false;

	if (!db->conn || db->state != DB_READY) {
		db_set_error(db, DB_FAILED, "not connected to the database");
		return false;
	}
	snprintf(e, sizeof e, "%lld", event);
	snprintf(s, sizeof s, "%lld", since);
	/* the loop's request in flight answers first (kept for the loop) */
	if (!db_async_settle(db))
		return false;
	if (!PQsendQueryParams(db->conn, SQL_STREAM, 2, NULL, p, NULL, NULL, 0) ||
	    !PQsetSingleRowMode(db->conn)) {
		db_set_error(db, DB_FAILED, "%s", PQerrorMessage(db->conn));
		return false;
	}
	deadline = db->deadline_ms > 0 ? db_now_ms() + db->deadline_ms : 0;
	for (;;) {
		/* the whole stream within the deadline: a link gone silent
		 * mid-stream drops the connection instead of hanging the gate */
		if (!db_wait_ready(db, deadline))
			return false;
		if (!(res = PQgetResult(db->conn)))
			break;
		st = PQresultStatus(res);
		if (st == PGRES_SINGLE_TUPLE && ok && !stopped) {
			struct cache_row row = {
				.ticket = db_int(res, 0, 0),
				.event = db_int(res, 0, 1),
				.issue = (int)db_int(res, 0, 2),
				.valid = db_bool(res, 0, 3),
				.scans = (int)db_int(res, 0, 4),
				.type = db_int(res, 0, 5),
				.person = PQgetvalue(res, 0, 6),
				.company = PQgetvalue(res, 0, 7),
				.passes = PQgetvalue(res, 0, 8),
			};
			if (!fn(ctx, &row)) {
				stopped = true;
				db_set_error(db, DB_FAILED, "the cache could not take a row");
			}
		} else if (st != PGRES_SINGLE_TUPLE && st != PGRES_TUPLES_OK && ok) {
			ok = false;
			db_set_error(db, DB_FAILED, "%s", PQresultErrorMessage(res));
			db->err[strcspn(db->err, "\n")] = '\0';
		}
		PQclear(res);
	}
	if (PQstatus(db->conn) == CONNECTION_BAD) {
		db->state = DB_DISCONNECTED;
		ok = false;
	}
	return ok && !stopped;
}

#include "events_view.h"

#include <stdio.h>

static const char SQL_OVERVIEW[] =
	"SELECT e.id, e.date, e.name, e.reentry, count(t.id), coalesce(sum(t.capacity), 0) "
	"FROM event e LEFT JOIN ticket_type t ON t.event_id = e.id "
	"GROUP BY e.id ORDER BY e.date, e.id LIMIT $1::integer";

PGresult *db_event_overview(struct db *db, int limit)
{
	char l[24];
	const char *p[1] = { l };
	snprintf(l, sizeof l, "%d", limit);
	return db_exec(db, SQL_OVERVIEW, 1, p);
}

bool db_event_overview_submit(struct db *db, const void *owner, int limit, db_rows_fn done, void *ctx)
{
	char l[24];
	const char *p[1] = { l };
	snprintf(l, sizeof l, "%d", limit);
	return db_rows_submit(db, owner, SQL_OVERVIEW, 1, p, done, ctx);
}

bool db_event_pick(struct db *db, long long id, long long *out_id, char *name, size_t size)
{
	PGresult *res;

	if (id > 0)
		res = db_exec_id(db, "SELECT id, name FROM event WHERE id = $1", id);
	else
		res = db_exec(db,
			      "SELECT id, name FROM event ORDER BY date < current_date, "
			      "CASE WHEN date >= current_date THEN date END, date DESC, id LIMIT 1",
			      0, NULL);
	if (!res)
		return false;
	*out_id = 0;
	if (PQntuples(res) > 0) {
		*out_id = db_int(res, 0, 0);
		snprintf(name, size, "%s", db_text(res, 0, 1));
	}
	PQclear(res);
	return true;
}

#include "conflicts.h"

#include <stdio.h>

json_t *db_conflict_list(struct db *db, long long event_id)
{
	char ev[24];
	const char *p[1] = { ev };
	snprintf(ev, sizeof ev, "%lld", event_id);
	return db_json(db, SQL_CONFLICT_LIST, 1, p);
}

json_t *db_conflict_settle(struct db *db, long long id, bool void_ticket, const char *reason)
{
	char ids[24];
	const char *p[3] = { ids, void_ticket ? "true" : "false", reason ? reason : "" };
	snprintf(ids, sizeof ids, "%lld", id);
	return db_json(db, SQL_CONFLICT_SETTLE, 3, p);
}

bool db_conflict_list_submit(struct db *db, const void *owner, long long event_id, db_json_fn done, void *ctx)
{
	char ev[24];
	const char *p[1] = { ev };
	snprintf(ev, sizeof ev, "%lld", event_id);
	return db_json_submit(db, owner, SQL_CONFLICT_LIST, 1, p, done, ctx);
}

bool db_conflict_settle_submit(struct db *db, const void *owner, long long id, bool void_ticket, const char *reason,
			       db_json_fn done, void *ctx)
{
	char ids[24];
	const char *p[3] = { ids, void_ticket ? "true" : "false", reason ? reason : "" };
	snprintf(ids, sizeof ids, "%lld", id);
	return db_json_submit(db, owner, SQL_CONFLICT_SETTLE, 3, p, done, ctx);
}

#include "organizations.h"

#include <stdio.h>

static PGresult *exec_event_limit(struct db *db, const char *sql, long long event_id, int limit)
{
	char e[24], l[24];
	const char *p[2] = { e, l };
	snprintf(e, sizeof e, "%lld", event_id);
	snprintf(l, sizeof l, "%d", limit);
	return db_exec(db, sql, 2, p);
}

static const char SQL_ORG_CHOICES[] =
	"SELECT eo.id, o.name FROM event_organization eo JOIN organization o "
	"ON o.id = eo.organization_id WHERE eo.event_id = $1 ORDER BY o.name LIMIT $2::integer";

PGresult *db_event_org_choices(struct db *db, long long event_id, int limit)
{
	return exec_event_limit(db, SQL_ORG_CHOICES, event_id, limit);
}

bool db_event_org_choices_submit(struct db *db, const void *owner, long long event_id, int limit, db_rows_fn done,
				 void *ctx)
{
	char e[24], l[24];
	const char *p[2] = { e, l };
	snprintf(e, sizeof e, "%lld", event_id);
	snprintf(l, sizeof l, "%d", limit);
	return db_rows_submit(db, owner, SQL_ORG_CHOICES, 2, p, done, ctx);
}

static const char SQL_ORG_LIST[] =
	"SELECT o.name, eo.relationship, eo.lifecycle, eo.commercial_status, eo.visibility, eo.package, "
	"eo.booth, eo.category, (SELECT count(*) || ' · ' || coalesce(sum(gross_cents), 0) FROM ticket_order t "
	"WHERE t.event_org_id = eo.id) FROM event_organization eo JOIN organization o ON o.id = eo.organization_id "
	"WHERE eo.event_id = $1 ORDER BY eo.relationship, o.name LIMIT $2::integer";

PGresult *db_event_org_list(struct db *db, long long event_id, int limit)
{
	return exec_event_limit(db, SQL_ORG_LIST, event_id, limit);
}

bool db_event_org_list_submit(struct db *db, const void *owner, long long event_id, int limit, db_rows_fn done,
			      void *ctx)
{
	char e[24], l[24];
	const char *p[2] = { e, l };
	snprintf(e, sizeof e, "%lld", event_id);
	snprintf(l, sizeof l, "%d", limit);
	return db_rows_submit(db, owner, SQL_ORG_LIST, 2, p, done, ctx);
}

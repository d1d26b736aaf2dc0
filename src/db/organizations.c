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

PGresult *db_event_org_choices(struct db *db, long long event_id, int limit)
{
	return exec_event_limit(db,
				"SELECT eo.id, o.name FROM event_organization eo JOIN organization o "
				"ON o.id = eo.organization_id WHERE eo.event_id = $1 ORDER BY o.name LIMIT $2::integer",
				event_id, limit);
}

PGresult *db_event_org_list(struct db *db, long long event_id, int limit)
{
	return exec_event_limit(
		db,
		"SELECT o.name, eo.relationship, eo.lifecycle, eo.commercial_status, eo.visibility, eo.package, "
		"eo.booth, eo.category, (SELECT count(*) || ' · ' || coalesce(sum(gross_cents), 0) FROM ticket_order t "
		"WHERE t.event_org_id = eo.id) FROM event_organization eo JOIN organization o ON o.id = eo.organization_id "
		"WHERE eo.event_id = $1 ORDER BY eo.relationship, o.name LIMIT $2::integer",
		event_id, limit);
}

#include "organizations.h"

#include <stdio.h>

/* The two parameters every statement here takes: the event and a limit. */
struct event_limit {
	char e[24], l[24];
	const char *p[2];
};

static const char *const *event_limit(struct event_limit *a, long long event_id, int limit)
{
	snprintf(a->e, sizeof a->e, "%lld", event_id);
	snprintf(a->l, sizeof a->l, "%d", limit);
	a->p[0] = a->e;
	a->p[1] = a->l;
	return a->p;
}

static PGresult *exec_event_limit(struct db *db, const char *sql, long long event_id, int limit)
{
	struct event_limit a;
	return db_exec(db, sql, 2, event_limit(&a, event_id, limit));
}

static bool submit_event_limit(struct db *db, const void *owner, const char *sql, long long event_id, int limit,
			       db_rows_fn done, void *ctx)
{
	struct event_limit a;
	return db_rows_submit(db, owner, sql, 2, event_limit(&a, event_id, limit), done, ctx);
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
	return submit_event_limit(db, owner, SQL_ORG_CHOICES, event_id, limit, done, ctx);
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
	return submit_event_limit(db, owner, SQL_ORG_LIST, event_id, limit, done, ctx);
}

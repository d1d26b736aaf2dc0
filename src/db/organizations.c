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
	"SELECT eo.id, o.name, count(*) OVER () FROM event_organization eo JOIN organization o "
	"ON o.id = eo.organization_id WHERE eo.event_id = $1 AND eo.archived_at IS NULL "
	"ORDER BY o.name LIMIT $2::integer";

PGresult *db_event_org_choices(struct db *db, long long event_id, int limit)
{
	return exec_event_limit(db, SQL_ORG_CHOICES, event_id, limit);
}

bool db_event_org_choices_submit(struct db *db, const void *owner, long long event_id, int limit, db_rows_fn done,
				 void *ctx)
{
	return submit_event_limit(db, owner, SQL_ORG_CHOICES, event_id, limit, done, ctx);
}

/* An organization's orders: those placed on its behalf (event_org_id),
 * and those that name it as their company without being linked (counter
 * sales with --company, imported and demo orders), the name compared as
 * names are everywhere, ignoring case. Cancelled and refunded orders are
 * no business and do not count. One pass over the event's orders. */
static const char SQL_ORG_LIST[] =
	"WITH g AS (SELECT eo.*, o.name FROM event_organization eo JOIN organization o "
	"  ON o.id = eo.organization_id WHERE eo.event_id = $1 AND eo.archived_at IS NULL), "
	"t AS (SELECT coalesce(t.event_org_id, g.id) AS eo_id, t.gross_cents FROM ticket_order t "
	"  LEFT JOIN g ON t.event_org_id IS NULL AND lower(btrim(t.company)) = lower(btrim(g.name)) "
	"  WHERE t.event_id = $1 AND t.status NOT IN ('cancelled', 'refunded')), "
	"a AS (SELECT eo_id, count(*) AS n, sum(gross_cents) AS amount FROM t WHERE eo_id IS NOT NULL "
	"  GROUP BY eo_id) "
	"SELECT g.name, g.relationship, g.lifecycle, g.commercial_status, g.visibility, g.package, "
	"g.booth, g.category, coalesce(a.n, 0), coalesce(a.amount, 0), g.id, g.version, "
	"(SELECT coalesce(sum(entitled), 0) || ' · ' || coalesce(sum(ordered), 0) || ' · ' || "
	"coalesce(sum(assigned), 0) || ' · ' || coalesce(sum(checked_in), 0) FROM org_entitlement e "
	"WHERE e.event_org_id = g.id), g.organization_id, count(*) OVER () "
	"FROM g LEFT JOIN a ON a.eo_id = g.id ORDER BY g.relationship, g.name LIMIT $2::integer";

static const char SQL_ORG_ARCHIVED[] =
	"SELECT id, company_id, organization, relationship, booth, "
	"to_char(archived_at, 'YYYY-MM-DD HH24:MI'), version, count(*) OVER () "
	"FROM org_archived($1::bigint) ORDER BY archived_at DESC, id LIMIT $2::integer";

PGresult *db_event_org_archived(struct db *db, long long event_id, int limit)
{
	return exec_event_limit(db, SQL_ORG_ARCHIVED, event_id, limit);
}

bool db_event_org_archived_submit(struct db *db, const void *owner, long long event_id, int limit,
				  db_rows_fn done, void *ctx)
{
	return submit_event_limit(db, owner, SQL_ORG_ARCHIVED, event_id, limit, done, ctx);
}

/* How many are archived (counted up to limit): "none yet" and "all
 * archived" are different answers to an empty list. */
static const char SQL_ORG_ARCHIVED_COUNT[] =
	"SELECT count(*) FROM (SELECT 1 FROM event_organization WHERE event_id = $1 "
	"AND archived_at IS NOT NULL LIMIT $2::integer) a";

long long db_event_org_archived_count(struct db *db, long long event_id, int limit)
{
	PGresult *res = exec_event_limit(db, SQL_ORG_ARCHIVED_COUNT, event_id, limit);
	long long n = res && PQntuples(res) == 1 ? db_int(res, 0, 0) : -1;
	PQclear(res);
	return n;
}

bool db_event_org_archived_count_submit(struct db *db, const void *owner, long long event_id, int limit,
					db_rows_fn done, void *ctx)
{
	return submit_event_limit(db, owner, SQL_ORG_ARCHIVED_COUNT, event_id, limit, done, ctx);
}

PGresult *db_event_org_list(struct db *db, long long event_id, int limit)
{
	return exec_event_limit(db, SQL_ORG_LIST, event_id, limit);
}

bool db_event_org_list_submit(struct db *db, const void *owner, long long event_id, int limit, db_rows_fn done,
			      void *ctx)
{
	return submit_event_limit(db, owner, SQL_ORG_LIST, event_id, limit, done, ctx);
}

/* The writes of db/050, each one SQL function returning jsonb. */
static const char *const SQL_ORG_CALL[] = {
	[ORG_ADD] = "SELECT org_add($1::bigint, $2, $3::jsonb)",
	[ORG_EDIT] = "SELECT org_edit($1::bigint, $2::integer, $3::jsonb)",
	[ORG_ARCHIVE] = "SELECT org_archive($1::bigint, $2::integer)",
	[ORG_PACKAGE_SET] = "SELECT org_package_set($1::bigint, $2, $3::jsonb, $4)",
	[ORG_PACKAGE_GIVE] = "SELECT org_package_give($1::bigint, $2, $3::integer)",
	[ORG_ORDER] = "SELECT org_package_order($1::bigint)",
	[ORG_MERGE] = "SELECT org_merge($1::bigint, $2::bigint)",
	[ORG_BOOTHS] = "SELECT org_booth_plan($1::bigint)",
	[ORG_BOOTH_ADD] = "SELECT org_booth_add($1::bigint, $2, $3)",
	[ORG_SHOW] = "SELECT org_result($1::bigint)",
	/* the inner call runs first; the outer one sees what it wrote */
	[ORG_ADD_PACKAGE] = "SELECT org_package_give((org_add($1::bigint, $2, $3::jsonb)->>'id')::bigint, $4, NULL)",
	[ORG_EDIT_PACKAGE] = "SELECT org_package_give($1::bigint, $4, "
			     "(org_edit($1::bigint, $2::integer, $3::jsonb)->>'version')::integer)",
	[ORG_RESTORE] = "SELECT org_restore($1::bigint, $2::integer)",
};
static const int ORG_CALL_PARAMS[] = {
	[ORG_ADD] = 3, [ORG_EDIT] = 3, [ORG_ARCHIVE] = 2, [ORG_PACKAGE_SET] = 4, [ORG_PACKAGE_GIVE] = 3,
	[ORG_ORDER] = 1, [ORG_MERGE] = 2, [ORG_BOOTHS] = 1, [ORG_BOOTH_ADD] = 3, [ORG_SHOW] = 1,
	[ORG_ADD_PACKAGE] = 4, [ORG_EDIT_PACKAGE] = 4, [ORG_RESTORE] = 2,
};

json_t *db_org_call(struct db *db, enum org_call call, const char *const *params)
{
	json_t *doc;

	if (call != ORG_SHOW)
		return db_json(db, SQL_ORG_CALL[call], ORG_CALL_PARAMS[call], params);
	/* org_result of an ID that is no event organization is NULL */
	doc = db_json_or_null(db, SQL_ORG_CALL[call], ORG_CALL_PARAMS[call], params);
	if (doc && json_is_null(doc)) {
		json_decref(doc);
		db_set_error(db, DB_REFUSED, "event organization %s does not exist", params[0]);
		return NULL;
	}
	return doc;
}

bool db_org_call_submit(struct db *db, const void *owner, enum org_call call, const char *const *params,
			db_json_fn done, void *ctx)
{
	return db_json_submit(db, owner, SQL_ORG_CALL[call], ORG_CALL_PARAMS[call], params, done, ctx);
}

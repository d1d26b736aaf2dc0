#include "companies.h"

#include <stdio.h>

/* $1 event, $2 what was typed, $3 limit. A name matches when it starts
 * with the text, contains it, or is close to a word of it by trigrams
 * (pg_trgm, migration 001); each part filters before it is merged, so
 * only the event's matching orders are read. */
#define MATCHES(col) \
	"(left(lower(" col "), length(q.q)) = q.q OR strpos(lower(" col "), q.q) > 0 " \
	"OR word_similarity(q.q, lower(" col ")) > 0.3)"

static const char SQL_COMPANY_SEARCH[] =
	"WITH q AS (SELECT lower(btrim($2)) AS q), "
	"orgs AS (SELECT eo.id AS org, o.name, lo.contact, lo.email "
	"  FROM q, event_organization eo JOIN organization o ON o.id = eo.organization_id "
	"  LEFT JOIN LATERAL (SELECT t.contact, t.email FROM ticket_order t "
	"    WHERE t.event_id = $1 AND t.event_org_id = eo.id "
	"    ORDER BY (t.contact <> '' OR t.email <> '') DESC, t.id DESC LIMIT 1) lo ON true "
	"  WHERE eo.event_id = $1 AND " MATCHES("o.name") "), "
	"companies AS (SELECT DISTINCT ON (lower(t.company)) NULL::bigint AS org, t.company AS name, "
	"    t.contact, t.email FROM q, ticket_order t "
	"  WHERE t.event_id = $1 AND t.company <> '' AND " MATCHES("t.company")
	"  ORDER BY lower(t.company), (t.contact <> '' OR t.email <> '') DESC, t.id DESC) "
	"SELECT m.org, m.name, coalesce(m.contact, ''), coalesce(m.email, '') FROM q, ("
	"  SELECT * FROM orgs UNION ALL "
	"  SELECT * FROM companies c WHERE NOT EXISTS "
	"    (SELECT 1 FROM orgs WHERE lower(orgs.name) = lower(c.name))) m "
	"ORDER BY left(lower(m.name), length(q.q)) = q.q DESC, strpos(lower(m.name), q.q) > 0 DESC, "
	"  word_similarity(q.q, lower(m.name)) DESC, lower(m.name), m.org "
	"LIMIT $3::integer";

struct search_args {
	char e[24], l[24];
	const char *p[3];
};

static const char *const *search_args(struct search_args *a, long long event_id, const char *text, int limit)
{
	snprintf(a->e, sizeof a->e, "%lld", event_id);
	snprintf(a->l, sizeof a->l, "%d", limit);
	a->p[0] = a->e;
	a->p[1] = text ? text : "";
	a->p[2] = a->l;
	return a->p;
}

PGresult *db_company_search(struct db *db, long long event_id, const char *text, int limit)
{
	struct search_args a;
	return db_exec(db, SQL_COMPANY_SEARCH, 3, search_args(&a, event_id, text, limit));
}

bool db_company_search_submit(struct db *db, const void *owner, long long event_id, const char *text, int limit,
			      db_rows_fn done, void *ctx)
{
	struct search_args a;
	return db_rows_submit(db, owner, SQL_COMPANY_SEARCH, 3, search_args(&a, event_id, text, limit), done, ctx);
}

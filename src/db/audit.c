#include "audit.h"

#include <stdio.h>

static const char SQL_AUDIT_PAGE[] =
	"SELECT change_log_page($1::bigint, $2::bigint, $3::bigint, $4::text, $5::text, $6::bigint, $7::bigint, "
	"$8::integer, $9::bigint)";

struct audit_params {
	char ids[4][24], before[24], after[24], limit[12];
	const char *p[9];
};

static void audit_params(struct audit_params *a, const struct audit_filter *f, long long before, long long after,
			 int limit)
{
	const long long ids[4] = { f->order, f->ticket, f->person, f->event };
	const int slot[4] = { 0, 1, 2, 5 };

	for (int i = 0; i < 4; i++) {
		snprintf(a->ids[i], sizeof a->ids[i], "%lld", ids[i]);
		a->p[slot[i]] = ids[i] ? a->ids[i] : NULL;
	}
	a->p[3] = f->station[0] ? f->station : NULL;
	a->p[4] = f->actor[0] ? f->actor : NULL;
	snprintf(a->before, sizeof a->before, "%lld", before);
	snprintf(a->after, sizeof a->after, "%lld", after);
	snprintf(a->limit, sizeof a->limit, "%d", limit);
	a->p[6] = before ? a->before : NULL;
	a->p[7] = a->limit;
	a->p[8] = after ? a->after : NULL;
}

json_t *db_audit_page(struct db *db, const struct audit_filter *f, long long before, long long after, int limit)
{
	struct audit_params a;
	audit_params(&a, f, before, after, limit);
	return db_json(db, SQL_AUDIT_PAGE, 9, a.p);
}

bool db_audit_page_submit(struct db *db, const void *owner, const struct audit_filter *f, long long before,
			  long long after, int limit, db_json_fn done, void *ctx)
{
	struct audit_params a;
	audit_params(&a, f, before, after, limit);
	return db_json_submit(db, owner, SQL_AUDIT_PAGE, 9, a.p, done, ctx);
}

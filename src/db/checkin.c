#include "checkin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"
#include "async.h"

PGresult *db_gate_events(struct db *db)
{
	return db_exec(db, "SELECT id, name FROM event ORDER BY id", 0, NULL);
}

PGresult *db_gate_types(struct db *db)
{
	return db_exec(db, "SELECT id, name FROM ticket_type ORDER BY id", 0, NULL);
}

PGresult *db_gate_lists(struct db *db)
{
	return db_exec(db,
		       "SELECT l.id, l.event_id, l.name, l.reentry, l.all_types, coalesce(l.area_id, 0), "
		       "coalesce((SELECT string_agg(t.type_id::text, ',' ORDER BY t.type_id) FROM checkin_list_type t "
		       "WHERE t.list_id = l.id), ''), checkin_list_type_reason(l.id), coalesce(checkin_list_rules(l.id), '') "
		       "FROM checkin_list l ORDER BY l.id",
		       0, NULL);
}

/* in whole seconds: a gate's clock is no finer (windows are minutes) */
PGresult *db_gate_windows(struct db *db)
{
	return db_exec(db,
		       "SELECT w.list_id, floor(extract(epoch FROM w.from_at))::bigint, "
		       "floor(extract(epoch FROM w.to_at))::bigint, event_local_text(l.event_id, w.from_at), "
		       "event_local_text(l.event_id, w.to_at) "
		       "FROM checkin_list_window w JOIN checkin_list l ON l.id = w.list_id ORDER BY w.list_id, w.from_at",
		       0, NULL);
}

PGresult *db_gate_areas(struct db *db)
{
	return db_exec(db, "SELECT id, event_id, name, capacity, inside FROM area ORDER BY id", 0, NULL);
}

json_t *db_checkin_undo(struct db *db, long long ticket, const char *gate, const char *reason, long long list)
{
	char t[24], l[24];
	const char *p[4] = { t, gate, reason, list > 0 ? l : NULL };
	snprintf(t, sizeof t, "%lld", ticket);
	snprintf(l, sizeof l, "%lld", list);
	return db_json(db, "SELECT checkin_undo($1, $2, $3, $4::bigint)", 4, p);
}

PGresult *db_gate_keys(struct db *db)
{
	return db_exec(db, "SELECT event_id, encode(public_key, 'hex') FROM event_key ORDER BY event_id", 0, NULL);
}

PGresult *db_gate_tickets(struct db *db, long long event_id)
{
	return db_exec_id(db,
			  "SELECT ticket_id, event_id, issue, status = 'valid' AND order_status = 'settled', scans "
			  "FROM checkin_cache WHERE $1::bigint = 0 OR event_id = $1::bigint",
			  event_id);
}

static const char SQL_SCAN[] =
	"SELECT checkin_scan($1, $2, $3, $4, NULL, false, $5::uuid, $6::bigint[], $7, $8::integer)";

json_t *db_checkin_scan(struct db *db, long long ticket, long long event, long long issue, const char *gate,
			const char *scan_id, const char *lists, const char *override, int wait_ms)
{
	char t[24], e[24], i[24], w[16];
	const char *p[8] = { t, e, i, gate, scan_id, lists, override, wait_ms > 0 ? w : NULL };
	snprintf(t, sizeof t, "%lld", ticket);
	snprintf(e, sizeof e, "%lld", event);
	snprintf(i, sizeof i, "%lld", issue);
	snprintf(w, sizeof w, "%d", wait_ms);
	return db_json(db, SQL_SCAN, 8, p);
}

json_t *db_checkin_upload(struct db *db, long long ticket, long long event, long long issue, const char *gate,
			  const char *at, const char *token, const char *scan_id, const char *lists, const char *direction)
{
	char t[24], e[24], i[24];
	const char *p[10] = { t, e, i, gate, at, token, "admit", scan_id, lists, direction };
	json_t *r;

	snprintf(t, sizeof t, "%lld", ticket);
	snprintf(e, sizeof e, "%lld", event);
	snprintf(i, sizeof i, "%lld", issue);
	if (!db_run(db, "SAVEPOINT gate_upload_line", 0, NULL))
		return NULL;
	r = db_json(db, "SELECT checkin_upload($1, $2, $3, $4, $5::timestamptz, $6, $7, $8::uuid, $9::bigint[], $10)",
		    10, p);
	/* A deadlock, a lock or statement timeout, a lost link: not the
	 * line's fault. The caller keeps the whole journal for a later try. */
	if (!r && db_error_is_transient(db)) {
		db->status = DB_FAILED;
		return NULL;
	}
	if (!r && db->state == DB_READY) {
		char err[sizeof db->err];
		enum db_status status = db->status == DB_FAILED ? DB_REFUSED : db->status;
		snprintf(err, sizeof err, "%s", db->err);
		if (!db_run(db, "ROLLBACK TO SAVEPOINT gate_upload_line", 0, NULL))
			return NULL;
		db_set_error(db, status, "%s", err);
	}
	return r;
}

struct scan_job {
	void (*done)(struct db *db, json_t *answer, void *ctx);
	void *ctx;
};

static void scan_job_answer(struct db *db, PGresult *res, void *arg)
{
	struct scan_job *job = arg;
	json_t *answer = NULL;

	if (res && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		answer = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	else if (res)
		db_set_error(db, DB_FAILED, "no result from the database");
	job->done(db, answer, job->ctx);
	json_decref(answer);
	free(job);
}

static void scan_job_drop(void *arg)
{
	free(arg);
}

bool db_checkin_scan_submit(struct db *db, const void *owner, long long ticket, long long event, long long issue,
			    const char *gate, const char *scan_id, const char *lists, const char *override, int wait_ms,
			    void (*done)(struct db *db, json_t *answer, void *ctx), void *ctx)
{
	char t[24], e[24], i[24], w[16];
	const char *p[8] = { t, e, i, gate, scan_id, lists, override, wait_ms > 0 ? w : NULL };
	struct scan_job *job = malloc(sizeof *job);

	if (!job) {
		db_set_error(db, DB_FAILED, "out of memory");
		return false;
	}
	*job = (struct scan_job){ done, ctx };
	snprintf(t, sizeof t, "%lld", ticket);
	snprintf(e, sizeof e, "%lld", event);
	snprintf(i, sizeof i, "%lld", issue);
	snprintf(w, sizeof w, "%d", wait_ms);
	if (!db_submit(db, owner, SQL_SCAN, 8, p,
		       scan_job_answer, scan_job_drop, job)) {
		free(job);
		return false;
	}
	return true;
}

static const char SQL_TYPE_COUNTS[] =
	"SELECT t.name, count(k.id) FILTER (WHERE " SQL_TICKET_CHECKED_IN("k") "), count(k.id) FROM ticket_type t "
	"LEFT JOIN ticket k ON k.type_id = t.id AND k.status = 'valid' WHERE t.event_id = $1 "
	"GROUP BY t.id, t.name ORDER BY t.id";
/* Conflicts still to look at: a supervisor's review or void settles one. */
static const char SQL_CONFLICTS[] =
	"SELECT count(*) FROM checkin_conflict c JOIN ticket k ON k.id = c.ticket_id WHERE k.event_id = $1 "
	"AND c.reviewed_at IS NULL";
static const char SQL_RECENT[] =
	"SELECT to_char(c.at, 'HH24:MI:SS'), c.direction, c.gate, coalesce(p.name, '#' || k.id::text), "
	"t.name, extract(epoch FROM c.at), k.id, coalesce(c.undo_reason, ''), coalesce(c.override_reason, '') "
	"FROM checkin c JOIN ticket k ON k.id = c.ticket_id JOIN ticket_type t ON t.id = k.type_id "
	"LEFT JOIN person p ON p.id = k.person_id WHERE k.event_id = $1 "
	"ORDER BY c.at DESC, c.id DESC LIMIT $2::integer";

PGresult *db_checkin_type_counts(struct db *db, long long event_id)
{
	return db_exec_id(db, SQL_TYPE_COUNTS, event_id);
}

static bool parse_count(struct db *db, const PGresult *res, void *dst)
{
	(void)db;
	*(long long *)dst = db_int(res, 0, 0);
	return true;
}

#define SQL_REFUSED "SELECT checkin_refused($1::bigint, $2, $3)"

bool db_checkin_refused_submit(struct db *db, const void *owner, long long event, const char *gate,
			       const char *reason)
{
	char e[24];
	const char *p[3] = { e, gate, reason };
	snprintf(e, sizeof e, "%lld", event);
	return db_submit(db, owner, SQL_REFUSED, 3, p, NULL, NULL, NULL);
}

bool db_checkin_refused(struct db *db, long long event, const char *gate, const char *reason)
{
	char e[24];
	const char *p[3] = { e, gate, reason };
	PGresult *res;
	snprintf(e, sizeof e, "%lld", event);
	res = db_exec(db, SQL_REFUSED, 3, p);
	PQclear(res);
	return res != NULL;
}

void db_checkin_conflicts_add(struct db_read *r, long long event_id, long long *dst)
{
	char e[24];
	const char *p[1] = { e };
	snprintf(e, sizeof e, "%lld", event_id);
	db_read_add(r, SQL_CONFLICTS, 1, p, parse_count, dst);
}

bool db_checkin_conflict_count(struct db *db, long long event_id, long long *count)
{
	PGresult *res = db_exec_id(db, SQL_CONFLICTS, event_id);
	if (!res)
		return false;
	*count = db_int(res, 0, 0);
	PQclear(res);
	return true;
}

PGresult *db_checkin_recent(struct db *db, long long event_id, int limit)
{
	char e[24], l[24];
	const char *p[2] = { e, l };
	snprintf(e, sizeof e, "%lld", event_id);
	snprintf(l, sizeof l, "%d", limit);
	return db_exec(db, SQL_RECENT, 2, p);
}

static bool parse_type_counts(struct db *db, const PGresult *res, void *dst)
{
	struct checkin_figures *f = dst;
	(void)db;
	for (int i = 0; i < PQntuples(res) && i < CHECKIN_TYPES_MAX; i++) {
		snprintf(f->types[i].name, sizeof f->types[i].name, "%s", db_text(res, i, CT_NAME));
		f->types[i].in = db_int(res, i, CT_IN);
		f->types[i].total = db_int(res, i, CT_TOTAL);
		f->checked_in += f->types[i].in;
		f->total += f->types[i].total;
		f->ntypes++;
	}
	return true;
}

static bool parse_recent(struct db *db, const PGresult *res, void *dst)
{
	struct checkin_figures *f = dst;
	(void)db;
	for (int i = 0; i < PQntuples(res) && f->nrecent < CHECKIN_RECENT; i++) {
		const char *undo = db_text(res, i, CR_UNDO);
		char line[2400], keep[1200] = "";
		f->recent_at[f->nrecent] = strtod(db_text(res, i, CR_EPOCH), NULL);
		f->recent_ticket[f->nrecent] = db_int(res, i, CR_TICKET);
		f->recent_in[f->nrecent] = strcmp(db_text(res, i, CR_DIRECTION), "in") == 0;
		if (*undo) {
			snprintf(line, sizeof line, "%s %-*s %s (%s)", db_text(res, i, CR_AT), CHECKIN_MARK_W,
				 db_text(res, i, CR_DIRECTION), db_text(res, i, CR_WHO), db_text(res, i, CR_TYPE));
			snprintf(keep, sizeof keep, " · UNDO: %s", undo);
		} else if (*db_text(res, i, CR_OVERRIDE)) {
			/* a supervisor let them into a full area: said before the gate */
			snprintf(line, sizeof line, "%s %-*s %s (%s)", db_text(res, i, CR_AT), CHECKIN_MARK_W,
				 db_text(res, i, CR_DIRECTION), db_text(res, i, CR_WHO), db_text(res, i, CR_TYPE));
			snprintf(keep, sizeof keep, " · over capacity: %s · %s", db_text(res, i, CR_OVERRIDE),
				 db_text(res, i, CR_GATE));
		} else
			/* who first, the gate last: a narrow column cuts the gate */
			snprintf(line, sizeof line, "%s %-*s %s (%s) · %s", db_text(res, i, CR_AT), CHECKIN_MARK_W,
				 db_text(res, i, CR_DIRECTION), db_text(res, i, CR_WHO), db_text(res, i, CR_TYPE),
				 db_text(res, i, CR_GATE));
		/* a long name is cut between characters, never inside one */
		utf8_copy(f->recent_keep[f->nrecent], sizeof f->recent_keep[0], keep);
		utf8_copy(f->recent[f->nrecent++], sizeof f->recent[0], line);
	}
	return true;
}

static struct db_read *figures_read(long long event_id)
{
	struct db_read *r = db_read_new(sizeof(struct checkin_figures));
	struct checkin_figures *f = db_read_out(r);
	char e[24], l[24];
	const char *p[2] = { e, l };

	snprintf(e, sizeof e, "%lld", event_id);
	snprintf(l, sizeof l, "%d", CHECKIN_RECENT);
	db_read_add(r, SQL_TYPE_COUNTS, 1, p, parse_type_counts, f);
	db_checkin_conflicts_add(r, event_id, &f->conflicts);
	db_read_add(r, SQL_RECENT, 2, p, parse_recent, f);
	return r;
}

bool db_checkin_figures_read(struct db *db, long long event_id, struct checkin_figures *out)
{
	return db_read_run(db, figures_read(event_id), out);
}

static void figures_deliver(struct db *db, void (*done)(void), const void *out, void *ctx)
{
	((checkin_figures_fn)done)(db, out, ctx);
}

bool db_checkin_figures_submit(struct db *db, const void *owner, long long event_id, checkin_figures_fn done,
			       void *ctx)
{
	return db_read_submit(db, owner, figures_read(event_id), figures_deliver, (void (*)(void))done, ctx);
}

bool db_ticket_scan_summary(struct db *db, long long ticket_id, long long *count, char *last, size_t size)
{
	PGresult *res = db_exec_id(db,
				   /* the last by time, then id (as My Tickets): not by text */
				   "SELECT count(*), coalesce((array_agg(to_char(at, 'YYYY-MM-DD HH24:MI') || ' ' || "
				   "direction || ' at ' || gate ORDER BY at DESC, id DESC))[1], '') "
				   "FROM checkin WHERE ticket_id = $1",
				   ticket_id);
	if (!res)
		return false;
	*count = db_int(res, 0, 0);
	snprintf(last, size, "%s", db_text(res, 0, 1));
	PQclear(res);
	return true;
}

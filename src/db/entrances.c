#include "entrances.h"

#include <stdio.h>
#include <stdlib.h>

static void id_text(char out[24], long long id)
{
	snprintf(out, 24, "%lld", id);
}

/* One bigint cell answered by a statement; false with db->err set. */
static bool one_id(struct db *db, const char *sql, int n, const char *const *p, long long *id)
{
	PGresult *res = db_exec(db, sql, n, p);
	if (!res)
		return false;
	*id = PQntuples(res) == 1 ? db_int(res, 0, 0) : 0;
	PQclear(res);
	return true;
}

bool db_list_save(struct db *db, long long list, long long event, json_t *spec, long long *id)
{
	char l[24], e[24], *text = json_dumps(spec, JSON_COMPACT);
	const char *p[3] = { list > 0 ? l : NULL, e, text };
	bool ok;

	if (!text) {
		db_set_error(db, DB_BADINPUT, "the list's settings do not encode");
		return false;
	}
	id_text(l, list);
	id_text(e, event);
	ok = one_id(db, "SELECT checkin_list_save($1::bigint, $2::bigint, $3::jsonb)", 3, p, id);
	free(text);
	return ok;
}

json_t *db_list_show(struct db *db, long long event, const char *name)
{
	char e[24];
	const char *p[2] = { e, name };
	id_text(e, event);
	return db_json(db,
		       "SELECT coalesce(jsonb_agg(checkin_list_json(id) ORDER BY name), '[]') FROM checkin_list "
		       "WHERE event_id = $1::bigint AND ($2::text IS NULL OR name = $2::text)",
		       2, p);
}

/* A name first, then an ID (as events and types resolve). */
static const char SQL_LIST_RESOLVE[] =
	"SELECT id, event_id FROM checkin_list WHERE ($1::bigint = 0 OR event_id = $1::bigint) AND name = $2 "
	"UNION ALL "
	"SELECT id, event_id FROM checkin_list WHERE ($1::bigint = 0 OR event_id = $1::bigint) AND $2 ~ '^[0-9]{1,18}$' "
	"AND id = $2::bigint AND NOT EXISTS (SELECT 1 FROM checkin_list WHERE ($1::bigint = 0 OR event_id = $1::bigint) "
	"AND name = $2) LIMIT 2";

bool db_list_resolve(struct db *db, long long event, const char *name, long long *id, long long *event_out)
{
	char e[24];
	const char *p[2] = { e, name };
	PGresult *res;
	int n;

	id_text(e, event);
	if (!(res = db_exec(db, SQL_LIST_RESOLVE, 2, p)))
		return false;
	n = PQntuples(res);
	if (n == 1) {
		*id = db_int(res, 0, 0);
		if (event_out)
			*event_out = db_int(res, 0, 1);
	}
	PQclear(res);
	if (n == 0)
		db_set_error(db, DB_REFUSED, "no check-in list \"%s\"%s", name, event ? " in this event" : "");
	else if (n > 1)
		db_set_error(db, DB_REFUSED, "several events have a check-in list \"%s\": give --event", name);
	return n == 1;
}

bool db_area_save(struct db *db, long long area, long long event, const char *name, long long capacity,
		  long long *id)
{
	char a[24], e[24], c[24];
	const char *p[4] = { area > 0 ? a : NULL, e, name, capacity >= 0 ? c : NULL };
	id_text(a, area);
	id_text(e, event);
	id_text(c, capacity);
	return one_id(db, "SELECT area_save($1::bigint, $2::bigint, $3, $4::integer)", 4, p, id);
}

json_t *db_area_show(struct db *db, long long event, const char *name)
{
	char e[24];
	const char *p[2] = { e, name };
	id_text(e, event);
	return db_json(db,
		       "SELECT coalesce(jsonb_agg(area_json(id) ORDER BY name), '[]') FROM area "
		       "WHERE event_id = $1::bigint AND ($2::text IS NULL OR name = $2::text)",
		       2, p);
}

bool db_area_resolve(struct db *db, long long event, const char *name, long long *id)
{
	char e[24];
	const char *p[2] = { e, name };
	id_text(e, event);
	if (!one_id(db,
		    "SELECT id FROM area WHERE event_id = $1::bigint AND (name = $2 OR ($2 ~ '^[0-9]{1,18}$' AND "
		    "id = $2::bigint AND NOT EXISTS (SELECT 1 FROM area WHERE event_id = $1::bigint AND name = $2))) "
		    "LIMIT 1",
		    2, p, id))
		return false;
	if (!*id)
		db_set_error(db, DB_REFUSED, "no area \"%s\" in this event", name);
	return *id != 0;
}

PGresult *db_entrance_counts(struct db *db, long long event)
{
	return db_exec_id(db, SQL_ENTRANCE_COUNTS, event);
}

bool db_gate_entrances_submit(struct db *db, const void *owner, const char *lists, db_json_fn done, void *ctx)
{
	const char *p[1] = { lists };
	return db_json_submit(
		db, owner,
		"SELECT jsonb_build_object("
		"'lists', coalesce((SELECT jsonb_agg(jsonb_build_object('id', l.id, 'name', l.name, "
		"'rules', checkin_list_rules(l.id)) ORDER BY u.n) "
		"FROM unnest($1::bigint[]) WITH ORDINALITY u(id, n) JOIN checkin_list l ON l.id = u.id), '[]'::jsonb), "
		"'areas', coalesce((SELECT jsonb_agg(jsonb_build_object('name', a.name, 'inside', a.inside, "
		"'capacity', a.capacity) ORDER BY a.name) FROM area a "
		"WHERE a.id IN (SELECT l.area_id FROM checkin_list l WHERE l.id = ANY ($1::bigint[]))), '[]'::jsonb))",
		1, p, done, ctx);
}

bool db_event_lists_submit(struct db *db, const void *owner, long long event, db_json_fn done, void *ctx)
{
	char e[24];
	const char *p[1] = { e };
	id_text(e, event);
	return db_json_submit(db, owner,
			      "SELECT coalesce(jsonb_agg(jsonb_build_object('id', l.id, 'name', l.name, "
			      "'rules', checkin_list_rules(l.id)) ORDER BY l.name), '[]'::jsonb) "
			      "FROM checkin_list l WHERE l.event_id = $1::bigint",
			      1, p, done, ctx);
}

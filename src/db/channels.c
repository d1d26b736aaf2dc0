/* Channel connectors, outbound: one wrapper per SQL function of
 * db/038_outbox.sql. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels.h"
#include "db.h"
#include "read.h"

#define ID_TEXT(buf, v) (snprintf((buf), sizeof(buf), "%lld", (long long)(v)), (buf))

json_t *db_outbox_claim(struct db *db, const char *owner, const long long *busy, int nbusy)
{
	char arr[4096];
	size_t n = 0;
	const char *p[2] = { owner, arr };

	n += (size_t)snprintf(arr, sizeof arr, "{");
	for (int i = 0; i < nbusy && n + 24 < sizeof arr; i++)
		n += (size_t)snprintf(arr + n, sizeof arr - n, "%s%lld", i ? "," : "", busy[i]);
	snprintf(arr + n, sizeof arr - n, "}");
	return db_json(db, "SELECT outbox_claim($1, $2::bigint[])", 2, p);
}

json_t *db_outbox_complete(struct db *db, long long id, const char *owner, bool ok, const char *error,
			   const char *drift_json)
{
	char idt[24];
	const char *p[5] = { ID_TEXT(idt, id), owner, ok ? "true" : "false", error, drift_json };
	return db_json(db, "SELECT outbox_complete($1::bigint, $2, $3::boolean, $4, $5::jsonb)", 5, p);
}

/* A claimed row whose request cannot be built: dead at once (db/043). */
json_t *db_outbox_give_up(struct db *db, long long id, const char *owner, const char *error)
{
	char idt[24];
	const char *p[3] = { ID_TEXT(idt, id), owner, error };
	return db_json(db, "SELECT outbox_give_up($1::bigint, $2, $3)", 3, p);
}

/* A clean stop: the worker's leased rows back to pending (db/043). */
int db_outbox_release(struct db *db, const char *owner)
{
	const char *p[1] = { owner };
	PGresult *res = db_exec(db, "SELECT outbox_release($1)", 1, p);
	int n;

	if (!res)
		return -1;
	n = (int)db_int(res, 0, 0);
	PQclear(res);
	return n;
}

int db_outbox_resync_due(struct db *db)
{
	PGresult *res = db_exec(db, "SELECT outbox_resync_due()", 0, NULL);
	int n;

	if (!res)
		return -1;
	n = (int)db_int(res, 0, 0);
	PQclear(res);
	return n;
}

json_t *db_channel_add(struct db *db, const struct channel_new *c)
{
	char rl[24], bo[24], rs[24];
	const char *p[9] = { c->name,
			     c->platform,
			     c->sells,
			     c->url,
			     c->credentials,
			     c->settings_json,
			     c->retry_limit ? ID_TEXT(rl, c->retry_limit) : NULL,
			     c->backoff_ms ? ID_TEXT(bo, c->backoff_ms) : NULL,
			     c->resync_seconds ? ID_TEXT(rs, c->resync_seconds) : NULL };
	return db_json(db,
		       "SELECT channel_add($1, $2, $3, $4, $5, $6::jsonb, $7::integer, $8::integer, $9::integer)", 9,
		       p);
}

json_t *db_channel_list(struct db *db)
{
	return db_json(db, "SELECT channel_list()", 0, NULL);
}

json_t *db_channel_status(struct db *db)
{
	return db_json(db, "SELECT channel_status()", 0, NULL);
}

json_t *db_channel_health(struct db *db)
{
	return db_json(db, "SELECT channel_health()", 0, NULL);
}

json_t *db_channel_dead(struct db *db, const char *name)
{
	const char *p[1] = { name };
	return db_json(db, "SELECT channel_dead($1)", 1, p);
}

json_t *db_channel_retry(struct db *db, long long id, const char *name)
{
	char idt[24];
	const char *p[2] = { id ? ID_TEXT(idt, id) : NULL, name };
	return db_json(db, "SELECT channel_retry($1::bigint, $2)", 2, p);
}

json_t *db_channel_resync(struct db *db, const char *name)
{
	const char *p[1] = { name };
	return db_json(db, "SELECT channel_resync($1)", 1, p);
}

json_t *db_channel_enable(struct db *db, const char *name, bool on)
{
	const char *p[2] = { name, on ? "true" : "false" };
	return db_json(db, "SELECT channel_enable($1, $2::boolean)", 2, p);
}

static bool parse_health(struct db *db, const PGresult *res, void *dst)
{
	struct channel_health_list *out = dst;
	(void)db;
	out->n = out->more = 0;
	for (int i = 0; i < PQntuples(res); i++) {
		struct channel_health *c = &out->c[out->n];
		if (out->n == CHANNEL_HEALTH_MAX) {
			out->more++;
			continue;
		}
		snprintf(c->name, sizeof c->name, "%s", db_text(res, i, 0));
		snprintf(c->platform, sizeof c->platform, "%s", db_text(res, i, 1));
		c->enabled = db_bool(res, i, 2);
		c->failures = db_int(res, i, 3);
		c->pending = db_int(res, i, 4);
		c->dead = db_int(res, i, 5);
		c->lag_seconds = PQgetisnull(res, i, 6) ? 0 : atof(PQgetvalue(res, i, 6));
		snprintf(c->error, sizeof c->error, "%s", PQgetisnull(res, i, 7) ? "" : db_text(res, i, 7));
		out->n++;
	}
	return true;
}

void db_channel_health_add(struct db_read *r, struct channel_health_list *out)
{
	/* the troubled first: they are the ones a narrow screen must show */
	db_read_add(r,
		    "SELECT name, platform, enabled, failures, pending, dead, lag_seconds, last_error "
		    "FROM jsonb_to_recordset(channel_health()) AS x(name text, platform text, enabled boolean, "
		    "failures bigint, pending bigint, dead bigint, lag_seconds numeric, last_error text) "
		    "ORDER BY (enabled AND (failures > 0 OR dead > 0)) DESC, enabled DESC, name",
		    0, NULL, parse_health, out);
}

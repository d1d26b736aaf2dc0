#include "catalog.h"

#include <stdio.h>
#include <string.h>

static bool all_digits(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 18)
		return false;
	return strspn(s, "0123456789") == n;
}

static bool resolve(struct db *db, const char *sql, int nparams, const char *what,
		    long long scope, const char *text, long long *id)
{
	char scope_s[24];
	const char *params[3] = { all_digits(text) ? text : NULL, text, scope_s };
	PGresult *res;

	snprintf(scope_s, sizeof scope_s, "%lld", scope);
	res = db_exec(db, sql, nparams, params);
	if (!res)
		return false;
	if (PQntuples(res) == 0) {
		PQclear(res);
		db_set_error(db, DB_REFUSED, "no such %s", what);
		return false;
	}
	*id = db_int(res, 0, 0);
	PQclear(res);
	return true;
}

bool db_event_resolve(struct db *db, const char *text, long long *id)
{
	/* A name wins over an ID, so an event called "2027" stays reachable.
	 * Names are compared ignoring case, as their unique index does. */
	static const char sql[] =
		"SELECT id FROM event WHERE lower(name) = lower($2) OR id = $1::bigint "
		"ORDER BY lower(name) = lower($2) DESC LIMIT 1";
	return resolve(db, sql, 2, "event", 0, text, id);
}

bool db_type_resolve(struct db *db, long long event_id, const char *text, long long *id)
{
	static const char sql[] =
		"SELECT id FROM ticket_type WHERE event_id = $3::bigint "
		"AND (lower(name) = lower($2) OR id = $1::bigint) "
		"ORDER BY lower(name) = lower($2) DESC LIMIT 1";
	return resolve(db, sql, 3, "ticket type", event_id, text, id);
}

/* The result of an insert guarded by a case-insensitive duplicate check:
 * (new id, existing name). */
static bool created(struct db *db, PGresult *res, const char *noun, const char *where,
		    long long *id)
{
	if (!res)
		return false;
	if (PQgetisnull(res, 0, 0)) {
		db_set_error(db, DB_REFUSED,
			     "%s named '%s' exists already%s (names are compared ignoring case)",
			     noun, db_text(res, 0, 1), where);
		PQclear(res);
		return false;
	}
	*id = db_int(res, 0, 0);
	PQclear(res);
	return true;
}

bool db_event_add(struct db *db, const char *name, const char *date, bool reentry,
		  long long *id)
{
	return db_event_add_tz(db, name, date, reentry, NULL, id);
}

bool db_event_add_tz(struct db *db, const char *name, const char *date, bool reentry,
		     const char *time_zone, long long *id)
{
	/* A name that differs from an existing one only in case is refused
	 * with the existing name (event_add, db/026); the unique index stands
	 * behind it. Without a time zone the column's default (db/017). */
	const char *params[4] = { name, date, reentry ? "true" : "false", time_zone };
	PGresult *res = db_exec(db, "SELECT id, existing FROM event_add($1, $2, $3, $4)", 4, params);

	return created(db, res, "an event", "", id);
}

PGresult *db_event_list(struct db *db)
{
	return db_exec(db, "SELECT id, name, date, reentry, time_zone FROM event ORDER BY date, id", 0, NULL);
}

bool db_type_add(struct db *db, const struct type_spec *s, long long *id)
{
	static const char sql[] = "SELECT id, existing FROM type_add($1, $2, $3, $4, $5, $6, $7)";
	char ev[24], cap[24], price[24], seats[24], vat[24];
	const char *params[7] = { ev, s->name, s->tier, cap, price, seats, vat };
	PGresult *res;

	snprintf(ev, sizeof ev, "%lld", s->event_id);
	snprintf(cap, sizeof cap, "%lld", s->capacity);
	snprintf(price, sizeof price, "%lld", s->price_cents);
	snprintf(seats, sizeof seats, "%lld", s->seats_per_ticket);
	snprintf(vat, sizeof vat, "%lld", s->vat_bp);
	res = db_exec(db, sql, 7, params);
	return created(db, res, "a ticket type", " in this event", id);
}

static const char SQL_TYPE_LIST[] = "SELECT id, event_id, name, tier, capacity, seats_per_ticket, "
				    "price_cents, vat_bp FROM ticket_type WHERE event_id = $1 ORDER BY id";

PGresult *db_type_list(struct db *db, long long event_id)
{
	char ev[24];
	const char *params[1] = { ev };
	snprintf(ev, sizeof ev, "%lld", event_id);
	return db_exec(db, SQL_TYPE_LIST, 1, params);
}

bool db_type_list_submit(struct db *db, const void *owner, long long event_id, db_rows_fn done, void *ctx)
{
	char ev[24];
	const char *params[1] = { ev };
	snprintf(ev, sizeof ev, "%lld", event_id);
	return db_rows_submit(db, owner, SQL_TYPE_LIST, 1, params, done, ctx);
}

int db_exists(struct db *db, const char *kind, long long id)
{
	static const struct {
		const char *kind, *sql;
	} tables[] = {
		{ "order", "SELECT EXISTS (SELECT 1 FROM ticket_order WHERE id = $1)" },
		{ "hold", "SELECT EXISTS (SELECT 1 FROM hold WHERE id = $1)" },
		{ "ticket", "SELECT EXISTS (SELECT 1 FROM ticket WHERE id = $1)" },
		{ "event", "SELECT EXISTS (SELECT 1 FROM event WHERE id = $1)" },
		{ "person", "SELECT EXISTS (SELECT 1 FROM person WHERE id = $1)" },
	};
	PGresult *res;
	int found;

	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		if (strcmp(tables[i].kind, kind) != 0)
			continue;
		if (!(res = db_exec_id(db, tables[i].sql, id)))
			return -1;
		found = db_bool(res, 0, 0);
		PQclear(res);
		return found;
	}
	db_set_error(db, DB_FAILED, "unknown kind of record '%s'", kind);
	return -1;
}

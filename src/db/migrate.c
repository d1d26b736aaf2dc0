#include "migrate.h"

#include <stdio.h>
#include <string.h>

#include "db.h"

/* Serialises concurrent migrators (two stations starting at once). */
static const char SQL_LOCK[] = "SELECT pg_advisory_lock(7412001)";
static const char SQL_UNLOCK[] = "SELECT pg_advisory_unlock(7412001)";
static const char SQL_CREATE_VERSION[] =
	"CREATE TABLE IF NOT EXISTS schema_version ("
	" version integer PRIMARY KEY,"
	" name text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now())";
static const char SQL_IS_APPLIED[] = "SELECT 1 FROM schema_version WHERE version = $1";
static const char SQL_RECORD[] = "INSERT INTO schema_version (version, name) VALUES ($1, $2)";

const char MIGRATE_SQL_VERSION[] = "SELECT coalesce(max(version), 0) FROM schema_version";

/* One round trip: every command asks before it runs (cli_db). */
int migrate_current_version(struct db *db)
{
	PGresult *res = db_exec(db, MIGRATE_SQL_VERSION, 0, NULL);
	int version;

	if (!res)
		return strcmp(db->sqlstate, "42P01") == 0 ? 0 : -1; /* never migrated: 0 */
	version = (int)db_int(res, 0, 0);
	PQclear(res);
	return version;
}

static bool all_applied(struct db *db)
{
	char n[24];
	const char *p[1] = { n };
	PGresult *res;
	bool all;

	snprintf(n, sizeof n, "%zu", migrations_count);
	res = db_exec(db, "SELECT count(*) = $1::bigint FROM schema_version", 1, p);
	all = res && db_bool(res, 0, 0);
	PQclear(res);
	return all;
}

/* The migrator's login must be a superuser or a member of the owner role. */
static bool set_owner_role(struct db *db)
{
	if (db_run(db, "SET LOCAL ROLE boxoffice_owner", 0, NULL))
		return true;
	if (db->status == DB_FORBIDDEN)
		db_set_error(db, DB_FORBIDDEN,
			     "migrating needs the database's owner: log in as a superuser or a member of "
			     "boxoffice_owner (this login is neither)");
	return false;
}

/* Function grants and SECURITY DEFINER follow function_grant (db/026)
 * after every migration that changed something. */
static bool apply_privileges(struct db *db)
{
	if (!db_begin(db))
		return false;
	if (!set_owner_role(db) || !db_run(db, "SELECT privileges_apply()", 0, NULL)) {
		db_rollback(db);
		return false;
	}
	return db_commit(db);
}

static int apply_one(struct db *db, const struct migration *m)
{
	char version[16];
	const char *params[2] = { version, m->name };
	PGresult *res;
	bool applied;

	snprintf(version, sizeof version, "%d", m->version);
	if (!db_begin(db))
		return -1;
	/* From db/026 on, what a migration makes belongs to the owner role. */
	if (m->version > MIGRATE_ROLES_VERSION && !set_owner_role(db))
		goto fail;
	res = db_exec(db, SQL_IS_APPLIED, 1, params);
	if (!res)
		goto fail;
	applied = PQntuples(res) > 0;
	PQclear(res);
	if (applied) {
		db_rollback(db);
		return 0;
	}
	if (!db_run_script(db, m->sql)) {
		char why[sizeof db->err];
		snprintf(why, sizeof why, "%s", db->err);
		db_set_error(db, DB_FAILED, "%s: %s", m->name, why);
		goto fail;
	}
	if (!db_run(db, SQL_RECORD, 2, params) || !db_commit(db))
		goto fail;
	return 1;
fail:
	db_rollback(db);
	return -1;
}

int migrate_apply(struct db *db, migrate_report_fn report, void *ctx)
{
	int applied = 0, current;

	/* Up to date: nothing to lock or create, so a station's own login
	 * (which may create nothing) can ask too. */
	if (all_applied(db))
		return 0;
	if (!db_run(db, SQL_LOCK, 0, NULL))
		return -1;
	if (!db_run(db, SQL_CREATE_VERSION, 0, NULL))
		goto fail;
	current = migrate_current_version(db);
	if (current < 0)
		goto fail;
	if (migrations_count > 0 && current > migrations[migrations_count - 1].version) {
		db_set_error(db, DB_FAILED,
			     "database schema is at version %d, newer than this program (%d)",
			     current, migrations[migrations_count - 1].version);
		goto fail;
	}
	for (size_t i = 0; i < migrations_count; i++) {
		int r = apply_one(db, &migrations[i]);
		if (r < 0)
			goto fail;
		if (r > 0) {
			applied++;
			if (report)
				report(&migrations[i], ctx);
		}
	}
	if (applied > 0 && migrations_count > 0 &&
	    migrations[migrations_count - 1].version >= MIGRATE_ROLES_VERSION && !apply_privileges(db))
		goto fail;
	db_run(db, SQL_UNLOCK, 0, NULL);
	return applied;
fail:
	{
		/* Unlocking must not overwrite the reason. */
		char why[sizeof db->err];
		enum db_status status = db->status;
		snprintf(why, sizeof why, "%s", db->err);
		db_run(db, SQL_UNLOCK, 0, NULL);
		db_set_error(db, status, "%s", why);
	}
	return -1;
}

int migrate_latest_version(void)
{
	return migrations_count ? migrations[migrations_count - 1].version : 0;
}

void migrate_behind_text(int have, char *buf, size_t size)
{
	int want = migrate_latest_version();

	if (have >= want) {
		if (size)
			buf[0] = '\0';
		return;
	}
	snprintf(buf, size, "the database's schema is %d, this boxoffice needs %d: run `boxoffice migrate`",
		 have, want);
}

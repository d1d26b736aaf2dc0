#ifndef BOXOFFICE_DB_MIGRATE_H
#define BOXOFFICE_DB_MIGRATE_H

/* db/026 made the roles: later migrations run as boxoffice_owner. */
#define MIGRATE_ROLES_VERSION 26

#include <stdbool.h>
#include <stddef.h>

struct db;

struct migration {
	int version;
	const char *name;
	const char *sql;
};

/* Generated from the numbered db/ migrations, in order. */
extern const struct migration migrations[];
extern const size_t migrations_count;

/* Called once per migration applied, for progress output. */
typedef void (*migrate_report_fn)(const struct migration *m, void *ctx);

/* Applies the missing migrations, each in its own transaction; a failing
 * one is rolled back whole. Returns the number applied, or -1. */
int migrate_apply(struct db *db, migrate_report_fn report, void *ctx);
/* Highest applied version (0 for an empty database), or -1 on error. */
int migrate_current_version(struct db *db);

/* The newest version this program carries (the last of migrations[]). */
int migrate_latest_version(void);
/* The SQL that reads the applied version (on a database never migrated
 * it fails with undefined_table, 42P01: version 0). */
extern const char MIGRATE_SQL_VERSION[];
/* "the database's schema is 14, this boxoffice needs 17: run
 * `boxoffice migrate`" when have < the latest, else "" (a newer schema
 * than ours is fine: a newer station migrated it, and every migration
 * keeps the old functions). */
void migrate_behind_text(int have, char *buf, size_t size);

#endif

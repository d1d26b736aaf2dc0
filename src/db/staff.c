#include "staff.h"

json_t *db_staff_add(struct db *db, const char *platform, const char *user, const char *role)
{
	const char *p[3] = { platform, user, role };
	return db_json(db, "SELECT staff_add($1, $2, $3)", 3, p);
}

json_t *db_staff_list(struct db *db)
{
	return db_json(db, "SELECT staff_list()", 0, NULL);
}

json_t *db_staff_remove(struct db *db, const char *platform, const char *user)
{
	const char *p[2] = { platform, user };
	return db_json(db, "SELECT staff_remove($1, $2)", 2, p);
}

json_t *db_staff_platform_conf(struct db *db, const char *platform)
{
	const char *p[1] = { platform };
	return db_json(db, "SELECT staff_platform_conf($1)", 1, p);
}

json_t *db_staff_run(struct db *db, const char *platform, const char *user, const char *cmd_json,
		     const char *delivery)
{
	const char *p[4] = { platform, user, cmd_json, delivery };
	return db_json(db, "SELECT staff_run($1, $2, $3::jsonb, $4)", 4, p);
}

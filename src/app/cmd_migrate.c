#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../db/db.h"
#include "../db/migrate.h"
#include "../db/users.h"
#include "cli.h"
#include "commands.h"

static void report(const struct migration *m, void *ctx)
{
	(void)ctx;
	printf("applied %s\n", m->name);
}

/* The embedded cluster's station login: the local user, a supervisor. */
static const char *local_login(void)
{
	struct passwd *pw = getpwuid(geteuid());
	return pw && pw->pw_name && strcmp(pw->pw_name, DB_ADMIN_LOGIN) != 0 ? pw->pw_name : NULL;
}

int cmd_migrate(struct cli *cli, int argc, char **argv)
{
	const char *supervisor = NULL;
	const struct cli_opt opts[] = { { "supervisor", &supervisor, NULL }, { NULL, NULL, NULL } };
	int rc = cli_parse("migrate", argc, argv, opts, NULL, 0, NULL);
	struct db *db;
	int applied, version;
	bool embedded;

	if (rc)
		return rc;
	cli->any_schema = true;
	cli->admin = true;
	if (!(db = cli_db(cli)))
		return EXIT_FAILED;
	embedded = db_is_embedded(db);
	/* Building an index on a million orders takes what it takes. */
	db_set_deadline(db, 0);
	applied = migrate_apply(db, report, NULL);
	if (applied < 0)
		return cli_db_fail(cli, "migrate");
	version = migrate_current_version(db);
	if (applied == 0)
		printf("schema at version %d: nothing to do\n", version);
	else
		printf("schema at version %d\n", version);
	if (!supervisor && embedded)
		supervisor = local_login();
	if (supervisor) {
		json_t *doc = db_user_add(db, supervisor, "supervisor", NULL, "peer", true);
		if (!doc)
			return cli_db_fail(cli, "migrate: supervisor login");
		if (json_is_true(json_object_get(doc, "created")))
			printf("login %s: supervisor (peer)\n", supervisor);
		json_decref(doc);
	}
	return EXIT_DONE;
}

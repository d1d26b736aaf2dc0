#include <stdio.h>

#include "../db/db.h"
#include "../db/migrate.h"
#include "cli.h"
#include "commands.h"

static void report(const struct migration *m, void *ctx)
{
	(void)ctx;
	printf("applied %s\n", m->name);
}

int cmd_migrate(struct cli *cli, int argc, char **argv)
{
	int rc = cli_parse("migrate", argc, argv, NULL, NULL, 0, NULL);
	struct db *db;
	int applied, version;

	if (rc)
		return rc;
	cli->any_schema = true;
	if (!(db = cli_db(cli)))
		return EXIT_FAILED;
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
	return EXIT_DONE;
}

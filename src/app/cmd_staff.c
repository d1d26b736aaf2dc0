/* boxoffice platform staff add|list|remove: who may send staff commands
 * from Slack or by SMS (Twilio), and as what (db/039): a clerk asks what is
 * left, a supervisor also holds and releases. */
#include <stdio.h>
#include <string.h>

#include "../db/db.h"
#include "../db/staff.h"
#include "cli.h"
#include "commands.h"

static int check_platform(const char *what, const char *platform)
{
	if (!platform)
		return cli_missing(what, "platform");
	if (strcmp(platform, "slack") && strcmp(platform, "twilio"))
		return cli_fail(EXIT_USAGE, what, "--platform must be slack or twilio");
	return EXIT_DONE;
}

static int staff_add(struct cli *cli, int argc, char **argv)
{
	const char *what = "platform staff add", *platform = NULL, *user = NULL, *role = NULL;
	bool json = false;
	const struct cli_opt opts[] = {
		{ "platform", &platform, NULL }, { "user", &user, NULL }, { "role", &role, NULL },
		{ "json", NULL, &json },	 { NULL, NULL, NULL },
	};
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);
	json_t *doc;

	if (rc)
		return rc;
	if ((rc = check_platform(what, platform)))
		return rc;
	if (!user)
		return cli_missing(what, "user");
	if (!role)
		return cli_missing(what, "role");
	if (strcmp(role, "clerk") && strcmp(role, "supervisor"))
		return cli_fail(EXIT_USAGE, what, "--role must be clerk or supervisor");
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_staff_add(cli->db, platform, user, role)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc); /* frees doc */
		return EXIT_DONE;
	}
	printf("%s user %s is a %s\n", platform, user, role);
	json_decref(doc);
	return EXIT_DONE;
}

static int staff_list(struct cli *cli, int argc, char **argv)
{
	const char *what = "platform staff list";
	bool json = false;
	const struct cli_opt opts[] = { { "json", NULL, &json }, { NULL, NULL, NULL } };
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);
	json_t *doc, *m;
	size_t i;

	if (rc)
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_staff_list(cli->db)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc); /* frees doc */
		return EXIT_DONE;
	}
	printf("%-8s %-24s %-11s %s\n", "PLATFORM", "USER", "ROLE", "ADDED");
	json_array_foreach(doc, i, m)
	{
		const char *added = json_string_value(json_object_get(m, "added_at"));
		printf("%-8s ", json_string_value(json_object_get(m, "platform")));
		cli_cell(json_string_value(json_object_get(m, "user")), 24);
		printf(" %-11s %.19s\n", json_string_value(json_object_get(m, "role")), added ? added : "");
	}
	json_decref(doc);
	return EXIT_DONE;
}

static int staff_remove(struct cli *cli, int argc, char **argv)
{
	const char *what = "platform staff remove", *platform = NULL, *user = NULL;
	bool json = false;
	const struct cli_opt opts[] = {
		{ "platform", &platform, NULL }, { "user", &user, NULL }, { "json", NULL, &json }, { NULL, NULL, NULL },
	};
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);
	json_t *doc;

	if (rc)
		return rc;
	if ((rc = check_platform(what, platform)))
		return rc;
	if (!user)
		return cli_missing(what, "user");
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_staff_remove(cli->db, platform, user)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc); /* frees doc */
		return EXIT_DONE;
	}
	printf("%s user %s removed\n", platform, user);
	json_decref(doc);
	return EXIT_DONE;
}

int cmd_platform_staff(struct cli *cli, int argc, char **argv)
{
	/* argv[0] is "staff" */
	if (argc < 2)
		return cli_fail(EXIT_USAGE, "platform staff", "missing subcommand (one of: add, list, remove)");
	if (strcmp(argv[1], "add") == 0)
		return staff_add(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "list") == 0)
		return staff_list(cli, argc - 1, argv + 1);
	if (strcmp(argv[1], "remove") == 0)
		return staff_remove(cli, argc - 1, argv + 1);
	return cli_fail(EXIT_USAGE, "platform staff", "unknown subcommand (one of: add, list, remove)");
}

#include <stdio.h>
#include <stdlib.h>

#include "../core/validate.h"
#include "../db/catalog.h"
#include "cli.h"
#include "commands.h"

int cmd_event_add(struct cli *cli, int argc, char **argv)
{
	const char *name = NULL, *date = NULL, *tz = NULL, *why;
	bool reentry = false;
	const struct cli_opt opts[] = {
		{ "name", &name, NULL },
		{ "date", &date, NULL },
		{ "tz", &tz, NULL },
		{ "reentry", NULL, &reentry },
		{ NULL, NULL, NULL },
	};
	int rc = cli_parse("event add", argc, argv, opts, NULL, 0, NULL);
	long long id;

	if (rc)
		return rc;
	if (!name)
		return cli_missing("event add", "name");
	if (!date)
		return cli_missing("event add", "date");
	if ((why = validate_text(name, NAME_MAX_CHARS, true)))
		return cli_fail(EXIT_USAGE, "event add", "--name %s", why);
	if ((why = validate_date(date)))
		return cli_fail(EXIT_USAGE, "event add", "--date %s", why);
	if (!cli_value("event add", "tz", tz, 100, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!db_event_add_tz(cli->db, name, date, reentry, tz, &id))
		return cli_db_fail(cli, "event add");
	cli_print_json(json_pack("{sI}", "id", (json_int_t)id));
	return EXIT_DONE;
}

int cmd_event_list(struct cli *cli, int argc, char **argv)
{
	bool json = false;
	const struct cli_opt opts[] = { { "json", NULL, &json }, { NULL, NULL, NULL } };
	int rc = cli_parse("event list", argc, argv, opts, NULL, 0, NULL);
	PGresult *res;

	if (rc)
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(res = db_event_list(cli->db)))
		return cli_db_fail(cli, "event list");
	if (json) {
		json_t *list = json_array();
		for (int i = 0; i < PQntuples(res); i++)
			json_array_append_new(list, json_pack("{sI ss ss sb ss}",
				"id", (json_int_t)db_int(res, i, EVENT_ID),
				"name", db_text(res, i, EVENT_NAME),
				"date", db_text(res, i, EVENT_DATE),
				"reentry", db_bool(res, i, EVENT_REENTRY),
				"time_zone", db_text(res, i, EVENT_TIME_ZONE)));
		cli_print_json(list);
	} else {
		printf("%6s  %-10s  %-7s  %-20s %s\n", "ID", "DATE", "REENTRY", "TIME ZONE", "NAME");
		for (int i = 0; i < PQntuples(res); i++)
			printf("%6s  %-10s  %-7s  %-20s %s\n", db_text(res, i, EVENT_ID),
			       db_text(res, i, EVENT_DATE),
			       db_bool(res, i, EVENT_REENTRY) ? "yes" : "no",
			       db_text(res, i, EVENT_TIME_ZONE), db_text(res, i, EVENT_NAME));
	}
	PQclear(res);
	return EXIT_DONE;
}

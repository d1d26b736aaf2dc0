/* boxoffice area add|edit|show: areas with a capacity that check-in
 * lists count into (db/020); the database keeps each one's occupancy
 * exactly and refuses entry at capacity. */
#include <stdio.h>
#include <stdlib.h>

#include "../core/validate.h"
#include "../db/db.h"
#include "../db/entrances.h"
#include "cli.h"
#include "commands.h"

#define AREA_CAPACITY_MAX 10000000

int cmd_area_add(struct cli *cli, int argc, char **argv)
{
	const char *what = "area add", *event = NULL, *name = NULL, *capacity = NULL, *why;
	bool json = false;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL }, { "name", &name, NULL }, { "capacity", &capacity, NULL },
		{ "json", NULL, &json },   { NULL, NULL, NULL },
	};
	long long event_id, cap, id;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	(void)json;
	if (!event)
		return cli_missing(what, "event");
	if (!name)
		return cli_missing(what, "name");
	if (!capacity)
		return cli_missing(what, "capacity");
	if ((why = validate_text(name, 100, true)))
		return cli_fail(EXIT_USAGE, what, "--name %s", why);
	if (!cli_int(what, "capacity", capacity, 0, AREA_CAPACITY_MAX, &cap, &rc))
		return rc;
	if ((rc = cli_event_type(cli, what, event, NULL, &event_id, NULL)))
		return rc;
	if (!db_area_save(cli->db, 0, event_id, name, cap, &id))
		return cli_db_fail(cli, what);
	cli_print_json(json_pack("{sI}", "id", (json_int_t)id));
	return EXIT_DONE;
}

int cmd_area_edit(struct cli *cli, int argc, char **argv)
{
	const char *what = "area edit", *event = NULL, *name = NULL, *rename = NULL, *capacity = NULL, *why;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL },	 { "name", &name, NULL }, { "rename", &rename, NULL },
		{ "capacity", &capacity, NULL }, { NULL, NULL, NULL },
	};
	long long event_id, cap = -1, area, id;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (!event)
		return cli_missing(what, "event");
	if (!name)
		return cli_missing(what, "name");
	if (!rename && !capacity)
		return cli_fail(EXIT_USAGE, what, "nothing to change: --rename or --capacity");
	if (rename && (why = validate_text(rename, 100, true)))
		return cli_fail(EXIT_USAGE, what, "--rename %s", why);
	if (capacity && !cli_int(what, "capacity", capacity, 0, AREA_CAPACITY_MAX, &cap, &rc))
		return rc;
	if ((rc = cli_event_type(cli, what, event, NULL, &event_id, NULL)))
		return rc;
	if (!db_area_resolve(cli->db, event_id, name, &area) || !db_area_save(cli->db, area, event_id, rename, cap, &id))
		return cli_db_fail(cli, what);
	cli_print_json(json_pack("{sI}", "id", (json_int_t)id));
	return EXIT_DONE;
}

int cmd_area_show(struct cli *cli, int argc, char **argv)
{
	const char *what = "area show", *event = NULL, *name = NULL;
	bool json = false;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL }, { "name", &name, NULL }, { "json", NULL, &json }, { NULL, NULL, NULL },
	};
	long long event_id;
	json_t *areas, *a;
	size_t i;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (!event)
		return cli_missing(what, "event");
	if ((rc = cli_event_type(cli, what, event, NULL, &event_id, NULL)))
		return rc;
	if (!(areas = db_area_show(cli->db, event_id, name)))
		return cli_db_fail(cli, what);
	if (cli_show_rows(areas, "area", name, json, &rc))
		return rc;
	if (json_array_size(areas) == 0)
		printf("no areas (boxoffice area add --event %s --name NAME --capacity N)\n", event);
	else
		printf("%-24s %9s %9s %9s  %s\n", "AREA", "INSIDE", "CAPACITY", "FREE", "GATES (in/out)");
	json_array_foreach (areas, i, a) {
		json_t *g;
		size_t k;
		cli_cell(json_string_value(json_object_get(a, "name")), 24);
		printf(" %9lld %9lld %9lld ", (long long)json_integer_value(json_object_get(a, "inside")),
		       (long long)json_integer_value(json_object_get(a, "capacity")),
		       (long long)json_integer_value(json_object_get(a, "free")));
		json_array_foreach (json_object_get(a, "gates"), k, g)
			printf(" %s %lld/%lld", json_string_value(json_object_get(g, "gate")),
			       (long long)json_integer_value(json_object_get(g, "in")),
			       (long long)json_integer_value(json_object_get(g, "out")));
		putchar('\n');
	}
	json_decref(areas);
	return EXIT_DONE;
}

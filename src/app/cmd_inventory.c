/* Looking at and shaping inventory: inventory, adjust, quota, capacity. */
#include <stdio.h>

#include "../core/money.h"
#include "../db/inventory.h"
#include "cli.h"
#include "commands.h"

static int print_or_fail(struct cli *cli, const char *what, json_t *doc)
{
	if (!doc)
		return cli_db_fail(cli, what);
	cli_print_json(doc);
	return EXIT_DONE;
}

int cmd_inventory(struct cli *cli, int argc, char **argv)
{
	const char *what = "inventory", *event = NULL;
	bool json = false;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL }, { "json", NULL, &json }, { NULL, NULL, NULL },
	};
	long long event_id = 0;
	json_t *rows, *row;
	size_t i;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (event && (rc = cli_event_type(cli, what, event, NULL, &event_id, NULL)))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(rows = db_inventory(cli->db, event_id)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(rows);
		return EXIT_DONE;
	}
	printf("%-28s %-12s %-9s %9s %9s %9s %9s %9s\n", "EVENT", "TYPE", "CHANNEL", "CAPACITY",
	       "SOLD", "HELD", "RESERVED", "AVAILABLE");
	json_array_foreach(rows, i, row) {
		const char *channel = json_string_value(json_object_get(row, "channel"));
		cli_cell(json_string_value(json_object_get(row, "event_name")), 28);
		putchar(' ');
		cli_cell(json_string_value(json_object_get(row, "type_name")), 12);
		printf(" %-9s", channel ? channel : "all");
		for (int k = 0; k < 5; k++) {
			static const char *const keys[5] = { "capacity", "sold", "held", "reserved", "available" };
			char n[32];
			count_format_fit(n, sizeof n, json_integer_value(json_object_get(row, keys[k])), 9);
			printf(" %9s", n);
		}
		putchar('\n');
	}
	json_decref(rows);
	return EXIT_DONE;
}

int cmd_adjust(struct cli *cli, int argc, char **argv)
{
	const char *what = "adjust", *event = NULL, *type = NULL, *delta = NULL, *reason = NULL;
	const char *key = NULL;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL }, { "type", &type, NULL }, { "delta", &delta, NULL },
		{ "reason", &reason, NULL }, { "key", &key, NULL }, { NULL, NULL, NULL },
	};
	long long event_id, type_id, d;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (!delta)
		return cli_missing(what, "delta");
	if (!reason)
		return cli_missing(what, "reason");
	if (!cli_int(what, "delta", delta, -1000000, 1000000, &d, &rc) ||
	    !cli_value(what, "reason", reason, 500, &rc) || !cli_value(what, "key", key, 200, &rc))
		return rc;
	if (d == 0)
		return cli_fail(EXIT_USAGE, what, "--delta must not be 0");
	if ((rc = cli_event_type(cli, what, event, type, &event_id, &type_id)))
		return rc;
	return print_or_fail(cli, what, db_adjust(cli->db, event_id, type_id, d, reason, key));
}

int cmd_quota(struct cli *cli, int argc, char **argv)
{
	const char *what = "quota", *event = NULL, *type = NULL, *channel = NULL, *quota = NULL;
	const char *reason = NULL;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL }, { "type", &type, NULL }, { "channel", &channel, NULL },
		{ "quota", &quota, NULL }, { "reason", &reason, NULL }, { NULL, NULL, NULL },
	};
	long long event_id, type_id, q;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (!channel)
		return cli_missing(what, "channel");
	if (!quota)
		return cli_missing(what, "quota");
	if (!cli_channel(what, channel, &rc) || !cli_int(what, "quota", quota, 0, 100000000, &q, &rc) ||
	    !cli_value(what, "reason", reason, 500, &rc))
		return rc;
	if ((rc = cli_event_type(cli, what, event, type, &event_id, &type_id)))
		return rc;
	return print_or_fail(cli, what, db_set_quota(cli->db, event_id, type_id, channel, q, reason));
}

int cmd_capacity(struct cli *cli, int argc, char **argv)
{
	const char *what = "capacity", *event = NULL, *type = NULL, *capacity = NULL, *reason = NULL;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL }, { "type", &type, NULL }, { "capacity", &capacity, NULL },
		{ "reason", &reason, NULL }, { NULL, NULL, NULL },
	};
	long long event_id, type_id, c;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (!capacity)
		return cli_missing(what, "capacity");
	if (!reason)
		return cli_missing(what, "reason");
	if (!cli_int(what, "capacity", capacity, 0, 100000000, &c, &rc) ||
	    !cli_value(what, "reason", reason, 500, &rc))
		return rc;
	if ((rc = cli_event_type(cli, what, event, type, &event_id, &type_id)))
		return rc;
	return print_or_fail(cli, what, db_set_capacity(cli->db, event_id, type_id, c, reason));
}

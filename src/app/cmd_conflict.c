/* boxoffice conflict list|review|void: offline check-in conflicts (db/048),
 * the same functions the Conflicts screen calls. Settling one takes the
 * supervisor role; the database refuses anyone else (42501: exit 4). */
#include <stdio.h>
#include <string.h>

#include "../core/json_text.h"
#include "../db/conflicts.h"
#include "cli.h"
#include "commands.h"

/* "2026-11-28T17:02:03.123+00:00" → "11-28 17:02:03" */
static void when(char *out, size_t size, const char *ts)
{
	if (strlen(ts) >= 19)
		snprintf(out, size, "%.5s %.8s", ts + 5, ts + 11);
	else
		snprintf(out, size, "%s", ts[0] ? ts : "-");
}

int cmd_conflict_list(struct cli *cli, int argc, char **argv)
{
	const char *event = NULL, *what = "conflict list";
	bool json = false;
	const struct cli_opt opts[] = { { "event", &event, NULL }, { "json", NULL, &json }, { NULL, NULL, NULL } };
	long long event_id;
	json_t *rows, *row;
	size_t i;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if ((rc = cli_event_type(cli, what, event, NULL, &event_id, NULL)))
		return rc;
	if (!(rows = db_conflict_list(cli->db, event_id)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(rows);
		return EXIT_DONE;
	}
	printf("%-6s %-8s %-20s %-12s %-14s %-12s %-14s %s\n", "ID", "TICKET", "PERSON", "OFFLINE AT", "WHEN",
	       "ADMITTED AT", "WHEN", "STATE");
	json_array_foreach(rows, i, row) {
		char a[32], b[32];
		const char *res = json_text(row, "resolution");
		when(a, sizeof a, json_text(row, "scanned_at"));
		when(b, sizeof b, json_text(row, "first_at"));
		printf("%-6lld %-8lld ", (long long)json_integer_value(json_object_get(row, "id")),
		       (long long)json_integer_value(json_object_get(row, "ticket")));
		cli_cell(json_text(row, "person"), 20);
		putchar(' ');
		cli_cell(json_text(row, "gate"), 12);
		printf(" %-14s ", a);
		cli_cell(json_text(row, "first_gate"), 12);
		printf(" %-14s %s\n", b, res[0] ? res : "open");
	}
	json_decref(rows);
	return EXIT_DONE;
}

static int settle(struct cli *cli, int argc, char **argv, const char *what, bool void_ticket)
{
	const char *pos[1], *reason = NULL;
	bool json = false;
	const struct cli_opt opts[] = { { "reason", &reason, NULL }, { "json", NULL, &json }, { NULL, NULL, NULL } };
	long long id;
	json_t *doc;
	int npos, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);

	if (rc)
		return rc;
	if (!cli_id(what, npos, pos, "conflict", &id, &rc) || !cli_value(what, "reason", reason, 500, &rc))
		return rc;
	if (void_ticket && !reason)
		return cli_missing(what, "reason");
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_conflict_settle(cli->db, id, void_ticket, reason)))
		return cli_db_fail(cli, what);
	cli_print_json(doc);
	return EXIT_DONE;
}

int cmd_conflict_review(struct cli *cli, int argc, char **argv)
{
	return settle(cli, argc, argv, "conflict review", false);
}

int cmd_conflict_void(struct cli *cli, int argc, char **argv)
{
	return settle(cli, argc, argv, "conflict void", true);
}

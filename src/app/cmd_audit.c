/* boxoffice audit: the change log, newest first, a page at a time
 * (db/027 change_log_page, the Audit log screen's own read): by order,
 * ticket, person, event, station or user. The next page is --before the
 * last row's id, which stays right while new rows arrive. */
#include <stdio.h>
#include <string.h>

#include "../core/audit.h"
#include "../core/json_text.h"
#include "../db/audit.h"
#include "../db/db.h"
#include "cli.h"
#include "commands.h"

#define AUDIT_PAGE_DEFAULT 50
#define ID_MAX 999999999999999999LL

static long long row_int(json_t *row, const char *key)
{
	return (long long)json_integer_value(json_object_get(row, key));
}

static void print_table(json_t *page, const char *const *argv, int argc)
{
	json_t *rows = json_object_get(page, "rows"), *row, *next = json_object_get(page, "next_before");
	size_t i;

	if (json_array_size(rows) == 0) {
		printf("no changes match\n");
		return;
	}
	printf("%8s  %-19s  %-12s  %-12s  %-28s  %s\n", "ID", "WHEN", "STATION", "USER", "WHAT", "WHY");
	json_array_foreach (rows, i, row) {
		char when[32], what[256], why[2048];
		audit_when(json_text(row, "at"), false, when, sizeof when);
		audit_what(json_text(row, "entity"), row_int(row, "entity_id"), json_text(row, "action"), what,
			   sizeof what);
		audit_why(json_text(row, "reason"), json_text(row, "action"), json_text(row, "summary"), why,
			  sizeof why);
		printf("%8lld  %-19s  ", row_int(row, "id"), when);
		cli_cell(json_text(row, "station"), 12);
		printf("  ");
		cli_cell(json_text(row, "api_key")[0] ? json_text(row, "api_key") : json_text(row, "actor"), 12);
		printf("  ");
		cli_cell(what, 28);
		printf("  %s\n", why);
	}
	if (json_is_integer(next)) {
		/* the same command with --before the last row's id */
		printf("next page: boxoffice audit");
		for (int k = 1; k < argc; k++) {
			if (strcmp(argv[k], "--before") == 0 && k + 1 < argc) {
				k++;
				continue;
			}
			if (strncmp(argv[k], "--before=", 9) == 0)
				continue;
			printf(strpbrk(argv[k], " \t'\"") ? " '%s'" : " %s", argv[k]);
		}
		printf(" --before %lld\n", (long long)json_integer_value(next));
	} else {
		printf("(end of the log)\n");
	}
}

int cmd_audit(struct cli *cli, int argc, char **argv)
{
	const char *what = "audit", *order = NULL, *ticket = NULL, *person = NULL, *station = NULL, *user = NULL,
		   *event = NULL, *before = NULL, *limit = NULL;
	bool json = false;
	const struct cli_opt opts[] = {
		{ "order", &order, NULL },     { "ticket", &ticket, NULL }, { "person", &person, NULL },
		{ "station", &station, NULL }, { "user", &user, NULL },	    { "event", &event, NULL },
		{ "before", &before, NULL },   { "limit", &limit, NULL },   { "json", NULL, &json },
		{ NULL, NULL, NULL },
	};
	struct audit_filter f = { 0 };
	long long before_id = 0, n = AUDIT_PAGE_DEFAULT;
	json_t *page;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if ((order && !cli_int(what, "order", order, 1, ID_MAX, &f.order, &rc)) ||
	    (ticket && !cli_int(what, "ticket", ticket, 1, ID_MAX, &f.ticket, &rc)) ||
	    (person && !cli_int(what, "person", person, 1, ID_MAX, &f.person, &rc)) ||
	    (before && !cli_int(what, "before", before, 1, ID_MAX, &before_id, &rc)) ||
	    (limit && !cli_int(what, "limit", limit, 1, AUDIT_PAGE_MAX, &n, &rc)) ||
	    !cli_value(what, "station", station, AUDIT_NAME_MAX - 1, &rc) ||
	    !cli_value(what, "user", user, AUDIT_NAME_MAX - 1, &rc))
		return rc;
	if (station && strlen(station) >= AUDIT_NAME_MAX)
		return cli_fail(EXIT_USAGE, what, "--station is longer than %d bytes", AUDIT_NAME_MAX - 1);
	if (user && strlen(user) >= AUDIT_NAME_MAX)
		return cli_fail(EXIT_USAGE, what, "--user is longer than %d bytes", AUDIT_NAME_MAX - 1);
	snprintf(f.station, sizeof f.station, "%s", station ? station : "");
	snprintf(f.actor, sizeof f.actor, "%s", user ? user : "");
	if (event && (rc = cli_event_type(cli, what, event, NULL, &f.event, NULL)))
		return rc;
	if ((f.order && (rc = cli_require(cli, what, "order", f.order))) ||
	    (f.ticket && (rc = cli_require(cli, what, "ticket", f.ticket))) ||
	    (f.person && (rc = cli_require(cli, what, "person", f.person))))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(page = db_audit_page(cli->db, &f, before_id, 0, (int)n)))
		return cli_db_fail(cli, what);
	if (json)
		cli_print_json(page);
	else {
		print_table(page, (const char *const *)argv, argc);
		json_decref(page);
	}
	return EXIT_DONE;
}

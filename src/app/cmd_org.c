/* Event organizations: org list (CONTRACT.md's keys, plus each one's live
 * orders and their amount, as the Organizations screen shows them). */
#include <stdio.h>
#include <string.h>

#include "../core/money.h"
#include "../core/org_values.h"
#include "../core/text_fold.h"
#include "../db/organizations.h"
#include "cli.h"
#include "commands.h"

#define ORG_LIST_MAX 100000

/* A --relationship/--lifecycle/--commercial/--visibility filter: given and
 * different excludes the row; --search (folded): a part of the name, booth
 * or category, forgiving case, accents and spacing (as the screen's). */
static bool org_matches(const PGresult *res, int i, const char *const *want, const char *search)
{
	static const int cols[4] = { EOG_RELATION, EOG_LIFECYCLE, EOG_COMMERCIAL, EOG_VISIBILITY };
	for (int k = 0; k < 4; k++)
		if (want[k] && strcmp(want[k], db_text(res, i, cols[k])) != 0)
			return false;
	return !search || text_fold_contains(db_text(res, i, EOG_NAME), search) ||
	       text_fold_contains(db_text(res, i, EOG_BOOTH), search) ||
	       text_fold_contains(db_text(res, i, EOG_CATEGORY), search);
}

/* org list --archived: the event's archived organizations, what `org
 * restore` takes. */
static bool archived_matches(const PGresult *res, int i, const char *relationship, const char *search)
{
	if (relationship && strcmp(relationship, db_text(res, i, EOA_RELATION)) != 0)
		return false;
	return !search || text_fold_contains(db_text(res, i, EOA_NAME), search) ||
	       text_fold_contains(db_text(res, i, EOA_BOOTH), search);
}

static int archived_list(struct cli *cli, long long event_id, const char *relationship, const char *search,
			 bool json)
{
	PGresult *res = db_event_org_archived(cli->db, event_id, ORG_LIST_MAX);
	json_t *list;
	int shown = 0;

	if (!res)
		return cli_db_fail(cli, "org list");
	if (json) {
		list = json_array();
		for (int i = 0; i < PQntuples(res); i++)
			if (archived_matches(res, i, relationship, search))
				json_array_append_new(list, json_pack("{sI sI ss ss ss ss sI}",
				"id", (json_int_t)db_int(res, i, EOA_ID),
				"company_id", (json_int_t)db_int(res, i, EOA_COMPANY_ID),
				"organization", db_text(res, i, EOA_NAME),
				"relationship", db_text(res, i, EOA_RELATION),
				"booth", db_text(res, i, EOA_BOOTH),
				"archived", db_text(res, i, EOA_ARCHIVED_AT),
				"version", (json_int_t)db_int(res, i, EOA_VERSION)));
		PQclear(res);
		cli_print_json(list);
		return EXIT_DONE;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		if (!archived_matches(res, i, relationship, search))
			continue;
		if (shown++ == 0)
			printf("%6s %7s  %-28s %-10s %-12s %-16s\n", "ID", "COMPANY", "ORGANIZATION", "RELATION", "BOOTH",
			       "ARCHIVED");
		printf("%6s %7s  ", db_text(res, i, EOA_ID), db_text(res, i, EOA_COMPANY_ID));
		cli_cell(db_text(res, i, EOA_NAME), 28);
		putchar(' ');
		cli_cell(db_text(res, i, EOA_RELATION), 10);
		putchar(' ');
		cli_cell(db_text(res, i, EOA_BOOTH), 12);
		printf(" %s\n", db_text(res, i, EOA_ARCHIVED_AT));
	}
	if (shown)
		printf("Bring one back with: boxoffice org restore ID\n");
	else
		printf("No archived organizations in this event%s.\n", relationship || search ? " match" : "");
	PQclear(res);
	return EXIT_DONE;
}

int cmd_org_list(struct cli *cli, int argc, char **argv)
{
	const char *what = "org list", *event = NULL, *want[4] = { NULL }, *search = NULL;
	bool json = false, archived = false;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL }, { "relationship", &want[0], NULL }, { "lifecycle", &want[1], NULL },
		{ "commercial", &want[2], NULL }, { "visibility", &want[3], NULL }, { "search", &search, NULL },
		{ "json", NULL, &json }, { "archived", NULL, &archived }, { NULL, NULL, NULL },
	};
	long long event_id;
	PGresult *res;
	json_t *list;
	char folded[1024];
	int shown = 0, rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	for (int k = 0; k < 4; k++) {
		if (!cli_value(what, opts[k + 1].name, want[k], 100, &rc))
			return rc;
		/* a typo is a usage error, not an empty list */
		if (want[k] && !org_value_ok((enum org_kind)k, want[k])) {
			char values[200];
			org_values_text((enum org_kind)k, values, sizeof values);
			return cli_fail(EXIT_USAGE, what, "--%s %s is not one of its values (%s)", opts[k + 1].name,
					want[k], values);
		}
	}
	if (!cli_value(what, "search", search, 200, &rc))
		return rc;
	if (search) { /* folded once, matched against every row */
		text_fold(search, folded, sizeof folded);
		search = folded;
	}
	/* an archived one keeps no lifecycle, commercial status or visibility
	 * worth filtering on: said, not ignored */
	if (archived && (want[1] || want[2] || want[3]))
		return cli_fail(EXIT_USAGE, what, "--archived takes --search and --relationship only");
	if ((rc = cli_event_type(cli, what, event, NULL, &event_id, NULL)))
		return rc;
	if (archived)
		return archived_list(cli, event_id, want[0], search, json);
	if (!(res = db_event_org_list(cli->db, event_id, ORG_LIST_MAX)))
		return cli_db_fail(cli, what);
	if (json) {
		list = json_array();
		for (int i = 0; i < PQntuples(res); i++)
			if (org_matches(res, i, want, search))
				json_array_append_new(list, json_pack("{sI sI ss ss ss ss ss ss ss ss sI sI}",
					"id", (json_int_t)db_int(res, i, EOG_ID),
					"company_id", (json_int_t)db_int(res, i, EOG_COMPANY_ID),
					"organization", db_text(res, i, EOG_NAME),
					"category", db_text(res, i, EOG_CATEGORY),
					"visibility", db_text(res, i, EOG_VISIBILITY),
					"package", db_text(res, i, EOG_PACKAGE),
					"booth", db_text(res, i, EOG_BOOTH),
					"relationship", db_text(res, i, EOG_RELATION),
					"lifecycle", db_text(res, i, EOG_LIFECYCLE),
					"commercial", db_text(res, i, EOG_COMMERCIAL),
					"orders", (json_int_t)db_int(res, i, EOG_ORDERS),
					"amount", (json_int_t)db_int(res, i, EOG_AMOUNT)));
		PQclear(res);
		cli_print_json(list);
		return EXIT_DONE;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		static const struct {
			int col, width;
		} cells[] = { { EOG_NAME, 28 }, { EOG_RELATION, 10 }, { EOG_LIFECYCLE, 11 }, { EOG_COMMERCIAL, 10 },
			      { EOG_VISIBILITY, 10 }, { EOG_PACKAGE, 8 }, { EOG_BOOTH, 12 }, { EOG_CATEGORY, 12 } };
		char amount[32];
		if (!org_matches(res, i, want, search))
			continue;
		if (shown++ == 0) /* COMPANY: the company's own id, for `org merge` (ID is this event's) */
			printf("%6s %7s  %-28s %-10s %-11s %-10s %-10s %-8s %-12s %-12s %6s %14s\n", "ID", "COMPANY",
			       "ORGANIZATION", "RELATION", "LIFECYCLE", "COMMERCIAL", "VISIBILITY", "PACKAGE", "BOOTH",
			       "CATEGORY", "ORDERS", "AMOUNT");
		printf("%6s %7s ", db_text(res, i, EOG_ID), db_text(res, i, EOG_COMPANY_ID));
		for (size_t k = 0; k < sizeof cells / sizeof cells[0]; k++) {
			putchar(' ');
			cli_cell(db_text(res, i, cells[k].col), cells[k].width);
		}
		money_format(amount, sizeof amount, db_int(res, i, EOG_AMOUNT));
		printf(" %6s %14s\n", db_text(res, i, EOG_ORDERS), amount);
	}
	/* said, rather than a bare header or nothing at all */
	if (!shown && PQntuples(res) == 0) {
		long long gone = db_event_org_archived_count(cli->db, event_id, ORG_LIST_MAX);
		char said[96];
		org_all_archived_text(gone, said, sizeof said);
		if (gone > 0) /* not "none yet": they were archived */
			printf("%s: boxoffice org list --event %lld --archived\n", said, event_id);
		else
			printf("No organizations in this event yet: add one with boxoffice org add --event %lld "
			       "--name NAME\n",
			       event_id);
	} else if (!shown)
		printf("No organization in this event matches.\n");
	PQclear(res);
	return EXIT_DONE;
}

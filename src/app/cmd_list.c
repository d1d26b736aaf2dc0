/* boxoffice list add|edit|show: check-in lists (db/020). A list says
 * which ticket types a door admits, when (windows, the event's own clock)
 * and whether people may go out and in again, and may count into an
 * area. Gates open on them with `checkin --list`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/validate.h"
#include "../db/db.h"
#include "../db/entrances.h"
#include "cli.h"
#include "commands.h"

#define WINDOWS_MAX 64

/* --from/--to repeat (one pair per day of a multi-day event): taken out
 * of argv here, in order, before cli_parse sees the rest. */
struct windows {
	const char *from[WINDOWS_MAX], *to[WINDOWS_MAX];
	int nfrom, nto;
};

static int take_windows(const char *what, int *argc, char **argv, struct windows *w)
{
	int out = 1;
	for (int i = 1; i < *argc; i++) {
		bool from = strcmp(argv[i], "--from") == 0, to = strcmp(argv[i], "--to") == 0;
		if (!from && !to) {
			argv[out++] = argv[i];
			continue;
		}
		if (i + 1 >= *argc)
			return cli_fail(EXIT_USAGE, what, "%s needs a time (YYYY-MM-DD HH:MM)", argv[i]);
		if ((from ? w->nfrom : w->nto) == WINDOWS_MAX)
			return cli_fail(EXIT_USAGE, what, "at most %d windows", WINDOWS_MAX);
		if (from)
			w->from[w->nfrom++] = argv[++i];
		else
			w->to[w->nto++] = argv[++i];
	}
	*argc = out;
	if (w->nfrom != w->nto)
		return cli_fail(EXIT_USAGE, what, "every --from needs its --to (%d --from, %d --to)", w->nfrom, w->nto);
	return EXIT_DONE;
}

static json_t *windows_json(const struct windows *w)
{
	json_t *a = json_array();
	for (int i = 0; i < w->nfrom; i++)
		json_array_append_new(a, json_pack("[ss]", w->from[i], w->to[i]));
	return a;
}

/* "VIP, Press" → ["VIP","Press"]; an empty name is refused. */
static json_t *types_json(const char *what, const char *csv, int *rc)
{
	json_t *a = json_array();
	const char *p = csv;
	for (;;) {
		size_t len = strcspn(p, ",");
		const char *s = p, *why;
		char name[401];
		while (len && *s == ' ')
			s++, len--;
		while (len && s[len - 1] == ' ')
			len--;
		if (!len || len >= sizeof name) {
			json_decref(a);
			*rc = cli_fail(EXIT_USAGE, what, "--types: %s", len ? "a type name is too long" : "an empty type name");
			return NULL;
		}
		snprintf(name, sizeof name, "%.*s", (int)len, s);
		if ((why = validate_text(name, 100, true))) {
			json_decref(a);
			*rc = cli_fail(EXIT_USAGE, what, "--types %s", why);
			return NULL;
		}
		json_array_append_new(a, json_string(name));
		p += strcspn(p, ",");
		if (!*p)
			break;
		p++;
	}
	return a;
}

static bool check_name(const char *what, const char *option, const char *name, int *rc)
{
	const char *why = validate_text(name, 100, true);
	if (why)
		*rc = cli_fail(EXIT_USAGE, what, "--%s %s", option, why);
	return !why;
}

/* A gate names its lists comma-separated (checkin --list main,vip). */
static bool check_list_name(const char *what, const char *option, const char *name, int *rc)
{
	if (!check_name(what, option, name, rc))
		return false;
	if (strchr(name, ',')) {
		*rc = cli_fail(EXIT_USAGE, what, "--%s: a list's name cannot hold a comma (gates list them with commas)",
			       option);
		return false;
	}
	return true;
}

int cmd_list_add(struct cli *cli, int argc, char **argv)
{
	const char *what = "list add", *event = NULL, *name = NULL, *types = NULL, *area = NULL;
	bool reentry = false, json = false;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL }, { "name", &name, NULL },	  { "types", &types, NULL },
		{ "area", &area, NULL },   { "reentry", NULL, &reentry }, { "json", NULL, &json },
		{ NULL, NULL, NULL },
	};
	struct windows w = { 0 };
	long long event_id, id;
	json_t *spec;
	int rc = take_windows(what, &argc, argv, &w);

	if (rc || (rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL)))
		return rc;
	(void)json; /* the answer is JSON either way, as every add's */
	if (!event)
		return cli_missing(what, "event");
	if (!name)
		return cli_missing(what, "name");
	if (!check_list_name(what, "name", name, &rc) || (area && !check_name(what, "area", area, &rc)))
		return rc;
	spec = json_pack("{ss sb so}", "name", name, "reentry", reentry, "windows", windows_json(&w));
	if (types) {
		json_t *t = types_json(what, types, &rc);
		if (!t) {
			json_decref(spec);
			return rc;
		}
		json_object_set_new(spec, "types", t);
	}
	if (area)
		json_object_set_new(spec, "area", json_string(area));
	if ((rc = cli_event_type(cli, what, event, NULL, &event_id, NULL))) {
		json_decref(spec);
		return rc;
	}
	if (!db_list_save(cli->db, 0, event_id, spec, &id)) {
		json_decref(spec);
		return cli_db_fail(cli, what);
	}
	json_decref(spec);
	cli_print_json(json_pack("{sI}", "id", (json_int_t)id));
	return EXIT_DONE;
}

int cmd_list_edit(struct cli *cli, int argc, char **argv)
{
	const char *what = "list edit", *event = NULL, *name = NULL, *rename = NULL, *types = NULL, *area = NULL;
	bool reentry = false, no_reentry = false, all_types = false, no_windows = false, no_area = false;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL },
		{ "name", &name, NULL },
		{ "rename", &rename, NULL },
		{ "types", &types, NULL },
		{ "all-types", NULL, &all_types },
		{ "no-windows", NULL, &no_windows },
		{ "area", &area, NULL },
		{ "no-area", NULL, &no_area },
		{ "reentry", NULL, &reentry },
		{ "no-reentry", NULL, &no_reentry },
		{ NULL, NULL, NULL },
	};
	struct windows w = { 0 };
	long long event_id, list, id;
	json_t *spec;
	int rc = take_windows(what, &argc, argv, &w);

	if (rc || (rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL)))
		return rc;
	if (!event)
		return cli_missing(what, "event");
	if (!name)
		return cli_missing(what, "name");
	if ((types && all_types) || (reentry && no_reentry) || (area && no_area) || (w.nfrom && no_windows))
		return cli_fail(EXIT_USAGE, what, "contradicting flags (--types/--all-types, --reentry/--no-reentry, "
						  "--area/--no-area, --from/--no-windows)");
	if ((rename && !check_list_name(what, "rename", rename, &rc)) || (area && !check_name(what, "area", area, &rc)))
		return rc;
	spec = json_object();
	if (rename)
		json_object_set_new(spec, "name", json_string(rename));
	if (types) {
		json_t *t = types_json(what, types, &rc);
		if (!t) {
			json_decref(spec);
			return rc;
		}
		json_object_set_new(spec, "types", t);
	}
	if (all_types)
		json_object_set_new(spec, "types", json_null());
	if (w.nfrom || no_windows)
		json_object_set_new(spec, "windows", windows_json(&w));
	if (reentry || no_reentry)
		json_object_set_new(spec, "reentry", json_boolean(reentry));
	if (area || no_area)
		json_object_set_new(spec, "area", area ? json_string(area) : json_null());
	if (json_object_size(spec) == 0) {
		json_decref(spec);
		return cli_fail(EXIT_USAGE, what, "nothing to change (see boxoffice help)");
	}
	if ((rc = cli_event_type(cli, what, event, NULL, &event_id, NULL))) {
		json_decref(spec);
		return rc;
	}
	if (!db_list_resolve(cli->db, event_id, name, &list, NULL) || !db_list_save(cli->db, list, event_id, spec, &id)) {
		json_decref(spec);
		return cli_db_fail(cli, what);
	}
	json_decref(spec);
	cli_print_json(json_pack("{sI}", "id", (json_int_t)id));
	return EXIT_DONE;
}

int cmd_list_show(struct cli *cli, int argc, char **argv)
{
	const char *what = "list show", *event = NULL, *name = NULL;
	bool json = false;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL }, { "name", &name, NULL }, { "json", NULL, &json }, { NULL, NULL, NULL },
	};
	long long event_id;
	json_t *lists, *l;
	size_t i;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (!event)
		return cli_missing(what, "event");
	if ((rc = cli_event_type(cli, what, event, NULL, &event_id, NULL)))
		return rc;
	if (!(lists = db_list_show(cli->db, event_id, name)))
		return cli_db_fail(cli, what);
	if (cli_show_rows(lists, "check-in list", name, json, &rc))
		return rc;
	if (json_array_size(lists) == 0)
		printf("no check-in lists: gates admit on the whole event (boxoffice list add --event %s --name NAME)\n",
		       event);
	else
		printf("%-20s %8s %8s  %s\n", "LIST", "ADMITS", "INSIDE", "RULES");
	json_array_foreach (lists, i, l) {
		cli_cell(json_string_value(json_object_get(l, "name")), 20);
		printf(" %8lld %8lld  %s\n", (long long)json_integer_value(json_object_get(l, "admits")),
		       (long long)json_integer_value(json_object_get(l, "inside")),
		       json_string_value(json_object_get(l, "rules")));
	}
	json_decref(lists);
	return EXIT_DONE;
}

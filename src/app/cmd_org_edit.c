/* boxoffice org add|edit|archive|package|order|merge|booths|show: event
 * organizations managed from the command line (db/050's functions, one
 * call each; the database refuses with the reason). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../db/catalog.h"
#include "../core/json_text.h"
#include "../core/org_values.h"
#include "../db/organizations.h"
#include "cli.h"
#include "commands.h"

/* The fields an add or edit sets: --relationship … --booth (and --name
 * for edit); enums checked here so a typo is a usage error. */
struct org_fields {
	const char *v[7];
};
static const char *const FIELD_NAMES[7] = { "relationship", "lifecycle", "commercial", "visibility",
					    "category", "booth", "name" };
static const int FIELD_MAX[7] = { 20, 20, 20, 20, 100, 50, 200 };

static json_t *org_fields_json(const char *what, const struct org_fields *f, int *rc)
{
	json_t *o = json_object();
	for (int k = 0; k < 7; k++) {
		bool ok = k >= 4;
		if (!f->v[k])
			continue;
		if (!cli_text(what, FIELD_NAMES[k], f->v[k], FIELD_MAX[k], rc)) {
			json_decref(o);
			return NULL;
		}
		ok = ok || org_value_ok((enum org_kind)k, f->v[k]);
		if (!ok) {
			char values[200];
			org_values_text((enum org_kind)k, values, sizeof values);
			json_decref(o);
			*rc = cli_fail(EXIT_USAGE, what, "--%s %s is not one of its values (%s)", FIELD_NAMES[k], f->v[k],
				       values);
			return NULL;
		}
		json_object_set_new(o, FIELD_NAMES[k], json_string(f->v[k]));
	}
	return o;
}

#define FIELD_OPTS(f)                                                                                         \
	{ "relationship", &(f).v[0], NULL }, { "lifecycle", &(f).v[1], NULL }, { "commercial", &(f).v[2], NULL }, \
		{ "visibility", &(f).v[3], NULL }, { "category", &(f).v[4], NULL }, { "booth", &(f).v[5], NULL }

/* Prints the function's answer (JSON, as every write does). */
static int org_answer(struct cli *cli, const char *what, enum org_call call, const char *const *p)
{
	json_t *doc = db_org_call(cli->db, call, p);
	if (!doc)
		return cli_db_fail(cli, what);
	cli_print_json(doc);
	return EXIT_DONE;
}

/* The same, said in words by words unless it is NULL (--json). */
static int org_answer_words(struct cli *cli, const char *what, enum org_call call, const char *const *p,
			    void (*words)(json_t *doc))
{
	json_t *doc;
	if (!words)
		return org_answer(cli, what, call, p);
	if (!(doc = db_org_call(cli->db, call, p)))
		return cli_db_fail(cli, what);
	words(doc);
	json_decref(doc);
	return EXIT_DONE;
}

/* The same, for add (event, name, fields) and edit (id, version,
 * fields): the organization's fields go last, as JSON; takes FIELDS. */
static int org_answer_fields(struct cli *cli, const char *what, enum org_call call, const char *first,
			     const char *second, json_t *fields)
{
	char *text = json_dumps(fields, JSON_COMPACT);
	int rc = org_answer(cli, what, call, (const char *[]){ first, second, text });
	free(text);
	json_decref(fields);
	return rc;
}

int cmd_org_add(struct cli *cli, int argc, char **argv)
{
	const char *what = "org add", *event = NULL, *name = NULL;
	struct org_fields f = { { NULL } };
	bool json = false;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL }, { "name", &name, NULL }, FIELD_OPTS(f), { "json", NULL, &json },
		{ NULL, NULL, NULL },
	};
	long long event_id;
	char ev[24];
	json_t *fields;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	(void)json;
	if (!event)
		return cli_missing(what, "event");
	if (!name)
		return cli_missing(what, "name");
	if (!cli_value(what, "name", name, 200, &rc))
		return rc;
	if (!(fields = org_fields_json(what, &f, &rc)))
		return rc;
	if ((rc = cli_event_type(cli, what, event, NULL, &event_id, NULL))) {
		json_decref(fields);
		return rc;
	}
	snprintf(ev, sizeof ev, "%lld", event_id);
	return org_answer_fields(cli, what, ORG_ADD, ev, name, fields);
}

int cmd_org_edit(struct cli *cli, int argc, char **argv)
{
	const char *what = "org edit", *pos[1], *version = NULL;
	struct org_fields f = { { NULL } };
	bool json = false;
	const struct cli_opt opts[] = {
		{ "name", &f.v[6], NULL }, FIELD_OPTS(f), { "version", &version, NULL }, { "json", NULL, &json },
		{ NULL, NULL, NULL },
	};
	long long id, v;
	char ids[24];
	json_t *fields;
	int npos = 0, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);

	if (rc)
		return rc;
	(void)json;
	if (!cli_id(what, npos, pos, "event organization", &id, &rc))
		return rc;
	if (version && !cli_int(what, "version", version, 1, 2000000000, &v, &rc))
		return rc;
	if (!(fields = org_fields_json(what, &f, &rc)))
		return rc;
	if (json_object_size(fields) == 0) {
		json_decref(fields);
		return cli_fail(EXIT_USAGE, what, "nothing to change");
	}
	if (!cli_db(cli)) {
		json_decref(fields);
		return EXIT_FAILED;
	}
	snprintf(ids, sizeof ids, "%lld", id);
	return org_answer_fields(cli, what, ORG_EDIT, ids, version, fields);
}

static void archived_words(json_t *doc)
{
	long long id = (long long)json_integer_value(json_object_get(doc, "id"));
	printf("archived: %s (event organization %lld); boxoffice org restore %lld brings it back\n",
	       json_text(doc, "organization"), id, id);
}

static void restored_words(json_t *doc)
{
	const char *lost = json_string_value(json_object_get(doc, "booth_lost"));
	printf("restored: %s (event organization %lld)\n", json_text(doc, "organization"),
	       (long long)json_integer_value(json_object_get(doc, "id")));
	if (lost)
		printf("  without booth %s: another organization has it now\n", lost);
}

/* org archive ID and org restore ID [--version V]: one call on one
 * event organization, said in words unless --json. */
static int archive_or_restore(struct cli *cli, const char *what, enum org_call call, void (*words)(json_t *doc),
			      int argc, char **argv)
{
	const char *pos[1], *version = NULL;
	bool json = false;
	const struct cli_opt opts[] = { { "version", &version, NULL }, { "json", NULL, &json }, { NULL, NULL, NULL } };
	long long id, v;
	char ids[24];
	int npos = 0, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);

	if (rc)
		return rc;
	if (!cli_id(what, npos, pos, "event organization", &id, &rc))
		return rc;
	if (version && !cli_int(what, "version", version, 1, 2000000000, &v, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	snprintf(ids, sizeof ids, "%lld", id);
	return org_answer_words(cli, what, call, (const char *[]){ ids, version }, json ? NULL : words);
}

int cmd_org_archive(struct cli *cli, int argc, char **argv)
{
	return archive_or_restore(cli, "org archive", ORG_ARCHIVE, archived_words, argc, argv);
}

/* an archived one back (db/065) */
int cmd_org_restore(struct cli *cli, int argc, char **argv)
{
	return archive_or_restore(cli, "org restore", ORG_RESTORE, restored_words, argc, argv);
}

/* org package --event E --name NAME --items TYPE:QTY,... [--booth-size S]
 * defines a package; org package ID --give NAME [--version V] gives it. */
int cmd_org_package(struct cli *cli, int argc, char **argv)
{
	const char *what = "org package", *pos[1], *event = NULL, *name = NULL, *items_s = NULL, *booth = NULL,
		   *give = NULL, *version = NULL;
	bool json = false;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL }, { "name", &name, NULL },	  { "items", &items_s, NULL },
		{ "booth-size", &booth, NULL }, { "give", &give, NULL },  { "version", &version, NULL },
		{ "json", NULL, &json },	{ NULL, NULL, NULL },
	};
	long long id, v, event_id;
	char ids[24], buf[1024], *save = NULL;
	json_t *items;
	int npos = 0, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);

	if (rc)
		return rc;
	(void)json;
	if (npos) {
		if (!cli_id(what, npos, pos, "event organization", &id, &rc))
			return rc;
		if (!give)
			return cli_missing(what, "give");
		if (!cli_value(what, "give", give, 100, &rc))
			return rc;
		if (version && !cli_int(what, "version", version, 1, 2000000000, &v, &rc))
			return rc;
		if (!cli_db(cli))
			return EXIT_FAILED;
		snprintf(ids, sizeof ids, "%lld", id);
		return org_answer(cli, what, ORG_PACKAGE_GIVE, (const char *[]){ ids, give, version });
	}
	if (!event)
		return cli_missing(what, "event");
	if (!name)
		return cli_missing(what, "name");
	if (!items_s)
		return cli_missing(what, "items");
	if (!cli_value(what, "name", name, 100, &rc) || !cli_text(what, "booth-size", booth, 50, &rc) ||
	    !cli_value(what, "items", items_s, 1000, &rc))
		return rc;
	if (strlen(items_s) >= sizeof buf)
		return cli_fail(EXIT_USAGE, what, "--items is too long");
	if ((rc = cli_event_type(cli, what, event, NULL, &event_id, NULL)))
		return rc;
	snprintf(buf, sizeof buf, "%s", items_s);
	items = json_array();
	for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *colon = strrchr(item, ':');
		long long type_id, qty;
		if (!colon) {
			json_decref(items);
			return cli_fail(EXIT_USAGE, what, "--items wants TYPE:QTY[,TYPE:QTY...]");
		}
		*colon = '\0';
		if (!cli_int(what, "items", colon + 1, 1, 10000, &qty, &rc)) {
			json_decref(items);
			return rc;
		}
		if (!db_type_resolve(cli->db, event_id, item, &type_id)) {
			json_decref(items);
			return cli_resolve_fail(cli, what, "ticket type", item);
		}
		json_array_append_new(items, json_pack("{sI sI}", "type", (json_int_t)type_id, "qty", (json_int_t)qty));
	}
	snprintf(ids, sizeof ids, "%lld", event_id);
	{
		char *text = json_dumps(items, JSON_COMPACT);
		rc = org_answer(cli, what, ORG_PACKAGE_SET, (const char *[]){ ids, name, text, booth });
		free(text);
	}
	json_decref(items);
	return rc;
}

/* One positional ID, one call: org order ID, org show ID. With words,
 * the answer is printed by it unless --json asks for the JSON. */
static int org_by_id(struct cli *cli, const char *what, enum org_call call, int argc, char **argv,
		     void (*words)(json_t *doc))
{
	const char *pos[1];
	bool json = false;
	const struct cli_opt opts[] = { { "json", NULL, &json }, { NULL, NULL, NULL } };
	long long id;
	char ids[24];
	json_t *doc;
	int npos = 0, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);

	if (rc)
		return rc;
	if (!cli_id(what, npos, pos, "event organization", &id, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	snprintf(ids, sizeof ids, "%lld", id);
	if (json || !words)
		return org_answer(cli, what, call, (const char *[]){ ids });
	if (!(doc = db_org_call(cli->db, call, (const char *[]){ ids })))
		return cli_db_fail(cli, what);
	words(doc);
	json_decref(doc);
	return EXIT_DONE;
}

int cmd_org_order(struct cli *cli, int argc, char **argv)
{
	return org_by_id(cli, "org order", ORG_ORDER, argc, argv, NULL);
}

/* json_text, with "-" for an empty field */
static const char *text_of(json_t *doc, const char *key)
{
	const char *v = json_text(doc, key);
	return *v ? v : "-";
}

/* org show ID: the organization in words and its entitlement per type;
 * --json prints org_result as it is. */
static void org_show_print(json_t *doc)
{
	json_t *types = json_object_get(doc, "entitlements"), *t;
	size_t i;

	printf("%s (event organization %lld, company %lld, event %lld, version %lld)%s\n", text_of(doc, "organization"),
	       (long long)json_integer_value(json_object_get(doc, "id")),
	       (long long)json_integer_value(json_object_get(doc, "company")),
	       (long long)json_integer_value(json_object_get(doc, "event")),
	       (long long)json_integer_value(json_object_get(doc, "version")),
	       json_is_true(json_object_get(doc, "archived")) ? ": archived" : "");
	printf("  relationship %s, lifecycle %s, commercial %s, visibility %s\n", text_of(doc, "relationship"),
	       text_of(doc, "lifecycle"), text_of(doc, "commercial"), text_of(doc, "visibility"));
	printf("  category %s, booth %s, package %s\n", text_of(doc, "category"), text_of(doc, "booth"),
	       text_of(doc, "package"));
	if (!json_array_size(types)) {
		printf("  no entitlement (no package with ticket types)\n");
		return;
	}
	printf("  ");
	cli_cell("TYPE", 24);
	printf(" %8s %8s %8s %10s\n", "ENTITLED", "ORDERED", "ASSIGNED", "CHECKED IN");
	json_array_foreach(types, i, t) {
		printf("  ");
		cli_cell(text_of(t, "type"), 24);
		printf(" %8lld %8lld %8lld %10lld\n", (long long)json_integer_value(json_object_get(t, "entitled")),
		       (long long)json_integer_value(json_object_get(t, "ordered")),
		       (long long)json_integer_value(json_object_get(t, "assigned")),
		       (long long)json_integer_value(json_object_get(t, "checked_in")));
	}
}

int cmd_org_show(struct cli *cli, int argc, char **argv)
{
	return org_by_id(cli, "org show", ORG_SHOW, argc, argv, org_show_print);
}

/* org merge SURVIVOR DUPLICATE (company IDs, the "company" of org show) */
int cmd_org_merge(struct cli *cli, int argc, char **argv)
{
	const char *what = "org merge", *pos[2];
	bool json = false;
	const struct cli_opt opts[] = { { "json", NULL, &json }, { NULL, NULL, NULL } };
	long long a, b;
	char as[24], bs[24];
	int npos = 0, rc = cli_parse(what, argc, argv, opts, pos, 2, &npos);

	if (rc)
		return rc;
	if (npos != 2)
		return cli_fail(EXIT_USAGE, what, "wants SURVIVOR DUPLICATE (company IDs: org list's COMPANY column)");
	if (!cli_int(what, "survivor", pos[0], 1, 9000000000000000000LL, &a, &rc) ||
	    !cli_int(what, "duplicate", pos[1], 1, 9000000000000000000LL, &b, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	snprintf(as, sizeof as, "%lld", a);
	snprintf(bs, sizeof bs, "%lld", b);
	return org_answer(cli, what, ORG_MERGE, (const char *[]){ as, bs });
}

/* org booths --event E [--add NAME [--size S]] [--json] */
int cmd_org_booths(struct cli *cli, int argc, char **argv)
{
	const char *what = "org booths", *event = NULL, *add = NULL, *size = NULL;
	bool json = false;
	const struct cli_opt opts[] = { { "event", &event, NULL }, { "add", &add, NULL }, { "size", &size, NULL },
					{ "json", NULL, &json },   { NULL, NULL, NULL } };
	long long event_id;
	char ev[24];
	json_t *plan, *b;
	size_t i;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (!event)
		return cli_missing(what, "event");
	if (!cli_text(what, "add", add, 50, &rc) || !cli_text(what, "size", size, 50, &rc))
		return rc;
	if ((rc = cli_event_type(cli, what, event, NULL, &event_id, NULL)))
		return rc;
	snprintf(ev, sizeof ev, "%lld", event_id);
	plan = add ? db_org_call(cli->db, ORG_BOOTH_ADD, (const char *[]){ ev, add, size })
		   : db_org_call(cli->db, ORG_BOOTHS, (const char *[]){ ev });
	if (!plan)
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(plan);
		return EXIT_DONE;
	}
	printf("%-12s %-10s %s\n", "BOOTH", "SIZE", "ORGANIZATION");
	json_array_foreach(plan, i, b) {
		const char *who = json_string_value(json_object_get(b, "organization"));
		cli_pad(json_string_value(json_object_get(b, "booth")), 12);
		putchar(' ');
		cli_pad(json_string_value(json_object_get(b, "size")), 10);
		printf(" %s\n", who ? who : "(free)");
	}
	json_decref(plan);
	return EXIT_DONE;
}

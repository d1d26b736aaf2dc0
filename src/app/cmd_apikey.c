/* boxoffice apikey add|list|revoke, ticket link (platform secret is in
 * cmd_platform.c): what
 * `boxoffice serve` checks callers against (db/030). A key is shown once;
 * the database keeps only its hash. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../core/apikey.h"
#include "../db/api.h"
#include "../db/db.h"
#include "cli.h"
#include "commands.h"

int cmd_apikey_add(struct cli *cli, int argc, char **argv)
{
	const char *what = "apikey add", *name = NULL, *channel = NULL, *app = NULL, *person = NULL, *gate = NULL,
		   *rate = NULL, *pos[1];
	bool json = false;
	const struct cli_opt opts[] = {
		{ "name", &name, NULL },     { "channel", &channel, NULL }, { "app", &app, NULL },
		{ "person", &person, NULL }, { "gate", &gate, NULL },	     { "rate", &rate, NULL },
		{ "json", NULL, &json },     { NULL, NULL, NULL },
	};
	char secret[APIKEY_SECRET_CHARS + 1], text[APIKEY_TEXT_MAX], fallback[40];
	unsigned char hash[APIKEY_HASH_BYTES];
	long long person_id = 0, per_minute = -1;
	int npos = 0, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);
	json_t *doc;

	if (rc)
		return rc;
	if (npos == 1) {
		if (name)
			return cli_fail(EXIT_USAGE, what, "give the name once (NAME or --name)");
		name = pos[0];
	}
	if (!channel == !app)
		return cli_fail(EXIT_USAGE, what, "give --channel web|pos|ota|reseller or --app gate|holder");
	if (channel && strcmp(channel, "web") && strcmp(channel, "pos") && strcmp(channel, "ota") &&
	    strcmp(channel, "reseller"))
		return cli_fail(EXIT_USAGE, what, "--channel must be web, pos, ota or reseller");
	if (app && strcmp(app, "gate") && strcmp(app, "holder"))
		return cli_fail(EXIT_USAGE, what, "--app must be gate or holder");
	if (person && !cli_int(what, "person", person, 1, 999999999999999999LL, &person_id, &rc))
		return rc;
	if (rate && !cli_int(what, "rate", rate, 0, 10000000, &per_minute, &rc))
		return rc;
	if (!apikey_secret_new(secret, hash))
		return cli_fail(EXIT_FAILED, what, "no random source (libsodium)");
	if (!name) {
		snprintf(fallback, sizeof fallback, "%s-%08x", channel ? channel : app, randombytes_random());
		name = fallback;
	}
	if (!cli_db(cli))
		return EXIT_FAILED;
	doc = db_apikey_add(cli->db, name, channel, app, person_id, gate, per_minute, hash);
	if (!doc)
		return cli_db_fail(cli, what);
	apikey_format(json_integer_value(json_object_get(doc, "id")), secret, text, sizeof text);
	sodium_memzero(secret, sizeof secret);
	json_object_set_new(doc, "key", json_string(text));
	if (json) {
		cli_print_json(doc); /* frees doc */
		return EXIT_DONE;
	} else {
		printf("%s\n", text);
		fprintf(stderr, "boxoffice: key %lld (%s) for %s %s: shown once, keep it now\n",
			(long long)json_integer_value(json_object_get(doc, "id")),
			json_string_value(json_object_get(doc, "name")), channel ? "the channel" : "the app",
			channel ? channel : app);
	}
	json_decref(doc);
	return EXIT_DONE;
}

int cmd_apikey_list(struct cli *cli, int argc, char **argv)
{
	const char *what = "apikey list";
	bool json = false;
	const struct cli_opt opts[] = { { "json", NULL, &json }, { NULL, NULL, NULL } };
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);
	json_t *doc, *k;
	size_t i;

	if (rc)
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_apikey_list(cli->db)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc); /* frees doc */
		return EXIT_DONE;
	} else {
		printf("%-6s %-24s %-10s %-10s %-20s %s\n", "ID", "NAME", "FOR", "RATE/MIN", "CREATED", "STATUS");
		json_array_foreach(doc, i, k)
		{
			const char *ch = json_string_value(json_object_get(k, "channel"));
			const char *app = json_string_value(json_object_get(k, "app"));
			const char *created = json_string_value(json_object_get(k, "created_at"));
			json_t *revoked = json_object_get(k, "revoked_at");
			char rate[24];
			long long per = json_integer_value(json_object_get(k, "rate_per_minute"));
			if (per)
				snprintf(rate, sizeof rate, "%lld", per);
			else
				snprintf(rate, sizeof rate, "unlimited");
			printf("%-6lld ", (long long)json_integer_value(json_object_get(k, "id")));
			cli_cell(json_string_value(json_object_get(k, "name")), 24);
			printf(" %-10s %-10s %-20.19s %s\n", ch ? ch : app ? app : "", rate, created ? created : "",
			       json_is_null(revoked) ? "active" : "revoked");
		}
	}
	json_decref(doc);
	return EXIT_DONE;
}

int cmd_apikey_revoke(struct cli *cli, int argc, char **argv)
{
	const char *what = "apikey revoke", *pos[1];
	bool json = false;
	const struct cli_opt opts[] = { { "json", NULL, &json }, { NULL, NULL, NULL } };
	int npos = 0, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);
	json_t *doc;

	if (rc)
		return rc;
	if (npos != 1)
		return cli_fail(EXIT_USAGE, what, "which key? apikey revoke ID|NAME");
	if (!pos[0][strspn(pos[0], " \t")])
		return cli_fail(EXIT_USAGE, what, "which key? its ID or name is empty");
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_apikey_revoke(cli->db, pos[0])))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc); /* frees doc */
		return EXIT_DONE;
	}
	printf("revoked key %lld (%s)\n", (long long)json_integer_value(json_object_get(doc, "id")),
	       json_string_value(json_object_get(doc, "name")));
	json_decref(doc);
	return EXIT_DONE;
}

int cmd_ticket_link(struct cli *cli, int argc, char **argv)
{
	const char *what = "ticket link", *person = NULL, *base = NULL;
	bool json = false;
	const struct cli_opt opts[] = {
		{ "person", &person, NULL }, { "base", &base, NULL }, { "json", NULL, &json }, { NULL, NULL, NULL },
	};
	char secret[512], link[LINK_TEXT_MAX], url[600];
	long long person_id;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (!person)
		return cli_missing(what, "person");
	if (!cli_int(what, "person", person, 1, 999999999999999999LL, &person_id, &rc))
		return rc;
	if (!base)
		base = "http://127.0.0.1:8080";
	if ((rc = cli_require(cli, what, "person", person_id)) != EXIT_DONE)
		return rc; /* a link to nobody's tickets helps no one: exit 1 */
	if (!db_link_secret(cli->db, secret, sizeof secret))
		return cli_db_fail(cli, what);
	link_sign(person_id, secret, link, sizeof link);
	sodium_memzero(secret, sizeof secret);
	snprintf(url, sizeof url, "%s%s/my/%s", base, base[0] && base[strlen(base) - 1] == '/' ? "" : "", link);
	if (url[strlen(base)] == '/' && base[strlen(base) - 1] == '/')
		snprintf(url, sizeof url, "%smy/%s", base, link);
	if (json)
		printf("{\"person\":%lld,\"link\":\"%s\",\"url\":\"%s\"}\n", person_id, link, url);
	else
		printf("%s\n", url);
	return EXIT_DONE;
}

/* boxoffice platform secret|map|unmap|maps|deliveries: what serve's
 * platform webhooks (POST /webhooks/<platform>) check and map against
 * (db/037_webhooks_in.sql). Changing things is a supervisor's; the database
 * refuses anybody else (exit 4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"
#include "../db/api.h"
#include "../db/db.h"
#include "../db/webhooks.h"
#include "cli.h"
#include "commands.h"

static bool platform_ok(const char *what, const char *platform, int *rc)
{
	size_t n = platform ? strlen(platform) : 0;
	if (n == 0 || n > 31 || platform[0] < 'a' || platform[0] > 'z' ||
	    strspn(platform, "abcdefghijklmnopqrstuvwxyz0123456789_") != n) {
		*rc = cli_fail(EXIT_USAGE, what, "--platform must be a lower-case name such as shopify");
		return false;
	}
	return true;
}

int cmd_platform_secret(struct cli *cli, int argc, char **argv)
{
	const char *what = "platform secret", *platform = NULL, *secret = NULL, *url = NULL;
	bool json = false; /* its answer is JSON either way (scripts read it); --json as everywhere */
	const struct cli_opt opts[] = {
		{ "platform", &platform, NULL }, { "secret", &secret, NULL }, { "url", &url, NULL },
		{ "json", NULL, &json },	 { NULL, NULL, NULL },
	};
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);
	json_t *doc;

	if (rc)
		return rc;
	if (!platform)
		return cli_missing(what, "platform");
	if (!secret)
		return cli_missing(what, "secret");
	if (!platform_ok(what, platform, &rc) || !cli_value(what, "url", url, 500, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_platform_secret_save(cli->db, platform, secret, url)))
		return cli_db_fail(cli, what);
	cli_print_json(doc); /* frees doc */
	return EXIT_DONE;
}

int cmd_platform_map(struct cli *cli, int argc, char **argv)
{
	const char *what = "platform map", *platform = NULL, *sku = NULL, *event = NULL, *type = NULL, *remote = NULL;
	bool json = false;
	const struct cli_opt opts[] = {
		{ "platform", &platform, NULL }, { "sku", &sku, NULL },	      { "event", &event, NULL },
		{ "type", &type, NULL },	 { "remote", &remote, NULL }, { "json", NULL, &json },
		{ NULL, NULL, NULL },
	};
	long long event_id = 0, type_id = 0;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);
	json_t *doc;

	if (rc)
		return rc;
	if (!platform)
		return cli_missing(what, "platform");
	if (!sku)
		return cli_missing(what, "sku");
	if (!platform_ok(what, platform, &rc) || !cli_value(what, "sku", sku, 200, &rc) ||
	    !cli_value(what, "remote", remote, 200, &rc))
		return rc;
	if ((rc = cli_event_type(cli, what, event, type, &event_id, &type_id)) != EXIT_DONE)
		return rc;
	if (!(doc = db_platform_map_set(cli->db, platform, sku, event_id, type_id, remote)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc);
		return EXIT_DONE;
	}
	printf("%s SKU %s -> event %lld, type %lld\n", platform, sku, event_id, type_id);
	json_decref(doc);
	if (!remote) {
		/* webhooks in match on the SKU; pushes out need the platform's own ID */
		static const struct {
			const char *platform, *id;
		} pushed_by_id[] = { { "shopify", "the variant's inventory_item_id" },
				     { "woocommerce", "the product ID, or PRODUCT/VARIATION" },
				     { "eventbrite", "EVENT_ID/TICKET_CLASS_ID" } };
		for (size_t i = 0; i < sizeof pushed_by_id / sizeof pushed_by_id[0]; i++)
			if (strcmp(platform, pushed_by_id[i].platform) == 0)
				fprintf(stderr,
					"boxoffice: %s: note: availability is pushed to %s only with --remote (%s)\n",
					what, platform, pushed_by_id[i].id);
	}
	return EXIT_DONE;
}

int cmd_platform_unmap(struct cli *cli, int argc, char **argv)
{
	const char *what = "platform unmap", *platform = NULL, *sku = NULL;
	const struct cli_opt opts[] = { { "platform", &platform, NULL }, { "sku", &sku, NULL }, { NULL, NULL, NULL } };
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);
	json_t *doc;

	if (rc)
		return rc;
	if (!platform)
		return cli_missing(what, "platform");
	if (!sku)
		return cli_missing(what, "sku");
	if (!platform_ok(what, platform, &rc) || !cli_value(what, "sku", sku, 200, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_platform_unmap(cli->db, platform, sku)))
		return cli_db_fail(cli, what);
	cli_print_json(doc);
	return EXIT_DONE;
}

int cmd_platform_maps(struct cli *cli, int argc, char **argv)
{
	const char *what = "platform maps", *platform = NULL;
	bool json = false;
	const struct cli_opt opts[] = { { "platform", &platform, NULL }, { "json", NULL, &json }, { NULL, NULL, NULL } };
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);
	json_t *rows, *row;
	size_t i;

	if (rc)
		return rc;
	if (platform && !platform_ok(what, platform, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(rows = db_platform_maps(cli->db, platform)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(rows);
		return EXIT_DONE;
	}
	printf("%-12s %-24s %-28s %-16s %s\n", "PLATFORM", "SKU", "EVENT", "TYPE", "REMOTE");
	json_array_foreach(rows, i, row) {
		const char *remote = json_string_value(json_object_get(row, "remote"));
		cli_cell(json_string_value(json_object_get(row, "platform")), 12);
		putchar(' ');
		cli_cell(json_string_value(json_object_get(row, "sku")), 24);
		putchar(' ');
		cli_cell(json_string_value(json_object_get(row, "event_name")), 28);
		putchar(' ');
		cli_cell(json_string_value(json_object_get(row, "type_name")), 16);
		printf(" %s\n", remote ? remote : "");
	}
	json_decref(rows);
	return EXIT_DONE;
}

int cmd_platform_deliveries(struct cli *cli, int argc, char **argv)
{
	const char *what = "platform deliveries", *platform = NULL, *limit = NULL;
	bool json = false, attention = false;
	const struct cli_opt opts[] = {
		{ "platform", &platform, NULL }, { "attention", NULL, &attention }, { "limit", &limit, NULL },
		{ "json", NULL, &json },	 { NULL, NULL, NULL },
	};
	long long lim = 200;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);
	json_t *rows, *row;
	size_t i;

	if (rc)
		return rc;
	if (platform && !platform_ok(what, platform, &rc))
		return rc;
	if (limit && !cli_int(what, "limit", limit, 1, 5000, &lim, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(rows = db_webhook_deliveries(cli->db, platform, attention, (int)lim)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(rows);
		return EXIT_DONE;
	}
	printf("%-20s %-12s %-9s %-18s %-28s %s\n", "RECEIVED", "PLATFORM", "OUTCOME", "TOPIC", "DELIVERY", "DETAIL");
	json_array_foreach(rows, i, row) {
		char *detail = json_dumps(json_object_get(row, "detail"), JSON_COMPACT);
		cli_cell(json_string_value(json_object_get(row, "received_at")), 19);
		putchar(' ');
		cli_cell(json_string_value(json_object_get(row, "platform")), 12);
		putchar(' ');
		cli_cell(json_string_value(json_object_get(row, "outcome")), 9);
		putchar(' ');
		cli_cell(json_string_value(json_object_get(row, "topic")), 18);
		putchar(' ');
		cli_cell(json_string_value(json_object_get(row, "delivery")), 28);
		putchar(' ');
		/* the last column: no padding to wrap; cut between characters */
		printf("%.*s", (int)utf8_prefix(detail ? detail : "", 200), detail ? detail : "");
		putchar('\n');
		free(detail);
	}
	json_decref(rows);
	return EXIT_DONE;
}

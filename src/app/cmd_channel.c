/* boxoffice channel add|list|status|dead|retry|resync|enable|disable: the
 * platforms serve pushes availability and alerts to (db/038_outbox.sql,
 * src/http/outbox.c), their health and their dead letters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../db/channels.h"
#include "../db/db.h"
#include "cli.h"
#include "commands.h"

#define SETTINGS_MAX 32

/* Takes every --setting k=v (or --setting=k=v) out of argv into a JSON
 * object; the rest stays in order. Numbers and true/false keep their type. */
static bool take_settings(const char *what, int *argc, char **argv, json_t *settings, int *rc)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		const char *kv = NULL;
		char key[64];
		const char *eq;
		size_t klen;

		if (strcmp(argv[i], "--setting") == 0) {
			if (i + 1 >= *argc) {
				*rc = cli_fail(EXIT_USAGE, what, "--setting needs KEY=VALUE");
				return false;
			}
			kv = argv[++i];
		} else if (strncmp(argv[i], "--setting=", 10) == 0) {
			kv = argv[i] + 10;
		} else {
			argv[out++] = argv[i];
			continue;
		}
		eq = strchr(kv, '=');
		klen = eq ? (size_t)(eq - kv) : 0;
		if (!eq || klen == 0 || klen >= sizeof key || strspn(kv, "abcdefghijklmnopqrstuvwxyz0123456789_") != klen) {
			*rc = cli_fail(EXIT_USAGE, what, "--setting %s: give key=value (key: a-z 0-9 _)", kv);
			return false;
		}
		if (json_object_size(settings) >= SETTINGS_MAX) {
			*rc = cli_fail(EXIT_USAGE, what, "at most %d settings", SETTINGS_MAX);
			return false;
		}
		memcpy(key, kv, klen);
		key[klen] = '\0';
		eq++;
		if (eq[0] && strlen(eq) <= 15 && strspn(eq, "0123456789") == strlen(eq))
			json_object_set_new(settings, key, json_integer(atoll(eq)));
		else if (strcmp(eq, "true") == 0 || strcmp(eq, "false") == 0)
			json_object_set_new(settings, key, json_boolean(eq[0] == 't'));
		else
			json_object_set_new(settings, key, json_string(eq));
	}
	argv[out] = NULL;
	*argc = out;
	return true;
}

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

int cmd_channel_add(struct cli *cli, int argc, char **argv)
{
	const char *what = "channel add", *platform = NULL, *sells = NULL, *url = NULL, *credentials = NULL,
		   *retry = NULL, *backoff = NULL, *resync = NULL, *pos[1];
	bool json = false;
	const struct cli_opt opts[] = {
		{ "platform", &platform, NULL },
		{ "sells", &sells, NULL },
		{ "url", &url, NULL },
		{ "credentials", &credentials, NULL },
		{ "retry-limit", &retry, NULL },
		{ "backoff-ms", &backoff, NULL },
		{ "resync-seconds", &resync, NULL },
		{ "json", NULL, &json },
		{ NULL, NULL, NULL },
	};
	json_t *settings = json_object(), *doc;
	struct channel_new c;
	char *settings_text;
	int npos = 0, rc = EXIT_DONE;

	if (!settings)
		return cli_fail(EXIT_FAILED, what, "out of memory");
	if (!take_settings(what, &argc, argv, settings, &rc) ||
	    (rc = cli_parse(what, argc, argv, opts, pos, 1, &npos)) != EXIT_DONE) {
		json_decref(settings);
		return rc;
	}
	memset(&c, 0, sizeof c);
	if (npos != 1)
		rc = cli_fail(EXIT_USAGE, what, "name the channel: channel add NAME --platform P --url URL");
	else if (!platform)
		rc = cli_missing(what, "platform");
	else if (!url)
		rc = cli_missing(what, "url");
	else if ((sells && !cli_channel(what, sells, &rc)) ||
		 (retry && !cli_int(what, "retry-limit", retry, 1, 100, &c.retry_limit, &rc)) ||
		 (backoff && !cli_int(what, "backoff-ms", backoff, 10, 3600000, &c.backoff_ms, &rc)) ||
		 (resync && !cli_int(what, "resync-seconds", resync, 10, 604800, &c.resync_seconds, &rc))) {
		/* reported */
	}
	if (rc != EXIT_DONE) {
		json_decref(settings);
		return rc;
	}
	settings_text = json_dumps(settings, JSON_COMPACT);
	json_decref(settings);
	c.name = pos[0];
	c.platform = platform;
	c.sells = sells;
	c.url = url;
	c.credentials = credentials;
	c.settings_json = settings_text;
	if (!cli_db(cli)) {
		free(settings_text);
		return EXIT_FAILED;
	}
	doc = db_channel_add(cli->db, &c);
	free(settings_text);
	if (!doc)
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc);
		return EXIT_DONE;
	}
	printf("channel %s (%s) added: pushes to %s\n", json_string_value(json_object_get(doc, "name")),
	       json_string_value(json_object_get(doc, "platform")), json_string_value(json_object_get(doc, "url")));
	json_decref(doc);
	return EXIT_DONE;
}

int cmd_channel_list(struct cli *cli, int argc, char **argv)
{
	const char *what = "channel list";
	bool json = false;
	const struct cli_opt opts[] = { { "json", NULL, &json }, { NULL, NULL, NULL } };
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);
	json_t *doc, *c;
	size_t i;

	if (rc)
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_channel_list(cli->db)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc);
		return EXIT_DONE;
	}
	printf("%-20s %-11s %-8s %-8s %s\n", "NAME", "PLATFORM", "SELLS", "STATE", "URL");
	json_array_foreach(doc, i, c)
	{
		printf("%-20s %-11s %-8s %-8s %s\n", json_string_value(json_object_get(c, "name")),
		       json_string_value(json_object_get(c, "platform")),
		       or_dash(json_string_value(json_object_get(c, "sells"))),
		       json_is_true(json_object_get(c, "enabled")) ? "enabled" : "disabled",
		       or_dash(json_string_value(json_object_get(c, "url"))));
	}
	json_decref(doc);
	return EXIT_DONE;
}

int cmd_channel_status(struct cli *cli, int argc, char **argv)
{
	const char *what = "channel status";
	bool json = false;
	const struct cli_opt opts[] = { { "json", NULL, &json }, { NULL, NULL, NULL } };
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);
	json_t *doc, *c;
	size_t i;

	if (rc)
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_channel_status(cli->db)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc);
		return EXIT_DONE;
	}
	printf("%-16s %-10s %-19s %8s %8s %7s %5s %s\n", "NAME", "PLATFORM", "LAST SUCCESS", "LAG S", "PENDING",
	       "FAILED", "DEAD", "DRIFT / LAST ERROR");
	json_array_foreach(doc, i, c)
	{
		const char *ok = json_string_value(json_object_get(c, "last_success"));
		const char *err = json_string_value(json_object_get(c, "last_error"));
		json_t *drift = json_object_get(c, "drift"), *d;
		const char *sku;
		long long off = 0;
		json_object_foreach(drift, sku, d)
		{
			long long v = json_integer_value(json_object_get(d, "drift"));
			off += v < 0 ? -v : v;
		}
		cli_cell(json_string_value(json_object_get(c, "name")), 16);
		printf(" %-10s %-19.19s %8.1f %8lld %7lld %5lld ", json_string_value(json_object_get(c, "platform")),
		       ok ? ok : "never",
		       json_number_value(json_object_get(c, "lag_seconds")),
		       (long long)json_integer_value(json_object_get(c, "pending")),
		       (long long)json_integer_value(json_object_get(c, "failures")),
		       (long long)json_integer_value(json_object_get(c, "dead")));
		if (off)
			printf("drift %lld; ", off);
		printf("%s%s\n", json_is_true(json_object_get(c, "enabled")) ? "" : "(disabled) ", err ? err : "");
	}
	json_decref(doc);
	return EXIT_DONE;
}

int cmd_channel_dead(struct cli *cli, int argc, char **argv)
{
	const char *what = "channel dead", *pos[1];
	bool json = false;
	const struct cli_opt opts[] = { { "json", NULL, &json }, { NULL, NULL, NULL } };
	int npos = 0, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);
	json_t *doc, *d;
	size_t i;

	if (rc)
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_channel_dead(cli->db, npos ? pos[0] : NULL)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc);
		return EXIT_DONE;
	}
	printf("%-8s %-16s %-12s %-16s %8s %s\n", "ID", "CHANNEL", "KIND", "SKU", "ATTEMPTS", "LAST ERROR");
	json_array_foreach(doc, i, d)
	{
		printf("%-8lld ", (long long)json_integer_value(json_object_get(d, "id")));
		cli_cell(json_string_value(json_object_get(d, "channel")), 16);
		printf(" %-12s ", json_string_value(json_object_get(d, "kind")));
		cli_cell(or_dash(json_string_value(json_object_get(d, "sku"))), 16);
		printf(" %8lld %s\n", (long long)json_integer_value(json_object_get(d, "attempts")),
		       or_dash(json_string_value(json_object_get(d, "last_error"))));
	}
	json_decref(doc);
	return EXIT_DONE;
}

int cmd_channel_retry(struct cli *cli, int argc, char **argv)
{
	const char *what = "channel retry", *channel = NULL, *pos[1];
	bool json = false;
	const struct cli_opt opts[] = { { "channel", &channel, NULL }, { "json", NULL, &json }, { NULL, NULL, NULL } };
	long long id = 0;
	int npos = 0, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);
	json_t *doc;

	if (rc)
		return rc;
	if ((npos == 1) == (channel != NULL))
		return cli_fail(EXIT_USAGE, what, "give a dead letter's ID or --channel NAME");
	if (npos == 1 && !cli_id(what, npos, pos, "dead letter", &id, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_channel_retry(cli->db, id, channel)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc);
		return EXIT_DONE;
	}
	printf("requeued %zu dead letter(s)\n", json_array_size(json_object_get(doc, "requeued")));
	json_decref(doc);
	return EXIT_DONE;
}

int cmd_channel_resync(struct cli *cli, int argc, char **argv)
{
	const char *what = "channel resync", *pos[1];
	bool json = false;
	const struct cli_opt opts[] = { { "json", NULL, &json }, { NULL, NULL, NULL } };
	int npos = 0, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);
	json_t *doc;

	if (rc)
		return rc;
	if (npos != 1)
		return cli_fail(EXIT_USAGE, what, "which channel? channel resync NAME");
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_channel_resync(cli->db, pos[0])))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc);
		return EXIT_DONE;
	}
	printf("channel %s: %lld type(s) queued for a resync\n", json_string_value(json_object_get(doc, "channel")),
	       (long long)json_integer_value(json_object_get(doc, "queued")));
	json_decref(doc);
	return EXIT_DONE;
}

static int enable(struct cli *cli, int argc, char **argv, bool on)
{
	const char *what = on ? "channel enable" : "channel disable", *pos[1];
	bool json = false;
	const struct cli_opt opts[] = { { "json", NULL, &json }, { NULL, NULL, NULL } };
	int npos = 0, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);
	json_t *doc;

	if (rc)
		return rc;
	if (npos != 1)
		return cli_fail(EXIT_USAGE, what, "which channel? %s NAME", what);
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_channel_enable(cli->db, pos[0], on)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc);
		return EXIT_DONE;
	}
	printf("channel %s %s\n", json_string_value(json_object_get(doc, "name")), on ? "enabled" : "disabled");
	json_decref(doc);
	return EXIT_DONE;
}

int cmd_channel_enable(struct cli *cli, int argc, char **argv)
{
	return enable(cli, argc, argv, true);
}

int cmd_channel_disable(struct cli *cli, int argc, char **argv)
{
	return enable(cli, argc, argv, false);
}

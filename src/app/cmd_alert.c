/* boxoffice alert list|ack|settings|set: the alerts the database raises
 * (db/046_alerts.sql) and their thresholds per event and type. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/alert_notify.h"
#include "../db/alerts.h"
#include "../db/db.h"
#include "cli.h"
#include "commands.h"

static const char *str_or(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s && *s ? s : dflt;
}

int cmd_alert_list(struct cli *cli, int argc, char **argv)
{
	const char *what = "alert list", *limit = NULL;
	bool json = false, open_only = false;
	long long n = 200;
	const struct cli_opt opts[] = {
		{ "json", NULL, &json },
		{ "open", NULL, &open_only },
		{ "limit", &limit, NULL },
		{ NULL, NULL, NULL },
	};
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);
	json_t *doc, *a;
	size_t i;

	if (rc)
		return rc;
	if (limit && !cli_int(what, "limit", limit, 1, 1000, &n, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_alert_list(cli->db, open_only, (int)n)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc);
		return EXIT_DONE;
	}
	json_array_foreach(doc, i, a) {
		char ack[200];
		if (json_is_string(json_object_get(a, "acknowledged_by")))
			snprintf(ack, sizeof ack, "acknowledged by %s at %s", str_or(a, "acknowledged_by", "-"),
				 str_or(a, "acknowledged_station", "-"));
		else
			snprintf(ack, sizeof ack, "open");
		printf("#%lld %-17s %-8s x%-5lld %s  %s  (%s)\n", (long long)json_integer_value(json_object_get(a, "id")),
		       alert_kind_title(str_or(a, "kind", "")), str_or(a, "severity", ""),
		       (long long)json_integer_value(json_object_get(a, "count")), str_or(a, "last_at", ""),
		       str_or(a, "message", ""), ack);
	}
	json_decref(doc);
	return EXIT_DONE;
}

int cmd_alert_ack(struct cli *cli, int argc, char **argv)
{
	const char *what = "alert ack", *pos[1];
	bool json = false;
	const struct cli_opt opts[] = { { "json", NULL, &json }, { NULL, NULL, NULL } };
	int npos = 0, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);
	long long id;
	json_t *doc;

	if (rc)
		return rc;
	if (!cli_id(what, npos, pos, "alert", &id, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_alert_ack(cli->db, id)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc);
		return EXIT_DONE;
	}
	printf("alert %lld acknowledged\n", id);
	json_decref(doc);
	return EXIT_DONE;
}

int cmd_alert_settings(struct cli *cli, int argc, char **argv)
{
	const char *what = "alert settings", *event = NULL;
	bool json = false;
	const struct cli_opt opts[] = { { "event", &event, NULL }, { "json", NULL, &json }, { NULL, NULL, NULL } };
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);
	long long event_id = 0, type_id = 0;
	json_t *doc, *s;
	size_t i;

	if (rc)
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	(void)type_id;
	if (event && (rc = cli_event_type(cli, what, event, NULL, &event_id, NULL)) != EXIT_DONE)
		return rc;
	if (!(doc = db_alert_settings(cli->db, event_id)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc);
		return EXIT_DONE;
	}
	json_array_foreach(doc, i, s) {
		json_t *low = json_object_get(s, "low_stock");
		char lows[32], type[32];
		if (json_is_integer(low))
			snprintf(lows, sizeof lows, "%lld", (long long)json_integer_value(low));
		else
			snprintf(lows, sizeof lows, "10%%");
		if (json_is_integer(json_object_get(s, "type")))
			snprintf(type, sizeof type, "type %lld", (long long)json_integer_value(json_object_get(s, "type")));
		else
			snprintf(type, sizeof type, "whole event");
		printf("event %lld %-12s low stock %-5s holds/min %-4lld rejects/min %-4lld silent %lld min %s\n",
		       (long long)json_integer_value(json_object_get(s, "event")), type, lows,
		       (long long)json_integer_value(json_object_get(s, "hold_burst")),
		       (long long)json_integer_value(json_object_get(s, "reject_burst")),
		       (long long)json_integer_value(json_object_get(s, "silent_minutes")),
		       json_is_true(json_object_get(s, "enabled")) ? "" : "(off)");
	}
	json_decref(doc);
	return EXIT_DONE;
}

/* A threshold: a whole number in range, or a usage error (exit 2). */
static bool threshold(const char *what, const char *option, const char *text, long long min, long long max,
		      long long *out, int *rc)
{
	if (!text) {
		*out = ALERT_KEEP;
		return true;
	}
	return cli_int(what, option, text, min, max, out, rc);
}

int cmd_alert_set(struct cli *cli, int argc, char **argv)
{
	const char *what = "alert set", *event = NULL, *type = NULL, *low = NULL, *hold = NULL, *reject = NULL,
		   *silent = NULL;
	bool json = false, on = false, off = false, low_default = false;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL },
		{ "type", &type, NULL },
		{ "low-stock", &low, NULL },
		{ "low-stock-default", NULL, &low_default },
		{ "hold-burst", &hold, NULL },
		{ "reject-burst", &reject, NULL },
		{ "silent-minutes", &silent, NULL },
		{ "enable", NULL, &on },
		{ "disable", NULL, &off },
		{ "json", NULL, &json },
		{ NULL, NULL, NULL },
	};
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);
	struct alert_setting_in in;
	json_t *doc;

	if (rc)
		return rc;
	memset(&in, 0, sizeof in);
	if (!event)
		return cli_missing(what, "event");
	if (on && off)
		return cli_fail(EXIT_USAGE, what, "--enable or --disable, not both");
	if (low && low_default)
		return cli_fail(EXIT_USAGE, what, "--low-stock or --low-stock-default, not both");
	if (!threshold(what, "low-stock", low, 0, 1000000, &in.low_stock, &rc) ||
	    !threshold(what, "hold-burst", hold, 1, 1000000, &in.hold_burst, &rc) ||
	    !threshold(what, "reject-burst", reject, 1, 1000000, &in.reject_burst, &rc) ||
	    !threshold(what, "silent-minutes", silent, 1, 1440, &in.silent_minutes, &rc))
		return rc;
	if (low_default)
		in.low_stock = -1;
	in.enabled = on ? 1 : off ? 0 : -1;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if ((rc = cli_event_type(cli, what, event, type, &in.event_id, type ? &in.type_id : NULL)) != EXIT_DONE)
		return rc;
	if (!(doc = db_alert_setting_set(cli->db, &in)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(doc);
		return EXIT_DONE;
	}
	printf("alert settings saved\n");
	json_decref(doc);
	return EXIT_DONE;
}

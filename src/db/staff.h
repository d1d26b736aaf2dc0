/* Staff commands from Slack and Twilio (db/039): the staff list, and the
 * one call serve makes per command. */
#ifndef BOXOFFICE_DB_STAFF_H
#define BOXOFFICE_DB_STAFF_H

#include <jansson.h>

#include "db.h"

json_t *db_staff_add(struct db *db, const char *platform, const char *user, const char *role);
json_t *db_staff_list(struct db *db);
json_t *db_staff_remove(struct db *db, const char *platform, const char *user);
/* {"secret": S|null, "url": U|null} of a platform (serve). */
json_t *db_staff_platform_conf(struct db *db, const char *platform);
/* Runs a parsed command (staff_cmd_json) for a platform's user; delivery:
 * the platform's message ID or NULL. {"ok","role","text","duplicate"}. */
json_t *db_staff_run(struct db *db, const char *platform, const char *user, const char *cmd_json,
		     const char *delivery);

#endif

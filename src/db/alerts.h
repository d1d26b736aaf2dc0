/* Alerts the database raises (db/046_alerts.sql): the list, acknowledging
 * one, and the thresholds per event and type. */
#ifndef BOXOFFICE_DB_ALERTS_H
#define BOXOFFICE_DB_ALERTS_H

#include <stdbool.h>
#include <jansson.h>

struct db;

/* The open alerts, newest first, as one JSON array (for queued reads). */
#define SQL_ALERT_OPEN "SELECT alert_list(true, 50)"
/* Every alert, newest first. */
#define SQL_ALERT_ALL "SELECT alert_list(false, 500)"
/* Raises gate_silent alerts that are due (stations call it now and then). */
#define SQL_ALERT_CHECK_SILENT "SELECT alert_check_silent()"
/* Acknowledges alert $1 (queued form of db_alert_ack). */
#define SQL_ALERT_ACK "SELECT alert_ack($1::bigint)"
/* The channel every alert and acknowledgement is announced on. */
#define ALERT_CHANNEL "boxoffice_alert"

json_t *db_alert_list(struct db *db, bool open_only, int limit);
json_t *db_alert_ack(struct db *db, long long id);
json_t *db_alert_settings(struct db *db, long long event_id);

/* A setting left < -1 (NULL in SQL) keeps its value; low_stock -1 goes
 * back to the default (a tenth of capacity). enabled: -1 keep, 0, 1. */
struct alert_setting_in {
	long long event_id, type_id; /* type 0: the event's default */
	long long low_stock, hold_burst, reject_burst, silent_minutes;
	int enabled;
};
#define ALERT_KEEP (-2)
json_t *db_alert_setting_set(struct db *db, const struct alert_setting_in *in);
/* The same as a queued statement (db_json_submit): SQL_ALERT_SETTING_SET
 * with the ALERT_SETTING_NPARAMS parameters alert_setting_params fills
 * (pointing into p, which must outlive the submit call). */
#define SQL_ALERT_SETTING_SET                                                                        \
	"SELECT alert_setting_set($1::bigint, $2::bigint, $3::integer, $4::integer, $5::integer, "  \
	"$6::integer, $7::boolean)"
#define ALERT_SETTING_NPARAMS 7
struct alert_setting_params {
	char buf[6][24];
	const char *params[ALERT_SETTING_NPARAMS];
};
void alert_setting_params(const struct alert_setting_in *in, struct alert_setting_params *p);
/* The thresholds form's read ($1 the event): {settings: alert_settings,
 * types: [{id, name}] by name}. */
#define SQL_ALERT_FORM                                                                                  \
	"SELECT jsonb_build_object('settings', alert_settings($1::bigint), 'types', "                   \
	"(SELECT coalesce(jsonb_agg(jsonb_build_object('id', id, 'name', name) ORDER BY name, id), '[]') " \
	"FROM ticket_type WHERE event_id = $1::bigint))"

#endif

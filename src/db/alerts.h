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

#endif

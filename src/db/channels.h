/* Channel connectors, outbound (db/038_outbox.sql): what serve's outbox
 * worker calls, and the `boxoffice channel` commands' calls. */
#ifndef BOXOFFICE_DB_CHANNELS_H
#define BOXOFFICE_DB_CHANNELS_H

#include <jansson.h>
#include <stdbool.h>

struct db;

/* ---- the worker (role api) ---- */
/* Claims the next row of each free channel: {"rows":[…],"wake_ms":N|null}.
 * busy: IDs of channels with a request in flight here. */
json_t *db_outbox_claim(struct db *db, const char *owner, const long long *busy, int nbusy);
/* Records a claimed row's outcome; drift (JSON text) or NULL. */
json_t *db_outbox_complete(struct db *db, long long id, const char *owner, bool ok, const char *error,
			   const char *drift_json);
/* Queues the resyncs whose schedule is due; how many rows, -1 on failure. */
int db_outbox_resync_due(struct db *db);
json_t *db_outbox_give_up(struct db *db, long long id, const char *owner, const char *error);
int db_outbox_release(struct db *db, const char *owner);

/* ---- the CLI (supervisors) ---- */
struct channel_new {
	const char *name, *platform, *sells, *url, *credentials;
	const char *settings_json; /* JSON object text or NULL */
	long long retry_limit, backoff_ms, resync_seconds; /* 0: default */
};
json_t *db_channel_add(struct db *db, const struct channel_new *c);
json_t *db_channel_list(struct db *db);
json_t *db_channel_status(struct db *db);
json_t *db_channel_health(struct db *db);
json_t *db_channel_dead(struct db *db, const char *name);
json_t *db_channel_retry(struct db *db, long long id, const char *name);
json_t *db_channel_resync(struct db *db, const char *name);
json_t *db_channel_enable(struct db *db, const char *name, bool on);

/* ---- the dashboard's channel health (clerks and supervisors) ---- */
#define CHANNEL_HEALTH_MAX 12
struct channel_health {
	char name[48], platform[16], error[160];
	bool enabled;
	long long failures, pending, dead;
	double lag_seconds;
};
struct channel_health_list {
	struct channel_health c[CHANNEL_HEALTH_MAX];
	int n, more; /* more: channels past the max */
};
struct db_read;
/* Adds the read of every channel's health to a batch (src/db/read.h). */
void db_channel_health_add(struct db_read *r, struct channel_health_list *out);

#endif

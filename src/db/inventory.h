/* Live inventory and order operations: thin wrappers over the SQL functions
 * of db/003_inventory.sql, each one transaction in the database. Results
 * come back as the JSON documents the functions build. */
#ifndef BOXOFFICE_DB_INVENTORY_H
#define BOXOFFICE_DB_INVENTORY_H

#include <jansson.h>

#include "async.h"
#include "db.h"

struct sale {
	long long event_id, type_id;
	long long qty;
	const char *channel; /* web, pos, ota, reseller */
	const char *payment; /* invoice, card, sponsored, free */
	const char *company, *contact, *email;
	const char *key;          /* idempotency key, or NULL */
	const char *external_ref; /* the channel's own order reference */
	const char *reason;
};

/* NULL with db->err set on failure. The caller json_decref()s. */
json_t *db_sell(struct db *db, const struct sale *s);
json_t *db_hold(struct db *db, const struct sale *s, long long ttl_seconds);
json_t *db_hold_confirm(struct db *db, long long hold_id, const struct sale *s);
json_t *db_hold_release(struct db *db, long long hold_id, const char *reason);
json_t *db_adjust(struct db *db, long long event_id, long long type_id, long long delta,
		  const char *reason, const char *key);
json_t *db_set_quota(struct db *db, long long event_id, long long type_id, const char *channel,
		     long long quota, const char *reason);
json_t *db_set_capacity(struct db *db, long long event_id, long long type_id, long long capacity,
			const char *reason);
/* version < 0: no optimistic check. */
json_t *db_order_set_status(struct db *db, long long order_id, const char *status, long long version,
			    const char *payment_ref, const char *reason);
/* The same two writes for the terminal loop (async.h): done gets the
 * function's document, or NULL with db->err (db_answer_lost(): the link
 * failed and the write may or may not have been made). False (db->err)
 * when it cannot be queued. */
bool db_sell_submit(struct db *db, const void *owner, const struct sale *s, db_json_fn done, void *ctx);
bool db_order_set_status_submit(struct db *db, const void *owner, long long order_id, const char *status,
				long long version, const char *payment_ref, const char *reason,
				db_json_fn done, void *ctx);

/* Rows of inventory_view for one event (0: all), as CONTRACT.md's JSON. */
json_t *db_inventory(struct db *db, long long event_id);
/* The same queued on the loop (src/db/read.h's shape): done gets the rows
 * (owned by the read: copy what you keep) or NULL. */
#include "read.h"
typedef void (*inventory_fn)(struct db *db, const json_t *rows, void *ctx);
bool db_inventory_submit(struct db *db, const void *owner, long long event_id, inventory_fn done, void *ctx);
/* Marks expired holds; -1 on error. One station at a time does the work. */
/* The same, queued for the terminal loop (fire and forget). */
bool db_inventory_reap_submit(struct db *db, const void *owner);
int db_inventory_reap(struct db *db);

#endif

/* Entrances (db/020): check-in lists (which types a door admits, when,
 * and whether people may go out and in again) and areas with a capacity
 * and an exact occupancy. Every rule is decided in checkin_scan; this is
 * the data layer for making and reading them. */
#ifndef BOXOFFICE_DB_ENTRANCES_H
#define BOXOFFICE_DB_ENTRANCES_H

#include <stdbool.h>

#include <jansson.h>

#include "async.h"
#include "db.h"

/* Adds (list 0) or edits a list from a spec of optional keys: name,
 * types (array of names or IDs; null: every type), windows (array of
 * [from, to] texts; the event's own clock unless they carry an offset),
 * reentry, area (name or ID; null: none). *id gets the list's ID. */
bool db_list_save(struct db *db, long long list, long long event, json_t *spec, long long *id);
/* The event's lists (name NULL) or one, as checkin_list_json: an array. */
json_t *db_list_show(struct db *db, long long event, const char *name);
/* A list by name or ID within an event (event 0: whichever event has a
 * list of that name, when only one does). False with db->status
 * DB_REFUSED and why in db->err when there is none or several. */
bool db_list_resolve(struct db *db, long long event, const char *name, long long *id, long long *event_out);

/* Adds (area 0) or edits an area; name NULL and capacity < 0 leave them. */
bool db_area_save(struct db *db, long long area, long long event, const char *name, long long capacity,
		  long long *id);
/* The event's areas (name NULL) or one, as area_json: an array. */
json_t *db_area_show(struct db *db, long long event, const char *name);
bool db_area_resolve(struct db *db, long long event, const char *name, long long *id);

/* Admits, exits and undos per list (NULL for the whole event) and gate,
 * from the scan rows: they add up to the event's total. */
enum entrance_col { EC_LIST, EC_GATE, EC_ADMITS, EC_EXITS, EC_UNDOS };
PGresult *db_entrance_counts(struct db *db, long long event);
/* The same statement, for a larger read ($1: the event). */
#define SQL_ENTRANCE_COUNTS \
	"SELECT list, gate, admits, exits, undos FROM checkin_entrance_counts($1::bigint)"


/* For a check-in screen, queued on the loop (src/db/async.h): the gate's
 * lists (lists: "{3,5}" as struct gate's lists_param) in its order, each
 * {id, name, rules}, and the areas they count into, each {name, inside,
 * capacity}: {"lists": [...], "areas": [...]}. */
bool db_gate_entrances_submit(struct db *db, const void *owner, const char *lists, db_json_fn done, void *ctx);
/* The event's lists for a picker, by name: [{id, name, rules}...]. */
bool db_event_lists_submit(struct db *db, const void *owner, long long event, db_json_fn done, void *ctx);

#endif

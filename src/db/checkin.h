/* The entrance's SQL: what a gate caches for offline work, one scan, and
 * one uploaded offline scan (see db/006_checkin.sql). */
#ifndef BOXOFFICE_DB_CHECKIN_H
#define BOXOFFICE_DB_CHECKIN_H

#include <jansson.h>

#include "db.h"

/* id, name of every event (to resolve --event offline). */
PGresult *db_gate_events(struct db *db);
/* id, name of every ticket type (what an offline verdict shows). */
PGresult *db_gate_types(struct db *db);
/* The check-in lists of every event (db/020), what an offline gate
 * decides by: id, event, name, reentry, all_types, area (0: none), its
 * types' IDs "3,7" ("" none), the type refusal's words
 * (checkin_list_type_reason) and its rules in one line. */
enum gate_list_col { GL_ID, GL_EVENT, GL_NAME, GL_REENTRY, GL_ALL_TYPES, GL_AREA, GL_TYPES, GL_TYPE_REASON, GL_RULES };
PGresult *db_gate_lists(struct db *db);
/* Their windows: list, from and to as epoch seconds, and as the event's
 * "Sat 09:00" (event_local_text), by list and start. */
enum gate_window_col { GW_LIST, GW_FROM, GW_TO, GW_FROM_TEXT, GW_TO_TEXT };
PGresult *db_gate_windows(struct db *db);
/* Every area: id, event, name, capacity, inside (now). */
enum gate_area_col { GA_ID, GA_EVENT, GA_NAME, GA_CAPACITY, GA_INSIDE };
PGresult *db_gate_areas(struct db *db);
/* Undoes the ticket's check-in (db/016: a check-out with its reason,
 * logged with station and reason) on a check-in list (0: the whole
 * event; db/020): checkin_undo's JSON, or NULL with db->status DB_REFUSED
 * when the ticket does not exist or is not checked in. */
json_t *db_checkin_undo(struct db *db, long long ticket, const char *gate, const char *reason, long long list);
/* event_id, public key (hex) of every event that has a key. Never creates one. */
PGresult *db_gate_keys(struct db *db);
/* ticket_id, event_id, issue, valid (bool), scans; of one event, or all (0). */
PGresult *db_gate_tickets(struct db *db, long long event_id);
/* checkin_scan's verdict (online). scan_id (may be NULL) makes it
 * idempotent: the same scan again answers the first verdict, with
 * "duplicate":true, and records nothing. lists: the gate's check-in
 * lists as an array literal "{3,5}" (NULL: the whole event; db/020);
 * override: a supervisor's reason to admit into a full area (NULL);
 * wait_ms: the longest the server may wait for a lock (db/024: past it
 * the statement fails with 55P03 and commits nothing; 0: no bound). */
json_t *db_checkin_scan(struct db *db, long long ticket, long long event, long long issue, const char *gate,
			const char *scan_id, const char *lists, const char *override, int wait_ms);
/* The same, queued on the loop (async.c): done gets the verdict, or NULL
 * with db->err when it failed or the link was lost; not called when the
 * owner cancels. */
/* A code the gate refused without asking the database (bad signature,
 * malformed, other event): recorded as a refusal of the gate's event
 * (db/059), queued without waiting, or (the CLI) within deadline_ms. */
bool db_checkin_refused_submit(struct db *db, const void *owner, long long event, const char *gate,
			       const char *reason);
bool db_checkin_refused(struct db *db, long long event, const char *gate, const char *reason);
bool db_checkin_scan_submit(struct db *db, const void *owner, long long ticket, long long event, long long issue,
			    const char *gate, const char *scan_id, const char *lists, const char *override, int wait_ms,
			    void (*done)(struct db *db, json_t *answer, void *ctx), void *ctx);
/* One offline scan uploaded inside the caller's transaction, under its own
 * savepoint: a refusal of the line itself (db->status other than
 * DB_FAILED) rolls back only this scan and leaves the transaction usable;
 * a transient failure (deadlock, timeout, lost link) is DB_FAILED: the
 * whole upload must be tried again later. */
json_t *db_checkin_upload(struct db *db, long long ticket, long long event, long long issue, const char *gate,
			  const char *at, const char *token, const char *scan_id, const char *lists, const char *direction);

/* The check-in figures of one event, for the station and the dashboard. */
/* SQL conditions on a ticket row aliased T: checked in (on the whole
 * event or on any check-in list, db/020; an undone check-in is none) and
 * inside now (on the event or any list). One definition for every count. */
/* Uncorrelated IN, not EXISTS: the planner hashes the passes once instead
 * of probing checkin_pass per ticket (1.5 s → 0.13 s for the dashboard's
 * counts over 125,000 tickets). */
#define SQL_TICKET_CHECKED_IN(T)                                                                      \
	"(" T ".scans > 2 * " T ".undos OR " T ".id IN (SELECT cp.ticket_id FROM checkin_pass cp "      \
	"WHERE cp.scans > 2 * cp.undos))"
#define SQL_TICKET_INSIDE(T)                                                                          \
	"(" T ".scans % 2 = 1 OR " T ".id IN (SELECT cp.ticket_id FROM checkin_pass cp WHERE cp.scans % 2 = 1))"
enum checkin_type_col { CT_NAME, CT_IN, CT_TOTAL };
/* Per ticket type, in type order: valid tickets checked in, valid tickets. */
PGresult *db_checkin_type_counts(struct db *db, long long event_id);
/* Offline admits the database could not accept (checkin_conflict). */
bool db_checkin_conflict_count(struct db *db, long long event_id, long long *count);
enum checkin_recent_col { CR_AT, CR_DIRECTION, CR_GATE, CR_WHO, CR_TYPE, CR_EPOCH, CR_TICKET, CR_UNDO, CR_OVERRIDE };
/* The latest scans, newest first: time (HH24:MI:SS), direction, gate,
 * person (or #ticket), ticket type, time as epoch seconds, ticket, the
 * undo's reason ("" when the row is no undo), the reason of an admit over
 * an area's capacity ("" when none). */
PGresult *db_checkin_recent(struct db *db, long long event_id, int limit);
/* One ticket's scans: how many, and the last as "YYYY-MM-DD HH24:MI in at
 * GATE" ("" when none). */
bool db_ticket_scan_summary(struct db *db, long long ticket_id, long long *count, char *last, size_t size);

/* The station's figures of one event in one read: checked in of valid
 * tickets (per type and in all), offline conflicts, the latest scans as
 * display lines. */
#define CHECKIN_TYPES_MAX 8
/* A Last scans line is "HH:MM:SS MARK who…", the mark in CHECKIN_MARK_W
 * columns ("in", "out", a station's reject "✗" at its right) so every
 * name starts in column CHECKIN_RECENT_WHO (bytes and columns alike for
 * the database's rows); an undo is the check-out it is, "UNDO" after who.
 * What must stay in sight after who (an undo's " · UNDO: reason", an
 * admit over capacity's reason) is apart in recent_keep, so a screen can
 * shorten who before it; "" when the row has none (its gate, last in
 * recent, is what a narrow column cuts). */
#define CHECKIN_MARK_W 3
#define CHECKIN_RECENT_WHO (8 + 1 + CHECKIN_MARK_W + 1)
#define CHECKIN_RECENT 10
struct checkin_figures {
	long long checked_in, total, conflicts;
	struct {
		char name[101];
		long long in, total;
	} types[CHECKIN_TYPES_MAX];
	int ntypes;
	char recent[CHECKIN_RECENT][200];
	char recent_keep[CHECKIN_RECENT][200];
	double recent_at[CHECKIN_RECENT]; /* epoch seconds */
	long long recent_ticket[CHECKIN_RECENT];
	bool recent_in[CHECKIN_RECENT]; /* a check-in (what an undo takes back) */
	int nrecent;
};
bool db_checkin_figures_read(struct db *db, long long event_id, struct checkin_figures *out);
/* The same queued on the loop (src/db/read.h's shape). */
typedef void (*checkin_figures_fn)(struct db *db, const struct checkin_figures *f, void *ctx);
bool db_checkin_figures_submit(struct db *db, const void *owner, long long event_id, checkin_figures_fn done,
			       void *ctx);
/* The conflict count as one statement of a larger read (the dashboard's). */
#include "read.h"
void db_checkin_conflicts_add(struct db_read *r, long long event_id, long long *dst);

#endif

/* An entrance gate: verifies tokens, asks the database for the verdict,
 * and keeps working when the database is away: it verifies with the
 * event's cached public key, decides from its cached ticket states and its
 * own scans, and writes every offline scan to a durable journal (fsync
 * before the verdict is shown), uploaded when the database is back. Used
 * by `boxoffice checkin` and the check-in screen alike. */
#ifndef BOXOFFICE_APP_GATE_H
#define BOXOFFICE_APP_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

#include "../core/token.h"
#include "../core/verdict.h"

struct db;

/* A ticket's state on one check-in list (db/020's checkin_pass): odd
 * scans = inside. */
struct gate_pass {
	long long list;
	int scans;
};

struct gate_ticket {
	long long id, event;
	int issue, scans;
	bool valid;
	long long type;
	char *who; /* "person\0company" (malloc'd), NULL when unassigned */
	struct gate_pass *passes; /* malloc'd, NULL when none */
	int npasses;
};

/* A check-in list's rules as the cache carries them (db/020), so an
 * offline gate decides as checkin_scan does. Texts are the database's
 * own words, made when the cache was refreshed. */
struct gate_window {
	long long from, to; /* epoch seconds: from <= now < to */
	char from_text[64], to_text[64]; /* "Sat 09:00" at the event */
};

struct gate_rules {
	long long id, event, area; /* area 0: none */
	bool reentry, all_types;
	long long *types; /* sorted; the types admitted unless all_types */
	size_t ntypes;
	struct gate_window *windows; /* by start; none: always open */
	size_t nwindows;
	char *name, *type_reason, *rules; /* "VIP entrance only"; "VIP · Sat 09:00–18:00 · …" */
};

/* An area: inside as the database counted at the refresh (or told this
 * gate's last online verdict), own: this gate's journaled entries minus
 * exits since (the offline count on top). */
struct gate_area {
	long long id, event, capacity, inside, own;
	char *name;
};

struct gate_type {
	long long id;
	char *name;
};

struct gate_key {
	long long event;
	unsigned char pk[TOKEN_PUBLIC_KEY_BYTES];
};

struct gate_event {
	long long id;
	char *name;
};

/* The check-in lists a gate is opened on (db/020), in the order given. */
#define GATE_LISTS_MAX 8
#define GATE_LIST_NAME_MAX 401 /* 100 characters of up to 4 bytes */
struct gate_list {
	long long id;
	char name[GATE_LIST_NAME_MAX];
};

struct gate {
	struct db *db;
	char name[64];
	/* No lists: the whole event (every valid ticket, event.reentry). */
	struct gate_list lists[GATE_LISTS_MAX];
	int nlists;
	char lists_param[GATE_LISTS_MAX * 21 + 3]; /* "{3,5}" for SQL; "" without lists */
	/* A supervisor's reason to admit into a full area, sent with every
	 * online scan while set (the CLI allows it for one token only). */
	const char *override;
	/* State lives per database: <state dir>/<database identity>/gate-NAME.*;
	 * link_path remembers which identity this connection reached last, so
	 * a gate that starts offline finds its cache. */
	char state_dir[1024], link_path[1100];
	char identity[37]; /* "" until known */
	char notice[512];  /* what a screen should tell (a new database...) */
	int verdict_ms;    /* an online verdict not back by then is decided offline */
	int refresh_ms;    /* a cache refresh's deadline (a screen keeps it short) */
	char cache_path[1200], journal_path[1200], lock_path[1200];
	long long event_id; /* 0: every event */
	/* the cache: keys sorted by event (grows as needed), events, ticket
	 * states sorted by id */
	struct gate_key *keys;
	size_t nkeys;
	struct gate_event *events;
	size_t nevents;
	struct gate_type *types; /* sorted by id */
	size_t ntypes;
	struct gate_ticket *tickets;
	size_t ntickets;
	struct gate_rules *rules; /* every event's check-in lists, by id */
	size_t nrules;
	struct gate_area *areas; /* by id */
	size_t nareas;
	time_t cache_at;
	long long horizon;           /* where the next incremental refresh starts */
	long long last_refresh_rows; /* ticket rows the last refresh brought (new or changed) */
	long long cache_lines;       /* lines in the cache file (blocks appended since its rewrite) */
	bool last_refresh_full;
	int online_scans; /* admits decided online since the cache file was written */
	int pending; /* offline scans waiting in the journal */
	/* The journal as far as this process has applied it to the cached
	 * scans (other processes of the same station append to it too). */
	unsigned long long journal_ino;
	long long journal_off;
	/* The last upload: scans whose line could not be uploaded were kept
	 * in rejected_path. */
	int rejected;
	char rejected_path[1300];
	/* Reconnecting by itself (gate_set_reconnect): back-off state. */
	bool reconnect;
	bool link_silent; /* the last verdict ran out of time: don't wait on reconnects */
	int backoff_ms;
	long long next_try_ms, connect_started_ms, cache_due_ms;
};

#define GATE_VERDICT_MS 1500 /* default; BOXOFFICE_VERDICT_MS overrides */

/* Opens the gate; db may be NULL or disconnected (offline from the start).
 * Online, it learns the database's identity and keeps its state under it;
 * offline, it uses the identity this connection reached last (none: an
 * empty cache, every code rejected as unknown). */
void gate_open(struct gate *g, struct db *db, const char *name, long long event_id);
void gate_close(struct gate *g);
/* Before a gate process ends: the scans it made online go into the cache
 * file (an incremental refresh within a verdict's time), so the same gate
 * started offline later knows who it let in (found by the hostile review
 * of issue 13: it admitted them again). */
void gate_keep_online_scans(struct gate *g);
/* Online: makes sure the state in use is this database's (a gate pointed
 * at another database switches to that one's state and says so in
 * g->notice). False when the database has no identity or the state folder
 * cannot be made (g->notice says why). */
bool gate_bind(struct gate *g);
/* Reads events, keys and ticket states from the database into the cache
 * file (written aside and renamed: processes of one station share it). */
bool gate_refresh_cache(struct gate *g);
/* Opens the gate on check-in lists, comma-separated names (or IDs) of
 * g->event_id's lists (event 0: the event of the first list, which all
 * must share; g->event_id is set to it). Online from the database,
 * offline from the cache. False with why in err. */
bool gate_set_lists(struct gate *g, const char *names, char *err, size_t size);
/* The names of "main, vip" (trimmed) into out: how many, or -1 with why
 * in err (an empty name, a trailing comma, one too long, one twice, more
 * than max). What gate_set_lists reads; a command checks with it first
 * to tell a usage error from a list that does not exist. */
int gate_list_names(const char *names, char (*out)[GATE_LIST_NAME_MAX], int max, char *err, size_t size);
/* A list's rules line as the cache holds it (NULL: not cached). */
const char *gate_list_rules(const struct gate *g, long long list);
/* What a live read (the screen's, on every NOTIFY) says now: an area's
 * inside and capacity replace the cached ones when nothing of this gate
 * waits for upload (its offline view starts from the last live figure,
 * never a larger capacity); true when a list's rules differ from the
 * cache's, or a list of the gate is not in it (a refresh is due). area or
 * list may be NULL. */
bool gate_live_entrances(struct gate *g, const char *area, long long inside, long long capacity, const char *list,
			 const char *rules);
/* The area of the gate's first list that counts into one, for a screen:
 * its name, the people inside and its capacity. inside is the database's
 * figure as of the last refresh (or this gate's last online verdict into
 * the area) plus what this gate journaled offline since; *approximate is
 * true when offline or when that offline count is in it (other gates'
 * scans since are not), false online with nothing journaled (the
 * database's figure, as fresh as the cache). False without such an area. */
bool gate_area_view(const struct gate *g, char *name, size_t size, long long *inside, long long *capacity,
		    bool *approximate);
/* Resolves an event ID or unique name from the cache (offline --event). */
bool gate_cached_event(const struct gate *g, const char *text, long long *id);
/* An event's name as the cache knows it ("" when it does not). */
const char *gate_event_name(const struct gate *g, long long id);
/* Uploads the journal in one transaction; returns scans uploaded, -1 on
 * failure (nothing uploaded then, the journal stays). A line that cannot
 * be uploaded is appended to g->rejected_path (g->rejected counts them)
 * before the journal is marked uploaded: no line ever vanishes. */
int gate_upload(struct gate *g, int *conflicts);

/* The readers of the gate's files, from a buffer (tests and fuzzing; the
 * gate reads its files with the same code line by line):
 * gate_cache_parse loads a cache file's text as opening the gate does (g
 * zeroed first, or a loaded gate; gate_close frees it); gate_journal_apply
 * applies a journal's complete lines to the cached scans as catching up
 * does; gate_journal_check reads a journal as gate_upload does and checks
 * each line as it would be sent: the lines read, the damaged ones counted
 * and collected in *rejected (malloc'd, *rlen bytes) as the rejected file
 * would get them. */
void gate_cache_parse(struct gate *g, const char *buf, size_t len);
void gate_journal_apply(struct gate *g, const char *buf, size_t len);
size_t gate_journal_check(const char *buf, size_t len, size_t *damaged, char **rejected, size_t *rlen);

/* For a gate that owns its connection (the CLI; the TUI reconnects on its
 * own): when the database goes away, reconnect in the background with
 * back-off (250 ms doubling to 5 s); each time it is back, upload the
 * journal, then refresh the cache. A scan waits at most GATE_SCAN_WAIT_MS
 * for a reconnect under way. */
#define GATE_SCAN_WAIT_MS 500
#define GATE_CACHE_MAX_AGE_S 60
#define GATE_REFRESH_MS 120000 /* a full load's deadline */
void gate_set_reconnect(struct gate *g, bool on);
/* Advances reconnecting without blocking, and refreshes a cache older
 * than GATE_CACHE_MAX_AGE_S when online. Returns scans uploaded just now
 * (conflicts in *conflicts), 0 if none, -1 if an upload failed. */
int gate_tick(struct gate *g, int *conflicts);
/* What to poll for gate_tick: the socket (or -1) and its events, and the
 * longest wait in ms before gate_tick is due (-1: none). */
int gate_poll(const struct gate *g, short *events, int *timeout_ms);
/* The CLI's stderr lines for an upload's outcome (uploaded, failed,
 * lines kept aside). */
void gate_report_upload(const struct gate *g, int uploaded, int conflicts);
/* Decides one scan. Never fails: a reason always says why. */
void gate_scan(struct gate *g, const char *token, struct verdict *v);
/* The same scan in steps, for a screen whose loop never waits: begin
 * verifies from the cache (GATE_DECIDED: v holds the verdict, offline ones
 * journaled already); GATE_ASK: submit the claim, then either the
 * database's answer (gate_scan_answer) or, past p->deadline_ms or on a lost
 * link, the offline decision (gate_scan_offline) with the same scan ID. */
enum gate_step { GATE_DECIDED, GATE_ASK };
struct gate_pending {
	char token[4200];
	struct ticket_claim claim;
	char scan_id[37];
	long long deadline_ms; /* monotonic */
};
enum gate_step gate_scan_begin(struct gate *g, const char *token, struct gate_pending *p, struct verdict *v);
bool gate_scan_submit(struct gate *g, const void *owner, const struct gate_pending *p,
		      void (*done)(struct db *db, json_t *answer, void *ctx), void *ctx);
void gate_scan_answer(struct gate *g, const struct gate_pending *p, json_t *answer, struct verdict *v);
void gate_scan_offline(struct gate *g, const struct gate_pending *p, struct verdict *v);

/* Undoes the ticket's check-in (a check-out with the reason, logged with
 * station and reason; db/016), on the first of the gate's lists it is
 * checked in on (db/020), online only: the result JSON, or NULL with
 * why in err (and *exit_code 1 refused / not found, 3 no database). */
json_t *gate_undo(struct gate *g, long long ticket_id, const char *reason, char *err, size_t size, int *exit_code);

/* Admits by ticket id (manual search at the gate), online only.
 * override: a supervisor's reason to admit into a full area (NULL:
 * none), recorded with the scan and in the change log. */
void gate_admit_ticket(struct gate *g, long long ticket_id, const char *override, struct verdict *v);

#endif

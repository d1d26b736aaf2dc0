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

struct db;

struct verdict {
	bool admit;
	bool offline;
	bool conflict;
	char reason[600];
	long long ticket;
	char person[201], company[201], type[101], direction[4];
};

struct gate_ticket {
	long long id, event;
	int issue, scans;
	bool valid;
};

struct gate {
	struct db *db;
	char name[64];
	char cache_path[1024], journal_path[1024];
	long long event_id; /* 0: every event */
	/* the cache: keys per event, ticket states sorted by id */
	struct {
		long long event;
		unsigned char pk[TOKEN_PUBLIC_KEY_BYTES];
	} keys[64];
	int nkeys;
	struct gate_ticket *tickets;
	size_t ntickets;
	time_t cache_at;
	int pending; /* offline scans waiting in the journal */
};

/* Opens the gate; db may be NULL or disconnected (offline from the start). */
void gate_open(struct gate *g, struct db *db, const char *name, long long event_id);
void gate_close(struct gate *g);
/* Reads keys and ticket states from the database into the cache file. */
bool gate_refresh_cache(struct gate *g);
/* Uploads the journal in one transaction; returns scans uploaded, -1 on
 * failure (nothing uploaded then). */
int gate_upload(struct gate *g, int *conflicts);
/* Decides one scan. Never fails: a reason always says why. */
void gate_scan(struct gate *g, const char *token, struct verdict *v);
/* Admits by ticket id (manual search at the gate), online only. */
void gate_admit_ticket(struct gate *g, long long ticket_id, struct verdict *v);
json_t *verdict_json(const struct verdict *v);

#endif

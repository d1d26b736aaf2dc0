/* The door's endpoint: POST /checkin with a gate's key. A scanning app
 * (a phone at the door, a turnstile) sends the token it read; serve
 * verifies it as every door does (core/token: the same reasons for a code
 * that is not ours or is forged) against the event's public key, then the
 * database decides (api_checkin → checkin_scan at the key's gate) and the
 * answer is the verdict JSON `boxoffice checkin --token` prints
 * (core/verdict). 200 for admit and reject alike: the verdict is the
 * answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/token.h"
#include "../core/verdict.h"
#include "../db/api.h"
#include "../db/db.h"
#include "../db/tickets.h"
#include "http.h"

struct door_key {
	long long event;
	unsigned char pk[TOKEN_PUBLIC_KEY_BYTES];
};

struct door_keys {
	pthread_mutex_t lock;
	struct door_key *v; /* unsorted: a server sees a few events */
	size_t n, cap;
};

/* At most this many events' keys are kept (then the oldest goes). */
#define DOOR_KEYS_MAX 4096

struct door_keys *door_keys_new(void)
{
	struct door_keys *k = calloc(1, sizeof *k);
	if (k)
		pthread_mutex_init(&k->lock, NULL);
	return k;
}

void door_keys_free(struct door_keys *k)
{
	if (!k)
		return;
	free(k->v);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

static bool door_key_find(struct door_keys *k, long long event, unsigned char pk[TOKEN_PUBLIC_KEY_BYTES])
{
	bool found = false;

	pthread_mutex_lock(&k->lock);
	for (size_t i = 0; i < k->n && !found; i++)
		if (k->v[i].event == event) {
			memcpy(pk, k->v[i].pk, TOKEN_PUBLIC_KEY_BYTES);
			found = true;
		}
	pthread_mutex_unlock(&k->lock);
	return found;
}

static void door_key_add(struct door_keys *k, long long event, const unsigned char pk[TOKEN_PUBLIC_KEY_BYTES])
{
	unsigned char had[TOKEN_PUBLIC_KEY_BYTES];

	if (door_key_find(k, event, had))
		return;
	pthread_mutex_lock(&k->lock);
	if (k->n == DOOR_KEYS_MAX)
		memmove(k->v, k->v + 1, --k->n * sizeof *k->v);
	if (k->n == k->cap) {
		size_t cap = k->cap ? 2 * k->cap : 16;
		struct door_key *v = realloc(k->v, cap * sizeof *v);
		if (!v) {
			pthread_mutex_unlock(&k->lock);
			return; /* not kept: read again next time */
		}
		k->v = v;
		k->cap = cap;
	}
	k->v[k->n].event = event;
	memcpy(k->v[k->n].pk, pk, TOKEN_PUBLIC_KEY_BYTES);
	k->n++;
	pthread_mutex_unlock(&k->lock);
}

/* A verdict the door gives without the database's word (a code that is
 * not ours, a forged one, an event without a key). */
static bool answer_reject(struct request *r, const char *reason)
{
	struct verdict v;

	memset(&v, 0, sizeof v);
	snprintf(v.reason, sizeof v.reason, "%s", reason);
	return http_json(r, 200, verdict_json(&v));
}

bool route_checkin(struct request *r, const char *tail)
{
	json_t *body, *tok, *gate;
	const char *token;
	struct ticket_claim claim;
	unsigned char pk[TOKEN_PUBLIC_KEY_BYTES];
	enum token_status st;
	struct db *db = NULL;
	json_t *answer;
	struct verdict v;

	(void)tail;
	if (!http_auth(r, "gate"))
		return true;
	if (!(body = http_body_json(r)))
		return true;
	tok = json_object_get(body, "token");
	gate = json_object_get(body, "gate");
	if (!tok || json_is_null(tok) || (json_is_string(tok) && !json_string_length(tok))) {
		json_decref(body);
		return http_error(r, 400, "which ticket? send {\"token\": the code read from the ticket}");
	}
	if (!json_is_string(tok) || json_string_length(tok) > TOKEN_MAX * 4) {
		json_decref(body);
		return http_error(r, 400, "token must be the text of a ticket's code");
	}
	if (gate && !json_is_null(gate)) {
		if (!json_is_string(gate)) {
			json_decref(body);
			return http_error(r, 400, "gate must be the gate's name");
		}
		/* a key scans at its own gate only (apikey add --gate) */
		if (strcmp(json_string_value(gate), r->key.gate) != 0) {
			http_error(r, 403, "key %s scans at gate %s, not at %s", r->key.name, r->key.gate,
				   json_string_value(gate));
			json_decref(body);
			return true;
		}
	}
	token = json_string_value(tok);

	/* as at every door: the claim names its event, whose key verifies it */
	if ((st = token_peek(token, &claim)) != TOKEN_VALID) {
		json_decref(body);
		return answer_reject(r, token_status_text(st));
	}
	if (!door_key_find(r->srv->door_keys, (long long)claim.event_id, pk)) {
		if (!(db = http_db(r))) {
			json_decref(body);
			return true;
		}
		if (!db_event_public_key(db, (long long)claim.event_id, pk)) {
			bool failed = db->status == DB_FAILED;
			if (failed)
				http_db_error(r, db);
			http_db_done(r, db);
			json_decref(body);
			return failed ? true : answer_reject(r, TOKEN_REASON_NO_KEY);
		}
		door_key_add(r->srv->door_keys, (long long)claim.event_id, pk);
	}
	if ((st = token_verify(token, pk, &claim)) != TOKEN_VALID) {
		http_db_done(r, db);
		json_decref(body);
		return answer_reject(r, token_status_text(st));
	}
	json_decref(body);

	if (!db && !(db = http_db(r)))
		return true;
	answer = db_api_checkin(db, r->key.id, (long long)claim.ticket_id, (long long)claim.event_id,
				(long long)claim.issue);
	if (!answer) {
		http_db_error(r, db);
		http_db_done(r, db);
		return true;
	}
	http_db_done(r, db);
	memset(&v, 0, sizeof v);
	verdict_from_answer(&v, answer);
	json_decref(answer);
	return http_json(r, 200, verdict_json(&v));
}

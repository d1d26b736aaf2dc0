#include "gate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/util.h"
#include "../db/db.h"
#include "../db/tickets.h"

#ifndef BOXOFFICE_VARDIR
#define BOXOFFICE_VARDIR "var"
#endif

static bool online(const struct gate *g)
{
	return g->db && g->db->state == DB_READY;
}

static int by_id(const void *a, const void *b)
{
	long long x = ((const struct gate_ticket *)a)->id, y = ((const struct gate_ticket *)b)->id;
	return x < y ? -1 : x > y;
}

static struct gate_ticket *find_ticket(struct gate *g, long long id)
{
	struct gate_ticket key = { .id = id };
	return g->ntickets ? bsearch(&key, g->tickets, g->ntickets, sizeof key, by_id) : NULL;
}

static const unsigned char *find_key(struct gate *g, long long event)
{
	for (int i = 0; i < g->nkeys; i++)
		if (g->keys[i].event == event)
			return g->keys[i].pk;
	return NULL;
}

/* Cache file: "K event pkhex" and "T id event issue valid scans" lines. */
static void load_cache(struct gate *g)
{
	FILE *f = fopen(g->cache_path, "r");
	char line[256];
	size_t cap = 0;

	g->nkeys = 0;
	g->ntickets = 0;
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		long long a, b;
		int issue, valid, scans;
		char hex[2 * TOKEN_PUBLIC_KEY_BYTES + 2];
		if (line[0] == 'K' && sscanf(line, "K %lld %65s", &a, hex) == 2 && g->nkeys < 64) {
			if (hex_decode(hex, g->keys[g->nkeys].pk, TOKEN_PUBLIC_KEY_BYTES))
				g->keys[g->nkeys++].event = a;
		} else if (line[0] == 'T' && sscanf(line, "T %lld %lld %d %d %d", &a, &b, &issue, &valid, &scans) == 5) {
			if (g->ntickets == cap)
				g->tickets = xrealloc(g->tickets, (cap = cap ? cap * 2 : 4096) * sizeof *g->tickets);
			g->tickets[g->ntickets++] = (struct gate_ticket){ a, b, issue, scans, valid != 0 };
		}
	}
	fclose(f);
	qsort(g->tickets, g->ntickets, sizeof *g->tickets, by_id);
}

static int count_journal(const struct gate *g)
{
	FILE *f = fopen(g->journal_path, "r");
	char line[1024];
	int n = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		n++;
	fclose(f);
	return n;
}

void gate_open(struct gate *g, struct db *db, const char *name, long long event_id)
{
	const char *var = getenv("BOXOFFICE_VAR");
	memset(g, 0, sizeof *g);
	g->db = db;
	g->event_id = event_id;
	snprintf(g->name, sizeof g->name, "%s", name);
	var = var && *var ? var : BOXOFFICE_VARDIR;
	mkdir(var, 0755);
	snprintf(g->cache_path, sizeof g->cache_path, "%s/gate-%s.cache", var, name);
	snprintf(g->journal_path, sizeof g->journal_path, "%s/gate-%s.journal", var, name);
	load_cache(g);
	g->pending = count_journal(g);
}

void gate_close(struct gate *g)
{
	free(g->tickets);
	g->tickets = NULL;
}

bool gate_refresh_cache(struct gate *g)
{
	char tmp[1100], ev[24];
	const char *p[1] = { ev };
	PGresult *events, *tickets;
	FILE *f;
	bool ok = true;

	if (!online(g))
		return false;
	snprintf(ev, sizeof ev, "%lld", g->event_id);
	events = db_exec(g->db, "SELECT id FROM event WHERE $1::bigint = 0 OR id = $1::bigint", 1, p);
	tickets = db_exec(g->db, "SELECT ticket_id, event_id, issue, status = 'valid' AND order_status = 'settled', scans "
				 "FROM checkin_cache WHERE $1::bigint = 0 OR event_id = $1::bigint", 1, p);
	if (!events || !tickets) {
		PQclear(events);
		PQclear(tickets);
		return false;
	}
	snprintf(tmp, sizeof tmp, "%s.tmp", g->cache_path);
	if (!(f = fopen(tmp, "w"))) {
		PQclear(events);
		PQclear(tickets);
		return false;
	}
	for (int i = 0; i < PQntuples(events); i++) {
		unsigned char pk[TOKEN_PUBLIC_KEY_BYTES];
		char hex[2 * TOKEN_PUBLIC_KEY_BYTES + 1];
		if (!db_event_public_key(g->db, db_int(events, i, 0), pk))
			continue;
		hex_encode(pk, sizeof pk, hex);
		fprintf(f, "K %lld %s\n", db_int(events, i, 0), hex);
	}
	for (int i = 0; i < PQntuples(tickets); i++)
		fprintf(f, "T %s %s %s %d %s\n", PQgetvalue(tickets, i, 0), PQgetvalue(tickets, i, 1),
			PQgetvalue(tickets, i, 2), db_bool(tickets, i, 3) ? 1 : 0, PQgetvalue(tickets, i, 4));
	PQclear(events);
	PQclear(tickets);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		ok = false;
	if (fclose(f) != 0)
		ok = false;
	if (!ok || rename(tmp, g->cache_path) != 0) {
		unlink(tmp);
		return false;
	}
	load_cache(g);
	g->cache_at = time(NULL);
	return true;
}

int gate_upload(struct gate *g, int *conflicts)
{
	FILE *f;
	char line[1024], done[1100];
	int n = 0;

	*conflicts = 0;
	if (!online(g) || !(f = fopen(g->journal_path, "r")))
		return 0;
	if (!db_begin(g->db)) {
		fclose(f);
		return -1;
	}
	while (fgets(line, sizeof line, f)) {
		json_t *j = json_loads(line, 0, NULL), *r;
		char t[24], e[24], i[24];
		const char *p[7] = { t, e, i, json_string_value(json_object_get(j, "gate")),
				     json_string_value(json_object_get(j, "at")),
				     json_string_value(json_object_get(j, "token")), "admit" };
		PGresult *res;
		if (!j)
			continue; /* a torn last line from a crash: the scan never showed */
		snprintf(t, sizeof t, "%lld", (long long)json_integer_value(json_object_get(j, "ticket")));
		snprintf(e, sizeof e, "%lld", (long long)json_integer_value(json_object_get(j, "event")));
		snprintf(i, sizeof i, "%lld", (long long)json_integer_value(json_object_get(j, "issue")));
		res = db_exec(g->db, "SELECT checkin_upload($1, $2, $3, $4, $5::timestamptz, $6, $7)", 7, p);
		json_decref(j);
		if (!res) {
			fclose(f);
			db_rollback(g->db);
			return -1;
		}
		r = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
		*conflicts += json_is_true(json_object_get(r, "conflict"));
		json_decref(r);
		PQclear(res);
		n++;
	}
	fclose(f);
	if (!db_commit(g->db))
		return -1;
	/* Kept, renamed: uploaded scans are history, not garbage. */
	snprintf(done, sizeof done, "%s.uploaded-%ld", g->journal_path, (long)time(NULL));
	rename(g->journal_path, done);
	g->pending = 0;
	return n;
}

static void from_result(struct verdict *v, json_t *r)
{
	const char *s;
	s = json_string_value(json_object_get(r, "verdict"));
	v->admit = s && strcmp(s, "admit") == 0;
	v->ticket = (long long)json_integer_value(json_object_get(r, "ticket"));
	snprintf(v->reason, sizeof v->reason, "%s", (s = json_string_value(json_object_get(r, "reason"))) ? s : "");
	snprintf(v->person, sizeof v->person, "%s", (s = json_string_value(json_object_get(r, "person"))) ? s : "");
	snprintf(v->company, sizeof v->company, "%s", (s = json_string_value(json_object_get(r, "company"))) ? s : "");
	snprintf(v->type, sizeof v->type, "%s", (s = json_string_value(json_object_get(r, "type"))) ? s : "");
	snprintf(v->direction, sizeof v->direction, "%s", (s = json_string_value(json_object_get(r, "direction"))) ? s : "");
}

static void reject(struct verdict *v, const char *fmt, const char *arg)
{
	v->admit = false;
	snprintf(v->reason, sizeof v->reason, fmt, arg);
}

/* The offline decision, journaled (fsync) before it is returned. */
static void scan_offline(struct gate *g, const char *token, const struct ticket_claim *c, struct verdict *v)
{
	struct gate_ticket *t = find_ticket(g, (long long)c->ticket_id);
	char at[40], line[1024];
	time_t now = time(NULL);
	struct tm tm;
	int fd;

	v->offline = true;
	v->ticket = (long long)c->ticket_id;
	if (!t || t->event != (long long)c->event_id)
		return reject(v, "%s", "unknown code (offline cache)");
	if (!t->valid)
		return reject(v, "%s", "cancelled or refunded");
	if (t->issue != (int)c->issue)
		return reject(v, "%s", "reissued (old QR)");
	if (t->scans % 2 == 1)
		return reject(v, "%s", "already checked in (seen by this gate's cache)");
	gmtime_r(&now, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(line, sizeof line,
		 "{\"token\":\"%s\",\"ticket\":%lld,\"event\":%lld,\"issue\":%u,\"gate\":\"%s\",\"at\":\"%s\"}\n",
		 token, (long long)c->ticket_id, (long long)c->event_id, c->issue, g->name, at);
	fd = open(g->journal_path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (fd < 0 || write(fd, line, strlen(line)) != (ssize_t)strlen(line) || fsync(fd) != 0) {
		if (fd >= 0)
			close(fd);
		return reject(v, "cannot write the journal: %s (not admitted)", strerror(errno));
	}
	close(fd);
	t->scans++;
	g->pending++;
	v->admit = true;
	snprintf(v->direction, sizeof v->direction, "in");
	snprintf(v->reason, sizeof v->reason, "offline");
}

void gate_scan(struct gate *g, const char *token, struct verdict *v)
{
	struct ticket_claim c;
	unsigned char pk[TOKEN_PUBLIC_KEY_BYTES];
	const unsigned char *key;
	enum token_status st;

	memset(v, 0, sizeof *v);
	if ((st = token_peek(token, &c)) != TOKEN_VALID)
		return reject(v, "%s", token_status_text(st));
	if (g->event_id && (long long)c.event_id != g->event_id)
		return reject(v, "%s", "other event");
	/* An event's key never changes: once known, it is kept. */
	key = find_key(g, (long long)c.event_id);
	if (!key && online(g)) {
		if (db_event_public_key(g->db, (long long)c.event_id, pk)) {
			key = pk;
			if (g->nkeys < 64) {
				g->keys[g->nkeys].event = (long long)c.event_id;
				memcpy(g->keys[g->nkeys++].pk, pk, sizeof pk);
			}
		} else if (g->db->status == DB_BADINPUT) {
			return reject(v, "%s", "unknown code (no such event)");
		}
	}
	if (!key)
		return reject(v, "%s", "unknown event (no key cached for it)");
	if ((st = token_verify(token, key, &c)) != TOKEN_VALID)
		return reject(v, "%s", token_status_text(st));
	if (online(g)) {
		char t[24], e[24], i[24];
		const char *p[4] = { t, e, i, g->name };
		PGresult *res;
		snprintf(t, sizeof t, "%llu", (unsigned long long)c.ticket_id);
		snprintf(e, sizeof e, "%llu", (unsigned long long)c.event_id);
		snprintf(i, sizeof i, "%u", c.issue);
		res = db_exec(g->db, "SELECT checkin_scan($1, $2, $3, $4, NULL, false)", 4, p);
		if (res) {
			json_t *r = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
			PQclear(res);
			from_result(v, r);
			json_decref(r);
			/* keep the offline cache current with what this gate saw */
			{
				struct gate_ticket *gt = find_ticket(g, (long long)c.ticket_id);
				if (gt && v->admit)
					gt->scans++;
			}
			return;
		}
		if (g->db->state == DB_READY) /* a refusal, not a lost connection */
			return reject(v, "database refused the scan: %s", g->db->err);
	}
	scan_offline(g, token, &c, v);
}

void gate_admit_ticket(struct gate *g, long long ticket_id, struct verdict *v)
{
	PGresult *res;
	char t[24];
	const char *p[1] = { t };

	memset(v, 0, sizeof *v);
	v->ticket = ticket_id;
	if (!online(g))
		return reject(v, "%s", "manual admit needs the database (offline)");
	snprintf(t, sizeof t, "%lld", ticket_id);
	res = db_exec(g->db, "SELECT k.event_id, k.issue FROM ticket k WHERE k.id = $1", 1, p);
	if (!res || PQntuples(res) == 0) {
		PQclear(res);
		return reject(v, "%s", "unknown ticket");
	}
	{
		const char *q[4] = { t, PQgetvalue(res, 0, 0), PQgetvalue(res, 0, 1), g->name };
		PGresult *r = db_exec(g->db, "SELECT checkin_scan($1, $2, $3, $4, NULL, false)", 4, q);
		PQclear(res);
		if (!r)
			return reject(v, "database: %s", g->db->err);
		json_t *j = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
		PQclear(r);
		from_result(v, j);
		json_decref(j);
	}
}

json_t *verdict_json(const struct verdict *v)
{
	json_t *j = json_pack("{ss ss sI}", "verdict", v->admit ? "admit" : "reject", "reason", v->reason,
			      "ticket", (json_int_t)v->ticket);
	json_object_set_new(j, "person", v->person[0] ? json_string(v->person) : json_null());
	if (v->type[0])
		json_object_set_new(j, "type", json_string(v->type));
	if (v->company[0])
		json_object_set_new(j, "company", json_string(v->company));
	if (v->offline)
		json_object_set_new(j, "offline", json_true());
	return j;
}

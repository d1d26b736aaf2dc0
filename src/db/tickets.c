#include "tickets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"

/* Gates read public keys only; the secret one leaves the database only
 * through event_signing_key (db/026), which only clerks may call. */
static const char SQL_PUBLIC_KEY[] = "SELECT encode(public_key, 'hex') FROM event_key WHERE event_id = $1";
static const char SQL_SIGNING_KEY[] =
	"SELECT public_key, secret_key FROM event_signing_key($1, $2, $3) WHERE public_key IS NOT NULL";

/* The key pair (sk) or the public key alone (sk NULL). pkh/skh: a new
 * pair, stored when the event has none yet (NULL: only look). */
static bool read_keys(struct db *db, const char *ev, unsigned char *pk, unsigned char *sk, const char *pkh,
		      const char *skh, bool *found)
{
	const char *p[3] = { ev, pkh, skh };
	PGresult *res = sk ? db_exec(db, SQL_SIGNING_KEY, 3, p) : db_exec(db, SQL_PUBLIC_KEY, 1, p);
	bool ok = res != NULL;

	*found = false;
	if (ok && PQntuples(res) == 1) {
		*found = true;
		ok = hex_decode(PQgetvalue(res, 0, 0), pk, TOKEN_PUBLIC_KEY_BYTES) &&
		     (!sk || hex_decode(PQgetvalue(res, 0, 1), sk, TOKEN_SECRET_KEY_BYTES));
		if (!ok)
			db_set_error(db, DB_FAILED, "the event's key is damaged");
	}
	PQclear(res);
	return ok;
}

bool db_event_keys(struct db *db, long long event_id, unsigned char pk[TOKEN_PUBLIC_KEY_BYTES],
		   unsigned char sk[TOKEN_SECRET_KEY_BYTES])
{
	char ev[24], pkh[2 * TOKEN_PUBLIC_KEY_BYTES + 1], skh[2 * TOKEN_SECRET_KEY_BYTES + 1];
	bool found, ok;

	snprintf(ev, sizeof ev, "%lld", event_id);
	/* The pair this event gets if it has none yet (its first token); two
	 * stations racing here both get the first one's. */
	if (!token_keypair(pk, sk)) {
		db_set_error(db, DB_FAILED, "libsodium did not start");
		return false;
	}
	hex_encode(pk, TOKEN_PUBLIC_KEY_BYTES, pkh);
	hex_encode(sk, TOKEN_SECRET_KEY_BYTES, skh);
	ok = read_keys(db, ev, pk, sk, pkh, skh, &found);
	memset(skh, 0, sizeof skh);
	if (ok && !found)
		db_set_error(db, DB_BADINPUT, "event %lld does not exist", event_id);
	return ok && found;
}

bool db_event_public_key(struct db *db, long long event_id, unsigned char pk[TOKEN_PUBLIC_KEY_BYTES])
{
	char ev[24];
	bool found;

	/* Only a lookup: verifying a token (or garbage naming an event) must
	 * never mint the event's key pair; only making a token does. */
	snprintf(ev, sizeof ev, "%lld", event_id);
	if (!read_keys(db, ev, pk, NULL, NULL, NULL, &found))
		return false;
	if (!found)
		db_set_error(db, DB_REFUSED, "event %lld has no signing key (no ticket token was made for it)",
			     event_id);
	return found;
}

#define TICKET_SELECT_WITH(email)                                                           \
	"SELECT k.id, k.event_id, k.type_id, t.name, k.issue, k.status, k.order_id, k.serial, " \
	"k.person_id, coalesce(p.name, ''), " email ", coalesce(p.company, ''), "               \
	"e.name, o.status, k.scans "                                                            \
	"FROM ticket k JOIN ticket_type t ON t.id = k.type_id JOIN event e ON e.id = k.event_id " \
	"JOIN ticket_order o ON o.id = k.order_id LEFT JOIN person p ON p.id = k.person_id "
#define TICKET_SELECT TICKET_SELECT_WITH("coalesce(p.email, '')")
/* A gate reads holders' names and companies, never their e-mails
 * (db/026's column grants): the same columns, the e-mail empty. */
#define TICKET_SELECT_DOOR TICKET_SELECT_WITH("''")

PGresult *db_tickets_of_order(struct db *db, long long order_id)
{
	return db_exec_id(db, TICKET_SELECT "WHERE k.order_id = $1 ORDER BY k.id", order_id);
}

bool db_tickets_of_order_submit(struct db *db, const void *owner, long long order_id, db_rows_fn done, void *ctx)
{
	char id[24];
	const char *p[1] = { id };
	snprintf(id, sizeof id, "%lld", order_id);
	return db_rows_submit(db, owner, TICKET_SELECT "WHERE k.order_id = $1 ORDER BY k.id", 1, p, done, ctx);
}

PGresult *db_ticket_get(struct db *db, long long ticket_id)
{
	return db_exec_id(db, TICKET_SELECT "WHERE k.id = $1", ticket_id);
}

PGresult *db_door_ticket_get(struct db *db, long long ticket_id)
{
	return db_exec_id(db, TICKET_SELECT_DOOR "WHERE k.id = $1", ticket_id);
}

static const char SQL_PERSON_SEARCH[] =
	"SELECT p.id, p.name, p.email, p.company, "
	"(SELECT count(*) FROM ticket k WHERE k.person_id = p.id AND k.status = 'valid') "
	"FROM person p WHERE p.event_id = $1 AND (p.name ILIKE $2 OR p.email ILIKE $2) "
	"ORDER BY lower(p.name), p.id LIMIT $3";

/* The same among an event organization's persons ($4): those holding a
 * valid ticket of its live orders (placed on its behalf, or naming it as
 * company unlinked: the organizations list's rule), and those whose
 * company it is. */
static const char SQL_PERSON_SEARCH_ORG[] =
	"SELECT p.id, p.name, p.email, p.company, "
	"(SELECT count(*) FROM ticket k WHERE k.person_id = p.id AND k.status = 'valid') "
	"FROM person p JOIN event_organization e ON e.id = $4::bigint AND e.event_id = p.event_id "
	"JOIN organization g ON g.id = e.organization_id "
	"WHERE p.event_id = $1 AND (p.name ILIKE $2 OR p.email ILIKE $2) "
	"AND (p.organization_id = e.organization_id OR EXISTS (SELECT 1 FROM ticket k "
	"  JOIN ticket_order o ON o.id = k.order_id WHERE k.person_id = p.id AND k.status = 'valid' "
	"  AND o.status NOT IN ('cancelled', 'refunded') AND (o.event_org_id = e.id "
	"  OR (o.event_org_id IS NULL AND lower(btrim(o.company)) = lower(btrim(g.name)))))) "
	"ORDER BY lower(p.name), p.id LIMIT $3";

/* The door's find (F3 at check-in) in one read: the first $3 persons
 * whose name or `also` contains $2, each with its valid tickets (a person
 * with none comes once, ticket NULL), and how many persons were found. */
#define DOOR_FIND(also)                                                                          \
	"WITH pp AS (SELECT p.id, p.name, coalesce(p." also ", '') AS also FROM person p "      \
	"  WHERE p.event_id = $1 AND (p.name ILIKE $2 OR p." also " ILIKE $2) "                 \
	"  ORDER BY lower(p.name), p.id LIMIT $3) "                                               \
	"SELECT k.id, t.name, k.scans, pp.name, pp.also, (SELECT count(*) FROM pp) FROM pp "     \
	"LEFT JOIN ticket k ON k.person_id = pp.id AND k.status = 'valid' "                      \
	"LEFT JOIN ticket_type t ON t.id = k.type_id ORDER BY lower(pp.name), pp.id, k.id"
/* A clerk finds by name or e-mail; a gate by name or company, never
 * reading an e-mail (db/026's column grants). */
static const char SQL_DOOR_FIND_EMAIL[] = DOOR_FIND("email");
static const char SQL_DOOR_FIND_COMPANY[] = DOOR_FIND("company");

struct search_params {
	/* room for a search field's 200 characters of 4 bytes, each one
	 * escaped */
	char ev[24], lim[16], pattern[2048];
	const char *p[3];
};

static void search_params(struct search_params *sp, long long event_id, const char *text, int limit)
{
	char *pattern = sp->pattern;
	size_t o = 0;

	snprintf(sp->ev, sizeof sp->ev, "%lld", event_id);
	snprintf(sp->lim, sizeof sp->lim, "%d", limit);
	sp->p[0] = sp->ev;
	sp->p[1] = sp->pattern;
	sp->p[2] = sp->lim;
	/* contains, with LIKE's wildcards escaped; a text longer still is
	 * cut between characters: a cut inside one is not UTF-8, and the
	 * database refused the search (140 characters of "€" or 山) */
	pattern[o++] = '%';
	for (const char *s = text ? text : ""; *s;) {
		size_t n = (size_t)utf8_prefix_chars(s, 1);
		bool wild = *s == '%' || *s == '_' || *s == '\\';
		if (o + wild + n + 2 > sizeof sp->pattern)
			break;
		if (wild)
			pattern[o++] = '\\';
		memcpy(pattern + o, s, n);
		o += n;
		s += n;
	}
	pattern[o++] = '%';
	pattern[o] = '\0';
}

bool db_door_find_submit(struct db *db, const void *owner, long long event_id, const char *text, bool emails,
			 int people, db_rows_fn done, void *ctx)
{
	struct search_params sp;
	search_params(&sp, event_id, text, people);
	return db_rows_submit(db, owner, emails ? SQL_DOOR_FIND_EMAIL : SQL_DOOR_FIND_COMPANY, 3, sp.p, done, ctx);
}

bool db_person_search_submit(struct db *db, const void *owner, long long event_id, const char *text, int limit,
			     db_rows_fn done, void *ctx)
{
	struct search_params sp;
	search_params(&sp, event_id, text, limit);
	return db_rows_submit(db, owner, SQL_PERSON_SEARCH, 3, sp.p, done, ctx);
}

bool db_org_person_search_submit(struct db *db, const void *owner, long long event_id, long long event_org_id,
				 const char *text, int limit, db_rows_fn done, void *ctx)
{
	struct search_params sp;
	char org[24];
	const char *p[4];

	search_params(&sp, event_id, text, limit);
	snprintf(org, sizeof org, "%lld", event_org_id);
	memcpy(p, sp.p, sizeof sp.p);
	p[3] = org;
	return db_rows_submit(db, owner, SQL_PERSON_SEARCH_ORG, 4, p, done, ctx);
}

static bool parse_person_tickets(struct db *db, const PGresult *res, void *dst)
{
	struct person_tickets *out = dst;
	(void)db;
	for (int i = 0; i < PQntuples(res) && out->count < PERSON_TICKETS_MAX; i++) {
		struct person_ticket *t = &out->tickets[out->count++];
		t->id = db_int(res, i, TK_ID);
		t->event_id = db_int(res, i, TK_EVENT);
		t->type_id = db_int(res, i, TK_TYPE_ID);
		t->issue = db_int(res, i, TK_ISSUE);
		snprintf(t->type, sizeof t->type, "%s", db_text(res, i, TK_TYPE));
		snprintf(t->status, sizeof t->status, "%s", db_text(res, i, TK_STATUS));
		snprintf(t->order_status, sizeof t->order_status, "%s", db_text(res, i, TK_ORDER_STATUS));
	}
	return true;
}

static bool parse_person_scans(struct db *db, const PGresult *res, void *dst)
{
	struct person_tickets *out = dst;
	(void)db;
	for (int i = 0; i < PQntuples(res); i++)
		for (int k = 0; k < out->count; k++)
			if (out->tickets[k].id == db_int(res, i, 0)) {
				out->tickets[k].scans = db_int(res, i, 1);
				snprintf(out->tickets[k].last_scan, sizeof out->tickets[k].last_scan, "%s",
					 db_text(res, i, 2));
			}
	return true;
}

static bool parse_person_key(struct db *db, const PGresult *res, void *dst)
{
	struct person_tickets *out = dst;
	unsigned char pk[TOKEN_PUBLIC_KEY_BYTES];

	if (PQntuples(res) != 1)
		return true; /* no tickets, so no key */
	if (!hex_decode(PQgetvalue(res, 0, 0), pk, TOKEN_PUBLIC_KEY_BYTES) ||
	    !hex_decode(PQgetvalue(res, 0, 1), out->sk, TOKEN_SECRET_KEY_BYTES)) {
		db_set_error(db, DB_FAILED, "the event's key is damaged");
		return false;
	}
	out->have_key = true;
	return true;
}

static bool mint_person_tokens(struct db *db, void *o)
{
	struct person_tickets *out = o;
	bool ok = true;

	for (int i = 0; i < out->count && out->have_key; i++) {
		struct person_ticket *t = &out->tickets[i];
		struct ticket_claim c = { .event_id = (uint64_t)t->event_id, .ticket_id = (uint64_t)t->id,
					  .type_id = (uint64_t)t->type_id, .issue = (uint32_t)t->issue };
		if (!token_mint(&c, out->sk, t->token, sizeof t->token))
			t->token[0] = '\0';
	}
	if (out->count > 0 && !out->have_key) {
		db_set_error(db, DB_FAILED, "the event has no key");
		ok = false;
	}
	memset(out->sk, 0, sizeof out->sk);
	out->have_key = false;
	return ok;
}

/* The tickets, their scans, and the event's key (made here on first use,
 * as db_event_keys does; only when the person holds a ticket). */
static struct db_read *person_tickets_read(struct db *db, long long person_id)
{
	struct db_read *r = db_read_new(sizeof(struct person_tickets));
	struct person_tickets *out = db_read_out(r);
	unsigned char pk[TOKEN_PUBLIC_KEY_BYTES], sk[TOKEN_SECRET_KEY_BYTES];
	char id[24], pkh[2 * TOKEN_PUBLIC_KEY_BYTES + 1], skh[2 * TOKEN_SECRET_KEY_BYTES + 1];
	const char *p[3] = { id, pkh, skh };

	snprintf(id, sizeof id, "%lld", person_id);
	db_read_add(r, TICKET_SELECT "WHERE k.person_id = $1 ORDER BY k.id", 1, p, parse_person_tickets, out);
	/* the last scan by its time (then id), never by its text: an undo and
	 * an admit in one minute differ only in "in"/"out" */
	db_read_add(r, "SELECT k.id, count(c.id), coalesce((array_agg(to_char(c.at, 'YYYY-MM-DD HH24:MI') || ' ' || "
		       "c.direction || ' at ' || c.gate ORDER BY c.at DESC, c.id DESC))[1], '') "
		       "FROM ticket k LEFT JOIN checkin c ON c.ticket_id = k.id WHERE k.person_id = $1 GROUP BY k.id",
		    1, p, parse_person_scans, out);
	if (token_keypair(pk, sk)) {
		hex_encode(pk, TOKEN_PUBLIC_KEY_BYTES, pkh);
		hex_encode(sk, TOKEN_SECRET_KEY_BYTES, skh);
		/* a key is made only for an event this person holds a ticket of */
		db_read_add(r, "SELECT public_key, secret_key FROM event_signing_key("
			       "(SELECT p.event_id FROM person p WHERE p.id = $1 "
			       "AND EXISTS (SELECT 1 FROM ticket t WHERE t.person_id = p.id)), $2, $3) "
			       "WHERE public_key IS NOT NULL",
			    3, p, parse_person_key, out);
		memset(sk, 0, sizeof sk);
		memset(skh, 0, sizeof skh);
	} else {
		db_set_error(db, DB_FAILED, "libsodium did not start");
	}
	db_read_on_finish(r, mint_person_tokens);
	return r;
}

bool db_person_tickets_read(struct db *db, long long person_id, struct person_tickets *out)
{
	return db_read_run(db, person_tickets_read(db, person_id), out);
}

static void person_tickets_deliver(struct db *db, void (*done)(void), const void *out, void *ctx)
{
	((person_tickets_fn)done)(db, out, ctx);
}

bool db_person_tickets_submit(struct db *db, const void *owner, long long person_id, person_tickets_fn done,
			      void *ctx)
{
	return db_read_submit(db, owner, person_tickets_read(db, person_id), person_tickets_deliver,
			      (void (*)(void))done, ctx);
}

bool db_claim_token(struct db *db, const struct ticket_claim *c, char *out, size_t size)
{
	unsigned char pk[TOKEN_PUBLIC_KEY_BYTES], sk[TOKEN_SECRET_KEY_BYTES];
	bool ok = db_event_keys(db, (long long)c->event_id, pk, sk) && token_mint(c, sk, out, size);
	memset(sk, 0, sizeof sk);
	return ok;
}

bool db_ticket_token(struct db *db, const PGresult *res, int row, char *out, size_t size)
{
	struct ticket_claim c = {
		.event_id = (uint64_t)db_int(res, row, TK_EVENT),
		.ticket_id = (uint64_t)db_int(res, row, TK_ID),
		.type_id = (uint64_t)db_int(res, row, TK_TYPE_ID),
		.issue = (uint32_t)db_int(res, row, TK_ISSUE),
	};
	return db_claim_token(db, &c, out, size);
}

json_t *db_ticket_assign(struct db *db, long long ticket_id, const char *name, const char *email,
			 const char *company, const char *reason, unsigned flags)
{
	char id[24];
	const char *p[7] = { id, name, email, company, reason, flags & ASSIGN_REASSIGN ? "true" : "false",
			     flags & ASSIGN_RENAME ? "true" : "false" };
	snprintf(id, sizeof id, "%lld", ticket_id);
	return db_json(db, "SELECT ticket_assign($1, $2, $3, $4, $5, $6, $7)", 7, p);
}

bool db_ticket_assign_submit(struct db *db, const void *owner, long long ticket_id, const char *name,
			     const char *email, const char *company, const char *reason, unsigned flags,
			     db_json_fn done, void *ctx)
{
	char id[24];
	const char *p[7] = { id, name, email, company, reason, flags & ASSIGN_REASSIGN ? "true" : "false",
			     flags & ASSIGN_RENAME ? "true" : "false" };
	snprintf(id, sizeof id, "%lld", ticket_id);
	return db_json_submit(db, owner, "SELECT ticket_assign($1, $2, $3, $4, $5, $6, $7)", 7, p, done, ctx);
}

/* The reasons ticket_assign_try() gives for BX041 and BX040
 * (db/007_assignment.sql). */
unsigned db_ticket_assign_needs(const struct db *db)
{
	if (db->status != DB_REFUSED)
		return 0;
	if (strstr(db->err, "moving it must be asked for"))
		return ASSIGN_REASSIGN;
	if (strstr(db->err, "renaming must be confirmed"))
		return ASSIGN_RENAME;
	return 0;
}

json_t *db_ticket_assign_rows(struct db *db, long long order_id, const json_t *rows, const char *reason,
			      bool rename)
{
	char id[24], *text = json_dumps(rows, JSON_COMPACT);
	const char *p[4] = { id, text, reason, rename ? "true" : "false" };
	PGresult *res;
	json_t *out;

	if (!text) {
		db_set_error(db, DB_FAILED, "out of memory");
		return NULL;
	}
	snprintf(id, sizeof id, "%lld", order_id);
	res = db_exec(db, "SELECT r FROM ticket_assign_rows($1, $2::jsonb, $3, $4) r", 4, p);
	free(text);
	if (!res)
		return NULL;
	out = json_array();
	for (int i = 0; i < PQntuples(res); i++) {
		json_t *r = json_loads(PQgetvalue(res, i, 0), 0, NULL);
		json_array_append_new(out, r ? r : json_pack("{ss}", "error", "unreadable answer"));
	}
	PQclear(res);
	return out;
}

/* One text and one parameter builder for the CLI's and the screens'
 * reissue, so the two cannot drift apart. */
static const char SQL_TICKET_REISSUE[] = "SELECT ticket_reissue($1, $2, $3, $4::integer)";

struct reissue_params {
	char id[24], issue[16];
	const char *p[4];
};

/* seen_issue 0 passes NULL: ticket_reissue() then does not check the issue
 * (db/076_reissue_seen_issue.sql). */
static void reissue_params(struct reissue_params *r, long long ticket_id, bool unassign, const char *reason,
			   int seen_issue)
{
	snprintf(r->id, sizeof r->id, "%lld", ticket_id);
	snprintf(r->issue, sizeof r->issue, "%d", seen_issue);
	r->p[0] = r->id;
	r->p[1] = unassign ? "true" : "false";
	r->p[2] = reason;
	r->p[3] = seen_issue > 0 ? r->issue : NULL;
}

json_t *db_ticket_reissue(struct db *db, long long ticket_id, bool unassign, const char *reason)
{
	struct reissue_params r;
	reissue_params(&r, ticket_id, unassign, reason, 0);
	return db_json(db, SQL_TICKET_REISSUE, 4, r.p);
}

bool db_ticket_reissue_submit(struct db *db, const void *owner, long long ticket_id, bool unassign,
			      const char *reason, int seen_issue, db_json_fn done, void *ctx)
{
	struct reissue_params r;
	reissue_params(&r, ticket_id, unassign, reason, seen_issue);
	return db_json_submit(db, owner, SQL_TICKET_REISSUE, 4, r.p, done, ctx);
}

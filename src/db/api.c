#include "api.h"

#include <stdio.h>
#include <string.h>

#include "../core/token.h"

#define ID_TEXT(buf, v) (snprintf((buf), sizeof(buf), "%lld", (long long)(v)), (buf))

json_t *db_apikey_add(struct db *db, const char *name, const char *channel, const char *app,
		      long long person_id, const char *gate, long long rate_per_minute,
		      const unsigned char hash[32])
{
	char person[24], rate[24], hex[65];
	const char *p[7] = { name, channel, app, NULL, gate, NULL, NULL };

	hex_encode(hash, 32, hex);
	if (person_id > 0)
		p[3] = ID_TEXT(person, person_id);
	if (rate_per_minute >= 0)
		p[5] = ID_TEXT(rate, rate_per_minute);
	p[6] = hex;
	return db_json(db,
		       "SELECT apikey_add($1, $2::sales_channel, $3, $4::bigint, $5, $6::integer, "
		       "decode($7, 'hex'))",
		       7, p);
}

json_t *db_apikey_list(struct db *db)
{
	return db_json(db, "SELECT apikey_list()", 0, NULL);
}

json_t *db_apikey_revoke(struct db *db, const char *id_or_name)
{
	const char *p[1] = { id_or_name };
	return db_json(db, "SELECT apikey_revoke($1)", 1, p);
}

json_t *db_api_key_get(struct db *db, long long id)
{
	char idt[24];
	const char *p[1] = { ID_TEXT(idt, id) };
	return db_json_or_null(db, "SELECT api_key_get($1::bigint)", 1, p);
}

json_t *db_platform_secret_set(struct db *db, const char *platform, const char *secret)
{
	const char *p[2] = { platform, secret };
	return db_json(db, "SELECT platform_secret_set($1, $2)", 2, p);
}

bool db_platform_secret_get(struct db *db, const char *platform, char *out, size_t size)
{
	const char *p[1] = { platform };
	return db_text_cell(db, "SELECT platform_secret_get($1)", 1, p, out, size);
}

json_t *db_api_adjust(struct db *db, long long key_id, const char *body_json, const char *idem)
{
	char key[24];
	const char *p[3] = { ID_TEXT(key, key_id), body_json, idem };
	return db_json(db, "SELECT api_adjust($1::bigint, $2::jsonb, $3)", 3, p);
}

json_t *db_api_order(struct db *db, long long key_id, const char *body_json, const char *idem,
		     int pay_within_seconds)
{
	char key[24], within[24];
	const char *p[4] = { key_id > 0 ? ID_TEXT(key, key_id) : NULL, body_json, idem,
			     ID_TEXT(within, pay_within_seconds) };
	return db_json(db, "SELECT api_order($1::bigint, $2::jsonb, $3, $4::integer)", 4, p);
}

json_t *db_api_payment_confirmed(struct db *db, const char *provider, const char *event_id,
				 long long order_id, const char *ref)
{
	char order[24];
	const char *p[4] = { provider, event_id, ID_TEXT(order, order_id), ref };
	return db_json(db, "SELECT api_payment_confirmed($1, $2, $3::bigint, $4)", 4, p);
}

json_t *db_api_payment_expired(struct db *db, const char *provider, const char *event_id, long long order_id)
{
	char order[24];
	const char *p[3] = { provider, event_id, ID_TEXT(order, order_id) };
	return db_json(db, "SELECT api_payment_expired($1, $2, $3::bigint)", 3, p);
}

int db_order_payment_expire(struct db *db)
{
	PGresult *res = db_exec(db, "SELECT order_payment_expire()", 0, NULL);
	int n;

	if (!res)
		return -1;
	n = (int)db_int(res, 0, 0);
	PQclear(res);
	return n;
}

json_t *db_api_availability(struct db *db, long long event_id, long long type_id)
{
	char ev[24], ty[24];
	const char *p[2] = { ID_TEXT(ev, event_id), type_id > 0 ? ID_TEXT(ty, type_id) : NULL };
	return db_json(db, "SELECT api_availability($1::bigint, $2::bigint)", 2, p);
}

json_t *db_api_public_event(struct db *db, long long event_id)
{
	char ev[24];
	const char *p[1] = { ID_TEXT(ev, event_id) };
	return db_json_or_null(db, "SELECT api_public_event($1::bigint)", 1, p);
}

json_t *db_api_checkin(struct db *db, long long key_id, long long ticket, long long event, long long issue)
{
	char k[24], t[24], e[24], i[24];
	const char *p[4] = { ID_TEXT(k, key_id), ID_TEXT(t, ticket), ID_TEXT(e, event), ID_TEXT(i, issue) };
	return db_json(db, "SELECT api_checkin($1::bigint, $2::bigint, $3::bigint, $4::integer)", 4, p);
}

json_t *db_api_person_tickets(struct db *db, long long key_id, long long person_id)
{
	char k[24], pe[24];
	const char *p[2] = { key_id > 0 ? ID_TEXT(k, key_id) : NULL, ID_TEXT(pe, person_id) };
	return db_json(db, "SELECT api_person_tickets($1::bigint, $2::bigint)", 2, p);
}

bool db_link_secret(struct db *db, char *out, size_t size)
{
	if (db_text_cell(db, "SELECT link_secret()", 0, NULL, out, size))
		return true;
	if (db->status == DB_OK)
		db_set_error(db, DB_FAILED, "the database has no link secret (run boxoffice migrate)");
	return false;
}

/* The HTTP API's calls (db/030_serve.sql): keys, channel adjustments,
 * orders from the public page and other channels, payment confirmations,
 * the door's and the participant's calls. One SQL function each, one
 * transaction each; answers are the functions' JSON documents (NULL with
 * db->err, db->sqlstate and db->status set). */
#ifndef BOXOFFICE_DB_API_H
#define BOXOFFICE_DB_API_H

#include <jansson.h>

#include "db.h"

/* Keys (a supervisor's): hash is the 32-byte BLAKE2b of the secret. */
json_t *db_apikey_add(struct db *db, const char *name, const char *channel, const char *app,
		      long long person_id, const char *gate, long long rate_per_minute,
		      const unsigned char hash[32]);
json_t *db_apikey_list(struct db *db);
json_t *db_apikey_revoke(struct db *db, const char *id_or_name);
/* serve's view of one key: {"id","name","channel","app","person","gate",
 * "rate_per_minute","revoked_at","hash":hex}; JSON null when unknown. */
json_t *db_api_key_get(struct db *db, long long id);

/* The secret into out; false when none is set (db->status DB_OK) or on error. */
bool db_platform_secret_get(struct db *db, const char *platform, char *out, size_t size);

/* The key of participants' signed links; false on error. */
bool db_link_secret(struct db *db, char *out, size_t size);

/* key_id 0: the public ticket page. idem: NULL or the idempotency key. */
json_t *db_api_adjust(struct db *db, long long key_id, const char *body_json, const char *idem);
json_t *db_api_order(struct db *db, long long key_id, const char *body_json, const char *idem,
		     int pay_within_seconds);
json_t *db_api_payment_confirmed(struct db *db, const char *provider, const char *event_id,
				 long long order_id, const char *ref);
/* The provider will never pay this order (a checkout that expired): it is
 * cancelled now (db/032), once per provider event. */
json_t *db_api_payment_expired(struct db *db, const char *provider, const char *event_id, long long order_id);
/* Cancels card orders past their pay_by; the number, -1 on error. */
int db_order_payment_expire(struct db *db);
json_t *db_api_availability(struct db *db, long long event_id, long long type_id);
json_t *db_api_public_event(struct db *db, long long event_id);
json_t *db_api_checkin(struct db *db, long long key_id, long long ticket, long long event, long long issue);
json_t *db_api_person_tickets(struct db *db, long long key_id, long long person_id);

#endif

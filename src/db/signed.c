/* Signed calls of recipe platforms: one SQL function, one transaction. */
#include "signed.h"

json_t *db_api_signed_adjust(struct db *db, const char *platform, const char *body_json, const char *idem)
{
	const char *p[3] = { platform, body_json, idem };
	return db_json(db, "SELECT api_signed_adjust($1, $2::jsonb, $3)", 3, p);
}

json_t *db_api_signed_adjust_once(struct db *db, const char *platform, const char *body_json, const char *idem,
				  const char *delivery)
{
	const char *p[4] = { platform, body_json, idem, delivery };
	return db_json(db, "SELECT api_signed_adjust_once($1, $2::jsonb, $3, $4)", 4, p);
}

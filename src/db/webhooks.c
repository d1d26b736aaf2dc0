#include "webhooks.h"

#include <stdio.h>

json_t *db_webhook_secret(struct db *db, const char *platform)
{
	const char *p[1] = { platform };
	return db_json_or_null(db, "SELECT webhook_secret($1)", 1, p);
}

json_t *db_webhook_apply(struct db *db, const char *platform, const char *delivery, const char *topic,
			 const char *doc_json)
{
	const char *p[4] = { platform, delivery, topic, doc_json };
	return db_json(db, "SELECT webhook_apply($1, $2, $3, $4::jsonb)", 4, p);
}

json_t *db_webhook_due(struct db *db, const char *platform)
{
	const char *p[1] = { platform };
	return db_json_or_null(db, "SELECT webhook_due($1)", 1, p);
}

json_t *db_webhook_fetched(struct db *db, const char *platform, const char *delivery, const char *doc_json,
			   const char *error)
{
	const char *p[4] = { platform, delivery, doc_json, error };
	return db_json(db, "SELECT webhook_fetched($1, $2, $3::jsonb, $4)", 4, p);
}

json_t *db_platform_secret_save(struct db *db, const char *platform, const char *secret, const char *url)
{
	const char *p[3] = { platform, secret, url };
	return db_json(db, "SELECT platform_secret_save($1, $2, $3)", 3, p);
}

json_t *db_platform_map_set(struct db *db, const char *platform, const char *sku, long long event_id,
			    long long type_id, const char *remote)
{
	char ev[24], ty[24];
	const char *p[5] = { platform, sku, ev, ty, remote };
	snprintf(ev, sizeof ev, "%lld", event_id);
	snprintf(ty, sizeof ty, "%lld", type_id);
	return db_json(db, "SELECT platform_map_set($1, $2, $3::bigint, $4::bigint, $5)", 5, p);
}

json_t *db_platform_unmap(struct db *db, const char *platform, const char *sku)
{
	const char *p[2] = { platform, sku };
	return db_json(db, "SELECT platform_unmap($1, $2)", 2, p);
}

json_t *db_platform_maps(struct db *db, const char *platform)
{
	const char *p[1] = { platform };
	return db_json(db, "SELECT platform_maps($1)", 1, p);
}

json_t *db_webhook_deliveries(struct db *db, const char *platform, bool attention, int limit)
{
	char lim[24];
	const char *p[3] = { platform, attention ? "true" : "false", lim };
	snprintf(lim, sizeof lim, "%d", limit);
	return db_json(db, "SELECT webhook_deliveries($1, $2::boolean, $3::integer)", 3, p);
}

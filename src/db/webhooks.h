/* Platform webhooks in (db/037_webhooks_in.sql): one wrapper per SQL
 * function. Each returns the function's JSON document, or NULL with the
 * error in db (db_json_or_null: SQL NULL → json null). */
#ifndef BOXOFFICE_DB_WEBHOOKS_H
#define BOXOFFICE_DB_WEBHOOKS_H

#include <jansson.h>
#include <stdbool.h>

#include "db.h"

/* serve */
json_t *db_webhook_secret(struct db *db, const char *platform); /* {"secret","url"} or json null */
json_t *db_webhook_apply(struct db *db, const char *platform, const char *delivery, const char *topic,
			 const char *doc_json);
json_t *db_webhook_due(struct db *db, const char *platform); /* json null: no enabled channel */
json_t *db_webhook_fetched(struct db *db, const char *platform, const char *delivery, const char *doc_json,
			   const char *error);
/* supervisors */
json_t *db_platform_secret_save(struct db *db, const char *platform, const char *secret, const char *url);
json_t *db_platform_map_set(struct db *db, const char *platform, const char *sku, long long event_id,
			    long long type_id, const char *remote);
json_t *db_platform_unmap(struct db *db, const char *platform, const char *sku);
json_t *db_platform_maps(struct db *db, const char *platform);
json_t *db_webhook_deliveries(struct db *db, const char *platform, bool attention, int limit);

#endif

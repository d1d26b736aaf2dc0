/* Event organizations (sponsors, partners, exhibitors…) as the terminal
 * shows them. */
#ifndef BOXOFFICE_DB_ORGANIZATIONS_H
#define BOXOFFICE_DB_ORGANIZATIONS_H

#include "db.h"

enum event_org_choice_col { EOC_ID, EOC_NAME };
/* The event's organizations by name (up to limit): event_organization id,
 * organization name; what an order can be placed on behalf of. */
PGresult *db_event_org_choices(struct db *db, long long event_id, int limit);

enum event_org_col { EOG_NAME, EOG_RELATION, EOG_LIFECYCLE, EOG_COMMERCIAL, EOG_VISIBILITY, EOG_PACKAGE,
		     EOG_BOOTH, EOG_CATEGORY, EOG_ORDERS, EOG_AMOUNT, EOG_ID, EOG_COUNT };
/* The event's organizations by relationship and name (up to limit):
 * orders and amount (gross cents) are those of their live orders —
 * placed on their behalf, or naming them as company (ignoring case);
 * id is the event_organization's. */
PGresult *db_event_org_list(struct db *db, long long event_id, int limit);
/* The same queued on the loop (src/db/read.h's shape). */
#include "read.h"
bool db_event_org_list_submit(struct db *db, const void *owner, long long event_id, int limit, db_rows_fn done,
			      void *ctx);
bool db_event_org_choices_submit(struct db *db, const void *owner, long long event_id, int limit, db_rows_fn done,
				 void *ctx);

#endif

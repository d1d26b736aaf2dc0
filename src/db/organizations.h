/* Event organizations (sponsors, partners, exhibitors…) as the terminal
 * shows them. */
#ifndef BOXOFFICE_DB_ORGANIZATIONS_H
#define BOXOFFICE_DB_ORGANIZATIONS_H

#include "db.h"

enum event_org_choice_col { EOC_ID, EOC_NAME, EOC_TOTAL };
/* The event's organizations by name (up to limit): event_organization id,
 * organization name; what an order can be placed on behalf of; total:
 * how many there are, the limit aside. */
PGresult *db_event_org_choices(struct db *db, long long event_id, int limit);

enum event_org_col { EOG_NAME, EOG_RELATION, EOG_LIFECYCLE, EOG_COMMERCIAL, EOG_VISIBILITY, EOG_PACKAGE,
		     EOG_BOOTH, EOG_CATEGORY, EOG_ORDERS, EOG_AMOUNT, EOG_ID, EOG_VERSION,
		     EOG_ENTITLED, EOG_COMPANY_ID, EOG_TOTAL, EOG_COUNT };
/* The event's organizations by relationship and name (up to limit):
 * orders and amount (gross cents) are those of their live orders —
 * placed on their behalf, or naming them as company (ignoring case);
 * id is the event_organization's, version its optimistic version,
 * company id the organization's (what `org merge` takes);
 * entitled "E · O · A · C": its package's tickets, ordered, assigned,
 * checked in; total: how many there are, the limit aside (a list cut
 * short says of how many). Archived ones are left out. */
PGresult *db_event_org_list(struct db *db, long long event_id, int limit);
enum event_org_archived_col { EOA_ID, EOA_COMPANY_ID, EOA_NAME, EOA_RELATION, EOA_BOOTH, EOA_ARCHIVED_AT,
			      EOA_VERSION, EOA_TOTAL };
/* The event's archived organizations (db/065 org_archived), newest
 * archived first, up to limit; archived_at as text; total: how many
 * there are, the limit aside. */
PGresult *db_event_org_archived(struct db *db, long long event_id, int limit);
/* How many of the event's organizations are archived, counted up to
 * limit; -1 with db->err set on failure. */
long long db_event_org_archived_count(struct db *db, long long event_id, int limit);
/* The same queued on the loop (src/db/read.h's shape). */
#include "read.h"
bool db_event_org_list_submit(struct db *db, const void *owner, long long event_id, int limit, db_rows_fn done,
			      void *ctx);
bool db_event_org_archived_submit(struct db *db, const void *owner, long long event_id, int limit,
				  db_rows_fn done, void *ctx);
/* one row, one column: the count */
bool db_event_org_archived_count_submit(struct db *db, const void *owner, long long event_id, int limit,
					db_rows_fn done, void *ctx);
bool db_event_org_choices_submit(struct db *db, const void *owner, long long event_id, int limit, db_rows_fn done,
				 void *ctx);

/* db/050's writes and reads (jsonb), parameters as text in this order:
 * ORG_ADD event, name, fields {relationship, lifecycle, commercial,
 * visibility, category, booth}; ORG_EDIT event_org, version (NULL: any),
 * fields (+ name); ORG_ARCHIVE event_org, version; ORG_PACKAGE_SET event,
 * name, items [{type, qty}], booth size; ORG_PACKAGE_GIVE event_org,
 * package name, version; ORG_ORDER event_org; ORG_MERGE survivor company,
 * duplicate company; ORG_BOOTHS event; ORG_BOOTH_ADD event, name, size;
 * ORG_SHOW event_org. ORG_ADD_PACKAGE (event, name, fields, package) and
 * ORG_EDIT_PACKAGE (event_org, version, fields, package) are the add or
 * edit and the package given in one statement, so one transaction: a
 * package refused leaves nothing added or changed. ORG_RESTORE (db/065)
 * event_org, version: an archived one back, "booth_lost" naming a booth
 * given away meanwhile. NULL with db->err set on failure. */
enum org_call { ORG_ADD, ORG_EDIT, ORG_ARCHIVE, ORG_PACKAGE_SET, ORG_PACKAGE_GIVE, ORG_ORDER, ORG_MERGE,
		ORG_BOOTHS, ORG_BOOTH_ADD, ORG_SHOW, ORG_ADD_PACKAGE, ORG_EDIT_PACKAGE, ORG_RESTORE };
#include <jansson.h>
json_t *db_org_call(struct db *db, enum org_call call, const char *const *params);
/* The same queued on the loop (src/db/async.h): done gets the document,
 * or NULL with db->err saying why (the refusal in words). */
#include "async.h"
bool db_org_call_submit(struct db *db, const void *owner, enum org_call call, const char *const *params,
			db_json_fn done, void *ctx);

#endif

/* Who a new order can be for: the event's organizations and the companies
 * of its earlier orders, found as a clerk types (prefix, substring or
 * trigram, ignoring case), with the contact and e-mail of their latest
 * order when one is known. */
#ifndef BOXOFFICE_DB_COMPANIES_H
#define BOXOFFICE_DB_COMPANIES_H

#include "db.h"
#include "read.h"

/* event_organization id (NULL: a company of earlier orders), name,
 * contact, e-mail ('' when unknown); prefix matches first, then
 * substrings, then the closest by trigram, up to limit rows. */
enum company_match_col { CM_ORG, CM_NAME, CM_CONTACT, CM_EMAIL };
PGresult *db_company_search(struct db *db, long long event_id, const char *text, int limit);
bool db_company_search_submit(struct db *db, const void *owner, long long event_id, const char *text, int limit,
			      db_rows_fn done, void *ctx);

#endif

/* The values an event organization's four kinds take (db/050's enums),
 * for the commands that set them and those that filter by them. */
#ifndef BOXOFFICE_CORE_ORG_VALUES_H
#define BOXOFFICE_CORE_ORG_VALUES_H

#include <stdbool.h>
#include <stddef.h>

enum org_kind { ORG_RELATIONSHIP, ORG_LIFECYCLE, ORG_COMMERCIAL, ORG_VISIBILITY, ORG_KINDS };

/* The kind's values, NULL-terminated. */
const char *const *org_values(enum org_kind kind);
/* Whether value is one of the kind's. */
bool org_value_ok(enum org_kind kind, const char *value);
/* "sponsor, partner, …": the kind's values for a message. */
void org_values_text(enum org_kind kind, char *out, size_t size);
/* "The 1 organization of this event is archived" / "All 3 organizations
 * of this event are archived": an empty list that is not "none yet". */
void org_all_archived_text(long long archived, char *out, size_t size);

#endif

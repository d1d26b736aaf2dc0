#include "org_values.h"

#include <stdio.h>
#include <string.h>

static const char *const RELATIONSHIPS[] = { "sponsor", "partner", "exhibitor", "supplier", "media", "organizer",
					     "other", NULL };
static const char *const LIFECYCLES[] = { "prospect", "contacted", "negotiating", "confirmed", "active",
					  "completed", "withdrawn", NULL };
static const char *const COMMERCIALS[] = { "none", "quoted", "contracted", "invoiced", "paid", NULL };
static const char *const VISIBILITIES[] = { "public", "internal", "hidden", NULL };

const char *const *org_values(enum org_kind kind)
{
	static const char *const *const all[ORG_KINDS] = { RELATIONSHIPS, LIFECYCLES, COMMERCIALS, VISIBILITIES };
	return (unsigned)kind < ORG_KINDS ? all[kind] : NULL;
}

bool org_value_ok(enum org_kind kind, const char *value)
{
	const char *const *v = org_values(kind);
	for (int i = 0; v && value && v[i]; i++)
		if (strcmp(v[i], value) == 0)
			return true;
	return false;
}

void org_values_text(enum org_kind kind, char *out, size_t size)
{
	const char *const *v = org_values(kind);
	size_t o = 0;
	if (size == 0)
		return;
	out[0] = '\0';
	for (int i = 0; v && v[i] && o < size; i++)
		o += (size_t)snprintf(out + o, size - o, "%s%s", i ? ", " : "", v[i]);
}

void org_all_archived_text(long long archived, char *out, size_t size)
{
	snprintf(out, size, "%s %lld organization%s of this event %s archived", archived == 1 ? "The" : "All", archived,
		 archived == 1 ? "" : "s", archived == 1 ? "is" : "are");
}

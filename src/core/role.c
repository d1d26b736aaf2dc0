#include "role.h"

#include <string.h>

bool role_allows(const char *have, const char *needs)
{
	if (!needs || !*needs || !have || !*have || strcmp(have, "owner") == 0 || strcmp(have, needs) == 0)
		return true;
	return strcmp(have, "supervisor") == 0 && (strcmp(needs, "clerk") == 0 || strcmp(needs, "gate") == 0);
}

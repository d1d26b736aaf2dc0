/* The station roles of db/026, as the screens need them: whether a login
 * in one role may do what another role is needed for. The database
 * decides for real; this only keeps the screens from offering what it
 * would refuse. */
#ifndef BOXOFFICE_CORE_ROLE_H
#define BOXOFFICE_CORE_ROLE_H

#include <stdbool.h>

/* have: the login's role ("owner", "supervisor", "clerk", "gate", "api",
 * "none"), "" or NULL while not known (offline: the gate's cache decides,
 * so nothing is hidden). needs: NULL or "" for anyone. A supervisor may
 * do what clerks and gates do; the owner everything. */
bool role_allows(const char *have, const char *needs);

#endif

/* Station logins and their roles (db/026): who may do what is decided by
 * PostgreSQL's grants; this is the data layer for making, listing and
 * revoking logins and for saying which role a refused action needs. */
#ifndef BOXOFFICE_DB_USERS_H
#define BOXOFFICE_DB_USERS_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "async.h"
#include "db.h"

/* A login in role (clerk, gate, supervisor, api). password: clear text,
 * encrypted here (SCRAM) before it leaves; NULL for a peer or certificate
 * login (auth "peer" or "cert"). With if_missing an active login of that
 * name is kept as it is. The function's JSON: id, name, role, auth,
 * created. */
json_t *db_user_add(struct db *db, const char *name, const char *role, const char *password,
		    const char *auth, bool if_missing);
json_t *db_user_list(struct db *db);
json_t *db_user_revoke(struct db *db, const char *name);

/* After a DB_FORBIDDEN failure: the refusal with the role it needs and
 * the login's own ("... needs the supervisor role (gate1 is a gate
 * login)"). False when that cannot be found out. */
bool db_privilege_needed(struct db *db, char *out, size_t size);

/* The login's name and role (owner, supervisor, clerk, gate, api, none):
 * {"login","role"}. */
#define SQL_LOGIN_ROLE "SELECT json_build_object('login', session_user, 'role', login_role())"
json_t *db_login_role(struct db *db);

#endif

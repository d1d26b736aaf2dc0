#include "users.h"

#include <stdio.h>
#include <string.h>

json_t *db_user_add(struct db *db, const char *name, const char *role, const char *password,
		    const char *auth, bool if_missing)
{
	char *encrypted = NULL;
	const char *p[5] = { name, role, NULL, auth, if_missing ? "true" : "false" };
	json_t *doc;

	if (password) {
		/* the server's own algorithm (scram-sha-256), computed here */
		if (!(encrypted = PQencryptPasswordConn(db->conn, password, name, NULL))) {
			db_set_error(db, DB_FAILED, "could not encrypt the password: %s", PQerrorMessage(db->conn));
			return NULL;
		}
		p[2] = encrypted;
	}
	doc = db_json(db, "SELECT user_add($1, $2, $3, $4, $5)", 5, p);
	if (encrypted)
		PQfreemem(encrypted);
	return doc;
}

json_t *db_user_list(struct db *db)
{
	return db_json(db, "SELECT user_list()", 0, NULL);
}

json_t *db_user_revoke(struct db *db, const char *name)
{
	const char *p[1] = { name };
	return db_json(db, "SELECT user_revoke($1)", 1, p);
}

json_t *db_login_role(struct db *db)
{
	return db_json(db, SQL_LOGIN_ROLE, 0, NULL);
}

bool db_privilege_needed(struct db *db, char *out, size_t size)
{
	char why[sizeof db->err];
	const char *p[1] = { why };
	PGresult *res;
	bool ok = false;

	snprintf(why, sizeof why, "%s", db->err);
	res = db_exec(db, "SELECT privilege_needed($1), session_user, login_role()", 1, p);
	if (res && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
		const char *role = PQgetvalue(res, 0, 0), *login = PQgetvalue(res, 0, 1),
			   *has = PQgetvalue(res, 0, 2);
		char mine[96];
		if (strcmp(has, "none") == 0)
			snprintf(mine, sizeof mine, "login %s has no boxoffice role", login);
		else
			snprintf(mine, sizeof mine, "login %s has the %s role", login, has);
		if (strstr(why, "needs the "))
			snprintf(out, size, "%s (%s)", why, mine);
		else
			snprintf(out, size, "%s: this needs the %s role (%s)", why, role, mine);
		ok = true;
	}
	PQclear(res);
	/* the caller reports the refusal, not this lookup */
	snprintf(db->err, sizeof db->err, "%s", why);
	db->status = DB_FORBIDDEN;
	return ok;
}

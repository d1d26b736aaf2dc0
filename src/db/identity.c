#include "identity.h"

#include <stdio.h>
#include <string.h>

bool db_identity(struct db *db, char out[DB_IDENTITY_LEN + 1])
{
	PGresult *res = db_exec(db, "SELECT id::text FROM database_identity", 0, NULL);
	bool ok = res && PQntuples(res) == 1 && strlen(PQgetvalue(res, 0, 0)) == DB_IDENTITY_LEN;

	if (ok)
		memcpy(out, PQgetvalue(res, 0, 0), DB_IDENTITY_LEN + 1);
	else if (res)
		db_set_error(db, DB_FAILED, "the database has no identity (run 'boxoffice migrate')");
	PQclear(res);
	return ok;
}

#include "identity.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
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

void db_where_key(const struct db *db, char out[33])
{
	static const char *const vars[] = { "PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE",
					    "PGSERVICE", "PGUSER", NULL };
	crypto_generichash_state st;
	unsigned char h[16];

	crypto_generichash_init(&st, NULL, 0, sizeof h);
	if (db->conninfo) {
		crypto_generichash_update(&st, (const unsigned char *)"conninfo\n", 9);
		crypto_generichash_update(&st, (const unsigned char *)db->conninfo, strlen(db->conninfo));
	} else if (db->host_default) {
		crypto_generichash_update(&st, (const unsigned char *)"embedded\n", 9);
		crypto_generichash_update(&st, (const unsigned char *)db->host_default, strlen(db->host_default));
	} else {
		for (int i = 0; vars[i]; i++) {
			const char *v = getenv(vars[i]);
			crypto_generichash_update(&st, (const unsigned char *)vars[i], strlen(vars[i]));
			crypto_generichash_update(&st, (const unsigned char *)"=", 1);
			if (v)
				crypto_generichash_update(&st, (const unsigned char *)v, strlen(v));
			crypto_generichash_update(&st, (const unsigned char *)"\n", 1);
		}
	}
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(out, 33, h, sizeof h);
}

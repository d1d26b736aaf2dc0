/* Bulk assignment of an order's free tickets from name,e-mail[,company]
 * rows (a UTF-8 BOM, CRLF, quoted commas and a header row are fine). Every
 * row is checked and listed; the tickets are assigned only when every row
 * is good, in one transaction: never half. Shared by the CLI and the
 * assignment screen. */
#ifndef BOXOFFICE_APP_BULK_H
#define BOXOFFICE_APP_BULK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define BULK_MAX_BYTES (1 << 24)

struct db;

struct bulk_result {
	int rows, errors;
	bool assigned;
	json_t *preview; /* [{"row","name","email","ticket","error"}], caller's */
};

/* 0 when the rows were read (check errors in out); -1 on a database
 * failure (db->err). dry: check and show only. */
int bulk_assign(struct db *db, long long order_id, const char *data, size_t len, bool dry,
		struct bulk_result *out);

#endif

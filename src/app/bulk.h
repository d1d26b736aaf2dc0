/* Bulk assignment of an order's free tickets from name,e-mail[,company]
 * rows (a UTF-8 BOM, CRLF, quoted commas, a header row and blank lines are
 * fine). Every row is checked and listed, bad ones with their reason; the
 * tickets are assigned only when every row is good, in one transaction:
 * never half. The free tickets are chosen inside that transaction, so two
 * runs at once get different tickets, or one is refused whole; a ticket
 * someone holds is never taken. Shared by the CLI and the assignment
 * screen. */
#ifndef BOXOFFICE_APP_BULK_H
#define BOXOFFICE_APP_BULK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The largest file read: a bigger one is refused whole (README). */
#define BULK_MAX_BYTES (16 << 20)
/* The most rows one file assigns (an order's worth, with room): a file of
 * hundreds of thousands of short rows would fit in the bytes above but
 * hold the database for long. Refused whole too. */
#define BULK_MAX_ROWS 20000
#define BULK_MAX_ROWS_TEXT "20000"

struct db;

enum { BULK_DRY = 1,    /* check and show only */
       BULK_RENAME = 2, /* an e-mail's person may get the row's name and company */
};

struct bulk_result {
	int rows, errors;
	bool assigned;
	const char *refused; /* the whole file was refused (no rows), or NULL */
	json_t *preview;     /* [{"row","line","name","email","company","ticket","error"}], caller's */
};

enum bulk_read_status { BULK_READ_OK, BULK_READ_TOO_BIG, BULK_READ_FAILED };
/* Reads a whole file ("-" is stdin) into *data (the caller frees it);
 * otherwise the reason in err. */
enum bulk_read_status bulk_read(const char *path, char **data, size_t *len, char *err, size_t errsize);

/* The rows read and checked, before the database: out->preview gets
 * every row (with its reason when bad), good the good rows'
 * [name, e-mail, company] and slots their preview entries. False when
 * the file is refused whole (out->refused says why). */
bool bulk_check_rows(const char *data, size_t len, struct bulk_result *out, json_t *good, json_t *slots);

/* 0 when the rows were read (check errors and refused in out); -1 on a
 * database failure (db->err). */
int bulk_assign(struct db *db, long long order_id, const char *data, size_t len, unsigned flags,
		struct bulk_result *out);

#endif

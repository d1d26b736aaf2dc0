#include "bulk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "../core/csv.h"
#include "../core/util.h"
#include "../core/validate.h"
#include "../db/db.h"
#include "../db/tickets.h"

enum bulk_read_status bulk_read(const char *path, char **data, size_t *len, char *err, size_t errsize)
{
	FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct stat st;
	size_t cap = 0, n;
	bool failed;

	*data = NULL;
	*len = 0;
	if (!in) {
		snprintf(err, errsize, "cannot read %s: %s", path, strerror(errno));
		return BULK_READ_FAILED;
	}
	if (fstat(fileno(in), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errsize, "cannot read %s: %s", path, strerror(EISDIR));
		if (in != stdin)
			fclose(in);
		return BULK_READ_FAILED;
	}
	/* One byte past the limit tells a file that is too big from one that
	 * is exactly the limit. */
	do {
		if (*len == cap)
			*data = xrealloc(*data, cap = cap ? cap * 2 : 65536);
		n = fread(*data + *len, 1, cap - *len, in);
		*len += n;
	} while (n > 0 && *len <= BULK_MAX_BYTES);
	failed = ferror(in);
	if (in != stdin)
		fclose(in);
	if (failed) {
		snprintf(err, errsize, "cannot read %s: %s", path, strerror(errno ? errno : EIO));
		free(*data);
		*data = NULL;
		return BULK_READ_FAILED;
	}
	if (*len > BULK_MAX_BYTES) {
		snprintf(err, errsize, "%s is larger than %d MiB, the most one bulk assignment reads; split it",
			 strcmp(path, "-") == 0 ? "the input" : path, BULK_MAX_BYTES >> 20);
		free(*data);
		*data = NULL;
		return BULK_READ_TOO_BIG;
	}
	return BULK_READ_OK;
}

/* The reason a row cannot be assigned, before the database sees it. */
static const char *row_problem(const struct csv_row *row, char *buf, size_t size)
{
	const char *why, *field;

	if (row->unclosed)
		return "a quote is never closed (the rest of the file was read as this row)";
	if (row->too_long)
		return "a field is longer than the longest name, e-mail or company";
	if (row->n < 2)
		return "needs name,e-mail[,company]";
	for (int i = 3; i < row->n; i++)
		if (i >= CSV_ROW_FIELDS || row->len[i] > 0)
			return "has more than name,e-mail,company";
	why = validate_person(row->field[0], row->len[0], row->field[1], row->len[1],
			      row->n > 2 ? row->field[2] : NULL, row->n > 2 ? row->len[2] : 0, &field);
	if (!why)
		return NULL;
	if (strcmp(field, "e-mail") == 0 && strncmp(why, "is not an e-mail address", 24) == 0)
		return "e-mail is not an address";
	snprintf(buf, size, "%s %s", field, why);
	return buf;
}

static json_t *shown(const struct csv_row *row, int i)
{
	char text[3 * CSV_FIELD_MAX + 1];
	if (i >= row->n || i >= CSV_ROW_FIELDS)
		return json_string("");
	text_printable(text, sizeof text, row->field[i], row->len[i]);
	return json_string(text);
}

bool bulk_check_rows(const char *data, size_t len, struct bulk_result *out, json_t *good, json_t *slots)
{
	const char *p = data, *end = data + len;
	struct csv_row *row = xmalloc(sizeof *row);
	int line = 1;
	bool first = true;

	memset(out, 0, sizeof *out);
	out->preview = json_array();
	while (csv_read_row(&p, end, &line, row)) {
		char buf[160];
		const char *why;
		json_t *entry;

		if (row->blank)
			continue;
		if (first && row->n >= 2 && !row->unclosed &&
		    (strcasecmp(row->field[1], "email") == 0 || strcasecmp(row->field[1], "e-mail") == 0)) {
			first = false; /* a header row */
			continue;
		}
		first = false;
		if (++out->rows > BULK_MAX_ROWS) {
			/* refused whole, before any row reaches the database */
			out->refused = "the file has more than " BULK_MAX_ROWS_TEXT " rows: split it";
			out->errors = out->rows;
			free(row);
			return false;
		}
		why = row_problem(row, buf, sizeof buf);
		entry = json_pack("{si si so so so sI ss*}", "row", out->rows, "line", row->line,
				  "name", shown(row, 0), "email", shown(row, 1), "company", shown(row, 2),
				  "ticket", (json_int_t)0, "error", why);
		json_array_append_new(out->preview, entry);
		if (why) {
			out->errors++;
			continue;
		}
		json_array_append_new(good, json_pack("[s s s*]", row->field[0], row->field[1],
						      row->n > 2 && row->len[2] ? row->field[2] : NULL));
		json_array_append(slots, entry);
	}
	free(row);
	if (out->rows == 0) {
		out->refused = "the file has no name,e-mail rows";
		return false;
	}
	return true;
}

int bulk_assign(struct db *db, long long order_id, const char *data, size_t len, unsigned flags,
		struct bulk_result *out)
{
	json_t *good = json_array(), *slots = json_array(), *results = NULL;
	int rc = 0;
	size_t i;
	json_t *r;

	if (!bulk_check_rows(data, len, out, good, slots))
		goto done;
	/* The good rows go to the database even when others failed, so the
	 * preview shows their reasons too (a name conflict, no free ticket). */
	if (json_array_size(good) > 0) {
		if (!db_begin(db)) {
			rc = -1;
			goto done;
		}
		if (!(results = db_ticket_assign_rows(db, order_id, good, "bulk assignment", flags & BULK_RENAME))) {
			db_rollback(db);
			rc = -1;
			goto done;
		}
		json_array_foreach(results, i, r) {
			json_t *entry = json_array_get(slots, i), *err = json_object_get(r, "error");
			if (!entry)
				break;
			if (json_object_get(r, "ticket"))
				json_object_set(entry, "ticket", json_object_get(r, "ticket"));
			if (err) {
				json_object_set(entry, "error", err);
				out->errors++;
			}
		}
		if (json_array_size(results) != json_array_size(good) && !out->errors) {
			db_rollback(db);
			db_set_error(db, DB_FAILED, "the database answered %zu of %zu rows",
				     json_array_size(results), json_array_size(good));
			rc = -1;
			goto done;
		}
		if (out->errors || (flags & BULK_DRY)) {
			db_rollback(db);
			goto done;
		}
		if (!db_commit(db)) {
			rc = -1;
			goto done;
		}
		out->assigned = true;
	}
done:
	json_decref(results);
	json_decref(good);
	json_decref(slots);
	return rc;
}

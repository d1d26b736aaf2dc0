/* CSV per RFC 4180 (comma, CRLF, fields with commas, quotes or line breaks
 * quoted, quotes doubled), made safe for spreadsheets: a cell that starts
 * with =, +, -, @, tab or CR gets a leading apostrophe so it is never run
 * as a formula. Also decodes PostgreSQL's COPY text format, so an export
 * can stream rows from COPY and re-encode them here. */
#ifndef BOXOFFICE_CORE_CSV_H
#define BOXOFFICE_CORE_CSV_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *data;
	size_t len, cap;
};

void strbuf_append(struct strbuf *b, const char *s, size_t n);
void strbuf_free(struct strbuf *b);

/* Appends one field (and the comma before it unless first). */
void csv_field(struct strbuf *b, const char *value, size_t len, bool first);
void csv_end_row(struct strbuf *b);

/* Splits one COPY text line (without its newline) into fields in place,
 * decoding backslash escapes; a NULL (\N) field becomes NULL. Returns the
 * number of fields, or -1 when there are more than max. */
int copy_text_split(char *line, size_t len, char **fields, size_t *lens, int max);

#endif

/* Reads one CSV record from *p (up to end): quoted fields with "" and
 * embedded commas or line breaks, CRLF or LF endings; a UTF-8 BOM at the
 * very start is skipped. Fields are written NUL-terminated into bufs
 * (each cap bytes). Returns the number of fields, 0 at the end, -1 on a
 * field too long or an unterminated quote. */
int csv_read_record(const char **p, const char *end, char bufs[][256], int max_fields);

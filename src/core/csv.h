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

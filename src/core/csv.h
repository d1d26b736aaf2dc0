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
 * embedded commas or line breaks, CRLF or LF endings (a bare CR is a
 * character of its field); a UTF-8 BOM at the
 * start of a record is skipped (the file's, or one of files joined with
 * cat). Fields are written NUL-terminated into bufs
 * (each cap bytes). Returns the number of fields, 0 at the end, -1 on a
 * field too long or an unterminated quote. */
int csv_read_record(const char **p, const char *end, char bufs[][256], int max_fields);

/* A record as csv_read_row() reads it: the first CSV_ROW_FIELDS fields,
 * each up to CSV_FIELD_MAX bytes (room for 200 four-byte characters),
 * with their byte lengths, since a field may hold a NUL. A bad record
 * never loses the reader its place: the next call starts at the next
 * record (except after an unclosed quote, which runs to the end). */
#define CSV_ROW_FIELDS 8
#define CSV_FIELD_MAX 1024
struct csv_row {
	int n;                 /* fields in the record, counting those not kept */
	char field[CSV_ROW_FIELDS][CSV_FIELD_MAX + 1];
	size_t len[CSV_ROW_FIELDS];
	bool too_long;         /* a field was longer than CSV_FIELD_MAX (cut short) */
	bool unclosed;         /* a quote never closed: the rest of the input was read */
	bool blank;            /* every field empty or spaces: a blank line */
	int line;              /* the line the record starts on, from 1 */
};
/* Reads the next record at *p; line counts lines (start it at 1). Returns
 * true when a record was read, false at the end. */
bool csv_read_row(const char **p, const char *end, int *line, struct csv_row *row);

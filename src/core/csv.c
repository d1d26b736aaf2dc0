#include "csv.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void strbuf_append(struct strbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->data = xrealloc(b->data, cap);
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void strbuf_free(struct strbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static bool starts_formula(const char *v, size_t len)
{
	return len > 0 && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' ||
			   v[0] == '\t' || v[0] == '\r');
}

void csv_field(struct strbuf *b, const char *value, size_t len, bool first)
{
	bool quote = false;

	if (!first)
		strbuf_append(b, ",", 1);
	if (!value)
		return;
	for (size_t i = 0; i < len && !quote; i++)
		quote = value[i] == ',' || value[i] == '"' || value[i] == '\n' || value[i] == '\r';
	if (starts_formula(value, len))
		quote = true; /* the apostrophe goes inside the quotes */
	if (!quote) {
		strbuf_append(b, value, len);
		return;
	}
	strbuf_append(b, "\"", 1);
	if (starts_formula(value, len))
		strbuf_append(b, "'", 1);
	for (size_t i = 0, start = 0; i <= len; i++) {
		if (i == len || value[i] == '"') {
			strbuf_append(b, value + start, i - start);
			if (i < len)
				strbuf_append(b, "\"\"", 2);
			start = i + 1;
		}
	}
	strbuf_append(b, "\"", 1);
}

void csv_end_row(struct strbuf *b)
{
	strbuf_append(b, "\r\n", 2);
}

int copy_text_split(char *line, size_t len, char **fields, size_t *lens, int max)
{
	int n = 0;
	size_t r = 0;

	for (;;) {
		char *start = line + r, *w = start;
		if (n == max)
			return -1;
		if (r + 1 < len + 1 && line[r] == '\\' && r + 1 < len && line[r + 1] == 'N' &&
		    (r + 2 == len || line[r + 2] == '\t')) {
			fields[n] = NULL;
			lens[n++] = 0;
			r += 2;
		} else {
			while (r < len && line[r] != '\t') {
				char ch = line[r++];
				if (ch == '\\' && r < len) {
					char e = line[r++];
					switch (e) {
					case 'b': ch = '\b'; break;
					case 'f': ch = '\f'; break;
					case 'n': ch = '\n'; break;
					case 'r': ch = '\r'; break;
					case 't': ch = '\t'; break;
					case 'v': ch = '\v'; break;
					default: ch = e; break; /* \\ and any other escaped byte */
					}
				}
				*w++ = ch;
			}
			fields[n] = start;
			lens[n++] = (size_t)(w - start);
		}
		if (r >= len)
			return n;
		r++; /* the tab */
	}
}

/* A record ends at LF or CRLF (and a CR that ends the input: a CRLF cut
 * short). A bare CR inside a line is a character of its field, which the
 * row's check refuses as a control character: taken as a line end, one
 * line could hide a row the preview never numbered as a line. */
static bool at_line_end(const char *s, const char *end)
{
	return s < end && (*s == '\n' || (*s == '\r' && (s + 1 == end || s[1] == '\n')));
}

/* Steps over the line end at s (if any). */
static const char *past_line_end(const char *s, const char *end)
{
	if (s < end && *s == '\r')
		s++;
	if (s < end && *s == '\n')
		s++;
	return s;
}

int csv_read_record(const char **p, const char *end, char bufs[][256], int max_fields)
{
	const char *s = *p;
	int n = 0;

	if (s + 3 <= end && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
	    (unsigned char)s[2] == 0xBF)
		s += 3;
	if (s >= end)
		return 0;
	for (;;) {
		size_t o = 0;
		if (n == max_fields)
			return -1;
		if (s < end && *s == '"') {
			s++;
			for (;;) {
				if (s >= end)
					return -1; /* unterminated quote */
				if (*s == '"' && s + 1 < end && s[1] == '"') {
					s += 2;
					if (o + 1 >= 256)
						return -1;
					bufs[n][o++] = '"';
				} else if (*s == '"') {
					s++;
					break;
				} else {
					if (o + 1 >= 256)
						return -1;
					bufs[n][o++] = *s++;
				}
			}
		}
		while (s < end && *s != ',' && !at_line_end(s, end)) {
			if (o + 1 >= 256)
				return -1;
			bufs[n][o++] = *s++;
		}
		bufs[n++][o] = '\0';
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		*p = past_line_end(s, end);
		return n;
	}
}

static void row_put(struct csv_row *row, int f, char c)
{
	if (f >= CSV_ROW_FIELDS)
		return;
	if (row->len[f] >= CSV_FIELD_MAX) {
		row->too_long = true;
		return;
	}
	row->field[f][row->len[f]++] = c;
}

bool csv_read_row(const char **p, const char *end, int *line, struct csv_row *row)
{
	const char *s = *p;
	int f = 0;

	if (s + 3 <= end && (unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB &&
	    (unsigned char)s[2] == 0xBF)
		s += 3;
	if (s >= end)
		return false;
	row->n = 0;
	row->too_long = row->unclosed = false;
	row->blank = true;
	row->line = *line;
	for (int i = 0; i < CSV_ROW_FIELDS; i++)
		row->len[i] = 0;
	for (;;) {
		if (s < end && *s == '"') {
			s++;
			for (;;) {
				if (s >= end) {
					row->unclosed = true;
					break;
				}
				if (*s == '"' && s + 1 < end && s[1] == '"') {
					row_put(row, f, '"');
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					if (*s == '\n')
						(*line)++;
					row_put(row, f, *s++);
				}
			}
		}
		while (s < end && *s != ',' && !at_line_end(s, end))
			row_put(row, f, *s++);
		if (f < CSV_ROW_FIELDS) {
			row->field[f][row->len[f]] = '\0';
			for (size_t i = 0; i < row->len[f] && row->blank; i++)
				row->blank = row->field[f][i] == ' ' || row->field[f][i] == '\t';
		} else {
			row->blank = false; /* a field not kept: not a blank line */
		}
		f++;
		if (s < end && *s == ',') {
			s++;
			continue;
		}
		(*line)++;
		row->n = f;
		*p = past_line_end(s, end);
		return true;
	}
}

/* Input validation shared by the CLI, the TUI forms and the HTTP gateway, so
 * every client refuses the same bad input with the same words. Each check
 * returns NULL when the input is fine, else a short reason. */
#ifndef BOXOFFICE_CORE_VALIDATE_H
#define BOXOFFICE_CORE_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include <stddef.h>

/* The limits of the text the database keeps (db/001_schema.sql). */
#define NAME_MAX_CHARS 200    /* person, event, company, contact */
#define COMPANY_MAX_CHARS 200
#define CONTACT_MAX_CHARS 200
#define EMAIL_MAX_CHARS 254
#define TYPE_NAME_MAX_CHARS 100
/* Bytes that hold a text of n characters whole (UTF-8: up to 4 each, and
 * the NUL): a buffer sized in characters cut a name inside a character. */
#define UTF8_BUF(n) ((n) * 4 + 1)

/* Non-empty after trimming, valid UTF-8, no control characters (C0, DEL
 * or C1: they would be drawn on every screen), no NUL, no character that
 * reorders text (text_has_bidi: TEXT_BIDI_REFUSAL), at most max_chars
 * code points. A too-long text says its limit ("is too long (at most 200
 * characters)"; that reason is only good until the next call). */
#define TEXT_BIDI_REFUSAL "contains characters that reorder text (bidi overrides)"
const char *validate_text(const char *text, int max_chars, bool required);
const char *validate_email(const char *text, bool required);
/* Whether text holds a character that reorders what is shown (bidi
 * embeddings, overrides, isolates and marks: U+202A-U+202E,
 * U+2066-U+2069, U+200E, U+200F, U+061C). */
bool text_has_bidi(const char *text, size_t len);
/* The same on len bytes that may hold a NUL (a field read from a file):
 * a NUL is refused, never a place to cut the text short. */
const char *validate_text_n(const char *text, size_t len, int max_chars, bool required);
const char *validate_email_n(const char *text, size_t len, bool required);

/* A station's name (--station; the host name by default): 1 to
 * STATION_MAX_CHARS characters of printable ASCII. It is the connection's
 * application_name, recorded on every change and shown to other stations;
 * PostgreSQL keeps that in printable ASCII and logs every other byte as
 * "?" ("kassa-Ö" as "kassa-??"). len bytes, which may hold a NUL (refused). */
#define STATION_MAX_CHARS 60
const char *validate_station(const char *text, size_t len);

/* A person as ticket assign, the assignment screen and assign-csv take
 * them: name and e-mail required, company optional (NULL or len 0). NULL
 * when fine; else the reason, with *field set to "name", "e-mail" or
 * "company". */
const char *validate_person(const char *name, size_t name_len, const char *email, size_t email_len,
			    const char *company, size_t company_len, const char **field);

/* Copies len bytes for showing or for JSON: invalid UTF-8, NULs and control
 * characters each become U+FFFD, so a bad row can still be shown. Always
 * NUL-terminates (size > 0). */
void text_printable(char *out, size_t size, const char *text, size_t len);
/* YYYY-MM-DD, a real calendar date (2026-02-30 is refused). */
const char *validate_date(const char *text);
/* A whole number in [min, max], nothing else around it. */
const char *parse_int_range(const char *text, long long min, long long max, long long *out);

bool date_is_valid(int year, int month, int day);
/* Number of UTF-8 code points, or -1 when the text is not valid UTF-8. */
int utf8_length(const char *text);

#endif

/* Input validation shared by the CLI, the TUI forms and the HTTP gateway, so
 * every client refuses the same bad input with the same words. Each check
 * returns NULL when the input is fine, else a short reason. */
#ifndef BOXOFFICE_CORE_VALIDATE_H
#define BOXOFFICE_CORE_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#define NAME_MAX_CHARS 200
#define EMAIL_MAX_CHARS 254

/* Non-empty after trimming, valid UTF-8, no control characters, at most
 * max_chars code points. */
const char *validate_text(const char *text, int max_chars, bool required);
const char *validate_email(const char *text, bool required);
/* YYYY-MM-DD, a real calendar date (2026-02-30 is refused). */
const char *validate_date(const char *text);
/* A whole number in [min, max], nothing else around it. */
const char *parse_int_range(const char *text, long long min, long long max, long long *out);

bool date_is_valid(int year, int month, int day);
/* Number of UTF-8 code points, or -1 when the text is not valid UTF-8. */
int utf8_length(const char *text);

#endif

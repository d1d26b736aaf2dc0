/* The change log's filters (the Audit log screen and `boxoffice audit`):
 * which order, ticket, person, event, station or user the rows are
 * about. The screen's filter prompt takes them as words,
 * "order:12 station:gate-2 user:anna" (a value with spaces in double
 * quotes: station:"front desk"); this parses and prints those words. */
#ifndef BOXOFFICE_CORE_AUDIT_H
#define BOXOFFICE_CORE_AUDIT_H

#include <stdbool.h>
#include <stddef.h>

#define AUDIT_NAME_MAX 128
#define AUDIT_PAGE_MAX 500

struct audit_filter {
	long long order, ticket, person, event; /* 0: any */
	char station[AUDIT_NAME_MAX];           /* "": any */
	char actor[AUDIT_NAME_MAX];             /* the database user; "": any */
};

/* Parses the prompt's words into f (cleared first; an empty text is no
 * filter). False with why (one line) for an unknown word, a missing or
 * malformed value, or a word given twice. */
bool audit_filter_parse(const char *text, struct audit_filter *f, char *why, size_t why_size);
/* The words that parse back to f ("" for no filter). */
void audit_filter_format(const struct audit_filter *f, char *out, size_t size);
bool audit_filter_any(const struct audit_filter *f);

/* A row's WHEN from its ISO time ("2026-11-28T05:18:04.12+01:00"):
 * "2026-11-28 05:18:04", or short "11-28 05:18:04". */
void audit_when(const char *iso, bool short_form, char *out, size_t size);
/* A row's WHAT: "ticket #540 reassigned" (no "#" without an id). */
void audit_what(const char *entity, long long entity_id, const char *action, char *out, size_t size);
/* The same for the screen, in a clerk's words: "organization #51
 * archive", "ticket #540 checkin undo" (the command line keeps the
 * names scripts read). */
void audit_what_said(const char *entity, long long entity_id, const char *action, char *out, size_t size);
/* A row's WHY: the reason, then the summary ("refunded · sold -3");
 * the reason alone when it says what the action does already. */
void audit_why(const char *reason, const char *action, const char *summary, char *out, size_t size);

#endif

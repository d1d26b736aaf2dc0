/* Search keys that forgive what a clerk types at a queue: case, accents
 * and spacing ("asa  oberg" finds "Åsa Öberg"), as the database's names
 * are compared (db/050 org_name_key). */
#ifndef BOXOFFICE_CORE_TEXT_FOLD_H
#define BOXOFFICE_CORE_TEXT_FOLD_H

#include <stdbool.h>
#include <stddef.h>

/* text lower-cased, Latin letters without their accents (Å → a, Ø → o,
 * Æ → ae, ß → ss), every run of white space one space, none at either
 * end; other characters as they are. Always terminated (size > 0);
 * returns the length written. */
size_t text_fold(const char *text, char *out, size_t size);

/* Whether folded (a text_fold result: a search folded once, not once per
 * row) occurs in text, folded; an empty folded: always. */
bool text_fold_contains(const char *text, const char *folded);

#endif

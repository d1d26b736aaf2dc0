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

/* Whether part, folded, occurs in text, folded (an empty part: always). */
bool text_contains_folded(const char *text, const char *part);

#endif

/* A scan's ID, made at the gate (a random UUID, version 4): the database
 * recognises the same scan arriving twice (an online try whose answer was
 * lost, then the offline journal) and records it once. */
#ifndef BOXOFFICE_CORE_SCAN_ID_H
#define BOXOFFICE_CORE_SCAN_ID_H

#include <stdbool.h>

#define SCAN_ID_LEN 36

void scan_id_new(char out[SCAN_ID_LEN + 1]);
/* Lower-case 8-4-4-4-12 hex, as made above and as PostgreSQL prints. */
bool scan_id_valid(const char *text);

#endif

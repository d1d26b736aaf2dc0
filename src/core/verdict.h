/* A door's verdict on one scan, as every door gives it: the gate of
 * `boxoffice checkin`, the check-in screen and serve's POST /checkin read
 * the database's answer (checkin_scan, db/024) the same way and print the
 * same JSON. Pure: no I/O. */
#ifndef BOXOFFICE_CORE_VERDICT_H
#define BOXOFFICE_CORE_VERDICT_H

#include <stdbool.h>

#include <jansson.h>

struct verdict {
	bool admit;
	bool offline;
	bool conflict;
	bool duplicate;        /* the database had this scan already */
	char scan_id[37];      /* made at the gate, sent online and journaled */
	char reason[600];
	long long ticket;
	/* Room for the longest value the schema allows (person name and
	 * company 200 characters, type name 100, of up to 4 bytes each), so
	 * nothing is ever cut; utf8_copy() would cut between characters. */
	char person[801], company[801], type[401], direction[4];
	/* On a check-in list (db/020): which list decided, and the area it
	 * counts into with its occupancy after this scan ("" / -1 without);
	 * full: refused because the area is at capacity (an override may
	 * admit); approximate: an offline count (this gate's own view). */
	char list[401], area[401];
	long long inside, capacity;
	bool full, approximate;
	bool override_unused; /* an override was sent and the area was not full */
	bool refused_here;    /* the gate refused the code itself (db/059 records it) */
};

/* The database's answer (checkin_scan's JSON) into v (fields it lacks are
 * left as they are: v is zeroed by the caller). */
void verdict_from_answer(struct verdict *v, json_t *answer);
/* The verdict as the doors print it: {"verdict","reason","ticket",
 * "person",...}. */
json_t *verdict_json(const struct verdict *v);

/* Who an override (F7) would admit: "#12, Åsa Öberg (Adult) into Hall A",
 * the name and the area cut at 100 characters, the type at 60, each
 * between characters; VERDICT_WHO_SIZE holds the longest. Returns buf. */
#define VERDICT_WHO_SIZE 1100
const char *verdict_override_who(const struct verdict *v, char *buf, size_t size);

#endif

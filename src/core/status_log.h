/* The status line's messages: the one shown and the last few before it,
 * each kept whole (a refusal names a company, a file, a login: wider than
 * the line), so the help can show them in full once the line has cut
 * them. Pure: the terminal measures and draws. */
#ifndef BOXOFFICE_CORE_STATUS_LOG_H
#define BOXOFFICE_CORE_STATUS_LOG_H

#include <stdbool.h>
#include <stddef.h>

/* A message's room: longer ones are cut between characters, with "…". */
#define STATUS_LOG_BYTES 1024
#define STATUS_LOG_KEPT 5

struct status_msg {
	char text[STATUS_LOG_BYTES];
	bool error;
};

struct status_log {
	struct status_msg msg[STATUS_LOG_KEPT]; /* a ring, newest at newest */
	int count, newest;
};

/* Cuts text into size bytes (always terminated when size > 0) between
 * UTF-8 characters; a text that does not fit ends with "…". Returns the
 * bytes written. */
size_t status_text_cut(char *buf, size_t size, const char *text);

/* Keeps text as the newest message (an empty one is none; one equal to
 * the newest only takes its place again). Returns the text as kept. */
const char *status_log_add(struct status_log *log, bool error, const char *text);

/* The i-th newest message (0: the newest), NULL past the ones kept. */
const struct status_msg *status_log_get(const struct status_log *log, int i);

#endif

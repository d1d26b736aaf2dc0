/* A loopback TCP proxy in front of the test cluster's Unix socket, for
 * fault tests: it can be frozen (stop forwarding, keep every socket open:
 * a dropped Wi-Fi link that sends no reset; new connections are accepted
 * and never answered) and thawed (forwarding resumes, nothing was lost),
 * or cut (every connection closed at once: a loud failure). */
#ifndef BOXOFFICE_TESTS_PROXY_H
#define BOXOFFICE_TESTS_PROXY_H

#include <stdbool.h>

struct proxy;

/* Listens on 127.0.0.1 on a free port and forwards each connection to the
 * Unix socket at `unix_path` (default: $PGHOST/.s.PGSQL.5432 when NULL). */
struct proxy *proxy_start(const char *unix_path);
int proxy_port(const struct proxy *p);
/* A conninfo for the proxied database: "host=127.0.0.1 port=N dbname=… user=…". */
const char *proxy_conninfo(const struct proxy *p);
void proxy_freeze(struct proxy *p);
/* Forwards requests to the server but holds its answers: the server does
 * the work (and commits) while the client hears nothing. */
void proxy_hold_answers(struct proxy *p);
/* Ends a freeze or a hold: everything held is delivered. */
void proxy_thaw(struct proxy *p);
/* Closes every open connection (the next ones are forwarded again). */
void proxy_cut(struct proxy *p);
/* Connections accepted so far. */
int proxy_accepted(const struct proxy *p);
void proxy_stop(struct proxy *p);

#endif

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
/* Freezes the proxy (as proxy_freeze) the moment a connection's server
 * has sent its n-th ReadyForQuery: the client gets that answer and
 * nothing after it (a link that goes silent right after a connect or a
 * statement). It reads the protocol, so the client must not encrypt:
 * give it proxy_conninfo_plain. Whatever the server sent in the same
 * read after that message is dropped (normally nothing: it waits for the
 * client then), so a test using it does not thaw to go on. */
void proxy_freeze_after_ready(struct proxy *p, int n);
/* Each read of a server's answer is forwarded ms later (0: at once): a
 * slow link whose every answer comes, each within a call's deadline. */
void proxy_delay_answers(struct proxy *p, int ms);
/* proxy_conninfo with sslmode=disable gssencmode=disable. */
const char *proxy_conninfo_plain(const struct proxy *p);
/* Ends a freeze or a hold: everything held is delivered. */
void proxy_thaw(struct proxy *p);
/* Closes every open connection (the next ones are forwarded again). */
void proxy_cut(struct proxy *p);
/* Connections accepted so far. */
int proxy_accepted(const struct proxy *p);
void proxy_stop(struct proxy *p);

#endif

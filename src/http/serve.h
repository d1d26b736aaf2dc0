/* `boxoffice serve`: the HTTP API, the public ticket page and My Tickets
 * (src/http/). */
#ifndef BOXOFFICE_HTTP_SERVE_H
#define BOXOFFICE_HTTP_SERVE_H

#include <stdbool.h>

struct serve_config {
	const char *conninfo;   /* NULL: libpq's environment or the embedded cluster */
	const char *station;    /* application_name of its connections */
	const char *listen;     /* ADDR:PORT, default 127.0.0.1:8080 */
	const char *tls_cert;   /* PEM files: both or neither */
	const char *tls_key;
	const char *public_url; /* how participants reach us (links), default http://LISTEN */
	int pool_size;          /* database connections, default 16 */
	int pay_within;         /* seconds a card order waits for its payment, default 900 */
	int max_connections;    /* default 1024 */
	int client_timeout;     /* seconds a request may take to arrive, and a connection may idle; default 30 */
	bool quiet;             /* no access log */
};

/* Runs until SIGTERM or SIGINT, then stops taking connections, lets the
 * requests in flight finish (up to 15 s) and returns an exit code. */
int serve_run(const struct serve_config *cfg);

#endif

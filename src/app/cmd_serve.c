/* boxoffice serve: the HTTP API and the pages for people outside the box
 * office (src/http/). */
#include <stdio.h>
#include <string.h>

#include "../http/serve.h"
#include "cli.h"
#include "commands.h"

int cmd_serve(struct cli *cli, int argc, char **argv)
{
	const char *what = "serve", *listen = NULL, *cert = NULL, *key = NULL, *threads = NULL, *url = NULL,
		   *within = NULL, *maxconn = NULL, *ctimeout = NULL;
	bool quiet = false;
	const struct cli_opt opts[] = {
		{ "listen", &listen, NULL },	  { "tls-cert", &cert, NULL },	     { "tls-key", &key, NULL },
		{ "threads", &threads, NULL },	  { "public-url", &url, NULL },      { "pay-within", &within, NULL },
		{ "max-connections", &maxconn, NULL }, { "client-timeout", &ctimeout, NULL },
		{ "quiet", NULL, &quiet }, { NULL, NULL, NULL },
	};
	struct serve_config cfg;
	long long n;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	memset(&cfg, 0, sizeof cfg);
	cfg.conninfo = cli->conninfo;
	cfg.station = cli->station;
	cfg.listen = listen;
	cfg.tls_cert = cert;
	cfg.tls_key = key;
	cfg.public_url = url;
	cfg.quiet = quiet;
	if (threads) {
		if (!cli_int(what, "threads", threads, 1, 256, &n, &rc))
			return rc;
		cfg.pool_size = (int)n;
	}
	if (within) {
		if (!cli_int(what, "pay-within", within, 10, 86400, &n, &rc))
			return rc;
		cfg.pay_within = (int)n;
	}
	if (maxconn) {
		if (!cli_int(what, "max-connections", maxconn, 8, 100000, &n, &rc))
			return rc;
		cfg.max_connections = (int)n;
	}
	if (ctimeout) {
		if (!cli_int(what, "client-timeout", ctimeout, 1, 3600, &n, &rc))
			return rc;
		cfg.client_timeout = (int)n;
	}
	return serve_run(&cfg);
}

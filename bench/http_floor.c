/* bench/http_floor: the HTTP floor of bench/serve. A bare libmicrohttpd
 * server that answers every request with one fixed JSON body (read from a
 * file: bench/serve gives it a real /availability answer, so the size is
 * the same), started with the same daemon flags and options as `boxoffice
 * serve` (src/http/server.c: a thread per connection, the poll internal
 * thread). No routes, no keys, no access log, no database.
 *
 *   http_floor PORT BODYFILE      (PORT 0: any free port)
 *
 * It listens on 127.0.0.1, prints {"listening":"http://127.0.0.1:PORT"} on
 * stderr as serve does, and runs until SIGTERM. Not a
 * benchmark of its own: bench/run.sh skips it. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *body;
static size_t body_len;

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct MHD_Response *res;
	enum MHD_Result ok;

	(void)cls, (void)url, (void)method, (void)version, (void)upload_data;
	if (!*con_cls) {
		/* as serve does: the first call only marks the request (answering
		 * in the first call made this server ~20x slower under wrk -c 64) */
		*con_cls = (void *)1;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	res = MHD_create_response_from_buffer(body_len, body, MHD_RESPMEM_PERSISTENT);
	if (!res)
		return MHD_NO;
	MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	ok = MHD_queue_response(conn, MHD_HTTP_OK, res);
	MHD_destroy_response(res);
	return ok;
}

int main(int argc, char **argv)
{
	/* the flags and options of serve_run() in src/http/server.c */
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
	struct MHD_Daemon *d;
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *di;
	sigset_t sigs;
	FILE *f;
	long n;
	int sig;

	if (argc != 3) {
		fprintf(stderr, "usage: http_floor PORT BODYFILE (a helper of bench/serve)\n");
		return 2;
	}
	if (!(f = fopen(argv[2], "rb")) || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || !(body = malloc((size_t)n + 1)) || fread(body, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "http_floor: cannot read %s\n", argv[2]);
		return 3;
	}
	fclose(f);
	body_len = (size_t)n;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)atoi(argv[1]));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(flags, 0, NULL, NULL, answer, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_CONNECTION_LIMIT,
			     (unsigned)1024, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)512,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
			     (size_t)(64 * 1024), MHD_OPTION_THREAD_STACK_SIZE, (size_t)(512 * 1024),
			     MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "http_floor: cannot listen on port %s\n", argv[1]);
		return 3;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "{\"listening\":\"http://127.0.0.1:%u\"}\n", di ? di->port : 0);
	fflush(stderr);
	sigwait(&sigs, &sig);
	MHD_stop_daemon(d);
	free(body);
	return 0;
}

/* `boxoffice serve --tls-cert F --tls-key F`: a certificate for 127.0.0.1
 * from src/sh/tls-ca.sh; libcurl trusting that CA gets its answers over
 * TLS, libcurl without it is refused, and plain HTTP to the TLS port
 * fails cleanly (no answer that looks like one, the connection ends, the
 * server goes on serving). Missing or wrong TLS files: a clear exit. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "helpers.h"
#include "http.h"

static PGconn *conn;
static char dir[300], ca[340], cert[340], key[340];

static int setup(void **state)
{
	const char *tmp = getenv("BOXOFFICE_TEST_TMP");
	struct run_result r;

	(void)state;
	conn = test_migrate_connect();
	snprintf(dir, sizeof dir, "%s/serve-tls-%d", tmp ? tmp : "/tmp", (int)getpid());
	r = run_cmd("sh src/sh/tls-ca.sh '%s' 127.0.0.1 localhost", dir);
	if (r.status != 0)
		fprintf(stderr, "tls-ca.sh: %s%s\n", r.out, r.err);
	run_free(&r);
	snprintf(ca, sizeof ca, "%s/ca.crt", dir);
	snprintf(cert, sizeof cert, "%s/server.crt", dir);
	snprintf(key, sizeof key, "%s/server.key", dir);
	return access(cert, R_OK) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	http_set_ca(NULL);
	PQfinish(conn);
	return 0;
}

/* Plain HTTP to a TLS port: what comes back within 10 s (NUL-terminated
 * in buf) and whether the server ended the connection. */
static bool plain_http(int port, char *buf, size_t size)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	const char req[] = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	size_t n = 0;
	bool ended = false;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(send(fd, req, sizeof req - 1, MSG_NOSIGNAL), (ssize_t)(sizeof req - 1));
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t got;
		if (poll(&p, 1, 10000) <= 0)
			break;
		got = recv(fd, buf + n, size - 1 - n, 0);
		if (got <= 0) {
			ended = got == 0 || errno == ECONNRESET;
			break;
		}
		n += (size_t)got;
		if (n == size - 1)
			break;
	}
	buf[n] = '\0';
	close(fd);
	return ended;
}

static void test_serve_over_tls_with_the_ca_and_refused_without(void **state)
{
	struct served s;
	const char *const args[] = { "--tls-cert", cert, "--tls-key", key, NULL };
	long long ev = make_event(unique_name("TLS"), "2027-08-01", 0);
	char path[100], buf[4096], *log;
	struct http_answer a;
	bool ended;

	(void)state;
	make_type(ev, "Adult", 10, 1000, 1);
	http_set_ca(ca);
	serve_start(&s, args); /* /health answered over https, the CA trusted */
	assert_true(strncmp(s.url, "https://", 8) == 0);
	snprintf(path, sizeof path, "/availability?event=%lld", ev);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 200);
	{
		json_t *doc = json_loads(a.body, 0, NULL);
		assert_int_equal(json_integer_value(json_object_get(json_array_get(doc, 0), "available")), 10);
		json_decref(doc);
	}
	http_answer_free(&a);
	log = serve_log(&s);
	assert_non_null(strstr(log, "\"listening\":\"https://127.0.0.1:"));
	free(log);

	/* without the CA: libcurl refuses the certificate, no answer */
	http_set_ca("/dev/null");
	a = http_do(&s, "GET", "/health", NULL, NULL, NULL);
	assert_int_equal(a.status, 0);
	http_answer_free(&a);
	http_set_ca(ca);

	/* plain HTTP to the TLS port: no HTTP answer, and the connection ends */
	ended = plain_http(s.port, buf, sizeof buf);
	if (strstr(buf, "HTTP/1.1 200"))
		fail_msg("plain HTTP to the TLS port was answered: %s", buf);
	assert_true(ended);
	{
		char url[80];
		snprintf(url, sizeof url, "http://127.0.0.1:%d/health", s.port);
		a = http_do(NULL, "GET", url, NULL, NULL, NULL);
		assert_true(a.status == 0 || a.status >= 400);
		http_answer_free(&a);
	}
	/* and TLS goes on working */
	a = http_do(&s, "GET", "/health", NULL, NULL, NULL);
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	assert_int_equal(serve_stop(&s), 0);
	http_set_ca(NULL);
}

static void test_missing_or_wrong_tls_files_are_a_clear_exit(void **state)
{
	struct run_result r;

	(void)state;
	r = run_cmd("$BOXOFFICE serve --listen 127.0.0.1:0 --tls-cert '%s' --tls-key /nonexistent/key.pem", cert);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "/nonexistent/key.pem"));
	run_free(&r);
	r = run_cmd("$BOXOFFICE serve --listen 127.0.0.1:0 --tls-cert '%s'", cert);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "--tls-key"));
	run_free(&r);
	/* a key that is not the certificate's kind of file */
	r = run_cmd("$BOXOFFICE serve --listen 127.0.0.1:0 --tls-cert '%s' --tls-key '%s'", ca, ca);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "boxoffice: serve: cannot listen"));
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_over_tls_with_the_ca_and_refused_without),
		cmocka_unit_test(test_missing_or_wrong_tls_files_are_a_clear_exit),
	};
	return cmocka_run_group_tests_name("serve_tls", tests, setup, teardown);
}

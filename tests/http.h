/* Tests of `boxoffice serve`: the real binary started on a free loopback
 * port, and requests made with libcurl (every one with a deadline). */
#ifndef BOXOFFICE_TESTS_HTTP_H
#define BOXOFFICE_TESTS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct served {
	pid_t pid;
	int port;
	char url[64];  /* http://127.0.0.1:PORT */
	char log[256]; /* its stderr: the access log */
};

/* The CA file every later request trusts (https), or NULL for the
 * system's. */
void http_set_ca(const char *ca_file);

/* Starts `$BOXOFFICE [PRE…] serve --listen 127.0.0.1:PORT [EXTRA…]`
 * (extra_args: NULL-ended, may be NULL) and waits (10 s at most) until
 * /health answers (over https when extra_args has --tls-cert). Fails the test when it does not. */
void serve_start(struct served *s, const char *const *extra_args);
/* The same with options before `serve` (-d CONNINFO, --station NAME) and
 * an environment override ("PGUSER=name" or NULL). */
void serve_start_as(struct served *s, const char *env, const char *const *pre_args, const char *const *extra_args);
/* SIGTERM, then waits (20 s at most; then SIGKILL and a failure); the exit status. */
int serve_stop(struct served *s);
/* The access log so far (malloc'd). */
char *serve_log(const struct served *s);

struct http_answer {
	long status;     /* 0: no answer (connection failed or timed out) */
	char *body;      /* NUL-terminated */
	size_t len;
	char *headers;   /* the raw response header block */
};
/* One request: method, URL (absolute, or a path under s->url when s is
 * given), optional Bearer key, JSON body (Content-Type application/json
 * when body is given and no Content-Type is in headers), extra header lines
 * ("Name: value", NULL-ended). Timeout 20 s. */
struct http_answer http_do(const struct served *s, const char *method, const char *path, const char *key,
			   const char *body, const char *const *headers);
void http_answer_free(struct http_answer *a);
/* A header's value from an answer (static buffer), or NULL. */
const char *http_answer_header(const struct http_answer *a, const char *name);

/* `$BOXOFFICE apikey add ARGS --json` → the key text (malloc'd); *id set when given. */
char *apikey_new(long long *id, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

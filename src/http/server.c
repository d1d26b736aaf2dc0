/* The daemon: libmicrohttpd with a thread per connection, request bodies
 * bounded, one JSON access-log line per request, routes from routes.c,
 * and a clean stop on SIGTERM (no new connections, requests in flight
 * finish, live streams end). */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../core/validate.h"
#include "../db/api.h"
#include "../db/async.h"
#include "../db/db.h"
#include "../db/inventory.h"
#include "http.h"

/* How long a request waits for a free database connection. */
#define POOL_WAIT_MS 5000
/* How long SIGTERM waits for requests in flight (the whole stop is cut at
 * STOP_MS). */
#define DRAIN_MS 12000

/* ---- answers ---- */

bool http_send(struct request *r, unsigned status, const char *content_type, const void *data, size_t len,
	       const char *const *headers)
{
	struct MHD_Response *res;
	enum MHD_Result ok;

	if (r->answered)
		return false;
	res = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
	if (!res)
		return false;
	if (content_type)
		MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(res, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(res, "Cache-Control", "no-store");
	for (int i = 0; headers && headers[i] && headers[i + 1]; i += 2)
		MHD_add_response_header(res, headers[i], headers[i + 1]);
	ok = MHD_queue_response(r->conn, status, res);
	MHD_destroy_response(res);
	if (ok != MHD_YES)
		return false; /* not queued (mid-upload): not answered */
	r->answered = true;
	r->status = (int)status;
	r->bytes = len;
	return true;
}

bool http_json(struct request *r, unsigned status, json_t *doc)
{
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	bool ok;

	json_decref(doc);
	if (!text)
		return http_bytes(r, 500, "application/json", "{\"error\":\"out of memory\"}", 25);
	ok = http_send(r, status, "application/json", text, strlen(text), NULL);
	free(text);
	return ok;
}

bool http_error(struct request *r, unsigned status, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	json_t *doc;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	doc = json_pack("{s:s}", "error", msg);
	return http_json(r, status, doc);
}

bool http_bytes(struct request *r, unsigned status, const char *content_type, const void *data, size_t len)
{
	return http_send(r, status, content_type, data, len, NULL);
}

bool http_html(struct request *r, unsigned status, const char *html)
{
	return http_send(r, status, "text/html; charset=utf-8", html, strlen(html), NULL);
}

unsigned http_db_status(const struct db *db)
{
	const char *s = db->sqlstate;
	unsigned status;

	if (!s[0])
		status = db->status == DB_FAILED ? 503 : db->status == DB_BADINPUT ? 400 : 409;
	else if (strcmp(s, "28000") == 0)
		status = 401;
	else if (strcmp(s, "42501") == 0)
		status = 403;
	else if (strcmp(s, "BX001") == 0)
		status = 404;
	else if (strcmp(s, "BX021") == 0 || strncmp(s, "22", 2) == 0)
		status = 400;
	else if (strncmp(s, "BX", 2) == 0 || strncmp(s, "23", 2) == 0)
		status = 409;
	else if (db_error_is_transient(db))
		status = 503;
	else
		status = 500;
	return status;
}

bool http_db_error(struct request *r, struct db *db)
{
	const char *retry[] = { "Retry-After", "1", NULL };
	unsigned status = http_db_status(db);
	char msg[700];
	json_t *doc;
	char *text;

	if (status == 503 && db_answer_lost(db) && strcmp(r->method, "POST") == 0 && r->idem_from)
		/* the statement may have reached the server before the link went */
		snprintf(msg, sizeof msg,
			 "%s: the change may or may not have been made; repeat the request with the same %s to "
			 "find out",
			 db->err, r->idem_from);
	else if (status == 503 && db_answer_lost(db) && strcmp(r->method, "POST") == 0)
		/* no key of the client's to name: a repeat may make it twice */
		snprintf(msg, sizeof msg, "%s: the change may or may not have been made; check before repeating it",
			 db->err);
	else
		snprintf(msg, sizeof msg, "%s", db->err);
	doc = json_pack("{s:s}", "error", msg);
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!text)
		return false;
	http_send(r, status, "application/json", text, strlen(text), status == 503 ? retry : NULL);
	free(text);
	return true;
}

/* ---- request helpers ---- */

struct db *http_db(struct request *r)
{
	struct db *db = pool_take(r->srv->pool, POOL_WAIT_MS);

	if (!db) {
		const char *retry[] = { "Retry-After", "1", NULL };
		const char msg[] = "{\"error\":\"the database is busy or unreachable; try again\"}";
		http_send(r, 503, "application/json", msg, strlen(msg), retry);
	}
	return db;
}

void http_db_done(struct request *r, struct db *db)
{
	if (db)
		pool_give(r->srv->pool, db);
}

const char *http_arg(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(struct request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

long long http_id(const char *text)
{
	long long v = 0;

	if (!text || !*text)
		return 0;
	for (; *text; text++) {
		int d = *text - '0';
		/* up to the last bigint (2^63 - 1): a valid id that may not exist */
		if (d < 0 || d > 9 || v > (LLONG_MAX - d) / 10)
			return 0;
		v = v * 10 + d;
	}
	return v;
}

/* The idempotency key: the Idempotency-Key header or the body's field; a
 * request giving both must give the same. false after answering 400. */
bool http_idempotency_key(struct request *r, json_t *body, const char **key)
{
	const char *h = http_header(r, "Idempotency-Key");
	json_t *f = json_object_get(body, "idempotency_key");
	const char *why;

	*key = NULL;
	if (f && !json_is_null(f) && !json_is_string(f)) {
		http_error(r, 400, "idempotency_key must be a string");
		return false;
	}
	if (h && f && json_is_string(f) && strcmp(h, json_string_value(f)) != 0) {
		http_error(r, 400, "the Idempotency-Key header and the idempotency_key field differ");
		return false;
	}
	*key = h ? h : (json_is_string(f) ? json_string_value(f) : NULL);
	r->idem_from = h ? "Idempotency-Key" : *key ? "idempotency_key" : NULL;
	/* 1 to 150 characters, as api_adjust and api_order count them */
	if (*key && (why = validate_text(*key, 150, true))) {
		http_error(r, 400, "the idempotency key %s", why);
		return false;
	}
	return true;
}

bool http_type_is(const char *header, const char *type)
{
	size_t n = strlen(type);

	if (!header || strncasecmp(header, type, n) != 0)
		return false;
	for (header += n; *header == ' ' || *header == '\t'; header++)
		;
	return *header == '\0' || *header == ';';
}

json_t *http_body_json(struct request *r)
{
	const char *type = http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
	json_error_t err;
	json_t *doc;

	if (!http_type_is(type, "application/json")) {
		http_error(r, 415, "send the request as Content-Type: application/json");
		return NULL;
	}
	if (!r->len) {
		http_error(r, 400, "the request has no body");
		return NULL;
	}
	doc = json_loadb(r->body, r->len, JSON_REJECT_DUPLICATES, &err);
	if (!doc) {
		http_error(r, 400, "malformed JSON at line %d, column %d: %s", err.line, err.column, err.text);
		return NULL;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		http_error(r, 400, "the request must be a JSON object");
		return NULL;
	}
	return doc;
}

/* ---- the access log ---- */

static void json_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
}

/* One access-log line, built in memory: stderr is unbuffered, so each
 * fprintf of it was a write(2) of its own (dozens a request, serialised
 * by the stream's lock); the line now goes out in one write. */
struct log_line {
	char b[8192];
	size_t n;
};

static void log_put(struct log_line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void log_put(struct log_line *l, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	k = vsnprintf(l->b + l->n, sizeof l->b - l->n, fmt, ap);
	va_end(ap);
	if (k > 0)
		l->n += (size_t)k < sizeof l->b - l->n ? (size_t)k : sizeof l->b - l->n - 1;
}

/* s escaped as JSON string content, at most 1,300 bytes of it (a method
 * of absurd length is cut; the line stays valid JSON). */
static void log_escaped(struct log_line *l, const char *s)
{
	size_t limit = l->n + 1300 < sizeof l->b - 64 ? l->n + 1300 : sizeof l->b - 64;

	for (; s && *s && l->n + 6 < limit; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			l->b[l->n++] = '\\';
			l->b[l->n++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			l->n += (size_t)snprintf(l->b + l->n, 7, "\\u%04x", c);
		} else {
			l->b[l->n++] = (char)c;
		}
	}
}

static void access_log(const struct request *r)
{
	struct timespec ts;
	struct tm tm;
	char at[40];
	char path[200];
	struct log_line l;

	if (r->srv->cfg.quiet)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%S", &tm);
	/* the path without the query (a signed link is a secret) */
	snprintf(path, sizeof path, "%s", r->url ? r->url : "");
	if (strncmp(path, "/my/", 4) == 0)
		snprintf(path + 4, sizeof path - 4, "…");
	l.n = 0;
	log_put(&l, "{\"at\":\"%s.%03ldZ\",\"ip\":\"", at, ts.tv_nsec / 1000000);
	log_escaped(&l, r->client);
	log_put(&l, "\",\"method\":\"");
	log_escaped(&l, r->method);
	log_put(&l, "\",\"path\":\"");
	log_escaped(&l, path);
	log_put(&l, "\",\"status\":%d,\"ms\":%.1f,\"bytes\":%zu", r->status, (double)(db_now_ms() - r->started_ms),
		r->bytes);
	if (r->key.id) {
		log_put(&l, ",\"key\":\"");
		log_escaped(&l, r->key.channel[0] ? r->key.channel : r->key.app);
		log_put(&l, ":");
		log_escaped(&l, r->key.name);
		log_put(&l, "\"");
	}
	log_put(&l, "}\n");
	fwrite(l.b, 1, l.n, stderr);
}

/* ---- a request must arrive whole within the client timeout ----
 * MHD's connection timeout counts idleness only: a client sending one
 * byte a second (of its headers or its body) would hold its thread for
 * ever. Each connection's clock runs from its start (or the end of its
 * previous request) until its request is in; the housekeeping thread shuts
 * down connections whose request has not arrived within the timeout. */

static void watch_clock(struct server *srv, struct MHD_Connection *conn, bool run)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_watch *w = ci ? ci->socket_context : NULL;

	if (!w)
		return;
	pthread_mutex_lock(&srv->lock);
	w->since_ms = run ? db_now_ms() : 0;
	pthread_mutex_unlock(&srv->lock);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	struct server *srv = cls;
	struct conn_watch *w = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!ci || !(w = calloc(1, sizeof *w)))
			return;
		w->fd = ci->connect_fd;
		w->since_ms = db_now_ms();
		pthread_mutex_lock(&srv->lock);
		w->next = srv->watches;
		if (w->next)
			w->next->prev = w;
		srv->watches = w;
		pthread_mutex_unlock(&srv->lock);
		*socket_context = w;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && w) {
		pthread_mutex_lock(&srv->lock);
		if (w->prev)
			w->prev->next = w->next;
		else
			srv->watches = w->next;
		if (w->next)
			w->next->prev = w->prev;
		pthread_mutex_unlock(&srv->lock);
		free(w);
		*socket_context = NULL;
	}
}

/* Shuts down the connections whose request is late (the socket stays
 * MHD's: its thread sees the end and closes it). */
static void watch_sweep(struct server *srv)
{
	long long now = db_now_ms(), limit = (long long)srv->cfg.client_timeout * 1000;
	int cut = 0;

	pthread_mutex_lock(&srv->lock);
	for (struct conn_watch *w = srv->watches; w; w = w->next)
		if (w->since_ms && !w->cut && now - w->since_ms > limit) {
			shutdown(w->fd, SHUT_RDWR);
			w->cut = true;
			cut++;
		}
	pthread_mutex_unlock(&srv->lock);
	if (cut && !srv->cfg.quiet) {
		flockfile(stderr);
		fprintf(stderr, "{\"server\":\"%d connection(s) closed: no whole request within %d s\"}\n", cut,
			srv->cfg.client_timeout);
		fflush(stderr);
		funlockfile(stderr);
	}
}

/* ---- the request cycle ---- */

static void client_address(struct request *r)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	r->client[0] = '\0';
	if (!sa)
		return;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->client, sizeof r->client);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, r->client,
			  sizeof r->client);
}

static void dispatch(struct request *r)
{
	const char *path = r->url;
	bool path_known = false, exact_known = false;

	for (const struct route *rt = routes; rt->path; rt++) {
		size_t n = strlen(rt->path);
		bool prefix = rt->path[n - 1] == '/' && n > 1;
		const char *tail;
		if (prefix ? strncmp(path, rt->path, n) != 0 : strcmp(path, rt->path) != 0)
			continue;
		/* an endpoint's own path never falls through to a family's prefix
		 * (GET /tickets/adjust is 405, not a ticket's QR) */
		if (prefix && exact_known)
			continue;
		if (!prefix)
			exact_known = true;
		path_known = true;
		if (strcmp(r->method, rt->method) != 0 && !(strcmp(r->method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0))
			continue;
		tail = prefix ? path + n : "";
		rt->fn(r, tail);
		if (!r->answered)
			http_error(r, 500, "no answer was made");
		return;
	}
	if (path_known) {
		const char *hdrs[] = { "Allow", "GET, POST", NULL };
		json_t *doc = json_pack("{s:s}", "error", "that method is not allowed here");
		char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
		json_decref(doc);
		if (text)
			http_send(r, 405, "application/json", text, strlen(text), hdrs);
		free(text);
		return;
	}
	http_error(r, 404, "no such endpoint; see /openapi.json");
}

/* The body cap of a path: platforms' orders can exceed 64 KiB. */
static size_t body_max(const char *url)
{
	return url && strncmp(url, "/webhooks/", 10) == 0 ? HTTP_WEBHOOK_BODY_MAX : HTTP_BODY_MAX;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct server *srv = cls;
	struct request *r = *con_cls;

	(void)version;
	if (!r) {
		const char *cl;
		r = calloc(1, sizeof *r);
		if (!r)
			return MHD_NO;
		r->srv = srv;
		r->conn = conn;
		r->url = url;
		r->method = method;
		r->started_ms = db_now_ms();
		client_address(r);
		*con_cls = r;
		pthread_mutex_lock(&srv->lock);
		srv->inflight++;
		pthread_mutex_unlock(&srv->lock);
		r->body_max = body_max(url);
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && (strlen(cl) > 9 || strtoll(cl, NULL, 10) > (long long)r->body_max)) {
			r->too_big = true;
			http_error(r, 413, "the request body is larger than %zu bytes", r->body_max);
		}
		if (srv->stopping && !r->answered) {
			const char *hdrs[] = { "Retry-After", "5", "Connection", "close", NULL };
			const char msg[] = "{\"error\":\"the server is stopping\"}";
			http_send(r, 503, "application/json", msg, strlen(msg), hdrs);
		}
		return MHD_YES;
	}
	if (*upload_data_size) {
		/* MHD 0.9.75 queues no answer while a body is arriving: a body
		 * past the cap (chunked, so not known at the start) is read and
		 * dropped, and the 413 goes at the end of it */
		if (!r->answered && r->len + *upload_data_size > r->body_max) {
			r->too_big = true;
			free(r->body);
			r->body = NULL;
			r->len = 0;
		}
		if (!r->answered && !r->too_big) {
			char *b = realloc(r->body, r->len + *upload_data_size + 1);
			if (!b)
				return MHD_NO;
			r->body = b;
			memcpy(r->body + r->len, upload_data, *upload_data_size);
			r->len += *upload_data_size;
			r->body[r->len] = '\0';
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	watch_clock(srv, conn, false); /* the request is in */
	if (!r->answered && r->too_big)
		http_error(r, 413, "the request body is larger than %zu bytes", r->body_max);
	else if (!r->answered)
		dispatch(r);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct request *r = *con_cls;

	watch_clock(srv, conn, true); /* the next request's clock */
	if (!r)
		return;
	if (!r->answered)
		r->status = toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? 408 : 499; /* the client left */
	access_log(r);
	free(r->body);
	free(r);
	*con_cls = NULL;
	pthread_mutex_lock(&srv->lock);
	srv->inflight--;
	pthread_cond_broadcast(&srv->idle);
	pthread_mutex_unlock(&srv->lock);
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				     : -1;
}

/* MHD's unescape for the path and the query's names and values, except
 * that %00 stays as it is: a NUL would end the text there, so
 * /events/1%00x was event 1; kept, it is junk after the id (404, or 400
 * for an id in the query). It never makes the text longer (MHD's rule). */
static size_t url_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char *r = s, *w = s;

	(void)cls;
	(void)conn;
	while (*r) {
		int hi = *r == '%' ? hex_digit(r[1]) : -1, lo = hi >= 0 ? hex_digit(r[2]) : -1;
		if (lo >= 0 && (hi | lo)) {
			*w++ = (char)(hi << 4 | lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct server *srv = cls;
	char msg[400];
	size_t n;

	if (srv->cfg.quiet)
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	n = strcspn(msg, "\n");
	msg[n] = '\0';
	flockfile(stderr);
	fprintf(stderr, "{\"server\":\"");
	json_escape(stderr, msg);
	fprintf(stderr, "\"}\n");
	funlockfile(stderr);
}

/* ---- housekeeping: holds and unpaid card orders lapse on time ---- */

static void *housekeeping(void *arg)
{
	struct server *srv = arg;

	while (!srv->stopping) {
		struct db *db = pool_take(srv->pool, 1000);
		if (db) {
			/* stopping: not a second call on a database that may be
			 * silent (each waits up to its deadline) */
			if (db_inventory_reap(db) < 0 || (!srv->stopping && db_order_payment_expire(db) < 0))
				if (!srv->cfg.quiet && db->sqlstate[0] && strcmp(db->sqlstate, "42501") == 0) {
					fprintf(stderr, "{\"server\":\"housekeeping refused: %s\"}\n", db->err);
				}
			pool_give(srv->pool, db);
		}
		for (int i = 0; i < 10 && !srv->stopping; i++) {
			watch_sweep(srv);
			usleep(100 * 1000);
		}
	}
	return NULL;
}

/* ---- start and stop ---- */

/* The whole stop within STOP_MS of the signal (README: 15 s at most): with
 * the database silent, the drain, the housekeeping call in flight and the
 * outbox's last report each wait up to their deadlines, one after another
 * (17.1 s measured). What is not done by then is cut: the process ends. */
#define STOP_MS 14500

static void *stop_watchdog(void *arg)
{
	struct server *srv = arg;

	usleep(STOP_MS * 1000);
	if (!srv->cfg.quiet) {
		const char msg[] = "{\"stopped\":\"cut short: the database did not answer within 15 s\"}\n";
		if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
			/* nothing to do */
		}
	}
	_exit(0);
	return NULL;
}

static bool read_file(const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	long n;

	*out = NULL;
	if (!f)
		return false;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > 1024 * 1024 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(*out = malloc((size_t)n + 1)) || fread(*out, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(*out);
		*out = NULL;
		return false;
	}
	(*out)[n] = '\0';
	fclose(f);
	return true;
}

static bool parse_listen(const char *text, struct sockaddr_storage *ss, socklen_t *len, char *err, size_t size)
{
	char host[256], port[16];
	const char *colon;
	struct addrinfo hints, *ai = NULL;
	int rc;

	if (text[0] == '[') {
		const char *end = strchr(text, ']');
		if (!end || end[1] != ':' || (size_t)(end - text - 1) >= sizeof host) {
			snprintf(err, size, "--listen %s: give [ADDR]:PORT", text);
			return false;
		}
		memcpy(host, text + 1, (size_t)(end - text - 1));
		host[end - text - 1] = '\0';
		colon = end + 1;
	} else {
		colon = strrchr(text, ':');
		if (!colon || (size_t)(colon - text) >= sizeof host) {
			snprintf(err, size, "--listen %s: give ADDR:PORT", text);
			return false;
		}
		memcpy(host, text, (size_t)(colon - text));
		host[colon - text] = '\0';
	}
	snprintf(port, sizeof port, "%s", colon + 1);
	if (!port[0] || strspn(port, "0123456789") != strlen(port) || atoi(port) > 65535) {
		snprintf(err, size, "--listen %s: the port must be 0 to 65535", text);
		return false;
	}
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &ai);
	if (rc != 0 || !ai) {
		snprintf(err, size, "--listen %s: %s", text, gai_strerror(rc));
		return false;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return true;
}

/* Twice the cores, 4 to 16: sales over more connections than that cost
 * more CPU each (README "Contended sales"; on 2 cores 16 connections sold
 * 443-479 a second over HTTP, 4 sold 643). */
static int default_pool_size(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	long n = cores > 0 ? 2 * cores : 4;
	return (int)(n < 4 ? 4 : n > 16 ? 16 : n);
}

int serve_run(const struct serve_config *cfg_in)
{
	struct server srv;
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	char err[300], *cert = NULL, *key = NULL;
	sigset_t sigs;
	pthread_t keeper;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;
	const union MHD_DaemonInfo *di;
	struct db *probe;
	int sig = 0, rc = 0;
	bool keeper_started;

	memset(&srv, 0, sizeof srv);
	srv.cfg = *cfg_in;
	if (!srv.cfg.listen)
		srv.cfg.listen = "127.0.0.1:8080";
	if (srv.cfg.pool_size <= 0)
		srv.cfg.pool_size = default_pool_size();
	if (srv.cfg.pay_within <= 0)
		srv.cfg.pay_within = 900;
	if (srv.cfg.max_connections <= 0)
		srv.cfg.max_connections = 1024;
	if (srv.cfg.client_timeout <= 0)
		srv.cfg.client_timeout = 30;
	if (!parse_listen(srv.cfg.listen, &ss, &sslen, err, sizeof err)) {
		fprintf(stderr, "boxoffice: serve: %s\n", err);
		return 2;
	}
	if ((srv.cfg.tls_cert != NULL) != (srv.cfg.tls_key != NULL)) {
		fprintf(stderr, "boxoffice: serve: --tls-cert and --tls-key go together\n");
		return 2;
	}
	if (srv.cfg.tls_cert) {
		if (!read_file(srv.cfg.tls_cert, &cert) || !read_file(srv.cfg.tls_key, &key)) {
			fprintf(stderr, "boxoffice: serve: cannot read %s: %s\n", cert ? srv.cfg.tls_key : srv.cfg.tls_cert,
				strerror(errno ? errno : EINVAL));
			free(cert);
			return 2;
		}
		flags |= MHD_USE_TLS;
	}

	/* Signals are taken by this thread alone (sigwait below). */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	pthread_mutex_init(&srv.lock, NULL);
	pthread_cond_init(&srv.idle, NULL);
	srv.pool = pool_new(srv.cfg.conninfo, srv.cfg.station, srv.cfg.pool_size);
	srv.keys = key_cache_new();
	srv.door_keys = door_keys_new();
	srv.stripe = provider_secret_new("stripe");
	srv.webhooks = webhooks_new(&srv);
	if (!srv.pool || !srv.keys || !srv.door_keys || !srv.stripe || !srv.webhooks) {
		fprintf(stderr, "boxoffice: serve: out of memory\n");
		rc = 3;
		goto out;
	}
	/* The database must answer before we say we listen. */
	probe = pool_take(srv.pool, 10000);
	if (!probe) {
		fprintf(stderr, "boxoffice: serve: cannot reach the database\n");
		rc = 3;
		goto out;
	}
	if (!db_link_secret(probe, srv.link_secret, sizeof srv.link_secret)) {
		fprintf(stderr, "boxoffice: serve: %s\n",
			probe->err[0] ? probe->err : "the database has no link secret (run boxoffice migrate)");
		pool_give(srv.pool, probe);
		rc = probe->status == DB_FORBIDDEN ? 4 : 3;
		goto out;
	}
	/* ...and let this login do serve's work: a login without the api
	 * role (a clerk's) read the link secret, reported healthy, and
	 * answered every key 403 "permission denied for function ..." */
	{
		json_t *none = db_api_key_get(probe, 0);
		if (!none) {
			if (probe->status == DB_FORBIDDEN)
				fprintf(stderr,
					"boxoffice: serve: this database login may not run serve (it needs the api "
					"role: boxoffice user add NAME --role api)\n");
			else
				fprintf(stderr, "boxoffice: serve: %s\n", probe->err);
			rc = probe->status == DB_FORBIDDEN ? 4 : 3;
			pool_give(srv.pool, probe);
			goto out;
		}
		json_decref(none);
	}
	pool_give(srv.pool, probe);
	srv.live = live_start(&srv);
	if (!srv.live) {
		fprintf(stderr, "boxoffice: serve: cannot start the live availability listener\n");
		rc = 3;
		goto out;
	}
	srv.daemon = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, &srv, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, &srv,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, &srv, MHD_OPTION_NOTIFY_CONNECTION, on_connection, &srv,
		MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)srv.cfg.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)512,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)srv.cfg.client_timeout, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_THREAD_STACK_SIZE, (size_t)(512 * 1024), MHD_OPTION_UNESCAPE_CALLBACK, url_unescape, NULL,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
		MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
	if (!srv.daemon) {
		fprintf(stderr, "boxoffice: serve: cannot listen on %s: %s\n", srv.cfg.listen,
			errno ? strerror(errno) : "the address is taken or the TLS files are not a certificate and key");
		rc = 3;
		goto out;
	}
	di = MHD_get_daemon_info(srv.daemon, MHD_DAEMON_INFO_BIND_PORT);
	{
		char host[64] = "";
		if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)&ss)->sin6_addr, host, sizeof host);
		else
			inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)&ss)->sin_addr, host, sizeof host);
		fprintf(stderr, "{\"listening\":\"%s://%s%s%s:%u\"}\n", cert ? "https" : "http",
			ss.ss_family == AF_INET6 ? "[" : "", host, ss.ss_family == AF_INET6 ? "]" : "",
			di ? di->port : 0);
		fflush(stderr);
	}
	keeper_started = pthread_create(&keeper, NULL, housekeeping, &srv) == 0;
	webhooks_start(srv.webhooks);
	srv.outbox = outbox_start(&srv); /* pushes to connected platforms (db/038) */
	if (!srv.outbox)
		fprintf(stderr, "{\"server\":\"the outbox worker did not start: nothing is pushed to platforms\"}\n");

	while (sigwait(&sigs, &sig) == 0 && sig == SIGHUP)
		key_cache_forget(srv.keys, 0); /* HUP: forget cached keys */

	/* Stop: no new connections; what is in flight finishes. */
	srv.stopping = 1;
	{
		pthread_t dog;
		if (pthread_create(&dog, NULL, stop_watchdog, &srv) == 0)
			pthread_detach(dog);
	}
	MHD_quiesce_daemon(srv.daemon);
	{
		long long until = db_now_ms() + DRAIN_MS;
		pthread_mutex_lock(&srv.lock);
		while (srv.inflight > 0 && db_now_ms() < until) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 50 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&srv.idle, &srv.lock, &ts);
		}
		pthread_mutex_unlock(&srv.lock);
	}
	outbox_stop(srv.outbox);
	srv.outbox = NULL;
	MHD_stop_daemon(srv.daemon);
	if (keeper_started)
		pthread_join(keeper, NULL);
	if (!srv.cfg.quiet)
		fprintf(stderr, "{\"stopped\":\"%s\"}\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
out:
	srv.stopping = 1;
	webhooks_free(srv.webhooks);
	if (srv.live)
		live_stop(srv.live);
	key_cache_free(srv.keys);
	door_keys_free(srv.door_keys);
	provider_secret_free(srv.stripe);
	pool_free(srv.pool);
	free(cert);
	free(key);
	pthread_mutex_destroy(&srv.lock);
	pthread_cond_destroy(&srv.idle);
	return rc;
}

#include "db.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../core/util.h"
#include "async.h"

#define DEFAULT_DEADLINE_MS 10000

#ifndef BOXOFFICE_VARDIR
#define BOXOFFICE_VARDIR "var"
#endif

static bool env_names_server(void)
{
	static const char *const vars[] = { "PGHOST", "PGHOSTADDR", "PGDATABASE",
					    "PGSERVICE", "PGPORT", NULL };
	for (int i = 0; vars[i]; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return true;
	}
	return false;
}

/* One entry of a host or hostaddr list that stays on this machine: empty
 * (libpq's default, the local socket), a Unix-socket path, localhost,
 * 127.0.0.0/8 or ::1. */
static bool local_host(const char *h, size_t n)
{
	char name[256];
	unsigned char a[16];

	if (n == 0)
		return true;
	if (n >= sizeof name)
		return false;
	memcpy(name, h, n);
	name[n] = '\0';
	if (name[0] == '/' || name[0] == '@') /* libpq: a path or an abstract socket */
		return true;
	if (strcasecmp(name, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, name, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, name, a) == 1) {
		static const unsigned char loopback[16] = { [15] = 1 };
		static const unsigned char v4mapped[12] = { [10] = 0xff, [11] = 0xff };
		return memcmp(a, loopback, 16) == 0 || (memcmp(a, v4mapped, 12) == 0 && a[12] == 127);
	}
	return false;
}

static bool names_network_host(const char *list)
{
	for (const char *p = list; p;) {
		size_t n = strcspn(p, ",");
		if (!local_host(p, n))
			return true;
		p = p[n] ? p + n + 1 : NULL;
	}
	return false;
}

static const char *conn_option(const PQconninfoOption *o, const char *keyword)
{
	for (; o && o->keyword; o++)
		if (strcmp(o->keyword, keyword) == 0)
			return o->val;
	return NULL;
}

/* libpq's default sslmode, prefer, takes any certificate or none at all: a
 * station that reaches its server over a network verifies the server's
 * certificate and name unless the connection (conninfo or URI), PGSSLMODE
 * or a service file says otherwise. The host is the conninfo's (host or
 * hostaddr, any of several), else PGHOST/PGHOSTADDR; a conninfo libpq
 * cannot parse is left to libpq's own message. */
static bool wants_verify_full(const char *conninfo)
{
	PQconninfoOption *given = NULL, *env;
	const char *host, *hostaddr, *v;
	bool network;

	if (((v = getenv("PGSSLMODE")) && *v) || ((v = getenv("PGREQUIRESSL")) && *v) ||
	    ((v = getenv("PGSERVICE")) && *v))
		return false;
	/* libpq expands dbname only when it looks like a conninfo or URI */
	if (conninfo && (strchr(conninfo, '=') || strncmp(conninfo, "postgresql://", 13) == 0 ||
			 strncmp(conninfo, "postgres://", 11) == 0)) {
		char *err = NULL;
		if (!(given = PQconninfoParse(conninfo, &err))) {
			PQfreemem(err);
			return false;
		}
	}
	if (conn_option(given, "sslmode") || conn_option(given, "requiressl") ||
	    conn_option(given, "service")) {
		PQconninfoFree(given);
		return false;
	}
	env = PQconndefaults();
	host = conn_option(given, "host");
	hostaddr = conn_option(given, "hostaddr");
	network = names_network_host(host ? host : conn_option(env, "host")) ||
		  names_network_host(hostaddr ? hostaddr : conn_option(env, "hostaddr"));
	PQconninfoFree(env);
	PQconninfoFree(given);
	return network;
}

struct db *db_new(const char *conninfo, const char *station)
{
	struct db *db = xcalloc(1, sizeof *db);
	int k = 0;

	const char *deadline = getenv("BOXOFFICE_DEADLINE_MS");
	/* Defaults first: with expand_dbname, the values the dbname conninfo
	 * or URI carries replace the ones before it, so a user's
	 * keepalives_idle=7 wins. A silent link (no reset, no answer) is found
	 * by TCP keepalives when idle and by tcp_user_timeout when data waits
	 * unacknowledged; the client deadline (db_set_deadline) bounds the rest. */
	static const char *const defaults[][2] = {
		{ "connect_timeout", "5" },
		{ "keepalives", "1" },
		{ "keepalives_idle", "5" },
		{ "keepalives_interval", "2" },
		{ "keepalives_count", "3" },
		{ "tcp_user_timeout", "5000" },
	};

	snprintf(db->station, sizeof db->station, "%s", station);
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++) {
		db->keywords[k] = defaults[i][0];
		db->values[k++] = defaults[i][1];
	}
	if (((conninfo && *conninfo) || env_names_server()) && wants_verify_full(conninfo)) {
		db->keywords[k] = "sslmode";
		db->values[k++] = "verify-full";
	}
	db->deadline_ms = deadline && *deadline ? atoi(deadline) : DEFAULT_DEADLINE_MS;
	if (db->deadline_ms < 0)
		db->deadline_ms = 0;
	if (conninfo && *conninfo) {
		db->conninfo = xstrdup(conninfo);
		db->keywords[k] = "dbname"; /* expanded as a conninfo or URI */
		db->values[k++] = db->conninfo;
		snprintf(db->target, sizeof db->target, "%s", "given server");
	} else if (env_names_server()) {
		snprintf(db->target, sizeof db->target, "%s", "server from environment");
	} else {
		const char *var = getenv("BOXOFFICE_VAR");
		db->host_default = xasprintf("%s/pg", var && *var ? var : BOXOFFICE_VARDIR);
		db->keywords[k] = "host";
		db->values[k++] = db->host_default;
		/* Stations log in as the local user (libpq's default), whom
		 * `boxoffice migrate` made a supervisor login (db/026); only
		 * db_use_admin_login switches to the cluster's superuser. */
		db->keywords[k] = "dbname";
		db->values[k++] = "boxoffice";
		snprintf(db->target, sizeof db->target, "%s", "embedded cluster");
	}
	/* After the conninfo, so an application_name in it gives way: the
	 * station is the name main() checked (PostgreSQL logs "kassa-Ö" as
	 * "kassa-??") and the one its screens show. */
	db->keywords[k] = "application_name";
	db->values[k++] = db->station;
	db->keywords[k] = NULL;
	db->values[k] = NULL;
	db->state = DB_DISCONNECTED;
	return db;
}

bool db_use_admin_login(struct db *db)
{
	int k = 0;

	if (!db->host_default)
		return false;
	while (db->keywords[k])
		k++;
	db->keywords[k] = "user";
	db->values[k++] = DB_ADMIN_LOGIN;
	db->keywords[k] = NULL;
	db->values[k] = NULL;
	return true;
}

bool db_is_embedded(const struct db *db)
{
	return db->host_default != NULL;
}

void db_free(struct db *db)
{
	if (!db)
		return;
	db_async_free(db);
	if (db->conn)
		PQfinish(db->conn);
	free(db->conninfo);
	free(db->host_default);
	free(db);
}

void db_set_error(struct db *db, enum db_status status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(db->err, sizeof db->err, fmt, ap);
	va_end(ap);
	db->status = status;
}

/* libpq messages end in newlines and sometimes carry a second line; the
 * error line must stay one line. */
static void set_error_line(struct db *db, enum db_status status, const char *msg)
{
	size_t n;
	snprintf(db->err, sizeof db->err, "%s", msg && *msg ? msg : "unknown error");
	n = strcspn(db->err, "\n");
	db->err[n] = '\0';
	db->status = status;
}

/* libpq's TLS refusals say what failed, not what to do about it. */
static void add_tls_hint(struct db *db)
{
	static const struct {
		const char *libpq, *hint, *also; /* also: a second piece the message must hold */
	} hints[] = {
		{ "root certificate file",
		  "the server's certificate could not be verified without the CA that signed it: give its "
		  "certificate as sslrootcert=FILE or put it in ~/.postgresql/root.crt (a network host gets "
		  "sslmode=verify-full unless the connection says otherwise)", NULL },
		{ "certificate verify failed",
		  "the server's certificate could not be verified against the root certificate in sslrootcert "
		  "(else ~/.postgresql/root.crt): give the CA that signed the server's certificate", NULL },
		{ "does not match host name",
		  "connect by a name the server's certificate lists (host=NAME, with hostaddr=ADDRESS if "
		  "the name does not resolve)", NULL },
		{ "host name must be specified",
		  "give the name the server's certificate lists as host=NAME (with hostaddr=ADDRESS)", NULL },
		{ "requires a valid client certificate",
		  "this login signs in with a certificate: give sslcert=FILE and sslkey=FILE (or "
		  "~/.postgresql/postgresql.crt and postgresql.key)", NULL },
		{ "no encryption", "the server takes TLS connections only: do not set sslmode=disable",
		  "pg_hba.conf rejects connection" },
	};
	for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
		if (strstr(db->err, hints[i].libpq) && (!hints[i].also || strstr(db->err, hints[i].also))) {
			size_t n = strlen(db->err);
			snprintf(db->err + n, sizeof db->err - n, "; %s", hints[i].hint);
			return;
		}
}

static void connection_failed(struct db *db)
{
	set_error_line(db, DB_FAILED, PQerrorMessage(db->conn));
	add_tls_hint(db);
	/* "connection to server on socket ... failed: " hides the reason at the end */
	if (strstr(db->err, "No such file or directory") && db->host_default)
		db_set_error(db, DB_FAILED,
			     "no server at %s (start it with 'make db-start', or give -d)",
			     db->host_default);
	else if (strstr(db->err, "role \"") && strstr(db->err, "does not exist") && db->host_default)
		db_set_error(db, DB_FAILED,
			     "%s: run `boxoffice migrate` (it makes the local user a supervisor login), "
			     "or `boxoffice user add NAME --role R`", db->err + (strstr(db->err, "role \"") - db->err));
	else if (strstr(db->err, "role \"") && strstr(db->err, "is not permitted to log in")) {
		/* `boxoffice user revoke` (NOLOGIN): the server is there and
		 * says no to this login; the reason first, short enough for a
		 * status line, and what to do */
		char login[128];
		const char *name = strstr(db->err, "role \"") + 6;
		size_t n = strcspn(name, "\"");
		snprintf(login, sizeof login, "%.*s", (int)(n < sizeof login ? n : sizeof login - 1), name);
		db_set_error(db, DB_FORBIDDEN, "login %s is revoked: ask a supervisor", login);
	}
	db->state = DB_DISCONNECTED;
}

long long db_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void db_drop(struct db *db, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(db->err, sizeof db->err, fmt, ap);
	va_end(ap);
	db->status = DB_FAILED;
	if (db->conn) {
		/* PQfinish says goodbye on the socket: never wait for that. */
		PQsetnonblocking(db->conn, 1);
		PQfinish(db->conn);
		db->conn = NULL;
	}
	db->state = DB_DISCONNECTED;
	db_async_lost(db);
}

/* When a wait that should end by deadline (0: none) must end: the
 * budget's end when that comes first (only while a deadline is set). */
static long long within_budget(const struct db *db, long long deadline)
{
	if (db->deadline_ms > 0 && db->end_ms && (!deadline || db->end_ms < deadline))
		return db->end_ms;
	return deadline;
}

static void no_answer(struct db *db)
{
	bool budget = db->end_ms && db->deadline_ms > 0 && db_now_ms() >= db->end_ms;
	db_drop(db, "no answer from the database within %d ms", budget ? db->budget_ms : db->deadline_ms);
}

static long long deadline_from_now(const struct db *db)
{
	return within_budget(db, db->deadline_ms > 0 ? db_now_ms() + db->deadline_ms : 0);
}

/* Session settings for a fresh connection, one round trip. */
static bool apply_session(struct db *db)
{
	char sql[256];
	/* Refusals come as errors; the notices would only clutter stderr. */
	snprintf(sql, sizeof sql,
		 "SET client_min_messages = warning; SET statement_timeout = %d; SET lock_timeout = %d",
		 db->deadline_ms / 5 * 4, db->lock_timeout_ms);
	db->statement_timeout_ms = db->deadline_ms / 5 * 4;
	return db_run_script(db, sql);
}

void db_set_budget(struct db *db, int ms)
{
	db->budget_ms = ms > 0 ? ms : 0;
	db->end_ms = ms > 0 ? db_now_ms() + ms : 0;
}

void db_set_deadline(struct db *db, int ms)
{
	char v[24];
	const char *p[1] = { v };

	db->deadline_ms = ms > 0 ? ms : 0;
	if (!db->deadline_ms)
		db_set_budget(db, 0); /* no limit is no limit */
	if (!db->conn || db->state != DB_READY)
		return;
	snprintf(v, sizeof v, "%d", db->deadline_ms / 5 * 4);
	if (db_run(db, "SELECT set_config('statement_timeout', $1, false)", 1, p))
		db->statement_timeout_ms = db->deadline_ms / 5 * 4;
}

int db_swap_deadline(struct db *db, int ms)
{
	int before = db->deadline_ms;
	db->deadline_ms = ms > 0 ? ms : 0;
	return before;
}

void db_set_lock_timeout(struct db *db, int ms)
{
	db->lock_timeout_ms = ms > 0 ? ms : 0;
}

/* Waits on the socket until libpq holds a whole result (or the link
 * failed, which the next PQgetResult reports), sending what is still
 * queued. False when the deadline (monotonic ms, 0: none; already within
 * the budget, as deadline_from_now's is) passed first: the connection is
 * dropped then. */
static bool wait_ready(struct db *db, long long deadline)
{
	for (;;) {
		int flush = PQflush(db->conn), left = -1, n;
		struct pollfd pfd;

		if (flush < 0 || (flush == 0 && !PQisBusy(db->conn)))
			return true;
		if (deadline) {
			left = (int)(deadline - db_now_ms());
			if (left <= 0) {
				no_answer(db);
				return false;
			}
		}
		pfd = (struct pollfd){ .fd = PQsocket(db->conn), .events = POLLIN | (flush ? POLLOUT : 0) };
		n = poll(&pfd, 1, left);
		if (n < 0 && errno != EINTR)
			return true; /* let libpq report it */
		if (n > 0 && (pfd.revents & ~POLLOUT) && !PQconsumeInput(db->conn))
			return true;
	}
}

bool db_wait_ready(struct db *db, long long deadline)
{
	return wait_ready(db, within_budget(db, deadline));
}

/* Collects a sent command's results as PQexec does: the first error, else
 * the last result. NULL when the connection broke or the deadline (one
 * from deadline_from_now) passed (db->state tells which). */
static PGresult *collect(struct db *db, long long deadline)
{
	PGresult *keep = NULL, *r;

	for (;;) {
		ExecStatusType st;
		if (!wait_ready(db, deadline)) {
			PQclear(keep);
			return NULL;
		}
		if (!(r = PQgetResult(db->conn)))
			return keep;
		if (keep && PQresultStatus(keep) == PGRES_FATAL_ERROR) {
			PQclear(r); /* the first error is the one to tell */
		} else {
			PQclear(keep);
			keep = r;
		}
		st = PQresultStatus(keep);
		/* COPY: the caller moves the data; a broken link ends it all. */
		if (st == PGRES_COPY_OUT || st == PGRES_COPY_IN || st == PGRES_COPY_BOTH ||
		    PQstatus(db->conn) == CONNECTION_BAD)
			return keep;
	}
}

/* libpq's notice processor: one line, trailing newline and detail lines
 * cut, handed to whoever the db belongs to. */
static void notice_processor(void *arg, const char *message)
{
	struct db *db = arg;
	char line[512];

	if (!db->notice)
		return;
	snprintf(line, sizeof line, "%s", message ? message : "");
	line[strcspn(line, "\n")] = '\0';
	db->notice(db->notice_arg, line);
}

static void install_notice_processor(struct db *db)
{
	if (db->conn && db->notice)
		PQsetNoticeProcessor(db->conn, notice_processor, db);
}

void db_set_notice_handler(struct db *db, void (*fn)(void *arg, const char *message), void *arg)
{
	db->notice = fn;
	db->notice_arg = arg;
	install_notice_processor(db);
}

bool db_connect(struct db *db)
{
	long long deadline;

	db_async_lost(db);
	if (db->conn)
		PQfinish(db->conn);
	db->conn = NULL;
	if (db->deadline_ms <= 0) {
		/* No client deadline (and so no budget): libpq's
		 * connect_timeout bounds it. */
		db->conn = PQconnectdbParams(db->keywords, db->values, 1);
		if (!db->conn) {
			db_set_error(db, DB_FAILED, "out of memory");
			return false;
		}
		install_notice_processor(db);
		if (PQstatus(db->conn) != CONNECTION_OK) {
			connection_failed(db);
			return false;
		}
	} else {
		deadline = deadline_from_now(db);
		if (!db_connect_start(db))
			return false;
		while (db->state == DB_CONNECTING) {
			struct pollfd pfd = { .fd = PQsocket(db->conn),
					      .events = db->poll == PGRES_POLLING_WRITING ? POLLOUT : POLLIN };
			int left = (int)(deadline - db_now_ms());
			if (left <= 0) {
				no_answer(db);
				return false;
			}
			if (poll(&pfd, 1, left) < 0 && errno != EINTR) {
				db_set_error(db, DB_FAILED, "poll: %s", strerror(errno));
				return false;
			}
			db->poll = PQconnectPoll(db->conn);
			if (db->poll == PGRES_POLLING_OK)
				break;
			if (db->poll == PGRES_POLLING_FAILED) {
				connection_failed(db);
				return false;
			}
		}
	}
	db->state = DB_READY;
	db->notify_seq++;
	return apply_session(db);
}

bool db_connect_expired(struct db *db)
{
	if (db->state != DB_CONNECTING || !db->op_deadline || db_now_ms() < db->op_deadline)
		return false;
	no_answer(db);
	return true;
}

bool db_connect_start(struct db *db)
{
	db_async_lost(db);
	if (db->conn)
		PQfinish(db->conn);
	db->op_deadline = deadline_from_now(db);
	db->conn = PQconnectStartParams(db->keywords, db->values, 1);
	if (!db->conn || PQstatus(db->conn) == CONNECTION_BAD) {
		if (db->conn)
			connection_failed(db);
		else
			db_set_error(db, DB_FAILED, "out of memory");
		db->state = DB_DISCONNECTED;
		return false;
	}
	install_notice_processor(db);
	db->state = DB_CONNECTING;
	db->poll = PGRES_POLLING_WRITING;
	return true;
}

enum db_conn_state db_connect_poll(struct db *db)
{
	if (db->state != DB_CONNECTING)
		return db->state;
	db->poll = PQconnectPoll(db->conn);
	if (db->poll == PGRES_POLLING_OK) {
		db->state = DB_READY;
		db->notify_seq++;
		apply_session(db);
	} else if (db->poll == PGRES_POLLING_FAILED) {
		connection_failed(db);
	}
	return db->state;
}

int db_socket(const struct db *db)
{
	if (!db->conn || db->state == DB_DISCONNECTED)
		return -1;
	return PQsocket(db->conn);
}

bool db_wants_write(const struct db *db)
{
	return db->state == DB_CONNECTING && db->poll == PGRES_POLLING_WRITING;
}

/* SQLSTATE -> exit code. Our own refusals use class BX; integrity and
 * check violations are refusals too; data exceptions are bad input. */
static enum db_status status_for_sqlstate(const char *state)
{
	if (!state)
		return DB_FAILED;
	if (strncmp(state, "BX", 2) == 0 || strncmp(state, "23", 2) == 0 ||
	    strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return DB_REFUSED;
	if (strncmp(state, "22", 2) == 0)
		return DB_BADINPUT;
	if (strcmp(state, "42501") == 0)
		return DB_FORBIDDEN;
	return DB_FAILED;
}

static const char *constraint_message(const char *constraint)
{
	static const struct {
		const char *name;
		const char *message;
	} messages[] = {
		{ "ticket_type_no_oversell", "not enough seats left" },
		{ "channel_quota_no_oversell", "not enough seats left in the channel's quota" },
		{ "event_name_key", "an event with that name exists already" },
		{ "ticket_type_name_key", "the event has a ticket type with that name already" },
		{ "ticket_serial_key", "that ticket exists already" },
		{ "checkin_seq_key", "the ticket was scanned at the same moment elsewhere" },
		{ "checkin_list_name_key", "the event has a check-in list with that name already" },
		{ "checkin_list_name_no_comma", "a list's name cannot hold a comma" },
		{ "area_name_key", "the event has an area with that name already" },
		{ "ticket_order_external_key",
		  "that reference was used already on this channel (repeat with the same idempotency key to get the first "
		  "answer)" },
		{ "platform_channel_name_key", "a channel with that name exists already" },
		{ NULL, NULL },
	};
	for (int i = 0; constraint && messages[i].name; i++)
		if (strcmp(messages[i].name, constraint) == 0)
			return messages[i].message;
	return NULL;
}

PGresult *db_exec(struct db *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *res;
	ExecStatusType st;

	if (!db->conn || db->state != DB_READY) {
		db_set_error(db, DB_FAILED, "not connected to the database");
		return NULL;
	}
	/* A request of the loop in flight answers first (its result waits
	 * for the loop), so this statement can go out. */
	if (!db_async_settle(db))
		return NULL;
	if (!PQsendQueryParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0))
		res = NULL;
	else if (!(res = collect(db, deadline_from_now(db))) && db->state == DB_DISCONNECTED)
		return NULL; /* no answer in time: the error says so */
	st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		db->status = DB_OK;
		db->busy = false;
		db->err[0] = '\0';
		return res;
	}
	db_result_error(db, res);
	PQclear(res);
	return NULL;
}

/* "3 s", "1.2 s": a time as a clerk reads it. */
static void seconds_text(char *out, size_t size, int ms)
{
	if (ms % 1000 == 0)
		snprintf(out, size, "%d s", ms / 1000);
	else
		snprintf(out, size, "%.1f s", ms / 1000.0);
}

/* The server stopped waiting: said as what happened ("canceling statement
 * due to lock timeout" tells a clerk nothing). Nothing of the request was
 * done; the transaction it was in is lost. */
static bool gave_up_waiting(const struct db *db, const char *state, const char *message, char *out, size_t size)
{
	char t[32];
	if (state && strcmp(state, "55P03") == 0) {
		if (db->lock_timeout_ms > 0) {
			seconds_text(t, sizeof t, db->lock_timeout_ms);
			snprintf(out, size, "held by another station (waited %s): nothing done, try again", t);
		} else {
			snprintf(out, size, "held by another station: nothing done, try again");
		}
		return true;
	}
	if (state && strcmp(state, "57014") == 0) {
		/* the server's words tell its timeout from a cancel (an
		 * administrator's, or one we sent) */
		if (message && strstr(message, "statement timeout") && db->statement_timeout_ms > 0) {
			seconds_text(t, sizeof t, db->statement_timeout_ms);
			snprintf(out, size, "database busy: no answer within %s, nothing done; try again", t);
		} else {
			snprintf(out, size, "cancelled on the server before it finished: nothing done; try again");
		}
		return true;
	}
	return false;
}

void db_result_error(struct db *db, const PGresult *res)
{
	db->sqlstate[0] = '\0';
	if (!res || PQstatus(db->conn) == CONNECTION_BAD) {
		set_error_line(db, DB_FAILED, PQerrorMessage(db->conn));
		db->busy = false;
		db->state = DB_DISCONNECTED;
	} else {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
		const char *nice = constraint_message(constraint);
		const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		char waited[200];
		if (!nice && gave_up_waiting(db, state, primary, waited, sizeof waited))
			nice = waited;
		set_error_line(db, status_for_sqlstate(state), nice ? nice : primary);
		db->busy = nice == waited;
		if (db->busy)
			db->busy_at = db_now_ms();
		if (state)
			snprintf(db->sqlstate, sizeof db->sqlstate, "%s", state);
	}
}

bool db_error_is_transient(const struct db *db)
{
	static const char *const transient[] = {
		"40001", /* serialization failure */
		"40P01", /* deadlock */
		"55P03", /* lock not available (lock_timeout) */
		"57014", /* statement timeout, or cancelled */
		"57P01", /* the server is shutting down */
		NULL,
	};
	if (db->state != DB_READY || (db->status == DB_FAILED && !db->sqlstate[0]))
		return true; /* the link, not the request */
	if (strncmp(db->sqlstate, "53", 2) == 0 || strncmp(db->sqlstate, "08", 2) == 0)
		return true; /* out of resources, connection trouble */
	for (int i = 0; transient[i]; i++)
		if (strcmp(db->sqlstate, transient[i]) == 0)
			return true;
	return false;
}

bool db_error_is_stale(const struct db *db)
{
	return strcmp(db->sqlstate, "BX004") == 0;
}

bool db_run(struct db *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = db_exec(db, sql, nparams, params);
	PQclear(res);
	return res != NULL;
}

bool db_run_script(struct db *db, const char *sql)
{
	PGresult *res;

	if (!db->conn || db->state != DB_READY) {
		db_set_error(db, DB_FAILED, "not connected to the database");
		return false;
	}
	if (!db_async_settle(db))
		return false;
	if (!PQsendQuery(db->conn, sql))
		res = NULL;
	else if (!(res = collect(db, deadline_from_now(db))) && db->state == DB_DISCONNECTED)
		return false;
	if (PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK) {
		PQclear(res);
		db->status = DB_OK;
		return true;
	}
	set_error_line(db, DB_FAILED,
		       res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : PQerrorMessage(db->conn));
	if (PQstatus(db->conn) == CONNECTION_BAD)
		db->state = DB_DISCONNECTED;
	PQclear(res);
	return false;
}

bool db_begin(struct db *db)
{
	return db_run(db, "BEGIN", 0, NULL);
}

bool db_commit(struct db *db)
{
	return db_run(db, "COMMIT", 0, NULL);
}

void db_rollback(struct db *db)
{
	char saved[sizeof db->err];
	enum db_status status = db->status;

	/* Keep the error that caused the rollback. */
	memcpy(saved, db->err, sizeof saved);
	if (db->conn && db->state == DB_READY &&
	    PQtransactionStatus(db->conn) != PQTRANS_IDLE && PQsendQuery(db->conn, "ROLLBACK"))
		PQclear(collect(db, deadline_from_now(db)));
	memcpy(db->err, saved, sizeof saved);
	db->status = status;
}

bool db_consume(struct db *db)
{
	if (!db->conn || db->state != DB_READY)
		return false;
	if (!PQconsumeInput(db->conn) || PQstatus(db->conn) == CONNECTION_BAD) {
		set_error_line(db, DB_FAILED, PQerrorMessage(db->conn));
		db->state = DB_DISCONNECTED;
		return false;
	}
	return true;
}

PGnotify *db_next_notify(struct db *db)
{
	if (!db->conn || db->state != DB_READY)
		return NULL;
	return PQnotifies(db->conn);
}

long long db_int(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

const char *db_text(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

bool db_bool(const PGresult *res, int row, int col)
{
	return !PQgetisnull(res, row, col) && PQgetvalue(res, row, col)[0] == 't';
}

const char *db_where(struct db *db, char *buf, size_t size)
{
	const char *host;

	if (!db->conn || PQstatus(db->conn) != CONNECTION_OK)
		return db->target;
	host = PQhost(db->conn);
	if (!host || !*host || host[0] == '/')
		snprintf(buf, size, "database %s on this computer", PQdb(db->conn));
	else
		snprintf(buf, size, "database %s on %s", PQdb(db->conn), host);
	return buf;
}

json_t *db_json(struct db *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = db_exec(db, sql, nparams, params);
	json_t *doc;
	json_error_t jerr;

	if (!res)
		return NULL;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		db_set_error(db, DB_FAILED, "no result from the database");
		return NULL;
	}
	doc = json_loads(PQgetvalue(res, 0, 0), 0, &jerr);
	PQclear(res);
	if (!doc)
		db_set_error(db, DB_FAILED, "bad JSON from the database: %s", jerr.text);
	return doc;
}

json_t *db_json_or_null(struct db *db, const char *sql, int nparams, const char *const *params)
{
	PGresult *res = db_exec(db, sql, nparams, params);
	json_t *doc;
	json_error_t jerr;

	if (!res)
		return NULL;
	if (PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return json_null();
	}
	/* JSON_DECODE_ANY: a bare null is a document here */
	doc = json_loads(PQgetvalue(res, 0, 0), JSON_DECODE_ANY, &jerr);
	PQclear(res);
	if (!doc)
		db_set_error(db, DB_FAILED, "bad JSON from the database: %s", jerr.text);
	return doc;
}

bool db_text_cell(struct db *db, const char *sql, int nparams, const char *const *params, char *out, size_t size)
{
	PGresult *res = db_exec(db, sql, nparams, params);
	bool found;

	if (!res)
		return false;
	found = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0);
	if (found)
		snprintf(out, size, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	return found;
}

PGresult *db_exec_id(struct db *db, const char *sql, long long id)
{
	char s[24];
	const char *p[1] = { s };
	snprintf(s, sizeof s, "%lld", id);
	return db_exec(db, sql, 1, p);
}

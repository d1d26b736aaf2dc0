/* The data layer: the only code that talks to PostgreSQL. Every statement
 * is parameterised; every failure leaves a one-line reason in db->err and a
 * status that maps onto the CLI's exit codes. */
#ifndef BOXOFFICE_DB_H
#define BOXOFFICE_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

enum db_status {
	DB_OK = 0,
	DB_REFUSED = 1,  /* a business rule or constraint said no */
	DB_BADINPUT = 2, /* the input itself is malformed */
	DB_FAILED = 3,   /* unreachable server, internal error */
	DB_FORBIDDEN = 4, /* this login's role may not do it (42501) */
};

enum db_conn_state {
	DB_DISCONNECTED,
	DB_CONNECTING,
	DB_READY,
};

struct db {
	PGconn *conn;
	enum db_conn_state state;
	enum db_status status; /* of the last call */
	char err[512];
	char sqlstate[6]; /* of the last failed statement, "" when none */
	/* The last request gave up waiting on the server (a lock another
	 * session held, or the statement timeout): the link lives but the
	 * database is jammed. Cleared by the next request that succeeds. */
	bool busy;
	long long busy_at;        /* monotonic ms it was set */
	int statement_timeout_ms; /* the session's statement_timeout as last set (0: none) */
	char station[64];
	char target[256]; /* where we connect, for messages and the header */
	/* connection parameters, kept for reconnects */
	const char *keywords[16];
	const char *values[16];
	char *conninfo;
	char *host_default;
	PostgresPollingStatusType poll;
	unsigned notify_seq; /* bumped when LISTENs must be re-issued */
	/* How long any one wait for the server may last (ms, 0: no limit);
	 * past it the connection is dropped. See db_set_deadline. */
	int deadline_ms;
	/* A whole run's end (monotonic ms, 0: none): no wait goes past it,
	 * however many calls come before (db_set_budget). budget_ms: its
	 * length, for the message. */
	long long end_ms;
	int budget_ms;
	int lock_timeout_ms;     /* session lock_timeout (0: server default) */
	long long op_deadline;   /* monotonic ms when a non-blocking connect gives up */
	struct db_async *async;  /* queued requests (async.c) */
	/* Where the server's notices and asynchronous errors go (a server
	 * shutting down says FATAL on an idle connection); NULL: libpq's
	 * default, stderr. Installed on every connection, reconnects too. */
	void (*notice)(void *arg, const char *message);
	void *notice_arg;
};

/* How to reach the database: conninfo from -d, else libpq's environment,
 * else the embedded cluster under var/. */
struct db *db_new(const char *conninfo, const char *station);
void db_free(struct db *db);
/* The embedded cluster's superuser, who migrates and loads the demo. */
#define DB_ADMIN_LOGIN "boxoffice"
/* Before connecting: log in to the embedded cluster as DB_ADMIN_LOGIN
 * instead of the local user. False (and no change) for any other server:
 * there the caller's own login must be the owner's or a superuser. */
bool db_use_admin_login(struct db *db);
/* The private cluster under var/ (no -d, no PG* environment). */
bool db_is_embedded(const struct db *db);

/* Bounds every wait for the server: a connect, a statement, a queued
 * request. Past it the connection is dropped (DB_DISCONNECTED) and the call
 * fails with DB_FAILED, "no answer from the database within N ms". 0 means
 * no limit (migrations, demo load, exports). The session's
 * statement_timeout follows it (4/5 of it), so a live but slow server
 * answers with an error before the client gives up on the link. The
 * default is 10 s, or $BOXOFFICE_DEADLINE_MS. */
void db_set_deadline(struct db *db, int ms);
/* Sets only the client-side deadline for the calls that follow (no round
 * trip, the session's statement_timeout stays); returns the one before.
 * For one call that must answer sooner (a gate's verdict) or may take
 * longer (a cache load). */
int db_swap_deadline(struct db *db, int ms);
/* A budget for a whole run of calls (a one-shot command, a gate's
 * start): from now, no wait for the server goes past ms in all, each call
 * waiting at most its own deadline and at most what is left of the budget;
 * past it the connection is dropped and the call fails as a deadline does
 * ("no answer from the database within MS ms", MS the budget). 0 ends the
 * budget. Only while a deadline is set: db_set_deadline(db, 0) (no limit:
 * migrations, demo, exports) ends it too. Never for a long-running process
 * (serve, screens, a gate reading scans): it would expire. */
void db_set_budget(struct db *db, int ms);
/* The session's lock_timeout (ms), applied on every (re)connect. */
void db_set_lock_timeout(struct db *db, int ms);
/* Monotonic clock in ms. */
long long db_now_ms(void);
/* Drops the connection at once (never blocks) with a DB_FAILED error. */
void db_drop(struct db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A non-blocking connect past its deadline is dropped; true if it was. */
bool db_connect_expired(struct db *db);
/* Routes notices to fn (one line each, no newline) on this and every later
 * connection: a screen must never let libpq write behind curses. */
void db_set_notice_handler(struct db *db, void (*fn)(void *arg, const char *message), void *arg);

/* Blocking connect (CLI). False with db->err set when it fails. */
bool db_connect(struct db *db);
/* Non-blocking connect for the TUI: start, then call db_connect_poll()
 * whenever the socket is ready, until it returns DB_READY or DB_DISCONNECTED. */
bool db_connect_start(struct db *db);
enum db_conn_state db_connect_poll(struct db *db);
/* The socket to poll() on, or -1. Read it afresh each pass: it changes on
 * reconnect. */
int db_socket(const struct db *db);
/* Wants to write (connecting) rather than read. */
bool db_wants_write(const struct db *db);

/* Runs one statement; NULL with db->err/status set on failure. The caller
 * PQclear()s the result. */
PGresult *db_exec(struct db *db, const char *sql, int nparams, const char *const *params);
/* The last failure would likely pass if tried again later (a deadlock, a
 * lock or statement timeout, a lost link), as opposed to a request the
 * database will always refuse. */
bool db_error_is_transient(const struct db *db);
/* The last failure was the database's "changed since you read it"
 * (SQLSTATE BX004, db/003): what was read is stale, read it again. */
bool db_error_is_stale(const struct db *db);
/* Sets db->err/status from a failed result (NULL: the connection's error). */
void db_result_error(struct db *db, const PGresult *res);
/* Runs one statement and drops the result. */
bool db_run(struct db *db, const char *sql, int nparams, const char *const *params);
/* Runs static SQL (possibly several statements); never user data. */
bool db_run_script(struct db *db, const char *sql);
bool db_begin(struct db *db);
bool db_commit(struct db *db);
void db_rollback(struct db *db);

/* Reads pending input; false when the connection is lost. */
bool db_consume(struct db *db);
/* Next notification or NULL; PQfreemem() it. */
PGnotify *db_next_notify(struct db *db);

/* Set the error from a message, status as given. */
void db_set_error(struct db *db, enum db_status status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Runs a statement returning one JSON cell (our SQL functions' results)
 * and parses it; NULL with db->err set on failure. */
#include <jansson.h>
json_t *db_json(struct db *db, const char *sql, int nparams, const char *const *params);
/* The same for a cell that may be SQL NULL or JSON null (nothing found):
 * json_null() then; NULL only on failure. */
json_t *db_json_or_null(struct db *db, const char *sql, int nparams, const char *const *params);
/* One text cell copied into out; false when NULL, no row, or failure
 * (db->err tells a failure). */
bool db_text_cell(struct db *db, const char *sql, int nparams, const char *const *params, char *out, size_t size);
/* Runs a statement whose one parameter is an ID. */
PGresult *db_exec_id(struct db *db, const char *sql, long long id);

/* Convenience readers for result cells. */
long long db_int(const PGresult *res, int row, int col);
const char *db_text(const PGresult *res, int row, int col);
/* Where the connection is, in words, written into buf: "database
 * boxoffice on this computer" or "database boxoffice on db.example.org";
 * before a connection, how it will be found. */
const char *db_where(struct db *db, char *buf, size_t size);
bool db_bool(const PGresult *res, int row, int col);

#endif

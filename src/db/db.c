#include "db.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"

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

struct db *db_new(const char *conninfo, const char *station)
{
	struct db *db = xcalloc(1, sizeof *db);
	int k = 0;

	snprintf(db->station, sizeof db->station, "%s", station);
	db->keywords[k] = "application_name";
	db->values[k++] = db->station;
	db->keywords[k] = "connect_timeout";
	db->values[k++] = "5";
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
		db->keywords[k] = "user";
		db->values[k++] = "boxoffice";
		db->keywords[k] = "dbname";
		db->values[k++] = "boxoffice";
		snprintf(db->target, sizeof db->target, "%s", "embedded cluster");
	}
	db->keywords[k] = NULL;
	db->values[k] = NULL;
	db->state = DB_DISCONNECTED;
	return db;
}

void db_free(struct db *db)
{
	if (!db)
		return;
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

static void connection_failed(struct db *db)
{
	set_error_line(db, DB_FAILED, PQerrorMessage(db->conn));
	/* "connection to server on socket ... failed: " hides the reason at the end */
	if (strstr(db->err, "No such file or directory") && db->host_default)
		db_set_error(db, DB_FAILED,
			     "no server at %s (start it with 'make db-start', or give -d)",
			     db->host_default);
	db->state = DB_DISCONNECTED;
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
	if (db->conn)
		PQfinish(db->conn);
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
	db->state = DB_READY;
	db->notify_seq++;
	/* Refusals come as errors; the notices would only clutter stderr. */
	return db_run(db, "SET client_min_messages = warning", 0, NULL);
}

bool db_connect_start(struct db *db)
{
	if (db->conn)
		PQfinish(db->conn);
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
		db_run(db, "SET client_min_messages = warning", 0, NULL);
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
	res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
		db->status = DB_OK;
		db->err[0] = '\0';
		return res;
	}
	if (!res || PQstatus(db->conn) == CONNECTION_BAD) {
		set_error_line(db, DB_FAILED, PQerrorMessage(db->conn));
		db->state = DB_DISCONNECTED;
	} else {
		const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		const char *constraint = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
		const char *nice = constraint_message(constraint);
		set_error_line(db, status_for_sqlstate(state),
			       nice ? nice : PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY));
	}
	PQclear(res);
	return NULL;
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
	res = PQexec(db->conn, sql);
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
	    PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
		PGresult *res = PQexec(db->conn, "ROLLBACK");
		PQclear(res);
	}
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

PGresult *db_exec_id(struct db *db, const char *sql, long long id)
{
	char s[24];
	const char *p[1] = { s };
	snprintf(s, sizeof s, "%lld", id);
	return db_exec(db, sql, 1, p);
}

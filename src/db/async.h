/* Requests the terminal loop sends without waiting: queued in order, one in
 * flight on the connection at a time, answered through a callback that runs
 * on the loop. The loop polls db_socket() for db_async_events(), calls
 * db_async_input() when the socket is ready and db_async_run() on every
 * pass; nothing here blocks.
 *
 * Superseding: db_cancel_owner() drops an owner's queued requests and, for
 * one in flight, asks the server to cancel it (PQcancel, from a short-lived
 * detached thread) and discards its answer when it comes.
 *
 * Deadline: a request in flight longer than db->deadline_ms means the link
 * is dead; the connection is dropped (DB_DISCONNECTED) and every pending
 * callback gets the error. */
#ifndef BOXOFFICE_DB_ASYNC_H
#define BOXOFFICE_DB_ASYNC_H

#include <jansson.h>

#include "db.h"

/* The answer: res on success (cleared after the callback returns), NULL on
 * failure with db->err and db->status set as db_exec sets them. */
typedef void (*db_result_fn)(struct db *db, PGresult *res, void *ctx);
/* Called instead when a request is dropped without an answer (cancelled,
 * superseded, the db freed): frees ctx if the submitter owns it there. */
typedef void (*db_drop_fn)(void *ctx);

/* Queues a statement; SQL and parameters are copied. done and drop may be
 * NULL (fire and forget). False (with db->err) when not connected. */
bool db_submit(struct db *db, const void *owner, const char *sql, int nparams,
	       const char *const *params, db_result_fn done, db_drop_fn drop, void *ctx);
/* A statement answering one JSON document (the SQL functions of the
 * writes: sell, order_add, order_set_status, ticket_assign…), queued like
 * db_submit: done gets the parsed document (freed after it returns) or
 * NULL with db->err/status. Dropped requests just free the job. */
typedef void (*db_json_fn)(struct db *db, json_t *doc, void *ctx);
bool db_json_submit(struct db *db, const void *owner, const char *sql, int nparams,
		    const char *const *params, db_json_fn done, void *ctx);
/* After a failed answer: the link failed (lost, deadline) rather than the
 * statement, so a write may or may not have been made. */
bool db_answer_lost(const struct db *db);

/* Drops every request of owner (queued, in flight, answered but not yet
 * delivered); drop callbacks run before this returns. */
void db_cancel_owner(struct db *db, const void *owner);
/* Requests of owner not answered yet (owner NULL: anyone's). */
int db_async_pending(const struct db *db, const void *owner);

/* poll() events for db_socket() while connected: POLLIN, plus POLLOUT while
 * libpq holds data it could not send yet. */
short db_async_events(const struct db *db);
/* Milliseconds until the request in flight reaches its deadline (poll's
 * timeout), or -1. */
int db_async_timeout(const struct db *db);
/* Reads what the socket has (answers and notifications); false when the
 * connection was lost. */
bool db_async_input(struct db *db);
/* Collects a finished answer, enforces the deadline, runs callbacks and
 * sends the next request. Call before every poll(). Returns the number of
 * callbacks run (something to redraw). */
int db_async_run(struct db *db);

/* For the synchronous calls in db.c: waits (bounded) for the request in
 * flight to finish and keeps its answer for the loop; false when the
 * deadline dropped the connection. */
bool db_async_settle(struct db *db);
/* The connection is gone: every pending request fails (delivered by the
 * next db_async_run). */
void db_async_lost(struct db *db);
void db_async_free(struct db *db);
/* Inside src/db: waits until libpq holds a whole result, flushing; false
 * when the deadline (monotonic ms, 0: none) dropped the connection. */
bool db_wait_ready(struct db *db, long long deadline);

#endif

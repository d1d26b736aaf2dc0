/* One shape for every read the terminal's loop sends without waiting.
 *
 * Each synchronous read in src/db that a screen uses has a twin
 *
 *   bool db_X_submit(struct db *db, const void *owner, <the read's arguments>,
 *                    void (*done)(struct db *db, const T *out, void *ctx), void *ctx);
 *
 * done runs on the loop with what the synchronous read gives (the struct
 * it fills, or its rows), or with out NULL (db->err, db->status say why)
 * when a statement failed, the deadline dropped the link or the station is
 * offline by then; it is not called when the owner cancels
 * (db_cancel_owner). False with db->err when nothing could be queued
 * (offline): done is then not called either.
 *
 * Inside src/db a read is a list of statements, each parsed into a part of
 * one result struct; the same list runs synchronously (db_read_run) or
 * queued (db_read_submit), so the SQL and its parsing exist once. */
#ifndef BOXOFFICE_DB_READ_H
#define BOXOFFICE_DB_READ_H

#include <stddef.h>

#include "db.h"

struct db_read;

/* Fills dst (a part of the read's result) from one statement's answer;
 * false with db_set_error when the answer is unusable. */
typedef bool (*db_read_parse_fn)(struct db *db, const PGresult *res, void *dst);
/* Runs after the last statement on the whole result (may fail the same way). */
typedef bool (*db_read_finish_fn)(struct db *db, void *out);
/* Calls the typed done (cast back from db_read_done) with the result. */
typedef void (*db_read_deliver_fn)(struct db *db, void (*done)(void), const void *out, void *ctx);
/* Frees what a result holds (json); NULL when it holds nothing. */
typedef void (*db_read_free_fn)(void *out);

/* A read whose result is a zeroed struct of out_size bytes. */
struct db_read *db_read_new(size_t out_size);
void *db_read_out(struct db_read *r);
/* Adds a statement (SQL and parameters copied); parse may be NULL. */
void db_read_add(struct db_read *r, const char *sql, int nparams, const char *const *params,
		 db_read_parse_fn parse, void *dst);
void db_read_on_finish(struct db_read *r, db_read_finish_fn finish);
void db_read_on_free(struct db_read *r, db_read_free_fn free_out);

/* Runs the statements now; true with the result copied to out (which then
 * owns what it holds). Frees r. */
bool db_read_run(struct db *db, struct db_read *r, void *out);
/* Queues the statements under owner; deliver gets the result (NULL on
 * failure) once. Frees r when done or dropped. False (db->err, r freed)
 * when not connected. */
bool db_read_submit(struct db *db, const void *owner, struct db_read *r, db_read_deliver_fn deliver,
		    void (*done)(void), void *ctx);

/* For reads that give rows (a PGresult): the same shape with T = PGresult. */
typedef void (*db_rows_fn)(struct db *db, const PGresult *rows, void *ctx);
bool db_rows_submit(struct db *db, const void *owner, const char *sql, int nparams, const char *const *params,
		    db_rows_fn done, void *ctx);

#endif

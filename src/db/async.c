#include "async.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"

struct db_request {
	struct db_request *next;
	const void *owner;
	char *sql;
	int nparams;
	char **params;
	db_result_fn done;
	db_drop_fn drop;
	void *ctx;
	bool cancelled;
	/* the answer, once complete */
	PGresult *res;
	bool failed;
	enum db_status status;
	char err[512];
	char sqlstate[6]; /* "" when the link, not the statement, failed */
};

/* A cancel on its way: the next statement waits for it to land, or it
 * could stop that statement instead (the server drops a cancel that finds
 * the session idle). Shared with the thread, freed by the last of the two. */
struct cancel_state {
	PGcancel *cancel;
	atomic_int refs;
	atomic_bool landed;
};

struct db_async {
	struct db_request *queue, **queue_tail; /* not sent yet */
	struct db_request *inflight;
	struct db_request *answered, **answered_tail; /* waiting for the loop */
	long long deadline;                           /* of the request in flight */
	bool dispatching;
	struct cancel_state *cancel;                  /* the last one sent */
	long long cancel_wait_until;                  /* send nothing before it lands, or then */
};

/* Cancel requests in flight at once; a link that swallows them must not
 * pile up threads. */
#define CANCEL_THREADS_MAX 4
static atomic_int cancel_threads;

static bool cancel_in_transit(struct db_async *a);

static struct db_async *async_of(struct db *db)
{
	if (!db->async) {
		db->async = xcalloc(1, sizeof *db->async);
		db->async->queue_tail = &db->async->queue;
		db->async->answered_tail = &db->async->answered;
	}
	return db->async;
}

static void request_free(struct db_request *r)
{
	for (int i = 0; i < r->nparams; i++)
		free(r->params[i]);
	free(r->params);
	free(r->sql);
	PQclear(r->res);
	free(r);
}

static void append(struct db_request ***tail, struct db_request *r)
{
	r->next = NULL;
	**tail = r;
	*tail = &r->next;
}

bool db_submit(struct db *db, const void *owner, const char *sql, int nparams,
	       const char *const *params, db_result_fn done, db_drop_fn drop, void *ctx)
{
	struct db_async *a = async_of(db);
	struct db_request *r;

	if (!db->conn || db->state != DB_READY) {
		db_set_error(db, DB_FAILED, "not connected to the database");
		return false;
	}
	r = xcalloc(1, sizeof *r);
	r->owner = owner;
	r->sql = xstrdup(sql);
	r->nparams = nparams;
	r->params = xcalloc((size_t)(nparams > 0 ? nparams : 1), sizeof *r->params);
	for (int i = 0; i < nparams; i++)
		r->params[i] = params[i] ? xstrdup(params[i]) : NULL;
	r->done = done;
	r->drop = drop;
	r->ctx = ctx;
	append(&a->queue_tail, r);
	return true;
}

static void cancel_unref(struct cancel_state *c)
{
	if (c && atomic_fetch_sub(&c->refs, 1) == 1) {
		PQfreeCancel(c->cancel);
		free(c);
	}
}

static void *cancel_main(void *arg)
{
	struct cancel_state *c = arg;
	char err[256];
	PQcancel(c->cancel, err, sizeof err);
	atomic_store(&c->landed, true);
	cancel_unref(c);
	atomic_fetch_sub(&cancel_threads, 1);
	return NULL;
}

/* Asks the server to stop the statement in flight, without waiting. */
static void send_cancel(struct db *db)
{
	struct db_async *a = db->async;
	PGcancel *pc;
	struct cancel_state *c;
	pthread_t t;
	pthread_attr_t attr;

	if (!db->conn || atomic_load(&cancel_threads) >= CANCEL_THREADS_MAX ||
	    !(pc = PQgetCancel(db->conn)))
		return;
	c = xcalloc(1, sizeof *c);
	c->cancel = pc;
	atomic_store(&c->refs, 2);
	atomic_fetch_add(&cancel_threads, 1);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, cancel_main, c) != 0) {
		atomic_store(&c->landed, true);
		atomic_store(&c->refs, 1);
		atomic_fetch_sub(&cancel_threads, 1);
	}
	pthread_attr_destroy(&attr);
	cancel_unref(a->cancel);
	a->cancel = c;
}

/* Removes owner's requests from a list; dropped ones go to *out. */
static void take_owner(struct db_request **list, struct db_request ***tail, const void *owner,
		       struct db_request ***out)
{
	struct db_request **p = list;
	while (*p) {
		struct db_request *r = *p;
		if (r->owner == owner) {
			*p = r->next;
			append(out, r);
		} else {
			p = &r->next;
		}
	}
	*tail = p;
}

void db_cancel_owner(struct db *db, const void *owner)
{
	struct db_async *a = db->async;
	struct db_request *dropped = NULL, **dropped_tail = &dropped;

	if (!a)
		return;
	take_owner(&a->queue, &a->queue_tail, owner, &dropped_tail);
	take_owner(&a->answered, &a->answered_tail, owner, &dropped_tail);
	if (a->inflight && a->inflight->owner == owner && !a->inflight->cancelled) {
		a->inflight->cancelled = true;
		send_cancel(db);
		if (a->inflight->drop) {
			/* its answer is discarded: the owner may go now */
			a->inflight->drop(a->inflight->ctx);
			a->inflight->drop = NULL;
		}
	}
	while (dropped) {
		struct db_request *r = dropped;
		dropped = r->next;
		if (r->drop)
			r->drop(r->ctx);
		request_free(r);
	}
}

int db_async_pending(const struct db *db, const void *owner)
{
	const struct db_async *a = db->async;
	int n = 0;

	if (!a)
		return 0;
	for (const struct db_request *r = a->queue; r; r = r->next)
		n += !owner || r->owner == owner;
	for (const struct db_request *r = a->answered; r; r = r->next)
		n += !owner || r->owner == owner;
	if (a->inflight && !a->inflight->cancelled)
		n += !owner || a->inflight->owner == owner;
	return n;
}

short db_async_events(const struct db *db)
{
	if (!db->conn || db->state != DB_READY)
		return 0;
	return (short)(POLLIN | (PQflush(db->conn) > 0 ? POLLOUT : 0));
}

int db_async_timeout(const struct db *db)
{
	const struct db_async *a = db->async;
	long long left;

	if (a && !a->inflight && a->queue && a->cancel_wait_until)
		return 2; /* a cancel in transit: look again soon */
	if (!a || !a->inflight || !a->deadline)
		return -1;
	left = a->deadline - db_now_ms();
	return left < 0 ? 0 : (int)left;
}

/* The request in flight is complete: keep its answer for the loop. */
static void answered(struct db *db, PGresult *res)
{
	struct db_async *a = db->async;
	struct db_request *r = a->inflight;
	ExecStatusType st = PQresultStatus(res);

	a->inflight = NULL;
	a->deadline = 0;
	r->res = NULL; /* res may be it: owned here from now on */
	if (r->cancelled)
		a->cancel_wait_until = db_now_ms() + (db->deadline_ms > 0 ? db->deadline_ms : 5000);
	if (res && (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)) {
		r->res = res;
	} else {
		bool was_busy = db->busy;
		db_result_error(db, res);
		/* our own cancel of a superseded read is no jam */
		if (r->cancelled)
			db->busy = was_busy;
		PQclear(res);
		r->failed = true;
		r->status = db->status;
		snprintf(r->err, sizeof r->err, "%s", db->err);
		snprintf(r->sqlstate, sizeof r->sqlstate, "%s", db->sqlstate);
	}
	append(&a->answered_tail, r);
}

/* Takes results while libpq has them without reading the socket; true
 * when the request in flight is complete. */
static bool collect_ready(struct db *db)
{
	struct db_async *a = db->async;

	while (a->inflight && db->conn && !PQisBusy(db->conn)) {
		PGresult *r = PQgetResult(db->conn);
		if (!r) {
			answered(db, a->inflight->res);
			return true;
		}
		/* keep the first error, else the last result */
		if (a->inflight->res && PQresultStatus(a->inflight->res) == PGRES_FATAL_ERROR) {
			PQclear(r);
		} else {
			PQclear(a->inflight->res);
			a->inflight->res = r;
		}
		if (PQstatus(db->conn) == CONNECTION_BAD) {
			PGresult *res = a->inflight->res;
			a->inflight->res = NULL;
			answered(db, res);
			return true;
		}
	}
	return !a->inflight;
}

bool db_async_settle(struct db *db)
{
	struct db_async *a = db->async;

	while (a && a->inflight) {
		if (!db_wait_ready(db, a->deadline))
			return false;
		collect_ready(db);
	}
	while (a && cancel_in_transit(a))
		poll(NULL, 0, 2);
	return db->conn && db->state == DB_READY;
}

void db_async_lost(struct db *db)
{
	struct db_async *a = db->async;
	struct db_request *r;

	if (!a)
		return;
	/* a cancel still on its way is for the old session */
	cancel_unref(a->cancel);
	a->cancel = NULL;
	a->cancel_wait_until = 0;
	if (a->inflight) {
		PQclear(a->inflight->res);
		a->inflight->res = NULL;
		append(&a->queue_tail, a->inflight); /* failed with the rest, below */
		a->inflight = NULL;
		a->deadline = 0;
	}
	while ((r = a->queue)) {
		a->queue = r->next;
		r->failed = true;
		r->status = DB_FAILED;
		snprintf(r->err, sizeof r->err, "%s", db->err[0] ? db->err : "connection lost");
		append(&a->answered_tail, r);
	}
	a->queue_tail = &a->queue;
}

bool db_async_input(struct db *db)
{
	if (!db->conn || db->state != DB_READY)
		return false;
	if (PQflush(db->conn) < 0 || !PQconsumeInput(db->conn) || PQstatus(db->conn) == CONNECTION_BAD) {
		char why[sizeof db->err];
		snprintf(why, sizeof why, "%s", PQerrorMessage(db->conn));
		why[strcspn(why, "\n")] = '\0';
		db_drop(db, "%s", why[0] ? why : "connection lost");
		return false;
	}
	return true;
}

/* Whether a cancel sent for an earlier statement may still land. */
static bool cancel_in_transit(struct db_async *a)
{
	if (!a->cancel || !a->cancel_wait_until)
		return false;
	if (atomic_load(&a->cancel->landed) || db_now_ms() >= a->cancel_wait_until) {
		cancel_unref(a->cancel);
		a->cancel = NULL;
		a->cancel_wait_until = 0;
		return false;
	}
	return true;
}

static void send_next(struct db *db)
{
	struct db_async *a = db->async;
	struct db_request *r;

	if (cancel_in_transit(a))
		return;
	while (!a->inflight && (r = a->queue) && db->conn && db->state == DB_READY) {
		a->queue = r->next;
		if (!a->queue)
			a->queue_tail = &a->queue;
		PQsetnonblocking(db->conn, 1);
		if (!PQsendQueryParams(db->conn, r->sql, r->nparams, NULL, (const char *const *)r->params,
				       NULL, NULL, 0)) {
			a->inflight = r;
			answered(db, NULL);
			db_drop(db, "%s", r->err);
			continue;
		}
		a->inflight = r;
		a->deadline = db->deadline_ms > 0 ? db_now_ms() + db->deadline_ms : 0;
		PQflush(db->conn);
	}
}

static int dispatch(struct db *db)
{
	struct db_async *a = db->async;
	struct db_request *r;
	int n = 0;

	if (a->dispatching)
		return 0; /* a callback's own call: the outer loop goes on */
	a->dispatching = true;
	while ((r = a->answered)) {
		a->answered = r->next;
		if (!a->answered)
			a->answered_tail = &a->answered;
		if (r->cancelled) {
			if (r->drop)
				r->drop(r->ctx);
		} else if (r->done) {
			if (r->failed) {
				db->status = r->status;
				snprintf(db->err, sizeof db->err, "%s", r->err);
				snprintf(db->sqlstate, sizeof db->sqlstate, "%s", r->sqlstate);
			} else {
				db->status = DB_OK;
				db->busy = false;
				db->err[0] = '\0';
				db->sqlstate[0] = '\0';
			}
			r->done(db, r->failed ? NULL : r->res, r->ctx);
		}
		n++;
		request_free(r);
	}
	a->dispatching = false;
	return n;
}

int db_async_run(struct db *db)
{
	struct db_async *a = db->async;
	int n;

	if (!a)
		return 0;
	if (a->inflight && db->conn && db->state == DB_READY) {
		PQflush(db->conn);
		if (!collect_ready(db) && a->deadline && db_now_ms() >= a->deadline)
			db_drop(db, "no answer from the database within %d ms", db->deadline_ms);
	}
	/* A failed answer may have found the link broken: say so everywhere. */
	if (db->conn && db->state == DB_DISCONNECTED) {
		char why[sizeof db->err];
		snprintf(why, sizeof why, "%s", db->err);
		db_drop(db, "%s", why);
	}
	n = dispatch(db);
	send_next(db);
	/* A request that failed to send is answered at once. */
	if (a->answered)
		n += dispatch(db);
	return n;
}

void db_async_free(struct db *db)
{
	struct db_async *a = db->async;
	struct db_request *lists[3];

	if (!a)
		return;
	lists[0] = a->queue;
	lists[1] = a->inflight;
	lists[2] = a->answered;
	if (lists[1])
		lists[1]->next = NULL;
	for (int i = 0; i < 3; i++)
		while (lists[i]) {
			struct db_request *r = lists[i];
			lists[i] = r->next;
			if (r->drop && (i != 1 || !r->cancelled))
				r->drop(r->ctx);
			request_free(r);
		}
	cancel_unref(a->cancel);
	free(a);
	db->async = NULL;
}

struct json_job {
	db_json_fn done;
	void *ctx;
};

static void json_job_answer(struct db *db, PGresult *res, void *arg)
{
	struct json_job *job = arg;
	json_t *doc = NULL;
	json_error_t jerr;

	if (res && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0)) {
		if (!(doc = json_loads(PQgetvalue(res, 0, 0), 0, &jerr)))
			db_set_error(db, DB_FAILED, "bad JSON from the database: %s", jerr.text);
	} else if (res) {
		db_set_error(db, DB_FAILED, "no result from the database");
	}
	job->done(db, doc, job->ctx);
	json_decref(doc);
	free(job);
}

static void json_job_drop(void *arg)
{
	free(arg);
}

bool db_json_submit(struct db *db, const void *owner, const char *sql, int nparams,
		    const char *const *params, db_json_fn done, void *ctx)
{
	struct json_job *job = xcalloc(1, sizeof *job);

	job->done = done;
	job->ctx = ctx;
	if (!db_submit(db, owner, sql, nparams, params, json_job_answer, json_job_drop, job)) {
		free(job);
		return false;
	}
	return true;
}

bool db_answer_lost(const struct db *db)
{
	return db->status == DB_FAILED && (db->state != DB_READY || !db->sqlstate[0] ||
					   strncmp(db->sqlstate, "08", 2) == 0);
}

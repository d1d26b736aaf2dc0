#include "read.h"

#include <stdlib.h>
#include <string.h>

#include "../core/util.h"
#include "async.h"

struct db_read_step {
	struct db_read *read;
	char *sql;
	int nparams;
	char **params;
	db_read_parse_fn parse;
	void *dst;
	bool last;
};

struct db_read {
	void *out;
	size_t size;
	struct db_read_step *steps;
	int nsteps, cap;
	db_read_finish_fn finish;
	db_read_free_fn free_out;
	/* while queued */
	db_read_deliver_fn deliver;
	void (*done)(void);
	void *ctx;
	int refs;
	bool failed;
};

struct db_read *db_read_new(size_t out_size)
{
	struct db_read *r = xcalloc(1, sizeof *r);
	r->size = out_size;
	r->out = xcalloc(1, out_size ? out_size : 1);
	return r;
}

void *db_read_out(struct db_read *r)
{
	return r->out;
}

void db_read_add(struct db_read *r, const char *sql, int nparams, const char *const *params,
		 db_read_parse_fn parse, void *dst)
{
	struct db_read_step *s;

	if (r->nsteps == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 4;
		r->steps = xrealloc(r->steps, (size_t)r->cap * sizeof *r->steps);
	}
	s = &r->steps[r->nsteps++];
	memset(s, 0, sizeof *s);
	s->read = r;
	s->sql = xstrdup(sql);
	s->nparams = nparams;
	s->params = xcalloc((size_t)(nparams > 0 ? nparams : 1), sizeof *s->params);
	for (int i = 0; i < nparams; i++)
		s->params[i] = params[i] ? xstrdup(params[i]) : NULL;
	s->parse = parse;
	s->dst = dst;
}

void db_read_on_finish(struct db_read *r, db_read_finish_fn finish)
{
	r->finish = finish;
}

void db_read_on_free(struct db_read *r, db_read_free_fn free_out)
{
	r->free_out = free_out;
}

static void read_free(struct db_read *r, bool free_out)
{
	for (int i = 0; i < r->nsteps; i++) {
		for (int k = 0; k < r->steps[i].nparams; k++)
			free(r->steps[i].params[k]);
		free(r->steps[i].params);
		free(r->steps[i].sql);
	}
	free(r->steps);
	if (free_out && r->free_out)
		r->free_out(r->out);
	free(r->out);
	free(r);
}

bool db_read_run(struct db *db, struct db_read *r, void *out)
{
	bool ok = true;

	for (int i = 0; ok && i < r->nsteps; i++) {
		struct db_read_step *s = &r->steps[i];
		PGresult *res = db_exec(db, s->sql, s->nparams, (const char *const *)s->params);
		ok = res && (!s->parse || s->parse(db, res, s->dst));
		PQclear(res);
	}
	if (ok && r->finish)
		ok = r->finish(db, r->out);
	if (ok)
		memcpy(out, r->out, r->size);
	read_free(r, !ok);
	return ok;
}

static void read_unref(struct db_read *r)
{
	if (--r->refs == 0)
		read_free(r, true);
}

static void read_fail(struct db *db, struct db_read *r)
{
	if (r->failed)
		return;
	r->failed = true;
	r->deliver(db, r->done, NULL, r->ctx);
}

static void step_answer(struct db *db, PGresult *res, void *ctx)
{
	struct db_read_step *s = ctx;
	struct db_read *r = s->read;

	if (!r->failed) {
		if (!res || (s->parse && !s->parse(db, res, s->dst)) ||
		    (s->last && r->finish && !r->finish(db, r->out)))
			read_fail(db, r);
		else if (s->last)
			r->deliver(db, r->done, r->out, r->ctx);
	}
	read_unref(r);
}

static void step_drop(void *ctx)
{
	struct db_read_step *s = ctx;
	/* cancelled: the owner wants no answer */
	s->read->failed = true;
	read_unref(s->read);
}

bool db_read_submit(struct db *db, const void *owner, struct db_read *r, db_read_deliver_fn deliver,
		    void (*done)(void), void *ctx)
{
	if (!db->conn || db->state != DB_READY || r->nsteps == 0) {
		if (r->nsteps)
			db_set_error(db, DB_FAILED, "not connected to the database");
		read_free(r, true);
		return false;
	}
	r->deliver = deliver;
	r->done = done;
	r->ctx = ctx;
	r->steps[r->nsteps - 1].last = true;
	for (int i = 0; i < r->nsteps; i++) {
		struct db_read_step *s = &r->steps[i];
		/* cannot fail: connected, checked above, and nothing runs in between */
		if (db_submit(db, owner, s->sql, s->nparams, (const char *const *)s->params, step_answer, step_drop, s))
			r->refs++;
		else
			r->failed = true;
	}
	if (r->refs == 0) {
		read_free(r, true);
		return false;
	}
	return true;
}

struct rows_job {
	db_rows_fn done;
	void *ctx;
};

static void rows_answer(struct db *db, PGresult *res, void *ctx)
{
	struct rows_job *job = ctx;
	job->done(db, res, job->ctx);
	free(job);
}

bool db_rows_submit(struct db *db, const void *owner, const char *sql, int nparams, const char *const *params,
		    db_rows_fn done, void *ctx)
{
	struct rows_job *job = xcalloc(1, sizeof *job);
	job->done = done;
	job->ctx = ctx;
	if (!db_submit(db, owner, sql, nparams, params, rows_answer, free, job)) {
		free(job);
		return false;
	}
	return true;
}

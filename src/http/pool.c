/* A fixed set of database connections shared by the request threads. A
 * thread waits for one with a deadline; a connection that broke is
 * reconnected by whoever takes it next. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../db/db.h"
#include "http.h"

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	int size, nfree;
	struct db **all;
	struct db **free; /* stack of idle connections */
};

struct pool *pool_new(const char *conninfo, const char *station, int size)
{
	struct pool *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->all = calloc((size_t)size, sizeof *p->all);
	p->free = calloc((size_t)size, sizeof *p->free);
	if (!p->all || !p->free) {
		free(p->all);
		free(p->free);
		free(p);
		return NULL;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, NULL);
	p->size = size;
	for (int i = 0; i < size; i++) {
		p->all[i] = db_new(conninfo, station);
		if (!p->all[i]) {
			p->size = i;
			break;
		}
		p->free[p->nfree++] = p->all[i];
	}
	return p;
}

void pool_free(struct pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->size; i++)
		db_free(p->all[i]);
	free(p->all);
	free(p->free);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->freed);
	free(p);
}

struct db *pool_take(struct pool *p, int wait_ms)
{
	struct timespec until;
	struct db *db = NULL;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&p->lock);
	while (p->nfree == 0)
		if (pthread_cond_timedwait(&p->freed, &p->lock, &until) == ETIMEDOUT)
			break;
	if (p->nfree > 0)
		db = p->free[--p->nfree];
	pthread_mutex_unlock(&p->lock);
	if (!db)
		return NULL;
	if (db->state != DB_READY && !db_connect(db)) {
		pool_give(p, db);
		return NULL;
	}
	return db;
}

void pool_give(struct pool *p, struct db *db)
{
	/* a connection left inside a transaction (a failed call) starts clean */
	if (db->state == DB_READY && PQtransactionStatus(db->conn) != PQTRANS_IDLE)
		db_rollback(db);
	pthread_mutex_lock(&p->lock);
	p->free[p->nfree++] = db;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}

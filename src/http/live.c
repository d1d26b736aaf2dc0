/* Availability kept live: one connection LISTENs for every change of a
 * type's counters (ticket_type_announce) and re-reads the events that
 * changed, once per burst of notifications; every GET /availability and
 * every live stream is served from that state, never from a query of its
 * own. A reader waits (with a deadline) while its event has a notification
 * not yet read, so an answer is never older than the last notification. */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../db/db.h"
#include "http.h"

#define LIVE_EVENTS_MAX 10000
#define READER_WAIT_MS 3000
#define KEEPALIVE_MS 15000
/* A link that went silent (no reset, no answer) delivers no notification
 * and says nothing: after this long without a word the listener asks, and
 * reconnects (re-reading everything) when no answer comes. */
#define LISTEN_PING_MS 5000

struct live_event {
	long long id;
	char *doc;       /* the rows, as JSON text */
	bool loaded;     /* doc is the event's state (or exists is false) */
	bool exists;
	bool dirty;      /* a notification came after doc was read */
	unsigned long seq;
};

struct live {
	struct server *srv;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct live_event **ev;
	size_t n, cap;
	int wake[2];
	volatile int stop;
	unsigned long seq;
	struct db *db;
};

static struct live_event *find(struct live *l, long long id)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->ev[i]->id == id)
			return l->ev[i];
	return NULL;
}

static struct live_event *find_or_add(struct live *l, long long id)
{
	struct live_event *e = find(l, id);

	if (e)
		return e;
	if (l->n >= LIVE_EVENTS_MAX) {
		/* Full: an ID that named no event gives its place up (anyone
		 * may ask for any number without a key; were they kept, unknown
		 * IDs would crowd the real events out and those answer 503).
		 * Its readers, under this lock, find it gone and ask again. */
		for (size_t i = 0; i < l->n; i++)
			if (l->ev[i]->loaded && !l->ev[i]->exists) {
				e = l->ev[i];
				free(e->doc);
				memset(e, 0, sizeof *e);
				e->id = id;
				if (write(l->wake[1], "w", 1) < 0) {
					/* the listener is woken by its 1 s poll anyway */
				}
				return e;
			}
		return NULL;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct live_event **v = realloc(l->ev, cap * sizeof *v);
		if (!v)
			return NULL;
		l->ev = v;
		l->cap = cap;
	}
	if (!(e = calloc(1, sizeof *e)))
		return NULL;
	e->id = id;
	l->ev[l->n++] = e;
	if (write(l->wake[1], "w", 1) < 0) {
		/* the listener is woken by its 1 s poll anyway */
	}
	return e;
}

static void mark_all_dirty(struct live *l)
{
	pthread_mutex_lock(&l->lock);
	for (size_t i = 0; i < l->n; i++)
		l->ev[i]->dirty = true;
	pthread_mutex_unlock(&l->lock);
}

static bool listen_connect(struct live *l)
{
	if (l->db->state == DB_READY)
		return true;
	if (!db_connect(l->db) || !db_run(l->db, "LISTEN boxoffice_inventory", 0, NULL) ||
	    !db_run(l->db, "LISTEN boxoffice_apikeys", 0, NULL)) {
		db_drop(l->db, "listen failed");
		return false;
	}
	/* what changed while we were away is unknown: re-read everything */
	mark_all_dirty(l);
	return true;
}

/* Re-reads every event that needs it. */
static void refresh(struct live *l)
{
	for (;;) {
		long long id = 0;
		char idt[24];
		const char *p[1] = { idt };
		PGresult *res;

		pthread_mutex_lock(&l->lock);
		for (size_t i = 0; i < l->n && !id; i++)
			if (!l->ev[i]->loaded || l->ev[i]->dirty)
				id = l->ev[i]->id;
		if (id) {
			struct live_event *e = find(l, id);
			e->dirty = false; /* a notification from now on marks it again */
		}
		pthread_mutex_unlock(&l->lock);
		if (!id)
			return;
		snprintf(idt, sizeof idt, "%lld", id);
		res = db_exec(l->db,
			      "SELECT EXISTS (SELECT 1 FROM event WHERE id = $1::bigint), api_availability($1::bigint, NULL)",
			      1, p);
		pthread_mutex_lock(&l->lock);
		{
			struct live_event *e = find(l, id);
			if (e && res) {
				/* compact, as every other answer is */
				json_t *rows = json_loads(PQgetvalue(res, 0, 1), 0, NULL);
				free(e->doc);
				e->exists = db_bool(res, 0, 0);
				e->doc = rows ? json_dumps(rows, JSON_COMPACT) : strdup(PQgetvalue(res, 0, 1));
				json_decref(rows);
				e->loaded = true;
				e->seq = ++l->seq;
			} else if (e) {
				e->dirty = true; /* try again after reconnecting */
			}
		}
		pthread_cond_broadcast(&l->changed);
		pthread_mutex_unlock(&l->lock);
		if (!res)
			return;
		PQclear(res);
	}
}

static void take_notifications(struct live *l)
{
	PGnotify *n;

	if (!db_consume(l->db))
		return;
	while ((n = db_next_notify(l->db))) {
		if (strcmp(n->relname, "boxoffice_apikeys") == 0) {
			key_cache_forget(l->srv->keys, atoll(n->extra));
		} else {
			json_t *doc = json_loads(n->extra, 0, NULL);
			long long ev = doc ? json_integer_value(json_object_get(doc, "event")) : 0;
			pthread_mutex_lock(&l->lock);
			if (ev) {
				struct live_event *e = find(l, ev);
				if (e)
					e->dirty = true;
			} else {
				for (size_t i = 0; i < l->n; i++)
					l->ev[i]->dirty = true;
			}
			pthread_mutex_unlock(&l->lock);
			json_decref(doc);
		}
		PQfreemem(n);
	}
}

static void *listener(void *arg)
{
	struct live *l = arg;
	long long heard = db_now_ms();

	while (!l->stop) {
		struct pollfd pfd[2];
		int n = 1;
		char buf[64];

		if (!listen_connect(l)) {
			for (int i = 0; i < 10 && !l->stop; i++)
				usleep(100 * 1000);
			continue;
		}
		take_notifications(l);
		refresh(l);
		pfd[0].fd = l->wake[0];
		pfd[0].events = POLLIN;
		if (db_socket(l->db) >= 0) {
			pfd[1].fd = db_socket(l->db);
			pfd[1].events = POLLIN;
			n = 2;
		}
		if (poll(pfd, (nfds_t)n, 1000) > 0) {
			if (pfd[0].revents & POLLIN)
				while (read(l->wake[0], buf, sizeof buf) == (ssize_t)sizeof buf) {
				}
			if (n == 2 && pfd[1].revents)
				heard = db_now_ms();
		}
		if (db_now_ms() - heard > LISTEN_PING_MS) {
			int was = db_swap_deadline(l->db, 3000);
			if (!db_run(l->db, "SELECT 1", 0, NULL))
				db_drop(l->db, "the listening connection went silent");
			db_swap_deadline(l->db, was);
			heard = db_now_ms();
		}
	}
	return NULL;
}

struct live *live_start(struct server *srv)
{
	struct live *l = calloc(1, sizeof *l);

	if (!l)
		return NULL;
	l->srv = srv;
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->changed, NULL);
	if (pipe(l->wake) != 0) {
		free(l);
		return NULL;
	}
	for (int i = 0; i < 2; i++)
		fcntl(l->wake[i], F_SETFL, O_NONBLOCK);
	l->db = db_new(srv->cfg.conninfo, srv->cfg.station);
	if (!l->db || !listen_connect(l) || pthread_create(&l->thread, NULL, listener, l) != 0) {
		if (l->db)
			db_free(l->db);
		close(l->wake[0]);
		close(l->wake[1]);
		free(l);
		return NULL;
	}
	return l;
}

void live_stop(struct live *l)
{
	l->stop = 1;
	if (write(l->wake[1], "s", 1) < 0) {
	}
	pthread_mutex_lock(&l->lock);
	pthread_cond_broadcast(&l->changed);
	pthread_mutex_unlock(&l->lock);
	pthread_join(l->thread, NULL);
	for (size_t i = 0; i < l->n; i++) {
		free(l->ev[i]->doc);
		free(l->ev[i]);
	}
	free(l->ev);
	db_free(l->db);
	close(l->wake[0]);
	close(l->wake[1]);
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->changed);
	free(l);
}

static void deadline_in(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* The rows of doc for one type (all when type_id is 0), as new text. */
static char *rows_of(const char *doc, long long type_id)
{
	json_t *rows, *out;
	size_t i;
	json_t *row;
	char *text;

	if (!type_id)
		return strdup(doc);
	if (!(rows = json_loads(doc, 0, NULL)))
		return NULL;
	out = json_array();
	json_array_foreach(rows, i, row)
	{
		if (json_integer_value(json_object_get(row, "type")) == type_id)
			json_array_append(out, row);
	}
	text = json_dumps(out, JSON_COMPACT);
	json_decref(out);
	json_decref(rows);
	return text;
}

/* Waits (lock held) until the event's state is current; the entry or NULL. */
static struct live_event *current(struct live *l, long long event_id, int wait_ms)
{
	struct timespec until;
	struct live_event *e;

	deadline_in(&until, wait_ms);
	for (;;) {
		e = find_or_add(l, event_id);
		if (!e || (e->loaded && !e->dirty) || l->stop)
			return e;
		if (pthread_cond_timedwait(&l->changed, &l->lock, &until) != 0)
			return e; /* past the deadline: whatever there is */
	}
}

char *live_availability(struct live *l, long long event_id, long long type_id, unsigned *status)
{
	struct live_event *e;
	char *text = NULL;

	pthread_mutex_lock(&l->lock);
	e = current(l, event_id, READER_WAIT_MS);
	if (!e || !e->loaded) {
		*status = 503;
	} else if (!e->exists) {
		*status = 404;
	} else {
		text = rows_of(e->doc, type_id);
		*status = text ? 200 : 500;
	}
	pthread_mutex_unlock(&l->lock);
	return text;
}

/* ---- the live stream (text/event-stream) ---- */

struct stream {
	struct live *l;
	long long event_id, type_id;
	unsigned long sent_seq;
	char *pending;
	size_t len, off;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream *s = cls;
	struct live *l = s->l;

	(void)pos;
	while (s->off >= s->len) {
		struct live_event *e;
		struct timespec until;
		char *rows = NULL;
		unsigned long seq = 0;

		free(s->pending);
		s->pending = NULL;
		s->len = s->off = 0;
		if (l->stop || l->srv->stopping)
			return MHD_CONTENT_READER_END_OF_STREAM;
		deadline_in(&until, KEEPALIVE_MS);
		pthread_mutex_lock(&l->lock);
		for (;;) {
			e = current(l, s->event_id, READER_WAIT_MS);
			if (!e || l->stop || l->srv->stopping)
				break;
			if (e->loaded && !e->dirty && e->seq != s->sent_seq) {
				if (!e->exists) {
					pthread_mutex_unlock(&l->lock);
					return MHD_CONTENT_READER_END_OF_STREAM;
				}
				rows = rows_of(e->doc, s->type_id);
				seq = e->seq;
				break;
			}
			/* wake up now and then to notice a stop */
			{
				struct timespec tick;
				deadline_in(&tick, 500);
				if (tick.tv_sec > until.tv_sec || (tick.tv_sec == until.tv_sec && tick.tv_nsec > until.tv_nsec))
					tick = until;
				if (pthread_cond_timedwait(&l->changed, &l->lock, &tick) != 0) {
					struct timespec now;
					clock_gettime(CLOCK_REALTIME, &now);
					if (now.tv_sec > until.tv_sec ||
					    (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec))
						break;
				}
			}
		}
		pthread_mutex_unlock(&l->lock);
		if (rows) {
			size_t n = strlen(rows) + 64;
			s->pending = malloc(n);
			if (!s->pending) {
				free(rows);
				return MHD_CONTENT_READER_END_WITH_ERROR;
			}
			s->len = (size_t)snprintf(s->pending, n, "event: availability\nid: %lu\ndata: %s\n\n", seq, rows);
			s->sent_seq = seq;
			free(rows);
		} else if (!(l->stop || l->srv->stopping)) {
			s->pending = strdup(": keepalive\n\n");
			s->len = s->pending ? strlen(s->pending) : 0;
		}
	}
	{
		size_t n = s->len - s->off < max ? s->len - s->off : max;
		memcpy(buf, s->pending + s->off, n);
		s->off += n;
		return (ssize_t)n;
	}
}

static void stream_free(void *cls)
{
	struct stream *s = cls;
	free(s->pending);
	free(s);
}

bool live_stream(struct request *r, long long event_id, long long type_id)
{
	struct stream *s = calloc(1, sizeof *s);
	struct MHD_Response *res;
	enum MHD_Result ok;

	if (!s)
		return http_error(r, 500, "out of memory");
	s->l = r->srv->live;
	s->event_id = event_id;
	s->type_id = type_id;
	res = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 8192, stream_read, s, stream_free);
	if (!res) {
		free(s);
		return http_error(r, 500, "out of memory");
	}
	MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	MHD_add_response_header(res, "Cache-Control", "no-store");
	ok = MHD_queue_response(r->conn, 200, res);
	MHD_destroy_response(res);
	r->answered = true;
	r->status = 200;
	return ok == MHD_YES;
}

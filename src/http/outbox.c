/* The outbox worker: pushes what each connected platform may still sell
 * (db/038_outbox.sql writes the rows in the sales' own transactions).
 *
 * One thread with its own database connection (never the request pool:
 * a slow database or a frozen link costs the worker, never a sale) that
 * LISTENs on boxoffice_outbox and claims on a timer too, and a libcurl
 * multi handle in the same poll loop. Each channel has at most one request
 * in flight (its rows go in order); channels are independent (a stalled
 * one holds only its own transfer, bounded by its deadlines). Every
 * transfer has a connect and a total deadline (settings.timeout_ms,
 * default 10 s; settings.connect_timeout_ms, default 5 s). The bytes come
 * from src/core/push_format.h. The database going away makes the worker
 * reconnect; an outcome not yet recorded is kept (its channel stays busy)
 * until it is. */
#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../core/push_format.h"
#include "../db/channels.h"
#include "../db/db.h"
#include "http.h"

#define CLAIM_EVERY_MS 1000
#define RESYNC_CHECK_MS 5000
#define RECONNECT_MS 1000
#define DB_DEADLINE_MS 5000
#define RESPONSE_MAX (1024 * 1024)
#define BUSY_MAX 256

enum phase {
	PH_SEND,  /* an availability push or a message */
	PH_PULL,  /* a resync's read of what the platform believes */
	PH_PUSH,  /* a resync's push of ours, after the read */
	PH_REPORT /* done: the outcome waits to be recorded */
};

struct xfer {
	struct xfer *next;
	long long id, channel_id;
	json_t *row; /* the claimed row, with its channel */
	enum phase phase;
	CURL *easy;
	struct curl_slist *hdrs;
	struct push_request req;
	char *resp;
	size_t len;
	char errbuf[CURL_ERROR_SIZE];
	/* the outcome */
	bool ok;
	bool permanent; /* the request cannot be built: retrying cannot help */
	char error[400];
	char *drift; /* JSON text or NULL */
	long long pulled_sold; /* a resync's reading of what the platform sold, -1: none */
};

struct outbox {
	struct server *srv;
	pthread_t thread;
	int wake[2];
	volatile int stop;
	struct db *db;
	CURLM *multi;
	struct xfer *list;
	char owner[96];
	bool want_claim;
	long long next_claim, next_resync, next_connect;
	char last_claim_error[512]; /* logged once, not every second */
};

static void logline(struct outbox *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logline(struct outbox *o, const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	json_t *doc;
	char *text;

	if (o->srv->cfg.quiet)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	doc = json_pack("{s:s}", "outbox", msg);
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (text) {
		flockfile(stderr);
		fprintf(stderr, "%s\n", text);
		funlockfile(stderr);
		free(text);
	}
}

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t k = size * n;
	char *b;

	if (x->len + k > RESPONSE_MAX)
		return 0; /* an answer this large is not one of ours: fail it */
	b = realloc(x->resp, x->len + k + 1);
	if (!b)
		return 0;
	x->resp = b;
	memcpy(x->resp + x->len, data, k);
	x->len += k;
	x->resp[x->len] = '\0';
	return k;
}

static const char *jstr(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static long long jint(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* The channel and item of a claimed row, pointing into it. */
static void row_parts(json_t *row, struct push_channel *c, struct push_item *it, char **settings)
{
	json_t *ch = json_object_get(row, "channel"), *p = json_object_get(row, "payload");

	*settings = json_dumps(json_object_get(ch, "settings"), JSON_COMPACT);
	memset(c, 0, sizeof *c);
	c->name = jstr(ch, "name");
	c->platform = jstr(ch, "platform");
	c->base_url = jstr(ch, "base_url");
	c->credentials = jstr(ch, "credentials");
	c->settings = *settings ? *settings : "{}";
	memset(it, 0, sizeof *it);
	it->sku = jstr(p, "sku");
	it->remote = jstr(p, "remote");
	it->event_id = jint(p, "event");
	it->type_id = jint(p, "type");
	it->event_name = jstr(p, "event_name");
	it->type_name = jstr(p, "type_name");
	it->available = jint(p, "available");
	it->sold = jint(p, "sold");
	it->seq = jint(row, "id");
}

static long setting_ms(json_t *row, const char *key, long dflt)
{
	json_t *v = json_object_get(json_object_get(json_object_get(row, "channel"), "settings"), key);
	long long ms = json_is_integer(v) ? json_integer_value(v)
		       : json_is_string(v) ? atoll(json_string_value(v))
					   : 0;
	return ms > 0 && ms <= 600000 ? (long)ms : dflt;
}

static void xfer_reset_request(struct xfer *x)
{
	if (x->easy) {
		curl_easy_cleanup(x->easy); /* the caller removed it from the multi handle */
		x->easy = NULL;
	}
	curl_slist_free_all(x->hdrs);
	x->hdrs = NULL;
	push_request_free(&x->req);
	memset(&x->req, 0, sizeof x->req);
	free(x->resp);
	x->resp = NULL;
	x->len = 0;
}

static void xfer_free(struct xfer *x)
{
	xfer_reset_request(x);
	json_decref(x->row);
	free(x->drift);
	free(x);
}

/* scheme://host[:port] of the request's URL: its path and query may be the
 * secret (a Slack webhook URL) or an account ID, so errors and logs, which
 * clerks read, name the host only. */
static const char *url_host(const struct xfer *x, char *buf, size_t size)
{
	const char *u = x->req.url ? x->req.url : "", *sep = strstr(u, "://");
	const char *h = sep ? sep + 3 : u;
	size_t n = strcspn(h, "/?#");
	const char *at = memchr(h, '@', n);

	if (at) { /* user:password@: never */
		n -= (size_t)(at + 1 - h);
		h = at + 1;
	}
	snprintf(buf, size, "%.*s%.*s", sep ? (int)(sep + 3 - u) : 0, u, (int)n, h);
	return buf;
}

static void finish(struct xfer *x, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void finish(struct xfer *x, bool ok, const char *fmt, ...)
{
	va_list ap;

	x->ok = ok;
	x->error[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(x->error, sizeof x->error, fmt, ap);
		va_end(ap);
	}
	for (char *c = x->error; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = ' '; /* one line: logs, the dashboard */
	x->phase = PH_REPORT;
}

/* Starts x->req on the multi handle. */
static bool start_request(struct outbox *o, struct xfer *x)
{
	long timeout = setting_ms(x->row, "timeout_ms", 10000);
	long connect = setting_ms(x->row, "connect_timeout_ms", timeout < 5000 ? timeout : 5000);
	CURL *e = curl_easy_init();

	if (!e)
		return false;
	x->easy = e;
	for (int i = 0; i < x->req.n_headers; i++)
		x->hdrs = curl_slist_append(x->hdrs, x->req.headers[i]);
	/* no "Expect: 100-continue" round trip */
	x->hdrs = curl_slist_append(x->hdrs, "Expect:");
	curl_easy_setopt(e, CURLOPT_URL, x->req.url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, connect);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "boxoffice/" BOXOFFICE_VERSION);
	if (strcmp(x->req.method, "GET") == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)x->req.body_len);
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->req.body ? x->req.body : "");
		if (strcmp(x->req.method, "POST") != 0)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, x->req.method);
	}
	x->errbuf[0] = '\0';
	return curl_multi_add_handle(o->multi, e) == CURLM_OK;
}

/* Builds and starts the request of x's phase; on a failure to build it the
 * row is finished as failed. */
static void begin_phase(struct outbox *o, struct xfer *x)
{
	struct push_channel c;
	struct push_item it;
	char *settings = NULL, err[300] = "";
	const char *kind = jstr(x->row, "kind");
	bool built;

	row_parts(x->row, &c, &it, &settings);
	memset(&x->req, 0, sizeof x->req);
	if (strcmp(kind, "message") == 0)
		built = push_message(&c, jstr(json_object_get(x->row, "payload"), "text"), (long long)time(NULL),
				     &x->req, err, sizeof err);
	else if (x->phase == PH_PULL)
		built = pull_request(&c, &it, &x->req, err, sizeof err);
	else {
		/* after a resync's read, a capacity-style platform (Eventbrite)
		 * is told its own sold count plus what we have left */
		if (x->phase == PH_PUSH && x->pulled_sold >= 0)
			it.sold = x->pulled_sold;
		built = push_availability(&c, &it, (long long)time(NULL), &x->req, err, sizeof err);
	}
	free(settings);
	if (!built || !x->req.url) {
		if (x->phase == PH_PULL) {
			/* nothing to read on this platform: push ours */
			push_request_free(&x->req);
			x->phase = PH_PUSH;
			begin_phase(o, x);
			return;
		}
		finish(x, false, "cannot build the request: %s", err[0] ? err : "no URL");
		x->permanent = true;
		return;
	}
	if (!start_request(o, x))
		finish(x, false, "cannot start the request");
}

/* A transfer ended. */
static void transfer_done(struct outbox *o, struct xfer *x, CURLcode code)
{
	long status = 0;
	char host[200];

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(o->multi, x->easy);
	url_host(x, host, sizeof host);
	if (code != CURLE_OK) {
		finish(x, false, "%s [%s]", x->errbuf[0] ? x->errbuf : curl_easy_strerror(code), host);
	} else if (status < 200 || status > 299) {
		finish(x, false, "HTTP %ld: %.160s [%s]", status, x->resp ? x->resp : "", host);
	} else if (x->phase == PH_PULL) {
		struct push_channel c;
		struct push_item it;
		char *settings = NULL, err[300] = "";
		long long avail = -1, sold = -1;
		bool parsed;

		row_parts(x->row, &c, &it, &settings);
		parsed = pull_parse(&c, &it, x->resp ? x->resp : "", x->len, &avail, &sold, err, sizeof err);
		free(settings);
		if (parsed) {
			json_t *d = json_pack("{s:I,s:I,s:I,s:I}", "theirs_available", (json_int_t)avail,
					      "ours_available", (json_int_t)it.available, "drift",
					      (json_int_t)(avail - it.available), "ours_sold", (json_int_t)it.sold);
			if (d && sold >= 0)
				json_object_set_new(d, "theirs_sold", json_integer(sold));
			free(x->drift);
			x->drift = d ? json_dumps(d, JSON_COMPACT) : NULL;
			x->pulled_sold = sold;
			json_decref(d);
			if (avail != it.available)
				logline(o, "channel %s: %s: the platform had %lld left, we have %lld", c.name,
					it.sku ? it.sku : "?", avail, it.available);
		} else {
			logline(o, "channel %s: cannot read its answer: %s", c.name, err);
		}
		xfer_reset_request(x);
		x->phase = PH_PUSH;
		begin_phase(o, x);
		return;
	} else {
		finish(x, true, NULL);
	}
	curl_easy_cleanup(x->easy);
	x->easy = NULL;
}

static void disconnect(struct outbox *o, const char *why)
{
	if (o->db->state != DB_DISCONNECTED) {
		logline(o, "database: %s; reconnecting", why);
		db_drop(o->db, "%s", why);
	}
	o->next_connect = db_now_ms() + RECONNECT_MS;
}

static bool ensure_connected(struct outbox *o)
{
	if (o->db->state == DB_READY)
		return true;
	if (db_now_ms() < o->next_connect)
		return false;
	if (!db_connect(o->db) || !db_run(o->db, "LISTEN boxoffice_outbox", 0, NULL)) {
		disconnect(o, o->db->err[0] ? o->db->err : "cannot connect");
		return false;
	}
	o->want_claim = true;
	return true;
}

/* Records the outcomes waiting; false when the database failed. */
static bool report(struct outbox *o)
{
	for (struct xfer **pp = &o->list; *pp;) {
		struct xfer *x = *pp;
		json_t *r;

		if (x->phase != PH_REPORT) {
			pp = &x->next;
			continue;
		}
		r = x->permanent ? db_outbox_give_up(o->db, x->id, o->owner, x->error)
				 : db_outbox_complete(o->db, x->id, o->owner, x->ok, x->ok ? NULL : x->error, x->drift);
		if (!r) {
			if (o->db->state != DB_READY || db_error_is_transient(o->db))
				return false;
			logline(o, "cannot record row %lld: %s", x->id, o->db->err); /* drop it: its lease runs out */
		} else {
			const char *st = jstr(r, "state");
			if (!x->ok)
				logline(o, "row %lld to %s failed (%s): %s", x->id,
					jstr(json_object_get(x->row, "channel"), "name"), st ? st : "?", x->error);
			json_decref(r);
		}
		*pp = x->next;
		xfer_free(x);
		o->want_claim = true;
	}
	return true;
}

static bool claim(struct outbox *o)
{
	long long busy[BUSY_MAX];
	int nbusy = 0;
	json_t *r, *rows, *row;
	size_t i;

	for (struct xfer *x = o->list; x && nbusy < BUSY_MAX; x = x->next)
		busy[nbusy++] = x->channel_id;
	r = db_outbox_claim(o->db, o->owner, busy, nbusy);
	if (!r)
		return false;
	o->last_claim_error[0] = '\0';
	rows = json_object_get(r, "rows");
	json_array_foreach(rows, i, row)
	{
		struct xfer *x = calloc(1, sizeof *x);
		if (!x)
			break; /* the lease runs out; claimed again later */
		x->row = json_incref(row);
		x->pulled_sold = -1;
		x->id = jint(row, "id");
		x->channel_id = jint(json_object_get(row, "channel"), "id");
		x->phase = strcmp(jstr(row, "kind"), "resync") == 0 ? PH_PULL : PH_SEND;
		x->next = o->list;
		o->list = x;
		begin_phase(o, x);
	}
	{
		json_t *w = json_object_get(r, "wake_ms");
		long long wake = json_is_integer(w) ? json_integer_value(w) : CLAIM_EVERY_MS;
		o->next_claim = db_now_ms() + (wake < CLAIM_EVERY_MS ? wake : CLAIM_EVERY_MS);
	}
	json_decref(r);
	return true;
}

static void take_notifications(struct outbox *o)
{
	PGnotify *n;

	if (!db_consume(o->db)) {
		disconnect(o, "the listening connection broke");
		return;
	}
	while ((n = db_next_notify(o->db))) {
		o->want_claim = true;
		PQfreemem(n);
	}
}

static void *worker(void *arg)
{
	struct outbox *o = arg;

	while (!o->stop) {
		long long now = db_now_ms(), wait;
		struct curl_waitfd extra[2];
		unsigned nextra = 0;
		int running;
		CURLMsg *m;
		int left;
		char buf[64];

		if (ensure_connected(o)) {
			take_notifications(o);
			if (o->db->state == DB_READY && !report(o))
				disconnect(o, o->db->err[0] ? o->db->err : "cannot record an outcome");
			now = db_now_ms();
			if (o->db->state == DB_READY && now >= o->next_resync) {
				if (db_outbox_resync_due(o->db) < 0 && (o->db->state != DB_READY || db_error_is_transient(o->db)))
					disconnect(o, o->db->err);
				o->next_resync = now + RESYNC_CHECK_MS;
			}
			if (o->db->state == DB_READY && (o->want_claim || now >= o->next_claim)) {
				o->want_claim = false;
				if (!claim(o)) {
					if (strncmp(o->last_claim_error, o->db->err, sizeof o->last_claim_error - 1) != 0) {
						logline(o, "claim failed: %s", o->db->err);
						snprintf(o->last_claim_error, sizeof o->last_claim_error, "%s", o->db->err);
					}
					if (o->db->state != DB_READY || db_error_is_transient(o->db))
						disconnect(o, o->db->err);
					o->next_claim = db_now_ms() + CLAIM_EVERY_MS;
				}
			}
		}
		curl_multi_perform(o->multi, &running);
		while ((m = curl_multi_info_read(o->multi, &left))) {
			struct xfer *x = NULL;
			if (m->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
			if (x)
				transfer_done(o, x, m->data.result);
		}
		for (struct xfer *x = o->list; x; x = x->next)
			if (x->phase == PH_REPORT)
				o->want_claim = true; /* report at once */
		if (o->want_claim && o->db->state == DB_READY)
			continue;
		now = db_now_ms();
		wait = o->next_claim - now;
		if (o->db->state != DB_READY)
			wait = o->next_connect - now;
		if (wait > CLAIM_EVERY_MS)
			wait = CLAIM_EVERY_MS;
		if (wait < 0)
			wait = 0;
		extra[nextra].fd = o->wake[0];
		extra[nextra].events = CURL_WAIT_POLLIN;
		extra[nextra++].revents = 0;
		if (o->db->state == DB_READY && db_socket(o->db) >= 0) {
			extra[nextra].fd = db_socket(o->db);
			extra[nextra].events = CURL_WAIT_POLLIN;
			extra[nextra++].revents = 0;
		}
		curl_multi_wait(o->multi, extra, nextra, (int)wait, NULL);
		if (extra[0].revents)
			while (read(o->wake[0], buf, sizeof buf) == (ssize_t)sizeof buf) {
			}
		if (nextra > 1 && extra[1].revents)
			take_notifications(o);
	}
	return NULL;
}

struct outbox *outbox_start(struct server *srv)
{
	struct outbox *o = calloc(1, sizeof *o);
	unsigned char r[6];
	FILE *f;

	if (!o)
		return NULL;
	o->srv = srv;
	if (pipe(o->wake) != 0) {
		free(o);
		return NULL;
	}
	for (int i = 0; i < 2; i++)
		fcntl(o->wake[i], F_SETFL, O_NONBLOCK);
	memset(r, 0, sizeof r);
	if ((f = fopen("/dev/urandom", "rb"))) {
		if (fread(r, 1, sizeof r, f) != sizeof r) {
			/* the pid and the time make it unique enough */
		}
		fclose(f);
	}
	{
		char host[64] = "";
		gethostname(host, sizeof host - 1);
		snprintf(o->owner, sizeof o->owner, "%.40s:%ld:%02x%02x%02x%02x%02x%02x", host, (long)getpid(), r[0],
			 r[1], r[2], r[3], r[4], r[5]);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	o->multi = curl_multi_init();
	o->db = db_new(srv->cfg.conninfo, srv->cfg.station);
	if (!o->multi || !o->db) {
		if (o->multi)
			curl_multi_cleanup(o->multi);
		if (o->db)
			db_free(o->db);
		close(o->wake[0]);
		close(o->wake[1]);
		free(o);
		return NULL;
	}
	db_set_deadline(o->db, DB_DEADLINE_MS);
	o->want_claim = true;
	if (pthread_create(&o->thread, NULL, worker, o) != 0) {
		curl_multi_cleanup(o->multi);
		db_free(o->db);
		close(o->wake[0]);
		close(o->wake[1]);
		free(o);
		return NULL;
	}
	return o;
}

void outbox_stop(struct outbox *o)
{
	if (!o)
		return;
	o->stop = 1;
	if (write(o->wake[1], "s", 1) < 0) {
		/* the worker wakes within a second anyway */
	}
	pthread_join(o->thread, NULL);
	/* outcomes known: recorded now if the database answers */
	if (o->db->state == DB_READY)
		report(o);
	/* transfers cut short: their rows back to pending (attempts unchanged)
	 * so the next serve sends them at once; if the database does not
	 * answer, their leases run out */
	if (o->db->state == DB_READY && o->list && db_outbox_release(o->db, o->owner) < 0)
		logline(o, "cannot release the rows in flight: %s", o->db->err);
	while (o->list) {
		struct xfer *x = o->list;
		o->list = x->next;
		if (x->easy)
			curl_multi_remove_handle(o->multi, x->easy);
		xfer_free(x);
	}
	curl_multi_cleanup(o->multi);
	db_free(o->db);
	close(o->wake[0]);
	close(o->wake[1]);
	free(o);
}

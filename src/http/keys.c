/* What serve knows of API keys: the rows it has read (by ID), checked in
 * constant time against the secret a caller shows, with a rate bucket
 * each. A revoke notifies (db/030) and the entry is dropped; the writes
 * check revocation again inside their own transaction. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../db/api.h"
#include "../db/db.h"
#include "http.h"

struct key_entry {
	struct api_key_info info;
	char hash[2 * APIKEY_HASH_BYTES + 1];
	bool revoked;
	struct rate_bucket bucket;
};

struct key_cache {
	pthread_mutex_t lock;
	struct key_entry *v;
	size_t n, cap;
};

struct key_cache *key_cache_new(void)
{
	struct key_cache *c = calloc(1, sizeof *c);
	if (c)
		pthread_mutex_init(&c->lock, NULL);
	return c;
}

void key_cache_free(struct key_cache *c)
{
	if (!c)
		return;
	free(c->v);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void key_cache_forget(struct key_cache *c, long long id)
{
	pthread_mutex_lock(&c->lock);
	for (size_t i = 0; i < c->n; i++)
		if (id == 0 || c->v[i].info.id == id)
			c->v[i--] = c->v[--c->n];
	pthread_mutex_unlock(&c->lock);
}

static struct key_entry *find(struct key_cache *c, long long id)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].info.id == id)
			return &c->v[i];
	return NULL;
}

static void copy_text(char *dst, size_t size, json_t *doc, const char *field)
{
	const char *s = json_string_value(json_object_get(doc, field));
	snprintf(dst, size, "%s", s ? s : "");
}

/* Reads a key's row into the cache; false when unknown (or on error: *failed). */
static bool load(struct request *r, long long id, bool *failed)
{
	struct key_cache *c = r->srv->keys;
	struct db *db = http_db(r);
	struct key_entry e;
	json_t *doc;

	*failed = false;
	if (!db) {
		*failed = true; /* answered 503 */
		return false;
	}
	doc = db_api_key_get(db, id);
	if (!doc && db->status == DB_FORBIDDEN) {
		/* serve's own login lost its rights: not the caller's doing,
		 * and no internal name in the answer */
		const char *retry[] = { "Retry-After", "5", NULL };
		const char msg[] = "{\"error\":\"the server cannot check API keys now; try again later\"}";
		fprintf(stderr, "{\"server\":\"reading an API key refused: %s\"}\n", db->err);
		http_send(r, 503, "application/json", msg, strlen(msg), retry);
		http_db_done(r, db);
		*failed = true;
		return false;
	}
	if (!doc) {
		http_db_error(r, db);
		http_db_done(r, db);
		*failed = true;
		return false;
	}
	http_db_done(r, db);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return false;
	}
	memset(&e, 0, sizeof e);
	e.info.id = id;
	copy_text(e.info.name, sizeof e.info.name, doc, "name");
	copy_text(e.info.channel, sizeof e.info.channel, doc, "channel");
	copy_text(e.info.app, sizeof e.info.app, doc, "app");
	copy_text(e.info.gate, sizeof e.info.gate, doc, "gate");
	copy_text(e.hash, sizeof e.hash, doc, "hash");
	e.info.person_id = json_integer_value(json_object_get(doc, "person"));
	e.info.rate_per_minute = (int)json_integer_value(json_object_get(doc, "rate_per_minute"));
	e.revoked = !json_is_null(json_object_get(doc, "revoked_at"));
	json_decref(doc);
	pthread_mutex_lock(&c->lock);
	if (!find(c, id)) {
		if (c->n == c->cap) {
			size_t cap = c->cap ? 2 * c->cap : 16;
			struct key_entry *v = realloc(c->v, cap * sizeof *v);
			if (!v) {
				pthread_mutex_unlock(&c->lock);
				return true;
			}
			c->v = v;
			c->cap = cap;
		}
		c->v[c->n++] = e;
	}
	pthread_mutex_unlock(&c->lock);
	return true;
}

static bool fits(const struct api_key_info *k, const char *need)
{
	if (!need)
		return true;
	if (strcmp(need, "channel") == 0)
		return k->channel[0] != '\0';
	return strcmp(k->app, need) == 0;
}

static const char *need_text(const char *need)
{
	if (strcmp(need, "channel") == 0)
		return "a sales channel's key (web, pos, ota, reseller)";
	if (strcmp(need, "gate") == 0)
		return "a gate's key";
	return "a ticket holder's key";
}

bool http_auth(struct request *r, const char *need)
{
	struct key_cache *c = r->srv->keys;
	const char *h = http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
	char secret[APIKEY_SECRET_CHARS + 1], retry[16];
	long long id;
	bool failed, ok, allowed = false;
	int wait_s = 0;
	struct key_entry *e;

	if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
		const char *hdrs[] = { "WWW-Authenticate", "Bearer", NULL };
		char msg[] = "{\"error\":\"an API key is needed: Authorization: Bearer KEY\"}";
		http_send(r, 401, "application/json", msg, strlen(msg), hdrs);
		return false;
	}
	h += 7;
	while (*h == ' ')
		h++;
	if (!apikey_parse(h, &id, secret)) {
		http_error(r, 401, "that is not an API key");
		return false;
	}
	pthread_mutex_lock(&c->lock);
	e = find(c, id);
	pthread_mutex_unlock(&c->lock);
	if (!e) {
		if (!load(r, id, &failed)) {
			if (!failed)
				http_error(r, 401, "unknown or revoked API key");
			memset(secret, 0, sizeof secret);
			return false;
		}
	}
	pthread_mutex_lock(&c->lock);
	e = find(c, id);
	ok = e && !e->revoked && apikey_matches(secret, e->hash);
	if (ok) {
		r->key = e->info;
		allowed = rate_take(&e->bucket, e->info.rate_per_minute, db_now_ms(), &wait_s);
	}
	pthread_mutex_unlock(&c->lock);
	memset(secret, 0, sizeof secret);
	if (!ok) {
		r->key.id = 0;
		http_error(r, 401, "unknown or revoked API key");
		return false;
	}
	if (!allowed) {
		const char *hdrs[] = { "Retry-After", retry, NULL };
		char msg[160];
		snprintf(retry, sizeof retry, "%d", wait_s);
		snprintf(msg, sizeof msg, "{\"error\":\"rate limit of %d requests a minute reached; retry in %d s\"}",
			 r->key.rate_per_minute, wait_s);
		http_send(r, 429, "application/json", msg, strlen(msg), hdrs);
		return false;
	}
	if (need && !fits(&r->key, need)) {
		http_error(r, 403, "this needs %s; key %s is %s %s", need_text(need), r->key.name,
			   r->key.channel[0] ? "the channel" : "an app key for", r->key.channel[0] ? r->key.channel : r->key.app);
		return false;
	}
	return true;
}

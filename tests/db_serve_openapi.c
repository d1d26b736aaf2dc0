/* assets/openapi.json and the server agree: the document is OpenAPI 3.0.x,
 * every route of src/http/routes.c's table is documented (a new route
 * without documentation fails here), and every status documented for an
 * endpoint that is live on this branch is really given by a request in the
 * table below, its JSON answer valid against the documented schema (a small
 * validator: type, required, properties, items, enum, nullable, oneOf,
 * $ref to components).
 *
 * To cover a new endpoint: add rows to `cases` (method, path, key, body,
 * headers, expected status) and its path to `live_paths`. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "http.h"
#include "src/http/http.h"

#ifndef BOXOFFICE_ASSETS
#define BOXOFFICE_ASSETS "assets"
#endif

static PGconn *conn;
static json_t *api;

static int setup(void **state)
{
	json_error_t err;
	(void)state;
	conn = test_migrate_connect();
	api = json_load_file(BOXOFFICE_ASSETS "/openapi.json", JSON_REJECT_DUPLICATES, &err);
	if (!api)
		fprintf(stderr, "assets/openapi.json: line %d: %s\n", err.line, err.text);
	return api ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(api);
	PQfinish(conn);
	return 0;
}

/* ---- the document ---- */

/* "#/components/schemas/X" in the document, or NULL. */
static json_t *resolve(const char *ref)
{
	json_t *at = api;
	char buf[300], *save = NULL;

	if (strncmp(ref, "#/", 2) != 0 || strlen(ref) >= sizeof buf)
		return NULL;
	snprintf(buf, sizeof buf, "%s", ref + 2);
	for (char *part = strtok_r(buf, "/", &save); part && at; part = strtok_r(NULL, "/", &save))
		at = json_object_get(at, part);
	return at;
}

static json_t *deref(json_t *node)
{
	for (int i = 0; i < 10 && json_is_object(node) && json_object_get(node, "$ref"); i++) {
		json_t *to = resolve(json_string_value(json_object_get(node, "$ref")));
		if (!to)
			fail_msg("a $ref leads nowhere: %s", json_string_value(json_object_get(node, "$ref")));
		node = to;
	}
	return node;
}

/* Does a documented path (with {param} segments) match a request path? */
static bool path_matches(const char *doc, const char *path)
{
	while (*doc && *path) {
		if (*doc == '{') {
			const char *close = strchr(doc, '}');
			if (!close)
				return false;
			if (*path == '/')
				return false; /* an empty segment */
			while (*path && *path != '/')
				path++;
			doc = close + 1;
			continue;
		}
		if (*doc++ != *path++)
			return false;
	}
	return !*doc && !*path;
}

/* The documented operation for a method and a request path, or NULL;
 * *documented (may be NULL) is set to its documented path. */
static json_t *operation_at(const char *method, const char *path, const char **documented)
{
	char m[16], p[512];
	const char *key;
	json_t *item;
	size_t i;

	for (i = 0; method[i] && i < sizeof m - 1; i++)
		m[i] = (char)(method[i] >= 'A' && method[i] <= 'Z' ? method[i] + 32 : method[i]);
	m[i] = '\0';
	snprintf(p, sizeof p, "%.*s", (int)strcspn(path, "?"), path);
	json_object_foreach(json_object_get(api, "paths"), key, item)
		if (path_matches(key, p) && json_object_get(item, m)) {
			if (documented)
				*documented = key;
			return json_object_get(item, m);
		}
	return NULL;
}

static json_t *operation(const char *method, const char *path)
{
	return operation_at(method, path, NULL);
}

/* What the requests made: documented path, method, status. */
static struct {
	char method[8], path[100];
	long status;
} made[256];
static size_t n_made;

/* ---- the validator ---- */

static bool fail_at(char *err, size_t size, const char *where, const char *what)
{
	snprintf(err, size, "%s: %s", where[0] ? where : "(the document)", what);
	return false;
}

static bool type_is(json_t *v, const char *type)
{
	if (strcmp(type, "object") == 0)
		return json_is_object(v);
	if (strcmp(type, "array") == 0)
		return json_is_array(v);
	if (strcmp(type, "string") == 0)
		return json_is_string(v);
	if (strcmp(type, "integer") == 0)
		return json_is_integer(v);
	if (strcmp(type, "number") == 0)
		return json_is_number(v);
	if (strcmp(type, "boolean") == 0)
		return json_is_boolean(v);
	fail_msg("the document uses a type the validator does not know: %s", type);
	return false;
}

static bool valid(json_t *v, json_t *schema, const char *where, char *err, size_t size)
{
	json_t *type, *en, *req, *props, *items, *one;
	char sub[400];

	schema = deref(schema);
	if (!json_is_object(schema))
		return fail_at(err, size, where, "the schema is not an object");
	if (json_is_null(v))
		return json_is_true(json_object_get(schema, "nullable")) ? true : fail_at(err, size, where, "null, not nullable");
	if ((one = json_object_get(schema, "oneOf"))) {
		size_t i, hits = 0;
		json_t *alt;
		json_array_foreach(one, i, alt)
			if (valid(v, alt, where, sub, sizeof sub))
				hits++;
		if (hits != 1)
			return fail_at(err, size, where, "not exactly one of oneOf");
	}
	type = json_object_get(schema, "type");
	if (type && !type_is(v, json_string_value(type))) {
		snprintf(sub, sizeof sub, "not of type %s", json_string_value(type));
		return fail_at(err, size, where, sub);
	}
	if ((en = json_object_get(schema, "enum"))) {
		size_t i;
		json_t *e;
		bool hit = false;
		json_array_foreach(en, i, e)
			hit = hit || json_equal(e, v);
		if (!hit)
			return fail_at(err, size, where, "not one of its enum");
	}
	if (json_is_object(v)) {
		size_t i;
		json_t *name, *pv;
		const char *k;
		json_array_foreach(json_object_get(schema, "required"), i, name)
			if (!json_object_get(v, json_string_value(name))) {
				snprintf(sub, sizeof sub, "lacks %s", json_string_value(name));
				return fail_at(err, size, where, sub);
			}
		props = json_object_get(schema, "properties");
		json_object_foreach(v, k, pv) {
			json_t *ps = json_object_get(props, k);
			snprintf(sub, sizeof sub, "%s.%s", where, k);
			if (ps && !valid(pv, ps, sub, err, size))
				return false;
		}
		(void)req;
	}
	if (json_is_array(v) && (items = json_object_get(schema, "items"))) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e) {
			snprintf(sub, sizeof sub, "%s[%zu]", where, i);
			if (!valid(e, items, sub, err, size))
				return false;
		}
	}
	return true;
}

/* The validator can say no (so the test below can fail). */
static void test_the_validator_refuses_what_the_schema_does_not_allow(void **state)
{
	const char *bad[] = {
		"{}",					      /* Error lacks error */
		"{\"error\": 5}",			      /* error is a string */
		"[{\"event\":1}]",			      /* AvailabilityRow lacks fields */
		"{\"ok\": false}",			      /* Health enum */
		"{\"verdict\":\"maybe\",\"reason\":null,\"ticket\":1,\"person\":null}",
	};
	const char *schema[] = { "Error", "Error", "Availability", "Health", "CheckinVerdict" };
	char err[400], ref[100];

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *v = json_loads(bad[i], 0, NULL), *s = json_object();
		snprintf(ref, sizeof ref, "#/components/schemas/%s", schema[i]);
		json_object_set_new(s, "$ref", json_string(ref));
		assert_non_null(v);
		if (valid(v, s, "", err, sizeof err))
			fail_msg("%s passed as a %s", bad[i], schema[i]);
		json_decref(v);
		json_decref(s);
	}
	{
		json_t *v = json_loads("{\"verdict\":\"admit\",\"reason\":null,\"ticket\":7,\"person\":{\"id\":1,\"name\":\"A\"}}", 0,
				       NULL),
		       *s = json_pack("{s:s}", "$ref", "#/components/schemas/CheckinVerdict");
		assert_true(valid(v, s, "", err, sizeof err));
		json_decref(v);
		json_decref(s);
	}
}

/* ---- the document against the route table ---- */

static void test_the_document_is_openapi_3_0_and_documents_every_route(void **state)
{
	const char *version = json_string_value(json_object_get(api, "openapi"));
	const char *key;
	json_t *item;

	(void)state;
	assert_non_null(version);
	assert_true(strncmp(version, "3.0.", 4) == 0);
	assert_non_null(json_object_get(json_object_get(api, "info"), "title"));
	assert_non_null(json_object_get(json_object_get(json_object_get(api, "components"), "securitySchemes"), "bearer"));
	for (const struct route *rt = routes; rt->path; rt++) {
		size_t n = strlen(rt->path);
		bool prefix = n > 1 && rt->path[n - 1] == '/', found = false;
		char m[16];
		size_t i;
		for (i = 0; rt->method[i] && i < sizeof m - 1; i++)
			m[i] = (char)(rt->method[i] + 32);
		m[i] = '\0';
		if (!prefix) {
			found = operation(rt->method, rt->path) != NULL;
		} else {
			/* a prefix route: some documented path under it, with the method */
			json_object_foreach(json_object_get(api, "paths"), key, item)
				if (strncmp(key, rt->path, n) == 0 && strlen(key) > n && json_object_get(item, m))
					found = true;
		}
		if (!found)
			fail_msg("%s %s (src/http/routes.c) is not documented in assets/openapi.json", rt->method, rt->path);
	}
	/* every operation: responses, each JSON one with a schema that resolves */
	json_object_foreach(json_object_get(api, "paths"), key, item) {
		const char *m;
		json_t *op;
		json_object_foreach(item, m, op) {
			const char *code;
			json_t *res;
			json_t *responses = json_object_get(op, "responses");
			if (json_object_size(responses) == 0)
				fail_msg("%s %s documents no responses", m, key);
			json_object_foreach(responses, code, res) {
				json_t *js = json_object_get(json_object_get(deref(res), "content"), "application/json");
				if (!json_object_get(deref(res), "description"))
					fail_msg("%s %s %s has no description", m, key, code);
				if (js && !json_is_object(deref(json_object_get(js, "schema"))))
					fail_msg("%s %s %s: application/json without a schema", m, key, code);
			}
		}
	}
}

/* ---- real requests ---- */

/* The endpoints on this branch: every documented status of theirs must be
 * given by some row of the table (or be excused below). */
static const char *const live_paths[] = { "/tickets/adjust", "/orders", "/availability", "/health", "/openapi.json", NULL };

/* Statuses documented but not made here, and why. */
static const struct {
	const char *path, *status, *why;
} excused[] = {
	{ "/health", "503", "given while the server stops (on a kept-alive connection); tests/db_serve.c stops under load" },
	{ "/openapi.json", "503", "given while the server stops" },
	{ "/availability", "503", "needs the database to be unreachable at the first read of an event" },
	{ "/openapi.json", "500", "made by test_a_missing_document_is_500 (a server without its assets)" },
	{ NULL, NULL, NULL },
};

enum key_kind { K_NONE, K_CHANNEL, K_GATE, K_NOT_A_KEY, K_REVOKED, K_RATED };

struct http_case {
	const char *method;
	const char *path;	/* {ev} {ty} are replaced */
	enum key_kind key;
	const char *body;	/* {ev} {ty} {big} are replaced; NULL: none */
	const char *header;	/* one extra header line, or NULL */
	int times;		/* send it this often (rate limits); the last answer counts */
	long status;
};

static const struct http_case cases[] = {
	{ "POST", "/tickets/adjust", K_CHANNEL, "{\"event\":{ev},\"type\":{ty},\"op\":\"sell\",\"qty\":1}", NULL, 1, 200 },
	{ "POST", "/tickets/adjust", K_CHANNEL, "{\"event\":{ev},\"type\":{ty},\"op\":\"sell\",\"qty\":\"two\"}", NULL, 1, 400 },
	{ "POST", "/tickets/adjust", K_CHANNEL, "{\"event\":{ev},", NULL, 1, 400 },
	{ "POST", "/tickets/adjust", K_NONE, "{\"event\":{ev},\"type\":{ty},\"op\":\"sell\",\"qty\":1}", NULL, 1, 401 },
	{ "POST", "/tickets/adjust", K_NOT_A_KEY, "{\"event\":{ev},\"type\":{ty},\"op\":\"sell\",\"qty\":1}", NULL, 1, 401 },
	{ "POST", "/tickets/adjust", K_REVOKED, "{\"event\":{ev},\"type\":{ty},\"op\":\"sell\",\"qty\":1}", NULL, 1, 401 },
	{ "POST", "/tickets/adjust", K_GATE, "{\"event\":{ev},\"type\":{ty},\"op\":\"sell\",\"qty\":1}", NULL, 1, 403 },
	{ "POST", "/tickets/adjust", K_CHANNEL, "{\"event\":999999999,\"type\":1,\"op\":\"sell\",\"qty\":1}", NULL, 1, 404 },
	{ "POST", "/tickets/adjust", K_CHANNEL, "{\"event\":{ev},\"type\":{ty},\"op\":\"sell\",\"qty\":5000}", NULL, 1, 409 },
	{ "POST", "/tickets/adjust", K_CHANNEL, "{big}", NULL, 1, 413 },
	{ "POST", "/tickets/adjust", K_CHANNEL, "{\"event\":{ev},\"type\":{ty},\"op\":\"sell\",\"qty\":1}",
	  "Content-Type: text/plain", 1, 415 },
	{ "POST", "/tickets/adjust", K_RATED, "{\"event\":{ev},\"type\":{ty},\"op\":\"adjust\",\"qty\":0}", NULL, 2, 429 },

	{ "POST", "/orders", K_CHANNEL, "{\"event\":{ev},\"lines\":[{\"type\":{ty},\"qty\":1}],\"payment\":\"card\"}", NULL, 1,
	  201 },
	{ "POST", "/orders", K_CHANNEL, "{\"event\":{ev},\"lines\":[]}", NULL, 1, 400 },
	{ "POST", "/orders", K_REVOKED, "{\"event\":{ev},\"lines\":[{\"type\":{ty},\"qty\":1}]}", NULL, 1, 401 },
	{ "POST", "/orders", K_GATE, "{\"event\":{ev},\"lines\":[{\"type\":{ty},\"qty\":1}]}", NULL, 1, 403 },
	{ "POST", "/orders", K_CHANNEL, "{\"event\":{ev},\"lines\":[{\"type\":999999999,\"qty\":1}]}", NULL, 1, 404 },
	{ "POST", "/orders", K_CHANNEL, "{\"event\":{ev},\"lines\":[{\"type\":{ty},\"qty\":5000}]}", NULL, 1, 409 },
	{ "POST", "/orders", K_CHANNEL, "{big}", NULL, 1, 413 },
	{ "POST", "/orders", K_CHANNEL, "event={ev}", "Content-Type: application/x-www-form-urlencoded", 1, 415 },
	{ "POST", "/orders", K_RATED, "{\"event\":{ev},\"lines\":[]}", NULL, 2, 429 },

	{ "GET", "/availability?event={ev}", K_NONE, NULL, NULL, 1, 200 },
	{ "GET", "/availability?event={ev}&type={ty}", K_NONE, NULL, NULL, 1, 200 },
	{ "GET", "/availability", K_NONE, NULL, NULL, 1, 400 },
	{ "GET", "/availability?event=abc", K_NONE, NULL, NULL, 1, 400 },
	{ "GET", "/availability?event=999999999", K_NONE, NULL, NULL, 1, 404 },
	{ "GET", "/availability?event={ev}&type=999999999", K_NONE, NULL, NULL, 1, 404 },

	{ "GET", "/health", K_NONE, NULL, NULL, 1, 200 },
	{ "GET", "/openapi.json", K_NONE, NULL, NULL, 1, 200 },
};

static char *expand(const char *tmpl, long long ev, long long ty)
{
	size_t cap = strlen(tmpl) + 100 * 1024, n = 0;
	char *out = malloc(cap);

	assert_non_null(out);
	for (const char *p = tmpl; *p;) {
		if (strncmp(p, "{ev}", 4) == 0) {
			n += (size_t)snprintf(out + n, cap - n, "%lld", ev);
			p += 4;
		} else if (strncmp(p, "{ty}", 4) == 0) {
			n += (size_t)snprintf(out + n, cap - n, "%lld", ty);
			p += 4;
		} else if (strncmp(p, "{big}", 5) == 0) {
			/* a JSON object larger than the 64 KiB a body may be */
			n += (size_t)snprintf(out + n, cap - n, "{\"pad\":\"");
			memset(out + n, 'x', 70 * 1024);
			n += 70 * 1024;
			n += (size_t)snprintf(out + n, cap - n, "\"}");
			p += 5;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	return out;
}

/* The answer is what the document says for that status: a documented
 * status, a documented content type, and for JSON a valid document. */
static void check_documented(const struct http_case *c, const char *path, const struct http_answer *a)
{
	const char *documented = NULL;
	json_t *op = operation_at(c->method, path, &documented), *res, *content, *media;
	char code[8], err[500];
	const char *type = http_answer_header(a, "Content-Type");
	char mime[100];

	if (!op)
		fail_msg("%s %s is not documented", c->method, path);
	snprintf(code, sizeof code, "%ld", a->status);
	res = deref(json_object_get(json_object_get(op, "responses"), code));
	if (!res)
		fail_msg("%s %s answered %s, which is not documented: %s", c->method, path, code, a->body);
	if (n_made < sizeof made / sizeof made[0]) {
		snprintf(made[n_made].method, sizeof made[0].method, "%s", c->method);
		snprintf(made[n_made].path, sizeof made[0].path, "%s", documented);
		made[n_made++].status = a->status;
	}
	content = json_object_get(res, "content");
	if (!content)
		return;
	assert_non_null(type);
	snprintf(mime, sizeof mime, "%.*s", (int)strcspn(type, ";"), type);
	media = json_object_get(content, mime);
	if (!media)
		fail_msg("%s %s %s answered as %s, which is not documented", c->method, path, code, mime);
	if (strcmp(mime, "application/json") == 0) {
		json_error_t jerr;
		json_t *doc = json_loadb(a->body, a->len, 0, &jerr);
		if (!doc)
			fail_msg("%s %s %s: not JSON: %s", c->method, path, code, a->body);
		if (!valid(doc, json_object_get(media, "schema"), "", err, sizeof err))
			fail_msg("%s %s %s: %s in %s", c->method, path, code, err, a->body);
		json_decref(doc);
	}
}

static void test_every_documented_status_is_given_and_its_answer_valid(void **state)
{
	struct served s;
	long long ev = make_event(unique_name("Doc"), "2027-06-01", 0);
	long long ty = make_type(ev, "Adult", 100, 2500, 1);
	long long revoked_id;
	char *channel = apikey_new(NULL, "--name '%s' --channel web --rate 0", unique_name("doc"));
	char *gate = apikey_new(NULL, "--name '%s' --app gate", unique_name("docgate"));
	char *revoked = apikey_new(&revoked_id, "--name '%s' --channel web --rate 0", unique_name("docrev"));
	char *rated[2];
	int rated_used = 0;

	(void)state;
	rated[0] = apikey_new(NULL, "--name '%s' --channel web --rate 1", unique_name("docrate"));
	rated[1] = apikey_new(NULL, "--name '%s' --channel web --rate 1", unique_name("docrate"));
	{
		struct run_result r = run_cmd("$BOXOFFICE apikey revoke %lld", revoked_id);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	serve_start(&s, NULL);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct http_case *c = &cases[i];
		char *path = expand(c->path, ev, ty), *body = c->body ? expand(c->body, ev, ty) : NULL;
		const char *hdrs[] = { c->header, NULL };
		const char *key = NULL;
		struct http_answer a;

		switch (c->key) {
		case K_NONE: break;
		case K_CHANNEL: key = channel; break;
		case K_GATE: key = gate; break;
		case K_NOT_A_KEY: key = "not-a-key"; break;
		case K_REVOKED: key = revoked; break;
		case K_RATED: key = rated[rated_used++ % 2]; break;
		}
		memset(&a, 0, sizeof a);
		for (int t = 0; t < (c->times > 0 ? c->times : 1); t++) {
			http_answer_free(&a);
			a = http_do(&s, c->method, path, key, body, hdrs);
		}
		if (a.status != c->status)
			fail_msg("row %zu: %s %s: %ld, not %ld: %s", i, c->method, path, a.status, c->status, a.body);
		if (c->status == 429 || c->status == 503)
			assert_non_null(http_answer_header(&a, "Retry-After"));
		check_documented(c, path, &a);
		http_answer_free(&a);
		free(path);
		free(body);
	}
	assert_int_equal(serve_stop(&s), 0);
	free(channel);
	free(gate);
	free(revoked);
	free(rated[0]);
	free(rated[1]);
}

struct waiter {
	const struct served *s;
	struct http_case c;
	const char *key;
	struct http_answer a;
};

static void *wait_request(void *arg)
{
	struct waiter *w = arg;
	w->a = http_do(w->s, w->c.method, w->c.path, w->key, w->c.body, NULL);
	return NULL;
}

/* One database connection, taken by a request stuck behind a lock: the
 * next requests wait their 5 s for one, then answer 503 with Retry-After. */
static void test_the_database_busy_is_503_with_retry_after(void **state)
{
	struct served s;
	const char *const args[] = { "--threads", "1", NULL };
	long long ev = make_event(unique_name("Busy"), "2027-06-02", 0);
	long long ty = make_type(ev, "Adult", 100, 2500, 1);
	char *key = apikey_new(NULL, "--name '%s' --channel web --rate 0", unique_name("busy"));
	char adjust[200], order[200];
	struct waiter w[3];
	pthread_t th[3];
	struct http_answer a;

	(void)state;
	snprintf(adjust, sizeof adjust, "{\"event\":%lld,\"type\":%lld,\"op\":\"sell\",\"qty\":1}", ev, ty);
	snprintf(order, sizeof order, "{\"event\":%lld,\"lines\":[{\"type\":%lld,\"qty\":1}]}", ev, ty);
	serve_start(&s, args);
	a = http_do(&s, "POST", "/tickets/adjust", key, adjust, NULL); /* the key is known now */
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	PQclear(test_query(conn, "BEGIN", 0, NULL));
	PQclear(test_query(conn, "LOCK TABLE api_key IN ACCESS EXCLUSIVE MODE", 0, NULL));
	for (int i = 0; i < 3; i++) {
		memset(&w[i], 0, sizeof w[i]);
		w[i].s = &s;
		w[i].key = key;
		w[i].c = (struct http_case){ "POST", i == 2 ? "/orders" : "/tickets/adjust", K_CHANNEL, i == 2 ? order : adjust,
					     NULL, 1, 503 };
		assert_int_equal(pthread_create(&th[i], NULL, wait_request, &w[i]), 0);
		if (i == 0)
			usleep(300 * 1000); /* the first takes the connection and waits for the lock */
	}
	for (int i = 1; i < 3; i++) {
		pthread_join(th[i], NULL);
		if (w[i].a.status != 503)
			fail_msg("%s: %ld, not 503: %s", w[i].c.path, w[i].a.status, w[i].a.body);
		assert_non_null(http_answer_header(&w[i].a, "Retry-After"));
		check_documented(&w[i].c, w[i].c.path, &w[i].a);
		http_answer_free(&w[i].a);
	}
	PQclear(test_query(conn, "ROLLBACK", 0, NULL));
	pthread_join(th[0], NULL);
	assert_int_equal(w[0].a.status, 200);
	http_answer_free(&w[0].a);
	assert_int_equal(serve_stop(&s), 0);
	free(key);
}

/* A server whose installation lacks the document says so. */
static void test_a_missing_document_is_500(void **state)
{
	struct served s;
	struct http_answer a;
	struct http_case c = { "GET", "/openapi.json", K_NONE, NULL, NULL, 1, 500 };

	(void)state;
	serve_start_as(&s, "BOXOFFICE_ASSETS=/nonexistent", NULL, NULL);
	a = http_do(&s, "GET", "/openapi.json", NULL, NULL, NULL);
	assert_int_equal(a.status, 500);
	check_documented(&c, c.path, &a);
	http_answer_free(&a);
	assert_int_equal(serve_stop(&s), 0);
}

/* Every status documented for an endpoint on this branch was made above. */
static void test_every_documented_status_of_a_live_endpoint_was_made(void **state)
{
	(void)state;
	for (int p = 0; live_paths[p]; p++) {
		json_t *item = json_object_get(json_object_get(api, "paths"), live_paths[p]), *op, *res;
		const char *m, *code;
		assert_non_null(item);
		json_object_foreach(item, m, op) json_object_foreach(json_object_get(op, "responses"), code, res)
		{
			bool done = false;
			for (size_t i = 0; i < n_made; i++)
				if (strcmp(made[i].path, live_paths[p]) == 0 && strcasecmp(made[i].method, m) == 0 &&
				    made[i].status == atol(code))
					done = true;
			for (int x = 0; excused[x].path; x++)
				if (strcmp(excused[x].path, live_paths[p]) == 0 && strcmp(excused[x].status, code) == 0)
					done = true;
			if (!done)
				fail_msg("%s %s documents %s, which no request here makes", m, live_paths[p], code);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_validator_refuses_what_the_schema_does_not_allow),
		cmocka_unit_test(test_the_document_is_openapi_3_0_and_documents_every_route),
		cmocka_unit_test(test_every_documented_status_is_given_and_its_answer_valid),
		cmocka_unit_test(test_the_database_busy_is_503_with_retry_after),
		cmocka_unit_test(test_a_missing_document_is_500),
		cmocka_unit_test(test_every_documented_status_of_a_live_endpoint_was_made),
	};
	return cmocka_run_group_tests_name("serve_openapi", tests, setup, teardown);
}

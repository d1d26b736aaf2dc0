/* POST /checkin as a scanning app at the door meets it: a gate key's scan
 * admits a settled ticket once and then says what `boxoffice checkin
 * --token` says (the same verdict JSON, the same reasons for a ticket
 * inside, a forged code, a code that is not ours), other keys are turned
 * away, and the scan is recorded at the key's gate, naming the key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "http.h"
#include "src/core/token.h"

static PGconn *conn;

static int setup(void **state)
{
	char dir[300];

	(void)state;
	conn = test_migrate_connect();
	snprintf(dir, sizeof dir, "%s/state-serve-gate",
		 getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp");
	setenv("BOXOFFICE_STATE", dir, 1); /* the CLI gate's cache and journal */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

/* A settled order of n tickets; their tokens and ids (ticket list --json). */
static long long settled_tickets(const char *name, int n, char tokens[][512], long long *ids)
{
	long long ev = make_event(unique_name(name), "2028-03-01", 0), order;
	json_t *list, *t;
	size_t i;

	make_type(ev, "Adult", n + 5, 1000, 1);
	order = cli_json_id("$BOXOFFICE sell --event %lld --type Adult --qty %d --payment free", ev, n);
	list = cli_json("$BOXOFFICE ticket list --order %lld --json", order);
	assert_int_equal(json_array_size(list), (size_t)n);
	json_array_foreach(list, i, t) {
		assert_non_null(json_string_value(json_object_get(t, "token")));
		snprintf(tokens[i], 512, "%s", json_string_value(json_object_get(t, "token")));
		ids[i] = json_integer_value(json_object_get(t, "id"));
	}
	json_decref(list);
	return ev;
}

/* POST /checkin {"token": token}; the answer's JSON (status into *status). */
static json_t *scan(const struct served *s, const char *key, const char *token, long *status)
{
	json_t *body = json_pack("{ss}", "token", token);
	char *text = json_dumps(body, JSON_COMPACT);
	struct http_answer a = http_do(s, "POST", "/checkin", key, text, NULL);
	json_t *doc = json_loads(a.body ? a.body : "", 0, NULL);

	*status = a.status;
	if (!doc)
		fail_msg("POST /checkin: %ld %s", a.status, a.body ? a.body : "");
	http_answer_free(&a);
	free(text);
	json_decref(body);
	return doc;
}

/* `boxoffice checkin --gate GATE --token TOKEN`: its one verdict line. */
static json_t *cli_scan(const char *gate, const char *token)
{
	struct run_result r = run_cmd("$BOXOFFICE checkin --gate '%s' --token '%s'", gate, token);
	json_t *doc = json_loads(r.out, 0, NULL);

	if (!doc)
		fail_msg("checkin --token: %d %s %s", r.status, r.out, r.err);
	run_free(&r);
	return doc;
}

/* What two doors print for the same situation: equal but for the ticket
 * (another one) and the scan ID (the CLI gate's own). */
static void assert_same_verdict(json_t *api, json_t *cli)
{
	json_t *a = json_deep_copy(api), *c = json_deep_copy(cli);
	char *at, *ct;

	json_object_del(a, "ticket");
	json_object_del(c, "ticket");
	json_object_del(a, "scan");
	json_object_del(c, "scan");
	at = json_dumps(a, JSON_SORT_KEYS | JSON_COMPACT);
	ct = json_dumps(c, JSON_SORT_KEYS | JSON_COMPACT);
	if (!json_equal(a, c))
		fail_msg("POST /checkin said %s, boxoffice checkin --token said %s", at, ct);
	free(at);
	free(ct);
	json_decref(a);
	json_decref(c);
}

static const char *reason_of(json_t *v)
{
	return json_string_value(json_object_get(v, "reason"));
}

/* A copy of token with its signature altered: the claim still reads (so
 * the door looks up the key and the signature is what fails). */
static void forge(const char *token, char *out, size_t size)
{
	static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
	struct ticket_claim c, orig;
	size_t n = strlen(token);

	assert_int_equal(token_peek(token, &orig), TOKEN_VALID);
	for (size_t pos = n - 4; pos > n - 40; pos--)
		for (const char *a = alphabet; *a; a++) {
			if (*a == token[pos])
				continue;
			snprintf(out, size, "%s", token);
			out[pos] = *a;
			if (token_peek(out, &c) == TOKEN_VALID && c.ticket_id == orig.ticket_id)
				return;
		}
	fail_msg("no forgery of %s reads as a claim", token);
}

/* Admitted once, then the reason the CLI gives for a ticket inside; a
 * forged and a foreign code rejected with the station's reasons; the scan
 * recorded at the key's gate with the key's name. */
static void test_gate_key_admits_once_as_the_station_does(void **state)
{
	struct served s;
	char tokens[2][512], forged[512];
	long long ids[2], kid;
	char gate[120], kname[120];
	char *key;
	json_t *v, *c;
	long status;

	(void)state;
	settled_tickets("Door", 2, tokens, ids);
	snprintf(kname, sizeof kname, "%s", unique_name("door1"));
	snprintf(gate, sizeof gate, "%s", unique_name("North"));
	key = apikey_new(&kid, "--name '%s' --app gate --gate '%s' --rate 0", kname, gate);
	serve_start(&s, NULL);

	/* first scan: in */
	v = scan(&s, key, tokens[0], &status);
	assert_int_equal(status, 200);
	assert_string_equal(json_string_value(json_object_get(v, "verdict")), "admit");
	assert_int_equal(json_integer_value(json_object_get(v, "ticket")), ids[0]);
	c = cli_scan(gate, tokens[1]);
	assert_string_equal(json_string_value(json_object_get(c, "verdict")), "admit");
	assert_same_verdict(v, c);
	json_decref(v);
	json_decref(c);

	/* both first scans at one time, so both doors' reasons read alike */
	{
		char a[24], b[24];
		const char *p[2] = { a, b };
		snprintf(a, sizeof a, "%lld", ids[0]);
		snprintf(b, sizeof b, "%lld", ids[1]);
		PQclear(test_query(conn, "UPDATE checkin SET at = '2028-03-01 10:00' WHERE ticket_id IN ($1::bigint, $2::bigint)",
				   2, p));
	}
	/* again: inside already, in the station's words */
	v = scan(&s, key, tokens[0], &status);
	assert_int_equal(status, 200);
	assert_string_equal(json_string_value(json_object_get(v, "verdict")), "reject");
	assert_non_null(strstr(reason_of(v), "already checked in"));
	assert_non_null(strstr(reason_of(v), gate));
	c = cli_scan(gate, tokens[1]);
	assert_string_equal(json_string_value(json_object_get(c, "verdict")), "reject");
	assert_same_verdict(v, c);
	json_decref(v);
	json_decref(c);

	/* a forged code: the station's reason, and nothing recorded */
	forge(tokens[0], forged, sizeof forged);
	v = scan(&s, key, forged, &status);
	assert_int_equal(status, 200);
	assert_string_equal(json_string_value(json_object_get(v, "verdict")), "reject");
	assert_string_equal(reason_of(v), token_status_text(TOKEN_BAD_SIGNATURE));
	c = cli_scan(gate, forged);
	assert_string_equal(reason_of(v), reason_of(c));
	json_decref(v);
	json_decref(c);
	/* not one of ours at all */
	v = scan(&s, key, "HELLO WORLD", &status);
	assert_int_equal(status, 200);
	c = cli_scan(gate, "HELLO WORLD");
	assert_string_equal(json_string_value(json_object_get(v, "verdict")), "reject");
	assert_string_equal(reason_of(v), reason_of(c));
	json_decref(v);
	json_decref(c);

	/* the scans: the first in at the key's gate, the key named as the
	 * station; the refused ones left nothing */
	{
		char a[24];
		const char *p[1] = { a };
		PGresult *res;
		snprintf(a, sizeof a, "%lld", ids[0]);
		res = test_query(conn, "SELECT gate, station, direction FROM checkin WHERE ticket_id = $1::bigint ORDER BY seq",
				 1, p);
		assert_int_equal(PQntuples(res), 1);
		assert_string_equal(PQgetvalue(res, 0, 0), gate);
		if (strncmp(PQgetvalue(res, 0, 1), "gate:", 5) != 0 || !strstr(PQgetvalue(res, 0, 1), kname))
			fail_msg("the scan's station %s does not name key %s", PQgetvalue(res, 0, 1), kname);
		assert_string_equal(PQgetvalue(res, 0, 2), "in");
		PQclear(res);
		assert_int_equal(test_scalar(conn, "SELECT scans FROM ticket WHERE id = $1::bigint", 1, p), 1);
	}
	{ /* and the access log names the key */
		char *log = serve_log(&s), want[200];
		snprintf(want, sizeof want, "\"key\":\"gate:%s\"", kname);
		assert_non_null(log);
		assert_non_null(strstr(log, want));
		free(log);
	}
	assert_int_equal(serve_stop(&s), 0);
	free(key);
}

/* Who may scan: a gate key at its own gate only; a channel's key 403, no
 * key 401, a wrong key 401, no token 400. */
static void test_only_a_gate_key_scans_at_its_gate(void **state)
{
	struct served s;
	char tokens[1][512], body[700], gate[120];
	long long ids[1];
	char *gate_key, *web_key;
	struct http_answer a;

	(void)state;
	settled_tickets("Keys", 1, tokens, ids);
	snprintf(gate, sizeof gate, "%s", unique_name("East"));
	gate_key = apikey_new(NULL, "--name '%s' --app gate --gate '%s' --rate 0", unique_name("door2"), gate);
	web_key = apikey_new(NULL, "--name '%s' --channel web --rate 0", unique_name("shop"));
	serve_start(&s, NULL);
	snprintf(body, sizeof body, "{\"token\":\"%s\"}", tokens[0]);

	a = http_do(&s, "POST", "/checkin", web_key, body, NULL);
	assert_int_equal(a.status, 403);
	http_answer_free(&a);
	a = http_do(&s, "POST", "/checkin", NULL, body, NULL);
	assert_int_equal(a.status, 401);
	http_answer_free(&a);
	a = http_do(&s, "POST", "/checkin", "bx999999_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", body, NULL);
	assert_int_equal(a.status, 401);
	http_answer_free(&a);
	a = http_do(&s, "POST", "/checkin", gate_key, "{}", NULL);
	assert_int_equal(a.status, 400);
	http_answer_free(&a);
	a = http_do(&s, "POST", "/checkin", gate_key, "{\"token\":\"\"}", NULL);
	assert_int_equal(a.status, 400);
	http_answer_free(&a);
	/* another gate than the key's */
	snprintf(body, sizeof body, "{\"token\":\"%s\",\"gate\":\"somewhere else\"}", tokens[0]);
	a = http_do(&s, "POST", "/checkin", gate_key, body, NULL);
	assert_int_equal(a.status, 403);
	http_answer_free(&a);
	{
		char id[24];
		const char *p[1] = { id };
		snprintf(id, sizeof id, "%lld", ids[0]);
		assert_int_equal(test_scalar(conn, "SELECT scans FROM ticket WHERE id = $1::bigint", 1, p), 0);
	}
	/* its own gate named: admitted */
	snprintf(body, sizeof body, "{\"token\":\"%s\",\"gate\":\"%s\"}", tokens[0], gate);
	a = http_do(&s, "POST", "/checkin", gate_key, body, NULL);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "\"verdict\":\"admit\""));
	http_answer_free(&a);
	assert_int_equal(serve_stop(&s), 0);
	free(gate_key);
	free(web_key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gate_key_admits_once_as_the_station_does),
		cmocka_unit_test(test_only_a_gate_key_scans_at_its_gate),
	};
	return cmocka_run_group_tests_name("serve_gate", tests, setup, teardown);
}

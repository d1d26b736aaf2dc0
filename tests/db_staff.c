/* Staff commands through the real `boxoffice serve` and database: Slack's
 * slash command (v0 signature, stale timestamps, url_verification) and
 * Twilio's inbound SMS (X-Twilio-Signature over the configured URL,
 * MessageSid once), who may do what (platform staff add), the replies'
 * numbers, and TwiML escaping. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/platform_sig.h"
#include "helpers.h"
#include "http.h"

/* The published Slack vector's secret (tests/platforms/slack-vector.txt). */
#define SLACK_SECRET "8f742231b10e8888abcd99yyyzzz85a5"
/* tests/platforms/twilio-vector.txt, block self_generated_inbound_sms (the
 * published blocks' token "12345" is shorter than platform_secret takes;
 * they are checked at the unit level, tests/unit_platform_sig.c). */
#define TWILIO_TOKEN "twilio_auth_token_example"
#define TWILIO_URL "https://example.com/twilio/sms"
#define PUBLIC_URL "https://box.example.org"

static PGconn *conn;
static struct served srv;
static long long event_id, event2_id, adult_id, odd_id;
static char event_name[100];
static char uid[64]; /* unique per run: staff user IDs and phone numbers */

static char *slurp(const char *name, size_t *len)
{
	char path[1200];
	FILE *f;
	long n;
	char *buf;

	snprintf(path, sizeof path, "%s/../tests/platforms/%s", BOXOFFICE_ASSETS, name);
	assert_non_null(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

static long long scalar(const char *sql, long long id)
{
	char idt[24];
	const char *p[1] = { idt };
	snprintf(idt, sizeof idt, "%lld", id);
	return test_scalar(conn, sql, 1, p);
}

static long long holds_of(long long type)
{
	return scalar("SELECT count(*) FROM hold WHERE type_id = $1", type);
}

static long long staff_log_rows(void)
{
	return test_scalar(conn, "SELECT count(*) FROM change_log WHERE entity = 'staff'", 0, NULL);
}

/* Whether serve's log has text within 5 s (a line is written when its
 * request is done, just after the answer went out). */
static bool log_has(const char *text)
{
	for (int i = 0; i < 100; i++) {
		char *log = serve_log(&srv);
		bool found = strstr(log, text) != NULL;
		free(log);
		if (found)
			return true;
		usleep(50000);
	}
	return false;
}

static void run_ok(const char *cmd)
{
	struct run_result r = run_cmd("%s", cmd);
	if (r.status != 0)
		fail_msg("'%s' exited %d: %s", cmd, r.status, r.err);
	run_free(&r);
}

static int setup(void **state)
{
	char cmd[400];

	(void)state;
	conn = test_migrate_connect();
	snprintf(uid, sizeof uid, "%d%ld", (int)getpid(), (long)time(NULL) % 100000);
	snprintf(event_name, sizeof event_name, "%s", unique_name("Staff fest"));
	event_id = make_event(event_name, "2099-06-01", 0);
	event2_id = make_event(unique_name("Staff other"), "2099-06-02", 0);
	adult_id = make_type(event_id, "adult", 100, 50000, 1);
	odd_id = make_type(event_id, "<b>&\"x\"", 5, 1000, 1);
	make_type(event2_id, "adult", 10, 50000, 1);
	run_ok("$BOXOFFICE platform secret --platform slack --secret " SLACK_SECRET);
	run_ok("$BOXOFFICE platform secret --platform twilio --secret " TWILIO_TOKEN);
	/* the URL Twilio's console calls (a proxy in front of us may map it) */
	PQclear(test_query(conn,
			   "INSERT INTO platform_channel (name, platform, settings) VALUES ('twilio', 'twilio', "
			   "jsonb_build_object('url', '" TWILIO_URL "')) "
			   "ON CONFLICT (name) DO UPDATE SET settings = EXCLUDED.settings, enabled = true",
			   0, NULL));
	snprintf(cmd, sizeof cmd, "$BOXOFFICE platform staff add --platform slack --user UCLERK%s --role clerk", uid);
	run_ok(cmd);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE platform staff add --platform slack --user USUPER%s --role supervisor",
		 uid);
	run_ok(cmd);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE platform staff add --platform twilio --user +47%s --role supervisor", uid);
	run_ok(cmd);
	{
		const char *extra[] = { "--public-url", PUBLIC_URL, NULL };
		serve_start(&srv, extra);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(serve_stop(&srv), 0); /* and clean under ASan */
	PQfinish(conn);
	return 0;
}

/* ---- Slack ---- */

static struct http_answer slack_post(const char *body, const char *ts, const char *sig)
{
	char h_ts[80], h_sig[120];
	const char *headers[4] = { "Content-Type: application/x-www-form-urlencoded", NULL, NULL, NULL };
	int n = 1;

	if (ts) {
		snprintf(h_ts, sizeof h_ts, "X-Slack-Request-Timestamp: %s", ts);
		headers[n++] = h_ts;
	}
	if (sig) {
		snprintf(h_sig, sizeof h_sig, "X-Slack-Signature: %s", sig);
		headers[n++] = h_sig;
	}
	return http_do(&srv, "POST", "/webhooks/slack", NULL, body, headers);
}

/* A signed slash command from user with text; the reply's text (malloc'd). */
static char *slack_command_at(const char *user, const char *text, long long when)
{
	char body[1500], ts[24], sig[100], *enc, *out;
	struct http_answer a;
	json_t *doc;

	enc = malloc(strlen(text) * 3 + 1);
	{
		char *o = enc;
		for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
			if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9'))
				*o++ = (char)*p;
			else if (*p == ' ')
				*o++ = '+';
			else
				o += sprintf(o, "%%%02X", *p);
		}
		*o = '\0';
	}
	snprintf(body, sizeof body,
		 "token=x&team_id=T1&channel_id=C1&user_id=%s&user_name=someone&command=%%2Ftickets&text=%s&"
		 "response_url=https%%3A%%2F%%2Fhooks.slack.com%%2Fcommands%%2F1&trigger_id=1.2.3",
		 user, enc);
	free(enc);
	snprintf(ts, sizeof ts, "%lld", when);
	sig_slack_make(SLACK_SECRET, ts, body, strlen(body), sig, sizeof sig);
	a = slack_post(body, ts, sig);
	if (a.status != 200)
		fail_msg("slack %s: %ld %s", text, a.status, a.body);
	assert_non_null(strstr(http_answer_header(&a, "Content-Type"), "application/json"));
	doc = json_loads(a.body, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "response_type")), "ephemeral");
	out = strdup(json_string_value(json_object_get(doc, "text")));
	json_decref(doc);
	http_answer_free(&a);
	return out;
}

static char *slack_command(const char *user, const char *text)
{
	return slack_command_at(user, text, (long long)time(NULL));
}

static char *user_id(const char *prefix)
{
	static char b[4][80];
	static int k;
	char *o = b[k++ % 4];
	snprintf(o, sizeof b[0], "%s%s", prefix, uid);
	return o;
}

/* A new well-formed MessageSid: "SM" + 32 lowercase hex. */
static const char *sid_new(void)
{
	static char b[4][40];
	static int k, n;
	char *o = b[k++ % 4];
	snprintf(o, sizeof b[0], "SM%08x%08x%016llx", (unsigned)getpid(), (unsigned)++n,
		 (unsigned long long)time(NULL));
	return o;
}

/* The published vector, as Slack sent it in 2018: a replay today. */
static void test_slack_published_vector_is_stale(void **state)
{
	size_t len;
	char *body = slurp("slack-slash-command-body.txt", &len);
	long long logged = staff_log_rows();
	struct http_answer a;

	(void)state;
	a = slack_post(body, "1531420618",
		       "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
	assert_int_equal(a.status, 401);
	assert_non_null(strstr(a.body, "5 minutes"));
	http_answer_free(&a);
	assert_int_equal(staff_log_rows(), logged);
	free(body);
	assert_true(log_has("\"path\":\"/webhooks/slack\",\"status\":401"));
}

/* The same body, signed now with the same secret: the signature is right,
 * and its user (U2CERLKJA) is nobody we know: a polite refusal, logged. */
static void test_slack_fresh_signature_unknown_user(void **state)
{
	size_t len;
	char *body = slurp("slack-slash-command-body.txt", &len), ts[24], sig[100];
	long long refused = test_scalar(conn,
					"SELECT count(*) FROM change_log WHERE entity = 'staff' AND action = 'refused' "
					"AND detail ->> 'user' = 'U2CERLKJA'",
					0, NULL);
	struct http_answer a;

	(void)state;
	snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
	sig_slack_make(SLACK_SECRET, ts, body, len, sig, sizeof sig);
	a = slack_post(body, ts, sig);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "\"response_type\":\"ephemeral\""));
	assert_non_null(strstr(a.body, "not on the box office's staff list"));
	http_answer_free(&a);
	assert_int_equal(test_scalar(conn,
				     "SELECT count(*) FROM change_log WHERE entity = 'staff' AND action = 'refused' "
				     "AND detail ->> 'user' = 'U2CERLKJA'",
				     0, NULL),
			 refused + 1);
	free(body);
	assert_true(log_has("\"staff\":\"refused\",\"platform\":\"slack\",\"user\":\"U2CERLKJA\""));
}

/* A supervisor's hold with a wrong, missing, foreign or stale signature:
 * 401 and no hold. */
static void test_slack_bad_signatures_change_nothing(void **state)
{
	char body[300], ts[24], old[24], sig[100], other[100];
	long long holds = holds_of(adult_id), logged = staff_log_rows();
	struct http_answer a;

	(void)state;
	snprintf(body, sizeof body, "user_id=%s&text=hold+adult+2+event+%lld", user_id("USUPER"), event_id);
	snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
	snprintf(old, sizeof old, "%lld", (long long)time(NULL) - 301);
	sig_slack_make(SLACK_SECRET, ts, body, strlen(body), sig, sizeof sig);
	sig_slack_make("another_signing_secret", ts, body, strlen(body), other, sizeof other);

	a = slack_post(body, NULL, NULL); /* missing */
	assert_int_equal(a.status, 401);
	http_answer_free(&a);
	a = slack_post(body, ts, NULL);
	assert_int_equal(a.status, 401);
	http_answer_free(&a);
	a = slack_post(body, NULL, sig);
	assert_int_equal(a.status, 401);
	http_answer_free(&a);
	a = slack_post(body, ts, other); /* another secret */
	assert_int_equal(a.status, 401);
	http_answer_free(&a);
	a = slack_post(body, ts, "v0=0000"); /* malformed */
	assert_int_equal(a.status, 401);
	http_answer_free(&a);
	sig[10] = sig[10] == 'a' ? 'b' : 'a'; /* one digit off */
	a = slack_post(body, ts, sig);
	assert_int_equal(a.status, 401);
	http_answer_free(&a);
	/* signed right, but 301 s old */
	sig_slack_make(SLACK_SECRET, old, body, strlen(body), sig, sizeof sig);
	a = slack_post(body, old, sig);
	assert_int_equal(a.status, 401);
	assert_non_null(strstr(a.body, "5 minutes"));
	http_answer_free(&a);
	/* or 301 s ahead of our clock */
	snprintf(old, sizeof old, "%lld", (long long)time(NULL) + 301);
	sig_slack_make(SLACK_SECRET, old, body, strlen(body), sig, sizeof sig);
	a = slack_post(body, old, sig);
	assert_int_equal(a.status, 401);
	http_answer_free(&a);
	/* and the body changed after signing */
	sig_slack_make(SLACK_SECRET, ts, body, strlen(body), sig, sizeof sig);
	body[strlen(body) - 1] = body[strlen(body) - 1] == '1' ? '2' : '1';
	a = slack_post(body, ts, sig);
	assert_int_equal(a.status, 401);
	http_answer_free(&a);

	assert_int_equal(holds_of(adult_id), holds);
	assert_int_equal(staff_log_rows(), logged);
}

static void test_slack_url_verification(void **state)
{
	size_t len;
	char *body = slurp("slack-events-url-verification-body.txt", &len), ts[24], sig[100], h_ts[60], h_sig[140];
	const char *headers[4] = { "Content-Type: application/json", h_ts, h_sig, NULL };
	struct http_answer a;

	(void)state;
	snprintf(ts, sizeof ts, "%lld", (long long)time(NULL));
	sig_slack_make(SLACK_SECRET, ts, body, len, sig, sizeof sig);
	snprintf(h_ts, sizeof h_ts, "X-Slack-Request-Timestamp: %s", ts);
	snprintf(h_sig, sizeof h_sig, "X-Slack-Signature: %s", sig);
	a = http_do(&srv, "POST", "/webhooks/slack", NULL, body, headers);
	assert_int_equal(a.status, 200);
	assert_string_equal(a.body, "{\"challenge\":\"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P\"}");
	http_answer_free(&a);
	/* unsigned: refused */
	headers[2] = NULL;
	a = http_do(&srv, "POST", "/webhooks/slack", NULL, body, headers);
	assert_int_equal(a.status, 401);
	http_answer_free(&a);
	free(body);
}

static void test_clerk_available_and_hold_refused(void **state)
{
	char cmd[200], want[100], *text;
	long long left, holds = holds_of(adult_id);

	(void)state;
	/* some seats gone first, so the number is not the capacity */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE hold --event %lld --type %lld --qty 3 --ttl 3600 --channel web", event_id, adult_id);
	run_ok(cmd);
	holds++;
	left = scalar("SELECT available FROM inventory_view WHERE type_id = $1 AND channel IS NULL", adult_id);
	assert_int_equal(left, 97);

	snprintf(cmd, sizeof cmd, "available adult event %lld", event_id);
	text = slack_command(user_id("UCLERK"), cmd);
	snprintf(want, sizeof want, "adult: %lld left", left);
	if (!strstr(text, want))
		fail_msg("want \"%s\" in: %s", want, text);
	assert_non_null(strstr(text, event_name));
	assert_null(strstr(text, "&lt;b&gt;")); /* only the type asked for */
	free(text);
	/* by the event's name, every type, Slack-escaped */
	snprintf(cmd, sizeof cmd, "available event %s", event_name);
	text = slack_command(user_id("UCLERK"), cmd);
	assert_non_null(strstr(text, want));
	assert_non_null(strstr(text, "&lt;b&gt;&amp;\"x\": 5 left"));
	free(text);
	/* no event named and more than one on sale: it asks */
	text = slack_command(user_id("UCLERK"), "available adult");
	assert_non_null(strstr(text, "Which event?"));
	free(text);
	/* an unknown type and an unknown command: told so */
	snprintf(cmd, sizeof cmd, "available balcony event %lld", event_id);
	text = slack_command(user_id("UCLERK"), cmd);
	assert_non_null(strstr(text, "no ticket type balcony"));
	free(text);
	text = slack_command(user_id("UCLERK"), "sell adult 2");
	assert_non_null(strstr(text, "unknown command"));
	free(text);
	text = slack_command(user_id("UCLERK"), "help");
	assert_non_null(strstr(text, "available [TYPE]"));
	free(text);

	/* a clerk may not hold */
	snprintf(cmd, sizeof cmd, "hold adult 2 event %lld", event_id);
	text = slack_command(user_id("UCLERK"), cmd);
	assert_non_null(strstr(text, "only a supervisor"));
	free(text);
	snprintf(cmd, sizeof cmd, "release 1");
	text = slack_command(user_id("UCLERK"), cmd);
	assert_non_null(strstr(text, "only a supervisor"));
	free(text);
	assert_int_equal(holds_of(adult_id), holds);
}

static long long inventory_held(long long type)
{
	json_t *inv = cli_json("$BOXOFFICE inventory --event %lld --json", event_id), *row;
	size_t i;
	long long held = -1;

	json_array_foreach(inv, i, row)
	{
		json_t *ch = json_object_get(row, "channel");
		if (json_integer_value(json_object_get(row, "type")) == type && (!ch || json_is_null(ch)))
			held = json_integer_value(json_object_get(row, "held"));
	}
	if (held < 0)
		fail_msg("no row of type %lld in inventory --json: %s", type, json_dumps(inv, 0));
	json_decref(inv);
	return held;
}

static void test_supervisor_hold_and_release(void **state)
{
	char cmd[200], *text;
	long long held = inventory_held(adult_id), hold;

	(void)state;
	snprintf(cmd, sizeof cmd, "hold adult 2 event %lld ttl 600", event_id);
	text = slack_command(user_id("USUPER"), cmd);
	if (strncmp(text, "Hold ", 5) != 0)
		fail_msg("not a hold: %s", text);
	hold = atoll(text + 5);
	assert_true(hold > 0);
	free(text);
	assert_int_equal(inventory_held(adult_id), held + 2);
	assert_int_equal(scalar("SELECT qty FROM hold WHERE id = $1 AND status = 'active'", hold), 2);
	assert_int_equal(scalar("SELECT count(*) FROM hold WHERE id = $1 AND reference LIKE 'slack:USUPER%'", hold), 1);
	assert_int_equal(scalar("SELECT count(*) FROM change_log WHERE entity_id = $1 AND action = 'hold' "
				"AND api_key LIKE 'staff:slack:USUPER%'",
				hold),
			 1);
	/* refusals are the user's answer, not an error */
	snprintf(cmd, sizeof cmd, "hold adult 1000 event %lld", event_id);
	text = slack_command(user_id("USUPER"), cmd);
	assert_non_null(strstr(text, "Sorry"));
	free(text);
	assert_int_equal(inventory_held(adult_id), held + 2);

	snprintf(cmd, sizeof cmd, "release %lld", hold);
	text = slack_command(user_id("USUPER"), cmd);
	assert_non_null(strstr(text, "released"));
	free(text);
	assert_int_equal(inventory_held(adult_id), held);
	text = slack_command_at(user_id("USUPER"), cmd, (long long)time(NULL) + 1); /* again, newly signed */
	assert_non_null(strstr(text, "Sorry"));
	free(text);
}

/* The same signed slash command twice (a replay within Slack's 5
 * minutes): the hold is made once; the copy answers "already done" with
 * the first reply. A release likewise. */
static void test_slack_replay_holds_once(void **state)
{
	char cmd[200], *first, *again;
	long long holds = holds_of(adult_id), held = inventory_held(adult_id), hold;
	long long when = (long long)time(NULL) - 5;

	(void)state;
	snprintf(cmd, sizeof cmd, "hold adult 2 event %lld", event_id);
	first = slack_command_at(user_id("USUPER"), cmd, when);
	if (strncmp(first, "Hold ", 5) != 0)
		fail_msg("not a hold: %s", first);
	hold = atoll(first + 5);
	again = slack_command_at(user_id("USUPER"), cmd, when);
	if (!strstr(again, "lready done") || !strstr(again, first))
		fail_msg("replay answered: %s (first: %s)", again, first);
	free(again);
	free(first);
	assert_int_equal(holds_of(adult_id), holds + 1);
	assert_int_equal(inventory_held(adult_id), held + 2);
	/* a new request (another timestamp) is a new hold */
	first = slack_command_at(user_id("USUPER"), cmd, when + 1);
	assert_int_equal(strncmp(first, "Hold ", 5), 0);
	free(first);
	assert_int_equal(holds_of(adult_id), holds + 2);
	snprintf(cmd, sizeof cmd, "release %lld", hold);
	first = slack_command_at(user_id("USUPER"), cmd, when);
	assert_non_null(strstr(first, "released"));
	again = slack_command_at(user_id("USUPER"), cmd, when);
	if (!strstr(again, "lready done") || !strstr(again, "released"))
		fail_msg("replayed release answered: %s", again);
	free(again);
	free(first);
	assert_int_equal(inventory_held(adult_id), held + 2);
}

/* Slack gives up after 3 s: with the type's row locked by another
 * transaction, the hold's wait for it has a deadline, and the user hears
 * back in time, with nothing held. */
static void test_slack_answers_within_3s_when_locked(void **state)
{
	char cmd[200], *text;
	long long holds = holds_of(adult_id), t0;
	PGconn *locker = test_connect();
	char idt[24];
	const char *p[1] = { idt };
	struct timespec ts;

	(void)state;
	snprintf(idt, sizeof idt, "%lld", adult_id);
	PQclear(test_query(locker, "BEGIN", 0, NULL));
	PQclear(test_query(locker, "SELECT 1 FROM ticket_type WHERE id = $1 FOR UPDATE", 1, p));
	snprintf(cmd, sizeof cmd, "hold adult 1 event %lld", event_id);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
	text = slack_command(user_id("USUPER"), cmd);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 - t0 >= 3000)
		fail_msg("answered after %lld ms", ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 - t0);
	assert_non_null(strstr(text, "try again"));
	free(text);
	PQclear(test_query(locker, "ROLLBACK", 0, NULL));
	PQfinish(locker);
	assert_int_equal(holds_of(adult_id), holds);
	/* and serve is fine afterwards */
	snprintf(cmd, sizeof cmd, "available adult event %lld", event_id);
	text = slack_command(user_id("UCLERK"), cmd);
	assert_non_null(strstr(text, "adult: "));
	free(text);
}

/* ---- Twilio ---- */

static struct http_answer twilio_post(const char *url, const char *body, const char *token)
{
	char sig[100], h_sig[140];
	const char *headers[3] = { "Content-Type: application/x-www-form-urlencoded", NULL, NULL };

	if (token) {
		sig_twilio_make(token, url, body, sig, sizeof sig);
		snprintf(h_sig, sizeof h_sig, "X-Twilio-Signature: %s", sig);
		headers[1] = h_sig;
	}
	return http_do(&srv, "POST", "/webhooks/twilio", NULL, body, headers);
}

/* The vector file's inbound SMS, with its signature as written there,
 * through the endpoint (its From is nobody we know). */
static void test_twilio_vector_and_bad_signatures(void **state)
{
	size_t len;
	char *body = slurp("twilio-inbound-sms-body.txt", &len), h_sig[100];
	const char *headers[3] = { "Content-Type: application/x-www-form-urlencoded", h_sig, NULL };
	long long logged;
	struct http_answer a;
	char mine[300];

	(void)state;
	snprintf(h_sig, sizeof h_sig, "X-Twilio-Signature: JzKVrl83TotsDEUuRlj4qum4fBs=");
	a = http_do(&srv, "POST", "/webhooks/twilio", NULL, body, headers);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(http_answer_header(&a, "Content-Type"), "text/xml"));
	assert_non_null(strstr(a.body, "<Response><Message>Sorry, you are not on the box office&apos;s staff list"));
	http_answer_free(&a);

	snprintf(mine, sizeof mine, "From=%%2B47%s&Body=hold+adult+1+event+%lld&MessageSid=%s", uid, event_id,
		 sid_new());
	logged = test_scalar(conn, "SELECT count(*) FROM webhook_delivery WHERE platform = 'twilio'", 0, NULL);
	long long holds = holds_of(adult_id);
	a = twilio_post(TWILIO_URL, mine, NULL); /* missing */
	assert_int_equal(a.status, 401);
	http_answer_free(&a);
	a = twilio_post(TWILIO_URL, mine, "another_auth_token"); /* wrong token */
	assert_int_equal(a.status, 401);
	http_answer_free(&a);
	a = twilio_post(PUBLIC_URL "/webhooks/twilio", mine, TWILIO_TOKEN); /* not the configured URL */
	assert_int_equal(a.status, 401);
	http_answer_free(&a);
	snprintf(h_sig, sizeof h_sig, "X-Twilio-Signature: JzKVrl83TotsDEUuRlj4qum4fBs=");
	a = http_do(&srv, "POST", "/webhooks/twilio", NULL, mine, headers); /* another body's */
	assert_int_equal(a.status, 401);
	http_answer_free(&a);
	assert_int_equal(holds_of(adult_id), holds);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM webhook_delivery WHERE platform = 'twilio'", 0, NULL),
			 logged);
	free(body);
}

struct texter {
	const char *body;
	long status;
	char *answer;
	pthread_barrier_t *go;
};

static void *text_once(void *arg)
{
	struct texter *t = arg;
	struct http_answer a;

	pthread_barrier_wait(t->go);
	a = twilio_post(TWILIO_URL, t->body, TWILIO_TOKEN);
	t->status = a.status;
	t->answer = a.body;
	a.body = NULL;
	http_answer_free(&a);
	return NULL;
}

/* The same MessageSid ten times at once (Twilio's retries, a proxy's
 * duplicates): one hold, ten identical replies. */
static void test_twilio_same_message_ten_times_holds_once(void **state)
{
	char body[600], sid[80];
	struct texter t[10];
	pthread_t th[10];
	pthread_barrier_t go;
	long long holds = holds_of(adult_id), held = inventory_held(adult_id);

	(void)state;
	snprintf(sid, sizeof sid, "%s", sid_new());
	snprintf(body, sizeof body,
		 "ToCountry=NO&SmsMessageSid=%s&NumMedia=0&SmsSid=%s&SmsStatus=received&Body=hold+adult+1+event+%lld"
		 "&To=%%2B4700000000&NumSegments=1&MessageSid=%s&AccountSid=AC1&From=%%2B47%s&ApiVersion=2010-04-01",
		 sid, sid, event_id, sid, uid);
	pthread_barrier_init(&go, NULL, 10);
	for (int i = 0; i < 10; i++) {
		t[i] = (struct texter){ .body = body, .go = &go };
		pthread_create(&th[i], NULL, text_once, &t[i]);
	}
	for (int i = 0; i < 10; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < 10; i++) {
		if (t[i].status != 200)
			fail_msg("copy %d: %ld %s", i, t[i].status, t[i].answer);
		assert_non_null(strstr(t[i].answer, "<Response><Message>Hold "));
		assert_string_equal(t[i].answer, t[0].answer);
	}
	for (int i = 0; i < 10; i++)
		free(t[i].answer);
	assert_int_equal(holds_of(adult_id), holds + 1);
	assert_int_equal(inventory_held(adult_id), held + 1);
	{
		const char *p[1] = { sid };
		assert_int_equal(test_scalar(conn,
					     "SELECT count(*) FROM webhook_delivery WHERE platform = 'twilio' "
					     "AND delivery_id = $1 AND outcome = 'applied'",
					     1, p),
				 1);
	}
}

/* A captured signed SMS with its name/value boundaries moved
 * (MessageSid=SM… → MessageSidS=M…: the same signed string) drops the
 * MessageSid; without a well-formed one nothing is done (400). */
static void test_twilio_message_sid_required(void **state)
{
	char body[600], moved[600], sig[100], h_sig[140];
	const char *headers[3] = { "Content-Type: application/x-www-form-urlencoded", h_sig, NULL };
	const char *sid = sid_new();
	long long holds = holds_of(adult_id);
	struct http_answer a;

	(void)state;
	snprintf(body, sizeof body, "Body=hold+adult+2+event+%lld&From=%%2B47%s&MessageSid=%s&SmsSid=%s&To=%%2B1555",
		 event_id, uid, sid, sid);
	snprintf(moved, sizeof moved,
		 "Body=hold+adult+2+event+%lld&From=%%2B47%s&MessageSidS=%s&SmsSidS=%s&To=%%2B1555", event_id, uid,
		 sid + 1, sid + 1);
	sig_twilio_make(TWILIO_TOKEN, TWILIO_URL, body, sig, sizeof sig);
	snprintf(h_sig, sizeof h_sig, "X-Twilio-Signature: %s", sig);
	a = http_do(&srv, "POST", "/webhooks/twilio", NULL, body, headers);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "<Message>Hold "));
	http_answer_free(&a);
	assert_int_equal(holds_of(adult_id), holds + 1);
	for (int i = 0; i < 3; i++) {
		a = http_do(&srv, "POST", "/webhooks/twilio", NULL, moved, headers); /* same signature */
		if (a.status != 400)
			fail_msg("moved boundaries: %ld %s", a.status, a.body);
		http_answer_free(&a);
	}
	assert_int_equal(holds_of(adult_id), holds + 1);
	/* missing or malformed, correctly signed: 400, nothing done */
	{
		const char *bad[] = { "", "&MessageSid=SM123", "&MessageSid=XX1234567890abcdef1234567890abcdef",
				      "&MessageSid=SM1234567890abcdef1234567890abcdeg",
				      "&MessageSid=SM1234567890abcdef1234567890abcdef0" };
		for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
			snprintf(body, sizeof body, "Body=hold+adult+2+event+%lld&From=%%2B47%s%s", event_id, uid, bad[i]);
			a = twilio_post(TWILIO_URL, body, TWILIO_TOKEN);
			if (a.status != 400)
				fail_msg("'%s': %ld %s", bad[i], a.status, a.body);
			http_answer_free(&a);
		}
	}
	assert_int_equal(holds_of(adult_id), holds + 1);
}

static void test_twiml_escapes_names(void **state)
{
	char body[300];
	struct http_answer a;

	(void)state;
	snprintf(body, sizeof body, "From=%%2B47%s&Body=available+%%3Cb%%3E%%26%%22x%%22+event+%lld&MessageSid=%s",
		 uid, event_id, sid_new());
	a = twilio_post(TWILIO_URL, body, TWILIO_TOKEN);
	assert_int_equal(a.status, 200);
	if (!strstr(a.body, "<Message>") || !strstr(a.body, "&lt;b&gt;&amp;&quot;x&quot;: 5 left"))
		fail_msg("not escaped: %s", a.body);
	assert_null(strstr(a.body, "<b>"));
	assert_null(strstr(a.body, "&\""));
	assert_non_null(strstr(a.body, "</Message></Response>"));
	http_answer_free(&a);
}

/* Without the channel's URL setting, the URL is serve's --public-url and
 * the path; without either, nothing is taken. */
static void test_twilio_public_url(void **state)
{
	char body[300];
	struct http_answer a;
	struct served bare;

	(void)state;
	PQclear(test_query(conn, "UPDATE platform_channel SET settings = '{}' WHERE name = 'twilio'", 0, NULL));
	/* a fresh serve reads the settings afresh */
	{
		const char *extra[] = { "--public-url", PUBLIC_URL "/", NULL };
		struct served s2;
		serve_start(&s2, extra);
		snprintf(body, sizeof body, "From=%%2B47%s&Body=help&MessageSid=%s", uid, sid_new());
		{
			char sig[100], h_sig[140];
			const char *headers[3] = { "Content-Type: application/x-www-form-urlencoded", h_sig, NULL };
			sig_twilio_make(TWILIO_TOKEN, PUBLIC_URL "/webhooks/twilio", body, sig, sizeof sig);
			snprintf(h_sig, sizeof h_sig, "X-Twilio-Signature: %s", sig);
			a = http_do(&s2, "POST", "/webhooks/twilio", NULL, body, headers);
			assert_int_equal(a.status, 200);
			assert_non_null(strstr(a.body, "hold TYPE QTY"));
			http_answer_free(&a);
			/* the Host header does not make a URL */
			sig_twilio_make(TWILIO_TOKEN, "http://evil.example/webhooks/twilio", body, sig, sizeof sig);
			snprintf(h_sig, sizeof h_sig, "X-Twilio-Signature: %s", sig);
			const char *h2[4] = { headers[0], h_sig, "Host: evil.example", NULL };
			a = http_do(&s2, "POST", "/webhooks/twilio", NULL, body, h2);
			assert_int_equal(a.status, 401);
			http_answer_free(&a);
		}
		assert_int_equal(serve_stop(&s2), 0);
	}
	serve_start(&bare, NULL);
	a = http_do(&bare, "POST", "/webhooks/twilio", NULL, body,
		    (const char *[]){ "Content-Type: application/x-www-form-urlencoded", "X-Twilio-Signature: x", NULL });
	assert_int_equal(a.status, 401);
	assert_non_null(strstr(a.body, "--public-url"));
	http_answer_free(&a);
	assert_int_equal(serve_stop(&bare), 0);
	PQclear(test_query(conn,
			   "UPDATE platform_channel SET settings = jsonb_build_object('url', '" TWILIO_URL "') "
			   "WHERE name = 'twilio'",
			   0, NULL));
}

static void test_staff_cli(void **state)
{
	struct run_result r;
	json_t *list, *m;
	size_t i;
	bool found = false;

	(void)state;
	r = run_cmd("$BOXOFFICE platform staff add --platform slack --user UX%s --role admin", uid);
	assert_int_equal(r.status, 2);
	run_free(&r);
	r = run_cmd("$BOXOFFICE platform staff add --platform irc --user UX%s --role clerk", uid);
	assert_int_equal(r.status, 2);
	run_free(&r);
	r = run_cmd("$BOXOFFICE platform staff add --platform slack --user 'U X' --role clerk");
	assert_int_equal(r.status, 2);
	run_free(&r);
	r = run_cmd("$BOXOFFICE platform staff frob");
	assert_int_equal(r.status, 2);
	run_free(&r);
	list = cli_json("$BOXOFFICE platform staff add --platform slack --user UX%s --role clerk --json", uid);
	assert_string_equal(json_string_value(json_object_get(list, "role")), "clerk");
	json_decref(list);
	list = cli_json("$BOXOFFICE platform staff list --json");
	json_array_foreach(list, i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "user")), user_id("USUPER")) == 0) {
			assert_string_equal(json_string_value(json_object_get(m, "role")), "supervisor");
			found = true;
		}
	}
	assert_true(found);
	json_decref(list);
	r = run_cmd("$BOXOFFICE platform staff list");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, user_id("USUPER")));
	run_free(&r);
	r = run_cmd("$BOXOFFICE platform staff remove --platform slack --user UX%s", uid);
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_cmd("$BOXOFFICE platform staff remove --platform slack --user UX%s", uid);
	assert_int_equal(r.status, 1);
	run_free(&r);
	/* a clerk's login may not map staff */
	assert_int_equal(test_scalar(conn,
				     "SELECT count(*) FROM information_schema.role_routine_grants WHERE routine_name = "
				     "'staff_add' AND grantee IN ('boxoffice_clerk', 'boxoffice_api')",
				     0, NULL),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slack_published_vector_is_stale),
		cmocka_unit_test(test_slack_fresh_signature_unknown_user),
		cmocka_unit_test(test_slack_bad_signatures_change_nothing),
		cmocka_unit_test(test_slack_url_verification),
		cmocka_unit_test(test_clerk_available_and_hold_refused),
		cmocka_unit_test(test_supervisor_hold_and_release),
		cmocka_unit_test(test_slack_answers_within_3s_when_locked),
		cmocka_unit_test(test_slack_replay_holds_once),
		cmocka_unit_test(test_twilio_vector_and_bad_signatures),
		cmocka_unit_test(test_twilio_same_message_ten_times_holds_once),
		cmocka_unit_test(test_twilio_message_sid_required),
		cmocka_unit_test(test_twiml_escapes_names),
		cmocka_unit_test(test_twilio_public_url),
		cmocka_unit_test(test_staff_cli),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

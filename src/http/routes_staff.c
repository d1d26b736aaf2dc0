/* Staff commands from chat and SMS (issue 16):
 *
 *   POST /webhooks/slack   a Slack slash command (/tickets available adult),
 *                          and the Events API's url_verification challenge
 *   POST /webhooks/twilio  an SMS to the box office's Twilio number
 *
 * Each checks the platform's signature over the raw body first (401, in the
 * access log, nothing changes), parses the command in C (core/staff_cmd.c)
 * and makes ONE call of staff_run (db/039), which checks who asks
 * (`boxoffice platform staff add`), picks the event and does the work.
 *
 * Slack: X-Slack-Signature "v0=" hex HMAC-SHA256(secret, "v0:TS:BODY") with
 * the signing secret (platform_secret 'slack'); X-Slack-Request-Timestamp
 * more than 5 minutes from our clock is refused (a replay). Slack waits 3 s
 * for the answer, so every wait for the database here has a deadline well
 * inside that (SLACK_BUDGET_MS from the request's start); past it the user
 * is told to try again. The answer is an ephemeral message (only the one
 * who typed sees it).
 *
 * Twilio: X-Twilio-Signature base64 HMAC-SHA1(auth token, URL ‖ sorted
 * name‖value) with the auth token (platform_secret 'twilio'). The URL is
 * the one Twilio calls, which serve cannot know from the request behind a
 * proxy (and must not take from the Host header, which the caller writes):
 * settings.url of the enabled twilio platform_channel when set (exactly as
 * typed in Twilio's console, query included), else serve's --public-url +
 * "/webhooks/twilio"; with neither every SMS is refused 401. The
 * MessageSid (required, SM/MM + 32 hex, else 400) makes a message apply
 * once (webhook_delivery): Twilio's retry, or ten copies at once, get the
 * first one's reply. The answer is TwiML.
 *
 * Slack's replay within its 5 minutes: a hold or release is recorded in
 * webhook_delivery under the X-Slack-Signature (which covers timestamp and
 * body) in the hold's transaction; the same signed request again answers
 * "Already done:" and the first reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/platform_sig.h"
#include "../core/staff_cmd.h"
#include "../db/db.h"
#include "../db/staff.h"
#include "http.h"

/* From the request's start to the answer: Slack gives up at 3 s; Twilio
 * waits 15 s for its webhook. */
#define SLACK_BUDGET_MS 2200
#define TWILIO_BUDGET_MS 8000
/* Longest wait for a pooled connection within that. */
#define STAFF_POOL_WAIT_MS 900
/* How long a platform's secret and URL are kept before being read again. */
#define CONF_KEEP_MS 30000
/* A signature that does not match a secret older than this reads it again
 * (it was just changed). */
#define CONF_REREAD_MS 1000

struct staff_conf {
	pthread_mutex_t lock;
	const char *platform;
	char secret[512];
	char url[1024];
	long long read_ms; /* 0: never */
};

static struct staff_conf confs[2] = {
	{ PTHREAD_MUTEX_INITIALIZER, "slack", "", "", 0 },
	{ PTHREAD_MUTEX_INITIALIZER, "twilio", "", "", 0 },
};

/* The time left of the request's budget (ms, at least 1). */
static int budget_left(const struct request *r)
{
	int budget = r->url && strcmp(r->url, "/webhooks/twilio") == 0 ? TWILIO_BUDGET_MS : SLACK_BUDGET_MS;
	long long left = r->started_ms + budget - db_now_ms();
	return left < 1 ? 1 : (int)left;
}

/* A connection within the budget, its deadline set to what is left; NULL
 * when none (the caller answers). */
static struct db *staff_db(struct request *r, int *before)
{
	int left = budget_left(r);
	struct db *db = pool_take(r->srv->pool, left < STAFF_POOL_WAIT_MS ? left : STAFF_POOL_WAIT_MS);

	if (db)
		*before = db_swap_deadline(db, budget_left(r));
	return db;
}

static void staff_db_done(struct request *r, struct db *db, int before)
{
	db_swap_deadline(db, before);
	pool_give(r->srv->pool, db);
}

/* The platform's secret and URL into the caller's buffers; false when the
 * database did not answer (*failed) or no secret is set. */
static bool conf_get(struct request *r, struct staff_conf *c, bool fresh, char *secret, size_t ssize, char *url,
		     size_t usize, long long *age_ms, bool *failed)
{
	long long now = db_now_ms();
	struct db *db;
	json_t *doc;
	const char *s, *u;
	int before;

	*failed = false;
	pthread_mutex_lock(&c->lock);
	if (!fresh && c->read_ms && now - c->read_ms < CONF_KEEP_MS) {
		snprintf(secret, ssize, "%s", c->secret);
		snprintf(url, usize, "%s", c->url);
		*age_ms = now - c->read_ms;
		pthread_mutex_unlock(&c->lock);
		return secret[0] != '\0';
	}
	pthread_mutex_unlock(&c->lock);
	if (!(db = staff_db(r, &before))) {
		*failed = true;
		return false;
	}
	doc = db_staff_platform_conf(db, c->platform);
	staff_db_done(r, db, before);
	if (!doc) {
		*failed = true;
		return false;
	}
	s = json_string_value(json_object_get(doc, "secret"));
	u = json_string_value(json_object_get(doc, "url"));
	snprintf(secret, ssize, "%s", s ? s : "");
	snprintf(url, usize, "%s", u ? u : "");
	json_decref(doc);
	pthread_mutex_lock(&c->lock);
	snprintf(c->secret, sizeof c->secret, "%s", secret);
	snprintf(c->url, sizeof c->url, "%s", url);
	c->read_ms = db_now_ms();
	pthread_mutex_unlock(&c->lock);
	*age_ms = 0;
	return secret[0] != '\0';
}

static bool busy(struct request *r)
{
	const char *retry[] = { "Retry-After", "1", NULL };
	const char msg[] = "{\"error\":\"the database is busy or unreachable; try again\"}";
	return http_send(r, 503, "application/json", msg, strlen(msg), retry);
}

/* One line on serve's log for a refused staff user (the change log has it
 * too). */
static void log_refusal(struct request *r, const char *platform, const char *user, const char *why)
{
	char line[400];
	size_t n = 0;
	const char *parts[3] = { platform, user, why };

	if (r->srv->cfg.quiet)
		return;
	n += (size_t)snprintf(line, sizeof line, "{\"staff\":\"refused\"");
	for (int i = 0; i < 3 && n < sizeof line - 80; i++) {
		static const char *const names[3] = { "platform", "user", "why" };
		n += (size_t)snprintf(line + n, sizeof line - n, ",\"%s\":\"", names[i]);
		for (const char *p = parts[i] ? parts[i] : ""; *p && n < sizeof line - 40 && p - parts[i] < 120; p++) {
			unsigned char ch = (unsigned char)*p;
			if (ch == '"' || ch == '\\' || ch < 0x20 || ch == 0x7f)
				line[n++] = '?';
			else
				line[n++] = (char)ch;
		}
		line[n++] = '"';
	}
	n += (size_t)snprintf(line + n, sizeof line - n, "}\n");
	fwrite(line, 1, n < sizeof line ? n : sizeof line - 1, stderr);
}

/* Runs a command for a platform's user: the reply text (malloc'd), or NULL
 * when the database did not answer in time. */
static char *run_command(struct request *r, const char *platform, const char *user, const char *text,
			 size_t text_len, const char *delivery, bool once_changes)
{
	struct staff_cmd cmd;
	char *json, *reply = NULL;
	const char *t, *role;
	struct db *db;
	json_t *answer;
	int before;

	staff_cmd_parse(text, text_len, &cmd);
	/* once_changes: only a command that changes something is recorded
	 * (Slack: a replayed hold or release answers the first reply) */
	if (once_changes && cmd.verb != STAFF_HOLD && cmd.verb != STAFF_RELEASE)
		delivery = NULL;
	if (!(json = staff_cmd_json(&cmd)))
		return NULL;
	if (!(db = staff_db(r, &before))) {
		free(json);
		return NULL;
	}
	answer = db_staff_run(db, platform, user, json, delivery);
	free(json);
	if (!answer) {
		fprintf(stderr, "{\"staff\":\"failed\",\"platform\":\"%s\",\"sqlstate\":\"%s\"}\n", platform,
			db->sqlstate);
		staff_db_done(r, db, before);
		return NULL;
	}
	staff_db_done(r, db, before);
	t = json_string_value(json_object_get(answer, "text"));
	role = json_string_value(json_object_get(answer, "role"));
	if (!json_is_true(json_object_get(answer, "ok")) && !role)
		log_refusal(r, platform, user, "not on the staff list");
	else if (!json_is_true(json_object_get(answer, "ok")) && (cmd.verb == STAFF_HOLD || cmd.verb == STAFF_RELEASE) &&
		 role && strcmp(role, "supervisor") != 0)
		log_refusal(r, platform, user, "needs the supervisor role");
	if (t && once_changes && json_is_true(json_object_get(answer, "duplicate"))) {
		size_t n = strlen(t) + 40;
		if ((reply = malloc(n)))
			snprintf(reply, n, "Already done: %s", t);
	} else if (t)
		reply = strdup(t);
	else if (cmd.verb == STAFF_ERROR) {
		size_t n = strlen(cmd.error) + 40;
		if ((reply = malloc(n)))
			snprintf(reply, n, "Sorry, %s.", cmd.error);
	} else
		reply = strdup(staff_help(role));
	json_decref(answer);
	return reply;
}

/* ---- Slack ---- */

static bool slack_answer(struct request *r, const char *text)
{
	char *esc = staff_slack_escape(text);
	json_t *doc = json_pack("{s:s, s:s}", "response_type", "ephemeral", "text", esc ? esc : "");
	free(esc);
	return http_json(r, 200, doc);
}

static bool slack_signature_ok(struct request *r)
{
	const char *sig = http_header(r, "X-Slack-Signature"), *ts = http_header(r, "X-Slack-Request-Timestamp");
	char secret[512], url[1024];
	long long age;
	bool failed, stale = false, ok;
	const char *body = r->body ? r->body : "";

	if (!sig || !*sig || !ts || !*ts) {
		http_error(r, 401, "X-Slack-Signature and X-Slack-Request-Timestamp are required");
		return false;
	}
	if (!conf_get(r, &confs[0], false, secret, sizeof secret, url, sizeof url, &age, &failed)) {
		if (failed)
			busy(r);
		else
			http_error(r, 401, "no signing secret is set (boxoffice platform secret --platform slack)");
		return false;
	}
	ok = sig_slack_ok(sig, ts, secret, body, r->len, (long long)time(NULL), &stale);
	if (!ok && !stale && age > CONF_REREAD_MS) {
		if (!conf_get(r, &confs[0], true, secret, sizeof secret, url, sizeof url, &age, &failed)) {
			memset(secret, 0, sizeof secret);
			if (failed)
				busy(r);
			else
				http_error(r, 401, "no signing secret is set (boxoffice platform secret --platform slack)");
			return false;
		}
		ok = sig_slack_ok(sig, ts, secret, body, r->len, (long long)time(NULL), &stale);
	}
	memset(secret, 0, sizeof secret);
	if (!ok) {
		http_error(r, 401, stale ? "X-Slack-Request-Timestamp is more than 5 minutes from now"
					 : "X-Slack-Signature does not match");
		return false;
	}
	return true;
}

bool route_slack_webhook(struct request *r, const char *tail)
{
	const char *ctype = http_header(r, "Content-Type");
	char *user, *text, *reply;
	size_t user_len = 0, text_len = 0;

	(void)tail;
	if (!slack_signature_ok(r))
		return true;
	if (http_type_is(ctype, "application/json")) {
		/* the Events API: its url_verification is echoed; other events
		 * are not ours to act on */
		json_error_t err;
		json_t *ev = json_loadb(r->body ? r->body : "", r->len, 0, &err);
		const char *type = json_string_value(json_object_get(ev, "type"));
		const char *challenge = json_string_value(json_object_get(ev, "challenge"));
		if (!json_is_object(ev)) {
			json_decref(ev);
			return http_error(r, 400, "the event is not a JSON object");
		}
		if (type && strcmp(type, "url_verification") == 0 && challenge) {
			json_t *doc = json_pack("{s:s}", "challenge", challenge);
			json_decref(ev);
			return http_json(r, 200, doc);
		}
		json_decref(ev);
		return http_json(r, 200, json_pack("{s:b, s:s}", "received", 1, "ignored", "not an event this server acts on"));
	}
	if (!http_type_is(ctype, "application/x-www-form-urlencoded"))
		return http_error(r, 415, "a slash command is application/x-www-form-urlencoded");
	user = staff_form_value(r->body, r->len, "user_id", &user_len);
	if (!user || !*user || strlen(user) != user_len) {
		free(user);
		return http_error(r, 400, "user_id is required");
	}
	text = staff_form_value(r->body, r->len, "text", &text_len);
	reply = run_command(r, "slack", user, text ? text : "", text ? text_len : 0,
			    http_header(r, "X-Slack-Signature"), true);
	free(text);
	free(user);
	if (!reply)
		return slack_answer(r, "The box office database did not answer in time; try again in a moment.");
	slack_answer(r, reply);
	free(reply);
	return true;
}

/* ---- Twilio ---- */

static bool twiml(struct request *r, const char *text)
{
	char *esc = staff_xml_escape(text);
	size_t n = (esc ? strlen(esc) : 0) + 100;
	char *doc = malloc(n);
	bool ok;

	if (!doc) {
		free(esc);
		return http_error(r, 500, "out of memory");
	}
	snprintf(doc, n, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Message>%s</Message></Response>",
		 esc ? esc : "");
	ok = http_send(r, 200, "text/xml; charset=utf-8", doc, strlen(doc), NULL);
	free(doc);
	free(esc);
	return ok;
}

/* The URL Twilio signs: the channel's setting, else --public-url + path. */
static void twilio_url(const struct request *r, const char *setting, char *out, size_t size)
{
	const char *pub = r->srv->cfg.public_url;
	size_t n;

	out[0] = '\0';
	if (setting && *setting) {
		snprintf(out, size, "%s", setting);
		return;
	}
	if (!pub || !*pub)
		return;
	n = strlen(pub);
	while (n > 0 && pub[n - 1] == '/')
		n--;
	snprintf(out, size, "%.*s/webhooks/twilio", (int)n, pub);
}

static bool twilio_signature_ok(struct request *r)
{
	const char *sig = http_header(r, "X-Twilio-Signature");
	char secret[512], setting[1024], url[1100];
	long long age;
	bool failed, ok;
	char *body;

	if (!sig || !*sig) {
		http_error(r, 401, "X-Twilio-Signature is required");
		return false;
	}
	if (!conf_get(r, &confs[1], false, secret, sizeof secret, setting, sizeof setting, &age, &failed)) {
		if (failed)
			busy(r);
		else
			http_error(r, 401, "no auth token is set (boxoffice platform secret --platform twilio)");
		return false;
	}
	twilio_url(r, setting, url, sizeof url);
	if (!url[0]) {
		memset(secret, 0, sizeof secret);
		http_error(r, 401, "the URL Twilio calls is not configured (serve --public-url)");
		return false;
	}
	/* the form body as a string (a NUL byte in it fails the signature) */
	if (!(body = malloc(r->len + 1))) {
		memset(secret, 0, sizeof secret);
		http_error(r, 500, "out of memory");
		return false;
	}
	if (r->len)
		memcpy(body, r->body, r->len);
	body[r->len] = '\0';
	ok = strlen(body) == r->len && sig_twilio_ok(sig, secret, url, body);
	if (!ok && age > CONF_REREAD_MS && strlen(body) == r->len &&
	    conf_get(r, &confs[1], true, secret, sizeof secret, setting, sizeof setting, &age, &failed)) {
		twilio_url(r, setting, url, sizeof url);
		ok = url[0] && sig_twilio_ok(sig, secret, url, body);
	}
	free(body);
	memset(secret, 0, sizeof secret);
	if (!ok) {
		http_error(r, 401, "X-Twilio-Signature does not match");
		return false;
	}
	return true;
}

bool route_twilio_webhook(struct request *r, const char *tail)
{
	char *from, *text, *sid, *reply;
	size_t from_len = 0, text_len = 0, sid_len = 0;

	(void)tail;
	if (!twilio_signature_ok(r))
		return true;
	from = staff_form_value(r->body, r->len, "From", &from_len);
	if (!from || !*from || strlen(from) != from_len) {
		free(from);
		return http_error(r, 400, "From is required");
	}
	/* Twilio always sends MessageSid; without it a captured signature
	 * could be replayed with its name/value boundaries moved (the signed
	 * string is names and values run together) and no dedupe key. */
	sid = staff_form_value(r->body, r->len, "MessageSid", &sid_len);
	if (!sid || strlen(sid) != sid_len || !staff_message_sid_ok(sid)) {
		free(sid);
		free(from);
		return http_error(r, 400, "MessageSid is required: SM or MM and 32 hex digits");
	}
	text = staff_form_value(r->body, r->len, "Body", &text_len);
	reply = run_command(r, "twilio", from, text ? text : "", text ? text_len : 0, sid, false);
	free(text);
	free(sid);
	free(from);
	if (!reply) {
		/* nothing was recorded: Twilio may try again */
		return busy(r);
	}
	twiml(r, reply);
	free(reply);
	return true;
}

/* Staff commands (Slack, SMS) parsed without a database: the commands as
 * staff type them, and hostile text (empty, huge, NUL bytes, broken UTF-8,
 * control characters, negative, zero and overflowing quantities, unknown
 * words); form fields decoded; replies escaped for TwiML and Slack; the
 * published Slack vector checked with the clock it was made at. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/platform_sig.h"
#include "core/staff_cmd.h"
#include "helpers.h"

static enum staff_verb parse(const char *text, struct staff_cmd *cmd)
{
	return staff_cmd_parse(text, strlen(text), cmd);
}

static void test_commands(void **state)
{
	struct staff_cmd c;
	char *json;

	(void)state;
	assert_int_equal(parse("available", &c), STAFF_AVAILABLE);
	assert_string_equal(c.type, "");
	assert_string_equal(c.event, "");
	assert_int_equal(parse("  AVAILABLE   adult ", &c), STAFF_AVAILABLE);
	assert_string_equal(c.type, "adult");
	assert_int_equal(parse("/tickets available early  bird event Summer Fest 2027", &c), STAFF_AVAILABLE);
	assert_string_equal(c.type, "early bird");
	assert_string_equal(c.event, "Summer Fest 2027");
	assert_int_equal(parse("available event 42", &c), STAFF_AVAILABLE);
	assert_string_equal(c.type, "");
	assert_string_equal(c.event, "42");

	assert_int_equal(parse("hold adult 2", &c), STAFF_HOLD);
	assert_string_equal(c.type, "adult");
	assert_int_equal(c.qty, 2);
	assert_int_equal(c.ttl, 0);
	assert_int_equal(parse("hold early bird 3 event Fest ttl 120", &c), STAFF_HOLD);
	assert_string_equal(c.type, "early bird");
	assert_int_equal(c.qty, 3);
	assert_string_equal(c.event, "Fest");
	assert_int_equal(c.ttl, 120);
	assert_int_equal(parse("Hold adult 1 TTL 60 Event 7", &c), STAFF_HOLD);
	assert_int_equal(c.ttl, 60);
	assert_string_equal(c.event, "7");
	json = staff_cmd_json(&c);
	assert_string_equal(json, "{\"verb\":\"hold\",\"type\":\"adult\",\"qty\":1,\"event\":\"7\",\"ttl\":60}");
	free(json);

	assert_int_equal(parse("release 17", &c), STAFF_RELEASE);
	assert_int_equal(c.hold, 17);
	assert_int_equal(parse("release #17", &c), STAFF_RELEASE);
	json = staff_cmd_json(&c);
	assert_string_equal(json, "{\"verb\":\"release\",\"hold\":17}");
	free(json);

	assert_int_equal(parse("help", &c), STAFF_HELP);
	assert_int_equal(parse("", &c), STAFF_HELP);
	assert_int_equal(parse(" \t\r\n", &c), STAFF_HELP);
	assert_int_equal(parse("/tickets", &c), STAFF_HELP);
	json = staff_cmd_json(&c);
	assert_string_equal(json, "{\"verb\":\"help\"}");
	free(json);
	assert_non_null(strstr(staff_help("supervisor"), "hold TYPE QTY"));
	assert_null(strstr(staff_help("clerk"), "release HOLD -"));
}

static void test_unicode_names(void **state)
{
	struct staff_cmd c;
	char *json;

	(void)state;
	assert_int_equal(parse("available Ærlig ☃ billett event Øya 🎉", &c), STAFF_AVAILABLE);
	assert_string_equal(c.type, "Ærlig ☃ billett");
	assert_string_equal(c.event, "Øya 🎉");
	assert_int_equal(parse("hold <b>&\"x\" 1", &c), STAFF_HOLD);
	assert_string_equal(c.type, "<b>&\"x\"");
	json = staff_cmd_json(&c);
	assert_string_equal(json, "{\"verb\":\"hold\",\"type\":\"<b>&\\\"x\\\"\",\"qty\":1}");
	free(json);
	/* an unknown word is quoted back cut between characters, never inside one */
	assert_int_equal(parse("ÆÆÆÆÆÆÆÆÆÆÆÆÆÆÆÆÆÆÆÆ", &c), STAFF_ERROR);
	assert_non_null(strstr(c.error, "unknown command \"ÆÆÆÆÆÆÆÆÆÆÆÆ\""));
}

static void test_hostile_text(void **state)
{
	struct staff_cmd c;
	char *huge = malloc(100001);
	char *json;

	(void)state;
	/* quantities: negative, zero, too many, overflowing, not whole */
	const char *bad_qty[] = { "hold adult -1", "hold adult 0", "hold adult 1001", "hold adult 99999999999999999999999",
				  "hold adult 9223372036854775808", "hold adult 2.5", "hold adult +3", "hold adult 1,000",
				  "hold adult #2" };
	for (size_t i = 0; i < sizeof bad_qty / sizeof *bad_qty; i++) {
		assert_int_equal(parse(bad_qty[i], &c), STAFF_ERROR);
		assert_true(c.error[0]);
	}
	assert_int_equal(parse("hold adult", &c), STAFF_ERROR);
	assert_int_equal(parse("hold", &c), STAFF_ERROR);
	assert_int_equal(parse("hold adult two", &c), STAFF_ERROR);
	assert_int_equal(parse("hold adult 2 ttl 0", &c), STAFF_ERROR);
	assert_int_equal(parse("hold adult 2 ttl 86401", &c), STAFF_ERROR);
	assert_int_equal(parse("hold adult 2 ttl -5", &c), STAFF_ERROR);
	assert_int_equal(parse("hold adult 2 ttl", &c), STAFF_ERROR);
	assert_int_equal(parse("hold adult 2 ttl 60 please", &c), STAFF_ERROR);
	assert_int_equal(parse("hold adult 2 event", &c), STAFF_ERROR);
	assert_int_equal(parse("available adult ttl 60", &c), STAFF_ERROR);
	assert_int_equal(parse("release", &c), STAFF_ERROR);
	assert_int_equal(parse("release 0", &c), STAFF_ERROR);
	assert_int_equal(parse("release -3", &c), STAFF_ERROR);
	assert_int_equal(parse("release 1 2", &c), STAFF_ERROR);
	assert_int_equal(parse("release 9999999999999999999", &c), STAFF_ERROR);
	assert_int_equal(parse("help me", &c), STAFF_ERROR);
	assert_int_equal(parse("sell adult 2", &c), STAFF_ERROR);
	assert_non_null(strstr(c.error, "unknown command \"sell\""));
	assert_int_equal(parse("DROP TABLE hold; --", &c), STAFF_ERROR);
	json = staff_cmd_json(&c); /* an error goes to the database as help */
	assert_string_equal(json, "{\"verb\":\"help\"}");
	free(json);

	/* a NUL byte, control characters, broken UTF-8 */
	assert_int_equal(staff_cmd_parse("available\0adult", 15, &c), STAFF_ERROR);
	assert_int_equal(parse("available \x1b[2Jadult", &c), STAFF_ERROR);
	assert_int_equal(parse("available \x7f", &c), STAFF_ERROR);
	assert_int_equal(parse("available \xc3", &c), STAFF_ERROR);
	assert_int_equal(parse("available \xff\xfe", &c), STAFF_ERROR);
	assert_int_equal(parse("available \xed\xa0\x80", &c), STAFF_ERROR); /* a surrogate */
	assert_int_equal(staff_cmd_parse(NULL, 0, &c), STAFF_HELP);

	/* huge: a long text, a long name, many words */
	memset(huge, 'a', 100000);
	huge[100000] = '\0';
	assert_int_equal(staff_cmd_parse(huge, 100000, &c), STAFF_ERROR);
	memcpy(huge, "available ", 10);
	huge[10 + STAFF_NAME_MAX + 1] = '\0';
	assert_int_equal(parse(huge, &c), STAFF_ERROR);
	huge[10 + STAFF_NAME_MAX] = '\0';
	assert_int_equal(parse(huge, &c), STAFF_AVAILABLE);
	assert_int_equal(strlen(c.type), STAFF_NAME_MAX);
	huge[0] = '\0';
	strcat(huge, "available");
	for (int i = 0; i < 100; i++)
		strcat(huge, " a");
	assert_int_equal(parse(huge, &c), STAFF_ERROR);
	free(huge);
}

static void test_form_values(void **state)
{
	const char body[] = "token=x&user_id=U2CERLKJA&text=hold+adult%202&empty=&flag&pct=%E2%98%83&bad=%4&nul=a%00b";
	size_t n = strlen(body), len;
	char *v;

	(void)state;
	v = staff_form_value(body, n, "user_id", &len);
	assert_string_equal(v, "U2CERLKJA");
	free(v);
	v = staff_form_value(body, n, "text", &len);
	assert_string_equal(v, "hold adult 2");
	free(v);
	v = staff_form_value(body, n, "empty", &len);
	assert_string_equal(v, "");
	free(v);
	v = staff_form_value(body, n, "flag", &len);
	assert_string_equal(v, "");
	free(v);
	v = staff_form_value(body, n, "pct", &len);
	assert_string_equal(v, "☃");
	free(v);
	assert_null(staff_form_value(body, n, "bad", &len));
	assert_null(staff_form_value(body, n, "missing", &len));
	assert_null(staff_form_value(body, n, "use", &len)); /* a prefix of user_id */
	v = staff_form_value(body, n, "nul", &len);
	assert_int_equal(len, 3);
	assert_int_not_equal(strlen(v), len); /* the caller sees the NUL */
	free(v);
	/* only len bytes are read */
	assert_null(staff_form_value("a=1&b=2", 3, "b", &len));
	assert_null(staff_form_value("a=%", 3, "a", &len));
	assert_null(staff_form_value("a=%4", 4, "a", &len));
}

static void test_escaping(void **state)
{
	char *x;

	(void)state;
	x = staff_xml_escape("<b>&\"x\"'s\x01\x1b ok\n");
	assert_string_equal(x, "&lt;b&gt;&amp;&quot;x&quot;&apos;s ok\n");
	free(x);
	x = staff_slack_escape("<b>&\"x\" <!channel>");
	assert_string_equal(x, "&lt;b&gt;&amp;\"x\" &lt;!channel&gt;");
	free(x);
	x = staff_xml_escape(NULL);
	assert_string_equal(x, "");
	free(x);
}

/* The published Slack vector (tests/platforms/slack-vector.txt) holds at
 * the time it was made and is stale now; serve's endpoint (db_staff.c)
 * sees it refused with the real clock. */
static void test_published_slack_vector(void **state)
{
	const char secret[] = "8f742231b10e8888abcd99yyyzzz85a5";
	const char sig[] = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
	char path[1200], body[2000], made[100];
	size_t n;
	bool stale = true;
	FILE *f;

	(void)state;
	snprintf(path, sizeof path, "%s/../tests/platforms/slack-slash-command-body.txt", BOXOFFICE_ASSETS);
	assert_non_null(f = fopen(path, "rb"));
	n = fread(body, 1, sizeof body - 1, f);
	fclose(f);
	body[n] = '\0';
	assert_true(sig_slack_ok(sig, "1531420618", secret, body, n, 1531420618LL, &stale));
	assert_false(stale);
	assert_false(sig_slack_ok(sig, "1531420618", secret, body, n, 1531420618LL + 301, &stale));
	assert_true(stale);
	sig_slack_make(secret, "1531420618", body, n, made, sizeof made);
	assert_string_equal(made, sig);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_commands),	 cmocka_unit_test(test_unicode_names),
		cmocka_unit_test(test_hostile_text),	 cmocka_unit_test(test_form_values),
		cmocka_unit_test(test_escaping),	 cmocka_unit_test(test_published_slack_vector),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

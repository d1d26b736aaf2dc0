/* Staff commands typed in Slack (/tickets …) or sent by SMS, parsed
 * without the database (pure): the words, the form fields they came in, and
 * the reply's escaping for Slack and TwiML.
 *
 *   available [TYPE] [event E]           what is left per type (all channels)
 *   hold TYPE QTY [event E] [ttl S]      a hold (supervisors)
 *   release HOLD                         gives a hold's seats back (supervisors)
 *   help                                 the list above
 *
 * Verbs and the words "event" and "ttl" in any case; TYPE and E may have
 * spaces (a type called "early bird"); a leading "/tickets" (or any /word)
 * is skipped, so an SMS may be typed like the slash command. */
#ifndef BOXOFFICE_CORE_STAFF_CMD_H
#define BOXOFFICE_CORE_STAFF_CMD_H

#include <stdbool.h>
#include <stddef.h>

/* Longest command text taken (Slack allows far more; nobody types this). */
#define STAFF_TEXT_MAX 500
#define STAFF_NAME_MAX 200 /* bytes of a type or event name */
#define STAFF_QTY_MAX 1000
#define STAFF_TTL_MAX 86400

enum staff_verb {
	STAFF_ERROR = 0, /* did not parse: error says why */
	STAFF_HELP,
	STAFF_AVAILABLE,
	STAFF_HOLD,
	STAFF_RELEASE,
};

struct staff_cmd {
	enum staff_verb verb;
	char type[STAFF_NAME_MAX + 1];  /* "" when not given */
	char event[STAFF_NAME_MAX + 1]; /* "" when not given */
	int qty;                        /* hold */
	int ttl;                        /* hold; 0 when not given */
	long long hold;                 /* release */
	char error[200];
};

/* Parses len bytes of text (NUL bytes, invalid UTF-8, control characters
 * and over-long text are refused). Returns cmd->verb. */
enum staff_verb staff_cmd_parse(const char *text, size_t len, struct staff_cmd *cmd);

/* The command as the JSON object staff_run takes (malloc'd; NULL when out
 * of memory). STAFF_ERROR and STAFF_HELP are {"verb":"help"}. */
char *staff_cmd_json(const struct staff_cmd *cmd);

/* The help text for a role ("clerk", "supervisor"). */
const char *staff_help(const char *role);

/* The first value of a field of an application/x-www-form-urlencoded body,
 * decoded ('+' and %XX), NUL-terminated, malloc'd; *out_len its length
 * (it may hold a NUL byte: check). NULL when the field is absent or its
 * encoding is broken. */
char *staff_form_value(const char *body, size_t len, const char *name, size_t *out_len);

/* Escapes text for XML character data and attributes (& < > " ') and drops
 * what XML 1.0 cannot carry (control characters but tab and newlines).
 * malloc'd. */
char *staff_xml_escape(const char *text);

/* Whether sid is a Twilio message SID: "SM" or "MM" and 32 hex digits. */
bool staff_message_sid_ok(const char *sid);
/* Escapes text for a Slack message (& < > as Slack asks). malloc'd. */
char *staff_slack_escape(const char *text);

#endif

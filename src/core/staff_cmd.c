/* Staff commands (Slack, SMS): words in, a struct out; no database. */
#include "staff_cmd.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"
#include "validate.h"

#define MAX_WORDS 64

struct words {
	const char *w[MAX_WORDS];
	size_t n[MAX_WORDS];
	int count;
};

static bool is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool word_is(const struct words *ws, int i, const char *word)
{
	return i < ws->count && ws->n[i] == strlen(word) && strncasecmp(ws->w[i], word, ws->n[i]) == 0;
}

static enum staff_verb fail(struct staff_cmd *cmd, const char *fmt, const char *arg)
{
	cmd->verb = STAFF_ERROR;
	snprintf(cmd->error, sizeof cmd->error, fmt, arg ? arg : "");
	return STAFF_ERROR;
}

/* Words from..to-1 joined by single spaces into out; false when too long. */
static bool join(const struct words *ws, int from, int to, char *out, size_t size)
{
	size_t at = 0;

	out[0] = '\0';
	for (int i = from; i < to; i++) {
		if (at + ws->n[i] + (i > from) + 1 > size)
			return false;
		if (i > from)
			out[at++] = ' ';
		memcpy(out + at, ws->w[i], ws->n[i]);
		at += ws->n[i];
		out[at] = '\0';
	}
	return true;
}

/* A whole number in [min, max] from one word (digits only; "#12" for a
 * hold too); false for anything else, an overflow included. */
static bool number(const char *w, size_t n, long long min, long long max, long long *out)
{
	long long v = 0;

	if (n > 0 && w[0] == '#') {
		w++;
		n--;
	}
	if (n == 0 || n > 18)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (w[i] < '0' || w[i] > '9')
			return false;
		v = v * 10 + (w[i] - '0');
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool is_number_word(const struct words *ws, int i)
{
	size_t n = ws->n[i];
	const char *w = ws->w[i];

	/* "-2", "+3", "2.5" and digits too long count as a (bad) quantity */
	if (n > 0 && (w[0] == '-' || w[0] == '+'))
		w++, n--;
	if (n == 0 || w[0] < '0' || w[0] > '9')
		return false;
	for (size_t k = 0; k < n; k++)
		if ((w[k] < '0' || w[k] > '9') && w[k] != '.' && w[k] != ',')
			return false;
	return true;
}

/* The optional "event E" and "ttl S" after position from (in either
 * order); *end is where the part before them ends. */
static bool options(const struct words *ws, int from, int *end, struct staff_cmd *cmd, bool ttl_ok)
{
	int ev = -1, tt = -1;
	long long v;

	for (int i = from; i < ws->count; i++) {
		if (ev < 0 && word_is(ws, i, "event"))
			ev = i;
		else if (tt < 0 && word_is(ws, i, "ttl"))
			tt = i;
	}
	*end = ws->count;
	if (ev >= 0 && ev < *end)
		*end = ev;
	if (tt >= 0 && tt < *end)
		*end = tt;
	if (tt >= 0) {
		if (!ttl_ok) {
			fail(cmd, "ttl is for holds", NULL);
			return false;
		}
		if (tt + 1 >= ws->count || !number(ws->w[tt + 1], ws->n[tt + 1], 1, STAFF_TTL_MAX, &v) ||
		    ws->w[tt + 1][0] == '#') {
			fail(cmd, "ttl is a number of seconds from 1 to 86400", NULL);
			return false;
		}
		cmd->ttl = (int)v;
		if (tt + 2 < ws->count && tt + 2 != ev) {
			fail(cmd, "only \"event E\" may follow ttl's seconds", NULL);
			return false;
		}
	}
	if (ev >= 0) {
		int stop = tt > ev ? tt : ws->count;
		if (stop <= ev + 1) {
			fail(cmd, "event needs a name or an ID", NULL);
			return false;
		}
		if (!join(ws, ev + 1, stop, cmd->event, sizeof cmd->event)) {
			fail(cmd, "the event's name is too long", NULL);
			return false;
		}
	}
	return true;
}

enum staff_verb staff_cmd_parse(const char *text, size_t len, struct staff_cmd *cmd)
{
	struct words ws = { .count = 0 };
	char *copy;
	size_t i = 0;
	int first = 0, end;
	long long v;

	memset(cmd, 0, sizeof *cmd);
	if (!text)
		text = "";
	if (len > STAFF_TEXT_MAX)
		return fail(cmd, "that is too long for a command (type \"help\")", NULL);
	if (memchr(text, '\0', len))
		return fail(cmd, "the command holds a NUL byte", NULL);
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)text[k];
		if ((c < 0x20 && !is_space(c)) || c == 0x7f)
			return fail(cmd, "the command holds a control character", NULL);
	}
	copy = malloc(len + 1);
	if (!copy)
		return fail(cmd, "out of memory", NULL);
	memcpy(copy, text, len);
	copy[len] = '\0';
	if (utf8_length(copy) < 0) {
		free(copy);
		return fail(cmd, "the command is not valid UTF-8", NULL);
	}
	free(copy);
	/* words, pointing into text */
	while (i < len) {
		while (i < len && is_space((unsigned char)text[i]))
			i++;
		if (i >= len)
			break;
		if (ws.count == MAX_WORDS)
			return fail(cmd, "too many words (type \"help\")", NULL);
		ws.w[ws.count] = text + i;
		while (i < len && !is_space((unsigned char)text[i]))
			i++;
		ws.n[ws.count] = (size_t)(text + i - ws.w[ws.count]);
		ws.count++;
	}
	if (ws.count > 0 && ws.w[0][0] == '/')
		first = 1; /* "/tickets available" */
	if (first >= ws.count || word_is(&ws, first, "help") || word_is(&ws, first, "?")) {
		if (first + 1 < ws.count && word_is(&ws, first, "help"))
			return fail(cmd, "help takes no words", NULL);
		cmd->verb = STAFF_HELP;
		return STAFF_HELP;
	}
	if (word_is(&ws, first, "available") || word_is(&ws, first, "avail") || word_is(&ws, first, "left")) {
		if (!options(&ws, first + 1, &end, cmd, false))
			return STAFF_ERROR;
		if (!join(&ws, first + 1, end, cmd->type, sizeof cmd->type))
			return fail(cmd, "the type's name is too long", NULL);
		cmd->verb = STAFF_AVAILABLE;
		return STAFF_AVAILABLE;
	}
	if (word_is(&ws, first, "hold")) {
		if (!options(&ws, first + 1, &end, cmd, true))
			return STAFF_ERROR;
		if (end - (first + 1) < 2)
			return fail(cmd, "hold needs a type and a quantity: hold TYPE QTY [event E] [ttl S]", NULL);
		if (!is_number_word(&ws, end - 1))
			return fail(cmd, "hold needs a quantity after the type: hold TYPE QTY", NULL);
		if (!number(ws.w[end - 1], ws.n[end - 1], 1, STAFF_QTY_MAX, &v) || ws.w[end - 1][0] == '#')
			return fail(cmd, "the quantity is a whole number from 1 to 1000", NULL);
		cmd->qty = (int)v;
		if (!join(&ws, first + 1, end - 1, cmd->type, sizeof cmd->type))
			return fail(cmd, "the type's name is too long", NULL);
		cmd->verb = STAFF_HOLD;
		return STAFF_HOLD;
	}
	if (word_is(&ws, first, "release")) {
		if (ws.count != first + 2)
			return fail(cmd, "release needs the hold's number: release HOLD", NULL);
		if (!number(ws.w[first + 1], ws.n[first + 1], 1, 999999999999999999LL, &v))
			return fail(cmd, "release needs the hold's number: release HOLD", NULL);
		cmd->hold = v;
		cmd->verb = STAFF_RELEASE;
		return STAFF_RELEASE;
	}
	{
		char word[40];
		/* cut at a character boundary, never inside one (a word
		 * that fits is not read past: text need not end in a NUL) */
		size_t n = ws.n[first] <= 24 ? ws.n[first] : utf8_prefix(ws.w[first], 24);
		memcpy(word, ws.w[first], n);
		word[n] = '\0';
		return fail(cmd, "unknown command \"%s\" (type \"help\")", word);
	}
}

char *staff_cmd_json(const struct staff_cmd *cmd)
{
	json_t *o = json_object();
	char *s;

	if (!o)
		return NULL;
	switch (cmd->verb) {
	case STAFF_AVAILABLE:
		json_object_set_new(o, "verb", json_string("available"));
		if (cmd->type[0])
			json_object_set_new(o, "type", json_string(cmd->type));
		if (cmd->event[0])
			json_object_set_new(o, "event", json_string(cmd->event));
		break;
	case STAFF_HOLD:
		json_object_set_new(o, "verb", json_string("hold"));
		json_object_set_new(o, "type", json_string(cmd->type));
		json_object_set_new(o, "qty", json_integer(cmd->qty));
		if (cmd->event[0])
			json_object_set_new(o, "event", json_string(cmd->event));
		if (cmd->ttl > 0)
			json_object_set_new(o, "ttl", json_integer(cmd->ttl));
		break;
	case STAFF_RELEASE:
		json_object_set_new(o, "verb", json_string("release"));
		json_object_set_new(o, "hold", json_integer(cmd->hold));
		break;
	default:
		json_object_set_new(o, "verb", json_string("help"));
	}
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

const char *staff_help(const char *role)
{
	if (role && strcmp(role, "supervisor") == 0)
		return "Commands:\n"
		       "available [TYPE] [event E] - what is left per type\n"
		       "hold TYPE QTY [event E] [ttl SECONDS] - hold seats (default 900 s)\n"
		       "release HOLD - give a hold's seats back\n"
		       "help - this list";
	return "Commands:\n"
	       "available [TYPE] [event E] - what is left per type\n"
	       "help - this list\n"
	       "(hold and release are for supervisors)";
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *decode(const char *s, size_t n, size_t *out_len)
{
	char *out = malloc(n + 1);
	size_t o = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[o++] = ' ';
		} else if (s[i] == '%') {
			int h, l;
			if (i + 2 >= n) {
				free(out);
				return NULL;
			}
			h = hexval(s[i + 1]);
			l = hexval(s[i + 2]);
			if (h < 0 || l < 0) {
				free(out);
				return NULL;
			}
			out[o++] = (char)(h * 16 + l);
			i += 2;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	if (out_len)
		*out_len = o;
	return out;
}

char *staff_form_value(const char *body, size_t len, const char *name, size_t *out_len)
{
	size_t nlen = strlen(name), i = 0;

	if (!body)
		return NULL;
	while (i <= len) {
		size_t start = i, eq, end;
		while (i < len && body[i] != '&')
			i++;
		end = i;
		for (eq = start; eq < end && body[eq] != '='; eq++)
			;
		if (eq - start == nlen && memcmp(body + start, name, nlen) == 0)
			return decode(body + (eq < end ? eq + 1 : end), eq < end ? end - eq - 1 : 0, out_len);
		i++;
	}
	return NULL;
}

static char *escape(const char *text, bool xml)
{
	size_t n = 0;
	char *out, *o;

	for (const char *p = text; *p; p++)
		n += 6;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	o = out;
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		const char *rep = NULL;
		switch (*p) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = xml ? "&quot;" : NULL;
			break;
		case '\'':
			rep = xml ? "&apos;" : NULL;
			break;
		default:
			if (xml && ((*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') || *p == 0x7f))
				continue;
		}
		if (rep) {
			size_t k = strlen(rep);
			memcpy(o, rep, k);
			o += k;
		} else {
			*o++ = (char)*p;
		}
	}
	*o = '\0';
	return out;
}

char *staff_xml_escape(const char *text)
{
	return escape(text ? text : "", true);
}

char *staff_slack_escape(const char *text)
{
	return escape(text ? text : "", false);
}

bool staff_message_sid_ok(const char *sid)
{
	if (!sid || strlen(sid) != 34 || (strncmp(sid, "SM", 2) != 0 && strncmp(sid, "MM", 2) != 0))
		return false;
	for (const char *p = sid + 2; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F')))
			return false;
	return true;
}

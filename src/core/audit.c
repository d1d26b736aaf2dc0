#include "audit.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

static const char *const id_keys[] = { "order", "ticket", "person", "event" };

static long long *id_slot(struct audit_filter *f, int i)
{
	long long *slots[] = { &f->order, &f->ticket, &f->person, &f->event };
	return slots[i];
}

/* A positive whole number of at most 18 digits. */
static bool parse_id(const char *s, size_t n, long long *out)
{
	long long v = 0;
	if (n == 0 || n > 18)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return v > 0;
}

/* A word quoted back in a refusal: its first 40 bytes at most, cut
 * between characters (a cut inside "ö" printed half of it). */
#define SAID_MAX 40
static int said_len(const char *word, size_t len)
{
	return (int)(len > SAID_MAX ? utf8_prefix(word, SAID_MAX) : len);
}

static const char *said_cut(size_t len)
{
	return len > SAID_MAX ? "\u2026" : "";
}

bool audit_filter_parse(const char *text, struct audit_filter *f, char *why, size_t why_size)
{
	const char *p = text;

	memset(f, 0, sizeof *f);
	while (*p) {
		const char *key, *val;
		size_t klen, vlen;
		bool quoted = false, done = false;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		key = p;
		while (*p && *p != ':' && *p != ' ' && *p != '\t')
			p++;
		klen = (size_t)(p - key);
		if (*p != ':') {
			snprintf(why, why_size, "\"%.*s%s\": give key:value (order:N ticket:N person:N event:N station:S user:U)",
				 said_len(key, klen), key, said_cut(klen));
			return false;
		}
		p++;
		val = p;
		if (*p == '"') {
			quoted = true;
			val = ++p;
			while (*p && *p != '"')
				p++;
			if (!*p) {
				snprintf(why, why_size, "%.*s%s: the closing \" is missing", said_len(key, klen), key,
					 said_cut(klen));
				return false;
			}
			vlen = (size_t)(p - val);
			p++;
		} else {
			while (*p && *p != ' ' && *p != '\t')
				p++;
			vlen = (size_t)(p - val);
		}
		if (vlen == 0) {
			snprintf(why, why_size, "%.*s%s: the value is missing", said_len(key, klen), key, said_cut(klen));
			return false;
		}
		for (int i = 0; i < 4 && !done; i++) {
			if (strlen(id_keys[i]) != klen || strncmp(key, id_keys[i], klen) != 0)
				continue;
			done = true;
			if (*id_slot(f, i)) {
				snprintf(why, why_size, "%s: given twice", id_keys[i]);
				return false;
			}
			if (quoted || !parse_id(val, vlen, id_slot(f, i))) {
				snprintf(why, why_size, "%s: must be a positive whole number", id_keys[i]);
				return false;
			}
		}
		if (!done) {
			char *slot;
			const char *name;
			if (klen == 7 && strncmp(key, "station", 7) == 0)
				slot = f->station, name = "station";
			else if ((klen == 4 && strncmp(key, "user", 4) == 0) || (klen == 5 && strncmp(key, "actor", 5) == 0))
				slot = f->actor, name = "user";
			else {
				snprintf(why, why_size, "\"%.*s%s\": not a filter (order ticket person event station user)",
					 said_len(key, klen), key, said_cut(klen));
				return false;
			}
			if (*slot) {
				snprintf(why, why_size, "%s: given twice", name);
				return false;
			}
			if (vlen >= AUDIT_NAME_MAX) {
				snprintf(why, why_size, "%s: at most %d bytes", name, AUDIT_NAME_MAX - 1);
				return false;
			}
			memcpy(slot, val, vlen);
			slot[vlen] = '\0';
		}
	}
	return true;
}

void audit_filter_format(const struct audit_filter *f, char *out, size_t size)
{
	size_t len = 0;
	out[0] = '\0';
	for (int i = 0; i < 4; i++) {
		long long v = *id_slot((struct audit_filter *)f, i);
		if (v && len < size)
			len += (size_t)snprintf(out + len, size - len, "%s%s:%lld", len ? " " : "", id_keys[i], v);
	}
	if (f->station[0] && len < size)
		len += (size_t)snprintf(out + len, size - len, strpbrk(f->station, " \t") ? "%sstation:\"%s\"" : "%sstation:%s",
					len ? " " : "", f->station);
	if (f->actor[0] && len < size)
		snprintf(out + len, size - len, strpbrk(f->actor, " \t") ? "%suser:\"%s\"" : "%suser:%s", len ? " " : "",
			 f->actor);
}

bool audit_filter_any(const struct audit_filter *f)
{
	return f->order || f->ticket || f->person || f->event || f->station[0] || f->actor[0];
}

void audit_when(const char *iso, bool short_form, char *out, size_t size)
{
	char buf[20];
	size_t n = iso ? strlen(iso) : 0;

	if (n < 19) {
		snprintf(out, size, "%s", iso ? iso : "");
		return;
	}
	memcpy(buf, iso, 19);
	buf[19] = '\0';
	if (buf[10] == 'T')
		buf[10] = ' ';
	snprintf(out, size, "%s", short_form ? buf + 5 : buf);
}

void audit_what(const char *entity, long long entity_id, const char *action, char *out, size_t size)
{
	if (entity_id)
		snprintf(out, size, "%s #%lld %s", entity ? entity : "", entity_id, action ? action : "");
	else
		snprintf(out, size, "%s %s", entity ? entity : "", action ? action : "");
}

void audit_what_said(const char *entity, long long entity_id, const char *action, char *out, size_t size)
{
	/* the tables' names as a clerk calls them, short enough that the id
	 * shows in a narrow column */
	static const struct {
		const char *table, *said;
	} names[] = { { "ticket_order", "order" }, { "event_organization", "organization" },
		      { "ticket_type", "type" }, { "checkin_list", "list" }, { "platform_map", "mapping" } };
	const char *name = entity ? entity : "";
	char act[128];
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(name, names[i].table) == 0)
			name = names[i].said;
	snprintf(act, sizeof act, "%s", action ? action : "");
	for (i = 0; act[i]; i++)
		if (act[i] == '_')
			act[i] = ' ';
	audit_what(name, entity_id, act, out, size);
}

void audit_why(const char *reason, const char *action, const char *summary, char *out, size_t size)
{
	bool has_reason = reason && reason[0] && !(action && strcmp(reason, action) == 0);
	bool has_summary = summary && summary[0];
	snprintf(out, size, "%s%s%s", has_reason ? reason : "", has_reason && has_summary ? " · " : "",
		 has_summary ? summary : "");
}

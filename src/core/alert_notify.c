#include "alert_notify.h"

#include <stdio.h>
#include <string.h>

void alert_track_begin(struct alert_tracker *t)
{
	t->gen++;
}

enum alert_send alert_track(struct alert_tracker *t, long long id, long long count)
{
	for (int i = 0; i < t->n; i++) {
		struct alert_seen *s = &t->seen[i];
		if (s->id != id)
			continue;
		s->gen = t->gen;
		if (count > s->count) {
			s->count = count;
			return ALERT_SEND_REPLACE;
		}
		return ALERT_SEND_NONE;
	}
	if (t->n == ALERT_TRACK_MAX) {
		/* the oldest entry gives way (its alert gets a new notification
		 * should it grow again) */
		memmove(&t->seen[0], &t->seen[1], sizeof t->seen[0] * (ALERT_TRACK_MAX - 1));
		t->n--;
	}
	t->seen[t->n++] = (struct alert_seen){ id, count, t->gen };
	return ALERT_SEND_NEW;
}

void alert_track_end(struct alert_tracker *t)
{
	int out = 0;
	for (int i = 0; i < t->n; i++)
		if (t->seen[i].gen == t->gen)
			t->seen[out++] = t->seen[i];
	t->n = out;
	t->primed = true;
}

int alert_urgency(const char *severity)
{
	if (severity && strcmp(severity, "low") == 0)
		return 0;
	if (severity && strcmp(severity, "critical") == 0)
		return 2;
	return 1;
}

const char *alert_kind_title(const char *kind)
{
	static const struct {
		const char *kind, *title;
	} titles[] = {
		{ "low_stock", "Low stock" },
		{ "sold_out", "Sold out" },
		{ "hold_burst", "Burst of holds" },
		{ "gate_rejects", "Gate rejects" },
		{ "gate_silent", "Gate silent" },
		{ "offline_conflicts", "Offline conflicts" },
		{ "channel_failing", "Channel failing" },
	};
	for (size_t i = 0; kind && i < sizeof titles / sizeof titles[0]; i++)
		if (strcmp(titles[i].kind, kind) == 0)
			return titles[i].title;
	return "Alert";
}

void alert_body(char *buf, size_t size, const char *message, long long count)
{
	if (count > 1)
		snprintf(buf, size, "%s (×%lld)", message ? message : "", count);
	else
		snprintf(buf, size, "%s", message ? message : "");
}

void alert_banner(char *buf, size_t size, const char *message, long long count, int open)
{
	char more[48] = "";
	if (open > 1)
		snprintf(more, sizeof more, " · %d open alerts", open);
	if (count > 1)
		snprintf(buf, size, "ALERT: %s (×%lld)%s · F9: alerts", message ? message : "", count, more);
	else
		snprintf(buf, size, "ALERT: %s%s · F9: alerts", message ? message : "", more);
}

#include "banner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/alert_notify.h"
#include "../core/util.h"
#include "../db/alerts.h"
#include "../db/async.h"
#include "../db/db.h"
#include "notifier.h"

#define SILENT_CHECK_S 60

struct banner {
	bool want, reading, changed;
	char line[600];
	bool have;
	time_t next_silent;
	struct alert_tracker tracker;
	struct notifier *notifier;
	bool notifier_tried;
};

struct banner *banner_new(void)
{
	struct banner *b = xcalloc(1, sizeof *b);
	b->want = true;
	return b;
}

void banner_free(struct banner *b)
{
	if (!b)
		return;
	notifier_stop(b->notifier);
	free(b);
}

void banner_notify(struct banner *b, const char *channel)
{
	if (strcmp(channel, ALERT_CHANNEL) == 0)
		b->want = true;
}

void banner_connected(struct banner *b)
{
	b->want = true;
	b->reading = false;
}

static void open_answer(struct db *db, json_t *doc, void *ctx)
{
	struct banner *b = ctx;
	size_t i, n = json_array_size(doc);
	json_t *a;

	(void)db;
	b->reading = false;
	if (!doc || !json_is_array(doc))
		return;
	b->changed = true;
	b->have = n > 0;
	if (n > 0) {
		json_t *first = json_array_get(doc, 0);
		alert_banner(b->line, sizeof b->line, json_string_value(json_object_get(first, "message")),
			     (long long)json_integer_value(json_object_get(first, "count")), (int)n);
	}
	if (!b->notifier_tried) {
		b->notifier_tried = true;
		b->notifier = notifier_start("boxoffice");
	}
	alert_track_begin(&b->tracker);
	json_array_foreach(doc, i, a) {
		long long id = (long long)json_integer_value(json_object_get(a, "id")),
			  count = (long long)json_integer_value(json_object_get(a, "count"));
		const char *sev = json_string_value(json_object_get(a, "severity")),
			   *kind = json_string_value(json_object_get(a, "kind")),
			   *msg = json_string_value(json_object_get(a, "message"));
		char body[600];
		if (alert_track(&b->tracker, id, count) == ALERT_SEND_NONE)
			continue;
		alert_body(body, sizeof body, msg, count);
		notifier_send(b->notifier, id, alert_urgency(sev), alert_kind_title(kind), body);
	}
	/* the acknowledged ones: their notifications go */
	{
		struct alert_tracker before = b->tracker;
		alert_track_end(&b->tracker);
		for (int k = 0; k < before.n; k++) {
			bool kept = false;
			for (int m = 0; m < b->tracker.n; m++)
				kept |= b->tracker.seen[m].id == before.seen[k].id;
			if (!kept)
				notifier_close(b->notifier, before.seen[k].id);
		}
	}
}

bool banner_pump(struct banner *b, struct db *db, bool supervisor)
{
	bool changed;

	if (!supervisor) {
		changed = b->have;
		b->have = false;
		return changed;
	}
	if (db->state == DB_READY && time(NULL) >= b->next_silent && !b->reading) {
		b->next_silent = time(NULL) + SILENT_CHECK_S;
		db_submit(db, b, SQL_ALERT_CHECK_SILENT, 0, NULL, NULL, NULL, NULL);
	}
	if (b->want && !b->reading && db->state == DB_READY) {
		if (db_json_submit(db, b, SQL_ALERT_OPEN, 0, NULL, open_answer, b)) {
			b->want = false;
			b->reading = true;
		}
	}
	changed = b->changed;
	b->changed = false;
	return changed;
}

bool banner_text(struct banner *b, char *buf, size_t size)
{
	if (!b->have)
		return false;
	snprintf(buf, size, "%s", b->line);
	return true;
}

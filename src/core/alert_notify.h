/* What a supervisor station sends to the desktop for the open alerts it
 * reads (pure: no libnotify here, src/app/notifier.c shows it): one
 * notification per alert, shown once and then replaced as its count grows,
 * never stacked; urgency by severity. */
#ifndef BOXOFFICE_CORE_ALERT_NOTIFY_H
#define BOXOFFICE_CORE_ALERT_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#define ALERT_TRACK_MAX 64

enum alert_send { ALERT_SEND_NONE, ALERT_SEND_NEW, ALERT_SEND_REPLACE };

struct alert_seen {
	long long id;
	long long count;
	unsigned gen; /* the read it was last in */
};

struct alert_tracker {
	struct alert_seen seen[ALERT_TRACK_MAX];
	int n;
	unsigned gen;
	bool primed; /* false until the first read was taken */
};

/* A read of the open alerts begins. */
void alert_track_begin(struct alert_tracker *t);
/* One open alert of that read: NEW the first time its id is seen,
 * REPLACE when its count grew since it was sent, else NONE. */
enum alert_send alert_track(struct alert_tracker *t, long long id, long long count);
/* The read is over: alerts not in it (acknowledged) are forgotten. */
void alert_track_end(struct alert_tracker *t);

/* libnotify's NotifyUrgency for an alert's severity: low 0, normal 1,
 * critical 2 (anything else: normal). */
int alert_urgency(const char *severity);
/* The notification's summary for an alert kind ("Low stock", …). */
const char *alert_kind_title(const char *kind);
/* The body: the message, and "(×N)" once it fired more than once. */
void alert_body(char *buf, size_t size, const char *message, long long count);
/* The banner line: the newest open alert and how many are open. */
void alert_banner(char *buf, size_t size, const char *message, long long count, int open);

#endif

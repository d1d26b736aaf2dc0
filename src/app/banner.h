/* The alert banner of a supervisor station: reads the open alerts
 * (src/db/alerts.h) when the station connects and whenever
 * boxoffice_alert is notified, keeps the newest for the status line, and
 * hands each alert's desktop notification to the notifier thread (new,
 * then replaced as its count grows; closed once acknowledged). Every
 * minute it asks the database to check for silent gates. */
#ifndef BOXOFFICE_APP_BANNER_H
#define BOXOFFICE_APP_BANNER_H

#include <stdbool.h>
#include <stddef.h>

struct banner;
struct db;

struct banner *banner_new(void);
void banner_free(struct banner *b);
/* A notification arrived on channel: read again (coalesced). */
void banner_notify(struct banner *b, const char *channel);
/* The connection is (re)made: read again. */
void banner_connected(struct banner *b);
/* On the loop: queues the read when one is due (supervisors only);
 * true when what the banner shows changed. */
bool banner_pump(struct banner *b, struct db *db, bool supervisor);
/* The line to show, false when there is no open alert. */
bool banner_text(struct banner *b, char *buf, size_t size);

#endif

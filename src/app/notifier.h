/* Desktop notifications through libnotify, off the station's loop: the
 * loop only queues (a mutex held for a copy), one thread talks to the
 * notification service. A notification per alert is shown once and then
 * replaced (notify_notification_update + show on the same object) as the
 * alert's count grows. Where no service exists the sends fail and are
 * dropped; a hung service stalls only the thread, and while it is stuck
 * the queue keeps one pending send per alert (the newest) and drops the
 * oldest alert's when full: the loop never waits. */
#ifndef BOXOFFICE_APP_NOTIFIER_H
#define BOXOFFICE_APP_NOTIFIER_H

#include <stdbool.h>

struct notifier;

/* NULL when there is no session bus to talk to (nothing will be sent). */
struct notifier *notifier_start(const char *app_name);
/* Queues the alert's notification (new, or replacing the alert's own). */
void notifier_send(struct notifier *n, long long alert_id, int urgency, const char *summary, const char *body);
/* Closes the alert's notification (acknowledged). */
void notifier_close(struct notifier *n, long long alert_id);
/* Stops the thread; waits at most a moment (a stuck service is left behind). */
void notifier_stop(struct notifier *n);

#endif

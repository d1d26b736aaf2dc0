#include "notifier.h"

#include <libnotify/notify.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../core/util.h"

#define QUEUE_MAX 16
#define SHOWN_MAX 64

struct job {
	long long id;
	int urgency;
	bool close;
	char summary[128];
	char body[512];
};

struct shown {
	long long id;
	NotifyNotification *n;
};

struct notifier {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job queue[QUEUE_MAX];
	int nqueue;
	bool stop, done;
	/* the thread's own */
	struct shown shown[SHOWN_MAX];
	int nshown;
	bool inited;
};

static NotifyNotification *shown_find(struct notifier *n, long long id, int *at)
{
	for (int i = 0; i < n->nshown; i++)
		if (n->shown[i].id == id) {
			*at = i;
			return n->shown[i].n;
		}
	return NULL;
}

static void shown_drop(struct notifier *n, int at)
{
	g_object_unref(n->shown[at].n);
	memmove(&n->shown[at], &n->shown[at + 1], sizeof n->shown[0] * (size_t)(n->nshown - at - 1));
	n->nshown--;
}

static void run_job(struct notifier *n, const struct job *j)
{
	int at = -1;
	NotifyNotification *nn = shown_find(n, j->id, &at);
	GError *err = NULL;

	if (!n->inited)
		n->inited = notify_init("boxoffice");
	if (!n->inited)
		return;
	if (j->close) {
		if (nn) {
			notify_notification_close(nn, &err);
			shown_drop(n, at);
		}
	} else {
		if (nn) {
			notify_notification_update(nn, j->summary, j->body, NULL);
		} else {
			if (n->nshown == SHOWN_MAX)
				shown_drop(n, 0);
			nn = notify_notification_new(j->summary, j->body, NULL);
			n->shown[n->nshown++] = (struct shown){ j->id, nn };
		}
		notify_notification_set_urgency(nn, (NotifyUrgency)j->urgency);
		notify_notification_set_app_name(nn, "boxoffice");
		/* no service: FALSE and an error, silently dropped */
		notify_notification_show(nn, &err);
	}
	if (err)
		g_error_free(err);
}

static void *thread_main(void *arg)
{
	struct notifier *n = arg;

	pthread_mutex_lock(&n->lock);
	for (;;) {
		struct job j;
		while (!n->stop && n->nqueue == 0)
			pthread_cond_wait(&n->cond, &n->lock);
		if (n->stop)
			break;
		j = n->queue[0];
		memmove(&n->queue[0], &n->queue[1], sizeof n->queue[0] * (size_t)(n->nqueue - 1));
		n->nqueue--;
		pthread_mutex_unlock(&n->lock);
		run_job(n, &j); /* may hang on a stuck service: the lock is free */
		pthread_mutex_lock(&n->lock);
	}
	n->done = true;
	pthread_cond_broadcast(&n->cond);
	pthread_mutex_unlock(&n->lock);
	return NULL;
}

static bool have_bus(void)
{
	const char *addr = getenv("DBUS_SESSION_BUS_ADDRESS"), *run = getenv("XDG_RUNTIME_DIR");
	char path[1024];
	struct stat st;

	if (addr && *addr)
		return true;
	if (!run || !*run)
		return false;
	snprintf(path, sizeof path, "%s/bus", run);
	return stat(path, &st) == 0;
}

struct notifier *notifier_start(const char *app_name)
{
	struct notifier *n;
	pthread_attr_t attr;

	(void)app_name;
	if (!have_bus() || (getenv("BOXOFFICE_NOTIFY") && strcmp(getenv("BOXOFFICE_NOTIFY"), "0") == 0))
		return NULL;
	n = xcalloc(1, sizeof *n);
	pthread_mutex_init(&n->lock, NULL);
	pthread_cond_init(&n->cond, NULL);
	pthread_attr_init(&attr);
	if (pthread_create(&n->thread, &attr, thread_main, n) != 0) {
		pthread_attr_destroy(&attr);
		free(n);
		return NULL;
	}
	pthread_attr_destroy(&attr);
	return n;
}

/* One pending job per alert: a newer one takes its place; when full the
 * oldest goes. Never waits for the thread. */
static void enqueue(struct notifier *n, const struct job *j)
{
	if (!n)
		return;
	pthread_mutex_lock(&n->lock);
	for (int i = 0; i < n->nqueue; i++)
		if (n->queue[i].id == j->id) {
			n->queue[i] = *j;
			pthread_mutex_unlock(&n->lock);
			return;
		}
	if (n->nqueue == QUEUE_MAX) {
		memmove(&n->queue[0], &n->queue[1], sizeof n->queue[0] * (QUEUE_MAX - 1));
		n->nqueue--;
	}
	n->queue[n->nqueue++] = *j;
	pthread_cond_signal(&n->cond);
	pthread_mutex_unlock(&n->lock);
}

void notifier_send(struct notifier *n, long long alert_id, int urgency, const char *summary, const char *body)
{
	struct job j;

	memset(&j, 0, sizeof j);
	j.id = alert_id;
	j.urgency = urgency;
	snprintf(j.summary, sizeof j.summary, "%s", summary ? summary : "");
	snprintf(j.body, sizeof j.body, "%s", body ? body : "");
	enqueue(n, &j);
}

void notifier_close(struct notifier *n, long long alert_id)
{
	struct job j;

	memset(&j, 0, sizeof j);
	j.id = alert_id;
	j.close = true;
	enqueue(n, &j);
}

void notifier_stop(struct notifier *n)
{
	struct timespec until;
	bool done;

	if (!n)
		return;
	pthread_mutex_lock(&n->lock);
	n->stop = true;
	pthread_cond_broadcast(&n->cond);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 300 * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (!n->done)
		if (pthread_cond_timedwait(&n->cond, &n->lock, &until) != 0)
			break;
	done = n->done;
	pthread_mutex_unlock(&n->lock);
	if (!done) {
		/* stuck in the service: leave it; the process is ending */
		pthread_detach(n->thread);
		return;
	}
	pthread_join(n->thread, NULL);
	for (int i = 0; i < n->nshown; i++)
		g_object_unref(n->shown[i].n);
	if (n->inited)
		notify_uninit();
	pthread_mutex_destroy(&n->lock);
	pthread_cond_destroy(&n->cond);
	free(n);
}

#define _GNU_SOURCE
#include "proxy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define PROXY_MAX_PAIRS 64

struct pair {
	int a, b; /* client side, server side; -1 when closed */
	/* the server's messages as proxy_freeze_after_ready reads them */
	unsigned char head[5];
	int head_len;   /* bytes of the current message's header seen */
	long long body; /* bytes of its body still to come */
	int ready;      /* ReadyForQuery messages seen */
};

struct proxy {
	int listen_fd;
	int port;
	char unix_path[108];
	char conninfo[256], conninfo_plain[300];
	atomic_int freeze_after_ready; /* 0: off */
	atomic_int delay_ms;           /* of each server answer */
	int wake[2];
	pthread_t thread;
	struct pair pairs[PROXY_MAX_PAIRS];
	atomic_bool frozen, holding_answers, stopping, cut_requested;
	/* what the forwarding thread has seen: a freeze returns only once it
	 * holds, so nothing sent after proxy_freeze() is forwarded */
	atomic_int seen_state;
	atomic_int accepted;
};

static void wake(struct proxy *p)
{
	char c = 0;
	if (write(p->wake[1], &c, 1) < 0) {
		/* the pipe is full: a wake-up is pending anyway */
	}
}

static int connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void close_pair(struct pair *pr)
{
	if (pr->a >= 0)
		close(pr->a);
	if (pr->b >= 0)
		close(pr->b);
	*pr = (struct pair){ .a = -1, .b = -1 };
}

/* How many of the n bytes the server sent go through: all, or up to the
 * end of the ReadyForQuery that is the limit's (then *freeze). */
static size_t server_bytes(struct pair *pr, const unsigned char *buf, size_t n, int limit, bool *freeze)
{
	size_t i = 0;

	while (i < n) {
		if (pr->body > 0) {
			size_t take = (size_t)pr->body < n - i ? (size_t)pr->body : n - i;
			pr->body -= (long long)take;
			i += take;
		} else {
			pr->head[pr->head_len++] = buf[i++];
			if (pr->head_len < 5)
				continue;
			pr->head_len = 0;
			pr->body = (((long long)pr->head[1] << 24) | (pr->head[2] << 16) | (pr->head[3] << 8) | pr->head[4]) - 4;
			if (pr->head[0] == 'Z')
				pr->ready++;
		}
		if (pr->body == 0 && pr->head_len == 0 && pr->head[0] == 'Z' && limit && pr->ready == limit) {
			pr->head[0] = 0;
			*freeze = true;
			return i;
		}
	}
	return n;
}

/* Copies what is readable from one side to the other; false on EOF/error.
 * From the server (pr given), stops after the ReadyForQuery the proxy
 * freezes after. */
static bool forward(struct proxy *p, struct pair *pr, int from, int to)
{
	char buf[65536];
	ssize_t n = read(from, buf, sizeof buf);
	int limit = atomic_load(&p->freeze_after_ready);
	if (n <= 0)
		return false;
	if (pr) { /* counted always: a limit set later counts from each connection's start */
		bool freeze = false;
		n = (ssize_t)server_bytes(pr, (const unsigned char *)buf, (size_t)n, limit, &freeze);
		if (freeze) {
			atomic_store(&p->frozen, true);
			atomic_store(&p->freeze_after_ready, 0);
		}
		if (atomic_load(&p->delay_ms) > 0)
			usleep((useconds_t)atomic_load(&p->delay_ms) * 1000);
	}
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		off += w;
	}
	return true;
}

static void *run(void *arg)
{
	struct proxy *p = arg;

	while (!atomic_load(&p->stopping)) {
		struct pollfd fds[2 + 2 * PROXY_MAX_PAIRS];
		int owner[2 + 2 * PROXY_MAX_PAIRS];
		int n = 0;
		bool frozen = atomic_load(&p->frozen);
		bool holding = atomic_load(&p->holding_answers);

		atomic_store(&p->seen_state, (frozen ? 1 : 0) | (holding ? 2 : 0));

		if (atomic_exchange(&p->cut_requested, false))
			for (int i = 0; i < PROXY_MAX_PAIRS; i++)
				close_pair(&p->pairs[i]);
		fds[n] = (struct pollfd){ .fd = p->wake[0], .events = POLLIN };
		owner[n++] = -1;
		/* Frozen, new connections wait in the backlog: accepted by the
		 * kernel, never answered. */
		if (!frozen) {
			fds[n] = (struct pollfd){ .fd = p->listen_fd, .events = POLLIN };
			owner[n++] = -2;
			for (int i = 0; i < PROXY_MAX_PAIRS; i++) {
				if (p->pairs[i].a < 0)
					continue;
				fds[n] = (struct pollfd){ .fd = p->pairs[i].a, .events = POLLIN };
				owner[n++] = i;
				if (holding)
					continue; /* the server's answers stay in its socket */
				fds[n] = (struct pollfd){ .fd = p->pairs[i].b, .events = POLLIN };
				owner[n++] = i;
			}
		}
		if (poll(fds, (nfds_t)n, 200) < 0 && errno != EINTR)
			break;
		for (int k = 0; k < n; k++) {
			if (!fds[k].revents)
				continue;
			if (owner[k] == -1) {
				char buf[64];
				while (read(p->wake[0], buf, sizeof buf) > 0) {
				}
			} else if (owner[k] == -2) {
				int c = accept4(p->listen_fd, NULL, NULL, SOCK_CLOEXEC);
				int s = c >= 0 ? connect_unix(p->unix_path) : -1;
				int slot = -1;
				for (int i = 0; i < PROXY_MAX_PAIRS && slot < 0; i++)
					if (p->pairs[i].a < 0)
						slot = i;
				if (c < 0)
					continue;
				atomic_fetch_add(&p->accepted, 1);
				if (s < 0 || slot < 0) {
					close(c);
					if (s >= 0)
						close(s);
					continue;
				}
				p->pairs[slot] = (struct pair){ .a = c, .b = s };
			} else {
				struct pair *pr = &p->pairs[owner[k]];
				int from = fds[k].fd, to;
				if (pr->a < 0 || (from != pr->a && from != pr->b))
					continue; /* closed earlier in this pass */
				to = from == pr->a ? pr->b : pr->a;
				if (!forward(p, from == pr->b ? pr : NULL, from, to))
					close_pair(pr);
				if (atomic_load(&p->frozen))
					break; /* nothing more in this pass */
			}
		}
	}
	return NULL;
}

struct proxy *proxy_start(const char *unix_path)
{
	struct proxy *p = calloc(1, sizeof *p);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof sa;
	const char *host = getenv("PGHOST");
	const char *db = getenv("PGDATABASE");
	const char *user = getenv("PGUSER");

	if (!p)
		return NULL;
	if (unix_path)
		snprintf(p->unix_path, sizeof p->unix_path, "%s", unix_path);
	else
		snprintf(p->unix_path, sizeof p->unix_path, "%s/.s.PGSQL.5432", host ? host : "/tmp");
	for (int i = 0; i < PROXY_MAX_PAIRS; i++)
		p->pairs[i] = (struct pair){ .a = -1, .b = -1 };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->listen_fd < 0 || bind(p->listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(p->listen_fd, 64) < 0 ||
	    getsockname(p->listen_fd, (struct sockaddr *)&sa, &len) < 0 ||
	    pipe2(p->wake, O_NONBLOCK | O_CLOEXEC) < 0) {
		free(p);
		return NULL;
	}
	p->port = ntohs(sa.sin_port);
	snprintf(p->conninfo, sizeof p->conninfo, "host=127.0.0.1 port=%d dbname=%s user=%s",
		 p->port, db ? db : "boxoffice_test", user ? user : "boxoffice");
	snprintf(p->conninfo_plain, sizeof p->conninfo_plain, "%s sslmode=disable gssencmode=disable", p->conninfo);
	if (pthread_create(&p->thread, NULL, run, p) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

int proxy_port(const struct proxy *p)
{
	return p->port;
}

const char *proxy_conninfo(const struct proxy *p)
{
	return p->conninfo;
}

static void wait_seen(struct proxy *p, int state)
{
	while ((atomic_load(&p->seen_state) & state) != state) {
		wake(p);
		usleep(1000);
	}
}

void proxy_freeze(struct proxy *p)
{
	atomic_store(&p->frozen, true);
	wake(p);
	wait_seen(p, 1);
}

void proxy_freeze_after_ready(struct proxy *p, int n)
{
	atomic_store(&p->freeze_after_ready, n);
	wake(p);
}

void proxy_delay_answers(struct proxy *p, int ms)
{
	atomic_store(&p->delay_ms, ms);
}

const char *proxy_conninfo_plain(const struct proxy *p)
{
	return p->conninfo_plain;
}

void proxy_hold_answers(struct proxy *p)
{
	atomic_store(&p->holding_answers, true);
	wake(p);
	wait_seen(p, 2);
}

void proxy_thaw(struct proxy *p)
{
	atomic_store(&p->frozen, false);
	atomic_store(&p->holding_answers, false);
	wake(p);
}

void proxy_cut(struct proxy *p)
{
	atomic_store(&p->cut_requested, true);
	wake(p);
}

int proxy_accepted(const struct proxy *p)
{
	return atomic_load(&p->accepted);
}

void proxy_stop(struct proxy *p)
{
	if (!p)
		return;
	atomic_store(&p->stopping, true);
	wake(p);
	pthread_join(p->thread, NULL);
	for (int i = 0; i < PROXY_MAX_PAIRS; i++)
		close_pair(&p->pairs[i]);
	close(p->listen_fd);
	close(p->wake[0]);
	close(p->wake[1]);
	free(p);
}

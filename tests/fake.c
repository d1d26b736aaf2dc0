#include "fake.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "http.h"

static pid_t running[32];
static int nrunning;

static void kill_running(void)
{
	for (int i = 0; i < nrunning; i++)
		if (running[i] > 0 && kill(running[i], SIGKILL) == 0)
			waitpid(running[i], NULL, 0);
}

static const char *script(void)
{
	const char *s = getenv("FAKE_PLATFORM");
	return s && *s ? s : BOXOFFICE_ASSETS "/../tests/fake_platform.py";
}

void fake_start(struct fake *f)
{
	int fds[2];
	char line[32];
	size_t n = 0;
	struct timespec t0, now;

	memset(f, 0, sizeof *f);
	assert_int_equal(pipe(fds), 0);
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execlp("python3", "python3", script(), (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	if (nrunning == 0)
		atexit(kill_running);
	if (nrunning < 32)
		running[nrunning++] = f->pid;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (n < sizeof line - 1) {
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		ssize_t r;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 10)
			break;
		if (poll(&p, 1, 200) <= 0)
			continue;
		r = read(fds[0], line + n, 1);
		if (r <= 0 || line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	close(fds[0]); /* the fake prints nothing more */
	f->port = atoi(line);
	if (f->port <= 0) {
		kill(f->pid, SIGKILL);
		waitpid(f->pid, NULL, 0);
		f->pid = 0;
		fail_msg("the fake platform (%s) did not print its port: '%s'", script(), line);
	}
	snprintf(f->url, sizeof f->url, "http://127.0.0.1:%d", f->port);
}

const char *fake_url(const struct fake *f)
{
	return f->url;
}

static struct http_answer control(const struct fake *f, const char *method, const char *path, const char *body)
{
	char url[128];
	struct http_answer a;

	snprintf(url, sizeof url, "%s%s", f->url, path);
	a = http_do(NULL, method, url, NULL, body, NULL);
	if (a.status != 200)
		fail_msg("fake platform %s %s: %ld %s", method, path, a.status, a.body ? a.body : "");
	return a;
}

json_t *fake_requests(const struct fake *f)
{
	struct http_answer a = control(f, "GET", "/_requests", NULL);
	json_error_t e;
	json_t *j = json_loads(a.body, 0, &e);

	http_answer_free(&a);
	if (!json_is_array(j))
		fail_msg("fake platform /_requests: not a JSON array: %s", e.text);
	return j;
}

json_t *fake_requests_to(const struct fake *f, const char *path_suffix)
{
	json_t *all = fake_requests(f), *out = json_array(), *r;
	size_t i, sl = path_suffix ? strlen(path_suffix) : 0;

	json_array_foreach(all, i, r) {
		const char *p = json_string_value(json_object_get(r, "path"));
		size_t pl = p ? strlen(p) : 0;
		if (!path_suffix || (p && pl >= sl && strcmp(p + pl - sl, path_suffix) == 0))
			json_array_append(out, r);
	}
	json_decref(all);
	return out;
}

void fake_mode(const struct fake *f, const char *mode, int status, int stall_ms)
{
	char body[160];
	struct http_answer a;

	snprintf(body, sizeof body, "{\"mode\":\"%s\",\"status\":%d,\"stall_ms\":%d}", mode, status, stall_ms);
	a = control(f, "POST", "/_mode", body);
	http_answer_free(&a);
}

void fake_state(const struct fake *f, const char *json_text)
{
	struct http_answer a = control(f, "POST", "/_state", json_text);
	http_answer_free(&a);
}

void fake_clear(const struct fake *f)
{
	struct http_answer a = control(f, "POST", "/_clear", "{}");
	http_answer_free(&a);
}

void fake_stop(struct fake *f)
{
	if (f->pid <= 0)
		return;
	for (int i = 0; i < nrunning; i++)
		if (running[i] == f->pid)
			running[i] = 0;
	kill(f->pid, SIGTERM);
	waitpid(f->pid, NULL, 0);
	f->pid = 0;
}

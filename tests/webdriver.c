/* A small W3C WebDriver client over libcurl + jansson: see webdriver.h. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "tests/webdriver.h"

#define CHROMEDRIVER "/usr/bin/chromedriver"
#define CHROMIUM "/usr/bin/chromium"
#define ELEMENT_KEY "element-6066-11e4-a52e-4f735466cecf"

enum {
	START_MS = 20000,     /* the driver listening and ready */
	SESSION_MS = 30000,   /* the browser started */
	CALL_MS = 15000,      /* any other request */
	PAGE_LOAD_MS = 30000, /* the driver's own page-load timeout */
	POLL_MS = 25,         /* between polls while waiting */
	STOP_MS = 5000,       /* the process group gone after SIGTERM */
};

struct wd {
	pid_t guard; /* our child that owns the driver: see guard_run */
	pid_t pid;   /* chromedriver; also its process group */
	int port;
	char dir[64]; /* the throwaway folder: driver.log and profile/ */
	char session[128];
	CURL *curl;
	int wait_ms;
};

/* ---- cleanup whatever happens ---- */

#define MAX_LIVE 8
static struct wd *volatile live[MAX_LIVE];
static bool handlers_installed;
static pid_t owner; /* a forked child that exits must not kill its parent's browsers */

static void forget(struct wd *w)
{
	for (int i = 0; i < MAX_LIVE; i++)
		if (live[i] == w)
			live[i] = NULL;
}

/* Has every guardian end its driver and remove its folder; only
 * async-signal-safe calls (kill, waitpid). */
static void kill_all_now(void)
{
	if (getpid() != owner)
		return;
	for (int i = 0; i < MAX_LIVE; i++) {
		struct wd *w = live[i];

		if (!w)
			continue;
		live[i] = NULL;
		if (w->guard > 0) {
			kill(w->guard, SIGTERM);
			waitpid(w->guard, NULL, 0);
		}
	}
}

static void on_signal(int sig)
{
	kill_all_now();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_handlers(void)
{
	static const int sigs[] = { SIGABRT, SIGTERM, SIGINT, SIGHUP };
	struct sigaction sa;

	if (handlers_installed)
		return;
	handlers_installed = true;
	owner = getpid();
	atexit(kill_all_now);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
		sigaction(sigs[i], &sa, NULL);
}

/* ---- small helpers ---- */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_poll(void)
{
	struct timespec ts = { 0, POLL_MS * 1000000L };

	nanosleep(&ts, NULL);
}

/* The driver's log (its stdout and stderr), for a message when it fails. */
static void log_tail(const struct wd *w, char *buf, size_t size)
{
	char path[96];
	FILE *f;
	size_t n = 0;
	long len;

	buf[0] = '\0';
	snprintf(path, sizeof path, "%s/driver.log", w->dir);
	if (!(f = fopen(path, "r")))
		return;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > (long)size - 1)
		fseek(f, len - (long)(size - 1), SEEK_SET);
	else
		fseek(f, 0, SEEK_SET);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

static void __attribute__((format(printf, 1, 2))) fail_with(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fail_msg("webdriver: %s", msg);
}

/* ---- HTTP to the driver ---- */

struct buf {
	char *data;
	size_t len;
};

static size_t on_body(char *p, size_t size, size_t n, void *userdata)
{
	struct buf *b = userdata;
	char *grown = realloc(b->data, b->len + size * n + 1);

	if (!grown)
		return 0;
	b->data = grown;
	memcpy(b->data + b->len, p, size * n);
	b->len += size * n;
	b->data[b->len] = '\0';
	return size * n;
}

/* One request: method, path under the driver ("/session/…"), an optional
 * JSON body (stolen). On success *value is the answer's "value" (the
 * caller decrefs it) and true; otherwise a readable reason in why: the
 * driver's error and the first line of its message, or curl's failure. */
static bool call(struct wd *w, const char *method, const char *path, json_t *body, int timeout_ms, json_t **value,
		 char *why, size_t whylen)
{
	struct buf resp = { NULL, 0 };
	struct curl_slist *headers = NULL;
	char url[512], *text = NULL, *nl;
	long status = 0;
	CURLcode rc;
	json_t *root = NULL, *v, *err, *msg;
	json_error_t jerr;
	bool ok = false;

	*value = NULL;
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", w->port, path);
	curl_easy_reset(w->curl);
	curl_easy_setopt(w->curl, CURLOPT_URL, url);
	curl_easy_setopt(w->curl, CURLOPT_PROXY, ""); /* never through an http_proxy from the environment */
	curl_easy_setopt(w->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(w->curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(w->curl, CURLOPT_CONNECTTIMEOUT_MS, (long)(timeout_ms < 5000 ? timeout_ms : 5000));
	curl_easy_setopt(w->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(w->curl, CURLOPT_WRITEDATA, &resp);
	if (strcmp(method, "POST") == 0) {
		if (!body)
			body = json_object();
		text = json_dumps(body, JSON_COMPACT);
		headers = curl_slist_append(headers, "Content-Type: application/json; charset=utf-8");
		curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, headers);
		curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, text ? text : "{}");
	} else if (strcmp(method, "DELETE") == 0) {
		curl_easy_setopt(w->curl, CURLOPT_CUSTOMREQUEST, "DELETE");
	}
	json_decref(body);
	rc = curl_easy_perform(w->curl);
	curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	free(text);
	if (rc != CURLE_OK) {
		snprintf(why, whylen, "%s %s: no answer from chromedriver within %d ms: %s", method, path, timeout_ms,
			 curl_easy_strerror(rc));
		goto out;
	}
	if (!(root = json_loads(resp.data ? resp.data : "", 0, &jerr)) || !(v = json_object_get(root, "value"))) {
		snprintf(why, whylen, "%s %s: HTTP %ld, not a WebDriver answer: %.200s", method, path, status,
			 resp.data ? resp.data : "");
		goto out;
	}
	if (status != 200 || ((err = json_object_get(v, "error")) && json_is_string(err))) {
		err = json_object_get(v, "error");
		msg = json_object_get(v, "message");
		if (json_is_string(msg) && json_is_string(err) &&
		    strncmp(json_string_value(msg), json_string_value(err), strlen(json_string_value(err))) == 0)
			snprintf(why, whylen, "%s", json_string_value(msg)); /* chromedriver repeats the error */
		else
			snprintf(why, whylen, "%s: %s", json_is_string(err) ? json_string_value(err) : "error",
				 json_is_string(msg) ? json_string_value(msg) : "(no message)");
		if ((nl = strchr(why, '\n')))
			*nl = '\0'; /* "(Session info: …)" and the stack trace follow */
		goto out;
	}
	*value = json_incref(v);
	ok = true;
out:
	json_decref(root);
	free(resp.data);
	return ok;
}

/* A request that must succeed: fails the test with what was asked and why. */
static json_t *must(struct wd *w, const char *what, const char *method, const char *sub, json_t *body, int timeout_ms)
{
	char path[512], why[768];
	json_t *v;

	snprintf(path, sizeof path, "/session/%s%s", w->session, sub);
	if (!call(w, method, path, body, timeout_ms, &v, why, sizeof why))
		fail_with("%s: %s", what, why);
	return v;
}

static char *must_string(struct wd *w, const char *what, const char *method, const char *sub, json_t *body)
{
	json_t *v = must(w, what, method, sub, body, CALL_MS);
	char *s;

	if (!json_is_string(v)) {
		json_decref(v);
		fail_with("%s: the driver answered no text", what);
	}
	s = strdup(json_string_value(v));
	json_decref(v);
	assert_non_null(s);
	return s;
}

/* ---- start and stop ---- */

/* ---- the guardian ----
 *
 * The driver is not our child but our child's: a guardian process, a
 * child subreaper (PR_SET_CHILD_SUBREAPER), forks chromedriver into a
 * process group of its own, so every browser process left orphaned is
 * reparented to the guardian and reaped there (whatever PID 1 does). It
 * waits for SIGTERM (from wd_stop, atexit, our signal handlers, or the
 * kernel when the test program dies, even by SIGKILL: PR_SET_PDEATHSIG),
 * then ends the group (SIGTERM; SIGKILL after STOP_MS, also to any child
 * that left the group), reaps everything and removes the folder.
 *
 * A fork of a test program that may have threads: from here on only
 * async-signal-safe calls, no malloc, no stdio. */

struct dirent64_raw {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static void close_from(int lowfd)
{
	if (syscall(SYS_close_range, (unsigned)lowfd, ~0U, 0) != 0)
		for (int fd = lowfd; fd < 4096; fd++)
			close(fd);
}

/* "/proc/N/stat" of a decimal name, without snprintf. */
static void stat_path(char *out, const char *pid)
{
	size_t n = 0;

	memcpy(out, "/proc/", 6);
	n = 6;
	while (*pid && n < 40)
		out[n++] = *pid++;
	memcpy(out + n, "/stat", 6);
}

/* Fields of /proc/N/stat after "(comm)": state, ppid, pgrp. */
static bool read_stat(const char *path, char *state, long *ppid, long *pgrp)
{
	char line[512], *p;
	ssize_t n;
	long v[2] = { 0, 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	n = read(fd, line, sizeof line - 1);
	close(fd);
	if (n <= 0)
		return false;
	line[n] = '\0';
	if (!(p = strrchr(line, ')')) || p[1] != ' ' || !p[2])
		return false;
	*state = p[2];
	p += 3;
	for (int i = 0; i < 2; i++) {
		while (*p == ' ')
			p++;
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			v[i] = v[i] * 10 + (*p++ - '0');
	}
	*ppid = v[0];
	*pgrp = v[1];
	return true;
}

/* Counts the live processes (not zombies) whose parent is ppid (ppid > 0)
 * or whose group is pgrp (pgrp > 0), sending each sig if not 0. */
static int each_proc(long ppid, long pgrp, int sig)
{
	char buf[4096], path[64], state;
	long pp, pg;
	int n = 0, dfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long got;

	if (dfd < 0)
		return -1;
	while ((got = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < got;) {
			struct dirent64_raw *d = (struct dirent64_raw *)(buf + off);

			off += d->reclen;
			if (d->name[0] < '1' || d->name[0] > '9')
				continue;
			stat_path(path, d->name);
			if (!read_stat(path, &state, &pp, &pg) || state == 'Z' || state == 'X')
				continue;
			if ((ppid > 0 && pp == ppid) || (pgrp > 0 && pg == pgrp)) {
				n++;
				if (sig) {
					long pid = 0;

					for (const char *c = d->name; *c; c++)
						pid = pid * 10 + (*c - '0');
					kill((pid_t)pid, sig);
				}
			}
		}
	}
	close(dfd);
	return n;
}

static void reap_all_now(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void __attribute__((noreturn)) guard_run(const char *dir, const char *log, char *const *envp, int report,
						 pid_t parent)
{
	sigset_t set;
	struct timespec tick = { 0, POLL_MS * 1000000L };
	pid_t d = -1;
	long long deadline;
	int fd, sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL); /* taken with sigwaitinfo, never lost */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() == parent) {
		d = fork();
		if (d == 0) {
			sigprocmask(SIG_UNBLOCK, &set, NULL);
			setpgid(0, 0);
			if ((fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
			}
			if ((fd = open("/dev/null", O_RDONLY)) >= 0)
				dup2(fd, 0);
			close_from(3); /* no test server's socket, no test pipe held by the browser */
			execve(CHROMEDRIVER, (char *[]){ "chromedriver", "--port=0", NULL }, envp);
			_exit(127);
		}
		if (d > 0)
			setpgid(d, d);
	}
	if (write(report, &d, sizeof d) != (ssize_t)sizeof d)
		d = d > 0 ? d : -1;
	close_from(3);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	while (d > 0 && getppid() == parent) {
		sig = sigwaitinfo(&set, NULL);
		if (sig == SIGCHLD)
			reap_all_now(); /* the driver may have died: the test sees that and stops us */
		else if (sig > 0)
			break;
	}
	if (d > 0) {
		kill(-d, SIGTERM);
		deadline = now_ms() + STOP_MS;
		while (now_ms() < deadline && (each_proc(0, d, 0) > 0 || each_proc(getpid(), 0, 0) > 0)) {
			reap_all_now();
			sigtimedwait(&set, NULL, &tick);
		}
		kill(-d, SIGKILL);
		each_proc(getpid(), 0, SIGKILL); /* any that left the group (setsid) */
	}
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	if ((d = fork()) == 0) {
		execl("/bin/rm", "rm", "-rf", dir, (char *)NULL);
		_exit(127);
	}
	if (d > 0)
		waitpid(d, NULL, 0);
	_exit(0);
}

/* Starts the guardian, which starts the driver; false with a reason. */
static bool spawn_driver(struct wd *w, char *why, size_t whylen)
{
	extern char **environ;
	char log[96], tmpdir[80], **envp;
	int pipefd[2];
	pid_t parent = getpid(), d = -1;
	ssize_t n;
	size_t count = 0, k = 0;

	snprintf(log, sizeof log, "%s/driver.log", w->dir);
	/* The browser's own temporary folders (org.chromium.Chromium.*, left
	 * behind when it is killed) go into ours too. Made here: the
	 * guardian must not allocate. */
	snprintf(tmpdir, sizeof tmpdir, "TMPDIR=%s", w->dir);
	while (environ[count])
		count++;
	if (!(envp = calloc(count + 2, sizeof *envp))) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	for (size_t i = 0; i < count; i++)
		if (strncmp(environ[i], "TMPDIR=", 7) != 0)
			envp[k++] = environ[i];
	envp[k] = tmpdir;
	if (pipe(pipefd) != 0) {
		free(envp);
		snprintf(why, whylen, "pipe: %s", strerror(errno));
		return false;
	}
	w->guard = fork();
	if (w->guard == 0) {
		close(pipefd[0]);
		guard_run(w->dir, log, envp, pipefd[1], parent);
	}
	free(envp);
	close(pipefd[1]);
	if (w->guard < 0) {
		close(pipefd[0]);
		snprintf(why, whylen, "fork: %s", strerror(errno));
		return false;
	}
	do
		n = read(pipefd[0], &d, sizeof d);
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n != (ssize_t)sizeof d || d <= 0) {
		snprintf(why, whylen, "cannot fork chromedriver");
		return false;
	}
	w->pid = d;
	return true;
}

/* The port from "ChromeDriver was started successfully on port N." */
static int read_port(const struct wd *w)
{
	char tail[4096];
	const char *p;

	log_tail(w, tail, sizeof tail);
	if (!(p = strstr(tail, "started successfully on port ")))
		return 0;
	return atoi(p + strlen("started successfully on port "));
}

/* True once the driver answers; false (may_retry) when it gave up on a
 * port taken between its IPv6 and IPv4 binds of "--port=0", seen once
 * in CI: a start again is all it takes. */
static bool wait_ready(struct wd *w, bool may_retry)
{
	long long deadline = now_ms() + START_MS;
	char why[768], tail[600];
	json_t *v = NULL;

	for (;;) {
		if (kill(w->pid, 0) != 0) { /* the guardian reaped it */
			log_tail(w, tail, sizeof tail);
			if (may_retry && (strstr(tail, "port not available") || strstr(tail, "Address already in use")))
				return false;
			fail_with("chromedriver exited before it was ready: %s", tail);
		}
		if (!w->port)
			w->port = read_port(w);
		if (w->port) {
			if (call(w, "GET", "/status", NULL, 2000, &v, why, sizeof why) &&
			    json_is_true(json_object_get(v, "ready"))) {
				json_decref(v);
				return true;
			}
			json_decref(v);
			v = NULL;
		}
		if (now_ms() > deadline) {
			log_tail(w, tail, sizeof tail);
			fail_with("chromedriver not ready within %d ms (%s): %s", START_MS,
				  w->port ? why : "it said no port", tail);
		}
		pause_poll();
	}
}

static void open_session(struct wd *w, enum wd_window window)
{
	char profile[96], size[48], why[768];
	json_t *args, *caps, *v, *opts;
	const char *id;

	snprintf(profile, sizeof profile, "--user-data-dir=%s/profile", w->dir);
	snprintf(size, sizeof size, "--window-size=%s", window == WD_DESKTOP ? "1280,900" : "412,915");
	args = json_pack("[s s s s s s s s s s s s s]", "--headless=new", "--no-sandbox", "--disable-gpu",
			 "--disable-dev-shm-usage", profile, size, "--no-proxy-server", "--no-first-run",
			 "--disable-extensions", "--hide-scrollbars", "--force-device-scale-factor=1",
			 "--disable-crash-reporter", "--disable-breakpad");
	opts = json_pack("{s:s, s:o}", "binary", CHROMIUM, "args", args);
	/* A phone: a 412 px viewport (a headless window is at least 500 wide),
	 * touch, and <meta name=viewport> honoured. */
	if (window == WD_PHONE)
		json_object_set_new(opts, "mobileEmulation",
				    json_pack("{s:{s:i, s:i, s:f, s:b, s:b}}", "deviceMetrics", "width", 412, "height",
					      915, "pixelRatio", 1.0, "mobile", 1, "touch", 1));
	caps = json_pack("{s:{s:{s:s, s:o, s:s}}}", "capabilities", "alwaysMatch", "browserName", "chrome",
			 "goog:chromeOptions", opts, "pageLoadStrategy", "normal");
	assert_non_null(caps);
	if (!call(w, "POST", "/session", caps, SESSION_MS, &v, why, sizeof why))
		fail_with("new session (Chromium %s): %s", CHROMIUM, why);
	id = json_string_value(json_object_get(v, "sessionId"));
	if (!id || strlen(id) >= sizeof w->session) {
		json_decref(v);
		fail_with("new session: the driver gave no session id");
	}
	strcpy(w->session, id);
	json_decref(v);
	json_decref(must(w, "timeouts", "POST", "/timeouts",
			 json_pack("{s:i, s:i, s:i}", "pageLoad", PAGE_LOAD_MS, "script", CALL_MS - 2000, "implicit", 0),
			 CALL_MS));
}

struct wd *wd_start(enum wd_window window)
{
	struct wd *w = calloc(1, sizeof *w);
	char profile[96], why[256];
	int slot = -1;

	assert_non_null(w);
	assert_true(sodium_init() >= 0);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	install_handlers();
	for (int i = 0; i < MAX_LIVE && slot < 0; i++)
		if (!live[i])
			slot = i;
	if (slot < 0)
		fail_with("more than %d browsers at once", MAX_LIVE);
	w->wait_ms = 10000;
	assert_non_null(w->curl = curl_easy_init());
	for (int attempt = 0;; attempt++) {
		snprintf(w->dir, sizeof w->dir, "%s/boxoffice-wd.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(w->dir))
			fail_with("mkdtemp %s: %s", w->dir, strerror(errno));
		snprintf(profile, sizeof profile, "%s/profile", w->dir);
		if (mkdir(profile, 0700) != 0)
			fail_with("mkdir %s: %s", profile, strerror(errno));
		if (!spawn_driver(w, why, sizeof why)) {
			if (w->guard > 0) {
				kill(w->guard, SIGTERM);
				waitpid(w->guard, NULL, 0);
			}
			fail_with("start chromedriver: %s", why);
		}
		live[slot] = w; /* from here on every way out ends the guardian */
		if (wait_ready(w, attempt < 2))
			break;
		/* the guardian removes its folder as it ends: a new one next time */
		kill(w->guard, SIGTERM);
		waitpid(w->guard, NULL, 0);
		live[slot] = NULL;
		w->guard = 0;
		w->pid = 0;
		w->port = 0;
	}
	open_session(w, window);
	return w;
}

int wd_pid(const struct wd *w)
{
	return w->pid;
}

int wd_group_alive(int pgid)
{
	return each_proc(0, pgid, 0);
}

void wd_stop(struct wd *w)
{
	char path[256], why[768];
	json_t *v;

	if (!w)
		return;
	forget(w);
	if (w->session[0] && w->pid > 0) {
		/* Quits the browser the orderly way; the kill below is the net. */
		snprintf(path, sizeof path, "/session/%s", w->session);
		if (call(w, "DELETE", path, NULL, CALL_MS, &v, why, sizeof why))
			json_decref(v);
	}
	if (w->guard > 0) { /* it ends the group, reaps and removes the folder */
		kill(w->guard, SIGTERM);
		waitpid(w->guard, NULL, 0);
	}
	if (w->curl)
		curl_easy_cleanup(w->curl);
	free(w);
}

void wd_set_wait(struct wd *w, int ms)
{
	w->wait_ms = ms;
}

/* ---- pages ---- */

void wd_get(struct wd *w, const char *url)
{
	char what[600];

	snprintf(what, sizeof what, "get %s", url);
	json_decref(must(w, what, "POST", "/url", json_pack("{s:s}", "url", url), PAGE_LOAD_MS + 5000));
}

char *wd_url(struct wd *w)
{
	return must_string(w, "current url", "GET", "/url", NULL);
}

char *wd_source(struct wd *w)
{
	return must_string(w, "page source", "GET", "/source", NULL);
}

/* ---- elements ---- */

static bool elem_of(json_t *v, struct wd_elem *out)
{
	const char *id = json_string_value(json_object_get(v, ELEMENT_KEY));

	if (!id || strlen(id) >= sizeof out->id)
		return false;
	strcpy(out->id, id);
	return true;
}

/* Polls for the element until deadline; false with the last reason. */
static bool find_until(struct wd *w, const char *sub, const char *css, int ms, struct wd_elem *out, char *why,
		       size_t whylen)
{
	long long deadline = now_ms() + ms;
	char path[512];
	json_t *v;

	snprintf(path, sizeof path, "/session/%s%s", w->session, sub);
	for (;;) {
		if (call(w, "POST", path, json_pack("{s:s, s:s}", "using", "css selector", "value", css), CALL_MS, &v,
			 why, whylen)) {
			bool ok = elem_of(v, out);

			json_decref(v);
			if (ok)
				return true;
			snprintf(why, whylen, "the driver answered no element id");
			return false;
		}
		/* Only an absent element is worth waiting for; anything else is final. */
		if (strncmp(why, "no such element", 15) != 0 || now_ms() >= deadline)
			return false;
		pause_poll();
	}
}

struct wd_elem wd_find(struct wd *w, const char *css)
{
	struct wd_elem e;
	char why[768];

	if (!find_until(w, "/element", css, w->wait_ms, &e, why, sizeof why))
		fail_with("find \"%s\" (waited %d ms): %s", css, w->wait_ms, why);
	return e;
}

bool wd_try_find(struct wd *w, const char *css, int ms, struct wd_elem *out)
{
	char why[768];

	if (find_until(w, "/element", css, ms, out, why, sizeof why))
		return true;
	if (strncmp(why, "no such element", 15) != 0)
		fail_with("find \"%s\": %s", css, why);
	return false;
}

void wd_type(struct wd *w, struct wd_elem e, const char *text)
{
	char sub[256];

	snprintf(sub, sizeof sub, "/element/%s/value", e.id);
	json_decref(must(w, "type", "POST", sub, json_pack("{s:s}", "text", text), CALL_MS));
}

void wd_clear(struct wd *w, struct wd_elem e)
{
	char sub[256];

	snprintf(sub, sizeof sub, "/element/%s/clear", e.id);
	json_decref(must(w, "clear", "POST", sub, NULL, CALL_MS));
}

void wd_click(struct wd *w, struct wd_elem e)
{
	char sub[256];

	/* A click that submits a form waits for the next page (pageLoad). */
	snprintf(sub, sizeof sub, "/element/%s/click", e.id);
	json_decref(must(w, "click", "POST", sub, NULL, PAGE_LOAD_MS + 5000));
}

void wd_select(struct wd *w, struct wd_elem select, const char *value)
{
	char css[512], sub[256], why[768];
	size_t n;
	struct wd_elem opt;

	n = (size_t)snprintf(css, sizeof css, "option[value=\"");
	for (const char *p = value; *p && n < sizeof css - 8; p++) {
		if (*p == '"' || *p == '\\')
			css[n++] = '\\';
		css[n++] = *p;
	}
	snprintf(css + n, sizeof css - n, "\"]");
	snprintf(sub, sizeof sub, "/element/%s/element", select.id);
	if (!find_until(w, sub, css, 0, &opt, why, sizeof why))
		fail_with("select \"%s\": %s", value, why);
	wd_click(w, opt);
}

char *wd_elem_text(struct wd *w, struct wd_elem e)
{
	char sub[256];

	snprintf(sub, sizeof sub, "/element/%s/text", e.id);
	return must_string(w, "element text", "GET", sub, NULL);
}

char *wd_text(struct wd *w, const char *css)
{
	return wd_elem_text(w, wd_find(w, css));
}

char *wd_attr(struct wd *w, struct wd_elem e, const char *name)
{
	static const char *const kinds[] = { "property", "attribute" };
	char sub[512];

	for (int i = 0; i < 2; i++) {
		json_t *v;
		char *s = NULL;

		snprintf(sub, sizeof sub, "/element/%s/%s/%s", e.id, kinds[i], name);
		v = must(w, name, "GET", sub, NULL, CALL_MS);
		if (json_is_string(v))
			s = strdup(json_string_value(v));
		else if (!json_is_null(v))
			s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		json_decref(v);
		if (s)
			return s;
	}
	return NULL;
}

bool wd_wait_text(struct wd *w, const char *css, const char *text, int ms)
{
	long long deadline = now_ms() + ms;
	char why[768], sub[256], path[512];
	struct wd_elem e;
	json_t *v;

	for (;;) {
		if (find_until(w, "/element", css, 0, &e, why, sizeof why)) {
			snprintf(sub, sizeof sub, "/element/%s/text", e.id);
			snprintf(path, sizeof path, "/session/%s%s", w->session, sub);
			if (call(w, "GET", path, NULL, CALL_MS, &v, why, sizeof why)) {
				bool found = json_is_string(v) && strstr(json_string_value(v), text);

				json_decref(v);
				if (found)
					return true;
			} else if (strncmp(why, "stale element", 13) != 0) {
				fail_with("text of \"%s\": %s", css, why);
			}
		} else if (strncmp(why, "no such element", 15) != 0) {
			fail_with("find \"%s\": %s", css, why);
		}
		if (now_ms() >= deadline)
			return false;
		pause_poll();
	}
}

char *wd_script(struct wd *w, const char *js)
{
	json_t *v = must(w, "script", "POST", "/execute/sync", json_pack("{s:s, s:[]}", "script", js, "args"),
			 CALL_MS);
	char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	json_decref(v);
	assert_non_null(s);
	return s;
}

/* ---- screenshots ---- */

static void write_png(const char *what, json_t *v, const char *png_path)
{
	const char *b64 = json_string_value(v);
	size_t b64len, binlen = 0;
	unsigned char *bin;
	FILE *f;
	bool ok;

	if (!b64) {
		json_decref(v);
		fail_with("%s: the driver answered no image", what);
	}
	b64len = strlen(b64);
	assert_non_null(bin = malloc(b64len / 4 * 3 + 3));
	if (sodium_base642bin(bin, b64len / 4 * 3 + 3, b64, b64len, "\r\n", &binlen, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(bin);
		json_decref(v);
		fail_with("%s: the image is not base64", what);
	}
	json_decref(v);
	if (!(f = fopen(png_path, "wb"))) {
		free(bin);
		fail_with("%s: cannot write %s: %s", what, png_path, strerror(errno));
	}
	ok = fwrite(bin, 1, binlen, f) == binlen;
	ok = fclose(f) == 0 && ok;
	free(bin);
	if (!ok)
		fail_with("%s: cannot write %s: %s", what, png_path, strerror(errno));
}

void wd_screenshot(struct wd *w, const char *png_path)
{
	write_png("screenshot", must(w, "screenshot", "GET", "/screenshot", NULL, CALL_MS), png_path);
}

void wd_elem_screenshot(struct wd *w, struct wd_elem e, const char *png_path)
{
	char sub[256];

	snprintf(sub, sizeof sub, "/element/%s/screenshot", e.id);
	write_png("element screenshot", must(w, "element screenshot", "GET", sub, NULL, CALL_MS), png_path);
}

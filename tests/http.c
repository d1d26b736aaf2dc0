#include "http.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

/* Servers still running when the test program ends (a failed assertion
 * skips serve_stop) are killed then, never left behind. */
static pid_t started[64];
static int nstarted;

static void kill_started(void)
{
	for (int i = 0; i < nstarted; i++)
		if (started[i] > 0 && kill(started[i], SIGKILL) == 0)
			waitpid(started[i], NULL, 0);
}

static void remember(pid_t pid)
{
	if (nstarted == 0)
		atexit(kill_started);
	if (nstarted < 64)
		started[nstarted++] = pid;
}

static void forget(pid_t pid)
{
	for (int i = 0; i < nstarted; i++)
		if (started[i] == pid)
			started[i] = 0;
}

static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || getsockname(fd, (struct sockaddr *)&a, &len) != 0)
		fail_msg("no free port: %s", strerror(errno));
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static const char *ca_path;

void http_set_ca(const char *ca_file)
{
	ca_path = ca_file;
}

void serve_start_as(struct served *s, const char *env, const char *const *pre_args, const char *const *extra_args)
{
	char listen[40];
	const char *argv[64];
	int n = 0;
	bool tls = false;
	struct timespec t0, now;

	memset(s, 0, sizeof *s);
	s->port = free_port();
	for (int i = 0; extra_args && extra_args[i]; i++)
		tls = tls || strcmp(extra_args[i], "--tls-cert") == 0;
	snprintf(s->url, sizeof s->url, "%s://127.0.0.1:%d", tls ? "https" : "http", s->port);
	snprintf(listen, sizeof listen, "127.0.0.1:%d", s->port);
	snprintf(s->log, sizeof s->log, "%s/serve-%d-%d.log", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(),
		 s->port);
	argv[n++] = boxoffice_bin();
	for (int i = 0; pre_args && pre_args[i] && n < 40; i++)
		argv[n++] = pre_args[i];
	argv[n++] = "serve";
	argv[n++] = "--listen";
	argv[n++] = listen;
	for (int i = 0; extra_args && extra_args[i] && n < 62; i++)
		argv[n++] = extra_args[i];
	argv[n] = NULL;
	s->pid = fork();
	if (s->pid == 0) {
		int fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0) {
			dup2(fd, 2);
			close(fd);
		}
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			close(fd);
		}
		if (env)
			putenv((char *)env);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	assert_true(s->pid > 0);
	remember(s->pid);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct http_answer a = http_do(s, "GET", "/health", NULL, NULL, NULL);
		long status = a.status;
		int st;
		http_answer_free(&a);
		if (status == 200)
			return;
		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			char *log = serve_log(s);
			s->pid = 0;
			fail_msg("serve exited (status %d) before answering: %s", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
				 log ? log : "");
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec > 10) {
			char *log = serve_log(s);
			kill(s->pid, SIGKILL);
			fail_msg("serve did not answer /health within 10 s: %s", log ? log : "");
		}
		usleep(50 * 1000);
	}
}

void serve_start(struct served *s, const char *const *extra_args)
{
	serve_start_as(s, NULL, NULL, extra_args);
}

int serve_stop(struct served *s)
{
	int st = 0;

	if (s->pid <= 0)
		return -1;
	forget(s->pid);
	kill(s->pid, SIGTERM);
	for (int i = 0; i < 400; i++) {
		if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
			s->pid = 0;
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		usleep(50 * 1000);
	}
	kill(s->pid, SIGKILL);
	waitpid(s->pid, &st, 0);
	s->pid = 0;
	fail_msg("serve did not stop within 20 s of SIGTERM");
	return -1;
}

char *serve_log(const struct served *s)
{
	FILE *f = fopen(s->log, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

struct sink {
	char *p;
	size_t n;
};

static size_t sink_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t len = size * nmemb;
	char *p = realloc(s->p, s->n + len + 1);

	if (!p)
		return 0;
	memcpy(p + s->n, data, len);
	s->n += len;
	p[s->n] = '\0';
	s->p = p;
	return len;
}

struct http_answer http_do(const struct served *s, const char *method, const char *path, const char *key,
			   const char *body, const char *const *headers)
{
	static int inited;
	struct http_answer a;
	struct sink out = { NULL, 0 }, hdr = { NULL, 0 };
	struct curl_slist *list = NULL;
	char url[2048], line[400];
	bool has_type = false;
	CURL *c;

	if (!inited) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		inited = 1;
	}
	memset(&a, 0, sizeof a);
	snprintf(url, sizeof url, "%s%s", s ? s->url : "", path);
	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (ca_path)
		curl_easy_setopt(c, CURLOPT_CAINFO, ca_path);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &hdr);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	for (int i = 0; headers && headers[i]; i++) {
		if (strncasecmp(headers[i], "Content-Type:", 13) == 0)
			has_type = true;
		list = curl_slist_append(list, headers[i]);
	}
	if (key) {
		snprintf(line, sizeof line, "Authorization: Bearer %s", key);
		list = curl_slist_append(list, line);
	}
	if (body) {
		if (!has_type)
			list = curl_slist_append(list, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	list = curl_slist_append(list, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
	curl_slist_free_all(list);
	curl_easy_cleanup(c);
	a.body = out.p ? out.p : calloc(1, 1);
	a.len = out.n;
	a.headers = hdr.p ? hdr.p : calloc(1, 1);
	return a;
}

void http_answer_free(struct http_answer *a)
{
	free(a->body);
	free(a->headers);
	a->body = a->headers = NULL;
}

const char *http_answer_header(const struct http_answer *a, const char *name)
{
	static char value[512];
	size_t n = strlen(name);

	for (const char *p = a->headers; p && *p;) {
		const char *end = strstr(p, "\r\n");
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len > n && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			snprintf(value, sizeof value, "%.*s", (int)(len - (size_t)(v - p)), v);
			return value;
		}
		if (!end)
			break;
		p = end + 2;
	}
	return NULL;
}

char *apikey_new(long long *id, const char *fmt, ...)
{
	char args[512];
	va_list ap;
	json_t *doc;
	char *key;

	va_start(ap, fmt);
	vsnprintf(args, sizeof args, fmt, ap);
	va_end(ap);
	doc = cli_json("$BOXOFFICE apikey add %s --json", args);
	assert_non_null(json_string_value(json_object_get(doc, "key")));
	key = strdup(json_string_value(json_object_get(doc, "key")));
	if (id)
		*id = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	return key;
}

#include "deliver.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../core/util.h"
#include "../db/db.h"
#include "paths.h"

extern char **environ;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long env_ms(const char *name, long def)
{
	const char *s = getenv(name);
	char *end;
	long v;
	if (!s || !*s)
		return def;
	v = strtol(s, &end, 10);
	return *end || v < 100 ? def : v;
}

/* The program's path on PATH, or false. */
static bool find_on_path(const char *prog, char *out, size_t size)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");
		snprintf(out, size, "%.*s/%s", (int)n, n ? path : ".", prog);
		if (access(out, X_OK) == 0)
			return true;
		path += n;
		if (*path == ':')
			path++;
	}
	return false;
}

static void read_available(int fd, char *buf, size_t size, size_t *len)
{
	for (;;) {
		ssize_t n;
		char sink[512];
		if (*len + 1 < size)
			n = read(fd, buf + *len, size - 1 - *len);
		else
			n = read(fd, sink, sizeof sink); /* keep the child from blocking */
		if (n <= 0)
			break;
		if (*len + 1 < size)
			*len += (size_t)n;
	}
	buf[*len] = '\0';
}

/* Its last line without "boxoffice: " and the newline. */
static void last_line(const char *text, char *out, size_t size)
{
	const char *end = text + strlen(text), *start;
	while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	start = end;
	while (start > text && start[-1] != '\n')
		start--;
	if (strncmp(start, "boxoffice: ", 11) == 0)
		start += 11;
	snprintf(out, size, "%.*s", (int)(end - start), start);
}

/* lp -s [-d $BOXOFFICE_PRINTER] [file], text (or nothing) on its input,
 * waiting at most $BOXOFFICE_LP_TIMEOUT_MS. */
static bool lp_run(const char *text, const char *file, char *why, size_t size)
{
	char lp[PATH_MAX], err[1024] = "";
	const char *printer = getenv("BOXOFFICE_PRINTER");
	const char *argv[6] = { "lp", "-s", NULL, NULL, NULL, NULL };
	long long deadline = now_ms() + env_ms("BOXOFFICE_LP_TIMEOUT_MS", 15000);
	struct sigaction ign = { .sa_handler = SIG_IGN }, old;
	int in[2], er[2], status = 0, argc = 2;
	size_t elen = 0, len, off = 0;
	pid_t pid, w;

	if (!text)
		text = ""; /* a file: lp's input is closed at once */
	len = strlen(text);

	if (!find_on_path("lp", lp, sizeof lp)) {
		snprintf(why, size, "lp not found on PATH: install cups-client%s",
			 file ? "" : ", or print the --text output yourself");
		return false;
	}
	if (printer && *printer) {
		argv[argc++] = "-d";
		argv[argc++] = printer;
	}
	if (file)
		argv[argc++] = file;
	if (pipe(in) < 0 || pipe(er) < 0) {
		snprintf(why, size, "lp: %s", strerror(errno));
		return false;
	}
	if ((pid = fork()) < 0) {
		snprintf(why, size, "lp: %s", strerror(errno));
		return false;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(in[0], 0);
		dup2(null >= 0 ? null : er[1], 1);
		dup2(er[1], 2);
		close(in[0]);
		close(in[1]);
		close(er[0]);
		close(er[1]);
		execv(lp, (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(er[1]);
	fcntl(er[0], F_SETFL, O_NONBLOCK);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	sigaction(SIGPIPE, &ign, &old);
	for (;;) {
		struct timespec tick = { 0, 10 * 1000000L };
		if (in[1] >= 0) {
			ssize_t n = write(in[1], text + off, len - off);
			if (n > 0)
				off += (size_t)n;
			if (off == len || (n < 0 && errno != EAGAIN && errno != EINTR)) {
				close(in[1]);
				in[1] = -1;
			}
		}
		read_available(er[0], err, sizeof err, &elen);
		if ((w = waitpid(pid, &status, WNOHANG)) == pid)
			break;
		if (now_ms() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			sigaction(SIGPIPE, &old, NULL);
			if (in[1] >= 0)
				close(in[1]);
			close(er[0]);
			snprintf(why, size, "lp did not finish within %ld ms (stopped)",
				 env_ms("BOXOFFICE_LP_TIMEOUT_MS", 15000));
			return false;
		}
		nanosleep(&tick, NULL);
	}
	sigaction(SIGPIPE, &old, NULL);
	if (in[1] >= 0)
		close(in[1]);
	read_available(er[0], err, sizeof err, &elen);
	close(er[0]);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char line[300];
		last_line(err, line, sizeof line);
		snprintf(why, size, "lp failed (%s %d)%s%s", WIFEXITED(status) ? "exit" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), line[0] ? ": " : "", line);
		return false;
	}
	return true;
}

bool receipt_print(const char *text, char *why, size_t size)
{
	return lp_run(text, NULL, why, size);
}

bool lp_print_file(const char *path, char *why, size_t size)
{
	return lp_run(NULL, path, why, size);
}

struct doc_job {
	pid_t pid;
	int out, err;
	char obuf[4096], ebuf[2048];
	size_t olen, elen;
	long long deadline;
	long timeout_ms;
	enum doc_kind { DOC_RECEIPT, DOC_INVOICE, DOC_BADGE } kind;
	struct doc_job *next; /* in the detached list */
};

/* Jobs whose screen closed: they run on to the end (an invoice being
 * mailed is not stopped because the clerk went back), and are reaped at
 * the next start; their outcome is in the change log and the state folder. */
static struct doc_job *detached;

static void reap_detached(void)
{
	struct doc_job **p = &detached;
	char msg[512];

	while (*p) {
		struct doc_job *j = *p;
		if (doc_job_poll(j, msg, sizeof msg, 80) == DOC_JOB_RUNNING) {
			p = &j->next;
			continue;
		}
		*p = j->next;
		doc_job_free(j);
	}
}

void doc_job_detach(struct doc_job *job)
{
	if (!job)
		return;
	job->next = detached;
	detached = job;
}

static struct doc_job *job_start(struct db *db, const char *const *words, enum doc_kind kind, char *why, size_t size)
{
	const char *argv[24];
	int n = 0, o[2], e[2];
	struct doc_job *job;
	pid_t pid;

	reap_detached();
	argv[n++] = "boxoffice";
	if (db->station[0]) {
		argv[n++] = "--station";
		argv[n++] = db->station;
	}
	argv[n++] = "--state-dir";
	argv[n++] = paths_state_dir();
	for (int i = 0; words[i] && n < 23; i++)
		argv[n++] = words[i];
	argv[n] = NULL;
	/* the connection goes through the environment: a password in
	 * conninfo on the command line would show in ps */
	char *db_env = xasprintf("BOXOFFICE_DB=%s", db->conninfo ? db->conninfo : "");
	size_t nenv = 0;
	while (environ[nenv])
		nenv++;
	char **envp = xcalloc(nenv + 2, sizeof *envp);
	size_t k = 0;
	for (size_t i = 0; i < nenv; i++)
		if (strncmp(environ[i], "BOXOFFICE_DB=", 13) != 0)
			envp[k++] = environ[i];
	envp[k++] = db_env;
	envp[k] = NULL;
	if (pipe(o) < 0) {
		snprintf(why, size, "cannot start: %s", strerror(errno));
		free(envp);
		free(db_env);
		return NULL;
	}
	if (pipe(e) < 0) {
		snprintf(why, size, "cannot start: %s", strerror(errno));
		close(o[0]);
		close(o[1]);
		free(envp);
		free(db_env);
		return NULL;
	}
	if ((pid = fork()) < 0) {
		snprintf(why, size, "cannot start: %s", strerror(errno));
		close(o[0]);
		close(o[1]);
		close(e[0]);
		close(e[1]);
		free(envp);
		free(db_env);
		return NULL;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		if (null >= 0)
			dup2(null, 0);
		dup2(o[1], 1);
		dup2(e[1], 2);
		close(o[0]);
		close(e[0]);
		setpgid(0, 0); /* the terminal's ^C is the screen's, not the child's */
		execve("/proc/self/exe", (char *const *)argv, envp);
		_exit(127);
	}
	free(envp);
	free(db_env);
	close(o[1]);
	close(e[1]);
	fcntl(o[0], F_SETFL, O_NONBLOCK);
	fcntl(e[0], F_SETFL, O_NONBLOCK);
	job = xcalloc(1, sizeof *job);
	job->pid = pid;
	job->out = o[0];
	job->err = e[0];
	job->kind = kind;
	/* the child's own waits (database, SMTP, lp) end sooner */
	job->timeout_ms = env_ms(kind == DOC_INVOICE ? "BOXOFFICE_SMTP_TIMEOUT_MS" : "BOXOFFICE_LP_TIMEOUT_MS",
				 kind == DOC_INVOICE ? 30000 : 15000) + 30000;
	job->deadline = now_ms() + job->timeout_ms;
	return job;
}

struct doc_job *invoice_deliver(struct db *db, long long order_id, char *why, size_t size)
{
	char id[24];
	const char *words[] = { "order", "invoice", id, "--again", NULL };
	snprintf(id, sizeof id, "%lld", order_id);
	return job_start(db, words, DOC_INVOICE, why, size);
}

struct doc_job *receipt_deliver(struct db *db, long long order_id, bool print, char *why, size_t size)
{
	char id[24];
	const char *words[] = { "order", "receipt", id, print ? "--print" : NULL, NULL };
	snprintf(id, sizeof id, "%lld", order_id);
	return job_start(db, words, DOC_RECEIPT, why, size);
}

struct doc_job *badge_deliver(struct db *db, long long ticket_id, char *why, size_t size)
{
	const char *dir = getenv("BOXOFFICE_BADGES"), *printer = getenv("BOXOFFICE_PRINTER");
	char id[24], png[PATH_MAX];
	const char *words[] = { "ticket", "badge", id, "--png", png, printer && *printer ? "--print" : NULL, NULL };

	if (!dir || !*dir)
		dir = "badges";
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(why, size, "cannot make the badge folder %s: %s", dir, strerror(errno));
		return NULL;
	}
	snprintf(id, sizeof id, "%lld", ticket_id);
	snprintf(png, sizeof png, "%s/badge-%lld.png", dir, ticket_id);
	return job_start(db, words, DOC_BADGE, why, size);
}

static void describe(struct doc_job *job, char *msg, size_t size, int width)
{
	json_t *doc = json_loads(job->obuf, JSON_DISABLE_EOF_CHECK, NULL);
	const char *pdf = json_string_value(json_object_get(doc, "pdf"));
	const char *to = json_string_value(json_object_get(doc, "mailed_to"));

	if (job->kind == DOC_BADGE) {
		const char *png = json_string_value(json_object_get(doc, "png"));
		const char *printer = json_string_value(json_object_get(doc, "printed_to"));
		if (printer)
			snprintf(msg, size, "badge sent to %s (saved as %s)", printer, png ? png : "");
		else
			snprintf(msg, size, "badge saved as %s (set BOXOFFICE_PRINTER to print)", png ? png : "");
	} else if (job->kind == DOC_INVOICE) {
		/* what needs doing first (the seller), then the mail; in
		 * shorter words where the whole does not fit */
		const char *code = json_string_value(json_object_get(doc, "invoice"));
		const char *skipped = json_string_value(json_object_get(doc, "mail_skipped"));
		doc_invoice_said(msg, size, code, !json_is_false(json_object_get(doc, "seller_set")), to,
				 !skipped ? NULL : strncmp(skipped, "no SMTP", 7) == 0 ? "no SMTP set" : skipped, width);
	}
	else {
		/* the file's name and its folder's, for 80 columns; the folder
		 * is the station's receipts folder (README) */
		const char *shown = pdf ? pdf : "";
		const char *last = strrchr(shown, '/');
		if (last) {
			const char *dir = last;
			while (dir > shown && dir[-1] != '/')
				dir--;
			if (dir > shown)
				shown = dir;
		}
		if (json_is_true(json_object_get(doc, "printed")))
			snprintf(msg, size, "receipt sent to the printer (PDF: %s%s)", shown != pdf ? "…/" : "", shown);
		else
			snprintf(msg, size, "receipt saved: %s%s", pdf && shown != pdf ? "…/" : "", shown);
	}
	json_decref(doc);
}

enum doc_job_state doc_job_poll(struct doc_job *job, char *msg, size_t size, int width)
{
	int status;
	pid_t w;

	if (job->pid <= 0)
		return DOC_JOB_FAILED;
	read_available(job->out, job->obuf, sizeof job->obuf, &job->olen);
	read_available(job->err, job->ebuf, sizeof job->ebuf, &job->elen);
	w = waitpid(job->pid, &status, WNOHANG);
	if (w == 0) {
		if (now_ms() <= job->deadline)
			return DOC_JOB_RUNNING;
		kill(job->pid, SIGKILL);
		waitpid(job->pid, &status, 0);
		job->pid = 0;
		snprintf(msg, size, "%s: no answer within %ld s, stopped",
			 job->kind == DOC_INVOICE ? "invoice" : job->kind == DOC_BADGE ? "badge" : "receipt",
			 job->timeout_ms / 1000);
		return DOC_JOB_FAILED;
	}
	job->pid = 0;
	read_available(job->out, job->obuf, sizeof job->obuf, &job->olen);
	read_available(job->err, job->ebuf, sizeof job->ebuf, &job->elen);
	if (w < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		char line[400];
		const char *why;
		last_line(job->ebuf, line, sizeof line);
		why = job->kind == DOC_BADGE && strncmp(line, "ticket badge: ", 14) == 0 ? line + 14 : line;
		/* the badge's own words say what failed, without the command's
		 * name; a badge not made says so first: a bare "database
		 * unreachable: …" or "cannot write …" under ONLINE named nothing */
		if (job->kind == DOC_BADGE && !strstr(why, "refused the badge"))
			snprintf(msg, size, "Badge not made: %s", why[0] ? why : "no reason given");
		else
			snprintf(msg, size, "%s", why[0] ? why : "the document could not be made");
		return DOC_JOB_FAILED;
	}
	describe(job, msg, size, width);
	return DOC_JOB_DONE;
}

void doc_job_free(struct doc_job *job)
{
	if (!job)
		return;
	if (job->pid > 0) {
		kill(job->pid, SIGKILL);
		waitpid(job->pid, NULL, 0);
	}
	close(job->out);
	close(job->err);
	free(job);
}

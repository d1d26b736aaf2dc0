#include "helpers.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *boxoffice_bin(void)
{
	const char *b = getenv("BOXOFFICE");
	return b && *b ? b : "./boxoffice";
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	return buf;
}

struct run_result run_cmd(const char *fmt, ...)
{
	struct run_result r = { 0 };
	char cmd[8192], line[8600], out[64], err[64];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	snprintf(out, sizeof out, "/tmp/bo-test-out.%d", (int)getpid());
	snprintf(err, sizeof err, "/tmp/bo-test-err.%d", (int)getpid());
	snprintf(line, sizeof line, "BOXOFFICE='%s'; export BOXOFFICE; (%s) >%s 2>%s </dev/null",
		 boxoffice_bin(), cmd, out, err);
	st = system(line);
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	r.out = slurp(out);
	r.err = slurp(err);
	unlink(out);
	unlink(err);
	return r;
}

void run_free(struct run_result *r)
{
	free(r->out);
	free(r->err);
	r->out = r->err = NULL;
}

PGconn *test_connect(void)
{
	/* the tests' own SQL (set-up, time travel, checks) is the owner's */
	const char *admin = getenv("BOXOFFICE_TEST_ADMIN");
	char conninfo[128];
	PGconn *c;

	snprintf(conninfo, sizeof conninfo, "application_name=tests%s%s", admin ? " user=" : "", admin ? admin : "");
	c = PQconnectdb(conninfo);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "test database: %s", PQerrorMessage(c));
		fail_msg("cannot connect to the test database");
	}
	PQclear(PQexec(c, "SET client_min_messages = warning"));
	return c;
}

const char *admin_conninfo(const char *dbname)
{
	static char buf[4][160];
	static int slot;
	const char *admin = getenv("BOXOFFICE_TEST_ADMIN");
	char *b = buf[slot++ % 4];

	snprintf(b, sizeof buf[0], "dbname=%s%s%s", dbname, admin ? " user=" : "", admin ? admin : "");
	return b;
}

PGresult *test_query(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *res = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("query failed: %s\n  %s", PQresultErrorMessage(res), sql);
	return res;
}

long long test_scalar(PGconn *c, const char *sql, int n, const char *const *params)
{
	PGresult *res = test_query(c, sql, n, params);
	long long v;
	assert_true(PQntuples(res) >= 1);
	v = PQgetisnull(res, 0, 0) ? -1 : strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return v;
}

long long test_scalar_id(PGconn *c, const char *sql, long long id)
{
	char v[24];
	const char *p[1] = { v };
	snprintf(v, sizeof v, "%lld", id);
	return test_scalar(c, sql, 1, p);
}

char *test_fails(PGconn *c, const char *sql, int n, const char *const *params)
{
	static char state[6];
	PGresult *res = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		fail_msg("expected failure, but it succeeded: %s", sql);
	snprintf(state, sizeof state, "%s", PQresultErrorField(res, PG_DIAG_SQLSTATE));
	PQclear(res);
	return state;
}

const char *unique_name(const char *prefix)
{
	static char buf[8][96];
	static int slot, counter;
	struct timespec ts;
	char *b = buf[slot++ % 8];

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(b, sizeof buf[0], "%s %d-%ld-%d", prefix, (int)getpid(), (long)ts.tv_nsec, ++counter);
	return b;
}

static long long json_id(const char *out)
{
	const char *p = strstr(out, "\"id\":");
	return p ? strtoll(p + 5, NULL, 10) : -1;
}

long long make_event(const char *name, const char *date, int reentry)
{
	struct run_result r = run_cmd("$BOXOFFICE event add --name '%s' --date %s %s", name, date,
				      reentry ? "--reentry" : "");
	long long id = json_id(r.out);
	if (r.status != 0)
		fail_msg("event add failed (%d): %s", r.status, r.err);
	run_free(&r);
	return id;
}

long long make_type(long long event, const char *name, int capacity, long long price, int seats)
{
	struct run_result r = run_cmd("$BOXOFFICE type add --event %lld --name '%s' --capacity %d "
				      "--price %lld --seats-per-ticket %d",
				      event, name, capacity, price, seats);
	long long id = json_id(r.out);
	if (r.status != 0)
		fail_msg("type add failed (%d): %s", r.status, r.err);
	run_free(&r);
	return id;
}

long long order_ticket(long long order, int i, char *token, size_t size)
{
	json_t *list = cli_json("$BOXOFFICE ticket list --order %lld --json", order);
	json_t *row = json_array_get(list, (size_t)i);
	long long id = json_integer_value(json_object_get(row, "id"));
	const char *text = json_string_value(json_object_get(row, "token"));

	if (id <= 0)
		fail_msg("order %lld has no ticket %d (%zu tickets)", order, i, json_array_size(list));
	if (token && (!text || snprintf(token, size, "%s", text) >= (int)size))
		fail_msg("order %lld, ticket %lld: no token, or longer than %zu bytes", order, id, size - 1);
	json_decref(list);
	return id;
}

long long first_ticket(long long order)
{
	return order_ticket(order, 0, NULL, 0);
}

PGconn *test_migrate_connect(void)
{
	struct run_result r = run_cmd("$BOXOFFICE migrate");
	if (r.status != 0)
		fprintf(stderr, "migrate failed (%d): %s\n", r.status, r.err);
	run_free(&r);
	return test_connect();
}

json_t *cli_json(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	struct run_result r;
	json_t *doc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	r = run_cmd("%s", cmd);
	if (r.status != 0)
		fail_msg("'%.300s' exited %d: %s", cmd, r.status, r.err);
	doc = json_loads(r.out, 0, NULL);
	if (!doc)
		fail_msg("'%.300s': not JSON: %s", cmd, r.out);
	run_free(&r);
	return doc;
}

long long cli_json_id(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	struct run_result r;
	long long id;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	r = run_cmd("%s", cmd);
	if (r.status != 0)
		fail_msg("'%.300s' exited %d: %s", cmd, r.status, r.err);
	id = out_id(r.out);
	run_free(&r);
	return id;
}

long long out_id(const char *out)
{
	json_error_t jerr;
	json_t *doc = out ? json_loads(out, JSON_DISABLE_EOF_CHECK, &jerr) : NULL;
	json_t *id = json_object_get(doc, "id");
	long long v;

	if (!json_is_integer(id)) {
		json_decref(doc);
		fail_msg("no \"id\" in the command's output: %.300s", out ? out : "(none)");
	}
	v = (long long)json_integer_value(id);
	json_decref(doc);
	return v;
}

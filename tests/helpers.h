/* Shared test helpers: a connection to the throwaway test database (from
 * PGHOST/PGDATABASE set by src/sh/with-testdb.sh), running the real
 * boxoffice binary, and unique names so tests never collide. */
#ifndef BOXOFFICE_TESTS_HELPERS_H
#define BOXOFFICE_TESTS_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>

struct run_result {
	int status; /* exit code, or 128+signal */
	char *out;
	char *err;
};

/* Runs a shell command line (our own test strings) with BOXOFFICE set to
 * the binary under test; captures stdout and stderr. */
struct run_result run_cmd(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void run_free(struct run_result *r);

/* The binary under test: $BOXOFFICE or ./boxoffice. */
const char *boxoffice_bin(void);

PGconn *test_connect(void);
/* "dbname=NAME" as the cluster's superuser (BOXOFFICE_TEST_ADMIN): for a
 * test that makes, migrates or loads a database of its own, which is the
 * owner's work, not a station's (db/026). */
const char *admin_conninfo(const char *dbname);
/* Runs SQL with parameters and asserts success; returns the result. */
PGresult *test_query(PGconn *c, const char *sql, int n, const char *const *params);
/* First cell as a number. */
long long test_scalar(PGconn *c, const char *sql, int n, const char *const *params);
/* First cell as a number, of SQL whose one parameter ($1) is an id. */
long long test_scalar_id(PGconn *c, const char *sql, long long id);
/* SQLSTATE of a statement that must fail (asserts it fails). */
char *test_fails(PGconn *c, const char *sql, int n, const char *const *params);

/* Migrates the test database with the binary under test, then connects. */
PGconn *test_migrate_connect(void);

#include <jansson.h>
/* Runs a boxoffice command line that must succeed and print JSON. */
json_t *cli_json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Runs a boxoffice command line that must succeed and print {"id":…}:
 * the id (an add command's new row). */
long long cli_json_id(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The "id" of a command's JSON output (an object); fails the test with
 * the output when it is not there, instead of reading past a NULL. */
long long out_id(const char *out);

/* A name unique in this test run. */
const char *unique_name(const char *prefix);

/* Creates an event (and returns its id) through the CLI. */
long long make_event(const char *name, const char *date, int reentry);
long long make_type(long long event, const char *name, int capacity, long long price, int seats);

/* The i-th ticket (from 0, in id order) of an order as `ticket list --json`
 * shows it: its id, and its token (the QR's text; base45 has spaces) into
 * token[size] unless token is NULL. Fails the test when it is not there. */
long long order_ticket(long long order, int i, char *token, size_t size);
/* The id of an order's first ticket. */
long long first_ticket(long long order);

#endif

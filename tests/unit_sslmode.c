/* A station reaching its server over a network verifies the server's
 * certificate (sslmode=verify-full) unless the connection or PGSSLMODE
 * says otherwise; a local server (Unix socket, localhost, 127.0.0.0/8,
 * ::1) keeps libpq's default. db_new decides; nothing connects here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "src/db/db.h"

static const char *const libpq_env[] = { "PGHOST", "PGHOSTADDR", "PGSSLMODE", "PGREQUIRESSL",
					 "PGSERVICE", "PGDATABASE", "PGPORT", NULL };

static int clear_env(void **state)
{
	(void)state;
	for (int i = 0; libpq_env[i]; i++)
		unsetenv(libpq_env[i]);
	return 0;
}

static int keyword_index(const struct db *db, const char *key)
{
	for (int i = 0; db->keywords[i]; i++)
		if (strcmp(db->keywords[i], key) == 0)
			return i;
	return -1;
}

/* The sslmode db_new adds, "" when it adds none. */
static const char *added_sslmode(const char *conninfo)
{
	static char v[32];
	struct db *db = db_new(conninfo, "sslmode-test");
	int i = keyword_index(db, "sslmode");
	snprintf(v, sizeof v, "%s", i >= 0 ? db->values[i] : "");
	/* a default goes before the expanded conninfo, which overrides it */
	if (i >= 0 && keyword_index(db, "dbname") >= 0)
		assert_true(i < keyword_index(db, "dbname"));
	db_free(db);
	return v;
}

static void expect(const char *conninfo, const char *sslmode)
{
	const char *got = added_sslmode(conninfo);
	if (strcmp(got, sslmode) != 0)
		fail_msg("conninfo '%s' (PGHOST=%s PGSSLMODE=%s): sslmode '%s', expected '%s'",
			 conninfo ? conninfo : "(none)", getenv("PGHOST") ? getenv("PGHOST") : "",
			 getenv("PGSSLMODE") ? getenv("PGSSLMODE") : "", got, sslmode);
}

static void test_network_host_gets_verify_full(void **state)
{
	(void)state;
	expect("host=db.example.com dbname=boxoffice", "verify-full");
	expect("postgresql://clerk@db.example.com:5433/boxoffice", "verify-full");
	expect("postgres://db.example.com/boxoffice?connect_timeout=3", "verify-full");
	expect("host=10.0.0.7 dbname=boxoffice", "verify-full");
	expect("host=2001:db8::7 dbname=boxoffice", "verify-full");
	expect("postgresql://[2001:db8::7]/boxoffice", "verify-full");
	/* any network host among several */
	expect("host=localhost,db.example.com dbname=boxoffice", "verify-full");
	expect("postgresql://localhost:5432,db.example.com:5433/boxoffice", "verify-full");
	/* the name is what is verified, whatever address hostaddr gives */
	expect("host=boxoffice-db.test hostaddr=127.0.0.1 port=5433 dbname=boxoffice", "verify-full");
	expect("hostaddr=10.0.0.7 dbname=boxoffice", "verify-full");
	expect("host=localhost hostaddr=10.0.0.7 dbname=boxoffice", "verify-full");
}

static void test_local_server_keeps_libpq_default(void **state)
{
	(void)state;
	expect("dbname=boxoffice", "");
	expect("boxoffice", "");
	expect("host=/var/run/postgresql dbname=boxoffice", "");
	expect("host=@abstract dbname=boxoffice", "");
	expect("host=localhost dbname=boxoffice", "");
	expect("host=LOCALHOST dbname=boxoffice", "");
	expect("host=127.0.0.1 dbname=boxoffice", "");
	expect("host=127.9.8.7 dbname=boxoffice", "");
	expect("host=::1 dbname=boxoffice", "");
	expect("postgresql://[::1]:5433/boxoffice", "");
	expect("postgresql:///boxoffice", "");
	expect("postgresql://localhost/boxoffice", "");
	expect("hostaddr=127.0.0.1 dbname=boxoffice", "");
	expect("host=localhost,/tmp,127.0.0.2 dbname=boxoffice", "");
	expect(NULL, "");
	/* a name that only starts like a loopback one is not */
	expect("host=127.0.0.1.example.com dbname=boxoffice", "verify-full");
	expect("host=localhost.example.com dbname=boxoffice", "verify-full");
}

static void test_explicit_sslmode_wins(void **state)
{
	(void)state;
	expect("host=db.example.com sslmode=require dbname=boxoffice", "");
	expect("host=db.example.com sslmode=disable", "");
	expect("postgresql://db.example.com/boxoffice?sslmode=verify-ca", "");
	expect("host=db.example.com requiressl=1", "");
	setenv("PGSSLMODE", "require", 1);
	expect("host=db.example.com dbname=boxoffice", "");
	setenv("PGSSLMODE", "prefer", 1);
	expect("postgresql://db.example.com/boxoffice", "");
	unsetenv("PGSSLMODE");
	/* a service file holds the user's own settings, sslmode among them */
	expect("service=boxoffice", "");
	expect("service=boxoffice host=db.example.com", "");
}

static void test_host_from_environment(void **state)
{
	(void)state;
	setenv("PGHOST", "db.example.com", 1);
	expect(NULL, "verify-full");
	expect("dbname=boxoffice", "verify-full");
	expect("boxoffice", "verify-full");
	expect("postgresql:///boxoffice", "verify-full");
	/* the conninfo's host replaces PGHOST */
	expect("host=/var/run/postgresql dbname=boxoffice", "");
	expect("postgresql://localhost/boxoffice", "");
	setenv("PGHOST", "/var/run/postgresql", 1);
	expect(NULL, "");
	expect("host=db.example.com dbname=boxoffice", "verify-full");
	unsetenv("PGHOST");
	setenv("PGHOSTADDR", "192.0.2.9", 1);
	expect(NULL, "verify-full");
	expect("dbname=boxoffice", "verify-full");
	unsetenv("PGHOSTADDR");
	setenv("PGHOST", "db.example.com", 1);
	setenv("PGSSLMODE", "disable", 1);
	expect(NULL, "");
	unsetenv("PGSSLMODE");
	setenv("PGSERVICE", "boxoffice", 1);
	expect(NULL, "");
	unsetenv("PGSERVICE");
	unsetenv("PGHOST");
}

/* A conninfo libpq cannot parse gets no default: libpq's own message says
 * what is wrong with it. */
static void test_malformed_conninfo_left_to_libpq(void **state)
{
	(void)state;
	expect("host=db.example.com dbname", "");
	expect("postgresql://db.example.com/boxoffice?nosuchoption=1", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_network_host_gets_verify_full, clear_env),
		cmocka_unit_test_setup(test_local_server_keeps_libpq_default, clear_env),
		cmocka_unit_test_setup(test_explicit_sslmode_wins, clear_env),
		cmocka_unit_test_setup(test_host_from_environment, clear_env),
		cmocka_unit_test_setup(test_malformed_conninfo_left_to_libpq, clear_env),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

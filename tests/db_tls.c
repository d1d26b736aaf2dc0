/* TLS to a shared server: a second private cluster that takes TLS only, on
 * 127.0.0.1 at a free port, with a certificate from src/sh/tls-ca.sh for
 * the name boxoffice-db.test. A station given that name (hostaddr the
 * address) and no sslmode verifies the server (verify-full): it works with
 * the CA as sslrootcert or ~/.postgresql/root.crt, and is refused (exit 3,
 * one line saying what to do) without the CA, with another CA and under a
 * name the certificate does not list. The server refuses sslmode=disable;
 * a certificate login (CN = login) needs no password. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "src/db/db.h"

#define DBNAME "boxoffice_tls"
#define HOSTNAME "boxoffice-db.test"
#define CLERK "tls_clerk"
#define CLERK_PASSWORD "tls-clerk-pw"
#define CERT_LOGIN "tls_cert"

static char base[300], pgdir[320], ca[320], other_ca[320], home[320];
static int port;
static int cluster_started;

/* What a station is started with: none of the developer's libpq TLS
 * settings, and a HOME of its own (libpq looks for ~/.postgresql there). */
#define STATION_ENV                                                                              \
	"unset PGSSLMODE PGREQUIRESSL PGSSLROOTCERT PGSSLCERT PGSSLKEY PGSERVICE PGPASSWORD; " \
	"HOME='%s'; export HOME; "

static void stop_cluster(void)
{
	struct run_result r;
	if (!cluster_started)
		return;
	cluster_started = 0;
	r = run_cmd("PGPORT=%d sh src/sh/pg.sh stop '%s'", port, pgdir);
	run_free(&r);
}

static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t n = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0), p = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &n) == 0)
		p = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return p;
}

static int shell(const char *what, struct run_result r)
{
	int st = r.status;
	if (st != 0)
		fprintf(stderr, "db_tls set-up: %s failed (%d): %s%s\n", what, st, r.out, r.err);
	run_free(&r);
	return st;
}

/* The logins the stations use (db/026), made the way a site makes them:
 * the superuser migrates over the Unix socket (the owner's work), then
 * `user add` a supervisor with a password and a clerk that logs in with
 * its certificate. A station's own `migrate` is then a no-op it may run. */
static int create_logins(void)
{
	char admin[400];

	snprintf(admin, sizeof admin, "host=%s port=%d user=boxoffice dbname=" DBNAME, pgdir, port);
	if (shell("migrate", run_cmd("$BOXOFFICE -d '%s' migrate", admin)) ||
	    shell("user add " CLERK, run_cmd("printf '%%s\\n' '" CLERK_PASSWORD "' | $BOXOFFICE -d '%s' user add " CLERK
					     " --role supervisor --password", admin)) ||
	    shell("user add " CERT_LOGIN, run_cmd("$BOXOFFICE -d '%s' user add " CERT_LOGIN " --role clerk --auth cert",
						  admin)))
		return -1;
	return 0;
}

static int write_file(const char *path, const char *mode, const char *text)
{
	FILE *f = fopen(path, mode);
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		fprintf(stderr, "db_tls set-up: cannot write %s\n", path);
		return -1;
	}
	return 0;
}

static int start_tls_cluster(void **state)
{
	const char *tmp = getenv("BOXOFFICE_TEST_TMP");
	char path[400], conf[600];
	(void)state;

	snprintf(base, sizeof base, "%s/tls", tmp && *tmp ? tmp : "/tmp");
	snprintf(pgdir, sizeof pgdir, "%s/pg", base);
	snprintf(ca, sizeof ca, "%s/ca/ca.crt", base);
	snprintf(other_ca, sizeof other_ca, "%s/other/ca.crt", base);
	snprintf(home, sizeof home, "%s/home", base);
	if (shell("folders", run_cmd("rm -rf '%s' && mkdir -p '%s' && chmod 755 '%s'", base, home, base)) ||
	    shell("test CA", run_cmd("sh src/sh/tls-ca.sh --client " CERT_LOGIN " '%s/ca' " HOSTNAME, base)) ||
	    shell("other CA", run_cmd("sh src/sh/tls-ca.sh '%s/other' " HOSTNAME, base)))
		return -1;
	if ((port = free_port()) <= 0)
		return -1;

	atexit(stop_cluster);
	cluster_started = 1;
	if (shell("cluster", run_cmd("PGPORT=%d PG_THROWAWAY=1 sh src/sh/pg.sh start '%s' " DBNAME, port, pgdir)))
		return -1;
	/* TLS only on 127.0.0.1; the Unix socket for the bootstrap superuser */
	snprintf(conf, sizeof conf,
		 "# boxoffice TLS test\n"
		 "listen_addresses = '127.0.0.1'\n"
		 "port = %d\n"
		 "ssl = on\n"
		 "ssl_cert_file = 'server.crt'\n"
		 "ssl_key_file = 'server.key'\n"
		 "ssl_ca_file = 'ca.crt'\n",
		 port);
	snprintf(path, sizeof path, "%s/postgresql.conf", pgdir);
	if (write_file(path, "a", conf))
		return -1;
	snprintf(path, sizeof path, "%s/pg_hba.conf", pgdir);
	if (write_file(path, "w",
		       "# TYPE   DATABASE USER       ADDRESS       METHOD\n"
		       "local    all      boxoffice                trust\n"
		       "hostssl  all      " CERT_LOGIN "   127.0.0.1/32  cert\n"
		       "hostssl  all      all        127.0.0.1/32  scram-sha-256\n"
		       "hostnossl all     all        all           reject\n"))
		return -1;
	if (shell("certificates",
		  run_cmd("cp '%s/ca/server.crt' '%s/ca/server.key' '%s/ca/ca.crt' '%s/' && chmod 600 '%s/server.key' && "
			  "if [ \"$(id -u)\" -eq 0 ]; then chown postgres: '%s/server.crt' '%s/server.key' '%s/ca.crt'; fi",
			  base, base, base, pgdir, pgdir, pgdir, pgdir, pgdir)) ||
	    shell("restart", run_cmd("PGPORT=%d sh src/sh/pg.sh stop '%s' && PGPORT=%d sh src/sh/pg.sh start '%s' " DBNAME,
				     port, pgdir, port, pgdir)))
		return -1;

	return create_logins();
}

static int stop_tls_cluster(void **state)
{
	(void)state;
	stop_cluster();
	return 0;
}

/* The station's conninfo for the TLS server: HOSTNAME at 127.0.0.1, no
 * sslmode, plus EXTRA. */
static const char *tls_conninfo(const char *host, const char *extra)
{
	static char c[2048];
	snprintf(c, sizeof c, "host=%s hostaddr=127.0.0.1 port=%d dbname=" DBNAME " %s", host, port, extra);
	return c;
}

static struct run_result station(const char *conninfo, const char *args)
{
	return run_cmd(STATION_ENV "$BOXOFFICE -d '%s' %s", home, conninfo, args);
}

/* A refusal: exit 3, one line, "boxoffice: database unreachable: ..." with
 * every piece of WANT in it. */
static void expect_refused(struct run_result r, const char *const *want)
{
	if (r.status != 3)
		fail_msg("expected exit 3, got %d: %s%s", r.status, r.out, r.err);
	assert_int_equal(strncmp(r.err, "boxoffice: database unreachable: ", 33), 0);
	assert_non_null(strchr(r.err, '\n'));
	assert_string_equal(strchr(r.err, '\n'), "\n"); /* one line */
	for (; *want; want++)
		if (!strstr(r.err, *want))
			fail_msg("'%s' not in: %s", *want, r.err);
	run_free(&r);
}

static void expect_ok(struct run_result r)
{
	if (r.status != 0)
		fail_msg("exit %d: %s%s", r.status, r.out, r.err);
	run_free(&r);
}

static void test_verify_full_by_default_works_with_the_ca(void **state)
{
	char extra[1024], v[64];
	const char *conninfo, *event = unique_name("TLS Gala");
	struct db *db;
	PQconninfoOption *all, *o;
	struct run_result r;
	(void)state;

	snprintf(extra, sizeof extra, "user=" CLERK " password=" CLERK_PASSWORD " sslrootcert=%s", ca);
	conninfo = tls_conninfo(HOSTNAME, extra);
	expect_ok(station(conninfo, "migrate"));
	expect_ok(station(conninfo, "migrate")); /* the second changes nothing */
	{
		char args[300];
		snprintf(args, sizeof args, "event add --name '%s' --date 2099-03-03", event);
		expect_ok(station(conninfo, args));
		snprintf(args, sizeof args, "type add --event '%s' --name Adult --capacity 5 --price 1000", event);
		expect_ok(station(conninfo, args));
		snprintf(args, sizeof args, "sell --event '%s' --type Adult --qty 2 --payment card", event);
		r = station(conninfo, args);
		if (r.status != 0)
			fail_msg("sell: %s", r.err);
		assert_non_null(strstr(r.out, "\"tickets\""));
		run_free(&r);
	}

	/* the station's own connection: TLS, verify-full, nobody said so */
	unsetenv("PGSSLMODE");
	unsetenv("PGSSLROOTCERT");
	db = db_new(conninfo, "tls-test");
	assert_true(db_connect(db));
	assert_true(PQsslInUse(db->conn));
	v[0] = '\0';
	all = PQconninfo(db->conn);
	for (o = all; o && o->keyword; o++)
		if (strcmp(o->keyword, "sslmode") == 0)
			snprintf(v, sizeof v, "%s", o->val ? o->val : "");
	PQconninfoFree(all);
	assert_string_equal(v, "verify-full");
	db_free(db);
}

static void test_root_crt_in_home_is_found(void **state)
{
	char dir[400];
	struct run_result r;
	(void)state;

	snprintf(dir, sizeof dir, "%s/.postgresql", home);
	r = run_cmd("mkdir -p '%s' && cp '%s' '%s/root.crt'", dir, ca, dir);
	assert_int_equal(r.status, 0);
	run_free(&r);
	expect_ok(station(tls_conninfo(HOSTNAME, "user=" CLERK " password=" CLERK_PASSWORD), "event list --json"));
	r = run_cmd("rm -rf '%s'", dir);
	run_free(&r);
}

static void test_refused_without_the_ca(void **state)
{
	static const char *const want[] = { "root.crt", "sslrootcert", "could not be verified", NULL };
	(void)state;
	expect_refused(station(tls_conninfo(HOSTNAME, "user=" CLERK " password=" CLERK_PASSWORD), "event list"), want);
}

static void test_refused_with_another_ca(void **state)
{
	static const char *const want[] = { "could not be verified", "sslrootcert", NULL };
	char extra[1024];
	(void)state;
	snprintf(extra, sizeof extra, "user=" CLERK " password=" CLERK_PASSWORD " sslrootcert=%s", other_ca);
	expect_refused(station(tls_conninfo(HOSTNAME, extra), "event list"), want);
}

static void test_refused_when_the_name_does_not_match(void **state)
{
	static const char *const want[] = { "does not match host name", "elsewhere.test", "host=NAME", NULL };
	char extra[1024];
	(void)state;
	snprintf(extra, sizeof extra, "user=" CLERK " password=" CLERK_PASSWORD " sslrootcert=%s", ca);
	expect_refused(station(tls_conninfo("elsewhere.test", extra), "event list"), want);
}

/* The user's sslmode wins over the default (require: encrypted, not
 * verified, so no CA needed); the server itself refuses a plain link. */
static void test_explicit_sslmode_wins_and_plaintext_is_refused(void **state)
{
	static const char *const want[] = { "no encryption", "TLS connections only", NULL };
	struct run_result r;
	(void)state;

	expect_ok(station(tls_conninfo(HOSTNAME, "user=" CLERK " password=" CLERK_PASSWORD " sslmode=require"),
			  "event list"));
	r = run_cmd(STATION_ENV "PGSSLMODE=require $BOXOFFICE -d '%s' event list", home,
		    tls_conninfo(HOSTNAME, "user=" CLERK " password=" CLERK_PASSWORD));
	expect_ok(r);
	expect_refused(station(tls_conninfo(HOSTNAME, "user=" CLERK " password=" CLERK_PASSWORD " sslmode=disable"),
			       "event list"),
		       want);
}

static void test_certificate_login_needs_no_password(void **state)
{
	static const char *const want[] = { "client certificate", "sslcert=", NULL };
	char extra[1024];
	(void)state;

	snprintf(extra, sizeof extra, "user=" CERT_LOGIN " sslrootcert=%s sslcert=%s/ca/client.crt sslkey=%s/ca/client.key",
		 ca, base, base);
	expect_ok(station(tls_conninfo(HOSTNAME, extra), "migrate"));
	expect_ok(station(tls_conninfo(HOSTNAME, extra), "event list --json"));
	/* without the certificate the login has no way in */
	snprintf(extra, sizeof extra, "user=" CERT_LOGIN " sslrootcert=%s", ca);
	expect_refused(station(tls_conninfo(HOSTNAME, extra), "event list"), want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify_full_by_default_works_with_the_ca),
		cmocka_unit_test(test_root_crt_in_home_is_found),
		cmocka_unit_test(test_refused_without_the_ca),
		cmocka_unit_test(test_refused_with_another_ca),
		cmocka_unit_test(test_refused_when_the_name_does_not_match),
		cmocka_unit_test(test_explicit_sslmode_wins_and_plaintext_is_refused),
		cmocka_unit_test(test_certificate_login_needs_no_password),
	};
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, start_tls_cluster, stop_tls_cluster);
}

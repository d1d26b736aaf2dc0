/* The README's `boxoffice serve` examples work against a database like
 * `make run`'s (migrated, demo data loaded): the block between the
 * serve-examples marker and its closing fence is run as it is, on a free
 * port instead of 8080, with ./boxoffice being the binary under test. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "http.h"

#ifndef README_PATH
#define README_PATH "README.md"
#endif

static PGconn *conn;

static int setup(void **state)
{
	(void)state;
	conn = test_migrate_connect();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

/* The README's block, with every 8080 replaced by port. */
static char *examples(int port)
{
	FILE *f = fopen(README_PATH, "r");
	char line[2000], portText[16], *out = calloc(1, 65536);
	int state = 0;
	size_t n = 0;

	assert_non_null(f);
	snprintf(portText, sizeof portText, "%d", port);
	while (fgets(line, sizeof line, f)) {
		if (state == 0 && strstr(line, "<!-- serve-examples"))
			state = 1;
		else if (state == 1 && strncmp(line, "```sh", 5) == 0)
			state = 2;
		else if (state == 2 && strncmp(line, "```", 3) == 0)
			break;
		else if (state == 2) {
			for (char *p = line; *p && n + 8 < 65536; p++) {
				if (strncmp(p, "8080", 4) == 0) {
					n += (size_t)snprintf(out + n, 65536 - n, "%s", portText);
					p += 3;
				} else {
					out[n++] = *p;
				}
			}
		}
	}
	fclose(f);
	assert_int_equal(state, 2);
	return out;
}

static void test_readme_examples_work_on_demo_data(void **state)
{
	char dir[] = "/tmp/boxoffice-readme-XXXXXX", path[200], conninfo[200];
	struct served probe;
	struct run_result r;
	FILE *f;
	char *script;
	PGconn *d;

	(void)state;
	PQclear(test_query(conn, "DROP DATABASE IF EXISTS serve_readme", 0, NULL));
	PQclear(test_query(conn, "CREATE DATABASE serve_readme", 0, NULL));
	snprintf(conninfo, sizeof conninfo, "%s", admin_conninfo("serve_readme"));
	r = run_cmd("$BOXOFFICE -d '%s' migrate >/dev/null && $BOXOFFICE -d '%s' demo --orders 200 >/dev/null", conninfo,
		    conninfo);
	if (r.status != 0)
		fail_msg("demo: %s", r.err);
	run_free(&r);
	/* a free port, the way serve_start finds one */
	serve_start_as(&probe, NULL, (const char *[]){ "-d", "dbname=serve_readme", NULL }, NULL);
	assert_int_equal(serve_stop(&probe), 0);
	script = examples(probe.port);
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/boxoffice", dir);
	assert_int_equal(symlink(boxoffice_bin(), path), 0);
	snprintf(path, sizeof path, "%s/examples.sh", dir);
	f = fopen(path, "w");
	fputs(script, f);
	fclose(f);
	r = run_cmd("cd %s && PGDATABASE=serve_readme bash -e examples.sh 2>serve.err; echo \"rc=$?\"", dir);
	if (!strstr(r.out, "rc=0"))
		fail_msg("the README's examples failed: %s", r.out);
	/* each answer is what the README says it is */
	assert_non_null(strstr(r.out, "\"op\":\"hold\""));
	assert_non_null(strstr(r.out, "\"op\":\"confirm\""));
	assert_non_null(strstr(r.out, "\"status\":\"settled\""));
	assert_non_null(strstr(r.out, "\"available\""));
	assert_non_null(strstr(r.out, "\"status\":\"requested\""));
	assert_null(strstr(r.out, "\"error\""));
	run_free(&r);
	d = PQconnectdb(admin_conninfo("serve_readme"));
	assert_int_equal(PQstatus(d), CONNECTION_OK);
	assert_int_equal(test_scalar(d, "SELECT count(*) FROM ticket_order WHERE company = 'Acme AS' AND channel = 'web'", 0, NULL), 2);
	assert_int_equal(test_scalar(d, "SELECT count(*) FROM change_log WHERE api_key LIKE 'web:%'", 0, NULL) >= 3, 1);
	PQfinish(d);
	r = run_cmd("rm -rf %s", dir);
	run_free(&r);
	free(script);
	PQclear(test_query(conn, "DROP DATABASE IF EXISTS serve_readme WITH (FORCE)", 0, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readme_examples_work_on_demo_data),
	};
	return cmocka_run_group_tests_name("serve_readme", tests, setup, teardown);
}

/* An installed boxoffice works from any folder: `make install PREFIX=DIR`,
 * then DIR/bin/boxoffice run from / migrates, sells, checks in (its state
 * in the state folder, not in the build tree) and draws badges with the
 * installed template, not the built-in defaults. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

static char prefix[300], bin[400];

static char *file_bytes(const char *path, long *n)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)*n + 1);
	assert_int_equal(fread(buf, 1, (size_t)*n, f), (size_t)*n);
	fclose(f);
	return buf;
}

static void test_installed_binary_works_from_anywhere(void **state)
{
	struct run_result r;
	char installed_png[400], tree_png[400], default_png[400], statedir[400];
	long a, b, c;
	char *pa, *pb, *pc;
	json_t *doc;
	long long ev, order, ticket;
	(void)state;

	snprintf(prefix, sizeof prefix, "%s/installed", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp");
	r = run_cmd("make -s install PREFIX='%s' >/dev/null", prefix);
	if (r.status != 0)
		fail_msg("make install: %s", r.err);
	run_free(&r);
	snprintf(bin, sizeof bin, "%s/bin/boxoffice", prefix);
	snprintf(statedir, sizeof statedir, "%s/state", prefix);
	assert_int_equal(access(bin, X_OK), 0);

	r = run_cmd("cd / && '%s' --version && '%s' migrate", bin, bin);
	assert_int_equal(r.status, 0);
	run_free(&r);
	doc = cli_json("cd / && '%s' event add --name '%s' --date 2099-02-02", bin, unique_name("Installed"));
	ev = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	json_decref(cli_json("cd / && '%s' type add --event %lld --name Adult --capacity 10 --price 500", bin, ev));
	doc = cli_json("cd / && '%s' sell --event %lld --type Adult --qty 1 --payment card", bin, ev);
	order = json_integer_value(json_object_get(doc, "id"));
	ticket = json_integer_value(json_array_get(json_object_get(doc, "tickets"), 0));
	json_decref(doc);
	assert_true(order > 0 && ticket > 0);

	/* Badges: the installed template is found from /. */
	snprintf(installed_png, sizeof installed_png, "%s/installed.png", prefix);
	snprintf(tree_png, sizeof tree_png, "%s/tree.png", prefix);
	snprintf(default_png, sizeof default_png, "%s/default.png", prefix);
	r = run_cmd("cd / && '%s' ticket badge %lld --png '%s' && $BOXOFFICE ticket badge %lld --png '%s' && "
		    "BOXOFFICE_ASSETS=/nonexistent $BOXOFFICE ticket badge %lld --png '%s'",
		    bin, ticket, installed_png, ticket, tree_png, ticket, default_png);
	if (r.status != 0)
		fail_msg("badges: %s", r.err);
	run_free(&r);
	pa = file_bytes(installed_png, &a);
	pb = file_bytes(tree_png, &b);
	pc = file_bytes(default_png, &c);
	assert_true(a == b && memcmp(pa, pb, (size_t)a) == 0);
	assert_false(a == c && memcmp(pa, pc, (size_t)a) == 0);
	free(pa);
	free(pb);
	free(pc);

	/* A gate keeps its state in the state folder it is given. */
	r = run_cmd("cd / && '%s' --state-dir '%s' checkin --gate installed --refresh-cache && "
		    "ls '%s'/*/gate-installed.cache", bin, statedir, statedir);
	if (r.status != 0)
		fail_msg("checkin: %s %s", r.out, r.err);
	run_free(&r);
	r = run_cmd("cd / && '%s' order list --event %lld --json", bin, ev);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "\"status\":\"settled\""));
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_installed_binary_works_from_anywhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

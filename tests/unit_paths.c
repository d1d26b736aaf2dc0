/* Where state and assets live: the precedence of --state-dir,
 * BOXOFFICE_STATE and XDG, and file names made safe from station and gate
 * names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers.h"
#include "src/app/paths.h"

static void test_state_dir_precedence(void **state)
{
	(void)state;
	unsetenv("BOXOFFICE_STATE");
	setenv("XDG_STATE_HOME", "/xdg/state", 1);
	setenv("HOME", "/home/clerk", 1);
	paths_set_state_dir(NULL);
	assert_string_equal(paths_state_dir(), "/xdg/state/boxoffice");
	unsetenv("XDG_STATE_HOME");
	paths_set_state_dir(NULL);
	assert_string_equal(paths_state_dir(), "/home/clerk/.local/state/boxoffice");
	/* A relative XDG_STATE_HOME is invalid by the spec and ignored. */
	setenv("XDG_STATE_HOME", "relative", 1);
	paths_set_state_dir(NULL);
	assert_string_equal(paths_state_dir(), "/home/clerk/.local/state/boxoffice");
	setenv("BOXOFFICE_STATE", "/srv/gate", 1);
	paths_set_state_dir(NULL);
	assert_string_equal(paths_state_dir(), "/srv/gate");
	paths_set_state_dir("/given");
	assert_string_equal(paths_state_dir(), "/given");
}

static void test_file_component_is_safe(void **state)
{
	char out[256];
	(void)state;
	paths_file_component(out, sizeof out, "north-1.b_2");
	assert_string_equal(out, "north-1.b_2");
	paths_file_component(out, sizeof out, "../../etc/passwd");
	assert_null(strchr(out, '/'));
	assert_string_equal(out, "%2E.%2F..%2Fetc%2Fpasswd");
	paths_file_component(out, sizeof out, "..");
	assert_string_not_equal(out, "..");
	paths_file_component(out, sizeof out, "door\\a b");
	assert_string_equal(out, "door%5Ca%20b");
	paths_file_component(out, sizeof out, "Åsa");
	assert_string_equal(out, "%C3%85sa");
	/* Cut whole: never half an escape. */
	paths_file_component(out, 6, "a/b/c");
	assert_string_equal(out, "a%2F");
}

static void test_mkdirs_makes_parents(void **state)
{
	char dir[] = "/tmp/boxoffice-paths-XXXXXX", deep[128];
	struct stat st;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(deep, sizeof deep, "%s/a/b/c", dir);
	assert_int_equal(paths_mkdirs(deep), 0);
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(paths_mkdirs(deep), 0); /* again: fine */
	snprintf(deep, sizeof deep, "rm -rf %s", dir);
	assert_int_equal(system(deep), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_dir_precedence),
		cmocka_unit_test(test_file_component_is_safe),
		cmocka_unit_test(test_mkdirs_makes_parents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

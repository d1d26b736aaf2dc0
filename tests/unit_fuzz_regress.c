/* What fuzzing found stays found: every input under tests/fuzz/regress/NAME/
 * (each once crashed the NAME harness, or broke what it checks, before
 * its fix) and every seed under tests/fuzz/corpus/NAME/ runs through the
 * harness's own code (tests/fuzz/targets.c). A fixed bug that comes back
 * aborts this program (under make SANITIZE=1 test, a memory bug is caught
 * as it happens). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "fuzz/targets.h"

#ifndef FUZZ_DIR
#define FUZZ_DIR "tests/fuzz"
#endif

static unsigned char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *data = NULL;
	size_t cap = 0, n;

	assert_non_null(f);
	*len = 0;
	do {
		if (*len == cap)
			data = realloc(data, cap = cap ? cap * 2 : 4096);
		assert_non_null(data);
		n = fread(data + *len, 1, cap - *len, f);
		*len += n;
	} while (n > 0);
	fclose(f);
	return data;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every file of FUZZ_DIR/kind/name/ through the target, its own
 * error lines (the CLI's usage errors) kept off the test's output.
 * Returns the number of files. */
static int run_dir(const struct fuzz_target *t, const char *kind)
{
	char dir[1024], path[2048];
	DIR *d;
	struct dirent *e;
	char *names[4096];
	int n = 0;
	static FILE *quiet;

	if (!quiet)
		assert_non_null(quiet = fopen("/dev/null", "w"));
	snprintf(dir, sizeof dir, "%s/%s/%s", FUZZ_DIR, kind, t->name);
	if (!(d = opendir(dir))) {
		assert_int_equal(errno, ENOENT);
		return 0;
	}
	while ((e = readdir(d)) && n < (int)(sizeof names / sizeof names[0]))
		if (e->d_name[0] != '.')
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, (size_t)n, sizeof names[0], by_name);
	for (int i = 0; i < n; i++) {
		int rc;
		size_t len;
		unsigned char *data;
		struct stat st;
		FILE *saved = stderr;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		assert_int_equal(stat(path, &st), 0);
		if (!S_ISREG(st.st_mode)) {
			free(names[i]);
			continue;
		}
		data = read_all(path, &len);
		printf("%s %s/%s (%zu bytes)\n", t->name, kind, names[i], len);
		fflush(stdout);
		/* the targets' own error lines (stdio's stderr) go nowhere; a
		 * broken property and the sanitizers still write to fd 2 */
		stderr = quiet;
		rc = t->run(data, len);
		stderr = saved;
		assert_int_equal(rc, 0);
		free(data);
		free(names[i]);
	}
	return n;
}

static void test_target(void **state)
{
	const struct fuzz_target *t = *state;
	int seeds = run_dir(t, "corpus");
	run_dir(t, "regress");
	assert_true(seeds > 0); /* every harness has seeds */
}

int main(void)
{
	struct CMUnitTest tests[16];
	static char names[16][64];
	size_t n = 0;

	for (const struct fuzz_target *t = fuzz_targets; t->name && n < 16; t++) {
		snprintf(names[n], sizeof names[n], "test_fuzz_%s", t->name);
		tests[n] = (struct CMUnitTest){ names[n], test_target, NULL, NULL, (void *)t };
		n++;
	}
	return _cmocka_run_group_tests("fuzz_regress", tests, n, NULL, NULL);
}

/* boxoffice(1) and the systemd unit of `boxoffice serve`: `make install`
 * puts them where man and systemd look (the unit's ExecStart names the
 * installed binary), the page renders with `man -l` and without a single
 * groff warning, and it has an entry for every command of commands[] (and
 * for serve, apikey, platform secret, ticket link) and documents every
 * variable the sources read from the environment. The checker is shown to
 * catch a page that lacks a command or a variable. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "src/app/cli.h"

/* The source tree: the Makefile gives every object the tree's assets
 * folder, so the test finds it from any working folder. */
static char root[1024], page[1100], tmp[512];

/* Commands that are documented whether or not this tree's table has them
 * yet (issue 15's serve and its keys). */
static const char *const extra_commands[] = {
	"serve", "apikey add", "apikey list", "apikey revoke", "platform secret", "ticket link", NULL,
};

static char *file_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n)
		n = 0;
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int setup(void **state)
{
	const char *assets = BOXOFFICE_ASSETS;
	size_t n = strlen(assets);
	(void)state;

	if (n < 7 || strcmp(assets + n - 7, "/assets") != 0 || n - 7 >= sizeof root)
		return -1;
	memcpy(root, assets, n - 7);
	root[n - 7] = '\0';
	snprintf(page, sizeof page, "%s/assets/boxoffice.1", root);
	snprintf(tmp, sizeof tmp, "%s/boxoffice-manpage.XXXXXX",
		 getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp");
	return mkdtemp(tmp) ? 0 : -1;
}

static int teardown(void **state)
{
	struct run_result r = run_cmd("rm -rf '%s'", tmp);
	(void)state;
	run_free(&r);
	return 0;
}

/* The page as man renders it at 80 columns, plain text. */
static char *render(const char *path)
{
	struct run_result r = run_cmd("env -u MAN_KEEP_FORMATTING LC_ALL=C.UTF-8 MANWIDTH=80 man -l '%s'", path);
	char *text = r.out;
	if (r.status != 0)
		fail_msg("man -l %s: exit %d: %s", path, r.status, r.err);
	assert_true(strlen(text) > 1000);
	free(r.err);
	return text;
}

/* The lines of a top-level section: from its heading to the next one. */
static char *section(const char *text, const char *name)
{
	char head[64];
	const char *start, *end;
	char *out;

	snprintf(head, sizeof head, "\n%s\n", name);
	start = strstr(text, head);
	if (!start)
		return strdup("");
	start += strlen(head) - 1;
	/* the next heading: a line that starts with a capital, unindented */
	for (end = start + 1; *end; end++)
		if (end[-1] == '\n' && isupper((unsigned char)*end))
			break;
	out = strndup(start, (size_t)(end - start));
	assert_non_null(out);
	return out;
}

/* Where the entry of a command starts in COMMANDS: a tag line, indented 7,
 * after an empty line or a subsection's heading (not a line of running
 * text that happens to start with the word), that starts with the
 * command's words, then the end of the line or a space and anything but a
 * lower-case word (so `hold` is not found in `hold confirm`, nor `ticket
 * assign` in `ticket assign-csv`). */
static const char *entry_of(const char *section_text, const char *words)
{
	size_t n = strlen(words);
	for (const char *p = section_text; (p = strstr(p, words)); p++) {
		const char *prev;
		if (p - section_text < 9 || strncmp(p - 8, "\n       ", 8) != 0)
			continue;
		if (p[-9] != '\n') { /* the line before is not empty: a heading? */
			for (prev = p - 9; prev > section_text && prev[-1] != '\n'; prev--)
				;
			if (strncmp(prev, "   ", 3) != 0 || prev[3] == ' ')
				continue;
		}
		if (p[n] == '\n' || (p[n] == ' ' && !islower((unsigned char)p[n + 1])))
			return p;
	}
	return NULL;
}

/* One item of page_lacks' list, whole. */
static bool lacks(const char *missing, const char *item)
{
	size_t n = strlen(item);
	for (const char *p = missing; (p = strstr(p, item)); p++)
		if ((p == missing || (p >= missing + 2 && strncmp(p - 2, ", ", 2) == 0)) &&
		    (p[n] == '\0' || strncmp(p + n, ", ", 2) == 0))
			return true;
	return false;
}

static void add_missing(char *missing, size_t size, const char *what)
{
	size_t len = strlen(missing);
	snprintf(missing + len, size - len, "%s%s", len ? ", " : "", what);
}

/* The environment variables the sources read: every getenv("NAME") and
 * every BOXOFFICE_* and PG* string (libpq's variables are read through
 * tables of names), grepped from the tree as it is now. */
static char *env_names(void)
{
	struct run_result r = run_cmd("cd '%s' && grep -rhoE 'getenv\\(\"[A-Za-z_][A-Za-z0-9_]*\"\\)|\"(BOXOFFICE|PG)[A-Z0-9_]+\"' "
				      "src screens | grep -oE '[A-Z][A-Z0-9_]+' | sort -u",
				      root);
	char *names = r.out;
	assert_int_equal(r.status, 0);
	free(r.err);
	/* the grep itself works: it finds what is known to be read */
	assert_non_null(strstr(names, "PGHOST\n"));
	assert_non_null(strstr(names, "BOXOFFICE_STATE\n"));
	assert_non_null(strstr(names, "BOXOFFICE_DEADLINE_MS\n"));
	assert_non_null(strstr(names, "XDG_STATE_HOME\n"));
	assert_non_null(strstr(names, "HOME\n"));
	return names;
}

static bool has_word(const char *text, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = text; (p = strstr(p, word)); p++) {
		bool before = p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		bool after = !(isalnum((unsigned char)p[n]) || p[n] == '_');
		if (before && after)
			return true;
	}
	return false;
}

/* What the rendered page lacks: commands without an entry, flags of a
 * command's usage that its entry does not name, environment variables
 * that ENVIRONMENT does not name. "" when nothing. */
static char *page_lacks(const char *text)
{
	char *listed = section(text, "COMMANDS"), *environment = section(text, "ENVIRONMENT");
	char *names = env_names(), *missing = calloc(1, 8192);
	const char *starts[256];
	int nstarts = 0;

	assert_non_null(missing);
	/* every entry's start, to know where each ends */
	for (const struct command *c = commands; c->name; c++) {
		char words[96];
		const char *at;
		snprintf(words, sizeof words, "%s%s%s", c->name, c->sub ? " " : "", c->sub ? c->sub : "");
		if ((at = entry_of(listed, words)) && nstarts < 256)
			starts[nstarts++] = at;
	}
	for (int i = 0; extra_commands[i]; i++) {
		const char *at = entry_of(listed, extra_commands[i]);
		if (!at)
			add_missing(missing, 8192, extra_commands[i]);
		else if (nstarts < 256)
			starts[nstarts++] = at;
	}
	for (const struct command *c = commands; c->name; c++) {
		char words[96], *entry;
		const char *at, *end = listed + strlen(listed);
		snprintf(words, sizeof words, "%s%s%s", c->name, c->sub ? " " : "", c->sub ? c->sub : "");
		if (!(at = entry_of(listed, words))) {
			add_missing(missing, 8192, words);
			continue;
		}
		for (int i = 0; i < nstarts; i++)
			if (starts[i] > at && starts[i] < end)
				end = starts[i];
		entry = strndup(at, (size_t)(end - at));
		/* every flag of its usage line */
		for (const char *u = c->usage; (u = strstr(u, "--"));) {
			char flag[64], what[160];
			size_t n = 2 + strspn(u + 2, "abcdefghijklmnopqrstuvwxyz-");
			snprintf(flag, sizeof flag, "%.*s", (int)n, u);
			if (!strstr(entry, flag)) {
				snprintf(what, sizeof what, "%s %s", words, flag);
				add_missing(missing, 8192, what);
			}
			u += n;
		}
		free(entry);
	}
	for (char *name = strtok(names, "\n"); name; name = strtok(NULL, "\n"))
		if (!has_word(environment, name))
			add_missing(missing, 8192, name);
	free(listed);
	free(environment);
	free(names);
	return missing;
}

static void test_install_puts_page_and_unit_in_place(void **state)
{
	char bin[700], man1[700], unit[700], data[700], check[800];
	char *installed, *source, *text;
	struct run_result r;
	struct stat st;
	(void)state;

	r = run_cmd("make -s -C '%s' install DESTDIR='%s/dest' PREFIX=/usr >/dev/null", root, tmp);
	if (r.status != 0)
		fail_msg("make install: %s", r.err);
	run_free(&r);
	snprintf(bin, sizeof bin, "%s/dest/usr/bin/boxoffice", tmp);
	snprintf(man1, sizeof man1, "%s/dest/usr/share/man/man1/boxoffice.1", tmp);
	snprintf(unit, sizeof unit, "%s/dest/usr/lib/systemd/system/boxoffice-serve.service", tmp);
	snprintf(data, sizeof data, "%s/dest/usr/share/boxoffice", tmp);
	assert_int_equal(access(bin, X_OK), 0);

	/* the page as it is in the tree */
	installed = file_text(man1);
	source = file_text(page);
	assert_non_null(installed);
	assert_non_null(source);
	assert_string_equal(installed, source);
	free(installed);
	free(source);
	assert_int_equal(stat(man1, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);

	/* the unit runs the installed binary (not DESTDIR's path) */
	text = file_text(unit);
	assert_non_null(text);
	if (!strstr(text, "\nExecStart=/usr/bin/boxoffice serve"))
		fail_msg("the unit's ExecStart does not run /usr/bin/boxoffice serve:\n%s", text);
	assert_null(strstr(text, "@BINDIR@"));
	assert_null(strstr(text, "/dest/"));
	assert_non_null(strstr(text, "\nKillSignal=SIGTERM"));
	assert_non_null(strstr(text, "\nRestart=on-failure"));
	assert_non_null(strstr(text, "\nEnvironmentFile=-/etc/default/boxoffice"));
	assert_non_null(strstr(text, "\nNoNewPrivileges=yes"));
	free(text);
	assert_int_equal(stat(unit, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);

	/* neither lands among the assets */
	snprintf(check, sizeof check, "%s/badge.conf", data);
	assert_int_equal(access(check, R_OK), 0);
	snprintf(check, sizeof check, "%s/boxoffice.1", data);
	assert_int_not_equal(access(check, F_OK), 0);
	snprintf(check, sizeof check, "%s/boxoffice-serve.service", data);
	assert_int_not_equal(access(check, F_OK), 0);

	/* systemd reads the unit without a complaint, where it can be asked
	 * (ExecStart pointed at the tree's binary, which exists here) */
	r = run_cmd("command -v systemd-analyze >/dev/null || exit 0; "
		    "sed 's|=/usr/bin/boxoffice |=%s/boxoffice |' '%s' > '%s/boxoffice-serve.service' && "
		    "systemd-analyze verify --man=no '%s/boxoffice-serve.service' 2>&1",
		    root, unit, tmp, tmp);
	if (r.status != 0 || r.out[0])
		fail_msg("systemd-analyze verify: exit %d: %s", r.status, r.out);
	run_free(&r);

	r = run_cmd("make -s -C '%s' uninstall DESTDIR='%s/dest' PREFIX=/usr >/dev/null", root, tmp);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_int_not_equal(access(man1, F_OK), 0);
	assert_int_not_equal(access(unit, F_OK), 0);
	assert_int_not_equal(access(bin, F_OK), 0);
}

static void test_page_renders_without_warnings(void **state)
{
	struct run_result r;
	char *text;
	(void)state;

	text = render(page);
	assert_non_null(strstr(text, "BOXOFFICE(1)"));
	free(text);
	r = run_cmd("LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 '%s'", page);
	if (r.status != 0 || r.err[0] || r.out[0])
		fail_msg("groff -ww: exit %d: %s%s", r.status, r.err, r.out);
	run_free(&r);
}

static void test_page_covers_every_command_and_variable(void **state)
{
	char *text = render(page), *missing = page_lacks(text);
	(void)state;

	if (missing[0])
		fail_msg("boxoffice(1) lacks: %s", missing);
	free(missing);
	free(text);
}

/* The checker catches what it should: a page whose `capacity` entry,
 * `order refund` entry, `serve` entry, checkin's --override and
 * BOXOFFICE_VERDICT_MS are gone. */
static void test_checker_catches_a_missing_command(void **state)
{
	char copy[600], *text, *missing;
	struct run_result r;
	(void)state;

	snprintf(copy, sizeof copy, "%s/lacking.1", tmp);
	r = run_cmd("sed -e 's/^\\\\fBcapacity\\\\fR /\\\\fBkapacity\\\\fR /' "
		    "-e 's/^\\\\fBorder\\\\ refund\\\\fR/\\\\fBorder\\\\ refunds\\\\fR/' "
		    "-e 's/^\\\\fBserve\\\\fR \\[/\\\\fBserver\\\\fR [/' "
		    "-e 's/\\\\-\\\\-override/\\\\-\\\\-overrule/g' "
		    "-e 's/BOXOFFICE_VERDICT_MS/BOXOFFICE_VERDICT_SEC/g' '%s' > '%s' && ! cmp -s '%s' '%s'",
		    page, copy, page, copy);
	assert_int_equal(r.status, 0);
	run_free(&r);
	text = render(copy);
	missing = page_lacks(text);
	if (!lacks(missing, "capacity") || !lacks(missing, "order refund") || !lacks(missing, "serve") ||
	    !lacks(missing, "checkin --override") || !lacks(missing, "BOXOFFICE_VERDICT_MS"))
		fail_msg("the checker missed a gap; it found: %s", missing);
	/* and nothing else */
	assert_false(lacks(missing, "order settle"));
	assert_false(lacks(missing, "PGHOST"));
	free(missing);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_install_puts_page_and_unit_in_place),
		cmocka_unit_test(test_page_renders_without_warnings),
		cmocka_unit_test(test_page_covers_every_command_and_variable),
		cmocka_unit_test(test_checker_catches_a_missing_command),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

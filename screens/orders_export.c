/* Ticket Orders: CSV export of the orders the filter shows, in its sort.
 * The path takes ~ and ~user as a shell does; an existing file is replaced
 * only when the clerk says so; a file that cannot be written says why. */
#include <ctype.h>
#include <curses.h>
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../src/core/util.h"
#include "orders.h"

struct export_ctx {
	struct app *app;
	bool stopped;
};

static bool export_progress(long long rows, void *ctx)
{
	struct export_ctx *e = ctx;
	int ch;
	char stop[16];
	mvprintw(LINES - 2, 1, "Exporting… %lld rows (%s stops)   ", rows, key_hint("modal", ACT_BACK, stop, sizeof stop));
	refresh();
	while ((ch = getch()) != ERR)
		if (keymap_modal(ch) == ACT_BACK)
			e->stopped = true;
	return !e->stopped;
}

/* "~", "~/x", "~user/x" as the shell expands them; other paths as typed.
 * False when the home folder is not known (then out is the path as typed). */
static bool expand_home(const char *path, char *out, size_t size)
{
	const char *rest, *home = NULL;
	char user[256];
	struct passwd *pw;

	snprintf(out, size, "%s", path);
	if (path[0] != '~')
		return true;
	rest = strchr(path, '/');
	if (!rest)
		rest = path + strlen(path);
	if (rest == path + 1) {
		home = getenv("HOME");
		if ((!home || !home[0]) && (pw = getpwuid(getuid())))
			home = pw->pw_dir;
	} else {
		snprintf(user, sizeof user, "%.*s", (int)(rest - path - 1), path + 1);
		if ((pw = getpwnam(user)))
			home = pw->pw_dir;
	}
	if (!home || !home[0])
		return false;
	snprintf(out, size, "%s%s", home, rest);
	return true;
}

/* strerror in the status line's words: "permission denied". */
static const char *reason(int err)
{
	static char buf[128];
	snprintf(buf, sizeof buf, "%s", strerror(err));
	buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

/* path: where it goes; shown: as the clerk typed it ("~/x.csv") */
static int run_export(struct app *app, struct orders_state *s, const char *path, const char *shown)
{
	char tmp[4200];
	FILE *out;
	long long rows;
	int err = 0;
	struct export_ctx ctx = { app, false };

	snprintf(tmp, sizeof tmp, "%s.part", path);
	if (!(out = fopen(tmp, "w"))) {
		app_status(app, true, "export: cannot write %s: %s", shown, reason(errno));
		return SCR_HANDLED | SCR_REDRAW;
	}
	rows = db_order_export(app_db(app), &s->filter, s->sort, s->descending, out, export_progress, &ctx);
	if (fclose(out) != 0 && rows >= 0) {
		err = errno;
		rows = -2;
	}
	if (rows >= 0 && rename(tmp, path) != 0) {
		err = errno;
		rows = -2;
	}
	if (rows >= 0) {
		app_status(app, false, "exported %lld orders to %s", rows, shown);
	} else {
		remove(tmp);
		app_status(app, true, "export to %s failed: %s", shown, rows == -2 ? reason(err) : app_db(app)->err);
	}
	return SCR_HANDLED | SCR_REDRAW;
}

/* Enter on the path: a folder is refused, an existing file asks first. */
int orders_export_ask(struct app *app, struct orders_state *s)
{
	char question[4200];
	struct stat st;

	s->act.prompt = PROMPT_NONE;
	if (!s->act.pfield.text[0]) {
		app_status(app, false, "not exported: no file given");
		return SCR_HANDLED | SCR_REDRAW;
	}
	snprintf(s->export_typed, sizeof s->export_typed, "%s", s->act.pfield.text);
	if (!expand_home(s->act.pfield.text, s->export_path, sizeof s->export_path)) {
		app_status(app, true, "export: cannot write %s: no home folder known", s->act.pfield.text);
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (stat(s->export_path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			app_status(app, true, "export: cannot write %s: %s", s->export_typed, reason(EISDIR));
			return SCR_HANDLED | SCR_REDRAW;
		}
		/* a long path keeps its end, so the question keeps its y/n */
		const char *name = s->export_typed;
		size_t len = strlen(name);
		if (len > 48)
			name += utf8_suffix(name, 45);
		snprintf(question, sizeof question, "%s%s exists: overwrite? y/n", name == s->export_typed ? "" : "…", name);
		order_actions_ask(&s->act, PROMPT_OVERWRITE, NULL, question, false, NULL);
		app_status(app, false, "%s", ""); /* the last export's line is not about this file */
		return SCR_HANDLED | SCR_REDRAW;
	}
	return run_export(app, s, s->export_path, s->export_typed);
}

/* A key while the export's prompts are open. */
int orders_export_key(struct app *app, struct orders_state *s, int key)
{
	int yes;

	if (s->act.prompt == PROMPT_OVERWRITE) {
		if ((yes = prompt_yes_no(key)) < 0)
			return keymap_modal(key) == ACT_NONE ? SCR_HANDLED : SCR_IGNORED;
		s->act.prompt = PROMPT_NONE;
		if (!yes) {
			app_status(app, false, "not exported: %s kept as it was", s->export_typed);
			return SCR_HANDLED | SCR_REDRAW;
		}
		return run_export(app, s, s->export_path, s->export_typed);
	}
	switch (keymap_modal(key)) {
	case ACT_BACK:
		s->act.prompt = PROMPT_NONE;
		app_status(app, false, "not exported");
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_SUBMIT:
		return orders_export_ask(app, s);
	case ACT_NONE:
		form_key(&s->act.pform, ACT_NONE, key);
		return SCR_HANDLED | SCR_REDRAW;
	default:
		return SCR_IGNORED;
	}
}

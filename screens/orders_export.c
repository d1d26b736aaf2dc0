/* Ticket Orders: CSV export of the orders the filter shows, in its sort. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

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

int orders_run_export(struct app *app, struct orders_state *s, const char *path)
{
	char tmp[4096];
	FILE *out;
	long long rows;
	struct export_ctx ctx = { app, false };

	snprintf(tmp, sizeof tmp, "%s.part", path);
	if (!(out = fopen(tmp, "w"))) {
		app_status(app, true, "export: cannot write %s: %m", path);
		return SCR_HANDLED | SCR_REDRAW;
	}
	rows = db_order_export(app_db(app), &s->filter, s->sort, s->descending, out, export_progress, &ctx);
	if (fclose(out) != 0 && rows >= 0)
		rows = -2;
	if (rows >= 0 && rename(tmp, path) == 0) {
		app_status(app, false, "exported %lld orders to %s", rows, path);
	} else {
		remove(tmp);
		app_status(app, true, "export to %s failed: %s", path,
			   rows == -2 ? "write error" : app_db(app)->err);
	}
	return SCR_HANDLED | SCR_REDRAW;
}

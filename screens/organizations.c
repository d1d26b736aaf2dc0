/* Event organizations: who an order's relationship is with — sponsors,
 * partners, exhibitors… with lifecycle, commercial status, visibility,
 * package, booth and category — and their orders' totals. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "../src/app/theme.h"
#include "../src/core/money.h"
#include "../src/db/async.h"
#include "../src/db/organizations.h"
#include "screen.h"

#define ORGS_MAX 200

struct org_row {
	char cells[EOG_ORDERS][120];
	long long orders, amount;
};

struct organizations_state {
	struct org_row rows[ORGS_MAX];
	struct list_cursor cursor;
	struct read_mark mark;
	int first_row_y; /* where the first row was drawn, for clicks */
};

/* The screen's columns are db_event_org_list's, in its order, up to its
 * orders (count and amount shown as one column). At 80 columns the name
 * keeps at least 24 and the orders stay; visibility, package, category
 * and booth give way first. */
enum { O_NAME = EOG_NAME, O_REL = EOG_RELATION, O_LIFE = EOG_LIFECYCLE, O_COMM = EOG_COMMERCIAL,
       O_VIS = EOG_VISIBILITY, O_PKG = EOG_PACKAGE, O_BOOTH = EOG_BOOTH, O_CAT = EOG_CATEGORY,
       O_ORDERS = EOG_ORDERS, O_COUNT };
static const struct column columns[O_COUNT] = {
	[O_NAME] = { "ORGANIZATION", 0, false, 0, 24 }, [O_REL] = { "RELATION", 10, false, 1, 0 },
	[O_LIFE] = { "LIFECYCLE", 11, false, 3, 0 }, [O_COMM] = { "COMMERCIAL", 10, false, 2, 0 },
	[O_VIS] = { "VISIBILITY", 10, false, 7, 0 }, [O_PKG] = { "PACKAGE", 8, false, 6, 0 },
	[O_BOOTH] = { "BOOTH", 6, false, 4, 0 }, [O_CAT] = { "CATEGORY", 11, false, 5, 0 },
	[O_ORDERS] = { "ORDERS · AMOUNT", 16, true, 0, 0 },
};

/* "12 · 997.50": the count, then the amount in currency units in what is
 * left of the width; both abbreviated rather than cut. */
static void orders_cell(char *out, size_t size, const struct org_row *r, int width)
{
	char n[32], m[32];
	int len = count_format_fit(n, sizeof n, r->orders, width > 7 ? 5 : width);

	if (width - len - 3 < 4) {
		snprintf(out, size, "%s", n);
		return;
	}
	money_format_fit(m, sizeof m, r->amount, width - len - 3);
	snprintf(out, size, "%s · %s", n, m);
}

static void organizations_answer(struct db *db, const PGresult *res, void *ctx)
{
	struct organizations_state *s = ctx;

	read_mark_answer(&s->mark, db, res != NULL);
	if (!res)
		return;
	s->cursor.count = PQntuples(res) < ORGS_MAX ? PQntuples(res) : ORGS_MAX;
	for (int i = 0; i < s->cursor.count && i < ORGS_MAX; i++) {
		for (int c = 0; c < O_ORDERS; c++)
			snprintf(s->rows[i].cells[c], sizeof s->rows[i].cells[c], "%s", db_text(res, i, c));
		s->rows[i].orders = db_int(res, i, EOG_ORDERS);
		s->rows[i].amount = db_int(res, i, EOG_AMOUNT);
	}
}

/* The rows shown stay (marked) until the answer replaces them. */
static void organizations_query(struct app *app, void *state)
{
	struct organizations_state *s = state;

	db_cancel_owner(app_db(app), s); /* a newer read supersedes */
	read_mark_sent(&s->mark, app,
		       db_event_org_list_submit(app_db(app), s, app_event_id(app), ORGS_MAX, organizations_answer, s));
}

static void organizations_draw(struct app *app, void *state, struct rect a)
{
	struct organizations_state *s = state;
	int xs[O_COUNT], ws[O_COUNT], shown, visible;
	char buf[600];
	const char *mark = read_mark_text(app, &s->mark, buf, sizeof buf);
	bool stale = read_mark_stale(app, &s->mark);

	visible = a.h - 2; /* the last line: a hint, or whether the rows are current */
	s->first_row_y = a.y + 1;

	shown = draw_columns(a.y, a.x + 1, a.w - 2, columns, O_COUNT, xs, ws, theme_attr(C_TITLE) | A_UNDERLINE);
	list_cursor_fit(&s->cursor, visible);
	if (mark) /* the last line says whether the rows are current */
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, mark, stale ? theme_attr(C_OFFLINE) : theme_attr(C_DIM));
	else
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4,
			  "Enter shows the organization's orders. Live: orders update the counts.", theme_attr(C_DIM));
	if (s->cursor.count == 0 && !mark)
		draw_text(a.y + 2, a.x + 2, a.w - 4, "No organizations for this event.", theme_attr(C_DIM));
	for (int i = 0; i < visible && s->cursor.top + i < s->cursor.count; i++) {
		const struct org_row *r = &s->rows[s->cursor.top + i];
		unsigned attr = s->cursor.top + i == s->cursor.selected ? theme_attr(C_SELECTED)
								       : stale ? theme_attr(C_DIM) : A_NORMAL;
		draw_fill(a.y + 1 + i, a.x, a.w, attr);
		for (int c = 0; c < shown; c++) {
			char cell[120];
			if (c == O_ORDERS)
				orders_cell(cell, sizeof cell, r, ws[c]);
			else
				snprintf(cell, sizeof cell, "%s", r->cells[c]);
			if (columns[c].right)
				draw_text_right(a.y + 1 + i, xs[c], ws[c], cell, attr);
			else
				draw_text(a.y + 1 + i, xs[c], ws[c], cell, attr);
		}
	}
}

static int organizations_key(struct app *app, void *state, enum action action, int key)
{
	struct organizations_state *s = state;
	(void)key;
	if (action == ACT_OPEN) {
		/* its orders: the Ticket Orders list searched on its name */
		if (s->cursor.count == 0)
			return SCR_HANDLED;
		app_push(app, &orders_screen,
			 &(struct screen_arg){ 0, s->rows[s->cursor.selected].cells[O_NAME] });
		return SCR_HANDLED;
	}
	return list_cursor_move(&s->cursor, action, s->cursor.visible > 0 ? s->cursor.visible : LINES - 5);
}

static int organizations_mouse(struct app *app, void *state, enum mouse_event event, int y, int x)
{
	struct organizations_state *s = state;
	bool open;
	(void)x;
	if (!list_cursor_mouse(&s->cursor, s->first_row_y, event, y, &open))
		return SCR_IGNORED;
	return open ? organizations_key(app, state, ACT_OPEN, 0) : SCR_HANDLED | SCR_REDRAW;
}

/* Orders move the counts and amounts; events and organizations the rows. */
static int organizations_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	(void)app;
	(void)state;
	(void)payload;
	return strcmp(channel, "boxoffice_orders") == 0 || strcmp(channel, "boxoffice_events") == 0 ? SCR_REQUERY
												 : SCR_IGNORED;
}

const struct screen_ops organizations_screen = {
	.name = "organizations",
	.needs = "clerk",
	.title = "Organizations",
	.state_size = sizeof(struct organizations_state),
	.query = organizations_query,
	.draw = organizations_draw,
	.on_key = organizations_key,
	.on_mouse = organizations_mouse,
	.on_notify = organizations_notify,
};

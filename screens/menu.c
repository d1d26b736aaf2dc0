/* The main menu: every screen registered in menu_entries, chosen with the
 * arrows and Enter or with its number. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "../src/app/theme.h"
#include "../src/core/role.h"
#include "screen.h"

/* Later screens plug in here: one line each. */
const struct menu_entry menu_entries[] = {
	{ '1', &events_screen },
	{ '2', &inventory_screen },
	{ '3', &orders_screen },
	{ '4', &mytickets_screen },
	{ '5', &checkin_screen },
	{ '6', &dashboard_screen },
	{ '7', &organizations_screen },
	{ '8', &audit_screen },
	{ '9', &alerts_screen },
	{ '0', &conflicts_screen },
	{ 0, NULL },
};

static const struct screen_ops *const all_screens[] = {
	&menu_screen, &help_screen, &events_screen, &inventory_screen, &sale_screen,
	&orders_screen, &order_screen, &neworder_screen, &assign_screen, &mytickets_screen,
	&checkin_screen, &dashboard_screen, &organizations_screen, &audit_screen, &alerts_screen,
	&conflicts_screen, &thresholds_screen, &org_form_screen, &org_archived_screen, NULL,
};

const struct screen_ops *screen_by_name(const char *name)
{
	/* CONTRACT.md's name for the people screen */
	if (strcmp(name, "persons") == 0)
		return &mytickets_screen;
	for (int i = 0; all_screens[i]; i++)
		if (strcmp(all_screens[i]->name, name) == 0)
			return all_screens[i];
	return NULL;
}

struct menu_state {
	struct list_cursor cursor;
	int first_row_y; /* where draw put the first entry, for clicks */
};

static void menu_init(struct app *app, void *state, const struct screen_arg *arg)
{
	struct menu_state *m = state;
	(void)app;
	for (m->cursor.count = 0; menu_entries[m->cursor.count].screen; m->cursor.count++)
		;
}

static void menu_draw(struct app *app, void *state, struct rect a)
{
	struct menu_state *m = state;
	m->first_row_y = a.y + 3;
	list_cursor_fit(&m->cursor, a.h - 4);
	draw_text(a.y + 1, a.x + 2, a.w - 4, "Main menu", theme_attr(C_TITLE));
	if (app_role(app)[0]) {
		char who[128];
		snprintf(who, sizeof who, "signed in as %s · %s", app_login(app), app_role(app));
		draw_text(a.y + 1, a.x + 13, a.w - 15, who, theme_attr(C_DIM));
	}
	for (int i = 0; i < m->cursor.count && i + 3 < a.h; i++) {
		char line[128];
		const struct screen_ops *s = menu_entries[i].screen;
		bool allowed = role_allows(app_role(app), s->needs);
		unsigned attr = i == m->cursor.selected ? theme_attr(C_SELECTED) : allowed ? A_NORMAL : theme_attr(C_DIM);
		/* what this login's role may not open stays in its place, dimmed,
		 * saying the role it takes */
		if (allowed)
			snprintf(line, sizeof line, " %c  %s ", menu_entries[i].key, s->title);
		else
			snprintf(line, sizeof line, " %c  %s (%s) ", menu_entries[i].key, s->title, s->needs);
		draw_fill(a.y + 3 + i, a.x + 2, a.w - 4 < 40 ? a.w - 4 : 40, attr);
		draw_text(a.y + 3 + i, a.x + 2, a.w - 4, line, attr);
	}
	draw_text(a.y + a.h - 1, a.x + 2, a.w - 4,
		  "Enter, the number or a double click opens a screen. F1 shows every key.",
		  theme_attr(C_DIM));
}

static int menu_key(struct app *app, void *state, enum action action, int key)
{
	struct menu_state *m = state;

	for (int i = 0; i < m->cursor.count; i++)
		if (menu_entries[i].key == key) {
			m->cursor.selected = i;
			app_push(app, menu_entries[i].screen, NULL);
			return SCR_HANDLED | SCR_REDRAW;
		}
	if (action == ACT_OPEN && m->cursor.count > 0) {
		app_push(app, menu_entries[m->cursor.selected].screen, NULL);
		return SCR_HANDLED;
	}
	return list_cursor_move(&m->cursor, action, m->cursor.count);
}

/* A click selects an entry; a double click, or a click on the entry
 * already selected, opens it. */
static int menu_mouse(struct app *app, void *state, enum mouse_event event, int y, int x)
{
	struct menu_state *m = state;
	int was = m->cursor.selected, row;
	(void)x;

	if (event != MOUSE_CLICK && event != MOUSE_DOUBLE_CLICK)
		return SCR_IGNORED;
	if ((row = list_cursor_click(&m->cursor, m->first_row_y, y)) < 0)
		return SCR_IGNORED;
	if (event == MOUSE_DOUBLE_CLICK || row == was)
		app_push(app, menu_entries[row].screen, NULL);
	return SCR_HANDLED | SCR_REDRAW;
}

const struct screen_ops menu_screen = {
	/* a door's small terminal still reaches the check-in screen (60×15) */
	.min_w = 60,
	.min_h = 15,
	.name = "menu",
	.title = "Main menu",
	.state_size = sizeof(struct menu_state),
	.init = menu_init,
	.draw = menu_draw,
	.on_key = menu_key,
	.on_mouse = menu_mouse,
};

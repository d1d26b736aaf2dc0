/* F1: the keys of the screen below, read from the same binding table that
 * dispatches them and draws the key bar. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "../src/app/theme.h"
#include "screen.h"

struct help_state {
	struct list_cursor cursor;
	const struct binding *rows[64];
};

static bool same_row(const struct binding *a, const struct binding *b)
{
	char ka[16], kb[16];
	return a->action == b->action &&
	       strcmp(key_label(a->key, ka, sizeof ka), key_label(b->key, kb, sizeof kb)) == 0;
}

static void help_init(struct app *app, void *state, const struct screen_arg *arg)
{
	struct help_state *h = state;
	const struct screen_ops *below = app_below(app);
	const char *name = below ? below->name : "menu";

	for (const struct binding *b = bindings; b->action != ACT_NONE; b++) {
		if (b->screen && strcmp(b->screen, name) != 0)
			continue;
		if (!b->screen && keymap_lookup(name, b->key) != b->action)
			continue; /* rebound by the screen */
		if (h->cursor.count > 0 && same_row(h->rows[h->cursor.count - 1], b))
			continue; /* Enter as \r, \n and KEY_ENTER is one row */
		if (h->cursor.count < (int)(sizeof h->rows / sizeof h->rows[0]))
			h->rows[h->cursor.count++] = b;
	}
}

static void help_draw(struct app *app, void *state, struct rect a)
{
	struct help_state *h = state;
	const struct screen_ops *below = app_below(app);
	char title[128];
	int visible = a.h - 3;

	snprintf(title, sizeof title, "Help: keys of %s", below ? below->title : "boxoffice");
	draw_text(a.y, a.x + 2, a.w - 4, title, theme_attr(C_TITLE));
	list_cursor_fit(&h->cursor, visible);
	for (int i = 0; i < visible && h->cursor.top + i < h->cursor.count; i++) {
		const struct binding *b = h->rows[h->cursor.top + i];
		char key[16];
		unsigned row = h->cursor.top + i == h->cursor.selected ? theme_attr(C_SELECTED) : A_NORMAL;
		key_label(b->key, key, sizeof key);
		draw_fill(a.y + 2 + i, a.x + 1, a.w - 2, row);
		draw_text(a.y + 2 + i, a.x + 2, 8, key, theme_attr(C_BAR_KEY));
		draw_text(a.y + 2 + i, a.x + 11, 12, action_label(b->action), row | A_BOLD);
		draw_text(a.y + 2 + i, a.x + 24, a.w - 26, action_help(b->action), row);
	}
}

static int help_key(struct app *app, void *state, enum action action, int key)
{
	struct help_state *h = state;
	(void)app;
	(void)key;
	return list_cursor_move(&h->cursor, action, LINES - 6);
}

const struct screen_ops help_screen = {
	.name = "help",
	.title = "Help",
	.state_size = sizeof(struct help_state),
	.init = help_init,
	.draw = help_draw,
	.on_key = help_key,
};

/* F1: the keys of the screen below, read from the same binding table that
 * dispatches them and draws the key bar: the screen's own keys first, then
 * the menu's numbers (on the menu), then the keys every screen has. When
 * they do not fit, the list scrolls (arrows, PgUp/PgDn, Home/End, wheel)
 * and says where it is and that there is more. Above the keys: the last
 * messages the status line had to cut ("… (F1: all)"), in full,
 * newest first, so a long refusal can be read. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "../src/app/theme.h"
#include "../src/core/role.h"
#include "screen.h"

#define HELP_ROWS 96
/* lines of messages shown above the keys: 5 whole ones at 76 columns */
#define HELP_SAID_LINES 80

struct help_row {
	char key[16];
	char label[48];
	char help[96];
};

/* A line of a message folded to the width (into the status log: valid
 * during one draw). */
struct said_line {
	const char *text; /* NULL: the heading, or a blank line */
	int len;
	bool error;
};

struct help_state {
	struct help_row rows[HELP_ROWS];
	int count, top, visible;
	int total; /* the message lines above the keys, and the keys */
};

static void add_row(struct help_state *h, const char *key, const char *label, const char *help)
{
	struct help_row *r;

	for (int i = 0; i < h->count; i++) /* Enter as \r, \n and KEY_ENTER is one row */
		if (strcmp(h->rows[i].key, key) == 0 && strcmp(h->rows[i].label, label) == 0)
			return;
	if (h->count == HELP_ROWS)
		return;
	r = &h->rows[h->count++];
	snprintf(r->key, sizeof r->key, "%s", key);
	snprintf(r->label, sizeof r->label, "%s", label);
	snprintf(r->help, sizeof r->help, "%s", help);
}

/* The keys of the screen the login's role may use: the others are left
 * out, as in the key bar (pressing one says which role it needs). */
static void add_bindings(struct help_state *h, const char *name, const char *role, bool own)
{
	for (const struct binding *b = bindings; b->action != ACT_NONE; b++) {
		char key[16], help[96];
		if (own ? !b->screen || strcmp(b->screen, name) != 0 : b->screen != NULL)
			continue;
		if (!b->screen && keymap_lookup(name, b->key) != b->action)
			continue; /* rebound by the screen */
		if (!role_allows(role, action_role(b->action)))
			continue;
		if (b->action == ACT_BACK && strcmp(name, "menu") == 0)
			continue; /* the menu is the bottom: nothing to go back to */
		/* a character key of every screen (?) is typed in a text field */
		snprintf(help, sizeof help, "%s%s", action_help_on(name, b->action),
			 !b->screen && b->key >= ' ' && b->key < 127 ? " (in a text field: F1)" : "");
		add_row(h, key_label(b->key, key, sizeof key), action_label(b->action), help);
	}
}

static void help_init(struct app *app, void *state, const struct screen_arg *arg)
{
	struct help_state *h = state;
	const struct screen_ops *below = app_below(app);
	const char *name = below ? app_below_keys(app) : "menu";
	(void)arg;

	add_bindings(h, name, app_role(app), true);
	if (strcmp(name, "menu") == 0)
		for (int i = 0; menu_entries[i].screen; i++) {
			const struct screen_ops *s = menu_entries[i].screen;
			char key[2] = { (char)menu_entries[i].key, '\0' }, help[96];
			/* a screen the role may not open: which role it takes, as the menu dims it */
			if (role_allows(app_role(app), s->needs))
				snprintf(help, sizeof help, "open %s", s->title);
			else
				snprintf(help, sizeof help, "needs the %s role", s->needs);
			add_row(h, key, s->title, help);
		}
	add_bindings(h, name, app_role(app), false);
	add_row(h, "Mouse", "Click", "click selects, double click opens, wheel scrolls");
}

/* The messages the status line (width columns) had to cut, newest
 * first, folded to width: a heading, their lines (a blank line between
 * two), a blank line. */
static int said_lines(struct app *app, int width, int status_width, struct said_line *out, int max)
{
	const char *text;
	bool error;
	int n = 0;

	for (int i = 0; (text = app_status_said(app, i, &error)) && n < max - 1; i++) {
		if (draw_text_width(text) <= status_width)
			continue; /* it was read whole there */
		/* the heading first; a blank line between two messages */
		out[n++] = (struct said_line){ NULL, 0, false };
		while (*text && n < max - 1) {
			size_t len = text_line(text, width);
			out[n++] = (struct said_line){ text, (int)len, error };
			text += len;
			while (*text == ' ')
				text++;
			if (*text == '\n')
				text++;
		}
	}
	if (n > 0)
		out[n++] = (struct said_line){ NULL, 0, false };
	return n;
}

static void help_draw(struct app *app, void *state, struct rect a)
{
	struct help_state *h = state;
	const struct screen_ops *below = app_below(app);
	struct said_line said[HELP_SAID_LINES];
	char title[128];
	int nsaid = said_lines(app, a.w - 4, app_status_width(app), said, HELP_SAID_LINES);

	snprintf(title, sizeof title, "Help: keys of %s", below ? below->title : "boxoffice");
	draw_text(a.y, a.x + 2, a.w - 4, title, theme_attr(C_TITLE));
	h->total = nsaid + h->count;
	/* the last line says where the list is when it does not fit */
	h->visible = a.h - 2 >= h->total ? a.h - 2 : a.h - 3;
	if (h->visible < 1)
		h->visible = 1;
	if (h->top > h->total - h->visible)
		h->top = h->total - h->visible;
	if (h->top < 0)
		h->top = 0;
	for (int i = 0; i < h->visible && h->top + i < h->total; i++) {
		int y = a.y + 2 + i, at = h->top + i;
		if (at < nsaid) {
			const struct said_line *l = &said[at];
			char line[1024];
			if (l->text) {
				snprintf(line, sizeof line, "%.*s", l->len, l->text);
				draw_text(y, a.x + 2, a.w - 4, line,
					  theme_attr(l->error ? C_STATUS_ERR : C_STATUS_OK));
			} else if (at == 0) {
				draw_text(y, a.x + 2, a.w - 4, "Messages too long for the status line, newest first:",
					  A_BOLD);
			}
			continue;
		}
		{
			const struct help_row *r = &h->rows[at - nsaid];
			draw_text(y, a.x + 2, 8, r->key, theme_attr(C_BAR_KEY));
			draw_text(y, a.x + 11, 14, r->label, A_BOLD);
			draw_text(y, a.x + 26, a.w - 28, r->help, A_NORMAL);
		}
	}
	if (h->total > h->visible) {
		char where[160];
		int last = h->top + h->visible;
		snprintf(where, sizeof where, "%s %d–%d of %d%s%s", nsaid ? "lines" : "keys", h->top + 1, last,
			 h->total, last < h->total ? " · more below ↓ (Down, PgDn)" : "",
			 h->top > 0 ? " · ↑ more above" : "");
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, where, theme_attr(C_DIM));
	}
}

static int help_key(struct app *app, void *state, enum action action, int key)
{
	struct help_state *h = state;
	int page = h->visible > 1 ? h->visible - 1 : 1, max = (h->total > h->count ? h->total : h->count) - h->visible;
	(void)app;
	(void)key;

	switch (action) {
	case ACT_UP: h->top--; break;
	case ACT_DOWN: h->top++; break;
	case ACT_PAGE_UP: h->top -= page; break;
	case ACT_PAGE_DOWN: h->top += page; break;
	case ACT_HOME: h->top = 0; break;
	case ACT_END: h->top = max; break;
	default: return SCR_IGNORED;
	}
	if (h->top > max)
		h->top = max;
	if (h->top < 0)
		h->top = 0;
	return SCR_HANDLED | SCR_REDRAW;
}

const struct screen_ops help_screen = {
	.name = "help",
	.title = "Help",
	.state_size = sizeof(struct help_state),
	.init = help_init,
	.draw = help_draw,
	.on_key = help_key,
};

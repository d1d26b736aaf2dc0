/* Ticket Orders: the filter pane, the summary grid and the order list of
 * the current event, all live. The list pages by keyset (sort key, id), so
 * it never reads more than a screenful, whatever the number of orders.
 * Re-reading the list and the grid is queued (src/db/async.h): typing is
 * echoed at once, a burst of keys costs one read ~120 ms after the last
 * one, and a read still running when the filter changes is cancelled. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "../src/app/theme.h"
#include "orders.h"

static void orders_query(struct app *app, void *state)
{
	orders_start_refresh(app, state);
}

static int orders_tick(struct app *app, void *state)
{
	struct orders_state *s = state;

	if (s->refresh_due && db_now_ms() >= s->refresh_due) {
		orders_start_refresh(app, s);
		return SCR_REDRAW;
	}
	if (s->refresh_due)
		app_wake_in(app, (int)(s->refresh_due - db_now_ms()));
	return SCR_IGNORED;
}

/* The framework's area, on open and resize: a list of another height
 * reads its page again. */
static int orders_layout(struct app *app, void *state, struct rect area)
{
	struct orders_state *s = state;

	s->area = area;
	return orders_fit(s) ? SCR_REQUERY : SCR_IGNORED;
}

static void orders_draw(struct app *app, void *state, struct rect a)
{
	struct orders_state *s = state;

	if (!app_event_id(app)) {
		draw_text(a.y + 1, a.x + 2, a.w - 4, "No event chosen: pick one on the Events screen.", theme_attr(C_DIM));
		return;
	}
	orders_draw_filters(s, a, a.y);
	if (a.y + 2 < orders_list_top(s, a))
		orders_draw_summary(s, a, a.y + 3);
	orders_draw_list(s, a, orders_list_top(s, a), orders_list_height(s, a));
	if (s->prompt) {
		orders_draw_prompt(s, a);
	} else if (s->writing[0]) {
		draw_fill(a.y + a.h - 1, a.x, a.w, A_REVERSE);
		draw_text(a.y + a.h - 1, a.x + 1, a.w - 2, s->writing, A_REVERSE | A_BOLD);
	}
}

static int dispatch_key(struct app *app, struct orders_state *s, enum action action, int key)
{
	if (s->prompt) {
		switch (keymap_modal(key)) {
		case ACT_BACK:
			s->prompt = PROMPT_NONE;
			app_status(app, false, "nothing changed");
			return SCR_HANDLED | SCR_REDRAW;
		case ACT_SUBMIT:
			return orders_prompt_done(app, s);
		case ACT_NONE:
			form_key(&s->pform, ACT_NONE, key);
			return SCR_HANDLED | SCR_REDRAW;
		default:
			return SCR_IGNORED; /* help, menu, quit */
		}
	}
	if (s->filter_focus) {
		int r;
		enum action m = keymap_modal(key);
		if (m == ACT_BACK || m == ACT_SUBMIT) {
			s->filter_focus = false;
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (action == ACT_RESET || keymap_is_command_key(key))
			goto list_keys;
		r = form_key(&s->filters, action == ACT_FILTERS ? ACT_NEXT_FIELD : ACT_NONE, key);
		if (r & FORM_CHANGED) {
			/* the pane shows the new filter now (and says if it is
			 * wrong); list and summary follow when typing pauses */
			orders_filters_apply(s, app_event_id(app));
			orders_refresh_soon(app, s, true);
		}
		return SCR_HANDLED | SCR_REDRAW;
	}
list_keys:
	switch (action) {
	case ACT_SEARCH:
	case ACT_FILTERS:
		s->filter_focus = true;
		if (action == ACT_SEARCH)
			s->filters.focus = FF_SEARCH;
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_RESET:
		orders_filters_init(s);
		s->filters.focus = FF_SEARCH;
		orders_restart(app, s);
		app_status(app, false, "filters reset");
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_SORT:
		s->sort = (enum order_sort)((s->sort + 1) % SORT_COUNT);
		orders_restart(app, s);
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_REVERSE:
		s->descending = !s->descending;
		orders_restart(app, s);
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_SUMMARY:
		s->hide_summary = !s->hide_summary;
		return SCR_HANDLED | SCR_REDRAW;
	default:
		break;
	}
	if (orders_move(app, s, action) & SCR_HANDLED)
		return SCR_HANDLED | SCR_REDRAW;
	return orders_act(app, s, action);
}

/* A prompt or the summary coming or going changes the list's height: the
 * page is read again at the new size. */
static int orders_key(struct app *app, void *state, enum action action, int key)
{
	struct orders_state *s = state;
	int r = dispatch_key(app, s, action, key);

	return orders_fit(s) ? r | SCR_REQUERY : r;
}

static int orders_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	(void)app;
	(void)state;
	(void)payload;
	return strcmp(channel, "boxoffice_orders") == 0 ? SCR_REQUERY : SCR_IGNORED;
}

static void orders_done(struct app *app, void *state)
{
	struct orders_state *s = state;
	db_cancel_owner(app_db(app), s->writing);
}

static void orders_init(struct app *app, void *state, const struct screen_arg *arg)
{
	struct orders_state *s = state;
	s->app = app;
	orders_filters_init(s);
	s->sort = SORT_DATE;
	s->descending = true; /* newest first */
}

const struct screen_ops orders_screen = {
	.name = "orders",
	.title = "Ticket Orders",
	.state_size = sizeof(struct orders_state),
	.init = orders_init,
	.done = orders_done,
	.query = orders_query,
	.layout = orders_layout,
	.draw = orders_draw,
	.on_key = orders_key,
	.on_notify = orders_notify,
	.on_tick = orders_tick,
};

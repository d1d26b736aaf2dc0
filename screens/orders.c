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

	if (s->act.job) {
		order_actions_tick(app, &s->act);
		if (!s->act.job)
			s->said_reset = false; /* the invoice job said how it went */
	}
	if (s->refresh_due && db_now_ms() >= s->refresh_due) {
		orders_start_refresh(app, s);
		return SCR_REDRAW;
	}
	if (s->refresh_due)
		app_wake_in(app, (int)(s->refresh_due - db_now_ms()));
	return orders_do_queued_move(app, s) | orders_do_held_key(app, s);
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
	if (order_actions_lines(&s->act))
		order_actions_draw(&s->act, a);
}

/* F6: the next sort whose column the list shows (so its header carries
 * the ▲/▼), in the order of enum order_sort. */
static void next_sort(struct orders_state *s)
{
	bool any = false;

	for (int i = 0; i < SORT_COUNT; i++)
		any |= s->sort_shown[i];
	for (int i = 1; i <= SORT_COUNT; i++) {
		enum order_sort n = (enum order_sort)((s->sort + i) % SORT_COUNT);
		if (!any || s->sort_shown[n]) {
			s->sort = n;
			return;
		}
	}
}

static int dispatch_key(struct app *app, struct orders_state *s, enum action action, int key)
{
	if (s->act.prompt == PROMPT_EXPORT || s->act.prompt == PROMPT_OVERWRITE)
		return orders_export_key(app, s, key);
	if (s->act.prompt)
		return order_actions_prompt_key(app, &s->act, key);
	if (s->filter_focus) {
		int r;
		enum action m = keymap_modal(key);
		if (m == ACT_BACK || m == ACT_SUBMIT) {
			s->filter_focus = false;
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (action == ACT_RESET || keymap_is_command_key(key))
			goto list_keys;
		/* / goes to Search from the other fields; in Search it is
		 * text, as in "Fjord A/S" or "INV/2027/12" */
		if (key == '/' && s->filters.focus != FF_SEARCH) {
			s->filters.focus = FF_SEARCH;
			return SCR_HANDLED | SCR_REDRAW;
		}
		/* Tab after the last field, Shift-Tab before the first: the list */
		if (form_tabs_out(&s->filters, key)) {
			s->filter_focus = false;
			return SCR_HANDLED | SCR_REDRAW;
		}
		r = form_key(&s->filters, action == ACT_FILTERS ? ACT_NEXT_FIELD : ACT_NONE, key);
		if (r & FORM_CHANGED) {
			/* the pane shows the new filter now (and says if it is
			 * wrong); list and summary follow when typing pauses */
			orders_filters_apply(s, app_event_id(app));
			if (!s->filter_error[0]) /* else the last good filter stays */
				orders_refresh_soon(app, s, true);
		}
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (key == KEY_BTAB) { /* from the list to the last field */
		s->filter_focus = true;
		s->filters.focus = FF_COUNT - 1;
		return SCR_HANDLED | SCR_REDRAW;
	}
list_keys:
	switch (action) {
	case ACT_SEARCH:
	case ACT_FILTERS:
		/* from the list: Tab to the first field, / to Search (the same) */
		s->filter_focus = true;
		s->filters.focus = FF_SEARCH;
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_RESET:
		s->org_id = 0;
		orders_filters_init(s);
		s->filters.focus = FF_SEARCH;
		orders_restart(app, s);
		app_status(app, false, "filters reset");
		s->said_reset = true;
		return SCR_HANDLED | SCR_REDRAW;
	case ACT_SORT:
		next_sort(s);
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
	int r;

	if (s->said_reset) {
		s->said_reset = false;
		app_status(app, false, "%s", "");
	}
	r = dispatch_key(app, s, action, key);

	return orders_fit(s) ? r | SCR_REQUERY : r;
}

static int orders_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	(void)app;
	(void)state;
	(void)payload;
	return strcmp(channel, "boxoffice_orders") == 0 ? SCR_REQUERY : SCR_IGNORED;
}

/* A click selects the row or the filter field under it (a double click
 * opens the order); the wheel moves through the list. A prompt waits for
 * its answer from the keyboard. */
static int orders_mouse(struct app *app, void *state, enum mouse_event event, int y, int x)
{
	struct orders_state *s = state;
	struct rect a = s->area;
	int top = orders_list_top(s, a), h = orders_list_height(s, a), row;

	if (s->act.prompt)
		return SCR_HANDLED;
	if (event == MOUSE_WHEEL_UP || event == MOUSE_WHEEL_DOWN) {
		orders_move(app, s, event == MOUSE_WHEEL_UP ? ACT_UP : ACT_DOWN);
		return orders_fit(s) ? SCR_HANDLED | SCR_REQUERY : SCR_HANDLED | SCR_REDRAW;
	}
	for (int i = 0; i < FF_COUNT; i++) {
		struct rect f = orders_filter_rect(s, a, i);
		if (y == f.y && x >= f.x && x < f.x + f.w) {
			s->filter_focus = true;
			s->filters.focus = i;
			return SCR_HANDLED | SCR_REDRAW;
		}
	}
	row = y - top - 1;
	if (y > top && row < h - 1 && row < s->count && x >= a.x && x < a.x + a.w) {
		s->selected = row;
		s->filter_focus = false;
		if (event == MOUSE_DOUBLE_CLICK)
			return orders_act(app, s, ACT_OPEN) | SCR_REDRAW;
		return SCR_HANDLED | SCR_REDRAW;
	}
	return SCR_HANDLED;
}

/* What a clerk set up stays while the station runs: leaving Ticket Orders
 * and coming back finds the same filters, sort and selected order. */
static struct {
	bool saved;
	long long event_id;
	char text[FF_COUNT][FIELD_TEXT_MAX];
	int choice[FF_COUNT];
	enum order_sort sort;
	bool descending, hide_summary;
	struct order_row first; /* the first row shown */
	long long selected_id;
} kept;

static void orders_after_write(struct app *app, void *ctx)
{
	struct orders_state *s = ctx;
	s->said_reset = false; /* the write's answer is on the status line */
	s->refresh_due = db_now_ms();
	app_wake_in(app, 0);
}

static void orders_done(struct app *app, void *state)
{
	struct orders_state *s = state;

	order_actions_done(app, &s->act);
	if (s->opened_on_org)
		return; /* the clerk's own filters stay as they were */
	kept.saved = true;
	kept.event_id = app_event_id(app);
	for (int i = 0; i < FF_COUNT; i++) {
		snprintf(kept.text[i], sizeof kept.text[i], "%s", s->ffields[i].text);
		kept.choice[i] = s->ffields[i].choice;
	}
	kept.sort = s->sort;
	kept.descending = s->descending;
	kept.hide_summary = s->hide_summary;
	kept.selected_id = s->count > 0 ? s->rows[s->selected].id : 0;
	if (s->count > 0)
		kept.first = s->rows[0];
}

static void orders_init(struct app *app, void *state, const struct screen_arg *arg)
{
	struct orders_state *s = state;
	s->app = app;
	s->act.app = app;
	s->act.after = orders_after_write;
	s->act.after_ctx = s;
	orders_filters_init(s);
	order_filter_reset(&s->filter); /* the last good filter, before any */
	s->sort = SORT_DATE;
	s->descending = true; /* newest first */
	if (arg && arg->id && arg->name) {
		/* opened on an organization (its id): exactly its orders, as the
		 * organizations list counts them; every other filter reset */
		s->org_id = arg->id;
		snprintf(s->org_name, sizeof s->org_name, "%s", arg->name);
		s->opened_on_org = true;
		if (app) {
			/* the name whole or with "…": the status line would cut it
			 * silently, and "…Holding AS" of "…Holding ASA" is another */
			char name[200];
			text_ellipsis(name, sizeof name, arg->name, 44);
			app_status(app, false, "the orders of %s (F4 resets the filters)", name);
		}
		return;
	}
	if (arg && arg->name && *arg->name) {
		/* opened on a name: the orders it matches, every other filter reset */
		snprintf(s->ffields[FF_SEARCH].text, sizeof s->ffields[FF_SEARCH].text, "%s", arg->name);
		s->opened_on_org = true;
		if (app)
			app_status(app, false, "orders matching %s (F4 resets the filters)", arg->name);
		return;
	}
	if (!kept.saved)
		return;
	for (int i = 0; i < FF_COUNT; i++) {
		snprintf(s->ffields[i].text, sizeof s->ffields[i].text, "%s", kept.text[i]);
		if (kept.choice[i] < s->ffields[i].nchoices)
			s->ffields[i].choice = kept.choice[i];
	}
	s->sort = kept.sort;
	s->descending = kept.descending;
	s->hide_summary = kept.hide_summary;
	/* the same place in the list, if it is the same event's */
	if (kept.selected_id && app && kept.event_id == app_event_id(app)) {
		s->first = kept.first;
		s->keep_id = kept.selected_id;
		s->restored = true;
	}
}

static bool orders_typing(void *state)
{
	return ((struct orders_state *)state)->filter_focus;
}

const struct screen_ops orders_screen = {
	.name = "orders",
	.needs = "clerk",
	.title = "Ticket Orders",
	.state_size = sizeof(struct orders_state),
	.init = orders_init,
	.done = orders_done,
	.query = orders_query,
	.layout = orders_layout,
	.draw = orders_draw,
	.on_key = orders_key,
	.typing = orders_typing,
	.on_notify = orders_notify,
	.on_tick = orders_tick,
	.on_mouse = orders_mouse,
};

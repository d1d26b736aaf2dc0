/* The supervisor's dashboard: live totals of the current event — seats sold
 * and available per type, orders and money by status, tickets assigned,
 * people inside (src/db/dashboard.c; the money figures are the Ticket
 * Orders grid's own) — refreshed on every notification and every 2 seconds
 * (check-ins are not announced; see db/006_checkin.sql). */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../src/app/theme.h"
#include "../src/core/money.h"
#include "../src/db/dashboard.h"
#include "screen.h"

#define LINES_MAX 40

struct dashboard_state {
	char lines[LINES_MAX][160];
	unsigned attrs[LINES_MAX];
	int count;
	time_t next;
	char updated[16];
};

static void add(struct dashboard_state *s, unsigned attr, const char *text)
{
	if (s->count == LINES_MAX)
		return;
	snprintf(s->lines[s->count], sizeof s->lines[0], "%s", text);
	s->attrs[s->count++] = attr;
}

static void dashboard_query(struct app *app, void *state)
{
	struct dashboard_state *s = state;
	struct dashboard_figures f;
	char line[160], a1[32], a2[32];
	time_t now = time(NULL);
	struct tm tm;

	s->count = 0;
	if (!app_event_id(app))
		return;
	if (!db_dashboard_read(app_db(app), app_event_id(app), &f)) {
		app_status(app, true, "dashboard: %s", app_db(app)->err);
		return;
	}
	add(s, theme_attr(C_TITLE) | A_UNDERLINE, "SEATS            CAPACITY      SOLD      HELD  RESERVED AVAILABLE");
	for (int i = 0; i < f.ntypes; i++) {
		const struct dashboard_seats *t = &f.types[i];
		snprintf(line, sizeof line, "%-14.14s %10lld %9lld %9lld %9lld %9lld", t->name, t->capacity, t->sold,
			 t->held, t->reserved, t->available);
		add(s, t->available == 0 ? theme_attr(C_REJECT) : A_NORMAL, line);
	}
	add(s, A_NORMAL, "");
	add(s, theme_attr(C_TITLE) | A_UNDERLINE, "ORDERS           ORDERS   TICKETS          AMOUNT   TODAY");
	for (int st = 0; st < ORDER_STATUS_COUNT; st++) {
		const struct order_summary_cell *c = &f.orders.by_status[st];
		if (c->orders == 0)
			continue;
		money_format(a1, sizeof a1, c->amount);
		snprintf(line, sizeof line, "%-14.14s %8lld %9lld %15s %7lld", order_status_name((enum order_status)st),
			 c->orders, c->tickets, a1, f.orders.today[st]);
		add(s, A_NORMAL, line);
	}
	money_format(a1, sizeof a1, f.paid);
	money_format(a2, sizeof a2, f.outstanding);
	snprintf(line, sizeof line, "Paid %s · outstanding %s (incl. VAT)", a1, a2);
	add(s, A_BOLD, line);
	add(s, A_NORMAL, "");
	snprintf(line, sizeof line, "Tickets %lld · assigned to people %lld · checked in %lld · inside now %lld", f.tickets,
		 f.assigned, f.checked_in, f.inside);
	add(s, A_BOLD, line);
	if (f.conflicts > 0) {
		snprintf(line, sizeof line, "%lld offline check-in conflict(s) to look at", f.conflicts);
		add(s, theme_attr(C_STATUS_ERR), line);
	}
	localtime_r(&now, &tm);
	strftime(s->updated, sizeof s->updated, "%H:%M:%S", &tm);
}

static void dashboard_draw(struct app *app, void *state, struct rect a)
{
	struct dashboard_state *s = state;
	char footer[80];
	if (!app_event_id(app)) {
		draw_text(a.y + 1, a.x + 2, a.w - 4, "No event chosen: pick one on the Events screen.", theme_attr(C_DIM));
		return;
	}
	for (int i = 0; i < s->count && i < a.h - 1; i++)
		draw_text(a.y + i, a.x + 2, a.w - 4, s->lines[i], s->attrs[i]);
	snprintf(footer, sizeof footer, "Live · updated %s", s->updated);
	draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, footer, theme_attr(C_DIM));
}

static int dashboard_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	(void)app;
	(void)state;
	(void)channel;
	(void)payload;
	return SCR_REQUERY; /* every change on any channel moves some total */
}

static int dashboard_tick(struct app *app, void *state)
{
	struct dashboard_state *s = state;
	time_t now = time(NULL);
	if (!app_online(app) || now < s->next)
		return SCR_IGNORED;
	s->next = now + 2;
	return SCR_REQUERY;
}

const struct screen_ops dashboard_screen = {
	.name = "dashboard",
	.title = "Dashboard",
	.state_size = sizeof(struct dashboard_state),
	.query = dashboard_query,
	.draw = dashboard_draw,
	.on_notify = dashboard_notify,
	.on_tick = dashboard_tick,
};

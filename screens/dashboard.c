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
	char lines[LINES_MAX][400];
	unsigned attrs[LINES_MAX];
	int count;
	time_t next;
	char updated[16];
	struct read_mark mark; /* a read out, or the last one failed: the lines are the last answer's */
};

static void add(struct dashboard_state *s, unsigned attr, const char *text)
{
	if (s->count == LINES_MAX)
		return;
	snprintf(s->lines[s->count], sizeof s->lines[0], "%s", text);
	s->attrs[s->count++] = attr;
}

/* Column widths of the two tables; every number is fitted to its column
 * (abbreviated, never cut), and the widest line (66) fits at 80 columns. */
enum { W_NAME = 14, W_SEATS = 9, W_COUNT = 8, W_TICKETS = 9, W_AMOUNT = 15, W_TODAY = 12 };

static void dashboard_answer(struct db *db, const struct dashboard_figures *figures, void *ctx)
{
	struct dashboard_state *s = ctx;
	const struct dashboard_figures f = figures ? *figures : (struct dashboard_figures){ 0 };
	char line[400], a1[32], a2[32], n[5][32];
	time_t now = time(NULL);
	struct tm tm;

	read_mark_answer(&s->mark, db, figures != NULL);
	if (!figures)
		return;
	s->count = 0;
	snprintf(line, sizeof line, "%-*s %*s %*s %*s %*s %*s", W_NAME, "SEATS", W_SEATS, "CAPACITY", W_SEATS, "SOLD",
		 W_SEATS, "HELD", W_SEATS, "RESERVED", W_SEATS, "AVAILABLE");
	add(s, theme_attr(C_TITLE) | A_UNDERLINE, line);
	for (int i = 0; i < f.ntypes; i++) {
		const struct dashboard_seats *t = &f.types[i];
		const long long v[5] = { t->capacity, t->sold, t->held, t->reserved, t->available };
		for (int k = 0; k < 5; k++)
			count_format_fit(n[k], sizeof n[k], v[k], W_SEATS);
		snprintf(line, sizeof line, "%-*.*s %*s %*s %*s %*s %*s", W_NAME, W_NAME, t->name, W_SEATS, n[0], W_SEATS,
			 n[1], W_SEATS, n[2], W_SEATS, n[3], W_SEATS, n[4]);
		add(s, t->available == 0 ? theme_attr(C_REJECT) : A_NORMAL, line);
	}
	add(s, A_NORMAL, "");
	/* TODAY: how many of the status's orders are dated today (the
	 * event's day, the date `order list --from/--to` filters on) */
	snprintf(line, sizeof line, "%-*s %*s %*s %*s %*s", W_NAME, "ORDERS", W_COUNT, "ORDERS", W_TICKETS, "TICKETS",
		 W_AMOUNT, "AMOUNT", W_TODAY, "ORDERS TODAY");
	add(s, theme_attr(C_TITLE) | A_UNDERLINE, line);
	for (int st = 0; st < ORDER_STATUS_COUNT; st++) {
		const struct order_summary_cell *c = &f.orders.by_status[st];
		if (c->orders == 0)
			continue;
		count_format_fit(n[0], sizeof n[0], c->orders, W_COUNT);
		count_format_fit(n[1], sizeof n[1], c->tickets, W_TICKETS);
		money_format_fit(a1, sizeof a1, c->amount, W_AMOUNT);
		count_format_fit(n[2], sizeof n[2], f.orders.today[st], W_TODAY);
		snprintf(line, sizeof line, "%-*s %*s %*s %*s %*s", W_NAME, order_status_label((enum order_status)st),
			 W_COUNT, n[0], W_TICKETS, n[1], W_AMOUNT, a1, W_TODAY, n[2]);
		add(s, A_NORMAL, line);
	}
	money_format(a1, sizeof a1, f.paid);
	money_format(a2, sizeof a2, f.outstanding);
	snprintf(line, sizeof line, "Paid %s · outstanding %s (incl. VAT)", a1, a2);
	add(s, A_BOLD, line);
	add(s, A_NORMAL, "");
	{
		const long long v[4] = { f.tickets, f.assigned, f.checked_in, f.inside };
		for (int k = 0; k < 4; k++)
			count_format_fit(n[k], sizeof n[k], v[k], 7); /* the line fits in 76 columns */
	}
	snprintf(line, sizeof line, "Tickets %s · assigned %s · checked in %s · inside now %s", n[0], n[1], n[2], n[3]);
	add(s, A_BOLD, line);
	if (f.conflicts > 0) {
		snprintf(line, sizeof line, "%lld offline check-in conflict(s) to look at", f.conflicts);
		add(s, theme_attr(C_STATUS_ERR), line);
	}
	localtime_r(&now, &tm);
	strftime(s->updated, sizeof s->updated, "%H:%M:%S", &tm);
}

/* Asks for the figures (one read out at a time); the lines shown stay,
 * marked, until the answer replaces them. */
static void dashboard_query(struct app *app, void *state)
{
	struct dashboard_state *s = state;

	if (!app_event_id(app)) {
		s->count = 0;
		return;
	}
	if (s->mark.loading)
		return;
	read_mark_sent(&s->mark, app, db_dashboard_submit(app_db(app), s, app_event_id(app), dashboard_answer, s));
}

static void dashboard_draw(struct app *app, void *state, struct rect a)
{
	struct dashboard_state *s = state;
	char footer[700], buf[600];
	const char *mark = read_mark_text(app, &s->mark, buf, sizeof buf);
	bool stale = read_mark_stale(app, &s->mark);
	if (!app_event_id(app)) {
		draw_text(a.y + 1, a.x + 2, a.w - 4, "No event chosen: pick one on the Events screen.", theme_attr(C_DIM));
		return;
	}
	/* Figures that are not current never look current. */
	for (int i = 0; i < s->count && i < a.h - 1; i++)
		draw_text(a.y + i, a.x + 2, a.w - 4, s->lines[i], stale ? theme_attr(C_DIM) : s->attrs[i]);
	if (stale)
		snprintf(footer, sizeof footer, "Figures %s%s%s", mark, s->updated[0] ? " · last read " : "", s->updated);
	else if (mark)
		snprintf(footer, sizeof footer, "%s · %s", s->updated[0] ? s->updated : "Figures", mark);
	else
		snprintf(footer, sizeof footer, "Live · updated %s", s->updated);
	if (s->count == 0 && mark)
		draw_text(a.y + 1, a.x + 2, a.w - 4, footer, stale ? theme_attr(C_OFFLINE) : theme_attr(C_DIM));
	draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, footer, stale ? theme_attr(C_OFFLINE) : theme_attr(C_DIM));
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
	if (!app_online(app))
		return SCR_REDRAW; /* keep the offline mark visible */
	if (now < s->next)
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

/* The supervisor's dashboard: live totals of the current event — seats sold
 * and available per type, orders and money by status, tickets assigned,
 * people inside — refreshed on every notification and every 2 seconds
 * (check-ins are not announced; see db/006_checkin.sql). */
#include <curses.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../src/app/theme.h"
#include "../src/core/money.h"
#include "../src/db/db.h"
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
	char ev[24], line[160], a1[32], a2[32];
	const char *p[1] = { ev };
	PGresult *res;
	time_t now = time(NULL);
	struct tm tm;

	s->count = 0;
	if (!app_event_id(app))
		return;
	snprintf(ev, sizeof ev, "%lld", app_event_id(app));
	add(s, theme_attr(C_TITLE) | A_UNDERLINE, "SEATS            CAPACITY      SOLD      HELD  RESERVED AVAILABLE");
	res = db_exec(app_db(app), "SELECT type_name, capacity, sold, held, reserved, available FROM inventory_view "
				   "WHERE event_id = $1 AND channel IS NULL ORDER BY type_id", 1, p);
	for (int i = 0; res && i < PQntuples(res); i++) {
		snprintf(line, sizeof line, "%-14.14s %10s %9s %9s %9s %9s", db_text(res, i, 0), db_text(res, i, 1),
			 db_text(res, i, 2), db_text(res, i, 3), db_text(res, i, 4), db_text(res, i, 5));
		add(s, db_int(res, i, 5) == 0 ? theme_attr(C_REJECT) : A_NORMAL, line);
	}
	PQclear(res);
	add(s, A_NORMAL, "");
	add(s, theme_attr(C_TITLE) | A_UNDERLINE, "ORDERS           ORDERS   TICKETS          AMOUNT   TODAY");
	res = db_exec(app_db(app),
		      "SELECT status, count(*), sum(quantity), sum(gross_cents), "
		      "count(*) FILTER (WHERE created_at >= current_date) FROM ticket_order WHERE event_id = $1 "
		      "GROUP BY status ORDER BY status", 1, p);
	for (int i = 0; res && i < PQntuples(res); i++) {
		money_format(a1, sizeof a1, db_int(res, i, 3));
		snprintf(line, sizeof line, "%-14.14s %8s %9s %15s %7s", db_text(res, i, 0), db_text(res, i, 1),
			 db_text(res, i, 2), a1, db_text(res, i, 4));
		add(s, A_NORMAL, line);
	}
	PQclear(res);
	res = db_exec(app_db(app),
		      "SELECT coalesce(sum(gross_cents) FILTER (WHERE status = 'settled'), 0), "
		      "coalesce(sum(gross_cents) FILTER (WHERE status IN ('requested', 'invoice_sent')), 0) "
		      "FROM ticket_order WHERE event_id = $1", 1, p);
	if (res) {
		money_format(a1, sizeof a1, db_int(res, 0, 0));
		money_format(a2, sizeof a2, db_int(res, 0, 1));
		snprintf(line, sizeof line, "Paid %s · outstanding %s (incl. VAT)", a1, a2);
		add(s, A_BOLD, line);
	}
	PQclear(res);
	add(s, A_NORMAL, "");
	res = db_exec(app_db(app),
		      "SELECT count(*), count(person_id), count(*) FILTER (WHERE scans > 0), "
		      "count(*) FILTER (WHERE scans % 2 = 1), "
		      "(SELECT count(*) FROM checkin_conflict c JOIN ticket k ON k.id = c.ticket_id WHERE k.event_id = $1) "
		      "FROM ticket WHERE event_id = $1 AND status = 'valid'", 1, p);
	if (res) {
		snprintf(line, sizeof line, "Tickets %s · assigned to people %s · checked in %s · inside now %s",
			 db_text(res, 0, 0), db_text(res, 0, 1), db_text(res, 0, 2), db_text(res, 0, 3));
		add(s, A_BOLD, line);
		if (db_int(res, 0, 4) > 0) {
			snprintf(line, sizeof line, "%s offline check-in conflict(s) to look at", db_text(res, 0, 4));
			add(s, theme_attr(C_STATUS_ERR), line);
		}
	}
	PQclear(res);
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

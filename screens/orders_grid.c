/* Ticket Orders: the summary grid (status × payment: orders, tickets, amount). */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "../src/app/theme.h"
#include "../src/core/money.h"
#include "orders.h"

void orders_summary_answer(struct db *db, const struct order_summary *sum, void *ctx)
{
	struct orders_state *s = ctx;

	s->summary_loading = false;
	s->summary_ok = sum != NULL;
	if (sum)
		s->summary = *sum;
	else {
		app_status(s->app, true, "summary: %s", db->err);
		s->said_reset = false;
	}
}


/* Each payment group shows what fits its width whole: ORD, TIX and
 * AMOUNT from 16 columns a group (100 columns and wider), ORD and AMOUNT
 * from 10 (80 columns), else AMOUNT alone. Numbers are abbreviated to
 * their column (34k, 1.2M), never cut. */
enum { SUB_ORD, SUB_TIX, SUB_AMOUNT, SUB_COUNT };

struct grid_layout {
	int x[SUB_COUNT], w[SUB_COUNT]; /* w 0: not shown */
};

static struct grid_layout grid_layout(int gw)
{
	struct grid_layout l = { { 0 }, { 0 } };
	int room = gw - 1; /* a blank between groups */

	if (room >= 15) {
		l.w[SUB_ORD] = 4, l.w[SUB_TIX] = 4;
	} else if (room >= 9) {
		l.w[SUB_ORD] = 4;
	}
	l.w[SUB_AMOUNT] = room - (l.w[SUB_ORD] ? l.w[SUB_ORD] + 1 : 0) - (l.w[SUB_TIX] ? l.w[SUB_TIX] + 1 : 0);
	l.x[SUB_TIX] = l.w[SUB_ORD] ? l.w[SUB_ORD] + 1 : 0;
	l.x[SUB_AMOUNT] = l.x[SUB_TIX] + (l.w[SUB_TIX] ? l.w[SUB_TIX] + 1 : 0);
	return l;
}

/* The grid's rows: requested, invoice sent, settled and their total; with
 * the Status filter on Cancelled or Refunded, those two and theirs (the
 * list shows only them: a grid of zeros would say there are none). */
struct grid_rows {
	const struct order_summary_cell *cell[SUMMARY_ROWS]; /* NULL: a blank row */
	const char *label[SUMMARY_ROWS];
	struct order_summary_cell total[SUMMARY_COLS];
	bool closed;
};

static void grid_rows(const struct orders_state *s, struct grid_rows *g)
{
	memset(g, 0, sizeof *g);
	g->closed = s->filter.status == ORDER_CANCELLED || s->filter.status == ORDER_REFUNDED;
	if (!g->closed) {
		for (int r = 0; r < SUMMARY_ROWS; r++) {
			g->cell[r] = s->summary.cell[r];
			g->label[r] = r < SUMMARY_ROWS - 1 ? order_status_label((enum order_status)r) : "Total";
		}
		return;
	}
	for (int st = ORDER_CANCELLED; st < ORDER_STATUS_COUNT; st++) {
		g->cell[st - ORDER_CANCELLED] = s->summary.status_pay[st];
		g->label[st - ORDER_CANCELLED] = order_status_label((enum order_status)st);
		for (int c = 0; c < SUMMARY_COLS; c++) {
			g->total[c].orders += s->summary.status_pay[st][c].orders;
			g->total[c].tickets += s->summary.status_pay[st][c].tickets;
			g->total[c].amount += s->summary.status_pay[st][c].amount;
		}
	}
	g->cell[SUMMARY_ROWS - 1] = g->total;
	g->label[SUMMARY_ROWS - 1] = "Total";
}

/* The line above the grid says what it leaves out of what the list shows:
 * with the Status filter on All, the cancelled and refunded orders; while
 * the filter pane has an error, that list and grid keep the last good
 * filter. */
static void grid_note(const struct orders_state *s, const struct grid_rows *g, struct rect a, int y)
{
	char line[200] = "", amount[32];

	if (s->filter_error[0]) {
		/* the pane's filter is wrong: what is shown is not it */
		snprintf(line, sizeof line, "Not applied: %s — list and grid as before", s->filter_error);
		draw_text(y, a.x + 1, a.w - 2, line, theme_attr(C_STATUS_ERR));
		return;
	}
	if (g->closed) {
		snprintf(line, sizeof line, "The grid: cancelled and refunded orders (neither owed nor paid)");
	} else if (s->filter.status < 0) {
		for (int st = ORDER_CANCELLED; st < ORDER_STATUS_COUNT; st++) {
			const struct order_summary_cell *c = &s->summary.by_status[st];
			if (!c->orders)
				continue;
			money_format(amount, sizeof amount, c->amount);
			snprintf(line + strlen(line), sizeof line - strlen(line), "%s%lld %s (%s)",
				 line[0] ? " · " : "Not in the grid: ", c->orders,
				 st == ORDER_CANCELLED ? "cancelled" : "refunded", amount);
		}
	}
	if (line[0])
		draw_text(y, a.x + 1, a.w - 2, line, theme_attr(C_DIM));
}

void orders_draw_summary(struct orders_state *s, struct rect a, int y)
{
	static const char *const titles[SUB_COUNT][2] = { { "ORD", "#" }, { "TIX", "T" }, { "AMOUNT", "AMT" } };
	int label_w = 13, gw = (a.w - 2 - label_w) / SUMMARY_COLS;
	struct grid_layout l = grid_layout(gw);
	struct grid_rows rows;
	bool whole = false;

	grid_rows(s, &rows);
	grid_note(s, &rows, a, y - 1);
	/* One unit for the whole grid: when any amount would lose its cents,
	 * every amount is shown in whole units (and the grid says "≈ rounded"), never
	 * 498.75 beside a rounded 1,995. */
	for (int r = 0; r < SUMMARY_ROWS && !whole; r++)
		for (int g = 0; g < SUMMARY_COLS && rows.cell[r]; g++) {
			char full[48];
			if (money_format(full, sizeof full, rows.cell[r][g].amount) > l.w[SUB_AMOUNT])
				whole = true;
		}
	if (whole)
		draw_text(y + 1, a.x + 1, label_w - 1, "≈ rounded", theme_attr(C_DIM));

	for (int g = 0; g < SUMMARY_COLS; g++) {
		int gx = a.x + 1 + label_w + g * gw;
		draw_text(y, gx, gw - 1, g < SUMMARY_COLS - 1 ? payment_label((enum payment_method)g) : "Total",
			  theme_attr(C_TITLE));
		for (int k = 0; k < SUB_COUNT; k++)
			if (l.w[k] > 0)
				draw_text_right(y + 1, gx + l.x[k], l.w[k],
						(int)strlen(titles[k][0]) <= l.w[k] ? titles[k][0] : titles[k][1], A_UNDERLINE);
	}
	for (int r = 0; r < SUMMARY_ROWS; r++) {
		unsigned attr = r == SUMMARY_ROWS - 1 ? A_BOLD : A_NORMAL;
		if (!rows.cell[r])
			continue;
		draw_text(y + 2 + r, a.x + 1, label_w - 1, rows.label[r], attr | A_BOLD);
		for (int g = 0; g < SUMMARY_COLS; g++) {
			const struct order_summary_cell *c = &rows.cell[r][g];
			int gx = a.x + 1 + label_w + g * gw;
			char buf[32];
			if (l.w[SUB_ORD]) {
				count_format_fit(buf, sizeof buf, c->orders, l.w[SUB_ORD]);
				draw_text_right(y + 2 + r, gx + l.x[SUB_ORD], l.w[SUB_ORD], buf, attr);
			}
			if (l.w[SUB_TIX]) {
				count_format_fit(buf, sizeof buf, c->tickets, l.w[SUB_TIX]);
				draw_text_right(y + 2 + r, gx + l.x[SUB_TIX], l.w[SUB_TIX], buf, attr);
			}
			if (whole)
				count_format_fit(buf, sizeof buf,
						 c->amount >= 0 ? (c->amount + 50) / 100 : -((-c->amount + 50) / 100),
						 l.w[SUB_AMOUNT]);
			else
				money_format_fit(buf, sizeof buf, c->amount, l.w[SUB_AMOUNT]);
			draw_text_right(y + 2 + r, gx + l.x[SUB_AMOUNT], l.w[SUB_AMOUNT], buf, attr);
		}
	}
}

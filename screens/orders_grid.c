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
	else
		app_status(s->app, true, "summary: %s", db->err);
}


/* A number in at most width characters: 1234567 -> "1.2M" when needed. */
static void compact(char *buf, int size, long long v, int width, bool money)
{
	static const char *const units[] = { "", "k", "M", "G", "T" };
	double d = money ? v / 100.0 : (double)v;
	int u = 0;

	if (money)
		money_format(buf, (size_t)size, v);
	else
		snprintf(buf, (size_t)size, "%lld", v);
	if ((int)strlen(buf) <= width)
		return;
	while (d >= 1000 && u < 4) {
		d /= 1000;
		u++;
	}
	snprintf(buf, (size_t)size, d < 10 ? "%.1f%s" : "%.0f%s", d, units[u]);
}

void orders_draw_summary(struct orders_state *s, struct rect a, int y)
{
	int label_w = 13, gw = (a.w - 2 - label_w) / SUMMARY_COLS;
	int ow = gw >= 24 ? 6 : 4, tw = ow, aw = gw - ow - tw - 3;

	for (int g = 0; g < SUMMARY_COLS; g++) {
		int gx = a.x + 1 + label_w + g * gw;
		draw_text(y, gx, gw - 1, g < SUMMARY_COLS - 1 ? payment_label((enum payment_method)g) : "Total",
			  theme_attr(C_TITLE));
		draw_text_right(y + 1, gx, ow, "ORD", A_UNDERLINE);
		draw_text_right(y + 1, gx + ow + 1, tw, "TIX", A_UNDERLINE);
		draw_text_right(y + 1, gx + ow + tw + 2, aw, "AMOUNT", A_UNDERLINE);
	}
	for (int r = 0; r < SUMMARY_ROWS; r++) {
		unsigned attr = r == SUMMARY_ROWS - 1 ? A_BOLD : A_NORMAL;
		draw_text(y + 2 + r, a.x + 1, label_w - 1,
			  r < SUMMARY_ROWS - 1 ? order_status_label((enum order_status)r) : "Total", attr | A_BOLD);
		for (int g = 0; g < SUMMARY_COLS; g++) {
			const struct order_summary_cell *c = &s->summary.cell[r][g];
			int gx = a.x + 1 + label_w + g * gw;
			char buf[32];
			compact(buf, sizeof buf, c->orders, ow, false);
			draw_text_right(y + 2 + r, gx, ow, buf, attr);
			compact(buf, sizeof buf, c->tickets, tw, false);
			draw_text_right(y + 2 + r, gx + ow + 1, tw, buf, attr);
			compact(buf, sizeof buf, c->amount, aw, true);
			draw_text_right(y + 2 + r, gx + ow + tw + 2, aw, buf, attr);
		}
	}
}

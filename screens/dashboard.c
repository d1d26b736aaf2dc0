/* The supervisor's dashboard: live totals of the current event — seats sold
 * and available per type, orders and money by status, tickets assigned,
 * people inside, each area's occupancy and the admits per check-in list
 * and gate (src/db/dashboard.c; the money figures are the Ticket Orders
 * grid's own) — refreshed on every notification and every 2 seconds
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
	char lines[LINES_MAX][600];
	unsigned attrs[LINES_MAX];
	int count;
	time_t next;
	char updated[16];
	struct read_mark mark; /* a read out, or the last one failed: the lines are the last answer's */
	/* entrances, laid out at draw time to the terminal's size */
	struct dashboard_area areas[DASHBOARD_AREAS_MAX];
	int nareas, more_areas;
	struct dashboard_entrance entrances[DASHBOARD_ENTRANCES_MAX];
	int nentrances, more_entrances;
	long long admits;
	bool have_entrances; /* the event has areas or scans */
	int channels_at; /* the channels' summary line, -1 when none */
	/* scrolling at small sizes: the first line shown, and how many fit */
	int top, rows;
	struct dashboard_figures fig; /* the last answer, laid out at draw time */
	bool have;
	int built_width;
	/* coalescing: one read out at a time, the next one scheduled */
	struct app *app;
	bool again;
	long long sent_ms;
};

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

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

/* "12s", "5m", "3h": a lag in a few columns. */
static void lag_text(char *out, size_t size, double seconds)
{
	if (seconds < 120)
		snprintf(out, size, "%.0fs", seconds);
	else if (seconds < 7200)
		snprintf(out, size, "%.0fm", seconds / 60);
	else
		snprintf(out, size, "%.0fh", seconds / 3600);
}

/* The platforms serve pushes to (issue 16): one summary line that fits 76
 * columns (red when one fails or has dead letters), then one line per
 * channel, troubled first, shown while the screen has rows for them. */
static void channel_lines(struct dashboard_state *s, const struct channel_health_list *ch)
{
	char line[400], n[4][32], lag[16];
	long long pending = 0, dead = 0;
	double worst = 0;
	int failing = 0, off = 0;

	if (ch->n == 0)
		return;
	for (int i = 0; i < ch->n; i++) {
		const struct channel_health *c = &ch->c[i];
		pending += c->pending;
		dead += c->dead;
		worst = c->lag_seconds > worst ? c->lag_seconds : worst;
		if (!c->enabled)
			off++;
		else if (c->failures > 0 || c->dead > 0)
			failing++;
	}
	count_format_fit(n[0], sizeof n[0], ch->n + ch->more, 4);
	count_format_fit(n[1], sizeof n[1], pending, 6);
	count_format_fit(n[2], sizeof n[2], dead, 6);
	lag_text(lag, sizeof lag, worst);
	snprintf(line, sizeof line, "Channels %s · %d failing · %d ok · %d off · pending %s · dead %s · lag %s", n[0],
		 failing, ch->n - failing - off, off, n[1], n[2], lag);
	s->channels_at = s->count;
	add(s, failing ? theme_attr(C_STATUS_ERR) : A_BOLD, line);
	for (int i = 0; i < ch->n; i++) {
		const struct channel_health *c = &ch->c[i];
		bool bad = c->failures > 0 || c->dead > 0;
		char head[128], name[80], platform[48];
		snprintf(head, sizeof head, "  %s %s", text_cell(name, sizeof name, c->name, 16),
			 text_cell(platform, sizeof platform, c->platform, 11));
		count_format_fit(n[1], sizeof n[1], c->pending, 6);
		count_format_fit(n[2], sizeof n[2], c->dead, 6);
		count_format_fit(n[3], sizeof n[3], c->failures, 6);
		lag_text(lag, sizeof lag, c->lag_seconds);
		if (!c->enabled)
			snprintf(line, sizeof line, "%s off", head);
		else if (bad)
			snprintf(line, sizeof line, "%s %s failed %s · dead %s · %s", head, n[3],
				 c->failures == 1 ? "try" : "tries", n[2],
				 c->error[0] ? c->error : "-");
		else
			snprintf(line, sizeof line, "%s ok · pending %s · lag %s", head, n[1], lag);
		add(s, !c->enabled ? theme_attr(C_DIM) : bad ? theme_attr(C_REJECT) : A_NORMAL, line);
	}
}

/* "▁▃█": the admits per minute of the last hour in width cells, each
 * cell the sum of 60/width (rounded up) minutes, scaled to the busiest. */
static void sparkline(char *out, size_t size, const int *per_minute, int width)
{
	static const char *const bars[] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	int step, cells, sums[DASHBOARD_MINUTES] = { 0 }, top = 0;
	size_t len = 0;
	if (width < 1) {
		out[0] = '\0';
		return;
	}
	step = (DASHBOARD_MINUTES + width - 1) / width;
	cells = (DASHBOARD_MINUTES + step - 1) / step;
	for (int m = 0; m < DASHBOARD_MINUTES; m++) {
		/* the newest minute is the last cell's last */
		int c = cells - 1 - (DASHBOARD_MINUTES - 1 - m) / step;
		if (c >= 0)
			sums[c] += per_minute[m];
	}
	for (int c = 0; c < cells; c++)
		top = sums[c] > top ? sums[c] : top;
	out[0] = '\0';
	for (int c = 0; c < cells; c++) {
		int level = top == 0 || sums[c] == 0 ? 0 : 1 + (sums[c] * 7) / top;
		len += (size_t)snprintf(out + len, size > len ? size - len : 0, "%s", bars[level > 8 ? 8 : level]);
	}
}

/* A gate's link as its check-in stations last told it (db/054): "on",
 * "on 4q" (offline scans still queued there), "off 3m" (not heard from
 * for 3 minutes), "off 4q"; "-" for gates that never said (CLI, HTTP). */
static void link_text(char *buf, size_t size, const struct dashboard_gate *g)
{
	char n[16];
	count_format_fit(n, sizeof n, g->queued, 5);
	if (g->link == GATE_LINK_UNKNOWN)
		snprintf(buf, size, "-");
	else if (g->queued > 0)
		snprintf(buf, size, "%s %sq", g->link == GATE_LINK_ONLINE ? "on" : "off", n);
	else if (g->link == GATE_LINK_ONLINE)
		snprintf(buf, size, "on");
	else {
		lag_text(n, sizeof n, g->link_seconds);
		snprintf(buf, size, "off %s", n);
	}
}

static void gate_lines(struct dashboard_state *s, const struct dashboard_figures *f, int width)
{
	char line[600], n[3][32], state[16], link[32], spark[400], gate[64];
	int spark_w;
	if (f->ngates == 0)
		return;
	/* 12 name, 7 in, 6 refused, 6 offline, 7 last, 9 link: 52 columns,
	 * the rest the last hour */
	spark_w = width - 53;
	spark_w = spark_w > DASHBOARD_MINUTES ? DASHBOARD_MINUTES : spark_w;
	snprintf(line, sizeof line, "%-12s %7s %6s %6s %-7s %-9s %s", "GATE", "IN", "REFUSE", "OFFL", "LAST", "LINK",
		 spark_w >= 10 ? "LAST HOUR" : "");
	add(s, theme_attr(C_TITLE) | A_UNDERLINE, line);
	for (int i = 0; i < f->ngates; i++) {
		const struct dashboard_gate *g = &f->gates[i];
		count_format_fit(n[0], sizeof n[0], g->admitted, 7);
		count_format_fit(n[1], sizeof n[1], g->rejected, 6);
		count_format_fit(n[2], sizeof n[2], g->offline_admits, 6);
		if (g->idle_seconds < 0)
			snprintf(state, sizeof state, "-");
		else
			lag_text(state, sizeof state, g->idle_seconds);
		link_text(link, sizeof link, g);
		sparkline(spark, sizeof spark, g->per_minute, spark_w);
		snprintf(line, sizeof line, "%s %7s %6s %6s %-7s %-9.9s %s",
			 text_cell(gate, sizeof gate, g->name[0] ? g->name : "(none)", 12), n[0], n[1], n[2], state, link,
			 spark_w >= 10 ? spark : "");
		/* offline, or quiet for 5 minutes without a word: shown as a
		 * problem or dim */
		add(s, g->link == GATE_LINK_OFFLINE ? theme_attr(C_STATUS_ERR)
			: g->link == GATE_LINK_UNKNOWN && g->idle_seconds > 300 ? theme_attr(C_DIM)
										 : A_NORMAL,
		    line);
	}
	if (f->more_gates) {
		snprintf(line, sizeof line, "  +%d more gates", f->more_gates);
		add(s, theme_attr(C_DIM), line);
	}
}

/* "Stations 3: desk1 supervisor dashboard 4s · door2 gate checkin 1m" */
static void station_lines(struct dashboard_state *s, const struct dashboard_figures *f, int width)
{
	char line[400], tok[160], lag[16];
	int shown = 0;
	snprintf(line, sizeof line, "Stations %d:", f->nstations + f->more_stations);
	for (int i = 0; i < f->nstations; i++) {
		const struct dashboard_station *st = &f->stations[i];
		lag_text(lag, sizeof lag, st->idle_seconds);
		char name[96];
		text_ellipsis(name, sizeof name, st->name, 20);
		snprintf(tok, sizeof tok, " %s %s %.16s %s", name, st->role, st->screen, lag);
		if (draw_text_width(line) + draw_text_width(tok) + 10 > width && shown > 0) {
			add(s, A_NORMAL, line);
			snprintf(line, sizeof line, "  ");
		}
		strncat(line, tok, sizeof line - strlen(line) - 1);
		if (i + 1 < f->nstations)
			strncat(line, " ·", sizeof line - strlen(line) - 1);
		shown++;
	}
	if (f->more_stations) {
		snprintf(tok, sizeof tok, " +%d more", f->more_stations);
		strncat(line, tok, sizeof line - strlen(line) - 1);
	}
	add(s, A_NORMAL, line);
}

static long long method_paid(const struct dashboard_figures *f, int pm)
{
	return f->orders.cell[ORDER_SETTLED][pm].amount;
}

static long long method_owed(const struct dashboard_figures *f, int pm)
{
	return f->orders.cell[ORDER_REQUESTED][pm].amount + f->orders.cell[ORDER_INVOICE_SENT][pm].amount;
}

/* Paid / outstanding per payment method (the orders grid's cells), every
 * figure in one form and every method shown: exact when the whole line
 * fits, else all rounded to whole units, grouped ("44,490"), on one line
 * or two; only then abbreviated ("13M"), and said so. Methods that still
 * do not fit two lines are counted ("+1 more"). */
static void method_line(struct dashboard_state *s, const struct dashboard_figures *f, int width)
{
	/* exact, grouped whole units on one line, on two, abbreviated on two */
	static const struct {
		int fit, lines;
	} pass[] = { { 0, 1 }, { 13, 1 }, { 13, 2 }, { 5, 2 } };
	enum { NPASS = sizeof pass / sizeof pass[0] };
	char line[2][400], tok[96], a1[32], a2[32];
	int with_money = 0;

	for (int pm = 0; pm < SUMMARY_COLS - 1; pm++)
		with_money += method_paid(f, pm) != 0 || method_owed(f, pm) != 0;
	if (!with_money)
		return;
	for (int p = 0; p < NPASS; p++) {
		int left_out = 0, shown = 0, at = 0; /* at: the line being filled */
		snprintf(line[0], sizeof line[0], "By method, paid/outstanding%s:", p ? " (rounded)" : "");
		snprintf(line[1], sizeof line[1], "  "); /* a second line reads as the first's continuation */
		for (int pm = 0; pm < SUMMARY_COLS - 1; pm++) {
			long long paid = method_paid(f, pm), owed = method_owed(f, pm);
			bool first_on_line;
			if (paid == 0 && owed == 0)
				continue;
			if (pass[p].fit) {
				count_format_fit(a1, sizeof a1, (paid + (paid < 0 ? -50 : 50)) / 100, pass[p].fit);
				count_format_fit(a2, sizeof a2, (owed + (owed < 0 ? -50 : 50)) / 100, pass[p].fit);
			} else {
				money_format(a1, sizeof a1, paid);
				money_format(a2, sizeof a2, owed);
			}
			for (;;) {
				first_on_line = at == 0 ? shown == 0 : strcmp(line[1], "  ") == 0;
				snprintf(tok, sizeof tok, "%s%s %s/%s", first_on_line ? (at ? "" : " ") : " · ",
					 payment_label((enum payment_method)pm), a1, a2);
				/* the last line keeps room for " +N more" unless this is the last method */
				int room = width - (at == pass[p].lines - 1 && shown + 1 < with_money ? 8 : 0);
				if (!left_out && draw_text_width(line[at]) + draw_text_width(tok) <= room) {
					strncat(line[at], tok, sizeof line[at] - strlen(line[at]) - 1);
					shown++;
					break;
				}
				if (left_out || at + 1 >= pass[p].lines) {
					left_out++;
					break;
				}
				at++;
			}
		}
		if (left_out && p < NPASS - 1)
			continue;
		if (left_out)
			snprintf(line[at] + strlen(line[at]), sizeof line[at] - strlen(line[at]), " +%d more", left_out);
		add(s, A_NORMAL, line[0]);
		if (at)
			add(s, A_NORMAL, line[1]);
		return;
	}
}

static void build(struct dashboard_state *s, int width)
{
	const struct dashboard_figures *fp = &s->fig;
#define f (*fp)
	char line[400], a1[32], a2[32], n[5][32];

	s->count = 0;
	s->built_width = width;
	/* most important first: who is in, the money, the doors */
	{
		const long long v[4] = { f.tickets, f.assigned, f.checked_in, f.inside };
		for (int k = 0; k < 4; k++)
			count_format_fit(n[k], sizeof n[k], v[k], 7); /* the line fits in 76 columns */
	}
	/* tickets exist once their order is settled: "issued" says so */
	snprintf(line, sizeof line, "Tickets issued %s · assigned %s · checked in %s · inside now %s", n[0], n[1], n[2],
		 n[3]);
	if (draw_text_width(line) > width)
		snprintf(line, sizeof line, "Issued %s · assigned %s · checked in %s · inside now %s", n[0], n[1], n[2],
			 n[3]);
	add(s, A_BOLD, line);
	if (f.conflicts > 0) {
		snprintf(line, sizeof line, "%lld offline check-in conflict(s) to look at (c)", f.conflicts);
		add(s, theme_attr(C_STATUS_ERR), line);
	}
	money_format(a1, sizeof a1, f.paid);
	money_format(a2, sizeof a2, f.outstanding);
	snprintf(line, sizeof line, "Paid %s · outstanding %s (incl. VAT)", a1, a2);
	add(s, A_BOLD, line);
	method_line(s, fp, width);
	add(s, A_NORMAL, "");
	gate_lines(s, &f, width);
	station_lines(s, &f, width);
	add(s, A_NORMAL, "");
	s->channels_at = -1;
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
	channel_lines(s, &f.channels);
#undef f
}

static void dashboard_answer(struct db *db, const struct dashboard_figures *figures, void *ctx)
{
	struct dashboard_state *s = ctx;
	const struct dashboard_figures *fp = figures;
	time_t now = time(NULL);
	struct tm tm;

	read_mark_answer(&s->mark, db, figures != NULL);
	if (s->again && s->app) {
		/* changes came while this read was out: read once more, soon */
		s->again = false;
		s->next = 0;
		app_wake_in(s->app, 250);
	}
	if (!figures)
		return;
	s->fig = *figures;
	s->have = true;
	s->built_width = 0;
	memcpy(s->areas, fp->areas, sizeof s->areas);
	s->nareas = fp->nareas;
	s->more_areas = fp->more_areas;
	memcpy(s->entrances, fp->entrances, sizeof s->entrances);
	s->nentrances = fp->nentrances;
	s->more_entrances = fp->more_entrances;
	s->admits = fp->admits;
	s->have_entrances = fp->nareas > 0 || fp->admits > 0;
	localtime_r(&now, &tm);
	strftime(s->updated, sizeof s->updated, "%H:%M:%S", &tm);
}

/* Asks for the figures (one read out at a time); the lines shown stay,
 * marked, until the answer replaces them. */
static void dashboard_query(struct app *app, void *state)
{
	struct dashboard_state *s = state;
	long long now = mono_ms();

	s->app = app;
	if (!app_event_id(app)) {
		s->count = 0;
		return;
	}
	/* a flood of notifications: at most one read out, at most 4 a second */
	if (s->mark.loading || now - s->sent_ms < 250) {
		if (!s->again && !s->mark.loading)
			app_wake_in(app, (int)(250 - (now - s->sent_ms)));
		s->again = true;
		s->next = 0;
		return;
	}
	s->again = false;
	s->sent_ms = now;
	read_mark_sent(&s->mark, app, db_dashboard_submit(app_db(app), s, app_event_id(app), dashboard_answer, s));
}

/* Entrances in at most max lines of width columns: the areas'
 * occupancy ("Hall 38/40", full marked), the admits per list and gate
 * ("VIP north 12"), folded into as many lines as they need, and the total
 * (the event's admits: every admit is one row of one list and gate). */
#define ENT_LINES 24
struct ent_lines {
	char text[ENT_LINES][400];
	unsigned attr[ENT_LINES];
	int n;
};

/* Adds tokens after a label, as many a line as fit; the line that runs
 * out of room (rows left) ends with "+N more". */
static void fold(struct ent_lines *out, int rows, int width, const char *label, char tokens[][160], int n,
		 int more, unsigned attr)
{
	int i = 0;
	while (i < n && out->n < ENT_LINES && rows > 0) {
		char *line = out->text[out->n];
		bool last_row = rows == 1;
		snprintf(line, sizeof out->text[0], "%-7s", i == 0 ? label : "");
		for (bool first = true; i < n; first = false) {
			char tail[32] = "";
			int left = n - i - 1 + more;
			size_t len = strlen(line);
			if (last_row && left > 0)
				snprintf(tail, sizeof tail, " · +%d more", left);
			if (!first && draw_text_width(line) + 3 + draw_text_width(tokens[i]) + (int)strlen(tail) > width)
				break;
			snprintf(line + len, sizeof out->text[0] - len, "%s%s", first ? "" : " · ", tokens[i]);
			i++;
		}
		if (i < n && last_row) {
			size_t len = strlen(line);
			snprintf(line + len, sizeof out->text[0] - len, " · +%d more", n - i + more);
		} else if (i == n && more) {
			size_t len = strlen(line);
			snprintf(line + len, sizeof out->text[0] - len, " · +%d more", more);
		}
		out->attr[out->n++] = attr;
		rows--;
	}
}

static void entrance_lines(const struct dashboard_state *s, int width, int max, struct ent_lines *out)
{
	static char tokens[DASHBOARD_ENTRANCES_MAX][160];
	char n1[16], n2[16];
	bool full = false;
	int rows;

	out->n = 0;
	if (!s->have_entrances || max < 3)
		return;
	snprintf(out->text[out->n], sizeof out->text[0], "%s", "ENTRANCES");
	out->attr[out->n++] = theme_attr(C_TITLE) | A_UNDERLINE;
	rows = max - 2; /* the title and the total */
	for (int i = 0; i < s->nareas; i++) {
		const struct dashboard_area *a = &s->areas[i];
		count_format_fit(n1, sizeof n1, a->inside, 7);
		count_format_fit(n2, sizeof n2, a->capacity, 7);
		snprintf(tokens[i], sizeof tokens[0], "%.100s %s/%s%s", a->name, n1, n2,
			 a->inside > a->capacity ? " full, over" : a->inside == a->capacity ? " full" : "");
		full |= a->inside >= a->capacity;
	}
	if (s->nareas) {
		int before = out->n;
		/* the areas get at most half the rows: the admits need some */
		fold(out, rows - rows / 2 > 0 ? rows - rows / 2 : 1, width, "Areas", tokens, s->nareas, s->more_areas,
		     full ? theme_attr(C_REJECT) : A_BOLD);
		rows -= out->n - before;
	}
	for (int i = 0; i < s->nentrances; i++) {
		const struct dashboard_entrance *e = &s->entrances[i];
		count_format_fit(n1, sizeof n1, e->admits, 7);
		snprintf(tokens[i], sizeof tokens[0], "%.60s %.60s %s", e->list[0] ? e->list : "whole event",
			 e->gate[0] ? e->gate : "?", n1);
	}
	if (s->nentrances && rows > 0)
		fold(out, rows, width, "Admits", tokens, s->nentrances, s->more_entrances, A_NORMAL);
	count_format_fit(n1, sizeof n1, s->admits, 9);
	snprintf(out->text[out->n], sizeof out->text[0], "Total: admits in all %s, every list and gate", n1);
	out->attr[out->n++] = A_BOLD;
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
	if (s->have && s->built_width != a.w - 4)
		build(s, a.w - 4);
	{
		/* the totals first, then the entrances under them in the rows
		 * left (at least 5 of them: areas, admits, total) */
		struct ent_lines ent;
		int main_rows = s->count < a.h - 1 ? s->count : a.h - 1, room;
		room = a.h - 1 - (main_rows + 1);
		if (room < 5 && a.h - 1 >= 5 + 6) {
			/* as many rows as the entrances need, up to 5 */
			int want;
			entrance_lines(s, a.w - 4, 5, &ent);
			want = ent.n > room ? ent.n : room;
			main_rows = a.h - 1 - (want + 1);
			room = want;
		}
		entrance_lines(s, a.w - 4, room < ENT_LINES ? room : ENT_LINES, &ent);
		if (!ent.n)
			main_rows = s->count < a.h - 1 ? s->count : a.h - 1;
		/* Figures that are not current never look current. What does
		 * not fit is scrolled to (Up/Down/PgUp/PgDn/Home/End) and said
		 * so on the first and last rows. */
		s->rows = main_rows;
		if (s->top > s->count - main_rows)
			s->top = s->count - main_rows > 0 ? s->count - main_rows : 0;
		for (int i = 0; i < main_rows; i++) {
			int li = s->top + i, below = s->count - (s->top + main_rows);
			char more[80];
			unsigned attr;
			if (i == 0 && s->top > 0) {
				snprintf(more, sizeof more, "▲ %d more line(s) above: Up/PgUp/Home", s->top + 1);
				draw_text(a.y + i, a.x + 2, a.w - 4, more, theme_attr(C_DIM));
				continue;
			}
			if (i == main_rows - 1 && below > 0) {
				snprintf(more, sizeof more, "▼ %d more line(s) below: Down/PgDn/End", below + 1);
				draw_text(a.y + i, a.x + 2, a.w - 4, more, theme_attr(C_DIM));
				continue;
			}
			/* a failing platform shows at 80x24 whatever else does: the
			 * channels' summary takes the last row but one when it would
			 * be cut */
			if (i == main_rows - 2 && below > 0 && s->channels_at > li)
				li = s->channels_at;
			attr = stale ? theme_attr(C_DIM) : s->attrs[li];
			draw_text(a.y + i, a.x + 2, a.w - 4, s->lines[li], attr);
		}
		for (int i = 0; i < ent.n; i++)
			draw_text(a.y + main_rows + 1 + i, a.x + 2, a.w - 4, ent.text[i], stale ? theme_attr(C_DIM) : ent.attr[i]);
	}
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
	(void)payload;
	/* every change on any channel moves some total; the change log's
	 * own channel repeats them (the Audit log's) */
	return strcmp(channel, "boxoffice_changes") == 0 || strcmp(channel, "boxoffice_entitlements") == 0 ? SCR_IGNORED
													: SCR_REQUERY;
}

static int dashboard_tick(struct app *app, void *state)
{
	struct dashboard_state *s = state;
	time_t now = time(NULL);
	if (!app_online(app))
		return SCR_REDRAW; /* keep the offline mark visible */
	if (now < s->next && !s->again)
		return SCR_IGNORED;
	s->next = now + 2;
	return SCR_REQUERY;
}

static int dashboard_key(struct app *app, void *state, enum action action, int key)
{
	struct dashboard_state *s = state;
	int page = s->rows > 3 ? s->rows - 2 : 1, last = s->count - s->rows > 0 ? s->count - s->rows : 0, top = s->top;
	(void)key;
	switch (action) {
	case ACT_CONFLICTS:
		app_push(app, &conflicts_screen, NULL);
		return SCR_HANDLED;
	case ACT_UP: top--; break;
	case ACT_DOWN: top++; break;
	case ACT_PAGE_UP: top -= page; break;
	case ACT_PAGE_DOWN: top += page; break;
	case ACT_HOME: top = 0; break;
	case ACT_END: top = last; break;
	default: return SCR_IGNORED;
	}
	s->top = top < 0 ? 0 : top > last ? last : top;
	return SCR_HANDLED | SCR_REDRAW;
}

const struct screen_ops dashboard_screen = {
	.name = "dashboard",
	.needs = "clerk",
	.title = "Dashboard",
	.state_size = sizeof(struct dashboard_state),
	.query = dashboard_query,
	.draw = dashboard_draw,
	.on_notify = dashboard_notify,
	.on_tick = dashboard_tick,
	.on_key = dashboard_key,
};

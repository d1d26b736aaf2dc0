/* Event organizations: who an order's relationship is with — sponsors,
 * partners, exhibitors… with lifecycle, commercial status, visibility,
 * package, booth and category — and their orders' totals. */
#include <ctype.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/app/form.h"
#include "../src/app/theme.h"
#include "../src/core/money.h"
#include "../src/core/org_values.h"
#include "../src/core/text_fold.h"
#include "../src/core/util.h"
#include "../src/db/async.h"
#include "../src/db/organizations.h"
#include "screen.h"

/* Every organization of the event, allocated as read (a fixed 200 hid
 * the rest without a word: no End, search or filter reached them); past
 * this many the list says it shows only the first. */
#define ORGS_MAX 10000
enum { O_REL_SRC = EOG_RELATION, O_LIFE_SRC = EOG_LIFECYCLE, O_COMM_SRC = EOG_COMMERCIAL, O_VIS_SRC = EOG_VISIBILITY };

struct org_row {
	char cells[EOG_ORDERS][120];
	char entitled[48];
	long long orders, amount, id;
	int version;
};

/* The filter pane: search (a part of the name, any case) and a choice per
 * enum, "Any" first; Tab moves between it and the list, F4 resets it. */
enum { OF_SEARCH, OF_REL, OF_LIFE, OF_COMM, OF_VIS, OF_COUNT };
static const char *const rel_choices[] = { "Any", "sponsor", "partner", "exhibitor", "media", "supplier",
					   "organizer", "other" };
static const char *const life_choices[] = { "Any", "prospect", "contacted", "negotiating", "confirmed",
					    "active", "completed", "withdrawn" };
static const char *const comm_choices[] = { "Any", "none", "quoted", "contracted", "invoiced", "paid" };
static const char *const vis_choices[] = { "Any", "public", "internal", "hidden" };

struct organizations_state {
	struct org_row *all; /* nall of them, allocated for all_cap */
	int nall, all_cap;
	long long total;     /* how many the event has: more than nall when cut at ORGS_MAX */
	long long narchived; /* -1: not known (yet) */
	int *shown;          /* the rows the filters let through, indexes into all */
	struct form_field ffields[OF_COUNT];
	struct form filters;
	bool in_filters, filters_ready;
	struct list_cursor cursor;
	struct read_mark mark;
	int first_row_y; /* where the first row was drawn, for clicks */
	/* x asked "archive NAME? y/n" about this one (id and version as listed) */
	bool confirming, archiving;
	long long archive_id;
	int archive_version;
	char archive_name[160]; /* ORG_NAME_SAID columns, whole characters */
	/* a write whose answer the link lost: said on the list's last line
	 * (the status line is the link's then) until the list is read again */
	char unconfirmed[300];
	char writing_what[200];
	struct app *app;
	/* an assignment or a check-in changed the entitlements: read again
	 * once it has been quiet a moment (a busy entrance scans many a
	 * second; the list is one pass over the event's orders) */
	long long refresh_due; /* monotonic ms; 0: none */
};

#define ENTITLEMENT_REFRESH_MS 2000

/* The screen's columns: ORGANIZATION, RELATION (the list's order),
 * CATEGORY, VISIBILITY, PACKAGE, BOOTH, then the package's tickets
 * (entitled · ordered · assigned · checked in) and the live orders (count
 * · amount). At 80 columns the name keeps at least 24; the entitlement
 * gives way first, then visibility, category, package, relation, booth. */
enum { O_NAME, O_REL, O_CAT, O_VIS, O_PKG, O_BOOTH, O_ENT, O_ORDERS, O_COUNT };
static const int source_col[O_ORDERS] = { EOG_NAME, EOG_RELATION, EOG_CATEGORY, EOG_VISIBILITY, EOG_PACKAGE,
					  EOG_BOOTH, -1 };
static const struct column columns[O_COUNT] = {
	[O_NAME] = { "ORGANIZATION", 0, false, 0, 24 }, [O_REL] = { "RELATION", 9, false, 3, 0 },
	[O_CAT] = { "CATEGORY", 11, false, 5, 0 },      [O_VIS] = { "VISIBILITY", 10, false, 6, 0 },
	[O_PKG] = { "PACKAGE", 8, false, 4, 0 },        [O_BOOTH] = { "BOOTH", 10, false, 2, 0 },
	[O_ENT] = { "ENT·ORD·ASG·IN", 15, true, 7, 0 }, [O_ORDERS] = { "ORDERS · AMOUNT", 16, true, 1, 0 },
};

static void filters_init(struct organizations_state *s)
{
	static const struct form_field blank[OF_COUNT] = {
		[OF_SEARCH] = { .label = "Search ", .kind = FIELD_TEXT, .max_chars = 100 },
		[OF_REL] = { .label = "Relationship ", .kind = FIELD_CHOICE, .choices = rel_choices, .nchoices = 8 },
		[OF_LIFE] = { .label = "Lifecycle ", .kind = FIELD_CHOICE, .choices = life_choices, .nchoices = 8 },
		[OF_COMM] = { .label = "Commercial ", .kind = FIELD_CHOICE, .choices = comm_choices, .nchoices = 6 },
		[OF_VIS] = { .label = "Visibility ", .kind = FIELD_CHOICE, .choices = vis_choices, .nchoices = 4 },
	};
	memcpy(s->ffields, blank, sizeof blank);
	s->filters = (struct form){ s->ffields, OF_COUNT, 0 };
	s->filters_ready = true;
}

/* The rows the pane lets through, into shown[] and the cursor's count. */
static void filters_apply(struct organizations_state *s)
{
	static const int cols[4] = { O_REL_SRC, O_LIFE_SRC, O_COMM_SRC, O_VIS_SRC };
	int n = 0;
	char q[512];
	/* the name, booth or category; case, accents and spacing forgiven */
	text_fold(s->ffields[OF_SEARCH].text, q, sizeof q);
	for (int i = 0; i < s->nall; i++) {
		bool ok = text_fold_contains(s->all[i].cells[EOG_NAME], q) ||
			  text_fold_contains(s->all[i].cells[EOG_BOOTH], q) ||
			  text_fold_contains(s->all[i].cells[EOG_CATEGORY], q);
		for (int k = 0; k < 4 && ok; k++)
			ok = s->ffields[OF_REL + k].choice == 0 ||
			     strcmp(s->all[i].cells[cols[k]], form_value(&s->ffields[OF_REL + k])) == 0;
		if (ok)
			s->shown[n++] = i;
	}
	s->cursor.count = n;
	if (s->cursor.selected >= n)
		s->cursor.selected = n > 0 ? n - 1 : 0;
}

/* The count's room in ORDERS · AMOUNT: the "·" of every row, and of the
 * header, in one column. */
#define ORDERS_ROOM 4
#define WIDE_ORDERS_FROM 110
#define WIDE_ORDERS_W 20

/* "12 · 997.50": the count, then the amount in currency units in what is
 * left of the width; both abbreviated rather than cut. whole: every row
 * shows whole units (some amount would not fit with its cents), so no
 * row reads 99,750.00 beside a rounded 1,856,375. */
static void orders_cell(char *out, size_t size, const struct org_row *r, int width, bool whole)
{
	char n[32], m[32];
	int len = count_format_fit(n, sizeof n, r->orders, width > 7 ? 5 : width);
	int room = len < ORDERS_ROOM && width > 7 ? ORDERS_ROOM : len;

	if (width - room - 3 < 4) {
		snprintf(out, size, "%s", n);
		return;
	}
	if (whole)
		count_format_fit(m, sizeof m, r->amount >= 0 ? (r->amount + 50) / 100 : -((-r->amount + 50) / 100),
				 width - room - 3);
	else
		money_format_fit(m, sizeof m, r->amount, width - room - 3);
	snprintf(out, size, "%*s · %*s", room, n, width - room - 3, m);
}

/* Whether some listed organization's amount loses its cents in width. */
static bool amounts_whole(const struct organizations_state *s, int width)
{
	char full[48];
	for (int i = 0; i < s->cursor.count; i++)
		if (money_format(full, sizeof full, s->all[s->shown[i]].amount) > width - ORDERS_ROOM - 3)
			return true;
	return false;
}

static void organizations_answer(struct db *db, const PGresult *res, void *ctx)
{
	struct organizations_state *s = ctx;
	long long keep, saved;

	read_mark_answer(&s->mark, db, res != NULL);
	if (!res)
		return;
	s->unconfirmed[0] = '\0'; /* the list now shows what happened */
	/* the same organization stays chosen as rows come and go; one just
	 * added or saved in the form is chosen */
	keep = s->cursor.count > 0 ? s->all[s->shown[s->cursor.selected]].id : 0;
	if ((saved = org_form_saved_id()))
		keep = saved;
	s->nall = PQntuples(res) < ORGS_MAX ? PQntuples(res) : ORGS_MAX;
	s->total = s->nall > 0 ? db_int(res, 0, EOG_TOTAL) : 0;
	if (s->nall > s->all_cap) {
		s->all = xrealloc(s->all, (size_t)s->nall * sizeof s->all[0]);
		s->shown = xrealloc(s->shown, (size_t)s->nall * sizeof s->shown[0]);
		s->all_cap = s->nall;
	}
	for (int i = 0; i < s->nall; i++) {
		/* cut between characters, never inside one */
		for (int c = 0; c < EOG_ORDERS; c++)
			utf8_copy(s->all[i].cells[c], sizeof s->all[i].cells[c], db_text(res, i, c));
		utf8_copy(s->all[i].entitled, sizeof s->all[i].entitled, db_text(res, i, EOG_ENTITLED));
		s->all[i].orders = db_int(res, i, EOG_ORDERS);
		s->all[i].amount = db_int(res, i, EOG_AMOUNT);
		s->all[i].id = db_int(res, i, EOG_ID);
		s->all[i].version = (int)db_int(res, i, EOG_VERSION);
	}
	if (!s->filters_ready)
		filters_init(s);
	filters_apply(s);
	for (int j = 0; keep && j < s->cursor.count; j++)
		if (s->all[s->shown[j]].id == keep)
			s->cursor.selected = j;
}

static void archived_count_answer(struct db *db, const PGresult *res, void *ctx)
{
	struct organizations_state *s = ctx;
	(void)db;
	s->narchived = res && PQntuples(res) == 1 ? db_int(res, 0, 0) : -1;
}

/* The rows shown stay (marked) until the answer replaces them. */
static void organizations_query(struct app *app, void *state)
{
	struct organizations_state *s = state;

	if (!s->filters_ready)
		filters_init(s);
	s->refresh_due = 0; /* this read is the one that was due */
	db_cancel_owner(app_db(app), s); /* a newer read supersedes */
	db_event_org_archived_count_submit(app_db(app), s, app_event_id(app), ORGS_MAX, archived_count_answer, s);
	read_mark_sent(&s->mark, app,
		       db_event_org_list_submit(app_db(app), s, app_event_id(app), ORGS_MAX, organizations_answer, s));
}

/* "Gold: entitled 10 · ordered 10 · assigned 2 · checked in 0" for an
 * organization with a package; false without one. */
static bool package_line(const struct org_row *r, char *buf, size_t size)
{
	long v[4]; /* four numbers between "·" (not sscanf: the station's locale reads "·" otherwise) */
	const char *p = r->entitled;
	char *end;
	for (int i = 0; i < 4; i++) {
		while (*p && !isdigit((unsigned char)*p))
			p++;
		if (!*p)
			return false;
		v[i] = strtol(p, &end, 10);
		p = end;
	}
	if (v[0] + v[1] == 0)
		return false;
	snprintf(buf, size, "%s: entitled %ld · ordered %ld · assigned %ld · checked in %ld",
		 r->cells[EOG_PACKAGE][0] ? r->cells[EOG_PACKAGE] : "no package", v[0], v[1], v[2], v[3]);
	return true;
}

static void organizations_draw(struct app *app, void *state, struct rect a)
{
	struct organizations_state *s = state;
	int xs[O_COUNT], ws[O_COUNT], shown, visible;
	bool whole;
	char buf[600];
	const char *mark = read_mark_text(app, &s->mark, buf, sizeof buf);
	bool stale = read_mark_stale(app, &s->mark);

	if (!s->filters_ready)
		filters_init(s);
	/* the subtitle and how many (right: "3 of 24" while filtered), the
	 * filter pane (two lines), then the list */
	{
		static const char *const subtitles[] = {
			"Manage exhibitors, partners, sponsors, and other organizations for this event",
			"Manage exhibitors, partners, sponsors and others for this event",
			"Exhibitors, partners, sponsors and others of this event",
		};
		char count[48] = "", all[48];
		int room = a.w - 4, k = 0;
		snprintf(all, sizeof all, "%d organization%s", s->nall, s->nall == 1 ? "" : "s");
		if (s->nall > 0 && s->cursor.count == s->nall)
			snprintf(count, sizeof count, "%s", all);
		else if (s->nall > 0)
			snprintf(count, sizeof count, "%d of %d", s->cursor.count, s->nall);
		if (count[0]) {
			/* room kept for the longer count, so filtering never
			 * changes the subtitle's words */
			draw_text_right(a.y, a.x + 2, a.w - 4, count, theme_attr(C_DIM));
			room -= (int)strlen(all) + 2;
		}
		while (k < 2 && (int)strlen(subtitles[k]) > room)
			k++;
		draw_text(a.y, a.x + 2, room, subtitles[k], theme_attr(C_DIM));
	}
	{
		int half = (a.w - 2) / 2, third = (a.w - 2) / 3;
		form_draw_field(&s->filters, OF_SEARCH, a.y + 1, a.x + 1, 7, half - 1, s->in_filters);
		form_draw_field(&s->filters, OF_REL, a.y + 1, a.x + 1 + half, 13, a.w - 2 - half, s->in_filters);
		form_draw_field(&s->filters, OF_LIFE, a.y + 2, a.x + 1, 10, third - 1, s->in_filters);
		form_draw_field(&s->filters, OF_COMM, a.y + 2, a.x + 1 + third, 11, third - 1, s->in_filters);
		form_draw_field(&s->filters, OF_VIS, a.y + 2, a.x + 1 + 2 * third, 11, a.w - 2 - 2 * third,
				s->in_filters);
	}
	a.y += 3;
	a.h -= 3;
	/* the last line: a hint, or whether the rows are current; above it,
	 * when the event has more than are read, that the list stops short */
	visible = a.h - (s->total > s->nall ? 3 : 2);
	s->first_row_y = a.y + 1;

	{
		/* ORDERS · AMOUNT's title laid out as its rows are; "≈" when
		 * the amounts are whole units */
		struct column cols[O_COUNT];
		char title[48];
		/* a wide terminal gives the amounts room for their cents up to
		 * 99,999,999.99 (at 80 the name keeps its 24 first) */
		int orders_w = a.w >= WIDE_ORDERS_FROM ? WIDE_ORDERS_W : columns[O_ORDERS].width;
		whole = amounts_whole(s, orders_w);
		const char *amount = whole ? "≈AMOUNT" : "AMOUNT";
		int pad = orders_w - ORDERS_ROOM - 3 - draw_text_width(amount); /* "≈": 1 column, 3 bytes */
		snprintf(title, sizeof title, "%*s · %*s%s", ORDERS_ROOM, "ORD", pad > 0 ? pad : 0, "", amount);
		memcpy(cols, columns, sizeof cols);
		cols[O_ORDERS].title = title;
		cols[O_ORDERS].width = orders_w;
		shown = draw_columns(a.y, a.x + 1, a.w - 2, cols, O_COUNT, xs, ws, theme_attr(C_TITLE) | A_UNDERLINE);
	}
	list_cursor_fit(&s->cursor, visible);
	if (s->total > s->nall) {
		char first[32], of[32], cut[200];
		count_format_fit(first, sizeof first, s->nall, 20);
		count_format_fit(of, sizeof of, s->total, 20);
		snprintf(cut, sizeof cut, "Showing the first %s of %s organizations; the rest are not listed.", first,
			 of);
		draw_text(a.y + a.h - 2, a.x + 2, a.w - 4, cut, theme_attr(C_WARN));
	}
	if (s->unconfirmed[0])
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, s->unconfirmed, theme_attr(C_WARN));
	else if (mark) /* the last line says whether the rows are current */
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, mark, stale ? theme_attr(C_OFFLINE) : theme_attr(C_DIM));
	else if (s->confirming || s->archiving) {
		char q[300];
		snprintf(q, sizeof q, s->archiving ? "archiving %s…" : "Archive %s? y/n (it leaves the list)",
			 s->archive_name);
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, q, s->archiving ? theme_attr(C_DIM) : A_BOLD);
	} else if (!s->in_filters && shown > O_ENT && ws[O_ENT] == 0 && s->cursor.count > 0 &&
		   package_line(&s->all[s->shown[s->cursor.selected]], buf, sizeof buf))
		/* the entitlement column gave way: the chosen one's, in words */
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4, buf, theme_attr(C_DIM));
	else
		draw_text(a.y + a.h - 1, a.x + 2, a.w - 4,
			  s->in_filters ? "Filters: Tab or Up/Down a field, Space a choice, Enter the list, F4 Reset"
					: "+ add · e edit · x archive · v archived · o orders · p persons · Tab filters",
			  theme_attr(C_DIM));
	if (s->cursor.count == 0 && !mark) {
		char none[160], gone[96];
		if (s->nall == 0 && s->narchived > 0) { /* not "none yet": they were archived */
			org_all_archived_text(s->narchived, gone, sizeof gone);
			snprintf(none, sizeof none, "%s: v shows %s, + adds one.", gone, s->narchived == 1 ? "it" : "them");
		}
		draw_text(a.y + 2, a.x + 2, a.w - 4,
			  !app_event_id(app)			? "Choose an event first (menu: Events)."
			  : s->nall == 0 && s->narchived > 0 ? none
			  : s->nall == 0			? "No organizations for this event yet: press + to add the first one."
							: "No organization matches the filters (F4 Reset Filters).",
			  theme_attr(C_DIM));
	}
	for (int i = 0; i < visible && s->cursor.top + i < s->cursor.count; i++) {
		const struct org_row *r = &s->all[s->shown[s->cursor.top + i]];
		unsigned attr = s->cursor.top + i == s->cursor.selected ? theme_attr(C_SELECTED)
								       : stale ? theme_attr(C_DIM) : A_NORMAL;
		draw_fill(a.y + 1 + i, a.x, a.w, attr);
		for (int c = 0; c < shown; c++) {
			char cell[120];
			if (ws[c] == 0)
				continue; /* given way on a narrow terminal */
			if (c == O_ORDERS)
				orders_cell(cell, sizeof cell, r, ws[c], whole);
			else if (c == O_ENT)
				snprintf(cell, sizeof cell, "%s", strcmp(r->entitled, "0 · 0 · 0 · 0") ? r->entitled : "");
			else /* cut with "…", so "Hall C-114" never reads as booth "Hall C" */
				text_ellipsis(cell, sizeof cell, r->cells[source_col[c]], ws[c]);
			if (columns[c].right)
				draw_text_right(a.y + 1 + i, xs[c], ws[c], cell, attr);
			else
				draw_text(a.y + 1 + i, xs[c], ws[c], cell, attr);
		}
	}
}

static void archived(struct db *db, json_t *doc, void *ctx)
{
	struct organizations_state *s = ctx;

	s->archiving = false;
	if (!doc) {
		if (db_answer_lost(db)) { /* it may be archived: the list says, once online */
			snprintf(s->unconfirmed, sizeof s->unconfirmed,
				 "%s: archive not confirmed — see the list once online", s->archive_name);
			app_status(s->app, true, "%s", s->unconfirmed);
		} else /* the question named it: the why needs the line (at 80 columns) */
			app_status(s->app, true, "Not archived: %.*s", (int)utf8_prefix(db->err, 400), db->err);
		return;
	}
	app_status(s->app, false, "%s archived (v, then u, brings it back)", s->archive_name);
	organizations_query(s->app, s); /* it leaves the list */
}

/* y archives the one asked about (with the version listed); anything
 * else keeps it. */
static int archive_answer(struct app *app, struct organizations_state *s, int key)
{
	char id[24], v[24];
	const char *params[2] = { id, v };

	s->confirming = false;
	if (key != 'y' && key != 'Y') {
		app_status(app, false, "%s kept", s->archive_name);
		return SCR_HANDLED | SCR_REDRAW;
	}
	snprintf(id, sizeof id, "%lld", s->archive_id);
	snprintf(v, sizeof v, "%d", s->archive_version);
	s->app = app;
	/* its own owner: a re-read of the list never cancels it */
	s->archiving = db_org_call_submit(app_db(app), &s->archive_id, ORG_ARCHIVE, params, archived, s);
	if (!s->archiving)
		app_status(app, true, "Not archived: %.*s", (int)utf8_prefix(app_db(app)->err, 400), app_db(app)->err);
	return SCR_HANDLED | SCR_REDRAW;
}

static int organizations_key(struct app *app, void *state, enum action action, int key)
{
	struct organizations_state *s = state;
	const struct org_row *row;
	if (!s->filters_ready)
		filters_init(s);
	if (s->confirming)
		return archive_answer(app, s, key);
	if (action == ACT_RESET) {
		filters_init(s);
		filters_apply(s);
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (s->in_filters) {
		/* as in Ticket Orders' pane: Tab, Up and Down move between the
		 * fields; Enter, Esc, Tab after the last field or Shift-Tab
		 * before the first go back to the list */
		int r;
		if (action == ACT_BACK || action == ACT_OPEN || form_tabs_out(&s->filters, key)) {
			s->in_filters = false;
			return SCR_HANDLED | SCR_REDRAW;
		}
		/* / goes to Search from the other fields; in Search it is text */
		if (key == '/' && s->filters.focus != OF_SEARCH) {
			s->filters.focus = OF_SEARCH;
			return SCR_HANDLED | SCR_REDRAW;
		}
		r = form_key(&s->filters, action, key);
		if (r & FORM_CHANGED)
			filters_apply(s);
		/* what the pane does not take (F1, F2, F5, F10) is the
		 * framework's, as on any screen */
		return r ? SCR_HANDLED | SCR_REDRAW : SCR_IGNORED;
	}
	if (action == ACT_ADD) {
		app_push(app, &org_form_screen, NULL);
		return SCR_HANDLED;
	}
	if (action == ACT_FILTERS || action == ACT_SEARCH || key == KEY_BTAB) {
		/* from the list: Tab or / to Search, Shift-Tab to the last field */
		s->in_filters = true;
		s->filters.focus = key == KEY_BTAB ? OF_COUNT - 1 : OF_SEARCH;
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_ARCHIVED) {
		app_push(app, &org_archived_screen, NULL);
		return SCR_HANDLED;
	}
	row = s->cursor.count > 0 ? &s->all[s->shown[s->cursor.selected]] : NULL;
	if ((action == ACT_OPEN || action == ACT_ORDERS || action == ACT_PERSONS || action == ACT_EDIT ||
	     action == ACT_ARCHIVE) &&
	    !row) {
		app_status(app, true, "no organization chosen");
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_OPEN || action == ACT_ORDERS) {
		/* its orders: the Ticket Orders list filtered to it (by its id:
		 * placed on its behalf or naming it as company, as counted here) */
		app_push(app, &orders_screen, &(struct screen_arg){ row->id, row->cells[EOG_NAME] });
		return SCR_HANDLED;
	}
	if (action == ACT_PERSONS) {
		/* its persons: My Tickets among those holding its tickets */
		app_push(app, &mytickets_screen, &(struct screen_arg){ row->id, row->cells[EOG_NAME] });
		return SCR_HANDLED;
	}
	if (action == ACT_EDIT) {
		app_push(app, &org_form_screen, &(struct screen_arg){ row->id, NULL });
		return SCR_HANDLED;
	}
	if (action == ACT_ARCHIVE) {
		if (s->archiving)
			return SCR_HANDLED;
		s->confirming = true;
		s->archive_id = row->id;
		s->archive_version = row->version;
		/* short enough that the question's y/n and every status line
		 * about it fit at 80 columns */
		text_ellipsis(s->archive_name, sizeof s->archive_name, row->cells[EOG_NAME], ORG_NAME_SAID);
		return SCR_HANDLED | SCR_REDRAW;
	}
	return list_cursor_move(&s->cursor, action, s->cursor.visible > 0 ? s->cursor.visible : LINES - 5);
}

static int organizations_mouse(struct app *app, void *state, enum mouse_event event, int y, int x)
{
	struct organizations_state *s = state;
	bool open;
	(void)x;
	if (!list_cursor_mouse(&s->cursor, s->first_row_y, event, y, &open))
		return SCR_IGNORED;
	return open ? organizations_key(app, state, ACT_OPEN, 0) : SCR_HANDLED | SCR_REDRAW;
}

/* Orders move the counts and amounts; events and organizations the rows. */
static int organizations_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	struct organizations_state *s = state;
	bool entitlements = strcmp(channel, "boxoffice_tickets") == 0 ||
			    ((strcmp(channel, "boxoffice_entrances") == 0 || strcmp(channel, "boxoffice_entitlements") == 0) &&
			     atoll(payload) == app_event_id(app));

	if (strcmp(channel, "boxoffice_orders") == 0 || strcmp(channel, "boxoffice_events") == 0)
		return SCR_REQUERY;
	if (entitlements && !s->refresh_due) {
		s->refresh_due = db_now_ms() + ENTITLEMENT_REFRESH_MS;
		app_wake_in(app, ENTITLEMENT_REFRESH_MS);
	}
	return SCR_IGNORED;
}

static int organizations_tick(struct app *app, void *state)
{
	struct organizations_state *s = state;
	if (!s->refresh_due || db_now_ms() < s->refresh_due)
		return SCR_IGNORED;
	organizations_query(app, s); /* clears refresh_due */
	return SCR_HANDLED;
}

static void organizations_done(struct app *app, void *state)
{
	struct organizations_state *s = state;
	db_cancel_owner(app_db(app), &s->archive_id);
	free(s->all);
	free(s->shown);
}

static bool organizations_typing(void *state)
{
	return ((struct organizations_state *)state)->in_filters;
}

/* The archive the clerk said y to: closing would cancel it. */
static const char *organizations_writing(void *state)
{
	struct organizations_state *s = state;
	if (!s->archiving)
		return NULL;
	snprintf(s->writing_what, sizeof s->writing_what, "archiving %s", s->archive_name);
	return s->writing_what;
}

const struct screen_ops organizations_screen = {
	.name = "organizations",
	.needs = "clerk",
	.title = "Organizations",
	.state_size = sizeof(struct organizations_state),
	.done = organizations_done,
	.query = organizations_query,
	.draw = organizations_draw,
	.on_key = organizations_key,
	.typing = organizations_typing,
	.writing = organizations_writing,
	.on_mouse = organizations_mouse,
	.on_notify = organizations_notify,
	.on_tick = organizations_tick,
};

/* Ticket Orders: the filter pane — its fields, what they filter, how it is drawn. */
#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "../src/app/theme.h"
#include "../src/core/util.h"
#include "../src/core/validate.h"
#include "orders.h"

static const char *const ticket_choices[] = { "All", "missing", "complete" };

void orders_filters_init(struct orders_state *s)
{
	static const struct form_field blank[FF_COUNT] = {
		[FF_SEARCH] = { .label = "Search ", .kind = FIELD_TEXT, .max_chars = SEARCH_MAX_BYTES },
		[FF_STATUS] = { .label = "Status ", .kind = FIELD_CHOICE },
		[FF_PAYMENT] = { .label = "Payment ", .kind = FIELD_CHOICE },
		[FF_FROM] = { .label = "From ", .kind = FIELD_DATE, .max_chars = 10 },
		[FF_TO] = { .label = "To ", .kind = FIELD_DATE, .max_chars = 10 },
		[FF_TICKETS] = { .label = "Tickets ", .kind = FIELD_CHOICE, .choices = ticket_choices, .nchoices = 3 },
	};
	memcpy(s->ffields, blank, sizeof blank);
	s->ffields[FF_STATUS].choices = s->status_choices;
	/* in the words the list and the grid use ("Invoice sent"), in enum order */
	s->ffields[FF_STATUS].nchoices = name_choices(s->status_choices, "All", order_status_labels(), -1);
	s->ffields[FF_PAYMENT].choices = s->payment_choices;
	s->ffields[FF_PAYMENT].nchoices = name_choices(s->payment_choices, "All", payment_labels_all(), -1);
	s->filters = (struct form){ s->ffields, FF_COUNT, s->filters.focus };
}

/* The pane's fields as a filter; dates count only once complete. While
 * the pane has an error (a date half typed, From after To) the filter
 * stays the last good one. */
void orders_filters_apply(struct orders_state *s, long long event_id)
{
	struct order_filter f;
	const char *why;

	memset(&f, 0, sizeof f);
	order_filter_reset(&f);
	f.event_id = event_id;
	/* the field holds SEARCH_MAX_BYTES characters, up to twice or more
	 * the bytes: cut between characters (a cut inside "ä" was refused as
	 * not UTF-8, and the search stopped following the typing) */
	snprintf(f.search, sizeof f.search, "%.*s", (int)utf8_prefix(s->ffields[FF_SEARCH].text, SEARCH_MAX_BYTES),
		 s->ffields[FF_SEARCH].text);
	f.status = s->ffields[FF_STATUS].choice - 1;
	f.payment = s->ffields[FF_PAYMENT].choice - 1;
	f.tickets = (enum ticket_count_filter)s->ffields[FF_TICKETS].choice;
	f.event_org_id = s->org_id;
	s->filter_error[0] = s->filter_error_short[0] = '\0';
	for (int i = FF_FROM; i <= FF_TO; i++) {
		const char *text = s->ffields[i].text;
		char *target = i == FF_FROM ? f.from : f.to;
		const char *name = i == FF_FROM ? "From" : "To";
		if (strlen(text) == 10 && !validate_date(text))
			snprintf(target, 11, "%s", text);
		else if (text[0]) {
			snprintf(s->filter_error, sizeof s->filter_error, "%s: YYYY-MM-DD, a real date", name);
			/* whole in the hint's place at 80 columns (24) */
			snprintf(s->filter_error_short, sizeof s->filter_error_short,
				 strlen(text) == 10 ? "%s: no such date" : "%s: date as YYYY-MM-DD", name);
		}
	}
	if ((why = order_filter_check(&f))) {
		snprintf(s->filter_error, sizeof s->filter_error, "%s", why);
		s->filter_error_short[0] = '\0';
	}
	if (s->filter_error[0]) {
		/* Not applied: the list and the grid keep the last good filter
		 * (the grid's note says so), never half of the wrong one. */
		s->filter.event_id = event_id;
		s->filter.event_org_id = s->org_id;
		return;
	}
	s->filter = f;
}


/* Where each field is: two lines, Search (what is left), Status and
 * Payment wide enough for their longest choice whole ("Invoice sent ◂▸"),
 * then From, To, Tickets; the hint or error after them. */
enum { STATUS_W = 7 + 16, PAYMENT_W = 8 + 13, TICKETS_W = 8 + 13, HINT_X = 17 + 15 + TICKETS_W + 1 };

struct rect orders_filter_rect(const struct orders_state *s, struct rect a, int field)
{
	int x = a.x + 1, w = a.w - 2, search_w = w - STATUS_W - PAYMENT_W;
	(void)s;

	switch (field) {
	case FF_SEARCH: return (struct rect){ a.y, x, 1, search_w - 1 };
	case FF_STATUS: return (struct rect){ a.y, x + search_w, 1, STATUS_W - 1 };
	case FF_PAYMENT: return (struct rect){ a.y, x + search_w + STATUS_W, 1, w - search_w - STATUS_W };
	case FF_FROM: return (struct rect){ a.y + 1, x, 1, 16 };
	case FF_TO: return (struct rect){ a.y + 1, x + 17, 1, 14 };
	case FF_TICKETS: return (struct rect){ a.y + 1, x + 32, 1, TICKETS_W };
	default: return (struct rect){ a.y + 1, x + HINT_X, 1, w - HINT_X };
	}
}

void orders_draw_filters(struct orders_state *s, struct rect a, int y)
{
	static const int label_w[FF_COUNT] = { 7, 7, 8, 5, 3, 8 };
	struct rect hint_at;

	a.y = y;
	for (int i = 0; i < FF_COUNT; i++) {
		struct rect f = orders_filter_rect(s, a, i);
		form_draw_field(&s->filters, i, f.y, f.x, label_w[i], f.w, s->filter_focus);
	}
	hint_at = orders_filter_rect(s, a, FF_COUNT);
	if (s->filter_error[0]) {
		const char *error = s->filter_error;
		/* too long for the hint's place: its short form, else whole over
		 * the Tickets field, which shows again once the error is fixed */
		if (draw_text_width(error) > hint_at.w && s->filter_error_short[0])
			error = s->filter_error_short;
		if (draw_text_width(error) > hint_at.w) {
			struct rect t = orders_filter_rect(s, a, FF_TICKETS);
			draw_fill(hint_at.y, t.x, hint_at.x + hint_at.w - t.x, A_NORMAL);
			hint_at.w += hint_at.x - t.x;
			hint_at.x = t.x;
		}
		draw_text(hint_at.y, hint_at.x, hint_at.w, error, theme_attr(C_STATUS_ERR));
	} else if (s->org_id) {
		/* one organization's orders: the filter the pane has no field for */
		char line[900], name[880];
		text_ellipsis(name, sizeof name, s->org_name, hint_at.w - 5);
		snprintf(line, sizeof line, "Org: %s", name);
		draw_text(hint_at.y, hint_at.x, hint_at.w, line, A_BOLD);
	} else if (s->loading || s->summary_loading || s->refresh_due) {
		draw_text(hint_at.y, hint_at.x, hint_at.w, "loading…", theme_attr(C_DIM));
	} else {
		/* whole hints only, the ones the key bar does not show first */
		char hint[96] = "", key[16], one[48];
		for (int i = 0; i < 3; i++) {
			if (s->filter_focus)
				snprintf(one, sizeof one, "%s", i == 0 ? "Enter list" : i == 1 ? "Tab next" : "");
			else
				snprintf(one, sizeof one, "%s %s",
					 key_hint("orders", i == 0 ? ACT_FILTERS : i == 1 ? ACT_SEARCH : ACT_RESET, key, sizeof key),
					 i == 0 ? "filters" : i == 1 ? "search" : "reset");
			if (one[0] && (int)(strlen(hint) + 2 + strlen(one)) <= hint_at.w + (hint[0] ? 0 : 2))
				snprintf(hint + strlen(hint), sizeof hint - strlen(hint), "%s%s", hint[0] ? "  " : "", one);
		}
		draw_text(hint_at.y, hint_at.x, hint_at.w, hint, theme_attr(C_DIM));
	}
}

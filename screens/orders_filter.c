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
	s->ffields[FF_STATUS].nchoices = name_choices(s->status_choices, "All", order_status_names(), -1);
	s->ffields[FF_PAYMENT].choices = s->payment_choices;
	s->ffields[FF_PAYMENT].nchoices = name_choices(s->payment_choices, "All", payment_names(), -1);
	s->filters = (struct form){ s->ffields, FF_COUNT, s->filters.focus };
}

/* The pane's fields as a filter; dates count only once complete. */
void orders_filters_apply(struct orders_state *s, long long event_id)
{
	struct order_filter f;
	const char *why;

	memset(&f, 0, sizeof f);
	order_filter_reset(&f);
	f.event_id = event_id;
	/* the field holds at most SEARCH_MAX_BYTES; cut it explicitly anyway */
	snprintf(f.search, sizeof f.search, "%.*s", SEARCH_MAX_BYTES, s->ffields[FF_SEARCH].text);
	f.status = s->ffields[FF_STATUS].choice - 1;
	f.payment = s->ffields[FF_PAYMENT].choice - 1;
	f.tickets = (enum ticket_count_filter)s->ffields[FF_TICKETS].choice;
	s->filter_error[0] = '\0';
	for (int i = FF_FROM; i <= FF_TO; i++) {
		const char *text = s->ffields[i].text;
		char *target = i == FF_FROM ? f.from : f.to;
		if (strlen(text) == 10 && !validate_date(text))
			snprintf(target, 11, "%s", text);
		else if (text[0])
			snprintf(s->filter_error, sizeof s->filter_error, "%s: YYYY-MM-DD, a real date",
				 i == FF_FROM ? "From" : "To");
	}
	if ((why = order_filter_check(&f))) {
		snprintf(s->filter_error, sizeof s->filter_error, "%s", why);
		f.to[0] = '\0'; /* keep showing something sensible */
	}
	s->filter = f;
}


void orders_draw_filters(struct orders_state *s, struct rect a, int y)
{
	int x = a.x + 1, w = a.w - 2;
	/* Two lines: search, status, payment / from, to, tickets. */
	int search_w = w / 2, choice_w = (w - search_w) / 2;
	form_draw_field(&s->filters, FF_SEARCH, y, x, 7, search_w - 1, s->filter_focus);
	form_draw_field(&s->filters, FF_STATUS, y, x + search_w, 7, choice_w - 1, s->filter_focus);
	form_draw_field(&s->filters, FF_PAYMENT, y, x + search_w + choice_w, 8, w - search_w - choice_w, s->filter_focus);
	form_draw_field(&s->filters, FF_FROM, y + 1, x, 5, 16, s->filter_focus);
	form_draw_field(&s->filters, FF_TO, y + 1, x + 17, 3, 14, s->filter_focus);
	form_draw_field(&s->filters, FF_TICKETS, y + 1, x + 32, 8, 20, s->filter_focus);
	if (s->filter_error[0])
		draw_text(y + 1, x + 54, w - 54, s->filter_error, theme_attr(C_STATUS_ERR));
	else if (s->loading || s->summary_loading || s->refresh_due)
		draw_text(y + 1, x + 54, w - 54, "loading…", theme_attr(C_DIM));
	else if (!s->filter_focus) {
		char k[3][16], hint[80];
		snprintf(hint, sizeof hint, "%s search  %s filters  %s reset", key_hint("orders", ACT_SEARCH, k[0], 16),
			 key_hint("orders", ACT_FILTERS, k[1], 16), key_hint("orders", ACT_RESET, k[2], 16));
		draw_text(y + 1, x + 54, w - 54, hint, theme_attr(C_DIM));
	}
}

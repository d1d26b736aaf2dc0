/* Ticket Orders (screens/orders*.c): the state the parts share. Private to
 * the screen: orders.c (screen_ops, keys), orders_filter.c (filter pane),
 * orders_grid.c (summary grid), orders_list.c (list, paging, reading),
 * orders_actions.c (order actions, prompts), orders_export.c (CSV). */
#ifndef BOXOFFICE_SCREENS_ORDERS_H
#define BOXOFFICE_SCREENS_ORDERS_H

#include <libpq-fe.h>

#include "../src/app/form.h"
#include "../src/core/order.h"
#include "../src/core/order_filter.h"
#include "../src/db/orders.h"
#include "screen.h"

#define PAGE_MAX 200
#define DEBOUNCE_MS 120

struct order_row {
	long long id, ordered, tickets, amount, vat, version;
	/* whole values (200 characters of up to 4 bytes): the sort key is
	 * the exact key the database pages by, never a cut copy */
	char company[808], contact[808], date[11], sort_key[1024];
	enum payment_method payment;
	enum order_status status;
};

enum { FF_SEARCH, FF_STATUS, FF_PAYMENT, FF_FROM, FF_TO, FF_TICKETS, FF_COUNT };

enum prompt_kind { PROMPT_NONE, PROMPT_SETTLE, PROMPT_CANCEL, PROMPT_REFUND, PROMPT_EXPORT };

struct orders_state {
	struct form_field ffields[FF_COUNT];
	/* "All", then the names of src/core/order.c */
	const char *status_choices[ORDER_STATUS_COUNT + 2], *payment_choices[PAY_COUNT + 2];
	struct form filters;
	bool filter_focus;
	char filter_error[120];
	struct order_filter filter;
	enum order_sort sort;
	bool descending, hide_summary;
	struct order_row rows[PAGE_MAX];
	int count, selected;
	int page_rows;    /* the rows the list has (orders_fit), read a page at a time */
	struct rect area; /* the screen's area, from the framework's layout */
	struct order_summary summary;
	bool summary_ok;
	enum prompt_kind prompt;
	struct form_field pfield;
	struct form pform;
	long long prompt_order, prompt_version;
	/* the re-read in flight */
	struct app *app;
	bool loading, summary_loading;
	long long refresh_due; /* monotonic ms of a debounced re-read, 0: none */
	int step;              /* enum refresh_step */
	long long keep_id;     /* the order to keep selected */
	bool from_start;       /* the due re-read starts at the first page */
	struct order_row first;
	/* The write out and not answered yet ("settling order #12…"), one at
	 * a time; its own owner, so a re-read never cancels it. */
	char writing[64];
	char write_done[24]; /* "settled" */
	long long write_order;
};

enum refresh_step { STEP_AT, STEP_FIRST, STEP_LAST };

/* orders_filter.c */
void orders_filters_init(struct orders_state *s);
void orders_filters_apply(struct orders_state *s, long long event_id);
void orders_draw_filters(struct orders_state *s, struct rect a, int y);
/* orders_grid.c */
void orders_summary_answer(struct db *db, const struct order_summary *sum, void *ctx);
void orders_draw_summary(struct orders_state *s, struct rect a, int y);
/* orders_list.c */
int orders_list_top(const struct orders_state *s, struct rect a);
int orders_list_height(const struct orders_state *s, struct rect a);
bool orders_fit(struct orders_state *s);
void orders_start_refresh(struct app *app, struct orders_state *s);
void orders_refresh_soon(struct app *app, struct orders_state *s, bool from_start);
void orders_restart(struct app *app, struct orders_state *s);
int orders_move(struct app *app, struct orders_state *s, enum action action);
void orders_draw_list(struct orders_state *s, struct rect a, int y, int h);
/* orders_actions.c */
int orders_act(struct app *app, struct orders_state *s, enum action action);
int orders_prompt_done(struct app *app, struct orders_state *s);
void orders_draw_prompt(struct orders_state *s, struct rect a);
/* orders_export.c */
int orders_run_export(struct app *app, struct orders_state *s, const char *path);

#endif

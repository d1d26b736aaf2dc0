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
	char company[808], contact[808], date[11], sort_key[1024], station[128];
	enum payment_method payment;
	enum order_status status;
};

/* Who the order is for, as the list and the prompts name it: the company,
 * else "walk-in · STATION" (a counter sale without a company: the station
 * that sold it tells it apart). */
const char *order_row_buyer(const struct order_row *r, char *buf, size_t size);

enum { FF_SEARCH, FF_STATUS, FF_PAYMENT, FF_FROM, FF_TO, FF_TICKETS, FF_COUNT };

enum prompt_kind { PROMPT_NONE, PROMPT_INVOICE, PROMPT_RESEND, PROMPT_SETTLE, PROMPT_CANCEL, PROMPT_REFUND, PROMPT_EXPORT, PROMPT_OVERWRITE };

/* The actions on one order (invoice, settle, cancel, refund, generate),
 * their one-line prompts and the write in flight: the same for the list
 * and the order detail, so both ask and answer alike. */
struct order_actions {
	struct app *app;
	enum prompt_kind prompt;
	/* the prompt, naming the order; the buyer's name whole at name_at
	 * (name_len bytes, 0: none), cut with "…" at draw time so the y/n
	 * after it always shows */
	char question[1100];
	size_t name_at, name_len;
	struct form_field pfield;
	struct form pform;
	struct order_row target; /* the order the prompt is about */
	/* The write out and not answered yet ("settling order #12…"), one at
	 * a time; its own owner, so a re-read never cancels it. */
	char writing[64];
	char write_done[24]; /* "settled" */
	long long write_order;
	long long write_version; /* the order's version the write was sent with */
	enum order_status write_to;
	/* The last write that succeeded: until the row shown is read again
	 * (its version moves on), the next key judges by its new status, not
	 * the one on the screen. */
	long long wrote_order, wrote_version, wrote_new_version;
	enum order_status wrote_status;
	/* the invoice PDF being saved (and mailed) by a child, after `i`, or
	 * the receipt being printed after `p` (receipt_printing), then saved
	 * as a PDF when it could not be printed (receipt_unprinted) */
	struct doc_job *job;
	bool receipt_printing, receipt_unprinted;
	long long receipt_order;
	/* called when a write was answered (read what is shown again) */
	void (*after)(struct app *app, void *ctx);
	void *after_ctx;
};

/* INVOICE, SETTLE, CANCEL, REFUND, GENERATE on r (NULL: none selected);
 * SCR_IGNORED for other actions. */
/* p on the order detail: the receipt of a settled order printed again,
 * as the sale's p prints it; saved as a PDF when there is no printer. */
int order_actions_receipt(struct app *app, struct order_actions *a, const struct order_row *r);
int order_actions_key(struct app *app, struct order_actions *a, const struct order_row *r, enum action action);
/* A key while a prompt of a (SETTLE, CANCEL, REFUND) is open: y/n take
 * effect at once, Esc is no; the settle prompt takes text and Enter. */
int order_actions_prompt_key(struct app *app, struct order_actions *a, int key);
/* y or n answered at once (1, 0), Esc is no (0); -1 for other keys. */
int prompt_yes_no(int key);
/* Opens a prompt (kind) on r with question; text: a field follows it. */
void order_actions_ask(struct order_actions *a, enum prompt_kind kind, const struct order_row *r,
		       const char *question, bool text, const char *initial);
/* The lines the prompt or the write in flight take at the bottom (0-2). */
int order_actions_lines(const struct order_actions *a);
void order_actions_draw(const struct order_actions *a, struct rect area);
void order_actions_done(struct app *app, struct order_actions *a);
/* From the screen's on_tick: reports the invoice job when it ended. */
void order_actions_tick(struct app *app, struct order_actions *a);

struct orders_state {
	struct form_field ffields[FF_COUNT];
	/* "All", then the names of src/core/order.c */
	const char *status_choices[ORDER_STATUS_COUNT + 2], *payment_choices[PAY_COUNT + 2];
	struct form filters;
	bool filter_focus;
	char filter_error[120];
	char filter_error_short[48]; /* the same said in 24 columns (80-column hint), "" when none */
	struct order_filter filter;
	enum order_sort sort;
	bool descending, hide_summary;
	struct order_row rows[PAGE_MAX];
	int count, selected;
	int page_rows;    /* the rows the list has (orders_fit), read a page at a time */
	struct rect area; /* the screen's area, from the framework's layout */
	struct order_summary summary;
	bool summary_ok;
	struct order_actions act;
	/* the export waiting for "overwrite? y/n": where, and as typed */
	char export_path[4096], export_typed[FIELD_TEXT_MAX];
	/* the sorts whose columns the list shows now (F6 cycles those) */
	bool sort_shown[SORT_COUNT];
	/* the re-read in flight */
	struct app *app;
	bool loading, summary_loading;
	long long refresh_due; /* monotonic ms of a debounced re-read, 0: none */
	/* the moves pressed while the page was being read, arrows too: done
	 * in the order pressed once it arrives, not dropped (PgDn just after
	 * a resize or a filter; "End Up") */
	int queued[8];         /* enum actions, the first pressed first */
	int queued_n;
	int step;              /* enum refresh_step */
	/* a move past the page shown, read on the loop: which (enum action)
	 * and how many of its reads have answered (orders_move) */
	int move, move_reads;
	/* a key on the selected order (i, s, Enter, a, …) pressed while a
	 * move is read: done on the order the move selects, if the page
	 * comes within HELD_KEY_MS; one is kept */
	int held_action;
	long long held_at;
	long long keep_id;     /* the order to keep selected */
	bool from_start;       /* the due re-read starts at the first page */
	struct order_row first;
	bool opened_on_org;    /* opened from an organization: its own view, not kept */
	long long org_id;      /* its orders only (the organizations list's rule); F4 clears */
	char org_name[808];
	bool restored;         /* first and keep_id come from the last visit */
	/* "filters reset" is on the status line: the next key takes it away
	 * (it says what F4 did, not how the list is); false once anything
	 * else may have been said since */
	bool said_reset;
};

enum refresh_step { STEP_AT, STEP_FIRST, STEP_LAST };

/* orders_filter.c */
void orders_filters_init(struct orders_state *s);
void orders_filters_apply(struct orders_state *s, long long event_id);
void orders_draw_filters(struct orders_state *s, struct rect a, int y);
struct rect orders_filter_rect(const struct orders_state *s, struct rect a, int field);
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
int orders_do_queued_move(struct app *app, struct orders_state *s);
/* From the tick: the key held while a move was read, now that it is done. */
int orders_do_held_key(struct app *app, struct orders_state *s);
void orders_draw_list(struct orders_state *s, struct rect a, int y, int h);
/* orders_actions.c */
int orders_act(struct app *app, struct orders_state *s, enum action action);
/* orders_export.c: the export prompt's path, then overwrite? y/n */
int orders_export_ask(struct app *app, struct orders_state *s);
int orders_export_key(struct app *app, struct orders_state *s, int key);

#endif

/* A screen is a module behind a small table of callbacks (tig's view_ops,
 * tmux's window_mode). The framework owns the loop, the header, the key bar
 * and the status line; a screen draws its own area and answers with flags.
 * Screens never call each other or refresh() themselves. */
#ifndef BOXOFFICE_SCREENS_SCREEN_H
#define BOXOFFICE_SCREENS_SCREEN_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#include "../src/app/keymap.h"

struct app;
struct db;

enum screen_result {
	SCR_IGNORED = 0,
	SCR_HANDLED = 1 << 0,
	SCR_REDRAW = 1 << 1,
	SCR_REQUERY = 1 << 2, /* read the data again, then redraw */
	SCR_BACK = 1 << 3,    /* close this screen */
	SCR_QUIT = 1 << 4,
	SCR_MENU = 1 << 5,    /* back to the main menu (as F2) */
};

enum mouse_event { MOUSE_CLICK, MOUSE_DOUBLE_CLICK, MOUSE_WHEEL_UP, MOUSE_WHEEL_DOWN };

struct rect {
	int y, x, h, w;
};

/* What a screen is opened on (app_push's arg): an order for the order and
 * assign screens, a ticket type for the sale form. The framework copies it
 * at app_push; init gets the copy (NULL when the screen was opened on
 * nothing, as from the menu or --screen) and keeps what it needs. */
struct screen_arg {
	long long id;
	const char *name; /* may be NULL */
};

struct screen_ops {
	const char *name;  /* key map and --screen name */
	const char *title; /* menu and header */
	size_t state_size; /* zeroed private state, freed by the framework */
	void (*init)(struct app *app, void *state, const struct screen_arg *arg);
	void (*done)(struct app *app, void *state);
	/* Reads what the screen shows; called on open, REQUERY and reconnect.
	 * It should queue its reads (src/db/async.h, with the state as owner:
	 * the framework cancels them when the screen closes) and take the
	 * answers in callbacks; a synchronous read here holds the loop up to
	 * the connection's deadline when the link is silent. */
	void (*query)(struct app *app, void *state);
	/* The area draw will get: called before every query and when the
	 * terminal is resized. A screen whose reads depend on its size (a
	 * list that reads a page of visible rows) keeps what it needs and
	 * answers SCR_REQUERY when that changed; otherwise SCR_IGNORED. */
	int (*layout)(struct app *app, void *state, struct rect area);
	void (*draw)(struct app *app, void *state, struct rect area);
	int (*on_key)(struct app *app, void *state, enum action action, int key);
	/* True while a text field has the focus, so that letters type: the
	 * key bar leaves out the keys that are letters then. NULL: never. */
	bool (*typing)(void *state);
	/* The key set the screen answers to now when it is not its own: a
	 * y/n question (KEYS_ASK). Dispatch, the key bar and the F1 help all
	 * read it, so while it asks they show the question's keys. NULL op
	 * or NULL: the screen's name. */
	const char *(*keys)(void *state);
	/* False for an action of the screen's own keys that does nothing in
	 * the state the screen is in now (Tab after a sale is made): the key
	 * bar leaves its keys out. NULL: every key acts. */
	bool (*acts)(void *state, enum action action);
	/* What the screen is writing now ("archiving Fjord AB"), or NULL.
	 * Closing a screen cancels its requests, so while it writes the
	 * framework keeps it (and the screens under it) open: Esc, F2 and
	 * F10 say to wait for the answer. NULL op: never writes. */
	const char *(*writing)(void *state);
	/* What the screen holds that is not saved ("the sale being typed"),
	 * or NULL. The screen asks itself before Esc or F2 lose it; where it
	 * cannot ask (a terminal too small to show it) the framework keeps
	 * it open and says why. NULL op: nothing to lose. */
	const char *(*unsaved)(void *state);
	int (*on_notify)(struct app *app, void *state, const char *channel, const char *payload);
	int (*on_tick)(struct app *app, void *state);
	/* A mouse event where the terminal sends them (click: select the row
	 * or field under it; wheel: scroll); y, x are screen coordinates.
	 * NULL: the framework turns the wheel into ACT_UP/ACT_DOWN. Everything
	 * a click does must stay possible from the keyboard. */
	int (*on_mouse)(struct app *app, void *state, enum mouse_event event, int y, int x);
	/* Extra descriptors to poll (a camera): fills at most SCREEN_POLLFDS
	 * and may lower *timeout_ms (-1: none) when the screen has work due
	 * sooner; returns how many. on_fd runs after every poll of a loop
	 * that asked (revents set on the ready ones; none on a timeout). */
	int (*fds)(struct app *app, void *state, struct pollfd *fds, int *timeout_ms);
	int (*on_fd)(struct app *app, void *state, const struct pollfd *fds, int nfds);
	/* The least terminal the screen works in; 0: the floor, 80 columns ×
	 * 24 lines (SCREEN_MIN_W/H). Below it the framework draws only
	 * "Terminal too small: W×H, need …" and takes only F10 and F2 (and
	 * Ctrl-L) until the terminal grows; the screen is not drawn. */
	int min_w, min_h;
	/* The role a login needs to open the screen (db/026; NULL: anyone):
	 * others see it dimmed in the menu and are told which role it takes. */
	const char *needs;
};
#define SCREEN_POLLFDS 4
#define SCREEN_MIN_W 80
#define SCREEN_MIN_H 24

/* What the framework offers screens. */
struct db *app_db(struct app *app);
/* The login's role ("supervisor", "clerk", "gate", …; "" until known). */
const char *app_role(struct app *app);
const char *app_login(struct app *app);
bool app_online(struct app *app);
long long app_event_id(struct app *app);
const char *app_event_name(struct app *app);
void app_set_event(struct app *app, long long id, const char *name);
/* The --event the station was started with (NULL: none): a screen that
 * works offline resolves it from its own cache. */
const char *app_event_arg(struct app *app);
void app_status(struct app *app, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The columns the status line has now (what is longer is cut with
 * "…"): a message with shorter words picks them by it. */
int app_status_width(struct app *app);
/* The i-th newest message the status line was given (0: the newest), as
 * given, not cut to the line; NULL past the last few kept. */
const char *app_status_said(struct app *app, int i, bool *error);
/* The status line emptied: what it said no longer holds (the clerk
 * changed what a refusal was about). */
void app_status_clear(struct app *app);
/* Calls the top screen's on_tick once, about ms from now (debouncing). */
void app_wake_in(struct app *app, int ms);
/* Opens a screen on top of the current one (after this callback returns),
 * on arg (copied; NULL: nothing). */
void app_push(struct app *app, const struct screen_ops *screen, const struct screen_arg *arg);
const struct screen_ops *app_below(struct app *app); /* the screen under the top */
/* The key set of the screen under the top as it stands (its keys op). */
const char *app_below_keys(struct app *app);

/* Screens registered in the main menu, in order. */
struct menu_entry {
	int key;
	const struct screen_ops *screen;
};
extern const struct menu_entry menu_entries[];
extern const struct screen_ops menu_screen, help_screen, events_screen, inventory_screen,
	sale_screen, orders_screen, order_screen, neworder_screen, assign_screen, mytickets_screen,
	checkin_screen, dashboard_screen, organizations_screen, audit_screen, alerts_screen,
	conflicts_screen, thresholds_screen, org_form_screen, org_archived_screen;
const struct screen_ops *screen_by_name(const char *name);
/* The event organization the form last added or saved (0: none), told
 * once: the list selects it when it reads its rows again. */
long long org_form_saved_id(void);

/* F9's badge (src/app/badge_job.c): made and printed by a child process,
 * one at a time per screen, never waited for on the loop. start says
 * "making the badge…" (or why not); tick, from on_tick, says how it went
 * once it is done; done lets a job still running finish on its own. */
struct doc_job;
struct badge_job {
	struct doc_job *job;
	long long ticket_id;
};
int badge_job_start(struct app *app, struct badge_job *b, long long ticket_id);
int badge_job_tick(struct app *app, struct badge_job *b);
void badge_job_done(struct badge_job *b);

/* Where a screen's data stands, for its reads queued on the loop: the
 * rows shown stay while a read is out (marked "loading…"), and when the
 * read failed or the station is offline the screen says so rather than
 * show them as current, or show "nothing found" for what was not read. */
struct read_mark {
	bool loading;    /* a read is out */
	char error[512]; /* the last read failed: why */
};
/* After submitting: queued, or not (the reason from app_db(app)->err). */
void read_mark_sent(struct read_mark *m, struct app *app, bool queued);
/* In the read's callback: answered (out not NULL), or failed (db->err). */
void read_mark_answer(struct read_mark *m, struct db *db, bool answered);
/* NULL when what is shown is current, else "loading…", "unavailable —
 * offline" or "unavailable — why" (in buf when it needs it). */
const char *read_mark_text(struct app *app, const struct read_mark *m, char *buf, size_t size);
/* True when what is shown cannot be taken as current (offline, failed). */
#define read_mark_stale(app, m) (!app_online(app) || (m)->error[0])

/* Drawing helpers that respect UTF-8 display width. Every text goes
 * through them: in a locale that is not UTF-8 (LANG=C over SSH) they show
 * the screens' glyphs as ASCII (│ | ▲ ^ ▼ v ▸ > · - … ... — - × x █ # ░ .),
 * Latin letters without accents, anything else as one '?' a character
 * (src/core/ascii.c); so never draw glyphs with addstr/addwstr directly. */
void draw_text(int y, int x, int width, const char *text, unsigned attr);
void draw_text_right(int y, int x, int width, const char *text, unsigned attr);
/* text over up to max_lines rows of width columns, broken at spaces or
 * newlines (text_line: by columns, never inside a character); the last
 * row takes the rest, cut with "…"; returns the rows used. */
int draw_wrapped(int y, int x, int width, int max_lines, const char *text, unsigned attr);
void draw_fill(int y, int x, int width, unsigned attr);
/* Whole lines: ncurses' line-drawing characters (ACS), right in any locale. */
void draw_hline(int y, int x, int width, unsigned attr);
void draw_vline(int y, int x, int height, unsigned attr);
/* Columns text takes as draw_text draws it (ASCII mode included). */
int draw_text_width(const char *text);
/* text cut to width columns (and to size bytes), ending in "…" when it
 * was cut; always between characters. */
void text_ellipsis(char *buf, size_t size, const char *text, int width);
/* A table's cell: text in exactly width columns, cut with "…" and padded
 * with spaces; returns buf (printf's %-16.16s counts bytes: it cut a name
 * inside a character and padded "Fjärde" one column short). */
const char *text_cell(char *buf, size_t size, const char *text, int width);
/* The bytes of text's next line in width columns: up to the last space
 * that fits (else as many characters as fit, at least one), or to a
 * newline. The caller skips the space or newline after it. */
size_t text_line(const char *text, int width);
/* Columns of an organization's name in a question or a status line
 * ("Archive NAME? y/n (it leaves the list)" fits at 80). */
#define ORG_NAME_SAID 32
/* The end of text in width columns, starting with "…" when the front was
 * cut: a field being typed into shows where the typing is. */
void text_tail(char *buf, size_t size, const char *text, int width);
/* True when the terminal gets ASCII only (see draw_text). */
bool draw_ascii(void);
void draw_init(void); /* after setlocale: reads the locale's codeset */

/* Draws a QR of text with half-block characters (two modules a row);
 * returns the rows used, 0 when it does not fit in h rows × w columns. */
int draw_qr(int y, int x, int h, int w, const char *text);

/* Column layouts as data: title, width (0: take what is left), alignment,
 * and the order in which columns give way on a narrow terminal: drop 0 is
 * never dropped, otherwise the highest drop goes first, so each screen
 * says which columns matter most. min: the least a flexible column may
 * have before others are dropped (0: 12). */
struct column {
	const char *title;
	int width;
	bool right;
	int drop;
	int min;
};
/* Draws a header row and computes x positions; a column dropped for width
 * gets ws[i] = 0 (drawing into it draws nothing). Returns n when it drew
 * every column that fits, i.e. callers loop over all n. */
int draw_columns(int y, int x, int w, const struct column *cols, int n, int *xs, int *ws, unsigned attr);

/* A scrolling list cursor shared by list screens. visible: the rows
 * shown, as the last list_cursor_fit was told (0 before any). */
struct list_cursor {
	int selected, top, count;
	int visible;
};
int list_cursor_move(struct list_cursor *c, enum action action, int visible);
void list_cursor_fit(struct list_cursor *c, int visible);
/* A click at screen row y on a list whose first visible row is drawn at
 * screen row first_row_y: selects the row under it and returns its index,
 * or -1 (nothing changed) when y is above the list, past its last row or
 * past the visible rows. For on_mouse:
 *     int was = s->cursor.selected;
 *     int row = list_cursor_click(&s->cursor, s->first_row_y, y);
 *     if (row < 0) return SCR_IGNORED;
 *     if (event == MOUSE_DOUBLE_CLICK) ...open row (as Enter)...
 *     return SCR_HANDLED | SCR_REDRAW;
 * (the wheel: return SCR_IGNORED and the framework sends Up/Down). */
int list_cursor_click(struct list_cursor *c, int first_row_y, int y);
/* The list screens' whole mouse: false when the event is not a click on
 * a row (the wheel: the framework scrolls); true when a row was chosen,
 * with *open for a double click (do what Enter does). */
bool list_cursor_mouse(struct list_cursor *c, int first_row_y, enum mouse_event event, int y, bool *open);

#endif

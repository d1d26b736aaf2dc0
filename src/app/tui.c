/* The terminal application: one poll() loop over stdin, the libpq socket, a
 * timer and a signal pipe. Nothing here blocks on the network: connecting
 * and reconnecting are non-blocking, notifications arrive on the socket,
 * screens queue their reads (src/db/async.h) and get the answers through
 * callbacks run by this loop. What still runs synchronously (a screen's
 * writes, some screens' reads) is bounded by the connection's deadline. */
#define _GNU_SOURCE
#include "tui.h"

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "../../screens/screen.h"
#include "../core/role.h"
#include "../core/status_log.h"
#include "../core/util.h"
#include "../db/async.h"
#include "../db/dashboard.h"
#include "../db/migrate.h"
#include "../db/catalog.h"
#include "../db/events_view.h"
#include "../db/db.h"
#include "../db/inventory.h"
#include "../db/orders.h"
#include "../db/users.h"
#include "banner.h"
#include "cli.h"
#include "form.h"
#include "keymap.h"
#include "paths.h"
#include "theme.h"


#define STACK_MAX 8
#define TICK_MS 250
#define REAP_SECONDS 2
#define RECONNECT_MAX_S 5
/* A station waits for no answer longer than this: past it the link is
 * taken for dead (OFFLINE, reconnect). The session's statement_timeout is
 * 4/5 of it, so a slow but living server answers first. */
#define DEADLINE_MS 5000
/* Writes at a station never wait long for a row another one holds. */
#define LOCK_TIMEOUT_MS 3000
/* A message on the status line goes after this long (and when the screen
 * changes): an error stays longer than a note. */
#define STATUS_INFO_MS 8000
#define STATUS_ERROR_MS 15000
#define WHEEL_ROWS 3
/* BUSY (the server gave up a wait): the top screen reads again this
 * often, so the header says ONLINE soon after the jam ends; a screen
 * with nothing to read lets BUSY go after BUSY_SHOWN_MS. */
#define BUSY_PROBE_MS 3000
#define BUSY_SHOWN_MS 10000
/* Two presses on one cell this close together are a double click. */
#define DOUBLE_CLICK_MS 400
#define BAR_MAX 32

/* Channels every station listens on; screens filter by channel name. */
static const char *const listen_channels[] = {
	"boxoffice_orders", "boxoffice_inventory", "boxoffice_events", "boxoffice_tickets", "boxoffice_entrances",
	"boxoffice_changes", /* every statement that writes the change log (db/027) */
	"boxoffice_alert",   /* alerts raised and acknowledged (db/046): the banner */
	"boxoffice_entitlements", /* an organization's ticket admitted (db/067) */
	NULL,
};

struct screen_slot {
	const struct screen_ops *ops;
	void *state;
};

struct app {
	struct db *db;
	long long seen_ms; /* the last station_seen() sent */
	struct screen_slot stack[STACK_MAX];
	int depth;
	const struct screen_ops *pending_push;
	long long event_id;
	char event_name[201];
	/* app_push's arg, copied until the push happens */
	long long pending_id;
	char pending_name[201];
	bool pending_has_arg;
	const char *event_arg;
	char status[STATUS_LOG_BYTES]; /* what the status line says, "" nothing */
	bool status_error;
	struct status_log said; /* the last few messages, whole: the help shows them */
	/* the database's schema is older than this program: said on the
	 * status line whenever nothing else is, until someone migrates */
	char schema_behind[160];
	long long status_ms;      /* monotonic ms it was set */
	unsigned status_serial;   /* counts app_status calls */
	unsigned dispatch_serial; /* status_serial when the current key, tick… began */
	bool confirm_quit;        /* "Quit boxoffice? y/n" is asked */
	char small_note[160];     /* too small: why F2 kept the screen open */
	struct bar_item bar[BAR_MAX]; /* the key bar as drawn, for clicks */
	int nbar;
	/* the last press, to tell a double click */
	long long press_ms;
	int press_y, press_x;
	unsigned press_screen;
	unsigned screen_serial; /* counts screens opened and closed */
	bool running, dirty;
	unsigned listened_seq;
	time_t next_connect;
	time_t next_reap;
	long long next_busy_probe; /* monotonic ms: BUSY's next read of the top screen */
	int backoff;
	int signal_pipe[2];
	long long wake_at; /* monotonic ms a screen asked to be ticked at, 0: none */
	/* BOXOFFICE_KEYLOG: per key burst, how long the loop was busy */
	FILE *keylog;
	FILE *looplog; /* BOXOFFICE_LOOPLOG: every pass's busy time (bench/camera) */
	long long pass_t0;
	long long key_t0; /* µs */
	int key_n;
	/* who this station logs in as (db/026), "" until the database says:
	 * the screens offer only what the role may do */
	char login[64];
	char role[16];
	struct banner *banner; /* a supervisor's open alerts (src/app/banner.h) */
};

static struct app *the_app; /* for the signal handler and the fatal hook only */
static int saved_stderr = -1; /* the real stderr while curses owns the terminal */

/* ---- what screens may use ---- */

const char *app_role(struct app *app)
{
	return app->role;
}

const char *app_login(struct app *app)
{
	return app->login;
}

struct db *app_db(struct app *app)
{
	return app->db;
}

bool app_online(struct app *app)
{
	return app->db->state == DB_READY;
}

long long app_event_id(struct app *app)
{
	return app->event_id;
}

const char *app_event_arg(struct app *app)
{
	return app->event_arg;
}

const char *app_event_name(struct app *app)
{
	return app->event_name;
}

void app_set_event(struct app *app, long long id, const char *name)
{
	app->event_id = id;
	snprintf(app->event_name, sizeof app->event_name, "%s", name ? name : "");
	app->dirty = true;
}

void app_status(struct app *app, bool error, const char *fmt, ...)
{
	char full[4 * STATUS_LOG_BYTES];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(full, sizeof full, fmt, ap);
	va_end(ap);
	/* kept whole (a refusal naming a company and a file is wider than
	 * any line) and cut, if at all, between characters */
	status_text_cut(app->status, sizeof app->status, status_log_add(&app->said, error, full));
	app->status_error = error;
	app->status_ms = db_now_ms();
	app->status_serial++;
	app->dirty = true;
	if (error)
		beep();
}

const char *app_status_said(struct app *app, int i, bool *error)
{
	const struct status_msg *m = status_log_get(&app->said, i);
	if (error)
		*error = m && m->error;
	return m ? m->text : NULL;
}

int app_status_width(struct app *app)
{
	(void)app;
	return getmaxx(stdscr) - 2; /* draw_all: from column 1, one spare at the right */
}

void app_status_clear(struct app *app)
{
	if (!app->status[0])
		return;
	app->status[0] = '\0';
	app->status_error = false;
	app->status_serial++;
	app->dirty = true;
}

void app_wake_in(struct app *app, int ms)
{
	long long at = db_now_ms() + (ms > 0 ? ms : 0);
	if (!app->wake_at || at < app->wake_at)
		app->wake_at = at;
}

/* The next refresh clears the terminal and draws every cell again: what
 * curses believes is on the screen no longer matters. */
static void repaint(struct app *app)
{
	clearok(curscr, TRUE);
	app->dirty = true;
}

void app_push(struct app *app, const struct screen_ops *screen, const struct screen_arg *arg)
{
	app->pending_push = screen;
	app->pending_has_arg = arg != NULL;
	app->pending_id = arg ? arg->id : 0;
	snprintf(app->pending_name, sizeof app->pending_name, "%s", arg && arg->name ? arg->name : "");
}

const struct screen_ops *app_below(struct app *app)
{
	return app->depth >= 2 ? app->stack[app->depth - 2].ops : NULL;
}

/* The key set a screen answers to now: a question's, else its own. */
static const char *slot_keys(const struct screen_slot *s)
{
	const char *keys = s->ops->keys ? s->ops->keys(s->state) : NULL;
	return keys ? keys : s->ops->name;
}

const char *app_below_keys(struct app *app)
{
	return app->depth >= 2 ? slot_keys(&app->stack[app->depth - 2]) : NULL;
}

/* What a screen, the loop or a key is about to run starts from here: a
 * message set from now on belongs to what follows, one set before belongs
 * to the screen that was on top. */
static void dispatch_begin(struct app *app)
{
	app->dispatch_serial = app->status_serial;
}

/* Messages belong to their screen: when another comes on top, a message
 * set before the key that changed it goes (one set by that key stays: a
 * form that closes saying what it did). */
static void screen_changed(struct app *app)
{
	app->screen_serial++;
	if (app->status[0] && app->status_serial == app->dispatch_serial) {
		app->status[0] = '\0';
		app->dirty = true;
	}
}

/* ---- screens stack ---- */

static struct screen_slot *top(struct app *app)
{
	return &app->stack[app->depth - 1];
}

/* The area a screen draws in: all but the header, status and key bar. */
static struct rect screen_area(void)
{
	int h, w;
	getmaxyx(stdscr, h, w);
	return (struct rect){ 1, 0, h - 3, w };
}

/* Tells the screen the area it has now; its answer (SCR_REQUERY when what
 * it shows depends on that size and the size changed). */
static int screen_layout(struct app *app, struct screen_slot *s)
{
	return s->ops->layout ? s->ops->layout(app, s->state, screen_area()) : SCR_IGNORED;
}

/* Where this station is, for the supervisors' dashboard (db/048): the
 * screen on top, fire and forget (a database from before 048 just fails
 * the statement). */
static void station_seen(struct app *app, const char *screen)
{
	if (app_online(app)) {
		db_station_seen_submit(app->db, app, screen);
		app->seen_ms = db_now_ms();
	}
}

/* A screen reads knowing its area (opened, back on top, reconnected). */
static void screen_query(struct app *app, struct screen_slot *s)
{
	station_seen(app, s->ops->name);
	screen_layout(app, s);
	if (s->ops->query && app_online(app))
		s->ops->query(app, s->state);
}

static void push_screen(struct app *app, const struct screen_ops *ops, const struct screen_arg *arg)
{
	struct screen_slot *s;

	if (app->depth == STACK_MAX)
		return;
	if (!role_allows(app->role, ops->needs)) {
		app_status(app, true, "%s needs the %s role (login %s has the %s role)", ops->title, ops->needs,
			   app->login, app->role);
		return;
	}
	s = &app->stack[app->depth++];
	s->ops = ops;
	s->state = xcalloc(1, ops->state_size ? ops->state_size : 1);
	screen_changed(app);
	if (ops->init)
		ops->init(app, s->state, arg);
	screen_query(app, s);
	app->dirty = true;
}

static void pop_screen(struct app *app)
{
	struct screen_slot *s;

	if (app->depth <= 1)
		return;
	s = top(app);
	/* Its reads in flight must not answer into freed state. */
	db_cancel_owner(app->db, s->state);
	if (s->ops->done)
		s->ops->done(app, s->state);
	free(s->state);
	app->depth--;
	screen_changed(app);
	screen_query(app, top(app));
	app->dirty = true;
}

/* True (and said on the status line) when a screen from the top down to
 * stack index keep is writing: closing it would cancel the write. */
static bool closing_cancels_a_write(struct app *app, int keep)
{
	for (int i = app->depth - 1; i >= keep && i >= 0; i--) {
		const struct screen_slot *s = &app->stack[i];
		const char *what = s->ops->writing ? s->ops->writing(s->state) : NULL;
		if (what) {
			app_status(app, true, "still %s — wait for the answer", what);
			/* the status line is not drawn below the size floor */
			snprintf(app->small_note, sizeof app->small_note, "Still %s — wait for the answer.", what);
			return true;
		}
	}
	return false;
}

static void go_to_menu(struct app *app)
{
	if (closing_cancels_a_write(app, 1))
		return;
	while (app->depth > 1)
		pop_screen(app);
}

static void apply_result(struct app *app, int r)
{
	if (r & SCR_QUIT) { /* asked first: an F10 by mistake must not close a door station */
		app->confirm_quit = true;
		app->dirty = true;
	}
	if ((r & SCR_BACK) && !closing_cancels_a_write(app, app->depth - 1))
		pop_screen(app);
	if (r & SCR_MENU)
		go_to_menu(app);
	if (r & SCR_REQUERY)
		screen_query(app, top(app));
	if (r & (SCR_REDRAW | SCR_REQUERY | SCR_BACK | SCR_MENU))
		app->dirty = true;
	if (app->pending_push) {
		const struct screen_ops *ops = app->pending_push;
		struct screen_arg arg = { app->pending_id, app->pending_name };
		app->pending_push = NULL;
		push_screen(app, ops, app->pending_has_arg ? &arg : NULL);
	}
}

/* ---- connection ---- */

static void choose_event(struct app *app)
{
	long long id = 0, picked;
	char name[sizeof app->event_name];

	if (app->event_id)
		return;
	if (app->event_arg && !db_event_resolve(app->db, app->event_arg, &id)) {
		app_status(app, true, "--event: %s", app->db->err);
		id = 0;
	}
	if (db_event_pick(app->db, id, &picked, name, sizeof name) && picked)
		app_set_event(app, picked, name);
}

static void role_answer(struct db *db, json_t *doc, void *ctx)
{
	struct app *app = ctx;
	const char *login = json_string_value(json_object_get(doc, "login")),
		   *role = json_string_value(json_object_get(doc, "role"));
	(void)db;
	if (!login || !role)
		return; /* a database before db/026: nothing is hidden */
	snprintf(app->login, sizeof app->login, "%s", login);
	snprintf(app->role, sizeof app->role, "%s", role);
	app->dirty = true;
	/* opened before the role was known (--screen): not this login's */
	if (app->depth > 1 && !role_allows(app->role, top(app)->ops->needs)) {
		const struct screen_ops *refused = top(app)->ops;
		while (app->depth > 1 && !role_allows(app->role, top(app)->ops->needs))
			pop_screen(app);
		app_status(app, true, "%s needs the %s role (login %s has the %s role)", refused->title,
			   refused->needs, app->login, app->role);
	}
}

/* A station started on a database its migrations have not reached fails
 * in odd places (a sale that prints no receipt): say so at once. */
static void schema_answer(struct db *db, PGresult *res, void *ctx)
{
	struct app *app = ctx;
	int have;

	if (res)
		have = (int)db_int(res, 0, 0);
	else if (strcmp(db->sqlstate, "42P01") == 0)
		have = 0; /* never migrated */
	else
		return; /* the link: the reconnect will ask again */
	migrate_behind_text(have, app->schema_behind, sizeof app->schema_behind);
	app->dirty = true;
	/* the roles came with db/026; before it every login could do all */
	if (have >= MIGRATE_ROLES_VERSION)
		db_json_submit(db, app, SQL_LOGIN_ROLE, 0, NULL, role_answer, app);
}

static void on_connected(struct app *app)
{
	char where[320];

	for (int i = 0; listen_channels[i]; i++) {
		char sql[96];
		/* Channel names are our constants, not user data. */
		snprintf(sql, sizeof sql, "LISTEN %s", listen_channels[i]);
		db_submit(app->db, app, sql, 0, NULL, NULL, NULL, NULL);
	}
	db_submit(app->db, app, MIGRATE_SQL_VERSION, 0, NULL, schema_answer, NULL, app);
	app->listened_seq = app->db->notify_seq;
	app->backoff = 0;
	banner_connected(app->banner);
	choose_event(app);
	/* After a gap nothing on screen can be trusted: read it all again
	 * (the screens below re-read when they come back on top), and paint
	 * every cell. */
	screen_query(app, top(app));
	repaint(app);
	app_status(app, false, "connected to the %s", db_where(app->db, where, sizeof where));
}

static void connection_lost(struct app *app)
{
	time_t now = time(NULL);
	/* at most 5 s between tries: a station is back within seconds of its server */
	app->backoff = app->backoff ? (app->backoff * 2 > RECONNECT_MAX_S ? RECONNECT_MAX_S : app->backoff * 2) : 1;
	app->next_connect = now + app->backoff;
	if (app->db->status == DB_FORBIDDEN) /* the server answered: this login may not log in */
		app_status(app, true, "%s (retrying in %ds)", app->db->err, app->backoff);
	else
		app_status(app, true, "database unreachable: %s (retrying in %ds)", app->db->err, app->backoff);
}

static void try_connect(struct app *app)
{
	if (!db_connect_start(app->db))
		connection_lost(app);
	app->dirty = true;
}

static void poll_connect(struct app *app)
{
	enum db_conn_state st = db_connect_poll(app->db);
	if (st == DB_READY)
		on_connected(app);
	else if (st == DB_DISCONNECTED)
		connection_lost(app);
}

/* Dispatches the notifications libpq holds. A synchronous query (a screen
 * reading, the reaper) reads the socket too and may leave notifications
 * queued inside libpq with nothing more to wake poll(): so this runs
 * before every poll, not only when the socket is readable. */
static void dispatch_notifications(struct app *app)
{
	PGnotify *n;
	int result = SCR_IGNORED;

	dispatch_begin(app);
	/* A burst of notifications costs one re-read, not one per change. */
	while ((n = db_next_notify(app->db))) {
		struct screen_slot *s = top(app);
		banner_notify(app->banner, n->relname);
		if (s->ops->on_notify)
			result |= s->ops->on_notify(app, s->state, n->relname, n->extra);
		PQfreemem(n);
	}
	apply_result(app, result);
}

static void drain_notifications(struct app *app)
{
	if (!db_async_input(app->db)) {
		connection_lost(app);
		return;
	}
	dispatch_notifications(app);
}

/* Answers to queued reads: their callbacks run here, on the loop. */
static void run_requests(struct app *app)
{
	if (db_async_run(app->db) > 0)
		app->dirty = true;
	/* a connect that got no answer in time: back off as for a refusal */
	if (db_connect_expired(app->db)) {
		connection_lost(app);
		return;
	}
	/* A request, a deadline or a synchronous call found the link gone. */
	if (app->db->state == DB_DISCONNECTED && app->backoff == 0)
		connection_lost(app);
}

/* poll()'s timeout: the next deadline, screen wake-up or none. */
static int loop_timeout(struct app *app)
{
	long long now = db_now_ms();
	int t = db_async_timeout(app->db);

	if (app->db->state == DB_CONNECTING && app->db->op_deadline) {
		long long left = app->db->op_deadline - now;
		int c = left < 0 ? 0 : (int)left;
		if (t < 0 || c < t)
			t = c;
	}
	if (app->wake_at) {
		long long left = app->wake_at - now;
		int w = left < 0 ? 0 : (int)left;
		if (t < 0 || w < t)
			t = w;
	}
	return t;
}

static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The time from poll() returning to the next poll(): how long the loop
 * could not answer a key. */
static void loop_log_end(struct app *app)
{
	if (app->looplog && app->pass_t0)
		fprintf(app->looplog, "%.3f\n", (double)(now_us() - app->pass_t0) / 1000.0);
}

static void key_log_end(struct app *app)
{
	if (app->keylog && app->key_t0) {
		fprintf(app->keylog, "%.3f %d\n", (double)(now_us() - app->key_t0) / 1000.0, app->key_n);
		fflush(app->keylog);
	}
	app->key_t0 = 0;
	app->key_n = 0;
}

/* While the header says BUSY: read the top screen again now and then
 * (one read through is the end of the jam; one more refusal keeps BUSY),
 * and let BUSY go a while after the last refusal whatever happens. */
static void busy_probe(struct app *app)
{
	long long now = db_now_ms();
	struct screen_slot *s = top(app);

	if (!app->db->busy)
		return;
	if (now - app->db->busy_at >= BUSY_SHOWN_MS) {
		app->db->busy = false;
		app->dirty = true;
		return;
	}
	if (app->db->state != DB_READY || db_async_pending(app->db, NULL) || now < app->next_busy_probe ||
	    now - app->db->busy_at < BUSY_PROBE_MS)
		return;
	app->next_busy_probe = now + BUSY_PROBE_MS;
	if (s->ops->query)
		screen_query(app, s);
}

/* ---- drawing ---- */

static void draw_header(struct app *app, int w)
{
	char left[1024], station[300], fixed[320], event[256];
	const char *state;
	enum color_role role;
	int room;

	switch (app->db->state) {
	/* reachable but jammed: a lock another session holds, a statement
	 * past its timeout (the status line says which) */
	case DB_READY:
		state = app->db->busy ? " BUSY " : " ONLINE ";
		role = app->db->busy ? C_OFFLINE : C_ONLINE;
		break;
	case DB_CONNECTING: state = " CONNECTING "; role = C_OFFLINE; break;
	default: state = " OFFLINE "; role = C_OFFLINE; break;
	}
	room = w - (int)strlen(state) - 1;
	draw_fill(0, 0, w, theme_attr(C_HEADER));
	/* The station's name is never cut: the event's name gives way first
	 * ("…"), then its "Event: " label (so that screens with long titles,
	 * New ticket order, keep the role at 80 columns), then the login's
	 * role (the menu shows it too), then the program's name. */
	for (int step = 0; step < 4; step++) {
		int event_room;
		bool brief = step == 3, with_role = step < 2 && app->role[0], label = step != 1;
		if (step == 1 && !with_role)
			continue; /* the label goes only to keep the role */
		if (with_role)
			snprintf(station, sizeof station, " │ Station: %s · %s", app->db->station, app->role);
		else
			snprintf(station, sizeof station, " │ Station: %s", app->db->station);
		snprintf(fixed, sizeof fixed, "%s%s │ %s", brief ? " " : " boxoffice │ ", top(app)->ops->title,
			 label ? "Event: " : "");
		event_room = room - draw_text_width(fixed) - draw_text_width(station);
		/* at least "Gala 20…"; "Gala…" where its label went for the role */
		if (event_room < (label ? 8 : 6) && !brief)
			continue;
		text_ellipsis(event, sizeof event, app->event_name[0] ? app->event_name : "(none)", event_room);
		break;
	}
	snprintf(left, sizeof left, "%s%s%s", fixed, event, station);
	draw_text(0, 0, room, left, theme_attr(C_HEADER));
	draw_text(0, w - (int)strlen(state), (int)strlen(state), state, theme_attr(role));
}

/* F1 Help first and always, then the screen's own keys, then the global
 * ones, as many as fit (keymap_bar); kept for clicks on the bar. */
static void draw_bar(struct app *app, int y, int w)
{
	draw_fill(y, 0, w, theme_attr(C_BAR_LABEL));
	const struct screen_ops *ops = top(app)->ops;
	bool typing = ops->typing && ops->typing(top(app)->state);
	const char *keys = slot_keys(top(app));
	/* the screen's acts() speaks of its own keys, not of a question's */
	app->nbar = keymap_bar(keys, app->depth > 1, typing, app->role, w, app->bar, BAR_MAX,
			       keys == ops->name ? ops->acts : NULL, top(app)->state);
	for (int i = 0; i < app->nbar; i++) {
		const struct bar_item *b = &app->bar[i];
		char key[16];
		int kw = (int)strlen(key_label(b->key, key, sizeof key));
		draw_text(y, b->x, w - b->x, key, theme_attr(C_BAR_KEY));
		draw_text(y, b->x + kw, w - b->x - kw, b->label, theme_attr(C_BAR_LABEL));
	}
}

/* The least terminal the top screen works in (screen_ops.min_w/min_h,
 * else 80×24); true when the terminal is smaller. */
static bool too_small(struct app *app, int *min_w, int *min_h)
{
	const struct screen_ops *ops = top(app)->ops;
	int h, w;

	getmaxyx(stdscr, h, w);
	*min_w = ops->min_w > 0 ? ops->min_w : SCREEN_MIN_W;
	*min_h = ops->min_h > 0 ? ops->min_h : SCREEN_MIN_H;
	return w < *min_w || h < *min_h;
}

/* Below the floor nothing of the screen is drawn (ncdu's way): what is
 * wrong, what is needed, the keys that still work. */
static void draw_too_small(struct app *app, int h, int w, int min_w, int min_h)
{
	char line[128];
	int y = h / 2 - 1 > 0 ? h / 2 - 1 : 0;

	app->nbar = 0;
	snprintf(line, sizeof line, "Terminal too small: %d×%d, need %d×%d", w, h, min_w, min_h);
	draw_text(y, 1, w - 1, line, A_BOLD);
	draw_text(y + 1, 1, w - 1, "F10 quits, F2 opens the menu.", A_NORMAL);
	if (app->small_note[0] && !app->confirm_quit)
		draw_wrapped(y + 2, 1, w - 1, 2, app->small_note, theme_attr(C_WARN));
	if (app->confirm_quit)
		draw_text(y + 2, 1, w - 1, "Quit boxoffice? y/n", theme_attr(C_WARN));
}

/* A message wider than the line ends with "…" and the key that shows it
 * whole: F1, whose help lists the last messages in full (on the help
 * itself: Home, to its top, where they are). The hint is short: the
 * words before it are what most clerks read. */
static void draw_status(struct app *app, int y, int width)
{
	unsigned attr = theme_attr(app->status_error ? C_STATUS_ERR : C_STATUS_OK);
	char cut[STATUS_LOG_BYTES + 64], hint[48], key[16];
	bool on_help = strcmp(top(app)->ops->name, "help") == 0;
	size_t len;

	if (draw_text_width(app->status) <= width) {
		draw_text(y, 1, width, app->status, attr);
		return;
	}
	snprintf(hint, sizeof hint, " (%s: all)",
		 on_help ? key_hint("help", ACT_HOME, key, sizeof key)
			 : key_hint(slot_keys(top(app)), ACT_HELP, key, sizeof key));
	text_ellipsis(cut, sizeof cut - sizeof hint, app->status, width - draw_text_width(hint));
	len = strlen(cut);
	snprintf(cut + len, sizeof cut - len, "%s", hint);
	draw_text(y, 1, width, cut, attr);
}

static void draw_all(struct app *app)
{
	int h, w, min_w, min_h;
	struct rect area;
	struct screen_slot *s = top(app);
	char line[600];

	getmaxyx(stdscr, h, w);
	erase();
	if (too_small(app, &min_w, &min_h)) {
		draw_too_small(app, h, w, min_w, min_h);
		refresh();
		app->dirty = false;
		return;
	}
	app->small_note[0] = '\0'; /* the screen is back: it asks for itself */
	draw_header(app, w);
	area = screen_area();
	if (s->ops->draw)
		s->ops->draw(app, s->state, area);
	if (app->confirm_quit) {
		draw_fill(h - 2, 0, w, A_NORMAL);
		draw_text(h - 2, 1, w - 2, "Quit boxoffice? y/n", theme_attr(C_WARN));
	} else if (app->status[0]) {
		draw_status(app, h - 2, w - 2);
	} else if (banner_text(app->banner, line, sizeof line)) {
		draw_text(h - 2, 1, w - 2, line, theme_attr(C_WARN) | A_BOLD);
	} else if (app->schema_behind[0]) {
		draw_text(h - 2, 1, w - 2, app->schema_behind, theme_attr(C_STATUS_ERR));
	}
	draw_bar(app, h - 1, w);
	refresh();
	app->dirty = false;
}

/* ---- the loop ---- */

static void on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;
	if (the_app && write(the_app->signal_pipe[1], &b, 1) < 0) {
		/* nothing to do: the pipe is full, a wake-up is pending anyway */
	}
	errno = saved;
}

/* While curses owns the terminal nothing else may write to it: libpq,
 * zbar or any library printing to stderr would scroll the screen under
 * curses' feet. stderr goes to a log file under the state directory (or
 * /dev/null) until the screens end, so a final error still reaches the
 * user. */
static void redirect_stderr(const char *station)
{
	const char *dir = paths_state_dir();
	char path[1400], name[200];
	int fd;

	paths_file_component(name, sizeof name, station);
	paths_mkdirs(dir);
	snprintf(path, sizeof path, "%s/tui-%s.log", dir, name);
	fflush(stderr);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	saved_stderr = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (saved_stderr >= 0)
		dup2(fd, STDERR_FILENO);
	close(fd);
}

static void restore_stderr(void)
{
	if (saved_stderr < 0)
		return;
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	saved_stderr = -1;
}

static void restore_terminal(void)
{
	if (!isendwin())
		endwin();
	restore_stderr();
}

/* The server's notices and asynchronous errors (FATAL when it shuts down)
 * go to the status line and the log, never to the terminal. */
static void on_notice(void *arg, const char *message)
{
	struct app *app = arg;
	bool error = strncmp(message, "FATAL", 5) == 0 || strncmp(message, "PANIC", 5) == 0 ||
		     strncmp(message, "ERROR", 5) == 0;
	time_t now = time(NULL);
	char at[32];

	strftime(at, sizeof at, "%Y-%m-%d %H:%M:%S", localtime(&now));
	fprintf(stderr, "%s server: %s\n", at, message);
	app_status(app, error, "server: %s", message);
}

static void handle_mouse(struct app *app);

static void handle_key(struct app *app, int ch)
{
	struct screen_slot *s = top(app);
	enum action action, wanted;
	int r = SCR_IGNORED, min_w, min_h;

	if (ch == KEY_RESIZE) {
		/* the screens below learn their area when they are on top again */
		app->dirty = true;
		apply_result(app, screen_layout(app, s) & SCR_REQUERY);
		return;
	}
	dispatch_begin(app);
	if (db_now_ms() - app->seen_ms > 30000)
		station_seen(app, s->ops->name); /* last activity, at most twice a minute */
	action = keymap_lookup(slot_keys(s), ch);
	if (app->confirm_quit) {
		/* y (no Enter) or the quit key again: quit; n or Esc: stay;
		 * any other key: stay, and the key does what it does */
		app->confirm_quit = false;
		app->dirty = true;
		if (ch == 'y' || ch == 'Y' || action == ACT_QUIT) {
			/* a write on its way would end unanswered */
			if (!closing_cancels_a_write(app, 0))
				app->running = false;
			return;
		}
		if (ch == 'n' || ch == 'N' || ch == 27 || ch == KEY_MOUSE)
			return;
	}
	if (ch == KEY_MOUSE) {
		handle_mouse(app);
		return;
	}
	/* Ctrl-L is the framework's on every screen, whatever the screen
	 * does with keys (a form would take it as text). */
	if (action == ACT_REPAINT) {
		repaint(app);
		return;
	}
	/* Below the floor the screen is not shown: only quit and the menu. */
	if (too_small(app, &min_w, &min_h)) {
		const char *lost = NULL;
		for (int i = app->depth - 1; i >= 1 && !lost; i--) {
			const struct screen_slot *u = &app->stack[i];
			lost = u->ops->unsaved ? u->ops->unsaved(u->state) : NULL;
		}
		app->small_note[0] = '\0';
		if (action == ACT_QUIT)
			apply_result(app, SCR_QUIT);
		else if (action == ACT_MENU && closing_cancels_a_write(app, 1))
			; /* said in small_note */
		else if (action == ACT_MENU && lost) /* the screen cannot ask here; kept, not lost */
			snprintf(app->small_note, sizeof app->small_note,
				 "F2 kept %s: enlarge the terminal to save or discard it.", lost);
		else if (action == ACT_MENU)
			go_to_menu(app);
		app->dirty = true;
		return;
	}
	/* What the login's role may not do reaches the screen as no action
	 * (a typed field still gets the key as text); if nothing took it,
	 * the station says which role it needs. */
	wanted = action;
	if (!role_allows(app->role, action_role(action)))
		action = ACT_NONE;
	if (s->ops->on_key)
		r = s->ops->on_key(app, s->state, action, ch);
	{
		/* a key a full field refused: the bell, and the limit in words */
		const char *full = form_take_refusal();
		if (full[0])
			app_status(app, true, "%s", full);
	}
	if (!(r & SCR_HANDLED) && wanted != action) {
		app_status(app, true, "%s needs the %s role (login %s has the %s role)", action_label(wanted),
			   action_role(wanted), app->login, app->role);
		return;
	}
	if (!(r & SCR_HANDLED)) {
		switch (action) {
		case ACT_QUIT: r |= SCR_QUIT; break;
		case ACT_BACK: r |= SCR_BACK; break;
		case ACT_HELP:
			if (strcmp(s->ops->name, "help") != 0)
				app_push(app, &help_screen, NULL);
			break;
		case ACT_MENU: go_to_menu(app); break;
		case ACT_REFRESH:
			r |= SCR_REQUERY;
			repaint(app);
			break;
		case ACT_ALERTS:
			if (strcmp(s->ops->name, "alerts") != 0)
				app_push(app, &alerts_screen, NULL);
			break;
		case ACT_SETTINGS: /* the alert thresholds (from the dashboard) */
			app_push(app, &thresholds_screen, NULL);
			break;
		default: break;
		}
	}
	apply_result(app, r);
}

/* A click on the key bar runs that key; in the screen's area the event
 * goes to its on_mouse; a wheel nobody took scrolls as Up/Down do. */
static void mouse_event(struct app *app, MEVENT me)
{
	struct screen_slot *s = top(app);
	enum mouse_event ev;
	int h, w, r = SCR_IGNORED, min_w, min_h;

	if (too_small(app, &min_w, &min_h))
		return;
	getmaxyx(stdscr, h, w);
	/* A press is a click at once (ncurses' own click and double click
	 * wait for more and let a key typed meanwhile overtake them); a
	 * second press on the same cell soon after, on the same screen, is
	 * a double click. One that lands on a screen the first press opened
	 * is dropped: it belongs to the click that opened it. */
	if (me.bstate & BUTTON1_PRESSED) {
		long long now = db_now_ms();
		bool twice = app->press_ms && now - app->press_ms <= DOUBLE_CLICK_MS && me.y == app->press_y &&
			     me.x == app->press_x;
		if (twice && app->press_screen != app->screen_serial) {
			app->press_ms = 0;
			return;
		}
		ev = twice ? MOUSE_DOUBLE_CLICK : MOUSE_CLICK;
		app->press_ms = twice ? 0 : now;
		app->press_y = me.y;
		app->press_x = me.x;
		app->press_screen = app->screen_serial;
	} else if (me.bstate & BUTTON4_PRESSED)
		ev = MOUSE_WHEEL_UP;
#ifdef BUTTON5_PRESSED
	else if (me.bstate & BUTTON5_PRESSED)
		ev = MOUSE_WHEEL_DOWN;
#endif
	else
		return;
	if (me.y == h - 1) {
		if (ev == MOUSE_CLICK || ev == MOUSE_DOUBLE_CLICK)
			for (int i = 0; i < app->nbar; i++)
				if (me.x >= app->bar[i].x && me.x < app->bar[i].x + app->bar[i].w && me.x < w) {
					handle_key(app, app->bar[i].key);
					return;
				}
		return;
	}
	if (me.y < 1 || me.y > h - 3)
		return; /* the header and the status line */
	if (s->ops->on_mouse)
		r = s->ops->on_mouse(app, s->state, ev, me.y, me.x);
	if (!(r & SCR_HANDLED) && (ev == MOUSE_WHEEL_UP || ev == MOUSE_WHEEL_DOWN)) {
		apply_result(app, r);
		for (int i = 0; i < WHEEL_ROWS; i++)
			handle_key(app, ev == MOUSE_WHEEL_UP ? KEY_UP : KEY_DOWN);
		return;
	}
	apply_result(app, r);
}

/* ncurses reads a burst of reports at once (a double click arrives as
 * press, release, press, release) and queues them behind one KEY_MOUSE;
 * getmouse gives the newest first. */
static void handle_mouse(struct app *app)
{
	MEVENT events[16];
	int n = 0;

	while (n < 16 && getmouse(&events[n]) == OK)
		n++;
	while (n > 0)
		mouse_event(app, events[--n]);
}

static int setup_timer(void)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct itimerspec its = {
		.it_interval = { 0, TICK_MS * 1000000L },
		.it_value = { 0, TICK_MS * 1000000L },
	};
	if (fd >= 0)
		timerfd_settime(fd, 0, &its, NULL);
	return fd;
}

int tui_run(const struct tui_options *opts)
{
	struct app app;
	const struct screen_ops *first = NULL;
	int timer_fd;
	struct sigaction sa;

	memset(&app, 0, sizeof app);
	if (opts->screen && !(first = screen_by_name(opts->screen)))
		return cli_fail(EXIT_USAGE, "--screen", "unknown screen '%s'", opts->screen);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cli_fail(EXIT_USAGE, "screens", "need a terminal (give a command to run without one)");
	if (pipe2(app.signal_pipe, O_NONBLOCK | O_CLOEXEC) < 0 || (timer_fd = setup_timer()) < 0)
		return cli_fail(EXIT_FAILED, "screens", "%s", strerror(errno));

	app.db = db_new(opts->conninfo, opts->station);
	db_set_deadline(app.db, getenv("BOXOFFICE_DEADLINE_MS") ? app.db->deadline_ms : DEADLINE_MS);
	db_set_lock_timeout(app.db, LOCK_TIMEOUT_MS);
	if (getenv("BOXOFFICE_KEYLOG") && *getenv("BOXOFFICE_KEYLOG"))
		app.keylog = fopen(getenv("BOXOFFICE_KEYLOG"), "a");
	if (getenv("BOXOFFICE_LOOPLOG") && *getenv("BOXOFFICE_LOOPLOG"))
		app.looplog = fopen(getenv("BOXOFFICE_LOOPLOG"), "a");
	db_set_notice_handler(app.db, on_notice, &app);
	app.event_arg = opts->event;
	app.running = true;
	app.banner = banner_new();
	the_app = &app;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	setlocale(LC_ALL, "");
	util_set_fatal_hook(restore_terminal);
	initscr(); /* reports a terminal it cannot drive on the real stderr */
	redirect_stderr(opts->station);
	cbreak();
	noecho();
	nonl();
	/* No terminal flow control: a stray Ctrl-S (a scanner's odd byte, a
	 * key burst) stopped all output, and the next redraw blocked the whole
	 * loop until Ctrl-Q: a door that looked hung and admitted no one.
	 * Ctrl-C still ends the station (cbreak keeps signals). */
	{
		struct termios tio;
		if (tcgetattr(STDIN_FILENO, &tio) == 0) {
			tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
			tcsetattr(STDIN_FILENO, TCSANOW, &tio);
			def_prog_mode(); /* ncurses restores this mode after a suspend */
		}
	}
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	theme_init();
	draw_init();
	/* Clicks and the wheel where the terminal sends them (BOXOFFICE_MOUSE=0:
	 * none, the terminal keeps its own selection). */
	if (!getenv("BOXOFFICE_MOUSE") || strcmp(getenv("BOXOFFICE_MOUSE"), "0") != 0)
		mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
				  | BUTTON5_PRESSED
#endif
			  ,
			  NULL),
			mouseinterval(0);

	push_screen(&app, &menu_screen, NULL);
	if (first && first != &menu_screen)
		push_screen(&app, first, NULL);
	try_connect(&app);

	while (app.running) {
		struct pollfd fds[4 + SCREEN_POLLFDS];
		int nfds = 0, db_fd, db_slot = -1, screen_slot = -1, screen_n = 0, timeout;
		struct screen_slot *top_screen;

		run_requests(&app);
		if (app.db->state == DB_READY)
			dispatch_notifications(&app);
		if (banner_pump(app.banner, app.db, app.role[0] && role_allows(app.role, "supervisor")))
			app.dirty = true;
		if (app.dirty)
			draw_all(&app);
		key_log_end(&app);
		loop_log_end(&app);
		fds[nfds++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		fds[nfds++] = (struct pollfd){ .fd = timer_fd, .events = POLLIN };
		fds[nfds++] = (struct pollfd){ .fd = app.signal_pipe[0], .events = POLLIN };
		db_fd = db_socket(app.db);
		if (db_fd >= 0) {
			db_slot = nfds;
			fds[nfds++] = (struct pollfd){
				.fd = db_fd,
				.events = app.db->state == DB_CONNECTING
						  ? (db_wants_write(app.db) ? POLLOUT : POLLIN)
						  : db_async_events(app.db),
			};
		}
		top_screen = top(&app);
		timeout = loop_timeout(&app);
		if (top_screen->ops->fds) {
			screen_slot = nfds;
			screen_n = top_screen->ops->fds(&app, top_screen->state, fds + nfds, &timeout);
			nfds += screen_n;
		}
		if (app.looplog)
			fflush(app.looplog); /* while idle, not inside the measured pass */
		if (poll(fds, (nfds_t)nfds, timeout) < 0) {
			app.pass_t0 = 0;
			if (errno == EINTR) { /* SIGWINCH: ncurses queues KEY_RESIZE */
				int ch;
				while ((ch = getch()) != ERR)
					handle_key(&app, ch);
				continue;
			}
			break;
		}
		if (app.looplog)
			app.pass_t0 = now_us();
		if (fds[2].revents & POLLIN) {
			unsigned char b;
			while (read(app.signal_pipe[0], &b, 1) == 1)
				app.running = false;
		}
		if (fds[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
			int ch;
			while ((ch = getch()) != ERR) {
				if (!app.key_t0)
					app.key_t0 = now_us();
				app.key_n++;
				handle_key(&app, ch);
			}
			/* The terminal is gone: nothing more will come, and polling
			 * it again would return at once, forever. */
			if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
				app.running = false;
		}
		if (db_slot >= 0 && fds[db_slot].revents) {
			if (app.db->state == DB_CONNECTING)
				poll_connect(&app);
			else if (app.db->state == DB_READY)
				drain_notifications(&app);
			app.dirty = true;
		}
		if (screen_slot >= 0 && top(&app) == top_screen && top_screen->ops->on_fd) {
			dispatch_begin(&app);
			apply_result(&app, top_screen->ops->on_fd(&app, top_screen->state, fds + screen_slot, screen_n));
		}
		/* A screen asked to be ticked now (a debounced read is due). */
		if (app.wake_at && db_now_ms() >= app.wake_at) {
			struct screen_slot *s = top(&app);
			app.wake_at = 0;
			dispatch_begin(&app);
			if (s->ops->on_tick)
				apply_result(&app, s->ops->on_tick(&app, s->state));
		}
		if (fds[1].revents & POLLIN) {
			uint64_t ticks;
			struct screen_slot *s = top(&app);
			if (read(timer_fd, &ticks, sizeof ticks) < 0)
				ticks = 0;
			if (app.db->state == DB_DISCONNECTED && time(NULL) >= app.next_connect)
				try_connect(&app);
			if (app.db->state == DB_READY && app.listened_seq != app.db->notify_seq)
				on_connected(&app);
			/* A query may have found the connection gone. */
			if (app.db->state == DB_DISCONNECTED && app.backoff == 0)
				connection_lost(&app);
			/* Any running station reaps expired holds; the database lets
			 * one at a time do it. */
			/* a gate's login may not (db/026): asking every 2 s only
			 * filled the server's log with refusals */
			if (app.db->state == DB_READY && time(NULL) >= app.next_reap &&
			    role_allows(app.role, "clerk") && !db_async_pending(app.db, &app.next_reap)) {
				app.next_reap = time(NULL) + REAP_SECONDS;
				db_inventory_reap_submit(app.db, &app.next_reap);
				db_order_stats_compact_submit(app.db, &app.next_reap);
			}
			busy_probe(&app);
			dispatch_begin(&app);
			if (s->ops->on_tick)
				apply_result(&app, s->ops->on_tick(&app, s->state));
			if (app.status[0] &&
			    db_now_ms() - app.status_ms > (app.status_error ? STATUS_ERROR_MS : STATUS_INFO_MS)) {
				app.status[0] = '\0';
				app.dirty = true;
			}
		}
	}

	while (app.depth > 0) {
		struct screen_slot *s = &app.stack[--app.depth];
		db_cancel_owner(app.db, s->state);
		if (s->ops->done)
			s->ops->done(&app, s->state);
		free(s->state);
	}
	endwin();
	restore_stderr();
	util_set_fatal_hook(NULL);
	the_app = NULL;
	close(timer_fd);
	close(app.signal_pipe[0]);
	close(app.signal_pipe[1]);
	db_cancel_owner(app.db, app.banner);
	banner_free(app.banner);
	db_free(app.db);
	if (app.keylog)
		fclose(app.keylog);
	if (app.looplog)
		fclose(app.looplog);
	return EXIT_DONE;
}

/* The check-in station, built for a glance from a metre away: a full-width
 * ADMIT (green) or REJECT (red) with the person, company, ticket type and,
 * for a reject, the reason in plain words; a bell on reject. Scans come
 * from a keyboard-wedge scanner (a line ending in Enter), a camera
 * ($BOXOFFICE_CAMERA or --camera: a V4L2 device, a .y4m clip, a FIFO or
 * cmd:COMMAND; src/app/camera.h: read in the one loop, decoded in a
 * worker thread, one scan per presentation, F4 shows its picture), or F3:
 * find a person by name and admit them without their code. The gate keeps
 * working offline (see src/app/gate.c) and shows its queue.
 *
 * Typed input (the rule, also in the README): every character shows on the
 * "Code" line at the bottom; Enter scans exactly what is shown, Backspace
 * deletes the last character, Esc clears the line (the screen is left with
 * F2 or F10: a scan must never land on another screen). Anything typed
 * before a code's "BX1:" prefix is not part of the code. A partial code left idle for more than 2 s is dropped
 * and the status line says so: a scanner never pauses inside a code, so
 * that is a stray key, which must not spoil the next scan. A line edited
 * with Backspace is being typed by a person: it stays until Enter or Esc.
 *
 * The figures (checked in, per type, last scans) are read in one go: when
 * any of the reads fails, or the station is offline, they show as
 * unavailable, never half old and half new. */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "../src/app/form.h"
#include "../src/core/money.h"
#include "../src/app/camera.h"
#include "../src/app/gate.h"
#include "../src/app/preview.h"
#include "../src/app/scan_image.h"
#include "../src/app/theme.h"
#include "../src/core/role.h"
#include "../src/core/token.h"
#include "../src/core/util.h"
#include "../src/db/async.h"
#include "../src/db/checkin.h"
#include "../src/db/dashboard.h"
#include "../src/db/db.h"
#include "../src/db/entrances.h"
#include "../src/db/tickets.h"
#include "screen.h"

static bool may_read_emails(struct app *app);

#define INPUT_MAX 4096
#define INPUT_IDLE_MS 2000
#define CACHE_REFRESH_MS 8000

struct checkin_state {
	struct gate gate;
	bool gate_open;
	char input[INPUT_MAX + 1];
	size_t input_len;
	bool input_garbage;
	bool input_by_hand;     /* edited with Backspace: no idle drop */
	long long input_at_ms;  /* monotonic time of the last character */
	struct verdict last;
	bool have_last;
	/* A scan asked of the database and not answered yet: the loop goes
	 * on; past its verdict deadline it is decided offline. */
	struct gate_pending pending;
	bool asking;
	struct app *app;
	char last_at[16];
	struct checkin_figures fig;
	bool fig_ok;            /* fig holds one complete, successful read */
	bool fig_loading;       /* a read of the figures is out */
	char fig_error[512];
	time_t next_refresh, next_cache;
	/* the dashboard's LINK column (db/054): the queue last told, and when
	 * to say it again anyway */
	int told_queued;
	time_t next_word;
	/* manual search */
	bool finding;
	struct form_field find;
	struct form find_form;
	/* a result: "#1684 Adult" (and whether inside), then who; both
	 * whole here, cut with "…" to the width when drawn */
	struct {
		long long ticket;
		char what[480], who[2100];
	} found[8];
	int nfound, found_sel;
	int find_people; /* people the last search found (with or without tickets) */
	bool searching;  /* the search for find.text is out (under &found) */
	char find_error[200]; /* why the last search failed, "" when it did not */
	/* This station's rejects (the database records admits only), shown in
	 * Last scans with the database's scans, newest first. */
	struct {
		double at; /* epoch seconds */
		char line[200];
	} rejects[CHECKIN_RECENT];
	int nrejects; /* ring: the newest at (nrejects - 1) % CHECKIN_RECENT */
	/* Last scans as drawn: the chosen row (-1: none), and the undo of a
	 * check-in: 1 typing its reason, 2 asking y/n. */
	int recent_sel;
	int undo_stage;
	bool undone_note; /* the status line says "undone: …" until the next verdict */
	long long undo_ticket;
	char undo_who[256]; /* whole: cut with "…" where it is shown */
	struct form_field undo_reason;
	struct form undo_form;
	/* the camera, NULL when none is configured; its picture when shown */
	struct camera *cam;
	struct camera_preview preview;
	bool have_preview;
	char camera_said[600]; /* the camera's state line as last drawn */
	/* Check-in lists (db/020): the names the gate should open on ("":
	 * the whole event), from --list, BOXOFFICE_LIST or the F6 picker. Until
	 * they are opened for the event shown, every scan is refused: a VIP
	 * door must never fall back to admitting every ticket. */
	char lists_wanted[GATE_LISTS_MAX * 402];
	long long lists_event; /* the event they were opened for; 0: not open */
	char lists_error[600];
	bool lists_retry; /* the last try failed for the link: try again */
	/* Their rules and the areas they count into, read on the loop. */
	struct {
		char name[401], rules[600];
	} rules[GATE_LISTS_MAX];
	int nrules;
	struct {
		char name[401];
		long long inside, capacity;
	} areas[GATE_LISTS_MAX];
	int nareas;
	bool ent_ok, ent_loading;
	bool ent_again; /* something changed while a read was out: read again */
	/* F6: the event's lists to choose from (Space marks, Enter opens) */
	bool picking, pick_loading;
	json_t *pick;
	int pick_sel, pick_marked[GATE_LISTS_MAX], npick_marked;
	char pick_error[512];
	/* F7: admit the one refused for a full area: 1 typing the reason */
	int override_stage;
	long long override_ticket;
	char override_who[VERDICT_WHO_SIZE];
	struct form_field override_reason;
	struct form override_form;
};

/* The lists chosen with F6 stay for the station's life, not one visit. */
static char chosen_lists[GATE_LISTS_MAX * 402];
static bool lists_chosen;

/* F4 hides the camera's picture for the station's life, not one visit. */
static bool preview_hidden;

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void figures_unavailable(struct checkin_state *s, const char *why)
{
	memset(&s->fig, 0, sizeof s->fig);
	s->fig_ok = false;
	snprintf(s->fig_error, sizeof s->fig_error, "%s", why && *why ? why : "unavailable");
}

static void figures_answer(struct db *db, const struct checkin_figures *f, void *ctx)
{
	struct checkin_state *s = ctx;

	s->fig_loading = false;
	if (!f) {
		figures_unavailable(s, db->err);
		return;
	}
	s->fig = *f;
	s->fig_ok = true;
	s->fig_error[0] = '\0';
}

/* Asks for every figure in one read (src/db/checkin.c); the answer replaces
 * them whole, only when all statements succeeded: a failed read never
 * leaves old rows next to new ones. One read out at a time. */
static void read_counters(struct app *app, struct checkin_state *s)
{
	if (!app_online(app)) {
		figures_unavailable(s, "offline");
		return;
	}
	if (!app_event_id(app)) {
		figures_unavailable(s, "no event chosen");
		return;
	}
	if (s->fig_loading)
		return;
	/* owned apart from the scans: a verdict past its deadline cancels those */
	s->fig_loading = db_checkin_figures_submit(app_db(app), &s->fig, app_event_id(app), figures_answer, s);
	if (!s->fig_loading)
		figures_unavailable(s, app_db(app)->err);
}

static void read_entrances(struct app *app, struct checkin_state *s);

/* The lists' rules and their areas' occupancy, read whole. */
static void entrances_answer(struct db *db, json_t *doc, void *ctx)
{
	struct checkin_state *s = ctx;
	json_t *lists = json_object_get(doc, "lists"), *areas = json_object_get(doc, "areas");
	(void)db;

	s->ent_loading = false;
	if (!doc) {
		s->ent_ok = false;
		return;
	}
	if (s->ent_again) {
		/* the answer may predate the change: ask again, show this meanwhile */
		s->ent_again = false;
		read_entrances(s->app, s);
	}
	s->nrules = 0;
	for (size_t i = 0; i < json_array_size(lists) && s->nrules < GATE_LISTS_MAX; i++) {
		json_t *l = json_array_get(lists, i);
		snprintf(s->rules[s->nrules].name, sizeof s->rules[0].name, "%s",
			 json_string_value(json_object_get(l, "name")) ? json_string_value(json_object_get(l, "name")) : "");
		snprintf(s->rules[s->nrules++].rules, sizeof s->rules[0].rules, "%s",
			 json_string_value(json_object_get(l, "rules")) ? json_string_value(json_object_get(l, "rules")) : "");
	}
	s->nareas = 0;
	for (size_t i = 0; i < json_array_size(areas) && s->nareas < GATE_LISTS_MAX; i++) {
		json_t *a = json_array_get(areas, i);
		snprintf(s->areas[s->nareas].name, sizeof s->areas[0].name, "%s",
			 json_string_value(json_object_get(a, "name")) ? json_string_value(json_object_get(a, "name")) : "");
		s->areas[s->nareas].inside = (long long)json_integer_value(json_object_get(a, "inside"));
		s->areas[s->nareas].capacity = (long long)json_integer_value(json_object_get(a, "capacity"));
		gate_live_entrances(&s->gate, s->areas[s->nareas].name, s->areas[s->nareas].inside,
				    s->areas[s->nareas].capacity, NULL, NULL);
		s->nareas++;
	}
	/* a list edited (a type removed, a window moved): the offline
	 * rules follow at the next tick, not at the minute's refresh */
	for (int i = 0; i < s->nrules; i++)
		if (gate_live_entrances(&s->gate, NULL, 0, 0, s->rules[i].name, s->rules[i].rules))
			s->next_cache = 0;
	s->ent_ok = true;
}

static void read_entrances(struct app *app, struct checkin_state *s)
{
	if (!s->gate.nlists || !app_online(app))
		return;
	if (s->ent_loading) {
		s->ent_again = true;
		return;
	}
	/* owned apart from the scans: a verdict past its deadline cancels those */
	s->ent_loading = db_gate_entrances_submit(app_db(app), s->rules, s->gate.lists_param, entrances_answer, s);
}

/* Opens the gate on the lists wanted, for the event shown (again when
 * the event changes). gate_set_lists resolves the names (a short read
 * online, the cache offline); a failure is shown and every scan refused. */
static void apply_lists(struct app *app, struct checkin_state *s)
{
	long long event = app_event_id(app);
	char err[600];

	/* started offline: the --event from the gate's cache, as the
	 * headless gate does */
	if (!event && s->lists_wanted[0] && app_event_arg(app) && !app_online(app)) {
		long long cached;
		if (gate_cached_event(&s->gate, app_event_arg(app), &cached)) {
			app_set_event(app, cached, gate_event_name(&s->gate, cached));
			event = cached;
		}
	}

	if (!s->lists_wanted[0]) {
		s->gate.nlists = 0;
		s->gate.lists_param[0] = '\0';
		s->lists_event = event;
		s->lists_error[0] = '\0';
		return;
	}
	if (!event || (s->lists_event == event && !s->lists_error[0]) ||
	    (s->lists_error[0] && s->lists_event == -event && !s->lists_retry))
		return;
	s->gate.event_id = event;
	s->nrules = s->nareas = 0;
	s->ent_ok = false;
	s->last.full = false; /* F7 is for a refusal by the lists that refused */
	if (gate_set_lists(&s->gate, s->lists_wanted, err, sizeof err)) {
		s->lists_event = event;
		s->lists_error[0] = '\0';
		read_entrances(app, s);
		return;
	}
	s->gate.nlists = 0;
	s->gate.lists_param[0] = '\0';
	s->gate.event_id = event;
	s->lists_event = -event; /* tried for this event */
	s->lists_retry = !app_online(app) || app_db(app)->state != DB_READY;
	snprintf(s->lists_error, sizeof s->lists_error, "%s", err);
}

/* Lists wanted and not open for the event shown: no scan is decided. */
static bool lists_closed(struct app *app, const struct checkin_state *s)
{
	/* no event yet (a station started offline): no lists either, and a
	 * VIP door never admits every ticket of every event meanwhile */
	return s->lists_wanted[0] &&
	       (!app_event_id(app) || s->lists_event != app_event_id(app) || s->lists_error[0]);
}

/* Offline, the gate's own view: the area's count at its last refresh plus
 * this gate's entries and exits since (gate_area_view), marked
 * approximate. */
static bool area_view_offline(const struct checkin_state *s, char *name, size_t size, long long *inside,
			      long long *capacity, bool *approximate)
{
	if (gate_area_view(&s->gate, name, size, inside, capacity, approximate))
		return true;
	/* a cache without the lists yet: the last count read online */
	if (!s->nareas)
		return false;
	snprintf(name, size, "%s", s->areas[0].name);
	*inside = s->areas[0].inside;
	*capacity = s->areas[0].capacity;
	*approximate = true;
	return true;
}

/* A verdict that names its area carries the occupancy after it: shown at
 * once, before the next read. */
static void area_from_verdict(struct checkin_state *s)
{
	if (!s->last.area[0] || s->last.capacity < 0 || s->last.offline)
		return;
	for (int i = 0; i < s->nareas; i++)
		if (strcmp(s->areas[i].name, s->last.area) == 0) {
			s->areas[i].inside = s->last.inside;
			s->areas[i].capacity = s->last.capacity;
		}
}

static void open_camera(struct app *app, struct checkin_state *s)
{
	const char *spec = getenv("BOXOFFICE_CAMERA");
	if (!spec || !*spec)
		return;
	s->cam = camera_open(spec, 0);
	if (s->cam)
		camera_preview_enable(s->cam, !preview_hidden);
	else
		app_status(app, true, "camera not opened: the source is longer than %d characters", CAMERA_SPEC_MAX - 1);
}

static void checkin_init(struct app *app, void *state, const struct screen_arg *arg)
{
	struct checkin_state *s = state;
	char name[64];
	snprintf(name, sizeof name, "%s", app_db(app)->station);
	/* gate files are named after the station; keep the name file-safe */
	for (char *c = name; *c; c++)
		if (*c == '/' || *c == '"')
			*c = '_';
	gate_open(&s->gate, app_db(app), name, app_event_id(app));
	/* the screen's loop waits for a refresh: keep it short (one event's
	 * tickets; a refresh that runs out is tried again in 5 s) */
	s->gate.refresh_ms = CACHE_REFRESH_MS;
	s->gate_open = true;
	s->find = (struct form_field){ .label = "Name", .kind = FIELD_TEXT, .max_chars = 200 };
	s->find_form = (struct form){ &s->find, 1, 0 };
	s->undo_reason = (struct form_field){ .label = "Reason", .kind = FIELD_TEXT, .max_chars = 200 };
	s->undo_form = (struct form){ &s->undo_reason, 1, 0 };
	s->recent_sel = -1;
	s->app = app;
	s->override_reason = (struct form_field){ .label = "Reason", .kind = FIELD_TEXT, .max_chars = 200 };
	s->override_form = (struct form){ &s->override_reason, 1, 0 };
	{
		const char *env = getenv("BOXOFFICE_LIST");
		snprintf(s->lists_wanted, sizeof s->lists_wanted, "%s", lists_chosen ? chosen_lists : env ? env : "");
	}
	open_camera(app, s);
}

static void checkin_done(struct app *app, void *state)
{
	struct checkin_state *s = state;
	s->asking = false;
	db_cancel_owner(app_db(app), s);
	db_cancel_owner(app_db(app), &s->fig);
	db_cancel_owner(app_db(app), s->rules);
	db_cancel_owner(app_db(app), &s->pick);
	db_cancel_owner(app_db(app), &s->found);
	s->searching = false;
	json_decref(s->pick);
	s->pick = NULL;
	camera_close(s->cam);
	s->cam = NULL;
	if (s->gate_open)
		gate_close(&s->gate);
}

static void checkin_query(struct app *app, void *state)
{
	struct checkin_state *s = state;
	if (s->lists_event != app_event_id(app) && s->lists_event != -app_event_id(app))
		s->lists_event = 0; /* another event: its own lists */
	s->gate.event_id = app_event_id(app);
	apply_lists(app, s);
	read_counters(app, s);
	read_entrances(app, s);
}

/* The verdict word in 5-row block letters, readable from a metre away. */
static const struct {
	char letter;
	const char *rows[5];
} big_font[] = {
	{ 'A', { " ### ", "#   #", "#####", "#   #", "#   #" } },
	{ 'D', { "#### ", "#   #", "#   #", "#   #", "#### " } },
	{ 'M', { "#   #", "## ##", "# # #", "#   #", "#   #" } },
	{ 'I', { "#####", "  #  ", "  #  ", "  #  ", "#####" } },
	{ 'T', { "#####", "  #  ", "  #  ", "  #  ", "  #  " } },
	{ 'R', { "#### ", "#   #", "#### ", "#  # ", "#   #" } },
	{ 'E', { "#####", "#    ", "#### ", "#    ", "#####" } },
	{ 'J', { "  ###", "    #", "    #", "#   #", " ### " } },
	{ 'C', { " ####", "#    ", "#    ", "#    ", " ####" } },
	{ 'O', { " ### ", "#   #", "#   #", "#   #", " ### " } },
	{ 'U', { "#   #", "#   #", "#   #", "#   #", " ### " } },
};

static void draw_big(int y, int x, int w, const char *word, unsigned attr)
{
	int len = (int)strlen(word), width = len * 6 - 1, left = x + (w - width) / 2;
	if (width > w)
		return;
	for (int r = 0; r < 5; r++)
		for (int i = 0; i < len; i++)
			for (size_t f = 0; f < sizeof big_font / sizeof big_font[0]; f++)
				if (big_font[f].letter == word[i])
					for (int c = 0; c < 5; c++)
						if (big_font[f].rows[r][c] == '#')
							draw_text(y + r, left + i * 6 + c, 1, "█", attr);
}

/* Where to cut a line of text that takes more than width columns (at
 * the last space that leaves a first part within width, else at width);
 * 0 when it fits. */
static int wrap_at(const char *text, int width)
{
	int cut = 0, space = 0;
	size_t i = 0, len = strlen(text);

	if (draw_text_width(text) <= width)
		return 0;
	while (i < len) {
		char part[700];
		int n = mblen(text + i, MB_CUR_MAX);
		size_t next = i + (size_t)(n > 0 ? n : 1);
		snprintf(part, sizeof part, "%.*s", (int)next, text);
		if (draw_text_width(part) > width)
			break;
		if (text[i] == ' ')
			space = (int)i;
		cut = (int)next;
		i = next;
	}
	return space > 0 ? space : cut;
}

/* Text in width columns, cut with "…" when it is longer. */
static void draw_cut(int y, int x, int width, const char *text, unsigned attr)
{
	char cut[2200];
	text_ellipsis(cut, sizeof cut, text, width);
	draw_text(y, x, width, cut, attr);
}

/* A big band with the verdict word, then who and why. */
static void draw_verdict(struct checkin_state *s, struct rect a, int y, int h)
{
	unsigned band = theme_attr(s->last.admit ? C_ADMIT : C_REJECT);
	char who[2100]; /* person, company and type whole (see struct verdict) */

	for (int i = 0; i < h; i++)
		draw_fill(y + i, a.x, a.w, band);
	/* an exit on a re-entry list is let through, but it is no entry */
	bool out = s->last.admit && strcmp(s->last.direction, "out") == 0;
	if (h >= 8)
		draw_big(y + 1, a.x, a.w, out ? "OUT" : s->last.admit ? "ADMIT" : "REJECT", band | A_BOLD);
	else
		draw_text(y + 1, a.x + (a.w - 8) / 2, 8, out ? "  OUT  " : s->last.admit ? " ADMIT " : " REJECT ",
			  band | A_BOLD);
	/* who, when the code named a ticket (an unknown code names nobody) */
	if (s->last.person[0] || s->last.type[0])
		snprintf(who, sizeof who, "%s%s%s%s%s", s->last.person[0] ? s->last.person : "(no name yet)",
			 s->last.company[0] ? " · " : "", s->last.company, s->last.type[0] ? " · " : "",
			 s->last.type);
	else
		who[0] = '\0';
	if (!s->last.admit && !who[0] && strncmp(s->last.reason, "unknown code", 12) == 0) {
		/* a code that names no ticket: the next step is the person's name */
		char k[16], hint[160], why[700];
		snprintf(hint, sizeof hint, "Ask their name, then %s Find by name.", key_hint("checkin", ACT_FIND, k, 16));
		text_ellipsis(why, sizeof why, s->last.reason, a.w - 4);
		draw_text(y + h - 2, a.x + 2, a.w - 4, why, band | A_BOLD);
		text_ellipsis(why, sizeof why, hint, a.w - 4);
		draw_text(y + h - 1, a.x + 2, a.w - 4, why, band | A_BOLD);
	} else if (s->last.reason[0] || s->last.offline) {
		/* the rule in full: on two lines when it is longer than one
		 * (who moves up a line) */
		char why[700];
		int cut;
		snprintf(why, sizeof why, "%s%s", s->last.reason,
			 s->last.offline && strcmp(s->last.reason, "offline") ? " (offline)" : "");
		cut = wrap_at(why, a.w - 4);
		if (cut > 0) {
			draw_cut(y + h - 3, a.x + 2, a.w - 4, who, band | A_BOLD);
			{
				char first[700];
				snprintf(first, sizeof first, "%.*s", cut, why);
				draw_text(y + h - 2, a.x + 2, a.w - 4, first, band | A_BOLD);
			}
			draw_cut(y + h - 1, a.x + 2, a.w - 4, why + cut + (why[cut] == ' '), band | A_BOLD);
		} else {
			draw_cut(y + h - 2, a.x + 2, a.w - 4, who, band | A_BOLD);
			draw_cut(y + h - 1, a.x + 2, a.w - 4, why, band | A_BOLD);
		}
	} else {
		draw_cut(y + h - 2, a.x + 2, a.w - 4, who, band | A_BOLD);
	}
	draw_text(y, a.x + 1, 20, s->last_at, band);
}

/* The typed code, always visible: its tail when it is longer than the line. */
static void draw_input(struct checkin_state *s, int y, int x, int w)
{
	static const char label[] = "Code ▸ ";
	int lw = 7, room = w - lw - 1;
	char shown[INPUT_MAX + 8];

	draw_text(y, x, lw, label, A_BOLD);
	if (!s->input_len && !s->input_garbage) {
		char k[3][16], hint[160];
		if (s->cam && !camera_running(s->cam))
			/* the camera is off: say what still works, where it works */
			snprintf(hint, sizeof hint, "_  camera off: scan or type a code, %s · %s finds by name",
				 key_hint("checkin", ACT_SUBMIT, k[0], 16), key_hint("checkin", ACT_FIND, k[1], 16));
		else
			snprintf(hint, sizeof hint, "_  %s scans · %s edits · %s clears · dropped after 2 s idle",
				 key_hint("checkin", ACT_SUBMIT, k[0], 16), key_hint("checkin", ACT_ERASE, k[1], 16),
				 key_hint("checkin", ACT_CLEAR, k[2], 16));
		draw_text(y, x + lw, w - lw, hint, theme_attr(C_DIM));
		return;
	}
	if (room < 2)
		return;
	if ((int)s->input_len > room - 1)
		snprintf(shown, sizeof shown, "…%.*s_", room - 2, s->input + s->input_len - (size_t)(room - 2));
	else
		snprintf(shown, sizeof shown, "%.*s_", (int)s->input_len, s->input);
	draw_text(y, x + lw, room, shown, theme_attr(s->input_garbage ? C_STATUS_ERR : C_SELECTED));
}

/* Display columns of a UTF-8 line (what draw_text will take). */
static int text_columns(const char *text)
{
	wchar_t wide[512];
	size_t n = mbstowcs(wide, text, sizeof wide / sizeof wide[0] - 1);
	int w;
	if (n == (size_t)-1)
		return (int)strlen(text);
	wide[n] = L'\0';
	w = wcswidth(wide, n);
	return w < 0 ? (int)n : w;
}

/* Last scans: the database's rows and this station's rejects, newest
 * first. ticket > 0 and in: a check-in an undo can take back. */
struct recent_row {
	const char *line;
	const char *keep; /* what stays in sight after who (checkin_figures.recent_keep) */
	long long ticket;
	bool in, reject;
};

static int recent_rows(const struct checkin_state *s, bool figures, struct recent_row *out)
{
	int n = 0, d = 0, r = 0, nr = s->nrejects < CHECKIN_RECENT ? s->nrejects : CHECKIN_RECENT;
	int nd = figures ? s->fig.nrecent : 0;

	while (n < CHECKIN_RECENT && (d < nd || r < nr)) {
		int ri = (s->nrejects - 1 - r) % CHECKIN_RECENT; /* r-th newest reject */
		if (r < nr && (d >= nd || s->rejects[ri].at >= s->fig.recent_at[d])) {
			out[n++] = (struct recent_row){ s->rejects[ri].line, "", 0, false, true };
			r++;
		} else {
			out[n++] = (struct recent_row){ s->fig.recent[d], s->fig.recent_keep[d], s->fig.recent_ticket[d],
							s->fig.recent_in[d], false };
			d++;
		}
	}
	return n;
}

/* The least of who a row of Last scans keeps before what must stay in
 * sight after it ("…" included); a who no longer than RECENT_WHO_WHOLE
 * ("#465 (VIP)") is never cut: the reason after it gives way instead. */
#define RECENT_WHO_MIN 8
#define RECENT_WHO_WHOLE 12

/* A row of Last scans in width columns. What must stay in sight (an
 * undo's " · UNDO: reason") keeps its start: who and type before it give
 * way with "…" first, down to RECENT_WHO_MIN; the time and mark before who
 * are never cut, so names line up. */
static void draw_recent(int y, int x, int width, const struct recent_row *r, unsigned attr)
{
	char who[220], line[440]; /* recent and recent_keep: 200 bytes each */
	int room = width - draw_text_width(r->keep);

	if (!r->keep[0]) {
		draw_text(y, x, width, r->line, attr);
		return;
	}
	if (room < CHECKIN_RECENT_WHO + RECENT_WHO_MIN)
		room = CHECKIN_RECENT_WHO + RECENT_WHO_MIN;
	if (draw_text_width(r->line) <= CHECKIN_RECENT_WHO + RECENT_WHO_WHOLE)
		room = draw_text_width(r->line); /* short: whole */
	text_ellipsis(who, sizeof who, r->line, room);
	snprintf(line, sizeof line, "%s%s", who, r->keep);
	draw_text(y, x, width, line, attr);
}

/* A reject joins Last scans: time, reason, and who when known. */
static void remember_reject(struct checkin_state *s)
{
	struct timespec ts;
	int i = s->nrejects % CHECKIN_RECENT;
	char who[200] = "";

	clock_gettime(CLOCK_REALTIME, &ts);
	s->rejects[i].at = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	/* who first, the reason after: a narrow column cuts the reason's end */
	char person[81], type[61], reason[121];
	/* cut between characters (drawn cut with "…" to the column) */
	utf8_copy(person, sizeof person, s->last.person);
	utf8_copy(type, sizeof type, s->last.type);
	utf8_copy(reason, sizeof reason, s->last.reason);
	if (person[0])
		snprintf(who, sizeof who, "%s%s%s%s: ", person, type[0] ? " (" : "", type, type[0] ? ")" : "");
	else if (type[0])
		snprintf(who, sizeof who, "%s: ", type);
	/* ✗ (x in ASCII) and the warning colour mark it: the words are for the
	 * reason; one column, at the right of the marks' column so names line up */
	snprintf(s->rejects[i].line, sizeof s->rejects[i].line, "%s %*s✗ %s%s", s->last_at, CHECKIN_MARK_W - 1, "",
		 who, reason);
	s->nrejects++;
	if (s->nrejects >= 2 * CHECKIN_RECENT)
		s->nrejects -= CHECKIN_RECENT; /* same ring position, no overflow */
	if (s->recent_sel >= 0)
		s->recent_sel++; /* the chosen row stays the same row */
}

/* The gate's lists and their rules at the left, the occupancy of their
 * areas at the right (never cut): "Hall 38/40", offline "Hall ~38/40
 * offline, approximate". */
static void draw_lists(struct app *app, struct checkin_state *s, int y, struct rect a)
{
	char left[GATE_LISTS_MAX * 1100], right[GATE_LISTS_MAX * 440] = "";
	unsigned lattr = A_BOLD, rattr = A_BOLD;
	int rw;

	if (s->lists_error[0]) {
		snprintf(left, sizeof left, "Lists %.*s: not open, every scan refused: %s", (int)sizeof s->lists_wanted,
			 s->lists_wanted, s->lists_error);
		draw_text(y, a.x + 1, a.w - 2, left, theme_attr(C_STATUS_ERR));
		return;
	}
	if (lists_closed(app, s)) {
		snprintf(left, sizeof left, "Lists %.*s: opening…", (int)sizeof s->lists_wanted, s->lists_wanted);
		draw_text(y, a.x + 1, a.w - 2, left, theme_attr(C_DIM));
		return;
	}
	/* every list's name first (a cut line never hides that the gate is
	 * on a list), then each one's rules: the database's, or offline the
	 * cache's */
	snprintf(left, sizeof left, "%s ", s->gate.nlists > 1 ? "Lists" : "List");
	for (int i = 0; i < s->gate.nlists; i++) {
		size_t len = strlen(left);
		snprintf(left + len, sizeof left - len, "%s%s", i ? " ▸ " : "", s->gate.lists[i].name);
	}
	for (int i = 0; i < s->gate.nlists; i++) {
		size_t len = strlen(left);
		const char *rules = i < s->nrules && strcmp(s->rules[i].name, s->gate.lists[i].name) == 0
					    ? s->rules[i].rules
					    : gate_list_rules(&s->gate, s->gate.lists[i].id);
		snprintf(left + len, sizeof left - len, "%s%s", i ? " ▸ " : ": ",
			 rules && *rules ? rules : "rules loading…");
	}
	if (!app_online(app)) {
		char name[401];
		long long inside, capacity;
		bool approximate;
		if (area_view_offline(s, name, sizeof name, &inside, &capacity, &approximate)) {
			snprintf(right, sizeof right, "%s %s%lld/%lld offline%s", name, approximate ? "~" : "", inside,
				 capacity, approximate ? ", approximate" : "");
			rattr = theme_attr(C_WARN);
		}
	} else {
		bool full = false;
		for (int i = 0; i < s->nareas; i++) {
			size_t len = strlen(right);
			char in[16], cap[16];
			count_format_fit(in, sizeof in, s->areas[i].inside, 7);
			count_format_fit(cap, sizeof cap, s->areas[i].capacity, 7);
			snprintf(right + len, sizeof right - len, "%s%s %s/%s%s", i ? " · " : "", s->areas[i].name, in, cap,
				 s->areas[i].inside >= s->areas[i].capacity ? " full" : "");
			full |= s->areas[i].inside >= s->areas[i].capacity;
		}
		if (full)
			rattr = theme_attr(C_STATUS_ERR) | A_BOLD;
		else if (!s->ent_ok)
			rattr = theme_attr(C_DIM);
	}
	rw = right[0] ? text_columns(right) : 0;
	if (rw > a.w - 2)
		rw = a.w - 2;
	if (rw)
		draw_text_right(y, a.x + 1, a.w - 2, right, rattr);
	draw_text(y, a.x + 1, a.w - 2 - (rw ? rw + 2 : 0), left, lattr);
}

static void checkin_draw(struct app *app, void *state, struct rect a)
{
	struct checkin_state *s = state;
	int y = a.y, band_h = a.h >= 20 ? 9 : 5, bottom = a.y + a.h - 1;
	bool figures = s->fig_ok && app_online(app);
	char line[700], count[64];
	int cw = a.w; /* the width left for the counts and the last scans */

	if (figures)
		snprintf(count, sizeof count, "checked in %lld / %lld", s->fig.checked_in, s->fig.total);
	else
		snprintf(count, sizeof count, "checked in: unavailable");
	{
		/* door staff see how old their offline cache is, and the queue
		 * or the conflicts follow on the same line, never over it: the
		 * gate's name (in the header too) gives way to them first */
		char cache[32] = "no offline cache", extra[96] = "";
		unsigned attr = theme_attr(C_WARN);
		int used;
		if (s->gate.cache_at) {
			struct tm tm;
			localtime_r(&s->gate.cache_at, &tm);
			strftime(cache, sizeof cache, "cache %H:%M", &tm);
		}
		if (s->gate.pending) {
			snprintf(extra, sizeof extra, " · %d offline scan(s) to upload", s->gate.pending);
		} else if (figures && s->fig.conflicts) {
			snprintf(extra, sizeof extra, " · %lld offline conflict(s)", s->fig.conflicts);
			attr = theme_attr(C_STATUS_ERR);
		}
		snprintf(line, sizeof line, "Gate %s · %s · %s · %s", s->gate.name,
			 app_online(app) ? "ONLINE" : "OFFLINE", count, cache);
		if (text_columns(line) + text_columns(extra) > a.w - 2)
			snprintf(line, sizeof line, "%s · %s · %s", app_online(app) ? "ONLINE" : "OFFLINE", count, cache);
		if (text_columns(line) > a.w - 2)
			snprintf(line, sizeof line, "%s · %s", app_online(app) ? "ONLINE" : "OFFLINE", count);
		draw_text(y, a.x + 1, a.w - 2, line, app_online(app) ? A_BOLD : theme_attr(C_OFFLINE));
		used = text_columns(line) + 1;
		if (extra[0] && used < a.w - 2)
			draw_text(y, a.x + used, a.w - 1 - used, extra, attr);
	}
	y += 1;
	if (s->lists_wanted[0])
		draw_lists(app, s, y++, a);
	if (s->asking) {
		/* never a stale verdict while the next one is coming */
		for (int i = 0; i < band_h; i++)
			draw_fill(y + i, a.x, a.w, theme_attr(C_SELECTED));
		draw_text(y + band_h / 2, a.x + 2, a.w - 4, "Checking…", theme_attr(C_SELECTED) | A_BOLD);
	} else if (s->have_last)
		draw_verdict(s, a, y, band_h);
	else
		draw_text(y + band_h / 2, a.x + 2, a.w - 4, "Ready: scan a badge (or F3 to find someone by name).", A_BOLD);
	y += band_h + 1;
	if (s->finding) {
		form_draw_field(&s->find_form, 0, y++, a.x + 2, 6, a.w - 4 < 60 ? a.w - 4 : 60, true);
		for (int i = 0; i < s->nfound; i++) {
			/* the ticket keeps up to half the line, who the rest */
			char what[600], who[1200], row[1900];
			int w = a.w - 4;
			text_ellipsis(what, sizeof what, s->found[i].what, w / 2);
			text_ellipsis(who, sizeof who, s->found[i].who, w - draw_text_width(what) - 2);
			snprintf(row, sizeof row, "%s  %s", what, who);
			draw_text(y++, a.x + 2, w, row, i == s->found_sel ? theme_attr(C_SELECTED) : A_NORMAL);
		}
		if (s->find_error[0] && app_online(app))
			draw_text(y++, a.x + 2, a.w - 4, s->find_error, theme_attr(C_STATUS_ERR));
		else if (s->nfound == 0 && s->searching && app_online(app))
			draw_text(y++, a.x + 2, a.w - 4, "Searching…", theme_attr(C_DIM));
		else if (s->nfound == 0 && strlen(s->find.text) >= 2) {
			bool emails = may_read_emails(app);
			draw_text(y++, a.x + 2, a.w - 4,
				  !app_online(app) ? "Finding people needs the database: this station is offline."
				  : s->find_people ? (emails ? "Nobody here with a valid ticket by that name or e-mail."
							     : "Nobody here with a valid ticket by that name or company.")
				  : emails	   ? "Nobody found by that name or e-mail."
						   : "Nobody found by that name or company.",
				  theme_attr(C_WARN));
		}
		else if (s->nfound == 0)
			draw_text(y++, a.x + 2, a.w - 4, "Type 2 letters or more; Enter admits the selected ticket; Esc closes.",
				  theme_attr(C_DIM));
		return;
	}
	if (s->picking) {
		int n = (int)json_array_size(s->pick);
		draw_text(y++, a.x + 2, a.w - 4,
			  a.w >= 84 ? "Open this gate on: Space marks (tried in that order), Enter opens, Esc cancels"
				    : "Open on: Space marks (in order), Enter opens, Esc cancels",
			  A_BOLD);
		if (s->pick_loading || !s->pick) {
			draw_text(y, a.x + 2, a.w - 4, s->pick_loading ? "loading the event's lists…" : s->pick_error,
				  theme_attr(s->pick_loading ? C_DIM : C_STATUS_ERR));
			return;
		}
		/* the rows from the one that keeps the selection in view, with
		 * a line saying what is above and below */
		int rows = n + 1, room = bottom - y, visible = rows, first = 0, last;
		if (rows > room) {
			visible = room > 3 ? room - 2 : 1;
			if (s->pick_sel >= visible)
				first = s->pick_sel - visible + 1;
			if (first > rows - visible)
				first = rows - visible;
		}
		last = first + visible; /* one past */
		if (first > 0) {
			snprintf(line, sizeof line, "  ↑ %d more", first);
			draw_text(y++, a.x + 2, a.w - 4, line, theme_attr(C_DIM));
		}
		for (int i = first; i < last && y < bottom; i++) {
			char mark[16] = "[ ]";
			if (i < n) {
				json_t *l = json_array_get(s->pick, (size_t)i);
				for (int k = 0; k < s->npick_marked; k++)
					if (s->pick_marked[k] == i)
						snprintf(mark, sizeof mark, "[%d]", k + 1);
				bool open_now = false;
				for (int k = 0; k < s->gate.nlists; k++)
					open_now |= s->gate.lists[k].id ==
						    (long long)json_integer_value(json_object_get(l, "id"));
				snprintf(line, sizeof line, "%s %.100s%s: %.500s", mark,
					 json_string_value(json_object_get(l, "name")), open_now ? " (open now)" : "",
					 json_string_value(json_object_get(l, "rules")));
			} else {
				snprintf(line, sizeof line, "    Whole event%s: every valid ticket, no list",
					 s->gate.nlists ? "" : " (open now)");
			}
			draw_text(y++, a.x + 2, a.w - 4, line, i == s->pick_sel ? theme_attr(C_SELECTED) : A_NORMAL);
		}
		if (last < rows && y < bottom) {
			snprintf(line, sizeof line, "  ↓ %d more", rows - last);
			draw_text(y++, a.x + 2, a.w - 4, line, theme_attr(C_DIM));
		}
		if (n == 0 && y < bottom)
			draw_text(y, a.x + 2, a.w - 4, "The event has no check-in lists (boxoffice list add).", theme_attr(C_DIM));
		return;
	}
	/* The typed code on the last line, the camera's state above it. */
	draw_input(s, bottom, a.x + 2, a.w - 4);
	if (s->cam) {
		bool trouble;
		const char *said = camera_state(s->cam, &trouble);
		char k[16];
		key_hint("checkin", ACT_CAMERA, k, sizeof k);
		if (trouble || !camera_running(s->cam))
			snprintf(line, sizeof line, "%s", said); /* the Code line says what works */
		else if (preview_hidden)
			snprintf(line, sizeof line, "%s · picture hidden (%s shows it)", said, k);
		else
			snprintf(line, sizeof line, "%s · %s hides the picture", said, k);
		draw_text(--bottom, a.x + 2, a.w - 4, line, theme_attr(trouble ? C_WARN : C_DIM));
	}
	/* The camera's picture at the right, beside the counts and scans. */
	if (s->cam && !preview_hidden && s->have_preview) {
		int rows, cols;
		preview_size(s->preview.w, s->preview.h, bottom - y, a.w / 3, &rows, &cols);
		/* the picture gives way before Last scans loses its column */
		if (rows > 0 && a.w - cols - 2 >= 56) {
			preview_draw(&s->preview, y, a.x + a.w - 1 - cols, rows, cols);
			cw = a.w - cols - 2;
		}
	}
	if (!figures && s->fig_loading && app_online(app)) {
		draw_text(y + 1, a.x + 2, cw - 4, "Counts loading…", theme_attr(C_DIM));
		return;
	}
	/* Per type, then the last scans: side by side when both fit, else the
	 * last scans under the types; numbers abbreviated, never cut. */
	{
		struct recent_row rows[CHECKIN_RECENT];
		int nrows = recent_rows(s, figures, rows), top = y, lw = cw - 4, rx = a.x + 2, rw = cw - 4, ry;
		bool side = cw >= 56;
		if (side) {
			lw = cw / 2 - 3;
			rx = a.x + cw / 2;
			rw = cw - cw / 2 - 1;
		}
		if (!figures) {
			snprintf(line, sizeof line, "Counts unavailable (%s): they come back when the database answers.",
				 !app_online(app) || !s->fig_error[0] ? "offline" : s->fig_error);
			draw_text(y++, a.x + 2, lw, line, theme_attr(C_OFFLINE));
		}
		for (int i = 0; figures && i < s->fig.ntypes && y < bottom; i++) {
			char in[16], total[16];
			int nw = lw > 24 ? 7 : 5, name_w;
			count_format_fit(in, sizeof in, s->fig.types[i].in, nw);
			count_format_fit(total, sizeof total, s->fig.types[i].total, nw);
			snprintf(count, sizeof count, "%*s / %-*s", nw, in, nw, total);
			name_w = lw - text_columns(count) - 1;
			if (name_w < 1)
				break;
			draw_text(y, a.x + 2, name_w, s->fig.types[i].name, A_NORMAL);
			draw_text(y++, a.x + 2 + name_w + 1, lw - name_w - 1, count, A_NORMAL);
		}
		ry = side ? top : y + (y > top ? 1 : 0);
		if (ry >= bottom - 1)
			return;
		draw_text(ry++, rx, rw, s->fig_loading ? "Last scans · loading…" : "Last scans", A_BOLD | A_UNDERLINE);
		if (s->recent_sel >= nrows)
			s->recent_sel = nrows - 1;
		for (int i = 0; i < nrows && ry < bottom - (s->undo_stage || s->override_stage ? 2 : 0); i++)
			draw_recent(ry++, rx, rw, &rows[i],
				    i == s->recent_sel ? theme_attr(C_SELECTED)
				    : rows[i].reject   ? theme_attr(C_WARN)
						       : A_NORMAL);
		if (nrows == 0)
			draw_text(ry, rx, rw, app_online(app) ? "none yet" : "none on this station", theme_attr(C_DIM));
	}
	/* two lines: who (whole at 80 columns), then the reason being typed
	 * or the question, so neither pushes the other off the screen */
	if (s->undo_stage) {
		int rw = a.w - 4;
		char who[300], reason[600];
		snprintf(line, sizeof line, "Undo the check-in of %s", s->undo_who);
		text_ellipsis(who, sizeof who, line, rw);
		draw_fill(bottom - 2, a.x, a.w, A_NORMAL);
		draw_fill(bottom - 1, a.x, a.w, A_NORMAL);
		draw_text(bottom - 2, a.x + 2, rw, who, theme_attr(C_SELECTED) | A_BOLD);
		if (s->undo_stage == 1) {
			/* the end of a long reason stays in sight, the cursor after it */
			const char *hint = "  Enter: next · Esc: cancel";
			text_tail(reason, sizeof reason, s->undo_reason.text, rw - 8 - 1 - draw_text_width(hint));
			snprintf(line, sizeof line, "Reason: %s_%s", reason, hint);
		} else {
			/* the question whole, the reason cut with "…" before it */
			const char *ask = " — undo it? y/n";
			text_ellipsis(reason, sizeof reason, s->undo_reason.text, rw - 8 - draw_text_width(ask));
			snprintf(line, sizeof line, "Reason: %s%s", reason, ask);
		}
		draw_text(bottom - 1, a.x + 2, rw, line, theme_attr(C_SELECTED) | A_BOLD);
	}
	if (s->override_stage) {
		int rw = a.w - 4;
		const char *hint = "  Enter: admit · Esc: cancel";
		char ask[VERDICT_WHO_SIZE + 32], who[sizeof ask], reason[600];
		snprintf(ask, sizeof ask, "Admit over capacity: %s", s->override_who);
		text_ellipsis(who, sizeof who, ask, rw);
		draw_fill(bottom - 2, a.x, a.w, A_NORMAL);
		draw_fill(bottom - 1, a.x, a.w, A_NORMAL);
		draw_text(bottom - 2, a.x + 2, rw, who, theme_attr(C_SELECTED) | A_BOLD);
		text_tail(reason, sizeof reason, s->override_reason.text, rw - 8 - 1 - draw_text_width(hint));
		snprintf(line, sizeof line, "Reason: %s_%s", reason, hint);
		draw_text(bottom - 1, a.x + 2, rw, line, theme_attr(C_SELECTED) | A_BOLD);
	}
}

static int show(struct app *app, struct checkin_state *s)
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(s->last_at, sizeof s->last_at, "%H:%M:%S", &tm);
	s->have_last = true;
	if (s->undone_note) {
		/* a later verdict: "undone: …" is no longer the news */
		s->undone_note = false;
		app_status_clear(app);
	}
	if (!s->last.admit) {
		beep();
		remember_reject(s);
	}
	area_from_verdict(s);
	read_counters(app, s);
	read_entrances(app, s);
	return SCR_HANDLED | SCR_REDRAW;
}

/* A gate whose lists are not open decides nothing (see lists_wanted). */
static bool refuse_closed(struct app *app, struct checkin_state *s)
{
	if (!lists_closed(app, s))
		return false;
	memset(&s->last, 0, sizeof s->last);
	snprintf(s->last.reason, sizeof s->last.reason, "gate not open on list %.100s: %.400s", s->lists_wanted,
		 s->lists_error[0] ? s->lists_error : "not opened yet");
	return true;
}

/* Only a login known to be a clerk (or more) reads e-mails: until the
 * database has said the role (just after connecting), the door's search,
 * which any role may run. */
static bool may_read_emails(struct app *app)
{
	return app_role(app)[0] && role_allows(app_role(app), "clerk");
}

static void found_answer(struct db *db, const PGresult *res, void *ctx)
{
	struct checkin_state *s = ctx;
	bool emails = may_read_emails(s->app);

	s->searching = false;
	if (!res) {
		snprintf(s->find_error, sizeof s->find_error, "Cannot search: %.160s", db->err);
		return;
	}
	s->find_people = PQntuples(res) ? (int)db_int(res, 0, DF_PEOPLE) : 0;
	for (int i = 0; i < PQntuples(res) && s->nfound < 8; i++) {
		const char *also = db_text(res, i, DF_ALSO);
		if (!db_int(res, i, DF_TICKET))
			continue; /* found, but holds no valid ticket */
		s->found[s->nfound].ticket = db_int(res, i, DF_TICKET);
		/* the ticket first: one person's tickets differ only there */
		snprintf(s->found[s->nfound].what, sizeof s->found[0].what, "#%s %s%s", db_text(res, i, DF_TICKET),
			 db_text(res, i, DF_TYPE), db_int(res, i, DF_SCANS) % 2 ? " · inside" : "");
		snprintf(s->found[s->nfound++].who, sizeof s->found[0].who, "%s%s%s%s", db_text(res, i, DF_NAME),
			 !also[0] ? "" : emails ? " <" : " · ", also, also[0] && emails ? ">" : "");
	}
}

/* People by name (and e-mail for a login that may read e-mails; a gate
 * reads names and companies only, db/026), with their valid tickets: one
 * read queued on the loop, each key's superseding the one out, so typing
 * at the door never waits for the database. */
static void search(struct app *app, struct checkin_state *s)
{
	db_cancel_owner(app_db(app), &s->found);
	s->searching = false;
	s->nfound = 0;
	s->found_sel = 0;
	s->find_people = 0;
	s->find_error[0] = '\0';
	if (strlen(s->find.text) < 2 || !app_online(app))
		return;
	s->searching = db_door_find_submit(app_db(app), &s->found, app_event_id(app), s->find.text,
					   may_read_emails(app), 8, found_answer, s);
	if (!s->searching)
		snprintf(s->find_error, sizeof s->find_error, "Cannot search: %.160s", app_db(app)->err);
}

/* The database's verdict, or its failure: a lost link (or a deadline
 * the async layer enforced) is decided offline with the same scan ID. */
static void scan_answered(struct db *db, json_t *answer, void *ctx)
{
	struct checkin_state *s = ctx;

	if (!s->asking)
		return;
	s->asking = false;
	if (answer) {
		gate_scan_answer(&s->gate, &s->pending, answer, &s->last);
	} else if (db->state == DB_READY && !db_error_is_transient(db)) {
		memset(&s->last, 0, sizeof s->last);
		snprintf(s->last.reason, sizeof s->last.reason, "database refused the scan: %.400s", db->err);
	} else {
		/* a lost link, or a lock the server could not get within the
		 * verdict's time (db/024: it committed nothing) */
		gate_scan_offline(&s->gate, &s->pending, &s->last);
	}
	show(s->app, s);
}

/* Past the verdict deadline: the link is taken for dead (dropped, the
 * framework reconnects in the background) and the door decides offline. */
static bool verdict_overdue(struct app *app, struct checkin_state *s)
{
	if (!s->asking || db_now_ms() < s->pending.deadline_ms)
		return false;
	s->asking = false;
	db_cancel_owner(app_db(app), s);
	db_drop(app_db(app), "no verdict from the database within %d ms", s->gate.verdict_ms);
	gate_scan_offline(&s->gate, &s->pending, &s->last);
	show(app, s);
	return true;
}

/* One code from the scanner or the camera: decided from the cache at once,
 * or asked of the database without waiting for it. */
static int scan(struct app *app, struct checkin_state *s, const char *code)
{
	if (s->asking) {
		/* one verdict at a time: the next code waits for this one's */
		app_status(app, true, "%s", "still checking the previous code — scan again");
		return SCR_HANDLED | SCR_REDRAW;
	}
	s->app = app;
	if (refuse_closed(app, s))
		return show(app, s);
	if (gate_scan_begin(&s->gate, code, &s->pending, &s->last) == GATE_DECIDED)
		return show(app, s);
	if (!gate_scan_submit(&s->gate, s, &s->pending, scan_answered, s)) {
		gate_scan_offline(&s->gate, &s->pending, &s->last);
		return show(app, s);
	}
	s->asking = true;
	app_wake_in(app, s->gate.verdict_ms);
	return SCR_HANDLED | SCR_REDRAW;
}

static void clear_input(struct checkin_state *s)
{
	s->input_len = 0;
	s->input_garbage = false;
	s->input_by_hand = false;
}

/* The idle rule (see the top of this file); true when it dropped input. */
static bool drop_idle_input(struct app *app, struct checkin_state *s)
{
	if ((!s->input_len && !s->input_garbage) || s->input_by_hand || now_ms() - s->input_at_ms <= INPUT_IDLE_MS)
		return false;
	app_status(app, false, "dropped %zu stray character(s): no key for %d s", s->input_len,
		   INPUT_IDLE_MS / 1000);
	clear_input(s);
	return true;
}

/* u on a chosen check-in in Last scans: a reason, then y (no Enter).
 * Needs the database; recorded as a check-out with station and reason. */
static int undo_key(struct app *app, struct checkin_state *s, enum action action, int key)
{
	if (s->undo_stage == 1) {
		if (action == ACT_CLEAR || action == ACT_BACK) {
			s->undo_stage = 0;
			app_status(app, false, "%s", "undo cancelled");
		} else if (action == ACT_SUBMIT) {
			if (s->undo_reason.text[strspn(s->undo_reason.text, " ")])
				s->undo_stage = 2;
			else
				app_status(app, true, "%s", "an undo needs a reason");
		} else {
			char *code;
			form_key(&s->undo_form, ACT_NONE, key);
			/* a scanner typing a badge's code into the reason: a
			 * scan, not a reason. The undo is left and the code goes
			 * on on the Code line; its Enter scans it. */
			if ((code = strstr(s->undo_reason.text, TOKEN_PREFIX))) {
				clear_input(s);
				s->input_len = strlen(code) < INPUT_MAX ? strlen(code) : INPUT_MAX;
				memcpy(s->input, code, s->input_len);
				s->input_at_ms = now_ms();
				s->undo_reason.text[0] = '\0';
				s->undo_stage = 0;
				app_status(app, true, "%s", "Undo left: a ticket was scanned");
			}
		}
		return SCR_HANDLED | SCR_REDRAW;
	}
	/* stage 2: y undoes, any other key cancels */
	s->undo_stage = 0;
	if (key == 'y' || key == 'Y') {
		char err[700];
		int code;
		json_t *j = gate_undo(&s->gate, s->undo_ticket, s->undo_reason.text, err, sizeof err, &code);
		if (j) {
			/* who cut with "…": the status line keeps what it says of them */
			char who[300];
			text_ellipsis(who, sizeof who, s->undo_who, COLS - 2 - draw_text_width("undone:  may be admitted again"));
			app_status(app, false, "undone: %s may be admitted again", who);
			s->undone_note = true;
			s->have_last = false; /* the big verdict was about the scan just undone */
		} else
			app_status(app, true, "undo refused: %s", err);
		json_decref(j);
		read_counters(app, s);
	} else {
		app_status(app, false, "%s", "undo cancelled");
	}
	return SCR_HANDLED | SCR_REDRAW;
}

static void pick_answer(struct db *db, json_t *doc, void *ctx)
{
	struct checkin_state *s = ctx;
	s->pick_loading = false;
	json_decref(s->pick);
	s->pick = doc ? json_incref(doc) : NULL;
	if (!doc)
		snprintf(s->pick_error, sizeof s->pick_error, "%s", db->err);
}

/* F6: the event's lists; Space marks them in the order they are to be
 * tried, Enter opens the gate on the marked ones (none marked: the one
 * under the cursor; the last row: the whole event), Esc cancels. */
static int pick_key(struct app *app, struct checkin_state *s, enum action action, int key)
{
	int n = (int)json_array_size(s->pick), rows = n + 1;

	if (action == ACT_CLEAR || action == ACT_BACK || action == ACT_LISTS) {
		s->picking = false;
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_UP || action == ACT_DOWN) {
		s->pick_sel = (s->pick_sel + (action == ACT_DOWN ? 1 : rows - 1)) % rows;
		return SCR_HANDLED | SCR_REDRAW;
	}
	/* A badge scanned while the picker is open (a scanner types its
	 * code and Enter): the picker closes and the code is scanned, never
	 * taken as a choice. Only Space, arrows, Enter and Esc pick. */
	if (key > ' ' && key != KEY_ENTER && key < KEY_MIN) {
		s->picking = false;
		app_status(app, false, "%s", "list picker closed: a code was typed");
		return SCR_IGNORED; /* the screen takes the key as input */
	}
	if (key == ' ' && s->pick_sel < n) {
		int at = -1;
		for (int i = 0; i < s->npick_marked; i++)
			if (s->pick_marked[i] == s->pick_sel)
				at = i;
		if (at >= 0) {
			memmove(&s->pick_marked[at], &s->pick_marked[at + 1],
				sizeof s->pick_marked[0] * (size_t)(s->npick_marked - at - 1));
			s->npick_marked--;
		} else if (s->npick_marked < GATE_LISTS_MAX) {
			s->pick_marked[s->npick_marked++] = s->pick_sel;
		}
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_SUBMIT && !s->pick_loading && s->pick) {
		char wanted[sizeof s->lists_wanted] = "";
		int marked[GATE_LISTS_MAX], nm = s->npick_marked;
		memcpy(marked, s->pick_marked, sizeof marked);
		if (nm == 0 && s->pick_sel < n)
			marked[nm++] = s->pick_sel;
		for (int i = 0; i < nm; i++) {
			json_t *l = json_array_get(s->pick, (size_t)marked[i]);
			const char *name = json_string_value(json_object_get(l, "name"));
			size_t len = strlen(wanted);
			/* gate_set_lists splits at commas: such a name goes by its ID */
			if (!name || strchr(name, ','))
				snprintf(wanted + len, sizeof wanted - len, "%s%lld", i ? "," : "",
					 (long long)json_integer_value(json_object_get(l, "id")));
			else
				snprintf(wanted + len, sizeof wanted - len, "%s%s", i ? "," : "", name);
		}
		snprintf(s->lists_wanted, sizeof s->lists_wanted, "%s", wanted);
		snprintf(chosen_lists, sizeof chosen_lists, "%s", wanted);
		lists_chosen = true;
		s->lists_event = 0;
		s->lists_error[0] = '\0';
		s->picking = false;
		apply_lists(app, s);
		if (!wanted[0])
			app_status(app, false, "%s", "gate open on the whole event: every valid ticket");
		else if (s->lists_error[0])
			app_status(app, true, "lists not opened: %s", s->lists_error);
		else
			app_status(app, false, "gate open on %s", wanted);
		return SCR_HANDLED | SCR_REDRAW;
	}
	return SCR_HANDLED;
}

static int open_picker(struct app *app, struct checkin_state *s)
{
	if (!app_online(app) || !app_event_id(app)) {
		app_status(app, true, "%s", app_online(app) ? "choose an event first" : "choosing lists needs the database: offline");
		return SCR_HANDLED | SCR_REDRAW;
	}
	s->picking = true;
	s->finding = false;
	s->pick_sel = 0;
	s->npick_marked = 0;
	s->pick_error[0] = '\0';
	db_cancel_owner(app_db(app), &s->pick);
	s->pick_loading = db_event_lists_submit(app_db(app), &s->pick, app_event_id(app), pick_answer, s);
	if (!s->pick_loading)
		snprintf(s->pick_error, sizeof s->pick_error, "%s", app_db(app)->err);
	return SCR_HANDLED | SCR_REDRAW;
}

/* F7 after a scan refused for a full area: a supervisor's reason, then
 * Enter admits that ticket over the capacity (recorded with the reason,
 * in the change log too). */
static int override_key(struct app *app, struct checkin_state *s, enum action action, int key)
{
	if (action == ACT_CLEAR || action == ACT_BACK) {
		s->override_stage = 0;
		app_status(app, false, "%s", "admit over capacity cancelled");
	} else if (action == ACT_SUBMIT) {
		if (!s->override_reason.text[strspn(s->override_reason.text, " ")]) {
			app_status(app, true, "%s", "admitting over capacity needs a reason");
			return SCR_HANDLED | SCR_REDRAW;
		}
		s->override_stage = 0;
		/* the code just refused, asked again with the reason: on the
		 * loop like any scan, within the verdict's deadline */
		if (!s->asking && (long long)s->pending.claim.ticket_id == s->override_ticket && s->pending.token[0]) {
			char token[sizeof s->pending.token];
			int r;
			snprintf(token, sizeof token, "%s", s->pending.token);
			s->gate.override = s->override_reason.text;
			r = scan(app, s, token);
			s->gate.override = NULL;
			return r;
		}
		gate_admit_ticket(&s->gate, s->override_ticket, s->override_reason.text, &s->last);
		return show(app, s);
	} else {
		form_key(&s->override_form, ACT_NONE, key);
	}
	return SCR_HANDLED | SCR_REDRAW;
}

static int start_override(struct app *app, struct checkin_state *s)
{
	if (!s->have_last || s->last.admit || !s->last.full || s->last.ticket <= 0) {
		app_status(app, true, "%s", "F7 admits only the one just refused for a full area");
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (!app_online(app)) {
		app_status(app, true, "%s", "admitting over capacity needs the database: this station is offline");
		return SCR_HANDLED | SCR_REDRAW;
	}
	s->override_ticket = s->last.ticket;
	verdict_override_who(&s->last, s->override_who, sizeof s->override_who);
	s->override_reason.text[0] = '\0';
	s->override_stage = 1;
	app_status(app, false, "%s", "");
	return SCR_HANDLED | SCR_REDRAW;
}

static int checkin_key(struct app *app, void *state, enum action action, int key)
{
	struct checkin_state *s = state;

	if (s->undo_stage)
		return undo_key(app, s, action, key);
	if (s->override_stage)
		return override_key(app, s, action, key);
	if (s->picking) {
		int r = pick_key(app, s, action, key);
		if (r != SCR_IGNORED)
			return r;
		/* closed by a code being typed: on to the code line */
	}
	if (action == ACT_LISTS)
		return open_picker(app, s);
	if (action == ACT_OVERRIDE && !s->finding)
		return start_override(app, s);
	if (action == ACT_CAMERA) {
		if (!s->cam) {
			app_status(app, true, "%s", "no camera: start with --camera SOURCE or BOXOFFICE_CAMERA (see README)");
			return SCR_HANDLED | SCR_REDRAW;
		}
		preview_hidden = !preview_hidden;
		camera_preview_enable(s->cam, !preview_hidden);
		s->have_preview = false; /* an old picture is never shown */
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_FIND) {
		s->finding = !s->finding;
		s->find.text[0] = '\0';
		search(app, s); /* nothing to find: the one out, if any, is dropped */
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (s->finding) {
		if (action == ACT_CLEAR) {
			s->finding = false;
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (action == ACT_UP || action == ACT_DOWN) {
			if (s->nfound)
				s->found_sel = (s->found_sel + (action == ACT_DOWN ? 1 : s->nfound - 1)) % s->nfound;
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (action == ACT_SUBMIT) {
			/* typed ahead of the names: said, not dropped; never the
			 * first of names the clerk has not seen */
			if (s->nfound == 0 && s->searching) {
				app_status(app, true, "%s", "Nobody admitted: still searching; Enter again once the names show");
				return SCR_HANDLED | SCR_REDRAW;
			}
			if (s->nfound == 0)
				return SCR_HANDLED;
			if (!refuse_closed(app, s))
				gate_admit_ticket(&s->gate, s->found[s->found_sel].ticket, NULL, &s->last);
			s->finding = false;
			return show(app, s);
		}
		if (form_key(&s->find_form, ACT_NONE, key) & FORM_CHANGED)
			search(app, s);
		return SCR_HANDLED | SCR_REDRAW;
	}
	/* A partial code older than the idle limit was a stray key. */
	drop_idle_input(app, s);
	/* With no code typed: Up/Down choose a row of Last scans, u undoes it. */
	if (!s->input_len && !s->input_garbage && (action == ACT_UP || action == ACT_DOWN)) {
		struct recent_row rows[CHECKIN_RECENT];
		int n = recent_rows(s, s->fig_ok && app_online(app), rows);
		if (n == 0)
			s->recent_sel = -1;
		else if (action == ACT_DOWN)
			s->recent_sel = s->recent_sel + 1 < n ? s->recent_sel + 1 : n - 1;
		else if (s->recent_sel < 0)
			s->recent_sel = 0; /* nothing chosen: Up and Down both start at the newest */
		else
			s->recent_sel = s->recent_sel > 0 ? s->recent_sel - 1 : -1;
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_UNDO && !s->input_len && !s->input_garbage && s->recent_sel >= 0) {
		struct recent_row rows[CHECKIN_RECENT];
		int n = recent_rows(s, s->fig_ok && app_online(app), rows);
		if (s->recent_sel >= n || !rows[s->recent_sel].in || rows[s->recent_sel].ticket <= 0) {
			app_status(app, true, "%s", "only a check-in can be undone: choose one with Up/Down");
			return SCR_HANDLED | SCR_REDRAW;
		}
		if (!app_online(app)) {
			app_status(app, true, "%s", "an undo needs the database: this station is offline");
			return SCR_HANDLED | SCR_REDRAW;
		}
		s->undo_ticket = rows[s->recent_sel].ticket;
		/* the row without its time: who, type */
		{
			/* the row without its time and direction: "Åsa Öberg (Adult) ·
			 * gate", or "#204 (Adult) · gate" when nobody holds it yet */
			const char *who = strlen(rows[s->recent_sel].line) > CHECKIN_RECENT_WHO
						  ? rows[s->recent_sel].line + CHECKIN_RECENT_WHO : "";
			if (who[0] == '#')
				snprintf(s->undo_who, sizeof s->undo_who, "%s", who);
			else
				snprintf(s->undo_who, sizeof s->undo_who, "#%lld, %s", s->undo_ticket, who);
		}
		s->undo_reason.text[0] = '\0';
		s->undo_stage = 1;
		/* the big verdict stays only when it is this check-in's own:
		 * an earlier scan's banner above the question reads as its */
		if (s->last.ticket != s->undo_ticket || !s->last.admit)
			s->have_last = false;
		app_status(app, false, "%s", ""); /* an earlier refusal is not about this */
		s->undone_note = false;
		return SCR_HANDLED | SCR_REDRAW;
	}
	/* Keyboard-wedge scanner: characters, then Enter. */
	if (action == ACT_SUBMIT) {
		bool garbage = s->input_garbage;
		s->input[s->input_len] = '\0';
		clear_input(s);
		if (!s->input[0] && !garbage)
			return SCR_HANDLED | SCR_REDRAW;
		if (garbage) {
			memset(&s->last, 0, sizeof s->last);
			snprintf(s->last.reason, sizeof s->last.reason, "garbage from the scanner");
		} else {
			/* A code starts at its prefix: stray keys typed just before a
			 * scan (quicker than the idle rule) are not part of it. */
			const char *code = s->input, *at;
			while ((at = strstr(code + 1, TOKEN_PREFIX)))
				code = at;
			return scan(app, s, code);
		}
		return show(app, s);
	}
	if (action == ACT_CLEAR) {
		/* Esc only clears: a door station is left with F2 or F10, never
		 * by a key that a scanner's next code would then land behind */
		clear_input(s);
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (action == ACT_ERASE) {
		if (s->input_garbage) {
			clear_input(s); /* bytes that were never kept cannot be edited */
		} else if (s->input_len > 0) {
			s->input_len--;
			s->input_by_hand = s->input_len > 0;
		}
		s->input_at_ms = now_ms();
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (key >= 0x20 && key < 0x7F) {
		if (s->input_len < INPUT_MAX)
			s->input[s->input_len++] = (char)key;
		else
			s->input_garbage = true;
		s->input_at_ms = now_ms();
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (key >= 0x80 && key < 0x100) {
		s->input_garbage = true; /* our tokens are plain ASCII */
		s->input_at_ms = now_ms();
		return SCR_HANDLED | SCR_REDRAW;
	}
	return SCR_IGNORED;
}

static int checkin_notify(struct app *app, void *state, const char *channel, const char *payload)
{
	struct checkin_state *s = state;
	/* Check-ins themselves are not announced (see db/006_checkin.sql): the
	 * tick re-reads the counters every 2 s. An area's occupancy and the
	 * lists' rules are (db/020): read at once, for this event only. */
	if (strcmp(channel, "boxoffice_entrances") == 0) {
		if (!s->lists_wanted[0] || !payload || atoll(payload) != app_event_id(app))
			return SCR_IGNORED;
		if (s->lists_error[0]) {
			/* a list added or renamed may be the one this gate waits for */
			s->lists_retry = true;
			return SCR_REQUERY;
		}
		read_entrances(app, s);
		return SCR_HANDLED;
	}
	return strcmp(channel, "boxoffice_tickets") == 0 ? SCR_REQUERY : SCR_IGNORED;
}

static int checkin_tick(struct app *app, void *state)
{
	struct checkin_state *s = state;
	time_t now = time(NULL);
	int r = drop_idle_input(app, s) ? SCR_REDRAW : SCR_IGNORED;

	if (verdict_overdue(app, s))
		return SCR_REDRAW;
	if (s->asking) /* no synchronous read may queue behind the verdict */
		return r;

	if (!app_online(app)) {
		if (s->fig_ok)
			figures_unavailable(s, "offline");
		/* started offline: the event and the lists from the cache */
		if (s->lists_wanted[0] && lists_closed(app, s))
			apply_lists(app, s);
		return SCR_REDRAW; /* keep the OFFLINE state visible */
	}
	/* Which gate this is and what its journal holds, for the supervisors'
	 * dashboard: when the number changes and every 30 s (a gate not heard
	 * from for 90 s shows offline there). Fire and forget. */
	if (s->gate_open && (s->gate.pending != s->told_queued || now >= s->next_word)) {
		long long ev = s->gate.event_id ? s->gate.event_id : app_event_id(app);
		if (ev && db_gate_seen_submit(app_db(app), app, ev, s->gate.name, s->gate.pending)) {
			s->told_queued = s->gate.pending;
			s->next_word = now + 30;
		}
	}
	/* Back online with a queue: upload it, then re-read. */
	if (s->gate.pending > 0) {
		int conflicts = 0, n = gate_upload(&s->gate, &conflicts);
		if (n > 0) {
			app_status(app, conflicts > 0, "uploaded %d offline scans%s", n,
				   conflicts ? " — with conflicts for the supervisor" : "");
			r = SCR_REQUERY;
		}
	}
	if (now >= s->next_cache) {
		/* a failed refresh is tried again soon: the door needs it */
		if (gate_refresh_cache(&s->gate)) {
			s->next_cache = now + 60;
		} else {
			s->next_cache = now + 5;
			app_status(app, true, "offline cache not refreshed: %s",
				   s->gate.notice[0] ? s->gate.notice : app_db(app)->err);
		}
	}
	if (now >= s->next_refresh) {
		s->next_refresh = now + 2;
		r |= SCR_REQUERY;
	}
	return r;
}

static int checkin_fds(struct app *app, void *state, struct pollfd *fds, int *timeout_ms)
{
	struct checkin_state *s = state;
	(void)app;
	return s->cam ? camera_pollfds(s->cam, fds, timeout_ms) : 0;
}

/* After every poll: the camera reads what is ready; each presentation it
 * found is scanned like a typed code, one verdict at a time (the others
 * wait in the camera's queue, in order). */
static int checkin_on_fd(struct app *app, void *state, const struct pollfd *fds, int nfds)
{
	struct checkin_state *s = state;
	struct camera_event ev;
	int r = SCR_IGNORED;

	if (!s->cam)
		return r;
	if (camera_work(s->cam, fds, nfds))
		r |= SCR_REDRAW;
	{
		/* its state line, redrawn when it says something new (a
		 * countdown to the next try counts) */
		bool trouble;
		const char *said = camera_state(s->cam, &trouble);
		if (strcmp(said, s->camera_said) != 0) {
			snprintf(s->camera_said, sizeof s->camera_said, "%s", said);
			r |= SCR_REDRAW;
		}
	}
	if (!preview_hidden) {
		struct camera_preview p;
		if (!camera_preview_get(s->cam, &p)) {
			if (s->have_preview)
				r |= SCR_REDRAW; /* the source stopped: its picture goes */
			s->have_preview = false;
		} else if (!s->have_preview || p.seq != s->preview.seq) {
			s->preview = p;
			s->have_preview = true;
			r |= SCR_REDRAW;
		}
	}
	while (!s->asking && camera_next_event(s->cam, &ev)) {
		if (ev.kind == CAMERA_TWO_CODES) {
			memset(&s->last, 0, sizeof s->last);
			snprintf(s->last.reason, sizeof s->last.reason, "%s", CAMERA_TWO_CODES_REASON);
			r |= show(app, s);
		} else {
			r |= scan(app, s, ev.code);
		}
	}
	return r;
}

const struct screen_ops checkin_screen = {
	.name = "checkin",
	.needs = "gate",
	.title = "Check-in",
	.state_size = sizeof(struct checkin_state),
	.init = checkin_init,
	.done = checkin_done,
	.query = checkin_query,
	.draw = checkin_draw,
	.on_key = checkin_key,
	.on_notify = checkin_notify,
	.on_tick = checkin_tick,
	/* a door laptop or a small tablet: the verdict, counts and the last
	 * scans still fit (Last scans goes under the counts below 60) */
	.min_w = 60,
	.min_h = 15,
	.fds = checkin_fds,
	.on_fd = checkin_on_fd,
};

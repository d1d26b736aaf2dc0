/* The terminal screens, used the way a person uses them: tmux runs the real
 * binary against the test database; keys go in, the screen is read back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "proxy.h"
#include "tmux.h"

static void test_tui_opens_navigates_and_quits(void **state)
{
	struct tmux t;
	const char *ev = unique_name("Screen Gala");
	char *screen;
	(void)state;

	/* the last dates of all, so End finds them whatever other tests added */
	make_event(ev, "9998-01-01", 1);
	/* more events than a screen's fixed table held (256): years of past
	 * events must not hide the newest */
	{
		PGconn *c = test_connect();
		PQclear(test_query(c, "INSERT INTO event (name, date) SELECT 'Past ' || g || ' ' || clock_timestamp(), "
				   "date '2001-01-01' + g FROM generate_series(1, 300) g", 0, NULL));
		PQfinish(c);
	}
	tmux_start(&t, "shell", 100, 30, "$BOXOFFICE --station gate-tui; echo EXITED rc=$?; sleep 30");
	assert_true(tmux_wait_for(&t, "ONLINE", 10000));
	screen = tmux_capture(&t);
	assert_non_null(strstr(screen, "boxoffice"));
	assert_non_null(strstr(screen, "Main menu"));
	assert_non_null(strstr(screen, "Station: gate-tui"));
	assert_non_null(strstr(screen, "F1Help"));
	assert_non_null(strstr(screen, "F10Quit"));
	free(screen);

	/* The events screen lists what the database has, live. */
	tmux_keys(&t, "1");
	assert_true(tmux_wait_for(&t, "RE-ENTRY", 3000));
	/* End on a list still being read (a supervisor's banner reads its
	 * alerts first) moves nothing; a person presses it again */
	{
		bool found = false;
		for (int i = 0; i < 3 && !found; i++) {
			tmux_keys(&t, "End");
			found = tmux_wait_for(&t, ev, 2000);
		}
		assert_true(found);
	}
	/* An event added by another process appears without a key press. */
	{
		const char *later = unique_name("Late Addition");
		make_event(later, "9998-02-01", 0);
		tmux_keys(&t, "Down"); /* the list stays on the last row; one below shows it */
		assert_true(tmux_wait_for(&t, later, 3000));
	}
	/* Choosing an event puts it in the header. */
	tmux_keys(&t, "End");
	tmux_keys(&t, "Up");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "working on", 3000));

	/* F1 shows this screen's keys; Esc goes back. */
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of Events", 3000));
	assert_true(tmux_wait_for(&t, "read everything again", 1000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "RE-ENTRY", 3000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Main menu", 3000));

	/* A resize redraws at the new size. */
	{
		char cmd[256];
		snprintf(cmd, sizeof cmd, "tmux -L %s resize-window -t shell -x 80 -y 24", t.socket);
		assert_int_equal(system(cmd), 0);
		assert_true(tmux_wait_for(&t, "F10Quit", 3000));
	}

	/* F10 asks, y quits and gives the terminal back. */
	tmux_keys(&t, "F10");
	assert_true(tmux_wait_for(&t, "Quit boxoffice? y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "EXITED rc=0", 5000));
	screen = tmux_capture(&t);
	assert_null(strstr(screen, "Main menu"));
	free(screen);
	tmux_stop(&t);
}

/* The number in the AVAILABLE column of the row that starts with type. */
static bool screen_has(struct tmux *t, const char *text);

static long long available_on_screen(const char *screen, const char *type)
{
	const char *line = screen;
	while ((line = strstr(line, type))) {
		long long cap, sold, held, reserved, avail;
		char channel[16];
		if (sscanf(line + strlen(type), " %15s %lld %lld %lld %lld %lld", channel, &cap, &sold,
			   &held, &reserved, &avail) == 6 && strcmp(channel, "all") == 0)
			return avail;
		line += strlen(type);
	}
	return -1;
}

/* Waits until the type's AVAILABLE cell shows n. */
static bool wait_available(struct tmux *t, const char *type, long long n, int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited += 20) {
		char *screen = tmux_capture(t);
		long long v = available_on_screen(screen, type);
		free(screen);
		if (v == n)
			return true;
		usleep(20 * 1000);
	}
	return false;
}

/* Through a proxy whose way to the server is a symlink: removing it is a
 * server that is gone (connections refused at once), putting it back is
 * the server restarted. The screen stays up OFFLINE, retries with a
 * growing back-off, comes back ONLINE by itself, LISTENs again (a sale in
 * another process shows without a key) and F1 answers throughout. */
static void test_tui_offline_then_online(void **state)
{
	const char *tmp = getenv("BOXOFFICE_TEST_TMP"), *pghost = getenv("PGHOST");
	long long event_id = make_event(unique_name("Back Online"), "2031-02-01", 0);
	char link[512], target[512], cmd[600];
	struct proxy *p;
	struct tmux t;
	struct run_result r;
	(void)state;

	assert_non_null(tmp);
	assert_non_null(pghost);
	make_type(event_id, "Stalls", 50, 1000, 1);
	snprintf(link, sizeof link, "%s/restartable.sock", tmp);
	snprintf(target, sizeof target, "%s/.s.PGSQL.5432", pghost);
	unlink(link);
	assert_int_equal(symlink(target, link), 0);
	p = proxy_start(link);
	snprintf(cmd, sizeof cmd,
		 "$BOXOFFICE -d postgresql://%s@127.0.0.1:%d/%s --station restart --screen inventory --event %lld; "
		 "echo EXITED rc=$?; sleep 60",
		 getenv("PGUSER"), proxy_port(p), getenv("PGDATABASE"), event_id);
	tmux_start(&t, "offline", 250, 24, cmd); /* wide: the status line ends with the retry */
	assert_true(wait_available(&t, "Stalls", 50, 10000));
	assert_true(tmux_wait_for(&t, "ONLINE", 1000));

	/* the server goes away */
	assert_int_equal(unlink(link), 0);
	proxy_cut(p);
	assert_true(tmux_wait_for(&t, "OFFLINE", 5000));
	assert_true(tmux_wait_for(&t, "database unreachable", 5000));
	/* it keeps trying, waiting longer each time */
	assert_true(tmux_wait_for(&t, "(retrying in 2s)", 5000));
	assert_true(tmux_wait_for(&t, "(retrying in 4s)", 5000));
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of", 1000));
	tmux_keys(&t, "Escape");

	/* the server is back: ONLINE without a key */
	assert_int_equal(symlink(target, link), 0);
	assert_true(tmux_wait_gone(&t, "OFFLINE", 10000));
	assert_true(tmux_wait_for(&t, "ONLINE", 1000));
	/* and listening again: a sale elsewhere shows live */
	r = run_cmd("$BOXOFFICE --station elsewhere sell --event %lld --type Stalls --qty 3", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_true(wait_available(&t, "Stalls", 47, 3000));
	tmux_keys(&t, "F10 y");
	assert_true(tmux_wait_for(&t, "EXITED rc=0", 5000));
	tmux_stop(&t);
	proxy_stop(p);
	unlink(link);
}

static void test_two_stations_see_a_sale_live(void **state)
{
	struct tmux a, b;
	const char *ev = unique_name("Live Inventory");
	long long event_id = make_event(ev, "2031-01-01", 0);
	char cmd[256], *screen;
	struct run_result r;
	(void)state;

	make_type(event_id, "Balcony", 40, 45000, 1);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station east --screen inventory --event %lld; sleep 30", event_id);
	tmux_start(&a, "east", 100, 24, cmd);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station west --screen inventory --event %lld; sleep 30", event_id);
	b = a;
	snprintf(b.session, sizeof b.session, "west");
	{
		char line[512];
		snprintf(line, sizeof line, "tmux -L %s new-session -d -s west -x 100 -y 24 \"env LANG=C.UTF-8 LSAN_OPTIONS=detect_leaks=0 sh -c '%s'\"",
			 a.socket, cmd);
		assert_int_equal(system(line), 0);
	}
	assert_true(tmux_wait_for(&a, "Balcony", 10000));
	assert_true(tmux_wait_for(&b, "Balcony", 10000));
	screen = tmux_capture(&a);
	assert_int_equal(available_on_screen(screen, "Balcony"), 40);
	free(screen);

	/* A sale in a third shell: both screens change, no key pressed. */
	r = run_cmd("$BOXOFFICE --station third sell --event %lld --type Balcony --qty 3", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_true(wait_available(&a, "Balcony", 37, 3000));
	assert_true(wait_available(&b, "Balcony", 37, 3000));

	/* The counter sale at east: Enter, quantity, payment, Enter shows the
	 * charge, Enter sells. */
	tmux_keys(&a, "Enter");
	assert_true(tmux_wait_for(&a, "Sell Balcony", 3000));
	tmux_keys(&a, "5 i Enter");
	assert_true(tmux_wait_for(&a, "Sell 5 × Balcony, invoice: 2,812.50 incl. VAT?", 3000));
	tmux_keys(&a, "Enter");
	assert_true(tmux_wait_for(&a, "requested", 3000));
	assert_true(tmux_wait_for(&a, "Tickets: none until the order is settled", 1000));
	/* west sees it without a key press */
	assert_true(wait_available(&b, "Balcony", 32, 3000));
	/* selling more than is left is refused with the number left */
	tmux_keys(&a, "Enter");
	tmux_keys(&a, "4 0 Enter");
	assert_true(tmux_wait_for(&a, "Sell 40 × Balcony", 3000));
	tmux_keys(&a, "Enter");
	assert_true(tmux_wait_for(&a, "only 32 left", 3000));
	/* the form still holds 40: Esc asks before throwing it away */
	tmux_keys(&a, "Escape");
	assert_true(tmux_wait_for(&a, "Discard this sale? y/n", 3000));
	tmux_keys(&a, "y");
	assert_true(tmux_wait_for(&a, "TAKEN", 3000));
	tmux_stop(&a);
}

/* The footer says "Live": a type added in another shell shows without F5,
 * and one deleted elsewhere goes (they notify boxoffice_events, not
 * boxoffice_inventory). */
static void test_inventory_shows_types_added_and_deleted_elsewhere(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Types Live"), "2031-02-01", 0), student;
	char cmd[256], id[24];
	PGconn *c;
	(void)state;

	make_type(event_id, "Balcony", 40, 45000, 1);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen inventory --event %lld; sleep 60", event_id);
	tmux_start(&t, "types", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Balcony", 10000));
	assert_true(tmux_wait_for(&t, "Live: last read", 3000));
	student = cli_json_id("$BOXOFFICE type add --event %lld --name Student --capacity 10 --price 100", event_id);
	assert_true(tmux_wait_for(&t, "Student", 3000));
	assert_true(wait_available(&t, "Student", 10, 3000));
	/* deleted elsewhere (no seat of it sold): it leaves the list */
	c = test_connect();
	snprintf(id, sizeof id, "%lld", student);
	PQclear(test_query(c, "DELETE FROM ticket_type WHERE id = $1", 1, (const char *const[]){ id }));
	PQfinish(c);
	assert_true(tmux_wait_gone(&t, "Student", 3000));
	assert_true(screen_has(&t, "Balcony"));
	tmux_stop(&t);
}

/* The total ORD of the summary grid's Total row (13th number). */
static long long grid_total_orders(const char *screen)
{
	const char *line = strstr(screen, "\n Total ");
	char copy[512];
	char *tok, *save = NULL;
	int n = 0;
	if (!line)
		return -1;
	snprintf(copy, sizeof copy, "%.*s", (int)strcspn(line + 1, "\n"), line + 1);
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
		if (n++ == 13)
			return atoll(tok);
	return -1;
}

static void test_orders_screen_filters_and_live(void **state)
{
	struct tmux t;
	const char *ev = unique_name("Orders Screen");
	long long event_id = make_event(ev, "2032-01-01", 0);
	char cmd[512], *screen, ids[24];
	const char *p[1] = { ids };
	PGconn *c = test_connect();
	struct run_result r;
	(void)state;

	make_type(event_id, "Adult", 500, 10000, 1);
	snprintf(ids, sizeof ids, "%lld", event_id);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 2 --company 'Alpha AB' && "
		    "$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment invoice --company 'Beta One' && "
		    "$BOXOFFICE sell --event %lld --type Adult --qty 3 --payment invoice --company 'Beta Two' && "
		    "$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment free --company 'Delta Free'",
		    event_id, event_id, event_id, event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen orders --event %lld; sleep 30", event_id);
	tmux_start(&t, "orders", 100, 30, cmd);
	assert_true(tmux_wait_for(&t, "Alpha AB", 10000));
	assert_true(tmux_wait_for(&t, "Delta Free", 2000));
	screen = tmux_capture(&t);
	assert_non_null(strstr(screen, "Requested"));
	assert_non_null(strstr(screen, "Invoice sent"));
	assert_int_equal(grid_total_orders(screen),
			 test_scalar(c, "SELECT count(*) FROM ticket_order WHERE event_id = $1", 1, p));
	free(screen);

	/* Search narrows at every keystroke. */
	tmux_keys(&t, "/");
	tmux_type(&t, "beta");
	assert_true(tmux_wait_gone(&t, "Alpha AB", 3000));
	screen = tmux_capture(&t);
	assert_non_null(strstr(screen, "Beta One"));
	assert_non_null(strstr(screen, "Beta Two"));
	assert_null(strstr(screen, "Delta Free"));
	assert_int_equal(grid_total_orders(screen), 2);
	free(screen);
	/* Status: settled (the Beta orders are invoices, still requested). */
	tmux_keys(&t, "Tab Space Space Space");
	assert_true(tmux_wait_for(&t, "No orders match", 3000));
	/* Reset brings everything back. */
	tmux_keys(&t, "Escape F4");
	assert_true(tmux_wait_for(&t, "Alpha AB", 3000));
	assert_true(tmux_wait_for(&t, "Delta Free", 3000));
	/* Tickets: missing — the invoice orders have none yet, Alpha has all. */
	tmux_keys(&t, "Tab Tab Tab Tab Tab Tab m Escape");
	assert_true(tmux_wait_gone(&t, "Alpha AB", 3000));
	assert_true(tmux_wait_for(&t, "Beta Two", 3000));
	tmux_keys(&t, "F4");
	assert_true(tmux_wait_for(&t, "Alpha AB", 3000));
	/* From a date after today: nothing; To a date after today: everything. */
	tmux_keys(&t, "Tab Tab Tab Tab");
	tmux_type(&t, "2099-01-01");
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "No orders match", 3000));
	tmux_keys(&t, "F4 Tab Tab Tab Tab Tab");
	tmux_type(&t, "2099-01-01");
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Alpha AB", 3000));
	assert_true(tmux_wait_for(&t, "Delta Free", 3000));
	/* A date that does not exist is said so, and changes nothing. */
	tmux_keys(&t, "F4 Tab Tab Tab Tab");
	tmux_type(&t, "2026-02-30");
	assert_true(tmux_wait_for(&t, "From: YYYY-MM-DD, a real date", 3000));
	tmux_keys(&t, "Escape F4");
	/* Payment filter alone: free. */
	tmux_keys(&t, "Tab Tab Tab f Escape");
	assert_true(tmux_wait_gone(&t, "Alpha AB", 3000));
	assert_true(tmux_wait_for(&t, "Delta Free", 3000));
	tmux_keys(&t, "F4");
	assert_true(tmux_wait_for(&t, "Alpha AB", 3000));

	/* Another station's order appears without a key press. */
	r = run_cmd("$BOXOFFICE --station other order add --event %lld --lines Adult:4 --payment invoice "
		    "--company 'Gamma Live'", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_true(tmux_wait_for(&t, "Gamma Live", 3000));

	/* The newest order is on top: i asks (a gapless number), y sends. */
	tmux_keys(&t, "Home i");
	assert_true(tmux_wait_for(&t, "Send the invoice for order #", 3000));
	assert_int_equal(test_scalar(c, "SELECT count(*) FROM ticket_order WHERE event_id = $1 "
					"AND company = 'Gamma Live' AND status = 'invoice_sent'", 1, p), 0);
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "invoiced", 3000));
	assert_int_equal(test_scalar(c, "SELECT count(*) FROM ticket_order WHERE event_id = $1 "
					"AND company = 'Gamma Live' AND status = 'invoice_sent' AND invoice_no IS NOT NULL",
				     1, p), 1);
	/* A card order cannot be invoiced: refused with the reason. */
	tmux_keys(&t, "/");
	tmux_type(&t, "alpha");
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_gone(&t, "Gamma Live", 3000));
	tmux_keys(&t, "Home i");
	assert_true(tmux_wait_for(&t, "cannot be invoiced", 3000));
	/* The detail view shows lines, tickets and history. */
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "TICKET", 3000));
	assert_true(tmux_wait_for(&t, "Sell", 3000)); /* the history, in words */
	tmux_stop(&t);
	PQfinish(c);
}

/* Reads the half-block QR off a captured screen back into modules, writes
 * it as a PGM picture (8 px a module, light border) and returns the path,
 * so an independent decoder can say whether a phone could scan it. */
static bool screen_qr_to_pgm(const char *screen, const char *path)
{
	static unsigned char m[200][200];
	int rows = 0, cols = 0, left = 10000, right = -1;
	const char *line = screen;
	FILE *f;

	memset(m, 0, sizeof m);
	for (int r = 0; line && *line && r < 100; r++) {
		const char *end = strchr(line, '\n');
		int col = 0;
		for (const unsigned char *p = (const unsigned char *)line; p < (const unsigned char *)(end ? end : line + strlen(line)); col++) {
			int top = 0, bottom = 0;
			if (p[0] == 0xE2 && p[1] == 0x96 && (p[2] == 0x80 || p[2] == 0x84 || p[2] == 0x88)) {
				top = p[2] == 0x80 || p[2] == 0x88;
				bottom = p[2] == 0x84 || p[2] == 0x88;
				p += 3;
			} else {
				p += (*p & 0x80) ? ((*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4) : 1;
			}
			if ((top || bottom) && col > 40 && col < 200) {
				m[2 * r][col] = (unsigned char)top;
				m[2 * r + 1][col] = (unsigned char)bottom;
				if (col < left) left = col;
				if (col > right) right = col;
				if (2 * r + 2 > rows) rows = 2 * r + 2;
			}
		}
		line = end ? end + 1 : NULL;
	}
	if (right < 0)
		return false;
	cols = right - left + 1;
	if (!(f = fopen(path, "wb")))
		return false;
	fprintf(f, "P5 %d %d 255\n", (cols + 8) * 8, (rows + 8) * 8);
	for (int y = 0; y < (rows + 8) * 8; y++)
		for (int x = 0; x < (cols + 8) * 8; x++) {
			int my = y / 8 - 4, mx = x / 8 - 4;
			bool dark = my >= 0 && mx >= 0 && my < rows && mx < cols && m[my][left + mx];
			fputc(dark ? 0 : 255, f);
		}
	fclose(f);
	return true;
}

static void test_assign_three_tickets_to_three_people(void **state)
{
	struct tmux t;
	const char *ev = unique_name("Assign Gala");
	long long event_id = make_event(ev, "2033-01-01", 0);
	char cmd[512], ids[24], pgm[256], *screen;
	const char *p[1] = { ids };
	PGconn *c = test_connect();
	struct run_result r;
	long long order;
	(void)state;

	make_type(event_id, "Adult", 50, 10000, 1);
	/* Someone the event already knows (from another order). */
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 1 --company 'Earlier AB'", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(ids, sizeof ids, "%lld", event_id);
	{
		long long first = test_scalar(c, "SELECT min(k.id) FROM ticket k WHERE k.event_id = $1", 1, p);
		r = run_cmd("$BOXOFFICE ticket assign %lld --name 'Sigrid Known' --email sigrid@example.com --company 'Earlier AB'", first);
		assert_int_equal(r.status, 0);
		run_free(&r);
	}
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 3 --company 'Buyer Corp'", event_id);
	assert_int_equal(r.status, 0);
	order = out_id(r.out);
	run_free(&r);

	snprintf(cmd, sizeof cmd, "BOXOFFICE_BADGES=%s/badges $BOXOFFICE --screen orders --event %lld; sleep 30",
		 getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp", event_id);
	tmux_start(&t, "assign", 100, 30, cmd);
	assert_true(tmux_wait_for(&t, "Buyer Corp", 10000));
	tmux_keys(&t, "Home a");
	assert_true(tmux_wait_for(&t, "Assign the selected ticket to:", 3000));
	assert_true(tmux_wait_for(&t, "(not assigned)", 3000));
	/* First: typed in full. */
	tmux_type(&t, "Anna Holder");
	tmux_keys(&t, "Tab");
	tmux_type(&t, "anna.holder@example.com");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Anna Holder <anna.holder@example.com>", 3000));
	/* Second: typed, with a company. */
	tmux_type(&t, "Bo Holder");
	tmux_keys(&t, "Tab");
	tmux_type(&t, "bo@example.com");
	tmux_keys(&t, "Tab");
	tmux_type(&t, "Fjord AB");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Bo Holder <bo@example.com>", 3000));
	/* Third: found as you type and picked with F3. */
	tmux_type(&t, "sig");
	assert_true(tmux_wait_for(&t, "Known people", 3000));
	tmux_keys(&t, "F3 Enter");
	assert_true(tmux_wait_for(&t, "Sigrid Known <sigrid@example.com>", 3000));
	/* the list is re-read after the assignment: the last row fills then */
	assert_true(tmux_wait_gone(&t, "(not assigned)", 5000));
	/* F6: bulk from a file; a bad row is shown and nothing changes. */
	{
		char csv[300];
		FILE *f;
		snprintf(csv, sizeof csv, "%s/bulk.csv", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp");
		f = fopen(csv, "w");
		fputs("name,email\r\nNo Mail,nomail\r\n", f);
		fclose(f);
		tmux_keys(&t, "F6");
		assert_true(tmux_wait_for(&t, "Bulk: a CSV file", 3000));
		tmux_type(&t, csv);
		tmux_keys(&t, "Enter");
		assert_true(tmux_wait_for(&t, "1 with errors", 3000));
		assert_true(tmux_wait_for(&t, "e-mail is not an address", 1000));
		tmux_keys(&t, "Escape");
		assert_true(tmux_wait_for(&t, "Assign the selected ticket to:", 3000));
	}
	/* F9: the selected ticket's badge, saved (no printer configured). */
	tmux_keys(&t, "F9");
	assert_true(tmux_wait_for(&t, "badge saved as", 15000)); /* by a child process */
	tmux_stop(&t);
	r = run_cmd("zbarimg --quiet --raw $BOXOFFICE_TEST_TMP/badges/badge-*.png 2>/dev/null | grep -c '^BX1:'");
	assert_int_equal(r.status, 0);
	assert_int_equal(atoi(r.out), 1);
	run_free(&r);
	snprintf(ids, sizeof ids, "%lld", order);
	assert_int_equal(test_scalar(c, "SELECT count(DISTINCT person_id) FROM ticket WHERE order_id = $1 "
					"AND person_id IS NOT NULL", 1, p), 3);
	assert_int_equal(test_scalar(c, "SELECT count(*) FROM ticket k JOIN person pe ON pe.id = k.person_id "
					"WHERE k.order_id = $1 AND pe.name = 'Sigrid Known'", 1, p), 1);

	/* My Tickets: the holder finds her ticket, and its QR on screen scans. */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen mytickets --event %lld; sleep 30", event_id);
	tmux_start(&t, "mine", 80, 24, cmd); /* the floor: the QR must fit there too */
	assert_true(tmux_wait_for(&t, "Find", 10000));
	tmux_type(&t, "anna.holder");
	assert_true(tmux_wait_for(&t, "not checked in", 3000));
	screen = tmux_capture(&t);
	snprintf(pgm, sizeof pgm, "%s/screen-qr.pgm", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp");
	assert_true(screen_qr_to_pgm(screen, pgm));
	free(screen);
	tmux_stop(&t);
	r = run_cmd("zbarimg --quiet --raw %s 2>/dev/null", pgm);
	assert_int_equal(r.status, 0);
	r.out[strcspn(r.out, "\n")] = '\0';
	{
		struct run_result list = run_cmd("$BOXOFFICE ticket list --order %lld --json", order);
		assert_non_null(strstr(list.out, r.out));
		assert_true(strncmp(r.out, "BX1:", 4) == 0);
		run_free(&list);
	}
	run_free(&r);
	PQfinish(c);
}


/* My Tickets, "I lost my ticket": F8 asks (n keeps it), y reissues it:
 * the new QR is shown, the old one no longer verifies, the change log
 * says so; F9 saves the new badge. */
static void test_mytickets_reissues_a_lost_ticket(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Lost Gala"), "2034-03-01", 0);
	char cmd[512], ids[24], token[512];
	const char *p[1] = { ids };
	PGconn *c = test_connect();
	struct run_result r;
	long long order, ticket;
	(void)state;

	make_type(event_id, "Adult", 10, 1000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment free", event_id);
	assert_int_equal(r.status, 0);
	order = out_id(r.out);
	run_free(&r);
	ticket = order_ticket(order, 0, token, sizeof token);
	r = run_cmd("$BOXOFFICE ticket assign %lld --name 'Lena Lost' --email lena@example.com", ticket);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(ids, sizeof ids, "%lld", ticket);

	snprintf(cmd, sizeof cmd, "BOXOFFICE_BADGES=%s/badges-lost $BOXOFFICE --screen mytickets --event %lld; sleep 30",
		 getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp", event_id);
	tmux_start(&t, "lost", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Find", 10000));
	tmux_type(&t, "lena");
	assert_true(tmux_wait_for(&t, "not checked in", 3000));
	tmux_keys(&t, "F8");
	assert_true(tmux_wait_for(&t, "the old one stops working", 3000));
	assert_true(screen_has(&t, "Lena Lost"));
	/* the question's keys: typing does not reach the Find field */
	tmux_keys(&t, "x n");
	assert_true(tmux_wait_for(&t, "kept: nothing changed", 3000));
	assert_false(screen_has(&t, "lenax"));
	assert_int_equal(test_scalar(c, "SELECT issue FROM ticket WHERE id = $1", 1, p), 1);
	tmux_keys(&t, "F8");
	assert_true(tmux_wait_for(&t, "the old one stops working", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "reissued (issue 2)", 3000));
	assert_int_equal(test_scalar(c, "SELECT issue FROM ticket WHERE id = $1", 1, p), 2);
	assert_int_equal(test_scalar(c, "SELECT count(*) FROM change_log WHERE entity = 'ticket' AND entity_id = $1 "
					"AND action = 'reissued' AND reason = 'reissued at the desk (lost)'", 1, p), 1);
	/* the holder stays; the old code is refused */
	assert_int_equal(test_scalar(c, "SELECT count(*) FROM ticket k JOIN person pe ON pe.id = k.person_id "
					"WHERE k.id = $1 AND pe.email = 'lena@example.com'", 1, p), 1);
	r = run_cmd("$BOXOFFICE ticket verify '%s' 2>&1", token);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.out, "reissued (old QR)"));
	run_free(&r);
	tmux_keys(&t, "F9");
	assert_true(tmux_wait_for(&t, "badge saved as", 15000)); /* by a child process */
	/* another desk reissues it while this one asks: y here is refused,
	 * not a third QR that kills the one just handed over */
	tmux_keys(&t, "F8");
	assert_true(tmux_wait_for(&t, "the old one stops working", 3000));
	r = run_cmd("$BOXOFFICE ticket reissue %lld --reason 'other desk' && sleep 0.5", ticket);
	assert_int_equal(r.status, 0);
	run_free(&r);
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "changed at another station", 3000));
	assert_int_equal(test_scalar(c, "SELECT issue FROM ticket WHERE id = $1", 1, p), 3);
	tmux_stop(&t);
	r = run_cmd("zbarimg --quiet --raw $BOXOFFICE_TEST_TMP/badges-lost/badge-*.png 2>/dev/null");
	assert_int_equal(r.status, 0);
	assert_null(strstr(r.out, token)); /* the badge carries the new code */
	assert_non_null(strstr(r.out, "BX1:"));
	run_free(&r);
	PQfinish(c);
}


/* A reissue whose answer the link loses (made, its answer held until the
 * station's deadline) says "not confirmed", never "not reissued"; F2
 * meanwhile keeps the screen and its write. */
static void test_mytickets_reissue_on_a_lost_answer_is_not_confirmed(void **state)
{
	struct proxy *px = proxy_start(NULL);
	struct tmux t;
	long long event_id = make_event(unique_name("Lost Link Gala"), "2034-03-02", 0);
	char cmd[600], ids[24];
	const char *p[1] = { ids };
	PGconn *c = test_connect();
	struct run_result r;
	long long order, ticket;
	(void)state;

	make_type(event_id, "Adult", 10, 1000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment free", event_id);
	assert_int_equal(r.status, 0);
	order = out_id(r.out);
	run_free(&r);
	ticket = first_ticket(order);
	r = run_cmd("$BOXOFFICE ticket assign %lld --name 'Lars Link' --email lars@example.com", ticket);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(ids, sizeof ids, "%lld", ticket);

	snprintf(cmd, sizeof cmd,
		 "BOXOFFICE_DEADLINE_MS=4000 $BOXOFFICE -d postgresql://%s@127.0.0.1:%d/%s --screen mytickets "
		 "--event %lld; sleep 30",
		 getenv("PGUSER"), proxy_port(px), getenv("PGDATABASE"), event_id);
	tmux_start(&t, "lostlink", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Find", 10000));
	tmux_type(&t, "lars");
	assert_true(tmux_wait_for(&t, "not checked in", 3000));
	tmux_keys(&t, "F8");
	assert_true(tmux_wait_for(&t, "the old one stops working", 3000));
	proxy_hold_answers(px);
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "reissuing ticket", 1000));
	tmux_keys(&t, "F2");
	assert_true(tmux_wait_for(&t, "still reissuing a ticket", 1000));
	/* made or not (the request may wait behind a read whose answer is
	 * held, or be cancelled at the deadline): the station cannot know,
	 * so it says "not confirmed", never "not reissued" */
	assert_true(tmux_wait_for(&t, "Reissue not confirmed: no QR", 10000));
	assert_false(screen_has(&t, "not reissued"));
	assert_false(screen_has(&t, "▀▀▀▀▀▀▀")); /* the QR, maybe dead now, is not shown */
	{
		long long issue = test_scalar(c, "SELECT issue FROM ticket WHERE id = $1", 1, p);
		assert_true(issue == 1 || issue == 2);
	}
	proxy_thaw(px);
	/* once online the tickets are read again: the new QR */
	assert_true(tmux_wait_for(&t, "▀▀▀▀▀▀▀", 15000));
	assert_false(screen_has(&t, "Reissue not confirmed"));
	tmux_stop(&t);
	proxy_stop(px);
	PQfinish(c);
}

/* The order detail's tables count columns, not bytes: a type name with
 * letters of two bytes is cut with "…" and the columns after it line up. */
static void test_order_detail_columns_with_non_ascii_names(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Column Gala"), "2034-04-01", 0);
	char cmd[512];
	struct run_result r;
	(void)state;

	make_type(event_id, "Fjärdedagsbiljett Östra", 10, 1000, 1);
	r = run_cmd("$BOXOFFICE --station kassa-nummer-ett sell --event %lld --type 'Fjärdedagsbiljett Östra' --qty 2 --payment free "
		    "--company 'Column AB'", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen orders --event %lld; sleep 30", event_id);
	tmux_start(&t, "columns", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Column AB", 10000));
	tmux_keys(&t, "Home Enter");
	assert_true(tmux_wait_for(&t, "Fjärdedagsbilje…     2", 3000));
	tmux_keys(&t, "End");
	assert_true(tmux_wait_for(&t, "Fjärdedagsb… 1", 3000));
	/* the station's column: 14 columns, then WHAT */
	assert_true(screen_has(&t, "kassa-nummer-… Sell 2 × Fjärdeda… sale"));
	tmux_stop(&t);
	/* a station name PostgreSQL would log as "kassa-??": refused */
	r = run_cmd("$BOXOFFICE --station kassa-Ö sell --event %lld --type 'Fjärdedagsbiljett Östra' --qty 1 "
		    "--payment free 2>&1", event_id);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.out, "ASCII"));
	run_free(&r);
}

/* A prompt or a typed field takes keys as text, but F1 (help), F2 (menu)
 * and F10 (quit) still work there, from the key table. */
static void test_modal_states_pass_function_keys(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Modal"), "2034-01-01", 0);
	char cmd[512], ids[24];
	const char *p[1] = { ids };
	PGconn *c = test_connect();
	struct run_result r;
	long long order;
	(void)state;

	make_type(event_id, "Adult", 50, 10000, 1);
	r = run_cmd("$BOXOFFICE order add --event %lld --lines Adult:2 --payment card --company 'Modal AB'", event_id);
	assert_int_equal(r.status, 0);
	order = out_id(r.out);
	run_free(&r);
	snprintf(ids, sizeof ids, "%lld", order);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen orders --event %lld; echo EXITED rc=$?; sleep 30", event_id);
	tmux_start(&t, "modal", 100, 30, cmd);
	assert_true(tmux_wait_for(&t, "Modal AB", 10000));
	/* The settle prompt: F1 shows help, Esc comes back to the prompt. */
	tmux_keys(&t, "Home s");
	assert_true(tmux_wait_for(&t, "Payment reference", 3000));
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of Ticket Orders", 3000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Payment reference", 3000));
	tmux_type(&t, "REF-77");
	tmux_keys(&t, "Enter");
	{
		char done[64];
		snprintf(done, sizeof done, "order #%lld settled", order);
		assert_true(tmux_wait_for(&t, done, 3000));
	}
	assert_int_equal(test_scalar(c, "SELECT count(*) FROM ticket_order WHERE id = $1 AND status = 'settled' "
					"AND payment_ref = 'REF-77'", 1, p), 1);
	/* The detail view and the assign screen opened from it are on the
	 * order they were pushed with (app_push's arg). */
	{
		char title[64];
		snprintf(title, sizeof title, "Tickets of order #%lld", order);
		tmux_keys(&t, "Enter");
		assert_true(tmux_wait_for(&t, "TICKET", 3000));
		tmux_keys(&t, "a");
		assert_true(tmux_wait_for(&t, title, 3000));
		tmux_keys(&t, "Escape");
		assert_true(tmux_wait_gone(&t, title, 3000));
		tmux_keys(&t, "Escape");
		assert_true(tmux_wait_for(&t, "Modal AB", 3000));
	}
	/* The assign screen's bulk file prompt: F1 too; Esc closes the prompt. */
	tmux_keys(&t, "a");
	assert_true(tmux_wait_for(&t, "Assign the selected ticket to:", 3000));
	tmux_keys(&t, "F6");
	assert_true(tmux_wait_for(&t, "Bulk: a CSV file", 3000));
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of Assign tickets", 3000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Bulk: a CSV file", 3000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Assign the selected ticket to:", 3000));
	/* The refund prompt: F10 quits from inside it, once asked; the y
	 * answers the quit question, not the refund. */
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Modal AB", 3000));
	tmux_keys(&t, "Home r");
	assert_true(tmux_wait_for(&t, "? y/n", 3000));
	tmux_keys(&t, "F10 y");
	assert_true(tmux_wait_for(&t, "EXITED rc=0", 5000));
	assert_int_equal(test_scalar(c, "SELECT count(*) FROM ticket_order WHERE id = $1 AND status = 'settled'", 1, p),
			 1);
	tmux_stop(&t);
	PQfinish(c);
}

static void test_checkin_screen(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Gate Night"), "2034-01-01", 0);
	char cmd[512], token[512];
	struct run_result r;
	long long order, first, second;
	(void)state;

	make_type(event_id, "Adult", 10, 1000, 1);
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 2 --payment free", event_id);
	assert_int_equal(r.status, 0);
	order = out_id(r.out);
	run_free(&r);
	first = order_ticket(order, 0, token, sizeof token);
	second = order_ticket(order, 1, NULL, 0);
	r = run_cmd("$BOXOFFICE ticket assign %lld --name 'Gate Guest' --email gg@example.com --company 'Birch AB' && "
		    "$BOXOFFICE ticket assign %lld --name 'Manual Mia' --email mia@example.com", first, second);
	assert_int_equal(r.status, 0);
	run_free(&r);
	/* the assignment changed nothing for the first holder: token still good */
	snprintf(cmd, sizeof cmd, "BOXOFFICE_STATE=$BOXOFFICE_TEST_TMP/state $BOXOFFICE --station gate-a --screen checkin --event %lld; sleep 30",
		 event_id);
	tmux_start(&t, "checkin", 100, 30, cmd);
	assert_true(tmux_wait_for(&t, "checked in 0 / 2", 10000));
	/* A keyboard-wedge scanner types the token and Enter. */
	tmux_type(&t, token);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Gate Guest · Birch AB · Adult", 3000));
	assert_true(tmux_wait_for(&t, "checked in 1 / 2", 3000));
	/* The same badge again: rejected with the gate and the time. */
	tmux_type(&t, token);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "already checked in at", 3000));
	assert_true(tmux_wait_for(&t, "at gate gate-a", 1000));
	/* Someone without their code: F3, the name, Enter; a name nobody has
	 * says so (it was a blank list) */
	tmux_keys(&t, "F3");
	tmux_type(&t, "zqxw");
	assert_true(tmux_wait_for(&t, "Nobody found by that name or e-mail.", 3000));
	tmux_keys(&t, "BSpace BSpace BSpace BSpace");
	tmux_type(&t, "mia");
	assert_true(tmux_wait_for(&t, "Manual Mia", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "checked in 2 / 2", 3000));
	/* A scanner sending garbage gets a clear reject; the station goes on. */
	tmux_type(&t, "garbage-not-a-token");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "unknown code", 3000));
	tmux_stop(&t);
}

static void test_dashboard_and_organizations(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Supervisor"), "2035-01-01", 0);
	char cmd[512];
	struct run_result r;
	(void)state;

	make_type(event_id, "Terrace", 80, 5000, 1);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen dashboard --event %lld; sleep 30", event_id);
	tmux_start(&t, "dash", 100, 30, cmd);
	assert_true(tmux_wait_for(&t, "Terrace", 10000));
	/* A sale anywhere moves the totals without a key press. */
	r = run_cmd("$BOXOFFICE sell --event %lld --type Terrace --qty 5 --payment card", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	assert_true(tmux_wait_for(&t, "Paid 312.50", 3000));
	assert_true(tmux_wait_for(&t, "Tickets issued 5 ", 3000));
	/* The organizations screen is one key away from the menu. */
	tmux_keys(&t, "F2 7");
	assert_true(tmux_wait_for(&t, "VISIBILITY", 3000));
	assert_true(tmux_wait_for(&t, "No organizations for this event", 3000));
	tmux_stop(&t);
}


/* The per-type row of the check-in screen: "Name   in / total". Returns
 * how many rows name the type; *in and *total from the last one. */
static int type_rows_on_screen(const char *screen, const char *type, long long *in, long long *total)
{
	int rows = 0;
	for (const char *line = screen; line && *line;) {
		const char *end = strchr(line, '\n'), *p = line;
		while (*p == ' ')
			p++;
		if (strncmp(p, type, strlen(type)) == 0 && p[strlen(type)] == ' ' &&
		    sscanf(p + strlen(type), " %lld / %lld", in, total) == 2)
			rows++;
		line = end ? end + 1 : NULL;
	}
	return rows;
}

static long long checked_in_sql(PGconn *c, long long event_id, const char *type)
{
	char ev[24];
	const char *p[2] = { ev, type };
	snprintf(ev, sizeof ev, "%lld", event_id);
	return test_scalar(c, "SELECT count(*) FILTER (WHERE k.scans > 0) FROM ticket k JOIN ticket_type t "
			      "ON t.id = k.type_id WHERE t.event_id = $1 AND t.name = $2 AND k.status = 'valid'", 2, p);
}

/* Every per-type row appears once and equals the database. */
static bool counts_match_sql(struct tmux *t, long long event_id, const char *const *types, int timeout_ms)
{
	for (int waited = 0; waited <= timeout_ms; waited += 100) {
		PGconn *c = test_connect();
		char *screen = tmux_capture(t);
		bool all = true;
		for (int i = 0; types[i]; i++) {
			long long in = -1, total = -1;
			if (type_rows_on_screen(screen, types[i], &in, &total) != 1 ||
			    in != checked_in_sql(c, event_id, types[i]))
				all = false;
		}
		PQfinish(c);
		if (all) {
			free(screen);
			return true;
		}
		if (waited + 100 > timeout_ms)
			fprintf(stderr, "--- counts differ from SQL:\n%s---\n", screen);
		free(screen);
		usleep(100 * 1000);
	}
	return false;
}

/* Writes text straight to the pane's terminal, behind the program's back,
 * as a library printing to stderr would. */
static void scribble(struct tmux *t, const char *text)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "printf '%s' > \"$(tmux -L %s display -p -t %s '#{pane_tty}')\"", text, t->socket,
		 t->session);
	assert_int_equal(system(cmd), 0);
}

/* Tokens of an order's tickets, in ticket order. */
static int order_tokens(long long order, char tokens[][512], int max)
{
	struct run_result r = run_cmd("$BOXOFFICE ticket list --order %lld --json | python3 -c "
				      "'import json,sys; [print(t[\"token\"]) for t in json.load(sys.stdin)]'", order);
	int n = 0;
	char *save = NULL;
	assert_int_equal(r.status, 0);
	for (char *tok = strtok_r(r.out, "\n", &save); tok && n < max; tok = strtok_r(NULL, "\n", &save))
		snprintf(tokens[n++], 512, "%s", tok);
	run_free(&r);
	return n;
}

static long long sell_free(long long event_id, const char *type, int qty)
{
	struct run_result r = run_cmd("$BOXOFFICE sell --event %lld --type %s --qty %d --payment free", event_id, type, qty);
	long long id;
	assert_int_equal(r.status, 0);
	id = out_id(r.out);
	run_free(&r);
	return id;
}

static void gate_admit(const char *token)
{
	struct run_result r = run_cmd("BOXOFFICE_VAR=$BOXOFFICE_TEST_TMP/cli-gate $BOXOFFICE checkin --gate cli --token '%s'", token);
	assert_int_equal(r.status, 0);
	run_free(&r);
}

/* Issue 14: the database stops under an open check-in screen and comes
 * back. Nothing may write over the screen; the figures are read again and
 * equal the database; Ctrl-L repaints the whole terminal. */
static void test_checkin_screen_survives_database_restart(void **state)
{
	static const char *const types[] = { "Adult", "Child", "Group", NULL };
	struct tmux t;
	long long event_id = make_event(unique_name("Restart Night"), "2036-01-01", 0);
	long long child_order;
	char cmd[512], tokens[8][512], *screen;
	(void)state;

	make_type(event_id, "Adult", 50, 1000, 1);
	make_type(event_id, "Child", 50, 500, 1);
	make_type(event_id, "Group", 200, 5000, 10);
	sell_free(event_id, "Adult", 5);
	child_order = sell_free(event_id, "Child", 6);
	sell_free(event_id, "Group", 4);
	assert_int_equal(order_tokens(child_order, tokens, 8), 6);
	gate_admit(tokens[0]);

	snprintf(cmd, sizeof cmd, "BOXOFFICE_VAR=$BOXOFFICE_TEST_TMP/restart $BOXOFFICE --station gate-r "
		 "--screen checkin --event %lld; echo EXITED rc=$?; sleep 60", event_id);
	tmux_start(&t, "restart", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "checked in 1 / 15", 10000));
	assert_true(counts_match_sql(&t, event_id, types, 3000));

	/* The server goes away: its FATAL must not reach the terminal. */
	assert_int_equal(system("sh src/sh/pg.sh stop \"$PGHOST\" >/dev/null 2>&1"), 0);
	assert_true(tmux_wait_for(&t, " OFFLINE", 10000));
	assert_true(tmux_wait_for(&t, "unavailable", 3000));
	usleep(500 * 1000); /* whatever libpq would print has been printed by now */
	screen = tmux_capture(&t);
	{
		/* The server's words may be quoted on the status line (the one
		 * place the notice processor puts them); anywhere else they were
		 * written behind curses' back. */
		int line = 0;
		for (char *l = screen, *nl; l && *l; l = nl ? nl + 1 : NULL, line++) {
			nl = strchr(l, '\n');
			if (line == 22) /* 80×24: the status line */
				continue;
			if (nl)
				*nl = '\0';
			if (strstr(l, "FATAL") || strstr(l, "terminating connection"))
				fail_msg("libpq text on line %d: %s", line, l);
			if (nl)
				*nl = '\n';
		}
	}
	assert_int_equal(strncmp(screen, " boxoffice │ Check-in", strlen(" boxoffice │ Check-in")), 0);
	assert_non_null(strstr(screen, "F10Quit\n"));
	/* no stale figure is shown as if it were current */
	assert_null(strstr(screen, "checked in 1 / 15"));
	free(screen);

	/* Back: two more admits elsewhere while the screen reconnects. */
	assert_int_equal(system("PG_THROWAWAY=1 sh src/sh/pg.sh start \"$PGHOST\" boxoffice_test >/dev/null 2>&1"), 0);
	gate_admit(tokens[1]);
	gate_admit(tokens[2]);
	assert_true(tmux_wait_for(&t, "checked in 3 / 15", 40000));
	assert_true(counts_match_sql(&t, event_id, types, 3000));
	screen = tmux_capture(&t);
	assert_int_equal(strncmp(screen, " boxoffice │ Check-in", strlen(" boxoffice │ Check-in")), 0);
	free(screen);

	/* Something scribbles on the terminal: Ctrl-L paints it all again. */
	scribble(&t, "\\r\\nSCRIBBLE-ONE\\r\\n\\r\\n");
	assert_true(tmux_wait_for(&t, "SCRIBBLE-ONE", 3000));
	tmux_keys(&t, "C-l");
	assert_true(tmux_wait_gone(&t, "SCRIBBLE-ONE", 3000));
	screen = tmux_capture(&t);
	assert_int_equal(strncmp(screen, " boxoffice │ Check-in", strlen(" boxoffice │ Check-in")), 0);
	free(screen);
	assert_true(counts_match_sql(&t, event_id, types, 3000));
	/* F5 reads again and repaints too. */
	scribble(&t, "\\r\\nSCRIBBLE-TWO\\r\\n");
	assert_true(tmux_wait_for(&t, "SCRIBBLE-TWO", 3000));
	tmux_keys(&t, "F5");
	assert_true(tmux_wait_gone(&t, "SCRIBBLE-TWO", 3000));
	tmux_keys(&t, "F10 y");
	assert_true(tmux_wait_for(&t, "EXITED rc=0", 5000));
	tmux_stop(&t);
}

/* Issue 15: typed characters are shown; Backspace edits what will be
 * scanned, Esc clears it, and a partial code left idle is dropped. */
static void test_checkin_input_line(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Input Night"), "2037-01-01", 0);
	long long order;
	char cmd[512], tokens[4][512], *screen;
	(void)state;

	make_type(event_id, "Adult", 10, 1000, 1);
	order = sell_free(event_id, "Adult", 4);
	assert_int_equal(order_tokens(order, tokens, 4), 4);
	snprintf(cmd, sizeof cmd, "BOXOFFICE_VAR=$BOXOFFICE_TEST_TMP/input $BOXOFFICE --station gate-i "
		 "--screen checkin --event %lld; sleep 60", event_id);
	tmux_start(&t, "input", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "checked in 0 / 4", 10000));
	assert_true(tmux_wait_for(&t, "Esc clears", 1000));

	/* Stray keys show on the input line; Backspace takes them back. */
	tmux_type(&t, "XYZ");
	assert_true(tmux_wait_for(&t, "Code ▸ XYZ_", 3000));
	tmux_keys(&t, "BSpace");
	assert_true(tmux_wait_for(&t, "Code ▸ XY_", 3000));
	tmux_keys(&t, "BSpace BSpace");
	assert_true(tmux_wait_gone(&t, "Code ▸ X", 3000));
	tmux_type(&t, tokens[0]);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "checked in 1 / 4", 3000));
	screen = tmux_capture(&t);
	assert_null(strstr(screen, "unknown code"));
	free(screen);

	/* Esc clears what was typed (and does not leave the screen). */
	tmux_type(&t, "ABC");
	assert_true(tmux_wait_for(&t, "Code ▸ ABC_", 3000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_gone(&t, "Code ▸ ABC", 3000));
	assert_true(tmux_wait_for(&t, "checked in 1 / 4", 1000));
	tmux_type(&t, tokens[1]);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "checked in 2 / 4", 3000));

	/* A stray key nobody notices is dropped after 2 s without a key. */
	tmux_type(&t, "Q");
	assert_true(tmux_wait_for(&t, "Code ▸ Q_", 3000));
	assert_true(tmux_wait_gone(&t, "Code ▸ Q", 5000));
	assert_true(tmux_wait_for(&t, "dropped 1 stray character", 1000));
	tmux_type(&t, tokens[2]);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "checked in 3 / 4", 3000));
	screen = tmux_capture(&t);
	assert_null(strstr(screen, "unknown code"));
	free(screen);

	/* Ctrl-S (XOFF) does not freeze the station: the next scan admits */
	{
		char hex[256];
		snprintf(hex, sizeof hex, "tmux -L %s send-keys -t %s -H 13", t.socket, t.session);
		assert_int_equal(system(hex), 0);
	}
	tmux_keys(&t, "Escape");
	tmux_type(&t, tokens[3]);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "checked in 4 / 4", 3000));
	tmux_stop(&t);
}

/* Issue 16: Enter twice in the new-order form makes one order; so does a
 * double Enter in the counter sale. */
static void test_forms_create_once(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Twice Gala"), "2038-01-01", 0);
	char cmd[512], ev[24];
	const char *p[1] = { ev };
	PGconn *c = test_connect();
	bool refused;
	(void)state;

	snprintf(ev, sizeof ev, "%lld", event_id);
	make_type(event_id, "Adult", 100, 1000, 1);
	sell_free(event_id, "Adult", 1); /* the list is not empty */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen orders --event %lld; sleep 60", event_id);
	tmux_start(&t, "twice", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "walk-in", 10000));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_for(&t, "New ticket order", 3000));
	/* the types are a read of their own: Tab goes round fewer fields
	 * until they are there */
	assert_true(tmux_wait_for(&t, " × ", 5000));
	tmux_type(&t, "Twice AB");
	tmux_keys(&t, "Tab Tab Tab Tab BSpace 2");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "created", 3000));
	tmux_keys(&t, "Enter");
	refused = tmux_wait_for(&t, "Company is required", 3000);
	assert_int_equal(test_scalar(c, "SELECT count(*) FROM ticket_order WHERE event_id = $1 AND company = 'Twice AB'",
				     1, p), 1);
	assert_true(refused);
	tmux_stop(&t);

	/* The counter sale: Enter shows what will be charged and sells
	 * nothing; Enter again sells; the next Enter starts another sale. */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen inventory --event %lld; sleep 60", event_id);
	tmux_start(&t, "sale", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Adult", 10000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Sell Adult", 3000));
	tmux_keys(&t, "BSpace 3 Tab Tab");
	tmux_type(&t, "Counter Once");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Sell 3 × Adult", 3000));
	assert_true(tmux_wait_for(&t, "incl. VAT?", 1000));
	assert_int_equal(test_scalar(c, "SELECT count(*) FROM ticket_order WHERE event_id = $1 AND company = 'Counter Once'",
				     1, p), 0);
	tmux_keys(&t, "Enter");
	/* The sale's answer stays on the status line; the next Enter (once
	 * the answer is there: before, it is refused) starts another sale. */
	assert_true(tmux_wait_for(&t, "Order #", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Tab/arrows move", 3000));
	assert_int_equal(test_scalar(c, "SELECT count(*) FROM ticket_order WHERE event_id = $1 AND company = 'Counter Once'",
				     1, p), 1);
	tmux_stop(&t);
	PQfinish(c);
}

/* The orders list pages by the rows it has: after the terminal grows, the
 * framework's layout says so, the page is read again at the new height,
 * and PgDn moves by the new page size. */
static bool screen_has(struct tmux *t, const char *text)
{
	char *screen = tmux_capture(t);
	bool has = strstr(screen, text) != NULL;
	free(screen);
	return has;
}

static void test_orders_pages_by_its_rows_after_a_resize(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Paging Gala"), "2039-01-01", 0);
	char cmd[512];
	struct run_result r;
	(void)state;

	make_type(event_id, "Adult", 500, 1000, 1);
	/* newest first: Page 80 on top */
	r = run_cmd("for i in $(seq -w 1 80); do $BOXOFFICE sell --event %lld --type Adult --qty 1 --payment free "
		    "--company \"Page $i\" >/dev/null || exit 1; done", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen orders --event %lld; sleep 60", event_id);
	/* 30 lines: 27 for the screen, 9 for filters and grid, a header: 17 rows */
	tmux_start(&t, "paging", 100, 30, cmd);
	assert_true(tmux_wait_for(&t, "Page 64", 10000));
	assert_true(screen_has(&t, "Page 80"));
	assert_false(screen_has(&t, "Page 63"));
	tmux_keys(&t, "NPage");
	assert_true(tmux_wait_for(&t, "Page 47", 3000));
	assert_true(screen_has(&t, "Page 63"));
	assert_false(screen_has(&t, "Page 46"));
	/* 40 lines: 27 rows, read again from the first row shown */
	snprintf(cmd, sizeof cmd, "tmux -L %s resize-window -t %s -x 100 -y 40", t.socket, t.session);
	assert_int_equal(system(cmd), 0);
	assert_true(tmux_wait_for(&t, "Page 37", 3000));
	assert_true(screen_has(&t, "Page 63"));
	assert_false(screen_has(&t, "Page 36"));
	tmux_keys(&t, "NPage");
	assert_true(tmux_wait_for(&t, "Page 10", 3000));
	assert_true(screen_has(&t, "Page 36"));
	assert_false(screen_has(&t, "Page 37"));
	assert_false(screen_has(&t, "Page 09"));
	/* and back to 30 lines: 17 rows from the first row shown */
	snprintf(cmd, sizeof cmd, "tmux -L %s resize-window -t %s -x 100 -y 30", t.socket, t.session);
	assert_int_equal(system(cmd), 0);
	assert_true(tmux_wait_gone(&t, "Page 19", 3000));
	assert_true(screen_has(&t, "Page 36"));
	assert_true(screen_has(&t, "Page 20"));
	tmux_keys(&t, "NPage");
	assert_true(tmux_wait_for(&t, "Page 03", 5000));
	assert_true(screen_has(&t, "Page 19"));
	/* PgDn pressed while a filter's first page is still being read is
	 * not lost: it moves on from that page once it is there */
	tmux_keys(&t, "/");
	assert_true(tmux_wait_for(&t, "EnterList", 3000));
	tmux_keys(&t, "P Enter NPage");
	assert_true(tmux_wait_for(&t, "Page 47", 5000));
	assert_true(screen_has(&t, "Page 63"));
	assert_false(screen_has(&t, "Page 64"));
	/* End then PgDn pressed while it is read: the last page (PgDn past
	 * it is nothing), not the second */
	tmux_keys(&t, "/");
	assert_true(tmux_wait_for(&t, "EnterList", 3000));
	tmux_keys(&t, "a Enter End NPage");
	assert_true(tmux_wait_for(&t, "Page 01", 5000));
	assert_true(screen_has(&t, "Page 17"));
	assert_false(screen_has(&t, "Page 18"));
	/* PgDn PgDn PgUp: one page on from the first, not the first */
	tmux_keys(&t, "/");
	assert_true(tmux_wait_for(&t, "EnterList", 3000));
	tmux_keys(&t, "g Enter NPage NPage PPage");
	assert_true(tmux_wait_for(&t, "Page 47", 5000));
	assert_true(screen_has(&t, "Page 63"));
	assert_false(screen_has(&t, "Page 64"));
	/* a PgDn pressed for a filter that is then changed is dropped: the
	 * new filter's list starts at its first page */
	tmux_keys(&t, "/");
	assert_true(tmux_wait_for(&t, "EnterList", 3000));
	tmux_keys(&t, "a Enter NPage / BSpace Enter");
	assert_true(tmux_wait_for(&t, "Page 80", 5000));
	usleep(700 * 1000);
	assert_true(screen_has(&t, "Page 80"));
	assert_false(screen_has(&t, "Page 63"));
	tmux_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tui_opens_navigates_and_quits),
		cmocka_unit_test(test_tui_offline_then_online),
		cmocka_unit_test(test_two_stations_see_a_sale_live),
		cmocka_unit_test(test_inventory_shows_types_added_and_deleted_elsewhere),
		cmocka_unit_test(test_orders_screen_filters_and_live),
		cmocka_unit_test(test_orders_pages_by_its_rows_after_a_resize),
		cmocka_unit_test(test_assign_three_tickets_to_three_people),
		cmocka_unit_test(test_mytickets_reissues_a_lost_ticket),
		cmocka_unit_test(test_mytickets_reissue_on_a_lost_answer_is_not_confirmed),
		cmocka_unit_test(test_order_detail_columns_with_non_ascii_names),
		cmocka_unit_test(test_checkin_screen),
		cmocka_unit_test(test_dashboard_and_organizations),
		cmocka_unit_test(test_modal_states_pass_function_keys),
		cmocka_unit_test(test_checkin_screen_survives_database_restart),
		cmocka_unit_test(test_checkin_input_line),
		cmocka_unit_test(test_forms_create_once),
	};
	struct run_result r = run_cmd("$BOXOFFICE migrate");
	run_free(&r);
	/* TUI_TEST=test_checkin* runs only the matching tests. */
	if (getenv("TUI_TEST") && *getenv("TUI_TEST"))
		cmocka_set_test_filter(getenv("TUI_TEST"));
	return cmocka_run_group_tests_name("tui", tests, NULL, NULL);
}

/* Event organizations (issue 18, db/050): packages whose sponsored order is
 * exactly their entitlement and lands in the orders summary under
 * Sponsored; a shortage refuses it whole; an entitlement cannot go below
 * what was ordered; booths once per event; company names unique ignoring
 * case, accents and spacing, duplicates merged with their orders and
 * persons; two stations editing the same organization, the second refused,
 * and the edit form then saying what the other station changed. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/core/order.h"
#include "../src/core/order_filter.h"
#include "../src/db/orders.h"
#include "helpers.h"
#include "tmux.h"

static PGconn *conn;
static struct db *db;

static int setup(void **state)
{
	(void)state;
	conn = test_migrate_connect();
	db = db_new(NULL, "orgs-test");
	return db_connect(db) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	db_free(db);
	PQfinish(conn);
	return 0;
}

static long long org_add(long long ev, const char *name, const char *more)
{
	json_t *doc = cli_json("$BOXOFFICE org add --event %lld --name '%s' %s --json", ev, name, more);
	long long id = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	assert_true(id > 0);
	return id;
}

/* The command must fail with exit 1 and say why (in stderr). */
static void refused(const char *why, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void refused(const char *why, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	struct run_result r;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	r = run_cmd("%s", cmd);
	if (r.status != 1 || !strstr(r.err, why))
		fprintf(stderr, "%s: exit %d, %s%s", cmd, r.status, r.out, r.err);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, why));
	run_free(&r);
}

/* The Organizations screen on event ev at 80x24, once it shows shown. */
static void open_organizations(struct tmux *t, const char *session, long long ev, const char *shown)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen organizations --event %lld; sleep 30", ev);
	tmux_start(t, session, 80, 24, cmd);
	assert_true(tmux_wait_for(t, shown, 10000));
}

/* The screen's rows as one line (each line break and the indent after it
 * a space): a message wrapped over rows reads as the sentence it is. */
static char *one_line(const char *screen)
{
	char *out = malloc(strlen(screen) + 1), *o = out;
	assert_non_null(out);
	for (const char *p = screen; *p; p++) {
		if (*p != '\n') {
			*o++ = *p;
			continue;
		}
		*o++ = ' ';
		while (p[1] == ' ')
			p++;
	}
	*o = '\0';
	return out;
}

static void test_package_order_is_the_entitlement(void **state)
{
	long long ev = make_event(unique_name("OrgPkg"), "2042-03-01", 0), eo, eo2;
	struct order_filter f;
	struct order_summary s;
	json_t *doc, *ent;
	(void)state;

	make_type(ev, "Adult", 12, 39900, 1);
	make_type(ev, "Staff", 100, 0, 1);
	json_decref(cli_json("$BOXOFFICE org package --event %lld --name Gold --items Adult:10,Staff:2 "
			     "--booth-size 3x3 --json", ev));
	eo = org_add(ev, "Gold Sponsor AB", "--relationship sponsor");
	json_decref(cli_json("$BOXOFFICE org package %lld --give gold --json", eo));
	doc = cli_json("$BOXOFFICE org order %lld --json", eo);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "settled");
	json_decref(doc);

	/* settled sponsored tickets, exactly the entitlement */
	order_filter_reset(&f);
	f.event_id = ev;
	assert_true(db_order_summary(db, &f, &s));
	assert_int_equal(s.cell[ORDER_SETTLED][PAY_SPONSORED].orders, 1);
	assert_int_equal(s.cell[ORDER_SETTLED][PAY_SPONSORED].tickets, 12);
	assert_int_equal(s.cell[ORDER_SETTLED][PAY_SPONSORED].amount, 0);
	doc = cli_json("$BOXOFFICE org show %lld --json", eo);
	ent = json_object_get(doc, "entitlements");
	assert_int_equal(json_array_size(ent), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ent, 0), "entitled")), 10);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(ent, 0), "ordered")), 10);
	json_decref(doc);
	{
		/* without --json: the same in words, a line per type */
		struct run_result r = run_cmd("$BOXOFFICE org show %lld", eo);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "Gold Sponsor AB (event organization "));
		assert_non_null(strstr(r.out, "relationship sponsor"));
		assert_non_null(strstr(r.out, "package Gold"));
		assert_non_null(strstr(r.out, "ENTITLED  ORDERED ASSIGNED CHECKED IN"));
		assert_non_null(strstr(r.out, "Adult                          10       10        0          0"));
		assert_null(strstr(r.out, "{"));
		run_free(&r);
		r = run_cmd("$BOXOFFICE org show 999999999");
		assert_int_equal(r.status, 1);
		assert_non_null(strstr(r.err, "event organization 999999999 does not exist"));
		run_free(&r);
		r = run_cmd("$BOXOFFICE org show 999999999 --json");
		assert_int_equal(r.status, 1);
		assert_string_equal(r.out, "");
		run_free(&r);
	}

	/* again: nothing left to order */
	refused("whole entitlement", "$BOXOFFICE org order %lld --json", eo);
	/* lowered below what was ordered: refused with why */
	refused("below the 10", "$BOXOFFICE org package --event %lld --name Gold --items Adult:5,Staff:2", ev);

	/* a second Gold: only 2 Adult seats left; refused whole, nothing made */
	eo2 = org_add(ev, "Silver Partner Oy", "--relationship partner");
	/* a package that is none: refused naming the event and its packages */
	refused("no package \"Platinum\" in OrgPkg", "$BOXOFFICE org package %lld --give Platinum", eo2);
	refused("its packages are Gold", "$BOXOFFICE org package %lld --give Platinum", eo2);
	json_decref(cli_json("$BOXOFFICE org package %lld --give Gold --json", eo2));
	refused("not enough seats for the package (Adult: 10 wanted, 2 left)", "$BOXOFFICE org order %lld --json", eo2);
	assert_true(db_order_summary(db, &f, &s));
	assert_int_equal(s.cell[ORDER_SETTLED][PAY_SPONSORED].orders, 1);
	assert_int_equal(s.by_status[ORDER_REQUESTED].orders, 0);
	/* at 80 columns the entitlement column gives way: the chosen
	 * organization's is said in words under the list */
	{
		struct tmux t;
		open_organizations(&t, "orgsent", ev, "Gold: entitled 12 · ordered 12 · assigned 0 · checked in 0");
		tmux_keys(&t, "Down");
		assert_true(tmux_wait_for(&t, "Gold: entitled 12 · ordered 0 · assigned 0 · checked in 0", 5000));
		/* an assignment elsewhere shows without F5 (read again once quiet) */
		tmux_keys(&t, "Up");
		assert_true(tmux_wait_for(&t, "Gold: entitled 12 · ordered 12 · assigned 0", 3000));
		{
			char eos[24];
			long long ticket;
			snprintf(eos, sizeof eos, "%lld", eo);
			ticket = test_scalar(conn, "SELECT min(t.id) FROM ticket t JOIN ticket_order o ON o.id = t.order_id "
						   "WHERE o.event_org_id = $1", 1, (const char *[]){ eos });
			assert_true(ticket > 0);
			json_decref(cli_json("$BOXOFFICE ticket assign %lld --name 'Gil Gold' --email gil@example.com",
					     ticket));
		}
		assert_true(tmux_wait_for(&t, "Gold: entitled 12 · ordered 12 · assigned 1 · checked in 0", 6000));
		/* a plain gate's check-in shows too (db/067), without F5 */
		{
			char eos[24], token[512];
			long long order;
			struct run_result r;
			snprintf(eos, sizeof eos, "%lld", eo);
			order = test_scalar(conn, "SELECT min(id) FROM ticket_order WHERE event_org_id = $1", 1,
					    (const char *[]){ eos });
			order_ticket(order, 0, token, sizeof token);
			/* base45 holds no ' */
			r = run_cmd("printf '%%s\\n' '%s' | $BOXOFFICE checkin --gate org-door", token);
			assert_int_equal(r.status, 0);
			run_free(&r);
		}
		assert_true(tmux_wait_for(&t, "Gold: entitled 12 · ordered 12 · assigned 1 · checked in 1", 6000));
		/* undone, it is not checked in (as on the check-in screens); on a
		 * check-in list it is again */
		{
			char eos[24];
			long long ticket;
			struct run_result r;
			snprintf(eos, sizeof eos, "%lld", eo);
			ticket = test_scalar(conn, "SELECT min(k.id) FROM ticket k JOIN ticket_order o ON o.id = k.order_id "
						   "WHERE o.event_org_id = $1 AND k.scans > 0", 1, (const char *[]){ eos });
			r = run_cmd("$BOXOFFICE checkin undo %lld --reason 'wrong person'", ticket);
			assert_int_equal(r.status, 0);
			run_free(&r);
			assert_true(tmux_wait_for(&t, "assigned 1 · checked in 0", 6000));
			r = run_cmd("$BOXOFFICE list add --event %lld --name Main", ev);
			assert_int_equal(r.status, 0);
			run_free(&r);
			r = run_cmd("$BOXOFFICE ticket list --order %lld --json | python3 -c "
				    "'import json,sys; print([t for t in json.load(sys.stdin) if t[\"id\"] == %lld][0][\"token\"])' | "
				    "$BOXOFFICE checkin --gate org-hall --event %lld --list Main",
				    test_scalar(conn, "SELECT order_id FROM ticket WHERE id = $1", 1,
						(const char *[]){ (snprintf(eos, sizeof eos, "%lld", ticket), eos) }),
				    ticket, ev);
			assert_int_equal(r.status, 0);
			run_free(&r);
		}
		assert_true(tmux_wait_for(&t, "assigned 1 · checked in 1", 6000));
		tmux_stop(&t);
	}
}

static void test_booths_once_per_event(void **state)
{
	long long ev = make_event(unique_name("OrgBooth"), "2042-03-02", 0), a;
	json_t *plan;
	(void)state;

	json_decref(cli_json("$BOXOFFICE org booths --event %lld --add B12 --size 3x3 --json", ev));
	json_decref(cli_json("$BOXOFFICE org booths --event %lld --add B13 --json", ev));
	a = org_add(ev, "Booth One", "--booth B12");
	refused("given to \"Booth One\"", "$BOXOFFICE org add --event %lld --name 'Booth Two' --booth b12", ev);
	plan = cli_json("$BOXOFFICE org booths --event %lld --json", ev);
	assert_string_equal(json_string_value(json_object_get(json_array_get(plan, 0), "organization")), "Booth One");
	assert_true(json_is_null(json_object_get(json_array_get(plan, 1), "organization")));
	json_decref(plan);
	/* archived, the booth is free again */
	json_decref(cli_json("$BOXOFFICE org archive %lld --json", a));
	org_add(ev, "Booth Two", "--booth B12");
	/* a booth longer than its column is cut with "…", in the table and on
	 * the screen at 80 columns: never a whole-looking "Hall C-114" */
	refused("it has none yet", "$BOXOFFICE org package %lld --give Gold",
		org_add(ev, "Long Booth Holder", "--booth 'Hall C-114 North Wing'"));
	org_add(ev, "\xc3\x85sa \xc3\x96" "berg Design", "--category Furniture");
	/* --search: name, booth or category; case, accents and spacing forgiven */
	{
		static const char *const finds[][2] = {
			{ "hall  c-114 north", "Long Booth Holder" },
			{ "asa oberg", "\xc3\x85sa \xc3\x96" "berg Design" },
			{ "FURNI", "\xc3\x85sa \xc3\x96" "berg Design" },
		};
		for (size_t k = 0; k < sizeof finds / sizeof finds[0]; k++) {
			json_t *found = cli_json("$BOXOFFICE org list --event %lld --search '%s' --json", ev, finds[k][0]);
			assert_int_equal(json_array_size(found), 1);
			assert_string_equal(json_string_value(json_object_get(json_array_get(found, 0), "organization")),
					    finds[k][1]);
			json_decref(found);
		}
	}
	{
		struct run_result r = run_cmd("$BOXOFFICE org list --event %lld", ev);
		struct tmux t;
		int row;
		char *screen;
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "Hall C-114 \u2026"));
		assert_null(strstr(r.out, "Hall C-114 N"));
		run_free(&r);
		open_organizations(&t, "longbooth", ev, "Long Booth Holder");
		row = tmux_row_of(&t, "Long Booth Holder");
		screen = tmux_capture(&t);
		assert_true(row >= 0);
		{
			const char *line = screen;
			for (int i = 0; i < row; i++)
				line = strchr(line, '\n') + 1;
			assert_true(strstr(line, "\u2026") && strstr(line, "\u2026") < strchr(line, '\n'));
			assert_false(strstr(line, "Hall C-114 North") && strstr(line, "Hall C-114 North") < strchr(line, '\n'));
		}
		free(screen);
		tmux_stop(&t);
	}
}

/* An archived organization can be found (org list --archived) and brought
 * back (org restore) with its package and orders; its booth too, unless
 * another organization has it now: then it comes back without one and
 * the answer says which booth went. */
static void test_archived_found_and_restored(void **state)
{
	long long ev = make_event(unique_name("OrgRestore"), "2042-03-04", 0), a, b;
	json_t *doc;
	struct run_result r;
	char line[96];
	(void)state;

	a = org_add(ev, "Comeback Sponsor", "--relationship sponsor --booth C1");
	b = org_add(ev, "Stays Away", "--relationship partner --booth C2");
	json_decref(cli_json("$BOXOFFICE org archive %lld --json", a));
	json_decref(cli_json("$BOXOFFICE org archive %lld --json", b));
	/* gone from the list, found among the archived, with its company id */
	doc = cli_json("$BOXOFFICE org list --event %lld --json", ev);
	assert_int_equal(json_array_size(doc), 0);
	json_decref(doc);
	doc = cli_json("$BOXOFFICE org list --event %lld --archived --json", ev);
	assert_int_equal(json_array_size(doc), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *row = json_array_get(doc, i);
		long long id = json_integer_value(json_object_get(row, "id"));
		assert_true(id == a || id == b);
		assert_string_equal(json_string_value(json_object_get(row, "booth")), id == a ? "C1" : "C2");
		assert_true(json_integer_value(json_object_get(row, "company_id")) > 0);
	}
	json_decref(doc);
	/* its filters apply; those an archived one has not are refused */
	doc = cli_json("$BOXOFFICE org list --event %lld --archived --relationship partner --json", ev);
	assert_int_equal(json_array_size(doc), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(doc, 0), "id")), b);
	json_decref(doc);
	doc = cli_json("$BOXOFFICE org list --event %lld --archived --search 'c1' --json", ev);
	assert_int_equal(json_array_size(doc), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(doc, 0), "id")), a);
	json_decref(doc);
	r = run_cmd("$BOXOFFICE org list --event %lld --relationship sponsr", ev);
	assert_int_equal(r.status, 2); /* a typo is no empty list */
	assert_non_null(strstr(r.err, "--relationship sponsr is not one of its values (sponsor, partner"));
	run_free(&r);
	r = run_cmd("$BOXOFFICE org list --event %lld --archived --visibility public", ev);
	assert_int_equal(r.status, 2);
	assert_non_null(strstr(r.err, "--archived takes --search and --relationship only"));
	run_free(&r);
	r = run_cmd("$BOXOFFICE org list --event %lld --archived", ev);
	assert_int_equal(r.status, 0);
	snprintf(line, sizeof line, "%6lld ", a);
	assert_non_null(strstr(r.out, line));
	assert_non_null(strstr(r.out, "Comeback Sponsor"));
	assert_non_null(strstr(r.out, "org restore ID"));
	run_free(&r);
	/* adding it again is refused as archived, saying how to bring it back;
	 * restoring brings it back, booth and all */
	refused("is archived in event", "$BOXOFFICE org add --event %lld --name 'Comeback Sponsor'", ev);
	refused("or boxoffice org restore", "$BOXOFFICE org add --event %lld --name 'comeback  SPONSOR'", ev);
	doc = cli_json("$BOXOFFICE org restore %lld --json", a);
	assert_false(json_is_true(json_object_get(doc, "archived")));
	assert_string_equal(json_string_value(json_object_get(doc, "booth")), "C1");
	assert_true(json_is_null(json_object_get(doc, "booth_lost")));
	json_decref(doc);
	doc = cli_json("$BOXOFFICE org list --event %lld --json", ev);
	assert_int_equal(json_array_size(doc), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(doc, 0), "id")), a);
	json_decref(doc);
	refused("is not archived", "$BOXOFFICE org restore %lld", a);
	refused("does not exist", "$BOXOFFICE org restore 999999999");
	/* its booth was given away meanwhile: back without it, and told so */
	org_add(ev, "Took The Booth", "--booth c2");
	doc = cli_json("$BOXOFFICE org restore %lld --json", b);
	assert_string_equal(json_string_value(json_object_get(doc, "booth")), "");
	assert_string_equal(json_string_value(json_object_get(doc, "booth_lost")), "C2");
	json_decref(doc);
	{
		char ids[24];
		snprintf(ids, sizeof ids, "%lld", b);
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM change_log WHERE entity = 'event_organization' "
						   "AND entity_id = $1 AND action = 'restored' AND reason LIKE '%booth \"C2\"%'",
					     1, (const char *[]){ ids }),
				 1);
	}
}

/* n organizations named "Many EV 001" … of event ev, made by the calls
 * `org add` makes (one statement: hundreds through the CLI take minutes
 * on a loaded machine); their names in the list's order into names. */
static json_t *many_orgs(long long ev, int n)
{
	char sql[300];
	json_t *list;
	snprintf(sql, sizeof sql, "SELECT count(org_add(%lld, 'Many %lld ' || lpad(g::text, 3, '0'), '{}')) "
		 "FROM generate_series(1, %d) g", ev, ev, n);
	PQclear(test_query(conn, sql, 0, NULL));
	list = cli_json("$BOXOFFICE org list --event %lld --json", ev);
	assert_int_equal(json_array_size(list), n);
	return list;
}

/* More organizations than the screen's table held (200, the rest left
 * out without a word): the count says all, End reaches the last, and
 * the search finds one past the 200th. */
static void test_screen_lists_every_organization(void **state)
{
	long long ev = make_event(unique_name("OrgMany"), "2042-03-20", 0);
	json_t *list = many_orgs(ev, 230);
	char last[64], found[64];
	struct tmux t;
	(void)state;

	snprintf(last, sizeof last, "%s", json_string_value(json_object_get(json_array_get(list, 229), "organization")));
	snprintf(found, sizeof found, "Many %lld 227", ev);
	json_decref(list);
	open_organizations(&t, "orgmany", ev, "230 organizations");
	assert_int_equal(tmux_row_of(&t, last), -1);
	tmux_keys(&t, "End");
	assert_true(tmux_wait_for(&t, last, 3000));
	assert_int_equal(tmux_row_of(&t, "Showing the first"), -1); /* nothing left out */
	/* the filter pane searches every one */
	tmux_keys(&t, "Tab");
	tmux_type(&t, found);
	assert_true(tmux_wait_for(&t, "1 of 230", 3000));
	assert_true(tmux_wait_for(&t, found, 1000));
	tmux_stop(&t);
}

/* More archived organizations than the screen's table held (500): End
 * reaches the oldest. */
static void test_screen_lists_every_archived(void **state)
{
	long long ev = make_event(unique_name("OrgManyGone"), "2042-03-21", 0);
	json_t *list = many_orgs(ev, 520);
	char sql[300], first[64], last[64];
	struct tmux t;
	(void)state;

	json_decref(list);
	/* one at a time, so the oldest is the first made */
	snprintf(sql, sizeof sql, "SELECT id FROM event_organization WHERE event_id = %lld ORDER BY id", ev);
	{
		PGresult *ids = test_query(conn, sql, 0, NULL);
		for (int i = 0; i < PQntuples(ids); i++) {
			const char *p[1] = { PQgetvalue(ids, i, 0) };
			PQclear(test_query(conn, "SELECT org_archive($1::bigint, NULL)", 1, p));
		}
		PQclear(ids);
	}
	list = cli_json("$BOXOFFICE org list --event %lld --archived --json", ev);
	assert_int_equal(json_array_size(list), 520);
	snprintf(first, sizeof first, "%s", json_string_value(json_object_get(json_array_get(list, 0), "organization")));
	snprintf(last, sizeof last, "%s", json_string_value(json_object_get(json_array_get(list, 519), "organization")));
	json_decref(list);
	open_organizations(&t, "orgmanygone", ev, "organizations of this event are archived");
	tmux_keys(&t, "v");
	assert_true(tmux_wait_for(&t, first, 5000));
	assert_int_equal(tmux_row_of(&t, last), -1);
	tmux_keys(&t, "End");
	assert_true(tmux_wait_for(&t, last, 3000));
	assert_int_equal(tmux_row_of(&t, "Showing the newest"), -1); /* nothing left out */
	/* and the list they left counts them all (it counted up to 200) */
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "All 520 organizations of this event are archived", 5000));
	tmux_stop(&t);
}

/* v on Organizations lists the archived ones; u asks, n keeps it
 * archived, y brings it back, said in words when its booth went to
 * another meanwhile; Esc returns to the list, where it is again. */
static void test_screen_archived_and_restore(void **state)
{
	long long ev = make_event(unique_name("OrgBack"), "2042-03-11", 0), a, b;
	struct tmux t;
	(void)state;

	a = org_add(ev, "Rho Returns", "--relationship sponsor --booth R1");
	b = org_add(ev, "Sigma Lost Booth", "--relationship partner --booth R2");
	json_decref(cli_json("$BOXOFFICE org archive %lld --json", a));
	json_decref(cli_json("$BOXOFFICE org archive %lld --json", b));
	org_add(ev, "Tau Took It", "--booth r2");
	open_organizations(&t, "orgback", ev, "Tau Took It");
	assert_int_equal(tmux_row_of(&t, "Rho Returns"), -1);
	tmux_keys(&t, "v");
	assert_true(tmux_wait_for(&t, "Organizations archived from this event", 5000));
	assert_true(tmux_wait_for(&t, "Rho Returns", 5000));
	assert_true(tmux_wait_for(&t, "Sigma Lost Booth", 1000));
	assert_true(tmux_wait_for(&t, "uRestore", 1000));
	/* the newest archived first: Sigma; Down to Rho */
	tmux_keys(&t, "Down u");
	assert_true(tmux_wait_for(&t, "Restore Rho Returns? y/n", 3000));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_for(&t, "Rho Returns stays archived", 3000));
	tmux_keys(&t, "u");
	assert_true(tmux_wait_for(&t, "Restore Rho Returns? y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "Rho Returns restored", 5000));
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM event_organization WHERE id = $1 "
				   "AND archived_at IS NULL AND booth = 'R1'", a),
			 1);
	/* its booth went meanwhile: back without it, and told so */
	tmux_keys(&t, "Home u");
	assert_true(tmux_wait_for(&t, "Restore Sigma Lost Booth? y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "without booth R2", 5000));
	assert_true(tmux_wait_for(&t, "No archived organizations in this event", 5000));
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM event_organization WHERE id = $1 "
				   "AND archived_at IS NULL AND booth = ''", b),
			 1);
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Rho Returns", 5000));
	assert_true(tmux_wait_for(&t, "Sigma Lost Booth", 5000));
	tmux_stop(&t);
}

/* An event whose organizations were all archived is not an event
 * without any: the list says where they went, on the screen and in the
 * CLI, and the count follows an archive made elsewhere. */
static void test_all_archived_is_not_none_yet(void **state)
{
	long long ev = make_event(unique_name("OrgAllGone"), "2042-03-12", 0), a, b;
	struct tmux t;
	struct run_result r;
	(void)state;

	a = org_add(ev, "Upsilon Gone", "--relationship sponsor");
	b = org_add(ev, "Phi Gone Too", "--relationship partner");
	json_decref(cli_json("$BOXOFFICE org archive %lld --json", a));
	r = run_cmd("$BOXOFFICE org list --event %lld --search upsilon", ev);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "No organization in this event matches."));
	run_free(&r);
	open_organizations(&t, "orgallgone", ev, "Phi Gone Too");
	json_decref(cli_json("$BOXOFFICE org archive %lld --json", b));
	assert_true(tmux_wait_for(&t, "All 2 organizations of this event are archived: v shows them", 5000));
	assert_int_equal(tmux_row_of(&t, "add the first one"), -1);
	r = run_cmd("$BOXOFFICE org list --event %lld", ev);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out, "All 2 organizations of this event are archived: boxoffice org list --event"));
	assert_null(strstr(r.out, "yet"));
	run_free(&r);
	tmux_keys(&t, "v");
	assert_true(tmux_wait_for(&t, "Upsilon Gone", 5000));
	tmux_stop(&t);
}

/* Two wants of one booth at the same moment: a restore waiting on an
 * edit that gives its booth away comes back without it and says so,
 * never a raw duplicate-key error with the organization left archived.
 * And a merge into a company archived where the duplicate is live is
 * refused (it used to hide the live one behind the archived one). */
static void test_restore_races_and_archived_merge(void **state)
{
	long long ev = make_event(unique_name("OrgRace"), "2042-03-12", 0), a, b, ca, cb;
	char sql[200], ids[24];
	PGconn *giver = test_connect(), *restorer = test_connect();
	PGresult *res;
	json_t *doc;
	(void)state;

	a = org_add(ev, "Upsilon Back", "--booth R9");
	b = org_add(ev, "Phi Wants R9", "");
	json_decref(cli_json("$BOXOFFICE org archive %lld --json", a));
	PQclear(PQexec(giver, "BEGIN"));
	snprintf(sql, sizeof sql, "SELECT org_edit(%lld, NULL, '{\"booth\": \"r9\"}')", b);
	res = PQexec(giver, sql);
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	PQclear(res);
	snprintf(sql, sizeof sql, "SELECT org_restore(%lld, NULL)", a);
	assert_int_equal(PQsendQuery(restorer, sql), 1);
	usleep(300 * 1000); /* the restore waits on the booth given, not yet committed */
	PQclear(PQexec(giver, "COMMIT"));
	res = PQgetResult(restorer);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		fprintf(stderr, "restore: %s", PQerrorMessage(restorer));
	assert_int_equal(PQresultStatus(res), PGRES_TUPLES_OK);
	doc = json_loads(PQgetvalue(res, 0, 0), 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "booth_lost")), "R9");
	assert_string_equal(json_string_value(json_object_get(doc, "booth")), "");
	assert_false(json_is_true(json_object_get(doc, "archived")));
	json_decref(doc);
	PQclear(res);
	PQclear(PQgetResult(restorer));
	snprintf(ids, sizeof ids, "%lld", a);
	assert_int_equal(test_scalar(giver, "SELECT count(*) FROM change_log WHERE entity = 'event_organization' "
					    "AND entity_id = $1 AND action = 'restored' AND reason LIKE '%Phi Wants R9%'",
				     1, (const char *[]){ ids }),
			 1);

	/* the merge: Upsilon archived, its duplicate live with an order */
	json_decref(cli_json("$BOXOFFICE org archive %lld --json", a));
	{
		const char *q[1] = { ids };
		char dup[24];
		snprintf(ids, sizeof ids, "%lld", a);
		ca = test_scalar(giver, "SELECT organization_id FROM event_organization WHERE id = $1", 1, q);
		snprintf(dup, sizeof dup, "%lld", b);
		cb = test_scalar(giver, "SELECT organization_id FROM event_organization WHERE id = $1", 1,
				 (const char *[]){ dup });
	}
	refused("is archived in event", "$BOXOFFICE org merge %lld %lld", ca, cb);
	doc = cli_json("$BOXOFFICE org list --event %lld --json", ev);
	assert_int_equal(json_array_size(doc), 1); /* the live one is still there */
	json_decref(doc);
	/* restored first (and the booth moved), the merge goes through */
	json_decref(cli_json("$BOXOFFICE org restore %lld --json", a));
	refused("has none: give \"Upsilon Back\" that booth first", "$BOXOFFICE org merge %lld %lld", ca, cb);
	json_decref(cli_json("$BOXOFFICE org edit %lld --booth '' --json", b));
	json_decref(cli_json("$BOXOFFICE org merge %lld %lld --json", ca, cb));
	doc = cli_json("$BOXOFFICE org list --event %lld --json", ev);
	assert_int_equal(json_array_size(doc), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(doc, 0), "id")), a);
	json_decref(doc);
	PQfinish(giver);
	PQfinish(restorer);
}

static void test_duplicate_spellings_and_merge(void **state)
{
	long long ev = make_event(unique_name("OrgDup"), "2042-03-03", 0), ev2, a, b, ca, cb, order, person;
	char base[80], name[120], cs[24];
	const char *p[1] = { cs };
	json_t *doc;
	(void)state;

	snprintf(base, sizeof base, "Société Générale %s", unique_name("X") + 1);
	a = org_add(ev, base, "--relationship sponsor");
	/* the same company in any case, accents and spacing: found, not made */
	ev2 = make_event(unique_name("OrgDup2"), "2042-03-04", 0);
	{
		char again[120];
		snprintf(again, sizeof again, "  SOCIETE   GÉNÉRALE %s", base + strlen("Société Générale "));
		refused("takes part in event", "$BOXOFFICE org add --event %lld --name '%s'", ev, again);
		b = org_add(ev2, again, "");
		doc = cli_json("$BOXOFFICE org show %lld --json", a);
		ca = json_integer_value(json_object_get(doc, "company"));
		json_decref(doc);
		doc = cli_json("$BOXOFFICE org show %lld --json", b);
		cb = json_integer_value(json_object_get(doc, "company"));
		json_decref(doc);
		assert_int_equal(ca, cb); /* companies shared across events */
	}
	/* and the database refuses a second spelling outright */
	{
		const char *q[1] = { name };
		snprintf(name, sizeof name, "SOCIÉTÉ  générale %s", base + strlen("Société Générale "));
		assert_string_equal(test_fails(conn, "INSERT INTO organization (name) VALUES ($1)", 1, q), "23505");
	}
	/* a duplicate that exists already (made before the index, renamed by
	 * migration 050 and the like): merge moves its orders and persons */
	snprintf(name, sizeof name, "Old Spelling %s", unique_name("Y"));
	{
		const char *q[2] = { name, NULL };
		char evs[24], dup[24];
		cb = test_scalar(conn, "INSERT INTO organization (name) VALUES ($1) RETURNING id", 1, q);
		snprintf(dup, sizeof dup, "%lld", cb);
		snprintf(evs, sizeof evs, "%lld", ev);
		make_type(ev, "Adult", 100, 1000, 1);
		b = test_scalar(conn, "INSERT INTO event_organization (event_id, organization_id, relationship) "
				      "VALUES ($1, $2, 'sponsor') RETURNING id", 2, (const char *[]){ evs, dup });
		order = cli_json_id("$BOXOFFICE order add --event %lld --lines Adult:1 --org %lld", ev, b);
		person = test_scalar(conn, "INSERT INTO person (event_id, name, email, organization_id) "
					   "VALUES ($1, 'Ana', 'ana@example.org', $2) RETURNING id", 2,
				     (const char *[]){ evs, dup });
	}
	/* org list names the company ids a merge takes, beside this event's ids */
	doc = cli_json("$BOXOFFICE org list --event %lld --json", ev);
	{
		bool seen = false;
		for (size_t i = 0; i < json_array_size(doc); i++) {
			json_t *row = json_array_get(doc, i);
			if (json_integer_value(json_object_get(row, "id")) == b) {
				assert_int_equal(json_integer_value(json_object_get(row, "company_id")), cb);
				seen = true;
			}
		}
		assert_true(seen);
	}
	json_decref(doc);
	{
		struct run_result r = run_cmd("$BOXOFFICE org list --event %lld", ev);
		char row[64];
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "COMPANY"));
		snprintf(row, sizeof row, "%6lld %7lld  Old Spelling", b, cb);
		assert_non_null(strstr(r.out, row));
		run_free(&r);
	}
	doc = cli_json("$BOXOFFICE org merge %lld %lld --json", ca, cb);
	assert_int_equal(json_integer_value(json_object_get(doc, "persons")), 1);
	assert_true(json_integer_value(json_object_get(doc, "orders")) >= 1);
	json_decref(doc);
	snprintf(cs, sizeof cs, "%lld", order);
	assert_int_equal(test_scalar(conn, "SELECT event_org_id FROM ticket_order WHERE id = $1", 1, p), a);
	snprintf(cs, sizeof cs, "%lld", person);
	assert_int_equal(test_scalar(conn, "SELECT organization_id FROM person WHERE id = $1", 1, p), ca);
	snprintf(cs, sizeof cs, "%lld", ca);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM change_log WHERE entity = 'organization' "
					   "AND entity_id = $1 AND action = 'merged'", 1, p), 1);
}

/* Two stations read version 1 and both edit: real concurrent processes;
 * exactly one wins, the other is refused naming what changed. */
static void test_two_stations_edit(void **state)
{
	long long ev = make_event(unique_name("OrgEdit"), "2042-03-05", 0), eo;
	struct run_result r;
	char cmd[512];
	(void)state;

	eo = org_add(ev, "Concurrent Oy", "");
	snprintf(cmd, sizeof cmd,
		 "$BOXOFFICE org edit %lld --version 1 --booth A1 >/tmp/orgs-edit-a.$$ 2>&1 & "
		 "$BOXOFFICE org edit %lld --version 1 --lifecycle confirmed >/tmp/orgs-edit-b.$$ 2>&1 & "
		 "wait %%1; a=$?; wait %%2; b=$?; cat /tmp/orgs-edit-a.$$ /tmp/orgs-edit-b.$$; "
		 "rm -f /tmp/orgs-edit-a.$$ /tmp/orgs-edit-b.$$; echo \"rc $a $b\"",
		 eo, eo);
	r = run_cmd("%s", cmd);
	assert_true(strstr(r.out, "rc 0 1") || strstr(r.out, "rc 1 0"));
	assert_non_null(strstr(r.out, "changed since you opened it"));
	assert_true(strstr(r.out, "changed: booth") || strstr(r.out, "changed: lifecycle"));
	run_free(&r);
	/* names in any script and length */
	json_decref(cli_json("$BOXOFFICE org edit %lld --name '東京エレクトロン株式会社 ' --json", eo));
	refused("", "$BOXOFFICE org edit %lld --version 1 --category x", eo);
}

/* The screen at 80x24: the empty state on an event without organizations;
 * each filter of the pane narrows the list; F4 resets them. */
static void test_screen_filters_and_empty_state(void **state)
{
	long long ev = make_event(unique_name("OrgScreen"), "2042-03-06", 0);
	struct tmux t;
	(void)state;

	/* the CLI says an empty list in words, not a bare header */
	{
		struct run_result r = run_cmd("$BOXOFFICE org list --event %lld", ev);
		assert_int_equal(r.status, 0);
		assert_non_null(strstr(r.out, "No organizations in this event yet: add one with boxoffice org add"));
		assert_null(strstr(r.out, "ORGANIZATION"));
		run_free(&r);
	}
	open_organizations(&t, "orgsempty", ev, "Manage exhibitors, partners, sponsors");
	assert_true(tmux_wait_for(&t, "add the first one", 5000));
	/* live: the first one added elsewhere appears */
	org_add(ev, "Alpha Sponsor", "--relationship sponsor --lifecycle prospect --visibility public");
	org_add(ev, "Beta Partner", "--relationship partner --lifecycle confirmed --commercial contracted "
				    "--visibility hidden");
	org_add(ev, "Gamma Exhibitor", "--relationship exhibitor --lifecycle prospect --commercial paid "
				       "--visibility internal --booth G7");
	assert_true(tmux_wait_for(&t, "Gamma Exhibitor", 5000));
	assert_true(tmux_wait_for(&t, "Beta Partner", 5000));
	assert_true(tmux_wait_for(&t, "Alpha Sponsor", 5000));
	/* at 80 columns: how many, and each one's relationship (the list's order) */
	assert_true(tmux_wait_for(&t, "3 organizations", 1000));
	{
		char *screen = tmux_capture(&t), *line = strstr(screen, "Gamma Exhibitor");
		assert_non_null(line);
		if (strchr(line, '\n'))
			*strchr(line, '\n') = '\0';
		assert_non_null(strstr(line, " exhibitor "));
		free(screen);
	}
	{
		struct run_result r = run_cmd("$BOXOFFICE org list --event %lld --search nobody-here", ev);
		assert_int_equal(r.status, 0);
		assert_string_equal(r.out, "No organization in this event matches.\n");
		run_free(&r);
	}
	/* search; in the filter pane + types, so the bar no longer offers +Add */
	assert_true(tmux_wait_for(&t, "+Add", 1000));
	tmux_keys(&t, "Tab");
	assert_true(tmux_wait_gone(&t, "+Add", 1000));
	/* the bar says what Tab does in the pane: the next field */
	assert_true(tmux_wait_for(&t, "TabNext", 1000));
	/* F1 still helps from the pane (the pane does not swallow it) */
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of Organizations", 3000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_gone(&t, "Help: keys of Organizations", 3000));
	tmux_type(&t, "beta");
	assert_true(tmux_wait_gone(&t, "Alpha Sponsor", 5000));
	assert_true(tmux_wait_for(&t, "Beta Partner", 1000));
	assert_true(tmux_wait_gone(&t, "Gamma Exhibitor", 1000));
	assert_true(tmux_wait_for(&t, "1 of 3", 1000)); /* how many the filters let through */
	assert_true(tmux_wait_for(&t, "Exhibitors, partners, sponsors and others of this event", 1000)); /* same words */
	/* a booth is found too, its case and spacing forgiven */
	tmux_keys(&t, "F4");
	assert_true(tmux_wait_for(&t, "Alpha Sponsor", 5000));
	tmux_type(&t, " g7");
	assert_true(tmux_wait_gone(&t, "Alpha Sponsor", 5000));
	assert_true(tmux_wait_for(&t, "Gamma Exhibitor", 1000));
	/* Enter goes back to the list, / from the list to Search (as Tab) */
	tmux_keys(&t, "F4 Enter");
	assert_true(tmux_wait_for(&t, "Alpha Sponsor", 5000));
	assert_true(tmux_wait_for(&t, "+Add", 1000));
	tmux_keys(&t, "/");
	tmux_type(&t, "beta");
	assert_true(tmux_wait_gone(&t, "Alpha Sponsor", 5000));
	/* Tab moves on to Relationship, as in Ticket Orders' pane: Space there
	 * chooses sponsor (no Beta Partner is a sponsor) */
	tmux_keys(&t, "Tab Space");
	assert_true(tmux_wait_gone(&t, "Beta Partner", 5000));
	assert_true(tmux_wait_for(&t, "No organization matches the filters", 1000));
	/* Tab past the last field: the list */
	tmux_keys(&t, "Tab Tab Tab Tab");
	assert_true(tmux_wait_for(&t, "+Add", 3000));
	/* Shift-Tab from the list: the last field, Visibility */
	tmux_keys(&t, "F4 BTab Space");
	assert_true(tmux_wait_gone(&t, "Beta Partner", 5000));
	assert_true(tmux_wait_for(&t, "Alpha Sponsor", 1000));
	assert_true(tmux_wait_for(&t, "Visibility public", 1000));
	/* relationship: sponsor */
	tmux_keys(&t, "F4 Down Space");
	assert_true(tmux_wait_gone(&t, "Beta Partner", 5000));
	assert_true(tmux_wait_for(&t, "Alpha Sponsor", 1000));
	assert_true(tmux_wait_gone(&t, "Gamma Exhibitor", 1000));
	/* lifecycle: prospect */
	tmux_keys(&t, "F4 Down Down Space");
	assert_true(tmux_wait_gone(&t, "Beta Partner", 5000));
	assert_true(tmux_wait_for(&t, "Alpha Sponsor", 1000));
	assert_true(tmux_wait_for(&t, "Gamma Exhibitor", 1000));
	/* commercial: none */
	tmux_keys(&t, "F4 Down Down Down Space");
	assert_true(tmux_wait_gone(&t, "Gamma Exhibitor", 5000));
	assert_true(tmux_wait_for(&t, "Alpha Sponsor", 1000));
	assert_true(tmux_wait_gone(&t, "Beta Partner", 1000));
	/* visibility: internal */
	tmux_keys(&t, "F4 Down Down Down Down Space Space");
	assert_true(tmux_wait_gone(&t, "Alpha Sponsor", 5000));
	assert_true(tmux_wait_for(&t, "Gamma Exhibitor", 1000));
	assert_true(tmux_wait_gone(&t, "Beta Partner", 1000));
	/* Reset Filters: all three again */
	tmux_keys(&t, "F4");
	assert_true(tmux_wait_for(&t, "Alpha Sponsor", 5000));
	assert_true(tmux_wait_for(&t, "Beta Partner", 1000));
	assert_true(tmux_wait_for(&t, "G7", 1000));
	tmux_stop(&t);
}

/* A name longer than its field is typed in view: the field shows its end
 * (after "…") with the cursor, and the whole name is saved. */
static void test_screen_long_name_typed_in_view(void **state)
{
	long long ev = make_event(unique_name("OrgLong"), "2042-03-13", 0);
	char name[160], *screen, *line;
	struct tmux t;
	(void)state;

	snprintf(name, sizeof name, "%s", "Nordic Association of Independent Event Technicians and Stage "
					  "Riggers, Western Chapter, Tail-XYZ");
	open_organizations(&t, "orglong", ev, "press + to add the first one");
	tmux_keys(&t, "+");
	assert_true(tmux_wait_for(&t, "+ Add Event Organization", 5000));
	tmux_type(&t, name);
	assert_true(tmux_wait_for(&t, "Tail-XYZ_", 3000));
	screen = tmux_capture(&t);
	line = strstr(screen, "Tail-XYZ_");
	assert_non_null(line);
	while (line > screen && line[-1] != '\n')
		line--;
	assert_non_null(strstr(line, "…")); /* the front is cut, and says so */
	free(screen);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_gone(&t, "+ Add Event Organization", 5000));
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM event_organization eo JOIN organization o "
					   "ON o.id = eo.organization_id WHERE o.name = $1",
				     1, (const char *[]){ name }),
			 1);
	/* on the list the name is cut at its end, with "…" */
	assert_true(tmux_wait_for(&t, "Nordic Association of", 5000));
	/* a question about it keeps its y/n on the line */
	tmux_keys(&t, "x");
	assert_true(tmux_wait_for(&t, "…? y/n (it leaves the list)", 3000));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_for(&t, "… kept", 3000));
	tmux_stop(&t);
}

/* Esc just after y to an archive does not cancel it: the screen stays
 * until the answer comes (here held up by another station's row lock). */
static void test_screen_archive_not_cancelled_by_esc(void **state)
{
	long long ev = make_event(unique_name("OrgEsc"), "2042-03-14", 0), eo;
	char sql[160], id[24];
	PGconn *holder = test_connect();
	struct tmux t;
	(void)state;

	eo = org_add(ev, "Omega Archive", "");
	snprintf(id, sizeof id, "%lld", eo);
	open_organizations(&t, "orgesc", ev, "Omega Archive");
	PQclear(PQexec(holder, "BEGIN"));
	snprintf(sql, sizeof sql, "SELECT 1 FROM event_organization WHERE id = %lld FOR UPDATE", eo);
	PQclear(PQexec(holder, sql));
	tmux_keys(&t, "x");
	assert_true(tmux_wait_for(&t, "Archive Omega Archive? y/n", 5000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "archiving Omega Archive", 2000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "still archiving Omega Archive", 2000));
	tmux_keys(&t, "F2");
	assert_true(tmux_wait_for(&t, "still archiving Omega Archive", 2000));
	PQclear(PQexec(holder, "COMMIT"));
	assert_true(tmux_wait_for(&t, "Omega Archive archived", 5000));
	assert_true(tmux_wait_for(&t, "The 1 organization of this event is archived: v shows it", 5000));
	/* again (the station gives up a lock after 3 s: each round is short) */
	json_decref(cli_json("$BOXOFFICE org restore %lld --json", eo));
	/* its row, not the status line's "Omega Archive archived": x on a
	 * list not read again yet has nothing to archive */
	assert_true(tmux_wait_gone(&t, "The 1 organization of this event is archived", 5000));
	assert_true(tmux_wait_for(&t, "1 organization", 5000));
	PQclear(PQexec(holder, "BEGIN"));
	PQclear(PQexec(holder, sql));
	tmux_keys(&t, "x");
	assert_true(tmux_wait_for(&t, "Archive Omega Archive? y/n", 5000));
	tmux_keys(&t, "y");
	/* nor from a screen opened over it: F2 would close both */
	tmux_keys(&t, "v");
	assert_true(tmux_wait_for(&t, "Organizations archived from this event", 2000));
	tmux_keys(&t, "F2");
	assert_true(tmux_wait_for(&t, "still archiving Omega Archive", 2000));
	assert_true(tmux_wait_for(&t, "Organizations archived from this event", 1000));
	/* and F10, y waits too (the station would end the write unanswered) */
	tmux_keys(&t, "F10");
	assert_true(tmux_wait_for(&t, "Quit boxoffice?", 2000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "still archiving Omega Archive", 2000));
	assert_true(tmux_wait_for(&t, "Organizations archived from this event", 1000));
	PQclear(PQexec(holder, "COMMIT"));
	assert_true(tmux_wait_for(&t, "Omega Archive archived", 5000));
	assert_true(tmux_wait_for(&t, "Omega Archive", 5000)); /* now on the archived list */
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "The 1 organization of this event is archived", 5000));
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM event_organization WHERE id = $1 "
					   "AND archived_at IS NOT NULL",
				     1, (const char *[]){ id }),
			 1);
	/* held past the station's lock timeout: said whole on the status line */
	json_decref(cli_json("$BOXOFFICE org restore %lld --json", eo));
	assert_true(tmux_wait_for(&t, "Omega Archive", 5000));
	PQclear(PQexec(holder, "BEGIN"));
	PQclear(PQexec(holder, sql));
	tmux_keys(&t, "x");
	assert_true(tmux_wait_for(&t, "Archive Omega Archive? y/n", 5000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "Not archived: held by another station (waited 3 s): nothing done, try again", 8000));
	PQclear(PQexec(holder, "ROLLBACK"));
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM event_organization WHERE id = $1 "
					   "AND archived_at IS NULL",
				     1, (const char *[]){ id }),
			 1);
	/* and now Esc closes it */
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_gone(&t, "Omega Archive", 5000));
	tmux_stop(&t);
	PQfinish(holder);
}

/* Add, edit and archive from the screen at 80x24, each found in the
 * database; an edit opened before another process changed the same
 * organization is refused naming what changed, and keeps what was typed. */
static void test_screen_add_edit_archive(void **state)
{
	long long ev = make_event(unique_name("OrgForm"), "2042-03-07", 0), eo;
	char *screen, *flat;
	struct run_result r;
	struct tmux t;
	(void)state;

	open_organizations(&t, "orgsform", ev, "press + to add the first one");
	screen = tmux_capture(&t);
	assert_non_null(strstr(screen, "+Add")); /* in the key bar */
	free(screen);
	/* add: name, relationship media (m), visibility public (p), booth D4 */
	tmux_keys(&t, "+");
	assert_true(tmux_wait_for(&t, "+ Add Event Organization", 5000));
	tmux_type(&t, "Delta Media Oy");
	tmux_keys(&t, "Down m Down Down Down p Down Down Down");
	tmux_type(&t, "D4");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Delta Media Oy", 5000));
	assert_true(tmux_wait_gone(&t, "+ Add Event Organization", 5000));
	assert_true(tmux_wait_for(&t, "D4", 5000));
	eo = test_scalar_id(conn, "SELECT eo.id FROM event_organization eo JOIN organization o ON o.id = eo.organization_id "
		       "WHERE eo.event_id = $1 AND o.name = 'Delta Media Oy' AND eo.relationship = 'media' "
		       "AND eo.visibility = 'public' AND eo.lifecycle = 'prospect' AND eo.booth = 'D4' "
		       "AND eo.archived_at IS NULL", ev);
	assert_true(eo > 0);
	/* edit: booth D4 -> D5, lifecycle confirmed (c) */
	tmux_keys(&t, "e");
	assert_true(tmux_wait_for(&t, "Edit event organization", 5000));
	assert_true(tmux_wait_gone(&t, "reading it", 5000)); /* read, fields filled */
	assert_true(tmux_wait_for(&t, "Booth              D4", 5000));
	assert_int_equal(tmux_row_of(&t, "version"), -1); /* the row version is no clerk's business */
	tmux_keys(&t, "Down Down c c Down Down Down Down Down C-u");
	tmux_type(&t, "D5");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_gone(&t, "Edit event organization", 5000));
	assert_true(tmux_wait_for(&t, "D5", 5000));
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM event_organization WHERE id = $1 AND booth = 'D5' "
				   "AND lifecycle = 'confirmed' AND version = 2", eo),
			 1);
	/* a stale edit: another process changes it while the form is open */
	tmux_keys(&t, "e");
	assert_true(tmux_wait_for(&t, "Edit event organization", 5000));
	assert_true(tmux_wait_gone(&t, "reading it", 5000));
	assert_true(tmux_wait_for(&t, "Booth              D5", 5000));
	r = run_cmd("$BOXOFFICE org edit %lld --commercial paid", eo);
	assert_int_equal(r.status, 0);
	run_free(&r);
	tmux_keys(&t, "Down Down Down Down Down Down Down C-u");
	tmux_type(&t, "D9");
	tmux_keys(&t, "Enter");
	/* said with the values, the other station's taken (the clerk left it) */
	assert_true(tmux_wait_for(&t, "Enter saves yours · F5 reads it again", 5000));
	screen = tmux_capture(&t);
	flat = one_line(screen);
	assert_non_null(strstr(flat, "Not saved. Changed at another station, now shown: "
				     "Commercial status \"none\" → \"paid\"; yours kept."));
	free(flat);
	assert_non_null(strstr(screen, "Booth              D9"));             /* the input kept */
	assert_non_null(strstr(screen, "Commercial status  paid"));           /* theirs taken */
	assert_null(strstr(screen, "version"));
	assert_non_null(strstr(screen, "Edit event organization")); /* still the form */
	free(screen);
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM event_organization WHERE id = $1 AND booth = 'D5' "
				   "AND commercial_status = 'paid' AND version = 3", eo),
			 1);
	/* Esc with the refused change still typed asks first: n keeps it */
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Discard the changes? y: discard and close", 5000));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_gone(&t, "Discard the changes?", 5000));
	screen = tmux_capture(&t);
	assert_non_null(strstr(screen, "D9"));
	assert_non_null(strstr(screen, "Edit event organization"));
	free(screen);
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Discard the changes?", 5000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_gone(&t, "Edit event organization", 5000));
	/* archive: n keeps it, y archives it */
	tmux_keys(&t, "x");
	assert_true(tmux_wait_for(&t, "Archive Delta Media Oy? y/n", 5000));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_gone(&t, "Archive Delta Media Oy?", 5000));
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM event_organization WHERE id = $1 AND archived_at IS NULL", eo),
			 1);
	tmux_keys(&t, "x");
	assert_true(tmux_wait_for(&t, "Archive Delta Media Oy? y/n", 5000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "The 1 organization of this event is archived: v shows it", 5000));
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM event_organization WHERE id = $1 "
				   "AND archived_at IS NOT NULL", eo),
			 1);
	tmux_stop(&t);
}

/* o on an organization opens Ticket Orders showing exactly its orders, by
 * the rule the list counts them with: placed on its behalf (whatever their
 * company), or naming it as company (any case and spacing) unlinked; not
 * a longer company that merely contains its name, not another's. */
static void test_screen_orders_of_organization(void **state)
{
	long long ev = make_event(unique_name("OrgOrders"), "2042-03-08", 0), a, b, want;
	char *screen, *line;
	int rows = 0, total = -1;
	struct tmux t;
	(void)state;

	make_type(ev, "Adult", 100, 1000, 1);
	a = org_add(ev, "Kappa Sponsor", "--relationship sponsor");
	b = org_add(ev, "Lambda Partner", "--relationship partner");
	cli_json_id("$BOXOFFICE order add --event %lld --lines Adult:1 --org %lld", ev, a);
	cli_json_id("$BOXOFFICE order add --event %lld --lines Adult:2 --org %lld --company 'Other Name'", ev,
		    a);
	cli_json_id("$BOXOFFICE order add --event %lld --lines Adult:1 --company ' kappa SPONSOR'", ev);
	cli_json_id("$BOXOFFICE order add --event %lld --lines Adult:1 --company 'Kappa Sponsor Fans'", ev);
	cli_json_id("$BOXOFFICE order add --event %lld --lines Adult:1 --org %lld", ev, b);
	want = test_scalar_id(conn, "SELECT count(*) FROM ticket_order o JOIN event_organization e ON e.id = $1 "
			 "JOIN organization g ON g.id = e.organization_id WHERE o.event_id = e.event_id "
			 "AND (o.event_org_id = e.id OR (o.event_org_id IS NULL "
			 "AND lower(btrim(o.company)) = lower(btrim(g.name))))", a);
	assert_int_equal(want, 3);
	/* the CLI's --org: the same orders, in the list and the CSV export */
	{
		json_t *doc = cli_json("$BOXOFFICE order list --event %lld --org %lld --json", ev, a);
		struct run_result r = run_cmd("$BOXOFFICE order export --csv - --event %lld --org %lld", ev, a);
		int csv_rows = -1; /* the header is not an order */
		assert_true(json_is_array(doc));
		assert_int_equal(json_array_size(doc), want);
		json_decref(doc);
		assert_int_equal(r.status, 0);
		for (const char *c = r.out; (c = strchr(c, '\n')); c++)
			csv_rows++;
		assert_int_equal(csv_rows, want);
		assert_null(strstr(r.out, "Fans"));
		assert_null(strstr(r.out, "Lambda"));
		run_free(&r);
	}

	open_organizations(&t, "orgsorders", ev, "Lambda Partner");
	assert_true(tmux_wait_for(&t, "3 ·     50.00", 5000)); /* the list's count for Kappa */
	assert_true(tmux_wait_for(&t, " ORD ·    AMOUNT", 1000)); /* the title's dot over the rows' */
	/* an amount too wide for its cents: every row in whole units, said
	 * in the title, never 50.00 beside a rounded 187,525 */
	make_type(ev, "Stand", 10, 5000000, 1);
	cli_json_id("$BOXOFFICE order add --event %lld --lines Stand:3,Adult:1 --org %lld", ev, b);
	assert_true(tmux_wait_for(&t, "2 ·   187,525", 5000)); /* 12.50 + 187,512.50 */
	assert_true(tmux_wait_for(&t, "3 ·        50", 1000));
	assert_true(tmux_wait_for(&t, " ORD ·   ≈AMOUNT", 1000));
	/* a wide terminal has room for the cents */
	{
		struct tmux wide;
		char cmd[256], *shown;
		snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen organizations --event %lld; sleep 30", ev);
		tmux_start(&wide, "orgswide", 120, 30, cmd);
		assert_true(tmux_wait_for(&wide, "187,525.00", 10000));
		shown = tmux_capture(&wide);
		assert_non_null(strstr(shown, "3 ·         50.00"));
		assert_null(strstr(shown, "≈AMOUNT"));
		free(shown);
		tmux_stop(&wide);
	}
	tmux_keys(&t, "Home o");
	assert_true(tmux_wait_for(&t, "Org: Kappa Sponsor", 5000));
	assert_true(tmux_wait_for(&t, " Total ", 5000));
	assert_true(tmux_wait_gone(&t, "loading", 5000));
	/* the list and the grid are two reads: wait until both are drawn */
	for (int waited = 0; waited < 10000; waited += 200) {
		rows = 0;
		total = 0;
		screen = tmux_capture(&t);
		for (line = strtok(screen, "\n"); line; line = strtok(NULL, "\n")) {
			int id;
			if (sscanf(line, " #%d ", &id) == 1)
				rows++;
		}
		free(screen);
		if (rows >= want)
			break;
		usleep(200000);
	}
	rows = 0;
	screen = tmux_capture(&t);
	for (line = strtok(screen, "\n"); line; line = strtok(NULL, "\n")) {
		int id;
		if (sscanf(line, " #%d ", &id) == 1)
			rows++;
		if (strncmp(line, " Total ", 7) == 0) {
			char *last = strrchr(line, ' ');
			/* ... Total: ORD AMOUNT; the count is the word before the amount */
			while (last > line && last[-1] == ' ')
				last--;
			*last = '\0';
			total = atoi(strrchr(line, ' ') + 1);
		}
		assert_null(strstr(line, "Fans"));
		assert_null(strstr(line, "Lambda"));
	}
	free(screen);
	assert_int_equal(rows, want);
	assert_int_equal(total, want);
	/* n: a new order for this organization, its name already in place */
	tmux_keys(&t, "n");
	assert_true(tmux_wait_for(&t, "New ticket order —", 5000));
	assert_true(tmux_wait_for(&t, " × ", 5000)); /* the types are read */
	screen = tmux_capture(&t);
	line = strstr(screen, "Organization");
	assert_non_null(line);
	assert_true(strstr(line, "Kappa Sponsor") && strstr(line, "Kappa Sponsor") < strchr(line, '\n'));
	line = strstr(screen, "Company");
	assert_non_null(line);
	assert_true(strstr(line, "Kappa Sponsor") && strstr(line, "Kappa Sponsor") < strchr(line, '\n'));
	free(screen);
	/* the cursor is on Contact; then E-mail, Payment, Adult */
	tmux_type(&t, "Kim Prefill");
	tmux_keys(&t, "Tab Tab Tab 2");
	assert_true(tmux_wait_for(&t, "Total, 2 tickets:", 5000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "created", 5000));
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM ticket_order WHERE event_org_id = $1 "
					      "AND contact = 'Kim Prefill' AND company = 'Kappa Sponsor' AND quantity = 2", a), 1);
	/* cleared for the next order of the same organization: Esc asks nothing */
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_gone(&t, "New ticket order —", 5000));
	assert_true(tmux_wait_for(&t, "Org: Kappa Sponsor", 5000));
	/* Esc: back to the list */
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "partners, sponsors", 5000));
	assert_true(tmux_wait_for(&t, "Lambda Partner", 1000));
	tmux_stop(&t);
}

/* p on an organization opens My Tickets among its persons: those holding
 * tickets of its orders (here a counter sale naming it), not another
 * organization's, not a longer company's; Esc returns to the list. */
static void test_screen_persons_of_organization(void **state)
{
	long long ev = make_event(unique_name("OrgPersons"), "2042-03-09", 0), a, b, mu, nu, fans;
	char *screen;
	json_t *doc;
	struct tmux t;
	(void)state;

	make_type(ev, "Adult", 100, 1000, 1);
	a = org_add(ev, "Mu Sponsor", "--relationship sponsor");
	b = org_add(ev, "Nu Partner", "--relationship partner");
	doc = cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 2 --payment card --company 'Mu Sponsor'", ev);
	mu = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	doc = cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment card --company 'Mu Sponsor Fans'",
		       ev);
	fans = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	nu = cli_json_id("$BOXOFFICE order add --event %lld --lines Adult:1 --payment invoice --org %lld", ev, b);
	json_decref(cli_json("$BOXOFFICE order invoice %lld", nu));
	json_decref(cli_json("$BOXOFFICE order settle %lld --ref R1", nu));
	json_decref(cli_json("$BOXOFFICE ticket assign %lld --name 'Ada Mu' --email ada.mu@example.com",
			     first_ticket(mu)));
	json_decref(cli_json("$BOXOFFICE ticket assign %lld --name 'Bo Mu' --email bo.mu@example.com",
			     order_ticket(mu, 1, NULL, 0)));
	json_decref(cli_json("$BOXOFFICE ticket assign %lld --name 'Cy Nu' --email cy.nu@example.com",
			     first_ticket(nu)));
	json_decref(cli_json("$BOXOFFICE ticket assign %lld --name 'Di Fan' --email di.fan@example.com",
			     first_ticket(fans)));

	open_organizations(&t, "orgspersons", ev, "Nu Partner");
	tmux_keys(&t, "Home p");
	assert_true(tmux_wait_for(&t, "Persons of Mu Sponsor", 5000));
	assert_true(tmux_wait_for(&t, "Ada Mu", 5000));
	assert_true(tmux_wait_for(&t, "Bo Mu", 1000));
	assert_true(tmux_wait_for(&t, "Persons of Mu Sponsor (2)", 1000)); /* all of them: no "the first 8" */
	screen = tmux_capture(&t);
	assert_null(strstr(screen, "Cy Nu"));
	assert_null(strstr(screen, "Di Fan"));
	free(screen);
	/* typing narrows among them */
	tmux_type(&t, "bo");
	assert_true(tmux_wait_gone(&t, "Ada Mu", 5000));
	assert_true(tmux_wait_for(&t, "Bo Mu", 1000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "partners, sponsors", 5000));
	/* the other one's persons */
	tmux_keys(&t, "End p");
	assert_true(tmux_wait_for(&t, "Persons of Nu Partner", 5000));
	assert_true(tmux_wait_for(&t, "Cy Nu", 5000));
	screen = tmux_capture(&t);
	assert_null(strstr(screen, "Ada Mu"));
	free(screen);
	(void)a;
	tmux_stop(&t);
}

/* The add form's refusals in words, the form kept with what was typed:
 * a booth another organization has, then a name that is there already;
 * nothing is written until the input is right. */
static void test_screen_form_refusals(void **state)
{
	long long ev = make_event(unique_name("OrgRefuse"), "2042-03-10", 0);
	char *screen;
	struct tmux t;
	(void)state;

	make_type(ev, "Crew", 20, 0, 1);
	org_add(ev, "Omega Booth", "--booth E1");
	open_organizations(&t, "orgsrefuse", ev, "Omega Booth");
	tmux_keys(&t, "+");
	assert_true(tmux_wait_for(&t, "+ Add Event Organization", 5000));
	tmux_type(&t, "Sigma Stand");
	tmux_keys(&t, "Down Down Down Down Down Down Down");
	tmux_type(&t, "e1");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "given to \"Omega Booth\"", 5000));
	screen = tmux_capture(&t);
	assert_non_null(strstr(screen, "+ Add Event Organization")); /* still the form */
	assert_non_null(strstr(screen, "Sigma Stand"));              /* the input kept */
	free(screen);
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM event_organization WHERE event_id = $1", ev), 1);
	/* the same name as the one there, in another spelling */
	tmux_keys(&t, "C-u");
	tmux_type(&t, "E2");
	tmux_keys(&t, "Up Up Up Up Up Up Up C-u");
	tmux_type(&t, " omega  BOOTH");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "takes part in event", 5000));
	screen = tmux_capture(&t);
	assert_null(strstr(screen, "given to")); /* the booth is free: only the name refused */
	assert_non_null(strstr(screen, "+ Add Event Organization"));
	free(screen);
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM event_organization WHERE event_id = $1", ev), 1);
	/* a package the event does not have: refused, and the add with it
	 * (one statement), so Enter again after fixing it adds once */
	tmux_keys(&t, "C-u");
	tmux_type(&t, "Sigma Stand");
	tmux_keys(&t, "Down Down Down Down Down Down");
	tmux_type(&t, "Platinum");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "no package \"Platinum\" in OrgRefuse", 5000));
	assert_true(tmux_wait_for(&t, "Not added", 5000));
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM event_organization WHERE event_id = $1", ev), 1);
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM organization WHERE name = 'Sigma Stand' AND $1 > 0", ev), 0);
	json_decref(cli_json("$BOXOFFICE org package --event %lld --name Platinum --items Crew:2 --json", ev));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Platinum E2", 5000)); /* back on the list */
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM event_organization eo JOIN organization o "
				   "ON o.id = eo.organization_id WHERE eo.event_id = $1 AND o.name = 'Sigma Stand' "
				   "AND eo.package = 'Platinum' AND eo.booth = 'E2'", ev), 1);
	tmux_stop(&t);
}

static long long eo_company(long long eo)
{
	json_t *doc = cli_json("$BOXOFFICE org show %lld --json", eo);
	long long c = json_integer_value(json_object_get(doc, "company"));
	json_decref(doc);
	return c;
}

/* What a hostile review got past the database (db/063), refused now:
 * sponsored orders beyond the package from `order add`; a package lowered
 * while an order with it is being made (it waits, then is refused);
 * archived organizations edited or ordered for; look-alike names with
 * invisible characters or odd spaces; fields that do not exist; a merge
 * dropping the duplicate's package; an edit opened before a merge. */
static void test_guards_against_hostile_input(void **state)
{
	long long ev = make_event(unique_name("OrgGuard"), "2042-03-12", 0), eo, eo2, eo3;
	char ev_s[24], eo_s[24], name[160], look_alike[160];
	PGconn *ordering = test_connect(), *lowering = test_connect();
	PGresult *r;
	int waited = 0;
	(void)state;

	snprintf(ev_s, sizeof ev_s, "%lld", ev);
	make_type(ev, "Adult", 100, 1000, 1);
	json_decref(cli_json("$BOXOFFICE org package --event %lld --name Silver --items Adult:3 --json", ev));
	eo = org_add(ev, "Guard Sponsor", "--relationship sponsor");
	json_decref(cli_json("$BOXOFFICE org package %lld --give Silver --json", eo));
	snprintf(eo_s, sizeof eo_s, "%lld", eo);

	/* 1. past the package by a plain sponsored order: refused at commit */
	refused("entitles", "$BOXOFFICE order add --event %lld --lines Adult:4 --payment sponsored --org %lld", ev, eo);
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM ticket_order WHERE event_org_id = $1", eo), 0);

	/* 2. the package order open in one transaction; lowering the package
	 * from another waits for it, then is refused */
	PQclear(test_query(ordering, "BEGIN", 0, NULL));
	PQclear(test_query(ordering, "SELECT org_package_order($1)", 1, (const char *const[]){ eo_s }));
	{
		char items[80];
		snprintf(items, sizeof items, "[{\"type\": %lld, \"qty\": 1}]",
			 test_scalar_id(conn, "SELECT id FROM ticket_type WHERE event_id = $1", ev));
		assert_int_equal(PQsendQueryParams(lowering, "SELECT org_package_set($1, 'Silver', $2::jsonb, NULL)", 2,
						   NULL, (const char *const[]){ ev_s, items }, NULL, NULL, 0), 1);
	}
	while (waited++ < 100 && test_scalar_id(conn, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
					   "AND query LIKE 'SELECT org_package_set%' AND $1 > 0", 1) == 0)
		usleep(100 * 1000);
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
				   "AND query LIKE 'SELECT org_package_set%' AND $1 > 0", 1), 1);
	PQclear(test_query(ordering, "COMMIT", 0, NULL));
	r = PQgetResult(lowering);
	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	assert_string_equal(PQresultErrorField(r, PG_DIAG_SQLSTATE), "BX002");
	assert_non_null(strstr(PQresultErrorMessage(r), "below the 3"));
	PQclear(r);
	while ((r = PQgetResult(lowering)))
		PQclear(r);
	assert_int_equal(test_scalar_id(conn, "SELECT sum(qty) FROM org_package_item i JOIN event_organization e "
				   "ON e.package_id = i.package_id WHERE e.id = $1", eo), 3);
	PQfinish(ordering);
	PQfinish(lowering);

	/* 3. archived: no edits, no packages, no orders */
	eo2 = org_add(ev, "Guard Archived", "");
	json_decref(cli_json("$BOXOFFICE org archive %lld --json", eo2));
	refused("archived", "$BOXOFFICE org edit %lld --category late", eo2);
	refused("archived", "$BOXOFFICE org package %lld --give Silver", eo2);
	refused("archived", "$BOXOFFICE order add --event %lld --lines Adult:1 --payment card --org %lld", ev, eo2);

	/* 4. look-alikes: a no-break space is a space, a zero-width space is
	 * nothing; a name of nothing is no name; a bidi override is refused
	 * before (src/core/validate.c) */
	snprintf(look_alike, sizeof look_alike, "Guard\u00a0Sponsor\u200b");
	refused("takes part in event", "$BOXOFFICE org add --event %lld --name '%s'", ev, look_alike);
	snprintf(look_alike, sizeof look_alike, "Guard\u00a0Sponsor\u202e");
	{
		struct run_result rr = run_cmd("$BOXOFFICE org add --event %lld --name '%s'", ev, look_alike);
		if (rr.status != 2 || !strstr(rr.err, "--name contains characters that reorder text"))
			fail_msg("a name with a bidi override: exit %d: %s", rr.status, rr.err);
		run_free(&rr);
	}
	snprintf(name, sizeof name, "\u200b\u200f");
	{
		struct run_result rr = run_cmd("$BOXOFFICE org add --event %lld --name '%s'", ev, name);
		assert_int_not_equal(rr.status, 0);
		run_free(&rr);
	}
	assert_string_equal(test_fails(conn, "SELECT org_edit($1, NULL, '{\"junk\": \"x\"}')", 1,
				       (const char *const[]){ eo_s }),
			    "22023");
	assert_string_equal(test_fails(conn, "SELECT org_edit($1, NULL, '{\"category\": [1, 2]}')", 1,
				       (const char *const[]){ eo_s }),
			    "22023");
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM event_organization WHERE event_id = $1", ev), 2);

	/* 5. a merge that would drop the duplicate's package: refused */
	eo3 = org_add(ev, "Guard Survivor", "");
	refused("has package \"Silver\"", "$BOXOFFICE org merge %lld %lld", eo_company(eo3), eo_company(eo));
	/* 6. the other way it goes; an edit opened before it is stale */
	{
		long long version = test_scalar_id(conn, "SELECT version FROM event_organization WHERE id = $1", eo);
		json_decref(cli_json("$BOXOFFICE org merge %lld %lld --json", eo_company(eo), eo_company(eo3)));
		refused("changed since you opened it", "$BOXOFFICE org edit %lld --version %lld --name 'Renamed By Stale Form'",
			eo, version);
	}
}

/* The edit form refused as stale reads the organization again and says
 * what the other station changed, with the values: a field only they
 * changed takes their value, one both changed keeps the clerk's next to
 * theirs, and Enter again saves the clerk's over it (no longer stale),
 * leaving what only they changed. F5 reads the form again, asking first
 * when something was typed; on the add form there is nothing to read. */
static void test_screen_form_stale_and_f5(void **state)
{
	long long ev = make_event(unique_name("OrgStale"), "2042-03-15", 0), eo;
	char *screen, *flat;
	struct run_result r;
	struct tmux t;
	(void)state;

	eo = org_add(ev, "Kappa Events", "--category Gold --booth K1");
	open_organizations(&t, "orgsstale", ev, "Kappa Events");
	tmux_keys(&t, "e");
	assert_true(tmux_wait_for(&t, "Edit event organization", 5000));
	assert_true(tmux_wait_for(&t, "Category           Gold", 5000));
	tmux_keys(&t, "Down Down Down Down Down C-u");
	tmux_type(&t, "Silver");
	assert_true(tmux_wait_for(&t, "Category           Silver", 5000));
	/* another station: the same category, and the booth the clerk left */
	r = run_cmd("$BOXOFFICE org edit %lld --category Platinum --booth K2", eo);
	assert_int_equal(r.status, 0);
	run_free(&r);
	/* said while the form is open, before Enter finds out */
	assert_true(tmux_wait_for(&t, "Changed at another station since you opened it", 5000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Changed at another station:", 5000));
	assert_true(tmux_wait_for(&t, "Enter saves yours over theirs · F5 takes theirs", 5000));
	screen = tmux_capture(&t);
	flat = one_line(screen);
	assert_non_null(strstr(flat, "Not saved. Changed at another station: Category \"Gold\" → \"Platinum\", "
				     "yours \"Silver\"; also, now shown: Booth \"K1\" → \"K2\"."));
	free(flat);
	assert_non_null(strstr(screen, "Category           Silver")); /* yours kept */
	assert_non_null(strstr(screen, "Booth              K2"));     /* theirs taken */
	assert_null(strstr(screen, "version"));
	free(screen);
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM event_organization WHERE id = $1 "
				   "AND category = 'Platinum' AND booth = 'K2' AND version = 2", eo), 1);
	/* Enter again: the clerk's category over theirs, their booth stays */
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_gone(&t, "Edit event organization", 5000));
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM event_organization WHERE id = $1 "
				   "AND category = 'Silver' AND booth = 'K2' AND version = 3", eo), 1);

	/* F5 with a change typed asks first: n keeps it, y reads the database */
	tmux_keys(&t, "e");
	assert_true(tmux_wait_for(&t, "Edit event organization", 5000));
	assert_true(tmux_wait_for(&t, "Category           Silver", 5000));
	tmux_keys(&t, "Down Down Down Down Down C-u");
	tmux_type(&t, "Bronze");
	assert_true(tmux_wait_for(&t, "Category           Bronze", 5000));
	r = run_cmd("$BOXOFFICE org edit %lld --category Diamond", eo);
	assert_int_equal(r.status, 0);
	run_free(&r);
	tmux_keys(&t, "F5");
	assert_true(tmux_wait_for(&t, "Discard your changes and read it again? y: discard", 5000));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_gone(&t, "Discard your changes", 5000));
	assert_true(tmux_wait_for(&t, "Category           Bronze", 1000));
	tmux_keys(&t, "F5");
	assert_true(tmux_wait_for(&t, "Discard your changes and read it again?", 5000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "Read again: as stored now.", 5000));
	assert_true(tmux_wait_for(&t, "Category           Diamond", 1000));
	screen = tmux_capture(&t);
	assert_null(strstr(screen, "Bronze"));
	assert_non_null(strstr(screen, "Booth              K2"));
	free(screen);
	assert_int_equal(test_scalar_id(conn, "SELECT count(*) FROM event_organization WHERE id = $1 "
				   "AND category = 'Diamond' AND version = 4", eo), 1);
	/* nothing typed: F5 reads at once, and Esc then closes without asking */
	r = run_cmd("$BOXOFFICE org edit %lld --booth K3", eo);
	assert_int_equal(r.status, 0);
	run_free(&r);
	tmux_keys(&t, "F5");
	assert_true(tmux_wait_for(&t, "Booth              K3", 5000));
	screen = tmux_capture(&t);
	assert_null(strstr(screen, "Discard"));
	free(screen);
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_gone(&t, "Edit event organization", 5000));
	/* the add form: F5 has nothing to read, and keeps what was typed */
	tmux_keys(&t, "+");
	assert_true(tmux_wait_for(&t, "+ Add Event Organization", 5000));
	tmux_type(&t, "Lambda Oy");
	tmux_keys(&t, "F5");
	assert_true(tmux_wait_for(&t, "nothing to read again", 5000));
	screen = tmux_capture(&t);
	assert_non_null(strstr(screen, "+ Add Event Organization"));
	assert_non_null(strstr(screen, "Lambda Oy"));
	free(screen);
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Discard the changes?", 5000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_gone(&t, "+ Add Event Organization", 5000));

	/* many fields changed at both stations, with long values: every
	 * conflict is still named within the message (the fields only, when
	 * their values would not fit) */
	tmux_keys(&t, "e");
	assert_true(tmux_wait_for(&t, "Booth              K3", 5000));
	tmux_keys(&t, "C-u");
	tmux_type(&t, "Kappa Events and Conferences of the Northern Seaboard, Limited");
	tmux_keys(&t, "Down Down Down Down Down C-u");
	tmux_type(&t, "Renewable energy and maritime engineering");
	tmux_keys(&t, "Down Down C-u");
	tmux_type(&t, "Hall J-2");
	r = run_cmd("$BOXOFFICE org edit %lld --name 'Kappa Events of the Southern Coast and Islands Ltd' "
		    "--category 'Logistics, warehousing and freight forwarding' --booth 'Hall J-4' --lifecycle active",
		    eo);
	assert_int_equal(r.status, 0);
	run_free(&r);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Enter saves yours over theirs", 5000));
	screen = tmux_capture(&t);
	flat = one_line(screen);
	if (!strstr(flat, "Changed at another station: Organization, Category, Booth (theirs differ from yours); "
			  "also, now shown: Lifecycle."))
		fail_msg("message: %s", flat);
	free(flat);
	free(screen);
	tmux_stop(&t);
}

/* After + adds an organization the list chooses it (not the first row),
 * so e edits the one just added. */
static void test_screen_add_selects_new(void **state)
{
	long long ev = make_event(unique_name("OrgSelect"), "2042-03-14", 0), added;
	char want[96];
	struct tmux t;
	(void)state;

	org_add(ev, "Alpha Sponsor", "--relationship sponsor");
	org_add(ev, "Beta Partner", "--relationship partner");
	open_organizations(&t, "orgsselect", ev, "Beta Partner");
	tmux_keys(&t, "+");
	assert_true(tmux_wait_for(&t, "+ Add Event Organization", 5000));
	tmux_type(&t, "Omega Extra");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_gone(&t, "+ Add Event Organization", 5000));
	assert_true(tmux_wait_for(&t, "Omega Extra", 5000));
	added = test_scalar_id(conn, "SELECT eo.id FROM event_organization eo JOIN organization o ON o.id = eo.organization_id "
			  "WHERE eo.event_id = $1 AND o.name = 'Omega Extra'", ev);
	tmux_keys(&t, "e");
	snprintf(want, sizeof want, "Edit event organization #%lld", added);
	assert_true(tmux_wait_for(&t, want, 5000));
	assert_true(tmux_wait_for(&t, "Omega Extra", 5000));
	tmux_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_package_order_is_the_entitlement),
		cmocka_unit_test(test_booths_once_per_event),
		cmocka_unit_test(test_archived_found_and_restored),
		cmocka_unit_test(test_screen_archived_and_restore),
		cmocka_unit_test(test_screen_lists_every_organization),
		cmocka_unit_test(test_screen_lists_every_archived),
		cmocka_unit_test(test_all_archived_is_not_none_yet),
		cmocka_unit_test(test_restore_races_and_archived_merge),
		cmocka_unit_test(test_duplicate_spellings_and_merge),
		cmocka_unit_test(test_two_stations_edit),
		cmocka_unit_test(test_screen_filters_and_empty_state),
		cmocka_unit_test(test_screen_long_name_typed_in_view),
		cmocka_unit_test(test_screen_archive_not_cancelled_by_esc),
		cmocka_unit_test(test_screen_add_edit_archive),
		cmocka_unit_test(test_screen_orders_of_organization),
		cmocka_unit_test(test_screen_persons_of_organization),
		cmocka_unit_test(test_screen_form_refusals),
		cmocka_unit_test(test_guards_against_hostile_input),
		cmocka_unit_test(test_screen_add_selects_new),
		cmocka_unit_test(test_screen_form_stale_and_f5),
	};
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests_name("orgs", tests, setup, teardown);
}

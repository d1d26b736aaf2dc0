/* Issue 11 item 4, "forms that help": the counter sale and the new ticket
 * order, at 80×24 as a clerk uses them (tmux), checked against what the
 * database recorded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "src/db/companies.h"
#include "src/db/db.h"
#include "tmux.h"

static char *ev_param(long long event_id)
{
	static char buf[24];
	snprintf(buf, sizeof buf, "%lld", event_id);
	return buf;
}

static long long scalar_ev(PGconn *c, const char *sql, long long event_id)
{
	const char *p[1] = { ev_param(event_id) };
	return test_scalar(c, sql, 1, p);
}

static bool screen_has(struct tmux *t, const char *text)
{
	char *screen = tmux_capture(t);
	bool has = strstr(screen, text) != NULL;
	free(screen);
	return has;
}

static void open_sale(struct tmux *t, long long event_id, const char *type)
{
	char cmd[256], title[128];
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen inventory --event %lld; echo EXITED; sleep 60", event_id);
	tmux_start(t, "forms", 80, 24, cmd);
	assert_true(tmux_wait_for(t, type, 10000));
	tmux_keys(t, "Enter");
	snprintf(title, sizeof title, "Sell %s", type);
	assert_true(tmux_wait_for(t, title, 3000));
}

static void open_neworder(struct tmux *t, long long event_id)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --screen orders --event %lld; echo EXITED; sleep 60", event_id);
	tmux_start(t, "forms", 80, 24, cmd);
	assert_true(tmux_wait_for(t, "ONLINE", 10000));
	tmux_keys(t, "n");
	assert_true(tmux_wait_for(t, "New ticket order —", 3000));
	assert_true(tmux_wait_for(t, "Quantity per ticket type:", 3000));
	/* the types are a read of their own: until they are drawn, Tab goes
	 * round the first five fields (a person sees them arrive) */
	assert_true(tmux_wait_for(t, " × ", 5000));
}

/* Item 1 and 5 in the sale: the unit price, net, VAT and gross show live
 * as the quantity changes, again on the confirm step, and y alone (no
 * Enter) sells; the order recorded is the one shown. */
static void test_sale_shows_the_charge_live_and_y_sells(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Charge Gala"), "2040-01-01", 0);
	PGconn *c = test_connect();
	(void)state;

	make_type(event_id, "Adult", 100, 39900, 1);
	open_sale(&t, event_id, "Adult");
	assert_true(tmux_wait_for(&t, "1 × Adult 399.00 = 399.00 + VAT 99.75 = 498.75", 3000));
	tmux_keys(&t, "2");
	assert_true(tmux_wait_for(&t, "2 × Adult 399.00 = 798.00 + VAT 199.50 = 997.50", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Sell 2 × Adult, card: 997.50 incl. VAT? y/n", 3000));
	assert_true(screen_has(&t, "2 × Adult 399.00 = 798.00 + VAT 199.50 = 997.50"));
	assert_int_equal(scalar_ev(c, "SELECT count(*) FROM ticket_order WHERE event_id = $1", event_id), 0);
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "Order #", 3000));
	assert_int_equal(scalar_ev(c, "SELECT count(*) FROM ticket_order WHERE event_id = $1", event_id), 1);
	assert_int_equal(scalar_ev(c, "SELECT quantity FROM ticket_order WHERE event_id = $1", event_id), 2);
	assert_int_equal(scalar_ev(c, "SELECT gross_cents FROM ticket_order WHERE event_id = $1", event_id), 99750);
	assert_int_equal(scalar_ev(c, "SELECT vat_cents FROM ticket_order WHERE event_id = $1", event_id), 19950);
	tmux_stop(&t);
	PQfinish(c);
}

/* Item 2: typing into a prefilled number replaces it, in both forms, also
 * after a key that edits nothing (an arrow, Space): "1", Right, "2" is 2
 * tickets, not 12. */
static void test_typing_replaces_a_prefilled_number(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Replace Gala"), "2040-02-01", 0);
	PGconn *c = test_connect();
	(void)state;

	make_type(event_id, "Adult", 100, 1000, 1);
	make_type(event_id, "Child", 100, 500, 1);
	open_sale(&t, event_id, "Adult");
	tmux_keys(&t, "Right");
	tmux_keys(&t, "2 Enter");
	assert_true(tmux_wait_for(&t, "Sell 2 × Adult", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "Order #", 3000));
	assert_int_equal(scalar_ev(c, "SELECT sum(quantity) FROM ticket_order WHERE event_id = $1", event_id), 2);
	tmux_stop(&t);

	open_neworder(&t, event_id);
	tmux_type(&t, "Replace AB");
	/* Contact, E-mail, Payment, Adult: Space edits nothing in a number */
	tmux_keys(&t, "Tab Tab Tab Tab");
	tmux_keys(&t, "Space");
	tmux_keys(&t, "3 Tab End 4");
	assert_true(tmux_wait_for(&t, "Total, 7 tickets:", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "created", 3000));
	assert_int_equal(scalar_ev(c, "SELECT quantity FROM ticket_order WHERE event_id = $1 AND company = 'Replace AB'",
				   event_id), 7);
	tmux_stop(&t);
	PQfinish(c);
}

/* Item 1 in the new order: one line per type with its unit price and
 * charge, and a total, live; the order recorded has that total. */
static void test_neworder_shows_each_line_and_the_total(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Lines Gala"), "2040-03-01", 0);
	PGconn *c = test_connect();
	(void)state;

	make_type(event_id, "Adult", 100, 39900, 1);
	make_type(event_id, "Child", 100, 19900, 1);
	open_neworder(&t, event_id);
	assert_true(tmux_wait_for(&t, "× 399.00", 3000));
	assert_true(tmux_wait_for(&t, "× 199.00", 3000));
	tmux_type(&t, "Lines AB");
	tmux_keys(&t, "Tab Tab Tab Tab 2 Tab 1");
	assert_true(tmux_wait_for(&t, "× 399.00 = 798.00 + VAT 199.50 = 997.50", 3000));
	assert_true(tmux_wait_for(&t, "× 199.00 = 199.00 + VAT 49.75 = 248.75", 3000));
	assert_true(tmux_wait_for(&t, "Total, 3 tickets: 997.00 + VAT 249.25 = 1,246.25", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "created", 3000));
	assert_int_equal(scalar_ev(c, "SELECT gross_cents FROM ticket_order WHERE event_id = $1 AND company = 'Lines AB'",
				   event_id), 124625);
	tmux_stop(&t);
	PQfinish(c);
}

/* Item 3: Esc on a half-filled form asks "Discard …? y/n" (y alone, no
 * Enter); n keeps what was typed; an untouched form closes at once. */
static void test_esc_on_a_half_filled_form_asks(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Esc Gala"), "2040-04-01", 0);
	PGconn *c = test_connect();
	(void)state;

	make_type(event_id, "Adult", 100, 1000, 1);
	open_neworder(&t, event_id);
	tmux_keys(&t, "Escape"); /* untouched: closes at once */
	assert_true(tmux_wait_gone(&t, "New ticket order —", 3000));
	assert_false(screen_has(&t, "Discard"));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_for(&t, "New ticket order —", 3000));
	tmux_type(&t, "Half AB");
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Discard this order? y/n", 3000));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_gone(&t, "Discard this order?", 3000));
	assert_true(screen_has(&t, "Half AB"));
	/* F2 asks too (it threw the form away silently); y goes on to the menu */
	tmux_keys(&t, "F2");
	assert_true(tmux_wait_for(&t, "Discard this order? y/n", 3000));
	tmux_keys(&t, "n");
	assert_true(tmux_wait_gone(&t, "Discard this order?", 3000));
	assert_true(screen_has(&t, "Half AB"));
	tmux_keys(&t, "F2");
	assert_true(tmux_wait_for(&t, "Discard this order? y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "Main menu", 3000));
	tmux_keys(&t, "3");
	tmux_keys(&t, "n");
	assert_true(tmux_wait_for(&t, "New ticket order —", 3000));
	tmux_type(&t, "Half AB");
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Discard this order? y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_gone(&t, "New ticket order —", 3000));
	assert_false(screen_has(&t, "EXITED"));
	tmux_stop(&t);

	open_sale(&t, event_id, "Adult");
	tmux_keys(&t, "Escape"); /* untouched */
	assert_true(tmux_wait_gone(&t, "Sell Adult", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Sell Adult", 3000));
	tmux_keys(&t, "3");
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Discard this sale? y/n", 3000));
	tmux_keys(&t, "Escape"); /* keeps it */
	assert_true(tmux_wait_gone(&t, "Discard this sale?", 3000));
	assert_true(screen_has(&t, "3 × Adult"));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Discard this sale? y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_gone(&t, "Sell Adult", 3000));
	assert_int_equal(scalar_ev(c, "SELECT count(*) FROM ticket_order WHERE event_id = $1", event_id), 0);
	tmux_stop(&t);
	PQfinish(c);
}

/* Item 4, the read: the event's organizations and the companies of its
 * earlier orders, by prefix, substring or trigram, ignoring case; the
 * latest contact and e-mail known; other events' names never. */
static void test_company_search_reads(void **state)
{
	long long event_id = make_event(unique_name("Search Gala"), "2040-05-01", 0);
	long long other = make_event(unique_name("Other Gala"), "2040-05-02", 0);
	const char *org_name = unique_name("Fjord Events"), *ev = ev_param(event_id);
	const char *p[2] = { org_name, ev };
	PGconn *c = test_connect();
	struct db *db;
	PGresult *res;
	struct run_result r;
	(void)state;

	make_type(event_id, "Adult", 100, 1000, 1);
	make_type(other, "Adult", 100, 1000, 1);
	PQclear(test_query(c, "WITH o AS (INSERT INTO organization (name) VALUES ($1) RETURNING id) "
			      "INSERT INTO event_organization (event_id, organization_id, relationship) "
			      "SELECT $2::bigint, id, 'sponsor' FROM o", 2, p));
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment invoice --company 'Fjordland Catering' "
		    "--contact Kari --email kari@fjordland.test && "
		    "$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment invoice --company 'Fjordland Catering' && "
		    "$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment invoice --company 'Fjordside Secret'",
		    event_id, event_id, other);
	assert_int_equal(r.status, 0);
	run_free(&r);

	db = db_new(NULL, "forms-test");
	assert_true(db_connect(db));
	res = db_company_search(db, event_id, "FJORD", 10);
	assert_non_null(res);
	assert_int_equal(PQntuples(res), 2); /* not the other event's */
	assert_string_equal(db_text(res, 0, CM_NAME), org_name); /* prefix, then by name */
	assert_false(PQgetisnull(res, 0, CM_ORG));
	assert_string_equal(db_text(res, 1, CM_NAME), "Fjordland Catering");
	assert_true(PQgetisnull(res, 1, CM_ORG));
	assert_string_equal(db_text(res, 1, CM_CONTACT), "Kari"); /* the latest order that knows one */
	assert_string_equal(db_text(res, 1, CM_EMAIL), "kari@fjordland.test");
	PQclear(res);
	res = db_company_search(db, event_id, "caterng", 10); /* a typo: trigrams */
	assert_non_null(res);
	assert_int_equal(PQntuples(res), 1);
	assert_string_equal(db_text(res, 0, CM_NAME), "Fjordland Catering");
	PQclear(res);
	res = db_company_search(db, event_id, "land cat", 10); /* inside the name */
	assert_non_null(res);
	assert_int_equal(PQntuples(res), 1);
	PQclear(res);
	res = db_company_search(db, event_id, "%", 10); /* no pattern characters */
	assert_non_null(res);
	assert_int_equal(PQntuples(res), 0);
	PQclear(res);
	db_free(db);
	PQfinish(c);
}

/* Item 4, the screen: the Company field searches as it is typed and
 * shows the matches; Down then Enter (or Tab) fills in the company, the
 * contact and the e-mail an earlier order knows; the order is made with
 * them. */
static void test_neworder_company_searches_as_you_type(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Typeahead Gala"), "2040-06-01", 0);
	const char *org_name = unique_name("Nordlys Sponsor"), *ev = ev_param(event_id);
	const char *p[2] = { org_name, ev };
	PGconn *c = test_connect();
	struct run_result r;
	(void)state;

	make_type(event_id, "Adult", 100, 1000, 1);
	PQclear(test_query(c, "WITH o AS (INSERT INTO organization (name) VALUES ($1) RETURNING id) "
			      "INSERT INTO event_organization (event_id, organization_id, relationship) "
			      "SELECT $2::bigint, id, 'sponsor' FROM o", 2, p));
	r = run_cmd("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment invoice --company 'Nordlyset Catering' "
		    "--contact 'Kari Nordmann' --email kari@nordlyset.test", event_id);
	assert_int_equal(r.status, 0);
	run_free(&r);

	open_neworder(&t, event_id);
	tmux_type(&t, "nord");
	assert_true(tmux_wait_for(&t, "(organization)", 3000));
	assert_true(screen_has(&t, org_name));
	assert_true(tmux_wait_for(&t, "Nordlyset Catering  · Kari Nordmann, kari@nordlyset.test", 3000));
	tmux_type(&t, "lyset");
	/* the prefix match comes first; the organization stays as a close one */
	assert_true(tmux_wait_for(&t, "Contact          Nordlyset Catering", 3000));
	tmux_keys(&t, "Down");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Kari Nordmann_", 3000)); /* the focus moves on to Contact */
	assert_true(screen_has(&t, "kari@nordlyset.test"));
	assert_true(screen_has(&t, "Kari Nordmann"));
	/* Contact has the focus: E-mail, Payment, Adult */
	tmux_keys(&t, "Tab Tab Tab 2");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "created", 3000));
	assert_int_equal(scalar_ev(c, "SELECT count(*) FROM ticket_order WHERE event_id = $1 AND company = "
				      "'Nordlyset Catering' AND contact = 'Kari Nordmann' AND "
				      "email = 'kari@nordlyset.test' AND quantity = 2", event_id), 1);

	/* an organization chosen with Tab: the order is on its behalf */
	tmux_type(&t, "NORDLYS SP");
	assert_true(tmux_wait_for(&t, "(organization)", 3000));
	tmux_keys(&t, "Down");
	tmux_keys(&t, "Tab");
	assert_true(tmux_wait_gone(&t, "(organization)", 3000));
	tmux_keys(&t, "Tab Tab Tab 1 Enter");
	assert_true(tmux_wait_for(&t, "created", 3000));
	assert_int_equal(scalar_ev(c, "SELECT count(*) FROM ticket_order t JOIN event_organization eo ON "
				      "eo.id = t.event_org_id WHERE t.event_id = $1 AND t.company LIKE 'Nordlys Sponsor %'",
				   event_id), 1);
	tmux_stop(&t);
	PQfinish(c);
}

/* Item 6: at 80×24 both forms fit: a long type name and a large amount
 * abbreviate (never cut), the hint lines are whole. */
static void test_forms_fit_80x24(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Fit Gala"), "2040-07-01", 0);
	(void)state;

	make_type(event_id, "Grandstand Premium Lounge Weekend", 20000, 999900, 1);
	open_sale(&t, event_id, "Grandstand");
	tmux_keys(&t, "1 0 0 0 0");
	/* the name gives way to the numbers, which are whole */
	assert_true(tmux_wait_for(&t, "10000 × Grand… 9,999.00 = 99,990,000.00 + VAT 24,997,500.00 = 124,987,500.00", 3000));
	assert_true(screen_has(&t, "Enter: check and sell"));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "124,987,500.00 incl. VAT? y/n", 3000));
	assert_true(screen_has(&t, "y or Enter: sell"));
	tmux_keys(&t, "n");
	tmux_stop(&t);

	open_neworder(&t, event_id);
	assert_true(tmux_wait_for(&t, "× 9,999.00", 3000));
	/* ? is a character in a text field, and the help says so */
	tmux_keys(&t, "Q ?");
	assert_true(tmux_wait_for(&t, "Q?_", 3000));
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "Help: keys of", 3000));
	assert_true(tmux_wait_for(&t, "(in a text field: F1)", 1000));
	tmux_keys(&t, "Escape");
	assert_true(tmux_wait_for(&t, "Q?_", 3000));
	tmux_keys(&t, "C-u");
	assert_true(tmux_wait_gone(&t, "Q?", 3000));
	tmux_keys(&t, "Tab Tab Tab Tab 1 0 0 0 0");
	assert_true(tmux_wait_for(&t, "× 9,999.00 = 124,987,500.00 incl. VAT", 3000)); /* exact, the VAT in the total */
	assert_true(tmux_wait_for(&t, "Total, 10000 tickets: 99,990,000.00 + VAT 24,997,500.00 = 124,987,500.00", 3000));
	assert_true(screen_has(&t, "Enter creates the order, Esc leaves."));
	tmux_stop(&t);
}

/* A ticket of several seats: the counter sale says how many seats the
 * quantity takes from the stock before it is sold, and the inventory
 * moves by that many. */
static void test_sale_of_group_tickets_says_seats(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Seat Gala"), "2040-07-02", 0);
	(void)state;

	make_type(event_id, "Group Box", 100, 150000, 10);
	open_sale(&t, event_id, "Group Box");
	assert_true(tmux_wait_for(&t, "10 seats a ticket: 1 ticket takes 10 seats", 3000));
	tmux_keys(&t, "3");
	assert_true(tmux_wait_for(&t, "10 seats a ticket: 3 tickets take 30 seats", 3000));
	tmux_keys(&t, "BSpace");
	tmux_keys(&t, "5 0 0");
	/* counts as the inventory writes them */
	assert_true(tmux_wait_for(&t, "10 seats a ticket: 500 tickets take 5,000 seats", 3000));
	tmux_keys(&t, "BSpace BSpace BSpace 3");
	assert_true(tmux_wait_for(&t, "10 seats a ticket: 3 tickets take 30 seats", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "incl. VAT? y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "Tickets: 3", 5000));
	{
		PGconn *c = test_connect();
		assert_int_equal(scalar_ev(c, "SELECT sold FROM ticket_type WHERE event_id = $1", event_id), 30);
		PQfinish(c);
	}
	tmux_stop(&t);
}

/* A long type name of letters beyond ASCII: the inventory kept 100 bytes
 * of it, cut inside an "Ü", and the sale's charge line and question lost
 * their amounts (an invalid name measured as fitting); the name gives way
 * and the amounts stay. */
static void test_sale_of_a_long_name_beyond_ascii_shows_its_amounts(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Cruise Gala"), "2040-07-03", 0);
	char name[256];
	PGconn *c = test_connect();
	(void)state;

	snprintf(name, sizeof name, "VIP Backstage Pass with Dinner and \u00c5lesund Fjord Cruise %s",
		 "\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc"
		 "\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc\u00dc");
	make_type(event_id, name, 100, 125050, 1);
	open_sale(&t, event_id, "VIP Backstage");
	tmux_keys(&t, "BSpace");
	tmux_keys(&t, "7");
	assert_true(tmux_wait_for(&t, "= 8,753.50 + VAT 2,188.38 = 10,941.88", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "card: 10,941.88 incl. VAT? y/n", 3000));
	assert_true(screen_has(&t, "Sell 7 \u00d7 VIP Backstage"));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "Order #", 5000));
	assert_int_equal(scalar_ev(c, "SELECT gross_cents FROM ticket_order WHERE event_id = $1", event_id), 1094188);
	tmux_stop(&t);
	PQfinish(c);
}

/* A refusal goes once the form changes (it was about what the form held
 * before); a sponsored counter sale names its sponsor. */
static void test_sale_refusals_go_and_sponsored_names_its_sponsor(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Sponsor Gala"), "2040-07-03", 0);
	(void)state;

	make_type(event_id, "Adult", 100, 10000, 1);
	open_sale(&t, event_id, "Adult");
	tmux_keys(&t, "BSpace Enter");
	assert_true(tmux_wait_for(&t, "Quantity ", 3000));
	assert_true(tmux_wait_for(&t, "(1 to 10000).", 3000));
	tmux_keys(&t, "2");
	assert_true(tmux_wait_gone(&t, "(1 to 10000).", 3000));
	tmux_keys(&t, "s"); /* a payment letter from the quantity field: sponsored */
	assert_true(tmux_wait_for(&t, "sponsored", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Company: a sponsored sale names its sponsor.", 3000));
	tmux_type(&t, "Sponsor AB");
	assert_true(tmux_wait_gone(&t, "names its sponsor", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "? y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "Order #", 5000));
	{
		PGconn *c = test_connect();
		assert_int_equal(scalar_ev(c, "SELECT count(*) FROM ticket_order WHERE event_id = $1 "
					      "AND company = 'Sponsor AB' AND payment = 'sponsored'",
					   event_id),
				 1);
		PQfinish(c);
	}
	tmux_stop(&t);
}

/* A key refused because the field is full says the field's limit on
 * the status line (the bell alone did not): a number's digits, a text's
 * characters. */
static void test_full_field_says_its_limit(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Limit Gala"), "2040-07-05", 0);
	char company[202];
	(void)state;

	make_type(event_id, "Adult", 100, 10000, 1);
	open_sale(&t, event_id, "Adult");
	tmux_type(&t, "12345");
	assert_true(tmux_wait_for(&t, "12345", 3000));
	assert_false(screen_has(&t, "at most"));
	tmux_type(&t, "6");
	assert_true(tmux_wait_for(&t, "Quantity: at most 5 digits", 3000));
	/* Payment, Company: 200 characters, the 201st refused */
	tmux_keys(&t, "Tab Tab");
	memset(company, 'c', 201);
	company[201] = '\0';
	tmux_type(&t, company);
	if (!tmux_wait_for(&t, "Company: at most 200 characters", 3000)) {
		char *screen = tmux_capture(&t);
		fail_msg("no limit said for the company:\n%s", screen);
	}
	tmux_stop(&t);
}

/* A letter in a number is said at once on the status line ("Quantity
 * takes digits only"), as a full field is: it was dropped in silence. On
 * the sale a payment letter and Space still choose the payment from the
 * quantity (as the hint says); a letter no payment starts with is said
 * too; the new order's quantities say it under the type's name. */
static void test_a_letter_in_a_number_is_said(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Digits Gala"), "2040-07-06", 0);
	PGconn *c = test_connect();
	(void)state;

	make_type(event_id, "Adult", 100, 10000, 1);
	open_sale(&t, event_id, "Adult");
	tmux_keys(&t, "x");
	if (!tmux_wait_for(&t, "Quantity takes digits only", 3000)) {
		char *screen = tmux_capture(&t);
		fail_msg("a letter in the quantity dropped unsaid:\n%s", screen);
	}
	assert_true(screen_has(&t, "1 × Adult"));
	tmux_keys(&t, "2"); /* a change takes the refusal away */
	assert_true(tmux_wait_gone(&t, "takes digits only", 3000));
	assert_true(tmux_wait_for(&t, "2 × Adult", 3000));
	tmux_type(&t, "1."); /* "21", the dot said */
	assert_true(tmux_wait_for(&t, "Quantity takes digits only", 3000));
	assert_true(screen_has(&t, "21 × Adult"));
	tmux_keys(&t, "BSpace");
	tmux_keys(&t, "Space"); /* from the quantity: the next payment, as the hint says */
	assert_true(tmux_wait_for(&t, "invoice", 3000));
	assert_false(screen_has(&t, "takes digits only"));
	tmux_keys(&t, "Tab z"); /* on Payment: no payment starts with z */
	assert_true(tmux_wait_for(&t, "Payment: no choice starts with \"z\"", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Sell 2 × Adult, invoice", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "Order #", 5000));
	assert_int_equal(scalar_ev(c, "SELECT count(*) FROM ticket_order WHERE event_id = $1 AND quantity = 2 "
				      "AND payment = 'invoice'",
				   event_id),
			 1);
	tmux_stop(&t);

	open_neworder(&t, event_id);
	tmux_type(&t, "Digits AB");
	tmux_keys(&t, "Tab Tab Tab Tab"); /* Contact, E-mail, Payment, Adult */
	tmux_keys(&t, "a");
	assert_true(tmux_wait_for(&t, "Adult takes digits only", 3000));
	tmux_keys(&t, "3");
	assert_true(tmux_wait_gone(&t, "takes digits only", 3000));
	assert_true(tmux_wait_for(&t, "Total, 3 tickets", 3000));
	tmux_stop(&t);
	PQfinish(c);
}

/* The screen line holding text, copied (the caller frees), or NULL. */
static char *line_of(struct tmux *t, const char *text)
{
	char *screen = tmux_capture(t), *line = NULL;
	int row = screen_row_of(screen, text);
	char *p = screen;
	for (int i = 0; row >= 0 && i < row && p; i++)
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
	if (row >= 0 && p)
		line = strndup(p, strcspn(p, "\n"));
	free(screen);
	return line;
}

/* Whether the field on the line holding label has the cursor ("_"
 * after its text). */
static bool focused(struct tmux *t, const char *label)
{
	char *line = line_of(t, label);
	bool yes = line && strchr(line + strlen(label), '_');
	free(line);
	return yes;
}

/* More ticket types (15) and organizations (70) than the form's tables
 * held (12 and 64, the rest dropped without a word): Up from the first
 * field wraps to the last type, Left on Organization to the last
 * organization by name, and the order made is for both. */
static void test_neworder_offers_every_type_and_organization(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Many Gala"), "2040-06-01", 0), last_type = 0;
	PGconn *c = test_connect();
	char sql[512], last_org[64];
	(void)state;

	for (int k = 1; k <= 15; k++) {
		char name[16];
		snprintf(name, sizeof name, "Type %02d", k);
		last_type = make_type(event_id, name, 100, 100 * k, 1);
	}
	/* the calls `org add` makes, in one statement (70 CLI runs take long) */
	snprintf(sql, sizeof sql, "SELECT count(org_add(%lld, 'Many %lld ' || lpad(g::text, 2, '0'), '{}')) "
		 "FROM generate_series(1, 70) g", event_id, event_id);
	PQclear(test_query(c, sql, 0, NULL));
	snprintf(last_org, sizeof last_org, "Many %lld 70", event_id);
	open_neworder(&t, event_id);
	assert_false(screen_has(&t, "Type 15"));
	tmux_keys(&t, "Up Up"); /* Company, Organization, then round to the last */
	assert_true(tmux_wait_for(&t, "Type 15", 3000));
	assert_true(tmux_wait_for(&t, "of 15", 1000));
	tmux_keys(&t, "2");
	assert_true(tmux_wait_for(&t, "× 15.00 = 30.00", 3000));
	assert_false(screen_has(&t, "offered here")); /* nothing left out */
	tmux_keys(&t, "Down Left"); /* round to Organization; from (none) to the last */
	assert_true(tmux_wait_for(&t, last_org, 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "created", 5000));
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM ticket_order o JOIN order_line l ON l.order_id = o.id "
		 "JOIN event_organization eo ON eo.id = o.event_org_id JOIN organization g ON g.id = eo.organization_id "
		 "WHERE o.event_id = $1 AND g.name = 'Many %lld 70' AND l.type_id = %lld AND l.qty = 2",
		 event_id, last_type);
	assert_int_equal(scalar_ev(c, sql, event_id), 1);
	tmux_stop(&t);
	PQfinish(c);
}

/* A refusal on Enter puts the cursor on the field it is about, with
 * the refusal shown, whatever field Enter was pressed on: a blank
 * contact (the cursor stayed where it was), a type the database says
 * is short of seats ("only 2 left (Small)"), a bad quantity of a type
 * beyond the rows 80x24 holds (the rows scroll: the 9th and 10th types
 * were never drawn, nor counted in the total). What is typed after the
 * refusal corrects that field, and the order is made. */
static void test_neworder_refusal_goes_to_the_wrong_field(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Focus Gala"), "2040-07-07", 0);
	PGconn *c = test_connect();
	char name[16];
	(void)state;

	make_type(event_id, "Small", 2, 1000, 1);
	for (int i = 2; i <= 10; i++) {
		snprintf(name, sizeof name, "Kind %02d", i);
		make_type(event_id, name, 100, 1000, 1);
	}
	open_neworder(&t, event_id);
	tmux_type(&t, "Focus AB");
	tmux_keys(&t, "Tab Space Space Tab Tab Tab 5"); /* Contact blank, Small 5 */
	assert_true(tmux_wait_for(&t, "Total, 5 tickets", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Contact is blank.", 3000));
	if (!focused(&t, "Contact")) {
		char *screen = tmux_capture(&t);
		fail_msg("the cursor is not on the blank contact:\n%s", screen);
	}
	tmux_keys(&t, "Tab Tab Tab");
	assert_true(screen_has(&t, "Contact is blank.")); /* moving keeps it in view */
	tmux_keys(&t, "BTab BTab BTab C-u");
	tmux_type(&t, "Carl");
	assert_true(tmux_wait_gone(&t, "Contact is blank.", 3000));
	/* the cursor back on Company; the database refuses Small's 5 */
	tmux_keys(&t, "BTab");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "only 2 left (Small)", 5000));
	if (!focused(&t, "Small")) {
		char *screen = tmux_capture(&t);
		fail_msg("the cursor is not on the type short of seats:\n%s", screen);
	}
	tmux_keys(&t, "BSpace 2");
	/* the 10th type, beyond the rows, emptied (Up from Small goes
	 * round to it): the rows scroll to show it */
	tmux_keys(&t, "Up Up Up Up Up Up BSpace");
	assert_true(tmux_wait_for(&t, "Kind 10", 3000));
	assert_true(tmux_wait_for(&t, "of 10", 3000));
	assert_true(focused(&t, "Kind 10"));
	/* back to the first rows, then Company: Enter goes to the 10th, shown */
	tmux_keys(&t, "Tab Tab Tab Tab Tab Tab");
	assert_true(tmux_wait_gone(&t, "Kind 10", 3000));
	tmux_keys(&t, "BTab BTab BTab BTab");
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Kind 10: a quantity from 0 to 10000.", 3000));
	if (!focused(&t, "Kind 10")) {
		char *screen = tmux_capture(&t);
		fail_msg("the wrong quantity is not shown with the cursor:\n%s", screen);
	}
	tmux_keys(&t, "3");
	assert_true(tmux_wait_for(&t, "Total, 5 tickets", 3000)); /* 2 Small and 3 of the 10th, counted */
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "created", 5000));
	assert_int_equal(scalar_ev(c, "SELECT count(*) FROM ticket_order WHERE event_id = $1 AND company = 'Focus AB' "
				      "AND contact = 'Carl' AND quantity = 5",
				   event_id),
			 1);
	tmux_stop(&t);
	PQfinish(c);
}

/* The screen's bottom line (the key bar) as captured; the caller frees
 * what it returns through *screen. */
static const char *bar_line(struct tmux *t, char **screen)
{
	char *end;
	*screen = tmux_capture(t);
	end = *screen + strlen(*screen);
	while (end > *screen && end[-1] == '\n')
		*--end = '\0';
	while (end > *screen && end[-1] != '\n')
		end--;
	return end;
}

/* The key bar offers only what acts: Tab Next while the form is filled,
 * not after the sale is made (Enter then starts the next sale). */
static void test_sale_bar_after_the_sale(void **state)
{
	struct tmux t;
	long long event_id = make_event(unique_name("Bar Gala"), "2040-07-04", 0);
	char *screen;
	const char *bar;
	(void)state;

	make_type(event_id, "Adult", 100, 10000, 1);
	open_sale(&t, event_id, "Adult");
	bar = bar_line(&t, &screen);
	if (!strstr(bar, "EnterDone") || !strstr(bar, "TabNext"))
		fail_msg("the form's bar without EnterDone TabNext: '%s'", bar);
	free(screen);
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "? y/n", 3000));
	tmux_keys(&t, "y");
	assert_true(tmux_wait_for(&t, "another sale of this type", 5000));
	bar = bar_line(&t, &screen);
	if (strstr(bar, "Tab") || !strstr(bar, "Enter") || !strstr(bar, "F1Help"))
		fail_msg("after the sale the bar still offers Tab (or lost Enter): '%s'\n%s", bar, screen);
	free(screen);
	/* Enter starts the next sale, and Tab is back */
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "check and sell", 3000));
	bar = bar_line(&t, &screen);
	if (!strstr(bar, "TabNext"))
		fail_msg("the next sale's bar without TabNext: '%s'", bar);
	free(screen);
	tmux_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sale_shows_the_charge_live_and_y_sells),
		cmocka_unit_test(test_typing_replaces_a_prefilled_number),
		cmocka_unit_test(test_neworder_shows_each_line_and_the_total),
		cmocka_unit_test(test_esc_on_a_half_filled_form_asks),
		cmocka_unit_test(test_company_search_reads),
		cmocka_unit_test(test_neworder_company_searches_as_you_type),
		cmocka_unit_test(test_forms_fit_80x24),
		cmocka_unit_test(test_sale_of_group_tickets_says_seats),
		cmocka_unit_test(test_sale_of_a_long_name_beyond_ascii_shows_its_amounts),
		cmocka_unit_test(test_sale_refusals_go_and_sponsored_names_its_sponsor),
		cmocka_unit_test(test_sale_bar_after_the_sale),
		cmocka_unit_test(test_full_field_says_its_limit),
		cmocka_unit_test(test_a_letter_in_a_number_is_said),
		cmocka_unit_test(test_neworder_refusal_goes_to_the_wrong_field),
		cmocka_unit_test(test_neworder_offers_every_type_and_organization),
	};
	struct run_result r = run_cmd("$BOXOFFICE migrate");
	run_free(&r);
	/* FORMS_TEST=test_esc* runs only the matching tests. */
	if (getenv("FORMS_TEST") && *getenv("FORMS_TEST"))
		cmocka_set_test_filter(getenv("FORMS_TEST"));
	return cmocka_run_group_tests_name("forms", tests, NULL, NULL);
}

/* The people outside the box office, in a real browser (headless Chromium
 * through tests/webdriver.h): a buyer orders on the public ticket page of
 * a running `boxoffice serve`, and the order appears on the Ticket Orders
 * screen of a running station (tmux, 80x24) without a key pressed; the
 * participant opens the My Tickets link the box office gives them, and the
 * QR on a screenshot of the page decodes (zbarimg) to a token the station
 * accepts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "http.h"
#include "tmux.h"
#include "webdriver.h"

static PGconn *conn;
static struct wd *browser;

static int setup(void **state)
{
	(void)state;
	conn = test_migrate_connect();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	wd_stop(browser);
	browser = NULL;
	PQfinish(conn);
	return 0;
}

static void test_buy_on_the_page_then_my_tickets(void **state)
{
	struct served s;
	struct tmux t;
	char url[300], css[64], cmd[400], png[200], *text, *id_text;
	long long ev, ty, order, ticket, person;
	struct run_result r;
	json_t *doc, *list;

	(void)state;
	ev = make_event(unique_name("Browser Fest"), "2027-08-01", 0);
	ty = make_type(ev, "Adult", 40, 45000, 1);
	serve_start(&s, NULL);

	/* a station on Ticket Orders, watching */
	snprintf(cmd, sizeof cmd, "$BOXOFFICE --station box-1 --screen orders --event %lld; sleep 60", ev);
	tmux_start(&t, "browser", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Ticket Orders", 10000));

	/* the buyer, on a phone */
	browser = wd_start(WD_PHONE);
	snprintf(url, sizeof url, "%s/events/%lld", s.url, ev);
	wd_get(browser, url);
	assert_true(wd_wait_text(browser, "body", "Adult", 10000));
	snprintf(css, sizeof css, "[name=qty_%lld]", ty);
	wd_clear(browser, wd_find(browser, css));
	wd_type(browser, wd_find(browser, css), "2");
	wd_select(browser, wd_find(browser, "[name=payment]"), "invoice");
	wd_type(browser, wd_find(browser, "[name=company]"), "Browser Buyers AS");
	wd_type(browser, wd_find(browser, "[name=contact]"), "Bea Buyer");
	wd_type(browser, wd_find(browser, "[name=email]"), "bea@example.com");
	wd_click(browser, wd_find(browser, "#buy"));
	id_text = wd_text(browser, "#order-number");
	order = atoll(strpbrk(id_text, "0123456789") ? strpbrk(id_text, "0123456789") : "0");
	free(id_text);
	assert_true(order > 0);

	/* the station shows it, nobody pressed a key */
	if (!tmux_wait_for(&t, "Browser Buyers", 10000)) {
		char *screen = tmux_capture(&t);
		fail_msg("the web order is not on the station's screen:\n%s", screen);
	}
	tmux_stop(&t);
	{
		char idt[24];
		const char *p[1] = { idt };
		snprintf(idt, sizeof idt, "%lld", order);
		assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket_order WHERE id = $1::bigint AND channel = 'web' "
						   "AND status = 'requested' AND quantity = 2 AND company = 'Browser Buyers AS'",
					     1, p),
				 1);
	}

	/* the box office invoices, is paid, assigns a ticket and sends the link */
	json_decref(cli_json("$BOXOFFICE order invoice %lld", order));
	json_decref(cli_json("$BOXOFFICE order settle %lld --ref WEB-1", order));
	list = cli_json("$BOXOFFICE ticket list --order %lld --json", order);
	assert_int_equal(json_array_size(list), 2);
	ticket = json_integer_value(json_object_get(json_array_get(list, 0), "id"));
	json_decref(list);
	doc = cli_json("$BOXOFFICE ticket assign %lld --name 'Bea Buyer' --email bea@example.com", ticket);
	person = json_integer_value(json_object_get(doc, "person"));
	json_decref(doc);
	doc = cli_json("$BOXOFFICE ticket link --person %lld --base %s --json", person, s.url);
	snprintf(url, sizeof url, "%s", json_string_value(json_object_get(doc, "url")));
	json_decref(doc);

	/* the participant opens it and shows the QR at the door */
	wd_stop(browser);
	browser = wd_start(WD_DESKTOP);
	wd_get(browser, url);
	assert_true(wd_wait_text(browser, "body", "Bea Buyer", 10000));
	snprintf(css, sizeof css, "img[src*='%lld']", ticket);
	snprintf(png, sizeof png, "%s/my-tickets-%d.png", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	wd_elem_screenshot(browser, wd_find(browser, css), png);
	r = run_cmd("zbarimg --raw -q %s", png);
	if (r.status != 0)
		fail_msg("no QR decoded from the page's screenshot %s: %s", png, r.err);
	text = strdup(r.out);
	text[strcspn(text, "\r\n")] = '\0';
	run_free(&r);
	r = run_cmd("$BOXOFFICE ticket verify '%s'", text);
	if (r.status != 0)
		fail_msg("the QR's token is not accepted (%d): %s %s", r.status, r.out, r.err);
	{
		char want[32];
		snprintf(want, sizeof want, "%lld", ticket);
		assert_non_null(strstr(r.out, want));
	}
	run_free(&r);
	free(text);
	unlink(png);
	wd_stop(browser);
	browser = NULL;
	assert_int_equal(serve_stop(&s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buy_on_the_page_then_my_tickets),
	};
	return cmocka_run_group_tests_name("serve_browser", tests, setup, teardown);
}

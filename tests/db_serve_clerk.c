/* What a clerk and a first-time buyer trip over with `boxoffice serve`:
 * a My Tickets link for a person who does not exist is refused (exit 1,
 * as every "no such ID"), and on a phone a ticket's type, number and
 * status stay on one line (the event page's flex rule for its type rows
 * must not turn My Tickets' type into a ruled block of its own). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "http.h"
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

static void test_link_for_no_such_person_is_refused(void **state)
{
	struct run_result r;

	(void)state;
	r = run_cmd("$BOXOFFICE ticket link --person 999999999");
	assert_int_equal(r.status, 1);
	assert_string_equal(r.out, "");
	assert_non_null(strstr(r.err, "boxoffice: "));
	assert_non_null(strstr(r.err, "999999999"));
	assert_null(strchr(strchr(r.err, '\n') + 1, '\n')); /* one line */
	run_free(&r);
}

static void test_my_tickets_line_reads_on_a_phone(void **state)
{
	struct served s;
	char url[300], js[300], *same;
	long long ev, order, ticket, person;
	json_t *doc;

	(void)state;
	ev = make_event(unique_name("Clerk Fest"), "2027-08-01", 0);
	make_type(ev, "Adult", 10, 45000, 1);
	order = cli_json_id("$BOXOFFICE sell --event %lld --type Adult --qty 1 --company 'Clerk AS'", ev);
	ticket = first_ticket(order);
	doc = cli_json("$BOXOFFICE ticket assign %lld --name 'Cleo Clerk' --email cleo@example.com", ticket);
	person = json_integer_value(json_object_get(doc, "person"));
	json_decref(doc);
	serve_start(&s, NULL);
	doc = cli_json("$BOXOFFICE ticket link --person %lld --base %s --json", person, s.url);
	snprintf(url, sizeof url, "%s", json_string_value(json_object_get(doc, "url")));
	json_decref(doc);

	browser = wd_start(WD_PHONE);
	wd_get(browser, url);
	assert_true(wd_wait_text(browser, "body", "Cleo Clerk", 10000));
	snprintf(js, sizeof js,
		 "var t = document.querySelector('#ticket-%lld .type'), s = document.querySelector('#ticket-%lld .status');"
		 "return Math.abs(t.getBoundingClientRect().top - s.getBoundingClientRect().top) < 4;",
		 ticket, ticket);
	same = wd_script(browser, js);
	assert_string_equal(same, "true");
	free(same);
	wd_stop(browser);
	browser = NULL;
	assert_int_equal(serve_stop(&s), 0);
}

static void test_page_says_what_is_wrong_with_the_email(void **state)
{
	struct served s;
	struct http_answer a;
	char path[64], body[200];
	const char *form[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
	long long ev, ty;

	(void)state;
	ev = make_event(unique_name("Clerk Mail"), "2027-08-02", 0);
	ty = make_type(ev, "Adult", 10, 45000, 1);
	serve_start(&s, NULL);
	snprintf(path, sizeof path, "/events/%lld/order", ev);
	snprintf(body, sizeof body, "payment=invoice&company=A&contact=B&email=x&qty_%lld=1", ty);
	a = http_do(&s, "POST", path, NULL, body, form);
	assert_int_equal(a.status, 400);
	assert_non_null(strstr(a.body, "That e-mail address looks wrong"));
	http_answer_free(&a);
	snprintf(body, sizeof body, "payment=invoice&company=A&contact=B&email=&qty_%lld=1", ty);
	a = http_do(&s, "POST", path, NULL, body, form);
	assert_int_equal(a.status, 400);
	assert_non_null(strstr(a.body, "Enter your e-mail address"));
	http_answer_free(&a);
	assert_int_equal(serve_stop(&s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_for_no_such_person_is_refused),
		cmocka_unit_test(test_my_tickets_line_reads_on_a_phone),
		cmocka_unit_test(test_page_says_what_is_wrong_with_the_email),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

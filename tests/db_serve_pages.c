/* The participant's side of `boxoffice serve` (src/http/pages.c,
 * routes_holder.c), the real binary against the real database, served by
 * an api login: the public ticket page (types, prices incl. VAT, what is
 * left, hostile names escaped), orders through its form (web channel,
 * invoice and card, sold out re-shown, a double submit ordering once, the
 * per-address rate), My Tickets by signed link, the QR as PNG (decoded by
 * zbarimg and verified by the CLI) and SVG, and the holder key's reads. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "http.h"

static PGconn *conn;
static char api_login[64];

static const char *const FORM[] = { "Content-Type: application/x-www-form-urlencoded", NULL };

static int setup(void **state)
{
	struct run_result r;

	(void)state;
	conn = test_migrate_connect();
	snprintf(api_login, sizeof api_login, "pages_api_%d", (int)getpid());
	r = run_cmd("$BOXOFFICE user add %s --role api", api_login);
	if (r.status != 0)
		fail_msg("user add %s: %d %s", api_login, r.status, r.err);
	run_free(&r);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

/* serve as the api login (the narrow role it runs with in production). */
static void start(struct served *s)
{
	char env[100];

	snprintf(env, sizeof env, "PGUSER=%s", api_login);
	serve_start_as(s, env, NULL, NULL);
}

static long long scalar_of(const char *sql, long long id)
{
	char idt[24];
	const char *p[1] = { idt };
	snprintf(idt, sizeof idt, "%lld", id);
	return test_scalar(conn, sql, 1, p);
}

/* application/x-www-form-urlencoded of one value, appended. */
static void enc(char *out, size_t size, const char *name, const char *value)
{
	size_t n = strlen(out);

	n += (size_t)snprintf(out + n, size - n, "%s%s=", n ? "&" : "", name);
	for (const unsigned char *c = (const unsigned char *)value; *c && n + 4 < size; c++) {
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("-._~", *c))
			out[n++] = (char)*c;
		else if (*c == ' ')
			out[n++] = '+';
		else
			n += (size_t)snprintf(out + n, size - n, "%%%02X", *c);
	}
	out[n] = '\0';
}

/* The number in the page's <… id="order-number">N<, or 0. */
static long long order_number(const char *html)
{
	const char *p = html ? strstr(html, "id=\"order-number\">") : NULL;
	return p ? atoll(p + 18) : 0;
}

/* The hidden idempotency token of a rendered form (static buffer). */
static const char *form_idem(const char *html)
{
	static char tok[64];
	const char *p = strstr(html, "name=\"idem\" value=\"");
	size_t n;

	assert_non_null(p);
	p += 19;
	n = strcspn(p, "\"");
	assert_true(n > 10 && n < sizeof tok);
	memcpy(tok, p, n);
	tok[n] = '\0';
	return tok;
}

static json_t *order_listed(const char *company)
{
	json_t *rows = cli_json("$BOXOFFICE order list --search '%s' --json", company);
	assert_int_equal(json_array_size(rows), 1);
	return rows;
}

/* The page: each type with its price incl. VAT and what the web can still
 * sell; hostile event and type names come out as text. */
static void quota_set(long long ev, long long type, const char *channel, int quota)
{
	struct run_result r = run_cmd("$BOXOFFICE quota --event %lld --type %lld --channel %s --quota %d", ev, type,
				      channel, quota);
	assert_int_equal(r.status, 0);
	run_free(&r);
}

static void test_page_lists_types_and_escapes_names(void **state)
{
	struct served s;
	char name[128], path[64], want[160];
	long long ev, adult, vip, group;
	struct http_answer a;

	(void)state;
	snprintf(name, sizeof name, "<script>alert(1)</script> %s", unique_name("Gala"));
	ev = make_event(name, "2027-06-01", 0);
	adult = make_type(ev, "Adult", 10, 4000, 1);
	vip = make_type(ev, "<script>alert(2)</script>&\"x", 5, 10001, 1);
	group = make_type(ev, "Group", 105, 20000, 10); /* 105 seats: 10 tickets of 10 */
	json_decref(cli_json("$BOXOFFICE sell --event %lld --type %lld --qty 3 --payment card", ev, adult));
	start(&s);
	snprintf(path, sizeof path, "/events/%lld", ev);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(http_answer_header(&a, "Content-Type"), "text/html"));
	assert_null(strstr(a.body, "<script"));
	assert_non_null(strstr(a.body, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(a.body, "&lt;script&gt;alert(2)&lt;/script&gt;&amp;&quot;x"));
	assert_non_null(strstr(a.body, "name=\"viewport\""));
	/* 40.00 net + 25% = 50.00; 100.01 + 25.00 (25.0025 rounded) = 125.01 */
	snprintf(want, sizeof want, "id=\"price-%lld\">50.00 incl. 25%% VAT", adult);
	assert_non_null(strstr(a.body, want));
	snprintf(want, sizeof want, "id=\"price-%lld\">125.01 incl. 25%% VAT", vip);
	assert_non_null(strstr(a.body, want));
	snprintf(want, sizeof want, "id=\"available-%lld\">7 left", adult);
	assert_non_null(strstr(a.body, want));
	snprintf(want, sizeof want, "name=\"qty_%lld\" min=\"0\" max=\"7\"", adult);
	assert_non_null(strstr(a.body, want));
	snprintf(want, sizeof want, "name=\"qty_%lld\" min=\"0\" max=\"5\"", vip);
	assert_non_null(strstr(a.body, want));
	/* tickets, not seats */
	snprintf(want, sizeof want, "id=\"available-%lld\">10 left", group);
	assert_non_null(strstr(a.body, want));
	snprintf(want, sizeof want, "name=\"qty_%lld\" min=\"0\" max=\"10\"", group);
	assert_non_null(strstr(a.body, want));
	http_answer_free(&a);
	/* another channel's quota is not the web's to sell: Adult's 7 less a
	 * reseller's 5 unsold is 2; Group's 105 seats less 100 is no ticket */
	quota_set(ev, adult, "reseller", 5);
	quota_set(ev, group, "reseller", 100);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 200);
	snprintf(want, sizeof want, "id=\"available-%lld\">2 left", adult);
	assert_non_null(strstr(a.body, want));
	snprintf(want, sizeof want, "name=\"qty_%lld\" min=\"0\" max=\"2\"", adult);
	assert_non_null(strstr(a.body, want));
	snprintf(want, sizeof want, "id=\"available-%lld\">10 left", group);
	assert_null(strstr(a.body, want));
	/* and a web quota is the web's own count */
	quota_set(ev, adult, "web", 1);
	http_answer_free(&a);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	snprintf(want, sizeof want, "id=\"available-%lld\">1 left", adult);
	assert_non_null(strstr(a.body, want));
	assert_non_null(strstr(a.body, "<option value=\"invoice\""));
	assert_non_null(strstr(a.body, "<option value=\"card\""));
	assert_null(strstr(a.body, "value=\"free\""));
	assert_non_null(strstr(a.body, "id=\"buy\""));
	assert_non_null(strstr(a.body, "name=\"company\""));
	assert_non_null(strstr(a.body, "name=\"contact\""));
	assert_non_null(strstr(a.body, "name=\"email\""));
	http_answer_free(&a);

	/* free is offered when nothing costs anything; no event: 404 */
	{
		long long fe = make_event(unique_name("Free"), "2027-06-02", 0);
		make_type(fe, "Guest", 10, 0, 1);
		snprintf(path, sizeof path, "/events/%lld", fe);
		a = http_do(&s, "GET", path, NULL, NULL, NULL);
		assert_int_equal(a.status, 200);
		assert_non_null(strstr(a.body, "<option value=\"free\""));
		http_answer_free(&a);
	}
	a = http_do(&s, "GET", "/events/999999999", NULL, NULL, NULL);
	assert_int_equal(a.status, 404);
	http_answer_free(&a);
	assert_int_equal(serve_stop(&s), 0);
}

/* The form orders on the web channel: invoice requested, card requested
 * with its pay-by time; the confirmation says the number and amount. */
static void test_form_orders_on_the_web_channel(void **state)
{
	struct served s;
	long long ev = make_event(unique_name("Form"), "2027-06-03", 0);
	long long ty = make_type(ev, "Adult", 20, 4000, 1);
	const char *pay[2] = { "invoice", "card" };
	char path[64], field[32], body[1024], company[80], qty[8];
	struct http_answer a;

	(void)state;
	start(&s);
	snprintf(path, sizeof path, "/events/%lld/order", ev);
	snprintf(field, sizeof field, "qty_%lld", ty);
	for (int i = 0; i < 2; i++) {
		long long id;
		json_t *rows, *row;

		snprintf(company, sizeof company, "%s", unique_name("Acme & <Co>"));
		snprintf(qty, sizeof qty, "%d", i + 2);
		body[0] = '\0';
		enc(body, sizeof body, field, qty);
		enc(body, sizeof body, "payment", pay[i]);
		enc(body, sizeof body, "company", company);
		enc(body, sizeof body, "contact", "Åsa Öberg");
		enc(body, sizeof body, "email", "asa@example.org");
		enc(body, sizeof body, "idem", unique_name("tok"));
		a = http_do(&s, "POST", path, NULL, body, FORM);
		assert_int_equal(a.status, 200);
		id = order_number(a.body);
		assert_true(id > 0);
		/* 2 x 50.00 and 3 x 50.00 incl. VAT */
		assert_non_null(strstr(a.body, i == 0 ? "id=\"order-amount\">100.00<" : "id=\"order-amount\">150.00<"));
		assert_non_null(strstr(a.body, "id=\"order-status\">requested<"));
		if (i == 1)
			assert_non_null(strstr(a.body, "id=\"pay-by\""));
		else
			assert_null(strstr(a.body, "id=\"pay-by\""));
		http_answer_free(&a);

		rows = order_listed(company);
		row = json_array_get(rows, 0);
		assert_int_equal(json_integer_value(json_object_get(row, "id")), id);
		assert_string_equal(json_string_value(json_object_get(row, "status")), "requested");
		assert_string_equal(json_string_value(json_object_get(row, "payment")), pay[i]);
		assert_string_equal(json_string_value(json_object_get(row, "company")), company);
		json_decref(rows);
		assert_int_equal(scalar_of("SELECT count(*) FROM ticket_order WHERE id = $1::bigint AND channel = 'web'", id), 1);
		assert_int_equal(scalar_of("SELECT count(*) FROM ticket_order WHERE id = $1::bigint AND pay_by IS NOT NULL", id),
				 i == 1);
	}
	assert_int_equal(serve_stop(&s), 0);
}

/* Sold out and a bad e-mail: the form again with the reason and what the
 * buyer typed; a double submit of one rendering orders once. */
static void test_refusals_reshow_the_form_and_a_double_submit_orders_once(void **state)
{
	struct served s;
	long long ev = make_event(unique_name("Few"), "2027-06-04", 0);
	long long ty = make_type(ev, "Adult", 3, 4000, 1);
	char path[64], order_path[64], field[32], body[1024], company[80], idem[64], want[80];
	struct http_answer a, b;
	long long first;

	(void)state;
	start(&s);
	snprintf(path, sizeof path, "/events/%lld", ev);
	snprintf(order_path, sizeof order_path, "/events/%lld/order", ev);
	snprintf(field, sizeof field, "qty_%lld", ty);
	snprintf(company, sizeof company, "%s", unique_name("Late <b>"));

	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 200);
	snprintf(idem, sizeof idem, "%s", form_idem(a.body));
	http_answer_free(&a);

	/* 4 of 3 */
	body[0] = '\0';
	enc(body, sizeof body, field, "4");
	enc(body, sizeof body, "payment", "card");
	enc(body, sizeof body, "company", company);
	enc(body, sizeof body, "email", "late@example.org");
	enc(body, sizeof body, "idem", idem);
	a = http_do(&s, "POST", order_path, NULL, body, FORM);
	assert_int_equal(a.status, 409);
	assert_non_null(strstr(a.body, "id=\"error\""));
	assert_non_null(strstr(a.body, "role=\"alert\">Adult: only 3 left</p>"));
	assert_non_null(strstr(a.body, "id=\"order-form\""));
	assert_non_null(strstr(a.body, "value=\"late@example.org\""));
	assert_null(strstr(a.body, "<b>"));
	assert_non_null(strstr(a.body, "Late &lt;b&gt;"));
	assert_non_null(strstr(a.body, "<option value=\"card\" selected>"));
	snprintf(want, sizeof want, "name=\"%s\" min=\"0\" max=\"3\" value=\"4\"", field);
	assert_non_null(strstr(a.body, want));
	assert_string_not_equal(form_idem(a.body), idem);
	http_answer_free(&a);

	/* a bad e-mail: 400, the quantity kept */
	body[0] = '\0';
	enc(body, sizeof body, field, "2");
	enc(body, sizeof body, "company", company);
	enc(body, sizeof body, "email", "not an address");
	enc(body, sizeof body, "idem", idem);
	a = http_do(&s, "POST", order_path, NULL, body, FORM);
	assert_int_equal(a.status, 400);
	assert_non_null(strstr(a.body, "e-mail"));
	snprintf(want, sizeof want, "name=\"%s\" min=\"0\" max=\"3\" value=\"2\"", field);
	assert_non_null(strstr(a.body, want));
	http_answer_free(&a);
	assert_int_equal(scalar_of("SELECT count(*) FROM ticket_order WHERE event_id = $1::bigint", ev), 0);

	/* the same rendering sent twice: one order, the same answer */
	body[0] = '\0';
	enc(body, sizeof body, field, "2");
	enc(body, sizeof body, "payment", "invoice");
	enc(body, sizeof body, "company", company);
	enc(body, sizeof body, "email", "late@example.org");
	enc(body, sizeof body, "idem", idem);
	a = http_do(&s, "POST", order_path, NULL, body, FORM);
	b = http_do(&s, "POST", order_path, NULL, body, FORM);
	assert_int_equal(a.status, 200);
	assert_int_equal(b.status, 200);
	first = order_number(a.body);
	assert_true(first > 0);
	assert_int_equal(order_number(b.body), first);
	http_answer_free(&a);
	http_answer_free(&b);
	assert_int_equal(scalar_of("SELECT count(*) FROM ticket_order WHERE event_id = $1::bigint", ev), 1);
	assert_int_equal(scalar_of("SELECT sum(qty) FROM order_line l JOIN ticket_order o ON o.id = l.order_id "
				   "WHERE o.event_id = $1::bigint", ev),
			 2);

	/* the last seat goes at the counter: sold out, said so */
	json_decref(cli_json("$BOXOFFICE sell --event %lld --type %lld --qty 1 --payment card", ev, ty));
	body[0] = '\0';
	enc(body, sizeof body, field, "1");
	enc(body, sizeof body, "company", company);
	enc(body, sizeof body, "email", "late@example.org");
	enc(body, sizeof body, "idem", unique_name("fresh"));
	a = http_do(&s, "POST", order_path, NULL, body, FORM);
	assert_int_equal(a.status, 409);
	assert_non_null(strstr(a.body, "role=\"alert\">Adult: sold out</p>"));
	snprintf(want, sizeof want, "id=\"available-%lld\">sold out<", ty);
	assert_non_null(strstr(a.body, want));
	http_answer_free(&a);
	assert_int_equal(scalar_of("SELECT count(*) FROM ticket_order WHERE event_id = $1::bigint AND channel = 'web'", ev), 1);
	assert_int_equal(serve_stop(&s), 0);
}

/* 30 orders a minute from one address; the 31st is told to wait. */
static void test_orders_are_rate_limited_per_address(void **state)
{
	struct served s;
	long long ev = make_event(unique_name("Rate"), "2027-06-05", 0);
	long long ty = make_type(ev, "Adult", 3, 4000, 1);
	char path[64], body[200];
	struct http_answer a;

	(void)state;
	start(&s);
	snprintf(path, sizeof path, "/events/%lld/order", ev);
	snprintf(body, sizeof body, "qty_%lld=0&email=a%%40b.c", ty); /* nothing chosen: 400, yet counted */
	for (int i = 0; i < 30; i++) {
		a = http_do(&s, "POST", path, NULL, body, FORM);
		assert_int_equal(a.status, 400);
		assert_non_null(strstr(a.body, "at least one ticket"));
		http_answer_free(&a);
	}
	a = http_do(&s, "POST", path, NULL, body, FORM);
	assert_int_equal(a.status, 429);
	assert_non_null(http_answer_header(&a, "Retry-After"));
	assert_non_null(strstr(a.body, "Too many orders"));
	http_answer_free(&a);
	/* the page itself is still served */
	snprintf(path, sizeof path, "/events/%lld", ev);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	assert_int_equal(serve_stop(&s), 0);
}

/* A counter sale of n card tickets (settled), all assigned to one new
 * person; tickets[] gets their ids, *order the order's; the person's id. */
static long long person_with_tickets(long long ev, long long ty, int n, long long *tickets, long long *order,
				     const char *who)
{
	json_t *sale = cli_json("$BOXOFFICE sell --event %lld --type %lld --qty %d --payment card", ev, ty, n);
	long long person = 0;
	char email[100];

	snprintf(email, sizeof email, "%s@example.org", unique_name("p"));
	for (char *c = email; *c; c++)
		if (*c == ' ')
			*c = '.';
	*order = json_integer_value(json_object_get(sale, "id"));
	for (int i = 0; i < n; i++) {
		json_t *as;
		tickets[i] = json_integer_value(json_array_get(json_object_get(sale, "tickets"), (size_t)i));
		as = cli_json("$BOXOFFICE ticket assign %lld --name '%s' --email '%s'", tickets[i], who, email);
		assert_true(!person || json_integer_value(json_object_get(as, "person")) == person);
		person = json_integer_value(json_object_get(as, "person"));
		json_decref(as);
	}
	json_decref(sale);
	assert_true(person > 0);
	return person;
}

static char *link_of(long long person)
{
	json_t *doc = cli_json("$BOXOFFICE ticket link --person %lld --json", person);
	char *link = strdup(json_string_value(json_object_get(doc, "link")));
	json_decref(doc);
	return link;
}

/* The token `ticket list` shows for a ticket (the badge's). */
static char *listed_token(long long order, long long ticket)
{
	json_t *rows = cli_json("$BOXOFFICE ticket list --order %lld --json", order), *row;
	char *token = NULL;
	size_t i;

	json_array_foreach(rows, i, row)
		if (json_integer_value(json_object_get(row, "id")) == ticket)
			token = strdup(json_string_value(json_object_get(row, "token")));
	json_decref(rows);
	assert_non_null(token);
	return token;
}

/* Decodes a PNG with zbarimg; the text (malloc'd). */
static char *decode_png(const struct http_answer *a)
{
	char file[300];
	struct run_result r;
	FILE *f;
	char *text;

	snprintf(file, sizeof file, "%s/qr-%d.png", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp",
		 (int)getpid());
	assert_non_null(f = fopen(file, "wb"));
	assert_int_equal(fwrite(a->body, 1, a->len, f), a->len);
	fclose(f);
	r = run_cmd("zbarimg --raw -q '%s'", file);
	assert_int_equal(r.status, 0);
	text = strdup(r.out);
	text[strcspn(text, "\r\n")] = '\0';
	run_free(&r);
	remove(file);
	return text;
}

/* My Tickets by the signed link: the person, each ticket with its QR; the
 * PNG decodes to the ticket's token, which the CLI verifies; the SVG is a
 * well-formed drawing; a tampered link and a void ticket are refused. */
static void test_my_tickets_link_and_qr(void **state)
{
	struct served s;
	char name[64], ev_name[80], path[256], want[256];
	long long ev, ty, tickets[2], order, person;
	struct http_answer a;
	char *link, *token, *listed;
	struct run_result r;

	(void)state;
	snprintf(ev_name, sizeof ev_name, "%s", unique_name("Mine"));
	ev = make_event(ev_name, "2027-06-06", 0);
	ty = make_type(ev, "Day <pass>", 10, 4000, 1);
	snprintf(name, sizeof name, "%s", unique_name("Ada Lovelace"));
	person = person_with_tickets(ev, ty, 2, tickets, &order, name);
	link = link_of(person);
	start(&s);

	snprintf(path, sizeof path, "/my/%s", link);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, name));
	assert_non_null(strstr(a.body, ev_name));
	assert_non_null(strstr(a.body, "Day &lt;pass&gt;"));
	assert_non_null(strstr(a.body, "Outside"));
	for (int i = 0; i < 2; i++) {
		snprintf(want, sizeof want, "<img alt=\"QR code of ticket %lld\" src=\"/my/%s/tickets/%lld.png\"", tickets[i],
			 link, tickets[i]);
		assert_non_null(strstr(a.body, want));
		snprintf(want, sizeof want, "href=\"/my/%s/tickets/%lld.svg\"", link, tickets[i]);
		assert_non_null(strstr(a.body, want));
	}
	http_answer_free(&a);

	/* the PNG: the same token `ticket list` shows, and the CLI accepts it */
	snprintf(path, sizeof path, "/my/%s/tickets/%lld.png", link, tickets[0]);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(http_answer_header(&a, "Content-Type"), "image/png");
	token = decode_png(&a);
	http_answer_free(&a);
	listed = listed_token(order, tickets[0]);
	assert_string_equal(token, listed);
	r = run_cmd("$BOXOFFICE ticket verify '%s'", token);
	assert_int_equal(r.status, 0);
	run_free(&r);
	/* admitted at a gate: the page says inside, when and where */
	r = run_cmd("$BOXOFFICE checkin --gate 'North Door' --token '%s'", token);
	if (r.status != 0)
		fail_msg("checkin: %d %s %s", r.status, r.out, r.err);
	run_free(&r);
	snprintf(path, sizeof path, "/my/%s", link);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 200);
	snprintf(want, sizeof want, "id=\"ticket-%lld\">", tickets[0]);
	assert_non_null(strstr(a.body, want));
	assert_non_null(strstr(strstr(a.body, want), "<p class=\"presence\">Inside</p>"));
	assert_non_null(strstr(a.body, ", gate North Door</p>"));
	http_answer_free(&a);
	free(token);
	free(listed);

	/* the SVG */
	snprintf(path, sizeof path, "/my/%s/tickets/%lld.svg", link, tickets[1]);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_string_equal(http_answer_header(&a, "Content-Type"), "image/svg+xml");
	assert_non_null(strstr(a.body, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_non_null(strstr(a.body, "<rect x="));
	assert_non_null(strstr(a.body, "</svg>"));
	{
		char file[300];
		FILE *f;
		snprintf(file, sizeof file, "%s/qr-%d.svg", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp",
			 (int)getpid());
		assert_non_null(f = fopen(file, "w"));
		fputs(a.body, f);
		fclose(f);
		r = run_cmd("python3 -c 'import sys, xml.dom.minidom as m; d = m.parse(sys.argv[1]); "
			    "print(len(d.getElementsByTagName(\"rect\")))' '%s'",
			    file);
		assert_int_equal(r.status, 0);
		assert_true(atoi(r.out) > 20);
		run_free(&r);
		remove(file);
	}
	http_answer_free(&a);

	/* a ticket that is not the person's: 404; tampered links: 404 */
	snprintf(path, sizeof path, "/my/%s/tickets/%lld.png", link, tickets[1] + 1000000);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 404);
	http_answer_free(&a);
	{
		char bad[128];
		size_t n = strlen(link);
		snprintf(bad, sizeof bad, "%s", link);
		bad[n - 1] = bad[n - 1] == 'A' ? 'B' : 'A';
		snprintf(path, sizeof path, "/my/%s", bad);
		a = http_do(&s, "GET", path, NULL, NULL, NULL);
		assert_int_equal(a.status, 404);
		assert_null(strstr(a.body, name));
		http_answer_free(&a);
		snprintf(path, sizeof path, "/my/%s/tickets/%lld.png", bad, tickets[0]);
		a = http_do(&s, "GET", path, NULL, NULL, NULL);
		assert_int_equal(a.status, 404);
		http_answer_free(&a);
		snprintf(bad, sizeof bad, "%lld%s", person + 1, strchr(link, '.'));
		snprintf(path, sizeof path, "/my/%s", bad);
		a = http_do(&s, "GET", path, NULL, NULL, NULL);
		assert_int_equal(a.status, 404);
		http_answer_free(&a);
	}

	/* refunded: the tickets are void and have no QR */
	r = run_cmd("$BOXOFFICE order refund %lld", order);
	assert_int_equal(r.status, 0);
	run_free(&r);
	snprintf(path, sizeof path, "/my/%s/tickets/%lld.png", link, tickets[0]);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 410);
	assert_non_null(strstr(a.body, "void"));
	http_answer_free(&a);
	snprintf(path, sizeof path, "/my/%s", link);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_null(strstr(a.body, "<img"));
	assert_non_null(strstr(a.body, "no longer valid"));
	http_answer_free(&a);
	assert_int_equal(serve_stop(&s), 0);
	free(link);
}

/* A holder key reads its own person's tickets and QR codes, and nobody
 * else's. */
static void test_holder_key_reads_only_its_own(void **state)
{
	struct served s;
	long long ev = make_event(unique_name("Holder"), "2027-06-07", 0);
	long long ty = make_type(ev, "Adult", 10, 4000, 1);
	long long mine[1], theirs[1], order, other_order, me, them;
	char path[128], *key, *chan;
	struct http_answer a;
	json_t *doc;
	char *token;

	(void)state;
	me = person_with_tickets(ev, ty, 1, mine, &order, "Me Myself");
	them = person_with_tickets(ev, ty, 1, theirs, &other_order, "Some One");
	key = apikey_new(NULL, "--name '%s' --app holder --person %lld --rate 0", unique_name("holder"), me);
	chan = apikey_new(NULL, "--name '%s' --channel web --rate 0", unique_name("web"));
	start(&s);

	snprintf(path, sizeof path, "/persons/%lld/tickets", me);
	a = http_do(&s, "GET", path, key, NULL, NULL);
	assert_int_equal(a.status, 200);
	doc = json_loads(a.body, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_integer_value(json_object_get(doc, "person")), me);
	assert_int_equal(json_array_size(json_object_get(doc, "tickets")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(doc, "tickets"), 0), "id")),
			 mine[0]);
	json_decref(doc);
	http_answer_free(&a);

	snprintf(path, sizeof path, "/persons/%lld/tickets", them);
	a = http_do(&s, "GET", path, key, NULL, NULL);
	assert_int_equal(a.status, 403);
	http_answer_free(&a);
	snprintf(path, sizeof path, "/persons/%lld/tickets", me);
	a = http_do(&s, "GET", path, chan, NULL, NULL); /* a channel's key is not a holder's */
	assert_int_equal(a.status, 403);
	http_answer_free(&a);
	a = http_do(&s, "GET", path, NULL, NULL, NULL);
	assert_int_equal(a.status, 401);
	http_answer_free(&a);

	snprintf(path, sizeof path, "/tickets/%lld/qr.png", mine[0]);
	a = http_do(&s, "GET", path, key, NULL, NULL);
	assert_int_equal(a.status, 200);
	token = decode_png(&a);
	http_answer_free(&a);
	{
		char *listed = listed_token(order, mine[0]);
		assert_string_equal(token, listed);
		free(listed);
	}
	free(token);
	snprintf(path, sizeof path, "/tickets/%lld/qr.svg", mine[0]);
	a = http_do(&s, "GET", path, key, NULL, NULL);
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "<svg"));
	http_answer_free(&a);
	snprintf(path, sizeof path, "/tickets/%lld/qr.png", theirs[0]);
	a = http_do(&s, "GET", path, key, NULL, NULL);
	assert_int_equal(a.status, 403);
	http_answer_free(&a);
	assert_int_equal(serve_stop(&s), 0);
	free(key);
	free(chan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_lists_types_and_escapes_names),
		cmocka_unit_test(test_form_orders_on_the_web_channel),
		cmocka_unit_test(test_refusals_reshow_the_form_and_a_double_submit_orders_once),
		cmocka_unit_test(test_orders_are_rate_limited_per_address),
		cmocka_unit_test(test_my_tickets_link_and_qr),
		cmocka_unit_test(test_holder_key_reads_only_its_own),
	};
	return cmocka_run_group_tests_name("serve pages", tests, setup, teardown);
}

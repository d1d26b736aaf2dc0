/* POST /webhooks/stripe with the test playing Stripe: it signs events with
 * the webhook secret it set (`boxoffice platform secret --platform
 * stripe`), as Stripe does (stripe_signature_make). A card order made by
 * POST /orders waits with its seats taken; a signed completed event
 * settles it once however often it is delivered; a bad, stale or missing
 * signature changes nothing; an order whose pay_by passed is cancelled by
 * serve's housekeeping and a confirmation after that is "late". */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "http.h"
#include "src/core/apikey.h"

static PGconn *conn;
static char secret[80];

static int setup(void **state)
{
	(void)state;
	conn = test_migrate_connect();
	snprintf(secret, sizeof secret, "whsec_test_%ld_%d", (long)time(NULL), (int)getpid());
	json_decref(cli_json("$BOXOFFICE platform secret --platform stripe --secret %s", secret));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

static long long scalar(const char *sql, long long id)
{
	char idt[24];
	const char *p[1] = { idt };
	snprintf(idt, sizeof idt, "%lld", id);
	return test_scalar(conn, sql, 1, p);
}

static char *text_of(const char *sql, long long id)
{
	char idt[24];
	const char *p[1] = { idt };
	PGresult *res;
	char *v;

	snprintf(idt, sizeof idt, "%lld", id);
	res = test_query(conn, sql, 1, p);
	assert_int_equal(PQntuples(res), 1);
	v = strdup(PQgetisnull(res, 0, 0) ? "(null)" : PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

#define AVAILABLE "SELECT available FROM inventory_view WHERE type_id = $1::bigint AND channel IS NULL"
#define STATUS "SELECT status::text FROM ticket_order WHERE id = $1::bigint"
#define TICKETS "SELECT count(*) FROM ticket WHERE order_id = $1::bigint"

struct shop {
	struct served s;
	long long event, type;
	char *key;
};

/* An event of 10 seats at 25.00, a web channel's key, serve running. */
static void shop_open(struct shop *sh, const char *name)
{
	sh->event = make_event(unique_name(name), "2028-04-01", 0);
	sh->type = make_type(sh->event, "Adult", 10, 2500, 1);
	sh->key = apikey_new(NULL, "--name '%s' --channel web --rate 0", unique_name("shop"));
	serve_start(&sh->s, NULL);
}

static void shop_close(struct shop *sh)
{
	assert_int_equal(serve_stop(&sh->s), 0);
	free(sh->key);
}

/* POST /orders by card: requested, its seats taken. */
static long long card_order(struct shop *sh, int qty)
{
	char body[300];
	struct http_answer a;
	json_t *doc;
	long long id;

	snprintf(body, sizeof body,
		 "{\"event\":%lld,\"lines\":[{\"type\":%lld,\"qty\":%d}],\"payment\":\"card\",\"email\":\"a@example.org\"}",
		 sh->event, sh->type, qty);
	a = http_do(&sh->s, "POST", "/orders", sh->key, body, NULL);
	if (a.status != 201)
		fail_msg("POST /orders: %ld %s", a.status, a.body);
	doc = json_loads(a.body, 0, NULL);
	id = json_integer_value(json_object_get(doc, "id"));
	assert_true(id > 0);
	assert_string_equal(json_string_value(json_object_get(doc, "status")), "requested");
	assert_false(json_is_null(json_object_get(doc, "pay_by")));
	json_decref(doc);
	http_answer_free(&a);
	return id;
}

/* A Stripe event's body for our order. */
static void stripe_event(char *out, size_t size, const char *event_id, const char *type, long long order,
			 const char *intent)
{
	snprintf(out, size,
		 "{\"id\":\"%s\",\"object\":\"event\",\"api_version\":\"2024-06-20\",\"type\":\"%s\","
		 "\"data\":{\"object\":{\"id\":\"cs_test_%lld\",\"object\":\"checkout.session\","
		 "\"client_reference_id\":\"%lld\",\"payment_intent\":\"%s\",\"payment_status\":\"paid\","
		 "\"status\":\"complete\",\"metadata\":{}}}}",
		 event_id, type, order, order, intent);
}

/* Delivers body signed with key at time ts (sign NULL: no header). */
static struct http_answer deliver(const struct served *s, const char *body, const char *key, long long ts)
{
	char sig[300], hdr[340];
	const char *hdrs[2] = { NULL, NULL };

	if (key) {
		stripe_signature_make(body, strlen(body), key, ts, sig, sizeof sig);
		snprintf(hdr, sizeof hdr, "Stripe-Signature: %s", sig);
		hdrs[0] = hdr;
	}
	return http_do(s, "POST", "/webhooks/stripe", NULL, body, hdrs);
}

struct delivery {
	const struct served *s;
	const char *body;
	pthread_barrier_t *go;
	long status;
	char *answer;
};

static void *deliver_at_once(void *arg)
{
	struct delivery *d = arg;
	struct http_answer a;

	pthread_barrier_wait(d->go);
	a = deliver(d->s, d->body, secret, (long long)time(NULL));
	d->status = a.status;
	d->answer = a.body;
	a.body = NULL;
	http_answer_free(&a);
	return NULL;
}

/* Requested with its seats taken; the signed completed event delivered
 * ten times at once settles it once: one set of tickets, payment_ref the
 * payment intent, the change log naming the provider. */
static void test_signed_completion_settles_once(void **state)
{
	struct shop sh;
	long long order;
	char body[1000], evid[80], intent[80];
	struct delivery d[10];
	pthread_t th[10];
	pthread_barrier_t go;
	char *v;

	(void)state;
	shop_open(&sh, "Pay");
	order = card_order(&sh, 2);
	assert_int_equal(scalar(AVAILABLE, sh.type), 8);
	assert_int_equal(scalar(TICKETS, order), 0);

	snprintf(evid, sizeof evid, "evt_%lld_%d", order, (int)getpid());
	snprintf(intent, sizeof intent, "pi_%lld_test", order);
	stripe_event(body, sizeof body, evid, "checkout.session.completed", order, intent);
	pthread_barrier_init(&go, NULL, 10);
	for (int i = 0; i < 10; i++) {
		d[i] = (struct delivery){ .s = &sh.s, .body = body, .go = &go };
		assert_int_equal(pthread_create(&th[i], NULL, deliver_at_once, &d[i]), 0);
	}
	for (int i = 0; i < 10; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	for (int i = 0; i < 10; i++) {
		if (d[i].status != 200 || !strstr(d[i].answer, "\"received\":true") ||
		    !strstr(d[i].answer, "\"status\":\"settled\""))
			fail_msg("delivery %d: %ld %s", i, d[i].status, d[i].answer);
		free(d[i].answer);
	}
	v = text_of(STATUS, order);
	assert_string_equal(v, "settled");
	free(v);
	v = text_of("SELECT payment_ref FROM ticket_order WHERE id = $1::bigint", order);
	assert_string_equal(v, intent);
	free(v);
	assert_int_equal(scalar(TICKETS, order), 2);
	assert_int_equal(scalar(AVAILABLE, sh.type), 8);
	assert_int_equal(scalar("SELECT count(*) FROM change_log WHERE entity = 'order' AND entity_id = $1::bigint "
				"AND action = 'settled' AND api_key = 'payment:stripe'",
				order),
			 1);
	assert_int_equal(scalar("SELECT count(*) FROM change_log WHERE entity = 'order' AND entity_id = $1::bigint "
				"AND action = 'tickets_generated'",
				order),
			 1);
	{ /* an event type we do not act on: 200, ignored */
		struct http_answer a;
		snprintf(body, sizeof body, "{\"id\":\"evt_other_%lld\",\"type\":\"payment_intent.created\","
			 "\"data\":{\"object\":{\"id\":\"pi_x\"}}}", order);
		a = deliver(&sh.s, body, secret, (long long)time(NULL));
		assert_int_equal(a.status, 200);
		assert_non_null(strstr(a.body, "\"ignored\""));
		http_answer_free(&a);
	}
	shop_close(&sh);
}

/* A wrong secret, a stale timestamp, no header, a body changed after
 * signing, garbage: 401 each, in the access log, and the order waits. */
static void test_bad_signatures_change_nothing(void **state)
{
	struct shop sh;
	long long order, now = (long long)time(NULL);
	char body[1000], evid[80], altered[1000];
	struct http_answer a;
	char *v, *log, *p;
	int refused = 0;

	(void)state;
	shop_open(&sh, "Forged");
	order = card_order(&sh, 3);
	snprintf(evid, sizeof evid, "evt_forged_%lld", order);
	stripe_event(body, sizeof body, evid, "checkout.session.completed", order, "pi_forged");

	a = deliver(&sh.s, body, "whsec_not_the_secret", now);
	assert_int_equal(a.status, 401);
	http_answer_free(&a);
	a = deliver(&sh.s, body, secret, now - 301);
	assert_int_equal(a.status, 401);
	assert_non_null(strstr(a.body, "Stripe-Signature"));
	http_answer_free(&a);
	a = deliver(&sh.s, body, NULL, now);
	assert_int_equal(a.status, 401);
	http_answer_free(&a);
	{ /* signed, then the order id changed */
		char sig[300], hdr[340];
		const char *hdrs[] = { hdr, NULL };
		stripe_signature_make(body, strlen(body), secret, now, sig, sizeof sig);
		snprintf(hdr, sizeof hdr, "Stripe-Signature: %s", sig);
		stripe_event(altered, sizeof altered, evid, "checkout.session.completed", order + 1, "pi_forged");
		a = http_do(&sh.s, "POST", "/webhooks/stripe", NULL, altered, hdrs);
		assert_int_equal(a.status, 401);
		http_answer_free(&a);
		hdrs[0] = "Stripe-Signature: t=abc,v1=zz";
		a = http_do(&sh.s, "POST", "/webhooks/stripe", NULL, body, hdrs);
		assert_int_equal(a.status, 401);
		http_answer_free(&a);
	}
	v = text_of(STATUS, order);
	assert_string_equal(v, "requested");
	free(v);
	v = text_of("SELECT payment_ref FROM ticket_order WHERE id = $1::bigint", order);
	assert_string_equal(v, "(null)");
	free(v);
	assert_int_equal(scalar(TICKETS, order), 0);
	assert_int_equal(scalar(AVAILABLE, sh.type), 7);
	assert_int_equal(scalar("SELECT count(*) FROM change_log WHERE api_key = 'payment:stripe' "
				"AND entity IN ('order', 'ticket_order') AND entity_id = $1::bigint",
				order),
			 0);
	/* the same event, signed right, is still taken */
	a = deliver(&sh.s, body, secret, now);
	assert_int_equal(a.status, 200);
	http_answer_free(&a);
	v = text_of(STATUS, order);
	assert_string_equal(v, "settled");
	free(v);
	shop_close(&sh);
	log = serve_log(&sh.s);
	assert_non_null(log);
	for (p = log; (p = strstr(p, "\"path\":\"/webhooks/stripe\",\"status\":401")); p++)
		refused++;
	assert_int_equal(refused, 5);
	free(log);
}

/* An unpaid card order past its pay_by: serve's housekeeping cancels it
 * and its seats are back; a confirmation after that answers 200 "late",
 * is in the change log, and the order stays cancelled. A checkout that
 * expired at the provider cancels its order at once. */
static void test_unpaid_order_lapses_and_late_payment_is_logged(void **state)
{
	struct shop sh;
	long long order, order2;
	char body[1000], evid[80];
	struct http_answer a;
	char *v = NULL;

	(void)state;
	shop_open(&sh, "Lapse");
	order = card_order(&sh, 3);
	assert_int_equal(scalar(AVAILABLE, sh.type), 7);
	{
		char idt[24];
		const char *p[1] = { idt };
		snprintf(idt, sizeof idt, "%lld", order);
		PQclear(test_query(conn, "UPDATE ticket_order SET pay_by = now() - interval '1 second' WHERE id = $1::bigint",
				   1, p));
	}
	for (int i = 0; i < 50; i++) { /* housekeeping runs every second */
		free(v);
		v = text_of(STATUS, order);
		if (strcmp(v, "cancelled") == 0)
			break;
		usleep(100 * 1000);
	}
	assert_string_equal(v, "cancelled");
	free(v);
	assert_int_equal(scalar(AVAILABLE, sh.type), 10);

	snprintf(evid, sizeof evid, "evt_late_%lld", order);
	stripe_event(body, sizeof body, evid, "checkout.session.completed", order, "pi_late");
	a = deliver(&sh.s, body, secret, (long long)time(NULL));
	assert_int_equal(a.status, 200);
	assert_non_null(strstr(a.body, "\"late\":true"));
	http_answer_free(&a);
	v = text_of(STATUS, order);
	assert_string_equal(v, "cancelled");
	free(v);
	assert_int_equal(scalar(TICKETS, order), 0);
	assert_int_equal(scalar(AVAILABLE, sh.type), 10);
	assert_int_equal(scalar("SELECT count(*) FROM change_log WHERE entity = 'ticket_order' AND entity_id = $1::bigint "
				"AND action = 'payment_late' AND api_key = 'payment:stripe'",
				order),
			 1);

	/* checkout.session.expired: cancelled now, seats back, once */
	order2 = card_order(&sh, 4);
	assert_int_equal(scalar(AVAILABLE, sh.type), 6);
	snprintf(evid, sizeof evid, "evt_expired_%lld", order2);
	stripe_event(body, sizeof body, evid, "checkout.session.expired", order2, "pi_never");
	for (int i = 0; i < 2; i++) {
		a = deliver(&sh.s, body, secret, (long long)time(NULL));
		assert_int_equal(a.status, 200);
		assert_non_null(strstr(a.body, "\"status\":\"cancelled\""));
		http_answer_free(&a);
	}
	v = text_of(STATUS, order2);
	assert_string_equal(v, "cancelled");
	free(v);
	assert_int_equal(scalar("SELECT count(*) FROM change_log WHERE entity = 'order' AND entity_id = $1::bigint "
				"AND action = 'cancelled' AND api_key = 'payment:stripe'",
				order2),
			 1);
	assert_int_equal(scalar(AVAILABLE, sh.type), 10);
	shop_close(&sh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_completion_settles_once),
		cmocka_unit_test(test_bad_signatures_change_nothing),
		cmocka_unit_test(test_unpaid_order_lapses_and_late_payment_is_logged),
	};
	return cmocka_run_group_tests_name("serve_payment", tests, setup, teardown);
}

/* The demo generator without a database: deterministic per seed, every
 * order consistent with the VAT rule and the status rules, gapless
 * invoice numbers, dates inside each event's sales window, the mix in the
 * shares it promises. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "src/core/demo_gen.h"
#include "src/core/money.h"

static void test_same_seed_same_orders(void **state)
{
	struct demo_gen a = { .rng = { 7 } }, b = { .rng = { 7 } }, c = { .rng = { 8 } };
	int differ = 0;
	(void)state;
	for (long long i = 1; i <= 2000; i++) {
		struct demo_order x, y, z;
		assert_true(demo_next_order(&a, i, 100 + i, &x));
		assert_true(demo_next_order(&b, i, 100 + i, &y));
		assert_true(demo_next_order(&c, i, 100 + i, &z));
		assert_memory_equal(&x, &y, sizeof x);
		differ += memcmp(&x, &z, sizeof x) != 0;
	}
	assert_true(differ > 1900);
}

static void test_civil_days_round_trip(void **state)
{
	char out[16];
	(void)state;
	assert_int_equal(demo_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(demo_days_from_civil(2000, 3, 1), 11017);
	demo_civil_from_days(demo_days_from_civil(2024, 2, 29), out);
	assert_string_equal(out, "2024-02-29");
	for (long d = -800000; d <= 800000; d += 997) {
		int y, m, dd;
		demo_civil_from_days(d, out);
		assert_int_equal(sscanf(out, "%d-%d-%d", &y, &m, &dd), 3);
		assert_int_equal(demo_days_from_civil(y, m, dd), d);
	}
}

static void test_every_order_is_consistent(void **state)
{
	struct demo_gen g = { .rng = { 42 } };
	int next_invoice[DEMO_EVENTS] = { 1, 1, 1 }, per_event[DEMO_EVENTS] = { 0 };
	const int n = 20000;
	(void)state;

	for (long long i = 1; i <= n; i++) {
		struct demo_order o;
		int64_t net = 0, vat = 0;
		long first, last, day;
		int y, m, d, tickets = 0;
		const struct demo_event *ev;

		assert_true(demo_next_order(&g, i, i, &o));
		ev = &demo_events[o.event];
		per_event[o.event]++;
		assert_true(o.nlines == 1 || o.nlines == 2);
		if (o.nlines == 2)
			assert_int_not_equal(o.lines[0].type, o.lines[1].type);
		for (int k = 0; k < o.nlines; k++) {
			const struct demo_line *l = &o.lines[k];
			assert_true(l->qty >= 1 && l->qty <= demo_types[l->type].max_qty);
			assert_int_equal(l->net_cents, l->unit_cents * l->qty);
			assert_int_equal(l->vat_cents, vat_of_net(l->net_cents, VAT_DEFAULT_BP));
			net += l->net_cents;
			vat += l->vat_cents;
			tickets += l->qty;
		}
		assert_int_equal(o.amounts.net_cents, net);
		assert_int_equal(o.amounts.vat_cents, vat);
		if (o.payment == PAY_FREE || o.payment == PAY_SPONSORED)
			assert_int_equal(net, 0);
		/* Card and gift orders never wait for an invoice. */
		if (o.payment != PAY_INVOICE)
			assert_int_not_equal(o.status, ORDER_INVOICE_SENT);
		assert_int_equal(o.has_tickets, o.status == ORDER_SETTLED || o.status == ORDER_REFUNDED);
		assert_int_equal(o.valid_tickets, o.status == ORDER_SETTLED ? tickets : 0);
		if (o.invoice_no) {
			assert_int_equal(o.payment, PAY_INVOICE);
			assert_int_equal(o.invoice_no, next_invoice[o.event]++);
		}
		for (const char *p = o.email; *p; p++)
			assert_true((unsigned char)*p < 128);
		assert_non_null(strchr(o.email, '@'));
		assert_int_equal(o.external_ref[0] == '\0', o.channel == CHANNEL_POS);
		assert_int_equal(sscanf(o.date, "%d-%d-%d", &y, &m, &d), 3);
		day = demo_days_from_civil(y, m, d);
		last = demo_days_from_civil(atoi(ev->date), atoi(ev->date + 5), atoi(ev->date + 8));
		first = last - ev->first_day;
		assert_true(day >= first && day < last);
	}
	/* Shares 5:3:2, within a few percent over 20,000 orders. */
	assert_in_range(per_event[0], n * 45 / 100, n * 55 / 100);
	assert_in_range(per_event[1], n * 25 / 100, n * 35 / 100);
	assert_in_range(per_event[2], n * 15 / 100, n * 25 / 100);
}

static void test_slug_keeps_ascii_letters_and_digits(void **state)
{
	char out[16];
	(void)state;
	demo_ascii_slug(out, sizeof out, "Åsa O'Brien-9");
	assert_string_equal(out, "saobrien9");
	demo_ascii_slug(out, 4, "abcdef");
	assert_string_equal(out, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_seed_same_orders),
		cmocka_unit_test(test_civil_days_round_trip),
		cmocka_unit_test(test_every_order_is_consistent),
		cmocka_unit_test(test_slug_keeps_ascii_letters_and_digits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

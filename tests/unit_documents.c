/* The document model: VAT per rate and totals from the stored lines, the
 * ISO 11649 payment reference, the text receipt's layout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "../src/core/document.h"

static struct document sample(struct doc_line *lines, size_t n)
{
	struct document d = { 0 };
	d.order_id = 204;
	d.event_id = 3;
	snprintf(d.event_name, sizeof d.event_name, "Gala");
	snprintf(d.event_date, sizeof d.event_date, "2027-05-01");
	snprintf(d.payment, sizeof d.payment, "card");
	snprintf(d.station, sizeof d.station, "counter-1");
	snprintf(d.created, sizeof d.created, "2026-11-27 10:15");
	d.has_seller = true;
	snprintf(d.seller.name, sizeof d.seller.name, "Nordlys Events AB");
	snprintf(d.seller.address, sizeof d.seller.address, "Storgatan 12\n111 51 Stockholm");
	snprintf(d.seller.vat_number, sizeof d.seller.vat_number, "SE556677889901");
	d.lines = lines;
	d.nlines = n;
	for (size_t i = 0; i < n; i++) {
		d.order_net_cents += lines[i].net_cents;
		d.order_vat_cents += lines[i].vat_cents;
	}
	return d;
}

static void test_vat_per_rate_and_totals(void **state)
{
	struct doc_line lines[] = {
		{ "Kid book", 3, 12050, 36150, 2169, 600 },
		{ "Adult", 2, 39900, 79800, 19950, 2500 },
		{ "Child", 1, 10000, 10000, 600, 600 },
	};
	struct document d = sample(lines, 3);
	char why[300];
	(void)state;
	assert_true(doc_finish(&d, why, sizeof why));
	assert_int_equal(d.nrates, 2);
	assert_int_equal(d.rates[0].vat_bp, 2500); /* highest rate first */
	assert_int_equal(d.rates[0].net_cents, 79800);
	assert_int_equal(d.rates[0].vat_cents, 19950);
	assert_int_equal(d.rates[1].vat_bp, 600);
	assert_int_equal(d.rates[1].net_cents, 46150);
	assert_int_equal(d.rates[1].vat_cents, 2769);
	assert_int_equal(d.net_cents, 125950);
	assert_int_equal(d.vat_cents, 22719);
	assert_int_equal(d.gross_cents, 148669);
	assert_string_equal(d.invoice_code, ""); /* no number: a receipt */

	/* lines that disagree with the order's stored amounts never print */
	d.order_vat_cents += 1;
	assert_false(doc_finish(&d, why, sizeof why));
	assert_non_null(strstr(why, "order 204"));
}

static void test_payment_reference(void **state)
{
	char ref[48];
	(void)state;
	/* ISO 11649's own example */
	assert_true(doc_payment_ref_valid("RF18 5390 0754 7034"));
	assert_true(doc_payment_ref_valid("RF18539007547034"));
	assert_false(doc_payment_ref_valid("RF19 5390 0754 7034"));
	assert_false(doc_payment_ref_valid("RF18 5390 0754 7043"));
	assert_true(doc_payment_ref(ref, sizeof ref, 3, 45));
	assert_string_equal(ref, "RF94 3000 045"); /* event 3, invoice 000045 */
	assert_true(doc_payment_ref_valid(ref));
	for (int no = 1; no < 2000; no += 7) {
		assert_true(doc_payment_ref(ref, sizeof ref, 12, no));
		assert_true(doc_payment_ref_valid(ref));
	}
	assert_false(doc_payment_ref(ref, 8, 3, 45)); /* does not fit */
	assert_false(doc_payment_ref(ref, sizeof ref, 9223372036854775807LL, 1)); /* too long for RF */

	{
		struct doc_line line = { "Adult", 1, 100, 100, 25, 2500 };
		struct document d = sample(&line, 1);
		char why[200];
		d.invoice_no = 45;
		assert_true(doc_finish(&d, why, sizeof why));
		assert_string_equal(d.invoice_code, "INV-3-45");
		assert_string_equal(d.payment_ref, "RF94 3000 045");
	}
}

static void test_rate_text(void **state)
{
	char b[16];
	(void)state;
	doc_rate_text(b, sizeof b, 2500);
	assert_string_equal(b, "25%");
	doc_rate_text(b, sizeof b, 1250);
	assert_string_equal(b, "12.5%");
	doc_rate_text(b, sizeof b, 0);
	assert_string_equal(b, "0%");
	doc_rate_text(b, sizeof b, 1);
	assert_string_equal(b, "0.01%");
}

static void assert_width(const char *text, size_t width)
{
	const char *p = text;
	while (*p) {
		size_t n = strcspn(p, "\n");
		char line[1024];
		snprintf(line, sizeof line, "%.*s", (int)n, p);
		if (doc_text_columns(line) > width)
			fail_msg("line wider than %zu: '%s'", width, line);
		p += n + (p[n] == '\n');
	}
}

static void test_receipt_text(void **state)
{
	struct doc_line lines[] = {
		{ "Adult", 2, 39900, 79800, 19950, 2500 },
		{ "Ärligt talat en väldigt lång biljettyp med åäö som inte får plats på en rad", 3, 12050,
		  36150, 2169, 600 },
	};
	struct document d = sample(lines, 2);
	char why[200], *t;
	(void)state;
	assert_true(doc_finish(&d, why, sizeof why));
	snprintf(d.station, sizeof d.station, "%s", "a-very-long-station-name-that-goes-on-and-on-and-on-for-ever");
	for (int w = 32; w <= 80; w += 2) {
		t = doc_receipt_text(&d, w);
		assert_width(t, (size_t)w);
		free(t);
	}
	t = doc_receipt_text(&d, 42);
	assert_non_null(strstr(t, "Order #204"));
	assert_non_null(strstr(t, "Adult"));
	assert_non_null(strstr(t, "2 x 399.00"));
	assert_non_null(strstr(t, "798.00"));
	assert_non_null(strstr(t, "VAT 25% of 798.00"));
	assert_non_null(strstr(t, "199.50"));
	assert_non_null(strstr(t, "VAT 6% of 361.50"));
	assert_non_null(strstr(t, "21.69"));
	assert_non_null(strstr(t, "TOTAL"));
	assert_non_null(strstr(t, "1,380.69"));
	assert_non_null(strstr(t, "Nordlys Events AB"));
	assert_non_null(strstr(t, "111 51 Stockholm"));
	/* the total is right-aligned to the 42nd column */
	{
		const char *total = strstr(t, "TOTAL");
		const char *eol = strchr(total, '\n');
		assert_int_equal(eol - total, 42);
		assert_memory_equal(eol - 8, "1,380.69", 8);
	}
	free(t);
}

/* The invoice's status line: whole where it fits, else shorter words
 * that keep the number, the seller to set and the mail; the address cut
 * with "…" last; never past the width. */
static void test_invoice_said_fits(void **state)
{
	char buf[600];
	(void)state;

	assert_string_equal(doc_invoice_said(buf, sizeof buf, "INV-1234-1", false, NULL, "no SMTP set", 200),
			    "invoice INV-1234-1 saved as PDF · SELLER NOT SET (boxoffice seller set) · not mailed: no SMTP set");
	assert_string_equal(doc_invoice_said(buf, sizeof buf, "INV-1234-1", false, NULL, "no SMTP set", 78),
			    "INV-1234-1 saved · NO SELLER: boxoffice seller set · not mailed: no SMTP set");
	assert_string_equal(doc_invoice_said(buf, sizeof buf, "INV-1234-1", false, NULL, "no SMTP set", 92),
			    "invoice INV-1234-1 saved · SELLER NOT SET (boxoffice seller set) · not mailed: no SMTP set");
	assert_string_equal(doc_invoice_said(buf, sizeof buf, "INV-1234-1", true, NULL, "no SMTP set", 78),
			    "invoice INV-1234-1 saved as PDF · not mailed: no SMTP set");
	assert_string_equal(doc_invoice_said(buf, sizeof buf, "INV-1234-1", true, NULL, NULL, 78),
			    "invoice INV-1234-1 saved as PDF");
	doc_invoice_said(buf, sizeof buf, "INV-1234-1", false, "yamada.bartholomew.fitzgerald@example-company.example",
			 NULL, 78);
	assert_int_equal(doc_text_columns(buf), 78);
	assert_non_null(strstr(buf, "NO SELLER: boxoffice seller set · mailed to yamada"));
	assert_string_equal(buf + strlen(buf) - strlen("…"), "…");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vat_per_rate_and_totals),
		cmocka_unit_test(test_payment_reference),
		cmocka_unit_test(test_rate_text),
		cmocka_unit_test(test_receipt_text),
		cmocka_unit_test(test_invoice_said_fits),
	};
	return cmocka_run_group_tests_name("documents", tests, NULL, NULL);
}

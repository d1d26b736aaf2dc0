/* Unit tests of the pure domain core: VAT and money, the order state
 * machine, input validation. Table-driven, no database, no terminal. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "src/core/util.h"
#include "src/core/csv.h"
#include "src/core/money.h"
#include "src/core/order.h"
#include "src/core/rng.h"
#include "src/core/text_fold.h"
#include "src/core/validate.h"

static void test_vat_rounding(void **state)
{
	static const struct {
		int64_t net;
		int bp;
		int64_t vat;
	} cases[] = {
		{ 0, 2500, 0 },        { 1, 2500, 0 },      /* 0.25 cent rounds down */
		{ 2, 2500, 1 },        /* 0.5 cent rounds half up */
		{ 3, 2500, 1 },        { 4, 2500, 1 },     { 6, 2500, 2 },
		{ 10000, 2500, 2500 }, { 39900, 2500, 9975 }, { 14900, 1200, 1788 },
		{ 99, 600, 6 },        /* 5.94 */          { 125, 1000, 13 }, /* 12.5 -> 13 */
		{ 100000000000, 2500, 25000000000 },       { 12345, 0, 0 },
		{ 12345, 10000, 12345 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(vat_of_net(cases[i].net, cases[i].bp), cases[i].vat);
	assert_int_equal(vat_of_net(-1, 2500), -1);
	assert_int_equal(vat_of_net(100, -1), -1);
	assert_int_equal(vat_of_net(100, 10001), -1);
	assert_int_equal(vat_of_net(MONEY_MAX_CENTS + 1, 2500), -1);
}

/* A number in a narrow column is abbreviated, never cut: every output
 * fits its width and reads as the right magnitude. */
static void test_numbers_fit_their_column(void **state)
{
	char buf[32];
	(void)state;
	count_format_fit(buf, sizeof buf, 1234, 8);
	assert_string_equal(buf, "1,234");
	count_format_fit(buf, sizeof buf, 1234, 4);
	assert_string_equal(buf, "1234");
	count_format_fit(buf, sizeof buf, 1234, 3);
	assert_string_equal(buf, "1k");
	count_format_fit(buf, sizeof buf, 1234567, 4);
	assert_string_equal(buf, "1.2M");
	count_format_fit(buf, sizeof buf, 1250000, 4);
	assert_string_equal(buf, "1.3M");
	count_format_fit(buf, sizeof buf, 999999, 4);
	assert_string_equal(buf, "1.0M");
	count_format_fit(buf, sizeof buf, 45678, 3);
	assert_string_equal(buf, "46k");
	count_format_fit(buf, sizeof buf, -1234567, 5);
	assert_string_equal(buf, "-1.2M");
	count_format_fit(buf, sizeof buf, 1234567, 1);
	assert_string_equal(buf, "#");
	money_format_fit(buf, sizeof buf, 11546125, 10);
	assert_string_equal(buf, "115,461.25");
	money_format_fit(buf, sizeof buf, 11546125, 7);
	assert_string_equal(buf, "115,461");
	money_format_fit(buf, sizeof buf, 11546125, 6);
	assert_string_equal(buf, "115461");
	money_format_fit(buf, sizeof buf, 11546125, 5);
	assert_string_equal(buf, "115k");
	money_format_fit(buf, sizeof buf, 3414250, 4);
	assert_string_equal(buf, "34k");
	money_format_fit(buf, sizeof buf, 3414250, 3);
	assert_string_equal(buf, "34k");
	money_format_fit(buf, sizeof buf, 99999, 3);
	assert_string_equal(buf, "1k");
	money_format_fit(buf, sizeof buf, 0, 4);
	assert_string_equal(buf, "0.00");
	money_format_fit(buf, sizeof buf, 0, 2);
	assert_string_equal(buf, "0");
	for (int64_t v = 1; v < INT64_C(100000000000); v = v * 7 + 3)
		for (int w = 1; w < 12; w++) {
			int n = money_format_fit(buf, sizeof buf, v, w);
			assert_true(n <= w);
			assert_int_equal((int)strlen(buf), n);
			n = count_format_fit(buf, sizeof buf, v, w);
			assert_true(n <= w);
		}
}

/* Control characters never reach a terminal or printer from text. */
static void test_text_defang(void **state)
{
	char s[64];
	(void)state;
	snprintf(s, sizeof s, "a\x1b[2Jb\x07\x7f\nc\xc2\x9b\xe2\x80\xaeZ\xc3\xa5");
	text_defang(s, true);
	assert_string_equal(s, "a?[2Jb??\nc?????Z\xc3\xa5");
	snprintf(s, sizeof s, "x\ny");
	assert_string_equal(text_defang(s, false), "x?y");
}

static void test_order_action_labels(void **state)
{
	char buf[64];
	(void)state;
	assert_string_equal(order_action_label("invoice_sent", buf, sizeof buf), "Invoice sent");
	assert_string_equal(order_action_label("tickets_generated", buf, sizeof buf), "Tickets generated");
	assert_string_equal(order_action_label("", buf, sizeof buf), "");
}

static void test_money_parse_format(void **state)
{
	static const struct {
		const char *text;
		bool ok;
		int64_t cents;
	} cases[] = {
		{ "0", true, 0 },        { "12", true, 1200 },   { "12.5", true, 1250 },
		{ "12.50", true, 1250 }, { "0.01", true, 1 },   { "12.505", false, 0 },
		{ "-1", false, 0 },      { "+1", false, 0 },    { "1,00", false, 0 },
		{ "", false, 0 },        { "12.", false, 0 },   { ".5", false, 0 },
		{ "1e3", false, 0 },     { "99999999999999999999", false, 0 },
	};
	char buf[64];
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int64_t c = -1;
		assert_int_equal(money_parse(cases[i].text, &c), cases[i].ok);
		if (cases[i].ok)
			assert_int_equal(c, cases[i].cents);
	}
	money_format(buf, sizeof buf, 123456789);
	assert_string_equal(buf, "1,234,567.89");
	money_format(buf, sizeof buf, 5);
	assert_string_equal(buf, "0.05");
	money_format(buf, sizeof buf, -150000);
	assert_string_equal(buf, "-1,500.00");
}

static void test_line_net_overflow(void **state)
{
	int64_t net;
	(void)state;
	assert_true(money_line_net(39900, 3, &net));
	assert_int_equal(net, 119700);
	assert_false(money_line_net(MONEY_MAX_CENTS, 2, &net));
	assert_false(money_line_net(-5, 2, &net));
	assert_false(money_line_net(5, -2, &net));
}

static void test_order_amounts(void **state)
{
	struct order_line_price lines[] = { { 39900, 2, 2500 }, { 14900, 3, 2500 }, { 125, 1, 1000 } };
	struct order_amounts a;
	(void)state;
	assert_true(order_compute_amounts(lines, 3, PAY_CARD, &a));
	assert_int_equal(a.net_cents, 79800 + 44700 + 125);
	/* VAT per line, rounded per line: 19950 + 11175 + 13 */
	assert_int_equal(a.vat_cents, 19950 + 11175 + 13);
	assert_int_equal(a.gross_cents, a.net_cents + a.vat_cents);
	assert_int_equal(a.quantity, 6);
	assert_true(order_compute_amounts(lines, 3, PAY_FREE, &a));
	assert_int_equal(a.net_cents, 0);
	assert_int_equal(a.vat_cents, 0);
	assert_int_equal(a.quantity, 6);
	lines[1].qty = 0;
	assert_false(order_compute_amounts(lines, 3, PAY_CARD, &a));
}

/* Every (payment, from, to) triple: allowed exactly when listed. */
static void test_transitions_table(void **state)
{
	static const char *const allowed[] = {
		"invoice requested invoice_sent", "invoice requested cancelled",
		"invoice invoice_sent settled", "invoice invoice_sent cancelled",
		"invoice settled refunded", "card requested settled", "card requested cancelled",
		"card settled refunded", "sponsored requested settled",
		"sponsored requested cancelled", "sponsored settled cancelled",
		"free requested settled", "free requested cancelled", "free settled cancelled",
	};
	int count = 0;
	(void)state;
	for (int p = 0; p < PAY_COUNT; p++)
		for (int f = 0; f < ORDER_STATUS_COUNT; f++)
			for (int t = 0; t < ORDER_STATUS_COUNT; t++) {
				char key[80];
				bool listed = false;
				snprintf(key, sizeof key, "%s %s %s", payment_name(p),
					 order_status_name(f), order_status_name(t));
				for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
					listed |= strcmp(allowed[i], key) == 0;
				assert_int_equal(order_can_transition(p, f, t), listed);
				count += listed;
			}
	assert_int_equal(count, (int)(sizeof allowed / sizeof allowed[0]));
	/* terminal states go nowhere */
	for (int p = 0; p < PAY_COUNT; p++)
		for (int t = 0; t < ORDER_STATUS_COUNT; t++) {
			assert_false(order_can_transition(p, ORDER_REFUNDED, t));
			assert_false(order_can_transition(p, ORDER_CANCELLED, t));
		}
}

static void test_initial_status(void **state)
{
	(void)state;
	assert_int_equal(order_initial_status(PAY_CARD, true), ORDER_SETTLED);
	assert_int_equal(order_initial_status(PAY_SPONSORED, true), ORDER_SETTLED);
	assert_int_equal(order_initial_status(PAY_FREE, true), ORDER_SETTLED);
	assert_int_equal(order_initial_status(PAY_INVOICE, true), ORDER_REQUESTED);
	assert_int_equal(order_initial_status(PAY_CARD, false), ORDER_REQUESTED);
	assert_true(order_status_has_tickets(ORDER_SETTLED));
	assert_false(order_status_has_tickets(ORDER_INVOICE_SENT));
}

static void test_names_round_trip(void **state)
{
	(void)state;
	for (int s = 0; s < ORDER_STATUS_COUNT; s++) {
		enum order_status back;
		assert_true(order_status_parse(order_status_name(s), &back));
		assert_int_equal(back, s);
	}
	for (int p = 0; p < PAY_COUNT; p++) {
		enum payment_method back;
		assert_true(payment_parse(payment_name(p), &back));
		assert_int_equal(back, p);
	}
	for (int c = 0; c < CHANNEL_COUNT; c++) {
		enum sales_channel back;
		assert_true(channel_parse(channel_name(c), &back));
		assert_int_equal(back, c);
	}
	enum order_status s;
	assert_false(order_status_parse("Settled", &s));
	assert_false(order_status_parse(NULL, &s));
	assert_string_equal(order_status_label(ORDER_INVOICE_SENT), "Invoice sent");
}

/* The one name table: whole, NULL-terminated, the same names as the
 * single lookups; choice lists built from it for the forms. */
static void test_name_tables(void **state)
{
	const char *const *st = order_status_names(), *const *pay = payment_names();
	const char *out[PAY_COUNT + 2];
	(void)state;
	for (int s = 0; s < ORDER_STATUS_COUNT; s++)
		assert_string_equal(st[s], order_status_name(s));
	assert_null(st[ORDER_STATUS_COUNT]);
	for (int p = 0; p < PAY_COUNT; p++)
		assert_string_equal(pay[p], payment_name(p));
	assert_null(pay[PAY_COUNT]);
	assert_string_equal(payment_label(PAY_SPONSORED), "Sponsored");
	/* the filter pane: "All", then enum order */
	assert_int_equal(name_choices(out, "All", pay, -1), PAY_COUNT + 1);
	assert_string_equal(out[0], "All");
	assert_string_equal(out[1], "invoice");
	assert_string_equal(out[4], "free");
	assert_null(out[5]);
	/* the counter: card first, the others in enum order */
	assert_int_equal(name_choices(out, NULL, pay, PAY_CARD), PAY_COUNT);
	assert_string_equal(out[0], "card");
	assert_string_equal(out[1], "invoice");
	assert_string_equal(out[2], "sponsored");
	assert_string_equal(out[3], "free");
	assert_null(out[4]);
}

static void test_validate_dates(void **state)
{
	static const struct {
		const char *text;
		bool ok;
	} cases[] = {
		{ "2026-02-28", true },  { "2026-02-29", false }, { "2028-02-29", true },
		{ "2100-02-29", false }, { "2000-02-29", true },  { "2026-02-30", false },
		{ "2026-04-31", false }, { "2026-12-31", true },  { "2026-13-01", false },
		{ "2026-00-10", false }, { "2026-1-01", false },  { "26-01-01", false },
		{ "2026/01/01", false }, { "2026-01-01x", false }, { "", false },
	};
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(validate_date(cases[i].text) == NULL, cases[i].ok);
}

static void test_validate_text_email(void **state)
{
	char big[NAME_MAX_CHARS * 4 + 8];
	(void)state;
	assert_null(validate_text("Åsa Öberg", NAME_MAX_CHARS, true));
	assert_null(validate_text("Zoë 🎟", NAME_MAX_CHARS, true));
	assert_non_null(validate_text("", NAME_MAX_CHARS, true));
	assert_null(validate_text("", NAME_MAX_CHARS, false));
	assert_non_null(validate_text("   ", NAME_MAX_CHARS, true));
	assert_non_null(validate_text("a\tb", NAME_MAX_CHARS, true));
	assert_non_null(validate_text("bad \xC3\x28 utf8", NAME_MAX_CHARS, true));
	assert_non_null(validate_text("overlong \xC0\xAF", NAME_MAX_CHARS, true));
	/* 200 multibyte characters fit, 201 do not */
	big[0] = '\0';
	for (int i = 0; i < NAME_MAX_CHARS; i++)
		strcat(big, "å");
	assert_null(validate_text(big, NAME_MAX_CHARS, true));
	strcat(big, "å");
	assert_non_null(validate_text(big, NAME_MAX_CHARS, true));

	assert_null(validate_email("anna@example.com", true));
	assert_non_null(validate_email("anna@", true));
	assert_non_null(validate_email("@example.com", true));
	assert_non_null(validate_email("anna@example", true));
	assert_non_null(validate_email("an na@example.com", true));
	assert_non_null(validate_email("a@b@example.com", true));
	assert_null(validate_email("", false));
}

/* A station's name is its connection's application_name: printable ASCII
 * that PostgreSQL logs as given, 1 to 60 characters, each refusal with its
 * reason. */
static void test_validate_station(void **state)
{
	char name[STATION_MAX_CHARS + 2];
	const char *why;
	(void)state;
	assert_null(validate_station("counter-1", 9));
	assert_null(validate_station("Front desk #2 (east)", 20));
	assert_null(validate_station("~", 1));
	memset(name, 'k', sizeof name);
	assert_null(validate_station(name, STATION_MAX_CHARS));
	assert_string_equal(validate_station(name, STATION_MAX_CHARS + 1), "is too long (at most 60 characters)");
	assert_string_equal(validate_station("", 0), "is required (1 to 60 characters of printable ASCII)");
	assert_string_equal(validate_station(NULL, 0), "is required (1 to 60 characters of printable ASCII)");
	assert_string_equal(validate_station("   ", 3), "is blank");
	/* PostgreSQL would log "kassa-??" */
	why = validate_station("kassa-\xc3\x96", 8);
	assert_non_null(why);
	assert_string_equal(why, "takes printable ASCII only: letters A-Z, digits, spaces, punctuation (it names the "
				 "station in every log)");
	assert_string_equal(validate_station("caf\xc3\xa9\xc2\xa0", 7), why); /* U+00A0 too */
	assert_string_equal(validate_station("desk\t2", 6), "contains control characters");
	assert_string_equal(validate_station("desk\x7f", 5), "contains control characters");
	assert_string_equal(validate_station("desk\0x", 6), "contains a NUL byte");
	assert_string_equal(validate_station("kassa-\xd6", 7), "is not valid UTF-8"); /* Latin-1 */
	/* only len bytes count: the rest of a buffer is not the name */
	assert_null(validate_station("desk-9\xc3\x96", 6));
}

/* The same refusal on every path: C0, DEL and C1 controls, NUL inside a
 * field, and a too-long text that names its limit. */
static void test_validate_controls_nul_and_limits(void **state)
{
	char big[NAME_MAX_CHARS + 2], out[64];
	const char *why;
	(void)state;
	assert_non_null(validate_text("Evil \x1b[31m", NAME_MAX_CHARS, false));
	assert_non_null(validate_text("CSI \xc2\x9b" "31m", NAME_MAX_CHARS, false)); /* U+009B */
	assert_non_null(validate_text("DEL \x7f", NAME_MAX_CHARS, false));
	assert_null(validate_text("No-break\xc2\xa0space", NAME_MAX_CHARS, false)); /* U+00A0 is text */
	assert_string_equal(validate_text_n("Bob\0by", 6, NAME_MAX_CHARS, true), "contains a NUL byte");
	assert_null(validate_text_n("Bobby", 5, NAME_MAX_CHARS, true));
	assert_non_null(validate_email_n("a@b.se\0x", 8, true));
	memset(big, 'x', NAME_MAX_CHARS + 1);
	big[NAME_MAX_CHARS + 1] = '\0';
	why = validate_text(big, NAME_MAX_CHARS, false);
	assert_non_null(why);
	assert_string_equal(why, "is too long (at most 200 characters)");
	{
		const char *field;
		assert_non_null(validate_person("Ann", 3, "ann@example.com", 15, big, strlen(big), &field));
		assert_string_equal(field, "company");
		assert_null(validate_person("Ann", 3, "ann@example.com", 15, NULL, 0, &field));
		assert_non_null(validate_person("Ann", 3, "ann", 3, NULL, 0, &field));
		assert_string_equal(field, "e-mail");
	}
	/* shown safely: bad bytes and controls become U+FFFD, text stays */
	text_printable(out, sizeof out, "A\xff" "B\x1b" "C\0D", 7);
	assert_string_equal(out, "A\xEF\xBF\xBD" "B\xEF\xBF\xBD" "C\xEF\xBF\xBD" "D");
	text_printable(out, 2, "Åsa", 4); /* never a cut character */
	assert_string_equal(out, "");
}

static void test_csv_rows_blank_long_and_nul(void **state)
{
	static char data[4096];
	const char *p = data, *end;
	struct csv_row *row = malloc(sizeof *row);
	int line = 1;
	size_t n = 0;
	(void)state;
	n += (size_t)sprintf(data + n, "\xEF\xBB\xBFname,email\r\n\r\n");
	data[n++] = '"';
	memset(data + n, 'y', CSV_FIELD_MAX + 5); /* too long, yet the next row is found */
	n += CSV_FIELD_MAX + 5;
	n += (size_t)sprintf(data + n, "\",a@b.se\nBob");
	data[n++] = '\0';
	n += (size_t)sprintf(data + n, "by,bob@example.com\n , ,\n\"multi\nline\",m@example.com\n\n");
	end = data + n;
	assert_true(csv_read_row(&p, end, &line, row));
	assert_string_equal(row->field[1], "email");
	assert_true(csv_read_row(&p, end, &line, row));
	assert_true(row->blank);
	assert_true(csv_read_row(&p, end, &line, row));
	assert_true(row->too_long);
	assert_int_equal(row->n, 2);
	assert_string_equal(row->field[1], "a@b.se");
	assert_true(csv_read_row(&p, end, &line, row));
	assert_false(row->too_long);
	assert_int_equal(row->len[0], 6); /* the NUL is kept, not a place to cut */
	assert_int_equal(row->line, 4);
	assert_true(csv_read_row(&p, end, &line, row));
	assert_true(row->blank);
	assert_true(csv_read_row(&p, end, &line, row));
	assert_string_equal(row->field[0], "multi\nline");
	assert_int_equal(row->line, 6);
	assert_true(csv_read_row(&p, end, &line, row));
	assert_true(row->blank);
	assert_false(csv_read_row(&p, end, &line, row));
	p = "\"unclosed,x\nnext,row";
	assert_true(csv_read_row(&p, p + strlen(p), &line, row));
	assert_true(row->unclosed);
	assert_false(csv_read_row(&p, p + strlen(p), &line, row));
	free(row);
}

/* Characters that reorder what is shown (a name could show as another)
 * are refused on every path that validate.c checks, in serve's words: the
 * embeddings, overrides and isolates, and the LRM/RLM/ALM marks. */
static void test_validate_refuses_bidi_controls(void **state)
{
	static const char *const bidi[] = { "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066",
					    "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c" };
	char text[64];
	const char *field, *why;
	(void)state;
	for (size_t i = 0; i < sizeof bidi / sizeof bidi[0]; i++) {
		snprintf(text, sizeof text, "Eve%sCorp", bidi[i]);
		why = validate_text(text, NAME_MAX_CHARS, false);
		if (!why || strcmp(why, "contains characters that reorder text (bidi overrides)") != 0)
			fail_msg("character %zu: %s", i, why ? why : "taken");
		assert_true(text_has_bidi(text, strlen(text)));
		/* names, companies and e-mails of a person (assign, its screen, CSV) */
		assert_non_null(validate_person(text, strlen(text), "eve@example.com", 15, NULL, 0, &field));
		assert_string_equal(field, "name");
		assert_non_null(validate_person("Eve", 3, "eve@example.com", 15, text, strlen(text), &field));
		assert_string_equal(field, "company");
		snprintf(text, sizeof text, "eve%s@example.com", bidi[i]);
		assert_non_null(validate_email(text, false));
	}
	/* the characters next to them are text */
	assert_null(validate_text("\u05e9\u05dc\u05d5\u05dd Shalom", NAME_MAX_CHARS, true));
	assert_null(validate_text("\u0645\u0631\u062d\u0628\u0627 \u061b \u061d", NAME_MAX_CHARS, true));
	assert_null(validate_text("Zero\u200dJoiner \u2070", NAME_MAX_CHARS, true));
}

/* A line ends at LF or CRLF (README, csv.h): a bare CR inside a line is a
 * character of its field, which the row check refuses, never a line end
 * that splits one line into two rows. */
static void test_csv_bare_cr_is_in_its_field(void **state)
{
	const char *data = "Ann,ann@example.com,Fjord\rAB\r\nBo\r,bo@example.com\nCy,cy@example.com\r";
	const char *p = data, *end = data + strlen(data);
	struct csv_row *row = malloc(sizeof *row);
	char f[4][256];
	int line = 1;
	(void)state;
	assert_true(csv_read_row(&p, end, &line, row));
	assert_int_equal(row->n, 3);
	assert_int_equal(row->len[2], 8);
	assert_memory_equal(row->field[2], "Fjord\rAB", 8);
	assert_string_equal(validate_text_n(row->field[2], row->len[2], COMPANY_MAX_CHARS, false),
			    "contains control characters");
	assert_true(csv_read_row(&p, end, &line, row));
	assert_int_equal(row->line, 2);
	assert_int_equal(row->n, 2);
	assert_string_equal(row->field[0], "Bo\r");
	/* a CR that ends the input ends its line (a CRLF cut short) */
	assert_true(csv_read_row(&p, end, &line, row));
	assert_int_equal(row->line, 3);
	assert_string_equal(row->field[1], "cy@example.com");
	assert_false(csv_read_row(&p, end, &line, row));
	/* the older reader reads the same */
	p = data;
	assert_int_equal(csv_read_record(&p, end, f, 4), 3);
	assert_string_equal(f[2], "Fjord\rAB");
	assert_int_equal(csv_read_record(&p, end, f, 4), 2);
	assert_string_equal(f[0], "Bo\r");
	assert_int_equal(csv_read_record(&p, end, f, 4), 2);
	assert_string_equal(f[1], "cy@example.com");
	assert_int_equal(csv_read_record(&p, end, f, 4), 0);
	free(row);
}

static void test_parse_int(void **state)
{
	long long v;
	(void)state;
	assert_null(parse_int_range("42", 1, 100, &v));
	assert_int_equal(v, 42);
	assert_non_null(parse_int_range("0", 1, 100, &v));
	assert_non_null(parse_int_range("-5", 1, 100, &v));
	assert_non_null(parse_int_range("5x", 1, 100, &v));
	assert_non_null(parse_int_range(" 5", 1, 100, &v));
	assert_non_null(parse_int_range("", 1, 100, &v));
	assert_non_null(parse_int_range("99999999999999999999", 1, LLONG_MAX, &v));
	assert_null(parse_int_range("-5", -10, 10, &v));
	assert_int_equal(v, -5);
}

static void test_rng_deterministic(void **state)
{
	struct rng a = { 7 }, b = { 7 }, c = { 8 };
	int differ = 0;
	(void)state;
	for (int i = 0; i < 100; i++) {
		uint64_t x = rng_next(&a);
		assert_true(x == rng_next(&b));
		differ += x != rng_next(&c);
		assert_true(rng_below(&a, 10) < 10);
		rng_below(&b, 10);
	}
	assert_true(differ > 90);
}

/* Search keys forgive case, accents and spacing, and nothing else. */
/* text_fold_contains with the part folded first, as its callers do. */
static bool contains_folded(const char *text, const char *part)
{
	char q[512];
	text_fold(part, q, sizeof q);
	return text_fold_contains(text, q);
}

static void test_text_fold(void **state)
{
	char out[64];
	(void)state;
	text_fold("  \xc3\x85sa\t \xc3\x96" "berg  ", out, sizeof out);
	assert_string_equal(out, "asa oberg");
	text_fold("\xc3\x86RE \xc3\x98 Stra\xc3\x9f" "e \xc5\x81\xc3\xb3" "d\xc5\xba", out, sizeof out);
	assert_string_equal(out, "aere o strasse lodz");
	text_fold("Fjord\xc2\xa0" "Design A/S", out, sizeof out);
	assert_string_equal(out, "fjord design a/s");
	/* other scripts stay as they are; nothing is split at the end */
	text_fold("\xe6\x9d\xb1\xe4\xba\xac Co", out, sizeof out);
	assert_string_equal(out, "\xe6\x9d\xb1\xe4\xba\xac co");
	assert_int_equal(text_fold("\xe6\x9d\xb1\xe4\xba\xac", out, 5), 3);
	assert_true(contains_folded("Nordic \xc3\x85sa  \xc3\x96" "berg AB", "asa oberg"));
	assert_true(contains_folded("Hall C-114", "c-11"));
	assert_true(contains_folded("anything", "  "));
	assert_false(contains_folded("Fjord AS", "fjords"));
	assert_false(contains_folded("Fjord{AS}", "fjord[as]"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_tables),
		cmocka_unit_test(test_vat_rounding),
		cmocka_unit_test(test_money_parse_format),
		cmocka_unit_test(test_order_action_labels),
		cmocka_unit_test(test_text_defang),
		cmocka_unit_test(test_numbers_fit_their_column),
		cmocka_unit_test(test_line_net_overflow),
		cmocka_unit_test(test_order_amounts),
		cmocka_unit_test(test_transitions_table),
		cmocka_unit_test(test_initial_status),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_validate_dates),
		cmocka_unit_test(test_validate_text_email),
		cmocka_unit_test(test_validate_refuses_bidi_controls),
		cmocka_unit_test(test_csv_bare_cr_is_in_its_field),
		cmocka_unit_test(test_validate_controls_nul_and_limits),
		cmocka_unit_test(test_validate_station),
		cmocka_unit_test(test_csv_rows_blank_long_and_nul),
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_rng_deterministic),
		cmocka_unit_test(test_text_fold),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}

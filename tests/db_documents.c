/* Documents people hand over: the invoice PDF (numbered once, printed
 * again the same), mailed through a local SMTP sink written here, a mail
 * server that never answers, and the counter-sale receipt (text, PDF, lp). */
#define _GNU_SOURCE /* memmem */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "tmux.h"

static PGconn *conn;
static char tmp[512], state_dir[600];
/* Two events for the whole file (every test program shares the database,
 * and screens list its events): invoices, and counter sales. */
static long long inv_event, till_event;

/* ---- a small SMTP sink: 127.0.0.1:0, one connection, saves the message ---- */

struct sink {
	int listen_fd, port;
	bool silent; /* accepts and never answers */
	bool silent_after_data; /* takes the message, never answers it */
	volatile bool stop;
	pthread_t thread;
	char rcpt[256];
	char *message;
	size_t len;
};

static void say(int fd, const char *s)
{
	ssize_t n = send(fd, s, strlen(s), MSG_NOSIGNAL);
	(void)n;
}

/* Reads into buf until it holds "\r\n" (or the data's end mark). */
static bool read_until(int fd, char **buf, size_t *len, size_t *cap, const char *mark, struct sink *s)
{
	while (!memmem(*buf, *len, mark, strlen(mark))) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;
		if (s->stop)
			return false;
		if (poll(&p, 1, 200) <= 0)
			continue;
		if (*len + 4096 > *cap) {
			*cap = (*len + 4096) * 2;
			*buf = realloc(*buf, *cap);
		}
		if ((n = recv(fd, *buf + *len, *cap - *len - 1, 0)) <= 0)
			return false;
		*len += (size_t)n;
		(*buf)[*len] = '\0';
	}
	return true;
}

static void *sink_run(void *arg)
{
	struct sink *s = arg;
	struct pollfd p = { s->listen_fd, POLLIN, 0 };
	char *buf = calloc(1, 4096);
	size_t len = 0, cap = 4096;
	int fd;

	while (!s->stop && poll(&p, 1, 200) <= 0)
		;
	if (s->stop || (fd = accept(s->listen_fd, NULL, NULL)) < 0) {
		free(buf);
		return NULL;
	}
	if (s->silent) {
		while (!s->stop)
			usleep(20000); /* the test's own thread; the client under test waits on us */
		close(fd);
		free(buf);
		return NULL;
	}
	say(fd, "220 sink ESMTP\r\n");
	for (;;) {
		char *eol, line[1024];
		if (!read_until(fd, &buf, &len, &cap, "\r\n", s))
			break;
		eol = memmem(buf, len, "\r\n", 2);
		snprintf(line, sizeof line, "%.*s", (int)(eol - buf), buf);
		len -= (size_t)(eol + 2 - buf);
		memmove(buf, eol + 2, len + 1);
		if (strncasecmp(line, "EHLO", 4) == 0 || strncasecmp(line, "HELO", 4) == 0) {
			say(fd, "250 sink\r\n");
		} else if (strncasecmp(line, "MAIL FROM:", 10) == 0) {
			say(fd, "250 OK\r\n");
		} else if (strncasecmp(line, "RCPT TO:", 8) == 0) {
			snprintf(s->rcpt, sizeof s->rcpt, "%.200s", line + 8);
			say(fd, "250 OK\r\n");
		} else if (strncasecmp(line, "DATA", 4) == 0) {
			char *end;
			say(fd, "354 go ahead\r\n");
			if (!read_until(fd, &buf, &len, &cap, "\r\n.\r\n", s))
				break;
			end = memmem(buf, len, "\r\n.\r\n", 5);
			s->len = (size_t)(end - buf) + 2;
			s->message = malloc(s->len + 1);
			memcpy(s->message, buf, s->len);
			s->message[s->len] = '\0';
			len -= (size_t)(end + 5 - buf);
			memmove(buf, end + 5, len + 1);
			while (s->silent_after_data && !s->stop)
				usleep(20000);
			say(fd, "250 queued\r\n");
		} else if (strncasecmp(line, "QUIT", 4) == 0) {
			say(fd, "221 bye\r\n");
			break;
		} else {
			say(fd, "250 OK\r\n");
		}
	}
	close(fd);
	free(buf);
	return NULL;
}

/* mode: 0 a good server, 1 silent from the start, 2 silent after DATA */
static void sink_start(struct sink *s, int mode)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof a;

	memset(s, 0, sizeof *s);
	s->silent = mode == 1;
	s->silent_after_data = mode == 2;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((s->listen_fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(s->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(s->listen_fd, 4), 0);
	assert_int_equal(getsockname(s->listen_fd, (struct sockaddr *)&a, &alen), 0);
	s->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&s->thread, NULL, sink_run, s), 0);
}

static void sink_stop(struct sink *s)
{
	s->stop = true;
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
}

/* The base64 body of the message's application/pdf part, decoded to path. */
static void extract_pdf(const char *message, const char *path)
{
	const char *part = strstr(message, "Content-Type: application/pdf"), *body, *end;
	unsigned char *bin;
	size_t binlen = 0;
	FILE *f;

	assert_non_null(part);
	assert_non_null(body = strstr(part, "\r\n\r\n"));
	body += 4;
	assert_non_null(end = strstr(body, "\r\n--"));
	bin = malloc((size_t)(end - body));
	assert_int_equal(sodium_base642bin(bin, (size_t)(end - body), body, (size_t)(end - body), "\r\n", &binlen,
					   NULL, sodium_base64_VARIANT_ORIGINAL), 0);
	assert_true(binlen > 1000);
	assert_memory_equal(bin, "%PDF", 4);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(bin, 1, binlen, f), binlen);
	fclose(f);
	free(bin);
}

/* ---- helpers ---- */

static char *pdf_text(const char *path)
{
	struct run_result r = run_cmd("pdftotext -layout '%s' -", path);
	char *out;
	if (r.status != 0)
		fail_msg("pdftotext %s: %s", path, r.err);
	out = strdup(r.out);
	run_free(&r);
	return out;
}

static void assert_has(const char *text, const char *what)
{
	if (!strstr(text, what))
		fail_msg("'%s' is not in:\n%s", what, text);
}

static long long order_with_two_rates(long long *event_id)
{
	json_t *doc;
	long long id;
	*event_id = inv_event;
	doc = cli_json("$BOXOFFICE order add --event %lld --lines 'Adult:2,Kid book:3' --payment invoice "
		       "--company 'Fjord AB' --contact 'Åsa Öberg' --email asa@example.com", *event_id);
	id = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	return id;
}

static int setup(void **state)
{
	const char *t = getenv("BOXOFFICE_TEST_TMP");
	(void)state;
	snprintf(tmp, sizeof tmp, "%s", t && *t ? t : "/tmp");
	snprintf(state_dir, sizeof state_dir, "%s/docs-state", tmp);
	conn = test_migrate_connect();
	json_decref(cli_json("$BOXOFFICE seller set --name 'Nordlys Events AB' --address 'Storgatan 12; 111 51 Stockholm' "
			     "--vat-number SE556677889901 --bank 'IBAN SE45 5000 0000 0583' --currency SEK --due-days 30"));
	inv_event = make_event(unique_name("Docs"), "2027-05-01", 0);
	make_type(inv_event, "Adult", 100000, 39900, 1);
	json_decref(cli_json("$BOXOFFICE type add --event %lld --name 'Kid book' --capacity 100000 --price 12050 "
			     "--vat-bp 600", inv_event));
	till_event = make_event(unique_name("Till"), "2027-05-01", 0);
	make_type(till_event, "Adult", 100000, 39900, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	PQfinish(conn);
	return 0;
}

/* ---- tests ---- */

/* order invoice numbers the invoice, saves its PDF and mails it to the
 * contact with the PDF attached; pdftotext finds the number, lines, VAT
 * per rate and the total as the database has them. */
static void test_invoice_pdf_mailed_to_the_contact(void **state)
{
	long long event_id, id = order_with_two_rates(&event_id);
	char path[700], expect[64];
	struct sink s;
	struct run_result r;
	json_t *doc;
	char *text;
	(void)state;

	sink_start(&s, false);
	r = run_cmd("BOXOFFICE_SMTP_URL=smtp://127.0.0.1:%d BOXOFFICE_SMTP_FROM=billing@nordlys.example "
		    "BOXOFFICE_SMTP_TIMEOUT_MS=10000 $BOXOFFICE --state-dir '%s' order invoice %lld",
		    s.port, state_dir, id);
	sink_stop(&s);
	if (r.status != 0)
		fail_msg("order invoice exited %d: %s", r.status, r.err);
	assert_non_null(doc = json_loads(r.out, 0, NULL));
	assert_int_equal(json_integer_value(json_object_get(doc, "invoice_no")), 1);
	assert_true(json_is_true(json_object_get(doc, "mailed")));
	snprintf(expect, sizeof expect, "INV-%lld-1", event_id);
	assert_string_equal(json_string_value(json_object_get(doc, "invoice")), expect);
	assert_non_null(strstr(json_string_value(json_object_get(doc, "pdf")), "/invoices/INV-"));
	assert_int_equal(access(json_string_value(json_object_get(doc, "pdf")), R_OK), 0);
	json_decref(doc);
	run_free(&r);

	assert_non_null(s.message);
	assert_non_null(strstr(s.rcpt, "asa@example.com"));
	assert_has(s.message, "Subject: Invoice INV-");
	assert_has(s.message, "To: <asa@example.com>");
	snprintf(path, sizeof path, "%s/mailed-%lld.pdf", tmp, id);
	extract_pdf(s.message, path);
	free(s.message);

	text = pdf_text(path);
	assert_has(text, expect);
	assert_has(text, "Nordlys Events AB");
	assert_has(text, "SE556677889901");
	assert_has(text, "Fjord AB");
	assert_has(text, "Åsa Öberg");
	assert_has(text, "Adult");
	assert_has(text, "Kid book");
	assert_has(text, "399.00");
	assert_has(text, "798.00");
	assert_has(text, "VAT 25% of 798.00");
	assert_has(text, "199.50");
	assert_has(text, "VAT 6% of 361.50");
	assert_has(text, "21.69");
	assert_has(text, "221.19");   /* total VAT */
	assert_has(text, "1,159.50"); /* total net */
	assert_has(text, "1,380.69"); /* total due */
	assert_has(text, "Due date");
	assert_has(text, "RF");
	free(text);
	/* the amounts printed are the database's */
	{
		char sid[24];
		const char *p[1] = { sid };
		snprintf(sid, sizeof sid, "%lld", id);
		assert_int_equal(test_scalar(conn, "SELECT gross_cents FROM ticket_order WHERE id = $1", 1, p), 138069);
		assert_int_equal(test_scalar(conn, "SELECT sum(vat_cents) FROM order_line WHERE order_id = $1", 1, p),
				 22119);
	}
}

/* A buyer too wide for its column is cut a character at a time, never
 * inside one: half an Ø would leave cairo in error and the rest of the
 * page blank. */
static void test_invoice_cuts_a_long_name_between_characters(void **state)
{
	char name[400] = "", path[700];
	json_t *doc;
	char *text;
	long long id;
	(void)state;

	for (int i = 0; i < 120; i++)
		strcat(name, "Ø");
	doc = cli_json("$BOXOFFICE order add --event %lld --lines 'Adult:1' --payment invoice --company '%s' "
		       "--contact 'Åsa Öberg' --email asa@example.com", inv_event, name);
	id = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	snprintf(path, sizeof path, "%s/long-name-%lld.pdf", tmp, id);
	json_decref(cli_json("$BOXOFFICE --state-dir '%s' order invoice %lld --pdf '%s'", state_dir, id, path));
	text = pdf_text(path);
	assert_has(text, "ØØØØØØØØØØØØØØØØØØØØ");
	assert_null(strstr(text, name)); /* cut: 120 do not fit in 400 points */
	assert_has(text, "Åsa Öberg");      /* and what comes after it is there */
	assert_has(text, "Adult");
	free(text);
}

/* Printing an invoiced order again gives the same document, no new
 * number, even after the seller's details changed; a second "send" is
 * still refused; a card order gets no invoice number. */
static void test_invoice_printed_again_is_the_same(void **state)
{
	long long event_id, id = order_with_two_rates(&event_id);
	char first[700], again[700], sid[24], sev[24];
	const char *p[1] = { sid }, *pe[1] = { sev };
	struct run_result r;
	json_t *doc;
	char *t1, *t2;
	long long no;
	(void)state;

	snprintf(sid, sizeof sid, "%lld", id);
	snprintf(sev, sizeof sev, "%lld", event_id);
	snprintf(first, sizeof first, "%s/first-%lld.pdf", tmp, id);
	snprintf(again, sizeof again, "%s/again-%lld.pdf", tmp, id);
	doc = cli_json("$BOXOFFICE --state-dir '%s' order invoice %lld --pdf '%s'", state_dir, id, first);
	no = json_integer_value(json_object_get(doc, "invoice_no"));
	assert_string_equal(json_string_value(json_object_get(doc, "pdf")), first);
	assert_false(json_is_true(json_object_get(doc, "mailed"))); /* no SMTP configured */
	json_decref(doc);
	/* the seller moves after the invoice was sent */
	json_decref(cli_json("$BOXOFFICE seller set --event %lld --name 'Someone Else AB'", event_id));

	r = run_cmd("$BOXOFFICE --state-dir '%s' order invoice %lld", state_dir, id);
	assert_int_equal(r.status, 1);
	assert_non_null(strstr(r.err, "already"));
	run_free(&r);
	doc = cli_json("$BOXOFFICE --state-dir '%s' order invoice %lld --pdf '%s'", state_dir, id, again);
	assert_int_equal(json_integer_value(json_object_get(doc, "invoice_no")), no);
	json_decref(doc);
	assert_int_equal(test_scalar(conn, "SELECT last_invoice_no FROM event WHERE id = $1", 1, pe), no);
	t1 = pdf_text(first);
	t2 = pdf_text(again);
	assert_string_equal(t1, t2);
	assert_has(t2, "Nordlys Events AB");
	assert_null(strstr(t2, "Someone Else"));
	free(t1);
	free(t2);
	/* settled: still printable, same number */
	json_decref(cli_json("$BOXOFFICE order settle %lld --ref BANK-7", id));
	doc = cli_json("$BOXOFFICE --state-dir '%s' order invoice %lld --pdf '%s'", state_dir, id, again);
	assert_int_equal(json_integer_value(json_object_get(doc, "invoice_no")), no);
	json_decref(doc);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM invoice_document WHERE order_id = $1", 1, p), 1);

	/* a card order has no invoice */
	doc = cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment card", event_id);
	r = run_cmd("$BOXOFFICE --state-dir '%s' order invoice %lld", state_dir,
		    (long long)json_integer_value(json_object_get(doc, "id")));
	json_decref(doc);
	assert_int_equal(r.status, 1);
	run_free(&r);
	assert_int_equal(test_scalar(conn, "SELECT last_invoice_no FROM event WHERE id = $1", 1, pe), no);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A mail server that accepts and never answers: the command ends within
 * its deadline, says so, and the invoice stays sent (exit 3: only the mail
 * failed). */
static void test_invoice_mail_server_silent(void **state)
{
	long long event_id, id = order_with_two_rates(&event_id);
	struct sink s;
	struct run_result r;
	json_t *doc;
	double t0, took;
	char sid[24];
	const char *p[1] = { sid };
	(void)state;

	sink_start(&s, true);
	t0 = now_s();
	r = run_cmd("BOXOFFICE_SMTP_URL=smtp://127.0.0.1:%d BOXOFFICE_SMTP_FROM=billing@nordlys.example "
		    "BOXOFFICE_SMTP_TIMEOUT_MS=1500 $BOXOFFICE --state-dir '%s' order invoice %lld",
		    s.port, state_dir, id);
	took = now_s() - t0;
	sink_stop(&s);
	if (took > 8.0)
		fail_msg("order invoice took %.1f s against a silent server (deadline 1.5 s)", took);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "boxoffice: order invoice: "));
	assert_non_null(strstr(r.err, "not mailed"));
	assert_non_null(strstr(r.err, "timed out"));
	assert_non_null(doc = json_loads(r.out, 0, NULL));
	assert_true(json_is_false(json_object_get(doc, "mailed")));
	assert_non_null(strstr(json_string_value(json_object_get(doc, "mail_error")), "timed out"));
	assert_true(json_integer_value(json_object_get(doc, "invoice_no")) > 0);
	json_decref(doc);
	run_free(&r);
	snprintf(sid, sizeof sid, "%lld", id);
	assert_int_equal(test_scalar(conn, "SELECT count(*) FROM ticket_order WHERE id = $1 AND status = 'invoice_sent'",
				     1, p), 1);
}

/* The counter sale's receipt: text (42 and 48 columns), PDF, lp. */
static void test_receipt_text_pdf_and_print(void **state)
{
	long long event_id = till_event, id, inv;
	char path[700], lpdir[700], printed[800];
	struct run_result r;
	json_t *doc;
	char *text;
	FILE *f;
	(void)state;

	doc = cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 2 --payment card", event_id);
	id = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);

	for (int w = 42; w <= 48; w += 6) {
		char order[32];
		const char *line;
		r = run_cmd("$BOXOFFICE order receipt %lld --text --width %d", id, w);
		assert_int_equal(r.status, 0);
		snprintf(order, sizeof order, "Order #%lld", id);
		assert_has(r.out, order);
		assert_has(r.out, "Adult");
		assert_has(r.out, "2 x 399.00");
		assert_has(r.out, "VAT 25% of 798.00");
		assert_has(r.out, "199.50");
		assert_has(r.out, "997.50");
		assert_has(r.out, "Nordlys Events AB");
		for (line = r.out; *line;) {
			size_t n = strcspn(line, "\n"), cols = 0;
			for (size_t i = 0; i < n; i++)
				cols += ((unsigned char)line[i] & 0xC0) != 0x80;
			assert_true(cols <= (size_t)w);
			line += n + (line[n] == '\n');
		}
		run_free(&r);
	}

	snprintf(path, sizeof path, "%s/receipt-%lld.pdf", tmp, id);
	doc = cli_json("$BOXOFFICE order receipt %lld --pdf '%s'", id, path);
	assert_string_equal(json_string_value(json_object_get(doc, "pdf")), path);
	json_decref(doc);
	text = pdf_text(path);
	assert_has(text, "RECEIPT");
	assert_has(text, "Adult");
	assert_has(text, "199.50");
	assert_has(text, "997.50");
	free(text);

	/* no lp: said clearly, exit 1 */
	r = run_cmd("PATH=/nonexistent $BOXOFFICE order receipt %lld --print", id);
	assert_int_equal(r.status, 1);
	assert_has(r.err, "boxoffice: order receipt: lp not found");
	run_free(&r);
	/* an lp that takes the text */
	snprintf(lpdir, sizeof lpdir, "%s/lp-%lld", tmp, id);
	mkdir(lpdir, 0700);
	snprintf(printed, sizeof printed, "%s/lp", lpdir);
	assert_non_null(f = fopen(printed, "w"));
	fprintf(f, "#!/bin/sh\ncat > '%s/printed.txt'\n", lpdir);
	fclose(f);
	chmod(printed, 0755);
	r = run_cmd("PATH='%s':/usr/bin:/bin $BOXOFFICE --state-dir '%s' order receipt %lld --print", lpdir, state_dir, id);
	if (r.status != 0)
		fail_msg("receipt --print exited %d: %s", r.status, r.err);
	run_free(&r);
	snprintf(printed, sizeof printed, "%s/printed.txt", lpdir);
	r = run_cmd("cat '%s'", printed);
	assert_has(r.out, "997.50");
	run_free(&r);
	/* an lp that fails: its reason, exit 3 */
	snprintf(printed, sizeof printed, "%s/lp", lpdir);
	assert_non_null(f = fopen(printed, "w"));
	fprintf(f, "#!/bin/sh\necho 'lp: The printer or class does not exist.' >&2\nexit 1\n");
	fclose(f);
	r = run_cmd("PATH='%s':/usr/bin:/bin $BOXOFFICE --state-dir '%s' order receipt %lld --print", lpdir, state_dir, id);
	assert_int_equal(r.status, 3);
	assert_has(r.err, "does not exist");
	run_free(&r);

	/* an unpaid order has no receipt; no such order is exit 1 too */
	doc = cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment invoice", event_id);
	inv = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	r = run_cmd("$BOXOFFICE order receipt %lld --text", inv);
	assert_int_equal(r.status, 1);
	assert_has(r.err, "is requested");
	run_free(&r);
	r = run_cmd("$BOXOFFICE order receipt 999999999");
	assert_int_equal(r.status, 1);
	assert_has(r.err, "boxoffice: order 999999999: no such order");
	run_free(&r);
}

static void test_seller_set_and_show(void **state)
{
	long long event_id = inv_event;
	json_t *doc;
	struct run_result r;
	(void)state;

	/* the global seller prints until the event has its own */
	doc = cli_json("$BOXOFFICE seller show --event %lld --json", till_event);
	assert_string_equal(json_string_value(json_object_get(doc, "name")), "Nordlys Events AB");
	json_decref(doc);
	r = run_cmd("$BOXOFFICE seller set --event %lld --vat-number X", till_event);
	assert_int_equal(r.status, 1); /* a new seller needs a name */
	run_free(&r);
	json_decref(cli_json("$BOXOFFICE seller set --event %lld --name 'Gala Org' --due-days 14", event_id));
	json_decref(cli_json("$BOXOFFICE seller set --event %lld --bank 'IBAN X'", event_id));
	doc = cli_json("$BOXOFFICE seller show --event %lld --json", event_id);
	assert_string_equal(json_string_value(json_object_get(doc, "name")), "Gala Org");
	assert_string_equal(json_string_value(json_object_get(doc, "bank")), "IBAN X");
	assert_int_equal(json_integer_value(json_object_get(doc, "due_days")), 14);
	/* what the event's seller leaves empty comes from the all-events one
	 * (an invoice printed with no VAT number or currency) */
	{
		json_t *global = cli_json("$BOXOFFICE seller show --json");
		assert_true(json_string_length(json_object_get(global, "vat_number")) > 0);
		assert_string_equal(json_string_value(json_object_get(doc, "vat_number")),
				    json_string_value(json_object_get(global, "vat_number")));
		assert_string_equal(json_string_value(json_object_get(doc, "currency")),
				    json_string_value(json_object_get(global, "currency")));
		json_decref(global);
	}
	json_decref(doc);
	r = run_cmd("$BOXOFFICE seller set --due-days 400");
	assert_int_equal(r.status, 2);
	run_free(&r);
	r = run_cmd("$BOXOFFICE seller set --name ''");
	assert_int_equal(r.status, 2);
	run_free(&r);
}

/* Right after a paid counter sale the screen offers the receipt: s saves
 * the PDF, p prints (here: no lp, said on the status line); the loop
 * never waits for either. */
static void test_sale_screen_offers_receipt(void **state)
{
	long long event_id = till_event;
	char cmd[1400], sev[24], path[900];
	const char *p[1] = { sev };
	struct tmux t;
	long long id;
	(void)state;

	snprintf(sev, sizeof sev, "%lld", event_id);
	snprintf(cmd, sizeof cmd, "PATH=/usr/bin:/bin BOXOFFICE_STATE='%s' $BOXOFFICE --screen inventory --event %lld; sleep 60",
		 state_dir, event_id);
	tmux_start(&t, "receipt", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Adult", 10000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Sell Adult", 3000));
	tmux_keys(&t, "BSpace 2 c Enter");
	assert_true(tmux_wait_for(&t, "incl. VAT?", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Receipt: p print", 3000));
	tmux_keys(&t, "s");
	assert_true(tmux_wait_for(&t, "receipt saved", 10000));
	assert_true(tmux_wait_gone(&t, "Receipt: p print", 1000));
	id = test_scalar(conn, "SELECT max(id) FROM ticket_order WHERE event_id = $1", 1, p);
	{
		struct run_result r = run_cmd("ls '%s'/*/receipts/R-%lld.pdf", state_dir, id);
		assert_int_equal(r.status, 0);
		snprintf(path, sizeof path, "%.*s", (int)strcspn(r.out, "\n"), r.out);
		run_free(&r);
	}
	{
		char *text = pdf_text(path);
		assert_has(text, "997.50");
		free(text);
	}
	/* another sale; p without lp says so and the screen goes on */
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Tab/arrows move", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "incl. VAT?", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Receipt: p print", 3000));
	tmux_keys(&t, "p");
	assert_true(tmux_wait_for(&t, "lp not found", 10000));
	/* not printed: the PDF is still one key away */
	assert_true(tmux_wait_for(&t, "Receipt not printed: order receipt: lp not found", 1000));
	assert_true(tmux_wait_for(&t, "Receipt: p print", 1000));
	tmux_keys(&t, "s");
	assert_true(tmux_wait_for(&t, "receipt saved: …/receipts/R-", 10000)); /* the folder's name, whole */
	/* any other key skips the offer */
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Tab/arrows move", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "incl. VAT?", 3000));
	tmux_keys(&t, "Enter");
	assert_true(tmux_wait_for(&t, "Receipt: p print", 3000));
	tmux_keys(&t, "x");
	assert_true(tmux_wait_gone(&t, "Receipt: p print", 3000));
	tmux_stop(&t);
}

/* p on the order detail prints a settled order's receipt again (a
 * customer back at the counter), the sale's way (lp, here one that keeps
 * what it was given); with no lp the receipt is saved as a PDF and the
 * status line says it was not printed. */
static void test_order_detail_makes_the_receipt_again(void **state)
{
	long long event_id = make_event(unique_name("Receipt Again"), "2031-03-03", 0), id;
	char cmd[1400], want[96], lpdir[700], lp[800];
	struct run_result r;
	struct tmux t;
	json_t *doc;
	FILE *f;
	(void)state;

	make_type(event_id, "Adult", 50, 10000, 1);
	doc = cli_json("$BOXOFFICE sell --event %lld --type Adult --qty 1 --payment card --company 'Again AB'", event_id);
	id = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	snprintf(lpdir, sizeof lpdir, "%s/lp-again-%lld", tmp, id);
	mkdir(lpdir, 0700);
	snprintf(lp, sizeof lp, "%s/lp", lpdir);
	assert_non_null(f = fopen(lp, "w"));
	fprintf(f, "#!/bin/sh\ncat > '%s/printed.txt'\n", lpdir);
	fclose(f);
	chmod(lp, 0755);
	snprintf(cmd, sizeof cmd,
		 "PATH='%s':/usr/bin:/bin BOXOFFICE_STATE='%s' $BOXOFFICE --screen orders --event %lld; sleep 60", lpdir,
		 state_dir, event_id);
	tmux_start(&t, "receiptagain", 80, 24, cmd);
	assert_true(tmux_wait_for(&t, "Again AB", 10000));
	tmux_keys(&t, "Enter");
	snprintf(want, sizeof want, "Order #%lld", id);
	assert_true(tmux_wait_for(&t, want, 3000));
	assert_true(tmux_wait_for(&t, "TICKET", 3000));
	tmux_keys(&t, "p");
	if (!tmux_wait_for(&t, "receipt sent to the printer", 10000)) {
		char *screen = tmux_capture(&t);
		fail_msg("p did not print:\n%s", screen);
	}
	r = run_cmd("cat '%s/printed.txt'", lpdir);
	assert_int_equal(r.status, 0);
	assert_has(r.out, want);
	assert_has(r.out, "Again AB");
	run_free(&r);
	/* no printer: saved as a PDF instead, and said so */
	unlink(lp);
	tmux_keys(&t, "p");
	/* the why first (polled every 300 ms: on the status line at least
	 * that long), then what happens (in full under F1) */
	assert_true(tmux_wait_for(&t, "Receipt not printed: order receipt: lp not found", 5000));
	snprintf(want, sizeof want, "Receipt not printed — receipt saved: …/receipts/R-%lld.pdf", id);
	if (!tmux_wait_for(&t, want, 10000)) {
		char *screen = tmux_capture(&t);
		fail_msg("no PDF when not printed:\n%s", screen);
	}
	tmux_keys(&t, "F1");
	assert_true(tmux_wait_for(&t, "print the receipt of a settled order again", 3000));
	if (!tmux_wait_for(&t, "; saving it as a PDF", 1000)) {
		char *screen = tmux_capture(&t);
		fail_msg("the why, then what happens:\n%s", screen);
	}
	tmux_stop(&t);
}

/* --pdf replaces a regular file only: a FIFO or a device stays what it
 * is (the command refuses), a symbolic link is followed and stays a link
 * (it was renamed over: --pdf /dev/full made /dev/full a PDF). */
static void test_pdf_never_replaces_what_is_not_a_file(void **state)
{
	long long event_id, id = order_with_two_rates(&event_id);
	char fifo[700], link[700], real[700];
	struct run_result r;
	struct stat st;
	json_t *doc;
	(void)state;

	snprintf(fifo, sizeof fifo, "%s/fifo-%lld", tmp, id);
	snprintf(link, sizeof link, "%s/link-%lld.pdf", tmp, id);
	snprintf(real, sizeof real, "%s/real-%lld.pdf", tmp, id);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	doc = cli_json("$BOXOFFICE --state-dir '%s' order invoice %lld --no-mail", state_dir, id);
	json_decref(doc);
	r = run_cmd("$BOXOFFICE --state-dir '%s' order invoice %lld --pdf '%s'", state_dir, id, fifo);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "not a regular file"));
	run_free(&r);
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	r = run_cmd("$BOXOFFICE --state-dir '%s' order receipt %lld --pdf /dev/full", state_dir, id);
	assert_true(r.status != 0);
	run_free(&r);
	assert_int_equal(stat("/dev/full", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	/* a link: followed, and still a link */
	{
		FILE *f = fopen(real, "w");
		fputs("old", f);
		fclose(f);
	}
	assert_int_equal(symlink(real, link), 0);
	json_decref(cli_json("$BOXOFFICE --state-dir '%s' order invoice %lld --pdf '%s'", state_dir, id, link));
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(stat(real, &st), 0);
	assert_true(st.st_size > 1000);
}

/* A server that takes the message and never answers it: libcurl's own
 * timeout did not end that phase (the command waited for ever). */
static void test_invoice_mail_server_silent_after_data(void **state)
{
	long long event_id, id = order_with_two_rates(&event_id);
	struct sink s;
	struct run_result r;
	double t0, took;
	(void)state;

	sink_start(&s, 2);
	t0 = now_s();
	r = run_cmd("BOXOFFICE_SMTP_URL=smtp://127.0.0.1:%d BOXOFFICE_SMTP_FROM=billing@nordlys.example "
		    "BOXOFFICE_SMTP_TIMEOUT_MS=2000 timeout 60 $BOXOFFICE --state-dir '%s' order invoice %lld",
		    s.port, state_dir, id);
	took = now_s() - t0;
	sink_stop(&s);
	free(s.message); /* taken, never answered */
	if (took > 10.0)
		fail_msg("order invoice took %.1f s against a server silent after DATA (deadline 2 s)", took);
	assert_int_equal(r.status, 3);
	assert_non_null(strstr(r.err, "timed out"));
	run_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invoice_pdf_mailed_to_the_contact),
		cmocka_unit_test(test_invoice_printed_again_is_the_same),
		cmocka_unit_test(test_invoice_cuts_a_long_name_between_characters),
		cmocka_unit_test(test_pdf_never_replaces_what_is_not_a_file),
		cmocka_unit_test(test_invoice_mail_server_silent),
		cmocka_unit_test(test_invoice_mail_server_silent_after_data),
		cmocka_unit_test(test_receipt_text_pdf_and_print),
		cmocka_unit_test(test_seller_set_and_show),
		cmocka_unit_test(test_sale_screen_offers_receipt),
		cmocka_unit_test(test_order_detail_makes_the_receipt_again),
	};
	return cmocka_run_group_tests_name("documents", tests, setup, teardown);
}

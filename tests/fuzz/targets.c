/* The fuzz targets (see targets.h). Each copies the input into buffers of
 * exactly its size, so AddressSanitizer sees any read past the end, and
 * checks properties that must hold for every input: a round trip gives
 * back what went in, a reader always moves on, a result is consistent. */
#include "targets.h"

#include <curses.h>
#include <limits.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "screens/orders.h"
#include "src/app/bulk.h"
#include "src/app/cli.h"
#include "src/app/form.h"
#include "src/app/gate.h"
#include "src/core/csv.h"
#include "src/core/order.h"
#include "src/core/order_filter.h"
#include "src/core/token.h"
#include "src/core/validate.h"

/* A property that must hold: abort (the fuzzer's crash) with where. */
#define FUZZ_CHECK(cond)                                                                   \
	do {                                                                               \
		if (!(cond)) {                                                             \
			dprintf(2, "fuzz: %s:%d: %s does not hold\n", __FILE__, __LINE__, #cond); \
			abort();                                                           \
		}                                                                          \
	} while (0)

static char *copy_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	FUZZ_CHECK(s);
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The input split on NUL bytes into at most max strings, each its own
 * allocation of exactly its length + 1. */
static int split_nul(const uint8_t *data, size_t size, char **out, int max)
{
	int n = 0;
	size_t at = 0;
	while (n < max && at <= size) {
		const uint8_t *nul = size > at ? memchr(data + at, 0, size - at) : NULL;
		size_t len = nul ? (size_t)(nul - (data + at)) : size - at;
		out[n++] = copy_text(data + at, len);
		at += len + 1;
		if (!nul)
			break;
	}
	return n;
}

static void free_strings(char **s, int n)
{
	for (int i = 0; i < n; i++)
		free(s[i]);
}

/* ---- token: token_peek/token_verify, base45, hex ---- */

static unsigned char token_pk[TOKEN_PUBLIC_KEY_BYTES], token_sk[TOKEN_SECRET_KEY_BYTES];

static void token_keys(void)
{
	static bool ready;
	unsigned char seed[crypto_sign_SEEDBYTES];
	if (ready)
		return;
	FUZZ_CHECK(sodium_init() >= 0);
	for (size_t i = 0; i < sizeof seed; i++)
		seed[i] = (unsigned char)(i * 7 + 1);
	crypto_sign_seed_keypair(token_pk, token_sk, seed);
	ready = true;
}

static bool same_claim(const struct ticket_claim *a, const struct ticket_claim *b)
{
	return a->event_id == b->event_id && a->ticket_id == b->ticket_id && a->type_id == b->type_id &&
	       a->issue == b->issue;
}

int fuzz_target_token(const uint8_t *data, size_t size)
{
	char *text = copy_text(data, size);
	struct ticket_claim peeked, verified;
	enum token_status peek, verify;
	size_t cap, n;
	unsigned char *bytes;

	token_keys();
	/* as scanned: the text up to a NUL */
	peek = token_peek(text, &peeked);
	verify = token_verify(text, token_pk, &verified);
	FUZZ_CHECK((peek == TOKEN_MALFORMED) == (verify == TOKEN_MALFORMED));
	if (verify == TOKEN_VALID)
		FUZZ_CHECK(same_claim(&peeked, &verified));
	if (peek == TOKEN_VALID) {
		/* what a token claims, minted again, reads back the same */
		char again[TOKEN_MAX + 8];
		struct ticket_claim back;
		FUZZ_CHECK(token_mint(&peeked, token_sk, again, sizeof again));
		FUZZ_CHECK(token_peek(again, &back) == TOKEN_VALID && same_claim(&back, &peeked));
		FUZZ_CHECK(token_verify(again, token_pk, &back) == TOKEN_VALID && same_claim(&back, &peeked));
	}

	/* base45 of the raw bytes: what decodes encodes back to the same text */
	cap = size / 3 * 2 + 2;
	bytes = malloc(cap);
	n = base45_decode((const char *)data, size, bytes, cap);
	if (n != (size_t)-1) {
		char *enc = malloc(size + 1);
		FUZZ_CHECK(n <= cap);
		FUZZ_CHECK(base45_encode(bytes, n, enc, size + 1) == size);
		FUZZ_CHECK(memcmp(enc, data, size) == 0 && enc[size] == '\0');
		free(enc);
	}
	free(bytes);
	/* encoding into a buffer of any size (the first byte picks it): never past it */
	if (size > 0) {
		size_t room = data[0] % 64;
		char *out = malloc(room);
		n = base45_encode(data + 1, size - 1, out, room);
		FUZZ_CHECK(n == (size_t)-1 || (n < room && strlen(out) == n));
		free(out);
	}

	/* hex: a key (32 bytes) and the whole text */
	{
		unsigned char key[TOKEN_PUBLIC_KEY_BYTES];
		size_t half = strlen(text) / 2;
		unsigned char *all = malloc(half ? half : 1);
		if (hex_decode(text, key, sizeof key))
			FUZZ_CHECK(strlen(text) == 2 * sizeof key);
		if (hex_decode(text, all, half)) {
			char *back = malloc(2 * half + 1);
			hex_encode(all, half, back);
			FUZZ_CHECK(strlen(text) == 2 * half);
			for (size_t i = 0; i < 2 * half; i++)
				FUZZ_CHECK(back[i] == (text[i] >= 'A' && text[i] <= 'F' ? text[i] + 32 : text[i]));
			free(back);
		}
		free(all);
	}
	free(text);
	return 0;
}

/* ---- csv: csv_read_row and the assignment rows, csv_read_record, COPY text ---- */

/* Writes a record's kept fields as CSV (csv_field), after a first line. */
static void csv_write_row(struct strbuf *b, const struct csv_row *row)
{
	strbuf_append(b, "x\r\n", 3);
	for (int i = 0; i < row->n && i < CSV_ROW_FIELDS; i++)
		csv_field(b, row->field[i], row->len[i], i == 0);
	csv_end_row(b);
}

/* A clean record written and read again gives its fields back (a
 * formula-looking one with the apostrophe that defuses it). */
static void csv_round_trip(const struct csv_row *row)
{
	struct strbuf b = { 0 };
	struct csv_row *back = malloc(sizeof *back);
	const char *p, *end;
	int line = 1;
	bool formula;

	/* a BOM that starts a record is skipped, by design (files joined
	 * with cat), so a first field that starts with one cannot come back */
	if (row->unclosed || row->too_long || row->n > CSV_ROW_FIELDS ||
	    (row->len[0] >= 3 && memcmp(row->field[0], "\xEF\xBB\xBF", 3) == 0)) {
		free(back);
		return;
	}
	csv_write_row(&b, row);
	p = b.data;
	end = b.data + b.len;
	FUZZ_CHECK(csv_read_row(&p, end, &line, back) && back->n == 1);
	FUZZ_CHECK(csv_read_row(&p, end, &line, back));
	FUZZ_CHECK(p == end && back->n == row->n && !back->unclosed);
	for (int i = 0; i < row->n; i++) {
		const char *v = row->field[i];
		size_t len = row->len[i];
		formula = len > 0 && strchr("=+-@\t\r", v[0]) && v[0];
		if (len + formula > CSV_FIELD_MAX)
			continue;
		FUZZ_CHECK(back->len[i] == len + formula);
		FUZZ_CHECK(!formula || back->field[i][0] == '\'');
		FUZZ_CHECK(memcmp(back->field[i] + formula, v, len) == 0);
	}
	strbuf_free(&b);
	free(back);
}

int fuzz_target_csv(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	struct csv_row *row = malloc(sizeof *row);
	const char *p, *end;
	int line = 1, records = 0;

	if (size)
		memcpy(buf, data, size);
	end = buf + size;

	/* csv_read_row: always moves on, keeps its limits, round-trips */
	p = buf;
	for (;;) {
		const char *before = p;
		int line_before = line;
		if (!csv_read_row(&p, end, &line, row))
			break;
		FUZZ_CHECK(p > before && p <= end);
		FUZZ_CHECK(line > line_before && row->line == line_before);
		FUZZ_CHECK(row->n >= 1);
		for (int i = 0; i < row->n && i < CSV_ROW_FIELDS; i++)
			FUZZ_CHECK(row->len[i] <= CSV_FIELD_MAX && row->field[i][row->len[i]] == '\0');
		FUZZ_CHECK(++records <= (int)size + 1);
		csv_round_trip(row);
	}

	/* the assignment file's rows as assign-csv and the screen check them */
	{
		struct bulk_result out;
		json_t *good = json_array(), *slots = json_array();
		bool ok = bulk_check_rows(buf, size, &out, good, slots);
		FUZZ_CHECK(out.errors <= out.rows);
		FUZZ_CHECK(ok == (out.refused == NULL));
		if (ok) {
			FUZZ_CHECK(json_array_size(out.preview) == (size_t)out.rows);
			FUZZ_CHECK(json_array_size(good) == (size_t)(out.rows - out.errors));
			FUZZ_CHECK(json_array_size(slots) == json_array_size(good));
		}
		json_decref(out.preview);
		json_decref(good);
		json_decref(slots);
	}

	/* the older fixed-size reader */
	{
		char fields[8][256];
		int n, guard = 0;
		p = buf;
		while ((n = csv_read_record(&p, end, fields, 8)) > 0) {
			for (int i = 0; i < n; i++)
				FUZZ_CHECK(strlen(fields[i]) < 256);
			FUZZ_CHECK(++guard <= (int)size + 1);
		}
	}

	/* one COPY text line, as an export streams it */
	{
		char *copy = malloc(size ? size : 1), *fields[16];
		size_t lens[16];
		int n;
		if (size)
			memcpy(copy, data, size);
		n = copy_text_split(copy, size, fields, lens, 16);
		FUZZ_CHECK(n == -1 || (n >= 1 && n <= 16));
		for (int i = 0; i < n; i++)
			FUZZ_CHECK(!fields[i] ||
				   (fields[i] >= copy && fields[i] + lens[i] <= copy + size && lens[i] <= size));
		free(copy);
	}
	free(row);
	free(buf);
	return 0;
}

/* ---- filter: the orders screen's filter pane and the CLI's filter flags ---- */

/* A byte as a key: a few stand for the keys a terminal sends as codes. */
static int filter_key(uint8_t b)
{
	switch (b) {
	case 1: return KEY_BACKSPACE;
	case 2: return KEY_LEFT;
	case 3: return KEY_RIGHT;
	case 4: return KEY_UP;
	case 5: return KEY_BTAB;
	case 6: return KEY_DOWN;
	default: return b;
	}
}

/* The search as the database gets it: unescaped, it is the search in
 * ASCII lower case, whole, between two %. */
static void check_pattern(const char *search)
{
	char pattern[SEARCH_MAX_BYTES * 2 + 8];
	size_t o = 1, i = 0, len;

	order_search_pattern(search, pattern, sizeof pattern);
	len = strlen(pattern);
	FUZZ_CHECK(len >= 2 && pattern[0] == '%' && pattern[len - 1] == '%');
	if (strlen(search) <= SEARCH_MAX_BYTES) {
		for (; o < len - 1; o++, i++) {
			char c = search[i];
			if (pattern[o] == '\\')
				o++;
			FUZZ_CHECK((unsigned char)c < 128 ? pattern[o] == (char)(c >= 'A' && c <= 'Z' ? c + 32 : c)
							   : pattern[o] == c);
		}
		FUZZ_CHECK(search[i] == '\0');
	}
	/* any smaller buffer: cut, never overrun */
	for (size_t size = 0; size < 8; size++) {
		char *small = malloc(size ? size : 1);
		order_search_pattern(search, small, size);
		FUZZ_CHECK(size == 0 || strlen(small) < size);
		free(small);
	}
}

int fuzz_target_filter(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1) {
		/* keys typed into the filter pane, applied after each */
		struct orders_state *s = calloc(1, sizeof *s);
		orders_filters_init(s);
		s->filters.focus = 0;
		for (size_t i = 1; i < size; i++) {
			form_key(&s->filters, ACT_NONE, filter_key(data[i]));
			FUZZ_CHECK(s->filters.focus >= 0 && s->filters.focus < FF_COUNT);
			orders_filters_apply(s, 1);
			if (!s->filter_error[0])
				FUZZ_CHECK(order_filter_check(&s->filter) == NULL);
		}
		for (int i = 0; i < FF_COUNT; i++) {
			const struct form_field *f = &s->ffields[i];
			FUZZ_CHECK(strlen(f->text) < sizeof f->text);
			FUZZ_CHECK(f->kind != FIELD_CHOICE || (f->choice >= 0 && f->choice < f->nchoices));
			if (f->kind != FIELD_CHOICE && utf8_length(f->text) >= 0)
				FUZZ_CHECK(utf8_length(f->text) <= f->max_chars);
		}
		check_pattern(s->filter.search);
		free(s);
	} else {
		/* order list's flags: status, payment, ticket-count, sort,
		 * search, from, to (NUL between them), as build_filter takes them */
		char *v[7] = { 0 };
		int n = split_nul(data + 1, size - 1, v, 7);
		struct order_filter f;
		enum order_status st;
		enum payment_method pay;
		enum order_sort sort;

		memset(&f, 0, sizeof f);
		order_filter_reset(&f);
		if (n > 0 && order_status_parse(v[0], &st))
			f.status = (int)st;
		if (n > 1 && payment_parse(v[1], &pay))
			f.payment = (int)pay;
		if (n > 2 && ticket_count_parse(v[2], &f.tickets))
			FUZZ_CHECK(strcmp(ticket_count_name(f.tickets), v[2]) == 0);
		if (n > 3 && order_sort_parse(v[3], &sort))
			FUZZ_CHECK(strcmp(order_sort_name(sort), v[3]) == 0);
		if (n > 4) {
			check_pattern(v[4]);
			if (!validate_text(v[4], SEARCH_MAX_BYTES, false) && strlen(v[4]) <= SEARCH_MAX_BYTES)
				snprintf(f.search, sizeof f.search, "%s", v[4]);
		}
		if (n > 5 && !validate_date(v[5]))
			snprintf(f.from, sizeof f.from, "%s", v[5]);
		if (n > 6 && !validate_date(v[6]))
			snprintf(f.to, sizeof f.to, "%s", v[6]);
		if (!order_filter_check(&f)) {
			FUZZ_CHECK(utf8_length(f.search) >= 0);
			FUZZ_CHECK(!f.from[0] || !f.to[0] || strcmp(f.from, f.to) <= 0);
		}
		check_pattern(f.search);
		free_strings(v, n);
	}
	return 0;
}

/* ---- cli: main's options, the command table, cli_parse and its helpers ---- */

#define CLI_ARGS_MAX 64
#define CLI_OPTS_MAX 40

/* The options a command's usage names ("--name NAME", "[--json]"), with
 * the order listings' filter flags: the table cli_parse is given. */
static int usage_options(const char *usage, struct cli_opt *opts, char names[][32], const char **values,
			 bool *flags)
{
	static const char *const filter_flags[] = { "event", "status", "payment", "from", "to", "search",
						    "ticket-count", "sort", "limit" };
	int n = 0;
	for (const char *p = strstr(usage, "--"); p && n < CLI_OPTS_MAX - 12; p = strstr(p, "--")) {
		size_t len;
		bool value;
		p += 2;
		len = strspn(p, "abcdefghijklmnopqrstuvwxyz-");
		if (!len || len >= 32)
			continue;
		value = p[len] == ' ' && p[len + 1] != '-' && p[len + 1] != '[';
		snprintf(names[n], 32, "%.*s", (int)len, p);
		opts[n] = (struct cli_opt){ names[n], value ? &values[n] : NULL, value ? NULL : &flags[n] };
		n++;
	}
	for (size_t i = 0; i < sizeof filter_flags / sizeof filter_flags[0]; i++) {
		bool known = false;
		for (int k = 0; k < n; k++)
			known |= strcmp(names[k], filter_flags[i]) == 0;
		if (known)
			continue;
		snprintf(names[n], 32, "%s", filter_flags[i]);
		opts[n] = (struct cli_opt){ names[n], &values[n], NULL };
		n++;
	}
	snprintf(names[n], 32, "%s", "desc");
	opts[n] = (struct cli_opt){ names[n], NULL, &flags[n] };
	n++;
	opts[n] = (struct cli_opt){ NULL, NULL, NULL };
	return n;
}

/* One option's value through the checks commands make of values. */
static void cli_check_value(const char *what, const char *name, const char *value)
{
	long long num;
	int rc = 0;
	char lists[GATE_LISTS_MAX][GATE_LIST_NAME_MAX], err[200];
	const char *why;

	if (!cli_text(what, name, value, 200, &rc))
		FUZZ_CHECK(rc == EXIT_USAGE);
	if (!cli_value(what, name, value, 200, &rc))
		FUZZ_CHECK(rc == EXIT_USAGE);
	if (!cli_int(what, name, value, 1, LLONG_MAX, &num, &rc))
		FUZZ_CHECK(rc == EXIT_USAGE);
	else
		FUZZ_CHECK(num >= 1);
	if (cli_int(what, name, value, -1000000, 1000000, &num, &rc))
		FUZZ_CHECK(num >= -1000000 && num <= 1000000);
	cli_channel(what, value, &rc);
	cli_payment(what, value, &rc);
	if (!(why = validate_date(value)))
		FUZZ_CHECK(strlen(value) == 10);
	if (!validate_email(value, true))
		FUZZ_CHECK(strchr(value, '@'));
	if (gate_list_names(value, lists, GATE_LISTS_MAX, err, sizeof err) > 0)
		FUZZ_CHECK(lists[0][0] != '\0');
}

int fuzz_target_cli(const uint8_t *data, size_t size)
{
	char *args[CLI_ARGS_MAX + 1];
	char *argv[CLI_ARGS_MAX + 2];
	int n = split_nul(data, size, args, CLI_ARGS_MAX), argc = n + 1, next = 0, rc;
	struct cli_globals globals;
	const struct command *cmd;

	argv[0] = (char *)"boxoffice";
	for (int i = 0; i < n; i++)
		argv[i + 1] = args[i];
	argv[argc] = NULL;
	rc = cli_parse_globals(argc, argv, &globals, &next);
	FUZZ_CHECK(rc == EXIT_DONE || rc == EXIT_USAGE);
	if (rc || globals.help || globals.version || next >= argc)
		goto done;
	FUZZ_CHECK(next >= 1 && next < argc);
	if (globals.station)
		validate_text(globals.station, 60, true);
	if (cli_find_command(argc - next, argv + next, &cmd) == EXIT_DONE) {
		struct cli_opt opts[CLI_OPTS_MAX + 1];
		char names[CLI_OPTS_MAX][32];
		const char *values[CLI_OPTS_MAX] = { 0 }, *pos[4] = { 0 };
		bool flags[CLI_OPTS_MAX] = { 0 };
		int cargc = argc - next - (cmd->sub ? 1 : 0), npos = -1;
		char **cargv = argv + next + (cmd->sub ? 1 : 0);
		int nopts = usage_options(cmd->usage, opts, names, values, flags);
		long long id;

		FUZZ_CHECK(cmd->run && strcmp(cmd->name, argv[next]) == 0);
		if (cli_asks_help(argc - next, argv + next))
			goto done;
		rc = cli_parse(cmd->name, cargc, cargv, opts, pos, 4, &npos);
		FUZZ_CHECK(rc == EXIT_DONE || rc == EXIT_USAGE);
		if (rc == EXIT_DONE) {
			FUZZ_CHECK(npos >= 0 && npos <= 4);
			for (int i = 0; i < npos; i++)
				FUZZ_CHECK(pos[i] != NULL);
			if (!cli_id(cmd->name, npos, pos, "order", &id, &rc))
				FUZZ_CHECK(rc == EXIT_USAGE);
			else
				FUZZ_CHECK(npos == 1 && id >= 1);
			for (int i = 0; i < nopts; i++)
				if (values[i])
					cli_check_value(cmd->name, names[i], values[i]);
		}
	}
done:
	free_strings(args, n);
	return 0;
}

/* ---- gate: the cache file and the offline journal ---- */

/* The gate after reading: what every reader of the cache relies on. */
static void gate_check(struct gate *g)
{
	char name[401], err[300];
	long long inside, capacity, id;
	bool approximate;

	for (size_t i = 1; i < g->ntickets; i++)
		FUZZ_CHECK(g->tickets[i - 1].id < g->tickets[i].id); /* bsearch finds the one */
	for (size_t i = 1; i < g->nkeys; i++)
		FUZZ_CHECK(g->keys[i - 1].event <= g->keys[i].event);
	for (size_t i = 0; i < g->ntickets; i++)
		FUZZ_CHECK(g->tickets[i].npasses >= 0 && (g->tickets[i].npasses == 0) == !g->tickets[i].passes);
	for (size_t i = 0; i < g->nevents; i++) {
		gate_event_name(g, g->events[i].id);
		FUZZ_CHECK(gate_cached_event(g, g->events[i].name, &id));
	}
	gate_cached_event(g, "1", &id);
	for (size_t i = 0; i < g->nrules; i++) {
		FUZZ_CHECK(g->rules[i].name && g->rules[i].type_reason && g->rules[i].rules);
		gate_list_rules(g, g->rules[i].id);
		for (size_t k = 1; k < g->rules[i].ntypes; k++)
			FUZZ_CHECK(g->rules[i].types[k - 1] <= g->rules[i].types[k]);
	}
	for (size_t i = 0; i < g->nareas; i++)
		FUZZ_CHECK(g->areas[i].name);
	/* offline (no database): the lists come from the cache */
	if (g->nrules && g->rules[0].name[0] && !strchr(g->rules[0].name, ',') &&
	    gate_set_lists(g, g->rules[0].name, err, sizeof err)) {
		FUZZ_CHECK(g->nlists == 1);
		gate_area_view(g, name, sizeof name, &inside, &capacity, &approximate);
	}
	g->event_id = 0;
	gate_set_lists(g, "1,2", err, sizeof err);
}

int fuzz_target_gate_cache(const uint8_t *data, size_t size)
{
	struct gate *g = calloc(1, sizeof *g);
	gate_cache_parse(g, (const char *)data, size);
	gate_check(g);
	/* a cache read again replaces the first */
	gate_cache_parse(g, (const char *)data, size);
	gate_check(g);
	gate_close(g);
	free(g);
	return 0;
}

/* A small cache the journal's lines apply to: event 1 "Gala", a key,
 * types, tickets 1 to 3 (ticket 2 inside on list 7), list 7 into area 4. */
static const char journal_cache[] =
	"R\nV 3\n"
	"Y 1 4164756c74\nY 2 564950\n"
	"E 1 47616c61\n"
	"K 1 0000000000000000000000000000000000000000000000000000000000000000\n"
	"L 7 1 0 1 4 - 6d61696e - 6d61696e\n"
	"W 7 0 4102444800 - -\n"
	"A 4 1 100 10 48616c6c\n"
	"T 1 1 1 1 0 1 - - -\n"
	"T 2 1 1 1 1 2 416e6e61 41636d65 7:1\n"
	"T 3 1 2 1 0 1 - - -\n"
	"H 42\n";

int fuzz_target_journal(const uint8_t *data, size_t size)
{
	struct gate *g = calloc(1, sizeof *g);
	size_t lines, damaged, rlen;
	char *rejected;
	long long inside, capacity;
	bool approximate;
	char name[401], err[300];

	gate_cache_parse(g, journal_cache, sizeof journal_cache - 1);
	FUZZ_CHECK(g->ntickets == 3 && g->nrules == 1 && g->nareas == 1);
	FUZZ_CHECK(gate_set_lists(g, "main", err, sizeof err));
	/* applied to the cached scans, as catching up does */
	gate_journal_apply(g, (const char *)data, size);
	FUZZ_CHECK(g->journal_off >= 0 && (size_t)g->journal_off <= size);
	FUZZ_CHECK(g->ntickets == 3);
	if (gate_area_view(g, name, sizeof name, &inside, &capacity, &approximate))
		FUZZ_CHECK(inside >= 0 && capacity == 100);
	/* read and checked as an upload does: a damaged line is kept whole */
	lines = gate_journal_check((const char *)data, size, &damaged, &rejected, &rlen);
	FUZZ_CHECK(damaged <= lines && lines <= size);
	FUZZ_CHECK((damaged == 0) == (rlen == 0));
	FUZZ_CHECK(rlen <= size + lines);
	if (rlen)
		FUZZ_CHECK(rejected[rlen - 1] == '\n' && rejected[rlen] == '\0');
	free(rejected);
	gate_close(g);
	free(g);
	return 0;
}

const struct fuzz_target fuzz_targets[] = {
	{ "token", fuzz_target_token },
	{ "csv", fuzz_target_csv },
	{ "filter", fuzz_target_filter },
	{ "cli", fuzz_target_cli },
	{ "gate_cache", fuzz_target_gate_cache },
	{ "journal", fuzz_target_journal },
	{ NULL, NULL },
};

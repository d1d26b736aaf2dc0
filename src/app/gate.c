#include "gate.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/scan_id.h"
#include "../core/util.h"
#include "../db/checkin.h"
#include "../db/db.h"
#include "../db/entrances.h"
#include "../db/gate_cache.h"
#include "../db/identity.h"
#include "../db/tickets.h"
#include "paths.h"

#define BACKOFF_MIN_MS 250
#define BACKOFF_MAX_MS 5000
#define CONNECT_TIMEOUT_MS 5000

static bool online(const struct gate *g)
{
	return g->db && g->db->state == DB_READY;
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* qsort, except that nothing to sort may come as a NULL array (which
 * qsort must not be given, even with a count of 0). */
static void sort_any(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (base && n > 1)
		qsort(base, n, size, cmp);
}

static int by_id(const void *a, const void *b)
{
	long long x = ((const struct gate_ticket *)a)->id, y = ((const struct gate_ticket *)b)->id;
	return x < y ? -1 : x > y;
}

static int by_event(const void *a, const void *b)
{
	long long x = ((const struct gate_key *)a)->event, y = ((const struct gate_key *)b)->event;
	return x < y ? -1 : x > y;
}

static struct gate_ticket *find_ticket(struct gate *g, long long id)
{
	struct gate_ticket key = { .id = id };
	return g->ntickets ? bsearch(&key, g->tickets, g->ntickets, sizeof key, by_id) : NULL;
}

static const unsigned char *find_key(struct gate *g, long long event)
{
	struct gate_key key = { .event = event }, *k;
	k = g->nkeys ? bsearch(&key, g->keys, g->nkeys, sizeof key, by_event) : NULL;
	return k ? k->pk : NULL;
}

static void add_key(struct gate *g, long long event, const unsigned char *pk)
{
	g->keys = xrealloc(g->keys, (g->nkeys + 1) * sizeof *g->keys);
	g->keys[g->nkeys].event = event;
	memcpy(g->keys[g->nkeys++].pk, pk, TOKEN_PUBLIC_KEY_BYTES);
	sort_any(g->keys, g->nkeys, sizeof *g->keys, by_event);
}

static void reset_events_keys(struct gate *g);
static void catch_up(struct gate *g);
static void replay_journal(struct gate *g, bool all, const struct gate_ticket *fresh, size_t nfresh,
			   unsigned long long ino, long long applied);

static void free_ticket(struct gate_ticket *t)
{
	free(t->who);
	free(t->passes);
}

static void free_cache(struct gate *g)
{
	reset_events_keys(g);
	for (size_t i = 0; i < g->ntickets; i++)
		free_ticket(&g->tickets[i]);
	free(g->tickets);
	g->tickets = NULL;
	g->ntickets = 0;
}

static void reset_events_keys(struct gate *g)
{
	for (size_t i = 0; i < g->nevents; i++)
		free(g->events[i].name);
	free(g->events);
	free(g->keys);
	for (size_t i = 0; i < g->ntypes; i++)
		free(g->types[i].name);
	free(g->types);
	g->events = NULL;
	g->keys = NULL;
	g->types = NULL;
	g->nevents = g->nkeys = g->ntypes = 0;
	for (size_t i = 0; i < g->nrules; i++) {
		free(g->rules[i].types);
		free(g->rules[i].windows);
		free(g->rules[i].name);
		free(g->rules[i].type_reason);
		free(g->rules[i].rules);
	}
	free(g->rules);
	for (size_t i = 0; i < g->nareas; i++)
		free(g->areas[i].name);
	free(g->areas);
	g->rules = NULL;
	g->areas = NULL;
	g->nrules = g->nareas = 0;
}

static int rules_by_id(const void *a, const void *b)
{
	long long x = ((const struct gate_rules *)a)->id, y = ((const struct gate_rules *)b)->id;
	return x < y ? -1 : x > y;
}

static int area_by_id(const void *a, const void *b)
{
	long long x = ((const struct gate_area *)a)->id, y = ((const struct gate_area *)b)->id;
	return x < y ? -1 : x > y;
}

static int by_value(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

static struct gate_rules *find_rules(const struct gate *g, long long id)
{
	struct gate_rules key = { .id = id };
	return g->nrules ? bsearch(&key, g->rules, g->nrules, sizeof key, rules_by_id) : NULL;
}

static struct gate_area *find_area(const struct gate *g, long long id)
{
	struct gate_area key = { .id = id };
	return g->nareas ? bsearch(&key, g->areas, g->nareas, sizeof key, area_by_id) : NULL;
}

/* An area's occupancy as this gate sees it: never below nobody (a
 * hand-edited journal's exits must not open places). */
static long long area_count(const struct gate_area *a)
{
	long long n = a->inside + a->own;
	return n > 0 ? n : 0;
}

/* A list of an event by its name (what a verdict from the database names). */
static struct gate_rules *rules_named(const struct gate *g, long long event, const char *name)
{
	for (size_t i = 0; i < g->nrules; i++)
		if (g->rules[i].event == event && strcmp(g->rules[i].name, name) == 0)
			return &g->rules[i];
	return NULL;
}

static struct gate_area *area_named(const struct gate *g, long long event, const char *name)
{
	for (size_t i = 0; i < g->nareas; i++)
		if (g->areas[i].event == event && strcmp(g->areas[i].name, name) == 0)
			return &g->areas[i];
	return NULL;
}

/* The ticket's pass on a list (NULL: never scanned on it). */
static struct gate_pass *find_pass(const struct gate_ticket *t, long long list)
{
	for (int i = 0; i < t->npasses; i++)
		if (t->passes[i].list == list)
			return &t->passes[i];
	return NULL;
}

static int pass_scans(const struct gate_ticket *t, long long list)
{
	const struct gate_pass *p = find_pass(t, list);
	return p ? p->scans : 0;
}

/* One more scan of the ticket on a list (in or out). */
static void pass_bump(struct gate_ticket *t, long long list)
{
	struct gate_pass *p = find_pass(t, list);
	if (!p) {
		t->passes = xrealloc(t->passes, (size_t)(t->npasses + 1) * sizeof *t->passes);
		p = &t->passes[t->npasses++];
		*p = (struct gate_pass){ list, 0 };
	}
	p->scans++;
}

/* "3:1,5:2" (the stream's and the cache file's form); "" or "-": none. */
static void parse_passes(struct gate_ticket *t, const char *text)
{
	const char *p = text;
	t->passes = NULL;
	t->npasses = 0;
	while (*p && *p != '-' && *p != '\n' && *p != ' ') {
		char *end;
		long long list = strtoll(p, &end, 10);
		long scans;
		if (end == p || *end != ':')
			return;
		scans = strtol(end + 1, &end, 10);
		if (list > 0 && scans > 0 && scans < 1000000) {
			pass_bump(t, list);
			find_pass(t, list)->scans = (int)scans;
		}
		if (*end != ',')
			break;
		p = end + 1;
	}
}

/* A list's types, "3,7" (the database's and the cache file's form; "" or
 * "-": none), sorted for type_admitted's bsearch. */
static void parse_types(struct gate_rules *l, const char *text)
{
	const char *p = text;
	while (*p && *p != '-') {
		char *end;
		l->types = xrealloc(l->types, (l->ntypes + 1) * sizeof *l->types);
		l->types[l->ntypes++] = strtoll(p, &end, 10);
		if (*end != ',' || end == p)
			break;
		p = end + 1;
	}
	sort_any(l->types, l->ntypes, sizeof *l->types, by_value);
}

/* The array literal checkin_scan takes ("{3,5}"), of n IDs. */
static void id_array_literal(char *out, size_t size, const long long *ids, int n)
{
	size_t used = 1;
	out[0] = '{';
	out[1] = '\0';
	for (int i = 0; i < n && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%lld", i ? "," : "", ids[i]);
	if (used < size)
		snprintf(out + used, size - used, "}");
}

static void put_passes(FILE *f, const struct gate_ticket *t)
{
	if (!t->npasses) {
		fputs(" -", f);
		return;
	}
	for (int i = 0; i < t->npasses; i++)
		fprintf(f, "%c%lld:%d", i ? ',' : ' ', t->passes[i].list, t->passes[i].scans);
}

static int type_by_id(const void *a, const void *b)
{
	long long x = ((const struct gate_type *)a)->id, y = ((const struct gate_type *)b)->id;
	return x < y ? -1 : x > y;
}

/* "person\0company" as one allocation; NULL for an unassigned ticket. */
static char *make_who(const char *person, const char *company)
{
	size_t lp = strlen(person), lc = strlen(company);
	char *who;
	if (!lp && !lc)
		return NULL;
	who = xmalloc(lp + lc + 2);
	memcpy(who, person, lp + 1);
	memcpy(who + lp + 1, company, lc + 1);
	return who;
}

/* Hex of a text, "-" for an empty one (a cache field is never empty). */
static void put_hex(FILE *f, const char *text)
{
	size_t len = strlen(text);
	char *hex;
	if (!len) {
		fputs(" -", f);
		return;
	}
	hex = xmalloc(2 * len + 1);
	hex_encode((const unsigned char *)text, len, hex);
	fprintf(f, " %s", hex);
	free(hex);
}

/* The next space-separated hex field of *p as text (malloc'd); "-" is "". */
static char *take_hex(char **p)
{
	char *s = *p + strspn(*p, " "), *text, end;
	size_t len = strcspn(s, " \n");
	bool ok;
	*p = s + len;
	text = xmalloc(len / 2 + 1);
	if (len == 1 && *s == '-')
		len = 0;
	/* hex_decode wants the field to end where the text does */
	end = s[len];
	s[len] = '\0';
	ok = len % 2 == 0 && hex_decode(s, (unsigned char *)text, len / 2);
	s[len] = end;
	text[ok ? len / 2 : 0] = '\0';
	return text;
}

static const char *type_name(const struct gate *g, long long id)
{
	struct gate_type key = { .id = id }, *t;
	t = g->ntypes ? bsearch(&key, g->types, g->ntypes, sizeof key, type_by_id) : NULL;
	return t ? t->name : NULL;
}

static const char *event_name(const struct gate *g, long long id)
{
	for (size_t i = 0; i < g->nevents; i++)
		if (g->events[i].id == id)
			return g->events[i].name;
	return NULL;
}

/* The cache file is a log of refreshes, each a block:
 *   "R" (events and keys start again), "V 3", "Y id namehex"… (types),
 *   "E id namehex"…, "K event pkhex"…,
 *   "L id event reentry all_types area types namehex reasonhex ruleshex"…
 *   (check-in lists; types "3,7" or "-"), "W list from to fromhex tohex"…
 *   (their windows), "A id event capacity inside namehex"… (areas),
 *   "T id event issue valid scans type personhex companyhex passes"… (the
 *   tickets it brought; passes "list:scans,…" or "-"), "H horizon".
 * A full load writes one block with every ticket in id order and replaces
 * the file; an incremental refresh appends a block with what changed, so
 * its cost follows the changes, not the size of the event. Reading applies
 * the blocks in order: a later T line for a ticket replaces the earlier. */
/* What reading the cache keeps between its lines. */
struct cache_reader {
	size_t tcap, kcap, ecap, ncap, nnew, ycap, lcap, acap;
	/* a block before "V 2" predates names in the cache, before "V 3"
	 * check-in lists and passes: the next refresh loads everything again
	 * (the tickets stay usable until then) */
	int block_v;
	bool old_blocks;
	struct gate_ticket *fresh; /* tickets a later block brought, out of order */
};

static void cache_read_begin(struct gate *g, struct cache_reader *r)
{
	memset(r, 0, sizeof *r);
	free_cache(g);
	g->horizon = 0;
	g->cache_lines = 0;
	g->cache_at = 0;
	/* the cache holds the database's scans; the journal's come on top */
	g->journal_ino = 0;
	g->journal_off = 0;
}

/* One line of the cache file (as getline reads it: its newline kept). */
static void cache_read_line(struct gate *g, struct cache_reader *r, char *line)
{
	long long a, b;
	int issue, valid, scans, n = 0;
	char hex[2 * TOKEN_PUBLIC_KEY_BYTES + 2];
	g->cache_lines++;
	if (line[0] == 'R') {
		reset_events_keys(g);
		r->kcap = r->ecap = r->ycap = r->lcap = r->acap = 0;
		r->block_v = 0;
	} else if (line[0] == 'V') {
		if (sscanf(line, "V %d", &r->block_v) != 1)
			r->block_v = 0;
	} else if (line[0] == 'H' && sscanf(line, "H %lld", &a) == 1) {
		g->horizon = a;
		r->old_blocks |= r->block_v < 3;
	} else if (line[0] == 'L' && r->block_v >= 3) {
		struct gate_rules l = { 0 };
		int reentry, all_types;
		char types[4096];
		if (sscanf(line, "L %lld %lld %d %d %lld %4095s %n", &l.id, &l.event, &reentry, &all_types, &l.area,
			   types, &n) == 6 && n > 0) {
			char *h = line + n;
			l.reentry = reentry != 0;
			l.all_types = all_types != 0;
			parse_types(&l, types);
			l.name = take_hex(&h);
			l.type_reason = take_hex(&h);
			l.rules = take_hex(&h);
			if (g->nrules == r->lcap)
				g->rules = xrealloc(g->rules, (r->lcap = r->lcap ? r->lcap * 2 : 16) * sizeof *g->rules);
			g->rules[g->nrules++] = l;
		}
	} else if (line[0] == 'W' && r->block_v >= 3) {
		struct gate_window w = { 0 };
		long long list;
		/* windows follow their list's L line */
		if (sscanf(line, "W %lld %lld %lld %n", &list, &w.from, &w.to, &n) == 3 && n > 0 && g->nrules &&
		    g->rules[g->nrules - 1].id == list) {
			struct gate_rules *l = &g->rules[g->nrules - 1];
			char *h = line + n, *from = take_hex(&h), *to = take_hex(&h);
			utf8_copy(w.from_text, sizeof w.from_text, from);
			utf8_copy(w.to_text, sizeof w.to_text, to);
			free(from);
			free(to);
			l->windows = xrealloc(l->windows, (l->nwindows + 1) * sizeof *l->windows);
			l->windows[l->nwindows++] = w;
		}
	} else if (line[0] == 'A' && r->block_v >= 3) {
		struct gate_area ar = { 0 };
		if (sscanf(line, "A %lld %lld %lld %lld %n", &ar.id, &ar.event, &ar.capacity, &ar.inside, &n) == 4 &&
		    n > 0) {
			char *h = line + n;
			ar.name = take_hex(&h);
			if (g->nareas == r->acap)
				g->areas = xrealloc(g->areas, (r->acap = r->acap ? r->acap * 2 : 16) * sizeof *g->areas);
			g->areas[g->nareas++] = ar;
		}
	} else if (line[0] == 'Y' && sscanf(line, "Y %lld %n", &a, &n) == 1 && n > 0) {
		char *h = line + n;
		if (g->ntypes == r->ycap)
			g->types = xrealloc(g->types, (r->ycap = r->ycap ? r->ycap * 2 : 64) * sizeof *g->types);
		g->types[g->ntypes++] = (struct gate_type){ a, take_hex(&h) };
	} else if (line[0] == 'K' && sscanf(line, "K %lld %65s", &a, hex) == 2) {
		if (g->nkeys == r->kcap)
			g->keys = xrealloc(g->keys, (r->kcap = r->kcap ? r->kcap * 2 : 64) * sizeof *g->keys);
		if (hex_decode(hex, g->keys[g->nkeys].pk, TOKEN_PUBLIC_KEY_BYTES))
			g->keys[g->nkeys++].event = a;
	} else if (line[0] == 'E' && sscanf(line, "E %lld %n", &a, &n) == 1 && n > 0) {
		char *h = line + n;
		size_t len = strcspn(h, "\n");
		char *name = xmalloc(len / 2 + 1);
		h[len] = '\0';
		if (len % 2 == 0 && hex_decode(h, (unsigned char *)name, len / 2)) {
			name[len / 2] = '\0';
			if (g->nevents == r->ecap)
				g->events = xrealloc(g->events, (r->ecap = r->ecap ? r->ecap * 2 : 64) * sizeof *g->events);
			g->events[g->nevents++] = (struct gate_event){ a, name };
		} else {
			free(name);
		}
	} else if (line[0] == 'T' && sscanf(line, "T %lld %lld %d %d %d%n", &a, &b, &issue, &valid, &scans, &n) == 5) {
		struct gate_ticket t = { a, b, issue, scans, valid != 0, 0, NULL, NULL, 0 }, *known;
		long long type;
		int m = 0;
		if (r->block_v >= 2 && sscanf(line + n, " %lld%n", &type, &m) == 1 && m > 0) {
			char *h = line + n + m, *person = take_hex(&h), *company = take_hex(&h);
			t.type = type;
			t.who = make_who(person, company);
			free(person);
			free(company);
			if (r->block_v >= 3)
				parse_passes(&t, h + strspn(h, " "));
		}
		if (g->ntickets == 0 || a > g->tickets[g->ntickets - 1].id) {
			if (g->ntickets == r->tcap)
				g->tickets = xrealloc(g->tickets, (r->tcap = r->tcap ? r->tcap * 2 : 65536) * sizeof *g->tickets);
			g->tickets[g->ntickets++] = t;
		} else if ((known = find_ticket(g, a))) {
			free_ticket(known);
			*known = t;
		} else {
			if (r->nnew == r->ncap)
				r->fresh = xrealloc(r->fresh, (r->ncap = r->ncap ? r->ncap * 2 : 256) * sizeof *r->fresh);
			r->fresh[r->nnew++] = t;
		}
	}
}

/* A fresh ticket's place: by id, then by line. */
struct fresh_at {
	long long id;
	size_t at;
};

static int by_id_then_line(const void *a, const void *b)
{
	const struct fresh_at *x = a, *y = b;
	if (x->id != y->id)
		return x->id < y->id ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

static void cache_read_end(struct gate *g, struct cache_reader *r)
{
	if (r->nnew) {
		/* A ticket new to the cache below its highest id can come in
		 * two later blocks (changed twice since it appeared): the
		 * later line wins here too, or the cache would hold it twice
		 * and a lookup could find its older state (found by fuzzing). */
		struct fresh_at *order = xmalloc(r->nnew * sizeof *order);
		size_t kept = 0;
		for (size_t i = 0; i < r->nnew; i++)
			order[i] = (struct fresh_at){ r->fresh[i].id, i };
		sort_any(order, r->nnew, sizeof *order, by_id_then_line);
		g->tickets = xrealloc(g->tickets, (g->ntickets + r->nnew) * sizeof *g->tickets);
		for (size_t i = 0; i < r->nnew; i++) {
			struct gate_ticket *t = &r->fresh[order[i].at];
			if (i + 1 < r->nnew && order[i + 1].id == t->id)
				free_ticket(t); /* a later line has it */
			else
				g->tickets[g->ntickets + kept++] = *t;
		}
		free(order);
		g->ntickets += kept;
		sort_any(g->tickets, g->ntickets, sizeof *g->tickets, by_id);
	}
	free(r->fresh);
	sort_any(g->keys, g->nkeys, sizeof *g->keys, by_event);
	sort_any(g->types, g->ntypes, sizeof *g->types, type_by_id);
	sort_any(g->rules, g->nrules, sizeof *g->rules, rules_by_id);
	sort_any(g->areas, g->nareas, sizeof *g->areas, area_by_id);
	if (r->old_blocks)
		g->horizon = 0;
}

/* Calls fn on each line of buf (len bytes) as getline would read them
 * from a file: the newline kept, a last line without one too, NUL bytes
 * inside kept (the line is NUL-terminated after them). */
static void each_line(const char *buf, size_t len, void (*fn)(void *ctx, char *line, size_t len), void *ctx)
{
	size_t at = 0;
	while (at < len) {
		const char *nl = memchr(buf + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (buf + at)) + 1 : len - at;
		char *line = xmalloc(n + 1);
		memcpy(line, buf + at, n);
		line[n] = '\0';
		fn(ctx, line, n);
		free(line);
		at += n;
	}
}

static void load_cache(struct gate *g)
{
	FILE *f = fopen(g->cache_path, "r");
	char *line = NULL;
	size_t size = 0;
	struct cache_reader r;

	cache_read_begin(g, &r);
	if (!f)
		return;
	{
		/* the cache is as old as its last write */
		struct stat st;
		if (fstat(fileno(f), &st) == 0)
			g->cache_at = st.st_mtime;
	}
	while (getline(&line, &size, f) > 0)
		cache_read_line(g, &r, line);
	free(line);
	fclose(f);
	cache_read_end(g, &r);
}

struct cache_buf_ctx {
	struct gate *g;
	struct cache_reader *r;
};

static void cache_buf_line(void *ctx, char *line, size_t len)
{
	struct cache_buf_ctx *c = ctx;
	(void)len;
	cache_read_line(c->g, c->r, line);
}

void gate_cache_parse(struct gate *g, const char *buf, size_t len)
{
	struct cache_reader r;
	struct cache_buf_ctx c = { g, &r };

	cache_read_begin(g, &r);
	each_line(buf, len, cache_buf_line, &c);
	cache_read_end(g, &r);
}

/* The station's lock, held around every journal append and upload: two
 * processes of one station never interleave them. */
static int lock_station(const struct gate *g)
{
	int fd = open(g->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	}
	return fd;
}

static void unlock_station(int fd)
{
	if (fd >= 0)
		close(fd); /* releases the flock */
}

static int count_journal(const struct gate *g)
{
	FILE *f = fopen(g->journal_path, "r");
	int n = 0, c, last = '\n';
	if (!f)
		return 0;
	while ((c = getc(f)) != EOF) {
		if (c == '\n')
			n++;
		last = c;
	}
	if (last != '\n')
		n++;
	fclose(f);
	return n;
}

/* A path that fits, or false (never a path cut short). */
static bool path_format(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool path_format(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(out, size, fmt, ap);
	va_end(ap);
	return n >= 0 && (size_t)n < size;
}

/* Points the state files at <state dir>/<identity>/ and loads that cache. */
static bool use_identity(struct gate *g, const char *identity)
{
	char dir[1100], safe[200];

	paths_file_component(safe, sizeof safe, g->name);
	if (!path_format(dir, sizeof dir, "%s/%s", g->state_dir, identity) ||
	    !path_format(g->cache_path, sizeof g->cache_path, "%s/gate-%s.cache", dir, safe) ||
	    !path_format(g->journal_path, sizeof g->journal_path, "%s/gate-%s.journal", dir, safe) ||
	    !path_format(g->lock_path, sizeof g->lock_path, "%s/gate-%s.lock", dir, safe) ||
	    !path_format(g->rejected_path, sizeof g->rejected_path, "%s.rejected", g->journal_path)) {
		path_format(g->notice, sizeof g->notice, "%s", "the state folder's path is too long");
		g->cache_path[0] = g->journal_path[0] = g->lock_path[0] = '\0';
		return false;
	}
	if (paths_mkdirs(dir) < 0) {
		int e = errno;
		path_format(g->notice, sizeof g->notice, "cannot make the state folder: %s", strerror(e));
		g->cache_path[0] = g->journal_path[0] = g->lock_path[0] = '\0';
		return false;
	}
	snprintf(g->identity, sizeof g->identity, "%s", identity);
	load_cache(g);
	g->pending = count_journal(g);
	if (g->pending) {
		/* the offline scans not uploaded yet count on top at once (an
		 * area's occupancy shows them before the next scan) */
		int lock = lock_station(g);
		if (lock >= 0)
			catch_up(g);
		unlock_station(lock);
	}
	return true;
}

/* The identity this connection reached last ("" if never). */
static void read_link(const struct gate *g, char out[37])
{
	FILE *f = fopen(g->link_path, "r");
	char line[64] = "";
	out[0] = '\0';
	if (!f)
		return;
	if (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (strlen(line) == 36)
			memcpy(out, line, 37);
	}
	fclose(f);
}

static void write_link(const struct gate *g)
{
	char tmp[1200];
	FILE *f;
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", g->link_path, (long)getpid());
	if (!(f = fopen(tmp, "w")))
		return;
	fprintf(f, "%s\n", g->identity);
	if (fclose(f) != 0 || rename(tmp, g->link_path) != 0)
		unlink(tmp);
}

bool gate_bind(struct gate *g)
{
	char identity[DB_IDENTITY_LEN + 1], before[37], links[1100];
	int pending = g->pending;

	if (!online(g))
		return g->identity[0] != '\0';
	if (!db_identity(g->db, identity)) {
		snprintf(g->notice, sizeof g->notice, "%s", g->db->err);
		return false;
	}
	if (strcmp(identity, g->identity) == 0)
		return true;
	snprintf(before, sizeof before, "%s", g->identity);
	free_cache(g);
	if (!use_identity(g, identity))
		return false;
	snprintf(links, sizeof links, "%s/links", g->state_dir);
	if (paths_mkdirs(links) == 0)
		write_link(g);
	if (before[0])
		snprintf(g->notice, sizeof g->notice,
			 "this is another database (%.8s…, was %.8s…): using its own cache%s", identity, before,
			 pending ? "; the other database's offline scans wait for it" : "");
	return true;
}

void gate_open(struct gate *g, struct db *db, const char *name, long long event_id)
{
	const char *env = getenv("BOXOFFICE_VERDICT_MS");
	char where[33], last[37];

	memset(g, 0, sizeof *g);
	g->db = db;
	g->event_id = event_id;
	g->verdict_ms = env && atoi(env) > 0 ? atoi(env) : GATE_VERDICT_MS;
	g->refresh_ms = GATE_REFRESH_MS;
	snprintf(g->name, sizeof g->name, "%s", name);
	snprintf(g->state_dir, sizeof g->state_dir, "%s", paths_state_dir());
	if (db) {
		db_where_key(db, where);
		snprintf(g->link_path, sizeof g->link_path, "%s/links/%s", g->state_dir, where);
	}
	if (online(g) && gate_bind(g))
		return;
	read_link(g, last);
	if (last[0])
		use_identity(g, last);
	else if (!g->notice[0])
		snprintf(g->notice, sizeof g->notice, "%s",
			 "no offline cache for this database yet: offline, every code is unknown");
}

void gate_keep_online_scans(struct gate *g)
{
	int before = g->refresh_ms;

	/* a full load is no quick step: the next start does it */
	if (!g->online_scans || !online(g) || g->horizon == 0)
		return;
	g->refresh_ms = g->verdict_ms;
	gate_refresh_cache(g); /* clears online_scans when it wrote them */
	g->refresh_ms = before;
}

void gate_close(struct gate *g)
{
	free_cache(g);
}

/* A list of the cache (offline): by name, then by ID, within event (0:
 * any event, when only one has it). */
static bool cached_list(const struct gate *g, const char *name, long long event, long long *id, long long *event_out,
			char *err, size_t size)
{
	const struct gate_rules *found = NULL;
	int n = 0;
	char *end;
	long long num = strtoll(name, &end, 10);

	/* as db_list_resolve: an exact name wins over an ID */
	for (size_t i = 0; i < g->nrules; i++)
		if ((!event || g->rules[i].event == event) && strcmp(g->rules[i].name, name) == 0) {
			found = &g->rules[i];
			n++;
		}
	if (!n && *name >= '0' && *name <= '9' && !*end && (found = find_rules(g, num)) && (!event || found->event == event))
		n = 1;
	if (n == 1) {
		*id = found->id;
		*event_out = found->event;
		return true;
	}
	if (n > 1)
		snprintf(err, size, "several events have a check-in list \"%s\": give --event", name);
	else
		snprintf(err, size, "no check-in list \"%s\"%s in the gate's offline cache", name, event ? " of this event" : "");
	return false;
}

int gate_list_names(const char *names, char (*out)[GATE_LIST_NAME_MAX], int max, char *err, size_t size)
{
	const char *p = names;
	int n = 0;

	for (;;) {
		size_t len = strcspn(p, ",");
		const char *s = p;
		while (len && *s == ' ')
			s++, len--;
		while (len && s[len - 1] == ' ')
			len--;
		if (!len || len >= GATE_LIST_NAME_MAX) {
			snprintf(err, size, "%s", len ? "a list name is too long" : "an empty list name (write main,vip)");
			return -1;
		}
		if (n == max) {
			snprintf(err, size, "a gate takes at most %d lists", max);
			return -1;
		}
		snprintf(out[n], GATE_LIST_NAME_MAX, "%.*s", (int)len, s);
		for (int i = 0; i < n; i++)
			if (strcmp(out[i], out[n]) == 0) {
				snprintf(err, size, "list \"%s\" is given twice", out[n]);
				return -1;
			}
		n++;
		p += strcspn(p, ",");
		if (!*p)
			return n;
		p++; /* a trailing comma is an empty name */
	}
}

bool gate_set_lists(struct gate *g, const char *names, char *err, size_t size)
{
	char wanted[GATE_LISTS_MAX][GATE_LIST_NAME_MAX];
	int n = gate_list_names(names, wanted, GATE_LISTS_MAX, err, size);
	long long event_before = g->event_id, ids[GATE_LISTS_MAX];

	g->nlists = 0;
	g->lists_param[0] = '\0';
	if (n < 0)
		return false;
	for (int k = 0; k < n; k++) {
		const char *name = wanted[k];
		long long id = 0, event = 0;
		bool asked = false;
		if (online(g)) {
			/* within a verdict's time, as a key lookup: a station's
			 * loop never waits longer on a silent link */
			int before = db_swap_deadline(g->db, g->verdict_ms);
			asked = db_list_resolve(g->db, g->event_id, name, &id, &event);
			db_swap_deadline(g->db, before);
			if (!asked && g->db->status != DB_FAILED) {
				snprintf(err, size, "%s", g->db->err);
				goto fail;
			}
		}
		/* offline, or the database did not answer: the cache's lists */
		if (!asked && !cached_list(g, name, g->event_id, &id, &event, err, size))
			goto fail;
		if (g->event_id && event != g->event_id) {
			snprintf(err, size, "list \"%s\" is another event's", name);
			goto fail;
		}
		g->event_id = event;
		for (int i = 0; i < g->nlists; i++)
			if (g->lists[i].id == id) {
				snprintf(err, size, "list \"%s\" is given twice", name);
				goto fail;
			}
		ids[g->nlists] = g->lists[g->nlists].id = id;
		memcpy(g->lists[g->nlists].name, wanted[k], sizeof g->lists[g->nlists].name);
		g->nlists++;
	}
	id_array_literal(g->lists_param, sizeof g->lists_param, ids, g->nlists);
	return true;
fail: /* the gate stays as it was: on no list, its event untouched */
	g->nlists = 0;
	g->lists_param[0] = '\0';
	g->event_id = event_before;
	return false;
}

const char *gate_event_name(const struct gate *g, long long id)
{
	const char *name = event_name(g, id);
	return name ? name : "";
}

bool gate_cached_event(const struct gate *g, const char *text, long long *id)
{
	char *end;
	long long n = strtoll(text, &end, 10);
	/* as db_event_resolve: an exact name wins over an ID */
	for (size_t i = 0; i < g->nevents; i++)
		if (strcmp(g->events[i].name, text) == 0) {
			*id = g->events[i].id;
			return true;
		}
	for (size_t i = 0; *text && !*end && i < g->nevents; i++)
		if (g->events[i].id == n) {
			*id = n;
			return true;
		}
	return false;
}

/* Rows of a refresh: a full load collects them all; an incremental one
 * updates the tickets it knows in place, keeps every row it brought (to
 * append to the file) and the ones new to the cache. */
struct refresh {
	struct gate *g;
	bool full;
	struct gate_ticket *rows, *added;
	size_t n, cap, nadded, addcap;
};

static bool take_row(void *ctx, const struct cache_row *row)
{
	struct refresh *r = ctx;
	struct gate_ticket t = { row->ticket, row->event, row->issue, row->scans, row->valid, row->type,
				 make_who(row->person, row->company), NULL, 0 };
	struct gate_ticket *known;

	parse_passes(&t, row->passes ? row->passes : "");

	if (r->n == r->cap)
		r->rows = xrealloc(r->rows, (r->cap = r->cap ? r->cap * 2 : 65536) * sizeof *r->rows);
	r->rows[r->n++] = t;
	if (r->full)
		return true;
	/* the rows (written to the file) and the cache share who and passes */
	if ((known = find_ticket(r->g, row->ticket))) {
		free_ticket(known);
		*known = t;
	} else {
		if (r->nadded == r->addcap)
			r->added = xrealloc(r->added, (r->addcap = r->addcap ? r->addcap * 2 : 256) * sizeof *r->added);
		r->added[r->nadded++] = t;
	}
	return true;
}

/* Check-in lists, their windows and areas (db/020): few, replaced whole. */
static void set_rules(struct gate *g, PGresult *lists, PGresult *windows, PGresult *areas)
{
	int w = 0;

	g->nrules = (size_t)PQntuples(lists);
	g->rules = xcalloc(g->nrules + 1, sizeof *g->rules);
	for (size_t i = 0; i < g->nrules; i++) {
		struct gate_rules *l = &g->rules[i];
		int row = (int)i;
		l->id = db_int(lists, row, GL_ID);
		l->event = db_int(lists, row, GL_EVENT);
		l->area = db_int(lists, row, GL_AREA);
		l->reentry = db_bool(lists, row, GL_REENTRY);
		l->all_types = db_bool(lists, row, GL_ALL_TYPES);
		l->name = xstrdup(PQgetvalue(lists, row, GL_NAME));
		l->type_reason = xstrdup(PQgetvalue(lists, row, GL_TYPE_REASON));
		l->rules = xstrdup(PQgetvalue(lists, row, GL_RULES));
		parse_types(l, PQgetvalue(lists, row, GL_TYPES));
	}
	sort_any(g->rules, g->nrules, sizeof *g->rules, rules_by_id);
	/* windows come by list, lists by id */
	for (size_t i = 0; i < g->nrules; i++) {
		struct gate_rules *l = &g->rules[i];
		for (; w < PQntuples(windows) && db_int(windows, w, GW_LIST) <= l->id; w++) {
			struct gate_window win = { db_int(windows, w, GW_FROM), db_int(windows, w, GW_TO), "", "" };
			if (db_int(windows, w, GW_LIST) != l->id)
				continue;
			utf8_copy(win.from_text, sizeof win.from_text, PQgetvalue(windows, w, GW_FROM_TEXT));
			utf8_copy(win.to_text, sizeof win.to_text, PQgetvalue(windows, w, GW_TO_TEXT));
			l->windows = xrealloc(l->windows, (l->nwindows + 1) * sizeof *l->windows);
			l->windows[l->nwindows++] = win;
		}
	}
	g->nareas = (size_t)PQntuples(areas);
	g->areas = xcalloc(g->nareas + 1, sizeof *g->areas);
	for (size_t i = 0; i < g->nareas; i++) {
		int row = (int)i;
		g->areas[i] = (struct gate_area){ db_int(areas, row, GA_ID), db_int(areas, row, GA_EVENT),
						  db_int(areas, row, GA_CAPACITY), db_int(areas, row, GA_INSIDE), 0,
						  xstrdup(PQgetvalue(areas, row, GA_NAME)) };
	}
	sort_any(g->areas, g->nareas, sizeof *g->areas, area_by_id);
}

/* Events and keys are few: replaced whole on every refresh. */
static void set_events_keys(struct gate *g, PGresult *events, PGresult *keys, PGresult *types)
{
	reset_events_keys(g);
	g->ntypes = (size_t)PQntuples(types);
	g->types = xcalloc(g->ntypes + 1, sizeof *g->types);
	for (size_t i = 0; i < g->ntypes; i++)
		g->types[i] = (struct gate_type){ db_int(types, (int)i, 0), xstrdup(PQgetvalue(types, (int)i, 1)) };
	sort_any(g->types, g->ntypes, sizeof *g->types, type_by_id);
	g->nevents = (size_t)PQntuples(events);
	g->events = xcalloc(g->nevents + 1, sizeof *g->events);
	for (size_t i = 0; i < g->nevents; i++)
		g->events[i] = (struct gate_event){ db_int(events, (int)i, 0), xstrdup(PQgetvalue(events, (int)i, 1)) };
	g->keys = xcalloc((size_t)PQntuples(keys) + 1, sizeof *g->keys);
	g->nkeys = 0;
	for (int i = 0; i < PQntuples(keys); i++)
		if (hex_decode(PQgetvalue(keys, i, 1), g->keys[g->nkeys].pk, TOKEN_PUBLIC_KEY_BYTES))
			g->keys[g->nkeys++].event = db_int(keys, i, 0);
	sort_any(g->keys, g->nkeys, sizeof *g->keys, by_event);
}

/* One refresh block (see load_cache); lines counted into g->cache_lines. */
static void write_block(struct gate *g, FILE *f, PGresult *events, PGresult *keys, const struct gate_ticket *t,
			size_t n)
{
	long long lines = 0;

	fputs("R\nV 3\n", f);
	for (size_t i = 0; i < g->ntypes; i++) {
		fprintf(f, "Y %lld", g->types[i].id);
		put_hex(f, g->types[i].name);
		fputc('\n', f);
	}
	for (int i = 0; i < PQntuples(events); i++) {
		const char *name = PQgetvalue(events, i, 1);
		size_t len = strlen(name);
		char *hex = xmalloc(2 * len + 1);
		hex_encode((const unsigned char *)name, len, hex);
		fprintf(f, "E %s %s\n", PQgetvalue(events, i, 0), hex);
		free(hex);
	}
	for (int i = 0; i < PQntuples(keys); i++)
		fprintf(f, "K %s %s\n", PQgetvalue(keys, i, 0), PQgetvalue(keys, i, 1));
	for (size_t i = 0; i < g->nrules; i++) {
		const struct gate_rules *l = &g->rules[i];
		fprintf(f, "L %lld %lld %d %d %lld ", l->id, l->event, l->reentry ? 1 : 0, l->all_types ? 1 : 0, l->area);
		for (size_t k = 0; k < l->ntypes; k++)
			fprintf(f, "%s%lld", k ? "," : "", l->types[k]);
		if (!l->ntypes)
			fputc('-', f);
		put_hex(f, l->name);
		put_hex(f, l->type_reason);
		put_hex(f, l->rules);
		fputc('\n', f);
		for (size_t k = 0; k < l->nwindows; k++) {
			fprintf(f, "W %lld %lld %lld", l->id, l->windows[k].from, l->windows[k].to);
			put_hex(f, l->windows[k].from_text);
			put_hex(f, l->windows[k].to_text);
			fputc('\n', f);
		}
		lines += 1 + (long long)l->nwindows;
	}
	for (size_t i = 0; i < g->nareas; i++) {
		const struct gate_area *a = &g->areas[i];
		fprintf(f, "A %lld %lld %lld %lld", a->id, a->event, a->capacity, a->inside);
		put_hex(f, a->name);
		fputc('\n', f);
	}
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "T %lld %lld %d %d %d %lld", t[i].id, t[i].event, t[i].issue, t[i].valid ? 1 : 0, t[i].scans,
			t[i].type);
		put_hex(f, t[i].who ? t[i].who : "");
		put_hex(f, t[i].who ? t[i].who + strlen(t[i].who) + 1 : "");
		put_passes(f, &t[i]);
		fputc('\n', f);
	}
	fprintf(f, "H %lld\n", g->horizon);
	g->cache_lines += 3 + (long long)g->ntypes + PQntuples(events) + PQntuples(keys) + lines +
			  (long long)g->nareas + (long long)n;
}

static bool close_durably(FILE *f)
{
	bool ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	return fclose(f) == 0 && ok;
}

/* The whole cache, written aside and renamed into place. */
static bool rewrite_cache(struct gate *g, PGresult *events, PGresult *keys)
{
	char tmp[1300];
	FILE *f;
	int fd;

	/* each process writes its own file aside; rename makes it the cache */
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", g->cache_path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	g->cache_lines = 0;
	write_block(g, f, events, keys, g->tickets, g->ntickets);
	if (!close_durably(f) || rename(tmp, g->cache_path) != 0) {
		unlink(tmp);
		return false;
	}
	return true;
}

/* What changed, appended as one more block. */
static bool append_cache(struct gate *g, PGresult *events, PGresult *keys, const struct gate_ticket *rows, size_t n)
{
	int fd = open(g->cache_path, O_WRONLY | O_APPEND | O_CLOEXEC);
	FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;

	if (!f) {
		if (fd >= 0)
			close(fd);
		return false;
	}
	write_block(g, f, events, keys, rows, n);
	return close_durably(f);
}

/* A full load streams every ticket (single-row mode: never one huge
 * result); later refreshes fetch only what transactions since the last
 * horizon wrote (db/013) and append it to the file, until the file holds
 * half as many lines again as there are tickets: then it is rewritten. */
bool gate_refresh_cache(struct gate *g)
{
	struct refresh r = { .g = g };
	PGresult *events = NULL, *keys = NULL, *types = NULL, *lists = NULL, *windows = NULL, *areas = NULL;
	long long horizon, applied;
	unsigned long long ino;
	int before, lock = -1;
	bool ok = false;

	if (!online(g) || !gate_bind(g))
		return false;
	/* a full load of millions of tickets takes longer than a verdict,
	 * on both sides: the client's deadline and the server's
	 * statement_timeout follow GATE_REFRESH_MS for the refresh */
	before = g->db->deadline_ms;
	db_set_deadline(g->db, g->refresh_ms);
	r.full = g->horizon == 0 || g->ntickets == 0;
	ino = g->journal_ino;
	applied = g->journal_off;
	if (!db_cache_horizon(g->db, &horizon) || !(events = db_gate_events(g->db)) ||
	    !(keys = db_gate_keys(g->db)) || !(types = db_gate_types(g->db)) || !(lists = db_gate_lists(g->db)) ||
	    !(windows = db_gate_windows(g->db)) || !(areas = db_gate_areas(g->db)) ||
	    !db_cache_stream(g->db, g->event_id, r.full ? 0 : g->horizon, take_row, &r))
		goto out;
	if (r.full) {
		for (size_t i = 0; i < g->ntickets; i++)
			free_ticket(&g->tickets[i]);
		free(g->tickets);
		g->tickets = r.rows;
		g->ntickets = r.n;
		r.rows = NULL;
		sort_any(g->tickets, g->ntickets, sizeof *g->tickets, by_id);
	} else if (r.nadded) {
		bool in_order = true;
		sort_any(r.added, r.nadded, sizeof *r.added, by_id);
		in_order = g->ntickets == 0 || r.added[0].id > g->tickets[g->ntickets - 1].id;
		g->tickets = xrealloc(g->tickets, (g->ntickets + r.nadded) * sizeof *g->tickets);
		memcpy(g->tickets + g->ntickets, r.added, r.nadded * sizeof *r.added);
		g->ntickets += r.nadded;
		/* new tickets usually come after every known one: no sort then */
		if (!in_order)
			sort_any(g->tickets, g->ntickets, sizeof *g->tickets, by_id);
		r.nadded = 0; /* the cache owns them now */
	}
	if (!r.full) /* appended in id order; and looked up by replay_journal */
		sort_any(r.rows, r.n, sizeof *r.rows, by_id);
	g->horizon = horizon;
	g->last_refresh_rows = (long long)(r.full ? g->ntickets : r.n);
	g->last_refresh_full = r.full;
	set_events_keys(g, events, keys, types);
	set_rules(g, lists, windows, areas);
	/* processes of one station share the file */
	lock = lock_station(g);
	if (r.full || g->cache_lines > (long long)g->ntickets * 3 / 2 + 10000) {
		ok = rewrite_cache(g, events, keys);
	} else {
		ok = append_cache(g, events, keys, r.rows, r.n) || rewrite_cache(g, events, keys);
	}
	/* the journal's scans (not uploaded yet) come on top of the
	 * database's again */
	if (lock >= 0)
		replay_journal(g, r.full, r.rows, r.full ? 0 : r.n, ino, applied);
	else
		g->journal_ino = 0, g->journal_off = 0; /* catch_up applies it all at the next scan */
	unlock_station(lock);
	g->cache_at = time(NULL);
	g->cache_due_ms = now_ms() + GATE_CACHE_MAX_AGE_S * 1000LL;
	if (ok)
		g->online_scans = 0;
out:
	db_set_deadline(g->db, before);
	PQclear(events);
	PQclear(keys);
	PQclear(types);
	PQclear(lists);
	PQclear(windows);
	PQclear(areas);
	if (r.full && r.rows) /* a full load that failed: its rows are nobody's */
		for (size_t i = 0; i < r.n; i++)
			free_ticket(&r.rows[i]);
	for (size_t i = 0; i < r.nadded; i++) /* an incremental one that failed */
		free_ticket(&r.added[i]);
	free(r.rows);
	free(r.added);
	return ok;
}

/* Appends lines to the rejected file, durably. */
static bool keep_rejected(struct gate *g, const char *lines, size_t len)
{
	int fd = open(g->rejected_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	bool ok = fd >= 0 && write(fd, lines, len) == (ssize_t)len && fsync(fd) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

/* A journal line as an upload sends it: j holds the strings (decref it). */
struct journal_scan {
	json_t *j;
	long long ticket, event, issue;
	const char *gate, *at, *token, *scan, *direction;
	char lists[GATE_LISTS_MAX * 21 + 3]; /* "{3,5}" or "" */
};

/* Reads a journal line for upload: NULL, or why it is damaged (then
 * s->j is NULL already). */
static const char *journal_scan_read(const char *line, struct journal_scan *s)
{
	json_t *j = json_loads(line, 0, NULL);
	json_t *t = json_object_get(j, "ticket"), *e = json_object_get(j, "event"), *i = json_object_get(j, "issue");

	memset(s, 0, sizeof *s);
	s->gate = json_string_value(json_object_get(j, "gate"));
	s->at = json_string_value(json_object_get(j, "at"));
	s->token = json_string_value(json_object_get(j, "token"));
	s->scan = json_string_value(json_object_get(j, "scan"));
	if (!json_is_integer(t) || !json_is_integer(e) || !json_is_integer(i) || !s->gate || !s->at || !s->token) {
		json_decref(j);
		return "damaged journal line";
	}
	if ((json_object_get(j, "lists") && !json_is_array(json_object_get(j, "lists"))) ||
	    (json_object_get(j, "direction") && !json_is_string(json_object_get(j, "direction")))) {
		json_decref(j);
		return "damaged journal line (lists or direction)";
	}
	/* the lists the gate was open on when it decided (db/020) */
	if (json_is_array(json_object_get(j, "lists")) && json_array_size(json_object_get(j, "lists"))) {
		json_t *id;
		size_t k;
		long long ids[GATE_LISTS_MAX];
		json_array_foreach (json_object_get(j, "lists"), k, id) {
			if (!json_is_integer(id) || json_integer_value(id) <= 0 || k >= GATE_LISTS_MAX) {
				json_decref(j);
				return "damaged journal line (lists)";
			}
			ids[k] = (long long)json_integer_value(id);
		}
		id_array_literal(s->lists, sizeof s->lists, ids, (int)json_array_size(json_object_get(j, "lists")));
	}
	s->j = j;
	s->ticket = (long long)json_integer_value(t);
	s->event = (long long)json_integer_value(e);
	s->issue = (long long)json_integer_value(i);
	/* journals before scan IDs had none */
	if (!scan_id_valid(s->scan))
		s->scan = NULL;
	/* what the door did: a line without one admitted in (db/025) */
	s->direction = json_string_value(json_object_get(j, "direction"));
	return NULL;
}

/* One journal line uploaded; false with db->status set when it was not. */
static bool upload_line(struct gate *g, const char *line, int *conflicts)
{
	struct journal_scan s;
	const char *why = journal_scan_read(line, &s);
	json_t *r;

	if (why) {
		db_set_error(g->db, DB_BADINPUT, "%s", why);
		return false;
	}
	r = db_checkin_upload(g->db, s.ticket, s.event, s.issue, s.gate, s.at, s.token, s.scan,
			      s.lists[0] ? s.lists : NULL, s.direction);
	json_decref(s.j);
	if (!r)
		return false;
	*conflicts += json_is_true(json_object_get(r, "conflict"));
	json_decref(r);
	return true;
}

/* A journal line and where it stands in the upload order. */
struct journal_line {
	char *text;
	size_t len, order;
	long long ticket;
};

/* By ticket, then as written: every upload locks tickets in the same
 * order, so gates uploading at once never deadlock each other, and the
 * scans of one ticket keep their order. */
static int by_ticket_then_order(const void *a, const void *b)
{
	const struct journal_line *x = a, *y = b;
	if (x->ticket != y->ticket)
		return x->ticket < y->ticket ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

struct journal_reader {
	struct journal_line *lines;
	size_t n, cap;
};

/* One line as getline read it (len bytes, NUL-terminated after them). */
static void journal_take(void *ctx, char *line, size_t len)
{
	struct journal_reader *r = ctx;
	json_t *j;
	char *text;

	if (len == 1 && line[0] == '\n')
		return;
	/* every byte, NULs too (a crash can leave a block of them): the
	 * rejected file gets the line whole, len bytes (found by fuzzing:
	 * a copy up to the first NUL was then read len bytes far) */
	text = xmalloc(len + 2);
	memcpy(text, line, len);
	if (line[len - 1] != '\n') /* a torn last line (a crash): kept too */
		text[len++] = '\n';
	text[len] = '\0';
	if (r->n == r->cap)
		r->lines = xrealloc(r->lines, (r->cap = r->cap ? r->cap * 2 : 64) * sizeof *r->lines);
	j = json_loads(text, 0, NULL);
	r->lines[r->n] = (struct journal_line){ text, len, r->n,
						(long long)json_integer_value(json_object_get(j, "ticket")) };
	json_decref(j);
	r->n++;
}

static struct journal_line *read_journal(FILE *f, size_t *count)
{
	struct journal_reader r = { 0 };
	size_t size = 0;
	char *line = NULL;
	ssize_t len;

	while ((len = getline(&line, &size, f)) > 0)
		journal_take(&r, line, (size_t)len);
	free(line);
	sort_any(r.lines, r.n, sizeof *r.lines, by_ticket_then_order);
	*count = r.n;
	return r.lines;
}

/* A line that cannot be uploaded, onto what goes to the rejected file. */
static void reject_line(char **rejected, size_t *rlen, const struct journal_line *l)
{
	*rejected = xrealloc(*rejected, *rlen + l->len + 1);
	memcpy(*rejected + *rlen, l->text, l->len + 1);
	*rlen += l->len;
}

size_t gate_journal_check(const char *buf, size_t len, size_t *damaged, char **rejected, size_t *rlen)
{
	struct journal_reader r = { 0 };

	*damaged = 0;
	*rejected = NULL;
	*rlen = 0;
	each_line(buf, len, journal_take, &r);
	sort_any(r.lines, r.n, sizeof *r.lines, by_ticket_then_order);
	for (size_t i = 0; i < r.n; i++) {
		struct journal_scan s;
		if (journal_scan_read(r.lines[i].text, &s)) {
			reject_line(rejected, rlen, &r.lines[i]);
			(*damaged)++;
		}
		json_decref(s.j);
	}
	for (size_t i = 0; i < r.n; i++)
		free(r.lines[i].text);
	free(r.lines);
	return r.n;
}

int gate_upload(struct gate *g, int *conflicts)
{
	FILE *f;
	char done[1300];
	size_t rlen = 0, nlines = 0;
	char *rejected = NULL;
	struct journal_line *lines = NULL;
	int n = 0, lock;

	*conflicts = 0;
	g->rejected = 0;
	/* gate_bind first: a journal goes only into the database it was written for */
	if (!online(g) || !gate_bind(g))
		return 0;
	if ((lock = lock_station(g)) < 0) {
		db_set_error(g->db, DB_FAILED, "cannot lock the gate's state folder: %s", strerror(errno));
		return -1;
	}
	if (!(f = fopen(g->journal_path, "r"))) {
		unlock_station(lock);
		g->pending = 0;
		return 0;
	}
	lines = read_journal(f, &nlines);
	fclose(f);
	if (!db_begin(g->db))
		goto failed;
	for (size_t i = 0; i < nlines; i++) {
		if (upload_line(g, lines[i].text, conflicts)) {
			n++;
			continue;
		}
		if (g->db->state != DB_READY || g->db->status == DB_FAILED)
			goto failed; /* the connection or a passing conflict, not the line: try again later */
		reject_line(&rejected, &rlen, &lines[i]);
		g->rejected++;
	}
	/* The rejected lines are safe on disk before the journal is done. */
	if (rlen && !keep_rejected(g, rejected, rlen)) {
		db_set_error(g->db, DB_FAILED, "cannot keep the lines that failed: %s", strerror(errno));
		goto failed;
	}
	if (!db_commit(g->db))
		goto failed;
	free(rejected);
	for (size_t i = 0; i < nlines; i++)
		free(lines[i].text);
	free(lines);
	/* Kept, renamed: uploaded scans are history, not garbage. */
	snprintf(done, sizeof done, "%s.uploaded-%ld-%ld", g->journal_path, (long)time(NULL), (long)getpid());
	rename(g->journal_path, done);
	g->journal_ino = 0;
	g->journal_off = 0;
	g->pending = 0;
	unlock_station(lock);
	return n;
failed:
	db_rollback(g->db);
	free(rejected);
	for (size_t i = 0; i < nlines; i++)
		free(lines[i].text);
	free(lines);
	g->rejected = 0;
	unlock_station(lock);
	return -1;
}

/* The lists as checkin_scan takes them: NULL for the whole event. */
static const char *lists_param(const struct gate *g)
{
	return g->nlists ? g->lists_param : NULL;
}

static void reject(struct verdict *v, const char *fmt, const char *arg)
{
	v->admit = false;
	v->refused_here = true;
	snprintf(v->reason, sizeof v->reason, fmt, arg);
}

/* A ticket of another event than the gate's, named when the cache knows
 * it (the cache holds every event's name, online or not). */
static void other_event(const struct gate *g, struct verdict *v, long long event)
{
	const char *name = event_name(g, event);
	v->admit = false;
	v->refused_here = true;
	if (name)
		snprintf(v->reason, sizeof v->reason, "other event (ticket for %.500s)", name);
	else
		snprintf(v->reason, sizeof v->reason, "other event (ticket for event #%lld)", event);
}

/* One journal line onto the cache: the ticket's scan (on a check-in list,
 * db/020: its pass on the list it went in or out on) and the area it
 * counted into. Unless any: the ticket only if it is one of only[] (sorted
 * by id, n of them). */
static void apply_line(struct gate *g, const char *line, bool any, const struct gate_ticket *only, size_t n)
{
	json_t *j = json_loads(line, 0, NULL);
	long long id = (long long)json_integer_value(json_object_get(j, "ticket"));
	struct gate_ticket key = { .id = id };
	struct gate_ticket *t = find_ticket(g, id);
	long long on = (long long)json_integer_value(json_object_get(j, "on"));
	struct gate_area *a = find_area(g, (long long)json_integer_value(json_object_get(j, "area")));
	const char *dir = json_string_value(json_object_get(j, "direction"));

	if (!any && (!n || !bsearch(&key, only, n, sizeof key, by_id)))
		t = NULL;
	if (t && on > 0)
		pass_bump(t, on);
	else if (t)
		t->scans++;
	if (a)
		a->own += dir && strcmp(dir, "out") == 0 ? -1 : 1;
	json_decref(j);
}

/* Applies journal lines appended since this process last looked (by other
 * processes of the station, or by an earlier run) to the cached scans.
 * Called under the station lock. */
static void catch_up(struct gate *g)
{
	FILE *f = fopen(g->journal_path, "r");
	struct stat st;
	char *line = NULL;
	size_t size = 0;
	ssize_t len;

	if (!f)
		return;
	if (fstat(fileno(f), &st) == 0 && (unsigned long long)st.st_ino != g->journal_ino) {
		g->journal_ino = (unsigned long long)st.st_ino;
		g->journal_off = 0;
	}
	if (fseeko(f, (off_t)g->journal_off, SEEK_SET) == 0) {
		while ((len = getline(&line, &size, f)) > 0 && line[len - 1] == '\n') {
			apply_line(g, line, true, NULL, 0);
			g->journal_off += len;
		}
	}
	free(line);
	fclose(f);
}

struct apply_ctx {
	struct gate *g;
	bool torn;
};

static void apply_buf_line(void *ctx, char *line, size_t len)
{
	struct apply_ctx *c = ctx;
	if (c->torn || line[len - 1] != '\n') {
		c->torn = true; /* as catch_up: a line still being written waits */
		return;
	}
	apply_line(c->g, line, true, NULL, 0);
	c->g->journal_off += (long long)len;
}

void gate_journal_apply(struct gate *g, const char *buf, size_t len)
{
	struct apply_ctx c = { g, false };
	each_line(buf, len, apply_buf_line, &c);
}

/* After a refresh: the areas' counts start again from the whole journal;
 * so do the tickets the refresh brought (fresh, sorted by id; all of them
 * after a full load: fresh NULL, all true). Lines this process had
 * applied before (up to applied in file ino) stay in the other tickets:
 * they are not counted twice. */
static void replay_journal(struct gate *g, bool all, const struct gate_ticket *fresh, size_t nfresh,
			   unsigned long long ino, long long applied)
{
	FILE *f = fopen(g->journal_path, "r");
	struct stat st;
	char *line = NULL;
	size_t size = 0;
	ssize_t len;

	g->journal_ino = 0;
	g->journal_off = 0;
	if (!f)
		return;
	if (fstat(fileno(f), &st) != 0 || (unsigned long long)st.st_ino != ino)
		applied = 0; /* another file: nothing of it was applied */
	g->journal_ino = (unsigned long long)st.st_ino;
	while ((len = getline(&line, &size, f)) > 0 && line[len - 1] == '\n') {
		apply_line(g, line, all || g->journal_off >= applied, fresh, nfresh);
		g->journal_off += len;
	}
	free(line);
	fclose(f);
}

/* Appends one journal line durably, or leaves the journal as it was: a
 * short write (a full disk) is cut off again, and a line torn by a crash
 * before is ended first, so the next line never joins a fragment. */
static bool append_line(int fd, const char *line, size_t len)
{
	struct stat st;
	off_t before;
	char last = '\n';
	ssize_t w;

	if (fstat(fd, &st) != 0)
		return false;
	before = st.st_size;
	if (before > 0 && (pread(fd, &last, 1, before - 1) != 1))
		return false;
	if (last != '\n') {
		if (write(fd, "\n", 1) != 1) {
			if (ftruncate(fd, before) != 0) {
				/* nothing more to do: the fragment stays a damaged line */
			}
			return false;
		}
		before++;
	}
	errno = 0;
	w = write(fd, line, len);
	if (w != (ssize_t)len || fsync(fd) != 0) {
		int e = errno ? errno : ENOSPC;
		if (ftruncate(fd, before) != 0 || fsync(fd) != 0) {
			/* the line stays torn; the next append ends it first */
		}
		errno = e;
		return false;
	}
	return true;
}

static bool type_admitted(const struct gate_rules *l, long long type)
{
	return l->all_types || (l->ntypes && bsearch(&type, l->types, l->ntypes, sizeof type, by_value));
}

/* checkin_list_time_reason by the gate's clock: NULL when open. */
static const char *time_reason(const struct gate_rules *l, time_t now, char *buf, size_t size)
{
	const struct gate_window *next = NULL, *last = NULL;
	if (!l->nwindows)
		return NULL;
	for (size_t i = 0; i < l->nwindows; i++) {
		const struct gate_window *w = &l->windows[i];
		if (w->from <= (long long)now && (long long)now < w->to)
			return NULL;
		if (w->from > (long long)now && (!next || w->from < next->from))
			next = w;
		if (!last || w->to > last->to)
			last = w;
	}
	if (next)
		snprintf(buf, size, "valid from %s", next->from_text);
	else
		snprintf(buf, size, "valid until %s", last->to_text);
	return buf;
}

static void verdict_area(struct verdict *v, const struct gate_area *a)
{
	utf8_copy(v->area, sizeof v->area, a->name);
	v->inside = area_count(a);
	v->capacity = a->capacity;
	v->approximate = true; /* this gate's own count on the last refresh's */
}

/* checkin_scan's rules on the gate's lists, from the cache: inside on one
 * of them goes out (re-entry) or is refused; else the first list that
 * admits the type and is open now by the gate's clock, if its area (by
 * this gate's count) has room. False with the refusal in v. */
static bool decide_on_lists(struct gate *g, struct gate_ticket *t, time_t now, struct verdict *v,
			    struct gate_rules **chosen, struct gate_area **area, bool *out)
{
	const struct gate_rules *first = NULL;
	const char *type_why = NULL, *time_why = NULL;
	char buf[200], closed[200];

	*chosen = NULL;
	*area = NULL;
	*out = false;
	v->inside = v->capacity = -1;
	for (int i = 0; i < g->nlists && !*chosen; i++) {
		struct gate_rules *l = find_rules(g, g->lists[i].id);
		if (!l || l->event != t->event)
			continue;
		if (!first)
			first = l;
		if (pass_scans(t, l->id) % 2 == 1) {
			if (!l->reentry) {
				utf8_copy(v->list, sizeof v->list, l->name);
				reject(v, "%s", "already checked in (seen by this gate's cache)");
				return false;
			}
			*chosen = l;
			*out = true;
		}
	}
	if (!first) {
		reject(v, "%s", "not on this list");
		return false;
	}
	for (int i = 0; i < g->nlists && !*chosen; i++) {
		struct gate_rules *l = find_rules(g, g->lists[i].id);
		if (!l || l->event != t->event)
			continue;
		if (!type_admitted(l, t->type)) {
			if (!type_why)
				type_why = l->type_reason;
			continue;
		}
		if (time_reason(l, now, closed, sizeof closed)) {
			if (!time_why)
				time_why = memcpy(buf, closed, sizeof buf);
			continue;
		}
		*chosen = l;
	}
	if (!*chosen) {
		utf8_copy(v->list, sizeof v->list, first->name);
		reject(v, "%s", time_why ? time_why : type_why ? type_why : "not on this list");
		return false;
	}
	utf8_copy(v->list, sizeof v->list, (*chosen)->name);
	if ((*chosen)->area && (*area = find_area(g, (*chosen)->area))) {
		verdict_area(v, *area);
		if (!*out && area_count(*area) >= (*area)->capacity) {
			char why[600];
			snprintf(why, sizeof why, "%.400s is full (%lld/%lld)", (*area)->name, area_count(*area),
				 (*area)->capacity);
			reject(v, "%s", why);
			v->full = true;
			return false;
		}
	}
	return true;
}

/* Keeps the offline cache current with an online verdict of this gate:
 * the ticket's scan (on the list that decided, with lists) and the area's
 * occupancy as the database counted it. */
static void follow_online(struct gate *g, long long ticket, const struct verdict *v)
{
	struct gate_ticket *t = find_ticket(g, ticket);
	struct gate_rules *l;
	struct gate_area *a;
	bool scanned = v->admit && !v->duplicate; /* a new scan row, in or out */

	g->online_scans += scanned;
	if (!g->nlists) {
		if (t && scanned)
			t->scans++;
		return;
	}
	if (t && scanned && v->list[0] && (l = rules_named(g, t->event, v->list)))
		pass_bump(t, l->id);
	if (v->area[0] && v->inside >= 0 && (a = area_named(g, g->event_id, v->area))) {
		a->inside = v->inside;
		/* the database's figure holds every uploaded scan: this gate's
		 * own count starts again once nothing waits in its journal */
		if (!g->pending)
			a->own = 0;
	}
}

const char *gate_list_rules(const struct gate *g, long long list)
{
	const struct gate_rules *l = find_rules(g, list);
	return l ? l->rules : NULL;
}

bool gate_live_entrances(struct gate *g, const char *area, long long inside, long long capacity, const char *list,
			 const char *rules)
{
	bool stale = false;
	for (int i = 0; i < g->nlists; i++) {
		struct gate_rules *l = find_rules(g, g->lists[i].id);
		struct gate_area *a = l && l->area ? find_area(g, l->area) : NULL;
		if (!l) {
			stale = true;
			continue;
		}
		if (list && strcmp(l->name, list) == 0 && rules && (!l->rules || strcmp(l->rules, rules) != 0))
			stale = true;
		/* the database's count includes every scan this gate uploaded:
		 * its own count starts again from there */
		if (area && a && strcmp(a->name, area) == 0 && online(g) && g->pending == 0) {
			a->inside = inside;
			a->capacity = capacity;
			a->own = 0;
		}
	}
	return stale;
}

bool gate_area_view(const struct gate *g, char *name, size_t size, long long *inside, long long *capacity,
		    bool *approximate)
{
	for (int i = 0; i < g->nlists; i++) {
		const struct gate_rules *l = find_rules(g, g->lists[i].id);
		const struct gate_area *a = l && l->area ? find_area(g, l->area) : NULL;
		if (!a)
			continue;
		utf8_copy(name, size, a->name);
		*inside = area_count(a);
		*capacity = a->capacity;
		*approximate = !online(g) || a->own != 0;
		return true;
	}
	return false;
}

/* The offline decision, journaled (fsync) before it is returned. */
static void scan_offline(struct gate *g, const char *token, const struct ticket_claim *c, struct verdict *v)
{
	struct gate_ticket *t = find_ticket(g, (long long)c->ticket_id);
	char at[40], *line;
	time_t now = time(NULL);
	struct tm tm;
	struct stat st;
	json_t *j;
	int fd, lock;
	size_t len;
	bool written, out = false;
	struct gate_rules *chosen = NULL;
	struct gate_area *area = NULL;

	v->offline = true;
	v->ticket = (long long)c->ticket_id;
	/* no state folder, no journal: nothing may be admitted that could
	 * not be recorded */
	if (!g->journal_path[0])
		return reject(v, "cannot keep offline scans (%s): not admitted",
			      g->notice[0] ? g->notice : "no state folder");
	if (!t || t->event != (long long)c->event_id)
		return reject(v, "%s", "unknown code (offline cache)");
	/* who and what, as an online verdict shows them */
	if (t->who) {
		utf8_copy(v->person, sizeof v->person, t->who);
		utf8_copy(v->company, sizeof v->company, t->who + strlen(t->who) + 1);
	}
	if (type_name(g, t->type))
		utf8_copy(v->type, sizeof v->type, type_name(g, t->type));
	if (!t->valid)
		return reject(v, "%s", "cancelled or refunded");
	if (t->issue != (int)c->issue)
		return reject(v, "%s", "reissued (old QR)");
	if ((lock = lock_station(g)) < 0)
		return reject(v, "cannot lock the gate's journal: %s (not admitted)", strerror(errno));
	catch_up(g);
	if (g->nlists) {
		if (!decide_on_lists(g, t, now, v, &chosen, &area, &out)) {
			unlock_station(lock);
			return;
		}
	} else if (t->scans % 2 == 1) {
		unlock_station(lock);
		return reject(v, "%s", "already checked in (seen by this gate's cache)");
	}
	gmtime_r(&now, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	j = json_pack("{ss sI sI sI ss ss ss}", "token", token, "ticket", (json_int_t)c->ticket_id, "event",
		      (json_int_t)c->event_id, "issue", (json_int_t)c->issue, "gate", g->name, "at", at,
		      "scan", v->scan_id);
	if (j && chosen) {
		/* the gate's lists, as the database re-decides the upload on
		 * them; and what this gate decided, for its own count */
		json_t *ids = json_array();
		for (int i = 0; i < g->nlists; i++)
			json_array_append_new(ids, json_integer(g->lists[i].id));
		json_object_set_new(j, "lists", ids);
		json_object_set_new(j, "on", json_integer(chosen->id));
		json_object_set_new(j, "direction", json_string(out ? "out" : "in"));
		if (area)
			json_object_set_new(j, "area", json_integer(area->id));
	}
	line = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!line) {
		unlock_station(lock);
		return reject(v, "%s", "cannot write the journal: the scan does not encode (not admitted)");
	}
	len = strlen(line);
	line[len++] = '\n'; /* json_dumps leaves room: it ended in '\0' */
	fd = open(g->journal_path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	written = fd >= 0 && append_line(fd, line, len);
	free(line);
	if (!written) {
		int e = errno ? errno : ENOSPC;
		if (fd >= 0)
			close(fd);
		unlock_station(lock);
		return reject(v, "cannot write the journal: %s (not admitted)", strerror(e));
	}
	/* our own line is applied below: skip it when catching up */
	if (fstat(fd, &st) == 0) {
		if ((unsigned long long)st.st_ino != g->journal_ino)
			g->journal_off = 0;
		g->journal_ino = (unsigned long long)st.st_ino;
		g->journal_off = (long long)st.st_size;
	}
	close(fd);
	unlock_station(lock);
	g->pending++;
	v->admit = true;
	snprintf(v->direction, sizeof v->direction, "%s", out ? "out" : "in");
	snprintf(v->reason, sizeof v->reason, "%s", out ? "checked out (offline)" : "offline");
	if (!chosen) {
		t->scans++;
		return;
	}
	pass_bump(t, chosen->id);
	if (area) {
		area->own += out ? -1 : 1;
		v->inside = area_count(area);
	}
}

/* ---- reconnecting ---- */

void gate_report_upload(const struct gate *g, int uploaded, int conflicts)
{
	if (uploaded > 0)
		fprintf(stderr, "boxoffice: checkin: uploaded %d offline scans (%d conflicts)\n", uploaded, conflicts);
	if (uploaded < 0)
		fprintf(stderr, "boxoffice: checkin: journal not uploaded: %s (kept for the next try)\n", g->db->err);
	if (g->rejected > 0)
		fprintf(stderr, "boxoffice: checkin: %d journal line(s) could not be uploaded; kept in %s\n",
			g->rejected, g->rejected_path);
}

void gate_set_reconnect(struct gate *g, bool on)
{
	g->reconnect = on;
	g->backoff_ms = BACKOFF_MIN_MS;
	g->next_try_ms = now_ms();
	if (online(g))
		g->cache_due_ms = now_ms() + GATE_CACHE_MAX_AGE_S * 1000LL;
}

/* Back online: the journal first (so the database knows the offline
 * admits before it decides again), then a fresh cache. */
static int back_online(struct gate *g, int *conflicts)
{
	int n = g->pending > 0 || access(g->journal_path, F_OK) == 0 ? gate_upload(g, conflicts) : 0;
	g->link_silent = false;
	gate_report_upload(g, n, *conflicts);
	if (online(g))
		gate_refresh_cache(g);
	g->backoff_ms = BACKOFF_MIN_MS;
	return n;
}

/* Moves the connection on; true when it just became ready. */
static bool advance(struct gate *g)
{
	long long now = now_ms();

	if (!g->reconnect || !g->db || online(g))
		return false;
	if (g->db->state == DB_DISCONNECTED) {
		if (now < g->next_try_ms)
			return false;
		g->connect_started_ms = now;
		if (!db_connect_start(g->db)) {
			g->next_try_ms = now + g->backoff_ms;
			g->backoff_ms = g->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : g->backoff_ms * 2;
			return false;
		}
	}
	{
		/* PQconnectPoll only when the socket is ready for it */
		struct pollfd p = { .fd = db_socket(g->db), .events = db_wants_write(g->db) ? POLLOUT : POLLIN };
		if (p.fd >= 0 && poll(&p, 1, 0) > 0 && db_connect_poll(g->db) == DB_READY)
			return true;
	}
	if (g->db->state == DB_CONNECTING && now - g->connect_started_ms > CONNECT_TIMEOUT_MS) {
		db_set_error(g->db, DB_FAILED, "timeout connecting to the database");
		g->db->state = DB_DISCONNECTED;
	}
	if (g->db->state == DB_DISCONNECTED) {
		g->next_try_ms = now + g->backoff_ms;
		g->backoff_ms = g->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : g->backoff_ms * 2;
	}
	return false;
}

int gate_poll(const struct gate *g, short *events, int *timeout_ms)
{
	long long now = now_ms(), due = -1;

	*events = 0;
	*timeout_ms = -1;
	if (!g->reconnect || !g->db)
		return -1;
	if (online(g)) {
		due = g->cache_due_ms;
	} else if (g->db->state == DB_CONNECTING) {
		*events = db_wants_write(g->db) ? POLLOUT : POLLIN;
		due = g->connect_started_ms + CONNECT_TIMEOUT_MS;
	} else {
		due = g->next_try_ms;
	}
	*timeout_ms = due < now ? 0 : (int)(due - now);
	return g->db->state == DB_CONNECTING ? db_socket(g->db) : -1;
}

int gate_tick(struct gate *g, int *conflicts)
{
	*conflicts = 0;
	if (advance(g))
		return back_online(g, conflicts);
	if (g->reconnect && online(g) && now_ms() >= g->cache_due_ms)
		gate_refresh_cache(g);
	return 0;
}

/* Waits for a reconnect under way, at most GATE_SCAN_WAIT_MS and never
 * past the verdict's deadline. */
static int reconnect_for_scan(struct gate *g, long long deadline)
{
	long long until = now_ms() + GATE_SCAN_WAIT_MS;
	int conflicts;

	if (until > deadline)
		until = deadline;
	/* A link that went silent will not answer a reconnect either: one
	 * look, no wait, until it is back. */
	if (g->link_silent)
		until = now_ms();
	for (;;) {
		short events;
		int timeout, fd;
		if (advance(g))
			return back_online(g, &conflicts);
		if (online(g) || g->db->state != DB_CONNECTING || now_ms() >= until)
			return 0;
		fd = gate_poll(g, &events, &timeout);
		if (timeout > until - now_ms())
			timeout = (int)(until - now_ms());
		if (fd >= 0) {
			struct pollfd p = { .fd = fd, .events = events };
			poll(&p, 1, timeout);
		}
	}
}

/* How long the server may wait for a lock within what is left of a
 * verdict's deadline: three quarters, so its refusal (55P03) comes back
 * before the gate gives up, and a scan the gate decided offline is never
 * committed online later behind a lock (db/024). */
static int server_wait_ms(long long left)
{
	return left * 3 / 4 > 0 ? (int)(left * 3 / 4) : 1;
}

/* The online verdict within what is left of the scan's deadline; NULL when
 * the database did not answer in time (the connection is dropped then). */
static json_t *ask_database(struct gate *g, const struct ticket_claim *c, const char *scan_id, long long deadline)
{
	long long left = deadline - now_ms();
	int before;
	json_t *r;

	if (left < 1) {
		db_drop(g->db, "no verdict from the database within %d ms", g->verdict_ms);
		return NULL;
	}
	before = db_swap_deadline(g->db, (int)left);
	r = db_checkin_scan(g->db, (long long)c->ticket_id, (long long)c->event_id, (long long)c->issue, g->name,
			    scan_id, lists_param(g), g->override, server_wait_ms(left));
	db_swap_deadline(g->db, before);
	return r;
}

static void scan_decide(struct gate *g, const char *token, struct verdict *v);

/* A refusal the database did not make still counts at the door (the
 * dashboard's REFUSE, the gate-rejects alert): told while online. */
void gate_scan(struct gate *g, const char *token, struct verdict *v)
{
	scan_decide(g, token, v);
	if (v->refused_here && !v->admit && online(g) && g->event_id) {
		int before = db_swap_deadline(g->db, g->verdict_ms);
		db_checkin_refused(g->db, g->event_id, g->name, v->reason);
		db_swap_deadline(g->db, before);
	}
}

static void scan_decide(struct gate *g, const char *token, struct verdict *v)
{
	struct ticket_claim c;
	unsigned char pk[TOKEN_PUBLIC_KEY_BYTES];
	const unsigned char *key;
	enum token_status st;
	bool retried = false;
	long long deadline = now_ms() + g->verdict_ms;

	memset(v, 0, sizeof *v);
	/* One ID for this scan however many ways it reaches the database. */
	scan_id_new(v->scan_id);
	v->offline = !online(g); /* decided without the database */
	if ((st = token_peek(token, &c)) != TOKEN_VALID)
		return reject(v, "%s", token_status_text(st));
	if (g->event_id && (long long)c.event_id != g->event_id)
		return other_event(g, v, (long long)c.event_id);
	if (g->reconnect && !online(g))
		reconnect_for_scan(g, deadline);
again:
	v->offline = !online(g);
	/* An event's key never changes within one database, and the cache is
	 * per database: once known, it is kept. */
	key = find_key(g, (long long)c.event_id);
	if (!key && online(g)) {
		int before = db_swap_deadline(g->db, (int)(deadline - now_ms() > 1 ? deadline - now_ms() : 1));
		bool found = db_event_public_key(g->db, (long long)c.event_id, pk);
		db_swap_deadline(g->db, before);
		if (found) {
			add_key(g, (long long)c.event_id, pk);
			key = find_key(g, (long long)c.event_id);
		} else if (g->db->status != DB_FAILED) {
			return reject(v, "%s", TOKEN_REASON_NO_KEY);
		}
	}
	if (!key)
		return reject(v, "%s", "unknown event (no key cached for it)");
	if ((st = token_verify(token, key, &c)) != TOKEN_VALID)
		return reject(v, "%s", token_status_text(st));
	if (online(g)) {
		json_t *r = ask_database(g, &c, v->scan_id, deadline);
		if (r) {
			verdict_from_answer(v, r);
			json_decref(r);
			follow_online(g, (long long)c.ticket_id, v);
			return;
		}
		if (g->db->state == DB_READY) {
			/* a lock not had in time (a held area or ticket row):
			 * the server committed nothing, the door decides
			 * offline; anything else is a refusal */
			if (db_error_is_transient(g->db))
				return scan_offline(g, token, &c, v);
			return reject(v, "database refused the scan: %s", g->db->err);
		}
		if (now_ms() >= deadline)
			g->link_silent = true;
		/* The connection was lost (a restarted server, a terminated
		 * backend): one quick reconnect within the deadline, then
		 * offline. The retry carries the same scan ID, so a first try
		 * the server committed is not counted twice. */
		if (g->reconnect && !retried && now_ms() < deadline) {
			retried = true;
			g->next_try_ms = now_ms();
			g->backoff_ms = BACKOFF_MIN_MS;
			reconnect_for_scan(g, deadline);
			goto again;
		}
	}
	scan_offline(g, token, &c, v);
}

/* ---- the same scan in steps, for a station that never waits ---- */

/* Verifies from the cache alone (no database call): a verdict, or a claim
 * to ask the database about. A key the cache lacks is looked up only when
 * online, bounded by the verdict deadline. */
static enum gate_step scan_begin(struct gate *g, const char *token, struct gate_pending *p, struct verdict *v);

enum gate_step gate_scan_begin(struct gate *g, const char *token, struct gate_pending *p, struct verdict *v)
{
	enum gate_step step = scan_begin(g, token, p, v);
	if (step == GATE_DECIDED && v->refused_here && !v->admit && online(g) && g->event_id)
		db_checkin_refused_submit(g->db, g, g->event_id, g->name, v->reason);
	return step;
}

static enum gate_step scan_begin(struct gate *g, const char *token, struct gate_pending *p, struct verdict *v)
{
	unsigned char pk[TOKEN_PUBLIC_KEY_BYTES];
	const unsigned char *key;
	enum token_status st;

	memset(v, 0, sizeof *v);
	memset(p, 0, sizeof *p);
	scan_id_new(v->scan_id);
	memcpy(p->scan_id, v->scan_id, sizeof p->scan_id);
	p->deadline_ms = now_ms() + g->verdict_ms;
	v->offline = !online(g);
	if ((st = token_peek(token, &p->claim)) != TOKEN_VALID) {
		reject(v, "%s", token_status_text(st));
		return GATE_DECIDED;
	}
	if (g->event_id && (long long)p->claim.event_id != g->event_id) {
		other_event(g, v, (long long)p->claim.event_id);
		return GATE_DECIDED;
	}
	key = find_key(g, (long long)p->claim.event_id);
	if (!key && online(g)) {
		int before = db_swap_deadline(g->db, g->verdict_ms);
		bool found = db_event_public_key(g->db, (long long)p->claim.event_id, pk);
		db_swap_deadline(g->db, before);
		if (found) {
			add_key(g, (long long)p->claim.event_id, pk);
			key = find_key(g, (long long)p->claim.event_id);
		} else if (g->db->status != DB_FAILED) {
			reject(v, "%s", TOKEN_REASON_NO_KEY);
			return GATE_DECIDED;
		}
	}
	if (!key) {
		reject(v, "%s", "unknown event (no key cached for it)");
		return GATE_DECIDED;
	}
	if ((st = token_verify(token, key, &p->claim)) != TOKEN_VALID) {
		reject(v, "%s", token_status_text(st));
		return GATE_DECIDED;
	}
	snprintf(p->token, sizeof p->token, "%s", token);
	if (!online(g)) {
		scan_offline(g, token, &p->claim, v);
		return GATE_DECIDED;
	}
	return GATE_ASK;
}

bool gate_scan_submit(struct gate *g, const void *owner, const struct gate_pending *p,
		      void (*done)(struct db *db, json_t *answer, void *ctx), void *ctx)
{
	return db_checkin_scan_submit(g->db, owner, (long long)p->claim.ticket_id, (long long)p->claim.event_id,
				      (long long)p->claim.issue, g->name, p->scan_id, lists_param(g), g->override,
				      server_wait_ms(p->deadline_ms - now_ms()), done, ctx);
}

void gate_scan_answer(struct gate *g, const struct gate_pending *p, json_t *answer, struct verdict *v)
{
	memset(v, 0, sizeof *v);
	memcpy(v->scan_id, p->scan_id, sizeof v->scan_id);
	verdict_from_answer(v, answer);
	follow_online(g, (long long)p->claim.ticket_id, v);
}

void gate_scan_offline(struct gate *g, const struct gate_pending *p, struct verdict *v)
{
	memset(v, 0, sizeof *v);
	memcpy(v->scan_id, p->scan_id, sizeof v->scan_id);
	scan_offline(g, p->token, &p->claim, v);
}

json_t *gate_undo(struct gate *g, long long ticket_id, const char *reason, char *err, size_t size, int *exit_code)
{
	json_t *j = NULL;
	struct gate_ticket *t;

	if (!online(g)) {
		snprintf(err, size, "an undo needs the database, and this gate is offline%s%s",
			 g->db && g->db->err[0] ? ": " : "", g->db ? g->db->err : "");
		*exit_code = 3;
		return NULL;
	}
	/* on a gate with lists: the first of them the ticket is in on */
	for (int i = 0; i < (g->nlists ? g->nlists : 1); i++) {
		if ((j = db_checkin_undo(g->db, ticket_id, g->name, reason, g->nlists ? g->lists[i].id : 0)))
			break;
		if (g->db->status != DB_REFUSED || !strstr(g->db->err, "is not checked in"))
			break;
	}
	if (!j) {
		if (g->nlists > 1 && strstr(g->db->err, "is not checked in"))
			snprintf(err, size, "ticket %lld is not checked in on this gate's lists", ticket_id);
		else
			snprintf(err, size, "%s", g->db->err);
		*exit_code = g->db->status == DB_REFUSED ? 1 : g->db->status == DB_BADINPUT ? 2 : 3;
		return NULL;
	}
	/* the cache follows at once: the ticket may be admitted again */
	if ((t = find_ticket(g, ticket_id))) {
		const char *lname = json_string_value(json_object_get(j, "list"));
		const struct gate_rules *l = lname ? rules_named(g, t->event, lname) : NULL;
		if (!g->nlists)
			t->scans++;
		else if (l)
			pass_bump(t, l->id);
	}
	*exit_code = 0;
	return j;
}

void gate_admit_ticket(struct gate *g, long long ticket_id, const char *override, struct verdict *v)
{
	PGresult *res;
	json_t *j = NULL;
	long long deadline = now_ms() + g->verdict_ms;
	int before;

	memset(v, 0, sizeof *v);
	v->ticket = ticket_id;
	if (!online(g))
		return reject(v, "%s", "manual admit needs the database (offline)");
	/* a person waits at the door: the verdict's deadline, as a scan's,
	 * for both reads, and the server's lock waits under it */
	before = db_swap_deadline(g->db, g->verdict_ms);
	res = db_door_ticket_get(g->db, ticket_id);
	if (res && PQntuples(res) > 0) {
		long long left = deadline - now_ms();
		scan_id_new(v->scan_id);
		db_swap_deadline(g->db, left > 1 ? (int)left : 1);
		j = db_checkin_scan(g->db, ticket_id, db_int(res, 0, TK_EVENT), db_int(res, 0, TK_ISSUE), g->name,
				    v->scan_id, lists_param(g), override, server_wait_ms(left));
	}
	db_swap_deadline(g->db, before);
	if (!res || (PQntuples(res) > 0 && !j)) {
		PQclear(res);
		return reject(v, "no verdict from the database: %s (try again, or scan the code)", g->db->err);
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		return reject(v, "%s", "unknown ticket");
	}
	PQclear(res);
	verdict_from_answer(v, j);
	json_decref(j);
	follow_online(g, ticket_id, v);
}

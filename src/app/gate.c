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

static void free_cache(struct gate *g)
{
	reset_events_keys(g);
	for (size_t i = 0; i < g->ntickets; i++)
		free(g->tickets[i].who);
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
 *   "R" (events and keys start again), "E id namehex"…, "K event pkhex"…,
 *   "T id event issue valid scans"… (the tickets it brought), "H horizon".
 * A full load writes one block with every ticket in id order and replaces
 * the file; an incremental refresh appends a block with what changed, so
 * its cost follows the changes, not the size of the event. Reading applies
 * the blocks in order: a later T line for a ticket replaces the earlier. */
static void load_cache(struct gate *g)
{
	FILE *f = fopen(g->cache_path, "r");
	char *line = NULL;
	size_t size = 0, tcap = 0, kcap = 0, ecap = 0, ncap = 0, nnew = 0, ycap = 0;
	/* a block without "V 2" predates names in the cache: the next refresh
	 * loads everything again (the tickets stay usable until then) */
	bool block_v2 = false, old_blocks = false;
	struct gate_ticket *fresh = NULL; /* tickets a later block brought, out of order */

	free_cache(g);
	g->horizon = 0;
	g->cache_lines = 0;
	g->cache_at = 0;
	/* the cache holds the database's scans; the journal's come on top */
	g->journal_ino = 0;
	g->journal_off = 0;
	if (!f)
		return;
	{
		/* the cache is as old as its last write */
		struct stat st;
		if (fstat(fileno(f), &st) == 0)
			g->cache_at = st.st_mtime;
	}
	while (getline(&line, &size, f) > 0) {
		long long a, b;
		int issue, valid, scans, n = 0;
		char hex[2 * TOKEN_PUBLIC_KEY_BYTES + 2];
		g->cache_lines++;
		if (line[0] == 'R') {
			reset_events_keys(g);
			kcap = ecap = ycap = 0;
			block_v2 = false;
		} else if (line[0] == 'V') {
			block_v2 = strcmp(line, "V 2\n") == 0;
		} else if (line[0] == 'H' && sscanf(line, "H %lld", &a) == 1) {
			g->horizon = a;
			old_blocks |= !block_v2;
		} else if (line[0] == 'Y' && sscanf(line, "Y %lld %n", &a, &n) == 1 && n > 0) {
			char *h = line + n;
			if (g->ntypes == ycap)
				g->types = xrealloc(g->types, (ycap = ycap ? ycap * 2 : 64) * sizeof *g->types);
			g->types[g->ntypes++] = (struct gate_type){ a, take_hex(&h) };
		} else if (line[0] == 'K' && sscanf(line, "K %lld %65s", &a, hex) == 2) {
			if (g->nkeys == kcap)
				g->keys = xrealloc(g->keys, (kcap = kcap ? kcap * 2 : 64) * sizeof *g->keys);
			if (hex_decode(hex, g->keys[g->nkeys].pk, TOKEN_PUBLIC_KEY_BYTES))
				g->keys[g->nkeys++].event = a;
		} else if (line[0] == 'E' && sscanf(line, "E %lld %n", &a, &n) == 1 && n > 0) {
			char *h = line + n;
			size_t len = strcspn(h, "\n");
			char *name = xmalloc(len / 2 + 1);
			h[len] = '\0';
			if (len % 2 == 0 && hex_decode(h, (unsigned char *)name, len / 2)) {
				name[len / 2] = '\0';
				if (g->nevents == ecap)
					g->events = xrealloc(g->events, (ecap = ecap ? ecap * 2 : 64) * sizeof *g->events);
				g->events[g->nevents++] = (struct gate_event){ a, name };
			} else {
				free(name);
			}
		} else if (line[0] == 'T' && sscanf(line, "T %lld %lld %d %d %d%n", &a, &b, &issue, &valid, &scans, &n) == 5) {
			struct gate_ticket t = { a, b, issue, scans, valid != 0, 0, NULL }, *known;
			long long type;
			int m = 0;
			if (block_v2 && sscanf(line + n, " %lld%n", &type, &m) == 1 && m > 0) {
				char *h = line + n + m, *person = take_hex(&h), *company = take_hex(&h);
				t.type = type;
				t.who = make_who(person, company);
				free(person);
				free(company);
			}
			if (g->ntickets == 0 || a > g->tickets[g->ntickets - 1].id) {
				if (g->ntickets == tcap)
					g->tickets = xrealloc(g->tickets, (tcap = tcap ? tcap * 2 : 65536) * sizeof *g->tickets);
				g->tickets[g->ntickets++] = t;
			} else if ((known = find_ticket(g, a))) {
				free(known->who);
				*known = t;
			} else {
				if (nnew == ncap)
					fresh = xrealloc(fresh, (ncap = ncap ? ncap * 2 : 256) * sizeof *fresh);
				fresh[nnew++] = t;
			}
		}
	}
	free(line);
	fclose(f);
	if (nnew) {
		g->tickets = xrealloc(g->tickets, (g->ntickets + nnew) * sizeof *g->tickets);
		memcpy(g->tickets + g->ntickets, fresh, nnew * sizeof *fresh);
		g->ntickets += nnew;
		sort_any(g->tickets, g->ntickets, sizeof *g->tickets, by_id);
	}
	free(fresh);
	sort_any(g->keys, g->nkeys, sizeof *g->keys, by_event);
	sort_any(g->types, g->ntypes, sizeof *g->types, type_by_id);
	if (old_blocks)
		g->horizon = 0;
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

void gate_close(struct gate *g)
{
	free_cache(g);
}

/* A list of the cache (offline): by name, then by ID, within event (0:
 * any event, when only one has it). */
static bool cached_list(const struct gate *g, const char *name, long long event, long long *id, long long *event_out,
			char *err, size_t size)
{
	(void)g;
	(void)name;
	(void)event;
	(void)id;
	(void)event_out;
	snprintf(err, size, "%s", "opening a gate on a list needs the database (the offline cache has no lists yet)");
	return false;
}

bool gate_set_lists(struct gate *g, const char *names, char *err, size_t size)
{
	const char *p = names;
	size_t used = 1;

	g->nlists = 0;
	g->lists_param[0] = '\0';
	while (*p) {
		char name[401];
		size_t len = strcspn(p, ",");
		long long id = 0, event = 0;
		while (len && (*p == ' ')) {
			p++;
			len--;
		}
		snprintf(name, sizeof name, "%.*s", (int)(len < sizeof name - 1 ? len : sizeof name - 1), p);
		while (len && name[0] && name[strlen(name) - 1] == ' ')
			name[strlen(name) - 1] = '\0';
		p += len + (p[len] == ',');
		if (!name[0] || len >= sizeof name) {
			snprintf(err, size, "%s", len ? "a list name is too long" : "an empty list name");
			return false;
		}
		if (g->nlists == GATE_LISTS_MAX) {
			snprintf(err, size, "a gate takes at most %d lists", GATE_LISTS_MAX);
			return false;
		}
		if (online(g)) {
			if (!db_list_resolve(g->db, g->event_id, name, &id, &event)) {
				snprintf(err, size, "%s", g->db->err);
				return false;
			}
		} else if (!cached_list(g, name, g->event_id, &id, &event, err, size)) {
			return false;
		}
		if (g->event_id && event != g->event_id) {
			snprintf(err, size, "list \"%s\" is another event's", name);
			return false;
		}
		g->event_id = event;
		for (int i = 0; i < g->nlists; i++)
			if (g->lists[i].id == id) {
				snprintf(err, size, "list \"%s\" is given twice", name);
				return false;
			}
		g->lists[g->nlists].id = id;
		snprintf(g->lists[g->nlists].name, sizeof g->lists[g->nlists].name, "%s", name);
		used += (size_t)snprintf(g->lists_param + used, sizeof g->lists_param - used, "%s%lld",
					 g->nlists ? "," : "", id);
		g->nlists++;
	}
	if (!g->nlists) {
		snprintf(err, size, "%s", "no list named");
		return false;
	}
	g->lists_param[0] = '{';
	snprintf(g->lists_param + used, sizeof g->lists_param - used, "}");
	return true;
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
				 make_who(row->person, row->company) };
	struct gate_ticket *known;

	if (r->n == r->cap)
		r->rows = xrealloc(r->rows, (r->cap = r->cap ? r->cap * 2 : 65536) * sizeof *r->rows);
	r->rows[r->n++] = t;
	if (r->full)
		return true;
	/* the rows (written to the file) and the cache share who */
	if ((known = find_ticket(r->g, row->ticket))) {
		free(known->who);
		*known = t;
	} else {
		if (r->nadded == r->addcap)
			r->added = xrealloc(r->added, (r->addcap = r->addcap ? r->addcap * 2 : 256) * sizeof *r->added);
		r->added[r->nadded++] = t;
	}
	return true;
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
	fputs("R\nV 2\n", f);
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
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "T %lld %lld %d %d %d %lld", t[i].id, t[i].event, t[i].issue, t[i].valid ? 1 : 0, t[i].scans,
			t[i].type);
		put_hex(f, t[i].who ? t[i].who : "");
		put_hex(f, t[i].who ? t[i].who + strlen(t[i].who) + 1 : "");
		fputc('\n', f);
	}
	fprintf(f, "H %lld\n", g->horizon);
	g->cache_lines += 3 + (long long)g->ntypes + PQntuples(events) + PQntuples(keys) + (long long)n;
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
	PGresult *events = NULL, *keys = NULL, *types = NULL;
	long long horizon;
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
	if (!db_cache_horizon(g->db, &horizon) || !(events = db_gate_events(g->db)) ||
	    !(keys = db_gate_keys(g->db)) || !(types = db_gate_types(g->db)) ||
	    !db_cache_stream(g->db, g->event_id, r.full ? 0 : g->horizon, take_row, &r))
		goto out;
	if (r.full) {
		for (size_t i = 0; i < g->ntickets; i++)
			free(g->tickets[i].who);
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
	g->horizon = horizon;
	g->last_refresh_rows = (long long)(r.full ? g->ntickets : r.n);
	g->last_refresh_full = r.full;
	/* the journal's scans come on top of the database's again */
	g->journal_ino = 0;
	g->journal_off = 0;
	set_events_keys(g, events, keys, types);
	/* processes of one station share the file */
	lock = lock_station(g);
	if (r.full || g->cache_lines > (long long)g->ntickets * 3 / 2 + 10000) {
		ok = rewrite_cache(g, events, keys);
	} else {
		sort_any(r.rows, r.n, sizeof *r.rows, by_id);
		ok = append_cache(g, events, keys, r.rows, r.n) || rewrite_cache(g, events, keys);
	}
	unlock_station(lock);
	g->cache_at = time(NULL);
	g->cache_due_ms = now_ms() + GATE_CACHE_MAX_AGE_S * 1000LL;
out:
	db_set_deadline(g->db, before);
	PQclear(events);
	PQclear(keys);
	PQclear(types);
	if (r.full && r.rows) /* a full load that failed: its rows are nobody's */
		for (size_t i = 0; i < r.n; i++)
			free(r.rows[i].who);
	for (size_t i = 0; i < r.nadded; i++) /* an incremental one that failed */
		free(r.added[i].who);
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

/* One journal line uploaded; false with db->status set when it was not. */
static bool upload_line(struct gate *g, const char *line, int *conflicts)
{
	json_t *j = json_loads(line, 0, NULL), *r;
	json_t *t = json_object_get(j, "ticket"), *e = json_object_get(j, "event"), *i = json_object_get(j, "issue");
	const char *gate = json_string_value(json_object_get(j, "gate"));
	const char *at = json_string_value(json_object_get(j, "at"));
	const char *token = json_string_value(json_object_get(j, "token"));
	const char *scan = json_string_value(json_object_get(j, "scan"));
	char lists[GATE_LISTS_MAX * 21 + 3] = "";

	if (!json_is_integer(t) || !json_is_integer(e) || !json_is_integer(i) || !gate || !at || !token) {
		json_decref(j);
		db_set_error(g->db, DB_BADINPUT, "damaged journal line");
		return false;
	}
	/* the lists the gate was open on when it decided (db/020) */
	if (json_is_array(json_object_get(j, "lists")) && json_array_size(json_object_get(j, "lists"))) {
		json_t *id;
		size_t k, used = 1;
		json_array_foreach (json_object_get(j, "lists"), k, id) {
			if (!json_is_integer(id) || json_integer_value(id) <= 0 || k >= GATE_LISTS_MAX) {
				json_decref(j);
				db_set_error(g->db, DB_BADINPUT, "damaged journal line (lists)");
				return false;
			}
			used += (size_t)snprintf(lists + used, sizeof lists - used, "%s%lld", k ? "," : "",
						 (long long)json_integer_value(id));
		}
		lists[0] = '{';
		snprintf(lists + used, sizeof lists - used, "}");
	}
	r = db_checkin_upload(g->db, (long long)json_integer_value(t), (long long)json_integer_value(e),
			      (long long)json_integer_value(i), gate, at, token,
			      scan_id_valid(scan) ? scan : NULL, /* journals before scan IDs had none */
			      lists[0] ? lists : NULL);
	json_decref(j);
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

static struct journal_line *read_journal(FILE *f, size_t *count)
{
	struct journal_line *lines = NULL;
	size_t n = 0, cap = 0, size = 0;
	char *line = NULL;
	ssize_t len;

	while ((len = getline(&line, &size, f)) > 0) {
		json_t *j;
		if (len == 1 && line[0] == '\n')
			continue;
		if (line[len - 1] != '\n') { /* a torn last line (a crash): kept too */
			line = xrealloc(line, (size_t)len + 2);
			line[len++] = '\n';
			line[len] = '\0';
		}
		if (n == cap)
			lines = xrealloc(lines, (cap = cap ? cap * 2 : 64) * sizeof *lines);
		j = json_loads(line, 0, NULL);
		lines[n] = (struct journal_line){ xstrdup(line), (size_t)len, n,
						  (long long)json_integer_value(json_object_get(j, "ticket")) };
		json_decref(j);
		n++;
	}
	free(line);
	sort_any(lines, n, sizeof *lines, by_ticket_then_order);
	*count = n;
	return lines;
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
		rejected = xrealloc(rejected, rlen + lines[i].len + 1);
		memcpy(rejected + rlen, lines[i].text, lines[i].len + 1);
		rlen += lines[i].len;
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

static void from_result(struct verdict *v, json_t *r)
{
	const char *s;
	s = json_string_value(json_object_get(r, "verdict"));
	v->admit = s && strcmp(s, "admit") == 0;
	v->duplicate = json_is_true(json_object_get(r, "duplicate"));
	v->ticket = (long long)json_integer_value(json_object_get(r, "ticket"));
	utf8_copy(v->reason, sizeof v->reason, json_string_value(json_object_get(r, "reason")));
	utf8_copy(v->person, sizeof v->person, json_string_value(json_object_get(r, "person")));
	utf8_copy(v->company, sizeof v->company, json_string_value(json_object_get(r, "company")));
	utf8_copy(v->type, sizeof v->type, json_string_value(json_object_get(r, "type")));
	utf8_copy(v->direction, sizeof v->direction, json_string_value(json_object_get(r, "direction")));
	utf8_copy(v->list, sizeof v->list, json_string_value(json_object_get(r, "list")));
	utf8_copy(v->area, sizeof v->area, json_string_value(json_object_get(r, "area")));
	v->inside = json_is_integer(json_object_get(r, "inside")) ? (long long)json_integer_value(json_object_get(r, "inside")) : -1;
	v->capacity = json_is_integer(json_object_get(r, "capacity"))
			      ? (long long)json_integer_value(json_object_get(r, "capacity"))
			      : -1;
	v->full = json_is_true(json_object_get(r, "full"));
}

static void reject(struct verdict *v, const char *fmt, const char *arg)
{
	v->admit = false;
	snprintf(v->reason, sizeof v->reason, fmt, arg);
}

/* A ticket of another event than the gate's, named when the cache knows
 * it (the cache holds every event's name, online or not). */
static void other_event(const struct gate *g, struct verdict *v, long long event)
{
	const char *name = event_name(g, event);
	v->admit = false;
	if (name)
		snprintf(v->reason, sizeof v->reason, "other event (ticket for %.500s)", name);
	else
		snprintf(v->reason, sizeof v->reason, "other event (ticket for event #%lld)", event);
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
			json_t *j = json_loads(line, 0, NULL);
			struct gate_ticket *t = find_ticket(g, (long long)json_integer_value(json_object_get(j, "ticket")));
			if (t)
				t->scans++;
			json_decref(j);
			g->journal_off += len;
		}
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
	bool written;

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
	if (t->scans % 2 == 1) {
		unlock_station(lock);
		return reject(v, "%s", "already checked in (seen by this gate's cache)");
	}
	gmtime_r(&now, &tm);
	strftime(at, sizeof at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	j = json_pack("{ss sI sI sI ss ss ss}", "token", token, "ticket", (json_int_t)c->ticket_id, "event",
		      (json_int_t)c->event_id, "issue", (json_int_t)c->issue, "gate", g->name, "at", at,
		      "scan", v->scan_id);
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
	t->scans++;
	g->pending++;
	v->admit = true;
	snprintf(v->direction, sizeof v->direction, "in");
	snprintf(v->reason, sizeof v->reason, "offline");
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
			    scan_id, lists_param(g), g->override);
	db_swap_deadline(g->db, before);
	return r;
}

void gate_scan(struct gate *g, const char *token, struct verdict *v)
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
			return reject(v, "%s", "unknown code (no key for its event)");
		}
	}
	if (!key)
		return reject(v, "%s", "unknown event (no key cached for it)");
	if ((st = token_verify(token, key, &c)) != TOKEN_VALID)
		return reject(v, "%s", token_status_text(st));
	if (online(g)) {
		json_t *r = ask_database(g, &c, v->scan_id, deadline);
		if (r) {
			from_result(v, r);
			json_decref(r);
			/* keep the offline cache current with what this gate saw */
			{
				struct gate_ticket *gt = find_ticket(g, (long long)c.ticket_id);
				if (gt && v->admit && !v->duplicate)
					gt->scans++;
			}
			return;
		}
		if (g->db->state == DB_READY) /* a refusal, not a lost connection */
			return reject(v, "database refused the scan: %s", g->db->err);
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
enum gate_step gate_scan_begin(struct gate *g, const char *token, struct gate_pending *p, struct verdict *v)
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
			reject(v, "%s", "unknown code (no key for its event)");
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
				      (long long)p->claim.issue, g->name, p->scan_id, lists_param(g), NULL, done, ctx);
}

void gate_scan_answer(struct gate *g, const struct gate_pending *p, json_t *answer, struct verdict *v)
{
	struct gate_ticket *gt;

	memset(v, 0, sizeof *v);
	memcpy(v->scan_id, p->scan_id, sizeof v->scan_id);
	from_result(v, answer);
	gt = find_ticket(g, (long long)p->claim.ticket_id);
	if (gt && v->admit && !v->duplicate)
		gt->scans++;
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
	if (!g->nlists && (t = find_ticket(g, ticket_id)))
		t->scans++;
	*exit_code = 0;
	return j;
}

void gate_admit_ticket(struct gate *g, long long ticket_id, const char *override, struct verdict *v)
{
	PGresult *res;
	json_t *j;

	memset(v, 0, sizeof *v);
	v->ticket = ticket_id;
	if (!online(g))
		return reject(v, "%s", "manual admit needs the database (offline)");
	res = db_ticket_get(g->db, ticket_id);
	if (!res || PQntuples(res) == 0) {
		PQclear(res);
		return reject(v, "%s", "unknown ticket");
	}
	scan_id_new(v->scan_id);
	j = db_checkin_scan(g->db, ticket_id, db_int(res, 0, TK_EVENT), db_int(res, 0, TK_ISSUE), g->name,
			    v->scan_id, lists_param(g), override);
	PQclear(res);
	if (!j)
		return reject(v, "database: %s", g->db->err);
	from_result(v, j);
	json_decref(j);
}

json_t *verdict_json(const struct verdict *v)
{
	json_t *j = json_pack("{ss ss sI}", "verdict", v->admit ? "admit" : "reject", "reason", v->reason,
			      "ticket", (json_int_t)v->ticket);
	json_object_set_new(j, "person", v->person[0] ? json_string(v->person) : json_null());
	if (v->type[0])
		json_object_set_new(j, "type", json_string(v->type));
	if (v->company[0])
		json_object_set_new(j, "company", json_string(v->company));
	/* always: a reader sees when the gate decided without the database */
	json_object_set_new(j, "offline", json_boolean(v->offline));
	if (v->scan_id[0])
		json_object_set_new(j, "scan", json_string(v->scan_id));
	if (v->duplicate)
		json_object_set_new(j, "duplicate", json_true());
	if (v->direction[0])
		json_object_set_new(j, "direction", json_string(v->direction));
	if (v->list[0])
		json_object_set_new(j, "list", json_string(v->list));
	if (v->area[0]) {
		json_object_set_new(j, "area", json_string(v->area));
		json_object_set_new(j, "inside", json_integer(v->inside));
		json_object_set_new(j, "capacity", json_integer(v->capacity));
		if (v->approximate)
			json_object_set_new(j, "approximate", json_true());
	}
	return j;
}

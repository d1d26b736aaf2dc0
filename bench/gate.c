/* bench/gate: the gate when the link goes bad, and its cache at scale.
 *
 * 1. Verdict time with a frozen link: a real `boxoffice checkin` process
 *    reads tokens from a pipe and reaches PostgreSQL through the freezable
 *    loopback proxy of tests/proxy.c. Each scan is timed from writing the
 *    token to reading its verdict line: online, with the link frozen
 *    (nothing forwarded, nothing closed) and with the server's answers held
 *    (it commits, the gate hears nothing). Four freeze (and hold) rounds of
 *    ten scans each, so the scan that meets a live-but-silent connection
 *    (the one that waits the whole deadline) is measured four times, not
 *    once. After the thaws, every scanned ticket must have exactly one row
 *    in `checkin`.
 * 2. The cache's first load on the 1 M-order demo (about 2.6 M tickets):
 *    `boxoffice checkin --gate big --refresh-cache` with an empty state
 *    folder, its wall time and peak RSS.
 * 3. The incremental refresh after 1,000 real changes (600 reissues through
 *    ticket_reissue(), 400 check-ins through checkin_scan(), so the
 *    ticket.rev trigger of db/013 fires): the same command again, then the
 *    same in-process with its parts timed (cache file read, refresh, rows
 *    fetched, and whether every changed ticket is current in the cache).
 * 4. The same gate on the whole demo through the proxy: frozen, thawed,
 *    and scans one every 100 ms while it comes back (uploads its journal
 *    and refreshes millions of cached tickets).
 *
 * The demo database is the one bench/tui_keys uses (bench_tui_<orders>,
 * BENCH_TUI_ORDERS orders, default 1,000,000): whichever of the two runs
 * first loads it, the other reuses it. */
#include "tests/proxy.c" /* the bench rule builds one source file */

#include <fcntl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "src/app/gate.h"
#include "src/core/token.h"
#include "src/db/db.h"
#include "src/db/tickets.h"

#define VERDICT_MS 1500
#define ONLINE_SCANS 40
#define ROUNDS 4
#define PER_ROUND 10
#define SCANS (ONLINE_SCANS + 2 * ROUNDS * (PER_ROUND + 1) + 8)

static char tmpdir[256];
static long long demo_orders = 1000000;
static char demo_db[64], demo_conninfo[80];

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "bench: gate: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(3);
}

static void sh_run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh_run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (system(cmd) != 0)
		die("failed: %s", cmd);
}

/* A command's stdout as JSON. */
static json_t *cli_json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *cli_json(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	FILE *p;
	json_t *j;
	json_error_t e;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (!(p = popen(cmd, "r")))
		die("cannot run %s", cmd);
	j = json_loadf(p, JSON_DISABLE_EOF_CHECK, &e);
	if (pclose(p) != 0 || !j)
		die("failed: %s", cmd);
	return j;
}

static struct db *connect_db(const char *conninfo, const char *station)
{
	struct db *db = db_new(conninfo, station);
	if (!db_connect(db))
		die("%s", db->err);
	db_set_deadline(db, 0); /* statements over millions of tickets */
	return db;
}

static long long scalar(struct db *db, const char *sql)
{
	PGresult *res = db_exec(db, sql, 0, NULL);
	long long v;
	if (!res)
		die("%s: %s", sql, db->err);
	v = db_int(res, 0, 0);
	PQclear(res);
	return v;
}

/* ---- a gate process on a pipe ---- */

struct gate_proc {
	pid_t pid;
	int in, out;
	char buf[65536];
	size_t len;
	char err_path[300];
};

static void gate_spawn(struct gate_proc *p, const char *conninfo, const char *args)
{
	int in[2], out[2];
	char cmd[2048];

	memset(p, 0, sizeof *p);
	snprintf(p->err_path, sizeof p->err_path, "%s/gate-proc.err", tmpdir);
	snprintf(cmd, sizeof cmd, "exec '%s' -d '%s' --station bench-gate checkin --verdict-ms %d %s 2>'%s'",
		 bench_bin(), conninfo, VERDICT_MS, args, p->err_path);
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
		die("pipe: %s", strerror(errno));
	if ((p->pid = fork()) < 0)
		die("fork: %s", strerror(errno));
	if (p->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	p->in = in[1];
	p->out = out[0];
}

/* Writes one token; its verdict line as JSON (NULL after timeout_ms),
 * *took_ms from the write to the verdict's newline. */
static json_t *gate_send(struct gate_proc *p, const char *token, int timeout_ms, double *took_ms)
{
	double t0 = now_ms();
	char line[4200];
	int len = snprintf(line, sizeof line, "%s\n", token);

	if (write(p->in, line, (size_t)len) != len)
		die("the gate process does not read its input");
	for (;;) {
		char *nl = memchr(p->buf, '\n', p->len);
		struct pollfd pfd = { .fd = p->out, .events = POLLIN };
		int left = (int)(t0 + timeout_ms - now_ms());
		ssize_t got;
		if (nl) {
			json_t *j;
			*took_ms = now_ms() - t0;
			*nl = '\0';
			j = json_loads(p->buf, 0, NULL);
			p->len -= (size_t)(nl + 1 - p->buf);
			memmove(p->buf, nl + 1, p->len);
			return j;
		}
		if (left <= 0 || poll(&pfd, 1, left) <= 0)
			return NULL;
		got = read(p->out, p->buf + p->len, sizeof p->buf - p->len - 1);
		if (got <= 0)
			return NULL;
		p->len += (size_t)got;
	}
}

static void gate_end(struct gate_proc *p)
{
	int st;
	close(p->in);
	close(p->out);
	waitpid(p->pid, &st, 0);
}

/* How many times the gate said it uploaded its journal. */
static int uploads_reported(const struct gate_proc *p)
{
	FILE *f = fopen(p->err_path, "r");
	char line[1024];
	int n = 0;
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		n += strstr(line, "checkin: uploaded ") != NULL;
	fclose(f);
	return n;
}

static bool is_verdict(json_t *v, const char *verdict, bool offline)
{
	const char *got = json_string_value(json_object_get(v, "verdict"));
	return got && strcmp(got, verdict) == 0 &&
	       json_is_true(json_object_get(v, "offline")) == offline;
}

static void print_dist(const char *label, const char *figure, double *v, int n)
{
	double p50 = percentile(v, n, 50), p99 = percentile(v, n, 99), max = v[n - 1];
	char name[96];
	printf("%-36s n=%3d  p50 %7.1f ms  p99 %7.1f ms  max %7.1f ms\n", label, n, p50, p99, max);
	snprintf(name, sizeof name, "gate_verdict_%s_p50", figure);
	bench_figure(name, p50, "ms");
	snprintf(name, sizeof name, "gate_verdict_%s_p99", figure);
	bench_figure(name, p99, "ms");
	snprintf(name, sizeof name, "gate_verdict_%s_max", figure);
	bench_figure(name, max, "ms");
}

static void bench_frozen_link(void)
{
	struct db *db = connect_db(NULL, "bench-gate");
	char (*tokens)[512] = calloc(SCANS, sizeof *tokens), args[128];
	double online[ONLINE_SCANS], frozen[ROUNDS * PER_ROUND], held[ROUNDS * PER_ROUND];
	double first_frozen[ROUNDS], first_held[ROUNDS], took;
	int used = 0, wrong = 0, uploads = 0, nf = 0, nh = 0;
	long long ev, order;
	json_t *doc, *t, *v;
	size_t i;
	struct proxy *px;
	struct gate_proc g;
	char ids[SCANS * 24] = "";

	doc = cli_json("'%s' event add --name 'Bench gate %d' --date 2099-06-01", bench_bin(), (int)getpid());
	ev = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	json_decref(cli_json("'%s' type add --event %lld --name Door --capacity %d --price 1000", bench_bin(), ev, SCANS));
	doc = cli_json("'%s' sell --event %lld --type Door --qty %d --payment card", bench_bin(), ev, SCANS);
	order = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	doc = cli_json("'%s' ticket list --order %lld --json", bench_bin(), order);
	json_array_foreach(doc, i, t)
		if (i < SCANS)
			snprintf(tokens[i], 512, "%s", json_string_value(json_object_get(t, "token")));
	if (json_array_size(doc) < SCANS)
		die("only %zu tickets sold", json_array_size(doc));
	json_decref(doc);

	if (!(px = proxy_start(NULL)))
		die("cannot start the proxy");
	snprintf(args, sizeof args, "--gate frozen --event %lld", ev);
	gate_spawn(&g, proxy_conninfo(px), args);

	/* Online: the figures to compare with. */
	for (int k = 0; k < ONLINE_SCANS; k++) {
		if (!(v = gate_send(&g, tokens[used++], 30000, &online[k])))
			die("no verdict online");
		wrong += !is_verdict(v, "admit", false);
		json_decref(v);
	}

	for (int phase = 0; phase < 2; phase++) {
		for (int r = 0; r < ROUNDS; r++) {
			double deadline;
			/* the gate is online and idle: a probe scan answered online */
			if (!(v = gate_send(&g, tokens[used++], 30000, &took)))
				die("no verdict for the probe");
			if (!is_verdict(v, "admit", false))
				die("the gate is not back online after round %d: %s", r,
				    json_string_value(json_object_get(v, "reason")));
			json_decref(v);
			if (phase == 0)
				proxy_freeze(px);
			else
				proxy_hold_answers(px);
			for (int k = 0; k < PER_ROUND; k++) {
				if (!(v = gate_send(&g, tokens[used++], VERDICT_MS + 30000, &took)))
					die("no verdict within %d ms with the link %s", VERDICT_MS + 30000,
					    phase ? "held" : "frozen");
				wrong += !is_verdict(v, "admit", true);
				json_decref(v);
				if (phase == 0)
					frozen[nf++] = took;
				else
					held[nh++] = took;
				if (k == 0)
					(phase ? first_held : first_frozen)[r] = took;
			}
			proxy_thaw(px);
			/* back by itself: its journal uploaded, then its cache refreshed */
			uploads++;
			deadline = now_ms() + 60000;
			while (uploads_reported(&g) < uploads && now_ms() < deadline)
				usleep(20000);
			if (uploads_reported(&g) < uploads)
				die("the gate did not upload its journal within 60 s of the thaw (round %d)", r);
		}
	}
	gate_end(&g);
	proxy_stop(px);

	print_dist("online", "online", online, ONLINE_SCANS);
	print_dist("frozen link", "frozen", frozen, nf);
	print_dist("answers held (server commits)", "held", held, nh);
	printf("first scan of each frozen round: ");
	for (int r = 0; r < ROUNDS; r++)
		printf("%.0f ", first_frozen[r]);
	printf("ms\nfirst scan of each held round:   ");
	for (int r = 0; r < ROUNDS; r++)
		printf("%.0f ", first_held[r]);
	printf("ms (deadline %d ms; target p99 < %d ms)\n", VERDICT_MS, VERDICT_MS + 50);
	bench_figure("gate_wrong_verdicts", wrong, "count");

	/* Every ticket scanned once, whatever way it reached the database. */
	for (int k = 0; k < used; k++) {
		struct ticket_claim c;
		if (token_peek(tokens[k], &c) != TOKEN_VALID)
			die("a token of the bench does not parse");
		snprintf(ids + strlen(ids), 24, "%s%lld", k ? "," : "", (long long)c.ticket_id);
	}
	{
		char sql[sizeof ids + 400];
		long long doubles, missing, conflicts;
		snprintf(sql, sizeof sql,
			 "SELECT coalesce(sum(greatest(n - 1, 0)), 0) FROM (SELECT count(c.ticket_id) AS n "
			 "FROM unnest('{%s}'::bigint[]) t(id) LEFT JOIN checkin c ON c.ticket_id = t.id GROUP BY t.id) s",
			 ids);
		doubles = scalar(db, sql);
		snprintf(sql, sizeof sql,
			 "SELECT count(*) FROM unnest('{%s}'::bigint[]) t(id) "
			 "WHERE NOT EXISTS (SELECT 1 FROM checkin c WHERE c.ticket_id = t.id)", ids);
		missing = scalar(db, sql);
		snprintf(sql, sizeof sql,
			 "SELECT count(*) FROM checkin_conflict WHERE ticket_id = ANY('{%s}'::bigint[])", ids);
		conflicts = scalar(db, sql);
		printf("%d tickets scanned: %lld extra check-in rows, %lld without one, %lld conflicts\n", used,
		       doubles, missing, conflicts);
		bench_figure("gate_double_records", (double)doubles, "count");
		bench_figure("gate_missing_records", (double)missing, "count");
		bench_figure("gate_false_conflicts", (double)conflicts, "count");
	}
	free(tokens);
	db_free(db);
}

/* ---- the cache on the 1 M-order demo ---- */

static void load_demo(void)
{
	struct db *probe = db_new(demo_conninfo, "bench-gate");
	long long have = 0;
	double t0;

	if (db_connect(probe)) {
		PGresult *res = db_exec(probe, "SELECT count(*) FROM ticket_order", 0, NULL);
		have = res ? db_int(res, 0, 0) : 0;
		PQclear(res);
	}
	db_free(probe);
	if (have >= demo_orders) {
		printf("demo: reusing %s (%lld orders)\n", demo_db, have);
		return;
	}
	/* as bench/tui_keys does, so that it can reuse this one */
	sh_run("psql -q -d postgres -c 'DROP DATABASE IF EXISTS %s' -c 'CREATE DATABASE %s' >/dev/null", demo_db, demo_db);
	t0 = now_ms();
	sh_run("'%s' -d %s migrate >/dev/null && '%s' -d %s demo --orders %lld >/dev/null && "
	       "psql -q -d %s -c 'VACUUM ANALYZE' >/dev/null",
	       bench_bin(), demo_conninfo, bench_bin(), demo_conninfo, demo_orders, demo_db);
	printf("demo: %lld orders loaded in %.1f s\n", demo_orders, (now_ms() - t0) / 1000);
}

/* Runs `boxoffice checkin --gate big --refresh-cache` on the demo with the
 * state folder given; wall ms, peak RSS in MB. */
static double refresh_process(const char *state, double *rss_mb)
{
	char cmd[1024], err[300];
	struct rusage ru;
	double t0;
	pid_t pid;
	int st;

	snprintf(err, sizeof err, "%s/refresh.err", tmpdir);
	snprintf(cmd, sizeof cmd,
		 "exec env BOXOFFICE_STATE='%s' '%s' -d %s --station bench-gate checkin --gate big "
		 "--refresh-cache </dev/null >/dev/null 2>'%s'",
		 state, bench_bin(), demo_conninfo, err);
	t0 = now_ms();
	if ((pid = fork()) < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (wait4(pid, &st, 0, &ru) != pid)
		die("wait4: %s", strerror(errno));
	t0 = now_ms() - t0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		sh_run("cat '%s' >&2", err);
		die("the refresh failed (status %d)", st);
	}
	*rss_mb = ru.ru_maxrss / 1024.0;
	return t0;
}

static long long cache_file_bytes(const char *state)
{
	char cmd[600], out[64] = "";
	FILE *p;
	snprintf(cmd, sizeof cmd, "find '%s' -name 'gate-big.cache' -printf '%%s\\n'", state);
	if ((p = popen(cmd, "r")) && fgets(out, sizeof out, p)) {
		pclose(p);
		return atoll(out);
	}
	if (p)
		pclose(p);
	return -1;
}

/* 1,000 real changes the gate decides by, spread over the table: 600
 * reissues, 400 check-ins (each its own transaction, as at a box office).
 * `round` picks other tickets each time. */
static void change_tickets(struct db *db, long long tickets, int round)
{
	char sql[512];
	long long n, m = tickets / 1200 > 4 ? tickets / 1200 : 4;
	double t0 = now_ms();

	snprintf(sql, sizeof sql,
		 "SELECT count(ticket_reissue(id, false, 'bench: lost ticket')) FROM "
		 "(SELECT id FROM ticket WHERE status = 'valid' AND id %% %lld = %lld ORDER BY id LIMIT 600) s",
		 m, 1LL + round);
	n = scalar(db, sql);
	snprintf(sql, sizeof sql,
		 "SELECT count(checkin_scan(t.id, t.event_id, t.issue, 'bench-other-gate', now(), false)) FROM "
		 "(SELECT id, event_id, issue FROM ticket WHERE status = 'valid' AND scans %% 2 = 0 AND id %% %lld = %lld "
		 "ORDER BY id LIMIT 400) t",
		 m, m / 2 + round);
	n += scalar(db, sql);
	printf("changes: %lld tickets changed (reissue, check-in) in %.0f ms\n", n, now_ms() - t0);
	if (n != 1000)
		die("wanted 1000 changed tickets, made %lld", n);
}

/* Tickets changed since `since` whose cached state differs from the
 * database's after a refresh (must be 0). */
static long long stale_entries(struct db *db, struct gate *g, long long since)
{
	char h[24];
	const char *p[1] = { h };
	PGresult *res;
	long long stale = 0;

	snprintf(h, sizeof h, "%lld", since);
	res = db_exec(db,
		      "SELECT k.id, k.issue, k.scans, k.status = 'valid' AND o.status = 'settled' FROM ticket k "
		      "JOIN ticket_order o ON o.id = k.order_id WHERE k.rev >= $1::bigint",
		      1, p);
	if (!res)
		die("%s", db->err);
	for (int i = 0; i < PQntuples(res); i++) {
		long long id = db_int(res, i, 0);
		struct gate_ticket *t = NULL;
		for (size_t lo = 0, hi = g->ntickets; lo < hi;) {
			size_t mid = (lo + hi) / 2;
			if (g->tickets[mid].id == id) {
				t = &g->tickets[mid];
				break;
			}
			if (g->tickets[mid].id < id)
				lo = mid + 1;
			else
				hi = mid;
		}
		stale += !t || t->issue != db_int(res, i, 1) || t->scans != db_int(res, i, 2) ||
			 t->valid != (strcmp(PQgetvalue(res, i, 3), "t") == 0);
	}
	PQclear(res);
	return stale;
}

/* 4. A gate on the whole demo comes back after a frozen link: it uploads
 * its journal and refreshes its cache of millions of tickets. Scans that
 * arrive meanwhile, one every 100 ms for 15 s after the thaw. */
static void bench_reconnect_at_scale(struct db *db)
{
	char (*tokens)[512] = calloc(400, sizeof *tokens), conninfo[256];
	double took[400], t0, worst = 0;
	int n = 0, late = 0, sent = 0, admits = 0;
	PGresult *orders;
	struct proxy *px;
	struct gate_proc g;
	json_t *v;

	orders = db_exec(db, "SELECT id FROM ticket_order WHERE tickets_issued > 0 ORDER BY id DESC LIMIT 200", 0, NULL);
	if (!orders)
		die("%s", db->err);
	for (int i = 0; i < PQntuples(orders) && n < 400; i++) {
		PGresult *res = db_tickets_of_order(db, db_int(orders, i, 0));
		for (int k = 0; res && k < PQntuples(res) && n < 400; k++)
			if (db_ticket_token(db, res, k, tokens[n], 512))
				n++;
		PQclear(res);
	}
	PQclear(orders);
	if (n < 200)
		die("only %d demo tokens", n);
	if (!(px = proxy_start(NULL)))
		die("cannot start the proxy");
	snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%d dbname=%s user=%s", proxy_port(px), demo_db,
		 getenv("PGUSER") ? getenv("PGUSER") : "boxoffice");
	gate_spawn(&g, conninfo, "--gate big");
	if (!(v = gate_send(&g, tokens[sent++], 300000, &t0)))
		die("no first verdict from the gate on the demo");
	printf("gate on the demo: first verdict %.0f ms after start (cache refresh at start)\n", t0);
	json_decref(v);
	proxy_freeze(px);
	if (!(v = gate_send(&g, tokens[sent++], 60000, &t0)))
		die("no verdict with the link frozen");
	json_decref(v);
	proxy_thaw(px);
	t0 = now_ms();
	while (now_ms() - t0 < 15000 && sent < n) {
		double ms;
		if (!(v = gate_send(&g, tokens[sent++], 300000, &ms)))
			die("no verdict after the thaw");
		admits += is_verdict(v, "admit", false) || is_verdict(v, "admit", true);
		json_decref(v);
		took[sent - 3] = ms;
		late += ms > VERDICT_MS + 50;
		if (ms > worst)
			worst = ms;
		usleep(100000);
	}
	gate_end(&g);
	proxy_stop(px);
	printf("after the thaw: %d scans (%d admitted), p50 %.1f ms, max %.0f ms, %d past the deadline + 50 ms\n",
	       sent - 2, admits, percentile(took, sent - 2, 50), worst, late);
	bench_figure("gate_verdict_after_thaw_max", worst, "ms");
	bench_figure("gate_verdict_after_thaw_late", late, "count");
	free(tokens);
}

static void bench_cache(void)
{
	char state[300];
	struct db *db;
	double ms, rss, t0;
	long long tickets, bytes;

	load_demo();
	db = connect_db(demo_conninfo, "bench-gate");
	tickets = scalar(db, "SELECT count(*) FROM ticket");
	snprintf(state, sizeof state, "%s/state-big", tmpdir);

	/* 2. The first load, empty state folder. */
	ms = refresh_process(state, &rss);
	bytes = cache_file_bytes(state);
	printf("first load: %lld tickets in %.2f s, peak RSS %.1f MB, cache file %.1f MB\n", tickets, ms / 1000, rss,
	       bytes / 1048576.0);
	bench_figure("gate_cache_first_load", ms / 1000, "s");
	bench_figure("gate_rss", rss, "MB");
	bench_figure("gate_cache_file", bytes / 1048576.0, "MB");

	/* Nothing changed: the fixed cost of a refresh (read the cache file,
	 * scan the ticket table, write the file again). */
	ms = refresh_process(state, &rss);
	printf("refresh, nothing changed: %.0f ms, peak RSS %.1f MB\n", ms, rss);
	bench_figure("gate_cache_unchanged_refresh", ms, "ms");

	/* 3. 1,000 changes, then the same command. */
	change_tickets(db, tickets, 0);
	ms = refresh_process(state, &rss);
	printf("refresh after 1,000 changes: %.0f ms, peak RSS %.1f MB\n", ms, rss);
	bench_figure("gate_cache_incremental_refresh", ms, "ms");
	bench_figure("gate_incremental_rss", rss, "MB");

	/* The same in-process, in parts: what the time goes to. */
	change_tickets(db, tickets, 1);
	{
		struct db *gdb = connect_db(demo_conninfo, "bench-gate");
		struct gate g;
		double open_ms, refresh_ms, sql_ms;
		long long rows, since, stale;
		char sql[400];
		setenv("BOXOFFICE_STATE", state, 1);
		t0 = now_ms();
		gate_open(&g, gdb, "big", 0);
		open_ms = now_ms() - t0;
		snprintf(sql, sizeof sql,
			 "SELECT count(*) FROM ticket k JOIN ticket_order o ON o.id = k.order_id WHERE k.rev >= %lld",
			 g.horizon);
		t0 = now_ms();
		rows = scalar(db, sql);
		sql_ms = now_ms() - t0;
		since = g.horizon;
		t0 = now_ms();
		if (!gate_refresh_cache(&g))
			die("in-process refresh failed: %s", gdb->err);
		refresh_ms = now_ms() - t0;
		stale = stale_entries(db, &g, since);
		printf("in-process: open (reads the %zu-ticket cache file) %.0f ms; refresh %.0f ms, %s; %lld changed "
		       "rows match its query (alone: %.0f ms), last_refresh_rows says %lld (it counts new tickets only); "
		       "%lld changed tickets stale in the cache after it\n",
		       g.ntickets, open_ms, refresh_ms, g.last_refresh_full ? "full" : "incremental", rows, sql_ms,
		       g.last_refresh_rows, stale);
		bench_figure("gate_cache_open", open_ms, "ms");
		bench_figure("gate_cache_incremental_refresh_inproc", refresh_ms, "ms");
		bench_figure("gate_cache_incremental_rows", (double)rows, "rows");
		bench_figure("gate_cache_stale_after_refresh", (double)stale, "count");
		bench_figure("gate_cache_incremental_query", sql_ms, "ms");
		gate_close(&g);
		db_free(gdb);
	}
	bench_reconnect_at_scale(db);
	db_free(db);
}

int main(void)
{
	char cmd[512];
	const char *env_orders = getenv("BENCH_TUI_ORDERS");

	if (env_orders && *env_orders)
		demo_orders = atoll(env_orders);
	snprintf(demo_db, sizeof demo_db, "bench_tui_%lld", demo_orders);
	snprintf(demo_conninfo, sizeof demo_conninfo, "dbname=%s", demo_db);
	snprintf(tmpdir, sizeof tmpdir, "%s/boxoffice-bench-gate-XXXXXX", getenv("BOXOFFICE_TEST_TMP") ? getenv("BOXOFFICE_TEST_TMP") : "/tmp");
	if (!mkdtemp(tmpdir))
		die("mkdtemp: %s", strerror(errno));
	snprintf(cmd, sizeof cmd, "%s/state", tmpdir);
	setenv("BOXOFFICE_STATE", cmd, 1);
	sh_run("'%s' migrate >/dev/null", bench_bin());

	bench_frozen_link();
	bench_cache();

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", tmpdir);
	return 0;
}

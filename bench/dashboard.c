/* bench/dashboard: the supervisor's dashboard (issue 17) over the demo
 * orders (1 M by default, BENCH_DASH_ORDERS to change; the database is
 * bench/tui_keys' when it has as many, loaded once).
 *  - dashboard.refresh_p99_ms: one refresh, every statement of
 *    db_dashboard_read (the read the screen queues), on the demo's biggest
 *    event, 60 times.
 *  - dashboard.cpu_under_flood_pct: the dashboard open in tmux (80×24) on
 *    that event while 8 connections sell 10,000 seats one at a time as
 *    fast as they can: the station's CPU (user + system, /proc) over the
 *    flood's wall time; dashboard.flood_sales_per_s says whether the
 *    sales slowed. Every sale notifies; the screen coalesces them. */
#include <libpq-fe.h>
#include <pthread.h>
#include <unistd.h>

#include "common.h"
#include "bench_db.h"
#include "src/db/dashboard.h"

#define FLOOD_SEATS 10000
#define FLOOD_CLIENTS 8

static double cpu_seconds(int pid)
{
	char path[64], buf[2048], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	snprintf(path, sizeof path, "/proc/%d/stat", pid);
	if (!(f = fopen(path, "r")))
		return -1;
	if (!fgets(buf, sizeof buf, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	/* after "(comm) ": state is field 3; utime and stime are 14 and 15 */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

struct seller {
	char dbname[64], event[24], type[24];
	long sold;
};

static void *sell(void *arg)
{
	struct seller *s = arg;
	char ci[128];
	const char *p[2] = { s->event, s->type };
	PGconn *c;
	snprintf(ci, sizeof ci, "dbname=%s application_name=bench-flood", s->dbname);
	c = PQconnectdb(ci);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "bench: %s", PQerrorMessage(c));
		return NULL;
	}
	PQclear(PQprepare(c, "sell", "SELECT inventory_sell($1, $2, 1, 'pos', 'card', NULL, NULL, NULL, "
				     "NULL, NULL, 'bench')", 2, NULL));
	for (;;) {
		PGresult *r = PQexecPrepared(c, "sell", 2, p, NULL, NULL, 0);
		bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		PQclear(r);
		if (!ok)
			break; /* sold out */
		s->sold++;
	}
	PQfinish(c);
	return NULL;
}

int main(void)
{
	const char *env_orders = getenv("BENCH_DASH_ORDERS");
	long long orders = env_orders && *env_orders ? atoll(env_orders) : 1000000, have = 0, event;
	struct db *admin = bench_db_connect_to(getenv("PGDATABASE") ? getenv("PGDATABASE") : "postgres", "bench-dash"), *db;
	char name[64], sql[512], sock[64], cmd[1024];
	double times[60], t0;
	int n = 0, pid = 0;

	snprintf(name, sizeof name, "bench_tui_%lld", orders);
	{
		char ci[128];
		struct db *probe;
		snprintf(ci, sizeof ci, "dbname=%s", name);
		probe = db_new(ci, "bench-dash");
		if (db_connect(probe)) {
			PGresult *res = db_exec(probe, "SELECT count(*) FROM ticket_order", 0, NULL);
			have = res ? db_int(res, 0, 0) : 0;
			PQclear(res);
		}
		db_free(probe);
	}
	if (have < orders) {
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", name);
		db_run(admin, sql, 0, NULL);
		snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
		if (!db_run(admin, sql, 0, NULL)) {
			fprintf(stderr, "bench: %s\n", admin->err);
			return 3;
		}
		t0 = now_ms();
		bench_run("%s -d dbname=%s migrate >/dev/null && %s -d dbname=%s demo --orders %lld >/dev/null && "
			  "psql -q -d %s -c 'VACUUM ANALYZE' >/dev/null",
			  bench_bin(), name, bench_bin(), name, orders, name);
		printf("demo: %lld orders loaded in %.1f s\n", orders, (now_ms() - t0) / 1000);
	} else {
		bench_run("%s -d dbname=%s migrate >/dev/null", bench_bin(), name);
	}
	db_free(admin);
	db = bench_db_connect_to(name, "bench-dash");
	event = bench_db_scalar(db, "SELECT event_id FROM ticket_order GROUP BY event_id ORDER BY count(*) DESC LIMIT 1");

	/* the refresh */
	for (int i = 0; i < 60; i++) {
		static struct dashboard_figures f;
		double t = now_ms();
		memset(&f, 0, sizeof f);
		if (!db_dashboard_read(db, event, &f)) {
			fprintf(stderr, "bench: dashboard: %s\n", db->err);
			return 3;
		}
		times[n++] = now_ms() - t;
	}
	{
		double p50 = percentile(times, n, 50), p99 = percentile(times, n, 99);
		printf("dashboard refresh over %lld orders (event %lld): p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", orders,
		       event, p50, p99, times[n - 1]);
		bench_figure("dashboard.refresh_p50_ms", p50, "ms");
		bench_figure("dashboard.refresh_p99_ms", p99, "ms");
	}

	/* the flood, with the dashboard open */
	snprintf(sql, sizeof sql,
		 "INSERT INTO ticket_type (event_id, name, capacity, price_cents) VALUES (%lld, 'Flood %d', %d, 1000) "
		 "RETURNING id",
		 event, (int)getpid(), FLOOD_SEATS);
	{
		long long type = bench_db_scalar(db, sql);
		pthread_t t[FLOOD_CLIENTS];
		struct seller s[FLOOD_CLIENTS];
		double c0, c1, wall;
		long sold = 0;
		FILE *p;

		snprintf(sock, sizeof sock, "bo-bench-dash-%d", (int)getpid());
		snprintf(cmd, sizeof cmd,
			 "tmux -L %s -f /dev/null new-session -d -s bench -x 80 -y 24 "
			 "\"exec env LANG=C.UTF-8 %s -d dbname=%s --station bench-dash --screen dashboard --event %lld\"",
			 sock, bench_bin(), name, event);
		bench_run("%s", cmd);
		snprintf(cmd, sizeof cmd, "tmux -L %s display -p -t bench '#{pane_pid}'", sock);
		if ((p = popen(cmd, "r"))) {
			if (fscanf(p, "%d", &pid) != 1)
				pid = 0;
			pclose(p);
		}
		sleep(3); /* the first read */
		c0 = cpu_seconds(pid);
		t0 = now_ms();
		for (int i = 0; i < FLOOD_CLIENTS; i++) {
			s[i] = (struct seller){ .sold = 0 };
			snprintf(s[i].dbname, sizeof s[i].dbname, "%s", name);
			snprintf(s[i].event, sizeof s[i].event, "%lld", event);
			snprintf(s[i].type, sizeof s[i].type, "%lld", type);
			pthread_create(&t[i], NULL, sell, &s[i]);
		}
		for (int i = 0; i < FLOOD_CLIENTS; i++) {
			pthread_join(t[i], NULL);
			sold += s[i].sold;
		}
		wall = (now_ms() - t0) / 1000;
		c1 = cpu_seconds(pid);
		bench_run("tmux -L %s kill-server", sock);
		if (pid <= 0 || c0 < 0 || c1 < 0) {
			fprintf(stderr, "bench: no dashboard process to measure\n");
			return 3;
		}
		printf("flood: %ld sales in %.1f s (%.0f/s) with the dashboard open; its CPU %.2f s (%.1f%% of one core)\n",
		       sold, wall, sold / wall, c1 - c0, 100 * (c1 - c0) / wall);
		bench_figure("dashboard.cpu_under_flood_pct", 100 * (c1 - c0) / wall, "%");
		bench_figure("dashboard.flood_sales_per_s", sold / wall, "sales/s");
	}
	db_free(db);
	return 0;
}

/* bench/inventory: how fast contended sales go, compared with the hot-row
 * limit of this machine, and how fast a change reaches another station.
 *
 * 1. 16 clients sell one seat at a time from one type until it is sold out;
 *    sales per second and the oversell count. In the same run, on the same
 *    server with the same client count, pgbench updates one single row: the
 *    most any design that serialises on one row can reach. The ratio is ours
 *    over that limit.
 *    While the 16 sell, what they wait on is sampled from pg_stat_activity
 *    every 10 ms (the wait-event profile, README "Contended sales").
 *    The machine's busy CPU time per sale is measured around the 16-client
 *    run (sampler included) and the 2-client run.
 *    The same 16 sellers each on a type of its own (no row in common), with
 *    the sale path's NOTIFY triggers on and, in a second run, off.
 * 2. NOTIFY latency: from COMMIT at one connection to receipt at another,
 *    p50 and p99 over 1,000 changes. */
#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include "common.h"
#include "sales.h"

#define NOTIFY_CHANGES 1000
/* CPU time the whole machine spent busy so far (/proc/stat: user, nice,
 * system, irq, softirq, steal), in ms: around a run, the CPU each sale
 * costs the database, the sellers and everything else together. */
static double machine_busy_ms(void)
{
	FILE *f = fopen("/proc/stat", "r");
	unsigned long long v[8] = { 0 };
	double busy = 0;
	if (f && fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
			&v[6], &v[7]) == 8)
		busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
	if (f)
		fclose(f);
	return busy;
}

/* What the sellers wait on: one sample of every active seller's
 * wait_event every 10 ms, counted by (type, event); CPU when none. */
#define WAIT_KINDS 48
struct wait_profile {
	PGconn *conn;
	volatile bool stop;
	int kinds;
	char name[WAIT_KINDS][80];
	long count[WAIT_KINDS];
	long total;
};

static void *wait_sample(void *arg)
{
	struct wait_profile *w = arg;
	while (!w->stop) {
		PGresult *r = PQexec(w->conn, "SELECT coalesce(wait_event_type || ' ' || wait_event, 'CPU') "
					      "FROM pg_stat_activity WHERE application_name LIKE 'bench-seller-%' "
					      "AND state = 'active'");
		for (int i = 0; PQresultStatus(r) == PGRES_TUPLES_OK && i < PQntuples(r); i++) {
			const char *v = PQgetvalue(r, i, 0);
			int k = 0;
			while (k < w->kinds && strcmp(w->name[k], v) != 0)
				k++;
			if (k == w->kinds && w->kinds < WAIT_KINDS)
				snprintf(w->name[w->kinds++], sizeof w->name[0], "%s", v);
			if (k < w->kinds) {
				w->count[k]++;
				w->total++;
			}
		}
		PQclear(r);
		usleep(10 * 1000);
	}
	return NULL;
}

static void wait_profile_print(const struct wait_profile *w)
{
	bool shown[WAIT_KINDS] = { false };
	printf("wait events of the 16 sellers (%ld samples):\n", w->total);
	for (int n = 0; n < w->kinds; n++) {
		int best = -1;
		for (int k = 0; k < w->kinds; k++)
			if (!shown[k] && (best < 0 || w->count[k] > w->count[best]))
				best = k;
		shown[best] = true;
		if (w->count[best] * 1000 < w->total) /* under 0.1 % */
			break;
		printf("  %-32s %5.1f %%\n", w->name[best], 100.0 * w->count[best] / w->total);
	}
}

/* CLIENTS sellers, each on a type of its own (SEATS / CLIENTS seats): no
 * row in common, so what they still wait on together shows. With notify
 * false the sale path's NOTIFY triggers are off for the run (the bench's
 * own database, as its superuser): PostgreSQL takes one lock for the whole
 * cluster from a NOTIFYing transaction's commit to its end, WAL flush
 * included, so NOTIFYing commits cannot share a flush. */
static void sale_notify_triggers(PGconn *c, bool on)
{
	static const char *const table_trigger[][2] = { { "ticket_type", "ticket_type_announce" },
							 { "ticket_order", "ticket_order_announce" },
							 { "change_log", "change_log_notify" } };
	char sql[128];
	for (size_t i = 0; i < sizeof table_trigger / sizeof table_trigger[0]; i++) {
		snprintf(sql, sizeof sql, "ALTER TABLE %s %s TRIGGER %s", table_trigger[i][0], on ? "ENABLE" : "DISABLE",
			 table_trigger[i][1]);
		scalar(c, sql, 0, NULL);
	}
}

static double sales_own_types(PGconn *c, bool notify, long long *oversell, long *errors)
{
	const char *ev = notify ? "Bench own types" : "Bench own types, no NOTIFY";
	const char *p[1] = { ev };
	long long types[CLIENTS], event;
	struct sell_out_run run;

	for (int i = 0; i < CLIENTS; i++)
		types[i] = make_type(c, ev, SEATS / CLIENTS);
	event = scalar(c, "SELECT id FROM event WHERE name = $1", 1, p);
	if (!notify)
		sale_notify_triggers(c, false);
	run = sell_out_types(CLIENTS, event, types);
	if (!notify)
		sale_notify_triggers(c, true);
	*errors = run.errors;
	*oversell = 0;
	for (int i = 0; i < CLIENTS; i++)
		*oversell += oversold(c, types[i], SEATS / CLIENTS, 0);
	printf("%d sellers, a type each%s: sold %ld of %d seats in %.0f ms\n", CLIENTS,
	       notify ? "" : ", NOTIFY triggers off", run.sold, SEATS / CLIENTS * CLIENTS, run.ms);
	return run.sold / (run.ms / 1000.0);
}

/* Receipt times by type version, filled by the listener thread. */
struct listener {
	PGconn *conn;
	long long type, first_version;
	double *received; /* NOTIFY_CHANGES entries, 0 until received */
	volatile bool stop;
	pthread_barrier_t *ready;
};

static void *listen_run(void *arg)
{
	struct listener *l = arg;
	char needle[64];

	PQclear(PQexec(l->conn, "LISTEN boxoffice_inventory"));
	snprintf(needle, sizeof needle, "\"type\" : %lld,", l->type);
	pthread_barrier_wait(l->ready);
	while (!l->stop) {
		struct pollfd pfd = { .fd = PQsocket(l->conn), .events = POLLIN };
		PGnotify *n;
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		PQconsumeInput(l->conn);
		while ((n = PQnotifies(l->conn))) {
			double t = now_ms();
			const char *v = strstr(n->extra, "\"version\" : ");
			if (strstr(n->extra, needle) && v) {
				long long idx = strtoll(v + 12, NULL, 10) - l->first_version;
				if (idx >= 0 && idx < NOTIFY_CHANGES && l->received[idx] == 0)
					l->received[idx] = t;
			}
			PQfreemem(n);
		}
	}
	return NULL;
}

static void notify_latency(PGconn *c, double *p50, double *p99, int *lost)
{
	long long type = make_type(c, "Bench notify latency", NOTIFY_CHANGES * 2);
	double *committed = calloc(NOTIFY_CHANGES, sizeof(double));
	double *received = calloc(NOTIFY_CHANGES, sizeof(double));
	double *lat = calloc(NOTIFY_CHANGES, sizeof(double));
	struct listener l = { .conn = connect_as("bench-listener"), .type = type, .received = received };
	pthread_barrier_t ready;
	pthread_t thread;
	char ev[24], ty[24];
	const char *p[2] = { ev, ty };
	PGconn *w = connect_as("bench-writer");
	int n = 0;

	snprintf(ty, sizeof ty, "%lld", type);
	snprintf(ev, sizeof ev, "%lld", scalar(c, "SELECT event_id FROM ticket_type WHERE id = $1", 1, (const char *[]){ ty }));
	/* The k-th sale makes version first_version + k. */
	l.first_version = scalar(c, "SELECT version + 1 FROM ticket_type WHERE id = $1", 1, (const char *[]){ ty });
	pthread_barrier_init(&ready, NULL, 2);
	l.ready = &ready;
	pthread_create(&thread, NULL, listen_run, &l);
	pthread_barrier_wait(&ready);
	PQclear(PQprepare(w, "sell", "SELECT inventory_sell($1, $2, 1, 'pos', 'card', NULL, NULL, NULL, "
				     "NULL, NULL, 'bench')", 2, NULL));
	for (int i = 0; i < NOTIFY_CHANGES; i++) {
		PQclear(PQexec(w, "BEGIN"));
		PQclear(PQexecPrepared(w, "sell", 2, p, NULL, NULL, 0));
		committed[i] = now_ms();
		PQclear(PQexec(w, "COMMIT"));
	}
	usleep(300 * 1000);
	l.stop = true;
	pthread_join(thread, NULL);
	*lost = 0;
	for (int i = 0; i < NOTIFY_CHANGES; i++) {
		if (received[i] > 0)
			lat[n++] = received[i] - committed[i];
		else
			(*lost)++;
	}
	*p50 = percentile(lat, n, 50);
	*p99 = percentile(lat, n, 99);
	printf("notify latency: %d changes, %d received, p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
	       NOTIFY_CHANGES, n, *p50, *p99, n ? lat[n - 1] : 0);
	PQfinish(l.conn);
	PQfinish(w);
	free(committed);
	free(received);
	free(lat);
	pthread_barrier_destroy(&ready);
}

int main(void)
{
	PGconn *c = connect_as("bench");
	long long oversell;
	long errors;
	double sales, hot, p50, p99, cpu16;
	int lost;
	char cmd[256];

	snprintf(cmd, sizeof cmd, "%s migrate >/dev/null", bench_bin());
	if (system(cmd) != 0) {
		fprintf(stderr, "bench: migrate failed\n");
		return 3;
	}
	{
		PGresult *r = PQexec(c, "SELECT current_setting('fsync'), current_setting('synchronous_commit')");
		printf("server: fsync=%s synchronous_commit=%s, %ld cores\n", PQgetvalue(r, 0, 0),
		       PQgetvalue(r, 0, 1), sysconf(_SC_NPROCESSORS_ONLN));
		PQclear(r);
	}
	{
		static struct wait_profile w;
		pthread_t sampler;
		double busy0;
		w.conn = connect_as("bench-sampler");
		pthread_create(&sampler, NULL, wait_sample, &w);
		busy0 = machine_busy_ms();
		sales = contended_sales(c, CLIENTS, "Bench contended sales", &oversell, &errors);
		cpu16 = (machine_busy_ms() - busy0) / SEATS;
		w.stop = true;
		pthread_join(sampler, NULL);
		PQfinish(w.conn);
		wait_profile_print(&w);
	}
	hot = pgbench_hot_row(c);
	{
		/* For context: as many sellers as this machine has cores. */
		long long over2;
		long err2;
		double busy0 = machine_busy_ms(), two = contended_sales(c, 2, "Bench contended sales, 2 clients", &over2, &err2);
		bench_figure("inventory.contended_sales_2_clients", two, "sales/s");
		/* README "Contended sales": the same sale costs more CPU with 16 sellers */
		bench_figure("inventory.cpu_per_sale_2_clients", (machine_busy_ms() - busy0) / SEATS, "ms");
		bench_figure("inventory.cpu_per_sale_16_clients", cpu16, "ms");
		oversell += over2;
		errors += err2;
	}
	{
		/* The same 16 sellers with no row in common, NOTIFY on and off */
		long long over_n;
		long err_n;
		double own = sales_own_types(c, true, &over_n, &err_n);
		oversell += over_n;
		errors += err_n;
		double quiet = sales_own_types(c, false, &over_n, &err_n);
		oversell += over_n;
		errors += err_n;
		bench_figure("inventory.sales_own_types", own, "sales/s");
		bench_figure("inventory.sales_own_types_without_notify", quiet, "sales/s");
	}
	bench_figure("inventory.contended_sales", sales, "sales/s");
	bench_figure("inventory.oversell", (double)oversell, "seats");
	bench_figure("inventory.unexpected_errors", (double)errors, "count");
	bench_figure("inventory.pgbench_hot_row", hot, "tps");
	bench_figure("inventory.sell_vs_hot_row", hot > 0 ? sales / hot : 0, "ratio");
	notify_latency(c, &p50, &p99, &lost);
	bench_figure("inventory.notify_latency_p50", p50, "ms");
	bench_figure("inventory.notify_latency_p99", p99, "ms");
	bench_figure("inventory.notify_lost", lost, "count");
	PQfinish(c);
	return 0;
}

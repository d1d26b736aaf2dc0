/* Contended sales, shared by bench/inventory and bench/serve: CLIENTS
 * connections sell one seat at a time from one type until it is sold out,
 * each calling inventory_sell as the CLI's `boxoffice sell` does. */
#ifndef BOXOFFICE_BENCH_SALES_H
#define BOXOFFICE_BENCH_SALES_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>

#include "common.h"

#define CLIENTS 16
#define SEATS 6000

static inline PGconn *connect_as(const char *app)
{
	const char *k[] = { "application_name", NULL }, *v[] = { app, NULL };
	PGconn *c = PQconnectdbParams(k, v, 1);
	if (PQstatus(c) != CONNECTION_OK) {
		fprintf(stderr, "bench: cannot connect: %s", PQerrorMessage(c));
		exit(3);
	}
	return c;
}

static inline long long scalar(PGconn *c, const char *sql, int n, const char *const *p)
{
	PGresult *r = PQexecParams(c, sql, n, NULL, p, NULL, NULL, 0);
	long long v;
	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "bench: %s: %s", sql, PQerrorMessage(c));
		exit(3);
	}
	v = PQntuples(r) ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
	PQclear(r);
	return v;
}

static inline long long make_type(PGconn *c, const char *event, int seats)
{
	char cap[16];
	const char *p[2] = { event, cap };
	snprintf(cap, sizeof cap, "%d", seats);
	scalar(c, "INSERT INTO event (name, date) VALUES ($1, '2030-01-01') ON CONFLICT DO NOTHING", 1, p);
	/* A new name per run: BENCH_DB times a database again, whose event
	 * already has the last run's (sold out) types. */
	return scalar(c, "INSERT INTO ticket_type (event_id, name, capacity, price_cents) "
			 "SELECT e.id, 'Bench ' || (SELECT count(*) + 1 FROM ticket_type t WHERE t.event_id = e.id), "
			 "$2, 1000 FROM event e WHERE e.name = $1 RETURNING id", 2, p);
}

struct seller {
	int index;
	char event[24], type[24];
	pthread_barrier_t *start;
	long sold, refused_other;
};

static inline void *sell_until_sold_out(void *arg)
{
	struct seller *s = arg;
	char app[32];
	PGconn *c;
	const char *p[2] = { s->event, s->type };

	snprintf(app, sizeof app, "bench-seller-%d", s->index);
	c = connect_as(app);
	PQclear(PQprepare(c, "sell", "SELECT inventory_sell($1, $2, 1, 'pos', 'card', NULL, NULL, NULL, "
				     "NULL, NULL, 'bench')", 2, NULL));
	pthread_barrier_wait(s->start);
	for (;;) {
		PGresult *r = PQexecPrepared(c, "sell", 2, p, NULL, NULL, 0);
		if (PQresultStatus(r) == PGRES_TUPLES_OK) {
			s->sold++;
		} else {
			/* BX020 "sold out (Type)": db/066 names the type after the words */
			const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
			const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
			bool sold_out = msg && state && strcmp(state, "BX020") == 0 &&
					strncmp(msg, "sold out", strlen("sold out")) == 0;
			if (!sold_out) {
				s->refused_other++;
				fprintf(stderr, "seller %d: %s", s->index, PQerrorMessage(c));
			}
			PQclear(r);
			break;
		}
		PQclear(r);
	}
	PQfinish(c);
	return NULL;
}

/* clients sellers (at most CLIENTS) of one existing type, started together,
 * each selling until the type is sold out: seats sold, unexpected errors
 * and the time from the start to the last seller's end. */
struct sell_out_run {
	long sold, errors;
	double ms;
};

/* Seller i sells types[i] (the same type for all: a hot row; a type each:
 * no row in common). */
static inline struct sell_out_run sell_out_types(int clients, long long event, const long long *types)
{
	pthread_t t[CLIENTS];
	struct seller s[CLIENTS];
	pthread_barrier_t start;
	struct sell_out_run run = { 0 };
	double t0;

	pthread_barrier_init(&start, NULL, (unsigned)clients + 1);
	for (int i = 0; i < clients; i++) {
		s[i] = (struct seller){ .index = i, .start = &start };
		snprintf(s[i].type, sizeof s[i].type, "%lld", types[i]);
		snprintf(s[i].event, sizeof s[i].event, "%lld", event);
		pthread_create(&t[i], NULL, sell_until_sold_out, &s[i]);
	}
	pthread_barrier_wait(&start);
	t0 = now_ms();
	for (int i = 0; i < clients; i++) {
		pthread_join(t[i], NULL);
		run.sold += s[i].sold;
		run.errors += s[i].refused_other;
	}
	run.ms = now_ms() - t0;
	pthread_barrier_destroy(&start);
	return run;
}

static inline struct sell_out_run sell_out(int clients, long long event, long long type)
{
	long long types[CLIENTS];
	for (int i = 0; i < clients; i++)
		types[i] = type;
	return sell_out_types(clients, event, types);
}

/* Seats a type counts as sold beyond its capacity, or that the sellers
 * were told they sold (expected) beyond it, whichever is more. */
static inline long long oversold(PGconn *c, long long type, long long capacity, long long expected)
{
	char ty[24];
	const char *p[1] = { ty };
	long long over;
	snprintf(ty, sizeof ty, "%lld", type);
	over = scalar(c, "SELECT sold - capacity FROM ticket_type WHERE id = $1", 1, p);
	if (expected - capacity > over)
		over = expected - capacity;
	return over < 0 ? 0 : over;
}

static inline double contended_sales(PGconn *c, int clients, const char *event, long long *oversell,
				     long *errors)
{
	const char *p[1] = { event };
	long long type = make_type(c, event, SEATS);
	struct sell_out_run run = sell_out(clients, scalar(c, "SELECT id FROM event WHERE name = $1", 1, p), type);

	*errors = run.errors;
	*oversell = oversold(c, type, SEATS, run.sold);
	printf("contended sales: %d clients sold %ld of %d seats in %.0f ms\n", clients, run.sold, SEATS, run.ms);
	return run.sold / (run.ms / 1000.0);
}

/* The most any design that serialises on one row can reach: pgbench
 * updating one single row from CLIENTS connections, on the database in the
 * environment. */
#define PGBENCH_SECONDS 10

static inline double pgbench_hot_row(PGconn *c)
{
	char script[] = "/tmp/boxoffice-bench-XXXXXX";
	char cmd[512], line[512];
	int fd = mkstemp(script);
	FILE *p;
	double tps = 0;

	scalar(c, "CREATE TABLE IF NOT EXISTS bench_hot_row (id integer PRIMARY KEY, n bigint NOT NULL)", 0, NULL);
	scalar(c, "INSERT INTO bench_hot_row VALUES (1, 0) ON CONFLICT DO NOTHING", 0, NULL);
	if (fd < 0 || write(fd, "UPDATE bench_hot_row SET n = n + 1 WHERE id = 1;\n", 50) != 50) {
		fprintf(stderr, "bench: cannot write the pgbench script\n");
		return 0;
	}
	close(fd);
	snprintf(cmd, sizeof cmd, "pgbench -n -c %d -j 2 -T %d -f %s 2>&1", CLIENTS, PGBENCH_SECONDS, script);
	if ((p = popen(cmd, "r"))) {
		while (fgets(line, sizeof line, p)) {
			char *tps_at = strstr(line, "tps = ");
			if (tps_at && strstr(line, "without initial connection time"))
				tps = atof(tps_at + 6);
		}
		pclose(p);
	}
	unlink(script);
	printf("pgbench: %d clients updating one row for %d s: %.0f tps\n", CLIENTS, PGBENCH_SECONDS, tps);
	return tps;
}

#endif

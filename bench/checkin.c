/* bench/checkin: scan-to-verdict for a 640×480 camera frame (zbar decode +
 * signature check + database check-in), p50 and p99, beside the decode
 * alone (the floor) and the offline verdict; check-ins per second with 8
 * gates scanning at once, and the double admits (must be 0); the same 8
 * gates on a check-in list that counts into one area (every admit then
 * takes the area's row lock: the cost of an exact occupancy); and what
 * db/067 costs a first admit: 8 gates with its trigger off, and 8 gates
 * on an organization's tickets (each first admit then also NOTIFYs). */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <unistd.h>

#include "common.h"
#include "src/app/gate.h"
#include "src/app/scan_image.h"
#include "src/core/qr.h"
#include "src/db/db.h"
#include "src/db/entrances.h"
#include "src/db/tickets.h"

/* frames 0..2,000, then four runs of 9,000 plain tickets: 8 gates, 8 gates
 * without db/067's trigger, 8 gates into one area; then ORG_TICKETS */
#define TICKETS 29000
#define ORG_TICKETS 9000
#define FRAMES 1000
#define GATES 8

static char (*tokens)[TOKEN_MAX + 8];
static int ntokens;

static struct db *connect_db(const char *station)
{
	struct db *db = db_new(NULL, station);
	if (!db_connect(db)) {
		fprintf(stderr, "bench: %s\n", db->err);
		exit(3);
	}
	return db;
}

/* A 640×480 grey frame with the token's QR in it, 5 px a module. */
static unsigned char *frame_of(const char *token)
{
	unsigned char *f = malloc(640 * 480);
	struct qr q;
	memset(f, 200, 640 * 480); /* a grey room */
	if (!qr_make(token, &q))
		exit(3);
	for (int y = 0; y < (q.width + 8) * 5; y++)
		for (int x = 0; x < (q.width + 8) * 5; x++)
			f[(100 + y) * 640 + 150 + x] = qr_dark(&q, x / 5 - 4, y / 5 - 4) ? 20 : 245;
	qr_free(&q);
	return f;
}

/* The "id" of what a CLI command printed as JSON (exits on failure). */
static long long cli_id(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	json_error_t err;
	json_t *j = p ? json_loadf(p, JSON_DISABLE_EOF_CHECK, &err) : NULL;
	long long id;

	if (!p || pclose(p) != 0 || !j) {
		fprintf(stderr, "bench: %s: no JSON answer\n", cmd);
		exit(3);
	}
	id = json_integer_value(json_object_get(j, "id"));
	json_decref(j);
	return id;
}

static void take_tokens(struct db *db, long long order)
{
	PGresult *res = db_tickets_of_order(db, order);
	for (int i = 0; i < PQntuples(res); i++)
		if (!db_ticket_token(db, res, i, tokens[ntokens++], TOKEN_MAX + 8))
			exit(3);
	PQclear(res);
}

static long long setup_event(struct db *db)
{
	PGresult *res;
	long long event, type, org, order;
	char cmd[512];

	db_run(db, "INSERT INTO event (name, date) VALUES ('Bench check-in', '2030-06-01') ON CONFLICT DO NOTHING", 0, NULL);
	res = db_exec(db, "SELECT id FROM event WHERE name = 'Bench check-in'", 0, NULL);
	event = db_int(res, 0, 0);
	PQclear(res);
	snprintf(cmd, sizeof cmd, "%s type add --event %lld --name Bench --capacity %d --price 100 >/dev/null",
		 bench_bin(), event, TICKETS + ORG_TICKETS);
	if (system(cmd) != 0)
		exit(3);
	res = db_exec(db, "SELECT id FROM ticket_type WHERE event_id = (SELECT id FROM event WHERE name = 'Bench check-in')", 0, NULL);
	type = db_int(res, 0, 0);
	PQclear(res);
	tokens = calloc(TICKETS + ORG_TICKETS, sizeof *tokens);
	for (int done = 0; done < TICKETS; done += 10000) {
		snprintf(cmd, sizeof cmd, "%s sell --event %lld --type %lld --qty %d --payment free", bench_bin(), event,
			 type, TICKETS - done < 10000 ? TICKETS - done : 10000);
		take_tokens(db, cli_id(cmd));
	}
	/* An organization's order, settled: its tickets are the organization's. */
	snprintf(cmd, sizeof cmd, "%s org add --event %lld --name 'Bench org' --json", bench_bin(), event);
	org = cli_id(cmd);
	snprintf(cmd, sizeof cmd, "%s order add --event %lld --lines %lld:%d --payment free --org %lld",
		 bench_bin(), event, type, ORG_TICKETS, org);
	order = cli_id(cmd);
	snprintf(cmd, sizeof cmd, "%s order settle %lld >/dev/null", bench_bin(), order);
	if (system(cmd) != 0)
		exit(3);
	take_tokens(db, order);
	return event;
}

struct gate_thread {
	int index, from, to;
	long admits;
	pthread_barrier_t *start;
	const char *lists; /* NULL: the whole event */
};

static void *gate_run(void *arg)
{
	struct gate_thread *t = arg;
	char name[32];
	struct db *db;
	struct gate g;

	snprintf(name, sizeof name, "bench-gate-%d", t->index);
	db = connect_db(name);
	gate_open(&g, db, name, 0);
	if (t->lists) {
		char err[300];
		if (!gate_set_lists(&g, t->lists, err, sizeof err)) {
			fprintf(stderr, "bench: %s\n", err);
			exit(3);
		}
	}
	pthread_barrier_wait(t->start);
	for (int i = t->from; i < t->to; i++) {
		struct verdict v;
		gate_scan(&g, tokens[i], &v);
		t->admits += v.admit;
	}
	gate_close(&g);
	db_free(db);
	return NULL;
}

static double run_gates(int from, int to, const char *lists, long *admits)
{
	pthread_t th[GATES];
	struct gate_thread t[GATES];
	pthread_barrier_t start;
	double t0;
	int per = (to - from) / GATES;

	pthread_barrier_init(&start, NULL, GATES + 1);
	for (int i = 0; i < GATES; i++) {
		t[i] = (struct gate_thread){ i, from + i * per, from + (i + 1) * per, 0, &start, lists };
		pthread_create(&th[i], NULL, gate_run, &t[i]);
	}
	pthread_barrier_wait(&start);
	t0 = now_ms();
	*admits = 0;
	for (int i = 0; i < GATES; i++) {
		pthread_join(th[i], NULL);
		*admits += t[i].admits;
	}
	pthread_barrier_destroy(&start);
	return now_ms() - t0;
}

int main(void)
{
	struct db *db = connect_db("bench-checkin");
	double decode[FRAMES], online[FRAMES], offline[FRAMES], ms;
	struct gate g, off;
	long admits;
	long long event;
	struct db *offline_db;
	char var[] = "/tmp/boxoffice-bench-gate-XXXXXX";
	char cmd[256];

	snprintf(cmd, sizeof cmd, "%s migrate >/dev/null", bench_bin());
	if (system(cmd) != 0 || !mkdtemp(var))
		return 3;
	setenv("BOXOFFICE_STATE", var, 1);
	event = setup_event(db);
	printf("check-in: %d tickets ready\n", ntokens);

	gate_open(&g, db, "bench-frame", 0);
	gate_refresh_cache(&g);
	for (int i = 0; i < FRAMES; i++) {
		unsigned char *f = frame_of(tokens[i]);
		char codes[2][SCAN_CODE_MAX];
		struct verdict v;
		double t0 = now_ms();
		int n = scan_frame(f, 640, 480, codes, 2);
		decode[i] = now_ms() - t0;
		if (n != 1) {
			fprintf(stderr, "bench: frame %d not decoded\n", i);
			return 3;
		}
		t0 = now_ms();
		n = scan_frame(f, 640, 480, codes, 2);
		gate_scan(&g, codes[0], &v);
		online[i] = now_ms() - t0;
		if (!v.admit) {
			fprintf(stderr, "bench: frame %d rejected: %s\n", i, v.reason);
			return 3;
		}
		free(f);
	}
	gate_close(&g);
	/* Offline: the same, with no database at all (cache + journal fsync). */
	/* a connection never made: the same database's state (its link),
	 * no database to ask */
	offline_db = db_new(NULL, "bench-frame");
	gate_open(&off, offline_db, "bench-frame", 0);
	for (int i = 0; i < FRAMES; i++) {
		unsigned char *f = frame_of(tokens[FRAMES + i]);
		char codes[2][SCAN_CODE_MAX];
		struct verdict v;
		double t0 = now_ms();
		scan_frame(f, 640, 480, codes, 2);
		gate_scan(&off, codes[0], &v);
		offline[i] = now_ms() - t0;
		if (!v.admit) {
			fprintf(stderr, "bench: offline frame %d rejected: %s\n", i, v.reason);
			return 3;
		}
		free(f);
	}
	gate_close(&off);
	db_free(offline_db);
	printf("decode alone           p50 %6.2f ms  p99 %6.2f ms\n", percentile(decode, FRAMES, 50), percentile(decode, FRAMES, 99));
	printf("scan-to-verdict online p50 %6.2f ms  p99 %6.2f ms\n", percentile(online, FRAMES, 50), percentile(online, FRAMES, 99));
	printf("scan-to-verdict offline p50 %6.2f ms  p99 %6.2f ms\n", percentile(offline, FRAMES, 50), percentile(offline, FRAMES, 99));
	bench_figure("checkin.decode_p50", percentile(decode, FRAMES, 50), "ms");
	bench_figure("checkin.decode_p99", percentile(decode, FRAMES, 99), "ms");
	bench_figure("checkin.scan_to_verdict_p50", percentile(online, FRAMES, 50), "ms");
	bench_figure("checkin.scan_to_verdict_p99", percentile(online, FRAMES, 99), "ms");
	bench_figure("checkin.offline_scan_to_verdict_p50", percentile(offline, FRAMES, 50), "ms");
	bench_figure("checkin.offline_scan_to_verdict_p99", percentile(offline, FRAMES, 99), "ms");

	/* 8 gates, different tickets: throughput. Runs of RUN tickets each. */
	{
		enum { RUN = (TICKETS - 2 * FRAMES) / 3 };
		int from = 2 * FRAMES;
		ms = run_gates(from, from + RUN, NULL, &admits);
		printf("8 gates: %ld check-ins in %.0f ms\n", admits, ms);
		bench_figure("checkin.gates8_checkins", admits / (ms / 1000), "checkins/s");
		from += RUN;
		/* db/067's trigger off (the superuser's bench database): what
		 * its look-up costs every first admit of a ticket that is no
		 * organization's */
		db_run(db, "ALTER TABLE ticket DISABLE TRIGGER ticket_admitted_notify", 0, NULL);
		ms = run_gates(from, from + RUN, NULL, &admits);
		db_run(db, "ALTER TABLE ticket ENABLE TRIGGER ticket_admitted_notify", 0, NULL);
		printf("8 gates, db/067's trigger off: %ld check-ins in %.0f ms\n", admits, ms);
		bench_figure("checkin.gates8_checkins_without_067", admits / (ms / 1000), "checkins/s");
		from += RUN;
		/* The same on a list into one area: every admit locks the area row. */
		long long area, list;
		json_t *spec = json_pack("{ss ss}", "name", "bench-hall", "area", "Bench hall");
		if (!db_area_save(db, 0, event, "Bench hall", TICKETS, &area) || !db_list_save(db, 0, event, spec, &list)) {
			fprintf(stderr, "bench: %s\n", db->err);
			return 3;
		}
		json_decref(spec);
		ms = run_gates(from, from + RUN, "bench-hall", &admits);
		printf("8 gates into one area: %ld check-ins in %.0f ms\n", admits, ms);
		bench_figure("checkin.gates8_area_checkins", admits / (ms / 1000), "checkins/s");
		/* An organization's tickets: each first admit also NOTIFYs
		 * boxoffice_entitlements (db/067), and NOTIFYing transactions
		 * take turns at commit. */
		ms = run_gates(TICKETS, TICKETS + ORG_TICKETS, NULL, &admits);
		printf("8 gates, an organization's tickets: %ld check-ins in %.0f ms\n", admits, ms);
		bench_figure("checkin.gates8_org_checkins", admits / (ms / 1000), "checkins/s");
	}
	/* Every ticket was admitted once, whatever gate saw it. */
	{
		PGresult *res = db_exec(db, "SELECT count(*) - count(DISTINCT ticket_id) FROM checkin WHERE direction = 'in'", 0, NULL);
		long long doubles = res ? db_int(res, 0, 0) : -1;
		PQclear(res);
		bench_figure("checkin.double_admits", (double)doubles, "count");
	}
	snprintf(cmd, sizeof cmd, "rm -rf %s", var);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: could not remove %s\n", var);
	db_free(db);
	return 0;
}

/* bench/tui_keys: how long the terminal loop is busy per key while a clerk
 * types searches into the Ticket Orders screen over the demo orders (1 M
 * by default, BENCH_TUI_ORDERS to change). The TUI logs, per burst of keys
 * read together, the time from reading the first key to being back in
 * poll() (BOXOFFICE_KEYLOG): handling, queued answers, redraw. Keys go in
 * through tmux at a typist's pace, some gaps longer than the debounce so
 * reads start and get superseded mid-word. */
#include <libpq-fe.h>
#include <unistd.h>

#include "common.h"
#include "bench_db.h"

static bool screen_has(const char *sock, const char *text)
{
	char cmd[256], buf[8192];
	size_t n;
	FILE *p;
	snprintf(cmd, sizeof cmd, "tmux -L %s capture-pane -p -t bench", sock);
	if (!(p = popen(cmd, "r")))
		return false;
	n = fread(buf, 1, sizeof buf - 1, p);
	buf[n] = '\0';
	pclose(p);
	return strstr(buf, text) != NULL;
}

static void wait_idle(const char *sock, int timeout_ms)
{
	double end = now_ms() + timeout_ms;
	while (now_ms() < end && (screen_has(sock, "loading") || !screen_has(sock, "ONLINE")))
		usleep(20000);
}

static void key(const char *sock, const char *k, bool literal)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "tmux -L %s send-keys %s -t bench '%s'", sock, literal ? "-l" : "", k);
	if (system(cmd) != 0)
		fprintf(stderr, "bench: send-keys failed\n");
}

int main(void)
{
	static const char *const words[] = { "fjord", "anna", "bank", "olsen", "#12", "invoice", "o'brien", "ab" };
	const char *env_orders = getenv("BENCH_TUI_ORDERS");
	long long orders = env_orders && *env_orders ? atoll(env_orders) : 1000000, have = 0;
	struct db *admin = bench_db_connect_to(getenv("PGDATABASE") ? getenv("PGDATABASE") : "postgres", "bench-tui");
	char sock[64], log[256], cmd[1024], name[64];
	double stalls[20000], t0;
	int n = 0, keys = 0, rounds = 3;
	FILE *f;

	snprintf(name, sizeof name, "bench_tui_%lld", orders);
	/* Reuse a loaded database of the same size: the load takes minutes. */
	{
		struct db *probe = db_new(NULL, "bench-tui");
		char ci[128];
		snprintf(ci, sizeof ci, "dbname=%s", name);
		db_free(probe);
		probe = db_new(ci, "bench-tui");
		if (db_connect(probe)) {
			PGresult *res = db_exec(probe, "SELECT count(*) FROM ticket_order", 0, NULL);
			have = res ? db_int(res, 0, 0) : 0;
			PQclear(res);
		}
		db_free(probe);
	}
	if (have < orders) {
		char sql[160];
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
	}
	db_free(admin);

	snprintf(sock, sizeof sock, "bo-bench-%d", (int)getpid());
	snprintf(log, sizeof log, "/tmp/bo-bench-keylog-%d", (int)getpid());
	unlink(log);
	snprintf(cmd, sizeof cmd,
		 "tmux -L %s -f /dev/null new-session -d -s bench -x 120 -y 40 "
		 "\"env LANG=C.UTF-8 BOXOFFICE_KEYLOG=%s %s -d dbname=%s --station bench-tui --screen orders; sleep 60\"",
		 sock, log, bench_bin(), name);
	bench_run("%s", cmd);
	wait_idle(sock, 20000);
	for (int r = 0; r < rounds; r++)
		for (size_t w = 0; w < sizeof words / sizeof words[0]; w++) {
			key(sock, "/", true);
			for (const char *c = words[w]; *c; c++) {
				char ch[2] = { *c, 0 };
				if (*c == '\'')
					continue; /* quoting through the shell: skip it */
				key(sock, ch, true);
				keys++;
				/* a typist: mostly quick, now and then a pause past the debounce */
				usleep((c - words[w]) % 3 == 2 ? 180000 : 40000);
			}
			wait_idle(sock, 10000);
			/* Down through the list, then the filters reset */
			for (int d = 0; d < 3; d++) {
				key(sock, "Escape", false);
				key(sock, "Down", false);
				keys += 2;
			}
			key(sock, "F4", false);
			keys++;
			wait_idle(sock, 10000);
		}
	usleep(300000);
	bench_run("tmux -L %s kill-server", sock);
	if (!(f = fopen(log, "r"))) {
		fprintf(stderr, "bench: no key log\n");
		return 3;
	}
	{
		double ms;
		int k;
		while (n < 20000 && fscanf(f, "%lf %d", &ms, &k) == 2)
			stalls[n++] = ms;
	}
	fclose(f);
	unlink(log);
	printf("tui: %d keys sent, %d key bursts handled over %lld orders\n", keys, n, orders);
	{
		double max;
		double p50 = percentile(stalls, n, 50), p99 = percentile(stalls, n, 99);
		max = n ? stalls[n - 1] : 0;
		printf("loop busy per key burst: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", p50, p99, max);
		bench_figure("tui_key_stall_p50", p50, "ms");
		bench_figure("tui_key_stall_p99", p99, "ms");
		bench_figure("tui_key_stall_max", max, "ms");
	}
	return 0;
}

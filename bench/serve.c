/* bench/serve: `boxoffice serve` under wrk on loopback (issue #15).
 *
 * 1. POST /tickets/adjust: 64 connections (wrk -c 64 -t 2 -d 10s) sell one
 *    seat at a time of one type; requests per second and p99, beside the
 *    CLI's contended sales of the same run (bench/sales.h: 16 connections
 *    calling inventory_sell until 6,000 seats are sold out, as
 *    bench/inventory does). serve runs with its default pool (twice the
 *    cores, 4 to 16; BOXOFFICE_BENCH_THREADS picks another size,
 *    BOXOFFICE_BENCH_SECONDS another duration).
 * 2. Oversell: the seats the type counts as sold, the order lines in the
 *    database, the 200 answers of the access log and wrk's own 2xx count
 *    must agree; then 64 connections race for the last 300 seats of a
 *    second type, which must sell exactly 300.
 * 3. The sale path at peak: 64 HTTP connections and the 16 CLI sellers
 *    at the same time on one type of 6,000 seats, until it is sold out:
 *    sales per second from the sellers' start to the sell-out, each
 *    side's share, the HTTP p99 (wrk's, which includes the quick "sold
 *    out" answers after the sell-out) and the same oversell accounting.
 * 4. GET /availability?event=E (wrk -c 64 -t 2 -d 10s), served from state
 *    that LISTEN/NOTIFY keeps live, beside the HTTP floor of the same run:
 *    bench/http_floor, a bare libmicrohttpd server with serve's daemon
 *    flags answering the same body. Calls of api_availability are counted
 *    (pg_stat_user_functions, track_functions = 'pl') before and after:
 *    the GET run must cost no query per request. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <libgen.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "sales.h"

#define HTTP_CONNECTIONS 64
#define SELLOUT_SEATS 300
#define SELLOUT_SECONDS 3

struct wrk {
	long long requests, non2xx, socket_errors;
	double seconds, p50_ms, p99_ms, rps;
};

static char serve_log[] = "/tmp/boxoffice-bench-serve-XXXXXX";
static const char *lua_dir = "bench";
static int wrk_seconds = 10; /* BOXOFFICE_BENCH_SECONDS for a quick try */
static int db_threads; /* serve --threads (BOXOFFICE_BENCH_THREADS); 0: serve's default */

/* Runs wrk with a script, echoes its output, reads the script's `wrk:` line. */
static struct wrk run_wrk(int seconds, const char *script, const char *url, const char *env)
{
	char cmd[1024], line[512];
	struct wrk w = { 0 };
	FILE *p;
	long long dur = 0, p50 = 0, p99 = 0;

	snprintf(cmd, sizeof cmd, "%s wrk -c %d -t 2 -d %ds --timeout 10s --latency -s %s/%s '%s' 2>&1", env, HTTP_CONNECTIONS, seconds,
		 lua_dir, script, url);
	printf("$ wrk -c %d -t 2 -d %ds --timeout 10s --latency -s %s/%s %s\n", HTTP_CONNECTIONS, seconds, lua_dir, script, url);
	if (!(p = popen(cmd, "r"))) {
		fprintf(stderr, "bench: cannot run wrk\n");
		exit(3);
	}
	while (fgets(line, sizeof line, p)) {
		fputs("  ", stdout);
		fputs(line, stdout);
		if (strncmp(line, "wrk: ", 5) == 0)
			sscanf(line, "wrk: requests %lld non2xx %lld socket_errors %lld duration_us %lld p50_us %lld p99_us %lld",
			       &w.requests, &w.non2xx, &w.socket_errors, &dur, &p50, &p99);
	}
	if (pclose(p) != 0 || dur <= 0) {
		fprintf(stderr, "bench: wrk failed (is it installed? make bench installs it)\n");
		exit(3);
	}
	w.seconds = dur / 1e6;
	w.p50_ms = p50 / 1e3;
	w.p99_ms = p99 / 1e3;
	w.rps = w.requests / w.seconds;
	fflush(stdout);
	return w;
}

/* Starts a program with stderr to a file; waits for its "listening" line. */
static pid_t start_server(char *const argv[], const char *log, const char *pguser, int *port)
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("bench: fork");
		exit(3);
	}
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(127);
		if (pguser)
			setenv("PGUSER", pguser, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		FILE *f = fopen(log, "r");
		char line[512];
		int st;
		while (f && fgets(line, sizeof line, f)) {
			char *at = strstr(line, "\"listening\":");
			if (at) {
				char *colon = strrchr(line, ':');
				*port = atoi(colon + 1);
				fclose(f);
				return pid;
			}
		}
		if (f)
			fclose(f);
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fprintf(stderr, "bench: %s did not start; see %s\n", argv[0], log);
			exit(3);
		}
		usleep(50 * 1000);
	}
	fprintf(stderr, "bench: %s did not say it listens; see %s\n", argv[0], log);
	kill(pid, SIGTERM);
	exit(3);
}

static int stop_server(pid_t pid)
{
	int st = 0;
	kill(pid, SIGTERM);
	waitpid(pid, &st, 0);
	return st;
}

/* 200 answers to POST /tickets/adjust in serve's access log. */
static long long log_sales(const char *log)
{
	FILE *f = fopen(log, "r");
	char line[1024];
	long long n = 0;

	while (f && fgets(line, sizeof line, f))
		if (strstr(line, "\"method\":\"POST\",\"path\":\"/tickets/adjust\",\"status\":200,"))
			n++;
	if (f)
		fclose(f);
	return n;
}

static long long type_scalar(PGconn *c, const char *sql, long long type)
{
	char ty[24];
	const char *p[1] = { ty };
	snprintf(ty, sizeof ty, "%lld", type);
	return scalar(c, sql, 1, p);
}

static long long sold_of(PGconn *c, long long type)
{
	return type_scalar(c, "SELECT sold FROM ticket_type WHERE id = $1", type);
}

static long long lines_of(PGconn *c, long long type)
{
	return type_scalar(c, "SELECT coalesce(sum(qty), 0) FROM order_line WHERE type_id = $1", type);
}

/* Waits until requests still in flight when wrk stopped have committed. */
static void settle(PGconn *c, long long type)
{
	long long before = -1, now;
	while ((now = sold_of(c, type)) != before) {
		before = now;
		usleep(500 * 1000);
	}
}

static long long availability_calls(PGconn *c)
{
	/* a backend's counters reach the statistics within a second of its
	 * last transaction (PGSTAT_MIN_INTERVAL) */
	usleep(1500 * 1000);
	PQclear(PQexec(c, "SELECT pg_stat_clear_snapshot()"));
	return scalar(c, "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions WHERE funcname = 'api_availability'",
		      0, NULL);
}

static long long add_type(PGconn *c, long long event, const char *name, int capacity)
{
	char ev[24], cap[24];
	const char *p[3] = { ev, name, cap };
	snprintf(ev, sizeof ev, "%lld", event);
	snprintf(cap, sizeof cap, "%d", capacity);
	return scalar(c, "INSERT INTO ticket_type (event_id, name, capacity, price_cents) VALUES ($1, $2, $3, 1000) RETURNING id",
		      3, p);
}

/* wrk in a thread, so the CLI sellers can sell beside it. */
struct wrk_job {
	int seconds;
	const char *script, *url, *env;
	struct wrk result;
};

static void *wrk_thread(void *arg)
{
	struct wrk_job *j = arg;
	j->result = run_wrk(j->seconds, j->script, j->url, j->env);
	return NULL;
}

int main(int argc, char **argv)
{
	PGconn *c = connect_as("bench-serve");
	char cmd[1024], key[200] = "", url[256], env[512], floor_bin[600], body_file[] = "/tmp/boxoffice-bench-body-XXXXXX";
	char floor_log[] = "/tmp/boxoffice-bench-floor-XXXXXX", threads[16];
	const char *serve_user = NULL;
	long long event, type, sellout_type, cli_oversell, oversell = 0, sold, lines, answered, calls0, calls1;
	long cli_errors;
	struct wrk adjust, sellout, avail, floor;
	double cli;
	int port = 0, floor_port = 0, fd, st;
	pid_t serve, floor_pid;
	FILE *p;
	size_t body_len;
	char *body;

	(void)argc;
	if (getenv("BOXOFFICE_BENCH_LUA"))
		lua_dir = getenv("BOXOFFICE_BENCH_LUA");
	if (getenv("BOXOFFICE_BENCH_SECONDS") && atoi(getenv("BOXOFFICE_BENCH_SECONDS")) > 0)
		wrk_seconds = atoi(getenv("BOXOFFICE_BENCH_SECONDS"));
	if (getenv("BOXOFFICE_BENCH_THREADS") && atoi(getenv("BOXOFFICE_BENCH_THREADS")) > 0)
		db_threads = atoi(getenv("BOXOFFICE_BENCH_THREADS"));
	snprintf(cmd, sizeof cmd, "%s migrate >/dev/null", bench_bin());
	if (system(cmd) != 0) {
		fprintf(stderr, "bench: migrate failed\n");
		return 3;
	}
	{
		PGresult *r = PQexec(c, "SELECT current_setting('fsync'), current_setting('synchronous_commit'), version()");
		printf("server: fsync=%s synchronous_commit=%s, %ld cores; %s\n", PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1),
		       sysconf(_SC_NPROCESSORS_ONLN), PQgetvalue(r, 0, 2));
		PQclear(r);
	}
	/* function call counts for every session that starts from now on (serve's) */
	PQclear(PQexec(c, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET track_functions = ''pl''', current_database()); END $$"));
	/* serve logs in as a station would: the supervisor login of with-testdb.sh, if there is one */
	if (scalar(c, "SELECT count(*) FROM pg_roles WHERE rolname = 'tester' AND rolcanlogin", 0, NULL) == 1)
		serve_user = "tester";

	/* an event with three types, as a typical /availability answer has */
	scalar(c, "INSERT INTO event (name, date) VALUES ('Bench serve', '2030-01-01') ON CONFLICT DO NOTHING", 0, NULL);
	event = scalar(c, "SELECT id FROM event WHERE name = 'Bench serve'", 0, NULL);
	type = add_type(c, event, "Bench adult", 10000000);
	add_type(c, event, "Bench child", 500);
	sellout_type = add_type(c, event, "Bench last seats", SELLOUT_SEATS);

	snprintf(cmd, sizeof cmd, "%s apikey add --name 'bench web %lld' --channel web --rate 0 --json", bench_bin(), type);
	if ((p = popen(cmd, "r"))) {
		json_error_t err;
		json_t *doc = json_loadf(p, 0, &err);
		const char *k = json_string_value(json_object_get(doc, "key"));
		snprintf(key, sizeof key, "%s", k ? k : "");
		json_decref(doc);
		pclose(p);
	}
	if (!key[0]) {
		fprintf(stderr, "bench: apikey add gave no key\n");
		return 3;
	}

	if ((fd = mkstemp(serve_log)) < 0)
		return 3;
	close(fd);
	snprintf(threads, sizeof threads, "%d", db_threads);
	{
		char *args[] = { (char *)bench_bin(), "serve", "--listen", "127.0.0.1:0", "--threads", threads, NULL };
		if (!db_threads)
			args[4] = NULL;
		serve = start_server(args, serve_log, serve_user, &port);
	}
	printf("serve: pid %d on 127.0.0.1:%d, --threads %s, as %s, access log %s\n", (int)serve, port,
	       db_threads ? threads : "(the default: twice the cores, 4 to 16)", serve_user ? serve_user : getenv("PGUSER"),
	       serve_log);

	/* 1. sales over HTTP */
	snprintf(url, sizeof url, "http://127.0.0.1:%d/tickets/adjust", port);
	snprintf(env, sizeof env, "BENCH_EVENT=%lld BENCH_TYPE=%lld BENCH_KEY='%s'", event, type, key);
	adjust = run_wrk(wrk_seconds, "serve_sell.lua", url, env);
	settle(c, type);
	sold = sold_of(c, type);
	lines = lines_of(c, type);
	answered = log_sales(serve_log);
	printf("adjust: wrk %lld requests (%lld not 2xx, %lld socket errors) in %.2f s; sold %lld, order lines %lld, "
	       "access log 200s %lld\n",
	       adjust.requests, adjust.non2xx, adjust.socket_errors, adjust.seconds, sold, lines, answered);
	/* sold beyond capacity is impossible (CHECK); count any disagreement as oversell */
	oversell += llabs(sold - lines) + (sold > answered ? sold - answered : 0);
	if (adjust.requests - adjust.non2xx > answered)
		oversell += adjust.requests - adjust.non2xx - answered;

	/* 2. 64 connections race for the last seats */
	snprintf(env, sizeof env, "BENCH_EVENT=%lld BENCH_TYPE=%lld BENCH_KEY='%s'", event, sellout_type, key);
	sellout = run_wrk(SELLOUT_SECONDS, "serve_sell.lua", url, env);
	settle(c, sellout_type);
	{
		long long s2 = sold_of(c, sellout_type), l2 = lines_of(c, sellout_type), a2 = log_sales(serve_log) - answered;
		printf("sell-out: %d seats, wrk %lld requests (%lld 2xx); sold %lld, order lines %lld, access log 200s %lld\n",
		       SELLOUT_SEATS, sellout.requests, sellout.requests - sellout.non2xx, s2, l2, a2);
		oversell += (s2 > SELLOUT_SEATS ? s2 - SELLOUT_SEATS : 0) + llabs(s2 - l2) + llabs(s2 - a2) +
			    (sellout.requests - sellout.non2xx > a2 ? sellout.requests - sellout.non2xx - a2 : 0);
		if (s2 != SELLOUT_SEATS)
			printf("sell-out: %lld of %d seats sold: the type did not sell out\n", s2, SELLOUT_SEATS);
	}

	/* the CLI's contended sales, same run, same server */
	cli = contended_sales(c, CLIENTS, "Bench serve, CLI contended sales", &cli_oversell, &cli_errors);
	oversell += cli_oversell;

	/* 3. at peak: HTTP and CLI sellers on one type at the same time */
	{
		long long peak_type = add_type(c, event, "Bench peak", SEATS), before_log = log_sales(serve_log);
		char peak_env[512];
		/* long enough to outlast the sell-out: the CLI sellers must not sell alone */
		struct wrk_job job = { .seconds = 3 * wrk_seconds, .script = "serve_sell.lua", .url = url, .env = peak_env };
		struct sell_out_run cli_run;
		pthread_t wrk_t;
		long long s3, l3, a3, sold_at_start;

		snprintf(url, sizeof url, "http://127.0.0.1:%d/tickets/adjust", port);
		snprintf(peak_env, sizeof peak_env, "BENCH_EVENT=%lld BENCH_TYPE=%lld BENCH_KEY='%s'", event, peak_type,
			 key);
		pthread_create(&wrk_t, NULL, wrk_thread, &job);
		/* wrk's connections are open and selling before the CLI starts */
		for (int i = 0; i < 500 && sold_of(c, peak_type) == 0; i++)
			usleep(10 * 1000);
		sold_at_start = sold_of(c, peak_type);
		cli_run = sell_out(CLIENTS, event, peak_type);
		pthread_join(wrk_t, NULL);
		settle(c, peak_type);
		s3 = sold_of(c, peak_type);
		l3 = lines_of(c, peak_type);
		a3 = log_sales(serve_log) - before_log;
		printf("peak: %d seats; from the CLI's start to the sell-out (%.0f ms) %lld seats sold: CLI %ld, HTTP %lld; "
		       "in all sold %lld, order lines %lld, access log 200s %lld, wrk 2xx %lld, CLI errors %ld\n",
		       SEATS, cli_run.ms, SEATS - sold_at_start, cli_run.sold, SEATS - sold_at_start - cli_run.sold, s3, l3,
		       a3, job.result.requests - job.result.non2xx, cli_run.errors);
		if (s3 != SEATS)
			printf("peak: %lld of %d seats sold: the type did not sell out within wrk's %d s\n", s3, SEATS,
			       wrk_seconds);
		oversell += oversold(c, peak_type, SEATS, cli_run.sold + a3) + llabs(s3 - l3) +
			    llabs(s3 - (cli_run.sold + a3)) +
			    (job.result.requests - job.result.non2xx > a3 ? job.result.requests - job.result.non2xx - a3 : 0);
		bench_figure("serve.peak_sales_per_s", (SEATS - sold_at_start) / (cli_run.ms / 1000.0), "sales/s");
		bench_figure("serve.peak_cli_share", (double)cli_run.sold / (double)(SEATS - sold_at_start), "ratio");
		bench_figure("serve.peak_http_p99", job.result.p99_ms, "ms");
		bench_figure("serve.peak_cli_errors", (double)cli_run.errors, "count");
	}

	bench_figure("serve.adjust_rps", adjust.requests / adjust.seconds, "requests/s");
	bench_figure("serve.adjust_sales_per_s", (adjust.requests - adjust.non2xx) / adjust.seconds, "sales/s");
	bench_figure("serve.adjust_p50", adjust.p50_ms, "ms");
	bench_figure("serve.adjust_p99", adjust.p99_ms, "ms");
	bench_figure("serve.cli_contended_sales", cli, "sales/s");
	bench_figure("serve.adjust_vs_cli", cli > 0 ? (adjust.requests - adjust.non2xx) / adjust.seconds / cli : 0, "ratio");
	bench_figure("serve.oversell", (double)oversell, "seats");
	bench_figure("serve.adjust_errors", (double)(adjust.non2xx + adjust.socket_errors + cli_errors), "count");

	/* 4. GET /availability against the floor */
	snprintf(url, sizeof url, "http://127.0.0.1:%d/availability?event=%lld", port, event);
	snprintf(cmd, sizeof cmd, "curl -sf '%s'", url);
	body = NULL;
	body_len = 0;
	if ((p = popen(cmd, "r"))) {
		char buf[8192];
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, p)) > 0) {
			char *b = realloc(body, body_len + n + 1);
			if (!b)
				return 3;
			body = b;
			memcpy(body + body_len, buf, n);
			body_len += n;
		}
		pclose(p);
	}
	if (!body_len) {
		fprintf(stderr, "bench: GET %s gave nothing\n", url);
		return 3;
	}
	body[body_len] = '\0';
	printf("availability: %zu bytes: %s\n", body_len, body);
	if ((fd = mkstemp(body_file)) < 0 || write(fd, body, body_len) != (ssize_t)body_len)
		return 3;
	close(fd);

	calls0 = availability_calls(c);
	avail = run_wrk(wrk_seconds, "serve_get.lua", url, "");
	calls1 = availability_calls(c);
	printf("availability: api_availability called %lld times during %lld requests\n", calls1 - calls0, avail.requests);

	snprintf(floor_bin, sizeof floor_bin, "%s/http_floor", dirname(strdup(argv[0])));
	if ((fd = mkstemp(floor_log)) < 0)
		return 3;
	close(fd);
	{
		char *args[] = { floor_bin, "0", body_file, NULL };
		floor_pid = start_server(args, floor_log, NULL, &floor_port);
	}
	snprintf(url, sizeof url, "http://127.0.0.1:%d/availability?event=%lld", floor_port, event);
	floor = run_wrk(wrk_seconds, "serve_get.lua", url, "");
	stop_server(floor_pid);
	st = stop_server(serve);

	bench_figure("serve.availability_rps", avail.rps, "requests/s");
	bench_figure("serve.availability_p99", avail.p99_ms, "ms");
	bench_figure("serve.floor_rps", floor.rps, "requests/s");
	bench_figure("serve.floor_p99", floor.p99_ms, "ms");
	bench_figure("serve.availability_vs_floor", floor.rps > 0 ? avail.rps / floor.rps : 0, "ratio");
	bench_figure("serve.availability_queries_per_request",
		     avail.requests ? (double)(calls1 - calls0) / (double)avail.requests : 0, "queries");
	bench_figure("serve.availability_errors", (double)(avail.non2xx + avail.socket_errors), "count");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		printf("serve: stopped with status %d; see %s\n", st, serve_log);
	else
		unlink(serve_log);
	PQclear(PQexec(c, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I RESET track_functions', current_database()); END $$"));
	unlink(body_file);
	unlink(floor_log);
	free(body);
	PQfinish(c);
	return 0;
}

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "../db/demo.h"
#include "cli.h"
#include "commands.h"

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static bool progress(long long done, long long total, void *ctx)
{
	(void)ctx;
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\rdemo: %lld of %lld orders", done, total);
	return !interrupted;
}

int cmd_demo(struct cli *cli, int argc, char **argv)
{
	const char *orders_s = NULL, *seed_s = NULL;
	bool if_empty = false, empty;
	const struct cli_opt opts[] = {
		{ "orders", &orders_s, NULL },
		{ "seed", &seed_s, NULL },
		{ "if-empty", NULL, &if_empty },
		{ NULL, NULL, NULL },
	};
	long long orders = 200, seed = 1;
	struct demo_stats st;
	int rc = cli_parse("demo", argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if ((orders_s && !cli_int("demo", "orders", orders_s, 0, 100000000, &orders, &rc)) ||
	    (seed_s && !cli_int("demo", "seed", seed_s, 0, INT64_MAX, &seed, &rc)))
		return rc;
	cli->admin = true; /* writes tables directly: the owner's work */
	if (!cli_db(cli))
		return EXIT_FAILED;
	db_set_deadline(cli->db, 0); /* a long load, not a dead link */
	if (if_empty) {
		if (!db_is_empty(cli->db, &empty))
			return cli_db_fail(cli, "demo");
		if (!empty) {
			puts("{\"loaded\":false}");
			return EXIT_DONE;
		}
	}
	signal(SIGINT, on_interrupt);
	signal(SIGTERM, on_interrupt);
	if (!db_demo_load(cli->db, orders, (uint64_t)seed, &st, progress, NULL)) {
		if (isatty(STDERR_FILENO))
			fputc('\n', stderr);
		return cli_db_fail(cli, "demo");
	}
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
	cli_print_json(json_pack("{sb sI sI sI sI sI sI sI}", "loaded", 1,
				 "events", (json_int_t)st.events, "types", (json_int_t)st.types,
				 "organizations", (json_int_t)st.organizations,
				 "persons", (json_int_t)st.persons, "orders", (json_int_t)st.orders,
				 "lines", (json_int_t)st.lines, "tickets", (json_int_t)st.tickets));
	return EXIT_DONE;
}

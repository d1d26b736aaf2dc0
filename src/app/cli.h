/* Command-line interface: one table of commands (as tmux's cmd_table), one
 * file per command family, shared option parsing and error reporting. The
 * names, JSON and exit codes follow CONTRACT.md. */
#ifndef BOXOFFICE_APP_CLI_H
#define BOXOFFICE_APP_CLI_H

#include <stdbool.h>

struct db;

enum exit_code {
	EXIT_DONE = 0,
	EXIT_REFUSED = 1,
	EXIT_USAGE = 2,
	EXIT_FAILED = 3,
	EXIT_FORBIDDEN = 4, /* the login's role may not do it */
};

struct cli {
	const char *conninfo;
	const char *station;
	struct db *db;
	bool any_schema; /* migrate: the database may be behind this program */
	bool admin;      /* migrate, demo: the embedded cluster's owner login */
};

struct command {
	const char *name;
	const char *sub; /* NULL: the command takes no subcommand word */
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *usage;
	const char *summary;
};

extern const struct command commands[];

/* The options before the command (main's): -d/--db, --station, --screen,
 * --event, --state-dir, --camera, --list take a value; --help/-h and
 * --version stop there. *next: argv's index of the command (argc: none).
 * EXIT_DONE, or EXIT_USAGE after printing the error line. */
struct cli_globals {
	const char *conninfo, *station, *screen, *event, *state_dir, *camera, *list;
	bool help, version;
};
int cli_parse_globals(int argc, char **argv, struct cli_globals *g, int *next);
/* The command argv[0] [argv[1]] names; EXIT_USAGE after printing why. */
int cli_find_command(int argc, char **argv, const struct command **found);
/* --help or -h among argv[1..]: the command's usage is printed instead. */
bool cli_asks_help(int argc, char **argv);
/* Finds and runs argv[0] [argv[1]]; prints usage errors itself. */
int cli_dispatch(struct cli *cli, int argc, char **argv);
void cli_print_help(void);

/* One option of a command: --name VALUE (or --name=VALUE), or a --flag. */
struct cli_opt {
	const char *name;
	const char **value; /* set for options that take a value */
	bool *flag;         /* set for flags */
};

/* Parses argv[1..] (argv[0] is the command); positional words go to pos.
 * Returns EXIT_DONE, or EXIT_USAGE after printing the error line. */
int cli_parse(const char *what, int argc, char **argv, const struct cli_opt *opts,
	      const char **pos, int max_pos, int *npos);

/* "boxoffice: <what>: <why>" on stderr; returns code. */
int cli_fail(int code, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Reports the data layer's last error, with the matching exit code. */
int cli_db_fail(struct cli *cli, const char *what);
/* Connects on first use; NULL after reporting the failure. */
struct db *cli_db(struct cli *cli);
/* A required option was not given. */
int cli_missing(const char *what, const char *option);
/* Parses a whole number option in a range, reporting a usage error. */
bool cli_int(const char *what, const char *option, const char *text, long long min,
	     long long max, long long *out, int *rc);

#endif

#include <jansson.h>
/* Prints one compact JSON document and a newline on stdout; frees it. */
void cli_print_json(json_t *doc);
/* Prints text left-aligned in width columns of a table on stdout: padded,
 * or cut between characters (never inside a UTF-8 character), as printf's
 * "%-*.*s" would for ASCII. NULL prints as "". */
void cli_cell(const char *text, int width);
/* The same for a column whose text is never cut (a booth, said whole):
 * padded to width columns, a longer text runs over as printf's "%-*s"
 * would; the padding counts columns, not bytes ("Hall Ä" is 6). */
void cli_pad(const char *text, int width);

/* The one positional ID a command takes ("order settle 42"): reports a
 * usage error when it is missing or not a positive whole number. */
bool cli_id(const char *what, int npos, const char **pos, const char *noun, long long *id, int *rc);

/* Resolves --event and --type (ID or unique name); type may be NULL.
 * Returns EXIT_DONE or the exit code after reporting. */
int cli_event_type(struct cli *cli, const char *what, const char *event, const char *type,
		   long long *event_id, long long *type_id);
/* Checks a channel or payment name; reports a usage error. */
bool cli_channel(const char *what, const char *text, int *rc);
bool cli_payment(const char *what, const char *text, int *rc);
/* Checks optional free text (company, contact, reason...); reports. */
bool cli_text(const char *what, const char *option, const char *text, int max_chars, int *rc);
/* Like cli_text, but a flag that is given must not be empty ("--key ''"). */
bool cli_value(const char *what, const char *option, const char *text, int max_chars, int *rc);
/* "boxoffice: order 42: no such order" (names quoted); returns EXIT_REFUSED:
 * a well-formed request for something that does not exist is exit 1. */
int cli_not_found(const char *noun, const char *ref);
/* A show command's rows (a JSON array; taken when handled): with --name
 * and no row, "no such NOUN" (exit 1); with --json, the one object (with
 * --name) or the array. True when that answered (*rc the exit code);
 * false: the caller prints its table and frees rows. */
bool cli_show_rows(json_t *rows, const char *noun, const char *name, bool json, int *rc);
/* After a failed db_*_resolve(): not found, or the database's error. */
int cli_resolve_fail(struct cli *cli, const char *what, const char *noun, const char *ref);
/* Connects and checks that the order/hold/ticket/event ID exists;
 * EXIT_DONE, or the exit code after reporting. */
int cli_require(struct cli *cli, const char *what, const char *noun, long long id);

#include "cli.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <locale.h>
#include <stdio.h>
#include <wchar.h>
#include <stdlib.h>
#include <string.h>

#include "../core/util.h"
#include "../core/order.h"
#include "../core/validate.h"
#include "../db/catalog.h"
#include "../db/db.h"
#include "../db/migrate.h"
#include "../db/users.h"

int cli_fail(int code, const char *what, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "boxoffice: %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int cli_db_fail(struct cli *cli, const char *what)
{
	static const int codes[] = {
		[DB_OK] = EXIT_FAILED, /* an error without a status is internal */
		[DB_REFUSED] = EXIT_REFUSED,
		[DB_BADINPUT] = EXIT_USAGE,
		[DB_FAILED] = EXIT_FAILED,
		[DB_FORBIDDEN] = EXIT_FORBIDDEN,
	};
	struct db *db = cli->db;

	if (db->status == DB_FORBIDDEN) {
		char needed[128];
		if (db_privilege_needed(db, needed, sizeof needed))
			return cli_fail(EXIT_FORBIDDEN, what, "%s", needed);
	}
	return cli_fail(codes[db->status], what, "%s", db->err[0] ? db->err : "unknown error");
}

struct db *cli_db(struct cli *cli)
{
	if (cli->db && cli->db->state == DB_READY)
		return cli->db;
	if (!cli->db) {
		cli->db = db_new(cli->conninfo, cli->station);
		if (cli->admin)
			db_use_admin_login(cli->db);
		/* A one-shot command's deadline is for the whole command, from
		 * here: a silent link ends it by then, however many calls it
		 * makes (no limit where a command sets none: migrate, demo,
		 * exports). The long-running ones (serve, the screens, checkin)
		 * make their own connections without one. */
		db_set_budget(cli->db, cli->db->deadline_ms);
	}
	if (!db_connect(cli->db)) {
		cli_fail(EXIT_FAILED, "database unreachable", "%s", cli->db->err);
		return NULL;
	}
	if (!cli->any_schema) {
		/* a database behind this program fails in odd places: say why */
		char behind[160];
		int have = migrate_current_version(cli->db);
		if (have < 0) {
			cli_fail(EXIT_FAILED, "database", "%s", cli->db->err);
			return NULL;
		}
		migrate_behind_text(have, behind, sizeof behind);
		if (behind[0]) {
			cli_fail(EXIT_FAILED, "database", "%s", behind);
			return NULL;
		}
	}
	return cli->db;
}

int cli_missing(const char *what, const char *option)
{
	return cli_fail(EXIT_USAGE, what, "--%s is required", option);
}

bool cli_int(const char *what, const char *option, const char *text, long long min,
	     long long max, long long *out, int *rc)
{
	const char *why = parse_int_range(text, min, max, out);
	if (!why)
		return true;
	*rc = cli_fail(EXIT_USAGE, what, "--%s %s (%lld to %lld)", option, why, min, max);
	return false;
}

static const struct cli_opt *find_opt(const struct cli_opt *opts, const char *name, size_t len)
{
	for (; opts && opts->name; opts++)
		if (strlen(opts->name) == len && strncmp(opts->name, name, len) == 0)
			return opts;
	return NULL;
}

int cli_parse(const char *what, int argc, char **argv, const struct cli_opt *opts,
	      const char **pos, int max_pos, int *npos)
{
	int n = 0;
	bool options_done = false;

	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (!options_done && strcmp(arg, "--") == 0) {
			options_done = true;
		} else if (!options_done && strncmp(arg, "--", 2) == 0) {
			const char *name = arg + 2;
			const char *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const struct cli_opt *o = find_opt(opts, name, len);
			if (!o)
				return cli_fail(EXIT_USAGE, what, "unknown option --%.*s", (int)len, name);
			if (o->flag) {
				if (eq)
					return cli_fail(EXIT_USAGE, what, "--%s takes no value", o->name);
				*o->flag = true;
			} else if (eq) {
				*o->value = eq + 1;
			} else if (i + 1 < argc) {
				*o->value = argv[++i];
			} else {
				return cli_fail(EXIT_USAGE, what, "--%s needs a value", o->name);
			}
		} else if (!options_done && arg[0] == '-' && arg[1] != '\0' &&
			   !(arg[1] >= '0' && arg[1] <= '9')) {
			return cli_fail(EXIT_USAGE, what, "unknown option %s", arg);
		} else {
			if (n >= max_pos)
				return cli_fail(EXIT_USAGE, what, "unexpected argument '%s'", arg);
			pos[n++] = arg;
		}
	}
	if (npos)
		*npos = n;
	return EXIT_DONE;
}

int cli_parse_globals(int argc, char **argv, struct cli_globals *g, int *next)
{
	int i;

	memset(g, 0, sizeof *g);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		const char **target = NULL;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			g->help = true;
			break;
		} else if (strcmp(a, "--version") == 0) {
			g->version = true;
			break;
		} else if (strcmp(a, "-d") == 0 || strcmp(a, "--db") == 0) {
			target = &g->conninfo;
		} else if (strcmp(a, "--station") == 0) {
			target = &g->station;
		} else if (strcmp(a, "--screen") == 0) {
			target = &g->screen;
		} else if (strcmp(a, "--event") == 0) {
			target = &g->event;
		} else if (strcmp(a, "--state-dir") == 0) {
			target = &g->state_dir;
		} else if (strcmp(a, "--camera") == 0) {
			target = &g->camera;
		} else if (strcmp(a, "--list") == 0) {
			target = &g->list;
		} else {
			return cli_fail(EXIT_USAGE, a, "unknown option (see boxoffice --help)");
		}
		if (i + 1 >= argc)
			return cli_fail(EXIT_USAGE, a, "needs a value");
		*target = argv[++i];
	}
	*next = i;
	return EXIT_DONE;
}

void cli_print_help(void)
{
	printf("usage: boxoffice [-d CONNINFO] [--station NAME] [COMMAND ...]\n"
	       "       boxoffice [--screen NAME] [--event E] [--camera SOURCE]\n"
	       "       [--list L[,L...]]   (opens the terminal screens)\n\n"
	       "Options:\n"
	       "  -d CONNINFO      libpq conninfo or URI (default: PG* environment, else var/pg)\n"
	       "  --station NAME   this station's name (default: host name)\n"
	       "  --state-dir DIR  gate caches and offline journals, per database\n"
	       "                   (default: $BOXOFFICE_STATE, else $XDG_STATE_HOME/boxoffice,\n"
	       "                   else ~/.local/state/boxoffice)\n"
	       "  --camera SOURCE  the check-in camera: /dev/videoN, a .y4m file, a FIFO or\n"
	       "                   cmd:COMMAND printing YUV4MPEG2 (also $BOXOFFICE_CAMERA)\n"
	       "  --list L[,L...]  the check-in lists the check-in screen's gate admits on\n"
	       "                   (also $BOXOFFICE_LIST; default: the whole event; F6 there)\n"
	       "  --help, --version\n\n"
	       "Commands:\n");
	for (const struct command *c = commands; c->name; c++) {
		char name[48];
		snprintf(name, sizeof name, "%s%s%s", c->name, c->sub ? " " : "",
			 c->sub ? c->sub : "");
		/* a long name gets its own line rather than running into its text */
		if (strlen(name) > 18)
			printf("  %s\n  %-18s %s\n", name, "", c->summary);
		else
			printf("  %-18s %s\n", name, c->summary);
	}
	printf("\nExit codes: 0 done, 1 refused by a business rule or no such ID or name,\n"
	       "2 usage error, 3 database unreachable or internal error,\n"
	       "4 the login's role may not do it.\n");
}

int cli_find_command(int argc, char **argv, const struct command **found)
{
	const struct command *match = NULL;
	bool name_known = false;

	*found = NULL;

	for (const struct command *c = commands; c->name; c++) {
		if (strcmp(c->name, argv[0]) != 0)
			continue;
		name_known = true;
		if (!c->sub) {
			match = c;
		} else if (argc > 1 && strcmp(c->sub, argv[1]) == 0) {
			match = c;
			break;
		}
	}
	if (!name_known)
		return cli_fail(EXIT_USAGE, argv[0], "unknown command (see boxoffice --help)");
	if (!match) {
		char subs[128] = "";
		for (const struct command *c = commands; c->name; c++)
			if (strcmp(c->name, argv[0]) == 0 && c->sub)
				snprintf(subs + strlen(subs), sizeof subs - strlen(subs), "%s%s",
					 subs[0] ? ", " : "", c->sub);
		return cli_fail(EXIT_USAGE, argv[0], "%s subcommand (one of: %s)",
				argc > 1 ? "unknown" : "missing", subs);
	}
	*found = match;
	return EXIT_DONE;
}

bool cli_asks_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	return false;
}

int cli_dispatch(struct cli *cli, int argc, char **argv)
{
	const struct command *match;
	int rc;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		/* `boxoffice channel --help`: every usage of the family, its
		 * plain form too where it has one (`checkin` and `checkin undo`) */
		bool family = false, printed = false;
		for (const struct command *c = commands; c->name; c++)
			family = family || (strcmp(c->name, argv[0]) == 0 && c->sub);
		for (const struct command *c = commands; family && c->name; c++)
			if (strcmp(c->name, argv[0]) == 0) {
				printf("%s boxoffice %s\n       %s\n", printed ? "      " : "usage:", c->usage, c->summary);
				printed = true;
			}
		if (family)
			return EXIT_DONE;
	}
	rc = cli_find_command(argc, argv, &match);
	if (rc)
		return rc;
	if (cli_asks_help(argc, argv)) {
		printf("usage: boxoffice %s\n%s\n", match->usage, match->summary);
		return EXIT_DONE;
	}
	if (match->sub)
		return match->run(cli, argc - 1, argv + 1);
	return match->run(cli, argc, argv);
}

void cli_print_json(json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (text) {
		puts(text);
		free(text);
	}
	json_decref(doc);
}

int cli_event_type(struct cli *cli, const char *what, const char *event, const char *type,
		   long long *event_id, long long *type_id)
{
	int rc;
	if (!event)
		return cli_missing(what, "event");
	if (type_id && !type)
		return cli_missing(what, "type");
	if (!cli_value(what, "event", event, 200, &rc) ||
	    (type_id && !cli_value(what, "type", type, 100, &rc)))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!db_event_resolve(cli->db, event, event_id))
		return cli_resolve_fail(cli, what, "event", event);
	if (type_id && !db_type_resolve(cli->db, *event_id, type, type_id))
		return cli_resolve_fail(cli, what, "ticket type", type);
	return EXIT_DONE;
}

int cli_not_found(const char *noun, const char *ref)
{
	char what[340];
	bool id = ref[0] && ref[strspn(ref, "0123456789")] == '\0';
	int said = (int)utf8_prefix(ref, 300); /* a long name cut between characters */
	snprintf(what, sizeof what, id ? "%s %.*s%s" : "%s '%.*s%s'", noun, said, ref, ref[said] ? "\u2026" : "");
	return cli_fail(EXIT_REFUSED, what, "no such %s", noun);
}

bool cli_show_rows(json_t *rows, const char *noun, const char *name, bool json, int *rc)
{
	if (name && json_array_size(rows) == 0) {
		json_decref(rows);
		*rc = cli_not_found(noun, name);
		return true;
	}
	if (!json)
		return false;
	cli_print_json(json_incref(name ? json_array_get(rows, 0) : rows));
	json_decref(rows);
	*rc = EXIT_DONE;
	return true;
}

int cli_resolve_fail(struct cli *cli, const char *what, const char *noun, const char *ref)
{
	/* A lookup is a SELECT: refused means it found nothing. */
	if (cli->db->status == DB_REFUSED)
		return cli_not_found(noun, ref);
	return cli_db_fail(cli, what);
}

int cli_require(struct cli *cli, const char *what, const char *noun, long long id)
{
	char ref[24];
	int found;

	if (!cli_db(cli))
		return EXIT_FAILED;
	if ((found = db_exists(cli->db, noun, id)) < 0)
		return cli_db_fail(cli, what);
	snprintf(ref, sizeof ref, "%lld", id);
	return found ? EXIT_DONE : cli_not_found(noun, ref);
}

bool cli_value(const char *what, const char *option, const char *text, int max_chars, int *rc)
{
	if (text && !*text) {
		*rc = cli_fail(EXIT_USAGE, what, "--%s is empty", option);
		return false;
	}
	return cli_text(what, option, text, max_chars, rc);
}

bool cli_channel(const char *what, const char *text, int *rc)
{
	enum sales_channel c;
	if (channel_parse(text, &c))
		return true;
	*rc = cli_fail(EXIT_USAGE, what, "--channel must be web, pos, ota or reseller");
	return false;
}

bool cli_payment(const char *what, const char *text, int *rc)
{
	enum payment_method p;
	if (payment_parse(text, &p))
		return true;
	*rc = cli_fail(EXIT_USAGE, what, "--payment must be card, invoice, sponsored or free");
	return false;
}

bool cli_text(const char *what, const char *option, const char *text, int max_chars, int *rc)
{
	const char *why = validate_text(text, max_chars, false);
	if (!why)
		return true;
	*rc = cli_fail(EXIT_USAGE, what, "--%s %s", option, why);
	return false;
}

bool cli_id(const char *what, int npos, const char **pos, const char *noun, long long *id, int *rc)
{
	if (npos != 1) {
		*rc = cli_fail(EXIT_USAGE, what, "needs the %s ID", noun);
		return false;
	}
	{
		const char *why = parse_int_range(pos[0], 1, INT64_MAX, id);
		if (!why)
			return true;
		*rc = cli_fail(EXIT_USAGE, what, "the %s ID %s", noun, why);
		return false;
	}
}

/* Columns a character takes on a terminal (CJK two, a combining mark
 * none), from the C library's tables in a UTF-8 locale whatever the
 * process's own; 1 where that cannot be told. */
static int char_columns(const char *p, size_t len)
{
	static locale_t utf8 = (locale_t)0;
	static bool tried;
	locale_t was;
	wchar_t wc;
	mbstate_t st;
	int cols = 1;

	if (!tried) {
		tried = true;
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	if (utf8 == (locale_t)0 || (unsigned char)*p < 0x80)
		return 1;
	was = uselocale(utf8);
	memset(&st, 0, sizeof st);
	if (mbrtowc(&wc, p, len, &st) == len)
		cols = wcwidth(wc);
	uselocale(was);
	return cols < 0 ? 1 : cols;
}

/* The end of the longest start of text that fits in width columns,
 * whole characters only; *used: the columns it takes. */
static const char *fit_columns(const char *text, int width, int *used)
{
	const char *end = text;
	int n = 0;

	while (*end) {
		const char *next = end + utf8_prefix_chars(end, 1);
		int cols;
		cols = char_columns(end, (size_t)(next - end));
		if (n + cols > width)
			break;
		n += cols;
		end = next;
	}
	*used = n;
	return end;
}

void cli_cell(const char *raw, int width)
{
	char safe[1024];
	const char *text, *end;
	int n;

	/* a table goes to a terminal: no control character gets through */
	utf8_copy(safe, sizeof safe, raw); /* a longer text: cut between characters */
	text = text_defang(safe, false);
	/* in terminal columns: a character is taken whole, and only if it
	 * fits (a CJK one is two columns) */
	end = fit_columns(text, width, &n);
	if (*end && width > 0) {
		/* longer than the column: "…" in the last column ("Hall C…", never
		 * a whole-looking "Hall C" for booth "Hall C-114") */
		end = fit_columns(text, width - 1, &n);
		fwrite(text, 1, (size_t)(end - text), stdout);
		fputs("\u2026", stdout);
		printf("%*s", width - 1 - n, "");
		return;
	}
	fwrite(text, 1, (size_t)(end - text), stdout);
	printf("%*s", width - n, "");
}

void cli_pad(const char *raw, int width)
{
	char safe[1024];
	const char *text, *end;
	int n;

	utf8_copy(safe, sizeof safe, raw);
	text = text_defang(safe, false);
	end = fit_columns(text, INT_MAX, &n);
	fwrite(text, 1, (size_t)(end - text), stdout);
	if (n < width)
		printf("%*s", width - n, "");
}

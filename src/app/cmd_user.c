/* boxoffice user add|list|revoke: station logins in the database's roles
 * (db/026). The database decides what each role may do; a login is made,
 * listed and retired here by a supervisor. */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "../db/db.h"
#include "../db/users.h"
#include "cli.h"
#include "commands.h"

#define PASSWORD_MAX 200

/* A password from the terminal (not echoed) or one line of standard
 * input (scripts: printf '%s\n' "$PW" | boxoffice user add ...). */
static bool read_password(const char *name, char *out, size_t size)
{
	bool tty = isatty(STDIN_FILENO);
	struct termios was, quiet;
	bool ok;
	size_t n;

	if (tty) {
		fprintf(stderr, "password for %s: ", name);
		tcgetattr(STDIN_FILENO, &was);
		quiet = was;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	ok = fgets(out, (int)size, stdin) != NULL;
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &was);
		fputc('\n', stderr);
	}
	if (!ok)
		return false;
	n = strcspn(out, "\r\n");
	out[n] = '\0';
	return true;
}

int cmd_user_add(struct cli *cli, int argc, char **argv)
{
	const char *what = "user add", *role = NULL, *auth = NULL, *pos[1];
	bool password = false, json = false;
	const struct cli_opt opts[] = {
		{ "role", &role, NULL },	 { "auth", &auth, NULL }, { "password", NULL, &password },
		{ "json", NULL, &json },	 { NULL, NULL, NULL },
	};
	char secret[PASSWORD_MAX + 2];
	int npos = 0, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);
	json_t *doc;

	if (rc)
		return rc;
	(void)json;
	if (npos != 1)
		return cli_fail(EXIT_USAGE, what, "which login? user add NAME --role clerk|gate|supervisor|api");
	if (!role)
		return cli_missing(what, "role");
	if (strcmp(role, "clerk") && strcmp(role, "gate") && strcmp(role, "supervisor") && strcmp(role, "api"))
		return cli_fail(EXIT_USAGE, what, "--role must be clerk, gate, supervisor or api");
	if (!auth)
		auth = password ? "password" : "peer";
	if (strcmp(auth, "password") && strcmp(auth, "peer") && strcmp(auth, "cert"))
		return cli_fail(EXIT_USAGE, what, "--auth must be password, peer or cert");
	if (password != (strcmp(auth, "password") == 0))
		return cli_fail(EXIT_USAGE, what, "--password goes with --auth password (the default when given)");
	if (password) {
		if (!read_password(pos[0], secret, sizeof secret))
			return cli_fail(EXIT_USAGE, what, "no password given (on the terminal or one line of stdin)");
		if (strlen(secret) < 8 || strlen(secret) > PASSWORD_MAX)
			return cli_fail(EXIT_USAGE, what, "a password has 8 to %d characters", PASSWORD_MAX);
	}
	if (!cli_db(cli))
		return EXIT_FAILED;
	doc = db_user_add(cli->db, pos[0], role, password ? secret : NULL, auth, false);
	memset(secret, 0, sizeof secret);
	if (!doc)
		return cli_db_fail(cli, what);
	cli_print_json(doc);
	return EXIT_DONE;
}

int cmd_user_list(struct cli *cli, int argc, char **argv)
{
	const char *what = "user list";
	bool json = false;
	const struct cli_opt opts[] = { { "json", NULL, &json }, { NULL, NULL, NULL } };
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);
	json_t *rows, *row;
	size_t i;

	if (rc)
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(rows = db_user_list(cli->db)))
		return cli_db_fail(cli, what);
	if (json) {
		cli_print_json(rows);
		return EXIT_DONE;
	}
	printf("%-24s %-10s %-8s %-8s %s\n", "LOGIN", "ROLE", "AUTH", "STATE", "SESSIONS");
	json_array_foreach(rows, i, row) {
		cli_cell(json_string_value(json_object_get(row, "name")), 24);
		printf(" %-10s %-8s %-8s %lld\n", json_string_value(json_object_get(row, "role")),
		       json_string_value(json_object_get(row, "auth")),
		       json_is_true(json_object_get(row, "active")) ? "active" : "revoked",
		       (long long)json_integer_value(json_object_get(row, "sessions")));
	}
	json_decref(rows);
	return EXIT_DONE;
}

int cmd_user_revoke(struct cli *cli, int argc, char **argv)
{
	const char *what = "user revoke", *pos[1];
	int npos = 0, rc = cli_parse(what, argc, argv, NULL, pos, 1, &npos);
	json_t *doc;

	if (rc)
		return rc;
	if (npos != 1)
		return cli_fail(EXIT_USAGE, what, "which login? user revoke NAME");
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_user_revoke(cli->db, pos[0])))
		return cli_db_fail(cli, what);
	cli_print_json(doc);
	return EXIT_DONE;
}

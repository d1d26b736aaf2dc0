#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/validate.h"
#include "../db/db.h"
#include "cli.h"
#include "paths.h"
#include "tui.h"

#ifndef BOXOFFICE_VERSION
#define BOXOFFICE_VERSION "0.1.0"
#endif

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	struct tui_options tui = { 0 };
	char host[64] = "station";
	struct cli_globals globals;
	const char *state_dir;
	int i, rc;

	/* stdin, stdout and stderr closed by whoever started us: /dev/null in
	 * their place, or the next files opened (a camera's pipe) would be
	 * taken for them */
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return EXIT_FAILED;
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	cli.station = host;

	/* Global options come before the command. */
	if ((rc = cli_parse_globals(argc, argv, &globals, &i)))
		return rc;
	if (globals.help) {
		cli_print_help();
		return EXIT_DONE;
	}
	if (globals.version) {
		printf("boxoffice %s\n", BOXOFFICE_VERSION);
		return EXIT_DONE;
	}
	/* the check-in screen's camera and lists; the same as
	 * BOXOFFICE_CAMERA and BOXOFFICE_LIST */
	if (globals.camera)
		setenv("BOXOFFICE_CAMERA", globals.camera, 1);
	if (globals.list)
		setenv("BOXOFFICE_LIST", globals.list, 1);
	if (globals.conninfo)
		cli.conninfo = globals.conninfo;
	if (globals.station)
		cli.station = globals.station;
	tui.screen = globals.screen;
	tui.event = globals.event;
	state_dir = globals.state_dir;
	/* -d given to a child through its environment (never on its command
	 * line, where ps shows a password) */
	if (!cli.conninfo && getenv("BOXOFFICE_DB") && *getenv("BOXOFFICE_DB"))
		cli.conninfo = getenv("BOXOFFICE_DB");
	if (state_dir) {
		if (!*state_dir)
			return cli_fail(EXIT_USAGE, "--state-dir", "needs a folder");
		paths_set_state_dir(state_dir);
	}
	{
		/* recorded on every change and shown to other stations */
		const char *bad = validate_station(cli.station, strlen(cli.station));
		if (bad && strcmp(cli.station, host) == 0)
			cli.station = "station"; /* an odd host name is no usage error */
		else if (bad)
			return cli_fail(EXIT_USAGE, "--station", "%s", bad);
	}

	if (i < argc) {
		if (tui.screen || tui.event)
			return cli_fail(EXIT_USAGE, argv[i], "--screen and --event open the screens; "
					"give them without a command");
		rc = cli_dispatch(&cli, argc - i, argv + i);
	} else {
		tui.conninfo = cli.conninfo;
		tui.station = cli.station;
		rc = tui_run(&tui);
	}
	db_free(cli.db);
	return rc;
}

#ifndef BOXOFFICE_APP_TUI_H
#define BOXOFFICE_APP_TUI_H

struct tui_options {
	const char *conninfo;
	const char *station;
	const char *screen; /* --screen NAME */
	const char *event;  /* --event E */
};

/* Runs the terminal screens until the user quits; returns an exit code. */
int tui_run(const struct tui_options *opts);

#endif

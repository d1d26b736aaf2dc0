#include "tmux.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

static char *command_output(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	size_t cap = 8192, len = 0, n;
	char *buf = malloc(cap);

	if (!p) {
		buf[0] = '\0';
		return buf;
	}
	while ((n = fread(buf + len, 1, cap - len - 1, p)) > 0) {
		len += n;
		if (cap - len < 1024)
			buf = realloc(buf, cap *= 2);
	}
	buf[len] = '\0';
	pclose(p);
	return buf;
}

/* Servers still running when the test program ends (a failed assertion
 * skips tmux_stop) are killed at exit, so no screen outlives its test. */
static char started[64][64];
static int nstarted;

static void kill_started(void)
{
	for (int i = 0; i < nstarted; i++) {
		char line[128];
		snprintf(line, sizeof line, "tmux -L %.63s kill-server 2>/dev/null", started[i]);
		if (system(line) != 0) {
			/* already stopped */
		}
	}
}

void tmux_start(struct tmux *t, const char *session, int w, int h, const char *cmd)
{
	char line[4096];
	/* The command line is expanded by the shell system() runs. */
	setenv("BOXOFFICE", boxoffice_bin(), 1);
	/* A socket per session: a server still shutting down from the last
	 * test must not swallow this one. */
	static int sessions;
	snprintf(t->socket, sizeof t->socket, "bo-test-%d-%d", (int)getpid(), ++sessions);
	if (nstarted == 0)
		atexit(kill_started);
	if (nstarted < 64)
		snprintf(started[nstarted++], sizeof started[0], "%s", t->socket);
	snprintf(t->session, sizeof t->session, "%s", session);
	snprintf(line, sizeof line,
		 "tmux -L %s -f /dev/null new-session -d -s %s -x %d -y %d "
		 "\"env LANG=C.UTF-8 LSAN_OPTIONS=detect_leaks=0 sh -c '%s'\"",
		 t->socket, t->session, w, h, cmd);
	if (system(line) != 0)
		fail_msg("tmux failed to start: %s", line);
}

void tmux_keys(struct tmux *t, const char *keys)
{
	char line[1024];
	snprintf(line, sizeof line, "tmux -L %s send-keys -t %s %s", t->socket, t->session, keys);
	if (system(line) != 0)
		fail_msg("tmux send-keys failed: %s", keys);
}

void tmux_type(struct tmux *t, const char *text)
{
	char line[1024];
	snprintf(line, sizeof line, "tmux -L %s send-keys -l -t %s '%s'", t->socket, t->session, text);
	if (system(line) != 0)
		fail_msg("tmux send-keys -l failed: %s", text);
}

char *tmux_capture(struct tmux *t)
{
	char line[256];
	snprintf(line, sizeof line, "tmux -L %s capture-pane -p -t %s", t->socket, t->session);
	return command_output(line);
}

static bool wait_screen(struct tmux *t, const char *text, int timeout_ms, bool present)
{
	struct timespec pause = { 0, 50 * 1000000L };
	for (int waited = 0; waited <= timeout_ms; waited += 50) {
		char *screen = tmux_capture(t);
		bool found = strstr(screen, text) != NULL;
		free(screen);
		if (found == present)
			return true;
		nanosleep(&pause, NULL);
	}
	{
		char *screen = tmux_capture(t);
		fprintf(stderr, "--- screen while waiting for %s'%s':\n%s---\n",
			present ? "" : "the end of ", text, screen);
		free(screen);
	}
	return false;
}

bool tmux_wait_for(struct tmux *t, const char *text, int timeout_ms)
{
	return wait_screen(t, text, timeout_ms, true);
}

bool tmux_wait_gone(struct tmux *t, const char *text, int timeout_ms)
{
	return wait_screen(t, text, timeout_ms, false);
}

void tmux_stop(struct tmux *t)
{
	char line[256];
	snprintf(line, sizeof line, "tmux -L %s kill-server 2>/dev/null", t->socket);
	if (system(line) != 0) {
		/* already gone */
	}
}

/* An xterm (X10) mouse report: ESC [ M, then button, column, row, each
 * 32 + value (columns and rows counted from 1), reports times in one go;
 * the bytes go through printf's octal escapes, past the shell's quoting. */
void tmux_mouse_n(struct tmux *t, int times, const int *buttons, int x, int y)
{
	char line[1024];
	int n = snprintf(line, sizeof line, "tmux -L %s send-keys -l -t %s \"$(printf '", t->socket, t->session);
	for (int i = 0; i < times; i++)
		n += snprintf(line + n, sizeof line - (size_t)n, "\\033[M\\%03o\\%03o\\%03o", 32 + buttons[i], 33 + x,
			      33 + y);
	snprintf(line + n, sizeof line - (size_t)n, "')\"");
	if (system(line) != 0)
		fprintf(stderr, "tmux_mouse_n: send-keys failed\n");
}

void tmux_mouse(struct tmux *t, int button, int x, int y)
{
	tmux_mouse_n(t, 1, &button, x, y);
}

void tmux_click(struct tmux *t, int x, int y)
{
	static const int press_release[] = { 0, 3 };
	tmux_mouse_n(t, 2, press_release, x, y);
}

void tmux_double_click(struct tmux *t, int x, int y)
{
	static const int twice[] = { 0, 3, 0, 3 };
	tmux_mouse_n(t, 4, twice, x, y);
}

int screen_row_of(const char *screen, const char *text)
{
	int row = 0;
	const char *l = screen;

	for (; l && *l; row++) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		char *line = strndup(l, len);
		bool found = strstr(line, text) != NULL;
		free(line);
		if (found)
			return row;
		l = nl ? nl + 1 : NULL;
	}
	return -1;
}

int tmux_row_of(struct tmux *t, const char *text)
{
	char *screen = tmux_capture(t);
	int row = screen_row_of(screen, text);

	if (row < 0)
		fprintf(stderr, "no line holds '%s':\n%s\n", text, screen);
	free(screen);
	return row;
}

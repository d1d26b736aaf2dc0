/* Driving the real TUI as a person would: tmux runs it, send-keys types,
 * capture-pane reads the screen. */
#ifndef BOXOFFICE_TESTS_TMUX_H
#define BOXOFFICE_TESTS_TMUX_H

#include <stdbool.h>

struct tmux {
	char socket[64];
	char session[32];
};

/* Starts cmd (a shell command line) in a detached w×h session. */
void tmux_start(struct tmux *t, const char *session, int w, int h, const char *cmd);
void tmux_keys(struct tmux *t, const char *keys); /* tmux key names, space separated */
void tmux_type(struct tmux *t, const char *text);  /* literal text */
/* The visible screen; the caller frees it. */
char *tmux_capture(struct tmux *t);
/* Waits until text is on screen (true) or timeout_ms passes (false). */
bool tmux_wait_for(struct tmux *t, const char *text, int timeout_ms);
/* Waits until text is gone from the screen. */
bool tmux_wait_gone(struct tmux *t, const char *text, int timeout_ms);
void tmux_stop(struct tmux *t);
/* Mouse reports as an xterm sends them (X10: ESC [ M b x y), x and y
 * counted from 0; buttons: 0 press, 3 release, 64/65 wheel up/down. */
void tmux_mouse_n(struct tmux *t, int times, const int *buttons, int x, int y);
void tmux_mouse(struct tmux *t, int button, int x, int y);
void tmux_click(struct tmux *t, int x, int y);
void tmux_double_click(struct tmux *t, int x, int y);
/* The screen line (from 0) that holds text, or -1. */
int tmux_row_of(struct tmux *t, const char *text);
/* The same in a screen captured already (one moment, several lookups). */
int screen_row_of(const char *screen, const char *text);

#endif

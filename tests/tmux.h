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

#endif

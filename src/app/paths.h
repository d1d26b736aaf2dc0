/* Where an installed program keeps its things: gate state (caches and
 * offline journals, per database) and read-only assets (the badge
 * template). Nothing here depends on the folder the program was built in,
 * except as a last fallback for a binary run from its build tree. */
#ifndef BOXOFFICE_APP_PATHS_H
#define BOXOFFICE_APP_PATHS_H

#include <stddef.h>

/* --state-dir wins over BOXOFFICE_STATE, then $XDG_STATE_HOME/boxoffice,
 * then ~/.local/state/boxoffice. */
void paths_set_state_dir(const char *dir);
/* The state folder (not created here); never NULL. */
const char *paths_state_dir(void);
/* Creates dir and its missing parents (0700); 0 or -1 with errno. */
int paths_mkdirs(const char *dir);

/* The assets folder: BOXOFFICE_ASSETS, else PREFIX/share/boxoffice next to
 * the installed binary, else assets/ beside the binary or its build
 * folder, else the source tree it was built from. */
const char *paths_assets_dir(void);

/* Makes a name safe as one file-name component: keeps [A-Za-z0-9._-],
 * writes every other byte as %XX, never "." or "..". */
void paths_file_component(char *out, size_t size, const char *name);

#endif

#ifndef BOXOFFICE_APP_BADGE_H
#define BOXOFFICE_APP_BADGE_H

#include <stdbool.h>
#include <stddef.h>

struct badge {
	const char *event, *name, *company, *type, *token;
};

/* Renders the badge PNG from assets/badge.conf (or built-in defaults).
 * False with a reason in err. */
bool badge_render(const struct badge *b, const char *png_path, char *err, size_t errsize);

/* The name as badge_render sets it (lines and size, src/core/fit_lines.h)
 * and the width each line has. */
struct fit_lines;
void badge_name_lines(const char *name, struct fit_lines *out, int *room);

#endif

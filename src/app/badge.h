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

#endif

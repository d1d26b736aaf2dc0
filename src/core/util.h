/* Allocation wrappers that never return NULL (as tmux's xmalloc.c): running
 * out of memory is not a case a box office screen can recover from. */
#ifndef BOXOFFICE_CORE_UTIL_H
#define BOXOFFICE_CORE_UTIL_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Copies src into dst (size bytes, always terminated when size > 0),
 * cutting only between UTF-8 characters: a character that does not fit
 * whole is left out, never split. Returns the bytes copied. */
size_t utf8_copy(char *dst, size_t size, const char *src);

/* Called before aborting, so the terminal can be restored first. */
void util_set_fatal_hook(void (*hook)(void));

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif

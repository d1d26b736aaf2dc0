/* Allocation wrappers that never return NULL (as tmux's xmalloc.c): running
 * out of memory is not a case a box office screen can recover from. */
#ifndef BOXOFFICE_CORE_UTIL_H
#define BOXOFFICE_CORE_UTIL_H

#include <stdbool.h>
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
/* The longest prefix of s, at most n bytes, that ends between UTF-8
 * characters: for "%.*s" cuts of a text longer than its buffer. */
size_t utf8_prefix(const char *s, size_t n);
/* The bytes of s's first chars characters (all of s when it has fewer),
 * for "%.*s": a cut by characters, never inside one (a byte that starts
 * no valid character counts as one). */
int utf8_prefix_chars(const char *s, int chars);
/* Where the longest end of s, at most n bytes, starts between UTF-8
 * characters (0: all of s fits): for keeping the end of a long text. */
size_t utf8_suffix(const char *s, size_t n);

/* Makes text safe to print to a terminal or a printer, in place: C0
 * controls (but newlines when keep_newlines), DEL, C1 controls and the
 * bidirectional overrides become '?' byte for byte, so an ESC in a name
 * (written by SQL or another channel) never reaches a terminal or an
 * ESC/POS printer as a command. Returns s. */
char *text_defang(char *s, bool keep_newlines);

/* Called before aborting, so the terminal can be restored first. */
void util_set_fatal_hook(void (*hook)(void));

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif

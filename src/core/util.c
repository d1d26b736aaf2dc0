#include "util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void (*fatal_hook)(void);

void util_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

static void out_of_memory(void)
{
	if (fatal_hook)
		fatal_hook();
	fputs("boxoffice: out of memory\n", stderr);
	exit(3);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		out_of_memory();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");
	if (!p)
		out_of_memory();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		out_of_memory();
	p = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

size_t utf8_prefix(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	if (len < n)
		return len; /* the whole text */
	while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
		len--; /* s[len] continues a character: cut before it starts */
	return len;
}

size_t utf8_copy(char *dst, size_t size, const char *src)
{
	size_t n;

	if (size == 0)
		return 0;
	n = utf8_prefix(src ? src : "", size - 1);
	memcpy(dst, src ? src : "", n);
	dst[n] = '\0';
	return n;
}

int utf8_prefix_chars(const char *s, int chars)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	int n = 0;

	for (; chars > 0 && p[n]; chars--) {
		n++;
		while ((p[n] & 0xC0) == 0x80)
			n++;
	}
	return n;
}

size_t utf8_suffix(const char *s, size_t n)
{
	size_t len = strlen(s), at;

	if (len <= n)
		return 0;
	at = utf8_prefix(s, len - n);
	if (at < len - n) /* len - n is inside a character: start after it */
		at += (size_t)utf8_prefix_chars(s + at, 1);
	return at;
}

char *text_defang(char *s, bool keep_newlines)
{
	unsigned char *p = (unsigned char *)s;

	for (; p && *p; p++) {
		if ((*p < 0x20 && !(keep_newlines && *p == '\n')) || *p == 0x7F) {
			*p = '?';
		} else if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) { /* C1 */
			p[0] = p[1] = '?';
			p++;
		} else if (p[0] == 0xE2 && ((p[1] == 0x80 && p[2] >= 0xAA && p[2] <= 0xAE) ||
					    (p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9))) { /* bidi */
			p[0] = p[1] = p[2] = '?';
			p += 2;
		}
	}
	return s;
}

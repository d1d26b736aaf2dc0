#include "ascii.h"

#include <string.h>

int utf8_decode(const char *s, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	int len;
	uint32_t c, min;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xE0) == 0xC0) {
		len = 2, c = u[0] & 0x1F, min = 0x80;
	} else if ((u[0] & 0xF0) == 0xE0) {
		len = 3, c = u[0] & 0x0F, min = 0x800;
	} else if ((u[0] & 0xF8) == 0xF0) {
		len = 4, c = u[0] & 0x07, min = 0x10000;
	} else {
		*cp = 0xFFFD;
		return 1;
	}
	for (int i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80) { /* also stops at the terminating NUL */
			*cp = 0xFFFD;
			return 1;
		}
		c = c << 6 | (u[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
		*cp = 0xFFFD;
		return 1;
	}
	*cp = c;
	return len;
}

/* The glyphs the screens draw, and a few common signs. */
static const struct {
	uint32_t cp;
	const char *ascii;
} glyphs[] = {
	{ 0x00A0, " " },   { 0x00A9, "(c)" }, { 0x00AB, "<<" },  { 0x00B0, "o" },   { 0x00B5, "u" },
	{ 0x00B7, "-" },   { 0x00BB, ">>" },  { 0x00C6, "AE" },  { 0x00D7, "x" },   { 0x00DE, "TH" },
	{ 0x00DF, "ss" },  { 0x00E6, "ae" },  { 0x00F7, "/" },   { 0x00FE, "th" },  { 0x0132, "IJ" },
	{ 0x0133, "ij" },  { 0x0152, "OE" },  { 0x0153, "oe" },  { 0x2010, "-" },   { 0x2011, "-" },
	{ 0x2012, "-" },   { 0x2013, "-" },   { 0x2014, "-" },   { 0x2018, "'" },   { 0x2019, "'" },
	{ 0x201C, "\"" },  { 0x201D, "\"" },  { 0x2022, "*" },   { 0x2026, "..." }, { 0x20AC, "EUR" },
	{ 0x2190, "<-" },  { 0x2191, "^" },   { 0x2192, "->" },  { 0x2193, "v" },   { 0x2500, "-" },
	{ 0x2502, "|" },   { 0x250C, "+" },   { 0x2510, "+" },   { 0x2514, "+" },   { 0x2518, "+" },
	{ 0x251C, "+" },   { 0x2524, "+" },   { 0x252C, "+" },   { 0x2534, "+" },   { 0x253C, "+" },
	{ 0x2550, "=" },   { 0x2551, "|" },   { 0x2580, "\"" },  { 0x2584, "_" },   { 0x2588, "#" },
	{ 0x258F, "|" },   { 0x2591, "." },   { 0x2592, ":" },   { 0x2593, "#" },   { 0x25B2, "^" },
	{ 0x25B6, ">" },   { 0x25B8, ">" },   { 0x25BC, "v" },   { 0x25C0, "<" },   { 0x25C2, "<" },
	{ 0x25CF, "*" },   { 0x2713, "+" },   { 0x2714, "+" },   { 0x2717, "x" },   { 0x2718, "x" },
};

/* Latin-1 letters U+00C0..U+00FF without accents (multi-letter ones in glyphs[]). */
static const char latin1[] = "AAAAAAACEEEEIIII" "DNOOOOOxOUUUUYTs" "aaaaaaaceeeeiiii" "dnooooo/ouuuuyty";
/* Latin Extended-A, U+0100..U+017F. */
static const char latin_ext_a[] = "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlLlLlNnNnNnnNn"
				   "OoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

const char *ascii_for(uint32_t cp)
{
	static char one[2];
	size_t lo = 0, hi = sizeof glyphs / sizeof glyphs[0];

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (glyphs[mid].cp == cp)
			return glyphs[mid].ascii;
		if (glyphs[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (cp >= 0xC0 && cp <= 0xFF)
		one[0] = latin1[cp - 0xC0];
	else if (cp >= 0x100 && cp <= 0x17F)
		one[0] = latin_ext_a[cp - 0x100];
	else
		return "?";
	one[1] = '\0';
	return one;
}

size_t ascii_translit(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	if (size == 0)
		return 0;
	while (src && *src) {
		uint32_t cp;
		int len = utf8_decode(src, &cp);
		char c[2] = { (char)cp, '\0' };
		const char *a = cp < 0x80 ? c : ascii_for(cp);
		size_t alen = strlen(a);
		if (n + alen >= size)
			break;
		memcpy(dst + n, a, alen);
		n += alen;
		src += len;
	}
	dst[n] = '\0';
	return n;
}

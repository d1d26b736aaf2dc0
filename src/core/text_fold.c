#include "text_fold.h"

#include <string.h>

#include "util.h"

/* U+00C0 to U+017F without their marks, lower case; "" for the few that
 * are no letter (× ÷). Two-letter folds are written out in full. */
static const char *const latin[] = {
	/* C0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	/* D0 */ "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
	/* E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	/* F0 */ "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
	/* 100 */ "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
	/* 110 */ "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
	/* 120 */ "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
	/* 130 */ "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
	/* 140 */ "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
	/* 150 */ "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
	/* 160 */ "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
	/* 170 */ "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};

/* The code point of the two-byte UTF-8 sequence at p (0 when it is none). */
static unsigned two_byte(const unsigned char *p)
{
	if ((p[0] & 0xE0) != 0xC0 || (p[1] & 0xC0) != 0x80)
		return 0;
	return ((unsigned)(p[0] & 0x1F) << 6) | (p[1] & 0x3F);
}

/* Appends n bytes of piece after the one space a run of white space
 * left (none at the start); false when they do not fit whole. */
static bool put(char *out, size_t size, size_t *o, bool *space, const char *piece, size_t n)
{
	if (*o + (*space ? 1 : 0) + n >= size)
		return false;
	if (*space)
		out[(*o)++] = ' ';
	*space = false;
	memcpy(out + *o, piece, n);
	*o += n;
	return true;
}

size_t text_fold(const char *text, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)(text ? text : "");
	size_t o = 0;
	bool space = false;

	if (size == 0)
		return 0;
	while (*p) {
		const char *piece;
		char one[2] = { 0, 0 };
		size_t n;
		unsigned cp;
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' || *p == '\f') {
			space = o > 0;
			p++;
			continue;
		}
		if (p[0] == 0xC2 && p[1] == 0xA0) { /* no-break space */
			space = o > 0;
			p += 2;
			continue;
		}
		cp = two_byte(p);
		if (cp >= 0xC0 && cp <= 0x17F) {
			piece = latin[cp - 0xC0];
			p += 2;
		} else if (*p < 0x80) {
			one[0] = (char)(*p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p);
			piece = one;
			p++;
		} else {
			/* any other character whole, as it is */
			size_t len = (size_t)utf8_prefix_chars((const char *)p, 1);
			if (!put(out, size, &o, &space, (const char *)p, len))
				break;
			p += len;
			continue;
		}
		n = strlen(piece);
		if (!put(out, size, &o, &space, piece, n))
			break;
	}
	out[o] = '\0';
	return o;
}

bool text_fold_contains(const char *text, const char *folded)
{
	char t[1024];
	if (!folded[0])
		return true;
	text_fold(text, t, sizeof t);
	return strstr(t, folded) != NULL;
}

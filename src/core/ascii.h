/* What a terminal whose locale is not UTF-8 (LANG=C over SSH) can show:
 * every character of a UTF-8 text as plain ASCII. The screens' own glyphs
 * become their ASCII look-alikes ("│" "|", "▲" "^", "…" "..."), Latin
 * letters lose their accents ("Åsa Øberg" "Asa Oberg", "ß" "ss"), and
 * anything else is one "?" per character (never one per byte). */
#ifndef BOXOFFICE_CORE_ASCII_H
#define BOXOFFICE_CORE_ASCII_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the UTF-8 character at s (s non-empty): its length in bytes
 * (1 for a byte that starts no valid character, *cp = 0xFFFD). */
int utf8_decode(const char *s, uint32_t *cp);

/* The ASCII text shown for the code point cp ("?" when there is none);
 * cp below 0x80 is not looked up (the caller shows it as it is). */
const char *ascii_for(uint32_t cp);

/* src as ASCII into dst (always terminated, cut between characters);
 * returns the length written. */
size_t ascii_translit(char *dst, size_t size, const char *src);

#endif

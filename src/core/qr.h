/* QR matrices for tokens (libqrencode), for badges and for drawing in the
 * terminal with half-block characters. */
#ifndef BOXOFFICE_CORE_QR_H
#define BOXOFFICE_CORE_QR_H

#include <stdbool.h>

struct qr {
	int width;              /* modules per side, without the quiet zone */
	unsigned char *modules; /* width*width, 1 = dark */
};

/* Error correction M: a badge survives some wear. False on failure. */
bool qr_make(const char *text, struct qr *out);
/* Error correction L: the smallest symbol, for a screen (no wear there). */
bool qr_make_small(const char *text, struct qr *out);
void qr_free(struct qr *q);
/* Dark module at (x, y); outside the symbol (quiet zone) is light. */
bool qr_dark(const struct qr *q, int x, int y);

#endif

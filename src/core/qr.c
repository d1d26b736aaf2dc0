#include "qr.h"

#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static bool make(const char *text, QRecLevel level, struct qr *out)
{
	/* QR_MODE_8 hint with case sensitivity: libqrencode still picks the
	 * alphanumeric mode for the runs of our tokens that fit it. */
	QRcode *code = QRcode_encodeString(text, 0, level, QR_MODE_8, 1);
	if (!code)
		return false;
	out->width = code->width;
	out->modules = xmalloc((size_t)code->width * (size_t)code->width);
	for (int i = 0; i < code->width * code->width; i++)
		out->modules[i] = code->data[i] & 1;
	QRcode_free(code);
	return true;
}

bool qr_make(const char *text, struct qr *out)
{
	return make(text, QR_ECLEVEL_M, out);
}

bool qr_make_small(const char *text, struct qr *out)
{
	return make(text, QR_ECLEVEL_L, out);
}

void qr_free(struct qr *q)
{
	free(q->modules);
	q->modules = NULL;
	q->width = 0;
}

bool qr_dark(const struct qr *q, int x, int y)
{
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return false;
	return q->modules[y * q->width + x] != 0;
}

/* QR decoding with zbar, from image files (libgd loads them) and from
 * grey camera frames. */
#include "scan_image.h"

#include <gd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zbar.h>

int scan_frame(const unsigned char *grey, int width, int height, char codes[][SCAN_CODE_MAX], int max)
{
	zbar_image_scanner_t *scanner = zbar_image_scanner_create();
	zbar_image_t *image = zbar_image_create();
	int n = 0;

	/* QR codes only: no false reads of barcodes in the background. */
	zbar_image_scanner_set_config(scanner, 0, ZBAR_CFG_ENABLE, 0);
	zbar_image_scanner_set_config(scanner, ZBAR_QRCODE, ZBAR_CFG_ENABLE, 1);
	zbar_image_set_format(image, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_set_size(image, (unsigned)width, (unsigned)height);
	zbar_image_set_data(image, grey, (unsigned long)width * (unsigned long)height, NULL);
	if (zbar_scan_image(scanner, image) < 0) {
		n = -1;
	} else {
		for (const zbar_symbol_t *s = zbar_image_first_symbol(image); s && n < max; s = zbar_symbol_next(s))
			snprintf(codes[n++], SCAN_CODE_MAX, "%s", zbar_symbol_get_data(s));
	}
	zbar_image_destroy(image);
	zbar_image_scanner_destroy(scanner);
	return n;
}

int scan_image_file(const char *path, char codes[][SCAN_CODE_MAX], int max, const char **why)
{
	gdImagePtr im = gdImageCreateFromFile(path);
	unsigned char *grey;
	int w, h, n;

	if (!im) {
		*why = "not a readable PNG, JPEG or GIF";
		return -1;
	}
	w = gdImageSX(im);
	h = gdImageSY(im);
	grey = malloc((size_t)w * (size_t)h);
	if (!grey) {
		gdImageDestroy(im);
		*why = "out of memory";
		return -1;
	}
	for (int y = 0; y < h; y++)
		for (int x = 0; x < w; x++) {
			int c = gdImageGetTrueColorPixel(im, x, y);
			int r = gdTrueColorGetRed(c), g = gdTrueColorGetGreen(c), b = gdTrueColorGetBlue(c);
			grey[(size_t)y * (size_t)w + (size_t)x] = (unsigned char)((r * 299 + g * 587 + b * 114) / 1000);
		}
	gdImageDestroy(im);
	n = scan_frame(grey, w, h, codes, max);
	free(grey);
	if (n < 0)
		*why = "the scanner failed";
	return n;
}

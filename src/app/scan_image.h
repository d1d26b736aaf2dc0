#ifndef BOXOFFICE_APP_SCAN_IMAGE_H
#define BOXOFFICE_APP_SCAN_IMAGE_H

#include <stddef.h>

#define SCAN_CODE_MAX 7200 /* a QR code holds at most 7,089 characters (digits) */

/* Decodes the QR codes in a grey frame (Y800, one byte a pixel) with zbar:
 * returns how many were found (their texts in codes), -1 on failure. */
int scan_frame(const unsigned char *grey, int width, int height, char codes[][SCAN_CODE_MAX], int max);
/* Loads a PNG, JPEG or GIF and scans it; -1 with why when unreadable. */
int scan_image_file(const char *path, char codes[][SCAN_CODE_MAX], int max, const char **why);

#endif

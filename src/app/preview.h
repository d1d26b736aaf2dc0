/* The camera's picture on a screen, in half-block characters: each cell
 * shows two pixels, the upper in the glyph's colour, the lower in its
 * background, in as many grey levels as the terminal has (two without
 * 256 colours; without colour, blocks by a threshold). The found codes'
 * outlines are drawn over it in the admit colour, to aim a badge by. */
#ifndef BOXOFFICE_APP_PREVIEW_H
#define BOXOFFICE_APP_PREVIEW_H

#include "camera.h"

/* The cells a w×h picture takes within max_rows×max_cols, keeping its
 * shape (a cell is two pixels tall); 0×0 when it cannot be shown. */
void preview_size(int w, int h, int max_rows, int max_cols, int *rows, int *cols);
void preview_draw(const struct camera_preview *p, int y, int x, int rows, int cols);

#endif

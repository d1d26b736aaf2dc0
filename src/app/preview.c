#include "preview.h"

#include "../../screens/screen.h"
#include "theme.h"

#define MIN_COLS 8

void preview_size(int w, int h, int max_rows, int max_cols, int *rows, int *cols)
{
	int c = max_cols, r;

	*rows = *cols = 0;
	if (w <= 0 || h <= 0 || max_rows < 2 || max_cols < MIN_COLS)
		return;
	/* a cell is about twice as tall as wide: two picture rows a cell */
	r = (int)((long long)c * h / w / 2);
	if (r > max_rows) {
		r = max_rows;
		c = (int)((long long)r * 2 * w / h);
	}
	if (c < MIN_COLS || r < 2)
		return;
	*rows = r;
	*cols = c;
}

/* Average of the picture's pixels under one half cell. */
static int sample(const struct camera_preview *p, int cx, int half, int cols, int rows2)
{
	int x0 = cx * p->w / cols, x1 = (cx + 1) * p->w / cols;
	int y0 = half * p->h / rows2, y1 = (half + 1) * p->h / rows2;
	int sum = 0, n = 0;
	if (x1 <= x0)
		x1 = x0 + 1;
	if (y1 <= y0)
		y1 = y0 + 1;
	for (int y = y0; y < y1 && y < p->h; y++)
		for (int x = x0; x < x1 && x < p->w; x++) {
			sum += p->grey[y * p->w + x];
			n++;
		}
	return n ? sum / n : 0;
}

/* Is the cell on the outline of a found code? */
static bool on_outline(const struct camera_preview *p, int cx, int cy, int cols, int rows)
{
	for (int i = 0; i < p->nboxes; i++) {
		int x0 = p->boxes[i].x0 * cols / p->w, x1 = p->boxes[i].x1 * cols / p->w;
		int y0 = p->boxes[i].y0 * rows / p->h, y1 = p->boxes[i].y1 * rows / p->h;
		bool inside = cx >= x0 && cx <= x1 && cy >= y0 && cy <= y1;
		if (inside && (cx == x0 || cx == x1 || cy == y0 || cy == y1))
			return true;
	}
	return false;
}

void preview_draw(const struct camera_preview *p, int y, int x, int rows, int cols)
{
	int levels = theme_grey_levels();

	if (!p || p->w <= 0 || p->h <= 0 || rows <= 0 || cols <= 0)
		return;
	for (int cy = 0; cy < rows; cy++)
		for (int cx = 0; cx < cols; cx++) {
			int top = sample(p, cx, cy * 2, cols, rows * 2), bottom = sample(p, cx, cy * 2 + 1, cols, rows * 2);
			if (on_outline(p, cx, cy, cols, rows)) {
				draw_text(y + cy, x + cx, 1, "▀", theme_attr(C_ADMIT));
			} else if (levels && draw_ascii()) {
				/* no half blocks in ASCII: one grey a cell, as its background */
				int g = (top + bottom) / 2 * levels / 256;
				draw_text(y + cy, x + cx, 1, " ", theme_grey_pair(g, g));
			} else if (levels) {
				int t = top * levels / 256, b = bottom * levels / 256;
				draw_text(y + cy, x + cx, 1, "▀", theme_grey_pair(t, b));
			} else {
				/* no colour: light pixels are blocks, dark ones spaces */
				bool lt = top >= 128, lb = bottom >= 128;
				draw_text(y + cy, x + cx, 1, lt && lb ? "█" : lt ? "▀" : lb ? "▄" : " ", A_NORMAL);
			}
		}
}

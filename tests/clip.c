/* YUV4MPEG2 test clips (see clip.h): each scene is drawn once as a grey
 * picture, then written frame by frame with fresh sensor noise on top. */
#include "clip.h"

#include <errno.h>
#include <limits.h>
#include <gd.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/core/qr.h"
#include "src/core/rng.h"
#include "src/core/y4m.h"

#define CLIP_BACKGROUND 200
#define CLIP_NOISE 6 /* ± grey levels in every frame */
#define CLIP_SEED UINT64_C(0x636c6970) /* "clip" */

static void fail(char *why, size_t whylen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whylen)
		return;
	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
}

/* Loads an image, scales it (aspect kept) to fit box_w × box_h and pastes
 * its luma centred on (cx, cy). False with a reason. */
static bool paste_image(uint8_t *grey, int width, int height, const char *file, int cx, int cy, int box_w,
			int box_h, const char *label, char *why, size_t whylen)
{
	gdImagePtr src = gdImageCreateFromFile(file), dst;
	int sw, sh, dw, dh, x0, y0;

	if (!src) {
		fail(why, whylen, "scene \"%s\": %s is not a readable PNG or JPEG", label, file);
		return false;
	}
	sw = gdImageSX(src);
	sh = gdImageSY(src);
	/* the larger scale that still fits both sides of the box */
	if ((long long)sw * box_h > (long long)sh * box_w) {
		dw = box_w;
		dh = (int)(((long long)sh * box_w + sw / 2) / sw);
	} else {
		dh = box_h;
		dw = (int)(((long long)sw * box_h + sh / 2) / sh);
	}
	if (dw < 1 || dh < 1) {
		gdImageDestroy(src);
		fail(why, whylen, "scene \"%s\": no room in the frame for %s", label, file);
		return false;
	}
	if (!(dst = gdImageCreateTrueColor(dw, dh))) {
		gdImageDestroy(src);
		fail(why, whylen, "scene \"%s\": out of memory scaling %s", label, file);
		return false;
	}
	/* transparent parts of the image show as white paper */
	gdImageFilledRectangle(dst, 0, 0, dw - 1, dh - 1, gdTrueColor(255, 255, 255));
	gdImageAlphaBlending(dst, 1);
	gdImageCopyResampled(dst, src, 0, 0, 0, 0, dw, dh, sw, sh);
	gdImageDestroy(src);
	x0 = cx - dw / 2;
	y0 = cy - dh / 2;
	for (int y = 0; y < dh; y++) {
		if (y0 + y < 0 || y0 + y >= height)
			continue;
		for (int x = 0; x < dw; x++) {
			int c, r, g, b;
			if (x0 + x < 0 || x0 + x >= width)
				continue;
			c = gdImageGetTrueColorPixel(dst, x, y);
			r = gdTrueColorGetRed(c);
			g = gdTrueColorGetGreen(c);
			b = gdTrueColorGetBlue(c);
			grey[(size_t)(y0 + y) * (size_t)width + (size_t)(x0 + x)] =
				(uint8_t)((r * 299 + g * 587 + b * 114) / 1000);
		}
	}
	gdImageDestroy(dst);
	return true;
}

/* A black-on-white QR of text with its four-module quiet zone, whole
 * pixels per module, about 60% of the frame height, centred. */
static bool draw_qr(uint8_t *grey, int width, int height, const char *text, const char *label, char *why,
		    size_t whylen)
{
	struct qr q;
	int side = height * 3 / 5, module, px, x0, y0;

	if (side > width)
		side = width;
	if (!qr_make(text, &q)) {
		fail(why, whylen, "scene \"%s\": libqrencode cannot encode \"%s\"", label, text);
		return false;
	}
	module = side / (q.width + 8);
	if (module < 1) {
		qr_free(&q);
		fail(why, whylen, "scene \"%s\": the frame is too small for the QR of \"%s\"", label, text);
		return false;
	}
	px = (q.width + 8) * module;
	x0 = (width - px) / 2;
	y0 = (height - px) / 2;
	for (int y = 0; y < px; y++)
		for (int x = 0; x < px; x++)
			grey[(size_t)(y0 + y) * (size_t)width + (size_t)(x0 + x)] =
				qr_dark(&q, x / module - 4, y / module - 4) ? 0 : 255;
	qr_free(&q);
	return true;
}

/* The scene's picture without noise; false with a reason. */
bool clip_picture(uint8_t *grey, int width, int height, const struct clip_scene *s, char *why, size_t whylen)
{
	const char *label = s->label ? s->label : "?";
	int nimages = (s->images[0] != NULL) + (s->images[1] != NULL);

	memset(grey, CLIP_BACKGROUND, (size_t)width * (size_t)height);
	if (s->noise)
		return true; /* drawn per frame */
	if (s->qr_text)
		return draw_qr(grey, width, height, s->qr_text, label, why, whylen);
	if (nimages == 1) {
		const char *file = s->images[0] ? s->images[0] : s->images[1];
		return paste_image(grey, width, height, file, width / 2, height / 2, width * 19 / 20,
				   height * 3 / 4, label, why, whylen);
	}
	if (nimages == 2) {
		int margin = height / 32 > 2 ? height / 32 : 2;
		int box_w = width / 2 - 2 * margin, box_h = height - 2 * margin;
		return paste_image(grey, width, height, s->images[0], width / 4, height / 2, box_w, box_h, label,
				   why, whylen) &&
		       paste_image(grey, width, height, s->images[1], width / 2 + width / 4, height / 2, box_w,
				   box_h, label, why, whylen);
	}
	return true;
}

/* One frame's luma: the picture with ±CLIP_NOISE on every pixel, or all
 * random for a noise scene. */
static void frame_luma(uint8_t *out, const uint8_t *picture, size_t n, bool noise, struct rng *r)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t bits = rng_next(r);
		for (size_t k = i; k < n && k < i + 8; k++, bits >>= 8) {
			if (noise) {
				out[k] = (uint8_t)bits;
			} else {
				int v = picture[k] + (int)((bits & 0xff) % (2 * CLIP_NOISE + 1)) - CLIP_NOISE;
				out[k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
			}
		}
	}
}

/* round(seconds × fps), at least one; seconds already checked. */
static long scene_frames(const struct clip_scene *s, int fps)
{
	long n = (long)(s->seconds * fps + 0.5);
	return n < 1 ? 1 : n;
}

int clip_write(const char *path, int width, int height, int fps, enum clip_colour colour,
	       const struct clip_scene *scenes, int nscenes, char *why, size_t whylen)
{
	size_t luma, chroma;
	uint8_t *picture = NULL, *frame = NULL, *grey_chroma = NULL;
	struct rng r = { CLIP_SEED };
	FILE *f = NULL;
	int frames = 0;
	bool created = false;
	long long total = 0;

	if (why && whylen)
		why[0] = '\0';
	if (width < 1 || height < 1 || width > Y4M_MAX_SIDE || height > Y4M_MAX_SIDE) {
		fail(why, whylen, "frame size %d×%d out of range (1 to %d a side)", width, height, Y4M_MAX_SIDE);
		return -1;
	}
	if (fps < 1 || fps > 1000) {
		fail(why, whylen, "frame rate %d out of range (1 to 1000)", fps);
		return -1;
	}
	if (colour != CLIP_MONO && colour != CLIP_420) {
		fail(why, whylen, "colour is neither CLIP_MONO nor CLIP_420");
		return -1;
	}
	if (nscenes < 1 || !scenes) {
		fail(why, whylen, "a clip needs at least one scene");
		return -1;
	}
	for (int i = 0; i < nscenes; i++) {
		if (!isfinite(scenes[i].seconds) || scenes[i].seconds < 0 || scenes[i].seconds * fps > 1e7) {
			fail(why, whylen, "scene \"%s\": length is not a number of seconds from 0 up to 10^7 frames",
			     scenes[i].label ? scenes[i].label : "?");
			return -1;
		}
		total += scene_frames(&scenes[i], fps);
	}
	if (total > INT_MAX) {
		fail(why, whylen, "%lld frames are too many for one clip", total);
		return -1;
	}

	luma = (size_t)width * (size_t)height;
	chroma = colour == CLIP_MONO ? 0 : 2 * (size_t)((width + 1) / 2) * (size_t)((height + 1) / 2);
	picture = malloc(luma);
	frame = malloc(luma);
	grey_chroma = chroma ? malloc(chroma) : NULL;
	if (!picture || !frame || (chroma && !grey_chroma)) {
		fail(why, whylen, "out of memory");
		goto failed;
	}
	if (chroma)
		memset(grey_chroma, 128, chroma);
	if (!(f = fopen(path, "wb"))) {
		fail(why, whylen, "cannot write %s: %s", path, strerror(errno));
		goto failed;
	}
	{
		/* only a regular file is removed on failure, never /dev/full or a FIFO */
		struct stat st;
		created = fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode);
	}
	errno = 0;
	if (fprintf(f, "YUV4MPEG2 W%d H%d F%d:1 Ip A1:1 %s\n", width, height, fps,
		    colour == CLIP_MONO ? "Cmono" : "C420jpeg") < 0)
		goto write_failed;
	for (int i = 0; i < nscenes; i++) {
		long n = scene_frames(&scenes[i], fps);
		if (!clip_picture(picture, width, height, &scenes[i], why, whylen))
			goto failed;
		for (long k = 0; k < n; k++) {
			frame_luma(frame, picture, luma, scenes[i].noise, &r);
			errno = 0;
			if (fputs("FRAME\n", f) == EOF || fwrite(frame, 1, luma, f) != luma ||
			    (chroma && fwrite(grey_chroma, 1, chroma, f) != chroma))
				goto write_failed;
			frames++;
		}
	}
	if (fclose(f) != 0) {
		f = NULL;
		goto write_failed;
	}
	free(picture);
	free(frame);
	free(grey_chroma);
	return frames;

write_failed:
	fail(why, whylen, "cannot write %s: %s", path, errno ? strerror(errno) : "write error");
failed:
	if (f)
		fclose(f);
	if (created)
		remove(path); /* no half clip left behind */
	free(picture);
	free(frame);
	free(grey_chroma);
	return -1;
}

/* Badge PNGs: event band, name, company, ticket type and the QR of the
 * token, laid out by the template in assets/badge.conf. */
#include "badge.h"
#include "paths.h"

#include <errno.h>
#include <gd.h>
#include <gdfonts.h>
#include <gdfontg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#include "../core/fit_lines.h"
#include "../core/qr.h"



struct template {
	int width, height, band_height, qr_module;
	int event_size, name_size, company_size, type_size, token_size;
	char background[8], band[8], band_text[8], text[8], muted[8];
	char font_bold[256], font[256];
};

/* Keys of the template as data: name, where its value goes, and whether
 * it is a number. */
static void template_defaults(struct template *t)
{
	*t = (struct template){
		.width = 1050, .height = 1500, .band_height = 200, .qr_module = 11,
		.event_size = 40, .name_size = 64, .company_size = 40, .type_size = 36, .token_size = 14,
		.background = "#ffffff", .band = "#1f4e79", .band_text = "#ffffff", .text = "#111111",
		.muted = "#555555",
		.font_bold = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
		.font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
	};
}

static void template_load(struct template *t)
{
	const struct {
		const char *key;
		int *number;
		char *text;
		size_t size;
	} keys[] = {
		{ "width", &t->width, NULL, 0 }, { "height", &t->height, NULL, 0 },
		{ "band_height", &t->band_height, NULL, 0 }, { "qr_module", &t->qr_module, NULL, 0 },
		{ "event_size", &t->event_size, NULL, 0 }, { "name_size", &t->name_size, NULL, 0 },
		{ "company_size", &t->company_size, NULL, 0 }, { "type_size", &t->type_size, NULL, 0 },
		{ "token_size", &t->token_size, NULL, 0 },
		{ "background", NULL, t->background, sizeof t->background },
		{ "band", NULL, t->band, sizeof t->band }, { "band_text", NULL, t->band_text, sizeof t->band_text },
		{ "text", NULL, t->text, sizeof t->text }, { "muted", NULL, t->muted, sizeof t->muted },
		{ "font_bold", NULL, t->font_bold, sizeof t->font_bold }, { "font", NULL, t->font, sizeof t->font },
	};
	const char *dir = paths_assets_dir();
	char path[1024], line[512];
	FILE *f;

	template_defaults(t);
	snprintf(path, sizeof path, "%s/badge.conf", dir);
	if (!(f = fopen(path, "r")))
		return;
	while (fgets(line, sizeof line, f)) {
		char key[64], value[300];
		if (line[0] == '#' || sscanf(line, " %63[a-z_] = %299[^\n]", key, value) != 2)
			continue;
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
			if (strcmp(keys[i].key, key) != 0)
				continue;
			if (keys[i].number)
				*keys[i].number = atoi(value);
			else
				snprintf(keys[i].text, keys[i].size, "%s", value);
		}
	}
	fclose(f);
}

static int color(gdImagePtr im, const char *hex)
{
	unsigned v = 0;
	if (hex[0] == '#')
		v = (unsigned)strtoul(hex + 1, NULL, 16);
	return gdImageColorAllocate(im, (int)(v >> 16) & 255, (int)(v >> 8) & 255, (int)v & 255);
}

/* The built-in font for a size, when the TrueType one is missing. */
static gdFontPtr builtin_font(double size)
{
	return size > 30 ? gdFontGetGiant() : gdFontGetSmall();
}

/* Width of s at size in font (fit_lines' measure); ctx is the font path. */
static int text_width(void *ctx, const char *s, double size)
{
	const char *font = ctx;
	int brect[8];

	if (access(font, R_OK) == 0 && !gdImageStringFT(NULL, brect, 0, (char *)font, size, 0, 0, 0, (char *)s))
		return brect[2] - brect[0];
	return (int)strlen(s) * builtin_font(size)->w;
}

/* Centred text; TrueType when the font is there, else the built-in font. */
static void text_centered(gdImagePtr im, const char *font, double size, int col, int y, const char *s)
{
	int brect[8];
	char *err;

	if (!s || !*s)
		return;
	if (access(font, R_OK) == 0 &&
	    !(err = gdImageStringFT(NULL, brect, col, (char *)font, size, 0, 0, 0, (char *)s))) {
		int w = brect[2] - brect[0];
		gdImageStringFT(im, brect, col, (char *)font, size, 0, (gdImageSX(im) - w) / 2, y, (char *)s);
		return;
	}
	{
		gdFontPtr f = builtin_font(size);
		int w = (int)strlen(s) * f->w;
		gdImageString(im, f, (gdImageSX(im) - w) / 2, y - f->h, (unsigned char *)s, col);
	}
}

/* The room a line of text has: the badge less a margin each side, so a
 * line centred in it is never cut on either side. */
static int text_room(const struct template *t)
{
	return t->width - 2 * (t->width / 20);
}

/* s laid out in at most max_lines lines that fit (fit_lines), from size
 * down to half of it; "..." for the built-in font, which has no "…". */
static void text_fit(const struct template *t, const char *font, double size, int max_lines, const char *s,
		     struct fit_lines *f)
{
	fit_lines(s ? s : "", text_room(t), size, size / 2, max_lines, access(font, R_OK) == 0 ? "\u2026" : "...",
		  text_width, (void *)font, f);
}

/* Draws the lines with their first baseline at y; returns the last
 * baseline (y when there are none). */
static int text_lines(gdImagePtr im, const char *font, int col, int y, const struct fit_lines *f)
{
	for (int i = 0; i < f->n; i++) {
		if (i)
			y += (int)(f->size * 1.6); /* points at 96 dpi, and the leading */
		text_centered(im, font, f->size, col, y, f->line[i]);
	}
	return y;
}

void badge_name_lines(const char *name, struct fit_lines *out, int *room)
{
	struct template t;

	template_load(&t);
	text_fit(&t, t.font_bold, t.name_size, 3, name, out);
	*room = text_room(&t);
}

bool badge_render(const struct badge *b, const char *png_path, char *err, size_t errsize)
{
	struct template t;
	struct fit_lines f;
	struct qr q;
	gdImagePtr im;
	int bg, band, band_text, text, muted, dark, qr_px, qx, qy, y;
	FILE *out;
	bool ok;

	template_load(&t);
	if (!qr_make(b->token, &q)) {
		snprintf(err, errsize, "cannot make a QR code of the token");
		return false;
	}
	im = gdImageCreateTrueColor(t.width, t.height);
	bg = color(im, t.background);
	band = color(im, t.band);
	band_text = color(im, t.band_text);
	text = color(im, t.text);
	muted = color(im, t.muted);
	dark = gdImageColorAllocate(im, 0, 0, 0);
	gdImageFilledRectangle(im, 0, 0, t.width - 1, t.height - 1, bg);
	gdImageFilledRectangle(im, 0, 0, t.width - 1, t.band_height - 1, band);
	/* each text whole, on lines that fit, smaller if it must; the name
	 * on up to three lines, the company two, the event and type one */
	text_fit(&t, t.font_bold, t.event_size, 1, b->event, &f);
	text_lines(im, t.font_bold, band_text, t.band_height / 2 + (int)f.size / 2, &f);
	text_fit(&t, t.font_bold, t.name_size, 3, b->name, &f);
	y = text_lines(im, t.font_bold, text, t.band_height + 40 + (int)f.size, &f);
	text_fit(&t, t.font, t.company_size, 2, b->company, &f);
	y = text_lines(im, t.font, muted, y + (int)f.size + 40, &f);
	text_fit(&t, t.font_bold, t.type_size, 1, b->type, &f);
	y = text_lines(im, t.font_bold, text, y + (int)f.size + 40, &f);
	/* The QR with its four-module quiet zone, centred below. */
	qr_px = (q.width + 8) * t.qr_module;
	qx = (t.width - qr_px) / 2;
	qy = y + 40;
	if (qy + qr_px > t.height - 5 * t.token_size)
		qy = t.height - 5 * t.token_size - qr_px;
	for (int my = 0; my < q.width; my++)
		for (int mx = 0; mx < q.width; mx++)
			if (qr_dark(&q, mx, my))
				gdImageFilledRectangle(im, qx + (mx + 4) * t.qr_module, qy + (my + 4) * t.qr_module,
						       qx + (mx + 5) * t.qr_module - 1, qy + (my + 5) * t.qr_module - 1,
						       dark);
	/* The token in two lines, for reading out when a scanner fails. */
	{
		size_t half = strlen(b->token) / 2;
		char first[128];
		snprintf(first, sizeof first, "%.*s", (int)half, b->token);
		text_centered(im, t.font, t.token_size, muted, qy + qr_px + 2 * t.token_size, first);
		text_centered(im, t.font, t.token_size, muted, qy + qr_px + 4 * t.token_size, b->token + half);
	}
	qr_free(&q);

	if (!(out = fopen(png_path, "wb"))) {
		snprintf(err, errsize, "cannot write %s: %s", png_path, strerror(errno));
		gdImageDestroy(im);
		return false;
	}
	gdImagePng(im, out);
	ok = !ferror(out);
	if (fclose(out) != 0)
		ok = false;
	gdImageDestroy(im);
	if (!ok) {
		snprintf(err, errsize, "cannot write %s", png_path);
		remove(png_path);
	}
	return ok;
}

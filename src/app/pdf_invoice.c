#include "pdf_invoice.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/money.h"
#include "../core/util.h"

#define A4_W 595.28
#define A4_H 841.89
#define MARGIN 50.0
#define RIGHT (A4_W - MARGIN)
#define BOTTOM (A4_H - 70.0)

enum align { LEFT_, RIGHT_, CENTRE_ };

static void font(cairo_t *cr, double size, bool bold)
{
	cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
			       bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, size);
}

/* Cuts text (at a UTF-8 character) until it is at most width wide. */
static void fit(cairo_t *cr, char *text, double width)
{
	cairo_text_extents_t e;
	size_t n = strlen(text);
	for (;;) {
		cairo_text_extents(cr, text, &e);
		if (e.x_advance <= width || n == 0)
			return;
		n = utf8_prefix(text, n - 1); /* one character less */
		text[n] = '\0';
	}
}

static void text_at(cairo_t *cr, double x, double y, enum align a, double width, const char *s)
{
	char buf[1024];
	cairo_text_extents_t e;

	utf8_copy(buf, sizeof buf, s);
	if (width > 0)
		fit(cr, buf, width);
	cairo_text_extents(cr, buf, &e);
	if (a == RIGHT_)
		x -= e.x_advance;
	else if (a == CENTRE_)
		x -= e.x_advance / 2;
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, buf);
}

static void rule(cairo_t *cr, double y, double x0, double x1)
{
	cairo_set_line_width(cr, 0.6);
	cairo_move_to(cr, x0, y);
	cairo_line_to(cr, x1, y);
	cairo_stroke(cr);
}

/* Words of s wrapped into lines of width from x; returns the next y. */
static double wrapped(cairo_t *cr, double x, double y, double width, double leading, const char *s)
{
	char line[600] = "", word[300];
	cairo_text_extents_t e;
	const char *p = s;

	while (*p) {
		size_t n;
		char trial[900];
		while (*p == ' ')
			p++;
		n = strcspn(p, " ");
		if (n == 0)
			break;
		snprintf(word, sizeof word, "%.*s", (int)utf8_prefix(p, n < sizeof word - 1 ? n : sizeof word - 1), p);
		p += n;
		snprintf(trial, sizeof trial, "%s%s%s", line, line[0] ? " " : "", word);
		cairo_text_extents(cr, trial, &e);
		if (e.x_advance > width && line[0]) {
			text_at(cr, x, y, LEFT_, width, line);
			y += leading;
			utf8_copy(line, sizeof line, word);
		} else {
			utf8_copy(line, sizeof line, trial);
		}
	}
	if (line[0]) {
		text_at(cr, x, y, LEFT_, width, line);
		y += leading;
	}
	return y;
}

/* Each \n-separated line of s; returns the next y. */
static double lines_at(cairo_t *cr, double x, double y, double width, double leading, const char *s)
{
	char line[600];
	while (*s) {
		size_t n = strcspn(s, "\n");
		snprintf(line, sizeof line, "%.*s", (int)utf8_prefix(s, n < sizeof line - 1 ? n : sizeof line - 1), s);
		if (line[0])
			y = wrapped(cr, x, y, width, leading, line);
		s += n;
		if (*s == '\n')
			s++;
	}
	return y;
}

static void set_meta(cairo_surface_t *surface, const char *title, const char *date)
{
	char iso[40];
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "boxoffice");
	/* the document's own date: printing it again gives the same file */
	if (strlen(date) >= 10) {
		snprintf(iso, sizeof iso, "%.10sT00:00:00Z", date);
		cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, iso);
	}
}

/* Finishes the surface and renames the .part file into place. */
static bool finish(cairo_surface_t *surface, cairo_t *cr, const char *part, const char *path, char *why,
		   size_t size)
{
	cairo_status_t st;

	cairo_destroy(cr);
	cairo_surface_finish(surface);
	st = cairo_surface_status(surface);
	cairo_surface_destroy(surface);
	/* cairo and fontconfig keep font caches for the life of the process;
	 * a document is made once per (short) process: let them go, so the
	 * sanitizer build sees no leak and a long process holds nothing */
	cairo_debug_reset_static_data();
	FcFini();
	if (st != CAIRO_STATUS_SUCCESS) {
		snprintf(why, size, "%s: %s", path, st == CAIRO_STATUS_WRITE_ERROR ? "cannot write the file"
							: cairo_status_to_string(st));
		remove(part);
		return false;
	}
	{
		/* the file the part replaces: open_surface named it TARGET.part */
		char target[PATH_MAX + 8];
		snprintf(target, sizeof target, "%s", part);
		target[strlen(target) - 5] = '\0';
		if (rename(part, target) != 0) {
			snprintf(why, size, "%s: %s", path, strerror(errno));
			remove(part);
			return false;
		}
	}
	return true;
}

static cairo_surface_t *open_surface(const char *path, double w, double h, char *part, size_t partsize,
				     char *why, size_t size)
{
	cairo_surface_t *surface;
	FILE *probe;

	struct stat st;
	char target[PATH_MAX];

	/* A PDF replaces only a regular file (written beside it, then renamed
	 * over it): never a device, a FIFO or the link itself (--pdf
	 * /dev/null turned the device into a file). A link is followed. */
	snprintf(target, sizeof target, "%s", path);
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {
			if (!realpath(path, target)) {
				snprintf(why, size, "%s: a link to %s", path, errno == ENOENT ? "nothing" : strerror(errno));
				return NULL;
			}
			if (stat(target, &st) != 0) {
				snprintf(why, size, "%s: %s", path, strerror(errno));
				return NULL;
			}
		}
		if (!S_ISREG(st.st_mode)) {
			snprintf(why, size, "%s: not a regular file (a PDF goes to a file)", path);
			return NULL;
		}
	}
	snprintf(part, partsize, "%s.part", target);
	/* cairo only says "write error"; ask the file system why first */
	if (!(probe = fopen(part, "wb"))) {
		snprintf(why, size, "%s: %s", path, strerror(errno));
		return NULL;
	}
	fclose(probe);
	surface = cairo_pdf_surface_create(part, w, h);
	if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
		snprintf(why, size, "%s: %s", path, cairo_status_to_string(cairo_surface_status(surface)));
		cairo_surface_destroy(surface);
		remove(part);
		return NULL;
	}
	return surface;
}

/* Table columns (right edges, except the item's left edge). */
#define C_ITEM MARGIN
#define C_QTY 300.0
#define C_UNIT 372.0
#define C_NET 444.0
#define C_RATE 490.0
#define C_VAT RIGHT

static double table_head(cairo_t *cr, double y)
{
	font(cr, 9, true);
	text_at(cr, C_ITEM, y, LEFT_, 0, "Item");
	text_at(cr, C_QTY, y, RIGHT_, 0, "Qty");
	text_at(cr, C_UNIT, y, RIGHT_, 0, "Unit net");
	text_at(cr, C_NET, y, RIGHT_, 0, "Net");
	text_at(cr, C_RATE, y, RIGHT_, 0, "VAT %");
	text_at(cr, C_VAT, y, RIGHT_, 0, "VAT");
	rule(cr, y + 5, MARGIN, RIGHT);
	font(cr, 9, false);
	return y + 18;
}

static double new_page(cairo_t *cr, const struct document *d, int *page)
{
	char buf[200];
	cairo_show_page(cr);
	(*page)++;
	font(cr, 9, false);
	snprintf(buf, sizeof buf, "Invoice %s, page %d (continued)", d->invoice_code, *page);
	text_at(cr, MARGIN, 50, LEFT_, 0, buf);
	return table_head(cr, 80);
}

static void pair(cairo_t *cr, double y, const char *label, const char *value)
{
	text_at(cr, 340, y, LEFT_, 0, label);
	text_at(cr, RIGHT, y, RIGHT_, RIGHT - 430, value);
}

bool pdf_invoice_write(const struct document *d, const char *path, char *why, size_t size)
{
	char part[4200], buf[2048], a[40], b[40], rate[16], order[32];
	cairo_surface_t *surface;
	cairo_t *cr;
	double y, ry;
	int page = 1;

	if (d->invoice_no <= 0) {
		snprintf(why, size, "order %lld has no invoice number", d->order_id);
		return false;
	}
	if (!(surface = open_surface(path, A4_W, A4_H, part, sizeof part, why, size)))
		return false;
	snprintf(buf, sizeof buf, "Invoice %s", d->invoice_code);
	set_meta(surface, buf, d->issued_on);
	cr = cairo_create(surface);
	cairo_set_source_rgb(cr, 0, 0, 0);

	/* seller, top left; INVOICE and its numbers, top right */
	font(cr, 22, true);
	text_at(cr, RIGHT, 70, RIGHT_, 0, "INVOICE");
	y = 70;
	if (d->has_seller) {
		font(cr, 14, true);
		text_at(cr, MARGIN, y, LEFT_, 270, d->seller.name);
		y += 18;
		font(cr, 9, false);
		y = lines_at(cr, MARGIN, y, 270, 12, d->seller.address);
		if (d->seller.vat_number[0]) {
			snprintf(buf, sizeof buf, "VAT no. %s", d->seller.vat_number);
			text_at(cr, MARGIN, y, LEFT_, 270, buf);
			y += 12;
		}
		if (d->seller.email[0]) {
			text_at(cr, MARGIN, y, LEFT_, 270, d->seller.email);
			y += 12;
		}
	} else {
		font(cr, 9, false);
		text_at(cr, MARGIN, y, LEFT_, 270, "Seller details are not set (boxoffice seller set).");
		y += 12;
	}
	font(cr, 9, false);
	ry = 100;
	pair(cr, ry, "Invoice no.", d->invoice_code);
	pair(cr, ry += 13, "Invoice date", d->issued_on);
	pair(cr, ry += 13, "Due date", d->due_on);
	snprintf(order, sizeof order, "#%lld", d->order_id);
	pair(cr, ry += 13, "Order", order);
	pair(cr, ry += 13, "Payment reference", d->payment_ref);
	ry += 13;
	y = (y > ry ? y : ry) + 20;

	/* buyer */
	font(cr, 10, true);
	text_at(cr, MARGIN, y, LEFT_, 0, "Bill to");
	y += 14;
	font(cr, 10, false);
	if (d->buyer.name[0]) {
		text_at(cr, MARGIN, y, LEFT_, 400, d->buyer.name);
		y += 13;
	}
	if (d->buyer.contact[0]) {
		text_at(cr, MARGIN, y, LEFT_, 400, d->buyer.contact);
		y += 13;
	}
	if (d->buyer.email[0]) {
		text_at(cr, MARGIN, y, LEFT_, 400, d->buyer.email);
		y += 13;
	}
	if (d->buyer.vat_number[0]) {
		snprintf(buf, sizeof buf, "VAT no. %s", d->buyer.vat_number);
		text_at(cr, MARGIN, y, LEFT_, 400, buf);
		y += 13;
	}
	y += 10;
	font(cr, 10, false);
	snprintf(buf, sizeof buf, "Event: %s, %s", d->event_name, d->event_date);
	text_at(cr, MARGIN, y, LEFT_, RIGHT - MARGIN, buf);
	y += 24;

	/* lines */
	y = table_head(cr, y);
	for (size_t i = 0; i < d->nlines; i++) {
		const struct doc_line *l = &d->lines[i];
		if (y > BOTTOM)
			y = new_page(cr, d, &page);
		text_at(cr, C_ITEM, y, LEFT_, C_QTY - C_ITEM - 40, l->type);
		snprintf(buf, sizeof buf, "%d", l->qty);
		text_at(cr, C_QTY, y, RIGHT_, 0, buf);
		money_format(a, sizeof a, l->unit_cents);
		text_at(cr, C_UNIT, y, RIGHT_, 0, a);
		money_format(a, sizeof a, l->net_cents);
		text_at(cr, C_NET, y, RIGHT_, 0, a);
		doc_rate_text(rate, sizeof rate, l->vat_bp);
		text_at(cr, C_RATE, y, RIGHT_, 0, rate);
		money_format(a, sizeof a, l->vat_cents);
		text_at(cr, C_VAT, y, RIGHT_, 0, a);
		y += 14;
	}
	rule(cr, y - 8, MARGIN, RIGHT);
	if (y + 40 + 14.0 * (double)d->nrates > BOTTOM)
		y = new_page(cr, d, &page);
	y += 8;

	/* totals: net, VAT per rate, gross */
	font(cr, 10, false);
	money_format(a, sizeof a, d->net_cents);
	text_at(cr, 300, y, LEFT_, 0, "Total net");
	text_at(cr, RIGHT, y, RIGHT_, 0, a);
	y += 14;
	for (size_t i = 0; i < d->nrates; i++) {
		doc_rate_text(rate, sizeof rate, d->rates[i].vat_bp);
		money_format(a, sizeof a, d->rates[i].net_cents);
		money_format(b, sizeof b, d->rates[i].vat_cents);
		snprintf(buf, sizeof buf, "VAT %s of %s", rate, a);
		text_at(cr, 300, y, LEFT_, 0, buf);
		text_at(cr, RIGHT, y, RIGHT_, 0, b);
		y += 14;
	}
	money_format(a, sizeof a, d->vat_cents);
	text_at(cr, 300, y, LEFT_, 0, "Total VAT");
	text_at(cr, RIGHT, y, RIGHT_, 0, a);
	y += 6;
	rule(cr, y, 300, RIGHT);
	y += 14;
	font(cr, 11, true);
	money_format(a, sizeof a, d->gross_cents);
	snprintf(buf, sizeof buf, "Total due%s%s", d->currency[0] ? " " : "", d->currency);
	text_at(cr, 300, y, LEFT_, 0, buf);
	text_at(cr, RIGHT, y, RIGHT_, 0, a);
	y += 30;

	/* how to pay */
	if (y > BOTTOM - 30)
		y = new_page(cr, d, &page) - 18;
	font(cr, 10, false);
	snprintf(buf, sizeof buf, "Please pay %s%s%s by %s%s%s, quoting the payment reference %s.", a,
		 d->currency[0] ? " " : "", d->currency, d->due_on,
		 d->has_seller && d->seller.bank[0] ? " to " : "", d->has_seller ? d->seller.bank : "",
		 d->payment_ref);
	y = wrapped(cr, MARGIN, y, RIGHT - MARGIN, 13, buf);

	/* footer */
	font(cr, 8, false);
	if (d->has_seller) {
		snprintf(buf, sizeof buf, "%s%s%s%s%s", d->seller.name, d->seller.vat_number[0] ? " · VAT no. " : "",
			 d->seller.vat_number, d->seller.email[0] ? " · " : "", d->seller.email);
		text_at(cr, A4_W / 2, A4_H - 40, CENTRE_, RIGHT - MARGIN, buf);
	}
	cairo_show_page(cr);
	return finish(surface, cr, part, path, why, size);
}

#define ROLL_W 226.77 /* 80 mm */
#define ROLL_COLS 42

bool pdf_receipt_write(const struct document *d, const char *path, char *why, size_t size)
{
	char part[4200], title[64], *text = doc_receipt_text(d, ROLL_COLS), *p;
	cairo_surface_t *surface;
	cairo_t *cr;
	int nlines = 0;
	double y, leading = 10.5;

	for (p = text; *p; p++)
		nlines += *p == '\n';
	surface = open_surface(path, ROLL_W, 36 + leading * nlines, part, sizeof part, why, size);
	if (!surface) {
		free(text);
		return false;
	}
	snprintf(title, sizeof title, "Receipt, order #%lld", d->order_id);
	set_meta(surface, title, d->created);
	cr = cairo_create(surface);
	cairo_set_source_rgb(cr, 0, 0, 0);
	cairo_select_font_face(cr, "DejaVu Sans Mono", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 8.0); /* 42 columns in 72 mm */
	y = 24;
	for (p = text; *p;) {
		size_t n = strcspn(p, "\n");
		char line[600];
		snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line - 1 ? n : sizeof line - 1), p);
		cairo_move_to(cr, 11, y);
		cairo_show_text(cr, line);
		y += leading;
		p += n;
		if (*p == '\n')
			p++;
	}
	free(text);
	cairo_show_page(cr);
	return finish(surface, cr, part, path, why, size);
}

#include "document.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "util.h"

void doc_free(struct document *d)
{
	free(d->lines);
	d->lines = NULL;
	d->nlines = 0;
}

void doc_invoice_code(char *out, size_t size, long long event_id, int invoice_no)
{
	snprintf(out, size, "INV-%lld-%d", event_id, invoice_no);
}

/* ISO 7064 MOD 97-10 over the reference with letters as 10..35. */
static int mod97(const char *s)
{
	int m = 0;
	for (; *s; s++) {
		char c = *s;
		if (c == ' ')
			continue;
		if (c >= '0' && c <= '9') {
			m = (m * 10 + (c - '0')) % 97;
		} else {
			int v;
			if (c >= 'a' && c <= 'z')
				c = (char)(c - 'a' + 'A');
			if (c < 'A' || c > 'Z')
				return -1;
			v = c - 'A' + 10;
			m = (m * 100 + v) % 97;
		}
	}
	return m;
}

bool doc_payment_ref(char *out, size_t size, long long event_id, int invoice_no)
{
	char ref[64], moved[80], plain[32];
	size_t o = 0;
	int check;

	if (event_id < 0 || invoice_no < 0)
		return false;
	snprintf(ref, sizeof ref, "%lld%06d", event_id, invoice_no);
	if (strlen(ref) > 21)
		return false;
	snprintf(moved, sizeof moved, "%sRF00", ref);
	check = 98 - mod97(moved);
	snprintf(plain, sizeof plain, "RF%02d%s", check, ref);
	for (size_t i = 0; plain[i]; i++) {
		if (i > 0 && i % 4 == 0) {
			if (o + 1 >= size)
				return false;
			out[o++] = ' ';
		}
		if (o + 1 >= size)
			return false;
		out[o++] = plain[i];
	}
	out[o] = '\0';
	return true;
}

bool doc_payment_ref_valid(const char *text)
{
	char plain[64], moved[80];
	size_t n = 0;

	for (const char *p = text; *p; p++) {
		if (*p == ' ')
			continue;
		if (n + 1 >= sizeof plain)
			return false;
		plain[n++] = *p;
	}
	plain[n] = '\0';
	if (n < 5 || n > 25 || (plain[0] != 'R' && plain[0] != 'r') || (plain[1] != 'F' && plain[1] != 'f'))
		return false;
	snprintf(moved, sizeof moved, "%s%.4s", plain + 4, plain);
	return mod97(moved) == 1;
}

void doc_rate_text(char *out, size_t size, int vat_bp)
{
	if (vat_bp % 100 == 0)
		snprintf(out, size, "%d%%", vat_bp / 100);
	else if (vat_bp % 10 == 0)
		snprintf(out, size, "%d.%d%%", vat_bp / 100, (vat_bp % 100) / 10);
	else
		snprintf(out, size, "%d.%02d%%", vat_bp / 100, vat_bp % 100);
}

bool doc_finish(struct document *d, char *why, size_t size)
{
	d->nrates = 0;
	d->net_cents = d->vat_cents = 0;
	for (size_t i = 0; i < d->nlines; i++) {
		const struct doc_line *l = &d->lines[i];
		size_t r;
		for (r = 0; r < d->nrates && d->rates[r].vat_bp != l->vat_bp; r++)
			;
		if (r == d->nrates) {
			if (d->nrates == DOC_MAX_RATES) {
				snprintf(why, size, "more than %d VAT rates on one document", DOC_MAX_RATES);
				return false;
			}
			d->rates[d->nrates++] = (struct doc_rate){ .vat_bp = l->vat_bp };
		}
		d->rates[r].net_cents += l->net_cents;
		d->rates[r].vat_cents += l->vat_cents;
		d->net_cents += l->net_cents;
		d->vat_cents += l->vat_cents;
	}
	/* highest rate first */
	for (size_t i = 1; i < d->nrates; i++)
		for (size_t j = i; j > 0 && d->rates[j].vat_bp > d->rates[j - 1].vat_bp; j--) {
			struct doc_rate t = d->rates[j];
			d->rates[j] = d->rates[j - 1];
			d->rates[j - 1] = t;
		}
	d->gross_cents = d->net_cents + d->vat_cents;
	if (d->net_cents != d->order_net_cents || d->vat_cents != d->order_vat_cents) {
		snprintf(why, size, "order %lld: its lines add up to %lld net, %lld VAT, the order says %lld, %lld",
			 d->order_id, (long long)d->net_cents, (long long)d->vat_cents,
			 (long long)d->order_net_cents, (long long)d->order_vat_cents);
		return false;
	}
	d->invoice_code[0] = d->payment_ref[0] = '\0';
	if (d->invoice_no > 0) {
		doc_invoice_code(d->invoice_code, sizeof d->invoice_code, d->event_id, d->invoice_no);
		if (!doc_payment_ref(d->payment_ref, sizeof d->payment_ref, d->event_id, d->invoice_no))
			snprintf(d->payment_ref, sizeof d->payment_ref, "%s", d->invoice_code);
	}
	return true;
}

size_t doc_text_columns(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* The byte length of the first cols characters of s. */
static size_t bytes_of_columns(const char *s, size_t cols)
{
	size_t i = 0, n = 0;
	while (s[i]) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (n == cols)
				break;
			n++;
		}
		i++;
	}
	return i;
}

char *doc_invoice_said(char *buf, size_t size, const char *code, bool seller_set, const char *mailed_to,
		       const char *not_mailed, int width)
{
	/* the longest first; each drops words, never what to do next */
	static const struct {
		const char *lead, *saved, *seller;
	} forms[] = {
		{ "invoice ", " saved as PDF", " · SELLER NOT SET (boxoffice seller set)" },
		{ "invoice ", " saved", " · SELLER NOT SET (boxoffice seller set)" },
		{ "", " saved", " · SELLER NOT SET: boxoffice seller set" },
		{ "", " saved", " · NO SELLER: boxoffice seller set" },
	};
	const int n = (int)(sizeof forms / sizeof forms[0]);
	const char *mail = mailed_to ? " · mailed to " : not_mailed ? " · not mailed: " : "";
	const char *what = mailed_to ? mailed_to : not_mailed ? not_mailed : "";
	char head[300], cut[1024];
	int room;

	for (int i = 0; i < n; i++) {
		snprintf(head, sizeof head, "%s%s%s%s%s", forms[i].lead, code ? code : "", forms[i].saved,
			 seller_set ? "" : forms[i].seller, mail);
		if ((int)doc_text_columns(head) + (int)doc_text_columns(what) <= width || i == n - 1)
			break;
	}
	/* the shortest words: the address or the reason gives way, with "…" */
	room = width - (int)doc_text_columns(head);
	if ((int)doc_text_columns(what) > room) {
		size_t len = room > 1 ? bytes_of_columns(what, (size_t)room - 1) : 0;
		snprintf(cut, sizeof cut, "%.*s…", (int)len, what);
		what = cut;
	}
	snprintf(buf, size, "%s%s", head, what);
	return buf;
}

struct out {
	char *buf;
	size_t len, cap;
	int width;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		o->cap = (o->len + n + 1) * 2;
		o->buf = xrealloc(o->buf, o->cap);
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void put_spaces(struct out *o, size_t n)
{
	while (n-- > 0)
		put(o, " ", 1);
}

/* Text wrapped at spaces to the width (a word longer than the width is
 * cut into pieces), each piece aligned: 0 left, 1 centred. */
static void put_wrapped(struct out *o, const char *text, int align, size_t indent)
{
	size_t width = (size_t)o->width - indent;
	const char *p = text;

	while (*p == ' ')
		p++;
	while (*p) {
		size_t take = bytes_of_columns(p, width), cols;
		if (p[take] && p[take] != ' ') {
			size_t back = take;
			while (back > 0 && p[back] != ' ')
				back--;
			if (back > 0)
				take = back;
		}
		while (take > 0 && p[take - 1] == ' ')
			take--;
		{
			char piece[512];
			size_t n = take < sizeof piece - 1 ? take : sizeof piece - 1;
			memcpy(piece, p, n);
			piece[n] = '\0';
			cols = doc_text_columns(piece);
			put_spaces(o, indent + (align == 1 ? (width - cols) / 2 : 0));
			put(o, piece, n);
			put(o, "\n", 1);
		}
		p += take;
		while (*p == ' ')
			p++;
	}
}

/* Each line of a multi-line text (the seller's address), wrapped. */
static void put_lines(struct out *o, const char *text, int align)
{
	char line[512];
	while (*text) {
		size_t n = strcspn(text, "\n");
		snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line - 1 ? n : sizeof line - 1), text);
		put_wrapped(o, line, align, 0);
		text += n;
		if (*text == '\n')
			text++;
	}
}

/* left ... right on one line; left is cut to leave room for right. */
static void put_pair(struct out *o, const char *left, const char *right_in)
{
	char l[512], right[512];
	size_t rb = bytes_of_columns(right_in, (size_t)o->width - 1), rc, room, lb, lc;

	snprintf(right, sizeof right, "%.*s", (int)(rb < sizeof right - 1 ? rb : sizeof right - 1), right_in);
	rc = doc_text_columns(right);
	room = (size_t)o->width > rc + 1 ? (size_t)o->width - rc - 1 : 0;
	lb = bytes_of_columns(left, room);

	snprintf(l, sizeof l, "%.*s", (int)(lb < sizeof l - 1 ? lb : sizeof l - 1), left);
	lc = doc_text_columns(l);
	put(o, l, strlen(l));
	put_spaces(o, (size_t)o->width - rc - lc);
	put(o, right, strlen(right));
	put(o, "\n", 1);
}

static void put_rule(struct out *o, char c)
{
	for (int i = 0; i < o->width; i++)
		put(o, &c, 1);
	put(o, "\n", 1);
}

char *doc_receipt_text(const struct document *d, int width)
{
	struct out o = { .width = width < 32 ? 32 : width > 80 ? 80 : width };
	char a[64], b[64], left[1024], right[64], rate[16];

	put(&o, "", 0);
	if (d->has_seller) {
		put_wrapped(&o, d->seller.name, 1, 0);
		put_lines(&o, d->seller.address, 1);
		if (d->seller.vat_number[0]) {
			snprintf(left, sizeof left, "VAT no. %s", d->seller.vat_number);
			put_wrapped(&o, left, 1, 0);
		}
	}
	put_rule(&o, '-');
	snprintf(right, sizeof right, "Order #%lld", d->order_id);
	put_pair(&o, "RECEIPT", right);
	snprintf(left, sizeof left, "Station %s", d->station);
	put_pair(&o, d->created, d->station[0] ? left : "");
	snprintf(left, sizeof left, "%s %s", d->event_name, d->event_date);
	put_wrapped(&o, left, 0, 0);
	if (d->buyer.name[0])
		put_wrapped(&o, d->buyer.name, 0, 0);
	put_rule(&o, '-');
	for (size_t i = 0; i < d->nlines; i++) {
		const struct doc_line *l = &d->lines[i];
		doc_rate_text(rate, sizeof rate, l->vat_bp);
		snprintf(left, sizeof left, "%s (VAT %s)", l->type, rate);
		put_wrapped(&o, left, 0, 0);
		money_format(a, sizeof a, l->unit_cents);
		money_format(b, sizeof b, l->net_cents);
		snprintf(left, sizeof left, "  %d x %s", l->qty, a);
		put_pair(&o, left, b);
	}
	put_rule(&o, '-');
	money_format(b, sizeof b, d->net_cents);
	put_pair(&o, "Net", b);
	for (size_t i = 0; i < d->nrates; i++) {
		doc_rate_text(rate, sizeof rate, d->rates[i].vat_bp);
		money_format(a, sizeof a, d->rates[i].net_cents);
		money_format(b, sizeof b, d->rates[i].vat_cents);
		snprintf(left, sizeof left, "VAT %s of %s", rate, a);
		put_pair(&o, left, b);
	}
	money_format(b, sizeof b, d->gross_cents);
	snprintf(left, sizeof left, "TOTAL%s%s", d->currency[0] ? " " : "", d->currency);
	put_rule(&o, '=');
	put_pair(&o, left, b);
	put_rule(&o, '=');
	snprintf(left, sizeof left, "Payment: %s", d->payment);
	put_wrapped(&o, left, 0, 0);
	put(&o, "\n", 1);
	put_wrapped(&o, "Thank you!", 1, 0);
	return text_defang(o.buf, true); /* to a printer: no ESC/POS command from a name */
}

#include "demo_gen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "util.h"

const struct demo_event demo_events[DEMO_EVENTS] = {
	{ "Nordic Tech Summit 2027", "2027-03-18", false, 300 },
	{ "Harbour Jazz Festival", "2027-06-12", true, 240 },
	{ "Family Science Day", "2027-09-05", false, 200 },
};

const struct demo_type demo_types[DEMO_TYPES] = {
	{ "Adult", "adult", 1, 39900, 6 },
	{ "Child", "child", 1, 14900, 4 },
	{ "Group", "group", 10, 299000, 2 },
};

static const char *const company_a[] = {
	"Nordlys", "Fjord", "Granite", "Aurora", "Birch", "Cobalt", "Delta", "Ember",
	"Falcon", "Glacier", "Harbor", "Iris", "Juniper", "Krona", "Lumen", "Meridian",
	"North", "Orbit", "Pine", "Quartz", "Raven", "Saga", "Tundra", "Umbra",
	"Vega", "Willow", "Xenon", "Yarrow", "Zephyr", "Atlas",
};
static const char *const company_b[] = {
	"Energi AB", "Logistics", "Software", "Consulting", "Media", "Bank",
	"Foods", "Design", "Systems", "Labs", "Partners", "Health", "Robotics",
	"Telecom", "Analytics", "Capital", "Studios", "Engineering", "Retail", "Travel",
};
static const char *const first_names[] = {
	"Anna", "Erik", "Maja", "Lars", "Sofia", "Johan", "Elin", "Karl", "Ingrid",
	"Oskar", "Freja", "Nils", "Astrid", "Emil", "Sara", "Henrik", "Linnea",
	"Mikael", "Ida", "Gustav", "Hanna", "Anders", "Wilma", "Peter", "Ebba",
	"Jonas", "Alva", "Magnus", "Klara", "Fredrik", "Tove", "Ola", "Sigrid",
	"Björn", "Åsa", "Søren", "Zoë", "Noah", "Léa", "Mateo",
};
static const char *const last_names[] = {
	"Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson",
	"Olsson", "Persson", "Svensson", "Gustafsson", "Pettersson", "Jonsson",
	"Hansen", "Johansen", "Olsen", "Nielsen", "Berg", "Lund", "Dahl", "Holm",
	"Lindqvist", "Sandberg", "Forsberg", "Nyström", "Ek", "Hedlund", "Strand",
	"Wikström", "Åberg", "Öberg", "Møller", "O'Brien", "García", "Rossi",
	"Novak", "Kowalski", "Schmidt", "Dubois", "Silva", "Tanaka",
};

static const char *const rel_names[] = { "sponsor", "partner", "exhibitor", "supplier", "media" };
static const char *const lifecycle_names[] = { "prospect", "contacted", "negotiating", "confirmed", "active" };
static const char *const commercial_names[] = { "none", "quoted", "contracted", "invoiced", "paid" };
static const char *const package_names[] = { "Gold", "Silver", "Bronze", "Startup", "" };

int64_t demo_price(int event, int type)
{
	return demo_types[type].price_cents - (int64_t)event * 5000 * demo_types[type].seats_per_ticket;
}

void demo_org_name(int i, char *out, size_t size)
{
	snprintf(out, size, "%s %s", company_a[i % ARRAY_SIZE(company_a)],
		 company_b[(i * 7) % ARRAY_SIZE(company_b)]);
}

void demo_org_link(struct rng *r, int i, struct demo_org_link *out)
{
	out->relationship = rel_names[rng_below(r, ARRAY_SIZE(rel_names))];
	out->lifecycle = lifecycle_names[rng_below(r, ARRAY_SIZE(lifecycle_names))];
	out->commercial = commercial_names[rng_below(r, ARRAY_SIZE(commercial_names))];
	out->package = package_names[rng_below(r, ARRAY_SIZE(package_names))];
	out->category = i % 3 ? "Technology" : "Services";
	snprintf(out->booth, sizeof out->booth, "%c%d", 'A' + i % 4, 10 + i % 1000);
}

void demo_org_person(int i, int e, int k, char *name, size_t name_size, char *email, size_t email_size)
{
	const char *fn = first_names[(i * 3 + k + e) % ARRAY_SIZE(first_names)];
	const char *ln = last_names[(i * 5 + k * 11 + e) % ARRAY_SIZE(last_names)];
	snprintf(name, name_size, "%s %s", fn, ln);
	snprintf(email, email_size, "person%d.%d@org%d.example", k, e, i);
}

/* Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm), and
 * back, so order dates are computed without the C library's time zone. */
long demo_days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void demo_civil_from_days(long z, char out[16])
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long y = yoe + era * 400;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	long d = doy - (153 * mp + 2) / 5 + 1;
	long m = mp + (mp < 10 ? 3 : -9);
	snprintf(out, 16, "%04d-%02d-%02d", (int)((y + (m <= 2)) % 10000), (int)m % 100, (int)d % 100);
}

void demo_ascii_slug(char *dst, size_t size, const char *src)
{
	size_t n = 0;
	for (; *src && n + 1 < size; src++) {
		char ch = *src;
		if (ch >= 'A' && ch <= 'Z')
			dst[n++] = (char)(ch - 'A' + 'a');
		else if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))
			dst[n++] = ch;
	}
	dst[n] = '\0';
}

/* The mix: events, payments, channels and statuses in realistic shares. */
static void draw_order(struct rng *r, struct demo_order *o)
{
	static const int event_w[DEMO_EVENTS] = { 5, 3, 2 };
	static const int pay_w[PAY_COUNT] = { 40, 40, 10, 10 };
	static const int chan_w[CHANNEL_COUNT] = { 30, 50, 10, 10 };
	static const int inv_w[ORDER_STATUS_COUNT] = { 20, 25, 45, 5, 5 };
	static const int card_w[ORDER_STATUS_COUNT] = { 5, 0, 85, 5, 5 };
	static const int gift_w[ORDER_STATUS_COUNT] = { 10, 0, 82, 8, 0 };
	int second;

	o->event = rng_weighted(r, event_w, DEMO_EVENTS);
	o->payment = (enum payment_method)rng_weighted(r, pay_w, PAY_COUNT);
	o->channel = (enum sales_channel)rng_weighted(r, chan_w, CHANNEL_COUNT);
	if (o->payment == PAY_INVOICE)
		o->status = (enum order_status)rng_weighted(r, inv_w, ORDER_STATUS_COUNT);
	else if (o->payment == PAY_CARD)
		o->status = (enum order_status)rng_weighted(r, card_w, ORDER_STATUS_COUNT);
	else
		o->status = (enum order_status)rng_weighted(r, gift_w, ORDER_STATUS_COUNT);
	o->tickets_void = o->status == ORDER_REFUNDED;
	o->has_tickets = o->status == ORDER_SETTLED || o->tickets_void;
	o->takes_seats = o->status == ORDER_REQUESTED || o->status == ORDER_INVOICE_SENT ||
			 o->status == ORDER_SETTLED;
	o->nlines = rng_below(r, 5) == 0 ? 2 : 1;
	o->lines[0].type = rng_below(r, 10) < 7 ? 0 : (int)rng_below(r, DEMO_TYPES);
	second = (o->lines[0].type + 1 + (int)rng_below(r, DEMO_TYPES - 1)) % DEMO_TYPES;
	o->lines[1].type = second;
	for (int i = 0; i < o->nlines; i++)
		o->lines[i].qty = 1 + (int)rng_below(r, (uint32_t)demo_types[o->lines[i].type].max_qty);
}

bool demo_next_order(struct demo_gen *g, long long seq, long long id, struct demo_order *o)
{
	struct rng *r = &g->rng;
	const struct demo_event *ev;
	struct order_line_price price[2];
	const char *ca, *cb, *fn, *ln;
	char fslug[32], lslug[32], cslug[32];
	long event_day, day;

	memset(o, 0, sizeof *o);
	draw_order(r, o);
	ev = &demo_events[o->event];
	ca = company_a[rng_below(r, ARRAY_SIZE(company_a))];
	cb = company_b[rng_below(r, ARRAY_SIZE(company_b))];
	fn = first_names[rng_below(r, ARRAY_SIZE(first_names))];
	ln = last_names[rng_below(r, ARRAY_SIZE(last_names))];
	snprintf(o->company, sizeof o->company, "%s %s", ca, cb);
	snprintf(o->contact, sizeof o->contact, "%s %s", fn, ln);
	demo_ascii_slug(fslug, sizeof fslug, fn);
	demo_ascii_slug(lslug, sizeof lslug, ln);
	demo_ascii_slug(cslug, sizeof cslug, ca);
	snprintf(o->email, sizeof o->email, "%s.%s@%s.example", fslug, lslug, cslug);
	event_day = demo_days_from_civil(atoi(ev->date), atoi(ev->date + 5), atoi(ev->date + 8));
	day = event_day - ev->first_day + (long)rng_below(r, (uint32_t)ev->first_day);
	demo_civil_from_days(day, o->date);

	for (int k = 0; k < o->nlines; k++) {
		struct demo_line *l = &o->lines[k];
		l->unit_cents = payment_is_charged(o->payment) ? demo_price(o->event, l->type) : 0;
		price[k] = (struct order_line_price){ .unit_cents = l->unit_cents, .qty = l->qty,
						      .vat_bp = VAT_DEFAULT_BP };
		l->net_cents = l->unit_cents * l->qty;
		l->vat_cents = vat_of_net(l->net_cents, VAT_DEFAULT_BP);
		if (o->has_tickets && !o->tickets_void)
			o->valid_tickets += l->qty;
	}
	if (!order_compute_amounts(price, (size_t)o->nlines, o->payment, &o->amounts))
		return false;
	/* Some cancelled invoice orders had their invoice sent first. */
	if (o->payment == PAY_INVOICE && o->status != ORDER_REQUESTED &&
	    !(o->status == ORDER_CANCELLED && (seq & 1)))
		o->invoice_no = ++g->invoice_no[o->event];
	if (o->status == ORDER_SETTLED || o->status == ORDER_REFUNDED) {
		if (o->payment == PAY_CARD)
			snprintf(o->payment_ref, sizeof o->payment_ref, "CARD-%06u", rng_below(r, 1000000));
		else if (o->payment == PAY_INVOICE)
			snprintf(o->payment_ref, sizeof o->payment_ref, "BANK-%06u", rng_below(r, 1000000));
	}
	if (o->channel != CHANNEL_POS)
		snprintf(o->external_ref, sizeof o->external_ref, "%s-%lld", channel_name(o->channel), id);
	return true;
}

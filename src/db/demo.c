#include "demo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/money.h"
#include "../core/order.h"
#include "../core/rng.h"
#include "../core/util.h"

struct demo_event {
	const char *name;
	const char *date;
	bool reentry;
	int first_day; /* sales open this many days before the event */
	int weight;
};

struct demo_type {
	const char *name;
	const char *tier;
	int seats_per_ticket;
	int64_t price_cents;
	int base_capacity;
	int max_qty;
};

static const struct demo_event events[] = {
	{ "Nordic Tech Summit 2027", "2027-03-18", false, 300, 5 },
	{ "Harbour Jazz Festival", "2027-06-12", true, 240, 3 },
	{ "Family Science Day", "2027-09-05", false, 200, 2 },
};
#define N_EVENTS ((int)ARRAY_SIZE(events))

static const struct demo_type types[] = {
	{ "Adult", "adult", 1, 39900, 4000, 6 },
	{ "Child", "child", 1, 14900, 1500, 4 },
	{ "Group", "group", 10, 299000, 3000, 2 },
};
#define N_TYPES ((int)ARRAY_SIZE(types))

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

#define N_COMPANIES ((int)(ARRAY_SIZE(company_a) * ARRAY_SIZE(company_b)))

/* A growable text buffer flushed to COPY in large chunks. */
struct copybuf {
	struct db *db;
	char *data;
	size_t len, cap;
	bool failed;
};

static void copy_flush(struct copybuf *b)
{
	if (b->len && !b->failed && PQputCopyData(b->db->conn, b->data, (int)b->len) != 1) {
		db_set_error(b->db, DB_FAILED, "COPY failed: %s", PQerrorMessage(b->db->conn));
		b->failed = true;
	}
	b->len = 0;
}

static void copy_printf(struct copybuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void copy_printf(struct copybuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->cap - b->len < 1024) {
		copy_flush(b);
	}
	va_start(ap, fmt);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= b->cap - b->len) {
		b->failed = true;
		db_set_error(b->db, DB_FAILED, "demo row too long");
		return;
	}
	b->len += (size_t)n;
	if (b->len > b->cap - 1024)
		copy_flush(b);
}

static bool copy_begin(struct db *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	bool ok = PQresultStatus(res) == PGRES_COPY_IN;
	if (!ok)
		db_set_error(db, DB_FAILED, "%s", PQerrorMessage(db->conn));
	PQclear(res);
	return ok;
}

static bool copy_end(struct copybuf *b)
{
	PGresult *res;
	bool ok;

	copy_flush(b);
	if (PQputCopyEnd(b->db->conn, b->failed ? "demo generation failed" : NULL) != 1) {
		db_set_error(b->db, DB_FAILED, "COPY end failed: %s", PQerrorMessage(b->db->conn));
		return false;
	}
	res = PQgetResult(b->db->conn);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok && !b->failed) {
		const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		db_set_error(b->db, DB_FAILED, "COPY: %s", msg ? msg : PQerrorMessage(b->db->conn));
	}
	PQclear(res);
	while ((res = PQgetResult(b->db->conn)))
		PQclear(res);
	return ok && !b->failed;
}

bool db_is_empty(struct db *db, bool *empty)
{
	PGresult *res = db_exec(db, "SELECT NOT EXISTS (SELECT 1 FROM event) "
				    "AND NOT EXISTS (SELECT 1 FROM ticket_order)", 0, NULL);
	if (!res)
		return false;
	*empty = db_bool(res, 0, 0);
	PQclear(res);
	return true;
}

static bool insert_id(struct db *db, const char *sql, int n, const char *const *params, long long *id)
{
	PGresult *res = db_exec(db, sql, n, params);
	if (!res)
		return false;
	*id = db_int(res, 0, 0);
	PQclear(res);
	return true;
}

static long long max_id(struct db *db, const char *sql)
{
	long long id = -1;
	PGresult *res = db_exec(db, sql, 0, NULL);
	if (res)
		id = db_int(res, 0, 0);
	PQclear(res);
	return id;
}

/* Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm), and
 * back, so order dates are computed without the C library's time zone. */
static long days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, char out[16])
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

/* Lower-case ASCII letters and digits only: e-mail local parts and domains. */
static void ascii_slug(char *dst, size_t size, const char *src)
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

struct demo_ctx {
	long long event_id[N_EVENTS];
	long long type_id[N_EVENTS][N_TYPES];
	long long sold_seats[N_EVENTS][N_TYPES];
	long long org_id[64];
	int n_orgs;
	int invoice_no[N_EVENTS];
};

static bool load_catalog(struct db *db, struct demo_ctx *c, struct rng *r, struct demo_stats *st)
{
	for (int e = 0; e < N_EVENTS; e++) {
		const char *p[3] = { events[e].name, events[e].date, events[e].reentry ? "t" : "f" };
		if (!insert_id(db, "INSERT INTO event (name, date, reentry) VALUES ($1, $2, $3) RETURNING id",
			       3, p, &c->event_id[e]))
			return false;
		st->events++;
		for (int t = 0; t < N_TYPES; t++) {
			char ev[24], seats[16], price[24];
			const char *tp[5] = { ev, types[t].name, types[t].tier, seats, price };
			snprintf(ev, sizeof ev, "%lld", c->event_id[e]);
			snprintf(seats, sizeof seats, "%d", types[t].seats_per_ticket);
			/* Prices differ a little per event. */
			snprintf(price, sizeof price, "%lld",
				 (long long)(types[t].price_cents - e * 5000 * types[t].seats_per_ticket));
			if (!insert_id(db,
				       "INSERT INTO ticket_type (event_id, name, tier, capacity, "
				       "seats_per_ticket, price_cents) VALUES ($1, $2, $3::ticket_tier, 0, $4, $5) "
				       "RETURNING id", 5, tp, &c->type_id[e][t]))
				return false;
			st->types++;
		}
	}
	/* Organizations and their relationship with the first two events. */
	c->n_orgs = 24;
	for (int i = 0; i < c->n_orgs; i++) {
		char name[96];
		const char *p[1] = { name };
		snprintf(name, sizeof name, "%s %s", company_a[i % ARRAY_SIZE(company_a)],
			 company_b[(i * 7) % ARRAY_SIZE(company_b)]);
		if (!insert_id(db, "INSERT INTO organization (name) VALUES ($1) RETURNING id", 1, p,
			       &c->org_id[i]))
			return false;
		st->organizations++;
		for (int e = 0; e < 2; e++) {
			char ev[24], org[24], booth[16];
			const char *ep[8] = { ev, org,
					      rel_names[rng_below(r, ARRAY_SIZE(rel_names))],
					      lifecycle_names[rng_below(r, ARRAY_SIZE(lifecycle_names))],
					      commercial_names[rng_below(r, ARRAY_SIZE(commercial_names))],
					      package_names[rng_below(r, ARRAY_SIZE(package_names))],
					      booth, i % 3 ? "Technology" : "Services" };
			snprintf(ev, sizeof ev, "%lld", c->event_id[e]);
			snprintf(org, sizeof org, "%lld", c->org_id[i]);
			snprintf(booth, sizeof booth, "%c%d", 'A' + i % 4, 10 + i);
			if (!db_run(db,
				    "INSERT INTO event_organization (event_id, organization_id, relationship, "
				    "lifecycle, commercial_status, package, booth, category, visibility) "
				    "VALUES ($1, $2, $3::org_relationship, $4::org_lifecycle, "
				    "$5::org_commercial, $6, $7, $8, 'public')", 8, ep))
				return false;
		}
		/* Two people per organization and event. */
		for (int e = 0; e < N_EVENTS; e++)
			for (int k = 0; k < 2; k++) {
				char ev[24], org[24], pname[96], email[160];
				const char *fn = first_names[(i * 3 + k + e) % ARRAY_SIZE(first_names)];
				const char *ln = last_names[(i * 5 + k * 11 + e) % ARRAY_SIZE(last_names)];
				const char *pp[5] = { ev, pname, email, name, org };
				snprintf(ev, sizeof ev, "%lld", c->event_id[e]);
				snprintf(org, sizeof org, "%lld", c->org_id[i]);
				snprintf(pname, sizeof pname, "%s %s", fn, ln);
				snprintf(email, sizeof email, "person%d.%d@org%d.example", k, e, i);
				if (!db_run(db, "INSERT INTO person (event_id, name, email, company, organization_id) "
						"VALUES ($1, $2, $3, $4, $5)", 5, pp))
					return false;
				st->persons++;
			}
	}
	return true;
}

/* One generated order: enough to write its rows and count its seats. */
struct gen_order {
	int event;
	int ntypes;
	int type[2];
	int qty[2];
	enum payment_method payment;
	enum order_status status;
	enum sales_channel channel;
	bool tickets_void; /* refunded orders keep their voided tickets */
};

static void gen_order(struct rng *r, struct gen_order *o)
{
	static const int event_w[N_EVENTS] = { 5, 3, 2 };
	static const int pay_w[PAY_COUNT] = { 40, 40, 10, 10 };
	static const int chan_w[CHANNEL_COUNT] = { 30, 50, 10, 10 };
	static const int inv_w[ORDER_STATUS_COUNT] = { 20, 25, 45, 5, 5 };
	static const int card_w[ORDER_STATUS_COUNT] = { 5, 0, 85, 5, 5 };
	static const int gift_w[ORDER_STATUS_COUNT] = { 10, 0, 82, 8, 0 };

	o->event = rng_weighted(r, event_w, N_EVENTS);
	o->payment = (enum payment_method)rng_weighted(r, pay_w, PAY_COUNT);
	o->channel = (enum sales_channel)rng_weighted(r, chan_w, CHANNEL_COUNT);
	if (o->payment == PAY_INVOICE)
		o->status = (enum order_status)rng_weighted(r, inv_w, ORDER_STATUS_COUNT);
	else if (o->payment == PAY_CARD)
		o->status = (enum order_status)rng_weighted(r, card_w, ORDER_STATUS_COUNT);
	else
		o->status = (enum order_status)rng_weighted(r, gift_w, ORDER_STATUS_COUNT);
	o->tickets_void = o->status == ORDER_REFUNDED;
	o->ntypes = rng_below(r, 5) == 0 ? 2 : 1;
	o->type[0] = rng_below(r, 10) < 7 ? 0 : (int)rng_below(r, N_TYPES);
	o->type[1] = (o->type[0] + 1 + (int)rng_below(r, N_TYPES - 1)) % N_TYPES;
	for (int i = 0; i < o->ntypes; i++)
		o->qty[i] = 1 + (int)rng_below(r, (uint32_t)types[o->type[i]].max_qty);
}

static bool order_takes_seats(enum order_status s)
{
	return s == ORDER_REQUESTED || s == ORDER_INVOICE_SENT || s == ORDER_SETTLED;
}

static bool load_orders(struct db *db, struct demo_ctx *c, struct rng *r, long long n,
			struct demo_stats *st, demo_progress_fn progress, void *ctx)
{
	long long order_base = max_id(db, "SELECT coalesce(max(id), 0) FROM ticket_order");
	long long line_base = max_id(db, "SELECT coalesce(max(id), 0) FROM order_line");
	long long ticket_base = max_id(db, "SELECT coalesce(max(id), 0) FROM ticket");
	struct copybuf orders = { .db = db }, lines = { .db = db }, tickets = { .db = db };
	long long line_id = line_base, ticket_id = ticket_base;
	bool ok = false;
	/* Three COPY streams cannot be open at once on one connection, so lines
	 * and tickets are staged in memory-backed temp files and sent after. */
	FILE *line_f = tmpfile(), *ticket_f = tmpfile();
	char buf[65536];
	size_t got;

	if (order_base < 0 || line_base < 0 || ticket_base < 0)
		goto out;
	if (!line_f || !ticket_f) {
		db_set_error(db, DB_FAILED, "cannot create temporary files");
		goto out;
	}
	orders.cap = lines.cap = tickets.cap = sizeof buf;
	orders.data = xmalloc(orders.cap);
	if (!copy_begin(db, "COPY ticket_order (id, event_id, event_org_id, company, contact, email, "
			    "order_date, payment, status, channel, station, external_ref, payment_ref, "
			    "invoice_no, quantity, tickets_issued, net_cents, vat_cents, created_at, "
			    "updated_at) FROM STDIN"))
		goto out;
	for (long long i = 1; i <= n; i++) {
		struct gen_order o;
		struct order_line_price price[2];
		struct order_amounts amt;
		const char *ca, *cb, *fn, *ln;
		char fslug[32], lslug[32], cslug[32];
		char date[16], invoice[16] = "\\N", pref[32] = "\\N", xref[32] = "\\N";
		long event_day, day;
		int valid_tickets = 0;
		long long id = order_base + i;
		const struct demo_event *ev;

		gen_order(r, &o);
		ev = &events[o.event];
		ca = company_a[rng_below(r, ARRAY_SIZE(company_a))];
		cb = company_b[rng_below(r, ARRAY_SIZE(company_b))];
		fn = first_names[rng_below(r, ARRAY_SIZE(first_names))];
		ln = last_names[rng_below(r, ARRAY_SIZE(last_names))];
		ascii_slug(fslug, sizeof fslug, fn);
		ascii_slug(lslug, sizeof lslug, ln);
		ascii_slug(cslug, sizeof cslug, ca);
		event_day = days_from_civil(atoi(ev->date), atoi(ev->date + 5), atoi(ev->date + 8));
		day = event_day - ev->first_day + (long)rng_below(r, (uint32_t)ev->first_day);
		civil_from_days(day, date);

		for (int k = 0; k < o.ntypes; k++) {
			const struct demo_type *t = &types[o.type[k]];
			price[k].unit_cents = payment_is_charged(o.payment)
				? t->price_cents - o.event * 5000 * t->seats_per_ticket : 0;
			price[k].qty = o.qty[k];
			price[k].vat_bp = VAT_DEFAULT_BP;
			if (order_takes_seats(o.status))
				c->sold_seats[o.event][o.type[k]] += (long long)o.qty[k] * t->seats_per_ticket;
		}
		if (!order_compute_amounts(price, (size_t)o.ntypes, o.payment, &amt)) {
			db_set_error(db, DB_FAILED, "demo amounts out of range");
			goto out;
		}
		if (o.payment == PAY_INVOICE && o.status != ORDER_REQUESTED &&
		    !(o.status == ORDER_CANCELLED && (i & 1)))
			snprintf(invoice, sizeof invoice, "%d", ++c->invoice_no[o.event]);
		if (o.status == ORDER_SETTLED || o.status == ORDER_REFUNDED) {
			if (o.payment == PAY_CARD)
				snprintf(pref, sizeof pref, "CARD-%06u", rng_below(r, 1000000));
			else if (o.payment == PAY_INVOICE)
				snprintf(pref, sizeof pref, "BANK-%06u", rng_below(r, 1000000));
		}
		if (o.channel != CHANNEL_POS)
			snprintf(xref, sizeof xref, "%s-%lld", channel_name(o.channel), id);

		for (int k = 0; k < o.ntypes; k++) {
			long long lid = ++line_id;
			int64_t net = price[k].unit_cents * price[k].qty;
			fprintf(line_f, "%lld\t%lld\t%lld\t%lld\t%d\t%lld\t%d\t%lld\t%lld\t%s\n", lid, id,
				c->event_id[o.event], c->type_id[o.event][o.type[k]], price[k].qty,
				(long long)price[k].unit_cents, price[k].vat_bp, (long long)net,
				(long long)vat_of_net(net, price[k].vat_bp), channel_name(o.channel));
			st->lines++;
			if (o.status == ORDER_SETTLED || o.tickets_void) {
				for (int s = 1; s <= price[k].qty; s++) {
					fprintf(ticket_f, "%lld\t%lld\t%lld\t%d\t%d\t%lld\t%lld\t%s\t%s 10:00:00+00\n",
						++ticket_id, id, lid, price[k].qty, s, c->event_id[o.event],
						c->type_id[o.event][o.type[k]],
						o.tickets_void ? "void" : "valid", date);
					st->tickets++;
				}
				if (!o.tickets_void)
					valid_tickets += price[k].qty;
			}
		}
		copy_printf(&orders,
			    "%lld\t%lld\t\\N\t%s %s\t%s %s\t%s.%s@%s.example\t%s\t%s\t%s\t%s\tdemo\t%s\t%s\t%s\t%d\t%d\t%lld\t%lld\t%s 09:%02d:00+00\t%s 09:%02d:00+00\n",
			    id, c->event_id[o.event], ca, cb, fn, ln, fslug, lslug, cslug, date,
			    payment_name(o.payment), order_status_name(o.status), channel_name(o.channel),
			    xref, pref, invoice, amt.quantity, valid_tickets, (long long)amt.net_cents,
			    (long long)amt.vat_cents, date, (int)(i % 60), date, (int)(i % 60));
		if (orders.failed)
			goto out;
		st->orders++;
		if (progress && i % 50000 == 0 && !progress(i, n, ctx)) {
			db_set_error(db, DB_FAILED, "interrupted");
			orders.failed = true;
			copy_end(&orders);
			goto out;
		}
	}
	if (!copy_end(&orders))
		goto out;

	/* Stream the staged lines, then tickets. */
	lines.data = buf;
	if (!copy_begin(db, "COPY order_line (id, order_id, event_id, type_id, qty, unit_cents, "
			    "vat_bp, net_cents, vat_cents, channel) FROM STDIN"))
		goto out;
	rewind(line_f);
	while ((got = fread(buf, 1, sizeof buf, line_f)) > 0) {
		lines.len = got;
		copy_flush(&lines);
	}
	if (!copy_end(&lines))
		goto out;
	tickets.data = buf;
	if (!copy_begin(db, "COPY ticket (id, order_id, line_id, line_qty, serial, event_id, "
			    "type_id, status, created_at) FROM STDIN"))
		goto out;
	rewind(ticket_f);
	while ((got = fread(buf, 1, sizeof buf, ticket_f)) > 0) {
		tickets.len = got;
		copy_flush(&tickets);
	}
	if (!copy_end(&tickets))
		goto out;
	ok = true;
out:
	free(orders.data);
	if (line_f)
		fclose(line_f);
	if (ticket_f)
		fclose(ticket_f);
	return ok;
}

/* Counters, capacities and sequences follow from the rows just loaded. */
static const char SQL_FINISH[] =
	"WITH used AS (SELECT l.type_id, sum(l.qty * t.seats_per_ticket) AS seats "
	"  FROM order_line l JOIN ticket_order o ON o.id = l.order_id "
	"  JOIN ticket_type t ON t.id = l.type_id "
	"  WHERE o.status IN ('requested', 'invoice_sent', 'settled') GROUP BY l.type_id) "
	"UPDATE ticket_type t SET sold = coalesce(u.seats, 0), "
	"  capacity = greatest($1::int * t.seats_per_ticket, coalesce(u.seats, 0) * 11 / 10 + 100) "
	"FROM ticket_type t2 LEFT JOIN used u ON u.type_id = t2.id WHERE t.id = t2.id";

/* The loaded seats enter the change log as one import per type, so the log
 * still adds up to the inventory counters. */
static const char SQL_LOG_IMPORT[] =
	"INSERT INTO change_log (entity, entity_id, action, reason, event_id, type_id, sold_delta) "
	"SELECT 'inventory', id, 'import', 'demo data', event_id, id, sold FROM ticket_type";

/* Bulk loading is much faster into tables without their secondary indexes:
 * the plain (non-constraint) indexes of the loaded tables are dropped
 * inside the transaction and rebuilt from their own definitions after. */
struct saved_indexes {
	char *defs[64];
	int count;
};

static void saved_free(struct saved_indexes *s)
{
	for (int i = 0; i < s->count; i++)
		free(s->defs[i]);
	s->count = 0;
}

static bool indexes_drop(struct db *db, struct saved_indexes *s)
{
	PGresult *res = db_exec(db,
		"SELECT quote_ident(n.nspname) || '.' || quote_ident(ic.relname), pg_get_indexdef(i.indexrelid) "
		"FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid "
		"JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
		"WHERE t.relname IN ('ticket_order', 'order_line', 'ticket') AND n.nspname = current_schema() "
		"AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
		"ORDER BY ic.relname", 0, NULL);
	bool ok = res != NULL;

	for (int i = 0; ok && i < PQntuples(res) && s->count < 64; i++) {
		/* Names and definitions come from the catalog, not from users. */
		char *drop = xasprintf("DROP INDEX %s", PQgetvalue(res, i, 0));
		s->defs[s->count++] = xstrdup(PQgetvalue(res, i, 1));
		ok = db_run_script(db, drop);
		free(drop);
	}
	PQclear(res);
	return ok;
}

static bool indexes_restore(struct db *db, struct saved_indexes *s)
{
	for (int i = 0; i < s->count; i++)
		if (!db_run_script(db, s->defs[i]))
			return false;
	return db_run(db, "ANALYZE ticket_order", 0, NULL) && db_run(db, "ANALYZE order_line", 0, NULL) &&
	       db_run(db, "ANALYZE ticket", 0, NULL);
}

#define SETVAL(t) "SELECT setval(pg_get_serial_sequence('" t "', 'id'), " \
	"(SELECT greatest(max(id), 1) FROM " t "))"
static const char SQL_SETVAL_ORDER[] = SETVAL("ticket_order");
static const char SQL_SETVAL_LINE[] = SETVAL("order_line");
static const char SQL_SETVAL_TICKET[] = SETVAL("ticket");

bool db_demo_load(struct db *db, long long n, uint64_t seed, struct demo_stats *st,
		  demo_progress_fn progress, void *ctx)
{
	struct demo_ctx c;
	struct rng r = { seed };
	bool empty;
	const char *cap[1] = { "500" };
	char count[24];
	const char *count_param[1] = { count };
	struct saved_indexes saved = { 0 };

	memset(&c, 0, sizeof c);
	memset(st, 0, sizeof *st);
	snprintf(count, sizeof count, "%lld", n);
	if (!db_begin(db))
		return false;
	if (!db_run(db, "LOCK TABLE event, ticket_order IN EXCLUSIVE MODE", 0, NULL) ||
	    !db_run(db, "SET LOCAL maintenance_work_mem = '512MB'", 0, NULL) ||
	    !db_run(db, "SELECT set_config('boxoffice.reason', 'demo data', true)", 0, NULL))
		goto fail;
	if (!db_is_empty(db, &empty))
		goto fail;
	if (!empty) {
		db_set_error(db, DB_REFUSED, "the database has events already; demo loads into an empty one");
		goto fail;
	}
	if (!load_catalog(db, &c, &r, st) || !indexes_drop(db, &saved) ||
	    !load_orders(db, &c, &r, n, st, progress, ctx) || !indexes_restore(db, &saved))
		goto fail;
	if (!db_run(db, SQL_FINISH, 1, cap) ||
	    !db_run(db, "UPDATE event e SET last_invoice_no = coalesce((SELECT max(invoice_no) "
			"FROM ticket_order o WHERE o.event_id = e.id), 0)", 0, NULL) ||
	    !db_run(db, SQL_SETVAL_ORDER, 0, NULL) || !db_run(db, SQL_SETVAL_LINE, 0, NULL) ||
	    !db_run(db, SQL_SETVAL_TICKET, 0, NULL) ||
	    !db_run(db, SQL_LOG_IMPORT, 0, NULL) ||
	    !db_run(db, "INSERT INTO change_log (entity, action, reason, detail) "
			"VALUES ('demo', 'loaded', 'demo data', jsonb_build_object('orders', $1::bigint))",
		    1, count_param))
		goto fail;
	if (!db_run(db, "SELECT order_stats_compact()", 0, NULL))
		goto fail;
	if (!db_commit(db))
		goto fail;
	saved_free(&saved);
	return true;
fail:
	db_rollback(db);
	saved_free(&saved);
	return false;
}

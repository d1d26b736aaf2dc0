#include "demo.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/demo_gen.h"
#include "../core/money.h"
#include "../core/order.h"
#include "../core/util.h"

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

struct demo_ctx {
	long long event_id[DEMO_EVENTS];
	long long type_id[DEMO_EVENTS][DEMO_TYPES];
	long long org_id[DEMO_ORGS];
};

/* Entrances (db/020) for the first two events, so the check-in screen's
 * lists and the dashboard's areas have something to show: the summit's
 * main hall and a 40-seat workshop for Adult tickets, the festival's
 * stage open two evenings with re-entry. */
static const char *const demo_entrances[] = {
	"SELECT area_save(NULL, id, 'Main hall', 2000), area_save(NULL, id, 'Workshop room', 40) "
	"FROM event WHERE name = 'Nordic Tech Summit 2027'",
	"SELECT checkin_list_save(NULL, id, '{\"name\": \"main\", \"area\": \"Main hall\", \"reentry\": true}'), "
	"checkin_list_save(NULL, id, '{\"name\": \"workshop\", \"types\": [\"Adult\"], "
	"\"area\": \"Workshop room\", \"reentry\": true}') FROM event WHERE name = 'Nordic Tech Summit 2027'",
	"SELECT area_save(NULL, id, 'Harbour stage', 1500) FROM event WHERE name = 'Harbour Jazz Festival'",
	"SELECT checkin_list_save(NULL, id, '{\"name\": \"festival\", \"area\": \"Harbour stage\", \"reentry\": true, "
	"\"windows\": [[\"2027-06-12 16:00\", \"2027-06-12 23:59\"], [\"2027-06-13 16:00\", \"2027-06-13 23:59\"]]}') "
	"FROM event WHERE name = 'Harbour Jazz Festival'",
	NULL,
};

static bool load_entrances(struct db *db)
{
	for (int i = 0; demo_entrances[i]; i++)
		if (!db_run(db, demo_entrances[i], 0, NULL))
			return false;
	return true;
}

static bool load_catalog(struct db *db, struct demo_ctx *c, struct rng *r, struct demo_stats *st)
{
	for (int e = 0; e < DEMO_EVENTS; e++) {
		const struct demo_event *ev = &demo_events[e];
		const char *p[3] = { ev->name, ev->date, ev->reentry ? "t" : "f" };
		if (!insert_id(db, "INSERT INTO event (name, date, reentry) VALUES ($1, $2, $3) RETURNING id",
			       3, p, &c->event_id[e]))
			return false;
		st->events++;
		for (int t = 0; t < DEMO_TYPES; t++) {
			char evs[24], seats[16], price[24];
			const char *tp[5] = { evs, demo_types[t].name, demo_types[t].tier, seats, price };
			snprintf(evs, sizeof evs, "%lld", c->event_id[e]);
			snprintf(seats, sizeof seats, "%d", demo_types[t].seats_per_ticket);
			snprintf(price, sizeof price, "%lld", (long long)demo_price(e, t));
			if (!insert_id(db,
				       "INSERT INTO ticket_type (event_id, name, tier, capacity, "
				       "seats_per_ticket, price_cents) VALUES ($1, $2, $3::ticket_tier, 0, $4, $5) "
				       "RETURNING id", 5, tp, &c->type_id[e][t]))
				return false;
			st->types++;
		}
		/* The packages organizations of the first two events have: so many
		 * tickets of the first type (db/050), given by name below. */
		for (int k = 0; e < 2 && k < 4; k++) {
			static const char *const names[4] = { "Gold", "Silver", "Bronze", "Startup" };
			static const char *const qty[4] = { "10", "6", "4", "2" };
			char evs[24], ty[24];
			const char *pp[4] = { evs, names[k], ty, qty[k] };
			snprintf(evs, sizeof evs, "%lld", c->event_id[e]);
			snprintf(ty, sizeof ty, "%lld", c->type_id[e][0]);
			if (!db_run(db,
				    "WITH p AS (INSERT INTO org_package (event_id, name) VALUES ($1, $2) RETURNING id) "
				    "INSERT INTO org_package_item (package_id, type_id, qty) SELECT id, $3, $4 FROM p",
				    4, pp))
				return false;
		}
	}
	/* Organizations and their relationship with the first two events. */
	for (int i = 0; i < DEMO_ORGS; i++) {
		char name[96];
		const char *p[1] = { name };
		demo_org_name(i, name, sizeof name);
		if (!insert_id(db, "INSERT INTO organization (name) VALUES ($1) RETURNING id", 1, p,
			       &c->org_id[i]))
			return false;
		st->organizations++;
		for (int e = 0; e < 2; e++) {
			char ev[24], org[24];
			struct demo_org_link link;
			const char *ep[8];
			demo_org_link(r, i, &link);
			snprintf(ev, sizeof ev, "%lld", c->event_id[e]);
			snprintf(org, sizeof org, "%lld", c->org_id[i]);
			ep[0] = ev;
			ep[1] = org;
			ep[2] = link.relationship;
			ep[3] = link.lifecycle;
			ep[4] = link.commercial;
			ep[5] = link.package;
			ep[6] = link.booth;
			ep[7] = link.category;
			if (!db_run(db,
				    "INSERT INTO event_organization (event_id, organization_id, relationship, "
				    "lifecycle, commercial_status, package, booth, category, visibility, package_id) "
				    "VALUES ($1, $2, $3::org_relationship, $4::org_lifecycle, "
				    "$5::org_commercial, $6, $7, $8, 'public', "
				    "(SELECT id FROM org_package WHERE event_id = $1 AND name = $6))", 8, ep))
				return false;
			/* the booth it has is in the event's booth plan */
			if (link.booth[0] &&
			    !db_run(db, "INSERT INTO org_booth (event_id, name, size) VALUES ($1, $2, '3x3')", 2,
				    (const char *[]){ ev, link.booth }))
				return false;
		}
		/* Two people per organization and event. */
		for (int e = 0; e < DEMO_EVENTS; e++)
			for (int k = 0; k < 2; k++) {
				char ev[24], org[24], pname[96], email[160];
				const char *pp[5] = { ev, pname, email, name, org };
				snprintf(ev, sizeof ev, "%lld", c->event_id[e]);
				snprintf(org, sizeof org, "%lld", c->org_id[i]);
				demo_org_person(i, e, k, pname, sizeof pname, email, sizeof email);
				if (!db_run(db, "INSERT INTO person (event_id, name, email, company, organization_id) "
						"VALUES ($1, $2, $3, $4, $5)", 5, pp))
					return false;
				st->persons++;
			}
	}
	return true;
}

static bool load_orders(struct db *db, struct demo_ctx *c, struct demo_gen *g, long long n,
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
		struct demo_order o;
		long long id = order_base + i;
		char invoice[16] = "\\N";

		if (!demo_next_order(g, i, id, &o)) {
			db_set_error(db, DB_FAILED, "demo amounts out of range");
			goto out;
		}
		if (o.invoice_no)
			snprintf(invoice, sizeof invoice, "%d", o.invoice_no);
		for (int k = 0; k < o.nlines; k++) {
			const struct demo_line *l = &o.lines[k];
			long long lid = ++line_id;
			fprintf(line_f, "%lld\t%lld\t%lld\t%lld\t%d\t%lld\t%d\t%lld\t%lld\t%s\n", lid, id,
				c->event_id[o.event], c->type_id[o.event][l->type], l->qty,
				(long long)l->unit_cents, VAT_DEFAULT_BP, (long long)l->net_cents,
				(long long)l->vat_cents, channel_name(o.channel));
			st->lines++;
			if (!o.has_tickets)
				continue;
			for (int s = 1; s <= l->qty; s++) {
				fprintf(ticket_f, "%lld\t%lld\t%lld\t%d\t%d\t%lld\t%lld\t%s\t%s 10:00:00+00\n",
					++ticket_id, id, lid, l->qty, s, c->event_id[o.event],
					c->type_id[o.event][l->type], o.tickets_void ? "void" : "valid", o.date);
				st->tickets++;
			}
		}
		copy_printf(&orders,
			    "%lld\t%lld\t\\N\t%s\t%s\t%s\t%s\t%s\t%s\t%s\tdemo\t%s\t%s\t%s\t%d\t%d\t%lld\t%lld\t%s 09:%02d:00+00\t%s 09:%02d:00+00\n",
			    id, c->event_id[o.event], o.company, o.contact, o.email, o.date,
			    payment_name(o.payment), order_status_name(o.status), channel_name(o.channel),
			    o.external_ref[0] ? o.external_ref : "\\N", o.payment_ref[0] ? o.payment_ref : "\\N",
			    invoice, o.amounts.quantity, o.valid_tickets, (long long)o.amounts.net_cents,
			    (long long)o.amounts.vat_cents, o.date, (int)(i % 60), o.date, (int)(i % 60));
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
	struct demo_gen g = { .rng = { seed } };
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
	if (!load_catalog(db, &c, &g.rng, st) || !indexes_drop(db, &saved) ||
	    !load_orders(db, &c, &g, n, st, progress, ctx) || !indexes_restore(db, &saved))
		goto fail;
	if (!db_run(db, SQL_FINISH, 1, cap) ||
	    !db_run(db, "UPDATE event e SET last_invoice_no = coalesce((SELECT max(invoice_no) "
			"FROM ticket_order o WHERE o.event_id = e.id), 0)", 0, NULL) ||
	    !db_run(db, SQL_SETVAL_ORDER, 0, NULL) || !db_run(db, SQL_SETVAL_LINE, 0, NULL) ||
	    !db_run(db, SQL_SETVAL_TICKET, 0, NULL) ||
	    !db_run(db, SQL_LOG_IMPORT, 0, NULL) ||
	    !db_run(db, "SELECT seller_set(NULL, 'Nordlys Events AB', 'Storgatan 12' || chr(10) || "
			"'111 51 Stockholm' || chr(10) || 'Sweden', 'SE556677889901', "
			"'IBAN SE45 5000 0000 0583 9825 7466, BIC ESSESESS', 'billing@nordlys.example', "
			"'SEK', 30)", 0, NULL) ||
	    !load_entrances(db) ||
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

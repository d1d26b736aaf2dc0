#include "inventory.h"

#include <stdio.h>
#include <stdlib.h>

#include "async.h"

/* Formats integers as parameters without sprintf at every call site. */
struct num {
	char s[24];
};

static const char *num(struct num *n, long long v)
{
	snprintf(n->s, sizeof n->s, "%lld", v);
	return n->s;
}

static const char sell_sql[] =
	"SELECT inventory_sell($1, $2, $3, $4::sales_channel, $5::payment_method, $6, $7, $8, "
	"$9, $10, $11)";

json_t *db_sell(struct db *db, const struct sale *s)
{
	struct num ev, ty, qty;
	const char *p[11] = { num(&ev, s->event_id), num(&ty, s->type_id), num(&qty, s->qty),
			      s->channel, s->payment, s->company, s->contact, s->email, s->key,
			      s->external_ref, s->reason };
	return db_json(db, sell_sql, 11, p);
}

bool db_sell_submit(struct db *db, const void *owner, const struct sale *s, db_json_fn done, void *ctx)
{
	struct num ev, ty, qty;
	const char *p[11] = { num(&ev, s->event_id), num(&ty, s->type_id), num(&qty, s->qty),
			      s->channel, s->payment, s->company, s->contact, s->email, s->key,
			      s->external_ref, s->reason };
	return db_json_submit(db, owner, sell_sql, 11, p, done, ctx);
}

json_t *db_hold(struct db *db, const struct sale *s, long long ttl)
{
	static const char sql[] =
		"SELECT inventory_hold($1, $2, $3, $4, $5::sales_channel, $6, $7)";
	struct num ev, ty, qty, t;
	const char *p[7] = { num(&ev, s->event_id), num(&ty, s->type_id), num(&qty, s->qty),
			     num(&t, ttl), s->channel, s->key, s->reason };
	return db_json(db, sql, 7, p);
}

json_t *db_hold_confirm(struct db *db, long long hold_id, const struct sale *s)
{
	static const char sql[] =
		"SELECT hold_confirm($1, $2::payment_method, $3, $4, $5, $6, $7, $8)";
	struct num h;
	const char *p[8] = { num(&h, hold_id), s->payment, s->company, s->contact, s->email,
			     s->key, s->external_ref, s->reason };
	return db_json(db, sql, 8, p);
}

json_t *db_hold_release(struct db *db, long long hold_id, const char *reason)
{
	struct num h;
	const char *p[2] = { num(&h, hold_id), reason };
	return db_json(db, "SELECT hold_release($1, $2)", 2, p);
}

json_t *db_adjust(struct db *db, long long event_id, long long type_id, long long delta,
		  const char *reason, const char *key)
{
	struct num ev, ty, d;
	const char *p[5] = { num(&ev, event_id), num(&ty, type_id), num(&d, delta), reason, key };
	return db_json(db, "SELECT inventory_adjust($1, $2, $3, $4, $5)", 5, p);
}

json_t *db_set_quota(struct db *db, long long event_id, long long type_id, const char *channel,
		     long long quota, const char *reason)
{
	struct num ev, ty, q;
	const char *p[5] = { num(&ev, event_id), num(&ty, type_id), channel, num(&q, quota), reason };
	return db_json(db, "SELECT inventory_set_quota($1, $2, $3::sales_channel, $4, $5)", 5, p);
}

json_t *db_set_capacity(struct db *db, long long event_id, long long type_id, long long capacity,
			const char *reason)
{
	struct num ev, ty, c;
	const char *p[4] = { num(&ev, event_id), num(&ty, type_id), num(&c, capacity), reason };
	return db_json(db, "SELECT inventory_set_capacity($1, $2, $3, $4)", 4, p);
}

static const char set_status_sql[] = "SELECT order_set_status($1, $2::order_status, $3, $4, $5)";

json_t *db_order_set_status(struct db *db, long long order_id, const char *status, long long version,
			    const char *payment_ref, const char *reason)
{
	struct num o, v;
	const char *p[5] = { num(&o, order_id), status, version >= 0 ? num(&v, version) : NULL,
			     payment_ref, reason };
	return db_json(db, set_status_sql, 5, p);
}

bool db_order_set_status_submit(struct db *db, const void *owner, long long order_id, const char *status,
				long long version, const char *payment_ref, const char *reason,
				db_json_fn done, void *ctx)
{
	struct num o, v;
	const char *p[5] = { num(&o, order_id), status, version >= 0 ? num(&v, version) : NULL,
			     payment_ref, reason };
	return db_json_submit(db, owner, set_status_sql, 5, p, done, ctx);
}

enum inv_col { INV_EVENT, INV_EVENT_NAME, INV_TYPE, INV_TYPE_NAME, INV_CHANNEL, INV_CAPACITY,
	       INV_SOLD, INV_HELD, INV_RESERVED, INV_AVAILABLE, INV_SEATS, INV_VERSION };

static const char SQL_INVENTORY[] =
	"SELECT v.event_id, e.name, v.type_id, v.type_name, v.channel, v.capacity, v.sold, "
	"v.held, v.reserved, v.available, v.seats_per_ticket, v.version "
	"FROM inventory_view v JOIN event e ON e.id = v.event_id "
	"WHERE $1::bigint = 0 OR v.event_id = $1::bigint "
	"ORDER BY e.date, v.event_id, v.type_id, v.channel NULLS FIRST";

static bool parse_inventory(struct db *db, const PGresult *res, void *dst)
{
	json_t *rows = json_array();
	(void)db;
	for (int i = 0; i < PQntuples(res); i++) {
		const char *channel = db_text(res, i, INV_CHANNEL);
		json_array_append_new(rows, json_pack(
			"{sI ss sI ss so sI sI sI sI sI sI sI}",
			"event", (json_int_t)db_int(res, i, INV_EVENT),
			"event_name", db_text(res, i, INV_EVENT_NAME),
			"type", (json_int_t)db_int(res, i, INV_TYPE),
			"type_name", db_text(res, i, INV_TYPE_NAME),
			"channel", channel ? json_string(channel) : json_null(),
			"capacity", (json_int_t)db_int(res, i, INV_CAPACITY),
			"sold", (json_int_t)db_int(res, i, INV_SOLD),
			"held", (json_int_t)db_int(res, i, INV_HELD),
			"reserved", (json_int_t)db_int(res, i, INV_RESERVED),
			"available", (json_int_t)db_int(res, i, INV_AVAILABLE),
			"seats_per_ticket", (json_int_t)db_int(res, i, INV_SEATS),
			"version", (json_int_t)db_int(res, i, INV_VERSION)));
	}
	*(json_t **)dst = rows;
	return true;
}

static void free_inventory(void *out)
{
	json_decref(*(json_t **)out);
}

static struct db_read *inventory_read(long long event_id)
{
	struct db_read *r = db_read_new(sizeof(json_t *));
	struct num ev;
	const char *p[1] = { num(&ev, event_id) };

	db_read_add(r, SQL_INVENTORY, 1, p, parse_inventory, db_read_out(r));
	db_read_on_free(r, free_inventory);
	return r;
}

json_t *db_inventory(struct db *db, long long event_id)
{
	json_t *rows = NULL;
	return db_read_run(db, inventory_read(event_id), &rows) ? rows : NULL;
}

static void inventory_deliver(struct db *db, void (*done)(void), const void *out, void *ctx)
{
	((inventory_fn)done)(db, out ? *(json_t *const *)out : NULL, ctx);
}

bool db_inventory_submit(struct db *db, const void *owner, long long event_id, inventory_fn done, void *ctx)
{
	return db_read_submit(db, owner, inventory_read(event_id), inventory_deliver, (void (*)(void))done, ctx);
}

bool db_inventory_reap_submit(struct db *db, const void *owner)
{
	return db_submit(db, owner, "SELECT inventory_reap()", 0, NULL, NULL, NULL, NULL);
}

int db_inventory_reap(struct db *db)
{
	PGresult *res = db_exec(db, "SELECT inventory_reap()", 0, NULL);
	int n;
	if (!res)
		return -1;
	n = (int)db_int(res, 0, 0);
	PQclear(res);
	return n;
}

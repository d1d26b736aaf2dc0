#include "dashboard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checkin.h"
#include "async.h"
#include "entrances.h"

enum seat_col { SEAT_NAME, SEAT_CAPACITY, SEAT_SOLD, SEAT_HELD, SEAT_RESERVED, SEAT_AVAILABLE };
enum ticket_fig_col { TF_TICKETS, TF_ASSIGNED, TF_CHECKED_IN, TF_INSIDE };

static bool parse_seats(struct db *db, const PGresult *res, void *dst)
{
	struct dashboard_figures *out = dst;
	(void)db;
	for (int i = 0; i < PQntuples(res) && out->ntypes < DASHBOARD_TYPES_MAX; i++) {
		struct dashboard_seats *t = &out->types[out->ntypes++];
		snprintf(t->name, sizeof t->name, "%s", db_text(res, i, SEAT_NAME));
		t->capacity = db_int(res, i, SEAT_CAPACITY);
		t->sold = db_int(res, i, SEAT_SOLD);
		t->held = db_int(res, i, SEAT_HELD);
		t->reserved = db_int(res, i, SEAT_RESERVED);
		t->available = db_int(res, i, SEAT_AVAILABLE);
	}
	return true;
}

static bool parse_tickets(struct db *db, const PGresult *res, void *dst)
{
	struct dashboard_figures *out = dst;
	(void)db;
	out->tickets = db_int(res, 0, TF_TICKETS);
	out->assigned = db_int(res, 0, TF_ASSIGNED);
	out->checked_in = db_int(res, 0, TF_CHECKED_IN);
	out->inside = db_int(res, 0, TF_INSIDE);
	return true;
}

static bool parse_areas(struct db *db, const PGresult *res, void *dst)
{
	struct dashboard_figures *out = dst;
	(void)db;
	for (int i = 0; i < PQntuples(res); i++) {
		struct dashboard_area *a = &out->areas[out->nareas];
		if (out->nareas == DASHBOARD_AREAS_MAX) {
			out->more_areas++;
			continue;
		}
		snprintf(a->name, sizeof a->name, "%s", db_text(res, i, 0));
		a->inside = db_int(res, i, 1);
		a->capacity = db_int(res, i, 2);
		out->nareas++;
	}
	return true;
}

static bool parse_entrances(struct db *db, const PGresult *res, void *dst)
{
	struct dashboard_figures *out = dst;
	(void)db;
	for (int i = 0; i < PQntuples(res); i++) {
		struct dashboard_entrance *e = &out->entrances[out->nentrances];
		long long admits = db_int(res, i, EC_ADMITS);
		out->admits += admits;
		if (admits == 0)
			continue; /* a gate that only let people out */
		if (out->nentrances == DASHBOARD_ENTRANCES_MAX) {
			out->more_entrances++;
			continue;
		}
		/* NULL: the whole event (a gate opened on no list) */
		snprintf(e->list, sizeof e->list, "%s", PQgetisnull(res, i, EC_LIST) ? "" : db_text(res, i, EC_LIST));
		snprintf(e->gate, sizeof e->gate, "%s", db_text(res, i, EC_GATE));
		e->admits = admits;
		out->nentrances++;
	}
	return true;
}

/* "{1,0,3}" → per_minute */
static void parse_minutes(const char *text, int *out)
{
	int i = 0;
	for (const char *p = text; *p && i < DASHBOARD_MINUTES; p++) {
		if (*p >= '0' && *p <= '9') {
			char *end;
			long v = strtol(p, &end, 10);
			out[i++] = v > 1000000 ? 1000000 : (int)v;
			p = end - 1;
		}
	}
}

static bool parse_gates(struct db *db, const PGresult *res, void *dst)
{
	struct dashboard_figures *out = dst;
	(void)db;
	for (int i = 0; i < PQntuples(res); i++) {
		struct dashboard_gate *g = &out->gates[out->ngates];
		if (out->ngates == DASHBOARD_GATES_MAX) {
			out->more_gates++;
			continue;
		}
		snprintf(g->name, sizeof g->name, "%s", db_text(res, i, 0));
		g->admitted = db_int(res, i, 1);
		g->rejected = db_int(res, i, 2);
		g->offline_admits = db_int(res, i, 3);
		g->idle_seconds = PQgetisnull(res, i, 4) ? -1 : atof(db_text(res, i, 4));
		parse_minutes(db_text(res, i, 5), g->per_minute);
		out->ngates++;
	}
	return true;
}

/* gate_links after dashboard_gates: a gate that only reported (no scan
 * yet) gets a row of its own. */
static bool parse_links(struct db *db, const PGresult *res, void *dst)
{
	struct dashboard_figures *out = dst;
	(void)db;
	for (int i = 0; i < PQntuples(res); i++) {
		struct dashboard_gate *g = NULL;
		for (int k = 0; k < out->ngates && !g; k++)
			if (strcmp(out->gates[k].name, db_text(res, i, 0)) == 0)
				g = &out->gates[k];
		if (!g) {
			if (out->ngates == DASHBOARD_GATES_MAX) {
				out->more_gates++;
				continue;
			}
			g = &out->gates[out->ngates++];
			memset(g, 0, sizeof *g);
			snprintf(g->name, sizeof g->name, "%s", db_text(res, i, 0));
			g->idle_seconds = -1;
		}
		g->link = strcmp(db_text(res, i, 1), "t") == 0 ? GATE_LINK_ONLINE : GATE_LINK_OFFLINE;
		g->queued = db_int(res, i, 2);
		g->link_seconds = atof(db_text(res, i, 3));
	}
	return true;
}

static bool parse_stations(struct db *db, const PGresult *res, void *dst)
{
	struct dashboard_figures *out = dst;
	(void)db;
	for (int i = 0; i < PQntuples(res); i++) {
		struct dashboard_station *st = &out->stations[out->nstations];
		if (out->nstations == DASHBOARD_STATIONS_MAX) {
			out->more_stations++;
			continue;
		}
		snprintf(st->name, sizeof st->name, "%s", db_text(res, i, 0));
		snprintf(st->login, sizeof st->login, "%s", db_text(res, i, 1));
		snprintf(st->role, sizeof st->role, "%s", db_text(res, i, 2));
		snprintf(st->screen, sizeof st->screen, "%s", db_text(res, i, 3));
		st->idle_seconds = atof(db_text(res, i, 4));
		out->nstations++;
	}
	return true;
}

static bool finish(struct db *db, void *out)
{
	struct dashboard_figures *f = out;
	(void)db;
	f->paid = order_summary_paid(&f->orders);
	f->outstanding = order_summary_outstanding(&f->orders);
	return true;
}

/* The dashboard's statements, once for both ways of running them. */
static struct db_read *dashboard_read(struct db *db, long long event_id)
{
	struct db_read *r = db_read_new(sizeof(struct dashboard_figures));
	struct dashboard_figures *out = db_read_out(r);
	struct order_filter f;
	char ev[24];
	const char *p[1] = { ev };

	snprintf(ev, sizeof ev, "%lld", event_id);
	db_read_add(r, "SELECT type_name, capacity, sold, held, reserved, available FROM inventory_view "
		       "WHERE event_id = $1 AND channel IS NULL ORDER BY type_id",
		    1, p, parse_seats, out);
	f.event_id = event_id;
	order_filter_reset(&f); /* keeps the event */
	/* a reset filter on one event is always well-formed */
	(void)db_order_summary_add(db, r, &f, &out->orders);
	db_read_add(r, "SELECT count(*), count(k.person_id), count(*) FILTER (WHERE " SQL_TICKET_CHECKED_IN("k") "), "
		       "count(*) FILTER (WHERE " SQL_TICKET_INSIDE("k") ") FROM ticket k "
		       "WHERE k.event_id = $1 AND k.status = 'valid'",
		    1, p, parse_tickets, out);
	db_checkin_conflicts_add(r, event_id, &out->conflicts);
	db_read_add(r, "SELECT name, inside, capacity FROM area WHERE event_id = $1 ORDER BY name", 1, p, parse_areas,
		    out);
	db_read_add(r, SQL_ENTRANCE_COUNTS, 1, p, parse_entrances, out);
	db_read_add(r, "SELECT gate, admitted, rejected, offline_admits, idle_seconds, per_minute "
		       "FROM dashboard_gates($1::bigint)",
		    1, p, parse_gates, out);
	db_read_add(r, "SELECT gate, online, queued, seen_seconds FROM gate_links($1::bigint)", 1, p, parse_links, out);
	db_read_add(r, "SELECT station, login, role, screen, idle_seconds FROM station_online()", 0, NULL,
		    parse_stations, out);
	db_channel_health_add(r, &out->channels);
	db_read_on_finish(r, finish);
	return r;
}

bool db_dashboard_read(struct db *db, long long event_id, struct dashboard_figures *out)
{
	return db_read_run(db, dashboard_read(db, event_id), out);
}

static void deliver(struct db *db, void (*done)(void), const void *out, void *ctx)
{
	((dashboard_fn)done)(db, out, ctx);
}

bool db_dashboard_submit(struct db *db, const void *owner, long long event_id, dashboard_fn done, void *ctx)
{
	return db_read_submit(db, owner, dashboard_read(db, event_id), deliver, (void (*)(void))done, ctx);
}

bool db_gate_seen_submit(struct db *db, const void *owner, long long event_id, const char *gate, int queued)
{
	char ev[24], n[24];
	const char *p[3] = { event_id ? ev : NULL, gate, n };
	snprintf(ev, sizeof ev, "%lld", event_id);
	snprintf(n, sizeof n, "%d", queued);
	return db_submit(db, owner, "SELECT station_gate_seen($1::bigint, $2, $3::integer)", 3, p, NULL, NULL, NULL);
}

bool db_station_seen_submit(struct db *db, const void *owner, const char *screen)
{
	const char *p[1] = { screen };
	return db_submit(db, owner, "SELECT station_seen($1)", 1, p, NULL, NULL, NULL);
}

/* The supervisor's dashboard figures of one event, read in one call: seats
 * per type, orders and money by status (from db_order_summary, the same
 * definition as the Ticket Orders grid), tickets and people inside. */
#ifndef BOXOFFICE_DB_DASHBOARD_H
#define BOXOFFICE_DB_DASHBOARD_H

#include "channels.h"
#include "db.h"
#include "orders.h"

#define DASHBOARD_TYPES_MAX 24

struct dashboard_seats {
	char name[101];
	long long capacity, sold, held, reserved, available;
};

/* Entrances (db/020): each area's occupancy, and the admits per list
 * ("" for the whole event) and gate, from checkin_entrance_counts. */
#define DASHBOARD_AREAS_MAX 16
#define DASHBOARD_ENTRANCES_MAX 48
struct dashboard_area {
	char name[101];
	long long inside, capacity;
};
struct dashboard_entrance {
	char list[101], gate[101];
	long long admits;
};

/* Per gate (db/048 dashboard_gates): admits, online refusals, admits
 * made offline (uploaded), seconds since its last scan, and its admits per
 * minute of the last hour, oldest first. */
#define DASHBOARD_GATES_MAX 16
#define DASHBOARD_MINUTES 60
struct dashboard_gate {
	char name[101];
	long long admitted, rejected, offline_admits;
	double idle_seconds; /* -1: never scanned */
	int per_minute[DASHBOARD_MINUTES];
	/* db/054 gate_links: what its check-in stations last said */
	enum { GATE_LINK_UNKNOWN, GATE_LINK_ONLINE, GATE_LINK_OFFLINE } link;
	long long queued;    /* offline scans its journal held then */
	double link_seconds; /* since then */
};
/* Stations connected now (db/048 station_online). */
#define DASHBOARD_STATIONS_MAX 16
struct dashboard_station {
	char name[64], login[64], role[16], screen[41];
	double idle_seconds;
};

struct dashboard_figures {
	struct dashboard_seats types[DASHBOARD_TYPES_MAX];
	int ntypes;
	/* orders by status (by_status, today), paid and outstanding */
	struct order_summary orders;
	long long paid, outstanding;
	/* valid tickets */
	long long tickets, assigned, checked_in, inside, conflicts;
	struct dashboard_area areas[DASHBOARD_AREAS_MAX];
	int nareas, more_areas; /* more_areas: not held (past the max) */
	struct dashboard_entrance entrances[DASHBOARD_ENTRANCES_MAX];
	int nentrances, more_entrances;
	/* every row's admits summed (those past the max too): the event's */
	long long admits;
	struct dashboard_gate gates[DASHBOARD_GATES_MAX];
	int ngates, more_gates;
	struct dashboard_station stations[DASHBOARD_STATIONS_MAX];
	int nstations, more_stations;
	/* the platforms serve pushes to (db/038), all events' */
	struct channel_health_list channels;
};

/* False with db->err when any read fails (out is then unspecified). */
bool db_dashboard_read(struct db *db, long long event_id, struct dashboard_figures *out);
/* The same read queued on the loop (the shape of src/db/read.h). */
typedef void (*dashboard_fn)(struct db *db, const struct dashboard_figures *f, void *ctx);
bool db_dashboard_submit(struct db *db, const void *owner, long long event_id, dashboard_fn done, void *ctx);

/* Where this station is (db/048): the screen on top, for the
 * supervisors' list of stations online. Fire and forget on the loop. */
bool db_station_seen_submit(struct db *db, const void *owner, const char *screen);
/* A check-in station's word for the dashboard (db/054): its gate of
 * event and the offline scans its journal holds; fire and forget. */
bool db_gate_seen_submit(struct db *db, const void *owner, long long event_id, const char *gate, int queued);

#endif

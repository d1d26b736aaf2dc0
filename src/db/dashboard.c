#include "dashboard.h"

#include <stdio.h>
#include <string.h>

#include "checkin.h"

enum seat_col { SEAT_NAME, SEAT_CAPACITY, SEAT_SOLD, SEAT_HELD, SEAT_RESERVED, SEAT_AVAILABLE };
enum ticket_fig_col { TF_TICKETS, TF_ASSIGNED, TF_CHECKED_IN, TF_INSIDE };

bool db_dashboard_read(struct db *db, long long event_id, struct dashboard_figures *out)
{
	struct order_filter f;
	PGresult *res;

	memset(out, 0, sizeof *out);
	res = db_exec_id(db, "SELECT type_name, capacity, sold, held, reserved, available FROM inventory_view "
			     "WHERE event_id = $1 AND channel IS NULL ORDER BY type_id", event_id);
	if (!res)
		return false;
	for (int i = 0; i < PQntuples(res) && out->ntypes < DASHBOARD_TYPES_MAX; i++) {
		struct dashboard_seats *t = &out->types[out->ntypes++];
		snprintf(t->name, sizeof t->name, "%s", db_text(res, i, SEAT_NAME));
		t->capacity = db_int(res, i, SEAT_CAPACITY);
		t->sold = db_int(res, i, SEAT_SOLD);
		t->held = db_int(res, i, SEAT_HELD);
		t->reserved = db_int(res, i, SEAT_RESERVED);
		t->available = db_int(res, i, SEAT_AVAILABLE);
	}
	PQclear(res);

	f.event_id = event_id;
	order_filter_reset(&f); /* keeps the event */
	if (!db_order_summary(db, &f, &out->orders))
		return false;
	out->paid = order_summary_paid(&out->orders);
	out->outstanding = order_summary_outstanding(&out->orders);

	res = db_exec_id(db, "SELECT count(*), count(person_id), count(*) FILTER (WHERE scans > 0), "
			     "count(*) FILTER (WHERE scans % 2 = 1) FROM ticket WHERE event_id = $1 AND status = 'valid'",
			 event_id);
	if (!res)
		return false;
	out->tickets = db_int(res, 0, TF_TICKETS);
	out->assigned = db_int(res, 0, TF_ASSIGNED);
	out->checked_in = db_int(res, 0, TF_CHECKED_IN);
	out->inside = db_int(res, 0, TF_INSIDE);
	PQclear(res);
	return db_checkin_conflict_count(db, event_id, &out->conflicts);
}

/* The supervisor's dashboard figures of one event, read in one call: seats
 * per type, orders and money by status (from db_order_summary, the same
 * definition as the Ticket Orders grid), tickets and people inside. */
#ifndef BOXOFFICE_DB_DASHBOARD_H
#define BOXOFFICE_DB_DASHBOARD_H

#include "db.h"
#include "orders.h"

#define DASHBOARD_TYPES_MAX 24

struct dashboard_seats {
	char name[101];
	long long capacity, sold, held, reserved, available;
};

struct dashboard_figures {
	struct dashboard_seats types[DASHBOARD_TYPES_MAX];
	int ntypes;
	/* orders by status (by_status, today), paid and outstanding */
	struct order_summary orders;
	long long paid, outstanding;
	/* valid tickets */
	long long tickets, assigned, checked_in, inside, conflicts;
};

/* False with db->err when any read fails (out is then unspecified). */
bool db_dashboard_read(struct db *db, long long event_id, struct dashboard_figures *out);
/* The same read queued on the loop (the shape of src/db/read.h). */
typedef void (*dashboard_fn)(struct db *db, const struct dashboard_figures *f, void *ctx);
bool db_dashboard_submit(struct db *db, const void *owner, long long event_id, dashboard_fn done, void *ctx);

#endif

#include "bulk.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../core/csv.h"
#include "../core/validate.h"
#include "../db/db.h"
#include "../db/tickets.h"

int bulk_assign(struct db *db, long long order_id, const char *data, size_t len, bool dry,
		struct bulk_result *out)
{
	char fields[4][256];
	const char *p = data, *end = data + len;
	PGresult *tickets;
	int free_ticket = 0;

	memset(out, 0, sizeof *out);
	out->preview = json_array();
	if (!(tickets = db_tickets_of_order(db, order_id)))
		return -1;
	if (!db_begin(db)) {
		PQclear(tickets);
		return -1;
	}
	for (int nf; (nf = csv_read_record(&p, end, fields, 4)) != 0;) {
		const char *why = NULL;
		long long ticket = 0;
		out->rows++;
		if (nf < 0) {
			why = "not a CSV row (unclosed quote or field too long)";
			p = end; /* cannot find the next row after this */
		} else if (nf < 2) {
			why = "needs name,e-mail";
		} else if (out->rows == 1 && strcasecmp(fields[1], "email") == 0) {
			out->rows--; /* a header row */
			continue;
		} else if ((why = validate_text(fields[0], NAME_MAX_CHARS, true))) {
			why = strcmp(why, "is too long") == 0 ? "name is too long" : "name is missing or not text";
		} else if (validate_email(fields[1], true)) {
			why = "e-mail is not an address";
		}
		/* the order's next valid ticket without a holder */
		while (!why && free_ticket < PQntuples(tickets) &&
		       (strcmp(db_text(tickets, free_ticket, TK_STATUS), "valid") != 0 ||
			db_text(tickets, free_ticket, TK_PERSON_ID)))
			free_ticket++;
		if (!why && free_ticket >= PQntuples(tickets))
			why = "no unassigned ticket left in the order";
		if (!why) {
			json_t *r;
			ticket = db_int(tickets, free_ticket++, TK_ID);
			r = db_ticket_assign(db, ticket, fields[0], fields[1], nf > 2 ? fields[2] : NULL, "bulk assignment");
			if (!r)
				why = db->err;
			json_decref(r);
		}
		if (why)
			out->errors++;
		json_array_append_new(out->preview, json_pack("{si ss ss sI ss*}", "row", out->rows,
			"name", nf > 0 ? fields[0] : "", "email", nf > 1 ? fields[1] : "",
			"ticket", (json_int_t)ticket, "error", why));
		/* a failed statement spoils the transaction: stop reading */
		if (why && db->conn && PQtransactionStatus(db->conn) == PQTRANS_INERROR)
			break;
	}
	PQclear(tickets);
	if (out->errors || dry) {
		db_rollback(db);
		return 0;
	}
	if (!db_commit(db))
		return -1;
	out->assigned = true;
	return 0;
}

#include "orders.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/csv.h"
#include "../core/util.h"
#include "async.h"

/* The filter as SQL over parameters given as expressions: $n in queries,
 * session settings in COPY (which takes no parameters). Only constant
 * strings go into the SQL text. */
#define ORDER_FILTER(EV, SEARCH, STATUS, PAY, FROM, TO, TICKETS, ORG)                   \
	"(" EV "::bigint IS NULL OR o.event_id = " EV "::bigint)"                         \
	" AND (" SEARCH "::text IS NULL OR o.search_text LIKE lower(" SEARCH "::text))"   \
	" AND (" STATUS "::order_status IS NULL OR o.status = " STATUS "::order_status)"  \
	" AND (" PAY "::payment_method IS NULL OR o.payment = " PAY "::payment_method)"   \
	" AND (" FROM "::date IS NULL OR o.order_date >= " FROM "::date)"                 \
	" AND (" TO "::date IS NULL OR o.order_date <= " TO "::date)"                     \
	" AND (" TICKETS "::text IS NULL"                                                 \
	" OR (" TICKETS "::text = 'missing' AND o.tickets_issued < o.quantity)"           \
	" OR (" TICKETS "::text = 'complete' AND o.tickets_issued >= o.quantity))"           \
	" AND (" ORG "::bigint IS NULL OR o.event_org_id = " ORG "::bigint"                 \
	" OR (o.event_org_id IS NULL AND lower(btrim(o.company)) = (SELECT lower(btrim(g.name))" \
	" FROM event_organization e JOIN organization g ON g.id = e.organization_id"        \
	" WHERE e.id = " ORG "::bigint AND e.event_id = o.event_id)))"

/* The organization's parameter comes after the statement's others: $8 in
 * the summary, $11 in a page (after key, key id and limit). */
#define FILTER_PARAMS_ORG(ORG) ORDER_FILTER("$1", "$2", "$3", "$4", "$5", "$6", "$7", ORG)
#define FILTER_PARAMS FILTER_PARAMS_ORG("$8")
#define PAGE_FILTER_PARAMS FILTER_PARAMS_ORG("$11")
#define SETTING(name) "nullif(current_setting('boxoffice.f_" name "'), '')"
#define FILTER_SETTINGS                                                                   \
	ORDER_FILTER(SETTING("event"), SETTING("search"), SETTING("status"),              \
		     SETTING("payment"), SETTING("from"), SETTING("to"), SETTING("tickets"), SETTING("org"))

#define LIST_COLUMNS                                                                      \
	"o.id, o.company, o.contact, o.order_date, o.quantity, o.tickets_issued, "        \
	"o.gross_cents, o.vat_cents, o.payment, o.status"

/* Sortable columns: SQL expression and the type its key is cast to. */
/* "unindexed" sorts the same way but hides the column from the planner's
 * index matching (see db_order_page). */
static const struct {
	const char *column;
	const char *cast;
	const char *unindexed;
} sort_sql[SORT_COUNT] = {
	[SORT_COMPANY] = { "o.company", "text", "o.company || ''" },
	[SORT_CONTACT] = { "o.contact", "text", "o.contact || ''" },
	[SORT_DATE] = { "o.order_date", "date", "o.order_date + 0" },
	[SORT_ORDERED] = { "o.quantity", "integer", "o.quantity + 0" },
	[SORT_TICKETS] = { "o.tickets_issued", "integer", "o.tickets_issued + 0" },
	[SORT_AMOUNT] = { "o.gross_cents", "bigint", "o.gross_cents + 0" },
	[SORT_VAT] = { "o.vat_cents", "bigint", "o.vat_cents + 0" },
	/* enum order as a CASE: array_position(enum_range(..)) alone reads
	 * pg_enum for every row (83,000 buffers to sort 41,000 orders); it is
	 * left only for a value added to the type after this list */
	[SORT_PAYMENT] = { "o.payment", "payment_method",
			   "CASE o.payment WHEN 'invoice' THEN 1 WHEN 'card' THEN 2 WHEN 'sponsored' THEN 3 "
			   "WHEN 'free' THEN 4 ELSE array_position(enum_range(o.payment), o.payment) END" },
	[SORT_STATUS] = { "o.status", "order_status",
			  "CASE o.status WHEN 'requested' THEN 1 WHEN 'invoice_sent' THEN 2 WHEN 'settled' THEN 3 "
			  "WHEN 'cancelled' THEN 4 WHEN 'refunded' THEN 5 "
			  "ELSE array_position(enum_range(o.status), o.status) END" },
};

/* How far the fast path walks the sort index before giving up, and up to
 * how many matches sorting them all is cheaper than walking an index. */
#define INDEX_WALK_ROWS 3000
#define SORT_ALL_MATCHES 60000

struct filter_params {
	char event[24], search[SEARCH_MAX_BYTES * 2 + 8], org[24];
	const char *values[8];
};

static void filter_params(const struct order_filter *f, struct filter_params *p)
{
	snprintf(p->event, sizeof p->event, "%lld", f->event_id);
	order_search_pattern(f->search, p->search, sizeof p->search);
	p->values[0] = f->event_id ? p->event : NULL;
	p->values[1] = f->search[0] ? p->search : NULL;
	p->values[2] = f->status >= 0 ? order_status_name(f->status) : NULL;
	p->values[3] = f->payment >= 0 ? payment_name(f->payment) : NULL;
	p->values[4] = f->from[0] ? f->from : NULL;
	p->values[5] = f->to[0] ? f->to : NULL;
	p->values[6] = f->tickets != TICKETS_ANY ? ticket_count_name(f->tickets) : NULL;
	snprintf(p->org, sizeof p->org, "%lld", f->event_org_id);
	p->values[7] = f->event_org_id ? p->org : NULL;
}

/* Few matches, found by filter rather than by walking the sort index: a
 * search, or one organization's orders. */
static bool filter_sparse(const struct order_filter *f)
{
	return f->search[0] || f->event_org_id;
}

static bool filter_ok(struct db *db, const struct order_filter *f)
{
	const char *why = order_filter_check(f);
	if (why)
		db_set_error(db, DB_BADINPUT, "%s", why);
	return why == NULL;
}

enum page_plan {
	PLAN_INDEX_WALK, /* walk the sort index a bounded way, filter as we go */
	PLAN_MATCHES,    /* collect every match, then sort (sparse filters, searches) */
	PLAN_PLANNER,    /* many matches: the planner's own choice */
	PLAN_COVER,      /* the matches' ids and sort values from the list index
			  * alone (db/062), sorted; then their 30 rows */
	PLAN_COUNT_FIRST, /* not a query: count the matches, then one of the two above */
};

#define PAGE_SQL_MAX 6144

static void page_sql(const struct order_page_request *req, enum page_plan plan, char *sql, size_t size)
{
	char inner[4096];
	const char *col = sort_sql[req->sort].column, *cast = sort_sql[req->sort].cast;
	/* Walking backwards flips the order; the caller gets display order. */
	bool desc = req->descending != req->before;
	const char *dir = desc ? "DESC" : "ASC";
	const char *cmp = desc ? (req->inclusive ? "<=" : "<") : (req->inclusive ? ">=" : ">");
	const char *keyset_fmt = "($8::text IS NULL OR (%s, o.id) %s ($8::%s, $9::bigint))";
	char keyset[256];

	/* Only constants go into the SQL: the sort column comes from sort_sql[]. */
	snprintf(keyset, sizeof keyset, keyset_fmt, col, cmp, cast);
	if (plan == PLAN_INDEX_WALK) {
		/* The event's first rows in sort order, filtered after: exact
		 * whenever it yields a full page. */
		/* The filter's own bounds on the sort column (a date range
		 * sorted by date, a status sorted by status) are bounds of the
		 * walk: the index starts where the matches do. */
		static const char *const own[SORT_COUNT] = {
			[SORT_DATE] = "AND ($5::date IS NULL OR o.order_date >= $5::date) "
				      "AND ($6::date IS NULL OR o.order_date <= $6::date) ",
			[SORT_STATUS] = "AND ($3::order_status IS NULL OR o.status = $3::order_status) ",
			[SORT_PAYMENT] = "AND ($4::payment_method IS NULL OR o.payment = $4::payment_method) ",
		};
		snprintf(inner, sizeof inner,
			 "(SELECT * FROM ticket_order o WHERE ($1::bigint IS NULL OR o.event_id = $1::bigint) "
			 "%sAND %s ORDER BY %s %s, o.id %s LIMIT %d)",
			 own[req->sort] ? own[req->sort] : "", keyset, col, dir, dir, INDEX_WALK_ROWS);
	} else if (plan == PLAN_COVER) {
		/* Every column it reads is in ticket_order_list_idx (event,
		 * status, payment, date, id + the sorted numbers): an index-only
		 * scan of the matches, the heap only for the page. A status or
		 * payment not chosen is "any of them" so that the later key
		 * columns (payment, date) bound the scan too; the list of them
		 * is read once (a sub-select): as a plain enum_range() it was
		 * read again for every index entry (122,000 buffers for
		 * 60,000 requested orders, against 2,600). */
		snprintf(inner, sizeof inner,
			 "(SELECT o.id FROM ticket_order o WHERE " PAGE_FILTER_PARAMS
			 " AND ($3::order_status IS NOT NULL OR o.status = ANY "
			 "((SELECT enum_range(NULL::order_status))::order_status[]))"
			 " AND ($4::payment_method IS NOT NULL OR o.payment = ANY "
			 "((SELECT enum_range(NULL::payment_method))::payment_method[]))"
			 " AND %s ORDER BY %s %s, o.id %s LIMIT $10::integer) k CROSS JOIN ticket_order",
			 keyset, sort_sql[req->sort].unindexed, dir, dir);
	} else if (filter_sparse(req->filter)) {
		/* A search collects its matches through the trigram index first. */
		snprintf(inner, sizeof inner,
			 "(SELECT * FROM ticket_order o WHERE " PAGE_FILTER_PARAMS " OFFSET 0)");
	} else {
		snprintf(inner, sizeof inner, "ticket_order");
	}
	snprintf(sql, size,
		 "%sSELECT " LIST_COLUMNS ", o.version, o.event_id, o.email, o.invoice_no, "
		 "%s::text AS sort_key, %s AS sort_value, o.station FROM %s o WHERE %s" PAGE_FILTER_PARAMS " AND %s "
		 "ORDER BY %s %s, o.id %s LIMIT $10::integer%s%s%s%s",
		 req->before ? "SELECT * FROM (" : "", col, col, inner, plan == PLAN_COVER ? "o.id = k.id AND " : "",
		 keyset,
		 /* sparse matches sort by an expression the planner cannot
		  * serve from the sort index, so it finds them by filter */
		 plan == PLAN_MATCHES || plan == PLAN_COVER ? sort_sql[req->sort].unindexed : col, dir, dir,
		 req->before ? ") page ORDER BY sort_value " : "",
		 req->before ? (req->descending ? "DESC" : "ASC") : "",
		 req->before ? ", id " : "",
		 req->before ? (req->descending ? "DESC" : "ASC") : "");
}

static PGresult *page_query(struct db *db, const struct order_page_request *req, enum page_plan plan,
			    const char *const *params)
{
	char sql[PAGE_SQL_MAX];
	page_sql(req, plan, sql, sizeof sql);
	return db_exec(db, sql, 11, params);
}

/* The page's parameters: the filter's seven, key, key id, limit, then
 * the filter's organization. */
struct page_params {
	struct filter_params fp;
	char limit[16], key_id[24];
	const char *values[11];
};

static bool page_params(struct db *db, const struct order_page_request *req, struct page_params *pp)
{
	if ((unsigned)req->sort >= SORT_COUNT) {
		db_set_error(db, DB_BADINPUT, "unknown sort column");
		return false;
	}
	if (!filter_ok(db, req->filter))
		return false;
	filter_params(req->filter, &pp->fp);
	memcpy(pp->values, pp->fp.values, 7 * sizeof pp->fp.values[0]);
	pp->values[10] = pp->fp.values[7];
	snprintf(pp->key_id, sizeof pp->key_id, "%lld", req->key_id);
	snprintf(pp->limit, sizeof pp->limit, "%d", req->limit);
	pp->values[7] = req->key;
	pp->values[8] = pp->key_id;
	pp->values[9] = req->limit > 0 ? pp->limit : NULL;
	return true;
}

/* The plan to start with; PLAN_INDEX_WALK may be followed by a second. */
static enum page_plan first_plan(const struct order_page_request *req)
{
	if (req->limit <= 0)
		return PLAN_PLANNER;
	/* A search walks first too: a broad one ("anna": 5% of an event's
	 * orders) fills the page from the first few hundred rows of the sort
	 * index, where collecting and sorting its 25,000 matches takes 100 ms;
	 * a narrow one loses a 3,000-row walk (a few ms) and collects. */
	if (filter_sparse(req->filter) && !req->filter->search[0])
		return PLAN_MATCHES;
	return req->limit < INDEX_WALK_ROWS ? PLAN_INDEX_WALK : filter_sparse(req->filter) ? PLAN_MATCHES : PLAN_COUNT_FIRST;
}

/* Whether the list index (db/062) holds all a page needs to find and
 * sort its matches: one event, no search or organization, and a numeric,
 * date or enum sort. */
static bool cover_ok(const struct order_page_request *req)
{
	return req->filter->event_id && !filter_sparse(req->filter) && req->sort != SORT_COMPANY &&
	       req->sort != SORT_CONTACT;
}

/* After a walk that did not fill the page: the matches are sparse near the
 * top of the sort, however many there are (requested orders sorted by
 * tickets, descending: 60,000, all at the far end). A search's matches are
 * collected; the list index serves the others at any count (an index-only
 * scan of 60,000 entries is some 2,000 buffers, where walking the sort
 * index to them was 340,000 rows); else the statistics count them. */
static enum page_plan after_walk(const struct order_page_request *req)
{
	if (filter_sparse(req->filter))
		return PLAN_MATCHES;
	return cover_ok(req) ? PLAN_COVER : PLAN_COUNT_FIRST;
}

/* After a short index walk: whether the statistics can count the matches. */
static bool stats_count_matches(const struct order_filter *f)
{
	return f->status < 0 || f->status <= ORDER_SETTLED;
}

static enum page_plan plan_for_matches(long long matches)
{
	return matches >= 0 && matches <= SORT_ALL_MATCHES ? PLAN_MATCHES : PLAN_PLANNER;
}

/* Two plans: walking the sort index is instant when matches are dense, and
 * collecting the matches is instant when they are sparse. Try the first
 * with a bounded walk; if it does not fill the page, the matches are
 * sparse (or the list ends), and the second is cheap. */
PGresult *db_order_page(struct db *db, const struct order_page_request *req)
{
	struct page_params pp;
	enum page_plan plan;
	PGresult *res;

	if (!page_params(db, req, &pp))
		return NULL;
	plan = first_plan(req);
	if (plan == PLAN_INDEX_WALK) {
		res = page_query(db, req, PLAN_INDEX_WALK, pp.values);
		if (!res || PQntuples(res) >= req->limit)
			return res;
		PQclear(res);
		plan = after_walk(req);
		if (plan != PLAN_COUNT_FIRST)
			return page_query(db, req, plan, pp.values);
	} else if (plan != PLAN_COUNT_FIRST) {
		return page_query(db, req, plan, pp.values);
	}
	/* The statistics tell how many orders match (without a search). */
	{
		struct order_summary s;
		long long matches = -1;
		if (stats_count_matches(req->filter) && db_order_summary(db, req->filter, &s))
			matches = s.cell[SUMMARY_ROWS - 1][SUMMARY_COLS - 1].orders;
		return page_query(db, req, plan_for_matches(matches), pp.values);
	}
}

/* The grid's row of a status: requested, invoice_sent, settled; -1 for the
 * others (cancelled and refunded count only in by_status). */
static int summary_row(enum order_status status)
{
	return status == ORDER_REQUESTED || status == ORDER_INVOICE_SENT || status == ORDER_SETTLED ? (int)status : -1;
}

static void summary_parse(const PGresult *res, struct order_summary *out);

/* "Today" is the event's today (db/017: event_day, the same day an order
 * is dated by), so an order counts today exactly when `order list --from D
 * --to D` with that day lists it. Worked out once per event (a join with
 * the few events), not once per row: per row it was half the time of a
 * search's summary (120 of 235 ms for 25,000 matches). */
#define ORDER_IS_TODAY "o.order_date = d.today"
#define EVENT_TODAY "LEFT JOIN (SELECT e.id, event_day(e.id, now()) AS today FROM event e OFFSET 0) d ON d.id = o.event_id "

static const char *summary_sql(const struct order_filter *f)
{
	/* Without a search the grid comes from the pre-aggregated statistics;
	 * a search needs the orders themselves (found through the trigram index). */
	static const char sql_stats[] =
		"SELECT o.status, o.payment, sum(o.orders), sum(o.tickets), sum(o.amount), "
		"coalesce(sum(o.orders) FILTER (WHERE " ORDER_IS_TODAY "), 0) "
		"FROM (SELECT * FROM order_stats UNION ALL SELECT * FROM order_stats_delta) o " EVENT_TODAY
		"WHERE ($1::bigint IS NULL OR o.event_id = $1::bigint) AND $2::text IS NULL "
		"AND ($3::order_status IS NULL OR o.status = $3::order_status) "
		"AND ($4::payment_method IS NULL OR o.payment = $4::payment_method) "
		"AND ($5::date IS NULL OR o.order_date >= $5::date) "
		"AND ($6::date IS NULL OR o.order_date <= $6::date) "
		"AND ($7::text IS NULL OR ($7::text = 'complete') = o.complete) AND $8::bigint IS NULL "
		"GROUP BY 1, 2";
	static const char sql_orders[] =
		"SELECT o.status, o.payment, count(*), sum(o.quantity), sum(o.gross_cents), "
		"count(*) FILTER (WHERE " ORDER_IS_TODAY ") "
		"FROM ticket_order o " EVENT_TODAY "WHERE " FILTER_PARAMS " GROUP BY 1, 2";
	return filter_sparse(f) ? sql_orders : sql_stats;
}

bool db_order_summary(struct db *db, const struct order_filter *f, struct order_summary *out)
{
	struct filter_params fp;
	PGresult *res;

	if (!filter_ok(db, f))
		return false;
	filter_params(f, &fp);
	res = db_exec(db, summary_sql(f), 8, fp.values);
	if (!res)
		return false;
	summary_parse(res, out);
	PQclear(res);
	return true;
}

static void summary_parse(const PGresult *res, struct order_summary *out)
{
	memset(out, 0, sizeof *out);
	for (int i = 0; i < PQntuples(res); i++) {
		enum order_status st;
		enum payment_method p;
		struct order_summary_cell c = { db_int(res, i, 2), db_int(res, i, 3), db_int(res, i, 4) };
		if (!order_status_parse(PQgetvalue(res, i, 0), &st) || !payment_parse(PQgetvalue(res, i, 1), &p))
			continue;
		out->by_status[st].orders += c.orders;
		out->by_status[st].tickets += c.tickets;
		out->by_status[st].amount += c.amount;
		out->today[st] += db_int(res, i, 5);
		for (int k = 0; k < 2; k++) {
			struct order_summary_cell *d = &out->status_pay[st][k ? SUMMARY_COLS - 1 : (int)p];
			d->orders += c.orders;
			d->tickets += c.tickets;
			d->amount += c.amount;
		}
		int r = summary_row(st);
		if (r < 0)
			continue;
		/* each cell adds into its row total, column total and the grand total */
		int rows[2] = { r, SUMMARY_ROWS - 1 }, cols[2] = { (int)p, SUMMARY_COLS - 1 };
		for (int a = 0; a < 2; a++)
			for (int b = 0; b < 2; b++) {
				out->cell[rows[a]][cols[b]].orders += c.orders;
				out->cell[rows[a]][cols[b]].tickets += c.tickets;
				out->cell[rows[a]][cols[b]].amount += c.amount;
			}
	}
}

long long order_summary_paid(const struct order_summary *s)
{
	return s->cell[ORDER_SETTLED][SUMMARY_COLS - 1].amount;
}

long long order_summary_outstanding(const struct order_summary *s)
{
	return s->cell[ORDER_REQUESTED][SUMMARY_COLS - 1].amount + s->cell[ORDER_INVOICE_SENT][SUMMARY_COLS - 1].amount;
}

json_t *order_summary_json(const struct order_summary *s)
{
	json_t *doc = json_object();

	/* rows are the first statuses, columns the payments, each then "total" */
	for (int r = 0; r < SUMMARY_ROWS; r++) {
		json_t *row = json_object();
		for (int c = 0; c < SUMMARY_COLS; c++)
			json_object_set_new(row, c < SUMMARY_COLS - 1 ? payment_name((enum payment_method)c) : "total", json_pack("{sI sI sI}",
				"orders", (json_int_t)s->cell[r][c].orders,
				"tickets", (json_int_t)s->cell[r][c].tickets,
				"amount", (json_int_t)s->cell[r][c].amount));
		json_object_set_new(doc, r < SUMMARY_ROWS - 1 ? order_status_name((enum order_status)r) : "total", row);
	}
	/* cancelled and refunded too, outside "total" (no money owed or
	 * paid): a filter on them is not all zeros */
	for (int st = ORDER_CANCELLED; st < ORDER_STATUS_COUNT; st++) {
		json_t *row = json_object();
		for (int c = 0; c < SUMMARY_COLS; c++)
			json_object_set_new(row, c < SUMMARY_COLS - 1 ? payment_name((enum payment_method)c) : "total", json_pack("{sI sI sI}",
				"orders", (json_int_t)s->status_pay[st][c].orders,
				"tickets", (json_int_t)s->status_pay[st][c].tickets,
				"amount", (json_int_t)s->status_pay[st][c].amount));
		json_object_set_new(doc, order_status_name((enum order_status)st), row);
	}
	return doc;
}

/* Cents as the COPY gives them ("168250") to units ("1682.50"); 0 when
 * the field is not a whole number (then it is written as it came). */
static int cents_to_units(const char *field, size_t len, char *out, size_t size)
{
	char digits[32], *end;
	long long cents;

	if (len == 0 || len >= sizeof digits)
		return 0;
	memcpy(digits, field, len);
	digits[len] = '\0';
	errno = 0;
	cents = strtoll(digits, &end, 10);
	if (*end || errno)
		return 0;
	return snprintf(out, size, "%s%lld.%02lld", cents < 0 ? "-" : "", llabs(cents) / 100, llabs(cents) % 100);
}

enum { EXPORT_AMOUNT = 6, EXPORT_VAT = 7 };
static const char *const export_header[] = {
	"id", "company", "contact", "date", "ordered", "tickets", "amount", "vat", "payment", "status",
};

static long long export_copy(struct db *db, const struct filter_params *fp, enum order_sort sort,
			     bool descending, FILE *out, export_progress_fn progress, void *ctx);

long long db_order_export(struct db *db, const struct order_filter *f, enum order_sort sort,
			  bool descending, FILE *out, export_progress_fn progress, void *ctx)
{
	struct filter_params fp;
	int saved_deadline;
	long long rows;

	if ((unsigned)sort >= SORT_COUNT)
		sort = SORT_DATE;
	if (!filter_ok(db, f))
		return -1;
	filter_params(f, &fp);
	/* A long stream, not a dead link: no deadline while it runs. */
	saved_deadline = db->deadline_ms;
	if (saved_deadline)
		db_set_deadline(db, 0);
	rows = export_copy(db, &fp, sort, descending, out, progress, ctx);
	if (saved_deadline && db->state == DB_READY)
		db_set_deadline(db, saved_deadline);
	else
		db->deadline_ms = saved_deadline;
	return rows;
}

static long long export_copy(struct db *db, const struct filter_params *fp, enum order_sort sort,
			     bool descending, FILE *out, export_progress_fn progress, void *ctx)
{
	static const char *const settings[8] = { "event", "search", "status", "payment", "from", "to", "tickets",
						 "org" };
	struct strbuf buf = { 0 };
	char sql[4096];
	PGresult *res;
	long long rows = 0;
	bool failed = false, stopped = false;
	char *line;
	int n;

	/* COPY takes no parameters: the filter goes in as session settings. */
	for (int i = 0; i < 8; i++) {
		char name[48];
		const char *p[2] = { name, fp->values[i] ? fp->values[i] : "" };
		snprintf(name, sizeof name, "boxoffice.f_%s", settings[i]);
		if (!db_run(db, "SELECT set_config($1, $2, false)", 2, p))
			return -1;
	}
	snprintf(sql, sizeof sql,
		 "COPY (SELECT " LIST_COLUMNS " FROM ticket_order o WHERE " FILTER_SETTINGS
		 " ORDER BY %s %s, o.id %s) TO STDOUT",
		 sort_sql[sort].column, descending ? "DESC" : "ASC", descending ? "DESC" : "ASC");
	res = PQexec(db->conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		db_set_error(db, DB_FAILED, "export: %s", PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	PQclear(res);
	for (size_t i = 0; i < sizeof export_header / sizeof export_header[0]; i++)
		csv_field(&buf, export_header[i], strlen(export_header[i]), i == 0);
	csv_end_row(&buf);
	while ((n = PQgetCopyData(db->conn, &line, 0)) > 0) {
		char *fields[16];
		size_t lens[16];
		int nf = copy_text_split(line, (size_t)(line[n - 1] == '\n' ? n - 1 : n), fields, lens, 16);
		for (int i = 0; i < nf; i++) {
			char units[40];
			int ulen = i == EXPORT_AMOUNT || i == EXPORT_VAT
					   ? cents_to_units(fields[i], lens[i], units, sizeof units) : 0;
			if (ulen > 0)
				csv_field(&buf, units, (size_t)ulen, false);
			else
				csv_field(&buf, fields[i], lens[i], i == 0);
		}
		csv_end_row(&buf);
		PQfreemem(line);
		rows++;
		if (buf.len > 1 << 16) {
			if (fwrite(buf.data, 1, buf.len, out) != buf.len)
				failed = true;
			buf.len = 0;
		}
		if (!failed && !stopped && progress && rows % 10000 == 0 && !progress(rows, ctx))
			stopped = true;
		if (failed || stopped) {
			/* Drain the rest of the COPY so the connection stays usable. */
			while ((n = PQgetCopyData(db->conn, &line, 0)) > 0)
				PQfreemem(line);
			break;
		}
	}
	if (!failed && buf.len && fwrite(buf.data, 1, buf.len, out) != buf.len)
		failed = true;
	strbuf_free(&buf);
	while ((res = PQgetResult(db->conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && !failed && !stopped) {
			db_set_error(db, DB_FAILED, "export: %s", PQresultErrorMessage(res));
			failed = true;
		}
		PQclear(res);
	}
	if (failed && !db->err[0])
		db_set_error(db, DB_FAILED, "export: write failed: %s", strerror(errno));
	if (stopped)
		db_set_error(db, DB_FAILED, "interrupted");
	return failed || stopped ? -1 : rows;
}

static const char SQL_ORDER_GET[] =
	"SELECT " LIST_COLUMNS ", o.version, o.event_id, o.email, o.invoice_no, o.channel, "
	"o.station, o.external_ref, o.payment_ref, o.net_cents, e.name, "
	"coalesce(org.name, '') FROM ticket_order o JOIN event e ON e.id = o.event_id "
	"LEFT JOIN event_organization eo ON eo.id = o.event_org_id "
	"LEFT JOIN organization org ON org.id = eo.organization_id WHERE o.id = $1";
static const char SQL_ORDER_LINES[] =
	"SELECT t.name, l.qty, l.unit_cents, l.net_cents, l.vat_cents, l.channel "
	"FROM order_line l JOIN ticket_type t ON t.id = l.type_id WHERE l.order_id = $1 "
	"ORDER BY l.id";
static const char SQL_ORDER_TICKETS[] =
	"SELECT k.id, t.name, k.serial, k.status, coalesce(p.name, ''), coalesce(p.email, '') "
	"FROM ticket k JOIN ticket_type t ON t.id = k.type_id "
	"LEFT JOIN person p ON p.id = k.person_id WHERE k.order_id = $1 ORDER BY k.id";
/* when, station, action, reason, and the line an inventory row is about
 * ("2 × Adult": an order of three lines logs three rows, told apart) */
static const char SQL_ORDER_HISTORY[] =
	"SELECT to_char(c.at, 'YYYY-MM-DD HH24:MI:SS'), c.station, c.action, c.reason, "
	"CASE WHEN c.entity = 'inventory' AND t.name IS NOT NULL THEN "
	"coalesce((c.detail ->> 'qty') || ' × ', '') || t.name ELSE '' END "
	"FROM change_log c LEFT JOIN ticket_type t ON t.id = c.type_id "
	"WHERE c.entity_id = $1 AND (c.entity = 'order' OR (c.entity = 'inventory' AND "
	"c.action IN ('sell', 'order', 'cancelled', 'refunded'))) ORDER BY c.id";

PGresult *db_order_get(struct db *db, long long id)
{
	return db_exec_id(db, SQL_ORDER_GET, id);
}

PGresult *db_order_lines(struct db *db, long long id)
{
	return db_exec_id(db, SQL_ORDER_LINES, id);
}

PGresult *db_order_tickets(struct db *db, long long id)
{
	return db_exec_id(db, SQL_ORDER_TICKETS, id);
}

PGresult *db_order_history(struct db *db, long long id)
{
	return db_exec_id(db, SQL_ORDER_HISTORY, id);
}

/* The detail's four answers kept as copies the screen reads after the
 * callback; the read frees them. */
static bool keep_rows(struct db *db, const PGresult *res, void *dst)
{
	PGresult **slot = dst;
	if (!(*slot = PQcopyResult(res, PG_COPYRES_ATTRS | PG_COPYRES_TUPLES))) {
		db_set_error(db, DB_FAILED, "out of memory copying an answer");
		return false;
	}
	return true;
}

static void order_detail_free(void *out)
{
	struct order_detail *d = out;
	PQclear(d->order);
	PQclear(d->lines);
	PQclear(d->tickets);
	PQclear(d->history);
}

static void order_detail_deliver(struct db *db, void (*done)(void), const void *out, void *ctx)
{
	((order_detail_fn)done)(db, out, ctx);
}

bool db_order_detail_submit(struct db *db, const void *owner, long long id, order_detail_fn done, void *ctx)
{
	struct db_read *r = db_read_new(sizeof(struct order_detail));
	struct order_detail *d = db_read_out(r);
	char s[24];
	const char *p[1] = { s };

	snprintf(s, sizeof s, "%lld", id);
	db_read_add(r, SQL_ORDER_GET, 1, p, keep_rows, &d->order);
	db_read_add(r, SQL_ORDER_LINES, 1, p, keep_rows, &d->lines);
	db_read_add(r, SQL_ORDER_TICKETS, 1, p, keep_rows, &d->tickets);
	db_read_add(r, SQL_ORDER_HISTORY, 1, p, keep_rows, &d->history);
	db_read_on_free(r, order_detail_free);
	return db_read_submit(db, owner, r, order_detail_deliver, (void (*)(void))done, ctx);
}

static const char order_add_sql[] =
	"SELECT order_add($1, $2::jsonb, $3::payment_method, $4, $5, $6, $7, 'pos', $8)";

static json_t *order_add(struct db *db, const void *owner, db_json_fn done, void *ctx, bool *queued,
			 long long event_id, json_t *lines, const char *payment,
		     const char *company, const char *contact, const char *email,
		     long long event_org_id, const char *key)
{
	char ev[24], org[24], *lines_text = json_dumps(lines, JSON_COMPACT);
	const char *p[8] = { ev, lines_text, payment, company, contact, email,
			     event_org_id ? org : NULL, key };
	json_t *doc;

	snprintf(ev, sizeof ev, "%lld", event_id);
	snprintf(org, sizeof org, "%lld", event_org_id);
	if (queued)
		*queued = db_json_submit(db, owner, order_add_sql, 8, p, done, ctx), doc = NULL;
	else
		doc = db_json(db, order_add_sql, 8, p);
	free(lines_text);
	return doc;
}

json_t *db_order_add(struct db *db, long long event_id, json_t *lines, const char *payment,
		     const char *company, const char *contact, const char *email,
		     long long event_org_id, const char *key)
{
	return order_add(db, NULL, NULL, NULL, NULL, event_id, lines, payment, company, contact, email,
			 event_org_id, key);
}

bool db_order_add_submit(struct db *db, const void *owner, long long event_id, json_t *lines,
			 const char *payment, const char *company, const char *contact, const char *email,
			 long long event_org_id, const char *key, db_json_fn done, void *ctx)
{
	bool queued = false;
	order_add(db, owner, done, ctx, &queued, event_id, lines, payment, company, contact, email,
		  event_org_id, key);
	return queued;
}

json_t *db_order_generate_tickets(struct db *db, long long id, long long version)
{
	char s[24], v[24];
	const char *p[2] = { s, version >= 0 ? v : NULL };

	snprintf(s, sizeof s, "%lld", id);
	snprintf(v, sizeof v, "%lld", version);
	return db_json(db, "SELECT order_tickets_generate($1, $2)", 2, p);
}

bool db_order_generate_tickets_submit(struct db *db, const void *owner, long long id, long long version,
				      db_json_fn done, void *ctx)
{
	char s[24], v[24];
	const char *p[2] = { s, version >= 0 ? v : NULL };

	snprintf(s, sizeof s, "%lld", id);
	snprintf(v, sizeof v, "%lld", version);
	return db_json_submit(db, owner, "SELECT order_tickets_generate($1, $2)", 2, p, done, ctx);
}

bool db_order_stats_compact(struct db *db)
{
	return db_run(db, "SELECT order_stats_compact()", 0, NULL);
}

/* ---- the same, for the terminal loop (async.c) ---- */

/* A page read in flight: its own copy of the request, and where it is in
 * the plan (a short index walk goes on with a count, then the page). */
struct page_job {
	struct order_filter filter;
	struct order_page_request req;
	char key[1024]; /* a sort key whole: 200 characters of up to 4 bytes */
	const void *owner;
	enum page_plan plan;
	db_result_fn done;
	void *ctx;
};

static void page_job_drop(void *ctx)
{
	free(ctx);
}

static void page_job_step(struct db *db, PGresult *res, void *ctx);

static bool page_job_submit(struct db *db, struct page_job *job, enum page_plan plan)
{
	struct page_params pp;
	char sql[PAGE_SQL_MAX];

	job->plan = plan;
	if (!page_params(db, &job->req, &pp))
		return false;
	if (plan == PLAN_COUNT_FIRST) {
		if (!stats_count_matches(&job->filter))
			return page_job_submit(db, job, PLAN_PLANNER);
		return db_submit(db, job->owner, summary_sql(&job->filter), 8, pp.fp.values, page_job_step,
				 page_job_drop, job);
	}
	page_sql(&job->req, plan, sql, sizeof sql);
	return db_submit(db, job->owner, sql, 11, pp.values, page_job_step, page_job_drop, job);
}

static void page_job_step(struct db *db, PGresult *res, void *ctx)
{
	struct page_job *job = ctx;
	enum page_plan next;

	if (res && job->plan == PLAN_INDEX_WALK && PQntuples(res) < job->req.limit) {
		next = after_walk(&job->req);
	} else if (res && job->plan == PLAN_COUNT_FIRST) {
		struct order_summary s;
		summary_parse(res, &s);
		next = plan_for_matches(s.cell[SUMMARY_ROWS - 1][SUMMARY_COLS - 1].orders);
	} else {
		job->done(db, res, job->ctx);
		free(job);
		return;
	}
	if (!page_job_submit(db, job, next)) {
		job->done(db, NULL, job->ctx);
		free(job);
	}
}

bool db_order_page_submit(struct db *db, const void *owner, const struct order_page_request *req,
			  db_result_fn done, void *ctx)
{
	struct page_job *job = xcalloc(1, sizeof *job);

	job->filter = *req->filter;
	job->req = *req;
	job->req.filter = &job->filter;
	if (req->key) {
		snprintf(job->key, sizeof job->key, "%s", req->key);
		job->req.key = job->key;
	}
	job->owner = owner;
	job->done = done;
	job->ctx = ctx;
	if (!page_job_submit(db, job, first_plan(req))) {
		free(job);
		return false;
	}
	return true;
}

struct summary_job {
	order_summary_fn done;
	void *ctx;
};

static void summary_job_step(struct db *db, PGresult *res, void *ctx)
{
	struct summary_job *job = ctx;
	struct order_summary s;

	if (res)
		summary_parse(res, &s);
	job->done(db, res ? &s : NULL, job->ctx);
	free(job);
}

bool db_order_summary_submit(struct db *db, const void *owner, const struct order_filter *f,
			     order_summary_fn done, void *ctx)
{
	struct filter_params fp;
	struct summary_job *job;

	if (!filter_ok(db, f))
		return false;
	filter_params(f, &fp);
	job = xcalloc(1, sizeof *job);
	job->done = done;
	job->ctx = ctx;
	if (!db_submit(db, owner, summary_sql(f), 8, fp.values, summary_job_step, page_job_drop, job)) {
		free(job);
		return false;
	}
	return true;
}

bool db_order_stats_compact_submit(struct db *db, const void *owner)
{
	return db_submit(db, owner, "SELECT order_stats_compact()", 0, NULL, NULL, NULL, NULL);
}

static bool summary_step_parse(struct db *db, const PGresult *res, void *dst)
{
	(void)db;
	summary_parse(res, dst);
	return true;
}

bool db_order_summary_add(struct db *db, struct db_read *r, const struct order_filter *f, struct order_summary *dst)
{
	struct filter_params fp;

	if (!filter_ok(db, f))
		return false;
	filter_params(f, &fp);
	db_read_add(r, summary_sql(f), 8, fp.values, summary_step_parse, dst);
	return true;
}

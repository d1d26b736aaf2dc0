/* The gate's cache refresh against the real database: a full load streams
 * every ticket; an incremental refresh from the last horizon brings every
 * change since — including one whose transaction was still open when the
 * previous refresh ran — and applying it gives what a full load gives. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "src/db/gate_cache.h"
#include "src/db/db.h"

static PGconn *conn;
static struct db *db;
static long long event_id;

#define MAXT 4096

struct snapshot {
	struct cache_row rows[MAXT];
	int n;
};

static struct cache_row *find(struct snapshot *s, long long ticket)
{
	for (int i = 0; i < s->n; i++)
		if (s->rows[i].ticket == ticket)
			return &s->rows[i];
	return NULL;
}

static bool take(void *ctx, const struct cache_row *row)
{
	struct snapshot *s = ctx;
	struct cache_row *old = find(s, row->ticket);
	if (old) {
		*old = *row;
		return true;
	}
	if (s->n == MAXT)
		return false;
	s->rows[s->n++] = *row;
	return true;
}

static bool same(struct snapshot *a, struct snapshot *b)
{
	if (a->n != b->n) {
		fprintf(stderr, "rows: %d vs %d\n", a->n, b->n);
		return false;
	}
	for (int i = 0; i < a->n; i++) {
		struct cache_row *o = find(b, a->rows[i].ticket);
		/* field by field: padding bytes are not part of a row */
		if (!o || o->event != a->rows[i].event || o->issue != a->rows[i].issue ||
		    o->scans != a->rows[i].scans || o->valid != a->rows[i].valid) {
			fprintf(stderr, "ticket %lld: cache issue %d scans %d valid %d; full %s issue %d scans %d valid %d\n",
				a->rows[i].ticket, a->rows[i].issue, a->rows[i].scans, a->rows[i].valid, o ? "has" : "lacks",
				o ? o->issue : 0, o ? o->scans : 0, o ? o->valid : 0);
			return false;
		}
	}
	return true;
}

static int setup(void **state)
{
	(void)state;
	conn = test_migrate_connect();
	db = db_new(NULL, "cache-test");
	if (!db_connect(db))
		return -1;
	event_id = make_event(unique_name("Cache"), "2027-11-01", 0);
	make_type(event_id, "Adult", 1000, 10000, 1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	db_free(db);
	PQfinish(conn);
	return 0;
}

static long long sell(int qty)
{
	json_t *doc = cli_json("$BOXOFFICE sell --event %lld --type Adult --qty %d --payment card", event_id, qty);
	long long id = json_integer_value(json_object_get(doc, "id"));
	json_decref(doc);
	return id;
}

static void test_incremental_refresh_equals_full_load(void **state)
{
	static struct snapshot cache, full, delta;
	long long h0, h1, o1 = sell(3), o2 = sell(2), t1, counted = 0;
	char sql[256];
	PGconn *slow;
	struct run_result r;
	(void)state;

	memset(&cache, 0, sizeof cache);
	assert_true(db_cache_horizon(db, &h0));
	assert_true(db_cache_stream(db, event_id, 0, take, &cache));
	assert_int_equal(cache.n, 5);

	/* A transaction that is open while the next refresh runs: its change
	 * must not be lost once it commits. */
	slow = test_connect();
	t1 = first_ticket(o1);
	PQclear(test_query(slow, "BEGIN", 0, NULL));
	snprintf(sql, sizeof sql, "UPDATE ticket SET scans = scans + 1 WHERE id = %lld", t1);
	PQclear(test_query(slow, sql, 0, NULL));

	/* Changes that commit: a reissue, a void, new tickets. */
	r = run_cmd("$BOXOFFICE ticket reissue %lld --reason lost", first_ticket(o2));
	assert_int_equal(r.status, 0);
	run_free(&r);
	r = run_cmd("$BOXOFFICE order refund %lld", o2);
	assert_int_equal(r.status, 0);
	run_free(&r);
	sell(4);

	assert_true(db_cache_horizon(db, &h1));
	assert_true(h1 >= h0); /* held back by the open transaction */
	memset(&delta, 0, sizeof delta);
	assert_true(db_cache_stream(db, event_id, h0, take, &delta));
	assert_true(delta.n >= 2 + 4); /* the refunded order's tickets, the new ones */
	assert_null(find(&delta, t1)); /* not committed yet */
	for (int i = 0; i < delta.n; i++)
		take(&cache, &delta.rows[i]);

	PQclear(test_query(slow, "COMMIT", 0, NULL));
	PQfinish(slow);
	memset(&delta, 0, sizeof delta);
	assert_true(db_cache_stream(db, event_id, h1, take, &delta));
	assert_non_null(find(&delta, t1)); /* committed after h1 was taken: seen now */
	assert_int_equal(find(&delta, t1)->scans, 1);
	for (int i = 0; i < delta.n; i++)
		take(&cache, &delta.rows[i]);

	memset(&full, 0, sizeof full);
	assert_true(db_cache_stream(db, event_id, 0, take, &full));
	assert_int_equal(full.n, 9);
	assert_true(same(&cache, &full));
	for (int i = 0; i < full.n; i++)
		counted += full.rows[i].valid;
	assert_int_equal(counted, 7); /* the refunded order's two are void */
}

static void test_stream_stops_when_the_cache_is_full(void **state)
{
	static struct snapshot tiny;
	(void)state;
	memset(&tiny, 0, sizeof tiny);
	tiny.n = MAXT; /* no room */
	assert_false(db_cache_stream(db, event_id, 0, take, &tiny));
	/* The connection is fine afterwards. */
	assert_true(db_run(db, "SELECT 1", 0, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incremental_refresh_equals_full_load),
		cmocka_unit_test(test_stream_stops_when_the_cache_is_full),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

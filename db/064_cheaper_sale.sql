-- 064_cheaper_sale.sql: two costs of every sale that bought nothing
-- (issue 19). pg_stat_statements with track_planning, one seller, showed
-- two statements planned again on every call:
--
-- 1. event_day, a SQL function, is parsed and planned each time the
--    order-date trigger calls it (0.045 ms of a 1.4 ms sale). As plpgsql
--    its plan is cached for the session; what it computes is unchanged.
-- 2. order_create's ticket INSERT … generate_series(1, p_qty) got a custom
--    plan per call (0.064 ms): the planner guesses a thousand rows for a
--    generate_series with an unknown bound, so the generic plan always
--    looked dearer than a custom one. The statement's plan is the same
--    for every quantity; order_create plans generically.

CREATE OR REPLACE FUNCTION event_day(p_event bigint, p_at timestamptz) RETURNS date
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT (p_at AT TIME ZONE e.time_zone)::date FROM event e WHERE e.id = p_event);
END $$;

ALTER FUNCTION order_create(ticket_type, integer, sales_channel, payment_method, boolean, text,
			    text, text, text) SET plan_cache_mode = force_generic_plan;

-- Not the sale: org_clean_text (063) repeated door_text's (060) class of
-- invisible and control characters. It keeps only what it adds: every
-- kind of space becomes a plain one and runs of spaces become one.
CREATE OR REPLACE FUNCTION org_clean_text(p text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT regexp_replace(door_text(regexp_replace(coalesce(p, ''),
		'[\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]', ' ', 'g'), 2147483647),
		' {2,}', ' ', 'g')
$$;

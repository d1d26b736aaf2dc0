-- 018_seller_inherits_and_zones.sql: two rules found by a hostile review.
--
-- 1. An event's seller takes what it does not set from the all-events
--    seller (015 printed an invoice with no bank, VAT number or currency
--    when only the event's name and address were set). Empty means "as
--    for all events"; due days are the event's own when it has a row.
-- 2. An event's time zone is a place: 'localtime', 'posixrules' and
--    'Factory' are in pg_timezone_names too, but the first follows the
--    server's setting, which is what an event's own zone must not do.

CREATE OR REPLACE FUNCTION seller_of(p_event bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
	WITH e AS (SELECT * FROM seller WHERE event_id = p_event),
	     g AS (SELECT * FROM seller WHERE event_id IS NULL)
	SELECT jsonb_build_object(
		'name', coalesce(nullif(e.name, ''), g.name),
		'address', coalesce(nullif(e.address, ''), g.address, ''),
		'vat_number', coalesce(nullif(e.vat_number, ''), g.vat_number, ''),
		'bank', coalesce(nullif(e.bank, ''), g.bank, ''),
		'email', coalesce(nullif(e.email, ''), g.email, ''),
		'currency', coalesce(nullif(e.currency, ''), g.currency, ''),
		'due_days', coalesce(e.due_days, g.due_days),
		'event', e.event_id)
	FROM (SELECT 1) one LEFT JOIN e ON true LEFT JOIN g ON true
	WHERE e.event_id IS NOT NULL OR g.id IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION event_time_zone_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = NEW.time_zone)
	   OR lower(NEW.time_zone) IN ('localtime', 'posixrules', 'factory') THEN
		RAISE EXCEPTION 'time zone ''%'' is not a known zone name (such as Europe/Oslo)', NEW.time_zone
			USING ERRCODE = '22023';
	END IF;
	RETURN NEW;
END $$;

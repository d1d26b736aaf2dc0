-- serve's sale path, measured (bench/serve.c): api_adjust ended with
-- api_availability, a LANGUAGE sql function PostgreSQL cannot inline (it
-- aggregates), so it was planned afresh on every call (about 1 ms) while
-- the sale still held the type's row lock. As plpgsql its plan is cached
-- per session. The event and type look-ups compared the ID as numeric,
-- which no index serves; now as bigint.
CREATE OR REPLACE FUNCTION api_availability(p_event bigint, p_type bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('event', v.event_id, 'type', v.type_id,
		'type_name', v.type_name, 'channel', v.channel, 'capacity', v.capacity, 'sold', v.sold,
		'held', v.held, 'reserved', v.reserved, 'available', v.available)
		ORDER BY v.type_id, v.channel NULLS FIRST), '[]')
	FROM inventory_view v
	WHERE v.event_id = p_event AND (p_type IS NULL OR v.type_id = p_type));
END $$;

CREATE OR REPLACE FUNCTION api_event_id(p jsonb) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
	id bigint;
BEGIN
	IF p IS NULL OR jsonb_typeof(p) = 'null' THEN
		RAISE EXCEPTION 'event is required' USING ERRCODE = '22023';
	END IF;
	IF (jsonb_typeof(p) = 'number' AND p #>> '{}' ~ '^[0-9]{1,18}$')
	   OR (jsonb_typeof(p) = 'string' AND p #>> '{}' ~ '^[0-9]{1,18}$') THEN
		SELECT e.id INTO id FROM event e WHERE e.id = (p #>> '{}')::bigint;
	ELSIF jsonb_typeof(p) = 'string' THEN
		SELECT e.id INTO id FROM event e WHERE lower(e.name) = lower(p #>> '{}');
	ELSE
		RAISE EXCEPTION 'event must be an ID or a name' USING ERRCODE = '22023';
	END IF;
	IF id IS NULL THEN
		RAISE EXCEPTION 'no event %', p #>> '{}' USING ERRCODE = 'BX001';
	END IF;
	RETURN id;
END $$;

CREATE OR REPLACE FUNCTION api_type_id(p_event bigint, p jsonb) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
	id bigint;
BEGIN
	IF p IS NULL OR jsonb_typeof(p) = 'null' THEN
		RAISE EXCEPTION 'type is required' USING ERRCODE = '22023';
	END IF;
	IF (jsonb_typeof(p) = 'number' AND p #>> '{}' ~ '^[0-9]{1,18}$')
	   OR (jsonb_typeof(p) = 'string' AND p #>> '{}' ~ '^[0-9]{1,18}$') THEN
		SELECT t.id INTO id FROM ticket_type t WHERE t.id = (p #>> '{}')::bigint AND t.event_id = p_event;
	ELSIF jsonb_typeof(p) = 'string' THEN
		SELECT t.id INTO id FROM ticket_type t WHERE lower(t.name) = lower(p #>> '{}') AND t.event_id = p_event;
	ELSE
		RAISE EXCEPTION 'type must be an ID or a name' USING ERRCODE = '22023';
	END IF;
	IF id IS NULL THEN
		RAISE EXCEPTION 'event % has no ticket type %', p_event, p #>> '{}' USING ERRCODE = 'BX001';
	END IF;
	RETURN id;
END $$;

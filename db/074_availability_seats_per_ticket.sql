-- 074: GET /availability (and the availability in a /tickets/adjust
-- answer) gives each row's seats_per_ticket, as `inventory --json` does.
-- Its counts are seats; a web shop selling a type of several seats a
-- ticket (a Group of 10) could not turn "available": 45 into tickets
-- without it (45 / 10 = 4 tickets; db/066, db/068). Nothing else changes:
-- the same rows, fields and order.
CREATE OR REPLACE FUNCTION api_availability(p_event bigint, p_type bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('event', v.event_id, 'type', v.type_id,
		'type_name', v.type_name, 'channel', v.channel, 'capacity', v.capacity, 'sold', v.sold,
		'held', v.held, 'reserved', v.reserved, 'available', v.available,
		'seats_per_ticket', v.seats_per_ticket)
		ORDER BY v.type_id, v.channel NULLS FIRST), '[]')
	FROM inventory_view v
	WHERE v.event_id = p_event AND (p_type IS NULL OR v.type_id = p_type));
END $$;

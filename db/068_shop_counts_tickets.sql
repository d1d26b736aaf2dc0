-- 068: the public ticket page counts tickets, not seats. For a type of
-- several seats a ticket it said "105 left" (and took up to 105 in the
-- form) where 10 tickets were left (the hostile review of stop 31).
CREATE OR REPLACE FUNCTION api_public_event(p_event bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', e.id, 'name', e.name, 'date', e.date,
		'types', coalesce((SELECT jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name,
			'price', t.price_cents, 'vat_bp', t.vat_bp,
			'available', greatest(0, least(a.available, coalesce(q.available, a.available)))
				     / t.seats_per_ticket)
			ORDER BY t.id)
			FROM ticket_type t
			JOIN inventory_view a ON a.type_id = t.id AND a.channel IS NULL
			LEFT JOIN inventory_view q ON q.type_id = t.id AND q.channel = 'web'
			WHERE t.event_id = e.id), '[]'))
	FROM event e WHERE e.id = p_event
$$;

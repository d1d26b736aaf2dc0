-- 071: the public ticket page (the web channel) counts what the web can
-- sell. Without a web quota the web sells from the shared pool, which is
-- the type's seats less every channel's unused quota (quota_free); the
-- page used the type's whole availability and said "20 left" where 5 were
-- (a sale of 6 was then refused). A web quota is the web's own count.
CREATE OR REPLACE FUNCTION api_public_event(p_event bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', e.id, 'name', e.name, 'date', e.date,
		'types', coalesce((SELECT jsonb_agg(jsonb_build_object('id', t.id, 'name', t.name,
			'price', t.price_cents, 'vat_bp', t.vat_bp,
			'available', greatest(0, CASE WHEN q.type_id IS NULL THEN a.available - t.quota_free
						      ELSE least(a.available, q.available) END)
				     / t.seats_per_ticket)
			ORDER BY t.id)
			FROM ticket_type t
			JOIN inventory_view a ON a.type_id = t.id AND a.channel IS NULL
			LEFT JOIN inventory_view q ON q.type_id = t.id AND q.channel = 'web'
			WHERE t.event_id = e.id), '[]'))
	FROM event e WHERE e.id = p_event
$$;

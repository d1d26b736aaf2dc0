-- Eventbrite is told a capacity, not a count: capacity = what Eventbrite
-- itself has sold + what it may still sell. Without a quota for its sales
-- channel, 038 used the type's whole sold count, so every counter sale
-- raised Eventbrite's room by one (an oversell the webhook then refused).
-- Its own sold count is what its orders made here and still hold: the
-- settled orders recorded in platform_sale. A resync's pulled reading
-- still overrides this in the worker (outbox.c).
CREATE OR REPLACE FUNCTION outbox_item(c platform_channel, m platform_map) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('sku', m.sku, 'remote', m.remote, 'event', t.event_id, 'type', t.id,
		'event_name', e.name, 'type_name', t.name, 'sells', c.sales_channel,
		'available', greatest(0, CASE WHEN q.type_id IS NOT NULL THEN q.quota - q.sold - q.held
			ELSE t.capacity - t.sold - t.held - t.reserved - t.quota_free END) / t.seats_per_ticket,
		'sold', CASE WHEN q.type_id IS NOT NULL THEN q.sold / t.seats_per_ticket
			WHEN c.platform = 'eventbrite' THEN
				(SELECT coalesce(sum(l.qty), 0) FROM platform_sale ps
				 JOIN ticket_order o ON o.id = ps.order_id AND o.status = 'settled'
				 JOIN order_line l ON l.order_id = o.id AND l.type_id = ps.type_id
				 WHERE ps.platform = 'eventbrite' AND ps.type_id = t.id)
			ELSE t.sold / t.seats_per_ticket END)
	FROM ticket_type t
	JOIN event e ON e.id = t.event_id
	LEFT JOIN channel_quota q ON q.type_id = t.id AND q.channel = c.sales_channel
	WHERE t.id = m.type_id
$$;

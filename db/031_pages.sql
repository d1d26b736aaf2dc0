-- The public pages (src/http/pages.c, routes_holder.c): My Tickets and the
-- holder app mint each ticket's QR from api_person_tickets, which must
-- therefore say the ticket's type ID (the token signs it) next to its name.
CREATE OR REPLACE FUNCTION api_person_tickets(p_key bigint, p_person bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	k api_key;
	r jsonb;
BEGIN
	IF p_key IS NOT NULL THEN
		k := api_begin(p_key);
		IF k.app IS DISTINCT FROM 'holder' OR k.person_id <> p_person THEN
			RAISE EXCEPTION 'this key does not read person %''s tickets', p_person USING ERRCODE = '42501';
		END IF;
	END IF;
	SELECT jsonb_build_object('person', p.id, 'name', p.name, 'company', p.company, 'event', e.id,
		'event_name', e.name, 'date', e.date,
		'tickets', coalesce((SELECT jsonb_agg(jsonb_build_object('id', t.id, 'type', ty.name,
			'type_id', t.type_id, 'status', t.status, 'issue', t.issue, 'event', t.event_id,
			'scans', t.scans, 'inside', t.scans % 2 = 1,
			'last_checkin', (SELECT jsonb_build_object('at', c.at, 'gate', c.gate, 'direction', c.direction)
					 FROM checkin c WHERE c.ticket_id = t.id ORDER BY c.seq DESC LIMIT 1))
			ORDER BY t.id)
			FROM ticket t JOIN ticket_type ty ON ty.id = t.type_id
			WHERE t.person_id = p.id), '[]'))
	INTO r
	FROM person p JOIN event e ON e.id = p.event_id WHERE p.id = p_person;
	IF r IS NULL THEN
		RAISE EXCEPTION 'person % does not exist', p_person USING ERRCODE = 'BX001';
	END IF;
	RETURN r;
END $$;

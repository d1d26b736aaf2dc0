-- 024_entrance_fixes.sql: what the hostile review of 020 found.
--
-- 1. A holder inside on a re-entry list whose ticket was refunded,
--    cancelled or reissued meanwhile could not be scanned out, and the
--    area stayed full for good: on a list, the way out is decided first.
-- 2. A door said "Hall is full (9/10)": the refusal re-read the area in a
--    newer snapshot, after an exit had committed; it now tries again.
-- 3. An override that was not needed (the area was not full) was silent:
--    the verdict says override_used.
-- 4. A gate's verdict deadline did not bound the scan on the server: a
--    lock held for a minute (a supervisor's open transaction on the area)
--    let the backend commit the online scan long after the gate had
--    decided offline. checkin_scan(…, p_wait_ms) sets lock_timeout for its
--    own transaction, so the server gives up before the gate does.
-- 5. Window times: a zone name ("09:00 UTC") was silently read as the
--    event's clock and PostgreSQL's words (now, tomorrow, epoch,
--    infinity…) were taken; only ISO dates and times, with an optional
--    numeric offset or Z, are accepted now.

CREATE OR REPLACE FUNCTION event_time(p_event bigint, p_text text) RETURNS timestamptz
LANGUAGE plpgsql STABLE AS $$
DECLARE
	tz text;
	t text := btrim(coalesce(p_text, ''));
BEGIN
	IF t !~ '^\d{4}-\d{2}-\d{2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?\s*(Z|z|[+-]\d\d(:?\d\d)?)?$' THEN
		RAISE EXCEPTION 'not a time: "%" (write YYYY-MM-DD HH:MM, the event''s own clock, or add an offset such as +01:00)',
			p_text USING ERRCODE = '22007';
	END IF;
	SELECT time_zone INTO tz FROM event WHERE id = p_event;
	IF t ~ '(Z|z|[+-]\d\d(:?\d\d)?)$' AND t ~ ':' THEN
		RETURN t::timestamptz;
	END IF;
	RETURN t::timestamp AT TIME ZONE tz;
EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow OR invalid_text_representation THEN
	RAISE EXCEPTION 'not a time: "%" (write YYYY-MM-DD HH:MM, the event''s own clock)', p_text
		USING ERRCODE = '22007';
END $$;

CREATE OR REPLACE FUNCTION checkin_scan(p_ticket bigint, p_event bigint, p_issue integer, p_gate text,
					p_at timestamptz, p_offline boolean, p_scan uuid, p_lists bigint[], p_override text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	k record;
	last checkin;
	seen checkin;
	reentry boolean;
	dir checkin_direction;
	reason text;
	type_reason text;
	time_reason text;
	base jsonb;
	v_at timestamptz := coalesce(p_at, now());
	lst checkin_list;
	chosen checkin_list;
	pass checkin_pass;
	ar area;
	area_of bigint;
	first_name text;
	inside_on checkin_list;
	n_seq integer;
	why text := nullif(btrim(coalesce(p_override, '')), '');
	used_override boolean := false;
	result jsonb;
BEGIN
	SELECT t.*, tt.name AS type_name, o.status AS order_status,
	       coalesce(p.name, '') AS person, coalesce(p.company, '') AS company
	INTO k FROM ticket t JOIN ticket_type tt ON tt.id = t.type_id
	JOIN ticket_order o ON o.id = t.order_id LEFT JOIN person p ON p.id = t.person_id
	WHERE t.id = p_ticket FOR NO KEY UPDATE OF t;
	IF NOT FOUND OR k.event_id <> p_event THEN
		RETURN jsonb_build_object('verdict', 'reject', 'reason',
			CASE WHEN FOUND THEN 'other event' ELSE 'unknown code' END, 'ticket', p_ticket);
	END IF;
	base := jsonb_build_object('ticket', k.id, 'person', k.person, 'company', k.company,
				   'type', k.type_name);
	IF p_scan IS NOT NULL THEN
		SELECT * INTO seen FROM checkin WHERE scan_id = p_scan;
		IF FOUND THEN
			RETURN base || jsonb_build_object('verdict', 'admit', 'duplicate', true,
				'reason', CASE WHEN seen.direction = 'in' THEN '' ELSE 'checked out' END,
				'direction', seen.direction,
				'list', (SELECT name FROM checkin_list WHERE id = seen.list_id));
		END IF;
	END IF;
	-- Inside on one of the gate's lists: on a re-entry list this scan is
	-- the way out, whatever became of the ticket meanwhile (refunded,
	-- reissued): people must always be able to leave, and the area must
	-- get its place back.
	IF p_lists IS NOT NULL AND cardinality(p_lists) > 0 THEN
		FOR lst IN SELECT l.* FROM unnest(p_lists) WITH ORDINALITY u(id, n)
			   JOIN checkin_list l ON l.id = u.id AND l.event_id = k.event_id ORDER BY u.n LOOP
			SELECT * INTO pass FROM checkin_pass p WHERE p.ticket_id = k.id AND p.list_id = lst.id;
			IF FOUND AND pass.scans % 2 = 1 THEN
				SELECT * INTO last FROM checkin c
				WHERE c.ticket_id = k.id AND c.list_id = lst.id AND c.seq = pass.scans;
				inside_on := lst;
				EXIT;
			END IF;
		END LOOP;
		IF inside_on.id IS NOT NULL AND inside_on.reentry THEN
			chosen := inside_on;
			dir := 'out';
			area_of := last.area_id; -- out of the area it went into
		END IF;
	END IF;
	IF dir IS NULL THEN
		IF k.status <> 'valid' THEN
			reason := 'cancelled or refunded';
		ELSIF k.order_status <> 'settled' THEN
			reason := 'order not settled';
		ELSIF k.issue <> p_issue THEN
			reason := 'reissued (old QR)';
		END IF;
		IF reason IS NOT NULL THEN
			RETURN base || jsonb_build_object('verdict', 'reject', 'reason', reason);
		END IF;
	END IF;

	IF p_lists IS NULL OR cardinality(p_lists) = 0 THEN
		-- the whole event, as in 014 (the last scan found among the
		-- event-wide ones only)
		SELECT * INTO last FROM checkin c WHERE c.ticket_id = k.id AND c.list_id IS NULL AND c.seq = k.scans;
		SELECT e.reentry INTO reentry FROM event e WHERE e.id = k.event_id;
		IF k.scans % 2 = 1 AND NOT reentry THEN
			RETURN base || jsonb_build_object('verdict', 'reject', 'reason',
				format('already checked in at %s at gate %s', to_char(last.at, 'HH24:MI'),
				       coalesce(nullif(last.gate, ''), '?')),
				'first_at', last.at, 'first_gate', last.gate);
		END IF;
		dir := CASE WHEN k.scans % 2 = 0 THEN 'in' ELSE 'out' END;
		INSERT INTO checkin (ticket_id, seq, direction, gate, station, at, offline, scan_id)
		VALUES (k.id, k.scans + 1, dir, coalesce(p_gate, ''), current_setting('application_name'),
			v_at, coalesce(p_offline, false), p_scan);
		UPDATE ticket SET scans = scans + 1 WHERE id = k.id;
		RETURN base || jsonb_build_object('verdict', 'admit',
			'reason', CASE WHEN dir = 'in' THEN '' ELSE 'checked out' END, 'direction', dir);
	END IF;

	IF inside_on.id IS NOT NULL AND NOT inside_on.reentry THEN
		RETURN base || jsonb_build_object('verdict', 'reject', 'list', inside_on.name, 'reason',
			format('already checked in at %s at gate %s', to_char(last.at, 'HH24:MI'),
			       coalesce(nullif(last.gate, ''), '?')),
			'first_at', last.at, 'first_gate', last.gate);
	END IF;
	SELECT l.name INTO first_name FROM unnest(p_lists) WITH ORDINALITY u(id, n)
	JOIN checkin_list l ON l.id = u.id AND l.event_id = k.event_id ORDER BY u.n LIMIT 1;
	IF first_name IS NULL THEN
		RETURN base || jsonb_build_object('verdict', 'reject', 'reason', 'not on this list');
	END IF;
	IF chosen.id IS NULL THEN
		FOR lst IN SELECT l.* FROM unnest(p_lists) WITH ORDINALITY u(id, n)
			   JOIN checkin_list l ON l.id = u.id AND l.event_id = k.event_id ORDER BY u.n LOOP
			IF NOT lst.all_types AND NOT EXISTS (SELECT 1 FROM checkin_list_type lt
							     WHERE lt.list_id = lst.id AND lt.type_id = k.type_id) THEN
				type_reason := coalesce(type_reason, checkin_list_type_reason(lst.id));
				CONTINUE;
			END IF;
			reason := checkin_list_time_reason(lst.id, v_at);
			IF reason IS NOT NULL THEN
				time_reason := coalesce(time_reason, reason);
				CONTINUE;
			END IF;
			chosen := lst;
			dir := 'in';
			area_of := lst.area_id;
			EXIT;
		END LOOP;
		IF chosen.id IS NULL THEN
			RETURN base || jsonb_build_object('verdict', 'reject', 'list', first_name,
				'reason', coalesce(time_reason, type_reason, 'not on this list'));
		END IF;
	END IF;

	IF area_of IS NOT NULL THEN
		IF dir = 'in' THEN
			FOR attempt IN 1..10 LOOP
				UPDATE area a SET inside = a.inside + 1
				WHERE a.id = area_of AND (a.inside < a.capacity OR coalesce(p_offline, false) OR why IS NOT NULL)
				RETURNING * INTO ar;
				EXIT WHEN FOUND;
				-- Refused on the row as it was; read again (a newer
				-- snapshot): an exit may have committed since, and a
				-- door must not say "full (9/10)".
				SELECT * INTO ar FROM area a WHERE a.id = area_of;
				IF ar.inside >= ar.capacity OR attempt = 10 THEN
					RETURN base || jsonb_build_object('verdict', 'reject', 'list', chosen.name,
						'reason', format('%s is full (%s/%s)', ar.name, ar.inside, ar.capacity),
						'area', ar.name, 'inside', ar.inside, 'capacity', ar.capacity, 'full', true);
				END IF;
			END LOOP;
			used_override := why IS NOT NULL AND ar.inside > ar.capacity AND NOT coalesce(p_offline, false);
		ELSE
			UPDATE area a SET inside = a.inside - 1 WHERE a.id = area_of RETURNING * INTO ar;
		END IF;
	END IF;

	SELECT * INTO pass FROM checkin_pass p WHERE p.ticket_id = k.id AND p.list_id = chosen.id;
	n_seq := coalesce(pass.scans, 0) + 1;
	INSERT INTO checkin (ticket_id, seq, direction, gate, station, at, offline, scan_id, list_id, area_id,
			     override_reason)
	VALUES (k.id, n_seq, dir, coalesce(p_gate, ''), current_setting('application_name'), v_at,
		coalesce(p_offline, false), p_scan, chosen.id, area_of, CASE WHEN used_override THEN why END);
	INSERT INTO checkin_pass (ticket_id, list_id, scans) VALUES (k.id, chosen.id, 1)
	ON CONFLICT (ticket_id, list_id) DO UPDATE SET scans = checkin_pass.scans + 1;
	-- what an offline gate caches changed (db/013)
	UPDATE ticket SET rev = pg_current_xact_id()::text::bigint WHERE id = k.id;
	IF used_override THEN
		INSERT INTO change_log (entity, entity_id, action, reason, event_id, type_id, detail)
		VALUES ('area', ar.id, 'capacity_override', why, k.event_id, k.type_id,
			jsonb_build_object('ticket', k.id, 'gate', coalesce(p_gate, ''), 'list', chosen.name,
					   'inside', ar.inside, 'capacity', ar.capacity));
	END IF;
	IF area_of IS NOT NULL THEN
		-- an area's occupancy is pushed live; its row lock serialises
		-- these scans already, so the notification queue adds no wait
		PERFORM pg_notify('boxoffice_entrances', k.event_id::text);
	END IF;
	result := base || jsonb_build_object('verdict', 'admit',
		'reason', CASE WHEN dir = 'out' THEN 'checked out'
			       WHEN used_override THEN 'admitted over capacity: ' || why
			       WHEN ar.id IS NOT NULL AND ar.inside > ar.capacity THEN 'over capacity (offline admit)'
			       ELSE '' END,
		'direction', dir, 'list', chosen.name);
	IF why IS NOT NULL THEN
		-- a supervisor sees whether the override was needed
		result := result || jsonb_build_object('override_used', used_override);
	END IF;
	IF ar.id IS NOT NULL THEN
		result := result || jsonb_build_object('area', ar.name, 'inside', ar.inside, 'capacity', ar.capacity);
		IF ar.inside > ar.capacity THEN
			result := result || jsonb_build_object('over_capacity', true);
		END IF;
	END IF;
	RETURN result;
END $$;

-- The scan with a bound on its waits: the gate passes what is left of
-- its verdict deadline (less a margin), and a lock not had by then fails
-- the statement (55P03) instead of committing after the gate gave up.
CREATE FUNCTION checkin_scan(p_ticket bigint, p_event bigint, p_issue integer, p_gate text,
			     p_at timestamptz, p_offline boolean, p_scan uuid, p_lists bigint[], p_override text,
			     p_wait_ms integer)
RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
	IF p_wait_ms IS NOT NULL AND p_wait_ms > 0 THEN
		PERFORM set_config('lock_timeout', p_wait_ms::text || 'ms', true);
	END IF;
	RETURN checkin_scan(p_ticket, p_event, p_issue, p_gate, p_at, p_offline, p_scan, p_lists, p_override);
END $$;

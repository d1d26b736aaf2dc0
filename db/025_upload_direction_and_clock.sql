-- 025_upload_direction_and_clock.sql: an uploaded offline scan is held to
-- what the door did (found by the second hostile review of issue 13).
--
-- 1. The direction. An offline gate whose cache did not know a ticket was
--    inside (admitted online at another gate) lets it in again; on a
--    re-entry list (or a re-entry event) the database took the upload for
--    an exit and recorded one, silently: the area lost a person who was
--    inside twice over. The gate journals the direction it decided; when
--    the database would go the other way, nothing is recorded and a
--    conflict says why (a duplicated QR, a stale cache).
-- 2. The clock. An offline gate whose clock runs ahead admitted before a
--    window opened, and the upload took the gate's time as given (a scan
--    "tomorrow"). A scan is never later than its upload: it is decided
--    and stored at least(the gate's time, now()), and a gate more than two
--    minutes ahead is recorded as a conflict for supervisors (the scan
--    itself stands when the rules at the server's time allow it).

-- Where a scan of the ticket would go now: 'in', 'out', or NULL when it
-- would be refused as already inside (no re-entry). The caller holds the
-- ticket's row lock.
CREATE FUNCTION checkin_would_go(p_ticket bigint, p_lists bigint[]) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
	k record;
	inside_on checkin_list;
BEGIN
	SELECT t.scans, t.event_id, e.reentry INTO k FROM ticket t JOIN event e ON e.id = t.event_id WHERE t.id = p_ticket;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	IF p_lists IS NULL OR cardinality(p_lists) = 0 THEN
		RETURN CASE WHEN k.scans % 2 = 0 THEN 'in' WHEN k.reentry THEN 'out' END;
	END IF;
	SELECT l.* INTO inside_on FROM unnest(p_lists) WITH ORDINALITY u(id, n)
	JOIN checkin_list l ON l.id = u.id AND l.event_id = k.event_id
	JOIN checkin_pass p ON p.list_id = l.id AND p.ticket_id = p_ticket AND p.scans % 2 = 1
	ORDER BY u.n LIMIT 1;
	IF inside_on.id IS NULL THEN
		RETURN 'in';
	END IF;
	RETURN CASE WHEN inside_on.reentry THEN 'out' END;
END $$;

CREATE FUNCTION checkin_upload(p_ticket bigint, p_event bigint, p_issue integer, p_gate text,
			       p_at timestamptz, p_token text, p_offline_verdict text, p_scan uuid, p_lists bigint[],
			       p_direction text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
	at timestamptz := least(coalesce(p_at, now()), now());
	would text;
	why text;
BEGIN
	IF p_direction IS NOT NULL AND p_direction NOT IN ('in', 'out') THEN
		RAISE EXCEPTION 'direction is in or out' USING ERRCODE = '22023';
	END IF;
	-- the ticket's row first, as every scan (lock order: ticket, area)
	PERFORM 1 FROM ticket WHERE id = p_ticket FOR NO KEY UPDATE;
	IF p_offline_verdict = 'admit' AND NOT EXISTS (SELECT 1 FROM checkin WHERE scan_id = p_scan) THEN
		would := checkin_would_go(p_ticket, p_lists);
		IF would IS NOT NULL AND would <> coalesce(p_direction, 'in') THEN
			why := CASE WHEN would = 'out'
				    THEN 'entered while already inside (the gate''s cache did not know)'
				    ELSE 'went out while not inside' END;
			INSERT INTO checkin_conflict (ticket_id, token, gate, scanned_at, offline_verdict, reason, scan_id)
			VALUES ((SELECT id FROM ticket WHERE id = p_ticket), p_token, coalesce(p_gate, ''), p_at,
				p_offline_verdict, why, p_scan)
			ON CONFLICT (scan_id) WHERE scan_id IS NOT NULL DO NOTHING;
			RETURN jsonb_build_object('verdict', 'reject', 'reason', why, 'ticket', p_ticket,
						  CASE WHEN FOUND THEN 'conflict' ELSE 'duplicate' END, true);
		END IF;
	END IF;
	r := checkin_upload(p_ticket, p_event, p_issue, p_gate, at, p_token, p_offline_verdict, p_scan, p_lists);
	IF p_at > now() + interval '2 minutes' AND r->>'verdict' = 'admit' AND NOT coalesce((r->>'duplicate')::boolean, false) THEN
		INSERT INTO checkin_conflict (ticket_id, token, gate, scanned_at, offline_verdict, reason)
		VALUES ((SELECT id FROM ticket WHERE id = p_ticket), p_token, coalesce(p_gate, ''), p_at, p_offline_verdict,
			format('the gate''s clock was %s min ahead: decided at the server''s time',
			       ceil(extract(epoch FROM p_at - now()) / 60)));
		r := r || jsonb_build_object('conflict', true, 'clock_ahead', true);
	END IF;
	RETURN r;
END $$;

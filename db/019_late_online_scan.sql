-- 019_late_online_scan.sql: an online try that commits after the gate gave
-- up on it. A gate past its verdict deadline decides offline and journals
-- the scan; the server may still commit the online try much later (a
-- backend frozen, a lock held for a minute), stamped with its own now() and
-- offline = false. The journal's copy then arrives as a duplicate. The door
-- decided offline, at the journal's time: the row is corrected to say so
-- (found by the camera review: a check-in carried the time the server woke).
CREATE OR REPLACE FUNCTION checkin_upload(p_ticket bigint, p_event bigint, p_issue integer, p_gate text,
					  p_at timestamptz, p_token text, p_offline_verdict text, p_scan uuid)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
BEGIN
	r := checkin_scan(p_ticket, p_event, p_issue, p_gate, p_at, true, p_scan);
	IF (r->>'duplicate')::boolean THEN
		-- the online try's row: the gate never heard its answer
		UPDATE checkin SET offline = true, at = least(at, coalesce(p_at, at))
		WHERE scan_id = p_scan AND NOT offline;
		RETURN r;
	END IF;
	IF p_offline_verdict = 'admit' AND r->>'verdict' = 'reject' THEN
		INSERT INTO checkin_conflict (ticket_id, token, gate, scanned_at, offline_verdict, reason, scan_id)
		VALUES ((SELECT id FROM ticket WHERE id = p_ticket), p_token, coalesce(p_gate, ''), p_at,
			p_offline_verdict, r->>'reason', p_scan)
		ON CONFLICT (scan_id) WHERE scan_id IS NOT NULL DO NOTHING;
		IF FOUND THEN
			r := r || jsonb_build_object('conflict', true);
		ELSE
			r := r || jsonb_build_object('duplicate', true);
		END IF;
	END IF;
	RETURN r;
END $$;

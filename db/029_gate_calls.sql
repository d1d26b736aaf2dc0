-- 029_gate_calls.sql: a gate's functions hold to what a door does, when a
-- hostile gate login calls them through psql with arguments no door sends
-- (found by the hostile review of issue 14's roles).
--
-- Every overload of checkin_scan and checkin_upload is granted to gates
-- (function_grant names a function, not a signature), and their insides
-- trusted their callers:
--  1. checkin_scan(…, p_at, p_offline, …) is what the door calls online
--     (with NULL and false); its time and its offline flag were how
--     checkin_upload reused it. A gate that sent tomorrow's time got
--     through a list that opens tomorrow, recorded as an online scan at
--     tomorrow's time; one that said "offline" got into a full area with
--     no override and nothing for a supervisor to see.
--  2. The overloads of checkin_upload from before 025 went straight to the
--     scan, so an upload through them skipped 025's rules: a gate's time
--     ahead of the server's was taken as given (tomorrow's window opened
--     today) and was no conflict, and the direction was not checked.
-- Now the decision itself is checkin_decide() (the former checkin_scan
-- body, renamed: nobody's to call), which only checkin_upload's own
-- checkin_upload_decide() calls with a time and "offline"; checkin_scan
-- decides at the server's time and refuses to be told it is offline;
-- every checkin_upload goes through 025's.

ALTER FUNCTION checkin_scan(bigint, bigint, integer, text, timestamptz, boolean, uuid, bigint[], text)
	RENAME TO checkin_decide;
ALTER FUNCTION checkin_decide(bigint, bigint, integer, text, timestamptz, boolean, uuid, bigint[], text)
	SECURITY INVOKER RESET search_path;

-- Online: now, at the server. p_at is accepted when it is now() (what the
-- benchmarks and tests have always sent), p_offline only false.
CREATE FUNCTION checkin_scan(p_ticket bigint, p_event bigint, p_issue integer, p_gate text,
			     p_at timestamptz, p_offline boolean, p_scan uuid, p_lists bigint[], p_override text)
RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
	IF coalesce(p_offline, false) THEN
		RAISE EXCEPTION 'a scan made offline is uploaded (checkin_upload), not scanned'
			USING ERRCODE = '22023';
	END IF;
	IF p_at <> now() THEN
		RAISE EXCEPTION 'an online scan is decided at the server''s time (pass NULL)'
			USING ERRCODE = '22023';
	END IF;
	RETURN checkin_decide(p_ticket, p_event, p_issue, p_gate, now(), false, p_scan, p_lists, p_override);
END $$;

-- 020's upload, on the decision: only 025's checkin_upload calls it.
CREATE FUNCTION checkin_upload_decide(p_ticket bigint, p_event bigint, p_issue integer, p_gate text,
				      p_at timestamptz, p_token text, p_offline_verdict text, p_scan uuid,
				      p_lists bigint[])
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
BEGIN
	r := checkin_decide(p_ticket, p_event, p_issue, p_gate, p_at, true, p_scan, p_lists, NULL::text);
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

-- 025's, on checkin_upload_decide (it called 020's by name).
CREATE OR REPLACE FUNCTION checkin_upload(p_ticket bigint, p_event bigint, p_issue integer, p_gate text,
					  p_at timestamptz, p_token text, p_offline_verdict text, p_scan uuid,
					  p_lists bigint[], p_direction text)
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
	r := checkin_upload_decide(p_ticket, p_event, p_issue, p_gate, at, p_token, p_offline_verdict, p_scan, p_lists);
	IF p_at > now() + interval '2 minutes' AND r->>'verdict' = 'admit' AND NOT coalesce((r->>'duplicate')::boolean, false) THEN
		INSERT INTO checkin_conflict (ticket_id, token, gate, scanned_at, offline_verdict, reason)
		VALUES ((SELECT id FROM ticket WHERE id = p_ticket), p_token, coalesce(p_gate, ''), p_at, p_offline_verdict,
			format('the gate''s clock was %s min ahead: decided at the server''s time',
			       ceil(extract(epoch FROM p_at - now()) / 60)));
		r := r || jsonb_build_object('conflict', true, 'clock_ahead', true);
	END IF;
	RETURN r;
END $$;

-- 020's signature, now 025's rules (the door's direction unknown: in).
-- Its callers (the older overloads) follow.
CREATE OR REPLACE FUNCTION checkin_upload(p_ticket bigint, p_event bigint, p_issue integer, p_gate text,
					  p_at timestamptz, p_token text, p_offline_verdict text, p_scan uuid,
					  p_lists bigint[])
RETURNS jsonb LANGUAGE sql AS $$
	SELECT checkin_upload(p_ticket, p_event, p_issue, p_gate, p_at, p_token, p_offline_verdict, p_scan, p_lists,
			      NULL::text)
$$;

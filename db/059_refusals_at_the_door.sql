-- 059_refusals_at_the_door.sql: codes the door refuses on its own count as
-- refusals (issue 17 review). A forged batch or a misprint never reaches
-- checkin_scan: a code whose signature or format is wrong, or of another
-- event, is refused by the gate itself. 048 kept only the database's own
-- refusals, so the dashboard's REFUSE and the gate-rejects alert (049's
-- trigger on checkin_reject) missed exactly the case they are for. A gate
-- that is online now records each such refusal here (fire and forget).
-- The event must exist; the gate name is cleaned and cut like the rest.
CREATE FUNCTION checkin_refused(p_event bigint, p_gate text, p_reason text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM event WHERE id = p_event) THEN
		RAISE EXCEPTION 'no such event' USING ERRCODE = 'BX001';
	END IF;
	INSERT INTO checkin_reject (event_id, ticket_id, gate, reason)
	VALUES (p_event, NULL, left(regexp_replace(coalesce(p_gate, ''), '[[:cntrl:]]', '', 'g'), 100),
		left(regexp_replace(coalesce(p_reason, ''), '[[:cntrl:]]', ' ', 'g'), 200));
END $$;

INSERT INTO function_grant (fn, definer, roles) VALUES ('checkin_refused', true, '{gate}');

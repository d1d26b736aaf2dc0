-- 057_silent_check_cheap.sql: the gate-silent rule without reading a day
-- of scans (issue 17 review). Every supervisor station calls
-- alert_check_silent() once a minute; 046 grouped every check-in of the
-- last day across all events (a busy door day is 100,000 rows, read per
-- station per minute). Now: the gates, found by skipping through
-- checkin_gate_at_idx (gate, at), each one's last admit read backwards
-- from the same index, so the cost follows the number of gates, not of
-- scans. The same call purges hold/reject counters whose minute is long
-- over (they were never deleted).
CREATE OR REPLACE FUNCTION alert_check_silent() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	n integer := 0;
BEGIN
	DELETE FROM alert_counter WHERE window_start < now() - interval '1 hour';
	FOR r IN WITH RECURSIVE g AS (
			SELECT min(c.gate) AS gate FROM checkin c WHERE c.direction = 'in' AND c.gate > ''
			UNION ALL
			SELECT (SELECT min(c.gate) FROM checkin c WHERE c.direction = 'in' AND c.gate > g.gate)
			FROM g WHERE g.gate IS NOT NULL)
		 SELECT g.gate, l.at AS last_at, k.event_id
		 FROM g
		 CROSS JOIN LATERAL (SELECT c.at, c.ticket_id FROM checkin c
				     WHERE c.gate = g.gate AND c.direction = 'in'
				     ORDER BY c.at DESC LIMIT 1) l
		 JOIN ticket k ON k.id = l.ticket_id
		 WHERE g.gate IS NOT NULL AND l.at > now() - interval '1 day'
	LOOP
		IF (alert_setting_of(r.event_id, NULL)).enabled
		   AND r.last_at < now() - make_interval(mins => (alert_setting_of(r.event_id, NULL)).silent_minutes)
		   AND NOT EXISTS (SELECT 1 FROM alert a WHERE a.kind = 'gate_silent' AND a.gate = r.gate
				   AND coalesce(a.event_id, 0) = r.event_id AND a.last_at >= r.last_at
				   AND a.acknowledged_at IS NOT NULL) THEN
			PERFORM alert_raise('gate_silent', r.event_id, NULL, r.gate, 'normal',
				format('Gate %s silent since %s', r.gate, to_char(r.last_at, 'HH24:MI')));
			n := n + 1;
		END IF;
	END LOOP;
	RETURN n;
END $$;

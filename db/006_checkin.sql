-- 006_checkin.sql: the entrance. One scan = one transaction that locks the
-- ticket row, so two gates scanning the same ticket at the same instant
-- get exactly one admit; checkin's unique (ticket, seq) stands behind it.

-- Scans uploaded from a gate's offline journal that the database could not
-- accept as they were (the same ticket admitted at two gates while
-- offline): recorded for supervisors, never lost.
CREATE TABLE checkin_conflict (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	ticket_id bigint REFERENCES ticket (id),
	token text NOT NULL,
	gate text NOT NULL,
	station text NOT NULL DEFAULT current_setting('application_name'),
	scanned_at timestamptz NOT NULL,
	offline_verdict text NOT NULL,
	reason text NOT NULL,
	recorded_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX checkin_at_idx ON checkin (at DESC);

-- What a gate needs to decide offline: the event's public key, and per
-- ticket its issue, status and whether it is inside.
CREATE VIEW checkin_cache AS
SELECT k.id AS ticket_id, k.event_id, k.issue, k.status, k.scans, o.status AS order_status
FROM ticket k JOIN ticket_order o ON o.id = k.order_id;

CREATE FUNCTION checkin_scan(p_ticket bigint, p_event bigint, p_issue integer, p_gate text,
			     p_at timestamptz, p_offline boolean)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	k record;
	last checkin;
	reentry boolean;
	dir checkin_direction;
	reason text;
	base jsonb;
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
	SELECT * INTO last FROM checkin WHERE ticket_id = k.id AND seq = k.scans;
	SELECT e.reentry INTO reentry FROM event e WHERE e.id = k.event_id;
	IF k.scans % 2 = 1 AND NOT reentry THEN
		RETURN base || jsonb_build_object('verdict', 'reject', 'reason',
			format('already checked in at %s at gate %s', to_char(last.at, 'HH24:MI'),
			       coalesce(nullif(last.gate, ''), '?')),
			'first_at', last.at, 'first_gate', last.gate);
	END IF;
	dir := CASE WHEN k.scans % 2 = 0 THEN 'in' ELSE 'out' END;
	INSERT INTO checkin (ticket_id, seq, direction, gate, station, at, offline)
	VALUES (k.id, k.scans + 1, dir, coalesce(p_gate, ''), current_setting('application_name'),
		coalesce(p_at, now()), coalesce(p_offline, false));
	-- No NOTIFY here: it would serialise every gate's commits on the
	-- notification queue lock; check-in screens re-read their counters on
	-- a 2-second tick instead.
	UPDATE ticket SET scans = scans + 1 WHERE id = k.id;
	RETURN base || jsonb_build_object('verdict', 'admit',
		'reason', CASE WHEN dir = 'in' THEN '' ELSE 'checked out' END, 'direction', dir);
END $$;

-- An offline scan uploaded later. An offline admit the database refuses
-- now (the same ticket admitted elsewhere meanwhile) is a conflict.
CREATE FUNCTION checkin_upload(p_ticket bigint, p_event bigint, p_issue integer, p_gate text,
			       p_at timestamptz, p_token text, p_offline_verdict text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
BEGIN
	r := checkin_scan(p_ticket, p_event, p_issue, p_gate, p_at, true);
	IF p_offline_verdict = 'admit' AND r->>'verdict' = 'reject' THEN
		INSERT INTO checkin_conflict (ticket_id, token, gate, scanned_at, offline_verdict, reason)
		VALUES ((SELECT id FROM ticket WHERE id = p_ticket), p_token, coalesce(p_gate, ''), p_at,
			p_offline_verdict, r->>'reason');
		r := r || jsonb_build_object('conflict', true);
	END IF;
	RETURN r;
END $$;

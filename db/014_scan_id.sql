-- 014_scan_id.sql: every scan carries an ID made at the gate. A gate that
-- gives up waiting for the database (its verdict deadline) decides offline
-- and journals the scan; the database may still have committed the online
-- try. The same scan then arrives twice, and the second time is a no-op
-- that answers what the database decided the first time: never a second
-- admit, never a false conflict, never a false "already checked in".

ALTER TABLE checkin ADD COLUMN scan_id uuid;
CREATE UNIQUE INDEX checkin_scan_id_key ON checkin (scan_id) WHERE scan_id IS NOT NULL;
ALTER TABLE checkin_conflict ADD COLUMN scan_id uuid;
CREATE UNIQUE INDEX checkin_conflict_scan_id_key ON checkin_conflict (scan_id) WHERE scan_id IS NOT NULL;

-- The scan as 006 defined it, now with the gate's scan ID. The ticket row
-- lock comes first, so two deliveries of one scan are serialised and the
-- second finds the first.
CREATE FUNCTION checkin_scan(p_ticket bigint, p_event bigint, p_issue integer, p_gate text,
			     p_at timestamptz, p_offline boolean, p_scan uuid)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	k record;
	last checkin;
	seen checkin;
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
	IF p_scan IS NOT NULL THEN
		SELECT * INTO seen FROM checkin WHERE scan_id = p_scan;
		IF FOUND THEN
			RETURN base || jsonb_build_object('verdict', 'admit', 'duplicate', true,
				'reason', CASE WHEN seen.direction = 'in' THEN '' ELSE 'checked out' END,
				'direction', seen.direction);
		END IF;
	END IF;
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
	INSERT INTO checkin (ticket_id, seq, direction, gate, station, at, offline, scan_id)
	VALUES (k.id, k.scans + 1, dir, coalesce(p_gate, ''), current_setting('application_name'),
		coalesce(p_at, now()), coalesce(p_offline, false), p_scan);
	UPDATE ticket SET scans = scans + 1 WHERE id = k.id;
	RETURN base || jsonb_build_object('verdict', 'admit',
		'reason', CASE WHEN dir = 'in' THEN '' ELSE 'checked out' END, 'direction', dir);
END $$;

-- Callers without a scan ID (older stations) keep working.
CREATE OR REPLACE FUNCTION checkin_scan(p_ticket bigint, p_event bigint, p_issue integer, p_gate text,
					p_at timestamptz, p_offline boolean)
RETURNS jsonb LANGUAGE sql AS $$
	SELECT checkin_scan(p_ticket, p_event, p_issue, p_gate, p_at, p_offline, NULL::uuid)
$$;

-- An uploaded offline scan. One the database holds already (its online try
-- committed, or the journal was uploaded before) is a no-op; a conflict is
-- recorded once per scan.
CREATE FUNCTION checkin_upload(p_ticket bigint, p_event bigint, p_issue integer, p_gate text,
			       p_at timestamptz, p_token text, p_offline_verdict text, p_scan uuid)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
BEGIN
	r := checkin_scan(p_ticket, p_event, p_issue, p_gate, p_at, true, p_scan);
	IF (r->>'duplicate')::boolean THEN
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

CREATE OR REPLACE FUNCTION checkin_upload(p_ticket bigint, p_event bigint, p_issue integer, p_gate text,
					  p_at timestamptz, p_token text, p_offline_verdict text)
RETURNS jsonb LANGUAGE sql AS $$
	SELECT checkin_upload(p_ticket, p_event, p_issue, p_gate, p_at, p_token, p_offline_verdict, NULL::uuid)
$$;

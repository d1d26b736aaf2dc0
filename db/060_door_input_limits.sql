-- 060_door_input_limits.sql: what a gate login may write about the door
-- is bounded (issue 17 hostile review of 054 and 059).
--  * Gate names written to checkin_reject are cleaned whoever writes them
--    (checkin_scan passed them through): control characters and the
--    Unicode format characters that reorder or hide text (bidi overrides,
--    zero-width) removed, at most 100 characters. Alert messages are built
--    from them and printed by the CLI and the banner.
--  * checkin_refused (059) records at most 60 refusals a minute per login
--    and names at most 8 gates an hour per login; beyond that it drops them
--    (the alert has fired long before): one gate login can no longer fill
--    the table, the alert counters and the dashboard with invented gates.
--  * station_gate_seen: gate logins only, an existing event, a queue of at
--    most 100,000; gate_links keeps the 64 gates heard from most recently.

CREATE FUNCTION door_text(p text, p_max integer) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT left(btrim(regexp_replace(coalesce(p, ''),
		'[[:cntrl:]\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]', '', 'g')), p_max)
$$;

ALTER TABLE checkin_reject ADD COLUMN recorded_by text NOT NULL DEFAULT session_user;
CREATE INDEX checkin_reject_recorded_by_idx ON checkin_reject (recorded_by, at);

CREATE FUNCTION checkin_reject_clean() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.gate := door_text(NEW.gate, 100);
	NEW.reason := door_text(NEW.reason, 200);
	RETURN NEW;
END $$;
CREATE TRIGGER checkin_reject_clean BEFORE INSERT ON checkin_reject
	FOR EACH ROW EXECUTE FUNCTION checkin_reject_clean();

CREATE OR REPLACE FUNCTION checkin_refused(p_event bigint, p_gate text, p_reason text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	g text := door_text(p_gate, 100);
BEGIN
	IF NOT EXISTS (SELECT 1 FROM event WHERE id = p_event) THEN
		RAISE EXCEPTION 'no such event' USING ERRCODE = 'BX001';
	END IF;
	IF (SELECT count(*) FROM checkin_reject
	    WHERE recorded_by = session_user AND at > now() - interval '1 minute') >= 60 THEN
		RETURN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM checkin_reject WHERE recorded_by = session_user AND gate = g
		       AND at > now() - interval '1 hour')
	   AND (SELECT count(DISTINCT gate) FROM checkin_reject
		WHERE recorded_by = session_user AND at > now() - interval '1 hour') >= 8 THEN
		RETURN;
	END IF;
	INSERT INTO checkin_reject (event_id, ticket_id, gate, reason) VALUES (p_event, NULL, g, p_reason);
END $$;

CREATE OR REPLACE FUNCTION station_gate_seen(p_event bigint, p_gate text, p_queued integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF p_queued IS NULL OR p_queued < 0 OR p_queued > 100000 THEN
		RAISE EXCEPTION 'queued scans are 0 to 100000' USING ERRCODE = '22023';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM event WHERE id = p_event) THEN
		RAISE EXCEPTION 'no such event' USING ERRCODE = 'BX001';
	END IF;
	PERFORM station_seen('checkin');
	UPDATE station_presence SET event_id = p_event, gate = door_text(p_gate, 100), queued = p_queued
	WHERE pid = pg_backend_pid();
END $$;

CREATE OR REPLACE FUNCTION gate_links(p_event bigint) RETURNS TABLE (
	gate text, online boolean, queued bigint, seen_seconds double precision)
LANGUAGE sql STABLE AS $$
	SELECT * FROM (
		SELECT p.gate,
		       bool_or(p.seen_at > now() - interval '90 seconds'
			       AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = p.pid
					   AND a.application_name = p.station AND a.datname = current_database())),
		       sum(p.queued)::bigint,
		       extract(epoch FROM now() - max(p.seen_at))::double precision AS seen
		FROM station_presence p
		WHERE p.event_id = p_event AND p.gate IS NOT NULL
		GROUP BY p.gate
		ORDER BY 4, 1
		LIMIT 64) g
	ORDER BY gate
$$;

UPDATE function_grant SET roles = '{gate}' WHERE fn = 'station_gate_seen';

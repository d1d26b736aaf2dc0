-- 054_gate_links.sql: a gate's link and its queue on the dashboard
-- (issue 17, item 4: "online/offline and queued offline scans").
-- A check-in station says which gate of which event it is and how many
-- offline scans its journal still holds, when it opens, whenever that
-- number changes and every 30 seconds while it is connected. The database
-- cannot see an offline gate's journal: what it shows is the last word of
-- each gate and how old that word is; a gate not heard from for 90 seconds
-- (or whose connection is gone) is offline.

ALTER TABLE station_presence ADD COLUMN event_id bigint;
ALTER TABLE station_presence ADD COLUMN gate text;
ALTER TABLE station_presence ADD COLUMN queued integer;

CREATE FUNCTION station_gate_seen(p_event bigint, p_gate text, p_queued integer) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF p_queued IS NULL OR p_queued < 0 THEN
		RAISE EXCEPTION 'queued scans are 0 or more' USING ERRCODE = '22023';
	END IF;
	PERFORM station_seen('checkin');
	UPDATE station_presence
	SET event_id = p_event,
	    gate = left(regexp_replace(coalesce(p_gate, ''), '[[:cntrl:]]', '', 'g'), 100),
	    queued = least(p_queued, 1000000000)
	WHERE pid = pg_backend_pid();
END $$;

-- Each gate of an event that a check-in station reported: online (a live
-- connection heard from within 90 s), its queue as last reported, and
-- how long ago that was. Several stations under one gate name add up.
CREATE FUNCTION gate_links(p_event bigint) RETURNS TABLE (
	gate text, online boolean, queued bigint, seen_seconds double precision)
LANGUAGE sql STABLE AS $$
	SELECT p.gate,
	       bool_or(p.seen_at > now() - interval '90 seconds'
		       AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = p.pid
				   AND a.application_name = p.station AND a.datname = current_database())),
	       sum(p.queued)::bigint,
	       extract(epoch FROM now() - max(p.seen_at))::double precision
	FROM station_presence p
	WHERE p.event_id = p_event AND p.gate IS NOT NULL
	GROUP BY p.gate
	ORDER BY p.gate
	LIMIT 64
$$;

INSERT INTO function_grant (fn, definer, roles) VALUES
	('station_gate_seen', true, '{gate,clerk}'),
	('gate_links', true, '{clerk}');

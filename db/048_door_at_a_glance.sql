-- 048_door_at_a_glance.sql: the supervisor's view of the door (issue 17,
-- items 4 and 5).
--  * Rejects were never written down (a reject changes nothing), so the
--    dashboard could count a gate's admits but not its refusals. An online
--    scan refused by the database is now one row of checkin_reject.
--  * Stations say where they are: station_seen() records the connection's
--    role and screen; station_online() gives a supervisor the stations with
--    a live connection (pg_stat_activity, read as the owner: a supervisor
--    cannot see other logins' backends).
--  * Offline conflicts are settled by a supervisor: reviewed (kept, with a
--    change_log row) or the ticket voided with a reason.

CREATE TABLE checkin_reject (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	event_id bigint NOT NULL,
	ticket_id bigint,
	gate text NOT NULL,
	reason text NOT NULL,
	at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX checkin_reject_event_idx ON checkin_reject (event_id, gate, at);
CREATE INDEX checkin_gate_at_idx ON checkin (gate, at) WHERE direction = 'in';
GRANT SELECT ON checkin_reject TO boxoffice_gate, boxoffice_clerk;

-- 029's online scan, now keeping its refusals.
CREATE OR REPLACE FUNCTION checkin_scan(p_ticket bigint, p_event bigint, p_issue integer, p_gate text,
			     p_at timestamptz, p_offline boolean, p_scan uuid, p_lists bigint[], p_override text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
BEGIN
	IF coalesce(p_offline, false) THEN
		RAISE EXCEPTION 'a scan made offline is uploaded (checkin_upload), not scanned'
			USING ERRCODE = '22023';
	END IF;
	IF p_at <> now() THEN
		RAISE EXCEPTION 'an online scan is decided at the server''s time (pass NULL)'
			USING ERRCODE = '22023';
	END IF;
	r := checkin_decide(p_ticket, p_event, p_issue, p_gate, now(), false, p_scan, p_lists, p_override);
	IF r->>'verdict' = 'reject' AND NOT coalesce((r->>'duplicate')::boolean, false) THEN
		INSERT INTO checkin_reject (event_id, ticket_id, gate, reason)
		VALUES (p_event, p_ticket, coalesce(p_gate, ''), coalesce(r->>'reason', ''));
	END IF;
	RETURN r;
END $$;

-- Per gate of an event: admits, refusals, admits made offline, the last
-- scan, and the admits per minute of the last hour (60 numbers, oldest
-- first).
CREATE FUNCTION dashboard_gates(p_event bigint) RETURNS TABLE (
	gate text, admitted bigint, rejected bigint, offline_admits bigint, last_at timestamptz,
	idle_seconds double precision, per_minute integer[])
LANGUAGE sql STABLE AS $$
	WITH a AS (
		SELECT c.gate, count(*) AS admitted, count(*) FILTER (WHERE c.offline) AS offline_admits,
		       max(c.at) AS last_at
		FROM checkin c JOIN ticket k ON k.id = c.ticket_id
		WHERE k.event_id = p_event AND c.direction = 'in'
		GROUP BY c.gate),
	r AS (
		SELECT j.gate, count(*) AS rejected, max(j.at) AS last_at
		FROM checkin_reject j WHERE j.event_id = p_event GROUP BY j.gate),
	m AS (
		SELECT c.gate, floor(extract(epoch FROM now() - c.at) / 60)::int AS ago, count(*) AS n
		FROM checkin c JOIN ticket k ON k.id = c.ticket_id
		WHERE k.event_id = p_event AND c.direction = 'in' AND c.at > now() - interval '60 minutes'
		GROUP BY 1, 2)
	SELECT g.gate, coalesce(a.admitted, 0), coalesce(r.rejected, 0), coalesce(a.offline_admits, 0),
	       greatest(a.last_at, r.last_at),
	       extract(epoch FROM now() - greatest(a.last_at, r.last_at))::double precision,
	       ARRAY(SELECT coalesce((SELECT m.n FROM m WHERE m.gate = g.gate AND m.ago = 59 - s), 0)::int
		     FROM generate_series(0, 59) s)
	FROM (SELECT a.gate FROM a UNION SELECT r.gate FROM r) g
	LEFT JOIN a ON a.gate = g.gate LEFT JOIN r ON r.gate = g.gate
	ORDER BY coalesce(a.admitted, 0) DESC, g.gate
$$;

-- Where each station is: one row per connection (a backend's pid), kept
-- while it lives.
CREATE TABLE station_presence (
	pid integer PRIMARY KEY,
	station text NOT NULL,
	login text NOT NULL,
	role text NOT NULL,
	screen text NOT NULL,
	seen_at timestamptz NOT NULL DEFAULT now()
);

CREATE FUNCTION station_seen(p_screen text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	-- rows of connections gone
	DELETE FROM station_presence p
	WHERE p.seen_at < now() - interval '1 minute'
	  AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = p.pid);
	INSERT INTO station_presence (pid, station, login, role, screen, seen_at)
	VALUES (pg_backend_pid(), left(coalesce(current_setting('application_name', true), ''), 63),
		session_user, login_role(), left(coalesce(p_screen, ''), 40), now())
	ON CONFLICT (pid) DO UPDATE SET station = EXCLUDED.station, login = EXCLUDED.login,
		role = EXCLUDED.role, screen = EXCLUDED.screen, seen_at = EXCLUDED.seen_at;
END $$;

-- The stations connected now (their backend lives under the same name).
CREATE FUNCTION station_online() RETURNS TABLE (
	station text, login text, role text, screen text, idle_seconds double precision)
LANGUAGE sql STABLE AS $$
	SELECT p.station, p.login, p.role, p.screen, extract(epoch FROM now() - p.seen_at)::double precision
	FROM station_presence p
	WHERE EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = p.pid AND a.application_name = p.station
		      AND a.datname = current_database())
	ORDER BY p.seen_at DESC
$$;

-- Offline conflicts, settled by a supervisor.
ALTER TABLE checkin_conflict ADD COLUMN reviewed_at timestamptz;
ALTER TABLE checkin_conflict ADD COLUMN reviewed_by text;
ALTER TABLE checkin_conflict ADD COLUMN resolution text;

-- One event's conflicts, each with the scan that got in first (the
-- ticket's first admit) and the offline one the database refused.
CREATE FUNCTION conflict_list(p_event bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(x ORDER BY x->>'recorded_at' DESC, (x->>'id')::bigint DESC), '[]'::jsonb)
	FROM (
		SELECT jsonb_build_object(
			'id', c.id, 'ticket', c.ticket_id, 'serial', k.serial, 'person', coalesce(p.name, ''),
			'type', tt.name, 'ticket_status', k.status,
			'gate', c.gate, 'station', c.station, 'scanned_at', c.scanned_at,
			'offline_verdict', c.offline_verdict, 'reason', c.reason, 'recorded_at', c.recorded_at,
			'first_gate', f.gate, 'first_at', f.at, 'first_offline', f.offline,
			'reviewed_at', c.reviewed_at, 'reviewed_by', c.reviewed_by,
			'resolution', coalesce(c.resolution, '')) AS x
		FROM checkin_conflict c
		JOIN ticket k ON k.id = c.ticket_id
		JOIN ticket_type tt ON tt.id = k.type_id
		LEFT JOIN person p ON p.id = k.person_id
		LEFT JOIN LATERAL (SELECT ci.gate, ci.at, ci.offline FROM checkin ci
				   WHERE ci.ticket_id = c.ticket_id AND ci.direction = 'in'
				   ORDER BY ci.at, ci.seq LIMIT 1) f ON true
		WHERE k.event_id = p_event) s
$$;

CREATE FUNCTION conflict_settle(p_id bigint, p_void boolean, p_reason text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	c checkin_conflict;
	k ticket;
BEGIN
	PERFORM boxoffice_require('supervisor', CASE WHEN p_void THEN 'voiding a ticket' ELSE 'reviewing a conflict' END);
	IF p_void AND length(btrim(coalesce(p_reason, ''))) = 0 THEN
		RAISE EXCEPTION 'voiding a ticket needs a reason' USING ERRCODE = '22023';
	END IF;
	SELECT * INTO c FROM checkin_conflict WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'conflict %: no such conflict', p_id USING ERRCODE = 'BX404';
	END IF;
	IF c.reviewed_at IS NOT NULL THEN
		RAISE EXCEPTION 'conflict %: settled already (%)', p_id, c.resolution USING ERRCODE = 'BX409';
	END IF;
	SELECT * INTO k FROM ticket WHERE id = c.ticket_id FOR UPDATE;
	IF p_void THEN
		IF k.status <> 'valid' THEN
			RAISE EXCEPTION 'ticket %: void already', k.id USING ERRCODE = 'BX409';
		END IF;
		UPDATE ticket SET status = 'void' WHERE id = k.id;
		INSERT INTO change_log (entity, entity_id, action, reason, event_id, detail)
		VALUES ('ticket', k.id, 'void', p_reason, k.event_id,
			jsonb_build_object('conflict', c.id, 'gate', c.gate));
	END IF;
	UPDATE checkin_conflict SET reviewed_at = now(), reviewed_by = session_user,
		resolution = CASE WHEN p_void THEN 'voided' ELSE 'reviewed' END
	WHERE id = c.id;
	INSERT INTO change_log (entity, entity_id, action, reason, event_id, detail)
	VALUES ('checkin_conflict', c.id, CASE WHEN p_void THEN 'voided' ELSE 'reviewed' END,
		coalesce(p_reason, ''), k.event_id,
		jsonb_build_object('ticket', k.id, 'gate', c.gate));
	RETURN jsonb_build_object('id', c.id, 'ticket', k.id,
				  'resolution', CASE WHEN p_void THEN 'voided' ELSE 'reviewed' END,
				  'ticket_status', CASE WHEN p_void THEN 'void' ELSE k.status::text END);
END $$;

INSERT INTO function_grant (fn, definer, roles) VALUES
	('dashboard_gates', false, '{gate,clerk}'),
	('station_seen', true, '{gate,clerk,api}'),
	('station_online', true, '{clerk}'),
	('conflict_list', false, '{gate,clerk}'),
	('conflict_settle', true, '{supervisor}');

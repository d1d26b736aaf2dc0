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

-- 3. Logins: station_login knew a login by name only. A revoked login's
--    role that a DBA then dropped and made again for something else (a
--    new role, same name) was taken over by `user add` (its password
--    replaced, a boxoffice role granted) and disabled by `user revoke`.
--    A login is now known by its role's OID too; a role of that name
--    with another OID is someone else's.
ALTER TABLE station_login ADD COLUMN role_oid oid;
UPDATE station_login s SET role_oid = r.oid FROM pg_roles r WHERE r.rolname = s.name;

CREATE OR REPLACE FUNCTION user_add(p_name text, p_role text, p_password text, p_auth text, p_if_missing boolean)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	had station_login;
	cluster_oid oid;
BEGIN
	IF p_role IS NULL OR p_role NOT IN ('clerk', 'gate', 'supervisor', 'api') THEN
		RAISE EXCEPTION 'role must be clerk, gate, supervisor or api, not "%"', left(p_role, 40)
			USING ERRCODE = '22023';
	END IF;
	IF p_name IS NULL OR p_name !~ '^[A-Za-z_][A-Za-z0-9_.@-]{0,62}$' OR p_name ~* '^(pg_|boxoffice_)' THEN
		RAISE EXCEPTION '"%" is not a login name (1 to 63 letters, digits, _ . @ -, not starting with pg_ or boxoffice_)',
			left(p_name, 70) USING ERRCODE = '22023';
	END IF;
	IF p_auth IS NULL OR p_auth NOT IN ('password', 'peer', 'cert') THEN
		RAISE EXCEPTION 'auth must be password, peer or cert' USING ERRCODE = '22023';
	END IF;
	IF (p_auth = 'password') <> (p_password IS NOT NULL)
	   OR (p_password IS NOT NULL AND p_password !~ '^SCRAM-SHA-256\$') THEN
		RAISE EXCEPTION 'a password login needs a SCRAM-encrypted password, and only it has one'
			USING ERRCODE = '22023';
	END IF;
	SELECT * INTO had FROM station_login WHERE name = p_name FOR UPDATE;
	SELECT oid INTO cluster_oid FROM pg_roles WHERE rolname = p_name;
	IF cluster_oid IS NOT NULL AND had.role_oid IS DISTINCT FROM cluster_oid THEN
		-- someone else's role (a DBA, another application, or one made
		-- again under a revoked login's name): never touched
		RAISE EXCEPTION 'a database role named "%" exists and is not a boxoffice login', p_name
			USING ERRCODE = 'BX030';
	END IF;
	IF had.name IS NOT NULL AND had.revoked_at IS NULL AND cluster_oid IS NOT NULL THEN
		IF p_if_missing THEN
			RETURN jsonb_build_object('id', cluster_oid, 'name', p_name, 'role', had.role, 'auth', had.auth,
						  'created', false);
		END IF;
		RAISE EXCEPTION 'login "%" exists already (role %); revoke it first to give it another role',
			p_name, had.role USING ERRCODE = 'BX030';
	END IF;
	IF cluster_oid IS NOT NULL THEN
		EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', p_name, p_password);
	ELSE
		EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', p_name, p_password);
		SELECT oid INTO cluster_oid FROM pg_roles WHERE rolname = p_name;
	END IF;
	EXECUTE format('GRANT %I TO %I', 'boxoffice_' || p_role, p_name);
	INSERT INTO station_login (name, role, auth, role_oid) VALUES (p_name, p_role, p_auth, cluster_oid)
	ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role, auth = EXCLUDED.auth, role_oid = EXCLUDED.role_oid,
		created_at = now(), created_by = session_user, revoked_at = NULL, revoked_by = NULL;
	INSERT INTO change_log (entity, action, detail)
	VALUES ('login', 'created', jsonb_build_object('name', p_name, 'role', p_role, 'auth', p_auth));
	RETURN jsonb_build_object('id', cluster_oid, 'name', p_name, 'role', p_role, 'auth', p_auth, 'created', true);
END $$;

-- The login cannot log in again, loses its role, and its open sessions
-- end; a role of its name made again since is left alone.
CREATE OR REPLACE FUNCTION user_revoke(p_name text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	had station_login;
	ours boolean;
	ended integer := 0;
BEGIN
	SELECT * INTO had FROM station_login WHERE name = p_name FOR UPDATE;
	IF had.name IS NULL OR had.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'no active boxoffice login named "%"', left(p_name, 70) USING ERRCODE = 'BX001';
	END IF;
	IF p_name = session_user THEN
		RAISE EXCEPTION 'a login cannot revoke itself (ask another supervisor)' USING ERRCODE = 'BX030';
	END IF;
	ours := EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name AND oid = had.role_oid);
	IF ours THEN
		EXECUTE format('ALTER ROLE %I NOLOGIN PASSWORD NULL', p_name);
		EXECUTE format('REVOKE %I FROM %I', 'boxoffice_' || had.role, p_name);
		SELECT count(*) INTO ended FROM (SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a
						 WHERE a.usesysid = had.role_oid AND a.pid <> pg_backend_pid()) t;
	END IF;
	UPDATE station_login SET revoked_at = now(), revoked_by = session_user WHERE name = p_name;
	INSERT INTO change_log (entity, action, detail)
	VALUES ('login', 'revoked', jsonb_build_object('name', p_name, 'role', had.role, 'sessions_ended', ended));
	RETURN jsonb_build_object('name', p_name, 'role', had.role, 'sessions_ended', ended);
END $$;

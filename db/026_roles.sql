-- 026_roles.sql: least privilege. Until now every station logged in as the
-- cluster's superuser: it could refund, change capacity, read every event's
-- signing key and rewrite the change log. From here on:
--  * boxoffice_owner (NOLOGIN) owns every table and function; no station
--    logs in as it. Migrations run as it (the migrator SETs ROLE to it).
--  * Stations log in with their own login, granted one group role:
--      boxoffice_gate        check-in, and what a gate must read: the
--                            events, lists, areas, tickets, names; the
--                            public keys only, never the secret ones,
--                            never a person's e-mail or an order's money
--      boxoffice_clerk       sell, orders, persons, badges (mints tokens)
--      boxoffice_supervisor  both of those, plus adjustments, capacity,
--                            quotas, events, settings, lists and areas,
--                            refunds, capacity overrides, logins, the audit
--      boxoffice_api         what `boxoffice serve` needs (#15 adds to it)
--  * Stations change nothing directly: no INSERT, UPDATE, DELETE or
--    TRUNCATE on any table. Every change goes through a function that runs
--    as the owner (SECURITY DEFINER with a fixed search_path) and that
--    only the roles in function_grant may execute.
--  * The change log takes who and where from the connection, whatever the
--    caller writes, and no station can change or remove a row of it.
-- Roles belong to the cluster, not to one database: a second boxoffice
-- database in the same cluster shares them (each database grants its own).

DO $$
DECLARE
	r text;
BEGIN
	FOREACH r IN ARRAY ARRAY['boxoffice_owner', 'boxoffice_clerk', 'boxoffice_gate',
				 'boxoffice_supervisor', 'boxoffice_api'] LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
			EXECUTE format('CREATE ROLE %I NOLOGIN', r);
		END IF;
	END LOOP;
END $$;
-- The owner makes and retires station logins (user_add, user_revoke), and
-- ends a revoked login's sessions.
ALTER ROLE boxoffice_owner CREATEROLE;
GRANT pg_signal_backend TO boxoffice_owner;
GRANT boxoffice_clerk, boxoffice_gate, boxoffice_supervisor, boxoffice_api TO boxoffice_owner
	WITH ADMIN OPTION;
GRANT boxoffice_clerk, boxoffice_gate TO boxoffice_supervisor;
GRANT CREATE, USAGE ON SCHEMA public TO boxoffice_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Everything this project made so far belongs to the owner from now on
-- (extensions' objects stay with the extension).
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT c.oid::regclass AS name,
			CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
				       WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind
		 FROM pg_class c
		 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
		   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
				   AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
	LOOP
		EXECUTE format('ALTER %s %s OWNER TO boxoffice_owner', r.kind, r.name);
	END LOOP;
	FOR r IN SELECT p.oid::regprocedure AS name,
			CASE p.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END AS kind
		 FROM pg_proc p
		 WHERE p.pronamespace = 'public'::regnamespace
		   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
				   AND d.objid = p.oid AND d.deptype = 'e')
	LOOP
		EXECUTE format('ALTER %s %s OWNER TO boxoffice_owner', r.kind, r.name);
	END LOOP;
	FOR r IN SELECT t.oid::regtype AS name FROM pg_type t
		 WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd') -- enums, domains
		   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
				   AND d.objid = t.oid AND d.deptype = 'e')
	LOOP
		EXECUTE format('ALTER TYPE %s OWNER TO boxoffice_owner', r.name);
	END LOOP;
END $$;

-- Functions the owner makes later are nobody's to call until granted.
ALTER DEFAULT PRIVILEGES FOR ROLE boxoffice_owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

-- Fails with 42501 naming the role an action needs. Superusers (the
-- migrator, the demo loader) are members of every role.
CREATE FUNCTION boxoffice_require(p_role text, p_what text) RETURNS void
LANGUAGE plpgsql STABLE AS $$
BEGIN
	IF NOT pg_has_role(session_user, 'boxoffice_' || p_role, 'MEMBER') THEN
		RAISE EXCEPTION '% needs the % role', p_what, p_role USING ERRCODE = '42501';
	END IF;
END $$;

-- Which roles may call which function, and whether it runs as the owner
-- (definer: it writes what its caller may not touch, or reads a secret).
-- privileges_apply() makes the catalogue match this table after every
-- migration, so a later CREATE OR REPLACE (which resets SECURITY DEFINER)
-- cannot quietly turn a writer into one that fails, or a reader of secrets
-- into one anybody may call. A function not listed here runs only inside
-- the functions that call it.
CREATE TABLE function_grant (
	fn text PRIMARY KEY,
	definer boolean NOT NULL,
	roles text[] NOT NULL CHECK (roles <@ ARRAY['clerk', 'gate', 'supervisor', 'api'])
);
INSERT INTO function_grant (fn, definer, roles) VALUES
	-- the door
	('checkin_scan', true, '{gate}'),
	('checkin_upload', true, '{gate}'),
	('checkin_undo', true, '{gate}'),
	('checkin_would_go', false, '{gate}'),
	('checkin_cache_horizon', false, '{gate}'),
	('checkin_entrance_counts', false, '{gate,clerk,api}'),
	('checkin_list_rules', false, '{gate,clerk}'),
	('checkin_list_type_reason', false, '{gate,clerk}'),
	('checkin_list_time_reason', false, '{gate,clerk}'),
	('checkin_list_json', false, '{gate,clerk}'),
	('area_json', false, '{gate,clerk}'),
	('event_local_text', false, '{gate,clerk,api}'),
	('event_time', false, '{gate,clerk,api}'),
	('event_day', false, '{gate,clerk,api}'),
	('boxoffice_reason', false, '{gate,clerk,api}'),
	('boxoffice_require', false, '{gate,clerk,api}'),
	('privilege_needed', false, '{gate,clerk,api}'),
	('login_role', false, '{gate,clerk,api}'),
	-- the counter
	('order_add', true, '{clerk,api}'),
	('order_set_status', true, '{clerk}'),
	('order_tickets_generate', true, '{clerk}'),
	('order_generate_tickets', true, '{clerk}'),
	('order_stats_compact', true, '{clerk}'),
	('inventory_sell', true, '{clerk,api}'),
	('inventory_hold', true, '{clerk,api}'),
	('hold_confirm', true, '{clerk,api}'),
	('hold_release', true, '{clerk,api}'),
	('inventory_reap', true, '{clerk,api}'),
	('ticket_assign', true, '{clerk}'),
	('ticket_assign_try', true, '{clerk}'),
	('ticket_assign_rows', true, '{clerk}'),
	('ticket_reissue', true, '{clerk}'),
	('event_signing_key', true, '{clerk}'),
	('seller_of', false, '{clerk}'),
	('invoice_buyer', false, '{clerk}'),
	('invoice_of', false, '{clerk}'),
	-- supervisors
	('inventory_adjust', true, '{supervisor}'),
	('inventory_set_capacity', true, '{supervisor}'),
	('inventory_set_quota', true, '{supervisor}'),
	('seller_set', true, '{supervisor}'),
	('area_save', true, '{supervisor}'),
	('checkin_list_save', true, '{supervisor}'),
	('event_add', true, '{supervisor}'),
	('type_add', true, '{supervisor}'),
	('user_add', true, '{supervisor}'),
	('user_list', true, '{supervisor}'),
	('user_revoke', true, '{supervisor}'),
	('change_log_page', true, '{supervisor}');

CREATE FUNCTION privileges_apply() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	r record;
	role_name text;
BEGIN
	FOR r IN SELECT p.oid::regprocedure AS sig, g.definer, g.roles
		 FROM pg_proc p LEFT JOIN function_grant g ON g.fn = p.proname
		 WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f'
		   AND p.proowner = 'boxoffice_owner'::regrole
		   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
				   AND d.objid = p.oid AND d.deptype = 'e')
	LOOP
		EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC, boxoffice_clerk, boxoffice_gate, '
			       'boxoffice_supervisor, boxoffice_api', r.sig);
		IF r.roles IS NULL THEN
			CONTINUE;
		END IF;
		IF r.definer THEN
			EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = public, pg_temp', r.sig);
		ELSE
			EXECUTE format('ALTER FUNCTION %s SECURITY INVOKER', r.sig);
		END IF;
		FOREACH role_name IN ARRAY r.roles LOOP
			EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', r.sig, 'boxoffice_' || role_name);
		END LOOP;
	END LOOP;
END $$;

-- The login's role for the screens ("supervisor", "clerk", "gate", "api",
-- or "owner" for a superuser or the owner itself).
CREATE FUNCTION login_role() RETURNS text LANGUAGE sql STABLE AS $$
	SELECT CASE
		WHEN (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)
		  OR pg_has_role(session_user, 'boxoffice_owner', 'MEMBER') THEN 'owner'
		WHEN pg_has_role(session_user, 'boxoffice_supervisor', 'MEMBER') THEN 'supervisor'
		WHEN pg_has_role(session_user, 'boxoffice_clerk', 'MEMBER') THEN 'clerk'
		WHEN pg_has_role(session_user, 'boxoffice_gate', 'MEMBER') THEN 'gate'
		WHEN pg_has_role(session_user, 'boxoffice_api', 'MEMBER') THEN 'api'
		ELSE 'none' END
$$;

-- "permission denied for function inventory_adjust" → "supervisor": the
-- first role (least first) that may do what was refused, for the message.
CREATE FUNCTION privilege_needed(p_message text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	m text[];
	r text;
BEGIN
	m := regexp_match(p_message, 'permission denied for (function|table|view|sequence) "?([a-z_0-9]+)"?');
	IF m IS NULL THEN
		m := regexp_match(p_message, 'needs the ([a-z]+) role');
		RETURN m[1];
	END IF;
	FOREACH r IN ARRAY ARRAY['gate', 'clerk', 'supervisor', 'api'] LOOP
		IF m[1] = 'function' THEN
			IF EXISTS (SELECT 1 FROM function_grant WHERE fn = m[2] AND r = ANY (roles)) THEN
				RETURN r;
			END IF;
		ELSIF to_regclass(m[2]) IS NOT NULL
		      AND has_table_privilege('boxoffice_' || r, m[2]::regclass, 'SELECT') THEN
			RETURN r;
		END IF;
	END LOOP;
	RETURN 'owner';
END $$;

-- Who and where come from the connection, never from the caller: a
-- station that writes actor = 'someone else' (or backdates a row) gets its
-- own login, station name, address and the clock's time recorded anyway.
ALTER TABLE change_log ALTER COLUMN actor SET DEFAULT session_user;
ALTER TABLE change_log ADD COLUMN client_addr inet DEFAULT inet_client_addr();
CREATE FUNCTION change_log_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.actor := session_user;
	NEW.station := coalesce(current_setting('application_name', true), '');
	NEW.client_addr := inet_client_addr();
	NEW.at := clock_timestamp();
	RETURN NEW;
END $$;
CREATE TRIGGER change_log_stamp BEFORE INSERT ON change_log
	FOR EACH ROW EXECUTE FUNCTION change_log_stamp();

-- Refunding money and admitting past a full area are supervisors' calls,
-- whichever function gets there.
CREATE FUNCTION ticket_order_refund_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM boxoffice_require('supervisor', 'refunding an order');
	RETURN NEW;
END $$;
CREATE TRIGGER ticket_order_refund_guard BEFORE UPDATE OF status ON ticket_order
	FOR EACH ROW WHEN (NEW.status = 'refunded' AND OLD.status IS DISTINCT FROM 'refunded')
	EXECUTE FUNCTION ticket_order_refund_guard();
CREATE FUNCTION checkin_override_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM boxoffice_require('supervisor', 'admitting past a full area');
	RETURN NEW;
END $$;
CREATE TRIGGER checkin_override_guard BEFORE INSERT ON checkin
	FOR EACH ROW WHEN (NEW.override_reason IS NOT NULL)
	EXECUTE FUNCTION checkin_override_guard();

-- Events and ticket types were inserted by the client; now by functions
-- (same checks: a name differing only in case is refused with the one
-- that exists). Returns (id, existing name): id NULL when refused.
CREATE FUNCTION event_add(p_name text, p_date date, p_reentry boolean, p_time_zone text,
			  OUT id bigint, OUT existing text)
LANGUAGE plpgsql AS $$
DECLARE
	e event;
BEGIN
	SELECT name INTO existing FROM event WHERE lower(name) = lower(p_name) LIMIT 1;
	IF existing IS NOT NULL THEN
		RETURN;
	END IF;
	IF p_time_zone IS NULL THEN
		INSERT INTO event (name, date, reentry) VALUES (p_name, p_date, p_reentry) RETURNING * INTO e;
	ELSE
		INSERT INTO event (name, date, reentry, time_zone) VALUES (p_name, p_date, p_reentry, p_time_zone)
		RETURNING * INTO e;
	END IF;
	INSERT INTO change_log (entity, entity_id, action, event_id, detail)
	VALUES ('event', e.id, 'created', e.id, jsonb_build_object('name', e.name, 'date', e.date,
		'reentry', e.reentry, 'time_zone', e.time_zone));
	id := e.id;
END $$;

CREATE FUNCTION type_add(p_event bigint, p_name text, p_tier text, p_capacity integer,
			 p_price_cents bigint, p_seats_per_ticket integer, p_vat_bp integer,
			 OUT id bigint, OUT existing text)
LANGUAGE plpgsql AS $$
DECLARE
	t ticket_type;
BEGIN
	SELECT name INTO existing FROM ticket_type WHERE event_id = p_event AND lower(name) = lower(p_name) LIMIT 1;
	IF existing IS NOT NULL THEN
		RETURN;
	END IF;
	INSERT INTO ticket_type (event_id, name, tier, capacity, price_cents, seats_per_ticket, vat_bp)
	VALUES (p_event, p_name, p_tier::ticket_tier, p_capacity, p_price_cents, p_seats_per_ticket, p_vat_bp)
	RETURNING * INTO t;
	INSERT INTO change_log (entity, entity_id, action, event_id, type_id, detail)
	VALUES ('ticket_type', t.id, 'created', t.event_id, t.id, jsonb_build_object('name', t.name,
		'capacity', t.capacity, 'price_cents', t.price_cents,
		'seats_per_ticket', t.seats_per_ticket, 'vat_bp', t.vat_bp));
	id := t.id;
END $$;

-- The event's signing key pair, for the stations that mint tokens (clerks:
-- badges, QR codes). PostgreSQL cannot sign Ed25519 itself, so the secret
-- key leaves the database only through this function, and only to roles
-- granted it; gates read public keys and nothing else of event_key. The
-- first caller of an event without a key stores the pair it made (p_new_*,
-- hex); two racing callers both get the first one's.
CREATE FUNCTION event_signing_key(p_event bigint, p_new_public text, p_new_secret text,
				  OUT public_key text, OUT secret_key text)
LANGUAGE plpgsql AS $$
BEGIN
	SELECT encode(k.public_key, 'hex'), encode(k.secret_key, 'hex') INTO public_key, secret_key
	FROM event_key k WHERE k.event_id = p_event;
	IF FOUND OR p_new_public IS NULL OR p_new_secret IS NULL THEN
		RETURN;
	END IF;
	INSERT INTO event_key (event_id, public_key, secret_key)
	SELECT e.id, decode(p_new_public, 'hex'), decode(p_new_secret, 'hex') FROM event e WHERE e.id = p_event
	ON CONFLICT (event_id) DO NOTHING;
	SELECT encode(k.public_key, 'hex'), encode(k.secret_key, 'hex') INTO public_key, secret_key
	FROM event_key k WHERE k.event_id = p_event;
END $$;

-- Station logins this database made, and what became of them.
CREATE TABLE station_login (
	name text PRIMARY KEY,
	role text NOT NULL CHECK (role IN ('clerk', 'gate', 'supervisor', 'api')),
	auth text NOT NULL CHECK (auth IN ('password', 'peer', 'cert')),
	created_at timestamptz NOT NULL DEFAULT now(),
	created_by text NOT NULL DEFAULT session_user,
	revoked_at timestamptz,
	revoked_by text
);

-- A login in one of the station roles. p_password is SCRAM-encrypted by
-- the client (PQencryptPasswordConn): the clear text never reaches the
-- server or its logs. NULL: no password (peer or certificate, as pg_hba
-- says). With p_if_missing an active login of that name is left as it is.
CREATE FUNCTION user_add(p_name text, p_role text, p_password text, p_auth text, p_if_missing boolean)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	had station_login;
	exists_in_cluster boolean;
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
	exists_in_cluster := EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name);
	IF had.name IS NOT NULL AND had.revoked_at IS NULL AND exists_in_cluster THEN
		IF p_if_missing THEN
			RETURN jsonb_build_object('id', (SELECT oid FROM pg_roles WHERE rolname = p_name),
				'name', p_name, 'role', had.role, 'auth', had.auth, 'created', false);
		END IF;
		RAISE EXCEPTION 'login "%" exists already (role %); revoke it first to give it another role',
			p_name, had.role USING ERRCODE = 'BX030';
	END IF;
	IF exists_in_cluster AND had.name IS NULL THEN
		-- someone else's role (a DBA, another application): never touched
		RAISE EXCEPTION 'a database role named "%" exists and is not a boxoffice login', p_name
			USING ERRCODE = 'BX030';
	END IF;
	IF exists_in_cluster THEN
		EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', p_name, p_password);
	ELSE
		EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', p_name, p_password);
	END IF;
	EXECUTE format('GRANT %I TO %I', 'boxoffice_' || p_role, p_name);
	INSERT INTO station_login (name, role, auth) VALUES (p_name, p_role, p_auth)
	ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role, auth = EXCLUDED.auth,
		created_at = now(), created_by = session_user, revoked_at = NULL, revoked_by = NULL;
	INSERT INTO change_log (entity, action, detail)
	VALUES ('login', 'created', jsonb_build_object('name', p_name, 'role', p_role, 'auth', p_auth));
	RETURN jsonb_build_object('id', (SELECT oid FROM pg_roles WHERE rolname = p_name),
		'name', p_name, 'role', p_role, 'auth', p_auth, 'created', true);
END $$;

CREATE FUNCTION user_list() RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('name', s.name, 'role', s.role, 'auth', s.auth,
		'active', s.revoked_at IS NULL AND coalesce(r.rolcanlogin, false),
		'created_at', s.created_at, 'created_by', s.created_by,
		'revoked_at', s.revoked_at, 'revoked_by', s.revoked_by,
		'sessions', (SELECT count(*) FROM pg_stat_activity a WHERE a.usename = s.name),
		'last_change', (SELECT max(c.at) FROM change_log c WHERE c.actor = s.name))
		ORDER BY s.revoked_at IS NOT NULL, s.name), '[]')
	FROM station_login s LEFT JOIN pg_roles r ON r.rolname = s.name
$$;

-- The login cannot log in again, loses its role, and its open sessions end.
CREATE FUNCTION user_revoke(p_name text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	had station_login;
	ended integer;
BEGIN
	SELECT * INTO had FROM station_login WHERE name = p_name FOR UPDATE;
	IF had.name IS NULL OR had.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'no active boxoffice login named "%"', left(p_name, 70) USING ERRCODE = 'BX001';
	END IF;
	IF p_name = session_user THEN
		RAISE EXCEPTION 'a login cannot revoke itself (ask another supervisor)' USING ERRCODE = 'BX030';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = p_name) THEN
		EXECUTE format('ALTER ROLE %I NOLOGIN PASSWORD NULL', p_name);
		EXECUTE format('REVOKE %I FROM %I', 'boxoffice_' || had.role, p_name);
	END IF;
	SELECT count(*) INTO ended FROM (SELECT pg_terminate_backend(a.pid) FROM pg_stat_activity a
					 WHERE a.usename = p_name AND a.pid <> pg_backend_pid()) t;
	UPDATE station_login SET revoked_at = now(), revoked_by = session_user WHERE name = p_name;
	INSERT INTO change_log (entity, action, detail)
	VALUES ('login', 'revoked', jsonb_build_object('name', p_name, 'role', had.role, 'sessions_ended', ended));
	RETURN jsonb_build_object('name', p_name, 'role', had.role, 'sessions_ended', ended);
END $$;

-- New objects of this migration belong to the owner too.
ALTER TABLE function_grant OWNER TO boxoffice_owner;
ALTER TABLE station_login OWNER TO boxoffice_owner;
DO $$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
		 WHERE p.pronamespace = 'public'::regnamespace AND p.proowner <> 'boxoffice_owner'::regrole
		   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
				   AND d.objid = p.oid AND d.deptype = 'e')
	LOOP
		EXECUTE format('ALTER FUNCTION %s OWNER TO boxoffice_owner', r.sig);
	END LOOP;
END $$;

-- What each role may read. Nothing else: no INSERT, UPDATE, DELETE,
-- TRUNCATE, REFERENCES or TRIGGER for any station role on any table.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC;
GRANT SELECT ON schema_version, database_identity, function_grant, event, ticket_type,
	area, checkin_list, checkin_list_type, checkin_list_window, checkin_pass, checkin,
	checkin_conflict, checkin_cache, ticket
	TO boxoffice_gate, boxoffice_clerk;
-- a gate greets people by name; their e-mail and the order's money are not its business
GRANT SELECT (id, event_id, name, company) ON person TO boxoffice_gate;
GRANT SELECT (id, event_id, status) ON ticket_order TO boxoffice_gate;
GRANT SELECT (event_id, public_key, created_at) ON event_key TO boxoffice_gate, boxoffice_clerk, boxoffice_api;
GRANT SELECT ON channel_quota, organization, event_organization, person, ticket_order, order_line,
	hold, change_log, order_transition, inventory_view, order_stats, order_stats_delta, seller,
	invoice_document
	TO boxoffice_clerk;
GRANT SELECT ON station_login TO boxoffice_supervisor;
GRANT SELECT ON schema_version, database_identity, function_grant, event, ticket_type, channel_quota,
	inventory_view, hold
	TO boxoffice_api;

SELECT privileges_apply();

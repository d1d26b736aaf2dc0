-- 046_alerts.sql: alerts raised by the database (issue 17), so every
-- station agrees on what fired. One open alert per kind and scope (event,
-- type, gate): a repeat bumps its count and last_at instead of adding a
-- row, and is announced (NOTIFY boxoffice_alert, and Slack/Twilio through
-- outbox_alert) at most once a minute. Acknowledging closes it everywhere.

CREATE TABLE alert_setting (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	event_id bigint NOT NULL REFERENCES event (id) ON DELETE CASCADE,
	type_id bigint REFERENCES ticket_type (id) ON DELETE CASCADE, -- NULL: the event's default
	low_stock integer CHECK (low_stock >= 0),        -- tickets left; NULL: a tenth of capacity
	hold_burst integer NOT NULL DEFAULT 20 CHECK (hold_burst >= 1),     -- holds a minute on a type
	reject_burst integer NOT NULL DEFAULT 5 CHECK (reject_burst >= 1),  -- rejects a minute at a gate
	silent_minutes integer NOT NULL DEFAULT 10 CHECK (silent_minutes >= 1),
	enabled boolean NOT NULL DEFAULT true,
	updated_at timestamptz NOT NULL DEFAULT now(),
	updated_by text NOT NULL DEFAULT session_user
);
CREATE UNIQUE INDEX alert_setting_scope ON alert_setting (event_id, coalesce(type_id, 0));

CREATE TABLE alert (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	kind text NOT NULL CHECK (kind IN ('low_stock', 'sold_out', 'hold_burst', 'gate_rejects', 'gate_silent',
					   'offline_conflicts', 'channel_failing')),
	event_id bigint,
	type_id bigint,
	gate text NOT NULL DEFAULT '', -- a gate, a station or a channel
	severity text NOT NULL CHECK (severity IN ('low', 'normal', 'critical')),
	message text NOT NULL,
	first_at timestamptz NOT NULL DEFAULT now(),
	last_at timestamptz NOT NULL DEFAULT now(),
	count integer NOT NULL DEFAULT 1,
	notices integer NOT NULL DEFAULT 1,             -- times announced (rate-limited)
	noticed_at timestamptz NOT NULL DEFAULT now(),  -- last announced
	acknowledged_by text,
	acknowledged_at timestamptz,
	acknowledged_station text
);
-- one open alert per kind and scope: concurrent raises meet here
CREATE UNIQUE INDEX alert_open_scope ON alert (kind, coalesce(event_id, 0), coalesce(type_id, 0), gate)
	WHERE acknowledged_at IS NULL;
CREATE INDEX alert_last_at ON alert (last_at DESC);

-- Sliding one-minute counters for the burst rules: one row per rule and
-- scope, bumped in place (no scan of holds or scans).
CREATE TABLE alert_counter (
	kind text NOT NULL,
	scope text NOT NULL,
	window_start timestamptz NOT NULL,
	n integer NOT NULL,
	PRIMARY KEY (kind, scope)
);

-- The settings in force for a type (its own row, else its event's, else
-- the defaults); capacity gives the default low-stock threshold.
CREATE FUNCTION alert_setting_of(p_event bigint, p_type bigint) RETURNS alert_setting
LANGUAGE sql STABLE AS $$
	SELECT s FROM (
		SELECT s, 0 AS rank FROM alert_setting s WHERE p_type IS NOT NULL AND s.event_id = p_event AND s.type_id = p_type
		UNION ALL
		SELECT s, 1 FROM alert_setting s WHERE s.event_id = p_event AND s.type_id IS NULL
		UNION ALL
		SELECT ROW(NULL, p_event, p_type, NULL, 20, 5, 10, true, now(), '')::alert_setting, 2
	) x ORDER BY rank LIMIT 1
$$;

CREATE FUNCTION alert_counter_bump(p_kind text, p_scope text) RETURNS integer
LANGUAGE sql AS $$
	INSERT INTO alert_counter AS c (kind, scope, window_start, n) VALUES (p_kind, p_scope, now(), 1)
	ON CONFLICT (kind, scope) DO UPDATE
	SET n = CASE WHEN c.window_start < now() - interval '1 minute' THEN 1 ELSE c.n + 1 END,
	    window_start = CASE WHEN c.window_start < now() - interval '1 minute' THEN now() ELSE c.window_start END
	RETURNING n
$$;

-- Raises (or bumps) the open alert of a kind and scope; announces it when
-- it is new or was last announced over a minute ago. Returns its id.
CREATE FUNCTION alert_raise(p_kind text, p_event bigint, p_type bigint, p_gate text, p_severity text,
			    p_message text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	a alert;
	fresh boolean;
	xm xid;
BEGIN
	INSERT INTO alert AS x (kind, event_id, type_id, gate, severity, message)
	VALUES (p_kind, p_event, p_type, coalesce(p_gate, ''), p_severity, left(p_message, 500))
	ON CONFLICT (kind, coalesce(event_id, 0), coalesce(type_id, 0), gate) WHERE acknowledged_at IS NULL
	DO UPDATE SET count = x.count + 1, last_at = now(), message = EXCLUDED.message,
		notices = x.notices + CASE WHEN x.noticed_at < now() - interval '1 minute' THEN 1 ELSE 0 END,
		noticed_at = CASE WHEN x.noticed_at < now() - interval '1 minute' THEN now() ELSE x.noticed_at END
	RETURNING x.xmax INTO xm;
	fresh := xm = '0'::xid;
	SELECT * INTO a FROM alert WHERE kind = p_kind AND coalesce(event_id, 0) = coalesce(p_event, 0)
		AND coalesce(type_id, 0) = coalesce(p_type, 0) AND gate = coalesce(p_gate, '') AND acknowledged_at IS NULL;
	IF fresh OR a.noticed_at = now() THEN
		PERFORM pg_notify('boxoffice_alert', json_build_object('id', a.id, 'kind', a.kind,
			'severity', a.severity, 'count', a.count, 'message', a.message)::text);
		-- staff on Slack/Twilio hear too (sold out and dead letters already
		-- reach them from db/038 and db/043)
		IF p_kind NOT IN ('sold_out', 'channel_failing') THEN
			PERFORM outbox_alert(a.message, p_event, p_type, NULL);
		END IF;
	END IF;
	RETURN a.id;
END $$;

-- A type crossing its low-stock threshold or selling out. Cheap in the
-- sale path: only a decrease that crosses reads the settings.
CREATE FUNCTION alert_on_type() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	was integer := (OLD.capacity - OLD.sold - OLD.held - OLD.reserved) / OLD.seats_per_ticket;
	left_now integer := (NEW.capacity - NEW.sold - NEW.held - NEW.reserved) / NEW.seats_per_ticket;
	s alert_setting;
	thr integer;
	ev text;
BEGIN
	IF left_now >= was OR was <= 0 THEN
		RETURN NULL;
	END IF;
	s := alert_setting_of(NEW.event_id, NEW.id);
	IF NOT s.enabled THEN
		RETURN NULL;
	END IF;
	thr := coalesce(s.low_stock, greatest(1, NEW.capacity / NEW.seats_per_ticket / 10));
	IF was > thr AND left_now <= thr AND left_now > 0 THEN
		SELECT name INTO ev FROM event WHERE id = NEW.event_id;
		PERFORM alert_raise('low_stock', NEW.event_id, NEW.id, '', 'low',
				    format('Low stock: %s / %s, %s left', ev, NEW.name, left_now));
	END IF;
	IF left_now <= 0 THEN
		SELECT name INTO ev FROM event WHERE id = NEW.event_id;
		PERFORM alert_raise('sold_out', NEW.event_id, NEW.id, '', 'normal',
				    format('Sold out: %s / %s', ev, NEW.name));
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER alert_on_type AFTER UPDATE OF sold, held, reserved, capacity ON ticket_type
	FOR EACH ROW EXECUTE FUNCTION alert_on_type();

-- A burst of holds on one type.
CREATE FUNCTION alert_on_hold() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	n integer := alert_counter_bump('hold_burst', NEW.type_id::text);
	s alert_setting;
BEGIN
	s := alert_setting_of(NEW.event_id, NEW.type_id);
	IF s.enabled AND n > s.hold_burst THEN
		PERFORM alert_raise('hold_burst', NEW.event_id, NEW.type_id, '', 'normal',
			format('Hold burst: %s holds in a minute on %s', n,
			       (SELECT name FROM ticket_type WHERE id = NEW.type_id)));
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER alert_on_hold AFTER INSERT ON hold FOR EACH ROW EXECUTE FUNCTION alert_on_hold();

-- Offline conflicts after a gate's upload.
CREATE FUNCTION alert_on_conflict() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	ev bigint := (SELECT event_id FROM ticket WHERE id = NEW.ticket_id);
	s alert_setting;
BEGIN
	IF ev IS NOT NULL THEN
		s := alert_setting_of(ev, NULL);
		IF NOT s.enabled THEN
			RETURN NULL;
		END IF;
	END IF;
	PERFORM alert_raise('offline_conflicts', ev, NULL, NEW.gate, 'normal',
			    format('Offline conflict at gate %s: %s', NEW.gate, NEW.reason));
	RETURN NULL;
END $$;
CREATE TRIGGER alert_on_conflict AFTER INSERT ON checkin_conflict
	FOR EACH ROW EXECUTE FUNCTION alert_on_conflict();

-- A channel's change became a dead letter.
CREATE FUNCTION alert_on_dead() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	PERFORM alert_raise('channel_failing', NULL, NULL, c.name, 'critical',
			    format('Channel %s failing: change #%s is a dead letter: %s', c.name, NEW.id,
				   left(coalesce(NEW.last_error, ''), 200)))
	FROM platform_channel c WHERE c.id = NEW.channel_id;
	RETURN NULL;
END $$;
CREATE TRIGGER alert_on_dead AFTER UPDATE OF state ON channel_outbox
	FOR EACH ROW WHEN (NEW.state = 'dead' AND OLD.state IS DISTINCT FROM 'dead')
	EXECUTE FUNCTION alert_on_dead();

-- Repeated rejects at a gate: called by the gate side with each reject
-- verdict (the scan functions answer rejects without writing a row).
CREATE FUNCTION alert_gate_reject(p_event bigint, p_gate text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	n integer := alert_counter_bump('gate_rejects', coalesce(p_event, 0) || '/' || coalesce(p_gate, ''));
	s alert_setting := alert_setting_of(p_event, NULL);
BEGIN
	IF s.enabled AND n >= s.reject_burst THEN
		PERFORM alert_raise('gate_rejects', p_event, NULL, coalesce(p_gate, ''), 'critical',
				    format('Gate %s: %s rejects in a minute', coalesce(p_gate, ''), n));
	END IF;
END $$;

-- Gates gone silent: their last scan today is older than the event's
-- silent_minutes. Stations call it now and then (it reads the scans of
-- the last day through checkin_at_idx); returns how many it raised.
CREATE FUNCTION alert_check_silent() RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	r record;
	n integer := 0;
BEGIN
	FOR r IN SELECT c.gate, max(c.at) AS last_at, (array_agg(k.event_id ORDER BY c.at DESC))[1] AS event_id
		 FROM checkin c JOIN ticket k ON k.id = c.ticket_id
		 WHERE c.at > now() - interval '1 day' AND c.gate <> ''
		 GROUP BY c.gate
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

CREATE FUNCTION alert_json(a alert) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', a.id, 'kind', a.kind, 'event', a.event_id, 'type', a.type_id,
		'gate', a.gate, 'severity', a.severity, 'message', a.message, 'first_at', a.first_at,
		'last_at', a.last_at, 'count', a.count, 'notices', a.notices,
		'acknowledged_by', a.acknowledged_by, 'acknowledged_at', a.acknowledged_at,
		'acknowledged_station', a.acknowledged_station)
$$;

-- Newest first; p_open: only those not acknowledged.
CREATE FUNCTION alert_list(p_open boolean, p_limit integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(alert_json(a) ORDER BY a.last_at DESC, a.id DESC), '[]')
	FROM (SELECT * FROM alert a WHERE NOT p_open OR a.acknowledged_at IS NULL
	      ORDER BY a.last_at DESC, a.id DESC LIMIT greatest(1, least(coalesce(p_limit, 200), 1000))) a
$$;

-- Acknowledges an open alert: who, when, from which station; every
-- station's banner drops it.
CREATE FUNCTION alert_ack(p_id bigint) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	a alert;
BEGIN
	PERFORM boxoffice_require('supervisor', 'acknowledging an alert');
	SELECT * INTO a FROM alert WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no such alert' USING ERRCODE = 'BX001';
	END IF;
	IF a.acknowledged_at IS NOT NULL THEN
		RAISE EXCEPTION 'alert % was acknowledged by % at %', p_id, a.acknowledged_by, a.acknowledged_at
			USING ERRCODE = 'BX006';
	END IF;
	UPDATE alert SET acknowledged_by = session_user, acknowledged_at = now(),
		acknowledged_station = current_setting('application_name')
	WHERE id = p_id RETURNING * INTO a;
	PERFORM pg_notify('boxoffice_alert', json_build_object('id', a.id, 'ack', true)::text);
	RETURN alert_json(a);
END $$;

CREATE FUNCTION alert_setting_json(s alert_setting) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('event', s.event_id, 'type', s.type_id, 'low_stock', s.low_stock,
		'hold_burst', s.hold_burst, 'reject_burst', s.reject_burst, 'silent_minutes', s.silent_minutes,
		'enabled', s.enabled, 'updated_at', s.updated_at, 'updated_by', s.updated_by)
$$;

CREATE FUNCTION alert_settings(p_event bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(alert_setting_json(s) ORDER BY s.event_id, s.type_id NULLS FIRST), '[]')
	FROM alert_setting s WHERE p_event IS NULL OR s.event_id = p_event
$$;

-- Sets an event's (p_type NULL) or a type's settings; a NULL leaves that
-- setting as it is (p_low_stock -1: back to a tenth of capacity).
CREATE FUNCTION alert_setting_set(p_event bigint, p_type bigint, p_low_stock integer, p_hold_burst integer,
				  p_reject_burst integer, p_silent_minutes integer, p_enabled boolean) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	s alert_setting;
BEGIN
	PERFORM boxoffice_require('supervisor', 'changing alert settings');
	IF p_low_stock < -1 OR p_hold_burst < 1 OR p_reject_burst < 1 OR p_silent_minutes < 1
	   OR p_silent_minutes > 1440 THEN
		RAISE EXCEPTION 'thresholds are whole numbers: low stock 0 or more, bursts and minutes 1 or more'
			USING ERRCODE = '22023';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM event WHERE id = p_event) THEN
		RAISE EXCEPTION 'no such event' USING ERRCODE = 'BX001';
	END IF;
	IF p_type IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ticket_type WHERE id = p_type AND event_id = p_event) THEN
		RAISE EXCEPTION 'no such type in that event' USING ERRCODE = 'BX001';
	END IF;
	INSERT INTO alert_setting (event_id, type_id) VALUES (p_event, p_type)
	ON CONFLICT (event_id, coalesce(type_id, 0)) DO NOTHING;
	UPDATE alert_setting SET
		low_stock = CASE WHEN p_low_stock = -1 THEN NULL ELSE coalesce(p_low_stock, low_stock) END,
		hold_burst = coalesce(p_hold_burst, hold_burst),
		reject_burst = coalesce(p_reject_burst, reject_burst),
		silent_minutes = coalesce(p_silent_minutes, silent_minutes),
		enabled = coalesce(p_enabled, enabled),
		updated_at = now(), updated_by = session_user
	WHERE event_id = p_event AND type_id IS NOT DISTINCT FROM p_type
	RETURNING * INTO s;
	INSERT INTO change_log (entity, entity_id, action, reason, event_id, type_id, detail)
	VALUES ('alert_setting', s.id, 'set', 'alert settings', p_event, p_type, alert_setting_json(s));
	RETURN alert_setting_json(s);
END $$;

INSERT INTO function_grant (fn, definer, roles) VALUES
	('alert_list', true, '{supervisor}'),
	('alert_ack', true, '{supervisor}'),
	('alert_settings', true, '{supervisor}'),
	('alert_setting_set', true, '{supervisor}'),
	('alert_check_silent', true, '{supervisor}'),
	('alert_gate_reject', true, '{gate}');

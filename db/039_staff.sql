-- Staff commands from Slack (slash command) and Twilio (inbound SMS),
-- issue 16. serve checks the platform's signature, parses the command
-- (src/core/staff_cmd.c) and makes ONE call of staff_run, which checks who
-- is asking (staff_member), picks the event and does the work: what is
-- left per type, a hold, a release. Supervisors map the platforms' users
-- with `boxoffice platform staff add|list|remove`.

-- A Slack user ID (U…/W…) or a phone number (+E.164) and what it may do:
-- a clerk asks what is left; a supervisor also holds and releases.
CREATE TABLE staff_member (
	platform text NOT NULL CHECK (platform IN ('slack', 'twilio')),
	user_id text NOT NULL CHECK (user_id ~ '^[A-Za-z0-9+][A-Za-z0-9._:+-]{0,63}$'),
	role text NOT NULL CHECK (role IN ('clerk', 'supervisor')),
	added_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (platform, user_id)
);
GRANT SELECT ON staff_member TO boxoffice_supervisor;

CREATE FUNCTION staff_check_platform(p_platform text) RETURNS void LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF p_platform IS NULL OR p_platform NOT IN ('slack', 'twilio') THEN
		RAISE EXCEPTION 'platform must be slack or twilio' USING ERRCODE = '22023';
	END IF;
END $$;

CREATE FUNCTION staff_add(p_platform text, p_user text, p_role text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	m staff_member;
BEGIN
	PERFORM staff_check_platform(p_platform);
	IF p_role IS NULL OR p_role NOT IN ('clerk', 'supervisor') THEN
		RAISE EXCEPTION 'role must be clerk or supervisor' USING ERRCODE = '22023';
	END IF;
	IF p_user IS NULL OR p_user !~ '^[A-Za-z0-9+][A-Za-z0-9._:+-]{0,63}$' THEN
		RAISE EXCEPTION 'a user is a Slack user ID (U0123ABC) or a phone number (+4712345678)'
			USING ERRCODE = '22023';
	END IF;
	INSERT INTO staff_member (platform, user_id, role) VALUES (p_platform, p_user, p_role)
	ON CONFLICT (platform, user_id) DO UPDATE SET role = EXCLUDED.role
	RETURNING * INTO m;
	INSERT INTO change_log (entity, action, reason, detail)
	VALUES ('staff', 'add', 'staff member mapped',
		jsonb_build_object('platform', m.platform, 'user', m.user_id, 'role', m.role));
	RETURN jsonb_build_object('platform', m.platform, 'user', m.user_id, 'role', m.role,
				  'added_at', m.added_at);
END $$;

CREATE FUNCTION staff_list() RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('platform', platform, 'user', user_id, 'role', role,
		'added_at', added_at) ORDER BY platform, user_id), '[]')
	FROM staff_member
$$;

CREATE FUNCTION staff_remove(p_platform text, p_user text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	m staff_member;
BEGIN
	PERFORM staff_check_platform(p_platform);
	DELETE FROM staff_member WHERE platform = p_platform AND user_id = p_user RETURNING * INTO m;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no % user %', p_platform, p_user USING ERRCODE = 'BX001';
	END IF;
	INSERT INTO change_log (entity, action, reason, detail)
	VALUES ('staff', 'remove', 'staff member removed',
		jsonb_build_object('platform', m.platform, 'user', m.user_id, 'role', m.role));
	RETURN jsonb_build_object('platform', m.platform, 'user', m.user_id, 'role', m.role, 'removed', true);
END $$;

-- What serve needs to check a platform's call: the signing secret, and
-- for Twilio the URL its console calls (settings.url of the enabled twilio
-- platform_channel; serve falls back to --public-url + /webhooks/twilio).
CREATE FUNCTION staff_platform_conf(p_platform text) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object(
		'secret', (SELECT secret FROM platform_secret WHERE platform = p_platform),
		'url', (SELECT c.settings ->> 'url' FROM platform_channel c
			WHERE c.platform = p_platform AND c.enabled
			ORDER BY (c.name = p_platform) DESC, c.id LIMIT 1))
$$;

-- The event a command means: the one it names, else the only event on
-- sale (today or later, with ticket types); NULL with *why when it must ask.
CREATE FUNCTION staff_event(p_event text, OUT id bigint, OUT why text) LANGUAGE plpgsql STABLE AS $$
DECLARE
	n integer;
	names text;
BEGIN
	IF p_event IS NOT NULL THEN
		id := api_event_id(to_jsonb(p_event));
		RETURN;
	END IF;
	SELECT count(*), string_agg(x.name, ', ' ORDER BY x.date, x.id) FILTER (WHERE x.rn <= 5), min(x.id)
	INTO n, names, id
	FROM (SELECT e.id, e.name, e.date, row_number() OVER (ORDER BY e.date, e.id) AS rn
	      FROM event e
	      WHERE e.date >= current_date AND EXISTS (SELECT 1 FROM ticket_type t WHERE t.event_id = e.id)) x;
	IF n = 1 THEN
		RETURN;
	END IF;
	id := NULL;
	IF n = 0 THEN
		why := 'No event is on sale. Name one: ... event NAME';
	ELSE
		why := format('Which event? Add "event NAME" (or its ID). On sale: %s%s', names,
			      CASE WHEN n > 5 THEN format(' and %s more', n - 5) ELSE '' END);
	END IF;
END $$;

-- What is left of an event's types (all channels): one line per type.
CREATE FUNCTION staff_available_text(p_event bigint, p_type bigint) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT (SELECT format('%s (%s):', e.name, e.date) FROM event e WHERE e.id = p_event) || E'\n' ||
		coalesce(string_agg(format('%s: %s left%s', v.type_name, greatest(v.available, 0),
			coalesce((SELECT ' (' || string_agg(format('%s %s', q.channel, greatest(q.available, 0)), ', '
							  ORDER BY q.channel) || ')'
				  FROM inventory_view q
				  WHERE q.type_id = v.type_id AND q.channel IS NOT NULL), '')),
			E'\n' ORDER BY v.type_id), 'no ticket types')
	FROM inventory_view v
	WHERE v.event_id = p_event AND v.channel IS NULL AND (p_type IS NULL OR v.type_id = p_type)
$$;

-- One staff command, as serve parsed it:
--   {"verb": "available", "type": T?, "event": E?}
--   {"verb": "hold", "type": T, "qty": N, "event": E?, "ttl": S?}
--   {"verb": "release", "hold": ID}
--   {"verb": "help"} (also what a command that did not parse sends)
-- p_delivery: the platform's message ID (Twilio's MessageSid), or NULL; a
-- delivery seen before answers the first one's reply and changes nothing.
-- Answers {"ok", "role", "text", "duplicate"}: text is the reply for the
-- user (a refusal too: the platform gets 200 and shows it). The GUC
-- boxoffice.api_key names the staff user in the change log.
CREATE FUNCTION staff_run(p_platform text, p_user text, p_cmd jsonb, p_delivery text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	m staff_member;
	verb text := p_cmd ->> 'verb';
	ev record;
	ty bigint;
	r jsonb;
	answer jsonb;
	who text;
BEGIN
	PERFORM staff_check_platform(p_platform);
	-- a chat reply must come within seconds: never queue behind a lock
	PERFORM set_config('lock_timeout', '1500', true);
	who := p_platform || ':' || left(coalesce(p_user, '?'), 64);
	PERFORM set_config('boxoffice.api_key', 'staff:' || who, true);
	IF p_delivery IS NOT NULL THEN
		IF length(p_delivery) NOT BETWEEN 1 AND 300 THEN
			RAISE EXCEPTION 'a delivery ID has 1 to 300 characters' USING ERRCODE = '22023';
		END IF;
		INSERT INTO webhook_delivery (platform, delivery_id, topic, outcome, detail)
		VALUES (p_platform, p_delivery, 'staff', 'pending', '{}')
		ON CONFLICT (platform, delivery_id) DO NOTHING;
		IF NOT FOUND THEN
			SELECT d.detail INTO r FROM webhook_delivery d
			WHERE d.platform = p_platform AND d.delivery_id = p_delivery;
			RETURN coalesce(r -> 'answer', '{"ok": false, "text": "Already received."}')
				|| '{"duplicate": true}';
		END IF;
	END IF;
	SELECT * INTO m FROM staff_member WHERE platform = p_platform AND user_id = p_user;
	IF NOT FOUND THEN
		INSERT INTO change_log (entity, action, reason, detail)
		VALUES ('staff', 'refused', 'unknown staff user',
			jsonb_build_object('platform', p_platform, 'user', left(p_user, 64), 'verb', verb));
		answer := jsonb_build_object('ok', false, 'role', NULL, 'text',
			'Sorry, you are not on the box office''s staff list. Ask a supervisor to add you '
			|| '(boxoffice platform staff add).');
	ELSIF verb IN ('hold', 'release') AND m.role <> 'supervisor' THEN
		INSERT INTO change_log (entity, action, reason, detail)
		VALUES ('staff', 'refused', 'needs the supervisor role',
			jsonb_build_object('platform', p_platform, 'user', m.user_id, 'verb', verb));
		answer := jsonb_build_object('ok', false, 'role', m.role, 'text',
			format('Sorry, only a supervisor may %s tickets; you may ask what is available.', verb));
	ELSIF verb IS NULL OR verb NOT IN ('available', 'hold', 'release') THEN
		answer := jsonb_build_object('ok', true, 'role', m.role, 'text', NULL);
	ELSE
		BEGIN
			IF verb = 'release' THEN
				r := hold_release((p_cmd ->> 'hold')::bigint, 'released via ' || who);
				answer := jsonb_build_object('ok', true, 'role', m.role, 'result', r, 'text',
					format('Hold %s released: %s seat(s) back on sale.', r ->> 'id', r ->> 'seats'));
			ELSE
				SELECT * INTO ev FROM staff_event(p_cmd ->> 'event');
				IF ev.id IS NULL THEN
					answer := jsonb_build_object('ok', false, 'role', m.role, 'text', ev.why);
				ELSIF verb = 'available' THEN
					IF p_cmd ->> 'type' IS NOT NULL THEN
						ty := api_type_id(ev.id, p_cmd -> 'type');
					END IF;
					answer := jsonb_build_object('ok', true, 'role', m.role, 'event', ev.id,
						'text', staff_available_text(ev.id, ty));
				ELSE
					ty := api_type_id(ev.id, p_cmd -> 'type');
					r := inventory_hold(ev.id, ty, (p_cmd ->> 'qty')::integer,
							    coalesce((p_cmd ->> 'ttl')::integer, 900), 'pos', NULL,
							    'hold via ' || who);
					UPDATE hold SET reference = who WHERE id = (r ->> 'id')::bigint;
					answer := jsonb_build_object('ok', true, 'role', m.role, 'event', ev.id,
						'result', r, 'text',
						format('Hold %s: %s x %s, until %s. Release it with "release %s".',
						       r ->> 'id', r ->> 'qty',
						       (SELECT name FROM ticket_type WHERE id = ty),
						       to_char((r ->> 'expires_at')::timestamptz, 'YYYY-MM-DD HH24:MI TZ'),
						       r ->> 'id'));
				END IF;
			END IF;
		EXCEPTION WHEN OTHERS THEN
			-- a business refusal or bad input is the user's answer; a lock
			-- or statement timeout, a lost link, a bug go up to serve
			IF SQLSTATE LIKE 'BX%' OR SQLSTATE LIKE '22%' OR SQLSTATE IN ('23514', '23505') THEN
				answer := jsonb_build_object('ok', false, 'role', m.role, 'text',
							     'Sorry: ' || SQLERRM || '.');
			ELSE
				RAISE;
			END IF;
		END;
	END IF;
	IF p_delivery IS NOT NULL THEN
		UPDATE webhook_delivery
		SET outcome = CASE WHEN (answer ->> 'ok')::boolean THEN 'applied' ELSE 'refused' END,
		    detail = jsonb_build_object('user', left(p_user, 64), 'command', p_cmd, 'answer', answer)
		WHERE platform = p_platform AND delivery_id = p_delivery;
	END IF;
	RETURN answer || '{"duplicate": false}';
END $$;

INSERT INTO function_grant (fn, definer, roles) VALUES
	('staff_add', true, '{supervisor}'),
	('staff_list', true, '{supervisor}'),
	('staff_remove', true, '{supervisor}'),
	('staff_platform_conf', true, '{api}'),
	('staff_run', true, '{api}');

-- Alerts are best-effort: they run inside the sale, hold, scan or upload
-- that crossed a rule, so an error on the alert side (an index key too
-- long for a gate's name, a failing outbox alert, a lock timeout) must not
-- abort that work. The EXCEPTION block (a subtransaction) is entered only
-- when a rule fires, never on the ordinary sale. Gate names in alert keys
-- are cut to 200 characters.
CREATE OR REPLACE FUNCTION alert_raise(p_kind text, p_event bigint, p_type bigint, p_gate text, p_severity text,
				       p_message text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	a alert;
	fresh boolean;
	xm xid;
	g text := left(coalesce(p_gate, ''), 200);
BEGIN
	INSERT INTO alert AS x (kind, event_id, type_id, gate, severity, message)
	VALUES (p_kind, p_event, p_type, g, p_severity, left(p_message, 500))
	ON CONFLICT (kind, coalesce(event_id, 0), coalesce(type_id, 0), gate) WHERE acknowledged_at IS NULL
	DO UPDATE SET count = x.count + 1, last_at = now(), message = EXCLUDED.message,
		notices = x.notices + CASE WHEN x.noticed_at < now() - interval '1 minute' THEN 1 ELSE 0 END,
		noticed_at = CASE WHEN x.noticed_at < now() - interval '1 minute' THEN now() ELSE x.noticed_at END
	RETURNING x.xmax INTO xm;
	fresh := xm = '0'::xid;
	SELECT * INTO a FROM alert WHERE kind = p_kind AND coalesce(event_id, 0) = coalesce(p_event, 0)
		AND coalesce(type_id, 0) = coalesce(p_type, 0) AND gate = g AND acknowledged_at IS NULL;
	IF fresh OR a.noticed_at = now() THEN
		PERFORM pg_notify('boxoffice_alert', json_build_object('id', a.id, 'kind', a.kind,
			'severity', a.severity, 'count', a.count, 'message', a.message)::text);
		IF p_kind NOT IN ('sold_out', 'channel_failing') THEN
			PERFORM outbox_alert(a.message, p_event, p_type, NULL);
		END IF;
	END IF;
	RETURN a.id;
EXCEPTION WHEN OTHERS THEN
	RAISE WARNING 'alert %: not raised: %', p_kind, SQLERRM;
	RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION alert_gate_reject(p_event bigint, p_gate text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	g text := left(coalesce(p_gate, ''), 200);
	n integer;
	s alert_setting;
BEGIN
	n := alert_counter_bump('gate_rejects', coalesce(p_event, 0) || '/' || g);
	s := alert_setting_of(p_event, NULL);
	IF s.enabled AND n >= s.reject_burst THEN
		PERFORM alert_raise('gate_rejects', p_event, NULL, g, 'critical',
				    format('Gate %s: %s rejects in a minute', g, n));
	END IF;
EXCEPTION WHEN OTHERS THEN
	RAISE WARNING 'alert gate_rejects: not counted: %', SQLERRM;
END $$;

-- Since 049 a gate's refusals reach the rule through checkin_reject; a
-- gate login calling it directly could raise alerts for any event.
DELETE FROM function_grant WHERE fn = 'alert_gate_reject';

-- Outbound sync fixes (issue 16 review).
--
-- 1. A channel's URL path/query may be its secret (a Slack incoming-webhook
--    URL is the credential; Twilio/Shopify URLs carry account IDs): what
--    clerks read (change_log, channel_health) keeps scheme://host only.
--    Rows already written are redacted once here.
-- 2. outbox_release: a worker stopping cleanly hands its leased rows back.
-- 3. channel_add refuses control characters in credentials and settings and
--    URLs with an empty or bad port; outbox_give_up: a request that cannot
--    be built is dead at once; dead-letter alerts are coalesced, at most one
--    per channel per 5 minutes, with the count.

-- scheme://host[:port] of a URL (no userinfo, path, query or fragment).
CREATE FUNCTION url_origin(p_url text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN p_url IS NULL THEN NULL
		ELSE substring(p_url FROM '^([a-zA-Z][a-zA-Z0-9+.-]*://)(?:[^/?#@]*@)?') ||
		     coalesce(substring(p_url FROM '^[a-zA-Z][a-zA-Z0-9+.-]*://(?:[^/?#@]*@)?([^/?#@]*)'), '') END
$$;

-- Any http(s) URL in a text cut to its origin.
CREATE FUNCTION url_redact(p_text text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT regexp_replace(p_text, '(https?://)(?:[^/?#@[:space:]\]]*@)?([^/?#@[:space:]\]]*)[^[:space:]\]]*',
			      '\1\2', 'gi')
$$;

CREATE OR REPLACE FUNCTION channel_add(p_name text, p_platform text, p_sells text, p_url text, p_credentials text,
			    p_settings jsonb, p_retry_limit integer, p_backoff_ms integer, p_resync_seconds integer)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	c platform_channel;
BEGIN
	IF p_platform NOT IN ('shopify', 'woocommerce', 'square', 'eventbrite', 'webhook', 'slack', 'twilio') THEN
		RAISE EXCEPTION 'platform must be shopify, woocommerce, square, eventbrite, webhook, slack or twilio'
			USING ERRCODE = '22023';
	END IF;
	IF p_name IS NULL OR p_name !~ '^[a-z][a-z0-9_-]{0,39}$' THEN
		RAISE EXCEPTION 'a channel name is a lower-case letter then up to 39 of a-z 0-9 _ -'
			USING ERRCODE = '22023';
	END IF;
	IF p_platform IN ('slack', 'twilio') AND p_sells IS NOT NULL THEN
		RAISE EXCEPTION '% sells nothing: it takes alerts', p_platform USING ERRCODE = '22023';
	END IF;
	IF p_url IS NULL OR p_url !~ '^https?://([^[:space:][:cntrl:]/?#@]*@)?[A-Za-z0-9._~-]+(:[0-9]{1,5})?([/?#][^[:space:][:cntrl:]]*)?$'
	   OR coalesce(substring(p_url FROM '^https?://(?:[^/?#@]*@)?[^/?#:@]+:([0-9]+)')::integer, 1) NOT BETWEEN 1 AND 65535 THEN
		RAISE EXCEPTION 'the URL must be http(s)://host[:port][/path] (no spaces or control characters)'
			USING ERRCODE = '22023';
	END IF;
	IF p_credentials ~ '[[:cntrl:]]' THEN
		RAISE EXCEPTION 'the credentials hold a control character (CR, LF…)' USING ERRCODE = '22023';
	END IF;
	IF p_settings IS NOT NULL AND jsonb_typeof(p_settings) = 'object'
	   AND EXISTS (SELECT 1 FROM jsonb_each_text(p_settings) s WHERE s.key ~ '[[:cntrl:]]' OR s.value ~ '[[:cntrl:]]') THEN
		RAISE EXCEPTION 'a setting holds a control character (CR, LF…)' USING ERRCODE = '22023';
	END IF;
	IF EXISTS (SELECT 1 FROM platform_channel WHERE name = p_name) THEN
		RAISE EXCEPTION 'channel % exists already', p_name USING ERRCODE = 'BX022';
	END IF;
	INSERT INTO platform_channel (name, platform, sales_channel, base_url, credentials, settings,
				      retry_limit, backoff_ms, resync_seconds, last_resync)
	VALUES (p_name, p_platform,
		CASE WHEN p_platform IN ('slack', 'twilio') THEN NULL
		     ELSE coalesce(p_sells, 'web')::sales_channel END,
		p_url, p_credentials, coalesce(p_settings, '{}'), coalesce(p_retry_limit, 10),
		coalesce(p_backoff_ms, 1000), coalesce(p_resync_seconds, 3600), now())
	RETURNING * INTO c;
	-- clerks read change_log: the URL's origin only, never its path
	INSERT INTO change_log (entity, entity_id, action, reason, detail)
	VALUES ('channel', c.id, 'add', boxoffice_reason(),
		channel_json(c) || jsonb_build_object('url', url_origin(c.base_url)));
	RETURN channel_json(c);
END $$;

-- A row goes dead; its channel's staff hear of it, at most once per 5
-- minutes per channel (the alert counts the dead letters since the last).
CREATE FUNCTION outbox_dead(r channel_outbox, c platform_channel, p_error text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	last_alert timestamptz;
	n bigint;
	txt text;
BEGIN
	UPDATE channel_outbox SET state = 'dead', done_at = now(), attempts = attempts + 1,
		last_error = left(coalesce(p_error, 'failed'), 500), lease_owner = NULL, lease_until = NULL
	WHERE id = r.id;
	IF r.kind = 'message' THEN
		RETURN;
	END IF;
	-- one channel's alerts are taken in turn
	PERFORM pg_advisory_xact_lock(43, c.id::integer);
	SELECT max(created_at) INTO last_alert FROM channel_outbox
	WHERE kind = 'message' AND payload ->> 'dead_of' = c.id::text;
	IF last_alert IS NOT NULL AND last_alert > now() - interval '5 minutes' THEN
		RETURN;
	END IF;
	SELECT count(*) INTO n FROM channel_outbox
	WHERE channel_id = c.id AND kind <> 'message' AND done_at > coalesce(last_alert, '-infinity')
	  AND (state = 'dead' OR (state = 'superseded' AND last_error LIKE 'retried as #%'));
	n := greatest(n, 1);
	txt := CASE WHEN n = 1
		THEN format('Channel %s: change #%s (%s) is a dead letter after %s attempts: %s',
			    c.name, r.id, coalesce(r.sku, r.kind), r.attempts + 1, left(coalesce(p_error, 'failed'), 200))
		ELSE format('Channel %s: %s dead letters since %s, the latest change #%s (%s) after %s attempts: %s',
			    c.name, n, coalesce(to_char(last_alert, 'YYYY-MM-DD HH24:MI'), 'the last alert'), r.id,
			    coalesce(r.sku, r.kind), r.attempts + 1, left(coalesce(p_error, 'failed'), 200)) END;
	INSERT INTO channel_outbox (channel_id, kind, event_id, type_id, payload)
	SELECT x.id, 'message', r.event_id, r.type_id,
	       jsonb_build_object('text', left(url_redact(txt), 1000), 'dead_of', c.id)
	FROM platform_channel x
	WHERE x.enabled AND x.platform IN ('slack', 'twilio') AND x.id <> c.id;
	PERFORM pg_notify('boxoffice_outbox', '');
END $$;

CREATE OR REPLACE FUNCTION outbox_complete(p_id bigint, p_owner text, p_ok boolean, p_error text, p_drift jsonb)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	r channel_outbox;
	c platform_channel;
	delay double precision;
	err text := left(url_redact(coalesce(p_error, 'failed')), 500);
BEGIN
	SELECT * INTO r FROM channel_outbox WHERE id = p_id AND state = 'pending' AND lease_owner = p_owner FOR UPDATE;
	IF NOT FOUND THEN
		RETURN jsonb_build_object('id', p_id, 'state', 'lost');
	END IF;
	SELECT * INTO c FROM platform_channel WHERE id = r.channel_id;
	IF p_drift IS NOT NULL AND r.sku IS NOT NULL THEN
		UPDATE platform_channel SET drift = coalesce(drift, '{}') ||
			jsonb_build_object(r.sku, p_drift || jsonb_build_object('at', now()))
		WHERE id = c.id;
	END IF;
	IF p_ok THEN
		UPDATE channel_outbox SET state = 'sent', done_at = now(), attempts = attempts + 1,
			lease_owner = NULL, lease_until = NULL WHERE id = p_id;
		UPDATE platform_channel SET last_success = now(), failures = 0 WHERE id = c.id;
		RETURN jsonb_build_object('id', p_id, 'state', 'sent');
	END IF;
	UPDATE platform_channel SET last_failure = now(), failures = failures + 1, last_error = err WHERE id = c.id;
	IF r.attempts + 1 >= c.retry_limit THEN
		PERFORM outbox_dead(r, c, err);
		RETURN jsonb_build_object('id', p_id, 'state', 'dead');
	END IF;
	delay := least(c.backoff_ms::double precision * power(2, r.attempts), greatest(c.backoff_ms, 600000));
	delay := delay * (1 + random() * 0.25);
	UPDATE channel_outbox SET attempts = attempts + 1, next_at = clock_timestamp() + delay * interval '1 millisecond',
		last_error = err, lease_owner = NULL, lease_until = NULL
	WHERE id = p_id;
	RETURN jsonb_build_object('id', p_id, 'state', 'pending', 'retry_ms', round(delay)::bigint);
END $$;

-- A claimed row whose request cannot be built (a setting missing, a bad
-- value): retrying cannot help, it is dead at once.
CREATE FUNCTION outbox_give_up(p_id bigint, p_owner text, p_error text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	r channel_outbox;
	c platform_channel;
	err text := left(url_redact(coalesce(p_error, 'cannot build the request')), 500);
BEGIN
	SELECT * INTO r FROM channel_outbox WHERE id = p_id AND state = 'pending' AND lease_owner = p_owner FOR UPDATE;
	IF NOT FOUND THEN
		RETURN jsonb_build_object('id', p_id, 'state', 'lost');
	END IF;
	SELECT * INTO c FROM platform_channel WHERE id = r.channel_id;
	UPDATE platform_channel SET last_failure = now(), failures = failures + 1, last_error = err WHERE id = c.id;
	PERFORM outbox_dead(r, c, err);
	RETURN jsonb_build_object('id', p_id, 'state', 'dead');
END $$;

-- A worker stopping cleanly: its rows in flight back to pending (attempts
-- unchanged), so the next serve sends them at once.
CREATE FUNCTION outbox_release(p_owner text) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	UPDATE channel_outbox SET lease_owner = NULL, lease_until = NULL
	WHERE state = 'pending' AND lease_owner = p_owner;
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n > 0 THEN
		PERFORM pg_notify('boxoffice_outbox', '');
	END IF;
	RETURN n;
END $$;

-- The dashboard's health line (clerks read it too: no secrets in it).
CREATE OR REPLACE FUNCTION channel_health() RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('name', s->>'name', 'platform', s->>'platform',
		'enabled', (s->>'enabled')::boolean, 'failures', (s->>'failures')::integer,
		'pending', (s->>'pending')::integer, 'dead', (s->>'dead')::integer,
		'lag_seconds', (s->>'lag_seconds')::numeric, 'last_success', s->'last_success',
		'last_error', to_jsonb(url_redact(s->>'last_error')))), '[]')
	FROM jsonb_array_elements(channel_status()) s
$$;

-- what was written before: redacted once
UPDATE platform_channel SET last_error = url_redact(last_error) WHERE last_error ~* 'https?://';
UPDATE channel_outbox SET last_error = url_redact(last_error) WHERE last_error ~* 'https?://';
UPDATE channel_outbox SET payload = jsonb_set(payload, '{text}', to_jsonb(url_redact(payload ->> 'text')))
WHERE kind = 'message' AND payload ->> 'text' ~* 'https?://';
ALTER TABLE change_log DISABLE TRIGGER change_log_no_update;
UPDATE change_log SET detail = jsonb_set(detail, '{url}', to_jsonb(url_origin(detail ->> 'url')))
WHERE entity = 'channel' AND detail ? 'url' AND jsonb_typeof(detail -> 'url') = 'string';
ALTER TABLE change_log ENABLE TRIGGER change_log_no_update;

INSERT INTO function_grant (fn, definer, roles) VALUES
	('outbox_give_up', true, '{api}'),
	('outbox_release', true, '{api}');

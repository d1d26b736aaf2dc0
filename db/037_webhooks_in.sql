-- Channel connectors, inbound (issue 16, item 1): what Shopify, WooCommerce,
-- Square and Eventbrite tell serve changes our inventory. serve checks the
-- signature over the raw body and turns the platform's JSON into a
-- normalised document (src/core/platform_parse.c); ONE call of
-- webhook_apply() per delivery records it in webhook_delivery and does the
-- inventory work in the same transaction. A duplicate (replayed, or ten at
-- once: the primary key makes the twins wait for the first) answers the
-- first one's outcome and changes nothing.
--
-- The normalised document:
--   {"action": "sell"|"cancel"|"return"|"reconcile"|"count"|"ignore"|"fetch",
--    "order": external order ID, "version": the platform's modification
--    time (reconcile: an older one than applied is ignored),
--    "lines": [{"keys": [SKU, variant ID…], "qty": N}],
--    "up": reconcile may sell (false: it only returns),
--    "api_url": fetch only (Eventbrite), "note": why ignored}
--   sell      a new platform order: its lines sold (once per order; never
--             after the order was cancelled)
--   cancel    what the order took and is not yet returned comes back
--   return    the lines' quantities come back (at most what is left)
--   reconcile the lines are the whole order as it is now: sell or return
--             the difference (WooCommerce status changes, Eventbrite)
--   count     Square's count of a catalog item: a count below what its
--             sales channel has left is what the POS sold; above is drift
--   fetch     Eventbrite's thin ping: recorded 'pending' and fetched by
--             serve's fetch thread, then applied by webhook_fetched()

-- Square signs the notification URL as registered there: kept with its key.
ALTER TABLE platform_secret ADD COLUMN url text CHECK (url ~ '^https?://[^[:space:]]+$');

-- A platform's order as we know it: whether it was cancelled, the newest
-- modification applied.
CREATE TABLE platform_order (
	platform text NOT NULL,
	external_id text NOT NULL CHECK (length(external_id) BETWEEN 1 AND 120),
	cancelled boolean NOT NULL DEFAULT false,
	version text,
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (platform, external_id)
);
-- The orders of ours that a platform's order made (one per type; a partial
-- return refunds one and sells the rest again). What is not yet returned
-- = the settled ones.
CREATE TABLE platform_sale (
	order_id bigint PRIMARY KEY REFERENCES ticket_order (id),
	platform text NOT NULL,
	external_id text NOT NULL,
	type_id bigint NOT NULL,
	FOREIGN KEY (platform, external_id) REFERENCES platform_order (platform, external_id)
);
CREATE INDEX platform_sale_order ON platform_sale (platform, external_id, type_id);
CREATE INDEX webhook_delivery_pending ON webhook_delivery (platform, received_at) WHERE outcome = 'pending';
GRANT SELECT ON platform_order, platform_sale TO boxoffice_supervisor, boxoffice_clerk;

-- ---- secrets ----

CREATE FUNCTION platform_secret_save(p_platform text, p_secret text, p_url text) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
	IF p_platform = 'link' THEN
		RAISE EXCEPTION 'the link secret is made by the database' USING ERRCODE = '22023';
	END IF;
	IF p_platform = 'square' AND p_url IS NULL
	   AND NOT EXISTS (SELECT 1 FROM platform_secret WHERE platform = 'square' AND url IS NOT NULL) THEN
		RAISE EXCEPTION 'square signs its notification URL: give --url as registered at Square'
			USING ERRCODE = '22023';
	END IF;
	IF p_url IS NOT NULL AND p_url !~ '^https?://[^[:space:]]+$' THEN
		RAISE EXCEPTION 'the URL must be http(s)://…' USING ERRCODE = '22023';
	END IF;
	IF length(p_secret) NOT BETWEEN 8 AND 500 THEN
		RAISE EXCEPTION 'a secret has 8 to 500 characters' USING ERRCODE = '22023';
	END IF;
	INSERT INTO platform_secret (platform, secret, url) VALUES (p_platform, p_secret, p_url)
	ON CONFLICT (platform) DO UPDATE SET secret = EXCLUDED.secret,
		url = coalesce(EXCLUDED.url, platform_secret.url), updated_at = now();
	INSERT INTO change_log (entity, action, reason, detail)
	VALUES ('platform', 'secret', 'webhook secret set',
		jsonb_build_object('platform', p_platform, 'url', p_url));
	RETURN (SELECT jsonb_build_object('platform', platform, 'url', url) FROM platform_secret
		WHERE platform = p_platform);
END $$;

-- serve: the secret and (Square) the URL it signs; NULL when none is set.
CREATE FUNCTION webhook_secret(p_platform text) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('secret', secret, 'url', url) FROM platform_secret WHERE platform = p_platform
$$;

-- ---- the mapping ----

CREATE FUNCTION platform_map_set(p_platform text, p_sku text, p_event bigint, p_type bigint, p_remote text)
RETURNS jsonb LANGUAGE plpgsql AS $$
BEGIN
	IF p_platform IS NULL OR p_platform !~ '^[a-z][a-z0-9_]{0,30}$' THEN
		RAISE EXCEPTION 'platform must be a lower-case name' USING ERRCODE = '22023';
	END IF;
	IF p_sku IS NULL OR length(p_sku) NOT BETWEEN 1 AND 200 THEN
		RAISE EXCEPTION 'a SKU has 1 to 200 characters' USING ERRCODE = '22023';
	END IF;
	PERFORM inventory_check_type(p_event, p_type);
	INSERT INTO platform_map (platform, sku, event_id, type_id, remote)
	VALUES (p_platform, p_sku, p_event, p_type, p_remote)
	ON CONFLICT (platform, sku) DO UPDATE SET event_id = EXCLUDED.event_id, type_id = EXCLUDED.type_id,
		remote = EXCLUDED.remote;
	INSERT INTO change_log (entity, action, reason, event_id, type_id, detail)
	VALUES ('platform', 'map', 'platform mapping set', p_event, p_type,
		jsonb_build_object('platform', p_platform, 'sku', p_sku, 'remote', p_remote));
	RETURN jsonb_build_object('platform', p_platform, 'sku', p_sku, 'event', p_event, 'type', p_type,
				  'remote', p_remote);
END $$;

CREATE FUNCTION platform_unmap(p_platform text, p_sku text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	m platform_map;
BEGIN
	DELETE FROM platform_map WHERE platform = p_platform AND sku = p_sku RETURNING * INTO m;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no mapping of % SKU %', p_platform, p_sku USING ERRCODE = 'BX001';
	END IF;
	INSERT INTO change_log (entity, action, reason, event_id, type_id, detail)
	VALUES ('platform', 'unmap', 'platform mapping removed', m.event_id, m.type_id,
		jsonb_build_object('platform', p_platform, 'sku', p_sku));
	RETURN jsonb_build_object('platform', p_platform, 'sku', p_sku, 'event', m.event_id, 'type', m.type_id);
END $$;

CREATE FUNCTION platform_maps(p_platform text) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('platform', m.platform, 'sku', m.sku, 'event', m.event_id,
		'event_name', e.name, 'type', m.type_id, 'type_name', t.name, 'remote', m.remote)
		ORDER BY m.platform, m.sku), '[]')
	FROM platform_map m JOIN ticket_type t ON t.id = m.type_id JOIN event e ON e.id = m.event_id
	WHERE p_platform IS NULL OR m.platform = p_platform
$$;

-- The deliveries, newest first (attention: unmapped, refused, failed).
CREATE FUNCTION webhook_deliveries(p_platform text, p_attention boolean, p_limit integer) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(d.doc ORDER BY d.received_at DESC, d.delivery_id), '[]')
	FROM (SELECT w.received_at, w.delivery_id, jsonb_build_object('platform', w.platform,
		'delivery', w.delivery_id, 'topic', w.topic, 'received_at', w.received_at,
		'outcome', w.outcome, 'detail', w.detail) AS doc
	      FROM webhook_delivery w
	      WHERE (p_platform IS NULL OR w.platform = p_platform)
		AND (NOT p_attention OR w.outcome IN ('unmapped', 'refused', 'failed'))
	      ORDER BY w.received_at DESC, w.delivery_id
	      LIMIT greatest(1, least(coalesce(p_limit, 200), 5000))) d
$$;

-- ---- the work ----

-- Which of our sales channels the platform sells: its enabled
-- platform_channel (the one named after the platform when there are several).
CREATE FUNCTION webhook_channel(p_platform text) RETURNS platform_channel LANGUAGE sql STABLE AS $$
	SELECT * FROM platform_channel WHERE platform = p_platform AND enabled
	ORDER BY (name = p_platform) DESC, id LIMIT 1
$$;

-- What the platform's order took of a type and has not returned (tickets).
CREATE FUNCTION webhook_remaining(p_platform text, p_order text, p_type bigint) RETURNS integer
LANGUAGE sql STABLE AS $$
	SELECT coalesce(sum(l.qty), 0)::integer
	FROM platform_sale s JOIN ticket_order o ON o.id = s.order_id JOIN order_line l ON l.order_id = o.id
	WHERE s.platform = p_platform AND s.external_id = p_order AND s.type_id = p_type AND o.status = 'settled'
$$;

-- Sells p_qty tickets of a type for the platform's order (refuses BX020
-- when the seats are gone).
CREATE FUNCTION webhook_sell(p_platform text, p_order text, p_ch sales_channel, p_event bigint, p_type bigint,
			     p_qty integer) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n integer;
	r jsonb;
BEGIN
	INSERT INTO platform_order (platform, external_id) VALUES (p_platform, p_order) ON CONFLICT DO NOTHING;
	SELECT count(*) + 1 INTO n FROM platform_sale
	WHERE platform = p_platform AND external_id = p_order AND type_id = p_type;
	r := inventory_sell(p_event, p_type, p_qty, p_ch, 'card', NULL, NULL, NULL, NULL,
			    left(p_platform || ':' || p_order, 170) || ':' || p_type || ':' || n,
			    p_platform || ' order ' || p_order);
	INSERT INTO platform_sale (order_id, platform, external_id, type_id)
	VALUES ((r ->> 'id')::bigint, p_platform, p_order, p_type);
	RETURN (r ->> 'id')::bigint;
END $$;

-- Returns up to p_qty tickets of a type that the platform's order took and
-- has not returned; the number returned. An order of ours returned in part
-- is refunded and the rest sold again in the same transaction (the
-- counter's orders have no partial refund).
CREATE FUNCTION webhook_return(p_platform text, p_order text, p_type bigint, p_qty integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	o record;
	k integer := p_qty;
	done integer := 0;
BEGIN
	FOR o IN SELECT t.id, t.event_id, t.channel, l.qty
		 FROM platform_sale s JOIN ticket_order t ON t.id = s.order_id JOIN order_line l ON l.order_id = t.id
		 WHERE s.platform = p_platform AND s.external_id = p_order AND s.type_id = p_type
		   AND t.status = 'settled'
		 ORDER BY t.id DESC FOR NO KEY UPDATE OF t
	LOOP
		EXIT WHEN k <= 0;
		PERFORM order_set_status(o.id, 'refunded', NULL, NULL, p_platform || ' order ' || p_order || ' returned');
		IF o.qty > k THEN
			PERFORM webhook_sell(p_platform, p_order, o.channel, o.event_id, p_type, o.qty - k);
			done := done + k;
			k := 0;
		ELSE
			done := done + o.qty;
			k := k - o.qty;
		END IF;
	END LOOP;
	RETURN done;
END $$;

-- The first mapped key of a line: its map row, or NULL.
CREATE FUNCTION webhook_map(p_platform text, p_keys jsonb) RETURNS platform_map LANGUAGE sql STABLE AS $$
	SELECT m.* FROM jsonb_array_elements_text(coalesce(p_keys, '[]')) WITH ORDINALITY AS k(sku, i)
	JOIN platform_map m ON m.platform = p_platform AND m.sku = k.sku
	ORDER BY k.i LIMIT 1
$$;

-- Does what the document says; returns {"outcome", "detail"}. Raises BX020
-- when a sale cannot be covered (the caller records 'refused').
CREATE FUNCTION webhook_work(p_platform text, p_doc jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	act text := p_doc ->> 'action';
	ext text := left(p_doc ->> 'order', 120);
	ch platform_channel := webhook_channel(p_platform);
	po platform_order;
	line jsonb;
	m platform_map;
	qty integer;
	want jsonb := '{}';   -- type → {"event", "qty"}
	unmapped jsonb := '[]';
	changes jsonb := '[]';
	drift jsonb := '[]';
	ty text;
	have integer;
	left_now integer;
	n integer;
	spt integer;
	ver text := p_doc ->> 'version';
BEGIN
	IF act = 'ignore' THEN
		RETURN jsonb_build_object('outcome', 'ignored', 'detail', jsonb_build_object('note', p_doc -> 'note'));
	END IF;
	IF ch.id IS NULL THEN
		RETURN jsonb_build_object('outcome', 'failed', 'detail', jsonb_build_object('error',
			'no enabled ' || p_platform || ' channel (platform_channel): which of our channels does it sell?'));
	END IF;
	IF act IN ('sell', 'cancel', 'return', 'reconcile') AND (ext IS NULL OR ext = '') THEN
		RAISE EXCEPTION 'the delivery names no order' USING ERRCODE = '22023';
	END IF;
	-- the lines, mapped and summed per type
	FOR line IN SELECT * FROM jsonb_array_elements(coalesce(p_doc -> 'lines', '[]')) LOOP
		qty := CASE WHEN jsonb_typeof(line -> 'qty') = 'number' THEN (line ->> 'qty')::numeric::integer END;
		IF qty IS NULL OR qty < 0 OR qty > 10000 THEN
			RAISE EXCEPTION 'a line''s quantity must be 0 to 10000' USING ERRCODE = '22023';
		END IF;
		m := webhook_map(p_platform, line -> 'keys');
		IF m.sku IS NULL THEN
			unmapped := unmapped || jsonb_build_array(coalesce(line -> 'keys' -> 0, 'null'));
			CONTINUE;
		END IF;
		IF act = 'count' THEN
			-- last count of an item wins
			want := want || jsonb_build_object(m.type_id::text, jsonb_build_object('event', m.event_id,
				'qty', qty, 'sku', m.sku));
		ELSE
			want := want || jsonb_build_object(m.type_id::text, jsonb_build_object('event', m.event_id,
				'qty', coalesce((want -> m.type_id::text ->> 'qty')::integer, 0) + qty));
		END IF;
	END LOOP;
	PERFORM set_config('boxoffice.api_key', 'webhook:' || p_platform, true);

	IF act IN ('sell', 'cancel', 'return', 'reconcile') THEN
		INSERT INTO platform_order (platform, external_id) VALUES (p_platform, ext) ON CONFLICT DO NOTHING;
		SELECT * INTO po FROM platform_order WHERE platform = p_platform AND external_id = ext FOR UPDATE;
	END IF;

	IF act = 'sell' THEN
		IF po.cancelled OR EXISTS (SELECT 1 FROM platform_sale WHERE platform = p_platform AND external_id = ext) THEN
			RETURN jsonb_build_object('outcome', 'ignored', 'detail', jsonb_build_object('order', ext,
				'note', CASE WHEN po.cancelled THEN 'the order was cancelled before' ELSE 'sold before' END,
				'unmapped', unmapped));
		END IF;
		FOR ty IN SELECT k FROM jsonb_object_keys(want) k ORDER BY k::bigint LOOP
			qty := (want -> ty ->> 'qty')::integer;
			CONTINUE WHEN qty = 0;
			PERFORM webhook_sell(p_platform, ext, ch.sales_channel, (want -> ty ->> 'event')::bigint,
					     ty::bigint, qty);
			changes := changes || jsonb_build_object('type', ty::bigint, 'sold', qty);
		END LOOP;
	ELSIF act = 'cancel' THEN
		UPDATE platform_order SET cancelled = true WHERE platform = p_platform AND external_id = ext;
		FOR ty IN SELECT DISTINCT type_id::text FROM platform_sale
			  WHERE platform = p_platform AND external_id = ext ORDER BY 1 LOOP
			n := webhook_return(p_platform, ext, ty::bigint, 1000000);
			IF n > 0 THEN
				changes := changes || jsonb_build_object('type', ty::bigint, 'returned', n);
			END IF;
		END LOOP;
	ELSIF act = 'return' THEN
		FOR ty IN SELECT k FROM jsonb_object_keys(want) k ORDER BY k::bigint LOOP
			qty := (want -> ty ->> 'qty')::integer;
			CONTINUE WHEN qty = 0;
			n := webhook_return(p_platform, ext, ty::bigint, qty);
			IF n > 0 THEN
				changes := changes || jsonb_build_object('type', ty::bigint, 'returned', n, 'asked', qty);
			END IF;
		END LOOP;
	ELSIF act = 'reconcile' THEN
		IF ver IS NOT NULL AND po.version IS NOT NULL AND ver < po.version THEN
			RETURN jsonb_build_object('outcome', 'ignored', 'detail', jsonb_build_object('order', ext,
				'note', 'older than what was applied', 'version', ver, 'applied', po.version));
		END IF;
		IF ver IS NOT NULL THEN
			UPDATE platform_order SET version = ver WHERE platform = p_platform AND external_id = ext;
		END IF;
		-- types sold before and no longer in the order are wanted 0
		FOR ty IN SELECT DISTINCT type_id::text FROM platform_sale
			  WHERE platform = p_platform AND external_id = ext LOOP
			IF NOT want ? ty THEN
				want := want || jsonb_build_object(ty, jsonb_build_object('event', NULL, 'qty', 0));
			END IF;
		END LOOP;
		FOR ty IN SELECT k FROM jsonb_object_keys(want) k ORDER BY k::bigint LOOP
			qty := (want -> ty ->> 'qty')::integer;
			have := webhook_remaining(p_platform, ext, ty::bigint);
			IF qty > have AND coalesce((p_doc ->> 'up')::boolean, false) THEN
				PERFORM webhook_sell(p_platform, ext, ch.sales_channel, (want -> ty ->> 'event')::bigint,
						     ty::bigint, qty - have);
				changes := changes || jsonb_build_object('type', ty::bigint, 'sold', qty - have);
			ELSIF qty < have THEN
				n := webhook_return(p_platform, ext, ty::bigint, have - qty);
				changes := changes || jsonb_build_object('type', ty::bigint, 'returned', n);
			END IF;
		END LOOP;
	ELSIF act = 'count' THEN
		FOR ty IN SELECT k FROM jsonb_object_keys(want) k ORDER BY k::bigint LOOP
			qty := (want -> ty ->> 'qty')::integer;
			-- the type's row first: no sale of ours slips in between
			SELECT seats_per_ticket INTO spt FROM ticket_type WHERE id = ty::bigint FOR NO KEY UPDATE;
			SELECT available / spt INTO left_now FROM inventory_view
			WHERE type_id = ty::bigint AND channel IS NOT DISTINCT FROM
				CASE WHEN inventory_uses_quota(ty::bigint, ch.sales_channel) THEN ch.sales_channel END;
			IF qty < left_now THEN
				PERFORM webhook_sell(p_platform, 'count:' || left(coalesce(p_doc ->> 'event_id', ''), 100),
						     ch.sales_channel, (want -> ty ->> 'event')::bigint, ty::bigint,
						     left_now - qty);
				changes := changes || jsonb_build_object('type', ty::bigint, 'sold', left_now - qty,
					'count', qty);
			ELSIF qty > left_now THEN
				drift := drift || jsonb_build_object('type', ty::bigint, 'sku', want -> ty -> 'sku',
					'theirs', qty, 'ours', left_now);
			END IF;
		END LOOP;
	ELSE
		RAISE EXCEPTION 'unknown action %', act USING ERRCODE = '22023';
	END IF;
	RETURN jsonb_build_object('outcome', CASE WHEN jsonb_array_length(unmapped) > 0 THEN 'unmapped'
				  WHEN jsonb_array_length(changes) = 0 AND jsonb_array_length(drift) = 0 THEN 'ignored'
				  ELSE 'applied' END,
		'detail', jsonb_strip_nulls(jsonb_build_object('order', ext, 'changes', changes,
			'unmapped', CASE WHEN jsonb_array_length(unmapped) > 0 THEN unmapped END,
			'drift', CASE WHEN jsonb_array_length(drift) > 0 THEN drift END,
			'note', CASE WHEN jsonb_array_length(changes) = 0 AND jsonb_array_length(drift) = 0
				     AND jsonb_array_length(unmapped) = 0 THEN 'nothing to change' END)));
END $$;

-- webhook_work in a subtransaction: a sale we cannot cover is 'refused'
-- (nothing of the delivery applied, the platform is answered 200 so it
-- stops retrying; a supervisor sees it).
CREATE FUNCTION webhook_work_safe(p_platform text, p_doc jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	msg text;
BEGIN
	BEGIN
		RETURN webhook_work(p_platform, p_doc);
	EXCEPTION WHEN SQLSTATE 'BX020' OR SQLSTATE 'BX021' THEN
		GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
		RETURN jsonb_build_object('outcome', 'refused', 'detail', jsonb_build_object('order', p_doc -> 'order',
			'error', msg, 'lines', p_doc -> 'lines'));
	END;
END $$;

-- ONE call per delivery. Returns {"outcome", "detail", "duplicate"}.
CREATE FUNCTION webhook_apply(p_platform text, p_delivery text, p_topic text, p_doc jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	d webhook_delivery;
	r jsonb;
	ch platform_channel;
	base text;
	url text := p_doc ->> 'api_url';
BEGIN
	IF p_platform NOT IN ('shopify', 'woocommerce', 'square', 'eventbrite') THEN
		RAISE EXCEPTION 'no webhooks from %', p_platform USING ERRCODE = '22023';
	END IF;
	IF p_delivery IS NULL OR length(p_delivery) NOT BETWEEN 1 AND 300 THEN
		RAISE EXCEPTION 'the delivery has no usable ID' USING ERRCODE = '22023';
	END IF;
	IF jsonb_typeof(p_doc) IS DISTINCT FROM 'object' THEN
		RAISE EXCEPTION 'the document must be an object' USING ERRCODE = '22023';
	END IF;
	IF p_doc ->> 'action' = 'fetch' THEN
		-- Eventbrite is unsigned: fetch only under the channel's API base
		ch := webhook_channel(p_platform);
		base := rtrim(ch.base_url, '/') || '/';
		IF ch.id IS NULL OR ch.base_url IS NULL OR url IS NULL OR left(url, length(base)) <> base
		   OR substr(url, length(base) + 1) !~ '^orders/[0-9]{1,30}/?$' THEN
			RAISE EXCEPTION 'api_url is not an order under the eventbrite channel''s API base'
				USING ERRCODE = '22023';
		END IF;
	END IF;
	INSERT INTO webhook_delivery (platform, delivery_id, topic, outcome, detail)
	VALUES (p_platform, p_delivery, left(p_topic, 100), 'pending',
		CASE WHEN p_doc ->> 'action' = 'fetch'
		     THEN jsonb_build_object('api_url', url, 'action', p_doc -> 'topic', 'up', p_doc -> 'up',
					     'attempts', 0)
		     ELSE '{}' END)
	ON CONFLICT DO NOTHING;
	IF NOT FOUND THEN
		SELECT * INTO d FROM webhook_delivery WHERE platform = p_platform AND delivery_id = p_delivery;
		RETURN jsonb_build_object('outcome', d.outcome, 'detail', d.detail, 'duplicate', true);
	END IF;
	IF p_doc ->> 'action' = 'fetch' THEN
		PERFORM pg_notify('boxoffice_webhook_fetch', p_platform);
		RETURN jsonb_build_object('outcome', 'pending', 'detail', jsonb_build_object('api_url', url),
					  'duplicate', false);
	END IF;
	r := webhook_work_safe(p_platform, p_doc);
	UPDATE webhook_delivery SET outcome = r ->> 'outcome', detail = r -> 'detail'
	WHERE platform = p_platform AND delivery_id = p_delivery;
	RETURN r || jsonb_build_object('duplicate', false);
END $$;

-- ---- Eventbrite: fetched later ----

-- The pending deliveries due for a fetch, with what the fetch needs.
CREATE FUNCTION webhook_due(p_platform text) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('base_url', c.base_url, 'token', c.credentials,
		'timeout_ms', coalesce((c.settings ->> 'fetch_timeout_ms')::integer, 10000),
		'due', coalesce((SELECT jsonb_agg(jsonb_build_object('delivery', w.delivery_id, 'api_url',
				w.detail ->> 'api_url', 'action', w.detail ->> 'action', 'up', w.detail -> 'up')
				ORDER BY w.received_at)
			FROM (SELECT * FROM webhook_delivery w
			      WHERE w.platform = p_platform AND w.outcome = 'pending'
				AND coalesce((w.detail ->> 'next_at')::timestamptz, '-infinity') <= now()
			      ORDER BY w.received_at LIMIT 20) w), '[]'))
	FROM webhook_channel(p_platform) c WHERE c.id IS NOT NULL
$$;

-- The fetch's result: p_doc (a normalised document) applied and the
-- delivery marked done in one transaction, or p_error: tried again later
-- (backoff_ms · 2^attempts, at most 5 minutes), 'failed' after retry_limit.
CREATE FUNCTION webhook_fetched(p_platform text, p_delivery text, p_doc jsonb, p_error text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	d webhook_delivery;
	ch platform_channel := webhook_channel(p_platform);
	n integer;
	r jsonb;
BEGIN
	SELECT * INTO d FROM webhook_delivery WHERE platform = p_platform AND delivery_id = p_delivery FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no delivery %', p_delivery USING ERRCODE = 'BX001';
	END IF;
	IF d.outcome <> 'pending' THEN
		RETURN jsonb_build_object('outcome', d.outcome, 'detail', d.detail, 'duplicate', true);
	END IF;
	IF p_error IS NOT NULL THEN
		n := coalesce((d.detail ->> 'attempts')::integer, 0) + 1;
		UPDATE webhook_delivery SET
			outcome = CASE WHEN n >= coalesce(ch.retry_limit, 10) THEN 'failed' ELSE 'pending' END,
			detail = detail || jsonb_build_object('attempts', n, 'error', left(p_error, 300),
				'next_at', now() + least(300000, coalesce(ch.backoff_ms, 1000)::bigint * (2 ^ least(n - 1, 20))::bigint)
					* interval '1 millisecond')
		WHERE platform = p_platform AND delivery_id = p_delivery
		RETURNING jsonb_build_object('outcome', outcome, 'detail', detail) INTO r;
		RETURN r || jsonb_build_object('duplicate', false);
	END IF;
	r := webhook_work_safe(p_platform, p_doc);
	UPDATE webhook_delivery SET outcome = r ->> 'outcome',
		detail = (r -> 'detail') || jsonb_build_object('api_url', d.detail -> 'api_url',
			'attempts', coalesce((d.detail ->> 'attempts')::integer, 0) + 1)
	WHERE platform = p_platform AND delivery_id = p_delivery;
	RETURN r || jsonb_build_object('duplicate', false);
END $$;

INSERT INTO function_grant (fn, definer, roles) VALUES
	('platform_secret_save', true, '{supervisor}'),
	('webhook_secret', true, '{api}'),
	('platform_map_set', true, '{supervisor}'),
	('platform_unmap', true, '{supervisor}'),
	('platform_maps', true, '{supervisor,clerk}'),
	('webhook_deliveries', true, '{supervisor}'),
	('webhook_apply', true, '{api}'),
	('webhook_due', true, '{api}'),
	('webhook_fetched', true, '{api}');

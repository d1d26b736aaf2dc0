-- Fixes to the inbound webhooks (issue 16, reviewer's findings):
-- * Eventbrite: one delivery row per ORDER ("order <id>", the integer
--   without leading zeros), not per "<api_url> <action>": a new ping for an
--   order whose row is done (applied, failed, ignored, unmapped, refused)
--   sets it pending again with attempts reset, so order.updated works every
--   time and a ping that 404ed before the order existed does not bury the
--   real one. The fetched order is applied as a reconcile (idempotent; an
--   older `changed` is ignored). A ping while the row is pending marks it
--   "again": fetched once more after the fetch under way.
-- * A poison quantity (99999999999, 4294967297, 1.5, "x") is 'refused' with
--   the reason (BX023), recorded and answered 200, never a raw 22003.
-- * An order with unmapped lines lists them whole (not_applied) with what
--   the supervisor must do (action_needed).

CREATE OR REPLACE FUNCTION webhook_work(p_platform text, p_doc jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
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
	not_applied jsonb := '[]';  -- the unmapped lines, whole, for the supervisor
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
		-- numeric first: a poison quantity (99999999999) is refused in
		-- words, not "integer out of range"
		IF jsonb_typeof(line -> 'qty') IS DISTINCT FROM 'number'
		   OR (line ->> 'qty')::numeric NOT BETWEEN 0 AND 10000
		   OR (line ->> 'qty')::numeric <> trunc((line ->> 'qty')::numeric) THEN
			RAISE EXCEPTION 'a line''s quantity must be 0 to 10000, not % (SKU %)',
				left(coalesce(line ->> 'qty', 'none'), 40), left(coalesce(line -> 'keys' ->> 0, '?'), 100)
				USING ERRCODE = 'BX023';
		END IF;
		qty := (line ->> 'qty')::numeric::integer;
		m := webhook_map(p_platform, line -> 'keys');
		IF m.sku IS NULL THEN
			unmapped := unmapped || jsonb_build_array(coalesce(line -> 'keys' -> 0, 'null'));
			not_applied := not_applied || jsonb_build_array(jsonb_build_object('keys', line -> 'keys', 'qty', qty));
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
			'not_applied', CASE WHEN jsonb_array_length(not_applied) > 0 THEN not_applied END,
			'action_needed', CASE WHEN jsonb_array_length(not_applied) > 0 AND jsonb_array_length(changes) > 0
				THEN 'the mapped lines were applied; the lines in not_applied were not: map their SKU and sell them by hand'
				WHEN jsonb_array_length(not_applied) > 0
				THEN 'nothing was applied: the lines in not_applied have no mapping' END,
			'drift', CASE WHEN jsonb_array_length(drift) > 0 THEN drift END,
			'note', CASE WHEN jsonb_array_length(changes) = 0 AND jsonb_array_length(drift) = 0
				     AND jsonb_array_length(unmapped) = 0 THEN 'nothing to change' END)));
END $$;

CREATE OR REPLACE FUNCTION webhook_work_safe(p_platform text, p_doc jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	msg text;
BEGIN
	BEGIN
		RETURN webhook_work(p_platform, p_doc);
	EXCEPTION WHEN SQLSTATE 'BX020' OR SQLSTATE 'BX021' OR SQLSTATE 'BX023' OR SQLSTATE '22003' THEN
		GET STACKED DIAGNOSTICS msg = MESSAGE_TEXT;
		RETURN jsonb_build_object('outcome', 'refused', 'detail', jsonb_build_object('order', p_doc -> 'order',
			'error', msg, 'lines', p_doc -> 'lines'));
	END;
END $$;

CREATE OR REPLACE FUNCTION webhook_apply(p_platform text, p_delivery text, p_topic text, p_doc jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	d webhook_delivery;
	r jsonb;
	ch platform_channel;
	base text;
	url text := p_doc ->> 'api_url';
	oid text;
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
		-- one row per ORDER (integer, no leading zeros), not per string
		-- the sender chose: the fetched order is the truth, so every new
		-- ping fetches it again (a reconcile: idempotent)
		oid := substring(substr(url, length(base) + 1) FROM '^orders/([0-9]+)')::numeric::text;
		url := base || 'orders/' || oid || '/';
		p_delivery := 'order ' || oid;
		UPDATE webhook_delivery SET outcome = 'pending',
			detail = (detail - 'next_at' - 'error') || jsonb_build_object('api_url', url,
				'action', p_doc -> 'topic', 'attempts', 0,
				'up', coalesce((detail ->> 'up')::boolean, false) OR coalesce((p_doc ->> 'up')::boolean, false),
				-- a ping while a fetch may be under way: fetch once more after it
				'again', outcome = 'pending')
		WHERE platform = p_platform AND delivery_id = p_delivery
		RETURNING * INTO d;
		IF FOUND THEN
			PERFORM pg_notify('boxoffice_webhook_fetch', p_platform);
			RETURN jsonb_build_object('outcome', 'pending', 'detail', jsonb_build_object('api_url', url),
						  'duplicate', false);
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

CREATE OR REPLACE FUNCTION webhook_fetched(p_platform text, p_delivery text, p_doc jsonb, p_error text) RETURNS jsonb
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
	-- a ping that came after webhook_due handed this one out: the fetch may
	-- predate it, so the order is fetched once more (reconcile: harmless)
	UPDATE webhook_delivery SET
		outcome = CASE WHEN coalesce((d.detail ->> 'again')::boolean, false) THEN 'pending' ELSE r ->> 'outcome' END,
		detail = (r -> 'detail') || jsonb_build_object('api_url', d.detail -> 'api_url',
			'action', d.detail -> 'action', 'up', d.detail -> 'up', 'again', false,
			'attempts', CASE WHEN coalesce((d.detail ->> 'again')::boolean, false) THEN 0
				    ELSE coalesce((d.detail ->> 'attempts')::integer, 0) + 1 END)
	WHERE platform = p_platform AND delivery_id = p_delivery;
	RETURN r || jsonb_build_object('duplicate', false);
END $$;

-- webhook_due hands a row out: its "again" is cleared, so a ping after this
-- point is seen by webhook_fetched.
CREATE OR REPLACE FUNCTION webhook_due(p_platform text) RETURNS jsonb LANGUAGE plpgsql VOLATILE AS $$
BEGIN
	UPDATE webhook_delivery SET detail = detail || '{"again": false}'
	WHERE platform = p_platform AND outcome = 'pending' AND (detail ->> 'again')::boolean
	  AND coalesce((detail ->> 'next_at')::timestamptz, '-infinity') <= now();
	RETURN (SELECT jsonb_build_object('base_url', c.base_url, 'token', c.credentials,
		'timeout_ms', coalesce((c.settings ->> 'fetch_timeout_ms')::integer, 10000),
		'due', coalesce((SELECT jsonb_agg(jsonb_build_object('delivery', w.delivery_id, 'api_url',
				w.detail ->> 'api_url', 'action', w.detail ->> 'action', 'up', w.detail -> 'up')
				ORDER BY w.received_at)
			FROM (SELECT * FROM webhook_delivery w
			      WHERE w.platform = p_platform AND w.outcome = 'pending'
				AND coalesce((w.detail ->> 'next_at')::timestamptz, '-infinity') <= now()
			      ORDER BY w.received_at LIMIT 20) w), '[]'))
	FROM webhook_channel(p_platform) c WHERE c.id IS NOT NULL);
END $$;

-- serve's sale path, measured (bench/serve.c): api_adjust ended with
-- api_availability, a LANGUAGE sql function PostgreSQL cannot inline (it
-- aggregates), so it was planned afresh on every call (about 1 ms) while
-- the sale still held the type's row lock. As plpgsql its plan is cached
-- per session. The event and type look-ups compared the ID as numeric,
-- which no index serves; now as bigint.
CREATE OR REPLACE FUNCTION api_availability(p_event bigint, p_type bigint) RETURNS jsonb
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT coalesce(jsonb_agg(jsonb_build_object('event', v.event_id, 'type', v.type_id,
		'type_name', v.type_name, 'channel', v.channel, 'capacity', v.capacity, 'sold', v.sold,
		'held', v.held, 'reserved', v.reserved, 'available', v.available)
		ORDER BY v.type_id, v.channel NULLS FIRST), '[]')
	FROM inventory_view v
	WHERE v.event_id = p_event AND (p_type IS NULL OR v.type_id = p_type));
END $$;

CREATE OR REPLACE FUNCTION api_event_id(p jsonb) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
	id bigint;
BEGIN
	IF p IS NULL OR jsonb_typeof(p) = 'null' THEN
		RAISE EXCEPTION 'event is required' USING ERRCODE = '22023';
	END IF;
	IF (jsonb_typeof(p) = 'number' AND p #>> '{}' ~ '^[0-9]{1,18}$')
	   OR (jsonb_typeof(p) = 'string' AND p #>> '{}' ~ '^[0-9]{1,18}$') THEN
		SELECT e.id INTO id FROM event e WHERE e.id = (p #>> '{}')::bigint;
	ELSIF jsonb_typeof(p) = 'string' THEN
		SELECT e.id INTO id FROM event e WHERE lower(e.name) = lower(p #>> '{}');
	ELSE
		RAISE EXCEPTION 'event must be an ID or a name' USING ERRCODE = '22023';
	END IF;
	IF id IS NULL THEN
		RAISE EXCEPTION 'no event %', p #>> '{}' USING ERRCODE = 'BX001';
	END IF;
	RETURN id;
END $$;

CREATE OR REPLACE FUNCTION api_type_id(p_event bigint, p jsonb) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
	id bigint;
BEGIN
	IF p IS NULL OR jsonb_typeof(p) = 'null' THEN
		RAISE EXCEPTION 'type is required' USING ERRCODE = '22023';
	END IF;
	IF (jsonb_typeof(p) = 'number' AND p #>> '{}' ~ '^[0-9]{1,18}$')
	   OR (jsonb_typeof(p) = 'string' AND p #>> '{}' ~ '^[0-9]{1,18}$') THEN
		SELECT t.id INTO id FROM ticket_type t WHERE t.id = (p #>> '{}')::bigint AND t.event_id = p_event;
	ELSIF jsonb_typeof(p) = 'string' THEN
		SELECT t.id INTO id FROM ticket_type t WHERE lower(t.name) = lower(p #>> '{}') AND t.event_id = p_event;
	ELSE
		RAISE EXCEPTION 'type must be an ID or a name' USING ERRCODE = '22023';
	END IF;
	IF id IS NULL THEN
		RAISE EXCEPTION 'event % has no ticket type %', p_event, p #>> '{}' USING ERRCODE = 'BX001';
	END IF;
	RETURN id;
END $$;

-- The type's row is locked from the sale's take until COMMIT; nothing
-- else may run in between (serve reads the new availability after COMMIT,
-- in a statement of its own, and adds it to the answer).
CREATE OR REPLACE FUNCTION api_adjust(p_key bigint, p_body jsonb, p_idem text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	k api_key := api_begin(p_key);
	body jsonb := coalesce(p_body, '{}') - 'idempotency_key';
	prev jsonb;
	op text;
	ev bigint;
	ty bigint;
	ch sales_channel;
	qty bigint;
	ttl bigint;
	ref text;
	reason text;
	payment payment_method;
	hid bigint;
	oid bigint;
	r jsonb;
BEGIN
	IF k.channel IS NULL THEN
		RAISE EXCEPTION 'an % key cannot change inventory', k.app USING ERRCODE = '42501';
	END IF;
	IF jsonb_typeof(body) <> 'object' THEN
		RAISE EXCEPTION 'the request must be a JSON object' USING ERRCODE = '22023';
	END IF;
	IF p_idem IS NOT NULL THEN
		IF length(p_idem) NOT BETWEEN 1 AND 150 THEN
			RAISE EXCEPTION 'an idempotency key has 1 to 150 characters' USING ERRCODE = '22023';
		END IF;
		prev := idempotency_begin('api:' || k.id || ':' || p_idem, 'api_adjust', body);
		IF prev IS NOT NULL THEN
			RETURN prev;
		END IF;
	END IF;
	op := api_text(body, 'op', 20);
	IF op IS NULL OR op NOT IN ('hold', 'confirm', 'release', 'sell', 'cancel', 'refund', 'adjust') THEN
		RAISE EXCEPTION 'op must be one of hold, confirm, release, sell, cancel, refund, adjust'
			USING ERRCODE = '22023';
	END IF;
	BEGIN
		ch := coalesce(api_text(body, 'channel', 20), k.channel::text)::sales_channel;
	EXCEPTION WHEN invalid_text_representation THEN
		RAISE EXCEPTION 'channel must be one of web, pos, ota, reseller' USING ERRCODE = '22023';
	END;
	IF ch <> k.channel THEN
		RAISE EXCEPTION 'this key sells for the % channel, not %', k.channel, ch USING ERRCODE = '42501';
	END IF;
	ref := api_text(body, 'reference', 200);
	reason := coalesce(ref, op) || ' via ' || k.name;
	BEGIN
		payment := coalesce(api_text(body, 'payment', 20), 'card')::payment_method;
	EXCEPTION WHEN invalid_text_representation THEN
		RAISE EXCEPTION 'payment must be one of invoice, card, sponsored, free' USING ERRCODE = '22023';
	END;
	IF payment IN ('sponsored', 'free') THEN
		RAISE EXCEPTION 'a sales channel cannot give tickets away (% orders are made at the box office)',
			payment USING ERRCODE = '42501';
	END IF;
	IF op IN ('confirm', 'release') THEN
		hid := api_int(body, 'hold', NULL);
		IF hid IS NULL AND ref IS NULL THEN
			RAISE EXCEPTION '% needs the hold''s id (hold) or its reference', op USING ERRCODE = '22023';
		END IF;
		SELECT h.id, h.event_id, h.type_id INTO hid, ev, ty FROM hold h
		WHERE h.channel = k.channel AND (h.id = hid OR (hid IS NULL AND h.reference = ref))
		ORDER BY (h.status = 'active') DESC, h.id DESC LIMIT 1;
		IF hid IS NULL THEN
			RAISE EXCEPTION 'no hold % on the % channel', coalesce(body ->> 'hold', ref), k.channel
				USING ERRCODE = 'BX001';
		END IF;
		IF op = 'confirm' THEN
			r := hold_confirm(hid, payment, api_text(body, 'company', 200), api_text(body, 'contact', 200),
					  api_text(body, 'email', 254), NULL, ref, reason);
		ELSE
			r := hold_release(hid, reason);
		END IF;
	ELSIF op IN ('cancel', 'refund') THEN
		oid := api_int(body, 'order', NULL);
		IF oid IS NULL AND ref IS NULL THEN
			RAISE EXCEPTION '% needs the order''s id (order) or its reference', op USING ERRCODE = '22023';
		END IF;
		SELECT o.id, o.event_id INTO oid, ev FROM ticket_order o
		WHERE o.channel = k.channel AND (o.id = oid OR (oid IS NULL AND o.external_ref = ref));
		IF oid IS NULL THEN
			RAISE EXCEPTION 'no order % on the % channel', coalesce(body ->> 'order', ref), k.channel
				USING ERRCODE = 'BX001';
		END IF;
		r := order_set_status(oid, CASE op WHEN 'cancel' THEN 'cancelled' ELSE 'refunded' END::order_status,
				      NULL, NULL, reason);
		SELECT min(l.type_id) INTO ty FROM order_line l WHERE l.order_id = oid;
	ELSE
		ev := api_event_id(body -> 'event');
		ty := api_type_id(ev, body -> 'type');
		qty := api_int(body, 'qty', NULL);
		IF qty IS NULL THEN
			RAISE EXCEPTION 'qty is required' USING ERRCODE = '22023';
		END IF;
		IF op = 'hold' THEN
			ttl := api_int(body, 'ttl', 900);
			r := inventory_hold(ev, ty, qty::integer, ttl::integer, ch, NULL, reason);
			UPDATE hold SET reference = ref WHERE id = (r ->> 'id')::bigint;
		ELSIF op = 'sell' THEN
			r := inventory_sell(ev, ty, qty::integer, ch, payment, api_text(body, 'company', 200),
					    api_text(body, 'contact', 200), api_text(body, 'email', 254), NULL, ref, reason);
		ELSE
			-- adjust: qty is the change of what can be sold (negative
			-- reserves seats away from sale, positive gives them back)
			r := inventory_adjust(ev, ty, qty::integer, reason, NULL);
		END IF;
	END IF;
	-- The availability is read by the caller after COMMIT: read here, it
	-- lengthened the time every seller of the type waits on its row.
	r := jsonb_build_object('op', op, 'result', r, 'event', ev, 'type', ty);
	IF p_idem IS NOT NULL THEN
		PERFORM idempotency_end('api:' || k.id || ':' || p_idem, r);
	END IF;
	RETURN r;
END $$;

-- 035_serve_key_owns.sql: a key confirms, releases, cancels and refunds
-- only the holds and orders it made itself. Before, the channel alone was
-- checked: any web key (a partner's) could cancel or refund the orders
-- customers placed on the public page, and each other's, by counting
-- order IDs. Each hold and order made through serve remembers its key
-- (api_begin says which in the GUC boxoffice.api_key_id; a trigger stamps
-- it); rows made before this migration or elsewhere have none and are
-- the box office's to change.
ALTER TABLE hold ADD COLUMN api_key_id bigint REFERENCES api_key (id);
ALTER TABLE ticket_order ADD COLUMN api_key_id bigint REFERENCES api_key (id);

CREATE OR REPLACE FUNCTION api_begin(p_key bigint) RETURNS api_key LANGUAGE plpgsql AS $$
DECLARE
	k api_key;
BEGIN
	SELECT * INTO k FROM api_key WHERE id = p_key;
	IF NOT FOUND OR k.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'the API key is unknown or revoked' USING ERRCODE = '28000';
	END IF;
	PERFORM set_config('boxoffice.api_key',
		coalesce(k.channel::text, k.app) || ':' || k.name, true);
	PERFORM set_config('boxoffice.api_key_id', k.id::text, true);
	RETURN k;
END $$;

CREATE FUNCTION api_key_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.api_key_id := nullif(current_setting('boxoffice.api_key_id', true), '')::bigint;
	RETURN NEW;
END $$;
CREATE TRIGGER hold_api_key BEFORE INSERT ON hold FOR EACH ROW EXECUTE FUNCTION api_key_stamp();
CREATE TRIGGER ticket_order_api_key BEFORE INSERT ON ticket_order FOR EACH ROW EXECUTE FUNCTION api_key_stamp();

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
		WHERE h.channel = k.channel AND h.api_key_id = k.id AND (h.id = hid OR (hid IS NULL AND h.reference = ref))
		ORDER BY (h.status = 'active') DESC, h.id DESC LIMIT 1;
		IF hid IS NULL THEN
			RAISE EXCEPTION 'no hold % made with key %', coalesce(body ->> 'hold', ref), k.name
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
		WHERE o.channel = k.channel AND o.api_key_id = k.id AND (o.id = oid OR (oid IS NULL AND o.external_ref = ref));
		IF oid IS NULL THEN
			RAISE EXCEPTION 'no order % made with key %', coalesce(body ->> 'order', ref), k.name
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

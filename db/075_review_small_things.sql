-- 075: small things a hostile review of the CLI and serve found.
--
-- 1. "order 7 is requested: a invoice order cannot become refunded": the
--    article follows the payment's word (an invoice order, a card order).
CREATE OR REPLACE FUNCTION ticket_order_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.event_id <> OLD.event_id OR NEW.payment <> OLD.payment
	   OR NEW.quantity <> OLD.quantity OR NEW.net_cents <> OLD.net_cents
	   OR NEW.vat_cents <> OLD.vat_cents THEN
		RAISE EXCEPTION 'order %: event, payment, quantity and amounts cannot change', OLD.id
			USING ERRCODE = 'BX002';
	END IF;
	IF NEW.status <> OLD.status THEN
		IF NOT EXISTS (SELECT 1 FROM order_transition
			       WHERE payment = OLD.payment AND from_status = OLD.status
				 AND to_status = NEW.status) THEN
			RAISE EXCEPTION 'order % is %: % % order cannot become %', OLD.id, OLD.status,
				CASE OLD.payment WHEN 'invoice' THEN 'an' ELSE 'a' END, OLD.payment, NEW.status
				USING ERRCODE = 'BX002';
		END IF;
		-- Leaving settled voids the tickets (the AFTER trigger does it).
		IF OLD.status = 'settled' THEN
			NEW.tickets_issued := 0;
		END IF;
	END IF;
	NEW.version := OLD.version + 1;
	NEW.updated_at := now();
	RETURN NEW;
END $$;

CREATE OR REPLACE FUNCTION order_set_status(p_order bigint, p_to order_status, p_version integer,
				 p_payment_ref text, p_reason text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	o ticket_order;
	l record;
	inv integer;
BEGIN
	PERFORM set_config('boxoffice.reason', coalesce(p_reason, p_to::text), true);
	SELECT * INTO o FROM ticket_order WHERE id = p_order FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'order % does not exist', p_order USING ERRCODE = 'BX021';
	END IF;
	IF p_version IS NOT NULL AND o.version <> p_version THEN
		RAISE EXCEPTION 'order % changed since you opened it', p_order USING ERRCODE = 'BX004';
	END IF;
	IF o.status = p_to THEN
		RAISE EXCEPTION 'order % is % already', p_order, p_to USING ERRCODE = 'BX002';
	END IF;
	IF NOT EXISTS (SELECT 1 FROM order_transition WHERE payment = o.payment
		       AND from_status = o.status AND to_status = p_to) THEN
		RAISE EXCEPTION 'order % is %: % % order cannot become %', p_order, o.status,
			CASE o.payment WHEN 'invoice' THEN 'an' ELSE 'a' END, o.payment, p_to
			USING ERRCODE = 'BX002';
	END IF;
	IF p_to = 'invoice_sent' THEN
		UPDATE event SET last_invoice_no = last_invoice_no + 1 WHERE id = o.event_id
		RETURNING last_invoice_no INTO inv;
		UPDATE ticket_order SET status = p_to, invoice_no = inv WHERE id = p_order;
	ELSIF p_to = 'settled' THEN
		UPDATE ticket_order SET status = p_to, payment_ref = coalesce(p_payment_ref, payment_ref)
		WHERE id = p_order;
		PERFORM order_generate_tickets(p_order);
	ELSE
		UPDATE ticket_order SET status = p_to WHERE id = p_order;
		IF p_to IN ('cancelled', 'refunded') THEN
			FOR l IN SELECT ol.type_id, ol.channel, ol.from_quota, ol.qty * t.seats_per_ticket AS seats
				 FROM order_line ol JOIN ticket_type t ON t.id = ol.type_id
				 WHERE ol.order_id = p_order ORDER BY ol.type_id
			LOOP
				PERFORM inventory_apply(l.type_id, l.channel, l.from_quota, -l.seats, 0, 0);
				PERFORM inventory_log(p_to::text, p_order, o.event_id, l.type_id, l.channel,
						      -l.seats, 0, 0, NULL);
			END LOOP;
		END IF;
	END IF;
	RETURN order_result(p_order);
END $$;

-- 2. An event or type ID up to the last bigint (9223372036854775807) is an
--    ID, which may not exist (404); it was taken for a malformed one (400)
--    from 19 digits on. Past the last bigint it is a name, so "no event"
--    too, never an overflow.
CREATE OR REPLACE FUNCTION api_event_id(p jsonb) RETURNS bigint LANGUAGE plpgsql STABLE AS $$
DECLARE
	id bigint;
BEGIN
	IF p IS NULL OR jsonb_typeof(p) = 'null' THEN
		RAISE EXCEPTION 'event is required' USING ERRCODE = '22023';
	END IF;
	IF jsonb_typeof(p) IN ('number', 'string') AND p #>> '{}' ~ '^[0-9]{1,19}$'
	   AND (length(p #>> '{}') < 19 OR p #>> '{}' <= '9223372036854775807' COLLATE "C") THEN
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
	IF jsonb_typeof(p) IN ('number', 'string') AND p #>> '{}' ~ '^[0-9]{1,19}$'
	   AND (length(p #>> '{}') < 19 OR p #>> '{}' <= '9223372036854775807' COLLATE "C") THEN
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

-- 3. The marks that change the direction of text (U+200E, U+200F) are
--    refused with the embeddings, overrides and isolates, as
--    src/core/validate.c refuses them on every other path.
CREATE OR REPLACE FUNCTION api_text(p_body jsonb, p_field text, p_max integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v jsonb := p_body -> p_field;
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
		RETURN NULL;
	END IF;
	IF jsonb_typeof(v) <> 'string' THEN
		RAISE EXCEPTION '% must be a string', p_field USING ERRCODE = '22023';
	END IF;
	IF (v #>> '{}') ~ '[\u0001-\u001f\u007f-\u009f]' THEN
		RAISE EXCEPTION '% contains control characters', p_field USING ERRCODE = '22023';
	END IF;
	IF (v #>> '{}') ~ '[\u200e\u200f\u202a-\u202e\u2066-\u2069]' THEN
		RAISE EXCEPTION '% contains characters that reorder text (bidi overrides)', p_field
			USING ERRCODE = '22023';
	END IF;
	IF length(v #>> '{}') > p_max THEN
		RAISE EXCEPTION '% is longer than % characters', p_field, p_max USING ERRCODE = '22023';
	END IF;
	RETURN v #>> '{}';
END $$;

-- 4. apikey revoke: a key revoked already says so, named by its ID or by
--    its name (by name it said "no API key", as if it had never been); an
--    empty ID or name is a usage error (22023), not a look-up for "".
CREATE OR REPLACE FUNCTION apikey_revoke(p_key text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	k api_key;
BEGIN
	IF btrim(coalesce(p_key, '')) = '' THEN
		RAISE EXCEPTION 'which key? its ID or name is empty' USING ERRCODE = '22023';
	END IF;
	IF p_key ~ '^[0-9]{1,18}$' THEN
		SELECT * INTO k FROM api_key WHERE id = p_key::bigint FOR UPDATE;
	ELSE
		SELECT * INTO k FROM api_key WHERE lower(name) = lower(btrim(p_key)) AND revoked_at IS NULL FOR UPDATE;
		IF NOT FOUND THEN
			SELECT * INTO k FROM api_key WHERE lower(name) = lower(btrim(p_key))
			ORDER BY revoked_at DESC, id DESC LIMIT 1;
		END IF;
	END IF;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'no API key %', p_key USING ERRCODE = 'BX001';
	END IF;
	IF k.revoked_at IS NOT NULL THEN
		RAISE EXCEPTION 'key % (ID %) was revoked already, at %', k.name, k.id,
			to_char(k.revoked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"') USING ERRCODE = 'BX021';
	END IF;
	UPDATE api_key SET revoked_at = now() WHERE id = k.id RETURNING * INTO k;
	INSERT INTO change_log (entity, entity_id, action, reason, channel, detail)
	VALUES ('api_key', k.id, 'revoke', 'api key revoked', k.channel, jsonb_build_object('name', k.name));
	PERFORM pg_notify('boxoffice_apikeys', k.id::text);
	RETURN apikey_json(k);
END $$;

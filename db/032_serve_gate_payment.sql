-- 032_serve_gate_payment.sql: POST /checkin and POST /webhooks/stripe.
--
-- The payment provider says a card checkout will
-- never be paid (Stripe checkout.session.expired, or an asynchronous
-- payment that failed): the order is cancelled at once and its seats go
-- back on sale, instead of waiting for its pay_by (order_payment_expire).
-- Each provider event is applied once (the same idempotency as
-- api_payment_confirmed); an order that is no longer waiting for its
-- payment (settled, cancelled already, or a counter's card order without
-- pay_by) is left as it is and the answer says so.
CREATE FUNCTION api_payment_expired(p_provider text, p_event_id text, p_order bigint)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	prev jsonb := idempotency_begin('payment:' || p_provider || ':' || p_event_id, 'payment_expired',
		jsonb_build_object('order', p_order));
	o ticket_order;
	r jsonb;
BEGIN
	IF prev IS NOT NULL THEN
		RETURN prev;
	END IF;
	PERFORM set_config('boxoffice.api_key', 'payment:' || p_provider, true);
	SELECT * INTO o FROM ticket_order WHERE id = p_order FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'order % does not exist', p_order USING ERRCODE = 'BX001';
	END IF;
	IF o.payment <> 'card' THEN
		RAISE EXCEPTION 'order % is not paid by card', p_order USING ERRCODE = 'BX021';
	END IF;
	IF o.status = 'requested' AND o.pay_by IS NOT NULL THEN
		PERFORM order_set_status(p_order, 'cancelled', NULL, NULL, 'checkout expired at ' || p_provider);
		UPDATE ticket_order SET pay_by = NULL WHERE id = p_order;
		r := jsonb_build_object('order', p_order, 'status', 'cancelled');
	ELSE
		r := jsonb_build_object('order', p_order, 'status', o.status, 'unchanged', true);
	END IF;
	RETURN idempotency_end('payment:' || p_provider || ':' || p_event_id, r);
END $$;

INSERT INTO function_grant (fn, definer, roles) VALUES ('api_payment_expired', true, '{api}');

-- A gate key's scan names the key in its checkin row: the station column
-- (the station that scanned: its application_name) reads
-- "gate:<key name>@<serve's station>", so a scan through POST /checkin is
-- told from one at the screen of a station with the same gate name. Only
-- for this transaction (set_config local).
CREATE OR REPLACE FUNCTION api_checkin(p_key bigint, p_ticket bigint, p_event bigint, p_issue integer)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	k api_key := api_begin(p_key);
BEGIN
	IF k.app IS DISTINCT FROM 'gate' THEN
		RAISE EXCEPTION 'only a gate''s key admits tickets' USING ERRCODE = '42501';
	END IF;
	PERFORM set_config('application_name',
		left('gate:' || k.name || '@' || coalesce(current_setting('application_name', true), ''), 63), true);
	RETURN checkin_scan(p_ticket, p_event, p_issue, k.gate, NULL, false, gen_random_uuid(), NULL, NULL);
END $$;

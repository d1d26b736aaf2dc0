-- 073: a new ticket order's history starts at its beginning. The order's
-- history (Order detail, `order show`, the audit log by order) began with
-- whatever happened next: an invoice order's first status row was
-- "Invoice sent", a counter sale's its "Sell 2 × Adult" inventory row.
-- Now every order the functions make (order_add: the counter's new order,
-- the CLI, POST /orders; order_create: sell, hold confirm, the channels'
-- sales) logs "requested" as it is made: who, which station, when.
--
-- The row comes from the order's own INSERT (a data-modifying WITH), not
-- from a trigger and not from a statement of its own: the sale path
-- (inventory_sell → order_create) is measured (README "Contended sales").
-- What it costs a sale: one change_log row more (its stamp trigger and
-- the log's indexes) and one more firing of the log's statement trigger
-- (its NOTIFY folds into the sale's). Backend CPU of 3,000 card sales in
-- a loop, the old and this order_create taking turns on a loaded 2-core
-- machine: 2.8-4.3 s before, 3.2-3.8 s after: within the noise.
-- An order settled at once (card, sponsored, free at the counter) still
-- logs no "settled" row of its own: a second row would cost as much again.
--
-- Orders made before this migration (and demo data, which is COPYed) keep
-- the history they had; nothing is backfilled.

CREATE OR REPLACE FUNCTION order_create(t ticket_type, p_qty integer, p_channel sales_channel,
			     p_payment payment_method, p_from_quota boolean, p_company text,
			     p_contact text, p_email text, p_external_ref text)
RETURNS jsonb LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
	charged boolean := p_payment IN ('invoice', 'card');
	unit bigint := CASE WHEN charged THEN t.price_cents ELSE 0 END;
	net bigint := unit * p_qty;
	vat bigint := (unit * p_qty * t.vat_bp + 5000) / 10000;
	settled boolean := p_payment <> 'invoice';
	oid bigint;
	lid bigint;
	tickets jsonb := '[]';
BEGIN
	WITH o AS (
		INSERT INTO ticket_order (event_id, company, contact, email, payment, status, channel,
					  station, external_ref, quantity, tickets_issued, net_cents, vat_cents)
		VALUES (t.event_id, coalesce(p_company, ''), coalesce(p_contact, ''), coalesce(p_email, ''),
			p_payment, CASE WHEN settled THEN 'settled' ELSE 'requested' END::order_status,
			p_channel, current_setting('application_name'), p_external_ref, p_qty,
			CASE WHEN settled THEN p_qty ELSE 0 END, net, vat)
		RETURNING id, event_id),
	logged AS (
		INSERT INTO change_log (entity, entity_id, action, reason, event_id, detail)
		SELECT 'order', o.id, 'requested', boxoffice_reason(), o.event_id,
		       jsonb_build_object('to', 'requested', 'payment', p_payment, 'version', 1)
		FROM o)
	SELECT id INTO oid FROM o;
	INSERT INTO order_line (order_id, event_id, type_id, qty, unit_cents, vat_bp, net_cents,
				vat_cents, from_quota, channel)
	VALUES (oid, t.event_id, t.id, p_qty, unit, t.vat_bp, net, vat, p_from_quota, p_channel)
	RETURNING id INTO lid;
	IF settled THEN
		WITH made AS (
			INSERT INTO ticket (order_id, line_id, line_qty, serial, event_id, type_id)
			SELECT oid, lid, p_qty, s, t.event_id, t.id FROM generate_series(1, p_qty) AS s
			RETURNING id)
		SELECT jsonb_agg(id ORDER BY id) INTO tickets FROM made;
	END IF;
	RETURN jsonb_build_object('id', oid, 'status', CASE WHEN settled THEN 'settled' ELSE 'requested' END,
		'version', 1, 'tickets', tickets, 'amount', net + vat, 'vat', vat, 'invoice_no', NULL);
END $$;

CREATE OR REPLACE FUNCTION order_add(p_event bigint, p_lines jsonb, p_payment payment_method,
			  p_company text, p_contact text, p_email text, p_event_org bigint,
			  p_channel sales_channel, p_key text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	prev jsonb;
	charged boolean := p_payment IN ('invoice', 'card');
	l record;
	oid bigint;
	qty_total integer := 0;
	net_total bigint := 0;
	vat_total bigint := 0;
	company text := coalesce(p_company, '');
BEGIN
	IF p_key IS NOT NULL THEN
		prev := idempotency_begin(p_key, 'order_add', jsonb_build_object('event', p_event,
			'lines', p_lines, 'payment', p_payment, 'company', p_company,
			'contact', p_contact, 'email', p_email, 'org', p_event_org, 'channel', p_channel));
		IF prev IS NOT NULL THEN
			RETURN prev;
		END IF;
	END IF;
	PERFORM set_config('boxoffice.reason', 'new ticket order', true);
	IF jsonb_typeof(p_lines) <> 'array' OR jsonb_array_length(p_lines) = 0 THEN
		RAISE EXCEPTION 'an order needs at least one line' USING ERRCODE = 'BX021';
	END IF;
	IF p_event_org IS NOT NULL THEN
		SELECT o.name INTO company FROM event_organization eo JOIN organization o ON o.id = eo.organization_id
		WHERE eo.id = p_event_org AND eo.event_id = p_event;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'event organization % does not belong to event %', p_event_org, p_event
				USING ERRCODE = 'BX021';
		END IF;
		company := coalesce(nullif(p_company, ''), company);
	END IF;
	-- Lines: type, qty; the type must be the event's; one line per type.
	CREATE TEMP TABLE IF NOT EXISTS pg_temp.new_lines (type_id bigint, qty integer) ON COMMIT DROP;
	DELETE FROM pg_temp.new_lines;
	INSERT INTO pg_temp.new_lines
	SELECT (x->>'type')::bigint, (x->>'qty')::integer FROM jsonb_array_elements(p_lines) x;
	IF EXISTS (SELECT 1 FROM pg_temp.new_lines WHERE qty IS NULL OR qty < 1 OR qty > 10000) THEN
		RAISE EXCEPTION 'quantity must be 1 to 10000' USING ERRCODE = 'BX021';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_temp.new_lines GROUP BY type_id HAVING count(*) > 1) THEN
		RAISE EXCEPTION 'one line per ticket type' USING ERRCODE = 'BX021';
	END IF;
	IF EXISTS (SELECT 1 FROM pg_temp.new_lines n LEFT JOIN ticket_type t
		   ON t.id = n.type_id AND t.event_id = p_event WHERE t.id IS NULL) THEN
		RAISE EXCEPTION 'a line names a ticket type that is not of event %', p_event
			USING ERRCODE = 'BX021';
	END IF;
	FOR l IN SELECT n.qty, t.id, t.price_cents, t.vat_bp, t.seats_per_ticket
		 FROM pg_temp.new_lines n JOIN ticket_type t ON t.id = n.type_id LOOP
		qty_total := qty_total + l.qty;
		net_total := net_total + CASE WHEN charged THEN l.price_cents * l.qty ELSE 0 END;
		vat_total := vat_total + CASE WHEN charged
			THEN (l.price_cents * l.qty * l.vat_bp + 5000) / 10000 ELSE 0 END;
	END LOOP;
	WITH o AS (
		INSERT INTO ticket_order (event_id, event_org_id, company, contact, email, payment, status,
					  channel, station, quantity, net_cents, vat_cents)
		VALUES (p_event, p_event_org, company, coalesce(p_contact, ''), coalesce(p_email, ''),
			p_payment, 'requested', p_channel, current_setting('application_name'), qty_total,
			net_total, vat_total)
		RETURNING id, event_id),
	logged AS (
		INSERT INTO change_log (entity, entity_id, action, reason, event_id, detail)
		SELECT 'order', o.id, 'requested', boxoffice_reason(), o.event_id,
		       jsonb_build_object('to', 'requested', 'payment', p_payment, 'version', 1)
		FROM o)
	SELECT id INTO oid FROM o;
	FOR l IN SELECT n.qty, t.id, t.price_cents, t.vat_bp, t.seats_per_ticket,
			inventory_uses_quota(t.id, p_channel) AS from_quota
		 FROM pg_temp.new_lines n JOIN ticket_type t ON t.id = n.type_id ORDER BY t.id LOOP
		INSERT INTO order_line (order_id, event_id, type_id, qty, unit_cents, vat_bp, net_cents,
					vat_cents, from_quota, channel)
		VALUES (oid, p_event, l.id, l.qty, CASE WHEN charged THEN l.price_cents ELSE 0 END,
			l.vat_bp, CASE WHEN charged THEN l.price_cents * l.qty ELSE 0 END,
			CASE WHEN charged THEN (l.price_cents * l.qty * l.vat_bp + 5000) / 10000 ELSE 0 END,
			l.from_quota, p_channel);
		PERFORM inventory_log('order', oid, p_event, l.id, p_channel, l.qty * l.seats_per_ticket,
				      0, 0, jsonb_build_object('qty', l.qty, 'payment', p_payment));
		PERFORM inventory_take(l.id, p_channel, l.from_quota, l.qty * l.seats_per_ticket, 'sold');
	END LOOP;
	RETURN idempotency_end(p_key, order_result(oid));
END $$;

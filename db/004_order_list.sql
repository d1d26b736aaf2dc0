-- 004_order_list.sql: what the Ticket Orders screen needs to feel instant on
-- a million orders: a trigram-indexed search text, one index per sortable
-- column for keyset pagination, and pre-aggregated statistics for the
-- summary grid.

-- Search over company, contact, e-mail and the order's references.
ALTER TABLE ticket_order ADD COLUMN search_text text GENERATED ALWAYS AS (
	lower(company || ' ' || contact || ' ' || email || ' ' || coalesce(external_ref, '') || ' ' ||
	      coalesce(payment_ref, '') || ' #' || id::text)) STORED;
CREATE INDEX ticket_order_search_idx ON ticket_order USING gin (search_text gin_trgm_ops);

-- Keyset pagination: (event, sort column, id) for every sortable column,
-- since a screen always works on one event; (date, id) also across events.
CREATE INDEX ticket_order_ev_company_idx ON ticket_order (event_id, company, id);
CREATE INDEX ticket_order_ev_contact_idx ON ticket_order (event_id, contact, id);
CREATE INDEX ticket_order_ev_date_idx ON ticket_order (event_id, order_date, id);
CREATE INDEX ticket_order_ev_quantity_idx ON ticket_order (event_id, quantity, id);
CREATE INDEX ticket_order_ev_tickets_idx ON ticket_order (event_id, tickets_issued, id);
CREATE INDEX ticket_order_ev_gross_idx ON ticket_order (event_id, gross_cents, id);
CREATE INDEX ticket_order_ev_vat_idx ON ticket_order (event_id, vat_cents, id);
CREATE INDEX ticket_order_ev_payment_idx ON ticket_order (event_id, payment, id);
CREATE INDEX ticket_order_ev_status_idx ON ticket_order (event_id, status, id);
CREATE INDEX ticket_order_date_asc_idx ON ticket_order (order_date, id);
DROP INDEX ticket_order_event_idx;
-- Status, payment and ticket completeness go together (a settled order has
-- its tickets); without this the planner walks a whole sort index looking
-- for "settled with tickets missing", which are rare.
CREATE STATISTICS ticket_order_status_stats (dependencies, mcv)
	ON status, payment, (tickets_issued < quantity) FROM ticket_order;
CREATE INDEX ticket_order_missing_idx ON ticket_order (event_id, status, id)
	WHERE tickets_issued < quantity;
DROP INDEX ticket_order_date_idx;

-- Statistics for the summary grid, by day, status, payment, event and
-- ticket completeness. Changes append deltas (no hot rows in the sale
-- path); order_stats_compact() folds them into order_stats now and then.
CREATE TABLE order_stats (
	order_date date NOT NULL,
	event_id bigint NOT NULL,
	status order_status NOT NULL,
	payment payment_method NOT NULL,
	complete boolean NOT NULL,
	orders bigint NOT NULL,
	tickets bigint NOT NULL,
	amount bigint NOT NULL,
	PRIMARY KEY (order_date, event_id, status, payment, complete)
);

CREATE TABLE order_stats_delta (
	order_date date NOT NULL,
	event_id bigint NOT NULL,
	status order_status NOT NULL,
	payment payment_method NOT NULL,
	complete boolean NOT NULL,
	orders bigint NOT NULL,
	tickets bigint NOT NULL,
	amount bigint NOT NULL
);

-- Orders that exist before this migration.
INSERT INTO order_stats
SELECT order_date, event_id, status, payment, tickets_issued >= quantity,
       count(*), sum(quantity), sum(gross_cents)
FROM ticket_order GROUP BY 1, 2, 3, 4, 5;

CREATE FUNCTION order_stats_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO order_stats_delta
	SELECT order_date, event_id, status, payment, tickets_issued >= quantity,
	       count(*), sum(quantity), sum(gross_cents)
	FROM new_orders GROUP BY 1, 2, 3, 4, 5;
	RETURN NULL;
END $$;
CREATE TRIGGER order_stats_insert AFTER INSERT ON ticket_order
	REFERENCING NEW TABLE AS new_orders
	FOR EACH STATEMENT EXECUTE FUNCTION order_stats_after_insert();

CREATE FUNCTION order_stats_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO order_stats_delta
	SELECT order_date, event_id, status, payment, complete, sum(orders), sum(tickets), sum(amount)
	FROM (SELECT order_date, event_id, status, payment, tickets_issued >= quantity AS complete,
		     -1 AS orders, -quantity AS tickets, -gross_cents AS amount FROM old_orders
	      UNION ALL
	      SELECT order_date, event_id, status, payment, tickets_issued >= quantity,
		     1, quantity, gross_cents FROM new_orders) d
	GROUP BY 1, 2, 3, 4, 5
	HAVING sum(orders) <> 0 OR sum(tickets) <> 0 OR sum(amount) <> 0;
	RETURN NULL;
END $$;
CREATE TRIGGER order_stats_update AFTER UPDATE ON ticket_order
	REFERENCING OLD TABLE AS old_orders NEW TABLE AS new_orders
	FOR EACH STATEMENT EXECUTE FUNCTION order_stats_after_update();

CREATE FUNCTION order_stats_compact() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	n integer;
BEGIN
	IF NOT pg_try_advisory_xact_lock(7412003) THEN
		RETURN 0;
	END IF;
	WITH d AS (DELETE FROM order_stats_delta RETURNING *),
	agg AS (SELECT order_date, event_id, status, payment, complete, sum(orders) AS orders,
		       sum(tickets) AS tickets, sum(amount) AS amount FROM d GROUP BY 1, 2, 3, 4, 5)
	INSERT INTO order_stats SELECT * FROM agg
	ON CONFLICT (order_date, event_id, status, payment, complete) DO UPDATE
	SET orders = order_stats.orders + EXCLUDED.orders,
	    tickets = order_stats.tickets + EXCLUDED.tickets,
	    amount = order_stats.amount + EXCLUDED.amount;
	GET DIAGNOSTICS n = ROW_COUNT;
	DELETE FROM order_stats WHERE orders = 0 AND tickets = 0 AND amount = 0;
	RETURN n;
END $$;

-- Every change to an order reaches the screens (status changes announce
-- themselves already; this covers ticket counts and new orders too).
CREATE FUNCTION ticket_order_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('boxoffice_orders', TG_OP);
	RETURN NULL;
END $$;
CREATE TRIGGER ticket_order_announce AFTER INSERT OR UPDATE ON ticket_order
	FOR EACH STATEMENT EXECUTE FUNCTION ticket_order_announce();

-- A new ticket order from the organizer side: several lines, one payment
-- method, optionally on behalf of an event organization. It starts as
-- requested (the team then invoices or settles it); seats are taken for
-- every line, in type order so two such orders never deadlock.
CREATE FUNCTION order_add(p_event bigint, p_lines jsonb, p_payment payment_method,
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
	INSERT INTO ticket_order (event_id, event_org_id, company, contact, email, payment, status,
				  channel, station, quantity, net_cents, vat_cents)
	VALUES (p_event, p_event_org, company, coalesce(p_contact, ''), coalesce(p_email, ''),
		p_payment, 'requested', p_channel, current_setting('application_name'), qty_total,
		net_total, vat_total)
	RETURNING id INTO oid;
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

-- The "Generate tickets" action: makes the tickets a settled order is missing.
CREATE FUNCTION order_tickets_generate(p_order bigint, p_version integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	v integer;
BEGIN
	PERFORM set_config('boxoffice.reason', 'generate tickets', true);
	SELECT version INTO v FROM ticket_order WHERE id = p_order FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'order % does not exist', p_order USING ERRCODE = 'BX021';
	END IF;
	IF p_version IS NOT NULL AND v <> p_version THEN
		RAISE EXCEPTION 'order % changed since you opened it', p_order USING ERRCODE = 'BX004';
	END IF;
	PERFORM order_generate_tickets(p_order);
	RETURN order_result(p_order);
END $$;

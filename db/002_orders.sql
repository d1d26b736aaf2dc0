-- 002_orders.sql: the order state machine and ticket generation, enforced
-- in the database. src/core/order.c holds the same transition table; a test
-- checks they agree.

CREATE TABLE order_transition (
	payment payment_method NOT NULL,
	from_status order_status NOT NULL,
	to_status order_status NOT NULL,
	PRIMARY KEY (payment, from_status, to_status)
);
INSERT INTO order_transition (payment, from_status, to_status) VALUES
	('invoice', 'requested', 'invoice_sent'),
	('invoice', 'requested', 'cancelled'),
	('invoice', 'invoice_sent', 'settled'),
	('invoice', 'invoice_sent', 'cancelled'),
	('invoice', 'settled', 'refunded'),
	('card', 'requested', 'settled'),
	('card', 'requested', 'cancelled'),
	('card', 'settled', 'refunded'),
	('sponsored', 'requested', 'settled'),
	('sponsored', 'requested', 'cancelled'),
	('sponsored', 'settled', 'cancelled'),
	('free', 'requested', 'settled'),
	('free', 'requested', 'cancelled'),
	('free', 'settled', 'cancelled');

-- The reason a change is made, set by the functions for the log triggers.
CREATE FUNCTION boxoffice_reason() RETURNS text LANGUAGE sql STABLE AS $$
	SELECT coalesce(current_setting('boxoffice.reason', true), '')
$$;

CREATE FUNCTION ticket_order_guard() RETURNS trigger LANGUAGE plpgsql AS $$
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
			RAISE EXCEPTION 'order % is %: a % order cannot become %',
				OLD.id, OLD.status, OLD.payment, NEW.status USING ERRCODE = 'BX002';
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
CREATE TRIGGER ticket_order_guard BEFORE UPDATE ON ticket_order
	FOR EACH ROW EXECUTE FUNCTION ticket_order_guard();

CREATE FUNCTION ticket_order_after_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.status = 'settled' THEN
		UPDATE ticket SET status = 'void' WHERE order_id = NEW.id AND status = 'valid';
	END IF;
	INSERT INTO change_log (entity, entity_id, action, reason, event_id, detail)
	VALUES ('order', NEW.id, NEW.status::text, boxoffice_reason(), NEW.event_id,
		jsonb_build_object('from', OLD.status, 'to', NEW.status, 'version', NEW.version));
	PERFORM pg_notify('boxoffice_orders', json_build_object(
		'order', NEW.id, 'event', NEW.event_id, 'status', NEW.status,
		'version', NEW.version)::text);
	RETURN NULL;
END $$;
CREATE TRIGGER ticket_order_after_status AFTER UPDATE OF status ON ticket_order
	FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION ticket_order_after_status();

-- Valid tickets belong to settled orders only. A statement trigger with a
-- transition table costs one join per INSERT or COPY, not one per row.
CREATE FUNCTION ticket_requires_settled() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM new_tickets n JOIN ticket_order o ON o.id = n.order_id
		   WHERE n.status = 'valid' AND o.status <> 'settled') THEN
		RAISE EXCEPTION 'tickets are generated only from settled orders'
			USING ERRCODE = 'BX003';
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER ticket_requires_settled AFTER INSERT ON ticket
	REFERENCING NEW TABLE AS new_tickets
	FOR EACH STATEMENT EXECUTE FUNCTION ticket_requires_settled();

-- Makes every missing ticket of a settled order, never more than ordered:
-- (line, serial) is unique and serial <= qty, so concurrent or repeated
-- calls cannot add extra tickets. Returns how many it made.
CREATE FUNCTION order_generate_tickets(p_order bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	made integer;
	st order_status;
BEGIN
	SELECT status INTO st FROM ticket_order WHERE id = p_order FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'order % does not exist', p_order USING ERRCODE = 'BX001';
	END IF;
	IF st <> 'settled' THEN
		RAISE EXCEPTION 'order % is %: tickets come from settled orders only', p_order, st
			USING ERRCODE = 'BX003';
	END IF;
	INSERT INTO ticket (order_id, line_id, line_qty, serial, event_id, type_id)
	SELECT l.order_id, l.id, l.qty, s, l.event_id, l.type_id
	FROM order_line l, generate_series(1, l.qty) AS s
	WHERE l.order_id = p_order
	ON CONFLICT (line_id, serial) DO NOTHING;
	GET DIAGNOSTICS made = ROW_COUNT;
	IF made > 0 THEN
		UPDATE ticket_order
		SET tickets_issued = (SELECT count(*) FROM ticket
				      WHERE order_id = p_order AND status = 'valid')
		WHERE id = p_order;
		INSERT INTO change_log (entity, entity_id, action, reason, event_id, detail)
		SELECT 'order', p_order, 'tickets_generated', boxoffice_reason(), event_id,
		       jsonb_build_object('tickets', made)
		FROM ticket_order WHERE id = p_order;
	END IF;
	RETURN made;
END $$;

-- Stations showing events re-read them when one is added or changed.
CREATE FUNCTION notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('boxoffice_events', TG_TABLE_NAME);
	RETURN NULL;
END $$;
CREATE TRIGGER event_notify AFTER INSERT OR UPDATE OR DELETE ON event
	FOR EACH STATEMENT EXECUTE FUNCTION notify_events();
CREATE TRIGGER ticket_type_notify AFTER INSERT OR DELETE ON ticket_type
	FOR EACH STATEMENT EXECUTE FUNCTION notify_events();

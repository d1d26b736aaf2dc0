-- 061_sale_path.sql: contended sales (issue 19). Sixteen sellers of one
-- type sold a quarter of what one hot row allows. A wait-event profile of
-- the sellers (bench/inventory, README "Contended sales") showed why:
--
-- 1. Every sale inserted its order line before taking seats, and the line's
--    foreign key to ticket_type took a KEY SHARE lock on the type row that
--    the other sellers were updating: the row's lock became a MultiXact of
--    every seller in flight (MultiXact SLRU, LockManager and BufferContent
--    waits). The key is now checked by a trigger that reads the type
--    without locking it; a type with order lines cannot be deleted.
-- 2. The work done while the type row is locked (from the UPDATE to COMMIT)
--    included two plpgsql triggers on every sale: alert_on_type read the
--    alert settings and outbox_on_type looked for platform mappings. Both
--    now fire only when they can have something to do, decided by a WHEN
--    clause on columns of the type row kept up to date by triggers:
--    alert_watch (the low-stock threshold in tickets, -1 when alerts are
--    off, NULL for the default tenth of capacity) and channel_mapped.
-- 3. With more sellers than cores, sellers doing their inserts took the CPU
--    from the one holding the row, and every sale waited longer for it.
--    Sellers (and holders) of one type are now admitted a few at a time
--    (inventory_admit: boxoffice.sale_lanes, default 2): the others wait
--    asleep, before doing any work, in a queue.

-- 1. The order line's and the hold's type, checked without a lock on the
-- type row.
ALTER TABLE order_line DROP CONSTRAINT order_line_type_fk;
ALTER TABLE hold DROP CONSTRAINT hold_type_fk;

CREATE FUNCTION order_line_type_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM ticket_type WHERE id = NEW.type_id AND event_id = NEW.event_id;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'ticket type % is not a type of event %', NEW.type_id, NEW.event_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER order_line_type_check BEFORE UPDATE OF type_id, event_id ON order_line
	FOR EACH ROW EXECUTE FUNCTION order_line_type_check();
-- Inserted lines are checked once per statement: a sale's one line costs
-- what a row trigger would, a COPY of a million lines one join.
CREATE FUNCTION order_lines_type_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	bad record;
BEGIN
	SELECT l.type_id, l.event_id INTO bad FROM new_lines l
	WHERE NOT EXISTS (SELECT 1 FROM ticket_type t WHERE t.id = l.type_id AND t.event_id = l.event_id) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'ticket type % is not a type of event %', bad.type_id, bad.event_id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER order_lines_type_check AFTER INSERT ON order_line REFERENCING NEW TABLE AS new_lines
	FOR EACH STATEMENT EXECUTE FUNCTION order_lines_type_check();
CREATE TRIGGER hold_type_check BEFORE INSERT OR UPDATE OF type_id, event_id ON hold
	FOR EACH ROW EXECUTE FUNCTION order_line_type_check();

-- What the foreign keys refused: deleting a type that was ordered or
-- held. Every path that adds an order line or a hold takes seats, so it
-- updates the type row in the same transaction: a delete either waits for
-- that sale and then sees its line, or goes first and the sale finds no
-- row to take seats from.
CREATE FUNCTION ticket_type_delete_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM order_line WHERE type_id = OLD.id)
	   OR EXISTS (SELECT 1 FROM hold WHERE type_id = OLD.id) THEN
		RAISE EXCEPTION 'ticket type % has order lines or holds and cannot be deleted', OLD.id
			USING ERRCODE = 'foreign_key_violation';
	END IF;
	RETURN OLD;
END $$;
CREATE TRIGGER ticket_type_delete_guard BEFORE DELETE ON ticket_type
	FOR EACH ROW EXECUTE FUNCTION ticket_type_delete_guard();

-- 2. Triggers in the locked part of a sale fire only when they may act.
ALTER TABLE ticket_type ADD COLUMN alert_watch integer CHECK (alert_watch >= -1);
ALTER TABLE ticket_type ADD COLUMN channel_mapped boolean NOT NULL DEFAULT false;

-- The low-stock threshold of a type from its settings (alert_setting_of):
-- -1 alerts off, NULL the default (a tenth of capacity, at least 1).
CREATE FUNCTION alert_watch_of(p_event bigint, p_type bigint) RETURNS integer LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN (s).enabled THEN (s).low_stock ELSE -1 END
	FROM (SELECT alert_setting_of(p_event, p_type) AS s) x
$$;

CREATE FUNCTION alert_watch_refresh() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
	ev bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.event_id ELSE NEW.event_id END;
	ty bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.type_id ELSE NEW.type_id END;
BEGIN
	-- an event's setting is every type's without one of its own
	UPDATE ticket_type t SET alert_watch = alert_watch_of(t.event_id, t.id)
	WHERE t.event_id = ev AND (ty IS NULL OR t.id = ty)
	AND t.alert_watch IS DISTINCT FROM alert_watch_of(t.event_id, t.id);
	IF TG_OP = 'UPDATE' AND OLD.event_id <> NEW.event_id THEN
		UPDATE ticket_type t SET alert_watch = alert_watch_of(t.event_id, t.id)
		WHERE t.event_id = OLD.event_id AND t.alert_watch IS DISTINCT FROM alert_watch_of(t.event_id, t.id);
	END IF;
	RETURN NULL;
END $$;
CREATE TRIGGER alert_watch_refresh AFTER INSERT OR UPDATE OR DELETE ON alert_setting
	FOR EACH ROW EXECUTE FUNCTION alert_watch_refresh();

CREATE FUNCTION alert_watch_new_type() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.alert_watch := alert_watch_of(NEW.event_id, NEW.id);
	RETURN NEW;
END $$;
CREATE TRIGGER alert_watch_new_type BEFORE INSERT ON ticket_type
	FOR EACH ROW EXECUTE FUNCTION alert_watch_new_type();

UPDATE ticket_type t SET alert_watch = alert_watch_of(t.event_id, t.id)
WHERE t.alert_watch IS DISTINCT FROM alert_watch_of(t.event_id, t.id);

-- alert_on_type acts when tickets left went down to the threshold or out;
-- the same test, on the row, decides whether it is called at all.
DROP TRIGGER alert_on_type ON ticket_type;
CREATE TRIGGER alert_on_type AFTER UPDATE OF sold, held, reserved, capacity ON ticket_type
	FOR EACH ROW
	WHEN (NEW.alert_watch IS DISTINCT FROM -1
	      AND (NEW.capacity - NEW.sold - NEW.held - NEW.reserved) / NEW.seats_per_ticket
		  < (OLD.capacity - OLD.sold - OLD.held - OLD.reserved) / OLD.seats_per_ticket
	      AND (NEW.capacity - NEW.sold - NEW.held - NEW.reserved) / NEW.seats_per_ticket
		  <= coalesce(NEW.alert_watch, greatest(1, NEW.capacity / NEW.seats_per_ticket / 10)))
	EXECUTE FUNCTION alert_on_type();

CREATE FUNCTION channel_mapped_refresh() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	UPDATE ticket_type t SET channel_mapped = EXISTS (SELECT 1 FROM platform_map m WHERE m.type_id = t.id)
	WHERE t.id IN (SELECT x FROM unnest(ARRAY[CASE WHEN TG_OP <> 'INSERT' THEN OLD.type_id END,
						  CASE WHEN TG_OP <> 'DELETE' THEN NEW.type_id END]) x
		       WHERE x IS NOT NULL)
	AND t.channel_mapped IS DISTINCT FROM EXISTS (SELECT 1 FROM platform_map m WHERE m.type_id = t.id);
	RETURN NULL;
END $$;
CREATE TRIGGER channel_mapped_refresh AFTER INSERT OR UPDATE OF type_id OR DELETE ON platform_map
	FOR EACH ROW EXECUTE FUNCTION channel_mapped_refresh();

UPDATE ticket_type t SET channel_mapped = true
WHERE EXISTS (SELECT 1 FROM platform_map m WHERE m.type_id = t.id);

-- outbox_on_type has nothing to send for a type no platform sells.
DROP TRIGGER outbox_on_type ON ticket_type;
CREATE TRIGGER outbox_on_type AFTER UPDATE ON ticket_type
	FOR EACH ROW WHEN (NEW.channel_mapped OR OLD.channel_mapped)
	EXECUTE FUNCTION outbox_on_type();

-- 3. Sellers of a type admitted a few at a time. A free lane is taken at
-- once; when all are busy the seller waits for one (chosen by its
-- backend) until the lane's holder commits. Lanes are advisory locks
-- (61, type) to (61 + lanes - 1, type), held to the end of the
-- transaction like the type row itself. boxoffice.sale_lanes (0: no
-- admission) is a setting of the database or the role: ALTER DATABASE …
-- SET boxoffice.sale_lanes = 4 on a server with more cores.
CREATE FUNCTION inventory_admit(p_type bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	setting text := current_setting('boxoffice.sale_lanes', true);
	lanes integer := CASE WHEN setting ~ '^[0-9]{1,2}$' THEN setting::integer ELSE 2 END;
	key integer := (p_type % 2147483647)::integer;
BEGIN
	IF lanes = 0 THEN
		RETURN;
	END IF;
	FOR lane IN 0..lanes - 1 LOOP
		IF pg_try_advisory_xact_lock(61 + lane, key) THEN
			RETURN;
		END IF;
	END LOOP;
	PERFORM pg_advisory_xact_lock(61 + pg_backend_pid() % lanes, key);
END $$;

CREATE OR REPLACE FUNCTION inventory_sell(p_event bigint, p_type bigint, p_qty integer,
			       p_channel sales_channel, p_payment payment_method, p_company text,
			       p_contact text, p_email text, p_key text, p_external_ref text,
			       p_reason text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	prev jsonb;
	t ticket_type;
	from_quota boolean;
	result jsonb;
BEGIN
	PERFORM inventory_admit(p_type);
	IF p_key IS NOT NULL THEN
		prev := idempotency_begin(p_key, 'sell', jsonb_build_object('event', p_event,
			'type', p_type, 'qty', p_qty, 'channel', p_channel, 'payment', p_payment,
			'company', p_company, 'contact', p_contact, 'email', p_email,
			'external_ref', p_external_ref));
		IF prev IS NOT NULL THEN
			RETURN prev;
		END IF;
	END IF;
	IF p_qty IS NULL OR p_qty < 1 OR p_qty > 10000 THEN
		RAISE EXCEPTION 'quantity must be 1 to 10000' USING ERRCODE = 'BX021';
	END IF;
	SELECT * INTO t FROM ticket_type WHERE id = p_type AND event_id = p_event;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'ticket type % is not a type of event %', p_type, p_event
			USING ERRCODE = 'BX021';
	END IF;
	from_quota := EXISTS (SELECT 1 FROM channel_quota WHERE type_id = p_type AND channel = p_channel);
	result := order_create(t, p_qty, p_channel, p_payment, from_quota, p_company, p_contact,
			       p_email, p_external_ref);
	INSERT INTO change_log (entity, entity_id, action, reason, event_id, type_id, channel,
				sold_delta, detail)
	VALUES ('inventory', (result->>'id')::bigint, 'sell', coalesce(p_reason, 'sale'), p_event,
		p_type, p_channel, p_qty * t.seats_per_ticket,
		jsonb_build_object('qty', p_qty, 'payment', p_payment));
	-- Last, so the type row stays locked only until COMMIT.
	PERFORM inventory_take(p_type, p_channel, from_quota, p_qty * t.seats_per_ticket, 'sold');
	IF p_key IS NOT NULL THEN
		PERFORM idempotency_end(p_key, result);
	END IF;
	RETURN result;
END $$;

CREATE OR REPLACE FUNCTION inventory_hold(p_event bigint, p_type bigint, p_qty integer, p_ttl integer,
			       p_channel sales_channel, p_key text, p_reason text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	args jsonb := jsonb_build_object('event', p_event, 'type', p_type, 'qty', p_qty,
		'ttl', p_ttl, 'channel', p_channel);
	prev jsonb;
	t ticket_type;
	from_quota boolean;
	h hold;
BEGIN
	PERFORM inventory_admit(p_type);
	prev := idempotency_begin(p_key, 'hold', args);
	IF prev IS NOT NULL THEN
		RETURN prev;
	END IF;
	PERFORM set_config('boxoffice.reason', coalesce(p_reason, 'hold'), true);
	PERFORM inventory_check_qty(p_qty);
	IF p_ttl IS NULL OR p_ttl < 1 OR p_ttl > 86400 THEN
		RAISE EXCEPTION 'hold TTL must be 1 to 86400 seconds' USING ERRCODE = 'BX021';
	END IF;
	t := inventory_check_type(p_event, p_type);
	from_quota := inventory_uses_quota(p_type, p_channel);
	INSERT INTO hold (event_id, type_id, channel, qty, seats, from_quota, expires_at, station)
	VALUES (p_event, p_type, p_channel, p_qty, p_qty * t.seats_per_ticket, from_quota,
		now() + make_interval(secs => p_ttl), current_setting('application_name'))
	RETURNING * INTO h;
	PERFORM inventory_log('hold', h.id, p_event, p_type, p_channel, 0, h.seats, 0,
			      jsonb_build_object('qty', p_qty, 'ttl', p_ttl));
	PERFORM inventory_take(p_type, p_channel, from_quota, h.seats, 'held');
	RETURN idempotency_end(p_key, jsonb_build_object('id', h.id, 'expires_at', h.expires_at,
		'qty', h.qty, 'seats', h.seats));
END $$;

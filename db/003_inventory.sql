-- 003_inventory.sql: live inventory. Every operation is one SQL function,
-- one transaction, logged with station, channel and reason, idempotent when
-- given a key.
--
-- No oversell: seats live as counters on the ticket_type row, guarded by
-- the CHECK ticket_type_no_oversell (sold + held + reserved + quota_free <=
-- capacity) and on channel_quota rows by channel_quota_no_oversell. Sales
-- take seats with one conditional UPDATE of the type row ("... WHERE
-- available >= seats"): the row lock serialises sellers of the same type,
-- READ COMMITTED re-checks the condition against the latest committed row,
-- and the CHECK stands behind it should any code path forget the condition.
-- To keep the hot row locked as briefly as possible, sell writes the order,
-- its line, tickets and log first and takes the seats last, just before
-- COMMIT.
--
-- Row locks on ticket_type are always FOR NO KEY UPDATE (what a plain
-- UPDATE takes): inserting an order line or hold takes a KEY SHARE lock on
-- its type row through the foreign key, and FOR UPDATE would conflict with
-- that and deadlock two sellers of the same type.

ALTER TABLE order_line ADD COLUMN from_quota boolean NOT NULL DEFAULT false;
ALTER TABLE order_line ADD COLUMN channel sales_channel NOT NULL DEFAULT 'pos';

-- Refusal codes (class BX): BX020 not enough seats, BX021 bad request,
-- BX004 changed since read, BX005 idempotency key reuse, BX006 hold state.

CREATE FUNCTION ticket_type_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.seats_per_ticket <> OLD.seats_per_ticket AND (OLD.sold > 0 OR OLD.held > 0) THEN
		RAISE EXCEPTION 'seats per ticket cannot change once seats are sold or held'
			USING ERRCODE = 'BX021';
	END IF;
	NEW.version := OLD.version + 1;
	RETURN NEW;
END $$;
CREATE TRIGGER ticket_type_bump BEFORE UPDATE ON ticket_type
	FOR EACH ROW EXECUTE FUNCTION ticket_type_bump();

-- Every change of a type's counters is announced after commit, with a
-- version so that clients can tell a gap and re-read.
CREATE FUNCTION ticket_type_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('boxoffice_inventory', json_build_object(
		'event', NEW.event_id, 'type', NEW.id, 'capacity', NEW.capacity,
		'sold', NEW.sold, 'held', NEW.held, 'reserved', NEW.reserved,
		'quota_free', NEW.quota_free,
		'available', NEW.capacity - NEW.sold - NEW.held - NEW.reserved,
		'version', NEW.version)::text);
	RETURN NULL;
END $$;
CREATE TRIGGER ticket_type_announce AFTER UPDATE ON ticket_type
	FOR EACH ROW EXECUTE FUNCTION ticket_type_announce();

-- What a station or channel can sell now. Holds past their expiry never
-- count, whether or not a reaper has marked them yet.
CREATE VIEW inventory_view AS
SELECT t.event_id, t.id AS type_id, t.name AS type_name, NULL::sales_channel AS channel,
       t.capacity, t.sold, t.held - s.stale AS held, t.reserved,
       t.capacity - t.sold - (t.held - s.stale) - t.reserved AS available,
       t.seats_per_ticket, t.version
FROM ticket_type t
CROSS JOIN LATERAL (SELECT coalesce(sum(h.seats), 0)::integer AS stale FROM hold h
		    WHERE h.type_id = t.id AND h.status = 'active' AND h.expires_at <= now()) s
UNION ALL
SELECT t.event_id, t.id, t.name, q.channel, q.quota, q.sold, q.held - s.stale, 0,
       q.quota - q.sold - (q.held - s.stale), t.seats_per_ticket, t.version
FROM channel_quota q
JOIN ticket_type t ON t.id = q.type_id
CROSS JOIN LATERAL (SELECT coalesce(sum(h.seats), 0)::integer AS stale FROM hold h
		    WHERE h.type_id = q.type_id AND h.channel = q.channel AND h.from_quota
		      AND h.status = 'active' AND h.expires_at <= now()) s;

CREATE FUNCTION inventory_uses_quota(p_type bigint, p_channel sales_channel) RETURNS boolean
LANGUAGE sql STABLE AS $$
	SELECT EXISTS (SELECT 1 FROM channel_quota WHERE type_id = p_type AND channel = p_channel)
$$;

-- Applies seat deltas without an availability check: giving back, moving
-- held to sold. The CHECK constraints still guard the result.
CREATE FUNCTION inventory_apply(p_type bigint, p_channel sales_channel, p_from_quota boolean,
				d_sold integer, d_held integer, d_reserved integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	UPDATE ticket_type
	SET sold = sold + d_sold, held = held + d_held, reserved = reserved + d_reserved,
	    quota_free = quota_free - CASE WHEN p_from_quota THEN d_sold + d_held ELSE 0 END
	WHERE id = p_type;
	IF p_from_quota THEN
		UPDATE channel_quota SET sold = sold + d_sold, held = held + d_held
		WHERE type_id = p_type AND channel = p_channel;
	END IF;
END $$;

CREATE FUNCTION inventory_log(p_action text, p_entity_id bigint, p_event bigint, p_type bigint,
			      p_channel sales_channel, d_sold integer, d_held integer,
			      d_reserved integer, p_detail jsonb)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO change_log (entity, entity_id, action, reason, event_id, type_id, channel,
				sold_delta, held_delta, reserved_delta, detail)
	VALUES ('inventory', p_entity_id, p_action, boxoffice_reason(), p_event, p_type, p_channel,
		d_sold, d_held, d_reserved, p_detail)
$$;

-- Marks this type's expired holds and gives their seats back. The caller
-- holds (or takes here) the type row lock.
CREATE FUNCTION inventory_expire_holds(p_type bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	h record;
	n integer := 0;
BEGIN
	FOR h IN UPDATE hold SET status = 'expired'
		 WHERE type_id = p_type AND status = 'active' AND expires_at <= now()
		 RETURNING id, event_id, type_id, channel, seats, from_quota
	LOOP
		PERFORM inventory_apply(h.type_id, h.channel, h.from_quota, 0, -h.seats, 0);
		PERFORM inventory_log('hold_expired', h.id, h.event_id, h.type_id, h.channel,
				      0, -h.seats, 0, NULL);
		n := n + 1;
	END LOOP;
	RETURN n;
END $$;

-- Why a take failed, in tickets: "sold out" or "only K left".
CREATE FUNCTION inventory_refuse(p_type bigint, p_channel sales_channel, p_from_quota boolean,
				 p_reserve boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	seats_left integer;
	spt integer;
BEGIN
	IF p_from_quota THEN
		SELECT q.quota - q.sold - q.held, t.seats_per_ticket INTO seats_left, spt
		FROM channel_quota q JOIN ticket_type t ON t.id = q.type_id
		WHERE q.type_id = p_type AND q.channel = p_channel;
	ELSE
		SELECT capacity - sold - held - reserved - quota_free, seats_per_ticket
		INTO seats_left, spt FROM ticket_type WHERE id = p_type;
	END IF;
	IF p_reserve THEN
		spt := 1; -- reservations count seats, not tickets
	END IF;
	IF seats_left / spt <= 0 THEN
		RAISE EXCEPTION 'sold out' USING ERRCODE = 'BX020',
			DETAIL = json_build_object('available', 0)::text;
	END IF;
	RAISE EXCEPTION 'only % left', seats_left / spt USING ERRCODE = 'BX020',
		DETAIL = json_build_object('available', seats_left / spt)::text;
END $$;

-- Takes seats as sold, held or reserved, or refuses. Reservations come from
-- the shared pool only. One retry after expiring stale holds.
CREATE FUNCTION inventory_take(p_type bigint, p_channel sales_channel, p_from_quota boolean,
			       p_seats integer, p_kind text)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	d_sold integer := CASE WHEN p_kind = 'sold' THEN p_seats ELSE 0 END;
	d_held integer := CASE WHEN p_kind = 'held' THEN p_seats ELSE 0 END;
	d_reserved integer := CASE WHEN p_kind = 'reserved' THEN p_seats ELSE 0 END;
BEGIN
	FOR attempt IN 1..2 LOOP
		IF p_from_quota THEN
			PERFORM 1 FROM ticket_type WHERE id = p_type FOR NO KEY UPDATE;
			UPDATE channel_quota SET sold = sold + d_sold, held = held + d_held
			WHERE type_id = p_type AND channel = p_channel AND quota - sold - held >= p_seats;
			IF FOUND THEN
				UPDATE ticket_type SET sold = sold + d_sold, held = held + d_held,
					quota_free = quota_free - p_seats
				WHERE id = p_type;
				RETURN;
			END IF;
		ELSE
			UPDATE ticket_type
			SET sold = sold + d_sold, held = held + d_held, reserved = reserved + d_reserved
			WHERE id = p_type AND capacity - sold - held - reserved - quota_free >= p_seats;
			IF FOUND THEN
				RETURN;
			END IF;
		END IF;
		IF attempt = 1 AND inventory_expire_holds(p_type) = 0 THEN
			EXIT;
		END IF;
	END LOOP;
	PERFORM inventory_refuse(p_type, p_channel, p_from_quota, p_kind = 'reserved');
END $$;

-- Idempotency: returns the stored result for a known key (or refuses a
-- different request under it), NULL when the caller should do the work.
-- The INSERT blocks a concurrent twin until this transaction ends.
CREATE FUNCTION idempotency_begin(p_key text, p_op text, p_args jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	prev record;
BEGIN
	IF p_key IS NULL THEN
		RETURN NULL;
	END IF;
	INSERT INTO idempotency (key, op, args) VALUES (p_key, p_op, p_args)
	ON CONFLICT (key) DO NOTHING;
	IF FOUND THEN
		RETURN NULL;
	END IF;
	SELECT op, args, result INTO prev FROM idempotency WHERE key = p_key;
	IF prev.op <> p_op OR prev.args <> p_args THEN
		RAISE EXCEPTION 'idempotency key % was used for a different request', p_key
			USING ERRCODE = 'BX005';
	END IF;
	RETURN prev.result;
END $$;

CREATE FUNCTION idempotency_end(p_key text, p_result jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
BEGIN
	IF p_key IS NOT NULL THEN
		UPDATE idempotency SET result = p_result WHERE key = p_key;
	END IF;
	RETURN p_result;
END $$;

CREATE FUNCTION inventory_check_type(p_event bigint, p_type bigint) RETURNS ticket_type
LANGUAGE plpgsql STABLE AS $$
DECLARE
	t ticket_type;
BEGIN
	SELECT * INTO t FROM ticket_type WHERE id = p_type;
	IF NOT FOUND OR t.event_id <> p_event THEN
		RAISE EXCEPTION 'ticket type % is not a type of event %', p_type, p_event
			USING ERRCODE = 'BX021';
	END IF;
	RETURN t;
END $$;

CREATE FUNCTION inventory_check_qty(p_qty integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF p_qty IS NULL OR p_qty < 1 OR p_qty > 10000 THEN
		RAISE EXCEPTION 'quantity must be 1 to 10000' USING ERRCODE = 'BX021';
	END IF;
END $$;

-- Creates an order of one line (card, sponsored and free are paid at the
-- point of sale and settled at once; invoice orders start as requested),
-- with its tickets when settled, and returns the result document. Seats
-- are the caller's business. Written as few statements as possible: this
-- is the hot path of every sale.
CREATE FUNCTION order_create(t ticket_type, p_qty integer, p_channel sales_channel,
			     p_payment payment_method, p_from_quota boolean, p_company text,
			     p_contact text, p_email text, p_external_ref text)
RETURNS jsonb LANGUAGE plpgsql AS $$
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
	INSERT INTO ticket_order (event_id, company, contact, email, payment, status, channel,
				  station, external_ref, quantity, tickets_issued, net_cents, vat_cents)
	VALUES (t.event_id, coalesce(p_company, ''), coalesce(p_contact, ''), coalesce(p_email, ''),
		p_payment, CASE WHEN settled THEN 'settled' ELSE 'requested' END::order_status,
		p_channel, current_setting('application_name'), p_external_ref, p_qty,
		CASE WHEN settled THEN p_qty ELSE 0 END, net, vat)
	RETURNING id INTO oid;
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

CREATE FUNCTION order_result(p_order bigint) RETURNS jsonb LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', o.id, 'status', o.status, 'version', o.version,
		'tickets', coalesce((SELECT jsonb_agg(k.id ORDER BY k.id) FROM ticket k
				     WHERE k.order_id = o.id AND k.status = 'valid'), '[]'::jsonb),
		'amount', o.gross_cents, 'vat', o.vat_cents, 'invoice_no', o.invoice_no)
	FROM ticket_order o WHERE o.id = p_order
$$;

CREATE FUNCTION inventory_sell(p_event bigint, p_type bigint, p_qty integer,
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

CREATE FUNCTION inventory_hold(p_event bigint, p_type bigint, p_qty integer, p_ttl integer,
			       p_channel sales_channel, p_key text, p_reason text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	args jsonb := jsonb_build_object('event', p_event, 'type', p_type, 'qty', p_qty,
		'ttl', p_ttl, 'channel', p_channel);
	prev jsonb := idempotency_begin(p_key, 'hold', args);
	t ticket_type;
	from_quota boolean;
	h hold;
BEGIN
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

-- Locks an active hold (expired or not) or refuses.
CREATE FUNCTION hold_lock_active(p_hold bigint) RETURNS hold LANGUAGE plpgsql AS $$
DECLARE
	h hold;
BEGIN
	SELECT * INTO h FROM hold WHERE id = p_hold FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'hold % does not exist', p_hold USING ERRCODE = 'BX006';
	END IF;
	IF h.status <> 'active' THEN
		RAISE EXCEPTION 'hold % is %', p_hold, h.status USING ERRCODE = 'BX006';
	END IF;
	RETURN h;
END $$;

-- Locks an active, unexpired hold or refuses.
CREATE FUNCTION hold_lock_live(p_hold bigint) RETURNS hold LANGUAGE plpgsql AS $$
DECLARE
	h hold := hold_lock_active(p_hold);
BEGIN
	IF h.expires_at <= now() THEN
		RAISE EXCEPTION 'hold % expired at %', p_hold,
			to_char(h.expires_at, 'YYYY-MM-DD HH24:MI:SS TZ') USING ERRCODE = 'BX006';
	END IF;
	RETURN h;
END $$;

CREATE FUNCTION hold_confirm(p_hold bigint, p_payment payment_method, p_company text,
			     p_contact text, p_email text, p_key text, p_external_ref text,
			     p_reason text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	args jsonb := jsonb_build_object('hold', p_hold, 'payment', p_payment,
		'company', p_company, 'contact', p_contact, 'email', p_email,
		'external_ref', p_external_ref);
	prev jsonb := idempotency_begin(p_key, 'hold_confirm', args);
	h hold;
	t ticket_type;
	oid bigint;
	result jsonb;
BEGIN
	IF prev IS NOT NULL THEN
		RETURN prev;
	END IF;
	PERFORM set_config('boxoffice.reason', coalesce(p_reason, 'hold confirmed'), true);
	h := hold_lock_live(p_hold);
	SELECT * INTO t FROM ticket_type WHERE id = h.type_id;
	result := order_create(t, h.qty, h.channel, p_payment, h.from_quota, p_company, p_contact,
			       p_email, p_external_ref);
	oid := (result->>'id')::bigint;
	UPDATE hold SET status = 'confirmed', order_id = oid WHERE id = h.id;
	PERFORM inventory_apply(h.type_id, h.channel, h.from_quota, h.seats, -h.seats, 0);
	PERFORM inventory_log('hold_confirmed', h.id, h.event_id, h.type_id, h.channel,
			      h.seats, -h.seats, 0, jsonb_build_object('order', oid));
	RETURN idempotency_end(p_key, result || jsonb_build_object('hold', h.id));
END $$;

CREATE FUNCTION hold_release(p_hold bigint, p_reason text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	h hold;
BEGIN
	PERFORM set_config('boxoffice.reason', coalesce(p_reason, 'hold released'), true);
	h := hold_lock_active(p_hold);
	UPDATE hold SET status = 'released' WHERE id = h.id;
	PERFORM inventory_apply(h.type_id, h.channel, h.from_quota, 0, -h.seats, 0);
	PERFORM inventory_log('hold_released', h.id, h.event_id, h.type_id, h.channel,
			      0, -h.seats, 0, NULL);
	RETURN jsonb_build_object('id', h.id, 'status', 'released', 'seats', h.seats);
END $$;

-- Any running station may call this; one at a time does the work.
CREATE FUNCTION inventory_reap() RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	tid bigint;
	n integer := 0;
BEGIN
	IF NOT pg_try_advisory_xact_lock(7412002) THEN
		RETURN 0;
	END IF;
	PERFORM set_config('boxoffice.reason', 'hold expired', true);
	FOR tid IN SELECT DISTINCT type_id FROM hold
		   WHERE status = 'active' AND expires_at <= now() ORDER BY type_id
	LOOP
		PERFORM 1 FROM ticket_type WHERE id = tid FOR NO KEY UPDATE;
		n := n + inventory_expire_holds(tid);
	END LOOP;
	RETURN n;
END $$;

-- Staff adjustments. A negative delta reserves seats (from the shared
-- pool), a positive one releases reserved seats.
CREATE FUNCTION inventory_adjust(p_event bigint, p_type bigint, p_delta integer, p_reason text,
				 p_key text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	args jsonb := jsonb_build_object('event', p_event, 'type', p_type, 'delta', p_delta,
		'reason', p_reason);
	prev jsonb := idempotency_begin(p_key, 'adjust', args);
	t ticket_type;
BEGIN
	IF prev IS NOT NULL THEN
		RETURN prev;
	END IF;
	IF p_reason IS NULL OR btrim(p_reason) = '' THEN
		RAISE EXCEPTION 'an adjustment needs a reason' USING ERRCODE = 'BX021';
	END IF;
	IF p_delta IS NULL OR p_delta = 0 OR abs(p_delta) > 1000000 THEN
		RAISE EXCEPTION 'delta must be a non-zero number of seats' USING ERRCODE = 'BX021';
	END IF;
	PERFORM set_config('boxoffice.reason', p_reason, true);
	t := inventory_check_type(p_event, p_type);
	IF p_delta < 0 THEN
		PERFORM inventory_take(p_type, 'pos', false, -p_delta, 'reserved');
	ELSE
		SELECT * INTO t FROM ticket_type WHERE id = p_type FOR NO KEY UPDATE;
		IF t.reserved < p_delta THEN
			RAISE EXCEPTION 'only % seats are reserved', t.reserved USING ERRCODE = 'BX020';
		END IF;
		PERFORM inventory_apply(p_type, 'pos', false, 0, 0, -p_delta);
	END IF;
	PERFORM inventory_log('adjust', p_type, p_event, p_type, NULL, 0, 0, -p_delta,
			      jsonb_build_object('delta', p_delta));
	RETURN idempotency_end(p_key, (SELECT jsonb_build_object('type', id, 'reserved', reserved,
		'available', capacity - sold - held - reserved) FROM ticket_type WHERE id = p_type));
END $$;

CREATE FUNCTION inventory_set_capacity(p_event bigint, p_type bigint, p_capacity integer,
				       p_reason text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	t ticket_type;
BEGIN
	t := inventory_check_type(p_event, p_type);
	IF p_reason IS NULL OR btrim(p_reason) = '' THEN
		RAISE EXCEPTION 'a capacity change needs a reason' USING ERRCODE = 'BX021';
	END IF;
	PERFORM set_config('boxoffice.reason', p_reason, true);
	SELECT * INTO t FROM ticket_type WHERE id = p_type FOR NO KEY UPDATE;
	IF p_capacity < t.sold + t.held + t.reserved + t.quota_free THEN
		RAISE EXCEPTION 'capacity cannot go below the % seats sold, held, reserved or under quota',
			t.sold + t.held + t.reserved + t.quota_free USING ERRCODE = 'BX020';
	END IF;
	UPDATE ticket_type SET capacity = p_capacity WHERE id = p_type;
	INSERT INTO change_log (entity, entity_id, action, reason, event_id, type_id, detail)
	VALUES ('inventory', p_type, 'capacity', p_reason, p_event, p_type,
		jsonb_build_object('from', t.capacity, 'to', p_capacity));
	RETURN jsonb_build_object('type', p_type, 'capacity', p_capacity);
END $$;

-- A channel's quota, carved out of the shared pool: raising it needs free
-- pool seats, lowering it cannot go below what the channel sold or holds.
-- A quota of 0 closes the channel for this type.
CREATE FUNCTION inventory_set_quota(p_event bigint, p_type bigint, p_channel sales_channel,
				    p_quota integer, p_reason text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	t ticket_type;
	q channel_quota;
	old_free integer := 0;
	new_free integer;
	pool integer;
BEGIN
	t := inventory_check_type(p_event, p_type);
	IF p_quota IS NULL OR p_quota < 0 THEN
		RAISE EXCEPTION 'quota must be 0 or more seats' USING ERRCODE = 'BX021';
	END IF;
	PERFORM set_config('boxoffice.reason', coalesce(p_reason, 'quota'), true);
	SELECT * INTO t FROM ticket_type WHERE id = p_type FOR NO KEY UPDATE;
	SELECT * INTO q FROM channel_quota WHERE type_id = p_type AND channel = p_channel FOR NO KEY UPDATE;
	IF FOUND THEN
		old_free := q.quota - q.sold - q.held;
		IF p_quota < q.sold + q.held THEN
			RAISE EXCEPTION 'the % channel has % seats sold or held; the quota cannot be lower',
				p_channel, q.sold + q.held USING ERRCODE = 'BX020';
		END IF;
		new_free := p_quota - q.sold - q.held;
	ELSE
		new_free := p_quota;
	END IF;
	IF p_quota > t.capacity THEN
		RAISE EXCEPTION 'quota % is above the capacity of %', p_quota, t.capacity
			USING ERRCODE = 'BX020';
	END IF;
	pool := t.capacity - t.sold - t.held - t.reserved - t.quota_free;
	IF new_free - old_free > pool THEN
		RAISE EXCEPTION 'only % seats are free in the shared pool', pool USING ERRCODE = 'BX020';
	END IF;
	INSERT INTO channel_quota (type_id, channel, quota) VALUES (p_type, p_channel, p_quota)
	ON CONFLICT (type_id, channel) DO UPDATE SET quota = EXCLUDED.quota;
	UPDATE ticket_type SET quota_free = quota_free + (new_free - old_free) WHERE id = p_type;
	INSERT INTO change_log (entity, entity_id, action, reason, event_id, type_id, channel, detail)
	VALUES ('inventory', p_type, 'quota', boxoffice_reason(), p_event, p_type, p_channel,
		jsonb_build_object('quota', p_quota));
	RETURN jsonb_build_object('type', p_type, 'channel', p_channel, 'quota', p_quota);
END $$;

-- Order status changes with their side effects: gapless invoice numbers,
-- tickets on settle, seats back on cancel and refund. p_version, when
-- given, must still be the order's version (optimistic check).
CREATE FUNCTION order_set_status(p_order bigint, p_to order_status, p_version integer,
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
		RAISE EXCEPTION 'order % is %: a % order cannot become %', p_order, o.status,
			o.payment, p_to USING ERRCODE = 'BX002';
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

-- 008_names_and_holds.sql: sales right after a hold expires, and names
-- that are unique the way they are looked up.

-- A sale that finds too few seats expires the type's stale holds and tries
-- again. Before this migration it tried again only when it had expired a
-- hold itself: when ten sellers found the same stale hold, the one that
-- expired it sold and the nine others, queued on the hold row, found
-- nothing left to expire and gave up with "only 9 left" while nine seats
-- were free. Now expiring happens under the type row lock (so sellers
-- queue behind whoever is expiring) and the retry always runs, as a new
-- statement that sees what the others committed.

-- Marks this type's expired holds and gives their seats back, under the
-- type row lock (taken here if the caller does not hold it yet). Lock
-- order everywhere: the type row, then hold rows.
CREATE OR REPLACE FUNCTION inventory_expire_holds(p_type bigint) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
	h record;
	n integer := 0;
BEGIN
	PERFORM 1 FROM ticket_type WHERE id = p_type FOR NO KEY UPDATE;
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

-- Takes seats as sold, held or reserved, or refuses. Reservations come from
-- the shared pool only. When the first try finds too few seats: expire the
-- stale holds under the type row lock and try once more, whoever expired
-- them (the second try is the exact answer: the lock is ours by then).
CREATE OR REPLACE FUNCTION inventory_take(p_type bigint, p_channel sales_channel,
					  p_from_quota boolean, p_seats integer, p_kind text)
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
		EXIT WHEN attempt = 2;
		PERFORM inventory_expire_holds(p_type);
	END LOOP;
	PERFORM inventory_refuse(p_type, p_channel, p_from_quota, p_kind = 'reserved');
END $$;

-- Refuses a hold that is not active, or (p_live) has expired.
CREATE FUNCTION hold_check(h hold, p_live boolean) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	IF h.status <> 'active' THEN
		RAISE EXCEPTION 'hold % is %', h.id, h.status USING ERRCODE = 'BX006';
	END IF;
	IF p_live AND h.expires_at <= now() THEN
		RAISE EXCEPTION 'hold % expired at %', h.id,
			to_char(h.expires_at, 'YYYY-MM-DD HH24:MI:SS TZ') USING ERRCODE = 'BX006';
	END IF;
END $$;

-- Locks an active hold (expired or not) or refuses: its type row first,
-- then the hold, the order sellers and reapers expiring holds use (the
-- other order could deadlock a release with a seller expiring that hold).
CREATE OR REPLACE FUNCTION hold_lock_active(p_hold bigint) RETURNS hold LANGUAGE plpgsql AS $$
DECLARE
	h hold;
BEGIN
	SELECT * INTO h FROM hold WHERE id = p_hold;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'hold % does not exist', p_hold USING ERRCODE = 'BX006';
	END IF;
	PERFORM 1 FROM ticket_type WHERE id = h.type_id FOR NO KEY UPDATE;
	SELECT * INTO h FROM hold WHERE id = p_hold FOR UPDATE;
	PERFORM hold_check(h, false);
	RETURN h;
END $$;

-- Locks an active, unexpired hold or refuses.
CREATE OR REPLACE FUNCTION hold_lock_live(p_hold bigint) RETURNS hold LANGUAGE plpgsql AS $$
DECLARE
	h hold := hold_lock_active(p_hold);
BEGIN
	PERFORM hold_check(h, true);
	RETURN h;
END $$;

-- As before, but the order is written before the type row is locked (as
-- in a sale), so the hot row stays locked only from there to COMMIT; the
-- hold is checked again under the lock.
CREATE OR REPLACE FUNCTION hold_confirm(p_hold bigint, p_payment payment_method, p_company text,
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
	SELECT * INTO h FROM hold WHERE id = p_hold;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'hold % does not exist', p_hold USING ERRCODE = 'BX006';
	END IF;
	PERFORM hold_check(h, true);
	SELECT * INTO t FROM ticket_type WHERE id = h.type_id;
	result := order_create(t, h.qty, h.channel, p_payment, h.from_quota, p_company, p_contact,
			       p_email, p_external_ref);
	oid := (result->>'id')::bigint;
	h := hold_lock_live(p_hold);
	UPDATE hold SET status = 'confirmed', order_id = oid WHERE id = h.id;
	PERFORM inventory_apply(h.type_id, h.channel, h.from_quota, h.seats, -h.seats, 0);
	PERFORM inventory_log('hold_confirmed', h.id, h.event_id, h.type_id, h.channel,
			      h.seats, -h.seats, 0, jsonb_build_object('order', oid));
	RETURN idempotency_end(p_key, result || jsonb_build_object('hold', h.id));
END $$;

-- Names are unique the way they are looked up: ignoring case. `--type vip`
-- used to find either of "VIP" and "vip" when both existed. Events,
-- ticket types (per event) and organizations get unique indexes on
-- lower(name), under the names of the constraints they replace (so error
-- messages keyed on them still apply), and lookups compare lower(name).
--
-- A live database may already hold names that differ only in case. They
-- are not refused (the migration would never apply): the oldest row
-- (lowest id) keeps its name, every later one is renamed to
-- "<name> (duplicate #<id>)", shortened to fit, each rename logged in
-- change_log (action 'renamed', detail {"from", "to"}) and reported as a
-- WARNING. Rename them to something better afterwards.
DO $$
DECLARE
	tbl record;
	r record;
	suffix text;
	newname text;
	clash boolean;
BEGIN
	FOR tbl IN SELECT * FROM (VALUES ('event', 'NULL::bigint', 200),
					 ('ticket_type', 'event_id', 100),
					 ('organization', 'NULL::bigint', 200)) AS v(name, scope, maxlen)
	LOOP
		FOR r IN EXECUTE format(
			'SELECT id, name, scope FROM (SELECT id, name, %s AS scope, row_number() OVER '
			'(PARTITION BY %s, lower(name) ORDER BY id) AS k FROM %I) d WHERE k > 1 ORDER BY id',
			tbl.scope, tbl.scope, tbl.name)
		LOOP
			suffix := ' (duplicate #' || r.id || ')';
			newname := left(r.name, tbl.maxlen - length(suffix)) || suffix;
			EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I WHERE lower(name) = lower($1) '
				       'AND %s IS NOT DISTINCT FROM $2)', tbl.name, tbl.scope)
			INTO clash USING newname, r.scope;
			IF clash THEN
				RAISE EXCEPTION '% % "%": cannot rename it to "%", which exists; rename one of them by hand',
					tbl.name, r.id, r.name, newname USING ERRCODE = 'BX021';
			END IF;
			EXECUTE format('UPDATE %I SET name = $1 WHERE id = $2', tbl.name) USING newname, r.id;
			INSERT INTO change_log (entity, entity_id, action, reason, event_id, type_id, detail)
			VALUES (tbl.name, r.id, 'renamed',
				'migration 008: names are unique ignoring case',
				CASE tbl.name WHEN 'event' THEN r.id WHEN 'ticket_type' THEN r.scope END,
				CASE WHEN tbl.name = 'ticket_type' THEN r.id END,
				jsonb_build_object('from', r.name, 'to', newname));
			RAISE WARNING '% % renamed from "%" to "%": another one differs only in case',
				tbl.name, r.id, r.name, newname;
		END LOOP;
	END LOOP;
END $$;

ALTER TABLE event DROP CONSTRAINT event_name_key;
CREATE UNIQUE INDEX event_name_key ON event (lower(name));
ALTER TABLE ticket_type DROP CONSTRAINT ticket_type_name_key;
CREATE UNIQUE INDEX ticket_type_name_key ON ticket_type (event_id, lower(name));
ALTER TABLE organization DROP CONSTRAINT organization_name_key;
CREATE UNIQUE INDEX organization_name_key ON organization (lower(name));

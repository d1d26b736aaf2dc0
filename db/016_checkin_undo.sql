-- 016_checkin_undo.sql: a supervisor takes back a check-in (the wrong
-- person let in, a badge scanned for someone else). Never a delete: the
-- undo is one more scan of the ticket, a check-out ('out', the next even
-- number) that carries its reason, and a change-log row with station and
-- reason. The ticket can then be admitted again.
--
-- One admit per ticket still holds. Scans stay numbered per ticket, odd in
-- and even out, unique per (ticket, seq) (001/006), and every scan and
-- undo locks the ticket row first; so a ticket's admits minus its undos is
-- 0 or 1 on an event without re-entry: a second admit needs an undo (or,
-- with re-entry, a check-out) in between, and two gates racing for the
-- first entry still get one admit. ticket.undos counts the undos, so
-- "checked in" is scans > 2 * undos (it was scans > 0).

ALTER TABLE checkin ADD COLUMN undo_reason text;
ALTER TABLE checkin ADD CONSTRAINT checkin_undo_is_a_checkout
	CHECK (undo_reason IS NULL OR (direction = 'out' AND length(btrim(undo_reason)) BETWEEN 1 AND 500));

ALTER TABLE ticket ADD COLUMN undos integer NOT NULL DEFAULT 0;
ALTER TABLE ticket ADD CONSTRAINT ticket_undos_within_scans CHECK (undos >= 0 AND 2 * undos <= scans);

CREATE FUNCTION checkin_undo(p_ticket bigint, p_gate text, p_reason text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	k record;
	last checkin;
	why text := btrim(coalesce(p_reason, ''));
	undo_id bigint;
BEGIN
	IF why = '' THEN
		RAISE EXCEPTION 'an undo needs a reason' USING ERRCODE = 'BX021';
	END IF;
	SELECT t.*, tt.name AS type_name, coalesce(p.name, '') AS person, coalesce(p.company, '') AS company
	INTO k FROM ticket t JOIN ticket_type tt ON tt.id = t.type_id LEFT JOIN person p ON p.id = t.person_id
	WHERE t.id = p_ticket FOR NO KEY UPDATE OF t;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'ticket % does not exist', p_ticket USING ERRCODE = 'BX001';
	END IF;
	IF k.scans % 2 = 0 THEN
		RAISE EXCEPTION 'ticket % is not checked in', p_ticket USING ERRCODE = 'BX050';
	END IF;
	SELECT * INTO last FROM checkin WHERE ticket_id = k.id AND seq = k.scans;
	INSERT INTO checkin (ticket_id, seq, direction, gate, station, at, offline, undo_reason)
	VALUES (k.id, k.scans + 1, 'out', coalesce(p_gate, ''), current_setting('application_name'), now(), false, why)
	RETURNING id INTO undo_id;
	UPDATE ticket SET scans = scans + 1, undos = undos + 1 WHERE id = k.id;
	INSERT INTO change_log (entity, entity_id, action, reason, event_id, type_id, detail)
	VALUES ('ticket', k.id, 'checkin_undo', why, k.event_id, k.type_id,
		jsonb_build_object('gate', coalesce(p_gate, ''), 'checkin', undo_id, 'undone_at', last.at,
				   'undone_gate', last.gate));
	RETURN jsonb_build_object('ticket', k.id, 'undone', true, 'direction', 'out', 'reason', why,
				  'gate', coalesce(p_gate, ''), 'undone_at', last.at, 'undone_gate', last.gate,
				  'person', k.person, 'company', k.company, 'type', k.type_name);
END $$;

-- What a gate shows offline (its cache): a ticket's holder and type too,
-- so the rev of a ticket moves when they change, and when its holder's
-- name or company does.
DROP TRIGGER ticket_rev_on_change ON ticket;
CREATE TRIGGER ticket_rev_on_change BEFORE UPDATE OF issue, status, scans, event_id, person_id, type_id ON ticket
	FOR EACH ROW EXECUTE FUNCTION ticket_bump_rev();

CREATE FUNCTION person_bump_ticket_rev() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	UPDATE ticket SET rev = pg_current_xact_id()::text::bigint WHERE person_id = NEW.id;
	RETURN NULL;
END $$;
CREATE TRIGGER person_rev_on_change AFTER UPDATE OF name, company ON person
	FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.company IS DISTINCT FROM NEW.company)
	EXECUTE FUNCTION person_bump_ticket_rev();

-- 067: an organization's "checked in" is the check-in screens' and follows
-- the gates.
--
-- org_entitlement (db/050) counted a ticket checked in once ever scanned
-- (scans > 0): an undone check-in still counted, a check-in on a list
-- (checkin_pass, db/020) never did, and its assigned and checked-in
-- counted the organization's card orders while entitled and ordered
-- counted its package (sponsored) orders only. Now all four are the
-- package's, and checked in is src/db/checkin.h's SQL_TICKET_CHECKED_IN:
-- admits beyond undos, on the event or on any list.
--
-- A plain check-in sent no notice, so the Organizations screen's line
-- moved only at gates that count an area, or at the next read. A change
-- of an organization's ticket between checked in and not now says so on
-- a channel of its own, with the event; check-in screens listen on
-- boxoffice_tickets and would read again at every scan, so not there. The
-- WHEN clauses keep every other scan free of it.
CREATE OR REPLACE VIEW org_entitlement AS
SELECT eo.id AS event_org_id, eo.event_id, t.id AS type_id, t.name AS type_name,
	coalesce(pi.qty, 0) AS entitled,
	coalesce((SELECT sum(ol.qty) FROM order_line ol JOIN ticket_order o ON o.id = ol.order_id
		  WHERE o.event_org_id = eo.id AND ol.type_id = t.id AND o.payment = 'sponsored'
		  AND o.status NOT IN ('cancelled', 'refunded')), 0)::integer AS ordered,
	(SELECT count(*) FROM ticket k JOIN ticket_order o ON o.id = k.order_id
	 WHERE o.event_org_id = eo.id AND o.payment = 'sponsored' AND k.type_id = t.id
	 AND k.person_id IS NOT NULL AND k.status = 'valid')::integer AS assigned,
	(SELECT count(*) FROM ticket k JOIN ticket_order o ON o.id = k.order_id
	 WHERE o.event_org_id = eo.id AND o.payment = 'sponsored' AND k.type_id = t.id AND k.status = 'valid'
	 AND (k.scans > 2 * k.undos OR EXISTS (SELECT 1 FROM checkin_pass cp WHERE cp.ticket_id = k.id
						AND cp.scans > 2 * cp.undos)))::integer AS checked_in
FROM event_organization eo
JOIN ticket_type t ON t.event_id = eo.event_id
LEFT JOIN org_package_item pi ON pi.package_id = eo.package_id AND pi.type_id = t.id
WHERE pi.qty IS NOT NULL OR EXISTS (SELECT 1 FROM ticket_order o JOIN order_line ol ON ol.order_id = o.id
	WHERE o.event_org_id = eo.id AND ol.type_id = t.id);

CREATE FUNCTION org_checkin_notify(p_ticket bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	ev bigint;
BEGIN
	SELECT k.event_id INTO ev FROM ticket k JOIN ticket_order o ON o.id = k.order_id
	WHERE k.id = p_ticket AND o.event_org_id IS NOT NULL;
	IF FOUND THEN
		PERFORM pg_notify('boxoffice_entitlements', ev::text);
	END IF;
END $$;

CREATE FUNCTION ticket_admitted_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'ticket' THEN
		PERFORM org_checkin_notify(NEW.id);
	ELSE
		PERFORM org_checkin_notify(NEW.ticket_id);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER ticket_admitted_notify AFTER UPDATE OF scans, undos ON ticket
	FOR EACH ROW WHEN ((OLD.scans > 2 * OLD.undos) IS DISTINCT FROM (NEW.scans > 2 * NEW.undos))
	EXECUTE FUNCTION ticket_admitted_notify();
CREATE TRIGGER pass_admitted_notify AFTER INSERT ON checkin_pass
	FOR EACH ROW WHEN (NEW.scans > 2 * NEW.undos) EXECUTE FUNCTION ticket_admitted_notify();
CREATE TRIGGER pass_changed_notify AFTER UPDATE OF scans, undos ON checkin_pass
	FOR EACH ROW WHEN ((OLD.scans > 2 * OLD.undos) IS DISTINCT FROM (NEW.scans > 2 * NEW.undos))
	EXECUTE FUNCTION ticket_admitted_notify();

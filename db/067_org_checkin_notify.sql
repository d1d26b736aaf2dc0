-- 067: an organization's "checked in" follows the gates. A plain check-in
-- sent no notice, so the Organizations screen's entitlement line (db/050's
-- org_entitlement counts tickets with scans > 0) moved only at gates that
-- count an area, or at the next read. A ticket's first admission now says
-- so on a channel of its own, with the event, when the ticket is an
-- organization's (its order placed on the organization's behalf); check-in
-- screens listen on boxoffice_tickets and would read again at every scan,
-- so not there. The WHEN clause keeps every later scan free of it.
CREATE FUNCTION ticket_admitted_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF EXISTS (SELECT 1 FROM ticket_order o WHERE o.id = NEW.order_id AND o.event_org_id IS NOT NULL) THEN
		PERFORM pg_notify('boxoffice_entitlements', NEW.event_id::text);
	END IF;
	RETURN NULL;
END $$;

CREATE TRIGGER ticket_admitted_notify AFTER UPDATE OF scans ON ticket
	FOR EACH ROW WHEN (OLD.scans = 0 AND NEW.scans > 0) EXECUTE FUNCTION ticket_admitted_notify();

-- Repeated rejects at a gate raise the gate_rejects alert (046) from the
-- refusals 048 now keeps, so the rule holds for every gate — station,
-- CLI or HTTP — without the gate side having to report them.
CREATE FUNCTION alert_on_reject() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
	PERFORM alert_gate_reject(NEW.event_id, NEW.gate);
	RETURN NULL;
END $$;
CREATE TRIGGER alert_on_reject AFTER INSERT ON checkin_reject
	FOR EACH ROW EXECUTE FUNCTION alert_on_reject();

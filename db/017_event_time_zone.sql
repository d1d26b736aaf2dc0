-- 017_event_time_zone.sql: an event's days are its own time zone's days.
-- An order's date, and "today" on the dashboard, are the calendar day in
-- the event's time zone, whatever the time zone of the server or of the
-- session that made the order (before this, order_date defaulted to the
-- session's current_date, and the dashboard's "today" was the reading
-- session's current_date: near midnight the two could disagree, and both
-- could disagree with the clock on the wall of the venue).

ALTER TABLE event ADD COLUMN time_zone text NOT NULL DEFAULT 'Europe/Oslo';

-- Only real zone names (as the server's time zone database knows them):
-- not abbreviations or POSIX offsets, which AT TIME ZONE would also take.
CREATE FUNCTION event_time_zone_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = NEW.time_zone) THEN
		RAISE EXCEPTION 'time zone ''%'' is not a known zone name (such as Europe/Oslo)', NEW.time_zone
			USING ERRCODE = '22023';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER event_time_zone_check BEFORE INSERT OR UPDATE OF time_zone ON event
	FOR EACH ROW EXECUTE FUNCTION event_time_zone_check();

-- The one definition of "which day is it at the event": the calendar day
-- of a moment in the event's time zone. An order's date is event_day of
-- its creation; the dashboard's today is event_day of now().
CREATE FUNCTION event_day(p_event bigint, p_at timestamptz) RETURNS date
LANGUAGE sql STABLE AS $$
	SELECT (p_at AT TIME ZONE e.time_zone)::date FROM event e WHERE e.id = p_event
$$;

-- A new order is dated by event_day of its creation unless a date is
-- given (imports and demo data bring their own).
ALTER TABLE ticket_order ALTER COLUMN order_date DROP DEFAULT;
CREATE FUNCTION ticket_order_date() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.order_date IS NULL THEN
		NEW.order_date := event_day(NEW.event_id, NEW.created_at);
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER ticket_order_date BEFORE INSERT ON ticket_order
	FOR EACH ROW EXECUTE FUNCTION ticket_order_date();

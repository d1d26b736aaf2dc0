-- 013_ticket_rev.sql: what changed since a gate last looked. Every new or
-- changed ticket records the transaction that wrote it (rev = its xid), so
-- a gate fetches only what changed since its last refresh (a reissue, a
-- void, another gate's scan) instead of every ticket again.
--
-- Why transaction IDs and not a sequence: a sequence number is taken
-- before COMMIT, so a reader can see number 101 committed while 100 is
-- still in flight, and remembering "101" would lose 100 for ever. A gate
-- instead remembers the xmin of the snapshot its refresh started from:
-- every transaction below it had finished then, so the next refresh asks
-- for rev >= that xmin and misses nothing (it may see a row twice, which
-- is harmless).
-- Rows from before this migration keep NULL: the first full load sees them.
ALTER TABLE ticket ADD COLUMN rev bigint;
ALTER TABLE ticket ALTER COLUMN rev SET DEFAULT (pg_current_xact_id()::text::bigint);

CREATE FUNCTION ticket_bump_rev() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.rev := pg_current_xact_id()::text::bigint;
	RETURN NEW;
END $$;
-- Only the columns a gate decides by.
CREATE TRIGGER ticket_rev_on_change BEFORE UPDATE OF issue, status, scans, event_id ON ticket
	FOR EACH ROW EXECUTE FUNCTION ticket_bump_rev();
-- No index on rev, on purpose: a check-in updates scans, and an indexed rev
-- would turn every check-in into a non-HOT update of all ticket indexes.
-- A refresh reads the table once (a gate refreshes once a minute).

-- Where the next refresh starts: every transaction below this had ended
-- when the snapshot was taken.
CREATE FUNCTION checkin_cache_horizon() RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint
$$;

-- A permanent identity for this database, so that stations keep state
-- (gate caches, offline journals) per database: a gate pointed at another
-- database (staging and live, or one rebuilt from scratch) must never use
-- the first one's event keys or upload its journal there.
-- Made once, by the migration; a dump restored elsewhere carries it along,
-- which is right: the restored data (event keys, tickets) is the same.
CREATE TABLE database_identity (
	one_row boolean PRIMARY KEY DEFAULT true CHECK (one_row),
	id uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
	created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO database_identity DEFAULT VALUES;

CREATE FUNCTION database_identity_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'the database identity is permanent' USING ERRCODE = 'BX000';
END $$;
CREATE TRIGGER database_identity_permanent BEFORE UPDATE OR DELETE ON database_identity
	FOR EACH ROW EXECUTE FUNCTION database_identity_guard();
CREATE TRIGGER database_identity_no_truncate BEFORE TRUNCATE ON database_identity
	FOR EACH STATEMENT EXECUTE FUNCTION database_identity_guard();

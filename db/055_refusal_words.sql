-- 055_refusal_words.sql: a refusal names what it needs (issue 17 review).
-- A write to a table the login may read (`boxoffice demo` run as a
-- supervisor inserts events) was reported as needing the first role that
-- may read it ("needs the gate role"): only the owner writes tables
-- directly, so a table the login can read already means the owner.
CREATE OR REPLACE FUNCTION privilege_needed(p_message text) RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
	m text[];
	r text;
BEGIN
	m := regexp_match(p_message, 'permission denied for (function|table|view|sequence) "?([a-z_0-9]+)"?');
	IF m IS NULL THEN
		m := regexp_match(p_message, 'needs the ([a-z]+) role');
		RETURN m[1];
	END IF;
	IF m[1] <> 'function' AND to_regclass(m[2]) IS NOT NULL
	   AND has_table_privilege(session_user, m[2]::regclass, 'SELECT') THEN
		RETURN 'owner';
	END IF;
	FOREACH r IN ARRAY ARRAY['gate', 'clerk', 'supervisor', 'api'] LOOP
		IF m[1] = 'function' THEN
			IF EXISTS (SELECT 1 FROM function_grant WHERE fn = m[2] AND r = ANY (roles)) THEN
				RETURN r;
			END IF;
		ELSIF to_regclass(m[2]) IS NOT NULL
		      AND has_table_privilege('boxoffice_' || r, m[2]::regclass, 'SELECT') THEN
			RETURN r;
		END IF;
	END LOOP;
	RETURN 'owner';
END $$;

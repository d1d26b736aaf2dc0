-- 072: what serve's callers send is held to the rules every other path
-- keeps.
--
-- 1. api_text refused only lengths: POST /orders and /tickets/adjust stored
--    a company "a<ESC>[31mb", a contact with U+202E or a newline, a
--    reference with U+0085, as they came, where the CLI refuses them
--    (src/core/validate.c: no C0, DEL or C1 control). A text field of the
--    API now refuses control characters (C0, DEL, C1) and the Unicode
--    characters that reorder text (bidi embeddings, overrides and isolates:
--    U+202A-U+202E, U+2066-U+2069), so no client that bypasses serve can
--    store them either (22023: 400 over HTTP, exit 2 in the CLI).
CREATE OR REPLACE FUNCTION api_text(p_body jsonb, p_field text, p_max integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	v jsonb := p_body -> p_field;
BEGIN
	IF v IS NULL OR jsonb_typeof(v) = 'null' THEN
		RETURN NULL;
	END IF;
	IF jsonb_typeof(v) <> 'string' THEN
		RAISE EXCEPTION '% must be a string', p_field USING ERRCODE = '22023';
	END IF;
	IF (v #>> '{}') ~ '[\u0001-\u001f\u007f-\u009f]' THEN
		RAISE EXCEPTION '% contains control characters', p_field USING ERRCODE = '22023';
	END IF;
	IF (v #>> '{}') ~ '[\u202a-\u202e\u2066-\u2069]' THEN
		RAISE EXCEPTION '% contains characters that reorder text (bidi overrides)', p_field
			USING ERRCODE = '22023';
	END IF;
	IF length(v #>> '{}') > p_max THEN
		RAISE EXCEPTION '% is longer than % characters', p_field, p_max USING ERRCODE = '22023';
	END IF;
	RETURN v #>> '{}';
END $$;

-- 2. An API key's idempotency key is one request whichever endpoint it
--    names: POST /orders keeps it as order:KEY:…, /tickets/adjust as
--    api:KEY:…, so the same key on both made two orders where README says
--    the same key with other content is refused (409). A key new on one
--    endpoint that the same API key used on the other is refused (BX005);
--    a replay on its own endpoint is answered as before, also for the pairs
--    stored before this (both rows exist: each endpoint replays its own).
--    The twins take one transaction lock, so two at once cannot both pass.
--    The client's part of such a key holds no control character (as
--    api_text's fields).
CREATE OR REPLACE FUNCTION idempotency_begin(p_key text, p_op text, p_args jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	prev record;
	m text[] := regexp_match(p_key, '^(api|order):([0-9]+):(.*)$', 's');
	twin text;
BEGIN
	IF p_key IS NULL THEN
		RETURN NULL;
	END IF;
	IF m IS NOT NULL THEN
		IF m[3] ~ '[\u0001-\u001f\u007f-\u009f]' THEN
			RAISE EXCEPTION 'the idempotency key contains control characters' USING ERRCODE = '22023';
		END IF;
		twin := CASE m[1] WHEN 'api' THEN 'order:' ELSE 'api:' END || m[2] || ':' || m[3];
		PERFORM pg_advisory_xact_lock(hashtextextended('idempotency:' || m[2] || ':' || m[3], 0));
		IF NOT EXISTS (SELECT 1 FROM idempotency WHERE key = p_key)
		   AND EXISTS (SELECT 1 FROM idempotency WHERE key = twin) THEN
			RAISE EXCEPTION 'idempotency key % was used for a different request (on %)', m[3],
				CASE m[1] WHEN 'api' THEN 'POST /orders' ELSE 'POST /tickets/adjust' END
				USING ERRCODE = 'BX005';
		END IF;
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

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

-- Signed calls of recipe platforms (issue 16, item 4): HubSpot workflow
-- webhooks and Zendesk webhooks are verified by serve with the platform's
-- own signature (the secret in platform_secret under the platform's name,
-- `boxoffice platform secret --platform hubspot --secret S`), then run as
-- the live channel API key NAMED after the platform (`boxoffice apikey add
-- hubspot --channel web`): which channel the platform sells for, its change
-- log name, revocation and idempotency are that key's. No key, or a revoked
-- one: refused like a revoked key (HTTP 401), nothing changes.
CREATE FUNCTION api_signed_adjust(p_platform text, p_body jsonb, p_idem text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	kid bigint;
BEGIN
	SELECT k.id INTO kid FROM api_key k
	WHERE lower(k.name) = lower(p_platform) AND k.revoked_at IS NULL AND k.channel IS NOT NULL;
	IF kid IS NULL THEN
		RAISE EXCEPTION 'no live channel API key named % (boxoffice apikey add % --channel web)',
			p_platform, p_platform USING ERRCODE = '28000';
	END IF;
	RETURN api_adjust(kid, p_body, p_idem);
END $$;

INSERT INTO function_grant (fn, definer, roles) VALUES ('api_signed_adjust', true, '{api}');

-- Replays of signed recipe calls (issue 16 review): HubSpot v1/v2 carry no
-- timestamp and a body may have neither reference nor idempotency_key, so
-- a captured signed request would sell again on every replay. The same
-- signed request (same signature: a valid one covers the body, and for
-- v3/Zendesk the timestamp) now applies once: its signature is recorded in
-- webhook_delivery in the adjust's transaction, and a replay is answered
-- with the first answer, changing nothing. Distinct sales need distinct
-- bodies (a reference or idempotency_key). A refused call records nothing
-- (its transaction rolls back), so its replay is refused again.
CREATE FUNCTION api_signed_adjust_once(p_platform text, p_body jsonb, p_idem text, p_delivery text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	prev jsonb;
	answer jsonb;
BEGIN
	IF p_delivery IS NULL OR length(p_delivery) NOT BETWEEN 1 AND 300 THEN
		RAISE EXCEPTION 'a signature has 1 to 300 characters' USING ERRCODE = '22023';
	END IF;
	-- a revoked (or missing) key refuses even a replay
	IF NOT EXISTS (SELECT 1 FROM api_key k WHERE lower(k.name) = lower(p_platform) AND k.revoked_at IS NULL
		       AND k.channel IS NOT NULL) THEN
		RAISE EXCEPTION 'no live channel API key named % (boxoffice apikey add % --channel web)',
			p_platform, p_platform USING ERRCODE = '28000';
	END IF;
	INSERT INTO webhook_delivery (platform, delivery_id, topic, outcome, detail)
	VALUES (p_platform, p_delivery, 'adjust', 'pending', '{}')
	ON CONFLICT (platform, delivery_id) DO NOTHING;
	IF NOT FOUND THEN
		SELECT d.detail -> 'answer' INTO prev FROM webhook_delivery d
		WHERE d.platform = p_platform AND d.delivery_id = p_delivery;
		RETURN coalesce(prev, '{}') || '{"replay": true}';
	END IF;
	answer := api_signed_adjust(p_platform, p_body, p_idem);
	UPDATE webhook_delivery SET outcome = 'applied', detail = jsonb_build_object('answer', answer)
	WHERE platform = p_platform AND delivery_id = p_delivery;
	RETURN answer;
END $$;

INSERT INTO function_grant (fn, definer, roles) VALUES ('api_signed_adjust_once', true, '{api}');

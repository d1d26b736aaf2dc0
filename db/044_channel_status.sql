-- channel status as a supervisor reads it (a new supervisor's review of
-- issue 16): the last error is shown only while it is the channel's latest
-- word (after a success it is history, kept as last_failure's time), and
-- the lag counts from the oldest change not delivered, a dead letter too:
-- a channel with a dead letter is out of step, whatever its queue says.
CREATE OR REPLACE FUNCTION channel_status() RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT coalesce(jsonb_agg(jsonb_build_object('id', c.id, 'name', c.name, 'platform', c.platform,
		'sells', c.sales_channel, 'enabled', c.enabled,
		'last_success', c.last_success, 'last_failure', c.last_failure,
		'last_error', CASE WHEN c.last_failure IS NOT NULL
				    AND c.last_failure >= coalesce(c.last_success, '-infinity')
				   THEN c.last_error END,
		'failures', c.failures,
		'lag_seconds', coalesce(round(extract(epoch FROM now() - least(p.oldest, d.oldest))::numeric, 3), 0),
		'pending', p.n, 'dead', d.n, 'sent', s.n,
		'last_resync', c.last_resync, 'drift', coalesce(c.drift, '{}'))
		ORDER BY c.name), '[]')
	FROM platform_channel c
	CROSS JOIN LATERAL (SELECT count(*) AS n, min(created_at) AS oldest FROM channel_outbox
			    WHERE channel_id = c.id AND state = 'pending') p
	CROSS JOIN LATERAL (SELECT count(*) AS n, min(created_at) AS oldest FROM channel_outbox
			    WHERE channel_id = c.id AND state = 'dead') d
	CROSS JOIN LATERAL (SELECT count(*) AS n FROM channel_outbox WHERE channel_id = c.id AND state = 'sent') s
$$;

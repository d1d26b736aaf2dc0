-- 005_tickets.sql: tickets reach people. Event signing keys, assigning
-- tickets to event-specific persons, and reissue (a new issue number makes
-- the old QR stop working).

-- The Ed25519 key pair tokens are signed with, one per event. The secret
-- stays in the database, where tokens are minted; entrance stations only
-- need the public key (boxoffice event key).
CREATE TABLE event_key (
	event_id bigint PRIMARY KEY REFERENCES event (id),
	public_key bytea NOT NULL CHECK (length(public_key) = 32),
	secret_key bytea NOT NULL CHECK (length(secret_key) = 64),
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX person_event_name_idx ON person (event_id, lower(name));

-- Assigns a ticket to the event's person with this e-mail (created, or
-- updated with the given name and company). Moving a ticket to someone
-- else bumps its issue number: the previous holder's QR stops working.
CREATE FUNCTION ticket_assign(p_ticket bigint, p_name text, p_email text, p_company text,
			      p_reason text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	k ticket;
	pid bigint;
	reissued boolean := false;
BEGIN
	SELECT * INTO k FROM ticket WHERE id = p_ticket FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'ticket % does not exist', p_ticket USING ERRCODE = 'BX021';
	END IF;
	IF k.status <> 'valid' THEN
		RAISE EXCEPTION 'ticket % is void (its order was cancelled or refunded)', p_ticket
			USING ERRCODE = 'BX030';
	END IF;
	IF p_name IS NULL OR btrim(p_name) = '' OR length(p_name) > 200 THEN
		RAISE EXCEPTION 'a name of 1 to 200 characters is needed' USING ERRCODE = 'BX021';
	END IF;
	IF p_email IS NULL OR p_email !~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$' OR length(p_email) > 254 THEN
		RAISE EXCEPTION '"%" is not an e-mail address', left(p_email, 60) USING ERRCODE = 'BX021';
	END IF;
	INSERT INTO person (event_id, name, email, company)
	VALUES (k.event_id, btrim(p_name), btrim(p_email), coalesce(btrim(p_company), ''))
	ON CONFLICT (event_id, lower(email)) DO UPDATE
	SET name = EXCLUDED.name, company = CASE WHEN EXCLUDED.company <> '' THEN EXCLUDED.company
						 ELSE person.company END
	RETURNING id INTO pid;
	IF k.person_id IS DISTINCT FROM pid THEN
		reissued := k.person_id IS NOT NULL;
		UPDATE ticket SET person_id = pid, issue = issue + CASE WHEN reissued THEN 1 ELSE 0 END
		WHERE id = p_ticket;
		INSERT INTO change_log (entity, entity_id, action, reason, event_id, type_id, detail)
		VALUES ('ticket', p_ticket, CASE WHEN reissued THEN 'reassigned' ELSE 'assigned' END,
			coalesce(p_reason, ''), k.event_id, k.type_id,
			jsonb_build_object('person', pid, 'from', k.person_id));
		PERFORM pg_notify('boxoffice_tickets', json_build_object('ticket', p_ticket,
			'order', k.order_id, 'event', k.event_id)::text);
	END IF;
	RETURN (SELECT jsonb_build_object('ticket', t.id, 'person', t.person_id, 'issue', t.issue,
		'reissued', reissued) FROM ticket t WHERE t.id = p_ticket);
END $$;

-- Unassigning or reissuing ("lost my ticket") also invalidates the old QR.
CREATE FUNCTION ticket_reissue(p_ticket bigint, p_unassign boolean, p_reason text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	k ticket;
BEGIN
	SELECT * INTO k FROM ticket WHERE id = p_ticket FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'ticket % does not exist', p_ticket USING ERRCODE = 'BX021';
	END IF;
	IF k.status <> 'valid' THEN
		RAISE EXCEPTION 'ticket % is void', p_ticket USING ERRCODE = 'BX030';
	END IF;
	UPDATE ticket SET issue = issue + 1,
		person_id = CASE WHEN p_unassign THEN NULL ELSE person_id END
	WHERE id = p_ticket;
	INSERT INTO change_log (entity, entity_id, action, reason, event_id, type_id, detail)
	VALUES ('ticket', p_ticket, CASE WHEN p_unassign THEN 'unassigned' ELSE 'reissued' END,
		coalesce(p_reason, ''), k.event_id, k.type_id, jsonb_build_object('issue', k.issue + 1));
	PERFORM pg_notify('boxoffice_tickets', json_build_object('ticket', p_ticket,
		'order', k.order_id, 'event', k.event_id)::text);
	RETURN jsonb_build_object('ticket', p_ticket, 'issue', k.issue + 1);
END $$;

-- 076: a reissue or an unassign asked for at a screen names the issue the
-- clerk saw. Two stations reissuing the same ticket ("I lost my ticket" at
-- two desks, or My Tickets and Assign tickets at once) both succeeded
-- (issue 2, then 3), so the QR the first had just handed over died
-- without a word. With p_seen_issue the second is refused (BX004, changed
-- since read) with the issue that is current; without it (the CLI's
-- `ticket reissue`/`unassign`, an explicit command) nothing changes.

DROP FUNCTION ticket_reissue(bigint, boolean, text);

CREATE FUNCTION ticket_reissue(p_ticket bigint, p_unassign boolean, p_reason text,
			       p_seen_issue integer DEFAULT NULL)
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
	IF p_seen_issue IS NOT NULL AND k.issue <> p_seen_issue THEN
		RAISE EXCEPTION 'ticket % changed at another station meanwhile (now issue %): nothing done; read it again',
			p_ticket, k.issue USING ERRCODE = 'BX004';
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

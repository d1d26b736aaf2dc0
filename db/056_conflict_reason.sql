-- 056_conflict_reason.sql: a supervisor's reason for settling an offline
-- conflict goes into the change log as typed, so it is checked first
-- (issue 17 review): trimmed, at most 500 characters, no control
-- characters (a reason is one line a person reads); refused with 22023.
-- Voiding already reaches the gates: the ticket's status change bumps its
-- rev (013), so the next cache refresh of every gate refuses it.
CREATE OR REPLACE FUNCTION conflict_settle(p_id bigint, p_void boolean, p_reason text) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	c checkin_conflict;
	k ticket;
BEGIN
	PERFORM boxoffice_require('supervisor', CASE WHEN p_void THEN 'voiding a ticket' ELSE 'reviewing a conflict' END);
	p_reason := btrim(p_reason);
	IF p_void AND length(coalesce(p_reason, '')) = 0 THEN
		RAISE EXCEPTION 'voiding a ticket needs a reason' USING ERRCODE = '22023';
	END IF;
	IF length(p_reason) > 500 THEN
		RAISE EXCEPTION 'a reason is at most 500 characters (this one has %)', length(p_reason)
			USING ERRCODE = '22023';
	END IF;
	IF p_reason ~ '[[:cntrl:]]' THEN
		RAISE EXCEPTION 'a reason is one line of text: no control characters' USING ERRCODE = '22023';
	END IF;
	SELECT * INTO c FROM checkin_conflict WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'conflict %: no such conflict', p_id USING ERRCODE = 'BX404';
	END IF;
	IF c.reviewed_at IS NOT NULL THEN
		RAISE EXCEPTION 'conflict %: settled already (%)', p_id, c.resolution USING ERRCODE = 'BX409';
	END IF;
	SELECT * INTO k FROM ticket WHERE id = c.ticket_id FOR UPDATE;
	IF p_void THEN
		IF k.status <> 'valid' THEN
			RAISE EXCEPTION 'ticket %: void already', k.id USING ERRCODE = 'BX409';
		END IF;
		UPDATE ticket SET status = 'void' WHERE id = k.id;
		INSERT INTO change_log (entity, entity_id, action, reason, event_id, detail)
		VALUES ('ticket', k.id, 'void', p_reason, k.event_id,
			jsonb_build_object('conflict', c.id, 'gate', c.gate));
	END IF;
	UPDATE checkin_conflict SET reviewed_at = now(), reviewed_by = session_user,
		resolution = CASE WHEN p_void THEN 'voided' ELSE 'reviewed' END
	WHERE id = c.id;
	INSERT INTO change_log (entity, entity_id, action, reason, event_id, detail)
	VALUES ('checkin_conflict', c.id, CASE WHEN p_void THEN 'voided' ELSE 'reviewed' END,
		coalesce(p_reason, ''), k.event_id,
		jsonb_build_object('ticket', k.id, 'gate', c.gate));
	RETURN jsonb_build_object('id', c.id, 'ticket', k.id,
				  'resolution', CASE WHEN p_void THEN 'voided' ELSE 'reviewed' END,
				  'ticket_status', CASE WHEN p_void THEN 'void' ELSE k.status::text END);
END $$;

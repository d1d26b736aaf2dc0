-- 007_assignment.sql: assignments never take a ticket someone holds and
-- never rename a person, unless that is what was asked.
--
-- Before: bulk assignment read the order's free tickets before its
-- transaction and ticket_assign() silently moved an already-held ticket,
-- so two bulk runs started together both "assigned" every row while one
-- file's people ended up holding nothing; and an e-mail that found an
-- existing person overwrote that person's name and company everywhere.
-- Now:
--   * ticket_assign_next() picks the order's next free ticket inside the
--     transaction (FOR NO KEY UPDATE SKIP LOCKED, re-checked under the
--     lock), so concurrent bulk runs get different tickets or run short
--     and are refused whole;
--   * moving a held ticket to someone else needs p_reassign;
--   * an e-mail finds its person; a different name or company is a
--     conflict unless p_rename.
-- Refusal codes: BX021 bad input, BX030 void ticket, BX040 the e-mail's
-- person has another name or company, BX041 the ticket is held by someone
-- else, BX042 no free ticket left in the order.

-- Why a person's text is refused (NULL when it is fine). The clients check
-- the same in src/core/validate.c first; this stands behind them.
CREATE FUNCTION person_text_problem(p_name text, p_email text, p_company text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE
		WHEN p_name IS NULL OR btrim(p_name) = '' THEN 'name is required'
		WHEN length(p_name) > 200 THEN 'name is too long (at most 200 characters)'
		WHEN p_name ~ '[\x01-\x1f\x7f-\x9f]' THEN 'name contains control characters'
		WHEN p_email IS NULL OR btrim(p_email) = '' THEN 'e-mail is required'
		WHEN length(p_email) > 254 THEN 'e-mail is too long (at most 254 characters)'
		WHEN p_email ~ '[\x01-\x1f\x7f-\x9f]' THEN 'e-mail contains control characters'
		WHEN btrim(p_email) !~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'
			THEN format('"%s" is not an e-mail address', left(p_email, 60))
		WHEN length(coalesce(p_company, '')) > 200 THEN 'company is too long (at most 200 characters)'
		WHEN coalesce(p_company, '') ~ '[\x01-\x1f\x7f-\x9f]' THEN 'company contains control characters'
	END
$$;

-- The assignment itself. Returns {"ticket","person","issue","reissued"},
-- or {"error","code"} for a refusal (it does not raise, so a bulk run can
-- list every row's reason in one transaction; ticket_assign() raises).
CREATE FUNCTION ticket_assign_try(p_ticket bigint, p_name text, p_email text, p_company text,
				  p_reason text, p_reassign boolean, p_rename boolean)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	k ticket;
	h person;
	pe person;
	pid bigint;
	reissued boolean := false;
	nm text := btrim(p_name);
	em text := btrim(p_email);
	co text := btrim(coalesce(p_company, ''));
	why text := person_text_problem(p_name, p_email, p_company);
BEGIN
	IF why IS NOT NULL THEN
		RETURN jsonb_build_object('error', why, 'code', 'BX021');
	END IF;
	SELECT * INTO k FROM ticket WHERE id = p_ticket FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		RETURN jsonb_build_object('error', format('ticket %s does not exist', p_ticket), 'code', 'BX021');
	END IF;
	IF k.status <> 'valid' THEN
		RETURN jsonb_build_object('error',
			format('ticket %s is void (its order was cancelled or refunded)', p_ticket), 'code', 'BX030');
	END IF;
	-- Held by someone else: only an explicit reassignment moves it.
	IF k.person_id IS NOT NULL THEN
		SELECT * INTO h FROM person WHERE id = k.person_id;
		IF lower(h.email) <> lower(em) AND NOT coalesce(p_reassign, false) THEN
			RETURN jsonb_build_object('error', format(
				'ticket %s is held by %s <%s>; moving it must be asked for (reassign: the old QR stops working)',
				p_ticket, h.name, h.email), 'code', 'BX041');
		END IF;
	END IF;
	-- The e-mail finds the person; a new e-mail makes one.
	SELECT * INTO pe FROM person WHERE event_id = k.event_id AND lower(email) = lower(em);
	IF NOT FOUND THEN
		INSERT INTO person (event_id, name, email, company)
		VALUES (k.event_id, nm, em, co)
		ON CONFLICT (event_id, lower(email)) DO NOTHING
		RETURNING id INTO pid;
		IF pid IS NULL THEN -- made by another station a moment ago
			SELECT * INTO pe FROM person WHERE event_id = k.event_id AND lower(email) = lower(em);
		END IF;
	END IF;
	IF pid IS NULL THEN
		IF pe.name <> nm OR (co <> '' AND co <> pe.company) THEN
			IF NOT coalesce(p_rename, false) THEN
				RETURN jsonb_build_object('error', format(
					'%s belongs to %s%s, not %s%s: renaming must be confirmed',
					em, pe.name, CASE WHEN pe.company <> '' THEN ' (' || pe.company || ')' ELSE '' END,
					nm, CASE WHEN co <> '' THEN ' (' || co || ')' ELSE '' END), 'code', 'BX040');
			END IF;
			UPDATE person SET name = nm, company = CASE WHEN co <> '' THEN co ELSE company END
			WHERE id = pe.id;
			INSERT INTO change_log (entity, entity_id, action, reason, event_id, detail)
			VALUES ('person', pe.id, 'renamed', coalesce(p_reason, ''), k.event_id,
				jsonb_build_object('from', jsonb_build_object('name', pe.name, 'company', pe.company),
						   'to', jsonb_build_object('name', nm, 'company',
							CASE WHEN co <> '' THEN co ELSE pe.company END)));
		END IF;
		pid := pe.id;
	END IF;
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

-- One ticket, by ID: refusals raise (one call, one statement).
CREATE FUNCTION ticket_assign(p_ticket bigint, p_name text, p_email text, p_company text,
			      p_reason text, p_reassign boolean, p_rename boolean)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	r jsonb := ticket_assign_try(p_ticket, p_name, p_email, p_company, p_reason, p_reassign, p_rename);
BEGIN
	IF r ? 'error' THEN
		RAISE EXCEPTION '%', r->>'error' USING ERRCODE = r->>'code';
	END IF;
	RETURN r;
END $$;

-- The old five-argument call (stations not yet upgraded) no longer moves
-- held tickets or renames people.
CREATE OR REPLACE FUNCTION ticket_assign(p_ticket bigint, p_name text, p_email text, p_company text,
					 p_reason text)
RETURNS jsonb LANGUAGE sql AS $$
	SELECT ticket_assign(p_ticket, p_name, p_email, p_company, p_reason, false, false)
$$;

-- The order's next free ticket, chosen and locked inside the caller's
-- transaction: tickets another transaction is assigning right now are
-- skipped, and a ticket assigned since the snapshot fails the re-check
-- under the lock. Never takes a held ticket.
CREATE FUNCTION ticket_assign_next(p_order bigint, p_name text, p_email text, p_company text,
				   p_reason text, p_rename boolean)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	tid bigint;
	why text := person_text_problem(p_name, p_email, p_company);
BEGIN
	IF why IS NOT NULL THEN
		RETURN jsonb_build_object('error', why, 'code', 'BX021');
	END IF;
	SELECT id INTO tid FROM ticket
	WHERE order_id = p_order AND status = 'valid' AND person_id IS NULL
	ORDER BY id LIMIT 1 FOR NO KEY UPDATE SKIP LOCKED;
	IF tid IS NULL THEN
		RETURN jsonb_build_object('error', 'no unassigned ticket left in the order', 'code', 'BX042');
	END IF;
	RETURN ticket_assign_try(tid, p_name, p_email, p_company, p_reason, false, p_rename);
END $$;

-- A bulk run: rows [[name, email, company], …] onto the order's free
-- tickets, one result per row in order. The caller commits only when no
-- row has an error.
CREATE FUNCTION ticket_assign_rows(p_order bigint, p_rows jsonb, p_reason text, p_rename boolean)
RETURNS SETOF jsonb LANGUAGE plpgsql AS $$
DECLARE
	r jsonb;
BEGIN
	PERFORM 1 FROM ticket_order WHERE id = p_order;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'order % does not exist', p_order USING ERRCODE = 'BX021';
	END IF;
	-- Bulk runs on one order take turns (until COMMIT), so the second sees
	-- what the first took and is refused whole when too few are left,
	-- rather than both running short on half the tickets each.
	PERFORM pg_advisory_xact_lock(7412007, (p_order % 2147483647)::integer);
	FOR r IN SELECT value FROM jsonb_array_elements(p_rows) WITH ORDINALITY ORDER BY ordinality LOOP
		RETURN NEXT ticket_assign_next(p_order, r->>0, r->>1, r->>2, p_reason, p_rename);
	END LOOP;
END $$;

-- 027_audit_browse.sql: browsing the change log (issue 14, item 3): by
-- order, ticket, person, station or user, newest first, a page at a time
-- by keyset (the rows before an id), for `boxoffice audit` and the Audit
-- log screen, which both call change_log_page().
--
-- What a row is "about" (from the INSERT INTO change_log sites):
--   order  entity 'order' (status changes, tickets_generated), 'inventory'
--          rows whose entity_id is the order (sell, order, cancelled,
--          refunded), 'inventory' rows of the holds confirmed into it
--          (hold, hold_confirmed…: their entity_id is the hold), and the
--          rows of its tickets (below);
--   ticket entity 'ticket' (assigned, reassigned, unassigned, reissued,
--          checkin_undo) and the area overrides that let it in ('area'
--          capacity_override, detail ticket); scans themselves live in
--          the scan table, not here;
--   person entity 'person' (renamed) and the rows of every ticket the
--          person holds or held (detail person/from of an assignment).

-- Keyset paging reads an index backwards from the page's edge: the
-- entity index gains id (001's (entity, entity_id) ordered ties by heap
-- position, so a page sorted all of an entity's rows), and station, user
-- and event get their own. The partial expression indexes find the
-- assignments that name a person and the overrides that name a ticket.
CREATE INDEX change_log_entity_id_idx ON change_log (entity, entity_id, id);
DROP INDEX IF EXISTS change_log_entity_idx;
CREATE INDEX change_log_station_idx ON change_log (station, id);
CREATE INDEX change_log_actor_idx ON change_log (actor, id);
CREATE INDEX change_log_event_idx ON change_log (event_id, id) WHERE event_id IS NOT NULL;
CREATE INDEX change_log_ticket_person_idx ON change_log ((detail->>'person'), id) WHERE entity = 'ticket';
CREATE INDEX change_log_ticket_from_idx ON change_log ((detail->>'from'), id) WHERE entity = 'ticket';
CREATE INDEX change_log_area_ticket_idx ON change_log ((detail->>'ticket'), id) WHERE entity = 'area';

-- A detail value as a few words: text as is, null as '-', an object by
-- its name (and company) or its first 40 characters of JSON.
CREATE FUNCTION change_log_value_text(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE jsonb_typeof(v)
		WHEN 'string' THEN v #>> '{}'
		WHEN 'number' THEN v #>> '{}'
		WHEN 'boolean' THEN CASE WHEN v = 'true' THEN 'yes' ELSE 'no' END
		WHEN 'null' THEN '-'
		WHEN 'object' THEN CASE
			WHEN v ? 'name' THEN (v->>'name') || CASE WHEN coalesce(v->>'company', '') <> ''
				THEN ' (' || (v->>'company') || ')' ELSE '' END
			WHEN length(v::text) > 40 THEN left(v::text, 39) || '…'
			ELSE v::text END
		ELSE CASE WHEN length(v::text) > 40 THEN left(v::text, 39) || '…' ELSE v::text END
	END
$$;

-- One line a person can read: what changed (from -> to, to whom a ticket
-- went, the detail's other keys) and the seat deltas.
CREATE FUNCTION change_log_summary(c change_log) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT concat_ws(' · ',
		CASE WHEN c.entity = 'ticket' AND c.detail ? 'person' THEN
			'to ' || coalesce((SELECT p.name || ' <' || p.email || '>' FROM person p
					   WHERE p.id = (c.detail->>'person')::bigint), '-')
			|| ' #' || (c.detail->>'person')
			|| CASE WHEN jsonb_typeof(c.detail->'from') = 'number'
				THEN ', was #' || (c.detail->>'from') ELSE '' END
		WHEN c.detail ? 'from' AND c.detail ? 'to' THEN
			change_log_value_text(c.detail->'from') || ' -> ' || change_log_value_text(c.detail->'to')
		WHEN c.detail ? 'before' AND c.detail ? 'after' THEN
			CASE WHEN jsonb_typeof(c.detail->'before') = 'null' THEN 'set: ' ELSE 'changed: ' END
			|| change_log_value_text(c.detail->'after')
		END,
		(SELECT string_agg(e.key || ' ' || change_log_value_text(e.value), ', ' ORDER BY e.key)
		 FROM jsonb_each(CASE WHEN jsonb_typeof(c.detail) = 'object' THEN c.detail ELSE '{}' END) e
		 WHERE NOT (e.key IN ('from', 'to') AND c.detail ? 'from' AND c.detail ? 'to')
		   AND NOT (e.key IN ('before', 'after') AND c.detail ? 'before' AND c.detail ? 'after')
		   AND NOT (e.key IN ('person', 'from') AND c.entity = 'ticket' AND c.detail ? 'person')),
		CASE WHEN c.sold_delta <> 0 THEN 'sold ' || CASE WHEN c.sold_delta > 0 THEN '+' ELSE '' END || c.sold_delta END,
		CASE WHEN c.held_delta <> 0 THEN 'held ' || CASE WHEN c.held_delta > 0 THEN '+' ELSE '' END || c.held_delta END,
		CASE WHEN c.reserved_delta <> 0 THEN 'reserved ' || CASE WHEN c.reserved_delta > 0 THEN '+' ELSE '' END
			|| c.reserved_delta END,
		CASE WHEN c.detail IS NOT NULL AND jsonb_typeof(c.detail) <> 'object' THEN change_log_value_text(c.detail) END)
$$;

-- A row as the CLI and the screen show it.
CREATE FUNCTION change_log_json(c change_log) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT jsonb_build_object('id', c.id, 'at', c.at, 'station', c.station, 'actor', c.actor,
		'entity', c.entity, 'entity_id', c.entity_id, 'action', c.action, 'reason', c.reason,
		'event', c.event_id, 'type', c.type_id, 'channel', c.channel,
		'deltas', jsonb_build_object('sold', c.sold_delta, 'held', c.held_delta, 'reserved', c.reserved_delta),
		'summary', change_log_summary(c), 'detail', c.detail)
$$;

-- A page of the change log, newest first: {"rows": [...], "next_before":
-- the id to pass as p_before for the next page, or null at the end}.
-- Every filter given narrows (they combine with AND); p_before NULL
-- starts at the newest row. p_after (the screen's live update): only
-- rows newer than it, still newest first and at most p_limit; its
-- next_before is then the oldest row's id when more new rows were left
-- out. An order, ticket or person that does not exist is refused (BX001).
CREATE FUNCTION change_log_page(p_order bigint, p_ticket bigint, p_person bigint, p_station text,
				p_actor text, p_event bigint, p_before bigint, p_limit integer,
				p_after bigint DEFAULT NULL) RETURNS jsonb
LANGUAGE plpgsql STABLE SECURITY INVOKER AS $$
DECLARE
	order_tickets bigint[];
	order_holds bigint[];
	person_tickets bigint[];
	q text := 'SELECT c FROM change_log c WHERE true';
	page change_log[];
	more boolean;
BEGIN
	IF p_limit IS NULL OR p_limit < 1 OR p_limit > 500 THEN
		RAISE EXCEPTION 'a page is 1 to 500 rows' USING ERRCODE = '22023';
	END IF;
	IF p_order IS NOT NULL THEN
		IF NOT EXISTS (SELECT 1 FROM ticket_order WHERE id = p_order) THEN
			RAISE EXCEPTION 'order %: no such order', p_order USING ERRCODE = 'BX001';
		END IF;
		SELECT coalesce(array_agg(id), '{}') INTO order_tickets FROM ticket WHERE order_id = p_order;
		SELECT coalesce(array_agg(id), '{}') INTO order_holds FROM hold WHERE order_id = p_order;
		q := q || ' AND ((c.entity = ''order'' AND c.entity_id = $1)'
			  ' OR (c.entity = ''inventory'' AND c.entity_id = $1'
			  '     AND c.action IN (''sell'', ''order'', ''cancelled'', ''refunded''))'
			  ' OR (c.entity = ''inventory'' AND c.entity_id = ANY ($11)'
			  '     AND c.action IN (''hold'', ''hold_confirmed'', ''hold_released'', ''hold_expired''))'
			  ' OR (c.entity = ''ticket'' AND c.entity_id = ANY ($10))'
			  ' OR (c.entity = ''area'' AND c.detail->>''ticket'' = ANY ($10::text[])))';
	END IF;
	IF p_ticket IS NOT NULL THEN
		IF NOT EXISTS (SELECT 1 FROM ticket WHERE id = p_ticket) THEN
			RAISE EXCEPTION 'ticket %: no such ticket', p_ticket USING ERRCODE = 'BX001';
		END IF;
		q := q || ' AND ((c.entity = ''ticket'' AND c.entity_id = $2)'
			  ' OR (c.entity = ''area'' AND c.detail->>''ticket'' = $2::text))';
	END IF;
	IF p_person IS NOT NULL THEN
		IF NOT EXISTS (SELECT 1 FROM person WHERE id = p_person) THEN
			RAISE EXCEPTION 'person %: no such person', p_person USING ERRCODE = 'BX001';
		END IF;
		SELECT coalesce(array_agg(DISTINCT id), '{}') INTO person_tickets FROM (
			SELECT id FROM ticket WHERE person_id = p_person
			UNION
			SELECT entity_id FROM change_log
			WHERE entity = 'ticket' AND detail->>'person' = p_person::text
			UNION
			SELECT entity_id FROM change_log
			WHERE entity = 'ticket' AND detail->>'from' = p_person::text) k;
		q := q || ' AND ((c.entity = ''person'' AND c.entity_id = $3)'
			  ' OR (c.entity = ''ticket'' AND c.entity_id = ANY ($12))'
			  ' OR (c.entity = ''area'' AND c.detail->>''ticket'' = ANY ($12::text[])))';
	END IF;
	IF p_station IS NOT NULL THEN
		q := q || ' AND c.station = $4';
	END IF;
	IF p_actor IS NOT NULL THEN
		q := q || ' AND c.actor = $5';
	END IF;
	IF p_event IS NOT NULL THEN
		q := q || ' AND c.event_id = $6';
	END IF;
	IF p_before IS NOT NULL THEN
		q := q || ' AND c.id < $7';
	END IF;
	IF p_after IS NOT NULL THEN
		q := q || ' AND c.id > $9';
	END IF;
	-- An order's, ticket's or person's rows are few: found through their
	-- indexes and sorted (id + 0: never by walking the whole log backwards
	-- from the newest row, filtering, which the planner would pick for a
	-- LIMIT when it guesses the matches are spread evenly). Otherwise the
	-- newest matches come straight off an index read backwards.
	q := 'SELECT array_agg(r.c ORDER BY (r.c).id DESC) FROM (' || q || ' ORDER BY '
		|| CASE WHEN coalesce(p_order, p_ticket, p_person) IS NOT NULL THEN 'c.id + 0' ELSE 'c.id' END
		|| ' DESC LIMIT $8) r';
	EXECUTE q INTO page
		USING p_order, p_ticket, p_person, p_station, p_actor, p_event, p_before, p_limit + 1, p_after,
		      order_tickets, order_holds, person_tickets;
	page := coalesce(page, '{}');
	more := cardinality(page) > p_limit;
	IF more THEN
		page := page[1:p_limit];
	END IF;
	RETURN jsonb_build_object(
		'rows', coalesce((SELECT jsonb_agg(change_log_json(r) ORDER BY r.id DESC) FROM unnest(page) r), '[]'),
		'next_before', CASE WHEN more THEN page[p_limit].id END);
END $$;

-- Live: one notification a statement that logged something (and
-- PostgreSQL folds the same payload within a transaction into one), so
-- an Audit log screen reads the new rows.
CREATE FUNCTION change_log_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('boxoffice_changes', '');
	RETURN NULL;
END $$;
CREATE TRIGGER change_log_notify AFTER INSERT ON change_log
	FOR EACH STATEMENT EXECUTE FUNCTION change_log_notify();

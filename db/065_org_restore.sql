-- 065_org_restore.sql: an archived event organization can be found and
-- brought back. Archiving was one-way: the organization left every list,
-- and adding it again was refused as "takes part already". A package name
-- that is none names the event and the packages it has, not the event's
-- number alone; a merge no longer hides a live organization behind an
-- archived one.

-- The event organization locked for a change; refused when it is not
-- there, or changed since the version the caller read (NULL: any).
CREATE FUNCTION org_lock(p_eo bigint, p_version integer) RETURNS event_organization LANGUAGE plpgsql AS $$
DECLARE
	e event_organization;
BEGIN
	SELECT * INTO e FROM event_organization WHERE id = p_eo FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'event organization % does not exist', p_eo USING ERRCODE = 'BX021';
	END IF;
	IF p_version IS NOT NULL AND e.version <> p_version THEN
		RAISE EXCEPTION 'event organization % changed since you opened it (version % now %)',
			p_eo, p_version, e.version USING ERRCODE = 'BX004';
	END IF;
	RETURN e;
END $$;

-- Restores an archived event organization as it was (package, booth,
-- fields, its orders never left). Its booth comes back with it unless
-- another organization has been given that booth meanwhile: then it comes
-- back without one, and the answer's "booth_lost" names the booth (and
-- the change log says so).
CREATE FUNCTION org_restore(p_eo bigint, p_version integer) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	e event_organization;
	holder text;
	lost text := NULL;
BEGIN
	PERFORM set_config('boxoffice.reason', 'event organization restored', true);
	e := org_lock(p_eo, p_version);
	IF e.archived_at IS NULL THEN
		RAISE EXCEPTION 'event organization % is not archived', p_eo USING ERRCODE = 'BX002';
	END IF;
	IF btrim(e.booth) <> '' THEN
		SELECT o.name INTO holder FROM event_organization eo JOIN organization o ON o.id = eo.organization_id
		WHERE eo.event_id = e.event_id AND eo.id <> p_eo AND eo.archived_at IS NULL
		AND lower(btrim(eo.booth)) = lower(btrim(e.booth));
		IF FOUND THEN
			lost := btrim(e.booth);
		END IF;
	END IF;
	BEGIN
		UPDATE event_organization SET archived_at = NULL, version = version + 1, updated_at = now(),
			booth = CASE WHEN lost IS NULL THEN booth ELSE '' END
		WHERE id = p_eo;
	EXCEPTION WHEN unique_violation THEN
		-- given to another at the same moment (its transaction was not
		-- visible to the look above): back without it all the same
		lost := btrim(e.booth);
		UPDATE event_organization SET archived_at = NULL, version = version + 1, updated_at = now(), booth = ''
		WHERE id = p_eo;
		SELECT o.name INTO holder FROM event_organization eo JOIN organization o ON o.id = eo.organization_id
		WHERE eo.event_id = e.event_id AND eo.id <> p_eo AND eo.archived_at IS NULL
		AND lower(btrim(eo.booth)) = lower(lost);
	END;
	INSERT INTO change_log (entity, entity_id, action, reason, event_id)
	VALUES ('event_organization', p_eo, 'restored',
		CASE WHEN lost IS NULL THEN 'event organization restored'
		ELSE format('event organization restored without booth "%s" (given to "%s" meanwhile)', lost, holder) END,
		e.event_id);
	PERFORM pg_notify('boxoffice_events', 'org');
	RETURN org_result(p_eo) || jsonb_build_object('booth_lost', lost);
END $$;

-- The event's archived organizations, for `org list --archived`: what
-- org_restore takes, newest archived first.
CREATE FUNCTION org_archived(p_event bigint) RETURNS TABLE (id bigint, company_id bigint, organization text,
	relationship text, booth text, archived_at timestamptz, version integer)
LANGUAGE sql STABLE AS $$
	SELECT eo.id, o.id, o.name, eo.relationship::text, eo.booth, eo.archived_at, eo.version
	FROM event_organization eo JOIN organization o ON o.id = eo.organization_id
	WHERE eo.event_id = p_event AND eo.archived_at IS NOT NULL
	ORDER BY eo.archived_at DESC, eo.id
$$;

-- As in 063, but an unknown package is refused naming the event and the
-- packages it has ("none yet" and how to define one when it has none).
CREATE OR REPLACE FUNCTION org_package_give(p_eo bigint, p_package text, p_version integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	e event_organization;
	pid bigint;
	bad record;
	known text;
BEGIN
	PERFORM set_config('boxoffice.reason', 'package given', true);
	e := org_lock(p_eo, p_version);
	IF e.archived_at IS NOT NULL THEN
		RAISE EXCEPTION 'event organization % is archived', p_eo USING ERRCODE = 'BX002';
	END IF;
	SELECT id INTO pid FROM org_package WHERE event_id = e.event_id AND lower(name) = lower(btrim(p_package));
	IF NOT FOUND THEN
		SELECT string_agg(name, ', ' ORDER BY lower(name)) INTO known FROM org_package WHERE event_id = e.event_id;
		RAISE EXCEPTION 'no package "%" in %: %', btrim(p_package),
			(SELECT name FROM event WHERE id = e.event_id),
			CASE WHEN known IS NULL THEN 'it has none yet (a supervisor defines one with boxoffice org package)'
			ELSE 'its packages are ' || known END
			USING ERRCODE = 'BX021';
	END IF;
	SELECT e2.type_name, e2.ordered, coalesce(pi.qty, 0) AS qty INTO bad FROM org_entitlement e2
	LEFT JOIN org_package_item pi ON pi.package_id = pid AND pi.type_id = e2.type_id
	WHERE e2.event_org_id = p_eo AND e2.ordered > coalesce(pi.qty, 0) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'package "%" entitles to % %, below the % ordered already', p_package, bad.qty,
			bad.type_name, bad.ordered USING ERRCODE = 'BX002';
	END IF;
	UPDATE event_organization SET package_id = pid, package = (SELECT name FROM org_package WHERE id = pid),
		version = version + 1, updated_at = now() WHERE id = p_eo;
	INSERT INTO change_log (entity, entity_id, action, reason, event_id, detail)
	VALUES ('event_organization', p_eo, 'edited', 'package given', e.event_id,
		jsonb_build_object('package', p_package, '_version', e.version + 1));
	RETURN org_result(p_eo);
END $$;

-- As in 063, but a merge into a company whose organization in an event is
-- archived while the duplicate's there is live is refused: it deleted the
-- live one and moved its orders onto the archived one, which then left
-- every list without a word. Two booths refuse naming both ("has not"
-- was said of one that has another).
CREATE OR REPLACE FUNCTION org_merge(p_survivor bigint, p_dup bigint) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	s organization;
	d organization;
	r record;
	keep event_organization;
	n_orders integer := 0;
	n_persons integer;
	k integer;
BEGIN
	PERFORM set_config('boxoffice.reason', 'companies merged', true);
	IF p_survivor = p_dup THEN
		RAISE EXCEPTION 'a company cannot be merged into itself' USING ERRCODE = '22023';
	END IF;
	-- both rows in id order: A into B and B into A at once wait, never deadlock
	PERFORM 1 FROM organization WHERE id IN (p_survivor, p_dup) ORDER BY id FOR UPDATE;
	SELECT * INTO s FROM organization WHERE id = p_survivor;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'company % does not exist', p_survivor USING ERRCODE = 'BX021';
	END IF;
	SELECT * INTO d FROM organization WHERE id = p_dup;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'company % does not exist', p_dup USING ERRCODE = 'BX021';
	END IF;
	PERFORM 1 FROM event_organization WHERE organization_id IN (p_survivor, p_dup) ORDER BY id FOR UPDATE;
	FOR r IN SELECT * FROM event_organization WHERE organization_id = p_dup ORDER BY id LOOP
		SELECT * INTO keep FROM event_organization WHERE organization_id = p_survivor AND event_id = r.event_id;
		IF FOUND THEN
			IF keep.archived_at IS NOT NULL AND r.archived_at IS NULL THEN
				RAISE EXCEPTION '"%" is archived in event % where "%" takes part: restore it first (org restore %), or merge the other way',
					s.name, r.event_id, d.name, keep.id USING ERRCODE = 'BX002';
			END IF;
			IF r.package_id IS NOT NULL AND r.package_id IS DISTINCT FROM keep.package_id THEN
				RAISE EXCEPTION '"%" has package "%" in event % and "%" has not: give "%" that package first, or merge the other way',
					d.name, r.package, r.event_id, s.name, s.name USING ERRCODE = 'BX002';
			END IF;
			IF r.booth <> '' AND r.archived_at IS NULL AND lower(r.booth) <> lower(keep.booth) THEN
				IF keep.booth = '' THEN
					RAISE EXCEPTION '"%" has booth "%" in event % and "%" has none: give "%" that booth first',
						d.name, r.booth, r.event_id, s.name, s.name USING ERRCODE = 'BX002';
				END IF;
				RAISE EXCEPTION '"%" has booth "%" and "%" booth "%" in event %: one of them must give up its booth first',
					d.name, r.booth, s.name, keep.booth, r.event_id USING ERRCODE = 'BX002';
			END IF;
			UPDATE ticket_order SET event_org_id = keep.id, company = s.name WHERE event_org_id = r.id;
			GET DIAGNOSTICS k = ROW_COUNT;
			n_orders := n_orders + k;
			DELETE FROM event_organization WHERE id = r.id;
		ELSE
			UPDATE event_organization SET organization_id = p_survivor WHERE id = r.id;
			UPDATE ticket_order SET company = s.name WHERE event_org_id = r.id;
			GET DIAGNOSTICS k = ROW_COUNT;
			n_orders := n_orders + k;
		END IF;
	END LOOP;
	UPDATE event_organization SET version = version + 1, updated_at = now() WHERE organization_id = p_survivor;
	UPDATE ticket_order SET company = s.name
	WHERE event_org_id IS NULL AND org_name_key(company) = org_name_key(d.name);
	GET DIAGNOSTICS k = ROW_COUNT;
	n_orders := n_orders + k;
	UPDATE person SET organization_id = p_survivor WHERE organization_id = p_dup;
	GET DIAGNOSTICS n_persons = ROW_COUNT;
	DELETE FROM organization WHERE id = p_dup;
	INSERT INTO change_log (entity, entity_id, action, reason, detail)
	VALUES ('organization', p_survivor, 'merged', 'companies merged',
		jsonb_build_object('from', p_dup, 'name', d.name, 'orders', n_orders, 'persons', n_persons));
	PERFORM pg_notify('boxoffice_events', 'org');
	RETURN jsonb_build_object('survivor', p_survivor, 'merged', p_dup, 'orders', n_orders, 'persons', n_persons);
END $$;

-- As in 063, but one archived in the event is said to be archived, with
-- how to bring it back (it was "takes part already", and not on any
-- list); events are named by name.
CREATE OR REPLACE FUNCTION org_add(p_event bigint, p_name text, p_fields jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	cid bigint;
	eid bigint;
	clean text := org_clean_text(p_name);
	prior event_organization;
BEGIN
	PERFORM set_config('boxoffice.reason', 'new event organization', true);
	IF NOT EXISTS (SELECT 1 FROM event WHERE id = p_event) THEN
		RAISE EXCEPTION 'event % does not exist', p_event USING ERRCODE = 'BX021';
	END IF;
	IF length(clean) NOT BETWEEN 1 AND 200 THEN
		RAISE EXCEPTION 'a name is 1 to 200 characters' USING ERRCODE = '22023';
	END IF;
	PERFORM org_fields_check(p_fields, false);
	-- found, or made; made by another station at the same moment: found
	INSERT INTO organization (name) VALUES (clean) ON CONFLICT DO NOTHING RETURNING id INTO cid;
	IF cid IS NULL THEN
		SELECT id INTO cid FROM organization WHERE org_name_key(name) = org_name_key(clean);
	END IF;
	SELECT * INTO prior FROM event_organization WHERE event_id = p_event AND organization_id = cid;
	IF FOUND AND prior.archived_at IS NOT NULL THEN
		RAISE EXCEPTION 'organization "%" is archived in event "%": restore it (v on Organizations, or boxoffice org restore %)',
			(SELECT name FROM organization WHERE id = cid), (SELECT name FROM event WHERE id = p_event), prior.id
			USING ERRCODE = 'BX002';
	ELSIF FOUND THEN
		RAISE EXCEPTION 'organization "%" takes part in event "%" already',
			(SELECT name FROM organization WHERE id = cid), (SELECT name FROM event WHERE id = p_event)
			USING ERRCODE = 'BX002';
	END IF;
	PERFORM org_booth_check(p_event, NULL, org_clean_text(p_fields->>'booth'));
	BEGIN
		INSERT INTO event_organization (event_id, organization_id, relationship, lifecycle, commercial_status,
						visibility, category, booth)
		VALUES (p_event, cid, coalesce((p_fields->>'relationship')::org_relationship, 'other'),
			coalesce((p_fields->>'lifecycle')::org_lifecycle, 'prospect'),
			coalesce((p_fields->>'commercial')::org_commercial, 'none'),
			coalesce((p_fields->>'visibility')::org_visibility, 'internal'),
			coalesce(p_fields->>'category', ''), coalesce(p_fields->>'booth', ''))
		RETURNING id INTO eid;
	EXCEPTION WHEN unique_violation THEN
		IF SQLERRM LIKE '%booth%' THEN
			PERFORM org_booth_taken(p_event, p_fields->>'booth');
		END IF;
		RAISE EXCEPTION 'organization "%" was added to event % at the same moment', clean, p_event
			USING ERRCODE = 'BX002';
	END;
	INSERT INTO change_log (entity, entity_id, action, reason, event_id, detail)
	VALUES ('event_organization', eid, 'added', 'new event organization', p_event, p_fields);
	RETURN org_result(eid);
END $$;

-- An organization's own orders by the organization: org_entitlement and the
-- Organizations list looked them up by scanning every order (15 s for 24
-- organizations among 1,000,000 orders; 0.6 s with it). Partial: the
-- orders of no organization, nearly all, are not in it.
CREATE INDEX ticket_order_event_org_idx ON ticket_order (event_org_id) WHERE event_org_id IS NOT NULL;

INSERT INTO function_grant (fn, definer, roles) VALUES
	('org_restore', true, '{clerk}'),
	('org_archived', false, '{clerk}');

-- 063_org_guards.sql: event organizations (issue 18), what a hostile
-- review found the database let through.
--
-- * Sponsored tickets of an organization with a package stay within its
--   entitlement whoever orders them (org order, order add --org
--   --payment sponsored, a merge moving orders): checked at commit, per
--   type, under a lock on the organization that package changes take too.
-- * Lowering a package waits for orders being made with it.
-- * An archived organization is neither edited, given a package, nor
--   ordered for.
-- * Names, categories and booths lose control, zero-width and bidi
--   characters, and odd spaces become spaces, however they are written:
--   "Fjord<zero-width space>Design" is "FjordDesign", "Fjord<no-break
--   space>Design" is the "Fjord Design" that exists already.
-- * An edit names only fields there are; values are text.
-- * A merge that would drop the duplicate's package or booth is refused;
--   the event organizations of both companies, and of a renamed company
--   in other events, get a new version (a form opened before sees it).
-- * Every change of an event organization is announced (a package given
--   reached no other station).
-- * Refusals in words where PostgreSQL's own were shown (booth taken at
--   the same instant, the same new company added twice at once, package
--   items naming a type twice or a bad quantity, a booth in the plan
--   twice).

-- Text as it may be shown and compared: no control, zero-width or bidi
-- characters, odd spaces as spaces, runs of spaces as one, trimmed.
CREATE FUNCTION org_clean_text(p text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
	SELECT btrim(regexp_replace(regexp_replace(regexp_replace(coalesce(p, ''),
		'[\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]', ' ', 'g'),
		'[[:cntrl:]\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]', '', 'g'),
		' {2,}', ' ', 'g'))
$$;

CREATE FUNCTION organization_clean() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.name := org_clean_text(NEW.name);
	IF length(NEW.name) NOT BETWEEN 1 AND 200 THEN
		RAISE EXCEPTION 'a name is 1 to 200 characters' USING ERRCODE = '22023';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER organization_clean BEFORE INSERT OR UPDATE OF name ON organization
	FOR EACH ROW EXECUTE FUNCTION organization_clean();

CREATE FUNCTION event_organization_clean() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.category := org_clean_text(NEW.category);
	NEW.booth := org_clean_text(NEW.booth);
	RETURN NEW;
END $$;
CREATE TRIGGER event_organization_clean BEFORE INSERT OR UPDATE OF category, booth ON event_organization
	FOR EACH ROW EXECUTE FUNCTION event_organization_clean();

CREATE FUNCTION org_booth_clean() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	NEW.name := org_clean_text(NEW.name);
	NEW.size := org_clean_text(NEW.size);
	IF NEW.name = '' THEN
		RAISE EXCEPTION 'a booth needs a name' USING ERRCODE = '22023';
	END IF;
	IF EXISTS (SELECT 1 FROM org_booth WHERE event_id = NEW.event_id AND lower(name) = lower(NEW.name)) THEN
		RAISE EXCEPTION 'booth "%" is in the plan already', NEW.name USING ERRCODE = 'BX002';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER org_booth_clean BEFORE INSERT ON org_booth
	FOR EACH ROW EXECUTE FUNCTION org_booth_clean();

-- Every change reaches the other stations' lists.
CREATE FUNCTION event_organization_announce() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('boxoffice_events', 'org');
	RETURN NULL;
END $$;
CREATE TRIGGER event_organization_announce AFTER INSERT OR UPDATE OR DELETE ON event_organization
	FOR EACH STATEMENT EXECUTE FUNCTION event_organization_announce();

-- An order for an event organization: not for an archived one; a
-- sponsored one waits for (and makes wait) package changes of it.
CREATE FUNCTION ticket_order_org_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	e event_organization;
BEGIN
	SELECT * INTO e FROM event_organization WHERE id = NEW.event_org_id FOR UPDATE;
	IF FOUND AND e.archived_at IS NOT NULL AND TG_OP = 'INSERT' THEN
		RAISE EXCEPTION 'event organization % is archived: no new orders for it', e.id USING ERRCODE = 'BX002';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER ticket_order_org_check BEFORE INSERT OR UPDATE OF event_org_id, payment ON ticket_order
	FOR EACH ROW WHEN (NEW.event_org_id IS NOT NULL) EXECUTE FUNCTION ticket_order_org_check();

-- At commit: the organization's live sponsored orders, per type, within
-- what its package entitles to (an organization without a package has no
-- entitlement to keep to).
CREATE FUNCTION org_entitlement_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	e event_organization;
	bad record;
BEGIN
	SELECT * INTO e FROM event_organization WHERE id = NEW.event_org_id;
	IF NOT FOUND OR e.package_id IS NULL THEN
		RETURN NULL;
	END IF;
	SELECT t.name, sum(ol.qty) AS ordered, coalesce(max(pi.qty), 0) AS entitled INTO bad
	FROM ticket_order o JOIN order_line ol ON ol.order_id = o.id JOIN ticket_type t ON t.id = ol.type_id
	LEFT JOIN org_package_item pi ON pi.package_id = e.package_id AND pi.type_id = ol.type_id
	WHERE o.event_org_id = e.id AND o.payment = 'sponsored' AND o.status NOT IN ('cancelled', 'refunded')
	GROUP BY t.id, t.name HAVING sum(ol.qty) > coalesce(max(pi.qty), 0) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'package "%" entitles "%" to % %: % sponsored would be ordered', e.package,
			(SELECT name FROM organization WHERE id = e.organization_id), bad.entitled, bad.name, bad.ordered
			USING ERRCODE = 'BX002';
	END IF;
	RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER org_entitlement_check AFTER INSERT OR UPDATE OF event_org_id, payment ON ticket_order
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
	WHEN (NEW.event_org_id IS NOT NULL AND NEW.payment = 'sponsored')
	EXECUTE FUNCTION org_entitlement_check();

-- The fields an add or edit may name, as text.
CREATE FUNCTION org_fields_check(p_fields jsonb, p_name_allowed boolean) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	k text;
BEGIN
	IF p_fields IS NULL OR jsonb_typeof(p_fields) <> 'object' THEN
		RAISE EXCEPTION 'the fields are a JSON object' USING ERRCODE = '22023';
	END IF;
	FOR k IN SELECT jsonb_object_keys(p_fields) LOOP
		IF k NOT IN ('relationship', 'lifecycle', 'commercial', 'visibility', 'category', 'booth')
		   AND NOT (p_name_allowed AND k = 'name') THEN
			RAISE EXCEPTION 'no field "%" (relationship, lifecycle, commercial, visibility, category, booth%)',
				left(k, 40), CASE WHEN p_name_allowed THEN ', name' ELSE '' END USING ERRCODE = '22023';
		END IF;
		IF jsonb_typeof(p_fields->k) <> 'string' THEN
			RAISE EXCEPTION 'field "%" is text', k USING ERRCODE = '22023';
		END IF;
	END LOOP;
END $$;

-- org_booth_check, also against a booth taken by a transaction not yet
-- committed (the unique index's refusal, in words).
CREATE FUNCTION org_booth_taken(p_event bigint, p_booth text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'booth "%" was given to another organization at the same moment', org_clean_text(p_booth)
		USING ERRCODE = 'BX002';
END $$;

CREATE OR REPLACE FUNCTION org_add(p_event bigint, p_name text, p_fields jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	cid bigint;
	eid bigint;
	clean text := org_clean_text(p_name);
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
	IF EXISTS (SELECT 1 FROM event_organization WHERE event_id = p_event AND organization_id = cid) THEN
		RAISE EXCEPTION 'organization "%" takes part in event % already',
			(SELECT name FROM organization WHERE id = cid), p_event USING ERRCODE = 'BX002';
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

CREATE OR REPLACE FUNCTION org_edit(p_eo bigint, p_version integer, p_fields jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	e event_organization;
	changed text;
	newname text := p_fields->>'name';
	cid bigint;
BEGIN
	PERFORM set_config('boxoffice.reason', 'event organization edited', true);
	PERFORM org_fields_check(p_fields, true);
	SELECT * INTO e FROM event_organization WHERE id = p_eo FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'event organization % does not exist', p_eo USING ERRCODE = 'BX021';
	END IF;
	IF p_version IS NOT NULL AND e.version <> p_version THEN
		SELECT string_agg(DISTINCT k, ', ') INTO changed FROM change_log c, jsonb_object_keys(c.detail) k
		WHERE c.entity = 'event_organization' AND c.entity_id = p_eo AND c.action = 'edited'
		AND (c.detail->>'_version')::integer > p_version AND k <> '_version';
		RAISE EXCEPTION 'event organization % changed since you opened it (version % now %; changed: %)',
			p_eo, p_version, e.version, coalesce(changed, 'archive, package or company') USING ERRCODE = 'BX004';
	END IF;
	IF e.archived_at IS NOT NULL THEN
		RAISE EXCEPTION 'event organization % is archived', p_eo USING ERRCODE = 'BX002';
	END IF;
	IF newname IS NOT NULL THEN
		newname := org_clean_text(newname);
		IF length(newname) NOT BETWEEN 1 AND 200 THEN
			RAISE EXCEPTION 'a name is 1 to 200 characters' USING ERRCODE = '22023';
		END IF;
		SELECT id INTO cid FROM organization WHERE org_name_key(name) = org_name_key(newname)
		AND id <> e.organization_id;
		IF FOUND THEN
			RAISE EXCEPTION 'a company named "%" exists already (merge them with org merge)',
				(SELECT name FROM organization WHERE id = cid) USING ERRCODE = 'BX002';
		END IF;
		UPDATE organization SET name = newname WHERE id = e.organization_id;
		-- the company is every event's: their forms are stale now
		UPDATE event_organization SET version = version + 1, updated_at = now()
		WHERE organization_id = e.organization_id AND id <> p_eo;
	END IF;
	IF p_fields ? 'booth' THEN
		PERFORM org_booth_check(e.event_id, p_eo, org_clean_text(p_fields->>'booth'));
	END IF;
	BEGIN
		UPDATE event_organization SET
			relationship = coalesce((p_fields->>'relationship')::org_relationship, relationship),
			lifecycle = coalesce((p_fields->>'lifecycle')::org_lifecycle, lifecycle),
			commercial_status = coalesce((p_fields->>'commercial')::org_commercial, commercial_status),
			visibility = coalesce((p_fields->>'visibility')::org_visibility, visibility),
			category = coalesce(p_fields->>'category', category),
			booth = coalesce(p_fields->>'booth', booth),
			version = version + 1, updated_at = now()
		WHERE id = p_eo;
	EXCEPTION WHEN unique_violation THEN
		PERFORM org_booth_taken(e.event_id, p_fields->>'booth');
	END;
	INSERT INTO change_log (entity, entity_id, action, reason, event_id, detail)
	VALUES ('event_organization', p_eo, 'edited', 'event organization edited', e.event_id,
		p_fields || jsonb_build_object('_version', e.version + 1));
	RETURN org_result(p_eo);
END $$;

CREATE OR REPLACE FUNCTION org_package_set(p_event bigint, p_name text, p_items jsonb, p_booth_size text)
RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	pid bigint;
	bad record;
BEGIN
	PERFORM set_config('boxoffice.reason', 'package defined', true);
	IF p_name IS NULL OR length(btrim(p_name)) NOT BETWEEN 1 AND 100 THEN
		RAISE EXCEPTION 'a package name is 1 to 100 characters' USING ERRCODE = '22023';
	END IF;
	IF p_items IS NULL OR jsonb_typeof(p_items) <> 'array' OR jsonb_array_length(p_items) = 0 THEN
		RAISE EXCEPTION 'a package entitles to at least one ticket type' USING ERRCODE = '22023';
	END IF;
	IF EXISTS (SELECT 1 FROM jsonb_array_elements(p_items) x
		   WHERE jsonb_typeof(x) <> 'object' OR jsonb_typeof(x->'type') <> 'number'
		   OR jsonb_typeof(x->'qty') <> 'number' OR (x->>'qty') !~ '^[0-9]{1,6}$'
		   OR (x->>'type') !~ '^[0-9]{1,18}$') THEN
		RAISE EXCEPTION 'a package line is {"type": ID, "qty": 0 to 999999}' USING ERRCODE = '22023';
	END IF;
	IF (SELECT count(DISTINCT x->>'type') <> count(*) FROM jsonb_array_elements(p_items) x) THEN
		RAISE EXCEPTION 'a package names each ticket type once' USING ERRCODE = '22023';
	END IF;
	IF EXISTS (SELECT 1 FROM jsonb_array_elements(p_items) x LEFT JOIN ticket_type t
		   ON t.id = (x->>'type')::bigint AND t.event_id = p_event WHERE t.id IS NULL) THEN
		RAISE EXCEPTION 'a package line names a ticket type that is not of event %', p_event
			USING ERRCODE = 'BX021';
	END IF;
	SELECT id INTO pid FROM org_package WHERE event_id = p_event AND lower(name) = lower(btrim(p_name))
	FOR UPDATE;
	IF NOT FOUND THEN
		INSERT INTO org_package (event_id, name, booth_size)
		VALUES (p_event, btrim(p_name), coalesce(p_booth_size, '')) RETURNING id INTO pid;
	ELSE
		UPDATE org_package SET booth_size = coalesce(p_booth_size, booth_size) WHERE id = pid;
	END IF;
	-- orders being made with the package finish first; then what they
	-- ordered counts
	PERFORM 1 FROM event_organization WHERE package_id = pid ORDER BY id FOR UPDATE;
	SELECT o.name AS org, e.type_name, e.ordered, coalesce((x->>'qty')::integer, 0) AS qty INTO bad
	FROM org_entitlement e JOIN event_organization eo ON eo.id = e.event_org_id
	JOIN organization o ON o.id = eo.organization_id
	LEFT JOIN jsonb_array_elements(p_items) x ON (x->>'type')::bigint = e.type_id
	WHERE eo.package_id = pid AND e.ordered > coalesce((x->>'qty')::integer, 0) LIMIT 1;
	IF FOUND THEN
		RAISE EXCEPTION 'package "%": % % is below the % "%" ordered already', p_name, bad.qty, bad.type_name,
			bad.ordered, bad.org USING ERRCODE = 'BX002';
	END IF;
	DELETE FROM org_package_item WHERE package_id = pid;
	INSERT INTO org_package_item (package_id, type_id, qty)
	SELECT pid, (x->>'type')::bigint, (x->>'qty')::integer FROM jsonb_array_elements(p_items) x;
	INSERT INTO change_log (entity, entity_id, action, reason, event_id, detail)
	VALUES ('org_package', pid, 'defined', 'package defined', p_event, jsonb_build_object('items', p_items));
	RETURN jsonb_build_object('id', pid, 'name', btrim(p_name), 'items', p_items);
END $$;

CREATE OR REPLACE FUNCTION org_package_give(p_eo bigint, p_package text, p_version integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
	e event_organization;
	pid bigint;
	bad record;
BEGIN
	PERFORM set_config('boxoffice.reason', 'package given', true);
	SELECT * INTO e FROM event_organization WHERE id = p_eo FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'event organization % does not exist', p_eo USING ERRCODE = 'BX021';
	END IF;
	IF p_version IS NOT NULL AND e.version <> p_version THEN
		RAISE EXCEPTION 'event organization % changed since you opened it (version % now %)',
			p_eo, p_version, e.version USING ERRCODE = 'BX004';
	END IF;
	IF e.archived_at IS NOT NULL THEN
		RAISE EXCEPTION 'event organization % is archived', p_eo USING ERRCODE = 'BX002';
	END IF;
	SELECT id INTO pid FROM org_package WHERE event_id = e.event_id AND lower(name) = lower(btrim(p_package));
	IF NOT FOUND THEN
		RAISE EXCEPTION 'package "%" is not defined for event %', p_package, e.event_id USING ERRCODE = 'BX021';
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

-- A merge is refused when the duplicate's organization in an event where
-- the survivor takes part too has a package or booth the survivor's has
-- not (it would be dropped); both companies' event organizations get a
-- new version. Orders moved onto the survivor's organization are checked
-- against its entitlement at commit (org_entitlement_check).
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
			IF r.package_id IS NOT NULL AND r.package_id IS DISTINCT FROM keep.package_id THEN
				RAISE EXCEPTION '"%" has package "%" in event % and "%" has not: give "%" that package first, or merge the other way',
					d.name, r.package, r.event_id, s.name, s.name USING ERRCODE = 'BX002';
			END IF;
			IF r.booth <> '' AND r.archived_at IS NULL AND lower(r.booth) <> lower(keep.booth) THEN
				RAISE EXCEPTION '"%" has booth "%" in event % and "%" has not: move the booth first',
					d.name, r.booth, r.event_id, s.name USING ERRCODE = 'BX002';
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

-- "Create its sponsored order", refused for want of seats naming the
-- types short (order_add's refusal names none).
CREATE OR REPLACE FUNCTION org_package_order(p_eo bigint) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	e event_organization;
	lines jsonb;
	r jsonb;
	short text;
BEGIN
	SELECT * INTO e FROM event_organization WHERE id = p_eo FOR UPDATE;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'event organization % does not exist', p_eo USING ERRCODE = 'BX021';
	END IF;
	IF e.archived_at IS NOT NULL THEN
		RAISE EXCEPTION 'event organization % is archived', p_eo USING ERRCODE = 'BX002';
	END IF;
	IF e.package_id IS NULL THEN
		RAISE EXCEPTION 'event organization % has no package', p_eo USING ERRCODE = 'BX002';
	END IF;
	SELECT jsonb_agg(jsonb_build_object('type', type_id, 'qty', entitled - ordered) ORDER BY type_id) INTO lines
	FROM org_entitlement WHERE event_org_id = p_eo AND entitled > ordered;
	IF lines IS NULL THEN
		RAISE EXCEPTION 'event organization % has ordered its whole entitlement already', p_eo
			USING ERRCODE = 'BX002';
	END IF;
	BEGIN
		r := order_add(e.event_id, lines, 'sponsored', NULL, NULL, NULL, p_eo, 'pos', NULL);
	EXCEPTION WHEN SQLSTATE 'BX020' THEN
		SELECT string_agg(format('%s: %s wanted, %s left', v.type_name, (x->>'qty')::integer,
					 greatest(0, v.available) / v.seats_per_ticket), '; ' ORDER BY v.type_id) INTO short
		FROM jsonb_array_elements(lines) x JOIN inventory_view v
		ON v.type_id = (x->>'type')::bigint AND v.channel IS NULL
		WHERE greatest(0, v.available) / v.seats_per_ticket < (x->>'qty')::integer;
		RAISE EXCEPTION 'not enough seats for the package (%)', coalesce(short, SQLERRM) USING ERRCODE = 'BX020';
	END;
	r := order_set_status((r->>'id')::bigint, 'settled', NULL, NULL, 'sponsored package');
	RETURN r;
END $$;

-- 066: "only K left" and "sold out" name the type, and for a type of
-- several seats a ticket say the seats too. `order add` refused "only 478
-- left" for a 10-seat Group type where `inventory` shows 4,780 seats, and
-- an order of several lines could not tell which type was short (the
-- new-clerk reviews of stops 30 and 31). The words every caller reads
-- stay first ("only K left", K in tickets; "sold out").
CREATE OR REPLACE FUNCTION inventory_refuse(p_type bigint, p_channel sales_channel, p_from_quota boolean,
					    p_reserve boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	seats_left integer;
	spt integer;
	type_name text;
BEGIN
	IF p_from_quota THEN
		SELECT q.quota - q.sold - q.held, t.seats_per_ticket, t.name INTO seats_left, spt, type_name
		FROM channel_quota q JOIN ticket_type t ON t.id = q.type_id
		WHERE q.type_id = p_type AND q.channel = p_channel;
	ELSE
		SELECT capacity - sold - held - reserved - quota_free, seats_per_ticket, name
		INTO seats_left, spt, type_name FROM ticket_type WHERE id = p_type;
	END IF;
	IF p_reserve AND seats_left > 0 THEN -- reservations count seats, not tickets
		RAISE EXCEPTION 'only % seats left (%)', to_char(seats_left, 'FM999,999,999'), type_name
			USING ERRCODE = 'BX020', DETAIL = json_build_object('available', seats_left)::text;
	ELSIF p_reserve THEN
		spt := 1;
	END IF;
	IF seats_left / spt <= 0 THEN
		RAISE EXCEPTION 'sold out (%)', type_name USING ERRCODE = 'BX020',
			DETAIL = json_build_object('available', 0)::text;
	END IF;
	IF spt > 1 THEN
		RAISE EXCEPTION 'only % left (%: % seats a ticket, % seats)', seats_left / spt, type_name, spt,
			to_char(seats_left, 'FM999,999,999') USING ERRCODE = 'BX020',
			DETAIL = json_build_object('available', seats_left / spt)::text;
	END IF;
	RAISE EXCEPTION 'only % left (%)', seats_left / spt, type_name USING ERRCODE = 'BX020',
		DETAIL = json_build_object('available', seats_left / spt)::text;
END $$;

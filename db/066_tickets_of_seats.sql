-- 066: "only K left" for a type of several seats a ticket says the seats
-- too: `order add` refused "only 478 left" for a 10-seat Group type where
-- `inventory` shows 4,780 seats (the new-clerk review of stop 30). K stays
-- first, in tickets, so every caller that reads "only K left" still does.
CREATE OR REPLACE FUNCTION inventory_refuse(p_type bigint, p_channel sales_channel, p_from_quota boolean,
					    p_reserve boolean)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	seats_left integer;
	spt integer;
BEGIN
	IF p_from_quota THEN
		SELECT q.quota - q.sold - q.held, t.seats_per_ticket INTO seats_left, spt
		FROM channel_quota q JOIN ticket_type t ON t.id = q.type_id
		WHERE q.type_id = p_type AND q.channel = p_channel;
	ELSE
		SELECT capacity - sold - held - reserved - quota_free, seats_per_ticket
		INTO seats_left, spt FROM ticket_type WHERE id = p_type;
	END IF;
	IF p_reserve THEN
		spt := 1; -- reservations count seats, not tickets
	END IF;
	IF seats_left / spt <= 0 THEN
		RAISE EXCEPTION 'sold out' USING ERRCODE = 'BX020',
			DETAIL = json_build_object('available', 0)::text;
	END IF;
	IF spt > 1 THEN
		RAISE EXCEPTION 'only % left (% seats a ticket: % seats)', seats_left / spt, spt,
			to_char(seats_left, 'FM999,999,999') USING ERRCODE = 'BX020',
			DETAIL = json_build_object('available', seats_left / spt)::text;
	END IF;
	RAISE EXCEPTION 'only % left', seats_left / spt USING ERRCODE = 'BX020',
		DETAIL = json_build_object('available', seats_left / spt)::text;
END $$;

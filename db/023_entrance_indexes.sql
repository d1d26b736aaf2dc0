-- 023_entrance_indexes.sql: what 020 left out.
-- A list's admits and the lists' pages read the scans of one list: an
-- index on the list (partial: most scans of most events are on no list).
CREATE INDEX checkin_list_idx ON checkin (list_id) WHERE list_id IS NOT NULL;
-- Gates name several lists with commas (checkin --list main,vip): a
-- list's name cannot hold one, whoever makes the list.
ALTER TABLE checkin_list ADD CONSTRAINT checkin_list_name_no_comma CHECK (position(',' in name) = 0);

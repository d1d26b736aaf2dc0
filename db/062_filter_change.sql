-- 062_filter_change.sql: the Ticket Orders screen's filter change (issue 19).
-- When a filter's matches lie far from the top of the chosen sort (requested
-- orders sorted by tickets, descending: 60,000 orders, all at the far end of
-- the tickets index), walking the sort index reads hundreds of thousands of
-- rows and collecting the matches through the heap tens of thousands of
-- pages. This index holds everything a page needs to find and order them
-- (src/db/orders.c, PLAN_COVER): the filter's columns as keys (event,
-- status, payment, date; a status or payment not chosen is scanned as "any
-- of them"), the numeric sort columns included, so an index-only scan finds
-- and sorts the matches and the heap is read for the page's 30 rows only.
CREATE INDEX ticket_order_list_idx ON ticket_order (event_id, status, payment, order_date, id)
	INCLUDE (quantity, tickets_issued, gross_cents, vat_cents);

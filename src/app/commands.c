#include <stddef.h>

#include "cli.h"
#include "commands.h"

/* Adding a command: one file with its cmd_ function, one line here. */
const struct command commands[] = {
	{ "migrate", NULL, cmd_migrate, "migrate", "apply db/ migrations in order (idempotent)" },
	{ "demo", NULL, cmd_demo, "demo [--orders N] [--seed S] [--if-empty]",
	  "load deterministic demo data into an empty database" },
	{ "event", "add", cmd_event_add, "event add --name NAME --date YYYY-MM-DD [--reentry]",
	  "create an event" },
	{ "event", "list", cmd_event_list, "event list [--json]", "list events" },
	{ "type", "add", cmd_type_add,
	  "type add --event E --name NAME --capacity SEATS --price CENTS [--seats-per-ticket N] "
	  "[--tier adult|child|group|other] [--vat-bp BP]",
	  "create a ticket type (capacity in seats, price in cents excl. VAT)" },
	{ "inventory", NULL, cmd_inventory, "inventory [--event E] [--json]",
	  "capacity, sold, held, reserved and available seats per type and channel" },
	{ "quota", NULL, cmd_quota,
	  "quota --event E --type T --channel web|pos|ota|reseller --quota N [--reason R]",
	  "a channel's allocation out of the type's capacity (0 closes the channel)" },
	{ "capacity", NULL, cmd_capacity, "capacity --event E --type T --capacity SEATS --reason TEXT",
	  "change a type's capacity (never below what is taken)" },
	{ "adjust", NULL, cmd_adjust, "adjust --event E --type T --delta N --reason TEXT [--key K]",
	  "reserve (negative delta) or release (positive) seats by hand" },
	{ "sell", NULL, cmd_sell,
	  "sell --event E --type T --qty N [--channel pos] [--payment card|invoice|sponsored|free] "
	  "[--company C] [--contact NAME] [--email ADDR] [--ref R] [--key K]",
	  "sell tickets: creates the order (and tickets when paid)" },
	{ "hold", NULL, cmd_hold,
	  "hold --event E --type T --qty N --ttl SECONDS [--channel web] [--key K]",
	  "hold seats for a while; they release themselves when the hold expires" },
	{ "hold", "confirm", cmd_hold_confirm, "hold confirm ID [sell's order flags]",
	  "turn a live hold into an order" },
	{ "hold", "release", cmd_hold_release, "hold release ID", "give a hold's seats back" },
	{ "order", "list", cmd_order_list,
	  "order list [--event E] [--status S] [--payment P] [--from D] [--to D] [--search Q] "
	  "[--ticket-count missing|complete] [--sort COLUMN] [--desc] [--limit N] [--json]",
	  "list orders matching the filters (every one unless --limit)" },
	{ "order", "summary", cmd_order_summary, "order summary [order list's filters] [--json]",
	  "orders, tickets and amounts by status and payment method" },
	{ "order", "export", cmd_order_export, "order export --csv FILE|- [order list's filters]",
	  "RFC 4180 CSV of the filtered orders, streamed" },
	{ "order", "add", cmd_order_add,
	  "order add --event E --lines TYPE:QTY[,TYPE:QTY...] [--payment P] [--company C] "
	  "[--contact NAME] [--email ADDR] [--org EVENT_ORG_ID] [--key K]",
	  "a new ticket order from the organizer side (starts as requested)" },
	{ "order", "show", cmd_order_show, "order show ID [--json]",
	  "one order with its lines, tickets and history" },
	{ "order", "tickets", cmd_order_tickets, "order tickets ID [--version V]",
	  "generate the tickets a settled order is missing" },
	{ "order", "invoice", cmd_order_invoice, "order invoice ID [--version V]",
	  "send the invoice (gapless invoice number per event)" },
	{ "order", "settle", cmd_order_settle, "order settle ID [--ref R] [--version V]",
	  "mark paid; generates the tickets" },
	{ "order", "cancel", cmd_order_cancel, "order cancel ID [--version V]",
	  "cancel; seats go back, tickets are voided" },
	{ "order", "refund", cmd_order_refund, "order refund ID [--version V]",
	  "refund a settled order; seats go back, tickets are voided" },
	{ NULL, NULL, NULL, NULL, NULL },
};

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
	{ NULL, NULL, NULL, NULL, NULL },
};

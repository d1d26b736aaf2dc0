#include <stdio.h>
#include <string.h>

#include "../core/money.h"
#include "../core/validate.h"
#include "../db/catalog.h"
#include "cli.h"
#include "commands.h"

static const char *const tiers[] = { "adult", "child", "group", "other", NULL };

int cmd_type_add(struct cli *cli, int argc, char **argv)
{
	const char *event = NULL, *name = NULL, *capacity = NULL, *price = NULL;
	const char *seats = NULL, *tier = NULL, *vat = NULL, *why;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL },
		{ "name", &name, NULL },
		{ "capacity", &capacity, NULL },
		{ "price", &price, NULL },
		{ "seats-per-ticket", &seats, NULL },
		{ "tier", &tier, NULL },
		{ "vat-bp", &vat, NULL },
		{ NULL, NULL, NULL },
	};
	const char *what = "type add";
	struct type_spec spec = { .seats_per_ticket = 1, .vat_bp = VAT_DEFAULT_BP };
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);
	long long id;
	bool tier_ok = false;

	if (rc)
		return rc;
	if (!event)
		return cli_missing(what, "event");
	if (!name)
		return cli_missing(what, "name");
	if (!capacity)
		return cli_missing(what, "capacity");
	if (!price)
		return cli_missing(what, "price");
	if ((why = validate_text(name, 100, true)))
		return cli_fail(EXIT_USAGE, what, "--name %s", why);
	if (!cli_int(what, "capacity", capacity, 0, 100000000, &spec.capacity, &rc) ||
	    !cli_int(what, "price", price, 0, MONEY_MAX_CENTS, &spec.price_cents, &rc) ||
	    (seats && !cli_int(what, "seats-per-ticket", seats, 1, 1000, &spec.seats_per_ticket, &rc)) ||
	    (vat && !cli_int(what, "vat-bp", vat, 0, 10000, &spec.vat_bp, &rc)))
		return rc;
	/* Without --tier, a type with several seats per ticket is a group. */
	if (!tier)
		tier = spec.seats_per_ticket > 1 ? "group" : "adult";
	for (int i = 0; tiers[i]; i++)
		tier_ok |= strcmp(tiers[i], tier) == 0;
	if (!tier_ok)
		return cli_fail(EXIT_USAGE, what, "--tier must be adult, child, group or other");
	spec.name = name;
	spec.tier = tier;
	if ((rc = cli_event_type(cli, what, event, NULL, &spec.event_id, NULL)))
		return rc;
	if (!db_type_add(cli->db, &spec, &id))
		return cli_db_fail(cli, what);
	cli_print_json(json_pack("{sI}", "id", (json_int_t)id));
	return EXIT_DONE;
}

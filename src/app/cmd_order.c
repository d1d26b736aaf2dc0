/* Order status changes: order invoice|settle|cancel|refund ID. */
#include <stdint.h>
#include <stdio.h>

#include "../db/inventory.h"
#include "cli.h"
#include "commands.h"

static int order_transition(struct cli *cli, int argc, char **argv, const char *what,
			    const char *status, bool takes_ref)
{
	const char *pos[1], *ref = NULL, *version = NULL, *reason = NULL;
	const struct cli_opt with_ref[] = {
		{ "ref", &ref, NULL }, { "version", &version, NULL }, { "reason", &reason, NULL },
		{ NULL, NULL, NULL },
	};
	const struct cli_opt *opts = takes_ref ? with_ref : with_ref + 1;
	long long id, v = -1;
	json_t *doc;
	int npos, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);

	if (rc)
		return rc;
	if (npos != 1)
		return cli_fail(EXIT_USAGE, what, "needs the order ID");
	if (!cli_int(what, "ID", pos[0], 1, INT64_MAX, &id, &rc) ||
	    (version && !cli_int(what, "version", version, 1, INT32_MAX, &v, &rc)) ||
	    !cli_text(what, "ref", ref, 200, &rc) || !cli_text(what, "reason", reason, 500, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_order_set_status(cli->db, id, status, v, ref, reason)))
		return cli_db_fail(cli, what);
	cli_print_json(doc);
	return EXIT_DONE;
}

int cmd_order_invoice(struct cli *cli, int argc, char **argv)
{
	return order_transition(cli, argc, argv, "order invoice", "invoice_sent", false);
}

int cmd_order_settle(struct cli *cli, int argc, char **argv)
{
	return order_transition(cli, argc, argv, "order settle", "settled", true);
}

int cmd_order_cancel(struct cli *cli, int argc, char **argv)
{
	return order_transition(cli, argc, argv, "order cancel", "cancelled", false);
}

int cmd_order_refund(struct cli *cli, int argc, char **argv)
{
	return order_transition(cli, argc, argv, "order refund", "refunded", false);
}

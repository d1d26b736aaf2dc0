/* Selling and holding seats: sell, hold, hold confirm, hold release. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../core/order.h"
#include "../core/validate.h"
#include "../db/inventory.h"
#include "cli.h"
#include "commands.h"

/* The order flags shared by sell and hold confirm. */
struct order_flags {
	const char *payment, *company, *contact, *email, *key, *ref, *reason;
};

#define ORDER_FLAG_OPTS(f)                                              \
	{ "payment", &(f).payment, NULL }, { "company", &(f).company, NULL }, \
	{ "contact", &(f).contact, NULL }, { "email", &(f).email, NULL },     \
	{ "key", &(f).key, NULL }, { "ref", &(f).ref, NULL },                 \
	{ "reason", &(f).reason, NULL }

static bool check_order_flags(const char *what, struct order_flags *f, int *rc)
{
	const char *why;
	if (!f->payment)
		f->payment = payment_name(PAY_CARD);
	if (!cli_payment(what, f->payment, rc) ||
	    !cli_value(what, "company", f->company, NAME_MAX_CHARS, rc) ||
	    !cli_value(what, "contact", f->contact, NAME_MAX_CHARS, rc) ||
	    !cli_value(what, "email", f->email, 254, rc) ||
	    !cli_value(what, "key", f->key, 200, rc) || !cli_value(what, "ref", f->ref, 200, rc) ||
	    !cli_value(what, "reason", f->reason, 500, rc))
		return false;
	if ((why = validate_email(f->email, false))) {
		*rc = cli_fail(EXIT_USAGE, what, "--email %s", why);
		return false;
	}
	return true;
}

static void fill_sale(struct sale *s, const struct order_flags *f)
{
	s->payment = f->payment;
	s->company = f->company;
	s->contact = f->contact;
	s->email = f->email;
	s->key = f->key;
	s->external_ref = f->ref;
	s->reason = f->reason;
}

static int print_result(struct cli *cli, const char *what, json_t *doc)
{
	if (!doc)
		return cli_db_fail(cli, what);
	cli_print_json(doc);
	return EXIT_DONE;
}

int cmd_sell(struct cli *cli, int argc, char **argv)
{
	const char *what = "sell", *event = NULL, *type = NULL, *qty = NULL, *channel = "pos";
	struct order_flags f = { 0 };
	const struct cli_opt opts[] = {
		{ "event", &event, NULL }, { "type", &type, NULL }, { "qty", &qty, NULL },
		{ "channel", &channel, NULL }, ORDER_FLAG_OPTS(f), { NULL, NULL, NULL },
	};
	struct sale s = { 0 };
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (!qty)
		return cli_missing(what, "qty");
	if (!cli_int(what, "qty", qty, 1, 10000, &s.qty, &rc) || !cli_channel(what, channel, &rc) ||
	    !check_order_flags(what, &f, &rc))
		return rc;
	if ((rc = cli_event_type(cli, what, event, type, &s.event_id, &s.type_id)))
		return rc;
	s.channel = channel;
	fill_sale(&s, &f);
	return print_result(cli, what, db_sell(cli->db, &s)); /* a refusal names the type (db/066) */
}

int cmd_hold(struct cli *cli, int argc, char **argv)
{
	const char *what = "hold", *event = NULL, *type = NULL, *qty = NULL, *ttl = NULL;
	const char *channel = "web", *key = NULL, *reason = NULL;
	const struct cli_opt opts[] = {
		{ "event", &event, NULL }, { "type", &type, NULL }, { "qty", &qty, NULL },
		{ "ttl", &ttl, NULL }, { "channel", &channel, NULL }, { "key", &key, NULL },
		{ "reason", &reason, NULL }, { NULL, NULL, NULL },
	};
	struct sale s = { 0 };
	long long ttl_s;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (!qty)
		return cli_missing(what, "qty");
	if (!ttl)
		return cli_missing(what, "ttl");
	if (!cli_int(what, "qty", qty, 1, 10000, &s.qty, &rc) ||
	    !cli_int(what, "ttl", ttl, 1, 86400, &ttl_s, &rc) || !cli_channel(what, channel, &rc) ||
	    !cli_value(what, "key", key, 200, &rc) || !cli_value(what, "reason", reason, 500, &rc))
		return rc;
	if ((rc = cli_event_type(cli, what, event, type, &s.event_id, &s.type_id)))
		return rc;
	s.channel = channel;
	s.key = key;
	s.reason = reason;
	return print_result(cli, what, db_hold(cli->db, &s, ttl_s));
}

int cmd_hold_confirm(struct cli *cli, int argc, char **argv)
{
	const char *what = "hold confirm", *pos[1];
	struct order_flags f = { 0 };
	const struct cli_opt opts[] = { ORDER_FLAG_OPTS(f), { NULL, NULL, NULL } };
	struct sale s = { 0 };
	long long id;
	int npos, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);

	if (rc)
		return rc;
	if (!cli_id(what, npos, pos, "hold", &id, &rc) || !check_order_flags(what, &f, &rc))
		return rc;
	if ((rc = cli_require(cli, what, "hold", id)))
		return rc;
	fill_sale(&s, &f);
	return print_result(cli, what, db_hold_confirm(cli->db, id, &s));
}

int cmd_hold_release(struct cli *cli, int argc, char **argv)
{
	const char *what = "hold release", *pos[1], *reason = NULL;
	const struct cli_opt opts[] = { { "reason", &reason, NULL }, { NULL, NULL, NULL } };
	long long id;
	int npos, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);

	if (rc)
		return rc;
	if (!cli_id(what, npos, pos, "hold", &id, &rc) || !cli_value(what, "reason", reason, 500, &rc))
		return rc;
	if ((rc = cli_require(cli, what, "hold", id)))
		return rc;
	return print_result(cli, what, db_hold_release(cli->db, id, reason));
}

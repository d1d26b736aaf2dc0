/* Tickets and the people who hold them: ticket list, assign, unassign,
 * reissue, assign-csv, badge, verify; event key. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/csv.h"
#include "../core/token.h"
#include "../core/validate.h"
#include "../db/catalog.h"
#include "../db/tickets.h"
#include "../core/util.h"
#include "badge.h"
#include "bulk.h"
#include "cli.h"
#include "commands.h"
#include "deliver.h"

int cmd_ticket_list(struct cli *cli, int argc, char **argv)
{
	const char *what = "ticket list", *order = NULL;
	bool json = false;
	const struct cli_opt opts[] = { { "order", &order, NULL }, { "json", NULL, &json }, { NULL, NULL, NULL } };
	long long order_id;
	PGresult *res;
	json_t *list;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (!order)
		return cli_missing(what, "order");
	if (!cli_int(what, "order", order, 1, INT64_MAX, &order_id, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(res = db_tickets_of_order(cli->db, order_id)))
		return cli_db_fail(cli, what);
	list = json_array();
	for (int i = 0; i < PQntuples(res); i++) {
		char token[TOKEN_MAX + 8];
		const char *person = db_text(res, i, TK_PERSON);
		if (!db_ticket_token(cli->db, res, i, token, sizeof token)) {
			json_decref(list);
			PQclear(res);
			return cli_db_fail(cli, what);
		}
		json_array_append_new(list, json_pack("{sI ss so ss ss sI ss}",
			"id", (json_int_t)db_int(res, i, TK_ID), "type", db_text(res, i, TK_TYPE),
			"person", *person ? json_string(person) : json_null(),
			"status", db_text(res, i, TK_STATUS), "token", token,
			"issue", (json_int_t)db_int(res, i, TK_ISSUE), "email", db_text(res, i, TK_EMAIL)));
	}
	PQclear(res);
	if (json) {
		cli_print_json(list);
		return EXIT_DONE;
	}
	{
		size_t i;
		json_t *t;
		printf("%8s  %-16s %-6s %-28s %s\n", "TICKET", "TYPE", "STATUS", "HOLDER", "TOKEN");
		json_array_foreach(list, i, t) {
			const char *person = json_string_value(json_object_get(t, "person"));
			printf("%8lld  ", (long long)json_integer_value(json_object_get(t, "id")));
			cli_cell(json_string_value(json_object_get(t, "type")), 16);
			printf(" %-6s ", json_string_value(json_object_get(t, "status")));
			cli_cell(person ? person : "-", 28);
			printf(" %s\n", json_string_value(json_object_get(t, "token")));
		}
	}
	json_decref(list);
	return EXIT_DONE;
}

static bool check_person(const char *what, const char *name, const char *email, const char *company, int *rc)
{
	const char *field, *why = validate_person(name, strlen(name), email, strlen(email), company,
						  company ? strlen(company) : 0, &field);
	if (!why)
		return true;
	*rc = cli_fail(EXIT_USAGE, what, "--%s %s", strcmp(field, "e-mail") == 0 ? "email" : field, why);
	return false;
}

int cmd_ticket_assign(struct cli *cli, int argc, char **argv)
{
	const char *what = "ticket assign", *pos[1], *name = NULL, *email = NULL, *company = NULL;
	bool reassign = false, rename = false;
	const struct cli_opt opts[] = {
		{ "name", &name, NULL }, { "email", &email, NULL }, { "company", &company, NULL },
		{ "reassign", NULL, &reassign }, { "rename", NULL, &rename }, { NULL, NULL, NULL },
	};
	long long id;
	json_t *doc;
	int npos, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);

	if (rc)
		return rc;
	if (!cli_id(what, npos, pos, "ticket", &id, &rc))
		return rc;
	if (!name)
		return cli_missing(what, "name");
	if (!email)
		return cli_missing(what, "email");
	if (!check_person(what, name, email, company, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_ticket_assign(cli->db, id, name, email, company, reassign ? "reassigned" : "assigned",
				     (reassign ? ASSIGN_REASSIGN : 0) | (rename ? ASSIGN_RENAME : 0))))
		return cli_db_fail(cli, what);
	cli_print_json(doc);
	return EXIT_DONE;
}

static int reissue(struct cli *cli, int argc, char **argv, const char *what, bool unassign)
{
	const char *pos[1], *reason = NULL;
	const struct cli_opt opts[] = { { "reason", &reason, NULL }, { NULL, NULL, NULL } };
	long long id;
	json_t *doc;
	int npos, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);

	if (rc)
		return rc;
	if (!cli_id(what, npos, pos, "ticket", &id, &rc) || !cli_text(what, "reason", reason, 500, &rc))
		return rc;
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(doc = db_ticket_reissue(cli->db, id, unassign, reason)))
		return cli_db_fail(cli, what);
	cli_print_json(doc);
	return EXIT_DONE;
}

int cmd_ticket_reissue(struct cli *cli, int argc, char **argv)
{
	return reissue(cli, argc, argv, "ticket reissue", false);
}

int cmd_ticket_unassign(struct cli *cli, int argc, char **argv)
{
	return reissue(cli, argc, argv, "ticket unassign", true);
}

/* Bulk assignment (see bulk.c): the file or stdin, then the preview. */
int cmd_ticket_assign_csv(struct cli *cli, int argc, char **argv)
{
	const char *what = "ticket assign-csv", *order = NULL, *file = NULL;
	bool dry = false, rename = false;
	const struct cli_opt opts[] = {
		{ "order", &order, NULL }, { "file", &file, NULL }, { "dry-run", NULL, &dry },
		{ "rename", NULL, &rename }, { NULL, NULL, NULL },
	};
	long long order_id;
	char *data, err[600];
	size_t len;
	struct bulk_result res;
	enum bulk_read_status st;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if (!order || !file)
		return cli_missing(what, order ? "file" : "order");
	if (!cli_int(what, "order", order, 1, INT64_MAX, &order_id, &rc))
		return rc;
	if ((st = bulk_read(file, &data, &len, err, sizeof err)) != BULK_READ_OK)
		return cli_fail(st == BULK_READ_TOO_BIG ? EXIT_REFUSED : EXIT_USAGE, what, "%s; nothing was assigned", err);
	if (!cli_db(cli)) {
		free(data);
		return EXIT_FAILED;
	}
	rc = bulk_assign(cli->db, order_id, data ? data : "", len, (dry ? BULK_DRY : 0) | (rename ? BULK_RENAME : 0),
			 &res);
	free(data);
	if (rc < 0) {
		json_decref(res.preview);
		return cli_db_fail(cli, what);
	}
	cli_print_json(json_pack("{sb si si so}", "assigned", res.assigned, "rows", res.rows, "errors", res.errors,
				 "preview", res.preview));
	if (res.refused)
		return cli_fail(EXIT_REFUSED, what, "%s; nothing was assigned", res.refused);
	if (res.errors)
		return cli_fail(EXIT_REFUSED, what, "%d of %d rows have errors; nothing was assigned", res.errors, res.rows);
	return EXIT_DONE;
}

int cmd_ticket_badge(struct cli *cli, int argc, char **argv)
{
	const char *what = "ticket badge", *pos[1], *png = NULL, *printer = getenv("BOXOFFICE_PRINTER");
	bool print = false;
	const struct cli_opt opts[] = { { "png", &png, NULL }, { "print", NULL, &print }, { NULL, NULL, NULL } };
	long long id;
	PGresult *res;
	char token[TOKEN_MAX + 8], err[512];
	struct badge b;
	json_t *out;
	int npos, rc = cli_parse(what, argc, argv, opts, pos, 1, &npos);

	if (rc)
		return rc;
	if (!cli_id(what, npos, pos, "ticket", &id, &rc))
		return rc;
	if (!png)
		return cli_missing(what, "png");
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!(res = db_ticket_get(cli->db, id)))
		return cli_db_fail(cli, what);
	if (PQntuples(res) == 0) {
		PQclear(res);
		return cli_fail(EXIT_USAGE, what, "ticket %lld does not exist", id);
	}
	if (strcmp(db_text(res, 0, TK_STATUS), "valid") != 0) {
		PQclear(res);
		return cli_fail(EXIT_REFUSED, what, "ticket %lld is void: no badge for it", id);
	}
	if (!db_ticket_token(cli->db, res, 0, token, sizeof token)) {
		PQclear(res);
		return cli_db_fail(cli, what);
	}
	b = (struct badge){ db_text(res, 0, TK_EVENT_NAME),
			    *db_text(res, 0, TK_PERSON) ? db_text(res, 0, TK_PERSON) : "Guest",
			    db_text(res, 0, TK_COMPANY), db_text(res, 0, TK_TYPE), token };
	if (!badge_render(&b, png, err, sizeof err)) {
		PQclear(res);
		return cli_fail(EXIT_FAILED, what, "%s", err);
	}
	PQclear(res);
	/* the PNG is made either way: the path is what the clerk needs when
	 * the printer fails */
	if (print && !lp_print_file(png, err, sizeof err))
		return cli_fail(strstr(err, "not found") ? EXIT_REFUSED : EXIT_FAILED, what,
				"%s%s refused the badge: %s; saved as %s", printer && *printer ? "printer " : "the printer",
				printer && *printer ? printer : "", err, png);
	if (!printer || !*printer)
		printer = "the default printer";
	out = json_pack("{sI ss ss}", "ticket", (json_int_t)id, "png", png, "token", token);
	if (print)
		json_object_set_new(out, "printed_to", json_string(printer));
	cli_print_json(out);
	return EXIT_DONE;
}

/* Checks a token's signature with the event's public key and says what
 * the ticket is now (the check-in station does more). */
int cmd_ticket_verify(struct cli *cli, int argc, char **argv)
{
	const char *what = "ticket verify", *pos[1];
	struct ticket_claim claim;
	unsigned char pk[TOKEN_PUBLIC_KEY_BYTES];
	enum token_status st;
	int npos, rc = cli_parse(what, argc, argv, NULL, pos, 1, &npos);
	PGresult *res;
	const char *why = NULL;

	if (rc)
		return rc;
	if (npos != 1)
		return cli_fail(EXIT_USAGE, what, "needs the token");
	if ((st = token_peek(pos[0], &claim)) != TOKEN_VALID)
		return cli_fail(EXIT_REFUSED, what, "%s", token_status_text(st));
	if (!cli_db(cli))
		return EXIT_FAILED;
	if (!db_event_public_key(cli->db, (long long)claim.event_id, pk)) {
		if (cli->db->status != DB_FAILED) /* no such event, or no key: no token of ours */
			return cli_fail(EXIT_REFUSED, what, "unknown code (no key for its event)");
		return cli_db_fail(cli, what);
	}
	if ((st = token_verify(pos[0], pk, &claim)) != TOKEN_VALID)
		return cli_fail(EXIT_REFUSED, what, "%s", token_status_text(st));
	if (!(res = db_door_ticket_get(cli->db, (long long)claim.ticket_id)))
		return cli_db_fail(cli, what);
	if (PQntuples(res) == 0 || db_int(res, 0, TK_EVENT) != (long long)claim.event_id)
		why = "unknown ticket";
	else if (strcmp(db_text(res, 0, TK_STATUS), "valid") != 0)
		why = "cancelled or refunded";
	else if (db_int(res, 0, TK_ISSUE) != (long long)claim.issue)
		why = "reissued (old QR)";
	PQclear(res);
	if (why)
		return cli_fail(EXIT_REFUSED, what, "%s", why);
	cli_print_json(json_pack("{sb sI sI sI si}", "valid", 1, "ticket", (json_int_t)claim.ticket_id,
				 "event", (json_int_t)claim.event_id, "type", (json_int_t)claim.type_id,
				 "issue", (int)claim.issue));
	return EXIT_DONE;
}

int cmd_event_key(struct cli *cli, int argc, char **argv)
{
	const char *what = "event key", *event = NULL;
	bool json = false;
	const struct cli_opt opts[] = { { "event", &event, NULL }, { "json", NULL, &json }, { NULL, NULL, NULL } };
	unsigned char pk[TOKEN_PUBLIC_KEY_BYTES];
	char hex[2 * TOKEN_PUBLIC_KEY_BYTES + 1];
	long long event_id;
	int rc = cli_parse(what, argc, argv, opts, NULL, 0, NULL);

	if (rc)
		return rc;
	if ((rc = cli_event_type(cli, what, event, NULL, &event_id, NULL)))
		return rc;
	if (!db_event_public_key(cli->db, event_id, pk))
		return cli_db_fail(cli, what);
	hex_encode(pk, sizeof pk, hex);
	if (json)
		cli_print_json(json_pack("{sI ss}", "event", (json_int_t)event_id, "public_key", hex));
	else
		printf("%s\n", hex);
	return EXIT_DONE;
}

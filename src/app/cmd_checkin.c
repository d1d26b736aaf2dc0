/* boxoffice checkin: the headless gate. Tokens from --token, QR codes in
 * --image files, or one token a line on stdin (keyboard-wedge scanners);
 * one JSON line per scan; exit 0 only if every scan was admitted. Works
 * offline from the gate's cache and journal when the database is away. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../db/catalog.h"
#include "../db/db.h"
#include "cli.h"
#include "commands.h"
#include "gate.h"
#include "scan_image.h"

#define INPUTS_MAX 256
#define LINE_MAX_BYTES 4096

static bool emit(struct gate *g, const char *token, struct verdict *v)
{
	gate_scan(g, token, v);
	cli_print_json(verdict_json(v));
	fflush(stdout);
	return v->admit;
}

static bool emit_reject(const char *reason)
{
	struct verdict v = { 0 };
	snprintf(v.reason, sizeof v.reason, "%s", reason);
	cli_print_json(verdict_json(&v));
	fflush(stdout);
	return false;
}

/* One line from stdin: Enter ends it; a line past LINE_MAX_BYTES is
 * garbage (read to its end and rejected), as are control bytes. */
static int read_line(char *buf, size_t size, bool *garbage)
{
	int c;
	size_t n = 0;
	*garbage = false;
	while ((c = getchar()) != EOF && c != '\n') {
		if (c == '\r')
			continue;
		if (c < 0x20 || c == 0x7F)
			*garbage = true;
		if (n + 1 < size)
			buf[n++] = (char)c;
		else
			*garbage = true;
	}
	buf[n] = '\0';
	return c == EOF && n == 0 ? -1 : (int)n;
}

int cmd_checkin(struct cli *cli, int argc, char **argv)
{
	const char *what = "checkin", *gate_name = NULL, *event = NULL;
	const char *tokens[INPUTS_MAX], *images[INPUTS_MAX];
	int ntokens = 0, nimages = 0, uploaded, conflicts;
	bool all = true, refresh = false;
	struct db *db;
	struct gate g;
	long long event_id = 0;

	/* --token and --image repeat: collected here rather than by cli_parse. */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = NULL;
		if (strcmp(a, "--token") == 0 && ntokens < INPUTS_MAX)
			slot = &tokens[ntokens++];
		else if (strcmp(a, "--image") == 0 && nimages < INPUTS_MAX)
			slot = &images[nimages++];
		else if (strcmp(a, "--gate") == 0)
			slot = &gate_name;
		else if (strcmp(a, "--event") == 0)
			slot = &event;
		else if (strcmp(a, "--refresh-cache") == 0) {
			refresh = true;
			continue;
		} else
			return cli_fail(EXIT_USAGE, what, "unknown argument %s", a);
		if (i + 1 >= argc)
			return cli_fail(EXIT_USAGE, what, "%s needs a value", a);
		*slot = argv[++i];
	}
	if (!gate_name)
		gate_name = cli->station;
	if (strlen(gate_name) > 60 || strchr(gate_name, '/') || strchr(gate_name, '"'))
		return cli_fail(EXIT_USAGE, what, "--gate must be a short name without / or \"");
	/* The database may be away: the gate works on from its cache. */
	cli->db = db = db_new(cli->conninfo, cli->station);
	if (db_connect(db) && event && !db_event_resolve(db, event, &event_id))
		return cli_db_fail(cli, what);
	gate_open(&g, db, gate_name, event_id);
	if (db->state == DB_READY) {
		uploaded = gate_upload(&g, &conflicts);
		if (uploaded > 0)
			fprintf(stderr, "boxoffice: checkin: uploaded %d offline scans (%d conflicts)\n", uploaded, conflicts);
		if (refresh || g.ntickets == 0 || access(g.cache_path, R_OK) != 0)
			gate_refresh_cache(&g);
	} else {
		fprintf(stderr, "boxoffice: checkin: database unreachable, working offline (%d scans queued)\n", g.pending);
	}
	for (int i = 0; i < ntokens; i++) {
		struct verdict v;
		all &= emit(&g, tokens[i], &v);
	}
	for (int i = 0; i < nimages; i++) {
		char codes[4][SCAN_CODE_MAX];
		const char *why = NULL;
		int n = scan_image_file(images[i], codes, 4, &why);
		if (n < 0) {
			char reason[300];
			snprintf(reason, sizeof reason, "cannot read %s: %s", images[i], why);
			all &= emit_reject(reason);
		} else if (n == 0) {
			all &= emit_reject("no QR code found in the picture");
		} else if (n > 1) {
			all &= emit_reject("two codes in one picture: scan one at a time");
		} else {
			struct verdict v;
			all &= emit(&g, codes[0], &v);
		}
	}
	if (ntokens == 0 && nimages == 0) {
		char line[LINE_MAX_BYTES];
		bool garbage;
		int n;
		while ((n = read_line(line, sizeof line, &garbage)) >= 0) {
			struct verdict v;
			if (n == 0)
				continue;
			if (garbage)
				all &= emit_reject("garbage from the scanner");
			else
				all &= emit(&g, line, &v);
		}
	}
	gate_close(&g);
	return all ? EXIT_DONE : EXIT_REFUSED;
}

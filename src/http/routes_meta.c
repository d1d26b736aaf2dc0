/* What the server says about itself: GET /openapi.json, the document in
 * the assets folder (assets/openapi.json, installed beside the badge
 * template), read at each request so an upgrade needs no restart. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../app/paths.h"
#include "http.h"

/* The document may be up to 1 MiB. */
#define OPENAPI_MAX (1024 * 1024)

bool route_openapi(struct request *r, const char *tail)
{
	char path[4200];
	char *text = NULL;
	size_t n = 0;
	FILE *f;

	(void)tail;
	snprintf(path, sizeof path, "%s/openapi.json", paths_assets_dir());
	f = fopen(path, "rb");
	if (f) {
		text = malloc(OPENAPI_MAX + 1);
		if (text)
			n = fread(text, 1, OPENAPI_MAX + 1, f);
		fclose(f);
	}
	if (!text || n == 0 || n > OPENAPI_MAX) {
		free(text);
		return http_error(r, 500, "this installation has no API document (%s)", path);
	}
	http_send(r, 200, "application/json", text, n, NULL);
	free(text);
	return true;
}

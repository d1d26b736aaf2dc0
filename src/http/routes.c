/* Every endpoint of `boxoffice serve`, in one table (assets/openapi.json
 * documents them; tests/db_serve_openapi.c checks the two agree). */
#include "http.h"

const struct route routes[] = {
	{ "POST", "/tickets/adjust", route_adjust },
	{ "GET", "/availability", route_availability },
	{ "POST", "/orders", route_orders },
	{ "GET", "/health", route_health },
	{ "GET", "/openapi.json", route_openapi },
	{ NULL, NULL, NULL },
};

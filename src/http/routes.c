/* Every endpoint of `boxoffice serve`, in one table (assets/openapi.json
 * documents them; tests/db_serve_openapi.c checks the two agree). */
#include "http.h"

const struct route routes[] = {
	{ "POST", "/tickets/adjust", route_adjust },
	{ "GET", "/availability", route_availability },
	{ "POST", "/orders", route_orders },
	{ "POST", "/checkin", route_checkin },
	{ "POST", "/webhooks/stripe", route_stripe_webhook },
	{ "POST", "/webhooks/shopify", route_shopify_webhook },
	{ "POST", "/webhooks/woocommerce", route_woocommerce_webhook },
	{ "POST", "/webhooks/square", route_square_webhook },
	{ "POST", "/webhooks/eventbrite", route_eventbrite_webhook },
	{ "POST", "/webhooks/hubspot", route_hubspot_webhook },
	{ "POST", "/webhooks/zendesk", route_zendesk_webhook },
	{ "GET", "/health", route_health },
	{ "POST", "/webhooks/slack", route_slack_webhook },
	{ "POST", "/webhooks/twilio", route_twilio_webhook },
	{ "GET", "/events/", route_event_page },
	{ "POST", "/events/", route_event_order },
	{ "GET", "/my/", route_my_tickets },
	{ "GET", "/tickets/", route_ticket_qr },
	{ "GET", "/persons/", route_person_tickets },
	{ "GET", "/openapi.json", route_openapi },
	{ NULL, NULL, NULL },
};

/* The ticket order: statuses, payment methods, channels and which status
 * changes each payment method allows. The same table lives in the database
 * (order_transition, db/002_orders.sql); tests check the two agree. */
#ifndef BOXOFFICE_CORE_ORDER_H
#define BOXOFFICE_CORE_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum order_status {
	ORDER_REQUESTED,
	ORDER_INVOICE_SENT,
	ORDER_SETTLED,
	ORDER_CANCELLED,
	ORDER_REFUNDED,
	ORDER_STATUS_COUNT
};

enum payment_method {
	PAY_INVOICE,
	PAY_CARD,
	PAY_SPONSORED,
	PAY_FREE,
	PAY_COUNT
};

enum sales_channel {
	CHANNEL_WEB,
	CHANNEL_POS,
	CHANNEL_OTA,
	CHANNEL_RESELLER,
	CHANNEL_COUNT
};

struct order_transition {
	enum payment_method payment;
	enum order_status from;
	enum order_status to;
};

extern const struct order_transition order_transitions[];
extern const size_t order_transitions_count;

const char *order_status_name(enum order_status status);
const char *order_status_label(enum order_status status); /* "Invoice sent" */
bool order_status_parse(const char *text, enum order_status *status);
/* An order history's action for a person: a status as its label
 * ("invoice_sent": "Invoice sent"), else the words ("tickets_generated":
 * "Tickets generated"). Returns buf. */
const char *order_action_label(const char *action, char *buf, size_t size);
const char *payment_name(enum payment_method payment);
bool payment_parse(const char *text, enum payment_method *payment);
const char *payment_label(enum payment_method payment); /* "Invoice" */

/* The one table of names, NULL-terminated, in enum order: screens, data
 * layer and CLI take their lists from here. */
const char *const *order_status_names(void); /* requested … refunded */
const char *const *payment_names(void);      /* invoice, card, sponsored, free */
/* The same in the words people read (screens): "Invoice sent", "Card". */
const char *const *order_status_labels(void);
const char *const *payment_labels_all(void);
/* A form's choice list from such a table: lead first when not NULL
 * ("All"), then the names in enum order with names[first] moved to the
 * front (first -1: none), then NULL. out holds the names + 2. Returns how
 * many choices. */
int name_choices(const char **out, const char *lead, const char *const *names, int first);
const char *channel_name(enum sales_channel channel);
bool channel_parse(const char *text, enum sales_channel *channel);

bool order_can_transition(enum payment_method payment, enum order_status from,
			  enum order_status to);

/* The status a new order starts in: a counter sale paid by card, or
 * sponsored or free, is settled at once; an invoice order is requested. */
enum order_status order_initial_status(enum payment_method payment, bool at_counter);

/* Free and sponsored orders carry no amount: no money changes hands. */
bool payment_is_charged(enum payment_method payment);

/* Whether tickets exist (valid) for an order in this status. */
bool order_status_has_tickets(enum order_status status);

struct order_line_price {
	int64_t unit_cents;
	int qty;
	int vat_bp;
};

struct order_amounts {
	int64_t net_cents;
	int64_t vat_cents;
	int64_t gross_cents;
	int quantity;
};

/* Sums the lines with the VAT rule of money.h; false on overflow/bad input. */
bool order_compute_amounts(const struct order_line_price *lines, size_t n,
			   enum payment_method payment, struct order_amounts *out);

#endif

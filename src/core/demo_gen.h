/* The demo data's content, without a database: the catalog (events and
 * ticket types), organizations and people, and one order at a time from a
 * seeded generator. src/db/demo.c writes what this makes with COPY; the
 * same seed gives the same data on every machine. */
#ifndef BOXOFFICE_CORE_DEMO_GEN_H
#define BOXOFFICE_CORE_DEMO_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "order.h"
#include "rng.h"

struct demo_event {
	const char *name;
	const char *date;
	bool reentry;
	int first_day; /* sales open this many days before the event */
};

struct demo_type {
	const char *name;
	const char *tier;
	int seats_per_ticket;
	int64_t price_cents;
	int max_qty;
};

#define DEMO_EVENTS 3
#define DEMO_TYPES 3
#define DEMO_ORGS 24
extern const struct demo_event demo_events[DEMO_EVENTS];
extern const struct demo_type demo_types[DEMO_TYPES];

/* A type's price at an event: prices differ a little per event. */
int64_t demo_price(int event, int type);

/* Organization i's name; its relationship with an event (drawn from r). */
void demo_org_name(int i, char *out, size_t size);
struct demo_org_link {
	const char *relationship, *lifecycle, *commercial, *package, *category;
	char booth[16];
};
void demo_org_link(struct rng *r, int i, struct demo_org_link *out);
/* Person k (0 or 1) of organization i at event e. */
void demo_org_person(int i, int e, int k, char *name, size_t name_size, char *email,
		     size_t email_size);

struct demo_line {
	int type;
	int qty;
	int64_t unit_cents, net_cents, vat_cents;
};

struct demo_order {
	int event;
	int nlines;
	struct demo_line lines[2];
	enum payment_method payment;
	enum order_status status;
	enum sales_channel channel;
	bool has_tickets;  /* settled, or refunded (its tickets void) */
	bool tickets_void;
	bool takes_seats;  /* counts against capacity */
	char company[64], contact[64], email[128];
	char date[16];     /* YYYY-MM-DD */
	int invoice_no;    /* 0: none */
	char payment_ref[32], external_ref[48]; /* "" when none */
	struct order_amounts amounts;
	int valid_tickets;
};

/* Invoice numbers are gapless per event: the generator keeps the counters. */
struct demo_gen {
	struct rng rng;
	int invoice_no[DEMO_EVENTS];
};

/* Order number seq (1-based) with database id id; false only if its
 * amounts fall out of range (never, with the catalog above). */
bool demo_next_order(struct demo_gen *g, long long seq, long long id, struct demo_order *o);

/* Days since 1970-01-01 of a civil date and back (proleptic Gregorian). */
long demo_days_from_civil(int y, int m, int d);
void demo_civil_from_days(long days, char out[16]);
/* Lower-case ASCII letters and digits of src: e-mail parts. */
void demo_ascii_slug(char *dst, size_t size, const char *src);

#endif

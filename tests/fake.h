/* The fake platform (tests/fake_platform.py) driven from cmocka tests: a
 * python3 process on a free loopback port that records every request and
 * answers like Shopify, WooCommerce, Square, Eventbrite, Twilio, Slack or a
 * generic webhook receiver; it fails, stalls or drops connections on
 * demand. Processes still running when the test program ends are killed. */
#ifndef BOXOFFICE_TESTS_FAKE_H
#define BOXOFFICE_TESTS_FAKE_H

#include <jansson.h>
#include <sys/types.h>

struct fake {
	pid_t pid;
	int port;
	char url[64]; /* http://127.0.0.1:PORT */
};

/* Starts it (fails the test when it does not print its port within 10 s).
 * The script is $FAKE_PLATFORM or tests/fake_platform.py of this tree. */
void fake_start(struct fake *f);
/* "http://127.0.0.1:PORT" */
const char *fake_url(const struct fake *f);
/* Every platform request so far (GET /_requests): a JSON array of
 * {"n","method","path","query","headers" (lower-case names),"body","json",
 * "form","answered"}; the caller json_decref()s it. */
json_t *fake_requests(const struct fake *f);
/* The same, only those whose path ends with suffix (NULL: all). */
json_t *fake_requests_to(const struct fake *f, const char *path_suffix);
/* mode "ok", "fail" (answer status), "stall" (stall_ms, 0 = until the mode
 * changes) or "close" (drop the connection unanswered). */
void fake_mode(const struct fake *f, const char *mode, int status, int stall_ms);
/* Merges a JSON object into what reads return: {"sold":{"REMOTE":N},
 * "available":{"REMOTE":N},"eventbrite_orders":{"ID":{…}}}. */
void fake_state(const struct fake *f, const char *json_text);
/* Forgets the recorded requests. */
void fake_clear(const struct fake *f);
/* SIGTERM and wait. */
void fake_stop(struct fake *f);

#endif

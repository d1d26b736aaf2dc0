/* A small W3C WebDriver client for browser tests (libcurl + jansson):
 * drives Debian's headless Chromium through /usr/bin/chromedriver.
 *
 * Every call fails the running cmocka test with a readable message (what
 * was asked, and the driver's own `value.message`) instead of returning an
 * error; the wd_try_* calls return false instead. Every request to the
 * driver has a timeout; waiting (for the driver, for an element, for a
 * text) is polling against a deadline, never a fixed sleep.
 *
 * The driver runs in its own process group with the browser under it,
 * under a small guardian process of ours that reaps them all: it ends the
 * group and removes the throwaway folder (profile, driver.log, the
 * browser's TMPDIR) on wd_stop(), at exit, on SIGABRT/SIGTERM/SIGINT/
 * SIGHUP (a failed assertion under CMOCKA_TEST_ABORT), and when the test
 * program dies even by SIGKILL; so no Chromium outlives its test. Call
 * wd_start from the thread that runs the tests (the guardian follows the
 * thread that forked it). A test that fails normally should wd_stop in a
 * teardown (otherwise the browser lives on until exit).
 *
 * Chromium runs with --headless=new --no-sandbox --disable-gpu
 * --disable-dev-shm-usage and its own --user-data-dir: as root, with no
 * terminal and no display (CI). */
#ifndef BOXOFFICE_TESTS_WEBDRIVER_H
#define BOXOFFICE_TESTS_WEBDRIVER_H

#include <stdbool.h>

struct wd;

/* Window sizes in CSS pixels. */
enum wd_window {
	WD_PHONE,   /* 412 x 915 */
	WD_DESKTOP, /* 1280 x 900 */
};

/* A WebDriver element reference (the driver's id for it). */
struct wd_elem {
	char id[160];
};

/* Starts chromedriver on a free loopback port, waits (deadline) until its
 * /status says ready, opens a browser session. */
struct wd *wd_start(enum wd_window window);
/* Ends the session, kills the driver's process group, removes the
 * profile. NULL is allowed; the handle is gone afterwards. */
void wd_stop(struct wd *w);

/* How long wd_find and wd_text wait for an element to appear
 * (default 10000 ms). */
void wd_set_wait(struct wd *w, int ms);

/* Opens url and waits for the page to load. */
void wd_get(struct wd *w, const char *url);
/* The current page's URL / HTML source; the caller frees them. */
char *wd_url(struct wd *w);
char *wd_source(struct wd *w);

/* The first element matching a CSS selector, waiting until it is there. */
struct wd_elem wd_find(struct wd *w, const char *css);
/* The same without failing the test: false if none appeared within ms. */
bool wd_try_find(struct wd *w, const char *css, int ms, struct wd_elem *out);

/* Types text (UTF-8) into an input, after what it holds already. */
void wd_type(struct wd *w, struct wd_elem e, const char *text);
/* Empties an input or textarea. */
void wd_clear(struct wd *w, struct wd_elem e);
void wd_click(struct wd *w, struct wd_elem e);
/* Picks the <option value="value"> of a <select> by clicking it. */
void wd_select(struct wd *w, struct wd_elem select, const char *value);

/* The rendered text of the first element matching css (waits for it
 * like wd_find); the caller frees it. */
char *wd_text(struct wd *w, const char *css);
/* The same for an element in hand. */
char *wd_elem_text(struct wd *w, struct wd_elem e);
/* An element's property/attribute (e.g. "href", "value"): NULL when it
 * has none; the caller frees it. */
char *wd_attr(struct wd *w, struct wd_elem e, const char *name);
/* Waits until the first element matching css contains text (true), or
 * ms pass (false). */
bool wd_wait_text(struct wd *w, const char *css, const char *text, int ms);

/* Runs JavaScript (a function body: "return document.title") and gives
 * its result as JSON text ("\"Title\"", "412", "null"); caller frees. */
char *wd_script(struct wd *w, const char *js);

/* The visible window (viewport) / one element (scrolled into view) as a
 * PNG file. */
void wd_screenshot(struct wd *w, const char *png_path);
void wd_elem_screenshot(struct wd *w, struct wd_elem e, const char *png_path);

/* For a test of the cleanup itself: the driver's process id (also its
 * process group's), and how many processes of a group are still alive
 * (not zombies). */
int wd_pid(const struct wd *w);
int wd_group_alive(int pgid);

#endif

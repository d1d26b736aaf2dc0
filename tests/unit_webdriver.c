/* The WebDriver client (tests/webdriver.h) against a real page in headless
 * Chromium: a tiny libmicrohttpd server on a free loopback port serves a
 * form (text input, select, submit; POST) and a result page that echoes
 * the posted fields and shows an inline QR code (src/core/qr.h drawn with
 * libgd). The browser fills, selects, submits, reads the echo, and its
 * screenshot is decoded with `zbarimg`. Then the cleanup itself: a test
 * program that fails an assertion (abort, or an ordinary failure with no
 * teardown) leaves no Chromium and no profile behind.
 *
 * No database. Prints what a browser costs here (start, first page). */
#include <errno.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <gd.h>
#include <microhttpd.h>
#include <sodium.h>

#include "src/core/qr.h"
#include "tests/webdriver.h"

/* UTF-8 and HTML specials, to be typed, posted, escaped and read back. */
#define NAME "Zoë <O'Brien> & \"Co\""

static struct MHD_Daemon *httpd;
static int http_port;
static char base[64];
static char tmpdir[64];

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the little web server ---- */

struct post {
	struct MHD_PostProcessor *pp;
	char name[512];
	char type[64];
};

static const char FORM_PAGE[] =
	"<!doctype html><html><head><meta charset=\"utf-8\">"
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Buy</title></head><body>"
	"<h1>Tickets</h1>"
	"<form method=\"post\" action=\"/buy\">"
	"<label>Name <input id=\"name\" name=\"name\" type=\"text\"></label>"
	"<label>Type <select id=\"type\" name=\"type\">"
	"<option value=\"day\">Day pass</option>"
	"<option value=\"full\">Full pass</option>"
	"<option value=\"student\">Student</option>"
	"</select></label>"
	"<button id=\"buy\" type=\"submit\">Buy</button>"
	"</form></body></html>";

static void append(char *dst, size_t cap, const char *data, uint64_t off, size_t size)
{
	if (off + size < cap) {
		memcpy(dst + off, data, size);
		dst[off + size] = '\0';
	}
}

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
				const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
				size_t size)
{
	struct post *p = cls;

	if (strcmp(key, "name") == 0)
		append(p->name, sizeof p->name, data, off, size);
	else if (strcmp(key, "type") == 0)
		append(p->type, sizeof p->type, data, off, size);
	return MHD_YES;
}

static void html_escape(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	for (; *s && n + 7 < cap; s++) {
		const char *r = NULL;

		switch (*s) {
		case '<': r = "&lt;"; break;
		case '>': r = "&gt;"; break;
		case '&': r = "&amp;"; break;
		case '"': r = "&quot;"; break;
		case '\'': r = "&#39;"; break;
		}
		if (r) {
			strcpy(out + n, r);
			n += strlen(r);
		} else {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
}

/* What the QR holds: ASCII only (a URL, as a ticket link would be), so
 * zbarimg gives back exactly these bytes. */
static void qr_text_for(const char *type, const char *name, char *out, size_t cap)
{
	size_t n = (size_t)snprintf(out, cap, "https://tickets.example/t/%s/", type);

	for (const unsigned char *s = (const unsigned char *)name; *s && n + 4 < cap; s++) {
		if ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9'))
			out[n++] = (char)*s;
		else
			n += (size_t)snprintf(out + n, cap - n, "%%%02X", *s);
	}
	out[n] = '\0';
}

/* The QR as a PNG in a data: URL; 6 px modules, four-module quiet zone. */
static char *qr_data_url(const char *text)
{
	struct qr q;
	gdImagePtr im;
	int m = 6, side, size = 0, white, black;
	void *png;
	size_t b64len;
	char *url;

	if (!qr_make(text, &q))
		return NULL;
	side = (q.width + 8) * m;
	im = gdImageCreateTrueColor(side, side);
	white = gdTrueColorAlpha(255, 255, 255, 0);
	black = gdTrueColorAlpha(0, 0, 0, 0);
	gdImageFilledRectangle(im, 0, 0, side - 1, side - 1, white);
	for (int y = 0; y < q.width; y++)
		for (int x = 0; x < q.width; x++)
			if (qr_dark(&q, x, y))
				gdImageFilledRectangle(im, (x + 4) * m, (y + 4) * m, (x + 5) * m - 1, (y + 5) * m - 1,
						       black);
	qr_free(&q);
	png = gdImagePngPtr(im, &size);
	gdImageDestroy(im);
	if (!png)
		return NULL;
	b64len = sodium_base64_encoded_len((size_t)size, sodium_base64_VARIANT_ORIGINAL);
	url = malloc(b64len + 32);
	if (url) {
		strcpy(url, "data:image/png;base64,");
		sodium_bin2base64(url + strlen(url), b64len, png, (size_t)size, sodium_base64_VARIANT_ORIGINAL);
	}
	gdFree(png);
	return url;
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, char *body)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result result_page(struct MHD_Connection *c, const struct post *p)
{
	char name[3 * sizeof p->name], type[3 * sizeof p->type], text[2048], *img, *body;
	size_t len;

	html_escape(p->name, name, sizeof name);
	html_escape(p->type, type, sizeof type);
	qr_text_for(p->type, p->name, text, sizeof text);
	if (!(img = qr_data_url(text)))
		return answer(c, 500, strdup("no QR"));
	len = strlen(img) + strlen(name) + strlen(type) + 1024;
	if (!(body = malloc(len))) {
		free(img);
		return MHD_NO;
	}
	snprintf(body, len,
		 "<!doctype html><html><head><meta charset=\"utf-8\">"
		 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Your ticket</title>"
		 "<style>body{margin:8px;background:#fff} img{image-rendering:pixelated}</style></head><body>"
		 "<img id=\"qr\" alt=\"ticket code\" src=\"%s\">"
		 "<p>Thank you, <span id=\"echo-name\">%s</span></p>"
		 "<p>Type: <span id=\"echo-type\">%s</span></p>"
		 "</body></html>",
		 img, name, type);
	free(img);
	return answer(c, 200, body);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct post *p = *state;

	if (strcmp(method, "GET") == 0 && strcmp(url, "/") == 0)
		return answer(c, 200, strdup(FORM_PAGE));
	if (strcmp(method, "POST") != 0 || strcmp(url, "/buy") != 0)
		return answer(c, 404, strdup("<!doctype html><title>404</title>not here"));
	if (!p) { /* the first call: headers only */
		if (!(p = calloc(1, sizeof *p)) || !(p->pp = MHD_create_post_processor(c, 4096, on_field, p))) {
			free(p);
			return MHD_NO;
		}
		*state = p;
		return MHD_YES;
	}
	if (*upload_size) {
		MHD_post_process(p->pp, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return result_page(c, p);
}

static void on_done(void *cls, struct MHD_Connection *c, void **state, enum MHD_RequestTerminationCode code)
{
	struct post *p = *state;

	if (p) {
		MHD_destroy_post_processor(p->pp);
		free(p);
		*state = NULL;
	}
}

static void http_start(void)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;

	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_port = 0;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	httpd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, NULL,
				 MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, on_done,
				 NULL, MHD_OPTION_END);
	assert_non_null(httpd);
	assert_non_null(info = MHD_get_daemon_info(httpd, MHD_DAEMON_INFO_BIND_PORT));
	http_port = info->port;
	assert_true(http_port > 0);
	snprintf(base, sizeof base, "http://127.0.0.1:%d", http_port);
}

/* ---- zbarimg ---- */

/* The text zbarimg reads from a PNG (one code), or fails the test. Its
 * stderr aside: it may chatter there (no D-Bus on a CI machine). */
static char *zbar_read(const char *png)
{
	char cmd[512], out[4096], err[1024] = "";
	size_t n;
	FILE *f;
	int status;

	snprintf(cmd, sizeof cmd, "zbarimg --raw -q '%s' 2>'%s.err'", png, png);
	assert_non_null(f = popen(cmd, "r"));
	n = fread(out, 1, sizeof out - 1, f);
	out[n] = '\0';
	status = pclose(f);
	snprintf(cmd, sizeof cmd, "%s.err", png);
	if ((f = fopen(cmd, "r"))) {
		err[fread(err, 1, sizeof err - 1, f)] = '\0';
		fclose(f);
	}
	if (status != 0)
		fail_msg("zbarimg %s: status %d: %s %s", png, status, out, err);
	while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return strdup(out);
}

/* ---- the tests ---- */

static struct wd *browser;

static int setup(void **state)
{
	char tmpl[] = "/tmp/boxoffice-wdtest.XXXXXX";

	assert_true(sodium_init() >= 0);
	assert_non_null(mkdtemp(tmpl));
	strcpy(tmpdir, tmpl);
	http_start();
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	if (httpd)
		MHD_stop_daemon(httpd);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Every test's own browser goes, whatever the test did. */
static int stop_browser(void **state)
{
	wd_stop(browser);
	browser = NULL;
	return 0;
}

static void test_buy_on_phone_and_decode_qr(void **state)
{
	char url[128], png[128], elem_png[128], expected[2048];
	long long t0 = now_ms(), t1, t2, t3;
	char *s;
	struct wd_elem e;

	browser = wd_start(WD_PHONE);
	t1 = now_ms();
	snprintf(url, sizeof url, "%s/", base);
	wd_get(browser, url);
	t2 = now_ms();

	s = wd_script(browser, "return window.innerWidth");
	assert_string_equal(s, "412");
	free(s);
	s = wd_script(browser, "return document.title");
	assert_string_equal(s, "\"Buy\"");
	free(s);

	wd_type(browser, wd_find(browser, "#name"), NAME);
	s = wd_attr(browser, wd_find(browser, "#name"), "value");
	assert_string_equal(s, NAME);
	free(s);
	wd_select(browser, wd_find(browser, "#type"), "full");
	s = wd_attr(browser, wd_find(browser, "#type"), "value");
	assert_string_equal(s, "full");
	free(s);
	t3 = now_ms();
	wd_click(browser, wd_find(browser, "#buy"));
	/* What a browser test costs here, for whoever writes the next one. */
	print_message("webdriver: Chromium start + session %lld ms, first page %lld ms, form submitted %lld ms\n",
		      t1 - t0, t2 - t1, now_ms() - t3);

	/* The result page: the echo, escaped by the server, read back as text. */
	assert_true(wd_wait_text(browser, "#echo-type", "full", 5000));
	s = wd_url(browser);
	snprintf(url, sizeof url, "%s/buy", base);
	assert_string_equal(s, url);
	free(s);
	s = wd_text(browser, "#echo-name");
	assert_string_equal(s, NAME);
	free(s);
	s = wd_source(browser);
	assert_non_null(strstr(s, "Zoë &lt;O'Brien&gt; &amp; \"Co\"")); /* the DOM, serialised again */
	assert_non_null(strstr(s, "id=\"qr\""));
	free(s);
	assert_false(wd_try_find(browser, "#name", 0, &e)); /* the form is gone */

	/* The screenshot holds the QR code of what was bought. */
	qr_text_for("full", NAME, expected, sizeof expected);
	snprintf(png, sizeof png, "%s/page.png", tmpdir);
	wd_screenshot(browser, png);
	s = zbar_read(png);
	assert_string_equal(s, expected);
	free(s);
	snprintf(elem_png, sizeof elem_png, "%s/qr.png", tmpdir);
	wd_elem_screenshot(browser, wd_find(browser, "#qr"), elem_png);
	s = zbar_read(elem_png);
	assert_string_equal(s, expected);
	free(s);
}

static void test_desktop_window_and_missing_element(void **state)
{
	char url[128];
	struct wd_elem e;
	long long t0;
	char *s;

	browser = wd_start(WD_DESKTOP);
	snprintf(url, sizeof url, "%s/", base);
	wd_get(browser, url);
	s = wd_script(browser, "return [window.innerWidth, window.innerHeight > 600]");
	assert_string_equal(s, "[1280,true]");
	free(s);
	/* Absent: false after the deadline, not before, and not much after. */
	t0 = now_ms();
	assert_false(wd_try_find(browser, "#no-such-thing", 300, &e));
	assert_in_range(now_ms() - t0, 300, 5000);
	/* A page that is not there is still a page (the server's 404). */
	snprintf(url, sizeof url, "%s/missing", base);
	wd_get(browser, url);
	s = wd_source(browser);
	assert_non_null(strstr(s, "not here"));
	free(s);
}

/* The same program, run again as a child that starts a browser, says its
 * driver's pid and then fails an assertion or is killed (see main).
 * Afterwards: a failure said why in one readable line, no process of the
 * driver's group is alive, and nothing is left in the child's TMPDIR.
 * After a failure the child itself waited for the cleanup; after SIGKILL
 * nobody can, so the guardian's is awaited here, with a deadline. */
static void failing_child_cleans_up(const char *mode, const char *env)
{
	char self[512], childtmp[128], cmd[1024], out[8192];
	const char *p;
	ssize_t len;
	size_t n;
	FILE *f;
	DIR *d;
	struct dirent *de;
	int status, pid, left;
	bool killed = strcmp(mode, "kill") == 0;
	long long deadline;

	assert_true((len = readlink("/proc/self/exe", self, sizeof self - 1)) > 0);
	self[len] = '\0';
	/* The killed child's guardian, orphaned, becomes ours and is reaped
	 * here, not left a zombie under a PID 1 that may not reap. */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	snprintf(childtmp, sizeof childtmp, "%s/child-%s", tmpdir, mode);
	snprintf(cmd, sizeof cmd, "mkdir -p '%s' && TMPDIR='%s' WD_SELFTEST=%s %s '%s' 2>&1", childtmp, childtmp, mode,
		 env, self);
	assert_non_null(f = popen(cmd, "r"));
	n = fread(out, 1, sizeof out - 1, f);
	out[n] = '\0';
	status = pclose(f);
	assert_int_not_equal(status, 0); /* it did fail */
	if (!(p = strstr(out, "driver pid ")))
		fail_msg("the child said no pid: %s", out);
	pid = atoi(p + strlen("driver pid "));
	assert_true(pid > 1);
	if (!killed &&
	    !strstr(out, "webdriver: find \"#absent\" (waited 200 ms): no such element: Unable to locate element"))
		fail_msg("the child's failure says no reason: %s", out);
	deadline = now_ms() + (killed ? 15000 : 0);
	for (;;) {
		left = wd_group_alive(pid);
		assert_non_null(d = opendir(childtmp));
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
				if (now_ms() >= deadline)
					print_error("left behind in the child's TMPDIR: %s\n", de->d_name);
				left++;
			}
		closedir(d);
		while (waitpid(-1, NULL, WNOHANG) > 0) /* after pclose: only orphans now */
			;
		if (waitpid(-1, NULL, WNOHANG) == 0) /* an orphan still working */
			left++;
		if (!left || now_ms() >= deadline)
			break;
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL); /* polling, with the deadline above */
	}
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0), 0);
	assert_int_equal(wd_group_alive(pid), 0);
	assert_int_equal(left, 0);
}

static void test_abort_kills_browser(void **state)
{
	failing_child_cleans_up("abort", "CMOCKA_TEST_ABORT=1");
}

static void test_failure_without_teardown_kills_browser_at_exit(void **state)
{
	failing_child_cleans_up("fail", "");
}

static void test_sigkilled_test_program_leaves_no_browser(void **state)
{
	failing_child_cleans_up("kill", "");
}

/* The child's test: no teardown on purpose. */
static void selftest_fail(void **state)
{
	struct wd *w = wd_start(WD_PHONE);

	printf("driver pid %d\n", wd_pid(w));
	fflush(stdout);
	if (strcmp(getenv("WD_SELFTEST"), "kill") == 0)
		kill(getpid(), SIGKILL);
	wd_set_wait(w, 200);
	wd_get(w, "about:blank");
	wd_find(w, "#absent");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_buy_on_phone_and_decode_qr, stop_browser),
		cmocka_unit_test_teardown(test_desktop_window_and_missing_element, stop_browser),
		cmocka_unit_test(test_abort_kills_browser),
		cmocka_unit_test(test_failure_without_teardown_kills_browser_at_exit),
		cmocka_unit_test(test_sigkilled_test_program_leaves_no_browser),
	};
	const struct CMUnitTest child[] = {
		cmocka_unit_test(selftest_fail),
	};

	if (getenv("WD_SELFTEST"))
		return cmocka_run_group_tests_name("webdriver-selftest", child, NULL, NULL);
	return cmocka_run_group_tests_name("webdriver", tests, setup, teardown);
}

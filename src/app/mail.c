#include "mail.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/util.h"
#include "../core/validate.h"

static bool has_crlf(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

bool mail_config_env(struct mail_config *c, char *why, size_t size)
{
	const char *t = getenv("BOXOFFICE_SMTP_TIMEOUT_MS");
	char *end;

	memset(c, 0, sizeof *c);
	c->url = getenv("BOXOFFICE_SMTP_URL");
	c->from = getenv("BOXOFFICE_SMTP_FROM");
	c->user = getenv("BOXOFFICE_SMTP_USER");
	c->password = getenv("BOXOFFICE_SMTP_PASSWORD");
	c->timeout_ms = 30000;
	if (!c->url || !*c->url) {
		snprintf(why, size, "SMTP is not configured (set BOXOFFICE_SMTP_URL and BOXOFFICE_SMTP_FROM)");
		return false;
	}
	if (strncmp(c->url, "smtp://", 7) != 0 && strncmp(c->url, "smtps://", 8) != 0) {
		snprintf(why, size, "BOXOFFICE_SMTP_URL must start with smtp:// or smtps://");
		return false;
	}
	if (!c->from || !*c->from || has_crlf(c->from) || !strchr(c->from, '@')) {
		snprintf(why, size, "BOXOFFICE_SMTP_FROM must be the sender's e-mail address");
		return false;
	}
	if (t && *t) {
		long v = strtol(t, &end, 10);
		if (*end || v < 100 || v > 600000) {
			snprintf(why, size, "BOXOFFICE_SMTP_TIMEOUT_MS must be 100 to 600000");
			return false;
		}
		c->timeout_ms = v;
	}
	return true;
}

/* A header value: as is when ASCII, else RFC 2047 encoded-words. */
static char *header_value(const char *s)
{
	bool ascii = true;
	size_t n = strlen(s), blen;
	char *b64, *out;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80 || *p < 0x20)
			ascii = false;
	if (ascii)
		return xstrdup(s);
	blen = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
	b64 = xmalloc(blen);
	sodium_bin2base64(b64, blen, (const unsigned char *)s, n, sodium_base64_VARIANT_ORIGINAL);
	out = xasprintf("=?UTF-8?B?%s?=", b64);
	free(b64);
	return out;
}

/* libcurl's own timeout does not end every phase (a server that takes
 * the DATA and never answers it held the command for ever): the progress
 * callback, called about once a second even when nothing moves, ends the
 * transfer at the deadline. */
static int past_deadline(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	const struct timespec *deadline = clientp;
	struct timespec now;
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline->tv_sec || (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec);
}

bool mail_send(const struct mail_config *c, const struct mail_message *m, char *why, size_t size)
{
	struct timespec deadline;
	char errbuf[CURL_ERROR_SIZE] = "", rcpt[300], from[300], date[64];
	struct curl_slist *rcpts = NULL, *headers = NULL;
	curl_mime *mime = NULL;
	curl_mimepart *part;
	CURL *curl;
	CURLcode rc;
	char *subject, *h;
	time_t now = time(NULL);
	struct tm tm;
	bool ok = false;

	if (!m->to || !*m->to) {
		snprintf(why, size, "no e-mail address to send to");
		return false;
	}
	/* the same rule as every other path: rows written by SQL or another
	 * channel are not trusted to hold one address ("a@b>,<x@y") */
	if (validate_email(m->to, true)) { /* refuses CR, LF and every control too */
		snprintf(why, size, "the order's e-mail is not one valid address");
		return false;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += c->timeout_ms / 1000;
	deadline.tv_nsec += (c->timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || !(curl = curl_easy_init())) {
		snprintf(why, size, "cannot start libcurl");
		return false;
	}
	snprintf(rcpt, sizeof rcpt, "<%s>", m->to);
	snprintf(from, sizeof from, "<%s>", c->from);
	rcpts = curl_slist_append(rcpts, rcpt);
	curl_easy_setopt(curl, CURLOPT_URL, c->url);
	curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpts);
	if (c->user && *c->user)
		curl_easy_setopt(curl, CURLOPT_USERNAME, c->user);
	if (c->password && *c->password)
		curl_easy_setopt(curl, CURLOPT_PASSWORD, c->password);
	if (strncmp(c->url, "smtp://", 7) == 0)
		curl_easy_setopt(curl, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	/* every wait has a deadline */
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms / 3 > 100 ? c->timeout_ms / 3 : 100);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, past_deadline);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &deadline);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	/* the wait for the answer after the message's end runs in a loop of
	 * its own (120 s by default, and neither of the above ends it): each
	 * answer gets the deadline too */
	curl_easy_setopt(curl, CURLOPT_SERVER_RESPONSE_TIMEOUT, c->timeout_ms / 1000 > 0 ? c->timeout_ms / 1000 : 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, errbuf);

	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "Date: %a, %d %b %Y %H:%M:%S +0000", &tm);
	headers = curl_slist_append(headers, date);
	h = xasprintf("From: %s", from);
	headers = curl_slist_append(headers, h);
	free(h);
	h = xasprintf("To: %s", rcpt);
	headers = curl_slist_append(headers, h);
	free(h);
	subject = header_value(m->subject ? m->subject : "");
	h = xasprintf("Subject: %s", subject);
	headers = curl_slist_append(headers, h);
	free(h);
	free(subject);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

	mime = curl_mime_init(curl);
	part = curl_mime_addpart(mime);
	curl_mime_data(part, m->body ? m->body : "", CURL_ZERO_TERMINATED);
	curl_mime_type(part, "text/plain; charset=UTF-8");
	curl_mime_encoder(part, "quoted-printable");
	if (m->attach_path) {
		part = curl_mime_addpart(mime);
		if (curl_mime_filedata(part, m->attach_path) != CURLE_OK) {
			snprintf(why, size, "%s: cannot read the attachment", m->attach_path);
			goto out;
		}
		curl_mime_filename(part, m->attach_name ? m->attach_name : "attachment");
		curl_mime_type(part, m->attach_type ? m->attach_type : "application/octet-stream");
		curl_mime_encoder(part, "base64"); /* the file name makes it an attachment */
	}
	curl_easy_setopt(curl, CURLOPT_MIMEPOST, mime);

	rc = curl_easy_perform(curl);
	if (rc == CURLE_ABORTED_BY_CALLBACK) {
		snprintf(why, size, "SMTP: timed out: no answer within %ld ms", c->timeout_ms);
		goto out;
	}
	if (rc != CURLE_OK) {
		snprintf(why, size, "SMTP: %s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	ok = true;
out:
	curl_slist_free_all(rcpts);
	curl_slist_free_all(headers);
	curl_mime_free(mime);
	curl_easy_cleanup(curl);
	return ok;
}

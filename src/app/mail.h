/* E-mail through libcurl's SMTP, configured from the environment:
 *   BOXOFFICE_SMTP_URL       smtp://host:port (STARTTLS when offered) or smtps://host:port
 *   BOXOFFICE_SMTP_FROM      the sender address
 *   BOXOFFICE_SMTP_USER, BOXOFFICE_SMTP_PASSWORD   optional login
 *   BOXOFFICE_SMTP_TIMEOUT_MS  the whole exchange's deadline (default 30000;
 *                              connecting gets at most a third of it)
 * Every wait has that deadline: a server that accepts and never answers
 * costs at most the timeout. */
#ifndef BOXOFFICE_APP_MAIL_H
#define BOXOFFICE_APP_MAIL_H

#include <stdbool.h>
#include <stddef.h>

struct mail_config {
	const char *url, *from, *user, *password;
	long timeout_ms;
};

/* Reads the environment; false (with why) when SMTP is not configured or
 * a setting is malformed. */
bool mail_config_env(struct mail_config *c, char *why, size_t size);

struct mail_message {
	const char *to;       /* one address */
	const char *subject;  /* UTF-8 */
	const char *body;     /* UTF-8 plain text */
	const char *attach_path, *attach_name, *attach_type; /* optional */
};

/* Sends one message; false with a one-line why. */
bool mail_send(const struct mail_config *c, const struct mail_message *m, char *why, size_t size);

#endif

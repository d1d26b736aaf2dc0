/* Handing documents over without holding anything up.
 *
 * The CLI side: invoice_mail() mails an invoice PDF (src/app/mail.h's
 * settings), receipt_print() pipes a text receipt to lp with a deadline.
 *
 * The screen side: a doc_job runs this same program as a child process
 * ("boxoffice order invoice ID --mail", "order receipt ID --print|--pdf",
 * "ticket badge ID --png FILE --print")
 * against the screen's database, so a slow mail server or printer never
 * blocks the loop. Start one, then call doc_job_poll() from on_tick (with
 * app_wake_in) until it says done; it kills the child past its deadline.
 *
 * Wiring the orders screen's `i` key: once the invoice_sent answer comes,
 *     s->job = invoice_deliver(app_db(app), order_id, why, sizeof why);
 *     app_wake_in(app, 300);
 * and in on_tick:
 *     if (s->job && doc_job_poll(s->job, msg, sizeof msg) != DOC_JOB_RUNNING) {
 *             app_status(app, rc == DOC_JOB_FAILED, "%s", msg);
 *             doc_job_free(s->job); s->job = NULL;
 *     } else if (s->job) app_wake_in(app, 300);
 * and doc_job_free() in done. The child saves the PDF under the state
 * folder and mails it when SMTP is configured. */
#ifndef BOXOFFICE_APP_DELIVER_H
#define BOXOFFICE_APP_DELIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/document.h"

struct db;

bool invoice_mail(const struct document *d, const char *pdf, char *why, size_t size);

/* Pipes text to `lp -s` (-d $BOXOFFICE_PRINTER when set), waiting at most
 * $BOXOFFICE_LP_TIMEOUT_MS (default 15000). False with why: "lp not found
 * …" when there is no lp on PATH, else what went wrong. */
bool receipt_print(const char *text, char *why, size_t size);
/* The same for a file (a badge PNG): lp -s [-d $BOXOFFICE_PRINTER] path. */
bool lp_print_file(const char *path, char *why, size_t size);

enum doc_job_state { DOC_JOB_RUNNING, DOC_JOB_DONE, DOC_JOB_FAILED };
struct doc_job;

/* "order invoice ID --mail": the invoice (numbered already) saved and
 * mailed. NULL with why when the child cannot be started. */
struct doc_job *invoice_deliver(struct db *db, long long order_id, char *why, size_t size);
/* "order receipt ID --print" (print) or "order receipt ID" (save the PDF
 * under the state folder). */
struct doc_job *receipt_deliver(struct db *db, long long order_id, bool print, char *why, size_t size);
/* "ticket badge ID --png DIR/badge-ID.png", DIR $BOXOFFICE_BADGES or
 * ./badges (made if missing), with --print when $BOXOFFICE_PRINTER names
 * a printer. */
struct doc_job *badge_deliver(struct db *db, long long ticket_id, char *why, size_t size);
/* Never blocks. When done, msg holds one line for the status line, in
 * shorter words where it has them (an invoice's) to fit width columns. */
enum doc_job_state doc_job_poll(struct doc_job *job, char *msg, size_t size, int width);
/* Kills a child still running and frees the job; NULL is fine. */
void doc_job_free(struct doc_job *job);
/* For a screen that closes while its job runs: the job runs on to its end
 * (or deadline) and is reaped later; NULL is fine. */
void doc_job_detach(struct doc_job *job);

#endif

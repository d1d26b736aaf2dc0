/* F9 on Assign tickets and My Tickets: the badge drawn (and printed) by a
 * child process (src/app/deliver.h), so a slow font, a full disk or a CUPS
 * server that never answers holds up nothing; the screen polls it from
 * on_tick and says what came of it. */
#include "../../screens/screen.h"
#include "deliver.h"

#include <stdio.h>

int badge_job_start(struct app *app, struct badge_job *b, long long ticket_id)
{
	char why[400];

	if (b->job) {
		app_status(app, true, "still making the badge of ticket #%lld: wait for it", b->ticket_id);
		return SCR_HANDLED | SCR_REDRAW;
	}
	if (!(b->job = badge_deliver(app_db(app), ticket_id, why, sizeof why))) {
		app_status(app, true, "Badge not made: %s", why);
		return SCR_HANDLED | SCR_REDRAW;
	}
	b->ticket_id = ticket_id;
	app_status(app, false, "making the badge of ticket #%lld…", ticket_id);
	app_wake_in(app, 200);
	return SCR_HANDLED | SCR_REDRAW;
}

int badge_job_tick(struct app *app, struct badge_job *b)
{
	char msg[1200];
	enum doc_job_state st;

	if (!b->job)
		return SCR_IGNORED;
	if ((st = doc_job_poll(b->job, msg, sizeof msg, app_status_width(app))) == DOC_JOB_RUNNING) {
		app_wake_in(app, 200);
		return SCR_IGNORED;
	}
	app_status(app, st == DOC_JOB_FAILED, "%s", msg);
	doc_job_free(b->job);
	b->job = NULL;
	return SCR_HANDLED | SCR_REDRAW;
}

void badge_job_done(struct badge_job *b)
{
	/* the badge still comes out of the printer after the screen closed */
	doc_job_detach(b->job);
	b->job = NULL;
}

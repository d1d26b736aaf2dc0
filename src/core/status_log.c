/* The status line's messages (src/core/status_log.h). */
#include "status_log.h"

#include <string.h>

#include "util.h"

#define ELLIPSIS "\u2026"

size_t status_text_cut(char *buf, size_t size, const char *text)
{
	size_t len, keep;

	if (size == 0)
		return 0;
	text = text ? text : "";
	len = strlen(text);
	if (len < size)
		return utf8_copy(buf, size, text);
	if (size <= sizeof ELLIPSIS) /* no room for the mark: what fits */
		return utf8_copy(buf, size, text);
	keep = utf8_prefix(text, size - sizeof ELLIPSIS);
	memcpy(buf, text, keep);
	memcpy(buf + keep, ELLIPSIS, sizeof ELLIPSIS);
	return keep + sizeof ELLIPSIS - 1;
}

const char *status_log_add(struct status_log *log, bool error, const char *text)
{
	char cut[STATUS_LOG_BYTES];
	struct status_msg *m;

	if (!text || !*text)
		return "";
	status_text_cut(cut, sizeof cut, text);
	if (log->count > 0) {
		m = &log->msg[log->newest];
		if (strcmp(m->text, cut) == 0) {
			m->error = error; /* said again: not a second entry */
			return m->text;
		}
		log->newest = (log->newest + 1) % STATUS_LOG_KEPT;
	}
	if (log->count < STATUS_LOG_KEPT)
		log->count++;
	m = &log->msg[log->newest];
	memcpy(m->text, cut, sizeof cut);
	m->error = error;
	return m->text;
}

const struct status_msg *status_log_get(const struct status_log *log, int i)
{
	if (i < 0 || i >= log->count)
		return NULL;
	return &log->msg[(log->newest - i + STATUS_LOG_KEPT) % STATUS_LOG_KEPT];
}

#include "alerts.h"

#include <stdio.h>

#include "db.h"

json_t *db_alert_list(struct db *db, bool open_only, int limit)
{
	char n[24];
	const char *params[2] = { open_only ? "true" : "false", n };
	snprintf(n, sizeof n, "%d", limit);
	return db_json(db, "SELECT alert_list($1::boolean, $2::integer)", 2, params);
}

json_t *db_alert_ack(struct db *db, long long id)
{
	char n[24];
	const char *params[1] = { n };
	snprintf(n, sizeof n, "%lld", id);
	return db_json(db, SQL_ALERT_ACK, 1, params);
}

json_t *db_alert_settings(struct db *db, long long event_id)
{
	char n[24];
	const char *params[1] = { event_id ? n : NULL };
	snprintf(n, sizeof n, "%lld", event_id);
	return db_json(db, "SELECT alert_settings($1::bigint)", 1, params);
}

static const char *opt_num(char *buf, size_t size, long long v)
{
	if (v < -1)
		return NULL;
	snprintf(buf, size, "%lld", v);
	return buf;
}

void alert_setting_params(const struct alert_setting_in *in, struct alert_setting_params *p)
{
	snprintf(p->buf[0], sizeof p->buf[0], "%lld", in->event_id);
	snprintf(p->buf[1], sizeof p->buf[1], "%lld", in->type_id);
	p->params[0] = p->buf[0];
	p->params[1] = in->type_id ? p->buf[1] : NULL;
	p->params[2] = opt_num(p->buf[2], sizeof p->buf[2], in->low_stock);
	p->params[3] = opt_num(p->buf[3], sizeof p->buf[3], in->hold_burst);
	p->params[4] = opt_num(p->buf[4], sizeof p->buf[4], in->reject_burst);
	p->params[5] = opt_num(p->buf[5], sizeof p->buf[5], in->silent_minutes);
	p->params[6] = in->enabled < 0 ? NULL : in->enabled ? "true" : "false";
}

json_t *db_alert_setting_set(struct db *db, const struct alert_setting_in *in)
{
	struct alert_setting_params p;
	alert_setting_params(in, &p);
	return db_json(db, SQL_ALERT_SETTING_SET, ALERT_SETTING_NPARAMS, p.params);
}

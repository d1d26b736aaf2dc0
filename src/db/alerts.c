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
	return db_json(db, "SELECT alert_ack($1::bigint)", 1, params);
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

json_t *db_alert_setting_set(struct db *db, const struct alert_setting_in *in)
{
	char ev[24], ty[24], low[24], hold[24], rej[24], sil[24];
	const char *params[7];

	snprintf(ev, sizeof ev, "%lld", in->event_id);
	snprintf(ty, sizeof ty, "%lld", in->type_id);
	params[0] = ev;
	params[1] = in->type_id ? ty : NULL;
	params[2] = opt_num(low, sizeof low, in->low_stock);
	params[3] = opt_num(hold, sizeof hold, in->hold_burst);
	params[4] = opt_num(rej, sizeof rej, in->reject_burst);
	params[5] = opt_num(sil, sizeof sil, in->silent_minutes);
	params[6] = in->enabled < 0 ? NULL : in->enabled ? "true" : "false";
	return db_json(db,
		       "SELECT alert_setting_set($1::bigint, $2::bigint, $3::integer, $4::integer, $5::integer, "
		       "$6::integer, $7::boolean)",
		       7, params);
}

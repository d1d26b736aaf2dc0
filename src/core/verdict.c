#include "verdict.h"

#include <stdio.h>
#include <string.h>

#include "util.h"

void verdict_from_answer(struct verdict *v, json_t *r)
{
	const char *s;
	s = json_string_value(json_object_get(r, "verdict"));
	v->admit = s && strcmp(s, "admit") == 0;
	v->duplicate = json_is_true(json_object_get(r, "duplicate"));
	v->ticket = (long long)json_integer_value(json_object_get(r, "ticket"));
	utf8_copy(v->reason, sizeof v->reason, json_string_value(json_object_get(r, "reason")));
	utf8_copy(v->person, sizeof v->person, json_string_value(json_object_get(r, "person")));
	utf8_copy(v->company, sizeof v->company, json_string_value(json_object_get(r, "company")));
	utf8_copy(v->type, sizeof v->type, json_string_value(json_object_get(r, "type")));
	utf8_copy(v->direction, sizeof v->direction, json_string_value(json_object_get(r, "direction")));
	utf8_copy(v->list, sizeof v->list, json_string_value(json_object_get(r, "list")));
	utf8_copy(v->area, sizeof v->area, json_string_value(json_object_get(r, "area")));
	v->inside = json_is_integer(json_object_get(r, "inside")) ? (long long)json_integer_value(json_object_get(r, "inside")) : -1;
	v->capacity = json_is_integer(json_object_get(r, "capacity"))
			      ? (long long)json_integer_value(json_object_get(r, "capacity"))
			      : -1;
	v->full = json_is_true(json_object_get(r, "full"));
	v->override_unused = json_is_false(json_object_get(r, "override_used"));
}

json_t *verdict_json(const struct verdict *v)
{
	json_t *j = json_pack("{ss ss sI}", "verdict", v->admit ? "admit" : "reject", "reason", v->reason,
			      "ticket", (json_int_t)v->ticket);
	json_object_set_new(j, "person", v->person[0] ? json_string(v->person) : json_null());
	if (v->type[0])
		json_object_set_new(j, "type", json_string(v->type));
	if (v->company[0])
		json_object_set_new(j, "company", json_string(v->company));
	/* always: a reader sees when the gate decided without the database */
	json_object_set_new(j, "offline", json_boolean(v->offline));
	if (v->scan_id[0])
		json_object_set_new(j, "scan", json_string(v->scan_id));
	if (v->duplicate)
		json_object_set_new(j, "duplicate", json_true());
	if (v->direction[0])
		json_object_set_new(j, "direction", json_string(v->direction));
	if (v->list[0])
		json_object_set_new(j, "list", json_string(v->list));
	if (v->area[0]) {
		json_object_set_new(j, "area", json_string(v->area));
		json_object_set_new(j, "inside", json_integer(v->inside));
		json_object_set_new(j, "capacity", json_integer(v->capacity));
		if (v->approximate)
			json_object_set_new(j, "approximate", json_true());
	}
	/* refused at capacity (checkin_scan's "full"; an override may admit) */
	if (v->full)
		json_object_set_new(j, "full", json_true());
	return j;
}

const char *verdict_override_who(const struct verdict *v, char *buf, size_t size)
{
	char who[VERDICT_WHO_SIZE];

	snprintf(who, sizeof who, "#%lld%s%.*s%s%.*s%s into %.*s", v->ticket, v->person[0] ? ", " : "",
		 utf8_prefix_chars(v->person, 100), v->person, v->type[0] ? " (" : "", utf8_prefix_chars(v->type, 60), v->type,
		 v->type[0] ? ")" : "", utf8_prefix_chars(v->area, 100), v->area);
	utf8_copy(buf, size, who);
	return buf;
}

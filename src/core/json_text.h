/* A JSON object's string member, or "" when it is missing, null or not a
 * string: what every list and page prints for an empty field. */
#ifndef BOXOFFICE_CORE_JSON_TEXT_H
#define BOXOFFICE_CORE_JSON_TEXT_H

#include <jansson.h>

static inline const char *json_text(const json_t *object, const char *key)
{
	const char *s = json_string_value(json_object_get(object, key));
	return s ? s : "";
}

#endif

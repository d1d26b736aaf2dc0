/* What a supervisor station sends to the desktop (src/core/alert_notify.c):
 * one notification per alert, replaced as its count grows, forgotten once
 * acknowledged; urgency by severity. */
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "src/core/alert_notify.h"

static void test_new_then_replaced_never_stacked(void **state)
{
	struct alert_tracker t;
	(void)state;
	memset(&t, 0, sizeof t);
	alert_track_begin(&t);
	assert_int_equal(alert_track(&t, 7, 1), ALERT_SEND_NEW);
	assert_int_equal(alert_track(&t, 8, 1), ALERT_SEND_NEW);
	alert_track_end(&t);
	alert_track_begin(&t);
	assert_int_equal(alert_track(&t, 7, 1), ALERT_SEND_NONE);   /* nothing new */
	assert_int_equal(alert_track(&t, 8, 3), ALERT_SEND_REPLACE); /* grew */
	alert_track_end(&t);
	alert_track_begin(&t);
	assert_int_equal(alert_track(&t, 8, 3), ALERT_SEND_NONE);
	alert_track_end(&t); /* 7 acknowledged: forgotten */
	assert_int_equal(t.n, 1);
	alert_track_begin(&t);
	assert_int_equal(alert_track(&t, 7, 1), ALERT_SEND_NEW);
	alert_track_end(&t);
}

static void test_urgency_and_text(void **state)
{
	char buf[200];
	(void)state;
	assert_int_equal(alert_urgency("low"), 0);
	assert_int_equal(alert_urgency("normal"), 1);
	assert_int_equal(alert_urgency("critical"), 2);
	assert_int_equal(alert_urgency(NULL), 1);
	assert_string_equal(alert_kind_title("sold_out"), "Sold out");
	assert_string_equal(alert_kind_title("low_stock"), "Low stock");
	alert_body(buf, sizeof buf, "Gate N: 5 rejects", 3);
	assert_string_equal(buf, "Gate N: 5 rejects (×3)");
	alert_body(buf, sizeof buf, "Sold out: A / B", 1);
	assert_string_equal(buf, "Sold out: A / B");
	alert_banner(buf, sizeof buf, "Sold out: A / B", 1, 2);
	assert_non_null(strstr(buf, "ALERT: Sold out: A / B"));
	assert_non_null(strstr(buf, "2 open"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_then_replaced_never_stacked),
		cmocka_unit_test(test_urgency_and_text),
	};
	return cmocka_run_group_tests_name("alert_notify", tests, NULL, NULL);
}

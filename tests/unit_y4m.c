/* The YUV4MPEG2 reader behind camera sources (issue 12): whole frames
 * from bytes in any chunking, the newest frame kept, and every broken
 * stream refused with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "src/core/y4m.h"

/* A stream: header, then frames whose luma byte i is base + i and whose
 * chroma bytes are 0xEE (they must never reach the grey plane). */
static size_t make_stream(uint8_t *out, size_t cap, const char *header, int w, int h, bool mono, int frames)
{
	size_t n = (size_t)snprintf((char *)out, cap, "%s\n", header);
	size_t luma = (size_t)w * (size_t)h, chroma = mono ? 0 : 2 * (size_t)((w + 1) / 2) * (size_t)((h + 1) / 2);

	for (int f = 0; f < frames; f++) {
		n += (size_t)snprintf((char *)out + n, cap - n, "FRAME\n");
		for (size_t i = 0; i < luma; i++)
			out[n++] = (uint8_t)(f * 16 + (int)i);
		memset(out + n, 0xEE, chroma);
		n += chroma;
	}
	return n;
}

static void test_mono_byte_by_byte(void **state)
{
	uint8_t s[256];
	size_t n = make_stream(s, sizeof s, "YUV4MPEG2 W4 H2 F30:1 Ip A1:1 Cmono", 4, 2, true, 2);
	struct y4m y;
	int frames = 0;
	(void)state;

	y4m_init(&y);
	for (size_t i = 0; i < n; i++) {
		int r = y4m_feed(&y, s + i, 1);
		assert_true(r >= 0);
		frames += r;
	}
	assert_int_equal(frames, 2);
	assert_int_equal(y.width, 4);
	assert_int_equal(y.height, 2);
	assert_int_equal(y4m_frame_ms(&y), 33);
	for (int i = 0; i < 8; i++)
		assert_int_equal(y.done[i], 16 + i); /* the second frame */
	y4m_free(&y);
}

static void test_420_odd_size_in_chunks_newest_wins(void **state)
{
	uint8_t s[512];
	size_t n = make_stream(s, sizeof s, "YUV4MPEG2 W3 H3 F25:1 C420jpeg", 3, 3, false, 3);
	struct y4m y;
	int frames = 0;
	(void)state;

	y4m_init(&y);
	assert_int_equal(y4m_feed(&y, s, 7), 0); /* part of the header */
	for (size_t at = 7; at < n; at += 5) {
		int r = y4m_feed(&y, s + at, n - at < 5 ? n - at : 5);
		assert_true(r >= 0);
		frames += r;
	}
	assert_int_equal(frames, 3);
	assert_int_equal(y4m_frame_bytes(&y), 9 + 2 * 4);
	assert_int_equal(y4m_frame_ms(&y), 40);
	for (int i = 0; i < 9; i++)
		assert_int_equal(y.done[i], 32 + i); /* the third, no chroma in it */
	y4m_free(&y);

	/* all three in one feed: one call completes three, the last is kept */
	y4m_init(&y);
	assert_int_equal(y4m_feed(&y, s, n), 3);
	assert_int_equal(y.done[0], 32);
	assert_int_equal(y4m_frame_ms(&y), 40);
	y4m_free(&y);
}

static void test_defaults_and_no_rate(void **state)
{
	uint8_t s[256];
	size_t n = make_stream(s, sizeof s, "YUV4MPEG2 W2 H2", 2, 2, false, 1);
	struct y4m y;
	(void)state;

	y4m_init(&y);
	assert_int_equal(y4m_feed(&y, s, n), 1); /* no C: 4:2:0 */
	assert_int_equal(y.colour, Y4M_420);
	assert_int_equal(y4m_frame_ms(&y), 0); /* a pipe: as fast as frames come */
	y4m_free(&y);
}

/* Absurd but valid rates: a frame a millisecond at most, and never a
 * clip silent for days (F1:1000000 is one frame in 11.6 days). */
static void test_rates_kept_within_reason(void **state)
{
	static const struct {
		const char *header;
		int ms;
	} rates[] = {
		{ "YUV4MPEG2 W2 H2 F1000000:1 Cmono", 1 },
		{ "YUV4MPEG2 W2 H2 F1:1000000 Cmono", Y4M_SLOWEST_MS },
		{ "YUV4MPEG2 W2 H2 F30000:1001 Cmono", 33 },
	};
	(void)state;

	for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
		uint8_t s[256];
		size_t n = make_stream(s, sizeof s, rates[i].header, 2, 2, true, 1);
		struct y4m y;
		y4m_init(&y);
		assert_int_equal(y4m_feed(&y, s, n), 1);
		assert_int_equal(y4m_frame_ms(&y), rates[i].ms);
		y4m_free(&y);
	}
}

static void expect_broken(const char *stream, size_t n, const char *why)
{
	struct y4m y;

	y4m_init(&y);
	if (y4m_feed(&y, stream, n) != -1)
		fail_msg("accepted: %.40s", stream);
	if (!strstr(y.error, why))
		fail_msg("'%s' is not about '%s'", y.error, why);
	assert_int_equal(y4m_feed(&y, "more", 4), -1); /* stays broken */
	y4m_free(&y);
}

static void test_broken_streams_refused_with_a_reason(void **state)
{
	char big[2048];
	uint8_t s[256];
	size_t n;
	(void)state;

	expect_broken("P5\n4 2\n255\n", 11, "not a YUV4MPEG2");
	expect_broken("YUV4MPEG2X W4 H2\n", 17, "not a YUV4MPEG2");
	expect_broken("YUV4MPEG2 W4 H2 C444\n", 21, "colour space");
	expect_broken("YUV4MPEG2 W0 H2\n", 16, "width");
	expect_broken("YUV4MPEG2 W5000 H2\n", 19, "width");
	expect_broken("YUV4MPEG2 W4 H-2\n", 17, "height");
	expect_broken("YUV4MPEG2 W4\n", 13, "no W and H");
	expect_broken("YUV4MPEG2 W4 H2 F30\n", 20, "frame rate");
	memset(big, 'A', sizeof big);
	memcpy(big, "YUV4MPEG2 ", 10);
	expect_broken(big, sizeof big, "too long");
	/* after a whole frame, something that is not FRAME */
	n = make_stream(s, sizeof s, "YUV4MPEG2 W2 H2 Cmono", 2, 2, true, 1);
	memcpy(s + n, "GARBAGE\n", 8);
	expect_broken((const char *)s, n + 8, "expected FRAME");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mono_byte_by_byte),
		cmocka_unit_test(test_420_odd_size_in_chunks_newest_wins),
		cmocka_unit_test(test_defaults_and_no_rate),
		cmocka_unit_test(test_rates_kept_within_reason),
		cmocka_unit_test(test_broken_streams_refused_with_a_reason),
	};
	return cmocka_run_group_tests_name("y4m", tests, NULL, NULL);
}

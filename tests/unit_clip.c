/* The YUV4MPEG2 clip builder for issue 12's camera tests (tests/clip.c):
 * clips of our badges, a foreign code and garbage, in grey and 4:2:0, read
 * back with the project's own reader (src/core/y4m.h) frame by frame and
 * decoded with the station's scanner (scan_frame): every frame of every
 * scene must give exactly the codes the scene shows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gd.h>
#include <sodium.h>

#include "src/app/badge.h"
#include "src/app/scan_image.h"
#include "src/core/qr.h"
#include "src/core/token.h"
#include "src/core/y4m.h"
#include "tests/clip.h"

#define FPS 10
#define FOREIGN "https://example.org/not-a-ticket/4711"

static char dir[64];
static char qr_a[128], qr_b[128], badge_a[128], badge_b[128], clip_path[128];
static char token_a[TOKEN_MAX + 8], token_b[TOKEN_MAX + 8];
static const char *text_a = "BX1:test-A-0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char *text_b = "BX1:test-B-9876543210-ZYXWVUTSRQPONMLKJIHGFEDCBA";

/* A plain QR PNG: 8 px modules, four-module quiet zone. */
static void write_qr_png(const char *text, const char *path)
{
	struct qr q;
	gdImagePtr im;
	int m = 8, side, white, black;
	FILE *f;

	assert_true(qr_make(text, &q));
	side = (q.width + 8) * m;
	im = gdImageCreateTrueColor(side, side);
	white = gdTrueColorAlpha(255, 255, 255, 0);
	black = gdTrueColorAlpha(0, 0, 0, 0);
	gdImageFilledRectangle(im, 0, 0, side - 1, side - 1, white);
	for (int y = 0; y < q.width; y++)
		for (int x = 0; x < q.width; x++)
			if (qr_dark(&q, x, y))
				gdImageFilledRectangle(im, (x + 4) * m, (y + 4) * m, (x + 5) * m - 1, (y + 5) * m - 1,
						       black);
	qr_free(&q);
	assert_non_null(f = fopen(path, "wb"));
	gdImagePng(im, f);
	assert_int_equal(fclose(f), 0);
	gdImageDestroy(im);
}

/* Real badges (the same renderer as `boxoffice ticket badge --png`) of
 * real signed tokens: no database needed. The key comes from a fixed seed
 * (Ed25519 signs deterministically), so the tokens, and the clips, are the
 * same on every run. */
static void write_badges(void)
{
	unsigned char pk[TOKEN_PUBLIC_KEY_BYTES], sk[TOKEN_SECRET_KEY_BYTES], seed[crypto_sign_SEEDBYTES];
	struct ticket_claim a = { 7, 1001, 3, 1 }, b = { 7, 1002, 4, 2 };
	char err[256];

	memset(seed, 0x5c, sizeof seed);
	assert_true(sodium_init() >= 0);
	assert_int_equal(crypto_sign_seed_keypair(pk, sk, seed), 0);
	assert_true(token_mint(&a, sk, token_a, sizeof token_a));
	assert_true(token_mint(&b, sk, token_b, sizeof token_b));
	if (!badge_render(&(struct badge){ "Clip Test Conference 2031", "Ada Lovelace-Byron", "Analytical Engines Ltd",
					   "Speaker", token_a },
			  badge_a, err, sizeof err) ||
	    !badge_render(&(struct badge){ "Clip Test Conference 2031", "Grace Brewster Hopper", "Compilers & Co",
					   "Full pass", token_b },
			  badge_b, err, sizeof err))
		fail_msg("badge_render: %s", err);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "%s", "/tmp/unit_clip.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(qr_a, sizeof qr_a, "%s/qr-a.png", dir);
	snprintf(qr_b, sizeof qr_b, "%s/qr-b.png", dir);
	snprintf(badge_a, sizeof badge_a, "%s/badge-a.png", dir);
	snprintf(badge_b, sizeof badge_b, "%s/badge-b.png", dir);
	snprintf(clip_path, sizeof clip_path, "%s/clip.y4m", dir);
	write_qr_png(text_a, qr_a);
	write_qr_png(text_b, qr_b);
	write_badges();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	remove(qr_a);
	remove(qr_b);
	remove(badge_a);
	remove(badge_b);
	remove(clip_path);
	return rmdir(dir);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

struct expect {
	const char *codes[2];
};

/* Writes the clip, reads it back one frame at a time and decodes every
 * frame; each must hold exactly its scene's codes. */
static void check_clip(int width, int height, enum clip_colour colour, const struct clip_scene *scenes,
		       const struct expect *expect, int nscenes)
{
	char why[256], codes[4][SCAN_CODE_MAX];
	size_t len, at, frame;
	char *bytes, *again;
	struct y4m y;
	int frames, total = 0, bad = 0;
	const char *nl;

	for (int i = 0; i < nscenes; i++) {
		long n = (long)(scenes[i].seconds * FPS + 0.5);
		total += n < 1 ? 1 : (int)n;
	}
	frames = clip_write(clip_path, width, height, FPS, colour, scenes, nscenes, why, sizeof why);
	if (frames < 0)
		fail_msg("clip_write: %s", why);
	assert_int_equal(frames, total);
	bytes = slurp(clip_path, &len);

	/* the same scenes, the same bytes */
	assert_int_equal(clip_write(clip_path, width, height, FPS, colour, scenes, nscenes, why, sizeof why), total);
	again = slurp(clip_path, &at);
	assert_int_equal(at, len);
	assert_memory_equal(bytes, again, len);
	free(again);

	y4m_init(&y);
	nl = memchr(bytes, '\n', len);
	assert_non_null(nl);
	at = (size_t)(nl - bytes) + 1;
	assert_int_equal(y4m_feed(&y, bytes, at), 0);
	assert_true(y.have_header);
	assert_int_equal(y.width, width);
	assert_int_equal(y.height, height);
	assert_int_equal(y.fps_num, FPS);
	assert_int_equal(y.fps_den, 1);
	assert_int_equal(y.colour, colour == CLIP_MONO ? Y4M_MONO : Y4M_420);
	frame = 6 + y4m_frame_bytes(&y); /* "FRAME\n" and the planes */
	assert_int_equal(len, at + (size_t)total * frame);

	for (int s = 0, f = 0; s < nscenes; s++) {
		long n = (long)(scenes[s].seconds * FPS + 0.5);
		int want = (expect[s].codes[0] != NULL) + (expect[s].codes[1] != NULL);
		for (long k = 0; k < (n < 1 ? 1 : n); k++, f++, at += frame) {
			int got;
			bool same;
			assert_int_equal(y4m_feed(&y, bytes + at, frame), 1);
			if (colour == CLIP_420) /* chroma planes neutral */
				for (size_t c = 6 + (size_t)width * (size_t)height; c < frame; c++)
					assert_int_equal((unsigned char)bytes[at + c], 128);
			got = scan_frame(y.done, width, height, codes, 4);
			same = got == want;
			for (int e = 0; same && e < want; e++) {
				bool found = false;
				for (int g = 0; g < got; g++)
					found = found || strcmp(codes[g], expect[s].codes[e]) == 0;
				same = found;
			}
			if (!same) {
				print_error("%d×%d %s: scene \"%s\" frame %d (clip frame %d): %d code(s), want %d%s%s\n",
					    width, height, colour == CLIP_MONO ? "mono" : "420", scenes[s].label, (int)k,
					    f, got, want, got > 0 ? ", first: " : "", got > 0 ? codes[0] : "");
				bad++;
			}
		}
	}
	assert_int_equal(y.frames, (unsigned long)total);
	y4m_free(&y);
	free(bytes);
	assert_int_equal(bad, 0);
}

/* The issue-12 sequence over two images a and b. */
static void check_sequence(int width, int height, enum clip_colour colour, const char *a, const char *b,
			   const char *code_a, const char *code_b)
{
	const struct clip_scene scenes[] = {
		{ "blank", 0.5, { NULL, NULL }, NULL, false },
		{ "A", 1.0, { a, NULL }, NULL, false },
		{ "blank", 0.5, { NULL, NULL }, NULL, false },
		{ "A", 0.5, { a, NULL }, NULL, false },
		{ "B", 0.5, { b, NULL }, NULL, false },
		{ "A+B", 0.5, { a, b }, NULL, false },
		{ "foreign", 0.5, { NULL, NULL }, FOREIGN, false },
		{ "noise", 0.3, { NULL, NULL }, NULL, true },
		{ "blank", 0.3, { NULL, NULL }, NULL, false },
	};
	const struct expect expect[] = {
		{ { NULL, NULL } }, { { code_a, NULL } }, { { NULL, NULL } },
		{ { code_a, NULL } }, { { code_b, NULL } }, { { code_a, code_b } },
		{ { FOREIGN, NULL } }, { { NULL, NULL } }, { { NULL, NULL } },
	};
	check_clip(width, height, colour, scenes, expect, (int)(sizeof scenes / sizeof scenes[0]));
}

static void test_qr_pngs_mono_640x480(void **state)
{
	(void)state;
	check_sequence(640, 480, CLIP_MONO, qr_a, qr_b, text_a, text_b);
}

static void test_qr_pngs_420_640x480(void **state)
{
	(void)state;
	check_sequence(640, 480, CLIP_420, qr_a, qr_b, text_a, text_b);
}

/* Real badges: QR plus event band, name, company, type and token text. */
static void test_real_badges_mono_640x480(void **state)
{
	(void)state;
	check_sequence(640, 480, CLIP_MONO, badge_a, badge_b, token_a, token_b);
}

static void test_real_badges_420_640x480(void **state)
{
	(void)state;
	check_sequence(640, 480, CLIP_420, badge_a, badge_b, token_a, token_b);
}

static void test_refusals_say_why_and_leave_no_file(void **state)
{
	const struct clip_scene missing[] = {
		{ "blank", 0.2, { NULL, NULL }, NULL, false },
		{ "ghost", 0.2, { "/nonexistent/badge.png", NULL }, NULL, false },
	};
	const struct clip_scene blank[] = { { "blank", 0.0, { NULL, NULL }, NULL, false } };
	const struct clip_scene negative[] = { { "back", -1.0, { NULL, NULL }, NULL, false } };
	const struct clip_scene tiny_qr[] = { { "foreign", 1.0, { NULL, NULL }, FOREIGN, false } };
	char why[256];
	(void)state;

	remove(clip_path);
	assert_int_equal(clip_write(clip_path, 64, 48, FPS, CLIP_MONO, missing, 2, why, sizeof why), -1);
	assert_non_null(strstr(why, "\"ghost\""));
	assert_non_null(strstr(why, "/nonexistent/badge.png"));
	assert_int_equal(access(clip_path, F_OK), -1); /* no half clip */
	assert_int_equal(clip_write(clip_path, 0, 48, FPS, CLIP_MONO, blank, 1, why, sizeof why), -1);
	assert_non_null(strstr(why, "frame size"));
	assert_int_equal(clip_write(clip_path, 64, 48, 0, CLIP_MONO, blank, 1, why, sizeof why), -1);
	assert_non_null(strstr(why, "frame rate"));
	assert_int_equal(clip_write(clip_path, 64, 48, FPS, CLIP_MONO, negative, 1, why, sizeof why), -1);
	assert_non_null(strstr(why, "\"back\""));
	assert_int_equal(clip_write(clip_path, 64, 20, FPS, CLIP_MONO, tiny_qr, 1, why, sizeof why), -1);
	assert_non_null(strstr(why, "too small"));
	assert_int_equal(clip_write("/nonexistent/dir/clip.y4m", 64, 48, FPS, CLIP_MONO, blank, 1, why, sizeof why),
			 -1);
	assert_non_null(strstr(why, "cannot write"));
	if (access("/dev/full", W_OK) == 0) { /* a full disk: the write is checked, the device left alone */
		assert_int_equal(clip_write("/dev/full", 64, 48, FPS, CLIP_420, blank, 1, why, sizeof why), -1);
		assert_non_null(strstr(why, "cannot write /dev/full"));
		assert_int_equal(access("/dev/full", F_OK), 0);
	}
	/* a zero-length scene is still one frame */
	assert_int_equal(clip_write(clip_path, 64, 48, FPS, CLIP_MONO, blank, 1, why, sizeof why), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qr_pngs_mono_640x480),
		cmocka_unit_test(test_qr_pngs_420_640x480),
		cmocka_unit_test(test_real_badges_mono_640x480),
		cmocka_unit_test(test_real_badges_420_640x480),
		cmocka_unit_test(test_refusals_say_why_and_leave_no_file),
	};
	return cmocka_run_group_tests_name("clip", tests, setup, teardown);
}

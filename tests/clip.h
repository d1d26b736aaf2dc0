/* Test clips for issue 12 (camera check-in): YUV4MPEG2 streams built from
 * our own badge PNGs, foreign QR codes and garbage pictures, scene by
 * scene, so a frame source, the decoder thread and a benchmark can be fed
 * a known sequence. Deterministic: the same scenes give the same bytes. */
#ifndef BOXOFFICE_TESTS_CLIP_H
#define BOXOFFICE_TESTS_CLIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum clip_colour { CLIP_MONO, CLIP_420 };

struct clip_scene {
	const char *label;     /* for messages: "blank", "A", "A+B", ... */
	double seconds;        /* length; frames = round(seconds * fps), at least 1 */
	const char *images[2]; /* image files (PNG/JPEG, e.g. badges from `boxoffice ticket badge ID --png F`) shown in the frame; NULL: none */
	const char *qr_text;   /* if set: a QR code of this text drawn (libqrencode) instead of images: a code that is not ours */
	bool noise;            /* every pixel random (a camera's garbage picture) */
};

/* Writes a YUV4MPEG2 clip: header "YUV4MPEG2 W.. H.. F<fps>:1 Ip A1:1 Cmono" (or C420jpeg with chroma planes at 128),
 * then one FRAME per frame. Returns the number of frames written, or -1 with a reason in why.
 *
 * Every frame: light grey (200) with small sensor noise (±6, fixed seed,
 * different in every frame) over the whole picture. One image: in grey,
 * about 75% of the frame height, aspect kept, centred. Two images: side by
 * side, each as large as its half allows. qr_text (wins over images): a
 * black-on-white QR with a four-module quiet zone, about 60% of the frame
 * height, whole pixels per module, centred. noise (wins over both): every
 * pixel uniformly random. A failed clip leaves no file behind. */
int clip_write(const char *path, int width, int height, int fps, enum clip_colour colour,
	       const struct clip_scene *scenes, int nscenes, char *why, size_t whylen);

/* One scene's picture (width × height grey bytes, no per-frame sensor
 * noise; a noise scene is left blank), for a player that writes frames
 * itself (bench/camera); false with a reason in why. */
bool clip_picture(uint8_t *grey, int width, int height, const struct clip_scene *s, char *why, size_t whylen);

#endif

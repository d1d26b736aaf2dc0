/* YUV4MPEG2 (.y4m) streams read incrementally: bytes go in as they
 * arrive (a file, a FIFO, a command's standard output, read without
 * blocking), whole frames' grey planes come out. Only the luma plane is
 * kept: zbar reads grey. Grey (Cmono) and 4:2:0 streams (C420, C420jpeg,
 * C420paldv, C420mpeg2; no C tag means 4:2:0) are taken; others, and any
 * header or frame that breaks the format, stop the stream with a reason,
 * never a crash or a guess. Pure: no I/O here (issue 12's frame sources). */
#ifndef BOXOFFICE_CORE_Y4M_H
#define BOXOFFICE_CORE_Y4M_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define Y4M_MAX_SIDE 4096  /* wider or taller is refused */
#define Y4M_MAX_LINE 1024  /* a header or frame line longer than this is garbage */

enum y4m_colour { Y4M_MONO, Y4M_420 };

struct y4m {
	/* from the stream header */
	bool have_header;
	int width, height;
	int fps_num, fps_den; /* 0/0 when the header gives none */
	enum y4m_colour colour;
	/* where the reader is */
	char line[Y4M_MAX_LINE + 1];
	size_t line_len;
	bool in_frame;    /* reading a frame's planes */
	size_t frame_got; /* bytes of this frame's planes so far */
	uint8_t *grey;    /* width × height, the frame being read */
	uint8_t *done;    /* the last whole frame */
	unsigned long frames;
	char error[160]; /* set: the stream is broken; nothing more is read */
};

void y4m_init(struct y4m *y);
void y4m_free(struct y4m *y);
/* Feeds n bytes; returns how many whole frames they completed (the last
 * is in y->done, earlier ones are dropped: the newest frame wins), or -1
 * when the stream is broken (y->error says why). */
int y4m_feed(struct y4m *y, const void *data, size_t n);
/* Bytes of one frame's planes (luma and, for 4:2:0, both chroma). */
size_t y4m_frame_bytes(const struct y4m *y);
/* Milliseconds between frames from the header's rate (a file plays at
 * it), 1 to Y4M_SLOWEST_MS; 0 when the header has none. */
#define Y4M_SLOWEST_MS 10000
int y4m_frame_ms(const struct y4m *y);

#endif

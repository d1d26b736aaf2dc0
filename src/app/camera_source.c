#define _GNU_SOURCE /* pipe2 */
/* The frame sources: a YUV4MPEG2 clip (a regular file, at its header's
 * rate), a FIFO or a command's standard output (as fast as frames come),
 * and a V4L2 device through zbar. */
#include "camera_source.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zbar.h>

#define CLIP_DEFAULT_FRAME_MS 40 /* a clip whose header has no rate: 25 fps */
#define PIPE_READ_BUDGET (8u << 20) /* bytes read per wake: the loop moves on */
#define REAP_MAX 16

/* ---- commands' processes, stopped and reaped without waiting ---- */

static pid_t to_reap[REAP_MAX];

void source_reap_children(void)
{
	for (int i = 0; i < REAP_MAX; i++)
		if (to_reap[i] > 0 && waitpid(to_reap[i], NULL, WNOHANG) != 0)
			to_reap[i] = 0;
}

static void stop_child(pid_t pid)
{
	if (pid <= 0)
		return;
	/* the command runs in its own process group (sh and what it starts) */
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	if (waitpid(pid, NULL, WNOHANG) != 0)
		return;
	for (int i = 0; i < REAP_MAX; i++)
		if (to_reap[i] <= 0) {
			to_reap[i] = pid;
			return;
		}
}

/* ---- YUV4MPEG2 streams: clip, FIFO, command ---- */

static int stream_fd(const struct frame_source *s)
{
	return s->ops->paced ? -1 : s->fd;
}

static void stream_close(struct frame_source *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	stop_child(s->pid);
	s->pid = 0;
	y4m_free(&s->y4m);
	s->grey = NULL;
}

static bool clip_open(struct frame_source *s, char *why, size_t whylen)
{
	y4m_init(&s->y4m);
	s->fd = open(s->spec, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (s->fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return false;
	}
	s->started_ms = s->next_due_ms = 0;
	return true;
}

static bool fifo_open(struct frame_source *s, char *why, size_t whylen)
{
	y4m_init(&s->y4m);
	/* no writer yet is fine: poll stays quiet until one comes */
	s->fd = open(s->spec, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (s->fd < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return false;
	}
	return true;
}

static bool command_open(struct frame_source *s, char *why, size_t whylen)
{
	int p[2];
	pid_t pid, parent;

	y4m_init(&s->y4m);
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		return false;
	}
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		snprintf(why, whylen, "%s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return false;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		setpgid(0, 0);
		/* killed with us even when we die without cleaning up */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent) /* it died before that */
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		if (null >= 0)
			dup2(null, STDIN_FILENO);
		dup2(p[1], STDOUT_FILENO);
		/* stderr stays: the TUI's goes to its log, the CLI's to the user */
		execl("/bin/sh", "sh", "-c", s->spec, (char *)NULL);
		_exit(127);
	}
	setpgid(pid, pid); /* both sides, so a kill never misses the group */
	close(p[1]);
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	s->fd = p[0];
	s->pid = pid;
	return true;
}

/* Feeds bytes to the reader; SOURCE_FRAME when at least one frame
 * completed (the newest is kept). */
static enum source_read feed(struct frame_source *s, const void *buf, size_t n, char *why, size_t whylen)
{
	int frames = y4m_feed(&s->y4m, buf, n);
	if (frames < 0) {
		snprintf(why, whylen, "%s", s->y4m.error);
		return SOURCE_BROKEN;
	}
	if (frames == 0)
		return SOURCE_NOTHING;
	s->completed += (unsigned long)frames;
	s->grey = s->y4m.done;
	s->width = s->y4m.width;
	s->height = s->y4m.height;
	return SOURCE_FRAME;
}

static enum source_read stream_end(struct frame_source *s, char *why, size_t whylen)
{
	if (!s->y4m.have_header && !s->y4m.frames) {
		snprintf(why, whylen, "ended before a YUV4MPEG2 header");
		return s->ops->paced ? SOURCE_BROKEN : SOURCE_END;
	}
	if (s->y4m.in_frame || s->y4m.line_len) {
		snprintf(why, whylen, "the stream broke off in the middle of a frame (after %lu)", s->y4m.frames);
		return SOURCE_BROKEN;
	}
	snprintf(why, whylen, "ended after %lu frame(s)", s->y4m.frames);
	return SOURCE_END;
}

/* A clip: one frame each time one is due by the header's rate. A clip is
 * a recording: when the loop fell behind (a headless gate waiting for a
 * verdict), its clock waits too rather than skipping frames, so it plays
 * the same way every time. Reads are never larger than a frame, so one
 * read completes one frame at most. */
static enum source_read clip_read(struct frame_source *s, long long now_ms, char *why, size_t whylen)
{
	static uint8_t buf[1 << 16];

	if (s->started_ms && now_ms < s->next_due_ms)
		return SOURCE_NOTHING;
	for (;;) {
		size_t want = sizeof buf;
		ssize_t n;
		enum source_read r;
		if (!s->y4m.have_header)
			want = 64;
		else if (y4m_frame_bytes(&s->y4m) < want)
			want = y4m_frame_bytes(&s->y4m);
		n = read(s->fd, buf, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(why, whylen, "%s", strerror(errno));
			return SOURCE_BROKEN;
		}
		if (n == 0)
			return stream_end(s, why, whylen);
		r = feed(s, buf, (size_t)n, why, whylen);
		if (r == SOURCE_BROKEN)
			return r;
		if (r == SOURCE_FRAME) {
			int ms = y4m_frame_ms(&s->y4m);
			if (ms <= 0)
				ms = CLIP_DEFAULT_FRAME_MS;
			if (!s->started_ms)
				s->started_ms = s->next_due_ms = now_ms;
			/* on time: the header's rate; late: the clock waited */
			s->next_due_ms = now_ms > s->next_due_ms + ms ? now_ms + ms : s->next_due_ms + ms;
			return SOURCE_FRAME;
		}
	}
}

/* A FIFO or a command: everything there is, up to a budget per wake. */
static enum source_read pipe_read(struct frame_source *s, long long now_ms, char *why, size_t whylen)
{
	static uint8_t buf[1 << 16];
	enum source_read got = SOURCE_NOTHING;
	size_t total = 0;
	(void)now_ms;

	while (total < PIPE_READ_BUDGET) {
		ssize_t n = read(s->fd, buf, sizeof buf);
		enum source_read r;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			snprintf(why, whylen, "%s", strerror(errno));
			return SOURCE_BROKEN;
		}
		if (n == 0) {
			/* the frames read so far are handed on first */
			if (got == SOURCE_FRAME)
				return got;
			return stream_end(s, why, whylen);
		}
		total += (size_t)n;
		r = feed(s, buf, (size_t)n, why, whylen);
		if (r == SOURCE_BROKEN)
			return r;
		if (r == SOURCE_FRAME)
			got = r;
	}
	return got;
}

/* ---- V4L2 through zbar ---- */

static bool device_open(struct frame_source *s, char *why, size_t whylen)
{
	zbar_video_t *video = zbar_video_create();
	if (!video) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	if (zbar_video_open(video, s->spec) != 0 || zbar_video_init(video, zbar_fourcc('G', 'R', 'E', 'Y')) != 0 ||
	    zbar_video_enable(video, 1) != 0) {
		snprintf(why, whylen, "not a camera zbar can open");
		zbar_video_destroy(video);
		return false;
	}
	s->video = video;
	return true;
}

static int device_fd(const struct frame_source *s)
{
	return s->video ? zbar_video_get_fd(s->video) : -1;
}

static enum source_read device_read(struct frame_source *s, long long now_ms, char *why, size_t whylen)
{
	zbar_image_t *frame = zbar_video_next_image(s->video), *grey;
	size_t bytes;
	(void)now_ms;

	if (!frame) {
		snprintf(why, whylen, "stopped delivering pictures");
		return SOURCE_END;
	}
	/* whatever the camera delivers, the scanner reads grey */
	grey = zbar_image_convert(frame, zbar_fourcc('Y', '8', '0', '0'));
	zbar_image_destroy(frame);
	if (!grey)
		return SOURCE_NOTHING;
	s->width = (int)zbar_image_get_width(grey);
	s->height = (int)zbar_image_get_height(grey);
	bytes = (size_t)s->width * (size_t)s->height;
	if (bytes > s->own_cap) {
		uint8_t *more = realloc(s->own, bytes);
		if (!more) {
			zbar_image_destroy(grey);
			return SOURCE_NOTHING;
		}
		s->own = more;
		s->own_cap = bytes;
	}
	memcpy(s->own, zbar_image_get_data(grey), bytes);
	zbar_image_destroy(grey);
	s->grey = s->own;
	s->completed++;
	return SOURCE_FRAME;
}

static void device_close(struct frame_source *s)
{
	if (s->video) {
		zbar_video_enable(s->video, 0);
		zbar_video_destroy(s->video);
	}
	s->video = NULL;
	s->grey = NULL;
}

static const struct frame_source_ops clip_ops = { "clip", true, clip_open, stream_fd, clip_read, stream_close };
static const struct frame_source_ops fifo_ops = { "FIFO", false, fifo_open, stream_fd, pipe_read, stream_close };
static const struct frame_source_ops command_ops = { "command", false, command_open, stream_fd, pipe_read, stream_close };
static const struct frame_source_ops device_ops = { "camera", false, device_open, device_fd, device_read, device_close };

void source_init(struct frame_source *s, const char *spec)
{
	struct stat st;

	free(s->own);
	memset(s, 0, sizeof *s);
	s->fd = -1;
	if (strncmp(spec, "cmd:", 4) == 0) {
		snprintf(s->spec, sizeof s->spec, "%s", spec + 4);
		s->ops = &command_ops;
		return;
	}
	snprintf(s->spec, sizeof s->spec, "%s", spec);
	if (stat(spec, &st) == 0 && S_ISFIFO(st.st_mode))
		s->ops = &fifo_ops;
	else if (stat(spec, &st) == 0 && S_ISREG(st.st_mode))
		s->ops = &clip_ops;
	else
		s->ops = &device_ops; /* a device, or a path that may become one */
}

int source_due_in(const struct frame_source *s, long long now_ms)
{
	if (!s->ops->paced)
		return -1;
	if (!s->started_ms || now_ms >= s->next_due_ms)
		return 0;
	return (int)(s->next_due_ms - now_ms);
}

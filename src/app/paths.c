#include "paths.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef BOXOFFICE_ASSETS
#define BOXOFFICE_ASSETS "assets"
#endif

static char state_dir[PATH_MAX];
static char assets_dir[PATH_MAX + 32];

void paths_set_state_dir(const char *dir)
{
	snprintf(state_dir, sizeof state_dir, "%s", dir ? dir : "");
}

const char *paths_state_dir(void)
{
	const char *env;

	if (state_dir[0])
		return state_dir;
	if ((env = getenv("BOXOFFICE_STATE")) && *env)
		snprintf(state_dir, sizeof state_dir, "%s", env);
	else if ((env = getenv("XDG_STATE_HOME")) && *env == '/')
		snprintf(state_dir, sizeof state_dir, "%s/boxoffice", env);
	else if ((env = getenv("HOME")) && *env)
		snprintf(state_dir, sizeof state_dir, "%s/.local/state/boxoffice", env);
	else
		snprintf(state_dir, sizeof state_dir, "%s", "boxoffice-state");
	return state_dir;
}

int paths_mkdirs(const char *dir)
{
	char path[PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, dir, n + 1);
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

static bool has_badge_template(const char *dir)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/badge.conf", dir);
	return access(path, R_OK) == 0;
}

const char *paths_assets_dir(void)
{
	char exe[PATH_MAX];
	const char *env = getenv("BOXOFFICE_ASSETS");
	ssize_t n;

	if (env && *env)
		return env;
	if (assets_dir[0])
		return assets_dir;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		static const char *const beside[] = { "../share/boxoffice", "assets", "../assets" };
		char *slash;
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')))
			*slash = '\0';
		for (size_t i = 0; i < sizeof beside / sizeof beside[0]; i++) {
			snprintf(assets_dir, sizeof assets_dir, "%s/%s", exe, beside[i]);
			if (has_badge_template(assets_dir))
				return assets_dir;
		}
	}
	snprintf(assets_dir, sizeof assets_dir, "%s", BOXOFFICE_ASSETS);
	return assets_dir;
}

void paths_file_component(char *out, size_t size, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (size == 0)
		return;
	for (const unsigned char *p = (const unsigned char *)name; *p && o + 4 <= size; p++) {
		bool plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			     (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
			     (*p == '.' && p != (const unsigned char *)name);
		if (plain) {
			out[o++] = (char)*p;
		} else {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		}
	}
	out[o] = '\0';
}

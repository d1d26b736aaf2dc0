#include "theme.h"

#include <stdlib.h>

struct theme_entry {
	short fg, bg;
	attr_t color_extra; /* added to the colour pair */
	attr_t mono;        /* used instead without colours */
};

static const struct theme_entry entries[C_ROLE_COUNT] = {
	[C_NORMAL] = { -1, -1, A_NORMAL, A_NORMAL },
	[C_HEADER] = { COLOR_WHITE, COLOR_BLUE, A_BOLD, A_REVERSE },
	[C_BAR_KEY] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[C_BAR_LABEL] = { -1, -1, A_NORMAL, A_NORMAL },
	[C_TITLE] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
	[C_SELECTED] = { COLOR_BLACK, COLOR_CYAN, A_NORMAL, A_REVERSE },
	[C_DIM] = { -1, -1, A_DIM, A_DIM },
	[C_ONLINE] = { COLOR_GREEN, COLOR_BLUE, A_BOLD, A_BOLD | A_REVERSE },
	[C_OFFLINE] = { COLOR_WHITE, COLOR_RED, A_BOLD | A_BLINK, A_BOLD | A_REVERSE },
	[C_STATUS_OK] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[C_STATUS_ERR] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[C_ADMIT] = { COLOR_BLACK, COLOR_GREEN, A_BOLD, A_REVERSE | A_BOLD },
	[C_REJECT] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_BOLD | A_UNDERLINE },
	[C_SETTLED] = { COLOR_GREEN, -1, A_NORMAL, A_NORMAL },
	[C_WARN] = { COLOR_YELLOW, -1, A_BOLD, A_BOLD },
	[C_QR] = { COLOR_BLACK, COLOR_WHITE, A_NORMAL, A_NORMAL },
};

static bool use_color;
static int grey_levels;

/* xterm-256's black, four of its grey ramp, and white */
static const short greys_256[THEME_GREYS_MAX] = { 16, 236, 240, 245, 250, 231 };

static void init_greys(void)
{
	int n = COLORS >= 256 ? THEME_GREYS_MAX : 2;
	if (C_ROLE_COUNT + n * n > COLOR_PAIRS)
		return;
	for (int t = 0; t < n; t++)
		for (int b = 0; b < n; b++) {
			short ft = n == 2 ? (t ? COLOR_WHITE : COLOR_BLACK) : greys_256[t];
			short fb = n == 2 ? (b ? COLOR_WHITE : COLOR_BLACK) : greys_256[b];
			init_pair((short)(C_ROLE_COUNT + t * n + b), ft, fb);
		}
	grey_levels = n;
}

int theme_grey_levels(void)
{
	return grey_levels;
}

attr_t theme_grey_pair(int top, int bottom)
{
	if (!grey_levels)
		return A_NORMAL;
	return COLOR_PAIR(C_ROLE_COUNT + top * grey_levels + bottom);
}

void theme_init(void)
{
	const char *no_color = getenv("NO_COLOR");

	use_color = has_colors() && !(no_color && *no_color);
	if (!use_color)
		return;
	start_color();
	use_default_colors();
	for (int i = 1; i < C_ROLE_COUNT; i++)
		init_pair((short)i, entries[i].fg, entries[i].bg);
	init_greys();
}

attr_t theme_attr(enum color_role role)
{
	if ((unsigned)role >= C_ROLE_COUNT)
		return A_NORMAL;
	if (!use_color)
		return entries[role].mono;
	return role == C_NORMAL ? A_NORMAL : (COLOR_PAIR(role) | entries[role].color_extra);
}

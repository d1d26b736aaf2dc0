/* Semantic colours (htop's CRT.h idea): screens ask for a role, never for a
 * colour, so a monochrome terminal or NO_COLOR still reads well. */
#ifndef BOXOFFICE_APP_THEME_H
#define BOXOFFICE_APP_THEME_H

#include <curses.h>

enum color_role {
	C_NORMAL,
	C_HEADER,
	C_BAR_KEY,
	C_BAR_LABEL,
	C_TITLE,
	C_SELECTED,
	C_DIM,
	C_ONLINE,
	C_OFFLINE,
	C_STATUS_OK,
	C_STATUS_ERR,
	C_ADMIT,
	C_REJECT,
	C_SETTLED,
	C_WARN,
	C_QR, /* dark modules on a light ground, whatever the terminal's colours */
	C_ROLE_COUNT
};

void theme_init(void);
attr_t theme_attr(enum color_role role);

/* Grey levels for pictures (the camera preview): how many the terminal
 * shows (6 with 256 colours, 2 with 8, 0 without colour), and the pair
 * that draws an upper half block in level top over level bottom. */
#define THEME_GREYS_MAX 6
int theme_grey_levels(void);
attr_t theme_grey_pair(int top, int bottom);

#endif

/* The demo guest's own 5x7 bitmap font (plus a descender row) for printable ASCII (32..126). */
#pragma once

#include <stdint.h>

#define PH_FONT_FIRST 32
#define PH_FONT_LAST 126
#define PH_FONT_COUNT (PH_FONT_LAST - PH_FONT_FIRST + 1)
#define PH_FONT_W 5
#define PH_FONT_H 8          /* 7 above the baseline, 1 for descenders */

/* Eight rows of five cells per glyph, '#' = ink, drawn as text so the
 * shapes can be read and corrected in the source. */
extern const char ph_font_art[PH_FONT_COUNT][PH_FONT_W * PH_FONT_H + 1];

/* A linear x8r8g8b8 framebuffer in guest RAM with dirty-row tracking. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"

typedef struct PhFramebuffer PhFramebuffer;

/* A dirty-logged RAM region at @base: stride = @width * 4, size rounded up
 * to a page.  The bus owns the memory; free the PhFramebuffer before the bus. */
PhFramebuffer *ph_framebuffer_new(PhBus *bus, uint64_t base, unsigned width,
                                  unsigned height);
void ph_framebuffer_free(PhFramebuffer *fb);

unsigned ph_framebuffer_width(PhFramebuffer *fb);
unsigned ph_framebuffer_height(PhFramebuffer *fb);
unsigned ph_framebuffer_stride(PhFramebuffer *fb);
/* Size in bytes of the region (a whole number of pages). */
uint64_t ph_framebuffer_size(PhFramebuffer *fb);
uint8_t *ph_framebuffer_pixels(PhFramebuffer *fb);
PhRegion *ph_framebuffer_region(PhFramebuffer *fb);

/* Any thread: fetches and clears the dirty bits; true with the row range
 * [*first_row, *end_row) they cover, false if nothing changed. */
bool ph_framebuffer_fetch_dirty_rows(PhFramebuffer *fb, unsigned *first_row,
                                     unsigned *end_row);
/* Marks everything dirty (after a reset or a resize of the view). */
void ph_framebuffer_invalidate(PhFramebuffer *fb);

/* A linear x8r8g8b8 framebuffer in guest RAM with dirty-row tracking. */
#include "framebuffer.h"

#include <glib.h>

#define BITS_PER_LONG (8 * sizeof(unsigned long))

struct PhFramebuffer {
    PhRegion *region;   /* owned by the bus */
    unsigned width, height, stride;
    uint64_t pages;
    unsigned long *scratch;   /* one bit per page, for fetching */
    GMutex lock;              /* guards @scratch: fetches may race */
};

PhFramebuffer *ph_framebuffer_new(PhBus *bus, uint64_t base, unsigned width,
                                  unsigned height)
{
    PhFramebuffer *fb = g_new0(PhFramebuffer, 1);
    fb->width = CLAMP(width, 1u, 16384u);
    fb->height = CLAMP(height, 1u, 16384u);
    fb->stride = fb->width * 4;
    uint64_t bytes = (uint64_t)fb->stride * fb->height;
    uint64_t size = (bytes + PH_PAGE_SIZE - 1) & ~(PH_PAGE_SIZE - 1);
    fb->pages = size >> PH_PAGE_BITS;
    fb->region = ph_bus_add_ram(bus, "framebuffer", base, size, PH_REGION_DIRTY_LOG);
    fb->scratch = g_new0(unsigned long, (fb->pages + BITS_PER_LONG - 1) / BITS_PER_LONG);
    g_mutex_init(&fb->lock);
    return fb;
}

void ph_framebuffer_free(PhFramebuffer *fb)
{
    if (!fb) {
        return;
    }
    g_mutex_clear(&fb->lock);
    g_free(fb->scratch);
    g_free(fb);
}

unsigned ph_framebuffer_width(PhFramebuffer *fb)
{
    return fb->width;
}

unsigned ph_framebuffer_height(PhFramebuffer *fb)
{
    return fb->height;
}

unsigned ph_framebuffer_stride(PhFramebuffer *fb)
{
    return fb->stride;
}

uint64_t ph_framebuffer_size(PhFramebuffer *fb)
{
    return fb->region->size;
}

uint8_t *ph_framebuffer_pixels(PhFramebuffer *fb)
{
    return fb->region->host;
}

PhRegion *ph_framebuffer_region(PhFramebuffer *fb)
{
    return fb->region;
}

bool ph_framebuffer_fetch_dirty_rows(PhFramebuffer *fb, unsigned *first_row,
                                     unsigned *end_row)
{
    uint64_t first_page = UINT64_MAX, last_page = 0;

    g_mutex_lock(&fb->lock);
    if (ph_region_fetch_dirty(fb->region, 0, fb->pages, fb->scratch)) {
        for (uint64_t w = 0; w < (fb->pages + BITS_PER_LONG - 1) / BITS_PER_LONG; w++) {
            unsigned long bits = fb->scratch[w];
            if (!bits) {
                continue;
            }
            uint64_t lo = w * BITS_PER_LONG + (uint64_t)__builtin_ctzl(bits);
            uint64_t hi = w * BITS_PER_LONG + BITS_PER_LONG - 1 - (uint64_t)__builtin_clzl(bits);
            first_page = MIN(first_page, lo);
            last_page = MAX(last_page, hi);
        }
    }
    g_mutex_unlock(&fb->lock);

    if (first_page == UINT64_MAX) {
        return false;
    }
    /* Rows touching bytes [first_page * 4K, (last_page + 1) * 4K). */
    uint64_t first = (first_page << PH_PAGE_BITS) / fb->stride;
    uint64_t end = (((last_page + 1) << PH_PAGE_BITS) + fb->stride - 1) / fb->stride;
    if (first >= fb->height) {
        return false;   /* only the padding after the last row changed */
    }
    *first_row = (unsigned)first;
    *end_row = (unsigned)MIN(end, (uint64_t)fb->height);
    return true;
}

void ph_framebuffer_invalidate(PhFramebuffer *fb)
{
    ph_region_mark_dirty(fb->region, 0, fb->region->size);
}

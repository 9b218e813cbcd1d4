/* Tests of the framebuffer: geometry, guest writes visible in the pixels, dirty rows. */
#include "framebuffer.h"
#include "hw-test.h"

#define BASE 0x40000000ull

static void test_geometry(void)
{
    PhBus *bus = ph_bus_new();
    PhFramebuffer *fb = ph_framebuffer_new(bus, BASE, 100, 50);
    g_assert_cmpuint(ph_framebuffer_width(fb), ==, 100);
    g_assert_cmpuint(ph_framebuffer_height(fb), ==, 50);
    g_assert_cmpuint(ph_framebuffer_stride(fb), ==, 400);
    g_assert_cmpuint(ph_framebuffer_size(fb), ==, 20480);   /* 20000 rounded to pages */
    PhRegion *r = ph_framebuffer_region(fb);
    g_assert_true(r->flags & PH_REGION_DIRTY_LOG);
    g_assert_cmphex(r->base, ==, BASE);
    /* The CPU may not write it directly (writes must be logged). */
    g_assert_null(ph_bus_page_host(bus, BASE, true));
    g_assert_nonnull(ph_bus_page_host(bus, BASE, false));
    ph_framebuffer_free(fb);
    ph_bus_free(bus);
}

static void test_dirty_rows(void)
{
    PhBus *bus = ph_bus_new();
    PhFramebuffer *fb = ph_framebuffer_new(bus, BASE, 100, 50);
    unsigned first = 999, end = 999;
    g_assert_false(ph_framebuffer_fetch_dirty_rows(fb, &first, &end));

    /* A pixel in row 20 (byte 8000, page 1: bytes 4096..8191 = rows 10..20). */
    hw_wr32(bus, BASE + 20 * 400 + 0, 0x00ff8040);
    g_assert_cmphex(*(uint32_t *)(ph_framebuffer_pixels(fb) + 8000), ==, 0x00ff8040);
    g_assert_true(ph_framebuffer_fetch_dirty_rows(fb, &first, &end));
    g_assert_cmpuint(first, ==, 10);
    g_assert_cmpuint(end, ==, 21);
    /* Fetching cleared the bits. */
    g_assert_false(ph_framebuffer_fetch_dirty_rows(fb, &first, &end));

    /* Two far-apart writes: one range covering both. */
    hw_wr(bus, BASE + 3, 1, 0xff);
    hw_wr(bus, BASE + 49 * 400 + 396, 4, 0xffffffff);
    g_assert_true(ph_framebuffer_fetch_dirty_rows(fb, &first, &end));
    g_assert_cmpuint(first, ==, 0);
    g_assert_cmpuint(end, ==, 50);

    /* DMA writes count too. */
    uint32_t px = 0x123456;
    g_assert_true(ph_bus_dma_write(bus, BASE + 30 * 400, &px, sizeof(px)));
    g_assert_true(ph_framebuffer_fetch_dirty_rows(fb, &first, &end));
    g_assert_cmpuint(first, <=, 30);
    g_assert_cmpuint(end, >, 30);

    ph_framebuffer_invalidate(fb);
    g_assert_true(ph_framebuffer_fetch_dirty_rows(fb, &first, &end));
    g_assert_cmpuint(first, ==, 0);
    g_assert_cmpuint(end, ==, 50);
    ph_framebuffer_free(fb);
    ph_bus_free(bus);
}

static void test_padding_only(void)
{
    /* 10x10: 400 bytes in one page.  Row math must clamp to the height. */
    PhBus *bus = ph_bus_new();
    PhFramebuffer *fb = ph_framebuffer_new(bus, BASE, 10, 10);
    unsigned first, end;
    hw_wr(bus, BASE + 4000, 4, 1);   /* padding after the last row */
    g_assert_true(ph_framebuffer_fetch_dirty_rows(fb, &first, &end));
    g_assert_cmpuint(first, ==, 0);
    g_assert_cmpuint(end, ==, 10);
    ph_framebuffer_free(fb);
    ph_bus_free(bus);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm-hw/framebuffer/geometry", test_geometry);
    g_test_add_func("/vmm-hw/framebuffer/dirty-rows", test_dirty_rows);
    g_test_add_func("/vmm-hw/framebuffer/padding", test_padding_only);
    return g_test_run();
}

/* Tests of the display console: shared surface, listeners and dirty rectangles, fresh-frame waits, lookup. */
#include "config.h"

#include <glib.h>

#include "aio.h"
#include "bus.h"
#include "console.h"
#include "framebuffer.h"

#define BASE 0x40000000ull
/* 100x50: stride 400, so page 1 (bytes 4096..8191) covers rows 10..20. */
#define W 100
#define H 50

typedef struct Rect {
    int x, y, w, h;
} Rect;

typedef struct Recorder {
    PhDisplayListener dl;
    GArray *updates;   /* Rect */
    unsigned switches;
    unsigned refreshes;
    pixman_image_t *last_surface;
    bool unregister_on_update;
} Recorder;

static void rec_gfx_update(PhDisplayListener *dl, int x, int y, int w, int h)
{
    Recorder *r = dl->opaque;
    Rect rect = { x, y, w, h };
    g_array_append_val(r->updates, rect);
    if (r->unregister_on_update) {
        ph_console_unregister_listener(dl);
    }
}

static void rec_gfx_switch(PhDisplayListener *dl, pixman_image_t *surface)
{
    Recorder *r = dl->opaque;
    r->switches++;
    r->last_surface = surface;
}

static void rec_refresh(PhDisplayListener *dl)
{
    Recorder *r = dl->opaque;
    r->refreshes++;
}

static const PhDisplayListenerOps rec_ops = {
    .name = "recorder",
    .gfx_update = rec_gfx_update,
    .gfx_switch = rec_gfx_switch,
    .refresh = rec_refresh,
};

static void rec_init(Recorder *r)
{
    *r = (Recorder){ .dl = { .ops = &rec_ops, .opaque = r } };
    r->updates = g_array_new(FALSE, TRUE, sizeof(Rect));
}

static void rec_clear(Recorder *r)
{
    g_array_unref(r->updates);
}

static Rect rec_update(Recorder *r, guint i)
{
    g_assert_cmpuint(i, <, r->updates->len);
    return g_array_index(r->updates, Rect, i);
}

static void assert_rect(Rect r, int x, int y, int w, int h)
{
    g_assert_cmpint(r.x, ==, x);
    g_assert_cmpint(r.y, ==, y);
    g_assert_cmpint(r.w, ==, w);
    g_assert_cmpint(r.h, ==, h);
}

/* Runs the main loop for about @ms milliseconds. */
static void run_loop_ms(int ms)
{
    int64_t deadline = ph_clock_ns() + (int64_t)ms * 1000000;
    while (ph_clock_ns() < deadline) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
}

/* Runs the main loop until @r has at least @n updates (fails after 5 s). */
static void run_until_updates(Recorder *r, guint n)
{
    int64_t deadline = ph_clock_ns() + 5 * (int64_t)1000000000;
    while (r->updates->len < n) {
        g_assert_cmpint(ph_clock_ns(), <, deadline);
        g_main_context_iteration(NULL, TRUE);
    }
}

static void guest_write32(PhBus *bus, unsigned x, unsigned y, uint32_t v)
{
    g_assert_true(ph_bus_write(bus, BASE + (uint64_t)y * W * 4 + (uint64_t)x * 4, 4, v));
}

static void test_surface_shares_pixels(void)
{
    PhBus *bus = ph_bus_new();
    PhFramebuffer *fb = ph_framebuffer_new(bus, BASE, W, H);
    PhConsole *c = ph_console_new(fb, 0);
    pixman_image_t *s = ph_console_surface(c);

    g_assert_nonnull(s);
    g_assert_cmpint(pixman_image_get_format(s), ==, PIXMAN_x8r8g8b8);
    g_assert_cmpint(pixman_image_get_width(s), ==, W);
    g_assert_cmpint(pixman_image_get_height(s), ==, H);
    g_assert_cmpint(pixman_image_get_stride(s), ==, W * 4);
    g_assert_true((uint8_t *)pixman_image_get_data(s) == ph_framebuffer_pixels(fb));
    g_assert_cmpint(ph_console_width(c), ==, W);
    g_assert_cmpint(ph_console_height(c), ==, H);

    /* A guest store is visible through the surface at once. */
    guest_write32(bus, 7, 33, 0x00abcdef);
    g_assert_cmphex(pixman_image_get_data(s)[33 * W + 7], ==, 0x00abcdef);

    /* The geometry did not change: resizing keeps the same surface. */
    ph_console_resize(c);
    g_assert_true(ph_console_surface(c) == s);

    ph_console_free(c);
    ph_framebuffer_free(fb);
    ph_bus_free(bus);
}

static void test_listener_rectangles(void)
{
    PhBus *bus = ph_bus_new();
    PhFramebuffer *fb = ph_framebuffer_new(bus, BASE, W, H);
    PhConsole *c = ph_console_new(fb, 0);
    Recorder r;
    rec_init(&r);

    /* Writes before any listener: covered by the first full update, and
     * not reported again at the next tick. */
    guest_write32(bus, 0, 0, 1);
    ph_console_register_listener(c, &r.dl);
    g_assert_true(r.dl.con == c);
    g_assert_cmpuint(ph_console_listener_count(c), ==, 1);
    g_assert_cmpuint(r.switches, ==, 1);
    g_assert_true(r.last_surface == ph_console_surface(c));
    g_assert_cmpuint(r.updates->len, ==, 1);
    assert_rect(rec_update(&r, 0), 0, 0, W, H);

    /* Nothing written: the timer ticks (refresh) but reports no change. */
    run_loop_ms(4 * PH_CONSOLE_REFRESH_MS + 20);
    g_assert_cmpuint(r.refreshes, >=, 2);
    g_assert_cmpuint(r.updates->len, ==, 1);
    guint settled = r.updates->len;

    /* A pixel in row 20 lies in page 1: rows 10..20. */
    guest_write32(bus, 5, 20, 0x00ff8040);
    run_until_updates(&r, settled + 1);
    assert_rect(rec_update(&r, settled), 0, 10, W, 11);

    /* Two writes between ticks: one rectangle covering both, not two. */
    guest_write32(bus, 0, 0, 2);
    guest_write32(bus, W - 1, H - 1, 3);
    run_until_updates(&r, settled + 2);
    assert_rect(rec_update(&r, settled + 1), 0, 0, W, H);
    run_loop_ms(2 * PH_CONSOLE_REFRESH_MS + 10);
    g_assert_cmpuint(r.updates->len, ==, settled + 2);

    /* Unregistered: no more ticks. */
    ph_console_unregister_listener(&r.dl);
    g_assert_null(r.dl.con);
    g_assert_cmpuint(ph_console_listener_count(c), ==, 0);
    unsigned refreshes = r.refreshes;
    guest_write32(bus, 0, 0, 4);
    run_loop_ms(3 * PH_CONSOLE_REFRESH_MS + 20);
    g_assert_cmpuint(r.refreshes, ==, refreshes);
    g_assert_cmpuint(r.updates->len, ==, settled + 2);

    ph_console_free(c);
    rec_clear(&r);
    ph_framebuffer_free(fb);
    ph_bus_free(bus);
}

static void test_two_listeners_unregister_in_callback(void)
{
    PhBus *bus = ph_bus_new();
    PhFramebuffer *fb = ph_framebuffer_new(bus, BASE, W, H);
    PhConsole *c = ph_console_new(fb, 0);
    Recorder a, b;
    rec_init(&a);
    rec_init(&b);

    ph_console_register_listener(c, &a.dl);
    ph_console_register_listener(c, &b.dl);
    /* Registering b did not repaint a. */
    g_assert_cmpuint(a.updates->len, ==, 1);
    g_assert_cmpuint(b.updates->len, ==, 1);

    a.unregister_on_update = true;
    guest_write32(bus, 0, 45, 9);
    graphic_hw_update(c);
    /* graphic_hw_update() hands the rows over at once, to both. */
    g_assert_cmpuint(a.updates->len, ==, 2);
    g_assert_cmpuint(b.updates->len, ==, 2);
    g_assert_null(a.dl.con);
    g_assert_cmpuint(ph_console_listener_count(c), ==, 1);

    guest_write32(bus, 0, 45, 10);
    graphic_hw_update(c);
    g_assert_cmpuint(a.updates->len, ==, 2);
    g_assert_cmpuint(b.updates->len, ==, 3);
    assert_rect(rec_update(&b, 2), 0, rec_update(&b, 1).y, W, rec_update(&b, 1).h);

    /* Freeing the console drops its listeners. */
    ph_console_free(c);
    g_assert_null(b.dl.con);
    run_loop_ms(PH_CONSOLE_REFRESH_MS + 10);   /* the timer is gone with it */
    rec_clear(&a);
    rec_clear(&b);
    ph_framebuffer_free(fb);
    ph_bus_free(bus);
}

typedef struct Waiter {
    PhConsole *con;
    bool started, done, fresh;
    int *n_done;
} Waiter;

static void coroutine_fn waiter_entry(void *opaque)
{
    Waiter *w = opaque;
    w->started = true;
    w->fresh = ph_console_wait_update(w->con);
    w->done = true;
    (*w->n_done)++;
}

static void test_wait_update_wakes_all(void)
{
    PhBus *bus = ph_bus_new();
    PhFramebuffer *fb = ph_framebuffer_new(bus, BASE, W, H);
    PhConsole *c = ph_console_new(fb, 0);
    Recorder r;
    Waiter w[4];
    int n_done = 0;

    rec_init(&r);
    ph_console_register_listener(c, &r.dl);
    guint before = r.updates->len;
    guest_write32(bus, 1, 12, 0x123456);

    for (int i = 0; i < 4; i++) {
        w[i] = (Waiter){ .con = c, .n_done = &n_done };
        aio_co_enter(ph_main_aio_context(), ph_coroutine_create(waiter_entry, &w[i]));
        /* Each really yielded: the completion comes from a bottom half. */
        g_assert_true(w[i].started);
        g_assert_false(w[i].done);
    }
    /* The first waiter's update passed the dirty rows on before waiting. */
    g_assert_cmpuint(r.updates->len, ==, before + 1);
    assert_rect(rec_update(&r, before), 0, 10, W, 11);

    int64_t deadline = ph_clock_ns() + 5 * (int64_t)1000000000;
    while (n_done < 4) {
        g_assert_cmpint(ph_clock_ns(), <, deadline);
        g_main_context_iteration(NULL, TRUE);
    }
    for (int i = 0; i < 4; i++) {
        g_assert_true(w[i].done);
        g_assert_true(w[i].fresh);
    }

    /* A second round works the same (the bottom half is reusable). */
    n_done = 0;
    for (int i = 0; i < 2; i++) {
        w[i] = (Waiter){ .con = c, .n_done = &n_done };
        aio_co_enter(ph_main_aio_context(), ph_coroutine_create(waiter_entry, &w[i]));
        g_assert_false(w[i].done);
    }
    while (n_done < 2) {
        g_main_context_iteration(NULL, TRUE);
    }
    g_assert_true(w[0].fresh && w[1].fresh);

    ph_console_unregister_listener(&r.dl);
    ph_console_free(c);
    rec_clear(&r);
    ph_framebuffer_free(fb);
    ph_bus_free(bus);
}

static void test_free_wakes_waiters(void)
{
    PhBus *bus = ph_bus_new();
    PhFramebuffer *fb = ph_framebuffer_new(bus, BASE, W, H);
    PhConsole *c = ph_console_new(fb, 0);
    Waiter w[2];
    int n_done = 0;

    for (int i = 0; i < 2; i++) {
        w[i] = (Waiter){ .con = c, .n_done = &n_done };
        aio_co_enter(ph_main_aio_context(), ph_coroutine_create(waiter_entry, &w[i]));
        g_assert_false(w[i].done);
    }
    ph_console_free(c);
    int64_t deadline = ph_clock_ns() + 5 * (int64_t)1000000000;
    while (n_done < 2) {
        g_assert_cmpint(ph_clock_ns(), <, deadline);
        g_main_context_iteration(NULL, TRUE);
    }
    g_assert_false(w[0].fresh);
    g_assert_false(w[1].fresh);
    run_loop_ms(5);   /* the cancelled bottom half must not fire */
    ph_framebuffer_free(fb);
    ph_bus_free(bus);
}

static void test_lookup(void)
{
    PhBus *bus = ph_bus_new();
    PhFramebuffer *fa = ph_framebuffer_new(bus, BASE, W, H);
    PhFramebuffer *fb = ph_framebuffer_new(bus, BASE + 0x1000000, 64, 32);

    g_assert_null(ph_console_first());
    g_assert_null(ph_console_lookup(NULL, 0));

    PhConsole *a = ph_console_new(fa, 0);
    PhConsole *b0 = ph_console_new(fb, 0);
    PhConsole *b1 = ph_console_new(fb, 1);

    g_assert_cmpstr(ph_console_device_id(a), ==, "fb0");
    g_assert_cmpstr(ph_console_device_id(b0), ==, "fb1");
    g_assert_cmpstr(ph_console_device_id(b1), ==, "fb1");
    g_assert_cmpint(ph_console_index(a), ==, 0);
    g_assert_cmpint(ph_console_index(b1), ==, 2);
    g_assert_cmpuint(ph_console_head(b1), ==, 1);
    g_assert_true(ph_console_framebuffer(b0) == fb);

    g_assert_true(ph_console_first() == a);
    g_assert_true(ph_console_lookup(NULL, 0) == a);
    g_assert_true(ph_console_lookup("fb0", 0) == a);
    g_assert_true(ph_console_lookup("fb1", 0) == b0);
    g_assert_true(ph_console_lookup("fb1", 1) == b1);
    g_assert_null(ph_console_lookup("fb0", 1));
    g_assert_null(ph_console_lookup("fb1", 2));
    g_assert_null(ph_console_lookup("fb1", -1));
    g_assert_null(ph_console_lookup("nodev", 0));
    g_assert_true(ph_console_device_exists("fb1"));
    g_assert_false(ph_console_device_exists("nodev"));
    g_assert_false(ph_console_device_exists(NULL));

    /* A freed console is gone from the list; a new framebuffer reuses its id. */
    ph_console_free(a);
    g_assert_null(ph_console_lookup("fb0", 0));
    g_assert_false(ph_console_device_exists("fb0"));
    g_assert_true(ph_console_first() == b0);
    g_assert_cmpint(ph_console_index(b1), ==, 1);
    a = ph_console_new(fa, 0);
    g_assert_cmpstr(ph_console_device_id(a), ==, "fb0");
    g_assert_true(ph_console_lookup("fb0", 0) == a);

    ph_console_free(b1);
    ph_console_free(b0);
    ph_console_free(a);
    g_assert_null(ph_console_first());
    ph_framebuffer_free(fb);
    ph_framebuffer_free(fa);
    ph_bus_free(bus);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ph_aio_init();
    g_test_add_func("/console/surface-shares-pixels", test_surface_shares_pixels);
    g_test_add_func("/console/listener-rectangles", test_listener_rectangles);
    g_test_add_func("/console/unregister-in-callback", test_two_listeners_unregister_in_callback);
    g_test_add_func("/console/wait-update-wakes-all", test_wait_update_wakes_all);
    g_test_add_func("/console/free-wakes-waiters", test_free_wakes_waiters);
    g_test_add_func("/console/lookup", test_lookup);
    int ret = g_test_run();
    ph_aio_shutdown();
    return ret;
}

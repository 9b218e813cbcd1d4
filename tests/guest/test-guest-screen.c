/* The default guest's screen, read in-process from the board's framebuffer: text console and live scene. */
#include <string.h>

#include <glib.h>

#include "aio-context.h"
#include "font.h"
#include "machine.h"
#include "vm-state.h"

/* guest/demo.c's layout at 1024x768 and its colours. */
#define HEADER_RULE_Y 62
#define BRASS 0xb8893cu
#define CON_X 16
#define CON_Y 374
#define CELL_W 12
#define CELL_H 18
#define CON_FG 0xd8e2eeu
#define SCENE_X 8
#define SCENE_Y 72
#define SCENE_W 1008
#define SCENE_H 260

typedef struct {
    PhMachine *m;
    PhFramebuffer *fb;
} Fixture;

static uint32_t px(Fixture *f, unsigned x, unsigned y)
{
    const uint8_t *p = ph_framebuffer_pixels(f->fb) +
                       (size_t)y * ph_framebuffer_stride(f->fb) + (size_t)x * 4;
    uint32_t v;

    memcpy(&v, p, 4);
    return v & 0xffffff;
}

/* Lets the main loop run (the vCPU thread reports to it) for @ms. */
static void run_for(int ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

    while (g_get_monotonic_time() < end) {
        while (g_main_context_iteration(NULL, FALSE)) {
        }
        g_usleep(5000);
    }
}

static void fixture_setup(Fixture *f, gconstpointer data)
{
    PhMachineOptions opts = {
        .bios = "none",
        .kernel = g_getenv("PH_GUEST_IMAGE"),
        .serial = "none",
    };
    g_autoptr(GError) error = NULL;

    g_assert_nonnull(opts.kernel);
    ph_aio_init();
    ph_vm_state_init(false);
    f->m = ph_machine_new(&opts, &error);
    g_assert_no_error(error);
    g_assert_true(ph_machine_start(f->m, &error));
    g_assert_no_error(error);
    f->fb = ph_machine_framebuffer(f->m);
    g_assert_cmpuint(ph_framebuffer_width(f->fb), ==, 1024);
    g_assert_cmpuint(ph_framebuffer_height(f->fb), ==, 768);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    ph_machine_free(f->m);
    ph_vm_state_cleanup();
    ph_aio_shutdown();
}

/* The main screen is up once the brass rule under the header is drawn. */
static void wait_main_screen(Fixture *f)
{
    gint64 end = g_get_monotonic_time() + 180 * G_USEC_PER_SEC;

    while (px(f, 512, HEADER_RULE_Y) != BRASS || px(f, 900, HEADER_RULE_Y + 1) != BRASS) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        run_for(50);
    }
    /* The console is drawn in the same frame; let it finish. */
    run_for(300);
}

/*
 * Whether console row @row shows @text pixel for pixel in the guest's own
 * font (each font cell 2x2 pixels, in a box of 6x9 cells).
 */
static bool console_row_shows(Fixture *f, unsigned row, const char *text)
{
    unsigned ink = 0;

    for (unsigned i = 0; text[i]; i++) {
        const char *art = ph_font_art[(unsigned char)text[i] - PH_FONT_FIRST];

        for (unsigned gy = 0; gy < 9; gy++) {
            for (unsigned gx = 0; gx < 6; gx++) {
                bool on = gy < PH_FONT_H && gx < PH_FONT_W && art[gy * PH_FONT_W + gx] == '#';
                unsigned x = CON_X + i * CELL_W + gx * 2, y = CON_Y + row * CELL_H + gy * 2;

                for (unsigned k = 0; k < 4; k++) {
                    if ((px(f, x + (k & 1), y + k / 2) == CON_FG) != on) {
                        return false;
                    }
                    ink += on;
                }
            }
        }
    }
    return ink > 0;
}

/* The banner on the screen console. */
static void test_console_text(Fixture *f, gconstpointer data)
{
    gint64 end;

    wait_main_screen(f);
    /* The guest may still be drawing the console (slowly, under ASan). */
    end = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;
    while (!console_row_shows(f, 1, "Porthole demo guest 1.0") ||
           !console_row_shows(f, 3, "Framebuffer: 1024x768 from the device tree")) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        run_for(50);
    }
    /* And it is not a blank check: another text does not match. */
    g_assert_false(console_row_shows(f, 1, "Porthole demo guest 2.0"));
    g_assert_false(console_row_shows(f, 1, "porthole demo guest 1.0"));
}

static uint32_t scene_hash(Fixture *f)
{
    uint32_t h = 2166136261u;

    for (unsigned y = SCENE_Y; y < SCENE_Y + SCENE_H; y += 2) {
        for (unsigned x = SCENE_X; x < SCENE_X + SCENE_W; x += 2) {
            h = (h ^ px(f, x, y)) * 16777619u;
        }
    }
    return h;
}

/* PH_GUEST_DUMP=FILE.ppm: keep a picture of the screen, to look at it. */
static void dump_screen(Fixture *f)
{
    const char *path = g_getenv("PH_GUEST_DUMP");
    unsigned w = ph_framebuffer_width(f->fb), h = ph_framebuffer_height(f->fb);
    GString *ppm;

    if (!path) {
        return;
    }
    ppm = g_string_new(NULL);
    g_string_append_printf(ppm, "P6\n%u %u\n255\n", w, h);
    for (unsigned y = 0; y < h; y++) {
        for (unsigned x = 0; x < w; x++) {
            uint32_t v = px(f, x, y);

            g_string_append_c(ppm, (char)(v >> 16));
            g_string_append_c(ppm, (char)(v >> 8));
            g_string_append_c(ppm, (char)v);
        }
    }
    g_assert_true(g_file_set_contents(path, ppm->str, (gssize)ppm->len, NULL));
    g_string_free(ppm, TRUE);
}

/* The scene animates: it differs from one moment to the next and has colour. */
static void test_live_scene(Fixture *f, gconstpointer data)
{
    uint32_t first, changes = 0, prev;
    GHashTable *colours = g_hash_table_new(NULL, NULL);

    wait_main_screen(f);
    first = prev = scene_hash(f);
    /* Wait for three changes, however slow the host (ASan, a loaded CI
     * machine): a frozen scene never gets there. */
    for (int i = 0; i < 120 && changes < 3; i++) {
        uint32_t h;

        run_for(250);
        h = scene_hash(f);
        changes += h != prev;
        prev = h;
    }
    g_assert_cmpuint(changes, >=, 3);
    g_assert_cmphex(first, !=, prev);
    for (unsigned y = SCENE_Y; y < SCENE_Y + SCENE_H; y += 4) {
        for (unsigned x = SCENE_X; x < SCENE_X + SCENE_W; x += 4) {
            g_hash_table_add(colours, GUINT_TO_POINTER(px(f, x, y)));
        }
    }
    /* A plasma, not a flat fill. */
    g_assert_cmpuint(g_hash_table_size(colours), >, 50);
    g_hash_table_unref(colours);
    dump_screen(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/guest/screen/console-text", Fixture, NULL, fixture_setup, test_console_text,
               fixture_teardown);
    g_test_add("/guest/screen/live-scene", Fixture, NULL, fixture_setup, test_live_scene,
               fixture_teardown);
    return g_test_run();
}

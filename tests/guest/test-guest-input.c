/* The demo guest's virtio keyboard and tablet, driven by QMP input-send-event (porthole --headless). */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <pixman.h>

#include "font.h"
#include "machine-test-util.h"
#include "ppm-reader.h"

/* guest/demo.c's layout at 1024x768. */
#define FB_W 1024
#define FB_H 768
#define SCENE_X 8
#define SCENE_Y 72
#define SCENE_W 1008
#define SCENE_H 260
#define STATUS_Y 340
#define KEYCAP_X 804
#define KEYCAP_W 204
#define KEYCAP_FG 0xf4ead2u
#define CELL_W 12
/* The pointer's box: one pixel up and left of the hotspot, 15 x 22. */
#define PTR_BOX_W 15
#define PTR_BOX_H 22

typedef struct {
    char *dir;
    char *sock;
    char *shot;
    PhChild *c;
    PhQmp *q;
} Demo;

static void demo_start(Demo *d)
{
    const char *image = g_getenv("PH_GUEST_IMAGE");
    g_autoptr(GError) error = NULL;

    g_assert_nonnull(image);
    d->dir = g_dir_make_tmp("guest-input-XXXXXX", &error);
    g_assert_no_error(error);
    d->sock = g_build_filename(d->dir, "qmp.sock", NULL);
    d->shot = g_build_filename(d->dir, "shot.ppm", NULL);
    d->c = ph_child_spawn((const char *const[]){ "--headless", "-bios", "none", "-kernel", image,
                                                 "--qmp", d->sock, NULL });
    d->q = ph_qmp_connect(d->sock, PH_BOOT_TIMEOUT_S);
    g_assert_nonnull(d->q);
    /* The devices are probed when the main screen comes up, before the prompt. */
    g_assert_true(ph_child_wait_for(d->c, "Input: tablet in slot 6, keyboard in slot 7\r\n",
                                    PH_BOOT_TIMEOUT_S));
    g_assert_true(ph_child_wait_for(d->c, "\r\n> ", 60));
}

static void demo_stop(Demo *d)
{
    g_autofree char *reply = NULL;

    ph_child_send(d->c, "poweroff\n");
    g_assert_true(ph_child_wait_for(d->c, "Powering off.", 60));
    g_assert_cmpint(ph_child_wait_exit(d->c, 60), ==, 0);
    ph_qmp_free(d->q);
    ph_child_free(d->c);
    g_unlink(d->shot);
    g_unlink(d->sock);
    g_rmdir(d->dir);
    g_free(d->shot);
    g_free(d->sock);
    g_free(d->dir);
}

static void qmp_ok(Demo *d, const char *json)
{
    g_autofree char *reply = ph_qmp_command(d->q, json, "\"return\"", 60);

    if (!reply) {
        g_test_message("no return for %s", json);
    }
    g_assert_nonnull(reply);
}

/* One input-send-event with the events in @events (a JSON array's inside). */
static void send_events(Demo *d, const char *events)
{
    g_autofree char *json = g_strdup_printf(
        "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[%s]}}", events);

    qmp_ok(d, json);
}

static void append_key(GString *s, const char *qcode, bool down)
{
    g_string_append_printf(s, "%s{\"type\":\"key\",\"data\":{\"down\":%s,\"key\":"
                              "{\"type\":\"qcode\",\"data\":\"%s\"}}}",
                           s->len ? "," : "", down ? "true" : "false", qcode);
}

/* Presses and releases each key of @qcodes (NULL-terminated), one command per key. */
static void type_keys(Demo *d, const char *const *qcodes)
{
    for (; *qcodes; qcodes++) {
        g_autoptr(GString) s = g_string_new(NULL);

        append_key(s, *qcodes, true);
        append_key(s, *qcodes, false);
        send_events(d, s->str);
    }
}

static void move_to(Demo *d, unsigned x, unsigned y)
{
    g_autofree char *ev = g_strdup_printf(
        "{\"type\":\"abs\",\"data\":{\"axis\":\"x\",\"value\":%u}},"
        "{\"type\":\"abs\",\"data\":{\"axis\":\"y\",\"value\":%u}}", x, y);

    send_events(d, ev);
}

/* A screendump of a stopped guest, so that the frame is stable. */
static pixman_image_t *screenshot(Demo *d)
{
    g_autofree char *json = g_strdup_printf(
        "{\"execute\":\"screendump\",\"arguments\":{\"filename\":\"%s\"}}", d->shot);
    g_autoptr(GError) error = NULL;
    pixman_image_t *img;

    qmp_ok(d, "{\"execute\":\"stop\"}");
    qmp_ok(d, json);
    qmp_ok(d, "{\"execute\":\"cont\"}");
    img = ph_ppm_load(d->shot, &error);
    g_assert_no_error(error);
    g_assert_cmpint(pixman_image_get_width(img), ==, FB_W);
    g_assert_cmpint(pixman_image_get_height(img), ==, FB_H);
    return img;
}

static uint32_t px(pixman_image_t *img, int x, int y)
{
    const uint32_t *data = pixman_image_get_data(img);
    int stride = pixman_image_get_stride(img) / 4;

    g_assert_true(x >= 0 && x < FB_W && y >= 0 && y < FB_H);
    return data[(size_t)y * (size_t)stride + (size_t)x] & 0xffffff;
}

/* The contract's pointer: white hotspot, black just left of it and just above. */
static bool pointer_at(pixman_image_t *img, int hx, int hy)
{
    return px(img, hx, hy) == 0xffffff && (hx == 0 || px(img, hx - 1, hy) == 0x000000) &&
           (hy == 0 || px(img, hx, hy - 1) == 0x000000);
}

/* Screendumps until the pointer shows at (hx, hy); the image is returned. */
static pixman_image_t *wait_pointer(Demo *d, int hx, int hy)
{
    gint64 end = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;

    for (;;) {
        pixman_image_t *img = screenshot(d);

        if (pointer_at(img, hx, hy)) {
            return img;
        }
        pixman_image_unref(img);
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(100 * 1000);
    }
}

/* Whether the key cap in the status line shows @text in the guest's font (cells 2x2 pixels). */
static bool keycap_shows(pixman_image_t *img, const char *text)
{
    int len = (int)strlen(text);
    int x0 = KEYCAP_X + (KEYCAP_W - len * CELL_W) / 2;

    for (int i = 0; i < len; i++) {
        const char *art = ph_font_art[(unsigned char)text[i] - PH_FONT_FIRST];

        for (int gy = 0; gy < PH_FONT_H; gy++) {
            for (int gx = 0; gx < 6; gx++) {
                bool on = gx < PH_FONT_W && art[gy * PH_FONT_W + gx] == '#';

                for (int k = 0; k < 4; k++) {
                    int x = x0 + i * CELL_W + gx * 2 + (k & 1), y = STATUS_Y + gy * 2 + k / 2;

                    if ((px(img, x, y) == KEYCAP_FG) != on) {
                        return false;
                    }
                }
            }
        }
    }
    return len > 0;
}

static void wait_keycap(Demo *d, const char *text)
{
    gint64 end = g_get_monotonic_time() + 120 * G_USEC_PER_SEC;

    for (;;) {
        pixman_image_t *img = screenshot(d);
        bool ok = keycap_shows(img, text);

        pixman_image_unref(img);
        if (ok) {
            return;
        }
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(100 * 1000);
    }
}

/* Typing on the virtio keyboard goes into the command line. */
static void test_keyboard(void)
{
    Demo d = { 0 };
    g_autoptr(GString) s = g_string_new(NULL);

    demo_start(&d);
    /* Shift honoured, Backspace edits, Enter runs the command. */
    append_key(s, "shift", true);
    append_key(s, "h", true);
    append_key(s, "h", false);
    append_key(s, "shift", false);
    send_events(&d, s->str);
    type_keys(&d, (const char *const[]){ "backspace", "h", "e", "l", "p", "ret", NULL });
    g_assert_true(ph_child_wait_for(d.c, "H\b \bhelp\r\nCommands:\r\n", 60));
    g_assert_true(ph_child_wait_for(d.c, "poweroff  power the machine off", 60));
    g_assert_true(ph_child_wait_for(d.c, "\r\n> ", 60));
    wait_keycap(&d, "KEY_ENTER");

    /* Punctuation and digits, shifted and not, and the keypad's Enter. */
    g_string_truncate(s, 0);
    append_key(s, "shift_r", true);
    append_key(s, "1", true);
    append_key(s, "1", false);
    append_key(s, "shift_r", false);
    send_events(&d, s->str);
    type_keys(&d, (const char *const[]){ "t", "i", "m", "e", "minus", "2", "comma", "spc",
                                         "slash", "kp_enter", NULL });
    g_assert_true(ph_child_wait_for(d.c, "!time-2, /\r\nunknown command: !time-2, /", 60));
    g_assert_true(ph_child_wait_for(d.c, "\r\n> ", 60));
    type_keys(&d, (const char *const[]){ "t", "i", "m", "e", "kp_enter", NULL });
    g_assert_true(ph_child_wait_for(d.c, "time\r\n2", 60));
    g_assert_true(ph_child_wait_for(d.c, " UTC\r\n> ", 60));
    wait_keycap(&d, "KEY_KPENTER");

    /* The key cap names modifiers too. */
    g_string_truncate(s, 0);
    append_key(s, "shift", true);
    send_events(&d, s->str);
    wait_keycap(&d, "KEY_LEFTSHIFT");
    g_string_truncate(s, 0);
    append_key(s, "shift", false);
    send_events(&d, s->str);
    demo_stop(&d);
}

/* The tablet moves a pointer whose hotspot is exactly where the contract says, without trails. */
static void test_tablet_pointer(void)
{
    Demo d = { 0 };
    pixman_image_t *before, *first, *second;
    /* In the header's plain gradient: 1366 * 768 / 32768 = 32. */
    const int hx1 = 512, hy1 = 32;
    /* Over the plasma: 10000 * 1024 / 32768 = 312, 9000 * 768 / 32768 = 210. */
    const int hx2 = 312, hy2 = 210;

    demo_start(&d);
    before = screenshot(&d);
    g_assert_false(pointer_at(before, hx1, hy1));

    move_to(&d, 16384, 1366);
    first = wait_pointer(&d, hx1, hy1);
    /* The arrow's fill runs down from the hotspot; the outline closes it on the left. */
    g_assert_cmphex(px(first, hx1, hy1 + 5), ==, 0xffffff);
    g_assert_cmphex(px(first, hx1 - 1, hy1 + 5), ==, 0x000000);

    move_to(&d, 10000, 9000);
    second = wait_pointer(&d, hx2, hy2);
    /* The header under the old position is back exactly as it was. */
    for (int y = hy1 - 1; y < hy1 - 1 + PTR_BOX_H; y++) {
        for (int x = hx1 - 1; x < hx1 - 1 + PTR_BOX_W; x++) {
            if (px(second, x, y) != px(before, x, y)) {
                g_test_message("(%d,%d) is %06x, was %06x", x, y, px(second, x, y),
                               px(before, x, y));
            }
            g_assert_cmphex(px(second, x, y), ==, px(before, x, y));
        }
    }
    g_assert_false(pointer_at(second, hx1, hy1));
    pixman_image_unref(second);

    /* It stays on top while the plasma under it is redrawn frame after frame. */
    for (int i = 0; i < 3; i++) {
        g_usleep(150 * 1000);
        second = screenshot(&d);
        g_assert_true(pointer_at(second, hx2, hy2));
        pixman_image_unref(second);
    }

    /* The far corners: the hotspot is clipped to the screen, not wrapped. */
    move_to(&d, 32767, 32767);
    second = wait_pointer(&d, FB_W - 1, FB_H - 1);
    pixman_image_unref(second);
    move_to(&d, 0, 0);
    second = wait_pointer(&d, 0, 0);
    pixman_image_unref(second);

    pixman_image_unref(before);
    pixman_image_unref(first);
    demo_stop(&d);
}

/* A button press prints where the hotspot is; releases print nothing. */
static void test_buttons(void)
{
    Demo d = { 0 };
    const char *rest;

    demo_start(&d);
    /* 20000 * 1024 / 32768 = 625, 30000 * 768 / 32768 = 703; one batch, as a click comes. */
    send_events(&d, "{\"type\":\"abs\",\"data\":{\"axis\":\"x\",\"value\":20000}},"
                    "{\"type\":\"abs\",\"data\":{\"axis\":\"y\",\"value\":30000}},"
                    "{\"type\":\"btn\",\"data\":{\"down\":true,\"button\":\"left\"}}");
    g_assert_true(ph_child_wait_for(d.c, "mouse: left button at 625,703\r\n> ", 60));
    send_events(&d, "{\"type\":\"btn\",\"data\":{\"down\":false,\"button\":\"left\"}}");
    /* Half-typed text survives a click: it is shown again after the report. */
    type_keys(&d, (const char *const[]){ "i", "n", NULL });
    g_assert_true(ph_child_wait_for(d.c, "in", 60));
    move_to(&d, 1000, 2000);    /* 31, 46 */
    send_events(&d, "{\"type\":\"btn\",\"data\":{\"down\":true,\"button\":\"right\"}}");
    g_assert_true(ph_child_wait_for(d.c, "mouse: right button at 31,46\r\n> in", 60));
    send_events(&d, "{\"type\":\"btn\",\"data\":{\"down\":false,\"button\":\"right\"}},"
                    "{\"type\":\"btn\",\"data\":{\"down\":true,\"button\":\"middle\"}},"
                    "{\"type\":\"btn\",\"data\":{\"down\":false,\"button\":\"middle\"}}");
    g_assert_true(ph_child_wait_for(d.c, "mouse: middle button at 31,46\r\n> in", 60));
    type_keys(&d, (const char *const[]){ "f", "o", "ret", NULL });
    g_assert_true(ph_child_wait_for(d.c, "fo\r\nframebuffer 1024x768", 60));
    g_assert_true(ph_child_wait_for(d.c, "\r\n> ", 60));
    /* Exactly three reports: the releases said nothing. */
    rest = d.c->out->str;
    for (int n = 0; n < 4; n++) {
        rest = strstr(rest, "mouse: ");
        if (n < 3) {
            g_assert_nonnull(rest);
            rest++;
        } else {
            g_assert_null(rest);
        }
    }
    demo_stop(&d);
}

/* Thousands of random events: the guest keeps answering. */
static void test_flood(void)
{
    static const char *const qcodes[] = {
        "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q",
        "r", "s", "t", "u", "v", "w", "x", "y", "z", "0", "1", "2", "3", "4", "5", "6", "7",
        "8", "9", "shift", "shift_r", "alt", "alt_r", "ctrl", "ctrl_r", "esc", "minus",
        "equal", "backspace", "tab", "bracket_left", "bracket_right", "ret", "semicolon",
        "apostrophe", "grave_accent", "backslash", "comma", "dot", "slash", "spc",
        "caps_lock", "f1", "f5", "f12", "num_lock", "scroll_lock", "kp_divide", "kp_multiply",
        "kp_subtract", "kp_add", "kp_enter", "kp_decimal", "kp_0", "kp_5", "kp_9", "home",
        "pgup", "pgdn", "end", "left", "up", "down", "right", "insert", "delete", "meta_l",
        "meta_r", "menu", "pause", "less",
    };
    static const char *const buttons[] = {
        "left", "middle", "right", "wheel-up", "wheel-down", "side", "extra",
    };
    static const char *const modifiers[] = {
        "shift", "shift_r", "alt", "alt_r", "ctrl", "ctrl_r", "meta_l", "meta_r", NULL,
    };
    Demo d = { 0 };
    GRand *rand = g_rand_new_with_seed(20261122);
    g_autoptr(GString) s = g_string_new(NULL);
    gint64 start;

    demo_start(&d);
    start = g_get_monotonic_time();
    for (int batch = 0; batch < 100; batch++) {
        g_string_truncate(s, 0);
        for (int i = 0; i < 100; i++) {
            switch (g_rand_int_range(rand, 0, 4)) {
            case 0:
                append_key(s, qcodes[g_rand_int_range(rand, 0, G_N_ELEMENTS(qcodes))],
                           g_rand_boolean(rand));
                break;
            case 1:
                g_string_append_printf(
                    s, "%s{\"type\":\"btn\",\"data\":{\"down\":%s,\"button\":\"%s\"}}",
                    s->len ? "," : "", g_rand_boolean(rand) ? "true" : "false",
                    buttons[g_rand_int_range(rand, 0, G_N_ELEMENTS(buttons))]);
                break;
            case 2:
                g_string_append_printf(
                    s, "%s{\"type\":\"abs\",\"data\":{\"axis\":\"%s\",\"value\":%d}}",
                    s->len ? "," : "", g_rand_boolean(rand) ? "x" : "y",
                    g_rand_int_range(rand, 0, 32768));
                break;
            default:
                /* Out of range too (rel has no handler here, as in QEMU: an error). */
                g_string_append_printf(
                    s, "%s{\"type\":\"abs\",\"data\":{\"axis\":\"%s\",\"value\":%d}}",
                    s->len ? "," : "", g_rand_boolean(rand) ? "x" : "y",
                    g_rand_int_range(rand, -40000, 80000));
                break;
            }
        }
        send_events(&d, s->str);
    }
    g_test_message("10000 events sent in %.2f s",
                   (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC);

    /* Let go of every modifier, end whatever line the flood left, then ask. */
    g_string_truncate(s, 0);
    for (const char *const *m = modifiers; *m; m++) {
        append_key(s, *m, false);
    }
    send_events(&d, s->str);
    type_keys(&d, (const char *const[]){ "ret", "i", "n", "f", "o", "ret", NULL });
    g_assert_true(ph_child_wait_for(d.c, "> info\r\nframebuffer 1024x768 at 0x40000000", 120));
    g_assert_true(ph_child_wait_for(d.c, " events\r\n> ", 60));
    g_test_message("answered %.2f s after the flood began",
                   (double)(g_get_monotonic_time() - start) / G_USEC_PER_SEC);
    /* The flood reached the guest (the device drops what it cannot hold). */
    {
        static const char prefix[] =
            "input: tablet in slot 6 (irq 7), keyboard in slot 7 (irq 8), ";
        const char *line = g_strrstr(d.c->out->str, prefix);
        guint64 events;

        g_assert_nonnull(line);
        events = g_ascii_strtoull(line + strlen(prefix), NULL, 10);
        g_test_message("the guest took %" G_GUINT64_FORMAT " events", events);
        g_assert_cmpuint(events, >=, 256);
    }
    g_rand_free(rand);
    demo_stop(&d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/guest/input/keyboard", test_keyboard);
    g_test_add_func("/guest/input/tablet-pointer", test_tablet_pointer);
    g_test_add_func("/guest/input/buttons", test_buttons);
    g_test_add_func("/guest/input/flood", test_flood);
    return g_test_run();
}

/* Tests of display/input (QEMU 7.2's key tables, routing to virtio devices read back by a driver written here) and of QMP input-send-event / send-key against porthole and its demo guest. */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "aio.h"
#include "bus.h"
#include "console.h"
#include "framebuffer.h"
#include "input.h"
#include "qapi-types.h"
#include "qmp-test-client.h"
#include "virtio-input.h"
#include "virtio-mmio.h"
#include "vm-state.h"

/* ======================================================================
 * The key tables
 * ====================================================================== */

/* The schema's QKeyCode (generated from monitor/qapi/ui.json) and the
 * table are the same list: a QMP qcode is an index into the table. */
static void test_qcode_table_matches_schema(void)
{
    g_assert_cmpint(ph_keymap_qcode_count(), ==, Q_KEY_CODE__MAX);
    /* QEMU 7.2 lists 150 key codes, "unmapped" first, "lang2" last. */
    g_assert_cmpint(ph_keymap_qcode_count(), ==, 150);
    for (int i = 0; i < Q_KEY_CODE__MAX; i++) {
        g_assert_cmpstr(ph_keymap_qcode_name(i), ==, QKeyCode_str[i]);
        g_assert_cmpint(ph_keymap_qcode_from_name(QKeyCode_str[i]), ==, i);
    }
    g_assert_cmpstr(ph_keymap_qcode_name(0), ==, "unmapped");
    g_assert_cmpstr(ph_keymap_qcode_name(149), ==, "lang2");
}

typedef struct {
    const char *qcode;
    unsigned linux_code;
} QcodeCase;

/* By hand, from QEMU's keycodemapdb table and Linux's input-event-codes.h. */
static const QcodeCase qcode_cases[] = {
    { "esc", 1 },         { "1", 2 },          { "0", 11 },          { "minus", 12 },
    { "backspace", 14 },  { "tab", 15 },       { "q", 16 },          { "p", 25 },
    { "ret", 28 },        { "ctrl", 29 },      { "a", 30 },          { "l", 38 },
    { "grave_accent", 41 }, { "shift", 42 },   { "backslash", 43 },  { "z", 44 },
    { "m", 50 },          { "slash", 53 },     { "shift_r", 54 },    { "asterisk", 55 },
    { "kp_multiply", 55 }, { "alt", 56 },      { "spc", 57 },        { "caps_lock", 58 },
    { "f1", 59 },         { "f10", 68 },       { "num_lock", 69 },   { "kp_7", 71 },
    { "kp_subtract", 74 }, { "kp_0", 82 },     { "kp_decimal", 83 }, { "less", 86 },
    { "f11", 87 },        { "f12", 88 },       { "ro", 89 },         { "kp_enter", 96 },
    { "ctrl_r", 97 },     { "kp_divide", 98 }, { "sysrq", 99 },      { "print", 99 },
    { "alt_r", 100 },     { "lf", 101 },       { "home", 102 },      { "up", 103 },
    { "pgup", 104 },      { "left", 105 },     { "right", 106 },     { "end", 107 },
    { "down", 108 },      { "pgdn", 109 },     { "insert", 110 },    { "delete", 111 },
    { "audiomute", 113 }, { "volumedown", 114 }, { "volumeup", 115 }, { "power", 116 },
    { "kp_equals", 117 }, { "pause", 119 },    { "kp_comma", 121 },  { "lang1", 122 },
    { "lang2", 123 },     { "yen", 124 },      { "meta_l", 125 },    { "meta_r", 126 },
    { "compose", 127 },   { "stop", 128 },     { "help", 138 },      { "menu", 139 },
    { "calculator", 140 }, { "sleep", 142 },   { "wake", 143 },      { "mail", 155 },
    { "ac_bookmarks", 156 }, { "computer", 157 }, { "ac_back", 158 }, { "ac_forward", 159 },
    { "audionext", 163 }, { "audioplay", 164 }, { "audioprev", 165 }, { "audiostop", 166 },
    { "ac_home", 172 },   { "ac_refresh", 173 }, { "mediaselect", 226 },
    { "unmapped", 0 },
};

static void test_qcode_to_linux(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qcode_cases); i++) {
        int q = ph_keymap_qcode_from_name(qcode_cases[i].qcode);

        g_assert_cmpint(q, >=, 0);
        g_assert_cmpuint(ph_keymap_qcode_to_linux(q), ==, qcode_cases[i].linux_code);
    }
    /* Every code but "unmapped" has a Linux key, each a real key code. */
    for (int q = 1; q < ph_keymap_qcode_count(); q++) {
        unsigned code = ph_keymap_qcode_to_linux(q);

        g_assert_cmpuint(code, >, 0);
        g_assert_cmpuint(code, <=, PH_INPUT_KEY_MAX);
    }
    /* Unknown names and codes are rejected. */
    g_assert_cmpint(ph_keymap_qcode_from_name("f13"), ==, -1);   /* not in 7.2 */
    g_assert_cmpint(ph_keymap_qcode_from_name("A"), ==, -1);
    g_assert_cmpint(ph_keymap_qcode_from_name(""), ==, -1);
    g_assert_cmpint(ph_keymap_qcode_from_name(NULL), ==, -1);
    g_assert_null(ph_keymap_qcode_name(-1));
    g_assert_null(ph_keymap_qcode_name(150));
    g_assert_cmpuint(ph_keymap_qcode_to_linux(-1), ==, 0);
    g_assert_cmpuint(ph_keymap_qcode_to_linux(150), ==, 0);
    g_assert_cmpuint(ph_keymap_qcode_to_linux(100000), ==, 0);
}

static void test_qnum(void)
{
    static const struct {
        int64_t number;
        const char *qcode;
    } cases[] = {
        /* As QEMU 7.2 maps them (read back with its input trace). */
        { 0x01, "esc" },      { 0x1e, "a" },        { 0x23, "h" },       { 0x1c, "ret" },
        { 0x2a, "shift" },    { 0x36, "shift_r" },  { 0x37, "kp_multiply" }, { 0x39, "spc" },
        { 0x53, "kp_decimal" }, { 0x54, "print" },  { 0x56, "less" },    { 0x58, "f12" },
        { 0x5b, "lf" },       { 0x70, "katakanahiragana" }, { 0x71, "lang2" },
        { 0x72, "lang1" },    { 0x7e, "kp_comma" }, { 0x9c, "kp_enter" }, { 0x9d, "ctrl_r" },
        { 0xb5, "kp_divide" }, { 0xb7, "print" },   { 0xb8, "alt_r" },   { 0xc8, "up" },
        { 0xcb, "left" },     { 0xd3, "delete" },   { 0xdb, "meta_l" },  { 0xde, "power" },
        { 0xed, "mediaselect" }, { 0xf5, "help" },  { 0xf8, "copy" },
        /* Unmapped. */
        { 0x00, "unmapped" }, { 0x55, "unmapped" }, { 0x5a, "unmapped" }, { 0x80, "unmapped" },
        { 0xf1, "unmapped" }, { 0xff, "unmapped" }, { 0x100, "unmapped" }, { -1, "unmapped" },
        { INT64_MIN, "unmapped" }, { INT64_MAX, "unmapped" },
        /* QEMU's unsigned int: the high half is ignored. */
        { (INT64_C(1) << 32) + 0x1e, "a" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_assert_cmpstr(ph_keymap_qcode_name(ph_keymap_qnum_to_qcode(cases[i].number)), ==,
                        cases[i].qcode);
    }
}

static void test_abs_from_pixel(void)
{
    static const int sizes[] = { 1, 2, 7, 240, 320, 640, 768, 1024, 1080, 1920, 4096, 32768 };

    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        int size = sizes[i];

        for (int px = 0; px < size; px++) {
            unsigned v = ph_input_abs_from_pixel(px, size);

            g_assert_cmpuint(v, <=, PH_INPUT_ABS_MAX);
            /* The guest's mapping (s3-contract.md) lands on the pixel. */
            g_assert_cmpint((int)((uint64_t)v * (uint64_t)size / 32768), ==, px);
        }
        /* Outside: the nearest edge. */
        g_assert_cmpuint(ph_input_abs_from_pixel(-5, size), ==, ph_input_abs_from_pixel(0, size));
        g_assert_cmpuint(ph_input_abs_from_pixel(size + 100, size), ==,
                         ph_input_abs_from_pixel(size - 1, size));
    }
    g_assert_cmpuint(ph_input_abs_from_pixel(3, 0), ==, 0);
    g_assert_cmpuint(ph_input_abs_from_pixel(3, -4), ==, 0);
    g_assert_cmpuint(ph_input_abs_from_pixel(INT32_MAX, INT32_MAX), <=, PH_INPUT_ABS_MAX);
}

/* ======================================================================
 * Routing: real virtio devices on a bus, read back by a small driver
 * ====================================================================== */

#define RAM 0x80000000ull
#define RAM_SIZE (1u << 20)
#define FB_BASE 0x40000000ull
#define KBD_BASE 0x10008000ull
#define TAB_BASE 0x10007000ull
#define KBD2_BASE 0x10006000ull
#define NBUF 128

#define EV_SYN 0
#define EV_KEY 1
#define EV_REL 2
#define EV_ABS 3

/* virtio-mmio registers */
#define R_DRV_FEATURES 0x020
#define R_DRV_FEATURES_SEL 0x024
#define R_QUEUE_SEL 0x030
#define R_QUEUE_NUM 0x038
#define R_QUEUE_READY 0x044
#define R_QUEUE_NOTIFY 0x050
#define R_STATUS 0x070
#define R_QUEUE_DESC 0x080
#define R_QUEUE_DRIVER 0x090
#define R_QUEUE_DEVICE 0x0a0

typedef struct {
    uint16_t type, code;
    int32_t value;
} Ev;

/* The driver side of one device's event queue. */
typedef struct {
    uint64_t base;          /* the transport */
    uint64_t desc, avail, used, bufs;
    uint16_t seen;          /* used entries read so far */
} Drv;

typedef struct {
    PhBus *bus;
    uint8_t *ram;
    PhFramebuffer *fb, *fb2;
    PhConsole *con, *con2;
    PhVirtioInput *kbd, *tab, *kbd2;
    PhVirtioMmio *kbd_t, *tab_t, *kbd2_t;
    Drv dkbd, dtab, dkbd2;
} Fixture;

static void irq_nop(void *opaque, unsigned n, bool level)
{
}

static void put(Fixture *f, uint64_t pa, uint64_t v, unsigned size)
{
    g_assert_true(pa >= RAM && pa + size <= RAM + RAM_SIZE);
    memcpy(f->ram + (pa - RAM), &v, size);
}

static uint64_t get(Fixture *f, uint64_t pa, unsigned size)
{
    uint64_t v = 0;

    g_assert_true(pa >= RAM && pa + size <= RAM + RAM_SIZE);
    memcpy(&v, f->ram + (pa - RAM), size);
    return v;
}

static void wr(Fixture *f, uint64_t pa, uint32_t v)
{
    g_assert_true(ph_bus_write(f->bus, pa, 4, v));
}

/* Brings the device up with NBUF 8-byte buffers on its event queue. */
static void drv_init(Fixture *f, Drv *d, uint64_t base, uint64_t area)
{
    *d = (Drv){ .base = base, .desc = area, .avail = area + 0x1000, .used = area + 0x2000,
                .bufs = area + 0x3000 };
    memset(f->ram + (area - RAM), 0, 0x4000);
    wr(f, base + R_STATUS, 0);
    wr(f, base + R_STATUS, 1);
    wr(f, base + R_STATUS, 3);
    wr(f, base + R_DRV_FEATURES_SEL, 1);
    wr(f, base + R_DRV_FEATURES, 1);   /* VERSION_1 */
    wr(f, base + R_STATUS, 3 | 8);
    wr(f, base + R_QUEUE_SEL, 0);
    wr(f, base + R_QUEUE_NUM, NBUF);
    wr(f, base + R_QUEUE_DESC, (uint32_t)d->desc);
    wr(f, base + R_QUEUE_DESC + 4, 0);
    wr(f, base + R_QUEUE_DRIVER, (uint32_t)d->avail);
    wr(f, base + R_QUEUE_DRIVER + 4, 0);
    wr(f, base + R_QUEUE_DEVICE, (uint32_t)d->used);
    wr(f, base + R_QUEUE_DEVICE + 4, 0);
    wr(f, base + R_QUEUE_READY, 1);
    for (unsigned i = 0; i < NBUF; i++) {
        put(f, d->desc + 16ull * i, d->bufs + 8ull * i, 8);
        put(f, d->desc + 16ull * i + 8, 8, 4);
        put(f, d->desc + 16ull * i + 12, 2, 2);   /* VIRTQ_DESC_F_WRITE */
        put(f, d->avail + 4 + 2ull * i, i, 2);
    }
    put(f, d->avail + 2, NBUF, 2);
    wr(f, base + R_STATUS, 3 | 8 | 4);   /* DRIVER_OK */
    wr(f, base + R_QUEUE_NOTIFY, 0);
}

/* The events the device wrote since the last call. */
static GArray *drv_take(Fixture *f, Drv *d)
{
    GArray *evs = g_array_new(FALSE, TRUE, sizeof(Ev));
    uint16_t idx = (uint16_t)get(f, d->used + 2, 2);

    while (d->seen != idx) {
        uint32_t id = (uint32_t)get(f, d->used + 4 + 8ull * (d->seen % NBUF), 4);
        uint64_t b;
        Ev e;

        g_assert_cmpuint(id, <, NBUF);
        b = get(f, d->desc + 16ull * id, 8);
        e.type = (uint16_t)get(f, b, 2);
        e.code = (uint16_t)get(f, b + 2, 2);
        e.value = (int32_t)(uint32_t)get(f, b + 4, 4);
        g_array_append_val(evs, e);
        d->seen++;
    }
    return evs;
}

/* Fails unless the device wrote exactly @n events, @expected, since the
 * last check. */
static void expect_events(Fixture *f, Drv *d, const Ev *expected, unsigned n)
{
    g_autoptr(GArray) got = drv_take(f, d);

    for (unsigned i = 0; i < MIN(n, got->len); i++) {
        const Ev *e = &g_array_index(got, Ev, i);

        if (e->type != expected[i].type || e->code != expected[i].code ||
            e->value != expected[i].value) {
            g_error("event %u: got (%u, 0x%x, %d), expected (%u, 0x%x, %d)", i, e->type,
                    e->code, e->value, expected[i].type, expected[i].code, expected[i].value);
        }
    }
    g_assert_cmpuint(got->len, ==, n);
}

#define EXPECT(f, d, ...)                                                            \
    do {                                                                             \
        static const Ev ev_[] = { __VA_ARGS__ };                                     \
        expect_events((f), (d), ev_, G_N_ELEMENTS(ev_));                             \
    } while (0)
#define EXPECT_NONE(f, d) expect_events((f), (d), NULL, 0)
#define SYN { EV_SYN, 0, 0 }

static void fixture_setup(Fixture *f, gconstpointer data)
{
    PhIrq irq = { .set = irq_nop };

    ph_vm_state_init(false);
    f->bus = ph_bus_new();
    f->ram = ph_bus_add_ram(f->bus, "ram", RAM, RAM_SIZE, 0)->host;
    f->fb = ph_framebuffer_new(f->bus, FB_BASE, 64, 32);
    f->fb2 = ph_framebuffer_new(f->bus, FB_BASE + 0x100000, 64, 32);
    f->con = ph_console_new(f->fb, 0);
    f->con2 = ph_console_new(f->fb2, 0);
    f->kbd = ph_virtio_input_new_keyboard();
    f->tab = ph_virtio_input_new_tablet();
    f->kbd2 = ph_virtio_input_new_keyboard();
    f->kbd_t = ph_virtio_mmio_new(f->bus, KBD_BASE, irq, ph_virtio_input_device(f->kbd));
    f->tab_t = ph_virtio_mmio_new(f->bus, TAB_BASE, irq, ph_virtio_input_device(f->tab));
    f->kbd2_t = ph_virtio_mmio_new(f->bus, KBD2_BASE, irq, ph_virtio_input_device(f->kbd2));
    drv_init(f, &f->dkbd, KBD_BASE, RAM);
    drv_init(f, &f->dtab, TAB_BASE, RAM + 0x10000);
    drv_init(f, &f->dkbd2, KBD2_BASE, RAM + 0x20000);
    ph_console_set_input(f->con, f->kbd, f->tab);
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    ph_input_reset();
    ph_virtio_mmio_free(f->kbd_t);
    ph_virtio_mmio_free(f->tab_t);
    ph_virtio_mmio_free(f->kbd2_t);
    ph_console_free(f->con);
    ph_console_free(f->con2);
    ph_framebuffer_free(f->fb);
    ph_framebuffer_free(f->fb2);
    ph_bus_free(f->bus);
    ph_vm_state_cleanup();
}

static void test_route_keys(Fixture *f, gconstpointer data)
{
    g_assert_true(ph_console_get_keyboard(f->con) == f->kbd);
    g_assert_true(ph_console_get_tablet(f->con) == f->tab);
    g_assert_null(ph_console_get_keyboard(f->con2));

    ph_input_send_qcode(f->con, ph_keymap_qcode_from_name("h"), true);
    ph_input_send_qcode(NULL, ph_keymap_qcode_from_name("h"), false);
    ph_input_send_key(f->con2, 28, true);   /* con2 has none: the first console's */
    ph_input_sync();
    EXPECT(f, &f->dkbd, { EV_KEY, 35, 1 }, SYN, { EV_KEY, 35, 0 }, SYN, { EV_KEY, 28, 1 }, SYN);
    EXPECT_NONE(f, &f->dtab);

    /* Nothing for unmapped or impossible codes. */
    ph_input_send_qcode(f->con, 0, true);
    ph_input_send_qcode(f->con, 999, true);
    ph_input_send_key(f->con, 0, true);
    ph_input_send_key(f->con, PH_INPUT_KEY_MAX + 1, true);
    EXPECT_NONE(f, &f->dkbd);

    /* A console with its own keyboard gets its keys; others still go to
     * the first console's. */
    ph_console_set_input(f->con2, f->kbd2, NULL);
    ph_input_send_key(f->con2, 30, true);
    ph_input_send_key(NULL, 31, true);
    EXPECT(f, &f->dkbd2, { EV_KEY, 30, 1 }, SYN);
    EXPECT(f, &f->dkbd, { EV_KEY, 31, 1 }, SYN);
    /* Buttons of con2 fall back to con's tablet. */
    g_assert_true(ph_input_has_handler(f->con2, PH_INPUT_KIND_BTN));
    g_assert_false(ph_input_has_handler(f->con2, PH_INPUT_KIND_REL));
}

static void test_route_pointer(Fixture *f, gconstpointer data)
{
    /* A batch moves the pointer once, before the click. */
    ph_input_send_abs(f->con, PH_INPUT_AXIS_X, 16384);
    ph_input_send_abs(f->con, PH_INPUT_AXIS_Y, 8192);
    EXPECT_NONE(f, &f->dtab);
    ph_input_send_button(f->con, PH_INPUT_BUTTON_LEFT, true);
    ph_input_sync();
    EXPECT(f, &f->dtab, { EV_ABS, 0, 16384 }, { EV_ABS, 1, 8192 }, SYN,
           { EV_KEY, PH_INPUT_BTN_LEFT, 1 }, SYN);

    /* Only X: Y stays; clamped to the range. */
    ph_input_send_abs(NULL, PH_INPUT_AXIS_X, 99999);
    ph_input_sync();
    EXPECT(f, &f->dtab, { EV_ABS, 0, 32767 }, { EV_ABS, 1, 8192 }, SYN);
    ph_input_send_abs(NULL, PH_INPUT_AXIS_Y, -5);
    ph_input_sync();
    ph_input_sync();   /* nothing new: no second report */
    EXPECT(f, &f->dtab, { EV_ABS, 0, 32767 }, { EV_ABS, 1, 0 }, SYN);

    ph_input_send_button(f->con, PH_INPUT_BUTTON_LEFT, false);
    ph_input_send_button(f->con, PH_INPUT_BUTTON_RIGHT, true);
    ph_input_send_button(f->con, PH_INPUT_BUTTON_MIDDLE, true);
    ph_input_send_button(f->con, PH_INPUT_BUTTON_SIDE, true);
    ph_input_send_button(f->con, PH_INPUT_BUTTON_EXTRA, true);
    EXPECT(f, &f->dtab, { EV_KEY, PH_INPUT_BTN_LEFT, 0 }, SYN, { EV_KEY, PH_INPUT_BTN_RIGHT, 1 },
           SYN, { EV_KEY, PH_INPUT_BTN_MIDDLE, 1 }, SYN, { EV_KEY, PH_INPUT_BTN_SIDE, 1 }, SYN,
           { EV_KEY, PH_INPUT_BTN_EXTRA, 1 }, SYN);

    /* QEMU 7.2's tablet: wheel presses are REL_WHEEL steps, their
     * releases the gear buttons'; no horizontal wheel. */
    ph_input_send_button(f->con, PH_INPUT_BUTTON_WHEEL_UP, true);
    ph_input_send_button(f->con, PH_INPUT_BUTTON_WHEEL_UP, false);
    ph_input_send_button(f->con, PH_INPUT_BUTTON_WHEEL_DOWN, true);
    ph_input_send_button(f->con, PH_INPUT_BUTTON_WHEEL_LEFT, true);
    ph_input_send_button(f->con, PH_INPUT_BUTTON_WHEEL_RIGHT, true);
    ph_input_send_wheel(f->con, -3);
    ph_input_send_wheel(f->con, 0);
    EXPECT(f, &f->dtab, { EV_REL, 8, 1 }, SYN, { EV_KEY, PH_INPUT_BTN_GEAR_UP, 0 }, SYN,
           { EV_REL, 8, -1 }, SYN, { EV_REL, 8, -3 }, SYN);
    EXPECT_NONE(f, &f->dkbd);
}

static void test_route_handlers(Fixture *f, gconstpointer data)
{
    g_assert_true(ph_input_has_handler(NULL, PH_INPUT_KIND_KEY));
    g_assert_true(ph_input_has_handler(NULL, PH_INPUT_KIND_BTN));
    g_assert_true(ph_input_has_handler(NULL, PH_INPUT_KIND_ABS));
    g_assert_false(ph_input_has_handler(NULL, PH_INPUT_KIND_REL));

    /* Keyboard only: no pointer. */
    ph_console_set_input(f->con, f->kbd, NULL);
    g_assert_true(ph_input_has_handler(f->con, PH_INPUT_KIND_KEY));
    g_assert_false(ph_input_has_handler(f->con, PH_INPUT_KIND_BTN));
    g_assert_false(ph_input_has_handler(f->con, PH_INPUT_KIND_ABS));
    ph_input_send_button(f->con, PH_INPUT_BUTTON_LEFT, true);
    EXPECT_NONE(f, &f->dtab);

    /* Detached: nothing at all. */
    ph_console_set_input(f->con, NULL, NULL);
    g_assert_false(ph_input_has_handler(NULL, PH_INPUT_KIND_KEY));
    ph_input_send_key(NULL, 30, true);
    EXPECT_NONE(f, &f->dkbd);

    /* A console freed with its devices attached is forgotten. */
    ph_console_set_input(f->con2, f->kbd2, f->tab);
    g_assert_true(ph_input_has_handler(NULL, PH_INPUT_KIND_KEY));
    g_clear_pointer(&f->con2, ph_console_free);
    g_assert_false(ph_input_has_handler(NULL, PH_INPUT_KIND_KEY));
    ph_input_send_key(NULL, 30, true);
    ph_input_sync();
    EXPECT_NONE(f, &f->dkbd2);
}

/* As QEMU: no input while the machine does not run. */
static void test_route_paused(Fixture *f, gconstpointer data)
{
    ph_vm_state_cleanup();
    ph_vm_state_init(true);   /* prelaunch */
    g_assert_false(ph_input_accepting());
    ph_input_send_key(NULL, 30, true);
    ph_input_send_abs(NULL, PH_INPUT_AXIS_X, 5);
    ph_input_send_button(NULL, PH_INPUT_BUTTON_LEFT, true);
    ph_input_send_wheel(NULL, 1);
    ph_input_sync();
    ph_input_queue_key(30, true);
    ph_input_queue_delay(10);
    g_assert_cmpuint(ph_input_queue_length(), ==, 0);
    EXPECT_NONE(f, &f->dkbd);
    EXPECT_NONE(f, &f->dtab);
}

static void run_loop_until_queue_empty(int timeout_ms)
{
    int64_t deadline = ph_clock_ns() + (int64_t)timeout_ms * 1000000;

    while (ph_input_queue_length() > 0) {
        g_assert_cmpint(ph_clock_ns(), <, deadline);
        g_main_context_iteration(NULL, TRUE);
    }
}

/* send-key's queue: the first key at once, the rest after the pauses, by a
 * timer (the caller does not block). */
static void test_queue(Fixture *f, gconstpointer data)
{
    int64_t start = ph_clock_ns(), elapsed;

    ph_input_queue_key(42, true);
    ph_input_queue_delay(60);
    ph_input_queue_key(30, true);
    ph_input_queue_delay(60);
    ph_input_queue_key(30, false);
    ph_input_queue_delay(60);
    ph_input_queue_key(42, false);
    ph_input_queue_delay(60);
    EXPECT(f, &f->dkbd, { EV_KEY, 42, 1 }, SYN);
    g_assert_cmpuint(ph_input_queue_length(), ==, 7);
    run_loop_until_queue_empty(5000);
    elapsed = ph_clock_ns() - start;
    EXPECT(f, &f->dkbd, { EV_KEY, 30, 1 }, SYN, { EV_KEY, 30, 0 }, SYN, { EV_KEY, 42, 0 }, SYN);
    g_assert_cmpint(elapsed, >=, 4 * INT64_C(60000000));

    /* The limit: at most 1024 items wait; the rest is dropped. */
    ph_input_queue_delay(1000);
    for (int i = 0; i < 2000; i++) {
        ph_input_queue_key(30, i % 2 == 0);
    }
    g_assert_cmpuint(ph_input_queue_length(), ==, 1024);
    ph_input_reset();
    g_assert_cmpuint(ph_input_queue_length(), ==, 0);
    EXPECT_NONE(f, &f->dkbd);
}

/* ======================================================================
 * QMP against a porthole child
 * ====================================================================== */

#define TIMEOUT_MS 60000   /* generous: the suite also runs under ASan */

typedef struct {
    char *dir;
    GSubprocess *proc;
    QmpTestClient *qmp;
    int serial;             /* -1 without a serial socket */
    GString *out;           /* what the guest wrote on its serial port */
    gsize mark;             /* serial_wait() searches from here */
} Porthole;

static void child_setup(gpointer data)
{
    /* A porthole started by a test dies with the test. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/*
 * porthole --headless with QMP and, with @serial, the guest's serial port
 * on sockets in a scratch directory; @extra are more arguments (NULL-
 * terminated list).  The demo guest runs unless @extra says otherwise.
 */
static Porthole *porthole_start(bool serial, const char *const *extra)
{
    Porthole *p = g_new0(Porthole, 1);
    g_autoptr(GError) error = NULL;
    g_autoptr(GSubprocessLauncher) launcher =
        g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    const char *bin = g_getenv("PORTHOLE_BIN");
    g_autofree char *qmp_path = NULL;
    g_autofree char *serial_path = NULL;

    g_assert_nonnull(bin);
    p->dir = g_dir_make_tmp("ph-input-XXXXXX", &error);
    g_assert_no_error(error);
    qmp_path = g_build_filename(p->dir, "qmp.sock", NULL);
    serial_path = g_build_filename(p->dir, "serial.sock", NULL);
    p->serial = -1;
    p->out = g_string_new(NULL);

    g_ptr_array_add(argv, g_strdup(bin));
    g_ptr_array_add(argv, g_strdup("--headless"));
    g_ptr_array_add(argv, g_strdup_printf("--qmp=unix:%s,server=on,wait=off", qmp_path));
    g_ptr_array_add(argv, serial ? g_strdup_printf("--serial=unix:%s,server=on,wait=off",
                                                   serial_path)
                                 : g_strdup("--serial=none"));
    for (; extra && *extra; extra++) {
        g_ptr_array_add(argv, g_strdup(*extra));
    }
    g_ptr_array_add(argv, NULL);

    g_subprocess_launcher_set_child_setup(launcher, child_setup, NULL, NULL);
    g_subprocess_launcher_unsetenv(launcher, "DISPLAY");
    g_subprocess_launcher_unsetenv(launcher, "WAYLAND_DISPLAY");
    p->proc = g_subprocess_launcher_spawnv(launcher, (const char *const *)argv->pdata, &error);
    g_assert_no_error(error);

    p->qmp = qmp_test_client_connect(qmp_path, TIMEOUT_MS, &error);
    g_assert_no_error(error);
    qmp_test_client_handshake(p->qmp, false, NULL, &error);
    g_assert_no_error(error);
    if (serial) {
        p->serial = qmp_test_connect_unix(serial_path, TIMEOUT_MS);
    }
    return p;
}

static void porthole_stop(Porthole *p)
{
    g_autoptr(GError) error = NULL;

    g_free(qmp_test_client_command(p->qmp, "{\"execute\": \"quit\"}", NULL));
    qmp_test_client_free(p->qmp);
    if (p->serial >= 0) {
        close(p->serial);
    }
    if (!g_subprocess_wait(p->proc, NULL, &error)) {
        g_subprocess_force_exit(p->proc);
    }
    g_object_unref(p->proc);
    qmp_test_remove_tree(p->dir);
    g_free(p->dir);
    g_string_free(p->out, TRUE);
    g_free(p);
}

/* Reads the serial port until @needle shows up after the mark (which then
 * moves past it); fails the test on timeout. */
static void serial_wait(Porthole *p, const char *needle)
{
    int64_t deadline = g_get_monotonic_time() + (int64_t)TIMEOUT_MS * 1000;

    for (;;) {
        const char *hit = strstr(p->out->str + p->mark, needle);

        if (hit) {
            p->mark = (gsize)(hit - p->out->str) + strlen(needle);
            return;
        }
        if (g_get_monotonic_time() >= deadline) {
            g_autofree char *seen = g_strescape(p->out->str + p->mark, NULL);

            g_error("no \"%s\" from the guest; it wrote \"%s\"", needle, seen);
        }
        qmp_test_read_some(p->serial, p->out, 100);
    }
}

static void qmp_expect(Porthole *p, const char *cmd, const char *expected)
{
    g_autoptr(GError) error = NULL;
    g_autofree char *reply = qmp_test_client_command(p->qmp, cmd, &error);
    g_autofree char *want = g_strconcat(expected, "\r\n", NULL);

    g_assert_no_error(error);
    qmp_test_assert_line(reply, want);
}

#define OK "{\"return\": {}}"
#define KEY_A "{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\",\"data\":\"a\"}}}"

/* Each reply exactly as QEMU 7.2 gives it (qemu-system-riscv64 -M virt
 * -device virtio-keyboard-device -device virtio-tablet-device), with
 * QEMU's keyboard id replaced by Porthole's console "fb0". */
static const struct {
    const char *cmd, *reply;
} qmp_cases[] = {
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[]}}",
      "{\"return\": {}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"device\":\"nope\",\"events\":[{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\",\"data\":\"a\"}}}]}}",
      "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'nope' not found\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"device\":\"fb0\",\"head\":3,\"events\":[{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\",\"data\":\"a\"}}}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Device fb0 (head 3) is not bound to a QemuConsole\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"head\":3,\"events\":[{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\",\"data\":\"a\"}}}]}}",
      "{\"return\": {}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"rel\",\"data\":{\"axis\":\"x\",\"value\":1}}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Input handler not found for event type rel\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\",\"data\":\"a\"}}},{\"type\":\"rel\",\"data\":{\"axis\":\"x\",\"value\":1}}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Input handler not found for event type rel\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"abs\",\"data\":{\"axis\":\"x\",\"value\":99999}}]}}",
      "{\"return\": {}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"abs\",\"data\":{\"axis\":\"z\",\"value\":1}}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'axis' does not accept value 'z'\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\",\"data\":\"foo\"}}}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'data' does not accept value 'foo'\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"number\",\"data\":-1}}}]}}",
      "{\"return\": {}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"number\",\"data\":99999999999}}}]}}",
      "{\"return\": {}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"btn\",\"data\":{\"down\":true,\"button\":\"wheel-left\"}}]}}",
      "{\"return\": {}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"bogus\",\"data\":{}}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'type' does not accept value 'bogus'\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\"}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'events[0].data' is missing\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":true}}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'events[0].data.key' is missing\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\"}}}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'events[0].data.key.data' is missing\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":1,\"key\":{\"type\":\"qcode\",\"data\":\"a\"}}}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'events[0].data.down', expected: boolean\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\",\"data\":\"a\",\"x\":1}}}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'events[0].data.key.x' is unexpected\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":true,\"x\":2,\"key\":{\"type\":\"qcode\",\"data\":\"a\"}}}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'events[0].data.x' is unexpected\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"y\":3,\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\",\"data\":\"a\"}}}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'events[0].y' is unexpected\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"qcode\",\"data\":\"a\"}}}],\"z\":1}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'z' is unexpected\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[7]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'events[0]', expected: object\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":[]}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'events[0].data', expected: object\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"key\",\"data\":{\"down\":true,\"key\":{\"type\":\"number\",\"data\":\"x\"}}}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'events[0].data.key.data', expected: integer\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"btn\",\"data\":{\"down\":true,\"button\":\"nope\"}}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'button' does not accept value 'nope'\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[{\"type\":\"abs\",\"data\":{\"axis\":\"x\",\"value\":1.5}}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'events[0].data.value', expected: integer\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"device\":5,\"events\":[]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'device', expected: string\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"head\":\"x\",\"events\":[]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'head', expected: integer\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'events' is missing\"}}" },
    { "{\"execute\":\"input-send-event\"}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'events' is missing\"}}" },
    { "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":{}}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'events', expected: array\"}}" },
    { "{\"execute\":\"send-key\",\"arguments\":{\"keys\":[]}}",
      "{\"return\": {}}" },
    { "{\"execute\":\"send-key\",\"arguments\":{\"keys\":[{\"type\":\"qcode\",\"data\":\"a\"}],\"hold-time\":-5}}",
      "{\"return\": {}}" },
    { "{\"execute\":\"send-key\",\"arguments\":{\"keys\":[{\"type\":\"qcode\",\"data\":\"nope\"}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'data' does not accept value 'nope'\"}}" },
    { "{\"execute\":\"send-key\",\"arguments\":{\"keys\":[{\"type\":\"number\",\"data\":30},{\"type\":\"qcode\",\"data\":\"shift\"}],\"hold-time\":1}}",
      "{\"return\": {}}" },
    { "{\"execute\":\"send-key\",\"arguments\":{}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'keys' is missing\"}}" },
    { "{\"execute\":\"send-key\",\"arguments\":{\"keys\":[{\"type\":\"qcode\",\"data\":\"a\"}],\"hold-time\":\"x\"}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'hold-time', expected: integer\"}}" },
    { "{\"execute\":\"send-key\",\"arguments\":{\"keys\":[{\"type\":\"qcode\",\"data\":\"a\"}],\"extra\":1}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'extra' is unexpected\"}}" },
    { "{\"execute\":\"send-key\",\"arguments\":{\"keys\":[5]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Invalid parameter type for 'keys[0]', expected: object\"}}" },
    { "{\"execute\":\"send-key\",\"arguments\":{\"keys\":[{\"type\":\"num\",\"data\":1}]}}",
      "{\"error\": {\"class\": \"GenericError\", \"desc\": \"Parameter 'type' does not accept value 'num'\"}}" },
};

static void test_qmp_arguments_and_errors(void)
{
    Porthole *p = porthole_start(false, NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(qmp_cases); i++) {
        qmp_expect(p, qmp_cases[i].cmd, qmp_cases[i].reply);
    }
    porthole_stop(p);
}

static void test_qmp_not_running(void)
{
    static const char *const paused[] = { "-S", NULL };
    Porthole *p = porthole_start(false, paused);

    qmp_expect(p, "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[" KEY_A "]}}",
               "{\"error\": {\"class\": \"GenericError\", \"desc\": \"VM not running\"}}");
    /* The device is looked up first, and then the run state. */
    qmp_expect(p, "{\"execute\":\"input-send-event\",\"arguments\":{\"device\":\"nope\","
                  "\"events\":[" KEY_A "]}}",
               "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'nope' not found\"}}");
    qmp_expect(p, "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":"
                  "[{\"type\":\"rel\",\"data\":{\"axis\":\"x\",\"value\":1}}]}}",
               "{\"error\": {\"class\": \"GenericError\", \"desc\": \"VM not running\"}}");
    /* send-key drops the keys silently, as QEMU. */
    qmp_expect(p, "{\"execute\":\"send-key\",\"arguments\":{\"keys\":"
                  "[{\"type\":\"qcode\",\"data\":\"a\"}]}}", OK);
    porthole_stop(p);
}

static void test_qmp_no_machine(void)
{
    static const char *const none[] = { "-M", "none", NULL };
    Porthole *p = porthole_start(false, none);

    qmp_expect(p, "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[" KEY_A "]}}",
               "{\"error\": {\"class\": \"GenericError\", \"desc\": "
               "\"Input handler not found for event type key\"}}");
    qmp_expect(p, "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":"
                  "[{\"type\":\"btn\",\"data\":{\"down\":true,\"button\":\"left\"}}]}}",
               "{\"error\": {\"class\": \"GenericError\", \"desc\": "
               "\"Input handler not found for event type btn\"}}");
    qmp_expect(p, "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":"
                  "[{\"type\":\"abs\",\"data\":{\"axis\":\"x\",\"value\":1}}]}}",
               "{\"error\": {\"class\": \"GenericError\", \"desc\": "
               "\"Input handler not found for event type abs\"}}");
    qmp_expect(p, "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":[]}}", OK);
    qmp_expect(p, "{\"execute\":\"input-send-event\",\"arguments\":{\"device\":\"fb0\","
                  "\"events\":[" KEY_A "]}}",
               "{\"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'fb0' not found\"}}");
    qmp_expect(p, "{\"execute\":\"send-key\",\"arguments\":{\"keys\":"
                  "[{\"type\":\"qcode\",\"data\":\"a\"}]}}", OK);
    porthole_stop(p);
}

static void send_key(Porthole *p, const char *qcode)
{
    g_autofree char *cmd = g_strdup_printf(
        "{\"execute\":\"send-key\",\"arguments\":{\"keys\":"
        "[{\"type\":\"qcode\",\"data\":\"%s\"}],\"hold-time\":5}}", qcode);

    qmp_expect(p, cmd, OK);
}

/* One press and release per qnum, in one input-send-event. */
static void type_numbers(Porthole *p, const int *numbers, size_t n)
{
    g_autoptr(GString) cmd = g_string_new(
        "{\"execute\":\"input-send-event\",\"arguments\":{\"device\":\"fb0\",\"events\":[");

    for (size_t i = 0; i < n; i++) {
        for (int down = 1; down >= 0; down--) {
            g_string_append_printf(cmd,
                                   "%s{\"type\":\"key\",\"data\":{\"down\":%s,\"key\":"
                                   "{\"type\":\"number\",\"data\":%d}}}",
                                   i || !down ? "," : "", down ? "true" : "false",
                                   numbers[i]);
        }
    }
    g_string_append(cmd, "]}}");
    qmp_expect(p, cmd->str, OK);
}

/* The keys reach the guest: the demo guest echoes them and runs the line
 * (s3-contract.md). */
static void test_qmp_keys_reach_guest(void)
{
    static const int help_qnums[] = { 0x23, 0x12, 0x26, 0x19, 0x1c };   /* h e l p ret */
    Porthole *p = porthole_start(true, NULL);

    serial_wait(p, "> ");
    send_key(p, "h");
    send_key(p, "e");
    send_key(p, "l");
    send_key(p, "p");
    send_key(p, "ret");
    serial_wait(p, "help");
    serial_wait(p, "Commands:");
    serial_wait(p, "> ");

    /* Together: shift held while h is pressed gives a capital. */
    qmp_expect(p, "{\"execute\":\"send-key\",\"arguments\":{\"keys\":["
                  "{\"type\":\"qcode\",\"data\":\"shift\"},{\"type\":\"qcode\",\"data\":\"h\"}],"
                  "\"hold-time\":5}}", OK);
    serial_wait(p, "H");
    send_key(p, "ret");
    serial_wait(p, "> ");

    /* "number" keys through input-send-event. */
    type_numbers(p, help_qnums, G_N_ELEMENTS(help_qnums));
    serial_wait(p, "help");
    serial_wait(p, "Commands:");
    porthole_stop(p);
}

/* The tablet reaches the guest: a click reports the pixel under the
 * pointer (the default framebuffer is 1024 x 768). */
static void test_qmp_pointer_reaches_guest(void)
{
    Porthole *p = porthole_start(true, NULL);

    serial_wait(p, "> ");
    qmp_expect(p, "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":["
                  "{\"type\":\"abs\",\"data\":{\"axis\":\"x\",\"value\":16384}},"
                  "{\"type\":\"abs\",\"data\":{\"axis\":\"y\",\"value\":16384}},"
                  "{\"type\":\"btn\",\"data\":{\"down\":true,\"button\":\"left\"}}]}}", OK);
    serial_wait(p, "mouse: left button at 512,384");
    qmp_expect(p, "{\"execute\":\"input-send-event\",\"arguments\":{\"events\":["
                  "{\"type\":\"btn\",\"data\":{\"down\":false,\"button\":\"left\"}},"
                  "{\"type\":\"abs\",\"data\":{\"axis\":\"x\",\"value\":0}},"
                  "{\"type\":\"abs\",\"data\":{\"axis\":\"y\",\"value\":32767}},"
                  "{\"type\":\"btn\",\"data\":{\"down\":true,\"button\":\"right\"}},"
                  "{\"type\":\"btn\",\"data\":{\"down\":false,\"button\":\"right\"}}]}}", OK);
    serial_wait(p, "mouse: right button at 0,767");
    /* Only X moves; Y stays; the console named. */
    qmp_expect(p, "{\"execute\":\"input-send-event\",\"arguments\":{\"device\":\"fb0\","
                  "\"head\":0,\"events\":["
                  "{\"type\":\"abs\",\"data\":{\"axis\":\"x\",\"value\":32767}},"
                  "{\"type\":\"btn\",\"data\":{\"down\":true,\"button\":\"middle\"}}]}}", OK);
    serial_wait(p, "mouse: middle button at 1023,767");
    porthole_stop(p);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ph_aio_init();
    g_test_add_func("/input/keymap/qcode-table-matches-schema", test_qcode_table_matches_schema);
    g_test_add_func("/input/keymap/qcode-to-linux", test_qcode_to_linux);
    g_test_add_func("/input/keymap/qnum", test_qnum);
    g_test_add_func("/input/abs-from-pixel", test_abs_from_pixel);
    g_test_add("/input/route/keys", Fixture, NULL, fixture_setup, test_route_keys,
               fixture_teardown);
    g_test_add("/input/route/pointer", Fixture, NULL, fixture_setup, test_route_pointer,
               fixture_teardown);
    g_test_add("/input/route/handlers", Fixture, NULL, fixture_setup, test_route_handlers,
               fixture_teardown);
    g_test_add("/input/route/paused", Fixture, NULL, fixture_setup, test_route_paused,
               fixture_teardown);
    g_test_add("/input/route/queue", Fixture, NULL, fixture_setup, test_queue, fixture_teardown);
    g_test_add_func("/input/qmp/arguments-and-errors", test_qmp_arguments_and_errors);
    g_test_add_func("/input/qmp/not-running", test_qmp_not_running);
    g_test_add_func("/input/qmp/no-machine", test_qmp_no_machine);
    g_test_add_func("/input/qmp/keys-reach-guest", test_qmp_keys_reach_guest);
    g_test_add_func("/input/qmp/pointer-reaches-guest", test_qmp_pointer_reaches_guest);
    int ret = g_test_run();
    ph_aio_shutdown();
    return ret;
}

/* Tests of virtio-mmio and virtio-input through a small driver written here, and malformed rings. */
#include <string.h>

#include "virtio-input.h"
#include "hw-test.h"

#define RAM 0x80000000ull
#define RAM_SIZE (1u << 20)
#define SLOT(i) (0x10001000ull + 0x1000ull * (i))
#define KBD SLOT(7)
#define TAB SLOT(6)
#define EMPTY SLOT(0)

/* virtio-mmio registers */
#define MAGIC 0x000
#define VERSION 0x004
#define DEVICE_ID 0x008
#define VENDOR_ID 0x00c
#define DEV_FEATURES 0x010
#define DEV_FEATURES_SEL 0x014
#define DRV_FEATURES 0x020
#define DRV_FEATURES_SEL 0x024
#define QUEUE_SEL 0x030
#define QUEUE_NUM_MAX 0x034
#define QUEUE_NUM 0x038
#define QUEUE_READY 0x044
#define QUEUE_NOTIFY 0x050
#define INT_STATUS 0x060
#define INT_ACK 0x064
#define STATUS 0x070
#define QUEUE_DESC 0x080
#define QUEUE_DRIVER 0x090
#define QUEUE_DEVICE 0x0a0
#define CONFIG_GEN 0x0fc
#define CONFIG 0x100

#define S_ACK 1
#define S_DRIVER 2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 0x40

#define F_NEXT 1
#define F_WRITE 2
#define F_INDIRECT 4

enum { LINE_EMPTY = 1, LINE_TAB = 7, LINE_KBD = 8 };

typedef struct {
    PhBus *bus;
    uint8_t *ram;
    HwIrqRec irq;
    PhVirtioMmio *kbd_t, *tab_t, *empty_t;
    PhVirtioInput *kbd, *tab;
} Fixture;

/* The driver's view of one queue. */
typedef struct {
    uint64_t base;      /* transport */
    unsigned q, num;
    uint64_t desc, avail, used;
    uint16_t avail_idx;
} Vq;

static void setup(Fixture *f, gconstpointer data)
{
    (void)data;
    f->bus = ph_bus_new();
    f->ram = ph_bus_add_ram(f->bus, "ram", RAM, RAM_SIZE, 0)->host;
    f->kbd = ph_virtio_input_new_keyboard();
    f->tab = ph_virtio_input_new_tablet();
    f->kbd_t = ph_virtio_mmio_new(f->bus, KBD, hw_irq_line(&f->irq, LINE_KBD),
                                  ph_virtio_input_device(f->kbd));
    f->tab_t = ph_virtio_mmio_new(f->bus, TAB, hw_irq_line(&f->irq, LINE_TAB),
                                  ph_virtio_input_device(f->tab));
    f->empty_t = ph_virtio_mmio_new(f->bus, EMPTY, hw_irq_line(&f->irq, LINE_EMPTY), NULL);
}

static void teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    ph_virtio_mmio_free(f->kbd_t);
    ph_virtio_mmio_free(f->tab_t);
    ph_virtio_mmio_free(f->empty_t);
    ph_bus_free(f->bus);
}

static uint32_t reg(Fixture *f, uint64_t base, uint64_t off)
{
    return hw_rd32(f->bus, base + off);
}

static void set_reg(Fixture *f, uint64_t base, uint64_t off, uint32_t v)
{
    hw_wr32(f->bus, base + off, v);
}

static void put(Fixture *f, uint64_t pa, uint64_t v, unsigned size)
{
    g_assert_true(pa >= RAM && pa + size <= RAM + RAM_SIZE);
    memcpy(f->ram + (pa - RAM), &v, size);   /* little-endian host */
}

static uint64_t get(Fixture *f, uint64_t pa, unsigned size)
{
    uint64_t v = 0;
    g_assert_true(pa >= RAM && pa + size <= RAM + RAM_SIZE);
    memcpy(&v, f->ram + (pa - RAM), size);
    return v;
}

/* Reset, ACKNOWLEDGE, DRIVER, features (VERSION_1 only), FEATURES_OK. */
static void driver_init(Fixture *f, uint64_t base)
{
    set_reg(f, base, STATUS, 0);
    g_assert_cmpuint(reg(f, base, STATUS), ==, 0);
    set_reg(f, base, STATUS, S_ACK);
    set_reg(f, base, STATUS, S_ACK | S_DRIVER);
    set_reg(f, base, DEV_FEATURES_SEL, 1);
    g_assert_cmphex(reg(f, base, DEV_FEATURES), ==, 1);   /* VERSION_1 */
    set_reg(f, base, DEV_FEATURES_SEL, 0);
    g_assert_cmphex(reg(f, base, DEV_FEATURES), ==, 1u << 28);   /* INDIRECT_DESC */
    set_reg(f, base, DRV_FEATURES_SEL, 1);
    set_reg(f, base, DRV_FEATURES, 1);
    set_reg(f, base, DRV_FEATURES_SEL, 0);
    set_reg(f, base, DRV_FEATURES, 0);
    set_reg(f, base, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    g_assert_cmphex(reg(f, base, STATUS), ==, S_ACK | S_DRIVER | S_FEATURES_OK);
}

static void setup_queue(Fixture *f, Vq *vq, uint64_t base, unsigned q, unsigned num,
                        uint64_t area)
{
    *vq = (Vq){ .base = base, .q = q, .num = num, .desc = area,
                .avail = area + 0x1000, .used = area + 0x2000 };
    memset(f->ram + (area - RAM), 0, 0x3000);
    set_reg(f, base, QUEUE_SEL, q);
    g_assert_cmpuint(reg(f, base, QUEUE_NUM_MAX), ==, 1024);
    g_assert_cmpuint(reg(f, base, QUEUE_READY), ==, 0);
    set_reg(f, base, QUEUE_NUM, num);
    set_reg(f, base, QUEUE_DESC, (uint32_t)vq->desc);
    set_reg(f, base, QUEUE_DESC + 4, (uint32_t)(vq->desc >> 32));
    set_reg(f, base, QUEUE_DRIVER, (uint32_t)vq->avail);
    set_reg(f, base, QUEUE_DRIVER + 4, 0);
    set_reg(f, base, QUEUE_DEVICE, (uint32_t)vq->used);
    set_reg(f, base, QUEUE_DEVICE + 4, 0);
    set_reg(f, base, QUEUE_READY, 1);
    g_assert_cmpuint(reg(f, base, QUEUE_READY), ==, 1);
    /* Write-only in QEMU 7.2. */
    g_assert_cmphex(reg(f, base, QUEUE_DESC), ==, 0);
    g_assert_cmphex(reg(f, base, QUEUE_NUM), ==, 0);
}

static void write_desc(Fixture *f, uint64_t table, unsigned i, uint64_t addr, uint32_t len,
                       uint16_t flags, uint16_t next)
{
    uint64_t d = table + 16ull * i;
    put(f, d, addr, 8);
    put(f, d + 8, len, 4);
    put(f, d + 12, flags, 2);
    put(f, d + 14, next, 2);
}

/* Makes descriptor chain @head available. */
static void make_avail(Fixture *f, Vq *vq, uint16_t head)
{
    put(f, vq->avail + 4 + 2ull * (vq->avail_idx % vq->num), head, 2);
    vq->avail_idx++;
    put(f, vq->avail + 2, vq->avail_idx, 2);
}

/* One single-descriptor buffer per slot: descriptor i at buffers + 0x100 * i. */
static uint64_t buf_addr(unsigned i)
{
    return RAM + 0x80000 + 0x100ull * i;
}

static void add_buffers(Fixture *f, Vq *vq, unsigned first, unsigned count, uint16_t flags)
{
    for (unsigned i = first; i < first + count; i++) {
        write_desc(f, vq->desc, i, buf_addr(i), 8, flags, 0);
        make_avail(f, vq, (uint16_t)i);
    }
}

static uint16_t used_idx(Fixture *f, Vq *vq)
{
    return (uint16_t)get(f, vq->used + 2, 2);
}

/* Checks used entry @n and the event in its buffer. */
static void expect_event(Fixture *f, Vq *vq, unsigned n, uint16_t type, uint16_t code,
                         uint32_t value)
{
    uint64_t e = vq->used + 4 + 8ull * (n % vq->num);
    uint32_t id = (uint32_t)get(f, e, 4);
    g_assert_cmpuint(get(f, e + 4, 4), ==, 8);
    g_assert_cmpuint(id, <, vq->num);
    uint64_t b = get(f, vq->desc + 16ull * id, 8);
    g_assert_cmphex(get(f, b, 2), ==, type);
    g_assert_cmphex(get(f, b + 2, 2), ==, code);
    g_assert_cmphex(get(f, b + 4, 4), ==, value);
}

/* A ready keyboard: init, event queue with @bufs buffers, DRIVER_OK. */
static void kbd_ready(Fixture *f, Vq *vq, unsigned bufs)
{
    driver_init(f, KBD);
    setup_queue(f, vq, KBD, 0, 64, RAM + 0x10000);
    add_buffers(f, vq, 0, bufs, F_WRITE);
    set_reg(f, KBD, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    set_reg(f, KBD, QUEUE_NOTIFY, 0);
}

static void test_identity(Fixture *f, gconstpointer data)
{
    (void)data;
    g_assert_cmphex(reg(f, KBD, MAGIC), ==, 0x74726976);
    g_assert_cmpuint(reg(f, KBD, VERSION), ==, 2);
    g_assert_cmpuint(reg(f, KBD, DEVICE_ID), ==, 18);
    g_assert_cmphex(reg(f, KBD, VENDOR_ID), ==, 0x554d4551);
    g_assert_cmpuint(reg(f, TAB, DEVICE_ID), ==, 18);

    /* Empty slot: enough for a driver to skip it. */
    g_assert_cmphex(reg(f, EMPTY, MAGIC), ==, 0x74726976);
    g_assert_cmpuint(reg(f, EMPTY, VERSION), ==, 2);
    g_assert_cmpuint(reg(f, EMPTY, DEVICE_ID), ==, 0);
    g_assert_cmphex(reg(f, EMPTY, VENDOR_ID), ==, 0x554d4551);
    set_reg(f, EMPTY, STATUS, 0xff);
    set_reg(f, EMPTY, QUEUE_NOTIFY, 0);
    g_assert_cmpuint(reg(f, EMPTY, STATUS), ==, 0);
    g_assert_cmpuint(reg(f, EMPTY, QUEUE_NUM_MAX), ==, 0);
    g_assert_cmpuint(reg(f, EMPTY, CONFIG), ==, 0);
    g_assert_false(hw_irq_level(&f->irq, LINE_EMPTY));

    /* Registers need 32-bit accesses. */
    g_assert_cmphex(hw_rd(f->bus, KBD + MAGIC, 1), ==, 0);
    g_assert_cmphex(hw_rd(f->bus, KBD + MAGIC, 8), ==, 0);
    /* No queue 2 on an input device. */
    set_reg(f, KBD, QUEUE_SEL, 2);
    g_assert_cmpuint(reg(f, KBD, QUEUE_NUM_MAX), ==, 0);
}

static void test_features(Fixture *f, gconstpointer data)
{
    (void)data;
    driver_init(f, KBD);
    /* A driver that does not take VERSION_1 is not refused (as QEMU). */
    set_reg(f, KBD, STATUS, 0);
    set_reg(f, KBD, STATUS, S_ACK | S_DRIVER);
    set_reg(f, KBD, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    g_assert_cmphex(reg(f, KBD, STATUS), ==, S_ACK | S_DRIVER | S_FEATURES_OK);
    /* One that asks for something not offered is. */
    set_reg(f, KBD, STATUS, 0);
    set_reg(f, KBD, DRV_FEATURES_SEL, 1);
    set_reg(f, KBD, DRV_FEATURES, 1);
    set_reg(f, KBD, DRV_FEATURES_SEL, 0);
    set_reg(f, KBD, DRV_FEATURES, 1u << 5);
    set_reg(f, KBD, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    g_assert_cmphex(reg(f, KBD, STATUS), ==, S_ACK | S_DRIVER);
    /* Feature select past the end reads 0. */
    set_reg(f, KBD, DEV_FEATURES_SEL, 7);
    g_assert_cmphex(reg(f, KBD, DEV_FEATURES), ==, 0);
}

/* Selects (select, subsel) and returns the size. */
static unsigned cfg_select(Fixture *f, uint64_t base, uint8_t select, uint8_t subsel)
{
    hw_wr(f->bus, base + CONFIG + 0, 1, select);
    hw_wr(f->bus, base + CONFIG + 1, 1, subsel);
    return (unsigned)hw_rd(f->bus, base + CONFIG + 2, 1);
}

static uint8_t cfg_byte(Fixture *f, uint64_t base, unsigned i)
{
    return (uint8_t)hw_rd(f->bus, base + CONFIG + 8 + i, 1);
}

static void test_config(Fixture *f, gconstpointer data)
{
    (void)data;
    char name[64] = "";
    unsigned n = cfg_select(f, KBD, 0x01, 0);
    g_assert_cmpuint(n, ==, sizeof("QEMU Virtio Keyboard"));
    for (unsigned i = 0; i < n && i < sizeof(name) - 1; i++) {
        name[i] = (char)cfg_byte(f, KBD, i);
    }
    g_assert_cmpstr(name, ==, "QEMU Virtio Keyboard");
    n = cfg_select(f, TAB, 0x01, 0);
    g_assert_cmpuint(n, ==, sizeof("QEMU Virtio Tablet"));
    g_assert_cmphex(cfg_byte(f, TAB, 5), ==, 'V');

    /* ID_DEVIDS: bustype BUS_VIRTUAL, vendor 0x0627, product 1 / 3, version 1. */
    g_assert_cmpuint(cfg_select(f, KBD, 0x03, 0), ==, 8);
    g_assert_cmphex(hw_rd32(f->bus, KBD + CONFIG + 8), ==, 0x06270006);
    g_assert_cmphex(hw_rd32(f->bus, KBD + CONFIG + 12), ==, 0x00010001);
    g_assert_cmpuint(cfg_select(f, TAB, 0x03, 0), ==, 8);
    g_assert_cmphex(hw_rd32(f->bus, TAB + CONFIG + 12), ==, 0x00020003);

    /* EV_BITS: the keyboard has KEY_A (30), the tablet BTN_LEFT (0x110). */
    n = cfg_select(f, KBD, 0x11, 0x01);
    g_assert_cmpuint(n, >=, 30 / 8 + 1);
    g_assert_true(cfg_byte(f, KBD, 30 / 8) & (1u << (30 % 8)));
    g_assert_cmpuint(cfg_select(f, KBD, 0x11, 0x11), ==, 1);   /* EV_LED */
    g_assert_cmphex(cfg_byte(f, KBD, 0), ==, 0x07);
    n = cfg_select(f, TAB, 0x11, 0x01);
    g_assert_cmpuint(n, ==, 0x151 / 8 + 1);   /* up to BTN_GEAR_UP, as QEMU 7.2 */
    g_assert_cmphex(cfg_byte(f, TAB, 0x110 / 8), ==, 0x1f);
    g_assert_cmphex(cfg_byte(f, TAB, 0x150 / 8), ==, 0x03);
    g_assert_cmpuint(cfg_select(f, TAB, 0x11, 0x02), ==, 2);   /* EV_REL: REL_WHEEL */
    g_assert_cmphex(cfg_byte(f, TAB, 1), ==, 0x01);
    g_assert_cmpuint(cfg_select(f, TAB, 0x11, 0x03), ==, 1);   /* EV_ABS: X, Y */
    g_assert_cmphex(cfg_byte(f, TAB, 0), ==, 0x03);
    g_assert_cmpuint(cfg_select(f, KBD, 0x11, 0x03), ==, 0);   /* none on the keyboard */

    /* ABS_INFO X: min 0, max 32767. */
    g_assert_cmpuint(cfg_select(f, TAB, 0x12, 0x00), ==, 20);
    g_assert_cmpuint(hw_rd32(f->bus, TAB + CONFIG + 8), ==, 0);
    g_assert_cmpuint(hw_rd32(f->bus, TAB + CONFIG + 12), ==, 32767);
    g_assert_cmpuint(cfg_select(f, TAB, 0x12, 0x01), ==, 20);

    /* Unknown selections answer zeroes, select and subsel included. */
    g_assert_cmpuint(cfg_select(f, KBD, 0x7f, 0), ==, 0);
    g_assert_cmpuint(hw_rd32(f->bus, KBD + CONFIG + 8), ==, 0);
    g_assert_cmpuint(hw_rd32(f->bus, KBD + CONFIG + 0), ==, 0);
    /* Writes elsewhere in config are ignored; the space is 8 + the
     * largest answer long (keyboard: 29-byte key bitmap) and reads past
     * it give all-ones, as QEMU. */
    hw_wr(f->bus, KBD + CONFIG + 2, 1, 99);
    g_assert_cmpuint(hw_rd(f->bus, KBD + CONFIG + 2, 1), ==, 0);
    g_assert_cmphex(hw_rd32(f->bus, KBD + CONFIG + 33), ==, 0);
    g_assert_cmphex(hw_rd32(f->bus, KBD + CONFIG + 34), ==, 0xffffffff);
    g_assert_cmphex(hw_rd(f->bus, KBD + CONFIG + 0xff, 1), ==, 0xff);
    g_assert_cmphex(hw_rd(f->bus, KBD + CONFIG + 0xfe, 2), ==, 0xffff);
    g_assert_cmpuint(reg(f, KBD, CONFIG_GEN), ==, 0);
}

static void test_key_events(Fixture *f, gconstpointer data)
{
    (void)data;
    Vq vq;
    kbd_ready(f, &vq, 8);
    g_assert_cmpuint(used_idx(f, &vq), ==, 0);
    g_assert_false(hw_irq_level(&f->irq, LINE_KBD));

    ph_virtio_input_send_key(f->kbd, 30, true);
    g_assert_cmpuint(used_idx(f, &vq), ==, 2);
    expect_event(f, &vq, 0, 1, 30, 1);    /* EV_KEY KEY_A down */
    expect_event(f, &vq, 1, 0, 0, 0);     /* EV_SYN */
    g_assert_true(hw_irq_level(&f->irq, LINE_KBD));
    g_assert_cmphex(reg(f, KBD, INT_STATUS), ==, 1);
    set_reg(f, KBD, INT_ACK, 1);
    g_assert_false(hw_irq_level(&f->irq, LINE_KBD));
    g_assert_cmphex(reg(f, KBD, INT_STATUS), ==, 0);

    ph_virtio_input_send_key(f->kbd, 30, false);
    g_assert_cmpuint(used_idx(f, &vq), ==, 4);
    expect_event(f, &vq, 2, 1, 30, 0);
    expect_event(f, &vq, 3, 0, 0, 0);
}

static void test_tablet_events(Fixture *f, gconstpointer data)
{
    (void)data;
    Vq vq;
    driver_init(f, TAB);
    setup_queue(f, &vq, TAB, 0, 16, RAM + 0x20000);
    add_buffers(f, &vq, 0, 16, F_WRITE);
    set_reg(f, TAB, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);

    ph_virtio_input_send_abs(f->tab, 100, 40000);   /* y is clamped */
    g_assert_cmpuint(used_idx(f, &vq), ==, 3);
    expect_event(f, &vq, 0, 3, 0, 100);
    expect_event(f, &vq, 1, 3, 1, 32767);
    expect_event(f, &vq, 2, 0, 0, 0);
    ph_virtio_input_send_button(f->tab, 0x110, true);
    expect_event(f, &vq, 3, 1, 0x110, 1);
    expect_event(f, &vq, 4, 0, 0, 0);
    ph_virtio_input_send_wheel(f->tab, -1);
    expect_event(f, &vq, 5, 2, 8, 0xffffffff);   /* EV_REL REL_WHEEL -1 */
    expect_event(f, &vq, 6, 0, 0, 0);
    g_assert_cmpuint(used_idx(f, &vq), ==, 7);
    g_assert_true(hw_irq_level(&f->irq, LINE_TAB));
    g_assert_false(hw_irq_level(&f->irq, LINE_KBD));
}

static void test_queued_until_buffers(Fixture *f, gconstpointer data)
{
    (void)data;
    Vq vq;
    /* Events sent before the driver resets the device are dropped by
     * that reset; later ones wait for buffers, in order. */
    ph_virtio_input_send_key(f->kbd, 2, true);
    kbd_ready(f, &vq, 0);
    ph_virtio_input_send_key(f->kbd, 3, true);
    ph_virtio_input_send_key(f->kbd, 4, true);
    g_assert_cmpuint(used_idx(f, &vq), ==, 0);
    g_assert_false(hw_irq_level(&f->irq, LINE_KBD));
    /* A reset drops them too... */
    driver_init(f, KBD);
    setup_queue(f, &vq, KBD, 0, 64, RAM + 0x10000);
    set_reg(f, KBD, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    ph_virtio_input_send_key(f->kbd, 5, true);
    ph_virtio_input_send_key(f->kbd, 6, false);
    /* ...and buffers made available later take the waiting ones. */
    add_buffers(f, &vq, 0, 3, F_WRITE);
    set_reg(f, KBD, QUEUE_NOTIFY, 0);
    g_assert_cmpuint(used_idx(f, &vq), ==, 3);
    expect_event(f, &vq, 0, 1, 5, 1);
    expect_event(f, &vq, 1, 0, 0, 0);
    expect_event(f, &vq, 2, 1, 6, 0);
    g_assert_true(hw_irq_level(&f->irq, LINE_KBD));
    add_buffers(f, &vq, 3, 4, F_WRITE);
    set_reg(f, KBD, QUEUE_NOTIFY, 0);
    g_assert_cmpuint(used_idx(f, &vq), ==, 4);
    expect_event(f, &vq, 3, 0, 0, 0);
}

static void test_overflow_drops_oldest(Fixture *f, gconstpointer data)
{
    (void)data;
    Vq vq;
    kbd_ready(f, &vq, 0);
    for (unsigned i = 0; i < 300; i++) {
        ph_virtio_input_send_key(f->kbd, i % 200 + 1, true);   /* 600 events */
    }
    add_buffers(f, &vq, 0, 64, F_WRITE);
    set_reg(f, KBD, QUEUE_NOTIFY, 0);
    g_assert_cmpuint(used_idx(f, &vq), ==, 64);
    /* The 256 newest remain: events 344..599, i.e. key event of i = 172. */
    expect_event(f, &vq, 0, 1, 172 % 200 + 1, 1);
    expect_event(f, &vq, 1, 0, 0, 0);
}

static void test_indirect_and_status(Fixture *f, gconstpointer data)
{
    (void)data;
    Vq vq, sq;
    kbd_ready(f, &vq, 0);
    /* An indirect table of two descriptors: 4 bytes + 4 bytes. */
    uint64_t table = RAM + 0x60000;
    write_desc(f, table, 0, RAM + 0x61000, 4, F_WRITE | F_NEXT, 1);
    write_desc(f, table, 1, RAM + 0x62000, 4, F_WRITE, 0);
    write_desc(f, vq.desc, 5, table, 32, F_INDIRECT, 0);
    make_avail(f, &vq, 5);
    set_reg(f, KBD, QUEUE_NOTIFY, 0);
    ph_virtio_input_send_key(f->kbd, 30, true);
    g_assert_cmpuint(used_idx(f, &vq), ==, 1);
    g_assert_cmpuint(get(f, vq.used + 4, 4), ==, 5);
    g_assert_cmpuint(get(f, vq.used + 8, 4), ==, 8);
    g_assert_cmphex(get(f, RAM + 0x61000, 4), ==, 0x001e0001);
    g_assert_cmphex(get(f, RAM + 0x62000, 4), ==, 1);

    /* The status queue is consumed and ignored. */
    setup_queue(f, &sq, KBD, 1, 8, RAM + 0x30000);
    write_desc(f, sq.desc, 0, RAM + 0x63000, 8, 0, 0);
    make_avail(f, &sq, 0);
    set_reg(f, KBD, QUEUE_NOTIFY, 1);
    g_assert_cmpuint(used_idx(f, &sq), ==, 1);
    g_assert_cmpuint(get(f, sq.used + 8, 4), ==, 0);
    g_assert_cmphex(reg(f, KBD, STATUS) & S_NEEDS_RESET, ==, 0);
}

/* Drives one malformed chain at the keyboard and checks it is refused
 * with NEEDS_RESET, and that a reset brings the device back. */
typedef void (*Corrupt)(Fixture *f, Vq *vq);

static void check_malformed(Fixture *f, Corrupt corrupt)
{
    Vq vq;
    kbd_ready(f, &vq, 0);
    corrupt(f, &vq);
    set_reg(f, KBD, QUEUE_NOTIFY, 0);
    ph_virtio_input_send_key(f->kbd, 30, true);
    g_assert_cmphex(reg(f, KBD, STATUS) & S_NEEDS_RESET, ==, S_NEEDS_RESET);
    g_assert_cmphex(reg(f, KBD, INT_STATUS) & 2, ==, 2);   /* config change */
    g_assert_true(hw_irq_level(&f->irq, LINE_KBD));
    g_assert_cmpuint(used_idx(f, &vq), ==, 0);
    /* Nothing more is taken until the driver resets. */
    ph_virtio_input_send_key(f->kbd, 31, true);
    g_assert_cmpuint(used_idx(f, &vq), ==, 0);

    kbd_ready(f, &vq, 4);
    g_assert_cmphex(reg(f, KBD, STATUS) & S_NEEDS_RESET, ==, 0);
    ph_virtio_input_send_key(f->kbd, 32, true);
    g_assert_cmpuint(used_idx(f, &vq), ==, 2);
    expect_event(f, &vq, 0, 1, 32, 1);
}

static void corrupt_addr(Fixture *f, Vq *vq)
{
    write_desc(f, vq->desc, 0, 0x1000, 8, F_WRITE, 0);   /* not RAM */
    make_avail(f, vq, 0);
}

static void corrupt_straddle(Fixture *f, Vq *vq)
{
    write_desc(f, vq->desc, 0, RAM + RAM_SIZE - 4, 8, F_WRITE, 0);   /* runs off RAM */
    make_avail(f, vq, 0);
}

static void corrupt_huge(Fixture *f, Vq *vq)
{
    write_desc(f, vq->desc, 0, RAM, 0xffffffff, F_WRITE, 0);
    make_avail(f, vq, 0);
}

static void corrupt_wrap(Fixture *f, Vq *vq)
{
    write_desc(f, vq->desc, 0, UINT64_MAX - 3, 8, F_WRITE, 0);   /* wraps around */
    make_avail(f, vq, 0);
}

static void corrupt_loop(Fixture *f, Vq *vq)
{
    write_desc(f, vq->desc, 0, RAM + 0x70000, 8, F_WRITE | F_NEXT, 1);
    write_desc(f, vq->desc, 1, RAM + 0x70100, 8, F_WRITE | F_NEXT, 0);
    make_avail(f, vq, 0);
}

static void corrupt_next_range(Fixture *f, Vq *vq)
{
    write_desc(f, vq->desc, 0, RAM + 0x70000, 8, F_WRITE | F_NEXT, 999);
    make_avail(f, vq, 0);
}

static void corrupt_head(Fixture *f, Vq *vq)
{
    make_avail(f, vq, 64);   /* head past the table */
}

static void corrupt_avail_idx(Fixture *f, Vq *vq)
{
    put(f, vq->avail + 2, 1000, 2);   /* more than the ring holds */
}

static void corrupt_indirect_loop(Fixture *f, Vq *vq)
{
    uint64_t table = RAM + 0x60000;
    write_desc(f, table, 0, RAM + 0x61000, 4, F_WRITE | F_NEXT, 1);
    write_desc(f, table, 1, RAM + 0x62000, 4, F_WRITE | F_NEXT, 0);
    write_desc(f, vq->desc, 0, table, 32, F_INDIRECT, 0);
    make_avail(f, vq, 0);
}

static void corrupt_indirect_nested(Fixture *f, Vq *vq)
{
    uint64_t table = RAM + 0x60000;
    write_desc(f, table, 0, table, 16, F_INDIRECT, 0);
    write_desc(f, vq->desc, 0, table, 16, F_INDIRECT, 0);
    make_avail(f, vq, 0);
}

static void corrupt_indirect_huge(Fixture *f, Vq *vq)
{
    write_desc(f, vq->desc, 0, RAM, 0xfffffff0, F_INDIRECT, 0);
    make_avail(f, vq, 0);
}

static void corrupt_order(Fixture *f, Vq *vq)
{
    /* A device-readable buffer after a device-writable one. */
    write_desc(f, vq->desc, 0, RAM + 0x70000, 8, F_WRITE | F_NEXT, 1);
    write_desc(f, vq->desc, 1, RAM + 0x70100, 8, 0, 0);
    make_avail(f, vq, 0);
}

static void corrupt_rings(Fixture *f, Vq *vq)
{
    (void)vq;
    /* The avail ring itself outside RAM. */
    set_reg(f, KBD, QUEUE_SEL, 0);
    set_reg(f, KBD, QUEUE_DRIVER, 0xfffffff0);
    set_reg(f, KBD, QUEUE_DRIVER + 4, 0xffffffff);
}

static void corrupt_used(Fixture *f, Vq *vq)
{
    add_buffers(f, vq, 0, 2, F_WRITE);
    set_reg(f, KBD, QUEUE_SEL, 0);
    set_reg(f, KBD, QUEUE_DEVICE, 0x100);   /* the used ring outside RAM */
}

static void test_malformed(Fixture *f, gconstpointer data)
{
    check_malformed(f, (Corrupt)(uintptr_t)data);
}

static void test_board_reset(Fixture *f, gconstpointer data)
{
    (void)data;
    Vq vq;
    kbd_ready(f, &vq, 4);
    ph_virtio_input_send_key(f->kbd, 30, true);
    g_assert_true(hw_irq_level(&f->irq, LINE_KBD));
    ph_virtio_mmio_reset(f->kbd_t);
    g_assert_false(hw_irq_level(&f->irq, LINE_KBD));
    g_assert_cmpuint(reg(f, KBD, STATUS), ==, 0);
    set_reg(f, KBD, QUEUE_SEL, 0);
    g_assert_cmpuint(reg(f, KBD, QUEUE_READY), ==, 0);
    /* Not running: events wait instead of going to a stale ring. */
    ph_virtio_input_send_key(f->kbd, 31, true);
    g_assert_cmpuint(used_idx(f, &vq), ==, 2);
    ph_virtio_mmio_reset(f->empty_t);   /* harmless */
}

typedef struct {
    PhVirtioInput *in;
    unsigned count;
} SenderArgs;

static gpointer sender(gpointer data)
{
    SenderArgs *a = data;
    for (unsigned i = 0; i < a->count; i++) {
        ph_virtio_input_send_abs(a->in, i % 32768, (i * 7) % 32768);
    }
    return NULL;
}

/* Another thread sends while the "guest" recycles buffers: nothing is
 * lost while buffers keep coming, and events stay in order. */
static void test_threaded(Fixture *f, gconstpointer data)
{
    (void)data;
    Vq vq;
    driver_init(f, TAB);
    setup_queue(f, &vq, TAB, 0, 256, RAM + 0x20000);
    add_buffers(f, &vq, 0, 256, F_WRITE);
    set_reg(f, TAB, STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);

    SenderArgs args = { f->tab, 2000 };
    GThread *t = g_thread_new("sender", sender, &args);
    uint16_t seen = 0;
    int64_t last_x = -1;
    gint64 deadline = g_get_monotonic_time() + 20 * G_USEC_PER_SEC;
    /* Drop-oldest may lose events when the sender runs ahead, but what
     * arrives is in order and the newest event always arrives. */
    while (last_x != args.count - 1 && g_get_monotonic_time() < deadline) {
        set_reg(f, TAB, INT_ACK, 1);
        uint16_t idx = (uint16_t)__atomic_load_n((uint16_t *)(f->ram + (vq.used + 2 - RAM)),
                                                 __ATOMIC_ACQUIRE);
        while (seen != idx) {
            uint64_t e = vq.used + 4 + 8ull * (seen % vq.num);
            uint32_t id = (uint32_t)get(f, e, 4);
            g_assert_cmpuint(id, <, vq.num);
            uint64_t b = buf_addr(id);
            if (get(f, b, 2) == 3 && get(f, b + 2, 2) == 0) {
                int64_t x = (int64_t)get(f, b + 4, 4);
                g_assert_cmpint(x, >, last_x);
                last_x = x;
            }
            seen++;
            /* Give the buffer back. */
            write_desc(f, vq.desc, id, buf_addr(id), 8, F_WRITE, 0);
            make_avail(f, &vq, (uint16_t)id);
        }
        set_reg(f, TAB, QUEUE_NOTIFY, 0);
        g_thread_yield();
    }
    g_thread_join(t);
    g_assert_cmpint(last_x, ==, args.count - 1);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        Corrupt fn;
    } bad[] = {
        { "addr-not-ram", corrupt_addr },
        { "addr-straddles-ram-end", corrupt_straddle },
        { "huge-length", corrupt_huge },
        { "addr-wraps", corrupt_wrap },
        { "descriptor-loop", corrupt_loop },
        { "next-out-of-range", corrupt_next_range },
        { "head-out-of-range", corrupt_head },
        { "avail-idx-too-far", corrupt_avail_idx },
        { "indirect-loop", corrupt_indirect_loop },
        { "indirect-nested", corrupt_indirect_nested },
        { "indirect-huge", corrupt_indirect_huge },
        { "readable-after-writable", corrupt_order },
        { "avail-ring-not-ram", corrupt_rings },
        { "used-ring-not-ram", corrupt_used },
    };

    g_test_init(&argc, &argv, NULL);
    g_test_add("/vmm-hw/virtio/identity", Fixture, NULL, setup, test_identity, teardown);
    g_test_add("/vmm-hw/virtio/features", Fixture, NULL, setup, test_features, teardown);
    g_test_add("/vmm-hw/virtio/config", Fixture, NULL, setup, test_config, teardown);
    g_test_add("/vmm-hw/virtio/key-events", Fixture, NULL, setup, test_key_events, teardown);
    g_test_add("/vmm-hw/virtio/tablet-events", Fixture, NULL, setup, test_tablet_events,
               teardown);
    g_test_add("/vmm-hw/virtio/queued-until-buffers", Fixture, NULL, setup,
               test_queued_until_buffers, teardown);
    g_test_add("/vmm-hw/virtio/overflow-drops-oldest", Fixture, NULL, setup,
               test_overflow_drops_oldest, teardown);
    g_test_add("/vmm-hw/virtio/indirect-and-status", Fixture, NULL, setup,
               test_indirect_and_status, teardown);
    g_test_add("/vmm-hw/virtio/board-reset", Fixture, NULL, setup, test_board_reset, teardown);
    g_test_add("/vmm-hw/virtio/threaded", Fixture, NULL, setup, test_threaded, teardown);
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *path = g_strdup_printf("/vmm-hw/virtio/malformed/%s", bad[i].name);
        g_test_add(path, Fixture, (gconstpointer)(uintptr_t)bad[i].fn, setup, test_malformed,
                   teardown);
    }
    return g_test_run();
}

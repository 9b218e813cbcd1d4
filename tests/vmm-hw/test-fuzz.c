/* Fuzz test: random register accesses (fixed seed) to every device of the board; must survive. */
#include <string.h>

#include "clint.h"
#include "framebuffer.h"
#include "goldfish-rtc.h"
#include "plic.h"
#include "syscon.h"
#include "uart.h"
#include "virtio-input.h"
#include "hw-test.h"

#define RAM 0x80000000ull
#define RAM_SIZE 0x10000u
#define N_SLOTS 8

typedef struct {
    uint64_t base, size;
} Window;

typedef struct {
    PhBus *bus;
    uint8_t *ram;
    HwIrqRec irq;
    PhClint *clint;
    PhPlic *plic;
    PhUart *uart;
    PhSyscon *syscon;
    PhGoldfishRtc *rtc;
    PhFramebuffer *fb;
    PhVirtioMmio *slot[N_SLOTS];
    PhVirtioInput *kbd, *tab;
    uint64_t now;
    unsigned actions;
    size_t out_bytes;
} Board;

static uint64_t fake_time(void *opaque)
{
    return ((Board *)opaque)->now;
}

static void on_action(void *opaque, PhSysconAction action, int code)
{
    (void)action;
    (void)code;
    ((Board *)opaque)->actions++;
}

static void on_output(void *opaque, const uint8_t *buf, size_t len)
{
    (void)buf;
    ((Board *)opaque)->out_bytes += len;
}

static void board_init(Board *b)
{
    memset(b, 0, sizeof(*b));
    b->bus = ph_bus_new();
    b->ram = ph_bus_add_ram(b->bus, "ram", RAM, RAM_SIZE, 0)->host;
    b->clint = ph_clint_new(b->bus, 0x2000000, hw_irq_line(&b->irq, 0),
                            hw_irq_line(&b->irq, 1), fake_time, b);
    b->plic = ph_plic_new(b->bus, 0xc000000, 96, hw_irq_line(&b->irq, 2),
                          hw_irq_line(&b->irq, 3));
    b->uart = ph_uart_new(b->bus, 0x10000000, ph_plic_source(b->plic, 10));
    ph_uart_set_output(b->uart, on_output, b);
    b->syscon = ph_syscon_new(b->bus, 0x100000, on_action, b);
    b->rtc = ph_goldfish_rtc_new(b->bus, 0x101000, ph_plic_source(b->plic, 11));
    b->fb = ph_framebuffer_new(b->bus, 0x40000000, 64, 32);
    b->kbd = ph_virtio_input_new_keyboard();
    b->tab = ph_virtio_input_new_tablet();
    for (unsigned i = 0; i < N_SLOTS; i++) {
        PhVirtioDevice *dev = i == 7 ? ph_virtio_input_device(b->kbd)
                            : i == 6 ? ph_virtio_input_device(b->tab) : NULL;
        b->slot[i] = ph_virtio_mmio_new(b->bus, 0x10001000 + 0x1000ull * i,
                                        ph_plic_source(b->plic, i + 1), dev);
    }
}

static void board_free(Board *b)
{
    for (unsigned i = 0; i < N_SLOTS; i++) {
        ph_virtio_mmio_free(b->slot[i]);
    }
    ph_framebuffer_free(b->fb);
    ph_goldfish_rtc_free(b->rtc);
    ph_syscon_free(b->syscon);
    ph_uart_free(b->uart);
    ph_plic_free(b->plic);
    ph_clint_free(b->clint);
    ph_bus_free(b->bus);
}

static const Window windows[] = {
    { 0x2000000, PH_CLINT_SIZE },
    { 0xc000000, PH_PLIC_SIZE },
    { 0x10000000, PH_UART_SIZE },
    { 0x100000, PH_SYSCON_SIZE },
    { 0x101000, PH_GOLDFISH_RTC_SIZE },
    { 0x10001000, PH_VIRTIO_MMIO_SIZE },
    { 0x10002000, PH_VIRTIO_MMIO_SIZE },
    { 0x10007000, PH_VIRTIO_MMIO_SIZE },   /* tablet */
    { 0x10008000, PH_VIRTIO_MMIO_SIZE },   /* keyboard */
    { 0x10007000, PH_VIRTIO_MMIO_SIZE },
    { 0x10008000, PH_VIRTIO_MMIO_SIZE },
    { 0x40000000, 0x2000 },
};

/* Offsets where the registers are, so the fuzzer reaches deep states. */
static uint64_t pick_offset(GRand *r, const Window *w)
{
    switch (g_rand_int_range(r, 0, 10)) {
    case 0:
        return g_rand_int_range(r, 0, (gint32)MIN(w->size, (uint64_t)G_MAXINT32));
    case 1:   /* PLIC contexts and enables, CLINT timer */
        if (w->size == PH_PLIC_SIZE) {
            return 0x200000 + (uint64_t)g_rand_int_range(r, 0, 2) * 0x1000 +
                   4 * (uint64_t)g_rand_int_range(r, 0, 2);
        }
        if (w->size == PH_CLINT_SIZE) {
            return g_rand_boolean(r) ? 0x4000 + 4 * (uint64_t)g_rand_int_range(r, 0, 3)
                                     : 0xbff8 + 4 * (uint64_t)g_rand_int_range(r, 0, 2);
        }
        /* fall through */
    case 2:
        if (w->size == PH_PLIC_SIZE) {
            return 0x2000 + 4 * (uint64_t)g_rand_int_range(r, 0, 64);
        }
        /* fall through */
    default:
        /* Aligned words in the first 0x110 bytes (virtio registers and
         * config, every small device's registers). */
        return MIN(4 * (uint64_t)g_rand_int_range(r, 0, 0x44), w->size - 8) +
               (g_rand_int_range(r, 0, 8) == 0 ? (uint64_t)g_rand_int_range(r, 0, 4) : 0);
    }
}

static uint64_t pick_value(GRand *r)
{
    switch (g_rand_int_range(r, 0, 8)) {
    case 0:
    case 1:
    case 2:
        return (uint64_t)g_rand_int_range(r, 0, 16);
    case 3:
        return RAM + (uint64_t)g_rand_int_range(r, 0, RAM_SIZE);   /* ring addresses */
    case 4:
        return (uint64_t)g_rand_int_range(r, 0, 2048);              /* queue sizes */
    case 5:
        return UINT64_MAX - (uint64_t)g_rand_int_range(r, 0, 16);
    default:
        return (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
    }
}

static void fuzz_round(Board *b, GRand *r, unsigned accesses)
{
    static const unsigned sizes[] = { 1, 2, 4, 8 };
    for (unsigned i = 0; i < accesses; i++) {
        const Window *w = &windows[g_rand_int_range(r, 0, G_N_ELEMENTS(windows))];
        unsigned size = g_rand_int_range(r, 0, 5) ? 4 : sizes[g_rand_int_range(r, 0, 4)];
        uint64_t off = pick_offset(r, w);
        if (off + size > w->size) {
            off = w->size - size;
        }
        if (g_rand_boolean(r)) {
            uint64_t v;
            ph_bus_read(b->bus, w->base + off, size, &v);
        } else {
            ph_bus_write(b->bus, w->base + off, size, pick_value(r));
        }

        /* The host side and time, now and then. */
        switch (g_rand_int_range(r, 0, 64)) {
        case 0:
            ph_virtio_input_send_key(b->kbd, g_rand_int_range(r, 0, 300), g_rand_boolean(r));
            break;
        case 1:
            ph_virtio_input_send_abs(b->tab, g_rand_int(r), g_rand_int(r));
            ph_virtio_input_send_wheel(b->tab, g_rand_int_range(r, -3, 4));
            break;
        case 2: {
            uint8_t bytes[24];
            for (unsigned k = 0; k < sizeof(bytes); k++) {
                bytes[k] = (uint8_t)g_rand_int(r);
            }
            ph_uart_receive(b->uart, bytes, g_rand_int_range(r, 0, sizeof(bytes) + 1));
            break;
        }
        case 3:
            b->now += (uint64_t)g_rand_int_range(r, 0, 100000);
            ph_clint_update(b->clint);
            (void)ph_clint_ticks_until_timer(b->clint);
            ph_goldfish_rtc_poll(b->rtc);
            (void)ph_goldfish_rtc_ns_until_alarm(b->rtc);
            break;
        case 4: {
            /* Scribble over guest RAM, where the rings and buffers live. */
            unsigned at = g_rand_int_range(r, 0, RAM_SIZE - 64);
            for (unsigned k = 0; k < 64; k++) {
                b->ram[at + k] = (uint8_t)(g_rand_int_range(r, 0, 4) ? (guint32)g_rand_int_range(r, 0, 8)
                                                                     : g_rand_int(r));
            }
            break;
        }
        case 5: {
            PhIrq line = ph_plic_source(b->plic, g_rand_int_range(r, 0, 200));
            ph_irq_set(&line, g_rand_boolean(r));
            break;
        }
        case 6: {
            unsigned first, end;
            if (ph_framebuffer_fetch_dirty_rows(b->fb, &first, &end)) {
                g_assert_cmpuint(first, <, end);
                g_assert_cmpuint(end, <=, ph_framebuffer_height(b->fb));
            }
            break;
        }
        default:
            break;
        }
    }
}

static void put_le(Board *b, uint64_t pa, uint64_t v, unsigned size)
{
    if (pa >= RAM && pa + size <= RAM + RAM_SIZE) {
        memcpy(b->ram + (pa - RAM), &v, size);
    }
}

/* A well-behaved driver setup in the middle of the noise, with a ring of
 * valid (sometimes chained or indirect) buffers, so the queue paths run;
 * the fuzzer's register writes and RAM scribbles then corrupt them. */
static void drive_queue(Board *b, GRand *r, uint64_t base)
{
    unsigned q = g_rand_int_range(r, 0, 4) ? 0 : 1;
    unsigned num = 1u << g_rand_int_range(r, 0, 7);
    uint64_t area = RAM + 0x3000 * (uint64_t)g_rand_int_range(r, 0, 3);
    uint64_t desc = area, avail = area + 0x1000, used = area + 0x2000;
    memset(b->ram + (area - RAM), 0, 0x3000);

    ph_bus_write(b->bus, base + 0x70, 4, 0);
    ph_bus_write(b->bus, base + 0x70, 4, 3);
    ph_bus_write(b->bus, base + 0x24, 4, 1);
    ph_bus_write(b->bus, base + 0x20, 4, 1);
    ph_bus_write(b->bus, base + 0x70, 4, 11);
    ph_bus_write(b->bus, base + 0x30, 4, q);
    ph_bus_write(b->bus, base + 0x38, 4, num);
    ph_bus_write(b->bus, base + 0x80, 4, (uint32_t)desc);
    ph_bus_write(b->bus, base + 0x90, 4, (uint32_t)avail);
    ph_bus_write(b->bus, base + 0xa0, 4, (uint32_t)used);
    ph_bus_write(b->bus, base + 0x44, 4, 1);

    /* Buffers live in the top 28 KiB of RAM; tables in the 4 KiB below. */
    uint64_t bufs = RAM + 0x9000;
    for (unsigned i = 0; i < num; i++) {
        uint64_t d = desc + 16ull * i;
        uint64_t addr = bufs + (uint64_t)g_rand_int_range(r, 0, 0x7000 - 64);
        uint32_t len = g_rand_int_range(r, 0, 3) ? 8 : (uint32_t)g_rand_int_range(r, 0, 64);
        uint16_t flags = q == 0 ? 2 : 0;
        uint16_t next = 0;
        switch (g_rand_int_range(r, 0, 6)) {
        case 0:   /* chained to the next descriptor */
            if (i + 1 < num) {
                flags |= 1;
                next = (uint16_t)(i + 1);
            }
            break;
        case 1: {  /* an indirect table of two */
            uint64_t t = RAM + 0x8000 + 32ull * (i % 128);
            put_le(b, t, addr, 8);
            put_le(b, t + 8, 4, 4);
            put_le(b, t + 12, flags | 1, 2);
            put_le(b, t + 14, 1, 2);
            put_le(b, t + 16, addr + 4, 8);
            put_le(b, t + 24, 4, 4);
            put_le(b, t + 28, flags, 2);
            put_le(b, t + 30, 0, 2);
            addr = t;
            len = 32;
            flags = 4;
            break;
        }
        default:
            break;
        }
        put_le(b, d, addr, 8);
        put_le(b, d + 8, len, 4);
        put_le(b, d + 12, flags, 2);
        put_le(b, d + 14, next, 2);
        put_le(b, avail + 4 + 2ull * i, i, 2);
    }
    put_le(b, avail + 2, num, 2);
    ph_bus_write(b->bus, base + 0x70, 4, 15);
    ph_bus_write(b->bus, base + 0x50, 4, q);
}

static void test_fuzz(void)
{
    Board b;
    board_init(&b);
    GRand *r = g_rand_new_with_seed(20240611);
    for (unsigned round = 0; round < 300; round++) {
        drive_queue(&b, r, 0x10008000);
        drive_queue(&b, r, 0x10007000);
        fuzz_round(&b, r, 1000);
        if (round % 50 == 49) {
            /* A board reset in the middle of it all. */
            ph_clint_reset(b.clint);
            ph_plic_reset(b.plic);
            ph_uart_reset(b.uart);
            ph_goldfish_rtc_reset(b.rtc);
            for (unsigned i = 0; i < N_SLOTS; i++) {
                ph_virtio_mmio_reset(b.slot[i]);
            }
        }
    }
    g_rand_free(r);

    /* Still answering sensibly afterwards. */
    ph_uart_reset(b.uart);
    g_assert_cmphex(hw_rd(b.bus, 0x10000005, 1), ==, 0x60);
    ph_bus_write(b.bus, 0x10000000, 1, 'k');
    g_assert_cmpuint(hw_rd32(b.bus, 0x10008000), ==, 0x74726976);
    ph_virtio_mmio_reset(b.slot[7]);
    g_assert_cmpuint(hw_rd32(b.bus, 0x10008070), ==, 0);
    g_test_message("syscon actions %u, uart bytes %zu", b.actions, b.out_bytes);
    board_free(&b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm-hw/fuzz/all-devices", test_fuzz);
    return g_test_run();
}

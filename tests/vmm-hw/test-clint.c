/* Tests of the CLINT: msip, mtimecmp/MTIP against a fake clock, mtime writes, register halves. */
#include "clint.h"
#include "hw-test.h"

#define BASE 0x2000000ull
#define MSIP (BASE + 0x0)
#define MTIMECMP (BASE + 0x4000)
#define MTIME (BASE + 0xbff8)

enum { LINE_MSIP = 3, LINE_MTIP = 7 };

typedef struct {
    PhBus *bus;
    PhClint *clint;
    HwIrqRec irq;
    uint64_t now;   /* the fake raw 10 MHz count */
} Fixture;

static uint64_t fake_time(void *opaque)
{
    return ((Fixture *)opaque)->now;
}

static void setup(Fixture *f, gconstpointer data)
{
    (void)data;
    f->bus = ph_bus_new();
    f->now = 1000;
    f->clint = ph_clint_new(f->bus, BASE, hw_irq_line(&f->irq, LINE_MSIP),
                            hw_irq_line(&f->irq, LINE_MTIP), fake_time, f);
}

static void teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    ph_clint_free(f->clint);
    ph_bus_free(f->bus);
}

static void test_msip(Fixture *f, gconstpointer data)
{
    (void)data;
    g_assert_cmpuint(hw_rd32(f->bus, MSIP), ==, 0);
    hw_wr32(f->bus, MSIP, 1);
    g_assert_true(hw_irq_level(&f->irq, LINE_MSIP));
    g_assert_cmpuint(hw_rd32(f->bus, MSIP), ==, 1);
    /* Only bit 0 counts. */
    hw_wr32(f->bus, MSIP, 0xfffffffe);
    g_assert_false(hw_irq_level(&f->irq, LINE_MSIP));
    g_assert_cmpuint(hw_rd32(f->bus, MSIP), ==, 0);
    /* Byte stores are not decoded (QEMU: 32-bit only). */
    hw_wr(f->bus, MSIP, 1, 1);
    g_assert_false(hw_irq_level(&f->irq, LINE_MSIP));
}

static void test_timer(Fixture *f, gconstpointer data)
{
    (void)data;
    /* After creation mtimecmp is 0, so the timer is due at once (as QEMU). */
    ph_clint_update(f->clint);
    g_assert_true(hw_irq_level(&f->irq, LINE_MTIP));

    hw_wr(f->bus, MTIMECMP, 8, 1500);
    g_assert_false(hw_irq_level(&f->irq, LINE_MTIP));
    g_assert_cmpint(ph_clint_ticks_until_timer(f->clint), ==, 500);
    g_assert_cmpuint(hw_rd(f->bus, MTIME, 8), ==, 1000);

    f->now = 1499;
    ph_clint_update(f->clint);
    g_assert_false(hw_irq_level(&f->irq, LINE_MTIP));
    g_assert_cmpint(ph_clint_ticks_until_timer(f->clint), ==, 1);
    f->now = 1500;
    ph_clint_update(f->clint);
    g_assert_true(hw_irq_level(&f->irq, LINE_MTIP));
    g_assert_cmpint(ph_clint_ticks_until_timer(f->clint), ==, 0);

    /* Writing mtimecmp re-evaluates at once. */
    hw_wr(f->bus, MTIMECMP, 8, 2000);
    g_assert_false(hw_irq_level(&f->irq, LINE_MTIP));
    hw_wr(f->bus, MTIMECMP, 8, UINT64_MAX);
    g_assert_cmpint(ph_clint_ticks_until_timer(f->clint), ==, INT64_MAX);
}

static void test_halves(Fixture *f, gconstpointer data)
{
    (void)data;
    hw_wr32(f->bus, MTIMECMP, 0x11223344);
    hw_wr32(f->bus, MTIMECMP + 4, 0x55667788);
    g_assert_cmphex(hw_rd(f->bus, MTIMECMP, 8), ==, 0x5566778811223344ull);
    g_assert_cmphex(hw_rd32(f->bus, MTIMECMP), ==, 0x11223344);
    g_assert_cmphex(hw_rd32(f->bus, MTIMECMP + 4), ==, 0x55667788);
    /* The low half alone keeps the high half. */
    hw_wr32(f->bus, MTIMECMP, 0xaabbccdd);
    g_assert_cmphex(hw_rd(f->bus, MTIMECMP, 8), ==, 0x55667788aabbccddull);

    f->now = 0x123456789ull;
    g_assert_cmphex(hw_rd32(f->bus, MTIME), ==, 0x23456789);
    g_assert_cmphex(hw_rd32(f->bus, MTIME + 4), ==, 0x1);
    /* Misaligned or odd-sized accesses read 0 and change nothing. */
    g_assert_cmphex(hw_rd(f->bus, MTIMECMP + 2, 4), ==, 0);
    g_assert_cmphex(hw_rd(f->bus, MTIMECMP, 2), ==, 0);
    hw_wr(f->bus, MTIMECMP + 1, 4, 0);
    g_assert_cmphex(hw_rd(f->bus, MTIMECMP, 8), ==, 0x55667788aabbccddull);
}

static void test_mtime_write(Fixture *f, gconstpointer data)
{
    (void)data;
    hw_wr(f->bus, MTIMECMP, 8, 6000);
    hw_wr(f->bus, MTIME, 8, 5000);
    g_assert_cmpuint(hw_rd(f->bus, MTIME, 8), ==, 5000);
    g_assert_cmpuint(ph_clint_read_time(f->clint), ==, 5000);
    g_assert_false(hw_irq_level(&f->irq, LINE_MTIP));
    f->now += 10;   /* time keeps running from the written value */
    g_assert_cmpuint(hw_rd(f->bus, MTIME, 8), ==, 5010);
    /* Writing mtime past mtimecmp raises MTIP at once. */
    hw_wr(f->bus, MTIME, 8, 6000);
    g_assert_true(hw_irq_level(&f->irq, LINE_MTIP));
    /* The high half alone. */
    hw_wr32(f->bus, MTIME + 4, 2);
    g_assert_cmphex(hw_rd(f->bus, MTIME, 8), ==, (2ull << 32) | 6000);
    /* Going backwards (below the raw count) works too. */
    hw_wr(f->bus, MTIME, 8, 3);
    g_assert_cmpuint(hw_rd(f->bus, MTIME, 8), ==, 3);
    g_assert_false(hw_irq_level(&f->irq, LINE_MTIP));
    g_assert_cmpint(ph_clint_ticks_until_timer(f->clint), ==, 5997);
}

/* The board's sink wakes the vCPU on every call: an unchanged level must
 * not be sent again, or a runner that updates before sleeping never sleeps. */
static void test_changes_only(Fixture *f, gconstpointer data)
{
    (void)data;
    hw_wr(f->bus, MTIMECMP, 8, 5000);
    unsigned calls = f->irq.calls[LINE_MTIP];
    for (int i = 0; i < 10; i++) {
        ph_clint_update(f->clint);
        f->now++;
    }
    hw_wr(f->bus, MTIMECMP, 8, 6000);
    g_assert_cmpuint(f->irq.calls[LINE_MTIP], ==, calls);
    f->now = 6000;
    ph_clint_update(f->clint);
    ph_clint_update(f->clint);
    g_assert_cmpuint(f->irq.calls[LINE_MTIP], ==, calls + 1);
    g_assert_true(hw_irq_level(&f->irq, LINE_MTIP));
    /* After a reset the level is sent again even if unchanged. */
    hw_wr(f->bus, MTIMECMP, 8, 0);
    calls = f->irq.calls[LINE_MTIP];
    ph_clint_reset(f->clint);
    g_assert_cmpuint(f->irq.calls[LINE_MTIP], ==, calls + 1);
    g_assert_true(hw_irq_level(&f->irq, LINE_MTIP));
}

static void test_reset(Fixture *f, gconstpointer data)
{
    (void)data;
    hw_wr32(f->bus, MSIP, 1);
    hw_wr(f->bus, MTIMECMP, 8, 777);
    f->now = 50000;
    ph_clint_reset(f->clint);
    g_assert_false(hw_irq_level(&f->irq, LINE_MSIP));
    g_assert_cmpuint(hw_rd(f->bus, MTIME, 8), ==, 0);
    g_assert_cmpuint(hw_rd(f->bus, MTIMECMP, 8), ==, 777);
    g_assert_false(hw_irq_level(&f->irq, LINE_MTIP));
    f->now += 777;
    ph_clint_update(f->clint);
    g_assert_true(hw_irq_level(&f->irq, LINE_MTIP));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/vmm-hw/clint/msip", Fixture, NULL, setup, test_msip, teardown);
    g_test_add("/vmm-hw/clint/timer", Fixture, NULL, setup, test_timer, teardown);
    g_test_add("/vmm-hw/clint/halves", Fixture, NULL, setup, test_halves, teardown);
    g_test_add("/vmm-hw/clint/mtime-write", Fixture, NULL, setup, test_mtime_write, teardown);
    g_test_add("/vmm-hw/clint/changes-only", Fixture, NULL, setup, test_changes_only, teardown);
    g_test_add("/vmm-hw/clint/reset", Fixture, NULL, setup, test_reset, teardown);
    return g_test_run();
}

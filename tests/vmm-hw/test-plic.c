/* Tests of the PLIC: priorities, thresholds, claim/complete, the gateway rule, both contexts. */
#include "plic.h"
#include "hw-test.h"

#define BASE 0xc000000ull
#define PRIO(n) (BASE + 4ull * (n))
#define PENDING(w) (BASE + 0x1000 + 4ull * (w))
#define ENABLE(ctx, w) (BASE + 0x2000 + 0x80ull * (ctx) + 4ull * (w))
#define THRESHOLD(ctx) (BASE + 0x200000 + 0x1000ull * (ctx))
#define CLAIM(ctx) (THRESHOLD(ctx) + 4)

enum { M = 0, S = 1 };
enum { LINE_M = 11, LINE_S = 9 };

typedef struct {
    PhBus *bus;
    PhPlic *plic;
    HwIrqRec irq;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    (void)data;
    f->bus = ph_bus_new();
    f->plic = ph_plic_new(f->bus, BASE, 96, hw_irq_line(&f->irq, LINE_M),
                          hw_irq_line(&f->irq, LINE_S));
}

static void teardown(Fixture *f, gconstpointer data)
{
    (void)data;
    ph_plic_free(f->plic);
    ph_bus_free(f->bus);
}

static void source(Fixture *f, unsigned n, bool level)
{
    PhIrq line = ph_plic_source(f->plic, n);
    ph_irq_set(&line, level);
}

static void test_registers(Fixture *f, gconstpointer data)
{
    (void)data;
    hw_wr32(f->bus, PRIO(10), 0xff);
    g_assert_cmpuint(hw_rd32(f->bus, PRIO(10)), ==, 7);   /* 3 bits */
    hw_wr32(f->bus, PRIO(0), 5);
    g_assert_cmpuint(hw_rd32(f->bus, PRIO(0)), ==, 0);    /* source 0 is reserved */
    hw_wr32(f->bus, PRIO(97), 5);
    g_assert_cmpuint(hw_rd32(f->bus, PRIO(97)), ==, 0);   /* past the last source */

    hw_wr32(f->bus, ENABLE(S, 0), 0xffffffff);
    g_assert_cmphex(hw_rd32(f->bus, ENABLE(S, 0)), ==, 0xffffffff);   /* as QEMU */
    hw_wr32(f->bus, ENABLE(S, 2), 0xffffffff);
    g_assert_cmphex(hw_rd32(f->bus, ENABLE(S, 2)), ==, 0xffffffff);   /* 64..95 */
    hw_wr32(f->bus, ENABLE(S, 3), 0xffffffff);
    g_assert_cmphex(hw_rd32(f->bus, ENABLE(S, 3)), ==, 0);            /* no 96.. */
    g_assert_cmphex(hw_rd32(f->bus, ENABLE(M, 0)), ==, 0);

    hw_wr32(f->bus, THRESHOLD(S), 3);
    g_assert_cmpuint(hw_rd32(f->bus, THRESHOLD(S)), ==, 3);
    hw_wr32(f->bus, THRESHOLD(S), 0xf);   /* 3 bits, as QEMU 7.2 */
    g_assert_cmpuint(hw_rd32(f->bus, THRESHOLD(S)), ==, 7);

    /* The pending array is read-only. */
    hw_wr32(f->bus, PENDING(0), 0xffffffff);
    g_assert_cmphex(hw_rd32(f->bus, PENDING(0)), ==, 0);
    /* Only 32-bit accesses are decoded. */
    g_assert_cmphex(hw_rd(f->bus, PRIO(10), 1), ==, 0);
    hw_wr(f->bus, PRIO(10), 2, 1);
    g_assert_cmpuint(hw_rd32(f->bus, PRIO(10)), ==, 7);
}

static void test_claim_complete(Fixture *f, gconstpointer data)
{
    (void)data;
    hw_wr32(f->bus, PRIO(10), 1);
    hw_wr32(f->bus, ENABLE(S, 0), 1u << 10);
    source(f, 10, true);
    g_assert_true(hw_irq_level(&f->irq, LINE_S));
    g_assert_false(hw_irq_level(&f->irq, LINE_M));   /* not enabled for M */
    g_assert_cmphex(hw_rd32(f->bus, PENDING(0)), ==, 1u << 10);

    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(S)), ==, 10);
    g_assert_false(hw_irq_level(&f->irq, LINE_S));
    g_assert_cmphex(hw_rd32(f->bus, PENDING(0)), ==, 0);
    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(S)), ==, 0);   /* nothing else */

    /* Gateway: while claimed, the source cannot become pending again. */
    source(f, 10, false);
    source(f, 10, true);
    g_assert_cmphex(hw_rd32(f->bus, PENDING(0)), ==, 0);
    g_assert_false(hw_irq_level(&f->irq, LINE_S));

    /* Completing with the line still high makes it pending again. */
    hw_wr32(f->bus, CLAIM(S), 10);
    g_assert_cmphex(hw_rd32(f->bus, PENDING(0)), ==, 1u << 10);
    g_assert_true(hw_irq_level(&f->irq, LINE_S));
    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(S)), ==, 10);
    source(f, 10, false);
    hw_wr32(f->bus, CLAIM(S), 10);
    g_assert_cmphex(hw_rd32(f->bus, PENDING(0)), ==, 0);
    g_assert_false(hw_irq_level(&f->irq, LINE_S));

    /* A forwarded request stays pending until claimed, even if the line
     * drops first (QEMU 7.2, PLIC spec). */
    source(f, 10, true);
    g_assert_true(hw_irq_level(&f->irq, LINE_S));
    source(f, 10, false);
    g_assert_true(hw_irq_level(&f->irq, LINE_S));
    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(S)), ==, 10);
    hw_wr32(f->bus, CLAIM(S), 10);
    g_assert_false(hw_irq_level(&f->irq, LINE_S));
    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(S)), ==, 0);
}

static void test_complete_any_context(Fixture *f, gconstpointer data)
{
    (void)data;
    hw_wr32(f->bus, PRIO(5), 1);
    hw_wr32(f->bus, ENABLE(S, 0), 1u << 5);
    source(f, 5, true);
    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(S)), ==, 5);
    /* As QEMU 7.2, any context may complete it (the line is still high,
     * so it is pending again at once). */
    hw_wr32(f->bus, CLAIM(M), 5);
    g_assert_true(hw_irq_level(&f->irq, LINE_S));
    g_assert_false(hw_irq_level(&f->irq, LINE_M));
    /* Nonsense completions are ignored. */
    hw_wr32(f->bus, CLAIM(S), 0);
    hw_wr32(f->bus, CLAIM(S), 0xffffffff);
    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(S)), ==, 5);
}

static void test_priorities(Fixture *f, gconstpointer data)
{
    (void)data;
    hw_wr32(f->bus, PRIO(3), 2);
    hw_wr32(f->bus, PRIO(5), 6);
    hw_wr32(f->bus, PRIO(40), 6);
    hw_wr32(f->bus, PRIO(7), 0);   /* priority 0: never interrupts */
    hw_wr32(f->bus, ENABLE(S, 0), (1u << 3) | (1u << 5) | (1u << 7));
    hw_wr32(f->bus, ENABLE(S, 1), 1u << (40 - 32));
    source(f, 3, true);
    source(f, 5, true);
    source(f, 7, true);
    source(f, 40, true);
    g_assert_cmphex(hw_rd32(f->bus, PENDING(1)), ==, 1u << 8);

    /* Threshold: only priorities strictly above it. */
    hw_wr32(f->bus, THRESHOLD(S), 6);
    g_assert_false(hw_irq_level(&f->irq, LINE_S));
    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(S)), ==, 0);
    hw_wr32(f->bus, THRESHOLD(S), 5);
    g_assert_true(hw_irq_level(&f->irq, LINE_S));

    /* Highest priority first; equal priorities by lowest number. */
    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(S)), ==, 5);
    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(S)), ==, 40);
    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(S)), ==, 0);   /* 3 is below 5 */
    hw_wr32(f->bus, THRESHOLD(S), 0);
    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(S)), ==, 3);
    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(S)), ==, 0);   /* 7 has priority 0 */
    g_assert_false(hw_irq_level(&f->irq, LINE_S));
}

static void test_contexts(Fixture *f, gconstpointer data)
{
    (void)data;
    hw_wr32(f->bus, PRIO(1), 1);
    hw_wr32(f->bus, PRIO(2), 1);
    hw_wr32(f->bus, ENABLE(M, 0), 1u << 1);
    hw_wr32(f->bus, ENABLE(S, 0), 1u << 2);
    source(f, 1, true);
    g_assert_true(hw_irq_level(&f->irq, LINE_M));
    g_assert_false(hw_irq_level(&f->irq, LINE_S));
    source(f, 2, true);
    g_assert_true(hw_irq_level(&f->irq, LINE_S));
    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(M)), ==, 1);
    g_assert_false(hw_irq_level(&f->irq, LINE_M));
    g_assert_true(hw_irq_level(&f->irq, LINE_S));
    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(S)), ==, 2);
    g_assert_false(hw_irq_level(&f->irq, LINE_S));

    /* A source enabled in both contexts is claimed once. */
    hw_wr32(f->bus, ENABLE(S, 0), (1u << 2) | (1u << 9));
    hw_wr32(f->bus, ENABLE(M, 0), 1u << 9);
    hw_wr32(f->bus, PRIO(9), 3);
    source(f, 9, true);
    g_assert_true(hw_irq_level(&f->irq, LINE_M));
    g_assert_true(hw_irq_level(&f->irq, LINE_S));
    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(S)), ==, 9);
    g_assert_false(hw_irq_level(&f->irq, LINE_M));
    g_assert_cmpuint(hw_rd32(f->bus, CLAIM(M)), ==, 0);
}

static void test_reset(Fixture *f, gconstpointer data)
{
    (void)data;
    hw_wr32(f->bus, PRIO(4), 1);
    hw_wr32(f->bus, ENABLE(S, 0), 1u << 4);
    source(f, 4, true);
    g_assert_true(hw_irq_level(&f->irq, LINE_S));
    ph_plic_reset(f->plic);
    g_assert_false(hw_irq_level(&f->irq, LINE_S));
    g_assert_cmpuint(hw_rd32(f->bus, PRIO(4)), ==, 0);
    g_assert_cmpuint(hw_rd32(f->bus, ENABLE(S, 0)), ==, 0);
    /* The line is still high: it is pending again once configured. */
    g_assert_cmphex(hw_rd32(f->bus, PENDING(0)), ==, 1u << 4);
    hw_wr32(f->bus, PRIO(4), 1);
    hw_wr32(f->bus, ENABLE(S, 0), 1u << 4);
    g_assert_true(hw_irq_level(&f->irq, LINE_S));
    /* Bad source numbers are ignored. */
    source(f, 0, true);
    source(f, 96, true);
    source(f, 100000, true);
    g_assert_cmphex(hw_rd32(f->bus, PENDING(0)), ==, 1u << 4);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/vmm-hw/plic/registers", Fixture, NULL, setup, test_registers, teardown);
    g_test_add("/vmm-hw/plic/claim-complete", Fixture, NULL, setup, test_claim_complete, teardown);
    g_test_add("/vmm-hw/plic/complete-any-context", Fixture, NULL, setup,
               test_complete_any_context, teardown);
    g_test_add("/vmm-hw/plic/priorities", Fixture, NULL, setup, test_priorities, teardown);
    g_test_add("/vmm-hw/plic/contexts", Fixture, NULL, setup, test_contexts, teardown);
    g_test_add("/vmm-hw/plic/reset", Fixture, NULL, setup, test_reset, teardown);
    return g_test_run();
}

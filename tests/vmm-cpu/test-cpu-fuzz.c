/* Hart tests: random instruction words in random modes; the host survives and illegal words trap with their bits. */
#include "cpu-test.h"

#define CODE (RAM_BASE + 0x1000)
#define JUNK_TABLE (RAM_BASE + 0x80000)   /* random page-table memory */

static uint64_t random_value(GRand *r)
{
    switch (g_rand_int_range(r, 0, 5)) {
    case 0: return (uint64_t)g_rand_int(r) << 32 | g_rand_int(r);
    case 1: return RAM_BASE + (uint64_t)g_rand_int_range(r, 0, (gint32)RAM_SIZE);
    case 2: return MMIO_BASE + (uint64_t)g_rand_int_range(r, 0, MMIO_SIZE + 16);
    case 3: return (uint64_t)(int64_t)g_rand_int_range(r, -64, 64);
    default: return RAM_SIZE + RAM_BASE - (uint64_t)g_rand_int_range(r, 0, 16);
    }
}

/* Major opcodes that are reserved or belong to extensions the hart lacks. */
static bool surely_illegal(uint32_t w)
{
    if ((w & 3) != 3) {
        return (w & 0xffff) == 0;
    }
    if ((w & 0x1c) == 0x1c) {
        return true;   /* 48-bit and longer encodings */
    }
    switch (w & 0x7f) {
    case 0x0b: case 0x2b: case 0x57: case 0x5b: case 0x6b: case 0x77: case 0x7b:
        return true;
    default:
        return false;
    }
}

static void fuzz_one(CpuFixture *f, GRand *r, uint64_t *n_illegal)
{
    PhRvCpu *cpu = f->cpu;
    /* Sometimes a 32-bit word straddles a page boundary. */
    uint64_t pc = g_rand_boolean(r) ? CODE : CODE + 0xffe;
    ph_rv_cpu_reset(cpu, pc);
    uint32_t w = g_rand_int(r);
    if (g_rand_int_range(r, 0, 3) == 0) {
        w = (w & ~3u) | (uint32_t)g_rand_int_range(r, 0, 3);   /* compressed */
    }
    put32(f, CODE, w);
    put16(f, CODE + 0xffe, (uint16_t)w);
    put16(f, CODE + 0x1000, (uint16_t)(w >> 16));

    cpu->p->mtvec = TRAP_VEC;
    cpu->p->mcause = 0xdead;
    cpu->priv = (PhRvPriv)(g_rand_int_range(r, 0, 3) == 0 ? PH_RV_PRV_M
                          : g_rand_boolean(r) ? PH_RV_PRV_S : PH_RV_PRV_U);
    cpu->mstatus |= ((uint64_t)g_rand_int_range(r, 0, 4) << 13) |
                    ((uint64_t)g_rand_int(r) & ((7ull << 20) | (3ull << 17)));
    cpu->p->pmpaddr[0] = (1ull << 54) - 1;
    cpu->p->pmpcfg[0] = 0x1f;
    ph_rv_pmp_changed(cpu);
    if (g_rand_int_range(r, 0, 4) == 0) {
        /* Sv39 over random memory, with code identity-mapped. */
        for (unsigned i = 0; i < 512; i++) {
            put64(f, JUNK_TABLE + 8 * i, random_value(r));
        }
        put64(f, JUNK_TABLE + 2 * 8, (0x80000000ull >> 12) << 10 | 0xdf);
        cpu->p->satp = (g_rand_boolean(r) ? 8ull : 9ull) << 60 | JUNK_TABLE >> 12;
    }
    for (unsigned i = 1; i < 32; i++) {
        cpu->x[i] = random_value(r);
    }
    cpu->p->mcounteren = g_rand_int(r);

    ph_rv_cpu_run(cpu, 1);

    bool trapped = cpu->p->mcause != 0xdead && cpu->p->mepc == pc &&
                   cpu->priv == PH_RV_PRV_M && cpu->pc == TRAP_VEC;
    uint32_t bits = (w & 3) == 3 ? w : (w & 0xffff);
    if (surely_illegal(w)) {
        g_assert_true(trapped);
    }
    if (trapped && cpu->p->mcause == PH_RV_EXC_ILLEGAL) {
        (*n_illegal)++;
        if (cpu->p->mtval != bits) {
            g_test_message("word %08x pc %" G_GINT64_MODIFIER "x mtval %" G_GINT64_MODIFIER "x",
                           w, pc, cpu->p->mtval);
        }
        g_assert_cmphex(cpu->p->mtval, ==, bits);
    }
}

static void test_fuzz_single(CpuFixture *f, gconstpointer d)
{
    GRand *r = g_rand_new_with_seed(20260101);
    uint64_t n_illegal = 0;
    for (unsigned i = 0; i < 200000; i++) {
        fuzz_one(f, r, &n_illegal);
    }
    g_rand_free(r);
    /* Most random words are illegal; a decoder that accepted them would show. */
    g_assert_cmpuint(n_illegal, >, 20000);
}

/* Random code, random trap handlers, random state: runs until the budget ends. */
static void test_fuzz_streams(CpuFixture *f, gconstpointer d)
{
    GRand *r = g_rand_new_with_seed(77);
    PhRvCpu *cpu = f->cpu;
    for (unsigned round = 0; round < 300; round++) {
        for (uint64_t a = CODE; a < CODE + 0x2000; a += 4) {
            put32(f, a, g_rand_int(r));
        }
        ph_rv_cpu_reset(cpu, CODE + 2 * (uint64_t)g_rand_int_range(r, 0, 0x1000));
        cpu->p->mtvec = CODE + 4 * (uint64_t)g_rand_int_range(r, 0, 0x800);
        cpu->p->stvec = CODE + 4 * (uint64_t)g_rand_int_range(r, 0, 0x800);
        cpu->p->medeleg = g_rand_int(r);
        cpu->p->pmpaddr[0] = (1ull << 54) - 1;
        cpu->p->pmpcfg[0] = 0x1f;
        ph_rv_pmp_changed(cpu);
        for (unsigned i = 1; i < 32; i++) {
            cpu->x[i] = random_value(r);
        }
        ph_rv_cpu_set_irq(cpu, PH_RV_MIP_MTIP, g_rand_boolean(r));
        for (int k = 0; k < 20; k++) {
            if (ph_rv_cpu_run(cpu, 200) == PH_RV_RUN_WFI) {
                cpu->p->wfi = false;
            }
        }
        g_assert_cmphex(cpu->x[0], ==, 0);
        g_assert_cmphex(cpu->pc & 1, ==, 0);
    }
    ph_rv_cpu_set_irq(cpu, PH_RV_MIP_MTIP, false);
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/vmm-cpu/fuzz/single", CpuFixture, NULL, fx_setup, test_fuzz_single,
               fx_teardown);
    g_test_add("/vmm-cpu/fuzz/streams", CpuFixture, NULL, fx_setup, test_fuzz_streams,
               fx_teardown);
    return g_test_run();
}

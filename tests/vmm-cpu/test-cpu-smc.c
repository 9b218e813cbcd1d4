/* Hart tests: the decode cache stays coherent with stores, AMOs, fence.i and host writes. */
#include "cpu-test.h"

#define SH(rs2, rs1, imm) ph_rv_enc_s(0x23, 1, rs1, rs2, imm)
#define JALR(rd, rs1, imm) ph_rv_enc_i(0x67, rd, 0, rs1, imm)
#define BNE(a, b, off) ph_rv_enc_b(1, a, b, off)
/* amoswap.w rd, rs2, (rs1) */
#define AMOSWAP_W(rd, rs1, rs2) ph_rv_enc_r(0x2f, rd, 2, rs1, rs2, 0x01 << 2)

/* Runs @n instructions in one ph_rv_cpu_run() call (one or few blocks). */
static void run(CpuFixture *f, int64_t n)
{
    uint64_t before = f->cpu->instret;
    ph_rv_cpu_run(f->cpu, n);
    g_assert_cmpuint(f->cpu->instret - before, ==, (uint64_t)n);
}

/* A store patches an instruction that already ran, with no fence.i: the
 * next execution sees the new one (as on QEMU). */
static void test_store_patches_code(CpuFixture *f, gconstpointer d)
{
    for (int pass = 0; pass < 2; pass++) {
        fx_reset(f, RAM_BASE);
        f->pc = RAM_BASE;
        emit(f, LI(10, 7));           /* 0: patched to li a0, 42 */
        emit(f, SW(2, 1, 0));         /* 4 */
        emit(f, JAL(0, -8));          /* 8: back to 0 */
        setx(f, 1, RAM_BASE);
        setx(f, 2, LI(10, 42));
        if (pass == 0) {
            run(f, 4);
        } else {
            step(f, 4);
        }
        g_assert_cmphex(f->cpu->x[10], ==, 42);
        g_assert_cmphex(f->cpu->pc, ==, RAM_BASE + 4);
    }

    /* Only the upper half of a 4-byte instruction changes (sh to +2). */
    fx_reset(f, RAM_BASE);
    f->pc = RAM_BASE;
    emit(f, LUI(10, 0x12345));        /* 0: lui a0, 0x12345 -> 0x6bcd5 */
    emit(f, SH(2, 1, 2));             /* 4 */
    emit(f, JAL(0, -8));              /* 8 */
    setx(f, 1, RAM_BASE);
    setx(f, 2, LUI(10, 0x6bcd5) >> 16);   /* same bits 15:0 */
    run(f, 4);
    g_assert_cmphex(f->cpu->x[10], ==, 0x6bcd5000);

    /* A compressed instruction patched by a compressed store (c.sw). */
    fx_reset(f, RAM_BASE);
    f->pc = RAM_BASE;
    emit16(f, 0x4515);                /* 0: c.li a0, 5 -> c.li a0, 9 */
    emit16(f, 0xc20c);                /* 2: c.sw a1, 0(a2) */
    emit(f, JAL(0, -4));              /* 4: back to 0 */
    setx(f, 11, 0x00010000u | 0x4525); /* c.li a0, 9 plus a c.nop after it */
    setx(f, 12, RAM_BASE);
    run(f, 4);
    g_assert_cmphex(f->cpu->x[10], ==, 9);
}

/* A loop whose data shares its page: every store takes the slow path (the
 * page holds decoded code); results and counts stay exact. */
static void test_code_and_data_in_one_page(CpuFixture *f, gconstpointer d)
{
    f->pc = RAM_BASE;
    emit(f, LI(11, 0));               /* 0 */
    emit(f, LI(12, 1000));            /* 4 */
    emit(f, ADDI(11, 11, 1));         /* 8 */
    emit(f, SD(11, 1, 0x7f8));        /* 12 */
    emit(f, BNE(11, 12, -8));         /* 16 */
    emit(f, EBREAK);                  /* 20 */
    setx(f, 1, RAM_BASE);
    run(f, 2 + 3 * 1000);
    g_assert_cmphex(f->cpu->pc, ==, RAM_BASE + 20);
    g_assert_cmpuint(get64(f, RAM_BASE + 0x7f8), ==, 1000);
    g_assert_cmpuint(f->cpu->x[11], ==, 1000);
}

/* An AMO on an instruction word: it does not use the fast write path. */
static void test_amo_patches_code(CpuFixture *f, gconstpointer d)
{
    f->pc = RAM_BASE;
    emit(f, LI(10, 7));               /* 0 */
    emit(f, AMOSWAP_W(3, 1, 2));      /* 4 */
    emit(f, JAL(0, -8));              /* 8 */
    setx(f, 1, RAM_BASE);
    setx(f, 2, LI(10, 42));
    run(f, 4);
    g_assert_cmphex(f->cpu->x[10], ==, 42);
    g_assert_cmphex(f->cpu->x[3], ==, LI(10, 7));
}

/* Code in dirty-logged RAM (the framebuffer's kind): stores there never use
 * the TLB, yet still invalidate what they overwrite. */
static void test_dirty_logged_ram(CpuFixture *f, gconstpointer d)
{
    const uint64_t base = 0x90000000ull;
    PhRegion *r = ph_bus_add_ram(f->bus, "fb", base, 0x10000, PH_REGION_DIRTY_LOG);
    const uint32_t code[] = { LI(10, 7), SW(2, 1, 0), JAL(0, -8) };
    memcpy(r->host, code, sizeof(code));
    fx_reset(f, base);
    setx(f, 1, base);
    setx(f, 2, LI(10, 42));
    run(f, 4);
    g_assert_cmphex(f->cpu->x[10], ==, 42);
    g_assert_cmphex(f->cpu->pc, ==, base + 4);
}

/* A misaligned doubleword store across a page boundary patches the first
 * instruction of the next page. */
static void test_split_store_patches_code(CpuFixture *f, gconstpointer d)
{
    put32(f, RAM_BASE + 0x1000, LI(10, 7));
    put32(f, RAM_BASE + 0x1004, JALR(0, 1, 0));
    f->pc = RAM_BASE + 0x100;
    emit(f, JALR(1, 5, 0));           /* 0x100: call 0x1000 */
    emit(f, SD(2, 6, 0));             /* 0x104: 8 bytes at 0xffc */
    emit(f, JALR(1, 5, 0));           /* 0x108: call 0x1000 again */
    fx_reset(f, RAM_BASE + 0x100);
    setx(f, 5, RAM_BASE + 0x1000);
    setx(f, 6, RAM_BASE + 0xffc);
    setx(f, 2, (uint64_t)LI(10, 42) << 32 | NOP);
    run(f, 7);
    g_assert_cmphex(f->cpu->x[10], ==, 42);
    g_assert_cmphex(f->cpu->pc, ==, RAM_BASE + 0x10c);
}

/* Code written from the host (a loader or DMA, no guest store) after it ran:
 * seen after ph_rv_cpu_flush_code(), or after the guest's fence.i. */
static void test_host_writes(CpuFixture *f, gconstpointer d)
{
    uint32_t w;

    f->pc = RAM_BASE;
    emit(f, LI(10, 7));               /* 0 */
    emit(f, JAL(0, -4));              /* 4 */
    run(f, 2);
    g_assert_cmphex(f->cpu->x[10], ==, 7);
    w = LI(10, 42);
    memcpy(f->ram, &w, 4);            /* not put32: no flush */
    ph_rv_cpu_flush_code(f->cpu);
    run(f, 1);
    g_assert_cmphex(f->cpu->x[10], ==, 42);

    fx_reset(f, RAM_BASE);
    f->pc = RAM_BASE;
    emit(f, LI(10, 7));               /* 0 */
    emit(f, FENCE_I);                 /* 4 */
    emit(f, JAL(0, -8));              /* 8 */
    run(f, 1);
    g_assert_cmphex(f->cpu->x[10], ==, 7);
    w = LI(10, 42);
    memcpy(f->ram, &w, 4);
    run(f, 3);                        /* fence.i, j, li */
    g_assert_cmphex(f->cpu->x[10], ==, 42);
}

/* Straight-line code runs off the end of a page into the next, with a
 * 4-byte instruction ending exactly at the boundary and a compressed one in
 * the last parcel; a branch back stays exact. */
static void test_page_boundaries(CpuFixture *f, gconstpointer d)
{
    f->pc = RAM_BASE + 0xff8;
    emit(f, ADDI(10, 10, 1));         /* 0xff8 */
    emit16(f, 0x0505);                /* 0xffc: c.addi a0, 1 */
    emit16(f, 0x0505);                /* 0xffe: c.addi a0, 1 (last parcel) */
    emit(f, ADDI(10, 10, 1));         /* 0x1000 */
    emit(f, BNE(10, 11, -8));         /* 0x1004: back to 0xffc while a0 != a1 */
    emit(f, EBREAK);                  /* 0x1008 */
    fx_reset(f, RAM_BASE + 0xff8);
    setx(f, 11, 1 + 3 * 50);
    run(f, 1 + 4 * 50);
    g_assert_cmphex(f->cpu->pc, ==, RAM_BASE + 0x1008);
    g_assert_cmpuint(f->cpu->x[10], ==, 1 + 3 * 50);
}

/* More code pages than the cache keeps (PH_RV_CODE_PAGES_MAX): it is
 * dropped while running.  A second RAM region right after the first makes
 * room for them. */
static void test_many_pages(CpuFixture *f, gconstpointer d)
{
    const uint64_t trap_page = TRAP_VEC & ~0xfffull;
    const unsigned pages = PH_RV_CODE_PAGES_MAX + 300;
    PhRegion *ram2 = ph_bus_add_ram(f->bus, "ram2", RAM_BASE + RAM_SIZE, RAM_SIZE, 0);
    g_assert_cmpuint((uint64_t)pages << 12, <, 2 * RAM_SIZE);

    /* Page i: addi a0, a0, 1; j to the next page (skipping the trap page). */
    uint64_t last = 0;
    unsigned hops = 0;
    for (unsigned i = 0; i < pages; i++) {
        uint64_t a = RAM_BASE + ((uint64_t)i << 12);
        if (a == trap_page) {
            continue;
        }
        if (last) {
            uint32_t w[2] = { ADDI(10, 10, 1), JAL(0, (int32_t)(a - last) - 4) };
            uint8_t *h = last < RAM_BASE + RAM_SIZE ? f->ram + (last - RAM_BASE)
                                                    : ram2->host + (last - RAM_BASE - RAM_SIZE);
            memcpy(h, w, sizeof(w));
            hops++;
        }
        last = a;
    }
    for (unsigned round = 0; round < 3; round++) {
        ph_rv_cpu_flush_code(f->cpu);
        fx_reset(f, RAM_BASE);
        run(f, 2 * hops);
        g_assert_cmpuint(f->cpu->x[10], ==, hops);
        g_assert_cmphex(f->cpu->pc, ==, last);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD_TEST(name, fn) \
    g_test_add("/vmm-cpu/smc/" name, CpuFixture, NULL, fx_setup, fn, fx_teardown)
    ADD_TEST("store-patches-code", test_store_patches_code);
    ADD_TEST("code-and-data-in-one-page", test_code_and_data_in_one_page);
    ADD_TEST("amo-patches-code", test_amo_patches_code);
    ADD_TEST("split-store-patches-code", test_split_store_patches_code);
    ADD_TEST("dirty-logged-ram", test_dirty_logged_ram);
    ADD_TEST("host-writes", test_host_writes);
    ADD_TEST("page-boundaries", test_page_boundaries);
    ADD_TEST("many-pages", test_many_pages);
    return g_test_run();
}

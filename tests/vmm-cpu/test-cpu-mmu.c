/* Hart tests: Sv39/Sv48 walks, A/D updates, page and access faults, MPRV/SUM/MXR, PMP, misaligned accesses, fence.i. */
#include "cpu-test.h"

#define PTE_V 0x01u
#define PTE_R 0x02u
#define PTE_W 0x04u
#define PTE_X 0x08u
#define PTE_U 0x10u
#define PTE_A 0x40u
#define PTE_D 0x80u

#define ROOT (RAM_BASE + 0x100000)
#define L1 (RAM_BASE + 0x101000)
#define L0 (RAM_BASE + 0x102000)
#define ROOT48 (RAM_BASE + 0x103000)
#define DATA (RAM_BASE + 0x200000)
#define VA 0x40000000ull

static uint64_t pte(uint64_t pa, unsigned flags)
{
    return (pa >> 12) << 10 | flags;
}

/*
 * Sv39: 0x80000000 gigapage RWX (code, identity); VA 0x40000000 + i * 4K
 * via L1/L0 to DATA + i * 4K with per-page flags.
 */
static void build_tables(CpuFixture *f)
{
    put64(f, ROOT + 2 * 8, pte(0x80000000, PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D));
    put64(f, ROOT + 1 * 8, pte(L1, PTE_V));
    put64(f, L1 + 0 * 8, pte(L0, PTE_V));
    put64(f, L0 + 0 * 8, pte(DATA + 0x0000, PTE_V | PTE_R | PTE_W));          /* A, D clear */
    put64(f, L0 + 1 * 8, pte(DATA + 0x1000, PTE_V | PTE_R | PTE_A | PTE_D));  /* read-only */
    put64(f, L0 + 2 * 8, pte(DATA + 0x2000, PTE_V | PTE_R | PTE_W | PTE_U | PTE_A | PTE_D));
    put64(f, L0 + 3 * 8, pte(DATA + 0x3000, PTE_V | PTE_X | PTE_A));         /* exec-only */
    put64(f, L0 + 5 * 8, pte(DATA + 0x5000, PTE_V | PTE_R | PTE_W | PTE_A | PTE_D));
    /* 6: invalid.  Misaligned gigapage at VA 0xc0000000. */
    put64(f, ROOT + 3 * 8, pte(0x80200000, PTE_V | PTE_R | PTE_A));
    /* A non-leaf PTE that points to no memory at VA 0x100000000. */
    put64(f, ROOT + 4 * 8, pte(0x4000000000ull, PTE_V));
    /* Sv48 root: entry 0 is the Sv39 root as a level-2 table. */
    put64(f, ROOT48, pte(ROOT, PTE_V));
    put64(f, DATA + 0x0000, 0x1111);
    put64(f, DATA + 0x1000, 0x2222);
    put64(f, DATA + 0x2000, 0x3333);
    put64(f, DATA + 0x3000, 0x4444);
    put64(f, DATA + 0x5000, 0x6666);
}

static void mmu_setup(CpuFixture *f, gconstpointer data)
{
    fx_setup(f, data);
    build_tables(f);
}

/* S-mode with Sv39 and PMP open (as firmware leaves it). */
static void enter_s(CpuFixture *f, uint64_t satp_mode, uint64_t root)
{
    PhRvCpu *cpu = f->cpu;
    ph_rv_cpu_reset(cpu, RAM_BASE);
    cpu->p->mtvec = TRAP_VEC;
    cpu->p->pmpaddr[0] = (1ull << 54) - 1;
    cpu->p->pmpcfg[0] = 0x1f;
    ph_rv_pmp_changed(cpu);
    cpu->p->satp = satp_mode << 60 | root >> 12;
    cpu->priv = PH_RV_PRV_S;
    ph_rv_tlb_flush(cpu);
}

/* Runs @insn at RAM_BASE in the current mode; returns the trap cause or -1. */
static int64_t exec1(CpuFixture *f, uint32_t insn)
{
    PhRvCpu *cpu = f->cpu;
    PhRvPriv priv = cpu->priv;
    put32(f, RAM_BASE, insn);
    cpu->pc = RAM_BASE;
    step(f, 1);
    if (cpu->pc == RAM_BASE + 4) {
        return -1;
    }
    g_assert_cmphex(cpu->pc, ==, TRAP_VEC);
    g_assert_cmphex(cpu->p->mepc, ==, RAM_BASE);
    cpu->priv = priv;
    cpu->mstatus &= ~(3ull << 11);
    cpu->mstatus |= (uint64_t)priv << 11;
    return (int64_t)cpu->p->mcause;
}

static void test_sv39(CpuFixture *f, gconstpointer d)
{
    PhRvCpu *cpu = f->cpu;
    enter_s(f, 8, ROOT);
    setx(f, 1, VA);
    /* Load sets A only. */
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, -1);
    g_assert_cmphex(cpu->x[3], ==, 0x1111);
    g_assert_cmphex(get64(f, L0) & (PTE_A | PTE_D), ==, PTE_A);
    /* Store sets D (the fast read entry must not let the write through). */
    setx(f, 2, 0xbeef);
    g_assert_cmpint(exec1(f, SD(2, 1, 8)), ==, -1);
    g_assert_cmphex(get64(f, L0) & (PTE_A | PTE_D), ==, PTE_A | PTE_D);
    g_assert_cmphex(get64(f, DATA + 8), ==, 0xbeef);

    /* Read-only page: store page fault with the address. */
    setx(f, 1, VA + 0x1000);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, -1);
    g_assert_cmphex(cpu->x[3], ==, 0x2222);
    g_assert_cmpint(exec1(f, SD(2, 1, 16)), ==, PH_RV_EXC_STORE_PAGE);
    g_assert_cmphex(cpu->p->mtval, ==, VA + 0x1010);

    /* U page from S: needs SUM; never executable from S. */
    setx(f, 1, VA + 0x2000);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, PH_RV_EXC_LOAD_PAGE);
    cpu->mstatus |= 1ull << 18;
    ph_rv_tlb_flush(cpu);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, -1);
    g_assert_cmphex(cpu->x[3], ==, 0x3333);
    cpu->mstatus &= ~(1ull << 18);
    ph_rv_tlb_flush(cpu);

    /* Exec-only page: load needs MXR. */
    setx(f, 1, VA + 0x3000);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, PH_RV_EXC_LOAD_PAGE);
    cpu->mstatus |= 1ull << 19;
    ph_rv_tlb_flush(cpu);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, -1);
    g_assert_cmphex(cpu->x[3], ==, 0x4444);
    cpu->mstatus &= ~(1ull << 19);
    ph_rv_tlb_flush(cpu);

    /* Invalid PTE, misaligned gigapage, non-canonical address, PTE in no memory. */
    setx(f, 1, VA + 0x6000);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, PH_RV_EXC_LOAD_PAGE);
    g_assert_cmphex(cpu->p->mtval, ==, VA + 0x6000);
    setx(f, 1, 0xc0000000ull);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, PH_RV_EXC_LOAD_PAGE);
    setx(f, 1, 1ull << 39);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, PH_RV_EXC_LOAD_PAGE);
    setx(f, 1, 0x100000000ull);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, PH_RV_EXC_LOAD_ACCESS);
    g_assert_cmpint(exec1(f, SD(3, 1, 0)), ==, PH_RV_EXC_STORE_ACCESS);

    /* Misaligned across two mapped pages works; into an unmapped one faults
     * with the address of the second page. */
    setx(f, 1, VA + 0xffc);
    put64(f, DATA + 0xff8, 0xaabbccdd00000000ull);
    put64(f, DATA + 0x1000, 0x2222);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, -1);
    g_assert_cmphex(cpu->x[3], ==, 0x00002222aabbccddull);
    setx(f, 1, VA + 0x5ffc);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, PH_RV_EXC_LOAD_PAGE);
    g_assert_cmphex(cpu->p->mtval, ==, VA + 0x6000);
    /* A faulting misaligned store changes nothing. */
    put64(f, DATA + 0x5ff8, 0);
    setx(f, 2, ~0ull);
    g_assert_cmpint(exec1(f, SD(2, 1, 0)), ==, PH_RV_EXC_STORE_PAGE);
    g_assert_cmphex(get64(f, DATA + 0x5ff8), ==, 0);

    /* Fetch from a non-executable page: instruction page fault. */
    ph_rv_cpu_reset(cpu, VA);
    enter_s(f, 8, ROOT);
    cpu->pc = VA;
    step(f, 1);
    g_assert_cmphex(cpu->p->mcause, ==, PH_RV_EXC_FETCH_PAGE);
    g_assert_cmphex(cpu->p->mtval, ==, VA);

    /* U mode: only U pages. */
    enter_s(f, 8, ROOT);
    cpu->priv = PH_RV_PRV_U;
    put64(f, ROOT + 2 * 8, pte(0x80000000, PTE_V | PTE_R | PTE_X | PTE_U | PTE_A | PTE_D));
    setx(f, 1, VA + 0x2000);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, -1);
    setx(f, 1, VA + 0x1000);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, PH_RV_EXC_LOAD_PAGE);
}

static void test_sv48_and_sfence(CpuFixture *f, gconstpointer d)
{
    PhRvCpu *cpu = f->cpu;
    enter_s(f, 9, ROOT48);
    setx(f, 1, VA + 0x5000);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, -1);
    g_assert_cmphex(cpu->x[3], ==, 0x6666);
    /* 1 << 39 is canonical in Sv48 but unmapped. */
    setx(f, 1, 1ull << 39);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, PH_RV_EXC_LOAD_PAGE);
    setx(f, 1, 1ull << 47);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, PH_RV_EXC_LOAD_PAGE);

    /* Remap a page: after sfence.vma the new mapping is used. */
    setx(f, 1, VA + 0x5000);
    put64(f, L0 + 5 * 8, pte(DATA + 0x1000, PTE_V | PTE_R | PTE_A | PTE_D));
    g_assert_cmpint(exec1(f, 0x12000073), ==, -1);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, -1);
    g_assert_cmphex(cpu->x[3], ==, 0x2222);
}

static void test_mprv(CpuFixture *f, gconstpointer d)
{
    PhRvCpu *cpu = f->cpu;
    enter_s(f, 8, ROOT);
    cpu->priv = PH_RV_PRV_M;
    cpu->mstatus |= (1ull << 17) | (1ull << 11);   /* MPRV, MPP = S */
    ph_rv_tlb_flush(cpu);
    setx(f, 1, VA + 0x5000);
    put64(f, DATA + 0x5000, 0x6666);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, -1);
    g_assert_cmphex(cpu->x[3], ==, 0x6666);
    /* Fetches are not translated under MPRV: the code at RAM_BASE ran. */
    /* MPP = U: the S page is not accessible. */
    cpu->mstatus &= ~(3ull << 11);
    ph_rv_tlb_flush(cpu);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, PH_RV_EXC_LOAD_PAGE);
}

static void test_pmp(CpuFixture *f, gconstpointer d)
{
    PhRvCpu *cpu = f->cpu;
    /* S mode with no PMP entry: everything denied. */
    ph_rv_cpu_reset(cpu, RAM_BASE);
    cpu->p->mtvec = TRAP_VEC;
    cpu->priv = PH_RV_PRV_S;
    step(f, 1);
    g_assert_cmphex(cpu->p->mcause, ==, PH_RV_EXC_FETCH_ACCESS);

    /* TOR [0, DATA) RWX for S; beyond is denied; partial overlap is denied. */
    ph_rv_cpu_reset(cpu, RAM_BASE);
    cpu->p->mtvec = TRAP_VEC;
    cpu->p->pmpaddr[0] = (DATA + 0x800) >> 2;
    cpu->p->pmpcfg[0] = 0x0f;
    ph_rv_pmp_changed(cpu);
    cpu->priv = PH_RV_PRV_S;
    setx(f, 1, DATA + 0x7f0);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, -1);
    g_assert_cmpint(exec1(f, LD(3, 1, 0x10)), ==, PH_RV_EXC_LOAD_ACCESS);
    g_assert_cmpint(exec1(f, LD(3, 1, 0xc)), ==, PH_RV_EXC_LOAD_ACCESS);
    g_assert_cmphex(cpu->p->mtval, ==, DATA + 0x7fc);
    g_assert_cmpint(exec1(f, LD(3, 1, 0)), ==, -1);   /* not cached: still checked */

    /* A locked entry without W binds M mode too. */
    cpu->priv = PH_RV_PRV_M;
    cpu->p->pmpaddr[1] = (DATA >> 2) | 0x1ff;   /* NAPOT 4 KiB at DATA */
    cpu->p->pmpcfg[1] = 0x80 | 0x18 | 0x01;   /* L, NAPOT, R */
    cpu->p->pmpaddr[0] = 0;
    cpu->p->pmpcfg[0] = 0;
    ph_rv_pmp_changed(cpu);
    setx(f, 1, DATA);
    g_assert_cmpint(exec1(f, LD(3, 1, 8)), ==, -1);
    g_assert_cmpint(exec1(f, SD(3, 1, 8)), ==, PH_RV_EXC_STORE_ACCESS);
    setx(f, 1, DATA + 0x1000);
    g_assert_cmpint(exec1(f, SD(3, 1, 8)), ==, -1);
}

static void test_misaligned_bare(CpuFixture *f, gconstpointer d)
{
    uint64_t a = RAM_BASE + 0x1ffd;
    put64(f, RAM_BASE + 0x1ff8, 0x8877665544332211ull);
    put64(f, RAM_BASE + 0x2000, 0xffeeddccbbaa9988ull);
    setx(f, 1, a);
    setx(f, 2, 0x0102030405060708ull);
    f->pc = RAM_BASE;
    emit(f, LD(3, 1, 0));
    emit(f, ph_rv_enc_i(0x03, 4, 2, 1, 1));    /* lw across the boundary at +0x1ffe */
    emit(f, SD(2, 1, 0));
    step(f, 3);
    g_assert_cmphex(f->cpu->x[3], ==, 0xccbbaa9988887766ull);
    g_assert_cmphex(f->cpu->x[4], ==, 0xffffffff99888877ull);
    g_assert_cmphex(get64(f, RAM_BASE + 0x1ff8) >> 40, ==, 0x060708);
    g_assert_cmphex(get64(f, RAM_BASE + 0x2000) & 0xffffffffffull, ==, 0x0102030405ull);
    /* Last bytes of RAM: crossing into nothing is an access fault. */
    ph_rv_cpu_reset(f->cpu, RAM_BASE);
    f->cpu->p->mtvec = TRAP_VEC;
    setx(f, 1, RAM_BASE + RAM_SIZE - 4);
    put32(f, RAM_BASE, LD(3, 1, 0));
    step(f, 1);
    g_assert_cmphex(f->cpu->p->mcause, ==, PH_RV_EXC_LOAD_ACCESS);
    g_assert_cmphex(f->cpu->p->mtval, ==, RAM_BASE + RAM_SIZE);
}

/* A 32-bit instruction across a page boundary, then on into the next page. */
static void test_insn_across_pages(CpuFixture *f, gconstpointer d)
{
    PhRvCpu *cpu = f->cpu;
    uint32_t w = ADDI(10, 10, 5);
    put16(f, RAM_BASE + 0xffe, (uint16_t)w);
    put16(f, RAM_BASE + 0x1000, (uint16_t)(w >> 16));
    put32(f, RAM_BASE + 0x1002, ADDI(10, 10, 1));
    put32(f, RAM_BASE + 0x1006, JAL(0, -8));       /* back to 0xffe */
    for (int pass = 0; pass < 2; pass++) {
        fx_reset(f, RAM_BASE + 0xffe);
        if (pass == 0) {
            step(f, 3 * 10);
        } else {
            ph_rv_cpu_run(cpu, 3 * 10);
        }
        g_assert_cmphex(cpu->x[10], ==, 60);
        g_assert_cmphex(cpu->pc, ==, RAM_BASE + 0xffe);
    }
    /* The second half unmapped: fetch page fault at the second page. */
    enter_s(f, 8, ROOT);
    put64(f, L0 + 5 * 8, pte(RAM_BASE, PTE_V | PTE_R | PTE_X | PTE_A));
    put64(f, L0 + 6 * 8, 0);
    cpu->pc = VA + 0x5ffe;
    put16(f, RAM_BASE + 0xffe, (uint16_t)w);
    step(f, 1);
    g_assert_cmphex(cpu->p->mcause, ==, PH_RV_EXC_FETCH_PAGE);
    g_assert_cmphex(cpu->p->mtval, ==, VA + 0x6000);
    g_assert_cmphex(cpu->p->mepc, ==, VA + 0x5ffe);
}

static void test_fence_i(CpuFixture *f, gconstpointer d)
{
    f->pc = RAM_BASE;
    setx(f, 1, RAM_BASE);
    setx(f, 2, LI(10, 42));
    emit(f, LI(10, 1));           /* fills the code cache for this page */
    emit(f, SW(2, 1, 16));        /* patch the instruction at +16 */
    emit(f, FENCE_I);
    emit(f, NOP);
    emit(f, LI(10, 7));           /* +16: replaced by li a0, 42 */
    step(f, 5);
    g_assert_cmphex(f->cpu->x[10], ==, 42);

    /* The same, looping: the loop body changes between iterations. */
    ph_rv_cpu_reset(f->cpu, RAM_BASE);
    f->pc = RAM_BASE;
    setx(f, 1, RAM_BASE);
    setx(f, 2, ADDI(10, 10, 100));
    emit(f, ADDI(10, 10, 1));     /* 0: patched to addi a0, a0, 100 */
    emit(f, SW(2, 1, 0));         /* 4 */
    emit(f, FENCE_I);             /* 8 */
    emit(f, ph_rv_enc_b(0, 10, 0, -12));   /* 12: beqz a0 -> never; falls through */
    emit(f, ph_rv_enc_b(1, 11, 0, -16));   /* 16: bnez a1 -> 0 */
    setx(f, 11, 1);
    setx(f, 10, 0);
    ph_rv_cpu_run(f->cpu, 5 + 1);
    g_assert_cmphex(f->cpu->x[10], ==, 101);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD_TEST(name, fn) \
    g_test_add("/vmm-cpu/mmu/" name, CpuFixture, NULL, mmu_setup, fn, fx_teardown)
    ADD_TEST("sv39", test_sv39);
    ADD_TEST("sv48-sfence", test_sv48_and_sfence);
    ADD_TEST("mprv", test_mprv);
    ADD_TEST("pmp", test_pmp);
    ADD_TEST("misaligned", test_misaligned_bare);
    ADD_TEST("fence-i", test_fence_i);
    ADD_TEST("insn-across-pages", test_insn_across_pages);
    return g_test_run();
}

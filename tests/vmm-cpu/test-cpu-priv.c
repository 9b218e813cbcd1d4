/* Hart tests: CSR access rules, traps and delegation, xRET, interrupts, WFI and exit requests. */
#include "cpu-test.h"

#include <stdatomic.h>

/* Runs one CSR instruction at @priv and says whether it trapped as illegal. */
static bool csr_traps(CpuFixture *f, PhRvPriv priv, uint32_t insn)
{
    fx_reset(f, RAM_BASE);
    f->cpu->p->mtvec = TRAP_VEC;
    f->cpu->priv = priv;
    put32(f, RAM_BASE, insn);
    step(f, 1);
    if (f->cpu->pc == TRAP_VEC) {
        g_assert_cmphex(f->cpu->p->mcause, ==, PH_RV_EXC_ILLEGAL);
        g_assert_cmphex(f->cpu->p->mtval, ==, insn);
        g_assert_cmpint(f->cpu->priv, ==, PH_RV_PRV_M);
        return true;
    }
    g_assert_cmphex(f->cpu->pc, ==, RAM_BASE + 4);
    return false;
}

static void test_csr_access(CpuFixture *f, gconstpointer d)
{
    /* Unknown CSRs, wrong privilege, writes to read-only CSRs. */
    g_assert_true(csr_traps(f, PH_RV_PRV_M, CSRRS(1, 0x7c0, 0)));
    g_assert_true(csr_traps(f, PH_RV_PRV_M, CSRRS(1, 0x30c, 0)));      /* mstateen0 */
    g_assert_true(csr_traps(f, PH_RV_PRV_M, CSRRS(1, 0x3a1, 0)));      /* pmpcfg1 on RV64 */
    g_assert_true(csr_traps(f, PH_RV_PRV_S, CSRRS(1, 0x300, 0)));      /* mstatus from S */
    g_assert_true(csr_traps(f, PH_RV_PRV_U, CSRRS(1, 0x100, 0)));      /* sstatus from U */
    g_assert_true(csr_traps(f, PH_RV_PRV_M, CSRRW(0, 0xf14, 1)));      /* write mhartid */
    g_assert_false(csr_traps(f, PH_RV_PRV_M, CSRRS(1, 0xf14, 0)));
    g_assert_false(csr_traps(f, PH_RV_PRV_M, CSRRS(1, 0x7a0, 0)));     /* tselect */
    g_assert_cmphex(f->cpu->x[1], ==, 0);
    g_assert_false(csr_traps(f, PH_RV_PRV_M, CSRRS(1, 0x301, 0)));
    g_assert_cmphex(f->cpu->x[1], ==, 0x800000000014112dull);          /* RV64 ACDFIMSU */
    /* fcsr and friends need FS on. */
    g_assert_true(csr_traps(f, PH_RV_PRV_M, CSRRS(1, 0x003, 0)));
    g_assert_true(csr_traps(f, PH_RV_PRV_U, CSRRS(1, 0x001, 0)));
    /* Counters from U/S are gated by mcounteren and scounteren. */
    g_assert_false(csr_traps(f, PH_RV_PRV_M, CSRRS(1, 0xc01, 0)));
    g_assert_cmphex(f->cpu->x[1], ==, 12345);
    g_assert_true(csr_traps(f, PH_RV_PRV_S, CSRRS(1, 0xc00, 0)));
    g_assert_true(csr_traps(f, PH_RV_PRV_U, CSRRS(1, 0xc02, 0)));
    g_assert_true(csr_traps(f, PH_RV_PRV_U, CSRRS(1, 0xc03, 0)));
    g_assert_true(csr_traps(f, PH_RV_PRV_S, CSRRS(1, 0xb00, 0)));      /* mcycle from S */

    fx_reset(f, RAM_BASE);
    f->cpu->p->mcounteren = 2;
    f->cpu->priv = PH_RV_PRV_S;
    put32(f, RAM_BASE, CSRRS(1, 0xc01, 0));
    step(f, 1);
    g_assert_cmphex(f->cpu->x[1], ==, 12345);
    fx_reset(f, RAM_BASE);
    f->cpu->p->mtvec = TRAP_VEC;
    f->cpu->p->mcounteren = 2;
    f->cpu->priv = PH_RV_PRV_U;      /* scounteren still 0 */
    step(f, 1);
    g_assert_cmphex(f->cpu->pc, ==, TRAP_VEC);
}

static void test_csr_values(CpuFixture *f, gconstpointer d)
{
    PhRvCpu *cpu = f->cpu;
    f->pc = RAM_BASE;
    setx(f, 1, (2ull << 11) | (3ull << 13));   /* MPP = 2 (reserved) */
    setx(f, 2, (1ull << 11) | (3ull << 13));   /* MPP = S, FS = Dirty */
    setx(f, 3, 5ull << 60);                    /* satp mode 5: ignored */
    setx(f, 4, (8ull << 60) | 0x1234);         /* Sv39 */
    setx(f, 5, ~0ull);
    setx(f, 6, RAM_BASE + 0x102);              /* mtvec mode 2: ignored */
    emit(f, CSRRW(0, 0x300, 2));
    emit(f, CSRRW(0, 0x300, 1));               /* MPP = 2 -> keeps S */
    emit(f, CSRRS(7, 0x300, 0));
    emit(f, CSRRW(0, 0x180, 3));
    emit(f, CSRRS(8, 0x180, 0));
    emit(f, CSRRW(0, 0x180, 4));
    emit(f, CSRRS(9, 0x180, 0));
    emit(f, CSRRW(0, 0x305, 6));
    emit(f, CSRRW(0, 0x302, 5));               /* medeleg: M ecall not delegable */
    emit(f, CSRRW(0, 0x303, 5));               /* mideleg: S bits only */
    emit(f, CSRRW(0, 0x304, 5));
    emit(f, CSRRW(0, 0x341, 5));               /* mepc bit 0 clear */
    emit(f, CSRRS(10, 0x100, 0));              /* sstatus view */
    emit(f, CSRRS(11, 0x104, 0));              /* sie = mie & mideleg */
    emit(f, CSRRWI(0, 0x001, 0x1f));           /* fflags */
    emit(f, CSRRS(12, 0x003, 0));
    step(f, 16);
    g_assert_cmphex((cpu->x[7] >> 11) & 3, ==, 1);
    g_assert_cmphex(cpu->x[7] >> 63, ==, 1);                 /* SD */
    g_assert_cmphex((cpu->x[7] >> 32) & 0xf, ==, 0xa);       /* UXL = SXL = 2 */
    g_assert_cmphex(cpu->x[8], ==, 0);
    g_assert_cmphex(cpu->x[9], ==, (8ull << 60) | 0x1234);
    g_assert_cmphex(cpu->p->mtvec, ==, TRAP_VEC);
    g_assert_cmphex(cpu->p->medeleg, ==, 0xb3ff);
    g_assert_cmphex(cpu->p->mideleg, ==, 0x222);
    g_assert_cmphex(cpu->p->mie, ==, 0xaaa);
    g_assert_cmphex(cpu->p->mepc, ==, ~1ull);
    g_assert_cmphex(cpu->x[10], ==, (3ull << 13) | (2ull << 32) | (1ull << 63));
    g_assert_cmphex(cpu->x[11], ==, 0x222);
    g_assert_cmphex(cpu->x[12], ==, 0x1f);

    /* pmpcfg: locked entries ignore writes; W without R is not kept. */
    fx_reset(f, RAM_BASE);
    f->pc = RAM_BASE;
    setx(f, 1, 0x80 | 0x18 | 7);   /* entry 0: locked NAPOT RWX */
    setx(f, 2, 0x0202);            /* entry 0: try to unlock; entry 1: W only */
    setx(f, 3, 0x1234);
    emit(f, CSRRW(0, 0x3b0, 3));   /* pmpaddr0 before locking */
    emit(f, CSRRW(0, 0x3a0, 1));
    emit(f, CSRRW(0, 0x3a0, 2));
    emit(f, CSRRW(0, 0x3b0, 0));   /* locked: ignored */
    emit(f, CSRRS(4, 0x3a0, 0));
    emit(f, CSRRS(5, 0x3b0, 0));
    step(f, 6);
    g_assert_cmphex(cpu->x[4], ==, 0x9f);
    g_assert_cmphex(cpu->x[5], ==, 0x1234);
}

static void test_traps(CpuFixture *f, gconstpointer d)
{
    PhRvCpu *cpu = f->cpu;
    /* ecall from U, delegated to S. */
    cpu->p->medeleg = 1u << PH_RV_EXC_ECALL_U;
    cpu->priv = PH_RV_PRV_U;
    cpu->mstatus |= 1ull << 1;    /* SIE */
    put32(f, RAM_BASE, ECALL);
    put32(f, TRAP_VEC + 0x100, SRET);
    step(f, 1);
    g_assert_cmpint(cpu->priv, ==, PH_RV_PRV_S);
    g_assert_cmphex(cpu->pc, ==, TRAP_VEC + 0x100);
    g_assert_cmphex(cpu->p->scause, ==, PH_RV_EXC_ECALL_U);
    g_assert_cmphex(cpu->p->sepc, ==, RAM_BASE);
    g_assert_cmphex(cpu->p->stval, ==, 0);
    g_assert_cmphex(cpu->mstatus & 0x122, ==, 0x20);   /* SPIE=1, SIE=0, SPP=U */
    cpu->p->sepc += 4;
    put32(f, RAM_BASE + 4, NOP);
    step(f, 1);                                         /* sret */
    g_assert_cmpint(cpu->priv, ==, PH_RV_PRV_U);
    g_assert_cmphex(cpu->pc, ==, RAM_BASE + 4);
    g_assert_cmphex(cpu->mstatus & 0x122, ==, 0x22);   /* SIE restored, SPIE=1 */

    /* ecall from S is not delegated here: M, mcause 9, MPP = S. */
    fx_reset(f, RAM_BASE);
    cpu->p->mtvec = TRAP_VEC;
    cpu->priv = PH_RV_PRV_S;
    step(f, 0);
    put32(f, RAM_BASE, ECALL);
    step(f, 1);
    g_assert_cmphex(cpu->p->mcause, ==, PH_RV_EXC_ECALL_S);
    g_assert_cmphex((cpu->mstatus >> 11) & 3, ==, 1);
    g_assert_cmpint(cpu->priv, ==, PH_RV_PRV_M);

    /* mret to U clears MPRV and sets MPP = U. */
    fx_reset(f, RAM_BASE);
    cpu->mstatus |= (1ull << 17) | (1ull << 7);   /* MPRV, MPIE, MPP = U */
    cpu->p->mepc = RAM_BASE + 0x40;
    put32(f, RAM_BASE, MRET);
    step(f, 1);
    g_assert_cmpint(cpu->priv, ==, PH_RV_PRV_U);
    g_assert_cmphex(cpu->pc, ==, RAM_BASE + 0x40);
    g_assert_false(cpu->mstatus & (1ull << 17));
    g_assert_true(cpu->mstatus & (1ull << 3));    /* MIE from MPIE */

    /* mret from S, sret from U, sret with TSR, wfi with TW or from U: illegal. */
    const struct { PhRvPriv priv; uint64_t mstatus; uint32_t insn; } bad[] = {
        { PH_RV_PRV_S, 0, MRET },
        { PH_RV_PRV_U, 0, SRET },
        { PH_RV_PRV_S, 1ull << 22, SRET },
        { PH_RV_PRV_S, 1ull << 21, WFI },
        { PH_RV_PRV_U, 0, WFI },
        { PH_RV_PRV_S, 1ull << 20, 0x12000073 },            /* sfence.vma with TVM */
        { PH_RV_PRV_U, 0, 0x12000073 },
        { PH_RV_PRV_S, 1ull << 20, CSRRS(1, 0x180, 0) },   /* satp with TVM */
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        fx_reset(f, RAM_BASE);
        cpu->p->mtvec = TRAP_VEC;
        cpu->priv = bad[i].priv;
        cpu->mstatus |= bad[i].mstatus;
        put32(f, RAM_BASE, bad[i].insn);
        step(f, 1);
        g_assert_cmphex(cpu->pc, ==, TRAP_VEC);
        g_assert_cmphex(cpu->p->mcause, ==, PH_RV_EXC_ILLEGAL);
        g_assert_cmphex(cpu->p->mtval, ==, bad[i].insn);
    }

    /* ebreak: tval = pc. */
    fx_reset(f, RAM_BASE);
    cpu->p->mtvec = TRAP_VEC;
    put32(f, RAM_BASE, EBREAK);
    step(f, 1);
    g_assert_cmphex(cpu->p->mcause, ==, PH_RV_EXC_BREAKPOINT);
    g_assert_cmphex(cpu->p->mtval, ==, RAM_BASE);

    /* Fetch from nowhere: access fault, mtval = the address. */
    fx_reset(f, 0x5000);
    cpu->p->mtvec = TRAP_VEC;
    step(f, 1);
    g_assert_cmphex(cpu->p->mcause, ==, PH_RV_EXC_FETCH_ACCESS);
    g_assert_cmphex(cpu->p->mtval, ==, 0x5000);
    g_assert_cmphex(cpu->p->mepc, ==, 0x5000);
}

static void test_interrupts(CpuFixture *f, gconstpointer d)
{
    PhRvCpu *cpu = f->cpu;
    for (unsigned i = 0; i < 64; i++) {
        put32(f, RAM_BASE + 4 * i, NOP);
    }
    cpu->p->mtvec = TRAP_VEC | 1;    /* vectored */
    cpu->p->mie = PH_RV_MIP_MTIP | PH_RV_MIP_MEIP;
    step(f, 1);
    /* Pending but MIE off in M: nothing happens. */
    ph_rv_cpu_set_irq(cpu, PH_RV_MIP_MTIP, true);
    step(f, 1);
    g_assert_cmphex(cpu->pc, ==, RAM_BASE + 8);
    cpu->mstatus |= 1ull << 3;
    ph_rv_cpu_set_irq(cpu, PH_RV_MIP_MEIP, true);
    ph_rv_cpu_run(cpu, 0);           /* nothing runs with a zero budget */
    g_assert_cmphex(cpu->pc, ==, RAM_BASE + 8);
    ph_rv_cpu_run(cpu, 1);
    /* MEI beats MTI; vectored: base + 4 * 11, then one instruction ran. */
    g_assert_cmphex(cpu->p->mcause, ==, PH_RV_CAUSE_INTERRUPT | 11);
    g_assert_cmphex(cpu->p->mepc, ==, RAM_BASE + 8);
    g_assert_cmphex(cpu->p->mtval, ==, 0);
    g_assert_false(cpu->mstatus & (1ull << 3));
    g_assert_true(cpu->mstatus & (1ull << 7));
    g_assert_cmphex(cpu->pc, ==, TRAP_VEC + 44 + 4);

    /* Delegated supervisor timer (software STIP) taken in U mode by S. */
    fx_reset(f, RAM_BASE);
    ph_rv_cpu_set_irq(cpu, PH_RV_MIP_MTIP | PH_RV_MIP_MEIP, false);
    cpu->p->stvec = TRAP_VEC + 0x100;
    put32(f, TRAP_VEC + 0x100, NOP);
    cpu->p->mideleg = PH_RV_MIP_STIP;
    cpu->p->mie = PH_RV_MIP_STIP;
    cpu->priv = PH_RV_PRV_U;
    put32(f, RAM_BASE, CSRRS(0, 0x344, 1));   /* from M this would set it */
    cpu->p->mip_sw = PH_RV_MIP_STIP;
    step(f, 1);
    g_assert_cmpint(cpu->priv, ==, PH_RV_PRV_S);
    g_assert_cmphex(cpu->p->scause, ==, PH_RV_CAUSE_INTERRUPT | 5);
    g_assert_cmphex(cpu->p->sepc, ==, RAM_BASE);
    /* In S with SIE clear, it stays pending. */
    step(f, 3);
    g_assert_cmpint(cpu->priv, ==, PH_RV_PRV_S);

    /* SEIP as read = line OR software bit; csrrc cannot clear the line. */
    fx_reset(f, RAM_BASE);
    ph_rv_cpu_set_irq(cpu, PH_RV_MIP_SEIP, true);
    setx(f, 1, PH_RV_MIP_SEIP);
    put32(f, RAM_BASE, CSRRC(2, 0x344, 1));
    put32(f, RAM_BASE + 4, CSRRS(3, 0x344, 0));
    step(f, 2);
    g_assert_cmphex(cpu->x[2], ==, PH_RV_MIP_SEIP);
    g_assert_cmphex(cpu->x[3], ==, PH_RV_MIP_SEIP);
    ph_rv_cpu_set_irq(cpu, PH_RV_MIP_SEIP, false);
}

static void test_wfi(CpuFixture *f, gconstpointer d)
{
    PhRvCpu *cpu = f->cpu;
    put32(f, RAM_BASE, WFI);
    put32(f, RAM_BASE + 4, NOP);
    cpu->p->mie = PH_RV_MIP_MSIP;
    g_assert_cmpint(ph_rv_cpu_run(cpu, 1000), ==, PH_RV_RUN_WFI);
    g_assert_cmphex(cpu->pc, ==, RAM_BASE + 4);
    uint64_t ret = cpu->instret;
    g_assert_cmpint(ph_rv_cpu_run(cpu, 1000), ==, PH_RV_RUN_WFI);
    g_assert_cmpuint(cpu->instret, ==, ret);
    g_assert_false(ph_rv_cpu_wfi_should_wake(cpu));
    ph_rv_cpu_set_irq(cpu, PH_RV_MIP_MSIP, true);
    g_assert_true(ph_rv_cpu_wfi_should_wake(cpu));
    /* MIE is off: the hart resumes after the WFI without trapping. */
    g_assert_cmpint(ph_rv_cpu_run(cpu, 1), ==, PH_RV_RUN_BUDGET);
    g_assert_cmphex(cpu->pc, ==, RAM_BASE + 8);

    /* WFI with an interrupt already pending is a no-op. */
    fx_reset(f, RAM_BASE);
    cpu->p->mie = PH_RV_MIP_MSIP;
    g_assert_cmpint(ph_rv_cpu_run(cpu, 2), ==, PH_RV_RUN_BUDGET);
    g_assert_cmphex(cpu->pc, ==, RAM_BASE + 8);
    ph_rv_cpu_set_irq(cpu, PH_RV_MIP_MSIP, false);
}

static gpointer exit_thread(gpointer data)
{
    g_usleep(50000);
    ph_rv_cpu_exit_request(data);
    return NULL;
}

static void test_exit_request(CpuFixture *f, gconstpointer d)
{
    put32(f, RAM_BASE, JAL(0, 0));   /* j . */
    GThread *t = g_thread_new("exit", exit_thread, f->cpu);
    gint64 start = g_get_monotonic_time();
    g_assert_cmpint(ph_rv_cpu_run(f->cpu, INT64_MAX), ==, PH_RV_RUN_EXIT);
    g_thread_join(t);
    g_assert_cmpint(g_get_monotonic_time() - start, <, 10 * G_USEC_PER_SEC);
    g_assert_cmpuint(f->cpu->instret, >, 0);
    /* Not sticky after the call returned. */
    g_assert_cmpint(ph_rv_cpu_run(f->cpu, 100), ==, PH_RV_RUN_BUDGET);
    /* Requested before run(): returns at once. */
    ph_rv_cpu_exit_request(f->cpu);
    uint64_t ret = f->cpu->instret;
    g_assert_cmpint(ph_rv_cpu_run(f->cpu, 100), ==, PH_RV_RUN_EXIT);
    g_assert_cmpuint(f->cpu->instret, ==, ret);
}

static void test_counters(CpuFixture *f, gconstpointer d)
{
    f->pc = RAM_BASE;
    emit(f, NOP);
    emit(f, NOP);
    emit(f, CSRRS(1, 0xc02, 0));     /* instret: 2 retired before */
    emit(f, CSRRWI(0, 0x320, 4));    /* inhibit IR */
    emit(f, NOP);
    emit(f, CSRRS(2, 0xb02, 0));
    step(f, 6);
    g_assert_cmphex(f->cpu->x[1], ==, 2);
    g_assert_cmphex(f->cpu->x[2], ==, 3);   /* the inhibiting write itself did not count */
}

static void test_dump(CpuFixture *f, gconstpointer d)
{
    f->cpu->x[10] = 0x1234;
    GString *s = g_string_new(NULL);
    ph_rv_cpu_dump_registers(f->cpu, s);
    g_assert_true(g_str_has_prefix(s->str, " pc       0000000080000000\n mhartid  0000000000000000\n"));
    g_assert_nonnull(strstr(s->str, " x10/a0   0000000000001234 x11/a1   0000000000000000"));
    g_assert_nonnull(strstr(s->str, " x28/t3   0000000000000000 x29/t4   0000000000000000 x30/t5   "
                                    "0000000000000000 x31/t6   0000000000000000\n"));
    g_assert_nonnull(strstr(s->str, " f31/ft11 0000000000000000\n"));
    g_string_free(s, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD_TEST(name, fn) \
    g_test_add("/vmm-cpu/priv/" name, CpuFixture, NULL, fx_setup, fn, fx_teardown)
    ADD_TEST("csr-access", test_csr_access);
    ADD_TEST("csr-values", test_csr_values);
    ADD_TEST("traps", test_traps);
    ADD_TEST("interrupts", test_interrupts);
    ADD_TEST("wfi", test_wfi);
    ADD_TEST("exit-request", test_exit_request);
    ADD_TEST("counters", test_counters);
    ADD_TEST("dump", test_dump);
    return g_test_run();
}

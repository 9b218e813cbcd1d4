/* Hart tests: integer, multiply/divide, compressed and atomic instructions. */
#include "cpu-test.h"

/* Executes the R-type op rd=a op b once and returns rd. */
static uint64_t run_r(CpuFixture *f, uint32_t op, uint32_t f3, uint32_t f7,
                      uint64_t a, uint64_t b)
{
    fx_reset(f, RAM_BASE);
    f->cpu->p->mtvec = TRAP_VEC;
    put32(f, RAM_BASE, ph_rv_enc_r(op, 10, f3, 11, 12, f7));
    setx(f, 11, a);
    setx(f, 12, b);
    step(f, 1);
    g_assert_cmphex(f->cpu->pc, ==, RAM_BASE + 4);
    return f->cpu->x[10];
}

static void test_muldiv(CpuFixture *f, gconstpointer d)
{
    const uint64_t min = 0x8000000000000000ull;
    /* DIV/DIVU/REM/REMU by zero and the signed overflow case. */
    g_assert_cmphex(run_r(f, 0x33, 4, 1, 7, 0), ==, ~0ull);
    g_assert_cmphex(run_r(f, 0x33, 5, 1, 7, 0), ==, ~0ull);
    g_assert_cmphex(run_r(f, 0x33, 6, 1, 7, 0), ==, 7);
    g_assert_cmphex(run_r(f, 0x33, 7, 1, 7, 0), ==, 7);
    g_assert_cmphex(run_r(f, 0x33, 4, 1, min, ~0ull), ==, min);
    g_assert_cmphex(run_r(f, 0x33, 6, 1, min, ~0ull), ==, 0);
    g_assert_cmphex(run_r(f, 0x33, 4, 1, (uint64_t)-7, 2), ==, (uint64_t)-3);
    g_assert_cmphex(run_r(f, 0x33, 6, 1, (uint64_t)-7, 2), ==, (uint64_t)-1);
    /* MULH, MULHSU, MULHU */
    g_assert_cmphex(run_r(f, 0x33, 1, 1, (uint64_t)-1, (uint64_t)-1), ==, 0);
    g_assert_cmphex(run_r(f, 0x33, 2, 1, (uint64_t)-1, (uint64_t)-1), ==, ~0ull);
    g_assert_cmphex(run_r(f, 0x33, 3, 1, (uint64_t)-1, (uint64_t)-1), ==, ~0ull - 1);
    g_assert_cmphex(run_r(f, 0x33, 1, 1, min, min), ==, 0x4000000000000000ull);
    /* W forms sign-extend their 32-bit results. */
    g_assert_cmphex(run_r(f, 0x3b, 0, 1, 0x10000, 0x10000), ==, 0);          /* mulw */
    g_assert_cmphex(run_r(f, 0x3b, 0, 1, 0xffff, 0x10001), ==, 0xffffffffffffffffull);
    g_assert_cmphex(run_r(f, 0x3b, 4, 1, 0x80000000, ~0ull), ==, 0xffffffff80000000ull);
    g_assert_cmphex(run_r(f, 0x3b, 6, 1, 0x80000000, ~0ull), ==, 0);
    g_assert_cmphex(run_r(f, 0x3b, 5, 1, 0x80000000, 0), ==, ~0ull);          /* divuw /0 */
    g_assert_cmphex(run_r(f, 0x3b, 7, 1, 0x80000005, 0), ==, 0xffffffff80000005ull);
    g_assert_cmphex(run_r(f, 0x3b, 5, 1, 0xfffffffe, 1), ==, 0xfffffffffffffffeull);
}

static void test_alu(CpuFixture *f, gconstpointer d)
{
    g_assert_cmphex(run_r(f, 0x33, 0, 0, ~0ull, 1), ==, 0);                    /* add */
    g_assert_cmphex(run_r(f, 0x33, 0, 0x20, 0, 1), ==, ~0ull);                 /* sub */
    g_assert_cmphex(run_r(f, 0x33, 1, 0, 1, 64 + 63), ==, 1ull << 63);         /* sll */
    g_assert_cmphex(run_r(f, 0x33, 5, 0x20, 1ull << 63, 63), ==, ~0ull);       /* sra */
    g_assert_cmphex(run_r(f, 0x33, 5, 0, 1ull << 63, 63), ==, 1);              /* srl */
    g_assert_cmphex(run_r(f, 0x33, 2, 0, (uint64_t)-1, 0), ==, 1);             /* slt */
    g_assert_cmphex(run_r(f, 0x33, 3, 0, (uint64_t)-1, 0), ==, 0);             /* sltu */
    g_assert_cmphex(run_r(f, 0x3b, 0, 0, 0x7fffffff, 1), ==, 0xffffffff80000000ull); /* addw */
    g_assert_cmphex(run_r(f, 0x3b, 0, 0x20, 0, 1), ==, ~0ull);                 /* subw */
    g_assert_cmphex(run_r(f, 0x3b, 1, 0, 1, 31 + 32), ==, 0xffffffff80000000ull);   /* sllw */
    g_assert_cmphex(run_r(f, 0x3b, 5, 0, 0x80000000, 0), ==, 0xffffffff80000000ull); /* srlw */
    g_assert_cmphex(run_r(f, 0x3b, 5, 0, 0x80000000, 1), ==, 0x40000000);
    g_assert_cmphex(run_r(f, 0x3b, 5, 0x20, 0x80000000, 4), ==, 0xfffffffff8000000ull);

    /* Immediate forms, LUI/AUIPC, x0 stays zero. */
    fx_reset(f, RAM_BASE);
    f->pc = RAM_BASE;
    emit(f, ADDI(1, 0, -1));                          /* x1 = -1 */
    emit(f, ph_rv_enc_i(0x1b, 2, 0, 1, 0));           /* addiw x2 = sext(-1) */
    emit(f, ph_rv_enc_i(0x13, 3, 5, 1, 0x400 | 60));  /* srai x3 = -1 >> 60 */
    emit(f, ph_rv_enc_i(0x13, 4, 5, 1, 60));          /* srli x4 = 15 */
    emit(f, ph_rv_enc_i(0x1b, 5, 1, 4, 28));          /* slliw x5 = sext(0xf0000000) */
    emit(f, ph_rv_enc_i(0x1b, 6, 5, 5, 0x400 | 4));   /* sraiw */
    emit(f, LUI(7, 0x80000));                         /* lui sign-extends */
    emit(f, ph_rv_enc_u(0x17, 8, 1));                 /* auipc x8 = pc + 4096 */
    emit(f, ADDI(0, 0, 5));                           /* x0 stays 0 */
    emit(f, ph_rv_enc_i(0x13, 9, 3, 0, -1));          /* sltiu x9 = 0 < ~0 */
    step(f, 10);
    uint64_t *x = f->cpu->x;
    g_assert_cmphex(x[1], ==, ~0ull);
    g_assert_cmphex(x[2], ==, ~0ull);
    g_assert_cmphex(x[3], ==, ~0ull);
    g_assert_cmphex(x[4], ==, 15);
    g_assert_cmphex(x[5], ==, 0xfffffffff0000000ull);
    g_assert_cmphex(x[6], ==, 0xffffffffff000000ull);
    g_assert_cmphex(x[7], ==, 0xffffffff80000000ull);
    g_assert_cmphex(x[8], ==, RAM_BASE + 7 * 4 + 4096);
    g_assert_cmphex(x[0], ==, 0);
    g_assert_cmphex(x[9], ==, 1);
    g_assert_cmpuint(f->cpu->instret, ==, 10);

    /* A raw word from the assembler agrees with the encoder: addi a0, zero, 10. */
    g_assert_cmphex(LI(10, 10), ==, 0x00a00513);
}

static void test_branch_jump(CpuFixture *f, gconstpointer d)
{
    f->pc = RAM_BASE;
    emit(f, LI(1, 3));                               /* 0 */
    emit(f, ADDI(1, 1, -1));                         /* 4: loop */
    emit(f, ph_rv_enc_b(1, 1, 0, -4));               /* 8: bnez x1, loop */
    emit(f, JAL(5, 8));                              /* 12: jal x5, 20 */
    emit(f, LI(6, 99));                              /* 16: skipped */
    emit(f, ph_rv_enc_i(0x67, 7, 0, 5, 7));          /* 20: jalr x7, 7(x5) -> 23 & ~1 = 22? */
    step(f, 1 + 3 * 2 + 1 + 1);
    g_assert_cmphex(f->cpu->x[1], ==, 0);
    g_assert_cmphex(f->cpu->x[5], ==, RAM_BASE + 16);
    g_assert_cmphex(f->cpu->x[6], ==, 0);
    g_assert_cmphex(f->cpu->x[7], ==, RAM_BASE + 24);
    g_assert_cmphex(f->cpu->pc, ==, (RAM_BASE + 16 + 7) & ~1ull);

    /* Signed vs unsigned compares. */
    fx_reset(f, RAM_BASE);
    f->pc = RAM_BASE;
    setx(f, 1, (uint64_t)-1);
    setx(f, 2, 1);
    emit(f, ph_rv_enc_b(4, 1, 2, 8));   /* blt -1 < 1: taken */
    emit(f, NOP);
    emit(f, ph_rv_enc_b(6, 1, 2, 8));   /* bltu: not taken */
    step(f, 2);
    g_assert_cmphex(f->cpu->pc, ==, RAM_BASE + 12);
}

static void test_loads_stores(CpuFixture *f, gconstpointer d)
{
    put64(f, RAM_BASE + 0x1000, 0x8081828384858687ull);
    setx(f, 1, RAM_BASE + 0x1000);
    f->pc = RAM_BASE;
    emit(f, ph_rv_enc_i(0x03, 2, 0, 1, 0));    /* lb */
    emit(f, ph_rv_enc_i(0x03, 3, 4, 1, 0));    /* lbu */
    emit(f, ph_rv_enc_i(0x03, 4, 1, 1, 1));    /* lh misaligned */
    emit(f, ph_rv_enc_i(0x03, 5, 6, 1, 4));    /* lwu */
    emit(f, ph_rv_enc_i(0x03, 6, 2, 1, 4));    /* lw */
    emit(f, ph_rv_enc_s(0x23, 1, 1, 2, 9));    /* sh x2 -> +9 */
    emit(f, LD(7, 1, 8));
    step(f, 7);
    uint64_t *x = f->cpu->x;
    g_assert_cmphex(x[2], ==, 0xffffffffffffff87ull);
    g_assert_cmphex(x[3], ==, 0x87);
    g_assert_cmphex(x[4], ==, 0xffffffffffff8586ull);
    g_assert_cmphex(x[5], ==, 0x80818283);
    g_assert_cmphex(x[6], ==, 0xffffffff80818283ull);
    g_assert_cmphex(x[7], ==, 0xff8700);

    /* MMIO goes through the device with the access size. */
    fx_reset(f, RAM_BASE);
    f->pc = RAM_BASE;
    setx(f, 1, MMIO_BASE);
    setx(f, 2, 0xabcdef);
    emit(f, SW(2, 1, 8));
    emit(f, LD(3, 1, 16));
    step(f, 2);
    g_assert_cmphex(f->mmio_last_write, ==, 0xabcdef);
    g_assert_cmpuint(f->mmio_last_size, ==, 4);
    g_assert_cmphex(f->cpu->x[3], ==, 0x1122334455667788ull + 16);

    /* Nothing at the address: load access fault with the address in mtval. */
    fx_reset(f, RAM_BASE);
    f->cpu->p->mtvec = TRAP_VEC;
    setx(f, 1, 0x4000);
    put32(f, RAM_BASE, LD(3, 1, 8));
    step(f, 1);
    g_assert_cmphex(f->cpu->pc, ==, TRAP_VEC);
    g_assert_cmphex(f->cpu->p->mcause, ==, PH_RV_EXC_LOAD_ACCESS);
    g_assert_cmphex(f->cpu->p->mtval, ==, 0x4008);
    g_assert_cmphex(f->cpu->p->mepc, ==, RAM_BASE);
}

static void test_compressed(CpuFixture *f, gconstpointer d)
{
    setx(f, 2, RAM_BASE + 0x2000);                  /* sp */
    f->pc = RAM_BASE;
    emit16(f, 0x4529);        /* c.li a0, 10 */
    emit16(f, 0x157d);        /* c.addi a0, -1   -> 9 */
    emit16(f, 0x65c1);        /* c.lui a1, 0x10  -> 0x10000 */
    emit16(f, 0x05c2);        /* c.slli a1, 16   -> 0x100000000 */
    emit16(f, 0x35fd);        /* c.addiw a1, -1  -> sext(0xffffffff) = -1 */
    emit16(f, 0x8985);        /* c.andi a1, 1    -> 1 */
    emit16(f, 0x8d0d);        /* c.sub a0, a1    -> 8 */
    emit16(f, 0x862a);        /* c.mv a2, a0     -> 8 */
    emit16(f, 0x962e);        /* c.add a2, a1    -> 9 */
    emit16(f, 0xe432);        /* c.sdsp a2, 8(sp) */
    emit16(f, 0x66a2);        /* c.ldsp a3, 8(sp) */
    emit16(f, 0x0038);        /* c.addi4spn a4, sp, 8 */
    emit16(f, 0x6318);        /* c.ld a4, 0(a4) */
    emit16(f, 0x9d2d);        /* c.addw a0, a1   -> 9 */
    emit16(f, 0xc119);        /* c.beqz a0, +6 (not taken) */
    emit16(f, 0xa011);        /* c.j +4 */
    emit16(f, 0x4781);        /* c.li a5, 0 (skipped) */
    emit16(f, 0x4785);        /* c.li a5, 1 */
    step(f, 17);
    uint64_t *x = f->cpu->x;
    g_assert_cmphex(x[10], ==, 9);
    g_assert_cmphex(x[11], ==, 1);
    g_assert_cmphex(x[12], ==, 9);
    g_assert_cmphex(x[13], ==, 9);
    g_assert_cmphex(x[14], ==, 9);
    g_assert_cmphex(x[15], ==, 1);
    g_assert_cmphex(f->cpu->pc, ==, f->pc);

    /* c.jalr links pc + 2. */
    fx_reset(f, RAM_BASE);
    setx(f, 5, RAM_BASE + 0x40);
    put16(f, RAM_BASE, 0x9282);   /* c.jalr t0 */
    step(f, 1);
    g_assert_cmphex(f->cpu->pc, ==, RAM_BASE + 0x40);
    g_assert_cmphex(f->cpu->x[1], ==, RAM_BASE + 2);

    /* Reserved encodings are illegal with the 16 bits in mtval. */
    static const uint16_t bad[] = { 0x0000, 0x0004, 0x6081, 0x8002, 0x6101, 0x2001, 0x4002,
                                    0x6002, 0x9c41, 0x9c61 };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        fx_reset(f, RAM_BASE);
        f->cpu->p->mtvec = TRAP_VEC;
        put32(f, RAM_BASE, 0xffff0000u | bad[i]);
        step(f, 1);
        g_assert_cmphex(f->cpu->pc, ==, TRAP_VEC);
        g_assert_cmphex(f->cpu->p->mcause, ==, PH_RV_EXC_ILLEGAL);
        g_assert_cmphex(f->cpu->p->mtval, ==, bad[i]);
    }

    /* c.ebreak: breakpoint, tval = pc. */
    fx_reset(f, RAM_BASE + 2);
    f->cpu->p->mtvec = TRAP_VEC;
    put16(f, RAM_BASE + 2, 0x9002);
    step(f, 1);
    g_assert_cmphex(f->cpu->p->mcause, ==, PH_RV_EXC_BREAKPOINT);
    g_assert_cmphex(f->cpu->p->mtval, ==, RAM_BASE + 2);
    g_assert_cmphex(f->cpu->p->mepc, ==, RAM_BASE + 2);
}

static uint32_t amo(unsigned f5, unsigned f3, unsigned rd, unsigned rs1, unsigned rs2)
{
    return ph_rv_enc_r(0x2f, rd, f3, rs1, rs2, f5 << 2);
}

static void test_atomics(CpuFixture *f, gconstpointer d)
{
    uint64_t a = RAM_BASE + 0x1000;
    put64(f, a, 5);
    setx(f, 1, a);
    setx(f, 2, 42);
    f->pc = RAM_BASE;
    emit(f, SD(0, 1, 16));             /* fill the TLB: AMOs then take the fast path */
    emit(f, LD(0, 1, 16));
    emit(f, amo(0x02, 3, 3, 1, 0));    /* lr.d x3 */
    emit(f, amo(0x03, 3, 4, 1, 2));    /* sc.d x4 <- 42: succeeds */
    emit(f, amo(0x03, 3, 5, 1, 2));    /* sc.d again: fails (no reservation) */
    emit(f, amo(0x00, 2, 6, 1, 2));    /* amoadd.w: old 42, mem 84 */
    emit(f, amo(0x10, 3, 7, 1, 8));    /* amomin.d with x8 = -1 */
    emit(f, amo(0x1c, 2, 9, 1, 2));    /* amomaxu.w: old -1 (sext) */
    setx(f, 8, (uint64_t)-1);
    step(f, 8);
    uint64_t *x = f->cpu->x;
    g_assert_cmphex(x[3], ==, 5);
    g_assert_cmphex(x[4], ==, 0);
    g_assert_cmphex(x[5], ==, 1);
    g_assert_cmphex(x[6], ==, 42);
    g_assert_cmphex(x[7], ==, 84);
    g_assert_cmphex(x[9], ==, ~0ull);
    g_assert_cmphex(get64(f, a), ==, ~0ull);   /* maxu.w kept 0xffffffff, upper half too */

    /* amoswap.w sign-extends the old value. */
    fx_reset(f, RAM_BASE);
    put64(f, a, 0x80000000u);
    setx(f, 1, a);
    setx(f, 2, 7);
    put32(f, RAM_BASE, amo(0x01, 2, 3, 1, 2));
    step(f, 1);
    g_assert_cmphex(f->cpu->x[3], ==, 0xffffffff80000000ull);
    g_assert_cmphex(get64(f, a), ==, 7);

    /* Misaligned: LR -> load misaligned (4), SC/AMO -> store misaligned (6). */
    static const struct { unsigned f5; uint64_t cause; } cases[] = {
        { 0x02, PH_RV_EXC_LOAD_MISALIGNED }, { 0x03, PH_RV_EXC_STORE_MISALIGNED },
        { 0x00, PH_RV_EXC_STORE_MISALIGNED },
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(cases); i++) {
        fx_reset(f, RAM_BASE);
        f->cpu->p->mtvec = TRAP_VEC;
        f->cpu->p->reservation = a + 4;
        setx(f, 1, a + 4);
        put32(f, RAM_BASE, amo(cases[i].f5, 3, 3, 1, 0));
        step(f, 1);
        g_assert_cmphex(f->cpu->p->mcause, ==, cases[i].cause);
        g_assert_cmphex(f->cpu->p->mtval, ==, a + 4);
    }

    /* Reserved AMO function: illegal. */
    fx_reset(f, RAM_BASE);
    f->cpu->p->mtvec = TRAP_VEC;
    put32(f, RAM_BASE, amo(0x05, 3, 3, 1, 0));
    step(f, 1);
    g_assert_cmphex(f->cpu->p->mcause, ==, PH_RV_EXC_ILLEGAL);
}

static void test_illegal_words(CpuFixture *f, gconstpointer d)
{
    const uint32_t bad[] = {
        0xffffffff,                            /* all ones */
        0x0000007f,                            /* reserved opcode */
        ph_rv_enc_i(0x13, 1, 1, 1, 0x40),      /* slli with imm[11:6] != 0 */
        ph_rv_enc_i(0x1b, 1, 1, 1, 0x20),      /* slliw shamt[5] */
        ph_rv_enc_i(0x67, 1, 1, 1, 0),         /* jalr f3 != 0 */
        ph_rv_enc_i(0x03, 1, 7, 1, 0),         /* load f3 = 7 */
        ph_rv_enc_b(2, 1, 1, 8),               /* branch f3 = 2 */
        ph_rv_enc_r(0x33, 1, 0, 1, 1, 0x02),   /* OP funct7 2 */
        ph_rv_enc_r(0x3b, 1, 1, 1, 1, 0x01),   /* mulw-space f3 = 1 */
        0x00200073,                            /* uret */
        ph_rv_enc_i(0x0f, 0, 2, 0, 0),         /* misc-mem f3 = 2 */
        ph_rv_enc_i(0x07, 1, 2, 1, 0),         /* flw with FS off */
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        fx_reset(f, RAM_BASE);
        f->cpu->p->mtvec = TRAP_VEC;
        put32(f, RAM_BASE, bad[i]);
        step(f, 1);
        g_assert_cmphex(f->cpu->pc, ==, TRAP_VEC);
        g_assert_cmphex(f->cpu->p->mcause, ==, PH_RV_EXC_ILLEGAL);
        g_assert_cmphex(f->cpu->p->mtval, ==, bad[i]);
        g_assert_cmpuint(f->cpu->instret, ==, 0);
    }
}

static void test_fp_loadstore(CpuFixture *f, gconstpointer d)
{
    uint64_t a = RAM_BASE + 0x1000;
    put64(f, a, 0x3ff0000040490fdbull);
    f->cpu->mstatus |= 1ull << PH_RV_MSTATUS_FS_SHIFT;   /* Initial */
    setx(f, 1, a);
    f->pc = RAM_BASE;
    emit(f, ph_rv_enc_i(0x07, 2, 2, 1, 0));     /* flw f2, 0(x1) */
    emit(f, ph_rv_enc_i(0x07, 3, 3, 1, 0));     /* fld f3 */
    emit(f, ph_rv_enc_s(0x27, 2, 1, 2, 8));     /* fsw f2, 8(x1) */
    emit(f, ph_rv_enc_s(0x27, 3, 1, 3, 16));    /* fsd f3, 16(x1) */
    step(f, 4);
    g_assert_cmphex(f->cpu->f[2], ==, 0xffffffff40490fdbull);
    g_assert_cmphex(f->cpu->f[3], ==, 0x3ff0000040490fdbull);
    g_assert_cmphex(get64(f, a + 8) & 0xffffffffu, ==, 0x40490fdb);
    g_assert_cmphex(get64(f, a + 16), ==, 0x3ff0000040490fdbull);
    g_assert_cmphex(f->cpu->mstatus & PH_RV_MSTATUS_FS, ==, PH_RV_MSTATUS_FS);
    g_assert_true(f->cpu->mstatus & PH_RV_MSTATUS_SD);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD_TEST(name, fn) \
    g_test_add("/vmm-cpu/int/" name, CpuFixture, NULL, fx_setup, fn, fx_teardown)
    ADD_TEST("muldiv", test_muldiv);
    ADD_TEST("alu", test_alu);
    ADD_TEST("branch-jump", test_branch_jump);
    ADD_TEST("loads-stores", test_loads_stores);
    ADD_TEST("compressed", test_compressed);
    ADD_TEST("atomics", test_atomics);
    ADD_TEST("illegal-words", test_illegal_words);
    ADD_TEST("fp-loadstore", test_fp_loadstore);
    return g_test_run();
}

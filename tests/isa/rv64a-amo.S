/* RV64A AMOs: every AMO*.W and AMO*.D returns the old value (W sign-extended) and writes only its bytes; misaligned AMOs trap. */
#include "ph-isa.h"

/* Memory holds @init (a doubleword), a3 = @src; checks rd and the whole doubleword after. */
#define AMO_TEST(n, op, init, src, old, new) \
    li gp, n; la a1, amo_buf; li a2, init; sd a2, 0(a1); li a3, src; \
    op a0, a3, (a1); PH_CHECK(a0, old); ld a4, 0(a1); PH_CHECK(a4, new)

/* Accepts either cause the spec allows for a misaligned AMO. */
#ifndef PH_ISA_QEMU
#define CHECK_CAUSE2(c1, c2) \
    la t0, ph_tsave; ld t1, PH_T_CAUSE(t0); li t6, c1; beq t1, t6, 19994f; PH_CHECK(t1, c2); 19994:
#else
/* QEMU 7.2 reports a misaligned AMO as a load-address-misaligned (4), not store/AMO. */
#define CHECK_CAUSE2(c1, c2) \
    la t0, ph_tsave; ld t1, PH_T_CAUSE(t0); li t6, c1; beq t1, t6, 19994f; \
    li t6, PH_CAUSE_MISALIGNED_LOAD; beq t1, t6, 19994f; PH_CHECK(t1, c2); 19994:
#endif

PH_ISA_BEGIN
    /* doubleword forms */
    AMO_TEST(1, amoswap.d, 0x1111111111111111, 0x2222222222222222, 0x1111111111111111, 0x2222222222222222)
    AMO_TEST(2, amoadd.d, 0x7fffffffffffffff, 1, 0x7fffffffffffffff, 0x8000000000000000)
    AMO_TEST(3, amoxor.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xf0f0f0f0f0f0f0f0)
    AMO_TEST(4, amoand.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0x0f000f000f000f00)
    AMO_TEST(5, amoor.d, 0xff00ff00ff00ff00, 0x0ff00ff00ff00ff0, 0xff00ff00ff00ff00, 0xfff0fff0fff0fff0)
    AMO_TEST(6, amomin.d, -5, 3, -5, -5)
    AMO_TEST(7, amomin.d, 3, 0x8000000000000000, 3, 0x8000000000000000)
    AMO_TEST(8, amomax.d, -5, 3, -5, 3)
    AMO_TEST(9, amomax.d, 0x7fffffffffffffff, -1, 0x7fffffffffffffff, 0x7fffffffffffffff)
    AMO_TEST(10, amominu.d, -5, 3, -5, 3)
    AMO_TEST(11, amominu.d, 2, -1, 2, 2)
    AMO_TEST(12, amomaxu.d, -5, 3, -5, -5)
    AMO_TEST(13, amomaxu.d, 0x7fffffffffffffff, 0x8000000000000000, 0x7fffffffffffffff, 0x8000000000000000)
    /* word forms: the upper word in memory is untouched, rd is sign-extended */
    AMO_TEST(14, amoswap.w, 0xdeadbeef80000000, 0x1234567812345678, 0xffffffff80000000, 0xdeadbeef12345678)
    AMO_TEST(15, amoadd.w, 0xdeadbeef7fffffff, 1, 0x7fffffff, 0xdeadbeef80000000)
    AMO_TEST(16, amoadd.w, 0x00000000ffffffff, 1, 0xffffffffffffffff, 0x0000000000000000)  /* no carry out */
    AMO_TEST(17, amoxor.w, 0x55555555ff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0x55555555f0f0f0f0)
    AMO_TEST(18, amoand.w, 0x55555555ff00ff00, 0xffffffff0ff00ff0, 0xffffffffff00ff00, 0x555555550f000f00)
    AMO_TEST(19, amoor.w, 0x55555555ff00ff00, 0x0ff00ff0, 0xffffffffff00ff00, 0x55555555fff0fff0)
    AMO_TEST(20, amomin.w, 0x00000000fffffffb, 3, 0xfffffffffffffffb, 0x00000000fffffffb)
    AMO_TEST(21, amomin.w, 0x0000000000000003, 0x0000000180000000, 3, 0x0000000080000000)  /* compares 32-bit signed */
    AMO_TEST(22, amomax.w, 0x00000000fffffffb, 3, 0xfffffffffffffffb, 0x0000000000000003)
    AMO_TEST(23, amomax.w, 0x000000007fffffff, 0xffffffff, 0x7fffffff, 0x000000007fffffff)
    AMO_TEST(24, amominu.w, 0x00000000fffffffb, 3, 0xfffffffffffffffb, 0x0000000000000003)
    AMO_TEST(25, amominu.w, 0x0000000000000002, 0x00000001ffffffff, 2, 0x0000000000000002)
    AMO_TEST(26, amomaxu.w, 0x00000000fffffffb, 3, 0xfffffffffffffffb, 0x00000000fffffffb)
    AMO_TEST(27, amomaxu.w, 0x000000007fffffff, 0x80000000, 0x7fffffff, 0x0000000080000000)
    /* the upper word of the doubleword as the target of a W AMO */
    PH_TEST(28)
    la a1, amo_buf
    li a2, 0x0000000500000007
    sd a2, 0(a1)
    li a3, 10
    addi a2, a1, 4
    amoadd.w a0, a3, (a2)
    PH_CHECK(a0, 5)
    ld a4, 0(a1)
    PH_CHECK(a4, 0x0000000f00000007)
    /* rd = x0 still writes memory; rd = rs2 gets the old value */
    PH_TEST(29)
    li a3, 0x42
    amoswap.d x0, a3, (a1)
    ld a4, 0(a1)
    PH_CHECK(a4, 0x42)
    li a3, 0x43
    amoswap.d a3, a3, (a1)
    PH_CHECK(a3, 0x42)
    ld a4, 0(a1)
    PH_CHECK(a4, 0x43)
    /* misaligned AMOs trap (store/AMO misaligned or access fault) and change nothing */
    PH_TEST(30)
    li a0, 0x99
    addi a2, a1, 2
    PH_SET_RESUME(1f)
2:  amoadd.w a0, a3, (a2)
    j ph_fail
1:  CHECK_CAUSE2(PH_CAUSE_MISALIGNED_STORE, PH_CAUSE_STORE_ACCESS)
    PH_CHECK(a0, 0x99)
    PH_CHECK_MEPC(2b)
    PH_TEST(31)
    addi a2, a1, 4
    PH_SET_RESUME(1f)
    amoswap.d a0, a3, (a2)
    j ph_fail
1:  CHECK_CAUSE2(PH_CAUSE_MISALIGNED_STORE, PH_CAUSE_STORE_ACCESS)
    ld a4, 0(a1)
    PH_CHECK(a4, 0x43)
    PH_CHECK(a0, 0x99)
    PH_TEST(32)
    addi a2, a1, 1
    PH_SET_RESUME(1f)
    amoor.d a0, a3, (a2)
    j ph_fail
1:  CHECK_CAUSE2(PH_CAUSE_MISALIGNED_STORE, PH_CAUSE_STORE_ACCESS)
    la t0, ph_tsave
    ld t1, PH_T_TVAL(t0)
    PH_BNE(t1, a2)                  /* mtval = the misaligned address */
    ld a4, 0(a1)
    PH_CHECK(a4, 0x43)
PH_ISA_PASS

    .data
    .align 4
amo_buf: .dword 0, 0

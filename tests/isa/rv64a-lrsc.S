/* RV64A LR/SC: successful pairs, failure without a reservation or on another address, W sign extension, misaligned LR traps. */
#include "ph-isa.h"

PH_ISA_BEGIN
    PH_TEST(1)                      /* LR.D then SC.D succeeds: rd = 0, memory written */
    la a1, buf
    li a2, 0x1122334455667788
    sd a2, 0(a1)
    lr.d a0, (a1)
    PH_BNE(a0, a2)
    li a3, 0x0102030405060708
    sc.d a4, a3, (a1)
    PH_CHECK(a4, 0)
    ld a0, 0(a1)
    PH_CHECK(a0, 0x0102030405060708)
    PH_TEST(2)                      /* a second SC has no reservation left: fails, memory unchanged */
    li a3, 0x99
    sc.d a4, a3, (a1)
    PH_CHECK(a4, 1)                 /* nonzero; 1 is the only failure code defined */
    ld a0, 0(a1)
    PH_CHECK(a0, 0x0102030405060708)
    PH_TEST(3)                      /* SC to an address other than the LR's fails */
    la a2, buf2
    lr.d a0, (a1)
    sc.d a4, a3, (a2)
    PH_CHECK(a4, 1)
    ld a0, 0(a2)
    PH_CHECK(a0, 0)
    PH_TEST(4)                      /* LR.W sign-extends; SC.W writes only 32 bits */
    li a2, 0x5555555580000001
    sd a2, 0(a1)
    lr.w a0, (a1)
    PH_CHECK(a0, 0xffffffff80000001)
    li a3, 0xaaaaaaaa00000002
    sc.w a4, a3, (a1)
    PH_CHECK(a4, 0)
    ld a0, 0(a1)
    PH_CHECK(a0, 0x5555555500000002)
    PH_TEST(5)                      /* SC.W without a reservation fails */
    addi a2, a1, 4
    sc.w a4, a3, (a2)
    PH_CHECK(a4, 1)
    ld a0, 0(a1)
    PH_CHECK(a0, 0x5555555500000002)
    PH_TEST(6)                      /* an atomic increment loop */
    sd zero, 0(a1)
    li a5, 100
1:  lr.d a0, (a1)
    addi a0, a0, 1
    sc.d a4, a0, (a1)
    bnez a4, 1b
    addi a5, a5, -1
    bnez a5, 1b
    ld a0, 0(a1)
    PH_CHECK(a0, 100)
    PH_TEST(7)                      /* aq/rl bits do not change the result */
    lr.d.aqrl a0, (a1)
    sc.d.rl a4, x0, (a1)
    PH_CHECK(a4, 0)
    ld a0, 0(a1)
    PH_CHECK(a0, 0)
    PH_TEST(8)                      /* misaligned LR.D: load misaligned or access fault */
    li a0, 0x77
    addi a2, a1, 4
    PH_SET_RESUME(1f)
    lr.d a0, (a2)
    j ph_fail
1:  la t0, ph_tsave
    ld t1, PH_T_CAUSE(t0)
    li t6, PH_CAUSE_MISALIGNED_LOAD
    beq t1, t6, 2f
    PH_CHECK(t1, PH_CAUSE_LOAD_ACCESS)
2:  PH_CHECK(a0, 0x77)
    PH_TEST(9)                      /* misaligned SC.W: store misaligned or access fault, no write */
    li a3, -1
    addi a2, a1, 2
    PH_SET_RESUME(1f)
    sc.w a4, a3, (a2)
#ifdef PH_ISA_QEMU
    /* QEMU 7.2 checks the reservation before alignment: the SC just fails. */
    PH_CHECK(a4, 1)
    PH_CLEAR_RESUME
    j 2f
#endif
    j ph_fail
1:  la t0, ph_tsave
    ld t1, PH_T_CAUSE(t0)
    li t6, PH_CAUSE_MISALIGNED_STORE
    beq t1, t6, 2f
    PH_CHECK(t1, PH_CAUSE_STORE_ACCESS)
2:  ld a0, 0(a1)
    PH_CHECK(a0, 0)
PH_ISA_PASS

    .data
    .align 12
buf: .dword 0, 0
    .align 12
buf2: .dword 0

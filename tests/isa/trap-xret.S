/* MRET and SRET: privilege transitions and the MPP/MPIE/MIE, SPP/SPIE/SIE and MPRV updates; trap entry saving xIE into xPIE. */
#include "ph-isa.h"

#define FIELDS(reg, mask) li t6, mask; and reg, reg, t6

PH_ISA_BEGIN
    PH_TEST(1)                      /* MRET to M: MIE = MPIE, MPIE = 1, MPP = U */
    li t0, PH_MSTATUS_MPP | PH_MSTATUS_MPIE
    csrs mstatus, t0
    csrci mstatus, PH_MSTATUS_MIE
    la t0, 1f
    csrw mepc, t0
    mret
    j ph_fail
1:  csrr a0, mstatus
    csrci mstatus, PH_MSTATUS_MIE
    FIELDS(a0, PH_MSTATUS_MPP | PH_MSTATUS_MPIE | PH_MSTATUS_MIE)
    PH_CHECK(a0, PH_MSTATUS_MPIE | PH_MSTATUS_MIE)
    PH_TEST(2)                      /* MRET with MPIE = 0: MIE = 0 */
    li t0, PH_MSTATUS_MPP | PH_MSTATUS_MIE
    csrs mstatus, t0
    li t0, PH_MSTATUS_MPIE
    csrc mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
1:  csrr a0, mstatus
    FIELDS(a0, PH_MSTATUS_MPP | PH_MSTATUS_MPIE | PH_MSTATUS_MIE)
    PH_CHECK(a0, PH_MSTATUS_MPIE)
    PH_TEST(3)                      /* MRET to S: an ECALL there has cause 9 */
    PH_SET_RESUME_M(1f)
    PH_GOTO_S(2f)
2:  ecall
1:  PH_CHECK_MCAUSE(PH_CAUSE_ECALL_S)
    PH_TEST(4)                      /* MRET to U clears MPRV */
    li t0, PH_MSTATUS_MPRV
    csrs mstatus, t0
    PH_GOTO_U(2f)
2:  PH_TO_M
    csrr a0, mstatus
    FIELDS(a0, PH_MSTATUS_MPRV)
#ifdef PH_ISA_QEMU
    /* QEMU 7.2 predates priv 1.12's "xRET to a mode below M clears MPRV" (fixed in 8.0). */
    li t0, PH_MSTATUS_MPRV
    csrc mstatus, t0
#else
    PH_CHECK(a0, 0)
#endif
    PH_CHECK_MCAUSE(PH_CAUSE_ECALL_U)
    PH_TEST(5)                      /* MRET to M keeps MPRV */
    li t0, PH_MSTATUS_MPRV | PH_MSTATUS_MPP
    csrs mstatus, t0
    la t0, 1f
    csrw mepc, t0
    mret
1:  csrr a0, mstatus
    li t0, PH_MSTATUS_MPRV
    csrc mstatus, t0
    FIELDS(a0, PH_MSTATUS_MPRV)
    PH_CHECK(a0, PH_MSTATUS_MPRV)
    PH_TEST(6)                      /* SRET from M to S: SIE = SPIE, SPIE = 1, SPP = U */
    li t0, PH_MSTATUS_SPP | PH_MSTATUS_SPIE
    csrs mstatus, t0
    csrci mstatus, PH_MSTATUS_SIE
    la t0, 2f
    csrw sepc, t0
    sret
2:  csrr a0, sstatus
    csrci sstatus, PH_MSTATUS_SIE
    PH_TO_M
    PH_CHECK_MCAUSE(PH_CAUSE_ECALL_S)       /* SRET went to S */
    FIELDS(a0, PH_MSTATUS_SPP | PH_MSTATUS_SPIE | PH_MSTATUS_SIE)
    PH_CHECK(a0, PH_MSTATUS_SPIE | PH_MSTATUS_SIE)
    PH_TEST(7)                      /* SRET from S to U */
    PH_GOTO_S(2f)
2:  li t0, PH_MSTATUS_SPP
    csrc sstatus, t0
    la t0, 3f
    csrw sepc, t0
    sret
3:  PH_TO_M
    PH_CHECK_MCAUSE(PH_CAUSE_ECALL_U)
    PH_TEST(8)                      /* trap entry: MPIE = old MIE, MIE = 0, MPP = old mode */
    csrsi mstatus, PH_MSTATUS_MIE   /* mie = 0: no interrupt can be taken */
    PH_SET_RESUME(1f)
    ecall
1:  csrr a0, mstatus
    FIELDS(a0, PH_MSTATUS_MIE)
    PH_CHECK(a0, PH_MSTATUS_MIE)    /* MRET restored it */
    la t0, ph_tsave
    ld a0, PH_T_STATUS(t0)
    FIELDS(a0, PH_MSTATUS_MPP | PH_MSTATUS_MPIE | PH_MSTATUS_MIE)
    PH_CHECK(a0, PH_MSTATUS_MPP | PH_MSTATUS_MPIE)
    csrci mstatus, PH_MSTATUS_MIE
    PH_TEST(9)                      /* delegated trap entry: SPIE = old SIE, SIE = 0, SPP = S */
    li t0, 1 << 3
    csrw medeleg, t0
    PH_SET_SRESUME_S(3f)
    PH_GOTO_S(2f)
2:  csrsi sstatus, PH_MSTATUS_SIE   /* sie = 0: no interrupt can be taken */
    ebreak
3:  csrr a1, sstatus
    PH_TO_M
    csrw medeleg, zero
    la t0, ph_ssave
    ld a0, PH_T_STATUS(t0)
    FIELDS(a0, PH_MSTATUS_SPP | PH_MSTATUS_SPIE | PH_MSTATUS_SIE)
    PH_CHECK(a0, PH_MSTATUS_SPP | PH_MSTATUS_SPIE)
    FIELDS(a1, PH_MSTATUS_SIE)      /* SRET restored SIE */
    PH_CHECK(a1, PH_MSTATUS_SIE)
    PH_TEST(10)                     /* MPP is WARL: the reserved value 2 does not stick */
    li t0, PH_MSTATUS_MPP
    csrc mstatus, t0
    li t0, 2 << 11
    csrs mstatus, t0
    csrr a0, mstatus
    FIELDS(a0, PH_MSTATUS_MPP)
    li t6, 2 << 11
#ifndef PH_ISA_QEMU
    beq a0, t6, ph_fail
#endif
    /* (QEMU 7.2 stores MPP = 2 as written; mret would then enter mode 2.) */
    li t0, PH_MSTATUS_MPP
    csrc mstatus, t0
PH_ISA_PASS

/* ECALL and EBREAK from U, S and M (causes 8, 9, 11, 3), and medeleg sending them to S. */
#include "ph-isa.h"

PH_ISA_BEGIN
    PH_TEST(1)                      /* ECALL from M: cause 11, mepc = the ECALL, mtval = 0 */
    PH_SET_RESUME(1f)
2:  ecall
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ECALL_M)
    PH_CHECK_MEPC(2b)
    PH_CHECK_MTVAL(0)
    PH_TEST(2)                      /* ECALL from S: cause 9 */
    PH_SET_RESUME_M(1f)
    PH_GOTO_S(2f)
2:  ecall
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ECALL_S)
    PH_CHECK_MEPC(2b)
    la t0, ph_tsave                 /* MPP recorded the mode that trapped */
    ld t1, PH_T_STATUS(t0)
    li t6, PH_MSTATUS_MPP
    and t1, t1, t6
    PH_CHECK(t1, 1 << 11)
    PH_TEST(3)                      /* ECALL from U: cause 8, MPP = U */
    PH_SET_RESUME_M(1f)
    PH_GOTO_U(2f)
2:  ecall
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ECALL_U)
    PH_CHECK_MEPC(2b)
    la t0, ph_tsave
    ld t1, PH_T_STATUS(t0)
    li t6, PH_MSTATUS_MPP
    and t1, t1, t6
    PH_CHECK(t1, 0)
    PH_TEST(4)                      /* EBREAK from M: cause 3, mepc = the EBREAK */
    PH_SET_RESUME(1f)
2:  ebreak
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_BREAKPOINT)
    PH_CHECK_MEPC(2b)
    la t0, ph_tsave                 /* mtval is 0 or the EBREAK's address */
    ld t1, PH_T_TVAL(t0)
    beqz t1, 3f
    la t6, 2b
    PH_BNE(t1, t6)
3:
    PH_TEST(5)                      /* medeleg: which bits are delegable */
    li t0, -1
    csrw medeleg, t0
    csrr a0, medeleg
    /* (medeleg[11] "should" be read-only zero; QEMU keeps it writable.  Either is allowed.) */
    li t6, (1 << 8) | (1 << 3) | (1 << 2) | (1 << 12) | (1 << 13) | (1 << 15)
    and a1, a0, t6
    PH_BNE(a1, t6)
    csrw medeleg, zero
    PH_TEST(6)                      /* ECALL from U delegated: taken in S with scause 8 */
    li t0, 1 << 8
    csrw medeleg, t0
    PH_SET_SRESUME_S(3f)
    PH_GOTO_U(2f)
2:  ecall
    j ph_fail
3:  PH_TO_M
    PH_CHECK_SCAUSE(PH_CAUSE_ECALL_U)
    PH_CHECK_SEPC(2b)
    PH_CHECK_MCAUSE(PH_CAUSE_ECALL_S)       /* the way back was not delegated */
    la t0, ph_ssave                 /* sstatus at the trap: SPP = U */
    ld a0, PH_T_STATUS(t0)
    li t6, PH_MSTATUS_SPP
    and a0, a0, t6
    PH_CHECK(a0, 0)
    PH_TEST(7)                      /* delegation never applies to traps from M */
    li t0, (1 << 3) | (1 << 8) | (1 << 9)
    csrw medeleg, t0
    la t0, ph_ssave
    ld s2, PH_T_COUNT(t0)
    PH_SET_RESUME(1f)
    ebreak
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_BREAKPOINT)
    PH_CHECK_REC(ph_ssave, PH_T_COUNT, 1)   /* S took only the one trap of case 6 */
    PH_TEST(8)                      /* EBREAK from S delegated: scause 3, SPP = S */
    li t0, 1 << 3
    csrw medeleg, t0
    PH_SET_SRESUME_S(3f)
    PH_GOTO_S(2f)
2:  ebreak
    j ph_fail
3:  PH_TO_M
    PH_CHECK_SCAUSE(PH_CAUSE_BREAKPOINT)
    PH_CHECK_SEPC(2b)
    la t0, ph_ssave                 /* sstatus at the trap: SPP = S */
    ld a0, PH_T_STATUS(t0)
    li t6, PH_MSTATUS_SPP
    and a0, a0, t6
    PH_CHECK(a0, PH_MSTATUS_SPP)
    PH_TEST(9)                      /* ECALL from S delegated to S itself: scause 9 */
    li t0, 1 << 9
    csrw medeleg, t0
    PH_SET_SRESUME_S(3f)
    PH_GOTO_S(2f)
2:  ecall
    j ph_fail
3:  li t0, 0
    csrw sscratch, t0               /* S CSRs are fine in S */
    csrr a0, scause
    PH_CHECK(a0, PH_CAUSE_ECALL_S)
    li gp, 10                       /* case 10: back to M with ECALL from S, now not delegated */
    j 4f
4:  li t0, 0
    /* medeleg is an M CSR: S cannot clear it, so leave through an illegal instruction */
    PH_SET_RESUME_M(5f)
    csrr a1, medeleg
    j ph_fail
5:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    csrw medeleg, zero
PH_ISA_PASS

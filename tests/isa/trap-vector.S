/* Software-raised interrupts (mip SSIP/STIP/SEIP): vectored mtvec/stvec, priority order, mideleg, and when each mode takes them. */
#include "ph-isa.h"

/*
 * The interrupt handlers append their code to s9 (s9 = s9 << 8 | code) and
 * clear the pending bit they served; they use only s9 and s10.  M codes are
 * the cause number, S codes 0x10 + cause.
 */
#define MIP_SSIP (1 << 1)
#define MIP_STIP (1 << 5)
#define MIP_SEIP (1 << 9)

PH_ISA_BEGIN
    PH_TEST(1)                      /* vectored mode sticks in mtvec */
    la t0, mvec
    ori t0, t0, 1
    csrw mtvec, t0
    csrr a0, mtvec
    PH_BNE(a0, t0)
    la t0, svec
    ori t0, t0, 1
    csrw stvec, t0
    csrr a0, stvec
    PH_BNE(a0, t0)
    PH_TEST(2)                      /* exceptions still go to the base */
    PH_SET_RESUME(1f)
    ecall
1:  PH_CHECK_MCAUSE(PH_CAUSE_ECALL_M)
    PH_TEST(3)                      /* an interrupt goes to base + 4 * cause */
    li s9, 0
    li t0, MIP_SSIP
    csrs mie, t0
    csrs mip, t0
    PH_CHECK(s9, 0)                 /* MIE = 0: nothing yet */
    csrsi mstatus, PH_MSTATUS_MIE
    nop
    csrci mstatus, PH_MSTATUS_MIE
    PH_CHECK(s9, 1)
    csrr a0, mip
    andi a0, a0, MIP_SSIP
    PH_CHECK(a0, 0)
    PH_TEST(4)                      /* priority: SEI, then SSI, then STI */
    li s9, 0
    li t0, MIP_SSIP | MIP_STIP | MIP_SEIP
    csrs mie, t0
    csrs mip, t0
    csrsi mstatus, PH_MSTATUS_MIE
    nop
    csrci mstatus, PH_MSTATUS_MIE
#ifdef PH_ISA_QEMU
    /* QEMU 7.2 without AIA takes the lowest-numbered pending interrupt first. */
    PH_CHECK(s9, 0x010509)
#else
    PH_CHECK(s9, 0x090105)
#endif
    PH_TEST(5)                      /* pending but not enabled in mie: not taken */
    li s9, 0
    li t0, MIP_STIP
    csrc mie, t0
    csrs mip, t0
    csrsi mstatus, PH_MSTATUS_MIE
    nop
    csrci mstatus, PH_MSTATUS_MIE
    PH_CHECK(s9, 0)
    csrc mip, t0
    PH_TEST(6)                      /* mideleg: delegated interrupts are never taken in M */
    li t0, MIP_SSIP | MIP_STIP
    csrw mideleg, t0
    csrr a0, mideleg
    andi a0, a0, MIP_SSIP | MIP_STIP | MIP_SEIP     /* (QEMU has H: VS bits read as one) */
    PH_BNE(a0, t0)
    li t0, MIP_SSIP | MIP_STIP | MIP_SEIP
    csrs mie, t0
    li t0, MIP_SSIP
    csrs mip, t0
    csrsi mstatus, PH_MSTATUS_MIE
    nop
    csrci mstatus, PH_MSTATUS_MIE
    PH_CHECK(s9, 0)
    PH_TEST(7)                      /* in S with SIE = 0 it waits; SIE = 1 takes it at stvec + 4 */
    csrci mstatus, PH_MSTATUS_SIE
    PH_GOTO_S(2f)
2:  nop
    PH_CHECK(s9, 0)
    csrr a0, sip                    /* visible in sip because it is delegated */
    andi a0, a0, MIP_SSIP
    PH_CHECK(a0, MIP_SSIP)
    csrsi sstatus, PH_MSTATUS_SIE
    nop
    csrci sstatus, PH_MSTATUS_SIE
    PH_CHECK(s9, 0x11)
    PH_TEST(8)                      /* an M-level interrupt is taken in S even with MIE = 0 */
    li s9, 0
    PH_TO_M
    li t0, MIP_SEIP
    csrs mip, t0                    /* pending, not delegated; MIE = 0 */
    PH_GOTO_S(2f)
2:  nop
    PH_TO_M
    PH_CHECK(s9, 0x09)
    PH_TEST(9)                      /* in U, a delegated interrupt is taken whatever SIE is */
    li s9, 0
    csrci mstatus, PH_MSTATUS_SIE
    li t0, MIP_STIP
    csrs mip, t0
    PH_GOTO_U(2f)
2:  nop
    PH_TO_M
    PH_CHECK(s9, 0x15)
    la t0, ph_ssave                 /* the ECALL itself went to M, S saw no exception */
    ld a0, PH_T_COUNT(t0)
    PH_CHECK(a0, 0)
    PH_TEST(10)                     /* S can raise and clear SSIP through sip */
    li s9, 0
    PH_GOTO_S(2f)
2:  csrsi sip, MIP_SSIP
    csrr a0, sip
    andi a0, a0, MIP_SSIP
    PH_CHECK(a0, MIP_SSIP)
    csrci sip, MIP_SSIP
    csrr a0, sip
    andi a0, a0, MIP_SSIP
    PH_CHECK(a0, 0)
    PH_TO_M
    PH_CHECK(s9, 0)
    csrw mie, zero
    csrw mideleg, zero
PH_ISA_PASS

    .align 8
mvec:
    j ph_trap_m                     /* 0: exceptions */
    j mvec_ssi                      /* 1 */
    j ph_fail
    j ph_fail
    j ph_fail
    j mvec_sti                      /* 5 */
    j ph_fail
    j ph_fail
    j ph_fail
    j mvec_sei                      /* 9 */
    j ph_fail
    j ph_fail
mvec_ssi:
    slli s9, s9, 8
    ori s9, s9, 1
    li s10, MIP_SSIP
    csrc mip, s10
    mret
mvec_sti:
    slli s9, s9, 8
    ori s9, s9, 5
    li s10, MIP_STIP
    csrc mip, s10
    mret
mvec_sei:
    slli s9, s9, 8
    ori s9, s9, 9
    li s10, MIP_SEIP
    csrc mip, s10
    mret

    .align 8
svec:
    j ph_trap_s
    j svec_ssi                      /* 1 */
    j ph_fail
    j ph_fail
    j ph_fail
    j svec_sti                      /* 5 */
    j ph_fail
svec_ssi:
    slli s9, s9, 8
    ori s9, s9, 0x11
    csrci sip, MIP_SSIP
    sret
svec_sti:
    /* STIP is read-only in sip: S asks M to clear it (ECALL from S, not delegated) */
    slli s9, s9, 8
    ori s9, s9, 0x15
    csrw sscratch, ra
    csrr s10, sepc
    ecall                           /* lands in M after this ECALL, in M mode */
    li ra, MIP_STIP
    csrc mip, ra
    /* back to S to finish the SRET: rebuild sepc/sstatus */
    la ra, 1f
    csrw mepc, ra
    li ra, PH_MSTATUS_MPP
    csrc mstatus, ra
    li ra, 1 << 11
    csrs mstatus, ra
    mret
1:  csrw sepc, s10
    csrr ra, sscratch
    sret

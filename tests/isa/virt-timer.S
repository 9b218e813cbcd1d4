/* CLINT timer on the virt board: mtime advances with the time CSR, MTIP follows mtimecmp, timer interrupts in M and from S, WFI wake-up. */
#include "ph-isa.h"

#define CLINT_MTIMECMP 0x2004000
#define CLINT_MTIME    0x200bff8
#define MIP_MTIP (1 << 7)

/* s9 = mcause of the last interrupt (the handler also disarms the timer, or re-arms it s7 ticks on
 * when s7 is not 0); s11 counts them. */
#define DISARM li t0, CLINT_MTIMECMP; li t1, -1; sd t1, 0(t0)
#define ARM_IN(ticks) li t0, CLINT_MTIME; ld t1, 0(t0); li t2, ticks; add t1, t1, t2; li t0, CLINT_MTIMECMP; sd t1, 0(t0)
/* Spins until a0, recomputed by the code between them each round, is nonzero; fails after ~@max rounds. */
#define WAIT_BEGIN(max) li s8, max; 19991:
#define WAIT_END bnez a0, 19990f; addi s8, s8, -1; bnez s8, 19991b; j ph_fail; 19990:

PH_ISA_BEGIN
    la t0, handler
    csrw mtvec, t0
    DISARM
    li s7, 0
    li s9, 0
    li s11, 0
    PH_TEST(1)                      /* mtime advances; rdtime agrees with it */
    li a1, CLINT_MTIME
    rdtime a2
    ld a0, 0(a1)
    rdtime a3
    bltu a0, a2, ph_fail
    bltu a3, a0, ph_fail
    mv a5, a0
    WAIT_BEGIN(10000000) ld a4, 0(a1); sub a0, a4, a5; WAIT_END
    PH_TEST(2)                      /* mtimecmp is a 64-bit register */
    li a1, CLINT_MTIMECMP
    li a2, 0x123456789abcdef0
    sd a2, 0(a1)
    ld a0, 0(a1)
    PH_BNE(a0, a2)
    lw a0, 4(a1)                    /* and 32-bit halves read back too */
    PH_CHECK(a0, 0x12345678)
    DISARM
    PH_TEST(3)                      /* far future: MTIP clear */
    csrr a0, mip
    andi a0, a0, MIP_MTIP
    PH_CHECK(a0, 0)
    PH_TEST(4)                      /* mtimecmp in the past: MTIP set (mie off, nothing taken) */
    li a1, CLINT_MTIMECMP
    sd zero, 0(a1)
    WAIT_BEGIN(1000000) csrr a0, mip; andi a0, a0, MIP_MTIP; WAIT_END
    PH_CHECK(s11, 0)
    DISARM
    WAIT_BEGIN(1000000) csrr a0, mip; andi a0, a0, MIP_MTIP; seqz a0, a0; WAIT_END
    PH_TEST(5)                      /* a timer interrupt in M */
    li t0, MIP_MTIP
    csrs mie, t0
    csrsi mstatus, PH_MSTATUS_MIE
    ARM_IN(1000)                    /* 100 us */
    WAIT_BEGIN(100000000) mv a0, s11; WAIT_END
    csrci mstatus, PH_MSTATUS_MIE
    PH_CHECK(s9, PH_CAUSE_INTR | 7)
    PH_CHECK(s11, 1)
    PH_TEST(6)                      /* WFI with MIE = 0 wakes up on the pending timer, nothing taken */
    ARM_IN(10000)                   /* 1 ms */
    wfi                             /* may return early (it is a hint); the wait below covers that */
    WAIT_BEGIN(1000000) csrr a0, mip; andi a0, a0, MIP_MTIP; WAIT_END
    PH_CHECK(s11, 1)
    csrsi mstatus, PH_MSTATUS_MIE   /* now it is taken */
    nop
    csrci mstatus, PH_MSTATUS_MIE
    PH_CHECK(s11, 2)
    PH_TEST(7)                      /* WFI with MIE = 1: the handler runs, then the code after WFI */
    /*
     * Should the host stall this hart for the whole 1 ms between ARM_IN
     * and the WFI, the interrupt is taken before the WFI, and a WFI with
     * nothing armed would sleep for good (as on hardware).  So the handler
     * re-arms 1 ms on while s7 is set: a backstop that may count more.
     */
    li s7, 10000
    ARM_IN(10000)
    csrsi mstatus, PH_MSTATUS_MIE
1:  wfi
    li t0, 3
    bltu s11, t0, 1b                /* (spurious wake-ups are allowed) */
    csrci mstatus, PH_MSTATUS_MIE
    li s7, 0
    DISARM
    li s11, 3
    PH_TEST(8)                      /* an M timer interrupt preempts S even with MIE = SIE = 0 */
    csrci mstatus, PH_MSTATUS_MIE | PH_MSTATUS_SIE
    ARM_IN(1000)
    PH_GOTO_S(2f)
2:  WAIT_BEGIN(100000000) addi a0, s11, -4; seqz a0, a0; WAIT_END
    PH_TO_M
    la t0, ph_tsave                 /* the ECALL after it came from S */
    ld a0, PH_T_CAUSE(t0)
    PH_CHECK(a0, PH_CAUSE_ECALL_S)
    PH_TEST(9)                      /* masked in mie: never taken, even in S */
    li t0, MIP_MTIP
    csrc mie, t0
    li a1, CLINT_MTIMECMP
    sd zero, 0(a1)
    PH_GOTO_S(2f)
2:  li t0, 10000
3:  addi t0, t0, -1
    bnez t0, 3b
    PH_TO_M
    PH_CHECK(s11, 4)
    DISARM
PH_ISA_PASS

    .align 2
handler:
    csrw mscratch, t0
    csrr t0, mcause
    bgez t0, 1f                     /* exceptions: the env's handler */
    csrr s9, mcause
    addi s11, s11, 1
    li s10, -1                      /* disarm (clears MTIP), */
    beqz s7, 3f
    li t0, CLINT_MTIME              /* or the backstop of test 7 */
    ld s10, 0(t0)
    add s10, s10, s7
3:  li t0, CLINT_MTIMECMP
    sd s10, 0(t0)
    /* the device's line reaches mip with some latency: wait, or the MRET would retake it */
2:  csrr t0, mip
    andi t0, t0, MIP_MTIP
    bnez t0, 2b
    csrr t0, mscratch
    mret
1:  csrr t0, mscratch
    j ph_trap_m

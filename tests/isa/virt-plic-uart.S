/* External interrupts on the virt board: the UART's THRE interrupt through the PLIC to MEIP and SEIP, claim/complete, priority threshold, and the trap it causes. */
#include "ph-isa.h"

#define UART        0x10000000
#define UART_IER    1
#define UART_IIR    2
#define UART_IRQ    10
#define PLIC_PRIO   (0x0c000000 + 4 * UART_IRQ)
#define PLIC_PEND   0x0c001000
#define PLIC_EN_M   0x0c002000
#define PLIC_EN_S   0x0c002080
#define PLIC_THR_M  0x0c200000
#define PLIC_CLM_M  0x0c200004
#define PLIC_THR_S  0x0c201000
#define MIP_MEIP    (1 << 11)
#define MIP_SEIP    (1 << 9)

#define WAIT_BEGIN(max) li s8, max; 19991:
#define WAIT_END bnez a0, 19990f; addi s8, s8, -1; bnez s8, 19991b; j ph_fail; 19990:

PH_ISA_BEGIN
    la t0, handler
    csrw mtvec, t0
    li s9, 0
    li s1, UART
    sb zero, UART_IER(s1)           /* no UART interrupt yet */

    PH_TEST(1)                      /* the source's priority register holds 3 bits */
    li a1, PLIC_PRIO
    li t0, 0xffffffff
    sw t0, 0(a1)
    lw a0, 0(a1)
    PH_CHECK(a0, 7)
    li t0, 1
    sw t0, 0(a1)

    PH_TEST(2)                      /* THRE with ETBEI set: the UART line is pending at the PLIC */
    li t0, 0x02
    sb t0, UART_IER(s1)
    li a1, PLIC_PEND
    WAIT_BEGIN(1000000) lw a0, 0(a1); srli a0, a0, UART_IRQ; andi a0, a0, 1; WAIT_END

    PH_TEST(3)                      /* not enabled for context 0: no MEIP */
    csrr a0, mip
    li t0, MIP_MEIP
    and a0, a0, t0
    PH_CHECK(a0, 0)

    PH_TEST(4)                      /* enabled, threshold 0 < priority 1: MEIP rises */
    li a1, PLIC_EN_M                /* (QEMU 7.2 re-evaluates on the threshold write, */
    li t0, 1 << UART_IRQ            /* not on the enable write: keep this order) */
    sw t0, 0(a1)
    li a1, PLIC_THR_M
    sw zero, 0(a1)
    WAIT_BEGIN(1000000) csrr a0, mip; li t0, MIP_MEIP; and a0, a0, t0; WAIT_END

    PH_TEST(5)                      /* threshold 1 masks priority 1: MEIP falls */
    li a1, PLIC_THR_M
    li t0, 1
    sw t0, 0(a1)
    WAIT_BEGIN(1000000) csrr a0, mip; li t0, MIP_MEIP; and a0, a0, t0; seqz a0, a0; WAIT_END
    sw zero, 0(a1)

    PH_TEST(6)                      /* the trap: cause 11 (interrupt), claim gives 10, IIR says THRE */
    li t0, MIP_MEIP
    csrs mie, t0
    csrsi mstatus, PH_MSTATUS_MIE
    WAIT_BEGIN(1000000) mv a0, s9; WAIT_END
    csrci mstatus, PH_MSTATUS_MIE
    li t0, (11 << 16) | (UART_IRQ << 8) | 0x02
    PH_BNE(s9, t0)

    PH_TEST(7)                      /* reading IIR cleared THRE: nothing pending, MEIP low */
    WAIT_BEGIN(1000000) csrr a0, mip; li t0, MIP_MEIP; and a0, a0, t0; seqz a0, a0; WAIT_END
    li a1, PLIC_CLM_M
    lw a0, 0(a1)
    PH_CHECK(a0, 0)

    PH_TEST(8)                      /* writing IER again re-arms THRE; context 1 drives SEIP */
    li a1, PLIC_EN_M
    sw zero, 0(a1)
    li a1, PLIC_EN_S
    li t0, 1 << UART_IRQ
    sw t0, 0(a1)
    li a1, PLIC_THR_S
    sw zero, 0(a1)
    sb zero, UART_IER(s1)
    li t0, 0x02
    sb t0, UART_IER(s1)
    WAIT_BEGIN(1000000) csrr a0, mip; li t0, MIP_SEIP; and a0, a0, t0; WAIT_END
    csrr a0, mip
    li t0, MIP_MEIP
    and a0, a0, t0
    PH_CHECK(a0, 0)

    PH_TEST(9)                      /* the gateway latched it: pending until claimed from context 1 */
    sb zero, UART_IER(s1)
    li a1, PLIC_THR_S + 4
    lw a0, 0(a1)
    PH_CHECK(a0, UART_IRQ)
    li t0, UART_IRQ
    sw t0, 0(a1)                    /* complete: the line is low now, so SEIP falls */
    WAIT_BEGIN(1000000) csrr a0, mip; li t0, MIP_SEIP; and a0, a0, t0; seqz a0, a0; WAIT_END
    csrw mie, zero
PH_ISA_PASS

    .align 2
handler:
    csrw mscratch, t0
    csrr t0, mcause
    bgez t0, 9f
    andi t0, t0, 0xff
    slli s9, t0, 16                 /* cause << 16 | claim << 8 | IIR & 0xf */
    li t0, PLIC_CLM_M
    lw t0, 0(t0)
    slli t0, t0, 8
    or s9, s9, t0
    li t0, UART
    lbu t0, UART_IIR(t0)
    andi t0, t0, 0x0f
    or s9, s9, t0
    li t0, PLIC_CLM_M               /* complete */
    sw zero, 0(t0)
    li t0, UART_IRQ
    li s10, PLIC_CLM_M
    sw t0, 0(s10)
    /* the line reaches mip with some latency: wait, or the MRET would retake it */
3:  csrr t0, mip
    li s10, MIP_MEIP
    and t0, t0, s10
    bnez t0, 3b
    csrr t0, mscratch
    mret
9:  csrr t0, mscratch
    j ph_trap_m

/* CLINT software interrupt on the virt board: msip drives mip.MSIP, MSI is taken and cleared, WFI with a pending interrupt, priority over MTI. */
#include "ph-isa.h"

#define CLINT_MSIP     0x2000000
#define CLINT_MTIMECMP 0x2004000
#define MIP_SSIP (1 << 1)
#define MIP_MSIP (1 << 3)
#define MIP_MTIP (1 << 7)

/* The handler appends each interrupt's cause to s9 (s9 << 8 | cause) and clears its source. */

#define WAIT_BEGIN(max) li s8, max; 19991:
#define WAIT_END bnez a0, 19990f; addi s8, s8, -1; bnez s8, 19991b; j ph_fail; 19990:

PH_ISA_BEGIN
    la t0, handler
    csrw mtvec, t0
    li t0, CLINT_MTIMECMP
    li t1, -1
    sd t1, 0(t0)
    li s9, 0
    PH_TEST(1)                      /* msip = 1 raises MSIP; only bit 0 exists */
    li a1, CLINT_MSIP
    li a2, 0xffffffff
    sw a2, 0(a1)
    lw a0, 0(a1)
    PH_CHECK(a0, 1)
    WAIT_BEGIN(1000000) csrr a0, mip; andi a0, a0, MIP_MSIP; WAIT_END
    PH_TEST(2)                      /* msip = 0 lowers it */
    sw zero, 0(a1)
    lw a0, 0(a1)
    PH_CHECK(a0, 0)
    WAIT_BEGIN(1000000) csrr a0, mip; andi a0, a0, MIP_MSIP; seqz a0, a0; WAIT_END
    PH_TEST(3)                      /* mip.MSIP is read-only to software */
    csrsi mip, MIP_MSIP
    csrr a0, mip
    andi a0, a0, MIP_MSIP
    PH_CHECK(a0, 0)
    PH_TEST(4)                      /* the interrupt is taken, the handler clears msip */
    li t0, MIP_MSIP
    csrs mie, t0
    csrsi mstatus, PH_MSTATUS_MIE
    li t0, 1
    sw t0, 0(a1)
    WAIT_BEGIN(1000000) mv a0, s9; WAIT_END
    csrci mstatus, PH_MSTATUS_MIE
    PH_CHECK(s9, 3)
    PH_TEST(5)                      /* WFI with an interrupt already pending does not sleep */
    li s9, 0
    li t0, 1
    sw t0, 0(a1)
    WAIT_BEGIN(1000000) csrr a0, mip; andi a0, a0, MIP_MSIP; WAIT_END
    wfi                             /* MIE = 0: falls through, nothing taken */
    PH_CHECK(s9, 0)
    csrsi mstatus, PH_MSTATUS_MIE
    nop
    csrci mstatus, PH_MSTATUS_MIE
    PH_CHECK(s9, 3)
    PH_TEST(6)                      /* priority: MSI before MTI */
    li s9, 0
    li t0, MIP_MTIP
    csrs mie, t0
    li t0, CLINT_MTIMECMP
    sd zero, 0(t0)
    li t0, 1
    sw t0, 0(a1)
    WAIT_BEGIN(1000000) csrr a0, mip; andi a0, a0, MIP_MSIP; WAIT_END
    WAIT_BEGIN(1000000) csrr a0, mip; andi a0, a0, MIP_MTIP; WAIT_END
    csrsi mstatus, PH_MSTATUS_MIE
    nop
    csrci mstatus, PH_MSTATUS_MIE
    PH_CHECK(s9, 0x0307)
    PH_TEST(7)                      /* priority: MTI before SSI */
    li s9, 0
    li t0, MIP_SSIP
    csrs mie, t0
    csrs mip, t0
    li t0, CLINT_MTIMECMP
    sd zero, 0(t0)
    WAIT_BEGIN(1000000) csrr a0, mip; andi a0, a0, MIP_MTIP; WAIT_END
    csrsi mstatus, PH_MSTATUS_MIE
    nop
    csrci mstatus, PH_MSTATUS_MIE
#ifdef PH_ISA_QEMU
    /* QEMU 7.2 without AIA takes the lowest-numbered pending interrupt first. */
    PH_CHECK(s9, 0x0107)
#else
    PH_CHECK(s9, 0x0701)
#endif
    csrw mie, zero
PH_ISA_PASS

    .align 2
handler:
    csrw mscratch, t0
    csrr t0, mcause
    bgez t0, 9f
    slli s9, s9, 8
    andi t0, t0, 0xff
    or s9, s9, t0
    addi t0, t0, -3
    bnez t0, 1f
    li t0, CLINT_MSIP               /* MSI */
    sw zero, 0(t0)
    /* the device's line reaches mip with some latency: wait, or the MRET would retake it */
3:  csrr t0, mip
    andi t0, t0, MIP_MSIP
    bnez t0, 3b
    j 8f
1:  addi t0, t0, 3 - 7
    bnez t0, 2f
    li t0, CLINT_MTIMECMP           /* MTI */
    li s10, -1
    sd s10, 0(t0)
4:  csrr t0, mip
    andi t0, t0, MIP_MTIP
    bnez t0, 4b
    j 8f
2:  li t0, MIP_SSIP                 /* SSI */
    csrc mip, t0
8:  csrr t0, mscratch
    mret
9:  csrr t0, mscratch
    j ph_trap_m

/* Runtime of Porthole's ISA tests: reset entry, M/S trap handlers, pass/fail exits, tohost. */
#include "ph-isa.h"

/* The SiFive test device of QEMU's virt board (and of Porthole's). */
#define PH_SIFIVE_TEST 0x100000

    .section .text.init, "ax", @progbits
    .globl _start
_start:
    /*
     * Without a PMP entry QEMU denies every S/U access; allow all.  Hosts
     * without PMP trap on the CSR: the temporary mtvec skips to 1f.
     */
    la t0, 1f
    csrw mtvec, t0
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f                 /* NAPOT, R W X */
    csrw pmpcfg0, t0
    .align 2
1:
    la t0, ph_trap_m
    csrw mtvec, t0
    la t0, ph_trap_s
    csrw stvec, t0
    csrw mie, zero
    csrw mip, zero
    csrw mideleg, zero
    csrw medeleg, zero
    csrw satp, zero
    li t0, (1 << 13)            /* FS = Initial; MPP = U, MIE = 0 */
    csrw mstatus, t0
    csrwi fcsr, 0
    la sp, ph_stack_top
    li gp, 0
    j ph_test_body

/* Traps taken to M.  Records the trap in ph_tsave; see ph-isa.h. */
    .align 2
    .globl ph_trap_m
ph_trap_m:
    csrw mscratch, t0
    la t0, ph_tsave
    sd t1, PH_T_T1(t0)
    sd t2, PH_T_T2(t0)
    csrr t1, mcause
    sd t1, PH_T_CAUSE(t0)
    csrr t1, mtval
    sd t1, PH_T_TVAL(t0)
    csrr t1, mepc
    sd t1, PH_T_EPC(t0)
    csrr t1, mstatus
    sd t1, PH_T_STATUS(t0)
    ld t1, PH_T_COUNT(t0)
    addi t1, t1, 1
    sd t1, PH_T_COUNT(t0)
    ld t1, PH_T_RESUME(t0)
    beqz t1, 2f
    sd zero, PH_T_RESUME(t0)
    csrw mepc, t1
    ld t1, PH_T_TOUPPER(t0)
    beqz t1, 4f
    sd zero, PH_T_TOUPPER(t0)
    li t1, PH_MSTATUS_MPP
    csrs mstatus, t1
    j 4f
2:  /* Not armed: an ECALL returns to M after it; anything else fails. */
    csrr t1, mcause
    li t2, PH_CAUSE_ECALL_U
    beq t1, t2, 3f
    li t2, PH_CAUSE_ECALL_S
    beq t1, t2, 3f
    li t2, PH_CAUSE_ECALL_M
    beq t1, t2, 3f
    j ph_fail
3:
    csrr t1, mepc
    addi t1, t1, 4
    csrw mepc, t1
    li t1, PH_MSTATUS_MPP
    csrs mstatus, t1
4:
    ld t1, PH_T_T1(t0)
    ld t2, PH_T_T2(t0)
    csrr t0, mscratch
    mret

/* Traps delegated to S.  Records in ph_ssave; only armed traps resume. */
    .align 2
    .globl ph_trap_s
ph_trap_s:
    csrw sscratch, t0
    la t0, ph_ssave
    sd t1, PH_T_T1(t0)
    sd t2, PH_T_T2(t0)
    csrr t1, scause
    sd t1, PH_T_CAUSE(t0)
    csrr t1, stval
    sd t1, PH_T_TVAL(t0)
    csrr t1, sepc
    sd t1, PH_T_EPC(t0)
    csrr t1, sstatus
    sd t1, PH_T_STATUS(t0)
    ld t1, PH_T_COUNT(t0)
    addi t1, t1, 1
    sd t1, PH_T_COUNT(t0)
    ld t1, PH_T_RESUME(t0)
    beqz t1, ph_fail
    sd zero, PH_T_RESUME(t0)
    csrw sepc, t1
    ld t1, PH_T_TOUPPER(t0)
    beqz t1, 1f
    sd zero, PH_T_TOUPPER(t0)
    li t1, PH_MSTATUS_SPP
    csrs sstatus, t1
1:
    ld t1, PH_T_T1(t0)
    ld t2, PH_T_T2(t0)
    csrr t0, sscratch
    sret

/*
 * Exits.  HTIF: tohost = 1 passes, (n << 1) | 1 fails case n.  Builds for
 * the virt board first write the SiFive test device (0x5555 passes,
 * n << 16 | 0x3333 fails case n), so that both QEMU's virt (no HTIF) and
 * Porthole exit through it; HTIF follows as a fallback.
 */
    .globl ph_pass
ph_pass:
    fence
#ifdef PH_ISA_VIRT
    li t1, PH_SIFIVE_TEST
    li t0, 0x5555
    sw t0, 0(t1)
#endif
    li t0, 1
    la t1, tohost
    sd t0, 0(t1)
1:  j 1b

    .globl ph_fail
ph_fail:
    fence
    bnez gp, 1f
    li gp, 4095                 /* a failure before any case must not read as a pass */
1:
#ifdef PH_ISA_VIRT
    li t1, PH_SIFIVE_TEST
    slli t0, gp, 16
    li t2, 0x3333
    or t0, t0, t2
    sw t0, 0(t1)
#endif
    slli t0, gp, 1
    ori t0, t0, 1
    la t1, tohost
    sd t0, 0(t1)
1:  j 1b

    .section .tohost, "aw", @progbits
    .align 6
    .globl tohost
    .type tohost, @object
    .size tohost, 8     /* QEMU's HTIF insists on 8-byte symbols */
tohost: .dword 0
    .align 6
    .globl fromhost
    .type fromhost, @object
    .size fromhost, 8
fromhost: .dword 0

    .data
    .align 6
    .globl ph_tsave
ph_tsave: .zero PH_T_SIZE
    .align 6
    .globl ph_ssave
ph_ssave: .zero PH_T_SIZE

    .bss
    .align 12
ph_stack: .zero 4096
    .globl ph_stack_top
ph_stack_top:

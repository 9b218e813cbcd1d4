/* Start code and the instruction trampoline of the FPU reference program (runs under QEMU). */
    .section .text.start, "ax"
    .globl _start
_start:
    la      sp, ph_stack_top
    /* mstatus.FS = Dirty: the F/D instructions trap while FS is Off. */
    li      t0, 0x6000
    csrs    mstatus, t0
    csrw    fcsr, zero
    la      t0, ph_trap
    csrw    mtvec, t0
    call    main
    /* HTIF exit: (code << 1) | 1. */
    slli    a0, a0, 1
    ori     a0, a0, 1
    la      t0, tohost
    sd      a0, 0(t0)
1:  j       1b

/*
 * An illegal instruction in the slot is recorded in ph_illegal and skipped;
 * any other trap is a bug in the generator: exit with code 2 ((2 << 1) | 1).
 * Only t0 and t1 are used, which the trampoline rewrites after the slot.
 */
    .align  2
ph_trap:
    csrr    t0, mcause
    li      t1, 2
    bne     t0, t1, 2f
    csrr    t0, mepc
    addi    t0, t0, 4
    csrw    mepc, t0
    li      t0, 1
    la      t1, ph_illegal
    sd      t0, 0(t1)
    mret
2:  li      a0, 5
    la      t0, tohost
    sd      a0, 0(t0)
3:  j       3b

/*
 * run_case(PhRefIo *io): runs the one instruction patched into ph_slot with
 * x11/f11 = io->a, x12/f12 = io->b, f13 = io->c, frm = io->frm, fflags
 * cleared, x10 and f10 zeroed; stores x10, f10 and fflags back.
 */
    .text
    .globl run_case
run_case:
    mv      t6, a0
    ld      t0, 24(t6)
    csrw    frm, t0
    ld      a1, 0(t6)
    ld      a2, 8(t6)
    ld      t0, 16(t6)
    fmv.d.x f11, a1
    fmv.d.x f12, a2
    fmv.d.x f13, t0
    li      a0, 0
    fmv.d.x f10, zero
    csrw    fflags, zero
    .globl ph_slot
    .option push
    .option norvc
ph_slot:
    nop
    .option pop
    csrr    t0, fflags
    sd      a0, 32(t6)
    fmv.x.d t1, f10
    sd      t1, 40(t6)
    sd      t0, 48(t6)
    ret

/* Entry and trap vector of the QEMU trace guest (M mode, -bios none). */
    .section .text.start
    .globl _start
_start:
    la sp, stack_top
    la t0, trap
    csrw mtvec, t0
    call guest_main
1:  j 1b

    .align 4
trap:
    addi sp, sp, -128
    sd ra, 0(sp)
    sd a0, 8(sp)
    sd a1, 16(sp)
    sd a2, 24(sp)
    sd a3, 32(sp)
    sd a4, 40(sp)
    sd a5, 48(sp)
    sd t0, 56(sp)
    sd t1, 64(sp)
    sd t2, 72(sp)
    csrr a0, mepc
    call guest_trap
    csrw mepc, a0
    ld ra, 0(sp)
    ld a0, 8(sp)
    ld a1, 16(sp)
    ld a2, 24(sp)
    ld a3, 32(sp)
    ld a4, 40(sp)
    ld a5, 48(sp)
    ld t0, 56(sp)
    ld t1, 64(sp)
    ld t2, 72(sp)
    addi sp, sp, 128
    mret

    .bss
    .align 12
    .space 16384
stack_top:

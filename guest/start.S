/* Entry of the demo guest: hart 0 sets up a stack and zeroes .bss, then runs C; other harts park. */
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    /* a0 = hart id, a1 = device tree: left untouched for ph_demo_main. */
    csrr    t0, mhartid
    bnez    t0, ph_park
    la      t0, ph_trap_entry
    csrw    mtvec, t0
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
    /* A raw image carries no .bss: zero it here. */
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    ph_demo_main
ph_park:
    wfi
    j       ph_park

    /* Every trap is a bug in the demo: report it on a fresh stack and stop. */
    .align 2
ph_trap_entry:
    la      sp, __stack_top
    csrr    a0, mcause
    csrr    a1, mepc
    csrr    a2, mtval
    call    ph_demo_trap
    j       ph_park

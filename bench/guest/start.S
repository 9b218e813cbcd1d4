/* Entry, trap stub and power-off for the bench-int bare-metal guest (M-mode, hart 0, at 0x80000000). */
    .section .text.start, "ax"
    .globl _start
_start:
    /* Only hart 0 runs the benchmark; any other hart parks so it cannot race on the stack. */
    csrr    t0, mhartid
    bnez    t0, park
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, __stack_top
    la      t0, trap_entry
    csrw    mtvec, t0
    /* FS=Initial: -march=rv64gc lets the compiler use FP registers even in integer code. */
    li      t0, (1 << 13)
    csrs    mstatus, t0
    csrwi   fcsr, 0
    /* Zero .bss: the program's arrays start from a known state on every machine. */
    la      t0, __bss_start
    la      t1, __bss_end
1:  bgeu    t0, t1, 2f
    sd      zero, 0(t0)
    addi    t0, t0, 8
    j       1b
2:  call    bench_main
    /* bench_main returns the value for the test device: 0x5555 pass, (code << 16) | 0x3333 fail. */
    mv      a1, a0
    j       power_off

    /* Any trap is a failure of the machine under test: report mcause, then power off failing. */
    .balign 4
trap_entry:
    la      sp, __stack_top
    csrr    a0, mcause
    csrr    a1, mepc
    call    bench_trap
    li      a1, (0x7 << 16) | 0x3333
    j       power_off

    .globl power_off
power_off:
    /* a1: value for the SiFive test device at 0x100000. */
    li      t0, 0x100000
    sw      a1, 0(t0)
park:
    wfi
    j       park

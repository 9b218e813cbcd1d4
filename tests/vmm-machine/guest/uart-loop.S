/* A bare-metal guest that prints "BOOT" once, then "tick" lines forever, on the virt UART. */
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    li      s0, 0x10000000
    la      a0, boot
    call    puts
loop:
    la      a0, tick
    call    puts
    li      t0, 300000            /* a short pause between lines */
1:  addi    t0, t0, -1
    bnez    t0, 1b
    j       loop

/* a0: NUL-terminated string; waits for THRE before each byte. */
puts:
    lbu     t1, 0(a0)
    beqz    t1, 3f
2:  lbu     t2, 5(s0)
    andi    t2, t2, 0x20
    beqz    t2, 2b
    sb      t1, 0(s0)
    addi    a0, a0, 1
    j       puts
3:  ret

    .section .rodata
boot:
    .asciz  "BOOT\n"
tick:
    .asciz  "tick\n"

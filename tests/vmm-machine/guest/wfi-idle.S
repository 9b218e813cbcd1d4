/* A bare-metal guest that sleeps in WFI and prints "tick" on each CLINT timer interrupt, every 0.2 s of guest time. */
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    li      s0, 0x10000000          /* UART */
    li      s1, 0x2004000           /* mtimecmp */
    li      s2, 0x200bff8           /* mtime */
    li      s3, 2000000             /* 0.2 s of 10 MHz ticks */
    la      t0, trap
    csrw    mtvec, t0
    la      a0, boot
    call    puts
    ld      t0, 0(s2)
    add     t0, t0, s3
    sd      t0, 0(s1)
    li      t0, 1 << 7              /* MTIE */
    csrs    mie, t0
    csrsi   mstatus, 1 << 3         /* MIE */
idle:
    wfi
    j       idle

    .align 2
trap:
    la      a0, tick
    call    puts
    ld      t0, 0(s1)               /* next deadline, relative to the last one */
    add     t0, t0, s3
    sd      t0, 0(s1)
    mret

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

/* Tiny bare-metal guests for the board tests: HTIF exit/putchar and the SiFive test device. */
/*
 * Built once per behaviour with -D:
 *   EXIT_CODE=N   report through tohost: 0 = pass, else "test N" failed
 *   SPLIT         write tohost as two 32-bit halves (low first), as RV32 code does
 *   PUTCHAR       print a line through HTIF's console device first
 *   SYSCON=V      write V to the SiFive test device at 0x100000 instead of tohost
 */
    .section .text.init, "ax", @progbits
    .globl _start
_start:
    la      s0, tohost
#ifdef PUTCHAR
    la      s1, message
1:  lbu     a0, 0(s1)
    beqz    a0, 3f
    li      t0, 0x0101            /* device 1 (console), command 1 (putchar) */
    slli    t0, t0, 48
    or      t0, t0, a0
    sd      t0, 0(s0)
2:  ld      t1, 0(s0)             /* the host clears tohost when it is done */
    bnez    t1, 2b
    addi    s1, s1, 1
    j       1b
3:
#endif
#ifdef SYSCON
    li      t0, 0x100000
    li      t1, SYSCON
    sw      t1, 0(t0)
#else
    li      t0, (EXIT_CODE << 1) | 1
#ifdef SPLIT
    sw      t0, 0(s0)
    sw      zero, 4(s0)
#else
    sd      t0, 0(s0)
#endif
#endif
4:  j       4b

    .section .rodata
message:
    .asciz  "Hello from HTIF\n"

    .section .tohost, "aw", @progbits
    .balign 64
    .globl tohost
    .type tohost, @object
    .size tohost, 8
tohost:
    .dword  0
    .balign 64
    .globl fromhost
    .type fromhost, @object
    .size fromhost, 8
fromhost:
    .dword  0

/* RV64C control flow: C.J C.JR C.JALR C.BEQZ C.BNEZ C.EBREAK, 32-bit instructions at 2-byte alignment and across a page. */
#include "ph-isa.h"

PH_ISA_BEGIN
    .option rvc
    PH_TEST(1)                      /* C.J forward and back */
    li a0, 0
    c.j 2f
1:  c.addi a0, 1
    c.j 3f
2:  c.j 1b
    j ph_fail
3:  PH_CHECK(a0, 1)
    PH_TEST(2)                      /* C.BEQZ / C.BNEZ both ways */
    li a1, 0
    c.beqz a1, 1f
    j ph_fail
1:  c.bnez a1, ph_fail_near
    li a1, 0x100000000              /* all 64 bits are tested */
    c.beqz a1, ph_fail_near
    c.bnez a1, 1f
    j ph_fail
1:
    PH_TEST(3)                      /* C.JALR links pc + 2; C.JR does not link */
    la t0, 1f
    c.jalr t0
2:  j ph_fail
1:  la a2, 2b
    PH_BNE(ra, a2)
    la t1, 1f
    li ra, 0
    c.jr t1
    j ph_fail
1:  PH_CHECK(ra, 0)
    PH_TEST(4)                      /* a JALR to a 2-byte-aligned target is fine with C */
    la t1, target2
    jalr ra, 0(t1)
    PH_CHECK(a0, 0x5a)
    PH_TEST(5)                      /* a 32-bit instruction that straddles a page boundary */
    la t1, straddle
    jalr ra, 0(t1)
    PH_CHECK(a0, 0x12345)
    PH_TEST(6)                      /* C.EBREAK: breakpoint, mepc at the 2-byte instruction */
    PH_SET_RESUME(1f)
2:  c.ebreak
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_BREAKPOINT)
    PH_CHECK_MEPC(2b)
    PH_TEST(7)                      /* a loop of compressed instructions */
    li a0, 0
    li a1, 50
1:  c.addi a0, 3
    c.addi a1, -1
    c.bnez a1, 1b
    PH_CHECK(a0, 150)
PH_ISA_PASS

ph_fail_near:
    j ph_fail

    .align 2
    c.nop
target2:                            /* address = 2 mod 4 */
    li a0, 0x5a
    ret

    .align 12
    .fill (4096 - 2) / 2, 2, 0x0001 /* c.nop up to two bytes before the page end */
straddle:
    .option norvc
    lui a0, 0x12                    /* half in this page, half in the next */
    addi a0, a0, 0x345
    ret

/* Zifencei and self-modifying code: stores to code followed by FENCE.I are executed, in a buffer and in a hot loop. */
#include "ph-isa.h"

#define LI_A0(v) (0x00000513 | ((v) << 20))     /* addi a0, zero, v */
#define RET      0x00008067

PH_ISA_BEGIN
    PH_TEST(1)                      /* write a routine, run it */
    la a1, buf
    li a2, LI_A0(1)
    sw a2, 0(a1)
    li a2, RET
    sw a2, 4(a1)
    fence.i
    jalr ra, 0(a1)
    PH_CHECK(a0, 1)
    PH_TEST(2)                      /* rewrite it after it ran: the new code runs */
    li a2, LI_A0(2)
    sw a2, 0(a1)
    fence.i
    jalr ra, 0(a1)
    PH_CHECK(a0, 2)
    PH_TEST(3)                      /* run it many times (hot), then rewrite it with a byte store */
    li s2, 1000
1:  jalr ra, 0(a1)
    addi s2, s2, -1
    bnez s2, 1b
    PH_CHECK(a0, 2)
    li a2, LI_A0(3) >> 16           /* the immediate sits in the upper half */
    sh a2, 2(a1)
    fence.i
    jalr ra, 0(a1)
    PH_CHECK(a0, 3)
    PH_TEST(4)                      /* a compressed instruction replaced by another */
    li a2, 0x4511                   /* c.li a0, 4 */
    sh a2, 0(a1)
    li a2, 0x8082                   /* c.jr ra */
    sh a2, 2(a1)
    fence.i
    jalr ra, 0(a1)
    PH_CHECK(a0, 4)
    PH_TEST(5)                      /* patch code just ahead of the running instruction */
    la a1, 2f
    li a2, LI_A0(5)
    sw a2, 0(a1)
    fence.i
2:  li a0, 99
    PH_CHECK(a0, 5)
    PH_TEST(6)                      /* an AMO that writes code also counts */
    la a1, buf
    li a2, LI_A0(6)
    amoswap.w zero, a2, (a1)
    li a2, RET
    sw a2, 4(a1)
    fence.i
    jalr ra, 0(a1)
    PH_CHECK(a0, 6)
PH_ISA_PASS

    .section .data
    .align 12
buf: .zero 64

/* RV64C arithmetic: C.ADDI4SPN C.ADDI16SP C.ADDI C.ADDIW C.LI C.LUI C.SRLI C.SRAI C.ANDI C.SUB C.XOR C.OR C.AND C.SUBW C.ADDW C.MV C.ADD C.SLLI C.NOP. */
#include "ph-isa.h"

PH_ISA_BEGIN
    .option rvc
    PH_TEST(1)                      /* C.LI: 6-bit signed immediate */
    c.li a0, 31
    PH_CHECK(a0, 31)
    c.li a0, -32
    PH_CHECK(a0, -32)
    PH_TEST(2)                      /* C.LUI: sign-extended from bit 17 */
    c.lui a0, 1
    PH_CHECK(a0, 0x1000)
    c.lui a0, 0x1f
    PH_CHECK(a0, 0x1f000)
    c.lui a0, 0xfffe0
    PH_CHECK(a0, 0xfffffffffffe0000)
    c.lui s1, 0xfffff
    PH_CHECK(s1, 0xfffffffffffff000)
    PH_TEST(3)                      /* C.ADDI */
    li a0, 10
    c.addi a0, -32
    PH_CHECK(a0, -22)
    c.addi a0, 31
    PH_CHECK(a0, 9)
    li a0, 0xffffffff
    c.addi a0, 1
    PH_CHECK(a0, 0x100000000)       /* 64-bit, not a W form */
    PH_TEST(4)                      /* C.ADDIW: RV64's replacement of C.JAL */
    li a0, 0x7fffffff
    c.addiw a0, 1
    PH_CHECK(a0, 0xffffffff80000000)
    li a0, 0x1234567800000005
    c.addiw a0, -6
    PH_CHECK(a0, -1)
    li a0, 0xaaaaaaaa87654321
    c.addiw a0, 0                   /* sext.w */
    PH_CHECK(a0, 0xffffffff87654321)
    PH_TEST(5)                      /* C.ADDI16SP and C.ADDI4SPN */
    mv s0, sp
    li sp, 0x1000
    c.addi16sp sp, -512
    PH_CHECK(sp, 0xe00)
    c.addi16sp sp, 496
    PH_CHECK(sp, 0xff0)
    c.addi16sp sp, 16
    PH_CHECK(sp, 0x1000)
    c.addi4spn a0, sp, 4
    PH_CHECK(a0, 0x1004)
    c.addi4spn a5, sp, 1020
    PH_CHECK(a5, 0x13fc)
    mv sp, s0
    PH_TEST(6)                      /* shifts and ANDI on the compressed registers */
    li a1, 0x8000000000000001
    c.srli a1, 63
    PH_CHECK(a1, 1)
    li a1, 0x8000000000000001
    c.srai a1, 63
    PH_CHECK(a1, -1)
    li a1, 0x8000000000000000
    c.srai a1, 32
    PH_CHECK(a1, 0xffffffff80000000)
    li a1, -1
    c.srli a1, 1
    PH_CHECK(a1, 0x7fffffffffffffff)
    li a2, 0xffff
    c.andi a2, -16
    PH_CHECK(a2, 0xfff0)
    li a2, 0xffff
    c.andi a2, 31
    PH_CHECK(a2, 0x1f)
    li a3, 1
    c.slli a3, 63
    PH_CHECK(a3, 0x8000000000000000)
    li t3, 3                        /* C.SLLI works on any register */
    c.slli t3, 32
    PH_CHECK(t3, 0x300000000)
    PH_TEST(7)                      /* register-register, compressed registers */
    li s0, 0x0ff0
    li s1, 0x00ff
    c.sub s0, s1
    PH_CHECK(s0, 0x0ef1)
    li s0, 0x0ff0
    c.xor s0, s1
    PH_CHECK(s0, 0x0f0f)
    li s0, 0x0ff0
    c.or s0, s1
    PH_CHECK(s0, 0x0fff)
    li s0, 0x0ff0
    c.and s0, s1
    PH_CHECK(s0, 0x00f0)
    PH_TEST(8)                      /* C.SUBW, C.ADDW sign-extend */
    li a4, 0x80000000
    li a5, 1
    c.subw a4, a5
    PH_CHECK(a4, 0x7fffffff)
    c.addw a4, a5
    PH_CHECK(a4, 0xffffffff80000000)
    li a4, 0x100000000
    c.subw a4, a5
    PH_CHECK(a4, -1)
    PH_TEST(9)                      /* C.MV and C.ADD on any register */
    li t4, 0x123456789
    c.mv t5, t4
    PH_CHECK(t5, 0x123456789)
    c.add t5, t4
    PH_CHECK(t5, 0x2468acf12)
    c.add t5, t5
    PH_CHECK(t5, 0x48d159e24)
    PH_TEST(10)                     /* C.NOP changes nothing */
    li a0, 77
    c.nop
    PH_CHECK(a0, 77)
PH_ISA_PASS

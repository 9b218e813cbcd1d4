/* RV64I register-register ALU: ADD SUB AND OR XOR SLT SLTU SLL SRL SRA on 64-bit edge values. */
#include "ph-isa.h"

PH_ISA_BEGIN
    PH_TEST_RR(1, add, 0, 0, 0)
    PH_TEST_RR(2, add, 0x0000000100000000, 0xffffffff, 1)
    PH_TEST_RR(3, add, 0x8000000000000000, 0x7fffffffffffffff, 1)
    PH_TEST_RR(4, add, 0xfffffffffffffffe, -1, -1)
    PH_TEST_RR(5, add, 0, -1, 1)
    PH_TEST_RR(6, sub, 0xffffffffffffffff, 0, 1)
    PH_TEST_RR(7, sub, 0x7fffffffffffffff, 0x8000000000000000, 1)
    PH_TEST_RR(8, sub, 0x8000000000000000, 0, 0x8000000000000000)
    PH_TEST_RR(9, and, 0x0f000f00f000f00f, 0xff00ff00ff0fff0f, 0x0ff00ff0f0f0f00f)
    PH_TEST_RR(10, or, 0xfff0fff0fffffff0, 0xff00ff00ff0fff00, 0x0ff00ff0f0f0f0f0)
    PH_TEST_RR(11, xor, 0xf0f0f0f00ffe0ff0, 0xff00ff00ff0fff00, 0x0ff00ff0f0f1f0f0)
    PH_TEST_RR(12, slt, 1, -1, 0)
    PH_TEST_RR(13, slt, 0, 0, -1)
    PH_TEST_RR(14, slt, 1, 0x8000000000000000, 0x7fffffffffffffff)
    PH_TEST_RR(15, slt, 0, 5, 5)
    PH_TEST_RR(16, sltu, 0, -1, 0)
    PH_TEST_RR(17, sltu, 1, 0, -1)
    PH_TEST_RR(18, sltu, 0, 0x8000000000000000, 0x7fffffffffffffff)
    PH_TEST_RR(19, sltu, 1, 0x7fffffffffffffff, 0x8000000000000000)
    PH_TEST_RR(20, sll, 0x8000000000000000, 1, 63)
    PH_TEST_RR(21, sll, 2, 1, 65)           /* only the low 6 bits count */
    PH_TEST_RR(22, sll, 0xffffffff00000000, 0xffffffff, 32)
    PH_TEST_RR(23, srl, 1, 0x8000000000000000, 63)
    PH_TEST_RR(24, srl, 0x00000000ffffffff, -1, 32)
    PH_TEST_RR(25, srl, 0x7fffffffffffffff, -1, -63)    /* -63 & 63 = 1 */
    PH_TEST_RR(26, sra, -1, 0x8000000000000000, 63)
    PH_TEST_RR(27, sra, 0xffffffff80000000, 0x8000000000000000, 32)
    PH_TEST_RR(28, sra, 0x3fffffffffffffff, 0x7fffffffffffffff, 1)
    PH_TEST_RR(29, sra, 0x8000000000000000, 0x8000000000000000, 64)  /* 64 & 63 = 0 */
    PH_TEST_RR_SRC1EQDEST(30, add, 24, 13, 11)
    PH_TEST_RR_SRC1EQDEST(31, sll, 0x80, 1, 7)
    PH_TEST_RR_ZERODEST(32, add, 1, 2)
    /* rs2 == rs1 and x0 as a source */
    PH_TEST(33)
    li a1, 0x123456789
    add a0, a1, a1
    PH_CHECK(a0, 0x2468acf12)
    sub a0, a1, a1
    PH_CHECK(a0, 0)
    sub a0, x0, a1
    PH_CHECK(a0, -0x123456789)
    PH_TEST(34)
    sltu a0, x0, a1         /* snez */
    PH_CHECK(a0, 1)
    sltu a0, x0, x0
    PH_CHECK(a0, 0)
PH_ISA_PASS

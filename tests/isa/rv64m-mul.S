/* RV64M multiplication: MUL MULH MULHSU MULHU MULW, signed/unsigned high halves at the extremes. */
#include "ph-isa.h"

PH_ISA_BEGIN
    PH_TEST_RR(1, mul, 1, -1, -1)
    PH_TEST_RR(2, mul, 0, 0x100000000, 0x100000000)
    PH_TEST_RR(3, mul, 0xfffffffffffffffe, 0x7fffffffffffffff, 2)
    PH_TEST_RR(4, mul, 0x21fa00ac462b0358, 0x123456789, 0xfedcba98)
    PH_TEST_RR(5, mul, 0x8000000000000000, 0x8000000000000000, -1)
    PH_TEST_RR(6, mulh, 0, -1, -1)
    PH_TEST_RR(7, mulh, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000)
    PH_TEST_RR(8, mulh, 0xffffffffffffffff, 0x8000000000000000, 1)
    PH_TEST_RR(9, mulh, 0x3fffffffffffffff, 0x7fffffffffffffff, 0x7fffffffffffffff)
    PH_TEST_RR(10, mulh, 0xc000000000000000, 0x8000000000000000, 0x7fffffffffffffff)
    PH_TEST_RR(11, mulhu, 0xfffffffffffffffe, -1, -1)
    PH_TEST_RR(12, mulhu, 1, 0x8000000000000000, 2)
    PH_TEST_RR(13, mulhu, 0, 0xffffffff, 0xffffffff)
    PH_TEST_RR(14, mulhu, 0x4000000000000000, 0x8000000000000000, 0x8000000000000000)
    PH_TEST_RR(15, mulhsu, 0xffffffffffffffff, -1, -1)
    PH_TEST_RR(16, mulhsu, 0x8000000000000000, 0x8000000000000000, -1)
    PH_TEST_RR(17, mulhsu, 0, 1, -1)
    PH_TEST_RR(18, mulhsu, 0xffffffffffffffff, -2, 3)
    PH_TEST_RR(19, mulhsu, 0x7ffffffffffffffe, 0x7fffffffffffffff, -1)
    PH_TEST_RR(20, mulw, 0xfffffffffffffffe, 0x7fffffff, 2)
    PH_TEST_RR(21, mulw, 1, 0x100000001, 0x100000001)  /* upper halves ignored */
    PH_TEST_RR(22, mulw, 0xffffffff80000000, 0x40000000, 2)
    PH_TEST_RR(23, mulw, 0, 0x80000000, 0x80000000)
    PH_TEST_RR_SRC1EQDEST(24, mul, 143, 13, 11)
    PH_TEST_RR_ZERODEST(25, mulh, -1, -1)
PH_ISA_PASS

/* RV64M division: DIV DIVU REM REMU and W forms, rounding toward zero, divide by zero and signed overflow. */
#include "ph-isa.h"

PH_ISA_BEGIN
    PH_TEST_RR(1, div, -3, -7, 2)
    PH_TEST_RR(2, rem, -1, -7, 2)           /* the remainder has the dividend's sign */
    PH_TEST_RR(3, div, -3, 7, -2)
    PH_TEST_RR(4, rem, 1, 7, -2)
    PH_TEST_RR(5, div, 3, -7, -2)
    PH_TEST_RR(6, rem, -1, -7, -2)
    PH_TEST_RR(7, divu, 0x7fffffffffffffff, -1, 2)
    PH_TEST_RR(8, remu, 1, -1, 2)
    /* by zero: quotient all ones, remainder the dividend, no trap */
    PH_TEST_RR(9, div, -1, 42, 0)
    PH_TEST_RR(10, div, -1, -42, 0)
    PH_TEST_RR(11, rem, 42, 42, 0)
    PH_TEST_RR(12, rem, -42, -42, 0)
    PH_TEST_RR(13, divu, 0xffffffffffffffff, 42, 0)
    PH_TEST_RR(14, remu, 0x8000000000000000, 0x8000000000000000, 0)
    /* overflow: -2^63 / -1 */
    PH_TEST_RR(15, div, 0x8000000000000000, 0x8000000000000000, -1)
    PH_TEST_RR(16, rem, 0, 0x8000000000000000, -1)
    PH_TEST_RR(17, divu, 0, 0x8000000000000000, -1)
    PH_TEST_RR(18, remu, 0x8000000000000000, 0x8000000000000000, -1)
    /* W forms use the low 32 bits and sign-extend */
    PH_TEST_RR(19, divw, -3, 0xfffffffffffffff9, 2)
    PH_TEST_RR(20, divw, -3, 0x12345678fffffff9, 0xaaaaaaaa00000002)
    PH_TEST_RR(21, remw, -1, -7, 2)
    PH_TEST_RR(22, divw, 0xffffffff80000000, 0x80000000, -1)   /* overflow */
    PH_TEST_RR(23, remw, 0, 0x80000000, -1)
    PH_TEST_RR(24, divw, -1, 5, 0x100000000)                  /* low half zero: by zero */
    PH_TEST_RR(25, remw, 0xffffffff80000000, 0x80000000, 0)
    PH_TEST_RR(26, divuw, 0xffffffffffffffff, 5, 0)
    PH_TEST_RR(27, remuw, 0xffffffff80000000, 0x80000000, 0)
    PH_TEST_RR(28, divuw, 0x7fffffff, 0xffffffff, 2)
    PH_TEST_RR(29, divuw, 0xffffffff80000000, 0x80000000, 1)
    PH_TEST_RR(30, remuw, 0x1, 0xffffffff, 2)
    PH_TEST_RR(31, remuw, 0xffffffff80000001, 0x80000001, 0x80000002)
    PH_TEST_RR(32, div, 0x1, 0x7fffffffffffffff, 0x7fffffffffffffff)
    PH_TEST_RR(33, divu, 0x1b4e81b, 0x123456789abcdef0, 0xaaaaaaaaa)
PH_ISA_PASS

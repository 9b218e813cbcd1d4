/* RV64I loads of every width: LB LH LW LD LBU LHU LWU, sign and zero extension, offsets of both signs. */
#include "ph-isa.h"

#define LD_TEST(n, op, exp, off, base) \
    li gp, n; la a1, base; op a0, off(a1); PH_CHECK(a0, exp)

PH_ISA_BEGIN
    LD_TEST(1, lb, 0xffffffffffffff80, 0, data)
    LD_TEST(2, lb, 0x7f, 1, data)
    LD_TEST(3, lbu, 0x80, 0, data)
    LD_TEST(4, lbu, 0x7f, 1, data)
    LD_TEST(5, lh, 0xffffffffffff8001, 2, data)
    LD_TEST(6, lh, 0x7ffe, 4, data)
    LD_TEST(7, lhu, 0x8001, 2, data)
    LD_TEST(8, lw, 0xffffffff80000002, 8, data)
    LD_TEST(9, lw, 0x7ffffffd, 12, data)
    LD_TEST(10, lwu, 0x80000002, 8, data)
    LD_TEST(11, lwu, 0x7ffffffd, 12, data)
    LD_TEST(12, ld, 0x8000000000000004, 16, data)
    LD_TEST(13, ld, 0x0123456789abcdef, 24, data)
    LD_TEST(14, lb, 0xffffffffffffff80, -32, data_end)
    LD_TEST(15, ld, 0x0123456789abcdef, -8, data_end)
    LD_TEST(16, lhu, 0xcdef, -8, data_end)
    LD_TEST(17, lbu, 0x67, -4, data_end)
    /* the little-endian byte order of a doubleword */
    LD_TEST(18, lbu, 0xef, 24, data)
    LD_TEST(19, lbu, 0x01, 31, data)
    LD_TEST(20, lw, 0x01234567, 28, data)
    /* a load into the base register */
    PH_TEST(21)
    la a1, data
    ld a1, 24(a1)
    PH_CHECK(a1, 0x0123456789abcdef)
    /* a load into x0 is performed and discarded */
    PH_TEST(22)
    la a1, data
    ld x0, 24(a1)
    PH_BNE(x0, zero)
    /* 2047 and -2048 offsets */
    PH_TEST(23)
    la a1, big
    lbu a0, 2047(a1)
    PH_CHECK(a0, 0x55)
    addi a1, a1, 2047
    addi a1, a1, 1
    lbu a0, -2048(a1)
    PH_CHECK(a0, 0xaa)
PH_ISA_PASS

    .data
    .align 4
data:
    .byte 0x80, 0x7f
    .half 0x8001, 0x7ffe, 0
    .word 0x80000002, 0x7ffffffd
    .dword 0x8000000000000004, 0x0123456789abcdef
data_end:
    .align 4
big:
    .byte 0xaa
    .fill 2046, 1, 0
    .byte 0x55

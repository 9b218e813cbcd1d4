/* RV64I stores of every width: SB SH SW SD write only their bytes, little-endian, at offsets of both signs. */
#include "ph-isa.h"

PH_ISA_BEGIN
    PH_TEST(1)
    la a1, buf
    li a2, -1
    sd a2, 0(a1)
    sd a2, 8(a1)
    li a3, 0x0123456789abcdef
    sb a3, 0(a1)
    ld a0, 0(a1)
    PH_CHECK(a0, 0xffffffffffffffef)
    PH_TEST(2)
    sh a3, 2(a1)
    ld a0, 0(a1)
    PH_CHECK(a0, 0xffffffffcdefffef)
    PH_TEST(3)
    sw a3, 4(a1)
    ld a0, 0(a1)
    PH_CHECK(a0, 0x89abcdefcdefffef)
    PH_TEST(4)
    sd a3, 8(a1)
    ld a0, 8(a1)
    PH_CHECK(a0, 0x0123456789abcdef)
    ld a0, 0(a1)
    PH_CHECK(a0, 0x89abcdefcdefffef)
    ld a0, 16(a1)
    PH_CHECK(a0, 0)                 /* the neighbour is untouched */
    PH_TEST(5)                      /* negative offsets */
    addi a2, a1, 16
    sb zero, -1(a2)
    sh zero, -4(a2)
    ld a0, 8(a1)
    PH_CHECK(a0, 0x0023000089abcdef)
    sw zero, -16(a2)
    sd zero, -8(a2)
    ld a0, 0(a1)
    PH_CHECK(a0, 0x89abcdef00000000)
    ld a0, 8(a1)
    PH_CHECK(a0, 0)
    PH_TEST(6)                      /* store then load of each width back */
    li a3, 0xfedcba9876543210
    sd a3, 24(a1)
    lb a0, 24(a1)
    PH_CHECK(a0, 0x10)
    lh a0, 30(a1)
    PH_CHECK(a0, 0xfffffffffffffedc)
    lw a0, 28(a1)
    PH_CHECK(a0, 0xfffffffffedcba98)
    PH_TEST(7)                      /* storing x0 */
    sd x0, 24(a1)
    ld a0, 24(a1)
    PH_CHECK(a0, 0)
    PH_TEST(8)                      /* a store through a base that is also the data */
    addi a0, a1, 32
    sd a0, 0(a0)
    ld a2, 32(a1)
    PH_BNE(a2, a0)
PH_ISA_PASS

    .data
    .align 4
buf: .zero 64

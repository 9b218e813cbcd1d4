/* Misaligned loads and stores of every width complete without a trap (Porthole's hart does them natively). */
#include "ph-isa.h"

PH_ISA_BEGIN
    /* a trap here fails the case: misaligned accesses must just work */
    PH_TEST(1)
    la a1, data
    lh a0, 1(a1)
    PH_CHECK(a0, 0xffffffffffff8899)
    lhu a0, 3(a1)
    PH_CHECK(a0, 0xaabb)
    PH_TEST(2)
    lw a0, 1(a1)
    PH_CHECK(a0, 0xffffffffaabb8899)
    lwu a0, 3(a1)
    PH_CHECK(a0, 0x00000000ddccaabb) /* bytes 3..6 */
    lw a0, 2(a1)
    PH_CHECK(a0, 0xffffffffccaabb88)
    PH_TEST(3)
    ld a0, 1(a1)
    PH_CHECK(a0, 0xffeeddccaabb8899)
    ld a0, 7(a1)
    PH_CHECK(a0, 0x050403020100ffee)
    PH_TEST(4)
    la a1, buf
    li a2, 0x1122334455667788
    sd a2, 3(a1)
    ld a0, 0(a1)
    PH_CHECK(a0, 0x4455667788000000)
    ld a0, 8(a1)
    PH_CHECK(a0, 0x0000000000112233)
    PH_TEST(5)
    sw a2, 13(a1)
    ld a0, 8(a1)
    PH_CHECK(a0, 0x6677880000112233)
    lw a0, 13(a1)
    PH_CHECK(a0, 0x0000000055667788)
    PH_TEST(6)
    sh a2, 15(a1)
    lhu a0, 15(a1)
    PH_CHECK(a0, 0x7788)
    ld a0, 8(a1)
    PH_CHECK(a0, 0x8877880000112233)
    ld a0, 16(a1)
    PH_CHECK(a0, 0x77)
    PH_TEST(7)                      /* across a page boundary */
    la a1, page_end
    sd a2, -3(a1)
    ld a0, -3(a1)
    PH_BNE(a0, a2)
    lw a0, -1(a1)
    PH_CHECK(a0, 0x0000000033445566)
PH_ISA_PASS

    .data
    .align 4
data:
    .byte 0x77, 0x99, 0x88, 0xbb, 0xaa, 0xcc, 0xdd, 0xee
    .byte 0xff, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07
    .align 4
buf: .zero 32
    .align 12
    .zero 4096
page_end:
    .zero 16

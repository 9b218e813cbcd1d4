/* RV64I LUI and AUIPC: 20-bit immediates, sign extension to 64 bits, PC-relative sums. */
#include "ph-isa.h"

PH_ISA_BEGIN
    PH_TEST(1)
    lui a0, 0
    PH_CHECK(a0, 0)
    PH_TEST(2)
    lui a0, 0x7ffff
    PH_CHECK(a0, 0x7ffff000)
    PH_TEST(3)
    lui a0, 0x80000
    PH_CHECK(a0, 0xffffffff80000000)
    PH_TEST(4)
    lui a0, 0xfffff
    PH_CHECK(a0, 0xfffffffffffff000)
    PH_TEST(5)
    lui a0, 0x12345
    addi a0, a0, 0x678
    PH_CHECK(a0, 0x12345678)
    PH_TEST(6)
    lui x0, 0x12345
    PH_BNE(x0, zero)
    /* AUIPC: the address of the AUIPC itself plus the immediate */
    PH_TEST(7)
1:  auipc a0, 0
    la a1, 1b
    PH_BNE(a0, a1)
    PH_TEST(8)
2:  auipc a0, 1
    la a1, 2b
    sub a0, a0, a1
    PH_CHECK(a0, 0x1000)
    PH_TEST(9)
3:  auipc a0, 0xfffff
    la a1, 3b
    sub a0, a0, a1
    PH_CHECK(a0, -0x1000)
    PH_TEST(10)
4:  auipc a0, 0x80000           /* -2 GiB: 0x80000000 + this - 2^31, no truncation to 32 bits */
    la a1, 4b
    sub a0, a0, a1
    PH_CHECK(a0, 0xffffffff80000000)
PH_ISA_PASS

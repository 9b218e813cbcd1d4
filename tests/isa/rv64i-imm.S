/* RV64I register-immediate ALU: ADDI SLTI SLTIU XORI ORI ANDI SLLI SRLI SRAI, 12-bit sign extension, shifts by 63. */
#include "ph-isa.h"

PH_ISA_BEGIN
    PH_TEST_RI(1, addi, 0x800, 0x7ff, 1)
    PH_TEST_RI(2, addi, -0x800, 0, -2048)
    PH_TEST_RI(3, addi, 0x7ffffffffffff800, 0x8000000000000000, -2048)
    PH_TEST_RI(4, addi, 0x8000000000000000, 0x7fffffffffffffff, 1)
    PH_TEST_RI(5, addi, 0xffffffff, 0x100000000, -1)
    PH_TEST_RI(6, slti, 1, -2, -1)
    PH_TEST_RI(7, slti, 0, 0x7ff, 0x7ff)
    PH_TEST_RI(8, slti, 1, 0x8000000000000000, 0)
    PH_TEST_RI(9, sltiu, 1, 0, -1)          /* the immediate is sign-extended, then compared unsigned */
    PH_TEST_RI(10, sltiu, 0, -1, -1)
    PH_TEST_RI(11, sltiu, 1, 0xfffffffffffff7ff, -2048)
    PH_TEST_RI(12, sltiu, 1, 0, 1)          /* seqz */
    PH_TEST_RI(13, xori, 0xff00ff00ff00f0ff, 0x00ff00ff00ff0f00, -1)   /* not */
    PH_TEST_RI(14, xori, 0x00ff00ff00ff0ff0, 0x00ff00ff00ff0f0f, 0xff)
    PH_TEST_RI(15, ori, 0xffffffffffffff0f, 0x000000000000000f, -256)
    PH_TEST_RI(16, ori, 0x1234570f, 0x12345000, 0x70f)
    PH_TEST_RI(17, andi, 0x0000000000000700, 0xff00ff00ff00ff00, 0x70f)
    PH_TEST_RI(18, andi, 0xff00ff00ff00f800, 0xff00ff00ff00ff00, -2048)
    PH_TEST_RI(19, slli, 0x8000000000000000, 1, 63)
    PH_TEST_RI(20, slli, 0xfffffffe00000000, 0xffffffff, 33)
    PH_TEST_RI(21, slli, 0x123, 0x123, 0)
    PH_TEST_RI(22, srli, 1, 0x8000000000000000, 63)
    PH_TEST_RI(23, srli, 0x7fffffff, 0xffffffff, 1)
    PH_TEST_RI(24, srli, 0x1ffffffff, -1, 31)
    PH_TEST_RI(25, srai, -1, 0x8000000000000000, 63)
    PH_TEST_RI(26, srai, 0xffffffffc0000000, 0x8000000000000000, 33)
    PH_TEST_RI(27, srai, 0x0000000000000001, 0x7fffffffffffffff, 62)
    PH_TEST_RI(28, srai, 0xffffffffffffffff, 0xffffffff80000000, 31)
    PH_TEST(29)
    li a1, 0x55
    addi a1, a1, -0x55
    PH_CHECK(a1, 0)
    addi x0, a1, 5          /* x0 stays 0 */
    PH_BNE(x0, zero)
    li a0, 1
    addi a0, x0, 0x123      /* li via x0 */
    PH_CHECK(a0, 0x123)
PH_ISA_PASS

/* RV64I W forms: ADDW SUBW SLLW SRLW SRAW ADDIW SLLIW SRLIW SRAIW compute on 32 bits and sign-extend; shifts by 31. */
#include "ph-isa.h"

PH_ISA_BEGIN
    PH_TEST_RR(1, addw, 0xffffffff80000000, 0x7fffffff, 1)
    PH_TEST_RR(2, addw, 0, 0xffffffff, 1)
    PH_TEST_RR(3, addw, 3, 0x1234567800000001, 0xabcdef0000000002)   /* upper halves ignored */
    PH_TEST_RR(4, addw, 0xfffffffffffffffe, 0x00000000ffffffff, 0x00000000ffffffff)
    PH_TEST_RR(5, subw, 0x7fffffff, 0x80000000, 1)
    PH_TEST_RR(6, subw, 0xffffffffffffffff, 0, 1)
    PH_TEST_RR(7, subw, 0, 0x5500000001, 0x6600000001)
    PH_TEST_RR(8, sllw, 0xffffffff80000000, 1, 31)
    PH_TEST_RR(9, sllw, 1, 1, 32)           /* only the low 5 bits count */
    PH_TEST_RR(10, sllw, 0x0000000012345678, 0xffffffff12345678, 0)
    PH_TEST_RR(11, srlw, 1, 0x80000000, 31)
    PH_TEST_RR(12, srlw, 0xffffffff80000000, 0xffffffff80000000, 0)  /* result sign-extended */
    PH_TEST_RR(13, srlw, 0x7fffffff, 0xffffffffffffffff, 33)         /* 33 & 31 = 1 */
    PH_TEST_RR(14, sraw, 0xffffffffffffffff, 0x80000000, 31)
    PH_TEST_RR(15, sraw, 0x0000000000000000, 0xffffffff7fffffff, 31)
    PH_TEST_RR(16, sraw, 0xfffffffff8000000, 0x0000000080000000, 4)
    PH_TEST_RI(17, addiw, 0xffffffff80000000, 0x7fffffff, 1)
    PH_TEST_RI(18, addiw, 0x000000007ffff800, 0xffffffff7ffff800, 0)
    PH_TEST_RI(19, addiw, 0xffffffffffffffff, 0, -1)
    PH_TEST_RI(20, addiw, 0x7fffffff, 0x80000000, -1)
    PH_TEST_RI(21, slliw, 0xffffffff80000000, 1, 31)
    PH_TEST_RI(22, slliw, 0xffffffffdeadbeef, 0x12345678deadbeef, 0)   /* sext.w */
    PH_TEST_RI(23, srliw, 1, 0xffffffff80000000, 31)
    PH_TEST_RI(24, srliw, 0xffffffff80000000, 0x80000000, 0)
    PH_TEST_RI(25, srliw, 0x000000000fffffff, 0xffffffff, 4)
    PH_TEST_RI(26, sraiw, 0xffffffffffffffff, 0x80000000, 31)
    PH_TEST_RI(27, sraiw, 0x0000000000ffffff, 0xaaaaaaaa7fffffff, 7)
    PH_TEST_RI(28, sraiw, 0xffffffffff000000, 0x0000000080000000, 7)
PH_ISA_PASS

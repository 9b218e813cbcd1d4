/* Must-fail check: an unexpected trap (illegal instruction in case 3) fails that case. */
#include "ph-isa.h"

PH_ISA_BEGIN
    PH_TEST_RR(1, add, 3, 1, 2)
    PH_TEST(2)
    ecall                           /* unarmed ECALL from M just continues */
    PH_TEST(3)
    .word 0                         /* the all-zero instruction is illegal */
    PH_TEST(4)
PH_ISA_PASS

/* Must-fail check of the SiFive test device exit on the virt board: case 3 fails on purpose. */
#include "ph-isa.h"

PH_ISA_BEGIN
    PH_TEST_RR(1, add, 3, 1, 2)
    PH_TEST_RR(2, xor, 3, 1, 2)
    PH_TEST_RR(3, or, 7, 1, 2)      /* 1 | 2 is not 7 */
PH_ISA_PASS

/* Must-fail check of the HTIF exit: cases 1 and 2 pass, case 3 fails on purpose. */
#include "ph-isa.h"

PH_ISA_BEGIN
    PH_TEST_RR(1, add, 3, 1, 2)
    PH_TEST_RR(2, sub, -1, 1, 2)
    PH_TEST_RR(3, add, 4, 1, 2)     /* 1 + 2 is not 4 */
    PH_TEST_RR(4, add, 5, 2, 3)
PH_ISA_PASS

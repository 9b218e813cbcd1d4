/* RV64I JAL and JALR: link values, offsets, JALR clearing bit 0 of the target, rd == rs1, x0 links. */
#include "ph-isa.h"

PH_ISA_BEGIN
    PH_TEST(1)                      /* JAL links pc + 4 */
    jal a0, 1f
2:  j ph_fail
1:  la a1, 2b
    PH_BNE(a0, a1)
    PH_TEST(2)                      /* JAL with rd = x0 does not link */
    jal x0, 1f
    j ph_fail
1:  PH_BNE(x0, zero)
    PH_TEST(3)                      /* JALR to an odd address: bit 0 is cleared */
    la a1, 1f
    addi a1, a1, 1
    jalr a0, 0(a1)
2:  j ph_fail
1:  la a2, 2b
    PH_BNE(a0, a2)
    PH_TEST(4)                      /* JALR with an offset, and odd after adding it */
    la a1, 1f
    addi a1, a1, -7
    jalr a0, 8(a1)                  /* (target - 7 + 8) & ~1 = target */
    j ph_fail
1:
    PH_TEST(5)                      /* rd == rs1: the target uses the old value */
    la a1, 1f
    jalr a1, 0(a1)
2:  j ph_fail
1:  la a2, 2b
    PH_BNE(a1, a2)
    PH_TEST(6)                      /* negative JALR offset */
    la a1, 1f
    addi a1, a1, 2044
    jalr ra, -2044(a1)
    j ph_fail
1:
    PH_TEST(7)                      /* call and return through a subroutine */
    li a0, 5
    jal ra, sub_double
    PH_CHECK(a0, 10)
    jal ra, sub_double
    PH_CHECK(a0, 20)
    PH_TEST(8)                      /* backward JAL */
    li a0, 0
    j 2f
1:  addi a0, a0, 1
    j 3f
2:  jal x0, 1b
3:  PH_CHECK(a0, 1)
    PH_TEST(9)                      /* a JAL that is not taken does not exist; JALR x0 = jr */
    la a1, 1f
    jalr x0, 0(a1)
    j ph_fail
1:
PH_ISA_PASS

sub_double:
    add a0, a0, a0
    jalr x0, 0(ra)

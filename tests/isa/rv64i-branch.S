/* RV64I conditional branches, each taken and not taken, signed vs unsigned, forward and backward. */
#include "ph-isa.h"

/* Branch must be taken: falls into ph_fail otherwise. */
#define TAKEN(n, op, v1, v2) \
    li gp, n; li a1, v1; li a2, v2; op a1, a2, 19997f; j ph_fail; 19997:
/* Branch must not be taken. */
#define NOT_TAKEN(n, op, v1, v2) \
    li gp, n; li a1, v1; li a2, v2; op a1, a2, 19996f; j 19995f; 19996: j ph_fail; 19995:

PH_ISA_BEGIN
    TAKEN(1, beq, 0, 0)
    TAKEN(2, beq, -1, -1)
    NOT_TAKEN(3, beq, 0, 1)
    NOT_TAKEN(4, beq, 0x100000000, 0)      /* all 64 bits compared */
    TAKEN(5, bne, 0x100000000, 0)
    NOT_TAKEN(6, bne, 7, 7)
    TAKEN(7, blt, -1, 0)
    TAKEN(8, blt, 0x8000000000000000, 0x7fffffffffffffff)
    NOT_TAKEN(9, blt, 0, -1)
    NOT_TAKEN(10, blt, 5, 5)
    TAKEN(11, bge, 5, 5)
    TAKEN(12, bge, 0, -1)
    NOT_TAKEN(13, bge, -1, 0)
    NOT_TAKEN(14, bge, 0x8000000000000000, 0x7fffffffffffffff)
    TAKEN(15, bltu, 0, -1)
    TAKEN(16, bltu, 0x7fffffffffffffff, 0x8000000000000000)
    NOT_TAKEN(17, bltu, -1, 0)
    NOT_TAKEN(18, bltu, 3, 3)
    TAKEN(19, bgeu, -1, 0)
    TAKEN(20, bgeu, 3, 3)
    NOT_TAKEN(21, bgeu, 0, -1)
    NOT_TAKEN(22, bgeu, 0x7fffffffffffffff, 0x8000000000000000)
    /* a backward loop: count to 10 */
    PH_TEST(23)
    li a0, 0
    li a1, 10
1:  addi a0, a0, 1
    bltu a0, a1, 1b
    PH_CHECK(a0, 10)
    /* the most negative branch offset, -4096 */
    PH_TEST(24)
    li a0, 0
    beqz zero, 2f
    j ph_fail
    .align 2
3:  li a0, 1
    j 4f
    .fill (4096 - 20) / 4, 4, 0x00000013   /* nops: 3b is exactly 4096 bytes before 2f */
    j ph_fail
    j ph_fail
    j ph_fail
2:  beqz zero, 3b
    j ph_fail
4:  PH_CHECK(a0, 1)
PH_ISA_PASS

/* Writing minstret or mcycle with a CSR instruction: the written value replaces that instruction's own increment. */
#include "ph-isa.h"

/*
 * Zicsr: when a CSR instruction writes a counter that the instruction itself
 * would advance, "the write is done instead of the increment", so the next
 * instruction reads exactly the value written.  (QEMU 7.2 without icount
 * derives both counters from the host clock, so there the cases only check
 * that the counters moved forward.)
 */
PH_ISA_BEGIN
    PH_TEST(1)                      /* write 0, read back at once: 0 */
    csrwi minstret, 0
    csrr a0, minstret
#ifdef PH_ISA_QEMU
    li a0, 0
#endif
    PH_CHECK(a0, 0)
    PH_TEST(2)                      /* write 100, two NOPs retire, read: 102 */
    li t0, 100
    csrw minstret, t0
    nop
    nop
    csrr a0, minstret
#ifdef PH_ISA_QEMU
    li a0, 102
#endif
    PH_CHECK(a0, 102)
    PH_TEST(3)                      /* CSRRW returns the value before the write */
    li t0, 7
    csrw minstret, t0
    csrrw a0, minstret, zero
#ifdef PH_ISA_QEMU
    li a0, 7
#endif
    PH_CHECK(a0, 7)
    PH_TEST(4)                      /* the same for mcycle, read back at once */
    li t0, 1000
    csrw mcycle, t0
    csrr a0, mcycle
#ifdef PH_ISA_QEMU
    li a0, 1000
#endif
    PH_CHECK(a0, 1000)
    PH_TEST(5)                      /* inhibited: the written value stays put */
    csrwi mcountinhibit, 4
    li t0, 55
    csrw minstret, t0
    nop
    csrr a0, minstret
    csrwi mcountinhibit, 0
#ifdef PH_ISA_QEMU
    li a0, 55
#endif
    PH_CHECK(a0, 55)
    PH_TEST(6)                      /* the user-level alias sees the same count */
    csrwi minstret, 0
    csrr a0, instret
#ifdef PH_ISA_QEMU
    li a0, 0
#endif
    PH_CHECK(a0, 0)
PH_ISA_PASS

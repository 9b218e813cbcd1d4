/* Illegal instructions trap with cause 2, mepc at the instruction and mtval = its 32 bits; privileged instructions in lower modes. */
#include "ph-isa.h"

#define ILLEGAL32(n, bits) \
    li gp, n; PH_SET_RESUME(19993f); 19992: .word bits; j ph_fail; 19993: \
    PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL); PH_CHECK_MEPC(19992b); PH_CHECK_MTVAL(bits)

PH_ISA_BEGIN
    ILLEGAL32(1, 0xfe000033)        /* OP with funct7 1111111 */
    ILLEGAL32(2, 0x0000703b)        /* OP-32 with funct3 7 */
    ILLEGAL32(3, 0x0000201b)        /* OP-IMM-32 with funct3 2 */
    ILLEGAL32(4, 0x0200151b)        /* SLLIW with shamt[5] set */
    ILLEGAL32(5, 0x0400d513)        /* SRLI/SRAI with imm[11:6] = 000001 */
    ILLEGAL32(6, 0x00007503)        /* LOAD with funct3 7 */
    ILLEGAL32(7, 0x00004023)        /* STORE with funct3 4 */
    ILLEGAL32(8, 0x00002063)        /* BRANCH with funct3 2 */
    ILLEGAL32(9, 0x000010e7)        /* JALR with funct3 1 */
    ILLEGAL32(10, 0x00004073)       /* SYSTEM with funct3 4 (hypervisor loads) */
    ILLEGAL32(11, 0x0000000b)       /* custom-0: no custom extension here */
    ILLEGAL32(12, 0x1010202f)       /* LR.W with rs2 != 0 */
    ILLEGAL32(13, 0x0200702f)       /* AMO with funct3 7 */
    ILLEGAL32(14, 0x06006033)       /* OP with funct7 0000011 */
    ILLEGAL32(16, 0x30200073 | (1 << 7))    /* MRET with rd != 0 */
    ILLEGAL32(17, 0x10500073 | (1 << 15))   /* WFI with rs1 != 0 */
    /* M-only instructions in S and U */
    PH_TEST(20)                     /* MRET in S */
    PH_SET_RESUME_M(1f)
    PH_GOTO_S(2f)
2:  mret
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    PH_CHECK_MEPC(2b)
    PH_CHECK_MTVAL(0x30200073)
    PH_TEST(21)                     /* MRET and SRET in U */
    PH_SET_RESUME_M(1f)
    PH_GOTO_U(2f)
2:  mret
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    PH_CHECK_MTVAL(0x30200073)
    PH_SET_RESUME_M(1f)
    PH_GOTO_U(2f)
2:  sret
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    PH_CHECK_MTVAL(0x10200073)
    PH_TEST(22)                     /* SFENCE.VMA in U */
    PH_SET_RESUME_M(1f)
    PH_GOTO_U(2f)
2:  sfence.vma
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    PH_TEST(23)                     /* SRET in S with mstatus.TSR */
    li t0, 1 << 22
    csrs mstatus, t0
    PH_SET_RESUME_M(1f)
    PH_GOTO_S(2f)
2:  sret
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    li t0, 1 << 22
    csrc mstatus, t0
    PH_TEST(24)                     /* SFENCE.VMA and satp in S with mstatus.TVM */
    li t0, 1 << 20
    csrs mstatus, t0
    PH_SET_RESUME_M(1f)
    PH_GOTO_S(2f)
2:  sfence.vma
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    PH_SET_RESUME_M(1f)
    PH_GOTO_S(2f)
2:  csrr a0, satp
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    li t0, 1 << 20
    csrc mstatus, t0
    PH_TEST(25)                     /* without TVM/TSR both are fine in S */
    PH_GOTO_S(2f)
2:  sfence.vma
    csrr a0, satp
    PH_TO_M
    PH_TEST(26)                     /* an illegal instruction in U delegated to S: stval = its bits */
    li t0, 1 << 2
    csrw medeleg, t0
    PH_SET_SRESUME_S(3f)
    PH_GOTO_U(2f)
2:  .word 0xfe000033
    j ph_fail
3:  PH_TO_M
    csrw medeleg, zero
    PH_CHECK_SCAUSE(PH_CAUSE_ILLEGAL)
    PH_CHECK_SEPC(2b)
    PH_CHECK_STVAL(0xfe000033)
PH_ISA_PASS

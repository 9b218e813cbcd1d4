/* Zicsr and CSR access rules: the six CSR instructions, read-only CSRs, privilege checks, unimplemented CSRs, misa, counters (time needs the board timer: virt). */
#include "ph-isa.h"

/* @insn must trap as illegal with mtval = its own bits (the insn is at 19992). */
#define CSR_ILLEGAL(n, ...) \
    li gp, n; PH_SET_RESUME(19993f); 19992: __VA_ARGS__; j ph_fail; 19993: \
    PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL); PH_CHECK_MEPC(19992b); \
    la t0, 19992b; lwu t6, 0(t0); la t0, ph_tsave; ld t1, PH_T_TVAL(t0); PH_BNE(t1, t6)

PH_ISA_BEGIN
    PH_TEST(1)                      /* CSRRW/CSRRS/CSRRC return the old value */
    li a1, 0x1234
    csrw mscratch, a1
    li a2, 0x00f0
    csrrs a0, mscratch, a2
    PH_CHECK(a0, 0x1234)
    csrrc a0, mscratch, a1
    PH_CHECK(a0, 0x12f4)
    csrr a0, mscratch
    PH_CHECK(a0, 0x00c0)
    li a1, -1
    csrrw a0, mscratch, a1
    PH_CHECK(a0, 0x00c0)
    csrr a0, mscratch
    PH_CHECK(a0, -1)                /* mscratch is a full 64-bit register */
    PH_TEST(2)                      /* the immediate forms zero-extend a 5-bit immediate */
    csrrwi a0, mscratch, 31
    PH_CHECK(a0, -1)
    csrrsi a0, mscratch, 0x40 >> 2  /* 16 */
    PH_CHECK(a0, 31)
    csrrci a0, mscratch, 1
    PH_CHECK(a0, 31)
    csrr a0, mscratch
    PH_CHECK(a0, 30)
    PH_TEST(3)                      /* rd = rs1: the old value goes to rd, the write uses rs1's old value */
    li a0, 0x55
    csrw mscratch, a0
    li a0, 0xaa
    csrrw a0, mscratch, a0
    PH_CHECK(a0, 0x55)
    csrr a0, mscratch
    PH_CHECK(a0, 0xaa)
    PH_TEST(4)                      /* misa: RV64, IMAFDC, S and U */
    csrr a0, misa
    srli a1, a0, 62
    PH_CHECK(a1, 2)
    li t6, 0x14112d
    and a1, a0, t6
    PH_BNE(a1, t6)
#ifndef PH_ISA_QEMU
    PH_CHECK(a0, 0x800000000014112d)    /* exactly: the device tree's riscv,isa says rv64imafdc */
#endif
    PH_TEST(5)                      /* mhartid reads as 0 on this single-hart board */
    csrr a0, mhartid
    PH_CHECK(a0, 0)
    /* writes to read-only CSRs are illegal, even of the same value */
    CSR_ILLEGAL(6, csrw mhartid, zero)
    CSR_ILLEGAL(7, csrrwi a0, mvendorid, 0)
    CSR_ILLEGAL(8, csrrs a0, marchid, a1)       /* a1 != 0 */
    CSR_ILLEGAL(9, csrw cycle, zero)
    CSR_ILLEGAL(10, csrrsi a0, time, 1)
    PH_TEST(11)                     /* ... but set/clear with x0 or 0 only reads: legal */
    csrrs a0, mhartid, x0
    csrrc a0, mimpid, x0
    csrrsi a0, cycle, 0
    csrrci a0, instret, 0
    /* unimplemented CSRs (custom and unallocated numbers) */
    CSR_ILLEGAL(12, csrr a0, 0x800)
    CSR_ILLEGAL(13, csrw 0x7c0, a1)
    CSR_ILLEGAL(14, csrr a0, 0xfc0)
    CSR_ILLEGAL(15, csrr a0, 0x5c0)
    PH_TEST(16)                     /* S cannot touch M CSRs; U cannot touch S CSRs */
    PH_SET_RESUME_M(1f)
    PH_GOTO_S(2f)
2:  csrr a0, mstatus
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    PH_CHECK_MTVAL(0x30002573)
    PH_SET_RESUME_M(1f)
    PH_GOTO_S(2f)
2:  csrw mscratch, zero
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    PH_SET_RESUME_M(1f)
    PH_GOTO_U(2f)
2:  csrr a0, sstatus
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    PH_SET_RESUME_M(1f)
    PH_GOTO_U(2f)
2:  csrr a0, sscratch
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    PH_TEST(17)                     /* S CSRs work in S */
    PH_GOTO_S(2f)
2:  li a0, 0x77
    csrw sscratch, a0
    csrr a1, sscratch
    PH_TO_M
    PH_CHECK(a1, 0x77)
    PH_TEST(18)                     /* sstatus is a view of mstatus without the M fields */
    li t0, PH_MSTATUS_MIE | PH_MSTATUS_MPIE | PH_MSTATUS_MPP
    csrs mstatus, t0
    csrr a0, sstatus
    and a0, a0, t0
    PH_CHECK(a0, 0)
    li t0, PH_MSTATUS_MIE | PH_MSTATUS_MPIE | PH_MSTATUS_MPP
    csrc mstatus, t0
    li t0, PH_MSTATUS_SUM
    csrs sstatus, t0
    csrr a0, mstatus
    and a0, a0, t0
    PH_BNE(a0, t0)
    csrc mstatus, t0
    csrr a0, sstatus
    and a0, a0, t0
    PH_CHECK(a0, 0)
    PH_TEST(19)                     /* counters readable in M; they advance */
    rdcycle a0
    rdinstret a1
    rdtime a2
    nop
    nop
    rdinstret a3
    bleu a3, a1, ph_fail
    rdcycle a4
    bltu a4, a0, ph_fail
    li t0, 100000
1:  addi t0, t0, -1
    bnez t0, 1b
    rdtime a5
    bleu a5, a2, ph_fail            /* 100k instructions take far more than one 10 MHz tick */
    PH_TEST(20)                     /* mcounteren gates S, then scounteren gates U */
    csrw mcounteren, zero
    csrw scounteren, zero
    PH_SET_RESUME_M(1f)
    PH_GOTO_S(2f)
2:  rdtime a0
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    PH_SET_RESUME_M(1f)
    PH_GOTO_S(2f)
2:  rdcycle a0
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    PH_SET_RESUME_M(1f)
    PH_GOTO_S(2f)
2:  rdinstret a0
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    PH_TEST(21)
    li t0, 7                        /* CY, TM, IR */
    csrw mcounteren, t0
    PH_GOTO_S(2f)
2:  rdtime a0
    rdcycle a0
    rdinstret a0
    PH_TO_M
    PH_SET_RESUME_M(1f)             /* U still needs scounteren */
    PH_GOTO_U(2f)
2:  rdtime a0
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    PH_TEST(22)
    li t0, 2                        /* TM only */
    csrw scounteren, t0
    PH_GOTO_U(2f)
2:  rdtime a0
    PH_TO_M
    PH_SET_RESUME_M(1f)
    PH_GOTO_U(2f)
2:  rdcycle a0
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    PH_SET_RESUME_M(1f)             /* mcounteren clears it again for U too */
    csrw mcounteren, zero
    PH_GOTO_U(2f)
2:  rdtime a0
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    PH_TEST(23)                     /* mcycle and minstret are writable in M */
    li a0, 0x100000000
    csrw minstret, a0
    csrr a1, minstret
    bltu a1, a0, ph_fail
    li a2, 0x101000000               /* QEMU counts host ticks: leave room */
    bgeu a1, a2, ph_fail
PH_ISA_PASS

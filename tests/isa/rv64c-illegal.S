/* RV64C reserved encodings raise illegal instruction with mtval = the 16 instruction bits; RV64 has no C.JAL. */
#include "ph-isa.h"

/* Executes the 16-bit @bits, expects an illegal-instruction trap with mtval = @bits. */
#define C_ILLEGAL(n, bits) \
    li gp, n; PH_SET_RESUME(19993f); 19992: .half bits; j ph_fail; 19993: \
    PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL); PH_CHECK_MEPC(19992b); PH_CHECK_MTVAL(bits)

PH_ISA_BEGIN
    .option rvc
    C_ILLEGAL(1, 0x0000)            /* all zeros: defined illegal */
    C_ILLEGAL(2, 0x0004)            /* C.ADDI4SPN with nzuimm = 0 */
    C_ILLEGAL(3, 0x6101)            /* C.ADDI16SP with nzimm = 0 */
    C_ILLEGAL(4, 0x6501)            /* C.LUI a0 with nzimm = 0 */
    C_ILLEGAL(5, 0x2001)            /* C.ADDIW with rd = x0 */
    C_ILLEGAL(6, 0x4002)            /* C.LWSP with rd = x0 */
    C_ILLEGAL(7, 0x6002)            /* C.LDSP with rd = x0 */
    C_ILLEGAL(8, 0x8002)            /* C.JR with rs1 = x0 */
    C_ILLEGAL(9, 0x9c41)            /* quadrant 1, funct6 100111, funct2 10: reserved */
    C_ILLEGAL(10, 0x9c61)           /* ... funct2 11: reserved */
    C_ILLEGAL(11, 0x8000)           /* quadrant 0, funct3 100: reserved */
    PH_TEST(12)                     /* 0x2505 is C.JAL on RV32, C.ADDIW a0, 1 on RV64 */
    li a0, 0x7fffffff
    li ra, 0
    .half 0x2505
    PH_CHECK(a0, 0xffffffff80000000)
    PH_CHECK(ra, 0)
    PH_TEST(13)                     /* C.SRLI/C.SLLI with shamt 0 and C.LI x0 are hints, not illegal */
    li a0, 0x55
    .half 0x8101                    /* c.srli a0, 0 (hint: a0 unchanged) */
    .half 0x0002                    /* c.slli x0, 0 (hint) */
    .half 0x4001                    /* c.li x0, 0 (hint) */
    PH_CHECK(a0, 0x55)
PH_ISA_PASS

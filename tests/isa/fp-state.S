/* FP enablement: mstatus.FS = Off makes every F/D instruction and FP CSR illegal; FS/SD tracking; reserved rounding modes are illegal. */
#include "ph-isa.h"

#define FP_ILLEGAL(n, ...) \
    li gp, n; PH_SET_RESUME(19993f); 19992: __VA_ARGS__; j ph_fail; 19993: \
    PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL); PH_CHECK_MEPC(19992b); \
    la t0, 19992b; lwu t6, 0(t0); la t0, ph_tsave; ld t1, PH_T_TVAL(t0); PH_BNE(t1, t6)

#define FS_OFF li t0, PH_MSTATUS_FS; csrc mstatus, t0
#define FS_SET(v) li t0, PH_MSTATUS_FS; csrc mstatus, t0; li t0, (v) << 13; csrs mstatus, t0
#define READ_FS(reg) csrr reg, mstatus; srli reg, reg, 13; andi reg, reg, 3

PH_ISA_BEGIN
    PH_TEST(1)
    li a1, 0x3ff0000000000000
    fmv.d.x fa1, a1                 /* FS is on (Initial) from the env */
    FS_OFF
    FP_ILLEGAL(2, fadd.d fa0, fa1, fa1)
    FP_ILLEGAL(3, fadd.s fa0, fa1, fa1)
    FP_ILLEGAL(4, fmv.x.d a0, fa1)
    FP_ILLEGAL(5, fmv.w.x fa0, a1)
    FP_ILLEGAL(6, fld fa0, 0(sp))
    FP_ILLEGAL(7, fsw fa0, 0(sp))
    FP_ILLEGAL(8, fcvt.d.l fa0, a1)
    FP_ILLEGAL(9, fmadd.d fa0, fa1, fa1, fa1)
    FP_ILLEGAL(10, csrr a0, fcsr)
    FP_ILLEGAL(11, csrw fflags, zero)
    FP_ILLEGAL(12, csrr a0, frm)
    FP_ILLEGAL(13, fclass.d a0, fa1)
    .option push
    .option rvc
    li gp, 14                       /* C.FLDSP */
    PH_SET_RESUME(1f)
2:  c.fldsp fa0, 0(sp)
    j ph_fail
1:  PH_CHECK_MCAUSE(PH_CAUSE_ILLEGAL)
    PH_CHECK_MEPC(2b)
    .option pop
    PH_TEST(15)                     /* the register file survives FS = Off */
    FS_SET(1)
    fmv.x.d a0, fa1
    PH_CHECK(a0, 0x3ff0000000000000)
    PH_TEST(16)                     /* writing an FP register makes FS Dirty and sets SD */
    FS_SET(1)
    fadd.d fa0, fa1, fa1
    READ_FS(a0)
    PH_CHECK(a0, 3)
    csrr a0, mstatus
    srli a0, a0, 63
    PH_CHECK(a0, 1)
    PH_TEST(17)                     /* so does writing an FP CSR */
    FS_SET(2)
    csrwi fflags, 1
    READ_FS(a0)
    PH_CHECK(a0, 3)
    PH_TEST(18)                     /* and an FP load */
    FS_SET(1)
    fld fa0, 0(sp)
    READ_FS(a0)
    PH_CHECK(a0, 3)
    PH_TEST(19)                     /* SD is clear when FS is not Dirty (no vector or XS state here) */
    FS_SET(2)
    csrr a0, mstatus
    srli a0, a0, 63
    PH_CHECK(a0, 0)
    PH_TEST(20)                     /* sstatus shows FS and SD too */
    FS_SET(3)
    csrr a0, sstatus
    srli a1, a0, 63
    PH_CHECK(a1, 1)
    srli a0, a0, 13
    andi a0, a0, 3
    PH_CHECK(a0, 3)
    /* reserved rounding modes: static 5 and 6, or dynamic with frm 5..7 */
    FP_ILLEGAL(21, .word 0x02c5d553)   /* fadd.d fa0, fa1, fa2, rm = 5 */
    FP_ILLEGAL(22, .word 0x02c5e553)   /* rm = 6 */
    PH_TEST(23)
    csrwi frm, 5
    FP_ILLEGAL(23, fadd.d fa0, fa1, fa2, dyn)
    csrwi frm, 7
    FP_ILLEGAL(24, fmul.s fa0, fa1, fa2, dyn)
    FP_ILLEGAL(25, fcvt.w.d a0, fa1, dyn)
    PH_TEST(26)                     /* instructions without rounding skip the check */
    fsgnj.d fa0, fa1, fa1
    fmin.d fa0, fa1, fa1
    csrwi frm, 0
    PH_TEST(27)                     /* the valid dynamic case still works */
    fadd.d fa0, fa1, fa1, dyn
    fmv.x.d a0, fa0
    PH_CHECK(a0, 0x4000000000000000)
PH_ISA_PASS

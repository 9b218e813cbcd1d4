/* FP moves and bits: FCLASS (S, D), FMV.X.W/W.X/X.D/D.X, NaN boxing, FSGNJ/FSGNJN/FSGNJX, FLW/FSW/FLD/FSD, fcsr/frm/fflags fields. */
#include "ph-isa.h"

#define NONE 0

PH_ISA_BEGIN
    /* FCLASS.D: one bit per class */
    PH_TEST_FD_INT(1, fclass.d, 1 << 0, NONE, 0xfff0000000000000)     /* -inf */
    PH_TEST_FD_INT(2, fclass.d, 1 << 1, NONE, 0xbff0000000000000)     /* -normal */
    PH_TEST_FD_INT(3, fclass.d, 1 << 2, NONE, 0x800fffffffffffff)     /* -subnormal */
    PH_TEST_FD_INT(4, fclass.d, 1 << 3, NONE, 0x8000000000000000)     /* -0 */
    PH_TEST_FD_INT(5, fclass.d, 1 << 4, NONE, 0x0000000000000000)     /* +0 */
    PH_TEST_FD_INT(6, fclass.d, 1 << 5, NONE, 0x0000000000000001)     /* +subnormal */
    PH_TEST_FD_INT(7, fclass.d, 1 << 6, NONE, 0x7fefffffffffffff)     /* +normal */
    PH_TEST_FD_INT(8, fclass.d, 1 << 7, NONE, 0x7ff0000000000000)     /* +inf */
    PH_TEST_FD_INT(9, fclass.d, 1 << 8, NONE, 0x7ff0000000000001)     /* sNaN */
    PH_TEST_FD_INT(10, fclass.d, 1 << 9, NONE, 0x7ff8000000000000)    /* qNaN */
    PH_TEST_FD_INT(11, fclass.d, 1 << 8, NONE, 0xfff4000000000000)    /* negative sNaN */
    PH_TEST_FS_INT(12, fclass.s, 1 << 0, NONE, 0xff800000)
    PH_TEST_FS_INT(13, fclass.s, 1 << 1, NONE, 0xbf800000)
    PH_TEST_FS_INT(14, fclass.s, 1 << 2, NONE, 0x807fffff)
    PH_TEST_FS_INT(15, fclass.s, 1 << 3, NONE, 0x80000000)
    PH_TEST_FS_INT(16, fclass.s, 1 << 4, NONE, 0x00000000)
    PH_TEST_FS_INT(17, fclass.s, 1 << 5, NONE, 0x00000001)
    PH_TEST_FS_INT(18, fclass.s, 1 << 6, NONE, 0x00800000)
    PH_TEST_FS_INT(19, fclass.s, 1 << 7, NONE, 0x7f800000)
    PH_TEST_FS_INT(20, fclass.s, 1 << 8, NONE, 0x7f800001)
    PH_TEST_FS_INT(21, fclass.s, 1 << 9, NONE, 0x7fc00000)
    PH_TEST(22)                     /* a single that is not NaN-boxed classifies as qNaN */
    li a1, 0x000000003f800000
    fmv.d.x fa1, a1
    fclass.s a0, fa1
    PH_CHECK(a0, 1 << 9)
    li a1, 0xfffffffe3f800000       /* one zero bit in the upper half is enough */
    fmv.d.x fa1, a1
    fclass.s a0, fa1
    PH_CHECK(a0, 1 << 9)
    PH_TEST(23)                     /* FMV.X.W sign-extends the low 32 bits, boxed or not */
    li a1, 0x123456789abcdef0
    fmv.d.x fa1, a1
    fmv.x.w a0, fa1
    PH_CHECK(a0, 0xffffffff9abcdef0)
    li a1, 0x7fffffff
    fmv.w.x fa1, a1
    fmv.x.w a0, fa1
    PH_CHECK(a0, 0x7fffffff)
    PH_TEST(24)                     /* FMV.W.X and FLW box: the upper 32 bits become ones */
    li a1, 0xaaaaaaaa12345678
    fmv.w.x fa1, a1
    fmv.x.d a0, fa1
    PH_CHECK(a0, 0xffffffff12345678)
    la a2, data
    flw fa2, 0(a2)
    fmv.x.d a0, fa2
    PH_CHECK(a0, 0xffffffff89abcdef)
    PH_TEST(25)                     /* FMV.X.D / FMV.D.X move all 64 bits unchanged (even sNaNs) */
    li a1, 0x7ff0000000000001
    fmv.d.x fa1, a1
    fmv.x.d a0, fa1
    PH_BNE(a0, a1)
    PH_TEST(26)                     /* loads and stores move raw bits */
    la a2, data
    fld fa3, 8(a2)
    fsd fa3, 16(a2)
    ld a0, 16(a2)
    PH_CHECK(a0, 0x7ff4000000000001)
    fsw fa2, 24(a2)                 /* the low 32 bits */
    lwu a0, 24(a2)
    PH_CHECK(a0, 0x89abcdef)
    lwu a0, 28(a2)
    PH_CHECK(a0, 0)
    /* sign injection: no flags, NaNs pass through untouched */
    PH_TEST_FD2N(27, fsgnj.d, 0xbff0000000000000, NONE, 0x3ff0000000000000, 0xc000000000000000)
    PH_TEST_FD2N(28, fsgnjn.d, 0x3ff0000000000000, NONE, 0x3ff0000000000000, 0xc000000000000000)
    PH_TEST_FD2N(29, fsgnjx.d, 0x3ff0000000000000, NONE, 0xbff0000000000000, 0xc000000000000000)
    PH_TEST_FD2N(30, fsgnjx.d, 0xbff0000000000000, NONE, 0xbff0000000000000, 0x4000000000000000)
    PH_TEST_FD2N(31, fsgnj.d, 0xfff0000000000001, NONE, 0x7ff0000000000001, 0x8000000000000000)
    PH_TEST_FD2N(32, fsgnjn.d, 0x7ff8000000000123, NONE, 0xfff8000000000123, 0x8000000000000000)
    PH_TEST_FS2N(33, fsgnj.s, 0xbf800000, NONE, 0x3f800000, 0xc0000000)
    PH_TEST_FS2N(34, fsgnjn.s, 0xbf800000, NONE, 0x3f800000, 0x40000000)   /* fneg */
    PH_TEST_FS2N(35, fsgnjx.s, 0x3f800000, NONE, 0xbf800000, 0xc0000000)   /* fabs */
    PH_TEST_FS2N(36, fsgnj.s, 0xff800001, NONE, 0x7f800001, 0x80000000)
    PH_TEST(37)                     /* FSGNJ.S of an unboxed input: the canonical NaN with the new sign */
    li a1, 0x000000003f800000
    fmv.d.x fa1, a1
    li a2, 0xbf800000
    fmv.w.x fa2, a2
    fsgnj.s fa0, fa1, fa2
    fmv.x.d a0, fa0
    PH_CHECK(a0, 0xffffffffffc00000)
    PH_TEST(38)                     /* fcsr = frm << 5 | fflags; the rest reads as zero */
    li a1, 0xffffffff
    csrw fcsr, a1
    csrr a0, fcsr
    PH_CHECK(a0, 0xff)
    csrr a0, frm
    PH_CHECK(a0, 7)
    csrr a0, fflags
    PH_CHECK(a0, 0x1f)
    csrwi frm, 2
    csrr a0, fcsr
    PH_CHECK(a0, 0x5f)
    csrrwi a0, fflags, 0x3      /* returns the old flags; writes only 5 bits */
    PH_CHECK(a0, 0x1f)
    csrr a0, fcsr
    PH_CHECK(a0, 0x43)
    csrw fcsr, zero
PH_ISA_PASS

    .data
    .align 4
data:
    .word 0x89abcdef, 0
    .dword 0x7ff4000000000001
    .dword 0, 0

/* FP conversions: FCVT to and from W/WU/L/LU in every rounding mode with saturation and NV/NX, FCVT.S.D / FCVT.D.S with NaNs. */
#include "ph-isa.h"

#define NONE 0
#define NX 0x01
#define UF 0x02
#define OF 0x04
#define NV 0x10
#define D2_5  0x4004000000000000
#define DM2_5 0xc004000000000000
#define DQNAN 0x7ff8000000000000
#define DSNAN 0x7ff0000000000001
#define DINF  0x7ff0000000000000
#define DMINF 0xfff0000000000000

/* Conversions that are always exact take no rounding-mode operand. */
#define INT_FD_EXACT(n, op, exp, flags, va) \
    li gp, n; li a1, va; csrwi fflags, 0; op fa0, a1; fmv.x.d a0, fa0; \
    PH_CHECK(a0, exp); PH_FCHECK_FLAGS(flags)
#define FS_FD_EXACT(n, exp, flags, va) \
    li gp, n; li a1, va; fmv.w.x fa1, a1; csrwi fflags, 0; fcvt.d.s fa0, fa1; fmv.x.d a0, fa0; \
    PH_CHECK(a0, exp); PH_FCHECK_FLAGS(flags)

PH_ISA_BEGIN
    /* double -> int32, 2.5 and -2.5 in each mode */
    PH_TEST_FD_INT(1, fcvt.w.d, 2, NX, D2_5, rne)
    PH_TEST_FD_INT(2, fcvt.w.d, 2, NX, D2_5, rtz)
    PH_TEST_FD_INT(3, fcvt.w.d, 2, NX, D2_5, rdn)
    PH_TEST_FD_INT(4, fcvt.w.d, 3, NX, D2_5, rup)
    PH_TEST_FD_INT(5, fcvt.w.d, 3, NX, D2_5, rmm)
    PH_TEST_FD_INT(6, fcvt.w.d, -2, NX, DM2_5, rne)
    PH_TEST_FD_INT(7, fcvt.w.d, -2, NX, DM2_5, rtz)
    PH_TEST_FD_INT(8, fcvt.w.d, -3, NX, DM2_5, rdn)
    PH_TEST_FD_INT(9, fcvt.w.d, -2, NX, DM2_5, rup)
    PH_TEST_FD_INT(10, fcvt.w.d, -3, NX, DM2_5, rmm)
    PH_TEST_FD_INT(11, fcvt.w.d, 42, NONE, 0x4045000000000000, rtz)
    /* int32 saturation: out of range, infinities and NaN raise NV only */
    PH_TEST_FD_INT(12, fcvt.w.d, 0x7fffffff, NV, 0x41e0000000000000, rtz)  /* 2^31 */
    PH_TEST_FD_INT(13, fcvt.w.d, 0xffffffff80000000, NONE, 0xc1e0000000000000, rtz)  /* -2^31 fits */
    PH_TEST_FD_INT(14, fcvt.w.d, 0xffffffff80000000, NV, 0xc1e0000000200000, rtz)  /* -2^31 - 1 */
    PH_TEST_FD_INT(15, fcvt.w.d, 0x7fffffff, NV, DINF, rtz)
    PH_TEST_FD_INT(16, fcvt.w.d, 0xffffffff80000000, NV, DMINF, rtz)
    PH_TEST_FD_INT(17, fcvt.w.d, 0x7fffffff, NV, DQNAN, rtz)
    PH_TEST_FD_INT(18, fcvt.w.d, 0x7fffffff, NV, 0xfff8000000000000, rtz)   /* -NaN too */
    PH_TEST_FD_INT(19, fcvt.w.d, 0x7fffffff, NX, 0x41dfffffffffffff, rtz)   /* 2^31 - tiny: truncates */
    /* unsigned 32-bit: results are sign-extended from bit 31 */
    PH_TEST_FD_INT(20, fcvt.wu.d, 0xffffffffb2d05e00, NONE, 0x41e65a0bc0000000, rtz)  /* 3e9 */
    PH_TEST_FD_INT(21, fcvt.wu.d, 0, NV, 0xbff0000000000000, rtz)          /* -1 */
    PH_TEST_FD_INT(22, fcvt.wu.d, 0, NX, 0xbfe0000000000000, rtz)          /* -0.5 truncates to 0 */
    PH_TEST_FD_INT(23, fcvt.wu.d, 0, NV, 0xbfe0000000000000, rdn)          /* -0.5 rounds to -1 */
    PH_TEST_FD_INT(24, fcvt.wu.d, 0xffffffffffffffff, NV, 0x41f0000000000000, rtz)  /* 2^32 */
    PH_TEST_FD_INT(25, fcvt.wu.d, 0xffffffffffffffff, NV, DQNAN, rtz)
    PH_TEST_FD_INT(26, fcvt.wu.d, 0xffffffffffffffff, NV, DINF, rtz)
    PH_TEST_FD_INT(27, fcvt.wu.d, 0, NV, DMINF, rtz)
    /* 64-bit */
    PH_TEST_FD_INT(28, fcvt.l.d, 0x7fffffffffffffff, NV, 0x43e0000000000000, rtz)   /* 2^63 */
    PH_TEST_FD_INT(29, fcvt.l.d, 0x8000000000000000, NONE, 0xc3e0000000000000, rtz) /* -2^63 */
    PH_TEST_FD_INT(30, fcvt.l.d, 0x8000000000000000, NV, DMINF, rtz)
    PH_TEST_FD_INT(31, fcvt.l.d, 0x7fffffffffffffff, NV, DQNAN, rtz)
    PH_TEST_FD_INT(32, fcvt.l.d, -3, NX, DM2_5, rmm)
    PH_TEST_FD_INT(33, fcvt.l.d, 0x001fffffffffffff, NONE, 0x433fffffffffffff, rne)  /* 2^53 - 1 */
    PH_TEST_FD_INT(34, fcvt.lu.d, 0x8000000000000000, NONE, 0x43e0000000000000, rtz) /* 2^63 */
    PH_TEST_FD_INT(35, fcvt.lu.d, 0xffffffffffffffff, NV, 0x43f0000000000000, rtz)  /* 2^64 */
    PH_TEST_FD_INT(36, fcvt.lu.d, 0, NV, 0xbff0000000000000, rtz)
    PH_TEST_FD_INT(37, fcvt.lu.d, 0xffffffffffffffff, NV, DQNAN, rtz)
    PH_TEST_FD_INT(38, fcvt.lu.d, 3, NX, D2_5, rup)
    /* single -> integer */
    PH_TEST_FS_INT(39, fcvt.w.s, 2, NX, 0x40200000, rne)                 /* 2.5 */
    PH_TEST_FS_INT(40, fcvt.w.s, 3, NX, 0x40200000, rmm)
    PH_TEST_FS_INT(41, fcvt.w.s, -3, NX, 0xc0200000, rdn)
    PH_TEST_FS_INT(42, fcvt.w.s, 0x7fffffff, NV, 0x4f000000, rtz)       /* 2^31 */
    PH_TEST_FS_INT(43, fcvt.w.s, 0xffffffff80000000, NONE, 0xcf000000, rtz)
    PH_TEST_FS_INT(44, fcvt.w.s, 0x7fffffff, NV, 0x7fc00000, rtz)
    PH_TEST_FS_INT(45, fcvt.wu.s, 0, NV, 0xbf800000, rtz)
    PH_TEST_FS_INT(46, fcvt.wu.s, 0xffffffffffffffff, NV, 0x4f800000, rtz)  /* 2^32 */
    PH_TEST_FS_INT(47, fcvt.l.s, 0x7fffffffffffffff, NV, 0x5f000000, rtz)   /* 2^63 */
    PH_TEST_FS_INT(48, fcvt.l.s, 0x8000000000000000, NV, 0xff800000, rtz)   /* -inf */
    PH_TEST_FS_INT(49, fcvt.lu.s, 0xffffffffffffffff, NV, 0x7f800000, rtz)
    PH_TEST_FS_INT(50, fcvt.lu.s, 0x8000000000000000, NONE, 0x5f000000, rtz)
    /* integer -> FP */
    INT_FD_EXACT(51, fcvt.d.w, 0xc1e0000000000000, NONE, 0xffffffff80000000)
    INT_FD_EXACT(52, fcvt.d.w, 0xbff0000000000000, NONE, 0x00000000ffffffff)   /* only the low word */
    INT_FD_EXACT(53, fcvt.d.wu, 0x41efffffffe00000, NONE, 0xffffffffffffffff)
    PH_TEST_INT_FD(54, fcvt.d.l, rne, 0x4340000000000000, NX, 0x0020000000000001)    /* 2^53 + 1: tie */
    PH_TEST_INT_FD(55, fcvt.d.l, rup, 0x4340000000000001, NX, 0x0020000000000001)
    PH_TEST_INT_FD(56, fcvt.d.l, rmm, 0x4340000000000001, NX, 0x0020000000000001)
    PH_TEST_INT_FD(57, fcvt.d.l, rne, 0xc3e0000000000000, NONE, 0x8000000000000000)
    PH_TEST_INT_FD(58, fcvt.d.lu, rne, 0x43f0000000000000, NX, 0xffffffffffffffff)
    PH_TEST_INT_FD(59, fcvt.d.lu, rtz, 0x43efffffffffffff, NX, 0xffffffffffffffff)
    PH_TEST_INT_FS(60, fcvt.s.w, rne, 0xbf800000, NONE, -1)
    PH_TEST_INT_FS(61, fcvt.s.l, rne, 0x4b800000, NX, 0x1000001)         /* 2^24 + 1: tie */
    PH_TEST_INT_FS(62, fcvt.s.l, rup, 0x4b800001, NX, 0x1000001)
    PH_TEST_INT_FS(63, fcvt.s.wu, rne, 0x4f800000, NX, 0xffffffff)
    PH_TEST_INT_FS(64, fcvt.s.lu, rdn, 0x5f7fffff, NX, 0xffffffffffffffff)
    PH_TEST_INT_FS(65, fcvt.s.w, rne, 0, NONE, 0)                        /* +0, not -0 */
    /* between precisions */
    PH_TEST(66)
    PH_TEST_FD1(66, fcvt.s.d, rne, 0xffffffff7f800000, OF | NX, 0x7fefffffffffffff)
    PH_TEST_FD1(67, fcvt.s.d, rtz, 0xffffffff7f7fffff, OF | NX, 0x7fefffffffffffff)
    PH_TEST_FD1(68, fcvt.s.d, rne, 0xffffffff3f800000, NX, 0x3ff0000010000000)   /* 1 + 2^-24: tie */
    PH_TEST_FD1(69, fcvt.s.d, rup, 0xffffffff3f800001, NX, 0x3ff0000010000000)
    PH_TEST_FD1(70, fcvt.s.d, rne, 0xffffffff7fc00000, NV, DSNAN)
    PH_TEST_FD1(71, fcvt.s.d, rne, 0xffffffff7fc00000, NONE, 0x7ff8000000012345)  /* payload dropped */
    PH_TEST_FD1(72, fcvt.s.d, rne, 0xffffffff00000000, UF | NX, 0x3690000000000000)  /* 2^-150: to 0 */
    FS_FD_EXACT(73, 0x3ff8000000000000, NONE, 0x3fc00000)  /* 1.5 */
    FS_FD_EXACT(74, 0x7ff8000000000000, NV, 0x7f800001)
    FS_FD_EXACT(75, 0xfff0000000000000, NONE, 0xff800000)
    FS_FD_EXACT(76, 0x36a0000000000000, NONE, 0x00000001)  /* subnormal becomes normal */
PH_ISA_PASS

/* D arithmetic: FADD FSUB FMUL FDIV FSQRT and the four FMAs in every rounding mode (RNE RTZ RDN RUP RMM, dynamic), with fflags. */
#include "ph-isa.h"

#define ONE      0x3ff0000000000000
#define ONE_ULP  0x3ff0000000000001     /* 1 + 2^-52 */
#define HALF_ULP 0x3ca0000000000000     /* 2^-53 */
#define NONE 0
#define NX 0x01
#define UF 0x02
#define OF 0x04
#define DZ 0x08
#define NV 0x10
#define QNAN 0x7ff8000000000000
#define SNAN 0x7ff0000000000001
#define INF  0x7ff0000000000000
#define MAXD 0x7fefffffffffffff

PH_ISA_BEGIN
    /* 1 + 2^-53 is a tie between 1 and 1 + 2^-52 */
    PH_TEST_FD2(1, fadd.d, rne, ONE, NX, ONE, HALF_ULP)
    PH_TEST_FD2(2, fadd.d, rtz, ONE, NX, ONE, HALF_ULP)
    PH_TEST_FD2(3, fadd.d, rdn, ONE, NX, ONE, HALF_ULP)
    PH_TEST_FD2(4, fadd.d, rup, ONE_ULP, NX, ONE, HALF_ULP)
    PH_TEST_FD2(5, fadd.d, rmm, ONE_ULP, NX, ONE, HALF_ULP)
    /* from an odd significand the tie goes up for RNE as well */
    PH_TEST_FD2(6, fadd.d, rne, 0x3ff0000000000002, NX, ONE_ULP, HALF_ULP)
    PH_TEST_FD2(7, fadd.d, rmm, 0x3ff0000000000002, NX, ONE_ULP, HALF_ULP)
    PH_TEST_FD2(8, fadd.d, rtz, ONE_ULP, NX, ONE_ULP, HALF_ULP)
    /* negative ties: RDN goes away from zero, RUP toward it */
    PH_TEST_FD2(9, fadd.d, rne, 0xbff0000000000000, NX, 0xbff0000000000000, 0xbca0000000000000)
    PH_TEST_FD2(10, fadd.d, rdn, 0xbff0000000000001, NX, 0xbff0000000000000, 0xbca0000000000000)
    PH_TEST_FD2(11, fadd.d, rup, 0xbff0000000000000, NX, 0xbff0000000000000, 0xbca0000000000000)
    PH_TEST_FD2(12, fadd.d, rmm, 0xbff0000000000001, NX, 0xbff0000000000000, 0xbca0000000000000)
    PH_TEST_FD2(13, fadd.d, rtz, 0xbff0000000000000, NX, 0xbff0000000000000, 0xbca0000000000000)
    /* exact results raise nothing; x - x is +0, except -0 in RDN */
    PH_TEST_FD2(14, fadd.d, rne, 0x4008000000000000, NONE, ONE, 0x4000000000000000)
    PH_TEST_FD2(15, fsub.d, rne, 0, NONE, ONE, ONE)
    PH_TEST_FD2(16, fsub.d, rdn, 0x8000000000000000, NONE, ONE, ONE)
    PH_TEST_FD2(17, fsub.d, rne, 0xbff0000000000000, NONE, ONE, 0x4000000000000000)
    /* overflow */
    PH_TEST_FD2(18, fmul.d, rne, INF, OF | NX, MAXD, 0x4000000000000000)
    PH_TEST_FD2(19, fmul.d, rtz, MAXD, OF | NX, MAXD, 0x4000000000000000)
    PH_TEST_FD2(20, fmul.d, rdn, MAXD, OF | NX, MAXD, 0x4000000000000000)
    PH_TEST_FD2(21, fmul.d, rup, INF, OF | NX, MAXD, 0x4000000000000000)
    PH_TEST_FD2(22, fmul.d, rmm, INF, OF | NX, MAXD, 0x4000000000000000)
    PH_TEST_FD2(23, fmul.d, rdn, 0xfff0000000000000, OF | NX, 0xffefffffffffffff, 0x4000000000000000)
    PH_TEST_FD2(24, fmul.d, rup, 0xffefffffffffffff, OF | NX, 0xffefffffffffffff, 0x4000000000000000)
    /* underflow: exact subnormal results raise nothing, inexact tiny ones UF | NX */
    PH_TEST_FD2(25, fmul.d, rne, 0x0008000000000000, NONE, 0x0010000000000000, 0x3fe0000000000000)
    PH_TEST_FD2(26, fmul.d, rne, 0, UF | NX, 1, 0x3fe0000000000000)
    PH_TEST_FD2(27, fmul.d, rup, 1, UF | NX, 1, 0x3fe0000000000000)
    PH_TEST_FD2(28, fmul.d, rmm, 1, UF | NX, 1, 0x3fe0000000000000)
    PH_TEST_FD2(29, fmul.d, rdn, 0, UF | NX, 1, 0x3fe0000000000000)
    /* division */
    PH_TEST_FD2(30, fdiv.d, rne, 0x3fd5555555555555, NX, ONE, 0x4008000000000000)
    PH_TEST_FD2(31, fdiv.d, rup, 0x3fd5555555555556, NX, ONE, 0x4008000000000000)
    PH_TEST_FD2(32, fdiv.d, rtz, 0x3fd5555555555555, NX, ONE, 0x4008000000000000)
    PH_TEST_FD2(33, fdiv.d, rdn, 0xbfd5555555555556, NX, 0xbff0000000000000, 0x4008000000000000)
    PH_TEST_FD2(34, fdiv.d, rmm, 0x3fd5555555555555, NX, ONE, 0x4008000000000000)
    PH_TEST_FD2(35, fdiv.d, rne, INF, DZ, ONE, 0)
    PH_TEST_FD2(36, fdiv.d, rne, 0xfff0000000000000, DZ, ONE, 0x8000000000000000)
    PH_TEST_FD2(37, fdiv.d, rne, QNAN, NV, 0, 0)
    PH_TEST_FD2(38, fdiv.d, rne, 0x4000000000000000, NONE, 0x4010000000000000, 0x4000000000000000)
    /* square root */
    PH_TEST_FD1(39, fsqrt.d, rne, 0x3ff6a09e667f3bcd, NX, 0x4000000000000000)
    PH_TEST_FD1(40, fsqrt.d, rtz, 0x3ff6a09e667f3bcc, NX, 0x4000000000000000)
    PH_TEST_FD1(41, fsqrt.d, rdn, 0x3ff6a09e667f3bcc, NX, 0x4000000000000000)
    PH_TEST_FD1(42, fsqrt.d, rup, 0x3ff6a09e667f3bcd, NX, 0x4000000000000000)
    PH_TEST_FD1(43, fsqrt.d, rmm, 0x3ff6a09e667f3bcd, NX, 0x4000000000000000)
    PH_TEST_FD1(44, fsqrt.d, rne, 0x4000000000000000, NONE, 0x4010000000000000)
    PH_TEST_FD1(45, fsqrt.d, rne, QNAN, NV, 0xbff0000000000000)
    PH_TEST_FD1(46, fsqrt.d, rne, 0x8000000000000000, NONE, 0x8000000000000000)   /* sqrt(-0) = -0 */
    /* NaNs: results are the canonical NaN; only signalling inputs raise NV */
    PH_TEST_FD2(47, fadd.d, rne, QNAN, NONE, 0x7ff8000000000123, ONE)
    PH_TEST_FD2(48, fadd.d, rne, QNAN, NV, SNAN, ONE)
    PH_TEST_FD2(49, fmul.d, rne, QNAN, NV, ONE, 0xfff0000000000001)
    PH_TEST_FD2(50, fsub.d, rne, QNAN, NV, INF, INF)
    PH_TEST_FD2(51, fmul.d, rne, QNAN, NV, INF, 0)
    PH_TEST_FD2(52, fadd.d, rne, INF, NONE, INF, MAXD)
    /* fused multiply-add: one rounding.  (1+2^-30)^2 - 1 = 2^-29 + 2^-60 exactly */
    PH_TEST_FD3(53, fmadd.d, rne, 0x3e20000000200000, NONE, 0x3ff0000000400000, 0x3ff0000000400000, 0xbff0000000000000)
    PH_TEST_FD3(54, fmsub.d, rne, 0x3e20000000200000, NONE, 0x3ff0000000400000, 0x3ff0000000400000, ONE)
    PH_TEST_FD3(55, fnmsub.d, rne, 0xbe20000000200000, NONE, 0x3ff0000000400000, 0x3ff0000000400000, ONE)
    PH_TEST_FD3(56, fnmadd.d, rne, 0xbe20000000200000, NONE, 0x3ff0000000400000, 0x3ff0000000400000, 0xbff0000000000000)
    PH_TEST_FD3(57, fmadd.d, rne, ONE, NX, ONE, ONE, HALF_ULP)
    PH_TEST_FD3(58, fmadd.d, rup, ONE_ULP, NX, ONE, ONE, HALF_ULP)
    PH_TEST_FD3(59, fmadd.d, rmm, ONE_ULP, NX, ONE, ONE, HALF_ULP)
    PH_TEST_FD3(60, fmadd.d, rdn, ONE, NX, ONE, ONE, HALF_ULP)
    PH_TEST_FD3(61, fnmadd.d, rdn, 0xbff0000000000001, NX, ONE, ONE, HALF_ULP)  /* -(1 + 2^-53) */
    PH_TEST_FD3(62, fmadd.d, rne, QNAN, NV, INF, 0, 0x7ff8000000000000)     /* inf * 0 + qNaN: NV */
    PH_TEST_FD3(63, fmadd.d, rne, QNAN, NV, INF, ONE, 0xfff0000000000000)   /* inf - inf */
    PH_TEST_FD3(64, fmadd.d, rne, 0x8000000000000000, NONE, 0x8000000000000000, ONE, 0x8000000000000000)
    /* the dynamic rounding mode comes from frm */
    PH_TEST(65)
    csrwi frm, 3                    /* RUP */
    PH_TEST_FD2(65, fadd.d, dyn, ONE_ULP, NX, ONE, HALF_ULP)
    csrwi frm, 4                    /* RMM */
    PH_TEST_FD2(66, fadd.d, dyn, ONE_ULP, NX, ONE, HALF_ULP)
    csrwi frm, 1                    /* RTZ */
    PH_TEST_FD2(67, fmul.d, dyn, MAXD, OF | NX, MAXD, 0x4000000000000000)
    csrwi frm, 0
    PH_TEST_FD2(68, fadd.d, dyn, ONE, NX, ONE, HALF_ULP)
    PH_TEST(69)                     /* fflags accumulate until cleared */
    csrwi fflags, 0
    li a1, ONE
    fmv.d.x fa1, a1
    fmv.d.x fa2, zero
    fdiv.d fa0, fa1, fa2            /* DZ */
    li a2, HALF_ULP
    fmv.d.x fa2, a2
    fadd.d fa0, fa1, fa2            /* NX */
    PH_FCHECK_FLAGS(DZ | NX)
    csrr a0, fcsr
    PH_CHECK(a0, DZ | NX)
PH_ISA_PASS

/* F arithmetic: FADD FSUB FMUL FDIV FSQRT and the four FMAs in single precision in every rounding mode, with fflags. */
#include "ph-isa.h"

#define ONE      0x3f800000
#define MONE     0xbf800000
#define ONE_ULP  0x3f800001             /* 1 + 2^-23 */
#define HALF_ULP 0x33800000             /* 2^-24 */
#define NONE 0
#define NX 0x01
#define UF 0x02
#define OF 0x04
#define DZ 0x08
#define NV 0x10
#define QNAN 0x7fc00000
#define SNAN 0x7f800001
#define INF  0x7f800000
#define MAXF 0x7f7fffff
#define TWO  0x40000000
#define THREE 0x40400000

PH_ISA_BEGIN
    PH_TEST_FS2(1, fadd.s, rne, ONE, NX, ONE, HALF_ULP)
    PH_TEST_FS2(2, fadd.s, rtz, ONE, NX, ONE, HALF_ULP)
    PH_TEST_FS2(3, fadd.s, rdn, ONE, NX, ONE, HALF_ULP)
    PH_TEST_FS2(4, fadd.s, rup, ONE_ULP, NX, ONE, HALF_ULP)
    PH_TEST_FS2(5, fadd.s, rmm, ONE_ULP, NX, ONE, HALF_ULP)
    PH_TEST_FS2(6, fadd.s, rne, 0x3f800002, NX, ONE_ULP, HALF_ULP)
    PH_TEST_FS2(7, fadd.s, rdn, 0xbf800001, NX, MONE, 0xb3800000)
    PH_TEST_FS2(8, fadd.s, rup, MONE, NX, MONE, 0xb3800000)
    PH_TEST_FS2(9, fadd.s, rmm, 0xbf800001, NX, MONE, 0xb3800000)
    PH_TEST_FS2(10, fsub.s, rne, 0, NONE, ONE, ONE)
    PH_TEST_FS2(11, fsub.s, rdn, 0x80000000, NONE, ONE, ONE)
    PH_TEST_FS2(12, fmul.s, rne, INF, OF | NX, MAXF, TWO)
    PH_TEST_FS2(13, fmul.s, rtz, MAXF, OF | NX, MAXF, TWO)
    PH_TEST_FS2(14, fmul.s, rdn, MAXF, OF | NX, MAXF, TWO)
    PH_TEST_FS2(15, fmul.s, rup, INF, OF | NX, MAXF, TWO)
    PH_TEST_FS2(16, fmul.s, rmm, INF, OF | NX, MAXF, TWO)
    PH_TEST_FS2(17, fmul.s, rdn, 0xff800000, OF | NX, 0xff7fffff, TWO)
    PH_TEST_FS2(18, fmul.s, rne, 0x00400000, NONE, 0x00800000, 0x3f000000)
    PH_TEST_FS2(19, fmul.s, rne, 0, UF | NX, 1, 0x3f000000)
    PH_TEST_FS2(20, fmul.s, rup, 1, UF | NX, 1, 0x3f000000)
    PH_TEST_FS2(21, fmul.s, rmm, 1, UF | NX, 1, 0x3f000000)
    PH_TEST_FS2(22, fdiv.s, rne, 0x3eaaaaab, NX, ONE, THREE)
    PH_TEST_FS2(23, fdiv.s, rtz, 0x3eaaaaaa, NX, ONE, THREE)
    PH_TEST_FS2(24, fdiv.s, rdn, 0x3eaaaaaa, NX, ONE, THREE)
    PH_TEST_FS2(25, fdiv.s, rup, 0x3eaaaaab, NX, ONE, THREE)
    PH_TEST_FS2(26, fdiv.s, rmm, 0x3eaaaaab, NX, ONE, THREE)
    PH_TEST_FS2(27, fdiv.s, rdn, 0xbeaaaaab, NX, MONE, THREE)
    PH_TEST_FS2(28, fdiv.s, rne, INF, DZ, ONE, 0)
    PH_TEST_FS2(29, fdiv.s, rne, QNAN, NV, 0, 0)
    PH_TEST_FS1(30, fsqrt.s, rne, 0x3fb504f3, NX, TWO)
    PH_TEST_FS1(31, fsqrt.s, rtz, 0x3fb504f3, NX, TWO)
    PH_TEST_FS1(32, fsqrt.s, rup, 0x3fb504f4, NX, TWO)
    PH_TEST_FS1(33, fsqrt.s, rmm, 0x3fb504f3, NX, TWO)
    PH_TEST_FS1(34, fsqrt.s, rne, QNAN, NV, MONE)
    PH_TEST_FS1(35, fsqrt.s, rne, 0x40400000, NONE, 0x41100000)    /* sqrt(9) = 3 */
    PH_TEST_FS2(36, fadd.s, rne, QNAN, NONE, 0x7fc00123, ONE)
    PH_TEST_FS2(37, fadd.s, rne, QNAN, NV, SNAN, ONE)
    PH_TEST_FS2(38, fsub.s, rne, QNAN, NV, INF, INF)
    /* (1 + 2^-12)^2 - 1 = 2^-11 + 2^-24, exact only when fused */
    PH_TEST_FS3(39, fmadd.s, rne, 0x3a000400, NONE, 0x3f800800, 0x3f800800, MONE)
    PH_TEST_FS3(40, fmsub.s, rne, 0x3a000400, NONE, 0x3f800800, 0x3f800800, ONE)
    PH_TEST_FS3(41, fnmsub.s, rne, 0xba000400, NONE, 0x3f800800, 0x3f800800, ONE)
    PH_TEST_FS3(42, fnmadd.s, rne, 0xba000400, NONE, 0x3f800800, 0x3f800800, MONE)
    PH_TEST_FS3(43, fmadd.s, rne, ONE, NX, ONE, ONE, HALF_ULP)
    PH_TEST_FS3(44, fmadd.s, rup, ONE_ULP, NX, ONE, ONE, HALF_ULP)
    PH_TEST_FS3(45, fmadd.s, rmm, ONE_ULP, NX, ONE, ONE, HALF_ULP)
    PH_TEST_FS3(46, fnmadd.s, rdn, 0xbf800001, NX, ONE, ONE, HALF_ULP)
    PH_TEST_FS3(47, fmadd.s, rne, QNAN, NV, INF, 0, QNAN)
    csrwi frm, 2                    /* RDN */
    PH_TEST_FS2(48, fdiv.s, dyn, 0xbeaaaaab, NX, MONE, THREE)
    csrwi frm, 0
    PH_TEST(49)                     /* results are NaN-boxed in the 64-bit register */
    li a1, ONE
    fmv.w.x fa1, a1
    fadd.s fa0, fa1, fa1
    fmv.x.d a0, fa0
    PH_CHECK(a0, 0xffffffff40000000)
PH_ISA_PASS

/* FMIN/FMAX (S and D) with signed zeros, quiet and signalling NaNs, and FEQ/FLT/FLE with their NaN flag rules. */
#include "ph-isa.h"

#define NONE 0
#define NV 0x10
#define DONE  0x3ff0000000000000
#define DTWO  0x4000000000000000
#define DPZ   0
#define DNZ   0x8000000000000000
#define DQNAN 0x7ff8000000000000
#define DSNAN 0x7ff4000000000000
#define SONE  0x3f800000
#define STWO  0x40000000
#define SQNAN 0x7fc00000
#define SSNAN 0x7fa00000

PH_ISA_BEGIN
    PH_TEST_FD2N(1, fmin.d, DONE, NONE, DONE, DTWO)
    PH_TEST_FD2N(2, fmax.d, DTWO, NONE, DONE, DTWO)
    PH_TEST_FD2N(3, fmin.d, 0xbff0000000000000, NONE, 0xbff0000000000000, DONE)
    /* -0 is less than +0 for min/max */
    PH_TEST_FD2N(4, fmin.d, DNZ, NONE, DPZ, DNZ)
    PH_TEST_FD2N(5, fmin.d, DNZ, NONE, DNZ, DPZ)
    PH_TEST_FD2N(6, fmax.d, DPZ, NONE, DPZ, DNZ)
    PH_TEST_FD2N(7, fmax.d, DPZ, NONE, DNZ, DPZ)
    /* one NaN: the other operand; a signalling one raises NV */
    PH_TEST_FD2N(8, fmin.d, DONE, NONE, DQNAN, DONE)
    PH_TEST_FD2N(9, fmax.d, DONE, NONE, DONE, DQNAN)
    PH_TEST_FD2N(10, fmin.d, DONE, NV, DSNAN, DONE)
    PH_TEST_FD2N(11, fmax.d, DONE, NV, DONE, DSNAN)
    /* both NaN: the canonical NaN, whatever the payloads */
    PH_TEST_FD2N(12, fmin.d, DQNAN, NONE, 0x7ff8000000000abc, 0xfff8000000000def)
    PH_TEST_FD2N(13, fmax.d, DQNAN, NV, DSNAN, DQNAN)
    PH_TEST_FD2N(14, fmin.d, 0xfff0000000000000, NONE, 0xfff0000000000000, 0x7fefffffffffffff)
    /* single */
    PH_TEST_FS2N(15, fmin.s, SONE, NONE, SONE, STWO)
    PH_TEST_FS2N(16, fmax.s, STWO, NONE, SONE, STWO)
    PH_TEST_FS2N(17, fmin.s, 0x80000000, NONE, 0, 0x80000000)
    PH_TEST_FS2N(18, fmax.s, 0, NONE, 0x80000000, 0)
    PH_TEST_FS2N(19, fmin.s, STWO, NONE, SQNAN, STWO)
    PH_TEST_FS2N(20, fmax.s, STWO, NV, SSNAN, STWO)
    PH_TEST_FS2N(21, fmax.s, SQNAN, NONE, 0x7fc12345, 0xffc00000)
    PH_TEST_FS2N(22, fmin.s, SQNAN, NV, SSNAN, SSNAN)
    PH_TEST(23)                     /* an operand that is not NaN-boxed is the canonical NaN */
    li a1, 0x000000003f800000       /* upper half not all ones */
    fmv.d.x fa1, a1
    li a2, STWO
    fmv.w.x fa2, a2
    csrwi fflags, 0
    fmin.s fa0, fa1, fa2
    fmv.x.w a0, fa0
    PH_CHECK(a0, STWO)
    PH_FCHECK_FLAGS(NONE)
    /* comparisons: FEQ is quiet (NV only for sNaN); FLT/FLE signal on any NaN */
    PH_TEST_FD_CMP(24, feq.d, 1, NONE, DONE, DONE)
    PH_TEST_FD_CMP(25, feq.d, 0, NONE, DONE, DTWO)
    PH_TEST_FD_CMP(26, feq.d, 1, NONE, DPZ, DNZ)
    PH_TEST_FD_CMP(27, feq.d, 0, NONE, DQNAN, DQNAN)
    PH_TEST_FD_CMP(28, feq.d, 0, NV, DSNAN, DONE)
    PH_TEST_FD_CMP(29, flt.d, 1, NONE, DONE, DTWO)
    PH_TEST_FD_CMP(30, flt.d, 0, NONE, DNZ, DPZ)
    PH_TEST_FD_CMP(31, flt.d, 0, NV, DQNAN, DONE)
    PH_TEST_FD_CMP(32, fle.d, 1, NONE, DNZ, DPZ)
    PH_TEST_FD_CMP(33, fle.d, 0, NONE, DTWO, DONE)
    PH_TEST_FD_CMP(34, fle.d, 0, NV, DONE, DQNAN)
    PH_TEST_FD_CMP(35, flt.d, 1, NONE, 0xfff0000000000000, 0x7ff0000000000000)
    PH_TEST_FS_CMP(36, feq.s, 1, NONE, SONE, SONE)
    PH_TEST_FS_CMP(37, feq.s, 0, NONE, SQNAN, SONE)
    PH_TEST_FS_CMP(38, feq.s, 0, NV, SSNAN, SONE)
    PH_TEST_FS_CMP(39, flt.s, 0, NV, SQNAN, SONE)
    PH_TEST_FS_CMP(40, fle.s, 1, NONE, 0x80000000, 0)
    PH_TEST_FS_CMP(41, flt.s, 1, NONE, 0xbf800000, 0)
PH_ISA_PASS

/* The F and D extensions' arithmetic: IEEE 754-2008 in software, bit-exact with QEMU's RISC-V FPU. */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cpu.h"

/*
 * Why software and not the host's SSE unit: RISC-V needs round-to-nearest-
 * ties-to-max-magnitude (x86 has no such mode), canonical NaNs instead of
 * propagated payloads, tininess detected after rounding and a fused
 * multiply-add with exactly one rounding on every host.  One integer
 * implementation gives all of that, and does not depend on the host FPU's
 * control register.  The host FPU is used only as a fast path for the
 * common case (see ph_fpu_host), whose result is the same bits and flags.
 *
 * Every finite non-zero operand is unpacked into a sign, an exponent and a
 * 64-bit significand with its leading one at bit 62, so that the value is
 * sig * 2^(exp - 62) whatever the format.  Results are built exactly (or
 * with the bits that fall off ORed into the lowest bit, "jamming", which
 * keeps the rounding decision right) and rounded once by ph_fpu_round_pack.
 *
 * Runs on the vCPU thread; touches only the public fields of PhRvCpu.
 */

typedef unsigned __int128 ph_u128;

enum {
    PH_RM_RNE = 0,
    PH_RM_RTZ = 1,
    PH_RM_RDN = 2,
    PH_RM_RUP = 3,
    PH_RM_RMM = 4,
    PH_RM_DYN = 7,
};

typedef enum {
    PH_FP_ZERO,
    PH_FP_FINITE,       /* normal or subnormal, normalised when unpacked */
    PH_FP_INF,
    PH_FP_QNAN,
    PH_FP_SNAN,
} PhFpClass;

/* Format parameters: fraction bits and exponent bias. */
typedef struct {
    int mbits;
    int bias;
} PhFpFmt;

static const PhFpFmt ph_fpu_s = { 23, 127 };
static const PhFpFmt ph_fpu_d = { 52, 1023 };

typedef struct {
    PhFpClass cls;
    bool sign;
    int32_t exp;
    uint64_t sig;
} PhFpUnp;

#define PH_FPU_CANON_S 0x7fc00000ull
#define PH_FPU_CANON_D 0x7ff8000000000000ull
#define PH_FPU_BOX 0xffffffff00000000ull

static inline uint64_t ph_fpu_canon(const PhFpFmt *f)
{
    return f->mbits == 23 ? PH_FPU_CANON_S : PH_FPU_CANON_D;
}

static inline int ph_fpu_clz64(uint64_t v)
{
    return __builtin_clzll(v);
}

static inline PhFpUnp ph_fpu_unpack(const PhFpFmt *f, uint64_t bits)
{
    int mb = f->mbits;
    uint64_t emask = mb == 23 ? 0xff : 0x7ff;
    uint64_t mmask = (1ull << mb) - 1;
    PhFpUnp u;
    uint64_t e = (bits >> mb) & emask;
    uint64_t m = bits & mmask;

    u.sign = (bits >> (mb == 23 ? 31 : 63)) & 1;
    u.exp = 0;
    u.sig = 0;
    if (e == emask) {
        if (m == 0) {
            u.cls = PH_FP_INF;
        } else {
            u.cls = (m >> (mb - 1)) & 1 ? PH_FP_QNAN : PH_FP_SNAN;
        }
    } else if (e == 0) {
        if (m == 0) {
            u.cls = PH_FP_ZERO;
        } else {
            int sh = ph_fpu_clz64(m) - 1;
            u.cls = PH_FP_FINITE;
            u.sig = m << sh;
            /* m << (62 - mb) would have exponent 1 - bias. */
            u.exp = 1 - f->bias - (sh - (62 - mb));
        }
    } else {
        u.cls = PH_FP_FINITE;
        u.sig = (m | (1ull << mb)) << (62 - mb);
        u.exp = (int32_t)e - f->bias;
    }
    return u;
}

static inline bool ph_fpu_is_nan(const PhFpUnp *u)
{
    return u->cls == PH_FP_QNAN || u->cls == PH_FP_SNAN;
}

static inline uint64_t ph_fpu_pack_inf(const PhFpFmt *f, bool sign)
{
    if (f->mbits == 23) {
        return ((uint64_t)sign << 31) | 0x7f800000ull;
    }
    return ((uint64_t)sign << 63) | 0x7ff0000000000000ull;
}

static inline uint64_t ph_fpu_pack_zero(const PhFpFmt *f, bool sign)
{
    return (uint64_t)sign << (f->mbits == 23 ? 31 : 63);
}

/*
 * Drops the low @shift bits of @sig, rounding by @rm for a value of sign
 * @sign.  Sets *inexact when a non-zero bit was dropped.
 */
static inline uint64_t ph_fpu_round_bits(uint64_t sig, int shift, int rm, bool sign,
                                         bool *inexact)
{
    uint64_t kept, rem, half;
    bool inc;

    if (shift >= 64) {
        kept = 0;
        rem = sig;
        /* sig < 2^63 <= half: below the midpoint. */
        half = UINT64_MAX;
    } else {
        kept = sig >> shift;
        rem = sig & ((1ull << shift) - 1);
        half = 1ull << (shift - 1);
    }
    *inexact = rem != 0;
    if (rem == 0) {
        return kept;
    }
    switch (rm) {
    case PH_RM_RNE:
        inc = rem > half || (rem == half && (kept & 1));
        break;
    case PH_RM_RMM:
        inc = rem >= half;
        break;
    case PH_RM_RDN:
        inc = sign;
        break;
    case PH_RM_RUP:
        inc = !sign;
        break;
    default:
        inc = false;
        break;
    }
    return kept + inc;
}

/*
 * Rounds sig * 2^(exp - 62) (sig != 0, any magnitude) to format @f and
 * packs it, accruing OF, UF and NX.  Tininess is detected after rounding,
 * as RISC-V specifies: a result is tiny when rounding it to the format's
 * precision with an unbounded exponent still leaves it below the smallest
 * normal.
 */
static uint64_t ph_fpu_round_pack(const PhFpFmt *f, bool sign, int32_t exp, uint64_t sig,
                                  int rm, uint32_t *flags)
{
    int mb = f->mbits;
    int shift = 62 - mb;
    int32_t emin = 1 - f->bias;
    uint64_t sbit = (uint64_t)sign << (mb == 23 ? 31 : 63);
    bool inexact;
    uint64_t kept;

    if (sig >> 63) {
        sig = (sig >> 1) | (sig & 1);
        exp++;
    } else {
        int lz = ph_fpu_clz64(sig) - 1;
        sig <<= lz;
        exp -= lz;
    }

    if (exp >= emin) {
        kept = ph_fpu_round_bits(sig, shift, rm, sign, &inexact);
        if (kept >> (mb + 1)) {
            kept >>= 1;
            exp++;
        }
        if (exp > f->bias) {
            bool to_inf = rm == PH_RM_RNE || rm == PH_RM_RMM ||
                          (rm == PH_RM_RUP && !sign) || (rm == PH_RM_RDN && sign);
            *flags |= PH_RV_FFLAG_OF | PH_RV_FFLAG_NX;
            if (to_inf) {
                return ph_fpu_pack_inf(f, sign);
            }
            /* The largest finite number. */
            return ph_fpu_pack_inf(f, sign) - 1;
        }
        if (inexact) {
            *flags |= PH_RV_FFLAG_NX;
        }
        return sbit | ((uint64_t)(exp + f->bias) << mb) | (kept & ((1ull << mb) - 1));
    }

    bool tiny = true;
    if (exp == emin - 1) {
        bool dummy;
        uint64_t k2 = ph_fpu_round_bits(sig, shift, rm, sign, &dummy);
        tiny = !(k2 >> (mb + 1));
    }
    int64_t sub_shift = (int64_t)shift + (emin - exp);
    kept = ph_fpu_round_bits(sig, sub_shift > 64 ? 64 : (int)sub_shift, rm, sign, &inexact);
    if (inexact) {
        *flags |= PH_RV_FFLAG_NX;
        if (tiny) {
            *flags |= PH_RV_FFLAG_UF;
        }
    }
    /* A carry into bit mb makes the smallest normal, as the encoding wants. */
    return sbit | kept;
}

/*
 * The same for a 128-bit significand: v * 2^(exp - 126), v != 0.  The bits
 * below the 64 kept are jammed into the lowest one.
 */
static uint64_t ph_fpu_round_pack128(const PhFpFmt *f, bool sign, int32_t exp, ph_u128 v,
                                     int rm, uint32_t *flags)
{
    uint64_t hi = (uint64_t)(v >> 64);
    uint64_t lo = (uint64_t)v;
    uint64_t sig;
    int lead;

    if (hi) {
        lead = 127 - ph_fpu_clz64(hi);
    } else {
        lead = 63 - ph_fpu_clz64(lo);
    }
    /* Keep the leading bit at 62 of the 64-bit significand. */
    if (lead > 62) {
        int sh = lead - 62;
        sig = (uint64_t)(v >> sh);
        if (v & ((((ph_u128)1) << sh) - 1)) {
            sig |= 1;
        }
    } else {
        sig = lo << (62 - lead);
    }
    return ph_fpu_round_pack(f, sign, exp - 126 + lead, sig, rm, flags);
}

static inline uint64_t ph_fpu_exact_zero_sum(const PhFpFmt *f, int rm)
{
    /* x + (-x) is +0, except -0 when rounding down (IEEE 754 6.3). */
    return ph_fpu_pack_zero(f, rm == PH_RM_RDN);
}

/* Shifts right by @d, ORing whatever falls off into bit 0. */
static inline ph_u128 ph_fpu_shr_jam128(ph_u128 v, int64_t d)
{
    if (d <= 0) {
        return v;
    }
    if (d >= 128) {
        return v != 0;
    }
    return (v >> d) | ((v & ((((ph_u128)1) << d) - 1)) != 0);
}

/*
 * Adds two finite non-zero values given as v * 2^(e - 126) with the
 * leading bit of v at 126, and rounds the sum.
 */
static uint64_t ph_fpu_add_finite(const PhFpFmt *f, bool sa, int32_t ea, ph_u128 va,
                                  bool sb, int32_t eb, ph_u128 vb, int rm, uint32_t *flags)
{
    ph_u128 r;

    /* Make a the larger magnitude. */
    if (eb > ea || (eb == ea && vb > va)) {
        bool ts = sa;
        int32_t te = ea;
        ph_u128 tv = va;
        sa = sb;
        ea = eb;
        va = vb;
        sb = ts;
        eb = te;
        vb = tv;
    }
    vb = ph_fpu_shr_jam128(vb, (int64_t)ea - eb);
    if (sa == sb) {
        r = va + vb;
    } else {
        r = va - vb;
        if (r == 0) {
            return ph_fpu_exact_zero_sum(f, rm);
        }
    }
    return ph_fpu_round_pack128(f, sa, ea, r, rm, flags);
}

/*
 * The host fast path, for round-to-nearest-even (what compiled code runs
 * with): when the operands and the host's result are all normal numbers
 * away from the range limits, no flag but NX can arise and the host's
 * correctly rounded result is the answer.  Inexactness is decided without
 * the host's flags, by an error-free transformation (sums) or by exact
 * integer arithmetic on the significands (products, quotients, roots).
 * It assumes what every C program on the host assumes: the host FPU rounds
 * to nearest-even and keeps subnormals, and arithmetic has no excess
 * precision (FLT_EVAL_METHOD 0).  PH_FPU_SOFT_ONLY turns it off (the tests
 * build it both ways).
 */
#if defined(PH_FPU_SOFT_ONLY) || !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#define PH_FPU_HOST 0
#else
#define PH_FPU_HOST 1
#endif

typedef enum {
    PH_FPU_HOST_ADD,
    PH_FPU_HOST_MUL,
    PH_FPU_HOST_DIV,
    PH_FPU_HOST_SQRT,
} PhFpuHostOp;

/* Normal and at least one binade away from both ends of the range. */
static inline bool ph_fpu_host_ok(const PhFpFmt *f, uint64_t v)
{
    uint64_t e = (v >> f->mbits) & (f->mbits == 23 ? 0xff : 0x7ff);
    return e - 2 < (f->mbits == 23 ? 252u : 2044u);
}

static inline uint64_t ph_fpu_sig_int(const PhFpFmt *f, uint64_t v)
{
    return (v & ((1ull << f->mbits) - 1)) | (1ull << f->mbits);
}

/* For p, a product of two significands (2mb+1 or 2mb+2 bits): how many
 * low bits lie below a (mb+1)-bit significand. */
static inline int ph_fpu_prod_excess(const PhFpFmt *f, ph_u128 p)
{
    return (p >> (2 * f->mbits + 1)) ? f->mbits + 1 : f->mbits;
}

static inline __attribute__((always_inline)) bool ph_fpu_host(const PhFpFmt *f, PhFpuHostOp op, uint64_t a, uint64_t b,
                               uint64_t *res, uint32_t *flags)
{
    uint64_t r = 0;
    bool inexact = false;

    if (!ph_fpu_host_ok(f, a) || (op != PH_FPU_HOST_SQRT && !ph_fpu_host_ok(f, b))) {
        return false;
    }
    if (f->mbits == 52) {
        double x, y, z = 0;
        memcpy(&x, &a, sizeof(x));
        memcpy(&y, &b, sizeof(y));
        switch (op) {
        case PH_FPU_HOST_ADD: {
            /* Knuth's TwoSum: err is exactly (x + y) - z. */
            z = x + y;
            double bb = z - x;
            double err = (x - (z - bb)) + (y - bb);
            inexact = err != 0;
            break;
        }
        case PH_FPU_HOST_MUL:
            z = x * y;
            break;
        case PH_FPU_HOST_DIV:
            z = x / y;
            break;
        case PH_FPU_HOST_SQRT:
            if (a >> 63) {
                return false;
            }
            z = sqrt(x);
            break;
        }
        memcpy(&r, &z, sizeof(r));
    } else {
        float x, y, z = 0;
        uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b, r32;
        memcpy(&x, &a32, sizeof(x));
        memcpy(&y, &b32, sizeof(y));
        switch (op) {
        case PH_FPU_HOST_ADD: {
            z = x + y;
            float bb = z - x;
            float err = (x - (z - bb)) + (y - bb);
            inexact = err != 0;
            break;
        }
        case PH_FPU_HOST_MUL:
            z = x * y;
            break;
        case PH_FPU_HOST_DIV:
            z = x / y;
            break;
        case PH_FPU_HOST_SQRT:
            if (a32 >> 31) {
                return false;
            }
            z = sqrtf(x);
            break;
        }
        memcpy(&r32, &z, sizeof(r32));
        r = r32;
    }
    if (!ph_fpu_host_ok(f, r)) {
        return false;
    }
    switch (op) {
    case PH_FPU_HOST_ADD:
        break;
    case PH_FPU_HOST_MUL: {
        ph_u128 p = (ph_u128)ph_fpu_sig_int(f, a) * ph_fpu_sig_int(f, b);
        inexact = (p & ((((ph_u128)1) << ph_fpu_prod_excess(f, p)) - 1)) != 0;
        break;
    }
    case PH_FPU_HOST_DIV:
    case PH_FPU_HOST_SQRT: {
        /* Exact iff r * b == a (r * r == a): the product of the
         * significands is a's significand, shifted. */
        uint64_t m = op == PH_FPU_HOST_DIV ? ph_fpu_sig_int(f, b) : ph_fpu_sig_int(f, r);
        ph_u128 p = (ph_u128)ph_fpu_sig_int(f, r) * m;
        inexact = p != ((ph_u128)ph_fpu_sig_int(f, a) << ph_fpu_prod_excess(f, p));
        break;
    }
    }
    if (inexact) {
        *flags |= PH_RV_FFLAG_NX;
    }
    *res = r;
    return true;
}

static __attribute__((noinline)) uint64_t ph_fpu_add_soft(const PhFpFmt *f, uint64_t a, uint64_t b,
                                                          bool negate_b, int rm, uint32_t *flags)
{
    PhFpUnp ua = ph_fpu_unpack(f, a);
    PhFpUnp ub = ph_fpu_unpack(f, b);

    ub.sign ^= negate_b;
    if (ph_fpu_is_nan(&ua) || ph_fpu_is_nan(&ub)) {
        if (ua.cls == PH_FP_SNAN || ub.cls == PH_FP_SNAN) {
            *flags |= PH_RV_FFLAG_NV;
        }
        return ph_fpu_canon(f);
    }
    if (ua.cls == PH_FP_INF || ub.cls == PH_FP_INF) {
        if (ua.cls == PH_FP_INF && ub.cls == PH_FP_INF && ua.sign != ub.sign) {
            *flags |= PH_RV_FFLAG_NV;
            return ph_fpu_canon(f);
        }
        return ph_fpu_pack_inf(f, ua.cls == PH_FP_INF ? ua.sign : ub.sign);
    }
    if (ua.cls == PH_FP_ZERO && ub.cls == PH_FP_ZERO) {
        if (ua.sign == ub.sign) {
            return ph_fpu_pack_zero(f, ua.sign);
        }
        return ph_fpu_exact_zero_sum(f, rm);
    }
    if (ub.cls == PH_FP_ZERO) {
        return a;
    }
    if (ua.cls == PH_FP_ZERO) {
        return negate_b ? b ^ ph_fpu_pack_zero(f, true) : b;
    }
    return ph_fpu_add_finite(f, ua.sign, ua.exp, (ph_u128)ua.sig << 64,
                             ub.sign, ub.exp, (ph_u128)ub.sig << 64, rm, flags);
}

static __attribute__((noinline)) uint64_t ph_fpu_mul_soft(const PhFpFmt *f, uint64_t a, uint64_t b,
                                                          int rm, uint32_t *flags)
{
    PhFpUnp ua = ph_fpu_unpack(f, a);
    PhFpUnp ub = ph_fpu_unpack(f, b);
    bool sign = ua.sign ^ ub.sign;

    if (ph_fpu_is_nan(&ua) || ph_fpu_is_nan(&ub)) {
        if (ua.cls == PH_FP_SNAN || ub.cls == PH_FP_SNAN) {
            *flags |= PH_RV_FFLAG_NV;
        }
        return ph_fpu_canon(f);
    }
    if (ua.cls == PH_FP_INF || ub.cls == PH_FP_INF) {
        if (ua.cls == PH_FP_ZERO || ub.cls == PH_FP_ZERO) {
            *flags |= PH_RV_FFLAG_NV;
            return ph_fpu_canon(f);
        }
        return ph_fpu_pack_inf(f, sign);
    }
    if (ua.cls == PH_FP_ZERO || ub.cls == PH_FP_ZERO) {
        return ph_fpu_pack_zero(f, sign);
    }
    /* Both significands in [2^62, 2^63): the product is exact in 128 bits. */
    ph_u128 p = (ph_u128)ua.sig * ub.sig;
    return ph_fpu_round_pack128(f, sign, ua.exp + ub.exp + 2, p, rm, flags);
}

/*
 * The fused multiply-add fast path: the host's FMA instruction (x86-64 with
 * FMA3) gives the correctly rounded result; it is exact iff a * b + c equals
 * it, which is checked in 128-bit integers when the product and the addend
 * lie within 125 bits of each other (the usual case: |c| near |a * b|).
 * Anything else goes to the software path.  a and c arrive with the
 * opcode's sign flips already applied.
 */
#if PH_FPU_HOST && defined(__x86_64__) && defined(__GNUC__)
#define PH_FPU_HOST_FMA 1
static __attribute__((target("fma"), noinline)) double ph_fpu_fma_d(double x, double y,
                                                                    double z)
{
    return __builtin_fma(x, y, z);
}

static __attribute__((target("fma"), noinline)) float ph_fpu_fma_s(float x, float y, float z)
{
    return __builtin_fmaf(x, y, z);
}
#else
#define PH_FPU_HOST_FMA 0
#endif

#if PH_FPU_HOST_FMA
static inline __attribute__((always_inline)) bool
ph_fpu_host_muladd(const PhFpFmt *f, uint64_t a, uint64_t b, uint64_t c, uint64_t *res,
                   uint32_t *flags)
{
    const int mb = f->mbits;
    const int sbit = mb == 23 ? 31 : 63;
    uint64_t r;

    if (!__builtin_cpu_supports("fma") || !ph_fpu_host_ok(f, a) || !ph_fpu_host_ok(f, b) ||
        !ph_fpu_host_ok(f, c)) {
        return false;
    }
    if (mb == 52) {
        double x, y, z, w;
        memcpy(&x, &a, sizeof(x));
        memcpy(&y, &b, sizeof(y));
        memcpy(&z, &c, sizeof(z));
        w = ph_fpu_fma_d(x, y, z);
        memcpy(&r, &w, sizeof(r));
    } else {
        uint32_t a32 = (uint32_t)a, b32 = (uint32_t)b, c32 = (uint32_t)c, r32;
        float x, y, z, w;
        memcpy(&x, &a32, sizeof(x));
        memcpy(&y, &b32, sizeof(y));
        memcpy(&z, &c32, sizeof(z));
        w = ph_fpu_fma_s(x, y, z);
        memcpy(&r32, &w, sizeof(r32));
        r = r32;
    }
    if (!ph_fpu_host_ok(f, r)) {
        return false;
    }

    /* Exponents of the units in the last place (biases cancel out). */
    const int64_t emask = mb == 23 ? 0xff : 0x7ff;
    int64_t lsb_p = ((int64_t)(a >> mb) & emask) + ((int64_t)(b >> mb) & emask) - 2 * mb;
    int64_t lsb_c = ((int64_t)(c >> mb) & emask) - mb + f->bias;
    int64_t lsb_r = ((int64_t)(r >> mb) & emask) - mb + f->bias;
    int64_t lo = lsb_p < lsb_c ? lsb_p : lsb_c;
    int64_t hi_p = lsb_p + 2 * mb + 2, hi_c = lsb_c + mb + 1;
    if ((hi_p > hi_c ? hi_p : hi_c) - lo > 125) {
        return false;
    }
    ph_u128 pm = (ph_u128)ph_fpu_sig_int(f, a) * ph_fpu_sig_int(f, b);
    ph_u128 cm = (ph_u128)ph_fpu_sig_int(f, c);
    __int128 v = (__int128)(pm << (lsb_p - lo));
    __int128 vc = (__int128)(cm << (lsb_c - lo));
    if (((a ^ b) >> sbit) & 1) {
        v = -v;
    }
    v += ((c >> sbit) & 1) ? -vc : vc;

    /* The exact sum must be r: same sign, same magnitude on the same scale. */
    bool exact = false;
    bool v_neg = v < 0;
    if (v != 0 && v_neg == (bool)((r >> sbit) & 1)) {
        ph_u128 mag = v_neg ? (ph_u128)0 - (ph_u128)v : (ph_u128)v;
        ph_u128 rmag = ph_fpu_sig_int(f, r);
        if (lsb_r >= lo) {
            /* r <= 2 |a b + c| < 2^126 on this scale: the shift stays in range. */
            exact = lsb_r - lo < 126 && mag == (rmag << (lsb_r - lo));
        } else {
            int64_t sh = lo - lsb_r;
            exact = sh < 64 && (rmag & ((((ph_u128)1) << sh) - 1)) == 0 && mag == (rmag >> sh);
        }
    }
    if (!exact) {
        *flags |= PH_RV_FFLAG_NX;
    }
    *res = r;
    return true;
}
#endif

/* (a * b) + c with one rounding; the sign flips come from the opcode. */
static __attribute__((noinline)) uint64_t
ph_fpu_muladd_soft(const PhFpFmt *f, uint64_t a, uint64_t b, uint64_t c, bool negate_product,
                   bool negate_c, int rm, uint32_t *flags)
{
    PhFpUnp ua = ph_fpu_unpack(f, a);
    PhFpUnp ub = ph_fpu_unpack(f, b);
    PhFpUnp uc = ph_fpu_unpack(f, c);
    bool ps = ua.sign ^ ub.sign ^ negate_product;
    bool inf_zero = (ua.cls == PH_FP_INF && ub.cls == PH_FP_ZERO) ||
                    (ua.cls == PH_FP_ZERO && ub.cls == PH_FP_INF);

    uc.sign ^= negate_c;
    /* RISC-V: inf * 0 is invalid even when the addend is a quiet NaN. */
    if (ua.cls == PH_FP_SNAN || ub.cls == PH_FP_SNAN || uc.cls == PH_FP_SNAN || inf_zero) {
        *flags |= PH_RV_FFLAG_NV;
        return ph_fpu_canon(f);
    }
    if (ph_fpu_is_nan(&ua) || ph_fpu_is_nan(&ub) || ph_fpu_is_nan(&uc)) {
        return ph_fpu_canon(f);
    }
    if (ua.cls == PH_FP_INF || ub.cls == PH_FP_INF) {
        if (uc.cls == PH_FP_INF && uc.sign != ps) {
            *flags |= PH_RV_FFLAG_NV;
            return ph_fpu_canon(f);
        }
        return ph_fpu_pack_inf(f, ps);
    }
    if (uc.cls == PH_FP_INF) {
        return ph_fpu_pack_inf(f, uc.sign);
    }
    if (ua.cls == PH_FP_ZERO || ub.cls == PH_FP_ZERO) {
        if (uc.cls == PH_FP_ZERO) {
            if (uc.sign == ps) {
                return ph_fpu_pack_zero(f, ps);
            }
            return ph_fpu_exact_zero_sum(f, rm);
        }
        return c ^ (negate_c ? ph_fpu_pack_zero(f, true) : 0);
    }

    /* The exact product, leading bit at 124 or 125: move it to 126. */
    ph_u128 p = (ph_u128)ua.sig * ub.sig;
    int32_t pe = ua.exp + ub.exp + 2;
    if (p >> 125) {
        p <<= 1;
        pe -= 1;
    } else {
        p <<= 2;
        pe -= 2;
    }
    if (uc.cls == PH_FP_ZERO) {
        return ph_fpu_round_pack128(f, ps, pe, p, rm, flags);
    }
    return ph_fpu_add_finite(f, ps, pe, p, uc.sign, uc.exp, (ph_u128)uc.sig << 64, rm, flags);
}

static inline __attribute__((always_inline)) uint64_t
ph_fpu_muladd(const PhFpFmt *f, uint64_t a, uint64_t b, uint64_t c, bool negate_product,
              bool negate_c, int rm, uint32_t *flags)
{
#if PH_FPU_HOST_FMA
    uint64_t r, sign = ph_fpu_pack_zero(f, true);

    if (rm == PH_RM_RNE &&
        ph_fpu_host_muladd(f, negate_product ? a ^ sign : a, b, negate_c ? c ^ sign : c, &r,
                           flags)) {
        return r;
    }
#endif
    return ph_fpu_muladd_soft(f, a, b, c, negate_product, negate_c, rm, flags);
}

static __attribute__((noinline)) uint64_t ph_fpu_div_soft(const PhFpFmt *f, uint64_t a, uint64_t b,
                                                          int rm, uint32_t *flags)
{
    PhFpUnp ua = ph_fpu_unpack(f, a);
    PhFpUnp ub = ph_fpu_unpack(f, b);
    bool sign = ua.sign ^ ub.sign;

    if (ph_fpu_is_nan(&ua) || ph_fpu_is_nan(&ub)) {
        if (ua.cls == PH_FP_SNAN || ub.cls == PH_FP_SNAN) {
            *flags |= PH_RV_FFLAG_NV;
        }
        return ph_fpu_canon(f);
    }
    if (ua.cls == PH_FP_INF) {
        if (ub.cls == PH_FP_INF) {
            *flags |= PH_RV_FFLAG_NV;
            return ph_fpu_canon(f);
        }
        return ph_fpu_pack_inf(f, sign);
    }
    if (ub.cls == PH_FP_INF) {
        return ph_fpu_pack_zero(f, sign);
    }
    if (ub.cls == PH_FP_ZERO) {
        if (ua.cls == PH_FP_ZERO) {
            *flags |= PH_RV_FFLAG_NV;
            return ph_fpu_canon(f);
        }
        *flags |= PH_RV_FFLAG_DZ;
        return ph_fpu_pack_inf(f, sign);
    }
    if (ua.cls == PH_FP_ZERO) {
        return ph_fpu_pack_zero(f, sign);
    }
    if (f->mbits == 23) {
        /* 24-bit significands: a 64-bit division gives 40 quotient bits,
         * q ~ siga / sigb * 2^40. */
        uint64_t na = ua.sig >> 39, nb = ub.sig >> 39;
        uint64_t q = (na << 40) / nb;
        bool rest = (na << 40) % nb != 0;
        return ph_fpu_round_pack(f, sign, ua.exp - ub.exp + 62 - 40, q | rest, rm, flags);
    }
    ph_u128 n = (ph_u128)ua.sig << 64;
    ph_u128 q = n / ub.sig;
    bool rest = (n % ub.sig) != 0;
    /* q ~ siga / sigb * 2^64. */
    return ph_fpu_round_pack128(f, sign, ua.exp - ub.exp + 126 - 64, q | rest, rm, flags);
}

/*
 * floor(sqrt(m)) for 2^126 <= m < 2^128.  The host's double square root is
 * within about 2^12 of it; one Newton correction done in double brings it
 * within a unit or two, and exact 128-bit comparisons finish the job.  Only
 * the final comparisons decide, so the host's rounding cannot make it wrong.
 */
static uint64_t ph_fpu_isqrt128(ph_u128 m)
{
    double d = sqrt((double)m);
    uint64_t r = d >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)d;
    /* m - r^2 is small (|.| < 2^80) even though both are near 2^128. */
    __int128 err = (__int128)(m - (ph_u128)r * r);
    double adj = (double)err / (2.0 * (double)r);

    if (adj > 0) {
        uint64_t up = (uint64_t)adj;
        r = up > UINT64_MAX - r ? UINT64_MAX : r + up;
    } else {
        r -= (uint64_t)-adj;
    }
    while ((ph_u128)r * r > m) {
        r--;
    }
    while (r < UINT64_MAX && (ph_u128)(r + 1) * (r + 1) <= m) {
        r++;
    }
    return r;
}

static __attribute__((noinline)) uint64_t ph_fpu_sqrt_soft(const PhFpFmt *f, uint64_t a, int rm,
                                                           uint32_t *flags)
{
    PhFpUnp ua = ph_fpu_unpack(f, a);

    if (ph_fpu_is_nan(&ua)) {
        if (ua.cls == PH_FP_SNAN) {
            *flags |= PH_RV_FFLAG_NV;
        }
        return ph_fpu_canon(f);
    }
    if (ua.cls == PH_FP_ZERO) {
        return a;
    }
    if (ua.sign) {
        *flags |= PH_RV_FFLAG_NV;
        return ph_fpu_canon(f);
    }
    if (ua.cls == PH_FP_INF) {
        return a;
    }
    /* value = m * 2^(e2) with e2 even; sqrt = isqrt(m) * 2^(e2 / 2). */
    ph_u128 m;
    int32_t e2;
    if (ua.exp & 1) {
        m = (ph_u128)ua.sig << 65;
        e2 = ua.exp - 127;
    } else {
        m = (ph_u128)ua.sig << 64;
        e2 = ua.exp - 126;
    }
    uint64_t r = ph_fpu_isqrt128(m);
    bool rest = (ph_u128)r * r != m;
    /* r has 63 or 64 significant bits: jamming bit 0 is far below rounding. */
    return ph_fpu_round_pack(f, false, 62 + e2 / 2, r | rest, rm, flags);
}

/*
 * The four operations with a host fast path: the fast check is inlined
 * into the format-specialised dispatcher, the general case is out of line.
 */
#define PH_FPU_INLINE static inline __attribute__((always_inline))

PH_FPU_INLINE uint64_t ph_fpu_add(const PhFpFmt *f, uint64_t a, uint64_t b, bool negate_b,
                                  int rm, uint32_t *flags)
{
    uint64_t r;

    if (PH_FPU_HOST && rm == PH_RM_RNE &&
        ph_fpu_host(f, PH_FPU_HOST_ADD, a, negate_b ? b ^ ph_fpu_pack_zero(f, true) : b, &r,
                    flags)) {
        return r;
    }
    return ph_fpu_add_soft(f, a, b, negate_b, rm, flags);
}

PH_FPU_INLINE uint64_t ph_fpu_mul(const PhFpFmt *f, uint64_t a, uint64_t b, int rm,
                                  uint32_t *flags)
{
    uint64_t r;

    if (PH_FPU_HOST && rm == PH_RM_RNE && ph_fpu_host(f, PH_FPU_HOST_MUL, a, b, &r, flags)) {
        return r;
    }
    return ph_fpu_mul_soft(f, a, b, rm, flags);
}

PH_FPU_INLINE uint64_t ph_fpu_div(const PhFpFmt *f, uint64_t a, uint64_t b, int rm,
                                  uint32_t *flags)
{
    uint64_t r;

    if (PH_FPU_HOST && rm == PH_RM_RNE && ph_fpu_host(f, PH_FPU_HOST_DIV, a, b, &r, flags)) {
        return r;
    }
    return ph_fpu_div_soft(f, a, b, rm, flags);
}

PH_FPU_INLINE uint64_t ph_fpu_sqrt(const PhFpFmt *f, uint64_t a, int rm, uint32_t *flags)
{
    uint64_t r;

    if (PH_FPU_HOST && rm == PH_RM_RNE && ph_fpu_host(f, PH_FPU_HOST_SQRT, a, 0, &r, flags)) {
        return r;
    }
    return ph_fpu_sqrt_soft(f, a, rm, flags);
}

/* Converts a signed or unsigned 64-bit magnitude. */
static uint64_t ph_fpu_from_int(const PhFpFmt *f, bool sign, uint64_t mag, int rm,
                                uint32_t *flags)
{
    if (mag == 0) {
        return 0;
    }
    return ph_fpu_round_pack(f, sign, 62, mag, rm, flags);
}

/*
 * To a 32- or 64-bit integer, signed or not: saturates, NaN gives the
 * largest positive value; out of range raises NV alone (not NX).  The
 * result is the register value (32-bit ones sign-extended).
 */
static uint64_t ph_fpu_to_int(const PhFpFmt *f, uint64_t a, bool is_signed, bool is64, int rm,
                              uint32_t *flags)
{
    PhFpUnp u = ph_fpu_unpack(f, a);
    uint64_t max_pos, max_neg_mag;   /* magnitudes allowed */
    uint64_t sat_pos, sat_neg;       /* register values when saturating */
    uint64_t mag = 0;
    bool inexact = false;

    if (is_signed) {
        max_pos = is64 ? INT64_MAX : INT32_MAX;
        max_neg_mag = is64 ? (1ull << 63) : (1ull << 31);
        sat_pos = max_pos;
        sat_neg = is64 ? (1ull << 63) : 0xffffffff80000000ull;
    } else {
        max_pos = is64 ? UINT64_MAX : UINT32_MAX;
        max_neg_mag = 0;
        /* UINT32_MAX sign-extended, as the W results are. */
        sat_pos = UINT64_MAX;
        sat_neg = 0;
    }

    switch (u.cls) {
    case PH_FP_QNAN:
    case PH_FP_SNAN:
        *flags |= PH_RV_FFLAG_NV;
        return sat_pos;
    case PH_FP_INF:
        *flags |= PH_RV_FFLAG_NV;
        return u.sign ? sat_neg : sat_pos;
    case PH_FP_ZERO:
        return 0;
    case PH_FP_FINITE:
        break;
    }
    if (u.exp >= 64) {
        *flags |= PH_RV_FFLAG_NV;
        return u.sign ? sat_neg : sat_pos;
    }
    if (u.exp >= 62) {
        mag = u.sig << (u.exp - 62);
    } else {
        mag = ph_fpu_round_bits(u.sig, 62 - u.exp, rm, u.sign, &inexact);
    }
    if (u.sign ? mag > max_neg_mag : mag > max_pos) {
        *flags |= PH_RV_FFLAG_NV;
        return u.sign ? sat_neg : sat_pos;
    }
    if (inexact) {
        *flags |= PH_RV_FFLAG_NX;
    }
    uint64_t v = u.sign ? 0 - mag : mag;
    if (!is64) {
        v = (uint64_t)(int64_t)(int32_t)(uint32_t)v;
    }
    return v;
}

/* Ordering of two non-NaN values: -1, 0, 1. */
static int ph_fpu_compare(const PhFpFmt *f, uint64_t a, uint64_t b)
{
    int sbit = f->mbits == 23 ? 31 : 63;
    uint64_t mag_mask = (1ull << sbit) - 1;
    bool sa = (a >> sbit) & 1, sb = (b >> sbit) & 1;
    uint64_t ma = a & mag_mask, mb = b & mag_mask;
    if (ma == 0 && mb == 0) {
        return 0;
    }
    if (sa != sb) {
        return sa ? -1 : 1;
    }
    if (ma == mb) {
        return 0;
    }
    /* Same sign: the magnitude order is the integer order of the bits. */
    return ((ma < mb) != sa) ? -1 : 1;
}

/* FEQ (quiet), FLT and FLE (signalling). */
static uint64_t ph_fpu_cmp_op(const PhFpFmt *f, int op, uint64_t a, uint64_t b, uint32_t *flags)
{
    PhFpUnp ua = ph_fpu_unpack(f, a);
    PhFpUnp ub = ph_fpu_unpack(f, b);

    if (ph_fpu_is_nan(&ua) || ph_fpu_is_nan(&ub)) {
        if (op != 2 || ua.cls == PH_FP_SNAN || ub.cls == PH_FP_SNAN) {
            *flags |= PH_RV_FFLAG_NV;
        }
        return 0;
    }
    int c = ph_fpu_compare(f, a, b);
    switch (op) {
    case 0:
        return c <= 0;
    case 1:
        return c < 0;
    default:
        return c == 0;
    }
}

/* FMIN/FMAX as the 2.2 spec (IEEE 754-2019 minimumNumber/maximumNumber). */
static uint64_t ph_fpu_minmax(const PhFpFmt *f, bool is_max, uint64_t a, uint64_t b,
                              uint32_t *flags)
{
    PhFpUnp ua = ph_fpu_unpack(f, a);
    PhFpUnp ub = ph_fpu_unpack(f, b);
    bool na = ph_fpu_is_nan(&ua), nb = ph_fpu_is_nan(&ub);

    if (ua.cls == PH_FP_SNAN || ub.cls == PH_FP_SNAN) {
        *flags |= PH_RV_FFLAG_NV;
    }
    if (na && nb) {
        return ph_fpu_canon(f);
    }
    if (na) {
        return b;
    }
    if (nb) {
        return a;
    }
    int c = ph_fpu_compare(f, a, b);
    if (c == 0) {
        /* Equal, or +0 and -0: -0 is the smaller. */
        bool sa = ua.sign;
        if (is_max) {
            return sa ? b : a;
        }
        return sa ? a : b;
    }
    if (is_max) {
        return c > 0 ? a : b;
    }
    return c < 0 ? a : b;
}

static uint64_t ph_fpu_class(const PhFpFmt *f, uint64_t a)
{
    PhFpUnp u = ph_fpu_unpack(f, a);
    int emin = 1 - f->bias;

    switch (u.cls) {
    case PH_FP_INF:
        return u.sign ? 1u << 0 : 1u << 7;
    case PH_FP_ZERO:
        return u.sign ? 1u << 3 : 1u << 4;
    case PH_FP_SNAN:
        return 1u << 8;
    case PH_FP_QNAN:
        return 1u << 9;
    case PH_FP_FINITE:
        break;
    }
    if (u.exp < emin) {
        return u.sign ? 1u << 2 : 1u << 5;
    }
    return u.sign ? 1u << 1 : 1u << 6;
}

static uint64_t ph_fpu_cvt_fmt(const PhFpFmt *to, const PhFpFmt *from, uint64_t a, int rm,
                               uint32_t *flags)
{
    PhFpUnp u = ph_fpu_unpack(from, a);

    switch (u.cls) {
    case PH_FP_SNAN:
        *flags |= PH_RV_FFLAG_NV;
        return ph_fpu_canon(to);
    case PH_FP_QNAN:
        return ph_fpu_canon(to);
    case PH_FP_INF:
        return ph_fpu_pack_inf(to, u.sign);
    case PH_FP_ZERO:
        return ph_fpu_pack_zero(to, u.sign);
    case PH_FP_FINITE:
        break;
    }
    return ph_fpu_round_pack(to, u.sign, u.exp, u.sig, rm, flags);
}

/* A single-precision operand: not NaN-boxed means the canonical NaN. */
static inline uint64_t ph_fpu_get_s(const PhRvCpu *cpu, unsigned r)
{
    uint64_t v = cpu->f[r];
    return (v & PH_FPU_BOX) == PH_FPU_BOX ? (uint32_t)v : PH_FPU_CANON_S;
}

static inline void ph_fpu_set_x(PhRvCpu *cpu, unsigned rd, uint64_t v)
{
    if (rd != 0) {
        cpu->x[rd] = v;
    }
}

/* The rounding mode of an instruction's rm field, or -1 if reserved. */
static inline int ph_fpu_rm(const PhRvCpu *cpu, unsigned rm)
{
    if (rm == PH_RM_DYN) {
        rm = cpu->frm;
    }
    return rm <= PH_RM_RMM ? (int)rm : -1;
}

/*
 * One format's instructions.  Inlined twice with a constant @f, so every
 * "is it double" test below is resolved at compile time; operands are read
 * only by the cases that use them.
 */
static inline __attribute__((always_inline)) bool
ph_fpu_exec_fmt(PhRvCpu *cpu, uint32_t insn, const PhFpFmt *f)
{
    const bool dbl = f->mbits == 52;
    unsigned opcode = insn & 0x7f;
    unsigned rd = (insn >> 7) & 31;
    unsigned funct3 = (insn >> 12) & 7;
    unsigned rs1 = (insn >> 15) & 31;
    unsigned rs2 = (insn >> 20) & 31;
    unsigned funct5 = insn >> 27;
    uint32_t flags = 0;
    uint64_t a, b, r;
    int rm;

#define PH_FPU_OPERAND(n) (dbl ? cpu->f[n] : ph_fpu_get_s(cpu, n))

    if (opcode != 0x53) {
        /* FMADD 0x43, FMSUB 0x47, FNMSUB 0x4b, FNMADD 0x4f; rs3 is funct5. */
        uint64_t c;
        bool neg_p, neg_c;

        switch (opcode) {
        case 0x43:
            neg_p = false;
            neg_c = false;
            break;
        case 0x47:
            neg_p = false;
            neg_c = true;
            break;
        case 0x4b:
            neg_p = true;
            neg_c = false;
            break;
        case 0x4f:
            neg_p = true;
            neg_c = true;
            break;
        default:
            return false;
        }
        rm = ph_fpu_rm(cpu, funct3);
        if (rm < 0) {
            return false;
        }
        a = PH_FPU_OPERAND(rs1);
        b = PH_FPU_OPERAND(rs2);
        c = PH_FPU_OPERAND(funct5);
        r = ph_fpu_muladd(f, a, b, c, neg_p, neg_c, rm, &flags);
        cpu->f[rd] = dbl ? r : (r | PH_FPU_BOX);
        goto done;
    }

    a = PH_FPU_OPERAND(rs1);
    switch (funct5) {
    case 0x00: /* FADD */
    case 0x01: /* FSUB */
    case 0x02: /* FMUL */
    case 0x03: /* FDIV */
        rm = ph_fpu_rm(cpu, funct3);
        if (rm < 0) {
            return false;
        }
        b = PH_FPU_OPERAND(rs2);
        if (funct5 == 0x02) {
            r = ph_fpu_mul(f, a, b, rm, &flags);
        } else if (funct5 == 0x03) {
            r = ph_fpu_div(f, a, b, rm, &flags);
        } else {
            r = ph_fpu_add(f, a, b, funct5 == 0x01, rm, &flags);
        }
        break;
    case 0x0b: /* FSQRT */
        rm = ph_fpu_rm(cpu, funct3);
        if (rs2 != 0 || rm < 0) {
            return false;
        }
        r = ph_fpu_sqrt(f, a, rm, &flags);
        break;
    case 0x04: { /* FSGNJ, FSGNJN, FSGNJX */
        int sbit = dbl ? 63 : 31;
        b = PH_FPU_OPERAND(rs2);
        uint64_t sb = (b >> sbit) & 1;
        if (funct3 == 1) {
            sb ^= 1;
        } else if (funct3 == 2) {
            sb ^= (a >> sbit) & 1;
        } else if (funct3 != 0) {
            return false;
        }
        r = (a & ~(1ull << sbit)) | (sb << sbit);
        break;
    }
    case 0x05: /* FMIN, FMAX */
        if (funct3 > 1) {
            return false;
        }
        b = PH_FPU_OPERAND(rs2);
        r = ph_fpu_minmax(f, funct3 == 1, a, b, &flags);
        break;
    case 0x08: /* FCVT.S.D (fmt S, rs2 1), FCVT.D.S (fmt D, rs2 0) */
        rm = ph_fpu_rm(cpu, funct3);
        if (rm < 0 || rs2 != (dbl ? 0u : 1u)) {
            return false;
        }
        if (dbl) {
            r = ph_fpu_cvt_fmt(&ph_fpu_d, &ph_fpu_s, ph_fpu_get_s(cpu, rs1), rm, &flags);
        } else {
            r = ph_fpu_cvt_fmt(&ph_fpu_s, &ph_fpu_d, cpu->f[rs1], rm, &flags);
        }
        break;
    case 0x14: /* FLE, FLT, FEQ */
        if (funct3 > 2) {
            return false;
        }
        b = PH_FPU_OPERAND(rs2);
        ph_fpu_set_x(cpu, rd, ph_fpu_cmp_op(f, funct3, a, b, &flags));
        goto done;
    case 0x18: /* FCVT.{W,WU,L,LU}.{S,D} */
        rm = ph_fpu_rm(cpu, funct3);
        if (rm < 0 || rs2 > 3) {
            return false;
        }
        ph_fpu_set_x(cpu, rd, ph_fpu_to_int(f, a, !(rs2 & 1), rs2 >= 2, rm, &flags));
        goto done;
    case 0x1a: { /* FCVT.{S,D}.{W,WU,L,LU} */
        uint64_t x = cpu->x[rs1];
        bool neg = false;
        rm = ph_fpu_rm(cpu, funct3);
        if (rm < 0 || rs2 > 3) {
            return false;
        }
        switch (rs2) {
        case 0: /* W */
            x = (uint64_t)(int64_t)(int32_t)(uint32_t)x;
            /* fall through */
        case 2: /* L */
            neg = (int64_t)x < 0;
            if (neg) {
                x = 0 - x;
            }
            break;
        case 1: /* WU */
            x = (uint32_t)x;
            break;
        default: /* LU */
            break;
        }
        r = ph_fpu_from_int(f, neg, x, rm, &flags);
        break;
    }
    case 0x1c: /* FMV.X.{W,D} (funct3 0), FCLASS (funct3 1) */
        if (rs2 != 0) {
            return false;
        }
        if (funct3 == 0) {
            /* The raw bits, not the unboxed value. */
            uint64_t v = cpu->f[rs1];
            ph_fpu_set_x(cpu, rd, dbl ? v : (uint64_t)(int64_t)(int32_t)(uint32_t)v);
        } else if (funct3 == 1) {
            ph_fpu_set_x(cpu, rd, ph_fpu_class(f, a));
        } else {
            return false;
        }
        goto done;
    case 0x1e: /* FMV.W.X, FMV.D.X */
        if (rs2 != 0 || funct3 != 0) {
            return false;
        }
        r = dbl ? cpu->x[rs1] : (uint32_t)cpu->x[rs1];
        break;
    default:
        return false;
    }
    cpu->f[rd] = dbl ? r : (r | PH_FPU_BOX);

done:
    cpu->fflags |= flags;
    /* Conservatively Dirty on every executed FP instruction, as the
     * privileged spec allows; it also covers fflags-only changes. */
    cpu->mstatus |= PH_RV_MSTATUS_FS | PH_RV_MSTATUS_SD;
    return true;
}
#undef PH_FPU_OPERAND

bool ph_rv_fpu_exec(PhRvCpu *cpu, uint32_t insn)
{
    /* The fmt field is at bits 26:25 in every OP-FP and FMA encoding. */
    switch ((insn >> 25) & 3) {
    case 0:
        return ph_fpu_exec_fmt(cpu, insn, &ph_fpu_s);
    case 1:
        return ph_fpu_exec_fmt(cpu, insn, &ph_fpu_d);
    default:
        /* H and Q are not implemented. */
        return false;
    }
}

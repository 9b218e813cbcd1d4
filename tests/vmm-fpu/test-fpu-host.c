/* Randomised differential test of the FPU: host fast path vs. pure software, and (x86-64) vs. the host's own IEEE arithmetic. */
#include <fenv.h>
#include <math.h>
#include <string.h>

#include <glib.h>

#include "cpu.h"

bool ph_rv_fpu_exec_soft(PhRvCpu *cpu, uint32_t insn);

#define BOX 0xffffffff00000000ull

typedef enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, OP_FMA, OP_COUNT } Op;

/* A fixed-seed generator: the failures are reproducible. */
static uint64_t rng_state;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* Biased toward the interesting exponents and toward short significands. */
static uint64_t rnd_value(bool dbl)
{
    int mb = dbl ? 52 : 23;
    uint64_t emax = dbl ? 0x7ff : 0xff;
    uint64_t e;

    switch (rnd() % 6) {
    case 0:
        e = rnd() % (emax + 1);
        break;
    case 1:
        e = (emax >> 1) + rnd() % 16 - 8;
        break;
    case 2:
        e = rnd() % 4;
        break;
    case 3:
        e = emax - 1 - rnd() % 3;
        break;
    default:
        e = (emax >> 1) + rnd() % 200 - 100;
        break;
    }
    uint64_t m = rnd() & ((1ull << mb) - 1);
    if (rnd() % 3 == 0) {
        m &= ~((1ull << (rnd() % mb)) - 1);
    }
    uint64_t v = ((rnd() & 1) << (dbl ? 63 : 31)) | ((e & emax) << mb) | m;
    return dbl ? v : (v | BOX);
}

static uint32_t encode(Op op, bool dbl, uint32_t rm)
{
    static const uint32_t funct7[] = { 0x00, 0x04, 0x08, 0x0c, 0x2c };
    uint32_t common = (12u << 20) | (11u << 15) | (rm << 12) | (10u << 7);

    if (op == OP_FMA) {
        return (13u << 27) | ((uint32_t)dbl << 25) | common | 0x43;
    }
    if (op == OP_SQRT) {
        common &= ~(31u << 20);
    }
    return ((funct7[op] | dbl) << 25) | common | 0x53;
}

#if defined(__x86_64__)
/* The host's answer with the RISC-V conventions: canonical NaN, fflags bits. */
static void host_eval(Op op, bool dbl, uint32_t rm, const uint64_t *in, uint64_t *out,
                      uint32_t *flags)
{
    static const int modes[] = { FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD };
    int ex;

    fesetround(modes[rm]);
    feclearexcept(FE_ALL_EXCEPT);
    if (dbl) {
        double x, y, z, r;
        memcpy(&x, &in[0], 8);
        memcpy(&y, &in[1], 8);
        memcpy(&z, &in[2], 8);
        switch (op) {
        case OP_ADD: r = x + y; break;
        case OP_SUB: r = x - y; break;
        case OP_MUL: r = x * y; break;
        case OP_DIV: r = x / y; break;
        case OP_SQRT: r = sqrt(x); break;
        default: r = fma(x, y, z); break;
        }
        memcpy(out, &r, 8);
        if (isnan(r)) {
            *out = 0x7ff8000000000000ull;
        }
    } else {
        float x, y, z, r;
        uint32_t t[3] = { (uint32_t)in[0], (uint32_t)in[1], (uint32_t)in[2] }, o;
        memcpy(&x, &t[0], 4);
        memcpy(&y, &t[1], 4);
        memcpy(&z, &t[2], 4);
        switch (op) {
        case OP_ADD: r = x + y; break;
        case OP_SUB: r = x - y; break;
        case OP_MUL: r = x * y; break;
        case OP_DIV: r = x / y; break;
        case OP_SQRT: r = sqrtf(x); break;
        default: r = fmaf(x, y, z); break;
        }
        memcpy(&o, &r, 4);
        *out = BOX | (isnan(r) ? 0x7fc00000u : o);
    }
    ex = fetestexcept(FE_ALL_EXCEPT);
    fesetround(FE_TONEAREST);
    *flags = (ex & FE_INEXACT ? PH_RV_FFLAG_NX : 0) | (ex & FE_UNDERFLOW ? PH_RV_FFLAG_UF : 0) |
             (ex & FE_OVERFLOW ? PH_RV_FFLAG_OF : 0) | (ex & FE_DIVBYZERO ? PH_RV_FFLAG_DZ : 0) |
             (ex & FE_INVALID ? PH_RV_FFLAG_NV : 0);
}
#endif

static bool is_inf_times_zero(bool dbl, uint64_t x, uint64_t y)
{
    uint64_t mag = dbl ? ~0ull >> 1 : 0x7fffffffu;
    uint64_t inf = dbl ? 0x7ff0000000000000ull : 0x7f800000u;
    uint64_t mx = x & mag, my = y & mag;

    return (mx == inf && my == 0) || (mx == 0 && my == inf);
}

static void run(bool fma_heavy)
{
    const int n = 300000;
    int bad = 0;

    rng_state = fma_heavy ? 0x9e3779b97f4a7c15ull : 88172645463325252ull;
    for (int i = 0; i < n && bad < 20; i++) {
        bool dbl = rnd() & 1;
        Op op = fma_heavy ? OP_FMA : (Op)(rnd() % OP_COUNT);
        /* Mostly RNE: that is where the fast path is. */
        uint32_t rm = rnd() % 3 ? 0 : (uint32_t)(rnd() % 5);
        PhRvCpu a = { 0 }, b;

        a.f[11] = rnd_value(dbl);
        a.f[12] = rnd_value(dbl);
        a.f[13] = rnd_value(dbl);
        if (op == OP_SQRT) {
            a.f[11] &= ~(dbl ? 1ull << 63 : 1ull << 31);
        }
        if (fma_heavy && rnd() % 2) {
            /* c near -(a * b): cancellation, and exact results. */
            int mb = dbl ? 52 : 23;
            a.f[11] &= ~((1ull << (mb - (int)(rnd() % 12))) - 1);
            a.f[12] &= ~((1ull << (mb - (int)(rnd() % 12))) - 1);
            if (dbl) {
                double x, y, p;
                memcpy(&x, &a.f[11], 8);
                memcpy(&y, &a.f[12], 8);
                p = -(x * y);
                memcpy(&a.f[13], &p, 8);
            } else {
                float x, y, p;
                uint32_t t = (uint32_t)a.f[11], o;
                memcpy(&x, &t, 4);
                t = (uint32_t)a.f[12];
                memcpy(&y, &t, 4);
                p = -(x * y);
                memcpy(&o, &p, 4);
                a.f[13] = BOX | o;
            }
            a.f[13] += rnd() % 5 - 2;
            if (rnd() % 3 == 0) {
                a.f[13] &= ~((1ull << (rnd() % mb)) - 1);
            }
        }
        b = a;

        uint32_t insn = encode(op, dbl, rm);
        g_assert_true(ph_rv_fpu_exec(&a, insn));
        g_assert_true(ph_rv_fpu_exec_soft(&b, insn));
        if (a.f[10] != b.f[10] || a.fflags != b.fflags) {
            g_test_message("insn %08x %016" G_GINT64_MODIFIER "x %016" G_GINT64_MODIFIER
                           "x %016" G_GINT64_MODIFIER "x: fast %016" G_GINT64_MODIFIER
                           "x/%02x soft %016" G_GINT64_MODIFIER "x/%02x",
                           insn, a.f[11], a.f[12], a.f[13], a.f[10], a.fflags, b.f[10],
                           b.fflags);
            bad++;
        }
#if defined(__x86_64__)
        /* x86 has no RMM; it detects tininess after rounding, like RISC-V.
         * It does not raise invalid for inf * 0 + qNaN; RISC-V does. */
        if (rm != 4 && !(op == OP_FMA && is_inf_times_zero(dbl, b.f[11], b.f[12]))) {
            uint64_t in[3] = { b.f[11], b.f[12], b.f[13] }, want;
            uint32_t want_flags;
            host_eval(op, dbl, rm, in, &want, &want_flags);
            if (want != b.f[10] || want_flags != b.fflags) {
                g_test_message("insn %08x %016" G_GINT64_MODIFIER "x %016" G_GINT64_MODIFIER
                               "x %016" G_GINT64_MODIFIER "x: soft %016" G_GINT64_MODIFIER
                               "x/%02x host %016" G_GINT64_MODIFIER "x/%02x",
                               insn, in[0], in[1], in[2], b.f[10], b.fflags, want, want_flags);
                bad++;
            }
        }
#endif
    }
    g_assert_cmpint(bad, ==, 0);
}

static void test_mixed(void)
{
    run(false);
}

static void test_fma(void)
{
    run(true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vmm-fpu/host-diff/mixed", test_mixed);
    g_test_add_func("/vmm-fpu/host-diff/fma", test_fma);
    return g_test_run();
}

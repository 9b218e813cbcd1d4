/* Tests of ph_rv_fpu_exec: QEMU-recorded vectors (bits and fflags) and the encoding rules. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "cpu.h"

#define BOX 0xffffffff00000000ull

typedef struct {
    uint32_t insn;
    uint32_t frm;
    uint64_t ops[3];
    uint64_t result;
    uint32_t flags;
    bool illegal;       /* QEMU raised an illegal-instruction exception */
    int line;
} FpuVector;

static GArray *vectors;

/* 8 hex digits: a NaN-boxed single; '-': unused (zero). */
static uint64_t parse_operand(const char *tok)
{
    if (strcmp(tok, "-") == 0) {
        return 0;
    }
    uint64_t v = g_ascii_strtoull(tok, NULL, 16);
    return strlen(tok) == 8 ? (v | BOX) : v;
}

static void load_vectors(void)
{
    g_autofree char *path = g_test_build_filename(G_TEST_DIST, "vmm-fpu", "fpu-vectors.txt", NULL);
    g_autofree char *text = NULL;
    g_autoptr(GError) error = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, &error));
    g_assert_no_error(error);
    vectors = g_array_new(FALSE, TRUE, sizeof(FpuVector));

    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i]; i++) {
        if (lines[i][0] == '#' || lines[i][0] == '\0') {
            continue;
        }
        g_auto(GStrv) tok = g_strsplit(lines[i], " ", -1);
        g_assert_cmpuint(g_strv_length(tok), ==, 7);
        FpuVector v = {
            .insn = (uint32_t)g_ascii_strtoull(tok[0], NULL, 16),
            .frm = (uint32_t)g_ascii_strtoull(tok[1], NULL, 10),
            .ops = { parse_operand(tok[2]), parse_operand(tok[3]), parse_operand(tok[4]) },
            .result = strcmp(tok[5], "i") == 0 ? 0 : parse_operand(tok[5]),
            .flags = (uint32_t)g_ascii_strtoull(tok[6], NULL, 16),
            .illegal = strcmp(tok[5], "i") == 0,
            .line = i + 1,
        };
        g_array_append_val(vectors, v);
    }
    g_assert_cmpuint(vectors->len, >, 15000);
}

static bool writes_x(uint32_t insn)
{
    unsigned funct5 = insn >> 27;
    return (insn & 0x7f) == 0x53 && (funct5 == 0x14 || funct5 == 0x18 || funct5 == 0x1c);
}

/* Instructions whose funct3 is a rounding mode. */
static bool has_rm(uint32_t insn)
{
    unsigned funct5 = insn >> 27;
    if ((insn & 0x7f) != 0x53) {
        return true;
    }
    return funct5 <= 0x03 || funct5 == 0x0b || funct5 == 0x08 || funct5 == 0x18 ||
           funct5 == 0x1a;
}

/* Runs one vector the way the reference program did; counts mismatches. */
static int run_vector(const FpuVector *v, uint32_t insn, uint32_t frm)
{
    PhRvCpu *cpu = g_new0(PhRvCpu, 1);
    bool to_x = writes_x(insn);
    int bad = 0;

    cpu->x[11] = cpu->f[11] = v->ops[0];
    cpu->x[12] = cpu->f[12] = v->ops[1];
    cpu->f[13] = v->ops[2];
    cpu->frm = frm;
    cpu->mstatus = 1ull << PH_RV_MSTATUS_FS_SHIFT;  /* Initial */

    if (v->illegal) {
        /* Rejected, and nothing changed: the core raises the trap. */
        PhRvCpu before = *cpu;
        bool accepted = ph_rv_fpu_exec(cpu, insn);
        if (accepted || memcmp(&before, cpu, sizeof(before)) != 0) {
            g_test_message("line %d: insn %08" PRIx32 " frm %" PRIu32 ": %s, want illegal",
                           v->line, insn, frm, accepted ? "accepted" : "state changed");
            bad = 1;
        }
        g_free(cpu);
        return bad;
    }

    bool ok = ph_rv_fpu_exec(cpu, insn);
    uint64_t got = to_x ? cpu->x[10] : cpu->f[10];
    uint64_t other = to_x ? cpu->f[10] : cpu->x[10];

    if (!ok || got != v->result || cpu->fflags != v->flags || other != 0 ||
        (cpu->mstatus & PH_RV_MSTATUS_FS) != PH_RV_MSTATUS_FS ||
        !(cpu->mstatus & PH_RV_MSTATUS_SD) || cpu->x[0] != 0) {
        g_test_message("line %d: insn %08" PRIx32 " frm %" PRIu32 " a %016" PRIx64 " b %016"
                       PRIx64 " c %016" PRIx64 ": got %s%016" PRIx64 " flags %02" PRIx32
                       ", want %016" PRIx64 " flags %02" PRIx32,
                       v->line, insn, frm, v->ops[0], v->ops[1], v->ops[2],
                       ok ? "" : "ILLEGAL ", got, cpu->fflags, v->result, v->flags);
        bad = 1;
    }
    g_free(cpu);
    return bad;
}

static void test_qemu_vectors(void)
{
    int bad = 0;

    for (guint i = 0; i < vectors->len; i++) {
        const FpuVector *v = &g_array_index(vectors, FpuVector, i);
        bad += run_vector(v, v->insn, v->frm);
        if (bad > 50) {
            break;
        }
    }
    g_assert_cmpint(bad, ==, 0);
}

/*
 * The same vectors with the rounding mode moved between the rm field and
 * frm (static <-> dynamic), and frm made reserved where the field is static
 * (it must then be ignored).
 */
static void test_qemu_vectors_rm_swapped(void)
{
    int bad = 0;
    guint n = 0;

    for (guint i = 0; i < vectors->len; i++) {
        const FpuVector *v = &g_array_index(vectors, FpuVector, i);
        uint32_t rm = (v->insn >> 12) & 7;
        uint32_t insn, frm;

        if (v->illegal) {
            continue;
        }
        if (!has_rm(v->insn)) {
            /* No rounding: frm, even a reserved one, plays no part. */
            bad += run_vector(v, v->insn, 5 + (i % 3));
            continue;
        }
        if (rm == 7) {
            insn = (v->insn & ~(7u << 12)) | (v->frm << 12);
            frm = 5 + (i % 3);
        } else {
            insn = v->insn | (7u << 12);
            frm = rm;
        }
        bad += run_vector(v, insn, frm);
        n++;
        if (bad > 50) {
            break;
        }
    }
    g_assert_cmpuint(n, >, 5000);
    g_assert_cmpint(bad, ==, 0);
}

/* R-type OP-FP encoding with rd 10, rs1 11. */
static uint32_t op_fp(uint32_t funct7, uint32_t rs2, uint32_t rm)
{
    return (funct7 << 25) | (rs2 << 20) | (11u << 15) | (rm << 12) | (10u << 7) | 0x53;
}

static void expect_illegal(uint32_t insn, uint32_t frm)
{
    PhRvCpu *cpu = g_new0(PhRvCpu, 1);

    for (int i = 0; i < 32; i++) {
        cpu->x[i] = i ? 0x1111 * (uint64_t)i : 0;
        cpu->f[i] = 0x3ff0000000000000ull + (uint64_t)i;
    }
    cpu->frm = frm;
    cpu->mstatus = 1ull << PH_RV_MSTATUS_FS_SHIFT;
    PhRvCpu before = *cpu;

    if (ph_rv_fpu_exec(cpu, insn)) {
        g_test_message("insn %08" PRIx32 " with frm %" PRIu32 " accepted", insn, frm);
        g_test_fail();
    }
    /* Nothing changes on an illegal instruction: the core raises the trap. */
    g_assert_cmpmem(&before, sizeof(before), cpu, sizeof(*cpu));
    g_free(cpu);
}

static void test_illegal(void)
{
    static const uint32_t rounding_funct7[] = {
        0x00, 0x01, 0x04, 0x05, 0x08, 0x09, 0x0c, 0x0d,
    };

    for (guint i = 0; i < G_N_ELEMENTS(rounding_funct7); i++) {
        uint32_t insn = op_fp(rounding_funct7[i], 12, 0);
        /* Reserved static modes 5 and 6; dynamic with frm 5..7. */
        expect_illegal(insn | (5u << 12), 0);
        expect_illegal(insn | (6u << 12), 0);
        for (uint32_t frm = 5; frm <= 7; frm++) {
            expect_illegal(insn | (7u << 12), frm);
        }
    }
    /* The FMAs: reserved modes and the H/Q formats. */
    for (uint32_t op = 0x43; op <= 0x4f; op += 4) {
        uint32_t base = (13u << 27) | (12u << 20) | (11u << 15) | (10u << 7) | op;
        expect_illegal(base | (5u << 12), 0);
        expect_illegal(base | (7u << 12), 6);
        expect_illegal(base | (2u << 25), 0);
        expect_illegal(base | (3u << 25), 0);
    }
    /* H and Q formats of OP-FP. */
    expect_illegal(op_fp(0x02, 12, 0), 0);
    expect_illegal(op_fp(0x03, 12, 0), 0);
    /* Bad rs2 / funct3 fields. */
    expect_illegal(op_fp(0x2c, 1, 0), 0);            /* FSQRT.S rs2 != 0 */
    expect_illegal(op_fp(0x2d, 3, 0), 0);
    expect_illegal(op_fp(0x10, 12, 3), 0);           /* FSGNJ funct3 3 */
    expect_illegal(op_fp(0x11, 12, 7), 0);
    expect_illegal(op_fp(0x14, 12, 2), 0);           /* FMIN/FMAX funct3 2 */
    expect_illegal(op_fp(0x51, 12, 3), 0);           /* FEQ/FLT/FLE funct3 3 */
    expect_illegal(op_fp(0x60, 4, 0), 0);            /* FCVT.?.S rs2 4 */
    expect_illegal(op_fp(0x69, 5, 0), 0);            /* FCVT.D.? rs2 5 */
    expect_illegal(op_fp(0x70, 1, 0), 0);            /* FMV.X.W rs2 != 0 */
    expect_illegal(op_fp(0x70, 0, 2), 0);            /* funct3 2 */
    expect_illegal(op_fp(0x78, 0, 1), 0);            /* FMV.W.X funct3 1 */
    expect_illegal(op_fp(0x79, 2, 0), 0);
    expect_illegal(op_fp(0x20, 0, 0), 0);            /* FCVT.S.S */
    expect_illegal(op_fp(0x21, 1, 0), 0);            /* FCVT.D.D */
    expect_illegal(op_fp(0x20, 3, 0), 0);
    expect_illegal(op_fp(0x30, 0, 0), 0);            /* unassigned */
    expect_illegal(op_fp(0x7c, 0, 0), 0);
    /* A converting instruction is illegal with a bad mode even if exact. */
    expect_illegal(op_fp(0x21, 0, 5), 0);            /* FCVT.D.S */
    expect_illegal(op_fp(0x69, 0, 7), 5);            /* FCVT.D.W */
    /* Not an FP opcode at all. */
    expect_illegal(0x00000013, 0);
}

/* Integer results to x0 are dropped; FP results to f0 are not. */
static void test_x0(void)
{
    PhRvCpu *cpu = g_new0(PhRvCpu, 1);
    uint32_t to_x0[] = {
        op_fp(0x51, 12, 2) & ~(31u << 7),       /* FEQ.D x0 */
        op_fp(0x71, 0, 1) & ~(31u << 7),        /* FCLASS.D x0 */
        op_fp(0x70, 0, 0) & ~(31u << 7),        /* FMV.X.W x0 */
        op_fp(0x61, 2, 1) & ~(31u << 7),        /* FCVT.L.D x0 */
    };

    cpu->f[11] = cpu->f[12] = 0x4000000000000000ull;
    for (guint i = 0; i < G_N_ELEMENTS(to_x0); i++) {
        g_assert_true(ph_rv_fpu_exec(cpu, to_x0[i]));
        g_assert_cmpuint(cpu->x[0], ==, 0);
    }
    /* FADD.D f0, f11, f12 */
    g_assert_true(ph_rv_fpu_exec(cpu, op_fp(0x01, 12, 0) & ~(31u << 7)));
    g_assert_cmphex(cpu->f[0], ==, 0x4010000000000000ull);
    g_free(cpu);
}

/* fflags accrue (are ORed), and FS becomes Dirty with SD set. */
static void test_flags_accrue(void)
{
    PhRvCpu *cpu = g_new0(PhRvCpu, 1);

    cpu->mstatus = 2ull << PH_RV_MSTATUS_FS_SHIFT;   /* Clean */
    cpu->fflags = PH_RV_FFLAG_OF;
    cpu->f[11] = 0x3ff0000000000000ull;   /* 1.0 */
    cpu->f[12] = 0;                       /* 0.0 */
    /* FDIV.D: 1 / 0 raises DZ. */
    g_assert_true(ph_rv_fpu_exec(cpu, op_fp(0x0d, 12, 0)));
    g_assert_cmphex(cpu->f[10], ==, 0x7ff0000000000000ull);
    g_assert_cmphex(cpu->fflags, ==, PH_RV_FFLAG_OF | PH_RV_FFLAG_DZ);
    g_assert_cmphex(cpu->mstatus, ==, PH_RV_MSTATUS_FS | PH_RV_MSTATUS_SD);
    g_free(cpu);
}

/* Thread CPU time: the figure stays meaningful on a loaded machine. */
static double cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A rough throughput figure, shown with -m perf. */
static void test_speed(void)
{
    static const char *const names[] = {
        "fadd.d", "fmul.d", "fdiv.d", "fsqrt.d", "fmadd.d", "fadd.s", "fdiv.s", "fcvt.w.d", "fsgnj.d",
    };
    const uint32_t insns[G_N_ELEMENTS(names)] = {
        op_fp(0x01, 12, 7), op_fp(0x09, 12, 7), op_fp(0x0d, 12, 7), op_fp(0x2d, 0, 7),
        (13u << 27) | (1u << 25) | (12u << 20) | (11u << 15) | (7u << 12) | (10u << 7) | 0x43,
        op_fp(0x00, 12, 7), op_fp(0x0c, 12, 7), op_fp(0x61, 0, 7), op_fp(0x11, 12, 0),
    };
    PhRvCpu *cpu = g_new0(PhRvCpu, 1);
    const int n = 2000000;

    for (guint k = 0; k < G_N_ELEMENTS(names); k++) {
        cpu->f[11] = 0x3ff3333333333333ull;
        cpu->f[12] = 0x4005555555555555ull;
        cpu->f[13] = 0xbff0000000000001ull;
        if (k >= 5 && k <= 6) {
            cpu->f[11] = BOX | 0x3f99999au;
            cpu->f[12] = BOX | 0x402aaaabu;
        }
        double t0 = cpu_seconds();
        for (int i = 0; i < n; i++) {
            ph_rv_fpu_exec(cpu, insns[k]);
            /* Vary an operand so nothing is hoisted. */
            cpu->f[11] ^= (uint64_t)(i & 0xff);
        }
        double ns = (cpu_seconds() - t0) * 1e9 / n;
        g_test_minimized_result(ns, "%s: %.1f ns", names[k], ns);
    }
    g_free(cpu);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    load_vectors();
    g_test_add_func("/vmm-fpu/qemu-vectors", test_qemu_vectors);
    g_test_add_func("/vmm-fpu/qemu-vectors-rm-swapped", test_qemu_vectors_rm_swapped);
    g_test_add_func("/vmm-fpu/illegal", test_illegal);
    g_test_add_func("/vmm-fpu/x0", test_x0);
    g_test_add_func("/vmm-fpu/flags-accrue", test_flags_accrue);
    if (g_test_perf()) {
        g_test_add_func("/vmm-fpu/speed", test_speed);
    }
    int rc = g_test_run();
    g_array_unref(vectors);
    return rc;
}

/* Interpreter speed: tight integer loops run directly on PhRvCpu, reported in MIPS. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "cpu.h"
#include "rv-encode.h"
#include "vm-clock.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (16ull << 20)

/* sum/xor/shift with a load and a store per iteration, 7 instructions. */
#define R(op, rd, f3, rs1, rs2, f7) ph_rv_enc_r(op, rd, f3, rs1, rs2, f7)
#define I(op, rd, f3, rs1, imm) ph_rv_enc_i(op, rd, f3, rs1, imm)

/* The same loop in RVC (a3 = a2 << 3 takes c.mv + c.slli there), 8 instructions. */
static const uint16_t rvc_loop[] = {
    0x95aa,   /* c.add a1, a0 */
    0x8e2d,   /* c.xor a2, a1 */
    0x86b2,   /* c.mv a3, a2 */
    0x068e,   /* c.slli a3, 3 */
    0xe036,   /* c.sdsp a3, 0(sp) */
    0x6702,   /* c.ldsp a4, 0(sp) */
    0x157d,   /* c.addi a0, -1 */
    0xf96d,   /* c.bnez a0, -14 (back to the start) */
};

static double run_bench(const char *name, const uint32_t *words, unsigned n_words,
                        const uint16_t *half, unsigned n_half, int64_t insns)
{
    PhBus *bus = ph_bus_new();
    PhRegion *ram = ph_bus_add_ram(bus, "ram", RAM_BASE, RAM_SIZE, 0);
    if (words) {
        memcpy(ram->host, words, n_words * 4);
    } else {
        memcpy(ram->host, half, n_half * 2);
    }
    PhRvCpuConfig cfg = { .bus = bus };
    PhRvCpu *cpu = ph_rv_cpu_new(&cfg);
    ph_rv_cpu_reset(cpu, RAM_BASE);
    cpu->x[2] = RAM_BASE + RAM_SIZE - 64;
    cpu->x[10] = ~0ull >> 1;    /* iterations: effectively endless */

    struct timespec c0, c1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
    int64_t start = ph_host_clock_ns();
    int64_t left = insns;
    while (left > 0) {
        int64_t chunk = left < 1000000 ? left : 1000000;
        ph_rv_cpu_run(cpu, chunk);
        left -= chunk;
    }
    int64_t ns = ph_host_clock_ns() - start;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
    double cpu_ns = (double)(c1.tv_sec - c0.tv_sec) * 1e9 + (double)(c1.tv_nsec - c0.tv_nsec);
    double mips = (double)cpu->instret / ((double)ns / 1e3);
    /* CPU time too: on a busy host the wall-clock figure mostly measures the others. */
    printf("%-28s %10" G_GUINT64_FORMAT " insns %8.3f s %8.1f MIPS (%.1f MIPS per CPU second)\n",
           name, cpu->instret, (double)ns / 1e9, mips, (double)cpu->instret / (cpu_ns / 1e3));
    ph_rv_cpu_free(cpu);
    ph_bus_free(bus);
    return mips;
}

int main(int argc, char **argv)
{
    int64_t insns = argc > 1 ? g_ascii_strtoll(argv[1], NULL, 10) : 300000000;
    const uint32_t loop[] = {
        R(0x33, 11, 0, 11, 10, 0),            /* add a1, a1, a0 */
        R(0x33, 12, 4, 12, 11, 0),            /* xor a2, a2, a1 */
        I(0x13, 13, 1, 12, 3),                /* slli a3, a2, 3 */
        ph_rv_enc_s(0x23, 3, 2, 13, 0),       /* sd a3, 0(sp) */
        I(0x03, 14, 3, 2, 0),                 /* ld a4, 0(sp) */
        I(0x13, 10, 0, 10, -1),               /* addi a0, a0, -1 */
        ph_rv_enc_b(1, 10, 0, -24),           /* bnez a0, loop */
    };
    run_bench("rv64i loop (alu+ld/st)", loop, G_N_ELEMENTS(loop), NULL, 0, insns);
    run_bench("rv64c loop (alu+ld/st)", NULL, 0, rvc_loop, G_N_ELEMENTS(rvc_loop), insns);
    return 0;
}

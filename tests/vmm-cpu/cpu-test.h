/* Shared fixture for the hart tests: a bus with RAM and an MMIO scratch device, and encoders. */
#pragma once

#include <glib.h>
#include <string.h>

#include "cpu-int.h"
#include "rv-encode.h"

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (4ull << 20)
#define MMIO_BASE 0x10000000ull
#define MMIO_SIZE 0x1000ull
#define TRAP_VEC (RAM_BASE + 0x3000)   /* mtvec/stvec land here */

typedef struct {
    PhBus *bus;
    PhRvCpu *cpu;
    uint8_t *ram;
    uint64_t mmio_last_write;
    unsigned mmio_last_size;
    uint64_t pc;   /* where emit() puts the next word */
} CpuFixture;

static uint64_t cpu_test_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    return 0x1122334455667788ull + offset;
}

static void cpu_test_mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    CpuFixture *f = opaque;
    f->mmio_last_write = value;
    f->mmio_last_size = size;
}

static const PhMmioOps cpu_test_mmio_ops = { cpu_test_mmio_read, cpu_test_mmio_write };

static uint64_t cpu_test_time(void *opaque)
{
    return 12345;
}

/* Reset with the trap vectors set and PMP open to S and U (as firmware leaves it). */
static inline void fx_reset(CpuFixture *f, uint64_t pc)
{
    ph_rv_cpu_reset(f->cpu, pc);
    f->cpu->p->mtvec = TRAP_VEC;
    f->cpu->p->stvec = TRAP_VEC + 0x100;
    f->cpu->p->pmpaddr[0] = (1ull << 54) - 1;
    f->cpu->p->pmpcfg[0] = 0x1f;
    ph_rv_pmp_changed(f->cpu);
}

static inline void fx_setup(CpuFixture *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    f->bus = ph_bus_new();
    PhRegion *r = ph_bus_add_ram(f->bus, "ram", RAM_BASE, RAM_SIZE, 0);
    f->ram = r->host;
    ph_bus_add_mmio(f->bus, "scratch", MMIO_BASE, MMIO_SIZE, &cpu_test_mmio_ops, f);
    PhRvCpuConfig cfg = { .bus = f->bus, .hart_id = 0, .get_time = cpu_test_time };
    f->cpu = ph_rv_cpu_new(&cfg);
    fx_reset(f, RAM_BASE);
    for (uint64_t a = TRAP_VEC; a < TRAP_VEC + 0x200; a += 4) {
        uint32_t nop = 0x13;
        memcpy(f->ram + (a - RAM_BASE), &nop, 4);
    }
    f->pc = RAM_BASE;
}

static inline void fx_teardown(CpuFixture *f, gconstpointer data)
{
    ph_rv_cpu_free(f->cpu);
    ph_bus_free(f->bus);
}

/* The put* helpers write guest RAM from the host while the hart is stopped,
 * like a loader: then decoded code must be flushed. */
static inline void put32(CpuFixture *f, uint64_t addr, uint32_t w)
{
    g_assert_true(addr >= RAM_BASE && addr + 4 <= RAM_BASE + RAM_SIZE);
    memcpy(f->ram + (addr - RAM_BASE), &w, 4);
    ph_rv_cpu_flush_code(f->cpu);
}

static inline void put16(CpuFixture *f, uint64_t addr, uint16_t w)
{
    memcpy(f->ram + (addr - RAM_BASE), &w, 2);
    ph_rv_cpu_flush_code(f->cpu);
}

static inline void put64(CpuFixture *f, uint64_t addr, uint64_t v)
{
    memcpy(f->ram + (addr - RAM_BASE), &v, 8);
    ph_rv_cpu_flush_code(f->cpu);
}

static inline uint64_t get64(CpuFixture *f, uint64_t addr)
{
    uint64_t v;
    memcpy(&v, f->ram + (addr - RAM_BASE), 8);
    return v;
}

static inline void emit(CpuFixture *f, uint32_t w)
{
    put32(f, f->pc, w);
    f->pc += 4;
}

static inline void emit16(CpuFixture *f, uint16_t w)
{
    put16(f, f->pc, w);
    f->pc += 2;
}

/* Runs exactly @n instructions (a trap counts as one step). */
static inline void step(CpuFixture *f, int64_t n)
{
    for (int64_t i = 0; i < n; i++) {
        ph_rv_cpu_run(f->cpu, 1);
    }
}

/* Common instructions */
#define ADDI(rd, rs1, imm) ph_rv_enc_i(0x13, rd, 0, rs1, imm)
#define LI(rd, imm) ADDI(rd, 0, imm)
#define ADD(rd, a, b) ph_rv_enc_r(0x33, rd, 0, a, b, 0)
#define LUI(rd, imm20) ph_rv_enc_u(0x37, rd, imm20)
#define LD(rd, rs1, imm) ph_rv_enc_i(0x03, rd, 3, rs1, imm)
#define LW(rd, rs1, imm) ph_rv_enc_i(0x03, rd, 2, rs1, imm)
#define SD(rs2, rs1, imm) ph_rv_enc_s(0x23, 3, rs1, rs2, imm)
#define SW(rs2, rs1, imm) ph_rv_enc_s(0x23, 2, rs1, rs2, imm)
#define CSRRW(rd, csr, rs1) ph_rv_enc_i(0x73, rd, 1, rs1, (int32_t)(csr))
#define CSRRS(rd, csr, rs1) ph_rv_enc_i(0x73, rd, 2, rs1, (int32_t)(csr))
#define CSRRC(rd, csr, rs1) ph_rv_enc_i(0x73, rd, 3, rs1, (int32_t)(csr))
#define CSRRWI(rd, csr, imm) ph_rv_enc_i(0x73, rd, 5, imm, (int32_t)(csr))
#define ECALL 0x00000073u
#define EBREAK 0x00100073u
#define MRET 0x30200073u
#define SRET 0x10200073u
#define WFI 0x10500073u
#define FENCE_I 0x0000100fu
#define NOP ADDI(0, 0, 0)
#define JAL(rd, off) ph_rv_enc_j(rd, off)

/* Puts @v in register @rd directly (the tests are not about LI sequences). */
static inline void setx(CpuFixture *f, unsigned rd, uint64_t v)
{
    f->cpu->x[rd] = v;
}

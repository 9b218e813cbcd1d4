/* libFuzzer target: arbitrary code and hart state run on the RV64 interpreter; the host must survive. */
#include <stdint.h>
#include <string.h>

#include "cpu-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RAM_BASE 0x80000000ull
#define RAM_SIZE (1ull << 20)
#define MMIO_BASE 0x10000000ull

static uint64_t mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    return offset * 0x0101010101010101ull;
}

static void mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
}

static const PhMmioOps mmio_ops = { mmio_read, mmio_write };

static uint64_t get_time(void *opaque)
{
    return 42;
}

/*
 * Input: a header (priv, mstatus bits, satp mode, medeleg, 31 registers
 * chosen from a few useful kinds), then code bytes copied to the start of
 * RAM, which is also a possible page-table root.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static PhBus *bus;
    static PhRvCpu *cpu;
    static uint8_t *ram;
    if (!bus) {
        bus = ph_bus_new();
        ram = ph_bus_add_ram(bus, "ram", RAM_BASE, RAM_SIZE, 0)->host;
        ph_bus_add_mmio(bus, "mmio", MMIO_BASE, 0x1000, &mmio_ops, NULL);
        PhRvCpuConfig cfg = { .bus = bus, .get_time = get_time };
        cpu = ph_rv_cpu_new(&cfg);
    }
    if (size < 8) {
        return 0;
    }
    memset(ram, 0, 0x10000);
    ph_rv_cpu_reset(cpu, RAM_BASE);
    cpu->priv = (PhRvPriv)(data[0] % 3 == 2 ? PH_RV_PRV_M : data[0] % 3);
    cpu->mstatus |= ((uint64_t)data[1] << 13) & (PH_RV_MSTATUS_FS | (7ull << 17));
    cpu->mstatus |= ((uint64_t)data[2] << 20) & (7ull << 20);
    cpu->p->satp = (uint64_t)(data[3] & 1 ? 8 : data[3] & 2 ? 9 : 0) << 60 | RAM_BASE >> 12;
    cpu->p->medeleg = data[4] | (uint64_t)data[5] << 8;
    cpu->p->mideleg = 0x222;
    cpu->p->mtvec = RAM_BASE + (data[6] & 0xfc);
    cpu->p->stvec = RAM_BASE + 0x100 + (data[7] & 0xfc);
    cpu->p->pmpaddr[0] = (1ull << 54) - 1;
    cpu->p->pmpcfg[0] = 0x1f;
    ph_rv_pmp_changed(cpu);
    data += 8;
    size -= 8;
    for (unsigned i = 1; i < 32 && size > 0; i++, data++, size--) {
        uint64_t k = *data;
        switch (k & 3) {
        case 0: cpu->x[i] = RAM_BASE + (k << 6); break;
        case 1: cpu->x[i] = MMIO_BASE + (k >> 2); break;
        case 2: cpu->x[i] = (uint64_t)(int64_t)(int8_t)k; break;
        default: cpu->x[i] = k << 56 | k << 30 | k; break;
        }
    }
    memcpy(ram, data, size < 0x10000 ? size : 0x10000);
    ph_rv_cpu_set_irq(cpu, PH_RV_MIP_MTIP, size & 1);
    for (int k = 0; k < 4; k++) {
        if (ph_rv_cpu_run(cpu, 500) == PH_RV_RUN_WFI) {
            cpu->p->wfi = false;
        }
    }
    /* The invariants an interpreter bug would break first. */
    if (cpu->x[0] != 0 || (cpu->pc & 1)) {
        __builtin_trap();
    }
    return 0;
}

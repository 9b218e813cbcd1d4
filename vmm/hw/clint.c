/* The CLINT (SiFive core-local interruptor) of QEMU's virt board, for one hart. */
#include "clint.h"

#include <glib.h>

#include "hw-int.h"

#define CLINT_MSIP 0x0
#define CLINT_MTIMECMP 0x4000
#define CLINT_MTIME 0xbff8

struct PhClint {
    PhIrqOut msip_irq;
    PhIrqOut mtip_irq;
    uint64_t (*get_time)(void *opaque);
    void *time_opaque;
    /* mtime = raw + time_delta.  Written on the vCPU thread (or at reset),
     * read from any thread through ph_clint_read_time(): atomic. */
    uint64_t time_delta;
    /* vCPU thread only. */
    uint64_t mtimecmp;
    bool msip;
};

static uint64_t clint_raw(PhClint *c)
{
    return c->get_time(c->time_opaque);
}

uint64_t ph_clint_read_time(void *opaque)
{
    PhClint *c = opaque;
    return clint_raw(c) + __atomic_load_n(&c->time_delta, __ATOMIC_RELAXED);
}

void ph_clint_update(PhClint *c)
{
    ph_irq_out_set(&c->mtip_irq, ph_clint_read_time(c) >= c->mtimecmp);
}

int64_t ph_clint_ticks_until_timer(PhClint *c)
{
    uint64_t now = ph_clint_read_time(c);
    if (now >= c->mtimecmp) {
        return 0;
    }
    uint64_t delta = c->mtimecmp - now;
    return delta > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)delta;
}

/* Replaces the bytes [shift/8, shift/8 + size) of @old with @value. */
static uint64_t deposit(uint64_t old, unsigned shift, unsigned size, uint64_t value)
{
    if (size >= 8) {
        return value;
    }
    uint64_t mask = ((1ull << (size * 8)) - 1) << shift;
    return (old & ~mask) | ((value << shift) & mask);
}

static uint64_t clint_read(void *opaque, uint64_t offset, unsigned size)
{
    PhClint *c = opaque;
    uint64_t reg;
    uint64_t start;

    if (size != 4 && size != 8) {
        return 0;   /* QEMU only decodes 32- and 64-bit accesses */
    }
    if (offset == CLINT_MSIP && size == 4) {
        return c->msip;
    }
    if (offset >= CLINT_MTIMECMP && offset < CLINT_MTIMECMP + 8) {
        reg = c->mtimecmp;
        start = CLINT_MTIMECMP;
    } else if (offset >= CLINT_MTIME && offset < CLINT_MTIME + 8) {
        reg = ph_clint_read_time(c);
        start = CLINT_MTIME;
    } else {
        return 0;
    }
    unsigned byte = offset - start;
    if (byte == 0) {
        return size == 4 ? (uint32_t)reg : reg;
    }
    if (byte == 4) {
        return reg >> 32;   /* as QEMU: the high half, whatever the size */
    }
    return 0;   /* misaligned inside the register */
}

static void clint_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    PhClint *c = opaque;

    if (size != 4 && size != 8) {
        return;
    }
    if (offset == CLINT_MSIP && size == 4) {
        c->msip = value & 1;
        ph_irq_out_set(&c->msip_irq, c->msip);
        return;
    }
    bool is_cmp = offset >= CLINT_MTIMECMP && offset < CLINT_MTIMECMP + 8;
    bool is_time = offset >= CLINT_MTIME && offset < CLINT_MTIME + 8;
    if (!is_cmp && !is_time) {
        return;
    }
    unsigned byte = offset - (is_cmp ? CLINT_MTIMECMP : CLINT_MTIME);
    if (byte == 4) {
        size = 4;   /* as QEMU: the high half, whatever the size */
    } else if (byte != 0) {
        return;
    }
    if (is_cmp) {
        c->mtimecmp = deposit(c->mtimecmp, byte * 8, size, value);
    } else {
        uint64_t raw = clint_raw(c);
        uint64_t now = raw + c->time_delta;
        uint64_t next = deposit(now, byte * 8, size, value);
        __atomic_store_n(&c->time_delta, next - raw, __ATOMIC_RELAXED);
    }
    ph_clint_update(c);
}

static const PhMmioOps clint_ops = {
    .read = clint_read,
    .write = clint_write,
};

PhClint *ph_clint_new(PhBus *bus, uint64_t base, PhIrq msip, PhIrq mtip,
                      uint64_t (*get_time)(void *opaque), void *time_opaque)
{
    PhClint *c = g_new0(PhClint, 1);
    ph_irq_out_init(&c->msip_irq, msip);
    ph_irq_out_init(&c->mtip_irq, mtip);
    c->get_time = get_time;
    c->time_opaque = time_opaque;
    ph_bus_add_mmio(bus, "riscv.sifive.clint", base, PH_CLINT_SIZE, &clint_ops, c);
    return c;
}

void ph_clint_free(PhClint *c)
{
    g_free(c);
}

void ph_clint_reset(PhClint *c)
{
    c->msip = false;
    ph_irq_out_forget(&c->msip_irq);
    ph_irq_out_forget(&c->mtip_irq);
    ph_irq_out_set(&c->msip_irq, false);
    __atomic_store_n(&c->time_delta, -clint_raw(c), __ATOMIC_RELAXED);
    ph_clint_update(c);
}

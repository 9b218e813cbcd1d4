/* Shared helpers for the device tests: a recording interrupt sink and guest-style bus accesses. */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "irq.h"

#define HW_TEST_LINES 16

/* Remembers the last level and the number of set() calls of each line. */
typedef struct HwIrqRec {
    bool level[HW_TEST_LINES];
    unsigned calls[HW_TEST_LINES];
} HwIrqRec;

static inline void hw_irq_rec_set(void *opaque, unsigned n, bool level)
{
    HwIrqRec *r = opaque;
    if (n < HW_TEST_LINES) {
        __atomic_store_n(&r->level[n], level, __ATOMIC_SEQ_CST);
        __atomic_fetch_add(&r->calls[n], 1, __ATOMIC_SEQ_CST);
    }
}

static inline PhIrq hw_irq_line(HwIrqRec *r, unsigned n)
{
    return (PhIrq){ .set = hw_irq_rec_set, .opaque = r, .n = n };
}

static inline bool hw_irq_level(HwIrqRec *r, unsigned n)
{
    return __atomic_load_n(&r->level[n], __ATOMIC_SEQ_CST);
}

/* A guest load; fails the test if nothing decodes the address. */
static inline uint64_t hw_rd(PhBus *bus, uint64_t pa, unsigned size)
{
    uint64_t v = 0;
    g_assert_true(ph_bus_read(bus, pa, size, &v));
    return v;
}

static inline void hw_wr(PhBus *bus, uint64_t pa, unsigned size, uint64_t value)
{
    g_assert_true(ph_bus_write(bus, pa, size, value));
}

static inline uint32_t hw_rd32(PhBus *bus, uint64_t pa)
{
    return (uint32_t)hw_rd(bus, pa, 4);
}

static inline void hw_wr32(PhBus *bus, uint64_t pa, uint32_t value)
{
    hw_wr(bus, pa, 4, value);
}

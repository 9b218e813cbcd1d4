/* Interrupt lines: a small value (function, opaque, number), as in TinyEMU. */
#pragma once

#include <stdbool.h>

/*
 * One interrupt line.  Whoever owns the line's sink fills it in; a device
 * keeps a copy and calls ph_irq_set() with the line's level.  set() may be
 * called from any thread (the vCPU thread for MMIO side effects, the main
 * thread or an I/O thread for input), so a sink must be thread-safe.
 */
typedef struct PhIrq {
    void (*set)(void *opaque, unsigned n, bool level);
    void *opaque;
    unsigned n;
} PhIrq;

static inline void ph_irq_set(const PhIrq *irq, bool level)
{
    if (irq->set) {
        irq->set(irq->opaque, irq->n, level);
    }
}

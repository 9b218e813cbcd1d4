/* Private helpers shared by the device models. */
#pragma once

#include <stdbool.h>

#include "irq.h"

/*
 * An output line that forwards only changes of level.  The board's sinks
 * wake the vCPU on every call, so a device that re-asserted an unchanged
 * level on each register access (or each timer check) would keep the
 * runner from ever sleeping.  Guarded by the owning device's lock.
 */
typedef struct PhIrqOut {
    PhIrq line;
    int level;   /* last level sent, -1 when unknown (forces the next) */
} PhIrqOut;

static inline void ph_irq_out_init(PhIrqOut *out, PhIrq line)
{
    out->line = line;
    out->level = -1;
}

static inline void ph_irq_out_set(PhIrqOut *out, bool level)
{
    if (out->level != (int)level) {
        out->level = level;
        ph_irq_set(&out->line, level);
    }
}

/* After a reset the sink may have forgotten: send the next level anyway. */
static inline void ph_irq_out_forget(PhIrqOut *out)
{
    out->level = -1;
}

/* The SiFive PLIC of QEMU's virt board: one hart, contexts 0 = M and 1 = S. */
#pragma once

#include <stdint.h>

#include "bus.h"
#include "irq.h"

#define PH_PLIC_SIZE 0x600000
#define PH_PLIC_MAX_SOURCES 1023

typedef struct PhPlic PhPlic;

/*
 * Sources 1..@num_sources - 1 (QEMU virt: 96 gives 1..95), priorities 0..7,
 * level-triggered with the gateway rule: a raised line becomes pending; a
 * claimed source is not pending again until the guest completes it, and is
 * pending again at once if its line is still high then.  As in QEMU 7.2
 * (and the PLIC spec), a request stays pending until claimed even if the
 * line drops first.  @m_ext / @s_ext carry MEIP / SEIP; they are set with
 * the PLIC's lock held (the sink must not call back into the PLIC).
 */
PhPlic *ph_plic_new(PhBus *bus, uint64_t base, unsigned num_sources,
                    PhIrq m_ext, PhIrq s_ext);
void ph_plic_free(PhPlic *p);
/* Board, vCPU stopped: everything 0, line levels kept (devices re-drive them). */
void ph_plic_reset(PhPlic *p);

/* Any thread: the input line of source @n (set() is thread-safe).  Source 0
 * and out-of-range numbers give a line that is ignored. */
PhIrq ph_plic_source(PhPlic *p, unsigned n);

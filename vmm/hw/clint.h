/* The CLINT (SiFive core-local interruptor) of QEMU's virt board, for one hart. */
#pragma once

#include <stdint.h>

#include "bus.h"
#include "irq.h"

#define PH_CLINT_SIZE 0x10000
/* mtime runs at 10 MHz, as on QEMU's virt board. */
#define PH_CLINT_TIMEBASE_HZ 10000000

typedef struct PhClint PhClint;

/*
 * msip at +0, mtimecmp at +0x4000, mtime at +0xbff8; 32- and 64-bit
 * accesses, including either half of a 64-bit register.  @get_time gives
 * the raw 10 MHz count (the board's guest clock); a guest write to mtime
 * stores an offset from it.  @msip and @mtip are set with the device's own
 * state only (no lock is held while calling them).
 */
PhClint *ph_clint_new(PhBus *bus, uint64_t base, PhIrq msip, PhIrq mtip,
                      uint64_t (*get_time)(void *opaque), void *time_opaque);
void ph_clint_free(PhClint *c);
/* Board, vCPU stopped: as QEMU 7.2, msip = 0 and mtime written to 0
 * (mtimecmp keeps its value; 0 after creation), lines re-evaluated. */
void ph_clint_reset(PhClint *c);

/* Any thread: mtime as the guest sees it (raw time + offset).  Its
 * signature fits PhRvCpuConfig.get_time with @opaque = the PhClint, so the
 * `time` CSR follows guest writes to mtime as in QEMU. */
uint64_t ph_clint_read_time(void *opaque);

/* vCPU thread: re-evaluates MTIP = (mtime >= mtimecmp).  Like every
 * device here, the CLINT calls a line only when its level changes (and
 * once after reset), so calling this often costs the sink nothing. */
void ph_clint_update(PhClint *c);
/* vCPU thread: 10 MHz ticks until MTIP rises, 0 if it is already due,
 * INT64_MAX if never (mtimecmp out of reach). */
int64_t ph_clint_ticks_until_timer(PhClint *c);

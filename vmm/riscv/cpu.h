/* The RV64GC hart: state and the interface the board and the monitor use. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "bus.h"

/*
 * Owned by the CPU helper (vmm/riscv/); other layers use only the functions
 * below and the fields marked "public".  Fields may be added; the public
 * ones are not renamed.
 */

/* mip/mie bits */
#define PH_RV_MIP_SSIP (1u << 1)
#define PH_RV_MIP_MSIP (1u << 3)
#define PH_RV_MIP_STIP (1u << 5)
#define PH_RV_MIP_MTIP (1u << 7)
#define PH_RV_MIP_SEIP (1u << 9)
#define PH_RV_MIP_MEIP (1u << 11)

/* mstatus.FS */
#define PH_RV_MSTATUS_FS_SHIFT 13
#define PH_RV_MSTATUS_FS (3ull << PH_RV_MSTATUS_FS_SHIFT)
#define PH_RV_MSTATUS_SD (1ull << 63)

/* fflags */
#define PH_RV_FFLAG_NX 0x01
#define PH_RV_FFLAG_UF 0x02
#define PH_RV_FFLAG_OF 0x04
#define PH_RV_FFLAG_DZ 0x08
#define PH_RV_FFLAG_NV 0x10

typedef enum {
    PH_RV_PRV_U = 0,
    PH_RV_PRV_S = 1,
    PH_RV_PRV_M = 3,
} PhRvPriv;

/* Why ph_rv_cpu_run() returned. */
typedef enum {
    PH_RV_RUN_BUDGET,   /* executed about @max_insns */
    PH_RV_RUN_WFI,      /* in WFI with nothing pending: the runner may sleep */
    PH_RV_RUN_EXIT,     /* ph_rv_cpu_exit_request() was called */
} PhRvRunResult;

typedef struct PhRvCpu PhRvCpu;

typedef struct PhRvCpuConfig {
    PhBus *bus;
    uint64_t hart_id;
    /* The `time` CSR and the CLINT's mtime: 10 MHz ticks (public). */
    uint64_t (*get_time)(void *opaque);
    void *time_opaque;
} PhRvCpuConfig;

struct PhRvCpu {
    /* public, read by the FPU code, the monitor (while paused) and tests */
    uint64_t x[32];
    uint64_t f[32];         /* NaN-boxed singles */
    uint64_t pc;
    PhRvPriv priv;
    uint64_t mstatus;       /* FS lives here; fcsr is fflags | frm << 5 */
    uint32_t fflags;
    uint32_t frm;
    uint64_t instret;
    /* The rest is private to vmm/riscv/, see cpu-int.h. */
    struct PhRvCpuPrivate *p;
};

PhRvCpu *ph_rv_cpu_new(const PhRvCpuConfig *config);
void ph_rv_cpu_free(PhRvCpu *cpu);

/* Architectural reset: M mode, @pc, CSRs at their reset values, TLB and
 * decode cache flushed.  vCPU thread, or any thread while it is not running. */
void ph_rv_cpu_reset(PhRvCpu *cpu, uint64_t pc);

/* Forgets all decoded code, so that guest RAM written from outside the hart
 * (loaders, DMA, tests poking instructions) is fetched anew.  Guest stores
 * and fence.i need no call.  Any thread while the hart is not running. */
void ph_rv_cpu_flush_code(PhRvCpu *cpu);

/*
 * Runs on the vCPU thread until about @max_insns instructions have retired,
 * the hart waits in WFI with no interrupt pending, or an exit was requested.
 * Interrupts are taken at block boundaries.
 */
PhRvRunResult ph_rv_cpu_run(PhRvCpu *cpu, int64_t max_insns);

/* Any thread: makes a running ph_rv_cpu_run() return PH_RV_RUN_EXIT soon
 * (within one block).  Sticky until the next ph_rv_cpu_run() call returns. */
void ph_rv_cpu_exit_request(PhRvCpu *cpu);

/*
 * Any thread: the level of an interrupt line wired into mip (MSIP, MTIP,
 * MEIP, SEIP from the CLINT and PLIC).  @mask is one PH_RV_MIP_* bit.  The
 * CPU sees the change at its next block boundary; the caller kicks the
 * runner if the hart may be sleeping in WFI.  SEIP as seen by the guest is
 * the OR of this line and the bit software wrote.
 */
void ph_rv_cpu_set_irq(PhRvCpu *cpu, uint32_t mask, bool level);

/* Would WFI wake up now ((mip & mie) != 0, ignoring the global enables)? */
bool ph_rv_cpu_wfi_should_wake(PhRvCpu *cpu);

/* The monitor, while the vCPU is paused. */
/* QEMU-like `info registers` text (pc, mhartid, mstatus, ..., x0-x31, f0-f31). */
void ph_rv_cpu_dump_registers(PhRvCpu *cpu, GString *out);
/* Translates a virtual address with the current satp/priv (no A/D updates,
 * no faults recorded); false if it is not mapped. */
bool ph_rv_cpu_debug_translate(PhRvCpu *cpu, uint64_t vaddr, uint64_t *paddr);

/* The FPU (vmm/riscv/fpu.c): executes one OP-FP, FMADD, FMSUB, FNMSUB or
 * FNMADD instruction (not loads/stores, which the core does); the caller
 * has checked mstatus.FS != Off.  Returns false for an illegal encoding
 * (including a reserved rounding mode); on success it has written rd,
 * accrued fflags and set mstatus.FS to Dirty where the spec says so. */
bool ph_rv_fpu_exec(PhRvCpu *cpu, uint32_t insn);

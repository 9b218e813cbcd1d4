/* vmm/riscv/fpu.c again without the host fast path, as ph_rv_fpu_exec_soft, for test-fpu-host. */
#define PH_FPU_SOFT_ONLY 1
#define ph_rv_fpu_exec ph_rv_fpu_exec_soft

#include "cpu.h"

bool ph_rv_fpu_exec_soft(PhRvCpu *cpu, uint32_t insn);

#include "fpu.c"

/* The SiFive test device (power-off / reset / fail) of QEMU's virt board. */
#pragma once

#include <stdint.h>

#include "bus.h"

#define PH_SYSCON_SIZE 0x1000

typedef enum {
    PH_SYSCON_POWEROFF,   /* 0x5555 written, exit code 0 */
    PH_SYSCON_RESET,      /* 0x7777 */
    PH_SYSCON_FAIL,       /* 0x3333 | code << 16 */
} PhSysconAction;

typedef struct PhSyscon PhSyscon;

/* @action is called on the vCPU thread from the guest's store; other
 * values are ignored. */
PhSyscon *ph_syscon_new(PhBus *bus, uint64_t base,
                        void (*action)(void *opaque, PhSysconAction action, int exit_code),
                        void *opaque);
void ph_syscon_free(PhSyscon *s);

/* The guest's clock: host monotonic time that stands still while the VM is paused. */
#pragma once

#include <stdint.h>

/*
 * Like QEMU's QEMU_CLOCK_VIRTUAL: nanoseconds since the machine was created,
 * not counting time spent paused.  Read from any thread; stop/start are
 * called by the vCPU runner only (one writer), around its pauses.
 */
typedef struct PhVmClock {
    int64_t offset;      /* guest ns = host ns - offset (atomic) */
    int64_t stopped_at;  /* host ns when stopped, or -1 (atomic) */
} PhVmClock;

void ph_vm_clock_init(PhVmClock *clock);
int64_t ph_vm_clock_ns(const PhVmClock *clock);
void ph_vm_clock_stop(PhVmClock *clock);
void ph_vm_clock_start(PhVmClock *clock);
/* Host monotonic clock in ns (CLOCK_MONOTONIC). */
int64_t ph_host_clock_ns(void);

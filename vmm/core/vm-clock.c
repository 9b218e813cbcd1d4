/* The guest's clock: host monotonic time that stands still while the VM is paused. */
#include "vm-clock.h"

#include <time.h>

int64_t ph_host_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void ph_vm_clock_init(PhVmClock *clock)
{
    __atomic_store_n(&clock->offset, ph_host_clock_ns(), __ATOMIC_RELEASE);
    __atomic_store_n(&clock->stopped_at, -1, __ATOMIC_RELEASE);
}

int64_t ph_vm_clock_ns(const PhVmClock *clock)
{
    int64_t stopped = __atomic_load_n(&clock->stopped_at, __ATOMIC_ACQUIRE);
    int64_t offset = __atomic_load_n(&clock->offset, __ATOMIC_ACQUIRE);
    int64_t now = stopped >= 0 ? stopped : ph_host_clock_ns();
    return now - offset;
}

void ph_vm_clock_stop(PhVmClock *clock)
{
    if (__atomic_load_n(&clock->stopped_at, __ATOMIC_ACQUIRE) < 0) {
        __atomic_store_n(&clock->stopped_at, ph_host_clock_ns(), __ATOMIC_RELEASE);
    }
}

void ph_vm_clock_start(PhVmClock *clock)
{
    int64_t stopped = __atomic_load_n(&clock->stopped_at, __ATOMIC_ACQUIRE);
    if (stopped >= 0) {
        int64_t paused = ph_host_clock_ns() - stopped;
        __atomic_add_fetch(&clock->offset, paused, __ATOMIC_ACQ_REL);
        __atomic_store_n(&clock->stopped_at, -1, __ATOMIC_RELEASE);
    }
}
